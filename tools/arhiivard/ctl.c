/*
 * ctl.c — serving the control socket (ctl.h).  Accepting, reading a line
 * and answering happen in the poll loop; a restore is forked, because it
 * streams a file of any size: the child writes the checked bytes to the
 * descriptor the client passed with SCM_RIGHTS (its stdout, or a
 * temporary file it links into place) and answers on the socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "arhiivar/inbox.h"
#include "arhiivar/ops.h"
#include "ctl.h"
#include "loop.h"
#include "util.h"
#include "worker.h"

struct client {
	int	 fd;		/* -1: free */
	int	 passed;	/* a descriptor received with the request */
	uid_t	 uid;
	gid_t	 gid;
	pid_t	 pid;
	time_t	 since;
	size_t	 len;
	char	 buf[CTL_MAX_REQUEST + 1];
};

struct ctl {
	struct daemon	*d;
	int		 lfd;
	int		 wake;
	char		 path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct client	 cl[CTL_MAX_CLIENTS];
};

int
ctl_check_config(const struct arh_config *cfg, struct arh_problems *probs)
{
	int rc = 0;

	if (strlen(cfg->socket) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		(void)arh_problems_add(probs, "[daemon] socket: '%s' is longer "
		    "than a Unix socket path may be (107 bytes): choose a "
		    "shorter path", cfg->socket);
		rc = -1;
	}
	if (cfg->socket_group != NULL && getgrnam(cfg->socket_group) == NULL) {
		(void)arh_problems_add(probs, "[daemon] socket_group: no group "
		    "'%s' on this system", cfg->socket_group);
		rc = -1;
	}
	return rc;
}

int
ctl_open(struct daemon *d, struct ctl **out, struct arh_err *err)
{
	const struct arh_config *cfg = d->h->cfg;
	struct sockaddr_un sa;
	struct ctl *c;
	struct group *gr;
	char dir[sizeof(sa.sun_path)], *slash;
	size_t i;

	*out = NULL;
	if (strlen(cfg->socket) >= sizeof(sa.sun_path))
		return arh_errf(err, ARH_ECONFIG, "[daemon] socket '%s' is too "
		    "long for a Unix socket path", cfg->socket);
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	c->d = d;
	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		c->cl[i].fd = c->cl[i].passed = -1;
	snprintf(c->path, sizeof(c->path), "%s", cfg->socket);
	snprintf(dir, sizeof(dir), "%s", cfg->socket);
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0750) == 0)
			(void)chmod(dir, 0750);		/* not the umask's */
		else if (errno != EEXIST) {
			free(c);
			return arh_errno(err, ARH_EIO, errno, "cannot create "
			    "'%s'", dir);
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, c->path, strlen(c->path) + 1);
	/* A socket left by a daemon that was killed: nobody listens on it
	 * (a second daemon on one home is refused by the bind below only if
	 * the first still runs: connect tells). */
	{
		int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (probe != -1 && connect(probe, (struct sockaddr *)&sa,
		    sizeof(sa)) == 0) {
			close(probe);
			free(c);
			return arh_errf(err, ARH_EEXIST, "another arhiivard is "
			    "serving this home (its socket '%s' answers)",
			    cfg->socket);
		}
		if (probe != -1)
			close(probe);
	}
	(void)unlink(c->path);
	if ((c->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1 ||
	    bind(c->lfd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    chmod(c->path, 0660) == -1 || listen(c->lfd, 64) == -1) {
		int e = errno;

		if (c->lfd != -1)
			close(c->lfd);
		free(c);
		return arh_errno(err, ARH_EIO, e, "cannot listen on '%s'",
		    cfg->socket);
	}
	if (cfg->socket_group != NULL) {
		/* The group reaches the socket through its directory. */
		if ((gr = getgrnam(cfg->socket_group)) == NULL ||
		    chown(c->path, (uid_t)-1, gr->gr_gid) == -1 ||
		    (slash != NULL && slash != dir &&
		    chown(dir, (uid_t)-1, gr->gr_gid) == -1))
			dlog(LOG_WARNING, "cannot give the control socket to "
			    "group '%s': %s", cfg->socket_group,
			    gr == NULL ? "no such group" : strerror(errno));
	}
	*out = c;
	return 0;
}

static void
drop(struct client *k)
{
	if (k->fd != -1)
		close(k->fd);
	if (k->passed != -1)
		close(k->passed);
	k->fd = k->passed = -1;
	k->len = 0;
}

void
ctl_close(struct ctl *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		drop(&c->cl[i]);
	close(c->lfd);
	(void)unlink(c->path);
	free(c);
}

int
ctl_pollfds(struct ctl *c, struct pollfd *pfd)
{
	size_t i;

	if (c == NULL)
		return 0;
	pfd[0] = (struct pollfd){ c->lfd, POLLIN, 0 };
	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		pfd[i + 1] = (struct pollfd){ c->cl[i].fd, POLLIN, 0 };
	return CTL_MAX_CLIENTS + 1;
}

int
ctl_take_wake(struct ctl *c)
{
	int w = c != NULL && c->wake;

	if (c != NULL)
		c->wake = 0;
	return w;
}

void
ctl_child_exited(pid_t pid, int status)
{
	if (WIFSIGNALED(status))
		dlog(LOG_ERR, "restore process %ld was killed by signal %d",
		    (long)pid, WTERMSIG(status));
}

/* One answer line; the socket is blocking with a send timeout. */
static void
answer(int fd, json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;

	if (s != NULL) {
		(void)arh_write_all(fd, s, strlen(s));
		(void)arh_write_all(fd, "\n", 1);
	}
	free(s);
	json_decref(j);
}

static void
accept_one(struct ctl *c)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	struct timeval tv = { 2, 0 };
	size_t i;
	int fd;

	while ((fd = accept4(c->lfd, NULL, NULL, SOCK_CLOEXEC)) != -1) {
		for (i = 0; i < CTL_MAX_CLIENTS; i++)
			if (c->cl[i].fd == -1)
				break;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == -1) {
			close(fd);
			continue;
		}
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (i == CTL_MAX_CLIENTS) {
			answer(fd, ctl_error(ARH_EIO, "the daemon is busy: too "
			    "many control connections; try again"));
			close(fd);
			continue;
		}
		c->cl[i].fd = fd;
		c->cl[i].passed = -1;
		c->cl[i].uid = cr.uid;
		c->cl[i].gid = cr.gid;
		c->cl[i].pid = cr.pid;
		c->cl[i].since = time(NULL);
		c->cl[i].len = 0;
		atomic_fetch_add(&c->d->stats.ctl_requests, 1);
	}
}

/* Read what there is; 1 when a whole line (or an error) is there. */
static int
read_some(struct client *k)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov;
	struct msghdr mh;
	struct cmsghdr *cm;
	ssize_t r;

	memset(&mh, 0, sizeof(mh));
	iov.iov_base = k->buf + k->len;
	iov.iov_len = CTL_MAX_REQUEST + 1 - k->len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	r = recvmsg(k->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (r == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (r <= 0)
		return -1;
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int))) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
			if (k->passed != -1)
				close(k->passed);
			k->passed = fd;
		}
	k->len += (size_t)r;
	if (memchr(k->buf, '\n', k->len) != NULL || k->len > CTL_MAX_REQUEST)
		return 1;
	return 0;
}

static int
caller_of(struct ctl *c, struct client *k, struct arh_identity *id,
    char *actor, size_t n, struct arh_err *err)
{
	int rc;

	if ((rc = arh_identity_of(k->uid, k->gid, id, err)) != 0)
		return rc;
	if (arh_identity_resolve_roles(id, c->d->h->cfg) != 0) {
		arh_identity_release(id);
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	}
	snprintf(actor, n, "%s (uid %ld)", id->user, (long)k->uid);
	return 0;
}

struct qlist {
	json_t	*arr;
};

static int
q_add(void *arg, const struct arh_quarantined *q)
{
	struct qlist *l = arg;

	return json_array_append_new(l->arr, json_pack("{s:s, s:s, s:s}",
	    "name", q->name, "at", q->at, "reasons", q->reasons)) == 0 ? 0 :
	    ARH_ENOMEM;
}

/*
 * -W restore ARCHIVE PATH: the restore worker, after exec.  Descriptor 4
 * is the client's socket (who asks is read from it again, never passed
 * on the command line), 5 the output the client passed.
 */
int
ctl_restore_main(struct daemon *d, const char *archive, const char *path)
{
	struct arh_restore_req req;
	struct arh_archive_row row;
	struct arh_identity id;
	struct arh_home *h = NULL;
	struct arh_err err;
	struct ucred cr;
	socklen_t len = sizeof(cr);
	char actor[300];
	int rc;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	arh_err_clear(&err);
	memset(&id, 0, sizeof(id));
	if (getsockopt(4, SOL_SOCKET, SO_PEERCRED, &cr, &len) == -1) {
		dlog(LOG_ERR, "restore worker: descriptor 4 is not the client");
		return 2;
	}
	if ((rc = arh_identity_of(cr.uid, cr.gid, &id, &err)) != 0 ||
	    (rc = daemon_open_home(d, "arhiivard", &h, &err)) != 0) {
		answer(4, ctl_error(rc, err.msg));
		arh_identity_release(&id);
		return 1;
	}
	if (arh_identity_resolve_roles(&id, h->cfg) != 0) {
		answer(4, ctl_error(ARH_ENOMEM, "out of memory"));
		rc = ARH_ENOMEM;
		goto out;
	}
	snprintf(actor, sizeof(actor), "%s (uid %ld)", id.user, (long)cr.uid);
	free(h->actor);
	if ((h->actor = strdup(actor)) == NULL) {
		rc = ARH_ENOMEM;
		goto out;
	}
	if (dup2(5, STDOUT_FILENO) == -1) {
		answer(4, ctl_error(ARH_EIO, "cannot use the output descriptor "
		    "passed"));
		rc = ARH_EIO;
		goto out;
	}
	close(5);
	memset(&req, 0, sizeof(req));
	req.path = path;
	req.who = &id;
	if ((rc = arh_resolve(h, archive, &row, &err)) == 0) {
		req.archive = row.name;
		rc = arh_restore(h, &req, &err);
	}
	if (rc == 0)
		answer(4, json_pack("{s:b, s:s, s:s}", "ok", 1, "archive",
		    row.name, "path", path));
	else
		answer(4, ctl_error(rc, err.msg));
out:
	arh_identity_release(&id);
	arh_home_free(h);
	return rc == 0 ? 0 : 1;
}

static json_t *
serve(struct ctl *c, struct client *k, const struct ctl_request *rq,
    int *forked)
{
	struct daemon *d = c->d;
	struct arh_identity id;
	struct arh_err err;
	char actor[300], *saved;
	json_t *res = NULL;
	int rc;

	*forked = 0;
	arh_err_clear(&err);
	if (strcmp(rq->op, "status") == 0)
		return daemon_status_json(d, d->h);
	if (strcmp(rq->op, "wake") == 0) {
		c->wake = 1;
		return json_pack("{s:b}", "ok", 1);
	}
	if ((rc = caller_of(c, k, &id, actor, sizeof(actor), &err)) != 0)
		return ctl_error(rc, err.msg);
	/* Events of this request name its caller. */
	saved = d->h->actor;
	d->h->actor = actor;
	if (strcmp(rq->op, "restore") == 0) {
		pid_t pid;

		if (k->passed == -1) {
			res = ctl_error(ARH_EUSAGE, "restore needs the output "
			    "file's descriptor passed with the request "
			    "(SCM_RIGHTS)");
			goto out;
		}
		if ((pid = fork()) == -1) {
			res = ctl_error(ARH_EIO, "cannot fork");
			goto out;
		}
		if (pid == 0) {
			const char *args[3] = { "restore", rq->archive,
			    rq->path };
			int fds[2] = { k->fd, k->passed };

			worker_exec(d, fds, 2, args, 3);
		}
		atomic_fetch_add(&d->stats.restores, 1);
		*forked = 1;
		goto out;
	}
	if (strcmp(rq->op, "audit") == 0) {
		struct arh_archive_row row;

		if ((rc = arh_permit(d->h, &id, ARH_OP_AUDIT_REQUEST,
		    rq->archive[0] ? rq->archive : "all", &err)) != 0 ||
		    (rq->archive[0] && (rc = arh_resolve(d->h, rq->archive,
		    &row, &err)) != 0) ||
		    (rc = arh_catalog_audit_request(d->h->cat, rq->archive[0] ?
		    row.name : NULL, &err)) != 0) {
			if (rc == ARH_EDENIED)
				atomic_fetch_add(&d->stats.denials, 1);
			res = ctl_error(rc, err.msg);
			goto out;
		}
		c->wake = 1;
		res = json_pack("{s:b, s:s}", "ok", 1, "audit",
		    rq->archive[0] ? row.name : "all");
		goto out;
	}
	if (strcmp(rq->op, "quarantine.list") == 0 ||
	    strcmp(rq->op, "quarantine.retry") == 0) {
		struct qlist l = { NULL };

		if ((rc = arh_permit(d->h, &id, ARH_OP_QUARANTINE,
		    rq->name[0] ? rq->name : "quarantine", &err)) != 0) {
			atomic_fetch_add(&d->stats.denials, 1);
			res = ctl_error(rc, err.msg);
			goto out;
		}
		if (rq->name[0] != '\0') {
			struct arh_event ev = { "quarantine", actor, NULL,
			    rq->name, "retry", NULL };

			if ((rc = arh_quarantine_retry(d->h, rq->name,
			    &err)) != 0) {
				res = ctl_error(rc, err.msg);
				goto out;
			}
			(void)arh_catalog_event(d->h->cat, &ev, &err);
			loop_refresh_counts(d);
			c->wake = 1;
			res = json_pack("{s:b, s:s}", "ok", 1, "retried",
			    rq->name);
			goto out;
		}
		if ((l.arr = json_array()) == NULL ||
		    (rc = arh_quarantine_list(d->h, q_add, &l, &err)) != 0) {
			json_decref(l.arr);
			res = ctl_error(rc ? rc : ARH_ENOMEM, err.msg);
			goto out;
		}
		res = json_pack("{s:b, s:o}", "ok", 1, "items", l.arr);
		goto out;
	}
	if (strcmp(rq->op, "schedule.run") == 0) {
		res = jobs_run_now(d, &id, rq->id);
		c->wake = 1;
		goto out;
	}
	res = ctl_error(ARH_EUSAGE, "unknown op");
out:
	d->h->actor = saved;
	arh_identity_release(&id);
	return res;
}

static void
handle_line(struct ctl *c, struct client *k)
{
	struct ctl_request rq;
	char why[256], *nl;
	size_t len;
	int forked = 0;

	if ((nl = memchr(k->buf, '\n', k->len)) == NULL) {
		answer(k->fd, ctl_error(ARH_EUSAGE, "request longer than "
		    "65536 bytes"));
		return;
	}
	len = (size_t)(nl - k->buf);
	if (ctl_parse(k->buf, len, &rq, why, sizeof(why)) != 0) {
		answer(k->fd, ctl_error(ARH_EUSAGE, why));
		return;
	}
	answer(k->fd, serve(c, k, &rq, &forked));
}

void
ctl_handle(struct ctl *c, struct pollfd *pfd, size_t n)
{
	time_t now = time(NULL);
	size_t i;
	int r;

	if (c == NULL || n == 0)
		return;
	if (pfd[0].revents & POLLIN)
		accept_one(c);
	for (i = 0; i < CTL_MAX_CLIENTS && i + 1 < n; i++) {
		struct client *k = &c->cl[i];

		if (k->fd == -1)
			continue;
		if (pfd[i + 1].fd == k->fd &&
		    (pfd[i + 1].revents & (POLLIN | POLLHUP | POLLERR))) {
			r = read_some(k);
			if (r == 1)
				handle_line(c, k);
			if (r != 0) {
				drop(k);
				continue;
			}
		}
		if (now - k->since > CTL_TIMEOUT_S)
			drop(k);
	}
}
