/* util.c — careful file I/O, durable publishing, dates, hex, JSON fields. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>


#include "fault.h"
#include "util.h"

int
arh_read_file(int dirfd, const char *path, size_t cap, char **buf,
    size_t *len, struct arh_err *err)
{
	struct stat st;
	char *b = NULL;
	size_t n = 0;
	ssize_t r;
	int fd, rc = ARH_EIO;

	*buf = NULL;
	*len = 0;
	fd = openat(dirfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NOCTTY | O_NONBLOCK);
	if (fd == -1) {
		if (errno == ENOENT)
			return arh_errno(err, ARH_ENOTFOUND, errno,
			    "cannot open '%s'", path);
		return arh_errno(err, ARH_EIO, errno, "cannot open '%s'", path);
	}
	if (fstat(fd, &st) == -1) {
		rc = arh_errno(err, ARH_EIO, errno, "cannot stat '%s'", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = arh_errf(err, ARH_EINVAL, "'%s' is not a regular file",
		    path);
		goto out;
	}
	if ((uint64_t)st.st_size > cap) {
		rc = arh_errf(err, ARH_EINVAL, "'%s' is too large (%lld bytes, "
		    "at most %zu)", path, (long long)st.st_size, cap);
		goto out;
	}
	if ((b = ARH_FAULT_ALLOC(malloc((size_t)st.st_size + 1))) == NULL) {
		rc = arh_errf(err, ARH_ENOMEM, "out of memory reading '%s'",
		    path);
		goto out;
	}
	while (n < (size_t)st.st_size) {
		r = read(fd, b + n, (size_t)st.st_size - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			rc = arh_errno(err, ARH_EIO, errno, "cannot read '%s'",
			    path);
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	b = NULL;	/* transferred */
	rc = 0;
out:
	free(b);
	close(fd);
	return rc;
}

int
arh_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t w;

	while (len > 0) {
		w = ARH_FAULT_WRITE(fd, p, len);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int
arh_fsync_fd(int fd, const char *what, struct arh_err *err)
{
	/* A failed fsync is final: the page cache may already have dropped
	 * the dirty pages, so a retry could "succeed" over lost data. */
	if (ARH_FAULT_SYS(FSYNC, fsync(fd)) == -1)
		return arh_errno(err, ARH_EIO, errno, "cannot fsync '%s'", what);
	return 0;
}

int
arh_rename_noreplace(int olddirfd, const char *oldname, int newdirfd,
    const char *newname)
{
	return ARH_FAULT_SYS(RENAME, renameat2(olddirfd, oldname, newdirfd,
	    newname, RENAME_NOREPLACE));
}

int
arh_write_file_atomic(int dirfd, const char *name, const void *buf,
    size_t len, mode_t mode, int noreplace, struct arh_err *err)
{
	char tmp[512];
	int fd, rc = ARH_EIO;

	if (snprintf(tmp, sizeof(tmp), ".tmp-%ld-%s", (long)getpid(), name)
	    >= (int)sizeof(tmp) || strchr(name, '/') != NULL)
		return arh_errf(err, ARH_EINTERNAL, "bad file name '%s'", name);
	fd = ARH_FAULT_SYS(OPEN, openat(dirfd, tmp, O_WRONLY | O_CREAT |
	    O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
	if (fd == -1)
		return arh_errno(err, ARH_EIO, errno, "cannot create '%s'", tmp);
	if (arh_write_all(fd, buf, len) == -1) {
		rc = arh_errno(err, ARH_EIO, errno, "cannot write '%s'", name);
		goto fail;
	}
	if ((rc = arh_fsync_fd(fd, name, err)) != 0)
		goto fail;
	close(fd);
	fd = -1;
	if (noreplace)
		rc = arh_rename_noreplace(dirfd, tmp, dirfd, name);
	else
		rc = ARH_FAULT_SYS(RENAME, renameat(dirfd, tmp, dirfd, name));
	if (rc == -1) {
		int e = errno;
		rc = arh_errno(err, e == EEXIST ? ARH_EEXIST : ARH_EIO, e,
		    "cannot publish '%s'", name);
		goto fail;
	}
	return arh_fsync_fd(dirfd, "directory", err);
fail:
	if (fd != -1)
		close(fd);
	unlinkat(dirfd, tmp, 0);
	return rc;
}

/* 01:00 UTC on the last Sunday of a month (0-based) of a year. */
static time_t
last_sunday_0100(int year, int month)
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = month + 1;
	tm.tm_mday = 0;		/* the last day of `month` */
	tm.tm_hour = 1;
	t = timegm(&tm);
	gmtime_r(&t, &tm);
	return t - (time_t)tm.tm_wday * 86400;
}

/*
 * Europe/Tallinn without touching TZ (setenv/tzset are process-global and
 * not thread-safe): UTC+2, and UTC+3 from 01:00 UTC on the last Sunday of
 * March to 01:00 UTC on the last Sunday of October, the EU rule Estonia
 * keeps.
 */
long
arh_tallinn_offset(time_t t)
{
	struct tm tm;
	int year;

	gmtime_r(&t, &tm);
	year = tm.tm_year + 1900;
	return t >= last_sunday_0100(year, 2) && t < last_sunday_0100(year, 9) ?
	    3 * 3600 : 2 * 3600;
}

void
arh_tallinn_date(time_t t, char out[11])
{
	struct tm tm;

	t += arh_tallinn_offset(t);
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

void
arh_today(char out[11])
{
	arh_tallinn_date(time(NULL), out);
}

void
arh_now_utc(char out[21])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int64_t
arh_date_epoch(const char *date)
{
	struct tm tm;
	char *end;

	memset(&tm, 0, sizeof(tm));
	if (date == NULL || strlen(date) != 10)
		return -1;
	end = strptime(date, "%Y-%m-%d", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	return (int64_t)timegm(&tm);
}

void
arh_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

char *
arh_strdup(const char *s)
{
	return s == NULL ? NULL : strdup(s);
}

const char *
arh_json_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

int
arh_sha256_file(int dirfd, const char *name, char out[65],
    struct arh_err *err)
{
	unsigned char buf[1 << 16], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx;
	ssize_t n;
	int fd, rc = 0;

	if ((fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return arh_errno(err, ARH_EIO, errno, "cannot open '%s'", name);
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		rc = arh_errf(err, ARH_ECRYPTO, "cannot start SHA-256");
		goto out;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1) {
			rc = arh_errf(err, ARH_ECRYPTO, "SHA-256 failed");
			goto out;
		}
	if (n == -1)
		rc = arh_errno(err, ARH_EIO, errno, "cannot read '%s'", name);
	else if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1)
		rc = arh_errf(err, ARH_ECRYPTO, "SHA-256 failed");
	else
		arh_hex(md, mdlen, out);
out:
	EVP_MD_CTX_free(ctx);
	close(fd);
	return rc;
}
