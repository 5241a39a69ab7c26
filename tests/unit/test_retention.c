/*
 * test_retention.c — retention and disposition: a table over year ends,
 * leap days, AV / H / none, permanent series and the 10-year transfer cap;
 * the due date to the day; bad input; the sample plan's series.
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
#include "arhiivar/retention.h"

#define NONE	ARH_ARCHIVAL_NONE
#define AV	ARH_ARCHIVAL_AV
#define H	ARH_ARCHIVAL_H

struct ret_case {
	const char	*name;
	int		 years;		/* 0 = alaline */
	enum arh_archival archival;
	const char	*opened, *closed;
	int		 rc;
	const char	*start, *end, *action, *due;
	const char	*rule;		/* exact, or NULL to skip */
};

static const struct ret_case cases[] = {
	{ "12-1/2024: 10 a, destroy", 10, NONE, "2024-01-02", "2024-12-31", 0,
	  "2025-01-01", "2034-12-31", "destroy", "2035-01-01",
	  "series 12-1 (Kirjavahetus kriminaalasjades): retention 10 a, "
	  "2025-01-01 to 2034-12-31; no archival value: destroy, due "
	  "2035-01-01, the day after retention ends" },
	{ "closed on 1 January", 10, NONE, NULL, "2024-01-01", 0,
	  "2025-01-01", "2034-12-31", "destroy", "2035-01-01", NULL },
	{ "closed on 31 December", 1, NONE, NULL, "2023-12-31", 0,
	  "2024-01-01", "2024-12-31", "destroy", "2025-01-01", NULL },
	{ "leap day, 1 a", 1, NONE, NULL, "2024-02-29", 0, "2025-01-01",
	  "2025-12-31", "destroy", "2026-01-01", NULL },
	{ "leap day, 5 a", 5, NONE, "2024-02-01", "2024-02-29", 0,
	  "2025-01-01", "2029-12-31", "destroy", "2030-01-01", NULL },
	{ "leap day, 5 a AV: retention ends first", 5, AV, NULL, "2024-02-29",
	  0, "2025-01-01", "2029-12-31", "transfer", "2030-01-01", NULL },
	{ "leap day, alaline AV: 28 February", 0, AV, NULL, "2024-02-29", 0,
	  "2025-01-01", "", "transfer", "2034-02-28",
	  "series 12-1 (Kirjavahetus kriminaalasjades): permanent retention "
	  "(alaline) from 2025-01-01; archival value (AV): transfer to the "
	  "National Archives, due 2034-02-28, 10 years after the case file "
	  "closed (records go to the National Archives at the latest 10 years "
	  "after they were created)" },
	{ "leap day, alaline H: 28 February", 0, H, NULL, "2024-02-29", 0,
	  "2025-01-01", "", "review", "2034-02-28",
	  "series 12-1 (Kirjavahetus kriminaalasjades): permanent retention "
	  "(alaline) from 2025-01-01; under appraisal (H): review, due "
	  "2034-02-28, 10 years after the case file closed" },
	{ "AV 5 a mid-year: day after the end", 5, AV, NULL, "2024-06-15", 0,
	  "2025-01-01", "2029-12-31", "transfer", "2030-01-01",
	  "series 12-1 (Kirjavahetus kriminaalasjades): retention 5 a, "
	  "2025-01-01 to 2029-12-31; archival value (AV): transfer to the "
	  "National Archives, due 2030-01-01, the day after retention ends" },
	{ "AV 10 a mid-year: 10-year cap first", 10, AV, NULL, "2024-06-15", 0,
	  "2025-01-01", "2034-12-31", "transfer", "2034-06-15",
	  "series 12-1 (Kirjavahetus kriminaalasjades): retention 10 a, "
	  "2025-01-01 to 2034-12-31; archival value (AV): transfer to the "
	  "National Archives, due 2034-06-15, 10 years after the case file "
	  "closed (records go to the National Archives at the latest 10 years "
	  "after they were created)" },
	{ "AV 9 a closed 1 January: both the same day", 9, AV, NULL,
	  "2024-01-01", 0, "2025-01-01", "2033-12-31", "transfer",
	  "2034-01-01", NULL },
	{ "AV 50 a: cap", 50, AV, NULL, "2024-12-31", 0, "2025-01-01",
	  "2074-12-31", "transfer", "2034-12-31", NULL },
	{ "H 7 a: review the day after", 7, H, NULL, "2023-05-05", 0,
	  "2024-01-01", "2030-12-31", "review", "2031-01-01",
	  "series 12-1 (Kirjavahetus kriminaalasjades): retention 7 a, "
	  "2024-01-01 to 2030-12-31; under appraisal (H): review, due "
	  "2031-01-01, the day after retention ends" },
	{ "alaline, no archival value: keep", 0, NONE, "2020-01-01",
	  "2024-12-31", 0, "2025-01-01", "", "keep", "",
	  "series 12-1 (Kirjavahetus kriminaalasjades): permanent retention "
	  "(alaline) from 2025-01-01; no archival value: keep in the "
	  "organisation, never due" },
	{ "opened and closed the same day", 3, NONE, "2024-03-01",
	  "2024-03-01", 0, "2025-01-01", "2027-12-31", "destroy", "2028-01-01",
	  NULL },
	{ "200 a near the calendar's end", 200, NONE, NULL, "9798-12-31", 0,
	  "9799-01-01", "9998-12-31", "destroy", "9999-01-01", NULL },
	{ "past 9999", 200, NONE, NULL, "9799-12-31", ARH_EINVAL, "", "",
	  "keep", "", "series 12-1: the retention dates of a case file closed "
	  "9799-12-31 would pass 9999-12-31" },
	{ "closed not a date", 10, NONE, NULL, "2024-13-01", ARH_EINVAL, "",
	  "", "keep", "", "the closing date is not a date YYYY-MM-DD: "
	  "'2024-13-01'" },
	{ "closed missing", 10, NONE, NULL, NULL, ARH_EINVAL, "", "", "keep",
	  "", "the closing date is not a date YYYY-MM-DD: '(none)'" },
	{ "closed 29 February of a common year", 10, NONE, NULL, "2023-02-29",
	  ARH_EINVAL, "", "", "keep", "", NULL },
	{ "opened not a date", 10, NONE, "2024-1-1", "2024-12-31", ARH_EINVAL,
	  "", "", "keep", "", "the opening date is not a date YYYY-MM-DD: "
	  "'2024-1-1'" },
	{ "opened after closed", 10, NONE, "2025-01-01", "2024-12-31",
	  ARH_EINVAL, "", "", "keep", "", "the case file was opened "
	  "2025-01-01, after it closed 2024-12-31" },
	{ "retention out of range", 201, NONE, NULL, "2024-12-31", ARH_EINVAL,
	  "", "", "keep", "", "series 12-1 has no valid retention period" },
	{ "archival value out of range", 10, (enum arh_archival)7, NULL,
	  "2024-12-31", ARH_EINVAL, "", "", "keep", "", "series 12-1 has no "
	  "valid archival value" },
};

static void
row_init(struct arh_fileplan_row *row, int years, enum arh_archival av)
{
	memset(row, 0, sizeof(*row));
	row->series_code = (char *)"12-1";
	row->series_title = (char *)"Kirjavahetus kriminaalasjades";
	row->retention = (char *)(years ? "N a" : "alaline");
	row->retention_years = years;
	row->archival = av;
}

static void
test_retention_table(void **state)
{
	struct arh_fileplan_row row;
	struct arh_retention r;
	const struct ret_case *c;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = &cases[i];
		row_init(&row, c->years, c->archival);
		rc = arh_retention_compute(&row, c->opened, c->closed, &r);
		if (rc != c->rc || strcmp(r.start, c->start) != 0 ||
		    strcmp(r.end, c->end) != 0 ||
		    strcmp(r.action, c->action) != 0 ||
		    strcmp(r.due, c->due) != 0 ||
		    (c->rule != NULL && strcmp(r.rule, c->rule) != 0))
			fail_msg("%s: got rc %d %s..%s %s due %s\n  %s",
			    c->name, rc, r.start, r.end, r.action, r.due,
			    r.rule);
		assert_true(r.rule[0] != '\0');
	}
}

static void
test_null_row(void **state)
{
	struct arh_retention r;

	(void)state;
	assert_int_equal(arh_retention_compute(NULL, NULL, "2024-12-31", &r),
	    ARH_EINVAL);
	assert_string_equal(r.rule, "no file-plan series given");
	assert_string_equal(r.action, "keep");
	assert_int_equal(arh_retention_due(&r, "2999-01-01"), 0);
}

/* Due on the due date itself, not the day before. */
static void
test_due_exact_day(void **state)
{
	struct arh_fileplan_row row;
	struct arh_retention r;

	(void)state;
	row_init(&row, 10, NONE);
	assert_int_equal(arh_retention_compute(&row, NULL, "2024-12-31", &r),
	    0);
	assert_int_equal(r.act, ARH_ACTION_DESTROY);
	assert_int_equal(arh_retention_due(&r, "2034-12-31"), 0);
	assert_int_equal(arh_retention_due(&r, "2035-01-01"), 1);
	assert_int_equal(arh_retention_due(&r, "2040-06-30"), 1);
	assert_int_equal(arh_retention_due(&r, "2035-1-1"), 0);
	assert_int_equal(arh_retention_due(&r, NULL), 0);
	assert_int_equal(arh_retention_due(NULL, "2035-01-01"), 0);

	row_init(&row, 0, AV);
	assert_int_equal(arh_retention_compute(&row, NULL, "2024-02-29", &r),
	    0);
	assert_int_equal(arh_retention_due(&r, "2034-02-27"), 0);
	assert_int_equal(arh_retention_due(&r, "2034-02-28"), 1);

	row_init(&row, 0, NONE);	/* keep: never due */
	assert_int_equal(arh_retention_compute(&row, NULL, "1900-01-01", &r),
	    0);
	assert_int_equal(r.act, ARH_ACTION_KEEP);
	assert_int_equal(arh_retention_due(&r, "9999-12-31"), 0);
}

static struct arh_fileplan *
sample_plan(void)
{
	struct arh_fileplan *plan = NULL;
	FILE *f = fopen("sample/fileplan.csv", "rb");
	char buf[8192];
	size_t len;

	assert_non_null(f);
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_int_equal(arh_fileplan_parse("sample/fileplan.csv", buf, len,
	    &plan, NULL), 0);
	return plan;
}

static void
test_sample_series(void **state)
{
	struct arh_fileplan *plan = sample_plan();
	struct arh_retention r;

	(void)state;
	/* Case file 12-1/2024. */
	assert_int_equal(arh_retention_compute(arh_fileplan_find(plan, "12-1"),
	    "2024-01-02", "2024-12-31", &r), 0);
	assert_string_equal(r.start, "2025-01-01");
	assert_string_equal(r.end, "2034-12-31");
	assert_string_equal(r.action, "destroy");
	assert_string_equal(r.due, "2035-01-01");
	assert_string_equal(r.rule, "series 12-1 (Kirjavahetus "
	    "kriminaalasjades): retention 10 a, 2025-01-01 to 2034-12-31; no "
	    "archival value: destroy, due 2035-01-01, the day after retention "
	    "ends");

	/* 12-3: alaline, AV. */
	assert_int_equal(arh_retention_compute(arh_fileplan_find(plan, "12-3"),
	    NULL, "2024-12-31", &r), 0);
	assert_string_equal(r.start, "2025-01-01");
	assert_string_equal(r.end, "");
	assert_string_equal(r.action, "transfer");
	assert_string_equal(r.due, "2034-12-31");
	assert_int_equal(arh_retention_due(&r, "2034-12-30"), 0);
	assert_int_equal(arh_retention_due(&r, "2034-12-31"), 1);

	/* 1-2: 5 a, none; 15-1: 50 a, none; 1-1: alaline AV. */
	assert_int_equal(arh_retention_compute(arh_fileplan_find(plan, "15-1"),
	    NULL, "2020-08-31", &r), 0);
	assert_string_equal(r.end, "2070-12-31");
	assert_string_equal(r.due, "2071-01-01");
	assert_int_equal(arh_retention_compute(arh_fileplan_find(plan, "1-1"),
	    NULL, "2019-12-31", &r), 0);
	assert_string_equal(r.due, "2029-12-31");
	arh_fileplan_free(plan);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retention_table),
		cmocka_unit_test(test_null_row),
		cmocka_unit_test(test_due_exact_day),
		cmocka_unit_test(test_sample_series),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
