/*
 * catalog_int.h — what the catalog's source files share.  Only catalog*.c
 * include it: the rest of Arhiivar sees include/arhiivar/catalog.h.
 */
#ifndef ARHIIVAR_CATALOG_INT_H
#define ARHIIVAR_CATALOG_INT_H

#include <sqlite3.h>
#include <jansson.h>

#include "arhiivar/catalog.h"

/* A statement kept prepared across calls (cat_each_cached()). */
struct cat_cached {
	const char	*sql;		/* its text, by address: a literal */
	sqlite3_stmt	*st;
	int		 busy;		/* stepping now (a nested call of the
					 * same query prepares its own) */
};

#define CAT_NCACHED	16

struct arh_catalog {
	sqlite3	*db;
	int	 readonly;	/* opened with arh_catalog_open_readonly() */
	int	 spoolfd;	/* read-only: the event drop box, or -1 */
	int	 spoolerr;	/* why spoolfd is -1 (errno) */
	char	*spool;		/* its path */
	struct cat_cached cached[CAT_NCACHED];
	size_t	 ncached;
	int	 unlogged;	/* this transaction inserted an event that
				 * has no leaf yet (catalog_log.c) */
};

#define ARCHIVE_COLS "a.name, a.case_ref, a.series, a.version, " \
	"a.previous, a.path, a.size, a.sha256, a.signer, a.created, " \
	"a.nrecords, a.nfiles"

/* The ids of the holds in force on archive row `a` (on the archive, its
 * case file or its series), comma-separated, or NULL: the one place that
 * says what a hold covers (disposition due, and the execute re-check). */
#define HOLDS_ON_A "(SELECT group_concat(h.id, ',') FROM holds h WHERE " \
	"h.released_at IS NULL AND ((h.kind = 'archive' AND " \
	"h.target = a.name) OR (h.kind = 'case' AND h.target = a.case_ref) " \
	"OR (h.kind = 'series' AND h.target = a.series)))"

/* "catalog: WHAT: sqlite message" as ARH_ECATALOG. */
int cat_dberr(struct arh_catalog *c, struct arh_err *err, const char *what);
/* Run SQL without results; ARH_ECATALOG with SQLite's message. */
int cat_exec(struct arh_catalog *c, const char *sql, struct arh_err *err);
/* Prepare sql, bind the arguments after `bind` as it spells them ('s' a
 * string or NULL, 'd' an int, 'l' a long, "" for none), and hand each
 * result row to row() until it returns nonzero.  Returns that code as it
 * is, 0 when the rows run out, or "catalog: WHAT: sqlite message" as
 * ARH_ECATALOG.  The one prepare-step-finalize loop of the catalog. */
int cat_each(struct arh_catalog *c, const char *what, const char *sql,
    int (*row)(sqlite3_stmt *st, void *arg, struct arh_err *err), void *arg,
    struct arh_err *err, const char *bind, ...);
/* cat_each() on a statement kept prepared on c for the next call (reset
 * and its bindings cleared after every use, on every path; finalized by
 * arh_catalog_free()): for the hot read queries.  sql must be a string
 * literal or static array — the cache knows it by its address. */
int cat_each_cached(struct arh_catalog *c, const char *what, const char *sql,
    int (*row)(sqlite3_stmt *st, void *arg, struct arh_err *err), void *arg,
    struct arh_err *err, const char *bind, ...);
/* Bind s, or NULL as SQL NULL. */
void cat_bind_text(sqlite3_stmt *st, int i, const char *s);
/* Record ev; outside a transaction it is one of its own, with its leaf. */
int cat_insert_event(struct arh_catalog *c, const struct arh_event *ev,
    struct arh_err *err);
/* COMMIT a write transaction, after appending a log leaf for each event it
 * recorded (catalog_log.c).  Every write transaction ends here. */
int cat_commit(struct arh_catalog *c, struct arh_err *err);
/* The leaves of the events not yet in the log. */
int cat_log_pending(struct arh_catalog *c, struct arh_err *err);
/* Hooks on c's connection that turn a COMMIT of an event without its leaf
 * into a rollback, whatever path inserted the event. */
void cat_log_guard(struct arh_catalog *c);
/* End a BEGIN IMMEDIATE transaction: rc 0 records ev and COMMITs, else
 * (or if that fails) ROLLBACK.  Returns the outcome. */
int cat_finish_txn(struct arh_catalog *c, int rc, const struct arh_event *ev,
    struct arh_err *err);
/* Column i as text into dst ("" for NULL), truncated to n. */
void cat_col_copy(char *dst, size_t n, sqlite3_stmt *st, int i);
/* Columns 0..11 in ARCHIVE_COLS order. */
void cat_archive_row(sqlite3_stmt *st, struct arh_archive_row *r);
/* o[key] as a string, or NULL. */
const char *cat_jstr(const json_t *o, const char *key);

/* Give the records of `archive` the end dates of their restrictions
 * extensions (`access extend`): the sealed end stays in the archive. */
int cat_apply_extensions(struct arh_catalog *c, const char *archive,
    struct arh_err *err);

#endif
