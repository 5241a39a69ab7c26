/*
 * client.c — the CLI's side of the daemon's control socket: one JSON
 * request line (with a descriptor passed by SCM_RIGHTS for a restore),
 * one JSON answer line.  The socket's path comes from the home's
 * configuration; who asks is what the kernel tells the daemon.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "arhiivar/config.h"
#include "arhiivar/home.h"
#include "cli.h"
#include "util.h"

#define MAX_ANSWER	(16 * 1024 * 1024)

int
cli_ctl_path(const struct cli *cli, char *out, size_t n, struct arh_err *err)
{
	struct arh_config *cfg = NULL;
	char path[4096];
	int rc;

	arh_home_config_path(cli->home, path, sizeof(path));
	/* A caller who may not read the configuration (it names keys)
	 * finds the daemon at the default place. */
	if (access(path, F_OK) == 0 && access(path, R_OK) == -1) {
		snprintf(out, n, "%s/run/arhiivard.sock", cli->home);
		return 0;
	}
	if ((rc = arh_config_load(path, cli->home, &cfg, NULL, err)) != 0)
		return rc;
	snprintf(out, n, "%s", cfg->socket);
	arh_config_free(cfg);
	return 0;
}

int
cli_ctl(const struct cli *cli, json_t *req, int passfd, json_t **answer,
    struct arh_err *err)
{
	struct sockaddr_un sa;
	struct msghdr mh;
	struct iovec iov;
	char cbuf[CMSG_SPACE(sizeof(int))], sock[sizeof(sa.sun_path)];
	char *line = NULL, *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t r;
	int fd = -1, rc;

	*answer = NULL;
	if ((rc = cli_ctl_path(cli, sock, sizeof(sock), err)) != 0)
		goto out;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		rc = arh_errno(err, ARH_ENOTFOUND, errno, "the daemon does not "
		    "answer on '%s' (is arhiivard running? start it with "
		    "'arhiivard -H %s' or 'systemctl start arhiivar')", sock,
		    cli->home);
		goto out;
	}
	if ((line = json_dumps(req, JSON_COMPACT)) == NULL) {
		rc = arh_errf(err, ARH_ENOMEM, "out of memory");
		goto out;
	}
	len = strlen(line);
	line[len] = '\0';
	{
		char *nl = realloc(line, len + 2);

		if (nl == NULL) {
			rc = arh_errf(err, ARH_ENOMEM, "out of memory");
			goto out;
		}
		line = nl;
		line[len++] = '\n';
		line[len] = '\0';
	}
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = line;
	iov.iov_len = len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (passfd >= 0) {
		struct cmsghdr *cm;

		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &passfd, sizeof(int));
	}
	if (sendmsg(fd, &mh, MSG_NOSIGNAL) != (ssize_t)len) {
		rc = arh_errno(err, ARH_EIO, errno, "cannot send to the daemon");
		goto out;
	}
	len = 0;
	for (;;) {
		if (len + 4096 > cap) {
			char *nb;

			cap = cap ? cap * 2 : 8192;
			if (cap > MAX_ANSWER || (nb = realloc(buf, cap)) == NULL) {
				rc = arh_errf(err, ARH_EIO, "the daemon's answer "
				    "is too long");
				goto out;
			}
			buf = nb;
		}
		if ((r = read(fd, buf + len, cap - len - 1)) < 0) {
			if (errno == EINTR)
				continue;
			rc = arh_errno(err, ARH_EIO, errno, "cannot read the "
			    "daemon's answer");
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (memchr(buf, '\n', len) != NULL)
			break;
	}
	if (len == 0) {
		rc = arh_errf(err, ARH_EIO, "the daemon closed the connection "
		    "without an answer");
		goto out;
	}
	if ((*answer = json_loadb(buf, len, JSON_DISABLE_EOF_CHECK,
	    NULL)) == NULL || !json_is_object(*answer)) {
		json_decref(*answer);
		*answer = NULL;
		rc = arh_errf(err, ARH_EIO, "the daemon's answer is not JSON");
		goto out;
	}
	/* {"ok": false, ...} is the daemon's error: as the library's. */
	if (json_is_false(json_object_get(*answer, "ok"))) {
		json_t *code = json_object_get(*answer, "code");

		rc = arh_errf(err, json_is_integer(code) ?
		    (int)json_integer_value(code) : ARH_EINTERNAL, "%s",
		    arh_json_str(*answer, "error"));
		if (rc >= 0 || rc < ARH_EUSAGE)
			rc = err->code = ARH_EINTERNAL;
	}
out:
	free(line);
	free(buf);
	if (fd != -1)
		close(fd);
	return rc;
}
