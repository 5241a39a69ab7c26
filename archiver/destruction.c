/*
 * destruction.c — the destruction procedure: propose, approve, execute.  The
 * act (step 4) is in act.c.  Roles are checked here, against the role
 * table (arh_authorize()); the catalog checks
 * the list, the approvals and the holds again inside the execute
 * transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arhiivar/destruction.h"
#include "arhiivar/log.h"
#include "arhiivar/ops.h"
#include "fault.h"
#include "ops_int.h"
#include "util.h"

/* --- step 1: propose -------------------------------------------------- */

struct candidates {
	struct arh_home	 *h;
	const char	 *series;
	json_t		 *due;		/* name -> facts, then row summary */
	json_t		 *pending;	/* name -> list id */
	json_t		 *outside;	/* case_ref -> its versions not due */
	struct arh_problems *notes;
};

/* The facts of every archive due (of the series asked for); which may go
 * is arh_disposal_decide()'s. */
static int
collect_due(void *arg, const struct arh_archive_row *row, const char *action,
    const char *due, const char *holds)
{
	struct candidates *cs = arg;

	if (cs->series != NULL && strcmp(row->series, cs->series) != 0)
		return 0;
	return json_object_set_new(cs->due, row->name, json_pack("{s:s, s:s?, "
	    "s:s?, s:s?, s:I}", "case_file", row->case_ref, "due", due,
	    "action", action, "holds", holds, "on_list", json_integer_value(
	    json_object_get(cs->pending, row->name)))) ? ARH_ENOMEM : 0;
}

static int
collect_pending(void *arg, const char *archive, long id)
{
	return json_object_set_new(arg, archive, json_integer(id)) ?
	    ARH_ENOMEM : 0;
}

/* The versions of a candidate's case file that are not due at all. */
static int
collect_outside(void *arg, const struct arh_archive_row *row)
{
	struct candidates *cs = arg;
	const char *name;
	json_t *v, *list;
	char *s;
	int rc, theirs = 0;

	if (json_object_get(cs->due, row->name) != NULL)
		return 0;
	json_object_foreach(cs->due, name, v)
		if (strcmp(arh_json_str(v, "case_file"), row->case_ref) == 0)
			theirs = 1;
	if (!theirs)
		return 0;
	list = json_object_get(cs->outside, row->case_ref);
	if (asprintf(&s, "%s%s%s", list ? json_string_value(list) : "",
	    list ? ", " : "", row->name) == -1)
		return ARH_ENOMEM;
	rc = json_object_set_new(cs->outside, row->case_ref, json_string(s)) ?
	    ARH_ENOMEM : 0;
	free(s);
	return rc;
}

/* Decide with the policy; the ineligible leave cs->due, with the reasons
 * in notes. */
static int
decide_candidates(struct candidates *cs, const char *as_of,
    struct arh_err *err)
{
	struct arh_disposal_facts f = { ARH_DISPOSAL_PROPOSE, as_of, 0, 0, 0,
	    NULL, 0 };
	size_t n = json_object_size(cs->due), i = 0;
	const char *name;
	json_t *v;
	void *tmp;
	int rc;

	if (n == 0)
		return 0;
	if ((f.items = ARH_FAULT_ALLOC(calloc(n, sizeof(*f.items)))) == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	json_object_foreach(cs->due, name, v) {
		f.items[i].archive = name;
		f.items[i].case_ref = arh_json_str(v, "case_file");
		f.items[i].present = 1;
		f.items[i].action = json_string_value(json_object_get(v,
		    "action"));
		f.items[i].due = json_string_value(json_object_get(v, "due"));
		f.items[i].holds = json_string_value(json_object_get(v,
		    "holds"));
		f.items[i].on_list = (long)json_integer_value(json_object_get(
		    v, "on_list"));
		f.items[i].outside = json_string_value(json_object_get(
		    cs->outside, f.items[i].case_ref));
		i++;
	}
	f.nitems = i;
	if ((rc = arh_disposal_decide(&f, cs->notes)) < 0) {
		rc = arh_errf(err, rc, "out of memory");
		goto out;
	}
	rc = 0;
	i = 0;
	json_object_foreach_safe(cs->due, tmp, name, v)
		if (!f.items[i++].eligible)
			json_object_del(cs->due, name);
out:
	free(f.items);
	return rc;
}

/* The public view of each record and the digests of its files: what the
 * tombstone keeps of the content (never the content itself, never a
 * restricted title or file name). */
static int
tombstone_records(const json_t *records, json_t *views, json_t *digests,
    json_int_t *nfiles)
{
	const json_t *rec, *f;
	size_t i, j;

	json_array_foreach(records, i, rec) {
		if (json_array_append_new(views, arh_view_apply(
		    json_object_get(rec, "metadata"), ARH_VIEW_PUBLIC)) != 0)
			return ARH_ENOMEM;
		json_array_foreach(json_object_get(rec, "files"), j, f) {
			(*nfiles)++;
			if (json_is_string(json_object_get(f, "sha256")) &&
			    json_array_append(digests, json_object_get(f,
			    "sha256")) != 0)
				return ARH_ENOMEM;
		}
	}
	return 0;
}

static int
digest_cmp(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a),
	    json_string_value(*(json_t *const *)b));
}

/* Sort a JSON array of strings (digests: order must not tell the files'
 * order, which follows their names). */
static int
sort_strings(json_t *arr)
{
	size_t n = json_array_size(arr), i;
	json_t **v;

	if (n < 2)
		return 0;
	if ((v = ARH_FAULT_ALLOC(calloc(n, sizeof(*v)))) == NULL)
		return ARH_ENOMEM;
	for (i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(arr, i));
	qsort(v, n, sizeof(*v), digest_cmp);
	for (i = 0; i < n; i++)
		json_array_set_new(arr, i, v[i]);
	free(v);
	return 0;
}

/* The tombstone of catalogued archive `name` from its verified
 * metadata/case.json (m). */
static int
make_tombstone(struct arh_home *h, const char *name, const json_t *m,
    json_t **out, struct arh_err *err)
{
	struct arh_archive_row row;
	json_t *cf, *views = NULL, *digests = NULL, *t = NULL;
	json_int_t nfiles = 0;
	int rc;

	*out = NULL;
	if ((rc = arh_catalog_get(h->cat, name, &row, err)) != 0)
		return rc;
	cf = json_object_get(m, "case_file");
	if ((views = json_array()) == NULL || (digests = json_array()) ==
	    NULL || tombstone_records(json_object_get(m, "records"), views,
	    digests, &nfiles) != 0 || sort_strings(digests) != 0 ||
	    (t = json_pack("{s:s, s:s, s:s, s:s?, s:i, s:s?, s:s, s:I, s:s, "
	    "s:s, s:s?, s:s?, s:s?, s:O?, s:O?, s:O, s:{s:I, s:O}}",
	    "archive", row.name, "case_file", row.case_ref,
	    "series", row.series,
	    "series_title",
	    arh_json_str(json_object_get(cf, "series"), "title"),
	    "version", row.version,
	    "previous", row.previous[0] ? row.previous : NULL,
	    "sha256", row.sha256, "size", (json_int_t)row.size,
	    "sealed", row.created, "signer", row.signer,
	    "opened", arh_json_str(cf, "opened"),
	    "closed", arh_json_str(cf, "closed"),
	    "organisation", arh_json_str(cf, "organisation"),
	    "function", json_object_get(cf, "function"),
	    "retention", json_object_get(m, "retention"),
	    "records", views,
	    "payload", "files", nfiles, "sha256", digests)) == NULL)
		rc = arh_errf(err, ARH_ENOMEM, "out of memory");
	/* Packed with O: t holds its own references, on error too. */
	json_decref(views);
	json_decref(digests);
	*out = t;
	return rc;
}

/*
 * Verify every candidate: a tombstone must say what the sealed archive
 * says, and an archive that fails verification is a matter to look into
 * before anything is destroyed.  It is left out, with its case file's
 * other versions (whole case files only).  The verified metadata of the
 * others goes to "manifest" of their entry in due.
 */
static int
verify_candidates(struct arh_home *h, struct candidates *cs,
    struct arh_err *err)
{
	struct arh_verify_report rep;
	const char *name, *cref;
	json_t *v, *bad;
	void *tmp;
	int rc = 0;

	if ((bad = json_object()) == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	json_object_foreach(cs->due, name, v) {
		rc = arh_verify_catalogued(h, name, NULL, &rep, err);
		if (rc == ARH_EVERIFY) {
			rc = arh_problems_add(cs->notes, "%s: fails verification "
			    "(%s %s: %s); check it with 'arhiivar verify %s' "
			    "before it is destroyed", name, rep.items[0].layer,
			    rep.items[0].member, rep.items[0].message, name);
			if (rc == 0 && json_object_set_new(bad, arh_json_str(v,
			    "case_file"), json_true()) != 0)
				rc = ARH_ENOMEM;
		} else if (rc == 0 && json_object_set(v, "manifest",
		    rep.sum.manifest) != 0)
			rc = arh_errf(err, ARH_ENOMEM, "out of memory");
		arh_verify_report_release(&rep);
		if (rc != 0)
			goto out;
	}
	json_object_foreach_safe(cs->due, tmp, name, v) {
		cref = arh_json_str(v, "case_file");
		if (json_object_get(bad, cref) == NULL)
			continue;
		if (json_object_get(v, "manifest") != NULL &&
		    (rc = arh_problems_add(cs->notes, "%s: left out with its "
		    "case file %s, another version of which fails "
		    "verification", name, cref)) != 0)
			goto out;
		json_object_del(cs->due, name);
	}
out:
	json_decref(bad);
	return rc;
}

static int
build_items(struct arh_home *h, json_t *due, json_t **items,
    struct arh_err *err)
{
	const char *name;
	json_t *v, *t, *arr;
	int rc = 0;

	if ((arr = json_array()) == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	json_object_foreach(due, name, v) {
		if ((rc = make_tombstone(h, name, json_object_get(v,
		    "manifest"), &t, err)) != 0)
			break;
		if (json_array_append_new(arr, json_pack("{s:s, s:O, s:s, "
		    "s:o}", "archive", name, "case_file", json_object_get(v,
		    "case_file"), "sha256", arh_json_str(t, "sha256"),
		    "tombstone", t)) != 0) {
			rc = arh_errf(err, ARH_ENOMEM, "out of memory");
			break;
		}
	}
	if (rc != 0)
		json_decref(arr);
	else
		*items = arr;
	return rc;
}

int
arh_disposal_propose(struct arh_home *h, const struct arh_propose_req *r,
    struct arh_disposal *d, json_t **items, struct arh_problems *notes,
    struct arh_err *err)
{
	static const enum arh_op propose = ARH_OP_DISPOSAL_PROPOSE;
	struct candidates cs = { h, r->series, NULL, NULL, NULL, notes };
	int rc;

	*items = NULL;
	memset(d, 0, sizeof(*d));
	if ((rc = arh_authorize(h, r->who, &propose, 1, NULL, NULL, err)) != 0)
		return rc;
	if ((cs.due = json_object()) == NULL ||
	    (cs.pending = json_object()) == NULL ||
	    (cs.outside = json_object()) == NULL) {
		rc = arh_errf(err, ARH_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = arh_catalog_disposal_pending(h->cat, collect_pending,
	    cs.pending, err)) != 0 || (rc = arh_catalog_due(h->cat, r->as_of,
	    collect_due, &cs, err)) != 0 || (rc = arh_catalog_list(h->cat,
	    collect_outside, &cs, err)) != 0 ||
	    (rc = decide_candidates(&cs, r->as_of, err)) != 0)
		goto out;
	if ((rc = verify_candidates(h, &cs, err)) != 0)
		goto out;
	if (json_object_size(cs.due) == 0) {
		rc = arh_errf(err, ARH_ENOTFOUND, "no archive%s%s is due for "
		    "destruction on or before %s", r->series ? " of series " :
		    "", r->series ? r->series : "", r->as_of);
		goto out;
	}
	if ((rc = build_items(h, cs.due, items, err)) != 0)
		goto out;
	snprintf(d->as_of, sizeof(d->as_of), "%s", r->as_of);
	snprintf(d->method, sizeof(d->method), "%s", r->method ? r->method :
	    ARH_DEFAULT_METHOD);
	snprintf(d->proposed_by, sizeof(d->proposed_by), "%s", h->actor);
	snprintf(d->status, sizeof(d->status), "dry run");
	if (!r->dry_run)
		rc = arh_catalog_disposal_add(h->cat, d, *items, err);
out:
	if (rc != 0) {
		json_decref(*items);
		*items = NULL;
	}
	json_decref(cs.due);
	json_decref(cs.pending);
	json_decref(cs.outside);
	return rc;
}

/* --- step 2: approve -------------------------------------------------- */

int
arh_disposal_approve(struct arh_home *h, const struct arh_identity *who,
    long id, char role[32], struct arh_err *err)
{
	/* Either role may approve; the catalog takes the first whose
	 * approval the list still lacks. */
	static const enum arh_op ways[] = { ARH_OP_DISPOSAL_APPROVE_AS_APPROVER,
	    ARH_OP_DISPOSAL_APPROVE_AS_RECORDS_MANAGER };
	struct arh_role_decision rd;
	struct arh_disposal d;
	char target[64];
	int rc;

	snprintf(target, sizeof(target), "disposal %ld", id);
	if ((rc = arh_catalog_disposal_get(h->cat, id, &d, NULL, NULL, err))
	    != 0)
		return rc;
	if ((rc = arh_authorize(h, who, ways, 2, target, &rd, err)) != 0)
		return rc;
	rc = arh_catalog_disposal_approve(h->cat, id, who->user, h->actor,
	    rd.role, rd.ngranted, role, err);
	if (rc == ARH_EEXIST || rc == ARH_EUSAGE)
		return arh_refusal(h, "disposal-approve", target, rc, err);
	return rc;
}

/* --- step 3: execute -------------------------------------------------- */

static int
remove_files(struct arh_home *h, const json_t *items, struct arh_err *err)
{
	size_t n = json_array_size(items), i;
	char **names;
	int rc = 0;

	if ((names = ARH_FAULT_ALLOC(calloc(n + 1, sizeof(*names)))) == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	for (i = 0; rc == 0 && i < n; i++)
		if (asprintf(&names[i], "%s.tar",
		    arh_json_str(json_array_get(items, i), "archive")) == -1) {
			names[i] = NULL;
			rc = arh_errf(err, ARH_ENOMEM, "out of memory");
		}
	if (rc == 0)
		rc = arh_store_remove(h->store, (const char *const *)names, n,
		    err);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int
arh_disposal_execute(struct arh_home *h, const struct arh_identity *who,
    long id, struct arh_disposal *d, struct arh_problems *probs,
    struct arh_err *err)
{
	static const enum arh_op execute = ARH_OP_DISPOSAL_EXECUTE;
	json_t *items = NULL, *decision = NULL;
	char target[64], today[11], why[ARH_ERR_MSG], act[256];
	int rc;

	snprintf(target, sizeof(target), "disposal %ld", id);
	if ((rc = arh_authorize(h, who, &execute, 1, target, NULL, err)) != 0)
		return rc;
	if ((rc = arh_catalog_disposal_get(h->cat, id, d, &items, NULL, err))
	    != 0)
		return rc;
	if (strcmp(d->status, "executed") == 0) {
		rc = arh_errf(err, ARH_EEXIST, "destruction list %ld was "
		    "executed on %s; its act is %s", id, d->executed_at,
		    d->act);
		goto out;
	}
	if (strcmp(d->status, "proposed") == 0) {
		arh_today(today);
		/* The act will need its retention: refuse before anything is
		 * destroyed, not after. */
		if ((rc = arh_act_retention(h, today, &decision, err)) != 0) {
			snprintf(why, sizeof(why), "%s", err->msg);
			arh_errf(err, rc, "destruction list %ld cannot be "
			    "executed: %s; nothing was destroyed", id, why);
			arh_refusal(h, "disposal-execute", target, rc, err);
			goto out;
		}
		rc = arh_catalog_disposal_begin(h->cat, id, h->actor, today,
		    probs, err);
		if (rc == ARH_EINVAL || rc == ARH_EUSAGE) {
			arh_refusal(h, "disposal-execute", target, rc, err);
			goto out;
		}
		if (rc != 0)
			goto out;
	}
	/* From here the catalog says destroyed: finish, or say how to. */
	if ((rc = remove_files(h, items, err)) != 0 ||
	    (rc = arh_act_archive(h, id, act, sizeof(act), err)) != 0 ||
	    (rc = arh_catalog_disposal_finish(h->cat, id, act, h->actor,
	    err)) != 0) {
		snprintf(why, sizeof(why), "%s", err->msg);
		arh_errf(err, rc, "%s; destruction list %ld is recorded as "
		    "executed but not finished: run 'arhiivar disposition "
		    "execute %ld' again", why, id, id);
		goto out;
	}
	/* Done and committed: report it without another read that could
	 * fail after the fact. */
	snprintf(d->status, sizeof(d->status), "executed");
	snprintf(d->act, sizeof(d->act), "%s", act);
	if (arh_log_checkpoint_after(h, why, sizeof(why)) != 0)
		arh_problems_add(probs, "%s", why);
out:
	json_decref(decision);
	json_decref(items);
	return rc;
}
