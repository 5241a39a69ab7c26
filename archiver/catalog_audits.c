/*
 * catalog_audits.c — the audits table: the last fixity audit of each
 * archive, and the rotation that picks the next one.
 */
#include <stdio.h>
#include <string.h>

#include "catalog_int.h"
#include "util.h"

#define AUDIT_COLS "archive, verified_at, result, coalesce(detail, '')"

static int
audit_row(sqlite3_stmt *st, void *arg, struct arh_err *err)
{
	struct arh_audit *a = arg;

	(void)err;
	cat_col_copy(a->archive, sizeof(a->archive), st, 0);
	cat_col_copy(a->verified_at, sizeof(a->verified_at), st, 1);
	cat_col_copy(a->result, sizeof(a->result), st, 2);
	cat_col_copy(a->detail, sizeof(a->detail), st, 3);
	return 1;
}

/* One row into a, or ARH_ENOTFOUND with `none`. */
static int
audit_one(struct arh_catalog *c, const char *sql, const char *arg,
    struct arh_audit *a, const char *none, struct arh_err *err)
{
	int rc;

	memset(a, 0, sizeof(*a));
	rc = cat_each_cached(c, "reading audits", sql, audit_row, a, err, "s",
	    arg);
	if (rc == 1)
		return 0;
	return rc != 0 ? rc : arh_errf(err, ARH_ENOTFOUND, "%s", none);
}

int
arh_catalog_audit_record(struct arh_catalog *c, const char *archive,
    const char *result, const char *detail, const char *actor,
    struct arh_err *err)
{
	struct arh_event ev = { "audit", actor, archive, NULL, result, detail };
	char now[21];
	int rc;

	arh_now_utc(now);
	if ((rc = cat_exec(c, "BEGIN IMMEDIATE", err)) != 0)
		return rc;
	/* An archive destroyed meanwhile has no row to update: only the
	 * event says what was found. */
	rc = cat_each(c, "recording an audit", "UPDATE audits SET "
	    "verified_at = ?, result = ?, detail = ? WHERE archive = ?", NULL,
	    NULL, err, "ssss", now, result, detail, archive);
	return cat_finish_txn(c, rc, &ev, err);
}

int
arh_catalog_audit_next(struct arh_catalog *c, const char *before,
    struct arh_audit *a, struct arh_err *err)
{
	return audit_one(c, "SELECT " AUDIT_COLS " FROM audits WHERE "
	    "verified_at < ? ORDER BY verified_at, archive LIMIT 1", before, a,
	    "no archive is due for an audit", err);
}

int
arh_catalog_audit_get(struct arh_catalog *c, const char *archive,
    struct arh_audit *a, struct arh_err *err)
{
	return audit_one(c, "SELECT " AUDIT_COLS " FROM audits WHERE "
	    "archive = ?", archive, a, "no audit of that archive", err);
}

struct each_audit {
	int	(*cb)(void *arg, const struct arh_audit *a);
	void	*arg;
};

static int
failed_row(sqlite3_stmt *st, void *arg, struct arh_err *err)
{
	struct each_audit *e = arg;
	struct arh_audit a;

	audit_row(st, &a, err);
	return e->cb(e->arg, &a);
}

int
arh_catalog_audits_failed(struct arh_catalog *c,
    int (*cb)(void *arg, const struct arh_audit *a), void *arg,
    struct arh_err *err)
{
	struct each_audit e = { cb, arg };

	return cat_each(c, "reading failed audits", "SELECT " AUDIT_COLS
	    " FROM audits WHERE result = 'failed' ORDER BY verified_at, "
	    "archive", failed_row, &e, err, "");
}

static int
count_row(sqlite3_stmt *st, void *arg, struct arh_err *err)
{
	long *v = arg;
	const char *r = (const char *)sqlite3_column_text(st, 0);
	long n = (long)sqlite3_column_int64(st, 1);

	(void)err;
	if (r == NULL)
		return 0;
	if (strcmp(r, "pending") == 0)
		v[0] = n;
	else if (strcmp(r, "ok") == 0)
		v[1] = n;
	else if (strcmp(r, "failed") == 0)
		v[2] = n;
	return 0;
}

int
arh_catalog_audit_counts(struct arh_catalog *c, long *pending, long *ok,
    long *failed, struct arh_err *err)
{
	long v[3] = { 0, 0, 0 };
	int rc;

	rc = cat_each(c, "counting audits", "SELECT result, count(*) FROM "
	    "audits GROUP BY result", count_row, v, err, "");
	*pending = v[0];
	*ok = v[1];
	*failed = v[2];
	return rc;
}

int
arh_catalog_audit_request(struct arh_catalog *c, const char *archive,
    struct arh_err *err)
{
	/* verified_at "" sorts first: due at once, the result kept until
	 * the audit replaces it (a failure is never wiped by a request). */
	if (archive == NULL)
		return cat_each(c, "requesting audits", "UPDATE audits SET "
		    "verified_at = ''", NULL, NULL, err, "");
	return cat_each(c, "requesting an audit", "UPDATE audits SET "
	    "verified_at = '' WHERE archive = ?", NULL, NULL, err, "s",
	    archive);
}
