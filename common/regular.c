/*
 * regular.c — open a file that must be a regular file, without hanging:
 * a FIFO (or a device) named like an archive would block a plain open
 * until a writer came, and every command reading it with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static const char *
kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a regular file";
}

int
arh_open_regular(int dirfd, const char *path, int follow, const char *what,
    int *out, struct arh_err *err)
{
	struct stat st;
	int fd, flags;

	*out = -1;
	fd = openat(dirfd, path, O_RDONLY | (follow ? 0 : O_NOFOLLOW) |
	    O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd == -1 && errno == ELOOP)
		return arh_errf(err, ARH_EIO, "%s '%s' is a symbolic link, not "
		    "a file; replace it with the file itself", what, path);
	if (fd == -1)
		return arh_errno(err, errno == ENOENT ? ARH_ENOTFOUND : ARH_EIO,
		    errno, "cannot open '%s'", path);
	if (fstat(fd, &st) == -1) {
		close(fd);
		return arh_errno(err, ARH_EIO, errno, "cannot stat %s '%s'",
		    what, path);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return arh_errf(err, ARH_EIO, "%s '%s' is %s, not a file; remove "
		    "it and put the file in its place", what, path,
		    kind(st.st_mode));
	}
	/* Reads of a regular file never block; clear the flag all the same
	 * so that nothing downstream sees EAGAIN. */
	if ((flags = fcntl(fd, F_GETFL)) != -1)
		(void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	*out = fd;
	return 0;
}
