/* test_util.c — dates on the Tallinn calendar, durable publishing, safe
 * rendering of untrusted text. */
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

#include "text.h"
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

static void
expect_escaped(const char *in, const char *want)
{
	char out[4 * 200 + 4], again[4 * 800 + 4];

	assert_true(strlen(in) <= 200);
	arh_escape_into(in, strlen(in), out);
	assert_string_equal(out, want);
	/* Escaping is idempotent: a message whose values were escaped can
	 * pass through the escaper again unchanged. */
	arh_escape_into(out, strlen(out), again);
	assert_string_equal(again, want);
}

static void
test_escape(void **state)
{
	char out[4 * ARH_SHOW_BYTES + 4];

	(void)state;
	expect_escaped("plain õiend.pdf", "plain õiend.pdf");
	expect_escaped("a\\b", "a\\b");	/* backslash kept as it is */
	/* C0, DEL, C1: each byte as \xNN. */
	expect_escaped("\x1b[2J\x1b]0;x\a", "\\x1b[2J\\x1b]0;x\\x07");
	expect_escaped("x\n12-1/2024: OK", "x\\x0a12-1/2024: OK");
	expect_escaped("\t\r\x7f", "\\x09\\x0d\\x7f");
	expect_escaped("c1\xc2\x85\xc2\x9b", "c1\\xc2\\x85\\xc2\\x9b");
	expect_escaped("\xc2\xa0nbsp", "\xc2\xa0nbsp");	/* U+00A0 stays */
	/* Format characters: bidi override, isolates, zero-width, BOM,
	 * line and paragraph separators. */
	expect_escaped("fdp\xe2\x80\xae.exe", "fdp\\xe2\\x80\\xae.exe");
	expect_escaped("\xe2\x80\xaa\xe2\x81\xa6\xe2\x81\xa9",
	    "\\xe2\\x80\\xaa\\xe2\\x81\\xa6\\xe2\\x81\\xa9");
	expect_escaped("\xe2\x80\x8bzw\xe2\x80\x8f",
	    "\\xe2\\x80\\x8bzw\\xe2\\x80\\x8f");
	expect_escaped("\xef\xbb\xbf" "bom", "\\xef\\xbb\\xbfbom");
	expect_escaped("\xe2\x80\xa8\xe2\x80\xa9",
	    "\\xe2\\x80\\xa8\\xe2\\x80\\xa9");
	/* Neighbours of the ranges are ordinary text. */
	expect_escaped("\xe2\x80\x8a\xe2\x80\x90\xe2\x80\xaf\xe2\x81\xa5",
	    "\xe2\x80\x8a\xe2\x80\x90\xe2\x80\xaf\xe2\x81\xa5");
	/* Not UTF-8: the bad bytes only. */
	expect_escaped("bad\xff\xc3", "bad\\xff\\xc3");
	expect_escaped("\xed\xa0\x80", "\\xed\\xa0\\x80");	/* surrogate */
	/* arh_show cuts at ARH_SHOW_BYTES, never inside a character. */
	memset(out, 'x', ARH_SHOW_BYTES + 10);
	out[ARH_SHOW_BYTES + 10] = '\0';
	assert_int_equal(strlen(arh_show(out).s), ARH_SHOW_BYTES + 3);
	assert_string_equal(arh_show("\xe2\x80\xae").s, "\\xe2\\x80\\xae");
}

static void
test_classes(void **state)
{
	static const ucs4_t format[] = { 0x200b, 0x200c, 0x200d, 0x200e,
	    0x200f, 0x2028, 0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e,
	    0x2066, 0x2067, 0x2068, 0x2069, 0xfeff };
	static const ucs4_t plain[] = { ' ', 'a', 0xa0, 0xad, 0x200a, 0x2010,
	    0x2027, 0x202f, 0x2065, 0x206a, 0xfefe, 0xff00, 0x1f600 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(format) / sizeof(format[0]); i++) {
		assert_true(arh_is_format(format[i]));
		assert_false(arh_is_control(format[i]));
	}
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		assert_false(arh_is_format(plain[i]));
		assert_false(arh_is_control(plain[i]));
	}
	assert_true(arh_is_control(0x1b));
	assert_true(arh_is_control(0x7f));
	assert_true(arh_is_control(0x9f));
	assert_false(arh_is_format(0x1b));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tallinn_calendar),
		cmocka_unit_test(test_date_epoch),
		cmocka_unit_test(test_write_file_atomic),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_classes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
