/*
 * log_signer.c — checkpoints signed in the daemon's seal process.
 *
 * The daemon and its workers never hold a key: the seal process does
 * (tools/arhiivard/seal_proc.c).  For the log it answers two requests:
 *
 *   'l'                  -> '0' and the size of the last checkpoint it
 *                           signed, decimal ("" when none yet)
 *   'L' body [proof]     -> '0' and the signed note, or 'E' and why not
 *
 * body is a checkpoint body (FORMAT.md 11.3), proof a consistency proof
 * file (11.4) from the last tree it signed to this one.  It signs only a
 * tree that extends the last one it signed — starting from the newest
 * checkpoint in the catalog when the daemon started — so a compromised
 * worker can get no checkpoint signed that contradicts an earlier one:
 * the check is in memory, and the seal process reads no file after its
 * start.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "arhiivar/log.h"
#include "arhiivar/merkle.h"
#include "arhiivar/note.h"
#include "arhiivar/seal.h"
#include "util.h"

struct arh_log_signer {
	EVP_PKEY	*key;
	char		*origin;
	int		 have;		/* signed (or seeded with) a tree */
	uint64_t	 size;
	unsigned char	 root[32];
};

void
arh_log_signer_free(struct arh_log_signer *s)
{
	if (s == NULL)
		return;
	EVP_PKEY_free(s->key);
	free(s->origin);
	free(s);
}

int
arh_log_signer_new(const char *keyfile, const char *origin, const char *vkey,
    const char *latest, struct arh_log_signer **out, struct arh_err *err)
{
	struct arh_log_signer *s;
	struct arh_checkpoint cp;
	unsigned char pub[32], want[32];
	const char *text;
	char *name = NULL, *pem = NULL;
	size_t len = 0, tlen;
	BIO *b = NULL;
	int rc;

	*out = NULL;
	memset(&cp, 0, sizeof(cp));
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->origin = strdup(origin)) == NULL) {
		free(s);
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	}
	if ((rc = arh_note_vkey_parse(vkey, &name, want, err)) != 0 ||
	    (rc = arh_read_file(AT_FDCWD, keyfile, 16384, &pem, &len, err)) != 0)
		goto out;
	if ((b = BIO_new_mem_buf(pem, (int)len)) == NULL ||
	    (s->key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL)) == NULL ||
	    EVP_PKEY_get_id(s->key) != EVP_PKEY_ED25519 ||
	    arh_note_key_public(s->key, pub, err) != 0 ||
	    memcmp(pub, want, 32) != 0) {
		rc = arh_errf(err, ARH_ECRYPTO, "log key '%s' is not the key "
		    "of this home's log (%s)", keyfile, vkey);
		goto out;
	}
	/* Seeded with the newest checkpoint: the next must extend it. */
	if (latest != NULL) {
		if ((rc = arh_note_open(latest, strlen(latest), name, want,
		    &text, &tlen, err)) != 0 ||
		    (rc = arh_checkpoint_parse(text, tlen, &cp, err)) != 0)
			goto out;
		s->have = 1;
		s->size = cp.size;
		memcpy(s->root, cp.root, 32);
	}
	*out = s;
	s = NULL;		/* transferred */
	rc = 0;
out:
	arh_checkpoint_release(&cp);
	BIO_free(b);
	if (pem != NULL)
		OPENSSL_cleanse(pem, len);
	free(pem);
	free(name);
	arh_log_signer_free(s);
	return rc;
}

static int
answer(unsigned char **ans, size_t *n, char kind, const char *text,
    size_t len)
{
	unsigned char *a;

	if ((a = malloc(len + 1)) == NULL)
		return ARH_ENOMEM;
	a[0] = (unsigned char)kind;
	memcpy(a + 1, text, len);
	*ans = a;
	*n = len + 1;
	return 0;
}

/* Sign body if it extends what was signed before (proof may be empty). */
static int
sign_extending(struct arh_log_signer *s, const char *body, size_t blen,
    const char *proof, size_t plen, char **note, size_t *nlen,
    struct arh_err *err)
{
	struct arh_checkpoint cp;
	struct arh_consistency_proof p;
	struct arh_merkle_proof mp;
	int rc;

	memset(&cp, 0, sizeof(cp));
	memset(&p, 0, sizeof(p));
	if ((rc = arh_checkpoint_parse(body, blen, &cp, err)) != 0)
		goto out;
	if (strcmp(cp.origin, s->origin) != 0) {
		rc = arh_errf(err, ARH_EVERIFY, "a checkpoint of '%s' is not "
		    "one of this log ('%s')", cp.origin, s->origin);
		goto out;
	}
	if (s->have && cp.size < s->size) {
		rc = arh_errf(err, ARH_EVERIFY, "refusing to sign a tree of "
		    "%llu leaves after one of %llu", (unsigned long long)cp.size,
		    (unsigned long long)s->size);
		goto out;
	}
	if (s->have && cp.size == s->size && memcmp(cp.root, s->root, 32) != 0) {
		rc = arh_errf(err, ARH_EVERIFY, "refusing to sign another root "
		    "for the tree of %llu leaves", (unsigned long long)cp.size);
		goto out;
	}
	if (s->have && s->size > 0 && cp.size > s->size) {
		if ((rc = arh_consistency_proof_parse(proof, plen, &p, err)) != 0)
			goto out;
		if (p.old != s->size || p.size != cp.size ||
		    p.n > ARH_MERKLE_MAX_PROOF) {
			rc = arh_errf(err, ARH_EVERIFY, "the consistency proof "
			    "is not from %llu to %llu leaves",
			    (unsigned long long)s->size,
			    (unsigned long long)cp.size);
			goto out;
		}
		mp.n = p.n;
		if (p.n > 0)
			memcpy(mp.h, p.hashes, p.n * 32);
		if ((rc = arh_merkle_verify_consistency(s->size, cp.size,
		    s->root, cp.root, &mp, err)) != 0)
			goto out;
	}
	if ((rc = arh_note_sign(body, blen, s->origin, s->key, note, nlen,
	    err)) != 0)
		goto out;
	s->have = 1;
	s->size = cp.size;
	memcpy(s->root, cp.root, 32);
out:
	arh_checkpoint_release(&cp);
	arh_consistency_proof_release(&p);
	return rc;
}

int
arh_log_signer_answer(struct arh_log_signer *s, const unsigned char *req,
    size_t len, unsigned char **ans, size_t *n)
{
	const char *body = (const char *)req + 1, *nl, *proof;
	char num[24], *note = NULL;
	struct arh_err err;
	size_t blen, nlen, i;
	int rc;

	*ans = NULL;
	*n = 0;
	arh_err_clear(&err);
	if (s == NULL)
		return answer(ans, n, 'E', "the seal process holds no log key",
		    strlen("the seal process holds no log key"));
	if (len == 1 && req[0] == 'l') {
		if (s->have)
			snprintf(num, sizeof(num), "%llu",
			    (unsigned long long)s->size);
		else
			num[0] = '\0';
		return answer(ans, n, '0', num, strlen(num));
	}
	if (len < 2 || req[0] != 'L')
		return answer(ans, n, 'E', "unknown request",
		    strlen("unknown request"));
	/* The body is its first three lines; the proof, if any, the rest. */
	for (i = 0, nl = body; i < 3; i++, nl++)
		if ((nl = memchr(nl, '\n', len - 1 - (size_t)(nl - body))) ==
		    NULL)
			return answer(ans, n, 'E', "malformed checkpoint body",
			    strlen("malformed checkpoint body"));
	blen = (size_t)(nl - body);
	proof = nl;
	rc = sign_extending(s, body, blen, proof, len - 1 - blen, &note, &nlen,
	    &err);
	if (rc != 0)
		return answer(ans, n, 'E', err.msg, strlen(err.msg));
	rc = answer(ans, n, '0', note, nlen);
	free(note);
	return rc;
}

int
arh_log_sign_remote(int fd, const char *body, size_t blen,
    const char *proof, size_t plen, char **note, struct arh_err *err)
{
	unsigned char *ans = NULL;
	size_t alen;
	char *req;
	int rc;

	*note = NULL;
	if ((req = malloc(blen + plen)) == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	memcpy(req, body, blen);
	if (plen > 0)
		memcpy(req + blen, proof, plen);
	rc = arh_seal_roundtrip(fd, 'L', req, blen + plen, &ans, &alen, err);
	free(req);
	if (rc != 0)
		return rc;
	if ((*note = malloc(alen + 1)) == NULL) {
		free(ans);
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	}
	memcpy(*note, ans, alen);
	(*note)[alen] = '\0';
	free(ans);
	return 0;
}

int
arh_log_signed_remote(int fd, int *have, uint64_t *size,
    struct arh_err *err)
{
	unsigned char *ans = NULL;
	char num[24], *end;
	size_t alen;
	int rc;

	*have = 0;
	*size = 0;
	if ((rc = arh_seal_roundtrip(fd, 'l', NULL, 0, &ans, &alen, err)) != 0)
		return rc;
	if (alen >= sizeof(num)) {
		free(ans);
		return arh_errf(err, ARH_EFORMAT, "the seal process gave a bad "
		    "tree size");
	}
	memcpy(num, ans, alen);
	num[alen] = '\0';
	free(ans);
	if (alen == 0)
		return 0;
	errno = 0;
	*size = strtoull(num, &end, 10);
	if (*end != '\0' || errno != 0)
		return arh_errf(err, ARH_EFORMAT, "the seal process gave a bad "
		    "tree size");
	*have = 1;
	return 0;
}
