/*
 * retention.h — how long a case file is kept and what happens at the end.
 * Pure: the case file's dates and its series' file-plan row in, a
 * decision and the rule that decided out.  docs/POLICY.md explains the
 * rules with worked examples.
 *
 * The rules (calendar dates, Europe/Tallinn days, inclusive):
 *   start	1 January of the year after the case file closed.
 *   end	"N a": 31 December of (closing year + N); "alaline": none.
 *   action, due
 *	AV (archival value)	"transfer" to the National Archives, due at
 *				the earlier of end + 1 day and closed + 10
 *				years (records reach the archives at the
 *				latest 10 years after they were created);
 *				for "alaline" closed + 10 years.
 *	H (under appraisal)	"review", due end + 1 day; for "alaline"
 *				closed + 10 years.
 *	none, "N a"		"destroy", due end + 1 day.
 *	none, "alaline"		"keep" in the organisation, never due.
 * "+ N years" keeps month and day; 29 February becomes 28 February in a
 * year that is not a leap year.
 *
 * Holds (litigation, audits) and the file plan's valid_from/valid_until
 * are not considered here: the disposition run checks holds before acting,
 * and ingest checks arh_fileplan_valid_on(row, opened).
 */
#ifndef ARHIIVAR_RETENTION_H
#define ARHIIVAR_RETENTION_H

#include "arhiivar/error.h"
#include "arhiivar/fileplan.h"

#define ARH_TRANSFER_YEARS	10	/* AV and permanent H: closed + 10 a */

enum arh_action {
	ARH_ACTION_KEEP = 0,
	ARH_ACTION_DESTROY,
	ARH_ACTION_TRANSFER,
	ARH_ACTION_REVIEW,
};

struct arh_retention {
	char	 start[11];	/* YYYY-MM-DD */
	char	 end[11];	/* YYYY-MM-DD, "" if permanent */
	enum arh_action act;
	const char *action;	/* "destroy", "transfer", "review", "keep"
				   (static string) */
	char	 due[11];	/* YYYY-MM-DD the action is due, "" for keep */
	char	 rule[512];	/* one sentence: the series, its retention
				   and archival value, and why this due date;
				   on failure, what is wrong */
};

/*
 * Compute the retention of a case file closed on `closed` (YYYY-MM-DD) in
 * the series `row`.  `opened` may be NULL; if given it must be a date not
 * after closed.  Returns 0, or ARH_EINVAL with r->rule saying why (a date
 * is invalid, the row's retention or archival value is not one of the
 * values above, or a date would pass 9999-12-31); r is always filled
 * (action "keep", no due date, on failure).
 */
int arh_retention_compute(const struct arh_fileplan_row *row,
    const char *opened, const char *closed, struct arh_retention *r);

/*
 * 1 if r's action is due on as_of (YYYY-MM-DD): due is set and due <=
 * as_of.  0 otherwise, also for "keep" and when as_of is not a date.
 */
int arh_retention_due(const struct arh_retention *r, const char *as_of);

#endif
