/*
 * holds.c — placing and releasing holds: who may is the role table's
 * (policy/roles.c).  Anyone may list them; a refusal is an event like the
 * change itself.
 */
#include <stdio.h>
#include <string.h>

#include "arhiivar/ops.h"
#include "ops_int.h"

int
arh_hold_place(struct arh_home *h, const struct arh_identity *who,
    struct arh_hold *hold, struct arh_err *err)
{
	static const enum arh_op op = ARH_OP_HOLD_ADD;
	int rc;

	if ((rc = arh_authorize(h, who, &op, 1, hold->target, NULL, err)) != 0)
		return rc;
	snprintf(hold->placed_by, sizeof(hold->placed_by), "%s", h->actor);
	return arh_catalog_hold_add(h->cat, hold, err);
}

int
arh_hold_lift(struct arh_home *h, const struct arh_identity *who, long id,
    const char *reason, struct arh_err *err)
{
	static const enum arh_op op = ARH_OP_HOLD_RELEASE;
	char target[64];
	int rc;

	snprintf(target, sizeof(target), "hold %ld", id);
	if ((rc = arh_authorize(h, who, &op, 1, target, NULL, err)) != 0)
		return rc;
	return arh_catalog_hold_release(h->cat, id, reason, h->actor, err);
}
