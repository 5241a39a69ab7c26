/* access_extend.c — `access extend`: one extension, within the term rules. */
#include <stdio.h>
#include <string.h>

#include "arhiivar/ops.h"
#include "arhiivar/terms.h"
#include "ops_int.h"

static int
decide(struct arh_home *h, const struct arh_access *a, const char *reference,
    const char *until, struct arh_err *err)
{
	struct arh_terms *terms = NULL;
	char today[11], why[512];
	int rc, extended;

	if (!a->internal)
		return arh_errf(err, ARH_EINVAL, "record %s is public; it has no "
		    "restriction to extend", reference);
	arh_today(today);
	if (a->end == NULL || strcmp(a->end, today) < 0)
		return arh_errf(err, ARH_EINVAL, "the restriction of %s ended "
		    "on %s and the record is public; an ended restriction "
		    "cannot be extended", reference, a->end ? a->end : "?");
	if ((extended = arh_catalog_extended(h->cat, reference, NULL, NULL,
	    NULL, err)) < 0)
		return extended;
	if ((rc = arh_home_terms(h, &terms, err)) != 0)
		return rc;
	rc = arh_terms_extend_check(terms, a, until, extended, why,
	    sizeof(why));
	arh_terms_free(terms);
	if (rc != 0)
		return arh_errf(err, extended ? ARH_EEXIST : ARH_EINVAL, "%s: %s",
		    reference, why);
	return 0;
}

int
arh_access_extend(struct arh_home *h, const struct arh_identity *who,
    const char *reference, const char *until, const char *reason,
    struct arh_err *err)
{
	static const enum arh_op op = ARH_OP_ACCESS_EXTEND;
	struct arh_access a;
	char archive[256];
	json_t *meta = NULL;
	int rc;

	if ((rc = arh_authorize(h, who, &op, 1, reference, NULL, err)) != 0)
		return rc;
	if ((rc = arh_catalog_record_latest(h->cat, reference, archive, &meta,
	    err)) != 0)
		return rc;
	arh_access_of(meta, &a);
	rc = decide(h, &a, reference, until, err);
	if (rc == ARH_EINVAL || rc == ARH_EEXIST)
		arh_refusal(h, "access-extend", reference, rc, err);
	else if (rc == 0)
		rc = arh_catalog_extension_add(h->cat, reference, a.end, until,
		    reason, h->actor, err);
	json_decref(meta);
	return rc;
}
