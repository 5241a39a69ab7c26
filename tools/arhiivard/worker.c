/*
 * worker.c — long work in a child process: an inbox ingest, a scheduled
 * transfer, an audit.  The child opens the home itself (a fresh catalog
 * connection: SQLite handles never cross a fork), does the one job with
 * the library, writes one JSON line with the outcome to a pipe and exits.
 *
 * A SIGTERM to the child abandons the job where it is: the library never
 * leaves a partial archive or a catalog row without its archive (the
 * temporary file and the intent are settled by the next open of the home).
 * PR_SET_PDEATHSIG makes the child die with the daemon, so that a daemon
 * killed with SIGKILL and restarted never runs a second ingest of the same
 * item beside a first.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <pwd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "arhiivar/inbox.h"
#include "arhiivar/ops.h"
#include "ctl.h"
#include "util.h"
#include "worker.h"

/* The owner of an inbox item, as events name people. */
static void
item_actor(struct arh_home *h, const char *name, char *out, size_t n)
{
	char path[4096];
	struct passwd *pw;
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", h->cfg->inbox, name);
	if (lstat(path, &st) == -1) {
		snprintf(out, n, "arhiivard");
		return;
	}
	pw = getpwuid(st.st_uid);
	snprintf(out, n, "%s (uid %ld)", pw ? pw->pw_name : "unknown",
	    (long)st.st_uid);
}

static json_t *
do_ingest(struct arh_home *h, const char *name)
{
	static const char *const outcomes[] = { "", "archived", "already",
	    "quarantined", "retry" };
	struct arh_ingest_result res;
	struct arh_problems probs;
	enum arh_inbox_outcome oc;
	struct arh_err err;
	json_t *o;
	int rc;

	arh_problems_init(&probs);
	arh_err_clear(&err);
	rc = arh_inbox_ingest(h, name, &oc, &res, &probs, &err);
	o = json_pack("{s:s, s:s, s:s, s:s, s:i, s:I, s:I, s:s, s:i}",
	    "kind", "ingest", "item", name, "outcome", outcomes[oc],
	    "archive", res.name, "records", (int)res.nrecords,
	    "files", (json_int_t)res.nfiles, "bytes", (json_int_t)res.tar_size,
	    "error", rc != 0 || oc == ARH_INBOX_QUARANTINED ? err.msg : "",
	    "problems", (int)probs.n);
	arh_problems_release(&probs);
	return o;
}

/* The layers that failed, with their counts: never a member's name
 * (status and logs are seen by people not entitled to restricted
 * names). */
static void
failed_layers(const struct arh_verify_report *rep, char *out, size_t n)
{
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; i < rep->nlayers && len < n; i++) {
		size_t c = rep->layers[i].listed + rep->layers[i].unlisted;

		if (c == 0)
			continue;
		len += (size_t)snprintf(out + len, n - len, "%s%s: %zu "
		    "finding%s", len ? "; " : "", rep->layers[i].layer, c,
		    c == 1 ? "" : "s");
	}
}

static json_t *
do_audit(struct arh_home *h, const char *name)
{
	struct arh_verify_report rep;
	struct arh_archive_row row;
	struct arh_err err, e2;
	char detail[512];
	const char *result;
	int rc;

	memset(&rep, 0, sizeof(rep));
	memset(&row, 0, sizeof(row));
	arh_err_clear(&err);
	(void)arh_catalog_get(h->cat, name, &row, &e2);
	rc = arh_verify_catalogued(h, name, NULL, &rep, &err);
	if (rc == 0) {
		result = "ok";
		snprintf(detail, sizeof(detail), "all layers verified");
	} else if (rc == ARH_EVERIFY) {
		result = "failed";
		failed_layers(&rep, detail, sizeof(detail));
		if (detail[0] == '\0')
			snprintf(detail, sizeof(detail), "verification failed");
	} else {
		/* Could not run (I/O, catalog): not a verdict on the
		 * archive; it stays due and is tried again. */
		arh_verify_report_release(&rep);
		return json_pack("{s:s, s:s, s:s, s:s, s:I}", "kind", "audit",
		    "archive", name, "result", "error", "error", err.msg,
		    "bytes", (json_int_t)row.size);
	}
	arh_verify_report_release(&rep);
	if ((rc = arh_catalog_audit_record(h->cat, name, result, detail,
	    h->actor, &err)) != 0)
		return json_pack("{s:s, s:s, s:s, s:s, s:I}", "kind", "audit",
		    "archive", name, "result", "error", "error", err.msg,
		    "bytes", (json_int_t)row.size);
	return json_pack("{s:s, s:s, s:s, s:s, s:I}", "kind", "audit",
	    "archive", name, "result", result, "detail", detail,
	    "bytes", (json_int_t)row.size);
}

/* -W ingest|audit|job WHAT: the worker process, after exec. */
static int
work_main(struct daemon *d, enum work_kind kind, const char *what, int out)
{
	struct arh_home *h = NULL;
	struct arh_err err;
	char actor[300];
	json_t *res = NULL;
	char *line;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		return 3;
	if (kind == WORK_INGEST)
		snprintf(actor, sizeof(actor), "arhiivard");
	else
		snprintf(actor, sizeof(actor), "arhiivard (uid %ld)",
		    (long)getuid());
	arh_err_clear(&err);
	if (daemon_open_home(d, actor, &h, &err) != 0) {
		res = json_pack("{s:s, s:s, s:s, s:s}", "kind", kind ==
		    WORK_INGEST ? "ingest" : kind == WORK_AUDIT ? "audit" :
		    "job", "item", what, "outcome", "retry", "error", err.msg);
		goto report;
	}
	/* Descriptor 5, when the daemon passed it, is the seal process:
	 * this process cannot read the key, only ask for a seal. */
	if (kind != WORK_AUDIT && fcntl(5, F_GETFD) != -1)
		h->seal_fd = 5;
	if (kind == WORK_INGEST) {
		item_actor(h, what, actor, sizeof(actor));
		free(h->actor);
		h->actor = strdup(actor);
		res = h->actor != NULL ? do_ingest(h, what) : NULL;
	} else if (kind == WORK_AUDIT)
		res = do_audit(h, what);
	else
		res = worker_job(h, what);
report:
	if (res != NULL && (line = json_dumps(res, JSON_COMPACT)) != NULL) {
		(void)arh_write_all(out, line, strlen(line));
		(void)arh_write_all(out, "\n", 1);
		free(line);
	}
	json_decref(res);
	arh_home_free(h);
	return 0;
}

/* Descriptor 3: the configuration the daemon is running with. */
static int
take_config(struct daemon *d)
{
	char *text;
	size_t len = 0;
	ssize_t r;

	daemon_config_name(d, d->cfg_name, sizeof(d->cfg_name));
	if ((text = malloc(ARH_MAX_CONFIG_BYTES + 1)) == NULL)
		return -1;
	while (len < ARH_MAX_CONFIG_BYTES && ((r = read(3, text + len,
	    ARH_MAX_CONFIG_BYTES - len)) > 0 || (r == -1 && errno == EINTR)))
		if (r > 0)
			len += (size_t)r;
	if (r == -1 || fcntl(3, F_GETFD) == -1) {
		free(text);
		return -1;
	}
	text[len] = '\0';
	close(3);
	d->cfg_text = text;
	d->cfg_len = len;
	return 0;
}

int
worker_main(struct daemon *d, int argc, char **argv)
{
	if (take_config(d) != 0) {
		dlog(LOG_ERR, "-W is the daemon's own: it runs its workers");
		return 2;
	}
	if (argc == 2 && strcmp(argv[0], "ingest") == 0)
		return work_main(d, WORK_INGEST, argv[1], 4);
	if (argc == 2 && strcmp(argv[0], "audit") == 0)
		return work_main(d, WORK_AUDIT, argv[1], 4);
	if (argc == 2 && strcmp(argv[0], "job") == 0)
		return work_main(d, WORK_JOB, argv[1], 4);
	if (argc == 3 && strcmp(argv[0], "restore") == 0)
		return ctl_restore_main(d, argv[1], argv[2]);
	dlog(LOG_ERR, "-W is the daemon's own: it runs its workers");
	return 2;
}

void
worker_exec(struct daemon *d, const int *fds, size_t nfds,
    const char *const *args, size_t nargs)
{
	const char *argv[16];
	size_t i, n = 0;

	argv[n++] = "arhiivard";
	argv[n++] = "-H";
	argv[n++] = d->home_path;
	if (d->config_path != NULL) {
		argv[n++] = "-c";
		argv[n++] = d->config_path;
	}
	argv[n++] = "-W";
	for (i = 0; i < nargs && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	/* fds[i] becomes 3 + i; nothing else survives (no listening
	 * socket, no client, no catalog: SQLite state never crosses a
	 * fork, so the worker is a fresh process). */
	int high[4], cfd;

	/* Descriptor 3: the daemon's configuration in force, which the
	 * worker uses instead of reading a file that may have changed. */
	if ((cfd = memfd_create("arhiivar.conf", MFD_CLOEXEC)) == -1 ||
	    arh_write_all(cfd, d->cfg_text, d->cfg_len) == -1 ||
	    lseek(cfd, 0, SEEK_SET) == -1 ||
	    (cfd = fcntl(cfd, F_DUPFD, 64)) == -1)
		_exit(3);
	/* Moved out of the way first, so that dup2 onto 4 cannot clobber
	 * a descriptor still to be placed. */
	for (i = 0; i < nfds && i < 4; i++)
		if ((high[i] = fcntl(fds[i], F_DUPFD, 64)) == -1)
			_exit(3);
	if (dup2(cfd, 3) == -1)
		_exit(3);
	for (i = 0; i < nfds && i < 4; i++)
		if (dup2(high[i], (int)(4 + i)) == -1)
			_exit(3);
	close_range((unsigned)(4 + nfds), ~0U, 0);
	{
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
	}
	execv("/proc/self/exe", (char *const *)argv);
	_exit(127);
}

int
worker_start(struct daemon *d, struct worker *w, enum work_kind kind,
    const char *what, struct arh_err *err)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) == -1)
		return arh_errno(err, ARH_EIO, errno, "cannot make a pipe");
	if ((pid = fork()) == -1) {
		close(p[0]);
		close(p[1]);
		return arh_errno(err, ARH_EIO, errno, "cannot fork a worker");
	}
	if (pid == 0) {
		static const char *const names[] = { "", "ingest", "audit",
		    "job" };
		const char *args[2] = { names[kind], what };
		int fds[2] = { p[1], d->seal_fd };

		/* Only the workers that ingest may ask for a seal. */
		worker_exec(d, fds, kind == WORK_AUDIT || d->seal_fd < 0 ? 1 : 2,
		    args, 2);
	}
	close(p[1]);
	memset(w, 0, sizeof(*w));
	w->pid = pid;
	w->fd = p[0];
	w->kind = kind;
	w->started = time(NULL);
	snprintf(w->what, sizeof(w->what), "%s", what);
	return 0;
}

int
worker_read(struct worker *w)
{
	ssize_t r;

	if (w->len >= sizeof(w->buf) - 1)
		return 0;
	r = read(w->fd, w->buf + w->len, sizeof(w->buf) - 1 - w->len);
	if (r > 0) {
		w->len += (size_t)r;
		return 1;
	}
	if (r == -1 && (errno == EINTR || errno == EAGAIN))
		return 1;
	return 0;
}

json_t *
worker_finish(struct worker *w, int *status)
{
	json_t *j = NULL;

	/* The child may have written its line and exited before we read. */
	while (worker_read(w))
		;
	close(w->fd);
	w->fd = -1;
	while (waitpid(w->pid, status, 0) == -1 && errno == EINTR)
		;
	w->pid = 0;
	w->buf[w->len] = '\0';
	if (w->len > 0)
		j = json_loads(w->buf, 0, NULL);
	return j;
}

void
worker_stop(struct worker *w, int seconds)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int i, status;

	if (w->pid <= 0)
		return;
	kill(w->pid, SIGTERM);
	for (i = 0; i < seconds * 50; i++) {
		if (waitpid(w->pid, &status, WNOHANG) == w->pid)
			goto reaped;
		nanosleep(&ts, NULL);
	}
	kill(w->pid, SIGKILL);
	while (waitpid(w->pid, &status, 0) == -1 && errno == EINTR)
		;
reaped:
	if (w->fd != -1)
		close(w->fd);
	w->fd = -1;
	w->pid = 0;
}
