/*
 * view.c — the one view projection: what of a record's metadata a caller
 * sees, decided once for every output path (show, find, restore, the
 * destruction act's tombstones, later the HTTP API).  See policy.h.
 */
#include <stdio.h>
#include <string.h>

#include "arhiivar/policy.h"

const char *
arh_view_name(enum arh_view view)
{
	switch (view) {
	case ARH_VIEW_FULL:
		return "full";
	case ARH_VIEW_PERSON:
		return "person";
	case ARH_VIEW_PUBLIC:
		break;
	}
	return "public";
}

void
arh_policy_view(const json_t *record, char *const *roles, size_t nroles,
    char *const *entitled, size_t nentitled, const char *today,
    struct arh_view_decision *v)
{
	struct arh_access acc;

	memset(v, 0, sizeof(*v));
	arh_access_of(record, &acc);
	arh_access_decide(&acc, roles, nroles, entitled, nentitled, today,
	    &v->access);
	/* Those who may read internal-use records see private persons'
	 * names; everyone else who may read the record their initials. */
	if (!v->access.allow)
		v->view = ARH_VIEW_PUBLIC;
	else if (arh_role_permits(ARH_OP_READ_RESTRICTED, roles, nroles,
	    entitled, nentitled))
		v->view = ARH_VIEW_FULL;
	else
		v->view = ARH_VIEW_PERSON;
	v->name = arh_view_name(v->view);
}

json_t *
arh_view_apply(const json_t *record, enum arh_view view)
{
	switch (view) {
	case ARH_VIEW_FULL:
		return json_deep_copy(record);
	case ARH_VIEW_PERSON:
		return arh_person_view(record);
	case ARH_VIEW_PUBLIC:
		break;
	}
	return arh_public_view(record);
}

int
arh_policy_reads_restricted(char *const *roles, size_t nroles,
    char *const *entitled, size_t nentitled)
{
	return arh_role_permits(ARH_OP_READ_RESTRICTED, roles, nroles,
	    entitled, nentitled);
}
