/*
 * ops.h — the operations both front ends (the arhiivar CLI and, later, the
 * daemon) call: ingest, verify, restore, catalog rebuild.  They take an
 * open home and report through return codes, err and problem lists; they
 * never print.
 */
#ifndef ARHIIVAR_OPS_H
#define ARHIIVAR_OPS_H

#include "arhiivar/home.h"
#include "arhiivar/policy.h"
#include "arhiivar/verify.h"

struct arh_ingest_result {
	char	name[256];		/* "12-1_2024.v1" */
	int	version;
	size_t	nrecords;
	size_t	nfiles;
	uint64_t payload_bytes;
	uint64_t tar_size;
	char	tar_sha256[65];
	size_t	ninternal;		/* internal-use records */
};

/*
 * Archive a closed case file: validate (ARH_EINVAL, problems in probs),
 * write, seal, publish, catalogue — or leave nothing behind.  A case file
 * already archived is refused (ARH_EEXIST) unless new_version.
 */
int arh_ingest(struct arh_home *h, const char *casedir, int new_version,
    struct arh_ingest_result *res, struct arh_problems *probs,
    struct arh_err *err);

/*
 * Resolve ARCHIVE as the CLI takes it — an archive name ("12-1_2024.v1"),
 * a case file reference ("12-1/2024", its latest version) — into a row.
 */
int arh_resolve(struct arh_home *h, const char *spec,
    struct arh_archive_row *row, struct arh_err *err);

/* Verify a catalogued archive (all layers, catalog included) and record a
 * verify event.  trust NULL: the configured anchors. */
int arh_verify_catalogued(struct arh_home *h, const char *name,
    const struct arh_trust *trust, struct arh_verify_report *rep,
    struct arh_err *err);

struct arh_restore_req {
	const char *archive;		/* archive name */
	const char *path;		/* "data/..." or relative to data/ */
	const char *out;		/* output file, or NULL for stdout */
	int	    force;		/* replace an existing output file */
	const struct arh_identity *who;
	struct arh_access_decision decision;	/* filled in */
};

/*
 * Restore one payload file: access decision first (a refusal is an event,
 * ARH_EDENIED), then seek to the catalogued offset, check the bytes against
 * the sealed manifest and publish them atomically (or write to stdout only
 * after the check).
 */
int arh_restore(struct arh_home *h, struct arh_restore_req *req,
    struct arh_err *err);

/* Recreate every archive, record and file row from the archives in the
 * store, in one transaction; events are kept.  notes lists what was done. */
int arh_rebuild(struct arh_home *h, struct arh_problems *notes,
    struct arh_err *err);

#endif
