/*
 * fault.h — fault injection for the torture tests (debug builds only).
 *
 * Built with -DARH_FAULT_INJECTION (`make FAULT=1`, `make torture`), the
 * environment variable
 *
 *	ARH_FAULT=KIND:N[:ACTION]
 *
 * makes the Nth call of KIND in this process fail as the real call would:
 * -1 with errno set (NULL for malloc; SQLITE_IOERR, SQLITE_FULL for
 * ENOSPC, for sqlite).  KIND is write, fsync, rename, open, malloc,
 * sqlite or unlink (removing an archive file at destruction); ACTION is
 * an errno name (EIO, the default; ENOMEM, the default for malloc;
 * ENOSPC, EDQUOT, EROFS, EACCES, EINTR), `kill`, which raises SIGKILL
 * at that call instead, or (write only) `short`, which writes half of the
 * bytes asked for and returns that count.  Calls are counted per process, one
 * counter per kind, in program order (every hooked site runs on the main
 * thread, so a count is reproducible).
 *
 * ARH_FAULT_REPORT=FILE appends "fired KIND N ACTION" to FILE when the
 * fault fires (before a kill) and "calls write=.. fsync=.. ..." at exit:
 * how a test tells that a run went untouched, and how many calls of each
 * kind a run made.  A malformed ARH_FAULT aborts the program.
 *
 * Without ARH_FAULT_INJECTION every macro below is the bare call and this
 * header declares nothing: the normal build has no hook code at all.
 */
#ifndef ARHIIVAR_FAULT_H
#define ARHIIVAR_FAULT_H

#ifdef ARH_FAULT_INJECTION

#include <stddef.h>
#include <sys/types.h>

enum arh_fault_kind {
	ARH_FK_WRITE, ARH_FK_FSYNC, ARH_FK_RENAME, ARH_FK_OPEN,
	ARH_FK_MALLOC, ARH_FK_SQLITE, ARH_FK_UNLINK, ARH_FK_NKINDS
};

/* Count one call of kind: 0 to go ahead, else the errno (also in errno)
 * the call must fail with.  Does not return for `kill`. */
int arh_fault_check(enum arh_fault_kind kind);

/* A system call returning -1 on failure: `fd = ARH_FAULT_SYS(OPEN, openat(..))`. */
#define ARH_FAULT_SYS(kind, call) \
	(arh_fault_check(ARH_FK_##kind) ? -1 : (call))
/* write(2), which may also be made short. */
ssize_t arh_fault_write(int fd, const void *buf, size_t len);
#define ARH_FAULT_WRITE(fd, buf, len)	arh_fault_write(fd, buf, len)
/* An allocation returning NULL on failure. */
#define ARH_FAULT_ALLOC(call) \
	(arh_fault_check(ARH_FK_MALLOC) ? NULL : (call))

/*
 * catalog.c defines ARH_FAULT_WRAP_SQLITE before including this header, so
 * its sqlite3_step() and sqlite3_exec() calls are counted as `sqlite`.
 */
#if defined(ARH_FAULT_WRAP_SQLITE)
#include <sqlite3.h>
int arh_fault_sqlite3_step(sqlite3_stmt *st);
int arh_fault_sqlite3_exec(sqlite3 *db, const char *sql,
    int (*cb)(void *, int, char **, char **), void *arg, char **errmsg);
#define sqlite3_step(st)	arh_fault_sqlite3_step(st)
#define sqlite3_exec(db, sql, cb, arg, errmsg) \
	arh_fault_sqlite3_exec(db, sql, cb, arg, errmsg)
#endif

#else	/* !ARH_FAULT_INJECTION */

#define ARH_FAULT_SYS(kind, call)	(call)
#define ARH_FAULT_WRITE(fd, buf, len)	write(fd, buf, len)
#define ARH_FAULT_ALLOC(call)		(call)

#endif
#endif
