/*
 * caller.c — who is asking: the caller's user and group names from the
 * system databases (I/O); the roles they hold are resolved in policy/
 * (roles.c, pure).  And the one gate of the operations layer,
 * arh_authorize(): the role table's answer, with the refusal recorded.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arhiivar/ops.h"
#include "arhiivar/policy.h"
#include "ops_int.h"
#include "text.h"

/* NSS entries larger than this are treated as a broken database. */
#define MAX_NSS_BUF	(1024 * 1024)
#define MAX_GROUPS	65536		/* NGROUPS_MAX on Linux */

/* getpwuid_r with a growing buffer; *res is NULL when there is no entry. */
static int
lookup_user(uid_t uid, struct passwd *pw, struct passwd **res, char **buf,
    struct arh_err *err)
{
	size_t size = 1024;
	char *nb;
	int e;

	for (;;) {
		if ((nb = realloc(*buf, size)) == NULL)
			return arh_errf(err, ARH_ENOMEM, "out of memory");
		*buf = nb;
		e = getpwuid_r(uid, pw, *buf, size, res);
		if (e != ERANGE)
			break;
		if ((size *= 2) > MAX_NSS_BUF)
			return arh_errf(err, ARH_EIO, "the user database entry "
			    "of uid %u is too large", (unsigned)uid);
	}
	/* Some NSS modules report "no such user" as one of these. */
	if (e == ENOENT || e == ESRCH || e == EBADF || e == EPERM)
		*res = NULL;
	else if (e != 0)
		return arh_errno(err, ARH_EIO, e, "cannot look up uid %u",
		    (unsigned)uid);
	return 0;
}

/* The name of gid as a new string, or *name NULL when it has none. */
static int
group_name(gid_t gid, char **name, struct arh_err *err)
{
	struct group gr, *res = NULL;
	size_t size = 1024;
	char *buf = NULL, *nb;
	int e, r = 0;

	*name = NULL;
	for (;;) {
		if ((nb = realloc(buf, size)) == NULL) {
			r = arh_errf(err, ARH_ENOMEM, "out of memory");
			goto out;
		}
		buf = nb;
		e = getgrgid_r(gid, &gr, buf, size, &res);
		if (e != ERANGE)
			break;
		if ((size *= 2) > MAX_NSS_BUF) {
			r = arh_errf(err, ARH_EIO, "the group database entry "
			    "of gid %u is too large", (unsigned)gid);
			goto out;
		}
	}
	if (e != 0 && e != ENOENT && e != ESRCH && e != EBADF && e != EPERM)
		r = arh_errno(err, ARH_EIO, e, "cannot look up gid %u",
		    (unsigned)gid);
	else if (e == 0 && res != NULL && (*name = strdup(gr.gr_name)) == NULL)
		r = arh_errf(err, ARH_ENOMEM, "out of memory");
out:
	free(buf);
	return r;
}

/*
 * Add the names of gids to id->groups.  A gid without a name is left out:
 * members name groups ("group:NAME"), so it could never match.
 */
static int
add_groups(struct arh_identity *id, const gid_t *gids, size_t n,
    struct arh_err *err)
{
	char *name;
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		if ((r = group_name(gids[i], &name, err)) != 0)
			return r;
		if (name != NULL &&
		    arh_strv_add_unique(&id->groups, &id->ngroups, name) != 0)
			return arh_errf(err, ARH_ENOMEM, "out of memory");
	}
	return 0;
}

/* The groups the group database gives user (primary gid included). */
static int
user_groups(struct arh_identity *id, const char *user, gid_t gid,
    struct arh_err *err)
{
	gid_t *gids = NULL, *ng;
	int n = 32, prev, r;

	for (;;) {
		if ((ng = realloc(gids, (size_t)n * sizeof(*ng))) == NULL) {
			r = arh_errf(err, ARH_ENOMEM, "out of memory");
			goto out;
		}
		gids = ng;
		prev = n;
		if (getgrouplist(user, gid, gids, &n) != -1)
			break;
		/* -1: n now holds the count needed. */
		if (n <= prev)
			n = prev * 2;
		if (n > MAX_GROUPS) {
			r = arh_errf(err, ARH_EIO, "user '%s' is in too many "
			    "groups", user);
			goto out;
		}
	}
	r = add_groups(id, gids, (size_t)n, err);
out:
	free(gids);
	return r;
}

int
arh_identity_current(struct arh_identity *id, struct arh_err *err)
{
	return arh_identity_of(getuid(), getgid(), id, err);
}

int
arh_identity_of(uid_t uid, gid_t gid, struct arh_identity *id,
    struct arh_err *err)
{
	struct passwd pw, *res = NULL;
	char *buf = NULL;
	int r;

	memset(id, 0, sizeof(*id));
	id->uid = uid;
	if ((r = lookup_user(id->uid, &pw, &res, &buf, err)) != 0)
		goto out;
	if (res != NULL) {
		if ((id->user = strdup(pw.pw_name)) == NULL) {
			r = arh_errf(err, ARH_ENOMEM, "out of memory");
			goto out;
		}
		r = user_groups(id, pw.pw_name, pw.pw_gid, err);
		goto out;
	}
	/* No passwd entry (a container, a deleted user): uid and gid only. */
	if (asprintf(&id->user, "uid:%u", (unsigned)id->uid) == -1) {
		id->user = NULL;
		r = arh_errf(err, ARH_ENOMEM, "out of memory");
		goto out;
	}
	r = add_groups(id, &gid, 1, err);
out:
	free(buf);
	if (r != 0)
		arh_identity_release(id);
	return r;
}

int
arh_identity_resolve_roles(struct arh_identity *id,
    const struct arh_config *cfg)
{
	return arh_identity_roles_from(id, cfg != NULL ? cfg->roles : NULL,
	    cfg != NULL ? cfg->nroles : 0);
}

/* The refusal of an operation is an event like the operation itself; its
 * own failure must not hide the refusal. */
int
arh_refusal(struct arh_home *h, const char *kind, const char *target, int rc,
    struct arh_err *err)
{
	struct arh_event ev = { kind, h->actor, NULL, target,
	    rc == ARH_EDENIED ? "denied" : "refused", err->msg };

	(void)arh_catalog_event(h->cat, &ev, NULL);
	return rc;
}

int
arh_authorize(struct arh_home *h, const struct arh_identity *who,
    const enum arh_op *ops, size_t nops, const char *target,
    struct arh_role_decision *d, struct arh_err *err)
{
	struct arh_role_decision own;
	const struct arh_op_rule *rule = arh_op_rule(ops[0]);

	if (d == NULL)
		d = &own;
	arh_role_decide(ops, nops, who->roles, who->nroles, who->user,
	    h->cfg->internal_roles, h->cfg->ninternal_roles, d);
	if (d->allow)
		return 0;
	arh_errf(err, ARH_EDENIED, "%s", d->why);
	return arh_refusal(h, rule != NULL ? rule->kind : "denial", target,
	    ARH_EDENIED, err);
}

int
arh_permit(struct arh_home *h, const struct arh_identity *who, enum arh_op op,
    const char *target, struct arh_err *err)
{
	return arh_authorize(h, who, &op, 1, target, NULL, err);
}
