/*
 * views.c — the JSON the front ends (the CLI's --json, the daemon's API)
 * show of archives, found files and verify reports, built once so that
 * both show the same thing to the same caller: every record through
 * arh_policy_view() and arh_view_apply(), every member name through the
 * redaction of redact.h.
 */
#include <string.h>

#include "arhiivar/ops.h"
#include "util.h"

struct records {
	const struct arh_redact_caller *who;
	struct arh_home	*h;
	json_t		*byref;		/* reference → view */
	json_t		*order;
	int		 with_files;
};

static int
add_record(void *arg, const json_t *meta)
{
	struct records *s = arg;
	struct arh_view_decision d;
	json_t *view;

	arh_policy_view(meta, s->who->roles, s->who->nroles,
	    s->who->entitled, s->who->nentitled, s->who->today, &d);
	if ((view = arh_view_apply(meta, d.view)) == NULL)
		return ARH_ENOMEM;
	json_object_set_new(view, "decision", json_pack("{s:b, s:s, s:s}",
	    "allowed", d.access.allow, "rule", d.access.rule, "view", d.name));
	if (d.access.allow && s->with_files)
		json_object_set_new(view, "files", json_array());
	json_object_set(s->byref, json_string_value(json_object_get(meta,
	    "reference")), view);
	return json_array_append_new(s->order, view) ? ARH_ENOMEM : 0;
}

/* A file row: path, size, digests, type (with its record, for a list of
 * the whole archive's files). */
static json_t *
file_json(const struct arh_file_row *f, int with_record)
{
	return json_pack("{s:s, s:s*, s:I, s:s, s:s, s:s?, s:s?}", "path",
	    f->path, "record", with_record ? f->record : NULL, "size",
	    (json_int_t)f->size, "sha512", f->sha512, "sha256", f->sha256,
	    "mime", f->mime, "charset", f->charset);
}

static int
add_file(void *arg, const struct arh_file_row *f)
{
	struct records *s = arg;
	json_t *view, *files;

	if (f->record == NULL)
		return 0;
	view = json_object_get(s->byref, f->record);
	if ((files = json_object_get(view, "files")) == NULL)
		return 0;	/* withheld */
	return json_array_append_new(files, file_json(f, 0)) ? ARH_ENOMEM : 0;
}

static int
records_view(struct arh_home *h, const char *archive,
    const struct arh_redact_caller *who, int with_files, json_t **out,
    struct arh_err *err)
{
	struct records s = { who, h, json_object(), json_array(), with_files };
	int rc;

	*out = NULL;
	if (s.byref == NULL || s.order == NULL)
		rc = arh_errf(err, ARH_ENOMEM, "out of memory");
	else if ((rc = arh_catalog_records(h->cat, archive, add_record, &s,
	    err)) == 0 && (!with_files || (rc = arh_catalog_files(h->cat,
	    archive, add_file, &s, err)) == 0)) {
		*out = s.order;
		s.order = NULL;	/* transferred */
	}
	json_decref(s.byref);
	json_decref(s.order);
	return rc;
}

int
arh_records_view(struct arh_home *h, const char *archive,
    const struct arh_redact_caller *who, json_t **out, struct arh_err *err)
{
	return records_view(h, archive, who, 1, out, err);
}

int
arh_records_summary(struct arh_home *h, const char *archive,
    const struct arh_redact_caller *who, json_t **out, struct arh_err *err)
{
	return records_view(h, archive, who, 0, out, err);
}

struct files_page {
	const struct arh_redact_caller *who;
	json_t		*allowed;	/* reference → true: files shown */
	json_t		*arr;
	int		 limit;
	int		 more;
};

static int
allow_record(void *arg, const json_t *meta)
{
	struct files_page *p = arg;
	struct arh_view_decision d;
	const char *ref = json_string_value(json_object_get(meta,
	    "reference"));

	arh_policy_view(meta, p->who->roles, p->who->nroles,
	    p->who->entitled, p->who->nentitled, p->who->today, &d);
	if (ref == NULL || !d.access.allow)
		return 0;
	return json_object_set_new(p->allowed, ref, json_true()) ?
	    ARH_ENOMEM : 0;
}

static int
page_file(void *arg, const struct arh_file_row *f)
{
	struct files_page *p = arg;

	if (f->record == NULL || json_object_get(p->allowed, f->record) ==
	    NULL)
		return 0;	/* withheld: not named, not counted */
	if ((int)json_array_size(p->arr) == p->limit) {
		p->more = 1;	/* one shown past the page: there is more */
		return 1;
	}
	return json_array_append_new(p->arr, file_json(f, 1)) ? ARH_ENOMEM : 0;
}

int
arh_files_view(struct arh_home *h, const char *archive,
    const struct arh_redact_caller *who, const char *after, int limit,
    json_t **out, int *more, struct arh_err *err)
{
	struct files_page p = { who, json_object(), json_array(), limit, 0 };
	int rc;

	*out = NULL;
	*more = 0;
	if (p.allowed == NULL || p.arr == NULL)
		rc = arh_errf(err, ARH_ENOMEM, "out of memory");
	else if ((rc = arh_catalog_records(h->cat, archive, allow_record, &p,
	    err)) == 0 && (rc = arh_catalog_files_after(h->cat, archive,
	    after, page_file, &p, err)) == 1 && p.more)
		rc = 0;
	if (rc == ARH_ENOMEM)
		arh_errf(err, rc, "out of memory");
	if (rc == 0) {
		*out = p.arr;
		*more = p.more;
		p.arr = NULL;	/* transferred */
	}
	json_decref(p.allowed);
	json_decref(p.arr);
	return rc;
}

json_t *
arh_archive_row_json(const struct arh_archive_row *r)
{
	return json_pack("{s:s, s:s, s:s, s:i, s:s?, s:I, s:s, s:s, s:s}",
	    "name", r->name, "case_file", r->case_ref, "series", r->series,
	    "version", r->version, "previous", r->previous[0] ? r->previous :
	    NULL, "size", (json_int_t)r->size, "sha256", r->sha256, "signer",
	    r->signer, "created", r->created);
}

json_t *
arh_found_view(const char *archive, const struct arh_file_row *f,
    const struct arh_view_decision *v)
{
	json_t *o = json_pack("{s:s, s:s, s:b}", "archive", archive,
	    "record", f->record, "allowed", v->access.allow);

	if (o != NULL && v->access.allow)
		json_object_update_new(o, json_pack("{s:s, s:I, s:s, s:s}",
		    "path", f->path, "size", (json_int_t)f->size, "sha256",
		    f->sha256, "sha512", f->sha512));
	return o;
}

int
arh_verify_redact(struct arh_home *h, const struct arh_redact_caller *who,
    struct arh_verify_report *rep, struct arh_err *err)
{
	struct arh_redact r;
	struct arh_archive_row row;
	int rc = 0, all = 0;

	arh_redact_init(&r);
	if (rep->sum.manifest != NULL)
		rc = arh_redact_from_manifest(&r, who, rep->sum.manifest);
	else if (h != NULL && rep->sum.name != NULL &&
	    arh_catalog_get(h->cat, rep->sum.name, &row, err) == 0)
		rc = arh_redact_from_catalog(&r, who, h->cat, rep->sum.name,
		    err);
	else
		all = !arh_policy_reads_restricted(who->roles, who->nroles,
		    who->entitled, who->nentitled);
	arh_err_clear(err);
	if (rc == 0)
		rc = arh_redact_report(&r, all, rep);
	arh_redact_release(&r);
	if (rc != 0)
		arh_errf(err, rc, "out of memory");
	return rc;
}

json_t *
arh_verify_report_json(const char *what, int rc,
    const struct arh_verify_report *r)
{
	json_t *f = json_array(), *more = json_object();
	size_t i;

	for (i = 0; i < r->n; i++)
		json_array_append_new(f, json_pack("{s:s, s:s, s:s}", "layer",
		    r->items[i].layer, "member", r->items[i].member, "message",
		    r->items[i].message));
	for (i = 0; i < r->nlayers; i++)
		if (r->layers[i].unlisted > 0)
			json_object_set_new(more, r->layers[i].layer,
			    json_integer((json_int_t)r->layers[i].unlisted));
	return json_pack("{s:s, s:b, s:s?, s:s, s:I, s:s?, s:s?, s:o, s:o}",
	    "archive", what, "ok", rc == 0, "name", r->sum.name,
	    "sha256", r->sum.tar_sha256, "size", (json_int_t)r->sum.tar_size,
	    "signer", r->sum.seal.subject[0] ? r->sum.seal.subject : NULL,
	    "sealed", r->sum.seal.signing_time[0] ? r->sum.seal.signing_time :
	    NULL, "findings", f, "unlisted", more);
}
