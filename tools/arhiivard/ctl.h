/*
 * ctl.h — the control socket (ctl.c): a Unix stream socket in the home's
 * run/ directory for the arhiivar CLI.  One request a connection: a JSON
 * object on one line (at most CTL_MAX_REQUEST bytes), one JSON answer line
 * back.  Who asks comes from SO_PEERCRED, never from the request.  The
 * message format is in docs/API.md ("Control socket"); ctl_msg.c parses
 * and answers it, ctl.c serves it.
 */
#ifndef ARHIIVARD_CTL_H
#define ARHIIVARD_CTL_H

#include <poll.h>
#include <sys/types.h>
#include <jansson.h>

#include "arhiivar/policy.h"
#include "daemon.h"

#define CTL_MAX_CLIENTS	32
#define CTL_MAX_REQUEST	65536
#define CTL_TIMEOUT_S	10	/* a client that sends no whole line is cut */

struct ctl;

int ctl_open(struct daemon *d, struct ctl **out, struct arh_err *err);
void ctl_close(struct ctl *c);
/* Its poll entries (the listening socket, then clients) into pfd. */
int ctl_pollfds(struct ctl *c, struct pollfd *pfd);
/* Serve what poll found on those entries. */
void ctl_handle(struct ctl *c, struct pollfd *pfd, size_t n);
/* 1 once after a client asked the daemon to look at its work now. */
int ctl_take_wake(struct ctl *c);
/* A child ctl.c forked (a restore) was reaped. */
void ctl_child_exited(pid_t pid, int status);
/* What -t checks of [daemon] socket and socket_group. */
int ctl_check_config(const struct arh_config *cfg, struct arh_problems *probs);

/* -W restore ARCHIVE PATH (worker.c dispatches it). */
int ctl_restore_main(struct daemon *d, const char *archive, const char *path);

/* ctl_msg.c: a parsed request. */
struct ctl_request {
	char	 op[32];
	char	 archive[256];
	char	 path[4096];
	char	 name[256];
	long	 id;
};
/*
 * Parse one request line (len bytes, need not be NUL-terminated): an
 * object with "op" and only the keys that op takes, each of its type and
 * length.  0, or -1 with a message in why (n bytes).  Pure.
 */
int ctl_parse(const char *buf, size_t len, struct ctl_request *req,
    char *why, size_t n);
/* {"ok": false, "error": msg, "code": code} */
json_t *ctl_error(int code, const char *msg);

#endif
