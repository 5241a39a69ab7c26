/*
 * test_roles.c — the role table: every (operation × role) pair, the
 * refusal sentences, and role resolution from [roles].  Links with
 * policy/ and common/ only (make policy-alone).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arhiivar/config.h"
#include "arhiivar/policy.h"

static const char *const role_names[] = { "public", "staff",
    "records-manager", "approver", "auditor" };
#define NROLES	(sizeof(role_names) / sizeof(role_names[0]))

/* [access] internal_roles as the default configuration has it. */
static char *const entitled[] = { (char *)"records-manager" };

/* Expected: 1 may, per role in role_names order. */
static const struct {
	enum arh_op	 op;
	const char	*kind;
	int		 may[NROLES];
} table[] = {
	{ ARH_OP_HOLD_ADD, "hold-add", { 0, 0, 1, 0, 0 } },
	{ ARH_OP_HOLD_RELEASE, "hold-release", { 0, 0, 1, 0, 0 } },
	{ ARH_OP_ACCESS_EXTEND, "access-extend", { 0, 0, 1, 0, 0 } },
	{ ARH_OP_DISPOSAL_PROPOSE, "disposal-propose", { 0, 0, 1, 0, 0 } },
	{ ARH_OP_DISPOSAL_APPROVE_AS_APPROVER, "disposal-approve",
	  { 0, 0, 0, 1, 0 } },
	{ ARH_OP_DISPOSAL_APPROVE_AS_RECORDS_MANAGER, "disposal-approve",
	  { 0, 0, 1, 0, 0 } },
	{ ARH_OP_DISPOSAL_EXECUTE, "disposal-execute", { 0, 0, 1, 0, 0 } },
	{ ARH_OP_FILEPLAN_IMPORT, "fileplan-import", { 1, 1, 1, 1, 1 } },
	{ ARH_OP_READ_RESTRICTED, "denial", { 0, 0, 1, 0, 0 } },
	{ ARH_OP_SCHEDULE, "schedule", { 0, 0, 1, 0, 0 } },
	{ ARH_OP_TOKEN_ADMIN, "token", { 0, 0, 1, 0, 0 } },
};

static void
test_every_operation_and_role(void **state)
{
	const struct arh_op_rule *r;
	char *roles[1];
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		r = arh_op_rule(table[i].op);
		assert_non_null(r);
		assert_int_equal(r->op, table[i].op);
		assert_string_equal(r->kind, table[i].kind);
		for (j = 0; j < NROLES; j++) {
			print_message("# %s × %s\n", r->kind, role_names[j]);
			roles[0] = (char *)(uintptr_t)role_names[j];
			assert_int_equal(arh_role_permits(table[i].op, roles, 1,
			    entitled, 1), table[i].may[j]);
		}
		/* No role at all: only what needs none. */
		assert_int_equal(arh_role_permits(table[i].op, NULL, 0,
		    entitled, 1), table[i].op == ARH_OP_FILEPLAN_IMPORT);
	}
}

/* The table has a row for every operation, and nothing else. */
static void
test_table_is_complete(void **state)
{
	(void)state;
	assert_null(arh_op_rule((enum arh_op)0));
	assert_null(arh_op_rule((enum arh_op)(ARH_OP_TOKEN_ADMIN + 1)));
	assert_int_equal(arh_role_permits((enum arh_op)99, NULL, 0, NULL, 0),
	    0);
}

/* Reading restricted content follows [access] internal_roles. */
static void
test_read_restricted_follows_config(void **state)
{
	char *const auditor[] = { (char *)"public", (char *)"auditor" };
	char *const both[] = { (char *)"records-manager", (char *)"auditor" };

	(void)state;
	assert_int_equal(arh_role_permits(ARH_OP_READ_RESTRICTED, auditor, 2,
	    entitled, 1), 0);
	assert_int_equal(arh_role_permits(ARH_OP_READ_RESTRICTED, auditor, 2,
	    both, 2), 1);
	assert_int_equal(arh_role_permits(ARH_OP_READ_RESTRICTED, both, 2,
	    NULL, 0), 0);
}

static void
test_decide_one(void **state)
{
	static const enum arh_op op = ARH_OP_HOLD_ADD;
	char *const staff[] = { (char *)"public", (char *)"staff" };
	char *const rm[] = { (char *)"public", (char *)"records-manager" };
	struct arh_role_decision d;

	(void)state;
	arh_role_decide(&op, 1, staff, 2, "mari", entitled, 1, &d);
	assert_int_equal(d.allow, 0);
	assert_int_equal(d.ngranted, 0);
	assert_string_equal(d.why, "placing a hold needs the records-manager "
	    "role, which mari does not hold; see [roles] in arhiivar.conf");
	arh_role_decide(&op, 1, rm, 2, "mari", entitled, 1, &d);
	assert_int_equal(d.allow, 1);
	assert_int_equal(d.ngranted, 1);
	assert_string_equal(d.role[0], "records-manager");
	assert_string_equal(d.why, "");
}

static void
test_decide_either_way_of_approving(void **state)
{
	static const enum arh_op ways[] = {
	    ARH_OP_DISPOSAL_APPROVE_AS_APPROVER,
	    ARH_OP_DISPOSAL_APPROVE_AS_RECORDS_MANAGER };
	char *const staff[] = { (char *)"public", (char *)"staff" };
	char *const both[] = { (char *)"records-manager", (char *)"approver" };
	char *const rm[] = { (char *)"records-manager" };
	struct arh_role_decision d;

	(void)state;
	arh_role_decide(ways, 2, staff, 2, "jaan", entitled, 1, &d);
	assert_int_equal(d.allow, 0);
	assert_string_equal(d.why, "approving a destruction list needs the "
	    "approver or the records-manager role, and jaan holds neither; "
	    "see [roles] in arhiivar.conf");
	/* Both held: granted in the order asked, the approver first. */
	arh_role_decide(ways, 2, both, 2, "jaan", entitled, 1, &d);
	assert_int_equal(d.allow, 1);
	assert_int_equal(d.ngranted, 2);
	assert_string_equal(d.role[0], "approver");
	assert_string_equal(d.role[1], "records-manager");
	assert_int_equal(d.granted[0], ARH_OP_DISPOSAL_APPROVE_AS_APPROVER);
	arh_role_decide(ways, 2, rm, 1, "jaan", entitled, 1, &d);
	assert_int_equal(d.ngranted, 1);
	assert_string_equal(d.role[0], "records-manager");
}

/* Role resolution from a [roles] table, pure. */
static void
test_roles_from_table(void **state)
{
	char *rm_members[] = { (char *)"user:mari", (char *)"uid:1001" };
	char *ap_members[] = { (char *)"group:kantselei" };
	char *au_members[] = { (char *)"uid:2002", (char *)"user:" };
	const struct arh_role tab[] = {
		{ (char *)"records-manager", rm_members, 2 },
		{ (char *)"approver", ap_members, 1 },
		{ (char *)"auditor", au_members, 2 },
	};
	char *groups[] = { (char *)"kantselei" };
	struct arh_identity id;

	(void)state;
	memset(&id, 0, sizeof(id));
	id.user = (char *)"jaan";
	id.uid = 1001;
	id.groups = groups;
	id.ngroups = 1;
	assert_int_equal(arh_identity_roles_from(&id, tab, 3), 0);
	assert_int_equal(id.nroles, 3);
	assert_string_equal(id.roles[0], "public");
	assert_string_equal(id.roles[1], "records-manager");
	assert_string_equal(id.roles[2], "approver");
	assert_int_equal(arh_identity_has_role(&id, "approver"), 1);
	/* Another uid, and an empty user name, match nobody here. */
	assert_int_equal(arh_identity_has_role(&id, "auditor"), 0);
	assert_int_equal(arh_role_permits(ARH_OP_HOLD_ADD, id.roles, id.nroles,
	    entitled, 1), 1);
	/* Released by its owner: user and groups are not ours here. */
	id.user = NULL;
	id.groups = NULL;
	id.ngroups = 0;
	arh_identity_release(&id);
	assert_null(id.roles);
	assert_int_equal(arh_identity_roles_from(&id, NULL, 0), 0);
	assert_int_equal(id.nroles, 1);
	assert_string_equal(id.roles[0], "public");
	arh_identity_release(&id);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_operation_and_role),
		cmocka_unit_test(test_table_is_complete),
		cmocka_unit_test(test_read_restricted_follows_config),
		cmocka_unit_test(test_decide_one),
		cmocka_unit_test(test_decide_either_way_of_approving),
		cmocka_unit_test(test_roles_from_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
