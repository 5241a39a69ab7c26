/*
 * table.c — CSV tables read with libcsv, checked and normalised field by
 * field, problems collected by line; see table.h.
 *
 * libcsv gets the input one line at a time (each chunk ends after a line
 * feed) so that we know which line it is working on: a row starts on the
 * first non-blank line after the previous row ended, and its problems are
 * reported there even when a quoted field spans several lines.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>
#include <unistr.h>
#include <uninorm.h>

#include "table.h"
#include "text.h"

struct arh_tabprob {
	int	 line;
	size_t	 seq;
	char	*msg;
};

void
arh_tabprobs_init(struct arh_tabprobs *pp, const char *name, int rows)
{
	memset(pp, 0, sizeof(*pp));
	pp->name = name;
	pp->rows = rows;
}

void
arh_tabprobs_add(struct arh_tabprobs *pp, int line, const char *fmt, ...)
{
	struct arh_tabprob *v;
	va_list ap;
	char *msg;

	if (pp->n == pp->cap) {
		size_t ncap = pp->cap ? pp->cap * 2 : 16;
		if ((v = realloc(pp->v, ncap * sizeof(*v))) == NULL) {
			pp->nomem = 1;
			return;
		}
		pp->v = v;
		pp->cap = ncap;
	}
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0) {
		va_end(ap);
		pp->nomem = 1;
		return;
	}
	va_end(ap);
	pp->v[pp->n].line = line;
	pp->v[pp->n].seq = pp->seq++;
	pp->v[pp->n].msg = msg;
	pp->n++;
}

static int
prob_cmp(const void *a, const void *b)
{
	const struct arh_tabprob *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
pass_on(const struct arh_tabprobs *pp, const struct arh_tabprob *p,
    struct arh_problems *probs)
{
	if (p->line <= 0)
		return arh_problems_add(probs, "%s: %s", pp->name, p->msg);
	if (pp->rows)
		return arh_problems_add(probs, "%s: row %d: %s", pp->name,
		    p->line, p->msg);
	return arh_problems_add(probs, "%s:%d: %s", pp->name, p->line, p->msg);
}

int
arh_tabprobs_finish(struct arh_tabprobs *pp, struct arh_problems *probs)
{
	size_t i, shown;
	int r = pp->n > 0 ? ARH_EINVAL : 0;

	if (pp->nomem)
		r = ARH_ENOMEM;
	if (probs == NULL || pp->n == 0)
		goto out;
	qsort(pp->v, pp->n, sizeof(*pp->v), prob_cmp);
	shown = pp->n < ARH_TAB_MAX_SHOWN ? pp->n : ARH_TAB_MAX_SHOWN;
	for (i = 0; i < shown; i++)
		if (pass_on(pp, &pp->v[i], probs) != 0)
			r = ARH_ENOMEM;
	if (shown < pp->n && arh_problems_add(probs, "%s: %zu more problems "
	    "not shown; fix these first", pp->name, pp->n - shown) != 0)
		r = ARH_ENOMEM;
out:
	arh_tabprobs_release(pp);
	return r;
}

void
arh_tabprobs_release(struct arh_tabprobs *pp)
{
	size_t i;

	for (i = 0; i < pp->n; i++)
		free(pp->v[i].msg);
	free(pp->v);
	pp->v = NULL;
	pp->n = pp->cap = 0;
}

/* NULL if s (NUL-free, len bytes) is acceptable text, else what is wrong. */
static const char *
text_problem(const char *s, size_t len, int allow_lf)
{
	const uint8_t *p = (const uint8_t *)s, *end = p + len;
	ucs4_t uc;

	if (u8_check(p, len) != NULL)
		return "is not valid UTF-8";
	while (p < end) {
		p += u8_mbtouc(&uc, p, (size_t)(end - p));
		if (uc == '\n' && !allow_lf)
			return "contains a line break";
		if (uc != '\n' && arh_is_control(uc))
			return "contains a control character";
	}
	return NULL;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int
arh_tab_clean(struct arh_tabprobs *pp, int line, const char *column,
    const char *raw, size_t len, int allow_lf, char **out)
{
	const char *why;
	char *s = NULL, *t;
	uint8_t *nfc = NULL;
	size_t i, n = 0, m, b, e;
	int r = ARH_ENOMEM;

	*out = NULL;
	if ((s = malloc(len + 1)) == NULL)
		goto out;
	/* A quoted field written on Windows holds CRLF: the same text as LF. */
	for (i = 0; i < len; i++)
		if (!(raw[i] == '\r' && i + 1 < len && raw[i + 1] == '\n'))
			s[n++] = raw[i];
	s[n] = '\0';
	why = memchr(s, '\0', n) != NULL ? "contains a NUL byte" :
	    text_problem(s, n, allow_lf);
	if (why != NULL) {
		arh_tabprobs_add(pp, line, "'%s' %s", column, why);
		r = ARH_EINVAL;
		goto out;
	}
	if ((nfc = u8_normalize(UNINORM_NFC, (const uint8_t *)s, n, NULL,
	    &m)) == NULL)
		goto out;
	for (b = 0; b < m && is_blank((char)nfc[b]); b++)
		;
	for (e = m; e > b && is_blank((char)nfc[e - 1]); e--)
		;
	if ((t = malloc(e - b + 1)) == NULL)
		goto out;
	memcpy(t, nfc + b, e - b);
	t[e - b] = '\0';
	*out = t;
	r = 0;
out:
	free(s);
	free(nfc);
	return r;
}

/* Reading state: the row being assembled and where we are. */
struct rd {
	const struct arh_tab_spec *spec;
	struct arh_tabprobs *pp;
	int	 line;		/* line of the chunk libcsv is reading */
	int	 start_line;	/* first line of the row in progress, 0: none */
	char	**f;		/* raw fields of the row in progress */
	size_t	*flen;
	size_t	 nf, capf;
	int	 have_header;
	size_t	*map;		/* map[i]: header position of column i */
	size_t	 nfile;		/* columns in the header */
	size_t	 rows;
	int	 stop;		/* a problem made the rest meaningless */
	int	 rc;		/* ARH_ENOMEM */
};

static void
field_cb(void *data, size_t len, void *arg)
{
	struct rd *rd = arg;
	char *copy;

	if (rd->stop || rd->rc)
		return;
	if (rd->nf == rd->capf) {
		size_t ncap = rd->capf ? rd->capf * 2 : 16;
		char **f = realloc(rd->f, ncap * sizeof(*f));
		size_t *fl;

		if (f == NULL) {
			rd->rc = ARH_ENOMEM;
			return;
		}
		rd->f = f;
		if ((fl = realloc(rd->flen, ncap * sizeof(*fl))) == NULL) {
			rd->rc = ARH_ENOMEM;
			return;
		}
		rd->flen = fl;
		rd->capf = ncap;
	}
	if ((copy = malloc(len + 1)) == NULL) {
		rd->rc = ARH_ENOMEM;
		return;
	}
	if (len > 0)
		memcpy(copy, data, len);
	copy[len] = '\0';
	rd->f[rd->nf] = copy;
	rd->flen[rd->nf++] = len;
}

static void
drop_fields(struct rd *rd)
{
	size_t i;

	for (i = 0; i < rd->nf; i++)
		free(rd->f[i]);
	rd->nf = 0;
}

static size_t
column_index(const struct arh_tab_spec *spec, const char *name)
{
	size_t i;

	for (i = 0; i < spec->ncols; i++)
		if (strcmp(spec->columns[i], name) == 0)
			return i;
	return spec->ncols;
}

static void
header(struct rd *rd, int line)
{
	const struct arh_tab_spec *spec = rd->spec;
	char label[64], *name;
	size_t i, c;
	int r;

	rd->have_header = 1;
	rd->nfile = rd->nf;
	if ((rd->map = malloc(spec->ncols * sizeof(*rd->map))) == NULL) {
		rd->rc = ARH_ENOMEM;
		return;
	}
	for (c = 0; c < spec->ncols; c++)
		rd->map[c] = rd->nf;		/* not seen */
	for (i = 0; i < rd->nf; i++) {
		snprintf(label, sizeof(label), "header column %zu", i + 1);
		r = arh_tab_clean(rd->pp, line, label, rd->f[i], rd->flen[i],
		    0, &name);
		if (r == ARH_ENOMEM)
			rd->rc = r;
		if (r != 0)
			continue;
		if (name[0] == '\0')
			arh_tabprobs_add(rd->pp, line, "header column %zu has "
			    "no name", i + 1);
		else if ((c = column_index(spec, name)) == spec->ncols)
			arh_tabprobs_add(rd->pp, line, "unknown column '%s'",
			    arh_show(name).s);
		else if (rd->map[c] != rd->nf)
			arh_tabprobs_add(rd->pp, line, "duplicate column '%s'",
			    name);
		else
			rd->map[c] = i;
		free(name);
	}
	for (c = 0; c < spec->ncols; c++)
		if (rd->map[c] == rd->nf) {
			arh_tabprobs_add(rd->pp, line, "missing column '%s'",
			    spec->columns[c]);
			rd->stop = 1;
		}
}

static void
data_row(struct rd *rd, int line)
{
	const struct arh_tab_spec *spec = rd->spec;
	char **vals;
	size_t c, k;
	int r;

	if (++rd->rows > spec->max_rows) {
		arh_tabprobs_add(rd->pp, line, "more than %zu rows: too large "
		    "for a %s", spec->max_rows, spec->what);
		rd->stop = 1;
		return;
	}
	if (rd->nf != rd->nfile) {
		arh_tabprobs_add(rd->pp, line, "expected %zu fields, found %zu",
		    rd->nfile, rd->nf);
		return;
	}
	if ((vals = calloc(spec->ncols, sizeof(*vals))) == NULL) {
		rd->rc = ARH_ENOMEM;
		return;
	}
	for (c = 0; c < spec->ncols; c++) {
		k = rd->map[c];
		r = arh_tab_clean(rd->pp, line, spec->columns[c], rd->f[k],
		    rd->flen[k], (spec->multiline >> c) & 1, &vals[c]);
		if (r == ARH_ENOMEM)
			rd->rc = r;
	}
	if (rd->rc == 0 && (r = spec->row(spec->arg, line, vals)) != 0)
		rd->rc = r;
	for (c = 0; c < spec->ncols; c++)
		free(vals[c]);
	free(vals);
}

static void
row_cb(int term, void *arg)
{
	struct rd *rd = arg;
	int line = rd->start_line ? rd->start_line : rd->line;
	size_t i;

	(void)term;
	rd->start_line = 0;
	if (rd->stop || rd->rc)
		goto out;
	/* A spreadsheet saves ",,,," for an empty row: not a row. */
	for (i = 0; i < rd->nf && rd->flen[i] == 0; i++)
		;
	if (i == rd->nf)
		goto out;
	if (!rd->have_header)
		header(rd, line);
	else
		data_row(rd, line);
out:
	drop_fields(rd);
}

static int
blank_line(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_blank(s[i]))
			return 0;
	return 1;
}

static void
feed(struct rd *rd, struct csv_parser *p, const char *buf, size_t len)
{
	const char *s = buf, *end = buf + len, *nl;
	size_t n;

	for (rd->line = 1; s < end && !rd->stop && !rd->rc; rd->line++) {
		nl = memchr(s, '\n', (size_t)(end - s));
		n = nl != NULL ? (size_t)(nl - s) + 1 : (size_t)(end - s);
		if (rd->start_line == 0 && !blank_line(s, n))
			rd->start_line = rd->line;
		if (csv_parse(p, s, n, field_cb, row_cb, rd) != n) {
			if (csv_error(p) == CSV_ENOMEM)
				rd->rc = ARH_ENOMEM;
			else
				arh_tabprobs_add(rd->pp, rd->line, "malformed "
				    "CSV: a '\"' inside an unquoted field, or "
				    "text after a closing '\"'");
			rd->stop = 1;
		}
		s += n;
	}
	rd->line--;		/* the last line read */
}

int
arh_tab_read(const struct arh_tab_spec *spec, const char *buf, size_t len,
    struct arh_tabprobs *pp)
{
	struct csv_parser p;
	struct rd rd;

	memset(&rd, 0, sizeof(rd));
	rd.spec = spec;
	rd.pp = pp;
	if (len > spec->max_bytes) {
		arh_tabprobs_add(pp, 0, "too large for a %s (%zu bytes; at "
		    "most %zu)", spec->what, len, spec->max_bytes);
		return 0;
	}
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		return ARH_ENOMEM;
	feed(&rd, &p, buf, len);
	if (!rd.stop && !rd.rc &&
	    csv_fini(&p, field_cb, row_cb, &rd) != 0) {
		if (csv_error(&p) == CSV_ENOMEM)
			rd.rc = ARH_ENOMEM;
		else
			arh_tabprobs_add(pp, rd.start_line ? rd.start_line :
			    rd.line, "unterminated quoted field (a closing "
			    "'\"' is missing)");
		rd.stop = 1;
	}
	if (!rd.rc && !rd.have_header && !rd.stop)
		arh_tabprobs_add(pp, 1, "empty %s: the header row is missing",
		    spec->what);
	else if (!rd.rc && rd.rows == 0 && !rd.stop)
		arh_tabprobs_add(pp, rd.line > 0 ? rd.line : 1, "no rows after "
		    "the header");
	csv_free(&p);
	drop_fields(&rd);
	free(rd.f);
	free(rd.flen);
	free(rd.map);
	return rd.rc;
}
