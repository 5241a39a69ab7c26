/*
 * redact.h — what a caller may not see named: the files of records whose
 * view (policy.h, arh_policy_view()) is "public" for that caller — an
 * internal-use record in force, to anyone not entitled.  Their paths are
 * restricted metadata as much as their titles are, so every output that
 * names a member, a record folder or a file (events, verify findings,
 * refusals) names such a record by its reference only.
 *
 * The decision is the policy's; this only carries it out on text.
 */
#ifndef ARHIIVAR_REDACT_H
#define ARHIIVAR_REDACT_H

#include <stddef.h>
#include <jansson.h>

#include "arhiivar/catalog.h"
#include "arhiivar/error.h"
#include "arhiivar/policy.h"
#include "arhiivar/verify.h"

struct arh_redact_folder {
	char	*dir;		/* record folder, "12-1_8910-1" */
	char	*ref;		/* its record, "12-1/8910-1" */
};

struct arh_redact {
	struct arh_redact_folder *v;	/* folders the caller may not see into */
	size_t	 n;
	size_t	 cap;
};

/* Who asks, for arh_policy_view(). */
struct arh_redact_caller {
	char *const	*roles;
	size_t		 nroles;
	char *const	*entitled;	/* [access] internal_roles */
	size_t		 nentitled;
	const char	*today;		/* YYYY-MM-DD */
};

void arh_redact_init(struct arh_redact *r);
void arh_redact_release(struct arh_redact *r);

/*
 * Add record folder `dir` of the record with metadata `meta` if the caller
 * gets its public view.  0 or ARH_ENOMEM.
 */
int arh_redact_consider(struct arh_redact *r, const struct arh_redact_caller *who,
    const char *dir, const json_t *meta);

/* From an archive's metadata manifest (metadata/case.json). */
int arh_redact_from_manifest(struct arh_redact *r,
    const struct arh_redact_caller *who, const json_t *manifest);

/* From the catalog's rows of one archive. */
int arh_redact_from_catalog(struct arh_redact *r,
    const struct arh_redact_caller *who, struct arh_catalog *cat,
    const char *archive, struct arh_err *err);

/*
 * The record folder that s names, or NULL: s is a path inside one of r's
 * folders ("data/DIR/...", "DIR/..." or "DIR"), or, with `anywhere`, holds
 * "DIR/" anywhere (a message that quotes a path).
 */
const struct arh_redact_folder *arh_redact_match(const struct arh_redact *r,
    const char *s, int anywhere);

/*
 * A verify report as the caller may see it: a finding whose member lies in
 * one of r's folders names the record instead ("record 12-1/8910-1"); one
 * whose message quotes such a path says only which record it concerns.
 * With `all`, every payload member is hidden (used when the archive's
 * records could not be read and the caller is not entitled: fail closed).
 * 0 or ARH_ENOMEM (the report is then partly redacted: do not show it).
 */
int arh_redact_report(const struct arh_redact *r, int all,
    struct arh_verify_report *rep);

/*
 * An event as the caller may see it, into *out (strings owned by buf,
 * released with arh_redact_event_release()): target and detail redacted
 * as in arh_redact_report().  0 or ARH_ENOMEM.
 */
struct arh_redacted_event {
	struct arh_event ev;
	char	*target;
	char	*detail;
};
int arh_redact_event(const struct arh_redact *r, const struct arh_event *ev,
    struct arh_redacted_event *out);
void arh_redact_event_release(struct arh_redacted_event *e);

#endif
