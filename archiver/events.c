/*
 * events.c — the audit trail as a caller may see it: every event that
 * names a file of a record whose view is "public" for the caller names the
 * record by its reference instead (redact.h).  The CLI and, later, the
 * daemon list events only through this.
 */
#include <stdlib.h>
#include <string.h>

#include "arhiivar/ops.h"
#include "arhiivar/redact.h"

struct walk {
	struct arh_home *h;
	const struct arh_redact_caller *who;
	arh_event_cb	 cb;
	void		*arg;
	json_t		*seen;		/* archive -> index into r */
	struct arh_redact *r;
	size_t		 n;
	struct arh_err	*err;
};

/* The folders of `archive` the caller may not see into, built once. */
static int
folders_of(struct walk *w, const char *archive, const struct arh_redact **out)
{
	json_t *ix = json_object_get(w->seen, archive);
	struct arh_redact *v;
	int rc;

	if (ix != NULL) {
		*out = &w->r[json_integer_value(ix)];
		return 0;
	}
	*out = NULL;
	if ((v = realloc(w->r, (w->n + 1) * sizeof(*v))) == NULL)
		return arh_errf(w->err, ARH_ENOMEM, "out of memory");
	w->r = v;
	arh_redact_init(&w->r[w->n]);
	if (json_object_set_new(w->seen, archive, json_integer(
	    (json_int_t)w->n)) != 0)
		return arh_errf(w->err, ARH_ENOMEM, "out of memory");
	w->n++;
	/* A destroyed archive has no rows: its events named only what its
	 * tombstone keeps (public views), so nothing is hidden. */
	rc = arh_redact_from_catalog(&w->r[w->n - 1], w->who, w->h->cat,
	    archive, w->err);
	*out = &w->r[w->n - 1];
	return rc;
}

static int
one(void *arg, const char *at, const struct arh_event *ev)
{
	struct walk *w = arg;
	const struct arh_redact *r = NULL;
	struct arh_redacted_event red;
	int rc;

	if (ev->archive == NULL || (ev->target == NULL && ev->detail == NULL))
		return w->cb(w->arg, at, ev);
	if ((rc = folders_of(w, ev->archive, &r)) != 0)
		return rc;
	if (arh_redact_event(r, ev, &red) != 0)
		return arh_errf(w->err, ARH_ENOMEM, "out of memory");
	rc = w->cb(w->arg, at, &red.ev);
	arh_redact_event_release(&red);
	return rc;
}

int
arh_events_for(struct arh_home *h, const struct arh_redact_caller *who,
    const char *archive, arh_event_cb cb, void *arg, struct arh_err *err)
{
	struct walk w = { h, who, cb, arg, json_object(), NULL, 0, err };
	size_t i;
	int rc;

	if (w.seen == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	rc = arh_catalog_events(h->cat, archive, one, &w, err);
	for (i = 0; i < w.n; i++)
		arh_redact_release(&w.r[i]);
	free(w.r);
	json_decref(w.seen);
	return rc;
}
