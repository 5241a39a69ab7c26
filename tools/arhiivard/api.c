/*
 * api.c — the verification API's request handler (see api.h and
 * docs/API.md).  Pure request in, response out: no sockets here.  Every
 * input is checked before it reaches the catalog (names, digests,
 * numbers); every record is shown through the one projection
 * (arh_records_view(), arh_found_view(): arh_policy_view() and
 * arh_view_apply()), every member name through redact.h.  Anonymous
 * callers hold "public"; a bearer token adds its role.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include <jansson.h>

#include "arhiivar/log.h"
#include "arhiivar/note.h"
#include "arhiivar/ops.h"
#include "arhiivar/token.h"
#include "api.h"
#include "daemon.h"

#define JSON_TYPE	"application/json"
#define METRICS_TYPE	"text/plain; version=0.0.4; charset=utf-8"
#define BEARER_CHALLENGE "Bearer realm=\"arhiivar\""
#define MAX_SERIES	64

/* Who asks: "public", and the role of a valid token. */
struct caller {
	char		*roles[2];
	size_t		 nroles;
	char		 role[32];
	char		 today[11];
	struct arh_redact_caller who;
};

static void
set_body(struct api_response *resp, int status, const char *type, char *body)
{
	free(resp->body);
	resp->status = status;
	resp->content_type = type;
	resp->body = body;
	resp->len = body != NULL ? strlen(body) : 0;
}

/* A growing buffer for json_dump_callback(). */
struct out {
	char	*buf;
	size_t	 len, cap;
};

static int
out_add(const char *p, size_t n, void *arg)
{
	struct out *o = arg;
	size_t cap = o->cap;
	char *b;

	while (o->len + n + 2 > cap)	/* room for "\n\0" */
		cap *= 2;
	if (cap != o->cap) {
		if ((b = realloc(o->buf, cap)) == NULL)
			return -1;
		o->buf = b;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
	return 0;
}

/* o as the answer with status (consumes o); 500 when it cannot be.
 * Dumped in one pass straight into the buffer the server sends and frees
 * (no copy for the final newline).  It starts under glibc's 1 KiB "large"
 * requests, which would consolidate the heap's small free chunks every
 * time, and doubles as needed. */
static int
reply(struct api_response *resp, int status, json_t *o)
{
	struct out b = { malloc(1000), 0, 1000 };

	if (o == NULL || b.buf == NULL ||
	    json_dump_callback(o, out_add, &b, JSON_COMPACT) != 0) {
		json_decref(o);
		free(b.buf);
		/* Static text: nothing left to allocate it with. */
		set_body(resp, 500, JSON_TYPE, strdup("{\"error\":\"out of "
		    "memory\",\"status\":500}\n"));
		return 500;
	}
	json_decref(o);
	b.buf[b.len] = '\n';
	b.buf[b.len + 1] = '\0';
	free(resp->body);
	resp->status = status;
	resp->content_type = JSON_TYPE;
	resp->body = b.buf;
	resp->len = b.len + 1;
	return status;
}

static int
fail(struct api_response *resp, int status, const char *msg)
{
	return reply(resp, status, json_pack("{s:s, s:i}", "error", msg,
	    "status", status));
}

/* An ARH_E* code as an HTTP answer, err->msg for people. */
static int
fail_rc(struct api_response *resp, int rc, const struct arh_err *err)
{
	switch (rc) {
	case ARH_ENOTFOUND:
		return fail(resp, 404, err->msg);
	case ARH_EDENIED:
		return fail(resp, 403, err->msg);
	case ARH_EUSAGE:
	case ARH_EINVAL:
		return fail(resp, 400, err->msg);
	default:
		return fail(resp, 500, err->msg[0] ? err->msg : "internal "
		    "error");
	}
}

static int
method_not_allowed(struct api_response *resp, const char *allow)
{
	fail(resp, 405, "method not allowed");
	resp->header = "Allow";
	resp->header_value = allow;
	return 405;
}

static int
unauthorized(struct api_response *resp, const char *msg)
{
	fail(resp, 401, msg);
	resp->header = "WWW-Authenticate";
	resp->header_value = BEARER_CHALLENGE;
	return 401;
}

/* Input checks. */

/* An archive name: 1..255 of [A-Za-z0-9._-], not starting with '.'. */
static int
valid_name(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0' || s[0] == '.')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (i >= API_MAX_NAME || !((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

/* A series code: 1..64 of [A-Za-z0-9.-]. */
static int
valid_series(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (i >= MAX_SERIES || !((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '.' || s[i] == '-'))
			return 0;
	return 1;
}

/* Exactly n hex digits (either case) into out as lower case. */
static int
parse_hex(const char *s, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return 0;
		out[i] = c;
	}
	out[n] = '\0';
	return s[n] == '\0';
}

/* A decimal integer in min..max, digits only (no sign, no spaces). */
static int
parse_int(const char *s, long min, long max, long *out)
{
	long v = 0;
	size_t i;

	if (s == NULL || s[0] == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 9)
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	if (v < min || v > max)
		return 0;
	*out = v;
	return 1;
}

/*
 * The query arguments against the names an endpoint takes (NULL-ended):
 * an unknown or repeated one is refused.  vals[i] gets known[i]'s value
 * or NULL.
 */
static int
take_args(const struct api_request *req, const char *const *known,
    const char **vals, struct api_response *resp)
{
	char msg[160];
	size_t i, j;

	for (j = 0; known[j] != NULL; j++)
		vals[j] = NULL;
	if (req->too_many_args)
		return fail(resp, 400, "too many query arguments");
	for (i = 0; i < req->nargs; i++) {
		for (j = 0; known[j] != NULL; j++)
			if (req->args[i].key != NULL &&
			    strcmp(req->args[i].key, known[j]) == 0)
				break;
		if (known[j] == NULL) {
			snprintf(msg, sizeof(msg), "unknown query argument "
			    "'%.64s'", req->args[i].key ? req->args[i].key :
			    "");
			return fail(resp, 400, msg);
		}
		if (vals[j] != NULL) {
			snprintf(msg, sizeof(msg), "query argument '%s' given "
			    "twice", known[j]);
			return fail(resp, 400, msg);
		}
		vals[j] = req->args[i].value != NULL ? req->args[i].value : "";
	}
	return 0;
}

/* A refusal of the API as an event, as the library records its own. */
static void
record_denial(struct api_ctx *ctx, const char *target, const char *why)
{
	struct arh_event ev = { "denial", ctx->h->actor, NULL, target,
	    "denied", why };

	(void)arh_catalog_event(ctx->h->cat, &ev, NULL);
}

/*
 * The caller: "public", plus the role of a valid bearer token.  A header
 * that is not a valid token is refused (401), never taken as anonymous.
 */
static int
authenticate(struct api_ctx *ctx, const struct api_request *req,
    struct caller *c, struct api_response *resp)
{
	static const char scheme[] = "Bearer ";
	struct arh_err err;
	const char *tok;

	memset(c, 0, sizeof(*c));
	c->roles[0] = (char *)(uintptr_t)"public";
	c->nroles = 1;
	arh_today(c->today);
	c->who.roles = c->roles;
	c->who.entitled = ctx->h->cfg->internal_roles;
	c->who.nentitled = ctx->h->cfg->ninternal_roles;
	c->who.today = c->today;
	if (req->authorization == NULL) {
		c->who.nroles = c->nroles;
		return 0;
	}
	if (strncasecmp(req->authorization, scheme, sizeof(scheme) - 1) != 0) {
		record_denial(ctx, "api", "an Authorization header that is "
		    "not a bearer token");
		return unauthorized(resp, "the Authorization header must be "
		    "'Bearer TOKEN'");
	}
	tok = req->authorization + sizeof(scheme) - 1;
	while (*tok == ' ')
		tok++;
	arh_err_clear(&err);
	switch (arh_token_role(ctx->h, tok, c->role, &err)) {
	case 0:
		break;
	case ARH_ENOTFOUND:
		record_denial(ctx, "api", "an unknown, revoked or malformed "
		    "bearer token");
		return unauthorized(resp, "unknown or revoked token");
	default:
		return fail(resp, 500, err.msg);
	}
	c->roles[c->nroles++] = c->role;
	c->who.nroles = c->nroles;
	return 0;
}

/* GET /v1/status */
static int
get_status(struct api_ctx *ctx, struct api_response *resp)
{
	if (ctx->d == NULL)
		return reply(resp, 200, json_pack("{s:b}", "up", 1));
	return reply(resp, 200, daemon_status_json(ctx->d, ctx->h));
}

struct page {
	json_t	*arr;
	int	 n;
	int	 limit;
	char	 last[256];
	int	 more;
};

static int
page_add(void *arg, const struct arh_archive_row *row)
{
	struct page *p = arg;
	json_t *o;

	if (p->n == p->limit) {	/* the one past the page: there is more */
		p->more = 1;
		return 0;
	}
	if ((o = arh_archive_row_json(row)) == NULL)
		return ARH_ENOMEM;
	json_object_set_new(o, "records", json_integer(row->nrecords));
	json_object_set_new(o, "files", json_integer(row->nfiles));
	if (json_array_append_new(p->arr, o) != 0)
		return ARH_ENOMEM;
	p->n++;
	snprintf(p->last, sizeof(p->last), "%s", row->name);
	return 0;
}

/* GET /v1/archives?series=&year=&limit=&after= */
static int
get_archives(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *resp)
{
	static const char *const known[] = { "series", "year", "limit",
	    "after", NULL };
	const char *v[4];
	struct page p;
	struct arh_err err;
	long year = 0, limit = API_LIMIT_DEFAULT;
	int rc;

	if ((rc = take_args(req, known, v, resp)) != 0)
		return rc;
	if (v[0] != NULL && !valid_series(v[0]))
		return fail(resp, 400, "series must be a series code such as "
		    "12-1");
	if (v[1] != NULL && !parse_int(v[1], 1000, 9999, &year))
		return fail(resp, 400, "year must be 1000..9999");
	if (v[2] != NULL && !parse_int(v[2], 1, API_LIMIT_MAX, &limit))
		return fail(resp, 400, "limit must be 1..1000");
	if (v[3] != NULL && !valid_name(v[3]))
		return fail(resp, 400, "after must be an archive name");
	memset(&p, 0, sizeof(p));
	p.limit = (int)limit;
	if ((p.arr = json_array()) == NULL)
		return fail(resp, 500, "out of memory");
	arh_err_clear(&err);
	if ((rc = arh_catalog_page(ctx->h->cat, v[0], (int)year, v[3],
	    p.limit + 1, page_add, &p, &err)) != 0) {
		json_decref(p.arr);
		return fail_rc(resp, rc, &err);
	}
	return reply(resp, 200, json_pack("{s:o, s:s?}", "archives", p.arr,
	    "next", p.more ? p.last : NULL));
}

/* The last audit of an archive, its detail redacted for the caller. */
static int
audit_json(struct api_ctx *ctx, const struct caller *c, const char *name,
    json_t **out, struct arh_err *err)
{
	struct arh_redacted_event shown;
	struct arh_event ev;
	struct arh_redact r;
	struct arh_audit a;
	int rc;

	*out = NULL;
	if ((rc = arh_catalog_audit_get(ctx->h->cat, name, &a, err)) ==
	    ARH_ENOTFOUND) {
		*out = json_null();
		return 0;
	}
	if (rc != 0)
		return rc;
	if (a.detail[0] == '\0') {	/* nothing that could name a file */
		*out = json_pack("{s:s?, s:s, s:n}", "verified_at",
		    a.verified_at[0] ? a.verified_at : NULL, "result",
		    a.result, "detail");
		return *out != NULL ? 0 : arh_errf(err, ARH_ENOMEM, "out of "
		    "memory");
	}
	arh_redact_init(&r);
	memset(&ev, 0, sizeof(ev));
	ev.archive = name;
	ev.detail = a.detail[0] ? a.detail : NULL;
	memset(&shown, 0, sizeof(shown));
	if ((rc = arh_redact_from_catalog(&r, &c->who, ctx->h->cat, name,
	    err)) == 0 && (rc = arh_redact_event(&r, &ev, &shown)) == 0)
		*out = json_pack("{s:s?, s:s, s:s?}", "verified_at",
		    a.verified_at[0] ? a.verified_at : NULL, "result",
		    a.result, "detail", shown.detail);
	arh_redact_event_release(&shown);
	arh_redact_release(&r);
	if (rc == 0 && *out == NULL)
		rc = arh_errf(err, ARH_ENOMEM, "out of memory");
	return rc;
}

static json_t *
disposition_json(const struct arh_disposition *d)
{
	json_t *holds = json_array();
	const char *s = d->holds;
	char *end;
	long id;

	while (holds != NULL && *s != '\0') {
		id = strtol(s, &end, 10);
		if (end == s)
			break;
		json_array_append_new(holds, json_integer(id));
		s = *end == ',' ? end + 1 : end;
	}
	return json_pack("{s:s?, s:s?, s:o}", "action", d->action[0] ?
	    d->action : NULL, "due", d->due[0] ? d->due : NULL, "holds",
	    holds);
}

/* GET /v1/archives/{name}: the files are paged apart (get_files()). */
static int
get_archive(struct api_ctx *ctx, const struct api_request *req,
    const struct caller *c, const char *name, struct api_response *resp)
{
	static const char *const known[] = { NULL };
	struct arh_archive_row row;
	struct arh_disposition disp;
	struct arh_err err;
	json_t *records = NULL, *audit = NULL, *o;
	const char *v[1];
	char link[sizeof("/v1/archives//files") + API_MAX_NAME];
	int rc;

	if ((rc = take_args(req, known, v, resp)) != 0)
		return rc;
	arh_err_clear(&err);
	if ((rc = arh_catalog_get(ctx->h->cat, name, &row, &err)) != 0 ||
	    (rc = arh_catalog_disposition(ctx->h->cat, name, &disp,
	    &err)) != 0 ||
	    (rc = arh_records_summary(ctx->h, name, &c->who, &records,
	    &err)) != 0 ||
	    (rc = audit_json(ctx, c, name, &audit, &err)) != 0) {
		json_decref(records);
		return fail_rc(resp, rc, &err);
	}
	if ((o = arh_archive_row_json(&row)) != NULL) {
		json_object_set_new(o, "records", json_integer(row.nrecords));
		json_object_set_new(o, "files", json_integer(row.nfiles));
	}
	snprintf(link, sizeof(link), "/v1/archives/%s/files", name);
	return reply(resp, 200, json_pack("{s:o, s:o, s:o, s:o, s:{s:s}}",
	    "archive", o, "disposition", disposition_json(&disp), "audit",
	    audit, "records", records, "links", "files", link));
}

/* A member path as given by a caller: 1..1024 bytes, no control
 * characters (the catalog compares bytes; nothing is looked up by it). */
static int
valid_member(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (i >= API_MAX_PATH || (unsigned char)s[i] < 0x20 ||
		    s[i] == 0x7f)
			return 0;
	return 1;
}

/* GET /v1/archives/{name}/files?limit=&after= */
static int
get_files(struct api_ctx *ctx, const struct api_request *req,
    const struct caller *c, const char *name, struct api_response *resp)
{
	static const char *const known[] = { "limit", "after", NULL };
	struct arh_archive_row row;
	struct arh_err err;
	const char *v[2];
	json_t *files = NULL, *next = NULL;
	long limit = API_LIMIT_DEFAULT;
	int rc, more;

	if ((rc = take_args(req, known, v, resp)) != 0)
		return rc;
	if (v[0] != NULL && !parse_int(v[0], 1, API_LIMIT_MAX, &limit))
		return fail(resp, 400, "limit must be 1..1000");
	if (v[1] != NULL && !valid_member(v[1]))
		return fail(resp, 400, "after must be a file path of at most "
		    "1024 bytes");
	arh_err_clear(&err);
	if ((rc = arh_catalog_get(ctx->h->cat, name, &row, &err)) != 0 ||
	    (rc = arh_files_view(ctx->h, name, &c->who, v[1], (int)limit,
	    &files, &more, &err)) != 0)
		return fail_rc(resp, rc, &err);
	/* The cursor is the last path shown: never a withheld one. */
	next = more ? json_object_get(json_array_get(files,
	    json_array_size(files) - 1), "path") : json_null();
	return reply(resp, 200, json_pack("{s:s, s:O?, s:o}", "archive", name,
	    "next", next, "files", files));
}

/* POST /v1/archives/{name}/verify */
static int
post_verify(struct api_ctx *ctx, const struct api_request *req,
    const struct caller *c, const char *name, struct api_response *resp)
{
	static const char *const known[] = { NULL };
	struct arh_verify_report rep;
	struct arh_archive_row row;
	struct arh_err err;
	const char *v[1];
	long running;
	int rc;

	if ((rc = take_args(req, known, v, resp)) != 0)
		return rc;
	if (req->has_body)
		return fail(resp, 400, "this request takes no body");
	if (c->nroles < 2) {
		record_denial(ctx, name, "verifying over the API needs a "
		    "bearer token");
		return unauthorized(resp, "verifying needs a bearer token "
		    "('arhiivar token add')");
	}
	arh_err_clear(&err);
	if ((rc = arh_catalog_get(ctx->h->cat, name, &row, &err)) != 0)
		return fail_rc(resp, rc, &err);
	running = atomic_fetch_add(ctx->verifying, 1);
	if (running >= ctx->max_verifications) {
		atomic_fetch_sub(ctx->verifying, 1);
		return fail(resp, 429, "as many verifications as [api] "
		    "verifications allows are running; try again later");
	}
	memset(&rep, 0, sizeof(rep));
	rc = arh_verify_catalogued(ctx->h, name, NULL, &rep, &err);
	atomic_fetch_sub(ctx->verifying, 1);
	if ((rc == 0 || rc == ARH_EVERIFY) && arh_verify_redact(ctx->h,
	    &c->who, &rep, &err) != 0)
		rc = ARH_ENOMEM;
	if (rc == 0 || rc == ARH_EVERIFY)
		rc = reply(resp, 200, arh_verify_report_json(name, rc, &rep));
	else
		rc = fail_rc(resp, rc, &err);
	arh_verify_report_release(&rep);
	return rc;
}

/* Matches one lookup answers: each costs queries of its own, and a file
 * kept in every yearly case file must not make a lookup unbounded. */
#define LOOKUP_MAX	100

struct lookup {
	struct api_ctx	*ctx;
	const struct caller *c;
	json_t		*arr;
	int		 truncated;
};

static int
lookup_add(void *arg, const char *archive, const struct arh_file_row *f,
    const json_t *record)
{
	struct lookup *l = arg;
	struct arh_view_decision v;
	struct arh_archive_row row;
	struct arh_audit a;
	struct arh_err err;
	json_t *o;
	int rc;

	if (json_array_size(l->arr) == LOOKUP_MAX) {
		l->truncated = 1;
		return 1;		/* stop: enough for one answer */
	}
	arh_policy_view(record, l->c->who.roles, l->c->who.nroles,
	    l->c->who.entitled, l->c->who.nentitled, l->c->today, &v);
	if ((o = arh_found_view(archive, f, &v)) == NULL)
		return ARH_ENOMEM;
	json_object_set_new(o, "metadata", arh_view_apply(record, v.view));
	json_object_set_new(o, "view", json_string(v.name));
	arh_err_clear(&err);
	if ((rc = arh_catalog_get(l->ctx->h->cat, archive, &row, &err)) == 0)
		json_object_set_new(o, "sealed", json_string(row.created));
	if ((rc = arh_catalog_audit_get(l->ctx->h->cat, archive, &a,
	    &err)) == 0)
		json_object_set_new(o, "audit", json_pack("{s:s?, s:s}",
		    "verified_at", a.verified_at[0] ? a.verified_at : NULL,
		    "result", a.result));
	else if (rc == ARH_ENOTFOUND)
		json_object_set_new(o, "audit", json_null());
	else {
		json_decref(o);
		return rc;
	}
	return json_array_append_new(l->arr, o) ? ARH_ENOMEM : 0;
}

/* GET /v1/lookup?sha256=HEX | ?sha512=HEX */
static int
get_lookup(struct api_ctx *ctx, const struct api_request *req,
    const struct caller *c, struct api_response *resp)
{
	static const char *const known[] = { "sha256", "sha512", NULL };
	struct lookup l = { ctx, c, NULL, 0 };
	struct arh_err err;
	const char *v[2];
	char hex[129];
	int rc;

	if ((rc = take_args(req, known, v, resp)) != 0)
		return rc;
	if ((v[0] == NULL) == (v[1] == NULL))
		return fail(resp, 400, "give one of sha256=HEX or sha512=HEX");
	if (v[0] != NULL && !parse_hex(v[0], 64, hex))
		return fail(resp, 400, "sha256 must be 64 hex digits");
	if (v[1] != NULL && !parse_hex(v[1], 128, hex))
		return fail(resp, 400, "sha512 must be 128 hex digits");
	if ((l.arr = json_array()) == NULL)
		return fail(resp, 500, "out of memory");
	arh_err_clear(&err);
	if ((rc = arh_catalog_find(ctx->h->cat, hex, lookup_add, &l,
	    &err)) < 0) {
		json_decref(l.arr);
		return fail_rc(resp, rc, &err);
	}
	return reply(resp, 200, json_pack("{s:s, s:s, s:I, s:b, s:o}",
	    "algorithm", v[0] != NULL ? "sha256" : "sha512", "digest", hex,
	    "found", (json_int_t)json_array_size(l.arr), "truncated",
	    l.truncated, "files", l.arr));
}

/* GET /metrics: counters and catalog totals, no restricted data. */
static int
get_metrics(struct api_ctx *ctx, struct api_response *resp)
{
	struct arh_catalog_counts n;
	struct arh_err err;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	arh_err_clear(&err);
	if ((rc = arh_catalog_counts(ctx->h->cat, &n, &err)) != 0)
		return fail_rc(resp, rc, &err);
	if ((f = open_memstream(&buf, &len)) == NULL)
		return fail(resp, 500, "out of memory");
#define GAUGE(name, help, v) fprintf(f, "# HELP arhiivar_" name " " help \
	"\n# TYPE arhiivar_" name " gauge\narhiivar_" name " %lld\n", \
	(long long)(v))
#define COUNTER(name, help, v) fprintf(f, "# HELP arhiivar_" name "_total " \
	help "\n# TYPE arhiivar_" name "_total counter\narhiivar_" name \
	"_total %lu\n", (unsigned long)atomic_load(&(v)))
	GAUGE("archives", "Archives in the catalog.", n.archives);
	GAUGE("records", "Records in catalogued archives.", n.records);
	GAUGE("files", "Payload files in catalogued archives.", n.files);
	GAUGE("archive_bytes", "Size of the catalogued archive files.",
	    n.bytes);
	GAUGE("archives_audit_failed", "Archives whose last audit failed.",
	    n.audits_failed);
	GAUGE("holds", "Holds in force.", n.holds);
	if (ctx->d != NULL) {
		struct daemon_stats *s = &ctx->d->stats;

		GAUGE("started_seconds", "When the daemon started (Unix "
		    "time).", atomic_load(&s->started));
		COUNTER("ingested", "Inbox items archived.", s->ingested);
		COUNTER("quarantined", "Inbox items refused.",
		    s->quarantined);
		COUNTER("ingest_errors", "Transient ingest failures.",
		    s->ingest_errors);
		COUNTER("audits_ok", "Audits that passed.", s->audits_ok);
		COUNTER("audits_failed", "Audits that failed.",
		    s->audits_failed);
		COUNTER("jobs_run", "Scheduled jobs run.", s->jobs_run);
		COUNTER("jobs_failed", "Scheduled jobs failed.",
		    s->jobs_failed);
		COUNTER("api_requests", "API requests answered.",
		    s->api_requests);
		COUNTER("api_errors", "API answers with a 5xx status.",
		    s->api_errors);
		COUNTER("api_rejected", "API verifications refused (429).",
		    s->api_rejected);
		COUNTER("ctl_requests", "Control socket requests.",
		    s->ctl_requests);
		COUNTER("restores", "Files restored.", s->restores);
		COUNTER("denials", "Requests refused by policy or "
		    "authentication.", s->denials);
	}
#undef GAUGE
#undef COUNTER
	if (fclose(f) != 0 || buf == NULL) {
		free(buf);
		return fail(resp, 500, "out of memory");
	}
	set_body(resp, 200, METRICS_TYPE, buf);
	return 200;
}

/* A read-only answer from one snapshot of the catalog (and one read lock
 * for all its queries); arh_catalog_read_end() after it. */
/* GET /v1/checkpoint: the newest signed checkpoint, verbatim. */
static int
get_checkpoint(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *resp)
{
	static const char *const known[] = { NULL };
	const char *vals[1];
	struct arh_err err;
	char *note = NULL;
	int rc;

	if ((rc = take_args(req, known, vals, resp)) != 0)
		return rc;
	arh_err_clear(&err);
	if ((rc = arh_log_latest(ctx->h->cat, &note, NULL, &err)) != 0)
		return fail_rc(resp, rc, &err);
	set_body(resp, 200, "text/plain; charset=utf-8", note);
	return 0;
}

/* GET /v1/proof/inclusion?archive=NAME | ?event=ID: a tlog-proof@v1. */
static int
get_inclusion(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *resp)
{
	static const char *const known[] = { "archive", "event", NULL };
	const char *vals[2];
	struct arh_err err;
	char *proof = NULL;
	size_t len;
	long event = 0;
	int rc;

	if ((rc = take_args(req, known, vals, resp)) != 0)
		return rc;
	if ((vals[0] == NULL) == (vals[1] == NULL))
		return fail(resp, 400, "give one of archive=NAME or event=ID");
	if (vals[0] != NULL && !valid_name(vals[0]))
		return fail(resp, 400, "bad archive name");
	if (vals[1] != NULL && !parse_int(vals[1], 1, 999999999, &event))
		return fail(resp, 400, "event must be a positive integer");
	arh_err_clear(&err);
	if ((rc = arh_log_prove(ctx->h->cat, vals[0], event, &proof, &len,
	    &err)) != 0)
		return fail_rc(resp, rc, &err);
	set_body(resp, 200, "text/plain; charset=utf-8", proof);
	return 0;
}

/* GET /v1/proof/consistency?old=M&new=N: between two tree sizes, N at
 * most the newest checkpoint's. */
static int
get_consistency(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *resp)
{
	static const char *const known[] = { "old", "new", NULL };
	const char *vals[2];
	struct arh_consistency_proof cp;
	struct arh_merkle_proof mp;
	struct arh_err err;
	char *note = NULL, *out = NULL;
	uint64_t signed_size = 0;
	size_t len;
	long old = 0, new = 0;
	int rc;

	if ((rc = take_args(req, known, vals, resp)) != 0)
		return rc;
	if (!parse_int(vals[0], 1, 999999999, &old) ||
	    !parse_int(vals[1], 1, 999999999, &new) || old > new)
		return fail(resp, 400, "give old=M and new=N, 1 <= M <= N");
	arh_err_clear(&err);
	if ((rc = arh_log_latest(ctx->h->cat, &note, &signed_size, &err)) != 0)
		return fail_rc(resp, rc, &err);
	free(note);
	if ((uint64_t)new > signed_size)
		return fail(resp, 404, "no checkpoint signs a tree that large");
	if ((rc = arh_catalog_log_consistency(ctx->h->cat, (uint64_t)old,
	    (uint64_t)new, &mp, &err)) != 0)
		return fail_rc(resp, rc, &err);
	cp.old = (uint64_t)old;
	cp.size = (uint64_t)new;
	cp.hashes = mp.h;
	cp.n = mp.n;
	if ((rc = arh_consistency_proof_format(&cp, &out, &len, &err)) != 0)
		return fail_rc(resp, rc, &err);
	set_body(resp, 200, "text/plain; charset=utf-8", out);
	return 0;
}

static int
snapshot(struct api_ctx *ctx, struct api_response *resp)
{
	struct arh_err err;
	int rc;

	arh_err_clear(&err);
	if ((rc = arh_catalog_read_begin(ctx->h->cat, &err)) != 0)
		return fail_rc(resp, rc, &err);
	return 0;
}

static int
is_get(const char *m)
{
	return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
}

/* The route: path, method, then the caller. */
static int
route(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *resp)
{
	static const char archives[] = "/v1/archives/";
	const char *p = req->path, *m = req->method, *slash;
	char name[API_MAX_NAME + 1];
	struct caller c;
	size_t n;
	int rc, verify;

	if (p == NULL || m == NULL || p[0] != '/' ||
	    strnlen(p, API_MAX_PATH + 1) > API_MAX_PATH)
		return fail(resp, 400, "bad request path");
	if (strcmp(p, "/v1/status") == 0 || strcmp(p, "/v1/archives") == 0 ||
	    strcmp(p, "/v1/lookup") == 0 || strcmp(p, "/metrics") == 0) {
		if (!is_get(m))
			return method_not_allowed(resp, "GET, HEAD");
		if (req->has_body)
			return fail(resp, 400, "this request takes no body");
		if ((rc = authenticate(ctx, req, &c, resp)) != 0)
			return rc;
		if (strcmp(p, "/v1/status") == 0)
			return get_status(ctx, resp);
		if (strcmp(p, "/metrics") == 0)
			return get_metrics(ctx, resp);
		if ((rc = snapshot(ctx, resp)) != 0)
			return rc;
		if (strcmp(p, "/v1/lookup") == 0)
			rc = get_lookup(ctx, req, &c, resp);
		else
			rc = get_archives(ctx, req, resp);
		arh_catalog_read_end(ctx->h->cat);
		return rc;
	}
	/* The log: what it holds is public (FORMAT.md 11.2), a caller
	 * still authenticates. */
	if (strcmp(p, "/v1/checkpoint") == 0 ||
	    strcmp(p, "/v1/proof/inclusion") == 0 ||
	    strcmp(p, "/v1/proof/consistency") == 0) {
		if (!is_get(m))
			return method_not_allowed(resp, "GET, HEAD");
		if (req->has_body)
			return fail(resp, 400, "this request takes no body");
		if ((rc = authenticate(ctx, req, &c, resp)) != 0)
			return rc;
		if (strcmp(p, "/v1/checkpoint") == 0)
			return get_checkpoint(ctx, req, resp);
		if (strcmp(p, "/v1/proof/inclusion") == 0)
			return get_inclusion(ctx, req, resp);
		return get_consistency(ctx, req, resp);
	}
	if (strncmp(p, archives, sizeof(archives) - 1) != 0)
		return fail(resp, 404, "no such endpoint");
	p += sizeof(archives) - 1;
	slash = strchr(p, '/');
	n = slash != NULL ? (size_t)(slash - p) : strlen(p);
	verify = slash != NULL && strcmp(slash, "/verify") == 0;
	if (slash != NULL && !verify && strcmp(slash, "/files") != 0)
		return fail(resp, 404, "no such endpoint");
	if (verify && strcmp(m, "POST") != 0)
		return method_not_allowed(resp, "POST");
	if (!verify && !is_get(m))
		return method_not_allowed(resp, "GET, HEAD");
	if (n == 0 || n > API_MAX_NAME)
		return fail(resp, 400, "bad archive name");
	memcpy(name, p, n);
	name[n] = '\0';
	if (!valid_name(name))
		return fail(resp, 400, "bad archive name");
	if (!verify && req->has_body)
		return fail(resp, 400, "this request takes no body");
	if ((rc = authenticate(ctx, req, &c, resp)) != 0)
		return rc;
	if (verify)
		return post_verify(ctx, req, &c, name, resp);
	if ((rc = snapshot(ctx, resp)) != 0)
		return rc;
	if (slash != NULL)
		rc = get_files(ctx, req, &c, name, resp);
	else
		rc = get_archive(ctx, req, &c, name, resp);
	arh_catalog_read_end(ctx->h->cat);
	return rc;
}

int
api_handle(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	route(ctx, req, resp);
	if (ctx->d != NULL) {
		struct daemon_stats *s = &ctx->d->stats;

		atomic_fetch_add(&s->api_requests, 1);
		if (resp->status >= 500) {
			atomic_fetch_add(&s->api_errors, 1);
			dlog(LOG_ERR, "api: %s %.200s: %d %.300s", req->method ?
			    req->method : "?", req->path ? req->path : "?",
			    resp->status, resp->body ? resp->body : "");
		} else if (resp->status == 429)
			atomic_fetch_add(&s->api_rejected, 1);
		else if (resp->status == 401)
			atomic_fetch_add(&s->denials, 1);
	}
	return resp->status;
}

void
api_response_release(struct api_response *resp)
{
	free(resp->body);
	memset(resp, 0, sizeof(*resp));
}
