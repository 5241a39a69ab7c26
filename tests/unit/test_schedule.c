/* test_schedule.c — the clock of scheduled transfers: --at, the next run,
 * missed runs, the year a yearly run transfers, DST and backoff. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "schedtime.h"

static time_t
utc(const char *s)
{
	time_t t = 0;

	assert_int_equal(arh_sched_parse_utc(s, &t), 0);
	return t;
}

static void
expect_utc(time_t t, const char *want)
{
	char got[21];

	arh_sched_utc(t, got);
	assert_string_equal(got, want);
}

static struct arh_sched_at
parsed(const char *s, int yearly)
{
	struct arh_sched_at at;
	char why[256];

	assert_int_equal(arh_sched_parse(s, yearly, &at, why, sizeof(why)), 0);
	return at;
}

static void
refused(const char *s, int yearly, const char *needle)
{
	struct arh_sched_at at;
	char why[256] = "";

	assert_int_equal(arh_sched_parse(s, yearly, &at, why, sizeof(why)), -1);
	if (strstr(why, needle) == NULL)
		fail_msg("'%s': '%s' lacks '%s'", s, why, needle);
}

static void
test_parse(void **state)
{
	struct arh_sched_at at;
	char back[17];

	(void)state;
	at = parsed("2025-01-15T02:00", 0);
	assert_int_equal(at.y, 2025);
	assert_int_equal(at.mo, 1);
	assert_int_equal(at.d, 15);
	assert_int_equal(at.h, 2);
	assert_int_equal(at.mi, 0);
	arh_sched_format(&at, back);
	assert_string_equal(back, "2025-01-15T02:00");
	at = parsed("01-15T02:00", 1);
	assert_int_equal(at.yearly, 1);
	assert_int_equal(at.y, 0);
	arh_sched_format(&at, back);
	assert_string_equal(back, "01-15T02:00");
	parsed("2024-02-29T23:59", 0);	/* a leap day once is fine */
	refused("2025-02-29T02:00", 0, "YYYY-MM-DDTHH:MM");
	refused("2025-01-15 02:00", 0, "YYYY-MM-DDTHH:MM");
	refused("2025-01-15T24:00", 0, "YYYY-MM-DDTHH:MM");
	refused("2025-01-15T02:60", 0, "YYYY-MM-DDTHH:MM");
	refused("2025-01-15T02:00:00", 0, "YYYY-MM-DDTHH:MM");
	refused("2025-01-15T02:00", 1, "MM-DDTHH:MM");
	refused("01-15T02:00", 0, "YYYY-MM-DDTHH:MM");
	refused("13-01T02:00", 1, "MM-DDTHH:MM");
	refused("04-31T02:00", 1, "MM-DDTHH:MM");
	refused("02-29T02:00", 1, "cannot run on 02-29");
	refused("", 1, "MM-DDTHH:MM");
	refused("+1-15T02:00", 1, "MM-DDTHH:MM");
}

/* Tallinn wall-clock times: UTC+2 in winter, UTC+3 in summer. */
static void
test_local(void **state)
{
	(void)state;
	expect_utc(arh_sched_local(2025, 1, 15, 2, 0), "2025-01-15T00:00:00Z");
	expect_utc(arh_sched_local(2025, 7, 1, 12, 0), "2025-07-01T09:00:00Z");
	/* The spring gap of 30 March 2025: 03:30 does not exist; it runs
	 * as winter time, 01:30 UTC (04:30 on the clock). */
	expect_utc(arh_sched_local(2025, 3, 30, 2, 59), "2025-03-30T00:59:00Z");
	expect_utc(arh_sched_local(2025, 3, 30, 3, 30), "2025-03-30T01:30:00Z");
	expect_utc(arh_sched_local(2025, 3, 30, 4, 0), "2025-03-30T01:00:00Z");
	/* The autumn overlap of 26 October 2025: 03:30 comes twice; the
	 * first (summer time, 00:30 UTC). */
	expect_utc(arh_sched_local(2025, 10, 26, 3, 30), "2025-10-26T00:30:00Z");
	expect_utc(arh_sched_local(2025, 10, 26, 4, 0), "2025-10-26T02:00:00Z");
	expect_utc(arh_sched_local(2025, 10, 26, 2, 59), "2025-10-25T23:59:00Z");
}

static void
test_next(void **state)
{
	struct arh_sched_at once = parsed("2025-01-15T02:00", 0);
	struct arh_sched_at y = parsed("01-15T02:00", 1);
	struct arh_sched_at nye = parsed("01-01T00:30", 1);
	struct arh_sched_at dec = parsed("12-31T23:30", 1);

	(void)state;
	/* Once: its instant, before or after it (a missed run is due). */
	expect_utc(arh_sched_next(&once, utc("2024-06-01T00:00:00Z")),
	    "2025-01-15T00:00:00Z");
	expect_utc(arh_sched_next(&once, utc("2030-06-01T00:00:00Z")),
	    "2025-01-15T00:00:00Z");
	/* Yearly: this year's if still ahead, else next year's. */
	expect_utc(arh_sched_next(&y, utc("2024-06-01T00:00:00Z")),
	    "2025-01-15T00:00:00Z");
	expect_utc(arh_sched_next(&y, utc("2025-01-14T23:59:59Z")),
	    "2025-01-15T00:00:00Z");
	/* Strictly after: the run at that instant schedules next year's. */
	expect_utc(arh_sched_next(&y, utc("2025-01-15T00:00:00Z")),
	    "2026-01-15T00:00:00Z");
	/* Missed runs: the daemon down from 2025 to March 2028 runs the job
	 * once (its next_run passed) and then waits for 2029, not 2026. */
	expect_utc(arh_sched_next(&y, utc("2028-03-01T10:00:00Z")),
	    "2029-01-15T00:00:00Z");
	/* Year boundary: 22:00 UTC on 31 December is already 1 January in
	 * Tallinn. */
	expect_utc(arh_sched_next(&nye, utc("2025-12-31T22:00:00Z")),
	    "2025-12-31T22:30:00Z");
	expect_utc(arh_sched_next(&nye, utc("2025-12-31T22:31:00Z")),
	    "2026-12-31T22:30:00Z");
	expect_utc(arh_sched_next(&dec, utc("2025-12-31T21:00:00Z")),
	    "2025-12-31T21:30:00Z");
	/* Late on 31 December UTC is 1 January in Tallinn: next year's. */
	expect_utc(arh_sched_next(&dec, utc("2025-12-31T23:00:00Z")),
	    "2026-12-31T21:30:00Z");
}

static void
test_next_dst(void **state)
{
	struct arh_sched_at spring = parsed("03-30T03:30", 1);
	struct arh_sched_at autumn = parsed("10-26T03:30", 1);

	(void)state;
	/* In the gap in 2025 (30 March is its last Sunday), not in 2026. */
	expect_utc(arh_sched_next(&spring, utc("2025-01-01T00:00:00Z")),
	    "2025-03-30T01:30:00Z");
	expect_utc(arh_sched_next(&spring, utc("2025-03-30T01:30:00Z")),
	    "2026-03-30T00:30:00Z");
	/* The overlap: once, at the first 03:30. */
	expect_utc(arh_sched_next(&autumn, utc("2025-10-26T00:00:00Z")),
	    "2025-10-26T00:30:00Z");
	expect_utc(arh_sched_next(&autumn, utc("2025-10-26T00:30:00Z")),
	    "2026-10-26T01:30:00Z");
}

static void
test_transfer_year(void **state)
{
	(void)state;
	assert_int_equal(arh_sched_transfer_year(utc("2025-01-15T00:00:00Z")),
	    2024);
	assert_int_equal(arh_sched_transfer_year(utc("2025-12-31T21:59:59Z")),
	    2024);
	/* Midnight in Tallinn: already 2026, so 2025 is transferred. */
	assert_int_equal(arh_sched_transfer_year(utc("2025-12-31T22:00:00Z")),
	    2025);
	assert_int_equal(arh_sched_transfer_year(utc("2024-02-29T12:00:00Z")),
	    2023);
	assert_int_equal(arh_sched_transfer_year(utc("2025-07-01T00:00:00Z")),
	    2024);
}

static void
test_backoff(void **state)
{
	(void)state;
	assert_int_equal(arh_sched_backoff(60, 1), 60);
	assert_int_equal(arh_sched_backoff(60, 2), 120);
	assert_int_equal(arh_sched_backoff(60, 3), 240);
	assert_int_equal(arh_sched_backoff(60, 11), 61440);
	assert_int_equal(arh_sched_backoff(60, 12), ARH_SCHED_MAX_BACKOFF);
	assert_int_equal(arh_sched_backoff(60, 1000), ARH_SCHED_MAX_BACKOFF);
	assert_int_equal(arh_sched_backoff(86400, 1), 86400);
	assert_int_equal(arh_sched_backoff(0, 1), 1);
}

static void
test_utc_text(void **state)
{
	time_t t;

	(void)state;
	assert_int_equal(arh_sched_parse_utc("2025-01-15T00:00:00", &t), -1);
	assert_int_equal(arh_sched_parse_utc("2025-01-15T00:00:00Zx", &t), -1);
	assert_int_equal(arh_sched_parse_utc(NULL, &t), -1);
	expect_utc(utc("2024-02-29T23:59:59Z"), "2024-02-29T23:59:59Z");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_local),
		cmocka_unit_test(test_next),
		cmocka_unit_test(test_next_dst),
		cmocka_unit_test(test_transfer_year),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_utc_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
