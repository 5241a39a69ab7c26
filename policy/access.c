/*
 * access.c — may this caller see this record today?  A pure function of the
 * caller's roles, the record's restriction and the date; see policy.h.
 *
 * Dates are compared as YYYY-MM-DD strings, which order like the dates
 * they name once arh_date_valid() (input.h, pure) has accepted them.
 * Anything that does not validate denies: a broken restriction must never
 * open a record.
 */
#include <stdio.h>
#include <string.h>

#include "arhiivar/policy.h"

/* A bounded sentence: whole pieces or none, so UTF-8 is never cut. */
struct why {
	char	*buf;
	size_t	 size, len;
	int	 full;
};

static void
why_add(struct why *w, const char *s)
{
	size_t n = strlen(s);

	if (w->full)
		return;
	if (w->len + n + 4 >= w->size) {	/* keep room for "..." */
		memcpy(w->buf + w->len, "...", 4);
		w->len += 3;
		w->full = 1;
		return;
	}
	memcpy(w->buf + w->len, s, n + 1);
	w->len += n;
}

static void
why_init(struct why *w, struct arh_access_decision *d)
{
	w->buf = d->why;
	w->size = sizeof(d->why);
	w->len = 0;
	w->full = 0;
	d->why[0] = '\0';
}

/* "record is for internal use (BASIS) until END" — public facts only. */
static void
why_restriction(struct why *w, const struct arh_access *acc, const char *verb)
{
	why_add(w, "record ");
	why_add(w, verb);
	why_add(w, " for internal use");
	if (acc->basis != NULL && acc->basis[0] != '\0') {
		why_add(w, " (");
		why_add(w, acc->basis);
		why_add(w, ")");
	}
	why_add(w, " until ");
	why_add(w, acc->end);
}

static int
restriction_ok(const struct arh_access *acc, const char *today)
{
	if (!arh_date_valid(today) || !arh_date_valid(acc->end))
		return 0;
	if (acc->start == NULL)
		return 1;
	return arh_date_valid(acc->start) && strcmp(acc->start, acc->end) <= 0;
}

/* The first of the caller's roles that is entitled, or NULL. */
static const char *
entitled_role(char *const *roles, size_t nroles, char *const *entitled,
    size_t nentitled)
{
	size_t i, j;

	for (i = 0; i < nroles; i++)
		for (j = 0; j < nentitled; j++)
			if (roles[i] != NULL && entitled[j] != NULL &&
			    strcmp(roles[i], entitled[j]) == 0)
				return roles[i];
	return NULL;
}

static void
deny_in_force(struct arh_access_decision *d, const struct arh_access *acc,
    char *const *roles, size_t nroles)
{
	struct why w;
	size_t i, shown = 0;

	d->rule = "internal-use-in-force";
	why_init(&w, d);
	why_restriction(&w, acc, "is");
	why_add(&w, "; ");
	for (i = 0; i < nroles; i++) {
		if (roles[i] == NULL)
			continue;
		why_add(&w, shown++ == 0 ? "none of your roles (" : ", ");
		why_add(&w, roles[i]);
	}
	why_add(&w, shown > 0 ? ") may read it" : "you hold no role that may "
	    "read it");
}

void
arh_access_decide(const struct arh_access *acc, char *const *roles,
    size_t nroles, char *const *entitled, size_t nentitled,
    const char *today, struct arh_access_decision *d)
{
	const char *role;
	struct why w;

	memset(d, 0, sizeof(*d));
	if (acc != NULL && !acc->internal) {
		d->allow = 1;
		d->rule = "public";
		snprintf(d->why, sizeof(d->why), "record is public");
		return;
	}
	d->restricted = 1;
	if (acc == NULL || !restriction_ok(acc, today)) {
		d->rule = "invalid-restriction";
		snprintf(d->why, sizeof(d->why), "record's access restriction "
		    "has a missing or invalid date; nobody may read it until "
		    "its metadata is corrected");
		return;
	}
	why_init(&w, d);
	if (strcmp(acc->end, today) < 0) {
		/* Public from the day after the end date: no rewrite needed. */
		d->allow = 1;
		d->restricted = 0;
		d->rule = "restriction-ended";
		why_restriction(&w, acc, "was");
		why_add(&w, "; it is public since the day after");
		return;
	}
	if ((role = entitled_role(roles, nroles, entitled, nentitled)) != NULL) {
		d->allow = 1;
		d->rule = "entitled-role";
		why_restriction(&w, acc, "is");
		why_add(&w, "; your role ");
		why_add(&w, role);
		why_add(&w, " may read it");
		return;
	}
	deny_in_force(d, acc, roles, nroles);
}

void
arh_access_of(const json_t *record, struct arh_access *a)
{
	const json_t *acc = json_object_get(record, "access");
	const char *level = json_string_value(json_object_get(acc, "level"));

	/* The casts drop const only for the struct's field types; nothing
	 * writes through them. */
	a->internal = level == NULL || strcmp(level, "public") != 0;
	a->basis = (char *)json_string_value(json_object_get(acc, "basis"));
	a->start = (char *)json_string_value(json_object_get(acc, "start"));
	a->end = (char *)json_string_value(json_object_get(acc, "end"));
}
