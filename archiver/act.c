/*
 * act.c — the destruction act (hävitamisakt): built from the catalog alone
 * (the list, its approvals, the tombstones), so an interrupted execute
 * rebuilds the same act; rendered as JSON and a printable HTML page, and
 * archived like any case file, sealed, with the retention the file plan
 * gives its series ([disposition] act_series).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arhiivar/destruction.h"
#include "arhiivar/fileplan.h"
#include "arhiivar/ops.h"
#include "arhiivar/retention.h"
#include "fault.h"
#include "text.h"
#include "ops_int.h"
#include "util.h"

/* The act's reference: ACT_SERIES/YEAR-ID, YEAR that of the execution. */
static void
act_reference(const struct arh_home *h, const struct arh_disposal *d,
    char *out, size_t n)
{
	snprintf(out, n, "%s/%.4s-%ld", h->cfg->act_series, d->executed_at,
	    d->id);
}

/* Series and covering dates over the tombstones. */
static int
summarise(const json_t *cases, json_t *series, char from[11], char to[11])
{
	const json_t *t;
	const char *o, *c;
	size_t i;

	from[0] = to[0] = '\0';
	json_array_foreach(cases, i, t) {
		if (json_object_get(series, arh_json_str(t, "series")) ==
		    NULL &&
		    json_object_set_new(series, arh_json_str(t, "series"),
		    json_string(arh_json_str(t, "series_title"))) != 0)
			return ARH_ENOMEM;
		o = arh_json_str(t, "opened");
		c = arh_json_str(t, "closed");
		if (*o && (!*from || strcmp(o, from) < 0))
			snprintf(from, 11, "%s", o);
		if (*c && strcmp(c, to) > 0)
			snprintf(to, 11, "%s", c);
	}
	return 0;
}

int
arh_disposal_act(struct arh_home *h, long id, json_t **act, char **html,
    struct arh_err *err)
{
	struct arh_disposal d;
	json_t *items = NULL, *approvals = NULL, *cases = NULL, *series = NULL;
	json_t *appr = NULL, *a, *it, *j = NULL;
	char ref[300], from[11], to[11];
	const char *org;
	size_t i;
	int rc;

	if (act != NULL)
		*act = NULL;
	if (html != NULL)
		*html = NULL;
	if ((rc = arh_catalog_disposal_get(h->cat, id, &d, &items, &approvals,
	    err)) != 0)
		return rc;
	if (strcmp(d.status, "proposed") == 0) {
		rc = arh_errf(err, ARH_EUSAGE, "destruction list %ld has not "
		    "been executed; it has no act yet", id);
		goto out;
	}
	act_reference(h, &d, ref, sizeof(ref));
	if ((cases = json_array()) == NULL || (series = json_object()) == NULL
	    || (appr = json_array()) == NULL)
		goto nomem;
	json_array_foreach(items, i, it)
		if (json_array_append(cases, json_object_get(it, "tombstone")))
			goto nomem;
	json_array_foreach(approvals, i, a)
		if (json_array_append_new(appr, json_pack("{s:s, s:s, s:s}",
		    "by", arh_json_str(a, "actor"), "role",
		    arh_json_str(a, "role"), "at", arh_json_str(a, "at"))))
			goto nomem;
	if (summarise(cases, series, from, to) != 0)
		goto nomem;
	org = h->cfg->organisation ? h->cfg->organisation :
	    arh_json_str(json_array_get(cases, 0), "organisation");
	j = json_pack("{s:i, s:s, s:s, s:s, s:I, s:s, s:s, s:{s:s, s:s}, "
	    "s:O, s:{s:s, s:s}, s:O, s:{s:s, s:s}, s:O}",
	    "arhiivar_act", 1, "reference", ref,
	    "title", "Hävitamisakt — destruction act", "organisation", org,
	    "destruction_list", (json_int_t)d.id, "method", d.method,
	    "drawn_up_for", d.as_of,
	    "proposed", "by", d.proposed_by, "at", d.proposed_at,
	    "approved", appr,
	    "executed", "by", d.executed_by, "at", d.executed_at,
	    "series", series,
	    "covering_dates", "from", from, "to", to,
	    "case_files", cases);
	if (j == NULL)
		goto nomem;
	if (html != NULL && (*html = arh_act_html(j)) == NULL)
		goto nomem;
	if (act != NULL) {
		*act = j;
		j = NULL;
	}
	goto out;
nomem:
	rc = arh_errf(err, ARH_ENOMEM, "out of memory");
out:
	json_decref(j);
	json_decref(appr);
	json_decref(series);
	json_decref(cases);
	json_decref(items);
	json_decref(approvals);
	return rc;
}

/* --- the printable page ---------------------------------------------- */


static void
cell(FILE *f, const char *s)
{
	fputs("<td>", f);
	arh_html_text(f, s);
	fputs("</td>", f);
}

static void
row_html(FILE *f, const json_t *t)
{
	const json_t *ret = json_object_get(t, "retention");
	char n[32];

	fputs("<tr>", f);
	cell(f, arh_json_str(t, "case_file"));
	cell(f, arh_json_str(t, "series"));
	fputs("<td>", f);
	arh_html_text(f, arh_json_str(t, "opened"));
	fputs(" – ", f);
	arh_html_text(f, arh_json_str(t, "closed"));
	fputs("</td>", f);
	snprintf(n, sizeof(n), "%zu", json_array_size(json_object_get(t,
	    "records")));
	cell(f, n);
	snprintf(n, sizeof(n), "%" JSON_INTEGER_FORMAT, json_integer_value(
	    json_object_get(json_object_get(t, "payload"), "files")));
	cell(f, n);
	cell(f, arh_json_str(ret, "retention"));
	cell(f, arh_json_str(ret, "due"));
	cell(f, arh_json_str(ret, "rule"));
	fputs("<td><code>", f);
	arh_html_text(f, arh_json_str(t, "archive"));
	fputs("<br>sha256 ", f);
	arh_html_text(f, arh_json_str(t, "sha256"));
	fputs("</code></td></tr>\n", f);
}

static void
person(FILE *f, const char *what, const char *by, const char *at)
{
	fputs("<tr><th>", f);
	arh_html_text(f, what);
	fputs("</th>", f);
	cell(f, by);
	cell(f, at);
	fputs("</tr>\n", f);
}

char *
arh_act_html(const json_t *act)
{
	const json_t *t, *a, *v;
	const char *k;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		return NULL;
	fputs("<!DOCTYPE html>\n<html lang=\"et\"><head><meta charset=\"utf-8\">"
	    "<title>", f);
	arh_html_text(f, arh_json_str(act, "title"));
	fputs(" ", f);
	arh_html_text(f, arh_json_str(act, "reference"));
	fputs("</title>\n<style>body{font-family:serif;margin:2em}"
	    "table{border-collapse:collapse;width:100%}td,th{border:1px solid"
	    " #000;padding:.3em;vertical-align:top;text-align:left}"
	    "code{font-size:.8em;word-break:break-all}</style></head><body>\n"
	    "<h1>Hävitamisakt / Destruction act ", f);
	arh_html_text(f, arh_json_str(act, "reference"));
	fputs("</h1>\n<p>", f);
	arh_html_text(f, arh_json_str(act, "organisation"));
	fprintf(f, "</p>\n<p>Destruction list %" JSON_INTEGER_FORMAT
	    ", drawn up for ", json_integer_value(json_object_get(act,
	    "destruction_list")));
	arh_html_text(f, arh_json_str(act, "drawn_up_for"));
	fputs(". Method: ", f);
	arh_html_text(f, arh_json_str(act, "method"));
	fputs(".</p>\n<h2>Series</h2>\n<ul>\n", f);
	json_object_foreach((json_t *)json_object_get(act, "series"), k, v) {
		fputs("<li>", f);
		arh_html_text(f, k);
		fputs(" ", f);
		arh_html_text(f, json_string_value(v) ? json_string_value(v) : "");
		fputs("</li>\n", f);
	}
	fputs("</ul>\n<p>Covering dates: ", f);
	arh_html_text(f, arh_json_str(json_object_get(act, "covering_dates"), "from"));
	fputs(" – ", f);
	arh_html_text(f, arh_json_str(json_object_get(act, "covering_dates"), "to"));
	fputs("</p>\n<h2>Case files destroyed</h2>\n<table>\n<tr><th>Case "
	    "file</th><th>Series</th><th>Dates</th><th>Records</th><th>Files"
	    "</th><th>Retention</th><th>Due</th><th>Basis</th><th>Archive"
	    "</th></tr>\n", f);
	json_array_foreach(json_object_get(act, "case_files"), i, t)
		row_html(f, t);
	fputs("</table>\n<h2>Decisions</h2>\n<table>\n", f);
	person(f, "Proposed",
	    arh_json_str(json_object_get(act, "proposed"), "by"),
	    arh_json_str(json_object_get(act, "proposed"), "at"));
	json_array_foreach(json_object_get(act, "approved"), i, a)
		person(f, arh_json_str(a, "role"), arh_json_str(a, "by"),
		    arh_json_str(a, "at"));
	person(f, "Executed",
	    arh_json_str(json_object_get(act, "executed"), "by"),
	    arh_json_str(json_object_get(act, "executed"), "at"));
	fputs("</table>\n<p>The case files' registration data kept after "
	    "destruction is in the tombstones of the act's JSON (act.json); "
	    "restricted records show their public view only.</p>\n"
	    "</body></html>\n", f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* --- archiving the act ----------------------------------------------- */

int
arh_act_retention(struct arh_home *h, const char *date, json_t **decision,
    struct arh_err *err)
{
	const char *series = h->cfg->act_series;
	const struct arh_fileplan_row *row;
	struct arh_fileplan *plan = NULL;
	struct arh_fileplan_info info;
	struct arh_retention r;
	int rc;

	*decision = NULL;
	memset(&info, 0, sizeof(info));
	if ((rc = arh_fileplan_load(h, NULL, &plan, &info, err)) ==
	    ARH_ENOTFOUND)
		return arh_errf(err, ARH_EINVAL, "the destruction act needs its "
		    "series '%s' ([disposition] act_series) in the file plan, "
		    "and no file plan is imported; import one with a row for "
		    "series '%s' (see docs/POLICY.md)", series, series);
	if (rc != 0)
		return rc;
	if ((row = arh_fileplan_find(plan, series)) == NULL)
		rc = arh_errf(err, ARH_EINVAL, "the destruction act's series "
		    "'%s' ([disposition] act_series) is not in the file plan "
		    "(version %.12s); add a row for series '%s' to the file "
		    "plan and import it", series, info.version, series);
	else if (!arh_fileplan_valid_on(row, date))
		rc = arh_errf(err, ARH_EINVAL, "the destruction act's series "
		    "'%s' is valid from %s%s%s in the file plan (version "
		    "%.12s), not on %s; correct its row and import the file "
		    "plan", series, row->valid_from, row->valid_until[0] ?
		    " until " : "", row->valid_until, info.version, date);
	else if (arh_retention_compute(row, date, date, &r) != 0)
		rc = arh_errf(err, ARH_EINVAL, "the destruction act's series "
		    "'%s': %s", series, r.rule);
	else if ((*decision = arh_retention_json(&info, row, &r)) == NULL)
		rc = arh_errf(err, ARH_ENOMEM, "out of memory");
	arh_fileplan_info_release(&info);
	arh_fileplan_free(plan);
	return rc;
}

static int
put(int dfd, const char *name, const char *text, struct arh_err *err)
{
	int fd, rc = 0;

	if ((fd = ARH_FAULT_SYS(OPEN, openat(dfd, name, O_WRONLY | O_CREAT |
	    O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640))) == -1)
		return arh_errno(err, ARH_EIO, errno, "cannot create '%s'", name);
	if (arh_write_all(fd, text, strlen(text)) == -1)
		rc = arh_errno(err, ARH_EIO, errno, "cannot write '%s'", name);
	close(fd);
	return rc;
}

static int
put_json(int dfd, const char *name, const json_t *j, struct arh_err *err)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
	int rc;

	if (s == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	rc = put(dfd, name, s, err);
	free(s);
	return rc;
}

/* The act as a case directory: case.json and one record "act". */
static int
write_case_dir(struct arh_home *h, int dfd, const json_t *act,
    const char *html, struct arh_err *err)
{
	const char *ref = arh_json_str(act, "reference");
	const char *series = h->cfg->act_series;
	char date[11], year[5];
	json_t *c = NULL, *r = NULL;
	int rc;

	snprintf(date, sizeof(date), "%.10s", arh_json_str(json_object_get(act,
	    "executed"), "at"));
	snprintf(year, sizeof(year), "%.4s", date);
	c = json_pack("{s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:i, s:s, s:s, "
	    "s:s}", "reference", ref, "title", "Hävitamisakt",
	    "function", "code", series, "title", "Arhiivindus",
	    "series", "code", series, "title", "Hävitamisaktid",
	    "year", atoi(year), "opened", date, "closed", date,
	    "organisation", arh_json_str(act, "organisation"));
	r = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s}}",
	    "reference", ref, "registered", date, "type", "Hävitamisakt",
	    "title", "Hävitamisakt", "function", series, "series", series,
	    "case_file", ref, "access", "level", "public");
	if (c == NULL || r == NULL)
		rc = arh_errf(err, ARH_ENOMEM, "out of memory");
	else if ((rc = put_json(dfd, "case.json", c, err)) == 0 &&
	    (mkdirat(dfd, "act", 0750) == -1 ?
	    (rc = arh_errno(err, ARH_EIO, errno, "cannot create 'act'")) :
	    0) == 0 && (rc = put_json(dfd, "act/record.json", r, err)) == 0 &&
	    (rc = put_json(dfd, "act/act.json", act, err)) == 0)
		rc = put(dfd, "act/act.html", html, err);
	json_decref(c);
	json_decref(r);
	return rc;
}

static void
remove_case_dir(const char *dir, int dfd)
{
	static const char *const files[] = { "act/act.html", "act/act.json",
	    "act/record.json", "case.json" };
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlinkat(dfd, files[i], 0);
	unlinkat(dfd, "act", AT_REMOVEDIR);
	rmdir(dir);
}

int
arh_act_archive(struct arh_home *h, long id, char *name, size_t n,
    struct arh_err *err)
{
	struct arh_ingest_result res;
	struct arh_archive_row row;
	struct arh_problems probs;
	json_t *act = NULL, *decision = NULL;
	char *html = NULL, dir[4096], date[11];
	int dfd = -1, rc;

	arh_problems_init(&probs);
	dir[0] = '\0';
	if ((rc = arh_disposal_act(h, id, &act, &html, err)) != 0)
		goto out;
	/* One working directory per list: what an interrupted run left there
	 * is removed (and written again below if still needed). */
	snprintf(dir, sizeof(dir), "%s/.act-%ld", h->path, id);
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) != -1) {
		remove_case_dir(dir, dfd);
		close(dfd);
		dfd = -1;
	}
	dir[0] = '\0';
	/* Archived already by an earlier, interrupted run. */
	rc = arh_catalog_latest(h->cat, arh_json_str(act, "reference"), &row,
	    err);
	if (rc == 0) {
		snprintf(name, n, "%s", row.name);
		goto out;
	}
	if (rc != ARH_ENOTFOUND)
		goto out;
	arh_err_clear(err);
	snprintf(date, sizeof(date), "%.10s", arh_json_str(json_object_get(act,
	    "executed"), "at"));
	if ((rc = arh_act_retention(h, date, &decision, err)) != 0)
		goto out;
	snprintf(dir, sizeof(dir), "%s/.act-%ld", h->path, id);
	if (ARH_FAULT_SYS(OPEN, mkdir(dir, 0750)) == -1) {
		rc = arh_errno(err, ARH_EIO, errno, "cannot create directory "
		    "'%s' for the act", dir);
		dir[0] = '\0';
		goto out;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		rc = arh_errno(err, ARH_EIO, errno, "cannot open '%s'", dir);
		goto out;
	}
	if ((rc = write_case_dir(h, dfd, act, html, err)) != 0)
		goto out;
	if ((rc = arh_ingest_decided(h, dir, decision, &res, &probs, err))
	    != 0) {
		if (rc == ARH_EINVAL && probs.n > 0)
			arh_errf(err, rc, "the destruction act was refused: %s "
			    "(is [disposition] act_series valid?)",
			    probs.items[0]);
		goto out;
	}
	snprintf(name, n, "%s", res.name);
out:
	if (dir[0] != '\0')
		remove_case_dir(dir, dfd);
	if (dfd != -1)
		close(dfd);
	arh_problems_release(&probs);
	json_decref(decision);
	json_decref(act);
	free(html);
	return rc;
}
