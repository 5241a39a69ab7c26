/*
 * catalog_log.c — the event log's Merkle tree in the catalog (FORMAT.md
 * 11).  Every write transaction appends a leaf for each event it records
 * before it commits (cat_commit()), so no event is ever committed without
 * its leaf; the commit hook refuses a transaction that would.  The hashes
 * of complete subtrees are stored (level L, index i covers leaves
 * [i·2^L, (i+1)·2^L)): level 0, the leaf hashes, in log_leaves beside
 * their entries, the levels above in log_nodes.  So appending and proving
 * read O(log n) rows, and `log verify` rebuilds the whole tree in one
 * ordered pass.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "arhiivar/log.h"
#include "arhiivar/merkle.h"
#include "arhiivar/note.h"
#include "catalog_int.h"
#define ARH_FAULT_WRAP_SQLITE	/* debug builds count sqlite3_step/exec */
#include "fault.h"
#include "util.h"

/* ---- the node store: what merkle.c reads and writes ---- */

struct nodes {
	struct arh_catalog *c;
	sqlite3_stmt	*get, *get0, *put;
};

static int
node_get(void *arg, unsigned level, uint64_t index, unsigned char out[32],
    struct arh_err *err)
{
	struct nodes *n = arg;
	sqlite3_stmt *st = level == 0 ? n->get0 : n->get;
	int r;

	sqlite3_reset(st);
	if (level == 0)
		sqlite3_bind_int64(st, 1, (sqlite3_int64)index);
	else {
		sqlite3_bind_int(st, 1, (int)level);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)index);
	}
	if ((r = sqlite3_step(st)) == SQLITE_ROW &&
	    sqlite3_column_bytes(st, 0) == 32) {
		memcpy(out, sqlite3_column_blob(st, 0), 32);
		sqlite3_reset(st);
		return 0;
	}
	sqlite3_reset(st);
	/* A node the tree must have is gone or damaged: the stored log
	 * was changed, a finding, not a failure to read it. */
	if (r == SQLITE_ROW || r == SQLITE_DONE)
		return arh_errf(err, ARH_EVERIFY, "catalog: the log's node "
		    "(level %u, index %llu) is missing or damaged; run "
		    "'arhiivar log verify'", level, (unsigned long long)index);
	return cat_dberr(n->c, err, "reading the log's tree");
}

static int
node_put(void *arg, unsigned level, uint64_t index, const unsigned char h[32],
    struct arh_err *err)
{
	struct nodes *n = arg;
	int r;

	/* A leaf's hash went in with its row (cat_log_pending()). */
	if (level == 0)
		return 0;
	sqlite3_reset(n->put);
	sqlite3_bind_int(n->put, 1, (int)level);
	sqlite3_bind_int64(n->put, 2, (sqlite3_int64)index);
	sqlite3_bind_blob(n->put, 3, h, 32, SQLITE_STATIC);
	r = sqlite3_step(n->put);
	sqlite3_reset(n->put);
	return r == SQLITE_DONE ? 0 : cat_dberr(n->c, err, "storing the log's "
	    "tree");
}

static void
nodes_close(struct nodes *n)
{
	sqlite3_finalize(n->get);
	sqlite3_finalize(n->get0);
	sqlite3_finalize(n->put);
	n->get = n->get0 = n->put = NULL;
}

static int
nodes_open(struct arh_catalog *c, struct nodes *n, struct arh_merkle_store *s,
    int writing, struct arh_err *err)
{
	n->c = c;
	n->get = n->get0 = n->put = NULL;
	if (sqlite3_prepare_v2(c->db, "SELECT hash FROM log_nodes WHERE "
	    "level = ? AND idx = ?", -1, &n->get, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->db, "SELECT hash FROM log_leaves WHERE "
	    "idx = ?", -1, &n->get0, NULL) != SQLITE_OK ||
	    (writing && sqlite3_prepare_v2(c->db, "INSERT INTO log_nodes "
	    "(level, idx, hash) VALUES (?,?,?)", -1, &n->put, NULL) !=
	    SQLITE_OK)) {
		nodes_close(n);
		return cat_dberr(c, err, "preparing the log's tree");
	}
	s->get = node_get;
	s->put = node_put;
	s->arg = n;
	return 0;
}


/* ---- appending ---- */

static const char *
col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* The number of leaves, and the id of the last logged event (0: none). */
static int
log_end(struct arh_catalog *c, uint64_t *size, long long *last,
    struct arh_err *err)
{
	sqlite3_stmt *st;
	int r;

	if (sqlite3_prepare_v2(c->db, "SELECT coalesce(max(idx) + 1, 0), "
	    "coalesce(max(event), 0) FROM log_leaves", -1, &st, NULL) !=
	    SQLITE_OK)
		return cat_dberr(c, err, "reading the log");
	if ((r = sqlite3_step(st)) == SQLITE_ROW) {
		*size = (uint64_t)sqlite3_column_int64(st, 0);
		if (last != NULL)
			*last = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return r == SQLITE_ROW ? 0 : cat_dberr(c, err, "reading the log");
}

/* The fields of an event row of PENDING_COLS into f (index, salt aside). */
#define EVENT_COLS "e.id, e.at, e.actor, e.kind, e.archive, e.target, " \
	"e.result, e.detail"
static void
event_fields(sqlite3_stmt *st, int base, struct arh_log_fields *f)
{
	f->event = sqlite3_column_int64(st, base);
	f->at = col(st, base + 1);
	f->actor = col(st, base + 2);
	f->kind = col(st, base + 3);
	f->archive = col(st, base + 4);
	f->target = col(st, base + 5);
	f->result = col(st, base + 6);
	f->detail = col(st, base + 7);
}

/*
 * A leaf for every event not yet in the log, in the order of their ids.
 * An ingest (or the recovery that catalogues an archive) carries the
 * archive file's SHA-256 and its tag manifest's SHA-512, as catalogued in
 * this same transaction.
 */
int
cat_log_pending(struct arh_catalog *c, struct arh_err *err)
{
	/* The digests are looked up only for the events that catalogue an
	 * archive: most events are verifications and restores. */
	static const char sql[] = "SELECT " EVENT_COLS ", "
	    "CASE WHEN e.kind IN ('ingest', 'recovery', 'rebuild') THEN "
	    "(SELECT a.sha256 FROM archives a WHERE a.name = e.archive) END, "
	    "CASE WHEN e.kind IN ('ingest', 'recovery', 'rebuild') THEN "
	    "(SELECT f.sha512 FROM files f WHERE f.archive = e.archive AND "
	    "f.path = 'tagmanifest-sha512.txt') END "
	    "FROM events e WHERE e.id > ? ORDER BY e.id";
	struct arh_merkle_store s;
	struct nodes n;
	sqlite3_stmt *ev = NULL, *ins = NULL;
	struct arh_log_fields f;
	unsigned char salts[64 * ARH_LOG_SALT], *salt, leaf[32];
	size_t nsalt = 0;
	char *entry = NULL;
	size_t len;
	uint64_t size;
	long long last;
	int rc, r;

	if ((rc = log_end(c, &size, &last, err)) != 0)
		return rc;
	if ((rc = nodes_open(c, &n, &s, 1, err)) != 0)
		return rc;
	if (sqlite3_prepare_v2(c->db, sql, -1, &ev, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->db, "INSERT INTO log_leaves (idx, event, "
	    "salt, entry, hash) VALUES (?,?,?,?,?)", -1, &ins, NULL) !=
	    SQLITE_OK) {
		rc = cat_dberr(c, err, "preparing the log");
		goto out;
	}
	sqlite3_bind_int64(ev, 1, last);
	while ((r = sqlite3_step(ev)) == SQLITE_ROW) {
		memset(&f, 0, sizeof(f));
		event_fields(ev, 0, &f);
		f.index = size;
		f.tar_sha256 = col(ev, 8);
		f.tagmanifest_sha512 = col(ev, 9);
		/* Salts are drawn for many leaves at once: an upgrade or a
		 * large destruction list appends thousands in one go. */
		if (nsalt == 0) {
			if (RAND_bytes(salts, sizeof(salts)) != 1) {
				rc = arh_errf(err, ARH_ECRYPTO, "cannot draw a "
				    "salt for the log");
				goto out;
			}
			nsalt = sizeof(salts) / ARH_LOG_SALT;
		}
		salt = salts + (--nsalt) * ARH_LOG_SALT;
		f.salt = salt;
		if ((rc = arh_log_entry(&f, &entry, &len, err)) != 0)
			goto out;
		if ((rc = arh_merkle_leaf_hash(entry, len, leaf, err)) != 0)
			goto out;
		sqlite3_reset(ins);
		sqlite3_bind_int64(ins, 1, (sqlite3_int64)size);
		sqlite3_bind_int64(ins, 2, f.event);
		sqlite3_bind_blob(ins, 3, salt, ARH_LOG_SALT, SQLITE_STATIC);
		sqlite3_bind_blob(ins, 4, entry, (int)len, SQLITE_STATIC);
		sqlite3_bind_blob(ins, 5, leaf, sizeof(leaf), SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE) {
			rc = cat_dberr(c, err, "appending to the log");
			goto out;
		}
		if ((rc = arh_merkle_append(&s, size, leaf, err)) != 0)
			goto out;
		free(entry);
		entry = NULL;
		size++;
	}
	rc = r == SQLITE_DONE ? 0 : cat_dberr(c, err, "reading events for "
	    "the log");
out:
	OPENSSL_cleanse(salts, sizeof(salts));
	free(entry);
	sqlite3_finalize(ev);
	sqlite3_finalize(ins);
	nodes_close(&n);
	if (rc == 0)
		c->unlogged = 0;
	return rc;
}

int
cat_commit(struct arh_catalog *c, struct arh_err *err)
{
	int rc;

	if (c->unlogged && (rc = cat_log_pending(c, err)) != 0)
		return rc;
	return cat_exec(c, "COMMIT", err);
}

/* The guard: an event inserted marks the transaction, cat_log_pending()
 * clears the mark, and a commit with the mark still on becomes a
 * rollback — whatever path inserted the event. */
static void
on_update(void *arg, int op, const char *db, const char *table,
    sqlite3_int64 rowid)
{
	struct arh_catalog *c = arg;

	(void)db;
	(void)rowid;
	if (op == SQLITE_INSERT && strcmp(table, "events") == 0)
		c->unlogged = 1;
}

static int
on_commit(void *arg)
{
	struct arh_catalog *c = arg;

	return c->unlogged;
}

static void
on_rollback(void *arg)
{
	struct arh_catalog *c = arg;

	c->unlogged = 0;
}

void
cat_log_guard(struct arh_catalog *c)
{
	sqlite3_update_hook(c->db, on_update, c);
	sqlite3_commit_hook(c->db, on_commit, c);
	sqlite3_rollback_hook(c->db, on_rollback, c);
}

/* ---- reading and proving ---- */

int
arh_catalog_log_size(struct arh_catalog *c, uint64_t *size,
    struct arh_err *err)
{
	return log_end(c, size, NULL, err);
}

/* The one read of the stored tree: its root, or a proof. */
enum tree_read { TREE_ROOT, TREE_INCLUSION, TREE_CONSISTENCY };

static int
tree_read(struct arh_catalog *c, enum tree_read what, uint64_t a, uint64_t b,
    unsigned char root[32], struct arh_merkle_proof *proof,
    struct arh_err *err)
{
	struct arh_merkle_store s;
	struct nodes n;
	int rc;

	if ((rc = nodes_open(c, &n, &s, 0, err)) != 0)
		return rc;
	if (what == TREE_ROOT)
		rc = arh_merkle_root(&s, a, root, err);
	else if (what == TREE_INCLUSION)
		rc = arh_merkle_inclusion(&s, a, b, proof, err);
	else
		rc = arh_merkle_consistency(&s, a, b, proof, err);
	nodes_close(&n);
	return rc;
}

int
arh_catalog_log_root(struct arh_catalog *c, uint64_t size,
    unsigned char root[32], struct arh_err *err)
{
	return tree_read(c, TREE_ROOT, size, 0, root, NULL, err);
}

int
arh_catalog_log_inclusion(struct arh_catalog *c, uint64_t index,
    uint64_t size, struct arh_merkle_proof *proof, struct arh_err *err)
{
	return tree_read(c, TREE_INCLUSION, index, size, NULL, proof, err);
}

int
arh_catalog_log_consistency(struct arh_catalog *c, uint64_t old,
    uint64_t size, struct arh_merkle_proof *proof, struct arh_err *err)
{
	return tree_read(c, TREE_CONSISTENCY, old, size, NULL, proof, err);
}

void
arh_log_leaf_release(struct arh_log_leaf *l)
{
	free(l->entry);
	l->entry = NULL;
	l->len = 0;
}

static int
leaf_row(sqlite3_stmt *st, void *arg, struct arh_err *err)
{
	struct arh_log_leaf *l = arg;
	int n = sqlite3_column_bytes(st, 2);

	(void)err;
	l->index = (uint64_t)sqlite3_column_int64(st, 0);
	l->event = sqlite3_column_int64(st, 1);
	if ((l->entry = malloc((size_t)n + 1)) == NULL)
		return ARH_ENOMEM;
	if (n > 0)
		memcpy(l->entry, sqlite3_column_blob(st, 2), (size_t)n);
	l->entry[n] = '\0';
	l->len = (size_t)n;
	return 1;
}

/* One leaf by the query's one row, or ARH_ENOTFOUND with `what` named. */
static int
leaf_by(struct arh_catalog *c, const char *sql, const char *bind,
    long long num, const char *text, struct arh_log_leaf *l,
    const char *what, struct arh_err *err)
{
	int rc;

	memset(l, 0, sizeof(*l));
	if (bind[0] == 'l')
		rc = cat_each(c, "reading the log", sql, leaf_row, l, err, "l",
		    (long)num);
	else
		rc = cat_each(c, "reading the log", sql, leaf_row, l, err, "s",
		    text);
	if (rc == ARH_ENOMEM)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	if (rc < 0)
		return rc;
	if (rc == 0)
		return arh_errf(err, ARH_ENOTFOUND, "%s", what);
	return 0;
}

int
arh_catalog_log_leaf(struct arh_catalog *c, uint64_t index,
    struct arh_log_leaf *l, struct arh_err *err)
{
	char what[96];

	snprintf(what, sizeof(what), "the log has no leaf %llu",
	    (unsigned long long)index);
	return leaf_by(c, "SELECT idx, event, entry FROM log_leaves WHERE "
	    "idx = ?", "l", (long long)index, NULL, l, what, err);
}

int
arh_catalog_log_leaf_of_event(struct arh_catalog *c, long long event,
    struct arh_log_leaf *l, struct arh_err *err)
{
	char what[96];

	snprintf(what, sizeof(what), "event %lld has no leaf in the log",
	    event);
	return leaf_by(c, "SELECT idx, event, entry FROM log_leaves WHERE "
	    "event = ?", "l", event, NULL, l, what, err);
}

int
arh_catalog_log_leaf_of_archive(struct arh_catalog *c, const char *archive,
    struct arh_log_leaf *l, struct arh_err *err)
{
	char what[400];

	snprintf(what, sizeof(what), "archive '%s' has no ingest leaf in the "
	    "log", archive);
	return leaf_by(c, "SELECT l.idx, l.event, l.entry FROM log_leaves l "
	    "JOIN events e ON e.id = l.event WHERE e.archive = ? AND e.kind "
	    "IN ('ingest', 'recovery', 'rebuild') AND e.result = 'ok' ORDER BY l.idx "
	    "DESC LIMIT 1", "s", 0, archive, l, what, err);
}

/* ---- the key and the checkpoints ---- */

static int
key_row(sqlite3_stmt *st, void *arg, struct arh_err *err)
{
	char **v = arg;

	(void)err;
	if ((v[0] = strdup(col(st, 0))) == NULL ||
	    (v[1] = strdup(col(st, 1))) == NULL)
		return ARH_ENOMEM;
	return 1;
}

int
arh_catalog_log_key(struct arh_catalog *c, char **origin, char **vkey,
    struct arh_err *err)
{
	char *v[2] = { NULL, NULL };
	int rc;

	*origin = *vkey = NULL;
	rc = cat_each(c, "reading the log's key", "SELECT origin, vkey FROM "
	    "log_key", key_row, v, err, "");
	if (rc == 1) {
		*origin = v[0];
		*vkey = v[1];
		return 0;
	}
	free(v[0]);
	free(v[1]);
	if (rc == ARH_ENOMEM)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	if (rc < 0)
		return rc;
	return arh_errf(err, ARH_ENOTFOUND, "the log has no key yet (it is "
	    "made by the first command that writes the home)");
}

int
arh_catalog_log_key_set(struct arh_catalog *c, const char *origin,
    const char *vkey, struct arh_err *err)
{
	int rc;

	if ((rc = cat_exec(c, "BEGIN IMMEDIATE", err)) != 0)
		return rc;
	rc = cat_each(c, "recording the log's key", "INSERT INTO log_key "
	    "(one, origin, vkey) VALUES (1, ?, ?)", NULL, NULL, err, "ss",
	    origin, vkey);
	return cat_finish_txn(c, rc, NULL, err);
}

int
arh_catalog_log_checkpoint_add(struct arh_catalog *c, uint64_t size,
    const char *note, struct arh_err *err)
{
	char now[21];
	int rc;

	arh_now_utc(now);
	if ((rc = cat_exec(c, "BEGIN IMMEDIATE", err)) != 0)
		return rc;
	rc = cat_each(c, "recording a checkpoint", "INSERT INTO "
	    "log_checkpoints (size, at, note) VALUES (?, ?, ?)", NULL, NULL,
	    err, "lss", (long)size, now, note);
	return cat_finish_txn(c, rc, NULL, err);
}

struct cps {
	int	(*cb)(void *arg, uint64_t size, const char *at,
		    const char *note);
	void	*arg;
};

static int
cp_row(sqlite3_stmt *st, void *arg, struct arh_err *err)
{
	struct cps *p = arg;

	(void)err;
	return p->cb(p->arg, (uint64_t)sqlite3_column_int64(st, 0), col(st, 1),
	    col(st, 2));
}

int
arh_catalog_log_checkpoints(struct arh_catalog *c, int latest_only,
    int (*cb)(void *arg, uint64_t size, const char *at, const char *note),
    void *arg, struct arh_err *err)
{
	struct cps p = { cb, arg };

	return cat_each(c, "reading checkpoints", latest_only ?
	    "SELECT size, at, note FROM log_checkpoints ORDER BY id DESC "
	    "LIMIT 1" : "SELECT size, at, note FROM log_checkpoints ORDER BY "
	    "size, id", cp_row, &p, err, "");
}

/* ---- log verify ---- */

struct check {
	struct arh_catalog *c;
	int	(*problem)(void *arg, const char *msg);
	void	*arg;
	unsigned long nproblems;
	sqlite3_stmt *level[64];	/* the stored nodes of each level, in
					 * index order */
	const void *leafhash;		/* the stored hash of the leaf at hand */
	int	 stop;
};

#define LOG_MAX_PROBLEMS 100

static void
say(struct check *k, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
say(struct check *k, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (++k->nproblems > LOG_MAX_PROBLEMS) {
		k->stop = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (k->problem(k->arg, msg) != 0)
		k->stop = 1;
}

/* The rebuilt tree formed node (level, index): it must be the next stored
 * node of that level.  Nodes of a level form in index order, so one
 * ordered scan per level compares them all. */
static int
seen(void *arg, unsigned level, uint64_t index, const unsigned char h[32],
    struct arh_err *err)
{
	struct check *k = arg;
	sqlite3_stmt **st = &k->level[level];
	int r;

	/* Level 0: the leaf's own stored hash, in the row at hand. */
	if (level == 0) {
		if (k->leafhash == NULL || memcmp(k->leafhash, h, 32) != 0)
			say(k, "leaf %llu: its stored hash is not the hash of "
			    "its entry", (unsigned long long)index);
		return 0;
	}
	if (*st == NULL) {
		if (sqlite3_prepare_v2(k->c->db, "SELECT idx, hash FROM "
		    "log_nodes WHERE level = ? ORDER BY idx", -1, st, NULL) !=
		    SQLITE_OK)
			return cat_dberr(k->c, err, "reading the log's tree");
		sqlite3_bind_int(*st, 1, (int)level);
	}
	for (;;) {
		if ((r = sqlite3_step(*st)) == SQLITE_DONE) {
			say(k, "node (level %u, index %llu) is missing from "
			    "the stored tree", level,
			    (unsigned long long)index);
			return 0;
		}
		if (r != SQLITE_ROW)
			return cat_dberr(k->c, err, "reading the log's tree");
		if ((uint64_t)sqlite3_column_int64(*st, 0) < index) {
			say(k, "stored node (level %u, index %lld) is not part "
			    "of the tree", level, sqlite3_column_int64(*st, 0));
			continue;
		}
		break;
	}
	if ((uint64_t)sqlite3_column_int64(*st, 0) > index)
		say(k, "node (level %u, index %llu) is missing from the stored "
		    "tree", level, (unsigned long long)index);
	else if (sqlite3_column_bytes(*st, 1) != 32 ||
	    memcmp(sqlite3_column_blob(*st, 1), h, 32) != 0)
		say(k, "node (level %u, index %llu) does not match the leaves "
		    "below it", level, (unsigned long long)index);
	return 0;
}

/* A leaf's entry against its event row: rebuilt from the row, the salt
 * and the digests it names, it must be the same bytes. */
static void
check_entry(struct check *k, sqlite3_stmt *st, uint64_t i)
{
	const void *stored = sqlite3_column_blob(st, 3);
	size_t slen = (size_t)sqlite3_column_bytes(st, 3);
	char tar[80], tag[140], *entry = NULL;
	struct arh_log_fields f;
	struct arh_err e;
	size_t len;
	long long ev = sqlite3_column_int64(st, 1);

	if (sqlite3_column_type(st, 4) == SQLITE_NULL) {
		say(k, "leaf %llu: its event %lld is not in the catalog (the "
		    "event was deleted)", (unsigned long long)i, ev);
		return;
	}
	if (sqlite3_column_bytes(st, 2) != ARH_LOG_SALT) {
		say(k, "leaf %llu (event %lld): its salt is damaged",
		    (unsigned long long)i, ev);
		return;
	}
	memset(&f, 0, sizeof(f));
	event_fields(st, 4, &f);
	f.index = i;
	f.salt = sqlite3_column_blob(st, 2);
	if (arh_log_entry_field(stored, slen, "tar-sha256", tar,
	    sizeof(tar)) == 0)
		f.tar_sha256 = tar;
	if (arh_log_entry_field(stored, slen, "tagmanifest-sha512", tag,
	    sizeof(tag)) == 0)
		f.tagmanifest_sha512 = tag;
	if (f.at == NULL || f.kind == NULL || f.result == NULL ||
	    f.actor == NULL || arh_log_entry(&f, &entry, &len, &e) != 0 ||
	    len != slen || memcmp(entry, stored, len) != 0)
		say(k, "leaf %llu: event %lld does not match its logged entry "
		    "(the event row or the entry was changed)",
		    (unsigned long long)i, ev);
	free(entry);
}

struct cpcheck {
	struct check *k;
	const char *name;
	unsigned char pub[32];
	const char *origin;
	uint64_t size;		/* leaves in the log */
	struct cpitem { uint64_t size; unsigned char root[32]; long n; } *v;
	size_t	 n, cap;
	long	 seq;
};

static int
cp_check_row(void *arg, uint64_t size, const char *at, const char *note)
{
	struct cpcheck *p = arg;
	struct arh_checkpoint cp;
	const char *text;
	size_t tlen;
	struct arh_err e;
	void *nv;

	(void)at;
	p->seq++;
	if (arh_note_open(note, strlen(note), p->name, p->pub, &text, &tlen,
	    &e) != 0) {
		say(p->k, "checkpoint %ld (size %llu): %s", p->seq,
		    (unsigned long long)size, e.msg);
		return p->k->stop;
	}
	memset(&cp, 0, sizeof(cp));
	if (arh_checkpoint_parse(text, tlen, &cp, &e) != 0) {
		say(p->k, "checkpoint %ld (size %llu): %s", p->seq,
		    (unsigned long long)size, e.msg);
		return p->k->stop;
	}
	if (strcmp(cp.origin, p->origin) != 0 || cp.size != size)
		say(p->k, "checkpoint %ld: it signs origin '%s' size %llu, "
		    "recorded as size %llu of '%s'", p->seq, cp.origin,
		    (unsigned long long)cp.size, (unsigned long long)size,
		    p->origin);
	else if (size > p->size)
		say(p->k, "checkpoint %ld claims %llu leaves; the log has %llu "
		    "(leaves were deleted)", p->seq, (unsigned long long)size,
		    (unsigned long long)p->size);
	else {
		if (p->n == p->cap) {
			p->cap = p->cap ? p->cap * 2 : 16;
			if ((nv = realloc(p->v, p->cap * sizeof(*p->v))) ==
			    NULL) {
				arh_checkpoint_release(&cp);
				return ARH_ENOMEM;
			}
			p->v = nv;
		}
		p->v[p->n].size = size;
		memcpy(p->v[p->n].root, cp.root, 32);
		p->v[p->n].n = p->seq;
		p->n++;
	}
	arh_checkpoint_release(&cp);
	return p->k->stop;
}

int
arh_catalog_log_verify(struct arh_catalog *c,
    int (*problem)(void *arg, const char *msg), void *arg,
    struct arh_log_summary *sum, struct arh_err *err)
{
	static const char sql[] = "SELECT l.idx, l.event, l.salt, l.entry, "
	    EVENT_COLS ", l.hash FROM log_leaves l LEFT JOIN events e ON "
	    "e.id = l.event ORDER BY l.idx";
	struct check k;
	struct cpcheck cps;
	struct arh_merkle_stack stack;
	unsigned char leaf[32], root[32];
	char *origin = NULL, *vkey = NULL, *name = NULL;
	sqlite3_stmt *st = NULL, *orphans = NULL;
	size_t next = 0;
	uint64_t i = 0;
	long long prev = 0;
	int rc, r;
	unsigned l;

	memset(&k, 0, sizeof(k));
	memset(&cps, 0, sizeof(cps));
	memset(sum, 0, sizeof(*sum));
	k.c = c;
	k.problem = problem;
	k.arg = arg;
	arh_merkle_stack_init(&stack);
	if ((rc = arh_catalog_read_begin(c, err)) != 0)
		return rc;
	if ((rc = log_end(c, &cps.size, NULL, err)) != 0)
		goto out;
	/* The checkpoints first: their signatures, then their roots as the
	 * rebuilt tree passes their sizes. */
	rc = arh_catalog_log_key(c, &origin, &vkey, err);
	if (rc == ARH_ENOTFOUND)
		rc = 0;
	else if (rc != 0)
		goto out;
	else if ((rc = arh_note_vkey_parse(vkey, &name, cps.pub, err)) != 0)
		goto out;
	if (name != NULL) {
		cps.k = &k;
		cps.name = name;
		cps.origin = origin;
		if ((rc = arh_catalog_log_checkpoints(c, 0, cp_check_row, &cps,
		    err)) < 0)
			goto out;
		sum->checkpoints = (uint64_t)cps.seq;
	}
	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
		rc = cat_dberr(c, err, "reading the log");
		goto out;
	}
	while (next < cps.n && cps.v[next].size == 0) {
		if ((rc = arh_merkle_stack_root(&stack, root, err)) != 0)
			goto out;
		if (memcmp(root, cps.v[next].root, 32) != 0)
			say(&k, "checkpoint %ld (size 0) does not sign the "
			    "empty tree", cps.v[next].n);
		next++;
	}
	while (!k.stop && (r = sqlite3_step(st)) == SQLITE_ROW) {
		uint64_t idx = (uint64_t)sqlite3_column_int64(st, 0);
		long long ev = sqlite3_column_int64(st, 1);

		if (idx != i) {
			say(&k, "leaf %llu is missing (the next stored leaf is "
			    "%llu)", (unsigned long long)i,
			    (unsigned long long)idx);
			break;
		}
		if (ev <= prev)
			say(&k, "leaf %llu: event %lld is out of order (after "
			    "event %lld)", (unsigned long long)i, ev, prev);
		prev = ev;
		check_entry(&k, st, i);
		k.leafhash = sqlite3_column_bytes(st, 12) == 32 ?
		    sqlite3_column_blob(st, 12) : NULL;
		if ((rc = arh_merkle_leaf_hash(sqlite3_column_blob(st, 3),
		    (size_t)sqlite3_column_bytes(st, 3), leaf, err)) != 0)
			goto out;
		if ((rc = arh_merkle_stack_push(&stack, leaf, seen, &k, err)) !=
		    0)
			goto out;
		i++;
		while (next < cps.n && cps.v[next].size == i) {
			if ((rc = arh_merkle_stack_root(&stack, root, err)) !=
			    0)
				goto out;
			if (memcmp(root, cps.v[next].root, 32) != 0)
				say(&k, "checkpoint %ld (size %llu) does not "
				    "match the stored log: a leaf up to %llu "
				    "was changed, removed or reordered",
				    cps.v[next].n, (unsigned long long)i,
				    (unsigned long long)i - 1);
			next++;
		}
	}
	sum->leaves = i;
	/* Stored nodes the tree does not have. */
	for (l = 0; l < 64 && !k.stop; l++)
		if (k.level[l] != NULL && sqlite3_step(k.level[l]) ==
		    SQLITE_ROW)
			say(&k, "stored node (level %u, index %lld) is not part "
			    "of the tree", l, sqlite3_column_int64(k.level[l],
			    0));
	/* Events without their leaf. */
	if (!k.stop && sqlite3_prepare_v2(c->db, "SELECT e.id FROM events e "
	    "LEFT JOIN log_leaves l ON l.event = e.id WHERE l.event IS NULL "
	    "ORDER BY e.id LIMIT 20", -1, &orphans, NULL) == SQLITE_OK)
		while (!k.stop && sqlite3_step(orphans) == SQLITE_ROW)
			say(&k, "event %lld has no leaf in the log",
			    sqlite3_column_int64(orphans, 0));
	if ((rc = arh_merkle_stack_root(&stack, sum->root, err)) != 0)
		goto out;
	sum->problems = k.nproblems;
	rc = k.nproblems > 0 ? arh_errf(err, ARH_EVERIFY, "the log failed "
	    "verification: %lu problem%s", k.nproblems,
	    k.nproblems == 1 ? "" : "s") : 0;
out:
	for (l = 0; l < 64; l++)
		sqlite3_finalize(k.level[l]);
	sqlite3_finalize(st);
	sqlite3_finalize(orphans);
	arh_catalog_read_end(c);
	free(cps.v);
	free(origin);
	free(vkey);
	free(name);
	return rc;
}
