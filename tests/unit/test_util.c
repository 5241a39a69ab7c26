/* test_util.c — dates on the Tallinn calendar, durable publishing. */
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

#include "util.h"

static void
expect_date(const char *utc, const char *want)
{
	struct tm tm;
	char got[11];

	memset(&tm, 0, sizeof(tm));
	assert_non_null(strptime(utc, "%Y-%m-%dT%H:%M:%S", &tm));
	arh_tallinn_date(timegm(&tm), got);
	assert_string_equal(got, want);
}

/* Winter UTC+2, summer UTC+3, switching at 01:00 UTC on last Sundays. */
static void
test_tallinn_calendar(void **state)
{
	(void)state;
	/* New Year: 22:00 UTC on 31 December is midnight in Tallinn. */
	expect_date("2025-12-31T21:59:59", "2025-12-31");
	expect_date("2025-12-31T22:00:00", "2026-01-01");
	/* 2026: summer time from 29 March 01:00 UTC to 25 October 01:00. */
	expect_date("2026-03-28T21:59:59", "2026-03-28");
	expect_date("2026-03-28T22:00:00", "2026-03-29");
	expect_date("2026-06-30T20:59:59", "2026-06-30");
	expect_date("2026-06-30T21:00:00", "2026-07-01");
	expect_date("2026-10-24T20:59:59", "2026-10-24");
	expect_date("2026-10-24T21:00:00", "2026-10-25");
	expect_date("2026-10-25T21:59:59", "2026-10-25");
	expect_date("2026-10-25T22:00:00", "2026-10-26");
	/* Leap day. */
	expect_date("2028-02-28T22:00:00", "2028-02-29");
}

static void
test_date_epoch(void **state)
{
	(void)state;
	assert_int_equal(arh_date_epoch("1970-01-02"), 86400);
	assert_int_equal(arh_date_epoch("2024-12-19"), 1734566400);
	assert_int_equal(arh_date_epoch("2024-1-19"), -1);
	assert_int_equal(arh_date_epoch(NULL), -1);
}

static void
test_write_file_atomic(void **state)
{
	char dir[] = "/tmp/arh-util.XXXXXX", path[64], *buf;
	size_t len;
	int dfd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	assert_int_equal(arh_write_file_atomic(dfd, "f", "one", 3, 0600, 1,
	    NULL), 0);
	assert_int_equal(arh_write_file_atomic(dfd, "f", "two", 3, 0600, 1,
	    NULL), ARH_EEXIST);
	assert_int_equal(arh_read_file(dfd, "f", 100, &buf, &len, NULL), 0);
	assert_string_equal(buf, "one");
	free(buf);
	assert_int_equal(arh_write_file_atomic(dfd, "f", "two", 3, 0600, 0,
	    NULL), 0);
	assert_int_equal(arh_read_file(dfd, "f", 2, &buf, &len, NULL),
	    ARH_EINVAL);	/* over the cap */
	snprintf(path, sizeof(path), "%s/f", dir);
	unlink(path);
	close(dfd);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tallinn_calendar),
		cmocka_unit_test(test_date_epoch),
		cmocka_unit_test(test_write_file_atomic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
