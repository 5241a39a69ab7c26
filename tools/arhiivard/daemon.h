/*
 * daemon.h — what the parts of arhiivard share: the daemon's state, its
 * counters (for status and /metrics) and the entry points of each part.
 *
 * One process, one poll loop in the main thread (main.c): signals set
 * flags, the inbox is watched with inotify, the control socket is served
 * there (ctl.c), and long work — an ingest, a scheduled transfer, an
 * audit — runs in a child process (worker.c) so that the loop stays
 * responsive and a SIGTERM can abandon it cleanly.  The verification API
 * (http.c, api.c) runs in libmicrohttpd's threads, each with its own
 * catalog connection.
 */
#ifndef ARHIIVARD_DAEMON_H
#define ARHIIVARD_DAEMON_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/types.h>

#include <jansson.h>

#include "arhiivar/home.h"

/* Counters: written by any thread, read by status and /metrics. */
struct daemon_stats {
	atomic_ulong	ingested;	/* inbox items archived */
	atomic_ulong	quarantined;	/* inbox items refused */
	atomic_ulong	ingest_errors;	/* transient failures (retried) */
	atomic_ulong	audits_ok;
	atomic_ulong	audits_failed;
	atomic_ulong	jobs_run;
	atomic_ulong	jobs_failed;
	atomic_ulong	api_requests;
	atomic_ulong	api_errors;	/* 5xx answers */
	atomic_ulong	api_rejected;	/* 429: verification limit */
	atomic_ulong	ctl_requests;
	atomic_ulong	restores;
	atomic_ulong	denials;
	atomic_long	started;	/* time(NULL) at start */
};

struct daemon {
	const char	   *home_path;	/* -H */
	const char	   *config_path;	/* -c, or NULL: HOME/arhiivar.conf */
	struct arh_home	   *h;		/* the main thread's home */
	struct daemon_stats stats;

	/* Guarded by lock: what status shows, shared with the API threads. */
	pthread_mutex_t	    lock;
	char		    doing[256];	/* "idle", "ingesting 12-1_2024", ... */
	unsigned	    queue;	/* inbox items waiting */
	unsigned	    quarantine;	/* items in quarantine */
	char		    last_audit[256];	/* "12-1_2024.v1 ok at ..." */

	void		   *http;	/* http.c's state, or NULL */
	int		    seal_fd;	/* the seal process's socket, or -1 */
	/* The configuration in force, as text: read before the sandbox,
	 * again through the seal process on SIGHUP, and handed to every
	 * worker (descriptor 3), which never reads it from disk. */
	char		   *cfg_text;
	size_t		    cfg_len;
	char		    cfg_name[4096];	/* its file, for messages */
	pid_t		    seal_pid;
};

/* Log to stderr with a syslog priority prefix ("<3>"), one line. */
void dlog(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Set what the daemon is doing (status, STATUS= for systemd). */
void daemon_doing(struct daemon *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Open the home as the daemon does (-H, and -c's configuration in place of
 * HOME/arhiivar.conf), for a thread or a worker process of its own; the
 * events it records name `actor`.
 */
int daemon_open_home(struct daemon *d, const char *actor,
    struct arh_home **h, struct arh_err *err);

/*
 * status.c: the daemon's state as JSON, the one answer of `arhiivar
 * status`, the control socket's "status" and GET /v1/status: up since,
 * doing, queue, quarantine, jobs (next runs, failed), audits (last
 * results, failed), counters; "attention" lists what needs a person.
 * h is the calling thread's home.  NULL on ENOMEM.
 */
json_t *daemon_status_json(struct daemon *d, struct arh_home *h);

/* http.c: start serving the verification API as configured ([api]
 * listen, "off": nothing); stop it.  0 or an ARH_E* code with err. */
int http_start(struct daemon *d, struct arh_err *err);
void http_stop(struct daemon *d);
/* What -t checks of [api]: the listen address parses. */
int http_check_config(const struct arh_config *cfg,
    struct arh_problems *probs);

/*
 * sandbox.c: after setup, drop what the daemon does not need (seccomp
 * allow-list, Landlock filesystem rules); each degrades gracefully with
 * a log line where the kernel lacks it.  0, or -1 when a sandbox that is
 * available could not be applied (the daemon then refuses to run).
 */
int sandbox_enter(struct daemon *d);
/* The seal process's own sandbox: no filesystem at all, the same system
 * calls.  0 or -1. */
int sandbox_seal(const char *confdir);

/*
 * seal_proc.c: fork the seal process, which alone holds the seal key,
 * before the sandbox hides the key from the daemon; d->seal_fd is the
 * socket the ingesting workers seal through.
 */
int seal_start(struct daemon *d, struct arh_err *err);
/* The configuration file's text as it is now, read by the seal process
 * (the daemon's sandbox has no right to a file replaced since it
 * started); *text malloc'd. */
int seal_read_config(struct daemon *d, char **text, size_t *len,
    struct arh_err *err);
/* main.c: the configuration file's name, and its text read now. */
void daemon_config_name(const struct daemon *d, char *out, size_t n);
int daemon_read_config(struct daemon *d, struct arh_err *err);

#endif
