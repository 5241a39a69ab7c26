/* test_config.c — arhiivar.conf: defaults, every key, every message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "arhiivar/config.h"

#define HOME	"/var/lib/arhiivar"

struct fx {
	struct arh_config	*c;
	struct arh_problems	 p;
	struct arh_err		 e;
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	arh_problems_init(&fx->p);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	arh_config_free(fx->c);
	arh_problems_release(&fx->p);
	free(fx);
	return 0;
}

static int
parse(struct fx *fx, const char *text)
{
	arh_config_free(fx->c);
	fx->c = NULL;
	arh_problems_release(&fx->p);
	arh_problems_init(&fx->p);
	arh_err_clear(&fx->e);
	return arh_config_parse("t.conf", text, strlen(text), HOME, &fx->c,
	    &fx->p, &fx->e);
}

/* Fails the test unless text parses cleanly. */
static void
parse_ok(struct fx *fx, const char *text)
{
	size_t i;
	int r = parse(fx, text);

	for (i = 0; i < fx->p.n; i++)
		print_message("# unexpected: %s\n", fx->p.items[i]);
	assert_int_equal(r, 0);
	assert_non_null(fx->c);
}

static int
has_problem(const struct fx *fx, const char *msg)
{
	size_t i;

	for (i = 0; i < fx->p.n; i++)
		if (strcmp(fx->p.items[i], msg) == 0)
			return 1;
	return 0;
}

/* Parsing text fails with exactly one problem, msg. */
static void
one_problem(struct fx *fx, const char *text, const char *msg)
{
	size_t i;

	assert_int_equal(parse(fx, text), ARH_ECONFIG);
	assert_null(fx->c);
	if (fx->p.n != 1 || strcmp(fx->p.items[0], msg) != 0)
		for (i = 0; i < fx->p.n; i++)
			print_message("# got: %s\n", fx->p.items[i]);
	assert_int_equal(fx->p.n, 1);
	assert_string_equal(fx->p.items[0], msg);
	assert_string_equal(fx->e.msg, "configuration 't.conf' has 1 problem");
}

static void
check_defaults(const struct arh_config *c)
{
	size_t i;

	assert_string_equal(c->home, HOME);
	assert_string_equal(c->seal_key, HOME "/keys/seal.key");
	assert_string_equal(c->seal_certificate, HOME "/keys/seal.pem");
	assert_null(c->seal_chain);
	assert_null(c->seal_pkcs12);
	assert_null(c->seal_pkcs12_password_file);
	assert_int_equal(c->seal_days, 3650);
	assert_int_equal(c->ntrust, 1);
	assert_string_equal(c->trust[0], HOME "/keys/seal.pem");
	assert_null(c->organisation);
	assert_int_equal(c->busy_timeout_ms, 10000);
	assert_int_equal(c->ninternal_roles, 1);
	assert_string_equal(c->internal_roles[0], "records-manager");
	assert_int_equal(c->nroles, 5);
	for (i = 0; i < c->nroles; i++)
		assert_int_equal(c->roles[i].nmembers, 0);
	assert_string_equal(c->roles[0].name, "public");
	assert_string_equal(c->roles[4].name, "auditor");
}

static void
test_defaults(void **state)
{
	struct arh_config *c = NULL;
	struct arh_err e;

	(void)state;
	assert_int_equal(arh_config_defaults(HOME "/", &c, &e), 0);
	check_defaults(c);
	assert_null(c->path);
	arh_config_free(c);
	arh_config_free(NULL);
}

static void
test_defaults_need_home(void **state)
{
	struct arh_config *c = NULL;
	struct arh_err e;

	(void)state;
	assert_int_equal(arh_config_defaults(NULL, &c, &e), ARH_EUSAGE);
	assert_null(c);
	assert_int_equal(arh_config_defaults("", &c, &e), ARH_EUSAGE);
}

static void
test_relative_home(void **state)
{
	struct arh_config *c = NULL;
	struct arh_err e;
	char cwd[4096], want[4200];

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(want, sizeof(want), "%s/store/keys/seal.key", cwd);
	assert_int_equal(arh_config_defaults("store//", &c, &e), 0);
	assert_string_equal(c->seal_key, want);
	arh_config_free(c);
}

static void
test_template_is_defaults(void **state)
{
	struct fx *fx = *state;
	const char *t = arh_config_template();

	parse_ok(fx, t);
	check_defaults(fx->c);
	assert_string_equal(fx->c->path, "t.conf");
	/* Every key is in the template, commented out, with its doc. */
	assert_non_null(strstr(t, "\n[seal]\n"));
	assert_non_null(strstr(t, "\n#key = keys/seal.key\n"));
	assert_non_null(strstr(t, "\n#pkcs12_password_file =\n"));
	assert_non_null(strstr(t, "(1..36500)\n#days = 3650\n"));
	assert_non_null(strstr(t, "\n#trust = keys/seal.pem\n"));
	assert_non_null(strstr(t, "\n#organisation =\n"));
	assert_non_null(strstr(t, "(0..600000)\n#busy_timeout_ms = 10000\n"));
	assert_non_null(strstr(t, "\n#internal_roles = records-manager\n"));
	assert_non_null(strstr(t, "\n#records-manager =\n"));
}

static const char full[] =
    "# a complete file\n"
    "[seal]\n"
    "key = /etc/arhiivar/seal.key\n"
    "certificate = keys/other.pem ; inline comment\n"
    "chain = keys/chain.pem\n"
    "days = 365\n"
    "\n"
    "[verify]\n"
    "trust = keys/a.pem /etc/ssl/b.pem\n"
    "trust = keys/c.pem keys/a.pem\n"
    "[archive]\n"
    "organisation = Justiitsministeerium; Tallinn\n"
    "[catalog]\n"
    "busy_timeout_ms = 0\n"
    "[access]\n"
    "internal_roles = records-manager auditor\n"
    "[roles]\n"
    "staff = group:staff uid:1001\n"
    "records-manager = user:mari\n"
    "staff = uid:0042 uid:1001\n";

static void
test_every_key(void **state)
{
	struct fx *fx = *state;
	struct arh_config *c;

	parse_ok(fx, full);
	c = fx->c;
	assert_string_equal(c->seal_key, "/etc/arhiivar/seal.key");
	assert_string_equal(c->seal_certificate, HOME "/keys/other.pem");
	assert_string_equal(c->seal_chain, HOME "/keys/chain.pem");
	assert_int_equal(c->seal_days, 365);
	assert_int_equal(c->ntrust, 3);		/* repeated key adds; dup dropped */
	assert_string_equal(c->trust[0], HOME "/keys/a.pem");
	assert_string_equal(c->trust[1], "/etc/ssl/b.pem");
	assert_string_equal(c->trust[2], HOME "/keys/c.pem");
	assert_string_equal(c->organisation, "Justiitsministeerium; Tallinn");
	assert_int_equal(c->busy_timeout_ms, 0);
	assert_int_equal(c->ninternal_roles, 2);
	assert_string_equal(c->internal_roles[1], "auditor");
	assert_string_equal(c->roles[1].name, "staff");
	assert_int_equal(c->roles[1].nmembers, 3);
	assert_string_equal(c->roles[1].members[0], "group:staff");
	assert_string_equal(c->roles[1].members[1], "uid:1001");
	assert_string_equal(c->roles[1].members[2], "uid:42");	/* canonical */
	assert_string_equal(c->roles[2].members[0], "user:mari");
}

static void
test_pkcs12(void **state)
{
	struct fx *fx = *state;

	parse_ok(fx, "[seal]\npkcs12 = keys/seal.p12\n"
	    "pkcs12_password_file = /etc/arhiivar/p12.pass\n");
	assert_null(fx->c->seal_key);
	assert_null(fx->c->seal_certificate);
	assert_string_equal(fx->c->seal_pkcs12, HOME "/keys/seal.p12");
	assert_int_equal(fx->c->ntrust, 0);
	parse_ok(fx, "[seal]\npkcs12 = a.p12\n[verify]\ntrust = ca.pem\n");
	assert_int_equal(fx->c->ntrust, 1);
}

static void
test_pkcs12_with_key(void **state)
{
	struct fx *fx = *state;

	one_problem(fx, "[seal]\nkey = k.pem\npkcs12 = s.p12\n",
	    "t.conf:3: 'pkcs12' (line 3) and 'key' (line 2) are both set in "
	    "[seal]; use either a PKCS#12 file or a PEM key and certificate");
	one_problem(fx, "[seal]\npkcs12 = s.p12\ncertificate = c.pem\n",
	    "t.conf:3: 'pkcs12' (line 2) and 'certificate' (line 3) are both "
	    "set in [seal]; use either a PKCS#12 file or a PEM key and "
	    "certificate");
	one_problem(fx, "[seal]\npkcs12_password_file = p\n",
	    "t.conf:2: 'pkcs12_password_file' is set but 'pkcs12' is not; set "
	    "'pkcs12' or delete this line");
}

static void
test_unknown_key(void **state)
{
	struct fx *fx = *state;

	one_problem(fx, "# comment\n\n[seal]\ndays = 10\n\n\nkee = x\n",
	    "t.conf:7: unknown key 'kee' in [seal]; known keys: key, "
	    "certificate, chain, pkcs12, pkcs12_password_file, days");
	one_problem(fx, "[seal]\nKey = x\n",
	    "t.conf:2: unknown key 'Key' in [seal]; known keys: key, "
	    "certificate, chain, pkcs12, pkcs12_password_file, days");
	one_problem(fx, "[access]\nk\x1b[31m = 1\n",
	    "t.conf:2: unknown key '(unprintable)' in [access]; known keys: "
	    "internal_roles, terms");
}

static void
test_unknown_section(void **state)
{
	struct fx *fx = *state;

	/* Keys below an unknown header are not reported again. */
	one_problem(fx, "[seal]\ndays = 1\n[sael]\nkey = x\nfoo = y\n",
	    "t.conf:3: unknown section [sael]; known sections: seal, verify, "
	    "archive, log, catalog, access, disposition, daemon, audit, api, roles");
	one_problem(fx, "[ seal ]\n",
	    "t.conf:1: unknown section [ seal ]; known sections: seal, verify, "
	    "archive, log, catalog, access, disposition, daemon, audit, api, roles");
	one_problem(fx, "days = 1\n",
	    "t.conf:1: 'days' is outside any section; put it under one of "
	    "[seal, verify, archive, log, catalog, access, disposition, daemon, "
	    "audit, api, roles]");
}

static void
test_numbers(void **state)
{
	struct fx *fx = *state;
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "[seal]\ndays = abc\n", "t.conf:2: 'days' in [seal] is not a "
		    "whole number: 'abc'; write digits only, e.g. 3650" },
		{ "[seal]\ndays = 12x\n", "t.conf:2: 'days' in [seal] is not a "
		    "whole number: '12x'; write digits only, e.g. 3650" },
		{ "[seal]\ndays = +5\n", "t.conf:2: 'days' in [seal] is not a "
		    "whole number: '+5'; write digits only, e.g. 3650" },
		{ "[seal]\ndays = 0\n", "t.conf:2: 'days' in [seal] must be "
		    "between 1 and 36500, not 0" },
		{ "[seal]\ndays = 36501\n", "t.conf:2: 'days' in [seal] must be "
		    "between 1 and 36500, not 36501" },
		{ "[seal]\ndays = -1\n", "t.conf:2: 'days' in [seal] must be "
		    "between 1 and 36500, not -1" },
		{ "[catalog]\nbusy_timeout_ms = 99999999999999999999999\n",
		    "t.conf:2: 'busy_timeout_ms' in [catalog] must be between 0 "
		    "and 600000, not 99999999999999999999999" },
		{ "[catalog]\nbusy_timeout_ms = 600001\n", "t.conf:2: "
		    "'busy_timeout_ms' in [catalog] must be between 0 and "
		    "600000, not 600001" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		one_problem(fx, bad[i].text, bad[i].msg);
	parse_ok(fx, "[seal]\ndays = 36500\n[catalog]\nbusy_timeout_ms = "
	    "600000\n");
	assert_int_equal(fx->c->seal_days, 36500);
	assert_int_equal(fx->c->busy_timeout_ms, 600000);
	parse_ok(fx, "[seal]\ndays = 1\n");
	assert_int_equal(fx->c->seal_days, 1);
}

static void
test_roles(void **state)
{
	struct fx *fx = *state;
	static const char *const bad[] = {
		"user:", "group:", "uid:", "uid:x", "uid:-1", "uid:+1",
		"uid:4294967295", "uid:99999999999999999999", "bob", "user:a:b",
		"gid:5", "User:bob",
	};
	char text[128], msg[256];
	size_t i;

	one_problem(fx, "[roles]\nboss = user:a\n", "t.conf:2: unknown role "
	    "'boss' in [roles]; known roles: public, staff, records-manager, "
	    "approver, auditor");
	one_problem(fx, "[access]\ninternal_roles = staff nobody\n",
	    "t.conf:2: unknown role 'nobody' in 'internal_roles'; known roles: "
	    "public, staff, records-manager, approver, auditor");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "[roles]\nstaff = user:ok %s\n",
		    bad[i]);
		snprintf(msg, sizeof(msg), "t.conf:2: malformed member '%s' of "
		    "role 'staff'; write user:NAME, group:NAME or uid:N",
		    bad[i]);
		one_problem(fx, text, msg);
	}
	parse_ok(fx, "[roles]\napprover = uid:0 user:x.y-z_ group:domain@ad\n"
	    "[access]\ninternal_roles =\n");
	assert_int_equal(fx->c->roles[3].nmembers, 3);
	assert_int_equal(fx->c->ninternal_roles, 0);
}

static void
test_all_problems_at_once(void **state)
{
	struct fx *fx = *state;

	/* inih reports only its first error line: every one must be here. */
	assert_int_equal(parse(fx, "[seal]\nkee = 1\nnot a pair\ndays = 0\n"
	    "= 5\n[seal\nalso not a pair\n[roles]\nstaff = bob\n"),
	    ARH_ECONFIG);
	assert_int_equal(fx->p.n, 7);
	assert_string_equal(fx->e.msg, "configuration 't.conf' has 7 problems");
	assert_true(has_problem(fx, "t.conf:3: cannot parse this line; write "
	    "'key = value', '[section]' or a '#' comment"));
	assert_true(has_problem(fx, "t.conf:5: no key name before '='"));
	assert_true(has_problem(fx, "t.conf:6: '[' without a closing ']'; "
	    "write [section]"));
	assert_true(has_problem(fx, "t.conf:7: cannot parse this line; write "
	    "'key = value', '[section]' or a '#' comment"));
	assert_true(strncmp(fx->p.items[6], "t.conf:9: malformed member", 26)
	    == 0);
}

static void
test_problems_appended(void **state)
{
	struct fx *fx = *state;
	struct arh_config *c = NULL;
	struct arh_err e;

	assert_int_equal(arh_problems_add(&fx->p, "earlier: problem"), 0);
	assert_int_equal(arh_config_parse("t.conf", "x\n", 2, HOME, &c,
	    &fx->p, &e), ARH_ECONFIG);
	assert_int_equal(fx->p.n, 2);
	assert_string_equal(e.msg, "configuration 't.conf' has 1 problem");
	/* probs may be NULL: the count still reaches err. */
	assert_int_equal(arh_config_parse(NULL, "x\ny\n", 4, HOME, &c, NULL,
	    &e), ARH_ECONFIG);
	assert_string_equal(e.msg,
	    "configuration '(configuration)' has 2 problems");
}

static void
test_too_many_problems(void **state)
{
	struct fx *fx = *state;
	char *text = malloc(1000 * 4 + 1);
	size_t i;

	assert_non_null(text);
	for (i = 0; i < 1000; i++)
		memcpy(text + i * 4, "xx\n\n", 4);
	text[4000] = '\0';
	assert_int_equal(parse(fx, text), ARH_ECONFIG);
	assert_int_equal(fx->p.n, 51);
	assert_string_equal(fx->p.items[50],
	    "t.conf:101: too many problems; stopping here");
	/* Not "51 problems": the last line only says it stopped. */
	assert_string_equal(fx->e.msg,
	    "configuration 't.conf' has more than 50 problems");
	free(text);
}

static void
test_duplicates_and_empty(void **state)
{
	struct fx *fx = *state;

	one_problem(fx, "[seal]\nkey = a\n\nkey = b\n", "t.conf:4: 'key' in "
	    "[seal] is already set on line 2; keep one of them");
	one_problem(fx, "[archive]\norganisation =\n", "t.conf:2: "
	    "'organisation' in [archive] has no value; give one or delete the "
	    "line");
	one_problem(fx, "[archive]\norganisation = a\tb\n", "t.conf:2: the "
	    "value of 'organisation' is not UTF-8 text or holds a control "
	    "character");
	one_problem(fx, "[archive]\norganisation = \xff\xfe\n", "t.conf:2: "
	    "the value of 'organisation' is not UTF-8 text or holds a control "
	    "character");
	/* Sections may repeat; keys still may not. */
	parse_ok(fx, "[seal]\ndays = 5\n[verify]\n[seal]\nchain = c\n");
}

static void
test_indented_lines(void **state)
{
	struct fx *fx = *state;

	/* inih alone would read line 3 as a continuation of 'key'. */
	parse_ok(fx, "[seal]\n    key = a.key\n    certificate = a.pem\n"
	    "\t[verify]\n  trust = t.pem\n");
	assert_string_equal(fx->c->seal_key, HOME "/a.key");
	assert_string_equal(fx->c->seal_certificate, HOME "/a.pem");
	assert_string_equal(fx->c->trust[0], HOME "/t.pem");
}

static void
test_line_forms(void **state)
{
	struct fx *fx = *state;
	char long_line[300];

	parse_ok(fx, "\xef\xbb\xbf[seal]\r\ndays: 7\r\n; comment\r\n"
	    "# comment\r\n[verify] # trailing comment\ntrust = x.pem");
	assert_int_equal(fx->c->seal_days, 7);
	assert_string_equal(fx->c->trust[0], HOME "/x.pem");
	one_problem(fx, "[seal] days = 5\n", "t.conf:1: unexpected text after "
	    "[seal]; put keys on their own lines");
	memset(long_line, 'a', sizeof(long_line));
	memcpy(long_line, "[verify]\ntrust = ", 17);
	long_line[9 + 198] = '\0';	/* 198 bytes on line 2 */
	one_problem(fx, long_line, "t.conf:2: the line is too long (198 bytes, "
	    "at most 197); split a list over several lines");
	long_line[9 + 197] = '\0';
	parse_ok(fx, long_line);
	assert_int_equal(parse(fx, ""), 0);
	check_defaults(fx->c);
}

static void
test_nul_byte(void **state)
{
	struct fx *fx = *state;
	static const char text[] = "[seal]\nkey = a\0b\ndays = 0\n";

	assert_int_equal(arh_config_parse("t.conf", text, sizeof(text) - 1,
	    HOME, &fx->c, &fx->p, &fx->e), ARH_ECONFIG);
	assert_int_equal(fx->p.n, 2);
	assert_string_equal(fx->p.items[0], "t.conf:2: the line holds a NUL "
	    "byte; is this a text file?");
	assert_string_equal(fx->p.items[1], "t.conf:3: 'days' in [seal] must "
	    "be between 1 and 36500, not 0");
}

static void
test_size_cap(void **state)
{
	struct fx *fx = *state;
	size_t n = ARH_MAX_CONFIG_BYTES + 1;
	char *big = malloc(n);

	assert_non_null(big);
	memset(big, '\n', n);
	assert_int_equal(arh_config_parse("t.conf", big, n, HOME, &fx->c,
	    &fx->p, &fx->e), ARH_ECONFIG);
	assert_null(fx->c);
	assert_non_null(strstr(fx->e.msg, "too large"));
	assert_int_equal(arh_config_parse("t.conf", big, n - 1, HOME, &fx->c,
	    &fx->p, &fx->e), 0);
	free(big);
}

/* The effective config reads back to itself. */
static void
round_trip(struct fx *fx, const char *text)
{
	char *a, *b;

	parse_ok(fx, text);
	assert_non_null(a = arh_config_format(fx->c));
	parse_ok(fx, a);
	assert_non_null(b = arh_config_format(fx->c));
	assert_string_equal(a, b);
	free(a);
	free(b);
}

static void
test_format(void **state)
{
	struct fx *fx = *state;
	char *s;

	parse_ok(fx, full);
	assert_non_null(s = arh_config_format(fx->c));
	assert_non_null(strstr(s, "# the configuration in effect, read from "
	    "'t.conf'\n# home: " HOME "\n"));
	assert_non_null(strstr(s, "\n[seal]\nkey = /etc/arhiivar/seal.key\n"
	    "certificate = " HOME "/keys/other.pem\n"));
	assert_non_null(strstr(s, "\n#pkcs12 =\n"));
	assert_non_null(strstr(s, "\ntrust = " HOME "/keys/a.pem\ntrust = "
	    "/etc/ssl/b.pem\n"));
	assert_non_null(strstr(s, "\n[roles]\n#public =\nstaff = group:staff\n"
	    "staff = uid:1001\nstaff = uid:42\nrecords-manager = user:mari\n"));
	free(s);
	round_trip(fx, full);
	round_trip(fx, "");
	round_trip(fx, "[seal]\npkcs12 = a.p12\n");
	round_trip(fx, "[access]\ninternal_roles =\n");
}

static void
test_load(void **state)
{
	struct fx *fx = *state;
	char path[] = "/tmp/test_config.XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "[seal]\ndays = 9\n", 16), 16);
	close(fd);
	assert_int_equal(arh_config_load(path, HOME, &fx->c, &fx->p, &fx->e),
	    0);
	assert_int_equal(fx->c->seal_days, 9);
	assert_string_equal(fx->c->path, path);
	unlink(path);
	arh_config_free(fx->c);
	assert_int_equal(arh_config_load(path, HOME, &fx->c, &fx->p, &fx->e),
	    ARH_ENOTFOUND);
	assert_null(fx->c);
	assert_int_equal(arh_config_load("/tmp", HOME, &fx->c, &fx->p,
	    &fx->e), ARH_ECONFIG);
	assert_int_equal(fx->e.code, ARH_ECONFIG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_defaults_need_home),
		cmocka_unit_test(test_relative_home),
		cmocka_unit_test_setup_teardown(test_template_is_defaults,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_key, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pkcs12, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pkcs12_with_key, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unknown_key, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unknown_section, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_problems_at_once,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_problems_appended, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_too_many_problems, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_duplicates_and_empty,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_indented_lines, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_line_forms, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_nul_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_size_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
