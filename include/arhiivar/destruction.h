/*
 * destruction.h — destruction of archives whose retention has ended, as the
 * four-step procedure records managers know (docs/POLICY.md):
 *
 *   1. propose	a records manager draws up a list: the archives whose
 *		sealed action is "destroy", due on a date, under no hold,
 *		whole case files only.  A dry run shows the list without
 *		keeping it.
 *   2. approve	two different people approve it, one as records manager,
 *		one as approver.
 *   3. execute	a records manager executes it: the catalog re-checks the
 *		list, approvals and holds in one transaction, writes a
 *		tombstone per archive and forgets the archives; then the files
 *		are removed from the store and the directory fsynced.
 *   4. act	the destruction act (hävitamisakt), JSON and printable
 *		HTML, is sealed and archived as a permanent record.
 *
 * An interrupted execute is finished by running it again; any command
 * removes a file whose destruction is committed.  Every step, refusal
 * included, is an event.  No single person can destroy anything.
 */
#ifndef ARHIIVAR_DESTRUCTION_H
#define ARHIIVAR_DESTRUCTION_H

#include <jansson.h>

#include "arhiivar/catalog.h"
#include "arhiivar/home.h"
#include "arhiivar/policy.h"

#define ARH_DEFAULT_METHOD	"deletion of the archive file from the " \
	"archive store"

struct arh_propose_req {
	const struct arh_identity *who;	/* must hold records-manager */
	const char *as_of;		/* YYYY-MM-DD: due on or before */
	const char *series;		/* only this series, or NULL */
	const char *method;		/* NULL: ARH_DEFAULT_METHOD */
	int	    dry_run;		/* show the list, keep nothing */
};

/*
 * Step 1.  On success d describes the list (id 0 for a dry run) and
 * *items (new reference) holds its archives with their tombstones; notes
 * says what was left out and why.  ARH_ENOTFOUND when nothing qualifies,
 * ARH_EDENIED for a caller who is not a records manager (an event).
 */
int arh_disposal_propose(struct arh_home *h, const struct arh_propose_req *r,
    struct arh_disposal *d, json_t **items, struct arh_problems *notes,
    struct arh_err *err);

/*
 * Step 2.  The caller approves list id in the role still missing that
 * they hold (approver before records-manager when they hold both); the
 * role taken goes to role (32 bytes).  ARH_EDENIED without either role,
 * ARH_EEXIST when this person approved already or no role they hold is
 * missing.  Refusals are events.
 */
int arh_disposal_approve(struct arh_home *h, const struct arh_identity *who,
    long id, char role[32], struct arh_err *err);

/*
 * Steps 3 and 4 (or what is left of them after an interruption).  probs
 * gets every reason a list cannot be executed (then ARH_EINVAL, nothing
 * destroyed, an event).  On success d is the executed list with its act.
 */
int arh_disposal_execute(struct arh_home *h, const struct arh_identity *who,
    long id, struct arh_disposal *d, struct arh_problems *probs,
    struct arh_err *err);

/*
 * The destruction act of an executed (or executing) list as JSON (new
 * reference) and its printable HTML page (malloc'd, NUL-terminated).
 * Either output may be NULL.  Both are built from the catalog alone.
 */
int arh_disposal_act(struct arh_home *h, long id, json_t **act, char **html,
    struct arh_err *err);

/* The HTML page of an act (pure; NULL on allocation failure). */
char *arh_act_html(const json_t *act);

#endif
