/* test_register.c — register entry import: parse, record.json, write. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "arhiivar/input.h"
#include "arhiivar/register.h"
#include "util.h"

#define TODAY	"2026-11-28"
#define FIXTURE	"tests/fuzz/corpus/register/register-entry-12-1-8909-1.txt"
#define FIXTURE_SAMPLE	"sample/register-entry-12-1-8909-1.txt"

/* The smallest complete entry but for the access lines (line 7 on). */
static const char head[] =
    "Viit | 12-1/77 |\n"
    "Registreeritud | 05.03.2024 |\n"
    "Liik | Väljaminev kiri |\n"
    "Funktsioon | 12 Rahvusvaheline justiitskoostöö |\n"
    "Sari | 12-1 Kirjavahetus |\n"
    "Toimik | 12-1/2024 |\n";

/* ---------------------------------------------------------------------
 * Helpers
 */

static char *
fixture(size_t *len)
{
	struct arh_err err;
	char *buf;

	if (arh_read_file(AT_FDCWD, FIXTURE, ARH_MAX_ENTRY_BYTES, &buf, len,
	    &err) != 0)
		assert_int_equal(arh_read_file(AT_FDCWD, FIXTURE_SAMPLE,
		    ARH_MAX_ENTRY_BYTES, &buf, len, &err), 0);
	return buf;
}

static char *
entry_text(const char *access, const char *text)
{
	char *s;

	if (asprintf(&s, "%s%s%s", head, access, text) < 0)
		fail();
	return s;
}

static char *
entry(const char *access)
{
	return entry_text(access, "Tere!\n");
}

static const char *
str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void
expect_problem(const struct arh_problems *p, const char *want)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->items[i], want) == 0)
			return;
	print_error("wanted problem: %s\ngot %zu:\n", want, p->n);
	for (i = 0; i < p->n; i++)
		print_error("  %s\n", p->items[i]);
	fail();
}

/* Parse text, expect ARH_EINVAL and the problem `want`; returns count. */
static size_t
expect_parse_problem(const char *text, size_t len, const char *want)
{
	struct arh_register_entry e;
	struct arh_problems probs;
	size_t n;

	arh_problems_init(&probs);
	assert_int_equal(arh_register_parse("e.txt", text, len, &e, &probs),
	    ARH_EINVAL);
	assert_null(e.record);
	assert_null(e.text);
	expect_problem(&probs, want);
	n = probs.n;
	arh_problems_release(&probs);
	return n;
}

static void
parse_ok(const char *text, size_t len, struct arh_register_entry *e)
{
	struct arh_problems probs;
	size_t i;
	int r;

	arh_problems_init(&probs);
	r = arh_register_parse("e.txt", text, len, e, &probs);
	for (i = 0; i < probs.n; i++)
		print_error("problem: %s\n", probs.items[i]);
	assert_int_equal(r, 0);
	arh_problems_release(&probs);
}

static void
rm_tree(int dfd, const char *name)
{
	struct dirent *de;
	DIR *d;
	int fd;

	if (unlinkat(dfd, name, 0) == 0 || errno != EISDIR)
		return;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			rm_tree(dirfd(d), de->d_name);
	closedir(d);
	unlinkat(dfd, name, AT_REMOVEDIR);
}

static int
setup(void **state)
{
	char *root = strdup("/tmp/arh-test-register-XXXXXX");

	if (root == NULL || mkdtemp(root) == NULL)
		return -1;
	*state = root;
	return 0;
}

static int
teardown(void **state)
{
	char *root = *state;

	umount2(root, MNT_DETACH);	/* test_write_enospc; harmless else */
	rm_tree(AT_FDCWD, root);
	free(root);
	return 0;
}

/* Names in dir other than "." and ".." starting with prefix. */
static int
count_prefixed(const char *dir, const char *prefix)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

/* ---------------------------------------------------------------------
 * Parsing the fixture
 */

static void
test_fixture_fields(void **state)
{
	struct arh_register_entry e;
	const json_t *reg, *acc;
	size_t len;
	char *buf = fixture(&len);

	(void)state;
	parse_ok(buf, len, &e);
	assert_string_equal(str(e.record, "reference"), "12-1/8909-1");
	assert_string_equal(str(e.record, "registered"), "2024-12-19");
	assert_string_equal(str(e.record, "type"), "Sissetulev kiri");
	assert_string_equal(str(e.record, "function"), "12");
	assert_string_equal(str(e.record, "series"), "12-1");
	assert_string_equal(str(e.record, "case_file"), "12-1/2024");
	assert_string_equal(str(e.record, "correspondent"), "Migration Legin");
	assert_string_equal(str(e.record, "delivery_channel"),
	    "Migration Legin");
	assert_true(strncmp(str(e.record, "responsible"),
	    "Julia Deržilo", strlen("Julia Deržilo")) == 0);
	assert_true(json_is_true(json_object_get(e.record,
	    "external_network")));
	acc = json_object_get(e.record, "access");
	assert_string_equal(str(acc, "level"), "public");
	assert_int_equal(json_object_size(acc), 1);
	reg = json_object_get(e.record, "register");
	assert_string_equal(str(reg, "organisation"), "Justiitsministeerium");
	assert_string_equal(str(reg, "function_title"),
	    "Rahvusvahelise justiitskoostöö korraldamine");
	assert_string_equal(str(reg, "series_title"),
	    "Kirjavahetus kriminaalasjades");
	assert_null(json_object_get(e.record, "title"));
	arh_register_entry_release(&e);
	free(buf);
}

static void
test_fixture_lines_kept(void **state)
{
	struct arh_register_entry e;
	const json_t *lines, *l;
	size_t len;
	char *buf = fixture(&len);

	(void)state;
	parse_ok(buf, len, &e);
	lines = json_object_get(json_object_get(e.record, "register"),
	    "lines");
	assert_int_equal(json_array_size(lines), 15);
	l = json_array_get(lines, 0);
	assert_string_equal(json_string_value(json_array_get(l, 0)),
	    "Dokumendiregister");
	assert_string_equal(json_string_value(json_array_get(l, 1)),
	    "Justiitsministeerium");
	/* A label the importer does not know, kept in its place. */
	l = json_array_get(lines, 3);
	assert_string_equal(json_string_value(json_array_get(l, 0)),
	    "Sünkroonitud");
	assert_string_equal(json_string_value(json_array_get(l, 1)),
	    "20.12.2024");
	l = json_array_get(lines, 9);
	assert_string_equal(json_string_value(json_array_get(l, 0)),
	    "Juurdepääsupiirang");
	assert_string_equal(json_string_value(json_array_get(l, 1)), "");
	l = json_array_get(lines, 14);
	assert_string_equal(json_string_value(json_array_get(l, 0)),
	    "Tähelepanu! Tegemist on välisvõrgust saabunud kirjaga.");
	assert_string_equal(json_string_value(json_array_get(l, 1)), "");
	arh_register_entry_release(&e);
	free(buf);
}

static void
test_fixture_text_exact(void **state)
{
	struct arh_register_entry e;
	const char *start;
	size_t len;
	char *buf = fixture(&len);

	(void)state;
	parse_ok(buf, len, &e);
	start = strstr(buf, "Dear Sir/Madam");
	assert_non_null(start);
	assert_int_equal(e.textlen, len - (size_t)(start - buf));
	assert_memory_equal(e.text, start, e.textlen);
	assert_int_equal(e.text[e.textlen], '\0');
	arh_register_entry_release(&e);
	free(buf);
}

static void
test_fixture_round_trip(void **state)
{
	struct arh_register_entry e;
	struct arh_problems probs;
	struct arh_record r;
	size_t len, i;
	char *buf = fixture(&len), *js;

	(void)state;
	parse_ok(buf, len, &e);
	js = json_dumps(e.record, JSON_INDENT(2) | JSON_SORT_KEYS);
	assert_non_null(js);
	memset(&r, 0, sizeof(r));
	arh_problems_init(&probs);
	assert_int_equal(arh_record_parse_meta(&r, "record.json", js,
	    strlen(js), &probs), 0);
	for (i = 0; i < probs.n; i++)
		print_error("%s\n", probs.items[i]);
	assert_int_equal(probs.n, 0);
	assert_string_equal(r.reference, "12-1/8909-1");
	assert_string_equal(r.registered, "2024-12-19");
	assert_string_equal(r.type, "Sissetulev kiri");
	assert_int_equal(r.access.internal, 0);
	arh_record_release(&r);
	arh_problems_release(&probs);
	free(js);
	arh_register_entry_release(&e);
	free(buf);
}

static void
test_fixture_crlf(void **state)
{
	struct arh_register_entry e;
	size_t len, i, n = 0;
	char *buf = fixture(&len), *crlf = malloc(2 * len + 1);

	(void)state;
	assert_non_null(crlf);
	for (i = 0; i < len; i++) {
		if (buf[i] == '\n')
			crlf[n++] = '\r';
		crlf[n++] = buf[i];
	}
	parse_ok(crlf, n, &e);
	assert_string_equal(str(e.record, "reference"), "12-1/8909-1");
	assert_string_equal(str(json_object_get(e.record, "register"),
	    "organisation"), "Justiitsministeerium");
	assert_true(json_is_true(json_object_get(e.record,
	    "external_network")));
	/* The text keeps its CR LF line ends. */
	assert_true(strncmp(e.text, "Dear Sir/Madam,\r\n", 17) == 0);
	arh_register_entry_release(&e);
	free(crlf);
	free(buf);
}

/* ---------------------------------------------------------------------
 * Small entries
 */

static void
test_minimal_public(void **state)
{
	struct arh_register_entry e;
	char *t = entry("Juurdepääsupiirang | Avalik |\n");

	(void)state;
	parse_ok(t, strlen(t), &e);
	assert_string_equal(str(e.record, "registered"), "2024-03-05");
	assert_false(json_is_true(json_object_get(e.record,
	    "external_network")));
	assert_null(json_object_get(json_object_get(e.record, "register"),
	    "organisation"));
	assert_string_equal(e.text, "Tere!\n");
	arh_register_entry_release(&e);
	free(t);
}

static void
test_internal_access(void **state)
{
	struct arh_register_entry e;
	const json_t *acc;
	char *t = entry("Juurdepääsupiirang | Asutusesiseseks kasutamiseks |\n"
	    "Juurdepääsupiirang | AvTS § 35 lg 1 p 12 |\n"
	    "Juurdepääsupiirangu kehtivuse algus | 1.3.2024 |\n"
	    "Juurdepääsupiirang kehtib kuni | 01.03.2029 |\n");

	(void)state;
	parse_ok(t, strlen(t), &e);
	acc = json_object_get(e.record, "access");
	assert_string_equal(str(acc, "level"), "internal");
	assert_string_equal(str(acc, "basis"), "AvTS § 35 lg 1 p 12");
	assert_string_equal(str(acc, "start"), "2024-03-01");
	assert_string_equal(str(acc, "end"), "2029-03-01");
	arh_register_entry_release(&e);
	free(t);
}

static void
test_internal_defaults_start(void **state)
{
	struct arh_register_entry e;
	const json_t *acc;
	char *t = entry("Juurdepääsupiirang | AK |\n"
	    "Juurdepääsupiirangu alus | AvTS § 35 lg 1 p 2 |\n"
	    "Juurdepääsupiirangu lõpp | 05.03.2029 |\n");

	(void)state;
	parse_ok(t, strlen(t), &e);
	acc = json_object_get(e.record, "access");
	assert_string_equal(str(acc, "level"), "internal");
	assert_string_equal(str(acc, "basis"), "AvTS § 35 lg 1 p 2");
	assert_string_equal(str(acc, "start"), "2024-03-05");
	assert_string_equal(str(acc, "end"), "2029-03-05");
	arh_register_entry_release(&e);
	free(t);
}

static void
test_internal_incomplete(void **state)
{
	char *t = entry("Juurdepääsupiirang | AK |\n");

	(void)state;
	expect_parse_problem(t, strlen(t), "e.txt:7: internal-use record "
	    "without 'Juurdepääsupiirangu alus' (the legal basis)");
	assert_int_equal(expect_parse_problem(t, strlen(t), "e.txt:7: "
	    "internal-use record without 'Juurdepääsupiirangu lõpp' (the end "
	    "date)"), 2);
	free(t);
	t = entry("Juurdepääsupiirang | AK |\n"
	    "Juurdepääsupiirangu alus | x |\n"
	    "Juurdepääsupiirangu lõpp | 01.01.2020 |\n");
	expect_parse_problem(t, strlen(t), "e.txt:9: the restriction ends "
	    "(2020-01-01) before it starts (2024-03-05)");
	free(t);
}

static void
test_access_unknown_level(void **state)
{
	char *t = entry("Juurdepääsupiirang | Salajane |\n");

	(void)state;
	expect_parse_problem(t, strlen(t), "e.txt:7: 'Juurdepääsupiirang' must "
	    "be 'Avalik' or 'Asutusesiseseks kasutamiseks' (AK), not "
	    "'Salajane'");
	free(t);
	t = entry("");
	expect_parse_problem(t, strlen(t), "e.txt:1: missing "
	    "'Juurdepääsupiirang' (the access restriction)");
	free(t);
}

static void
test_missing_labels(void **state)
{
	const char *t = "Liik | Kiri |\nText\n";

	(void)state;
	expect_parse_problem(t, strlen(t), "e.txt:1: missing 'Viit' (the "
	    "record reference)");
	expect_parse_problem(t, strlen(t), "e.txt:1: missing 'Registreeritud' "
	    "(the registration date)");
	expect_parse_problem(t, strlen(t), "e.txt:1: missing 'Toimik' (the "
	    "case file)");
	/* Viit, Registreeritud, Funktsioon, Sari, Toimik, access: all at once */
	assert_int_equal(expect_parse_problem(t, strlen(t), "e.txt:1: missing "
	    "'Sari' (the series)"), 6);
}

static void
test_bad_values(void **state)
{
	const char *t = "Viit | 12-1//1 |\n"
	    "Registreeritud | 32.13.2024 |\n"
	    "Liik | |\n"
	    "Funktsioon | 12 |\n"
	    "Sari | 12-1 |\n"
	    "Toimik | 12-1/2024 |\n"
	    "Juurdepääsupiirang | Avalik |\n"
	    "Juurdepääsupiirangu lõpp | 2029-01-01 |\n";

	(void)state;
	expect_parse_problem(t, strlen(t), "e.txt:1: 'Viit' is not a valid "
	    "reference: '12-1//1' (letters, digits, '.', '-' and '/', at most "
	    "64)");
	expect_parse_problem(t, strlen(t), "e.txt:2: 'Registreeritud' is not a "
	    "date DD.MM.YYYY: '32.13.2024'");
	expect_parse_problem(t, strlen(t), "e.txt:3: 'Liik' is empty");
	assert_int_equal(expect_parse_problem(t, strlen(t), "e.txt:8: "
	    "'Juurdepääsupiirangu lõpp' is not a date DD.MM.YYYY: "
	    "'2029-01-01'"), 4);
}

static void
test_duplicate_label(void **state)
{
	char *t = entry("Juurdepääsupiirang | Avalik |\nViit | 12-1/78 |\n"
	    "Adressaat | A |\nAdressaat | B |\n");
	struct arh_register_entry e;

	(void)state;
	assert_int_equal(expect_parse_problem(t, strlen(t), "e.txt:8: 'Viit' "
	    "given twice (also on line 1)"), 1);
	free(t);
	/* Several addressees are fine: the first is the correspondent. */
	t = entry("Juurdepääsupiirang | Avalik |\nAdressaat | A |\n"
	    "Adressaat | B |\n");
	parse_ok(t, strlen(t), &e);
	assert_string_equal(str(e.record, "correspondent"), "A");
	arh_register_entry_release(&e);
	free(t);
}

static void
test_not_text(void **state)
{
	const char nul[] = "Viit | 1 |\nLiik | a\0b |\n";
	const char bad[] = "Viit | 1 |\nLiik | \xff |\n";
	const char *plain = "Just a letter.\nViit | 1 |\n";
	char *big;

	(void)state;
	expect_parse_problem(nul, sizeof(nul) - 1, "e.txt:2: contains a NUL "
	    "byte; not a text file");
	expect_parse_problem(bad, sizeof(bad) - 1, "e.txt:2: not valid UTF-8; "
	    "save the entry as UTF-8");
	expect_parse_problem(plain, strlen(plain), "e.txt:1: no labelled lines "
	    "('Label | value |'); not a register entry");
	expect_parse_problem("", 0, "e.txt:1: no labelled lines ('Label | "
	    "value |'); not a register entry");
	big = calloc(1, ARH_MAX_ENTRY_BYTES + 1);
	assert_non_null(big);
	expect_parse_problem(big, ARH_MAX_ENTRY_BYTES + 1, "e.txt:1: too large "
	    "(16777217 bytes, at most 16777216)");
	free(big);
}

static void
test_no_text_and_bom(void **state)
{
	struct arh_register_entry e;
	char *t = entry_text("Juurdepääsupiirang | Avalik |\n", ""), *bom;

	(void)state;
	assert_true(asprintf(&bom, "\xef\xbb\xbf%s", t) > 0);
	parse_ok(bom, strlen(bom), &e);
	assert_null(e.text);
	assert_int_equal(e.textlen, 0);
	assert_string_equal(str(e.record, "reference"), "12-1/77");
	arh_register_entry_release(&e);
	free(bom);
	free(t);
}

static void
test_value_with_bar_and_blanks(void **state)
{
	struct arh_register_entry e;
	char *t = entry("Juurdepääsupiirang | Avalik |\n"
	    "Pealkiri |  Taotlus | lisa  |  \t\n");

	(void)state;
	parse_ok(t, strlen(t), &e);
	assert_string_equal(str(e.record, "title"), "Taotlus | lisa");
	arh_register_entry_release(&e);
	free(t);
}

/* ---------------------------------------------------------------------
 * Writing
 */

static void
write_fixture(const char *root, char **folder, int want)
{
	struct arh_register_entry e;
	struct arh_err err;
	size_t len;
	char *buf = fixture(&len);

	parse_ok(buf, len, &e);
	assert_int_equal(arh_register_write(&e, root, folder, &err), want);
	if (want == ARH_EEXIST) {
		assert_non_null(strstr(err.msg, "record folder '12-1_8909-1' "
		    "already exists in '"));
		assert_non_null(strstr(err.msg, "'; remove it or import into "
		    "another case directory"));
	}
	arh_register_entry_release(&e);
	free(buf);
}

static void
test_write_folder(void **state)
{
	const char *root = *state;
	struct arh_problems probs;
	struct arh_record r;
	struct arh_err err;
	char p[1024], *folder = NULL, *js, *txt, *buf;
	size_t len, jlen, tlen;

	write_fixture(root, &folder, 0);
	assert_string_equal(folder, "12-1_8909-1");
	free(folder);
	snprintf(p, sizeof(p), "%s/12-1_8909-1/record.json", root);
	assert_int_equal(arh_read_file(AT_FDCWD, p, ARH_MAX_META_BYTES, &js,
	    &jlen, &err), 0);
	assert_int_equal(js[jlen - 1], '\n');
	assert_non_null(strstr(js, "\n  \"access\": {\n"));	/* indent 2 */
	assert_non_null(strstr(js, "Deržilo"));		/* not \u escaped */
	memset(&r, 0, sizeof(r));
	arh_problems_init(&probs);
	assert_int_equal(arh_record_parse_meta(&r, p, js, jlen, &probs), 0);
	arh_record_release(&r);
	arh_problems_release(&probs);
	snprintf(p, sizeof(p), "%s/12-1_8909-1/tekst.txt", root);
	assert_int_equal(arh_read_file(AT_FDCWD, p, ARH_MAX_ENTRY_BYTES, &txt,
	    &tlen, &err), 0);
	buf = fixture(&len);
	assert_int_equal(tlen, len - (size_t)(strstr(buf, "Dear Sir") - buf));
	assert_memory_equal(txt, strstr(buf, "Dear Sir"), tlen);
	assert_int_equal(count_prefixed(root, ".tmp-import"), 0);
	free(buf);
	free(txt);
	free(js);
}

static void
test_write_exists(void **state)
{
	const char *root = *state;

	write_fixture(root, NULL, 0);
	write_fixture(root, NULL, ARH_EEXIST);
	assert_int_equal(count_prefixed(root, ".tmp-import"), 0);
	assert_int_equal(count_prefixed(root, "12-1_8909-1"), 1);
}

static void
test_write_no_text(void **state)
{
	const char *root = *state;
	struct arh_register_entry e;
	struct arh_err err;
	struct stat st;
	char *t = entry_text("Juurdepääsupiirang | Avalik |\n", ""), p[1024];

	parse_ok(t, strlen(t), &e);
	assert_int_equal(arh_register_write(&e, root, NULL, &err), 0);
	snprintf(p, sizeof(p), "%s/12-1_77/record.json", root);
	assert_int_equal(stat(p, &st), 0);
	snprintf(p, sizeof(p), "%s/12-1_77/tekst.txt", root);
	assert_int_equal(stat(p, &st), -1);
	assert_int_equal(errno, ENOENT);
	arh_register_entry_release(&e);
	free(t);
}

static void
test_write_no_casedir(void **state)
{
	struct arh_register_entry e;
	struct arh_err err;
	char p[1024], *t = entry("Juurdepääsupiirang | Avalik |\n"), *f = NULL;

	snprintf(p, sizeof(p), "%s/missing", (const char *)*state);
	parse_ok(t, strlen(t), &e);
	assert_int_equal(arh_register_write(&e, p, &f, &err), ARH_ENOTFOUND);
	assert_null(f);
	assert_true(strncmp(err.msg, "cannot open case directory '", 28) == 0);
	arh_register_entry_release(&e);
	assert_int_equal(arh_register_write(&e, *state, &f, &err), ARH_EUSAGE);
	free(t);
}

/* A full disk halfway through: an error, and no temporary folder left. */
static void
test_write_enospc(void **state)
{
	const char *root = *state;
	struct arh_register_entry e;
	struct arh_err err;
	char *big;
	size_t n = 256 * 1024, i;

	if (mount("tmpfs", root, "tmpfs", 0, "size=64k") != 0)
		skip();		/* needs root (CAP_SYS_ADMIN) */
	big = malloc(n);
	assert_non_null(big);
	/* a complete entry, then a long text */
	{
		char *t = entry("Juurdepääsupiirang | Avalik |\n");
		size_t tl = strlen(t);

		memcpy(big, t, tl);
		for (i = tl; i < n; i++)
			big[i] = i % 64 == 63 ? '\n' : 'a';
		free(t);
	}
	parse_ok(big, n, &e);
	assert_int_equal(arh_register_write(&e, root, NULL, &err), ARH_ENOSPC);
	assert_non_null(strstr(err.msg, "No space left on device"));
	assert_int_equal(count_prefixed(root, ".tmp-import"), 0);
	assert_int_equal(count_prefixed(root, "12-1_77"), 0);
	arh_register_entry_release(&e);
	free(big);
}

/* Make DIR/name holding a record.json, as a killed import leaves it. */
static void
make_tmp(const char *root, const char *name)
{
	char p[1024];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", root, name);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/%s/record.json", root, name);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
}

/*
 * The sweep removes the temporary folder of a killed import, and only
 * that: not one whose process still runs, not one holding other files,
 * not a name that merely looks alike.
 */
static void
test_sweep(void **state)
{
	const char *root = *state;
	struct arh_err err;
	char dead[64], live[64], other[1024];
	size_t n = 99;
	pid_t pid;
	int fd;

	if ((pid = fork()) == 0)
		_exit(0);
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	snprintf(dead, sizeof(dead), ".tmp-import-%ld-12-1_8909-1", (long)pid);
	snprintf(live, sizeof(live), ".tmp-import-%ld-12-1_8909-1",
	    (long)getpid());
	make_tmp(root, dead);
	make_tmp(root, live);
	make_tmp(root, ".tmp-import-x-12-1_1");
	snprintf(other, sizeof(other), ".tmp-import-%ld-12-1_2", (long)pid);
	make_tmp(root, other);
	snprintf(other, sizeof(other), "%s/.tmp-import-%ld-12-1_2/keep.pdf",
	    root, (long)pid);
	fd = open(other, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(arh_register_sweep(root, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(count_prefixed(root, dead), 0);
	assert_int_equal(count_prefixed(root, live), 1);
	assert_int_equal(count_prefixed(root, ".tmp-import-x-"), 1);
	assert_int_equal(count_prefixed(root, ".tmp-import"), 3);
	assert_int_equal(arh_register_sweep(root, &n, &err), 0);
	assert_int_equal(n, 0);
	snprintf(other, sizeof(other), "%s/missing", root);
	assert_int_equal(arh_register_sweep(other, &n, &err), ARH_ENOTFOUND);
}

/* Import into a case directory, then load it: the whole way round. */
static void
test_write_then_load(void **state)
{
	static const char case_json[] = "{\"reference\": \"12-1/2024\", "
	    "\"function\": {\"code\": \"12\", \"title\": \"Rahvusvahelise "
	    "justiitskoostöö korraldamine\"}, \"series\": {\"code\": \"12-1\", "
	    "\"title\": \"Kirjavahetus kriminaalasjades\"}, \"year\": 2024, "
	    "\"opened\": \"2024-01-02\", \"closed\": \"2024-12-31\", "
	    "\"organisation\": \"Justiitsministeerium\"}";
	const char *root = *state;
	struct arh_problems probs;
	struct arh_case *c = NULL;
	struct arh_err err;
	char p[1024];
	size_t i;
	int fd;

	snprintf(p, sizeof(p), "%s/case.json", root);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(arh_write_all(fd, case_json, strlen(case_json)), 0);
	close(fd);
	write_fixture(root, NULL, 0);
	arh_problems_init(&probs);
	assert_int_equal(arh_case_load(root, TODAY, &c, &probs, &err), 0);
	for (i = 0; i < probs.n; i++)
		print_error("%s\n", probs.items[i]);
	assert_int_equal(c->nrecords, 1);
	assert_string_equal(c->records[0].reference, "12-1/8909-1");
	assert_int_equal(c->nfiles, 1);
	assert_string_equal(c->files[0].bag_path, "data/12-1_8909-1/tekst.txt");
	assert_int_equal(c->files[0].mtime, arh_date_epoch("2024-12-19"));
	arh_case_free(c);
	arh_problems_release(&probs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_fields),
		cmocka_unit_test(test_fixture_lines_kept),
		cmocka_unit_test(test_fixture_text_exact),
		cmocka_unit_test(test_fixture_round_trip),
		cmocka_unit_test(test_fixture_crlf),
		cmocka_unit_test(test_minimal_public),
		cmocka_unit_test(test_internal_access),
		cmocka_unit_test(test_internal_defaults_start),
		cmocka_unit_test(test_internal_incomplete),
		cmocka_unit_test(test_access_unknown_level),
		cmocka_unit_test(test_missing_labels),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_duplicate_label),
		cmocka_unit_test(test_not_text),
		cmocka_unit_test(test_no_text_and_bom),
		cmocka_unit_test(test_value_with_bar_and_blanks),
		cmocka_unit_test_setup_teardown(test_write_folder, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_write_exists, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_write_no_text, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_write_no_casedir, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_write_enospc, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_sweep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_then_load, setup,
		    teardown),
	};

	setlocale(LC_CTYPE, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
