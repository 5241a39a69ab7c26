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

/*
 * Disposition eligibility: may these archives be destroyed?  One pure
 * decision for both steps of a destruction, proposing a list and
 * executing it (which fetches the facts again inside its transaction and
 * decides again before it writes).  The catalog only fetches the facts.
 *
 * An archive is eligible when
 *   - its sealed action is "destroy" (proposing: any other action is
 *     another procedure and the archive is no candidate, without a reason);
 *   - its due date is on or before f->today (the as-of date when
 *     proposing);
 *   - no hold is in force on it (on the archive, its case file or its
 *     series: which holds are in force is the catalog's fact);
 *   - proposing: it is on no pending list;
 *   - executing: it is still catalogued, its SHA-256 is the one proposed,
 *     and every version of its case file is on the list;
 *   - proposing, whole case files only: every other version of its case
 *     file is eligible too (outside names versions that are not
 *     candidates at all, e.g. not due).
 * Executing, the list also needs the approval of a records manager and of
 * an approver (two people: the catalog's key).
 */
enum arh_disposal_step {
	ARH_DISPOSAL_PROPOSE = 1,
	ARH_DISPOSAL_EXECUTE,
};

struct arh_disposal_item {
	/* facts */
	const char *archive;		/* archive name */
	const char *case_ref;
	int	    present;		/* executing: still catalogued */
	const char *action;		/* sealed action, NULL none */
	const char *due;		/* sealed due date, NULL never */
	const char *holds;		/* ids of the holds in force, "1,3";
					   NULL or "" none */
	long	    on_list;		/* proposing: pending list it is on */
	const char *sha256;		/* executing: its digest now */
	const char *listed_sha256;	/* executing: as proposed */
	const char *outside;		/* versions of its case file outside
					   the items ("a, b"), NULL or "" */
	/* decision */
	int	    eligible;
	int	    alone;		/* eligible on its own facts */
};

struct arh_disposal_facts {
	enum arh_disposal_step step;
	const char *today;		/* YYYY-MM-DD; proposing: as of */
	long	    list;		/* executing: the list's id */
	int	    approved_by_records_manager;	/* executing */
	int	    approved_by_approver;		/* executing */
	struct arh_disposal_item *items;
	size_t	    nitems;
};

/*
 * Decide: sets every item's eligible, and appends every reason against
 * (list-level first, then per item in order, "ARCHIVE: why" with what to
 * do when there is something to do) to why.  Returns 1 when the whole set
 * may be destroyed (at least one item, all eligible, and when executing
 * both approvals), 0 when not, or ARH_ENOMEM.
 */
int arh_disposal_decide(struct arh_disposal_facts *f,
    struct arh_problems *why);

#endif
