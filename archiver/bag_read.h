/* bag_read.h — shared by the streaming reader and the bag checks. */
#ifndef ARHIIVAR_BAG_READ_H
#define ARHIIVAR_BAG_READ_H

#include <stdint.h>

#include <archive.h>
#include <openssl/evp.h>

#include "arhiivar/seal.h"
#include "arhiivar/verify.h"
#include "dualhash.h"

#define NTAGS		9
#define TAG_INDEX	8	/* metadata/manifest-sha256-index.txt */

/*
 * Tag files of the format; `listed`: must be in the tag manifests;
 * `optional`: archives written before it was added lack it.
 */
struct tagfile {
	const char	*path;
	int		 listed;
	int		 optional;
};
extern const struct tagfile arh_tagfiles[NTAGS];

/* The raw tar stream, hashed (SHA-256) on a worker of its own. */
struct source {
	int		 fd;
	struct arh_dualhash *tarhash;
	uint64_t	 total;
	int		 errnum;
};

struct reader {
	struct archive	*a;
	struct source	 src;
	struct arh_dualhash *dh;
	struct arh_verify_report *rep;
	size_t		 memcap;
	char		*tag[NTAGS];	/* contents, NUL-terminated */
	size_t		 taglen[NTAGS];
	int		 broken;	/* tar unreadable past this point */
	int64_t		 base;		/* offset of the tar in fd, or -1 for
					   a pipe (no header re-reading) */
	struct arh_err	*err;
};

/*
 * Check the raw headers of the member whose first header starts at `pos`
 * of fd, which libarchive read as `name`, against the writer's grammar
 * (tar_grammar.c).  Returns 0, 1 with
 * a sentence in why (n bytes), or -errno when fd cannot be read.
 */
int arh_tar_grammar(int fd, int64_t pos, int is_dir, const char *name,
    char *why, size_t n);

/*
 * arh_bag_verify() with flags for its two hashing objects (dualhash.h):
 * ARH_DUALHASH_INLINE hashes on the calling thread.  The report is the
 * same either way; the fuzz target uses it so that each of its many tiny
 * inputs does not start two threads and allocate 8 MiB of buffers.
 */
int arh_bag_verify_flags(int fd, const struct arh_trust *trust,
    unsigned hash_flags, struct arh_verify_report *rep, struct arh_err *err);

/* The checks after the stream: manifests, oxum, tag manifests, seal,
 * metadata (bag_check.c). */
int arh_bag_check(struct reader *rd, const struct arh_trust *trust);

#endif
