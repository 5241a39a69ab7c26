/*
 * test_merkle.c — the RFC 6962 tree: the certificate-transparency test
 * vectors; a reference written from RFC 6962 2.1 (MTH, PATH, SUBPROOF by
 * recursion over the leaves) against the module for every small tree;
 * both checks against every generated proof and its tampered copies,
 * judged by a second, recursive verifier; the streaming rebuild against
 * append; the store reads of a tree of 2^20 + 12345 leaves; bad input.
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

#include "arhiivar/merkle.h"

#define HLEN		ARH_MERKLE_HASH
#define SMALL_LEAVES	300	/* roots of every size up to this */
#define PROOF_LEAVES	130	/* every proof of every size up to this */
#define BIG_LEAVES	((UINT64_C(1) << 20) + 12345)
#define BIG_LOW		8	/* the big store keeps levels >= this */

/* A hash by value, so that arrays of them can be const. */
struct hv {
	unsigned char	b[HLEN];
};

/* ---- the test's own SHA-256, independent of the module's ---- */

static EVP_MD_CTX *tctx;

/* SHA-256 of len bytes; tctx keeps its digest, so no fetch per hash. */
static void
th(const void *data, size_t len, unsigned char out[HLEN])
{
	unsigned int n = 0;

	if (EVP_DigestInit_ex2(tctx, NULL, NULL) != 1 ||
	    EVP_DigestUpdate(tctx, data, len) != 1 ||
	    EVP_DigestFinal_ex(tctx, out, &n) != 1 || n != HLEN)
		fail_msg("SHA-256 failed");
}

static void
t_node(const unsigned char l[HLEN], const unsigned char r[HLEN],
    unsigned char out[HLEN])
{
	unsigned char buf[1 + 2 * HLEN];

	buf[0] = 0x01;
	memcpy(buf + 1, l, HLEN);
	memcpy(buf + 1 + HLEN, r, HLEN);
	th(buf, sizeof(buf), out);
}

/* SHA-256(0x00 || entry), len < 64. */
static void
t_entry(const void *entry, size_t len, unsigned char out[HLEN])
{
	unsigned char buf[64];

	assert_true(len < sizeof(buf));
	buf[0] = 0x00;
	memcpy(buf + 1, entry, len);
	th(buf, len + 1, out);
}

/* Leaf hash of the entry of leaf i of the generated trees: le64(i). */
static void
t_leaf(uint64_t i, unsigned char out[HLEN])
{
	unsigned char e[8];
	int j;

	for (j = 0; j < 8; j++)
		e[j] = (unsigned char)(i >> (8 * j));
	t_entry(e, sizeof(e), out);
}

static void
unhex(const char *s, unsigned char *out, size_t n)
{
	size_t i;
	unsigned v;

	assert_int_equal(strlen(s), 2 * n);
	for (i = 0; i < n; i++) {
		assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (unsigned char)v;
	}
}

static unsigned
ceil_log2(uint64_t n)
{
	unsigned l = 0;

	while ((UINT64_C(1) << l) < n)
		l++;
	return l;
}

static unsigned
popcount(uint64_t n)
{
	unsigned c = 0;

	for (; n != 0; n &= n - 1)
		c++;
	return c;
}

/* ---- an in-memory store: dense levels, counting, limited to a size ---- */

struct rec {
	unsigned	level;
	uint64_t	index;
	unsigned char	h[HLEN];
};

struct mem {
	unsigned char	(*node[64])[HLEN];
	unsigned char	*have[64];
	uint64_t	 cap;		/* leaves it has room for */
	uint64_t	 visible;	/* gets outside this tree fail */
	unsigned long	 gets, puts;
	int		 logging;	/* keep every put in log */
	struct rec	*log;
	size_t		 nlog, caplog;
	int		 fail_get;	/* return this from get, when not 0 */
	int		 fail_put;
};

static void
mem_init(struct mem *m, uint64_t cap)
{
	unsigned l;

	memset(m, 0, sizeof(*m));
	m->cap = m->visible = cap;
	for (l = 0; l < 64 && (cap >> l) != 0; l++) {
		m->node[l] = calloc(cap >> l, HLEN);
		m->have[l] = calloc(cap >> l, 1);
		assert_non_null(m->node[l]);
		assert_non_null(m->have[l]);
	}
}

static void
mem_release(struct mem *m)
{
	unsigned l;

	for (l = 0; l < 64; l++) {
		free(m->node[l]);
		free(m->have[l]);
	}
	free(m->log);
}

/* Is node (level, index) complete in a tree of size leaves? */
static int
complete(unsigned level, uint64_t index, uint64_t size)
{
	return level < 64 && index < (size >> level);
}

static int
mem_get(void *arg, unsigned level, uint64_t index, unsigned char out[HLEN],
    struct arh_err *err)
{
	struct mem *m = arg;

	m->gets++;
	if (m->fail_get)
		return m->fail_get < 0 ? arh_errf(err, m->fail_get, "get fails")
		    : m->fail_get;
	if (!complete(level, index, m->visible) || !m->have[level][index])
		return arh_errf(err, ARH_ENOTFOUND, "no node (%u, %llu)",
		    level, (unsigned long long)index);
	memcpy(out, m->node[level][index], HLEN);
	return 0;
}

static int
log_rec(struct rec **log, size_t *n, size_t *cap, unsigned level,
    uint64_t index, const unsigned char h[HLEN])
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 1024;
		*log = realloc(*log, *cap * sizeof(**log));
		assert_non_null(*log);
	}
	(*log)[*n].level = level;
	(*log)[*n].index = index;
	memcpy((*log)[*n].h, h, HLEN);
	(*n)++;
	return 0;
}

static int
mem_put(void *arg, unsigned level, uint64_t index, const unsigned char h[HLEN],
    struct arh_err *err)
{
	struct mem *m = arg;

	m->puts++;
	if (m->fail_put && m->puts == (unsigned long)m->fail_put)
		return arh_errf(err, ARH_ECATALOG, "put fails");
	if (!complete(level, index, m->cap))
		return arh_errf(err, ARH_EINTERNAL, "put of node (%u, %llu) "
		    "beyond the store", level, (unsigned long long)index);
	if (m->have[level][index] && memcmp(m->node[level][index], h, HLEN))
		return arh_errf(err, ARH_EEXIST, "node (%u, %llu) differs",
		    level, (unsigned long long)index);
	memcpy(m->node[level][index], h, HLEN);
	m->have[level][index] = 1;
	if (m->logging)
		log_rec(&m->log, &m->nlog, &m->caplog, level, index, h);
	return 0;
}

static struct arh_merkle_store
mem_store(struct mem *m)
{
	struct arh_merkle_store s = { mem_get, mem_put, m };

	return s;
}

/* ---- the big tree: levels >= BIG_LOW kept, the rest computed ---- */

struct big {
	unsigned char	(*lv[64])[HLEN];
	uint64_t	 count[64];
	uint64_t	 visible;
	unsigned long	 gets, puts;
};

static struct big big;

/* The hash of the complete subtree (level, index), from the leaves up. */
static void
big_sub(unsigned level, uint64_t index, unsigned char out[HLEN])
{
	unsigned char l[HLEN], r[HLEN];

	if (level >= BIG_LOW && index < big.count[level]) {
		memcpy(out, big.lv[level][index], HLEN);
		return;
	}
	if (level == 0) {
		t_leaf(index, out);
		return;
	}
	big_sub(level - 1, 2 * index, l);
	big_sub(level - 1, 2 * index + 1, r);
	t_node(l, r, out);
}

static void
big_build(void)
{
	unsigned l;
	uint64_t i;

	memset(&big, 0, sizeof(big));
	big.visible = BIG_LEAVES;
	for (l = BIG_LOW; (BIG_LEAVES >> l) != 0; l++) {
		big.lv[l] = calloc(BIG_LEAVES >> l, HLEN);
		assert_non_null(big.lv[l]);
		/* count[l] stays 0 while filling, so big_sub recurses */
		for (i = 0; i < (BIG_LEAVES >> l); i++)
			big_sub(l, i, big.lv[l][i]);
		big.count[l] = BIG_LEAVES >> l;
	}
}

static int
big_get(void *arg, unsigned level, uint64_t index, unsigned char out[HLEN],
    struct arh_err *err)
{
	(void)arg;
	big.gets++;
	if (!complete(level, index, big.visible))
		return arh_errf(err, ARH_ENOTFOUND, "no node (%u, %llu)",
		    level, (unsigned long long)index);
	big_sub(level, index, out);
	return 0;
}

/* The big tree is full: a put must repeat what is there. */
static int
big_put(void *arg, unsigned level, uint64_t index, const unsigned char h[HLEN],
    struct arh_err *err)
{
	unsigned char want[HLEN];

	(void)arg;
	big.puts++;
	if (!complete(level, index, BIG_LEAVES))
		return arh_errf(err, ARH_EINTERNAL, "put beyond the tree");
	big_sub(level, index, want);
	if (memcmp(want, h, HLEN) != 0)
		return arh_errf(err, ARH_EEXIST, "node (%u, %llu) differs",
		    level, (unsigned long long)index);
	return 0;
}

/* ---- the reference: RFC 6962 2.1, by recursion ---- */

/* A tree for the reference: small ones by their leaves, or the big one. */
struct tree {
	const struct hv	*leaves;	/* NULL: the big tree */
};

static uint64_t
ref_split(uint64_t n)
{
	uint64_t k = 1;

	while (2 * k < n)
		k *= 2;
	return k;
}

/* MTH(D[lo:hi]). */
static void
ref_mth(const struct tree *t, uint64_t lo, uint64_t hi, unsigned char out[HLEN])
{
	unsigned char l[HLEN], r[HLEN];
	uint64_t n = hi - lo, k;
	unsigned level;

	if (n == 0) {
		th(NULL, 0, out);
		return;
	}
	if (n == 1) {
		if (t->leaves != NULL)
			memcpy(out, t->leaves[lo].b, HLEN);
		else
			t_leaf(lo, out);
		return;
	}
	/* The big tree's kept nodes stand for their leaves. */
	if (t->leaves == NULL && (n & (n - 1)) == 0 && lo % n == 0) {
		level = ceil_log2(n);
		if (level >= BIG_LOW) {
			big_sub(level, lo >> level, out);
			return;
		}
	}
	k = ref_split(n);
	ref_mth(t, lo, lo + k, l);
	ref_mth(t, lo + k, hi, r);
	t_node(l, r, out);
}

static unsigned char *
push(struct arh_merkle_proof *p)
{
	assert_true(p->n < ARH_MERKLE_MAX_PROOF);
	return p->h[p->n++];
}

/* PATH(m, D[lo:hi]), m absolute. */
static void
ref_path(const struct tree *t, uint64_t m, uint64_t lo, uint64_t hi,
    struct arh_merkle_proof *p)
{
	uint64_t k;

	if (hi - lo == 1)
		return;
	k = ref_split(hi - lo);
	if (m < lo + k) {
		ref_path(t, m, lo, lo + k, p);
		ref_mth(t, lo + k, hi, push(p));
	} else {
		ref_path(t, m, lo + k, hi, p);
		ref_mth(t, lo, lo + k, push(p));
	}
}

/* SUBPROOF(m, D[lo:hi], b), m the absolute old size. */
static void
ref_subproof(const struct tree *t, uint64_t m, uint64_t lo, uint64_t hi,
    int b, struct arh_merkle_proof *p)
{
	uint64_t k;

	if (m == hi) {
		if (!b)
			ref_mth(t, lo, hi, push(p));
		return;
	}
	k = ref_split(hi - lo);
	if (m <= lo + k) {
		ref_subproof(t, m, lo, lo + k, b, p);
		ref_mth(t, lo + k, hi, push(p));
	} else {
		ref_subproof(t, m, lo + k, hi, 0, p);
		ref_mth(t, lo, lo + k, push(p));
	}
}

static void
ref_proof(const struct tree *t, uint64_t m, uint64_t n,
    struct arh_merkle_proof *p)
{
	p->n = 0;
	ref_subproof(t, m, 0, n, 1, p);
}

/*
 * A second verifier: PATH and SUBPROOF run backwards, consuming the proof
 * in the order they produce it.  It says what the module's RFC 9162 loops
 * must say about any input, tampered or not.
 */
struct rv {
	const struct arh_merkle_proof	*p;
	size_t				 pos;
	int				 ok;
};

static const unsigned char *
rv_next(struct rv *v)
{
	static const unsigned char zero[HLEN];

	if (v->pos >= v->p->n) {
		v->ok = 0;
		return zero;
	}
	return v->p->h[v->pos++];
}

static void
rv_path(struct rv *v, uint64_t m, uint64_t n, const unsigned char leaf[HLEN],
    unsigned char out[HLEN])
{
	unsigned char x[HLEN];
	uint64_t k;

	if (n == 1) {
		memcpy(out, leaf, HLEN);
		return;
	}
	k = ref_split(n);
	if (m < k) {
		rv_path(v, m, k, leaf, x);
		t_node(x, rv_next(v), out);
	} else {
		rv_path(v, m - k, n - k, leaf, x);
		t_node(rv_next(v), x, out);
	}
}

static int
ref_verify_inclusion(uint64_t m, uint64_t n, const unsigned char leaf[HLEN],
    const struct arh_merkle_proof *p, const unsigned char root[HLEN])
{
	struct rv v = { p, 0, 1 };
	unsigned char h[HLEN];

	if (m >= n || n > ARH_MERKLE_MAX_SIZE || p->n > ARH_MERKLE_MAX_PROOF)
		return 0;
	rv_path(&v, m, n, leaf, h);
	return v.ok && v.pos == p->n && memcmp(h, root, HLEN) == 0;
}

static void
rv_sub(struct rv *v, uint64_t m, uint64_t n, int b,
    const unsigned char old_root[HLEN], unsigned char o[HLEN],
    unsigned char w[HLEN])
{
	unsigned char s[HLEN];
	uint64_t k;

	if (m == n) {
		memcpy(o, b ? old_root : rv_next(v), HLEN);
		memcpy(w, o, HLEN);
		return;
	}
	k = ref_split(n);
	if (m <= k) {
		rv_sub(v, m, k, b, old_root, o, w);
		t_node(w, rv_next(v), w);
	} else {
		rv_sub(v, m - k, n - k, 0, old_root, o, w);
		memcpy(s, rv_next(v), HLEN);
		t_node(s, o, o);
		t_node(s, w, w);
	}
}

static int
ref_verify_consistency(uint64_t m, uint64_t n,
    const unsigned char old_root[HLEN], const unsigned char new_root[HLEN],
    const struct arh_merkle_proof *p)
{
	struct rv v = { p, 0, 1 };
	unsigned char o[HLEN], w[HLEN];

	if (m == 0 || m > n || n > ARH_MERKLE_MAX_SIZE ||
	    p->n > ARH_MERKLE_MAX_PROOF)
		return 0;
	if (m == n)
		return p->n == 0 && memcmp(old_root, new_root, HLEN) == 0;
	rv_sub(&v, m, n, 1, old_root, o, w);
	return v.ok && v.pos == p->n && memcmp(o, old_root, HLEN) == 0 &&
	    memcmp(w, new_root, HLEN) == 0;
}

/* ---- helpers over the module ---- */

static void
assert_proof_equal(const struct arh_merkle_proof *got,
    const struct arh_merkle_proof *want)
{
	size_t i;

	assert_int_equal(got->n, want->n);
	for (i = 0; i < got->n; i++)
		assert_memory_equal(got->h[i], want->h[i], HLEN);
}

/* Verify with the module: 1 if it holds, 0 for ARH_EVERIFY. */
static int
mod_inclusion(uint64_t m, uint64_t n, const unsigned char leaf[HLEN],
    const struct arh_merkle_proof *p, const unsigned char root[HLEN])
{
	struct arh_err err;
	int r = arh_merkle_verify_inclusion(m, n, leaf, p, root, &err);

	if (r != 0) {
		assert_int_equal(r, ARH_EVERIFY);
		assert_int_equal(err.code, ARH_EVERIFY);
		assert_true(err.msg[0] != '\0');
	}
	return r == 0;
}

static int
mod_consistency(uint64_t m, uint64_t n, const unsigned char a[HLEN],
    const unsigned char b[HLEN], const struct arh_merkle_proof *p)
{
	struct arh_err err;
	int r = arh_merkle_verify_consistency(m, n, a, b, p, &err);

	if (r != 0) {
		assert_int_equal(r, ARH_EVERIFY);
		assert_true(err.msg[0] != '\0');
	}
	return r == 0;
}

/* Fill a store with n leaves by append; leaves[] gets their hashes. */
static void
grow(struct mem *m, struct hv *leaves, uint64_t n)
{
	struct arh_merkle_store s = mem_store(m);
	struct arh_err err;
	uint64_t i;

	for (i = 0; i < n; i++) {
		t_leaf(i, leaves[i].b);
		assert_int_equal(arh_merkle_append(&s, i, leaves[i].b, &err), 0);
	}
}

/* ---- the certificate-transparency test vectors ---- */

static const char *const ct_leaves[8] = {
	"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
	"606162636465666768696a6b6c6d6e6f",
};

static const char *const ct_roots[9] = {
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

/* MTH of the ranges of leaves named (H_L1: leaf 1; H_23: D[2:4]). */
#define H_L1	"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"
#define H_23	"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"
#define H_4567	"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"
#define H_L4	"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"
#define H_67	"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"
#define H_0123	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"
#define H_01	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"
#define H_L0	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
#define H_45	"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"

struct ct_proof {
	uint64_t	 a, size;	/* leaf index, or old size */
	const char	*h[3];
};

static const struct ct_proof ct_inclusion[] = {
	{ 0, 1, { NULL } },
	{ 0, 8, { H_L1, H_23, H_4567 } },
	{ 5, 8, { H_L4, H_67, H_0123 } },
	{ 2, 3, { H_01 } },
	{ 1, 5, { H_L0, H_23, H_L4 } },
};

static const struct ct_proof ct_consistency[] = {
	{ 1, 1, { NULL } },
	{ 1, 8, { H_L1, H_23, H_4567 } },
	{ 6, 8, { H_45, H_67, H_0123 } },
	{ 2, 5, { H_23, H_L4 } },
};

static void
ct_expect(const struct ct_proof *c, struct arh_merkle_proof *p)
{
	p->n = 0;
	while (p->n < 3 && c->h[p->n] != NULL) {
		unhex(c->h[p->n], p->h[p->n], HLEN);
		p->n++;
	}
}

static void
test_ct_vectors(void **state)
{
	struct mem m;
	struct arh_merkle_store s;
	struct arh_merkle_proof want, got;
	struct arh_err err;
	unsigned char entry[16], leaf[8][HLEN], root[9][HLEN], h[HLEN];
	size_t i, len;

	(void)state;
	mem_init(&m, 8);
	s = mem_store(&m);
	for (i = 0; i < 8; i++) {
		len = strlen(ct_leaves[i]) / 2;
		unhex(ct_leaves[i], entry, len);
		assert_int_equal(arh_merkle_leaf_hash(len ? entry : NULL, len,
		    leaf[i], &err), 0);
		assert_int_equal(arh_merkle_append(&s, i, leaf[i], &err), 0);
	}
	/* What append stored, node (L, i) = leaves [i 2^L, (i + 1) 2^L). */
	unhex(H_L1, h, HLEN);
	assert_memory_equal(leaf[1], h, HLEN);
	assert_memory_equal(m.node[0][1], h, HLEN);
	unhex(H_23, h, HLEN);
	assert_memory_equal(m.node[1][1], h, HLEN);
	unhex(H_45, h, HLEN);
	assert_memory_equal(m.node[1][2], h, HLEN);
	unhex(H_4567, h, HLEN);
	assert_memory_equal(m.node[2][1], h, HLEN);
	unhex(H_0123, h, HLEN);
	assert_memory_equal(m.node[2][0], h, HLEN);
	unhex(ct_roots[8], h, HLEN);
	assert_memory_equal(m.node[3][0], h, HLEN);
	assert_int_equal(m.puts, 15);
	for (i = 0; i <= 8; i++) {
		unhex(ct_roots[i], root[i], HLEN);
		m.visible = i;
		assert_int_equal(arh_merkle_root(&s, i, h, &err), 0);
		assert_memory_equal(h, root[i], HLEN);
	}
	m.visible = 8;
	for (i = 0; i < sizeof(ct_inclusion) / sizeof(*ct_inclusion); i++) {
		const struct ct_proof *c = &ct_inclusion[i];

		ct_expect(c, &want);
		assert_int_equal(arh_merkle_inclusion(&s, c->a, c->size, &got,
		    &err), 0);
		assert_proof_equal(&got, &want);
		assert_true(mod_inclusion(c->a, c->size, leaf[c->a], &want,
		    root[c->size]));
	}
	for (i = 0; i < sizeof(ct_consistency) / sizeof(*ct_consistency);
	    i++) {
		const struct ct_proof *c = &ct_consistency[i];

		ct_expect(c, &want);
		assert_int_equal(arh_merkle_consistency(&s, c->a, c->size, &got,
		    &err), 0);
		assert_proof_equal(&got, &want);
		assert_true(mod_consistency(c->a, c->size, root[c->a],
		    root[c->size], &want));
	}
	mem_release(&m);
}

/* The two hash functions against the test's own SHA-256. */
static void
test_hashes(void **state)
{
	unsigned char a[HLEN], b[HLEN], got[HLEN], want[HLEN];
	struct arh_err err;

	(void)state;
	assert_int_equal(arh_merkle_leaf_hash("abc", 3, got, &err), 0);
	t_entry("abc", 3, want);
	assert_memory_equal(got, want, HLEN);
	t_leaf(1, a);
	t_leaf(2, b);
	t_node(a, b, want);
	assert_int_equal(arh_merkle_node_hash(a, b, got, &err), 0);
	assert_memory_equal(got, want, HLEN);
	assert_int_equal(arh_merkle_node_hash(a, b, a, &err), 0);
	assert_memory_equal(a, want, HLEN);	/* out aliasing l */
	t_leaf(1, a);
	assert_int_equal(arh_merkle_node_hash(a, b, b, &err), 0);
	assert_memory_equal(b, want, HLEN);	/* out aliasing r */
}

/* ---- the module against the reference, every small tree ---- */

static void
test_roots(void **state)
{
	static struct hv leaves[SMALL_LEAVES];
	struct tree t = { leaves };
	struct mem m;
	struct arh_merkle_store s;
	struct arh_err err;
	unsigned char got[HLEN], want[HLEN];
	uint64_t n;

	(void)state;
	mem_init(&m, SMALL_LEAVES);
	s = mem_store(&m);
	grow(&m, leaves, SMALL_LEAVES);
	for (n = 0; n <= SMALL_LEAVES; n++) {
		m.visible = n;
		m.gets = 0;
		assert_int_equal(arh_merkle_root(&s, n, got, &err), 0);
		ref_mth(&t, 0, n, want);
		assert_memory_equal(got, want, HLEN);
		assert_int_equal(m.gets, popcount(n));
	}
	mem_release(&m);
}

/* Flip one bit of each hash in turn; every byte of each for small n. */
static void
tamper_hashes(struct arh_merkle_proof *p, uint64_t n, uint64_t salt,
    int (*holds)(const struct arh_merkle_proof *, const void *),
    const void *arg)
{
	size_t j, b, from, to;

	for (j = 0; j < p->n; j++) {
		from = (size_t)((salt + 7 * j) % HLEN);
		to = n <= 16 ? HLEN : from + 1;
		for (b = n <= 16 ? 0 : from; b < to; b++) {
			p->h[j][b] ^= (unsigned char)(1u << (j % 8));
			assert_false(holds(p, arg));
			p->h[j][b] ^= (unsigned char)(1u << (j % 8));
		}
	}
	assert_true(holds(p, arg));
	if (p->n > 0) {
		p->n--;			/* one hash short */
		assert_false(holds(p, arg));
		p->n++;
	}
	if (p->n < ARH_MERKLE_MAX_PROOF) {
		memset(p->h[p->n], 0x5a, HLEN);
		p->n++;			/* one hash too many */
		assert_false(holds(p, arg));
		p->n--;
	}
}

struct incl_case {
	uint64_t		 m, n;
	const unsigned char	*leaf, *root;
};

static int
incl_holds(const struct arh_merkle_proof *p, const void *arg)
{
	const struct incl_case *c = arg;

	return mod_inclusion(c->m, c->n, c->leaf, p, c->root);
}

static unsigned long size_tampers, size_tampers_held;

/* Every check of one inclusion proof, tampered in every way. */
static void
check_inclusion(uint64_t m, uint64_t n, const unsigned char leaf[HLEN],
    struct arh_merkle_proof *p, const unsigned char root[HLEN])
{
	struct incl_case c = { m, n, leaf, root };
	unsigned char bad[HLEN];
	uint64_t alt[4];
	size_t i;
	int ref, mod;

	assert_true(mod_inclusion(m, n, leaf, p, root));
	assert_true(ref_verify_inclusion(m, n, leaf, p, root));
	tamper_hashes(p, n, m * 31 + n, incl_holds, &c);
	memcpy(bad, root, HLEN);
	bad[(m + n) % HLEN] ^= 0x80;
	assert_false(mod_inclusion(m, n, leaf, p, bad));
	memcpy(bad, leaf, HLEN);
	bad[n % HLEN] ^= 0x01;
	assert_false(mod_inclusion(m, n, bad, p, root));
	/* Another index: never, the path's sides name the leaf. */
	if (m > 0)
		assert_false(mod_inclusion(m - 1, n, leaf, p, root));
	assert_false(mod_inclusion(m + 1, n, leaf, p, root));
	if ((m ^ 2) < n)
		assert_false(mod_inclusion(m ^ 2, n, leaf, p, root));
	/*
	 * Another size: the path of the same leaf in a tree of another size
	 * can have the same shape (leaf 0 of 3 and of 4 leaves), and then the
	 * same hashes reach the same root.  The reference decides.
	 */
	alt[0] = n - 1, alt[1] = n + 1, alt[2] = 2 * n, alt[3] = n / 2;
	for (i = 0; i < 4; i++) {
		ref = ref_verify_inclusion(m, alt[i], leaf, p, root);
		mod = mod_inclusion(m, alt[i], leaf, p, root);
		assert_int_equal(mod, ref);
		size_tampers++;
		size_tampers_held += (unsigned long)mod;
	}
	/* Twice the size puts every leaf one level deeper. */
	assert_false(mod_inclusion(m, 2 * n, leaf, p, root));
}

static void
test_inclusion(void **state)
{
	static struct hv leaves[PROOF_LEAVES];
	struct tree t = { leaves };
	struct mem m;
	struct arh_merkle_store s;
	struct arh_merkle_proof got, want;
	struct arh_err err;
	unsigned char root[HLEN];
	uint64_t n, i;

	(void)state;
	mem_init(&m, PROOF_LEAVES);
	s = mem_store(&m);
	grow(&m, leaves, PROOF_LEAVES);
	size_tampers = size_tampers_held = 0;
	for (n = 1; n <= PROOF_LEAVES; n++) {
		m.visible = n;
		ref_mth(&t, 0, n, root);
		for (i = 0; i < n; i++) {
			m.gets = 0;
			assert_int_equal(arh_merkle_inclusion(&s, i, n, &got,
			    &err), 0);
			assert_true(m.gets <= 2 * ceil_log2(n));
			want.n = 0;
			ref_path(&t, i, 0, n, &want);
			assert_proof_equal(&got, &want);
			assert_true(got.n <= ceil_log2(n));
			check_inclusion(i, n, leaves[i].b, &got, root);
		}
	}
	/* Some hold (about half: the shape is the same), some do not. */
	assert_true(size_tampers_held > 0);
	assert_true(size_tampers_held < size_tampers);
	mem_release(&m);
}

struct cons_case {
	uint64_t		 m, n;
	const unsigned char	*a, *b;
};

static int
cons_holds(const struct arh_merkle_proof *p, const void *arg)
{
	const struct cons_case *c = arg;

	return mod_consistency(c->m, c->n, c->a, c->b, p);
}

/* Every check of one consistency proof (m < n), tampered every way. */
static void
check_consistency(uint64_t m, uint64_t n, const unsigned char a[HLEN],
    const unsigned char b[HLEN], struct arh_merkle_proof *p)
{
	struct cons_case c = { m, n, a, b };
	unsigned char bad[HLEN];
	uint64_t alt[4][2];
	size_t i;
	int ref, mod;

	assert_true(mod_consistency(m, n, a, b, p));
	assert_true(ref_verify_consistency(m, n, a, b, p));
	tamper_hashes(p, n, m * 17 + n, cons_holds, &c);
	memcpy(bad, a, HLEN);
	bad[(m + n) % HLEN] ^= 0x40;
	assert_false(mod_consistency(m, n, bad, b, p));
	memcpy(bad, b, HLEN);
	bad[(m * n) % HLEN] ^= 0x02;
	assert_false(mod_consistency(m, n, a, bad, p));
	assert_false(mod_consistency(m, n, b, a, p));	/* roots swapped */
	alt[0][0] = m - 1, alt[0][1] = n;
	alt[1][0] = m + 1, alt[1][1] = n;
	alt[2][0] = m, alt[2][1] = n - 1;
	alt[3][0] = m, alt[3][1] = n + 1;
	for (i = 0; i < 4; i++) {
		ref = ref_verify_consistency(alt[i][0], alt[i][1], a, b, p);
		mod = mod_consistency(alt[i][0], alt[i][1], a, b, p);
		assert_int_equal(mod, ref);
		size_tampers++;
		size_tampers_held += (unsigned long)mod;
	}
}

static void
test_consistency(void **state)
{
	static struct hv leaves[PROOF_LEAVES];
	struct tree t = { leaves };
	struct mem m;
	struct arh_merkle_store s;
	struct arh_merkle_proof got, want;
	struct arh_err err;
	unsigned char roots[PROOF_LEAVES + 1][HLEN];
	uint64_t n, o;

	(void)state;
	mem_init(&m, PROOF_LEAVES);
	s = mem_store(&m);
	grow(&m, leaves, PROOF_LEAVES);
	for (n = 0; n <= PROOF_LEAVES; n++)
		ref_mth(&t, 0, n, roots[n]);
	size_tampers = size_tampers_held = 0;
	for (n = 1; n <= PROOF_LEAVES; n++) {
		m.visible = n;
		for (o = 1; o <= n; o++) {
			m.gets = 0;
			assert_int_equal(arh_merkle_consistency(&s, o, n, &got,
			    &err), 0);
			assert_true(m.gets <= 2 * ceil_log2(n) + 1);
			ref_proof(&t, o, n, &want);
			assert_proof_equal(&got, &want);
			assert_true(got.n <= ceil_log2(n) + 1);
			if (o == n) {
				assert_int_equal(got.n, 0);
				assert_int_equal(m.gets, 0);
				assert_true(mod_consistency(o, n, roots[o],
				    roots[n], &got));
				continue;
			}
			check_consistency(o, n, roots[o], roots[n], &got);
		}
	}
	/* Some hold (about half: the shape is the same), some do not. */
	assert_true(size_tampers_held > 0);
	assert_true(size_tampers_held < size_tampers);
	mem_release(&m);
}

/* ---- the streaming rebuild against append ---- */

struct seen_log {
	struct rec	*log;
	size_t		 n, cap;
	unsigned long	 fail_at;	/* fail the call with this number */
	unsigned long	 calls;
	int		 code;
};

static int
seen(void *arg, unsigned level, uint64_t index, const unsigned char h[HLEN],
    struct arh_err *err)
{
	struct seen_log *sl = arg;

	if (++sl->calls == sl->fail_at)
		return sl->code < 0 ? arh_errf(err, sl->code, "mismatch") :
		    sl->code;
	return log_rec(&sl->log, &sl->n, &sl->cap, level, index, h);
}

#define STACK_LEAVES	1100

static void
test_stack(void **state)
{
	static struct hv leaves[STACK_LEAVES];
	struct arh_merkle_stack st;
	struct seen_log sl = { NULL, 0, 0, 0, 0, 0 };
	struct mem m;
	struct arh_merkle_store s;
	struct arh_err err;
	unsigned char a[HLEN], b[HLEN];
	uint64_t i;
	size_t j;

	(void)state;
	mem_init(&m, STACK_LEAVES);
	m.logging = 1;
	s = mem_store(&m);
	arh_merkle_stack_init(&st);
	assert_int_equal(arh_merkle_stack_root(&st, a, &err), 0);
	assert_int_equal(arh_merkle_root(&s, 0, b, &err), 0);
	assert_memory_equal(a, b, HLEN);
	for (i = 0; i < STACK_LEAVES; i++) {
		t_leaf(i, leaves[i].b);
		assert_int_equal(arh_merkle_append(&s, i, leaves[i].b, &err), 0);
		assert_int_equal(arh_merkle_stack_push(&st, leaves[i].b, seen,
		    &sl, &err), 0);
		assert_int_equal(st.size, i + 1);
		m.visible = i + 1;
		assert_int_equal(arh_merkle_root(&s, i + 1, a, &err), 0);
		assert_int_equal(arh_merkle_stack_root(&st, b, &err), 0);
		assert_memory_equal(a, b, HLEN);
	}
	/* The same nodes, in the same order, as append put. */
	assert_int_equal(sl.n, m.nlog);
	assert_int_equal(sl.n, 2 * STACK_LEAVES - popcount(STACK_LEAVES));
	for (j = 0; j < sl.n; j++) {
		assert_int_equal(sl.log[j].level, m.log[j].level);
		assert_int_equal(sl.log[j].index, m.log[j].index);
		assert_memory_equal(sl.log[j].h, m.log[j].h, HLEN);
		assert_memory_equal(sl.log[j].h,
		    m.node[sl.log[j].level][sl.log[j].index], HLEN);
	}
	/* No callback: the same roots. */
	arh_merkle_stack_init(&st);
	for (i = 0; i < 77; i++)
		assert_int_equal(arh_merkle_stack_push(&st, leaves[i].b, NULL,
		    NULL, &err), 0);
	m.visible = 77;
	assert_int_equal(arh_merkle_root(&s, 77, a, &err), 0);
	assert_int_equal(arh_merkle_stack_root(&st, b, &err), 0);
	assert_memory_equal(a, b, HLEN);
	free(sl.log);
	mem_release(&m);
}

/* A failing callback leaves the stack as it was; pushing on works. */
static void
test_stack_failure(void **state)
{
	static struct arh_merkle_stack st, copy;
	struct seen_log sl = { NULL, 0, 0, 0, 0, 0 };
	struct arh_err err;
	unsigned char leaf[HLEN], a[HLEN], b[HLEN];
	uint64_t i;

	(void)state;
	arh_merkle_stack_init(&st);
	for (i = 0; i < 7; i++) {
		t_leaf(i, leaf);
		assert_int_equal(arh_merkle_stack_push(&st, leaf, NULL, NULL,
		    &err), 0);
	}
	t_leaf(7, leaf);		/* completes (1,3), (2,1), (3,0) */
	memcpy(&copy, &st, sizeof(st));
	sl.fail_at = 3, sl.code = ARH_EVERIFY;
	assert_int_equal(arh_merkle_stack_push(&st, leaf, seen, &sl, &err),
	    ARH_EVERIFY);
	assert_string_equal(err.msg, "mismatch");
	assert_memory_equal(&st, &copy, sizeof(st));
	sl.calls = 0, sl.fail_at = 1, sl.code = 5;
	assert_int_equal(arh_merkle_stack_push(&st, leaf, seen, &sl, &err),
	    ARH_EINTERNAL);
	assert_memory_equal(&st, &copy, sizeof(st));
	assert_string_equal(err.msg, "Merkle check of node (0, 7) returned 5");
	sl.fail_at = 0;
	sl.n = 0;
	assert_int_equal(arh_merkle_stack_push(&st, leaf, seen, &sl, &err), 0);
	assert_int_equal(st.size, 8);
	assert_int_equal(sl.n, 4);
	assert_int_equal(sl.log[3].level, 3);
	assert_int_equal(arh_merkle_stack_root(&st, a, &err), 0);
	assert_memory_equal(a, sl.log[3].h, HLEN);
	memcpy(b, st.h[3], HLEN);
	assert_memory_equal(a, b, HLEN);
	st.size = ARH_MERKLE_MAX_SIZE;
	assert_int_equal(arh_merkle_stack_push(&st, leaf, NULL, NULL, &err),
	    ARH_EUSAGE);
	assert_int_equal(st.size, ARH_MERKLE_MAX_SIZE);
	free(sl.log);
}

/* ---- the big tree: how many nodes a proof reads ---- */

static void
test_big(void **state)
{
	static const uint64_t idx[] = { 0, 1, 255, 256, 12345, 777777,
	    (UINT64_C(1) << 20) - 1, UINT64_C(1) << 20, BIG_LEAVES - 2,
	    BIG_LEAVES - 1 };
	static const uint64_t olds[] = { 1, 2, 3, 256, 257,
	    (UINT64_C(1) << 19) + 1, 999999, (UINT64_C(1) << 20) - 1,
	    UINT64_C(1) << 20, (UINT64_C(1) << 20) + 1, BIG_LEAVES - 1 };
	struct arh_merkle_store s = { big_get, big_put, NULL };
	struct tree t = { NULL };
	struct arh_merkle_proof got, want;
	struct arh_err err;
	unsigned char root[HLEN], old[HLEN], h[HLEN], leaf[HLEN];
	const uint64_t n = BIG_LEAVES;
	const double lg = 20.0169;	/* log2 n */
	size_t i;

	(void)state;
	assert_int_equal(ceil_log2(n), 21);
	big.gets = 0;
	assert_int_equal(arh_merkle_root(&s, n, root, &err), 0);
	assert_int_equal(big.gets, popcount(n));
	ref_mth(&t, 0, n, h);
	assert_memory_equal(root, h, HLEN);
	for (i = 0; i < sizeof(idx) / sizeof(*idx); i++) {
		big.gets = 0;
		assert_int_equal(arh_merkle_inclusion(&s, idx[i], n, &got,
		    &err), 0);
		assert_true(big.gets <= 2 * ceil_log2(n));
		assert_true((double)big.gets <= lg * lg);
		want.n = 0;
		ref_path(&t, idx[i], 0, n, &want);
		assert_proof_equal(&got, &want);
		t_leaf(idx[i], leaf);
		assert_true(mod_inclusion(idx[i], n, leaf, &got, root));
		assert_true(ref_verify_inclusion(idx[i], n, leaf, &got, root));
		got.h[got.n / 2][5] ^= 1;
		assert_false(mod_inclusion(idx[i], n, leaf, &got, root));
	}
	for (i = 0; i < sizeof(olds) / sizeof(*olds); i++) {
		big.gets = 0;
		assert_int_equal(arh_merkle_consistency(&s, olds[i], n, &got,
		    &err), 0);
		assert_true(big.gets <= 2 * ceil_log2(n) + 1);
		assert_true((double)big.gets <= lg * lg);
		ref_proof(&t, olds[i], n, &want);
		assert_proof_equal(&got, &want);
		big.visible = olds[i];
		assert_int_equal(arh_merkle_root(&s, olds[i], old, &err), 0);
		big.visible = n;
		ref_mth(&t, 0, olds[i], h);
		assert_memory_equal(old, h, HLEN);
		assert_true(mod_consistency(olds[i], n, old, root, &got));
		assert_true(ref_verify_consistency(olds[i], n, old, root,
		    &got));
		got.h[got.n - 1][0] ^= 1;
		assert_false(mod_consistency(olds[i], n, old, root, &got));
	}
}

/* Append into the big tree: the left siblings only, the right puts. */
static void
test_big_append(void **state)
{
	static const uint64_t at[] = { (UINT64_C(1) << 20) - 1,
	    (UINT64_C(1) << 20) + 8191, BIG_LEAVES - 1, 12345 };
	struct arh_merkle_store s = { big_get, big_put, NULL };
	struct arh_err err;
	unsigned char leaf[HLEN];
	unsigned ones;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(at) / sizeof(*at); i++) {
		for (ones = 0; (at[i] >> ones) & 1; ones++)
			;
		big.visible = at[i] + 1;
		big.gets = big.puts = 0;
		t_leaf(at[i], leaf);
		assert_int_equal(arh_merkle_append(&s, at[i], leaf, &err), 0);
		assert_int_equal(big.gets, ones);
		assert_int_equal(big.puts, ones + 1);
		assert_true(big.gets <= ceil_log2(at[i] + 1));
		/* A wrong leaf: the store sees a different node. */
		leaf[0] ^= 1;
		assert_int_equal(arh_merkle_append(&s, at[i], leaf, &err),
		    ARH_EEXIST);
	}
	assert_int_equal(ones, 1);	/* 12345 */
	big.visible = BIG_LEAVES;
}

/* ---- bad input and failing stores ---- */

static void
test_usage(void **state)
{
	static struct hv leaves[8];
	struct mem m;
	struct arh_merkle_store s;
	struct arh_merkle_proof p;
	struct arh_err err;
	unsigned char h[HLEN];

	(void)state;
	mem_init(&m, 8);
	s = mem_store(&m);
	grow(&m, leaves, 8);
	m.gets = m.puts = 0;
	p.n = 99;
	assert_int_equal(arh_merkle_inclusion(&s, 8, 8, &p, &err), ARH_EUSAGE);
	assert_string_equal(err.msg, "leaf 8 is not in a Merkle tree of 8 "
	    "leaves");
	assert_int_equal(p.n, 0);
	assert_int_equal(arh_merkle_inclusion(&s, 0, 0, &p, &err), ARH_EUSAGE);
	p.n = 99;
	assert_int_equal(arh_merkle_consistency(&s, 0, 8, &p, &err),
	    ARH_EUSAGE);
	assert_string_equal(err.msg, "no consistency proof leads from 0 to 8 "
	    "leaves");
	assert_int_equal(p.n, 0);
	assert_int_equal(arh_merkle_consistency(&s, 9, 8, &p, &err),
	    ARH_EUSAGE);
	assert_int_equal(arh_merkle_root(&s, ARH_MERKLE_MAX_SIZE + 1, h, &err),
	    ARH_EUSAGE);
	assert_non_null(strstr(err.msg, "larger than the largest"));
	assert_int_equal(arh_merkle_inclusion(&s, 0, ARH_MERKLE_MAX_SIZE + 1,
	    &p, &err), ARH_EUSAGE);
	assert_int_equal(arh_merkle_consistency(&s, 1, ARH_MERKLE_MAX_SIZE + 1,
	    &p, &err), ARH_EUSAGE);
	assert_int_equal(arh_merkle_append(&s, ARH_MERKLE_MAX_SIZE, h, &err),
	    ARH_EUSAGE);
	assert_int_equal(m.gets, 0);	/* refused before the store */
	assert_int_equal(m.puts, 0);
	mem_release(&m);
}

static void
test_store_failures(void **state)
{
	static struct hv leaves[8];
	struct mem m;
	struct arh_merkle_store s;
	struct arh_merkle_proof p;
	struct arh_err err;
	unsigned char h[HLEN], h2[HLEN];

	(void)state;
	mem_init(&m, 8);
	s = mem_store(&m);
	grow(&m, leaves, 7);
	m.visible = 7;
	/* A tree larger than the store: the store's message comes back. */
	memset(h, 0xaa, HLEN);
	assert_int_equal(arh_merkle_root(&s, 8, h, &err), ARH_ENOTFOUND);
	assert_string_equal(err.msg, "no node (3, 0)");
	assert_int_equal(h[0], 0xaa);	/* out untouched */
	assert_int_equal(arh_merkle_inclusion(&s, 6, 8, &p, &err),
	    ARH_ENOTFOUND);
	assert_int_equal(p.n, 0);
	assert_int_equal(arh_merkle_consistency(&s, 3, 8, &p, &err),
	    ARH_ENOTFOUND);
	assert_int_equal(p.n, 0);
	/* Failing gets, and a get that returns a positive number. */
	t_leaf(7, leaves[7].b);
	m.fail_get = ARH_ECATALOG;
	assert_int_equal(arh_merkle_root(&s, 7, h, &err), ARH_ECATALOG);
	assert_string_equal(err.msg, "get fails");
	assert_int_equal(arh_merkle_append(&s, 7, leaves[7].b, &err),
	    ARH_ECATALOG);
	assert_int_equal(m.have[0][7], 1);	/* put before the get */
	assert_int_equal(m.have[1][3], 0);
	m.fail_get = 1;
	assert_int_equal(arh_merkle_root(&s, 7, h, &err), ARH_EINTERNAL);
	assert_string_equal(err.msg, "Merkle get of node (0, 6) returned 1");
	m.fail_get = 0;
	/* A failing put; the append run again completes the tree. */
	m.puts = 0;
	m.fail_put = 3;			/* (0,7), (1,3), then (2,1) fails */
	assert_int_equal(arh_merkle_append(&s, 7, leaves[7].b, &err),
	    ARH_ECATALOG);
	assert_int_equal(m.have[1][3], 1);
	assert_int_equal(m.have[2][1], 0);
	m.fail_put = 0;
	assert_int_equal(arh_merkle_append(&s, 7, leaves[7].b, &err), 0);
	m.visible = 8;
	assert_int_equal(arh_merkle_root(&s, 8, h, &err), 0);
	assert_memory_equal(h, m.node[3][0], HLEN);
	{
		struct tree t = { leaves };

		ref_mth(&t, 0, 8, h2);
		assert_memory_equal(h, h2, HLEN);
	}
	mem_release(&m);
}

/*
 * A proof binds the tree size only through the shape of the path: leaf 0
 * has the same path in trees of 3 and 4 leaves, so the proof against the
 * root of 3 leaves also "verifies" for a tree of 4.  The size must come
 * signed with its root (the tree head); the proof cannot vouch for it.
 */
static void
test_size_not_bound(void **state)
{
	static struct hv leaves[4];
	struct tree t = { leaves };
	struct mem m;
	struct arh_merkle_store s;
	struct arh_merkle_proof p;
	struct arh_err err;
	unsigned char r3[HLEN], r2[HLEN];

	(void)state;
	mem_init(&m, 4);
	s = mem_store(&m);
	grow(&m, leaves, 4);
	ref_mth(&t, 0, 3, r3);
	assert_int_equal(arh_merkle_inclusion(&s, 0, 3, &p, &err), 0);
	assert_int_equal(p.n, 2);
	assert_true(mod_inclusion(0, 3, leaves[0].b, &p, r3));
	assert_true(mod_inclusion(0, 4, leaves[0].b, &p, r3));
	assert_false(mod_inclusion(0, 5, leaves[0].b, &p, r3));
	assert_false(mod_inclusion(0, 2, leaves[0].b, &p, r3));
	/* And 2 -> 3 proves as 2 -> 4 between the same two roots. */
	ref_mth(&t, 0, 2, r2);
	assert_int_equal(arh_merkle_consistency(&s, 2, 3, &p, &err), 0);
	assert_true(mod_consistency(2, 3, r2, r3, &p));
	assert_true(mod_consistency(2, 4, r2, r3, &p));
	mem_release(&m);
}

static void
test_verify_bad_input(void **state)
{
	struct arh_merkle_proof p;
	struct arh_err err;
	unsigned char a[HLEN], b[HLEN];

	(void)state;
	memset(a, 1, HLEN);
	memset(b, 2, HLEN);
	p.n = 0;
	assert_int_equal(arh_merkle_verify_inclusion(3, 3, a, &p, a, &err),
	    ARH_EVERIFY);
	assert_string_equal(err.msg, "leaf 3 cannot be in a Merkle tree of 3 "
	    "leaves");
	assert_int_equal(arh_merkle_verify_inclusion(0, 0, a, &p, a, &err),
	    ARH_EVERIFY);
	assert_int_equal(arh_merkle_verify_inclusion(0, 1, a, &p, a, &err), 0);
	assert_int_equal(arh_merkle_verify_inclusion(0, 1, a, &p, b, &err),
	    ARH_EVERIFY);
	assert_string_equal(err.msg, "inclusion proof of leaf 0 does not lead "
	    "to the root of the tree of 1 leaves");
	p.n = 4;
	assert_int_equal(arh_merkle_verify_inclusion(5, 8, a, &p, a, &err),
	    ARH_EVERIFY);
	assert_string_equal(err.msg, "inclusion proof has 4 hashes; that of "
	    "leaf 5 in a tree of 8 leaves has 3");
	p.n = ARH_MERKLE_MAX_PROOF + 1;	/* beyond h[]: never read */
	assert_int_equal(arh_merkle_verify_inclusion(5, 8, a, &p, a, &err),
	    ARH_EVERIFY);
	assert_int_equal(arh_merkle_verify_consistency(5, 8, a, b, &p, &err),
	    ARH_EVERIFY);
	assert_int_equal(arh_merkle_verify_consistency(8, 8, a, a, &p, &err),
	    ARH_EVERIFY);
	p.n = 0;
	assert_int_equal(arh_merkle_verify_consistency(0, 8, a, b, &p, &err),
	    ARH_EVERIFY);
	assert_string_equal(err.msg, "no consistency proof leads from 0 to 8 "
	    "leaves");
	assert_int_equal(arh_merkle_verify_consistency(9, 8, a, b, &p, &err),
	    ARH_EVERIFY);
	assert_int_equal(arh_merkle_verify_consistency(2, 2, a, a, &p, &err),
	    0);
	assert_int_equal(arh_merkle_verify_consistency(2, 2, a, b, &p, &err),
	    ARH_EVERIFY);
	assert_string_equal(err.msg, "two roots of the same tree of 2 leaves "
	    "differ");
	assert_int_equal(arh_merkle_verify_consistency(1, 2, a, b, &p, &err),
	    ARH_EVERIFY);
	assert_string_equal(err.msg, "consistency proof has 0 hashes; that "
	    "from 1 to 2 leaves has 1");
	p.n = 1;
	memcpy(p.h[0], b, HLEN);
	assert_int_equal(arh_merkle_verify_consistency(2, 2, a, a, &p, &err),
	    ARH_EVERIFY);
	assert_string_equal(err.msg, "consistency proof of a tree of 2 leaves "
	    "with itself has 1 hashes; it must be empty");
	/* 1 -> 2: the old tree is leaf 0, a node of the new one; the
	 * proof is leaf 1, and only the new root can fail to match. */
	assert_int_equal(arh_merkle_verify_consistency(1, 2, a, b, &p, &err),
	    ARH_EVERIFY);
	assert_string_equal(err.msg, "consistency proof from 1 to 2 leaves "
	    "does not lead to the new root");
	p.n = 2;
	memcpy(p.h[0], a, HLEN);
	memcpy(p.h[1], b, HLEN);
	assert_int_equal(arh_merkle_verify_consistency(3, 4, a, b, &p, &err),
	    ARH_EVERIFY);
	assert_string_equal(err.msg, "consistency proof has 2 hashes; that "
	    "from 3 to 4 leaves has 3");
	p.n = 3;
	memcpy(p.h[2], b, HLEN);
	assert_int_equal(arh_merkle_verify_consistency(3, 4, b, b, &p, &err),
	    ARH_EVERIFY);
	assert_string_equal(err.msg, "consistency proof from 3 to 4 leaves "
	    "does not lead to the old root");
}

static int
setup(void **state)
{
	(void)state;
	if ((tctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex2(tctx, EVP_sha256(), NULL) != 1)
		return -1;
	big_build();	/* shared by the tests of the big tree */
	return 0;
}

static int
teardown(void **state)
{
	unsigned l;

	(void)state;
	for (l = 0; l < 64; l++)
		free(big.lv[l]);
	EVP_MD_CTX_free(tctx);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ct_vectors),
		cmocka_unit_test(test_hashes),
		cmocka_unit_test(test_roots),
		cmocka_unit_test(test_inclusion),
		cmocka_unit_test(test_consistency),
		cmocka_unit_test(test_stack),
		cmocka_unit_test(test_stack_failure),
		cmocka_unit_test(test_big),
		cmocka_unit_test(test_big_append),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_store_failures),
		cmocka_unit_test(test_size_not_bound),
		cmocka_unit_test(test_verify_bad_input),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
