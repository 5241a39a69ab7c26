/*
 * fuzz_log_signer.c — libFuzzer target: arbitrary bytes as a request to
 * the seal process's log signer (log_signer.c), the one parser on the
 * worker-to-seal-process boundary that the log adds: 'l', and 'L' with a
 * checkpoint body and a consistency proof.
 *
 * The signer is made once per input from a key generated at start (in a
 * temporary file, removed at exit) and seeded with no checkpoint, then
 * each input is answered twice: as the first request (anything well
 * formed is signed) and after the signer has signed a tree of 3 leaves
 * (only an extension with a proof that holds is).  Seeds in
 * tests/fuzz/corpus/log_signer/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "arhiivar/log.h"
#include "arhiivar/note.h"

#define ORIGIN	"fuzz.example/arhiivar"
/* The body of a tree of 3 leaves (any root: the first request is not
 * checked against anything). */
#define SEED_BODY "L" ORIGIN "\n3\n" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"

static char keyfile[64];
static char *vkey;

static void
remove_key(void)
{
	unlink(keyfile);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct arh_err err;
	unsigned char pub[32];
	EVP_PKEY *k = NULL;
	FILE *f;
	int fd;

	(void)argc;
	(void)argv;
	snprintf(keyfile, sizeof(keyfile), "/tmp/fuzz-log-signer-XXXXXX");
	if ((fd = mkstemp(keyfile)) == -1 || (f = fdopen(fd, "w")) == NULL ||
	    arh_note_key_generate(&k, &err) != 0 ||
	    PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) != 1 ||
	    fclose(f) != 0 || arh_note_key_public(k, pub, &err) != 0 ||
	    arh_note_vkey(ORIGIN, pub, &vkey, &err) != 0)
		abort();
	atexit(remove_key);
	EVP_PKEY_free(k);
	return 0;
}

static void
one(struct arh_log_signer *s, const uint8_t *data, size_t size)
{
	unsigned char *ans = NULL;
	size_t n = 0;

	if (arh_log_signer_answer(s, data, size, &ans, &n) == 0) {
		/* An answer is always '0' or 'E' and then its text. */
		if (n < 1 || (ans[0] != '0' && ans[0] != 'E'))
			abort();
		free(ans);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arh_log_signer *s = NULL;
	struct arh_err err;
	unsigned char *ans = NULL;
	size_t n;

	if (arh_log_signer_new(keyfile, ORIGIN, vkey, NULL, &s, &err) != 0)
		abort();
	one(s, data, size);
	arh_log_signer_free(s);
	if (arh_log_signer_new(keyfile, ORIGIN, vkey, NULL, &s, &err) != 0 ||
	    arh_log_signer_answer(s, (const unsigned char *)SEED_BODY,
	    sizeof(SEED_BODY) - 1, &ans, &n) != 0 || ans[0] != '0')
		abort();
	free(ans);
	one(s, data, size);
	arh_log_signer_free(s);
	return 0;
}
