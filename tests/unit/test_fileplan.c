/*
 * test_fileplan.c — the file plan: every rule with its exact message (a
 * table), all problems at once, limits, the canonical version, JSON round
 * trips, diff, lookup, and the project's sample plan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "arhiivar/fileplan.h"

#define HDR	"function_code,function_title,series_code,series_title," \
		"retention,archival_value,access,access_basis,access_term," \
		"valid_from,valid_until,notes\n"
#define OK1	"1,Juhtimine,1-1,Käskkirjad,alaline,AV,Avalik,,,2019-01-01,,\n"
#define OK2	"12,Koostöö,12-1,Kirjavahetus,10 a,,AK,AvTS § 35 lg 1 p 1," \
		"5 a,2019-01-01,,märkus\n"
#define SAMPLE	"sample/fileplan.csv"
#define ROWFMT	"1,F,1-%05zu,S,5 a,,Avalik,,,2019-01-01,,\n"

/* Problems joined by "\n", or "" when the parse succeeded. */
static char *
parse(const char *csv, size_t len, struct arh_fileplan **plan)
{
	struct arh_problems probs;
	char *out = NULL;
	size_t i, n = 1;
	int r;

	arh_problems_init(&probs);
	r = arh_fileplan_parse("fp.csv", csv, len, plan, &probs);
	for (i = 0; i < probs.n; i++)
		n += strlen(probs.items[i]) + 1;
	out = calloc(1, n);
	assert_non_null(out);
	for (i = 0, n = 0; i < probs.n; i++) {
		if (i > 0)
			out[n++] = '\n';
		memcpy(out + n, probs.items[i], strlen(probs.items[i]) + 1);
		n += strlen(probs.items[i]);
	}
	assert_int_equal(r, probs.n > 0 ? ARH_EINVAL : 0);
	if (r != 0)
		assert_null(*plan);
	arh_problems_release(&probs);
	return out;
}

static char *
parse_str(const char *csv, struct arh_fileplan **plan)
{
	return parse(csv, strlen(csv), plan);
}

struct rule_case {
	const char	*name;
	const char	*csv;		/* whole file */
	const char	*problems;	/* exact, "\n"-joined; "" = accepted */
};

static const struct rule_case rules[] = {
	{ "two good rows", HDR OK1 OK2, "" },
	{ "retention Na", HDR "1,F,1-1,S,7a,,Avalik,,,2019-01-01,,\n", "" },
	{ "retention 1 a and 200 a", HDR "1,F,1-1,S,1 a,,Avalik,,,"
	  "2019-01-01,,\n1,F,1-2,S,200 a,,Avalik,,,2019-01-01,,\n", "" },
	{ "retention 0 a", HDR "1,F,1-1,S,0 a,,Avalik,,,2019-01-01,,\n",
	  "fp.csv:2: 'retention' must be 'N a' (N years, 1..200) or 'alaline': "
	  "'0 a'" },
	{ "retention 201 a", HDR "1,F,1-1,S,201 a,,Avalik,,,2019-01-01,,\n",
	  "fp.csv:2: 'retention' must be 'N a' (N years, 1..200) or 'alaline': "
	  "'201 a'" },
	{ "retention two spaces", HDR "1,F,1-1,S,10  a,,Avalik,,,"
	  "2019-01-01,,\n",
	  "fp.csv:2: 'retention' must be 'N a' (N years, 1..200) or 'alaline': "
	  "'10  a'" },
	{ "retention in words", HDR "1,F,1-1,S,10 aastat,,Avalik,,,2019-01-01"
	  ",,\n", "fp.csv:2: 'retention' must be 'N a' (N years, 1..200) or "
	  "'alaline': '10 aastat'" },
	{ "retention signed", HDR "1,F,1-1,S,+5 a,,Avalik,,,2019-01-01,,\n",
	  "fp.csv:2: 'retention' must be 'N a' (N years, 1..200) or 'alaline': "
	  "'+5 a'" },
	{ "retention empty", HDR "1,F,1-1,S,,,Avalik,,,2019-01-01,,\n",
	  "fp.csv:2: 'retention' must be 'N a' (N years, 1..200) or 'alaline': "
	  "''" },
	{ "retention capitalised", HDR "1,F,1-1,S,Alaline,,Avalik,,,"
	  "2019-01-01,,\n", "fp.csv:2: 'retention' must be 'N a' (N years, "
	  "1..200) or 'alaline': 'Alaline'" },
	{ "archival value H", HDR "1,F,1-1,S,5 a,H,Avalik,,,2019-01-01,,\n",
	  "" },
	{ "archival value lower case", HDR "1,F,1-1,S,5 a,av,Avalik,,,"
	  "2019-01-01,,\n", "fp.csv:2: 'archival_value' must be empty, 'AV' or "
	  "'H': 'av'" },
	{ "access unknown", HDR "1,F,1-1,S,5 a,,Public,,,2019-01-01,,\n",
	  "fp.csv:2: 'access' must be 'Avalik' or 'AK': 'Public'" },
	{ "AK without basis and term", HDR "1,F,1-1,S,5 a,,AK,,,2019-01-01,,\n",
	  "fp.csv:2: an internal-use (AK) series needs an 'access_basis'\n"
	  "fp.csv:2: an internal-use (AK) series needs 'access_term' 'N a' "
	  "(N years, 1..200): ''" },
	{ "AK term without unit", HDR "1,F,1-1,S,5 a,,AK,AvTS § 35 lg 1 p 1,5,"
	  "2019-01-01,,\n", "fp.csv:2: an internal-use (AK) series needs "
	  "'access_term' 'N a' (N years, 1..200): '5'" },
	{ "Avalik with basis and term", HDR "1,F,1-1,S,5 a,,Avalik,AvTS § 35 "
	  "lg 1 p 1,5 a,2019-01-01,,\n", "fp.csv:2: a public (Avalik) series "
	  "has no 'access_basis': 'AvTS § 35 lg 1 p 1'\nfp.csv:2: a public "
	  "(Avalik) series has no 'access_term': '5 a'" },
	{ "valid_from not a date", HDR "1,F,1-1,S,5 a,,Avalik,,,2019-02-30,,\n",
	  "fp.csv:2: 'valid_from' is not a date YYYY-MM-DD: '2019-02-30'" },
	{ "valid_from empty", HDR "1,F,1-1,S,5 a,,Avalik,,,,,\n",
	  "fp.csv:2: 'valid_from' is not a date YYYY-MM-DD: ''" },
	{ "valid_until before valid_from", HDR "1,F,1-1,S,5 a,,Avalik,,,"
	  "2020-01-01,2019-12-31,\n", "fp.csv:2: 'valid_until' 2019-12-31 is "
	  "before 'valid_from' 2020-01-01" },
	{ "valid_until equal to valid_from", HDR "1,F,1-1,S,5 a,,Avalik,,,"
	  "2020-01-01,2020-01-01,\n", "" },
	{ "valid_until not a date", HDR "1,F,1-1,S,5 a,,Avalik,,,2020-01-01,"
	  "31.12.2023,\n", "fp.csv:2: 'valid_until' is not a date YYYY-MM-DD: "
	  "'31.12.2023'" },
	{ "required fields empty", HDR ", , ,\"\",5 a,,Avalik,,,2019-01-01,,\n",
	  "fp.csv:2: 'function_code' is empty\nfp.csv:2: 'function_title' is "
	  "empty\nfp.csv:2: 'series_code' is empty\nfp.csv:2: 'series_title' "
	  "is empty" },
	{ "duplicate series", HDR OK1 OK2 "1,F,1-1,S,5 a,,Avalik,,,2019-01-01,"
	  ",\n", "fp.csv:4: series '1-1' is already on line 2" },
	{ "duplicate after normalising", HDR OK1 "1,F,\" 1-1 \",S,5 a,,Avalik,"
	  ",,2019-01-01,,\n", "fp.csv:3: series '1-1' is already on line 2" },
	{ "too few fields", HDR "1,F,1-1,S,5 a,,Avalik,,,2019-01-01\n",
	  "fp.csv:2: expected 12 fields, found 10" },
	{ "unknown and missing column", "function_code,function_title,"
	  "series_code,series_title,retention,archival_value,access,"
	  "access_basis,access_term,valid_from,valid_to,notes\n" OK1,
	  "fp.csv:1: unknown column 'valid_to'\n"
	  "fp.csv:1: missing column 'valid_until'" },
	{ "extra column", "function_code,function_title,series_code,"
	  "series_title,retention,archival_value,access,access_basis,"
	  "access_term,valid_from,valid_until,notes,owner\n"
	  "1,F,1-1,S,x,,Avalik,,,2019-01-01,,,me\n",
	  "fp.csv:1: unknown column 'owner'\nfp.csv:2: 'retention' must be "
	  "'N a' (N years, 1..200) or 'alaline': 'x'" },
	{ "duplicate column", "function_code,function_title,series_code,"
	  "series_title,retention,archival_value,access,access_basis,"
	  "access_term,valid_from,valid_until,notes,notes\n"
	  "1,F,1-1,S,5 a,,Avalik,,,2019-01-01,,,\n",
	  "fp.csv:1: duplicate column 'notes'" },
	{ "columns in another order", "series_code,notes,valid_until,"
	  "valid_from,access_term,access_basis,access,archival_value,"
	  "retention,series_title,function_title,function_code\n"
	  "1-1,,,2019-01-01,,,Avalik,AV,alaline,S,F,1\n", "" },
	{ "header only", HDR, "fp.csv:1: no rows after the header" },
	{ "empty file", "", "fp.csv:1: empty file plan: the header row is "
	  "missing" },
	{ "blank lines only", "\n\r\n  \n", "fp.csv:1: empty file plan: the "
	  "header row is missing" },
	{ "stray quote", HDR "1,F\"x,1-1,S,5 a,,Avalik,,,2019-01-01,,\n"
	  OK2, "fp.csv:2: malformed CSV: a '\"' inside an unquoted field, or "
	  "text after a closing '\"'" },
	{ "unterminated quote", HDR OK1 "1,F,1-2,S,5 a,,Avalik,,,2019-01-01,,"
	  "\"open\nstill open\n", "fp.csv:3: unterminated quoted field (a "
	  "closing '\"' is missing)" },
	{ "not UTF-8", HDR "1,F\xff,1-1,S,5 a,,Avalik,,,2019-01-01,,\n",
	  "fp.csv:2: 'function_title' is not valid UTF-8" },
	{ "control character", HDR "1,F\x1b[31m,1-1,S,5 a,,Avalik,,,"
	  "2019-01-01,,\n", "fp.csv:2: 'function_title' contains a control "
	  "character" },
	{ "C1 control character", HDR "1,F\xc2\x9b,1-1,S,5 a,,Avalik,,,"
	  "2019-01-01,,\n", "fp.csv:2: 'function_title' contains a control "
	  "character" },
	{ "line break in a title", HDR "1,\"F\nG\",1-1,S,5 a,,Avalik,,,"
	  "2019-01-01,,\n", "fp.csv:2: 'function_title' contains a line "
	  "break" },
	{ "line break in notes", HDR "1,F,1-1,S,5 a,,Avalik,,,2019-01-01,,"
	  "\"one\r\ntwo\"\r\n", "" },
	{ "BOM, CRLF, blank and empty rows", "\xef\xbb\xbf" "function_code,"
	  "function_title,series_code,series_title,retention,archival_value,"
	  "access,access_basis,access_term,valid_from,valid_until,notes\r\n"
	  "\r\n,,,,,,,,,,,\r\n1,F,1-1,S,5 a,,Avalik,,,2019-01-01,,\r\n"
	  "1,F,1-2,S,5 x,,Avalik,,,2019-01-01,,", "fp.csv:5: 'retention' must "
	  "be 'N a' (N years, 1..200) or 'alaline': '5 x'" },
	{ "line numbers after a multi-line field", HDR "1,F,1-1,S,5 a,,Avalik"
	  ",,,2019-01-01,,\"a\nb\nc\"\n\n1,F,1-2,S,5 x,,Avalik,,,"
	  "2019-01-01,,\n",
	  "fp.csv:6: 'retention' must be 'N a' (N years, 1..200) or 'alaline': "
	  "'5 x'" },
	{ "hostile value is escaped", HDR "1,F,1-1,S,\"5\x1b]0;x\x07\",,Avalik"
	  ",,,2019-01-01,,\n", "fp.csv:2: 'retention' contains a control "
	  "character" },
};

static void
test_rules_table(void **state)
{
	struct arh_fileplan *plan = NULL;
	size_t i;
	char *got;

	(void)state;
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		got = parse_str(rules[i].csv, &plan);
		if (strcmp(got, rules[i].problems) != 0)
			fail_msg("%s:\n got: %s\nwant: %s", rules[i].name, got,
			    rules[i].problems);
		assert_true((plan != NULL) == (rules[i].problems[0] == '\0'));
		arh_fileplan_free(plan);
		plan = NULL;
		free(got);
	}
}

static void
test_all_at_once(void **state)
{
	struct arh_fileplan *plan = NULL;
	char *got;

	(void)state;
	got = parse_str(HDR
	    "1,F,1-1,S,5 a,,Avalik,,,2019-01-01,,\n"		/* 2 ok */
	    "1,F,1-2,S,five,X,Avalik,,,2019-01-01,,\n"		/* 3 */
	    "1,F,1-1,S,5 a,,Avalik,,,2019-01-01,,\n"		/* 4 dup */
	    "1,F,1-3,S,5 a,,AK,,5 a,2019-13-01,,\n"		/* 5 */
	    "1,F,1-4\n"						/* 6 */
	    "1,F,1-2,S,5 a,,Avalik,,,2019-01-01,,\n",		/* 7 dup */
	    &plan);
	assert_string_equal(got,
	    "fp.csv:3: 'retention' must be 'N a' (N years, 1..200) or "
	    "'alaline': 'five'\n"
	    "fp.csv:3: 'archival_value' must be empty, 'AV' or 'H': 'X'\n"
	    "fp.csv:4: series '1-1' is already on line 2\n"
	    "fp.csv:5: an internal-use (AK) series needs an 'access_basis'\n"
	    "fp.csv:5: 'valid_from' is not a date YYYY-MM-DD: '2019-13-01'\n"
	    "fp.csv:6: expected 12 fields, found 3\n"
	    "fp.csv:7: series '1-2' is already on line 3");
	assert_null(plan);
	free(got);
}

static void
test_problems_capped(void **state)
{
	struct arh_fileplan *plan = NULL;
	size_t i, n = 0, len = 0, cap = 1 << 16;
	char *csv = malloc(cap), *got, *p;

	(void)state;
	assert_non_null(csv);
	len = (size_t)snprintf(csv, cap, "%s", HDR);
	for (i = 0; i < 150; i++)
		len += (size_t)snprintf(csv + len, cap - len,
		    "1,F,1-%zu,S,x,,Avalik,,,2019-01-01,,\n", i);
	got = parse(csv, len, &plan);
	for (p = got; (p = strchr(p, '\n')) != NULL; p++)
		n++;
	assert_int_equal(n + 1, 101);	/* 100 shown and the summary */
	assert_non_null(strstr(got, "fp.csv: 50 more problems not shown; "
	    "fix these first"));
	free(got);
	free(csv);
}

static void
test_size_limits(void **state)
{
	struct arh_fileplan *plan = NULL;
	size_t len = ARH_FILEPLAN_MAX_BYTES + 1, i, cap;
	char *big = malloc(len), *got, *csv;

	(void)state;
	assert_non_null(big);
	memset(big, '\n', len);
	memcpy(big, HDR, strlen(HDR));
	got = parse(big, len, &plan);
	assert_string_equal(got, "fp.csv: too large for a file plan "
	    "(4194305 bytes; at most 4194304)");
	free(got);
	free(big);

	/* Exactly the maximum of rows, then one more. */
	cap = strlen(HDR) + (ARH_FILEPLAN_MAX_ROWS + 1) * 64;
	csv = malloc(cap);
	assert_non_null(csv);
	len = (size_t)snprintf(csv, cap, "%s", HDR);
	for (i = 0; i < ARH_FILEPLAN_MAX_ROWS; i++)
		len += (size_t)snprintf(csv + len, cap - len, ROWFMT, i);
	got = parse(csv, len, &plan);
	assert_string_equal(got, "");
	assert_int_equal(plan->nrows, ARH_FILEPLAN_MAX_ROWS);
	assert_non_null(arh_fileplan_find(plan, "1-09999"));
	arh_fileplan_free(plan);
	plan = NULL;
	free(got);
	len += (size_t)snprintf(csv + len, cap - len, ROWFMT, i);
	got = parse(csv, len, &plan);
	assert_string_equal(got, "fp.csv:10002: more than 10000 rows: too "
	    "large for a file plan");
	free(got);
	free(csv);
}

static void
test_normalised_values(void **state)
{
	struct arh_fileplan *plan = NULL;
	const struct arh_fileplan_row *r;
	char *got;

	(void)state;
	/* Decomposed "ö" (o + U+0308) is stored composed; "10a" as "10 a". */
	got = parse_str(HDR "12 , \"Koosto\xcc\x88o\xcc\x88 \" ,12-1,S,10a,,"
	    "AK,  AvTS § 35 lg 1 p 1 ,5a,2019-01-01,,\"  two\r\nlines \"\n",
	    &plan);
	assert_string_equal(got, "");
	r = arh_fileplan_find(plan, "12-1");
	assert_non_null(r);
	assert_string_equal(r->function_code, "12");
	assert_string_equal(r->function_title, "Koostöö");
	assert_string_equal(r->retention, "10 a");
	assert_int_equal(r->retention_years, 10);
	assert_string_equal(r->access_basis, "AvTS § 35 lg 1 p 1");
	assert_string_equal(r->access_term, "5 a");
	assert_int_equal(r->access_term_years, 5);
	assert_string_equal(r->notes, "two\nlines");
	assert_int_equal(r->line, 2);
	arh_fileplan_free(plan);
	free(got);
}

static char *
read_sample(size_t *len)
{
	FILE *f = fopen(SAMPLE, "rb");
	char *buf = malloc(1 << 16);

	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, 1 << 16, f);
	assert_true(*len > 0 && *len < (1 << 16));
	fclose(f);
	return buf;
}

static struct arh_fileplan *
sample_plan(void)
{
	struct arh_fileplan *plan = NULL;
	size_t len;
	char *buf = read_sample(&len), *got;

	got = parse(buf, len, &plan);
	assert_string_equal(got, "");
	free(got);
	free(buf);
	return plan;
}

static void
test_sample(void **state)
{
	struct arh_fileplan *plan = sample_plan();
	const struct arh_fileplan_row *r;

	char v[65];

	(void)state;
	assert_int_equal(plan->nrows, 10);
	/* Pinned: a change of the canonical form would orphan every stored
	 * version, so it must be deliberate (or the sample changed). */
	assert_int_equal(arh_fileplan_version(plan, v), 0);
	assert_string_equal(v, "6e84c66e958c367b67719d4d57506ca7dea219752403"
	    "e134dbb4b42847d6a1bc");
	/* The destruction act's series ([disposition] act_series). */
	r = arh_fileplan_find(plan, "akt");
	assert_non_null(r);
	assert_string_equal(r->retention, "alaline");
	r = arh_fileplan_find(plan, "12-1");
	assert_non_null(r);
	assert_string_equal(r->series_title, "Kirjavahetus kriminaalasjades");
	assert_string_equal(r->retention, "10 a");
	assert_int_equal(r->retention_years, 10);
	assert_int_equal(r->archival, ARH_ARCHIVAL_NONE);
	assert_string_equal(r->archival_value, "");
	assert_int_equal(r->access_internal, 1);
	assert_string_equal(r->access_basis, "AvTS § 35 lg 1 p 1");
	assert_int_equal(r->access_term_years, 5);
	assert_int_equal(r->line, 5);
	assert_true(arh_fileplan_valid_on(r, "2024-12-31"));

	r = arh_fileplan_find(plan, "12-3");
	assert_non_null(r);
	assert_int_equal(r->retention_years, 0);
	assert_int_equal(r->archival, ARH_ARCHIVAL_AV);

	r = arh_fileplan_find(plan, "12-5");
	assert_non_null(r);
	assert_string_equal(r->valid_until, "2023-12-31");
	assert_int_equal(arh_fileplan_valid_on(r, "2024-12-31"), 0);
	assert_int_equal(arh_fileplan_valid_on(r, "2023-12-31"), 1);
	assert_int_equal(arh_fileplan_valid_on(r, "2019-01-01"), 1);
	assert_int_equal(arh_fileplan_valid_on(r, "2018-12-31"), 0);
	assert_int_equal(arh_fileplan_valid_on(r, "2023-02-29"), 0);
	assert_int_equal(arh_fileplan_valid_on(r, NULL), 0);
	assert_int_equal(arh_fileplan_valid_on(NULL, "2020-01-01"), 0);

	r = arh_fileplan_find(plan, "1-3");
	assert_non_null(r);
	assert_string_equal(r->notes, "isikuandmed");
	assert_int_equal(r->access_term_years, 75);
	assert_null(arh_fileplan_find(plan, "12-6"));
	assert_null(arh_fileplan_find(plan, "12-1 "));
	assert_null(arh_fileplan_find(plan, NULL));
	assert_null(arh_fileplan_find(NULL, "12-1"));
	arh_fileplan_free(plan);
	arh_fileplan_free(NULL);
}

static void
version_of(const char *csv, char hex[65])
{
	struct arh_fileplan *plan = NULL;
	char *got = parse_str(csv, &plan);

	assert_string_equal(got, "");
	assert_int_equal(arh_fileplan_version(plan, hex), 0);
	assert_int_equal(strlen(hex), 64);
	arh_fileplan_free(plan);
	free(got);
}

static void
test_version_stable(void **state)
{
	char v1[65], v2[65];

	(void)state;
	version_of(HDR OK1 OK2, v1);
	version_of(HDR OK2 OK1, v2);			/* row order */
	assert_string_equal(v1, v2);
	version_of("\xef\xbb\xbf" "function_code,function_title,series_code,"
	    "series_title,retention,archival_value,access,access_basis,"
	    "access_term,valid_from,valid_until,notes\r\n"
	    "12,Koostöö,12-1,Kirjavahetus,10a,,AK,AvTS § 35 lg 1 p 1,\"5 a\","
	    "2019-01-01,,märkus\r\n\r\n"
	    "\"1\",Juhtimine,1-1,\"Käskkirjad\",alaline,AV,Avalik,,,"
	    "2019-01-01,,\r\n", v2);		/* BOM, CRLF, quotes, 10a */
	assert_string_equal(v1, v2);
	version_of("notes,valid_until,valid_from,access_term,access_basis,"
	    "access,archival_value,retention,series_title,series_code,"
	    "function_title,function_code\n"
	    "märkus,,2019-01-01,5 a,AvTS § 35 lg 1 p 1,AK,,10 a,Kirjavahetus,"
	    "12-1,Koosto\xcc\x88o\xcc\x88,12\n"
	    ",,2019-01-01,,,Avalik,AV,alaline,Käskkirjad,1-1,Juhtimine,1\n",
	    v2);				/* column order, NFD */
	assert_string_equal(v1, v2);
	version_of(HDR OK1 "12,Koostöö,12-1,Kirjavahetus,11 a,,AK,"
	    "AvTS § 35 lg 1 p 1,5 a,2019-01-01,,märkus\n", v2);
	assert_string_not_equal(v1, v2);	/* retention changed */
	version_of(HDR OK1 "12,Koostöö,12-1,Kirjavahetus,10 a,,AK,"
	    "AvTS § 35 lg 1 p 1,5 a,2019-01-01,,märkus.\n", v2);
	assert_string_not_equal(v1, v2);	/* notes changed */
}

/* The version is the SHA-256 of exactly the form fileplan.h documents. */
static void
test_version_canonical_form(void **state)
{
	static const char canon[] = "[{\"access\":\"Avalik\",\"access_basis\":"
	    "\"\",\"access_term\":\"\",\"archival_value\":\"AV\","
	    "\"function_code\":\"1\",\"function_title\":\"Juhtimine\","
	    "\"notes\":\"\",\"retention\":\"alaline\",\"series_code\":\"1-1\","
	    "\"series_title\":\"Käskkirjad\",\"valid_from\":\"2019-01-01\","
	    "\"valid_until\":\"\"},{\"access\":\"AK\",\"access_basis\":"
	    "\"AvTS § 35 lg 1 p 1\",\"access_term\":\"5 a\",\"archival_value\":"
	    "\"\",\"function_code\":\"12\",\"function_title\":\"Koostöö\","
	    "\"notes\":\"märkus\",\"retention\":\"10 a\",\"series_code\":"
	    "\"12-1\",\"series_title\":\"Kirjavahetus\",\"valid_from\":"
	    "\"2019-01-01\",\"valid_until\":\"\"}]";
	unsigned char md[32];
	unsigned int n = 0;
	char want[65], got[65];
	size_t i;

	(void)state;
	assert_int_equal(EVP_Digest(canon, strlen(canon), md, &n, EVP_sha256(),
	    NULL), 1);
	for (i = 0; i < 32; i++)
		snprintf(want + 2 * i, 3, "%02x", md[i]);
	version_of(HDR OK2 OK1, got);
	assert_string_equal(got, want);
}

static char *
to_json(const struct arh_fileplan *plan)
{
	char *s = arh_fileplan_to_json(plan);

	assert_non_null(s);
	return s;
}

static void
test_json_round_trip(void **state)
{
	struct arh_fileplan *plan = sample_plan(), *back = NULL;
	struct arh_problems probs;
	char v1[65], v2[65], *j1, *j2;
	size_t i;

	(void)state;
	arh_problems_init(&probs);
	j1 = to_json(plan);
	assert_int_equal(arh_fileplan_from_json("db", j1, strlen(j1), &back,
	    &probs), 0);
	assert_int_equal(probs.n, 0);
	assert_int_equal(arh_fileplan_version(plan, v1), 0);
	assert_int_equal(arh_fileplan_version(back, v2), 0);
	assert_string_equal(v1, v2);
	assert_int_equal(back->nrows, plan->nrows);
	for (i = 0; i < plan->nrows; i++) {	/* file order and lines kept */
		assert_string_equal(back->rows[i].series_code,
		    plan->rows[i].series_code);
		assert_int_equal(back->rows[i].line, plan->rows[i].line);
		assert_int_equal(back->rows[i].retention_years,
		    plan->rows[i].retention_years);
		assert_int_equal(back->rows[i].archival,
		    plan->rows[i].archival);
	}
	j2 = to_json(back);
	assert_string_equal(j1, j2);
	assert_int_equal(arh_fileplan_diff(plan, back, NULL, NULL), 0);
	free(j1);
	free(j2);
	arh_fileplan_free(plan);
	arh_fileplan_free(back);
	arh_problems_release(&probs);
}

#define JROWN(code, ret, notes) "{\"access\":\"Avalik\",\"access_basis\":" \
	"\"\",\"access_term\":\"\",\"archival_value\":\"\",\"function_code\":" \
	"\"1\",\"function_title\":\"F\",\"notes\":\"" notes "\"," \
	"\"retention\":\"" ret "\",\"series_code\":\"" code "\"," \
	"\"series_title\":\"S\"," \
	"\"valid_from\":\"2019-01-01\",\"valid_until\":\"\""
#define JROW(code, ret)	JROWN(code, ret, "")

struct json_case {
	const char	*json;
	const char	*problems;
};

static const struct json_case json_cases[] = {
	{ "[" JROW("1-1", "5 a") "}]", "" },
	{ "[" JROW("1-1", "5a") ",\"line\":7}]", "" },
	{ "[" JROW("1-1", "5 a") "},", "db: not JSON: line 1: ']' expected "
	  "near end of file" },
	{ "{}", "db: not a non-empty array of series" },
	{ "[]", "db: not a non-empty array of series" },
	{ "[3]", "db: row 1: not an object" },
	{ "[{\"series_code\":\"1-1\"}]", "db: row 1: missing 'function_code'\n"
	  "db: row 1: missing 'function_title'\ndb: row 1: missing "
	  "'series_title'\ndb: row 1: missing 'retention'\ndb: row 1: missing "
	  "'archival_value'\ndb: row 1: missing 'access'\ndb: row 1: missing "
	  "'access_basis'\ndb: row 1: missing 'access_term'\ndb: row 1: "
	  "missing 'valid_from'\ndb: row 1: missing 'valid_until'\ndb: row 1: "
	  "missing 'notes'" },
	{ "[" JROW("1-1", "5 a") ",\"owner\":\"x\"}]", "db: row 1: unknown "
	  "member 'owner'" },
	{ "[" JROW("1-1", "5 a") ",\"line\":-1}]", "db: row 1: 'line' is not "
	  "a line number" },
	{ "[" JROW("1-1", "5 a") ",\"notes\":5}]", "db: not JSON: line 1: "
	  "duplicate object key near '\"notes\"'" },
	{ "[" JROW("1-1", "5 a") "}," JROW("1-2", "0 a") "}," JROW("1-1",
	  "5 a") "}]", "db: row 2: 'retention' must be 'N a' (N years, "
	  "1..200) or 'alaline': '0 a'\ndb: row 3: series '1-1' is already in "
	  "row 1" },
	{ "[" JROW("1-1", "5 \\u0000a") "}]", "db: not JSON: line 1: "
	  "\\u0000 is not allowed without JSON_ALLOW_NUL near '\"5 "
	  "\\u0000a\"'" },
	{ "[" JROWN("1-1", "5 a", "\x1b[2J") "}]", "db: not JSON: line 1: "
	  "control character 0x1b near '\"'" },
	{ "[" JROWN("1-1", "5 a", "\\u001b[2J") "}]", "db: row 1: 'notes' "
	  "contains a control character" },
	{ "[" JROW("1-1", "5 a") ",\"\\u001b[2J\":1}]", "db: row 1: unknown "
	  "member '\\x1b[2J'" },
	{ "[" JROWN("1-1", "5 a", "two\\r\\nlines") "}]", "" },
};

static void
test_json_problems(void **state)
{
	struct arh_fileplan *plan = NULL;
	struct arh_problems probs;
	char joined[2048];
	size_t i, k;
	int r;

	(void)state;
	for (i = 0; i < sizeof(json_cases) / sizeof(json_cases[0]); i++) {
		arh_problems_init(&probs);
		r = arh_fileplan_from_json("db", json_cases[i].json,
		    strlen(json_cases[i].json), &plan, &probs);
		joined[0] = '\0';
		for (k = 0; k < probs.n; k++)
			snprintf(joined + strlen(joined), sizeof(joined) -
			    strlen(joined), "%s%s", k ? "\n" : "",
			    probs.items[k]);
		if (strcmp(joined, json_cases[i].problems) != 0)
			fail_msg("case %zu:\n got: %s\nwant: %s", i, joined,
			    json_cases[i].problems);
		assert_int_equal(r, probs.n ? ARH_EINVAL : 0);
		assert_true((plan != NULL) == (probs.n == 0));
		arh_fileplan_free(plan);
		plan = NULL;
		arh_problems_release(&probs);
	}
}

struct diffs {
	char	 text[1024];
	int	 stop_after;
	int	 calls;
};

static int
diff_cb(void *arg, enum arh_fileplan_change what,
    const struct arh_fileplan_row *before, const struct arh_fileplan_row *after,
    const char *const *fields, size_t nfields)
{
	struct diffs *d = arg;
	size_t i, len = strlen(d->text);
	const char *code = after ? after->series_code : before->series_code;

	assert_true((before == NULL) == (what == ARH_FILEPLAN_ADDED));
	assert_true((after == NULL) == (what == ARH_FILEPLAN_REMOVED));
	len += (size_t)snprintf(d->text + len, sizeof(d->text) - len, "%s %s",
	    what == ARH_FILEPLAN_ADDED ? "+" : what == ARH_FILEPLAN_REMOVED ?
	    "-" : "~", code);
	for (i = 0; i < nfields; i++)
		len += (size_t)snprintf(d->text + len, sizeof(d->text) - len,
		    "%s%s", i ? "," : " ", fields[i]);
	snprintf(d->text + len, sizeof(d->text) - len, ";");
	return ++d->calls == d->stop_after ? 42 : 0;
}

static void
test_diff(void **state)
{
	struct arh_fileplan *a = NULL, *b = NULL;
	struct diffs d;
	char *got;

	(void)state;
	got = parse_str(HDR OK1 OK2 "1,F,1-2,S,5 a,,Avalik,,,2019-01-01,,\n",
	    &a);
	free(got);
	got = parse_str(HDR "12,Koostöö,12-1,Kirjavahetus,7 a,H,AK,"
	    "AvTS § 35 lg 1 p 1,5 a,2019-01-01,2024-12-31,märkus\n"
	    "1,F,1-3,S,5 a,,Avalik,,,2019-01-01,,\n" OK1, &b);
	free(got);
	assert_non_null(a);
	assert_non_null(b);

	memset(&d, 0, sizeof(d));
	assert_int_equal(arh_fileplan_diff(a, b, diff_cb, &d), 0);
	assert_string_equal(d.text, "- 1-2;+ 1-3;~ 12-1 retention,"
	    "archival_value,valid_until;");

	memset(&d, 0, sizeof(d));
	assert_int_equal(arh_fileplan_diff(NULL, a, diff_cb, &d), 0);
	assert_string_equal(d.text, "+ 1-1;+ 1-2;+ 12-1;");

	memset(&d, 0, sizeof(d));
	assert_int_equal(arh_fileplan_diff(b, NULL, diff_cb, &d), 0);
	assert_string_equal(d.text, "- 1-1;- 1-3;- 12-1;");

	memset(&d, 0, sizeof(d));
	d.stop_after = 2;
	assert_int_equal(arh_fileplan_diff(a, b, diff_cb, &d), 42);
	assert_string_equal(d.text, "- 1-2;+ 1-3;");

	memset(&d, 0, sizeof(d));
	assert_int_equal(arh_fileplan_diff(a, a, diff_cb, &d), 0);
	assert_int_equal(d.calls, 0);
	arh_fileplan_free(a);
	arh_fileplan_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_table),
		cmocka_unit_test(test_all_at_once),
		cmocka_unit_test(test_problems_capped),
		cmocka_unit_test(test_size_limits),
		cmocka_unit_test(test_normalised_values),
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_version_stable),
		cmocka_unit_test(test_version_canonical_form),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_json_problems),
		cmocka_unit_test(test_diff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
