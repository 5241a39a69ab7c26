/*
 * test_api.c — the verification API's handler (tools/arhiivard/api.c)
 * against a real home with the sample case file ingested: routes, input
 * checks, the caller's view (anonymous: public view only, no restricted
 * path), tokens, the verification limit and /metrics.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arhiivar/ops.h"
#include "arhiivar/token.h"
#include "api.h"
#include "daemon.h"

#define ARCHIVE		"12-1_2024.v1"
#define RESTRICTED_DIR	"12-1_8910-1"
#define MARKER		"MARKER-TITLE-7f3a"

static char dir[64];
static struct arh_home *home;
static atomic_long verifying;
static struct api_ctx ctx;
static char token[ARH_TOKEN_LEN + 1], bearer[ARH_TOKEN_LEN + 16];
static char restricted_sha256[65];
static struct api_response resp;

/* main.c's, which this test does not link; weak, so that a part that
 * defines it one day wins. */
__attribute__((weak)) int
daemon_open_home(struct daemon *d, const char *actor, struct arh_home **h,
    struct arh_err *err)
{
	struct arh_problems notes, cfgprobs;
	int rc;

	arh_problems_init(&notes);
	arh_problems_init(&cfgprobs);
	rc = arh_home_open(d->home_path, actor, 0, h, &notes, &cfgprobs, err);
	arh_problems_release(&notes);
	arh_problems_release(&cfgprobs);
	return rc;
}

static int
found_restricted(void *arg, const char *archive, const struct arh_file_row *f,
    const json_t *record)
{
	(void)archive;
	(void)record;
	snprintf(arg, 65, "%s", f->sha256);
	return 1;
}

static int
setup(void **state)
{
	static char *rm_roles[] = { (char *)"public",
	    (char *)"records-manager" };
	struct arh_identity who;
	struct arh_problems notes, cfgprobs;
	struct arh_ingest_result res;
	struct arh_err err;
	char path[128];
	long id;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/arh-api.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/home", dir);
	arh_problems_init(&notes);
	arh_problems_init(&cfgprobs);
	if (arh_home_init(path, "Test", &notes, &err) != 0 ||
	    arh_home_open(path, "test", 0, &home, &notes, &cfgprobs,
	    &err) != 0 ||
	    arh_ingest(home, "sample/case-12-1-2024", 0, &res, &notes,
	    &err) != 0) {
		fprintf(stderr, "# setup: %s\n", err.msg);
		return -1;
	}
	arh_problems_release(&notes);
	arh_problems_release(&cfgprobs);
	memset(&who, 0, sizeof(who));
	who.user = (char *)"test";
	who.roles = rm_roles;
	who.nroles = 2;
	if (arh_token_issue(home, &who, "records-manager", "test", token, &id,
	    &err) != 0)
		return -1;
	snprintf(bearer, sizeof(bearer), "Bearer %s", token);
	if (arh_catalog_find(home->cat, "12-1/8910-1", found_restricted,
	    restricted_sha256, &err) != 1)
		return -1;
	ctx.h = home;
	ctx.verifying = &verifying;
	ctx.max_verifications = 1;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	arh_home_free(home);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* One request; "k=v&k2=v2" as the query; returns the status. */
static int
call(const char *method, const char *path, const char *query,
    const char *auth)
{
	static char qbuf[1024];
	struct api_arg args[API_MAX_ARGS];
	struct api_request req;
	char *p, *save = NULL, *eq;
	size_t n = 0;

	memset(&req, 0, sizeof(req));
	api_response_release(&resp);
	req.method = method;
	req.path = path;
	req.authorization = auth;
	if (query != NULL) {
		snprintf(qbuf, sizeof(qbuf), "%s", query);
		for (p = strtok_r(qbuf, "&", &save); p != NULL;
		    p = strtok_r(NULL, "&", &save)) {
			if (n == API_MAX_ARGS) {
				req.too_many_args = 1;
				break;
			}
			if ((eq = strchr(p, '=')) != NULL)
				*eq++ = '\0';
			args[n].key = p;
			args[n++].value = eq != NULL ? eq : "";
		}
	}
	req.args = args;
	req.nargs = n;
	api_handle(&ctx, &req, &resp);
	assert_non_null(resp.body);
	return resp.status;
}

static json_t *
body(void)
{
	json_t *j = json_loads(resp.body, 0, NULL);

	assert_non_null(j);
	return j;
}

static void
test_routes(void **state)
{
	json_t *j;

	(void)state;
	assert_int_equal(call("GET", "/v1/status", NULL, NULL), 200);
	assert_int_equal(call("GET", "/nope", NULL, NULL), 404);
	j = body();
	assert_int_equal(json_integer_value(json_object_get(j, "status")), 404);
	assert_non_null(json_string_value(json_object_get(j, "error")));
	json_decref(j);
	assert_int_equal(call("GET", "/v1/archives/" ARCHIVE "/nope", NULL,
	    NULL), 404);
	assert_int_equal(call("DELETE", "/v1/archives", NULL, NULL), 405);
	assert_string_equal(resp.header, "Allow");
	assert_string_equal(resp.header_value, "GET, HEAD");
	assert_int_equal(call("GET", "/v1/archives/" ARCHIVE "/verify", NULL,
	    NULL), 405);
	assert_string_equal(resp.header_value, "POST");
	assert_int_equal(call("GET", "", NULL, NULL), 400);
	assert_int_equal(call("GET", "/v1/archives/", NULL, NULL), 400);
	assert_int_equal(call("GET", "/v1/archives/..", NULL, NULL), 400);
	assert_int_equal(call("GET", "/v1/archives/a b", NULL, NULL), 400);
	assert_int_equal(call("GET", "/v1/archives/nosuch.v1", NULL, NULL),
	    404);
	assert_int_equal(call("GET", "/v1/archives/nosuch.v1/files", NULL,
	    NULL), 404);
	assert_int_equal(call("POST", "/v1/archives/" ARCHIVE "/files", NULL,
	    NULL), 405);
	assert_string_equal(resp.header_value, "GET, HEAD");
	assert_int_equal(call("GET", "/v1/archives/" ARCHIVE "/files/x", NULL,
	    NULL), 404);
}

static void
test_archives_paging_and_checks(void **state)
{
	json_t *j;

	(void)state;
	assert_int_equal(call("GET", "/v1/archives", NULL, NULL), 200);
	j = body();
	assert_int_equal(json_array_size(json_object_get(j, "archives")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(j, "archives"), 0), "name")), ARCHIVE);
	assert_true(json_is_null(json_object_get(j, "next")));
	json_decref(j);
	assert_int_equal(call("GET", "/v1/archives", "series=12-1&year=2024&"
	    "limit=1", NULL), 200);
	j = body();
	assert_int_equal(json_array_size(json_object_get(j, "archives")), 1);
	json_decref(j);
	assert_int_equal(call("GET", "/v1/archives", "year=2023", NULL), 200);
	j = body();
	assert_int_equal(json_array_size(json_object_get(j, "archives")), 0);
	json_decref(j);
	assert_int_equal(call("GET", "/v1/archives", "after=" ARCHIVE, NULL),
	    200);
	j = body();
	assert_int_equal(json_array_size(json_object_get(j, "archives")), 0);
	json_decref(j);
	assert_int_equal(call("GET", "/v1/archives", "limit=0", NULL), 400);
	assert_int_equal(call("GET", "/v1/archives", "limit=1001", NULL), 400);
	assert_int_equal(call("GET", "/v1/archives", "limit=-1", NULL), 400);
	assert_int_equal(call("GET", "/v1/archives", "limit=1x", NULL), 400);
	assert_int_equal(call("GET", "/v1/archives", "limit=", NULL), 400);
	assert_int_equal(call("GET", "/v1/archives", "year=999", NULL), 400);
	assert_int_equal(call("GET", "/v1/archives", "series=12'1", NULL),
	    400);
	assert_int_equal(call("GET", "/v1/archives", "offset=5", NULL), 400);
	assert_int_equal(call("GET", "/v1/archives", "limit=1&limit=2", NULL),
	    400);
	assert_int_equal(call("GET", "/v1/archives", "a&b&c&d&e&f&g&h&i",
	    NULL), 400);
}

/* Anonymous: the public view of the internal-use record, no file of it
 * named; a records manager's token: all of it. */
static void
test_archive_views(void **state)
{
	json_t *j;

	(void)state;
	assert_int_equal(call("GET", "/v1/archives/" ARCHIVE, NULL, NULL),
	    200);
	assert_null(strstr(resp.body, MARKER));
	assert_null(strstr(resp.body, "MARKER-CORRESPONDENT"));
	assert_null(strstr(resp.body, RESTRICTED_DIR));
	assert_non_null(strstr(resp.body, "\"12-1/8910-1\""));
	j = body();
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j,
	    "archive"), "records")), 2);
	assert_non_null(json_object_get(j, "disposition"));
	/* Catalogued, not yet audited. */
	assert_string_equal(json_string_value(json_object_get(json_object_get(j,
	    "audit"), "result")), "pending");
	/* The files are a link away, not in the answer. */
	assert_null(json_object_get(json_array_get(json_object_get(j,
	    "records"), 1), "files"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(j,
	    "links"), "files")), "/v1/archives/" ARCHIVE "/files");
	json_decref(j);
	assert_int_equal(call("GET", "/v1/archives/" ARCHIVE, NULL, bearer),
	    200);
	assert_non_null(strstr(resp.body, MARKER));
}

/* The number of files on a page; its "next" into next ("" for null). */
static size_t
files_page(const char *query, const char *auth, char *next, size_t n)
{
	json_t *j;
	size_t count;

	assert_int_equal(call("GET", "/v1/archives/" ARCHIVE "/files", query,
	    auth), 200);
	j = body();
	assert_string_equal(json_string_value(json_object_get(j, "archive")),
	    ARCHIVE);
	count = json_array_size(json_object_get(j, "files"));
	if (next != NULL) {
		const char *s = json_string_value(json_object_get(j, "next"));

		snprintf(next, n, "%s", s != NULL ? s : "");
	}
	json_decref(j);
	return count;
}

/* Anonymous: only the public record's file, nothing of the internal-use
 * record's named, however it is paged; a records manager: all three, in
 * path order, page by page. */
static void
test_files_paging_and_views(void **state)
{
	static const char *const bad[] = { "limit=0", "limit=1001", "after=",
	    "after=a\tb", "series=12-1", "limit=1&limit=2" };
	char next[1100], q[1200];
	json_t *j, *f;
	size_t i;

	(void)state;
	assert_int_equal(files_page(NULL, NULL, next, sizeof(next)), 1);
	assert_string_equal(next, "");
	assert_null(strstr(resp.body, RESTRICTED_DIR));
	assert_null(strstr(resp.body, "12-1/8910-1"));
	j = body();
	f = json_array_get(json_object_get(j, "files"), 0);
	assert_string_equal(json_string_value(json_object_get(f, "path")),
	    "data/12-1_8911-1/vastus.txt");
	assert_string_equal(json_string_value(json_object_get(f, "record")),
	    "12-1/8911-1");
	assert_non_null(json_string_value(json_object_get(f, "sha512")));
	json_decref(j);
	/* A withheld file neither counts on a page nor becomes a cursor. */
	assert_int_equal(files_page("limit=1", NULL, next, sizeof(next)), 1);
	assert_string_equal(next, "");
	assert_null(strstr(resp.body, RESTRICTED_DIR));
	assert_int_equal(files_page("after=data/12-1_8910-1", NULL, next,
	    sizeof(next)), 1);
	assert_null(strstr(resp.body, RESTRICTED_DIR));
	assert_int_equal(files_page("after=data/12-1_8911-1/vastus.txt", NULL,
	    next, sizeof(next)), 0);

	assert_int_equal(files_page(NULL, bearer, next, sizeof(next)), 3);
	assert_non_null(strstr(resp.body, RESTRICTED_DIR));
	assert_string_equal(next, "");
	assert_int_equal(files_page("limit=1", bearer, next, sizeof(next)), 1);
	assert_string_equal(next, "data/12-1_8910-1/lisad/lisa-1.txt");
	snprintf(q, sizeof(q), "limit=1&after=%s", next);
	assert_int_equal(files_page(q, bearer, next, sizeof(next)), 1);
	assert_true(strncmp(next, "data/12-1_8910-1/", 17) == 0);
	snprintf(q, sizeof(q), "limit=1&after=%s", next);
	assert_int_equal(files_page(q, bearer, next, sizeof(next)), 1);
	assert_string_equal(next, "");
	assert_non_null(strstr(resp.body, "data/12-1_8911-1/vastus.txt"));

	/* Input checks. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(call("GET", "/v1/archives/" ARCHIVE "/files",
		    bad[i], NULL), 400);
}
static void
test_lookup(void **state)
{
	char q[200], upper[65];
	size_t i;
	json_t *j, *f;

	(void)state;
	snprintf(q, sizeof(q), "sha256=%s", restricted_sha256);
	assert_int_equal(call("GET", "/v1/lookup", q, NULL), 200);
	j = body();
	assert_int_equal(json_integer_value(json_object_get(j, "found")), 1);
	f = json_array_get(json_object_get(j, "files"), 0);
	assert_string_equal(json_string_value(json_object_get(f, "archive")),
	    ARCHIVE);
	assert_true(json_is_false(json_object_get(f, "allowed")));
	assert_null(json_object_get(f, "path"));
	json_decref(j);
	assert_null(strstr(resp.body, RESTRICTED_DIR));
	assert_null(strstr(resp.body, MARKER));
	/* Upper case is the same digest. */
	for (i = 0; i < 64; i++)
		upper[i] = (char)(restricted_sha256[i] >= 'a' ?
		    restricted_sha256[i] - 'a' + 'A' : restricted_sha256[i]);
	upper[64] = '\0';
	snprintf(q, sizeof(q), "sha256=%s", upper);
	assert_int_equal(call("GET", "/v1/lookup", q, bearer), 200);
	assert_non_null(strstr(resp.body, RESTRICTED_DIR));
	assert_non_null(strstr(resp.body, "\"found\":1"));
	/* Unknown digest: found 0. */
	snprintf(q, sizeof(q), "sha256=%064d", 0);
	assert_int_equal(call("GET", "/v1/lookup", q, NULL), 200);
	assert_non_null(strstr(resp.body, "\"found\":0"));
	/* Bad digests. */
	snprintf(q, sizeof(q), "sha256=%.63s", restricted_sha256);
	assert_int_equal(call("GET", "/v1/lookup", q, NULL), 400);
	snprintf(q, sizeof(q), "sha256=%sa", restricted_sha256);
	assert_int_equal(call("GET", "/v1/lookup", q, NULL), 400);
	snprintf(q, sizeof(q), "sha256=%.63sg", restricted_sha256);
	assert_int_equal(call("GET", "/v1/lookup", q, NULL), 400);
	assert_int_equal(call("GET", "/v1/lookup", "sha512=abc", NULL), 400);
	assert_int_equal(call("GET", "/v1/lookup", NULL, NULL), 400);
	/* A record reference is not a digest here. */
	assert_int_equal(call("GET", "/v1/lookup", "sha256=12-1/8910-1", NULL),
	    400);
}

static void
test_tokens_and_verify(void **state)
{
	char bad[ARH_TOKEN_LEN + 16];
	json_t *j;

	(void)state;
	assert_int_equal(call("POST", "/v1/archives/" ARCHIVE "/verify", NULL,
	    NULL), 401);
	assert_string_equal(resp.header, "WWW-Authenticate");
	snprintf(bad, sizeof(bad), "Bearer %s", token);
	bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == '0' ? '1' : '0';
	assert_int_equal(call("POST", "/v1/archives/" ARCHIVE "/verify", NULL,
	    bad), 401);
	assert_int_equal(call("GET", "/v1/archives", NULL, bad), 401);
	assert_int_equal(call("GET", "/v1/archives", NULL, "Basic dTpw"), 401);
	assert_int_equal(call("POST", "/v1/archives/nosuch.v1/verify", NULL,
	    bearer), 404);
	assert_int_equal(call("POST", "/v1/archives/" ARCHIVE "/verify", NULL,
	    bearer), 200);
	j = body();
	assert_true(json_is_true(json_object_get(j, "ok")));
	json_decref(j);
	/* Every slot taken: 429, nothing run. */
	atomic_store(&verifying, 1);
	assert_int_equal(call("POST", "/v1/archives/" ARCHIVE "/verify", NULL,
	    bearer), 429);
	atomic_store(&verifying, 0);
}

static int
count_denials(void *arg, const char *at, const struct arh_event *ev)
{
	(void)at;
	if (strcmp(ev->kind, "denial") == 0)
		(*(int *)arg)++;
	return 0;
}

static void
test_denials_are_events(void **state)
{
	struct arh_err err;
	int before = 0, after = 0;

	(void)state;
	assert_int_equal(arh_catalog_events(home->cat, NULL, count_denials,
	    &before, &err), 0);
	assert_int_equal(call("POST", "/v1/archives/" ARCHIVE "/verify", NULL,
	    NULL), 401);
	assert_int_equal(arh_catalog_events(home->cat, NULL, count_denials,
	    &after, &err), 0);
	assert_int_equal(after, before + 1);
}

static void
test_metrics_and_counters(void **state)
{
	struct daemon d;

	(void)state;
	memset(&d, 0, sizeof(d));
	pthread_mutex_init(&d.lock, NULL);
	snprintf(d.doing, sizeof(d.doing), "idle");
	ctx.d = &d;
	assert_int_equal(call("GET", "/metrics", NULL, NULL), 200);
	assert_non_null(strstr(resp.body, "\narhiivar_archives 1\n"));
	assert_non_null(strstr(resp.body, "# TYPE arhiivar_api_requests_total "
	    "counter"));
	assert_string_equal(resp.content_type,
	    "text/plain; version=0.0.4; charset=utf-8");
	assert_int_equal(call("GET", "/v1/status", NULL, NULL), 200);
	assert_non_null(strstr(resp.body, "\"doing\":\"idle\""));
	assert_int_equal(call("POST", "/v1/archives/" ARCHIVE "/verify", NULL,
	    NULL), 401);
	assert_int_equal(atomic_load(&d.stats.api_requests), 3);
	assert_int_equal(atomic_load(&d.stats.denials), 1);
	ctx.d = NULL;
	pthread_mutex_destroy(&d.lock);
	api_response_release(&resp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_archives_paging_and_checks),
		cmocka_unit_test(test_archive_views),
		cmocka_unit_test(test_files_paging_and_views),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_tokens_and_verify),
		cmocka_unit_test(test_denials_are_events),
		cmocka_unit_test(test_metrics_and_counters),
	};

	/* libarchive needs a UTF-8 locale for the sample's names. */
	setlocale(LC_CTYPE, "C.UTF-8");
	return cmocka_run_group_tests(tests, setup, teardown);
}
