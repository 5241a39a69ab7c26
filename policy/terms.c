/*
 * terms.c — the access-term table and the checks of a restriction's end
 * against it; see terms.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arhiivar/terms.h"
#include "caldate.h"
#include "table.h"
#include "text.h"

enum { C_BASIS, C_MAX, C_EXT, C_PERSONAL, C_NOTE, NCOLS };

static const char *const columns[NCOLS] = {
	"basis", "max_years", "extension_years", "personal_data", "note",
};

struct build {
	struct arh_terms *terms;
	size_t	 cap;
	struct arh_tabprobs *pp;
};

/* A whole number lo..hi written in digits only; -1 if s is not that. */
static int
parse_int(const char *s, int lo, int hi)
{
	char *end;
	long v;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < lo || v > hi)
		return -1;
	return (int)v;
}

static void
check_row(struct build *b, int line, char **vals, struct arh_term *t)
{
	struct arh_tabprobs *pp = b->pp;
	const char *other;
	size_t i;

	if (vals[C_BASIS] != NULL && vals[C_BASIS][0] == '\0')
		arh_tabprobs_add(pp, line, "'basis' is empty");
	else if (vals[C_BASIS] != NULL)
		for (i = 0; i + 1 < b->terms->nrows; i++)
			if ((other = b->terms->rows[i].basis) != NULL &&
			    strcmp(other, vals[C_BASIS]) == 0) {
				arh_tabprobs_add(pp, line, "basis '%s' is "
				    "already on line %d",
				    arh_show(vals[C_BASIS]).s,
				    b->terms->rows[i].line);
				break;
			}
	if (vals[C_MAX] != NULL &&
	    (t->max_years = parse_int(vals[C_MAX], 1, 200)) < 0)
		arh_tabprobs_add(pp, line, "'max_years' must be a whole number "
		    "of years, 1..200: '%s'", arh_show(vals[C_MAX]).s);
	if (vals[C_EXT] != NULL &&
	    (t->extension_years = parse_int(vals[C_EXT], 0, 200)) < 0)
		arh_tabprobs_add(pp, line, "'extension_years' must be a whole "
		    "number of years, 0..200: '%s'", arh_show(vals[C_EXT]).s);
	if (vals[C_PERSONAL] == NULL)
		return;
	if (strcmp(vals[C_PERSONAL], "yes") == 0)
		t->personal_data = 1;
	else if (strcmp(vals[C_PERSONAL], "no") != 0)
		arh_tabprobs_add(pp, line, "'personal_data' must be 'yes' or "
		    "'no': '%s'", arh_show(vals[C_PERSONAL]).s);
	if (t->personal_data && t->extension_years > 0)
		arh_tabprobs_add(pp, line, "a personal-data basis cannot be "
		    "extended: set 'extension_years' to 0");
}

static int
add_row(void *arg, int line, char **vals)
{
	struct build *b = arg;
	struct arh_term *t;

	if (b->terms->nrows == b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 16;
		if ((t = realloc(b->terms->rows, ncap * sizeof(*t))) == NULL)
			return ARH_ENOMEM;
		b->terms->rows = t;
		b->cap = ncap;
	}
	t = &b->terms->rows[b->terms->nrows++];
	memset(t, 0, sizeof(*t));
	t->line = line;
	t->basis = vals[C_BASIS];
	check_row(b, line, vals, t);
	vals[C_BASIS] = NULL;		/* transferred */
	t->note = vals[C_NOTE];
	vals[C_NOTE] = NULL;		/* transferred */
	return b->pp->nomem ? ARH_ENOMEM : 0;
}

int
arh_terms_parse(const char *name, const char *buf, size_t len,
    struct arh_terms **out, struct arh_problems *probs)
{
	struct arh_tabprobs pp;
	struct build b;
	struct arh_tab_spec spec = {
		.what = "table of access terms",
		.columns = columns,
		.ncols = NCOLS,
		.multiline = 1UL << C_NOTE,
		.max_bytes = ARH_TERMS_MAX_BYTES,
		.max_rows = ARH_TERMS_MAX_ROWS,
		.row = add_row,
		.arg = &b,
	};
	int r = ARH_ENOMEM;

	*out = NULL;
	arh_tabprobs_init(&pp, name, 0);
	memset(&b, 0, sizeof(b));
	b.pp = &pp;
	if ((b.terms = calloc(1, sizeof(*b.terms))) == NULL)
		goto out;
	if ((r = arh_tab_read(&spec, buf, len, &pp)) != 0)
		goto out;
	if ((r = arh_tabprobs_finish(&pp, probs)) != 0)
		goto out;
	*out = b.terms;
	b.terms = NULL;		/* transferred */
out:
	arh_tabprobs_release(&pp);
	arh_terms_free(b.terms);
	return r;
}

void
arh_terms_free(struct arh_terms *terms)
{
	size_t i;

	if (terms == NULL)
		return;
	for (i = 0; i < terms->nrows; i++) {
		free(terms->rows[i].basis);
		free(terms->rows[i].note);
	}
	free(terms->rows);
	free(terms);
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

const struct arh_term *
arh_terms_find(const struct arh_terms *terms, const char *basis)
{
	size_t i, n;

	if (terms == NULL || basis == NULL)
		return NULL;
	while (is_space(*basis))
		basis++;
	for (n = strlen(basis); n > 0 && is_space(basis[n - 1]); n--)
		;
	for (i = 0; i < terms->nrows; i++)
		if (strlen(terms->rows[i].basis) == n &&
		    memcmp(terms->rows[i].basis, basis, n) == 0)
			return &terms->rows[i];
	return NULL;
}

static int say(char *why, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Write the sentence (if there is room for one); returns ARH_EINVAL. */
static int
say(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;

	if (n == 0)
		return ARH_EINVAL;
	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return ARH_EINVAL;
}

/* A date argument: NULL stays absent; anything else must be a date. */
static int
opt_date(const char *s, const char *what, struct arh_caldate *d, int *have,
    char *why, size_t n)
{
	*have = 0;
	if (s == NULL)
		return 0;
	if (arh_caldate_parse(s, d) != 0)
		return say(why, n, "%s is not a date YYYY-MM-DD: '%s'", what,
		    arh_show(s).s);
	*have = 1;
	return 0;
}

/*
 * The basis row and the restriction's dates, or ARH_EINVAL with why: what
 * both checks need before they can compare anything.
 */
static int
restriction(const struct arh_terms *terms, const struct arh_access *a,
    const struct arh_term **t, struct arh_caldate *start,
    struct arh_caldate *end, char *why, size_t n)
{
	if (a == NULL)
		return say(why, n, "no restriction given");
	if (!a->internal)
		return say(why, n, "record is public: there is no restriction "
		    "term");
	if (a->basis == NULL || a->basis[0] == '\0')
		return say(why, n, "internal-use restriction without a legal "
		    "basis");
	if (arh_caldate_parse(a->start, start) != 0)
		return say(why, n, "restriction's start is not a date "
		    "YYYY-MM-DD: '%s'", a->start ? arh_show(a->start).s : "");
	if (arh_caldate_parse(a->end, end) != 0)
		return say(why, n, "restriction's end is not a date "
		    "YYYY-MM-DD: '%s'", a->end ? arh_show(a->end).s : "");
	if (arh_caldate_cmp(end, start) < 0)
		return say(why, n, "restriction ends %s before it starts %s",
		    a->end, a->start);
	if ((*t = arh_terms_find(terms, a->basis)) == NULL)
		return say(why, n, "unknown legal basis '%s'; add it to "
		    "access-terms.csv", arh_show(a->basis).s);
	return 0;
}

/* The latest end a personal-data restriction may have, and why. */
static int
personal_limit(const struct arh_term *t, const struct arh_caldate *created,
    const char *death, const char *birth, struct arh_caldate *limit,
    char *reason, size_t rn, char *why, size_t n)
{
	struct arh_caldate dd, bd, alt;
	char s[11];
	int have_d, have_b, r;

	if ((r = opt_date(death, "the person's date of death", &dd, &have_d,
	    why, n)) != 0 || (r = opt_date(birth, "the person's date of "
	    "birth", &bd, &have_b, why, n)) != 0)
		return r;
	*limit = arh_caldate_add_years(*created, t->max_years);
	alt = *limit;
	arh_caldate_format(created, s);
	snprintf(reason, rn, "%d years from the records' creation on %s",
	    t->max_years, s);
	if (have_d)
		alt = arh_caldate_add_years(dd, ARH_TERMS_DEATH_YEARS);
	else if (have_b)
		alt = arh_caldate_add_years(bd, ARH_TERMS_BIRTH_YEARS);
	if ((have_d || have_b) && arh_caldate_cmp(&alt, limit) > 0) {
		*limit = alt;
		snprintf(reason, rn, "%d years after the person's %s on %s",
		    have_d ? ARH_TERMS_DEATH_YEARS : ARH_TERMS_BIRTH_YEARS,
		    have_d ? "death" : "birth", have_d ? death : birth);
	}
	return 0;
}

int
arh_terms_check(const struct arh_terms *terms, const struct arh_access *a,
    const char *created, const char *death, const char *birth, char *why,
    size_t n)
{
	const struct arh_term *t = NULL;
	struct arh_caldate start, end, cr, limit;
	char reason[160], lim[11];
	int r, have_c;

	if (n > 0)
		why[0] = '\0';
	if (a != NULL && !a->internal) {
		say(why, n, "record is public: there is no restriction term");
		return 0;
	}
	if ((r = restriction(terms, a, &t, &start, &end, why, n)) != 0)
		return r;
	if (t->personal_data) {
		if ((r = opt_date(created, "the records' creation date", &cr,
		    &have_c, why, n)) != 0)
			return r;
		if ((r = personal_limit(t, have_c ? &cr : &start, death, birth,
		    &limit, reason, sizeof(reason), why, n)) != 0)
			return r;
	} else {
		limit = arh_caldate_add_years(start, t->max_years);
		snprintf(reason, sizeof(reason), "%d years from its start on "
		    "%s", t->max_years, a->start);
	}
	if (arh_caldate_format(&limit, lim) != 0)
		snprintf(lim, sizeof(lim), "9999-12-31");
	r = arh_caldate_cmp(&end, &limit) <= 0 ? 0 : ARH_EINVAL;
	say(why, n, "restriction under %s%s ends %s, %s its maximum: at the "
	    "latest %s (%s)", arh_show(t->basis).s, t->personal_data ?
	    " (personal data)" : "", a->end, r == 0 ? "within" : "past", lim,
	    reason);
	return r;
}

int
arh_terms_extend_check(const struct arh_terms *terms,
    const struct arh_access *a, const char *new_end, int already_extended,
    char *why, size_t n)
{
	const struct arh_term *t = NULL;
	struct arh_caldate start, end, ne, limit;
	char lim[11];
	int r;

	if (n > 0)
		why[0] = '\0';
	if (a != NULL && !a->internal)
		return say(why, n, "record is public: there is no restriction "
		    "to extend");
	if ((r = restriction(terms, a, &t, &start, &end, why, n)) != 0)
		return r;
	if (t->personal_data || t->extension_years == 0)
		return say(why, n, "a restriction under %s cannot be "
		    "extended%s", arh_show(t->basis).s, t->personal_data ?
		    " (personal data: its term is fixed by law)" : "");
	if (already_extended)
		return say(why, n, "the restriction under %s was already "
		    "extended once; it may be extended only once",
		    arh_show(t->basis).s);
	if (arh_caldate_parse(new_end, &ne) != 0)
		return say(why, n, "new end is not a date YYYY-MM-DD: '%s'",
		    new_end ? arh_show(new_end).s : "");
	if (arh_caldate_cmp(&ne, &end) <= 0)
		return say(why, n, "new end %s is not after the current end %s",
		    new_end, a->end);
	limit = arh_caldate_add_years(start, t->max_years + t->extension_years);
	if (arh_caldate_format(&limit, lim) != 0)
		snprintf(lim, sizeof(lim), "9999-12-31");
	r = arh_caldate_cmp(&ne, &limit) <= 0 ? 0 : ARH_EINVAL;
	say(why, n, "restriction under %s %s extended to %s: at the latest %s "
	    "(%d years from its start on %s, plus one extension of at most "
	    "%d)", arh_show(t->basis).s, r == 0 ? "may be" : "cannot be",
	    new_end, lim, t->max_years, a->start, t->extension_years);
	return r;
}

/* 1 and msg if an internal-use series' term does not fit the table. */
static int
series_problem(const struct arh_terms *terms,
    const struct arh_fileplan_row *row, char *msg, size_t n)
{
	const struct arh_term *t;

	if (!row->access_internal)
		return 0;
	if ((t = arh_terms_find(terms, row->access_basis)) == NULL) {
		snprintf(msg, n, "unknown legal basis '%s'; add it to "
		    "access-terms.csv", arh_show(row->access_basis).s);
		return 1;
	}
	if (row->access_term_years > t->max_years) {
		snprintf(msg, n, "access_term %d a is longer than the %d years "
		    "%s allows", row->access_term_years, t->max_years,
		    arh_show(t->basis).s);
		return 1;
	}
	return 0;
}

int
arh_terms_check_fileplan(const struct arh_terms *terms,
    const struct arh_fileplan *plan, const char *name,
    struct arh_problems *probs)
{
	const struct arh_fileplan_row *row;
	char where[32], msg[512];
	size_t i;
	int bad = 0;

	for (i = 0; plan != NULL && i < plan->nrows; i++) {
		row = &plan->rows[i];
		if (!series_problem(terms, row, msg, sizeof(msg)))
			continue;
		bad = 1;
		where[0] = '\0';
		if (row->line > 0)
			snprintf(where, sizeof(where), ":%d", row->line);
		if (probs != NULL && arh_problems_add(probs, "%s%s: series "
		    "'%s': %s", name, where, arh_show(row->series_code).s,
		    msg) != 0)
			return ARH_ENOMEM;
	}
	return bad ? ARH_EINVAL : 0;
}
