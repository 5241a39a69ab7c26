/*
 * policy.h — access decisions and the public view.  Pure functions: facts
 * in (the caller's roles, the record's restriction, today's date), a
 * decision and the rule that decided out.  No I/O, no globals.
 *
 * Every output path (CLI, reports, the destruction act, restore, the HTTP
 * API) that shows a record or its content asks arh_policy_view() once and
 * shows what arh_view_apply() gives for that view; none calls
 * arh_access_decide() itself (tests/e2e/225-one-policy.bats checks).
 * Which role may do which operation is the table of arh_role_permits().
 * Everything here builds and links without archiver/ (make policy-alone).
 */
#ifndef ARHIIVAR_POLICY_H
#define ARHIIVAR_POLICY_H

#include <stddef.h>
#include <sys/types.h>
#include <jansson.h>

#include "arhiivar/config.h"
#include "arhiivar/input.h"

/* Today in Europe/Tallinn as YYYY-MM-DD: the calendar that access and
 * retention terms run on.  (No environment override: a caller must not be
 * able to move the date past a restriction's end.) */
void arh_today(char out[11]);

/* Who is asking. */
struct arh_identity {
	char	 *user;		/* login name, or "uid:N" when unknown */
	uid_t	  uid;
	char	**groups;	/* group names */
	size_t	  ngroups;
	char	**roles;	/* resolved by arh_identity_resolve_roles() */
	size_t	  nroles;
};

/*
 * The caller's identity (I/O: lives in archiver/caller.c, the one function
 * declared here that is not in policy/): getuid(), the
 * passwd entry, and the names of the groups getgrouplist() gives (primary
 * group included; gids without a name are left out).  Without a passwd
 * entry user is "uid:N" and groups holds getgid()'s name only.  roles is
 * left empty.  Release with arh_identity_release() (NULL-safe, idempotent).
 */
int arh_identity_current(struct arh_identity *id, struct arh_err *err);
/* The same for another process's uid and gid (the daemon's peer, from
 * SO_PEERCRED): never from what a client says. */
int arh_identity_of(uid_t uid, gid_t gid, struct arh_identity *id,
    struct arh_err *err);
void arh_identity_release(struct arh_identity *id);

/*
 * Fill id->roles from the [roles] table: pure.  "public" always comes first,
 * then every role with a member matching user:NAME, group:NAME or uid:N of
 * id, in the table's order.  Replaces earlier roles; cfg may be NULL.
 * Returns 0 or ARH_ENOMEM (id unchanged).
 */
int arh_identity_resolve_roles(struct arh_identity *id,
    const struct arh_config *cfg);

/*
 * As arh_identity_resolve_roles() with the [roles] table given as is (pure,
 * in policy/; the other is its wrapper over a config in archiver/).
 */
int arh_identity_roles_from(struct arh_identity *id,
    const struct arh_role *table, size_t ntable);

/* 1 if id holds role (after arh_identity_resolve_roles()), else 0.
 * Operations ask arh_role_permits() instead: which role an operation
 * needs is written only in its table. */
int arh_identity_has_role(const struct arh_identity *id, const char *role);

/*
 * Which role may do which operation: one table (policy/roles.c, listed in
 * docs/POLICY.md).  Every role check of the library asks it, through
 * arh_authorize() in archiver/ (which also records a refusal).
 */
enum arh_op {
	ARH_OP_HOLD_ADD = 1,
	ARH_OP_HOLD_RELEASE,
	ARH_OP_ACCESS_EXTEND,
	ARH_OP_DISPOSAL_PROPOSE,
	ARH_OP_DISPOSAL_APPROVE_AS_APPROVER,
	ARH_OP_DISPOSAL_APPROVE_AS_RECORDS_MANAGER,
	ARH_OP_DISPOSAL_EXECUTE,
	ARH_OP_FILEPLAN_IMPORT,
	ARH_OP_QUARANTINE,	/* quarantine list and retry (the reasons
				   name record folders) */
	ARH_OP_AUDIT_REQUEST,	/* audit now, through the daemon */
	ARH_OP_READ_RESTRICTED,	/* content of a record in force: the
				   entitled roles, see arh_policy_view() */
	ARH_OP_SCHEDULE,	/* schedule add, cancel, run-now */
	ARH_OP_TOKEN_ADMIN,	/* issue, list, revoke API tokens */
};

#define ARH_ANY_CALLER	"*"	/* a rule's role: no role needed */

struct arh_op_rule {
	enum arh_op	 op;
	const char	*kind;	/* the event kind of the operation and of
				   its refusal, e.g. "hold-add" */
	const char	*what;	/* "placing a hold": starts the refusal */
	const char	*role;	/* the one role that may; NULL: any role of
				   the entitled list ([access]
				   internal_roles); ARH_ANY_CALLER */
};

/* The rule of op, or NULL for a value outside the table. */
const struct arh_op_rule *arh_op_rule(enum arh_op op);

/* 1 if a caller holding roles may do op, else 0 (also for an op without a
 * rule: fails closed).  entitled: [access] internal_roles. */
int arh_role_permits(enum arh_op op, char *const *roles, size_t nroles,
    char *const *entitled, size_t nentitled);

#define ARH_MAX_GRANTED	4

struct arh_role_decision {
	int	 allow;		/* at least one of the operations */
	size_t	 ngranted;
	enum arh_op granted[ARH_MAX_GRANTED];	/* those permitted, in the
						   order asked */
	const char *role[ARH_MAX_GRANTED];	/* the role each needed
						   ("entitled" for the list) */
	char	 why[512];	/* on refusal: "WHAT needs the R role, which
				   USER does not hold; see [roles] in
				   arhiivar.conf" (two: "the A or the B role,
				   and USER holds neither") */
};

/*
 * May `user` holding `roles` do any of ops (one operation, or the ways of
 * doing one, e.g. approving as approver or as records manager)?  Pure.
 */
void arh_role_decide(const enum arh_op *ops, size_t nops, char *const *roles,
    size_t nroles, const char *user, char *const *entitled,
    size_t nentitled, struct arh_role_decision *d);

struct arh_access_decision {
	int	 allow;		/* 1 may see content and full metadata */
	int	 restricted;	/* 1 the record is internal use and in force,
				   or its restriction is invalid */
	const char *rule;	/* "public", "restriction-ended", "entitled-role",
				   "internal-use-in-force", "invalid-restriction"
				   (static string) */
	char	 why[512];	/* one sentence for people, no restricted data */
};

/*
 * The access rule under arh_policy_view(); output paths call that, not this.
 * Decide whether a caller holding `roles` may see a record with restriction
 * `acc` on `today` (YYYY-MM-DD).  A restriction is in force from its start
 * to its end date inclusive (and before its start, to be safe); from the day
 * after its end the record is public.  While in force only a role listed in
 * `entitled` is allowed.  Fails closed: a NULL acc, or an internal one whose
 * end, start (if given) or today is not a valid date, or whose start is
 * after its end, denies with rule "invalid-restriction".  The why sentence
 * names the basis, the end date and the caller's roles only.
 */
void arh_access_decide(const struct arh_access *acc,
    char *const *roles, size_t nroles, char *const *entitled,
    size_t nentitled, const char *today, struct arh_access_decision *d);

/*
 * The restriction of a record (record.json object); the strings point into
 * `record`.  A missing or unknown level counts as internal (fail closed).
 */
void arh_access_of(const json_t *record, struct arh_access *a);

/*
 * The public view of a record's metadata (record.json object): reference,
 * registered, type and access {level, basis, end} (a "public" level shows
 * level only) — no title, correspondent, official, content or extra labels.
 * An allow-list: only string values of those keys are copied; anything
 * else, or a record that is not an object, yields fewer keys or {}.
 * Returns a new reference, or NULL on allocation failure.
 */
json_t *arh_public_view(const json_t *record);

/* The three views of a record's metadata, least to most. */
enum arh_view {
	ARH_VIEW_PUBLIC = 0,	/* arh_public_view(): no content, no files */
	ARH_VIEW_PERSON,	/* arh_person_view(): private persons' names
				   as initials, files and content allowed */
	ARH_VIEW_FULL,		/* the metadata as sealed */
};

struct arh_view_decision {
	enum arh_view view;
	const char *name;	/* "public", "person" or "full" (static) */
	/* The reason: access.rule and the sentence access.why (public
	 * facts only); access.allow says whether the caller may have the
	 * record's content and files. */
	struct arh_access_decision access;
};

/*
 * The one projection: which view of `record` (record.json object) a
 * caller holding `roles` gets on `today`, with `entitled` the roles that
 * may read internal-use records ([access] internal_roles).  Denied
 * (arh_access_decide()): public.  Allowed and holding an entitled role:
 * full.  Allowed otherwise (a public record, or a restriction that has
 * ended): person.  Pure; v may be copied.
 */
void arh_policy_view(const json_t *record, char *const *roles, size_t nroles,
    char *const *entitled, size_t nentitled, const char *today,
    struct arh_view_decision *v);

/*
 * 1 if a caller holding `roles` would get the full view of an internal-use
 * record in force: for outputs that must decide before the records are
 * known (a damaged archive whose metadata cannot be read).  Pure.
 */
int arh_policy_reads_restricted(char *const *roles, size_t nroles,
    char *const *entitled, size_t nentitled);

/* The metadata of `record` as `view` shows it: a new reference, or NULL on
 * allocation failure. */
json_t *arh_view_apply(const json_t *record, enum arh_view view);

/* "public", "person" or "full". */
const char *arh_view_name(enum arh_view view);

/*
 * A name as initials ("Jaan-Peeter Tamm" -> "J.-P. T."), into out (n
 * bytes).  Returns 0, or -1 (out "") when name has no letter, is not valid
 * UTF-8, or does not fit.
 */
int arh_initials(const char *name, char *out, size_t n);

/*
 * A record (record.json object) as someone not entitled to personal data
 * sees a record they may read: when "private_person" is true, the
 * correspondent becomes its initials, and in every string value of the
 * record at any depth (title, register.lines, extra; not keys) every word
 * that is a spelling of a part of the name (any case, any order, with or
 * without diacritics, inflected: the rule of docs/POLICY.md, "What the
 * public sees") becomes that part's initial ("Õunapuule" -> "Õ.");
 * otherwise a plain copy.  A name without a letter cannot be shortened:
 * the correspondent and every string holding the name are withheld
 * ("(private person)").  Returns a new reference, or NULL on allocation
 * failure: a caller then shows nothing of the record.
 */
json_t *arh_person_view(const json_t *record);

#endif
