/*
 * retention.c — retention period and disposition of a case file from its
 * dates and its series; see retention.h for the rules.
 *
 * Every decision carries one sentence naming the series, its retention
 * and archival value and why the due date is what it is, so that `policy
 * explain` and a disposition list can show the rule next to the date.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "arhiivar/input.h"
#include "arhiivar/retention.h"
#include "caldate.h"
#include "text.h"

static const char *const action_names[] = {
	[ARH_ACTION_KEEP] = "keep",
	[ARH_ACTION_DESTROY] = "destroy",
	[ARH_ACTION_TRANSFER] = "transfer",
	[ARH_ACTION_REVIEW] = "review",
};

static const char *const ten_years = "10 years after the case file closed "
    "(records go to the National Archives at the latest 10 years after "
    "they were created)";

static int fail(struct arh_retention *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(struct arh_retention *r, const char *fmt, ...)
{
	va_list ap;

	r->start[0] = r->end[0] = r->due[0] = '\0';
	r->act = ARH_ACTION_KEEP;
	r->action = action_names[ARH_ACTION_KEEP];
	va_start(ap, fmt);
	vsnprintf(r->rule, sizeof(r->rule), fmt, ap);
	va_end(ap);
	return ARH_EINVAL;
}

/* The dates that decide: start, end (unless permanent), both due dates. */
struct dates {
	struct arh_caldate start, end, after_end, cap;
};

static int
compute_dates(const struct arh_fileplan_row *row,
    const struct arh_caldate *closed, struct dates *d, struct arh_retention *r)
{
	char after[11], cap[11];
	int ok;

	d->start.y = closed->y + 1;
	d->start.m = d->start.d = 1;
	d->end.y = closed->y + row->retention_years;
	d->end.m = 12;
	d->end.d = 31;
	d->after_end = arh_caldate_next_day(d->end);
	d->cap = arh_caldate_add_years(*closed, ARH_TRANSFER_YEARS);
	ok = arh_caldate_format(&d->start, r->start) == 0 &&
	    arh_caldate_format(&d->cap, cap) == 0;
	if (ok && row->retention_years > 0)
		ok = arh_caldate_format(&d->end, r->end) == 0 &&
		    arh_caldate_format(&d->after_end, after) == 0;
	if (!ok)
		return fail(r, "series %s: the retention dates of a case file "
		    "closed %04d-%02d-%02d would pass 9999-12-31",
		    arh_show(row->series_code).s, closed->y, closed->m,
		    closed->d);
	return 0;
}

/* "series 12-1 (Title): retention 10 a, 2025-01-01 to 2034-12-31; " */
static size_t
describe(const struct arh_fileplan_row *row, struct arh_retention *r)
{
	int n;

	if (row->retention_years > 0)
		n = snprintf(r->rule, sizeof(r->rule), "series %s (%s): "
		    "retention %d a, %s to %s; ", arh_show(row->series_code).s,
		    arh_show(row->series_title).s, row->retention_years,
		    r->start, r->end);
	else
		n = snprintf(r->rule, sizeof(r->rule), "series %s (%s): "
		    "permanent retention (alaline) from %s; ",
		    arh_show(row->series_code).s,
		    arh_show(row->series_title).s, r->start);
	return n < 0 ? 0 : (size_t)n < sizeof(r->rule) ? (size_t)n :
	    sizeof(r->rule) - 1;
}

static void
decide(const struct arh_fileplan_row *row, const struct dates *d,
    struct arh_retention *r)
{
	size_t len = describe(row, r), room = sizeof(r->rule) - len;
	char *tail = r->rule + len;
	int permanent = row->retention_years == 0;
	int capped = permanent || arh_caldate_cmp(&d->cap, &d->after_end) < 0;

	switch (row->archival) {
	case ARH_ARCHIVAL_AV:
		r->act = ARH_ACTION_TRANSFER;
		arh_caldate_format(capped ? &d->cap : &d->after_end, r->due);
		snprintf(tail, room, "archival value (AV): transfer to the "
		    "National Archives, due %s, %s", r->due, capped ?
		    ten_years : "the day after retention ends");
		break;
	case ARH_ARCHIVAL_H:
		r->act = ARH_ACTION_REVIEW;
		arh_caldate_format(permanent ? &d->cap : &d->after_end, r->due);
		snprintf(tail, room, "under appraisal (H): review, due %s, %s",
		    r->due, permanent ? "10 years after the case file closed" :
		    "the day after retention ends");
		break;
	default:
		if (permanent) {
			r->act = ARH_ACTION_KEEP;
			r->due[0] = '\0';
			snprintf(tail, room, "no archival value: keep in the "
			    "organisation, never due");
		} else {
			r->act = ARH_ACTION_DESTROY;
			arh_caldate_format(&d->after_end, r->due);
			snprintf(tail, room, "no archival value: destroy, due "
			    "%s, the day after retention ends", r->due);
		}
	}
	r->action = action_names[r->act];
}

int
arh_retention_compute(const struct arh_fileplan_row *row, const char *opened,
    const char *closed, struct arh_retention *r)
{
	struct arh_caldate c, o;
	struct dates d;
	int rc;

	memset(r, 0, sizeof(*r));
	if (row == NULL || row->series_code == NULL ||
	    row->series_title == NULL)
		return fail(r, "no file-plan series given");
	if (arh_caldate_parse(closed, &c) != 0)
		return fail(r, "the closing date is not a date YYYY-MM-DD: "
		    "'%s'", closed ? arh_show(closed).s : "(none)");
	if (opened != NULL && arh_caldate_parse(opened, &o) != 0)
		return fail(r, "the opening date is not a date YYYY-MM-DD: "
		    "'%s'", arh_show(opened).s);
	if (opened != NULL && arh_caldate_cmp(&o, &c) > 0)
		return fail(r, "the case file was opened %s, after it closed "
		    "%s", opened, closed);
	if (row->retention_years < 0 ||
	    row->retention_years > ARH_FILEPLAN_MAX_YEARS)
		return fail(r, "series %s has no valid retention period",
		    arh_show(row->series_code).s);
	if (row->archival != ARH_ARCHIVAL_NONE &&
	    row->archival != ARH_ARCHIVAL_AV && row->archival != ARH_ARCHIVAL_H)
		return fail(r, "series %s has no valid archival value",
		    arh_show(row->series_code).s);
	if ((rc = compute_dates(row, &c, &d, r)) != 0)
		return rc;
	decide(row, &d, r);
	return 0;
}

int
arh_retention_due(const struct arh_retention *r, const char *as_of)
{
	if (r == NULL || r->act == ARH_ACTION_KEEP || r->due[0] == '\0' ||
	    !arh_date_valid(as_of))
		return 0;
	return strcmp(r->due, as_of) <= 0;
}
