/* test_destruction.c — destruction lists, approvals, the execute transaction's
 * re-checks, tombstones and restriction extensions in the catalog. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arhiivar/catalog.h"

static const char *const BOTH[] = { "approver", "records-manager" };
static const char *const RM[] = { "records-manager" };
static const char *const AP[] = { "approver" };

struct fx {
	char	 dir[64];
	struct arh_catalog *c;
	struct arh_err err;
};

/* An archive of case file `ref`, sealed action destroy due `due`, with one
 * internal-use record 12-1/1-1 ending 2029-12-20. */
static void
add_archive(struct fx *fx, const char *name, const char *ref, int version,
    const char *previous, const char *due, char tar_fill)
{
	struct arh_bag_summary s;
	char store[300];

	memset(&s, 0, sizeof(s));
	s.name = strdup(name);
	s.case_ref = strdup(ref);
	s.series = strdup("12-1");
	s.version = version;
	s.previous = previous ? strdup(previous) : NULL;
	s.manifest = json_pack("{s:[{s:s, s:{s:s, s:s, s:s, s:{s:s, s:s, "
	    "s:s, s:s}}, s:[]}], s:{s:s, s:s}}", "records", "dir", "r1",
	    "metadata", "reference", "12-1/1-1", "registered", "2024-12-20",
	    "type", "Kiri", "access", "level", "internal", "basis",
	    "AvTS § 35 lg 1 p 1", "start", "2024-12-20", "end", "2029-12-20",
	    "files", "retention", "action", "destroy", "due", due);
	s.tar_size = 4096;
	memset(s.tar_sha256, tar_fill, 64);
	snprintf(s.seal.subject, sizeof(s.seal.subject), "CN=test");
	snprintf(s.seal.cert_sha256, sizeof(s.seal.cert_sha256), "00");
	snprintf(s.seal.signing_time, sizeof(s.seal.signing_time),
	    "2026-01-0%dT00:00:00Z", version);
	snprintf(store, sizeof(store), "%s.tar", name);
	assert_int_equal(arh_catalog_add(fx->c, &s, store, NULL, &fx->err), 0);
	arh_bag_summary_release(&s);
}

/* A list of the given archives (their digests as added). */
static long
propose(struct fx *fx, const char *const *names, const char *const *sha,
    size_t n)
{
	struct arh_disposal d;
	json_t *items = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(items, json_pack("{s:s, s:s, s:s, "
		    "s:{s:s}}", "archive", names[i], "case_file", "12-1/2024",
		    "sha256", sha[i], "tombstone", "archive", names[i]));
	memset(&d, 0, sizeof(d));
	snprintf(d.as_of, sizeof(d.as_of), "2026-06-01");
	snprintf(d.method, sizeof(d.method), "deletion");
	snprintf(d.proposed_by, sizeof(d.proposed_by), "rm (uid 1)");
	assert_int_equal(arh_catalog_disposal_add(fx->c, &d, items, &fx->err),
	    0);
	json_decref(items);
	assert_string_equal(d.status, "proposed");
	return d.id;
}

static char F64[65], E64[65];

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	char db[128];

	memset(F64, 'f', 64);
	memset(E64, 'e', 64);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/arh-disp.XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	snprintf(db, sizeof(db), "%s/catalog.db", fx->dir);
	if (arh_catalog_open(db, 1000, &fx->c, &fx->err) != 0)
		return -1;
	add_archive(fx, "12-1_2024.v1", "12-1/2024", 1, NULL, "2026-01-01",
	    'f');
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;
	char cmd[128];

	arh_catalog_free(fx->c);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	free(fx);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_approvals(void **state)
{
	struct fx *fx = *state;
	const char *names[] = { "12-1_2024.v1" }, *sha[] = { F64 };
	long id = propose(fx, names, sha, 1);
	char role[32];

	/* One person holding both roles gives the approver's first. */
	assert_int_equal(arh_catalog_disposal_approve(fx->c, id, "mari",
	    "mari (uid 2)", BOTH, 2, role, &fx->err), 0);
	assert_string_equal(role, "approver");
	/* The same person again: refused, whatever role is left. */
	assert_int_equal(arh_catalog_disposal_approve(fx->c, id, "mari",
	    "mari (uid 2)", BOTH, 2, role, &fx->err), ARH_EEXIST);
	assert_non_null(strstr(fx->err.msg, "another person"));
	/* Another approver: that role is taken. */
	assert_int_equal(arh_catalog_disposal_approve(fx->c, id, "jaan",
	    "jaan (uid 3)", AP, 1, role, &fx->err), ARH_EEXIST);
	assert_int_equal(arh_catalog_disposal_approve(fx->c, id, "rm",
	    "rm (uid 1)", RM, 1, role, &fx->err), 0);
	assert_string_equal(role, "records-manager");
	assert_int_equal(arh_catalog_disposal_approve(fx->c, 99, "x", "x",
	    RM, 1, role, &fx->err), ARH_ENOTFOUND);
}

static void
test_execute_rechecks(void **state)
{
	struct fx *fx = *state;
	const char *names[] = { "12-1_2024.v1" }, *sha[] = { F64 },
	    *bad[] = { E64 };
	struct arh_problems p;
	struct arh_hold h;
	char role[32];
	long id, id2;

	arh_problems_init(&p);
	id = propose(fx, names, sha, 1);
	/* No approvals: both missing, nothing changes. */
	assert_int_equal(arh_catalog_disposal_begin(fx->c, id, "rm", "2026-06-01",
	    &p, &fx->err), ARH_EINVAL);
	assert_int_equal(p.n, 2);
	arh_catalog_disposal_approve(fx->c, id, "rm", "rm", RM, 1, role,
	    &fx->err);
	arh_catalog_disposal_approve(fx->c, id, "ap", "ap", AP, 1, role,
	    &fx->err);
	/* Not yet due on 2025-12-31. */
	arh_problems_release(&p);
	assert_int_equal(arh_catalog_disposal_begin(fx->c, id, "rm",
	    "2025-12-31", &p, &fx->err), ARH_EINVAL);
	assert_non_null(strstr(p.items[0], "not due until 2026-01-01"));
	/* A hold on the series. */
	memset(&h, 0, sizeof(h));
	snprintf(h.kind, sizeof(h.kind), "series");
	snprintf(h.target, sizeof(h.target), "12-1");
	snprintf(h.reason, sizeof(h.reason), "court");
	snprintf(h.authority, sizeof(h.authority), "court");
	snprintf(h.placed_by, sizeof(h.placed_by), "rm");
	assert_int_equal(arh_catalog_hold_add(fx->c, &h, &fx->err), 0);
	arh_problems_release(&p);
	assert_int_equal(arh_catalog_disposal_begin(fx->c, id, "rm",
	    "2026-06-01", &p, &fx->err), ARH_EINVAL);
	assert_non_null(strstr(p.items[0], "held by hold"));
	assert_int_equal(arh_catalog_hold_release(fx->c, h.id, "done", "rm",
	    &fx->err), 0);
	/* A list whose frozen digest no longer matches. */
	id2 = propose(fx, names, bad, 1);
	arh_catalog_disposal_approve(fx->c, id2, "rm", "rm", RM, 1, role,
	    &fx->err);
	arh_catalog_disposal_approve(fx->c, id2, "ap", "ap", AP, 1, role,
	    &fx->err);
	arh_problems_release(&p);
	assert_int_equal(arh_catalog_disposal_begin(fx->c, id2, "rm",
	    "2026-06-01", &p, &fx->err), ARH_EINVAL);
	assert_non_null(strstr(p.items[0], "digest changed"));
	/* A second version, not on the list. */
	add_archive(fx, "12-1_2024.v2", "12-1/2024", 2, "12-1_2024.v1",
	    "2026-01-01", 'd');
	arh_problems_release(&p);
	assert_int_equal(arh_catalog_disposal_begin(fx->c, id, "rm",
	    "2026-06-01", &p, &fx->err), ARH_EINVAL);
	assert_non_null(strstr(p.items[0], "leaves out (12-1_2024.v2)"));
	arh_problems_release(&p);
}

static void
test_execute_and_tombstones(void **state)
{
	struct fx *fx = *state;
	const char *names[] = { "12-1_2024.v1", "12-1_2024.v2" },
	    *sha[] = { F64, NULL };
	struct arh_archive_row row;
	struct arh_disposal d;
	struct arh_problems p;
	char role[32], tsha[65], tname[256], d64[65];
	json_t *t;
	long id, list;

	memset(d64, 'd', 64);
	d64[64] = '\0';
	sha[1] = d64;
	add_archive(fx, "12-1_2024.v2", "12-1/2024", 2, "12-1_2024.v1",
	    "2026-01-01", 'd');
	arh_problems_init(&p);
	id = propose(fx, names, sha, 2);
	arh_catalog_disposal_approve(fx->c, id, "rm", "rm", RM, 1, role,
	    &fx->err);
	arh_catalog_disposal_approve(fx->c, id, "ap", "ap", AP, 1, role,
	    &fx->err);
	assert_int_equal(arh_catalog_disposal_begin(fx->c, id, "rm",
	    "2026-06-01", &p, &fx->err), 0);
	assert_int_equal(p.n, 0);
	/* Both versions gone from the catalog (v2 names v1 as previous). */
	assert_int_equal(arh_catalog_get(fx->c, "12-1_2024.v1", &row,
	    &fx->err), ARH_ENOTFOUND);
	assert_int_equal(arh_catalog_get(fx->c, "12-1_2024.v2", &row,
	    &fx->err), ARH_ENOTFOUND);
	assert_int_equal(arh_catalog_tombstone(fx->c, "12-1_2024.v1", tsha,
	    &t, &fx->err), 0);
	assert_string_equal(tsha, F64);
	assert_string_equal(json_string_value(json_object_get(t, "archive")),
	    "12-1_2024.v1");
	json_decref(t);
	assert_int_equal(arh_catalog_tombstone_case(fx->c, "12-1/2024", tname,
	    sizeof(tname), &list, &fx->err), 0);
	assert_int_equal(list, id);
	/* Executing again is not possible; finishing closes the list. */
	assert_int_equal(arh_catalog_disposal_begin(fx->c, id, "rm",
	    "2026-06-01", &p, &fx->err), ARH_EUSAGE);
	assert_int_equal(arh_catalog_disposal_finish(fx->c, id, "akt_2026-1.v1",
	    "rm", &fx->err), 0);
	assert_int_equal(arh_catalog_disposal_get(fx->c, id, &d, NULL, NULL,
	    &fx->err), 0);
	assert_string_equal(d.status, "executed");
	assert_string_equal(d.act, "akt_2026-1.v1");
	assert_int_equal(arh_catalog_disposal_finish(fx->c, id, "x", "rm",
	    &fx->err), ARH_EUSAGE);
	arh_problems_release(&p);
}

static void
test_extension(void **state)
{
	struct fx *fx = *state;
	json_t *meta;
	char at[32], by[300], reason[512];

	assert_int_equal(arh_catalog_extended(fx->c, "12-1/1-1", NULL, NULL,
	    NULL, &fx->err), 0);
	assert_int_equal(arh_catalog_extension_add(fx->c, "12-1/1-1",
	    "2029-12-20", "2034-12-20", "ongoing", "rm", &fx->err), 0);
	assert_int_equal(arh_catalog_extension_add(fx->c, "12-1/1-1",
	    "2034-12-20", "2034-12-21", "again", "rm", &fx->err), ARH_EEXIST);
	assert_int_equal(arh_catalog_extended(fx->c, "12-1/1-1", at, by,
	    reason, &fx->err), 1);
	assert_string_equal(reason, "ongoing");
	assert_int_equal(arh_catalog_record(fx->c, "12-1_2024.v1", "12-1/1-1",
	    &meta, &fx->err), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    meta, "access"), "end")), "2034-12-20");
	json_decref(meta);
	/* An archive added later (a new version, a rebuild) gets it too. */
	add_archive(fx, "12-1_2024.v2", "12-1/2024", 2, "12-1_2024.v1",
	    "2026-01-01", 'd');
	assert_int_equal(arh_catalog_record(fx->c, "12-1_2024.v2", "12-1/1-1",
	    &meta, &fx->err), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    meta, "access"), "end")), "2034-12-20");
	json_decref(meta);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_approvals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_execute_rechecks, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_execute_and_tombstones,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_extension, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
