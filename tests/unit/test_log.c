/*
 * test_log.c — the log's entry encoding (log_entry.c) and the seal
 * process's log signer (log_signer.c): the entry's exact bytes, its
 * escaping and its commitment to what it does not show; a signer that
 * signs only trees extending the last one it signed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "arhiivar/log.h"
#include "arhiivar/merkle.h"
#include "arhiivar/note.h"

static const unsigned char salt[ARH_LOG_SALT] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16
};

static struct arh_log_fields
fields(void)
{
	struct arh_log_fields f;

	memset(&f, 0, sizeof(f));
	f.index = 7;
	f.event = 8;
	f.at = "2026-12-02T10:00:00Z";
	f.kind = "restore";
	f.result = "ok";
	f.actor = "root (uid 0)";
	f.archive = "12-1_2024.v1";
	f.target = "data/12-1_8910-1/lisad/lisa-1.txt";
	f.salt = salt;
	return f;
}

/* The exact bytes: fixed order, optional lines left out, and the details
 * line the SHA-256 of salt || "target T\n" (checked with EVP here). */
static void
test_entry_bytes(void **state)
{
	struct arh_log_fields f = fields();
	struct arh_err err;
	unsigned char buf[128], md[32];
	unsigned int mdlen;
	char *e = NULL, hex[65], want[1024];
	size_t len, n;
	int i;

	(void)state;
	n = sizeof(salt);
	memcpy(buf, salt, n);
	memcpy(buf + n, "target data/12-1_8910-1/lisad/lisa-1.txt\n", 41);
	assert_int_equal(EVP_Digest(buf, n + 41, md, &mdlen, EVP_sha256(),
	    NULL), 1);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	snprintf(want, sizeof(want), "arhiivar/log-entry@v1\nindex 7\n"
	    "event 8\ntime 2026-12-02T10:00:00Z\nkind restore\nresult ok\n"
	    "actor root (uid 0)\narchive 12-1_2024.v1\ndetails %s\n", hex);
	assert_int_equal(arh_log_entry(&f, &e, &len, &err), 0);
	assert_string_equal(e, want);
	assert_int_equal(len, strlen(want));
	/* What it does not show is still bound: another target, another
	 * detail, another salt each change the entry. */
	free(e);
	f.target = "data/12-1_8910-1/lisad/lisa-2.txt";
	assert_int_equal(arh_log_entry(&f, &e, &len, &err), 0);
	assert_string_not_equal(e, want);
	assert_null(strstr(e, "lisa"));
	free(e);
}

static void
test_entry_escapes_and_digests(void **state)
{
	struct arh_log_fields f = fields();
	struct arh_err err;
	char *e = NULL, v[200];
	size_t len;

	(void)state;
	f.kind = "ingest";
	f.actor = "a\nb%c\x7f";
	f.tar_sha256 = "ab";
	f.tagmanifest_sha512 = "cd";
	assert_int_equal(arh_log_entry(&f, &e, &len, &err), 0);
	assert_non_null(strstr(e, "\nactor a%0Ab%25c%7F\n"));
	assert_non_null(strstr(e, "\narchive 12-1_2024.v1\ntar-sha256 ab\n"
	    "tagmanifest-sha512 cd\ndetails "));
	assert_int_equal(arh_log_entry_field(e, len, "tar-sha256", v,
	    sizeof(v)), 0);
	assert_string_equal(v, "ab");
	assert_int_equal(arh_log_entry_field(e, len, "actor", v, sizeof(v)),
	    0);
	assert_string_equal(v, "a%0Ab%25c%7F");
	assert_int_equal(arh_log_entry_field(e, len, "nothing", v, sizeof(v)),
	    ARH_ENOTFOUND);
	assert_int_equal(arh_log_entry_field(e, len, "actor", v, 3),
	    ARH_EFORMAT);
	free(e);
	f.actor = NULL;
	assert_int_equal(arh_log_entry(&f, &e, &len, &err), ARH_EINVAL);
	assert_null(e);
}

/* ---- the signer ---- */

#define NLEAVES 9

/* A dense tree of NLEAVES leaves in memory, for roots and proofs. */
struct mem {
	unsigned char h[8][NLEAVES][32];
	int have[8][NLEAVES];
};

static int
mem_get(void *arg, unsigned level, uint64_t index, unsigned char out[32],
    struct arh_err *err)
{
	struct mem *m = arg;

	if (level >= 8 || index >= NLEAVES || !m->have[level][index])
		return arh_errf(err, ARH_ENOTFOUND, "no node");
	memcpy(out, m->h[level][index], 32);
	return 0;
}

static int
mem_put(void *arg, unsigned level, uint64_t index, const unsigned char h[32],
    struct arh_err *err)
{
	struct mem *m = arg;

	(void)err;
	memcpy(m->h[level][index], h, 32);
	m->have[level][index] = 1;
	return 0;
}

struct fx {
	char	 dir[64], key[96];
	char	*vkey;
	EVP_PKEY *k;
	struct mem m;
	struct arh_merkle_store s;
};

static void
build(struct fx *x)
{
	struct arh_err err;
	unsigned char leaf[32];
	char e[16];
	uint64_t i;

	memset(&x->m, 0, sizeof(x->m));
	x->s.get = mem_get;
	x->s.put = mem_put;
	x->s.arg = &x->m;
	for (i = 0; i < NLEAVES; i++) {
		snprintf(e, sizeof(e), "leaf %llu\n", (unsigned long long)i);
		assert_int_equal(arh_merkle_leaf_hash(e, strlen(e), leaf,
		    &err), 0);
		assert_int_equal(arh_merkle_append(&x->s, i, leaf, &err), 0);
	}
}

static int
setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	struct arh_err err;
	unsigned char pub[32];
	FILE *f;

	snprintf(x->dir, sizeof(x->dir), "/tmp/arh-test-log.XXXXXX");
	assert_non_null(mkdtemp(x->dir));
	snprintf(x->key, sizeof(x->key), "%s/log.key", x->dir);
	assert_int_equal(arh_note_key_generate(&x->k, &err), 0);
	assert_non_null(f = fopen(x->key, "w"));
	assert_int_equal(PEM_write_PrivateKey(f, x->k, NULL, NULL, 0, NULL,
	    NULL), 1);
	fclose(f);
	assert_int_equal(arh_note_key_public(x->k, pub, &err), 0);
	assert_int_equal(arh_note_vkey("records.example.ee/arhiivar", pub,
	    &x->vkey, &err), 0);
	build(x);
	*state = x;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *x = *state;

	unlink(x->key);
	rmdir(x->dir);
	EVP_PKEY_free(x->k);
	free(x->vkey);
	free(x);
	return 0;
}

/* "L" + the body of the tree of `size` (root from x, or `root`) + the
 * consistency proof from `from` (0: none). */
static unsigned char *
request(struct fx *x, uint64_t size, const unsigned char *root,
    uint64_t from, size_t *len)
{
	struct arh_checkpoint cp;
	struct arh_consistency_proof cpf;
	struct arh_merkle_proof mp;
	struct arh_err err;
	char *body, *proof = NULL;
	size_t blen, plen = 0;
	unsigned char *req;

	cp.origin = (char *)"records.example.ee/arhiivar";
	cp.size = size;
	if (root != NULL)
		memcpy(cp.root, root, 32);
	else
		assert_int_equal(arh_merkle_root(&x->s, size, cp.root, &err), 0);
	assert_int_equal(arh_checkpoint_format(&cp, &body, &blen, &err), 0);
	if (from > 0 && from < size) {
		assert_int_equal(arh_merkle_consistency(&x->s, from, size, &mp,
		    &err), 0);
		cpf.old = from;
		cpf.size = size;
		cpf.hashes = mp.h;
		cpf.n = mp.n;
		assert_int_equal(arh_consistency_proof_format(&cpf, &proof,
		    &plen, &err), 0);
	}
	req = malloc(1 + blen + plen);
	req[0] = 'L';
	memcpy(req + 1, body, blen);
	if (plen > 0)
		memcpy(req + 1 + blen, proof, plen);
	*len = 1 + blen + plen;
	free(body);
	free(proof);
	return req;
}

/* Ask; return the answer's kind ('0' or 'E'), the note or message in
 * *text (malloc'd). */
static char
ask(struct arh_log_signer *s, unsigned char *req, size_t len, char **text)
{
	unsigned char *ans = NULL;
	size_t n = 0;
	char kind;

	assert_int_equal(arh_log_signer_answer(s, req, len, &ans, &n), 0);
	free(req);
	assert_true(n >= 1);
	kind = (char)ans[0];
	*text = strndup((const char *)ans + 1, n - 1);
	free(ans);
	return kind;
}

/* request() then ask(), in that order. */
static char
ask_tree(struct arh_log_signer *s, struct fx *x, uint64_t size,
    const unsigned char *root, uint64_t from, char **text)
{
	unsigned char *req;
	size_t len;

	req = request(x, size, root, from, &len);
	return ask(s, req, len, text);
}

static void
test_signer_extends_only(void **state)
{
	struct fx *x = *state;
	struct arh_log_signer *s;
	struct arh_err err;
	unsigned char pub[32], bad[32];
	const char *t;
	char *text, *name;
	size_t tlen;

	assert_int_equal(arh_log_signer_new(x->key,
	    "records.example.ee/arhiivar", x->vkey, NULL, &s, &err), 0);
	/* 'l' before anything is signed: empty. */
	assert_int_equal(ask(s, (unsigned char *)strdup("l"), 1, &text), '0');
	assert_string_equal(text, "");
	free(text);
	/* First: accepted (nothing to extend yet), and it verifies. */
	assert_int_equal(ask_tree(s, x, 5, NULL, 0, &text), '0');
	assert_int_equal(arh_note_vkey_parse(x->vkey, &name, pub, &err), 0);
	assert_int_equal(arh_note_open(text, strlen(text), name, pub, &t, &tlen,
	    &err), 0);
	free(name);
	free(text);
	assert_int_equal(ask(s, (unsigned char *)strdup("l"), 1, &text), '0');
	assert_string_equal(text, "5");
	free(text);
	/* Smaller: refused.  Same size, another root: refused. */
	assert_int_equal(ask_tree(s, x, 4, NULL, 0, &text), 'E');
	assert_non_null(strstr(text, "refusing"));
	free(text);
	memset(bad, 0xaa, sizeof(bad));
	assert_int_equal(ask_tree(s, x, 5, bad, 0, &text), 'E');
	free(text);
	/* Larger without a proof, with a proof from the wrong size, with a
	 * root the proof does not lead to: refused.  With the right proof:
	 * signed. */
	assert_int_equal(ask_tree(s, x, 8, NULL, 0, &text), 'E');
	free(text);
	assert_int_equal(ask_tree(s, x, 8, NULL, 3, &text), 'E');
	free(text);
	assert_int_equal(ask_tree(s, x, 8, bad, 5, &text), 'E');
	free(text);
	assert_int_equal(ask_tree(s, x, 8, NULL, 5, &text), '0');
	free(text);
	assert_int_equal(ask(s, (unsigned char *)strdup("l"), 1, &text), '0');
	assert_string_equal(text, "8");
	free(text);
	/* Another origin, garbage: refused. */
	assert_int_equal(ask(s, (unsigned char *)strdup("Lx\ny\nz\n"), 7,
	    &text), 'E');
	free(text);
	assert_int_equal(ask(s, (unsigned char *)strdup("Q"), 1, &text), 'E');
	free(text);
	arh_log_signer_free(s);
}

static void
test_signer_seeded_and_keyless(void **state)
{
	struct fx *x = *state;
	struct arh_log_signer *s;
	struct arh_checkpoint cp;
	struct arh_err err;
	char *body, *note, *text, *other = NULL;
	size_t blen, nlen;
	EVP_PKEY *k2;
	unsigned char pub2[32];

	/* Seeded with a checkpoint of 6: 5 is refused, 9 needs its proof. */
	cp.origin = (char *)"records.example.ee/arhiivar";
	cp.size = 6;
	assert_int_equal(arh_merkle_root(&x->s, 6, cp.root, &err), 0);
	assert_int_equal(arh_checkpoint_format(&cp, &body, &blen, &err), 0);
	assert_int_equal(arh_note_sign(body, blen, cp.origin, x->k, &note,
	    &nlen, &err), 0);
	assert_int_equal(arh_log_signer_new(x->key, cp.origin, x->vkey, note,
	    &s, &err), 0);
	assert_int_equal(ask_tree(s, x, 5, NULL, 0, &text), 'E');
	free(text);
	assert_int_equal(ask_tree(s, x, 9, NULL, 6, &text), '0');
	free(text);
	arh_log_signer_free(s);
	free(body);
	free(note);
	/* A key file that is not the recorded key: refused at start. */
	assert_int_equal(arh_note_key_generate(&k2, &err), 0);
	assert_int_equal(arh_note_key_public(k2, pub2, &err), 0);
	assert_int_equal(arh_note_vkey("records.example.ee/arhiivar", pub2,
	    &other, &err), 0);
	assert_int_equal(arh_log_signer_new(x->key,
	    "records.example.ee/arhiivar", other, NULL, &s, &err),
	    ARH_ECRYPTO);
	assert_null(s);
	EVP_PKEY_free(k2);
	free(other);
	/* No signer at all: every request has an error answer. */
	assert_int_equal(ask(NULL, (unsigned char *)strdup("l"), 1, &text),
	    'E');
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entry_bytes),
		cmocka_unit_test(test_entry_escapes_and_digests),
		cmocka_unit_test_setup_teardown(test_signer_extends_only,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_signer_seeded_and_keyless,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
