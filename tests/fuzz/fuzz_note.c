/*
 * fuzz_note.c — libFuzzer target: arbitrary bytes as a signed note
 * (arh_note_open() with two fixed keys), as a verifier key
 * (arh_note_vkey_parse()) and as a checkpoint body
 * (arh_checkpoint_parse()).
 *
 * Besides "no crash, no leak" it checks: every failure says why; an opened
 * note's text is a prefix of the input followed by the blank line; a
 * verifier key that parses is written back by arh_note_vkey() byte for
 * byte; a checkpoint that parses is written back byte for byte when it has
 * no extension lines, and what arh_checkpoint_format() writes parses to
 * the same checkpoint.
 *
 * The keys are those of golang.org/x/mod/sumdb/note's tests, so the seeds
 * in tests/fuzz/corpus/note/ are real notes that verify (go-two-sigs:
 * both keys; spec-*: the examples of c2sp.org/signed-note and
 * tlog-checkpoint) and mutations reach the signature check.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "arhiivar/note.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NKEYS	2

static const char *const vkeys[NKEYS] = {
	"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	"EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop",
};

static void
check_err(int r, const struct arh_err *err)
{
	if (r != 0 && err->msg[0] == '\0')
		abort();	/* every failure must say why */
}

static char *names[NKEYS];
static unsigned char pubs[NKEYS][32];

int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct arh_err err;
	size_t i;

	(void)argc;
	(void)argv;
	for (i = 0; i < NKEYS; i++)
		if (arh_note_vkey_parse(vkeys[i], &names[i], pubs[i], &err))
			abort();
	return 0;
}

static void
open_note(const char *buf, size_t size)
{
	struct arh_err err;
	const char *text;
	size_t i, textlen;
	int r;

	for (i = 0; i < NKEYS; i++) {
		arh_err_clear(&err);
		r = arh_note_open(buf, size, names[i], pubs[i], &text,
		    &textlen, &err);
		check_err(r, &err);
		if (r != 0 && r != ARH_EFORMAT && r != ARH_EVERIFY)
			abort();
		if (r == 0 && (text != buf || textlen == 0 ||
		    textlen + 2 > size || buf[textlen - 1] != '\n' ||
		    buf[textlen] != '\n'))
			abort();
	}
}

static void
vkey(const char *buf, size_t size)
{
	struct arh_err err;
	unsigned char pub[32];
	char *name, *again;
	int r;

	arh_err_clear(&err);
	r = arh_note_vkey_parse(buf, &name, pub, &err);
	check_err(r, &err);
	if (r != 0)
		return;
	if (arh_note_vkey(name, pub, &again, &err) != 0 ||
	    strlen(again) != size || memcmp(again, buf, size) != 0)
		abort();
	free(again);
	free(name);
}

static void
checkpoint(const char *buf, size_t size)
{
	struct arh_checkpoint c, d;
	struct arh_err err;
	char *body;
	size_t len, i, lines = 0;
	int r;

	arh_err_clear(&err);
	r = arh_checkpoint_parse(buf, size, &c, &err);
	check_err(r, &err);
	if (r != 0)
		return;
	if (arh_checkpoint_format(&c, &body, &len, &err) != 0)
		abort();
	for (i = 0; i < size; i++)
		lines += buf[i] == '\n';
	if (lines == 3 && (len != size || memcmp(body, buf, size) != 0))
		abort();
	if (arh_checkpoint_parse(body, len, &d, &err) != 0 ||
	    strcmp(c.origin, d.origin) != 0 || c.size != d.size ||
	    memcmp(c.root, d.root, sizeof(c.root)) != 0)
		abort();
	arh_checkpoint_release(&d);
	arh_checkpoint_release(&c);
	free(body);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf;

	/* A copy of exactly size bytes: ASan sees any read past the end.
	 * The verifier key parser takes a C string: give it one. */
	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	open_note(buf, size);
	checkpoint(buf, size);
	buf[size] = '\0';
	if (strlen(buf) == size)
		vkey(buf, size);
	free(buf);
	return 0;
}
