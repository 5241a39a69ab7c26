/*
 * bag_read.c — streaming verification of an archive (see verify.h).
 *
 * The tar is read once through our own read callback, which also hashes
 * the raw bytes (the catalog records the tar's SHA-256).  Payload members
 * are hashed with SHA-512 ∥ SHA-256 as they stream by and then forgotten;
 * tag files are kept in memory (each capped) until the end, when the
 * manifests, tag manifests, seal and metadata are checked.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "arhiivar/input.h"
#include "arhiivar/verify.h"
#include "bag_read.h"
#include "dualhash.h"
#include "manifest_index.h"
#include "util.h"

static la_ssize_t
source_read(struct archive *a, void *arg, const void **buf)
{
	struct source *s = arg;
	unsigned char *b;
	ssize_t n;

	/* libarchive is done with the block it had: the pool may hand it
	 * out again once the worker has hashed it. */
	(void)a;
	b = arh_dualhash_buffer(s->tarhash);
	do
		n = read(s->fd, b, arh_dualhash_block(s->tarhash));
	while (n == -1 && errno == EINTR);
	if (n <= 0) {
		arh_dualhash_release(s->tarhash, b);
		if (n == -1)
			s->errnum = errno;
		*buf = NULL;
		return n;
	}
	arh_dualhash_update(s->tarhash, b, (size_t)n);
	s->total += (uint64_t)n;
	*buf = b;
	return n;
}

const struct tagfile arh_tagfiles[NTAGS] = {
	{ "bagit.txt", 1, 0 },
	{ "bag-info.txt", 1, 0 },
	{ "manifest-sha256.txt", 1, 0 },
	{ "manifest-sha512.txt", 1, 0 },
	{ "metadata/case.json", 1, 0 },
	{ "tagmanifest-sha256.txt", 0, 0 },
	{ "tagmanifest-sha512.txt", 0, 0 },
	{ "signature/tagmanifest-sha512.txt.p7s", 0, 0 },
	{ ARH_INDEX_PATH, 1, 1 },
};

int
arh_finding(struct arh_verify_report *r, const char *layer, const char *member,
    const char *fmt, ...)
{
	struct arh_layer_count *lc = NULL;
	struct arh_finding *v, *f;
	va_list ap;
	char msg[1024];
	size_t i;

	for (i = 0; i < r->nlayers && lc == NULL; i++)
		if (strcmp(r->layers[i].layer, layer) == 0)
			lc = &r->layers[i];
	if (lc == NULL && r->nlayers < ARH_MAX_LAYERS) {
		lc = &r->layers[r->nlayers++];
		lc->layer = layer;
	}
	if (lc != NULL && lc->listed >= ARH_MAX_FINDINGS_PER_LAYER) {
		lc->unlisted++;
		r->unlisted++;
		return 0;
	}
	if (r->n == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 16;
		if ((v = realloc(r->items, ncap * sizeof(*v))) == NULL)
			return ARH_ENOMEM;
		r->items = v;
		r->cap = ncap;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	f = &r->items[r->n];
	f->layer = strdup(layer);
	f->member = strdup(member ? member : "");
	f->message = strdup(msg);
	if (f->layer == NULL || f->member == NULL || f->message == NULL) {
		free(f->layer);
		free(f->member);
		free(f->message);
		return ARH_ENOMEM;
	}
	r->n++;
	if (lc != NULL)
		lc->listed++;
	return 0;
}

void
arh_verify_report_release(struct arh_verify_report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->items[i].layer);
		free(r->items[i].member);
		free(r->items[i].message);
	}
	free(r->items);
	arh_bag_summary_release(&r->sum);
	memset(r, 0, sizeof(*r));
}

static int
tag_index(const char *path)
{
	size_t i;

	for (i = 0; i < NTAGS; i++)
		if (strcmp(arh_tagfiles[i].path, path) == 0)
			return (int)i;
	return -1;
}

/*
 * Split a member name into the bag name and the path inside it.  Refuses
 * absolute paths, ".", ".." and empty components.  *rel is "" for the bag
 * directory itself.  Returns 0 or -1 with *why set.
 */
static int
split_name(char *name, char **bag, char **rel, const char **why)
{
	const char *p, *q;
	size_t l = strlen(name);

	if (name[0] == '/') {
		*why = "absolute path";
		return -1;
	}
	while (l > 0 && name[l - 1] == '/')
		name[--l] = '\0';
	for (p = name; ; p = q + 1) {
		q = strchr(p, '/');
		size_t cl = q ? (size_t)(q - p) : strlen(p);
		if (cl == 0) {
			*why = "empty path component";
			return -1;
		}
		if ((cl == 1 && p[0] == '.') ||
		    (cl == 2 && p[0] == '.' && p[1] == '.')) {
			*why = "'.' or '..' in the path";
			return -1;
		}
		if (q == NULL)
			break;
	}
	*bag = name;
	if ((name = strchr(name, '/')) == NULL) {
		*rel = *bag + l;
		return 0;
	}
	*name = '\0';
	*rel = name + 1;
	return 0;
}

static struct arh_member *
add_member(struct reader *rd, const char *rel, uint64_t size,
    int64_t header_offset)
{
	struct arh_bag_summary *s = &rd->rep->sum;
	struct arh_member *m;

	if (s->nmembers == rd->memcap) {
		size_t ncap = rd->memcap ? rd->memcap * 2 : 64;
		if ((m = realloc(s->members, ncap * sizeof(*m))) == NULL)
			return NULL;
		s->members = m;
		rd->memcap = ncap;
	}
	m = &s->members[s->nmembers];
	memset(m, 0, sizeof(*m));
	if ((m->path = strdup(rel)) == NULL)
		return NULL;
	m->payload = strncmp(rel, "data/", 5) == 0;
	m->size = size;
	m->header_offset = header_offset;
	m->data_offset = -1;
	s->nmembers++;
	return m;
}

/* Stream one member's data through both digests; keep tag files. */
static int
read_data(struct reader *rd, struct arh_member *m, int tag)
{
	unsigned char *buf;
	la_ssize_t n;
	uint64_t done = 0;
	char *keep = NULL;

	if (tag >= 0 && (keep = malloc(m->size + 1)) == NULL)
		return ARH_ENOMEM;
	/* Both digests arrive at the sync after the stream, by index. */
	if (arh_dualhash_begin(rd->dh, (size_t)(m - rd->rep->sum.members)) != 0) {
		free(keep);
		return ARH_ENOMEM;
	}
	for (;;) {
		buf = arh_dualhash_buffer(rd->dh);
		if ((n = archive_read_data(rd->a, buf,
		    arh_dualhash_block(rd->dh))) <= 0) {
			arh_dualhash_release(rd->dh, buf);
			break;
		}
		if (keep != NULL && done + (uint64_t)n <= m->size)
			memcpy(keep + done, buf, (size_t)n);
		arh_dualhash_update(rd->dh, buf, (size_t)n);
		done += (uint64_t)n;
	}
	arh_dualhash_end(rd->dh);
	if (n < 0 || done != m->size) {
		free(keep);
		rd->broken = 1;
		return arh_finding(rd->rep, "structure", m->path, "member data is "
		    "truncated or unreadable: %s", archive_error_string(rd->a) ?
		    archive_error_string(rd->a) : "short read");
	}
	if (keep != NULL) {
		keep[done] = '\0';
		free(rd->tag[tag]);
		rd->tag[tag] = keep;
		rd->taglen[tag] = (size_t)done;
	}
	return 0;
}

static int
allowed_dir(const char *rel)
{
	return *rel == '\0' || strcmp(rel, "data") == 0 ||
	    strncmp(rel, "data/", 5) == 0 || strcmp(rel, "metadata") == 0 ||
	    strcmp(rel, "signature") == 0;
}

/* One tar entry: structure checks, then its data. */
static int
read_entry(struct reader *rd, struct archive_entry *e, int64_t pos)
{
	struct arh_verify_report *rep = rd->rep;
	const char *name = archive_entry_pathname_utf8(e), *why = NULL;
	char *copy, *bag, *rel;
	struct arh_member *m;
	mode_t type = archive_entry_filetype(e);
	char gwhy[200];
	int g, tag, rc = 0;

	if (name == NULL)
		name = archive_entry_pathname(e);
	if (name == NULL || (copy = strdup(name)) == NULL)
		return arh_finding(rep, "structure", "", "member without a name");
	if (strlen(name) > ARH_MAX_MEMBER_NAME) {
		rc = arh_finding(rep, "structure", "", "a member name of %zu "
		    "bytes, more than the %d tar can extract", strlen(name),
		    ARH_MAX_MEMBER_NAME);
		goto out;
	}
	if (split_name(copy, &bag, &rel, &why) == -1) {
		rc = arh_finding(rep, "structure", name, "unsafe member name (%s)",
		    why);
		goto out;
	}
	if (rep->sum.name == NULL && (rep->sum.name = strdup(bag)) == NULL) {
		rc = ARH_ENOMEM;
		goto out;
	}
	if (strcmp(bag, rep->sum.name) != 0) {
		rc = arh_finding(rep, "structure", name, "second top-level "
		    "directory '%s' (the archive must hold only '%s')", bag,
		    rep->sum.name);
		goto out;
	}
	if (archive_entry_hardlink(e) != NULL || archive_entry_symlink(e)
	    != NULL || (type != AE_IFREG && type != AE_IFDIR)) {
		rc = arh_finding(rep, "structure", rel, "unexpected member type "
		    "(only files and directories are allowed)");
		goto out;
	}
	if (rd->base >= 0 && (g = arh_tar_grammar(rd->src.fd, rd->base + pos,
	    type == AE_IFDIR, name, gwhy, sizeof(gwhy))) != 0) {
		if (g < 0)
			rc = arh_errno(rd->err, ARH_EIO, -g, "cannot read the "
			    "archive");
		else
			rc = arh_finding(rep, "structure", *rel ? rel : name,
			    "%s", gwhy);
		goto out;
	}
	if (type == AE_IFDIR) {
		if (!allowed_dir(rel))
			rc = arh_finding(rep, "structure", rel,
			    "unexpected directory");
		goto out;
	}
	tag = tag_index(rel);
	if (tag < 0 && strncmp(rel, "data/", 5) != 0) {
		rc = arh_finding(rep, "structure", rel, "unexpected member (not "
		    "payload and not a tag file of this format)");
		goto out;
	}
	if (tag >= 0 && archive_entry_size(e) > ARH_MAX_TAG_BYTES) {
		rc = arh_finding(rep, "structure", rel, "tag file too large");
		goto out;
	}
	if (rep->sum.nmembers >= ARH_MAX_MEMBERS) {
		rc = arh_finding(rep, "structure", rel, "too many members");
		rd->broken = 1;
		goto out;
	}
	if ((m = add_member(rd, rel, (uint64_t)archive_entry_size(e), pos))
	    == NULL) {
		rc = ARH_ENOMEM;
		goto out;
	}
	rc = read_data(rd, m, tag);
out:
	free(copy);
	return rc;
}

static int
reader_init(struct reader *rd, int fd, unsigned hash_flags,
    struct arh_verify_report *rep, struct arh_err *err)
{
	int rc;

	memset(rd, 0, sizeof(*rd));
	rd->rep = rep;
	rd->err = err;
	rd->src.fd = fd;
	rd->base = lseek(fd, 0, SEEK_CUR);
	if ((rd->a = archive_read_new()) == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	if ((rc = arh_dualhash_new(&rd->dh, hash_flags, err)) != 0 ||
	    (rc = arh_dualhash_new_worker_only(&rd->src.tarhash, "SHA256",
	    hash_flags, err)) != 0 ||
	    (rc = arh_dualhash_begin(rd->src.tarhash, 0)) != 0)
		return rc;
	/* Only tar: most libarchive CVEs live in the other format readers. */
	if (archive_read_support_format_tar(rd->a) != ARCHIVE_OK ||
	    archive_read_open(rd->a, &rd->src, NULL, source_read, NULL)
	    != ARCHIVE_OK) {
		if (rd->src.errnum != 0)
			return arh_errno(err, ARH_EIO, rd->src.errnum,
			    "cannot read the archive");
		return arh_finding(rep, "structure", "", "not a tar archive: %s",
		    archive_error_string(rd->a));
	}
	return 0;
}

static void
reader_release(struct reader *rd)
{
	size_t i;

	if (rd->a != NULL)
		archive_read_free(rd->a);
	arh_dualhash_free(rd->dh);
	arh_dualhash_free(rd->src.tarhash);
	for (i = 0; i < NTAGS; i++)
		free(rd->tag[i]);
}

/*
 * The archive must end with the end-of-archive marker (two zero blocks) at
 * `eoa`, followed by nothing but zero padding: a missing marker means the
 * file was cut short; anything else after it is hidden data no tar reader
 * shows.  Checked by position, as libarchive has read ahead.
 */
static int
check_trailer(struct reader *rd, int64_t eoa)
{
	unsigned char *b;
	off_t off = (off_t)eoa;
	ssize_t n, i;
	int rc = 0;

	if (lseek(rd->src.fd, 0, SEEK_CUR) == -1)
		return 0;	/* a pipe: the tar digest still covers it */
	/* Every member's last block has been handed over, so the payload
	 * pool has a buffer to lend (once the worker is done with it):
	 * no buffer of our own to allocate for every archive. */
	b = arh_dualhash_buffer(rd->dh);
	for (;;) {
		n = pread(rd->src.fd, b, arh_dualhash_block(rd->dh), off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (i = 0; i < n; i++)
			if (b[i] != 0) {
				rc = arh_finding(rd->rep, "structure", "",
				    "data after the end-of-archive marker "
				    "(offset %lld)", (long long)(off + i));
				goto out;
			}
		off += n;
	}
	/* A read error is no verdict on the archive: "cut short" would be
	 * a false alarm. */
	if (n == -1) {
		rc = arh_errno(rd->err, ARH_EIO, errno, "cannot read the "
		    "archive");
		goto out;
	}
	if (off - (off_t)eoa < 1024)
		rc = arh_finding(rd->rep, "structure", "", "the end-of-archive "
		    "marker is missing: the file was cut short at %lld bytes",
		    (long long)off);
out:
	arh_dualhash_release(rd->dh, b);
	return rc;
}

/*
 * Walk the whole tar.  A member's data ends, padded to 512 bytes, where the
 * next header (or the end-of-archive marker) starts: that gives its data
 * offset without parsing headers ourselves.
 */
static int
read_all(struct reader *rd)
{
	struct arh_bag_summary *s = &rd->rep->sum;
	struct archive_entry *e;
	size_t pending = SIZE_MAX;
	int64_t pos;
	int r, rc;

	for (;;) {
		r = archive_read_next_header(rd->a, &e);
		pos = archive_read_header_position(rd->a);
		if (pending != SIZE_MAX) {
			struct arh_member *m = &s->members[pending];
			m->data_offset = pos - (int64_t)((m->size + 511) &
			    ~(uint64_t)511);
			pending = SIZE_MAX;
		}
		if (r == ARCHIVE_EOF)
			break;
		if (rd->src.errnum != 0)
			return arh_errno(rd->err, ARH_EIO, rd->src.errnum,
			    "cannot read the archive");
		if (r == ARCHIVE_FATAL || r == ARCHIVE_RETRY) {
			rd->broken = 1;
			return arh_finding(rd->rep, "structure", s->nmembers ?
			    s->members[s->nmembers - 1].path : "", "truncated "
			    "or corrupt tar after this member: %s",
			    archive_error_string(rd->a));
		}
		size_t before = s->nmembers;
		if ((rc = read_entry(rd, e, pos)) != 0)
			return rc;
		if (rd->broken)
			return 0;
		if (s->nmembers > before)
			pending = s->nmembers - 1;
	}
	/* Drain what follows the end-of-archive blocks, for the digest. */
	while (source_read(rd->a, &rd->src, &(const void *){ NULL }) > 0)
		;
	if (rd->src.errnum != 0)	/* the digest would be of a part */
		return arh_errno(rd->err, ARH_EIO, rd->src.errnum,
		    "cannot read the archive");
	return check_trailer(rd, pos);
}

static void
set_digests(void *arg, size_t id, const char *sha512, const char *sha256)
{
	struct arh_bag_summary *s = arg;

	memcpy(s->members[id].sha512, sha512, 129);
	memcpy(s->members[id].sha256, sha256, 65);
}

static void
set_tar_sha256(void *arg, size_t id, const char *sha512, const char *sha256)
{
	struct arh_bag_summary *s = arg;

	(void)id;
	(void)sha512;
	snprintf(s->tar_sha256, sizeof(s->tar_sha256), "%s", sha256);
}

int
arh_bag_verify(int fd, const struct arh_trust *trust,
    struct arh_verify_report *rep, struct arh_err *err)
{
	return arh_bag_verify_flags(fd, trust, 0, rep, err);
}

int
arh_bag_verify_flags(int fd, const struct arh_trust *trust,
    unsigned hash_flags, struct arh_verify_report *rep, struct arh_err *err)
{
	struct reader rd;
	int rc;

	memset(rep, 0, sizeof(*rep));
	if ((rc = reader_init(&rd, fd, hash_flags, rep, err)) != 0 ||
	    rep->n > 0)
		goto out;
	rc = read_all(&rd);
	if (arh_dualhash_sync(rd.dh, set_digests, &rep->sum) != 0 && rc == 0)
		rc = arh_errf(err, ARH_ECRYPTO, "hashing the members failed");
	if (rc != 0)
		goto out;
	if (arh_dualhash_end(rd.src.tarhash) != 0 ||
	    arh_dualhash_sync(rd.src.tarhash, set_tar_sha256, &rep->sum) != 0) {
		rc = arh_errf(err, ARH_ECRYPTO, "cannot hash the archive");
		goto out;
	}
	rep->sum.tar_size = rd.src.total;
	if (!rd.broken)
		rc = arh_bag_check(&rd, trust);
out:
	reader_release(&rd);
	if (rc == 0 && rep->n > 0)
		rc = ARH_EVERIFY;
	if (rc == ARH_ENOMEM)
		arh_errf(err, rc, "out of memory");
	return rc;
}
