/*
 * test_terms.c — the access-term table: parsing (the shipped table and
 * every problem), lookup, the term check (5 years, personal data with
 * creation, death and birth, leap days), extensions (once, by at most 5)
 * and checking a file plan against the table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arhiivar/fileplan.h"
#include "arhiivar/terms.h"

#define TABLE	"policy/access-terms.csv"
#define HDR	"basis,max_years,extension_years,personal_data,note\n"
#define P1	"AvTS § 35 lg 1 p 1"
#define P12	"AvTS § 35 lg 1 p 12"

static char *
read_text(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(1 << 16);

	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, 1 << 16, f);
	assert_true(*len > 0 && *len < (1 << 16));
	fclose(f);
	return buf;
}

static struct arh_terms *
shipped(void)
{
	struct arh_terms *t = NULL;
	struct arh_problems probs;
	size_t len;
	char *buf = read_text(TABLE, &len);

	arh_problems_init(&probs);
	assert_int_equal(arh_terms_parse(TABLE, buf, len, &t, &probs), 0);
	assert_int_equal(probs.n, 0);
	arh_problems_release(&probs);
	free(buf);
	return t;
}

static void
test_shipped_table(void **state)
{
	struct arh_terms *t = shipped();
	const struct arh_term *r;

	(void)state;
	assert_int_equal(t->nrows, 14);
	r = arh_terms_find(t, P1);
	assert_non_null(r);
	assert_int_equal(r->max_years, 5);
	assert_int_equal(r->extension_years, 5);
	assert_int_equal(r->personal_data, 0);
	assert_int_equal(r->line, 2);
	r = arh_terms_find(t, "  " P12 "\t");
	assert_non_null(r);
	assert_int_equal(r->max_years, 75);
	assert_int_equal(r->extension_years, 0);
	assert_int_equal(r->personal_data, 1);
	assert_non_null(arh_terms_find(t, "AvTS § 35 lg 1 p 10"));
	assert_non_null(arh_terms_find(t, "AvTS § 35 lg 1 p 11"));
	assert_non_null(arh_terms_find(t, "AvTS § 35 lg 2 p 1"));
	assert_null(arh_terms_find(t, "AvTS § 35 lg 1 p 13"));
	assert_null(arh_terms_find(t, "avts § 35 lg 1 p 1"));
	assert_null(arh_terms_find(t, "AvTS § 35 lg 1 p"));
	assert_null(arh_terms_find(t, NULL));
	assert_null(arh_terms_find(NULL, P1));
	arh_terms_free(t);
	arh_terms_free(NULL);
}

struct parse_case {
	const char	*csv;
	const char	*problems;	/* "\n"-joined; "" = accepted */
};

static const struct parse_case parse_cases[] = {
	{ HDR P1 ",5,5,no,\n", "" },
	{ "note,personal_data,extension_years,max_years,basis\r\n"
	  "\"two\nlines\",no,0,1,X\r\n", "" },
	{ HDR P1 ",0,5,no,\n", "t.csv:2: 'max_years' must be a whole number "
	  "of years, 1..200: '0'" },
	{ HDR P1 ",201,5,no,\n", "t.csv:2: 'max_years' must be a whole number "
	  "of years, 1..200: '201'" },
	{ HDR P1 ",5 a,5,no,\n", "t.csv:2: 'max_years' must be a whole number "
	  "of years, 1..200: '5 a'" },
	{ HDR P1 ",,5,no,\n", "t.csv:2: 'max_years' must be a whole number "
	  "of years, 1..200: ''" },
	{ HDR P1 ",5,-1,no,\n", "t.csv:2: 'extension_years' must be a whole "
	  "number of years, 0..200: '-1'" },
	{ HDR P1 ",5,5,Yes,\n", "t.csv:2: 'personal_data' must be 'yes' or "
	  "'no': 'Yes'" },
	{ HDR P12 ",75,5,yes,\n", "t.csv:2: a personal-data basis cannot be "
	  "extended: set 'extension_years' to 0" },
	{ HDR ",5,5,no,\n", "t.csv:2: 'basis' is empty" },
	{ HDR P1 ",5,5,no,\n" P12 ",75,0,yes,\n\" " P1 "\",5,5,no,\n",
	  "t.csv:4: basis '" P1 "' is already on line 2" },
	{ "basis,max_years,extension,personal_data,note\n" P1 ",5,5,no,\n",
	  "t.csv:1: unknown column 'extension'\n"
	  "t.csv:1: missing column 'extension_years'" },
	{ HDR, "t.csv:1: no rows after the header" },
	{ HDR P1 ",x,y,z,\n" P1 "\n",
	  "t.csv:2: 'max_years' must be a whole number of years, 1..200: 'x'\n"
	  "t.csv:2: 'extension_years' must be a whole number of years, "
	  "0..200: 'y'\nt.csv:2: 'personal_data' must be 'yes' or 'no': 'z'\n"
	  "t.csv:3: expected 5 fields, found 1" },
};

static void
test_parse_problems(void **state)
{
	struct arh_terms *t = NULL;
	struct arh_problems probs;
	char joined[2048];
	size_t i, k;
	int r;

	(void)state;
	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		arh_problems_init(&probs);
		r = arh_terms_parse("t.csv", parse_cases[i].csv,
		    strlen(parse_cases[i].csv), &t, &probs);
		joined[0] = '\0';
		for (k = 0; k < probs.n; k++)
			snprintf(joined + strlen(joined), sizeof(joined) -
			    strlen(joined), "%s%s", k ? "\n" : "",
			    probs.items[k]);
		if (strcmp(joined, parse_cases[i].problems) != 0)
			fail_msg("case %zu:\n got: %s\nwant: %s", i, joined,
			    parse_cases[i].problems);
		assert_int_equal(r, probs.n ? ARH_EINVAL : 0);
		assert_true((t != NULL) == (probs.n == 0));
		arh_terms_free(t);
		t = NULL;
		arh_problems_release(&probs);
	}
}

static void
test_parse_too_large(void **state)
{
	struct arh_terms *t = NULL;
	struct arh_problems probs;
	size_t len = ARH_TERMS_MAX_BYTES + 1;
	char *big = malloc(len);

	(void)state;
	assert_non_null(big);
	memset(big, '\n', len);
	arh_problems_init(&probs);
	assert_int_equal(arh_terms_parse("t.csv", big, len, &t, &probs),
	    ARH_EINVAL);
	assert_null(t);
	assert_int_equal(probs.n, 1);
	assert_string_equal(probs.items[0], "t.csv: too large for a table "
	    "of access terms (1048577 bytes; at most 1048576)");
	arh_problems_release(&probs);
	free(big);
}

struct check_case {
	const char	*name;
	int		 internal;
	const char	*basis, *start, *end;
	const char	*created, *death, *birth;
	int		 rc;
	const char	*why;		/* exact, or NULL to skip */
};

static const struct check_case check_cases[] = {
	{ "5 years to the day", 1, P1, "2024-12-19", "2029-12-19", NULL, NULL,
	  NULL, 0, "restriction under " P1 " ends 2029-12-19, within its "
	  "maximum: at the latest 2029-12-19 (5 years from its start on "
	  "2024-12-19)" },
	{ "one day too long", 1, P1, "2024-12-19", "2029-12-20", NULL, NULL,
	  NULL, ARH_EINVAL, "restriction under " P1 " ends 2029-12-20, past "
	  "its maximum: at the latest 2029-12-19 (5 years from its start on "
	  "2024-12-19)" },
	{ "shorter is fine", 1, P1, "2024-12-19", "2025-06-30", NULL, NULL,
	  NULL, 0, NULL },
	{ "leap day start", 1, P1, "2024-02-29", "2029-02-28", NULL, NULL,
	  NULL, 0, NULL },
	{ "leap day start, 1 March too late", 1, P1, "2024-02-29",
	  "2029-03-01", NULL, NULL, NULL, ARH_EINVAL, "restriction under " P1
	  " ends 2029-03-01, past its maximum: at the latest 2029-02-28 (5 "
	  "years from its start on 2024-02-29)" },
	{ "death and birth ignored for a non-personal basis", 1, P1,
	  "2024-12-19", "2035-01-01", NULL, "2030-01-01", "1950-01-01",
	  ARH_EINVAL, NULL },
	{ "personal data: 75 years", 1, P12, "2024-01-10", "2099-01-10",
	  "2024-01-10", NULL, NULL, 0, "restriction under " P12 " (personal "
	  "data) ends 2099-01-10, within its maximum: at the latest 2099-01-10 "
	  "(75 years from the records' creation on 2024-01-10)" },
	{ "personal data: one day past 75 years", 1, P12, "2024-01-10",
	  "2099-01-11", "2024-01-10", NULL, NULL, ARH_EINVAL, "restriction "
	  "under " P12 " (personal data) ends 2099-01-11, past its maximum: at "
	  "the latest 2099-01-10 (75 years from the records' creation on "
	  "2024-01-10)" },
	{ "personal data: creation defaults to the start", 1, P12,
	  "2024-01-10", "2099-01-11", NULL, NULL, NULL, ARH_EINVAL, NULL },
	{ "personal data: counted from creation, not the start", 1, P12,
	  "2025-06-01", "2099-06-01", "2024-01-10", NULL, NULL, ARH_EINVAL,
	  NULL },
	{ "personal data: 30 years after death", 1, P12, "2024-01-10",
	  "2110-05-01", "2024-01-10", "2080-05-01", NULL, 0, "restriction "
	  "under " P12 " (personal data) ends 2110-05-01, within its maximum: "
	  "at the latest 2110-05-01 (30 years after the person's death on "
	  "2080-05-01)" },
	{ "personal data: death long ago, 75 years decide", 1, P12,
	  "2024-01-10", "2099-01-11", "2024-01-10", "1990-01-01", NULL,
	  ARH_EINVAL, "restriction under " P12 " (personal data) ends "
	  "2099-01-11, past its maximum: at the latest 2099-01-10 (75 years "
	  "from the records' creation on 2024-01-10)" },
	{ "personal data: 110 years after birth, leap day", 1, P12,
	  "2024-01-10", "2110-02-28", "2024-01-10", NULL, "2000-02-29", 0,
	  "restriction under " P12 " (personal data) ends 2110-02-28, within "
	  "its maximum: at the latest 2110-02-28 (110 years after the "
	  "person's birth on 2000-02-29)" },
	{ "personal data: birth ignored when death is known", 1, P12,
	  "2024-01-10", "2100-01-01", "2024-01-10", "2050-01-01",
	  "1990-01-01", ARH_EINVAL, NULL },
	{ "personal data: bad death date", 1, P12, "2024-01-10", "2099-01-10",
	  NULL, "2080-02-30", NULL, ARH_EINVAL, "the person's date of death "
	  "is not a date YYYY-MM-DD: '2080-02-30'" },
	{ "personal data: bad creation date", 1, P12, "2024-01-10",
	  "2099-01-10", "10.01.2024", NULL, NULL, ARH_EINVAL, "the records' "
	  "creation date is not a date YYYY-MM-DD: '10.01.2024'" },
	{ "unknown basis", 1, "AvTS § 99", "2024-12-19", "2025-12-19", NULL,
	  NULL, NULL, ARH_EINVAL, "unknown legal basis 'AvTS § 99'; add it to "
	  "access-terms.csv" },
	{ "basis found after trimming", 1, " " P1 " ", "2024-12-19",
	  "2025-12-19", NULL, NULL, NULL, 0, NULL },
	{ "no basis", 1, NULL, "2024-12-19", "2025-12-19", NULL, NULL, NULL,
	  ARH_EINVAL, "internal-use restriction without a legal basis" },
	{ "start not a date", 1, P1, NULL, "2025-12-19", NULL, NULL, NULL,
	  ARH_EINVAL, "restriction's start is not a date YYYY-MM-DD: ''" },
	{ "end not a date", 1, P1, "2024-12-19", "2025-12-32", NULL, NULL,
	  NULL, ARH_EINVAL, "restriction's end is not a date YYYY-MM-DD: "
	  "'2025-12-32'" },
	{ "end before start", 1, P1, "2024-12-19", "2024-12-18", NULL, NULL,
	  NULL, ARH_EINVAL, "restriction ends 2024-12-18 before it starts "
	  "2024-12-19" },
	{ "public", 0, NULL, NULL, NULL, NULL, NULL, NULL, 0, "record is "
	  "public: there is no restriction term" },
};

static void
test_check_table(void **state)
{
	struct arh_terms *t = shipped();
	const struct check_case *c;
	struct arh_access a;
	char why[512];
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(check_cases) / sizeof(check_cases[0]); i++) {
		c = &check_cases[i];
		a.internal = c->internal;
		a.basis = (char *)c->basis;
		a.start = (char *)c->start;
		a.end = (char *)c->end;
		rc = arh_terms_check(t, &a, c->created, c->death, c->birth,
		    why, sizeof(why));
		if (rc != c->rc || (c->why != NULL && strcmp(why, c->why) != 0))
			fail_msg("%s: got %d: %s", c->name, rc, why);
		assert_true(why[0] != '\0');
	}
	arh_terms_free(t);
}

static void
test_check_small_buffers(void **state)
{
	struct arh_terms *t = shipped();
	struct arh_access a = { 1, (char *)P1, (char *)"2024-12-19",
	    (char *)"2029-12-19", NULL, NULL };
	char why[10];

	(void)state;
	assert_int_equal(arh_terms_check(t, &a, NULL, NULL, NULL, NULL, 0), 0);
	assert_int_equal(arh_terms_check(t, &a, NULL, NULL, NULL, why,
	    sizeof(why)), 0);
	assert_string_equal(why, "restricti");
	assert_int_equal(arh_terms_check(t, NULL, NULL, NULL, NULL, why,
	    sizeof(why)), ARH_EINVAL);
	assert_int_equal(arh_terms_check(NULL, &a, NULL, NULL, NULL, why,
	    sizeof(why)), ARH_EINVAL);
	arh_terms_free(t);
}

struct extend_case {
	const char	*name;
	int		 internal;
	const char	*basis, *start, *end, *new_end;
	int		 already;
	int		 rc;
	const char	*why;
};

static const struct extend_case extend_cases[] = {
	{ "by 5 more years", 1, P1, "2024-12-19", "2029-12-19", "2034-12-19",
	  0, 0, "restriction under " P1 " may be extended to 2034-12-19: at "
	  "the latest 2034-12-19 (5 years from its start on 2024-12-19, plus "
	  "one extension of at most 5)" },
	{ "one day too far", 1, P1, "2024-12-19", "2029-12-19", "2034-12-20",
	  0, ARH_EINVAL, "restriction under " P1 " cannot be extended to "
	  "2034-12-20: at the latest 2034-12-19 (5 years from its start on "
	  "2024-12-19, plus one extension of at most 5)" },
	{ "a short restriction, extended within the maximum", 1, P1,
	  "2024-12-19", "2025-12-19", "2031-01-01", 0, 0, NULL },
	{ "leap day start", 1, P1, "2024-02-29", "2029-02-28", "2034-02-28",
	  0, 0, NULL },
	{ "only once", 1, P1, "2024-12-19", "2029-12-19", "2030-12-19", 1,
	  ARH_EINVAL, "the restriction under " P1 " was already extended "
	  "once; it may be extended only once" },
	{ "personal data has a fixed term", 1, P12, "2024-12-19",
	  "2099-12-19", "2100-12-19", 0, ARH_EINVAL, "a restriction under "
	  P12 " cannot be extended (personal data: its term is fixed by "
	  "law)" },
	{ "not after the current end", 1, P1, "2024-12-19", "2029-12-19",
	  "2029-12-19", 0, ARH_EINVAL, "new end 2029-12-19 is not after the "
	  "current end 2029-12-19" },
	{ "new end not a date", 1, P1, "2024-12-19", "2029-12-19",
	  "2034-12-19T00:00", 0, ARH_EINVAL, "new end is not a date "
	  "YYYY-MM-DD: '2034-12-19T00:00'" },
	{ "unknown basis", 1, "X", "2024-12-19", "2029-12-19", "2030-12-19",
	  0, ARH_EINVAL, "unknown legal basis 'X'; add it to "
	  "access-terms.csv" },
	{ "public", 0, NULL, NULL, NULL, "2030-12-19", 0, ARH_EINVAL,
	  "record is public: there is no restriction to extend" },
};

static void
test_extend_table(void **state)
{
	struct arh_terms *t = shipped();
	const struct extend_case *c;
	struct arh_access a;
	char why[512];
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(extend_cases) / sizeof(extend_cases[0]); i++) {
		c = &extend_cases[i];
		a.internal = c->internal;
		a.basis = (char *)c->basis;
		a.start = (char *)c->start;
		a.end = (char *)c->end;
		rc = arh_terms_extend_check(t, &a, c->new_end, c->already, why,
		    sizeof(why));
		if (rc != c->rc || (c->why != NULL && strcmp(why, c->why) != 0))
			fail_msg("%s: got %d: %s", c->name, rc, why);
	}
	arh_terms_free(t);
}

static void
test_extend_not_allowed(void **state)
{
	static const char csv[] = HDR "Law § 1,3,0,no,no extension\n";
	struct arh_terms *t = NULL;
	struct arh_access a = { 1, (char *)"Law § 1", (char *)"2024-01-01",
	    (char *)"2026-01-01", NULL, NULL };
	char why[256];

	(void)state;
	assert_int_equal(arh_terms_parse("t.csv", csv, strlen(csv), &t, NULL),
	    0);
	assert_int_equal(arh_terms_check(t, &a, NULL, NULL, NULL, why,
	    sizeof(why)), 0);
	assert_int_equal(arh_terms_extend_check(t, &a, "2027-01-01", 0, why,
	    sizeof(why)), ARH_EINVAL);
	assert_string_equal(why, "a restriction under Law § 1 cannot be "
	    "extended");
	arh_terms_free(t);
}

static void
test_check_fileplan(void **state)
{
	static const char csv[] = "function_code,function_title,series_code,"
	    "series_title,retention,archival_value,access,access_basis,"
	    "access_term,valid_from,valid_until,notes\n"
	    "1,F,1-1,S,5 a,,AK," P1 ",5 a,2019-01-01,,\n"
	    "1,F,1-2,S,5 a,,AK," P1 ",10 a,2019-01-01,,\n"
	    "1,F,1-3,S,5 a,,AK,AvTS § 36,5 a,2019-01-01,,\n"
	    "1,F,1-4,S,5 a,,Avalik,,,2019-01-01,,\n"
	    "1,F,1-5,S,5 a,,AK," P12 ",75 a,2019-01-01,,\n";
	struct arh_fileplan *plan = NULL, *sample = NULL;
	struct arh_terms *t = shipped();
	struct arh_problems probs;
	size_t len;
	char *buf;

	(void)state;
	arh_problems_init(&probs);
	assert_int_equal(arh_fileplan_parse("fp.csv", csv, strlen(csv), &plan,
	    NULL), 0);
	assert_int_equal(arh_terms_check_fileplan(t, plan, "fp.csv", &probs),
	    ARH_EINVAL);
	assert_int_equal(probs.n, 2);
	assert_string_equal(probs.items[0], "fp.csv:3: series '1-2': "
	    "access_term 10 a is longer than the 5 years " P1 " allows");
	assert_string_equal(probs.items[1], "fp.csv:4: series '1-3': unknown "
	    "legal basis 'AvTS § 36'; add it to access-terms.csv");
	assert_int_equal(arh_terms_check_fileplan(t, plan, "fp.csv", NULL),
	    ARH_EINVAL);

	buf = read_text("sample/fileplan.csv", &len);
	assert_int_equal(arh_fileplan_parse("sample", buf, len, &sample, NULL),
	    0);
	assert_int_equal(arh_terms_check_fileplan(t, sample, "sample", &probs),
	    0);
	assert_int_equal(probs.n, 2);
	free(buf);
	arh_fileplan_free(plan);
	arh_fileplan_free(sample);
	arh_terms_free(t);
	arh_problems_release(&probs);
}

/* The built-in table is the shipped file, byte for byte. */
static void
test_default_is_shipped(void **state)
{
	size_t len;
	char *buf = read_text(TABLE, &len);

	(void)state;
	assert_int_equal(strlen(arh_terms_default()), len);
	assert_memory_equal(arh_terms_default(), buf, len);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_table),
		cmocka_unit_test(test_parse_problems),
		cmocka_unit_test(test_parse_too_large),
		cmocka_unit_test(test_check_table),
		cmocka_unit_test(test_check_small_buffers),
		cmocka_unit_test(test_extend_table),
		cmocka_unit_test(test_extend_not_allowed),
		cmocka_unit_test(test_check_fileplan),
		cmocka_unit_test(test_default_is_shipped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
