/*
 * register.c — import of public document register (dokumendiregister)
 * entries: "Label | value |" lines, then the free text, into a record
 * folder (record.json + tekst.txt).
 *
 * Every labelled line is kept verbatim, in order, under record.json's
 * "register" object, so an importer that misreads or does not know a label
 * loses nothing: the published entry can always be reconstructed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <unistr.h>

#include "arhiivar/input.h"
#include "arhiivar/register.h"
#include "text.h"
#include "util.h"


/* The fields that labels feed. */
enum field {
	F_REFERENCE, F_REGISTERED, F_TYPE, F_FUNCTION, F_SERIES, F_CASE,
	F_TITLE, F_CORRESPONDENT, F_CHANNEL, F_RESPONSIBLE, F_LEVEL, F_BASIS,
	F_START, F_END, NFIELDS
};

static const struct label {
	const char	*label;
	enum field	 field;
} labels[] = {
	{ "Viit",				F_REFERENCE },
	{ "Registreeritud",			F_REGISTERED },
	{ "Liik",				F_TYPE },
	{ "Funktsioon",				F_FUNCTION },
	{ "Sari",				F_SERIES },
	{ "Toimik",				F_CASE },
	{ "Pealkiri",				F_TITLE },
	{ "Adressaat",				F_CORRESPONDENT },
	{ "Saatja",				F_CORRESPONDENT },
	{ "Koostaja",				F_CORRESPONDENT },
	{ "Saabumis/saatmisviis",		F_CHANNEL },
	{ "Vastutaja",				F_RESPONSIBLE },
	{ "Juurdepääsupiirang",			F_LEVEL },
	{ "Juurdepääsupiirangu alus",		F_BASIS },
	{ "Juurdepääsupiirangu algus",		F_START },
	{ "Juurdepääsupiirangu kehtivuse algus", F_START },
	{ "Juurdepääsupiirangu lõpp",		F_END },
	{ "Juurdepääsupiirangu kehtivuse lõpp",	F_END },
	{ "Juurdepääsupiirang kehtib kuni",	F_END },
};

/* Labels that must appear, with what they are, for the message. */
static const struct required {
	enum field	 field;
	const char	*label;
	const char	*what;
} required[] = {
	{ F_REFERENCE,	"Viit",			"the record reference" },
	{ F_REGISTERED,	"Registreeritud",	"the registration date" },
	{ F_TYPE,	"Liik",			"the document type" },
	{ F_FUNCTION,	"Funktsioon",		"the function" },
	{ F_SERIES,	"Sari",			"the series" },
	{ F_CASE,	"Toimik",		"the case file" },
	{ F_LEVEL,	"Juurdepääsupiirang",	"the access restriction" },
};

/* Record keys of the plain string fields. */
static const char *const keys[NFIELDS] = {
	[F_TYPE] = "type", [F_CASE] = "case_file", [F_TITLE] = "title",
	[F_CORRESPONDENT] = "correspondent", [F_CHANNEL] = "delivery_channel",
	[F_RESPONSIBLE] = "responsible",
};

/* One entry being parsed. */
struct rp {
	const char		*name;
	struct arh_problems	*probs;
	int			 rc;	/* ARH_ENOMEM once an allocation failed */
	int			 bad;	/* a problem was added */
	json_t			*rec;	/* the record.json object */
	json_t			*reg;	/* its "register" object */
	size_t			 seen[NFIELDS];	/* line that set it, 0: not yet */
	int			 external;
	int			 internal;	/* level: Asutusesiseseks ... */
	char			 registered[11];
	char			 start[11];
	char			 end[11];
	const char		*basis;	/* into the entry */
	size_t			 basislen;
};

/* A labelled line cut into its parts (pointers into the entry). */
struct lline {
	size_t		 no;
	const char	*label;
	size_t		 llen;
	const char	*value;
	size_t		 vlen;
};

/* ---------------------------------------------------------------------
 * Messages
 */

static void rprob(struct rp *p, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Add "NAME:LINE: message". */
static void
rprob(struct rp *p, size_t line, const char *fmt, ...)
{
	va_list ap;
	char *where = NULL;

	p->bad = 1;
	if (asprintf(&where, "%s:%zu", p->name, line) < 0) {
		p->rc = ARH_ENOMEM;
		return;
	}
	va_start(ap, fmt);
	if (arh_problems_vadd(p->probs, where, fmt, ap) != 0)
		p->rc = ARH_ENOMEM;
	va_end(ap);
	free(where);
}

/* ---------------------------------------------------------------------
 * Building record.json
 */

static void
put(struct rp *p, json_t *o, const char *key, json_t *v)
{
	if (json_object_set_new(o, key, v) != 0)
		p->rc = ARH_ENOMEM;
}

static void
put_str(struct rp *p, json_t *o, const char *key, const char *s, size_t n)
{
	put(p, o, key, json_stringn(s, n));
}

/* A copy of the value as a C string for checks and messages. */
static char *
value_str(struct rp *p, const struct lline *l)
{
	char *s = strndup(l->value, l->vlen);

	if (s == NULL)
		p->rc = ARH_ENOMEM;
	return s;
}

/* Up to max digits at *s; the count read, 0 if none. */
static int
digits(const char **s, int max, int *v)
{
	int n = 0;

	for (*v = 0; n < max && **s >= '0' && **s <= '9'; n++, (*s)++)
		*v = *v * 10 + (**s - '0');
	return n;
}

/* D.M.YYYY or DD.MM.YYYY to YYYY-MM-DD; 0 or -1. */
static int
dmy(const char *s, char out[11])
{
	int d, m, y;

	if (digits(&s, 2, &d) == 0 || *s++ != '.' ||
	    digits(&s, 2, &m) == 0 || *s++ != '.' ||
	    digits(&s, 4, &y) != 4 || *s != '\0')
		return -1;
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = out[7] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
	return arh_date_valid(out) ? 0 : -1;
}

static void
date_field(struct rp *p, const struct lline *l, const char *label,
    char out[11])
{
	char *v = value_str(p, l);

	if (v != NULL && dmy(v, out) != 0) {
		rprob(p, l->no, "'%s' is not a date DD.MM.YYYY: '%s'", label,
		    arh_show(v).s);
		out[0] = '\0';
	}
	free(v);
}

/* "12-1 Kirjavahetus ..." → code "12-1" in the record, the title under
 * "register". */
static void
code_field(struct rp *p, const struct lline *l, const char *key,
    const char *title_key)
{
	size_t n = 0, t;

	while (n < l->vlen && l->value[n] != ' ' && l->value[n] != '\t')
		n++;
	put_str(p, p->rec, key, l->value, n);
	for (t = n; t < l->vlen && (l->value[t] == ' ' || l->value[t] == '\t');
	    t++)
		;
	if (t < l->vlen)
		put_str(p, p->reg, title_key, l->value + t, l->vlen - t);
}

static void
reference_field(struct rp *p, const struct lline *l, const char *key,
    const char *label)
{
	char *v = value_str(p, l);

	if (v == NULL)
		return;
	if (!arh_reference_valid(v))
		rprob(p, l->no, "'%s' is not a valid reference: '%s' (letters, "
		    "digits, '.', '-' and '/', at most 64)", label, arh_show(v).s);
	else
		put_str(p, p->rec, key, l->value, l->vlen);
	free(v);
}

static void
level_field(struct rp *p, const struct lline *l, const char *label)
{
	char *v = value_str(p, l);

	if (v == NULL)
		return;
	if (strcmp(v, "Avalik") == 0)
		p->internal = 0;
	else if (strcmp(v, "Asutusesiseseks kasutamiseks") == 0 ||
	    strcmp(v, "AK") == 0)
		p->internal = 1;
	else
		rprob(p, l->no, "'%s' must be 'Avalik' or 'Asutusesiseseks "
		    "kasutamiseks' (AK), not '%s'", label, arh_show(v).s);
	free(v);
}

static void
set_field(struct rp *p, enum field f, const struct lline *l, const char *label)
{
	switch (f) {
	case F_REFERENCE:
		reference_field(p, l, "reference", label);
		break;
	case F_CASE:
		reference_field(p, l, "case_file", label);
		break;
	case F_REGISTERED:
		date_field(p, l, label, p->registered);
		break;
	case F_START:
		date_field(p, l, label, p->start);
		break;
	case F_END:
		date_field(p, l, label, p->end);
		break;
	case F_FUNCTION:
		code_field(p, l, "function", "function_title");
		break;
	case F_SERIES:
		code_field(p, l, "series", "series_title");
		break;
	case F_LEVEL:
		level_field(p, l, label);
		break;
	case F_BASIS:
		p->basis = l->value;
		p->basislen = l->vlen;
		break;
	default:
		put_str(p, p->rec, keys[f], l->value, l->vlen);
		break;
	}
}

static const struct label *
lookup(const struct lline *l)
{
	size_t i;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strlen(labels[i].label) == l->llen &&
		    memcmp(labels[i].label, l->label, l->llen) == 0)
			return &labels[i];
	return NULL;
}

static int
has_prefix(const struct lline *l, const char *s)
{
	size_t n = strlen(s);

	return l->llen >= n && memcmp(l->label, s, n) == 0;
}

static int
contains(const struct lline *l, const char *s)
{
	return memmem(l->label, l->llen, s, strlen(s)) != NULL;
}

/* What one labelled line means, beyond being kept in "lines". */
static void
interpret(struct rp *p, const struct lline *l)
{
	const struct label *lb = lookup(l);
	enum field f;

	if (l->no == 1 && l->llen == 17 &&
	    memcmp(l->label, "Dokumendiregister", 17) == 0) {
		put_str(p, p->reg, "organisation", l->value, l->vlen);
		return;
	}
	if (has_prefix(l, "Tähelepanu!") && contains(l, "välisvõrgust"))
		p->external = 1;
	if (lb == NULL)
		return;		/* kept in "lines" only */
	f = lb->field;
	/* The register repeats "Juurdepääsupiirang": the first value is the
	 * level, a later one the legal basis. */
	if (f == F_LEVEL && p->seen[F_LEVEL] != 0)
		f = F_BASIS;
	if (l->vlen == 0) {
		if (f == F_REFERENCE || f == F_REGISTERED || f == F_TYPE ||
		    f == F_FUNCTION || f == F_SERIES || f == F_CASE) {
			rprob(p, l->no, "'%s' is empty", lb->label);
			p->seen[f] = l->no;	/* not "missing" as well */
		}
		return;
	}
	/* A letter may have several addressees: the first is kept as the
	 * correspondent, all of them in "lines". */
	if (f == F_CORRESPONDENT && p->seen[f] != 0)
		return;
	if (p->seen[f] != 0) {
		rprob(p, l->no, "'%s' given twice (also on line %zu)",
		    lb->label, p->seen[f]);
		return;
	}
	p->seen[f] = l->no;
	set_field(p, f, l, lb->label);
}

/* ---------------------------------------------------------------------
 * Lines
 */

static int
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/*
 * Cut the line [s, e) into label and value; 0 if it is not a labelled line
 * (does not end in '|' once trailing blanks are gone).
 */
static int
cut_line(const char *s, const char *e, struct lline *l)
{
	const char *bar;

	while (e > s && blank(e[-1]))
		e--;
	if (e == s || e[-1] != '|')
		return 0;
	e--;			/* the closing '|' */
	if ((bar = memchr(s, '|', (size_t)(e - s))) == NULL)
		bar = e;	/* "Text |": a label without a value */
	l->label = s;
	l->llen = (size_t)(bar - s);
	l->value = bar < e ? bar + 1 : e;
	l->vlen = (size_t)(e - l->value);
	while (l->llen > 0 && blank(*l->label))
		l->label++, l->llen--;
	while (l->llen > 0 && blank(l->label[l->llen - 1]))
		l->llen--;
	while (l->vlen > 0 && blank(*l->value))
		l->value++, l->vlen--;
	while (l->vlen > 0 && blank(l->value[l->vlen - 1]))
		l->vlen--;
	return 1;
}

/* Append [label, value] to lines (the _new calls own their argument
 * even when they fail, so nothing leaks on ENOMEM). */
static void
keep_line(struct rp *p, json_t *lines, const struct lline *l)
{
	json_t *pair = json_array();

	if (json_array_append_new(lines, pair) != 0 ||
	    json_array_append_new(pair, json_stringn(l->label, l->llen)) != 0 ||
	    json_array_append_new(pair, json_stringn(l->value, l->vlen)) != 0)
		p->rc = ARH_ENOMEM;
}

/* Walk the labelled block; returns where the free text starts. */
static const char *
labelled_lines(struct rp *p, const char *buf, const char *end, size_t *nl)
{
	const char *s = buf, *e;
	json_t *lines = json_array();
	struct lline l;

	*nl = 0;
	if (lines == NULL) {
		p->rc = ARH_ENOMEM;
		return end;
	}
	put(p, p->reg, "lines", lines);
	while (s < end && p->rc == 0) {
		if ((e = memchr(s, '\n', (size_t)(end - s))) == NULL)
			e = end;
		if (!cut_line(s, e, &l))
			break;
		l.no = ++*nl;
		keep_line(p, lines, &l);
		interpret(p, &l);
		s = e < end ? e + 1 : end;
	}
	return s;
}

/* ---------------------------------------------------------------------
 * Checks after the labelled block
 */

static void
check_required(struct rp *p)
{
	size_t i;

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (p->seen[required[i].field] == 0)
			rprob(p, 1, "missing '%s' (%s)", required[i].label,
			    required[i].what);
}

static void
build_access(struct rp *p)
{
	size_t at = p->seen[F_LEVEL];
	json_t *a = json_object();

	if (a == NULL) {
		p->rc = ARH_ENOMEM;
		return;
	}
	put(p, p->rec, "access", a);
	if (!p->internal) {
		put(p, a, "level", json_string("public"));
		return;
	}
	put(p, a, "level", json_string("internal"));
	if (p->start[0] == '\0' && p->seen[F_START] == 0)
		memcpy(p->start, p->registered, sizeof(p->start));
	if (p->basis == NULL)
		rprob(p, at, "internal-use record without 'Juurdepääsupiirangu "
		    "alus' (the legal basis)");
	else
		put_str(p, a, "basis", p->basis, p->basislen);
	if (p->end[0] == '\0' && p->seen[F_END] == 0)
		rprob(p, at, "internal-use record without 'Juurdepääsupiirangu "
		    "lõpp' (the end date)");
	if (p->start[0] != '\0' && p->end[0] != '\0' &&
	    strcmp(p->start, p->end) > 0)
		rprob(p, p->seen[F_END], "the restriction ends (%s) before it "
		    "starts (%s)", p->end, p->start);
	if (p->start[0] != '\0')
		put(p, a, "start", json_string(p->start));
	if (p->end[0] != '\0')
		put(p, a, "end", json_string(p->end));
}

static size_t
line_of(const char *buf, const char *at)
{
	size_t n = 1;

	while ((buf = memchr(buf, '\n', (size_t)(at - buf))) != NULL) {
		n++;
		buf++;
	}
	return n;
}

/* Whole-file checks: size, NUL bytes, UTF-8.  0 if the text can be cut. */
static int
check_text(struct rp *p, const char *buf, size_t len)
{
	const char *bad;

	if (len > ARH_MAX_ENTRY_BYTES) {
		rprob(p, 1, "too large (%zu bytes, at most %d)", len,
		    ARH_MAX_ENTRY_BYTES);
		return -1;
	}
	if ((bad = memchr(buf, '\0', len)) != NULL) {
		rprob(p, line_of(buf, bad), "contains a NUL byte; not a text "
		    "file");
		return -1;
	}
	bad = (const char *)u8_check((const uint8_t *)buf, len);
	if (bad != NULL) {
		rprob(p, line_of(buf, bad), "not valid UTF-8; save the entry "
		    "as UTF-8");
		return -1;
	}
	return 0;
}

static void
parse(struct rp *p, const char *buf, size_t len, struct arh_register_entry *out)
{
	const char *end = buf + len, *text;
	size_t nl;

	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		buf += 3;	/* a byte order mark from a Windows editor */
	if ((p->rec = json_object()) == NULL ||
	    (p->reg = json_object()) == NULL) {
		p->rc = ARH_ENOMEM;
		return;
	}
	put(p, p->rec, "register", p->reg);
	text = labelled_lines(p, buf, end, &nl);
	if (p->rc != 0)
		return;
	if (nl == 0) {
		rprob(p, 1, "no labelled lines ('Label | value |'); not a "
		    "register entry");
		return;
	}
	check_required(p);
	if (p->registered[0] != '\0')
		put_str(p, p->rec, "registered", p->registered, 10);
	put(p, p->rec, "external_network", json_boolean(p->external));
	if (p->seen[F_LEVEL] != 0)
		build_access(p);
	if (p->rc != 0 || p->bad || end == text)
		return;
	if ((out->text = malloc((size_t)(end - text) + 1)) == NULL) {
		p->rc = ARH_ENOMEM;
		return;
	}
	memcpy(out->text, text, (size_t)(end - text));
	out->text[end - text] = '\0';
	out->textlen = (size_t)(end - text);
}

int
arh_register_parse(const char *name, const char *buf, size_t len,
    struct arh_register_entry *out, struct arh_problems *probs)
{
	struct rp p;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	p.name = name;
	p.probs = probs;
	if (check_text(&p, buf, len) == 0)
		parse(&p, buf, len, out);
	if (p.rc != 0 || p.bad) {
		json_decref(p.rec);
		arh_register_entry_release(out);
		return p.rc != 0 ? p.rc : ARH_EINVAL;
	}
	out->record = p.rec;
	return 0;
}

void
arh_register_entry_release(struct arh_register_entry *e)
{
	if (e == NULL)
		return;
	json_decref(e->record);
	free(e->text);
	memset(e, 0, sizeof(*e));
}

/* ---------------------------------------------------------------------
 * Writing the record folder
 */

/* Create dirfd/name (must not exist), write buf, fsync, close. */
static int
write_new(int dirfd, const char *name, const void *buf, size_t len,
    struct arh_err *err)
{
	int fd, r;

	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0644);
	if (fd == -1)
		return arh_errno(err, ARH_EIO, errno, "cannot create '%s'", name);
	if (arh_write_all(fd, buf, len) == -1) {
		r = arh_errno(err, ARH_EIO, errno, "cannot write '%s'", name);
		close(fd);
		return r;
	}
	if ((r = arh_fsync_fd(fd, name, err)) != 0) {
		close(fd);
		return r;
	}
	/* NFS and some FUSE file systems report write errors at close. */
	if (close(fd) == -1)
		return arh_errno(err, ARH_EIO, errno, "cannot write '%s'", name);
	return 0;
}

/* record.json as stored: sorted keys, two-space indent, UTF-8, newline. */
static char *
dump_record(const json_t *rec, size_t *len)
{
	char *s, *t;
	size_t n;

	if ((s = json_dumps(rec, JSON_INDENT(2) | JSON_SORT_KEYS)) == NULL)
		return NULL;
	n = strlen(s);
	if ((t = realloc(s, n + 2)) == NULL) {
		free(s);
		return NULL;
	}
	t[n] = '\n';
	t[n + 1] = '\0';
	*len = n + 1;
	return t;
}

static int
fill_folder(const struct arh_register_entry *e, int tfd, const char *tmp,
    struct arh_err *err)
{
	char *json;
	size_t len;
	int r;

	if ((json = dump_record(e->record, &len)) == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	r = write_new(tfd, "record.json", json, len, err);
	free(json);
	if (r == 0 && e->textlen > 0)
		r = write_new(tfd, "tekst.txt", e->text, e->textlen, err);
	if (r == 0)
		r = arh_fsync_fd(tfd, tmp, err);
	return r;
}

static void
remove_tmp(int cfd, int tfd, const char *tmp)
{
	if (tfd != -1) {
		unlinkat(tfd, "record.json", 0);
		unlinkat(tfd, "tekst.txt", 0);
	}
	unlinkat(cfd, tmp, AT_REMOVEDIR);
}

static int
publish(int cfd, const char *tmp, const char *name, const char *casedir,
    struct arh_err *err)
{
	int e;

	if (arh_rename_noreplace(cfd, tmp, cfd, name) == -1) {
		e = errno;
		if (e == EEXIST || e == ENOTEMPTY)
			return arh_errf(err, ARH_EEXIST, "record folder '%s' "
			    "already exists in '%s'; remove it or import into "
			    "another case directory", name, casedir);
		return arh_errno(err, ARH_EIO, e, "cannot rename '%s' to '%s' "
		    "in '%s'", tmp, name, casedir);
	}
	return 0;
}

/* Remove folder name of cfd holding what an import writes, and only that. */
static void
remove_folder(int cfd, const char *name)
{
	int fd = openat(cfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);

	remove_tmp(cfd, fd, name);
	if (fd != -1)
		close(fd);
}

/*
 * A temporary folder of an import whose process is gone: ".tmp-import-" PID
 * "-" NAME with no process PID.  A live PID (the import still running, or
 * a reused number) keeps its folder.
 */
static int
stale_tmp(const char *d_name)
{
	static const char prefix[] = ".tmp-import-";
	char *end;
	long pid;

	if (strncmp(d_name, prefix, sizeof(prefix) - 1) != 0)
		return 0;
	errno = 0;
	pid = strtol(d_name + sizeof(prefix) - 1, &end, 10);
	if (errno != 0 || pid <= 0 || *end != '-' || end[1] == '\0')
		return 0;
	return kill((pid_t)pid, 0) == -1 && errno == ESRCH;
}

int
arh_register_sweep(const char *casedir, size_t *removed, struct arh_err *err)
{
	struct dirent *de;
	DIR *d = NULL;
	int cfd, dfd, e;

	*removed = 0;
	if ((cfd = open(casedir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return arh_errno(err, errno == ENOENT || errno == ENOTDIR ?
		    ARH_ENOTFOUND : ARH_EIO, errno, "cannot open case "
		    "directory '%s'", casedir);
	/* readdir gets its own descriptor: cfd stays for the *at calls. */
	if ((dfd = fcntl(cfd, F_DUPFD_CLOEXEC, 0)) == -1 ||
	    (d = fdopendir(dfd)) == NULL) {
		e = errno;
		if (dfd != -1)
			close(dfd);
		close(cfd);
		return arh_errno(err, ARH_EIO, e, "cannot read case "
		    "directory '%s'", casedir);
	}
	while ((de = readdir(d)) != NULL) {
		if (!stale_tmp(de->d_name))
			continue;
		remove_folder(cfd, de->d_name);
		/* Only the files an import writes are removed: a folder
		 * holding anything else stays, and ingest will name it. */
		if (faccessat(cfd, de->d_name, F_OK, AT_SYMLINK_NOFOLLOW) != 0)
			(*removed)++;
	}
	closedir(d);
	if (*removed > 0 && arh_fsync_fd(cfd, casedir, err) != 0) {
		close(cfd);
		return ARH_EIO;
	}
	close(cfd);
	return 0;
}

int
arh_register_write(const struct arh_register_entry *e, const char *casedir,
    char **folder_out, struct arh_err *err)
{
	char name[128], tmp[192], *copy = NULL;
	const char *ref;
	size_t i;
	int cfd = -1, tfd = -1, made = 0, r;

	if (folder_out != NULL)
		*folder_out = NULL;
	ref = json_string_value(json_object_get(e->record, "reference"));
	if (!arh_reference_valid(ref))
		return arh_errf(err, ARH_EUSAGE, "the entry has no valid "
		    "reference");
	for (i = 0; ref[i] != '\0'; i++)
		name[i] = ref[i] == '/' ? '_' : ref[i];
	name[i] = '\0';
	/* Allocated first: past the rename nothing may fail but the fsync. */
	if (folder_out != NULL && (copy = strdup(name)) == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	snprintf(tmp, sizeof(tmp), ".tmp-import-%ld-%s", (long)getpid(), name);
	if ((cfd = open(casedir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		r = arh_errno(err, errno == ENOENT || errno == ENOTDIR ?
		    ARH_ENOTFOUND : ARH_EIO, errno, "cannot open case "
		    "directory '%s'", casedir);
		goto out;
	}
	if (mkdirat(cfd, tmp, 0755) == -1) {
		r = arh_errno(err, errno == EEXIST ? ARH_EEXIST : ARH_EIO,
		    errno, "cannot create '%s' in '%s'", tmp, casedir);
		goto out;
	}
	made = 1;
	tfd = openat(cfd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (tfd == -1) {
		r = arh_errno(err, ARH_EIO, errno, "cannot open '%s'", tmp);
		goto out;
	}
	if ((r = fill_folder(e, tfd, tmp, err)) != 0 ||
	    (r = publish(cfd, tmp, name, casedir, err)) != 0)
		goto out;
	made = 0;
	/* An fsync that fails is final (the rename may not survive a crash):
	 * the folder is withdrawn, so a failed import has imported nothing
	 * and the next one starts clean. */
	if ((r = arh_fsync_fd(cfd, casedir, err)) != 0) {
		remove_folder(cfd, name);
		goto out;
	}
	if (folder_out != NULL) {
		*folder_out = copy;
		copy = NULL;
	}
	r = 0;
out:
	free(copy);
	if (made)
		remove_tmp(cfd, tfd, tmp);
	if (tfd != -1)
		close(tfd);
	if (cfd != -1)
		close(cfd);
	return r;
}
