/*
 * mime_pool.h — format identification off the writer's thread.
 *
 * libmagic costs up to 2 ms of CPU per file (0.02–0.1 ms for PDF, JPEG or
 * ZIP, 0.3–0.4 ms for XML or e-mail, 1.6 ms for plain text, on which every
 * one of its text rules, regular expressions, is tried), more than hashing
 * a small file; a worker thread runs it on a copy of each file's first
 * block while the writer goes on.  Results are written to the pointers
 * given at submit time; read them only after arh_mime_pool_drain() returns.
 */
#ifndef ARHIIVAR_MIME_POOL_H
#define ARHIIVAR_MIME_POOL_H

#include <stddef.h>

#include "arhiivar/error.h"

struct arh_mime_pool;

int arh_mime_pool_new(struct arh_mime_pool **out, struct arh_err *err);
void arh_mime_pool_free(struct arh_mime_pool *q);

/* Queue a copy of buf[0..min(len, ARH_IDENT_BYTES)); blocks while full. */
int arh_mime_pool_submit(struct arh_mime_pool *q, const void *buf, size_t len,
    char **mime, char **charset);

/* Wait until everything submitted is identified; ARH_ENOMEM if any failed. */
int arh_mime_pool_drain(struct arh_mime_pool *q);

#endif
