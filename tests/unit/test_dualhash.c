/* test_dualhash.c — both digests, inline and threaded paths. */
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

static void
oneshot(const EVP_MD *md, const void *buf, size_t len, char *hex)
{
	unsigned char d[64];
	unsigned int n;

	assert_int_equal(EVP_Digest(buf, len, d, &n, md, NULL), 1);
	arh_hex(d, n, hex);
}

static void
test_abc(void **state)
{
	struct arh_dualhash *h;
	char s512[129], s256[65];

	(void)state;
	assert_int_equal(arh_dualhash_new(&h, NULL), 0);
	assert_int_equal(arh_dualhash_update(h, "abc", 3), 0);
	assert_int_equal(arh_dualhash_final(h, s512, s256), 0);
	assert_string_equal(s256, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	assert_string_equal(s512, "ddaf35a193617abacc417349ae204131"
	    "12e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd"
	    "454d4423643ce80e2a9ac94fa54ca49f");
	arh_dualhash_free(h);
}

/* Large blocks go to the worker; alternate two buffers as callers must. */
static void
test_threaded_matches_oneshot(void **state)
{
	const size_t block = 1024 * 1024, nblocks = 7;
	unsigned char *all, *buf[2];
	char a512[129], a256[65], b512[129], b256[65];
	struct arh_dualhash *h;
	size_t i;

	(void)state;
	all = malloc(block * nblocks + 5);
	buf[0] = malloc(block);
	buf[1] = malloc(block);
	assert_non_null(all);
	for (i = 0; i < block * nblocks + 5; i++)
		all[i] = (unsigned char)(i * 2654435761u >> 13);
	assert_int_equal(arh_dualhash_new(&h, NULL), 0);
	for (int round = 0; round < 2; round++) {
		assert_int_equal(arh_dualhash_begin(h), 0);
		for (i = 0; i < nblocks; i++) {
			memcpy(buf[i & 1], all + i * block, block);
			assert_int_equal(arh_dualhash_update(h, buf[i & 1],
			    block), 0);
		}
		memcpy(buf[i & 1], all + i * block, 5);	/* inline tail */
		assert_int_equal(arh_dualhash_update(h, buf[i & 1], 5), 0);
		assert_int_equal(arh_dualhash_final(h, b512, b256), 0);
		oneshot(EVP_sha512(), all, block * nblocks + 5, a512);
		oneshot(EVP_sha256(), all, block * nblocks + 5, a256);
		assert_string_equal(a512, b512);
		assert_string_equal(a256, b256);
	}
	arh_dualhash_free(h);
	free(all);
	free(buf[0]);
	free(buf[1]);
}

static void
test_empty(void **state)
{
	struct arh_dualhash *h;
	char s512[129], s256[65];

	(void)state;
	assert_int_equal(arh_dualhash_new(&h, NULL), 0);
	assert_int_equal(arh_dualhash_final(h, s512, s256), 0);
	assert_string_equal(s256, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	arh_dualhash_free(h);
	arh_dualhash_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abc),
		cmocka_unit_test(test_threaded_matches_oneshot),
		cmocka_unit_test(test_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
