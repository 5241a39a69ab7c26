/*
 * jobs.c — scheduled transfers in the daemon: which job is due (the
 * catalog says), running one in the worker (arh_job_run: claim, transfer,
 * report, outcome, all in the library), logging its result, and what
 * status shows of them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "arhiivar/ops.h"
#include "arhiivar/schedule.h"
#include "util.h"
#include "ctl.h"
#include "worker.h"

static int
first_due(void *arg, const struct arh_job *j)
{
	snprintf(arg, 32, "%ld", j->id);
	return 1;
}

int
jobs_due(struct arh_home *h, char *id, size_t n)
{
	struct arh_err err;
	char buf[32] = "";
	int rc;

	rc = arh_job_due(h, time(NULL), first_due, buf, &err);
	if (rc < 0) {
		dlog(LOG_ERR, "%s", err.msg);
		return 0;
	}
	if (buf[0] == '\0')
		return 0;
	snprintf(id, n, "%s", buf);
	return 1;
}

json_t *
worker_job(struct arh_home *h, const char *id)
{
	struct arh_err err;
	json_t *rep = NULL, *o;
	long n = strtol(id, NULL, 10);
	int rc;

	arh_err_clear(&err);
	rc = arh_job_run(h, n, time(NULL), &rep, &err);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "kind", "job",
	    "job", id, "outcome", rc != 0 ? "error" :
	    arh_json_str(rep, "status"), "error", rc != 0 ? err.msg : "",
	    "report", arh_json_str(rep, "json"),
	    "archived", (json_int_t)json_array_size(json_object_get(rep,
	    "archived")), "failures", (json_int_t)json_array_size(
	    json_object_get(rep, "failures")));
	json_decref(rep);
	return o;
}

void
jobs_done(struct daemon *d, json_t *r)
{
	const char *oc = arh_json_str(r, "outcome");

	atomic_fetch_add(&d->stats.jobs_run, 1);
	if (strcmp(oc, "done") == 0)
		dlog(LOG_INFO, "scheduled transfer %s done: %lld archived; "
		    "report %s", arh_json_str(r, "job"),
		    (long long)json_integer_value(json_object_get(r,
		    "archived")), arh_json_str(r, "report"));
	else {
		atomic_fetch_add(&d->stats.jobs_failed, 1);
		dlog(strcmp(oc, "retrying") == 0 ? LOG_WARNING : LOG_ERR,
		    "scheduled transfer %s %s: %lld failures%s%s; report %s",
		    arh_json_str(r, "job"), oc, (long long)json_integer_value(
		    json_object_get(r, "failures")), *arh_json_str(r, "error") ?
		    ": " : "", arh_json_str(r, "error"), arh_json_str(r,
		    "report"));
	}
}

json_t *
jobs_run_now(struct daemon *d, const struct arh_identity *who, long id)
{
	struct arh_err err;
	char now[21];
	int rc;

	/* The run itself goes to the worker: mark it due, the loop wakes. */
	arh_err_clear(&err);
	if ((rc = arh_permit(d->h, who, ARH_OP_SCHEDULE, "run-now", &err)) != 0)
		return ctl_error(rc, err.msg);
	arh_now_utc(now);
	if ((rc = arh_catalog_job_rearm(d->h->cat, id, now, d->h->actor,
	    &err)) != 0)
		return ctl_error(rc, err.msg);
	return json_pack("{s:b, s:I}", "ok", 1, "due", (json_int_t)id);
}

struct st {
	json_t	*runs;
	json_t	*att;
};

static int
job_status(void *arg, const struct arh_job *j)
{
	struct st *s = arg;
	char line[2048];

	if (strcmp(j->status, "failed") == 0) {
		snprintf(line, sizeof(line), "scheduled transfer %ld failed: %s "
		    "(see 'arhiivar schedule show %ld')", j->id, j->last_error,
		    j->id);
		(void)json_array_append_new(s->att, json_string(line));
	} else if (j->next_run[0] != '\0' && (strcmp(j->status, "scheduled")
	    == 0 || strcmp(j->status, "retrying") == 0) &&
	    json_array_size(s->runs) < 10) {
		snprintf(line, sizeof(line), "%s job %ld (%s%s%s) at %s%s",
		    j->kind, j->id, j->series[0] ? j->series : "every series",
		    j->year ? " " : "", j->year ? "" : "", j->next_run,
		    strcmp(j->status, "retrying") == 0 ? " (retry)" : "");
		(void)json_array_append_new(s->runs, json_string(line));
	}
	return 0;
}

void
jobs_status(struct arh_home *h, json_t *runs, json_t *attention)
{
	struct st s = { runs, attention };
	struct arh_err err;

	if (arh_catalog_jobs(h->cat, job_status, &s, &err) != 0)
		(void)json_array_append_new(attention, json_string(err.msg));
}
