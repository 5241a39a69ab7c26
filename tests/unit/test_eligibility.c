/*
 * test_eligibility.c — disposition eligibility, arh_disposal_decide(): a
 * table of facts → decision and reasons, for proposing and executing.
 * Links with policy/ and common/ only (make policy-alone).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arhiivar/retention.h"

#define S	"aaaa"		/* a digest */
#define TODAY	"2026-02-01"

/* An archive of case file CASE, destroy, due 2026-01-01, no hold. */
#define OK(name, case_ref) { name, case_ref, 1, "destroy", "2026-01-01", \
	NULL, 0, S, S, NULL, 0, 0 }

struct elig_case {
	const char	*name;
	enum arh_disposal_step step;
	int		 rm, ap;	/* approvals (executing) */
	struct arh_disposal_item items[3];
	size_t		 nitems;
	int		 result;
	int		 eligible[3];
	const char	*reasons[6];	/* exactly these, in order */
};

static const struct elig_case cases[] = {
	{ "propose: due, destroy, no hold", ARH_DISPOSAL_PROPOSE, 0, 0,
	  { OK("a.v1", "1-2/2024") }, 1, 1, { 1 }, { NULL } },
	{ "propose: transfer is another procedure, silently",
	  ARH_DISPOSAL_PROPOSE, 0, 0,
	  { { "a.v1", "c", 1, "transfer", "2026-01-01", NULL, 0, NULL, NULL,
	      NULL, 0, 0 } }, 1, 0, { 0 }, { NULL } },
	{ "propose: held", ARH_DISPOSAL_PROPOSE, 0, 0,
	  { { "a.v1", "c", 1, "destroy", "2026-01-01", "3,7", 0, NULL, NULL,
	      NULL, 0, 0 } }, 1, 0, { 0 }, { "a.v1: held by hold 3,7" } },
	{ "propose: on a pending list", ARH_DISPOSAL_PROPOSE, 0, 0,
	  { { "a.v1", "c", 1, "destroy", "2026-01-01", NULL, 4, NULL, NULL,
	      NULL, 0, 0 } }, 1, 0, { 0 },
	  { "a.v1: already on destruction list 4" } },
	{ "propose: not due yet", ARH_DISPOSAL_PROPOSE, 0, 0,
	  { { "a.v1", "c", 1, "destroy", "2027-01-01", NULL, 0, NULL, NULL,
	      NULL, 0, 0 } }, 1, 0, { 0 },
	  { "a.v1: not due until 2027-01-01" } },
	{ "propose: a version of the case file is not due",
	  ARH_DISPOSAL_PROPOSE, 0, 0,
	  { { "a.v1", "c", 1, "destroy", "2026-01-01", NULL, 0, NULL, NULL,
	      "a.v2", 0, 0 } }, 1, 0, { 0 },
	  { "a.v1: left out with its case file c, whose version a.v2 cannot "
	    "be on the list (not due for destruction, held or on another "
	    "list)" } },
	{ "propose: a held sibling keeps its case file, others go",
	  ARH_DISPOSAL_PROPOSE, 0, 0,
	  { OK("a.v1", "c"),
	    { "a.v2", "c", 1, "destroy", "2026-01-01", "9", 0, NULL, NULL,
	      NULL, 0, 0 },
	    OK("b.v1", "d") }, 3, 0, { 0, 0, 1 },
	  { "a.v2: held by hold 9", "a.v1: left out with its case file c, "
	    "whose version a.v2 cannot be on the list (not due for "
	    "destruction, held or on another list)" } },
	{ "execute: approved, unchanged", ARH_DISPOSAL_EXECUTE, 1, 1,
	  { OK("a.v1", "c"), OK("a.v2", "c") }, 2, 1, { 1, 1 }, { NULL } },
	{ "execute: one approval missing", ARH_DISPOSAL_EXECUTE, 1, 0,
	  { OK("a.v1", "c") }, 1, 0, { 1 },
	  { "list 5 lacks the approval of an approver" } },
	{ "execute: no approvals", ARH_DISPOSAL_EXECUTE, 0, 0,
	  { OK("a.v1", "c") }, 1, 0, { 1 },
	  { "list 5 lacks the approval of a records manager",
	    "list 5 lacks the approval of an approver" } },
	{ "execute: gone from the catalog", ARH_DISPOSAL_EXECUTE, 1, 1,
	  { { "a.v1", "c", 0, NULL, NULL, NULL, 0, NULL, S, NULL, 0, 0 } }, 1,
	  0, { 0 }, { "a.v1: no longer in the catalog" } },
	{ "execute: every reason at once", ARH_DISPOSAL_EXECUTE, 1, 1,
	  { { "a.v1", "c", 1, "keep", NULL, NULL, 0, "bbbb", S, NULL, 0, 0 },
	    { "a.v2", "c", 1, "destroy", "2026-03-01", "2", 0, S, S, "a.v3",
	      0, 0 } }, 2, 0, { 0, 0 },
	  { "a.v1: its digest changed since the list was proposed",
	    "a.v1: its sealed action is keep, not destroy",
	    "a.v2: not due until 2026-03-01",
	    "a.v2: held by hold 2; release the hold or propose a new list "
	    "without it", "a.v2: its case file has versions the list leaves "
	    "out (a.v3); propose a new list" } },
	{ "execute: a version left out", ARH_DISPOSAL_EXECUTE, 1, 1,
	  { { "a.v1", "c", 1, "destroy", "2026-01-01", NULL, 0, S, S, "a.v3",
	      0, 0 } }, 1, 0, { 0 },
	  { "a.v1: its case file has versions the list leaves out (a.v3); "
	    "propose a new list" } },
	{ "execute: due today is due", ARH_DISPOSAL_EXECUTE, 1, 1,
	  { { "a.v1", "c", 1, "destroy", TODAY, "", 0, S, S, "", 0, 0 } }, 1,
	  1, { 1 }, { NULL } },
	{ "nothing to decide", ARH_DISPOSAL_PROPOSE, 0, 0, { OK("x", "y") }, 0,
	  0, { 0 }, { NULL } },
};

static void
test_eligibility_table(void **state)
{
	struct arh_disposal_item items[3];
	struct arh_disposal_facts f;
	struct arh_problems why;
	const struct elig_case *c;
	size_t i, j, nreasons;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = &cases[i];
		print_message("# %s\n", c->name);
		memcpy(items, c->items, sizeof(items));
		memset(&f, 0, sizeof(f));
		f.step = c->step;
		f.today = TODAY;
		f.list = 5;
		f.approved_by_records_manager = c->rm;
		f.approved_by_approver = c->ap;
		f.items = items;
		f.nitems = c->nitems;
		arh_problems_init(&why);
		assert_int_equal(arh_disposal_decide(&f, &why), c->result);
		for (j = 0; j < c->nitems; j++)
			assert_int_equal(items[j].eligible, c->eligible[j]);
		for (nreasons = 0; nreasons < 6 && c->reasons[nreasons];
		    nreasons++)
			;
		for (j = 0; j < why.n && j < nreasons; j++)
			assert_string_equal(why.items[j], c->reasons[j]);
		assert_int_equal(why.n, nreasons);
		arh_problems_release(&why);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eligibility_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
