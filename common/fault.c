/* fault.c — the fault-injection hook of debug builds (see fault.h). */
#ifdef ARH_FAULT_INJECTION

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARH_FAULT_WRAP_SQLITE
#include "fault.h"

/* The real functions: this file must call them, not the wrappers. */
#undef sqlite3_step
#undef sqlite3_exec

#define ACTION_KILL	(-1)
#define ACTION_SHORT	(-2)	/* write only: write part, return the count */

static const char *const kind_names[ARH_FK_NKINDS] = {
	"write", "fsync", "rename", "open", "malloc", "sqlite", "unlink"
};

static const struct {
	const char	*name;
	int		 errnum;
} actions[] = {
	{ "EIO", EIO }, { "ENOSPC", ENOSPC }, { "ENOMEM", ENOMEM },
	{ "EDQUOT", EDQUOT }, { "EROFS", EROFS }, { "EACCES", EACCES },
	{ "EINTR", EINTR }, { "kill", ACTION_KILL }, { "short", ACTION_SHORT },
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int fault_kind = -1;		/* -1: count only */
static unsigned long fault_n;
static int fault_action = EIO;
static const char *fault_action_name = "EIO";
static const char *report;
static atomic_ulong calls[ARH_FK_NKINDS];

static void
report_line(const char *line)
{
	int fd;

	if (report == NULL)
		return;
	fd = open(report, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd == -1)
		return;
	(void)!write(fd, line, strlen(line));
	close(fd);
}

static void
report_calls(void)
{
	char line[256];
	size_t off = 0;
	int k;

	off += (size_t)snprintf(line, sizeof(line), "calls");
	for (k = 0; k < ARH_FK_NKINDS && off < sizeof(line); k++)
		off += (size_t)snprintf(line + off, sizeof(line) - off,
		    " %s=%lu", kind_names[k], atomic_load(&calls[k]));
	if (off < sizeof(line) - 1) {
		line[off] = '\n';
		line[off + 1] = '\0';
	}
	report_line(line);
}

static void
bad_spec(const char *spec)
{
	static const char msg[] = "arhiivar: bad ARH_FAULT (want "
	    "KIND:N[:ACTION], KIND one of write fsync rename open malloc "
	    "sqlite unlink, N >= 1, ACTION an errno name, kill, or short for "
	    "write): ";

	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)!write(STDERR_FILENO, spec, strlen(spec));
	(void)!write(STDERR_FILENO, "\n", 1);
	abort();
}

static void
parse(const char *spec)
{
	char buf[64], *kind, *n, *action, *end;
	size_t i;
	int k;

	if (snprintf(buf, sizeof(buf), "%s", spec) >= (int)sizeof(buf))
		bad_spec(spec);
	kind = buf;
	if ((n = strchr(kind, ':')) == NULL)
		bad_spec(spec);
	*n++ = '\0';
	if ((action = strchr(n, ':')) != NULL)
		*action++ = '\0';
	for (k = 0; k < ARH_FK_NKINDS; k++)
		if (strcmp(kind, kind_names[k]) == 0)
			fault_kind = k;
	errno = 0;
	fault_n = strtoul(n, &end, 10);
	if (fault_kind == -1 || *n < '0' || *n > '9' || *end != '\0' ||
	    errno != 0 || fault_n == 0)
		bad_spec(spec);
	if (action == NULL) {
		if (fault_kind == ARH_FK_MALLOC) {
			fault_action = ENOMEM;
			fault_action_name = "ENOMEM";
		}
		return;
	}
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strcmp(action, actions[i].name) == 0) {
			fault_action = actions[i].errnum;
			fault_action_name = actions[i].name;
			if (fault_action == ACTION_SHORT &&
			    fault_kind != ARH_FK_WRITE)
				bad_spec(spec);
			return;
		}
	bad_spec(spec);
}

static void
init(void)
{
	const char *spec = getenv("ARH_FAULT");

	report = getenv("ARH_FAULT_REPORT");
	if (report != NULL && *report == '\0')
		report = NULL;
	if (spec != NULL && *spec != '\0')
		parse(spec);
	if (report != NULL)
		atexit(report_calls);
}

int
arh_fault_check(enum arh_fault_kind kind)
{
	char line[128];
	unsigned long nth;

	pthread_once(&once, init);
	nth = atomic_fetch_add(&calls[kind], 1) + 1;
	if ((int)kind != fault_kind || nth != fault_n)
		return 0;
	snprintf(line, sizeof(line), "fired %s %lu %s\n", kind_names[kind],
	    nth, fault_action_name);
	report_line(line);
	if (fault_action == ACTION_KILL) {
		raise(SIGKILL);
		_exit(137);	/* not reached */
	}
	if (fault_action == ACTION_SHORT)
		return ACTION_SHORT;
	errno = fault_action;
	return fault_action;
}

ssize_t
arh_fault_write(int fd, const void *buf, size_t len)
{
	int e = arh_fault_check(ARH_FK_WRITE);

	/* A short write, as a pipe, a signal or a nearly full disk gives:
	 * the caller's loop must write the rest. */
	if (e == ACTION_SHORT)
		return write(fd, buf, len > 1 ? len / 2 : len);
	return e ? -1 : write(fd, buf, len);
}

static int
sqlite_code(int errnum)
{
	return errnum == ENOSPC || errnum == EDQUOT ? SQLITE_FULL :
	    errnum == ENOMEM ? SQLITE_NOMEM : SQLITE_IOERR;
}

int
arh_fault_sqlite3_step(sqlite3_stmt *st)
{
	int e = arh_fault_check(ARH_FK_SQLITE);

	return e ? sqlite_code(e) : sqlite3_step(st);
}

int
arh_fault_sqlite3_exec(sqlite3 *db, const char *sql,
    int (*cb)(void *, int, char **, char **), void *arg, char **errmsg)
{
	int e = arh_fault_check(ARH_FK_SQLITE), code;

	if (e == 0)
		return sqlite3_exec(db, sql, cb, arg, errmsg);
	code = sqlite_code(e);
	if (errmsg != NULL)
		*errmsg = sqlite3_mprintf("%s (injected fault)",
		    sqlite3_errstr(code));
	return code;
}

#else

/* ISO C wants a translation unit to declare something. */
typedef int arh_fault_not_built;

#endif
