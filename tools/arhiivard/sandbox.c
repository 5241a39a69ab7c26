/*
 * sandbox.c — least privilege after setup: a Landlock domain that confines
 * the filesystem to what the daemon and its workers use, and a seccomp
 * allow-list of system calls.  Both are inherited across fork and execve,
 * so the workers (exec'd from /proc/self/exe) run inside them too.
 *
 * Landlock is best effort: a kernel without it (or with only ABI 1, which
 * cannot allow the rename of an inbox item into done/ or quarantine/) gets
 * one warning and the daemon runs without it.  seccomp is required: where
 * the filter cannot be loaded the daemon refuses to run.  A system call
 * outside the list fails with EPERM — an operation fails with an error
 * naming it, the daemon does not die.
 *
 * The list was taken from strace -f of the whole workload (inbox ingest,
 * quarantine, audit, restore through the control socket, status, SIGHUP,
 * SIGTERM), plus the neighbours the libraries (glibc, SQLite, libarchive,
 * OpenSSL, libmagic, libmicrohttpd) may use on another path or version.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/landlock.h>
#include <seccomp.h>

#include "arhiivar/config.h"
#include "daemon.h"

/* Rights newer than the installed headers (Debian 12: 6.1). */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE	(1ULL << 14)	/* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV	(1ULL << 15)	/* ABI 5 */
#endif

#define LL_READ		(LANDLOCK_ACCESS_FS_READ_FILE | \
			 LANDLOCK_ACCESS_FS_READ_DIR)
#define LL_EXEC		(LL_READ | LANDLOCK_ACCESS_FS_EXECUTE)
/* Read-write: everything but execute and the special files. */
#define LL_RW		(LL_READ | LANDLOCK_ACCESS_FS_WRITE_FILE | \
			 LANDLOCK_ACCESS_FS_REMOVE_DIR | \
			 LANDLOCK_ACCESS_FS_REMOVE_FILE | \
			 LANDLOCK_ACCESS_FS_MAKE_DIR | \
			 LANDLOCK_ACCESS_FS_MAKE_REG | \
			 LANDLOCK_ACCESS_FS_MAKE_SOCK | \
			 LANDLOCK_ACCESS_FS_REFER | \
			 LANDLOCK_ACCESS_FS_TRUNCATE)
/* The unnamed temporary file of a restore (O_TMPFILE in $TMPDIR): its
 * files, never a listing of the directory nor a named file made there. */
#define LL_TMP		(LANDLOCK_ACCESS_FS_READ_FILE | \
			 LANDLOCK_ACCESS_FS_WRITE_FILE | \
			 LANDLOCK_ACCESS_FS_TRUNCATE)
#define LL_DEV		(LANDLOCK_ACCESS_FS_READ_FILE | \
			 LANDLOCK_ACCESS_FS_WRITE_FILE | \
			 LANDLOCK_ACCESS_FS_TRUNCATE | \
			 LANDLOCK_ACCESS_FS_IOCTL_DEV)
/* The home's own directory: entries made and removed (SQLite's files
 * beside the catalog), listed; no file in it read or written but those
 * with a rule of their own. */
#define LL_HOMEDIR	(LANDLOCK_ACCESS_FS_READ_DIR | \
			 LANDLOCK_ACCESS_FS_MAKE_REG | \
			 LANDLOCK_ACCESS_FS_REMOVE_FILE)
#define LL_RWFILE	(LANDLOCK_ACCESS_FS_READ_FILE | \
			 LANDLOCK_ACCESS_FS_WRITE_FILE | \
			 LANDLOCK_ACCESS_FS_TRUNCATE)
/* What a rule on a file (not a directory) may carry. */
#define LL_FILE_ONLY	(LANDLOCK_ACCESS_FS_EXECUTE | \
			 LANDLOCK_ACCESS_FS_WRITE_FILE | \
			 LANDLOCK_ACCESS_FS_READ_FILE | \
			 LANDLOCK_ACCESS_FS_TRUNCATE | \
			 LANDLOCK_ACCESS_FS_IOCTL_DEV)

/* The read-only system paths the libraries and the loader need. */
static const struct {
	const char	*path;
	uint64_t	 access;
} system_paths[] = {
	{ "/usr", LL_EXEC },
	{ "/lib", LL_EXEC },
	{ "/lib64", LL_EXEC },
	{ "/etc/ld.so.cache", LL_READ },
	{ "/etc/ld.so.preload", LL_READ },
	{ "/etc/passwd", LL_READ },
	{ "/etc/group", LL_READ },
	{ "/etc/nsswitch.conf", LL_READ },
	{ "/etc/localtime", LL_READ },
	{ "/etc/timezone", LL_READ },
	{ "/etc/ssl", LL_READ },
	{ "/etc/magic", LL_READ },
	{ "/etc/magic.mgc", LL_READ },
	{ "/etc/hosts", LL_READ },
	{ "/etc/host.conf", LL_READ },
	{ "/etc/gai.conf", LL_READ },
	{ "/etc/resolv.conf", LL_READ },
	{ "/usr/share/misc", LL_READ },
	{ "/usr/share/zoneinfo", LL_READ },
	/* The daemon's own /proc/PID, resolved now (a worker's is another
	 * directory, and not allowed: the workers need none of it). */
	{ "/proc/self", LL_READ },
	{ "/sys/devices/system/cpu", LL_READ },
	{ "/dev/null", LL_DEV },
	{ "/dev/urandom", LL_DEV & ~LANDLOCK_ACCESS_FS_WRITE_FILE },
	{ "/dev/random", LL_DEV & ~LANDLOCK_ACCESS_FS_WRITE_FILE },
};

static long
ll_create(const struct landlock_ruleset_attr *attr, size_t size,
    uint32_t flags)
{
	return syscall(SYS_landlock_create_ruleset, attr, size, flags);
}

struct ruleset {
	int		 fd;
	uint64_t	 handled;
	unsigned	 nrules;
};

/*
 * One rule: PATH (which need not exist: skipped) gets ACCESS, masked by
 * what this kernel handles and, for a file, by what a file rule may carry.
 * 0, or -1 with errno for a failure that is not the path's absence.
 */
static int
ll_allow(struct ruleset *rs, const char *path, uint64_t access)
{
	struct landlock_path_beneath_attr pb;
	struct stat st;
	int fd, e;

	if (path == NULL || *path == '\0')
		return 0;
	if ((fd = open(path, O_PATH | O_CLOEXEC)) == -1)
		return errno == ENOENT || errno == ENOTDIR ||
		    errno == EACCES ? 0 : -1;
	if (fstat(fd, &st) == -1) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		access &= LL_FILE_ONLY;
	memset(&pb, 0, sizeof(pb));
	pb.allowed_access = access & rs->handled;
	pb.parent_fd = fd;
	if (pb.allowed_access != 0) {
		if (syscall(SYS_landlock_add_rule, rs->fd,
		    LANDLOCK_RULE_PATH_BENEATH, &pb, 0) == -1) {
			e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		rs->nrules++;
	}
	close(fd);
	return 0;
}

/* ll_allow, logged: 1, or 0 when the rule could not be added. */
static int
ll_allow_logged(struct ruleset *rs, const char *path, uint64_t access)
{
	if (ll_allow(rs, path, access) == 0)
		return 1;
	dlog(LOG_ERR, "Landlock: cannot add a rule for '%s': %s", path,
	    strerror(errno));
	return 0;
}

/* The threads of this process (the API's, when they run already). */
static unsigned
count_threads(void)
{
	struct dirent *e;
	unsigned n = 0;
	DIR *dir;

	if ((dir = opendir("/proc/self/task")) == NULL)
		return 0;
	while ((e = readdir(dir)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

/*
 * 1: enforced; 0: not available here (logged); -1: available but could
 * not be applied (logged).
 */
static int
landlock_enter(struct daemon *d)
{
	const struct arh_config *cfg = d->h->cfg;
	struct landlock_ruleset_attr attr;
	struct ruleset rs = { -1, 0, 0 };
	char exe[PATH_MAX], conf[PATH_MAX], sockdir[PATH_MAX], *slash;
	char catalog[PATH_MAX], wal[PATH_MAX], shm[PATH_MAX];
	char homeconf[PATH_MAX], store[PATH_MAX], spool[PATH_MAX];
	const char *tmp = getenv("TMPDIR");
	ssize_t n;
	unsigned nthreads;
	long abi;
	size_t i;
	int ok = 1;

	abi = ll_create(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 0) {
		if (errno == ENOSYS || errno == EOPNOTSUPP)
			dlog(LOG_WARNING, "Landlock is not supported by this "
			    "kernel (%s): the filesystem is not confined",
			    strerror(errno));
		else
			dlog(LOG_WARNING, "Landlock is unavailable (%s): the "
			    "filesystem is not confined", strerror(errno));
		return 0;
	}
	if (abi < 2) {
		/* ABI 1 refuses every rename across directories, and the
		 * inbox's items are renamed into done/ and quarantine/. */
		dlog(LOG_WARNING, "Landlock ABI %ld cannot allow moving inbox "
		    "items (needs ABI 2): the filesystem is not confined", abi);
		return 0;
	}
	/* Handle every filesystem right this ABI knows. */
	rs.handled = LL_RW | LANDLOCK_ACCESS_FS_EXECUTE |
	    LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_FIFO |
	    LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM |
	    LANDLOCK_ACCESS_FS_IOCTL_DEV;
	if (abi < 3)
		rs.handled &= ~LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi < 5)
		rs.handled &= ~LANDLOCK_ACCESS_FS_IOCTL_DEV;
	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = rs.handled;
	if ((rs.fd = (int)ll_create(&attr, sizeof(attr), 0)) == -1) {
		dlog(LOG_ERR, "Landlock: cannot create a ruleset: %s",
		    strerror(errno));
		return -1;
	}

	/* The binary the workers are exec'd from. */
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) <= 0) {
		dlog(LOG_ERR, "Landlock: cannot read /proc/self/exe: %s",
		    n == 0 ? "empty" : strerror(errno));
		close(rs.fd);
		return -1;
	}
	exe[n] = '\0';
	snprintf(catalog, sizeof(catalog), "%s/catalog.db", cfg->home);
	snprintf(wal, sizeof(wal), "%s/catalog.db-wal", cfg->home);
	snprintf(shm, sizeof(shm), "%s/catalog.db-shm", cfg->home);
	/* The configuration SIGHUP re-reads: the file itself, where it
	 * lies (a packaged home's is in /etc). */
	daemon_config_name(d, conf, sizeof(conf));
	if (realpath(conf, homeconf) == NULL)
		snprintf(homeconf, sizeof(homeconf), "%s", conf);
	snprintf(store, sizeof(store), "%s/store", cfg->home);
	snprintf(spool, sizeof(spool), "%s/spool", cfg->home);
	/* The control socket's directory (its unlink at the stop). */
	snprintf(sockdir, sizeof(sockdir), "%s", cfg->socket);
	if ((slash = strrchr(sockdir, '/')) != NULL && slash != sockdir)
		*slash = '\0';
	else
		sockdir[0] = '\0';

	{
		/* The daemon's own paths, as configured. */
		const struct {
			const char	*path;
			uint64_t	 access;
		} own[] = {
			{ exe, LANDLOCK_ACCESS_FS_EXECUTE |
			    LANDLOCK_ACCESS_FS_READ_FILE },
			/* The home itself: its catalog files, its
			 * configuration and its directories, but not keys/:
			 * the seal key is the seal process's alone
			 * (seal_proc.c), and only the certificates and trust
			 * anchors below are readable. */
			{ cfg->home, LL_HOMEDIR },
			{ catalog, LL_RWFILE },
			{ wal, LL_RWFILE },
			{ shm, LL_RWFILE },
			{ homeconf, LL_READ },
			{ store, LL_RW },
			{ spool, LL_RW },
			{ cfg->inbox, LL_RW },
			{ cfg->done, LL_RW },
			{ cfg->quarantine, LL_RW },
			{ cfg->reports, LL_RW },
			{ sockdir, LL_RW },
			{ cfg->seal_certificate, LL_READ },
			{ cfg->seal_chain, LL_READ },
			{ cfg->access_terms, LL_READ },
			{ tmp != NULL && *tmp != '\0' ? tmp : "/tmp", LL_TMP },
		};

		for (i = 0; ok && i < sizeof(own) / sizeof(own[0]); i++)
			ok = ll_allow_logged(&rs, own[i].path, own[i].access);
	}
	for (i = 0; ok && i < cfg->nsources; i++)
		ok = ll_allow_logged(&rs, cfg->sources[i], LL_READ);
	for (i = 0; ok && i < cfg->ntrust; i++)
		ok = ll_allow_logged(&rs, cfg->trust[i], LL_READ);
	for (i = 0; ok && i < sizeof(system_paths) / sizeof(system_paths[0]);
	    i++)
		ok = ll_allow_logged(&rs, system_paths[i].path,
		    system_paths[i].access);

	if (!ok) {
		close(rs.fd);
		return -1;
	}
	/* landlock_restrict_self() confines the calling thread and what it
	 * starts after: threads already running stay outside the domain. */
	if ((nthreads = count_threads()) > 1)
		dlog(LOG_WARNING, "Landlock: %u threads started before the "
		    "sandbox are not confined by it (only this thread, its "
		    "later threads and the workers are)", nthreads - 1);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    syscall(SYS_landlock_restrict_self, rs.fd, 0) == -1) {
		dlog(LOG_ERR, "Landlock: cannot enforce the ruleset: %s",
		    strerror(errno));
		close(rs.fd);
		return -1;
	}
	close(rs.fd);
	dlog(LOG_INFO, "Landlock ABI %ld enforced: %u filesystem rules", abi,
	    rs.nrules);
	return 1;
}

/*
 * The allow-list.  Grouped as the daemon uses them; everything else
 * fails with EPERM.
 */
static const char *const syscalls[] = {
	/* files */
	"read", "write", "readv", "writev", "pread64", "pwrite64",
	"preadv", "pwritev", "preadv2", "pwritev2", "open", "openat",
	"openat2", "creat", "close", "close_range", "lseek", "stat",
	"memfd_create",
	"fstat", "lstat", "newfstatat", "statx", "statfs", "fstatfs",
	"access", "faccessat", "faccessat2", "readlink", "readlinkat",
	"getdents64", "getcwd", "chdir", "fchdir", "mkdir", "mkdirat",
	"rmdir", "unlink", "unlinkat", "rename", "renameat", "renameat2",
	"link", "linkat", "chmod", "fchmod",
	"fchmodat", "chown", "fchown", "fchownat", "lchown", "utimensat",
	"futimesat", "umask", "truncate", "ftruncate", "fallocate",
	"fsync", "fdatasync", "sync_file_range", "syncfs", "flock",
	"fcntl", "dup", "dup2", "dup3", "pipe", "pipe2",
	"fadvise64", "copy_file_range", "sendfile", "splice", "getxattr", "lgetxattr", "fgetxattr",
	"listxattr", "llistxattr", "flistxattr",
	/* memory */
	"brk", "mmap", "munmap", "mremap", "mprotect", "madvise",
	"msync", "mincore", "mlock", "munlock", "membarrier",
	/* processes and threads */
	"clone", "clone3", "fork", "vfork", "execve", "exit",
	"exit_group", "wait4", "waitid", "kill", "tgkill", "tkill",
	"getpid", "getppid", "gettid", "getuid", "geteuid", "getgid",
	"getegid", "getgroups", "getresuid", "getresgid", "getpgrp",
	"getpgid", "getsid", "setsid", "set_tid_address",
	"set_robust_list", "get_robust_list", "rseq", "futex",
	"futex_waitv", "sched_yield", "sched_getaffinity",
	"sched_setaffinity", "sched_getparam", "sched_getscheduler",
	"getpriority", "setpriority", "prctl", "arch_prctl", "prlimit64",
	"getrlimit", "setrlimit", "getrusage", "times", "uname",
	"sysinfo", "capget", "sigaltstack", "rt_sigaction",
	"rt_sigprocmask", "rt_sigreturn", "rt_sigpending",
	"rt_sigtimedwait", "rt_sigsuspend", "rt_sigqueueinfo",
	"rt_tgsigqueueinfo", "restart_syscall", "signalfd", "signalfd4",
	"seccomp", "landlock_create_ruleset", "landlock_add_rule",
	"landlock_restrict_self", "getrandom",
	/* time */
	"clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep",
	"gettimeofday", "time", "alarm", "timer_create", "timer_settime",
	"timer_gettime", "timer_delete", "timerfd_create",
	"timerfd_settime", "timerfd_gettime", "setitimer", "getitimer",
	/* events */
	"poll", "ppoll", "select", "pselect6", "epoll_create",
	"epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait",
	"epoll_pwait2", "eventfd", "eventfd2", "inotify_init",
	"inotify_init1", "inotify_add_watch", "inotify_rm_watch",
	/* sockets: the control socket, sd_notify, the API, NSS */
	"socket", "socketpair", "bind", "listen", "accept", "accept4",
	"connect", "getsockname", "getpeername", "getsockopt",
	"setsockopt", "shutdown", "recvfrom", "recvmsg", "recvmmsg",
	"sendto", "sendmsg", "sendmmsg",
};

/*
 * ioctl only with the requests stdio and the socket code make: a terminal
 * query (isatty), bytes readable, non-blocking and close-on-exec.
 */
static const unsigned long ioctls[] = {
	TCGETS, TIOCGWINSZ, FIONREAD, FIONBIO, FIOCLEX, FIONCLEX,
};

/* 1: enforced; -1: could not be applied (logged). */
static int
seccomp_enter(void)
{
	scmp_filter_ctx ctx;
	unsigned n = 0;
	size_t i;
	int rc, sc;

	if ((ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM))) == NULL) {
		dlog(LOG_ERR, "seccomp: cannot make a filter");
		return -1;
	}
	/* All threads (the API's are running), and the foreign ABIs (x32,
	 * i386 through int 0x80) denied alike rather than killed. */
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1)) != 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_ERRNO(EPERM))) != 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1)) != 0) {
		dlog(LOG_ERR, "seccomp: cannot set the filter's attributes: %s",
		    strerror(-rc));
		seccomp_release(ctx);
		return -1;
	}
	/* A denial in the kernel's audit log, where the kernel can. */
	(void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);
	for (i = 0; i < sizeof(syscalls) / sizeof(syscalls[0]); i++) {
		if ((sc = seccomp_syscall_resolve_name(syscalls[i])) ==
		    __NR_SCMP_ERROR)
			continue;	/* not on this architecture */
		if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, sc, 0)) != 0) {
			dlog(LOG_ERR, "seccomp: cannot allow %s: %s",
			    syscalls[i], strerror(-rc));
			seccomp_release(ctx);
			return -1;
		}
		n++;
	}
	for (i = 0; i < sizeof(ioctls) / sizeof(ioctls[0]); i++)
		if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl),
		    1, SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL,
		    ioctls[i]))) != 0) {
			dlog(LOG_ERR, "seccomp: cannot allow ioctl %#lx: %s",
			    ioctls[i], strerror(-rc));
			seccomp_release(ctx);
			return -1;
		}
	n++;		/* ioctl, for those requests only */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		dlog(LOG_ERR, "seccomp: PR_SET_NO_NEW_PRIVS: %s",
		    strerror(errno));
		seccomp_release(ctx);
		return -1;
	}
	if ((rc = seccomp_load(ctx)) != 0) {
		dlog(LOG_ERR, "seccomp: cannot load the filter: %s",
		    strerror(-rc));
		seccomp_release(ctx);
		return -1;
	}
	seccomp_release(ctx);
	dlog(LOG_INFO, "seccomp filter loaded: %u system calls allowed, any "
	    "other fails with EPERM", n);
	return 1;
}

int
sandbox_seal(const char *confdir)
{
	struct landlock_ruleset_attr attr;
	struct ruleset rs = { -1, 0, 0 };
	long abi;
	int fd;

	/* Every right handled, one rule: the configuration's directory may
	 * be read (the key is already in memory). */
	abi = ll_create(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (abi >= 1) {
		memset(&attr, 0, sizeof(attr));
		attr.handled_access_fs = LL_RW | LANDLOCK_ACCESS_FS_EXECUTE |
		    LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_FIFO |
		    LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM;
		if (abi < 3)
			attr.handled_access_fs &= ~LANDLOCK_ACCESS_FS_TRUNCATE;
		if (abi < 2)
			attr.handled_access_fs &= ~LANDLOCK_ACCESS_FS_REFER;
		rs.handled = attr.handled_access_fs;
		if ((fd = (int)ll_create(&attr, sizeof(attr), 0)) == -1)
			goto fail;
		rs.fd = fd;
		if (ll_allow(&rs, confdir, LL_READ) == -1 ||
		    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
		    syscall(SYS_landlock_restrict_self, fd, 0) == -1) {
			goto fail;
		}
		close(fd);
	}
	return seccomp_enter() == -1 ? -1 : 0;
fail:
	dlog(LOG_ERR, "seal process: cannot drop filesystem access: %s",
	    strerror(errno));
	return -1;
}

int
sandbox_enter(struct daemon *d)
{
	/* Landlock first: its own system calls are then still allowed
	 * anyway, and its rules are made with open() and fstat(). */
	if (landlock_enter(d) == -1)
		return -1;
	if (seccomp_enter() == -1)
		return -1;
	return 0;
}
