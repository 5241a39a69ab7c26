/*
 * fuzz_case_meta.c — libFuzzer target for arh_case_parse_meta() and
 * arh_record_parse_meta() (each input is tried as both), plus
 * arh_name_check() on the input's first bytes.  Besides crashes and leaks
 * it checks the contract: 0 exactly when no problem was added, and a
 * success leaves every required field filled and valid.
 */
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "arhiivar/input.h"
#include "arhiivar/policy.h"

#define TODAY	"2026-11-28"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setlocale(LC_CTYPE, "C.UTF-8");
	return 0;
}

static void
check_case(const char *buf, size_t len)
{
	struct arh_problems probs;
	struct arh_case *c = calloc(1, sizeof(*c));
	int rc;

	if (c == NULL)
		return;
	arh_problems_init(&probs);
	rc = arh_case_parse_meta(c, "case.json", buf, len, TODAY, &probs);
	if (rc != 0 && rc != ARH_EINVAL && rc != ARH_ENOMEM)
		abort();
	if ((rc == ARH_EINVAL) != (probs.n > 0))
		abort();
	if (rc == 0 && (!arh_reference_valid(c->reference) ||
	    c->function_code == NULL || c->series_code == NULL ||
	    (c->organisation != NULL && *c->organisation == '\0') ||
	    !arh_date_valid(c->opened) ||
	    !arh_date_valid(c->closed) || strcmp(c->opened, c->closed) > 0 ||
	    strcmp(c->closed, TODAY) > 0 || c->year < 1900 || c->meta == NULL))
		abort();
	arh_case_free(c);
	arh_problems_release(&probs);
}

/*
 * The masking rule of the person view (docs/POLICY.md), written a second
 * way: whole words folded at once, as UTF-8.  A letter is alphabetic or a
 * combining mark; folded is case folded, NFD, marks dropped.
 */
static int
is_letter(ucs4_t uc)
{
	return uc_is_alpha(uc) || uc_is_general_category(uc, UC_CATEGORY_M);
}

/* The folded word s[0..n) (malloc'd, NUL-terminated), its letters in *cps;
 * NULL on allocation failure. */
static char *
fold(const char *s, size_t n, size_t *cps)
{
	size_t fn = 0, i, o = 0;
	uint8_t *f = u8_casefold((const uint8_t *)s, n, NULL, UNINORM_NFD,
	    NULL, &fn);
	char *out = f != NULL ? malloc(fn + 1) : NULL;
	ucs4_t uc;
	int len;

	*cps = 0;
	for (i = 0; out != NULL && i < fn; i += (size_t)len) {
		if ((len = u8_mbtouc(&uc, f + i, fn - i)) <= 0)
			len = 1;
		if (!uc_is_general_category(uc, UC_CATEGORY_M)) {
			memcpy(out + o, f + i, (size_t)len);
			o += (size_t)len;
			(*cps)++;
		}
	}
	if (out != NULL)
		out[o] = '\0';
	free(f);
	return out;
}

#define MAX_PARTS	64	/* checked of one name (the rest are not) */

struct name_parts {
	char	*fold[MAX_PARTS];	/* folded stems */
	size_t	 len[MAX_PARTS];	/* letters of the part */
	size_t	 n;
};

/* Call fn(word, len, arg) for every run of letters of s[0..n); stop at a
 * nonzero return and give it. */
static int
each_word(const char *s, size_t n, int (*fn)(const char *, size_t, void *),
    void *arg)
{
	size_t i = 0, j;
	ucs4_t uc;
	int len, r;

	while (i < n) {
		for (j = i; j < n; j += (size_t)len) {
			if ((len = u8_mbtouc(&uc, (const uint8_t *)s + j,
			    n - j)) <= 0)
				len = 1;
			if (!is_letter(uc))
				break;
		}
		if (j > i && (r = fn(s + i, j - i, arg)) != 0)
			return r;
		i = j > i ? j : i + (size_t)len;
	}
	return 0;
}

/* A part of the name: its stem (less a letter at five, two at six or
 * more), folded. */
static int
add_part(const char *w, size_t n, void *arg)
{
	struct name_parts *np = arg;
	size_t cps, keep, i, o;
	char *f;
	ucs4_t uc;
	int len;

	if (np->n == MAX_PARTS || (f = fold(w, n, &cps)) == NULL)
		return 0;
	if (cps < 2) {
		free(f);
		return 0;
	}
	keep = cps >= 6 ? cps - 2 : cps == 5 ? 4 : cps;
	for (i = 0, o = 0; i < keep; i++, o += (size_t)len)
		if ((len = u8_mbtouc(&uc, (const uint8_t *)f + o,
		    strlen(f + o))) <= 0)
			abort();
	f[o] = '\0';
	np->fold[np->n] = f;
	np->len[np->n++] = cps;
	return 0;
}

/* 1 if the word w is one the rule masks at its start. */
static int
word_leaks(const char *w, size_t n, void *arg)
{
	const struct name_parts *np = arg;
	size_t cps, i;
	char *f = fold(w, n, &cps);
	int leak = 0;

	for (i = 0; f != NULL && i < np->n && !leak; i++)
		leak = np->len[i] >= 3 ? strncmp(f, np->fold[i],
		    strlen(np->fold[i])) == 0 : strcmp(f, np->fold[i]) == 0;
	free(f);
	return leak;
}

/* Abort if a string value inside v (keys are not masked) holds a word the
 * rule masks, is not UTF-8, or (no parts: a name without a letter) holds
 * the name as written. */
static void
check_strings(const json_t *v, const struct name_parts *np, const char *name)
{
	const char *k, *s;
	json_t *x;
	size_t i, n;

	if (json_is_string(v)) {
		s = json_string_value(v);
		n = json_string_length(v);
		if (u8_check((const uint8_t *)s, n) != NULL)
			abort();
		if (np->n > 0 && each_word(s, n, word_leaks, (void *)np) != 0)
			abort();
		if (np->n == 0 && name != NULL &&
		    memmem(s, n, name, strlen(name)) != NULL)
			abort();
	} else if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, x)
			check_strings(x, np, name);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			check_strings(x, np, name);
	}
}

/*
 * The projections of an accepted record: the public view has no
 * correspondent or title; the initials view of a private person holds no
 * word of any spelling the rule masks (any case, any part, inflected), and
 * is valid UTF-8; a name without a letter is in no string.
 */
static void
check_views(const json_t *meta)
{
	const char *name = json_string_value(json_object_get(meta,
	    "correspondent"));
	struct name_parts np;
	char ini[256];
	json_t *v;
	size_t i;

	if ((v = arh_public_view(meta)) == NULL)
		return;
	if (json_object_get(v, "correspondent") != NULL ||
	    json_object_get(v, "title") != NULL)
		abort();
	json_decref(v);
	if ((v = arh_person_view(meta)) == NULL)
		return;
	if (json_is_true(json_object_get(meta, "private_person")) &&
	    name != NULL && *name != '\0') {
		memset(&np, 0, sizeof(np));
		each_word(name, strlen(name), add_part, &np);
		/* No parts: only a name without a letter is withheld. */
		check_strings(v, &np, arh_initials(name, ini, sizeof(ini)) !=
		    0 && strstr("(private person)", name) == NULL ? name :
		    NULL);
		for (i = 0; i < np.n; i++)
			free(np.fold[i]);
	}
	json_decref(v);
}

static void
check_record(const char *buf, size_t len)
{
	struct arh_problems probs;
	struct arh_record r;
	int rc;

	memset(&r, 0, sizeof(r));
	arh_problems_init(&probs);
	rc = arh_record_parse_meta(&r, "r/record.json", buf, len, &probs);
	if ((rc == ARH_EINVAL) != (probs.n > 0))
		abort();
	if (rc == 0 && (!arh_reference_valid(r.reference) ||
	    !arh_date_valid(r.registered) || r.type == NULL ||
	    r.meta == NULL))
		abort();
	if (rc == 0 && r.access.internal && (r.access.basis == NULL ||
	    !arh_date_valid(r.access.start) || !arh_date_valid(r.access.end) ||
	    strcmp(r.access.start, r.access.end) > 0))
		abort();
	if (rc == 0)
		check_views(r.meta);
	arh_record_release(&r);
	arh_problems_release(&probs);
}

static void
check_name(const uint8_t *data, size_t size)
{
	char name[300], *nfc = NULL;
	const char *why;
	size_t n = size < sizeof(name) - 1 ? size : sizeof(name) - 1;

	memcpy(name, data, n);
	name[n] = '\0';
	if (arh_name_check(name, &nfc, &why) == 0) {
		if (nfc == NULL || strlen(nfc) > ARH_MAX_NAME ||
		    u8_check((const uint8_t *)nfc, strlen(nfc)) != NULL ||
		    strchr(nfc, '/') != NULL || strchr(nfc, '%') != NULL)
			abort();
	} else if (nfc != NULL || why == NULL) {
		abort();
	}
	free(nfc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_case((const char *)data, size);
	check_record((const char *)data, size);
	check_name(data, size);
	return 0;
}
