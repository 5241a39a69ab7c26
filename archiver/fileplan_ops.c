/*
 * fileplan_ops.c — file plan versions in a home, and the retention decision
 * ingest seals into an archive.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arhiivar/fileplan.h"
#include "arhiivar/ops.h"
#include "arhiivar/retention.h"
#include "util.h"

int
arh_fileplan_import(struct arh_home *h, const char *name, const char *buf,
    size_t len, char version[65], struct arh_problems *probs,
    struct arh_err *err)
{
	struct arh_fileplan *plan = NULL;
	struct arh_fileplan_info fp;
	struct arh_event ev;
	int rc;

	memset(&fp, 0, sizeof(fp));
	version[0] = '\0';
	if ((rc = arh_fileplan_parse(name, buf, len, &plan, probs)) != 0) {
		arh_errf(err, rc, "file plan '%s' was not imported", name);
		goto out;
	}
	if ((rc = arh_fileplan_version(plan, fp.version)) != 0 ||
	    (fp.plan = arh_fileplan_to_json(plan)) == NULL) {
		rc = arh_errf(err, ARH_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(version, fp.version, 65);
	arh_now_utc(fp.imported_at);
	snprintf(fp.actor, sizeof(fp.actor), "%s", h->actor);
	snprintf(fp.source, sizeof(fp.source), "%s", name);
	memset(&ev, 0, sizeof(ev));
	ev.kind = "fileplan-import";
	ev.actor = h->actor;
	ev.target = fp.version;
	ev.result = "ok";
	ev.detail = name;
	rc = arh_catalog_fileplan_add(h->cat, &fp, &ev, err);
out:
	arh_fileplan_info_release(&fp);
	arh_fileplan_free(plan);
	return rc;
}

int
arh_fileplan_load(struct arh_home *h, const char *version,
    struct arh_fileplan **plan, struct arh_fileplan_info *info,
    struct arh_err *err)
{
	struct arh_problems probs;
	int rc;

	*plan = NULL;
	if ((rc = arh_catalog_fileplan_get(h->cat, version, info, err)) != 0)
		return rc;
	arh_problems_init(&probs);
	rc = arh_fileplan_from_json(info->version, info->plan,
	    strlen(info->plan), plan, &probs);
	if (rc != 0)
		arh_errf(err, ARH_ECATALOG, "catalog: file plan %.12s does not "
		    "read back: %s", info->version, probs.n ? probs.items[0] :
		    arh_strerror(rc));
	arh_problems_release(&probs);
	return rc;
}

json_t *
arh_retention_json(const struct arh_fileplan_info *info,
    const struct arh_fileplan_row *row, const struct arh_retention *r)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
	    "s:s}", "fileplan_version", info->version,
	    "fileplan_imported", info->imported_at,
	    "series", row->series_code, "retention", row->retention,
	    "archival_value", row->archival_value,
	    "start", r->start, "end", r->end, "action", r->action,
	    "due", r->due, "rule", r->rule);
}

/*
 * The series of case c in the current file plan: it must be there and
 * valid on the day the case file closed.  *decision is NULL when no file
 * plan has been imported (the home runs without one).
 */
int
arh_fileplan_decide(struct arh_home *h, const struct arh_case *c,
    json_t **decision, struct arh_problems *probs, struct arh_err *err)
{
	const struct arh_fileplan_row *row;
	struct arh_fileplan *plan = NULL;
	struct arh_fileplan_info info;
	struct arh_retention r;
	int rc;

	*decision = NULL;
	memset(&info, 0, sizeof(info));
	rc = arh_fileplan_load(h, NULL, &plan, &info, err);
	if (rc == ARH_ENOTFOUND) {
		arh_err_clear(err);
		return 0;
	}
	if (rc != 0)
		return rc;
	if ((row = arh_fileplan_find(plan, c->series_code)) == NULL) {
		arh_problems_add(probs, "case.json: series %s is not in the "
		    "file plan (version %.12s, imported %s); correct the series "
		    "or import a file plan that has it", c->series_code,
		    info.version, info.imported_at);
		rc = arh_errf(err, ARH_EINVAL, "input rejected");
	} else if (!arh_fileplan_valid_on(row, c->closed)) {
		arh_problems_add(probs, "case.json: series %s is valid from %s%s"
		    "%s in the file plan (version %.12s), not on %s when this "
		    "case file closed; correct the series", c->series_code,
		    row->valid_from, row->valid_until[0] ? " until " : "",
		    row->valid_until, info.version, c->closed);
		rc = arh_errf(err, ARH_EINVAL, "input rejected");
	} else if (arh_retention_compute(row, c->opened, c->closed, &r)
	    != 0) {
		arh_problems_add(probs, "case.json: %s", r.rule);
		rc = arh_errf(err, ARH_EINVAL, "input rejected");
	} else if ((*decision = arh_retention_json(&info, row, &r)) == NULL)
		rc = arh_errf(err, ARH_ENOMEM, "out of memory");
	arh_fileplan_info_release(&info);
	arh_fileplan_free(plan);
	return rc;
}
