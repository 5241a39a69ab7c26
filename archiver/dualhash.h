/*
 * dualhash.h — SHA-512 and SHA-256 of one byte stream on two cores.
 *
 * SHA-512 (≈0.54 GB/s a core here) is the slow digest; it runs on a worker
 * thread while the calling thread computes SHA-256 and does its own I/O.
 * Contract: the buffer given to arh_dualhash_update() must stay unchanged
 * until the next update(), final() or begin() call returns — callers
 * alternate two buffers.
 */
#ifndef ARHIIVAR_DUALHASH_H
#define ARHIIVAR_DUALHASH_H

#include <stddef.h>

#include "arhiivar/error.h"

struct arh_dualhash;

int arh_dualhash_new(struct arh_dualhash **out, struct arh_err *err);
void arh_dualhash_free(struct arh_dualhash *h);

/* Start a new stream. */
int arh_dualhash_begin(struct arh_dualhash *h);
/* Feed len bytes (see the buffer contract above). */
int arh_dualhash_update(struct arh_dualhash *h, const void *buf, size_t len);
/* Finish: lower-case hex digests into sha512 (129) and sha256 (65). */
int arh_dualhash_final(struct arh_dualhash *h, char sha512[129],
    char sha256[65]);

#endif
