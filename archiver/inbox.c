/*
 * inbox.c — the daemon's work queue on disk (inbox.h): submit, list,
 * ingest-and-move, quarantine, retry, expiry of done/ items.
 *
 * An item is always in exactly one of inbox/, done/ and quarantine/: it
 * moves by rename(2) within one file system, and both directories are
 * fsync'd after.  A crash between the catalog's commit and the move to
 * done/ leaves an archived item in the inbox; the next ingest of it finds
 * the case file archived with the same payload and records it as done
 * (ARH_INBOX_ALREADY) instead of archiving it twice or quarantining it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "arhiivar/inbox.h"
#include "arhiivar/input.h"
#include "arhiivar/ops.h"
#include "arhiivar/policy.h"
#include "util.h"

#define INCOMING	".incoming"
#define REASON		"REASON.txt"
#define MAX_ITEM_NAME	200	/* + ".NNN" fits 256 bytes with room */
#define MAX_SUFFIX	1000	/* NAME.2 .. NAME.999, then give up */

int
arh_inbox_name_ok(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > MAX_ITEM_NAME || name[0] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789._+-", name[i]) == NULL)
			return 0;
	return 1;
}

/* Make path (one level) if missing and open it as a directory. */
static int
open_dir(const char *path, mode_t mode, const char *what, int *fd,
    struct arh_err *err)
{
	if (mkdir(path, mode) == -1 && errno != EEXIST)
		return arh_errno(err, ARH_EIO, errno, "cannot create the %s "
		    "directory '%s'", what, path);
	if ((*fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
	    O_NOFOLLOW)) == -1)
		return arh_errno(err, ARH_EIO, errno, "cannot open the %s "
		    "directory '%s'", what, path);
	return 0;
}

static int
open_inbox(struct arh_home *h, int *fd, struct arh_err *err)
{
	return open_dir(h->cfg->inbox, 0770, "inbox", fd, err);
}

/* A name free in dirfd: base, base.2, base.3, ... into out. */
static int
free_name(int dirfd, const char *base, char *out, size_t n,
    struct arh_err *err)
{
	struct stat st;
	int i;

	for (i = 1; i < MAX_SUFFIX; i++) {
		if (i == 1)
			snprintf(out, n, "%s", base);
		else
			snprintf(out, n, "%s.%d", base, i);
		if (fstatat(dirfd, out, &st, AT_SYMLINK_NOFOLLOW) == -1 &&
		    errno == ENOENT)
			return 0;
	}
	return arh_errf(err, ARH_EEXIST, "too many items named '%s'", base);
}

/* The base name of a path as an item name: invalid bytes become '_'. */
static void
item_name(const char *src, char *out, size_t n)
{
	const char *b;
	size_t len, i;

	len = strlen(src);
	while (len > 1 && src[len - 1] == '/')
		len--;
	for (b = src + len; b > src && b[-1] != '/'; b--)
		;
	len -= (size_t)(b - src);
	if (len > MAX_ITEM_NAME)
		len = MAX_ITEM_NAME;
	if (len >= n)
		len = n - 1;
	for (i = 0; i < len; i++)
		out[i] = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
		    "WXYZ0123456789._+-", b[i]) != NULL && b[i] != '\0' ?
		    b[i] : '_';
	out[len] = '\0';
	if (len == 0 || out[0] == '.')
		snprintf(out, n, "case");
}

/*
 * Copy directory sfd into new directory `name` under dfd: regular files
 * and directories only (a symlink, FIFO or device is refused: it could
 * point out of the case file), each file fsync'd, each directory fsync'd
 * after its entries.  `where` names the source for messages.
 *
 * With a group (not (gid_t)-1) the copy is the group's as well as the
 * copier's: a submitter's copy in the inbox belongs to the inbox's group,
 * directories 02770 and files 0640 whatever the submitter's umask, so
 * that the daemon, a member, can read it, move it (a directory's rename
 * writes its "..") and remove it from done/ later.
 */
static void
share(int fd, gid_t gid, mode_t mode)
{
	/* Best effort: a submitter outside the group is the inbox's owner,
	 * the daemon's own account, and needs no group. */
	if (fchown(fd, (uid_t)-1, gid) == -1 && errno != EPERM)
		return;
	(void)fchmod(fd, mode);
}

static int
copy_tree(int sfd, int dfd, const char *name, const char *where, int depth,
    gid_t gid, struct arh_err *err)
{
	struct dirent *de;
	struct stat st;
	DIR *d = NULL;
	char buf[65536];
	int nfd = -1, ifd = -1, ofd = -1, dup_fd, rc = 0;
	ssize_t r;

	if (depth > ARH_MAX_DEPTH + 2)
		return arh_errf(err, ARH_EINVAL, "'%s': directories nested too "
		    "deep", where);
	if (mkdirat(dfd, name, 0750) == -1)
		return arh_errno(err, ARH_EIO, errno, "cannot create '%s'",
		    name);
	if ((nfd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
	    O_NOFOLLOW)) == -1 || (dup_fd = dup(sfd)) == -1) {
		rc = arh_errno(err, ARH_EIO, errno, "cannot open '%s'", name);
		goto out;
	}
	if (gid != (gid_t)-1)
		share(nfd, gid, 02770);
	if ((d = fdopendir(dup_fd)) == NULL) {
		close(dup_fd);
		rc = arh_errno(err, ARH_EIO, errno, "cannot read '%s'", where);
		goto out;
	}
	while (rc == 0 && (errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(sfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
			rc = arh_errno(err, ARH_EIO, errno, "cannot stat '%s/%s'",
			    where, de->d_name);
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			char sub[4096];
			int cfd;

			snprintf(sub, sizeof(sub), "%s/%s", where, de->d_name);
			if ((cfd = openat(sfd, de->d_name, O_RDONLY |
			    O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
				rc = arh_errno(err, ARH_EIO, errno, "cannot open "
				    "'%s'", sub);
				break;
			}
			rc = copy_tree(cfd, nfd, de->d_name, sub, depth + 1, gid,
			    err);
			close(cfd);
			continue;
		}
		if (!S_ISREG(st.st_mode)) {
			rc = arh_errf(err, ARH_EINVAL, "'%s/%s' is not a regular "
			    "file or directory (a case file holds only those)",
			    where, de->d_name);
			break;
		}
		if ((ifd = openat(sfd, de->d_name, O_RDONLY | O_CLOEXEC |
		    O_NOFOLLOW | O_NONBLOCK)) == -1) {
			rc = arh_errno(err, ARH_EIO, errno, "cannot open '%s/%s'",
			    where, de->d_name);
			break;
		}
		if ((ofd = openat(nfd, de->d_name, O_WRONLY | O_CREAT | O_EXCL |
		    O_CLOEXEC, 0640)) == -1) {
			rc = arh_errno(err, ARH_EIO, errno, "cannot create the "
			    "copy of '%s/%s'", where, de->d_name);
			break;
		}
		if (gid != (gid_t)-1)
			share(ofd, gid, 0640);
		while ((r = read(ifd, buf, sizeof(buf))) > 0)
			if (arh_write_all(ofd, buf, (size_t)r) == -1)
				break;
		if (r != 0) {
			rc = arh_errno(err, ARH_EIO, errno, "cannot %s '%s/%s'",
			    r < 0 ? "read" : "write the copy of", where,
			    de->d_name);
			break;
		}
		if ((rc = arh_fsync_fd(ofd, de->d_name, err)) != 0)
			break;
		/* The tar's dates come from the record, but keep the file's
		 * time so that what is quarantined looks as it was. */
		{
			struct timespec ts[2] = { st.st_atim, st.st_mtim };

			(void)futimens(ofd, ts);
		}
		close(ifd);
		close(ofd);
		ifd = ofd = -1;
	}
	if (rc == 0 && errno != 0)
		rc = arh_errno(err, ARH_EIO, errno, "cannot read '%s'", where);
	if (rc == 0)
		rc = arh_fsync_fd(nfd, name, err);
out:
	if (ifd != -1)
		close(ifd);
	if (ofd != -1)
		close(ofd);
	if (d != NULL)
		closedir(d);
	if (nfd != -1)
		close(nfd);
	return rc;
}

/* Remove a tree under dfd (what a failed copy left); best effort. */
static void
remove_tree(int dfd, const char *name)
{
	struct dirent *de;
	DIR *d;
	int fd;

	if (unlinkat(dfd, name, 0) == 0 || errno != EISDIR)
		return;
	if ((fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
	    O_NOFOLLOW)) == -1)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			remove_tree(dirfd(d), de->d_name);
	closedir(d);
	(void)unlinkat(dfd, name, AT_REMOVEDIR);
}

/* Copy src into dfd/.incoming/TMP, then rename it to dfd/NAME (free). */
static int
copy_in(int dfd, const char *src, const char *base, char *out, size_t n,
    struct arh_err *err)
{
	char tmp[64], name[MAX_ITEM_NAME + 16];
	struct stat st;
	int sfd = -1, ifd = -1, made, rc, tries;

	if ((sfd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return arh_errno(err, errno == ENOENT ? ARH_ENOTFOUND : ARH_EIO,
		    errno, "cannot open the case directory '%s'", src);
	if (fstat(dfd, &st) == -1) {
		rc = arh_errno(err, ARH_EIO, errno, "cannot stat the inbox");
		goto out;
	}
	made = mkdirat(dfd, INCOMING, 0770) == 0;
	if (!made && errno != EEXIST) {
		rc = arh_errno(err, ARH_EIO, errno, "cannot create '%s'",
		    INCOMING);
		goto out;
	}
	if ((ifd = openat(dfd, INCOMING, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
	    O_NOFOLLOW)) == -1) {
		rc = arh_errno(err, ARH_EIO, errno, "cannot open '%s'", INCOMING);
		goto out;
	}
	/* The first submitter makes it for every submitter of the group. */
	if (made)
		share(ifd, st.st_gid, 02770);
	snprintf(tmp, sizeof(tmp), "%ld.%ld", (long)getpid(), (long)time(NULL));
	if ((rc = copy_tree(sfd, ifd, tmp, src, 0, st.st_gid, err)) != 0 ||
	    (rc = arh_fsync_fd(ifd, INCOMING, err)) != 0) {
		remove_tree(ifd, tmp);
		goto out;
	}
	/* Another submitter may take the free name first: try again. */
	for (tries = 0; tries < 100; tries++) {
		if ((rc = free_name(dfd, base, name, sizeof(name), err)) != 0)
			break;
		if (arh_rename_noreplace(ifd, tmp, dfd, name) == 0)
			break;
		if (errno != EEXIST) {
			rc = arh_errno(err, ARH_EIO, errno, "cannot rename the "
			    "copy into place as '%s'", name);
			break;
		}
	}
	if (rc == 0 && tries == 100)
		rc = arh_errf(err, ARH_EEXIST, "cannot find a free name for "
		    "'%s'", base);
	if (rc != 0) {
		remove_tree(ifd, tmp);
		goto out;
	}
	if ((rc = arh_fsync_fd(dfd, "inbox", err)) == 0)
		snprintf(out, n, "%s", name);
out:
	if (ifd != -1)
		close(ifd);
	close(sfd);
	return rc;
}

int
arh_inbox_submit(struct arh_home *h, const char *src, const char *name,
    char *out, size_t n, struct arh_err *err)
{
	char base[MAX_ITEM_NAME + 1];
	int dfd, rc;

	if (name != NULL && !arh_inbox_name_ok(name))
		return arh_errf(err, ARH_EUSAGE, "'%s' is not a valid inbox "
		    "name: use letters, digits, '.', '_', '+' and '-' (not "
		    "first), at most %d bytes", name, MAX_ITEM_NAME);
	if (name != NULL)
		snprintf(base, sizeof(base), "%s", name);
	else
		item_name(src, base, sizeof(base));
	if ((rc = open_inbox(h, &dfd, err)) != 0)
		return rc;
	rc = copy_in(dfd, src, base, out, n, err);
	close(dfd);
	return rc;
}

struct item {
	char	 name[256];
	struct timespec ctime;
};

static int
by_ctime(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->ctime.tv_sec != y->ctime.tv_sec)
		return x->ctime.tv_sec < y->ctime.tv_sec ? -1 : 1;
	if (x->ctime.tv_nsec != y->ctime.tv_nsec)
		return x->ctime.tv_nsec < y->ctime.tv_nsec ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The directories in dfd that are items, oldest first. */
static int
list_items(int dfd, struct item **out, size_t *nout, struct arh_err *err)
{
	struct item *v = NULL, *nv;
	struct dirent *de;
	struct stat st;
	size_t n = 0, cap = 0;
	DIR *d;
	int fd;

	*out = NULL;
	*nout = 0;
	if ((fd = dup(dfd)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return arh_errno(err, ARH_EIO, errno, "cannot list a queue "
		    "directory");
	}
	rewinddir(d);
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (!arh_inbox_name_ok(de->d_name) ||
		    fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISDIR(st.st_mode))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				free(v);
				closedir(d);
				return arh_errf(err, ARH_ENOMEM, "out of memory");
			}
			v = nv;
		}
		snprintf(v[n].name, sizeof(v[n].name), "%s", de->d_name);
		v[n].ctime = st.st_ctim;
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(v, n, sizeof(*v), by_ctime);
	*out = v;
	*nout = n;
	return 0;
}

int
arh_inbox_list(struct arh_home *h, int (*cb)(void *arg, const char *name),
    void *arg, struct arh_err *err)
{
	struct item *v;
	size_t n, i;
	int dfd, rc;

	if ((rc = open_inbox(h, &dfd, err)) != 0)
		return rc;
	rc = list_items(dfd, &v, &n, err);
	close(dfd);
	for (i = 0; rc == 0 && i < n; i++)
		rc = cb(arg, v[i].name);
	free(v);
	return rc;
}

/* Move sdir/name to ddir/(free name near name); fsync both. */
static int
move_item(int sdir, const char *name, int ddir, const char *what,
    char *used, size_t n, struct arh_err *err)
{
	char dst[256];
	int tries, rc = 0;

	for (tries = 0; tries < 100; tries++) {
		if ((rc = free_name(ddir, name, dst, sizeof(dst), err)) != 0)
			return rc;
		if (arh_rename_noreplace(sdir, name, ddir, dst) == 0)
			break;
		if (errno != EEXIST)
			return arh_errno(err, ARH_EIO, errno, "cannot move '%s' "
			    "to %s", name, what);
	}
	if (tries == 100)
		return arh_errf(err, ARH_EEXIST, "cannot find a free name "
		    "for '%s' in %s", name, what);
	if ((rc = arh_fsync_fd(ddir, what, err)) != 0 ||
	    (rc = arh_fsync_fd(sdir, "inbox", err)) != 0)
		return rc;
	if (used != NULL)
		snprintf(used, n, "%s", dst);
	return 0;
}

/* REASON.txt: the problems, one a line, then how to go on. */
static char *
reason_text(const char *item, const char *q, const struct arh_problems *probs,
    const char *msg)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		return NULL;
	for (i = 0; probs != NULL && i < probs->n; i++)
		fprintf(f, "%s\n", probs->items[i]);
	if ((probs == NULL || probs->n == 0) && msg != NULL && *msg != '\0')
		fprintf(f, "%s\n", msg);
	fprintf(f, "\nThe case file is kept unchanged in %s/.  Correct it "
	    "there, then run\n'arhiivar quarantine retry %s' to put it back "
	    "into the inbox.\n", item, q);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * Quarantine: make QUARANTINE/Q (free name), write REASON.txt into it,
 * then bring the item in as Q/NAME — by rename from sdir, or by copy from
 * the path src.  A crash before the item arrives leaves a directory with
 * only REASON.txt, which the next quarantine of that name reuses.
 */
static int
quarantine(struct arh_home *h, int sdir, const char *name, const char *src,
    const struct arh_problems *probs, const char *msg, char *out, size_t n,
    struct arh_err *err)
{
	char q[256], *txt = NULL;
	int qfd = -1, dfd = -1, rc;
	struct stat st;

	if ((rc = open_dir(h->cfg->quarantine, 0750, "quarantine", &qfd,
	    err)) != 0)
		return rc;
	/* A directory left without its item by a crash is reused. */
	if (fstatat(qfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISDIR(st.st_mode)) {
		char inner[2 * MAX_ITEM_NAME + 32];

		snprintf(inner, sizeof(inner), "%s/%s", name, name);
		if (fstatat(qfd, inner, &st, AT_SYMLINK_NOFOLLOW) == -1 &&
		    errno == ENOENT)
			snprintf(q, sizeof(q), "%s", name);
		else if ((rc = free_name(qfd, name, q, sizeof(q), err)) != 0)
			goto out;
	} else if ((rc = free_name(qfd, name, q, sizeof(q), err)) != 0)
		goto out;
	if (mkdirat(qfd, q, 0750) == -1 && errno != EEXIST) {
		rc = arh_errno(err, ARH_EIO, errno, "cannot create quarantine "
		    "directory '%s'", q);
		goto out;
	}
	if ((dfd = openat(qfd, q, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
	    O_NOFOLLOW)) == -1) {
		rc = arh_errno(err, ARH_EIO, errno, "cannot open quarantine "
		    "directory '%s'", q);
		goto out;
	}
	if ((txt = reason_text(name, q, probs, msg)) == NULL) {
		rc = arh_errf(err, ARH_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = arh_write_file_atomic(dfd, REASON, txt, strlen(txt), 0640,
	    0, err)) != 0 || (rc = arh_fsync_fd(qfd, "quarantine", err)) != 0)
		goto out;
	if (src != NULL) {
		int sfd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (sfd == -1) {
			rc = arh_errno(err, ARH_EIO, errno, "cannot open '%s'",
			    src);
			goto out;
		}
		rc = copy_tree(sfd, dfd, name, src, 0, (gid_t)-1, err);
		close(sfd);
		if (rc == 0)
			rc = arh_fsync_fd(dfd, q, err);
		else
			remove_tree(dfd, name);
	} else {
		if (renameat(sdir, name, dfd, name) == -1)
			rc = arh_errno(err, ARH_EIO, errno, "cannot move '%s' "
			    "into quarantine", name);
		else if ((rc = arh_fsync_fd(dfd, q, err)) == 0)
			rc = arh_fsync_fd(sdir, "inbox", err);
	}
	if (rc == 0 && out != NULL)
		snprintf(out, n, "%s", q);
out:
	free(txt);
	if (dfd != -1)
		close(dfd);
	close(qfd);
	return rc;
}

int
arh_inbox_quarantine(struct arh_home *h, const char *name, const char *why,
    struct arh_err *err)
{
	int ifd, rc;

	if (!arh_inbox_name_ok(name))
		return arh_errf(err, ARH_EUSAGE, "'%s' is not an inbox item",
		    name);
	if ((rc = open_inbox(h, &ifd, err)) != 0)
		return rc;
	rc = quarantine(h, ifd, name, NULL, NULL, why, NULL, 0, err);
	close(ifd);
	return rc;
}

int
arh_quarantine_copy(struct arh_home *h, const char *src, const char *name,
    const struct arh_problems *probs, char *out, size_t n,
    struct arh_err *err)
{
	char base[MAX_ITEM_NAME + 1];

	if (name != NULL && arh_inbox_name_ok(name))
		snprintf(base, sizeof(base), "%s", name);
	else
		item_name(src, base, sizeof(base));
	return quarantine(h, -1, base, src, probs, NULL, out, n, err);
}

/* Transient: worth trying again later without a person's help. */
static int
transient(int rc)
{
	return rc == ARH_EIO || rc == ARH_ENOSPC || rc == ARH_ECATALOG ||
	    rc == ARH_ENOMEM || rc == ARH_ECHANGED;
}

/*
 * 1 if archive `row` holds exactly the payload of case directory dir
 * (same files by SHA-256, same records): the item was archived before a
 * crash kept it from moving to done/.
 */
static int
already_archived(struct arh_home *h, const char *dir,
    const struct arh_archive_row *row)
{
	struct arh_problems probs;
	struct arh_file_row fr;
	struct arh_case *c = NULL;
	struct arh_err err;
	char today[11], sha[65];
	size_t i;
	int dfd = -1, same = 0;

	arh_problems_init(&probs);
	arh_today(today);
	if (arh_case_load(dir, today, &c, &probs, &err) != 0)
		goto out;
	if ((size_t)row->nfiles != c->nfiles ||
	    (size_t)row->nrecords != c->nrecords)
		goto out;
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		goto out;
	for (i = 0; i < c->nfiles; i++) {
		memset(&fr, 0, sizeof(fr));
		if (arh_catalog_file(h->cat, row->name, c->files[i].bag_path,
		    &fr, &err) != 0)
			goto out;
		if (arh_sha256_file(dfd, c->files[i].disk_path, sha, &err) != 0 ||
		    strcmp(sha, fr.sha256) != 0 || fr.size != c->files[i].size) {
			arh_file_row_release(&fr);
			goto out;
		}
		arh_file_row_release(&fr);
	}
	for (i = 0; i < c->nrecords; i++) {
		json_t *meta = NULL;

		if (arh_catalog_record(h->cat, row->name, c->records[i].reference,
		    &meta, &err) != 0)
			goto out;
		json_decref(meta);
	}
	same = 1;
out:
	if (dfd != -1)
		close(dfd);
	arh_case_free(c);
	arh_problems_release(&probs);
	return same;
}

int
arh_inbox_ingest(struct arh_home *h, const char *name,
    enum arh_inbox_outcome *outcome, struct arh_ingest_result *res,
    struct arh_problems *probs, struct arh_err *err)
{
	struct arh_archive_row row;
	struct arh_err e2;
	char path[4096];
	int ifd = -1, dfd = -1, rc;

	*outcome = ARH_INBOX_RETRY;
	memset(res, 0, sizeof(*res));
	if (!arh_inbox_name_ok(name))
		return arh_errf(err, ARH_EUSAGE, "'%s' is not an inbox item",
		    name);
	if ((rc = open_inbox(h, &ifd, err)) != 0)
		return rc;
	if ((rc = open_dir(h->cfg->done, 0750, "done", &dfd, err)) != 0)
		goto out;
	snprintf(path, sizeof(path), "%s/%s", h->cfg->inbox, name);
	rc = arh_ingest(h, path, 0, res, probs, err);
	if (rc == ARH_EEXIST) {
		/* The catalog has this case file: archived by us before a
		 * crash (then done), or other content (refused). */
		struct arh_problems p2;
		char ref[256];

		arh_problems_init(&p2);
		{
			struct arh_case *c = NULL;
			char today[11];

			arh_today(today);
			ref[0] = '\0';
			if (arh_case_load(path, today, &c, &p2, &e2) == 0)
				snprintf(ref, sizeof(ref), "%s", c->reference);
			arh_case_free(c);
		}
		arh_problems_release(&p2);
		if (ref[0] != '\0' &&
		    arh_catalog_latest(h->cat, ref, &row, &e2) == 0 &&
		    already_archived(h, path, &row)) {
			snprintf(res->name, sizeof(res->name), "%s", row.name);
			res->version = row.version;
			res->nrecords = (size_t)row.nrecords;
			res->nfiles = (size_t)row.nfiles;
			res->tar_size = (uint64_t)row.size;
			snprintf(res->tar_sha256, sizeof(res->tar_sha256), "%s",
			    row.sha256);
			if ((rc = move_item(ifd, name, dfd, "done", NULL, 0,
			    err)) == 0)
				*outcome = ARH_INBOX_ALREADY;
			goto out;
		}
		/* Other content under an archived reference: a person
		 * decides (arhiivar ingest --new-version). */
		rc = ARH_EINVAL;
	}
	if (rc == 0) {
		if ((rc = move_item(ifd, name, dfd, "done", NULL, 0, err)) == 0)
			*outcome = ARH_INBOX_ARCHIVED;
		else
			/* Archived, but still in the inbox: the next try finds
			 * it archived and moves it. */
			*outcome = ARH_INBOX_RETRY;
		goto out;
	}
	if (transient(rc))
		goto out;
	/* Permanent: every problem into REASON.txt, the item beside it. */
	{
		struct arh_err qe;
		int qrc;

		qrc = quarantine(h, ifd, name, NULL, probs, err->msg, NULL, 0,
		    &qe);
		if (qrc != 0) {
			*err = qe;
			rc = qrc;
			goto out;
		}
		*outcome = ARH_INBOX_QUARANTINED;
		rc = 0;
	}
out:
	if (dfd != -1)
		close(dfd);
	close(ifd);
	return rc;
}

/* The problem lines of REASON.txt (up to the blank line). */
static char *
read_reasons(int qdir, const char *q)
{
	char p[600], *buf = NULL, *blank;
	size_t len;
	struct arh_err err;

	snprintf(p, sizeof(p), "%s/%s", q, REASON);
	if (arh_read_file(qdir, p, 1024 * 1024, &buf, &len, &err) != 0)
		return strdup("(no REASON.txt)");
	if ((blank = strstr(buf, "\n\n")) != NULL)
		blank[1] = '\0';
	return buf;
}

int
arh_quarantine_list(struct arh_home *h,
    int (*cb)(void *arg, const struct arh_quarantined *q), void *arg,
    struct arh_err *err)
{
	struct arh_quarantined q;
	struct item *v;
	struct tm tm;
	size_t n, i;
	int qfd, rc;

	if ((rc = open_dir(h->cfg->quarantine, 0750, "quarantine", &qfd,
	    err)) != 0)
		return rc;
	rc = list_items(qfd, &v, &n, err);
	for (i = 0; rc == 0 && i < n; i++) {
		memset(&q, 0, sizeof(q));
		snprintf(q.name, sizeof(q.name), "%s", v[i].name);
		gmtime_r(&v[i].ctime.tv_sec, &tm);
		strftime(q.at, sizeof(q.at), "%Y-%m-%dT%H:%M:%SZ", &tm);
		if ((q.reasons = read_reasons(qfd, v[i].name)) == NULL) {
			rc = arh_errf(err, ARH_ENOMEM, "out of memory");
			break;
		}
		rc = cb(arg, &q);
		free(q.reasons);
	}
	free(v);
	close(qfd);
	return rc;
}

int
arh_quarantine_retry(struct arh_home *h, const char *name,
    struct arh_err *err)
{
	char inner[256], item[256];
	struct stat st;
	int qfd = -1, ifd = -1, dfd = -1, rc;

	if (!arh_inbox_name_ok(name))
		return arh_errf(err, ARH_EUSAGE, "'%s' is not a quarantined "
		    "item name", name);
	if ((rc = open_dir(h->cfg->quarantine, 0750, "quarantine", &qfd,
	    err)) != 0)
		return rc;
	if ((dfd = openat(qfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
	    O_NOFOLLOW)) == -1) {
		rc = arh_errf(err, ARH_ENOTFOUND, "no quarantined item '%s': "
		    "see 'arhiivar quarantine list'", name);
		goto out;
	}
	/* The item inside keeps its name as submitted (the first component
	 * of the quarantine name, before any .N suffix). */
	item[0] = '\0';
	{
		DIR *d;
		struct dirent *de;
		int fd = dup(dfd);

		if (fd != -1 && (d = fdopendir(fd)) != NULL) {
			while ((de = readdir(d)) != NULL)
				if (arh_inbox_name_ok(de->d_name) &&
				    fstatat(dfd, de->d_name, &st,
				    AT_SYMLINK_NOFOLLOW) == 0 &&
				    S_ISDIR(st.st_mode)) {
					snprintf(item, sizeof(item), "%s",
					    de->d_name);
					break;
				}
			closedir(d);
		} else if (fd != -1)
			close(fd);
	}
	if (item[0] == '\0') {
		rc = arh_errf(err, ARH_ENOTFOUND, "quarantined item '%s' holds "
		    "no case file directory", name);
		goto out;
	}
	if ((rc = open_inbox(h, &ifd, err)) != 0)
		goto out;
	snprintf(inner, sizeof(inner), "%s", item);
	if (fstatat(ifd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		rc = arh_errf(err, ARH_EEXIST, "the inbox already holds '%s'",
		    name);
		goto out;
	}
	if (arh_rename_noreplace(dfd, inner, ifd, name) == -1) {
		rc = arh_errno(err, errno == EEXIST ? ARH_EEXIST : ARH_EIO,
		    errno, "cannot move '%s' back into the inbox", name);
		goto out;
	}
	if ((rc = arh_fsync_fd(ifd, "inbox", err)) != 0 ||
	    (rc = arh_fsync_fd(dfd, name, err)) != 0)
		goto out;
	/* The reason stays readable until the directory is gone. */
	(void)unlinkat(dfd, REASON, 0);
	if (unlinkat(qfd, name, AT_REMOVEDIR) == 0)
		(void)arh_fsync_fd(qfd, "quarantine", err);
out:
	if (ifd != -1)
		close(ifd);
	if (dfd != -1)
		close(dfd);
	close(qfd);
	return rc;
}

int
arh_done_expire(struct arh_home *h, long days, size_t *n,
    struct arh_err *err)
{
	struct item *v;
	size_t cnt, i;
	time_t limit = time(NULL) - (time_t)days * 86400;
	int dfd, rc;

	*n = 0;
	if ((rc = open_dir(h->cfg->done, 0750, "done", &dfd, err)) != 0)
		return rc;
	rc = list_items(dfd, &v, &cnt, err);
	for (i = 0; rc == 0 && i < cnt; i++) {
		if (days > 0 && v[i].ctime.tv_sec > limit)
			break;		/* oldest first: the rest are newer */
		remove_tree(dfd, v[i].name);
		(*n)++;
	}
	if (*n > 0)
		(void)arh_fsync_fd(dfd, "done", err);
	free(v);
	close(dfd);
	return rc;
}
