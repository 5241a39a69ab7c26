/*
 * status.c — the daemon's state as JSON: the one answer behind `arhiivar
 * status`, the control socket's "status" and GET /v1/status.  It names
 * archives and counts, never a record's restricted metadata, so it may be
 * shown to anyone who may reach the daemon.
 */
#include <stdio.h>
#include <time.h>

#include "arhiivar/catalog.h"
#include "daemon.h"
#include "worker.h"

static int
add_failed_audit(void *arg, const struct arh_audit *a)
{
	json_t *att = arg;
	char line[1024];

	snprintf(line, sizeof(line), "audit of %s failed at %s: %s", a->archive,
	    a->verified_at, a->detail);
	return json_array_append_new(att, json_string(line)) == 0 ? 0 :
	    ARH_ENOMEM;
}

json_t *
daemon_status_json(struct daemon *d, struct arh_home *h)
{
	json_t *o = NULL, *att, *audits, *runs;
	struct arh_err err;
	long pending = 0, ok = 0, failed = 0;
	char since[32], line[256];
	struct tm tm;
	time_t t;
	unsigned nq;

	if ((att = json_array()) == NULL || (runs = json_array()) == NULL) {
		json_decref(att);
		return NULL;
	}
	t = (time_t)atomic_load(&d->stats.started);
	gmtime_r(&t, &tm);
	strftime(since, sizeof(since), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (arh_catalog_audit_counts(h->cat, &pending, &ok, &failed, &err) != 0)
		(void)json_array_append_new(att, json_string(err.msg));
	if (failed > 0)
		(void)arh_catalog_audits_failed(h->cat, add_failed_audit, att,
		    &err);
	jobs_status(h, runs, att);
	pthread_mutex_lock(&d->lock);
	nq = d->quarantine;
	audits = json_pack("{s:I, s:I, s:I, s:s}", "ok", (json_int_t)ok,
	    "failed", (json_int_t)failed, "pending", (json_int_t)pending,
	    "last", d->last_audit[0] ? d->last_audit : "none yet");
	o = json_pack("{s:b, s:b, s:s, s:s, s:i, s:i, s:o, s:o, s:o}",
	    "ok", 1, "up", 1, "since", since, "doing", d->doing,
	    "queue", (int)d->queue, "quarantine", (int)nq,
	    "audits", audits, "next_runs", runs, "attention", att);
	pthread_mutex_unlock(&d->lock);
	if (o != NULL && nq > 0) {
		snprintf(line, sizeof(line), "%u inbox item%s in quarantine: see "
		    "'arhiivar quarantine list'", nq, nq == 1 ? "" : "s");
		(void)json_array_insert_new(att, 0, json_string(line));
	}
	return o;
}
