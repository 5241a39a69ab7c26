/* test_catalog.c — schema, one-transaction adds, lookups, rebuild. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arhiivar/catalog.h"

static char dir[64], db[128];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/arh-cat.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(db, sizeof(db), "%s/catalog.db", dir);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A summary as ingest or the verifier would produce it. */
static void
make_summary(struct arh_bag_summary *s, const char *name, int version,
    const char *previous)
{
	static const char *paths[] = { "bagit.txt", "data/r1/a.txt",
	    "manifest-sha512.txt" };
	size_t i;

	memset(s, 0, sizeof(*s));
	s->name = strdup(name);
	s->case_ref = strdup("12-1/2024");
	s->series = strdup("12-1");
	s->version = version;
	s->previous = previous ? strdup(previous) : NULL;
	s->manifest = json_pack("{s:[{s:s, s:{s:s, s:s, s:s, s:{s:s}}, "
	    "s:[{s:s, s:s, s:s}]}]}", "records", "dir", "r1", "metadata",
	    "reference", "12-1/1-1", "registered", "2024-01-02", "type",
	    "Kiri", "access", "level", "public", "files", "path",
	    "data/r1/a.txt", "mime", "text/plain", "charset", "us-ascii");
	s->nmembers = 3;
	s->members = calloc(3, sizeof(*s->members));
	for (i = 0; i < 3; i++) {
		s->members[i].path = strdup(paths[i]);
		s->members[i].payload = i == 1;
		s->members[i].size = 10 + i;
		memset(s->members[i].sha512, 'a' + (int)i, 128);
		memset(s->members[i].sha256, 'b' + (int)i, 64);
		s->members[i].header_offset = 512 * (int64_t)(i + 1) * 2;
		s->members[i].data_offset = s->members[i].header_offset + 512;
	}
	s->tar_size = 4096;
	memset(s->tar_sha256, 'f', 64);
	snprintf(s->seal.subject, sizeof(s->seal.subject), "CN=test");
	snprintf(s->seal.cert_sha256, sizeof(s->seal.cert_sha256), "00");
	snprintf(s->seal.signing_time, sizeof(s->seal.signing_time),
	    "2026-01-01T00:00:00Z");
}

static void
test_add_and_lookups(void **state)
{
	struct arh_catalog *c;
	struct arh_bag_summary s1, s2;
	struct arh_archive_row row;
	struct arh_file_row f;
	struct arh_event ev = { "ingest", "t (uid 0)", "12-1_2024.v1",
	    "12-1/2024", "ok", NULL };
	struct arh_err err;
	json_t *meta;

	(void)state;
	assert_int_equal(arh_catalog_open(db, 1000, &c, &err), 0);
	make_summary(&s1, "12-1_2024.v1", 1, NULL);
	make_summary(&s2, "12-1_2024.v2", 2, "12-1_2024.v1");
	assert_int_equal(arh_catalog_add(c, &s1, "12-1_2024.v1.tar", &ev,
	    &err), 0);
	assert_int_equal(arh_catalog_add(c, &s1, "x.tar", NULL, &err),
	    ARH_EEXIST);
	assert_int_equal(arh_catalog_add(c, &s2, "12-1_2024.v2.tar", NULL,
	    &err), 0);
	assert_int_equal(arh_catalog_latest(c, "12-1/2024", &row, &err), 0);
	assert_string_equal(row.name, "12-1_2024.v2");
	assert_string_equal(row.previous, "12-1_2024.v1");
	assert_int_equal(row.nrecords, 1);
	assert_int_equal(row.nfiles, 1);
	assert_int_equal(arh_catalog_get(c, "nope", &row, &err), ARH_ENOTFOUND);
	assert_int_equal(arh_catalog_file(c, "12-1_2024.v1", "data/r1/a.txt",
	    &f, &err), 0);
	assert_string_equal(f.record, "12-1/1-1");
	assert_int_equal(f.header_offset, 2048);
	assert_string_equal(f.mime, "text/plain");
	arh_file_row_release(&f);
	assert_int_equal(arh_catalog_file(c, "12-1_2024.v1", "bagit.txt", &f,
	    &err), 0);
	assert_null(f.record);
	arh_file_row_release(&f);
	assert_int_equal(arh_catalog_record(c, "12-1_2024.v1", "12-1/1-1",
	    &meta, &err), 0);
	assert_string_equal(json_string_value(json_object_get(meta, "type")),
	    "Kiri");
	json_decref(meta);
	arh_bag_summary_release(&s1);
	arh_bag_summary_release(&s2);
	arh_catalog_free(c);
}

/* A payload file missing from the manifest rolls the whole add back. */
static void
test_add_is_atomic(void **state)
{
	struct arh_catalog *c;
	struct arh_bag_summary s;
	struct arh_archive_row row;
	struct arh_err err;

	(void)state;
	assert_int_equal(arh_catalog_open(db, 1000, &c, &err), 0);
	make_summary(&s, "12-1_2024.v1", 1, NULL);
	free(s.members[1].path);
	s.members[1].path = strdup("data/r1/unknown.txt");
	assert_int_equal(arh_catalog_add(c, &s, "a.tar", NULL, &err),
	    ARH_EFORMAT);
	assert_int_equal(arh_catalog_get(c, "12-1_2024.v1", &row, &err),
	    ARH_ENOTFOUND);
	arh_bag_summary_release(&s);
	arh_catalog_free(c);
}

/* An intent to publish is committed on its own, survives a reopen (a
 * crash), and is closed by the add that catalogues its archive — and by
 * nothing else but an explicit drop. */
static void
test_intent_lifecycle(void **state)
{
	struct arh_catalog *c;
	struct arh_bag_summary s;
	struct arh_intent in, *v;
	struct arh_err err;
	size_t n;

	(void)state;
	assert_int_equal(arh_catalog_open(db, 1000, &c, &err), 0);
	assert_int_equal(arh_catalog_intents(c, &v, &n, &err), 0);
	assert_int_equal(n, 0);
	free(v);
	memset(&in, 0, sizeof(in));
	snprintf(in.tmp, sizeof(in.tmp), ".ingest-1-aa.tmp");
	snprintf(in.name, sizeof(in.name), "12-1_2024.v1.tar");
	memset(in.sha256, 'f', 64);
	in.pid = 4242;
	assert_int_equal(arh_catalog_intent_add(c, &in, &err), 0);
	/* The same temporary file cannot have two intents. */
	assert_int_not_equal(arh_catalog_intent_add(c, &in, &err), 0);
	snprintf(in.tmp, sizeof(in.tmp), ".ingest-2-bb.tmp");
	snprintf(in.name, sizeof(in.name), "other.tar");
	assert_int_equal(arh_catalog_intent_add(c, &in, &err), 0);
	arh_catalog_free(c);

	assert_int_equal(arh_catalog_open(db, 1000, &c, &err), 0);
	assert_int_equal(arh_catalog_intents(c, &v, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].tmp, ".ingest-1-aa.tmp");
	assert_string_equal(v[0].name, "12-1_2024.v1.tar");
	assert_int_equal(v[0].pid, 4242);
	assert_int_equal(strlen(v[0].sha256), 64);
	assert_int_equal(strlen(v[0].at), 20);
	free(v);
	/* Cataloguing the archive closes its intent, not the other. */
	make_summary(&s, "12-1_2024.v1", 1, NULL);
	assert_int_equal(arh_catalog_add(c, &s, "12-1_2024.v1.tar", NULL,
	    &err), 0);
	assert_int_equal(arh_catalog_intents(c, &v, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].name, "other.tar");
	free(v);
	/* A failed add leaves the intent pending. */
	assert_int_equal(arh_catalog_add(c, &s, "other.tar", NULL, &err),
	    ARH_EEXIST);
	assert_int_equal(arh_catalog_intents(c, &v, &n, &err), 0);
	assert_int_equal(n, 1);
	free(v);
	assert_int_equal(arh_catalog_intent_drop(c, ".ingest-2-bb.tmp", &err),
	    0);
	assert_int_equal(arh_catalog_intent_drop(c, ".ingest-2-bb.tmp", &err),
	    0);
	assert_int_equal(arh_catalog_intents(c, &v, &n, &err), 0);
	assert_int_equal(n, 0);
	free(v);
	arh_bag_summary_release(&s);
	arh_catalog_free(c);
}

static int
count_event(void *arg, const char *at, const struct arh_event *ev);

/* Read-only: queries work, writes fail saying so, events go to the drop
 * box as files; a writer imports them once, with the file's owner as
 * actor. */
static void
test_read_only_open_and_event_import(void **state)
{
	struct arh_catalog *c, *r;
	struct arh_bag_summary s;
	struct arh_archive_row row;
	struct arh_event ev = { "restore", "forged (uid 0)", "12-1_2024.v1",
	    "data/r1/a.txt", "ok", NULL };
	struct arh_err err;
	char spool[160], cmd[256];
	size_t n;
	int fd, count = 0;

	(void)state;
	snprintf(spool, sizeof(spool), "%s/spool", dir);
	assert_int_equal(mkdir(spool, 0770), 0);
	assert_int_equal(arh_catalog_open(db, 1000, &c, &err), 0);
	make_summary(&s, "12-1_2024.v1", 1, NULL);
	assert_int_equal(arh_catalog_add(c, &s, "12-1_2024.v1.tar", NULL,
	    &err), 0);
	arh_catalog_free(c);

	assert_int_equal(arh_catalog_open_readonly(db, 1000, spool, &r, &err),
	    0);
	assert_int_equal(arh_catalog_readonly(r), 1);
	assert_int_equal(arh_catalog_get(r, "12-1_2024.v1", &row, &err), 0);
	assert_int_equal(arh_catalog_add(r, &s, "x.tar", NULL, &err),
	    ARH_ECATALOG);
	assert_non_null(strstr(err.msg, "open read-only"));
	assert_int_equal(arh_catalog_can_record(r, &err), 0);
	assert_int_equal(arh_catalog_event(r, &ev, &err), 0);
	assert_int_equal(arh_catalog_event(r, &ev, &err), 0);
	arh_catalog_free(r);
	snprintf(cmd, sizeof(cmd), "test $(ls '%s' | grep -c '\\.event$') = 2",
	    spool);
	assert_int_equal(system(cmd), 0);

	assert_int_equal(arh_catalog_open(db, 1000, &c, &err), 0);
	fd = open(spool, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_int_equal(arh_catalog_import_events(c, fd, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(arh_catalog_import_events(c, fd, &n, &err), 0);
	assert_int_equal(n, 0);
	close(fd);
	assert_int_equal(arh_catalog_events(c, "12-1_2024.v1", count_event,
	    &count, &err), 0);
	assert_int_equal(count, 2);
	snprintf(cmd, sizeof(cmd), "test \"$(sqlite3 '%s' \"select count(*) "
	    "from events where actor like '%% (uid %ld)' and spool is not "
	    "null\")\" = 2", db, (long)geteuid());
	assert_int_equal(system(cmd), 0);
	arh_bag_summary_release(&s);
	arh_catalog_free(c);
}

static int
count_event(void *arg, const char *at, const struct arh_event *ev)
{
	(void)at;
	(void)ev;
	(*(int *)arg)++;
	return 0;
}

static void
test_rebuild_equals_original_and_keeps_events(void **state)
{
	struct arh_catalog *c;
	struct arh_bag_summary s1, s2;
	struct arh_event ev = { "verify", "t", "12-1_2024.v1", NULL, "ok",
	    NULL };
	struct arh_err err;
	char *before, *after;
	int n = 0;

	(void)state;
	assert_int_equal(arh_catalog_open(db, 1000, &c, &err), 0);
	make_summary(&s1, "12-1_2024.v1", 1, NULL);
	make_summary(&s2, "12-1_2024.v2", 2, "12-1_2024.v1");
	assert_int_equal(arh_catalog_add(c, &s1, "1.tar", NULL, &err), 0);
	assert_int_equal(arh_catalog_add(c, &s2, "2.tar", NULL, &err), 0);
	assert_int_equal(arh_catalog_event(c, &ev, &err), 0);
	assert_int_equal(arh_catalog_dump(c, &before, &err), 0);
	/* Versions arrive in any order inside a rebuild. */
	assert_int_equal(arh_catalog_clear_begin(c, &err), 0);
	assert_int_equal(arh_catalog_add(c, &s2, "2.tar", NULL, &err), 0);
	assert_int_equal(arh_catalog_add(c, &s1, "1.tar", NULL, &err), 0);
	assert_int_equal(arh_catalog_clear_end(c, 0, &err), 0);
	assert_int_equal(arh_catalog_dump(c, &after, &err), 0);
	assert_string_equal(before, after);
	assert_non_null(strstr(after, "data/r1/a.txt"));
	free(after);
	/* A failed rebuild changes nothing. */
	assert_int_equal(arh_catalog_clear_begin(c, &err), 0);
	assert_int_equal(arh_catalog_clear_end(c, ARH_EIO, &err), ARH_EIO);
	assert_int_equal(arh_catalog_dump(c, &after, &err), 0);
	assert_string_equal(before, after);
	free(before);
	free(after);
	assert_int_equal(arh_catalog_events(c, NULL, count_event, &n, &err),
	    0);
	assert_int_equal(n, 1);	/* events survive a rebuild */
	arh_bag_summary_release(&s1);
	arh_bag_summary_release(&s2);
	arh_catalog_free(c);
}

static void
test_newer_schema_is_refused(void **state)
{
	struct arh_catalog *c;
	struct arh_err err;
	char cmd[256];

	(void)state;
	assert_int_equal(arh_catalog_open(db, 1000, &c, &err), 0);
	arh_catalog_free(c);
	snprintf(cmd, sizeof(cmd), "sqlite3 '%s' 'pragma user_version = 99'",
	    db);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(arh_catalog_open(db, 1000, &c, &err), ARH_ECATALOG);
	assert_non_null(strstr(err.msg, "newer"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_and_lookups, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_intent_lifecycle, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_read_only_open_and_event_import, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_is_atomic, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_rebuild_equals_original_and_keeps_events, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_is_refused,
		    setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
