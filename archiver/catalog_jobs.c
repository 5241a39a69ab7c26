/*
 * catalog_jobs.c — scheduled transfers and their runs in the catalog.
 * Every change of a job's status is one statement or one transaction, so
 * that two processes (the daemon's workers, `schedule run-now`) can never
 * both claim a job.
 */
#include <stdio.h>
#include <string.h>

#include "catalog_int.h"
#define ARH_FAULT_WRAP_SQLITE	/* debug builds count sqlite3_step/exec */
#include "fault.h"
#include "util.h"

#define JOB_COLS "id, kind, series, year, source, pattern, at, next_run, " \
	"status, attempts, last_error, last_run, last_report, created_at, " \
	"created_by"

static void
job_row(sqlite3_stmt *st, struct arh_job *j)
{
	memset(j, 0, sizeof(*j));
	j->id = (long)sqlite3_column_int64(st, 0);
	cat_col_copy(j->kind, sizeof(j->kind), st, 1);
	cat_col_copy(j->series, sizeof(j->series), st, 2);
	j->year = sqlite3_column_int(st, 3);
	cat_col_copy(j->source, sizeof(j->source), st, 4);
	cat_col_copy(j->pattern, sizeof(j->pattern), st, 5);
	cat_col_copy(j->at, sizeof(j->at), st, 6);
	cat_col_copy(j->next_run, sizeof(j->next_run), st, 7);
	cat_col_copy(j->status, sizeof(j->status), st, 8);
	j->attempts = sqlite3_column_int(st, 9);
	cat_col_copy(j->last_error, sizeof(j->last_error), st, 10);
	cat_col_copy(j->last_run, sizeof(j->last_run), st, 11);
	cat_col_copy(j->last_report, sizeof(j->last_report), st, 12);
	cat_col_copy(j->created_at, sizeof(j->created_at), st, 13);
	cat_col_copy(j->created_by, sizeof(j->created_by), st, 14);
}

/* Statements without result rows go through cat_each() too. */
static int
no_row(sqlite3_stmt *st, void *arg, struct arh_err *err)
{
	(void)st;
	(void)arg;
	(void)err;
	return 0;
}

static const char *
or_null(const char *s)
{
	return s != NULL && *s != '\0' ? s : NULL;
}

static int
insert_job(struct arh_catalog *c, struct arh_job *j, struct arh_err *err)
{
	int rc;

	rc = cat_each(c, "adding a job", "INSERT INTO jobs (kind, series, "
	    "year, source, pattern, at, next_run, status, created_at, "
	    "created_by) VALUES (?1, ?2, NULLIF(?3, 0), ?4, ?5, ?6, ?7, "
	    "'scheduled', ?8, ?9)", no_row, NULL, err, "ssdssssss", j->kind,
	    or_null(j->series), j->year, or_null(j->source),
	    or_null(j->pattern), j->at, j->next_run, j->created_at,
	    j->created_by);
	if (rc != 0)
		return rc;
	j->id = (long)sqlite3_last_insert_rowid(c->db);
	snprintf(j->status, sizeof(j->status), "scheduled");
	return 0;
}

int
arh_catalog_job_add(struct arh_catalog *c, struct arh_job *j,
    struct arh_err *err)
{
	struct arh_event ev = { "schedule-add", j->created_by, NULL, NULL,
	    "ok", NULL };
	char target[64], detail[1200];
	int rc;

	arh_now_utc(j->created_at);
	if ((rc = cat_exec(c, "BEGIN IMMEDIATE", err)) != 0)
		return rc;
	if ((rc = insert_job(c, j, err)) == 0) {
		snprintf(target, sizeof(target), "job %ld", j->id);
		snprintf(detail, sizeof(detail), "%s at %s: %s%s%s", j->kind,
		    j->at, j->series[0] ? j->series : "every series",
		    " from ", j->source[0] ? j->source : j->pattern);
		ev.target = target;
		ev.detail = detail;
	}
	return cat_finish_txn(c, rc, &ev, err);
}

struct job_fwd {
	int (*cb)(void *arg, const struct arh_job *j);
	void *arg;
	struct arh_job *one;	/* arh_catalog_job_get(): the row */
};

static int
jobs_row(sqlite3_stmt *st, void *arg, struct arh_err *err)
{
	struct job_fwd *f = arg;
	struct arh_job j;

	(void)err;
	if (f->one != NULL) {
		job_row(st, f->one);
		return 1;
	}
	job_row(st, &j);
	return f->cb(f->arg, &j);
}

int
arh_catalog_job_get(struct arh_catalog *c, long id, struct arh_job *j,
    struct arh_err *err)
{
	struct job_fwd f = { NULL, NULL, j };
	int rc;

	rc = cat_each(c, "reading a job", "SELECT " JOB_COLS " FROM jobs "
	    "WHERE id = ?1", jobs_row, &f, err, "l", id);
	if (rc == 1)
		return 0;
	return rc != 0 ? rc : arh_errf(err, ARH_ENOTFOUND, "no job %ld; "
	    "'arhiivar schedule list' lists them", id);
}

int
arh_catalog_jobs(struct arh_catalog *c,
    int (*cb)(void *arg, const struct arh_job *j), void *arg,
    struct arh_err *err)
{
	struct job_fwd f = { cb, arg, NULL };

	return cat_each(c, "listing jobs", "SELECT " JOB_COLS " FROM jobs "
	    "ORDER BY id", jobs_row, &f, err, "");
}

int
arh_catalog_jobs_due(struct arh_catalog *c, const char *now,
    int (*cb)(void *arg, const struct arh_job *j), void *arg,
    struct arh_err *err)
{
	struct job_fwd f = { cb, arg, NULL };

	return cat_each(c, "listing due jobs", "SELECT " JOB_COLS " FROM jobs "
	    "WHERE status IN ('scheduled', 'retrying') AND next_run IS NOT "
	    "NULL AND next_run <= ?1 ORDER BY next_run, id", jobs_row, &f,
	    err, "s", now);
}

struct run_fwd {
	int (*cb)(void *arg, const struct arh_job_run *r);
	void *arg;
};

static int
runs_row(sqlite3_stmt *st, void *arg, struct arh_err *err)
{
	struct run_fwd *f = arg;
	struct arh_job_run r;

	(void)err;
	memset(&r, 0, sizeof(r));
	r.id = (long)sqlite3_column_int64(st, 0);
	r.job = (long)sqlite3_column_int64(st, 1);
	cat_col_copy(r.started_at, sizeof(r.started_at), st, 2);
	cat_col_copy(r.finished_at, sizeof(r.finished_at), st, 3);
	cat_col_copy(r.status, sizeof(r.status), st, 4);
	r.year = sqlite3_column_int(st, 5);
	cat_col_copy(r.error, sizeof(r.error), st, 6);
	cat_col_copy(r.report_path, sizeof(r.report_path), st, 7);
	return f->cb(f->arg, &r);
}

int
arh_catalog_job_runs(struct arh_catalog *c, long id,
    int (*cb)(void *arg, const struct arh_job_run *r), void *arg,
    struct arh_err *err)
{
	struct run_fwd f = { cb, arg };

	return cat_each(c, "listing runs", "SELECT id, job, started_at, "
	    "finished_at, status, year, error, report_path FROM job_runs "
	    "WHERE job = ?1 ORDER BY id", runs_row, &f, err, "l", id);
}

/* Why job id is not in one of the states an UPDATE asked for: it does
 * not exist (ARH_ENOTFOUND), or code with its status named. */
static int
not_in_state(struct arh_catalog *c, long id, int code, const char *doing,
    struct arh_err *err)
{
	struct arh_job j;
	int rc;

	if ((rc = arh_catalog_job_get(c, id, &j, err)) != 0)
		return rc;
	return arh_errf(err, code, "job %ld is %s: it cannot be %s", id,
	    j.status, doing);
}

/* The body of a one-job change inside BEGIN IMMEDIATE: sql (binding ?1
 * id, ?2 now) must change exactly that job. */
static int
change_job(struct arh_catalog *c, long id, const char *now, const char *sql,
    int code, const char *doing, struct arh_err *err)
{
	int rc;

	if ((rc = cat_each(c, doing, sql, no_row, NULL, err, "ls", id, now))
	    != 0)
		return rc;
	return sqlite3_changes(c->db) == 1 ? 0 : not_in_state(c, id, code,
	    doing, err);
}

static int
job_txn(struct arh_catalog *c, long id, const char *now, const char *sql,
    const char *kind, const char *doing, const char *actor,
    struct arh_err *err)
{
	struct arh_event ev = { kind, actor, NULL, NULL, "ok", NULL };
	char target[64];
	int rc;

	snprintf(target, sizeof(target), "job %ld", id);
	ev.target = target;
	if ((rc = cat_exec(c, "BEGIN IMMEDIATE", err)) != 0)
		return rc;
	return cat_finish_txn(c, change_job(c, id, now, sql, ARH_EUSAGE,
	    doing, err), &ev, err);
}

int
arh_catalog_job_cancel(struct arh_catalog *c, long id, const char *actor,
    struct arh_err *err)
{
	return job_txn(c, id, NULL, "UPDATE jobs SET status = 'cancelled', "
	    "next_run = NULL WHERE id = ?1 AND status IN "
	    "('scheduled', 'retrying', 'failed')", "schedule-cancel",
	    "cancelled", actor, err);
}

int
arh_catalog_job_rearm(struct arh_catalog *c, long id, const char *now,
    const char *actor, struct arh_err *err)
{
	return job_txn(c, id, now, "UPDATE jobs SET next_run = ?2, attempts "
	    "= CASE status WHEN 'failed' THEN 0 ELSE attempts END, status = "
	    "'scheduled' WHERE id = ?1 AND status IN ('scheduled', "
	    "'retrying', 'failed')", "schedule-run-now", "run now", actor,
	    err);
}

static int
claim(struct arh_catalog *c, long id, const char *now, int year, long *run,
    struct arh_err *err)
{
	int rc;

	if ((rc = change_job(c, id, now, "UPDATE jobs SET status = 'running', "
	    "attempts = attempts + 1, last_run = ?2 WHERE id = ?1 AND status "
	    "IN ('scheduled', 'retrying')", ARH_EEXIST, "claimed", err)) != 0)
		return rc;
	if ((rc = cat_each(c, "adding a run", "INSERT INTO job_runs (job, "
	    "started_at, status, year) VALUES (?1, ?2, 'running', ?3)",
	    no_row, NULL, err, "lsd", id, now, year)) != 0)
		return rc;
	*run = (long)sqlite3_last_insert_rowid(c->db);
	return 0;
}

int
arh_catalog_job_claim(struct arh_catalog *c, long id, const char *now,
    int year, long *run, struct arh_err *err)
{
	int rc;

	*run = 0;
	if ((rc = cat_exec(c, "BEGIN IMMEDIATE", err)) != 0)
		return rc;
	return cat_finish_txn(c, claim(c, id, now, year, run, err), NULL, err);
}

static int
finish(struct arh_catalog *c, long id, long run, const char *status,
    const char *job_status, const char *next_run, const char *error,
    const char *report, const char *report_path, struct arh_err *err)
{
	char now[21];
	int rc;

	arh_now_utc(now);
	if ((rc = cat_each(c, "ending a run", "UPDATE job_runs SET "
	    "finished_at = ?2, status = ?3, error = ?4, report = ?5, "
	    "report_path = ?6 WHERE id = ?1 AND status = 'running'", no_row,
	    NULL, err, "lsssss", run, now, status, error, report,
	    report_path)) != 0)
		return rc;
	if (sqlite3_changes(c->db) != 1)
		return arh_errf(err, ARH_EUSAGE, "run %ld of job %ld is not "
		    "running", run, id);
	return cat_each(c, "ending a run", "UPDATE jobs SET status = ?2, "
	    "next_run = ?3, last_error = ?4, last_report = coalesce(?5, "
	    "last_report), attempts = CASE ?2 WHEN 'retrying' THEN attempts "
	    "ELSE 0 END WHERE id = ?1", no_row, NULL, err, "lssss", id,
	    job_status, next_run, error, report_path);
}

int
arh_catalog_job_finish(struct arh_catalog *c, long id, long run,
    const char *status, const char *job_status, const char *next_run,
    const char *error, const char *report, const char *report_path,
    const char *actor, struct arh_err *err)
{
	struct arh_event ev = { "schedule-run", actor, NULL, NULL, NULL,
	    NULL };
	char target[64];
	int rc;

	snprintf(target, sizeof(target), "job %ld run %ld", id, run);
	ev.target = target;
	ev.result = strcmp(status, "done") == 0 ? "ok" : status;
	ev.detail = error != NULL ? error : report_path;
	if ((rc = cat_exec(c, "BEGIN IMMEDIATE", err)) != 0)
		return rc;
	return cat_finish_txn(c, finish(c, id, run, status, job_status,
	    next_run, error, report, report_path, err), &ev, err);
}

static int
recover(struct arh_catalog *c, const char *now, size_t *n,
    struct arh_err *err)
{
	int rc;

	if ((rc = cat_each(c, "recovering runs", "UPDATE job_runs SET "
	    "status = 'interrupted', finished_at = ?1, error = 'the run was "
	    "interrupted (the process running it ended)' WHERE status = "
	    "'running'", no_row, NULL, err, "s", now)) != 0)
		return rc;
	if ((rc = cat_each(c, "recovering jobs", "UPDATE jobs SET status = "
	    "'retrying', next_run = ?1 WHERE status = 'running'", no_row, NULL,
	    err, "s", now)) != 0)
		return rc;
	*n = (size_t)sqlite3_changes(c->db);
	return 0;
}

int
arh_catalog_jobs_recover(struct arh_catalog *c, const char *now, size_t *n,
    struct arh_err *err)
{
	int rc;

	*n = 0;
	if ((rc = cat_exec(c, "BEGIN IMMEDIATE", err)) != 0)
		return rc;
	return cat_finish_txn(c, recover(c, now, n, err), NULL, err);
}

