/* test_restore.c — the pure pieces of restoring from a bare copy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arhiivar/ops.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_of),
		cmocka_unit_test(test_spec_is_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
