/*
 * catalog_api.c — the catalog queries of the verification API: a page of
 * archives (keyset paging by name), an archive's disposition and holds,
 * and counts for /metrics.
 */
#include <stdio.h>
#include <string.h>

#include "catalog_int.h"
#define ARH_FAULT_WRAP_SQLITE	/* debug builds count sqlite3_step/exec */
#include "fault.h"

struct page_fwd {
	int (*cb)(void *arg, const struct arh_archive_row *row);
	void *arg;
};

static int
page_row(sqlite3_stmt *st, void *arg, struct arh_err *err)
{
	struct page_fwd *f = arg;
	struct arh_archive_row row;

	(void)err;
	cat_archive_row(st, &row);
	return f->cb(f->arg, &row);
}

int
arh_catalog_page(struct arh_catalog *c, const char *series, int year,
    const char *after, int limit,
    int (*cb)(void *arg, const struct arh_archive_row *row), void *arg,
    struct arh_err *err)
{
	/* The primary key orders and skips: no OFFSET, every page costs
	 * the same.  A case file reference ends in "/YEAR". */
	static const char sql[] = "SELECT " ARCHIVE_COLS " FROM archives a "
	    "WHERE a.name > ?1 AND (?2 IS NULL OR a.series = ?2) AND "
	    "(?3 = 0 OR a.case_ref LIKE '%/' || ?3) ORDER BY a.name LIMIT ?4";
	struct page_fwd f = { cb, arg };

	return cat_each_cached(c, "listing archives", sql, page_row, &f, err,
	    "ssdd",
	    after != NULL ? after : "", series, year, limit);
}

static int
disposition_row(sqlite3_stmt *st, void *arg, struct arh_err *err)
{
	struct arh_disposition *d = arg;

	(void)err;
	cat_col_copy(d->action, sizeof(d->action), st, 0);
	cat_col_copy(d->due, sizeof(d->due), st, 1);
	cat_col_copy(d->holds, sizeof(d->holds), st, 2);
	return 1;
}

int
arh_catalog_disposition(struct arh_catalog *c, const char *name,
    struct arh_disposition *d, struct arh_err *err)
{
	static const char sql[] = "SELECT a.action, a.due, " HOLDS_ON_A
	    " FROM archives a WHERE a.name = ?";
	int rc;

	memset(d, 0, sizeof(*d));
	rc = cat_each_cached(c, "reading a disposition", sql, disposition_row,
	    d,
	    err, "s", name);
	if (rc == 1)
		return 0;
	return rc != 0 ? rc : arh_errf(err, ARH_ENOTFOUND, "no archive '%s'",
	    name);
}

static int
count_row(sqlite3_stmt *st, void *arg, struct arh_err *err)
{
	struct arh_catalog_counts *n = arg;

	(void)err;
	n->archives = sqlite3_column_int64(st, 0);
	n->records = sqlite3_column_int64(st, 1);
	n->files = sqlite3_column_int64(st, 2);
	n->bytes = sqlite3_column_int64(st, 3);
	n->audits_failed = sqlite3_column_int64(st, 4);
	n->holds = sqlite3_column_int64(st, 5);
	return 0;
}

int
arh_catalog_counts(struct arh_catalog *c, struct arh_catalog_counts *n,
    struct arh_err *err)
{
	/* The archive rows carry their record and file counts: no scan of
	 * records or files. */
	memset(n, 0, sizeof(*n));
	return cat_each(c, "counting", "SELECT (SELECT count(*) FROM "
	    "archives), (SELECT coalesce(sum(nrecords), 0) FROM archives), "
	    "(SELECT coalesce(sum(nfiles), 0) FROM archives), (SELECT "
	    "coalesce(sum(size), 0) FROM archives), (SELECT count(*) FROM "
	    "audits WHERE result = 'failed'), (SELECT count(*) FROM holds WHERE "
	    "released_at IS NULL)", count_row, n, err, "");
}
