/* ingest.c — validate → write → seal → publish → catalogue, or nothing. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arhiivar/bag.h"
#include "arhiivar/input.h"
#include "arhiivar/log.h"
#include "arhiivar/ops.h"
#include "arhiivar/terms.h"
#include "fault.h"
#include "ops_int.h"
#include "util.h"

/* Bagging-Date: today, or SOURCE_DATE_EPOCH for byte-identical rebuilds. */
static void
bagging_date(char out[11])
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long v;
	time_t t;
	struct tm tm;

	if (sde != NULL && *sde) {
		v = strtoll(sde, &end, 10);
		if (*end == '\0' && v >= 0) {
			t = (time_t)v;
			gmtime_r(&t, &tm);
			strftime(out, 11, "%Y-%m-%d", &tm);
			return;
		}
	}
	arh_today(out);
}

static int
next_version(struct arh_home *h, const struct arh_case *c, int new_version,
    struct arh_archive_row *prev, int *version, struct arh_err *err)
{
	int rc = arh_catalog_latest(h->cat, c->reference, prev, err);

	if (rc == ARH_ENOTFOUND) {
		arh_err_clear(err);
		*version = 1;
		prev->name[0] = '\0';
		return 0;
	}
	if (rc != 0)
		return rc;
	if (!new_version)
		return arh_errf(err, ARH_EEXIST, "case file %s is already "
		    "archived as %s; to archive a changed case file as a new "
		    "version, run ingest again with --new-version", c->reference,
		    prev->name);
	*version = prev->version + 1;
	return 0;
}

/* Source-Organization: case.json's, else the configured default. */
static int
default_organisation(struct arh_home *h, struct arh_case *c,
    struct arh_problems *probs, struct arh_err *err)
{
	if (c->organisation != NULL)
		return 0;
	if (h->cfg->organisation == NULL) {
		arh_problems_add(probs, "case.json: no 'organisation', and "
		    "arhiivar.conf sets no [archive] organisation; name the "
		    "organisation in one of them");
		return arh_errf(err, ARH_EINVAL, "input rejected");
	}
	if ((c->organisation =
	    ARH_FAULT_ALLOC(strdup(h->cfg->organisation))) == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	return 0;
}

static void
fill_result(struct arh_ingest_result *res, const struct arh_case *c,
    const struct arh_bag_summary *s)
{
	size_t i;

	memset(res, 0, sizeof(*res));
	snprintf(res->name, sizeof(res->name), "%s", s->name);
	res->version = s->version;
	res->nrecords = c->nrecords;
	res->nfiles = c->nfiles;
	res->payload_bytes = c->payload_bytes;
	res->tar_size = s->tar_size;
	memcpy(res->tar_sha256, s->tar_sha256, sizeof(res->tar_sha256));
	for (i = 0; i < c->nrecords; i++)
		res->ninternal += c->records[i].access.internal != 0;
}

/* Record the intent to publish tmp as store_name, committed before the
 * rename: a crash after it leaves recovery one name to look at. */
static int
record_intent(struct arh_home *h, const char *tmp, const char *store_name,
    const struct arh_bag_summary *sum, struct arh_err *err)
{
	struct arh_intent in;

	memset(&in, 0, sizeof(in));
	if (snprintf(in.tmp, sizeof(in.tmp), "%s", tmp) >= (int)sizeof(in.tmp) ||
	    snprintf(in.name, sizeof(in.name), "%s", store_name) >=
	    (int)sizeof(in.name))
		return arh_errf(err, ARH_EINTERNAL, "name too long: '%s'",
		    store_name);
	snprintf(in.sha256, sizeof(in.sha256), "%s", sum->tar_sha256);
	in.pid = (long)getpid();
	snprintf(in.actor, sizeof(in.actor), "%s", h->actor);
	return arh_catalog_intent_add(h->cat, &in, err);
}

/* Write the archive to a temp file in the store and publish it. */
static int
write_and_publish(struct arh_home *h, int casefd, struct arh_case *c,
    const struct arh_bag_params *p, struct arh_bag_summary *sum,
    char *store_name, size_t n, int *lockfd, struct arh_err *err)
{
	char *tmp = NULL;
	int fd = -1, rc;

	*lockfd = -1;
	if ((rc = arh_store_tmp_create(h->store, &tmp, &fd, err)) != 0)
		return rc;
	if ((rc = arh_bag_write(fd, casefd, c, p, sum, err)) != 0) {
		arh_store_discard(h->store, tmp, fd);
		free(tmp);
		return rc;
	}
	snprintf(store_name, n, "%s.tar", sum->name);
	if ((rc = record_intent(h, tmp, store_name, sum, err)) != 0) {
		arh_store_discard(h->store, tmp, fd);
		free(tmp);
		return rc;
	}
	rc = arh_store_publish(h->store, tmp, fd, store_name, err);
	/* On failure the intent stays: the next command finds its temporary
	 * file gone and drops it, or finds the archive published after all
	 * (a failed unlink after a failed directory fsync) and adopts it. */
	if (rc == 0)
		*lockfd = fd;	/* held until the catalog has it */
	if (rc == ARH_EEXIST)
		arh_errf(err, rc, "archive '%s' appeared in the store while "
		    "this ingest ran (another ingest of %s?); nothing was "
		    "changed: check with 'arhiivar list'", store_name,
		    c->reference);
	free(tmp);
	return rc;
}

/* A case file destroyed by a destruction list cannot come back under the
 * same reference: its tombstone and act speak for it. */
static int
not_destroyed(struct arh_home *h, const struct arh_case *c,
    struct arh_err *err)
{
	char name[256];
	long list;
	int rc;

	rc = arh_catalog_tombstone_case(h->cat, c->reference, name,
	    sizeof(name), &list, err);
	if (rc == ARH_ENOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	return arh_errf(err, ARH_EEXIST, "case file %s was destroyed (archive "
	    "%s, destruction list %ld); it cannot be archived again under "
	    "that reference", c->reference, name, list);
}

/* Each internal-use restriction within what its legal basis allows
 * (the home's access-term table); every violation is a problem. */
static int
check_terms(struct arh_home *h, const struct arh_case *c,
    struct arh_problems *probs, struct arh_err *err)
{
	struct arh_terms *terms = NULL;
	char why[512];
	size_t i, before = probs->n;
	int rc;

	if ((rc = arh_home_terms(h, &terms, err)) != 0)
		return rc;
	for (i = 0; i < c->nrecords && rc == 0; i++) {
		const struct arh_record *r = &c->records[i];

		if (!r->access.internal || arh_terms_check(terms, &r->access,
		    r->registered, r->access.died, r->access.born, why,
		    sizeof(why)) == 0)
			continue;
		rc = arh_problems_add(probs, "%s/record.json: %s", r->disk_dir,
		    why);
	}
	arh_terms_free(terms);
	if (rc == 0 && probs->n > before)
		rc = arh_errf(err, ARH_EINVAL, "input rejected");
	return rc;
}

static int
ingest(struct arh_home *h, const char *casedir, int new_version,
    const json_t *preset, const struct arh_progress *progress,
    struct arh_ingest_result *res,
    struct arh_problems *probs, struct arh_err *err)
{
	struct arh_case *c = NULL;
	struct arh_signer *signer = NULL;
	struct arh_bag_summary sum;
	struct arh_archive_row prev;
	struct arh_bag_params p;
	json_t *decision = NULL;
	struct arh_event ev;
	char today[11], bdate[11], store_name[300];
	int casefd = -1, lockfd = -1, rc;

	memset(&sum, 0, sizeof(sum));
	memset(&p, 0, sizeof(p));
	arh_today(today);
	if ((rc = arh_case_load(casedir, today, &c, probs, err)) != 0 ||
	    (rc = default_organisation(h, c, probs, err)) != 0)
		goto out;
	if (preset != NULL) {
		if ((decision = json_deep_copy(preset)) == NULL) {
			rc = arh_errf(err, ARH_ENOMEM, "out of memory");
			goto out;
		}
	} else if ((rc = arh_fileplan_decide(h, c, &decision, probs, err)) !=
	    0 || (rc = check_terms(h, c, probs, err)) != 0)
		goto out;
	if ((rc = not_destroyed(h, c, err)) != 0)
		goto out;
	if ((rc = next_version(h, c, new_version, &prev, &p.version,
	    err)) != 0 || (rc = arh_home_signer(h, &signer, err)) != 0)
		goto out;
	if ((casefd = open(casedir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		rc = arh_errno(err, ARH_EIO, errno, "cannot open '%s'", casedir);
		goto out;
	}
	bagging_date(bdate);
	p.bagging_date = bdate;
	p.signer = signer;
	p.retention = decision;
	p.previous = prev.name[0] ? prev.name : NULL;
	p.previous_sha256 = prev.name[0] ? prev.sha256 : NULL;
	p.progress = progress;
	if ((rc = write_and_publish(h, casefd, c, &p, &sum, store_name,
	    sizeof(store_name), &lockfd, err)) != 0)
		goto out;
	memset(&ev, 0, sizeof(ev));
	ev.kind = "ingest";
	ev.actor = h->actor;
	ev.archive = sum.name;
	ev.target = c->reference;
	ev.result = "ok";
	if ((rc = arh_catalog_add(h->cat, &sum, store_name, &ev, err)) != 0) {
		/*
		 * Keep the archive.  A COMMIT that failed at its final sync
		 * may still be replayed from the WAL when the catalog is next
		 * opened; a deleted archive would then be a catalogued lie.
		 * The next command verifies the archive and catalogues it
		 * unless the catalog already has it.
		 */
		char why[ARH_ERR_MSG];
		snprintf(why, sizeof(why), "%s", err->msg);
		arh_errf(err, rc, "%s; the sealed archive '%s' is in the store "
		    "and the next arhiivar command will verify and catalogue "
		    "it", why, store_name);
		goto out;
	}
	fill_result(res, c, &sum);
out:
	arh_store_done(lockfd);
	json_decref(decision);
	if (casefd != -1)
		close(casefd);
	arh_bag_summary_release(&sum);
	arh_signer_free(signer);
	arh_case_free(c);
	return rc;
}

int
arh_ingest(struct arh_home *h, const char *casedir, int new_version,
    struct arh_ingest_result *res, struct arh_problems *probs,
    struct arh_err *err)
{
	int rc;

	if ((rc = ingest(h, casedir, new_version, NULL, NULL, res, probs,
	    err)) == 0)
		(void)arh_log_checkpoint_after(h, res->log_warning,
		    sizeof(res->log_warning));
	return rc;
}

int
arh_ingest_progress(struct arh_home *h, const char *casedir,
    int new_version, const struct arh_progress *progress,
    struct arh_ingest_result *res, struct arh_problems *probs,
    struct arh_err *err)
{
	int rc;

	if ((rc = ingest(h, casedir, new_version, NULL, progress, res, probs,
	    err)) == 0)
		(void)arh_log_checkpoint_after(h, res->log_warning,
		    sizeof(res->log_warning));
	return rc;
}

int
arh_ingest_decided(struct arh_home *h, const char *casedir,
    const json_t *decision, struct arh_ingest_result *res,
    struct arh_problems *probs, struct arh_err *err)
{
	return ingest(h, casedir, 0, decision, NULL, res, probs, err);
}
