/*
 * schedule.h — scheduled transfers: a records manager schedules the
 * year-end transfer of case files from where the registry system exports
 * them (a source directory per case file) into the archive.
 *
 *   once	one case file (series, year) from one source directory, at
 *		a date and time;
 *   yearly	every year on a day and time: the case files of the year
 *		before the run's year, of one series or of every series of
 *		the current file plan open in that year, each from the
 *		directory its pattern names ("/srv/export/{series}/{year}").
 *
 * Times are wall-clock times in Europe/Tallinn (common/schedtime.h says
 * how the DST gap and overlap are read).  A run ingests each source that
 * exists (arh_ingest); a case file archived before with the same payload
 * counts as already archived.  Outcomes:
 *
 *   archived / already archived	the job's run succeeds;
 *   skipped	a yearly job's source directory that does not exist (a
 *		series with no case file that year): reported, not a failure;
 *   failed	a once job's missing source, a case file that is refused
 *		(it is copied to quarantine with its problems), one that is
 *		archived with other content, a source outside [daemon]
 *		sources: the job fails (permanent: a person must act);
 *   retrying	a transient failure (I/O, a full disk, a busy catalog):
 *		retried after [daemon] retry_seconds, doubling each time (at
 *		most a day), [daemon] retries times, then failed.
 *
 * Every run writes a transfer report, REPORTS/transfer-JOB-RUN.json and
 * .html (printable), crash-safely.  Reports list archives, counts,
 * digests and the sealed disposition, never a title.
 *
 * The daemon drives jobs with arh_job_recover() at start, then
 * arh_job_due() and arh_job_run() for each (in a worker process);
 * `schedule run-now` calls arh_job_run_now().
 */
#ifndef ARHIIVAR_SCHEDULE_H
#define ARHIIVAR_SCHEDULE_H

#include <time.h>
#include <jansson.h>

#include "arhiivar/home.h"
#include "arhiivar/policy.h"

struct arh_job_spec {
	int	    yearly;
	const char *series;	/* once: required; yearly: NULL for every
				   series */
	int	    year;	/* once: the case file's year */
	const char *source;	/* once: absolute directory */
	const char *pattern;	/* yearly: absolute, with {year} and maybe
				   {series} and {function} */
	const char *at;		/* "2025-01-15T02:00", yearly "01-15T02:00" */
};

/*
 * Schedule a job (records-manager: ARH_EDENIED, an event, otherwise).
 * ARH_EINVAL with the reason in err: --at, a series not in the current
 * file plan (or no file plan), a source or pattern that is not absolute,
 * leaves [daemon] sources, or a pattern without {year} or with an unknown
 * placeholder.  The new job's id in *id.
 */
int arh_job_add(struct arh_home *h, const struct arh_identity *who,
    const struct arh_job_spec *spec, long *id, struct arh_err *err);

/* Cancel a job (records-manager). */
int arh_job_cancel(struct arh_home *h, const struct arh_identity *who,
    long id, struct arh_err *err);

/* The jobs due at now (scheduled or retrying, next_run passed). */
int arh_job_due(struct arh_home *h, time_t now,
    int (*cb)(void *arg, const struct arh_job *j), void *arg,
    struct arh_err *err);

/*
 * Run job id to its end in this process: claim it (ARH_EEXIST when it is
 * not waiting: running elsewhere, done, failed, cancelled), transfer,
 * write the report, and record the outcome (the job done, scheduled for
 * its next year, retrying or failed).  now is the run's instant: it
 * decides a yearly job's year.  *report (new reference, may be NULL on
 * an error before the run began) is the report, with "json" and "html"
 * naming its files.  Returns 0 when the run was recorded, whatever its
 * outcome (read report's "status"), else the error that kept it from
 * being recorded.
 */
int arh_job_run(struct arh_home *h, long id, time_t now, json_t **report,
    struct arh_err *err);

/* `schedule run-now`: records-manager; job id due now (also after it
 * failed), then arh_job_run(). */
int arh_job_run_now(struct arh_home *h, const struct arh_identity *who,
    long id, time_t now, json_t **report, struct arh_err *err);

/* At a daemon's start, or when a worker died: runs left running are
 * interrupted, their jobs retrying at now; *n how many. */
int arh_job_recover(struct arh_home *h, time_t now, size_t *n,
    struct arh_err *err);

/*
 * A pattern's directory for one series and year (pure): {series},
 * {year} and {function} replaced; -1 with a sentence in why when the
 * pattern has no {year}, an unknown or unclosed placeholder, a value
 * that is empty, "." or ".." or holds '/', or out (n bytes) is too small.
 */
int arh_pattern_expand(const char *pattern, const char *series, int year,
    const char *function, char *out, size_t n, char *why, size_t nwhy);

#endif
