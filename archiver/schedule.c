/*
 * schedule.c — scheduled transfers: adding jobs, and running one to its
 * end (sources, ingest, quarantine, outcome, report); see schedule.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arhiivar/inbox.h"
#include "arhiivar/input.h"
#include "arhiivar/ops.h"
#include "arhiivar/schedule.h"
#include "ops_int.h"
#include "schedtime.h"
#include "schedule_int.h"
#include "util.h"

int
arh_pattern_expand(const char *pattern, const char *series, int year,
    const char *function, char *out, size_t n, char *why, size_t nwhy)
{
	char ybuf[16];
	const char *p, *v, *close;
	size_t len = 0, k;
	int have_year = 0;

	snprintf(ybuf, sizeof(ybuf), "%04d", year);
	for (p = pattern; *p != '\0'; p++) {
		if (*p != '{') {
			if (len + 1 >= n)
				goto toolong;
			out[len++] = *p;
			continue;
		}
		if ((close = strchr(p, '}')) == NULL) {
			snprintf(why, nwhy, "pattern '%s' has a '{' without "
			    "'}'", pattern);
			return -1;
		}
		k = (size_t)(close - p + 1);
		if (k == 8 && strncmp(p, "{series}", k) == 0)
			v = series;
		else if (k == 6 && strncmp(p, "{year}", k) == 0) {
			v = ybuf;
			have_year = 1;
		} else if (k == 10 && strncmp(p, "{function}", k) == 0)
			v = function;
		else {
			snprintf(why, nwhy, "pattern '%s' has the unknown "
			    "placeholder '%.*s'; it may use {series}, {year} "
			    "and {function}", pattern, (int)k, p);
			return -1;
		}
		if (v == NULL || *v == '\0' || strchr(v, '/') != NULL ||
		    strcmp(v, ".") == 0 || strcmp(v, "..") == 0) {
			snprintf(why, nwhy, "pattern '%s': '%s' cannot stand "
			    "for %.*s in a directory name", pattern, v ? v : "",
			    (int)k, p);
			return -1;
		}
		if (len + strlen(v) >= n)
			goto toolong;
		memcpy(out + len, v, strlen(v));
		len += strlen(v);
		p = close;
	}
	out[len] = '\0';
	if (!have_year) {
		snprintf(why, nwhy, "pattern '%s' has no {year}: every year "
		    "would read the same directory", pattern);
		return -1;
	}
	return 0;
toolong:
	snprintf(why, nwhy, "pattern '%s' gives a path that is too long",
	    pattern);
	return -1;
}

/* An absolute path without "." or ".." components. */
static int
clean_absolute(const char *p)
{
	const char *s;

	if (p[0] != '/' || strlen(p) >= PATH_MAX)
		return 0;
	for (s = p; (s = strchr(s, '/')) != NULL; s++)
		if ((s[1] == '.' && (s[2] == '/' || s[2] == '\0')) ||
		    (s[1] == '.' && s[2] == '.' && (s[3] == '/' ||
		    s[3] == '\0')))
			return 0;
	return 1;
}

/* 1 if path is dir or below it (both clean), bytewise. */
static int
below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 1)	/* "/" */
		return 1;
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' ||
	    path[n] == '/');
}

/*
 * path (lexically, or with real set: after resolving symbolic links, as
 * the run reads it) within one of [daemon] sources; every path when none
 * is set.
 */
static int
allowed_source(const struct arh_home *h, const char *path, int real)
{
	char rp[PATH_MAX], rd[PATH_MAX];
	size_t i;

	if (h->cfg->nsources == 0)
		return 1;
	if (real && realpath(path, rp) == NULL)
		return 0;
	for (i = 0; i < h->cfg->nsources; i++) {
		if (!real) {
			if (below(path, h->cfg->sources[i]))
				return 1;
		} else if (realpath(h->cfg->sources[i], rd) != NULL &&
		    below(rp, rd))
			return 1;
	}
	return 0;
}

static int
check_source(struct arh_home *h, const char *what, const char *path,
    struct arh_err *err)
{
	if (!clean_absolute(path))
		return arh_errf(err, ARH_EINVAL, "%s '%s' must be an absolute "
		    "path without '.' or '..'", what, path);
	if (!allowed_source(h, path, 0))
		return arh_errf(err, ARH_EINVAL, "%s '%s' is outside the "
		    "directories of [daemon] sources in arhiivar.conf", what,
		    path);
	return 0;
}

/* The series must be in the current file plan. */
static int
check_series(struct arh_home *h, const char *series, struct arh_err *err)
{
	struct arh_fileplan *plan = NULL;
	struct arh_fileplan_info info;
	int rc;

	memset(&info, 0, sizeof(info));
	rc = arh_fileplan_load(h, NULL, &plan, &info, err);
	if (rc == ARH_ENOTFOUND)
		rc = arh_errf(err, ARH_EINVAL, "no file plan has been imported: "
		    "a transfer needs one ('arhiivar fileplan import')");
	else if (rc == 0 && arh_fileplan_find(plan, series) == NULL)
		rc = arh_errf(err, ARH_EINVAL, "series %s is not in the file "
		    "plan (version %.12s); 'arhiivar fileplan show' lists the "
		    "series", series, info.version);
	arh_fileplan_info_release(&info);
	arh_fileplan_free(plan);
	return rc;
}

static int
spec_check(struct arh_home *h, const struct arh_job_spec *s,
    struct arh_sched_at *at, struct arh_err *err)
{
	char why[512], path[PATH_MAX];
	int rc;

	if (s->at == NULL || arh_sched_parse(s->at, s->yearly, at, why,
	    sizeof(why)) != 0)
		return arh_errf(err, ARH_EINVAL, "--at: %s", s->at ? why :
		    "a time is needed");
	if (!s->yearly) {
		if (s->series == NULL || s->source == NULL || s->year < 1 ||
		    s->year > 9999)
			return arh_errf(err, ARH_EINVAL, "a once job needs "
			    "a series, a year (1..9999) and a source");
		if ((rc = check_series(h, s->series, err)) != 0)
			return rc;
		return check_source(h, "source", s->source, err);
	}
	if (s->pattern == NULL)
		return arh_errf(err, ARH_EINVAL, "a yearly job needs a source "
		    "pattern");
	if (s->series != NULL && (rc = check_series(h, s->series, err)) != 0)
		return rc;
	/* Stand-in values: the pattern's shape and where it leads. */
	if (arh_pattern_expand(s->pattern, "x", 2000, "x", path, sizeof(path),
	    why, sizeof(why)) != 0)
		return arh_errf(err, ARH_EINVAL, "%s", why);
	if (!clean_absolute(s->pattern) || !allowed_source(h, path, 0))
		return arh_errf(err, ARH_EINVAL, "source pattern '%s' must be "
		    "an absolute path without '.' or '..'%s", s->pattern,
		    h->cfg->nsources ? ", within the directories of [daemon] "
		    "sources in arhiivar.conf" : "");
	return 0;
}

int
arh_job_add(struct arh_home *h, const struct arh_identity *who,
    const struct arh_job_spec *spec, long *id, struct arh_err *err)
{
	static const enum arh_op op = ARH_OP_SCHEDULE;
	struct arh_sched_at at;
	struct arh_job j;
	int rc;

	*id = 0;
	if ((rc = arh_authorize(h, who, &op, 1, NULL, NULL, err)) != 0)
		return rc;
	if ((rc = spec_check(h, spec, &at, err)) != 0)
		return arh_refusal(h, "schedule-add", NULL, rc, err);
	memset(&j, 0, sizeof(j));
	snprintf(j.kind, sizeof(j.kind), "%s", spec->yearly ? "yearly" :
	    "once");
	snprintf(j.series, sizeof(j.series), "%s", spec->series ?
	    spec->series : "");
	j.year = spec->yearly ? 0 : spec->year;
	snprintf(j.source, sizeof(j.source), "%s", spec->source && !spec->yearly
	    ? spec->source : "");
	snprintf(j.pattern, sizeof(j.pattern), "%s", spec->yearly ?
	    spec->pattern : "");
	arh_sched_format(&at, j.at);
	arh_sched_utc(arh_sched_next(&at, time(NULL)), j.next_run);
	snprintf(j.created_by, sizeof(j.created_by), "%s", h->actor);
	if ((rc = arh_catalog_job_add(h->cat, &j, err)) == 0)
		*id = j.id;
	return rc;
}

int
arh_job_cancel(struct arh_home *h, const struct arh_identity *who, long id,
    struct arh_err *err)
{
	static const enum arh_op op = ARH_OP_SCHEDULE;
	char target[64];
	int rc;

	snprintf(target, sizeof(target), "job %ld", id);
	if ((rc = arh_authorize(h, who, &op, 1, target, NULL, err)) != 0)
		return rc;
	return arh_catalog_job_cancel(h->cat, id, h->actor, err);
}

int
arh_job_due(struct arh_home *h, time_t now,
    int (*cb)(void *arg, const struct arh_job *j), void *arg,
    struct arh_err *err)
{
	char t[21];

	arh_sched_utc(now, t);
	return arh_catalog_jobs_due(h->cat, t, cb, arg, err);
}

int
arh_job_recover(struct arh_home *h, time_t now, size_t *n,
    struct arh_err *err)
{
	char t[21];

	arh_sched_utc(now, t);
	return arh_catalog_jobs_recover(h->cat, t, n, err);
}

/* One run in progress: what it found, source by source. */
struct run {
	struct arh_home	     *h;
	const struct arh_job *job;
	int		      year;
	char		      today[11];
	json_t		     *archived, *failures, *skipped;
	int		      permanent, transient;
};

static int
is_transient(int rc)
{
	return rc == ARH_EIO || rc == ARH_ENOSPC || rc == ARH_ECATALOG ||
	    rc == ARH_ENOMEM;
}

static json_t *
problems_json(const struct arh_problems *probs)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && probs != NULL && i < probs->n; i++)
		json_array_append_new(a, json_string(probs->items[i]));
	return a;
}

/* A source that failed: rc decides transient or permanent. */
static int
failed(struct run *r, const char *series, const char *src, int rc,
    const char *reason, const struct arh_problems *probs,
    const char *quarantined)
{
	int transient = is_transient(rc);

	if (transient)
		r->transient++;
	else
		r->permanent++;
	return json_array_append_new(r->failures, json_pack("{s:s, s:s?, "
	    "s:s, s:o, s:b, s:s?}", "source", src, "series", series,
	    "reason", reason, "problems", problems_json(probs), "transient",
	    transient, "quarantine", quarantined)) ? ARH_ENOMEM : 0;
}

static int
skipped(struct run *r, const char *series, const char *src,
    const char *reason)
{
	return json_array_append_new(r->skipped, json_pack("{s:s, s:s?, "
	    "s:s}", "source", src, "series", series, "reason", reason)) ?
	    ARH_ENOMEM : 0;
}

/* A catalogued archive in the report: counts, digest and disposition,
 * never a title. */
static int
archived(struct run *r, const char *src, const char *name,
    const char *outcome, uint64_t payload_bytes, struct arh_err *err)
{
	struct arh_disposition disp;
	struct arh_archive_row a;
	const char *action = disp.action, *due = disp.due;
	int rc;

	if ((rc = arh_catalog_get(r->h->cat, name, &a, err)) != 0 ||
	    (rc = arh_catalog_disposition(r->h->cat, name, &disp, err)) != 0)
		return rc;
	return json_array_append_new(r->archived, json_pack("{s:s, s:s, "
	    "s:s, s:s, s:i, s:i, s:I, s:I, s:s, s:s?, s:s?}", "source", src,
	    "outcome", outcome, "archive", a.name, "case_file", a.case_ref,
	    "records", a.nrecords, "files", a.nfiles, "payload_bytes",
	    (json_int_t)payload_bytes, "tar_size", (json_int_t)a.size,
	    "tar_sha256", a.sha256, "action", action[0] ? action : NULL,
	    "due", due[0] ? due : NULL)) ? ARH_ENOMEM : 0;
}

struct payload {
	json_t	 *digests;	/* bag path -> sha256 */
	uint64_t  bytes;
};

static int
payload_row(void *arg, const struct arh_file_row *f)
{
	struct payload *p = arg;

	if (f->record == NULL)
		return 0;	/* a tag file */
	p->bytes += f->size;
	return json_object_set_new(p->digests, f->path,
	    json_string(f->sha256)) ? ARH_ENOMEM : 0;
}

/*
 * 1 if the latest archive of c holds exactly c's payload files with the
 * same SHA-256 (the case file as exported again), 0 if not; its name into
 * name and its payload bytes into *bytes.
 */
static int
same_content(struct arh_home *h, const struct arh_case *c, const char *src,
    char name[256], uint64_t *bytes, struct arh_err *err)
{
	struct payload p = { json_object(), 0 };
	struct arh_archive_row a;
	char sha[65];
	size_t i;
	int fd = -1, rc;

	if (p.digests == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	if ((rc = arh_catalog_latest(h->cat, c->reference, &a, err)) != 0 ||
	    (rc = arh_catalog_files(h->cat, a.name, payload_row, &p, err)) != 0)
		goto out;
	snprintf(name, 256, "%s", a.name);
	*bytes = p.bytes;
	if ((fd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		rc = arh_errno(err, ARH_EIO, errno, "cannot open '%s'", src);
		goto out;
	}
	rc = (size_t)a.nrecords == c->nrecords &&
	    json_object_size(p.digests) == c->nfiles;
	for (i = 0; rc == 1 && i < c->nfiles; i++) {
		if ((rc = arh_sha256_file(fd, c->files[i].disk_path, sha, err))
		    != 0)
			goto out;
		rc = strcmp(arh_json_str(p.digests, c->files[i].bag_path),
		    sha) == 0;
	}
out:
	if (fd != -1)
		close(fd);
	json_decref(p.digests);
	return rc;
}

/* A case file that is refused: a copy to quarantine with its problems
 * (the source is not ours to move), and the job fails. */
static int
refused(struct run *r, const char *series, const char *src,
    const struct arh_problems *probs, const char *reason)
{
	char qname[256] = "";
	const char *q = NULL;
	struct arh_err qerr;
	char want[256];

	arh_err_clear(&qerr);
	snprintf(want, sizeof(want), "job%ld-%s-%d", r->job->id, series ?
	    series : "x", r->year);
	if (arh_quarantine_copy(r->h, src, want, probs, qname, sizeof(qname),
	    &qerr) == 0)
		q = qname;
	return failed(r, series, src, ARH_EINVAL, reason, probs, q);
}

/* Ingest src and say how it went; only running out of memory stops. */
static int
ingest_source(struct run *r, const char *series, const char *src,
    const struct arh_case *c, struct arh_problems *probs)
{
	struct arh_ingest_result res;
	struct arh_err err;
	char name[256], why[ARH_ERR_MSG + 300];
	uint64_t bytes = 0;
	int rc, same;

	arh_err_clear(&err);
	rc = arh_ingest(r->h, src, 0, &res, probs, &err);
	if (rc == 0)
		rc = archived(r, src, res.name, "archived", res.payload_bytes,
		    &err);
	else if (rc == ARH_EINVAL)
		return refused(r, series, src, probs, "the case file was "
		    "refused");
	else if (rc == ARH_EEXIST && (same = same_content(r->h, c, src, name,
	    &bytes, &err)) >= 0) {
		if (same)
			rc = archived(r, src, name, "already archived", bytes,
			    &err);
		else {
			snprintf(why, sizeof(why), "case file %s is archived "
			    "as %s with other content; to archive this as a "
			    "new version run 'arhiivar ingest --new-version'",
			    c->reference, name);
			return failed(r, series, src, ARH_EEXIST, why, NULL,
			    NULL);
		}
	}
	if (rc == ARH_ENOMEM)
		return rc;
	return rc == 0 ? 0 : failed(r, series, src, rc, err.msg, NULL, NULL);
}

static int
transfer_one(struct run *r, const char *series, const char *src)
{
	struct arh_problems probs;
	struct arh_case *c = NULL;
	struct arh_err err;
	struct stat st;
	int rc;

	if (stat(src, &st) == -1) {
		if (errno == ENOENT && r->job->kind[0] == 'y')
			return skipped(r, series, src, "no such directory");
		arh_errno(&err, errno == ENOENT ? ARH_ENOTFOUND : ARH_EIO,
		    errno, "cannot read source '%s'", src);
		return failed(r, series, src, errno == EIO ? ARH_EIO :
		    ARH_ENOTFOUND, err.msg, NULL, NULL);
	}
	if (!S_ISDIR(st.st_mode))
		return failed(r, series, src, ARH_EINVAL, "the source is not "
		    "a directory", NULL, NULL);
	if (!allowed_source(r->h, src, 1))
		return failed(r, series, src, ARH_EINVAL, "the source leads "
		    "outside the directories of [daemon] sources", NULL, NULL);
	arh_problems_init(&probs);
	arh_err_clear(&err);
	if ((rc = arh_case_load(src, r->today, &c, &probs, &err)) == ARH_EINVAL)
		rc = refused(r, series, src, &probs, "the case file was "
		    "refused");
	else if (rc != 0)
		rc = rc == ARH_ENOMEM ? rc : failed(r, series, src, rc,
		    err.msg, NULL, NULL);
	else if (strcmp(c->series_code, series) != 0 || c->year != r->year) {
		arh_problems_add(&probs, "case.json: the case file is %s, not "
		    "of series %s and year %d as the transfer expects; export "
		    "the right case file there", c->reference, series, r->year);
		rc = refused(r, series, src, &probs, "the source holds another "
		    "case file");
	} else
		rc = ingest_source(r, series, src, c, &probs);
	arh_case_free(c);
	arh_problems_release(&probs);
	return rc;
}

/* A series takes part in year y's transfer if it was open in y. */
static int
open_in_year(const struct arh_fileplan_row *row, int y)
{
	char first[11], last[11];

	snprintf(first, sizeof(first), "%04d-01-01", y);
	snprintf(last, sizeof(last), "%04d-12-31", y);
	return strcmp(row->valid_from, last) <= 0 && (row->valid_until[0] ==
	    '\0' || strcmp(row->valid_until, first) >= 0);
}

static int
transfer_yearly(struct run *r)
{
	const struct arh_fileplan_row *row;
	struct arh_fileplan *plan = NULL;
	struct arh_fileplan_info info;
	struct arh_err err;
	char path[PATH_MAX], why[512];
	size_t i;
	int rc;

	memset(&info, 0, sizeof(info));
	arh_err_clear(&err);
	if ((rc = arh_fileplan_load(r->h, NULL, &plan, &info, &err)) != 0) {
		if (rc == ARH_ENOTFOUND)
			rc = arh_errf(&err, ARH_EINVAL, "no file plan has been "
			    "imported");
		return rc == ARH_ENOMEM ? rc : failed(r, NULL, r->job->pattern,
		    rc, err.msg, NULL, NULL);
	}
	for (i = 0, rc = 0; i < plan->nrows && rc == 0; i++) {
		row = &plan->rows[i];
		if (r->job->series[0] ? strcmp(row->series_code,
		    r->job->series) != 0 : !open_in_year(row, r->year))
			continue;
		if (arh_pattern_expand(r->job->pattern, row->series_code,
		    r->year, row->function_code, path, sizeof(path), why,
		    sizeof(why)) != 0)
			rc = failed(r, row->series_code, r->job->pattern,
			    ARH_EINVAL, why, NULL, NULL);
		else
			rc = transfer_one(r, row->series_code, path);
	}
	arh_fileplan_info_release(&info);
	arh_fileplan_free(plan);
	return rc;
}

/* The first failure's reason, with how many more. */
static void
first_failure(const struct run *r, char *out, size_t n)
{
	json_t *f = json_array_get(r->failures, 0);
	size_t more = json_array_size(r->failures);

	out[0] = '\0';
	if (f == NULL)
		return;
	snprintf(out, n, "%s: %s%s", arh_json_str(f, "source"),
	    arh_json_str(f, "reason"), more > 1 ? " (and more: see the "
	    "report)" : "");
}

struct outcome {
	const char *status;	/* the run's */
	const char *job_status;
	char	    next_run[21];	/* "" for none */
};

static void
decide(const struct run *r, const struct arh_sched_at *at, time_t end,
    struct outcome *o)
{
	int yearly = r->job->kind[0] == 'y';

	o->next_run[0] = '\0';
	if (r->transient > 0 && r->job->attempts <= r->h->cfg->retries) {
		o->status = o->job_status = "retrying";
		arh_sched_utc(end + arh_sched_backoff(r->h->cfg->retry_seconds,
		    r->job->attempts), o->next_run);
	} else if (r->transient > 0 || r->permanent > 0)
		o->status = o->job_status = "failed";
	else {
		o->status = "done";
		o->job_status = yearly ? "scheduled" : "done";
		if (yearly)
			arh_sched_utc(arh_sched_next(at, end), o->next_run);
	}
}

static json_t *
report_new(const struct run *r, long run, const char *started,
    const char *finished, const struct outcome *o)
{
	const struct arh_job *j = r->job;

	return json_pack("{s:I, s:I, s:s, s:s?, s:i, s:s?, s:s?, s:s, s:s, "
	    "s:s, s:s, s:i, s:s?, s:O, s:O, s:O}", "job", (json_int_t)j->id,
	    "run", (json_int_t)run, "kind", j->kind, "series", j->series[0] ?
	    j->series : NULL, "year", r->year, "source", j->source[0] ?
	    j->source : NULL, "pattern", j->pattern[0] ? j->pattern : NULL,
	    "at", j->at, "started", started, "finished", finished, "status",
	    o->status, "attempt", j->attempts, "next_run", o->next_run[0] ?
	    o->next_run : NULL, "archived", r->archived, "failures",
	    r->failures, "skipped", r->skipped);
}

/* The report could not be written: a transient failure of the run (the
 * catalog keeps the report's JSON all the same). */
static void
report_failed(struct run *r, json_t *rep, const struct arh_sched_at *at,
    time_t end, struct outcome *o, const struct arh_err *werr)
{
	char why[ARH_ERR_MSG + 64];

	snprintf(why, sizeof(why), "the report was not written: %s",
	    werr->msg);
	(void)failed(r, NULL, "(report)", ARH_EIO, why, NULL, NULL);
	decide(r, at, end, o);
	json_object_set_new(rep, "status", json_string(o->status));
	json_object_set_new(rep, "next_run", o->next_run[0] ?
	    json_string(o->next_run) : json_null());
	json_object_del(rep, "json");
	json_object_del(rep, "html");
}

/* Claimed run `run` of r->job: transfer, report, record. */
static int
run_claimed(struct run *r, long run, const struct arh_sched_at *at,
    time_t now, json_t **report, struct arh_err *err)
{
	struct outcome o;
	struct arh_err werr;
	char started[21], finished[21], error[1100];
	json_t *rep = NULL;
	char *text = NULL;
	time_t end;
	int rc;

	arh_sched_utc(now, started);
	if ((rc = r->job->kind[0] == 'y' ? transfer_yearly(r) :
	    transfer_one(r, r->job->series, r->job->source)) != 0)
		return arh_errf(err, rc, "out of memory");
	end = time(NULL) > now ? time(NULL) : now;
	arh_sched_utc(end, finished);
	decide(r, at, end, &o);
	if ((rep = report_new(r, run, started, finished, &o)) == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	arh_err_clear(&werr);
	if (arh_report_write(r->h, rep, r->job->id, run, &werr) != 0)
		report_failed(r, rep, at, end, &o, &werr);
	first_failure(r, error, sizeof(error));
	if ((text = json_dumps(rep, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		rc = arh_errf(err, ARH_ENOMEM, "out of memory");
	else
		rc = arh_catalog_job_finish(r->h->cat, r->job->id, run,
		    o.status, o.job_status, o.next_run[0] ? o.next_run : NULL,
		    error[0] ? error : NULL, text, json_string_value(
		    json_object_get(rep, "json")), r->h->actor, err);
	free(text);
	if (rc == 0) {
		*report = rep;
		rep = NULL;	/* transferred */
	}
	json_decref(rep);
	return rc;
}

int
arh_job_run(struct arh_home *h, long id, time_t now, json_t **report,
    struct arh_err *err)
{
	struct arh_sched_at at;
	struct arh_job job;
	struct run r;
	char why[256], t[21];
	long run;
	int rc;

	*report = NULL;
	if ((rc = arh_catalog_job_get(h->cat, id, &job, err)) != 0)
		return rc;
	if (arh_sched_parse(job.at, job.kind[0] == 'y', &at, why,
	    sizeof(why)) != 0)
		return arh_errf(err, ARH_ECATALOG, "catalog: job %ld: %s", id,
		    why);
	memset(&r, 0, sizeof(r));
	r.h = h;
	r.job = &job;
	r.year = job.kind[0] == 'y' ? arh_sched_transfer_year(now) : job.year;
	arh_sched_utc(now, t);
	if ((rc = arh_catalog_job_claim(h->cat, id, t, r.year, &run, err)) != 0)
		return rc;
	/* The claim counted this attempt. */
	if ((rc = arh_catalog_job_get(h->cat, id, &job, err)) != 0)
		return rc;
	arh_today(r.today);
	r.archived = json_array();
	r.failures = json_array();
	r.skipped = json_array();
	if (r.archived == NULL || r.failures == NULL || r.skipped == NULL)
		rc = arh_errf(err, ARH_ENOMEM, "out of memory");
	else
		rc = run_claimed(&r, run, &at, now, report, err);
	/* A run that could not be recorded stays "running" for
	 * arh_job_recover(). */
	json_decref(r.archived);
	json_decref(r.failures);
	json_decref(r.skipped);
	return rc;
}

int
arh_job_run_now(struct arh_home *h, const struct arh_identity *who,
    long id, time_t now, json_t **report, struct arh_err *err)
{
	static const enum arh_op op = ARH_OP_SCHEDULE;
	char target[64], t[21];
	int rc;

	*report = NULL;
	snprintf(target, sizeof(target), "job %ld", id);
	if ((rc = arh_authorize(h, who, &op, 1, target, NULL, err)) != 0)
		return rc;
	arh_sched_utc(now, t);
	if ((rc = arh_catalog_job_rearm(h->cat, id, t, h->actor, err)) != 0)
		return rc;
	return arh_job_run(h, id, now, report, err);
}
