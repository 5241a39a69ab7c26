/*
 * log.c — the log's operations (FORMAT.md 11): its key, its signed
 * checkpoints, and the proofs an auditor takes away and checks without
 * the catalog.  The tree itself lives in the catalog (catalog_log.c); the
 * text formats are note.c's; this file joins them.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "arhiivar/log.h"
#include "arhiivar/merkle.h"
#include "arhiivar/note.h"
#include "arhiivar/ops.h"
#include "util.h"

#define LOG_KEY_MAX	16384		/* a PEM Ed25519 key is ~120 bytes */

/* The origin a new log takes: configured, or HOSTNAME/arhiivar. */
static int
default_origin(const struct arh_config *cfg, char *buf, size_t n,
    struct arh_err *err)
{
	char host[HOST_NAME_MAX + 1];

	if (cfg->log_origin != NULL && cfg->log_origin[0] != '\0') {
		if (!arh_note_name_valid(cfg->log_origin,
		    strlen(cfg->log_origin)))
			return arh_errf(err, ARH_ECONFIG, "[log] origin '%s' "
			    "is not a key name (no spaces or '+'); choose one "
			    "like records.example.ee/arhiivar",
			    cfg->log_origin);
		if ((size_t)snprintf(buf, n, "%s", cfg->log_origin) >= n)
			return arh_errf(err, ARH_ECONFIG, "[log] origin is too "
			    "long");
		return 0;
	}
	if (gethostname(host, sizeof(host)) != 0 || host[0] == '\0')
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(buf, n, "%s/arhiivar", host);
	if (!arh_note_name_valid(buf, strlen(buf)))
		snprintf(buf, n, "localhost/arhiivar");
	return 0;
}

static int
load_key(const char *path, EVP_PKEY **out, struct arh_err *err)
{
	char *pem = NULL;
	size_t len = 0;
	BIO *b = NULL;
	int rc;

	*out = NULL;
	if ((rc = arh_read_file(AT_FDCWD, path, LOG_KEY_MAX, &pem, &len,
	    err)) != 0)
		return rc;
	if ((b = BIO_new_mem_buf(pem, (int)len)) == NULL ||
	    (*out = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL)) == NULL ||
	    EVP_PKEY_get_id(*out) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(*out);
		*out = NULL;
		rc = arh_errf(err, ARH_ECRYPTO, "log key '%s' is not a PEM "
		    "Ed25519 private key", path);
	}
	BIO_free(b);
	if (pem != NULL)
		OPENSSL_cleanse(pem, len);
	free(pem);
	return rc;
}

/* A new key written 0600 next to the seal key, durably, never over one. */
static int
make_key(const char *path, EVP_PKEY **out, struct arh_err *err)
{
	char dir[PATH_MAX], *slash;
	EVP_PKEY *k = NULL;
	BIO *b = NULL;
	char *pem;
	long len;
	int dfd = -1, rc;

	*out = NULL;
	if ((size_t)snprintf(dir, sizeof(dir), "%s", path) >= sizeof(dir) ||
	    (slash = strrchr(dir, '/')) == NULL)
		return arh_errf(err, ARH_ECONFIG, "log key path '%s' must be "
		    "absolute", path);
	*slash = '\0';
	if ((rc = arh_note_key_generate(&k, err)) != 0)
		return rc;
	if ((b = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) != 1 ||
	    (len = BIO_get_mem_data(b, &pem)) <= 0) {
		rc = arh_errf(err, ARH_ECRYPTO, "cannot encode the log key");
		goto out;
	}
	if ((dfd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1) {
		rc = arh_errno(err, ARH_EIO, errno, "cannot open '%s'", dir);
		goto out;
	}
	if ((rc = arh_write_file_atomic(dfd, slash + 1, pem, (size_t)len,
	    0600, 1, err)) != 0)
		goto out;
	*out = k;
	k = NULL;		/* transferred */
out:
	if (dfd != -1)
		close(dfd);
	BIO_free(b);		/* BIO_free of a mem BIO clears nothing: */
	EVP_PKEY_free(k);	/* the key bytes lived only in OpenSSL */
	return rc;
}

int
arh_log_key_init(struct arh_catalog *cat, const struct arh_config *cfg,
    struct arh_problems *notes, struct arh_err *err)
{
	char origin[512], *o = NULL, *v = NULL, *vkey = NULL;
	unsigned char pub[32];
	EVP_PKEY *k = NULL;
	int rc;

	if ((rc = arh_catalog_log_key(cat, &o, &v, err)) != ARH_ENOTFOUND) {
		free(o);
		free(v);
		return rc;
	}
	arh_err_clear(err);
	if ((rc = default_origin(cfg, origin, sizeof(origin), err)) != 0)
		return rc;
	if (access(cfg->log_key, F_OK) == 0)
		rc = load_key(cfg->log_key, &k, err);
	else if ((rc = make_key(cfg->log_key, &k, err)) == 0)
		arh_problems_add(notes, "generated log key '%s' (origin %s)",
		    cfg->log_key, origin);
	if (rc != 0)
		goto out;
	if ((rc = arh_note_key_public(k, pub, err)) != 0 ||
	    (rc = arh_note_vkey(origin, pub, &vkey, err)) != 0 ||
	    (rc = arh_catalog_log_key_set(cat, origin, vkey, err)) != 0)
		goto out;
out:
	EVP_PKEY_free(k);
	free(vkey);
	return rc;
}

/* The key of the catalog's log, checked against the key file. */
static int
signing_key(struct arh_home *h, char **origin, EVP_PKEY **k,
    struct arh_err *err)
{
	char *vkey = NULL, *name = NULL;
	unsigned char want[32], pub[32];
	int rc;

	*origin = NULL;
	*k = NULL;
	if ((rc = arh_catalog_log_key(h->cat, origin, &vkey, err)) != 0 ||
	    (rc = arh_note_vkey_parse(vkey, &name, want, err)) != 0 ||
	    (rc = load_key(h->cfg->log_key, k, err)) != 0 ||
	    (rc = arh_note_key_public(*k, pub, err)) != 0)
		goto out;
	if (memcmp(pub, want, 32) != 0)
		rc = arh_errf(err, ARH_ECRYPTO, "log key '%s' is not the key "
		    "of this home's log (%s); restore the right key file",
		    h->cfg->log_key, vkey);
out:
	if (rc != 0) {
		free(*origin);
		*origin = NULL;
		EVP_PKEY_free(*k);
		*k = NULL;
	}
	free(vkey);
	free(name);
	return rc;
}

/* A daemon worker's checkpoint: signed by the seal process, which wants
 * the tree to extend the one it signed last. */
static int
sign_remote(struct arh_home *h, const char *body, size_t blen,
    const struct arh_checkpoint *cp, char **note, struct arh_err *err)
{
	struct arh_consistency_proof p;
	struct arh_merkle_proof mp;
	char *proof = NULL;
	size_t plen = 0;
	uint64_t last;
	int have, rc;

	if ((rc = arh_log_signed_remote(h->seal_fd, &have, &last, err)) != 0)
		return rc;
	if (have && last > 0 && last < cp->size) {
		if ((rc = arh_catalog_log_consistency(h->cat, last, cp->size,
		    &mp, err)) != 0)
			return rc;
		p.old = last;
		p.size = cp->size;
		p.hashes = mp.h;
		p.n = mp.n;
		if ((rc = arh_consistency_proof_format(&p, &proof, &plen,
		    err)) != 0)
			return rc;
	}
	rc = arh_log_sign_remote(h->seal_fd, body, blen, proof, plen, note,
	    err);
	free(proof);
	return rc;
}

int
arh_log_checkpoint(struct arh_home *h, char **note, uint64_t *size,
    struct arh_err *err)
{
	struct arh_checkpoint cp = { NULL, 0, { 0 } };
	struct arh_problems notes;
	char *origin = NULL, *vkey = NULL, *body = NULL, *signed_note = NULL;
	EVP_PKEY *k = NULL;
	size_t blen, nlen;
	int rc;

	*note = NULL;
	arh_problems_init(&notes);
	if (h->seal_fd >= 0)
		rc = arh_catalog_log_key(h->cat, &origin, &vkey, err);
	/* A home from before the log gets its key on the first checkpoint. */
	else if ((rc = arh_log_key_init(h->cat, h->cfg, &notes, err)) == 0)
		rc = signing_key(h, &origin, &k, err);
	if (rc != 0)
		goto out;
	/* Only committed leaves, read after the commit of whatever made
	 * this checkpoint.  No snapshot is needed: the tree only grows, and
	 * every node of the tree of `size` leaves is stored once they are. */
	if ((rc = arh_catalog_log_size(h->cat, &cp.size, err)) != 0 ||
	    (rc = arh_catalog_log_root(h->cat, cp.size, cp.root, err)) != 0)
		goto out;
	cp.origin = origin;
	if ((rc = arh_checkpoint_format(&cp, &body, &blen, err)) != 0)
		goto out;
	if (h->seal_fd >= 0)
		rc = sign_remote(h, body, blen, &cp, &signed_note, err);
	else
		rc = arh_note_sign(body, blen, origin, k, &signed_note, &nlen,
		    err);
	if (rc != 0 || (rc = arh_catalog_log_checkpoint_add(h->cat, cp.size,
	    signed_note, err)) != 0)
		goto out;
	*note = signed_note;
	signed_note = NULL;	/* transferred */
	if (size != NULL)
		*size = cp.size;
out:
	arh_problems_release(&notes);
	EVP_PKEY_free(k);
	free(origin);
	free(vkey);
	free(body);
	free(signed_note);
	return rc;
}

int
arh_log_checkpoint_after(struct arh_home *h, char *why, size_t n)
{
	struct arh_err err;
	char *note = NULL;
	int rc;

	if (n > 0)
		why[0] = '\0';
	/* A daemon's worker asks the seal process, which holds the key. */
	if (arh_catalog_readonly(h->cat))
		return 0;
	arh_err_clear(&err);
	if ((rc = arh_log_checkpoint(h, &note, NULL, &err)) == 0) {
		free(note);
		return 0;
	}
	snprintf(why, n, "no checkpoint of the log was signed after this: %s; "
	    "the next one covers it ('arhiivar log checkpoint' makes one)",
	    err.msg);
	return rc;
}

static int
latest_row(void *arg, uint64_t size, const char *at, const char *note)
{
	struct { uint64_t size; char *note; } *l = arg;

	(void)at;
	l->size = size;
	return (l->note = strdup(note)) == NULL ? ARH_ENOMEM : 1;
}

int
arh_log_latest(struct arh_catalog *cat, char **note, uint64_t *size,
    struct arh_err *err)
{
	struct { uint64_t size; char *note; } l = { 0, NULL };
	int rc;

	*note = NULL;
	rc = arh_catalog_log_checkpoints(cat, 1, latest_row, &l, err);
	if (rc == ARH_ENOMEM)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	if (rc < 0)
		return rc;
	if (l.note == NULL)
		return arh_errf(err, ARH_ENOTFOUND, "the log has no checkpoint "
		    "yet; make one with 'arhiivar log checkpoint'");
	*note = l.note;
	if (size != NULL)
		*size = l.size;
	return 0;
}

/* "WHAT: the message" in err, for a message that names what failed. */
static int
prefixed(struct arh_err *err, int rc, const char *what)
{
	char msg[ARH_ERR_MSG];

	if (err == NULL)
		return rc;
	snprintf(msg, sizeof(msg), "%s", err->msg);
	return arh_errf(err, rc, "%s: %s", what, msg);
}

/* The checkpoint note's size and root, its signature checked by vkey. */
static int
open_checkpoint(const char *note, size_t len, const char *vkey,
    struct arh_checkpoint *cp, struct arh_err *err)
{
	unsigned char pub[32];
	const char *text;
	size_t tlen;
	char *name = NULL;
	int rc;

	memset(cp, 0, sizeof(*cp));
	if ((rc = arh_note_vkey_parse(vkey, &name, pub, err)) == 0 &&
	    (rc = arh_note_open(note, len, name, pub, &text, &tlen, err)) == 0 &&
	    (rc = arh_checkpoint_parse(text, tlen, cp, err)) == 0 &&
	    strcmp(cp->origin, name) != 0) {
		rc = arh_errf(err, ARH_EVERIFY, "checkpoint of log '%s' is "
		    "signed by the key of '%s'", cp->origin, name);
		arh_checkpoint_release(cp);
	}
	free(name);
	return rc;
}

int
arh_log_prove(struct arh_catalog *cat, const char *archive, long long event,
    char **out, size_t *outlen, struct arh_err *err)
{
	struct arh_tlog_proof p;
	struct arh_merkle_proof mp;
	struct arh_log_leaf leaf = { 0, 0, NULL, 0 };
	char *note = NULL;
	uint64_t size = 0;
	int rc;

	*out = NULL;
	*outlen = 0;
	memset(&p, 0, sizeof(p));
	/* No snapshot needed: the log only grows, and every node a proof for
	 * a checkpoint's size needs was stored before that checkpoint. */
	rc = archive != NULL ? arh_catalog_log_leaf_of_archive(cat, archive,
	    &leaf, err) : arh_catalog_log_leaf_of_event(cat, event, &leaf,
	    err);
	if (rc == 0)
		rc = arh_log_latest(cat, &note, &size, err);
	if (rc == 0 && leaf.index >= size)
		rc = arh_errf(err, ARH_ENOTFOUND, "leaf %llu is newer than the "
		    "latest checkpoint (%llu leaves); make one with 'arhiivar "
		    "log checkpoint'", (unsigned long long)leaf.index,
		    (unsigned long long)size);
	if (rc == 0)
		rc = arh_catalog_log_inclusion(cat, leaf.index, size, &mp, err);
	if (rc != 0)
		goto out;
	/* The entry rides along as the proof's extra data: the proof then
	 * says what it proves, and needs nothing else to be checked. */
	p.index = leaf.index;
	p.hashes = mp.h;
	p.n = mp.n;
	p.extra = leaf.entry;
	p.extra_len = leaf.len;
	p.checkpoint = note;
	p.checkpoint_len = strlen(note);
	rc = arh_tlog_proof_format(&p, out, outlen, err);
out:
	arh_log_leaf_release(&leaf);
	free(note);
	return rc;
}

int
arh_log_check_proof(const char *buf, size_t len, const char *vkey,
    const char *entry, size_t entrylen, struct arh_log_proven *res,
    struct arh_err *err)
{
	struct arh_tlog_proof p;
	struct arh_checkpoint cp;
	struct arh_merkle_proof mp;
	unsigned char leaf[32];
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&cp, 0, sizeof(cp));
	if ((rc = arh_tlog_proof_parse(buf, len, &p, err)) != 0)
		return rc;
	if (entry == NULL) {
		entry = p.extra;
		entrylen = p.extra_len;
	}
	if (entry == NULL) {
		rc = arh_errf(err, ARH_EUSAGE, "the proof carries no entry; "
		    "give the entry with --entry FILE");
		goto out;
	}
	if (p.extra != NULL && (entrylen != p.extra_len ||
	    memcmp(entry, p.extra, entrylen) != 0)) {
		rc = arh_errf(err, ARH_EVERIFY, "the entry given is not the "
		    "entry the proof carries");
		goto out;
	}
	if ((rc = open_checkpoint(p.checkpoint, p.checkpoint_len, vkey, &cp,
	    err)) != 0)
		goto out;
	if (p.n > ARH_MERKLE_MAX_PROOF) {
		rc = arh_errf(err, ARH_EFORMAT, "the proof has too many hashes");
		goto out;
	}
	mp.n = p.n;
	if (p.n > 0)
		memcpy(mp.h, p.hashes, p.n * 32);
	if ((rc = arh_merkle_leaf_hash(entry, entrylen, leaf, err)) != 0 ||
	    (rc = arh_merkle_verify_inclusion(p.index, cp.size, leaf, &mp,
	    cp.root, err)) != 0)
		goto out;
	res->index = p.index;
	res->size = cp.size;
	snprintf(res->origin, sizeof(res->origin), "%s", cp.origin);
	rc = 0;
out:
	arh_checkpoint_release(&cp);
	arh_tlog_proof_release(&p);
	return rc;
}

int
arh_log_consistency(struct arh_home *h, const char *old, size_t oldlen,
    const char *new, size_t newlen, char **out, size_t *outlen,
    struct arh_err *err)
{
	struct arh_checkpoint a, b;
	struct arh_consistency_proof p;
	struct arh_merkle_proof mp;
	char *origin = NULL, *vkey = NULL, *latest = NULL;
	int rc;

	*out = NULL;
	*outlen = 0;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	if ((rc = arh_catalog_log_key(h->cat, &origin, &vkey, err)) != 0)
		return rc;
	if ((rc = arh_catalog_read_begin(h->cat, err)) != 0)
		goto out;
	if (new == NULL && (rc = arh_log_latest(h->cat, &latest, NULL,
	    err)) == 0) {
		new = latest;
		newlen = strlen(latest);
	}
	if (rc == 0 && (rc = open_checkpoint(old, oldlen, vkey, &a, err)) != 0)
		prefixed(err, rc, "the old checkpoint");
	else if (rc == 0 && (rc = open_checkpoint(new, newlen, vkey, &b,
	    err)) != 0)
		prefixed(err, rc, "the new checkpoint");
	else if (rc == 0 && (a.size == 0 || a.size > b.size))
		rc = arh_errf(err, ARH_EUSAGE, "a consistency proof goes from "
		    "a checkpoint of 1 or more leaves to one at least as large "
		    "(here %llu to %llu)", (unsigned long long)a.size,
		    (unsigned long long)b.size);
	else if (rc == 0)
		rc = arh_catalog_log_consistency(h->cat, a.size, b.size, &mp,
		    err);
	arh_catalog_read_end(h->cat);
	if (rc != 0)
		goto out;
	p.old = a.size;
	p.size = b.size;
	p.hashes = mp.h;
	p.n = mp.n;
	rc = arh_consistency_proof_format(&p, out, outlen, err);
out:
	arh_checkpoint_release(&a);
	arh_checkpoint_release(&b);
	free(origin);
	free(vkey);
	free(latest);
	return rc;
}

int
arh_log_check_consistency(const char *old, size_t oldlen, const char *new,
    size_t newlen, const char *proof, size_t prooflen, const char *vkey,
    struct arh_err *err)
{
	struct arh_checkpoint a, b;
	struct arh_consistency_proof p;
	struct arh_merkle_proof mp;
	int rc;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&p, 0, sizeof(p));
	if ((rc = open_checkpoint(old, oldlen, vkey, &a, err)) != 0) {
		prefixed(err, rc, "the old checkpoint");
		goto out;
	}
	if ((rc = open_checkpoint(new, newlen, vkey, &b, err)) != 0) {
		prefixed(err, rc, "the new checkpoint");
		goto out;
	}
	if ((rc = arh_consistency_proof_parse(proof, prooflen, &p, err)) != 0)
		goto out;
	if (p.old != a.size || p.size != b.size) {
		rc = arh_errf(err, ARH_EVERIFY, "the proof goes from %llu to "
		    "%llu leaves; the checkpoints are of %llu and %llu",
		    (unsigned long long)p.old, (unsigned long long)p.size,
		    (unsigned long long)a.size, (unsigned long long)b.size);
		goto out;
	}
	mp.n = p.n;
	if (p.n > 0)
		memcpy(mp.h, p.hashes, p.n * 32);
	rc = arh_merkle_verify_consistency(a.size, b.size, a.root, b.root, &mp,
	    err);
out:
	arh_checkpoint_release(&a);
	arh_checkpoint_release(&b);
	arh_consistency_proof_release(&p);
	return rc;
}
