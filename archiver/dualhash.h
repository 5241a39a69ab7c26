/*
 * dualhash.h — SHA-512 and SHA-256 of many byte streams on two cores.
 *
 * Both digests of a stream are computed on one of two worker threads, each
 * stream whole on the worker with less work waiting, so two files are
 * hashed at once while the caller only reads and writes; the caller never
 * waits for a single stream.  It reads into buffers lent by the pool,
 * hands each one over with arh_dualhash_update() (it must not touch it
 * afterwards) and collects the digests, tagged with its own stream ids,
 * after arh_dualhash_sync().  How far the reader runs ahead of the
 * hashing is bounded by the pool.
 *
 * With ARH_DUALHASH_INLINE there is no worker: each block is hashed on the
 * caller's thread when it is handed over.  The digests, and what sync
 * reports, are the same; only the second core goes unused.
 */
#ifndef ARHIIVAR_DUALHASH_H
#define ARHIIVAR_DUALHASH_H

#include <stddef.h>

#include "arhiivar/error.h"

#define ARH_DUALHASH_BLOCK	(1024 * 1024)	/* bytes of one buffer */
#define ARH_DUALHASH_INLINE_BLOCK (64 * 1024)	/* the same, inline */

/*
 * Flags of the constructors.  ARH_DUALHASH_INLINE: hash on the caller's
 * thread, for work too small to repay starting a thread and four 1 MiB
 * buffers (the fuzz target of the reader, which verifies tiny archives
 * one after another).  The pool then holds one buffer of ARH_DUALHASH_INLINE_BLOCK
 * bytes: with nothing to overlap, a bigger block would only save system
 * calls, and this size comes from the heap rather than a fresh mapping.
 * The caller may hold only one buffer at a time, and must hand it over
 * (update) or back (release) before asking for the next, or
 * arh_dualhash_buffer() waits forever.
 */
#define ARH_DUALHASH_INLINE	0x1u

struct arh_dualhash;

int arh_dualhash_new(struct arh_dualhash **out, unsigned flags,
    struct arh_err *err);
/*
 * The same machinery for one digest of one stream at a time on one
 * worker: `worker_md` ("SHA256" or "SHA512"); sync reports the other
 * digest as "".  For hashing a stream (the whole tar) the caller does not
 * want to spend its own core on.
 */
int arh_dualhash_new_worker_only(struct arh_dualhash **out,
    const char *worker_md, unsigned flags, struct arh_err *err);
void arh_dualhash_free(struct arh_dualhash *h);

/* Bytes of each of h's buffers: ARH_DUALHASH_BLOCK, or
 * ARH_DUALHASH_INLINE_BLOCK inline. */
size_t arh_dualhash_block(const struct arh_dualhash *h);
/* A free buffer of arh_dualhash_block() bytes; waits while all are in use. */
unsigned char *arh_dualhash_buffer(struct arh_dualhash *h);
/* Give back a buffer from arh_dualhash_buffer() without hashing it. */
void arh_dualhash_release(struct arh_dualhash *h, unsigned char *buf);

/* Start stream `id`; a stream is hashed whole by one worker. */
int arh_dualhash_begin(struct arh_dualhash *h, size_t id);
/* Hash buf[0..len) (a pool buffer, or NULL with len 0); the buffer goes
 * back to the pool once the worker is done with it. */
int arh_dualhash_update(struct arh_dualhash *h, unsigned char *buf,
    size_t len);
/* End the stream: its digests come at the next sync. */
int arh_dualhash_end(struct arh_dualhash *h);

/* Wait for the workers, then cb(arg, id, sha512, sha256), both hex, for
 * every stream begun since the last sync, in the order they began.
 * Returns ARH_ECRYPTO (and calls nothing) if hashing failed. */
int arh_dualhash_sync(struct arh_dualhash *h,
    void (*cb)(void *arg, size_t id, const char *sha512,
    const char *sha256), void *arg);

/* Both digests of one buffer, synchronously (small tag files). */
int arh_digests(const void *buf, size_t len, char sha512[129],
    char sha256[65]);

#endif
