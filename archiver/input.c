/*
 * input.c — the case directory loader: case.json and record.json, the name
 * rules, and the walk that turns a directory into the payload list.
 *
 * The walk never opens a built path: every open is relative to the fd of
 * the directory the entry was listed in, with O_NOFOLLOW, so a symlink or a
 * rename during the walk cannot lead it outside the case directory.  Path
 * strings are built only for messages and for the bag.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uninorm.h>
#include <unistr.h>

#include "arhiivar/input.h"
#include "text.h"
#include "util.h"


/* ---------------------------------------------------------------------
 * Messages
 */

/* The whole of a path, rendered safely; malloc'd, NULL if out of memory. */
static char *
display(const char *s)
{
	size_t n = strlen(s);
	char *d;

	if (n > (SIZE_MAX - 4) / 4 || (d = malloc(4 * n + 4)) == NULL)
		return NULL;
	arh_escape_into(s, n, d);
	return d;
}

/* ---------------------------------------------------------------------
 * Dates, references, names
 */

static int
num(const char *s, int n)
{
	int v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

int
arh_reference_valid(const char *s)
{
	size_t i, n;
	char c;

	if (s == NULL || (n = strnlen(s, 65)) == 0 || n > 64)
		return 0;
	if (s[0] == '.' || s[0] == '-' || s[0] == '/')
		return 0;
	for (i = 0; i < n; i++) {
		c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
		    (c >= 'a' && c <= 'z') || c == '.' || c == '-' || c == '/'))
			return 0;
		if (i > 0 && (c == '/' || c == '.') && s[i - 1] == c)
			return 0;
	}
	return 1;
}

/* 1 if the UTF-8 string s (n bytes) holds a character of the class is. */
static int
has_char(const char *s, size_t n, int (*is)(ucs4_t))
{
	const uint8_t *p = (const uint8_t *)s, *end = p + n;
	ucs4_t uc;
	int k;

	while (p < end) {
		if ((k = u8_mbtoucr(&uc, p, (size_t)(end - p))) < 0)
			return 1;
		if (is(uc))
			return 1;
		p += k;
	}
	return 0;
}

/* The static reason a name is refused, or NULL. */
static const char *
name_problem(const char *name, size_t n)
{
	if (n == 0 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return "name is empty, '.' or '..'; rename it";
	if (n > ARH_MAX_NAME)
		return "name is longer than 255 bytes; rename it";
	if (u8_check((const uint8_t *)name, n) != NULL)
		return "name is not valid UTF-8; rename it";
	if (has_char(name, n, arh_is_control))
		return "name contains a control character; rename it";
	/* An override or a zero-width character makes a name read as
	 * another: "report<U+202E>fdp.exe" shows as "reportexe.pdf". */
	if (has_char(name, n, arh_is_format))
		return "name contains an invisible or bidirectional format "
		    "character, which can disguise it; rename it";
	if (memchr(name, '/', n) != NULL)
		return "name contains '/'; rename it";
	/* sha512sum -c reads a leading backslash as an escape marker, and
	 * BagIt manifests would have to percent-encode '%'. */
	if (memchr(name, '\\', n) != NULL)
		return "name contains '\\', which breaks checksum manifests; "
		    "rename it";
	if (memchr(name, '%', n) != NULL)
		return "name contains '%', which BagIt manifests would have to "
		    "escape; rename it";
	return NULL;
}

int
arh_name_check(const char *name, char **nfc, const char **why)
{
	size_t n = strlen(name), m = 0;
	uint8_t *u;
	char *s;

	*nfc = NULL;
	*why = name_problem(name, n);
	if (*why != NULL)
		return ARH_EINVAL;
	u = u8_normalize(UNINORM_NFC, (const uint8_t *)name, n, NULL, &m);
	if (u == NULL || (s = malloc(m + 1)) == NULL) {
		free(u);
		*why = "out of memory";
		return ARH_ENOMEM;
	}
	memcpy(s, u, m);
	s[m] = '\0';
	free(u);
	/* Composition can lengthen a few names (singleton decompositions). */
	if (m > ARH_MAX_NAME) {
		free(s);
		*why = "name is longer than 255 bytes in NFC; rename it";
		return ARH_EINVAL;
	}
	*nfc = s;
	return 0;
}

/* ---------------------------------------------------------------------
 * case.json and record.json
 */

/* The state of one metadata parse: problems go to probs as "name: ...". */
struct mp {
	const char		*name;
	struct arh_problems	*probs;
	int			 rc;	/* ARH_ENOMEM once an allocation failed */
	int			 bad;	/* a problem was added */
};

static void mprob(struct mp *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
mprob(struct mp *m, const char *fmt, ...)
{
	va_list ap;

	m->bad = 1;
	va_start(ap, fmt);
	if (arh_problems_vadd(m->probs, m->name, fmt, ap) != 0)
		m->rc = ARH_ENOMEM;
	va_end(ap);
}

static int
mp_result(const struct mp *m)
{
	if (m->rc != 0)
		return m->rc;
	return m->bad ? ARH_EINVAL : 0;
}

static void
dup_into(struct mp *m, char **dst, const char *v)
{
	if (v == NULL)
		return;
	free(*dst);
	if ((*dst = strdup(v)) == NULL)
		m->rc = ARH_ENOMEM;
}

/* Levels used below j: 0 for a scalar, 1 + its deepest child otherwise. */
static int
shape(const json_t *j, int left, const char **bad)
{
	const char *key;
	json_t *v;
	size_t i;
	int d, max = 0;

	if (json_is_string(j)) {
		if (json_string_length(j) > ARH_MAX_META_STRING)
			*bad = "string";
		return 0;
	}
	if (!json_is_object(j) && !json_is_array(j))
		return 0;
	if (left == 0) {
		*bad = "depth";
		return 1;
	}
	if (json_is_object(j)) {
		json_object_foreach((json_t *)j, key, v) {
			if (strlen(key) > ARH_MAX_META_STRING)
				*bad = "string";
			if (*bad != NULL)
				return 1;
			if ((d = shape(v, left - 1, bad)) > max)
				max = d;
		}
	} else {
		json_array_foreach(j, i, v) {
			if (*bad != NULL)
				return 1;
			if ((d = shape(v, left - 1, bad)) > max)
				max = d;
		}
	}
	return 1 + max;
}

int
arh_meta_shape(const json_t *j, int maxdepth, char *why, size_t n)
{
	const char *bad = NULL, *key = NULL, *k;
	json_t *v;

	if (json_is_object(j)) {
		/* Each top-level key on its own, to name where it is. */
		json_object_foreach((json_t *)j, k, v) {
			if (strlen(k) > ARH_MAX_META_STRING)
				bad = "string";
			else
				shape(v, maxdepth - 1, &bad);
			if (bad != NULL) {
				key = k;
				break;
			}
		}
	} else
		shape(j, maxdepth, &bad);
	if (bad == NULL)
		return 0;
	if (strcmp(bad, "depth") == 0)
		snprintf(why, n, "objects and arrays nested more than %d levels "
		    "deep%s%s%s", maxdepth, key ? " (under '" :
		    "", key ? arh_show(key).s : "", key ? "')" : "");
	else
		snprintf(why, n, "a string or key longer than %d bytes%s%s%s",
		    ARH_MAX_META_STRING, key ? " (under '" : "",
		    key ? arh_show(key).s : "", key ? "')" : "");
	return -1;
}

static json_t *
load_object(struct mp *m, const char *buf, size_t len)
{
	json_error_t je;
	char why[200];
	json_t *o;

	o = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (o == NULL) {
		m->bad = 1;
		/* jansson names its own flag; say what is wrong instead. */
		if (arh_problems_add(m->probs, "%s:%d:%d: %s", m->name,
		    je.line, je.column, strstr(je.text, "JSON_ALLOW_NUL") ?
		    "\\u0000 (a NUL character) is not allowed in a string" :
		    arh_show(je.text).s) != 0)
			m->rc = ARH_ENOMEM;
		return NULL;
	}
	if (!json_is_object(o)) {
		mprob(m, "must be a JSON object ({...})");
		json_decref(o);
		return NULL;
	}
	if (arh_meta_shape(o, ARH_MAX_META_DEPTH, why, sizeof(why)) != 0) {
		mprob(m, "%s; shorten or flatten it", why);
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Report every key of o not in allowed; label prefixes nested keys. */
static void
check_keys(struct mp *m, const json_t *o, const char *const *allowed,
    const char *prefix, const char *hint)
{
	const char *key, *const *a;
	json_t *v;

	json_object_foreach((json_t *)o, key, v) {
		for (a = allowed; *a != NULL; a++)
			if (strcmp(*a, key) == 0)
				break;
		if (*a == NULL)
			mprob(m, "unknown key '%s%s'%s", prefix, arh_show(key).s,
			    hint);
	}
}

enum { OPT = 0, REQ = 1, NONEMPTY = 2 };

static const char *
get_str(struct mp *m, const json_t *o, const char *key, const char *label,
    int flags)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL) {
		if (flags & REQ)
			mprob(m, "missing '%s'", label);
		return NULL;
	}
	if (!json_is_string(v)) {
		mprob(m, "'%s' must be a string", label);
		return NULL;
	}
	if ((flags & NONEMPTY) && json_string_length(v) == 0) {
		mprob(m, "'%s' must not be empty", label);
		return NULL;
	}
	return json_string_value(v);
}

static const char *
get_date(struct mp *m, const json_t *o, const char *key, const char *label)
{
	const char *v = get_str(m, o, key, label, REQ);

	if (v != NULL && !arh_date_valid(v)) {
		mprob(m, "'%s' is not a date YYYY-MM-DD: '%s'", label,
		    arh_show(v).s);
		return NULL;
	}
	return v;
}

static const char *
get_ref(struct mp *m, const json_t *o, const char *key)
{
	const char *v = get_str(m, o, key, key, REQ | NONEMPTY);

	if (v != NULL && !arh_reference_valid(v)) {
		mprob(m, "'%s' is not a valid reference: '%s' (letters, "
		    "digits, '.', '-' and '/', at most 64)", key, arh_show(v).s);
		return NULL;
	}
	return v;
}

static void
check_object(struct mp *m, const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (v != NULL && !json_is_object(v))
		mprob(m, "'%s' must be an object", key);
}

/*
 * "register", as register import writes it: the entry's organisation and
 * titles, and every labelled line as a [label, value] pair of strings
 * (docs/FORMAT.md, section 2).
 */
static void
check_register(struct mp *m, const json_t *o)
{
	static const char *const keys[] = { "organisation", "function_title",
	    "series_title", "lines", NULL };
	static const char *const labels[] = { "register.organisation",
	    "register.function_title", "register.series_title" };
	const json_t *reg = json_object_get(o, "register"), *lines, *pair;
	size_t i;

	if (reg == NULL)
		return;
	if (!json_is_object(reg)) {
		mprob(m, "'register' must be an object");
		return;
	}
	check_keys(m, reg, keys, "register.", "");
	for (i = 0; i < 3; i++)
		get_str(m, reg, keys[i], labels[i], OPT);
	if ((lines = json_object_get(reg, "lines")) == NULL)
		return;
	if (!json_is_array(lines)) {
		mprob(m, "'register.lines' must be a list of [label, value] "
		    "pairs");
		return;
	}
	json_array_foreach(lines, i, pair)
		if (!json_is_array(pair) || json_array_size(pair) != 2 ||
		    !json_is_string(json_array_get(pair, 0)) ||
		    !json_is_string(json_array_get(pair, 1))) {
			mprob(m, "'register.lines' item %zu is not a [label, "
			    "value] pair of strings", i + 1);
			return;
		}
}

static void
check_bool(struct mp *m, const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (v != NULL && !json_is_boolean(v))
		mprob(m, "'%s' must be true or false", key);
}

static const char *const top_hint =
    " (put organisation-specific fields under \"extra\")";

/* "function" / "series": {"code": "...", "title": "..."}. */
static void
code_title(struct mp *m, const json_t *o, const char *key, char **code,
    char **title)
{
	static const char *const keys[] = { "code", "title", NULL };
	json_t *v = json_object_get(o, key);
	char lc[32], lt[32], pre[32];

	if (v == NULL) {
		mprob(m, "missing '%s'", key);
		return;
	}
	if (!json_is_object(v)) {
		mprob(m, "'%s' must be an object {\"code\": ..., \"title\": "
		    "...}", key);
		return;
	}
	snprintf(lc, sizeof(lc), "%s.code", key);
	snprintf(lt, sizeof(lt), "%s.title", key);
	snprintf(pre, sizeof(pre), "%s.", key);
	check_keys(m, v, keys, pre, "");
	dup_into(m, code, get_str(m, v, "code", lc, REQ | NONEMPTY));
	dup_into(m, title, get_str(m, v, "title", lt, REQ | NONEMPTY));
}

static void
case_year(struct mp *m, struct arh_case *c, const json_t *o,
    const char *opened)
{
	json_t *v = json_object_get(o, "year");
	json_int_t y;

	if (v == NULL) {
		mprob(m, "missing 'year'");
		return;
	}
	if (!json_is_integer(v)) {
		mprob(m, "'year' must be an integer");
		return;
	}
	y = json_integer_value(v);
	if (y < 1900 || y > 9999) {
		mprob(m, "'year' must be between 1900 and 9999, not %lld",
		    (long long)y);
		return;
	}
	c->year = (int)y;
	if (opened != NULL && num(opened, 4) != c->year)
		mprob(m, "'year' %d is not the year of 'opened' %s", c->year,
		    opened);
}

static void
case_dates(struct mp *m, struct arh_case *c, const json_t *o,
    const char *today)
{
	const char *opened, *closed = NULL;

	opened = get_date(m, o, "opened", "opened");
	if (json_object_get(o, "closed") == NULL)
		mprob(m, "the case file is still open (no 'closed' date); "
		    "archive it after it is closed");
	else
		closed = get_date(m, o, "closed", "closed");
	case_year(m, c, o, opened);
	if (opened != NULL && closed != NULL && strcmp(closed, opened) < 0)
		mprob(m, "'closed' %s is before 'opened' %s", closed, opened);
	else if (closed != NULL && strcmp(closed, today) > 0)
		mprob(m, "the case file is not closed yet (closed %s is after "
		    "today %s)", closed, today);
	dup_into(m, &c->opened, opened);
	dup_into(m, &c->closed, closed);
}

int
arh_case_parse_meta(struct arh_case *c, const char *name, const char *buf,
    size_t len, const char *today, struct arh_problems *probs)
{
	static const char *const keys[] = { "reference", "title", "function",
	    "series", "year", "opened", "closed", "organisation", "retention",
	    "extra", NULL };
	struct mp m = { name, probs, 0, 0 };
	json_t *o;

	if (!arh_date_valid(today))
		return ARH_EUSAGE;
	if ((o = load_object(&m, buf, len)) == NULL)
		return mp_result(&m);
	json_decref(c->meta);
	c->meta = o;
	check_keys(&m, o, keys, "", top_hint);
	dup_into(&m, &c->reference, get_ref(&m, o, "reference"));
	dup_into(&m, &c->title, get_str(&m, o, "title", "title", OPT));
	code_title(&m, o, "function", &c->function_code, &c->function_title);
	code_title(&m, o, "series", &c->series_code, &c->series_title);
	case_dates(&m, c, o, today);
	dup_into(&m, &c->organisation, get_str(&m, o, "organisation",
	    "organisation", NONEMPTY));
	dup_into(&m, &c->retention, get_str(&m, o, "retention", "retention",
	    OPT));
	check_object(&m, o, "extra");
	return mp_result(&m);
}

static void
access_internal(struct mp *m, const json_t *acc, struct arh_access *a)
{
	static const char *const keys[] = { "level", "basis", "start", "end",
	    "person_died", "person_born", NULL };
	const char *start, *end, *died, *born;

	a->internal = 1;
	check_keys(m, acc, keys, "access.", "");
	dup_into(m, &a->basis, get_str(m, acc, "basis", "access.basis",
	    REQ | NONEMPTY));
	start = get_date(m, acc, "start", "access.start");
	end = get_date(m, acc, "end", "access.end");
	if (start != NULL && end != NULL && strcmp(start, end) > 0)
		mprob(m, "'access.start' %s is after 'access.end' %s", start,
		    end);
	dup_into(m, &a->start, start);
	dup_into(m, &a->end, end);
	/* Personal data: the person's dates, when known, set the term. */
	died = json_object_get(acc, "person_died") ? get_date(m, acc,
	    "person_died", "access.person_died") : NULL;
	born = json_object_get(acc, "person_born") ? get_date(m, acc,
	    "person_born", "access.person_born") : NULL;
	dup_into(m, &a->died, died);
	dup_into(m, &a->born, born);
}

static void
parse_access(struct mp *m, const json_t *o, struct arh_access *a)
{
	static const char *const keys[] = { "level", NULL };
	json_t *acc = json_object_get(o, "access");
	const char *level;

	if (acc == NULL) {
		mprob(m, "missing 'access' (the access restriction)");
		return;
	}
	if (!json_is_object(acc)) {
		mprob(m, "'access' must be an object {\"level\": ...}");
		return;
	}
	if ((level = get_str(m, acc, "level", "access.level", REQ)) == NULL)
		return;
	if (strcmp(level, "public") == 0)
		check_keys(m, acc, keys, "access.",
		    " (a public record has no restriction details)");
	else if (strcmp(level, "internal") == 0)
		access_internal(m, acc, a);
	else
		mprob(m, "'access.level' must be \"public\" or \"internal\", "
		    "not '%s'", arh_show(level).s);
}

int
arh_record_parse_meta(struct arh_record *r, const char *name,
    const char *buf, size_t len, struct arh_problems *probs)
{
	static const char *const keys[] = { "reference", "registered", "type",
	    "function", "series", "case_file", "title", "correspondent",
	    "delivery_channel", "responsible", "external_network",
	    "private_person", "access", "register", "extra", NULL };
	static const char *const optional[] = { "correspondent",
	    "delivery_channel", "responsible", NULL };
	struct mp m = { name, probs, 0, 0 };
	const char *const *k;
	json_t *o;

	if ((o = load_object(&m, buf, len)) == NULL)
		return mp_result(&m);
	json_decref(r->meta);
	r->meta = o;
	check_keys(&m, o, keys, "", top_hint);
	dup_into(&m, &r->reference, get_ref(&m, o, "reference"));
	dup_into(&m, &r->registered, get_date(&m, o, "registered",
	    "registered"));
	dup_into(&m, &r->type, get_str(&m, o, "type", "type", REQ | NONEMPTY));
	/* Equality with the case's codes is checked by arh_case_load(). */
	get_str(&m, o, "function", "function", REQ | NONEMPTY);
	get_str(&m, o, "series", "series", REQ | NONEMPTY);
	get_ref(&m, o, "case_file");
	dup_into(&m, &r->title, get_str(&m, o, "title", "title", OPT));
	for (k = optional; *k != NULL; k++)
		get_str(&m, o, *k, *k, OPT);
	check_bool(&m, o, "external_network");
	check_bool(&m, o, "private_person");
	parse_access(&m, o, &r->access);
	check_register(&m, o);
	check_object(&m, o, "extra");
	return mp_result(&m);
}

void
arh_record_release(struct arh_record *r)
{
	if (r == NULL)
		return;
	free(r->dir);
	free(r->disk_dir);
	free(r->reference);
	free(r->registered);
	free(r->type);
	free(r->title);
	free(r->access.basis);
	free(r->access.start);
	free(r->access.end);
	free(r->access.died);
	free(r->access.born);
	json_decref(r->meta);
	memset(r, 0, sizeof(*r));
}

void
arh_case_free(struct arh_case *c)
{
	size_t i;

	if (c == NULL)
		return;
	free(c->reference);
	free(c->series_code);
	free(c->series_title);
	free(c->function_code);
	free(c->function_title);
	free(c->organisation);
	free(c->title);
	free(c->retention);
	free(c->opened);
	free(c->closed);
	json_decref(c->meta);
	for (i = 0; i < c->nrecords; i++)
		arh_record_release(&c->records[i]);
	free(c->records);
	for (i = 0; i < c->nfiles; i++) {
		free(c->files[i].disk_path);
		free(c->files[i].bag_path);
		free(c->files[i].mime);
		free(c->files[i].charset);
	}
	free(c->files);
	free(c);
}

/* ---------------------------------------------------------------------
 * The walk
 */

struct loader {
	struct arh_case		*c;
	struct arh_problems	*probs;
	size_t			 rcap;	/* room in c->records */
	size_t			 fcap;	/* room in c->files */
	int			 rc;	/* ARH_ENOMEM once an allocation failed */
	int			 bad;	/* a problem was added */
	int			 full;	/* the ARH_MAX_FILES problem was added */
	const char		*today;	/* YYYY-MM-DD */
};

/* One directory entry whose name passed arh_name_check(). */
struct entry {
	char	*name;		/* as on disk */
	char	*nfc;
};

struct dirlist {
	struct entry	*v;
	size_t		 n;
	size_t		 cap;
	size_t		 raw;	/* entries on disk, refused names included */
};

static void problem(struct loader *l, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Add "path: message"; path is relative to the case directory. */
static void
problem(struct loader *l, const char *path, const char *fmt, ...)
{
	va_list ap;
	char *disp;

	l->bad = 1;
	if ((disp = display(path)) == NULL) {
		l->rc = ARH_ENOMEM;
		return;
	}
	va_start(ap, fmt);
	if (arh_problems_vadd(l->probs, disp, fmt, ap) != 0)
		l->rc = ARH_ENOMEM;
	va_end(ap);
	free(disp);
}

static void
kind_problem(struct loader *l, const char *path, const struct stat *st)
{
	const char *what = "a special file";

	if (S_ISLNK(st->st_mode)) {
		problem(l, path, "is a symbolic link; replace it with the file "
		    "it points to");
		return;
	}
	if (S_ISDIR(st->st_mode)) {
		problem(l, path, "is a directory; it must be a file");
		return;
	}
	if (S_ISFIFO(st->st_mode))
		what = "a FIFO";
	else if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		what = "a device";
	else if (S_ISSOCK(st->st_mode))
		what = "a socket";
	problem(l, path, "is %s; only regular files and directories can be "
	    "archived", what);
}

/* A larger copy of p when n == *cap (p untouched on failure), else p. */
static void *
grow(void *p, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *q;

	if (n < *cap)
		return p;
	ncap = *cap ? *cap * 2 : 16;
	if ((q = reallocarray(p, ncap, size)) == NULL)
		return NULL;
	*cap = ncap;
	return q;
}

static char *
join(const char *dir, const char *name)
{
	char *s;

	if (dir == NULL)
		return strdup(name);
	if (asprintf(&s, "%s/%s", dir, name) < 0)
		return NULL;
	return s;
}

static void
dirlist_release(struct dirlist *dl)
{
	size_t i;

	for (i = 0; i < dl->n; i++) {
		free(dl->v[i].name);
		free(dl->v[i].nfc);
	}
	free(dl->v);
	memset(dl, 0, sizeof(*dl));
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name,
	    ((const struct entry *)b)->name);
}

/* Bytewise on the NFC name; the disk name breaks ties so order is total. */
static int
by_nfc(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int d = strcmp(x->nfc, y->nfc);

	return d != 0 ? d : strcmp(x->name, y->name);
}

/* Read the names of the directory open at fd (not consumed). */
static void
read_names(struct loader *l, int fd, const char *path, struct dirlist *dl)
{
	struct dirent *de;
	struct entry *v;
	DIR *d = NULL;
	int dfd;

	/* A new open file description, so fdopendir/closedir own it. */
	dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd == -1 || (d = fdopendir(dfd)) == NULL) {
		problem(l, path, "cannot be read: %s", strerror(errno));
		if (dfd != -1)
			close(dfd);
		return;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0)
				problem(l, path, "cannot be read: %s",
				    strerror(errno));
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (dl->raw++ >= ARH_MAX_FILES) {
			problem(l, path, "more than %d entries in one directory",
			    ARH_MAX_FILES);
			break;
		}
		if ((v = grow(dl->v, &dl->cap, dl->n, sizeof(*v))) == NULL) {
			l->rc = ARH_ENOMEM;
			break;
		}
		dl->v = v;
		v[dl->n].nfc = NULL;
		if ((v[dl->n].name = strdup(de->d_name)) == NULL) {
			l->rc = ARH_ENOMEM;
			break;
		}
		dl->n++;
	}
	closedir(d);
}

/*
 * List the directory open at fd: names that fail arh_name_check() are
 * reported and dropped; the rest are sorted by NFC name.  path (NULL for
 * the case directory itself) is the directory relative to the case dir.
 */
static int
list_dir(struct loader *l, int fd, const char *path, struct dirlist *dl)
{
	const char *why;
	char *full;
	size_t i, k = 0;

	read_names(l, fd, path == NULL ? "." : path, dl);
	if (dl->n == 0)
		return l->rc;	/* and qsort must not see a NULL array */
	/* Sorted first so that problems come out in a stable order. */
	qsort(dl->v, dl->n, sizeof(*dl->v), by_name);
	for (i = 0; i < dl->n; i++) {
		if (l->rc == 0 && arh_name_check(dl->v[i].name, &dl->v[i].nfc,
		    &why) == ARH_ENOMEM)
			l->rc = ARH_ENOMEM;
		if (dl->v[i].nfc != NULL) {
			dl->v[k++] = dl->v[i];
			continue;
		}
		if (l->rc == 0) {
			if ((full = join(path, dl->v[i].name)) == NULL)
				l->rc = ARH_ENOMEM;
			else
				problem(l, full, "%s", why);
			free(full);
		}
		free(dl->v[i].name);
	}
	dl->n = k;
	qsort(dl->v, dl->n, sizeof(*dl->v), by_nfc);
	for (i = 1; i < dl->n; i++)
		if (strcmp(dl->v[i - 1].nfc, dl->v[i].nfc) == 0)
			problem(l, path == NULL ? "." : path, "'%s' and '%s' "
			    "differ only by Unicode normalisation; rename one",
			    arh_show(dl->v[i - 1].name).s, arh_show(dl->v[i].name).s);
	return l->rc;
}

static int
open_dir(struct loader *l, int dirfd, const char *name, const char *path)
{
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1)
		problem(l, path, "cannot be read: %s", strerror(errno));
	return fd;
}

/* 1 if the regular file can be opened for reading, else a problem. */
static int
readable(struct loader *l, int dirfd, const char *name, const char *path)
{
	int fd;

	/* O_NONBLOCK: should a FIFO be swapped in after fstatat, the open
	 * must not hang. */
	fd = openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW |
	    O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		problem(l, path, "cannot be read: %s", strerror(errno));
		return 0;
	}
	close(fd);
	return 1;
}

/* Read case.json or record.json listed as e in dirfd; NULL on a problem. */
static char *
read_meta(struct loader *l, int dirfd, const struct entry *e,
    const char *path, size_t *len)
{
	struct arh_err err;
	struct stat st;
	char *buf = NULL;

	if (fstatat(dirfd, e->name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		problem(l, path, "cannot be read: %s", strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		kind_problem(l, path, &st);
		return NULL;
	}
	if (st.st_size > ARH_MAX_META_BYTES) {
		problem(l, path, "too large (%lld bytes, at most %d)",
		    (long long)st.st_size, ARH_MAX_META_BYTES);
		return NULL;
	}
	if (!readable(l, dirfd, e->name, path))
		return NULL;
	switch (arh_read_file(dirfd, e->name, ARH_MAX_META_BYTES, &buf, len,
	    &err)) {
	case 0:
		return buf;
	case ARH_ENOMEM:
		l->rc = ARH_ENOMEM;
		return NULL;
	default:	/* changed under us since fstatat */
		problem(l, path, "%s", err.msg);
		return NULL;
	}
}

static const struct entry *
find(const struct dirlist *dl, const char *nfc)
{
	size_t i;

	for (i = 0; i < dl->n; i++)
		if (strcmp(dl->v[i].nfc, nfc) == 0)
			return &dl->v[i];
	return NULL;
}

static int
load_case_json(struct loader *l, int fd, const struct dirlist *top,
    const char *today)
{
	const struct entry *e = find(top, "case.json");
	char *buf;
	size_t len;
	int r;

	if (e == NULL) {
		problem(l, "case.json", "missing (the case file's metadata)");
		return l->rc;
	}
	if ((buf = read_meta(l, fd, e, "case.json", &len)) == NULL)
		return l->rc;
	r = arh_case_parse_meta(l->c, "case.json", buf, len, today, l->probs);
	if (r == ARH_EINVAL)
		l->bad = 1;
	else if (r != 0)
		l->rc = r;
	free(buf);
	return l->rc;
}

/* The record's function, series and case file must be the case's. */
static void
same_as_case(struct loader *l, const struct arh_record *r, const char *path,
    const char *key, const char *what, const char *want)
{
	const char *v = json_string_value(json_object_get(r->meta, key));

	if (v == NULL || want == NULL || r->reference == NULL ||
	    strcmp(v, want) == 0)
		return;
	problem(l, path, "record %s belongs to %s '%s', not '%s'",
	    r->reference, what, arh_show(v).s, arh_show(want).s);
}

static void
record_json(struct loader *l, int fd, const struct entry *e,
    struct arh_record *r)
{
	const struct arh_case *c = l->c;
	char *path, *buf = NULL;
	size_t len;
	int rc;

	if ((path = join(r->disk_dir, "record.json")) == NULL) {
		l->rc = ARH_ENOMEM;
		return;
	}
	if ((buf = read_meta(l, fd, e, path, &len)) == NULL)
		goto out;
	rc = arh_record_parse_meta(r, path, buf, len, l->probs);
	if (rc == ARH_EINVAL)
		l->bad = 1;
	else if (rc != 0)
		l->rc = rc;
	/* A registration date that has not come yet is a typing error. */
	if (r->registered != NULL && strcmp(r->registered, l->today) > 0)
		problem(l, path, "'registered' %s is in the future; correct the "
		    "date", r->registered);
	same_as_case(l, r, path, "case_file", "case file", c->reference);
	same_as_case(l, r, path, "series", "series", c->series_code);
	same_as_case(l, r, path, "function", "function", c->function_code);
out:
	free(buf);
	free(path);
}

static int walk(struct loader *l, int dfd, const char *disk, const char *bag,
    const struct dirlist *dl, int depth, size_t rec);

static void
add_file(struct loader *l, int dfd, const struct entry *e, char **disk,
    char **bag, const struct stat *st, size_t rec)
{
	struct arh_case *c = l->c;
	struct arh_file *f;
	const char *reg = c->records[rec].registered;

	if (c->nfiles >= ARH_MAX_FILES) {
		if (!l->full)
			problem(l, *disk, "more than %d files in the case; "
			    "split it into several case files", ARH_MAX_FILES);
		l->full = 1;
		return;
	}
	if (!readable(l, dfd, e->name, *disk))
		return;
	if ((f = grow(c->files, &l->fcap, c->nfiles, sizeof(*f))) == NULL) {
		l->rc = ARH_ENOMEM;
		return;
	}
	c->files = f;
	f = &c->files[c->nfiles++];
	memset(f, 0, sizeof(*f));
	f->disk_path = *disk;
	f->bag_path = *bag;
	*disk = *bag = NULL;	/* transferred */
	f->size = (uint64_t)st->st_size;
	/* The content's own mtime says when it was copied, not when it was
	 * registered; the registration date makes the tar reproducible. */
	f->mtime = reg != NULL ? arh_date_epoch(reg) : 0;
	f->record = rec;
	c->payload_bytes += f->size;
}

static void
descend(struct loader *l, int dfd, const struct entry *e, const char *disk,
    const char *bag, int depth, size_t rec)
{
	struct dirlist dl = { 0 };
	int fd;

	if (depth > ARH_MAX_DEPTH) {
		problem(l, disk, "nested too deeply (more than %d directory "
		    "levels in a record); flatten it", ARH_MAX_DEPTH);
		return;
	}
	if ((fd = open_dir(l, dfd, e->name, disk)) == -1)
		return;
	if (list_dir(l, fd, disk, &dl) == 0) {
		if (dl.raw == 0)
			problem(l, disk, "empty directory; remove it or put the "
			    "file in it (BagIt cannot hold empty directories)");
		else
			walk(l, fd, disk, bag, &dl, depth, rec);
	}
	dirlist_release(&dl);
	close(fd);
}

static void
walk_one(struct loader *l, int dfd, const struct entry *e, char **disk,
    char **bag, int depth, size_t rec)
{
	struct stat st;
	size_t n = strlen(*bag);

	if (n > ARH_MAX_PATH) {
		problem(l, *disk, "path too long in the archive (%zu bytes, at "
		    "most %d); shorten it", n, ARH_MAX_PATH);
		return;
	}
	if (fstatat(dfd, e->name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		problem(l, *disk, "cannot be read: %s", strerror(errno));
	else if (S_ISREG(st.st_mode))
		add_file(l, dfd, e, disk, bag, &st, rec);
	else if (S_ISDIR(st.st_mode))
		descend(l, dfd, e, *disk, *bag, depth + 1, rec);
	else
		kind_problem(l, *disk, &st);
}

/* Depth first, entries in NFC order: the tar order. */
static int
walk(struct loader *l, int dfd, const char *disk, const char *bag,
    const struct dirlist *dl, int depth, size_t rec)
{
	char *dp, *bp;
	size_t i;

	for (i = 0; i < dl->n && l->rc == 0; i++) {
		dp = join(disk, dl->v[i].name);
		bp = join(bag, dl->v[i].nfc);
		if (dp == NULL || bp == NULL)
			l->rc = ARH_ENOMEM;
		else
			walk_one(l, dfd, &dl->v[i], &dp, &bp, depth, rec);
		free(dp);
		free(bp);
	}
	return l->rc;
}

static struct arh_record *
add_record(struct loader *l, const struct entry *e)
{
	struct arh_case *c = l->c;
	struct arh_record *r;

	if ((r = grow(c->records, &l->rcap, c->nrecords, sizeof(*r))) ==
	    NULL) {
		l->rc = ARH_ENOMEM;
		return NULL;
	}
	c->records = r;
	r = &c->records[c->nrecords++];
	memset(r, 0, sizeof(*r));
	if ((r->dir = strdup(e->nfc)) == NULL ||
	    (r->disk_dir = strdup(e->name)) == NULL) {
		l->rc = ARH_ENOMEM;
		return NULL;
	}
	return r;
}

static int
load_record(struct loader *l, int casefd, const struct entry *e)
{
	struct dirlist dl = { 0 };
	struct arh_record *r;
	char *bag = NULL;
	size_t i, rec;
	int fd;

	if ((fd = open_dir(l, casefd, e->name, e->name)) == -1)
		return l->rc;
	if ((r = add_record(l, e)) == NULL)
		goto out;
	rec = l->c->nrecords - 1;
	if (list_dir(l, fd, e->name, &dl) != 0)
		goto out;
	/* Only the record.json at the top of the record is metadata; one
	 * deeper down is ordinary content. */
	for (i = 0; i < dl.n && strcmp(dl.v[i].nfc, "record.json") != 0; i++)
		;
	if (i == dl.n) {
		problem(l, e->name, "missing record.json");
	} else {
		record_json(l, fd, &dl.v[i], r);
		free(dl.v[i].name);
		free(dl.v[i].nfc);
		memmove(&dl.v[i], &dl.v[i + 1], (dl.n - i - 1) *
		    sizeof(*dl.v));
		dl.n--;
	}
	if (l->rc == 0 && asprintf(&bag, "data/%s", e->nfc) < 0) {
		bag = NULL;
		l->rc = ARH_ENOMEM;
	}
	if (l->rc == 0)
		walk(l, fd, e->name, bag, &dl, 0, rec);
out:
	free(bag);
	dirlist_release(&dl);
	close(fd);
	return l->rc;
}

static void
dup_problem(struct loader *l, const struct arh_record *r,
    const struct arh_record *earlier)
{
	char *path = join(r->disk_dir, "record.json"), *also;

	also = display(earlier->disk_dir);
	if (path == NULL || also == NULL)
		l->rc = ARH_ENOMEM;
	else
		problem(l, path, "duplicate reference '%s' (also in %s)",
		    r->reference, also);
	free(path);
	free(also);
}

static int
by_reference(const void *a, const void *b, void *arg)
{
	const struct arh_record *v = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int d = strcmp(v[x].reference, v[y].reference);

	if (d != 0)
		return d;
	return x < y ? -1 : x > y;
}

/*
 * Report each record whose reference an earlier record already has, in
 * walk order.  Sorting indexes keeps this O(n log n) for large cases.
 */
static int
check_duplicates(struct loader *l)
{
	const struct arh_case *c = l->c;
	size_t *ix = NULL, *first = NULL, i, n = 0;

	if ((ix = calloc(c->nrecords + 1, sizeof(*ix))) == NULL ||
	    (first = calloc(c->nrecords + 1, sizeof(*first))) == NULL) {
		l->rc = ARH_ENOMEM;
		goto out;
	}
	for (i = 0; i < c->nrecords; i++)
		if (c->records[i].reference != NULL)
			ix[n++] = i;
	qsort_r(ix, n, sizeof(*ix), by_reference, c->records);
	/* first[k] == j + 1: record k repeats the reference of record j. */
	for (i = 1; i < n; i++)
		if (strcmp(c->records[ix[i]].reference,
		    c->records[ix[i - 1]].reference) == 0)
			first[ix[i]] = first[ix[i - 1]] ? first[ix[i - 1]] :
			    ix[i - 1] + 1;
	for (i = 0; i < c->nrecords && l->rc == 0; i++)
		if (first[i] != 0)
			dup_problem(l, &c->records[i],
			    &c->records[first[i] - 1]);
out:
	free(ix);
	free(first);
	return l->rc;
}

/* The entries at the top: case.json, record directories, nothing else. */
static int
load_top(struct loader *l, int fd, const struct dirlist *top)
{
	const struct entry *e;
	struct stat st;
	size_t i;

	for (i = 0; i < top->n && l->rc == 0; i++) {
		e = &top->v[i];
		if (strcmp(e->nfc, "case.json") == 0)
			continue;	/* read by load_case_json() */
		/* Complete or not, it is not a record yet: archived, it
		 * would be one under a hidden name. */
		if (strncmp(e->name, ".tmp-import-", 12) == 0) {
			problem(l, e->name, "temporary folder of an interrupted "
			    "'arhiivar register import'; import the entry again "
			    "(that removes it) or remove it");
			continue;
		}
		if (fstatat(fd, e->name, &st, AT_SYMLINK_NOFOLLOW) == -1)
			problem(l, e->name, "cannot be read: %s",
			    strerror(errno));
		else if (S_ISDIR(st.st_mode))
			load_record(l, fd, e);
		else if (S_ISREG(st.st_mode))
			problem(l, e->name, "unexpected file at the top of the "
			    "case directory; records go in sub-directories");
		else
			kind_problem(l, e->name, &st);
	}
	return l->rc;
}

/* Values in j, each a line or two of the indented metadata manifest. */
static uint64_t
nodes(const json_t *j)
{
	const char *key;
	uint64_t n = 1;
	json_t *v;
	size_t i;

	if (json_is_object(j))
		json_object_foreach((json_t *)j, key, v)
			n += 1 + nodes(v);
	else if (json_is_array(j))
		json_array_foreach(j, i, v)
			n += nodes(v);
	return n;
}

/* Bytes of j in the manifest, indented `indent` more than on its own. */
static uint64_t
json_bound(const json_t *j, int indent)
{
	return json_dumpb(j, NULL, 0, JSON_INDENT(2) | JSON_SORT_KEYS) +
	    2 * nodes(j) * (uint64_t)(indent + 2);
}

/*
 * What the bag's largest tag files could grow to, refused here rather than
 * by verify after the archive is made.  An upper bound: the manifests are
 * exact, metadata/case.json allows each file's digests, type and escaped
 * path, and 64 KiB for the retention decision ingest adds.
 */
static void
check_tag_bounds(struct loader *l)
{
	const struct arh_case *c = l->c;
	uint64_t man = 0, meta = 64 * 1024;
	size_t i, len;

	meta += json_bound(c->meta, 2);
	for (i = 0; i < c->nrecords; i++)
		meta += json_bound(c->records[i].meta, 6) + 256 +
		    2 * strlen(c->records[i].dir);
	for (i = 0; i < c->nfiles; i++) {
		len = strlen(c->files[i].bag_path);
		man += 128 + 2 + len + 1;
		meta += 512 + 2 * len;
	}
	if (man > ARH_MAX_TAG_BYTES)
		problem(l, "(the case file)", "its %zu files would make manifest-sha512.txt "
		    "%llu bytes, more than the %d an archive may hold; split "
		    "the case file", c->nfiles, (unsigned long long)man,
		    ARH_MAX_TAG_BYTES);
	if (meta > ARH_MAX_TAG_BYTES)
		problem(l, "(the case file)", "its metadata would make metadata/case.json up "
		    "to %llu bytes, more than the %d an archive may hold; "
		    "shorten the records' metadata or split the case file",
		    (unsigned long long)meta, ARH_MAX_TAG_BYTES);
}

int
arh_case_load(const char *dir, const char *today, struct arh_case **out,
    struct arh_problems *probs, struct arh_err *err)
{
	struct loader l = { 0 };
	struct dirlist top = { 0 };
	int fd = -1, r;

	*out = NULL;
	l.probs = probs;
	l.today = today;
	if (!arh_date_valid(today))
		return arh_errf(err, ARH_EUSAGE, "today '%s' is not a date "
		    "YYYY-MM-DD", today == NULL ? "(null)" : arh_show(today).s);
	if ((l.c = calloc(1, sizeof(*l.c))) == NULL) {
		r = arh_errf(err, ARH_ENOMEM, "out of memory");
		goto out;
	}
	/* The path the user gave may be a symlink; entries inside may not. */
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		r = arh_errno(err, errno == ENOENT || errno == ENOTDIR ?
		    ARH_ENOTFOUND : ARH_EIO, errno, "cannot open case "
		    "directory '%s'", dir);
		goto out;
	}
	if (list_dir(&l, fd, NULL, &top) == 0 &&
	    load_case_json(&l, fd, &top, today) == 0 &&
	    load_top(&l, fd, &top) == 0 && check_duplicates(&l) == 0 &&
	    !l.bad)
		check_tag_bounds(&l);
	if ((r = l.rc) != 0) {
		arh_errf(err, r, "out of memory loading '%s'", dir);
		goto out;
	}
	if (l.bad) {
		r = arh_errf(err, ARH_EINVAL, "case directory '%s' has "
		    "problems", dir);
		goto out;
	}
	*out = l.c;
	l.c = NULL;	/* transferred */
	r = 0;
out:
	dirlist_release(&top);
	if (fd != -1)
		close(fd);
	arh_case_free(l.c);
	return r;
}
