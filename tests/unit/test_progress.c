/* test_progress.c — when the library calls a progress callback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "arhiivar/progress.h"

struct seen {
	int	 calls;
	uint64_t files, bytes, files_total, bytes_total;
};

static void
record(void *arg, uint64_t files, uint64_t files_total, uint64_t bytes,
    uint64_t bytes_total)
{
	struct seen *s = arg;

	s->calls++;
	s->files = files;
	s->bytes = bytes;
	s->files_total = files_total;
	s->bytes_total = bytes_total;
}

/* One call at the start, one per step of files or bytes, one at the end. */
static void
test_steps(void **state)
{
	struct seen s;
	struct arh_progress p = { record, &s };
	struct arh_progress_count pc;
	uint64_t i;

	(void)state;
	memset(&s, 0, sizeof(s));
	arh_progress_begin(&pc, &p, 1000, 1000);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.files_total, 1000);
	for (i = 0; i < 1000; i++)
		arh_progress_add(&pc, 1, 1);
	assert_int_equal(s.calls, 1 + 1000 / ARH_PROGRESS_FILES);
	arh_progress_end(&pc);
	assert_int_equal(s.files, 1000);
	assert_int_equal(s.bytes, 1000);

	/* Bytes: a call per ARH_PROGRESS_BYTES, not per block. */
	memset(&s, 0, sizeof(s));
	arh_progress_begin(&pc, &p, 1, 64ULL * ARH_PROGRESS_BYTES);
	for (i = 0; i < 64 * 16; i++)
		arh_progress_add(&pc, 0, ARH_PROGRESS_BYTES / 16);
	assert_int_equal(s.calls, 1 + 64);
	assert_int_equal(s.bytes, 64ULL * ARH_PROGRESS_BYTES);
}

/* No struct, or no callback: nothing is called, counting still works. */
static void
test_none(void **state)
{
	struct arh_progress p = { NULL, NULL };
	struct arh_progress_count pc;

	(void)state;
	arh_progress_begin(&pc, NULL, 3, 3);
	arh_progress_add(&pc, 3, 3);
	arh_progress_end(&pc);
	assert_int_equal(pc.files, 3);
	arh_progress_begin(&pc, &p, 3, 3);
	arh_progress_add(&pc, 1000, 1ULL << 40);
	arh_progress_end(&pc);
	assert_null(pc.p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steps),
		cmocka_unit_test(test_none),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
