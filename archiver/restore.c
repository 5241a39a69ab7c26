/*
 * restore.c — one file out of an archive, by its catalogued offset.
 *
 * Order matters: the access decision comes first (a refusal touches no
 * archive byte and is an event); then the sealed manifest is checked (seal
 * over tagmanifest-sha512.txt → digest of manifest-sha512.txt → the file's
 * line); then the member is read at its offset, hashed and published only
 * if its digest is the sealed one.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "arhiivar/ops.h"
#include "fault.h"
#include "util.h"

#define CHUNK	(256 * 1024)

struct at_source {
	int		 fd;
	off_t		 off;
	int		 errnum;	/* of a failed read: not the archive's fault */
	unsigned char	 buf[64 * 1024];
};

static la_ssize_t
at_read(struct archive *a, void *arg, const void **buf)
{
	struct at_source *s = arg;
	ssize_t n;

	(void)a;
	do
		n = pread(s->fd, s->buf, sizeof(s->buf), s->off);
	while (n == -1 && errno == EINTR);
	if (n > 0)
		s->off += n;
	if (n == -1)
		s->errnum = errno;
	*buf = s->buf;
	return n;
}

/* Called with each block of a member's data. */
typedef int (*sink_fn)(void *arg, const void *buf, size_t len);

/*
 * Read the member whose header starts at `offset` and check it is `path`
 * of `size` bytes; stream its data to sink.
 */
static int
read_member_at(int fd, int64_t offset, const char *path, uint64_t size,
    sink_fn sink, void *arg, struct arh_err *err)
{
	struct archive *a;
	struct archive_entry *e;
	struct at_source *src;
	unsigned char *buf = NULL;
	const char *name;
	uint64_t done = 0;
	la_ssize_t n;
	int rc = ARH_EFORMAT;

	if ((src = ARH_FAULT_ALLOC(calloc(1, sizeof(*src)))) == NULL ||
	    (buf = ARH_FAULT_ALLOC(malloc(CHUNK))) == NULL ||
	    (a = archive_read_new()) == NULL) {
		free(src);
		free(buf);
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	}
	src->fd = fd;
	src->off = (off_t)offset;
	archive_read_support_format_tar(a);
	if (archive_read_open(a, src, NULL, at_read, NULL) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK) {
		if (src->errnum != 0)
			rc = arh_errno(err, ARH_EIO, src->errnum, "cannot read "
			    "the archive at offset %lld", (long long)offset);
		else
			rc = arh_errf(err, ARH_EFORMAT, "no tar header at "
			    "offset %lld: %s", (long long)offset,
			    archive_error_string(a));
		goto out;
	}
	name = archive_entry_pathname_utf8(e);
	if (name == NULL || (name = strchr(name, '/')) == NULL ||
	    strcmp(name + 1, path) != 0 || archive_entry_filetype(e) != AE_IFREG
	    || (uint64_t)archive_entry_size(e) != size) {
		rc = arh_errf(err, ARH_EVERIFY, "the member at offset %lld is "
		    "not '%s' as catalogued: verify the archive", (long long)
		    offset, path);
		goto out;
	}
	while ((n = archive_read_data(a, buf, CHUNK)) > 0) {
		if ((rc = sink(arg, buf, (size_t)n)) != 0)
			goto out;
		done += (uint64_t)n;
	}
	if (src->errnum != 0) {
		rc = arh_errno(err, ARH_EIO, src->errnum, "cannot read '%s' "
		    "in the archive", path);
		goto out;
	}
	if (n < 0 || done != size) {
		rc = arh_errf(err, ARH_EVERIFY, "'%s' is truncated in the "
		    "archive: verify the archive", path);
		goto out;
	}
	rc = 0;
out:
	archive_read_free(a);
	free(src);
	free(buf);
	return rc;
}

struct membuf {
	char	*p;
	size_t	 len;
};

static int
to_mem(void *arg, const void *buf, size_t len)
{
	struct membuf *m = arg;

	memcpy(m->p + m->len, buf, len);
	m->len += len;
	return 0;
}

/* A catalogued tag file's contents (NUL-terminated). */
static int
read_tag(struct arh_home *h, int fd, const char *archive, const char *path,
    struct membuf *out, struct arh_err *err)
{
	struct arh_file_row row;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = arh_catalog_file(h->cat, archive, path, &row, err)) != 0)
		return rc;
	if (row.size > ARH_MAX_TAG_BYTES) {
		arh_file_row_release(&row);
		return arh_errf(err, ARH_EFORMAT, "'%s' is larger than a tag "
		    "file may be: verify the archive", path);
	}
	if ((out->p = ARH_FAULT_ALLOC(malloc(row.size + 1))) == NULL) {
		arh_file_row_release(&row);
		return arh_errf(err, ARH_ENOMEM, "out of memory reading '%s'",
		    path);
	}
	rc = read_member_at(fd, row.header_offset, path, row.size, to_mem, out,
	    err);
	out->p[out->len] = '\0';
	arh_file_row_release(&row);
	return rc;
}

static int
sha512_hex(const void *buf, size_t len, char out[129])
{
	unsigned char md[64];
	unsigned int n;

	if (EVP_Digest(buf, len, md, &n, EVP_sha512(), NULL) != 1)
		return ARH_ECRYPTO;
	arh_hex(md, n, out);
	return 0;
}

/*
 * The digest on the line "<hexlen hex digits>  <path>" of a manifest, into
 * out (hexlen + 1 bytes); -1 if there is no such line.
 */
static int
manifest_digest(const char *text, size_t hexlen, const char *path,
    char *out)
{
	size_t pl = strlen(path);
	const char *p, *nl;

	for (p = text; *p; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			return -1;
		if ((size_t)(nl - p) == hexlen + 2 + pl && p[hexlen] == ' ' &&
		    p[hexlen + 1] == ' ' &&
		    memcmp(p + hexlen + 2, path, pl) == 0) {
			memcpy(out, p, hexlen);
			out[hexlen] = '\0';
			return 0;
		}
	}
	return -1;
}

/*
 * The SHA-256 the seal vouches for: the seal covers tagmanifest-sha512.txt,
 * which holds the SHA-512 of manifest-sha256.txt, which holds the file's
 * SHA-256.  (The SHA-256 manifest is the smaller one to hash, and SHA-256
 * is the faster digest for the payload.)
 */
static int
sealed_digest(struct arh_home *h, int fd, const char *archive,
    const char *path, char expect[65], struct arh_err *err)
{
	struct membuf man = { 0 }, tagman = { 0 }, sig = { 0 };
	struct arh_trust *trust = NULL;
	char d[129], listed[129];
	int rc;

	if ((rc = read_tag(h, fd, archive, "manifest-sha256.txt", &man,
	    err)) != 0 ||
	    (rc = read_tag(h, fd, archive, "tagmanifest-sha512.txt", &tagman,
	    err)) != 0 ||
	    (rc = read_tag(h, fd, archive,
	    "signature/tagmanifest-sha512.txt.p7s", &sig, err)) != 0 ||
	    (rc = arh_home_trust(h, NULL, 0, &trust, err)) != 0)
		goto out;
	if ((rc = arh_seal_verify(trust, tagman.p, tagman.len, sig.p, sig.len,
	    NULL, err)) != 0)
		goto out;
	rc = ARH_EVERIFY;
	if (sha512_hex(man.p, man.len, d) != 0 ||
	    manifest_digest(tagman.p, 128, "manifest-sha256.txt", listed) != 0 ||
	    strcmp(d, listed) != 0) {
		arh_errf(err, rc, "manifest-sha256.txt does not match the sealed "
		    "tag manifest: verify the archive");
		goto out;
	}
	if (manifest_digest(man.p, 64, path, expect) != 0) {
		arh_errf(err, rc, "'%s' is not in the sealed manifest", path);
		goto out;
	}
	rc = 0;
out:
	arh_trust_free(trust);
	free(man.p);
	free(tagman.p);
	free(sig.p);
	return rc;
}

struct filesink {
	int		 fd;
	EVP_MD_CTX	*md;
	int		 errnum;
};

static int
to_file(void *arg, const void *buf, size_t len)
{
	struct filesink *s = arg;

	EVP_DigestUpdate(s->md, buf, len);
	if (arh_write_all(s->fd, buf, len) == -1) {
		s->errnum = errno;
		return ARH_EIO;
	}
	return 0;
}

/* Record an audit event; 0 or the catalog's error in `e`. */
static int
event(struct arh_home *h, const char *kind, const char *archive,
    const char *target, const char *result, const char *detail,
    struct arh_err *e)
{
	struct arh_event ev = { kind, h->actor, archive, target, result,
	    detail };

	return arh_catalog_event(h->cat, &ev, e);
}

/* Access first: may this caller have the file's record? */
static int
decide(struct arh_home *h, struct arh_restore_req *req,
    const struct arh_file_row *f, struct arh_err *err)
{
	struct arh_view_decision v;
	json_t *meta = NULL;
	char today[11];
	int rc;

	if ((rc = arh_catalog_record(h->cat, req->archive, f->record, &meta,
	    err)) != 0)
		return rc;
	arh_today(today);
	arh_policy_view(meta, req->who->roles, req->who->nroles,
	    h->cfg->internal_roles, h->cfg->ninternal_roles, today, &v);
	req->decision = v.access;
	if (!req->decision.allow) {
		struct arh_err e;
		int erc = event(h, "denial", req->archive, f->path, "denied",
		    req->decision.why, &e);
		rc = arh_errf(err, ARH_EDENIED, "access denied to '%s': %s%s%s",
		    f->path, req->decision.why, erc ? "; and the refusal could "
		    "not be recorded: " : "", erc ? e.msg : "");
	}
	json_decref(meta);
	return rc;
}

/* Output: a temp file beside the target, or an unnamed one for stdout. */
static int
open_output(const struct arh_restore_req *req, int *dirfd, char *tmp,
    size_t n, struct arh_err *err)
{
	char *copy, *dir;
	int fd;

	*dirfd = -1;
	tmp[0] = '\0';
	if (req->out == NULL) {
		const char *td = getenv("TMPDIR");
		fd = ARH_FAULT_SYS(OPEN, open(td && *td ? td : "/tmp", O_RDWR |
		    O_TMPFILE | O_CLOEXEC, 0600));
		if (fd == -1)
			return arh_errno(err, ARH_EIO, errno, "cannot create a "
			    "temporary file");
		return fd;
	}
	if (!req->force && access(req->out, F_OK) == 0)
		return arh_errf(err, ARH_EEXIST, "'%s' exists; give --force "
		    "to replace it, or -o another file", req->out);
	if ((copy = ARH_FAULT_ALLOC(strdup(req->out))) == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	dir = dirname(copy);
	*dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (*dirfd == -1)
		return arh_errno(err, ARH_EIO, errno, "cannot open the "
		    "directory of '%s'", req->out);
	/* Unnamed until checked: a restore killed half-way leaves nothing. */
	fd = ARH_FAULT_SYS(OPEN, openat(*dirfd, ".", O_WRONLY | O_TMPFILE |
	    O_CLOEXEC, 0644));
	if (fd != -1)
		return fd;
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
		int e = errno;
		close(*dirfd);
		*dirfd = -1;
		return arh_errno(err, ARH_EIO, e, "cannot create a file beside "
		    "'%s'", req->out);
	}
	/* A file system without O_TMPFILE: a named temporary file. */
	snprintf(tmp, n, ".arhiivar-restore-%ld.tmp", (long)getpid());
	fd = ARH_FAULT_SYS(OPEN, openat(*dirfd, tmp, O_WRONLY | O_CREAT |
	    O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
	if (fd == -1) {
		int e = errno;
		close(*dirfd);
		*dirfd = -1;
		return arh_errno(err, ARH_EIO, e, "cannot create a file beside "
		    "'%s'", req->out);
	}
	return fd;
}

/* A named temporary file into place; -1 with errno. */
static int
place_named(const struct arh_restore_req *req, int dirfd, const char *tmp,
    const char *base)
{
	return req->force ? ARH_FAULT_SYS(RENAME, renameat(dirfd, tmp, dirfd,
	    base)) : arh_rename_noreplace(dirfd, tmp, dirfd, base);
}

/*
 * An unnamed (O_TMPFILE) file into place: linked under its name, which
 * never replaces anything; with --force linked under a temporary name and
 * renamed over the old file.  -1 with errno.
 */
static int
place_unnamed(const struct arh_restore_req *req, int fd, int dirfd,
    const char *base)
{
	char proc[64], tmp[NAME_MAX + 1];
	int e;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (!req->force)
		return ARH_FAULT_SYS(RENAME, linkat(AT_FDCWD, proc, dirfd, base,
		    AT_SYMLINK_FOLLOW));
	/* Named after the output, so that a restore killed between link and
	 * rename leaves at most this one file, which the next --force
	 * restore of the same output removes. */
	if (snprintf(tmp, sizeof(tmp), ".%s.arhiivar-restore", base) >=
	    (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	unlinkat(dirfd, tmp, 0);
	if (linkat(AT_FDCWD, proc, dirfd, tmp, AT_SYMLINK_FOLLOW) == -1)
		return -1;
	if (ARH_FAULT_SYS(RENAME, renameat(dirfd, tmp, dirfd, base)) == -1) {
		e = errno;
		unlinkat(dirfd, tmp, 0);
		errno = e;
		return -1;
	}
	return 0;
}

/* Make the checked bytes visible: rename into place, or copy to stdout. */
static int
publish_output(const struct arh_restore_req *req, int fd, int dirfd,
    const char *tmp, struct arh_err *err)
{
	char *copy, buf[CHUNK / 4];
	ssize_t n;
	int r;

	if (req->out == NULL) {
		if (lseek(fd, 0, SEEK_SET) == -1)
			return arh_errno(err, ARH_EIO, errno, "cannot rewind");
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			if (arh_write_all(STDOUT_FILENO, buf, (size_t)n) == -1)
				return arh_errno(err, ARH_EIO, errno,
				    "cannot write to standard output");
		return n == 0 ? 0 : arh_errno(err, ARH_EIO, errno, "read");
	}
	if (arh_fsync_fd(fd, req->out, err) != 0)
		return ARH_EIO;
	if ((copy = ARH_FAULT_ALLOC(strdup(req->out))) == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	r = tmp[0] ? place_named(req, dirfd, tmp, basename(copy)) :
	    place_unnamed(req, fd, dirfd, basename(copy));
	free(copy);
	if (r == -1)
		return arh_errno(err, errno == EEXIST ? ARH_EEXIST : ARH_EIO,
		    errno, "cannot publish the checked file as '%s'",
		    req->out);
	return arh_fsync_fd(dirfd, "the output directory", err);
}

static int
extract(struct arh_home *h, struct arh_restore_req *req, int archfd,
    const struct arh_file_row *f, struct arh_err *err)
{
	struct filesink fs = { -1, NULL, 0 };
	char expect[65], got[65], tmp[128];
	unsigned char md[32];
	unsigned int mdlen;
	int dirfd = -1, rc;

	if ((rc = sealed_digest(h, archfd, req->archive, f->path, expect,
	    err)) != 0)
		return rc;
	if ((fs.fd = open_output(req, &dirfd, tmp, sizeof(tmp), err)) < 0)
		return fs.fd;
	if ((fs.md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(fs.md, EVP_sha256(), NULL) != 1) {
		rc = arh_errf(err, ARH_ENOMEM, "out of memory");
		goto out;
	}
	rc = read_member_at(archfd, f->header_offset, f->path, f->size,
	    to_file, &fs, err);
	if (rc == ARH_EIO && fs.errnum != 0)	/* else a read failed */
		rc = arh_errno(err, ARH_EIO, fs.errnum, "cannot write '%s'",
		    req->out ? req->out : "temporary file");
	if (rc != 0)
		goto out;
	EVP_DigestFinal_ex(fs.md, md, &mdlen);
	arh_hex(md, mdlen, got);
	if (strcmp(got, expect) != 0) {
		rc = arh_errf(err, ARH_EVERIFY, "'%s' in the archive does not "
		    "match its sealed digest; nothing was written: verify the "
		    "archive", f->path);
		goto out;
	}
	if ((rc = publish_output(req, fs.fd, dirfd, tmp, err)) == 0)
		tmp[0] = '\0';
out:
	if (tmp[0] != '\0' && dirfd != -1)
		unlinkat(dirfd, tmp, 0);
	if (dirfd != -1)
		close(dirfd);
	close(fs.fd);
	EVP_MD_CTX_free(fs.md);
	return rc;
}

int
arh_restore(struct arh_home *h, struct arh_restore_req *req,
    struct arh_err *err)
{
	struct arh_archive_row arow;
	struct arh_file_row f;
	char path[ARH_MAX_PATH + 8];
	int fd = -1, rc;

	memset(&f, 0, sizeof(f));
	snprintf(path, sizeof(path), "%s%s", strncmp(req->path, "data/", 5) ?
	    "data/" : "", req->path);
	if ((rc = arh_catalog_get(h->cat, req->archive, &arow, err)) != 0 ||
	    (rc = arh_catalog_file(h->cat, req->archive, path, &f, err)) != 0)
		goto out;
	if (f.record == NULL) {
		rc = arh_errf(err, ARH_ENOTFOUND, "'%s' is not a payload file",
		    path);
		goto out;
	}
	if ((rc = decide(h, req, &f, err)) != 0)
		goto out;
	fd = openat(arh_store_dirfd(h->store), arow.path, O_RDONLY |
	    O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1) {
		rc = arh_errno(err, ARH_EIO, errno, "cannot open archive '%s'",
		    arow.path);
		goto out;
	}
	rc = extract(h, req, fd, &f, err);
	{
		struct arh_err e;
		/* Every restore is an audit event: a restore that cannot be
		 * recorded is reported as failed, though its file exists. */
		if (event(h, "restore", req->archive, f.path, rc == 0 ? "ok" :
		    "failed", rc == 0 ? req->out : err->msg, &e) != 0 &&
		    rc == 0)
			rc = arh_errf(err, ARH_ECATALOG, "'%s' was restored, "
			    "but the restore could not be recorded in the "
			    "audit trail: %s", f.path, e.msg);
	}
out:
	if (fd != -1)
		close(fd);
	arh_file_row_release(&f);
	return rc;
}

int
arh_archive_tag(struct arh_home *h, const char *archive, const char *path,
    char **buf, size_t *len, struct arh_err *err)
{
	struct arh_archive_row row;
	struct membuf m = { 0 };
	int fd, rc;

	*buf = NULL;
	*len = 0;
	/* Payload goes through the access policy (arh_restore), never here. */
	if (strncmp(path, "data/", 5) == 0)
		return arh_errf(err, ARH_EUSAGE, "'%s' is payload", path);
	if ((rc = arh_catalog_get(h->cat, archive, &row, err)) != 0)
		return rc;
	fd = openat(arh_store_dirfd(h->store), row.path, O_RDONLY |
	    O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		return arh_errno(err, ARH_EIO, errno, "cannot open archive "
		    "'%s'", row.path);
	rc = read_tag(h, fd, archive, path, &m, err);
	close(fd);
	if (rc != 0) {
		free(m.p);
		return rc;
	}
	*buf = m.p;
	*len = m.len;
	return 0;
}
