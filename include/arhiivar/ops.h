/*
 * ops.h — the operations both front ends (the arhiivar CLI and, later, the
 * daemon) call: ingest, verify, restore, catalog rebuild.  They take an
 * open home and report through return codes, err and problem lists; they
 * never print.
 */
#ifndef ARHIIVAR_OPS_H
#define ARHIIVAR_OPS_H

#include "arhiivar/fileplan.h"
#include "arhiivar/home.h"
#include "arhiivar/retention.h"
#include "arhiivar/policy.h"
#include "arhiivar/progress.h"
#include "arhiivar/redact.h"
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
	char	log_warning[ARH_ERR_MSG]; /* why no checkpoint was signed
					   after it, or "" */
};

/*
 * Archive a closed case file: validate (ARH_EINVAL, problems in probs),
 * write, seal, publish, catalogue — or leave nothing behind.  A case file
 * already archived is refused (ARH_EEXIST) unless new_version.  Then a
 * checkpoint of the log is signed (log.h); if it cannot be, the ingest
 * stands and res->log_warning says why.
 */
int arh_ingest(struct arh_home *h, const char *casedir, int new_version,
    struct arh_ingest_result *res, struct arh_problems *probs,
    struct arh_err *err);
/* arh_ingest() reporting files and bytes of payload written through
 * progress (progress.h; NULL: as arh_ingest()). */
int arh_ingest_progress(struct arh_home *h, const char *casedir,
    int new_version, const struct arh_progress *progress,
    struct arh_ingest_result *res, struct arh_problems *probs,
    struct arh_err *err);

/*
 * Resolve ARCHIVE as the CLI takes it — an archive name ("12-1_2024.v1"),
 * a case file reference ("12-1/2024", its latest version) — into a row.
 */
int arh_resolve(struct arh_home *h, const char *spec,
    struct arh_archive_row *row, struct arh_err *err);

/* Verify a catalogued archive (all layers, catalog included) and record a
 * verify event.  trust NULL: the configured anchors.  (verify --all reports
 * progress per archive in the CLI, from the catalog's sizes.) */
int arh_verify_catalogued(struct arh_home *h, const char *name,
    const struct arh_trust *trust, struct arh_verify_report *rep,
    struct arh_err *err);

struct arh_restore_req {
	const char *archive;		/* archive name */
	const char *path;		/* "data/..." or relative to data/ */
	const char *out;		/* output file, or NULL for stdout */
	int	    force;		/* replace an existing output file */
	const struct arh_identity *who;
	const struct arh_trust *trust;	/* anchors for the seal; NULL: the
					   home's (a bare copy needs them) */
	struct arh_access_decision decision;	/* filled in */
	char	    bag[256];		/* filled in by arh_restore_copy():
					   the archive's name, once known */
	int	    catalogued;		/* filled in: 1 if the copy was the
					   store's and restored as such */
};

/*
 * Restore one payload file: access decision first (a refusal is an event,
 * ARH_EDENIED), then seek to the catalogued offset, check the bytes against
 * the sealed manifest and publish them atomically (or write to stdout only
 * after the check).
 */
int arh_restore(struct arh_home *h, struct arh_restore_req *req,
    struct arh_err *err);

/*
 * Restore one payload file from an archive file, catalogued or not.  The
 * store's own file of a catalogued archive is restored by arh_restore().
 * Any other file is a bare copy: its members are found by reading the tar
 * headers; the seal (against req->trust, required) and the sealed tag
 * manifest are checked, then metadata/case.json gives the record that owns
 * the file and its restriction; the access decision follows (h NULL: the
 * caller holds only "public"; else req->who's roles and the home's
 * internal_roles, and the home's record when it catalogues the archive or
 * has extended the record's restriction); then the member is checked and
 * published as by arh_restore().  h may be NULL: then no event is
 * recorded.  With a home, a refusal is a denial event and every restore
 * that found the file a restore event.  ARH_ENOTFOUND: no such payload
 * file; ARH_EVERIFY: a check failed, err names the layer; ARH_EDENIED.
 */
int arh_restore_copy(struct arh_home *h, const char *file,
    struct arh_restore_req *req, struct arh_err *err);

/*
 * The record object ("metadata" of an entry of "records") that lists
 * payload file `path` in a metadata manifest (metadata/case.json), or NULL.
 * Pure; the result is borrowed from manifest.
 */
const json_t *arh_restore_record_of(const json_t *manifest, const char *path);

/*
 * 1 if a command-line ARCHIVE argument names a file rather than an archive
 * or case file ("12-1_2024.v1", "12-1/2024"): it ends in ".tar", starts
 * with "/", "./" or "../" — never just because a file of that name exists.
 */
int arh_spec_is_path(const char *spec);

/*
 * A tag file of a catalogued archive ("metadata/case.json", ...) read at
 * its catalogued offset, NUL-terminated; not checked against the seal (run
 * verify for that).  Payload paths are refused: they go through
 * arh_restore() and the access policy.
 */
int arh_archive_tag(struct arh_home *h, const char *archive,
    const char *path, char **buf, size_t *len, struct arh_err *err);

/* Recreate every archive, record and file row from the archives in the
 * store, in one transaction; events are kept.  notes lists what was done. */
int arh_rebuild(struct arh_home *h, struct arh_problems *notes,
    struct arh_err *err);

/*
 * `catalog reconcile`: the full comparison of store and catalog (it lists
 * the whole store): recovery as on open, leftovers in the store directory
 * itself, every uncatalogued archive verified and catalogued (or noted),
 * every catalogued archive whose file is missing noted.  ARH_EVERIFY when
 * problems remain; notes says what was done and found; one event.
 */
int arh_reconcile(struct arh_home *h, struct arh_problems *notes,
    struct arh_err *err);

/*
 * Import a file plan (CSV) as a new version: all problems in probs
 * ("NAME:LINE: message") and nothing imported, or the version in
 * `version`.  ARH_EEXIST when that content is already a version.
 */
int arh_fileplan_import(struct arh_home *h, const char *name,
    const char *buf, size_t len, char version[65],
    struct arh_problems *probs, struct arh_err *err);

/* A version (NULL: the latest) as a plan; ARH_ENOTFOUND if none. */
int arh_fileplan_load(struct arh_home *h, const char *version,
    struct arh_fileplan **plan, struct arh_fileplan_info *info,
    struct arh_err *err);

/* The retention decision of case c under the current file plan, as the
 * JSON object sealed into metadata/case.json ("retention"); NULL when no
 * file plan was imported.  Unknown or closed series: ARH_EINVAL + probs. */
int arh_fileplan_decide(struct arh_home *h, const struct arh_case *c,
    json_t **decision, struct arh_problems *probs, struct arh_err *err);

/* That JSON object for a row and a computed decision. */
json_t *arh_retention_json(const struct arh_fileplan_info *info,
    const struct arh_fileplan_row *row, const struct arh_retention *r);

/*
 * `access extend`: move the end of record `reference`'s internal-use
 * restriction to `until`, once, within what its legal basis allows (the
 * home's access-term table), for a reason; only a records manager, and
 * only while the restriction is still in force.  ARH_EDENIED (role),
 * ARH_EINVAL (the rule refuses; err says which), ARH_EEXIST (extended
 * before), ARH_ENOTFOUND; every outcome is an event.  The archive is not
 * rewritten: the catalog lays the new end over the sealed one.
 */
int arh_access_extend(struct arh_home *h, const struct arh_identity *who,
    const char *reference, const char *until, const char *reason,
    struct arh_err *err);

/*
 * Place a hold (kind, target, reason, authority set by the caller) or
 * release hold `id` with a reason: records managers only (ARH_EDENIED,
 * an event, otherwise).
 */
int arh_hold_place(struct arh_home *h, const struct arh_identity *who,
    struct arh_hold *hold, struct arh_err *err);
int arh_hold_lift(struct arh_home *h, const struct arh_identity *who, long id,
    const char *reason, struct arh_err *err);

typedef int (*arh_event_cb)(void *arg, const char *at,
    const struct arh_event *ev);

/*
 * The events of one archive (or all when archive is NULL), oldest first,
 * as `who` may see them (redact.h): the only way front ends list events.
 */
int arh_events_for(struct arh_home *h, const struct arh_redact_caller *who,
    const char *archive, arh_event_cb cb, void *arg, struct arh_err *err);

/*
 * The role table's answer for an operation that lives in a front end
 * (the daemon's quarantine and audit requests): 0, or ARH_EDENIED with
 * the refusal recorded as an event, as every library operation does.
 */
int arh_permit(struct arh_home *h, const struct arh_identity *who,
    enum arh_op op, const char *target, struct arh_err *err);

/*
 * The JSON views both front ends show (archiver/views.c), so that the
 * CLI's --json and the API answer the same caller the same way.
 */

/* The records of `archive` as `who` sees them: each record's metadata as
 * arh_policy_view() and arh_view_apply() give it, with "decision"
 * {allowed, rule, view} and, only when allowed, "files" (path, size,
 * digests, mime, charset).  A new array into *out, in reference order. */
int arh_records_view(struct arh_home *h, const char *archive,
    const struct arh_redact_caller *who, json_t **out, struct arh_err *err);
/* The same records without their files (the API's archive answer, which
 * pages them with arh_files_view()). */
int arh_records_summary(struct arh_home *h, const char *archive,
    const struct arh_redact_caller *who, json_t **out, struct arh_err *err);
/* Up to `limit` payload files of `archive` after path `after` (NULL: from
 * the first), in path order, as `who` may see them: only the files of
 * records arh_records_view() would list them under (path, record, size,
 * digests, mime, charset); the files of a withheld record are neither
 * named nor counted.  A new array into *out; *more is 1 when a shown file
 * follows the page (the last path on it is then the next `after`). */
int arh_files_view(struct arh_home *h, const char *archive,
    const struct arh_redact_caller *who, const char *after, int limit,
    json_t **out, int *more, struct arh_err *err);
/* An archive row's identifiers, digests, signer and seal time (public
 * facts); NULL on ENOMEM. */
json_t *arh_archive_row_json(const struct arh_archive_row *r);
/* A file found by digest or record (arh_catalog_find()) under view v:
 * archive, record, allowed, and only when allowed path, size, digests. */
json_t *arh_found_view(const char *archive, const struct arh_file_row *f,
    const struct arh_view_decision *v);
/* A verify report as `who` may see it (redact.h): from the archive's own
 * records, else the catalog's (h may be NULL), else every payload file
 * hidden from a caller not entitled to restricted records.  0 or
 * ARH_ENOMEM (then the report must not be shown). */
int arh_verify_redact(struct arh_home *h, const struct arh_redact_caller *who,
    struct arh_verify_report *rep, struct arh_err *err);
/* A (redacted) verify report of `what` with outcome rc as JSON. */
json_t *arh_verify_report_json(const char *what, int rc,
    const struct arh_verify_report *r);

#endif
