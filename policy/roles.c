/*
 * roles.c — who holds which role, and which role may do which operation:
 * the one table of the operations' role rules.  Pure: the caller's
 * identity and the [roles] / [access] values in, a decision out; see
 * policy.h.  The caller's identity itself is read in archiver/caller.c.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arhiivar/policy.h"
#include "text.h"

#define SEE_ROLES	"; see [roles] in arhiivar.conf"

/*
 * The table.  role NULL: the roles of [access] internal_roles (the
 * entitled list); ARH_ANY_CALLER: no role needed (the home's file
 * permissions decide who may write it).
 */
static const struct arh_op_rule rules[] = {
	{ ARH_OP_HOLD_ADD, "hold-add", "placing a hold", "records-manager" },
	{ ARH_OP_HOLD_RELEASE, "hold-release", "releasing a hold",
	  "records-manager" },
	{ ARH_OP_ACCESS_EXTEND, "access-extend", "extending a restriction",
	  "records-manager" },
	{ ARH_OP_DISPOSAL_PROPOSE, "disposal-propose", "proposing a "
	  "destruction list", "records-manager" },
	{ ARH_OP_DISPOSAL_APPROVE_AS_APPROVER, "disposal-approve",
	  "approving a destruction list", "approver" },
	{ ARH_OP_DISPOSAL_APPROVE_AS_RECORDS_MANAGER, "disposal-approve",
	  "approving a destruction list", "records-manager" },
	{ ARH_OP_DISPOSAL_EXECUTE, "disposal-execute", "executing a "
	  "destruction list", "records-manager" },
	{ ARH_OP_SCHEDULE, "schedule", "scheduling a transfer (adding, "
	  "cancelling or running a job)", "records-manager" },
	{ ARH_OP_FILEPLAN_IMPORT, "fileplan-import", "importing a file plan",
	  ARH_ANY_CALLER },
	{ ARH_OP_QUARANTINE, "quarantine", "handling quarantined inbox "
	  "items", "records-manager" },
	{ ARH_OP_AUDIT_REQUEST, "audit-request", "requesting an audit",
	  "auditor" },
	{ ARH_OP_READ_RESTRICTED, "denial", "reading an internal-use record "
	  "in force (its content, files and full metadata)", NULL },
	{ ARH_OP_TOKEN_ADMIN, "token", "administering API tokens",
	  "records-manager" },
};

const struct arh_op_rule *
arh_op_rule(enum arh_op op)
{
	size_t i;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (rules[i].op == op)
			return &rules[i];
	return NULL;
}

static int
listed(char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] != NULL && strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

int
arh_role_permits(enum arh_op op, char *const *roles, size_t nroles,
    char *const *entitled, size_t nentitled)
{
	const struct arh_op_rule *r = arh_op_rule(op);
	size_t i;

	if (r == NULL)
		return 0;	/* an operation nobody wrote a rule for */
	if (r->role == NULL) {
		for (i = 0; i < nroles; i++)
			if (roles[i] != NULL && listed(entitled, nentitled,
			    roles[i]))
				return 1;
		return 0;
	}
	if (strcmp(r->role, ARH_ANY_CALLER) == 0)
		return 1;
	return listed(roles, nroles, r->role);
}

void
arh_role_decide(const enum arh_op *ops, size_t nops, char *const *roles,
    size_t nroles, const char *user, char *const *entitled,
    size_t nentitled, struct arh_role_decision *d)
{
	const struct arh_op_rule *r;
	size_t i, len;

	memset(d, 0, sizeof(*d));
	for (i = 0; i < nops && d->ngranted < ARH_MAX_GRANTED; i++)
		if (arh_role_permits(ops[i], roles, nroles, entitled,
		    nentitled)) {
			r = arh_op_rule(ops[i]);
			d->granted[d->ngranted] = ops[i];
			d->role[d->ngranted++] = r->role != NULL ? r->role :
			    "entitled";
		}
	if ((d->allow = d->ngranted > 0))
		return;
	if (nops == 0 || (r = arh_op_rule(ops[0])) == NULL) {
		snprintf(d->why, sizeof(d->why), "no rule says who may do this");
		return;
	}
	/* "WHAT needs the A role, which U does not hold" or "WHAT needs the A
	 * or the B role, and U holds neither". */
	len = (size_t)snprintf(d->why, sizeof(d->why), "%s needs ", r->what);
	for (i = 0; i < nops && len < sizeof(d->why); i++) {
		r = arh_op_rule(ops[i]);
		len += (size_t)snprintf(d->why + len, sizeof(d->why) - len,
		    "%s%s%s%s", i > 0 ? " or " : "", r == NULL ||
		    r->role == NULL ? "a role of [access] internal_roles" :
		    "the ", r != NULL && r->role != NULL ? r->role : "",
		    r != NULL && r->role != NULL && i + 1 == nops ? " role" :
		    "");
	}
	if (len < sizeof(d->why))
		snprintf(d->why + len, sizeof(d->why) - len, nops > 1 ?
		    ", and %s holds neither" SEE_ROLES : ", which %s does not "
		    "hold" SEE_ROLES, user != NULL ? user : "the caller");
}

void
arh_identity_release(struct arh_identity *id)
{
	if (id == NULL)
		return;
	free(id->user);
	arh_strv_free(id->groups, id->ngroups);
	arh_strv_free(id->roles, id->nroles);
	memset(id, 0, sizeof(*id));
}

/* "uid:N" with N a canonical decimal uid; -1 if m is not one. */
static int
member_uid(const char *m, uid_t *uid)
{
	unsigned long v;
	char *end;

	if (strncmp(m, "uid:", 4) != 0 || m[4] < '0' || m[4] > '9')
		return -1;
	errno = 0;
	v = strtoul(m + 4, &end, 10);
	if (errno != 0 || *end != '\0' || v >= UINT32_MAX)
		return -1;
	*uid = (uid_t)v;
	return 0;
}

static int
member_matches(const struct arh_identity *id, const char *m)
{
	uid_t uid;
	size_t i;

	if (strncmp(m, "user:", 5) == 0)
		return id->user != NULL && strcmp(id->user, m + 5) == 0;
	if (strncmp(m, "group:", 6) == 0) {
		for (i = 0; i < id->ngroups; i++)
			if (strcmp(id->groups[i], m + 6) == 0)
				return 1;
		return 0;
	}
	return member_uid(m, &uid) == 0 && uid == id->uid;
}

static int
role_applies(const struct arh_identity *id, const struct arh_role *role)
{
	size_t i;

	for (i = 0; i < role->nmembers; i++)
		if (member_matches(id, role->members[i]))
			return 1;
	return 0;
}

static int
add_role(char ***v, size_t *n, const char *name)
{
	char *s = strdup(name);

	return s == NULL ? ARH_ENOMEM : arh_strv_add_unique(v, n, s);
}

int
arh_identity_roles_from(struct arh_identity *id, const struct arh_role *table,
    size_t ntable)
{
	char **roles = NULL;
	size_t nroles = 0, i;
	int r;

	/* Everyone holds "public"; it comes first so "why" texts read well. */
	if ((r = add_role(&roles, &nroles, "public")) != 0)
		goto out;
	for (i = 0; table != NULL && i < ntable; i++)
		if (role_applies(id, &table[i]) &&
		    (r = add_role(&roles, &nroles, table[i].name)) != 0)
			goto out;
	arh_strv_free(id->roles, id->nroles);
	id->roles = roles;
	id->nroles = nroles;
	roles = NULL;	/* transferred */
	nroles = 0;
out:
	arh_strv_free(roles, nroles);
	return r;
}

int
arh_identity_has_role(const struct arh_identity *id, const char *role)
{
	size_t i;

	for (i = 0; i < id->nroles; i++)
		if (strcmp(id->roles[i], role) == 0)
			return 1;
	return 0;
}
