/*
 * initials.c — a private person's name as the public sees it: "Mari
 * Maasikas" becomes "M. M.", "Jaan-Peeter Tamm" "J.-P. T.", "Õie Ärn"
 * "Õ. Ä." (whole characters, not bytes); and the person view, which masks
 * every spelling of the name in every string of a record.  Public
 * registers show private persons this way; the record itself keeps the
 * name.
 *
 * The masking rule (docs/POLICY.md, "What the public sees"): the name's parts
 * are its runs of letters; a part counts when it has two letters or more
 * after folding.  Text and parts are compared folded: case folded, NFD,
 * combining marks dropped ("ÕUNAPUU", "Õunapuu" and "Ounapuu" are one
 * spelling).  A word of the text (a run of letters) is masked in full, as
 * the matched part's initial and ".", when at its start, or at an
 * upper-case letter that follows a lower-case one inside it, it begins
 * with the stem of a part of three letters or more, or from there to its
 * end is a two-letter part alone or followed by a case ending.  Estonian
 * inflects by suffixes ("Õunapuule", "Õunapuud"), with the stem's end
 * often changing ("Maasikas", "Maasika"; "Rebane", "Rebase"; "Peeter",
 * "Peetri"): a stem is the part less its last letter at five letters, less
 * two at six or more.  A part inside a word at no such start ("Kuuskõiv"
 * for "Kõiv") is a different word and stays.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "arhiivar/error.h"
#include "arhiivar/policy.h"

#define PART_MAX	64	/* folded letters of a part compared; a longer
				   part matches on these (more masking) */
#define FOLD_MAX	8	/* folded letters kept of one character */
#define INITIAL_MAX	32	/* bytes of a part's initial */
#define WITHHELD	"(private person)"

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
is_mark(ucs4_t uc)
{
	return uc_is_general_category(uc, UC_CATEGORY_M);
}

/* A letter of a word: alphabetic, or a combining mark (text in NFD). */
static int
is_letter(ucs4_t uc)
{
	return uc_is_alpha(uc) || is_mark(uc);
}

/* The character at s[i] (n bytes in all); its length, at least 1. */
static size_t
char_at(const char *s, size_t i, size_t n, ucs4_t *uc)
{
	int len = u8_mbtouc(uc, (const uint8_t *)s + i, n - i);

	return len > 0 ? (size_t)len : 1;
}

/*
 * The folded letters of one character (len bytes at s) into v (room for
 * FOLD_MAX): case folded, NFD, combining marks dropped.  Their number, or
 * -1 on allocation failure.
 */
static int
fold_char(const char *s, size_t len, ucs4_t *v)
{
	uint8_t buf[64], *f;
	size_t n = sizeof(buf), i, cl;
	ucs4_t uc;
	int k = 0;

	if (len == 1 && (unsigned char)*s < 0x80) {
		v[0] = (ucs4_t)(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
		return 1;
	}
	if ((f = u8_casefold((const uint8_t *)s, len, NULL, UNINORM_NFD, buf,
	    &n)) == NULL)
		return -1;
	for (i = 0; i < n; i += cl) {
		cl = char_at((const char *)f, i, n, &uc);
		if (!is_mark(uc) && k < FOLD_MAX)
			v[k++] = uc;
	}
	if (f != buf)
		free(f);
	return k;
}

/*
 * The folded letters of s[i..end), at most max (w has room for max +
 * FOLD_MAX) into w, their number in *nw; *whole 1 when they are all of it.
 * 0, or ARH_ENOMEM.
 */
static int
fold_word(const char *s, size_t i, size_t end, ucs4_t *w, size_t max,
    size_t *nw, int *whole)
{
	ucs4_t uc;
	size_t len;
	int k;

	*nw = 0;
	while (i < end && *nw < max) {
		len = char_at(s, i, end, &uc);
		if ((k = fold_char(s + i, len, w + *nw)) < 0)
			return ARH_ENOMEM;
		*nw += (size_t)k;
		i += len;
	}
	*whole = i >= end;
	return 0;
}

struct part {
	ucs4_t	 cp[PART_MAX];	/* folded letters of its stem */
	size_t	 n;
	char	 initial[INITIAL_MAX];	/* what a masked word becomes, with
					   the "." */
};

struct parts {
	struct part *v;		/* sorted by cp, shorter first; no two alike */
	size_t	 n;
};

static int
part_cmp(const void *a, const void *b)
{
	const struct part *p = a, *q = b;
	size_t i;

	for (i = 0; i < p->n && i < q->n; i++)
		if (p->cp[i] != q->cp[i])
			return p->cp[i] < q->cp[i] ? -1 : 1;
	return p->n < q->n ? -1 : p->n > q->n;
}

/*
 * A masked word's initial: the part's first character as written (with its
 * combining marks) when that folds to one letter, else the part's first
 * folded letter; so that no masked word folds to two letters.
 */
static void
set_initial(struct part *p, const char *s, size_t end)
{
	ucs4_t uc, v[FOLD_MAX];
	size_t i = char_at(s, 0, end, &uc), len;
	int k;

	for (; i < end; i += len) {
		len = char_at(s, i, end, &uc);
		if (!is_mark(uc) || i + len > INITIAL_MAX - 2)
			break;
	}
	if ((k = fold_char(s, i, v)) == 1) {
		memcpy(p->initial, s, i);
		len = i;
	} else if ((k = u8_uctomb((uint8_t *)p->initial, p->cp[0],
	    INITIAL_MAX - 2)) > 0)
		len = (size_t)k;
	else
		len = 0;
	p->initial[len] = '.';
	p->initial[len + 1] = '\0';
}

/* Add the run of letters s[0..end) as a part if it has two letters. */
static int
add_part(struct parts *ps, size_t *cap, const char *s, size_t end)
{
	ucs4_t w[PART_MAX + FOLD_MAX];
	struct part *p, *nv;
	size_t nw, stem;
	int whole;

	if (fold_word(s, 0, end, w, PART_MAX, &nw, &whole) != 0)
		return ARH_ENOMEM;
	if (nw > PART_MAX)
		nw = PART_MAX;
	if (nw < 2)
		return 0;
	stem = nw >= 6 ? nw - 2 : nw == 5 ? 4 : nw;
	if (ps->n == *cap) {
		*cap = *cap ? 2 * *cap : 8;
		if ((nv = reallocarray(ps->v, *cap, sizeof(*nv))) == NULL)
			return ARH_ENOMEM;
		ps->v = nv;
	}
	p = &ps->v[ps->n++];
	memcpy(p->cp, w, nw * sizeof(w[0]));
	p->n = nw;
	set_initial(p, s, end);
	p->n = stem;
	return 0;
}

/* The parts of name, sorted and without duplicates.  0, or ARH_ENOMEM. */
static int
parts_of(const char *name, struct parts *ps)
{
	size_t n = strlen(name), i = 0, j, cap = 0, k, len = 1;
	ucs4_t uc;
	int r;

	ps->v = NULL;
	ps->n = 0;
	while (i < n) {
		for (j = i; j < n; j += len) {
			len = char_at(name, j, n, &uc);
			if (!is_letter(uc))
				break;
		}
		if (j == i) {
			i += len;
			continue;
		}
		if ((r = add_part(ps, &cap, name + i, j - i)) != 0) {
			free(ps->v);
			ps->v = NULL;
			return r;
		}
		i = j;
	}
	if (ps->n == 0)
		return 0;
	qsort(ps->v, ps->n, sizeof(ps->v[0]), part_cmp);
	for (i = 1, k = 1; i < ps->n; i++)
		if (part_cmp(&ps->v[k - 1], &ps->v[i]) != 0)
			ps->v[k++] = ps->v[i];
	ps->n = k;
	return 0;
}

/* Estonian case endings (folded) after a two-letter part: "Lile", "Lid". */
static int
is_ending(const ucs4_t *w, size_t n)
{
	static const char *const end[] = { "", "d", "t", "s", "l", "st",
	    "sse", "le", "lt", "ks", "ni", "na", "ta", "ga", "de", "te", "id",
	    "des", "dest", "desse", "del", "dele", "delt", "deks", "deni",
	    "dena", "deta", "dega" };
	size_t i, j;

	for (i = 0; i < sizeof(end) / sizeof(end[0]); i++) {
		if (strlen(end[i]) != n)
			continue;
		for (j = 0; j < n && w[j] == (ucs4_t)end[i][j]; j++)
			;
		if (j == n)
			return 1;
	}
	return 0;
}

/* key of part p at position k in the order of part_cmp */
static int64_t
key(const struct part *p, size_t k)
{
	return p->n > k ? (int64_t)p->cp[k] : -1;
}

/* First index in [lo, hi) whose key at k is at least (above: above) c. */
static size_t
bound(const struct parts *ps, size_t lo, size_t hi, size_t k, int64_t c,
    int above)
{
	size_t mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (above ? key(&ps->v[mid], k) <= c : key(&ps->v[mid], k) < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The part the folded word w (nw letters; whole: all of the word) begins
 * with per the rule, or NULL: the parts sharing w's first k letters are
 * narrowed letter by letter.
 */
static const struct part *
match(const struct parts *ps, const ucs4_t *w, size_t nw, int whole)
{
	size_t lo = 0, hi = ps->n, k;
	const struct part *p;

	for (k = 0; k < nw && k < PART_MAX && lo < hi; k++) {
		lo = bound(ps, lo, hi, k, (int64_t)w[k], 0);
		hi = bound(ps, lo, hi, k, (int64_t)w[k], 1);
		if (lo == hi)
			break;
		p = &ps->v[lo];
		if (p->n != k + 1)
			continue;
		if (p->n >= 3 || (whole && is_ending(w + 2, nw - 2)))
			return p;
	}
	return NULL;
}

struct buf {
	char	*s;
	size_t	 n, cap;
};

static int
buf_add(struct buf *b, const char *s, size_t n)
{
	size_t cap;
	char *ns;

	if (b->n + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 64;
		while (cap < b->n + n + 1)
			cap *= 2;
		if ((ns = realloc(b->s, cap)) == NULL)
			return ARH_ENOMEM;
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
	return 0;
}

/*
 * The part that the word s[start..end) is masked for, or NULL: tried at
 * its start and at every upper-case letter after a lower-case one.
 */
static int
word_match(const struct parts *ps, const char *s, size_t start, size_t end,
    const struct part **hit)
{
	ucs4_t w[PART_MAX + 1 + FOLD_MAX], uc, prev = 0;
	size_t i, nw, len;
	int whole;

	*hit = NULL;
	for (i = start; i < end && *hit == NULL; i += len) {
		len = char_at(s, i, end, &uc);
		if (is_mark(uc) && i != start)
			continue;
		if (i == start || (uc_is_upper(uc) && uc_is_lower(prev))) {
			if (fold_word(s, i, end, w, PART_MAX + 1, &nw,
			    &whole) != 0)
				return ARH_ENOMEM;
			*hit = match(ps, w, nw, whole);
		}
		prev = uc;
	}
	return 0;
}

/*
 * s (n bytes) with every word that matches a part masked, into b; *changed
 * 0 when nothing matched (b then undefined).  0, or ARH_ENOMEM.
 */
static int
mask_text(const struct parts *ps, const char *s, size_t n, struct buf *b,
    int *changed)
{
	const struct part *hit;
	size_t i = 0, j, last = 0, len;
	ucs4_t uc;
	int r;

	b->n = 0;
	*changed = 0;
	while (i < n) {
		len = char_at(s, i, n, &uc);
		if (!is_letter(uc)) {
			i += len;
			continue;
		}
		for (j = i + len; j < n; j += len) {
			len = char_at(s, j, n, &uc);
			if (!is_letter(uc))
				break;
		}
		if ((r = word_match(ps, s, i, j, &hit)) != 0)
			return r;
		if (hit != NULL) {
			if (buf_add(b, s + last, i - last) != 0 ||
			    buf_add(b, hit->initial, strlen(hit->initial)) != 0)
				return ARH_ENOMEM;
			last = j;
			*changed = 1;
		}
		i = j;
	}
	if (*changed && buf_add(b, s + last, n - last) != 0)
		return ARH_ENOMEM;
	return 0;
}

struct scrub {
	const struct parts *ps;	/* the name's parts, or none: */
	const char	*name;	/* a string holding it as written */
	const char	*repl;	/* becomes this */
	struct buf	 b;
};

/* The masked form of the string x: a new reference, or x itself (one more
 * reference) when nothing changed; NULL on allocation failure. */
static json_t *
scrubbed(struct scrub *sc, json_t *x)
{
	const char *s = json_string_value(x);
	size_t n = json_string_length(x);
	int changed;

	if (sc->ps->n == 0)
		return memmem(s, n, sc->name, strlen(sc->name)) != NULL ?
		    json_string(sc->repl) : json_incref(x);
	if (mask_text(sc->ps, s, n, &sc->b, &changed) != 0)
		return NULL;
	return changed ? json_stringn(sc->b.s, sc->b.n) : json_incref(x);
}

/* Mask every string value inside v (objects and arrays, in place; keys
 * stay).  0, or ARH_ENOMEM. */
static int
scrub(struct scrub *sc, json_t *v)
{
	const char *k;
	json_t *x, *r;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach(v, k, x) {
			if (!json_is_string(x)) {
				if (scrub(sc, x) != 0)
					return ARH_ENOMEM;
			} else if ((r = scrubbed(sc, x)) == NULL ||
			    json_object_set_new(v, k, r) != 0)
				return ARH_ENOMEM;
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x) {
			if (!json_is_string(x)) {
				if (scrub(sc, x) != 0)
					return ARH_ENOMEM;
			} else if ((r = scrubbed(sc, x)) == NULL ||
			    json_array_set_new(v, i, r) != 0)
				return ARH_ENOMEM;
		}
	}
	return 0;
}

json_t *
arh_person_view(const json_t *record)
{
	struct scrub sc;
	struct parts ps = { NULL, 0 };
	const char *name;
	char ini[256];
	json_t *out, *c;
	int r = ARH_ENOMEM, withheld;

	if ((out = json_deep_copy(record)) == NULL)
		return NULL;
	name = json_string_value(json_object_get(record, "correspondent"));
	if (!json_is_true(json_object_get(record, "private_person")) ||
	    name == NULL || *name == '\0')
		return out;
	withheld = arh_initials(name, ini, sizeof(ini)) != 0;
	if (withheld)
		snprintf(ini, sizeof(ini), WITHHELD);
	if (parts_of(name, &ps) != 0)
		goto out;
	memset(&sc, 0, sizeof(sc));
	sc.ps = &ps;
	sc.name = name;
	sc.repl = ini;
	/* The correspondent is its initials, and masked like the rest (an
	 * initial may fold to a two-letter part: "ǆ" is "dž"). */
	if ((c = json_string(ini)) == NULL ||
	    json_object_set_new(out, "correspondent", c) != 0)
		goto out;
	/* A name of one-letter parts is its initials already; every string
	 * holding a name without a letter (as written) is withheld. */
	r = ps.n > 0 || withheld ? scrub(&sc, out) : 0;
	free(sc.b.s);
out:
	free(ps.v);
	if (r != 0) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* Append len bytes of s to out (n bytes, at *o); -1 when it does not fit. */
static int
put(char *out, size_t n, size_t *o, const char *s, size_t len)
{
	if (*o + len + 1 > n)
		return -1;
	memcpy(out + *o, s, len);
	*o += len;
	out[*o] = '\0';
	return 0;
}

/* 1 if the NUL-terminated s holds a letter. */
static int
has_letter(const char *s)
{
	size_t n = strlen(s), i, len;
	ucs4_t uc;

	for (i = 0; i < n; i += len) {
		len = char_at(s, i, n, &uc);
		if (uc_is_alpha(uc))
			return 1;
	}
	return 0;
}

int
arh_initials(const char *name, char *out, size_t n)
{
	const char *p = name;
	size_t o = 0;
	ucs4_t uc;
	int len, word = 0;

	if (n == 0)
		return -1;
	out[0] = '\0';
	if (!has_letter(name))
		return -1;
	while (*p) {
		if (is_space(*p)) {
			p++;
			continue;
		}
		if (word++ > 0 && put(out, n, &o, " ", 1) != 0)
			return -1;
		/* One word: the first character of each hyphenated part. */
		for (;;) {
			len = u8_mbtouc(&uc, (const uint8_t *)p, strlen(p));
			if (len <= 0 || uc == 0xfffd)
				return -1;
			if (put(out, n, &o, p, (size_t)len) != 0 ||
			    put(out, n, &o, ".", 1) != 0)
				return -1;
			while (*p && !is_space(*p) && *p != '-')
				p++;
			if (*p != '-')
				break;
			while (*p == '-')
				p++;
			if (*p == '\0' || is_space(*p))
				break;
			if (put(out, n, &o, "-", 1) != 0)
				return -1;
		}
	}
	return word > 0 ? 0 : -1;
}
