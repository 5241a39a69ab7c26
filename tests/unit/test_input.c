/* test_input.c — case.json / record.json parsing, name rules, the loader. */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "arhiivar/input.h"
#include "util.h"

#define TODAY	"2026-11-28"

static const char case_json[] =
    "{\"reference\": \"12-1/2024\", \"title\": \"Kirjavahetus 2024\",\n"
    " \"function\": {\"code\": \"12\", \"title\": \"Rahvusvaheline "
    "justiitskoostöö\"},\n"
    " \"series\": {\"code\": \"12-1\", \"title\": \"Kirjavahetus\"},\n"
    " \"year\": 2024, \"opened\": \"2024-01-05\", \"closed\": "
    "\"2024-12-31\",\n"
    " \"organisation\": \"Justiitsministeerium\", \"retention\": \"10 a\",\n"
    " \"extra\": {\"anything\": [1, 2]}}\n";

/* ---------------------------------------------------------------------
 * Helpers
 */

static char *
record_json(const char *ref, const char *registered, const char *more)
{
	char *s;

	assert_true(asprintf(&s, "{\"reference\": \"%s\", \"registered\": "
	    "\"%s\", \"type\": \"Sissetulev kiri\", \"function\": \"12\", "
	    "\"series\": \"12-1\", \"case_file\": \"12-1/2024\", \"access\": "
	    "{\"level\": \"public\"}%s}", ref, registered, more) > 0);
	return s;
}

static void
put_file(const char *root, const char *rel, const char *content)
{
	char p[8192];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(arh_write_all(fd, content, strlen(content)), 0);
	close(fd);
}

static void
put_dir(const char *root, const char *rel)
{
	char p[8192];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void
put_record(const char *root, const char *dir, const char *ref,
    const char *more)
{
	char rel[1024], *js = record_json(ref, "2024-12-19", more);

	put_dir(root, dir);
	snprintf(rel, sizeof(rel), "%s/record.json", dir);
	put_file(root, rel, js);
	free(js);
}

/* A valid case: case.json and record r1 with one content file. */
static void
good_case(const char *root)
{
	put_file(root, "case.json", case_json);
	put_record(root, "r1", "12-1/8909-1", "");
	put_file(root, "r1/kiri.txt", "Dear Sir/Madam\n");
}

/* rm -r by fds: test_load_path_too_long makes paths over PATH_MAX. */
static void
rm_tree(int dfd, const char *name)
{
	struct dirent *de;
	DIR *d;
	int fd;

	if (unlinkat(dfd, name, 0) == 0 || errno != EISDIR)
		return;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			rm_tree(dirfd(d), de->d_name);
	closedir(d);
	unlinkat(dfd, name, AT_REMOVEDIR);
}

static int
setup(void **state)
{
	char *root = strdup("/tmp/arh-test-input-XXXXXX");

	if (root == NULL || mkdtemp(root) == NULL)
		return -1;
	*state = root;
	return 0;
}

static int
teardown(void **state)
{
	char *root = *state;

	rm_tree(AT_FDCWD, root);
	free(root);
	return 0;
}

static int
has(const struct arh_problems *p, const char *want)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->items[i], want) == 0)
			return 1;
	return 0;
}

static void
expect_problem(const struct arh_problems *p, const char *want)
{
	size_t i;

	if (has(p, want))
		return;
	print_error("wanted problem: %s\ngot %zu:\n", want, p->n);
	for (i = 0; i < p->n; i++)
		print_error("  %s\n", p->items[i]);
	fail();
}

/* Load root, expect ARH_EINVAL with the problem want among those given. */
static void
expect_load_problem(const char *root, const char *want)
{
	struct arh_problems probs;
	struct arh_case *c = (struct arh_case *)1;
	struct arh_err err;

	arh_problems_init(&probs);
	assert_int_equal(arh_case_load(root, TODAY, &c, &probs, &err),
	    ARH_EINVAL);
	assert_null(c);
	expect_problem(&probs, want);
	arh_problems_release(&probs);
}

static struct arh_case *
load_ok(const char *root)
{
	struct arh_problems probs;
	struct arh_case *c = NULL;
	struct arh_err err;
	size_t i;
	int r;

	arh_problems_init(&probs);
	r = arh_case_load(root, TODAY, &c, &probs, &err);
	for (i = 0; i < probs.n; i++)
		print_error("problem: %s\n", probs.items[i]);
	assert_int_equal(r, 0);
	assert_int_equal(probs.n, 0);
	arh_problems_release(&probs);
	return c;
}

/* ---------------------------------------------------------------------
 * Dates, references, names
 */

static void
test_date_valid(void **state)
{
	(void)state;
	assert_true(arh_date_valid("2024-02-29"));
	assert_true(arh_date_valid("2000-02-29"));
	assert_true(arh_date_valid("2024-12-31"));
	assert_true(arh_date_valid("0001-01-01"));
	assert_false(arh_date_valid("2023-02-29"));
	assert_false(arh_date_valid("1900-02-29"));
	assert_false(arh_date_valid("2024-04-31"));
	assert_false(arh_date_valid("2024-13-01"));
	assert_false(arh_date_valid("2024-00-10"));
	assert_false(arh_date_valid("2024-01-00"));
	assert_false(arh_date_valid("0000-01-01"));
	assert_false(arh_date_valid("2024-1-01"));
	assert_false(arh_date_valid("2024-01-011"));
	assert_false(arh_date_valid("2024/01/01"));
	assert_false(arh_date_valid("20a4-01-01"));
	assert_false(arh_date_valid(""));
	assert_false(arh_date_valid(NULL));
}

static void
test_reference_valid(void **state)
{
	(void)state;
	assert_true(arh_reference_valid("12-1/2024"));
	assert_true(arh_reference_valid("12-1/8909-1"));
	assert_true(arh_reference_valid("A.b-1/2"));
	assert_true(arh_reference_valid("1234567890123456789012345678901234"
	    "567890123456789012345678901234"));	/* 64 */
	assert_false(arh_reference_valid("1234567890123456789012345678901234"
	    "5678901234567890123456789012345"));	/* 65 */
	assert_false(arh_reference_valid(""));
	assert_false(arh_reference_valid(NULL));
	assert_false(arh_reference_valid("/12"));
	assert_false(arh_reference_valid(".12"));
	assert_false(arh_reference_valid("-12"));
	assert_false(arh_reference_valid("12//1"));
	assert_false(arh_reference_valid("12/../1"));
	assert_false(arh_reference_valid("12 1"));
	assert_false(arh_reference_valid("12_1"));
	assert_false(arh_reference_valid("12-1/ä"));
}

static void
test_name_nfc(void **state)
{
	const char *why = NULL;
	char *nfc = NULL;

	(void)state;
	/* "Cafe" + U+0301 COMBINING ACUTE → "Café" */
	assert_int_equal(arh_name_check("Cafe\xcc\x81.txt", &nfc, &why), 0);
	assert_string_equal(nfc, "Caf\xc3\xa9.txt");
	free(nfc);
	assert_int_equal(arh_name_check("plain.pdf", &nfc, &why), 0);
	assert_string_equal(nfc, "plain.pdf");
	free(nfc);
}

static void
expect_name_refused(const char *name, const char *why_want)
{
	const char *why = NULL;
	char *nfc = (char *)1;

	assert_int_equal(arh_name_check(name, &nfc, &why), ARH_EINVAL);
	assert_null(nfc);
	assert_string_equal(why, why_want);
}

static void
test_name_refused(void **state)
{
	char longname[300];

	(void)state;
	expect_name_refused("bad\xff.txt", "name is not valid UTF-8; rename it");
	expect_name_refused("a\xc3", "name is not valid UTF-8; rename it");
	expect_name_refused("line\nbreak",
	    "name contains a control character; rename it");
	expect_name_refused("del\x7f", "name contains a control character; "
	    "rename it");
	expect_name_refused("c1\xc2\x85", "name contains a control character; "
	    "rename it");
	expect_name_refused("report\xe2\x80\xae" "fdp.exe", "name contains an "
	    "invisible or bidirectional format character, which can disguise "
	    "it; rename it");
	expect_name_refused("\xef\xbb\xbf" "bom.txt", "name contains an "
	    "invisible or bidirectional format character, which can disguise "
	    "it; rename it");
	expect_name_refused("zero\xe2\x80\x8bwidth", "name contains an "
	    "invisible or bidirectional format character, which can disguise "
	    "it; rename it");
	expect_name_refused("iso\xe2\x81\xa6late", "name contains an "
	    "invisible or bidirectional format character, which can disguise "
	    "it; rename it");
	expect_name_refused("a\\b", "name contains '\\', which breaks checksum "
	    "manifests; rename it");
	expect_name_refused("100%", "name contains '%', which BagIt manifests "
	    "would have to escape; rename it");
	expect_name_refused(".", "name is empty, '.' or '..'; rename it");
	expect_name_refused("..", "name is empty, '.' or '..'; rename it");
	expect_name_refused("", "name is empty, '.' or '..'; rename it");
	memset(longname, 'x', 256);
	longname[256] = '\0';
	expect_name_refused(longname, "name is longer than 255 bytes; "
	    "rename it");
	longname[255] = '\0';
	{
		const char *why;
		char *nfc;

		assert_int_equal(arh_name_check(longname, &nfc, &why), 0);
		free(nfc);
	}
}

/* ---------------------------------------------------------------------
 * case.json
 */

static struct arh_problems
case_probs(const char *js, int want)
{
	struct arh_problems probs;
	struct arh_case *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	arh_problems_init(&probs);
	assert_int_equal(arh_case_parse_meta(c, "case.json", js, strlen(js),
	    TODAY, &probs), want);
	arh_case_free(c);
	return probs;
}

/* case.json with one key replaced by `repl` (a whole "key": value, or ""). */
static char *
case_with(const char *key, const char *repl)
{
	json_t *o = json_loads(case_json, 0, NULL), *r;
	json_error_t je;
	char *s, *t;

	assert_non_null(o);
	json_object_del(o, key);
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (repl[0] == '\0')
		return s;
	/* Insert after the opening brace. */
	assert_true(asprintf(&t, "{%s,%s", repl, s + 1) > 0);
	free(s);
	r = json_loads(t, JSON_REJECT_DUPLICATES, &je);
	assert_non_null(r);
	json_decref(r);
	return t;
}

static void
expect_case_problem(const char *key, const char *repl, const char *want)
{
	char *js = case_with(key, repl);
	struct arh_problems probs = case_probs(js, ARH_EINVAL);

	expect_problem(&probs, want);
	arh_problems_release(&probs);
	free(js);
}

static void
test_case_meta_ok(void **state)
{
	struct arh_problems probs;
	struct arh_case *c = calloc(1, sizeof(*c));

	(void)state;
	arh_problems_init(&probs);
	assert_int_equal(arh_case_parse_meta(c, "case.json", case_json,
	    strlen(case_json), TODAY, &probs), 0);
	assert_int_equal(probs.n, 0);
	assert_string_equal(c->reference, "12-1/2024");
	assert_string_equal(c->function_code, "12");
	assert_string_equal(c->function_title, "Rahvusvaheline justiitskoostöö");
	assert_string_equal(c->series_code, "12-1");
	assert_string_equal(c->series_title, "Kirjavahetus");
	assert_string_equal(c->organisation, "Justiitsministeerium");
	assert_string_equal(c->title, "Kirjavahetus 2024");
	assert_string_equal(c->retention, "10 a");
	assert_int_equal(c->year, 2024);
	assert_string_equal(c->opened, "2024-01-05");
	assert_string_equal(c->closed, "2024-12-31");
	assert_non_null(json_object_get(json_object_get(c->meta, "extra"),
	    "anything"));
	arh_case_free(c);
}

static void
test_case_meta_problems(void **state)
{
	(void)state;
	expect_case_problem("closed", "", "case.json: the case file is still "
	    "open (no 'closed' date); archive it after it is closed");
	expect_case_problem("closed", "\"closed\": \"2099-12-31\"",
	    "case.json: the case file is not closed yet (closed 2099-12-31 is "
	    "after today 2026-11-28)");
	expect_case_problem("closed", "\"closed\": \"2023-12-31\"",
	    "case.json: 'closed' 2023-12-31 is before 'opened' 2024-01-05");
	expect_case_problem("closed", "\"closed\": \"2024-02-30\"",
	    "case.json: 'closed' is not a date YYYY-MM-DD: '2024-02-30'");
	expect_case_problem("reference", "", "case.json: missing 'reference'");
	expect_case_problem("reference", "\"reference\": \"12//1\"",
	    "case.json: 'reference' is not a valid reference: '12//1' "
	    "(letters, digits, '.', '-' and '/', at most 64)");
	expect_case_problem("reference", "\"reference\": 12",
	    "case.json: 'reference' must be a string");
	expect_case_problem("function", "", "case.json: missing 'function'");
	expect_case_problem("function", "\"function\": \"12\"",
	    "case.json: 'function' must be an object {\"code\": ..., "
	    "\"title\": ...}");
	expect_case_problem("function", "\"function\": {\"code\": \"12\", "
	    "\"title\": \"\"}", "case.json: 'function.title' must not be empty");
	expect_case_problem("series", "\"series\": {\"title\": \"x\"}",
	    "case.json: missing 'series.code'");
	expect_case_problem("series", "\"series\": {\"code\": \"1\", \"title\": "
	    "\"x\", \"y\": 1}", "case.json: unknown key 'series.y'");
	expect_case_problem("year", "\"year\": 2023", "case.json: 'year' 2023 "
	    "is not the year of 'opened' 2024-01-05");
	expect_case_problem("year", "\"year\": \"2024\"",
	    "case.json: 'year' must be an integer");
	expect_case_problem("year", "\"year\": 1800",
	    "case.json: 'year' must be between 1900 and 9999, not 1800");
	expect_case_problem("opened", "", "case.json: missing 'opened'");
	expect_case_problem("organisation", "\"organisation\": \"\"",
	    "case.json: 'organisation' must not be empty");
	expect_case_problem("extra", "\"extra\": []",
	    "case.json: 'extra' must be an object");
	expect_case_problem("retention", "\"retention\": 10",
	    "case.json: 'retention' must be a string");
	expect_case_problem("x", "\"x\": 1", "case.json: unknown key 'x' (put "
	    "organisation-specific fields under \"extra\")");
}

static void
test_case_meta_all_at_once(void **state)
{
	const char *js = "{\"x\": 1, \"year\": 1}";
	struct arh_problems probs = case_probs(js, ARH_EINVAL);

	(void)state;
	/* unknown key, reference, function, series, opened, closed, year
	 * (organisation may come from arhiivar.conf instead) */
	assert_int_equal(probs.n, 7);
	arh_problems_release(&probs);
}

static void
test_case_meta_syntax(void **state)
{
	struct arh_problems probs;

	(void)state;
	probs = case_probs("{\"reference\": \"a\",\n \"reference\": \"b\"}",
	    ARH_EINVAL);
	assert_int_equal(probs.n, 1);
	assert_string_equal(probs.items[0], "case.json:2:12: duplicate object "
	    "key near '\"reference\"'");
	arh_problems_release(&probs);
	probs = case_probs("[1]", ARH_EINVAL);
	expect_problem(&probs, "case.json: must be a JSON object ({...})");
	arh_problems_release(&probs);
	probs = case_probs("{\"a\": 1} x", ARH_EINVAL);
	assert_int_equal(probs.n, 1);
	assert_true(strncmp(probs.items[0], "case.json:1:", 12) == 0);
	arh_problems_release(&probs);
}

static void
test_case_meta_bad_today(void **state)
{
	struct arh_problems probs;
	struct arh_case c;

	(void)state;
	memset(&c, 0, sizeof(c));
	arh_problems_init(&probs);
	assert_int_equal(arh_case_parse_meta(&c, "case.json", case_json,
	    strlen(case_json), "28.11.2026", &probs), ARH_EUSAGE);
	assert_null(c.meta);
	arh_problems_release(&probs);
}

/* ---------------------------------------------------------------------
 * record.json
 */

static int
record_parse(const char *js, struct arh_record *r, struct arh_problems *p)
{
	memset(r, 0, sizeof(*r));
	arh_problems_init(p);
	return arh_record_parse_meta(r, "r1/record.json", js, strlen(js), p);
}

static void
expect_record_problem(const char *more_or_json, int whole, const char *want)
{
	struct arh_problems probs;
	struct arh_record r;
	char *js = whole ? strdup(more_or_json) :
	    record_json("12-1/8909-1", "2024-12-19", more_or_json);

	assert_int_equal(record_parse(js, &r, &probs), ARH_EINVAL);
	expect_problem(&probs, want);
	arh_record_release(&r);
	arh_problems_release(&probs);
	free(js);
}

static void
test_record_meta_ok(void **state)
{
	struct arh_problems probs;
	struct arh_record r;
	char *js = record_json("12-1/8909-1", "2024-12-19", ", \"title\": "
	    "\"Taotlus\", \"correspondent\": \"Migration Legin\", "
	    "\"external_network\": true, \"register\": {\"lines\": []}, "
	    "\"extra\": {\"k\": 1}");

	(void)state;
	assert_int_equal(record_parse(js, &r, &probs), 0);
	assert_string_equal(r.reference, "12-1/8909-1");
	assert_string_equal(r.registered, "2024-12-19");
	assert_string_equal(r.type, "Sissetulev kiri");
	assert_string_equal(r.title, "Taotlus");
	assert_int_equal(r.access.internal, 0);
	assert_null(r.access.basis);
	assert_true(json_is_true(json_object_get(r.meta, "external_network")));
	arh_record_release(&r);
	assert_null(r.reference);
	arh_problems_release(&probs);
	free(js);
}

static void
test_record_meta_internal(void **state)
{
	struct arh_problems probs;
	struct arh_record r;
	const char *js = "{\"reference\": \"12-1/1\", \"registered\": "
	    "\"2024-03-01\", \"type\": \"Kiri\", \"function\": \"12\", "
	    "\"series\": \"12-1\", \"case_file\": \"12-1/2024\", \"access\": "
	    "{\"level\": \"internal\", \"basis\": \"AvTS § 35 lg 1 p 12\", "
	    "\"start\": \"2024-03-01\", \"end\": \"2029-03-01\"}}";

	(void)state;
	assert_int_equal(record_parse(js, &r, &probs), 0);
	assert_int_equal(r.access.internal, 1);
	assert_string_equal(r.access.basis, "AvTS § 35 lg 1 p 12");
	assert_string_equal(r.access.start, "2024-03-01");
	assert_string_equal(r.access.end, "2029-03-01");
	arh_record_release(&r);
	arh_problems_release(&probs);
}

static void
test_record_meta_problems(void **state)
{
	(void)state;
	expect_record_problem(", \"access\": {\"level\": \"internal\"}", 0,
	    "r1/record.json:1:185: duplicate object key near '\"access\"'");
	expect_record_problem("{\"reference\": \"12-1/1\", \"registered\": "
	    "\"2024-03-01\", \"type\": \"Kiri\", \"function\": \"12\", "
	    "\"series\": \"12-1\", \"case_file\": \"12-1/2024\", \"access\": "
	    "{\"level\": \"internal\", \"start\": \"2024-03-01\", "
	    "\"end\": \"2023-03-01\"}}", 1,
	    "r1/record.json: 'access.start' 2024-03-01 is after 'access.end' "
	    "2023-03-01");
	expect_record_problem("{\"reference\": \"12-1/1\", \"registered\": "
	    "\"2024-03-01\", \"type\": \"Kiri\", \"function\": \"12\", "
	    "\"series\": \"12-1\", \"case_file\": \"12-1/2024\", \"access\": "
	    "{\"level\": \"internal\", \"start\": \"2024-03-01\", "
	    "\"end\": \"2023-03-01\"}}", 1,
	    "r1/record.json: missing 'access.basis'");
	expect_record_problem("{\"reference\": \"12-1/1\", \"registered\": "
	    "\"2024-03-01\", \"type\": \"Kiri\", \"function\": \"12\", "
	    "\"series\": \"12-1\", \"case_file\": \"12-1/2024\", \"access\": "
	    "{\"level\": \"public\", \"basis\": \"x\"}}", 1,
	    "r1/record.json: unknown key 'access.basis' (a public record has no "
	    "restriction details)");
	expect_record_problem("{\"reference\": \"12-1/1\", \"registered\": "
	    "\"2024-03-01\", \"type\": \"Kiri\", \"function\": \"12\", "
	    "\"series\": \"12-1\", \"case_file\": \"12-1/2024\", \"access\": "
	    "{\"level\": \"secret\"}}", 1,
	    "r1/record.json: 'access.level' must be \"public\" or \"internal\", "
	    "not 'secret'");
	expect_record_problem("{\"reference\": \"12-1/1\", \"registered\": "
	    "\"2024-03-01\", \"type\": \"Kiri\", \"function\": \"12\", "
	    "\"series\": \"12-1\", \"case_file\": \"12-1/2024\"}", 1,
	    "r1/record.json: missing 'access' (the access restriction)");
	expect_record_problem("{}", 1, "r1/record.json: missing 'case_file'");
	expect_record_problem("{}", 1, "r1/record.json: missing 'type'");
	expect_record_problem(", \"external_network\": 1", 0,
	    "r1/record.json: 'external_network' must be true or false");
	expect_record_problem(", \"register\": []", 0,
	    "r1/record.json: 'register' must be an object");
	expect_record_problem(", \"responsible\": null", 0,
	    "r1/record.json: 'responsible' must be a string");
	expect_record_problem(", \"colour\": \"red\"", 0,
	    "r1/record.json: unknown key 'colour' (put organisation-specific "
	    "fields under \"extra\")");
	expect_record_problem(", \"\\u001b[31m\": 1", 0,
	    "r1/record.json: unknown key '\\x1b[31m' (put "
	    "organisation-specific fields under \"extra\")");
	{
		char *js = record_json("12-1/8909-1", "2024-02-30", "");

		expect_record_problem(js, 1, "r1/record.json: 'registered' is "
		    "not a date YYYY-MM-DD: '2024-02-30'");
		free(js);
	}
}

/* ---------------------------------------------------------------------
 * The loader
 */

static void
test_load_good(void **state)
{
	const char *root = *state;
	struct arh_case *c;
	const char *want[][2] = {
		{ "A-rec/A.txt", "data/A-rec/A.txt" },
		{ "A-rec/Cafe\xcc\x81.txt", "data/A-rec/Caf\xc3\xa9.txt" },
		{ "A-rec/sub/record.json", "data/A-rec/sub/record.json" },
		{ "A-rec/sub/x.txt", "data/A-rec/sub/x.txt" },
		{ "A-rec/z.txt", "data/A-rec/z.txt" },
		{ "A\xcc\x88-rec/only.txt", "data/\xc3\x84-rec/only.txt" },
	};
	size_t i;

	put_file(root, "case.json", case_json);
	put_record(root, "A\xcc\x88-rec", "12-1/2", "");	/* NFD "Ä" */
	put_file(root, "A\xcc\x88-rec/only.txt", "1234567");
	put_record(root, "A-rec", "12-1/1", "");
	put_file(root, "A-rec/z.txt", "z");
	put_file(root, "A-rec/A.txt", "AA");
	put_file(root, "A-rec/Cafe\xcc\x81.txt", "cafe");
	put_dir(root, "A-rec/sub");
	put_file(root, "A-rec/sub/x.txt", "xxx");
	put_file(root, "A-rec/sub/record.json", "not metadata");

	c = load_ok(root);
	assert_string_equal(c->reference, "12-1/2024");
	assert_int_equal(c->nrecords, 2);
	assert_string_equal(c->records[0].dir, "A-rec");
	assert_string_equal(c->records[0].reference, "12-1/1");
	assert_string_equal(c->records[1].dir, "\xc3\x84-rec");
	assert_string_equal(c->records[1].disk_dir, "A\xcc\x88-rec");
	assert_int_equal(c->nfiles, 6);
	for (i = 0; i < c->nfiles; i++) {
		assert_string_equal(c->files[i].disk_path, want[i][0]);
		assert_string_equal(c->files[i].bag_path, want[i][1]);
		assert_int_equal(c->files[i].mtime,
		    arh_date_epoch("2024-12-19"));
		assert_int_equal(c->files[i].record, i < 5 ? 0 : 1);
	}
	assert_int_equal(c->files[0].size, 2);
	assert_int_equal(c->files[2].size, 12);
	assert_int_equal(c->files[5].size, 7);
	assert_int_equal(c->payload_bytes, 2 + 4 + 12 + 3 + 1 + 7);
	arh_case_free(c);
}

static void
test_load_record_without_content(void **state)
{
	const char *root = *state;
	struct arh_case *c;

	put_file(root, "case.json", case_json);
	put_record(root, "r1", "12-1/1", "");
	c = load_ok(root);
	assert_int_equal(c->nrecords, 1);
	assert_int_equal(c->nfiles, 0);
	assert_int_equal(c->payload_bytes, 0);
	arh_case_free(c);
}

static void
test_load_top_symlink_ok(void **state)
{
	const char *root = *state;
	char inner[1024], link[1024];
	struct arh_case *c;

	snprintf(inner, sizeof(inner), "%s/case", root);
	snprintf(link, sizeof(link), "%s/link", root);
	assert_int_equal(mkdir(inner, 0755), 0);
	good_case(inner);
	assert_int_equal(symlink("case", link), 0);
	c = load_ok(link);
	assert_int_equal(c->nfiles, 1);
	arh_case_free(c);
}

static void
test_load_not_found(void **state)
{
	struct arh_problems probs;
	struct arh_case *c = (struct arh_case *)1;
	struct arh_err err;
	char p[1024];

	snprintf(p, sizeof(p), "%s/nope", (const char *)*state);
	arh_problems_init(&probs);
	assert_int_equal(arh_case_load(p, TODAY, &c, &probs, &err),
	    ARH_ENOTFOUND);
	assert_null(c);
	assert_int_equal(probs.n, 0);
	assert_true(strncmp(err.msg, "cannot open case directory '", 28) == 0);
	assert_non_null(strstr(err.msg, "No such file or directory"));
	assert_int_equal(arh_case_load(p, "today", &c, &probs, &err),
	    ARH_EUSAGE);
	arh_problems_release(&probs);
}

static void
test_load_symlink(void **state)
{
	const char *root = *state;
	char p[1024];

	good_case(root);
	snprintf(p, sizeof(p), "%s/r1/link.txt", root);
	assert_int_equal(symlink("kiri.txt", p), 0);
	expect_load_problem(root, "r1/link.txt: is a symbolic link; replace it "
	    "with the file it points to");
}

static void
test_load_symlinked_record(void **state)
{
	const char *root = *state;
	char p[1024];

	good_case(root);
	snprintf(p, sizeof(p), "%s/r2", root);
	assert_int_equal(symlink("r1", p), 0);
	expect_load_problem(root, "r2: is a symbolic link; replace it with the "
	    "file it points to");
}

static void
test_load_fifo(void **state)
{
	const char *root = *state;
	char p[1024];

	good_case(root);
	snprintf(p, sizeof(p), "%s/r1/pipe", root);
	assert_int_equal(mkfifo(p, 0644), 0);
	expect_load_problem(root, "r1/pipe: is a FIFO; only regular files and "
	    "directories can be archived");
}

static void
test_load_stray_top_file(void **state)
{
	const char *root = *state;

	good_case(root);
	put_file(root, "notes.txt", "x");
	expect_load_problem(root, "notes.txt: unexpected file at the top of "
	    "the case directory; records go in sub-directories");
}

static void
test_load_missing_record_json(void **state)
{
	const char *root = *state;

	good_case(root);
	put_dir(root, "r2");
	put_file(root, "r2/a.txt", "a");
	expect_load_problem(root, "r2: missing record.json");
}

static void
test_load_missing_case_json(void **state)
{
	const char *root = *state;

	put_record(root, "r1", "12-1/1", "");
	expect_load_problem(root, "case.json: missing (the case file's "
	    "metadata)");
}

static void
test_load_empty_dir(void **state)
{
	const char *root = *state;

	good_case(root);
	put_dir(root, "r1/empty");
	expect_load_problem(root, "r1/empty: empty directory; remove it or put "
	    "the file in it (BagIt cannot hold empty directories)");
}

static void
test_load_nfc_twins(void **state)
{
	const char *root = *state;

	good_case(root);
	put_file(root, "r1/Caf\xc3\xa9.txt", "a");
	put_file(root, "r1/Cafe\xcc\x81.txt", "b");
	/* Equal NFC names are ordered by their bytes on disk. */
	expect_load_problem(root, "r1: 'Cafe\xcc\x81.txt' and 'Caf\xc3\xa9.txt' "
	    "differ only by Unicode normalisation; rename one");
}

static void
test_load_bad_names(void **state)
{
	const char *root = *state;

	good_case(root);
	put_file(root, "r1/bad\xff.txt", "a");
	put_file(root, "r1/a\\b.txt", "a");
	put_file(root, "r1/50%.txt", "a");
	put_file(root, "r1/esc\x1b[2J.txt", "a");
	put_file(root, "r1/rlo\xe2\x80\xae" "fdp.exe", "a");
	expect_load_problem(root, "r1/bad\\xff.txt: name is not valid UTF-8; "
	    "rename it");
	expect_load_problem(root, "r1/a\\b.txt: name contains '\\', which "
	    "breaks checksum manifests; rename it");
	expect_load_problem(root, "r1/50%.txt: name contains '%', which BagIt "
	    "manifests would have to escape; rename it");
	expect_load_problem(root, "r1/esc\\x1b[2J.txt: name contains a control "
	    "character; rename it");
	expect_load_problem(root, "r1/rlo\\xe2\\x80\\xaefdp.exe: name contains "
	    "an invisible or bidirectional format character, which can "
	    "disguise it; rename it");
}

static void
test_load_mismatch_with_case(void **state)
{
	const char *root = *state;
	char *js;

	good_case(root);
	put_dir(root, "r2");
	js = strdup("{\"reference\": \"12-1/8909-2\", \"registered\": "
	    "\"2024-12-19\", \"type\": \"Kiri\", \"function\": \"13\", "
	    "\"series\": \"12-2\", \"case_file\": \"12-2/2024\", \"access\": "
	    "{\"level\": \"public\"}}");
	put_file(root, "r2/record.json", js);
	free(js);
	expect_load_problem(root, "r2/record.json: record 12-1/8909-2 belongs "
	    "to case file '12-2/2024', not '12-1/2024'");
	expect_load_problem(root, "r2/record.json: record 12-1/8909-2 belongs "
	    "to series '12-2', not '12-1'");
	expect_load_problem(root, "r2/record.json: record 12-1/8909-2 belongs "
	    "to function '13', not '12'");
}

static void
test_load_duplicate_reference(void **state)
{
	const char *root = *state;

	good_case(root);
	put_record(root, "r2", "12-1/8909-1", "");
	put_record(root, "r3", "12-1/8909-1", "");
	expect_load_problem(root, "r2/record.json: duplicate reference "
	    "'12-1/8909-1' (also in r1)");
	expect_load_problem(root, "r3/record.json: duplicate reference "
	    "'12-1/8909-1' (also in r1)");
}

static void
test_load_meta_too_large(void **state)
{
	const char *root = *state;
	char p[1024];
	int fd;

	good_case(root);
	snprintf(p, sizeof(p), "%s/r1/record.json", root);
	fd = open(p, O_WRONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, ARH_MAX_META_BYTES + 1), 0);
	close(fd);
	expect_load_problem(root, "r1/record.json: too large (1048577 bytes, "
	    "at most 1048576)");
}

static void
test_load_meta_syntax(void **state)
{
	const char *root = *state;

	good_case(root);
	put_file(root, "r1/record.json", "{\n  \"reference\": \"12-1/1\",\n}");
	put_file(root, "case.json", "{\"reference\" \"x\"}");
	expect_load_problem(root, "r1/record.json:3:1: string or '}' expected "
	    "near '}'");
	expect_load_problem(root, "case.json:1:16: ':' expected near '\"x\"'");
}

static void
test_load_case_open(void **state)
{
	const char *root = *state;
	char *js = case_with("closed", "\"closed\": \"2026-11-29\"");

	good_case(root);
	put_file(root, "case.json", js);
	free(js);
	expect_load_problem(root, "case.json: the case file is not closed yet "
	    "(closed 2026-11-29 is after today 2026-11-28)");
}

static void
test_load_too_deep(void **state)
{
	const char *root = *state;
	char rel[4096], want[8192];
	size_t n;
	int i;

	good_case(root);
	n = (size_t)snprintf(rel, sizeof(rel), "r1");
	for (i = 0; i < ARH_MAX_DEPTH + 1; i++) {
		n += (size_t)snprintf(rel + n, sizeof(rel) - n, "/d");
		put_dir(root, rel);
		if (i == ARH_MAX_DEPTH - 1) {
			snprintf(want, sizeof(want), "%s/ok.txt", rel);
			put_file(root, want, "fine at depth 32");
		}
	}
	snprintf(want, sizeof(want), "%s/f.txt", rel);
	put_file(root, want, "x");
	snprintf(want, sizeof(want), "%s: nested too deeply (more than 32 "
	    "directory levels in a record); flatten it", rel);
	expect_load_problem(root, want);
	{
		struct arh_problems probs;
		struct arh_case *c;
		struct arh_err err;

		arh_problems_init(&probs);
		assert_int_equal(arh_case_load(root, TODAY, &c, &probs, &err),
		    ARH_EINVAL);
		assert_int_equal(probs.n, 1);	/* depth 32 itself is fine */
		arh_problems_release(&probs);
	}
}

static int
ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && strcmp(s + n - t, tail) == 0;
}

static void
test_load_path_too_long(void **state)
{
	const char *root = *state;
	struct arh_problems probs;
	struct arh_case *c;
	struct arh_err err;
	char name[251], p[1024];
	int fd, next, i;

	good_case(root);
	memset(name, 'x', 250);
	name[250] = '\0';
	/* Built with mkdirat: the whole path is longer than PATH_MAX. */
	snprintf(p, sizeof(p), "%s/r1", root);
	fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	for (i = 0; i < 17; i++) {
		assert_int_equal(mkdirat(fd, name, 0755), 0);
		next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		assert_true(next >= 0);
		close(fd);
		fd = next;
	}
	close(fd);
	arh_problems_init(&probs);
	assert_int_equal(arh_case_load(root, TODAY, &c, &probs, &err),
	    ARH_EINVAL);
	assert_int_equal(probs.n, 1);
	/* "data/r1/" + 16 names of 250 bytes and 15 slashes = 4023: the
	 * first directory whose path passes the limit. */
	assert_true(strncmp(probs.items[0], "r1/xxx", 6) == 0);
	assert_true(ends_with(probs.items[0], ": path too long in the archive "
	    "(4023 bytes, at most 4000); shorten it"));
	arh_problems_release(&probs);
}

static int
child_load_expect(const char *root, const char *const *want, size_t nwant)
{
	struct arh_problems probs;
	struct arh_case *c;
	struct arh_err err;
	size_t i;

	if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
		return 3;
	arh_problems_init(&probs);
	if (arh_case_load(root, TODAY, &c, &probs, &err) != ARH_EINVAL)
		return 4;
	for (i = 0; i < nwant; i++)
		if (!has(&probs, want[i])) {
			fprintf(stderr, "# missing: %s\n", want[i]);
			for (i = 0; i < probs.n; i++)
				fprintf(stderr, "#   got: %s\n", probs.items[i]);
			return 5;
		}
	return 0;
}

static void
test_load_unreadable(void **state)
{
	static const char *const want[] = {
		"r1/secret.txt: cannot be read: Permission denied",
		"r1/locked: cannot be read: Permission denied",
	};
	const char *root = *state;
	char p[1024];
	pid_t pid;
	int status;

	good_case(root);
	put_file(root, "r1/secret.txt", "s");
	put_dir(root, "r1/locked");
	put_file(root, "r1/locked/a.txt", "a");
	assert_int_equal(chmod(root, 0755), 0);
	snprintf(p, sizeof(p), "%s/r1/secret.txt", root);
	assert_int_equal(chmod(p, 0), 0);
	snprintf(p, sizeof(p), "%s/r1/locked", root);
	assert_int_equal(chmod(p, 0), 0);
	/* Root reads everything: the load runs as nobody in a child. */
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_load_expect(root, want, 2));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(chmod(p, 0755), 0);
}

static void
test_load_order_deterministic(void **state)
{
	const char *root = *state;
	struct arh_problems a, b;
	struct arh_case *c;
	struct arh_err err;
	size_t i;

	good_case(root);
	put_file(root, "zz.txt", "x");
	put_file(root, "aa.txt", "x");
	put_dir(root, "r0");
	put_dir(root, "r1/e2");
	put_dir(root, "r1/e1");
	put_file(root, "case.json", "{}");
	arh_problems_init(&a);
	arh_problems_init(&b);
	assert_int_equal(arh_case_load(root, TODAY, &c, &a, &err), ARH_EINVAL);
	assert_int_equal(arh_case_load(root, TODAY, &c, &b, &err), ARH_EINVAL);
	assert_int_equal(a.n, b.n);
	for (i = 0; i < a.n; i++)
		assert_string_equal(a.items[i], b.items[i]);
	/* case.json first, then the top entries in name order */
	assert_true(strncmp(a.items[0], "case.json: ", 11) == 0);
	assert_string_equal(a.items[a.n - 5], "aa.txt: unexpected file at the "
	    "top of the case directory; records go in sub-directories");
	assert_string_equal(a.items[a.n - 4], "r0: missing record.json");
	assert_true(strncmp(a.items[a.n - 3], "r1/e1: empty", 12) == 0);
	assert_true(strncmp(a.items[a.n - 2], "r1/e2: empty", 12) == 0);
	assert_true(strncmp(a.items[a.n - 1], "zz.txt: unexpected", 18) == 0);
	arh_problems_release(&a);
	arh_problems_release(&b);
}

static void
test_record_register(void **state)
{
	(void)state;
	expect_record_problem(", \"register\": {\"lines\": [[\"Viit\", "
	    "\"12-1/8909-1\"], [\"Liik\"]]}", 0, "r1/record.json: "
	    "'register.lines' item 2 is not a [label, value] pair of strings");
	expect_record_problem(", \"register\": {\"lines\": \"Viit\"}", 0,
	    "r1/record.json: 'register.lines' must be a list of [label, "
	    "value] pairs");
	expect_record_problem(", \"register\": {\"lines\": [[1, 2]]}", 0,
	    "r1/record.json: 'register.lines' item 1 is not a [label, value] "
	    "pair of strings");
	expect_record_problem(", \"register\": {\"organisation\": 5}", 0,
	    "r1/record.json: 'register.organisation' must be a string");
	expect_record_problem(", \"register\": {\"colour\": \"red\"}", 0,
	    "r1/record.json: unknown key 'register.colour'");
	expect_record_problem(", \"register\": []", 0,
	    "r1/record.json: 'register' must be an object");
}

static void
test_load_registered_in_future(void **state)
{
	const char *root = *state;
	char *js = record_json("12-1/8909-1", "2099-01-01", "");

	put_file(root, "case.json", case_json);
	put_dir(root, "r1");
	put_file(root, "r1/record.json", js);
	put_file(root, "r1/kiri.txt", "x");
	free(js);
	expect_load_problem(root, "r1/record.json: 'registered' 2099-01-01 "
	    "is in the future; correct the date");
}

/* n levels of arrays around a number, inside an object: n + 1 levels. */
static json_t *
nested(int n)
{
	json_t *j = json_integer(1), *a;

	while (n-- > 0) {
		a = json_array();
		json_array_append_new(a, j);
		j = a;
	}
	a = json_object();
	json_object_set_new(a, "extra", j);
	return a;
}

static void
test_meta_shape(void **state)
{
	char why[200], *big;
	json_t *j;

	(void)state;
	j = nested(ARH_MAX_META_DEPTH - 1);
	assert_int_equal(arh_meta_shape(j, ARH_MAX_META_DEPTH, why,
	    sizeof(why)), 0);
	json_decref(j);
	j = nested(ARH_MAX_META_DEPTH);
	assert_int_equal(arh_meta_shape(j, ARH_MAX_META_DEPTH, why,
	    sizeof(why)), -1);
	assert_string_equal(why, "objects and arrays nested more than 16 "
	    "levels deep (under 'extra')");
	json_decref(j);

	assert_non_null(big = malloc(ARH_MAX_META_STRING + 2));
	memset(big, 'a', ARH_MAX_META_STRING + 1);
	big[ARH_MAX_META_STRING + 1] = '\0';
	j = json_pack("{s:[s]}", "title", big);
	assert_int_equal(arh_meta_shape(j, 4, why, sizeof(why)), -1);
	assert_string_equal(why, "a string or key longer than 65536 bytes "
	    "(under 'title')");
	json_decref(j);
	big[ARH_MAX_META_STRING] = '\0';	/* exactly the limit */
	j = json_pack("{s:s}", "title", big);
	assert_int_equal(arh_meta_shape(j, 4, why, sizeof(why)), 0);
	json_object_set_new(j, big, json_true());	/* a key at the limit */
	assert_int_equal(arh_meta_shape(j, 4, why, sizeof(why)), 0);
	json_decref(j);
	big[ARH_MAX_META_STRING] = 'a';
	j = json_pack("{s:b}", big, 1);
	assert_int_equal(arh_meta_shape(j, 4, why, sizeof(why)), -1);
	json_decref(j);
	free(big);

	/* Not an object: the limit applies to the value itself. */
	j = json_loads("[[[1]]]", 0, NULL);
	assert_int_equal(arh_meta_shape(j, 3, why, sizeof(why)), 0);
	assert_int_equal(arh_meta_shape(j, 2, why, sizeof(why)), -1);
	assert_string_equal(why, "objects and arrays nested more than 2 "
	    "levels deep");
	json_decref(j);
}

/*
 * 70 records of about 1 MB of metadata each, every file and string within
 * its own limit: together more than metadata/case.json may hold, so the
 * loader refuses before anything is written.
 */
static void
test_load_metadata_over_tag_limit(void **state)
{
	const char *root = *state;
	struct arh_problems probs;
	struct arh_case *c = NULL;
	struct arh_err err;
	char dir[32], ref[32], *chunk, *more = NULL;
	size_t i, k, n = 15, clen = 64000, mlen = 0;
	FILE *f;
	int found = 0;

	assert_non_null(chunk = malloc(clen + 1));
	memset(chunk, 'x', clen);
	chunk[clen] = '\0';
	assert_non_null(f = open_memstream(&more, &mlen));
	fputs(", \"extra\": {", f);
	for (k = 0; k < n; k++)
		fprintf(f, "%s\"k%zu\": \"%s\"", k ? ", " : "", k, chunk);
	fputs("}", f);
	assert_int_equal(fclose(f), 0);
	put_file(root, "case.json", case_json);
	for (i = 0; i < 70; i++) {
		snprintf(dir, sizeof(dir), "r%02zu", i);
		snprintf(ref, sizeof(ref), "12-1/%zu", i + 1);
		put_record(root, dir, ref, more);
	}
	arh_problems_init(&probs);
	assert_int_equal(arh_case_load(root, TODAY, &c, &probs, &err),
	    ARH_EINVAL);
	assert_null(c);
	for (i = 0; i < probs.n; i++)
		found += strncmp(probs.items[i], "(the case file): its metadata "
		    "would make metadata/case.json up to ", 66) == 0 &&
		    strstr(probs.items[i], "more than the 67108864 an archive "
		    "may hold; shorten the records' metadata or split the case "
		    "file") != NULL;
	assert_int_equal(probs.n, 1);
	assert_int_equal(found, 1);
	arh_problems_release(&probs);
	free(more);
	free(chunk);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date_valid),
		cmocka_unit_test(test_reference_valid),
		cmocka_unit_test(test_name_nfc),
		cmocka_unit_test(test_name_refused),
		cmocka_unit_test(test_case_meta_ok),
		cmocka_unit_test(test_case_meta_problems),
		cmocka_unit_test(test_case_meta_all_at_once),
		cmocka_unit_test(test_case_meta_syntax),
		cmocka_unit_test(test_case_meta_bad_today),
		cmocka_unit_test(test_record_meta_ok),
		cmocka_unit_test(test_record_meta_internal),
		cmocka_unit_test(test_record_meta_problems),
		cmocka_unit_test_setup_teardown(test_load_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_record_without_content,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_top_symlink_ok, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_not_found, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_symlink, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_symlinked_record, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_fifo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_stray_top_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_missing_record_json,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_missing_case_json,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_empty_dir, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_nfc_twins, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_bad_names, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_mismatch_with_case,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_duplicate_reference,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_meta_too_large, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_meta_syntax, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_case_open, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_too_deep, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_path_too_long, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_unreadable, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_order_deterministic,
		    setup, teardown),
		cmocka_unit_test(test_meta_shape),
		cmocka_unit_test(test_record_register),
		cmocka_unit_test_setup_teardown(test_load_registered_in_future,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_load_metadata_over_tag_limit, setup, teardown),
	};

	setlocale(LC_CTYPE, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
