/*
 * manifest_index.h — metadata/manifest-sha256-index.txt (docs/FORMAT.md
 * 4.1): manifest-sha256.txt cut at line ends into chunks, each with its
 * byte range, SHA-256 and first path, so that one payload file's sealed
 * digest can be checked by hashing the small index and one chunk instead
 * of the whole manifest.
 *
 * The index is a tag file like any other: the tag manifests list it, so
 * the seal covers it; it adds a way to read the manifest, not a layer of
 * trust.
 */
#ifndef ARHIIVAR_MANIFEST_INDEX_H
#define ARHIIVAR_MANIFEST_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "arhiivar/error.h"

#define ARH_INDEX_PATH		"metadata/manifest-sha256-index.txt"
/* Most bytes of one chunk: what the writer fills up to, and what a reader
 * accepts (restore reads one chunk into memory). */
#define ARH_INDEX_CHUNK		(64 * 1024)

struct arh_mchunk {
	uint64_t	 off;		/* in manifest-sha256.txt */
	uint64_t	 len;
	char		 sha256[65];
	const char	*first;		/* path of its first line, into the
					   parsed text */
};

struct arh_mindex {
	struct arh_mchunk *v;
	size_t		   n;
};

/*
 * The index of manifest `man` (len bytes, lines ending in LF) with chunks
 * of at most `chunk` bytes (a longer line gets a chunk of its own):
 * malloc'd, NUL-terminated, its length in *outlen; NULL if out of memory.
 * The writer passes ARH_INDEX_CHUNK; tests pass small sizes.
 */
char *arh_mindex_make(const char *man, size_t len, size_t chunk,
    size_t *outlen);

/*
 * Parse the index text (len bytes, NUL-terminated; modified in place and
 * pointed into by ix) of a manifest of manlen bytes: lines exactly as the
 * writer makes them, chunks that tile the manifest from byte 0 to manlen,
 * none longer than ARH_INDEX_CHUNK, first paths strictly increasing.
 * Returns 0, ARH_EFORMAT with the line at fault in err, or ARH_ENOMEM.
 */
int arh_mindex_parse(struct arh_mindex *ix, char *text, size_t len,
    uint64_t manlen, struct arh_err *err);

void arh_mindex_release(struct arh_mindex *ix);

/*
 * The chunk that holds path's line if the manifest has one (the last
 * chunk whose first path is bytewise <= path), by binary search; -1 when
 * path sorts before every chunk.
 */
long arh_mindex_find(const struct arh_mindex *ix, const char *path);

/*
 * Is buf (len bytes) chunk c of the manifest: its length, its SHA-256,
 * whole lines, the first one of c->first?  0, or ARH_EVERIFY with the
 * reason in err.
 */
int arh_mindex_chunk_check(const struct arh_mchunk *c, const char *buf,
    size_t len, struct arh_err *err);

#endif
