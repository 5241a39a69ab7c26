/*
 * catalog_access.c — extensions of access restrictions in the catalog.
 * An extension is a decision taken after archiving, so it lives beside
 * the archives (like holds) and is laid over the sealed end date whenever
 * record rows are written.
 */
#include <stdio.h>
#include <string.h>

#include "catalog_int.h"
#define ARH_FAULT_WRAP_SQLITE	/* debug builds count sqlite3_step/exec */
#include "fault.h"
#include "util.h"

int
cat_apply_extensions(struct arh_catalog *c, const char *archive,
    struct arh_err *err)
{
	/* Internal-use records only: a public record has no end to move.
	 * One archive: its own statement, so that the primary key of records
	 * is used (an ingest must not scan every record). */
#define EXT_SQL "UPDATE records SET access_end = e.new_end, " \
	    "metadata = json_set(metadata, '$.access.end', e.new_end) " \
	    "FROM extensions e WHERE records.reference = e.reference AND " \
	    "records.access = 'internal'"
	static const char all[] = EXT_SQL;
	static const char one[] = EXT_SQL " AND records.archive = ?1";
#undef EXT_SQL
	sqlite3_stmt *st;
	int r;

	if (sqlite3_prepare_v2(c->db, archive ? one : all, -1, &st, NULL) !=
	    SQLITE_OK)
		return cat_dberr(c, err, "preparing extensions");
	if (archive != NULL)
		cat_bind_text(st, 1, archive);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : cat_dberr(c, err, "applying extensions");
}

static int
insert_extension(struct arh_catalog *c, const char *reference,
    const char *previous_end, const char *new_end, const char *reason,
    const char *actor, struct arh_err *err)
{
	sqlite3_stmt *st;
	char now[21];
	int r;

	arh_now_utc(now);
	if (sqlite3_prepare_v2(c->db, "INSERT INTO extensions (reference, "
	    "previous_end, new_end, reason, actor, at) VALUES (?,?,?,?,?,?)",
	    -1, &st, NULL) != SQLITE_OK)
		return cat_dberr(c, err, "preparing an extension");
	cat_bind_text(st, 1, reference);
	cat_bind_text(st, 2, previous_end);
	cat_bind_text(st, 3, new_end);
	cat_bind_text(st, 4, reason);
	cat_bind_text(st, 5, actor);
	cat_bind_text(st, 6, now);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r == SQLITE_CONSTRAINT)
		return arh_errf(err, ARH_EEXIST, "the restriction of %s was "
		    "extended already; it may be extended only once", reference);
	if (r != SQLITE_DONE)
		return cat_dberr(c, err, "adding an extension");
	return cat_apply_extensions(c, NULL, err);
}

int
arh_catalog_extension_add(struct arh_catalog *c, const char *reference,
    const char *previous_end, const char *new_end, const char *reason,
    const char *actor, struct arh_err *err)
{
	struct arh_event ev = { "access-extend", actor, NULL, reference, "ok",
	    NULL };
	char detail[700];
	int rc;

	snprintf(detail, sizeof(detail), "%s -> %s: %s", previous_end,
	    new_end, reason);
	ev.detail = detail;
	if ((rc = cat_exec(c, "BEGIN IMMEDIATE", err)) != 0)
		return rc;
	return cat_finish_txn(c, insert_extension(c, reference, previous_end,
	    new_end, reason, actor, err), &ev, err);
}

int
arh_catalog_extended(struct arh_catalog *c, const char *reference,
    char *at, char *by, char *reason, struct arh_err *err)
{
	sqlite3_stmt *st;
	int r, rc = 0;

	if (sqlite3_prepare_v2(c->db, "SELECT at, actor, reason FROM "
	    "extensions WHERE reference = ?", -1, &st, NULL) != SQLITE_OK)
		return cat_dberr(c, err, "reading extensions");
	cat_bind_text(st, 1, reference);
	if ((r = sqlite3_step(st)) == SQLITE_ROW) {
		rc = 1;
		if (at != NULL)
			cat_col_copy(at, 32, st, 0);
		if (by != NULL)
			cat_col_copy(by, 300, st, 1);
		if (reason != NULL)
			cat_col_copy(reason, 512, st, 2);
	} else if (r != SQLITE_DONE)
		rc = cat_dberr(c, err, "reading extensions");
	sqlite3_finalize(st);
	return rc;
}

int
arh_catalog_record_latest(struct arh_catalog *c, const char *reference,
    char archive[256], json_t **meta, struct arh_err *err)
{
	sqlite3_stmt *st;
	int r, rc = 0;

	*meta = NULL;
	if (sqlite3_prepare_v2(c->db, "SELECT r.archive, r.metadata FROM "
	    "records r JOIN archives a ON a.name = r.archive WHERE "
	    "r.reference = ? ORDER BY a.created DESC, a.name DESC LIMIT 1",
	    -1, &st, NULL) != SQLITE_OK)
		return cat_dberr(c, err, "reading a record");
	cat_bind_text(st, 1, reference);
	if ((r = sqlite3_step(st)) == SQLITE_ROW) {
		cat_col_copy(archive, 256, st, 0);
		if ((*meta = json_loads((const char *)sqlite3_column_text(st,
		    1), 0, NULL)) == NULL)
			rc = arh_errf(err, ARH_ECATALOG, "catalog: the metadata "
			    "of %s is not JSON", reference);
	} else if (r == SQLITE_DONE)
		rc = arh_errf(err, ARH_ENOTFOUND, "no record %s in the catalog; "
		    "'arhiivar find %s' searches", reference, reference);
	else
		rc = cat_dberr(c, err, "reading a record");
	sqlite3_finalize(st);
	return rc;
}
