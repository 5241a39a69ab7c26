/* worker.h — long work in a child process (worker.c). */
#ifndef ARHIIVARD_WORKER_H
#define ARHIIVARD_WORKER_H

#include <time.h>
#include <sys/types.h>
#include <jansson.h>

#include "arhiivar/policy.h"
#include "daemon.h"

enum work_kind { WORK_INGEST = 1, WORK_AUDIT, WORK_JOB };

struct worker {
	pid_t		 pid;		/* 0: idle */
	int		 fd;		/* the child's result pipe */
	enum work_kind	 kind;
	char		 what[256];	/* inbox item, archive, job id */
	time_t		 started;
	char		 buf[16384];	/* the result line */
	size_t		 len;
};

/* Fork a child doing `kind` on `what`. */
int worker_start(struct daemon *d, struct worker *w, enum work_kind kind,
    const char *what, struct arh_err *err);
/* Read what the child wrote; 0 at EOF (then call worker_finish). */
int worker_read(struct worker *w);
/* Reap the child: its result (NULL if it wrote none) and wait status. */
json_t *worker_finish(struct worker *w, int *status);
/* SIGTERM, then SIGKILL after `seconds`; reaps. */
void worker_stop(struct worker *w, int seconds);

/* main.c's -W: run one worker (argv after -W); its exit status. */
int worker_main(struct daemon *d, int argc, char **argv);
/* In a forked child: exec this binary as a worker with args after -W,
 * fds[] as descriptors 3, 4, ...  Never returns. */
void worker_exec(struct daemon *d, const int *fds, size_t nfds,
    const char *const *args, size_t nargs) __attribute__((noreturn));

/*
 * jobs.c, scheduled transfers: a job due now into id (1), or 0; in the
 * worker, run it (child side); the parent's bookkeeping of its result;
 * `schedule run-now` through the control socket.
 */
int jobs_due(struct arh_home *h, char *id, size_t n);
json_t *worker_job(struct arh_home *h, const char *id);
void jobs_done(struct daemon *d, json_t *result);
json_t *jobs_run_now(struct daemon *d, const struct arh_identity *who,
    long id);

#endif
