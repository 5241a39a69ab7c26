/*
 * test_dualhash.c — both digests of many streams, collected after sync;
 * the inline mode (no worker thread) gives what the threaded one gives,
 * alone and under arh_bag_verify.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "arhiivar/verify.h"
#include "bag_read.h"
#include "dualhash.h"
#include "util.h"

#define CORPUS	"tests/fuzz/corpus/bag_verify"

#define NSTREAM	40

struct got {
	char	sha512[NSTREAM][129];
	char	sha256[NSTREAM][65];
	int	seen[NSTREAM];
	size_t	order[NSTREAM];
	size_t	n;
};

static void
collect(void *arg, size_t id, const char *sha512, const char *sha256)
{
	struct got *g = arg;

	assert_true(id < NSTREAM);
	memcpy(g->sha512[id], sha512, 129);
	memcpy(g->sha256[id], sha256, 65);
	g->seen[id]++;
	g->order[g->n++] = id;
}

static void
test_abc(void **state)
{
	struct arh_dualhash *h;
	struct got *g = calloc(1, sizeof(*g));
	unsigned char *b;
	char d512[129], d256[65];

	(void)state;
	assert_int_equal(arh_dualhash_new(&h, 0, NULL), 0);
	assert_int_equal(arh_dualhash_begin(h, 7), 0);
	b = arh_dualhash_buffer(h);
	memcpy(b, "abc", 3);
	assert_int_equal(arh_dualhash_update(h, b, 3), 0);
	assert_int_equal(arh_dualhash_end(h), 0);
	assert_int_equal(arh_dualhash_sync(h, collect, g), 0);
	assert_int_equal(g->seen[7], 1);
	assert_string_equal(g->sha256[7], "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	assert_string_equal(g->sha512[7], "ddaf35a193617abacc417349ae204131"
	    "12e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd"
	    "454d4423643ce80e2a9ac94fa54ca49f");
	assert_int_equal(arh_digests("abc", 3, d512, d256), 0);
	assert_string_equal(d512, g->sha512[7]);
	assert_string_equal(d256, g->sha256[7]);
	arh_dualhash_free(h);
	free(g);
}

/*
 * Many streams of different lengths (empty, small, several blocks), more
 * data in flight than the pool holds: every digest equals a one-shot
 * digest, each stream reported once, in order.  Threaded, then inline
 * (with its own, smaller block).
 */
static void
many_streams(unsigned flags)
{
	struct arh_dualhash *h;
	struct got *g = calloc(1, sizeof(*g));
	unsigned char *all, *b;
	char d512[129], d256[65];
	size_t i, len, off, k, block;

	assert_int_equal(arh_dualhash_new(&h, flags, NULL), 0);
	block = arh_dualhash_block(h);
	assert_int_equal(block, flags & ARH_DUALHASH_INLINE ?
	    ARH_DUALHASH_INLINE_BLOCK : ARH_DUALHASH_BLOCK);
	all = malloc(3 * block + 17);
	assert_non_null(all);
	for (i = 0; i < 3 * block + 17; i++)
		all[i] = (unsigned char)(i * 2654435761u >> 13);
	for (i = 0; i < NSTREAM; i++) {
		len = (i * 7919 * 97) % (3 * block + 17);
		if (i % 5 == 0)
			len = 0;
		assert_int_equal(arh_dualhash_begin(h, i), 0);
		for (off = 0; off < len; off += k) {
			k = len - off < block ? len - off : block;
			b = arh_dualhash_buffer(h);
			memcpy(b, all + off, k);
			assert_int_equal(arh_dualhash_update(h, b, k), 0);
		}
		assert_int_equal(arh_dualhash_end(h), 0);
	}
	assert_int_equal(arh_dualhash_sync(h, collect, g), 0);
	assert_int_equal(g->n, NSTREAM);
	for (i = 0; i < NSTREAM; i++) {
		len = i % 5 == 0 ? 0 : (i * 7919 * 97) % (3 * block + 17);
		assert_int_equal(arh_digests(all, len, d512, d256), 0);
		assert_int_equal(g->seen[i], 1);
		assert_int_equal(g->order[i], i);
		assert_string_equal(g->sha512[i], d512);
		assert_string_equal(g->sha256[i], d256);
	}
	/* A second sync reports nothing new. */
	g->n = 0;
	assert_int_equal(arh_dualhash_sync(h, collect, g), 0);
	assert_int_equal(g->n, 0);
	arh_dualhash_free(h);
	arh_dualhash_free(NULL);
	free(all);
	free(g);
}

static void
test_many_streams(void **state)
{
	(void)state;
	many_streams(0);
}

static void
test_many_streams_inline(void **state)
{
	(void)state;
	many_streams(ARH_DUALHASH_INLINE);
}

/* Stream `len` bytes of `all` through h as stream `id`, in h's blocks. */
static void
feed(struct arh_dualhash *h, size_t id, const unsigned char *all, size_t len)
{
	size_t off, k, block = arh_dualhash_block(h);
	unsigned char *b;

	assert_int_equal(arh_dualhash_begin(h, id), 0);
	for (off = 0; off < len; off += k) {
		k = len - off < block ? len - off : block;
		b = arh_dualhash_buffer(h);
		memcpy(b, all + off, k);
		assert_int_equal(arh_dualhash_update(h, b, k), 0);
	}
	/* A buffer taken and given back unhashed changes nothing. */
	arh_dualhash_release(h, arh_dualhash_buffer(h));
	assert_int_equal(arh_dualhash_end(h), 0);
}

/*
 * The same streams, with lengths on both sides of both block sizes, into
 * a threaded and an inline object, both kinds (dual and worker-only
 * SHA-256): the same digests, reported the same way.
 */
static void
test_inline_same_as_threaded(void **state)
{
	static const size_t lens[] = {
		0, 1, 3, ARH_DUALHASH_INLINE_BLOCK - 1,
		ARH_DUALHASH_INLINE_BLOCK, ARH_DUALHASH_INLINE_BLOCK + 1,
		ARH_DUALHASH_BLOCK - 1, ARH_DUALHASH_BLOCK,
		ARH_DUALHASH_BLOCK + 1, 5 * ARH_DUALHASH_BLOCK / 2 + 7,
	};
	const size_t n = sizeof(lens) / sizeof(lens[0]), max =
	    5 * ARH_DUALHASH_BLOCK / 2 + 7;
	struct got *g[2];
	struct arh_dualhash *h[2];
	unsigned char *all;
	char d512[129], d256[65];
	size_t i;
	int kind, m;

	(void)state;
	all = malloc(max);
	assert_non_null(all);
	for (i = 0; i < max; i++)
		all[i] = (unsigned char)(i * 40503u >> 7);
	for (kind = 0; kind < 2; kind++) {
		for (m = 0; m < 2; m++) {
			unsigned flags = m ? ARH_DUALHASH_INLINE : 0;
			g[m] = calloc(1, sizeof(*g[m]));
			assert_non_null(g[m]);
			assert_int_equal(kind ? arh_dualhash_new_worker_only(
			    &h[m], "SHA256", flags, NULL) :
			    arh_dualhash_new(&h[m], flags, NULL), 0);
			for (i = 0; i < n; i++)
				feed(h[m], n - 1 - i, all, lens[i]);
			assert_int_equal(arh_dualhash_sync(h[m], collect, g[m]),
			    0);
			assert_int_equal(g[m]->n, n);
			arh_dualhash_free(h[m]);
		}
		for (i = 0; i < n; i++) {
			size_t id = n - 1 - i;
			assert_int_equal(g[0]->order[i], g[1]->order[i]);
			assert_int_equal(g[1]->order[i], id);
			assert_string_equal(g[0]->sha512[id], g[1]->sha512[id]);
			assert_string_equal(g[0]->sha256[id], g[1]->sha256[id]);
			assert_int_equal(arh_digests(all, lens[i], d512, d256),
			    0);
			/* Worker-only SHA-256: that digest alone. */
			assert_string_equal(g[1]->sha512[id], kind ? "" : d512);
			assert_string_equal(g[1]->sha256[id], d256);
		}
		free(g[0]);
		free(g[1]);
	}
	free(all);
}

static void
test_unknown_flags(void **state)
{
	struct arh_dualhash *h;
	struct arh_err err;

	(void)state;
	arh_err_clear(&err);
	assert_int_equal(arh_dualhash_new(&h, 0x2, &err), ARH_EINTERNAL);
	assert_null(h);
	assert_int_equal(err.code, ARH_EINTERNAL);
}

/* Everything a verify reports: findings, summary, digests, offsets. */
static void
same_report(int rc0, const struct arh_err *e0,
    const struct arh_verify_report *a, int rc1, const struct arh_err *e1,
    const struct arh_verify_report *b)
{
	const struct arh_bag_summary *x = &a->sum, *y = &b->sum;
	size_t i;

	assert_int_equal(rc0, rc1);
	assert_int_equal(e0->code, e1->code);
	assert_string_equal(e0->msg, e1->msg);
	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		assert_string_equal(a->items[i].layer, b->items[i].layer);
		assert_string_equal(a->items[i].member, b->items[i].member);
		assert_string_equal(a->items[i].message, b->items[i].message);
	}
	assert_int_equal(a->sealed, b->sealed);
	assert_string_equal(x->name ? x->name : "", y->name ? y->name : "");
	assert_string_equal(x->case_ref ? x->case_ref : "",
	    y->case_ref ? y->case_ref : "");
	assert_int_equal(x->version, y->version);
	assert_int_equal(x->tar_size, y->tar_size);
	assert_string_equal(x->tar_sha256, y->tar_sha256);
	assert_string_equal(x->seal.subject, y->seal.subject);
	assert_int_equal(x->nmembers, y->nmembers);
	for (i = 0; i < x->nmembers; i++) {
		const struct arh_member *m = &x->members[i], *n = &y->members[i];
		assert_string_equal(m->path, n->path);
		assert_int_equal(m->payload, n->payload);
		assert_int_equal(m->size, n->size);
		assert_string_equal(m->sha512, n->sha512);
		assert_string_equal(m->sha256, n->sha256);
		assert_int_equal(m->header_offset, n->header_offset);
		assert_int_equal(m->data_offset, n->data_offset);
	}
}

/* Verify fd both ways (from the start each time); the same report. */
static void
verify_both(int fd, const char *what)
{
	struct arh_verify_report rep[2];
	struct arh_err err[2];
	int rc[2], m;

	for (m = 0; m < 2; m++) {
		assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
		arh_err_clear(&err[m]);
		rc[m] = arh_bag_verify_flags(fd, NULL, m ? ARH_DUALHASH_INLINE :
		    0, &rep[m], &err[m]);
	}
	if (rc[0] != rc[1])
		fprintf(stderr, "# %s: %d threaded, %d inline\n", what, rc[0],
		    rc[1]);
	same_report(rc[0], &err[0], &rep[0], rc[1], &err[1], &rep[1]);
	arh_verify_report_release(&rep[0]);
	arh_verify_report_release(&rep[1]);
}

/* Every seed of the fuzz target: valid bags, links, pax, hostile tars. */
static void
test_verify_corpus_both_ways(void **state)
{
	char path[512];
	struct dirent *d;
	DIR *dir;
	int fd, n = 0;

	(void)state;
	dir = opendir(CORPUS);
	assert_non_null(dir);
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", CORPUS, d->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		assert_true(fd >= 0);
		verify_both(fd, path);
		close(fd);
		n++;
	}
	closedir(dir);
	assert_true(n > 4);
}

static void
add_file(struct archive *a, const char *name, const unsigned char *p,
    size_t len)
{
	struct archive_entry *e = archive_entry_new();

	assert_non_null(e);
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)len);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, p, len), (la_ssize_t)len);
	archive_entry_free(e);
}

/*
 * Members and a trailer bigger than the inline block (the seeds are all
 * smaller): several blocks through libarchive, the member loop and the
 * trailer check, with the same report as threaded; the member digests are
 * right, and hidden data after many zero blocks is found at its offset.
 */
static void
test_verify_big_both_ways(void **state)
{
	const size_t big = 3 * ARH_DUALHASH_INLINE_BLOCK + 1000;
	struct arh_verify_report rep;
	struct arh_err err;
	static const char bagit[] = "BagIt-Version: 1.0\n"
	    "Tag-File-Character-Encoding: UTF-8\n";
	unsigned char *p, *zeros;
	char d512[129], d256[65];
	struct archive *a;
	size_t i;
	int fd, tail;

	(void)state;
	p = malloc(big);
	zeros = calloc(1, 2 * ARH_DUALHASH_INLINE_BLOCK);
	assert_non_null(p);
	assert_non_null(zeros);
	for (i = 0; i < big; i++)
		p[i] = (unsigned char)(i * 2654435761u >> 11);
	for (tail = 0; tail < 2; tail++) {
		fd = memfd_create("bag", MFD_CLOEXEC);
		assert_true(fd >= 0);
		a = archive_write_new();
		assert_non_null(a);
		assert_int_equal(archive_write_set_format_pax_restricted(a),
		    ARCHIVE_OK);
		assert_int_equal(archive_write_open_fd(a, fd), ARCHIVE_OK);
		add_file(a, "b/bagit.txt", (const unsigned char *)bagit,
		    strlen(bagit));
		add_file(a, "b/data/big", p, big);
		add_file(a, "b/data/small", p, 10);
		assert_int_equal(archive_write_close(a), ARCHIVE_OK);
		archive_write_free(a);
		/* Past libarchive's own padding: zeros, then one byte. */
		if (tail) {
			assert_int_equal(write(fd, zeros, 2 *
			    ARH_DUALHASH_INLINE_BLOCK), 2 *
			    ARH_DUALHASH_INLINE_BLOCK);
			assert_int_equal(write(fd, "x", 1), 1);
		}
		verify_both(fd, tail ? "big tar, hidden tail" : "big tar");
		assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
		arh_err_clear(&err);
		assert_int_equal(arh_bag_verify_flags(fd, NULL,
		    ARH_DUALHASH_INLINE, &rep, &err), ARH_EVERIFY);
		assert_int_equal(rep.sum.nmembers, 3);
		assert_int_equal(arh_digests(p, big, d512, d256), 0);
		assert_string_equal(rep.sum.members[1].sha512, d512);
		assert_string_equal(rep.sum.members[1].sha256, d256);
		assert_int_equal(arh_digests(p, 10, d512, d256), 0);
		assert_string_equal(rep.sum.members[2].sha512, d512);
		for (i = 0; i < rep.n; i++)
			if (strstr(rep.items[i].message, "after the "
			    "end-of-archive") != NULL)
				break;
		assert_int_equal(i < rep.n, tail);
		arh_verify_report_release(&rep);
		close(fd);
	}
	free(zeros);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abc),
		cmocka_unit_test(test_many_streams),
		cmocka_unit_test(test_many_streams_inline),
		cmocka_unit_test(test_inline_same_as_threaded),
		cmocka_unit_test(test_unknown_flags),
		cmocka_unit_test(test_verify_corpus_both_ways),
		cmocka_unit_test(test_verify_big_both_ways),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
