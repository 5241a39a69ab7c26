/*
 * fuzz_tlog_proof.c — libFuzzer target: arbitrary bytes as a tlog proof
 * (arh_tlog_proof_parse()) and as a consistency proof
 * (arh_consistency_proof_parse()).
 *
 * Besides "no crash, no leak" it checks: every failure says why, and a
 * proof that parses is written back by the matching _format() byte for
 * byte (both formats have one spelling per value).  Seeds in
 * tests/fuzz/corpus/tlog_proof/: the c2sp.org/tlog-proof example with its
 * elided signatures filled in, the same without extra data, an empty
 * proof, and consistency proofs of 0, 1 and 4 hashes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arhiivar/note.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
same(int r, const char *out, size_t len, const char *buf, size_t size)
{
	if (r != 0 || len != size || memcmp(out, buf, size) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arh_tlog_proof p;
	struct arh_consistency_proof c;
	struct arh_err err;
	char *buf, *out;
	size_t len;
	int r;

	/* A copy of exactly size bytes: ASan sees any read past the end. */
	if ((buf = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(buf, data, size);

	arh_err_clear(&err);
	r = arh_tlog_proof_parse(buf, size, &p, &err);
	if (r != 0 && (r != ARH_EFORMAT || err.msg[0] == '\0'))
		abort();
	if (r == 0) {
		if (p.checkpoint_len == 0 || p.n > ARH_PROOF_MAX_HASHES ||
		    (p.extra == NULL) != (p.extra_len == 0))
			abort();
		r = arh_tlog_proof_format(&p, &out, &len, &err);
		same(r, out, len, buf, size);
		free(out);
	}
	arh_tlog_proof_release(&p);

	arh_err_clear(&err);
	r = arh_consistency_proof_parse(buf, size, &c, &err);
	if (r != 0 && (r != ARH_EFORMAT || err.msg[0] == '\0'))
		abort();
	if (r == 0) {
		if (c.n != arh_consistency_proof_len(c.old, c.size))
			abort();
		r = arh_consistency_proof_format(&c, &out, &len, &err);
		same(r, out, len, buf, size);
		free(out);
	}
	arh_consistency_proof_release(&c);
	free(buf);
	return 0;
}
