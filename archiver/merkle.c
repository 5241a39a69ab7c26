/*
 * merkle.c — the RFC 6962 Merkle tree over node storage the caller owns.
 *
 * The proofs walk the RFC's recursion from the top down, keeping only the
 * range [lo, hi) of the step in hand.  Each step's sibling is one stored
 * node, except the one right sibling whose range still ends at the tree's
 * end: that is a run of complete subtrees, folded from the right
 * (range_hash).  The siblings come out top first and are reversed at the
 * end into the RFC's order, which lists them from the bottom up.
 *
 * The checks follow RFC 9162's bit-shifting loops, with the length of the
 * proof checked first so that a wrong length gets its own message.
 */
#include <assert.h>
#include <inttypes.h>
#include <string.h>

#include <openssl/evp.h>

#include "arhiivar/merkle.h"

#define HLEN	ARH_MERKLE_HASH

/* One SHA-256 context reused for all the hashes of one call. */
struct hasher {
	EVP_MD_CTX	*ctx;
};

static int
hasher_open(struct hasher *hs, struct arh_err *err)
{
	if ((hs->ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex2(hs->ctx, EVP_sha256(), NULL) != 1)
		return arh_errf(err, ARH_ECRYPTO, "cannot start SHA-256");
	return 0;
}

static void
hasher_close(struct hasher *hs)
{
	EVP_MD_CTX_free(hs->ctx);
	hs->ctx = NULL;
}

/* SHA-256(a || b); a NULL a or b has length 0. */
static int
digest(struct hasher *hs, const void *a, size_t alen, const void *b,
    size_t blen, unsigned char out[HLEN], struct arh_err *err)
{
	unsigned int n = 0;

	if (EVP_DigestInit_ex2(hs->ctx, NULL, NULL) != 1 ||
	    EVP_DigestUpdate(hs->ctx, a, alen) != 1 ||
	    EVP_DigestUpdate(hs->ctx, b, blen) != 1 ||
	    EVP_DigestFinal_ex(hs->ctx, out, &n) != 1 || n != HLEN)
		return arh_errf(err, ARH_ECRYPTO, "SHA-256 failed");
	return 0;
}

/* One buffer, one update: a second update costs a fifth of the hash. */
static int
node(struct hasher *hs, const unsigned char l[HLEN],
    const unsigned char r[HLEN], unsigned char out[HLEN], struct arh_err *err)
{
	unsigned char buf[1 + 2 * HLEN];

	buf[0] = 0x01;
	memcpy(buf + 1, l, HLEN);
	memcpy(buf + 1 + HLEN, r, HLEN);
	return digest(hs, buf, sizeof(buf), NULL, 0, out, err);
}

static int
empty_root(struct hasher *hs, unsigned char out[HLEN], struct arh_err *err)
{
	return digest(hs, NULL, 0, NULL, 0, out, err);
}

int
arh_merkle_leaf_hash(const void *entry, size_t len, unsigned char out[HLEN],
    struct arh_err *err)
{
	static const unsigned char prefix = 0x00;
	struct hasher hs;
	int r;

	if ((r = hasher_open(&hs, err)) == 0)
		r = digest(&hs, &prefix, 1, entry, len, out, err);
	hasher_close(&hs);
	return r;
}

int
arh_merkle_node_hash(const unsigned char l[HLEN], const unsigned char r[HLEN],
    unsigned char out[HLEN], struct arh_err *err)
{
	struct hasher hs;
	int rc;

	if ((rc = hasher_open(&hs, err)) == 0)
		rc = node(&hs, l, r, out, err);
	hasher_close(&hs);
	return rc;
}

/* The largest power of two below n (n >= 2): the top bit of n - 1. */
static uint64_t
split(uint64_t n)
{
	uint64_t k = n - 1;

	while (k & (k - 1))
		k &= k - 1;
	return k;
}

static int
too_big(struct arh_err *err, uint64_t size)
{
	return arh_errf(err, ARH_EUSAGE, "a Merkle tree of %" PRIu64 " leaves "
	    "is larger than the largest (2^63)", size);
}

/* A store callback's answer: negative codes as they are, 0, or a bug. */
static int
callback(int r, const char *what, unsigned level, uint64_t index,
    struct arh_err *err)
{
	if (r > 0)
		return arh_errf(err, ARH_EINTERNAL, "Merkle %s of node (%u, %"
		    PRIu64 ") returned %d", what, level, index, r);
	return r;
}

static int
get(const struct arh_merkle_store *s, unsigned level, uint64_t index,
    unsigned char out[HLEN], struct arh_err *err)
{
	return callback(s->get(s->arg, level, index, out, err), "get", level,
	    index, err);
}

/*
 * MTH(D[lo:hi]), lo < hi, lo a multiple of the largest power of two not
 * above hi - lo: the stored subtrees of hi - lo's one bits, largest first
 * from lo, folded from the right.  One get per one bit.
 */
static int
range_hash(const struct arh_merkle_store *s, struct hasher *hs, uint64_t lo,
    uint64_t hi, unsigned char out[HLEN], struct arh_err *err)
{
	unsigned char acc[HLEN], piece[HLEN];
	uint64_t len = hi - lo, pos = hi;
	unsigned level;
	int r, first = 1;

	for (level = 0; level < 64; level++) {
		if ((len >> level & 1) == 0)
			continue;
		pos -= UINT64_C(1) << level;
		assert((pos & ((UINT64_C(1) << level) - 1)) == 0);
		if ((r = get(s, level, pos >> level, first ? acc : piece,
		    err)) != 0)
			return r;
		if (!first && (r = node(hs, piece, acc, acc, err)) != 0)
			return r;
		first = 0;
	}
	assert(pos == lo);
	memcpy(out, acc, HLEN);
	return 0;
}

int
arh_merkle_append(const struct arh_merkle_store *s, uint64_t size,
    const unsigned char leaf[HLEN], struct arh_err *err)
{
	struct hasher hs = { NULL };
	unsigned char cur[HLEN], left[HLEN];
	uint64_t index = size;
	unsigned level = 0;
	int r;

	if (size >= ARH_MERKLE_MAX_SIZE)
		return too_big(err, size + 1);
	memcpy(cur, leaf, HLEN);
	if ((r = callback(s->put(s->arg, 0, index, cur, err), "put", 0, index,
	    err)) != 0 || (r = hasher_open(&hs, err)) != 0)
		goto out;
	/* An odd index is a right child: its parent is complete now. */
	for (; index & 1; index >>= 1) {
		if ((r = get(s, level, index - 1, left, err)) != 0 ||
		    (r = node(&hs, left, cur, cur, err)) != 0)
			goto out;
		level++;
		if ((r = callback(s->put(s->arg, level, index >> 1, cur, err),
		    "put", level, index >> 1, err)) != 0)
			goto out;
	}
	r = 0;
out:
	hasher_close(&hs);
	return r;
}

int
arh_merkle_root(const struct arh_merkle_store *s, uint64_t size,
    unsigned char out[HLEN], struct arh_err *err)
{
	struct hasher hs = { NULL };
	unsigned char h[HLEN];
	int r;

	if (size > ARH_MERKLE_MAX_SIZE)
		return too_big(err, size);
	if ((r = hasher_open(&hs, err)) != 0)
		goto out;
	if ((r = size == 0 ? empty_root(&hs, h, err) :
	    range_hash(s, &hs, 0, size, h, err)) != 0)
		goto out;
	memcpy(out, h, HLEN);
out:
	hasher_close(&hs);
	return r;
}

static void
reverse(struct arh_merkle_proof *p)
{
	unsigned char t[HLEN];
	size_t i, j;

	for (i = 0, j = p->n; i + 1 < j; i++, j--) {
		memcpy(t, p->h[i], HLEN);
		memcpy(p->h[i], p->h[j - 1], HLEN);
		memcpy(p->h[j - 1], t, HLEN);
	}
}

/* The next free hash of p; the size caps bound every proof. */
static unsigned char *
slot(struct arh_merkle_proof *p)
{
	assert(p->n < ARH_MERKLE_MAX_PROOF);
	return p->h[p->n];
}

int
arh_merkle_inclusion(const struct arh_merkle_store *s, uint64_t index,
    uint64_t size, struct arh_merkle_proof *proof, struct arh_err *err)
{
	struct hasher hs = { NULL };
	uint64_t lo = 0, hi = size, k;
	int r;

	proof->n = 0;
	if (size > ARH_MERKLE_MAX_SIZE)
		return too_big(err, size);
	if (index >= size)
		return arh_errf(err, ARH_EUSAGE, "leaf %" PRIu64 " is not in a "
		    "Merkle tree of %" PRIu64 " leaves", index, size);
	if ((r = hasher_open(&hs, err)) != 0)
		goto out;
	while (hi - lo > 1) {
		k = split(hi - lo);
		if (index < lo + k) {
			r = range_hash(s, &hs, lo + k, hi, slot(proof), err);
			hi = lo + k;
		} else {
			r = range_hash(s, &hs, lo, lo + k, slot(proof), err);
			lo += k;
		}
		if (r != 0)
			goto out;
		proof->n++;
	}
	reverse(proof);
out:
	if (r != 0)
		proof->n = 0;
	hasher_close(&hs);
	return r;
}

int
arh_merkle_consistency(const struct arh_merkle_store *s, uint64_t old,
    uint64_t size, struct arh_merkle_proof *proof, struct arh_err *err)
{
	struct hasher hs = { NULL };
	uint64_t lo = 0, hi = size, k;
	int r, known = 1;

	proof->n = 0;
	if (size > ARH_MERKLE_MAX_SIZE)
		return too_big(err, size);
	if (old == 0 || old > size)
		return arh_errf(err, ARH_EUSAGE, "no consistency proof leads "
		    "from %" PRIu64 " to %" PRIu64 " leaves", old, size);
	if (old == size)
		return 0;
	if ((r = hasher_open(&hs, err)) != 0)
		goto out;
	/*
	 * RFC 6962's SUBPROOF(m, D[lo:hi], b); `known` is b: [lo, old) is
	 * the whole old tree, whose root the verifier has.
	 */
	while (old != hi) {
		k = split(hi - lo);
		if (old <= lo + k) {
			r = range_hash(s, &hs, lo + k, hi, slot(proof), err);
			hi = lo + k;
		} else {
			r = range_hash(s, &hs, lo, lo + k, slot(proof), err);
			lo += k;
			known = 0;
		}
		if (r != 0)
			goto out;
		proof->n++;
	}
	if (!known) {
		if ((r = range_hash(s, &hs, lo, hi, slot(proof), err)) != 0)
			goto out;
		proof->n++;
	}
	reverse(proof);
out:
	if (r != 0)
		proof->n = 0;
	hasher_close(&hs);
	return r;
}

/*
 * How many hashes RFC 9162's loop consumes from (fn, sn) until sn is 0:
 * the one length of proof that can hold.
 */
static size_t
steps(uint64_t fn, uint64_t sn)
{
	size_t n = 0;

	for (; sn != 0; fn >>= 1, sn >>= 1, n++)
		if ((fn & 1) == 0 && fn == sn)
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
	return n;
}

int
arh_merkle_verify_inclusion(uint64_t index, uint64_t size,
    const unsigned char leaf[HLEN], const struct arh_merkle_proof *proof,
    const unsigned char root[HLEN], struct arh_err *err)
{
	struct hasher hs = { NULL };
	unsigned char h[HLEN];
	uint64_t fn = index, sn = size - 1;
	size_t i, want;
	int r;

	if (size > ARH_MERKLE_MAX_SIZE || index >= size)
		return arh_errf(err, ARH_EVERIFY, "leaf %" PRIu64 " cannot be "
		    "in a Merkle tree of %" PRIu64 " leaves", index, size);
	if (proof->n != (want = steps(fn, sn)))
		return arh_errf(err, ARH_EVERIFY, "inclusion proof has %zu "
		    "hashes; that of leaf %" PRIu64 " in a tree of %" PRIu64
		    " leaves has %zu", proof->n, index, size, want);
	if ((r = hasher_open(&hs, err)) != 0)
		goto out;
	memcpy(h, leaf, HLEN);
	for (i = 0; i < proof->n; i++, fn >>= 1, sn >>= 1) {
		if ((fn & 1) || fn == sn) {
			if ((r = node(&hs, proof->h[i], h, h, err)) != 0)
				goto out;
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else if ((r = node(&hs, h, proof->h[i], h, err)) != 0)
			goto out;
	}
	if (memcmp(h, root, HLEN) != 0)
		r = arh_errf(err, ARH_EVERIFY, "inclusion proof of leaf %" PRIu64
		    " does not lead to the root of the tree of %" PRIu64
		    " leaves", index, size);
out:
	hasher_close(&hs);
	return r;
}

/* Check the roots of old == size; the proof must be empty. */
static int
verify_same(uint64_t size, const unsigned char old_root[HLEN],
    const unsigned char new_root[HLEN], const struct arh_merkle_proof *proof,
    struct arh_err *err)
{
	if (proof->n != 0)
		return arh_errf(err, ARH_EVERIFY, "consistency proof of a tree "
		    "of %" PRIu64 " leaves with itself has %zu hashes; it must "
		    "be empty", size, proof->n);
	if (memcmp(old_root, new_root, HLEN) != 0)
		return arh_errf(err, ARH_EVERIFY, "two roots of the same tree of "
		    "%" PRIu64 " leaves differ", size);
	return 0;
}

int
arh_merkle_verify_consistency(uint64_t old, uint64_t size,
    const unsigned char old_root[HLEN], const unsigned char new_root[HLEN],
    const struct arh_merkle_proof *proof, struct arh_err *err)
{
	struct hasher hs = { NULL };
	unsigned char fr[HLEN], sr[HLEN];
	uint64_t fn = old - 1, sn = size - 1;
	size_t i, want;
	int r, whole;

	if (size > ARH_MERKLE_MAX_SIZE || old == 0 || old > size)
		return arh_errf(err, ARH_EVERIFY, "no consistency proof leads "
		    "from %" PRIu64 " to %" PRIu64 " leaves", old, size);
	if (old == size)
		return verify_same(size, old_root, new_root, proof, err);
	/* A complete old tree is a node of the new one: its root starts. */
	whole = (old & (old - 1)) == 0;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	want = steps(fn, sn) + !whole;
	if (proof->n != want)
		return arh_errf(err, ARH_EVERIFY, "consistency proof has %zu "
		    "hashes; that from %" PRIu64 " to %" PRIu64 " leaves has %zu",
		    proof->n, old, size, want);
	if ((r = hasher_open(&hs, err)) != 0)
		goto out;
	memcpy(fr, whole ? old_root : proof->h[0], HLEN);
	memcpy(sr, fr, HLEN);
	for (i = !whole; i < proof->n; i++, fn >>= 1, sn >>= 1) {
		if ((fn & 1) || fn == sn) {
			if ((r = node(&hs, proof->h[i], fr, fr, err)) != 0 ||
			    (r = node(&hs, proof->h[i], sr, sr, err)) != 0)
				goto out;
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else if ((r = node(&hs, sr, proof->h[i], sr, err)) != 0)
			goto out;
	}
	if (memcmp(fr, old_root, HLEN) != 0)
		r = arh_errf(err, ARH_EVERIFY, "consistency proof from %" PRIu64
		    " to %" PRIu64 " leaves does not lead to the old root", old,
		    size);
	else if (memcmp(sr, new_root, HLEN) != 0)
		r = arh_errf(err, ARH_EVERIFY, "consistency proof from %" PRIu64
		    " to %" PRIu64 " leaves does not lead to the new root", old,
		    size);
out:
	hasher_close(&hs);
	return r;
}

void
arh_merkle_stack_init(struct arh_merkle_stack *st)
{
	memset(st, 0, sizeof(*st));
}

int
arh_merkle_stack_push(struct arh_merkle_stack *st,
    const unsigned char leaf[HLEN], arh_merkle_put_fn seen, void *arg,
    struct arh_err *err)
{
	struct hasher hs = { NULL };
	unsigned char cur[HLEN];
	uint64_t index = st->size;
	unsigned level = 0;
	int r;

	if (st->size >= ARH_MERKLE_MAX_SIZE)
		return too_big(err, st->size + 1);
	memcpy(cur, leaf, HLEN);
	if ((seen != NULL && (r = callback(seen(arg, 0, index, cur, err),
	    "check", 0, index, err)) != 0) ||
	    (r = hasher_open(&hs, err)) != 0)
		goto out;
	/* st changes only at the end, so that a failure leaves it whole. */
	for (; index & 1; index >>= 1) {
		if ((r = node(&hs, st->h[level], cur, cur, err)) != 0)
			goto out;
		level++;
		if (seen != NULL && (r = callback(seen(arg, level, index >> 1,
		    cur, err), "check", level, index >> 1, err)) != 0)
			goto out;
	}
	memcpy(st->h[level], cur, HLEN);
	st->size++;
	r = 0;
out:
	hasher_close(&hs);
	return r;
}

int
arh_merkle_stack_root(const struct arh_merkle_stack *st,
    unsigned char out[HLEN], struct arh_err *err)
{
	struct hasher hs = { NULL };
	unsigned char acc[HLEN];
	unsigned level;
	int r, first = 1;

	if ((r = hasher_open(&hs, err)) != 0)
		goto out;
	if (st->size == 0 && (r = empty_root(&hs, acc, err)) != 0)
		goto out;
	for (level = 0; level < 64; level++) {
		if ((st->size >> level & 1) == 0)
			continue;
		if (first)
			memcpy(acc, st->h[level], HLEN);
		else if ((r = node(&hs, st->h[level], acc, acc, err)) != 0)
			goto out;
		first = 0;
	}
	memcpy(out, acc, HLEN);
out:
	hasher_close(&hs);
	return r;
}
