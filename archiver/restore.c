/*
 * restore.c — one file out of an archive, by its catalogued offset.
 *
 * Order matters: the access decision comes first (a refusal touches no
 * archive byte and is an event); then the sealed manifest is checked (seal
 * over tagmanifest-sha512.txt → digest of the manifest index → digest of
 * the one chunk of manifest-sha256.txt that can hold the file's line → the
 * line; in an archive without the index, digest of the whole manifest →
 * the line); then the member is read at its offset, hashed and published
 * only if its digest is the sealed one.
 *
 * A bare copy (arh_restore_copy) has no catalog to ask: its members are
 * found by reading the tar headers, the seal chain is checked first (it is
 * what makes metadata/case.json, and so the access decision, trustworthy),
 * and then the same member check and the same output code are used.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "arhiivar/ops.h"
#include "arhiivar/redact.h"
#include "text.h"
#include "fault.h"
#include "manifest_index.h"
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

/* For the header scan of a bare copy: libarchive skips data by seeking. */
static la_int64_t
at_seek(struct archive *a, void *arg, la_int64_t offset, int whence)
{
	struct at_source *s = arg;
	struct stat st;

	(void)a;
	if (whence == SEEK_SET)
		s->off = (off_t)offset;
	else if (whence == SEEK_CUR)
		s->off += (off_t)offset;
	else if (fstat(s->fd, &st) == 0)
		s->off = st.st_size + (off_t)offset;
	else
		return ARCHIVE_FATAL;
	return s->off;
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

/* The tag file `path` of `size` bytes whose header is at `offset`
 * (NUL-terminated). */
static int
read_tag_at(int fd, int64_t offset, const char *path, uint64_t size,
    struct membuf *out, struct arh_err *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (size > ARH_MAX_TAG_BYTES)
		return arh_errf(err, ARH_EFORMAT, "'%s' is larger than a tag "
		    "file may be: verify the archive", path);
	if ((out->p = ARH_FAULT_ALLOC(malloc(size + 1))) == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory reading '%s'",
		    path);
	rc = read_member_at(fd, offset, path, size, to_mem, out, err);
	out->p[out->len] = '\0';
	return rc;
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
	rc = read_tag_at(fd, row.header_offset, path, row.size, out, err);
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
 * The tag files the seal chain runs through.  With the manifest index only
 * the index and one chunk of manifest-sha256.txt are read, found at the
 * manifest's data offset; without it (an archive written before the
 * index) the whole manifest.
 */
struct chain {
	struct membuf	man;		/* manifest-sha256.txt, or empty */
	struct membuf	idx;		/* its index, or empty */
	struct membuf	tagman;		/* tagmanifest-sha512.txt */
	struct membuf	sig;		/* signature/tagmanifest-sha512.txt.p7s */
	int64_t		man_data;	/* where the manifest's data starts */
	uint64_t	man_size;
};

static void
chain_release(struct chain *c)
{
	free(c->man.p);
	free(c->idx.p);
	free(c->tagman.p);
	free(c->sig.p);
	memset(c, 0, sizeof(*c));
}

/* err's message behind the name of the layer that failed (verify.h). */
static int
in_layer(struct arh_err *err, int rc, const char *layer)
{
	char msg[ARH_ERR_MSG];

	if (err == NULL)
		return rc;
	snprintf(msg, sizeof(msg), "%s", err->msg[0] ? err->msg :
	    arh_strerror(rc));
	return arh_errf(err, rc, "%s: %s", layer, msg);
}

/* The tag file `name` is the one the sealed tag manifest lists. */
static int
tag_sealed(const struct chain *c, const char *name, const struct membuf *tag,
    struct arh_err *err)
{
	char d[129], listed[129];

	if (sha512_hex(tag->p, tag->len, d) != 0 ||
	    manifest_digest(c->tagman.p, 128, name, listed) != 0 ||
	    strcmp(d, listed) != 0)
		return arh_errf(err, ARH_EVERIFY, "tagmanifest: %s does not "
		    "match the sealed tag manifest: verify the archive", name);
	return 0;
}

/* len bytes at off of fd into buf; -1 with errno, or 0 at a short read. */
static ssize_t
pread_all(int fd, char *buf, size_t len, off_t off)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pread(fd, buf + done, len - done, off + (off_t)done);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return n;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/*
 * Chunk k of the manifest, read from fd and checked against the index
 * (NUL-terminated into out).
 */
static int
read_chunk(int fd, const struct chain *c, const struct arh_mindex *ix,
    long k, struct membuf *out, struct arh_err *err)
{
	const struct arh_mchunk *ch = &ix->v[k];
	struct arh_err e;
	ssize_t n;

	memset(out, 0, sizeof(*out));
	if ((out->p = ARH_FAULT_ALLOC(malloc((size_t)ch->len + 1))) == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	n = pread_all(fd, out->p, (size_t)ch->len, (off_t)(c->man_data +
	    (int64_t)ch->off));
	if (n == -1)
		return arh_errno(err, ARH_EIO, errno, "cannot read "
		    "manifest-sha256.txt in the archive");
	out->len = (size_t)n;
	out->p[out->len] = '\0';
	arh_err_clear(&e);
	if (arh_mindex_chunk_check(ch, out->p, out->len, &e) != 0)
		return arh_errf(err, ARH_EVERIFY, "index: chunk %ld of "
		    "manifest-sha256.txt (bytes %llu to %llu, from '%s') does "
		    "not match %s: %s; verify the archive", k + 1,
		    (unsigned long long)ch->off, (unsigned long long)(ch->off +
		    ch->len), ch->first, ARH_INDEX_PATH, e.msg);
	return 0;
}

/*
 * The file's line by the index: the sealed index names the one chunk of
 * the manifest that can hold it (the manifest is sorted by path), and
 * gives that chunk's SHA-256.
 */
static int
indexed_digest(int fd, struct chain *c, const char *path, char expect[65],
    struct arh_err *err)
{
	struct arh_mindex ix = { NULL, 0 };
	struct membuf chunk = { NULL, 0 };
	long k;
	int rc;

	if ((rc = tag_sealed(c, ARH_INDEX_PATH, &c->idx, err)) != 0)
		return rc;
	if ((rc = arh_mindex_parse(&ix, c->idx.p, c->idx.len, c->man_size,
	    err)) != 0)
		return rc == ARH_EFORMAT ? in_layer(err, ARH_EVERIFY, "index") :
		    rc;
	if ((k = arh_mindex_find(&ix, path)) >= 0 &&
	    (rc = read_chunk(fd, c, &ix, k, &chunk, err)) != 0)
		goto out;
	if (k < 0 || manifest_digest(chunk.p, 64, path, expect) != 0)
		rc = arh_errf(err, ARH_EVERIFY, "completeness: '%s' is not in "
		    "the sealed manifest", path);
out:
	free(chunk.p);
	arh_mindex_release(&ix);
	return rc;
}

/*
 * The SHA-256 the seal vouches for: the seal covers tagmanifest-sha512.txt,
 * which holds the SHA-512 of manifest-sha256.txt (or of its index, which
 * holds the SHA-256 of each chunk of it), which holds the file's SHA-256.
 * (The SHA-256 manifest is the smaller one to hash, and SHA-256 is the
 * faster digest for the payload.)
 */
static int
chain_check(const struct arh_trust *trust, int fd, struct chain *c,
    const char *path, char expect[65], struct arh_err *err)
{
	int rc;

	if ((rc = arh_seal_verify(trust, c->tagman.p, c->tagman.len, c->sig.p,
	    c->sig.len, NULL, err)) != 0)
		return rc == ARH_EVERIFY ? in_layer(err, rc, "seal") : rc;
	if (c->idx.p != NULL)
		return indexed_digest(fd, c, path, expect, err);
	if ((rc = tag_sealed(c, "manifest-sha256.txt", &c->man, err)) != 0)
		return rc;
	if (manifest_digest(c->man.p, 64, path, expect) != 0)
		return arh_errf(err, ARH_EVERIFY, "completeness: '%s' is not in "
		    "the sealed manifest", path);
	return 0;
}

/*
 * The manifest's locator and its index when the catalog has one, else the
 * whole manifest.
 */
static int
read_manifest_or_index(struct arh_home *h, int fd, const char *archive,
    struct chain *c, struct arh_err *err)
{
	struct arh_file_row row;
	int rc;

	rc = read_tag(h, fd, archive, ARH_INDEX_PATH, &c->idx, err);
	if (rc == ARH_ENOTFOUND) {
		free(c->idx.p);
		c->idx.p = NULL;
		arh_err_clear(err);
		return read_tag(h, fd, archive, "manifest-sha256.txt", &c->man,
		    err);
	}
	if (rc != 0 || (rc = arh_catalog_file(h->cat, archive,
	    "manifest-sha256.txt", &row, err)) != 0)
		return rc;
	c->man_data = row.data_offset;
	c->man_size = row.size;
	arh_file_row_release(&row);
	return 0;
}

/* The sealed SHA-256 of a catalogued archive's file `path`. */
static int
sealed_digest(struct arh_home *h, const struct arh_restore_req *req, int fd,
    const char *path, char expect[65], struct arh_err *err)
{
	struct arh_trust *own = NULL;
	struct chain c;
	int rc;

	memset(&c, 0, sizeof(c));
	if ((rc = read_manifest_or_index(h, fd, req->archive, &c, err)) != 0 ||
	    (rc = read_tag(h, fd, req->archive, "tagmanifest-sha512.txt",
	    &c.tagman, err)) != 0 ||
	    (rc = read_tag(h, fd, req->archive,
	    "signature/tagmanifest-sha512.txt.p7s", &c.sig, err)) != 0 ||
	    (req->trust == NULL &&
	    (rc = arh_home_trust(h, NULL, 0, &own, err)) != 0))
		goto out;
	rc = chain_check(req->trust ? req->trust : own, fd, &c, path, expect,
	    err);
out:
	arh_trust_free(own);
	chain_release(&c);
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

/*
 * --force replaces a regular file, nothing else: as root, renaming over
 * /dev/null would turn the device into a file.  A symlink is refused too
 * (the user named the link, not what it points to).
 */
static int
replaceable(const char *out, struct arh_err *err)
{
	struct stat st;
	const char *what = "a special file";

	if (lstat(out, &st) == -1 || S_ISREG(st.st_mode))
		return 0;
	if (S_ISDIR(st.st_mode))
		what = "a directory";
	else if (S_ISLNK(st.st_mode))
		what = "a symbolic link";
	else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		what = "a device";
	else if (S_ISFIFO(st.st_mode))
		what = "a FIFO";
	return arh_errf(err, ARH_EEXIST, "'%s' is %s; --force replaces only a "
	    "regular file: give -o a file name, or -o - for standard output",
	    out, what);
}

/* Output: a temp file beside the target, or an unnamed one for stdout. */
static int
open_output(const struct arh_restore_req *req, int *dirfd, char *tmp,
    size_t n, struct arh_err *err)
{
	char *copy, *dir;
	int fd, rc;

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
	if (req->force && (rc = replaceable(req->out, err)) != 0)
		return rc;
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

/*
 * What a granted restore records, committed before any of its bytes is
 * visible: a restore can fail after its event (the failure is then an
 * event too), but no byte leaves without one.
 */
struct grant {
	struct arh_home	*h;		/* NULL: a bare copy without a home */
	const char	*archive;
	const char	*path;
	const char	*detail;
};

static int
record_grant(const struct grant *g, struct arh_err *err)
{
	struct arh_err e;

	if (g->h == NULL)
		return 0;
	if (event(g->h, "restore", g->archive, g->path, "ok", g->detail,
	    &e) != 0)
		return arh_errf(err, ARH_ECATALOG, "'%s' was not restored: the "
		    "restore could not be recorded in the audit trail: %s",
		    g->path, e.msg);
	return 0;
}

/* A restore that failed after it was granted: an event with the reason,
 * as far as the catalog can still take one. */
static void
record_failure(const struct grant *g, const char *detail)
{
	struct arh_err e;

	if (g->h != NULL)
		(void)event(g->h, "restore", g->archive, g->path, "failed",
		    detail, &e);
}

/*
 * Read member f, check it has the sealed SHA-256 `expect`, record the
 * grant and only then publish it as req->out (or copy it to stdout).
 */
static int
extract(const struct arh_restore_req *req, int archfd,
    const struct arh_file_row *f, const char expect[65],
    const struct grant *g, struct arh_err *err)
{
	struct filesink fs = { -1, NULL, 0 };
	char got[65], tmp[128];
	unsigned char md[32];
	unsigned int mdlen;
	int dirfd = -1, rc;

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
		rc = arh_errf(err, ARH_EVERIFY, "payload: '%s' in the archive "
		    "does not match its sealed digest; nothing was written: "
		    "verify the archive", f->path);
		goto out;
	}
	if ((rc = record_grant(g, err)) != 0)
		goto out;
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

/* "a, b, c" into buf (n bytes, cut quietly). */
static void
join_roles(char *buf, size_t n, char *const *v, size_t nv)
{
	size_t i, o = 0;
	int k;

	buf[0] = '\0';
	for (i = 0; i < nv && o < n; i++) {
		k = snprintf(buf + o, n - o, "%s%s", i ? ", " : "", v[i]);
		if (k < 0)
			break;
		o += (size_t)k;
	}
}

/* *hidden: 1 if some record of the archive is withheld from the caller. */
static int
withholds(struct arh_home *h, const struct arh_restore_req *req, int *hidden,
    struct arh_err *err)
{
	struct arh_redact_caller who;
	struct arh_redact r;
	char today[11];
	int rc;

	arh_today(today);
	who.roles = req->who->roles;
	who.nroles = req->who->nroles;
	who.entitled = h->cfg->internal_roles;
	who.nentitled = h->cfg->ninternal_roles;
	who.today = today;
	arh_redact_init(&r);
	rc = arh_redact_from_catalog(&r, &who, h->cat, req->archive, err);
	*hidden = r.n > 0;
	arh_redact_release(&r);
	return rc;
}

/*
 * The one refusal for "not there" and "withheld": it echoes what the
 * caller typed, no more.  A denial was recorded by decide(); a missing
 * file is recorded the same way, so the events tell the two apart only
 * to those entitled to see the record's files (redact.h).
 */
static int
refuse_alike(struct arh_home *h, struct arh_restore_req *req,
    const char *path, int rc, struct arh_err *err)
{
	char need[256] = "", have[256] = "";
	struct arh_err e;
	int erc = 0;

	const char *tail;

	if (rc == ARH_ENOTFOUND)
		erc = event(h, "denial", req->archive, path, "denied",
		    "no such file in the archive", &e);
	/* decide() said so when its denial could not be recorded: keep it. */
	else if ((tail = strstr(err->msg, "; and the refusal could not be "
	    "recorded: ")) != NULL) {
		snprintf(e.msg, sizeof(e.msg), "%s", tail + 41);
		erc = 1;
	}
	join_roles(need, sizeof(need), h->cfg->internal_roles,
	    h->cfg->ninternal_roles);
	join_roles(have, sizeof(have), req->who->roles, req->who->nroles);
	return arh_errf(err, ARH_EDENIED, "access denied to '%s': it is not "
	    "in '%s', or it belongs to a record not open to you (internal use "
	    "in force needs the role %s; none of your roles (%s) is one)%s%s",
	    arh_show(req->path).s, req->archive, need[0] ? need : "(none)",
	    have, erc ? "; and the refusal could not be recorded: " : "",
	    erc ? e.msg : "");
}

/*
 * A refusal rc (ARH_ENOTFOUND, ARH_EDENIED) made alike when some record is
 * withheld from the caller.  Asked only when refusing: finding out reads
 * every file row of the archive, which a granted restore need not pay.
 */
static int
refusal(struct arh_home *h, struct arh_restore_req *req, const char *path,
    int rc, struct arh_err *err)
{
	struct arh_err e;
	int hidden = 0, r;

	arh_err_clear(&e);
	if ((r = withholds(h, req, &hidden, &e)) != 0)
		return arh_errf(err, r, "%s", e.msg);
	return hidden ? refuse_alike(h, req, path, rc, err) : rc;
}

int
arh_restore(struct arh_home *h, struct arh_restore_req *req,
    struct arh_err *err)
{
	struct arh_archive_row arow;
	struct arh_file_row f;
	char path[ARH_MAX_PATH + 8], expect[65];
	int fd = -1, rc;

	memset(&f, 0, sizeof(f));
	snprintf(path, sizeof(path), "%s%s", strncmp(req->path, "data/", 5) ?
	    "data/" : "", req->path);
	if ((rc = arh_catalog_get(h->cat, req->archive, &arow, err)) != 0)
		goto out;
	/* To a caller from whom some of the archive is withheld, a file that
	 * is not there and one that is withheld get the same answer and the
	 * same event: the refusal is no oracle for guessed names. */
	if ((rc = arh_catalog_file(h->cat, req->archive, path, &f,
	    err)) == ARH_ENOTFOUND)
		rc = refusal(h, req, path, rc, err);
	if (rc != 0)
		goto out;
	if (f.record == NULL) {
		rc = arh_errf(err, ARH_ENOTFOUND, "'%s' is not a payload file",
		    path);
		goto out;
	}
	if ((rc = decide(h, req, &f, err)) == ARH_EDENIED)
		rc = refusal(h, req, path, rc, err);
	if (rc != 0)
		goto out;
	if ((rc = arh_open_regular(arh_store_dirfd(h->store), arow.path,
	    0, "archive", &fd, err)) != 0) {
		if (rc == ARH_ENOTFOUND)	/* catalogued, so not a "no" */
			rc = err->code = ARH_EIO;
		goto out;
	}
	{
		/* Every restore is an audit event: the grant is committed
		 * before the file is visible (extract), a failure after. */
		struct grant g = { h, req->archive, f.path, req->out ?
		    req->out : "standard output" };
		if ((rc = sealed_digest(h, req, fd, f.path, expect, err)) == 0)
			rc = extract(req, fd, &f, expect, &g, err);
		if (rc != 0 && rc != ARH_ECATALOG)
			record_failure(&g, err->msg);
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
	if ((rc = arh_open_regular(arh_store_dirfd(h->store), row.path,
	    0, "archive", &fd, err)) != 0)
		return rc == ARH_ENOTFOUND ? (err->code = ARH_EIO) : rc;
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

/* ---- a bare copy: no catalog ------------------------------------------ */

/* The members a restore from a bare copy needs, found by their headers. */
enum { M_MAN, M_TAGMAN, M_SIG, M_META, M_FILE, M_INDEX, NMEMBERS };

struct found {
	const char	*path;
	int64_t		 offset;	/* of its header */
	int64_t		 data;		/* of its data */
	uint64_t	 size;
	int		 seen;
};

struct scan {
	char		 bag[256];	/* the top-level directory */
	struct found	 m[NMEMBERS];
};

/* One tar entry of the scan: is it a member we look for? */
static int
scan_entry(struct scan *s, struct archive_entry *e, int64_t pos,
    struct arh_err *err)
{
	const char *name = archive_entry_pathname_utf8(e), *rel;
	size_t i, bl;

	if (name == NULL || (rel = strchr(name, '/')) == NULL)
		return 0;
	bl = (size_t)(rel++ - name);
	for (i = 0; i < NMEMBERS; i++) {
		if (strcmp(rel, s->m[i].path) != 0)
			continue;
		/* Two of a name: which one a tar tool gives is its choice. */
		if (s->m[i].seen)
			return arh_errf(err, ARH_EVERIFY, "structure: '%s' "
			    "appears twice in the archive: verify it", rel);
		if (s->bag[0] == '\0' && bl < sizeof(s->bag)) {
			memcpy(s->bag, name, bl);
			s->bag[bl] = '\0';
		}
		if (strlen(s->bag) != bl || memcmp(s->bag, name, bl) != 0)
			return arh_errf(err, ARH_EVERIFY, "structure: '%s' is "
			    "not in the bag '%s': verify the archive", name,
			    s->bag);
		if (archive_entry_filetype(e) != AE_IFREG)
			return arh_errf(err, ARH_EVERIFY, "structure: '%s' is "
			    "not a regular file: verify the archive", rel);
		s->m[i].offset = pos;
		s->m[i].size = (uint64_t)archive_entry_size(e);
		s->m[i].seen = 1;
	}
	return 0;
}

/*
 * Read every header of the tar once, from the start, skipping data by
 * seeking, and note where the members of s are.  `what` names the file
 * in messages.
 */
static int
scan_copy(int fd, const char *what, struct scan *s, struct arh_err *err)
{
	struct archive *a;
	struct archive_entry *e;
	struct at_source *src;
	struct found *pending = NULL;
	int64_t pos;
	int r, rc = ARH_EVERIFY;

	if ((src = ARH_FAULT_ALLOC(calloc(1, sizeof(*src)))) == NULL ||
	    (a = archive_read_new()) == NULL) {
		free(src);
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	}
	src->fd = fd;
	archive_read_support_format_tar(a);
	archive_read_set_read_callback(a, at_read);
	archive_read_set_seek_callback(a, at_seek);
	archive_read_set_callback_data(a, src);
	if ((r = archive_read_open1(a)) == ARCHIVE_OK)
		for (;;) {
			r = archive_read_next_header(a, &e);
			pos = archive_read_header_position(a);
			/* Data ends, padded to 512 bytes, where the next
			 * header starts (as bag_read.c finds it). */
			if (pending != NULL)
				pending->data = pos - (int64_t)((pending->size +
				    511) & ~(uint64_t)511);
			pending = NULL;
			if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
				break;
			if ((rc = scan_entry(s, e, pos, err)) != 0)
				goto out;
			if (s->m[M_MAN].seen && s->m[M_MAN].offset == pos)
				pending = &s->m[M_MAN];
			if ((r = archive_read_data_skip(a)) != ARCHIVE_OK)
				break;
		}
	if (src->errnum != 0)
		rc = arh_errno(err, ARH_EIO, src->errnum, "cannot read '%s'",
		    what);
	else if (r != ARCHIVE_EOF)
		rc = arh_errf(err, ARH_EVERIFY, "structure: '%s' is not a "
		    "readable tar archive: %s", what, archive_error_string(a) ?
		    archive_error_string(a) : "unexpected end");
	else
		rc = 0;
out:
	archive_read_free(a);
	free(src);
	return rc;
}

const json_t *
arh_restore_record_of(const json_t *manifest, const char *path)
{
	const json_t *rec, *f;
	size_t i, j;

	json_array_foreach(json_object_get(manifest, "records"), i, rec)
		json_array_foreach(json_object_get(rec, "files"), j, f)
			if (json_is_string(json_object_get(f, "path")) &&
			    strcmp(json_string_value(json_object_get(f,
			    "path")), path) == 0)
				return json_is_object(json_object_get(rec,
				    "metadata")) ? json_object_get(rec,
				    "metadata") : NULL;
	return NULL;
}

/*
 * The sealed metadata of the copy: metadata/case.json, checked against the
 * sealed tag manifest, naming the bag the members are in.  *root is a new
 * reference.
 */
static int
sealed_metadata(int fd, const struct scan *s, const struct chain *c,
    json_t **root, struct arh_err *err)
{
	const struct found *m = &s->m[M_META];
	struct membuf meta;
	const char *name;
	int rc;

	*root = NULL;
	if ((rc = read_tag_at(fd, m->offset, m->path, m->size, &meta,
	    err)) != 0 ||
	    (rc = tag_sealed(c, m->path, &meta, err)) != 0)
		goto out;
	rc = ARH_EVERIFY;
	if ((*root = json_loadb(meta.p, meta.len, JSON_REJECT_DUPLICATES,
	    NULL)) == NULL) {
		arh_errf(err, rc, "metadata: %s is not valid JSON", m->path);
		goto out;
	}
	name = json_string_value(json_object_get(json_object_get(*root,
	    "archive"), "name"));
	if (name == NULL || strcmp(name, s->bag) != 0) {
		arh_errf(err, rc, "metadata: %s names archive '%s' but the bag "
		    "directory is '%s': verify the archive", m->path, name ?
		    name : "(none)", s->bag);
		json_decref(*root);
		*root = NULL;
		goto out;
	}
	rc = 0;
out:
	free(meta.p);
	return rc;
}

/*
 * The record to decide on, as a new reference: the home's when it
 * catalogues this archive (what a catalogued restore decides on), else the
 * sealed one; and when the home has extended the record's restriction
 * (`access extend`, kept in the catalog only), with the later end, so a
 * copy never opens what the catalog still restricts.
 */
static int
record_to_decide(struct arh_home *h, const char *bag, const json_t *sealed,
    json_t **out, struct arh_err *err)
{
	const char *ref = json_string_value(json_object_get(sealed,
	    "reference")), *end, *sealed_end;
	json_t *latest = NULL, *acc;
	char name[256];
	int rc;

	*out = NULL;
	if (h != NULL && ref != NULL) {
		rc = arh_catalog_record(h->cat, bag, ref, out, err);
		if (rc != ARH_ENOTFOUND)
			return rc;
		arh_err_clear(err);
		if ((rc = arh_catalog_extended(h->cat, ref, NULL, NULL, NULL,
		    err)) < 0)
			return rc;
		if (rc == 1 && (rc = arh_catalog_record_latest(h->cat, ref,
		    name, &latest, err)) != 0 && rc != ARH_ENOTFOUND)
			return rc;
		arh_err_clear(err);
	}
	rc = ARH_ENOMEM;
	if ((*out = json_deep_copy(sealed)) == NULL)
		goto out;
	acc = json_object_get(*out, "access");
	end = json_string_value(json_object_get(json_object_get(latest,
	    "access"), "end"));
	sealed_end = json_string_value(json_object_get(acc, "end"));
	if (end != NULL && json_is_object(acc) && (sealed_end == NULL ||
	    strcmp(end, sealed_end) > 0) &&
	    json_object_set_new(acc, "end", json_string(end)) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0) {
		json_decref(*out);
		*out = NULL;
		arh_errf(err, rc, "out of memory");
	}
	json_decref(latest);
	return rc;
}

/*
 * Access for a copy: the caller's roles with a home; without one, only
 * "public" (there is no [roles] table, and nowhere to record the restore
 * of a restricted record).
 */
static int
decide_copy(struct arh_home *h, struct arh_restore_req *req, const char *bag,
    const char *path, const json_t *sealed, struct arh_err *err)
{
	static char *const public_only[] = { (char *)"public" };
	struct arh_view_decision v;
	json_t *meta;
	char today[11];
	int rc;

	if ((rc = record_to_decide(h, bag, sealed, &meta, err)) != 0)
		return rc;
	arh_today(today);
	arh_policy_view(meta, h ? req->who->roles : public_only,
	    h ? req->who->nroles : 1, h ? h->cfg->internal_roles : NULL,
	    h ? h->cfg->ninternal_roles : 0, today, &v);
	req->decision = v.access;
	if (!req->decision.allow && h == NULL)
		rc = arh_errf(err, ARH_EDENIED, "access denied to '%s': %s; "
		    "without a home only records open to the public can be "
		    "restored from a copy", path, req->decision.why);
	else if (!req->decision.allow) {
		struct arh_err e;
		int erc = event(h, "denial", bag, path, "denied",
		    req->decision.why, &e);
		rc = arh_errf(err, ARH_EDENIED, "access denied to '%s': %s%s%s",
		    path, req->decision.why, erc ? "; and the refusal could "
		    "not be recorded: " : "", erc ? e.msg : "");
	}
	json_decref(meta);
	return rc;
}

/* Seal chain, metadata, access, then the member itself. */
static int
restore_scanned(struct arh_home *h, struct arh_restore_req *req, int fd,
    const struct scan *s, const char *detail, struct arh_err *err)
{
	const struct found *m = &s->m[M_FILE];
	struct arh_file_row f;
	const json_t *record;
	json_t *root = NULL;
	struct chain c;
	char expect[65];
	int rc;

	memset(&c, 0, sizeof(c));
	memset(&f, 0, sizeof(f));
	c.man_data = s->m[M_MAN].data;
	c.man_size = s->m[M_MAN].size;
	if ((rc = (s->m[M_INDEX].seen && s->m[M_MAN].data >= 0) ?
	    read_tag_at(fd, s->m[M_INDEX].offset, s->m[M_INDEX].path,
	    s->m[M_INDEX].size, &c.idx, err) :
	    read_tag_at(fd, s->m[M_MAN].offset, s->m[M_MAN].path,
	    s->m[M_MAN].size, &c.man, err)) != 0 ||
	    (rc = read_tag_at(fd, s->m[M_TAGMAN].offset, s->m[M_TAGMAN].path,
	    s->m[M_TAGMAN].size, &c.tagman, err)) != 0 ||
	    (rc = read_tag_at(fd, s->m[M_SIG].offset, s->m[M_SIG].path,
	    s->m[M_SIG].size, &c.sig, err)) != 0 ||
	    (rc = chain_check(req->trust, fd, &c, m->path, expect, err)) != 0 ||
	    (rc = sealed_metadata(fd, s, &c, &root, err)) != 0)
		goto out;
	if ((record = arh_restore_record_of(root, m->path)) == NULL) {
		rc = arh_errf(err, ARH_EVERIFY, "metadata: '%s' belongs to no "
		    "record in metadata/case.json: verify the archive",
		    m->path);
		goto out;
	}
	if ((rc = decide_copy(h, req, s->bag, m->path, record, err)) != 0)
		goto out;
	f.path = (char *)m->path;	/* not released: f is only a locator */
	f.size = m->size;
	f.header_offset = m->offset;
	{
		struct grant g = { h, s->bag, m->path, detail };
		rc = extract(req, fd, &f, expect, &g, err);
	}
out:
	json_decref(root);
	chain_release(&c);
	return rc;
}

/* 1 if fd is the store's file of a catalogued archive (into row), else 0. */
static int
store_copy(struct arh_home *h, int fd, const char *file,
    struct arh_archive_row *row, struct arh_err *err)
{
	const char *base = strrchr(file, '/');
	struct stat a, b;
	char name[256];
	size_t l;
	int rc;

	base = base ? base + 1 : file;
	l = strlen(base);
	if (l <= 4 || l - 4 >= sizeof(name) || strcmp(base + l - 4, ".tar"))
		return 0;
	memcpy(name, base, l - 4);
	name[l - 4] = '\0';
	if ((rc = arh_catalog_get(h->cat, name, row, err)) != 0) {
		if (rc != ARH_ENOTFOUND)
			return rc;
		arh_err_clear(err);
		return 0;
	}
	return strcmp(row->path, base) == 0 && fstat(fd, &a) == 0 &&
	    fstatat(arh_store_dirfd(h->store), row->path, &b,
	    AT_SYMLINK_NOFOLLOW) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino;
}

int
arh_restore_copy(struct arh_home *h, const char *file,
    struct arh_restore_req *req, struct arh_err *err)
{
	static const char *const paths[NMEMBERS] = { "manifest-sha256.txt",
	    "tagmanifest-sha512.txt", "signature/tagmanifest-sha512.txt.p7s",
	    "metadata/case.json", NULL, ARH_INDEX_PATH };
	struct arh_archive_row row;
	struct scan s;
	char path[ARH_MAX_PATH + 8], detail[ARH_ERR_MSG + 256];
	char *abs;
	size_t i;
	int fd, rc;

	req->bag[0] = '\0';
	req->catalogued = 0;
	snprintf(path, sizeof(path), "%s%s", strncmp(req->path, "data/", 5) ?
	    "data/" : "", req->path);
	if ((rc = arh_open_regular(AT_FDCWD, file, 1, "archive file", &fd,
	    err)) != 0)
		return rc == ARH_ENOTFOUND ? (err->code = ARH_EIO) : rc;
	if (h != NULL && (rc = store_copy(h, fd, file, &row, err)) != 0) {
		close(fd);
		if (rc < 0)
			return rc;
		snprintf(req->bag, sizeof(req->bag), "%s", row.name);
		req->catalogued = 1;
		req->archive = req->bag;
		return arh_restore(h, req, err);
	}
	if (req->trust == NULL) {
		close(fd);
		return arh_errf(err, ARH_EUSAGE, "no trust anchors to check "
		    "the seal of '%s' against", file);
	}
	memset(&s, 0, sizeof(s));
	for (i = 0; i < NMEMBERS; i++) {
		s.m[i].path = paths[i] ? paths[i] : path;
		s.m[i].data = -1;
	}
	if ((rc = scan_copy(fd, file, &s, err)) != 0)
		goto out;
	for (i = 0; i < M_FILE; i++)
		if (!s.m[i].seen) {
			rc = arh_errf(err, ARH_EVERIFY, "structure: '%s' has no "
			    "%s: it is not a sealed Arhiivar archive", file,
			    s.m[i].path);
			goto out;
		}
	snprintf(req->bag, sizeof(req->bag), "%s", s.bag);
	if (!s.m[M_FILE].seen) {
		rc = arh_errf(err, ARH_ENOTFOUND, "'%s' is not in '%s'", path,
		    file);
		goto out;
	}
	/* As from the store, every restore is an event when there is a
	 * home to hold it: the grant before the file is visible, a failure
	 * after (a refusal was recorded as a denial). */
	abs = realpath(file, NULL);
	snprintf(detail, sizeof(detail), "from the copy '%s' to %s%s%s",
	    abs ? abs : file, req->out ? "'" : "", req->out ? req->out :
	    "standard output", req->out ? "'" : "");
	rc = restore_scanned(h, req, fd, &s, detail, err);
	if (rc != 0 && rc != ARH_EDENIED && rc != ARH_ECATALOG) {
		struct grant g = { h, s.bag, path, NULL };
		snprintf(detail, sizeof(detail), "from the copy '%s': %s",
		    abs ? abs : file, err->msg);
		record_failure(&g, detail);
	}
	free(abs);
out:
	close(fd);
	return rc;
}

int
arh_spec_is_path(const char *spec)
{
	size_t l = strlen(spec);

	/* Not "an existing file": a reference such as 1-2/2020 must mean
	 * the catalogued archive even when a file of that name is in the
	 * current directory, or a good copy there answers for it. */
	return (l >= 4 && strcmp(spec + l - 4, ".tar") == 0) ||
	    spec[0] == '/' || strncmp(spec, "./", 2) == 0 ||
	    strncmp(spec, "../", 3) == 0;
}
