/* test_dualhash.c — both digests of many streams, collected after sync. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "dualhash.h"
#include "util.h"

#define NSTREAM	40

struct got {
	char	sha512[NSTREAM][129];
	int	seen[NSTREAM];
	size_t	order[NSTREAM];
	size_t	n;
};

static void
collect(void *arg, size_t id, const char *sha512)
{
	struct got *g = arg;

	assert_true(id < NSTREAM);
	memcpy(g->sha512[id], sha512, 129);
	g->seen[id]++;
	g->order[g->n++] = id;
}

static void
test_abc(void **state)
{
	struct arh_dualhash *h;
	struct got *g = calloc(1, sizeof(*g));
	unsigned char *b;
	char s256[65], d512[129], d256[65];

	(void)state;
	assert_int_equal(arh_dualhash_new(&h, NULL), 0);
	assert_int_equal(arh_dualhash_begin(h, 7), 0);
	b = arh_dualhash_buffer(h);
	memcpy(b, "abc", 3);
	assert_int_equal(arh_dualhash_update(h, b, 3), 0);
	assert_int_equal(arh_dualhash_end(h, s256), 0);
	assert_int_equal(arh_dualhash_sync(h, collect, g), 0);
	assert_int_equal(g->seen[7], 1);
	assert_string_equal(s256, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	assert_string_equal(g->sha512[7], "ddaf35a193617abacc417349ae204131"
	    "12e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd"
	    "454d4423643ce80e2a9ac94fa54ca49f");
	assert_int_equal(arh_digests("abc", 3, d512, d256), 0);
	assert_string_equal(d512, g->sha512[7]);
	assert_string_equal(d256, s256);
	arh_dualhash_free(h);
	free(g);
}

/*
 * Many streams of different lengths (empty, small, several blocks), more
 * data in flight than the pool holds: every digest equals a one-shot
 * digest, each stream reported once, in order.
 */
static void
test_many_streams(void **state)
{
	const size_t block = ARH_DUALHASH_BLOCK;
	struct arh_dualhash *h;
	struct got *g = calloc(1, sizeof(*g));
	unsigned char *all, *b;
	char s256[NSTREAM][65], d512[129], d256[65];
	size_t i, len, off, k;

	(void)state;
	all = malloc(3 * block + 17);
	assert_non_null(all);
	for (i = 0; i < 3 * block + 17; i++)
		all[i] = (unsigned char)(i * 2654435761u >> 13);
	assert_int_equal(arh_dualhash_new(&h, NULL), 0);
	for (i = 0; i < NSTREAM; i++) {
		len = (i * 7919 * 97) % (3 * block + 17);
		if (i % 5 == 0)
			len = 0;
		assert_int_equal(arh_dualhash_begin(h, i), 0);
		for (off = 0; off < len; off += k) {
			k = len - off < block ? len - off : block;
			b = arh_dualhash_buffer(h);
			memcpy(b, all + off, k);
			assert_int_equal(arh_dualhash_update(h, b, k), 0);
		}
		assert_int_equal(arh_dualhash_end(h, s256[i]), 0);
	}
	assert_int_equal(arh_dualhash_sync(h, collect, g), 0);
	assert_int_equal(g->n, NSTREAM);
	for (i = 0; i < NSTREAM; i++) {
		len = i % 5 == 0 ? 0 : (i * 7919 * 97) % (3 * block + 17);
		assert_int_equal(arh_digests(all, len, d512, d256), 0);
		assert_int_equal(g->seen[i], 1);
		assert_int_equal(g->order[i], i);
		assert_string_equal(g->sha512[i], d512);
		assert_string_equal(s256[i], d256);
	}
	/* A second sync reports nothing new. */
	g->n = 0;
	assert_int_equal(arh_dualhash_sync(h, collect, g), 0);
	assert_int_equal(g->n, 0);
	arh_dualhash_free(h);
	arh_dualhash_free(NULL);
	free(all);
	free(g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abc),
		cmocka_unit_test(test_many_streams),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
