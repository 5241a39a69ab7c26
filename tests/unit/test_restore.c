/*
 * test_restore.c — the pure pieces of restoring from a bare copy, and the
 * manifest index: its round trip, its binary search, and the seal chain
 * through it on a real archive.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "arhiivar/bag.h"
#include "arhiivar/ops.h"
#include "arhiivar/verify.h"
#include "manifest_index.h"
#include "util.h"

static const char manifest[] =
    "{\"archive\": {\"name\": \"12-1_2024.v1\"},"
    " \"records\": ["
    "  {\"dir\": \"12-1_8909-1\","
    "   \"metadata\": {\"reference\": \"12-1/8909-1\","
    "                  \"access\": {\"level\": \"public\"}},"
    "   \"files\": [{\"path\": \"data/12-1_8909-1/tekst.txt\"}]},"
    "  {\"dir\": \"12-1_8910-1\","
    "   \"metadata\": {\"reference\": \"12-1/8910-1\","
    "                  \"access\": {\"level\": \"internal\"}},"
    "   \"files\": [{\"path\": \"data/12-1_8910-1/a.pdf\"},"
    "               {\"path\": \"data/12-1_8910-1/lisad/b.txt\"}]},"
    "  {\"dir\": \"broken\", \"metadata\": \"not an object\","
    "   \"files\": [{\"path\": \"data/broken/x\"}, {\"path\": 7}]}]}";

static const char *
ref_of(const json_t *root, const char *path)
{
	const json_t *r = arh_restore_record_of(root, path);

	return r ? json_string_value(json_object_get(r, "reference")) : NULL;
}

static void
test_record_of(void **state)
{
	json_t *root = json_loads(manifest, 0, NULL);

	(void)state;
	assert_non_null(root);
	assert_string_equal(ref_of(root, "data/12-1_8909-1/tekst.txt"),
	    "12-1/8909-1");
	assert_string_equal(ref_of(root, "data/12-1_8910-1/a.pdf"),
	    "12-1/8910-1");
	assert_string_equal(ref_of(root, "data/12-1_8910-1/lisad/b.txt"),
	    "12-1/8910-1");
	/* Exact paths only: no prefix, no other spelling. */
	assert_null(arh_restore_record_of(root, "data/12-1_8910-1"));
	assert_null(arh_restore_record_of(root, "12-1_8909-1/tekst.txt"));
	assert_null(arh_restore_record_of(root,
	    "data/12-1_8910-1/lisad/../a.pdf"));
	assert_null(arh_restore_record_of(root, "metadata/case.json"));
	/* A record whose metadata is not an object owns nothing. */
	assert_null(arh_restore_record_of(root, "data/broken/x"));
	assert_null(arh_restore_record_of(NULL, "data/12-1_8909-1/tekst.txt"));
	json_decref(root);
	root = json_loads("{\"records\": {\"not\": \"an array\"}}", 0, NULL);
	assert_null(arh_restore_record_of(root, "data/x"));
	json_decref(root);
}

static void
test_spec_is_path(void **state)
{
	char dir[] = "/tmp/arhiivar-unit.XXXXXX", file[64];
	FILE *f;

	(void)state;
	/* Names and references are not paths... */
	assert_int_equal(arh_spec_is_path("12-1_2024.v1"), 0);
	assert_int_equal(arh_spec_is_path("12-1/2024"), 0);
	assert_int_equal(arh_spec_is_path("a.tar.gz"), 0);
	assert_int_equal(arh_spec_is_path(".tar/x"), 0);
	/* ...these are, whether or not they exist. */
	assert_int_equal(arh_spec_is_path("copy.tar"), 1);
	assert_int_equal(arh_spec_is_path("x/12-1_2024.v1.tar"), 1);
	assert_int_equal(arh_spec_is_path("/srv/copy"), 1);
	assert_int_equal(arh_spec_is_path("./copy"), 1);
	assert_int_equal(arh_spec_is_path("../copy"), 1);
	/* A file of that name is no reason: "1-2/2020" in the current
	 * directory must not answer for the catalogued archive. */
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(arh_spec_is_path("copy"), 0);
	assert_non_null(f = fopen("copy", "w"));
	fclose(f);
	assert_int_equal(arh_spec_is_path("copy"), 0);
	snprintf(file, sizeof(file), "%s/copy", dir);
	assert_int_equal(unlink(file), 0);
	assert_int_equal(rmdir(dir), 0);
}


/* A manifest of n lines "<sha256 of i>  data/f/NNNNN.txt\n" (malloc'd). */
static char *
fake_manifest(int n, size_t *len)
{
	unsigned char md[32];
	char hex[65], *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	int i;

	assert_non_null(f);
	for (i = 0; i < n; i++) {
		EVP_Digest(&i, sizeof(i), md, NULL, EVP_sha256(), NULL);
		arh_hex(md, 32, hex);
		fprintf(f, "%s  data/f/%05d.txt\n", hex, i);
	}
	fclose(f);
	return buf;
}

/* Lines are 64 + 2 + 16 + 1 = 83 bytes; chunks of 300 bytes hold 3. */
#define LINE	83
#define SMALL	300

static void
test_index_round_trip(void **state)
{
	struct arh_mindex ix;
	struct arh_err err;
	size_t mlen, ilen, i;
	char *man = fake_manifest(100, &mlen), *idx, first[32];

	(void)state;
	assert_int_equal(mlen, 100 * LINE);
	assert_non_null(idx = arh_mindex_make(man, mlen, SMALL, &ilen));
	assert_int_equal(strlen(idx), ilen);
	assert_int_equal(arh_mindex_parse(&ix, idx, ilen, mlen, &err), 0);
	assert_int_equal(ix.n, 34);	/* 33 of 3 lines, 1 of 1 */
	for (i = 0; i < ix.n; i++) {
		assert_int_equal(ix.v[i].off, i * 3 * LINE);
		assert_int_equal(ix.v[i].len, i < 33 ? 3 * LINE : LINE);
		snprintf(first, sizeof(first), "data/f/%05zu.txt", i * 3);
		assert_string_equal(ix.v[i].first, first);
		assert_int_equal(arh_mindex_chunk_check(&ix.v[i], man +
		    ix.v[i].off, (size_t)ix.v[i].len, &err), 0);
	}
	arh_mindex_release(&ix);
	free(idx);
	/* The writer's size: one chunk for a small manifest. */
	assert_non_null(idx = arh_mindex_make(man, mlen, ARH_INDEX_CHUNK,
	    &ilen));
	assert_int_equal(arh_mindex_parse(&ix, idx, ilen, mlen, &err), 0);
	assert_int_equal(ix.n, 1);
	assert_int_equal(ix.v[0].len, mlen);
	arh_mindex_release(&ix);
	free(idx);
	/* No lines, no chunks. */
	assert_non_null(idx = arh_mindex_make("", 0, SMALL, &ilen));
	assert_int_equal(ilen, 0);
	assert_int_equal(arh_mindex_parse(&ix, idx, 0, 0, &err), 0);
	assert_int_equal(ix.n, 0);
	assert_int_equal(arh_mindex_find(&ix, "data/x"), -1);
	free(idx);
	free(man);
}

static void
test_index_find(void **state)
{
	struct arh_mindex ix;
	struct arh_err err;
	size_t mlen, ilen;
	char *man = fake_manifest(100, &mlen), *idx;

	(void)state;
	idx = arh_mindex_make(man, mlen, SMALL, &ilen);
	assert_int_equal(arh_mindex_parse(&ix, idx, ilen, mlen, &err), 0);
	/* Before the first path: no chunk can hold it. */
	assert_int_equal(arh_mindex_find(&ix, "data/a"), -1);
	assert_int_equal(arh_mindex_find(&ix, "data/f/00000.tx"), -1);
	/* The first path of the first, a middle and the last chunk. */
	assert_int_equal(arh_mindex_find(&ix, "data/f/00000.txt"), 0);
	assert_int_equal(arh_mindex_find(&ix, "data/f/00051.txt"), 17);
	assert_int_equal(arh_mindex_find(&ix, "data/f/00099.txt"), 33);
	/* The last line of a chunk, and between two chunks' lines. */
	assert_int_equal(arh_mindex_find(&ix, "data/f/00053.txt"), 17);
	assert_int_equal(arh_mindex_find(&ix, "data/f/00053.txt~"), 17);
	assert_int_equal(arh_mindex_find(&ix, "data/f/00002.txt"), 0);
	/* After every path: the last chunk (which then lacks the line). */
	assert_int_equal(arh_mindex_find(&ix, "data/z"), 33);
	arh_mindex_release(&ix);
	free(idx);
	free(man);
}

static void
test_index_changed_chunk(void **state)
{
	struct arh_mindex ix;
	struct arh_err err;
	size_t mlen, ilen, i;
	char *man = fake_manifest(100, &mlen), *idx;

	(void)state;
	idx = arh_mindex_make(man, mlen, SMALL, &ilen);
	assert_int_equal(arh_mindex_parse(&ix, idx, ilen, mlen, &err), 0);
	man[17 * 3 * LINE + LINE + 5] ^= 1;	/* chunk 17's second line */
	for (i = 0; i < ix.n; i++)
		assert_int_equal(arh_mindex_chunk_check(&ix.v[i], man +
		    ix.v[i].off, (size_t)ix.v[i].len, &err), i == 17 ?
		    ARH_EVERIFY : 0);
	assert_non_null(strstr(err.msg, "SHA-256"));
	/* A short read is no chunk either. */
	assert_int_equal(arh_mindex_chunk_check(&ix.v[3], man + ix.v[3].off,
	    (size_t)ix.v[3].len - 1, &err), ARH_EVERIFY);
	arh_mindex_release(&ix);
	free(idx);
	free(man);
}

/* parse refuses text (a copy of it) for manifest length manlen. */
static void
refused(const char *text, uint64_t manlen, const char *why)
{
	struct arh_mindex ix;
	struct arh_err err;
	char *t = strdup(text);

	assert_int_equal(arh_mindex_parse(&ix, t, strlen(t), manlen, &err),
	    ARH_EFORMAT);
	if (strstr(err.msg, why) == NULL)
		fail_msg("'%s': '%s' lacks '%s'", text, err.msg, why);
	assert_null(ix.v);
	free(t);
}

static void
test_index_malformed(void **state)
{
#define H64	"0123456789abcdef0123456789abcdef" \
		"0123456789abcdef0123456789abcdef"
	(void)state;
	refused(H64 " 0 83 data/a\n" H64 " 84 83 data/b\n", 167,
	    "line 2 does not start where");
	refused(H64 " 0 83 data/a\n" H64 " 80 83 data/b\n", 163,
	    "line 2 does not start where");
	refused(H64 " 0 83 data/b\n" H64 " 83 83 data/a\n", 166,
	    "line 2 has a first path not after");
	refused(H64 " 0 83 data/a\n", 166, "end before the end");
	refused(H64 " 0 83 data/a\n", 82, "runs past the end");
	refused(H64 " 0 65537 data/a\n", 70000, "more than 65536");
	refused(H64 " 0 0 data/a\n", 0, "a length of 0");
	refused(H64 " 00 83 data/a\n", 83, "line 1 is not");
	refused(H64 "  0 83 data/a\n", 83, "line 1 is not");
	refused(H64 " 0 83 \n", 83, "line 1 is not");
	refused(H64 " 0 83 data/a", 83, "does not end in LF");
	refused("0123456789ABCDEF0123456789abcdef0123456789abcdef"
	    "0123456789abcdef 0 83 data/a\n", 83, "lower-case hex");
#undef H64
}

/* ---- the seal chain through the index, on an archive of the sample -- */

struct sealed {
	char	 dir[64];
	char	 tar[96];
	char	 pem[96];
	struct arh_trust *trust;
	struct arh_bag_summary sum;
	unsigned char *orig;
	size_t	 size;
};

static const char public_file[] = "data/12-1_8911-1/vastus.txt";
static char sample[4096];	/* the sample case file, found from main()'s
				   directory: a test above leaves it */

static void
make_sealed(struct sealed *s)
{
	struct arh_signer *signer;
	struct arh_problems probs;
	struct arh_bag_params p;
	struct arh_case *c;
	struct arh_err err;
	char key[96];
	const char *paths[1];
	int fd, casefd;
	FILE *f;

	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "/tmp/arhiivar-unit.XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(key, sizeof(key), "%s/seal.key", s->dir);
	snprintf(s->pem, sizeof(s->pem), "%s/seal.pem", s->dir);
	snprintf(s->tar, sizeof(s->tar), "%s/copy.tar", s->dir);
	assert_int_equal(arh_seal_generate(key, s->pem, "Test seal", "Test",
	    30, &err), 0);
	assert_int_equal(arh_signer_load_pem(key, s->pem, NULL, &signer,
	    &err), 0);
	paths[0] = s->pem;
	assert_int_equal(arh_trust_load(paths, 1, &s->trust, &err), 0);
	arh_problems_init(&probs);
	assert_int_equal(arh_case_load(sample, "2026-01-01",
	    &c, &probs, &err), 0);
	memset(&p, 0, sizeof(p));
	p.version = 1;
	p.bagging_date = "2026-01-01";
	p.signer = signer;
	assert_true((casefd = open(sample, O_RDONLY |
	    O_DIRECTORY)) >= 0);
	assert_true((fd = open(s->tar, O_RDWR | O_CREAT | O_TRUNC, 0600)) >=
	    0);
	assert_int_equal(arh_bag_write(fd, casefd, c, &p, &s->sum, &err), 0);
	close(fd);
	close(casefd);
	arh_case_free(c);
	arh_problems_release(&probs);
	arh_signer_free(signer);
	assert_non_null(f = fopen(s->tar, "rb"));
	assert_non_null(s->orig = malloc(1 << 20));
	s->size = fread(s->orig, 1, 1 << 20, f);
	fclose(f);
}

static void
drop_sealed(struct sealed *s)
{
	static const char *const files[] = { "seal.key", "seal.pem",
	    "copy.tar", "out" };
	char path[128];
	size_t i;

	arh_trust_free(s->trust);
	arh_bag_summary_release(&s->sum);
	free(s->orig);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", s->dir, files[i]);
		unlink(path);
	}
	assert_int_equal(rmdir(s->dir), 0);
}

static const struct arh_member *
member(const struct sealed *s, const char *path)
{
	size_t i;

	for (i = 0; i < s->sum.nmembers; i++)
		if (strcmp(s->sum.members[i].path, path) == 0)
			return &s->sum.members[i];
	fail_msg("no member %s", path);
	return NULL;
}

/* The archive as written, with the byte at `at` flipped (at < 0: none). */
static void
put_tar(const struct sealed *s, long at)
{
	FILE *f = fopen(s->tar, "wb");

	assert_non_null(f);
	if (at >= 0)
		s->orig[at] ^= 1;
	assert_int_equal(fwrite(s->orig, 1, s->size, f), s->size);
	if (at >= 0)
		s->orig[at] ^= 1;
	fclose(f);
}

/* Restore the public file from the copy; its code, the message in err. */
static int
restore_copy(const struct sealed *s, struct arh_err *err)
{
	struct arh_restore_req req;
	char out[128];

	memset(&req, 0, sizeof(req));
	snprintf(out, sizeof(out), "%s/out", s->dir);
	unlink(out);
	req.path = public_file;
	req.out = out;
	req.trust = s->trust;
	arh_err_clear(err);
	return arh_restore_copy(NULL, s->tar, &req, err);
}

/* arh_bag_verify's findings of the tar name layer with text. */
static void
verify_fails(const struct sealed *s, const char *layer, const char *text)
{
	struct arh_verify_report rep;
	struct arh_err err;
	size_t i;
	int fd = open(s->tar, O_RDONLY), found = 0;

	assert_true(fd >= 0);
	assert_int_equal(arh_bag_verify(fd, s->trust, &rep, &err),
	    ARH_EVERIFY);
	close(fd);
	for (i = 0; i < rep.n; i++)
		found |= strcmp(rep.items[i].layer, layer) == 0 &&
		    strstr(rep.items[i].message, text) != NULL;
	if (!found)
		fail_msg("no %s finding with '%s' (%zu findings, first %s: %s)",
		    layer, text, rep.n, rep.n ? rep.items[0].layer : "",
		    rep.n ? rep.items[0].message : "");
	arh_verify_report_release(&rep);
}

static void
test_index_sealed(void **state)
{
	const struct arh_member *ix, *man;
	struct arh_verify_report rep;
	struct arh_err err;
	struct sealed s;
	int fd;

	(void)state;
	make_sealed(&s);
	ix = member(&s, ARH_INDEX_PATH);
	man = member(&s, "manifest-sha256.txt");
	/* Untouched: verifies, restores by the index. */
	assert_true((fd = open(s.tar, O_RDONLY)) >= 0);
	assert_int_equal(arh_bag_verify(fd, s.trust, &rep, &err), 0);
	arh_verify_report_release(&rep);
	close(fd);
	assert_int_equal(restore_copy(&s, &err), 0);
	/* One byte of the index: the sealed tag manifest catches it. */
	put_tar(&s, (long)ix->data_offset + 70);
	assert_int_equal(restore_copy(&s, &err), ARH_EVERIFY);
	assert_non_null(strstr(err.msg, "tagmanifest: " ARH_INDEX_PATH
	    " does not match the sealed tag manifest"));
	verify_fails(&s, "tagmanifest", "SHA-512 digest does not match");
	/* One byte of the manifest: the index's chunk digest catches it,
	 * though no line of the restored file changed. */
	put_tar(&s, (long)man->data_offset + 10);
	assert_int_equal(restore_copy(&s, &err), ARH_EVERIFY);
	assert_non_null(strstr(err.msg, "index: chunk 1 of "
	    "manifest-sha256.txt"));
	verify_fails(&s, "index", "chunk 1 (bytes 0 to ");
	put_tar(&s, -1);
	assert_int_equal(restore_copy(&s, &err), 0);
	drop_sealed(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_of),
		cmocka_unit_test(test_spec_is_path),
		cmocka_unit_test(test_index_round_trip),
		cmocka_unit_test(test_index_find),
		cmocka_unit_test(test_index_changed_chunk),
		cmocka_unit_test(test_index_malformed),
		cmocka_unit_test(test_index_sealed),
	};

	char cwd[4000];

	/* As the CLI runs: libarchive converts non-ASCII names by it. */
	if (setlocale(LC_ALL, "C.UTF-8") == NULL ||
	    getcwd(cwd, sizeof(cwd)) == NULL)
		return 1;
	snprintf(sample, sizeof(sample), "%s/sample/case-12-1-2024", cwd);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
