/*
 * fileplan.c — the file plan: CSV in (via table.c), checked rows, the
 * version hash, lookup, diff and the JSON the catalog keeps; see
 * fileplan.h.
 *
 * CSV and JSON rows go through one checker (row_check), so a plan read
 * back from the catalog obeys exactly the rules an imported one did.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "arhiivar/fileplan.h"
#include "arhiivar/input.h"
#include "table.h"
#include "text.h"
#include "util.h"

enum {
	C_FCODE, C_FTITLE, C_SCODE, C_STITLE, C_RET, C_AV, C_ACCESS, C_BASIS,
	C_TERM, C_FROM, C_UNTIL, C_NOTES, NCOLS
};

const char *const arh_fileplan_columns[ARH_FILEPLAN_NCOLS] = {
	"function_code", "function_title", "series_code", "series_title",
	"retention", "archival_value", "access", "access_basis",
	"access_term", "valid_from", "valid_until", "notes",
};

static const size_t offs[NCOLS] = {
	offsetof(struct arh_fileplan_row, function_code),
	offsetof(struct arh_fileplan_row, function_title),
	offsetof(struct arh_fileplan_row, series_code),
	offsetof(struct arh_fileplan_row, series_title),
	offsetof(struct arh_fileplan_row, retention),
	offsetof(struct arh_fileplan_row, archival_value),
	offsetof(struct arh_fileplan_row, access),
	offsetof(struct arh_fileplan_row, access_basis),
	offsetof(struct arh_fileplan_row, access_term),
	offsetof(struct arh_fileplan_row, valid_from),
	offsetof(struct arh_fileplan_row, valid_until),
	offsetof(struct arh_fileplan_row, notes),
};

static char **
fieldp(struct arh_fileplan_row *r, int c)
{
	return (char **)(void *)((char *)r + offs[c]);
}

static const char *
field(const struct arh_fileplan_row *r, int c)
{
	return *(char *const *)(const void *)((const char *)r + offs[c]);
}

/* "N a" or "Na", N in 1..ARH_FILEPLAN_MAX_YEARS; -1 if s is not that. */
static int
parse_years(const char *s)
{
	char *end;
	long n;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	n = strtol(s, &end, 10);
	if (*end == ' ')
		end++;
	if (end[0] != 'a' || end[1] != '\0' || n < 1 ||
	    n > ARH_FILEPLAN_MAX_YEARS)
		return -1;
	return (int)n;
}

/* Replace *s by the spelling "N a". */
static int
respell_years(char **s, int years)
{
	char *t;

	if (asprintf(&t, "%d a", years) < 0)
		return ARH_ENOMEM;
	free(*s);
	*s = t;
	return 0;
}

static void
check_retention(struct arh_tabprobs *pp, int line, struct arh_fileplan_row *r)
{
	int n;

	if (strcmp(r->retention, "alaline") == 0) {
		r->retention_years = 0;
		return;
	}
	if ((n = parse_years(r->retention)) < 0) {
		arh_tabprobs_add(pp, line, "'retention' must be 'N a' (N "
		    "years, 1..%d) or 'alaline': '%s'", ARH_FILEPLAN_MAX_YEARS,
		    arh_show(r->retention).s);
		return;
	}
	r->retention_years = n;
	if (respell_years(&r->retention, n) != 0)
		pp->nomem = 1;
}

static void
check_archival(struct arh_tabprobs *pp, int line, struct arh_fileplan_row *r)
{
	if (r->archival_value[0] == '\0')
		r->archival = ARH_ARCHIVAL_NONE;
	else if (strcmp(r->archival_value, "AV") == 0)
		r->archival = ARH_ARCHIVAL_AV;
	else if (strcmp(r->archival_value, "H") == 0)
		r->archival = ARH_ARCHIVAL_H;
	else
		arh_tabprobs_add(pp, line, "'archival_value' must be empty, "
		    "'AV' or 'H': '%s'", arh_show(r->archival_value).s);
}

static void
check_access(struct arh_tabprobs *pp, int line, struct arh_fileplan_row *r)
{
	int n;

	if (strcmp(r->access, "Avalik") == 0) {
		if (r->access_basis[0] != '\0')
			arh_tabprobs_add(pp, line, "a public (Avalik) series "
			    "has no 'access_basis': '%s'",
			    arh_show(r->access_basis).s);
		if (r->access_term[0] != '\0')
			arh_tabprobs_add(pp, line, "a public (Avalik) series "
			    "has no 'access_term': '%s'",
			    arh_show(r->access_term).s);
		return;
	}
	if (strcmp(r->access, "AK") != 0) {
		arh_tabprobs_add(pp, line, "'access' must be 'Avalik' or 'AK': "
		    "'%s'", arh_show(r->access).s);
		return;
	}
	r->access_internal = 1;
	if (r->access_basis[0] == '\0')
		arh_tabprobs_add(pp, line, "an internal-use (AK) series needs "
		    "an 'access_basis'");
	if ((n = parse_years(r->access_term)) < 0) {
		arh_tabprobs_add(pp, line, "an internal-use (AK) series needs "
		    "'access_term' 'N a' (N years, 1..%d): '%s'",
		    ARH_FILEPLAN_MAX_YEARS, arh_show(r->access_term).s);
		return;
	}
	r->access_term_years = n;
	if (respell_years(&r->access_term, n) != 0)
		pp->nomem = 1;
}

static void
check_dates(struct arh_tabprobs *pp, int line, struct arh_fileplan_row *r)
{
	int from_ok = arh_date_valid(r->valid_from);

	if (!from_ok)
		arh_tabprobs_add(pp, line, "'valid_from' is not a date "
		    "YYYY-MM-DD: '%s'", arh_show(r->valid_from).s);
	if (r->valid_until[0] == '\0')
		return;
	if (!arh_date_valid(r->valid_until))
		arh_tabprobs_add(pp, line, "'valid_until' is not a date "
		    "YYYY-MM-DD: '%s'", arh_show(r->valid_until).s);
	else if (from_ok && strcmp(r->valid_until, r->valid_from) < 0)
		arh_tabprobs_add(pp, line, "'valid_until' %s is before "
		    "'valid_from' %s", r->valid_until, r->valid_from);
}

/*
 * Take the values (NULL: bad and already reported) into r and check the
 * row.  Problems go to pp; r is usable for freeing whatever happens.
 */
static void
row_check(struct arh_tabprobs *pp, int line, char **vals,
    struct arh_fileplan_row *r)
{
	static const int required[] = { C_FCODE, C_FTITLE, C_SCODE, C_STITLE };
	int c;
	size_t i;

	r->line = line;
	for (c = 0; c < NCOLS; c++) {
		*fieldp(r, c) = vals[c];
		vals[c] = NULL;		/* transferred */
	}
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (field(r, required[i]) != NULL &&
		    field(r, required[i])[0] == '\0')
			arh_tabprobs_add(pp, line, "'%s' is empty",
			    arh_fileplan_columns[required[i]]);
	if (r->retention != NULL)
		check_retention(pp, line, r);
	if (r->archival_value != NULL)
		check_archival(pp, line, r);
	if (r->access != NULL && r->access_basis != NULL &&
	    r->access_term != NULL)
		check_access(pp, line, r);
	if (r->valid_from != NULL && r->valid_until != NULL)
		check_dates(pp, line, r);
}

/* A plan being built from CSV or JSON rows. */
struct build {
	struct arh_fileplan *plan;
	size_t	 cap;
	struct arh_tabprobs *pp;
};

static int
add_row(struct build *b, int line, char **vals)
{
	struct arh_fileplan_row *v;

	if (b->plan->nrows == b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 16;
		if ((v = realloc(b->plan->rows, ncap * sizeof(*v))) == NULL)
			return ARH_ENOMEM;
		b->plan->rows = v;
		b->cap = ncap;
	}
	v = &b->plan->rows[b->plan->nrows++];
	memset(v, 0, sizeof(*v));
	row_check(b->pp, line, vals, v);
	return b->pp->nomem ? ARH_ENOMEM : 0;
}

static int
csv_row(void *arg, int line, char **vals)
{
	return add_row(arg, line, vals);
}

static int
code_cmp(const void *a, const void *b, void *arg)
{
	const struct arh_fileplan_row *rows = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const char *s = rows[i].series_code, *t = rows[j].series_code;
	int c = strcmp(s ? s : "", t ? t : "");

	if (c != 0)
		return c;
	return i < j ? -1 : i > j;	/* the first in the file first */
}

/* Where problems about row i are reported: its line, or its number. */
static int
position(const struct build *b, size_t i)
{
	return b->pp->rows ? (int)i + 1 : b->plan->rows[i].line;
}

/* Sort the index by series_code; report every repeated code. */
static int
index_rows(struct build *b)
{
	struct arh_fileplan *plan = b->plan;
	const char *code, *prev;
	size_t i, first = 0;

	if ((plan->by_code = calloc(plan->nrows + 1,
	    sizeof(*plan->by_code))) == NULL)
		return ARH_ENOMEM;
	for (i = 0; i < plan->nrows; i++)
		plan->by_code[i] = i;
	qsort_r(plan->by_code, plan->nrows, sizeof(*plan->by_code), code_cmp,
	    plan->rows);
	for (i = 1; i < plan->nrows; i++) {
		code = plan->rows[plan->by_code[i]].series_code;
		prev = plan->rows[plan->by_code[i - 1]].series_code;
		if (code == NULL || code[0] == '\0' || prev == NULL ||
		    strcmp(code, prev) != 0) {
			first = i;
			continue;
		}
		arh_tabprobs_add(b->pp, position(b, plan->by_code[i]),
		    "series '%s' is already %s %d", arh_show(code).s,
		    b->pp->rows ? "in row" : "on line",
		    position(b, plan->by_code[first]));
	}
	return 0;
}

/* Index the plan, hand problems over, and give out the plan if clean. */
static int
finish(struct build *b, struct arh_fileplan **out, struct arh_problems *probs)
{
	int r;

	if ((r = index_rows(b)) != 0)
		return r;
	if ((r = arh_tabprobs_finish(b->pp, probs)) != 0)
		return r;
	*out = b->plan;
	b->plan = NULL;		/* transferred */
	return 0;
}

int
arh_fileplan_parse(const char *name, const char *buf, size_t len,
    struct arh_fileplan **out, struct arh_problems *probs)
{
	struct arh_tabprobs pp;
	struct build b;
	struct arh_tab_spec spec = {
		.what = "file plan",
		.columns = arh_fileplan_columns,
		.ncols = NCOLS,
		.multiline = 1UL << C_NOTES,
		.max_bytes = ARH_FILEPLAN_MAX_BYTES,
		.max_rows = ARH_FILEPLAN_MAX_ROWS,
		.row = csv_row,
		.arg = &b,
	};
	int r = ARH_ENOMEM;

	*out = NULL;
	arh_tabprobs_init(&pp, name, 0);
	memset(&b, 0, sizeof(b));
	b.pp = &pp;
	if ((b.plan = calloc(1, sizeof(*b.plan))) == NULL)
		goto out;
	if ((r = arh_tab_read(&spec, buf, len, &pp)) != 0)
		goto out;
	r = finish(&b, out, probs);
out:
	arh_tabprobs_release(&pp);
	arh_fileplan_free(b.plan);
	return r;
}

void
arh_fileplan_free(struct arh_fileplan *plan)
{
	size_t i;
	int c;

	if (plan == NULL)
		return;
	for (i = 0; i < plan->nrows; i++)
		for (c = 0; c < NCOLS; c++)
			free(*fieldp(&plan->rows[i], c));
	free(plan->rows);
	free(plan->by_code);
	free(plan);
}

/* One row as a JSON object: the twelve columns, and "line" if asked. */
static json_t *
row_json(const struct arh_fileplan_row *r, int with_line)
{
	json_t *o = json_object();
	int c;

	if (o == NULL)
		return NULL;
	for (c = 0; c < NCOLS; c++)
		if (json_object_set_new(o, arh_fileplan_columns[c],
		    json_string(field(r, c))) != 0)
			goto fail;
	if (with_line && json_object_set_new(o, "line",
	    json_integer(r->line)) != 0)
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

/* The plan as JSON text: canonical (sorted, no lines) or for storing. */
static char *
plan_text(const struct arh_fileplan *plan, int canonical)
{
	json_t *a = json_array();
	char *s = NULL;
	size_t i;

	if (a == NULL)
		return NULL;
	for (i = 0; i < plan->nrows; i++)
		if (json_array_append_new(a, row_json(&plan->rows[canonical ?
		    plan->by_code[i] : i], !canonical)) != 0)
			goto out;
	s = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
out:
	json_decref(a);
	return s;
}

char *
arh_fileplan_to_json(const struct arh_fileplan *plan)
{
	return plan_text(plan, 0);
}

int
arh_fileplan_version(const struct arh_fileplan *plan, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char *s;
	int r = ARH_ECRYPTO;

	hex[0] = '\0';
	if ((s = plan_text(plan, 1)) == NULL)
		return ARH_ENOMEM;
	if (EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL) == 1 &&
	    n == 32) {
		arh_hex(md, n, hex);
		r = 0;
	}
	free(s);
	return r;
}

const struct arh_fileplan_row *
arh_fileplan_find(const struct arh_fileplan *plan, const char *series_code)
{
	const struct arh_fileplan_row *row;
	size_t lo = 0, hi, mid;
	int c;

	if (plan == NULL || series_code == NULL)
		return NULL;
	hi = plan->nrows;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		row = &plan->rows[plan->by_code[mid]];
		if ((c = strcmp(series_code, row->series_code)) == 0)
			return row;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

int
arh_fileplan_valid_on(const struct arh_fileplan_row *row, const char *date)
{
	if (row == NULL || !arh_date_valid(date) ||
	    !arh_date_valid(row->valid_from) ||
	    strcmp(row->valid_from, date) > 0)
		return 0;
	if (row->valid_until == NULL || row->valid_until[0] == '\0')
		return 1;
	return arh_date_valid(row->valid_until) &&
	    strcmp(date, row->valid_until) <= 0;
}

static int
report_changed(const struct arh_fileplan_row *x,
    const struct arh_fileplan_row *y, arh_fileplan_diff_fn cb, void *arg)
{
	const char *fields[NCOLS];
	size_t n = 0;
	int c;

	for (c = 0; c < NCOLS; c++)
		if (strcmp(field(x, c), field(y, c)) != 0)
			fields[n++] = arh_fileplan_columns[c];
	if (n == 0)
		return 0;
	return cb(arg, ARH_FILEPLAN_CHANGED, x, y, fields, n);
}

int
arh_fileplan_diff(const struct arh_fileplan *a, const struct arh_fileplan *b,
    arh_fileplan_diff_fn cb, void *arg)
{
	const struct arh_fileplan_row *x, *y;
	size_t i = 0, j = 0, na = a ? a->nrows : 0, nb = b ? b->nrows : 0;
	int c, r = 0;

	while (r == 0 && (i < na || j < nb)) {
		x = i < na ? &a->rows[a->by_code[i]] : NULL;
		y = j < nb ? &b->rows[b->by_code[j]] : NULL;
		c = x == NULL ? 1 : y == NULL ? -1 :
		    strcmp(x->series_code, y->series_code);
		if (c < 0) {
			r = cb(arg, ARH_FILEPLAN_REMOVED, x, NULL, NULL, 0);
			i++;
		} else if (c > 0) {
			r = cb(arg, ARH_FILEPLAN_ADDED, NULL, y, NULL, 0);
			j++;
		} else {
			r = report_changed(x, y, cb, arg);
			i++;
			j++;
		}
	}
	return r;
}

/* Check one element of the stored JSON and add it as a row. */
static int
json_row(struct build *b, int pos, const json_t *o)
{
	char *vals[NCOLS] = { NULL };
	const char *key;
	json_t *v;
	int c, r = 0, line = 0;

	if (!json_is_object(o)) {
		arh_tabprobs_add(b->pp, pos, "not an object");
		return 0;
	}
	json_object_foreach((json_t *)o, key, v) {
		for (c = 0; c < NCOLS; c++)
			if (strcmp(key, arh_fileplan_columns[c]) == 0)
				break;
		if (c < NCOLS && !json_is_string(v))
			arh_tabprobs_add(b->pp, pos, "'%s' is not a string",
			    key);
		else if (c < NCOLS)
			r = arh_tab_clean(b->pp, pos, key, json_string_value(v),
			    json_string_length(v), c == C_NOTES, &vals[c]);
		else if (strcmp(key, "line") != 0)
			arh_tabprobs_add(b->pp, pos, "unknown member '%s'",
			    arh_show(key).s);
		else if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > 0x7fffffff)
			arh_tabprobs_add(b->pp, pos, "'line' is not a line "
			    "number");
		else
			line = (int)json_integer_value(v);
		if (r == ARH_ENOMEM)
			goto out;
	}
	for (c = 0; c < NCOLS; c++)
		if (json_object_get(o, arh_fileplan_columns[c]) == NULL)
			arh_tabprobs_add(b->pp, pos, "missing '%s'",
			    arh_fileplan_columns[c]);
	if ((r = add_row(b, pos, vals)) == 0)
		b->plan->rows[b->plan->nrows - 1].line = line;
out:
	for (c = 0; c < NCOLS; c++)
		free(vals[c]);
	return r == ARH_ENOMEM ? r : 0;
}

static int
json_rows(struct build *b, const char *text, size_t len)
{
	char text_esc[4 * JSON_ERROR_TEXT_LENGTH + 4];
	json_error_t jerr;
	json_t *a;
	size_t i;
	int r = 0;

	if (len > ARH_FILEPLAN_MAX_JSON) {
		arh_tabprobs_add(b->pp, 0, "too large for a stored file plan "
		    "(%zu bytes; at most %d)", len, ARH_FILEPLAN_MAX_JSON);
		return 0;
	}
	if ((a = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr)) ==
	    NULL) {
		/* jansson quotes the input near the error: escape it. */
		arh_escape_into(jerr.text, JSON_ERROR_TEXT_LENGTH, text_esc);
		arh_tabprobs_add(b->pp, 0, "not JSON: line %d: %s", jerr.line,
		    text_esc);
		return 0;
	}
	if (!json_is_array(a) || json_array_size(a) == 0)
		arh_tabprobs_add(b->pp, 0, "not a non-empty array of series");
	else if (json_array_size(a) > ARH_FILEPLAN_MAX_ROWS)
		arh_tabprobs_add(b->pp, 0, "more than %d series",
		    ARH_FILEPLAN_MAX_ROWS);
	else
		for (i = 0; i < json_array_size(a) && r == 0; i++)
			r = json_row(b, (int)i + 1, json_array_get(a, i));
	json_decref(a);
	return r;
}

int
arh_fileplan_from_json(const char *name, const char *text, size_t len,
    struct arh_fileplan **out, struct arh_problems *probs)
{
	struct arh_tabprobs pp;
	struct build b;
	int r = ARH_ENOMEM;

	*out = NULL;
	arh_tabprobs_init(&pp, name, 1);
	memset(&b, 0, sizeof(b));
	b.pp = &pp;
	if ((b.plan = calloc(1, sizeof(*b.plan))) == NULL)
		goto out;
	if ((r = json_rows(&b, text, len)) != 0)
		goto out;
	r = finish(&b, out, probs);
out:
	arh_tabprobs_release(&pp);
	arh_fileplan_free(b.plan);
	return r;
}
