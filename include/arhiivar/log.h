/*
 * log.h — the tamper-evident log (docs/FORMAT.md, section 11).
 *
 * Every event of the catalog is a leaf of an append-only RFC 6962 Merkle
 * tree.  A leaf is the SHA-256 of 0x00 and the event's *entry*: a short,
 * canonical text that names the event and, for an ingest, the digests of
 * the archive it made.  What an event says about a file or a record (its
 * target and detail, which may be restricted metadata) is not in the
 * entry in clear: the entry carries a salted SHA-256 of it, so that
 * entries can be shown to anyone and still bind the whole event.
 *
 * Tree heads are C2SP checkpoints signed with the log's own Ed25519 key
 * (keys/log.key), separate from the seal key.
 */
#ifndef ARHIIVAR_LOG_H
#define ARHIIVAR_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "arhiivar/error.h"

#define ARH_LOG_SALT	16		/* bytes of salt per entry */
#define ARH_LOG_ENTRY_MAX 4096		/* an entry is never longer */
#define ARH_LOG_ENTRY_VERSION "arhiivar/log-entry@v1"

/* What an entry is made of.  Strings may be NULL where marked. */
struct arh_log_fields {
	uint64_t	 index;		/* the leaf's position, from 0 */
	long long	 event;		/* the event's id in the catalog */
	const char	*at;		/* its time, "2026-12-02T10:00:00Z" */
	const char	*kind;		/* ingest, verify, restore, ... */
	const char	*result;	/* ok, failed, denied, ... */
	const char	*actor;		/* "user (uid 0)" */
	const char	*archive;	/* NULL: the event names none */
	const char	*tar_sha256;	/* ingest: of the archive file, or NULL */
	const char	*tagmanifest_sha512; /* ingest: of tagmanifest-sha512.txt */
	const char	*target;	/* NULL or the file, record, ... */
	const char	*detail;	/* NULL or the event's detail */
	const unsigned char *salt;	/* ARH_LOG_SALT bytes */
};

/*
 * The canonical entry of f (malloc'd into *out, *len bytes, no NUL
 * counted; it is NUL-terminated all the same).  Lines "key value\n" in
 * a fixed order; a value's control bytes and '%' are written as %XX.
 * ARH_EINVAL if a required field is missing or the entry would exceed
 * ARH_LOG_ENTRY_MAX.
 */
int arh_log_entry(const struct arh_log_fields *f, char **out, size_t *len,
    struct arh_err *err);

/*
 * The value of `key` in a canonical entry, copied into buf (n bytes) as
 * it stands (still %-escaped): 0, ARH_ENOTFOUND if the entry has no such
 * line, ARH_EFORMAT if it does not fit.
 */
int arh_log_entry_field(const char *entry, size_t len, const char *key,
    char *buf, size_t n);

struct arh_catalog;
struct arh_config;
struct arh_home;
struct arh_problems;

/*
 * The log's key: if the catalog has none, read the key file
 * ([log] key), or make it (0600) when there is none, and record its
 * origin and verifier key in the catalog.  What it made goes to notes.
 */
int arh_log_key_init(struct arh_catalog *cat, const struct arh_config *cfg,
    struct arh_problems *notes, struct arh_err *err);

/* Sign and keep a checkpoint of every committed leaf; *note is the
 * signed note (malloc'd), *size (may be NULL) its tree size. */
int arh_log_checkpoint(struct arh_home *h, char **note, uint64_t *size,
    struct arh_err *err);
/* After an ingest or a disposition has committed: a checkpoint, signed
 * with the log key or by the daemon's seal process.  What was committed
 * stands either way: a failure is a warning, in why (n bytes, "" when
 * none), and the next checkpoint covers the leaves (`log checkpoint`
 * makes one at any time).  Returns the failure's code, or 0. */
int arh_log_checkpoint_after(struct arh_home *h, char *why, size_t n);
/* The newest checkpoint kept (malloc'd); ARH_ENOTFOUND if none. */
int arh_log_latest(struct arh_catalog *cat, char **note, uint64_t *size,
    struct arh_err *err);

/*
 * A c2sp.org/tlog-proof@v1 file (malloc'd) for the latest ingest leaf of
 * `archive`, or (archive NULL) for event id `event`, in the tree of the
 * newest checkpoint, which it carries verbatim; the leaf's entry is its
 * extra data.  ARH_ENOTFOUND when the leaf is newer than the checkpoint.
 */
int arh_log_prove(struct arh_catalog *cat, const char *archive, long long event,
    char **out, size_t *outlen, struct arh_err *err);

struct arh_log_proven {
	uint64_t	 index, size;
	char		 origin[512];
};
/*
 * Check a tlog-proof without the catalog: the checkpoint's signature by
 * vkey (a verifier key string), and the inclusion of the entry (entry
 * NULL: the proof's extra data) at its index.  0 and *res, ARH_EVERIFY,
 * ARH_EFORMAT.
 */
int arh_log_check_proof(const char *buf, size_t len, const char *vkey,
    const char *entry, size_t entrylen, struct arh_log_proven *res,
    struct arh_err *err);

/* A consistency proof file (malloc'd) from checkpoint `old` to `new`
 * (NULL: the newest), both checked against the log's key first. */
int arh_log_consistency(struct arh_home *h, const char *old, size_t oldlen,
    const char *new, size_t newlen, char **out, size_t *outlen,
    struct arh_err *err);
/* Check one without the catalog. */
int arh_log_check_consistency(const char *old, size_t oldlen,
    const char *new, size_t newlen, const char *proof, size_t prooflen,
    const char *vkey, struct arh_err *err);

/*
 * The log's signer in the daemon's seal process (log_signer.c): the key,
 * the origin and verifier key recorded in the catalog, and the newest
 * checkpoint (NULL: none) it must extend, all read before the process is
 * confined.  answer() serves the 'l' and 'L' requests of the seal
 * protocol; s may be NULL (no key: every request gets an error answer).
 */
struct arh_log_signer;
int arh_log_signer_new(const char *keyfile, const char *origin,
    const char *vkey, const char *latest, struct arh_log_signer **out,
    struct arh_err *err);
void arh_log_signer_free(struct arh_log_signer *s);
int arh_log_signer_answer(struct arh_log_signer *s, const unsigned char *req,
    size_t len, unsigned char **ans, size_t *n);
/* A worker's side: the size of the tree the seal process last signed
 * (*have 0: none), and a checkpoint body signed by it, with the
 * consistency proof (may be empty) from that tree to this one. */
int arh_log_signed_remote(int fd, int *have, uint64_t *size,
    struct arh_err *err);
int arh_log_sign_remote(int fd, const char *body, size_t blen,
    const char *proof, size_t plen, char **note, struct arh_err *err);

#endif
