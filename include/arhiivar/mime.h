/*
 * mime.h — format identification with libmagic: MIME type and charset of a
 * payload file, from its first bytes (the bag writer reads each input byte
 * once, so identification sees the first block it already holds).
 */
#ifndef ARHIIVAR_MIME_H
#define ARHIIVAR_MIME_H

#include <stddef.h>

#include "arhiivar/error.h"

#define ARH_IDENT_BYTES	(64 * 1024)	/* bytes libmagic looks at */

struct arh_mime;

int arh_mime_new(struct arh_mime **out, struct arh_err *err);
void arh_mime_free(struct arh_mime *id);

/* MIME type and charset (both malloc'd) of buf[0..len). */
int arh_mime_buffer(struct arh_mime *id, const void *buf, size_t len,
    char **mime, char **charset);

/* libmagic's version, e.g. "5.44", into out. */
void arh_mime_version(char out[16]);

#endif
