/*
 * holds.c — placing and releasing holds: a records manager's decision.
 * Anyone may list them; a refusal is an event like the change itself.
 */
#include <stdio.h>
#include <string.h>

#include "arhiivar/ops.h"

static int
need_records_manager(struct arh_home *h, const struct arh_identity *who,
    const char *what, const char *kind, const char *target,
    struct arh_err *err)
{
	struct arh_event ev = { kind, h->actor, NULL, target, "denied", NULL };

	if (arh_identity_has_role(who, "records-manager"))
		return 0;
	arh_errf(err, ARH_EDENIED, "%s needs the records-manager role, which "
	    "%s does not hold; see [roles] in arhiivar.conf", what, who->user);
	ev.detail = err->msg;
	(void)arh_catalog_event(h->cat, &ev, NULL);
	return ARH_EDENIED;
}

int
arh_hold_place(struct arh_home *h, const struct arh_identity *who,
    struct arh_hold *hold, struct arh_err *err)
{
	int rc;

	if ((rc = need_records_manager(h, who, "placing a hold", "hold-add",
	    hold->target, err)) != 0)
		return rc;
	snprintf(hold->placed_by, sizeof(hold->placed_by), "%s", h->actor);
	return arh_catalog_hold_add(h->cat, hold, err);
}

int
arh_hold_lift(struct arh_home *h, const struct arh_identity *who, long id,
    const char *reason, struct arh_err *err)
{
	char target[64];
	int rc;

	snprintf(target, sizeof(target), "hold %ld", id);
	if ((rc = need_records_manager(h, who, "releasing a hold",
	    "hold-release", target, err)) != 0)
		return rc;
	return arh_catalog_hold_release(h->cat, id, reason, h->actor, err);
}
