/* test_access.c — access decisions (a table), roles, the public view. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "arhiivar/policy.h"

#define BASIS	"AvTS § 35 lg 1 p 1"
#define ENTITLED_DEFAULT	{ "records-manager", NULL }

struct decide_case {
	const char	*name;
	int		 internal;
	const char	*basis, *start, *end;
	const char	*today;
	const char	*roles[4];	/* NULL-terminated */
	const char	*entitled[3];	/* NULL-terminated */
	int		 allow, restricted;
	const char	*rule;
	const char	*why;		/* exact, or NULL to skip */
};

static const struct decide_case cases[] = {
	{ "public record", 0, NULL, NULL, NULL, "2025-06-01",
	  { "public", NULL }, ENTITLED_DEFAULT, 1, 0, "public",
	  "record is public" },
	{ "public ignores a broken today", 0, NULL, NULL, NULL, "garbage",
	  { NULL }, ENTITLED_DEFAULT, 1, 0, "public", NULL },
	{ "in force, staff denied", 1, BASIS, "2024-12-19", "2029-12-19",
	  "2025-06-01", { "public", "staff", NULL }, ENTITLED_DEFAULT, 0, 1,
	  "internal-use-in-force", "record is for internal use (" BASIS ") "
	  "until 2029-12-19; none of your roles (public, staff) may read it" },
	{ "in force, records-manager entitled", 1, BASIS, "2024-12-19",
	  "2029-12-19", "2025-06-01", { "public", "records-manager", NULL },
	  ENTITLED_DEFAULT, 1, 1, "entitled-role", "record is for internal "
	  "use (" BASIS ") until 2029-12-19; your role records-manager may "
	  "read it" },
	{ "in force, second entitled role found", 1, BASIS, NULL,
	  "2029-12-19", "2025-06-01", { "public", "staff", "auditor", NULL },
	  { "records-manager", "auditor", NULL }, 1, 1, "entitled-role", NULL },
	{ "records-manager not entitled when the list is empty", 1, BASIS,
	  NULL, "2029-12-19", "2025-06-01", { "records-manager", NULL },
	  { NULL }, 0, 1, "internal-use-in-force", NULL },
	{ "end date is today: still in force", 1, BASIS, "2020-01-01",
	  "2025-06-01", "2025-06-01", { "public", "staff", NULL },
	  ENTITLED_DEFAULT, 0, 1, "internal-use-in-force", NULL },
	{ "day after the end: public", 1, BASIS, "2020-01-01", "2025-05-31",
	  "2025-06-01", { "public", NULL }, ENTITLED_DEFAULT, 1, 0,
	  "restriction-ended", "record was for internal use (" BASIS ") until "
	  "2025-05-31; it is public since the day after" },
	{ "across a year end", 1, BASIS, NULL, "2024-12-31", "2025-01-01",
	  { NULL }, ENTITLED_DEFAULT, 1, 0, "restriction-ended", NULL },
	{ "before the start: in force", 1, BASIS, "2026-01-01", "2030-01-01",
	  "2025-06-01", { "public", "staff", NULL }, ENTITLED_DEFAULT, 0, 1,
	  "internal-use-in-force", NULL },
	{ "no roles at all", 1, BASIS, NULL, "2029-12-19", "2025-06-01",
	  { NULL }, ENTITLED_DEFAULT, 0, 1, "internal-use-in-force",
	  "record is for internal use (" BASIS ") until 2029-12-19; you hold "
	  "no role that may read it" },
	{ "no basis given", 1, NULL, NULL, "2029-12-19", "2025-06-01",
	  { "public", NULL }, ENTITLED_DEFAULT, 0, 1, "internal-use-in-force",
	  "record is for internal use until 2029-12-19; none of your roles "
	  "(public) may read it" },
	{ "malformed end: month 13", 1, BASIS, NULL, "2029-13-01",
	  "2025-06-01", { "records-manager", NULL }, ENTITLED_DEFAULT, 0, 1,
	  "invalid-restriction", NULL },
	{ "malformed end: not a leap year", 1, BASIS, NULL, "2029-02-29",
	  "2025-06-01", { "records-manager", NULL }, ENTITLED_DEFAULT, 0, 1,
	  "invalid-restriction", NULL },
	{ "malformed end: short", 1, BASIS, NULL, "2029-1-19", "2025-06-01",
	  { "records-manager", NULL }, ENTITLED_DEFAULT, 0, 1,
	  "invalid-restriction", NULL },
	{ "malformed end: trailing text", 1, BASIS, NULL, "2029-12-19x",
	  "2025-06-01", { NULL }, ENTITLED_DEFAULT, 0, 1,
	  "invalid-restriction", NULL },
	{ "malformed end: in the past still denies", 1, BASIS, NULL,
	  "2020-02-30", "2025-06-01", { NULL }, ENTITLED_DEFAULT, 0, 1,
	  "invalid-restriction", NULL },
	{ "missing end", 1, BASIS, NULL, NULL, "2025-06-01",
	  { "records-manager", NULL }, ENTITLED_DEFAULT, 0, 1,
	  "invalid-restriction", NULL },
	{ "malformed start", 1, BASIS, "2024-00-10", "2029-12-19",
	  "2025-06-01", { NULL }, ENTITLED_DEFAULT, 0, 1,
	  "invalid-restriction", NULL },
	{ "start after end", 1, BASIS, "2030-01-01", "2020-01-01",
	  "2025-06-01", { NULL }, ENTITLED_DEFAULT, 0, 1,
	  "invalid-restriction", NULL },
	{ "malformed today", 1, BASIS, NULL, "2020-01-01", "01.06.2025",
	  { NULL }, ENTITLED_DEFAULT, 0, 1, "invalid-restriction", NULL },
	{ "leap day end is valid", 1, BASIS, NULL, "2028-02-29",
	  "2028-03-01", { NULL }, ENTITLED_DEFAULT, 1, 0, "restriction-ended",
	  NULL },
};

static size_t
count(const char *const *v)
{
	size_t n = 0;

	while (v[n] != NULL)
		n++;
	return n;
}

static void
test_decide_table(void **state)
{
	struct arh_access_decision d;
	struct arh_access acc;
	const struct decide_case *c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = &cases[i];
		print_message("# %s\n", c->name);
		acc.internal = c->internal;
		acc.basis = (char *)(uintptr_t)c->basis;
		acc.start = (char *)(uintptr_t)c->start;
		acc.end = (char *)(uintptr_t)c->end;
		memset(&d, 0xa5, sizeof(d));
		arh_access_decide(&acc, (char *const *)(uintptr_t)c->roles,
		    count(c->roles), (char *const *)(uintptr_t)c->entitled,
		    count(c->entitled), c->today, &d);
		assert_int_equal(d.allow, c->allow);
		assert_int_equal(d.restricted, c->restricted);
		assert_string_equal(d.rule, c->rule);
		if (c->why != NULL)
			assert_string_equal(d.why, c->why);
		assert_true(strlen(d.why) > 0);
	}
}

static void
test_decide_null_restriction(void **state)
{
	struct arh_access_decision d;

	(void)state;
	arh_access_decide(NULL, NULL, 0, NULL, 0, "2025-06-01", &d);
	assert_int_equal(d.allow, 0);
	assert_string_equal(d.rule, "invalid-restriction");
}

/* A long basis is cut at a whole piece: the sentence stays valid UTF-8. */
static void
test_decide_long_basis(void **state)
{
	char basis[700], *roles[] = { (char *)"public" };
	char *ent[] = { (char *)"records-manager" };
	struct arh_access acc = { 1, basis, NULL, (char *)"2029-12-19", NULL, NULL };
	struct arh_access_decision d;
	size_t i;

	(void)state;
	for (i = 0; i + 2 < sizeof(basis); i += 2)
		memcpy(basis + i, "\xc2\xa7", 2);	/* § */
	basis[i] = '\0';
	arh_access_decide(&acc, roles, 1, ent, 1, "2025-01-01", &d);
	assert_int_equal(d.allow, 0);
	assert_true(strlen(d.why) < sizeof(d.why));
	assert_non_null(strstr(d.why, "..."));
	assert_null(strstr(d.why, "\xc2\xa7"));	/* no half pieces */
}

static struct arh_config *
config(const char *text)
{
	struct arh_config *c = NULL;
	struct arh_err e;

	assert_int_equal(arh_config_parse("t.conf", text, strlen(text),
	    "/var/lib/arhiivar", &c, NULL, &e), 0);
	return c;
}

static const char roles_conf[] =
    "[roles]\n"
    "public = user:nobody\n"
    "staff = group:staff\n"
    "records-manager = user:mari\n"
    "approver = group:approvers uid:77\n"
    "auditor = uid:1234\n";

static void
assert_roles(const struct arh_identity *id, const char *const *want)
{
	size_t i;

	assert_int_equal(id->nroles, count(want));
	for (i = 0; i < id->nroles; i++)
		assert_string_equal(id->roles[i], want[i]);
}

static void
test_roles_by_user_group_uid(void **state)
{
	static const char *const mari_roles[] = {
		"public", "staff", "records-manager", NULL
	};
	static const char *const uid_roles[] = { "public", "auditor", NULL };
	static const char *const none[] = { "public", NULL };
	struct arh_config *c = config(roles_conf);
	char *groups[] = { (char *)"mari", (char *)"staff" };
	struct arh_identity id;

	(void)state;
	memset(&id, 0, sizeof(id));
	id.user = (char *)"mari";
	id.uid = 1000;
	id.groups = groups;
	id.ngroups = 2;
	assert_int_equal(arh_identity_resolve_roles(&id, c), 0);
	assert_roles(&id, mari_roles);
	/* Resolving again replaces the list (ASan would see a leak). */
	id.user = (char *)"uid:1234";
	id.uid = 1234;
	id.ngroups = 0;
	assert_int_equal(arh_identity_resolve_roles(&id, c), 0);
	assert_roles(&id, uid_roles);
	/* A user named like a member of another kind matches nothing. */
	id.user = (char *)"staff";
	id.uid = 5;
	assert_int_equal(arh_identity_resolve_roles(&id, c), 0);
	assert_roles(&id, none);
	assert_int_equal(arh_identity_resolve_roles(&id, NULL), 0);
	assert_roles(&id, none);
	id.user = NULL;		/* not ours to free */
	id.groups = NULL;
	id.ngroups = 0;
	arh_identity_release(&id);
	arh_identity_release(NULL);
	arh_config_free(c);
}

static void
test_roles_feed_decision(void **state)
{
	struct arh_config *c = config("[roles]\nrecords-manager = group:rm\n"
	    "[access]\ninternal_roles = records-manager\n");
	struct arh_access acc = { 1, (char *)BASIS, NULL,
	    (char *)"2029-12-19", NULL, NULL };
	char *groups[] = { (char *)"rm" };
	struct arh_access_decision d;
	struct arh_identity id;

	(void)state;
	memset(&id, 0, sizeof(id));
	id.user = (char *)"kalle";
	id.groups = groups;
	id.ngroups = 1;
	assert_int_equal(arh_identity_resolve_roles(&id, c), 0);
	arh_access_decide(&acc, id.roles, id.nroles, c->internal_roles,
	    c->ninternal_roles, "2025-06-01", &d);
	assert_int_equal(d.allow, 1);
	assert_string_equal(d.rule, "entitled-role");
	id.user = NULL;
	id.groups = NULL;
	id.ngroups = 0;
	arh_identity_release(&id);
	arh_config_free(c);
}

static json_t *
record(const char *access)
{
	char text[1024];
	json_error_t je;
	json_t *r;

	snprintf(text, sizeof(text),
	    "{\"reference\": \"12-1/8909-1\", \"registered\": \"2024-12-19\","
	    " \"type\": \"Sissetulev kiri\","
	    " \"title\": \"MARKER-TITLE\","
	    " \"correspondent\": \"MARKER-CORRESPONDENT\","
	    " \"delivery_channel\": \"MARKER-CHANNEL\","
	    " \"responsible\": \"MARKER-RESPONSIBLE\","
	    " \"register\": {\"url\": \"MARKER-REGISTER\"},"
	    " \"extra\": {\"Adressaat\": \"MARKER-EXTRA\"},"
	    " \"access\": %s}", access);
	r = json_loads(text, 0, &je);
	assert_non_null(r);
	return r;
}

static char *
view_text(const json_t *rec)
{
	json_t *v = arh_public_view(rec);
	char *s;

	assert_non_null(v);
	s = json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT);
	assert_non_null(s);
	json_decref(v);
	return s;
}

static void
test_public_view_internal(void **state)
{
	json_t *r = record("{\"level\": \"internal\", \"basis\": \"" BASIS
	    "\", \"start\": \"2024-12-19\", \"end\": \"2029-12-19\","
	    " \"note\": \"MARKER-NOTE\"}");
	char *s = view_text(r);

	(void)state;
	assert_null(strstr(s, "MARKER"));
	assert_string_equal(s, "{\"access\":{\"basis\":\"" BASIS "\","
	    "\"end\":\"2029-12-19\",\"level\":\"internal\"},"
	    "\"reference\":\"12-1/8909-1\",\"registered\":\"2024-12-19\","
	    "\"type\":\"Sissetulev kiri\"}");
	free(s);
	json_decref(r);
}

static void
test_public_view_public(void **state)
{
	json_t *r = record("{\"level\": \"public\", \"basis\": "
	    "\"MARKER-BASIS\"}");
	char *s = view_text(r);

	(void)state;
	assert_null(strstr(s, "MARKER"));
	assert_non_null(strstr(s, "\"access\":{\"level\":\"public\"}"));
	free(s);
	json_decref(r);
}

static void
test_public_view_odd_shapes(void **state)
{
	json_t *r = json_pack("{s:{s:s}, s:s, s:[s]}", "reference", "x",
	    "MARKER-NESTED", "title", "MARKER-TITLE", "type", "MARKER-ARRAY");
	json_t *n = json_integer(5);
	char *s;

	(void)state;
	assert_non_null(r);
	s = view_text(r);
	assert_string_equal(s, "{}");	/* only strings are copied */
	free(s);
	s = view_text(n);
	assert_string_equal(s, "{}");
	free(s);
	s = view_text(NULL);
	assert_string_equal(s, "{}");
	free(s);
	json_decref(r);
	json_decref(n);
}

static void
test_initials(void **state)
{
	static const struct { const char *name, *want; } t[] = {
		{ "Mari Maasikas", "M. M." },
		{ "Jaan-Peeter Tamm", "J.-P. T." },
		{ "  Õie   Ärn ", "Õ. Ä." },
		{ "Šarlota", "Š." },
		{ "Anna-", "A." },
		{ "Ülo Mägi-Kask", "Ü. M.-K." },
	};
	char out[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(arh_initials(t[i].name, out, sizeof(out)), 0);
		assert_string_equal(out, t[i].want);
	}
	assert_int_equal(arh_initials("", out, sizeof(out)), -1);
	assert_int_equal(arh_initials("   ", out, sizeof(out)), -1);
	assert_int_equal(arh_initials("\xff\xfe", out, sizeof(out)), -1);
	/* No letter: cannot be shortened. */
	assert_int_equal(arh_initials("12345 -", out, sizeof(out)), -1);
	/* Too small: refused, not cut. */
	assert_int_equal(arh_initials("Mari Maasikas", out, 5), -1);
}

static void
test_person_view(void **state)
{
	json_t *rec = json_pack("{s:s, s:s, s:s, s:b, s:{s:s, s:s}, s:{s:s}}",
	    "reference", "1-3/5-1", "title", "Mari Maasikas teabenõue",
	    "correspondent", "Mari Maasikas", "private_person", 1,
	    "register", "Saatja", "Mari Maasikas", "Kanal", "e-post",
	    "access", "level", "public");
	json_t *v;
	char *dump;

	(void)state;
	v = arh_person_view(rec);
	assert_non_null(v);
	dump = json_dumps(v, 0);
	assert_null(strstr(dump, "Maasikas"));
	assert_string_equal(json_string_value(json_object_get(v,
	    "correspondent")), "M. M.");
	assert_string_equal(json_string_value(json_object_get(v, "title")),
	    "M. M. teabenõue");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    v, "register"), "Saatja")), "M. M.");
	free(dump);
	json_decref(v);
	/* Not a private person: unchanged. */
	json_object_set_new(rec, "private_person", json_false());
	v = arh_person_view(rec);
	assert_true(json_equal(v, rec));
	json_decref(v);
	json_decref(rec);
}

/* One private person's record with `text` as its title, in the person view:
 * the title as shown (caller frees). */
static char *
masked_title(const char *name, const char *text)
{
	json_t *rec = json_pack("{s:s, s:s, s:b}", "title", text,
	    "correspondent", name, "private_person", 1);
	json_t *v;
	char *t;

	assert_non_null(rec);
	v = arh_person_view(rec);
	assert_non_null(v);
	t = strdup(json_string_value(json_object_get(v, "title")));
	assert_non_null(t);
	json_decref(v);
	json_decref(rec);
	return t;
}

/* The spellings of a name: case, inflection, order, diacritics, NFD,
 * joined words; and words that only contain a part, which stay. */
static void
test_person_view_spellings(void **state)
{
	static const struct { const char *name, *text, *want; } t[] = {
		{ "Mari-Liis Õunapuu", "Vastus Õunapuu pöördumisele",
		  "Vastus Õ. pöördumisele" },
		{ "Mari-Liis Õunapuu", "MARI-LIIS ÕUNAPUU avaldus",
		  "M.-L. Õ. avaldus" },
		{ "Mari-Liis Õunapuu", "Õunapuu, Mari-Liis", "Õ., M.-L." },
		{ "Mari-Liis Õunapuu", "saadetud Õunapuule, vt Õunapuud",
		  "saadetud Õ., vt Õ." },
		{ "Mari-Liis Õunapuu", "mari-liis õunapuu", "M.-L. Õ." },
		{ "Mari-Liis Õunapuu", "Ounapuu (ilma täpita)",
		  "Õ. (ilma täpita)" },
		{ "Mari-Liis Õunapuu", "O\xcc\x83unapuu NFD-s", "Õ. NFD-s" },
		{ "Mari-Liis Õunapuu", "teabenõueÕunapuult", "Õ." },
		{ "Mari-Liis Õunapuu", "MariLiis", "M." },
		{ "Mari-Liis Õunapuu", "Liisi ja Marika", "L. ja M." },
		{ "Mari-Liis Õunapuu", "Õunapuu's letter", "Õ.'s letter" },
		{ "Mari-Liis Õunapuu", "x_Õunapuu_2024", "x_Õ._2024" },
		{ "Mari-Liis Õunapuu", "Vastus teabenõudele",
		  "Vastus teabenõudele" },
		/* Inside a word, not at its start: another word. */
		{ "Mari Kõiv", "Kuuskõiv ja Kõivule", "Kuuskõiv ja K." },
		{ "Mari Kõiv", "KUUSKÕIV", "KUUSKÕIV" },
		{ "Mari Kõiv", "KuusKõiv", "K." },
		{ "Mari Kõiv", "Tamari", "Tamari" },
		/* Stems: the genitive and the others. */
		{ "Mari Maasikas", "Mari Maasika avaldus, MAASIKALE",
		  "M. M. avaldus, M." },
		{ "Peeter Rebane", "Peetri ja Rebase kiri", "P. ja R. kiri" },
		{ "Toomas Ilves", "Toomase Ilvesele", "T. I." },
		/* The prefix rule's false positive: masked, fails closed. */
		{ "Jaan Tamm", "Tammsaare ja TAMME", "T. ja T." },
		{ "Äli Ärn-Õis", "ÄLI ÄRN-ÕIS, Älile, Ärnilt, Õisu",
		  "Ä. Ä.-Õ., Ä., Ä., Õ." },
		/* A two-letter part: alone or with a case ending only. */
		{ "Li Õun", "Li, LI, Lile, Lid, Lidega, Li'le",
		  "L., L., L., L., L., L.'le" },
		{ "Li Õun", "Lisa, Liik, Elin", "Lisa, Liik, Elin" },
		/* One letter: not a part. */
		{ "A Kask", "A ja B Kaskedele", "A ja B K." },
	};
	size_t i;
	char *got;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		got = masked_title(t[i].name, t[i].text);
		print_message("# %s: '%s' -> '%s'\n", t[i].name, t[i].text, got);
		assert_string_equal(got, t[i].want);
		free(got);
	}
}

/* s case folded, in NFD, without combining marks (caller frees). */
static char *
folded(const char *s)
{
	size_t n = 0, i, o = 0;
	uint8_t *f = u8_casefold((const uint8_t *)s, strlen(s), NULL,
	    UNINORM_NFD, NULL, &n);
	char *out = malloc(n + 1);
	ucs4_t uc;
	int len;

	assert_non_null(f);
	assert_non_null(out);
	for (i = 0; i < n; i += (size_t)len) {
		len = u8_mbtouc(&uc, f + i, n - i);
		if (!uc_is_general_category(uc, UC_CATEGORY_M)) {
			memcpy(out + o, f + i, (size_t)len);
			o += (size_t)len;
		}
	}
	out[o] = '\0';
	free(f);
	return out;
}

/* A record naming the person in every kind of place; the person view
 * holds no part of the name, in any case, anywhere. */
static json_t *
spelled_record(void)
{
	json_t *r;

	r = json_loads("{\"reference\": \"12-1/8911-1\", \"title\": "
	    "\"Vastus Õunapuu pöördumisele\", \"correspondent\": "
	    "\"Mari-Liis Õunapuu\", \"private_person\": true, "
	    "\"register\": {\"lines\": [[\"Saatja\", \"ÕUNAPUU, MARI-LIIS\"], "
	    "[\"Adressaat\", \"Mari-Liisile\"], [\"Kanal\", \"e-post\"]]}, "
	    "\"extra\": {\"n\": 5, \"märkus\": {\"sees\": [\"x\", "
	    "{\"kes\": \"ounapuu mari\"}, [\"Õunapuudega\"]]}, "
	    "\"tõde\": true}}", 0, NULL);
	assert_non_null(r);
	return r;
}

static void
assert_no_part(const json_t *v)
{
	static const char *const parts[] = { "mari", "liis", "ounapuu" };
	char *dump = json_dumps(v, 0), *f;
	size_t i;

	assert_non_null(dump);
	f = folded(dump);
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		assert_null(strstr(f, parts[i]));
	free(f);
	free(dump);
}

static void
test_person_view_everywhere(void **state)
{
	json_t *rec = spelled_record(), *v, *lines, *x;

	(void)state;
	v = arh_person_view(rec);
	assert_non_null(v);
	assert_no_part(v);
	assert_string_equal(json_string_value(json_object_get(v,
	    "correspondent")), "M.-L. Õ.");
	assert_string_equal(json_string_value(json_object_get(v, "title")),
	    "Vastus Õ. pöördumisele");
	lines = json_object_get(json_object_get(v, "register"), "lines");
	assert_string_equal(json_string_value(json_array_get(json_array_get(
	    lines, 0), 1)), "Õ., M.-L.");
	assert_string_equal(json_string_value(json_array_get(json_array_get(
	    lines, 1), 1)), "M.-L.");
	assert_string_equal(json_string_value(json_array_get(json_array_get(
	    lines, 2), 1)), "e-post");
	x = json_object_get(json_object_get(json_object_get(v, "extra"),
	    "märkus"), "sees");
	assert_string_equal(json_string_value(json_object_get(json_array_get(x,
	    1), "kes")), "Õ. M.");
	assert_string_equal(json_string_value(json_array_get(json_array_get(x,
	    2), 0)), "Õ.");
	/* Keys and other values stay. */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(v,
	    "extra"), "n")), 5);
	assert_true(json_is_true(json_object_get(json_object_get(v, "extra"),
	    "tõde")));
	json_decref(v);
	json_decref(rec);
}

/* A name without a letter cannot be shortened: withheld, and so is every
 * string that holds it. */
static void
test_person_view_withheld(void **state)
{
	json_t *rec = json_pack("{s:s, s:s, s:b}", "title", "Kiri 12345-le",
	    "correspondent", "12345", "private_person", 1);
	json_t *v;

	(void)state;
	v = arh_person_view(rec);
	assert_non_null(v);
	assert_string_equal(json_string_value(json_object_get(v,
	    "correspondent")), "(private person)");
	assert_string_equal(json_string_value(json_object_get(v, "title")),
	    "(private person)");
	json_decref(v);
	json_decref(rec);
}

/* Allocation failures: the view is NULL or masked, never the record. */
static size_t fail_after;

static void *
failing_malloc(size_t n)
{
	if (fail_after == 0)
		return NULL;
	fail_after--;
	return malloc(n);
}

static void
test_person_view_fails_closed(void **state)
{
	json_t *rec = spelled_record(), *v = NULL;
	size_t n, nulls = 0;

	(void)state;
	for (n = 0; v == NULL && n < 10000; n++) {
		fail_after = n;
		json_set_alloc_funcs(failing_malloc, free);
		v = arh_person_view(rec);
		json_set_alloc_funcs(malloc, free);
		if (v == NULL)
			nulls++;
	}
	assert_non_null(v);
	assert_true(nulls > 0);
	assert_no_part(v);
	json_decref(v);
	json_decref(rec);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decide_table),
		cmocka_unit_test(test_decide_null_restriction),
		cmocka_unit_test(test_decide_long_basis),
		cmocka_unit_test(test_roles_by_user_group_uid),
		cmocka_unit_test(test_roles_feed_decision),
		cmocka_unit_test(test_public_view_internal),
		cmocka_unit_test(test_public_view_public),
		cmocka_unit_test(test_public_view_odd_shapes),
		cmocka_unit_test(test_initials),
		cmocka_unit_test(test_person_view),
		cmocka_unit_test(test_person_view_spellings),
		cmocka_unit_test(test_person_view_everywhere),
		cmocka_unit_test(test_person_view_withheld),
		cmocka_unit_test(test_person_view_fails_closed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
