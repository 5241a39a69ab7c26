/*
 * test_view.c — the one view projection, arh_policy_view(): a table of
 * records × callers × dates, and the leak check of every row (what each
 * view gives out must not carry what that view withholds).  Links with
 * policy/ and common/ only (make policy-alone).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arhiivar/policy.h"

#define TITLE	"MARKER-TITLE-view"
#define PERSON	"Mari Maasikas"

/* Record kinds: a public one and one restricted until 2029-12-19, both
 * naming a private person (as written, upper-case and inflected); and one
 * whose restriction ended. */
enum kind { PUBLIC, IN_FORCE, ENDED, BROKEN };

static json_t *
record(enum kind k)
{
	json_t *r = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:{s:s}}",
	    "reference", "12-1/8910-1", "registered", "2024-12-19", "type",
	    "Kiri", "title", TITLE " about " PERSON " (MAASIKALE, mari)",
	    "correspondent", PERSON,
	    "private_person", 1, "access", "level", "public");
	json_t *acc = json_object_get(r, "access");

	if (k == PUBLIC)
		return r;
	json_object_set_new(acc, "level", json_string("AK"));
	json_object_set_new(acc, "basis", json_string("AvTS § 35 lg 1 p 1"));
	json_object_set_new(acc, "end", json_string(k == ENDED ?
	    "2024-12-31" : k == BROKEN ? "2029-02-30" : "2029-12-19"));
	return r;
}

struct view_case {
	const char	*name;
	enum kind	 kind;
	const char	*roles[4];	/* NULL-terminated */
	const char	*entitled[3];	/* NULL-terminated */
	enum arh_view	 view;
	int		 allow;
	const char	*rule;
};

#define RM	{ "records-manager", NULL }

static const struct view_case cases[] = {
	{ "public record, no role", PUBLIC, { "public", NULL }, RM,
	  ARH_VIEW_PERSON, 1, "public" },
	{ "public record, entitled role", PUBLIC, { "public",
	  "records-manager", NULL }, RM, ARH_VIEW_FULL, 1, "public" },
	{ "in force, staff", IN_FORCE, { "public", "staff", NULL }, RM,
	  ARH_VIEW_PUBLIC, 0, "internal-use-in-force" },
	{ "in force, approver", IN_FORCE, { "public", "approver", NULL }, RM,
	  ARH_VIEW_PUBLIC, 0, "internal-use-in-force" },
	{ "in force, records-manager", IN_FORCE, { "public",
	  "records-manager", NULL }, RM, ARH_VIEW_FULL, 1, "entitled-role" },
	{ "in force, auditor entitled by config", IN_FORCE, { "public",
	  "auditor", NULL }, { "records-manager", "auditor", NULL },
	  ARH_VIEW_FULL, 1, "entitled-role" },
	{ "in force, nobody entitled", IN_FORCE, { "public",
	  "records-manager", NULL }, { NULL }, ARH_VIEW_PUBLIC, 0,
	  "internal-use-in-force" },
	{ "ended, no role", ENDED, { "public", NULL }, RM, ARH_VIEW_PERSON, 1,
	  "restriction-ended" },
	{ "ended, records-manager", ENDED, { "records-manager", NULL }, RM,
	  ARH_VIEW_FULL, 1, "restriction-ended" },
	{ "broken restriction, even records-manager", BROKEN,
	  { "records-manager", NULL }, RM, ARH_VIEW_PUBLIC, 0,
	  "invalid-restriction" },
	{ "no roles at all", IN_FORCE, { NULL }, RM, ARH_VIEW_PUBLIC, 0,
	  "internal-use-in-force" },
};

static size_t
count(const char *const *v)
{
	size_t n = 0;

	while (v[n] != NULL)
		n++;
	return n;
}

/* What the applied view gives out never carries what it withholds. */
static void
check_leak(const struct view_case *c, const json_t *out)
{
	char *s = json_dumps(out, JSON_COMPACT);

	assert_non_null(s);
	switch (c->view) {
	case ARH_VIEW_PUBLIC:
		assert_null(strstr(s, "MARKER"));
		assert_null(strcasestr(s, "maasika"));
		assert_null(json_object_get(out, "title"));
		assert_non_null(strstr(s, "12-1/8910-1"));
		break;
	case ARH_VIEW_PERSON:
		assert_null(strstr(s, PERSON));
		assert_null(strcasestr(s, "maasika"));
		assert_null(strcasestr(s, "mari"));
		assert_non_null(strstr(s, TITLE " about M. M. (M., M.)"));
		break;
	case ARH_VIEW_FULL:
		assert_non_null(strstr(s, TITLE " about " PERSON));
		break;
	}
	free(s);
}

static void
test_view_table(void **state)
{
	struct arh_view_decision v;
	const struct view_case *c;
	json_t *rec, *out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = &cases[i];
		print_message("# %s\n", c->name);
		rec = record(c->kind);
		memset(&v, 0xa5, sizeof(v));
		arh_policy_view(rec, (char *const *)(uintptr_t)c->roles,
		    count(c->roles), (char *const *)(uintptr_t)c->entitled,
		    count(c->entitled), "2025-06-01", &v);
		assert_int_equal(v.view, c->view);
		assert_string_equal(v.name, arh_view_name(c->view));
		assert_int_equal(v.access.allow, c->allow);
		assert_string_equal(v.access.rule, c->rule);
		assert_true(strlen(v.access.why) > 0);
		assert_null(strstr(v.access.why, "MARKER"));
		assert_null(strstr(v.access.why, "Maasikas"));
		out = arh_view_apply(rec, v.view);
		assert_non_null(out);
		check_leak(c, out);
		json_decref(out);
		json_decref(rec);
	}
}

static void
test_view_names(void **state)
{
	(void)state;
	assert_string_equal(arh_view_name(ARH_VIEW_PUBLIC), "public");
	assert_string_equal(arh_view_name(ARH_VIEW_PERSON), "person");
	assert_string_equal(arh_view_name(ARH_VIEW_FULL), "full");
	assert_string_equal(arh_view_name((enum arh_view)42), "public");
}

/* A record that is not an object, or has no access: fails closed. */
static void
test_view_fails_closed(void **state)
{
	struct arh_view_decision v;
	char *const roles[] = { (char *)"records-manager" };
	json_t *rec = json_pack("{s:s, s:s}", "reference", "x", "title",
	    "MARKER-T");
	json_t *out;

	(void)state;
	arh_policy_view(rec, roles, 1, roles, 1, "2025-06-01", &v);
	/* No level: internal, without dates: invalid, denied to all. */
	assert_int_equal(v.view, ARH_VIEW_PUBLIC);
	assert_string_equal(v.access.rule, "invalid-restriction");
	out = arh_view_apply(rec, v.view);
	assert_null(json_object_get(out, "title"));
	json_decref(out);
	json_decref(rec);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_view_table),
		cmocka_unit_test(test_view_names),
		cmocka_unit_test(test_view_fails_closed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
