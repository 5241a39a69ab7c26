/*
 * disposal.c — may these archives be destroyed?  The one decision of
 * disposition eligibility, for both the propose and the execute step; the
 * facts come from the catalog (the execute step fetches them inside its
 * transaction).  Pure; see retention.h.
 */
#include <stdio.h>
#include <string.h>

#include "arhiivar/retention.h"

static int
set(const char *s)
{
	return s != NULL && *s != '\0';
}

/* The reasons of one archive on its own; 0 or ARH_ENOMEM. */
static int
decide_item(const struct arh_disposal_facts *f, struct arh_disposal_item *it,
    struct arh_problems *why)
{
	int exec = f->step == ARH_DISPOSAL_EXECUTE, r = 0;

	it->eligible = 0;
	if (exec && !it->present)
		return arh_problems_add(why, "%s: no longer in the catalog",
		    it->archive);
	if (exec && (it->sha256 == NULL || it->listed_sha256 == NULL ||
	    strcmp(it->sha256, it->listed_sha256) != 0) &&
	    (r = arh_problems_add(why, "%s: its digest changed since the list "
	    "was proposed", it->archive)) != 0)
		return r;
	if (it->action == NULL || strcmp(it->action, "destroy") != 0) {
		/* Proposing: transfer and review are other procedures, and
		 * such an archive is simply not a candidate. */
		return exec ? arh_problems_add(why, "%s: its sealed action is "
		    "%s, not destroy", it->archive, it->action ? it->action :
		    "none") : 0;
	}
	if ((it->due == NULL || f->today == NULL ||
	    strcmp(it->due, f->today) > 0) && (r = arh_problems_add(why,
	    "%s: not due until %s", it->archive, it->due ? it->due :
	    "never")) != 0)
		return r;
	if (set(it->holds) && (r = arh_problems_add(why, exec ? "%s: held by "
	    "hold %s; release the hold or propose a new list without it" :
	    "%s: held by hold %s", it->archive, it->holds)) != 0)
		return r;
	if (!exec && it->on_list > 0 && (r = arh_problems_add(why, "%s: "
	    "already on destruction list %ld", it->archive, it->on_list)) != 0)
		return r;
	if (exec && set(it->outside) && (r = arh_problems_add(why, "%s: its "
	    "case file has versions the list leaves out (%s); propose a new "
	    "list", it->archive, it->outside)) != 0)
		return r;
	it->eligible = why->n == 0;
	return 0;
}

/* Proposing: whole case files only.  An eligible version goes only if
 * every other version of its case file can go too. */
static int
whole_case_files(struct arh_disposal_facts *f, struct arh_problems *why)
{
	const char *blocker;
	size_t i, j;
	int r;

	for (i = 0; i < f->nitems; i++) {
		struct arh_disposal_item *it = &f->items[i];

		if (!it->alone)
			continue;
		blocker = set(it->outside) ? it->outside : NULL;
		for (j = 0; blocker == NULL && j < f->nitems; j++)
			if (!f->items[j].alone && strcmp(f->items[j].case_ref,
			    it->case_ref) == 0)
				blocker = f->items[j].archive;
		if (blocker == NULL)
			continue;
		it->eligible = 0;
		if ((r = arh_problems_add(why, "%s: left out with its case file "
		    "%s, whose version %s cannot be on the list (not due for "
		    "destruction, held or on another list)", it->archive,
		    it->case_ref, blocker)) != 0)
			return r;
	}
	return 0;
}

int
arh_disposal_decide(struct arh_disposal_facts *f, struct arh_problems *why)
{
	struct arh_problems one;
	size_t i, j;
	int r = 0, all = 1;
	if (f->step == ARH_DISPOSAL_EXECUTE) {
		/* Two roles, and the catalog's key makes them two people. */
		if (!f->approved_by_records_manager && (r = arh_problems_add(
		    why, "list %ld lacks the approval of a records manager",
		    f->list)) != 0)
			return r;
		if (!f->approved_by_approver && (r = arh_problems_add(why,
		    "list %ld lacks the approval of an approver", f->list)) != 0)
			return r;
		all = f->approved_by_records_manager &&
		    f->approved_by_approver;
	}
	for (i = 0; i < f->nitems; i++) {
		arh_problems_init(&one);
		r = decide_item(f, &f->items[i], &one);
		for (j = 0; r == 0 && j < one.n; j++)
			r = arh_problems_add(why, "%s", one.items[j]);
		arh_problems_release(&one);
		if (r != 0)
			return r;
		f->items[i].alone = f->items[i].eligible;
	}
	if (f->step == ARH_DISPOSAL_PROPOSE && (r = whole_case_files(f, why))
	    != 0)
		return r;
	for (i = 0; i < f->nitems; i++)
		all = all && f->items[i].eligible;
	return all && f->nitems > 0 ? 1 : 0;
}
