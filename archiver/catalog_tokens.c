/*
 * catalog_tokens.c — the API's bearer tokens in the catalog (schema 8,
 * table tokens): only their SHA-256 is stored.  See token.h.
 */
#include <stdio.h>
#include <string.h>

#include "arhiivar/token.h"
#include "catalog_int.h"
#define ARH_FAULT_WRAP_SQLITE	/* debug builds count sqlite3_step/exec */
#include "fault.h"
#include "util.h"

static int
insert_token(struct arh_catalog *c, const char *hash, const char *role,
    const char *label, const char *actor, long *id, struct arh_err *err)
{
	static const char sql[] = "INSERT INTO tokens (hash, role, label, "
	    "created_at, created_by) VALUES (?,?,?,?,?)";
	sqlite3_stmt *st;
	char now[21];
	int r;

	arh_now_utc(now);
	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
		return cat_dberr(c, err, "preparing a token");
	cat_bind_text(st, 1, hash);
	cat_bind_text(st, 2, role);
	cat_bind_text(st, 3, label);
	cat_bind_text(st, 4, now);
	cat_bind_text(st, 5, actor);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return cat_dberr(c, err, "adding a token");
	*id = (long)sqlite3_last_insert_rowid(c->db);
	return 0;
}

int
arh_catalog_token_add(struct arh_catalog *c, const char *hash,
    const char *role, const char *label, const char *actor, long *id,
    struct arh_err *err)
{
	struct arh_event ev = { "token-add", actor, NULL, NULL, "ok", NULL };
	char target[64], detail[320];
	int rc;

	*id = 0;
	if ((rc = cat_exec(c, "BEGIN IMMEDIATE", err)) != 0)
		return rc;
	rc = insert_token(c, hash, role, label, actor, id, err);
	snprintf(target, sizeof(target), "token %ld", *id);
	snprintf(detail, sizeof(detail), "role %s%s%s", role,
	    label != NULL ? ", label " : "", label != NULL ? label : "");
	ev.target = target;
	ev.detail = detail;
	return cat_finish_txn(c, rc, &ev, err);
}

struct tokens_fwd {
	int (*cb)(void *arg, const struct arh_token *t);
	void *arg;
};

static int
tokens_row(sqlite3_stmt *st, void *arg, struct arh_err *err)
{
	struct tokens_fwd *f = arg;
	struct arh_token t;

	(void)err;
	memset(&t, 0, sizeof(t));
	t.id = (long)sqlite3_column_int64(st, 0);
	cat_col_copy(t.role, sizeof(t.role), st, 1);
	cat_col_copy(t.label, sizeof(t.label), st, 2);
	cat_col_copy(t.created_at, sizeof(t.created_at), st, 3);
	cat_col_copy(t.created_by, sizeof(t.created_by), st, 4);
	cat_col_copy(t.revoked_at, sizeof(t.revoked_at), st, 5);
	return f->cb(f->arg, &t);
}

int
arh_catalog_tokens(struct arh_catalog *c,
    int (*cb)(void *arg, const struct arh_token *t), void *arg,
    struct arh_err *err)
{
	struct tokens_fwd f = { cb, arg };

	return cat_each(c, "listing tokens", "SELECT id, role, label, "
	    "created_at, created_by, revoked_at FROM tokens ORDER BY id",
	    tokens_row, &f, err, "");
}

static int
revoke_token(struct arh_catalog *c, long id, struct arh_err *err)
{
	sqlite3_stmt *st;
	char now[21];
	int r;

	arh_now_utc(now);
	if (sqlite3_prepare_v2(c->db, "UPDATE tokens SET revoked_at = ? "
	    "WHERE id = ? AND revoked_at IS NULL", -1, &st, NULL) != SQLITE_OK)
		return cat_dberr(c, err, "preparing a revocation");
	cat_bind_text(st, 1, now);
	sqlite3_bind_int64(st, 2, id);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return cat_dberr(c, err, "revoking a token");
	if (sqlite3_changes(c->db) != 1)
		return arh_errf(err, ARH_ENOTFOUND, "no valid token %ld; "
		    "'arhiivar token list' shows them", id);
	return 0;
}

int
arh_catalog_token_revoke(struct arh_catalog *c, long id, const char *actor,
    struct arh_err *err)
{
	struct arh_event ev = { "token-revoke", actor, NULL, NULL, "ok", NULL };
	char target[64];
	int rc;

	snprintf(target, sizeof(target), "token %ld", id);
	ev.target = target;
	if ((rc = cat_exec(c, "BEGIN IMMEDIATE", err)) != 0)
		return rc;
	return cat_finish_txn(c, revoke_token(c, id, err), &ev, err);
}

static int
role_row(sqlite3_stmt *st, void *arg, struct arh_err *err)
{
	(void)err;
	cat_col_copy(arg, 32, st, 0);
	return 1;
}

int
arh_catalog_token_role(struct arh_catalog *c, const char *hash,
    char role[32], struct arh_err *err)
{
	int rc;

	role[0] = '\0';
	rc = cat_each_cached(c, "looking up a token", "SELECT role FROM "
	    "tokens WHERE hash = ? AND revoked_at IS NULL", role_row, role,
	    err, "s", hash);
	if (rc == 1)
		return 0;
	return rc != 0 ? rc : arh_errf(err, ARH_ENOTFOUND, "unknown or "
	    "revoked token");
}
