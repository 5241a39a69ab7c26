/*
 * catalog_destruction.c — destruction lists, approvals and tombstones in the
 * catalog.  The execute step's re-checks and its deletions share one
 * transaction, so nothing can change between "allowed" and "done".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arhiivar/retention.h"
#include "catalog_int.h"
#define ARH_FAULT_WRAP_SQLITE	/* debug builds count sqlite3_step/exec */
#include "fault.h"
#include "util.h"

#define DISPOSAL_COLS "id, status, as_of, method, proposed_at, " \
	"proposed_by, executed_at, executed_by, act"

static void
disposal_row(sqlite3_stmt *st, struct arh_disposal *d)
{
	memset(d, 0, sizeof(*d));
	d->id = (long)sqlite3_column_int64(st, 0);
	cat_col_copy(d->status, sizeof(d->status), st, 1);
	cat_col_copy(d->as_of, sizeof(d->as_of), st, 2);
	cat_col_copy(d->method, sizeof(d->method), st, 3);
	cat_col_copy(d->proposed_at, sizeof(d->proposed_at), st, 4);
	cat_col_copy(d->proposed_by, sizeof(d->proposed_by), st, 5);
	cat_col_copy(d->executed_at, sizeof(d->executed_at), st, 6);
	cat_col_copy(d->executed_by, sizeof(d->executed_by), st, 7);
	cat_col_copy(d->act, sizeof(d->act), st, 8);
}

static int
insert_item(struct arh_catalog *c, sqlite3_stmt *st, long id,
    const json_t *item, struct arh_err *err)
{
	char *tomb;
	int r;

	if ((tomb = json_dumps(json_object_get(item, "tombstone"),
	    JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, id);
	cat_bind_text(st, 2, cat_jstr(item, "archive"));
	cat_bind_text(st, 3, cat_jstr(item, "case_file"));
	cat_bind_text(st, 4, cat_jstr(item, "sha256"));
	cat_bind_text(st, 5, tomb);
	r = sqlite3_step(st);
	free(tomb);
	return r == SQLITE_DONE ? 0 : cat_dberr(c, err, "adding a list item");
}

static int
insert_disposal(struct arh_catalog *c, struct arh_disposal *d,
    const json_t *items, struct arh_err *err)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc = 0;

	if (sqlite3_prepare_v2(c->db, "INSERT INTO disposals (status, as_of, "
	    "method, proposed_at, proposed_by) VALUES ('proposed', ?, ?, ?, "
	    "?)", -1, &st, NULL) != SQLITE_OK)
		return cat_dberr(c, err, "preparing a list");
	cat_bind_text(st, 1, d->as_of);
	cat_bind_text(st, 2, d->method);
	cat_bind_text(st, 3, d->proposed_at);
	cat_bind_text(st, 4, d->proposed_by);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = cat_dberr(c, err, "adding a list");
		goto out;
	}
	d->id = (long)sqlite3_last_insert_rowid(c->db);
	snprintf(d->status, sizeof(d->status), "proposed");
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(c->db, "INSERT INTO disposal_items (disposal, "
	    "archive, case_ref, sha256, tombstone) VALUES (?,?,?,?,?)", -1, &st,
	    NULL) != SQLITE_OK)
		return cat_dberr(c, err, "preparing a list item");
	for (i = 0; rc == 0 && i < json_array_size(items); i++)
		rc = insert_item(c, st, d->id, json_array_get(items, i), err);
out:
	sqlite3_finalize(st);
	return rc;
}

int
arh_catalog_disposal_add(struct arh_catalog *c, struct arh_disposal *d,
    const json_t *items, struct arh_err *err)
{
	struct arh_event ev = { "disposal-propose", d->proposed_by, NULL,
	    NULL, "ok", NULL };
	char target[64], detail[128];
	int rc;

	arh_now_utc(d->proposed_at);
	if ((rc = cat_exec(c, "BEGIN IMMEDIATE", err)) != 0)
		return rc;
	rc = insert_disposal(c, d, items, err);
	snprintf(target, sizeof(target), "disposal %ld", d->id);
	snprintf(detail, sizeof(detail), "%zu archives due on %s",
	    json_array_size(items), d->as_of);
	ev.target = target;
	ev.detail = detail;
	return cat_finish_txn(c, rc, &ev, err);
}

struct rows_json {
	json_t *arr;
	const char *const *cols;
	size_t ncols;
};

static int
rows_json_row(sqlite3_stmt *st, void *arg, struct arh_err *err)
{
	struct rows_json *rj = arg;
	json_t *o, *v;
	const char *t;
	size_t i;

	if ((o = json_object()) == NULL || json_array_append_new(rj->arr, o)
	    != 0)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	for (i = 0; i < rj->ncols; i++) {
		t = (const char *)sqlite3_column_text(st, (int)i);
		/* "tombstone" is stored as JSON text. */
		v = strcmp(rj->cols[i], "tombstone") == 0 ? json_loads(t ? t :
		    "null", JSON_DECODE_ANY, NULL) : json_string(t ? t : "");
		if (v == NULL || json_object_set_new(o, rj->cols[i], v))
			return arh_errf(err, ARH_ENOMEM, "out of memory");
	}
	return 0;
}

/* Rows of `sql` (one ?1 = id) as a JSON array of objects named by cols. */
static int
rows_json(struct arh_catalog *c, const char *sql, long id,
    const char *const *cols, size_t ncols, json_t **out, struct arh_err *err)
{
	struct rows_json rj = { NULL, cols, ncols };
	int rc;

	if ((rj.arr = json_array()) == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	if ((rc = cat_each(c, "reading a list", sql, rows_json_row, &rj, err,
	    "l", id)) != 0)
		json_decref(rj.arr);
	else
		*out = rj.arr;
	return rc;
}

int
arh_catalog_disposal_get(struct arh_catalog *c, long id,
    struct arh_disposal *d, json_t **items, json_t **approvals,
    struct arh_err *err)
{
	static const char *const icols[] = { "archive", "case_file", "sha256",
	    "tombstone" };
	static const char *const acols[] = { "person", "actor", "role", "at" };
	sqlite3_stmt *st;
	int r, rc;

	if (items != NULL)
		*items = NULL;
	if (approvals != NULL)
		*approvals = NULL;
	if (sqlite3_prepare_v2(c->db, "SELECT " DISPOSAL_COLS " FROM "
	    "disposals WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
		return cat_dberr(c, err, "reading a list");
	sqlite3_bind_int64(st, 1, id);
	if ((r = sqlite3_step(st)) == SQLITE_ROW)
		disposal_row(st, d);
	sqlite3_finalize(st);
	if (r == SQLITE_DONE)
		return arh_errf(err, ARH_ENOTFOUND, "no destruction list %ld; "
		    "'arhiivar disposition lists' shows them", id);
	if (r != SQLITE_ROW)
		return cat_dberr(c, err, "reading a list");
	if (items != NULL && (rc = rows_json(c, "SELECT archive, case_ref, "
	    "sha256, tombstone FROM disposal_items WHERE disposal = ?1 "
	    "ORDER BY archive", id, icols, 4, items, err)) != 0)
		return rc;
	if (approvals != NULL && (rc = rows_json(c, "SELECT person, actor, "
	    "role, at FROM disposal_approvals WHERE disposal = ?1 ORDER BY rowid",
	    id, acols, 4, approvals, err)) != 0) {
		if (items != NULL) {
			json_decref(*items);
			*items = NULL;
		}
		return rc;
	}
	return 0;
}

struct disposals_fwd {
	int (*cb)(void *arg, const struct arh_disposal *d);
	void *arg;
};

static int
disposals_row(sqlite3_stmt *st, void *arg, struct arh_err *err)
{
	struct disposals_fwd *f = arg;
	struct arh_disposal d;

	(void)err;
	disposal_row(st, &d);
	return f->cb(f->arg, &d);
}

int
arh_catalog_disposals(struct arh_catalog *c,
    int (*cb)(void *arg, const struct arh_disposal *d), void *arg,
    struct arh_err *err)
{
	struct disposals_fwd f = { cb, arg };

	return cat_each(c, "listing destruction lists", "SELECT "
	    DISPOSAL_COLS " FROM disposals ORDER BY id", disposals_row, &f,
	    err, "");
}

struct pending_fwd {
	int (*cb)(void *arg, const char *archive, long id);
	void *arg;
};

static int
pending_row(sqlite3_stmt *st, void *arg, struct arh_err *err)
{
	struct pending_fwd *f = arg;

	(void)err;
	return f->cb(f->arg, (const char *)sqlite3_column_text(st, 0),
	    (long)sqlite3_column_int64(st, 1));
}

int
arh_catalog_disposal_pending(struct arh_catalog *c,
    int (*cb)(void *arg, const char *archive, long id), void *arg,
    struct arh_err *err)
{
	struct pending_fwd f = { cb, arg };

	return cat_each(c, "listing pending lists", "SELECT i.archive, "
	    "i.disposal FROM disposal_items i JOIN disposals d ON d.id = "
	    "i.disposal WHERE d.status = 'proposed' ORDER BY i.archive",
	    pending_row, &f, err, "");
}

struct approval {
	const char *person, *role;
	char *by, *when;
	size_t nby, nwhen;
};

static int
approval_row(sqlite3_stmt *st, void *arg, struct arh_err *err)
{
	struct approval *a = arg;

	(void)err;
	if (strcmp((const char *)sqlite3_column_text(st, 0), a->person) == 0)
		cat_col_copy(a->when, a->nwhen, st, 2);
	if (strcmp((const char *)sqlite3_column_text(st, 1), a->role) == 0)
		cat_col_copy(a->by, a->nby, st, 0);
	return 0;
}

/* Who approved list id in `role` (into by), or "" — and whether `person`
 * approved it already (into when, else ""). */
static int
approval_of(struct arh_catalog *c, long id, const char *person,
    const char *role, char *by, size_t nby, char *when, size_t nwhen,
    struct arh_err *err)
{
	struct approval a = { person, role, by, when, nby, nwhen };

	*by = *when = '\0';
	return cat_each(c, "reading approvals", "SELECT person, role, at FROM "
	    "disposal_approvals WHERE disposal = ? AND (person = ? OR "
	    "role = ?)", approval_row, &a, err, "lss", id, person, role);
}

static int
insert_approval(struct arh_catalog *c, long id, const char *person,
    const char *actor, const char *const *roles, size_t nroles, char *role,
    struct arh_err *err)
{
	struct arh_disposal d;
	sqlite3_stmt *st;
	char by[300], when[32], now[21], taken[600] = "";
	size_t i;
	int r, rc;

	if ((rc = arh_catalog_disposal_get(c, id, &d, NULL, NULL, err)) != 0)
		return rc;
	if (strcmp(d.status, "proposed") != 0)
		return arh_errf(err, ARH_EUSAGE, "destruction list %ld is %s, "
		    "not awaiting approval", id, d.status);
	*role = '\0';
	for (i = 0; i < nroles && *role == '\0'; i++) {
		if ((rc = approval_of(c, id, person, roles[i], by, sizeof(by),
		    when, sizeof(when), err)) != 0)
			return rc;
		if (*when)
			return arh_errf(err, ARH_EEXIST, "%s approved "
			    "destruction list %ld already (%s); the other "
			    "approval must come from another person", person,
			    id, when);
		if (*by)
			snprintf(taken + strlen(taken), sizeof(taken) -
			    strlen(taken), "%s%s by %s", *taken ? ", " : "",
			    roles[i], by);
		else
			snprintf(role, 32, "%s", roles[i]);
	}
	if (*role == '\0')
		return arh_errf(err, ARH_EEXIST, "destruction list %ld has the "
		    "approvals your roles could give already (%s)", id, taken);
	arh_now_utc(now);
	if (sqlite3_prepare_v2(c->db, "INSERT INTO disposal_approvals "
	    "(disposal, person, actor, role, at) VALUES (?,?,?,?,?)", -1, &st,
	    NULL) != SQLITE_OK)
		return cat_dberr(c, err, "preparing an approval");
	sqlite3_bind_int64(st, 1, id);
	cat_bind_text(st, 2, person);
	cat_bind_text(st, 3, actor);
	cat_bind_text(st, 4, role);
	cat_bind_text(st, 5, now);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : cat_dberr(c, err, "adding an approval");
}

int
arh_catalog_disposal_approve(struct arh_catalog *c, long id,
    const char *person, const char *actor, const char *const *roles,
    size_t nroles, char role[32], struct arh_err *err)
{
	struct arh_event ev = { "disposal-approve", actor, NULL, NULL, "ok",
	    role };
	char target[64];
	int rc;

	snprintf(target, sizeof(target), "disposal %ld", id);
	ev.target = target;
	if ((rc = cat_exec(c, "BEGIN IMMEDIATE", err)) != 0)
		return rc;
	return cat_finish_txn(c, insert_approval(c, id, person, actor, roles,
	    nroles, role, err), &ev, err);
}

#define NFACTS	5	/* text columns of item_facts() */

/* The facts of one list item as the catalog has them now, copied into
 * own[] (freed by the caller): the archive row, the holds in force on it,
 * and the versions of its case file outside the list.  One query. */
static int
item_facts(struct arh_catalog *c, long id, const json_t *item,
    struct arh_disposal_item *it, char *own[NFACTS], struct arh_err *err)
{
	static const char sql[] = "SELECT a.sha256, a.action, a.due, "
	    HOLDS_ON_A ", "
	    "(SELECT group_concat(o.name, ', ') FROM archives o WHERE "
	    "o.case_ref = a.case_ref AND o.name NOT IN (SELECT archive FROM "
	    "disposal_items WHERE disposal = ?2)) "
	    "FROM archives a WHERE a.name = ?1";
	const char **dst[NFACTS];
	sqlite3_stmt *st;
	const char *s;
	int i, r, rc = 0;

	it->archive = cat_jstr(item, "archive");
	it->case_ref = cat_jstr(item, "case_file");
	it->listed_sha256 = cat_jstr(item, "sha256");
	dst[0] = &it->sha256;
	dst[1] = &it->action;
	dst[2] = &it->due;
	dst[3] = &it->holds;
	dst[4] = &it->outside;
	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
		return cat_dberr(c, err, "checking a list item");
	cat_bind_text(st, 1, it->archive);
	sqlite3_bind_int64(st, 2, id);
	if ((r = sqlite3_step(st)) == SQLITE_DONE)
		goto out;	/* present stays 0 */
	if (r != SQLITE_ROW) {
		rc = cat_dberr(c, err, "checking a list item");
		goto out;
	}
	it->present = 1;
	for (i = 0; i < NFACTS && rc == 0; i++) {
		if ((s = (const char *)sqlite3_column_text(st, i)) == NULL)
			continue;
		if ((own[i] = ARH_FAULT_ALLOC(strdup(s))) == NULL)
			rc = arh_errf(err, ARH_ENOMEM, "out of memory");
		else
			*dst[i] = own[i];
	}
out:
	sqlite3_finalize(st);
	return rc;
}

/*
 * The re-check inside the execute transaction: the facts fetched again,
 * decided by arh_disposal_decide() (policy/disposal.c), every reason
 * against into probs.
 */
static int
check_list(struct arh_catalog *c, long id, const char *today,
    struct arh_problems *probs, struct arh_err *err)
{
	struct arh_disposal_facts f = { ARH_DISPOSAL_EXECUTE, today, id, 0, 0,
	    NULL, 0 };
	struct arh_disposal d;
	char rm[300], ap[300], when[32], **own = NULL;
	json_t *items = NULL;
	size_t i, n;
	int rc;

	if ((rc = arh_catalog_disposal_get(c, id, &d, &items, NULL, err)) != 0)
		return rc;
	if (strcmp(d.status, "proposed") != 0) {
		rc = arh_errf(err, ARH_EUSAGE, "destruction list %ld is %s, "
		    "not awaiting execution", id, d.status);
		goto out;
	}
	if ((rc = approval_of(c, id, "", "records-manager", rm, sizeof(rm),
	    when, sizeof(when), err)) != 0 || (rc = approval_of(c, id, "",
	    "approver", ap, sizeof(ap), when, sizeof(when), err)) != 0)
		goto out;
	f.approved_by_records_manager = *rm != '\0';
	f.approved_by_approver = *ap != '\0';
	n = json_array_size(items);
	if ((f.items = ARH_FAULT_ALLOC(calloc(n + 1, sizeof(*f.items)))) ==
	    NULL || (own = ARH_FAULT_ALLOC(calloc(NFACTS * n + 1,
	    sizeof(*own)))) == NULL) {
		rc = arh_errf(err, ARH_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; rc == 0 && i < n; i++)
		rc = item_facts(c, id, json_array_get(items, i), &f.items[i],
		    own + NFACTS * i, err);
	if (rc != 0)
		goto out;
	f.nitems = n;
	if ((rc = arh_disposal_decide(&f, probs)) < 0)
		rc = arh_errf(err, rc, "out of memory");
	else if (rc == 0)
		rc = arh_errf(err, ARH_EINVAL, "destruction list %ld cannot be "
		    "executed; nothing was destroyed", id);
	else
		rc = 0;
out:
	for (i = 0; own != NULL && i < NFACTS * json_array_size(items); i++)
		free(own[i]);
	free(own);
	free(f.items);
	json_decref(items);
	return rc;
}

/* Tombstones in, archive rows out (newest version first: a later version
 * names the earlier one as its previous), one event each. */
static int
destroy_rows(struct arh_catalog *c, long id, const char *actor,
    const char *now, struct arh_err *err)
{
	static const char *const steps[] = {
		"INSERT INTO tombstones (archive, case_ref, sha256, disposal, "
		"destroyed_at, tombstone) SELECT archive, case_ref, sha256, "
		"disposal, ?2, tombstone FROM disposal_items WHERE disposal = ?1",
		"INSERT INTO events (at, actor, kind, archive, target, result, "
		"detail) SELECT ?2, ?3, 'destroy', archive, case_ref, 'ok', "
		"'destruction list ' || disposal FROM disposal_items WHERE "
		"disposal = ?1 ORDER BY archive",
		"DELETE FROM files WHERE archive IN (SELECT archive FROM "
		"disposal_items WHERE disposal = ?1)",
		"DELETE FROM records WHERE archive IN (SELECT archive FROM "
		"disposal_items WHERE disposal = ?1)",
		"UPDATE archives SET previous = NULL WHERE name IN (SELECT "
		"archive FROM disposal_items WHERE disposal = ?1)",
		"DELETE FROM archives WHERE name IN (SELECT archive FROM "
		"disposal_items WHERE disposal = ?1)",
		"UPDATE disposals SET status = 'executing', executed_at = ?2, "
		"executed_by = ?3 WHERE id = ?1",
	};
	sqlite3_stmt *st;
	size_t i;
	int r;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (sqlite3_prepare_v2(c->db, steps[i], -1, &st, NULL)
		    != SQLITE_OK)
			return cat_dberr(c, err, "preparing the destruction");
		sqlite3_bind_int64(st, 1, id);
		if (sqlite3_bind_parameter_count(st) >= 2)
			cat_bind_text(st, 2, now);
		if (sqlite3_bind_parameter_count(st) >= 3)
			cat_bind_text(st, 3, actor);
		r = sqlite3_step(st);
		sqlite3_finalize(st);
		if (r != SQLITE_DONE)
			return cat_dberr(c, err, "recording the destruction");
	}
	return 0;
}

int
arh_catalog_disposal_begin(struct arh_catalog *c, long id,
    const char *actor, const char *today, struct arh_problems *probs,
    struct arh_err *err)
{
	struct arh_event ev = { "disposal-execute", actor, NULL, NULL, "ok",
	    "catalog updated; removing the archive files" };
	char target[64], now[21];
	int rc;

	snprintf(target, sizeof(target), "disposal %ld", id);
	ev.target = target;
	arh_now_utc(now);
	if ((rc = cat_exec(c, "BEGIN IMMEDIATE", err)) != 0)
		return rc;
	if ((rc = check_list(c, id, today, probs, err)) == 0)
		rc = destroy_rows(c, id, actor, now, err);
	return cat_finish_txn(c, rc, &ev, err);
}

int
arh_catalog_disposal_finish(struct arh_catalog *c, long id,
    const char *act, const char *actor, struct arh_err *err)
{
	struct arh_event ev = { "disposal-act", actor, act, NULL, "ok",
	    "destruction act sealed and archived" };
	sqlite3_stmt *st;
	char target[64];
	int r, rc;

	snprintf(target, sizeof(target), "disposal %ld", id);
	ev.target = target;
	if ((rc = cat_exec(c, "BEGIN IMMEDIATE", err)) != 0)
		return rc;
	if (sqlite3_prepare_v2(c->db, "UPDATE disposals SET status = "
	    "'executed', act = ? WHERE id = ? AND status = 'executing'", -1,
	    &st, NULL) != SQLITE_OK)
		return cat_finish_txn(c, cat_dberr(c, err, "closing a list"),
		    NULL, err);
	cat_bind_text(st, 1, act);
	sqlite3_bind_int64(st, 2, id);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		rc = cat_dberr(c, err, "closing a list");
	else if (sqlite3_changes(c->db) != 1)
		rc = arh_errf(err, ARH_EUSAGE, "destruction list %ld is not "
		    "being executed", id);
	return cat_finish_txn(c, rc, &ev, err);
}

#define TOMBSTONE_COLS "t.tombstone, t.destroyed_at, t.disposal, d.act, " \
	"t.sha256"

/* The stored tombstone with when, by which list and act it was destroyed
 * (the act is not known until after the tombstone is written). */
static json_t *
tombstone_json(sqlite3_stmt *st)
{
	json_t *t = json_loads((const char *)sqlite3_column_text(st, 0), 0,
	    NULL);

	if (t == NULL || json_object_set_new(t, "destroyed_at", json_string(
	    (const char *)sqlite3_column_text(st, 1))) != 0 ||
	    json_object_set_new(t, "destruction_list", json_integer(
	    sqlite3_column_int64(st, 2))) != 0 || (sqlite3_column_type(st, 3)
	    != SQLITE_NULL && json_object_set_new(t, "act", json_string(
	    (const char *)sqlite3_column_text(st, 3))) != 0)) {
		json_decref(t);
		return NULL;
	}
	return t;
}

int
arh_catalog_tombstone(struct arh_catalog *c, const char *name,
    char sha256[65], json_t **tombstone, struct arh_err *err)
{
	sqlite3_stmt *st;
	int r, rc = 0;

	if (tombstone != NULL)
		*tombstone = NULL;
	if (sqlite3_prepare_v2(c->db, "SELECT " TOMBSTONE_COLS " FROM "
	    "tombstones t JOIN disposals d ON d.id = t.disposal WHERE "
	    "t.archive = ?", -1, &st, NULL) != SQLITE_OK)
		return cat_dberr(c, err, "reading a tombstone");
	cat_bind_text(st, 1, name);
	if ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (sha256 != NULL)
			cat_col_copy(sha256, 65, st, 4);
		if (tombstone != NULL && (*tombstone = tombstone_json(st)) ==
		    NULL)
			rc = arh_errf(err, ARH_ECATALOG, "catalog: the tombstone "
			    "of %s is not JSON", name);
	} else if (r == SQLITE_DONE)
		rc = arh_errf(err, ARH_ENOTFOUND, "no tombstone of %s", name);
	else
		rc = cat_dberr(c, err, "reading a tombstone");
	sqlite3_finalize(st);
	return rc;
}

int
arh_catalog_tombstone_case(struct arh_catalog *c, const char *case_ref,
    char *name, size_t n, long *disposal, struct arh_err *err)
{
	sqlite3_stmt *st;
	int r, rc = 0;

	if (sqlite3_prepare_v2(c->db, "SELECT archive, disposal FROM "
	    "tombstones WHERE case_ref = ? ORDER BY archive LIMIT 1", -1, &st,
	    NULL) != SQLITE_OK)
		return cat_dberr(c, err, "reading tombstones");
	cat_bind_text(st, 1, case_ref);
	if ((r = sqlite3_step(st)) == SQLITE_ROW) {
		cat_col_copy(name, n, st, 0);
		*disposal = (long)sqlite3_column_int64(st, 1);
	} else if (r == SQLITE_DONE)
		rc = ARH_ENOTFOUND;
	else
		rc = cat_dberr(c, err, "reading tombstones");
	sqlite3_finalize(st);
	return rc;
}

struct tombstones_fwd {
	int (*cb)(void *arg, const json_t *tombstone);
	void *arg;
};

static int
tombstones_row(sqlite3_stmt *st, void *arg, struct arh_err *err)
{
	struct tombstones_fwd *f = arg;
	json_t *t;
	int rc;

	if ((t = tombstone_json(st)) == NULL)
		return arh_errf(err, ARH_ECATALOG, "catalog: a tombstone is "
		    "not JSON");
	rc = f->cb(f->arg, t);
	json_decref(t);
	return rc;
}

int
arh_catalog_tombstones(struct arh_catalog *c,
    int (*cb)(void *arg, const json_t *tombstone), void *arg,
    struct arh_err *err)
{
	struct tombstones_fwd f = { cb, arg };

	return cat_each(c, "listing tombstones", "SELECT " TOMBSTONE_COLS
	    " FROM tombstones t JOIN disposals d ON d.id = t.disposal ORDER BY "
	    "t.archive", tombstones_row, &f, err, "");
}
