/*
 * seal_proc.c — the seal process: privilege separation for the seal key
 * and the log key.  Started before the sandbox, it reads both keys (the
 * log's with the newest checkpoint it must extend: log_signer.c; 'l' and
 * 'L' requests), drops every filesystem
 * right (an empty Landlock ruleset) and serves signing requests
 * on a SOCK_SEQPACKET socket: 'N' and 'S' as seal.c answers them, and
 * 'C', the configuration file read anew (the one file it may still open:
 * the daemon's own sandbox holds rules on files as they were at its
 * start, and an edited arhiivar.conf is a new file).  The daemon and its
 * workers — which parse case files, archives and HTTP requests — are
 * confined without the key's path: they cannot read it, only ask this
 * process to seal a tag manifest.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include "arhiivar/log.h"
#include "arhiivar/ops.h"
#include "arhiivar/seal.h"
#include "daemon.h"
#include "util.h"

/* The seal process's loop: one request, one answer, until EOF. */
static void
serve(struct daemon *d, const struct arh_signer *s,
    struct arh_log_signer *ls, int fd)
{
	unsigned char *req, *ans;
	struct arh_err err;
	size_t n;
	ssize_t r;

	if ((req = malloc(ARH_SEAL_MAX_MSG)) == NULL)
		return;
	for (;;) {
		while ((r = recv(fd, req, ARH_SEAL_MAX_MSG, 0)) == -1 &&
		    errno == EINTR)
			;
		if (r <= 0)
			break;		/* the daemon is gone */
		ans = NULL;
		n = 0;
		if (r == 1 && req[0] == 'C') {
			char *text = NULL;
			size_t len = 0;

			if (arh_read_file(AT_FDCWD, d->cfg_name,
			    ARH_SEAL_MAX_MSG - 1, &text, &len, &err) != 0) {
				text = strdup(err.msg);
				len = text ? strlen(text) : 0;
				if ((ans = malloc(len + 1)) != NULL)
					ans[0] = 'E';
			} else if ((ans = malloc(len + 1)) != NULL)
				ans[0] = '0';
			if (ans != NULL && text != NULL)
				memcpy(ans + 1, text, len);
			n = len + 1;
			free(text);
		} else if (req[0] == 'l' || req[0] == 'L') {
			if (arh_log_signer_answer(ls, req, (size_t)r, &ans,
			    &n) != 0)
				ans = NULL;
		} else if (arh_seal_answer(s, req, (size_t)r, &ans, &n) != 0)
			ans = NULL;
		if (ans == NULL) {
			static const char oom[] = "Eout of memory";

			(void)send(fd, oom, sizeof(oom) - 1, MSG_NOSIGNAL);
			continue;
		}
		(void)send(fd, ans, n, MSG_NOSIGNAL);
		free(ans);
	}
	free(req);
}

int
seal_read_config(struct daemon *d, char **text, size_t *len,
    struct arh_err *err)
{
	unsigned char *buf;
	ssize_t r;

	*text = NULL;
	*len = 0;
	if (send(d->seal_fd, "C", 1, MSG_NOSIGNAL) != 1)
		return arh_errno(err, ARH_EIO, errno, "cannot reach the seal "
		    "process");
	if ((buf = malloc(ARH_SEAL_MAX_MSG + 1)) == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	while ((r = recv(d->seal_fd, buf, ARH_SEAL_MAX_MSG, 0)) == -1 &&
	    errno == EINTR)
		;
	if (r <= 0) {
		free(buf);
		return arh_errf(err, ARH_EIO, "no answer from the seal process");
	}
	buf[r] = '\0';
	if (buf[0] != '0') {
		arh_errf(err, ARH_ECONFIG, "%s", (char *)buf + 1);
		free(buf);
		return ARH_ECONFIG;
	}
	memmove(buf, buf + 1, (size_t)r);
	*text = (char *)buf;
	*len = (size_t)r - 1;
	return 0;
}

int
seal_start(struct daemon *d, struct arh_err *err)
{
	struct arh_signer *s = NULL, *probe = NULL;
	struct arh_log_signer *ls = NULL;
	struct arh_problems notes;
	struct arh_err lerr;
	char *origin = NULL, *vkey = NULL, *latest = NULL;
	size_t i;
	int sv[2], bufsz = 1024 * 1024, rc, lrc;
	pid_t pid;

	/* What the log's signer needs from the catalog, read here: the
	 * child must not use the parent's SQLite connection.  A home from
	 * before the log gets its key now. */
	arh_problems_init(&notes);
	if (arh_log_key_init(d->h->cat, d->h->cfg, &notes, &lerr) != 0 ||
	    arh_catalog_log_key(d->h->cat, &origin, &vkey, &lerr) != 0 ||
	    ((lrc = arh_log_latest(d->h->cat, &latest, NULL, &lerr)) != 0 &&
	    lrc != ARH_ENOTFOUND)) {
		dlog(LOG_WARNING, "the log's checkpoints cannot be signed by "
		    "the daemon: %s", lerr.msg);
		free(origin);
		free(vkey);
		origin = vkey = NULL;
	}
	for (i = 0; i < notes.n; i++)
		dlog(LOG_INFO, "%s", notes.items[i]);
	arh_problems_release(&notes);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		free(origin);
		free(vkey);
		free(latest);
		return arh_errno(err, ARH_EIO, errno, "socketpair");
	}
	(void)setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof(bufsz));
	(void)setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof(bufsz));
	if ((pid = fork()) == -1) {
		close(sv[0]);
		close(sv[1]);
		free(origin);
		free(vkey);
		free(latest);
		return arh_errno(err, ARH_EIO, errno, "cannot fork the seal "
		    "process");
	}
	if (pid == 0) {
		char dir[4096], *slash;
		struct arh_err e;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (dup2(sv[1], 3) == -1)
			_exit(3);
		close_range(4, ~0U, 0);
		/* Only this process ever reads the key. */
		if (arh_home_signer(d->h, &s, &e) != 0) {
			char msg[sizeof(e.msg) + 1];

			msg[0] = 'E';
			memcpy(msg + 1, e.msg, strlen(e.msg));
			(void)send(3, msg, strlen(e.msg) + 1, MSG_NOSIGNAL);
			_exit(3);
		}
		/* Without the log key the seal process still seals; the
		 * log's checkpoints are then made by the CLI. */
		if (origin != NULL && arh_log_signer_new(d->h->cfg->log_key,
		    origin, vkey, latest, &ls, &e) != 0)
			ls = NULL;
		snprintf(dir, sizeof(dir), "%s", d->cfg_name);
		if ((slash = strrchr(dir, '/')) != NULL && slash != dir)
			*slash = '\0';
		else
			snprintf(dir, sizeof(dir), ".");
		if (sandbox_seal(dir) != 0)
			_exit(3);
		serve(d, s, ls, 3);
		_exit(0);
	}
	free(origin);
	free(vkey);
	free(latest);
	close(sv[1]);
	d->seal_fd = sv[0];
	d->seal_pid = pid;
	/* The first answer says the key loaded (or why not). */
	if ((rc = arh_signer_remote(d->seal_fd, &probe, err)) != 0) {
		char why[sizeof(err->msg)];

		snprintf(why, sizeof(why), "%s", err->msg);
		return arh_errf(err, rc, "the seal key cannot be used: %s", why);
	}
	dlog(LOG_INFO, "seal process %ld holds the seal key of %s", (long)pid,
	    arh_signer_subject(probe));
	arh_signer_free(probe);
	return 0;
}
