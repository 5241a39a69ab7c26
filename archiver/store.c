/* store.c — atomic, durable publication of archive files. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "arhiivar/store.h"
#include "fault.h"
#include "util.h"

struct arh_store {
	int	 dirfd;
	int	 tmpfd;		/* ARH_STORE_TMP_DIR, or -1 */
	char	*path;
};

static int
store_open(const char *path, int readonly, struct arh_store **out,
    struct arh_err *err)
{
	struct arh_store *s;
	int e;

	*out = NULL;
	if (!readonly && mkdir(path, 0750) == -1 && errno != EEXIST)
		return arh_errno(err, ARH_EIO, errno,
		    "cannot create store directory '%s'", path);
	if ((s = ARH_FAULT_ALLOC(calloc(1, sizeof(*s)))) == NULL ||
	    (s->path = ARH_FAULT_ALLOC(strdup(path))) == NULL) {
		free(s);
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	}
	s->tmpfd = -1;
	s->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd == -1) {
		e = errno;
		arh_store_free(s);
		return arh_errno(err, ARH_EIO, e, "cannot open store '%s'", path);
	}
	/* Temporary files live in their own directory, so that finding the
	 * leftovers of interrupted ingests costs what is in flight, not what
	 * is stored.  A caller who may not write the store (a catalog-only
	 * writer such as an approver) works without it. */
	if (!readonly && mkdirat(s->dirfd, ARH_STORE_TMP_DIR, 0750) == -1 &&
	    errno != EEXIST && errno != EACCES && errno != EROFS) {
		e = errno;
		arh_store_free(s);
		return arh_errno(err, ARH_EIO, e, "cannot create '%s/%s'", path,
		    ARH_STORE_TMP_DIR);
	}
	if (!readonly)
		s->tmpfd = openat(s->dirfd, ARH_STORE_TMP_DIR, O_RDONLY |
		    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	*out = s;
	return 0;
}

int
arh_store_open(const char *path, struct arh_store **out, struct arh_err *err)
{
	return store_open(path, 0, out, err);
}

int
arh_store_open_readonly(const char *path, struct arh_store **out,
    struct arh_err *err)
{
	return store_open(path, 1, out, err);
}

int
arh_store_writable(const struct arh_store *s)
{
	return s->tmpfd >= 0 && faccessat(s->tmpfd, ".", W_OK, AT_EACCESS) ==
	    0 && faccessat(s->dirfd, ".", W_OK, AT_EACCESS) == 0;
}

void
arh_store_free(struct arh_store *s)
{
	if (s == NULL)
		return;
	if (s->dirfd >= 0)
		close(s->dirfd);
	if (s->tmpfd >= 0)
		close(s->tmpfd);
	free(s->path);
	free(s);
}

const char *
arh_store_path(const struct arh_store *s)
{
	return s->path;
}

int
arh_store_dirfd(const struct arh_store *s)
{
	return s->dirfd;
}

int
arh_store_tmp_create(struct arh_store *s, char **tmpname, int *fd,
    struct arh_err *err)
{
	unsigned char rnd[8];
	char hex[17], name[64];

	*tmpname = NULL;
	*fd = -1;
	if (s->tmpfd < 0)
		return arh_errf(err, ARH_EIO, "cannot create a temporary file in "
		    "'%s/%s': it cannot be opened; ask for write access to the "
		    "store", s->path, ARH_STORE_TMP_DIR);
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return arh_errf(err, ARH_ECRYPTO, "no randomness for a file name");
	arh_hex(rnd, sizeof(rnd), hex);
	snprintf(name, sizeof(name), ARH_STORE_TMP_PREFIX "%ld-%s.tmp",
	    (long)getpid(), hex);
	*fd = ARH_FAULT_SYS(OPEN, openat(s->tmpfd, name, O_RDWR | O_CREAT |
	    O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640));
	if (*fd == -1)
		return arh_errno(err, ARH_EIO, errno,
		    "cannot create a temporary file in store '%s/%s'", s->path,
		    ARH_STORE_TMP_DIR);
	/* The lock marks the file as in use: leftover removal skips locked
	 * files, and the kernel drops the lock when the writer dies. */
	if (flock(*fd, LOCK_EX) == -1) {
		int e = errno;
		arh_store_discard(s, name, *fd);
		*fd = -1;
		return arh_errno(err, ARH_EIO, e, "cannot lock '%s'", name);
	}
	if ((*tmpname = ARH_FAULT_ALLOC(strdup(name))) == NULL) {
		arh_store_discard(s, name, *fd);
		*fd = -1;
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	}
	return 0;
}

void
arh_store_discard(struct arh_store *s, const char *tmpname, int fd)
{
	if (fd >= 0)
		close(fd);
	if (tmpname != NULL && s->tmpfd >= 0)
		unlinkat(s->tmpfd, tmpname, 0);
}

int
arh_store_publish(struct arh_store *s, const char *tmpname, int fd,
    const char *name, struct arh_err *err)
{
	int rc;

	if ((rc = arh_fsync_fd(fd, tmpname, err)) != 0)
		goto fail;
	/* Archives are immutable once published. */
	if (fchmod(fd, 0440) == -1) {
		rc = arh_errno(err, ARH_EIO, errno, "cannot chmod '%s'", tmpname);
		goto fail;
	}
	/* Keep fd (and so the lock) until the rename is done.  The temporary
	 * directory is inside the store: the rename never crosses a file
	 * system. */
	if (arh_rename_noreplace(s->tmpfd, tmpname, s->dirfd, name) == -1) {
		int e = errno;
		rc = arh_errno(err, e == EEXIST ? ARH_EEXIST : ARH_EIO, e,
		    "cannot publish archive '%s' in '%s'", name, s->path);
		goto fail;
	}
	/* Both directories changed: the name arrived in the store and left
	 * the temporary directory (so a crash cannot bring the temporary name
	 * back beside the archive). */
	if ((rc = arh_fsync_fd(s->dirfd, s->path, err)) != 0 ||
	    (rc = arh_fsync_fd(s->tmpfd, ARH_STORE_TMP_DIR, err)) != 0) {
		/* The name may or may not be durable; never leave a published
		 * archive the caller will not catalog. */
		unlinkat(s->dirfd, name, 0);
		close(fd);
		return rc;
	}
	/* fd stays open, and locked, until the caller has catalogued the
	 * archive (arh_store_done): until then other commands must not take
	 * it for an orphan of a crashed ingest. */
	return 0;
fail:
	arh_store_discard(s, tmpname, fd);
	return rc;
}

static int
namecmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of directory dirfd (the store or its temporary directory)
 * with the given prefix and suffix. */
static int
scan(struct arh_store *s, int dirfd, const char *prefix, const char *suffix,
    char ***names, size_t *n, struct arh_err *err)
{
	DIR *d;
	struct dirent *de;
	char **v = NULL, **nv;
	size_t cnt = 0, cap = 0, pl = strlen(prefix), sl = strlen(suffix), l;
	int fd, rc = 0;

	*names = NULL;
	*n = 0;
	if ((fd = dup(dirfd)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return arh_errno(err, ARH_EIO, errno, "cannot read store '%s'",
		    s->path);
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		l = strlen(de->d_name);
		if (l < pl + sl || strncmp(de->d_name, prefix, pl) != 0 ||
		    strcmp(de->d_name + l - sl, suffix) != 0)
			continue;
		if (pl == 0 && de->d_name[0] == '.')
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 32;
			if ((nv = ARH_FAULT_ALLOC(realloc(v,
			    cap * sizeof(*v)))) == NULL) {
				rc = ARH_ENOMEM;
				break;
			}
			v = nv;
		}
		if ((v[cnt] = ARH_FAULT_ALLOC(strdup(de->d_name))) == NULL) {
			rc = ARH_ENOMEM;
			break;
		}
		cnt++;
	}
	closedir(d);
	if (rc != 0) {
		while (cnt > 0)
			free(v[--cnt]);
		free(v);
		return arh_errf(err, rc, "out of memory");
	}
	if (cnt > 0)
		qsort(v, cnt, sizeof(*v), namecmp);
	*names = v;
	*n = cnt;
	return 0;
}

static void
free_names(char **v, size_t n)
{
	while (n > 0)
		free(v[--n]);
	free(v);
}

/* 1 if the process named in ".ingest-<pid>-<random>.tmp" still runs. */
static int
writer_alive(const char *name)
{
	const char *p = name + strlen(ARH_STORE_TMP_PREFIX);
	char *end;
	long pid;

	pid = strtol(p, &end, 10);
	if (end == p || *end != '-' || pid <= 0)
		return 0;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* Remove the unlocked temporary files of dead writers in dirfd. */
static int
sweep(struct arh_store *s, int dirfd, const char *what,
    void (*cb)(void *arg, const char *name), void *arg, struct arh_err *err)
{
	char **v;
	size_t n, i;
	int rc, removed = 0;

	if ((rc = scan(s, dirfd, ARH_STORE_TMP_PREFIX, ".tmp", &v, &n,
	    err)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		int fd = openat(dirfd, v[i], O_RDONLY | O_NOFOLLOW |
		    O_CLOEXEC | O_NONBLOCK);
		if (fd == -1)
			continue;
		/* A live ingest holds the lock — or has just created the
		 * file and not locked it yet, so its pid must be gone too. */
		if (flock(fd, LOCK_EX | LOCK_NB) == -1 || writer_alive(v[i])) {
			close(fd);
			continue;
		}
		if (unlinkat(dirfd, v[i], 0) == -1 && errno != ENOENT) {
			close(fd);
			rc = arh_errno(err, ARH_EIO, errno,
			    "cannot remove leftover '%s'", v[i]);
			break;
		}
		close(fd);
		removed++;
		if (cb != NULL)
			cb(arg, v[i]);
	}
	free_names(v, n);
	if (rc == 0 && removed > 0)
		rc = arh_fsync_fd(dirfd, what, err);
	return rc;
}

int
arh_store_remove_leftovers(struct arh_store *s, int whole_store,
    void (*cb)(void *arg, const char *name), void *arg, struct arh_err *err)
{
	int rc = 0;

	if (s->tmpfd >= 0)
		rc = sweep(s, s->tmpfd, ARH_STORE_TMP_DIR, cb, arg, err);
	/* Homes made before the temporary directory kept them beside the
	 * archives: only a full reconciliation lists the store for them. */
	if (rc == 0 && whole_store)
		rc = sweep(s, s->dirfd, s->path, cb, arg, err);
	return rc;
}

int
arh_store_tmp_busy(struct arh_store *s, const char *tmpname)
{
	int fd, busy;

	if (s->tmpfd < 0 || strchr(tmpname, '/') != NULL)
		return 0;
	fd = openat(s->tmpfd, tmpname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK);
	if (fd == -1)
		return 0;
	busy = (flock(fd, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK) ||
	    writer_alive(tmpname);
	close(fd);
	return busy;
}

int
arh_store_exists(struct arh_store *s, const char *name)
{
	struct stat st;

	return fstatat(s->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

int
arh_store_list(struct arh_store *s, int (*cb)(void *arg, const char *name),
    void *arg, struct arh_err *err)
{
	char **v;
	size_t n, i;
	int rc;

	if ((rc = scan(s, s->dirfd, "", ".tar", &v, &n, err)) != 0)
		return rc;
	for (i = 0; i < n && rc == 0; i++)
		rc = cb(arg, v[i]);
	free_names(v, n);
	return rc;
}

void
arh_store_done(int fd)
{
	if (fd >= 0)
		close(fd);
}

int
arh_store_locked(struct arh_store *s, const char *name)
{
	int fd, locked;

	fd = openat(s->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK);
	if (fd == -1)
		return 0;
	locked = flock(fd, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK;
	close(fd);
	return locked;
}

int
arh_store_remove(struct arh_store *s, const char *const *names, size_t n,
    struct arh_err *err)
{
	size_t i;

	for (i = 0; i < n; i++) {
		/* Gone already: an earlier run removed it before it stopped. */
		if (ARH_FAULT_SYS(UNLINK, unlinkat(s->dirfd, names[i], 0)) ==
		    -1 && errno != ENOENT)
			return arh_errno(err, ARH_EIO, errno, "cannot remove "
			    "'%s/%s'", s->path, names[i]);
	}
	return arh_fsync_fd(s->dirfd, s->path, err);
}
