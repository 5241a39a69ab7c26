/*
 * loop.c — the daemon's poll loop: signals (a signalfd), the inbox
 * (inotify plus a periodic rescan), the control socket (ctl.c), two
 * worker slots — ingest and scheduled transfers in one, audits in the
 * other, so that an audit never holds up an ingest — and timers.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <systemd/sd-daemon.h>

#include "arhiivar/inbox.h"
#include "arhiivar/ops.h"
#include "arhiivar/schedule.h"
#include "ctl.h"
#include "loop.h"
#include "util.h"
#include "worker.h"

#define MAX_RETRY_ITEMS	256
#define JOB_CHECK_S	30	/* the catalog's jobs are looked at this often */
#define STOP_GRACE_S	8	/* a worker gets this long after SIGTERM */

/* An inbox item that failed for a transient reason: not before `at`. */
struct backoff {
	char	 name[256];
	time_t	 at;
	int	 attempts;
};

struct loop {
	struct daemon	*d;
	int		 sigfd;
	int		 infd;		/* inotify, or -1 */
	int		 stopping;
	int		 failed;	/* stop with an error status */
	int		 reload;
	int		 inbox_dirty;	/* look at the inbox now */
	time_t		 next_rescan;
	time_t		 next_audit;	/* bandwidth cap: not before */
	int		 audit_idle;	/* none was due at the last look */
	time_t		 next_jobs;
	time_t		 next_expire;
	struct worker	 work;		/* ingest, transfers */
	struct worker	 audit;
	struct backoff	 retry[MAX_RETRY_ITEMS];
	size_t		 nretry;
	struct ctl	*ctl;
};

static struct backoff *
find_backoff(struct loop *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->nretry; i++)
		if (strcmp(l->retry[i].name, name) == 0)
			return &l->retry[i];
	return NULL;
}

static void
drop_backoff(struct loop *l, const char *name)
{
	struct backoff *b = find_backoff(l, name);

	if (b != NULL)
		*b = l->retry[--l->nretry];
}

/*
 * A transient failure of inbox item `name`: tried again after a delay
 * that doubles, [daemon] retries times; then it is quarantined with the
 * last failure, for a person to look at (never dropped, never retried
 * for ever).
 */
static void
add_backoff(struct loop *l, const char *name, const char *why)
{
	struct backoff *b = find_backoff(l, name);
	const struct arh_config *cfg = l->d->h->cfg;
	long delay;

	if (b == NULL) {
		if (l->nretry == MAX_RETRY_ITEMS)
			return;		/* it is retried at the next rescan */
		b = &l->retry[l->nretry++];
		memset(b, 0, sizeof(*b));
		snprintf(b->name, sizeof(b->name), "%s", name);
	}
	b->attempts++;
	if (b->attempts > cfg->retries) {
		struct arh_err err;
		char msg[1536];

		snprintf(msg, sizeof(msg), "not archived after %d attempts; "
		    "the last failure: %s", b->attempts, why);
		if (arh_inbox_quarantine(l->d->h, name, msg, &err) != 0)
			dlog(LOG_ERR, "%s", err.msg);
		else {
			dlog(LOG_WARNING, "inbox item '%s' quarantined: %s",
			    name, msg);
			atomic_fetch_add(&l->d->stats.quarantined, 1);
			loop_refresh_counts(l->d);
		}
		drop_backoff(l, name);
		return;
	}
	delay = cfg->retry_seconds << (b->attempts > 10 ? 10 : b->attempts - 1);
	if (delay > 86400)
		delay = 86400;
	b->at = time(NULL) + delay;
}

/* Count of the inbox (what status shows) and the first item due. */
struct pick {
	struct loop	*l;
	unsigned	 n;
	char		 first[256];
	time_t		 now;
};

static int
pick_item(void *arg, const char *name)
{
	struct pick *p = arg;
	struct backoff *b = find_backoff(p->l, name);

	p->n++;
	if (p->first[0] == '\0' && (b == NULL || b->at <= p->now))
		snprintf(p->first, sizeof(p->first), "%s", name);
	return 0;
}

static int
count_quarantine(void *arg, const struct arh_quarantined *q)
{
	(void)q;
	(*(unsigned *)arg)++;
	return 0;
}

void
loop_refresh_counts(struct daemon *d)
{
	struct arh_err err;
	unsigned nq = 0;

	if (arh_quarantine_list(d->h, count_quarantine, &nq, &err) != 0)
		return;
	pthread_mutex_lock(&d->lock);
	d->quarantine = nq;
	pthread_mutex_unlock(&d->lock);
}

static void
start_work(struct loop *l, struct worker *w, enum work_kind kind,
    const char *what)
{
	struct arh_err err;

	if (worker_start(l->d, w, kind, what, &err) != 0) {
		dlog(LOG_ERR, "%s", err.msg);
		return;
	}
	if (kind == WORK_INGEST)
		daemon_doing(l->d, "ingesting %s", what);
	else if (kind == WORK_JOB)
		daemon_doing(l->d, "running scheduled transfer %s", what);
}

/* The inbox: the oldest item not backing off goes to the worker. */
static void
next_ingest(struct loop *l, time_t now)
{
	struct pick p;
	struct arh_err err;

	memset(&p, 0, sizeof(p));
	p.l = l;
	p.now = now;
	if (arh_inbox_list(l->d->h, pick_item, &p, &err) != 0) {
		dlog(LOG_ERR, "%s", err.msg);
		return;
	}
	pthread_mutex_lock(&l->d->lock);
	l->d->queue = p.n;
	pthread_mutex_unlock(&l->d->lock);
	l->inbox_dirty = 0;
	if (p.first[0] != '\0')
		start_work(l, &l->work, WORK_INGEST, p.first);
}

/* A job due (jobs.c asks the catalog). */
static int
next_job(struct loop *l)
{
	char id[32];

	if (jobs_due(l->d->h, id, sizeof(id)) != 1)
		return 0;
	start_work(l, &l->work, WORK_JOB, id);
	return 1;
}

static void
next_audit(struct loop *l, time_t now)
{
	struct arh_audit a;
	struct arh_err err;
	char before[32];
	struct tm tm;
	time_t t;

	if (l->d->h->cfg->audit_days == 0 || now < l->next_audit)
		return;
	/* Due at half the period: slack for a slow rotation, so that
	 * every archive is verified at least every [audit] days. */
	t = now - (time_t)l->d->h->cfg->audit_days * 86400 / 2;
	gmtime_r(&t, &tm);
	strftime(before, sizeof(before), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (arh_catalog_audit_next(l->d->h->cat, before, &a, &err) != 0) {
		if (err.code != ARH_ENOTFOUND)
			dlog(LOG_ERR, "%s", err.msg);
		l->next_audit = now + 60;
		l->audit_idle = err.code == ARH_ENOTFOUND;
		return;
	}
	l->audit_idle = 0;
	start_work(l, &l->audit, WORK_AUDIT, a.archive);
}

static void
ingest_done(struct loop *l, json_t *r)
{
	struct daemon *d = l->d;
	const char *item = arh_json_str(r, "item");
	const char *oc = arh_json_str(r, "outcome");

	if (strcmp(oc, "archived") == 0 || strcmp(oc, "already") == 0) {
		atomic_fetch_add(&d->stats.ingested, 1);
		drop_backoff(l, item);
		/* A new archive is due for its first audit now. */
		if (l->audit_idle)
			l->next_audit = 0;
		dlog(LOG_INFO, "inbox item '%s' %s as %s (%lld files)", item,
		    strcmp(oc, "already") == 0 ? "was archived before" :
		    "archived", arh_json_str(r, "archive"),
		    (long long)json_integer_value(json_object_get(r, "files")));
	} else if (strcmp(oc, "quarantined") == 0) {
		atomic_fetch_add(&d->stats.quarantined, 1);
		drop_backoff(l, item);
		dlog(LOG_WARNING, "inbox item '%s' quarantined: %s", item,
		    arh_json_str(r, "error"));
		loop_refresh_counts(d);
	} else {
		atomic_fetch_add(&d->stats.ingest_errors, 1);
		add_backoff(l, item, arh_json_str(r, "error"));
		dlog(LOG_ERR, "inbox item '%s' not archived, will retry: %s",
		    item, arh_json_str(r, "error"));
	}
	l->inbox_dirty = 1;
}

static void
audit_done(struct loop *l, json_t *r, time_t now)
{
	struct daemon *d = l->d;
	const char *res = arh_json_str(r, "result");
	json_int_t bytes = json_integer_value(json_object_get(r, "bytes"));
	long rate = d->h->cfg->audit_rate_mib;

	if (strcmp(res, "ok") == 0)
		atomic_fetch_add(&d->stats.audits_ok, 1);
	else if (strcmp(res, "failed") == 0) {
		atomic_fetch_add(&d->stats.audits_failed, 1);
		dlog(LOG_ERR, "audit of %s FAILED: %s",
		    arh_json_str(r, "archive"), arh_json_str(r, "detail"));
	} else
		dlog(LOG_ERR, "audit of %s could not run: %s",
		    arh_json_str(r, "archive"), arh_json_str(r, "error"));
	pthread_mutex_lock(&d->lock);
	snprintf(d->last_audit, sizeof(d->last_audit), "%s %s",
	    arh_json_str(r, "archive"), res);
	pthread_mutex_unlock(&d->lock);
	/* The bandwidth cap: the next audit waits as long as this one's
	 * bytes take at the cap. */
	l->next_audit = now + (time_t)(bytes / (rate * 1024 * 1024));
	if (strcmp(res, "error") == 0 && l->next_audit < now + 60)
		l->next_audit = now + 60;
}

/* Runs left "running" by a worker that died (or a daemon that was
 * killed) are interrupted: their jobs retry now. */
static void
recover_jobs(struct daemon *d)
{
	struct arh_err err;
	size_t n = 0;

	if (arh_job_recover(d->h, time(NULL), &n, &err) != 0)
		dlog(LOG_ERR, "%s", err.msg);
	else if (n > 0)
		dlog(LOG_WARNING, "%zu scheduled transfer%s interrupted: "
		    "retrying", n, n == 1 ? " was" : "s were");
}

static void
reap(struct loop *l, struct worker *w, time_t now)
{
	int status = 0;
	json_t *r;
	enum work_kind kind = w->kind;
	char what[256];

	snprintf(what, sizeof(what), "%s", w->what);
	r = worker_finish(w, &status);
	if (r == NULL) {
		dlog(LOG_ERR, "the worker for %s ended without a result "
		    "(status %d)", what, status);
		if (kind == WORK_INGEST)
			add_backoff(l, what, "the worker ended without a "
			    "result");
		else if (kind == WORK_AUDIT)
			l->next_audit = now + 60;
		else
			recover_jobs(l->d);
	} else if (kind == WORK_INGEST)
		ingest_done(l, r);
	else if (kind == WORK_AUDIT)
		audit_done(l, r, now);
	else
		jobs_done(l->d, r);
	json_decref(r);
	if (l->work.pid == 0)
		daemon_doing(l->d, "idle");
}

static int
reload(struct loop *l)
{
	struct daemon *d = l->d;
	struct arh_problems probs;
	struct arh_config *cfg = NULL;
	struct arh_err err;
	char *text = NULL;
	size_t len = 0, i;
	int rc;

	sd_notify(0, "RELOADING=1");
	arh_problems_init(&probs);
	arh_err_clear(&err);
	/* Read by the seal process: an edited file is a new file, which the
	 * daemon's own sandbox does not reach. */
	if ((rc = seal_read_config(d, &text, &len, &err)) == 0)
		rc = arh_config_parse(d->cfg_name, text, len, d->home_path,
		    &cfg, &probs, &err);
	for (i = 0; i < probs.n; i++)
		dlog(LOG_ERR, "%s", probs.items[i]);
	arh_problems_release(&probs);
	if (rc != 0) {
		dlog(LOG_ERR, "reload refused, the old configuration stays: %s",
		    err.msg);
		free(text);
	} else {
		arh_config_free(d->h->cfg);
		d->h->cfg = cfg;
		free(d->cfg_text);
		d->cfg_text = text;
		d->cfg_len = len;
		dlog(LOG_NOTICE, "configuration reloaded from %s (the [api] "
		    "section, the socket and the sandbox's paths take effect "
		    "at the next start)", d->cfg_name);
		l->inbox_dirty = 1;
		l->next_jobs = 0;
		l->next_audit = 0;
	}
	sd_notify(0, "READY=1");
	return rc;
}

static void
on_signals(struct loop *l)
{
	struct signalfd_siginfo si;

	while (read(l->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			l->stopping = 1;
			break;
		case SIGHUP:
			l->reload = 1;
			break;
		default:	/* SIGCHLD: the workers' pipes say it */
			break;
		}
	}
}

static void
on_inotify(struct loop *l)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	while (read(l->infd, buf, sizeof(buf)) > 0)
		;
	l->inbox_dirty = 1;
}

/* Reap the restore children ctl.c forks (their pids are not workers). */
static void
reap_others(struct loop *l)
{
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == l->d->seal_pid) {
			/* The key cannot be read again inside the sandbox:
			 * stop, and let the service manager start afresh. */
			dlog(LOG_CRIT, "the seal process ended (status %d): "
			    "stopping, nothing can be sealed", status);
			l->d->seal_pid = 0;
			l->stopping = l->failed = 1;
			continue;
		}
		ctl_child_exited(pid, status);
	}
}

static int
make_dirs(struct daemon *d, struct arh_err *err)
{
	/* All made before the sandbox: its rules name what exists. */
	const char *dirs[4] = { d->h->cfg->inbox, d->h->cfg->done,
	    d->h->cfg->quarantine, d->h->cfg->reports };
	mode_t modes[4] = { 0770, 0750, 0750, 0750 };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (mkdir(dirs[i], modes[i]) == 0) {
			/* The mode, not the umask's (UMask=0077 under
			 * systemd): the home's group submits to the inbox. */
			if (chmod(dirs[i], modes[i]) == -1)
				return arh_errno(err, ARH_EIO, errno, "cannot set "
				    "the mode of '%s'", dirs[i]);
		} else if (errno != EEXIST)
			return arh_errno(err, ARH_EIO, errno, "cannot create "
			    "'%s'", dirs[i]);
	}
	return 0;
}

int
loop_check_setup(struct daemon *d, const struct arh_config *cfg,
    struct arh_problems *probs)
{
	struct arh_home *h = NULL;
	struct arh_err err;
	int rc = 0;

	if (ctl_check_config(cfg, probs) != 0)
		rc = -1;
	if (http_check_config(cfg, probs) != 0)
		rc = -1;
	if (arh_home_open(d->home_path, "arhiivard -t", ARH_HOME_READONLY,
	    &h, NULL, NULL, &err) != 0) {
		(void)arh_problems_add(probs, "%s: %s", d->home_path, err.msg);
		return -1;
	}
	{
		struct arh_fileplan *plan = NULL;
		struct arh_fileplan_info info;

		memset(&info, 0, sizeof(info));
		if (arh_fileplan_load(h, NULL, &plan, &info, &err) != 0 &&
		    err.code != ARH_ENOTFOUND) {
			(void)arh_problems_add(probs, "file plan: %s", err.msg);
			rc = -1;
		}
		arh_fileplan_free(plan);
		arh_fileplan_info_release(&info);
	}
	arh_home_free(h);
	return rc;
}

static int
setup(struct loop *l, struct arh_err *err)
{
	struct daemon *d = l->d;
	sigset_t mask;
	int rc;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGCHLD);
	/* Blocked before any thread starts, so every thread inherits it
	 * and only the signalfd sees them. */
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((l->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		return arh_errno(err, ARH_EIO, errno, "signalfd");
	if ((rc = daemon_open_home(d, "arhiivard", &d->h, err)) != 0)
		return rc;
	if ((rc = make_dirs(d, err)) != 0)
		return rc;
	recover_jobs(d);
	if ((l->infd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1 ||
	    inotify_add_watch(l->infd, d->h->cfg->inbox, IN_MOVED_TO |
	    IN_CREATE | IN_ONLYDIR) == -1) {
		dlog(LOG_WARNING, "inotify unavailable (%s): the inbox is "
		    "rescanned every %ld s only", strerror(errno),
		    d->h->cfg->rescan_seconds);
		if (l->infd != -1)
			close(l->infd);
		l->infd = -1;
	}
	if ((rc = ctl_open(d, &l->ctl, err)) != 0)
		return rc;
	if ((rc = seal_start(d, err)) != 0)
		return rc;
	/* The sandbox first: Landlock confines the calling thread and the
	 * threads it starts after, so the API's threads start inside it. */
	if (sandbox_enter(d) != 0)
		return arh_errf(err, ARH_EIO, "the sandbox could not be applied "
		    "(see the log above)");
	return http_start(d, err);
}

int
loop_run(struct daemon *d)
{
	struct loop l;
	struct pollfd pfd[4 + 1 + CTL_MAX_CLIENTS];
	struct arh_err err;
	time_t now;
	int n, timeout, rc = 0;
	size_t i;

	memset(&l, 0, sizeof(l));
	l.d = d;
	l.sigfd = l.infd = -1;
	l.work.fd = l.audit.fd = -1;
	atomic_store(&d->stats.started, (long)time(NULL));
	arh_err_clear(&err);
	if ((rc = setup(&l, &err)) != 0) {
		dlog(LOG_ERR, "cannot start: %s", err.msg);
		goto out;
	}
	l.inbox_dirty = 1;
	loop_refresh_counts(d);
	daemon_doing(d, "idle");
	sd_notify(0, "READY=1");
	dlog(LOG_NOTICE, "ready: home %s, inbox %s", d->home_path,
	    d->h->cfg->inbox);
	while (!l.stopping) {
		now = time(NULL);
		if (l.reload) {
			l.reload = 0;
			(void)reload(&l);
		}
		if (now >= l.next_rescan) {
			l.inbox_dirty = 1;
			l.next_rescan = now + d->h->cfg->rescan_seconds;
		}
		if (now >= l.next_expire) {
			size_t ne = 0;

			if (arh_done_expire(d->h, d->h->cfg->done_days, &ne,
			    &err) != 0)
				dlog(LOG_ERR, "%s", err.msg);
			else if (ne > 0)
				dlog(LOG_INFO, "removed %zu archived inbox "
				    "items older than %ld days from done/", ne,
				    d->h->cfg->done_days);
			l.next_expire = now + 3600;
		}
		if (ctl_take_wake(l.ctl)) {
			l.inbox_dirty = 1;
			l.next_jobs = 0;
			l.next_audit = 0;
		}
		if (l.work.pid == 0 && l.inbox_dirty)
			next_ingest(&l, now);
		if (l.work.pid == 0 && now >= l.next_jobs) {
			if (!next_job(&l))
				l.next_jobs = now + JOB_CHECK_S;
		}
		if (l.audit.pid == 0)
			next_audit(&l, now);

		n = 0;
		pfd[n++] = (struct pollfd){ l.sigfd, POLLIN, 0 };
		pfd[n++] = (struct pollfd){ l.infd, POLLIN, 0 };
		pfd[n++] = (struct pollfd){ l.work.pid ? l.work.fd : -1,
		    POLLIN, 0 };
		pfd[n++] = (struct pollfd){ l.audit.pid ? l.audit.fd : -1,
		    POLLIN, 0 };
		n += ctl_pollfds(l.ctl, pfd + n);
		timeout = 1000;		/* timers are checked every second */
		if (l.work.pid == 0 && l.nretry > 0)
			timeout = 1000;
		if (poll(pfd, (nfds_t)n, timeout) == -1 && errno != EINTR) {
			dlog(LOG_ERR, "poll: %s", strerror(errno));
			rc = -1;
			break;
		}
		now = time(NULL);
		if (pfd[0].revents & POLLIN)
			on_signals(&l);
		if (pfd[1].revents & POLLIN)
			on_inotify(&l);
		if ((pfd[2].revents & (POLLIN | POLLHUP)) && !worker_read(&l.work))
			reap(&l, &l.work, now);
		if ((pfd[3].revents & (POLLIN | POLLHUP)) &&
		    !worker_read(&l.audit))
			reap(&l, &l.audit, now);
		ctl_handle(l.ctl, pfd + 4, (size_t)(n - 4));
		reap_others(&l);
		for (i = 0; i < (size_t)n; i++)
			pfd[i].revents = 0;
	}
	sd_notify(0, "STOPPING=1");
	dlog(LOG_NOTICE, "stopping");
	daemon_doing(d, "stopping");
	/* An ingest in progress is abandoned: the library leaves no partial
	 * archive, and the item stays in the inbox for the next start. */
	worker_stop(&l.work, STOP_GRACE_S / 2);
	worker_stop(&l.audit, STOP_GRACE_S / 2);
	if (l.failed)
		rc = -1;
out:
	http_stop(d);
	ctl_close(l.ctl);
	if (l.infd != -1)
		close(l.infd);
	if (l.sigfd != -1)
		close(l.sigfd);
	if (d->seal_fd != -1)
		close(d->seal_fd);	/* the seal process sees EOF and ends */
	arh_home_free(d->h);
	d->h = NULL;
	return rc;
}
