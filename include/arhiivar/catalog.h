/*
 * catalog.h — the SQLite catalog: archives, records, files (with tar
 * offsets) and events.  WAL, foreign keys, a schema version with forward
 * migrations, a busy timeout.  Only this module talks SQL.
 *
 * Every archive row, record row and file row can be recomputed from the
 * archive alone (arh_catalog_add() takes the same summary the verifier
 * returns), which is what `catalog rebuild` relies on.  Events cannot.
 */
#ifndef ARHIIVAR_CATALOG_H
#define ARHIIVAR_CATALOG_H

#include <stdint.h>
#include <jansson.h>

#include "arhiivar/bag.h"
#include "arhiivar/error.h"
#include "arhiivar/merkle.h"

#define ARH_CATALOG_SCHEMA	10

struct arh_catalog;

struct arh_archive_row {
	char	 name[256];
	char	 case_ref[128];
	char	 series[128];
	int	 version;
	char	 previous[256];		/* "" when none */
	char	 path[512];		/* file name in the store */
	int64_t	 size;
	char	 sha256[65];		/* of the tar */
	char	 signer[512];
	char	 created[32];		/* seal signing time */
	int	 nrecords;
	int	 nfiles;		/* payload files */
};

/* One member; strings malloc'd, release with arh_file_row_release(). */
struct arh_file_row {
	char	*path;			/* "data/..." or a tag file */
	char	*record;		/* reference, NULL for tag files */
	uint64_t size;
	char	 sha512[129];
	char	 sha256[65];
	char	*mime;
	char	*charset;
	int64_t	 header_offset;
	int64_t	 data_offset;
};
void arh_file_row_release(struct arh_file_row *f);

struct arh_event {
	const char *kind;	/* ingest verify restore denial recovery rebuild */
	const char *actor;	/* "user (uid N)" */
	const char *archive;	/* may be NULL */
	const char *target;	/* file path or record, may be NULL */
	const char *result;	/* ok, failed, denied */
	const char *detail;	/* may be NULL */
};

/* Open (create, migrate) for reading and writing.  The -wal and -shm
 * files are kept when the last writer closes, so that readers without
 * write access to the home can open the catalog. */
int arh_catalog_open(const char *path, long busy_timeout_ms,
    struct arh_catalog **out, struct arh_err *err);
/*
 * Open read-only, for a caller who may read the home but not write it:
 * no migration (an older schema is ARH_ECATALOG, saying a writer upgrades
 * it), the -wal and -shm files must exist and be readable.  Writing
 * statements fail saying the home is read-only.  arh_catalog_event() then
 * writes each event as a file into the drop box `spool` (a directory the
 * home's group may write), which arh_catalog_import_events() brings in.
 */
int arh_catalog_open_readonly(const char *path, long busy_timeout_ms,
    const char *spool, struct arh_catalog **out, struct arh_err *err);
/* Once per process, before any catalog is opened: no global allocation
 * statistics in SQLite (a mutex every connection takes on every malloc). */
void arh_catalog_init_process(void);
/* For a connection that mostly reads (the API's): the database mapped into
 * memory (up to 1 GiB) and an 8 MiB page cache.  0 or ARH_ECATALOG. */
int arh_catalog_tune_reader(struct arh_catalog *c, struct arh_err *err);
/* Read from one snapshot until arh_catalog_read_end(): every query between
 * sees the same catalog, and the read lock is taken once, not per query.
 * No writes in between.  0 or ARH_ECATALOG. */
int arh_catalog_read_begin(struct arh_catalog *c, struct arh_err *err);
void arh_catalog_read_end(struct arh_catalog *c);
/* 1 if opened read-only. */
int arh_catalog_readonly(const struct arh_catalog *c);
/* 0 if arh_catalog_event() can record (always, read-write), else
 * ARH_ECATALOG saying why not and what to do. */
int arh_catalog_can_record(const struct arh_catalog *c, struct arh_err *err);
/*
 * Import the event files of the drop box dirfd in one transaction, oldest
 * first, then remove them (*n: how many).  The actor of each is the file's
 * owner (fstat), never its content; a read-only caller may report a
 * restore, a verification or a refusal — any other file is recorded as a
 * refused "spool" event.  Idempotent: a file imported before a crash is
 * not imported twice.  Costs what is pending only.
 */
int arh_catalog_import_events(struct arh_catalog *c, int dirfd, size_t *n,
    struct arh_err *err);
void arh_catalog_free(struct arh_catalog *c);

/* Add an archive, its records and files, and ev (may be NULL) in one
 * transaction, which also closes every intent to publish store_name.
 * ARH_EEXIST if the name is catalogued already. */
int arh_catalog_add(struct arh_catalog *c, const struct arh_bag_summary *s,
    const char *store_name, const struct arh_event *ev, struct arh_err *err);

/*
 * An intent to publish: recorded (committed) before an ingest renames its
 * temporary file into the store, closed by the arh_catalog_add() that
 * catalogues the archive.  Opening a home looks at the pending ones only.
 */
struct arh_intent {
	char	 tmp[128];		/* temporary file name (the key) */
	char	 name[300];		/* the archive's file name in the store */
	char	 sha256[65];		/* of the finished tar */
	char	 at[32];		/* "" on add: now */
	long	 pid;			/* of the publishing process */
	char	 actor[300];		/* who the ingest was for ("" if not
					   recorded) */
};
/* Record in (its own committed transaction). */
int arh_catalog_intent_add(struct arh_catalog *c, const struct arh_intent *in,
    struct arh_err *err);
/* Drop the intent of temporary file tmp (none is not an error). */
int arh_catalog_intent_drop(struct arh_catalog *c, const char *tmp,
    struct arh_err *err);
/* Every pending intent, oldest first, as a malloc'd array of *n. */
int arh_catalog_intents(struct arh_catalog *c, struct arh_intent **out,
    size_t *n, struct arh_err *err);

/* Rebuild: begin a transaction that empties archives, records and files;
 * end it with COMMIT when rc is 0, else ROLLBACK (returns the outcome). */
int arh_catalog_clear_begin(struct arh_catalog *c, struct arh_err *err);
int arh_catalog_clear_end(struct arh_catalog *c, int rc, struct arh_err *err);

int arh_catalog_get(struct arh_catalog *c, const char *name,
    struct arh_archive_row *row, struct arh_err *err);
/* The latest version of a case file; ARH_ENOTFOUND if none. */
int arh_catalog_latest(struct arh_catalog *c, const char *case_ref,
    struct arh_archive_row *row, struct arh_err *err);
/* Archives in name order; cb returning non-zero stops with that code. */
int arh_catalog_list(struct arh_catalog *c,
    int (*cb)(void *arg, const struct arh_archive_row *row), void *arg,
    struct arh_err *err);

int arh_catalog_file(struct arh_catalog *c, const char *archive,
    const char *path, struct arh_file_row *row, struct arh_err *err);
/* All members of an archive in tar order. */
int arh_catalog_files(struct arh_catalog *c, const char *archive,
    int (*cb)(void *arg, const struct arh_file_row *row), void *arg,
    struct arh_err *err);
/* A record's metadata (new reference) by archive and reference. */
int arh_catalog_record(struct arh_catalog *c, const char *archive,
    const char *reference, json_t **meta, struct arh_err *err);
/* All records of an archive, by reference: cb gets the metadata. */
int arh_catalog_records(struct arh_catalog *c, const char *archive,
    int (*cb)(void *arg, const json_t *meta), void *arg,
    struct arh_err *err);

/*
 * Payload files whose SHA-256 or SHA-512 is `key`, or that belong to the
 * record with reference `key`, in every archive: cb gets the archive name,
 * the file row and the record's metadata.
 */
int arh_catalog_find(struct arh_catalog *c, const char *key,
    int (*cb)(void *arg, const char *archive, const struct arh_file_row *f,
    const json_t *record), void *arg, struct arh_err *err);

/* One imported file plan version. */
struct arh_fileplan_info {
	char	 version[65];	/* SHA-256 of the canonical form */
	int	 seq;		/* 1, 2, ... in import order */
	char	 imported_at[32];
	char	 actor[300];
	char	 source[512];	/* the file name given at import */
	char	*plan;		/* JSON (arh_fileplan_to_json), or NULL */
};
void arh_fileplan_info_release(struct arh_fileplan_info *fp);

/* Add a version with its event in one transaction; ARH_EEXIST if that
 * content is already a version. */
int arh_catalog_fileplan_add(struct arh_catalog *c,
    const struct arh_fileplan_info *fp, const struct arh_event *ev,
    struct arh_err *err);
/* The latest version (version NULL) or one by version or unique prefix. */
int arh_catalog_fileplan_get(struct arh_catalog *c, const char *version,
    struct arh_fileplan_info *fp, struct arh_err *err);
/* Every version, oldest first, without the plan text. */
int arh_catalog_fileplan_history(struct arh_catalog *c,
    int (*cb)(void *arg, const struct arh_fileplan_info *fp), void *arg,
    struct arh_err *err);

/* A hold: while in force, nothing it covers is due or destroyed. */
struct arh_hold {
	long	 id;
	char	 kind[16];		/* archive, case, series */
	char	 target[256];		/* archive name, case ref, series code */
	char	 reason[512];
	char	 authority[256];
	char	 placed_at[32];
	char	 placed_by[300];
	char	 released_at[32];	/* "" while in force */
	char	 released_by[300];
	char	 release_reason[512];
};

/* Place h (kind, target, reason, authority, placed_by set by the caller;
 * id and placed_at filled in) with its event, in one transaction. */
int arh_catalog_hold_add(struct arh_catalog *c, struct arh_hold *h,
    struct arh_err *err);
/* Release hold `id` with a reason; ARH_ENOTFOUND if none is in force. */
int arh_catalog_hold_release(struct arh_catalog *c, long id,
    const char *reason, const char *actor, struct arh_err *err);
/* Holds in force (or all, released ones too), oldest first. */
int arh_catalog_holds(struct arh_catalog *c, int all,
    int (*cb)(void *arg, const struct arh_hold *h), void *arg,
    struct arh_err *err);
/* Archives whose sealed action is due on or before as_of, by due date;
 * `holds` lists the ids of holds in force on it ("" or NULL if none). */
int arh_catalog_due(struct arh_catalog *c, const char *as_of,
    int (*cb)(void *arg, const struct arh_archive_row *row,
    const char *action, const char *due, const char *holds), void *arg,
    struct arh_err *err);

/* Internal-use restrictions ending on or before `until`, by end date.
 * Only what the public view shows: archive, reference, basis, end. */
int arh_catalog_restrictions(struct arh_catalog *c, const char *until,
    int (*cb)(void *arg, const char *archive, const char *reference,
    const char *basis, const char *end), void *arg, struct arh_err *err);

/*
 * Destruction (hävitamine), in four steps: a list is proposed (its exact
 * scope frozen: archive names, digests and the tombstone each will leave),
 * approved by two different people, executed (catalog first, in one
 * transaction that re-checks everything; then the store), and closed with
 * a sealed destruction act.  docs/POLICY.md tells the procedure.
 */
struct arh_disposal {
	long	 id;
	char	 status[16];		/* proposed, executing, executed */
	char	 as_of[11];		/* the date the list was drawn up for */
	char	 method[256];
	char	 proposed_at[32];
	char	 proposed_by[300];
	char	 executed_at[32];	/* "" until execution began */
	char	 executed_by[300];
	char	 act[256];		/* the act's archive name, once sealed */
};

/* Add list d (as_of, method, proposed_by set by the caller; id, status
 * and proposed_at filled in) with `items`, a JSON array of {"archive",
 * "case_file", "sha256", "tombstone": {...}}, and its event, at once. */
int arh_catalog_disposal_add(struct arh_catalog *c, struct arh_disposal *d,
    const json_t *items, struct arh_err *err);
/* One list; items and approvals (JSON arrays, new references; either
 * pointer may be NULL) as stored.  ARH_ENOTFOUND if there is no list id. */
int arh_catalog_disposal_get(struct arh_catalog *c, long id,
    struct arh_disposal *d, json_t **items, json_t **approvals,
    struct arh_err *err);
/* Every list, oldest first. */
int arh_catalog_disposals(struct arh_catalog *c,
    int (*cb)(void *arg, const struct arh_disposal *d), void *arg,
    struct arh_err *err);
/* Archive names in lists not yet executed (for proposing: one list at a
 * time per archive); cb gets the name and the list id. */
int arh_catalog_disposal_pending(struct arh_catalog *c,
    int (*cb)(void *arg, const char *archive, long id), void *arg,
    struct arh_err *err);

/*
 * Record the approval of list id by `person` (user name or "uid:N": one
 * person, one approval) in the first of `roles` (those the person holds,
 * in order of preference) that has not approved yet — its name goes to
 * role — with its event.  ARH_EEXIST when that person approved already or
 * every one of roles has, ARH_EUSAGE when the list is not awaiting
 * approval (err says which).
 */
int arh_catalog_disposal_approve(struct arh_catalog *c, long id,
    const char *person, const char *actor, const char *const *roles,
    size_t nroles, char role[32], struct arh_err *err);

/*
 * Step 3, the catalog half, in one transaction: the list must be
 * "proposed" and approved by a records manager and an approver who are two
 * people; every archive still catalogued with its frozen digest, its
 * sealed action "destroy" due on or before today, under no hold, and no
 * other version of its case file left out.  Any failure: nothing changes,
 * every reason goes to probs and the result is ARH_EINVAL.  Otherwise the
 * tombstones are written, the archives' rows deleted, the list marked
 * "executing" by actor, one "destroy" event per archive — and the caller
 * removes the files.
 */
int arh_catalog_disposal_begin(struct arh_catalog *c, long id,
    const char *actor, const char *today, struct arh_problems *probs,
    struct arh_err *err);
/* Step 4: the act is archived as `act`: the list becomes "executed". */
int arh_catalog_disposal_finish(struct arh_catalog *c, long id,
    const char *act, const char *actor, struct arh_err *err);

/* The tombstone of archive `name`: its tar digest (sha256, may be NULL)
 * and the tombstone JSON (new reference, may be NULL) with
 * "destroyed_at", "destruction_list" and, once sealed, "act" added;
 * ARH_ENOTFOUND. */
int arh_catalog_tombstone(struct arh_catalog *c, const char *name,
    char sha256[65], json_t **tombstone, struct arh_err *err);
/* The first tombstone of case file case_ref (its archive name in `name`,
 * n bytes, and the list that destroyed it); ARH_ENOTFOUND if none. */
int arh_catalog_tombstone_case(struct arh_catalog *c, const char *case_ref,
    char *name, size_t n, long *disposal, struct arh_err *err);
/* Every tombstone, by archive name: cb gets the tombstone JSON (with the
 * same additions). */
int arh_catalog_tombstones(struct arh_catalog *c,
    int (*cb)(void *arg, const json_t *tombstone), void *arg,
    struct arh_err *err);

/*
 * Extend the restriction of record `reference` to new_end (`access
 * extend`): recorded with the end it replaces, the reason and who, and
 * applied to the record in every archive that holds it (and to any
 * archived later, and after a rebuild), with its event, at once.  The
 * archives keep the sealed end.  ARH_EEXIST if it was extended before.
 */
int arh_catalog_extension_add(struct arh_catalog *c, const char *reference,
    const char *previous_end, const char *new_end, const char *reason,
    const char *actor, struct arh_err *err);
/* 1 if record `reference` has been extended (its details into `at`,
 * `by` and `reason` when not NULL, 32/300/512 bytes), 0 if not. */
int arh_catalog_extended(struct arh_catalog *c, const char *reference,
    char *at, char *by, char *reason, struct arh_err *err);
/* The metadata (new reference) of record `reference` in the most
 * recently sealed archive holding it, and that archive's name. */
int arh_catalog_record_latest(struct arh_catalog *c, const char *reference,
    char archive[256], json_t **meta, struct arh_err *err);

/*
 * The verification API's queries (archiver/catalog_api.c).
 */

/* Up to `limit` archives after name `after` ("" or NULL: from the first)
 * in name order, of `series` (NULL: any) and `year` (0: any; the year
 * that ends the case file reference).  Keyset paging: no OFFSET. */
int arh_catalog_page(struct arh_catalog *c, const char *series, int year,
    const char *after, int limit,
    int (*cb)(void *arg, const struct arh_archive_row *row), void *arg,
    struct arh_err *err);
/* The payload files (those of a record) of `archive` whose path sorts after
 * `after` ("" or NULL: from the first), in path order, until cb returns
 * non-zero (returned as is).  Keyset paging on the primary key. */
int arh_catalog_files_after(struct arh_catalog *c, const char *archive,
    const char *after, int (*cb)(void *arg, const struct arh_file_row *row),
    void *arg, struct arh_err *err);

/* An archive's sealed disposition and the holds in force on it. */
struct arh_disposition {
	char	 action[32];		/* "destroy", "transfer", "" none */
	char	 due[16];		/* YYYY-MM-DD, "" none */
	char	 holds[256];		/* hold ids, comma-separated, "" */
};
int arh_catalog_disposition(struct arh_catalog *c, const char *name,
    struct arh_disposition *d, struct arh_err *err);

/* Totals for /metrics: public facts only. */
struct arh_catalog_counts {
	int64_t	 archives;
	int64_t	 records;
	int64_t	 files;
	int64_t	 bytes;			/* of the archive files */
	int64_t	 audits_failed;		/* archives whose last audit failed */
	int64_t	 holds;			/* in force */
};
int arh_catalog_counts(struct arh_catalog *c, struct arh_catalog_counts *n,
    struct arh_err *err);

int arh_catalog_event(struct arh_catalog *c, const struct arh_event *ev,
    struct arh_err *err);
/* Events of one archive (or all when archive is NULL), oldest first. */
int arh_catalog_events(struct arh_catalog *c, const char *archive,
    int (*cb)(void *arg, const char *at, const struct arh_event *ev),
    void *arg, struct arh_err *err);

/*
 * A canonical text of every archive, record and file row (events
 * excepted), for comparing a rebuilt catalog with the original; malloc'd.
 */
int arh_catalog_dump(struct arh_catalog *c, char **out, struct arh_err *err);

/* Copy every event of the catalog at `from` into c (for rebuild). */
int arh_catalog_copy_events(struct arh_catalog *c, const char *from,
    struct arh_err *err);


/*
 * Fixity audits (catalog_audits.c): the last audit of each archive.  An
 * archive is catalogued "pending" (verified_at ""), so the rotation is one
 * indexed query whatever the store's size.
 */
struct arh_audit {
	char	 archive[256];
	char	 verified_at[32];	/* "" while pending */
	char	 result[16];		/* pending, ok, failed */
	char	 detail[512];		/* failed layers, never a member name */
};
/* Record an audit's result and its event (kind "audit") at once. */
int arh_catalog_audit_record(struct arh_catalog *c, const char *archive,
    const char *result, const char *detail, const char *actor,
    struct arh_err *err);
/* The archive audited longest ago (pending first) if that was before
 * `before` ("YYYY-MM-DDTHH:MM:SSZ"); ARH_ENOTFOUND when none is due. */
int arh_catalog_audit_next(struct arh_catalog *c, const char *before,
    struct arh_audit *a, struct arh_err *err);
int arh_catalog_audit_get(struct arh_catalog *c, const char *archive,
    struct arh_audit *a, struct arh_err *err);
/* Archives whose last audit failed, oldest first. */
int arh_catalog_audits_failed(struct arh_catalog *c,
    int (*cb)(void *arg, const struct arh_audit *a), void *arg,
    struct arh_err *err);
/* How many archives are pending, ok and failed. */
int arh_catalog_audit_counts(struct arh_catalog *c, long *pending, long *ok,
    long *failed, struct arh_err *err);
/* Mark every archive (or one) as due now: `arhiivar audit`. */
int arh_catalog_audit_request(struct arh_catalog *c, const char *archive,
    struct arh_err *err);
/*
 * Scheduled transfers (schedule.h says what they do).  Times are UTC text
 * "YYYY-MM-DDTHH:MM:SSZ", so that text order is time order.  A job is
 * scheduled -> running -> done (once), scheduled again (yearly), retrying
 * (a transient failure, next_run the retry) or failed; cancelled by hand.
 */
struct arh_job {
	long	 id;
	char	 kind[8];		/* once, yearly */
	char	 series[128];		/* "" for a yearly job of every series */
	int	 year;			/* once; 0 for yearly */
	char	 source[1024];		/* once: the case file directory */
	char	 pattern[1024];		/* yearly: "/srv/export/{series}/{year}" */
	char	 at[20];		/* as --at gave it (Tallinn wall clock) */
	char	 next_run[32];		/* "" when it will not run again */
	char	 status[16];
	int	 attempts;		/* tries of the current run */
	char	 last_error[1024];
	char	 last_run[32];
	char	 last_report[1024];	/* the JSON report's path */
	char	 created_at[32];
	char	 created_by[300];
};

/* One run of a job. */
struct arh_job_run {
	long	 id;
	long	 job;
	char	 started_at[32];
	char	 finished_at[32];	/* "" while running */
	char	 status[16];		/* running, done, retrying, failed,
					   interrupted */
	int	 year;			/* the year transferred */
	char	 error[1024];
	char	 report_path[1024];	/* the JSON report, "" if none */
};

/* Add j (every field but id, attempts, last_*, created_at set by the
 * caller; id and created_at filled in) with its event, at once. */
int arh_catalog_job_add(struct arh_catalog *c, struct arh_job *j,
    struct arh_err *err);
/* One job; ARH_ENOTFOUND. */
int arh_catalog_job_get(struct arh_catalog *c, long id, struct arh_job *j,
    struct arh_err *err);
/* Every job, by id. */
int arh_catalog_jobs(struct arh_catalog *c,
    int (*cb)(void *arg, const struct arh_job *j), void *arg,
    struct arh_err *err);
/* The runs of job id, oldest first. */
int arh_catalog_job_runs(struct arh_catalog *c, long id,
    int (*cb)(void *arg, const struct arh_job_run *r), void *arg,
    struct arh_err *err);
/* Cancel job id with its event: ARH_ENOTFOUND, ARH_EUSAGE when it is
 * running, done or cancelled already. */
int arh_catalog_job_cancel(struct arh_catalog *c, long id, const char *actor,
    struct arh_err *err);
/* Jobs scheduled or retrying whose next_run is on or before now, oldest
 * next_run first. */
int arh_catalog_jobs_due(struct arh_catalog *c, const char *now,
    int (*cb)(void *arg, const struct arh_job *j), void *arg,
    struct arh_err *err);
/*
 * Claim job id for a run at now transferring `year`, atomically: only a
 * job scheduled or retrying becomes running (attempts + 1, last_run now),
 * and a run row is added (its id in *run).  ARH_EEXIST when the job is
 * not waiting (running elsewhere, done, failed, cancelled: err says
 * which), ARH_ENOTFOUND.
 */
int arh_catalog_job_claim(struct arh_catalog *c, long id, const char *now,
    int year, long *run, struct arh_err *err);
/*
 * The end of run `run` of job id, with its event, at once: the run gets
 * `status` (done, retrying, failed), error (may be NULL), the report JSON
 * text and its path (may be NULL); the job gets job_status (scheduled,
 * retrying, done, failed), next_run (NULL: none), last_error, last_report;
 * attempts go back to 0 unless job_status is retrying.
 */
int arh_catalog_job_finish(struct arh_catalog *c, long id, long run,
    const char *status, const char *job_status, const char *next_run,
    const char *error, const char *report, const char *report_path,
    const char *actor, struct arh_err *err);
/* `schedule run-now`: job id due at now (next_run = now, status
 * scheduled, attempts 0 if it had failed), with its event.  ARH_EUSAGE
 * when it is running, done or cancelled. */
int arh_catalog_job_rearm(struct arh_catalog *c, long id, const char *now,
    const char *actor, struct arh_err *err);
/* After a crash (a daemon start, a worker that died): every running job
 * becomes retrying at now, its open run "interrupted"; *n how many. */
int arh_catalog_jobs_recover(struct arh_catalog *c, const char *now,
    size_t *n, struct arh_err *err);

/*
 * The tamper-evident log (catalog_log.c, FORMAT.md 11).  Leaves are
 * appended by every write transaction that records an event; these read
 * the tree, its checkpoints and its key.
 */
struct arh_log_leaf {
	uint64_t	 index;
	long long	 event;
	char		*entry;		/* the entry's bytes, NUL-terminated */
	size_t		 len;
};
void arh_log_leaf_release(struct arh_log_leaf *l);

int arh_catalog_log_size(struct arh_catalog *c, uint64_t *size,
    struct arh_err *err);
/* The root hash of the first `size` leaves. */
int arh_catalog_log_root(struct arh_catalog *c, uint64_t size,
    unsigned char root[32], struct arh_err *err);
/* Leaf `index`; the leaf of event id `event`; the latest successful
 * ingest (or recovery) leaf of an archive.  ARH_ENOTFOUND. */
int arh_catalog_log_leaf(struct arh_catalog *c, uint64_t index,
    struct arh_log_leaf *l, struct arh_err *err);
int arh_catalog_log_leaf_of_event(struct arh_catalog *c, long long event,
    struct arh_log_leaf *l, struct arh_err *err);
int arh_catalog_log_leaf_of_archive(struct arh_catalog *c,
    const char *archive, struct arh_log_leaf *l, struct arh_err *err);
/* RFC 6962 proofs from the stored tree. */
int arh_catalog_log_inclusion(struct arh_catalog *c, uint64_t index,
    uint64_t size, struct arh_merkle_proof *proof, struct arh_err *err);
int arh_catalog_log_consistency(struct arh_catalog *c, uint64_t old,
    uint64_t size, struct arh_merkle_proof *proof, struct arh_err *err);
/* The log's origin and verifier key (malloc'd); ARH_ENOTFOUND if none. */
int arh_catalog_log_key(struct arh_catalog *c, char **origin, char **vkey,
    struct arh_err *err);
int arh_catalog_log_key_set(struct arh_catalog *c, const char *origin,
    const char *vkey, struct arh_err *err);
/* Keep a signed checkpoint (the note's text) of `size` leaves. */
int arh_catalog_log_checkpoint_add(struct arh_catalog *c, uint64_t size,
    const char *note, struct arh_err *err);
/* Every checkpoint by size (latest_only: the newest alone) to cb, until
 * it returns nonzero; returns that, or 0. */
int arh_catalog_log_checkpoints(struct arh_catalog *c, int latest_only,
    int (*cb)(void *arg, uint64_t size, const char *at, const char *note),
    void *arg, struct arh_err *err);

struct arh_log_summary {
	uint64_t	 leaves;
	uint64_t	 checkpoints;
	unsigned long	 problems;
	unsigned char	 root[32];	/* of every leaf */
};
/*
 * `log verify`: rebuild the tree from the stored entries in one ordered
 * pass and check every stored node, every entry against its event row,
 * that every event has its leaf, and every checkpoint's signature and
 * root.  Each problem, naming the leaf, event, node or checkpoint, goes
 * to problem() (at most 100); ARH_EVERIFY if there was any.
 */
int arh_catalog_log_verify(struct arh_catalog *c,
    int (*problem)(void *arg, const char *msg), void *arg,
    struct arh_log_summary *sum, struct arh_err *err);

#endif
