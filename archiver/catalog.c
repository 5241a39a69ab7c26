/* catalog.c — the SQLite catalog (the only SQL in Arhiivar). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include <sqlite3.h>

#include "arhiivar/catalog.h"
#define ARH_FAULT_WRAP_SQLITE	/* debug builds count sqlite3_step/exec */
#include "catalog_int.h"
#include "fault.h"
#include "util.h"

/* Forward migrations; migrations[i] takes schema i to i + 1. */
static const char *const migrations[] = {
	"CREATE TABLE archives ("
	"  name TEXT PRIMARY KEY,"
	"  case_ref TEXT NOT NULL,"
	"  series TEXT NOT NULL,"
	"  version INTEGER NOT NULL CHECK (version >= 1),"
	"  previous TEXT REFERENCES archives(name),"
	"  path TEXT NOT NULL UNIQUE,"
	"  size INTEGER NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  signer TEXT NOT NULL,"
	"  signer_cert_sha256 TEXT NOT NULL,"
	"  created TEXT NOT NULL,"
	"  nrecords INTEGER NOT NULL,"
	"  nfiles INTEGER NOT NULL,"
	"  UNIQUE (case_ref, version));"
	"CREATE TABLE records ("
	"  archive TEXT NOT NULL REFERENCES archives(name) ON DELETE CASCADE,"
	"  reference TEXT NOT NULL,"
	"  dir TEXT NOT NULL,"
	"  registered TEXT NOT NULL,"
	"  type TEXT NOT NULL,"
	"  access TEXT NOT NULL CHECK (access IN ('public', 'internal')),"
	"  access_basis TEXT,"
	"  access_start TEXT,"
	"  access_end TEXT,"
	"  metadata TEXT NOT NULL,"
	"  PRIMARY KEY (archive, reference));"
	"CREATE TABLE files ("
	"  archive TEXT NOT NULL REFERENCES archives(name) ON DELETE CASCADE,"
	"  path TEXT NOT NULL,"
	"  record TEXT,"
	"  size INTEGER NOT NULL,"
	"  sha512 TEXT NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  mime TEXT,"
	"  charset TEXT,"
	"  header_offset INTEGER NOT NULL,"
	"  data_offset INTEGER NOT NULL,"
	"  PRIMARY KEY (archive, path),"
	"  FOREIGN KEY (archive, record) REFERENCES records(archive, reference));"
	"CREATE INDEX files_sha256 ON files(sha256);"
	"CREATE INDEX files_sha512 ON files(sha512);"
	"CREATE INDEX records_reference ON records(reference);"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  at TEXT NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  archive TEXT,"
	"  target TEXT,"
	"  result TEXT NOT NULL,"
	"  detail TEXT);"
	"CREATE INDEX events_archive ON events(archive);",
	/* 2: file plan versions, content-addressed, kept forever. */
	"CREATE TABLE fileplans ("
	"  version TEXT PRIMARY KEY,"
	"  seq INTEGER NOT NULL UNIQUE,"
	"  imported_at TEXT NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  source TEXT NOT NULL,"
	"  plan TEXT NOT NULL);",
	/* 3: the sealed disposition of each archive, and holds. */
	"ALTER TABLE archives ADD COLUMN action TEXT;"
	"ALTER TABLE archives ADD COLUMN due TEXT;"
	"CREATE INDEX archives_due ON archives(due);"
	"CREATE TABLE holds ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL CHECK (kind IN ('archive', 'case', 'series')),"
	"  target TEXT NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  authority TEXT NOT NULL,"
	"  placed_at TEXT NOT NULL,"
	"  placed_by TEXT NOT NULL,"
	"  released_at TEXT,"
	"  released_by TEXT,"
	"  release_reason TEXT);",
	/* 4: destruction lists, their approvals, and tombstones. */
	"CREATE TABLE disposals ("
	"  id INTEGER PRIMARY KEY,"
	"  status TEXT NOT NULL CHECK (status IN ('proposed', 'executing',"
	"    'executed', 'cancelled')),"
	"  as_of TEXT NOT NULL,"
	"  method TEXT NOT NULL,"
	"  proposed_at TEXT NOT NULL,"
	"  proposed_by TEXT NOT NULL,"
	"  executed_at TEXT,"
	"  executed_by TEXT,"
	"  act TEXT);"
	"CREATE TABLE disposal_items ("
	"  disposal INTEGER NOT NULL REFERENCES disposals(id),"
	"  archive TEXT NOT NULL,"
	"  case_ref TEXT NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  tombstone TEXT NOT NULL,"
	"  PRIMARY KEY (disposal, archive));"
	"CREATE TABLE disposal_approvals ("
	"  disposal INTEGER NOT NULL REFERENCES disposals(id),"
	"  person TEXT NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  role TEXT NOT NULL,"
	"  at TEXT NOT NULL,"
	"  PRIMARY KEY (disposal, person));"
	"CREATE TABLE tombstones ("
	"  archive TEXT PRIMARY KEY,"
	"  case_ref TEXT NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  disposal INTEGER NOT NULL REFERENCES disposals(id),"
	"  destroyed_at TEXT NOT NULL,"
	"  tombstone TEXT NOT NULL);"
	"CREATE INDEX tombstones_case ON tombstones(case_ref);",
	/* 5: extensions of access restrictions (`access extend`). */
	"CREATE TABLE extensions ("
	"  id INTEGER PRIMARY KEY,"
	"  reference TEXT NOT NULL UNIQUE,"
	"  previous_end TEXT NOT NULL,"
	"  new_end TEXT NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  at TEXT NOT NULL);",
	/* 6: intents to publish: what an ingest is about to rename into the
	 * store, so that recovery looks at what was in flight only. */
	"CREATE TABLE intents ("
	"  tmp TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  at TEXT NOT NULL,"
	"  pid INTEGER NOT NULL);"
	"CREATE INDEX intents_name ON intents(name);",
	/* 7: events recorded by read-only callers come through the drop box
	 * (spool/events); spool names the file, so an import is idempotent. */
	"ALTER TABLE events ADD COLUMN spool TEXT;"
	"CREATE UNIQUE INDEX events_spool ON events(spool) WHERE spool IS NOT "
	"NULL;",
	/* 8: the daemon: scheduled transfers and their runs, API tokens
	 * (hashed), and the last fixity audit of each archive. */
	"CREATE TABLE jobs ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL CHECK (kind IN ('once', 'yearly')),"
	"  series TEXT,"
	"  year INTEGER,"
	"  source TEXT,"
	"  pattern TEXT,"
	"  at TEXT NOT NULL,"
	"  next_run TEXT,"
	"  status TEXT NOT NULL CHECK (status IN ('scheduled', 'running',"
	"    'retrying', 'done', 'failed', 'cancelled')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT,"
	"  last_run TEXT,"
	"  last_report TEXT,"
	"  created_at TEXT NOT NULL,"
	"  created_by TEXT NOT NULL);"
	"CREATE INDEX jobs_next ON jobs(next_run);"
	"CREATE TABLE job_runs ("
	"  id INTEGER PRIMARY KEY,"
	"  job INTEGER NOT NULL REFERENCES jobs(id),"
	"  started_at TEXT NOT NULL,"
	"  finished_at TEXT,"
	"  status TEXT NOT NULL CHECK (status IN ('running', 'done',"
	"    'retrying', 'failed', 'interrupted')),"
	"  year INTEGER,"
	"  error TEXT,"
	"  report TEXT,"
	"  report_path TEXT);"
	"CREATE INDEX job_runs_job ON job_runs(job);"
	"CREATE TABLE tokens ("
	"  id INTEGER PRIMARY KEY,"
	"  hash TEXT NOT NULL UNIQUE,"
	"  role TEXT NOT NULL,"
	"  label TEXT,"
	"  created_at TEXT NOT NULL,"
	"  created_by TEXT NOT NULL,"
	"  revoked_at TEXT);"
	"CREATE TABLE audits ("
	"  archive TEXT PRIMARY KEY REFERENCES archives(name) ON DELETE CASCADE,"
	"  verified_at TEXT NOT NULL,"
	"  result TEXT NOT NULL,"
	"  detail TEXT);"
	"CREATE INDEX audits_at ON audits(verified_at);"
	"INSERT INTO audits SELECT name, '', 'pending', NULL FROM archives;",
	/* 9: who an intent's ingest was for, so that an archive catalogued
	 * by recovery still names its submitter; audits by result, so that
	 * the failed ones are found without reading every row. */
	"ALTER TABLE intents ADD COLUMN actor TEXT;"
	"CREATE INDEX audits_result ON audits(result);",
	/* 10: the tamper-evident log (catalog_log.c, FORMAT.md 11): a leaf
	 * per event with its hash, the hashes of the tree's complete subtrees
	 * above the leaves, the signed checkpoints.  No foreign key to events: a deleted event must be
	 * found by `log verify`, not cascade its leaf away. */
	"CREATE TABLE log_leaves ("
	"  idx INTEGER PRIMARY KEY CHECK (idx >= 0),"
	"  event INTEGER NOT NULL UNIQUE,"
	"  salt BLOB NOT NULL,"
	"  entry BLOB NOT NULL,"
	"  hash BLOB NOT NULL);"
	"CREATE TABLE log_nodes ("
	"  level INTEGER NOT NULL,"
	"  idx INTEGER NOT NULL,"
	"  hash BLOB NOT NULL,"
	"  PRIMARY KEY (level, idx)) WITHOUT ROWID;"
	"CREATE TABLE log_checkpoints ("
	"  id INTEGER PRIMARY KEY,"
	"  size INTEGER NOT NULL,"
	"  at TEXT NOT NULL,"
	"  note TEXT NOT NULL);"
	"CREATE TABLE log_key ("
	"  one INTEGER PRIMARY KEY CHECK (one = 1),"
	"  origin TEXT NOT NULL,"
	"  vkey TEXT NOT NULL);",
};

/* The schema that added the log (migration 10). */
#define CAT_SCHEMA_LOG	10

/* What a read-only caller is told when a command tries to write. */
#define READONLY_HINT "; this home is open read-only (no write access to " \
	"its catalog): ask for write access to the home, or run the command " \
	"as a user who has it"

static const char *
readonly_hint(struct arh_catalog *c)
{
	return c->readonly && (sqlite3_errcode(c->db) & 0xff) ==
	    SQLITE_READONLY ? READONLY_HINT : "";
}

int
cat_dberr(struct arh_catalog *c, struct arh_err *err, const char *what)
{
	int e = sqlite3_system_errno(c->db);

	/* SQLite calls a write that found the disk full "disk I/O error";
	 * say what the operator must fix. */
	if (e == ENOSPC || e == EDQUOT || sqlite3_errcode(c->db) == SQLITE_FULL)
		return arh_errf(err, ARH_ENOSPC, "catalog: %s: No space left on "
		    "device (the home's catalog cannot grow); free space and "
		    "run the command again", what);
	return arh_errf(err, ARH_ECATALOG, "catalog: %s: %s%s", what,
	    sqlite3_errmsg(c->db), readonly_hint(c));
}

int
cat_exec(struct arh_catalog *c, const char *sql, struct arh_err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		arh_errf(err, ARH_ECATALOG, "catalog: %s%s", msg ? msg : "?",
		    readonly_hint(c));
		sqlite3_free(msg);
		return ARH_ECATALOG;
	}
	return 0;
}

/* A prepared statement for sql: from c's cache when `cached` (*slot then
 * says which, to give back with release()), else prepared afresh. */
static sqlite3_stmt *
prepare(struct arh_catalog *c, const char *sql, int cached,
    struct cat_cached **slot)
{
	struct cat_cached *k;
	sqlite3_stmt *st = NULL;
	size_t i;

	*slot = NULL;
	if (cached) {
		for (i = 0; i < c->ncached; i++) {
			k = &c->cached[i];
			if (k->sql == sql && !k->busy) {
				k->busy = 1;
				*slot = k;
				return k->st;
			}
		}
		if (c->ncached < CAT_NCACHED) {
			if (sqlite3_prepare_v3(c->db, sql, -1,
			    SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
				sqlite3_finalize(st);
				return NULL;
			}
			k = &c->cached[c->ncached++];
			k->sql = sql;
			k->st = st;
			k->busy = 1;
			*slot = k;
			return st;
		}
	}
	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

/* Done with st: a cached one is reset (ending its read of the database)
 * and unbound for the next call, any other finalized. */
static void
release(sqlite3_stmt *st, struct cat_cached *slot)
{
	if (slot == NULL) {
		sqlite3_finalize(st);
		return;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	slot->busy = 0;
}

static void
uncache_all(struct arh_catalog *c)
{
	size_t i;

	for (i = 0; i < c->ncached; i++)
		sqlite3_finalize(c->cached[i].st);
	memset(c->cached, 0, sizeof(c->cached));
	c->ncached = 0;
}

static int
each(struct arh_catalog *c, int cached, const char *what, const char *sql,
    int (*row)(sqlite3_stmt *st, void *arg, struct arh_err *err), void *arg,
    struct arh_err *err, const char *bind, va_list ap)
{
	struct cat_cached *slot;
	sqlite3_stmt *st;
	int i, r, rc = 0;

	if ((st = prepare(c, sql, cached, &slot)) == NULL)
		return cat_dberr(c, err, what);
	for (i = 0; bind[i] != '\0' && rc == 0; i++) {
		switch (bind[i]) {
		case 's':
			cat_bind_text(st, i + 1, va_arg(ap, const char *));
			break;
		case 'd':
			sqlite3_bind_int(st, i + 1, va_arg(ap, int));
			break;
		case 'l':
			sqlite3_bind_int64(st, i + 1, va_arg(ap, long));
			break;
		default:	/* a typo in a caller, not bad data */
			rc = arh_errf(err, ARH_EINTERNAL, "catalog: %s: bad "
			    "bind spec '%s'", what, bind);
		}
	}
	if (rc != 0)
		goto out;
	/* sqlite3_step is fault.h's counting wrapper in this file, so
	 * `make torture` fails every step of every loop in turn. */
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = row(st, arg, err)) != 0)
			goto out;
	if (r != SQLITE_DONE)
		rc = cat_dberr(c, err, what);	/* before the reset */
out:
	release(st, slot);
	return rc;
}

int
cat_each(struct arh_catalog *c, const char *what, const char *sql,
    int (*row)(sqlite3_stmt *st, void *arg, struct arh_err *err), void *arg,
    struct arh_err *err, const char *bind, ...)
{
	va_list ap;
	int rc;

	va_start(ap, bind);
	rc = each(c, 0, what, sql, row, arg, err, bind, ap);
	va_end(ap);
	return rc;
}

int
cat_each_cached(struct arh_catalog *c, const char *what, const char *sql,
    int (*row)(sqlite3_stmt *st, void *arg, struct arh_err *err), void *arg,
    struct arh_err *err, const char *bind, ...)
{
	va_list ap;
	int rc;

	va_start(ap, bind);
	rc = each(c, 1, what, sql, row, arg, err, bind, ap);
	va_end(ap);
	return rc;
}

static int
migrate(struct arh_catalog *c, struct arh_err *err)
{
	const int latest = sizeof(migrations) / sizeof(migrations[0]);
	sqlite3_stmt *st;
	char sql[64];
	int v, from, rc;

	if ((rc = cat_exec(c, "BEGIN IMMEDIATE", err)) != 0)
		return rc;
	if (sqlite3_prepare_v2(c->db, "PRAGMA user_version", -1, &st, NULL)
	    != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		cat_exec(c, "ROLLBACK", NULL);
		return cat_dberr(c, err, "reading the schema version");
	}
	v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (v > latest) {
		cat_exec(c, "ROLLBACK", NULL);
		return arh_errf(err, ARH_ECATALOG, "catalog schema %d is newer "
		    "than this arhiivar understands (%d); upgrade arhiivar", v,
		    latest);
	}
	from = v;
	for (; v < latest; v++) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if ((rc = cat_exec(c, migrations[v], err)) != 0 ||
		    (rc = cat_exec(c, sql, err)) != 0) {
			cat_exec(c, "ROLLBACK", NULL);
			return rc;
		}
	}
	/* A catalog from before the log: its events become the first
	 * leaves, in order, in the upgrade's own transaction. */
	if (from < CAT_SCHEMA_LOG && from < latest &&
	    (rc = cat_log_pending(c, err)) != 0) {
		cat_exec(c, "ROLLBACK", NULL);
		return rc;
	}
	return cat_exec(c, "COMMIT", err);
}

int
arh_catalog_open(const char *path, long busy_timeout_ms,
    struct arh_catalog **out, struct arh_err *err)
{
	struct arh_catalog *c;
	int fd, rc, one = 1;

	*out = NULL;
	if ((c = ARH_FAULT_ALLOC(calloc(1, sizeof(*c)))) == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	c->spoolfd = -1;
	/* Create it 0640 ourselves: it holds restricted metadata, and SQLite
	 * would take the umask; its -wal and -shm files copy this mode. */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0640)) != -1)
		close(fd);
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
		rc = arh_errf(err, ARH_ECATALOG, "cannot open catalog '%s': %s",
		    path, c->db ? sqlite3_errmsg(c->db) : "out of memory");
		arh_catalog_free(c);
		return rc;
	}
	sqlite3_busy_timeout(c->db, (int)busy_timeout_ms);
	cat_log_guard(c);
	/* A reader without write access to the home can read a WAL database
	 * only while its -wal and -shm files exist (it cannot create them):
	 * keep them when the last writer closes, the -wal truncated.  They
	 * are created with the catalog's mode (0640, group-readable). */
	sqlite3_file_control(c->db, "main", SQLITE_FCNTL_PERSIST_WAL, &one);
	/* WAL: readers never block the writer; synchronous=FULL: a committed
	 * ingest survives power loss, as the archive file it points to does. */
	if ((rc = cat_exec(c, "PRAGMA journal_size_limit = 4194304", err)) != 0 ||
	    (rc = cat_exec(c, "PRAGMA journal_mode = WAL", err)) != 0 ||
	    (rc = cat_exec(c, "PRAGMA synchronous = FULL", err)) != 0 ||
	    (rc = cat_exec(c, "PRAGMA foreign_keys = ON", err)) != 0 ||
	    (rc = migrate(c, err)) != 0) {
		arh_catalog_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

/* The schema version of an open catalog, or -1 (the message in err). */
static int
schema_version(struct arh_catalog *c, struct arh_err *err)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(c->db, "PRAGMA user_version", -1, &st, NULL) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	else
		cat_dberr(c, err, "reading the schema version");
	sqlite3_finalize(st);
	return v;
}

/* Each of path's -wal and -shm files must exist and be readable. */
static int
wal_files_readable(const char *path, struct arh_err *err)
{
	static const char *const ext[] = { "-wal", "-shm" };
	char p[4096];
	size_t i;

	for (i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s%s", path, ext[i]);
		if (access(p, R_OK) == 0)
			continue;
		return arh_errf(err, ARH_ECATALOG, "cannot read the catalog "
		    "without write access: '%s' is missing or unreadable (%s); "
		    "it exists once any arhiivar command has run with write "
		    "access to the home, and must be readable by the home's "
		    "group", p, strerror(errno));
	}
	return 0;
}

int
arh_catalog_open_readonly(const char *path, long busy_timeout_ms,
    const char *spool, struct arh_catalog **out, struct arh_err *err)
{
	struct arh_catalog *c;
	int rc, v;

	*out = NULL;
	if ((rc = wal_files_readable(path, err)) != 0)
		return rc;
	if ((c = ARH_FAULT_ALLOC(calloc(1, sizeof(*c)))) == NULL ||
	    (c->spool = ARH_FAULT_ALLOC(strdup(spool))) == NULL) {
		free(c);
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	}
	c->readonly = 1;
	c->spoolfd = open(spool, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	c->spoolerr = errno;
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
		rc = arh_errf(err, ARH_ECATALOG, "cannot open catalog '%s': %s",
		    path, c->db ? sqlite3_errmsg(c->db) : "out of memory");
		arh_catalog_free(c);
		return rc;
	}
	sqlite3_busy_timeout(c->db, (int)busy_timeout_ms);
	/* No migration: an older schema waits for a writer to upgrade it. */
	if ((v = schema_version(c, err)) < 0 ||
	    (rc = cat_exec(c, "PRAGMA foreign_keys = ON", err)) != 0) {
		arh_catalog_free(c);
		return rc ? rc : ARH_ECATALOG;
	}
	if (v != ARH_CATALOG_SCHEMA) {
		rc = arh_errf(err, ARH_ECATALOG, "catalog schema %d is %s than "
		    "this arhiivar's (%d); %s", v, v < ARH_CATALOG_SCHEMA ?
		    "older" : "newer", ARH_CATALOG_SCHEMA, v <
		    ARH_CATALOG_SCHEMA ? "it is upgraded by the next arhiivar "
		    "command with write access to the home" : "upgrade arhiivar");
		arh_catalog_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void
arh_catalog_init_process(void)
{
	/* No allocation statistics: they take a mutex every process shares
	 * on every malloc SQLite makes.  Ignored (SQLITE_MISUSE) once SQLite
	 * has started. */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int
arh_catalog_tune_reader(struct arh_catalog *c, struct arh_err *err)
{
	int rc;

	/* Read the database through the page cache the kernel already
	 * keeps (no copy per page), and a larger cache of its own for the
	 * rest. */
	if ((rc = cat_exec(c, "PRAGMA mmap_size = 1073741824", err)) != 0 ||
	    (rc = cat_exec(c, "PRAGMA cache_size = -8192", err)) != 0)
		return rc;
	return 0;
}

int
arh_catalog_read_begin(struct arh_catalog *c, struct arh_err *err)
{
	static const char sql[] = "BEGIN";

	return cat_each_cached(c, "starting a read", sql, NULL, NULL, err, "");
}

void
arh_catalog_read_end(struct arh_catalog *c)
{
	static const char sql[] = "COMMIT";
	struct arh_err err;

	/* Nothing was written: a COMMIT that fails still must not leave
	 * the snapshot open. */
	if (sqlite3_get_autocommit(c->db) == 0 && cat_each_cached(c,
	    "ending a read", sql, NULL, NULL, &err, "") != 0 &&
	    sqlite3_get_autocommit(c->db) == 0)
		(void)cat_exec(c, "ROLLBACK", NULL);
}

int
arh_catalog_readonly(const struct arh_catalog *c)
{
	return c->readonly;
}

void
arh_catalog_free(struct arh_catalog *c)
{
	if (c == NULL)
		return;
	uncache_all(c);
	sqlite3_close(c->db);
	if (c->spoolfd >= 0)
		close(c->spoolfd);
	free(c->spool);
	free(c);
}

void
cat_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

int
cat_insert_event(struct arh_catalog *c, const struct arh_event *ev,
    struct arh_err *err)
{
	static const char sql[] = "INSERT INTO events (at, actor, kind, "
	    "archive, target, result, detail) VALUES (?,?,?,?,?,?,?)";
	sqlite3_stmt *st;
	char now[21];
	int r;

	/* On its own: a transaction of its own, so that the event and its
	 * leaf commit together. */
	if (sqlite3_get_autocommit(c->db)) {
		if ((r = cat_exec(c, "BEGIN IMMEDIATE", err)) != 0)
			return r;
		return cat_finish_txn(c, 0, ev, err);
	}
	arh_now_utc(now);
	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
		return cat_dberr(c, err, "preparing an event");
	cat_bind_text(st, 1, now);
	cat_bind_text(st, 2, ev->actor ? ev->actor : "unknown");
	cat_bind_text(st, 3, ev->kind);
	cat_bind_text(st, 4, ev->archive);
	cat_bind_text(st, 5, ev->target);
	cat_bind_text(st, 6, ev->result);
	cat_bind_text(st, 7, ev->detail);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : cat_dberr(c, err, "recording an event");
}

/*
 * End a write transaction begun with BEGIN IMMEDIATE: when its body
 * succeeded (rc 0), record ev (may be NULL) and COMMIT; otherwise, or if
 * that fails, ROLLBACK.  Returns the outcome.
 */
int
cat_finish_txn(struct arh_catalog *c, int rc, const struct arh_event *ev,
    struct arh_err *err)
{
	if (rc == 0 && (ev == NULL || (rc = cat_insert_event(c, ev, err)) == 0) &&
	    (rc = cat_commit(c, err)) == 0)
		return 0;
	cat_exec(c, "ROLLBACK", NULL);
	return rc;
}

/* The drop box, for messages: "HOME/spool/events". */
static const char *
spool_name(const struct arh_catalog *c)
{
	return c->spool ? c->spool : "spool/events";
}

int
arh_catalog_can_record(const struct arh_catalog *c, struct arh_err *err)
{
	if (!c->readonly)
		return 0;
	if (c->spoolfd < 0)
		return arh_errf(err, ARH_ECATALOG, "the audit event of this "
		    "command cannot be recorded: cannot open the event drop "
		    "box '%s' (%s); %s", spool_name(c), strerror(c->spoolerr),
		    c->spoolerr == ENOENT ? "it is created by the next arhiivar "
		    "command with write access to the home" : "ask for access "
		    "to it (the home's group), or run the command as a user "
		    "who can write the home");
	if (faccessat(c->spoolfd, ".", W_OK | X_OK, AT_EACCESS) != 0)
		return arh_errf(err, ARH_ECATALOG, "the audit event of this "
		    "command cannot be recorded: no write access to the event "
		    "drop box '%s' (%s); ask for write access to %s (the "
		    "home's group), or run the command as a user who can write "
		    "the home", spool_name(c), strerror(errno), spool_name(c));
	return 0;
}

/*
 * A read-only caller's event: one file in the drop box, written under a
 * temporary name (O_EXCL), fsynced, renamed to its final name and the
 * directory fsynced.  The file says what happened; who did it is the
 * file's owner, which the importer takes from fstat, never from here.
 */
static int
spool_event(struct arh_catalog *c, const struct arh_event *ev,
    struct arh_err *err)
{
	unsigned char rnd[8];
	char now[21], hex[17], tmp[96], name[96], *text = NULL;
	json_t *j = NULL;
	int fd = -1, rc;

	if ((rc = arh_catalog_can_record(c, err)) != 0)
		return rc;
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return arh_errf(err, ARH_ECRYPTO, "no randomness for a file name");
	arh_hex(rnd, sizeof(rnd), hex);
	arh_now_utc(now);
	snprintf(tmp, sizeof(tmp), ".%ld-%s.tmp", (long)getpid(), hex);
	snprintf(name, sizeof(name), "%.4s%.2s%.2sT%.2s%.2s%.2s-%ld-%s.event",
	    now, now + 5, now + 8, now + 11, now + 14, now + 17,
	    (long)getpid(), hex);
	if ((j = json_pack("{s:s, s:s, s:s?, s:s?, s:s, s:s?}", "at", now,
	    "kind", ev->kind, "archive", ev->archive, "target", ev->target,
	    "result", ev->result, "detail", ev->detail)) == NULL ||
	    (text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS)) == NULL) {
		rc = arh_errf(err, ARH_ENOMEM, "out of memory");
		goto out;
	}
	fd = ARH_FAULT_SYS(OPEN, openat(c->spoolfd, tmp, O_WRONLY | O_CREAT |
	    O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640));
	if (fd == -1) {
		rc = arh_errno(err, ARH_ECATALOG, errno, "cannot record the "
		    "audit event in '%s'; ask for write access to %s (the "
		    "home's group), or run the command as a user who can write "
		    "the home", spool_name(c), spool_name(c));
		goto out;
	}
	if (arh_write_all(fd, text, strlen(text)) == -1) {
		rc = arh_errno(err, ARH_ECATALOG, errno, "cannot write the audit "
		    "event in '%s'", spool_name(c));
		goto out;
	}
	if ((rc = arh_fsync_fd(fd, tmp, err)) != 0)
		goto out;
	close(fd);
	fd = -1;
	if (arh_rename_noreplace(c->spoolfd, tmp, c->spoolfd, name) == -1) {
		rc = arh_errno(err, ARH_ECATALOG, errno, "cannot rename the "
		    "audit event in '%s'", spool_name(c));
		goto out;
	}
	tmp[0] = '\0';		/* renamed: nothing to remove */
	rc = arh_fsync_fd(c->spoolfd, spool_name(c), err);
out:
	if (fd != -1)
		close(fd);
	if (rc != 0 && tmp[0] != '\0')
		unlinkat(c->spoolfd, tmp, 0);
	free(text);
	json_decref(j);
	return rc;
}

int
arh_catalog_event(struct arh_catalog *c, const struct arh_event *ev,
    struct arh_err *err)
{
	/* Read-only: the event goes to the drop box, for the next writer. */
	if (c->readonly)
		return spool_event(c, ev, err);
	return cat_insert_event(c, ev, err);
}

#define SPOOL_MAX_BYTES	65536
#define SPOOL_SUFFIX	".event"

/* "user (uid N)" of uid, as events name their actor. */
static void
actor_of(uid_t uid, char *out, size_t n)
{
	struct passwd *pw = getpwuid(uid);

	snprintf(out, n, "%s (uid %ld)", pw ? pw->pw_name : "unknown",
	    (long)uid);
}

static int
valid_time(const char *t)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t i;

	if (t == NULL || strlen(t) != sizeof(pat) - 1)
		return 0;
	for (i = 0; pat[i]; i++)
		if (pat[i] == 'd' ? t[i] < '0' || t[i] > '9' : t[i] != pat[i])
			return 0;
	return 1;
}

/* What a read-only caller may report: a restore or a verification (any
 * result), or a refusal of anything.  Others are refused at import. */
static int
allowed_event(const char *kind, const char *result)
{
	if (kind == NULL || result == NULL)
		return 0;
	if (strcmp(kind, "restore") == 0 || strcmp(kind, "verify") == 0)
		return 1;
	return strcmp(result, "denied") == 0 || strcmp(result, "refused") == 0;
}

static int
insert_spooled(struct arh_catalog *c, sqlite3_stmt *st, const char *file,
    const char *at, const char *actor, const char *kind, const char *archive,
    const char *target, const char *result, const char *detail,
    struct arh_err *err)
{
	sqlite3_reset(st);
	cat_bind_text(st, 1, at);
	cat_bind_text(st, 2, actor);
	cat_bind_text(st, 3, kind);
	cat_bind_text(st, 4, archive);
	cat_bind_text(st, 5, target);
	cat_bind_text(st, 6, result);
	cat_bind_text(st, 7, detail);
	cat_bind_text(st, 8, file);
	return sqlite3_step(st) == SQLITE_DONE ? 0 : cat_dberr(c, err,
	    "importing an event");
}

/* Import one drop-box file: 0 (imported, or refused and recorded as
 * such), 1 to leave it (it cannot be opened), or an error. */
static int
import_one(struct arh_catalog *c, sqlite3_stmt *st, int dirfd,
    const char *file, struct arh_err *err)
{
	char actor[300], now[21], why[300], *buf = NULL;
	const char *kind, *result, *at;
	struct stat sb;
	json_t *j = NULL;
	ssize_t len;
	int fd, rc;

	fd = openat(dirfd, file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd == -1)
		return 1;
	arh_now_utc(now);
	why[0] = '\0';
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return 1;
	}
	actor_of(sb.st_uid, actor, sizeof(actor));
	/* A hard link could pass another user's file off as one's own. */
	if (sb.st_nlink != 1)
		snprintf(why, sizeof(why), "it has %ld links", (long)sb.st_nlink);
	else if (sb.st_size > SPOOL_MAX_BYTES)
		snprintf(why, sizeof(why), "it is over %d bytes", SPOOL_MAX_BYTES);
	else if ((buf = ARH_FAULT_ALLOC(malloc((size_t)sb.st_size + 1))) ==
	    NULL) {
		close(fd);
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	} else if ((len = read(fd, buf, (size_t)sb.st_size)) != sb.st_size)
		snprintf(why, sizeof(why), "it cannot be read");
	else if ((j = json_loadb(buf, (size_t)len, 0, NULL)) == NULL ||
	    !json_is_object(j))
		snprintf(why, sizeof(why), "it is not a JSON object");
	close(fd);
	free(buf);
	kind = cat_jstr(j, "kind");
	result = cat_jstr(j, "result");
	at = cat_jstr(j, "at");
	if (why[0] == '\0' && !allowed_event(kind, result))
		snprintf(why, sizeof(why), "a read-only caller cannot record "
		    "a '%.40s' event with result '%.40s'", kind ? kind : "?",
		    result ? result : "?");
	if (why[0] != '\0') {
		char detail[512];
		snprintf(detail, sizeof(detail), "event file '%s' of the drop "
		    "box refused: %s", file, why);
		rc = insert_spooled(c, st, file, now, actor, "spool", NULL, NULL,
		    "refused", detail, err);
	} else
		/* The time is the caller's word; the actor is the file's. */
		rc = insert_spooled(c, st, file, valid_time(at) ? at : now,
		    actor, kind, cat_jstr(j, "archive"), cat_jstr(j, "target"),
		    result, cat_jstr(j, "detail"), err);
	json_decref(j);
	return rc;
}

/* 1 if ".<pid>-<random>.tmp" belongs to a process that still runs. */
static int
spool_writer_alive(const char *name)
{
	char *end;
	long pid = strtol(name + 1, &end, 10);

	if (end == name + 1 || *end != '-' || pid <= 0)
		return 0;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* The drop box's event files (names malloc'd), its dead temporary files
 * removed on the way. */
static int
spool_list(int dirfd, char ***names, size_t *n, struct arh_err *err)
{
	struct dirent *de;
	char **v = NULL, **nv;
	size_t cnt = 0, cap = 0, l, sl = strlen(SPOOL_SUFFIX);
	DIR *d;
	int fd, rc = 0;

	*names = NULL;
	*n = 0;
	if ((fd = dup(dirfd)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return arh_errno(err, ARH_EIO, errno, "cannot read the event "
		    "drop box");
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		l = strlen(de->d_name);
		if (de->d_name[0] == '.') {
			if (l > 4 && strcmp(de->d_name + l - 4, ".tmp") == 0 &&
			    !spool_writer_alive(de->d_name))
				unlinkat(dirfd, de->d_name, 0);
			continue;
		}
		if (l <= sl || strcmp(de->d_name + l - sl, SPOOL_SUFFIX) != 0)
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 8;
			if ((nv = ARH_FAULT_ALLOC(realloc(v, cap *
			    sizeof(*v)))) == NULL) {
				rc = ARH_ENOMEM;
				break;
			}
			v = nv;
		}
		if ((v[cnt] = ARH_FAULT_ALLOC(strdup(de->d_name))) == NULL) {
			rc = ARH_ENOMEM;
			break;
		}
		cnt++;
	}
	closedir(d);
	if (rc != 0) {
		while (cnt > 0)
			free(v[--cnt]);
		free(v);
		return arh_errf(err, rc, "out of memory");
	}
	*names = v;
	*n = cnt;
	return 0;
}

static int
namecmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
arh_catalog_import_events(struct arh_catalog *c, int dirfd, size_t *n,
    struct arh_err *err)
{
	static const char sql[] = "INSERT OR IGNORE INTO events (at, actor, "
	    "kind, archive, target, result, detail, spool) VALUES "
	    "(?,?,?,?,?,?,?,?)";
	sqlite3_stmt *st = NULL;
	char **v = NULL;
	size_t cnt, i;
	int rc, r;

	*n = 0;
	if ((rc = spool_list(dirfd, &v, &cnt, err)) != 0)
		return rc;
	if (cnt == 0)
		goto out;
	/* Names begin with the time: oldest first. */
	qsort(v, cnt, sizeof(*v), namecmp);
	if ((rc = cat_exec(c, "BEGIN IMMEDIATE", err)) != 0)
		goto out;
	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
		rc = cat_dberr(c, err, "preparing an event");
	for (i = 0; i < cnt && rc == 0; i++) {
		r = import_one(c, st, dirfd, v[i], err);
		if (r == 1) {		/* left in place */
			free(v[i]);
			v[i] = NULL;
			continue;
		}
		rc = r;
	}
	sqlite3_finalize(st);
	if ((rc = cat_finish_txn(c, rc, NULL, err)) != 0)
		goto out;
	/* Committed: a file left by a crash here is ignored by the next
	 * import (events.spool is unique) and removed then. */
	for (i = 0; i < cnt; i++)
		if (v[i] != NULL && unlinkat(dirfd, v[i], 0) == 0)
			(*n)++;
	if (*n > 0)
		rc = arh_fsync_fd(dirfd, "the event drop box", err);
out:
	for (i = 0; i < cnt; i++)
		free(v[i]);
	free(v);
	return rc;
}

const char *
cat_jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int
insert_record(struct arh_catalog *c, sqlite3_stmt *st, const char *archive,
    const json_t *rec, struct arh_err *err)
{
	const json_t *meta = json_object_get(rec, "metadata");
	const json_t *acc = json_object_get(meta, "access");
	char *text;
	int r;

	if ((text = json_dumps(meta, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	sqlite3_reset(st);
	cat_bind_text(st, 1, archive);
	cat_bind_text(st, 2, cat_jstr(meta, "reference"));
	cat_bind_text(st, 3, cat_jstr(rec, "dir"));
	cat_bind_text(st, 4, cat_jstr(meta, "registered"));
	cat_bind_text(st, 5, cat_jstr(meta, "type"));
	cat_bind_text(st, 6, cat_jstr(acc, "level"));
	cat_bind_text(st, 7, cat_jstr(acc, "basis"));
	cat_bind_text(st, 8, cat_jstr(acc, "start"));
	cat_bind_text(st, 9, cat_jstr(acc, "end"));
	cat_bind_text(st, 10, text);
	r = sqlite3_step(st);
	free(text);
	return r == SQLITE_DONE ? 0 : cat_dberr(c, err, "adding a record");
}

/* path → [file entry, record reference] for every payload file of a
 * metadata manifest: one pass, then constant-time lookups. */
static json_t *
file_index(const json_t *manifest)
{
	const json_t *rec, *f;
	const char *ref, *path;
	json_t *idx = json_object();
	size_t i, j;

	json_array_foreach(json_object_get(manifest, "records"), i, rec) {
		ref = cat_jstr(json_object_get(rec, "metadata"), "reference");
		json_array_foreach(json_object_get(rec, "files"), j, f) {
			if (idx == NULL || (path = cat_jstr(f, "path")) == NULL ||
			    ref == NULL)
				continue;
			if (json_object_set_new(idx, path, json_pack("[O, s]",
			    f, ref)) != 0) {
				json_decref(idx);
				return NULL;
			}
		}
	}
	return idx;
}

static int
insert_member(struct arh_catalog *c, sqlite3_stmt *st, const char *archive,
    const json_t *index, const struct arh_member *m, struct arh_err *err)
{
	const json_t *f = NULL, *e;
	const char *ref = NULL;

	if (m->payload) {
		if ((e = json_object_get(index, m->path)) == NULL)
			return arh_errf(err, ARH_EFORMAT, "payload file '%s' is "
			    "not in metadata/case.json", m->path);
		f = json_array_get(e, 0);
		ref = json_string_value(json_array_get(e, 1));
	}
	sqlite3_reset(st);
	cat_bind_text(st, 1, archive);
	cat_bind_text(st, 2, m->path);
	cat_bind_text(st, 3, ref);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)m->size);
	cat_bind_text(st, 5, m->sha512);
	cat_bind_text(st, 6, m->sha256);
	cat_bind_text(st, 7, f ? cat_jstr(f, "mime") : NULL);
	cat_bind_text(st, 8, f ? cat_jstr(f, "charset") : NULL);
	sqlite3_bind_int64(st, 9, m->header_offset);
	sqlite3_bind_int64(st, 10, m->data_offset);
	if (sqlite3_step(st) != SQLITE_DONE)
		return cat_dberr(c, err, "adding a file");
	return 0;
}

static int
insert_archive(struct arh_catalog *c, const struct arh_bag_summary *s,
    const char *store_name, struct arh_err *err)
{
	static const char sql[] = "INSERT INTO archives (name, case_ref, "
	    "series, version, previous, path, size, sha256, signer, "
	    "signer_cert_sha256, created, nrecords, nfiles, action, due) "
	    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
	const json_t *ret;
	sqlite3_stmt *st;
	size_t i, nfiles = 0;
	int r;

	for (i = 0; i < s->nmembers; i++)
		nfiles += s->members[i].payload != 0;
	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
		return cat_dberr(c, err, "preparing an archive");
	cat_bind_text(st, 1, s->name);
	cat_bind_text(st, 2, s->case_ref);
	cat_bind_text(st, 3, s->series);
	sqlite3_bind_int(st, 4, s->version);
	cat_bind_text(st, 5, s->previous);
	cat_bind_text(st, 6, store_name);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)s->tar_size);
	cat_bind_text(st, 8, s->tar_sha256);
	cat_bind_text(st, 9, s->seal.subject);
	cat_bind_text(st, 10, s->seal.cert_sha256);
	cat_bind_text(st, 11, s->seal.signing_time);
	sqlite3_bind_int64(st, 12, (sqlite3_int64)json_array_size(
	    json_object_get(s->manifest, "records")));
	sqlite3_bind_int64(st, 13, (sqlite3_int64)nfiles);
	/* The sealed decision, so that "what is due" is one indexed query. */
	ret = json_object_get(s->manifest, "retention");
	cat_bind_text(st, 14, cat_jstr(ret, "action"));
	cat_bind_text(st, 15, cat_jstr(ret, "due") && *cat_jstr(ret, "due") ?
	    cat_jstr(ret, "due") : NULL);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r == SQLITE_CONSTRAINT)
		return arh_errf(err, ARH_EEXIST, "archive '%s' is already in "
		    "the catalog", s->name);
	if (r != SQLITE_DONE)
		return cat_dberr(c, err, "adding an archive");
	/* Not audited yet: first in the audit rotation (catalog_audits.c).
	 * A row left by an archive removed behind the catalog's back (no
	 * cascade without foreign keys) starts over. */
	return cat_each(c, "adding an archive", "INSERT INTO audits (archive, "
	    "verified_at, result) VALUES (?, '', 'pending') ON CONFLICT "
	    "(archive) DO UPDATE SET verified_at = '', result = 'pending', "
	    "detail = NULL", NULL, NULL, err, "s", s->name);
}

static int
add_rows(struct arh_catalog *c, const struct arh_bag_summary *s,
    const char *store_name, struct arh_err *err)
{
	static const char rsql[] = "INSERT INTO records (archive, reference, "
	    "dir, registered, type, access, access_basis, access_start, "
	    "access_end, metadata) VALUES (?,?,?,?,?,?,?,?,?,?)";
	static const char fsql[] = "INSERT INTO files (archive, path, record, "
	    "size, sha512, sha256, mime, charset, header_offset, data_offset) "
	    "VALUES (?,?,?,?,?,?,?,?,?,?)";
	sqlite3_stmt *rs = NULL, *fs = NULL;
	const json_t *rec;
	json_t *index;
	size_t i;
	int rc;

	if ((index = file_index(s->manifest)) == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	if ((rc = insert_archive(c, s, store_name, err)) != 0)
		goto out;
	if (sqlite3_prepare_v2(c->db, rsql, -1, &rs, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->db, fsql, -1, &fs, NULL) != SQLITE_OK) {
		rc = cat_dberr(c, err, "preparing rows");
		goto out;
	}
	json_array_foreach(json_object_get(s->manifest, "records"), i, rec)
		if ((rc = insert_record(c, rs, s->name, rec, err)) != 0)
			goto out;
	if ((rc = cat_apply_extensions(c, s->name, err)) != 0)
		goto out;
	for (i = 0; i < s->nmembers; i++)
		if ((rc = insert_member(c, fs, s->name, index,
		    &s->members[i], err)) != 0)
			goto out;
	rc = 0;
out:
	json_decref(index);
	sqlite3_finalize(rs);
	sqlite3_finalize(fs);
	return rc;
}

/* Catalogued: no intent to publish that name is pending any more (another
 * ingest of the same name can only fail its rename now). */
static int
drop_intents(struct arh_catalog *c, const char *store_name,
    struct arh_err *err)
{
	sqlite3_stmt *st;
	int r;

	if (sqlite3_prepare_v2(c->db, "DELETE FROM intents WHERE name = ?",
	    -1, &st, NULL) != SQLITE_OK)
		return cat_dberr(c, err, "preparing an intent");
	cat_bind_text(st, 1, store_name);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : cat_dberr(c, err, "closing an intent");
}

int
arh_catalog_intent_add(struct arh_catalog *c, const struct arh_intent *in,
    struct arh_err *err)
{
	static const char sql[] = "INSERT INTO intents (tmp, name, sha256, "
	    "at, pid, actor) VALUES (?,?,?,?,?,?)";
	sqlite3_stmt *st;
	char now[21];
	int r, rc;

	arh_now_utc(now);
	if ((rc = cat_exec(c, "BEGIN IMMEDIATE", err)) != 0)
		return rc;
	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
		return cat_finish_txn(c, cat_dberr(c, err, "preparing an "
		    "intent"), NULL, err);
	cat_bind_text(st, 1, in->tmp);
	cat_bind_text(st, 2, in->name);
	cat_bind_text(st, 3, in->sha256);
	cat_bind_text(st, 4, in->at[0] ? in->at : now);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)in->pid);
	cat_bind_text(st, 6, in->actor[0] ? in->actor : NULL);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	rc = r == SQLITE_DONE ? 0 : cat_dberr(c, err, "recording the intent "
	    "to publish");
	return cat_finish_txn(c, rc, NULL, err);
}

int
arh_catalog_intent_drop(struct arh_catalog *c, const char *tmp,
    struct arh_err *err)
{
	sqlite3_stmt *st;
	int r;

	if (sqlite3_prepare_v2(c->db, "DELETE FROM intents WHERE tmp = ?",
	    -1, &st, NULL) != SQLITE_OK)
		return cat_dberr(c, err, "preparing an intent");
	cat_bind_text(st, 1, tmp);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : cat_dberr(c, err, "dropping an intent");
}

struct intents {
	struct arh_intent *v;
	size_t cnt, cap;
};

static int
intent_row(sqlite3_stmt *st, void *arg, struct arh_err *err)
{
	struct intents *in = arg;
	struct arh_intent *nv, *it;

	if (in->cnt == in->cap) {
		in->cap = in->cap ? in->cap * 2 : 4;
		if ((nv = ARH_FAULT_ALLOC(realloc(in->v, in->cap *
		    sizeof(*nv)))) == NULL)
			return arh_errf(err, ARH_ENOMEM, "out of memory");
		in->v = nv;
	}
	it = &in->v[in->cnt++];
	memset(it, 0, sizeof(*it));
	cat_col_copy(it->tmp, sizeof(it->tmp), st, 0);
	cat_col_copy(it->name, sizeof(it->name), st, 1);
	cat_col_copy(it->sha256, sizeof(it->sha256), st, 2);
	cat_col_copy(it->at, sizeof(it->at), st, 3);
	it->pid = (long)sqlite3_column_int64(st, 4);
	cat_col_copy(it->actor, sizeof(it->actor), st, 5);
	return 0;
}

int
arh_catalog_intents(struct arh_catalog *c, struct arh_intent **out,
    size_t *n, struct arh_err *err)
{
	struct intents in = { NULL, 0, 0 };
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = cat_each(c, "reading intents", "SELECT tmp, name, sha256, "
	    "at, pid, actor FROM intents ORDER BY at, tmp", intent_row, &in, err,
	    "")) != 0) {
		free(in.v);
		return rc;
	}
	*out = in.v;
	*n = in.cnt;
	return 0;
}

int
arh_catalog_add(struct arh_catalog *c, const struct arh_bag_summary *s,
    const char *store_name, const struct arh_event *ev, struct arh_err *err)
{
	int rc;

	/* Inside a rebuild's transaction a savepoint nests; on its own an
	 * IMMEDIATE transaction takes the write lock up front, so the busy
	 * timeout applies instead of a deadlocked upgrade. */
	int outer = sqlite3_get_autocommit(c->db);

	if ((rc = cat_exec(c, outer ? "BEGIN IMMEDIATE" : "SAVEPOINT addarch",
	    err)) != 0)
		return rc;
	if ((rc = add_rows(c, s, store_name, err)) != 0 ||
	    (rc = drop_intents(c, store_name, err)) != 0 ||
	    (ev != NULL && (rc = cat_insert_event(c, ev, err)) != 0) ||
	    (rc = outer ? cat_commit(c, err) : cat_exec(c, "RELEASE addarch",
	    err)) != 0) {
		if (outer)
			cat_exec(c, "ROLLBACK", NULL);
		else
			cat_exec(c, "ROLLBACK TO addarch; RELEASE addarch", NULL);
		return rc;
	}
	return 0;
}

int
arh_catalog_clear_begin(struct arh_catalog *c, struct arh_err *err)
{
	int rc;

	if ((rc = cat_exec(c, "BEGIN IMMEDIATE", err)) != 0)
		return rc;
	/* Versions link to earlier ones; check the links at COMMIT. */
	if ((rc = cat_exec(c, "PRAGMA defer_foreign_keys = ON; DELETE FROM files; "
	    "DELETE FROM records; DELETE FROM archives", err)) != 0)
		cat_exec(c, "ROLLBACK", NULL);
	return rc;
}

int
arh_catalog_clear_end(struct arh_catalog *c, int rc, struct arh_err *err)
{
	return cat_finish_txn(c, rc, NULL, err);
}

void
cat_col_copy(char *dst, size_t n, sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(dst, n, "%s", t ? (const char *)t : "");
}

void
cat_archive_row(sqlite3_stmt *st, struct arh_archive_row *r)
{
	memset(r, 0, sizeof(*r));
	cat_col_copy(r->name, sizeof(r->name), st, 0);
	cat_col_copy(r->case_ref, sizeof(r->case_ref), st, 1);
	cat_col_copy(r->series, sizeof(r->series), st, 2);
	r->version = sqlite3_column_int(st, 3);
	cat_col_copy(r->previous, sizeof(r->previous), st, 4);
	cat_col_copy(r->path, sizeof(r->path), st, 5);
	r->size = sqlite3_column_int64(st, 6);
	cat_col_copy(r->sha256, sizeof(r->sha256), st, 7);
	cat_col_copy(r->signer, sizeof(r->signer), st, 8);
	cat_col_copy(r->created, sizeof(r->created), st, 9);
	r->nrecords = sqlite3_column_int(st, 10);
	r->nfiles = sqlite3_column_int(st, 11);
}

static int
archive_row(sqlite3_stmt *st, void *arg, struct arh_err *err)
{
	(void)err;
	cat_archive_row(st, arg);
	return 1;
}

static int
one_archive(struct arh_catalog *c, const char *sql, const char *key,
    struct arh_archive_row *row, struct arh_err *err)
{
	int rc;

	rc = cat_each_cached(c, "looking up an archive", sql, archive_row,
	    row, err, "s", key);
	if (rc == 1)
		return 0;
	return rc != 0 ? rc : arh_errf(err, ARH_ENOTFOUND, "no archive '%s' "
	    "in the catalog", key);
}

int
arh_catalog_get(struct arh_catalog *c, const char *name,
    struct arh_archive_row *row, struct arh_err *err)
{
	static const char sql[] = "SELECT " ARCHIVE_COLS " FROM archives a "
	    "WHERE a.name = ?";

	return one_archive(c, sql, name, row, err);
}

int
arh_catalog_latest(struct arh_catalog *c, const char *case_ref,
    struct arh_archive_row *row, struct arh_err *err)
{
	return one_archive(c, "SELECT " ARCHIVE_COLS " FROM archives a "
	    "WHERE a.case_ref = ? ORDER BY a.version DESC LIMIT 1", case_ref,
	    row, err);
}

struct list_fwd {
	int (*cb)(void *arg, const struct arh_archive_row *row);
	void *arg;
};

static int
list_row(sqlite3_stmt *st, void *arg, struct arh_err *err)
{
	struct list_fwd *f = arg;
	struct arh_archive_row row;

	(void)err;
	cat_archive_row(st, &row);
	return f->cb(f->arg, &row);
}

int
arh_catalog_list(struct arh_catalog *c,
    int (*cb)(void *arg, const struct arh_archive_row *row), void *arg,
    struct arh_err *err)
{
	struct list_fwd f = { cb, arg };

	return cat_each(c, "listing archives", "SELECT " ARCHIVE_COLS " FROM "
	    "archives a ORDER BY a.case_ref, a.version", list_row, &f, err, "");
}

void
arh_file_row_release(struct arh_file_row *f)
{
	if (f == NULL)
		return;
	free(f->path);
	free(f->record);
	free(f->mime);
	free(f->charset);
	memset(f, 0, sizeof(*f));
}

static char *
col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? ARH_FAULT_ALLOC(strdup((const char *)t)) : NULL;
}

#define FILE_COLS "path, record, size, sha512, sha256, mime, charset, " \
	"header_offset, data_offset"

static int
file_row(sqlite3_stmt *st, struct arh_file_row *f)
{
	memset(f, 0, sizeof(*f));
	f->path = col_dup(st, 0);
	f->record = col_dup(st, 1);
	f->size = (uint64_t)sqlite3_column_int64(st, 2);
	cat_col_copy(f->sha512, sizeof(f->sha512), st, 3);
	cat_col_copy(f->sha256, sizeof(f->sha256), st, 4);
	f->mime = col_dup(st, 5);
	f->charset = col_dup(st, 6);
	f->header_offset = sqlite3_column_int64(st, 7);
	f->data_offset = sqlite3_column_int64(st, 8);
	/* A NULL column is NULL; a NULL copy of a value is out of memory. */
	if (f->path == NULL ||
	    (f->record == NULL && sqlite3_column_type(st, 1) != SQLITE_NULL) ||
	    (f->mime == NULL && sqlite3_column_type(st, 5) != SQLITE_NULL) ||
	    (f->charset == NULL && sqlite3_column_type(st, 6) != SQLITE_NULL)) {
		arh_file_row_release(f);
		return ARH_ENOMEM;
	}
	return 0;
}

int
arh_catalog_file(struct arh_catalog *c, const char *archive,
    const char *path, struct arh_file_row *row, struct arh_err *err)
{
	sqlite3_stmt *st;
	int r, rc;

	if (sqlite3_prepare_v2(c->db, "SELECT " FILE_COLS " FROM files WHERE "
	    "archive = ? AND path = ?", -1, &st, NULL) != SQLITE_OK)
		return cat_dberr(c, err, "looking up a file");
	cat_bind_text(st, 1, archive);
	cat_bind_text(st, 2, path);
	r = sqlite3_step(st);
	rc = r == SQLITE_ROW ? file_row(st, row) : 0;
	sqlite3_finalize(st);
	if (r == SQLITE_ROW)
		return rc ? arh_errf(err, ARH_ENOMEM, "out of memory") : 0;
	if (r == SQLITE_DONE)
		return arh_errf(err, ARH_ENOTFOUND, "archive '%s' has no file "
		    "'%s'", archive, path);
	return cat_dberr(c, err, "looking up a file");
}

struct files_fwd {
	int (*cb)(void *arg, const struct arh_file_row *row);
	void *arg;
};

static int
files_row(sqlite3_stmt *st, void *arg, struct arh_err *err)
{
	struct files_fwd *f = arg;
	struct arh_file_row row;
	int rc;

	if (file_row(st, &row) != 0)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	rc = f->cb(f->arg, &row);
	arh_file_row_release(&row);
	return rc;
}

int
arh_catalog_files(struct arh_catalog *c, const char *archive,
    int (*cb)(void *arg, const struct arh_file_row *row), void *arg,
    struct arh_err *err)
{
	struct files_fwd f = { cb, arg };

	static const char sql[] = "SELECT " FILE_COLS " FROM files WHERE "
	    "archive = ? ORDER BY header_offset";

	return cat_each_cached(c, "listing files", sql, files_row, &f, err,
	    "s", archive);
}

int
arh_catalog_files_after(struct arh_catalog *c, const char *archive,
    const char *after, int (*cb)(void *arg, const struct arh_file_row *row),
    void *arg, struct arh_err *err)
{
	/* The primary key (archive, path) orders and skips: every page
	 * costs the same. */
	static const char sql[] = "SELECT " FILE_COLS " FROM files WHERE "
	    "archive = ?1 AND path > ?2 AND record IS NOT NULL ORDER BY path";
	struct files_fwd f = { cb, arg };

	return cat_each_cached(c, "listing files", sql, files_row, &f, err,
	    "ss", archive, after != NULL ? after : "");
}

struct find_fwd {
	int (*cb)(void *arg, const char *archive,
	    const struct arh_file_row *f, const json_t *record);
	void *arg;
};

static int
find_row(sqlite3_stmt *st, void *arg, struct arh_err *err)
{
	struct find_fwd *f = arg;
	const char *text = (const char *)sqlite3_column_text(st, 10);
	struct arh_file_row row;
	json_t *meta;
	int rc;

	(void)err;
	memset(&row, 0, sizeof(row));
	row.path = col_dup(st, 1);
	row.record = col_dup(st, 2);
	row.size = (uint64_t)sqlite3_column_int64(st, 3);
	cat_col_copy(row.sha512, sizeof(row.sha512), st, 4);
	cat_col_copy(row.sha256, sizeof(row.sha256), st, 5);
	row.mime = col_dup(st, 6);
	row.charset = col_dup(st, 7);
	row.header_offset = sqlite3_column_int64(st, 8);
	row.data_offset = sqlite3_column_int64(st, 9);
	meta = json_loads(text ? text : "", 0, NULL);
	rc = meta ? f->cb(f->arg, (const char *)sqlite3_column_text(st, 0),
	    &row, meta) : ARH_ECATALOG;
	json_decref(meta);
	arh_file_row_release(&row);
	return rc;
}

int
arh_catalog_find(struct arh_catalog *c, const char *key,
    int (*cb)(void *arg, const char *archive, const struct arh_file_row *f,
    const json_t *record), void *arg, struct arh_err *err)
{
	/* Each branch uses an index: files_sha256, files_sha512,
	 * records_reference. */
	/* One OR over the three would scan every file (files.record has no
	 * index of its own): a union of three indexed lookups instead. */
#define FIND_SQL "SELECT f.archive, f.path, f.record, f.size, f.sha512, " \
	    "f.sha256, f.mime, f.charset, f.header_offset, f.data_offset, " \
	    "r.metadata FROM files f JOIN records r ON r.archive = " \
	    "f.archive AND r.reference = f.record WHERE "
	static const char sql[] = FIND_SQL "f.sha256 = ?1 UNION "
	    FIND_SQL "f.sha512 = ?1 UNION "
	    FIND_SQL "r.reference = ?1 ORDER BY 1, 2";
#undef FIND_SQL
	struct find_fwd f = { cb, arg };

	return cat_each_cached(c, "searching", sql, find_row, &f, err, "s",
	    key);
}

int
arh_catalog_record(struct arh_catalog *c, const char *archive,
    const char *reference, json_t **meta, struct arh_err *err)
{
	sqlite3_stmt *st;
	const char *text;
	int r, rc;

	*meta = NULL;
	if (sqlite3_prepare_v2(c->db, "SELECT metadata FROM records WHERE "
	    "archive = ? AND reference = ?", -1, &st, NULL) != SQLITE_OK)
		return cat_dberr(c, err, "looking up a record");
	cat_bind_text(st, 1, archive);
	cat_bind_text(st, 2, reference);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		text = (const char *)sqlite3_column_text(st, 0);
		*meta = json_loads(text ? text : "", 0, NULL);
		rc = *meta ? 0 : arh_errf(err, ARH_ECATALOG, "catalog: record "
		    "'%s' has unreadable metadata", reference);
	} else if (r == SQLITE_DONE) {
		rc = arh_errf(err, ARH_ENOTFOUND, "archive '%s' has no record "
		    "'%s'", archive, reference);
	} else
		rc = cat_dberr(c, err, "looking up a record");
	sqlite3_finalize(st);
	return rc;
}

struct records_fwd {
	int (*cb)(void *arg, const json_t *meta);
	void *arg;
	const char *archive;	/* for the message */
};

static int
records_row(sqlite3_stmt *st, void *arg, struct arh_err *err)
{
	struct records_fwd *f = arg;
	const char *text = (const char *)sqlite3_column_text(st, 0);
	json_t *meta;
	int rc;

	if ((meta = json_loads(text ? text : "", 0, NULL)) == NULL)
		return arh_errf(err, ARH_ECATALOG, "catalog: unreadable "
		    "record metadata in '%s'", f->archive);
	rc = f->cb(f->arg, meta);
	json_decref(meta);
	return rc;
}

int
arh_catalog_records(struct arh_catalog *c, const char *archive,
    int (*cb)(void *arg, const json_t *meta), void *arg, struct arh_err *err)
{
	struct records_fwd f = { cb, arg, archive };

	static const char sql[] = "SELECT metadata FROM records WHERE "
	    "archive = ? ORDER BY dir";

	return cat_each_cached(c, "listing records", sql, records_row, &f, err,
	    "s", archive);
}

struct events_fwd {
	int (*cb)(void *arg, const char *at, const struct arh_event *ev);
	void *arg;
};

static int
events_row(sqlite3_stmt *st, void *arg, struct arh_err *err)
{
	struct events_fwd *f = arg;
	struct arh_event ev;

	(void)err;
	ev.actor = (const char *)sqlite3_column_text(st, 1);
	ev.kind = (const char *)sqlite3_column_text(st, 2);
	ev.archive = (const char *)sqlite3_column_text(st, 3);
	ev.target = (const char *)sqlite3_column_text(st, 4);
	ev.result = (const char *)sqlite3_column_text(st, 5);
	ev.detail = (const char *)sqlite3_column_text(st, 6);
	return f->cb(f->arg, (const char *)sqlite3_column_text(st, 0), &ev);
}

int
arh_catalog_events(struct arh_catalog *c, const char *archive,
    int (*cb)(void *arg, const char *at, const struct arh_event *ev),
    void *arg, struct arh_err *err)
{
	struct events_fwd f = { cb, arg };

	return cat_each(c, "listing events", "SELECT at, actor, kind, "
	    "archive, target, result, detail FROM events WHERE ?1 IS NULL OR "
	    "archive = ?1 ORDER BY id", events_row, &f, err, "s", archive);
}

/* One row of a dump: its columns separated by '|', to the FILE arg. */
static int
dump_row(sqlite3_stmt *st, void *arg, struct arh_err *err)
{
	FILE *f = arg;
	int i, n = sqlite3_column_count(st);

	(void)err;
	for (i = 0; i < n; i++) {
		const unsigned char *t = sqlite3_column_text(st, i);
		fprintf(f, "%s%s", i ? "|" : "", t ? (const char *)t : "NULL");
	}
	fputc('\n', f);
	return 0;
}

/* Append every row of a query to f. */
static int
dump_query(struct arh_catalog *c, FILE *f, const char *sql,
    struct arh_err *err)
{
	return cat_each(c, "dumping", sql, dump_row, f, err, "");
}

int
arh_catalog_dump(struct arh_catalog *c, char **out, struct arh_err *err)
{
	size_t len;
	FILE *f;
	int rc;

	*out = NULL;
	if ((f = open_memstream(out, &len)) == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	if ((rc = dump_query(c, f, "SELECT * FROM archives ORDER BY name",
	    err)) == 0 &&
	    (rc = dump_query(c, f, "SELECT * FROM records ORDER BY archive, "
	    "reference", err)) == 0)
		rc = dump_query(c, f, "SELECT * FROM files ORDER BY archive, "
		    "path", err);
	fclose(f);
	if (rc != 0) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

int
arh_catalog_copy_events(struct arh_catalog *c, const char *from,
    struct arh_err *err)
{
	sqlite3_stmt *st;
	int rc, r;

	if (sqlite3_prepare_v2(c->db, "ATTACH DATABASE ? AS old", -1, &st,
	    NULL) != SQLITE_OK)
		return cat_dberr(c, err, "attaching the old catalog");
	cat_bind_text(st, 1, from);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return cat_dberr(c, err, "attaching the old catalog");
	rc = cat_exec(c, "INSERT INTO events (at, actor, kind, archive, target, "
	    "result, detail) SELECT at, actor, kind, archive, target, result, "
	    "detail FROM old.events ORDER BY id", err);
	cat_exec(c, "DETACH DATABASE old", NULL);
	return rc;
}

/* One file plan version from a row of (version, seq, imported_at, actor,
 * source[, plan]). */
static void
fileplan_row(sqlite3_stmt *st, struct arh_fileplan_info *fp, int with_plan)
{
	memset(fp, 0, sizeof(*fp));
	cat_col_copy(fp->version, sizeof(fp->version), st, 0);
	fp->seq = sqlite3_column_int(st, 1);
	cat_col_copy(fp->imported_at, sizeof(fp->imported_at), st, 2);
	cat_col_copy(fp->actor, sizeof(fp->actor), st, 3);
	cat_col_copy(fp->source, sizeof(fp->source), st, 4);
	fp->plan = with_plan ? col_dup(st, 5) : NULL;
}

/* The INSERT of one file plan version (inside a transaction). */
static int
insert_fileplan(struct arh_catalog *c, const struct arh_fileplan_info *fp,
    struct arh_err *err)
{
	static const char sql[] = "INSERT INTO fileplans (version, seq, "
	    "imported_at, actor, source, plan) VALUES (?1, (SELECT "
	    "coalesce(max(seq), 0) + 1 FROM fileplans), ?2, ?3, ?4, ?5)";
	sqlite3_stmt *st;
	int r;

	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
		return cat_dberr(c, err, "preparing a file plan");
	cat_bind_text(st, 1, fp->version);
	cat_bind_text(st, 2, fp->imported_at);
	cat_bind_text(st, 3, fp->actor);
	cat_bind_text(st, 4, fp->source);
	cat_bind_text(st, 5, fp->plan);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r == SQLITE_CONSTRAINT)
		return arh_errf(err, ARH_EEXIST, "this file plan is already "
		    "imported as version %.12s", fp->version);
	return r == SQLITE_DONE ? 0 : cat_dberr(c, err, "adding a file plan");
}

int
arh_catalog_fileplan_add(struct arh_catalog *c,
    const struct arh_fileplan_info *fp, const struct arh_event *ev,
    struct arh_err *err)
{
	int rc;

	if ((rc = cat_exec(c, "BEGIN IMMEDIATE", err)) != 0)
		return rc;
	return cat_finish_txn(c, insert_fileplan(c, fp, err), ev, err);
}

int
arh_catalog_fileplan_get(struct arh_catalog *c, const char *version,
    struct arh_fileplan_info *fp, struct arh_err *err)
{
	sqlite3_stmt *st;
	int r, rc;

	/* NULL: the latest; else a version or a unique prefix of one. */
	if (sqlite3_prepare_v2(c->db, "SELECT version, seq, imported_at, "
	    "actor, source, plan FROM fileplans WHERE ?1 IS NULL OR "
	    "substr(version, 1, length(?1)) = ?1 ORDER BY seq DESC LIMIT 2",
	    -1, &st, NULL) != SQLITE_OK)
		return cat_dberr(c, err, "reading file plans");
	cat_bind_text(st, 1, version);
	if ((r = sqlite3_step(st)) == SQLITE_ROW) {
		fileplan_row(st, fp, 1);
		rc = fp->plan ? 0 : arh_errf(err, ARH_ENOMEM, "out of memory");
		if (rc == 0 && version != NULL &&
		    sqlite3_step(st) == SQLITE_ROW) {
			rc = arh_errf(err, ARH_EUSAGE, "file plan version "
			    "'%s' is ambiguous; give more of it", version);
			arh_fileplan_info_release(fp);
		}
	} else if (r == SQLITE_DONE && version != NULL)
		rc = arh_errf(err, ARH_ENOTFOUND, "no file plan version '%s'; "
		    "'arhiivar fileplan history' lists them", version);
	else if (r == SQLITE_DONE)
		rc = arh_errf(err, ARH_ENOTFOUND, "no file plan has been "
		    "imported; import one with 'arhiivar fileplan import "
		    "FILE.csv'");
	else
		rc = cat_dberr(c, err, "reading file plans");
	sqlite3_finalize(st);
	return rc;
}

struct fileplans_fwd {
	int (*cb)(void *arg, const struct arh_fileplan_info *fp);
	void *arg;
};

static int
fileplans_row(sqlite3_stmt *st, void *arg, struct arh_err *err)
{
	struct fileplans_fwd *f = arg;
	struct arh_fileplan_info fp;

	(void)err;
	fileplan_row(st, &fp, 0);
	return f->cb(f->arg, &fp);
}

int
arh_catalog_fileplan_history(struct arh_catalog *c,
    int (*cb)(void *arg, const struct arh_fileplan_info *fp), void *arg,
    struct arh_err *err)
{
	struct fileplans_fwd f = { cb, arg };

	return cat_each(c, "reading file plans", "SELECT version, seq, "
	    "imported_at, actor, source FROM fileplans ORDER BY seq",
	    fileplans_row, &f, err, "");
}

void
arh_fileplan_info_release(struct arh_fileplan_info *fp)
{
	if (fp == NULL)
		return;
	free(fp->plan);
	fp->plan = NULL;
}

static void
hold_row(sqlite3_stmt *st, struct arh_hold *h)
{
	memset(h, 0, sizeof(*h));
	h->id = sqlite3_column_int64(st, 0);
	cat_col_copy(h->kind, sizeof(h->kind), st, 1);
	cat_col_copy(h->target, sizeof(h->target), st, 2);
	cat_col_copy(h->reason, sizeof(h->reason), st, 3);
	cat_col_copy(h->authority, sizeof(h->authority), st, 4);
	cat_col_copy(h->placed_at, sizeof(h->placed_at), st, 5);
	cat_col_copy(h->placed_by, sizeof(h->placed_by), st, 6);
	cat_col_copy(h->released_at, sizeof(h->released_at), st, 7);
	cat_col_copy(h->released_by, sizeof(h->released_by), st, 8);
	cat_col_copy(h->release_reason, sizeof(h->release_reason), st, 9);
}

static int
insert_hold(struct arh_catalog *c, struct arh_hold *h, struct arh_err *err)
{
	static const char sql[] = "INSERT INTO holds (kind, target, reason, "
	    "authority, placed_at, placed_by) VALUES (?,?,?,?,?,?)";
	sqlite3_stmt *st;
	int r;

	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
		return cat_dberr(c, err, "preparing a hold");
	cat_bind_text(st, 1, h->kind);
	cat_bind_text(st, 2, h->target);
	cat_bind_text(st, 3, h->reason);
	cat_bind_text(st, 4, h->authority);
	cat_bind_text(st, 5, h->placed_at);
	cat_bind_text(st, 6, h->placed_by);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return cat_dberr(c, err, "adding a hold");
	h->id = (long)sqlite3_last_insert_rowid(c->db);
	return 0;
}

int
arh_catalog_hold_add(struct arh_catalog *c, struct arh_hold *h,
    struct arh_err *err)
{
	struct arh_event ev = { "hold-add", h->placed_by, NULL, h->target,
	    "ok", h->reason };
	int rc;

	arh_now_utc(h->placed_at);
	if (strcmp(h->kind, "archive") == 0)
		ev.archive = h->target;
	if ((rc = cat_exec(c, "BEGIN IMMEDIATE", err)) != 0)
		return rc;
	return cat_finish_txn(c, insert_hold(c, h, err), &ev, err);
}

static int
release_hold(struct arh_catalog *c, long id, const char *reason,
    const char *actor, struct arh_err *err)
{
	static const char sql[] = "UPDATE holds SET released_at = ?, "
	    "released_by = ?, release_reason = ? WHERE id = ? AND "
	    "released_at IS NULL";
	sqlite3_stmt *st;
	char now[21];
	int r;

	arh_now_utc(now);
	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
		return cat_dberr(c, err, "preparing a release");
	cat_bind_text(st, 1, now);
	cat_bind_text(st, 2, actor);
	cat_bind_text(st, 3, reason);
	sqlite3_bind_int64(st, 4, id);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return cat_dberr(c, err, "releasing a hold");
	if (sqlite3_changes(c->db) != 1)
		return arh_errf(err, ARH_ENOTFOUND, "no hold %ld in force; "
		    "'arhiivar hold list' shows them", id);
	return 0;
}

int
arh_catalog_hold_release(struct arh_catalog *c, long id, const char *reason,
    const char *actor, struct arh_err *err)
{
	struct arh_event ev = { "hold-release", actor, NULL, NULL, "ok",
	    reason };
	char target[64];
	int rc;

	snprintf(target, sizeof(target), "hold %ld", id);
	ev.target = target;
	if ((rc = cat_exec(c, "BEGIN IMMEDIATE", err)) != 0)
		return rc;
	return cat_finish_txn(c, release_hold(c, id, reason, actor, err), &ev,
	    err);
}

struct holds_fwd {
	int (*cb)(void *arg, const struct arh_hold *h);
	void *arg;
};

static int
holds_row(sqlite3_stmt *st, void *arg, struct arh_err *err)
{
	struct holds_fwd *f = arg;
	struct arh_hold h;

	(void)err;
	hold_row(st, &h);
	return f->cb(f->arg, &h);
}

int
arh_catalog_holds(struct arh_catalog *c, int all,
    int (*cb)(void *arg, const struct arh_hold *h), void *arg,
    struct arh_err *err)
{
	struct holds_fwd f = { cb, arg };

	return cat_each(c, "listing holds", "SELECT id, kind, target, reason, "
	    "authority, placed_at, placed_by, released_at, released_by, "
	    "release_reason FROM holds WHERE ?1 OR released_at IS NULL "
	    "ORDER BY id", holds_row, &f, err, "d", all);
}

struct due_fwd {
	int (*cb)(void *arg, const struct arh_archive_row *row,
	    const char *action, const char *due, const char *holds);
	void *arg;
};

static int
due_row(sqlite3_stmt *st, void *arg, struct arh_err *err)
{
	struct due_fwd *f = arg;
	struct arh_archive_row row;

	(void)err;
	cat_archive_row(st, &row);
	return f->cb(f->arg, &row, (const char *)sqlite3_column_text(st, 12),
	    (const char *)sqlite3_column_text(st, 13),
	    (const char *)sqlite3_column_text(st, 14));
}

int
arh_catalog_due(struct arh_catalog *c, const char *as_of,
    int (*cb)(void *arg, const struct arh_archive_row *row,
    const char *action, const char *due, const char *holds), void *arg,
    struct arh_err *err)
{
	/* A hold on the archive, its case file or its series keeps it. */
	static const char sql[] = "SELECT " ARCHIVE_COLS ", a.action, a.due, "
	    HOLDS_ON_A " "
	    "FROM archives a WHERE a.due IS NOT NULL AND a.due <= ?1 "
	    "ORDER BY a.due, a.name";
	struct due_fwd f = { cb, arg };

	return cat_each(c, "listing due archives", sql, due_row, &f, err, "s",
	    as_of);
}

struct restrictions_fwd {
	int (*cb)(void *arg, const char *archive, const char *reference,
	    const char *basis, const char *end);
	void *arg;
};

static int
restrictions_row(sqlite3_stmt *st, void *arg, struct arh_err *err)
{
	struct restrictions_fwd *f = arg;

	(void)err;
	return f->cb(f->arg, (const char *)sqlite3_column_text(st, 0),
	    (const char *)sqlite3_column_text(st, 1),
	    (const char *)sqlite3_column_text(st, 2),
	    (const char *)sqlite3_column_text(st, 3));
}

int
arh_catalog_restrictions(struct arh_catalog *c, const char *until,
    int (*cb)(void *arg, const char *archive, const char *reference,
    const char *basis, const char *end), void *arg, struct arh_err *err)
{
	struct restrictions_fwd f = { cb, arg };

	return cat_each(c, "listing restrictions", "SELECT archive, "
	    "reference, access_basis, access_end FROM records WHERE access = "
	    "'internal' AND access_end <= ?1 ORDER BY access_end, archive, "
	    "reference", restrictions_row, &f, err, "s", until);
}
