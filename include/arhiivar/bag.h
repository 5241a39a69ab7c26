/*
 * bag.h — the archive format (docs/FORMAT.md): one uncompressed pax tar
 * holding one top-level directory, a BagIt 1.0 bag with SHA-512 and SHA-256
 * manifests, metadata/case.json, tag manifests and a CMS seal.
 *
 * The writer makes one pass over the payload: each input byte is read once,
 * hashed (SHA-512 ∥ SHA-256 on two cores) and written; the tag files follow
 * the payload.  The summary it returns is what the catalog stores; the
 * verifier returns the same summary from an archive alone, which is how the
 * catalog is rebuilt.
 */
#ifndef ARHIIVAR_BAG_H
#define ARHIIVAR_BAG_H

#include <stdint.h>
#include <jansson.h>

#include "arhiivar/error.h"
#include "arhiivar/input.h"
#include "arhiivar/progress.h"
#include "arhiivar/seal.h"

#define ARH_BAG_FORMAT		1	/* "arhiivar_format" in case.json */
#define ARH_MAX_MEMBERS		(ARH_MAX_FILES + 64)

/* One regular-file member of a bag, in tar order. */
struct arh_member {
	char	*path;		/* relative to the bag root: "data/..", "bag-info.txt" */
	int	 payload;	/* 1 under data/ */
	uint64_t size;
	char	 sha512[129];
	char	 sha256[65];
	int64_t	 header_offset;	/* first header block (pax header if any) */
	int64_t	 data_offset;	/* first data byte */
};

/* What the catalog records about one archive. */
struct arh_bag_summary {
	char	*name;		/* bag / top-level directory, "12-1_2024.v1" */
	char	*case_ref;	/* "12-1/2024" */
	char	*series;	/* "12-1" */
	int	 version;
	char	*previous;	/* name of the previous version or NULL */
	json_t	*manifest;	/* metadata/case.json */
	struct arh_member *members;
	size_t	 nmembers;
	uint64_t tar_size;
	char	 tar_sha256[65];
	struct arh_seal_info seal;
};

void arh_bag_summary_release(struct arh_bag_summary *s);

/* "12-1/2024", 1 → "12-1_2024.v1" (malloc'd); NULL if out of memory. */
char *arh_bag_name(const char *case_ref, int version);
/* The same into buf (n bytes), allocating nothing: 0, or -1 if too long. */
int arh_bag_name_into(char *buf, size_t n, const char *case_ref, int version);

struct arh_bag_params {
	int	 version;		/* 1, 2, ... */
	const char *previous;		/* previous version's name or NULL */
	const char *previous_sha256;	/* its tar SHA-256 or NULL */
	const char *bagging_date;	/* YYYY-MM-DD */
	const struct arh_signer *signer;
	const json_t *retention;	/* the file plan's decision, or NULL */
	const struct arh_progress *progress;	/* over the payload, or NULL */
};

/*
 * Write the bag for case `c` (loaded from the directory open as casefd) to
 * out_fd as a tar stream.  Fills c->files[] digests, MIME and offsets, and
 * *sum.  ARH_ECHANGED if an input file changes while it is read.
 */
int arh_bag_write(int out_fd, int casefd, struct arh_case *c,
    const struct arh_bag_params *p, struct arh_bag_summary *sum,
    struct arh_err *err);

#endif
