/*
 * bag_write.c — one pass from a validated case directory to a sealed bag in
 * a pax tar stream.  Order of members (docs/FORMAT.md): the bag directory,
 * bagit.txt, the payload depth first with sorted names, then the tag files
 * (their contents depend on the payload digests), the seal last.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "arhiivar/bag.h"
#include "arhiivar/mime.h"
#include "dualhash.h"
#include "fault.h"
#include "manifest_index.h"
#include "mime_pool.h"
#include "util.h"


/*
 * The tar stream's end: gathers writes into pool blocks, counts offsets,
 * and hands each block, once written, to a worker that hashes the whole
 * tar (SHA-256, for the catalog) off the writer's core.
 */
struct sink {
	int		 fd;
	struct arh_dualhash *tarhash;
	unsigned char	*buf;		/* current pool block, or NULL */
	size_t		 len;
	uint64_t	 total;
	uint64_t	 written;	/* bytes written to fd */
	uint64_t	 flushing;	/* bytes handed to writeback */
	int		 errnum;
};

/*
 * Start writing back what is written, every WRITEBACK bytes, without
 * waiting for it: the disk then works while the rest is hashed, and the
 * fsync that publishes the archive finds little left to do.  Only a hint
 * (a pipe or a file system without it just says no); the fsync is what
 * makes the archive durable.
 */
#define WRITEBACK	(8 * 1024 * 1024)

static void
sink_writeback(struct sink *k)
{
	if (k->written - k->flushing < WRITEBACK)
		return;
	(void)sync_file_range(k->fd, (off_t)k->flushing,
	    (off_t)(k->written - k->flushing), SYNC_FILE_RANGE_WRITE);
	k->flushing = k->written;
}

static int
sink_flush(struct sink *k)
{
	if (k->buf == NULL)
		return 0;
	if (arh_write_all(k->fd, k->buf, k->len) == -1) {
		k->errnum = errno;
		return -1;
	}
	arh_dualhash_update(k->tarhash, k->buf, k->len);	/* lends it */
	k->written += k->len;
	k->buf = NULL;
	k->len = 0;
	sink_writeback(k);
	return 0;
}

static la_ssize_t
sink_write(struct archive *a, void *arg, const void *buf, size_t n)
{
	struct sink *k = arg;
	const unsigned char *p = buf;
	size_t room, left = n;

	(void)a;
	while (left > 0) {
		if (k->buf == NULL)
			k->buf = arh_dualhash_buffer(k->tarhash);
		room = ARH_DUALHASH_BLOCK - k->len;
		if (room > left)
			room = left;
		memcpy(k->buf + k->len, p, room);
		k->len += room;
		p += room;
		left -= room;
		if (k->len == ARH_DUALHASH_BLOCK && sink_flush(k) == -1)
			return -1;
	}
	k->total += n;
	return (la_ssize_t)n;
}

struct writer {
	struct archive	*a;
	struct sink	 sink;
	struct arh_dualhash *dh;
	struct arh_mime_pool *mime_pool;
	const char	*bag;		/* top-level directory name */
	int64_t		 tag_mtime;	/* the case file's closing date */
	struct arh_bag_summary *sum;
	size_t		 memcap;
	struct arh_progress_count progress;	/* over the payload */
	struct arh_err	*err;
};

static int
archive_fail(struct writer *w, const char *what)
{
	if (w->sink.errnum != 0)
		return arh_errno(w->err, ARH_EIO, w->sink.errnum,
		    "cannot write the archive (%s)", what);
	return arh_errf(w->err, ARH_EIO, "cannot write the archive (%s): %s",
	    what, archive_error_string(w->a));
}

static struct archive_entry *
new_entry(struct writer *w, const char *path, int dir, uint64_t size,
    int64_t mtime)
{
	struct archive_entry *e;
	char full[ARH_MAX_PATH + 128];

	snprintf(full, sizeof(full), "%s/%s", w->bag, path);
	if ((e = archive_entry_new()) == NULL)
		return NULL;
	archive_entry_set_pathname_utf8(e, full);
	archive_entry_set_filetype(e, dir ? AE_IFDIR : AE_IFREG);
	archive_entry_set_perm(e, dir ? 0755 : 0644);
	archive_entry_set_size(e, dir ? 0 : (la_int64_t)size);
	archive_entry_set_mtime(e, (time_t)mtime, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	return e;
}

static int
write_dir(struct writer *w, const char *path)
{
	struct archive_entry *e;
	int r;

	if ((e = new_entry(w, path, 1, 0, w->tag_mtime)) == NULL)
		return arh_errf(w->err, ARH_ENOMEM, "out of memory");
	r = archive_write_header(w->a, e);
	archive_entry_free(e);
	if (r != ARCHIVE_OK || archive_write_finish_entry(w->a) != ARCHIVE_OK)
		return archive_fail(w, path);
	return 0;
}

static struct arh_member *
add_member(struct writer *w, const char *path, int payload, uint64_t size)
{
	struct arh_bag_summary *s = w->sum;
	struct arh_member *m;

	if (s->nmembers == w->memcap) {
		size_t ncap = w->memcap ? w->memcap * 2 : 64;
		if ((m = ARH_FAULT_ALLOC(realloc(s->members,
		    ncap * sizeof(*m)))) == NULL)
			return NULL;
		s->members = m;
		w->memcap = ncap;
	}
	m = &s->members[s->nmembers];
	memset(m, 0, sizeof(*m));
	if ((m->path = ARH_FAULT_ALLOC(strdup(path))) == NULL)
		return NULL;
	m->payload = payload;
	m->size = size;
	s->nmembers++;
	return m;
}

/* A tag file held in memory. */
static int
write_buf(struct writer *w, const char *path, const void *buf, size_t len,
    struct arh_member **mout)
{
	struct archive_entry *e;
	struct arh_member *m;
	int r;

	if ((m = add_member(w, path, 0, len)) == NULL ||
	    (e = new_entry(w, path, 0, len, w->tag_mtime)) == NULL)
		return arh_errf(w->err, ARH_ENOMEM, "out of memory");
	m->header_offset = (int64_t)w->sink.total;
	r = archive_write_header(w->a, e);
	archive_entry_free(e);
	if (r != ARCHIVE_OK)
		return archive_fail(w, path);
	m->data_offset = (int64_t)w->sink.total;
	if (arh_digests(buf, len, m->sha512, m->sha256) != 0)
		return arh_errf(w->err, ARH_ECRYPTO, "cannot hash '%s'", path);
	if (len > 0 && archive_write_data(w->a, buf, len) != (la_ssize_t)len)
		return archive_fail(w, path);
	if (archive_write_finish_entry(w->a) != ARCHIVE_OK)
		return archive_fail(w, path);
	if (mout != NULL)
		*mout = m;
	return 0;
}

/* Open a file below dirfd by a relative path, never following a symlink. */
static int
open_beneath(int dirfd, const char *rel)
{
	char comp[ARH_MAX_NAME + 1];
	const char *p = rel, *slash;
	int fd = dirfd, nfd;
	size_t l;

	while ((slash = strchr(p, '/')) != NULL) {
		l = (size_t)(slash - p);
		if (l == 0 || l > ARH_MAX_NAME) {
			errno = EINVAL;
			goto fail;
		}
		memcpy(comp, p, l);
		comp[l] = '\0';
		nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (fd != dirfd)
			close(fd);
		if ((fd = nfd) == -1)
			return -1;
		p = slash + 1;
	}
	nfd = openat(fd, p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK);
	if (fd != dirfd)
		close(fd);
	return nfd;
fail:
	if (fd != dirfd)
		close(fd);
	return -1;
}

static int
changed(struct writer *w, const char *path, const char *how)
{
	return arh_errf(w->err, ARH_ECHANGED, "'%s' changed while it was being "
	    "archived (%s); nothing was archived: ingest again when the case "
	    "directory is no longer being edited", path, how);
}

/* Read, hash, identify and write one payload file: its only read. */
static int
copy_payload(struct writer *w, int casefd, struct arh_file *f)
{
	struct archive_entry *e = NULL;
	struct arh_member *m;
	struct stat st0, st1;
	unsigned char *buf;
	uint64_t done = 0;
	ssize_t n;
	int fd, rc = ARH_EIO;

	/* Gone or replaced by a symlink since it was listed: the input
	 * changed, as when its size changes (exit 1, not a system fault). */
	if ((fd = open_beneath(casefd, f->disk_path)) == -1) {
		if (errno == ENOENT || errno == ELOOP || errno == ENOTDIR)
			return changed(w, f->disk_path, errno == ENOENT ?
			    "it was removed" : "it became a symbolic link");
		return arh_errno(w->err, ARH_EIO, errno, "cannot open '%s'",
		    f->disk_path);
	}
	if (fstat(fd, &st0) == -1 || !S_ISREG(st0.st_mode)) {
		rc = changed(w, f->disk_path, "no longer a regular file");
		goto out;
	}
	if ((uint64_t)st0.st_size != f->size) {
		rc = changed(w, f->disk_path, "its size changed");
		goto out;
	}
	if ((m = add_member(w, f->bag_path, 1, f->size)) == NULL ||
	    (e = new_entry(w, f->bag_path, 0, f->size, f->mtime)) == NULL) {
		rc = arh_errf(w->err, ARH_ENOMEM, "out of memory");
		goto out;
	}
	m->header_offset = f->header_offset = (int64_t)w->sink.total;
	if (archive_write_header(w->a, e) != ARCHIVE_OK) {
		rc = archive_fail(w, f->bag_path);
		goto out;
	}
	m->data_offset = f->data_offset = (int64_t)w->sink.total;
	if (arh_dualhash_begin(w->dh, w->sum->nmembers - 1) != 0) {
		rc = arh_errf(w->err, ARH_ENOMEM, "out of memory");
		goto out;
	}
	for (;;) {
		/* Ask for one byte more than expected to notice growth. */
		size_t want = f->size - done < ARH_DUALHASH_BLOCK ?
		    (size_t)(f->size - done) + 1 : ARH_DUALHASH_BLOCK;
		buf = arh_dualhash_buffer(w->dh);
		do
			n = read(fd, buf, want);
		while (n == -1 && errno == EINTR);
		if (n <= 0 || done + (uint64_t)n > f->size) {
			arh_dualhash_release(w->dh, buf);
			if (n == 0)
				break;
			rc = n > 0 ? changed(w, f->disk_path, "it grew") :
			    arh_errno(w->err, ARH_EIO, errno,
			    "cannot read '%s'", f->disk_path);
			goto out;
		}
		if (done == 0)
			arh_mime_pool_submit(w->mime_pool, buf, (size_t)n, &f->mime,
			    &f->charset);
		if (archive_write_data(w->a, buf, (size_t)n) != n) {
			arh_dualhash_release(w->dh, buf);
			rc = archive_fail(w, f->bag_path);
			goto out;
		}
		arh_dualhash_update(w->dh, buf, (size_t)n);
		done += (uint64_t)n;
		arh_progress_add(&w->progress, 0, (uint64_t)n);
	}
	if (done != f->size) {
		rc = changed(w, f->disk_path, "it shrank");
		goto out;
	}
	if (fstat(fd, &st1) == -1 || st1.st_size != st0.st_size ||
	    st1.st_mtim.tv_sec != st0.st_mtim.tv_sec ||
	    st1.st_mtim.tv_nsec != st0.st_mtim.tv_nsec ||
	    st1.st_ctim.tv_sec != st0.st_ctim.tv_sec ||
	    st1.st_ctim.tv_nsec != st0.st_ctim.tv_nsec) {
		rc = changed(w, f->disk_path, "it was modified");
		goto out;
	}
	if (done == 0)		/* an empty file */
		arh_mime_pool_submit(w->mime_pool, "", 0, &f->mime, &f->charset);
	/* Both digests arrive at the next sync, by member index. */
	arh_dualhash_end(w->dh);
	if (archive_write_finish_entry(w->a) != ARCHIVE_OK) {
		rc = archive_fail(w, f->bag_path);
		goto out;
	}
	rc = 0;
out:
	archive_entry_free(e);
	close(fd);
	return rc;
}

/* 1 if dir[0..len) is open_dir or one of its ancestors. */
static int
is_open(const char *dir, size_t len, const char *open_dir)
{
	return strncmp(open_dir, dir, len) == 0 &&
	    (open_dir[len] == '\0' || open_dir[len] == '/');
}

/*
 * Emit directory entries for the parents of path not yet written.  Files
 * come depth first, so a directory is new exactly when it is not open_dir
 * (the previous file's directory) or one of its ancestors.
 */
static int
write_parents(struct writer *w, const char *path, char *open_dir)
{
	char dir[ARH_MAX_PATH + 1];
	size_t i, l = (size_t)(strrchr(path, '/') - path);
	int rc;

	memcpy(dir, path, l);
	dir[l] = '\0';
	for (i = 1; i <= l; i++) {
		if (i < l && dir[i] != '/')
			continue;
		if (is_open(dir, i, open_dir))
			continue;
		dir[i] = '\0';
		rc = write_dir(w, dir);
		dir[i] = i < l ? '/' : '\0';
		if (rc != 0)
			return rc;
	}
	memcpy(open_dir, dir, l + 1);
	return 0;
}

static int
write_payload(struct writer *w, int casefd, struct arh_case *c)
{
	char *open_dir;
	size_t i;
	int rc = 0;

	if ((open_dir = ARH_FAULT_ALLOC(calloc(1, ARH_MAX_PATH + 1))) == NULL)
		return arh_errf(w->err, ARH_ENOMEM, "out of memory");
	memcpy(open_dir, "data", 5);
	if ((rc = write_dir(w, "data")) != 0)
		goto out;
	arh_progress_begin(&w->progress, w->progress.p, c->nfiles,
	    c->payload_bytes);
	for (i = 0; i < c->nfiles; i++) {
		if ((rc = write_parents(w, c->files[i].bag_path, open_dir)) != 0)
			goto out;
		if ((rc = copy_payload(w, casefd, &c->files[i])) != 0)
			goto out;
		arh_progress_add(&w->progress, 1, 0);
	}
	arh_progress_end(&w->progress);
out:
	free(open_dir);
	return rc;
}

static int
bypath(const void *a, const void *b)
{
	const struct arh_file *const *x = a, *const *y = b;

	return strcmp((*x)->bag_path, (*y)->bag_path);
}

/* manifest-<alg>.txt: "<hex>  <path>\n" sorted bytewise by path. */
static char *
make_manifest(const struct arh_case *c, int sha512, size_t *len)
{
	const struct arh_file **v;
	char *buf = NULL;
	FILE *f;
	size_t i;

	if ((v = ARH_FAULT_ALLOC(calloc(c->nfiles ? c->nfiles : 1,
	    sizeof(*v)))) == NULL)
		return NULL;
	for (i = 0; i < c->nfiles; i++)
		v[i] = &c->files[i];
	qsort(v, c->nfiles, sizeof(*v), bypath);
	if ((f = open_memstream(&buf, len)) != NULL) {
		for (i = 0; i < c->nfiles; i++)
			fprintf(f, "%s  %s\n", sha512 ? v[i]->sha512 :
			    v[i]->sha256, v[i]->bag_path);
		fclose(f);
	}
	free(v);
	return buf;
}

/* A bag-info value on one line: control characters become spaces. */
static void
put_label(FILE *f, const char *label, const char *value)
{
	const unsigned char *p;

	if (value == NULL || *value == '\0')
		return;
	fprintf(f, "%s: ", label);
	for (p = (const unsigned char *)value; *p; p++)
		fputc(*p < 0x20 || *p == 0x7f ? ' ' : *p, f);
	fputc('\n', f);
}

static char *
make_bag_info(const struct arh_case *c, const struct arh_bag_params *p,
    const char *software, size_t *len)
{
	char *buf = NULL, tmp[256];
	const char *last_end = NULL;
	size_t i, internal = 0;
	FILE *f;

	for (i = 0; i < c->nrecords; i++) {
		const struct arh_access *a = &c->records[i].access;
		if (!a->internal)
			continue;
		internal++;
		if (last_end == NULL || strcmp(a->end, last_end) > 0)
			last_end = a->end;
	}
	if ((f = open_memstream(&buf, len)) == NULL)
		return NULL;
	put_label(f, "Source-Organization", c->organisation);
	put_label(f, "Bagging-Date", p->bagging_date);
	fprintf(f, "Payload-Oxum: %llu.%zu\n",
	    (unsigned long long)c->payload_bytes, c->nfiles);
	put_label(f, "External-Identifier", c->reference);
	put_label(f, "Bag-Group-Identifier", c->series_code);
	put_label(f, "External-Description", c->series_title);
	put_label(f, "Bag-Software-Agent", software);
	snprintf(tmp, sizeof(tmp), "%d", p->version);
	put_label(f, "Arhiivar-Version", tmp);
	put_label(f, "Arhiivar-Previous-Version", p->previous);
	put_label(f, "Arhiivar-Previous-SHA256", p->previous_sha256);
	put_label(f, "Arhiivar-Case-Opened", c->opened);
	put_label(f, "Arhiivar-Case-Closed", c->closed);
	if (p->retention != NULL) {
		const json_t *r = p->retention;
		snprintf(tmp, sizeof(tmp), "%s, %s to %s; %s%s%s (file plan "
		    "%.12s)", arh_json_str(r, "retention"),
		    arh_json_str(r, "start"),
		    arh_json_str(r, "end")[0] ? arh_json_str(r, "end") :
		    "permanent", arh_json_str(r, "action"),
		    arh_json_str(r, "due")[0] ? " due " : "",
		    arh_json_str(r, "due"),
		    arh_json_str(r, "fileplan_version"));
		put_label(f, "Arhiivar-Retention", tmp);
	} else
		put_label(f, "Arhiivar-Retention", c->retention);
	if (internal == 0)
		snprintf(tmp, sizeof(tmp), "%zu records, all public",
		    c->nrecords);
	else
		snprintf(tmp, sizeof(tmp), "%zu records: %zu public, %zu "
		    "internal use (restrictions end by %s)", c->nrecords,
		    c->nrecords - internal, internal, last_end);
	put_label(f, "Arhiivar-Access-Summary", tmp);
	fclose(f);
	return buf;
}

static json_t *
file_json(const struct arh_file *f)
{
	return json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}",
	    "path", f->bag_path, "size", (json_int_t)f->size,
	    "sha512", f->sha512, "sha256", f->sha256,
	    "mime", f->mime ? f->mime : "application/octet-stream",
	    "charset", f->charset ? f->charset : "binary");
}

/* metadata/case.json: the metadata manifest (docs/FORMAT.md). */
static json_t *
make_case_json(const struct arh_case *c, const struct arh_bag_params *p,
    const char *name, const char *software)
{
	json_t *root = NULL, *recs, *rec, **files;
	char magicv[16];
	size_t i;

	arh_mime_version(magicv);
	/* Each file to its record's list in one pass over the files. */
	if ((files = calloc(c->nrecords + 1, sizeof(*files))) == NULL)
		return NULL;
	recs = json_array();
	for (i = 0; i < c->nrecords; i++)
		if ((files[i] = json_array()) == NULL)
			goto out;
	for (i = 0; i < c->nfiles; i++)
		if (json_array_append_new(files[c->files[i].record],
		    file_json(&c->files[i])) != 0)
			goto out;
	for (i = 0; recs != NULL && i < c->nrecords; i++) {
		rec = json_pack("{s:s, s:O, s:O}", "dir", c->records[i].dir,
		    "metadata", c->records[i].meta, "files", files[i]);
		if (rec == NULL || json_array_append_new(recs, rec) != 0)
			goto out;
	}
	root = json_pack("{s:i, s:{s:s, s:i, s:s?, s:s?}, s:O, s:o, "
	    "s:{s:s, s:s}, s:s, s:O*}",
	    "arhiivar_format", ARH_BAG_FORMAT,
	    "archive", "name", name, "version", p->version,
	    "previous", p->previous, "previous_sha256", p->previous_sha256,
	    "case_file", c->meta,
	    "records", recs,
	    "identification", "tool", "libmagic", "version", magicv,
	    "software", software, "retention", p->retention);
	recs = NULL;	/* transferred, or freed by json_pack */
out:
	for (i = 0; i < c->nrecords; i++)
		json_decref(files[i]);
	free(files);
	json_decref(recs);
	return root;
}

static char *
dump_json(const json_t *j, size_t *len)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS), *t;
	size_t l;

	if (s == NULL)
		return NULL;
	l = strlen(s);
	if ((t = ARH_FAULT_ALLOC(realloc(s, l + 2))) == NULL) {
		free(s);
		return NULL;
	}
	t[l] = '\n';
	t[l + 1] = '\0';
	*len = l + 1;
	return t;
}

/* tagmanifest over every tag file except the tag manifests and signature/. */
static char *
make_tagmanifest(const struct arh_bag_summary *s, int sha512, size_t *len)
{
	static const char *const tags[] = { "bag-info.txt", "bagit.txt",
	    "manifest-sha256.txt", "manifest-sha512.txt",
	    "metadata/case.json", ARH_INDEX_PATH };
	char *buf = NULL;
	size_t i, k;
	FILE *f;

	if ((f = open_memstream(&buf, len)) == NULL)
		return NULL;
	for (k = 0; k < sizeof(tags) / sizeof(tags[0]); k++)
		for (i = 0; i < s->nmembers; i++)
			if (strcmp(s->members[i].path, tags[k]) == 0)
				fprintf(f, "%s  %s\n", sha512 ?
				    s->members[i].sha512 :
				    s->members[i].sha256, tags[k]);
	fclose(f);
	return buf;
}

/*
 * metadata/manifest-sha256-index.txt over the bytes of manifest-sha256.txt
 * (manlen): restore checks one file's sealed digest by one chunk of the
 * manifest, not all of it.
 */
static char *
make_index(const char *man, size_t manlen, size_t *len)
{
	return arh_mindex_make(man, manlen, ARH_INDEX_CHUNK, len);
}

static void
set_digests(void *arg, size_t id, const char *sha512, const char *sha256)
{
	struct arh_bag_summary *s = arg;

	memcpy(s->members[id].sha512, sha512, 129);
	memcpy(s->members[id].sha256, sha256, 65);
}

/* Wait for the hashing workers; give each payload file its digests. */
static int
collect_digests(struct writer *w, struct arh_case *c)
{
	size_t i, k = 0;

	if (arh_dualhash_sync(w->dh, set_digests, w->sum) != 0)
		return arh_errf(w->err, ARH_ECRYPTO, "hashing the payload "
		    "failed");
	/* Payload members were added in file order. */
	for (i = 0; i < w->sum->nmembers; i++)
		if (w->sum->members[i].payload) {
			memcpy(c->files[k].sha512, w->sum->members[i].sha512,
			    129);
			memcpy(c->files[k++].sha256, w->sum->members[i].sha256,
			    65);
		}
	return 0;
}

/* Everything after the payload: manifests, bag-info, metadata, seal. */
static int
write_tags(struct writer *w, struct arh_case *c,
    const struct arh_bag_params *p, const char *software)
{
	char *b = NULL, *man256 = NULL;
	unsigned char *der = NULL;
	size_t len = 0, derlen = 0, man256len = 0;
	json_t *meta = NULL;
	int rc;

#define TAG(expr, path) do {						\
	if ((b = (expr)) == NULL) {					\
		rc = arh_errf(w->err, ARH_ENOMEM, "out of memory");	\
		goto out;						\
	}								\
	if (len > ARH_MAX_TAG_BYTES) {					\
		rc = arh_errf(w->err, ARH_EINVAL, "%s would be %zu "	\
		    "bytes, more than the %d an archive may hold",	\
		    path, len, ARH_MAX_TAG_BYTES);			\
		goto out;						\
	}								\
	if ((rc = write_buf(w, path, b, len, NULL)) != 0)		\
		goto out;						\
	free(b);							\
	b = NULL;							\
} while (0)
	if (arh_mime_pool_drain(w->mime_pool) != 0) {
		rc = arh_errf(w->err, ARH_ENOMEM, "out of memory identifying "
		    "formats");
		goto out;
	}
	if ((rc = collect_digests(w, c)) != 0)
		goto out;
	TAG(make_bag_info(c, p, software, &len), "bag-info.txt");
	/* Kept for the index, which is made from its bytes. */
	if ((man256 = make_manifest(c, 0, &man256len)) == NULL) {
		rc = arh_errf(w->err, ARH_ENOMEM, "out of memory");
		goto out;
	}
	if (man256len > ARH_MAX_TAG_BYTES) {
		rc = arh_errf(w->err, ARH_EINVAL, "manifest-sha256.txt would "
		    "be %zu bytes, more than the %d an archive may hold",
		    man256len, ARH_MAX_TAG_BYTES);
		goto out;
	}
	if ((rc = write_buf(w, "manifest-sha256.txt", man256, man256len,
	    NULL)) != 0)
		goto out;
	TAG(make_manifest(c, 1, &len), "manifest-sha512.txt");
	if ((rc = write_dir(w, "metadata")) != 0)
		goto out;
	if ((meta = make_case_json(c, p, w->bag, software)) == NULL) {
		rc = arh_errf(w->err, ARH_ENOMEM, "cannot build case.json");
		goto out;
	}
	TAG(dump_json(meta, &len), "metadata/case.json");
	TAG(make_index(man256, man256len, &len), ARH_INDEX_PATH);
	TAG(make_tagmanifest(w->sum, 0, &len), "tagmanifest-sha256.txt");
	if ((b = make_tagmanifest(w->sum, 1, &len)) == NULL) {
		rc = arh_errf(w->err, ARH_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = write_buf(w, "tagmanifest-sha512.txt", b, len, NULL)) != 0)
		goto out;
	if ((rc = arh_seal_sign(p->signer, b, len, &der, &derlen,
	    w->err)) != 0)
		goto out;
	if ((rc = arh_seal_peek(der, derlen, &w->sum->seal, w->err)) != 0)
		goto out;
	if ((rc = write_dir(w, "signature")) != 0)
		goto out;
	rc = write_buf(w, "signature/tagmanifest-sha512.txt.p7s", der, derlen,
	    NULL);
#undef TAG
	w->sum->manifest = meta;
	meta = NULL;	/* transferred */
out:
	json_decref(meta);
	free(der);
	free(man256);
	free(b);
	return rc;
}

char *
arh_bag_name(const char *case_ref, int version)
{
	char buf[256];

	if (arh_bag_name_into(buf, sizeof(buf), case_ref, version) != 0)
		return NULL;
	return ARH_FAULT_ALLOC(strdup(buf));
}

int
arh_bag_name_into(char *buf, size_t n, const char *case_ref, int version)
{
	char *p;

	if (snprintf(buf, n, "%s.v%d", case_ref, version) >= (int)n)
		return -1;
	for (p = buf; *p; p++)
		if (*p == '/')
			*p = '_';
	return 0;
}

void
arh_bag_summary_release(struct arh_bag_summary *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nmembers; i++)
		free(s->members[i].path);
	free(s->members);
	free(s->name);
	free(s->case_ref);
	free(s->series);
	free(s->previous);
	json_decref(s->manifest);
	memset(s, 0, sizeof(*s));
}

static int
writer_init(struct writer *w, int out_fd, struct arh_bag_summary *sum,
    struct arh_err *err)
{
	int rc;

	memset(w, 0, sizeof(*w));
	w->err = err;
	w->sum = sum;
	w->sink.fd = out_fd;
	if ((w->a = archive_write_new()) == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	if ((rc = arh_dualhash_new(&w->dh, 0, err)) != 0 ||
	    (rc = arh_dualhash_new_worker_only(&w->sink.tarhash, "SHA256", 0,
	    err)) != 0 ||
	    (rc = arh_dualhash_begin(w->sink.tarhash, 0)) != 0 ||
	    (rc = arh_mime_pool_new(&w->mime_pool, err)) != 0)
		return rc;
	/* pax restricted: plain ustar unless a name or size needs pax
	 * records; no blocking, so our counter is the exact stream offset. */
	if (archive_write_set_format_pax_restricted(w->a) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(w->a, 0) != ARCHIVE_OK ||
	    archive_write_open2(w->a, &w->sink, NULL, sink_write, NULL,
	    NULL) != ARCHIVE_OK)
		return arh_errf(err, ARH_EINTERNAL, "libarchive: %s",
		    archive_error_string(w->a));
	return 0;
}

static void
writer_release(struct writer *w)
{
	if (w->a != NULL)
		archive_write_free(w->a);
	arh_dualhash_free(w->dh);
	arh_mime_pool_free(w->mime_pool);
	if (w->sink.buf != NULL)
		arh_dualhash_release(w->sink.tarhash, w->sink.buf);
	arh_dualhash_free(w->sink.tarhash);
}

static int
summary_init(struct arh_bag_summary *s, const struct arh_case *c,
    const struct arh_bag_params *p)
{
	memset(s, 0, sizeof(*s));
	s->version = p->version;
	if ((s->name = arh_bag_name(c->reference, p->version)) == NULL ||
	    (s->case_ref = ARH_FAULT_ALLOC(strdup(c->reference))) == NULL ||
	    (s->series = ARH_FAULT_ALLOC(strdup(c->series_code))) == NULL ||
	    (p->previous && (s->previous =
	    ARH_FAULT_ALLOC(strdup(p->previous))) == NULL))
		return ARH_ENOMEM;
	return 0;
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
arh_bag_write(int out_fd, int casefd, struct arh_case *c,
    const struct arh_bag_params *p, struct arh_bag_summary *sum,
    struct arh_err *err)
{
	static const char bagit[] =
	    "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";
	struct writer w;
	int rc;

	if ((rc = summary_init(sum, c, p)) != 0) {
		arh_bag_summary_release(sum);
		return arh_errf(err, rc, "out of memory");
	}
	if ((rc = writer_init(&w, out_fd, sum, err)) != 0)
		goto out;
	w.bag = sum->name;
	w.progress.p = p->progress;
	w.tag_mtime = arh_date_epoch(c->closed);
	if ((rc = write_dir(&w, "")) != 0 ||
	    (rc = write_buf(&w, "bagit.txt", bagit, sizeof(bagit) - 1,
	    NULL)) != 0 ||
	    (rc = write_payload(&w, casefd, c)) != 0 ||
	    (rc = write_tags(&w, c, p, "arhiivar " ARH_VERSION)) != 0)
		goto out;
	if (archive_write_close(w.a) != ARCHIVE_OK ||
	    sink_flush(&w.sink) == -1) {
		rc = archive_fail(&w, "end of archive");
		goto out;
	}
	if (arh_dualhash_end(w.sink.tarhash) != 0 ||
	    arh_dualhash_sync(w.sink.tarhash, set_tar_sha256, sum) != 0) {
		rc = arh_errf(err, ARH_ECRYPTO, "cannot hash the archive");
		goto out;
	}
	sum->tar_size = w.sink.total;
	rc = 0;
out:
	writer_release(&w);
	if (rc != 0)
		arh_bag_summary_release(sum);
	return rc;
}
