/* test_caller.c — the caller's identity from the system databases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>
#include <cmocka.h>

#include "arhiivar/policy.h"

static int
has(char **v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

static void
test_current(void **state)
{
	struct arh_identity id;
	struct arh_err e;
	struct passwd *pw = getpwuid(getuid());
	struct group *gr;
	size_t i, j;

	(void)state;
	assert_int_equal(arh_identity_current(&id, &e), 0);
	assert_int_equal(id.uid, getuid());
	assert_non_null(id.user);
	if (pw != NULL) {
		assert_string_equal(id.user, pw->pw_name);
		gr = getgrgid(pw->pw_gid);
		if (gr != NULL)		/* the primary group is included */
			assert_true(has(id.groups, id.ngroups, gr->gr_name));
	}
	for (i = 0; i < id.ngroups; i++)	/* no duplicates */
		for (j = i + 1; j < id.ngroups; j++)
			assert_string_not_equal(id.groups[i], id.groups[j]);
	assert_null(id.roles);
	assert_int_equal(arh_identity_resolve_roles(&id, NULL), 0);
	assert_int_equal(id.nroles, 1);
	assert_string_equal(id.roles[0], "public");
	arh_identity_release(&id);
	assert_null(id.user);
	arh_identity_release(&id);	/* twice is fine */
}

static void
test_current_matches_config(void **state)
{
	struct arh_config *c = NULL;
	struct arh_identity id;
	struct arh_err e;
	char text[256];

	(void)state;
	assert_int_equal(arh_identity_current(&id, &e), 0);
	snprintf(text, sizeof(text), "[roles]\nauditor = uid:%u\n",
	    (unsigned)getuid());
	assert_int_equal(arh_config_parse("t.conf", text, strlen(text), "/h",
	    &c, NULL, &e), 0);
	assert_int_equal(arh_identity_resolve_roles(&id, c), 0);
	assert_int_equal(id.nroles, 2);
	assert_string_equal(id.roles[1], "auditor");
	arh_identity_release(&id);
	arh_config_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_current),
		cmocka_unit_test(test_current_matches_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
