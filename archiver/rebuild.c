/* rebuild.c — the catalog from the archives alone; adoption of orphans. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arhiivar/ops.h"
#include "arhiivar/verify.h"
#include "bag_read.h"
#include "ops_int.h"
#include "util.h"

int
arh_adopt(struct arh_home *h, const struct arh_trust *trust,
    const char *store_name, const char *kind, struct arh_problems *notes,
    struct arh_err *err)
{
	return arh_adopt_for(h, trust, store_name, kind, NULL, notes, err);
}

int
arh_adopt_for(struct arh_home *h, const struct arh_trust *trust,
    const char *store_name, const char *kind, const char *ingested_by,
    struct arh_problems *notes, struct arh_err *err)
{
	struct arh_verify_report rep;
	struct arh_event ev;
	char detail[512];
	int fd, rc;

	if ((rc = arh_open_regular(arh_store_dirfd(h->store), store_name,
	    0, "store entry", &fd, err)) != 0)
		return rc;
	rc = arh_bag_verify(fd, trust, &rep, err);
	close(fd);
	if (rc == ARH_EVERIFY) {
		arh_problems_add(notes, "'%s' in the store fails verification "
		    "(%s %s: %s); it was not catalogued: check it with "
		    "'arhiivar verify %s/%s'", store_name, rep.items[0].layer,
		    rep.items[0].member, rep.items[0].message,
		    arh_store_path(h->store), store_name);
		goto out;
	}
	if (rc != 0)
		goto out;
	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.actor = h->actor;
	ev.archive = rep.sum.name;
	ev.result = "ok";
	if (ingested_by != NULL && *ingested_by != '\0')
		snprintf(detail, sizeof(detail), "catalogued from the archive "
		    "file; its ingest for %s was interrupted before the "
		    "commit", ingested_by);
	else
		snprintf(detail, sizeof(detail), "catalogued from the archive "
		    "file");
	ev.detail = detail;
	rc = arh_catalog_add(h->cat, &rep.sum, store_name, &ev, err);
out:
	arh_verify_report_release(&rep);
	return rc;
}

/*
 * A store file whose archive has a tombstone: its destruction was
 * committed but the removal was interrupted.  Finish it if the file is the
 * one destroyed (same digest); otherwise leave it, uncatalogued, and say
 * so.  Returns 1 when the file was handled, 0 when it has no tombstone.
 */
int
arh_finish_destruction(struct arh_home *h, const char *store_name,
    struct arh_problems *notes, struct arh_err *err)
{
	const char *names[1] = { store_name };
	char bag[300], want[65], got[65];
	size_t l = strlen(store_name);
	int rc;

	snprintf(bag, sizeof(bag), "%.*s", (int)(l > 4 ? l - 4 : l),
	    store_name);
	rc = arh_catalog_tombstone(h->cat, bag, want, NULL, err);
	if (rc == ARH_ENOTFOUND) {
		arh_err_clear(err);
		return 0;
	}
	if (rc != 0 || (rc = arh_sha256_file(arh_store_dirfd(h->store),
	    store_name, got, err)) != 0)
		return rc;
	if (strcmp(want, got) != 0) {
		arh_problems_add(notes, "'%s' in the store has the name of a "
		    "destroyed archive but other content; it was not "
		    "catalogued: move it out of the store", store_name);
		return 1;
	}
	if ((rc = arh_store_remove(h->store, names, 1, err)) != 0)
		return rc;
	arh_problems_add(notes, "removed '%s': its destruction was recorded "
	    "but the removal had not finished", store_name);
	return 1;
}

struct orphans {
	struct arh_home	*h;
	struct arh_trust *trust;
	struct arh_problems *notes;
	struct arh_err	*err;
	size_t		 adopted;
	size_t		 failed;	/* left out: fails verification */
};

static void
note_adopted(struct orphans *o, const char *name)
{
	o->adopted++;
	arh_problems_add(o->notes, "catalogued '%s': it was in the store but "
	    "not in the catalog (an interrupted ingest or a lost catalog) and "
	    "verifies", name);
}

/* Verify store file `name` and catalogue it: 0 also when it fails
 * verification (noted, counted) or its ingest committed meanwhile. */
static int
adopt_one(struct orphans *o, const char *name, const char *ingested_by)
{
	int rc;

	if (o->trust == NULL && (rc = arh_home_trust(o->h, NULL, 0, &o->trust,
	    o->err)) != 0)
		return rc;
	rc = arh_adopt_for(o->h, o->trust, name, "recovery", ingested_by,
	    o->notes, o->err);
	if (rc == ARH_EEXIST) {
		/* Its ingest committed while we verified: nothing to do. */
		arh_err_clear(o->err);
		return 0;
	}
	if (rc == 0)
		note_adopted(o, name);
	if (rc == ARH_EVERIFY) {
		o->failed++;
		arh_err_clear(o->err);
		return 0;
	}
	return rc;
}

static int
adopt_if_orphan(void *arg, const char *name)
{
	struct orphans *o = arg;
	struct arh_archive_row row;
	char bag[300];
	size_t l = strlen(name);
	int rc;

	snprintf(bag, sizeof(bag), "%.*s", (int)(l - 4), name);
	rc = arh_catalog_get(o->h->cat, bag, &row, o->err);
	if (rc != ARH_ENOTFOUND)
		return rc;
	arh_err_clear(o->err);
	if ((rc = arh_finish_destruction(o->h, name, o->notes, o->err)) != 0)
		return rc == 1 ? 0 : rc;
	/* Published a moment ago by a live ingest that has yet to commit:
	 * not an orphan. */
	if (arh_store_locked(o->h->store, name))
		return 0;
	return adopt_one(o, name, NULL);
}

int
arh_adopt_orphans(struct arh_home *h, struct arh_problems *notes,
    struct arh_err *err)
{
	struct orphans o = { h, NULL, notes, err, 0, 0 };
	int rc;

	rc = arh_store_list(h->store, adopt_if_orphan, &o, err);
	arh_trust_free(o.trust);
	return rc;
}

/*
 * One pending intent to publish.  Its writer still holds the temporary
 * file or the published archive: leave it alone.  Its archive never
 * arrived: drop the intent.  It arrived, with the digest the intent
 * expected, and is not catalogued: verify and catalogue it (which closes
 * the intent).  Order matters: the temporary file is looked at before the
 * archive, so a rename between the two looks is seen as published.
 */
static int
recover_intent(struct orphans *o, const struct arh_intent *in)
{
	struct arh_home *h = o->h;
	struct arh_archive_row row;
	char bag[300], got[65];
	size_t l = strlen(in->name);
	int rc;

	if (arh_store_tmp_busy(h->store, in->tmp))
		return 0;
	if (l <= 4 || strchr(in->name, '/') != NULL ||
	    !arh_store_exists(h->store, in->name))
		return arh_catalog_intent_drop(h->cat, in->tmp, o->err);
	if (arh_store_locked(h->store, in->name))
		return 0;
	snprintf(bag, sizeof(bag), "%.*s", (int)(l - 4), in->name);
	rc = arh_catalog_get(h->cat, bag, &row, o->err);
	if (rc == 0)
		return arh_catalog_intent_drop(h->cat, in->tmp, o->err);
	if (rc != ARH_ENOTFOUND)
		return rc;
	arh_err_clear(o->err);
	if ((rc = arh_sha256_file(arh_store_dirfd(h->store), in->name, got,
	    o->err)) != 0)
		return rc;
	if (strcmp(got, in->sha256) != 0) {
		arh_problems_add(o->notes, "'%s' in the store is not the archive "
		    "an interrupted ingest published there (other content); it "
		    "was left as it is: 'arhiivar catalog reconcile' checks it",
		    in->name);
		return arh_catalog_intent_drop(h->cat, in->tmp, o->err);
	}
	if ((rc = adopt_one(o, in->name, in->actor)) != 0)
		return rc;
	/* Catalogued, it closed the intent; failing verification (noted),
	 * it is left for reconcile, not re-verified by every command. */
	return arh_catalog_intent_drop(h->cat, in->tmp, o->err);
}

static void
note_leftover(void *arg, const char *name)
{
	arh_problems_add(arg, "removed '%s', the leftover of an interrupted "
	    "ingest", name);
}

int
arh_home_recover(struct arh_home *h, struct arh_problems *notes,
    struct arh_err *err)
{
	struct orphans o = { h, NULL, notes, err, 0, 0 };
	struct arh_intent *v = NULL;
	size_t n, i;
	int rc;

	if ((rc = arh_catalog_intents(h->cat, &v, &n, err)) != 0)
		return rc;
	for (i = 0; i < n && rc == 0; i++)
		rc = recover_intent(&o, &v[i]);
	free(v);
	arh_trust_free(o.trust);
	if (rc == 0)
		rc = arh_store_remove_leftovers(h->store, 0, note_leftover,
		    notes, err);
	return rc;
}

/* A catalogued archive whose file is not in the store. */
static int
check_present(void *arg, const struct arh_archive_row *row)
{
	struct orphans *o = arg;

	if (arh_store_exists(o->h->store, row->path))
		return 0;
	o->failed++;
	return arh_problems_add(o->notes, "archive %s is catalogued, but its "
	    "file '%s/%s' is missing from the store: restore the file from a "
	    "backup, or run 'arhiivar catalog rebuild'", row->name,
	    arh_store_path(o->h->store), row->path);
}

int
arh_reconcile(struct arh_home *h, struct arh_problems *notes,
    struct arh_err *err)
{
	struct orphans o = { h, NULL, notes, err, 0, 0 };
	struct arh_event ev;
	char detail[128];
	int rc;

	if (arh_catalog_readonly(h->cat) || !arh_store_writable(h->store))
		return arh_errf(err, ARH_ECATALOG, "catalog reconcile needs "
		    "write access to the home's catalog and store '%s'; run it "
		    "as a user who can write the home", arh_store_path(h->store));
	if ((rc = arh_home_recover(h, notes, err)) != 0 ||
	    (rc = arh_store_remove_leftovers(h->store, 1, note_leftover, notes,
	    err)) != 0 ||
	    (rc = arh_store_list(h->store, adopt_if_orphan, &o, err)) != 0 ||
	    (rc = arh_catalog_list(h->cat, check_present, &o, err)) != 0)
		goto out;
	snprintf(detail, sizeof(detail), "%zu catalogued, %zu problems",
	    o.adopted, o.failed);
	memset(&ev, 0, sizeof(ev));
	ev.kind = "reconcile";
	ev.actor = h->actor;
	ev.result = o.failed ? "failed" : "ok";
	ev.detail = detail;
	if ((rc = arh_catalog_event(h->cat, &ev, err)) != 0)
		goto out;
	if (o.failed > 0)
		rc = arh_errf(err, ARH_EVERIFY, "the store and the catalog "
		    "disagree: %zu problems (above)", o.failed);
	else
		arh_problems_add(notes, "the store and the catalog agree "
		    "(%zu archives catalogued now)", o.adopted);
out:
	arh_trust_free(o.trust);
	return rc;
}

struct rebuild {
	struct arh_home	*h;
	struct arh_trust *trust;
	struct arh_problems *notes;
	struct arh_err	*err;
	size_t		 added;
	size_t		 skipped;
};

static int
rebuild_one(void *arg, const char *name)
{
	struct rebuild *r = arg;
	int rc;

	if ((rc = arh_finish_destruction(r->h, name, r->notes, r->err)) != 0)
		return rc == 1 ? 0 : rc;
	rc = arh_adopt(r->h, r->trust, name, "rebuild", r->notes, r->err);

	if (rc == ARH_EVERIFY) {
		r->skipped++;
		return 0;
	}
	if (rc == 0)
		r->added++;
	return rc;
}

int
arh_rebuild(struct arh_home *h, struct arh_problems *notes,
    struct arh_err *err)
{
	struct rebuild r = { h, NULL, notes, err, 0, 0 };
	int rc;

	if ((rc = arh_home_trust(h, NULL, 0, &r.trust, err)) != 0)
		return rc;
	if ((rc = arh_catalog_clear_begin(h->cat, err)) != 0)
		goto out;
	rc = arh_store_list(h->store, rebuild_one, &r, err);
	rc = arh_catalog_clear_end(h->cat, rc, err);
	if (rc == 0)
		arh_problems_add(notes, "catalogued %zu archives from the "
		    "store%s", r.added, r.skipped ? "; some failed verification "
		    "and were left out" : "");
	if (rc == 0 && r.skipped > 0)
		rc = arh_errf(err, ARH_EVERIFY, "%zu archives failed "
		    "verification and are not in the catalog", r.skipped);
	if (rc != 0) {
		struct arh_event ev = { "rebuild", h->actor, NULL, NULL,
		    "failed", err->msg };
		arh_catalog_event(h->cat, &ev, NULL);
	}
out:
	arh_trust_free(r.trust);
	return rc;
}

/* Not catalogued: say so, or that it was destroyed and by which list. */
static void
destroyed_or_unknown(struct arh_home *h, const char *spec,
    struct arh_err *err)
{
	char name[256];
	json_t *t = NULL;
	long list = 0;

	if (arh_catalog_tombstone(h->cat, spec, NULL, &t, err) == 0 ||
	    (arh_catalog_tombstone_case(h->cat, spec, name, sizeof(name),
	    &list, err) == 0 && arh_catalog_tombstone(h->cat, name, NULL, &t,
	    err) == 0)) {
		arh_errf(err, ARH_ENOTFOUND, "%s was destroyed on %.10s "
		    "(destruction list %" JSON_INTEGER_FORMAT "%s%s); 'arhiivar "
		    "show %s' prints what remains of it", spec,
		    json_string_value(json_object_get(t, "destroyed_at")),
		    json_integer_value(json_object_get(t, "destruction_list")),
		    json_string_value(json_object_get(t, "act")) ? ", act " : "",
		    json_string_value(json_object_get(t, "act")) ?
		    json_string_value(json_object_get(t, "act")) : "", spec);
		json_decref(t);
		return;
	}
	arh_errf(err, ARH_ENOTFOUND, "no archive or case file '%s' in the "
	    "catalog; 'arhiivar list' shows what is archived", spec);
}

int
arh_resolve(struct arh_home *h, const char *spec,
    struct arh_archive_row *row, struct arh_err *err)
{
	int rc = arh_catalog_get(h->cat, spec, row, err);

	if (rc != ARH_ENOTFOUND)
		return rc;
	rc = arh_catalog_latest(h->cat, spec, row, err);
	if (rc == ARH_ENOTFOUND)
		destroyed_or_unknown(h, spec, err);
	return rc;
}

int
arh_verify_catalogued(struct arh_home *h, const char *name,
    const struct arh_trust *trust, struct arh_verify_report *rep,
    struct arh_err *err)
{
	struct arh_archive_row row;
	struct arh_trust *own = NULL;
	struct arh_err everr;
	struct arh_event ev;
	int fd, rc, vrc;

	memset(rep, 0, sizeof(*rep));
	if ((rc = arh_catalog_get(h->cat, name, &row, err)) != 0)
		return rc;
	if (trust == NULL) {
		if ((rc = arh_home_trust(h, NULL, 0, &own, err)) != 0)
			return rc;
		trust = own;
	}
	/* Missing, or something else in its place (a FIFO would block a
	 * plain open for ever): a finding about this archive, not a fault
	 * that stops the others. */
	if ((rc = arh_open_regular(arh_store_dirfd(h->store), row.path,
	    0, "archive", &fd, err)) != 0) {
		struct stat st;

		if (rc == ARH_ENOTFOUND)
			rc = arh_finding(rep, "catalog", row.path, "catalogued "
			    "archive file is missing from the store") ?
			    ARH_ENOMEM : ARH_EVERIFY;
		else if (fstatat(arh_store_dirfd(h->store), row.path, &st,
		    AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode))
			rc = arh_finding(rep, "catalog", row.path, "the store "
			    "holds %s in place of the catalogued archive file",
			    S_ISLNK(st.st_mode) ? "a symbolic link" :
			    S_ISDIR(st.st_mode) ? "a directory" :
			    S_ISFIFO(st.st_mode) ? "a FIFO" : "a special file") ?
			    ARH_ENOMEM : ARH_EVERIFY;
		goto event;
	}
	vrc = arh_bag_verify(fd, trust, rep, err);
	close(fd);
	if (vrc != 0 && vrc != ARH_EVERIFY) {
		rc = vrc;
		goto event;
	}
	if (rep->sum.name == NULL || strcmp(rep->sum.name, name) != 0)
		arh_finding(rep, "catalog", "", "the archive file holds bag "
		    "'%s', the catalog expects '%s'", rep->sum.name ?
		    rep->sum.name : "(none)", name);
	if ((rc = arh_verify_catalog(h->cat, name, rep, err)) != 0)
		goto event;
	rc = rep->n > 0 ? ARH_EVERIFY : 0;
event:
	memset(&ev, 0, sizeof(ev));
	ev.kind = "verify";
	ev.actor = h->actor;
	ev.archive = name;
	/* "failed" is a verdict on the archive; a verification that could
	 * not be finished (out of memory, a catalog or read error) says
	 * nothing about it and is recorded as "error". */
	ev.result = rc == 0 ? "ok" : rc == ARH_EVERIFY ? "failed" : "error";
	ev.detail = rc != 0 && rc != ARH_EVERIFY ? err->msg :
	    rep->n > 0 ? rep->items[0].message : NULL;
	if (arh_catalog_event(h->cat, &ev, &everr) != 0 && (rc == 0 ||
	    rc == ARH_EVERIFY))
		rc = arh_errf(err, ARH_ECATALOG, "%s was verified (%s), but the "
		    "verification could not be recorded in the audit trail: %s",
		    name, rep->n ? "FAILED" : "OK", everr.msg);
	arh_trust_free(own);
	return rc;
}
