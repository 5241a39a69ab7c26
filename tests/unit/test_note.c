/*
 * test_note.c — signed notes, verifier keys, checkpoints, tlog proofs and
 * consistency proofs (note.h).
 *
 * Known answers come from the specifications and from the tests of
 * golang.org/x/mod/sumdb/note: the PeterNeumann key (its private seed too,
 * so a signature is checked byte for byte: Ed25519 is deterministic) and
 * the EnochRoot key, and the examples of c2sp.org/signed-note,
 * tlog-checkpoint and tlog-proof.  Every malformed shape must fail with
 * ARH_EFORMAT and a message naming the line and the fault.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "arhiivar/note.h"

/* golang.org/x/mod/sumdb/note tests */
#define PETER_VKEY \
	"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
#define PETER_SKEY_B64	"AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
#define PETER_TEXT \
	"If you think cryptography is the answer to your problem,\n" \
	"then you don't know what your problem is.\n"
#define PETER_SIG \
	"\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZIn" \
	"NIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
#define ENOCH_VKEY \
	"EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
#define ENOCH_SIG \
	"\xe2\x80\x94 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2t" \
	"iOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"

/* c2sp.org/signed-note, "Verifier keys", example */
#define FOO_VKEY \
	"example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
#define FOO_NOTE \
	"This is an example message.\n" \
	"\n" \
	"\xe2\x80\x94 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2" \
	"ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"

/* c2sp.org/signed-note, the opening example (its key is not given) */
#define QUASIMODO_NOTE \
	"Ognuno sta solo sul cuor della terra\n" \
	"trafitto da un raggio di sole:\n" \
	"\n" \
	"ed \xc3\xa8 subito sera.\n" \
	"\n" \
	"\xe2\x80\x94 quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/" \
	"5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n"

/* c2sp.org/tlog-checkpoint example */
#define SOFA_BODY \
	"example.com/behind-the-sofa\n" \
	"20852163\n" \
	"CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
#define SOFA_NOTE SOFA_BODY "\n" \
	"\xe2\x80\x94 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZ" \
	"niMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"

/* c2sp.org/tlog-proof example, up to its checkpoint */
#define FANCY_HEAD \
	"c2sp.org/tlog-proof@v1\n" \
	"extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ\n" \
	"index 73894\n" \
	"gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=\n" \
	"B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=\n" \
	"EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=\n" \
	"RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=\n" \
	"AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=\n" \
	"\n"
#define FANCY_BODY \
	"example.com/fancylog\n" \
	"109482\n" \
	"sFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=\n"
/* As printed: the signatures are elided with "[...]". */
#define FANCY_SIGS_ELIDED \
	"\xe2\x80\x94 example.com/fancylog hI2DJw[...]1roloI=\n" \
	"\xe2\x80\x94 witness1.example mJirIklj[...]qY9v2B/5bg==\n" \
	"\xe2\x80\x94 witness2.example TnKKVHLX[...]xwYwrSjgow==\n" \
	"\xe2\x80\x94 witness3.example S4X82uH5[...]3oEcROGLFQ==\n"

#define DASH	"\xe2\x80\x94 "
#define ROOT_B64 "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
#define H_A	"gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ="

/* ------------------------------------------------------------------ */
/* Helpers */

static unsigned char peter_pub[32], enoch_pub[32];

static void
b64dec(const char *s, unsigned char *out, size_t want)
{
	unsigned char buf[256];
	size_t n = strlen(s);
	int k;

	assert_true(n < sizeof(buf));
	k = EVP_DecodeBlock(buf, (const unsigned char *)s, (int)n);
	assert_true(k >= (int)want);
	memcpy(out, buf, want);
	OPENSSL_cleanse(buf, sizeof(buf));
}

/* The PeterNeumann private key of the Go tests. */
static EVP_PKEY *
peter_key(void)
{
	unsigned char raw[33];
	EVP_PKEY *k;

	b64dec(PETER_SKEY_B64, raw, sizeof(raw));
	assert_int_equal(raw[0], 0x01);
	k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, raw + 1, 32);
	OPENSSL_cleanse(raw, sizeof(raw));
	assert_non_null(k);
	return k;
}

static EVP_PKEY *
new_key(void)
{
	struct arh_err err;
	EVP_PKEY *k = NULL;

	arh_err_clear(&err);
	if (arh_note_key_generate(&k, &err) != 0)
		fail_msg("key: %s", err.msg);
	return k;
}

static char *
sign(const char *text, const char *name, EVP_PKEY *k)
{
	struct arh_err err;
	char *out = NULL;
	size_t len;

	arh_err_clear(&err);
	if (arh_note_sign(text, strlen(text), name, k, &out, &len, &err) != 0)
		fail_msg("sign: %s", err.msg);
	assert_int_equal(len, strlen(out));
	return out;
}

/* "a" "b" ... concatenated into a malloc'd string. */
static char *
cat(const char *first, ...)
{
	size_t len = 0;
	const char *s;
	char *out;
	va_list ap;

	va_start(ap, first);
	for (s = first; s != NULL; s = va_arg(ap, const char *))
		len += strlen(s);
	va_end(ap);
	out = malloc(len + 1);
	assert_non_null(out);
	len = 0;
	va_start(ap, first);
	for (s = first; s != NULL; s = va_arg(ap, const char *)) {
		memcpy(out + len, s, strlen(s));
		len += strlen(s);
	}
	va_end(ap);
	out[len] = '\0';
	return out;
}

/* head, then unit `times` times, then tail, malloc'd. */
static char *
repeat(const char *head, const char *unit, size_t times, const char *tail)
{
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail), i;
	char *out = malloc(hl + ul * times + tl + 1), *o = out;

	assert_non_null(out);
	memcpy(o, head, hl);
	o += hl;
	for (i = 0; i < times; i++, o += ul)
		memcpy(o, unit, ul);
	memcpy(o, tail, tl + 1);
	return out;
}

static int
open_as(const char *note, size_t len, const char *name,
    const unsigned char pub[32], struct arh_err *err)
{
	const char *text = (const char *)1;
	size_t textlen = 1;
	int r;

	arh_err_clear(err);
	r = arh_note_open(note, len, name, pub, &text, &textlen, err);
	if (r != 0) {
		assert_null(text);
		assert_int_equal(textlen, 0);
		assert_true(err->msg[0] != '\0');
	}
	return r;
}

static void
expect_msg(const struct arh_err *err, const char *want)
{
	if (strstr(err->msg, want) == NULL)
		fail_msg("message '%s' lacks '%s'", err->msg, want);
}

/* Opening note with the PeterNeumann key fails with code and msg. */
static void
note_fails(const char *note, size_t len, int code, const char *msg)
{
	struct arh_err err;

	if (open_as(note, len, "PeterNeumann", peter_pub, &err) != code)
		fail_msg("note '%s': want %d, got '%s'", note, code, err.msg);
	expect_msg(&err, msg);
}

static int
setup(void **state)
{
	char *name = NULL;
	struct arh_err err;

	(void)state;
	if (arh_note_vkey_parse(PETER_VKEY, &name, peter_pub, &err) != 0)
		return -1;
	free(name);
	if (arh_note_vkey_parse(ENOCH_VKEY, &name, enoch_pub, &err) != 0)
		return -1;
	free(name);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Keys */

static void
test_key_id_vector(void **state)
{
	static const unsigned char want[4] = { 0xc7, 0x4f, 0x20, 0xa3 };
	unsigned char id[4], pub[32];
	struct arh_err err;
	EVP_PKEY *k = peter_key();
	char *vkey = NULL;

	(void)state;
	assert_int_equal(arh_note_key_public(k, pub, &err), 0);
	assert_memory_equal(pub, peter_pub, 32);
	assert_int_equal(arh_note_key_id("PeterNeumann", pub, id, &err), 0);
	assert_memory_equal(id, want, 4);
	assert_int_equal(arh_note_vkey("PeterNeumann", pub, &vkey, &err), 0);
	assert_string_equal(vkey, PETER_VKEY);
	free(vkey);
	assert_int_equal(arh_note_vkey("EnochRoot", enoch_pub, &vkey, &err),
	    0);
	assert_string_equal(vkey, ENOCH_VKEY);
	free(vkey);
	assert_int_equal(arh_note_key_id("a+b", pub, id, &err), ARH_EUSAGE);
	assert_int_equal(arh_note_vkey("", pub, &vkey, &err), ARH_EUSAGE);
	assert_null(vkey);
	EVP_PKEY_free(k);
}

static void
test_vkey_parse(void **state)
{
	unsigned char pub[32];
	struct arh_err err;
	char *name = NULL, *again = NULL;

	(void)state;
	assert_int_equal(arh_note_vkey_parse(FOO_VKEY, &name, pub, &err), 0);
	assert_string_equal(name, "example.com/foo");
	assert_int_equal(arh_note_vkey(name, pub, &again, &err), 0);
	assert_string_equal(again, FOO_VKEY);
	free(name);
	free(again);
}

static void
vkey_fails(const char *vkey, const char *msg)
{
	unsigned char pub[32];
	struct arh_err err;
	char *name = (char *)1;

	arh_err_clear(&err);
	if (arh_note_vkey_parse(vkey, &name, pub, &err) != ARH_EFORMAT)
		fail_msg("vkey '%s' accepted", vkey);
	assert_null(name);
	if (msg != NULL)
		expect_msg(&err, msg);
}

/* As the Go tests: no part and no one-byte change of a vkey is one. */
static void
test_vkey_mangled(void **state)
{
	char b[sizeof(PETER_VKEY)];
	size_t i, j, n = strlen(PETER_VKEY);

	(void)state;
	for (i = 0; i <= n; i++)
		for (j = i + 1; j <= n; j++) {
			if (i == 0 && j == n)
				continue;
			memcpy(b, &PETER_VKEY[i], j - i);
			b[j - i] = '\0';
			vkey_fails(b, NULL);
		}
	memcpy(b, PETER_VKEY, sizeof(b));
	for (i = 0; i < n; i++) {
		b[i]++;
		vkey_fails(b, NULL);
		b[i]--;
	}
	/* wrong length key, unknown algorithm (key IDs adjusted) */
	vkey_fails("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/"
	    "LDE4izWy10TWBADKEY==", "canonical base64");
	vkey_fails("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/"
	    "LDE4izWy10TW", "signature type 0x65");
	vkey_fails("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/"
	    "LDE4izWy10TW", "lower-case hex");
	vkey_fails("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/"
	    "LDE4izWy10TW", "does not match");
	vkey_fails("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/"
	    "LDE4izWy10TW", "space");
	vkey_fails("+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	    "empty");
	vkey_fails("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/"
	    "LDE4izWy10TW ", "canonical base64");
	vkey_fails("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/"
	    "LDE4izWy10TW====", "canonical base64");
	/* A different key of the same name: the ID no longer matches. */
	vkey_fails("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/"
	    "LDE4izWy10TX", "key ID c74f20a3 does not match");
}

static void
test_key_public_wrong_type(void **state)
{
	unsigned char pub[32];
	struct arh_err err;
	EVP_PKEY *ec = EVP_EC_gen("P-256");
	char *out = NULL;
	size_t len = 1;

	(void)state;
	assert_non_null(ec);
	assert_int_equal(arh_note_key_public(ec, pub, &err), ARH_ECRYPTO);
	assert_int_equal(arh_note_sign("a\n", 2, "x", ec, &out, &len, &err),
	    ARH_ECRYPTO);
	assert_null(out);
	assert_int_equal(len, 0);
	EVP_PKEY_free(ec);
}

static void
test_name_valid(void **state)
{
	static const char *good[] = { "a", "example.com/log42",
	    "PeterNeumann", "\xc3\xa4ri", "x=y/z:1" };
	static const char *badn[] = { "", "a b", "a+b", "a\tb",
	    "a\xc2\xa0" "b", "a\xe2\x80\x83" "b", "a\xe3\x80\x80" "b",
	    "a\xc2\x85" "b", "a\xff", "a\xed\xa0\x80", "a\x01" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(arh_note_name_valid(good[i], strlen(good[i])));
	for (i = 0; i < sizeof(badn) / sizeof(badn[0]); i++)
		assert_false(arh_note_name_valid(badn[i], strlen(badn[i])));
}

/* ------------------------------------------------------------------ */
/* Signed notes */

static void
test_sign_known_answer(void **state)
{
	EVP_PKEY *k = peter_key();
	char *note = sign(PETER_TEXT, "PeterNeumann", k);

	(void)state;
	assert_string_equal(note, PETER_TEXT "\n" PETER_SIG);
	free(note);
	EVP_PKEY_free(k);
}

static void
test_open_known(void **state)
{
	static const char note[] = PETER_TEXT "\n" PETER_SIG ENOCH_SIG;
	unsigned char pub[32];
	const char *text;
	size_t textlen;
	struct arh_err err;
	char *name = NULL;

	(void)state;
	/* Enoch's line is by an unknown key: ignored. */
	assert_int_equal(arh_note_open(note, strlen(note), "PeterNeumann",
	    peter_pub, &text, &textlen, &err), 0);
	assert_ptr_equal(text, note);
	assert_int_equal(textlen, strlen(PETER_TEXT));
	assert_int_equal(open_as(note, strlen(note), "EnochRoot", enoch_pub,
	    &err), 0);
	/* Neither key: no signature by it. */
	note_fails(ENOCH_SIG, strlen(ENOCH_SIG), ARH_EFORMAT, "blank line");
	assert_int_equal(open_as(PETER_TEXT "\n" ENOCH_SIG,
	    strlen(PETER_TEXT "\n" ENOCH_SIG), "PeterNeumann", peter_pub,
	    &err), ARH_EVERIFY);
	expect_msg(&err, "no signature by PeterNeumann+c74f20a3");

	/* The specification's own examples. */
	assert_int_equal(arh_note_vkey_parse(FOO_VKEY, &name, pub, &err), 0);
	assert_int_equal(arh_note_open(FOO_NOTE, strlen(FOO_NOTE), name, pub,
	    &text, &textlen, &err), 0);
	assert_int_equal(textlen, strlen("This is an example message.\n"));
	free(name);
	/* Well-formed, though we lack the key: EVERIFY, not EFORMAT. */
	assert_int_equal(open_as(QUASIMODO_NOTE, strlen(QUASIMODO_NOTE),
	    "quasimodo.example/salvatore", peter_pub, &err), ARH_EVERIFY);
	assert_int_equal(open_as(SOFA_NOTE, strlen(SOFA_NOTE),
	    "example.com/behind-the-sofa", peter_pub, &err), ARH_EVERIFY);
}

static void
test_round_trip(void **state)
{
	static const char *texts[] = {
		"one line\n",
		"\n",			/* a single empty line */
		"a\n\nb\n",		/* an empty line inside */
		"ends with an empty line\n\n",
		"\xe2\x80\x94 looks like a signature line\n",
		"\xc3\xb5\xc3\xa4\xc3\xb6\xc3\xbc \xe2\x82\xac\n",
	};
	EVP_PKEY *k = new_key();
	unsigned char pub[32];
	struct arh_err err;
	const char *text;
	size_t i, textlen;
	char *note;

	(void)state;
	assert_int_equal(arh_note_key_public(k, pub, &err), 0);
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		note = sign(texts[i], "arhiivar.example/log", k);
		if (arh_note_open(note, strlen(note), "arhiivar.example/log",
		    pub, &text, &textlen, &err) != 0)
			fail_msg("text %zu: %s", i, err.msg);
		assert_int_equal(textlen, strlen(texts[i]));
		assert_memory_equal(text, texts[i], textlen);
		free(note);
	}
	EVP_PKEY_free(k);
}

static void
test_tampered(void **state)
{
	static const char good[] = PETER_TEXT "\n" PETER_SIG;
	static const unsigned char peter_id[4] = { 0xc7, 0x4f, 0x20, 0xa3 };
	unsigned char other[32], raw[69];
	char note[sizeof(good)], b64[93], *forged, *s;
	EVP_PKEY *k = new_key();
	struct arh_err err;
	size_t sig = strlen(PETER_TEXT "\n" DASH "PeterNeumann ");

	(void)state;
	/* A changed body byte. */
	memcpy(note, good, sizeof(good));
	note[3] = 'X';
	note_fails(note, strlen(note), ARH_EVERIFY, "line 4: the signature by "
	    "PeterNeumann+c74f20a3 does not verify");
	/* A changed signature byte (past the key ID), still canonical. */
	memcpy(note, good, sizeof(good));
	note[sig + 20] = note[sig + 20] == 'A' ? 'B' : 'A';
	note_fails(note, strlen(note), ARH_EVERIFY, "does not verify");
	/* A longer signature by the known key (the Go test's "ABCD"). */
	s = malloc(sizeof(good) + 4);
	assert_non_null(s);
	memcpy(s, good, sig + 56);
	memcpy(s + sig + 56, "ABCD", 4);
	memcpy(s + sig + 60, good + sig + 56, sizeof(good) - sig - 56);
	note_fails(s, strlen(s), ARH_EVERIFY, "does not verify");
	free(s);
	/* The wrong name, the wrong key. */
	assert_int_equal(open_as(good, strlen(good), "PeterNeumann2",
	    peter_pub, &err), ARH_EVERIFY);
	assert_int_equal(open_as(good, strlen(good), "EnochRoot", peter_pub,
	    &err), ARH_EVERIFY);
	assert_int_equal(arh_note_key_public(k, other, &err), 0);
	assert_int_equal(open_as(good, strlen(good), "PeterNeumann", other,
	    &err), ARH_EVERIFY);
	expect_msg(&err, "no signature by PeterNeumann+");

	/*
	 * A line with PeterNeumann's name and key ID but another key's
	 * signature fails the whole note, even next to a good one.
	 */
	forged = sign(PETER_TEXT, "PeterNeumann", k);
	s = strstr(forged, DASH "PeterNeumann ") + strlen(DASH "PeterNeumann ");
	assert_int_equal(EVP_DecodeBlock(raw, (unsigned char *)s, 92), 69);
	memcpy(raw, peter_id, 4);
	assert_int_equal(EVP_EncodeBlock((unsigned char *)b64, raw, 68), 92);
	s = cat(PETER_TEXT "\n" PETER_SIG DASH "PeterNeumann ", b64, "\n",
	    NULL);
	note_fails(s, strlen(s), ARH_EVERIFY, "line 5: the signature by "
	    "PeterNeumann+c74f20a3 does not verify");
	free(s);
	free(forged);
	EVP_PKEY_free(k);
}

/* Lines by other keys that share the name or the key ID are ignored. */
static void
test_unknown_lines_ignored(void **state)
{
	EVP_PKEY *k = new_key();
	char *same_name = sign(PETER_TEXT, "PeterNeumann", k), *note;
	const char *line = strstr(same_name, DASH);

	(void)state;
	note = cat(PETER_TEXT "\n", line, PETER_SIG,
	    DASH "CarmenSandiego x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZIn"
	    "NIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
	    DASH "witness.example AAAAAAE=\n", NULL);
	assert_int_equal(open_as(note, strlen(note), "PeterNeumann",
	    peter_pub, &(struct arh_err){ 0 }), 0);
	free(note);
	/* Duplicate lines by the known key: each verifies. */
	note = cat(PETER_TEXT "\n" PETER_SIG PETER_SIG, NULL);
	assert_int_equal(open_as(note, strlen(note), "PeterNeumann",
	    peter_pub, &(struct arh_err){ 0 }), 0);
	free(note);
	free(same_name);
	EVP_PKEY_free(k);
}

static void
test_malformed_notes(void **state)
{
	static const struct {
		const char	*note;
		const char	*msg;
	} t[] = {
		/* the Go tests' bad messages */
		{ PETER_TEXT, "no blank line" },
		{ PETER_TEXT "\n", "line 3: no signature lines" },
		{ "\x01" PETER_TEXT "\n" PETER_SIG, "line 1: control character "
		    "0x01" },
		{ "\xff" PETER_TEXT "\n" PETER_SIG, "line 1: not UTF-8" },
		{ PETER_TEXT "\n" DASH "Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiF"
		    "upLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJ"
		    "nAM=\n", "line 4: more than one space" },
		{ PETER_TEXT "\n" PETER_SIG "Unexpected line.\n", "line 5: a "
		    "signature line must start with an em dash" },
		/* and ours */
		{ "If you think\r\n\n" PETER_SIG, "line 1: carriage return" },
		{ PETER_TEXT "\n" DASH "PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxV"
		    "BtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6Ry"
		    "yBwJnAN=\n", "line 4: signature is not canonical base64" },
		{ PETER_TEXT "\n" DASH "PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxV"
		    "BtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6Ry"
		    "yBwJnAM\n", "line 4: signature is not canonical base64" },
		{ PETER_TEXT "\n" DASH "PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxV"
		    "BtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6Ry"
		    "yBwJnAM= \n", "line 4: more than one space" },
		{ PETER_TEXT "\n" DASH " x08go/ZJkuBS9UG/SffcvIAQxV\n",
		    "line 4: key name is empty" },
		{ PETER_TEXT "\n" DASH "Peter+Neumann AAAAAAE=\n",
		    "line 4: key name contains '+'" },
		{ PETER_TEXT "\n" DASH "Peter\xc2\xa0Neumann AAAAAAE=\n",
		    "line 4: key name contains a space" },
		{ PETER_TEXT "\n" DASH "PeterNeumann AAAAAA==\n",
		    "line 4: signature is shorter" },
		{ PETER_TEXT "\n" DASH "PeterNeumann\n", "line 4: no space" },
		{ PETER_TEXT "\n" DASH "PeterNeumann \n", "line 4: signature is "
		    "not canonical" },
		{ PETER_TEXT "\n- PeterNeumann AAAAAAE=\n", "line 4: a signature "
		    "line must start" },
		{ "\xc0\xaf\n\n" PETER_SIG, "line 1: not UTF-8" },
		{ "ok\n\xed\xa0\x80\n\n" PETER_SIG, "line 2: not UTF-8" },
		{ PETER_TEXT "\n" DASH "PeterNeumann x08go\tZJkuBS9UG\n",
		    "line 4: control character 0x09" },
		{ "\n", "no blank line" },
		{ "\n\n", "line 2: no signature lines" },
	};
	static const char tail[] = PETER_TEXT "\n" PETER_SIG;
	size_t i;
	char *big;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		note_fails(t[i].note, strlen(t[i].note), ARH_EFORMAT, t[i].msg);
	/* The text ends at the last blank line, so here it holds Peter's
	 * first signature line and the second one does not verify. */
	note_fails(PETER_TEXT "\n" PETER_SIG "\n" PETER_SIG,
	    strlen(PETER_TEXT "\n" PETER_SIG "\n" PETER_SIG), ARH_EVERIFY,
	    "note line 6: the signature by PeterNeumann+c74f20a3 does not "
	    "verify");
	/* A NUL counts as a control character; len, not the NUL, ends it. */
	note_fails("a\0b\n\n" PETER_SIG, 6 + strlen(PETER_SIG), ARH_EFORMAT,
	    "line 1: control character 0x00");
	/* No final newline, and parsers never look past len. */
	note_fails(tail, strlen(tail) - 1, ARH_EFORMAT,
	    "line 4: missing final newline");
	note_fails("", 0, ARH_EFORMAT, "empty");
	/* A key name no signature line can hold is the caller's fault. */
	assert_int_equal(open_as(PETER_TEXT "\n" PETER_SIG,
	    strlen(PETER_TEXT "\n" PETER_SIG), "Peter Neumann", peter_pub,
	    &(struct arh_err){ 0 }), ARH_EUSAGE);

	/* Too many signature lines; a line too long; a note too big. */
	big = repeat(PETER_TEXT "\n", PETER_SIG, 100, "");
	assert_int_equal(open_as(big, strlen(big), "PeterNeumann", peter_pub,
	    &(struct arh_err){ 0 }), 0);
	free(big);
	big = repeat(PETER_TEXT "\n", PETER_SIG, 101, "");
	note_fails(big, strlen(big), ARH_EFORMAT, "line 104: more than 100 "
	    "signature");
	free(big);
	big = malloc(ARH_NOTE_MAX + 2);
	assert_non_null(big);
	memset(big, 'a', 8193);
	memcpy(big + 8193, "\n\n" PETER_SIG, 2 + strlen(PETER_SIG));
	note_fails(big, 8195 + strlen(PETER_SIG), ARH_EFORMAT, "line 1: line "
	    "is longer than 8192");
	memset(big, 'a', 8192);	/* exactly 8192 is fine: EVERIFY */
	memcpy(big + 8192, "\n\n" PETER_SIG, 2 + strlen(PETER_SIG));
	note_fails(big, 8194 + strlen(PETER_SIG), ARH_EVERIFY, "line 3");
	for (i = 0; i < ARH_NOTE_MAX + 1; i++)
		big[i] = i % 80 == 79 ? '\n' : 'a';
	note_fails(big, ARH_NOTE_MAX + 1, ARH_EFORMAT, "larger than 1048576");
	free(big);
}

static void
test_sign_refuses(void **state)
{
	static const struct {
		const char	*text;
		size_t		 len;
		const char	*msg;
	} t[] = {
		{ "", 0, "must not be empty" },
		{ "no newline", 10, "must end in a newline" },
		{ "cr\r\n", 4, "note text line 1: carriage return" },
		{ "a\nnul\0x\n", 8, "note text line 2: control character "
		    "0x00" },
		{ "\xff\n", 2, "note text line 1: not UTF-8" },
	};
	EVP_PKEY *k = new_key();
	unsigned char pub[32];
	struct arh_err err;
	const char *text;
	char *out = (char *)1, *big;
	size_t i, len = 1, textlen;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(arh_note_sign(t[i].text, t[i].len, "x", k,
		    &out, &len, &err), ARH_EUSAGE);
		assert_null(out);
		assert_int_equal(len, 0);
		expect_msg(&err, t[i].msg);
	}
	assert_int_equal(arh_note_sign("a\n", 2, "a b", k, &out, &len, &err),
	    ARH_EUSAGE);
	expect_msg(&err, "key name 'a b' contains a space");
	assert_int_equal(arh_note_sign("a\n", 2, "a+b", k, &out, &len, &err),
	    ARH_EUSAGE);
	assert_int_equal(arh_note_sign("a\n", 2, NULL, k, &out, &len, &err),
	    ARH_EUSAGE);
	/* The largest text that still makes a note open() accepts. */
	big = malloc(ARH_NOTE_MAX);
	assert_non_null(big);
	len = ARH_NOTE_MAX - 1 - strlen(DASH "x ") - 92 - 1;
	for (i = 0; i < len; i++)
		big[i] = i % 80 == 79 || i + 1 == len ? '\n' : 'a';
	assert_int_equal(arh_note_sign(big, len, "x", k, &out, &i, &err), 0);
	assert_int_equal(i, ARH_NOTE_MAX);
	assert_int_equal(arh_note_key_public(k, pub, &err), 0);
	assert_int_equal(arh_note_open(out, i, "x", pub, &text, &textlen,
	    &err), 0);
	assert_int_equal(textlen, len);
	free(out);
	big[len] = '\n';
	assert_int_equal(arh_note_sign(big, len + 1, "x", k, &out, &i, &err),
	    ARH_EUSAGE);
	expect_msg(&err, "larger than 1048576");
	free(big);
	EVP_PKEY_free(k);
}

/* ------------------------------------------------------------------ */
/* Checkpoints */

static void
test_checkpoint_examples(void **state)
{
	static const char *bodies[] = { SOFA_BODY, FANCY_BODY };
	struct arh_checkpoint c, d;
	struct arh_err err;
	unsigned char root[32];
	char *body;
	size_t i, len;

	(void)state;
	for (i = 0; i < 2; i++) {
		if (arh_checkpoint_parse(bodies[i], strlen(bodies[i]), &c,
		    &err) != 0)
			fail_msg("%s", err.msg);
		assert_int_equal(arh_checkpoint_format(&c, &body, &len, &err),
		    0);
		assert_int_equal(len, strlen(bodies[i]));
		assert_string_equal(body, bodies[i]);
		free(body);
		arh_checkpoint_release(&c);
	}
	assert_int_equal(arh_checkpoint_parse(SOFA_BODY, strlen(SOFA_BODY),
	    &c, &err), 0);
	assert_string_equal(c.origin, "example.com/behind-the-sofa");
	assert_true(c.size == 20852163);
	b64dec(ROOT_B64, root, 32);
	assert_memory_equal(c.root, root, 32);
	arh_checkpoint_release(&c);
	assert_null(c.origin);

	/* Extension lines: accepted and ignored. */
	assert_int_equal(arh_checkpoint_parse(SOFA_BODY "ext one\nx\n",
	    strlen(SOFA_BODY "ext one\nx\n"), &c, &err), 0);
	assert_true(c.size == 20852163);
	arh_checkpoint_release(&c);
	/* Any non-empty origin; the empty tree; the largest size. */
	d.origin = (char *)"a log with spaces+plus";
	d.size = 0;
	memset(d.root, 0, 32);
	assert_int_equal(arh_checkpoint_format(&d, &body, &len, &err), 0);
	assert_string_equal(body, "a log with spaces+plus\n0\n"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
	assert_int_equal(arh_checkpoint_parse(body, len, &c, &err), 0);
	assert_string_equal(c.origin, d.origin);
	arh_checkpoint_release(&c);
	free(body);
	d.size = UINT64_MAX;
	assert_int_equal(arh_checkpoint_format(&d, &body, &len, &err), 0);
	assert_non_null(strstr(body, "\n18446744073709551615\n"));
	assert_int_equal(arh_checkpoint_parse(body, len, &c, &err), 0);
	assert_true(c.size == UINT64_MAX);
	arh_checkpoint_release(&c);
	free(body);
	/* Formatting refuses what parsing would. */
	d.origin = (char *)"two\nlines";
	assert_int_equal(arh_checkpoint_format(&d, &body, &len, &err),
	    ARH_EUSAGE);
	assert_null(body);
	d.origin = (char *)"";
	assert_int_equal(arh_checkpoint_format(&d, &body, &len, &err),
	    ARH_EUSAGE);
	d.origin = (char *)"cr\r";
	assert_int_equal(arh_checkpoint_format(&d, &body, &len, &err),
	    ARH_EUSAGE);
	d.origin = NULL;
	assert_int_equal(arh_checkpoint_format(&d, &body, &len, &err),
	    ARH_EUSAGE);
}

static void
test_checkpoint_malformed(void **state)
{
	static const struct {
		const char	*body;
		const char	*msg;
	} t[] = {
		{ "", "line 1: expected the origin" },
		{ "\n5\n" ROOT_B64 "\n", "line 1: the origin is empty" },
		{ "o\n", "line 2: expected the tree size" },
		{ "o\n05\n" ROOT_B64 "\n", "line 2: the tree size has a "
		    "leading zero" },
		{ "o\n00\n" ROOT_B64 "\n", "line 2: the tree size has a "
		    "leading zero" },
		{ "o\n-1\n" ROOT_B64 "\n", "line 2: the tree size is not a "
		    "decimal" },
		{ "o\n+1\n" ROOT_B64 "\n", "line 2: the tree size is not a "
		    "decimal" },
		{ "o\n 1\n" ROOT_B64 "\n", "line 2: the tree size is not a "
		    "decimal" },
		{ "o\n\n" ROOT_B64 "\n", "line 2: the tree size is empty" },
		{ "o\n18446744073709551616\n" ROOT_B64 "\n", "line 2: the "
		    "tree size is larger than 2^64 - 1" },
		{ "o\n123456789012345678901\n" ROOT_B64 "\n", "line 2: the "
		    "tree size is larger" },
		{ "o\n5\n", "line 3: expected the root hash" },
		{ "o\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n",
		    "line 3: the root hash is not canonical base64" },
		{ "o\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n",
		    "line 3: the root hash is not canonical base64" },
		{ "o\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxqw==\n",
		    "line 3: the root hash is not canonical base64" },
		{ "o\n5\n" ROOT_B64 " \n", "line 3: the root hash" },
		{ "o\n5\n" ROOT_B64 "\n\n", "line 4: empty line" },
		{ "o\n5\n" ROOT_B64 "\next\n\n", "line 5: empty line" },
		{ "o\n5\n" ROOT_B64, "line 3: missing final newline" },
		{ "o\r\n5\n" ROOT_B64 "\n", "line 1: carriage return" },
		{ "o\n5\n" ROOT_B64 "\nx\x7f\x1b\n", "line 4: control "
		    "character 0x1b" },
	};
	struct arh_checkpoint c;
	struct arh_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		arh_err_clear(&err);
		if (arh_checkpoint_parse(t[i].body, strlen(t[i].body), &c,
		    &err) != ARH_EFORMAT)
			fail_msg("checkpoint %zu accepted", i);
		assert_null(c.origin);
		assert_true(c.size == 0);
		expect_msg(&err, "checkpoint ");
		expect_msg(&err, t[i].msg);
	}
}

/* ------------------------------------------------------------------ */
/* tlog proofs */

/* The example's checkpoint, signed by a fresh key under the log's name,
 * with three well-formed witness cosignature lines (76 bytes each). */
static char *
fancy_checkpoint(EVP_PKEY *k)
{
	unsigned char raw[76];
	char b64[3][110], *note, *all;
	size_t i, j;

	for (j = 0; j < 3; j++) {
		for (i = 0; i < sizeof(raw); i++)
			raw[i] = (unsigned char)(i * 7 + j);
		EVP_EncodeBlock((unsigned char *)b64[j], raw, sizeof(raw));
	}
	note = sign(FANCY_BODY, "example.com/fancylog", k);
	all = cat(note, DASH "witness1.example ", b64[0], "\n",
	    DASH "witness2.example ", b64[1], "\n",
	    DASH "witness3.example ", b64[2], "\n", NULL);
	free(note);
	return all;
}

static void
test_tlog_proof_example(void **state)
{
	static const char extra[] = "age-v1.2.1-darwin-arm64.tar.gz";
	EVP_PKEY *k = new_key();
	char *cp = fancy_checkpoint(k), *file, *again;
	struct arh_tlog_proof p;
	struct arh_err err;
	unsigned char h[32], pub[32];
	const char *text;
	size_t len, textlen;

	(void)state;
	/* As printed, the elided signatures are not base64. */
	file = cat(FANCY_HEAD FANCY_BODY "\n" FANCY_SIGS_ELIDED, NULL);
	assert_int_equal(arh_tlog_proof_parse(file, strlen(file), &p, &err),
	    ARH_EFORMAT);
	expect_msg(&err, "tlog proof line 14: signature is not canonical "
	    "base64");
	assert_null(p.hashes);
	assert_null(p.extra);
	free(file);

	/* With real signatures it parses and formats back as it was. */
	file = cat(FANCY_HEAD, cp, NULL);
	if (arh_tlog_proof_parse(file, strlen(file), &p, &err) != 0)
		fail_msg("%s", err.msg);
	assert_true(p.index == 73894);
	assert_int_equal(p.n, 5);
	b64dec(H_A, h, 32);
	assert_memory_equal(p.hashes[0], h, 32);
	assert_int_equal(p.extra_len, 39);
	assert_memory_equal(p.extra, extra, strlen(extra));
	assert_int_equal(p.checkpoint_len, strlen(cp));
	assert_string_equal(p.checkpoint, cp);
	assert_int_equal(arh_tlog_proof_format(&p, &again, &len, &err), 0);
	assert_int_equal(len, strlen(file));
	assert_string_equal(again, file);
	free(again);
	/* Its checkpoint opens with the log key; the witnesses are ignored. */
	assert_int_equal(arh_note_key_public(k, pub, &err), 0);
	assert_int_equal(arh_note_open(p.checkpoint, p.checkpoint_len,
	    "example.com/fancylog", pub, &text, &textlen, &err), 0);
	assert_int_equal(textlen, strlen(FANCY_BODY));
	/* Without extra data the line goes. */
	p.extra_len = 0;
	assert_int_equal(arh_tlog_proof_format(&p, &again, &len, &err), 0);
	assert_null(strstr(again, "extra"));
	arh_tlog_proof_release(&p);
	assert_int_equal(arh_tlog_proof_parse(again, len, &p, &err), 0);
	assert_null(p.extra);
	assert_int_equal(p.n, 5);
	arh_tlog_proof_release(&p);
	assert_null(p.checkpoint);
	free(again);
	free(file);
	free(cp);
	EVP_PKEY_free(k);
}

static void
test_tlog_proof_malformed(void **state)
{
	static const struct {
		const char	*head;	/* before the checkpoint */
		const char	*cp;	/* NULL: the good one */
		const char	*msg;
	} t[] = {
		{ "c2sp.org/tlog-proof@v2\nindex 0\n\n", NULL,
		    "line 1: the first line must be 'c2sp.org/tlog-proof@v1'" },
		{ "", "", "line 1: expected 'c2sp.org/tlog-proof@v1'" },
		{ "c2sp.org/tlog-proof@v1\n", "", "line 2: expected 'index "
		    "<n>'" },
		{ "c2sp.org/tlog-proof@v1\nextra \nindex 0\n\n", NULL,
		    "line 2: extra line without data" },
		{ "c2sp.org/tlog-proof@v1\nextra YQ=\nindex 0\n\n", NULL,
		    "line 2: the extra data is not canonical" },
		{ "c2sp.org/tlog-proof@v1\nextra YR==\nindex 0\n\n", NULL,
		    "line 2: the extra data is not canonical" },
		{ "c2sp.org/tlog-proof@v1\nextra YQ==\n", "", "line 3: "
		    "expected 'index <n>'" },
		{ "c2sp.org/tlog-proof@v1\nextra YQ==\nextra YQ==\nindex 0\n\n",
		    NULL, "line 3: expected 'index <n>'" },
		{ "c2sp.org/tlog-proof@v1\nindex\n\n", NULL, "line 2: expected "
		    "'index <n>'" },
		{ "c2sp.org/tlog-proof@v1\nindex 01\n\n", NULL, "line 2: the "
		    "index has a leading zero" },
		{ "c2sp.org/tlog-proof@v1\nindex  1\n\n", NULL, "line 2: the "
		    "index is not a decimal" },
		{ "c2sp.org/tlog-proof@v1\nindex 1\n" H_A "\nAAAA\n\n", NULL,
		    "line 4: the hash is not canonical base64 of 32 bytes" },
		{ "c2sp.org/tlog-proof@v1\nindex 1\n" H_A "\n", "",
		    "line 4: expected a hash or an empty line" },
		{ "c2sp.org/tlog-proof@v1\nindex 1\n" H_A "\n\n", "",
		    "line 5: expected the checkpoint" },
		{ "c2sp.org/tlog-proof@v1\nindex 1\n\n", FANCY_BODY,
		    "tlog proof: no blank line between text and signatures" },
		{ "c2sp.org/tlog-proof@v1\nindex 1\n\n", FANCY_BODY "\n",
		    "line 7: no signature lines" },
		{ "c2sp.org/tlog-proof@v1\nindex 1\n\n", "example.com/fancylog\n"
		    "10x\n" ROOT_B64 "\n\n" DASH "example.com/fancylog AAAAAAE=\n",
		    "tlog proof line 5: the tree size is not a decimal" },
		{ "c2sp.org/tlog-proof@v1\nindex 1\n\n", "example.com/fancylog\n"
		    "10\n" ROOT_B64 "\n\n\n" DASH "example.com/fancylog AAAAAAE=\n",
		    "tlog proof line 7: empty line in a checkpoint" },
		{ "c2sp.org/tlog-proof@v1\r\nindex 1\n\n", NULL, "line 1: "
		    "carriage return" },
		{ "c2sp.org/tlog-proof@v1\nindex 1\n\n", "example.com/fancylog\n"
		    "10\n" ROOT_B64 "\n\n" DASH "example.com/fancylog AAAAAAE=",
		    "tlog proof line 8: missing final newline" },
	};
	EVP_PKEY *k = new_key();
	char *good = fancy_checkpoint(k), *file, *big;
	struct arh_tlog_proof p, q;
	struct arh_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		file = cat(t[i].head, t[i].cp != NULL ? t[i].cp : good, NULL);
		arh_err_clear(&err);
		if (arh_tlog_proof_parse(file, strlen(file), &p, &err) !=
		    ARH_EFORMAT)
			fail_msg("proof %zu accepted", i);
		assert_null(p.checkpoint);
		expect_msg(&err, "tlog proof");
		expect_msg(&err, t[i].msg);
		free(file);
	}
	/* 64 hashes are fine, 65 are not. */
	big = repeat("c2sp.org/tlog-proof@v1\nindex 3\n", H_A "\n", 64, "\n");
	file = cat(big, good, NULL);
	assert_int_equal(arh_tlog_proof_parse(file, strlen(file), &p, &err),
	    0);
	assert_int_equal(p.n, 64);
	arh_tlog_proof_release(&p);
	free(file);
	free(big);
	big = repeat("c2sp.org/tlog-proof@v1\nindex 3\n", H_A "\n", 65, "\n");
	file = cat(big, good, NULL);
	assert_int_equal(arh_tlog_proof_parse(file, strlen(file), &p, &err),
	    ARH_EFORMAT);
	expect_msg(&err, "line 67: more than 64 hashes");
	free(file);
	free(big);

	/* Format refuses a checkpoint that parse would refuse. */
	memset(&p, 0, sizeof(p));
	p.checkpoint = (char *)FANCY_BODY;
	p.checkpoint_len = strlen(FANCY_BODY);
	assert_int_equal(arh_tlog_proof_format(&p, &file, &i, &err),
	    ARH_EUSAGE);
	assert_null(file);
	p.checkpoint = good;
	p.checkpoint_len = strlen(good);
	p.n = 65;
	assert_int_equal(arh_tlog_proof_format(&p, &file, &i, &err),
	    ARH_EUSAGE);
	/* The largest extra data fits its line, and parses back. */
	p.n = 0;
	p.extra = big = malloc(ARH_TLOG_PROOF_MAX_EXTRA + 1);
	assert_non_null(big);
	memset(big, 0xee, ARH_TLOG_PROOF_MAX_EXTRA + 1);
	p.extra_len = ARH_TLOG_PROOF_MAX_EXTRA;
	assert_int_equal(arh_tlog_proof_format(&p, &file, &i, &err), 0);
	assert_int_equal(arh_tlog_proof_parse(file, i, &q, &err), 0);
	assert_int_equal(q.extra_len, ARH_TLOG_PROOF_MAX_EXTRA);
	assert_memory_equal(q.extra, big, q.extra_len);
	arh_tlog_proof_release(&q);
	free(file);
	p.extra_len++;
	assert_int_equal(arh_tlog_proof_format(&p, &file, &i, &err),
	    ARH_EUSAGE);
	free(big);
	free(good);
	EVP_PKEY_free(k);
}

/* ------------------------------------------------------------------ */
/* Consistency proofs */

/* RFC 6962 SUBPROOF(m, D[n], b), counting hashes, as the RFC writes it. */
static size_t
subproof_len(uint64_t m, uint64_t n, int b)
{
	uint64_t k = 1;

	if (m == n)
		return b ? 0 : 1;
	while (k * 2 < n)
		k *= 2;
	if (m <= k)
		return 1 + subproof_len(m, k, b);
	return 1 + subproof_len(m - k, n - k, 0);
}

static void
test_consistency_len(void **state)
{
	uint64_t m, n;

	(void)state;
	/* RFC 6962 section 2.1.3's examples, a tree of 7 */
	assert_int_equal(arh_consistency_proof_len(3, 7), 4);
	assert_int_equal(arh_consistency_proof_len(4, 7), 1);
	assert_int_equal(arh_consistency_proof_len(6, 7), 3);
	for (n = 1; n <= 300; n++)
		for (m = 1; m <= n; m++)
			assert_int_equal(arh_consistency_proof_len(m, n),
			    m == n ? 0 : subproof_len(m, n, 1));
	assert_int_equal(arh_consistency_proof_len(1, UINT64_MAX), 64);
	assert_int_equal(arh_consistency_proof_len(0, 5), SIZE_MAX);
	assert_int_equal(arh_consistency_proof_len(6, 5), SIZE_MAX);
	/* Beyond 2^63 leaves a proof can need 65 hashes. */
	assert_int_equal(arh_consistency_proof_len(3,
	    ((uint64_t)1 << 63) + 1), 65);
}

static void
test_consistency_round_trip(void **state)
{
	struct arh_consistency_proof p, q;
	unsigned char h[4][32];
	struct arh_err err;
	char *out;
	size_t len, i;

	(void)state;
	for (i = 0; i < 4; i++)
		memset(h[i], (int)(0x11 * (i + 1)), 32);
	p.old = 3;
	p.size = 7;
	p.hashes = h;
	p.n = 4;
	assert_int_equal(arh_consistency_proof_format(&p, &out, &len, &err),
	    0);
	assert_string_equal(out, "arhiivar/consistency-proof@v1\n"
	    "old 3\nnew 7\n"
	    "ERERERERERERERERERERERERERERERERERERERERERE=\n"
	    "IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=\n"
	    "MzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzM=\n"
	    "REREREREREREREREREREREREREREREREREREREREREQ=\n");
	assert_int_equal(len, strlen(out));
	assert_int_equal(arh_consistency_proof_parse(out, len, &q, &err), 0);
	assert_true(q.old == 3 && q.size == 7);
	assert_int_equal(q.n, 4);
	assert_memory_equal(q.hashes, h, sizeof(h));
	arh_consistency_proof_release(&q);
	assert_null(q.hashes);
	free(out);
	/* old == new: no hashes */
	p.old = p.size = 5;
	p.n = 0;
	p.hashes = NULL;
	assert_int_equal(arh_consistency_proof_format(&p, &out, &len, &err),
	    0);
	assert_string_equal(out, "arhiivar/consistency-proof@v1\nold 5\n"
	    "new 5\n");
	assert_int_equal(arh_consistency_proof_parse(out, len, &q, &err), 0);
	assert_int_equal(q.n, 0);
	assert_null(q.hashes);
	arh_consistency_proof_release(&q);
	free(out);
	/* Format refuses the impossible. */
	p.old = 0;
	assert_int_equal(arh_consistency_proof_format(&p, &out, &len, &err),
	    ARH_EUSAGE);
	assert_null(out);
	p.old = 6;
	assert_int_equal(arh_consistency_proof_format(&p, &out, &len, &err),
	    ARH_EUSAGE);
	p.old = 3;
	p.size = 7;
	p.hashes = h;
	p.n = 3;
	assert_int_equal(arh_consistency_proof_format(&p, &out, &len, &err),
	    ARH_EUSAGE);
	expect_msg(&err, "has 3 hashes, not 4");
}

static void
test_consistency_malformed(void **state)
{
#define HDR	"arhiivar/consistency-proof@v1\n"
#define HL	"ERERERERERERERERERERERERERERERERERERERERERE=\n"
	static const struct {
		const char	*file;
		const char	*msg;
	} t[] = {
		{ "", "line 1: expected the header" },
		{ "arhiivar/consistency-proof@v2\nold 1\nnew 1\n", "line 1: the "
		    "first line must be" },
		{ HDR, "line 2: expected 'old <n>'" },
		{ HDR "new 1\nold 1\n", "line 2: expected 'old <n>'" },
		{ HDR "old 0\nnew 1\n", "line 2: the old tree size must be at "
		    "least 1" },
		{ HDR "old 01\nnew 1\n", "line 2: the old tree size has a "
		    "leading zero" },
		{ HDR "old 1\n", "line 3: expected 'new <n>'" },
		{ HDR "old 2\nnew 1\n", "line 3: the new tree size 1 is below "
		    "the old 2" },
		{ HDR "old 1\nnew 1\n" HL, "line 4: more than the 0 hashes" },
		{ HDR "old 4\nnew 7\n" HL HL, "line 5: more than the 1 hashes" },
		{ HDR "old 3\nnew 7\n" HL HL HL, "line 7: expected hash 4 of the "
		    "4 of a proof from 3 to 7" },
		{ HDR "old 4\nnew 7\n\n", "line 4: the hash is not canonical" },
		{ HDR "old 4\nnew 7\n" HL "\n", "line 5: more than the 1" },
		{ HDR "old 4\nnew 7\nERERERERERERERERERERERERERERERERERERERERERF=\n",
		    "line 4: the hash is not canonical" },
		{ HDR "old 4\nnew 7\n" "ERERERERERERERERERERERERERERERERERERERERERE=",
		    "line 4: missing final newline" },
		{ HDR "old 4\r\nnew 7\n" HL, "line 2: carriage return" },
		{ HDR "old 3\nnew 9223372036854775809\n", "line 3: the proof would "
		    "need 65 hashes, more than 64" },
	};
	struct arh_consistency_proof p;
	struct arh_err err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		arh_err_clear(&err);
		if (arh_consistency_proof_parse(t[i].file, strlen(t[i].file),
		    &p, &err) != ARH_EFORMAT)
			fail_msg("consistency proof %zu accepted", i);
		assert_null(p.hashes);
		assert_true(p.old == 0 && p.size == 0 && p.n == 0);
		expect_msg(&err, "consistency proof");
		expect_msg(&err, t[i].msg);
	}
#undef HDR
#undef HL
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_id_vector),
		cmocka_unit_test(test_vkey_parse),
		cmocka_unit_test(test_vkey_mangled),
		cmocka_unit_test(test_key_public_wrong_type),
		cmocka_unit_test(test_name_valid),
		cmocka_unit_test(test_sign_known_answer),
		cmocka_unit_test(test_open_known),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_unknown_lines_ignored),
		cmocka_unit_test(test_malformed_notes),
		cmocka_unit_test(test_sign_refuses),
		cmocka_unit_test(test_checkpoint_examples),
		cmocka_unit_test(test_checkpoint_malformed),
		cmocka_unit_test(test_tlog_proof_example),
		cmocka_unit_test(test_tlog_proof_malformed),
		cmocka_unit_test(test_consistency_len),
		cmocka_unit_test(test_consistency_round_trip),
		cmocka_unit_test(test_consistency_malformed),
	};

	return cmocka_run_group_tests_name("note", tests, setup, NULL);
}
