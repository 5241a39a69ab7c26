/*
 * config.c — arhiivar.conf: one key table, read with inih.
 *
 * inih leaves three gaps that the line reader (read_line) closes: handlers
 * get no line numbers, malformed lines after the first are not reported,
 * and an indented line silently continues the previous key's value.  The
 * reader counts lines, strips leading whitespace (so there are no
 * continuation lines; a list repeats its key instead), refuses NUL bytes and
 * over-long lines, and checks [section] lines itself.  The handler marks the
 * lines it was called for, so a line inih could not parse is reported when
 * the next one is read.
 */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>
#include <unistr.h>

#include "arhiivar/config.h"
#include "text.h"
#include "util.h"

#define MAX_PROBLEMS	50	/* a binary file is not worth 10^5 messages */
#define MAX_MEMBER_NAME	256	/* LOGIN_NAME_MAX; group names alike */

enum ktype {
	T_PATH,		/* one path; relative to home */
	T_PATHS,	/* space-separated paths; the key may repeat */
	T_STRING,	/* one line of text */
	T_LONG,		/* a decimal number within [min, max] */
	T_ROLES,	/* space-separated role names; the key may repeat */
};

#define F_SEAL_DEFAULT	0x1	/* the default applies only without pkcs12 */

/*
 * The one table of keys.  It expands three times: into sectab[] and
 * roletab[], into keytab[] (what the parser accepts) and into the text of
 * arh_config_template(), so the documentation cannot drift from the parser.
 *
 *   SECTION(name, doc)
 *   KEY(section, name, type, default, flags, field, doc)    one value
 *   OPT(section, name, type, field, doc)                    one value, no default
 *   LIST(section, name, type, default, flags, field, doc)   field + n<field>
 *   NUM(section, name, min, max, default, field, doc)       a long
 *   ROLE(name, doc)                                         a [roles] key
 */
#define CONFIG_TABLE(SECTION, KEY, OPT, LIST, NUM, ROLE)			\
	SECTION("seal", "The seal that signs every archive: a PEM key and "	\
	    "certificate, or PKCS#12.")						\
	KEY("seal", "key", T_PATH, "keys/seal.key", F_SEAL_DEFAULT, seal_key, \
	    "PEM private key of the seal; not together with pkcs12")		\
	KEY("seal", "certificate", T_PATH, "keys/seal.pem", F_SEAL_DEFAULT,	\
	    seal_certificate, "PEM certificate of the seal key; not together " \
	    "with pkcs12")							\
	OPT("seal", "chain", T_PATH, seal_chain,				\
	    "PEM file with the intermediate CA certificates of the seal")	\
	OPT("seal", "pkcs12", T_PATH, seal_pkcs12,				\
	    "PKCS#12 file holding key and certificate, instead of key and "	\
	    "certificate")							\
	OPT("seal", "pkcs12_password_file", T_PATH, seal_pkcs12_password_file, \
	    "file holding the password of the PKCS#12 file")			\
	NUM("seal", "days", 1, 36500, 3650, seal_days,				\
	    "validity in days of a certificate that 'arhiivar init' makes")	\
	SECTION("verify", "What verification trusts.")				\
	LIST("verify", "trust", T_PATHS, "keys/seal.pem", F_SEAL_DEFAULT,	\
	    trust, "trust anchors (PEM) for verify; none by default with "	\
	    "pkcs12")								\
	SECTION("archive", "Defaults for new archives.")			\
	OPT("archive", "organisation", T_STRING, organisation,			\
	    "Source-Organization for case files that do not name one")	\
	SECTION("log", "The tamper-evident log of every event: its own "	\
	    "signing key and its name (FORMAT.md 11).")				\
	KEY("log", "key", T_PATH, "keys/log.key", 0, log_key,			\
	    "PEM Ed25519 key that signs the log's checkpoints, separate "	\
	    "from the seal key; made by 'arhiivar init'")			\
	OPT("log", "origin", T_STRING, log_origin,				\
	    "the log's name in its checkpoints and key, e.g. "			\
	    "records.example.ee/arhiivar; default HOSTNAME/arhiivar, fixed "	\
	    "when the key is made")						\
	SECTION("catalog", "The SQLite catalog.")				\
	NUM("catalog", "busy_timeout_ms", 0, 600000, 10000, busy_timeout_ms,	\
	    "milliseconds to wait for a catalog locked by another process")	\
	SECTION("access", "Who may read records restricted to internal use.")	\
	LIST("access", "internal_roles", T_ROLES, "records-manager", 0,	\
	    internal_roles, "roles that may read internal-use records while " \
	    "restricted; empty: none")						\
	KEY("access", "terms", T_PATH, "access-terms.csv", 0, access_terms,	\
	    "legal bases and their longest terms (CSV, see POLICY.md); "	\
	    "without the file the shipped table applies")			\
	SECTION("disposition", "Destruction acts.")				\
	KEY("disposition", "act_series", T_STRING, "akt", 0, act_series,	\
	    "series code under which destruction acts are archived "		\
	    "(kept permanently)")						\
	SECTION("daemon", "arhiivard: its inbox, control socket and "		\
	    "scheduled transfers.")						\
	KEY("daemon", "inbox", T_PATH, "inbox", 0, inbox,			\
	    "where case files wait to be archived (arhiivar submit)")		\
	KEY("daemon", "done", T_PATH, "done", 0, done,				\
	    "where archived inbox items are kept for done_days")		\
	KEY("daemon", "quarantine", T_PATH, "quarantine", 0, quarantine,	\
	    "where refused inbox items wait, each with REASON.txt")		\
	NUM("daemon", "done_days", 0, 3650, 30, done_days,			\
	    "days an archived inbox item is kept under done; 0: removed "	\
	    "at once")								\
	NUM("daemon", "rescan_seconds", 1, 86400, 60, rescan_seconds,		\
	    "seconds between rescans of the inbox (besides inotify)")		\
	KEY("daemon", "socket", T_PATH, "run/arhiivard.sock", 0, socket,	\
	    "the control socket of the CLI")					\
	OPT("daemon", "socket_group", T_STRING, socket_group,			\
	    "group that may connect to the control socket (mode 0660)")	\
	KEY("daemon", "reports", T_PATH, "reports", 0, reports,		\
	    "where transfer reports (JSON and HTML) are written")		\
	LIST("daemon", "sources", T_PATHS, "", 0, sources,			\
	    "directories scheduled transfers may read; the daemon's "	\
	    "sandbox\n# lets it read no other (empty: none outside the home)") \
	NUM("daemon", "retry_seconds", 1, 86400, 60, retry_seconds,		\
	    "first delay before a failed transfer is retried (doubles)")	\
	NUM("daemon", "retries", 0, 100, 5, retries,				\
	    "retries of a transfer or an inbox item that failed for a "	\
	    "transient reason;\n# then the transfer fails, the item is "	\
	    "quarantined")							\
	SECTION("audit", "Fixity audits: every archive re-verified in "	\
	    "rotation.")							\
	NUM("audit", "days", 0, 3650, 30, audit_days,				\
	    "each archive is fully verified at least every this many days; " \
	    "0: no audits")							\
	NUM("audit", "rate_mib", 1, 1048576, 50, audit_rate_mib,		\
	    "bandwidth cap of audits in MiB/s, so that they never starve "	\
	    "ingest")								\
	SECTION("api", "The verification API (HTTP, JSON); no TLS: put a "	\
	    "reverse proxy in front\n# for remote auditors.")			\
	KEY("api", "listen", T_STRING, "127.0.0.1:8470", 0, api_listen,	\
	    "ADDRESS:PORT to listen on (IPv6 as [ADDRESS]:PORT); off: no "	\
	    "API")								\
	NUM("api", "connections", 1, 65536, 512, api_connections,		\
	    "connections served at once; more are refused")			\
	NUM("api", "timeout_seconds", 1, 3600, 10, api_timeout,		\
	    "an idle connection is closed after this many seconds")		\
	NUM("api", "threads", 1, 64, 4, api_threads,				\
	    "threads serving requests (more than cores: a request may "	\
	    "wait on the disk)")						\
	NUM("api", "verifications", 1, 64, 1, api_verifications,		\
	    "verifications run at once for POST .../verify; more get 429")	\
	NUM("api", "max_request_bytes", 1024, 1048576, 16384,		\
	    api_max_request, "largest request (line, headers, body) served") \
	SECTION("roles", "Who holds each role: ROLE = MEMBER ...; a member is "	\
	    "user:NAME,\n# group:NAME or uid:N.  Nobody holds a role by "	\
	    "default.")								\
	ROLE("public", "everyone holds it; members listed here change "	\
	    "nothing")								\
	ROLE("staff", "people of the organisation")				\
	ROLE("records-manager", "keeps the archive")				\
	ROLE("approver", "approves decisions on records")			\
	ROLE("auditor", "audits the archive and its log")

struct key {
	const char	*section;
	const char	*name;
	enum ktype	 type;
	long		 min, max;	/* T_LONG only */
	const char	*def;		/* default as written in a file; "" none */
	unsigned	 flags;
	size_t		 off;		/* the field in struct arh_config */
	size_t		 noff;		/* its count, for lists */
	const char	*doc;
};

#define X_NONE(...)
#define X_SECTION_NAME(name, doc)	name,
#define X_ROLE_NAME(name, doc)		name,
#define X_KEY(sec, name, type, def, flags, field, doc)			\
	{ sec, name, type, 0, 0, def, flags,				\
	  offsetof(struct arh_config, field), 0, doc },
#define X_OPT(sec, name, type, field, doc)				\
	{ sec, name, type, 0, 0, "", 0,					\
	  offsetof(struct arh_config, field), 0, doc },
#define X_LIST(sec, name, type, def, flags, field, doc)			\
	{ sec, name, type, 0, 0, def, flags,				\
	  offsetof(struct arh_config, field),				\
	  offsetof(struct arh_config, n##field), doc },
#define X_NUM(sec, name, min, max, def, field, doc)			\
	{ sec, name, T_LONG, min, max, #def, 0,				\
	  offsetof(struct arh_config, field), 0, doc },

static const char *const sectab[] = {
	CONFIG_TABLE(X_SECTION_NAME, X_NONE, X_NONE, X_NONE, X_NONE, X_NONE)
};
static const char *const roletab[] = {
	CONFIG_TABLE(X_NONE, X_NONE, X_NONE, X_NONE, X_NONE, X_ROLE_NAME)
};
static const struct key keytab[] = {
	CONFIG_TABLE(X_NONE, X_KEY, X_OPT, X_LIST, X_NUM, X_NONE)
};

#define NSECTIONS	(sizeof(sectab) / sizeof(sectab[0]))
#define NROLES		(sizeof(roletab) / sizeof(roletab[0]))
#define NKEYS		(sizeof(keytab) / sizeof(keytab[0]))

/* The template in pieces, one per section, key or role: ISO C does not
 * promise a single literal beyond 4,095 bytes.  Joined once. */
#define T_SECTION(name, doc)	"\n[" name "]\n# " doc "\n",
#define T_KEY(sec, name, type, def, flags, field, doc)			\
	"\n# " doc "\n#" name " = " def "\n",
#define T_OPT(sec, name, type, field, doc)				\
	"\n# " doc "\n#" name " =\n",
#define T_NUM(sec, name, min, max, def, field, doc)			\
	"\n# " doc " (" #min ".." #max ")\n#" name " = " #def "\n",
#define T_ROLE(name, doc)	"\n# " doc "\n#" name " =\n",

static const char *const template_parts[] = {
	"# arhiivar.conf — configuration of Arhiivar; see arhiivar.conf(5).\n"
	"#\n"
	"# Every key is shown commented out with its default; remove the '#'\n"
	"# to change one.  Relative paths are taken from the home directory.\n"
	"# Unknown sections and keys are errors.  Lines are at most 197 bytes;\n"
	"# repeat a list key to add more items.\n",
	CONFIG_TABLE(T_SECTION, T_KEY, T_OPT, T_KEY, T_NUM, T_ROLE)
};
static char template_text[16384];
static pthread_once_t template_once = PTHREAD_ONCE_INIT;

static void
template_join(void)
{
	size_t i, len = 0, n;

	for (i = 0; i < sizeof(template_parts) / sizeof(template_parts[0]);
	    i++) {
		n = strlen(template_parts[i]);
		/* The table is fixed at build time; the buffer fits it. */
		assert(len + n < sizeof(template_text));
		memcpy(template_text + len, template_parts[i], n);
		len += n;
	}
	template_text[len] = '\0';
}

enum linekind {
	LINE_BLANK,	/* empty or a comment */
	LINE_SECTION,	/* [name] */
	LINE_KEY,	/* should reach the handler */
	LINE_SKIPPED,	/* refused by the reader, already reported */
};

/* The state shared by read_line() and handle(). */
struct parse {
	const char	*name;		/* file name for messages */
	const char	*buf;
	size_t		 len, pos;
	int		 lineno;
	enum linekind	 kind;		/* of line lineno */
	int		 handled;	/* the handler saw line lineno */
	int		 bad_section;	/* inside an unknown or broken [section] */
	int		 key_line[NKEYS];	/* first line setting each key */
	struct arh_config *c;
	struct arh_problems *probs;
	size_t		 nprobs0;	/* problems before this file */
	int		 stop;		/* too many problems */
	int		 rc;		/* ARH_ENOMEM stops the parse */
};

static int
text_ok(const char *s)
{
	const unsigned char *p;

	if (u8_check((const uint8_t *)s, strlen(s)) != NULL)
		return 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* Messages reach terminals and logs: never echo escape sequences. */
static const char *
printable(const char *s)
{
	return text_ok(s) ? s : "(unprintable)";
}

static size_t
nproblems(const struct parse *st)
{
	return st->probs->n - st->nprobs0;
}

static int problem_at(struct parse *st, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Add "FILE:LINE: message"; returns ARH_EINVAL (ARH_ENOMEM sets st->rc). */
static int
problem_at(struct parse *st, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (st->stop)
		return ARH_EINVAL;
	if (nproblems(st) == MAX_PROBLEMS) {
		st->stop = 1;
		snprintf(msg, sizeof(msg), "too many problems; stopping here");
	} else {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
	}
	if (arh_problems_add(st->probs, "%s:%d: %s", st->name, line, msg) != 0)
		st->rc = ARH_ENOMEM;
	return ARH_EINVAL;
}

#define problem(st, ...)	problem_at((st), (st)->lineno, __VA_ARGS__)

/* Append s to the ", "-separated list in buf (truncating quietly). */
static void
join(char *buf, size_t size, const char *s)
{
	size_t len = strlen(buf);

	snprintf(buf + len, size - len, "%s%s", len ? ", " : "", s);
}

static const struct key *
find_key(const char *section, const char *name, size_t *index)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keytab[i].section, section) == 0 &&
		    strcmp(keytab[i].name, name) == 0) {
			if (index != NULL)
				*index = i;
			return &keytab[i];
		}
	return NULL;
}

static int
known_role(const char *name)
{
	size_t i;

	for (i = 0; i < NROLES; i++)
		if (strcmp(roletab[i], name) == 0)
			return 1;
	return 0;
}

static void
role_list(char *buf, size_t size)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < NROLES; i++)
		join(buf, size, roletab[i]);
}

/* A field of struct arh_config by its offset in keytab. */
static void *
field(struct arh_config *c, size_t off)
{
	return (char *)c + off;
}

static const void *
cfield(const struct arh_config *c, size_t off)
{
	return (const char *)c + off;
}

/* The next space-separated word of *p as a new string (NULL at the end). */
static int
next_word(const char **p, char **word)
{
	size_t n;

	*p += strspn(*p, " ");
	n = strcspn(*p, " ");
	*word = NULL;
	if (n == 0)
		return 0;
	if ((*word = strndup(*p, n)) == NULL)
		return ARH_ENOMEM;
	*p += n;
	return 0;
}

static char *
resolve_path(const char *home, const char *path)
{
	char *s = NULL;
	size_t hl = strlen(home);

	if (path[0] == '/')
		return strdup(path);
	if (asprintf(&s, "%s%s%s", home, hl && home[hl - 1] == '/' ? "" : "/",
	    path) == -1)
		return NULL;
	return s;
}

static int
nomem(struct parse *st)
{
	st->rc = ARH_ENOMEM;
	return ARH_ENOMEM;
}

static int
set_path(struct parse *st, const struct key *k, const char *value)
{
	char **f = field(st->c, k->off);

	free(*f);
	if ((*f = resolve_path(st->c->home, value)) == NULL)
		return nomem(st);
	return 0;
}

static int
set_string(struct parse *st, const struct key *k, const char *value)
{
	char **f = field(st->c, k->off);

	free(*f);
	if ((*f = strdup(value)) == NULL)
		return nomem(st);
	return 0;
}

/* Digits with an optional '-': strtol alone would take " +1" too. */
static int
parse_long(const char *s, long *out)
{
	const char *d = s[0] == '-' ? s + 1 : s;
	char *end;
	long v;

	if (!isdigit((unsigned char)d[0]))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end != '\0')
		return -1;
	if (errno == ERANGE)
		return -2;
	*out = v;
	return 0;
}

static int
set_long(struct parse *st, const struct key *k, const char *value)
{
	long v = 0;
	int r = parse_long(value, &v);

	if (r == -1)
		return problem(st, "'%s' in [%s] is not a whole number: '%s'; "
		    "write digits only, e.g. %s", k->name, k->section, value,
		    k->def);
	if (r == -2 || v < k->min || v > k->max)
		return problem(st, "'%s' in [%s] must be between %ld and %ld, "
		    "not %s", k->name, k->section, k->min, k->max, value);
	*(long *)field(st->c, k->off) = v;
	return 0;
}

static int
add_paths(struct parse *st, const struct key *k, const char *value)
{
	const char *p = value;
	char *w, *path;

	for (;;) {
		if (next_word(&p, &w) != 0)
			return nomem(st);
		if (w == NULL)
			return 0;
		path = resolve_path(st->c->home, w);
		free(w);
		if (path == NULL || arh_strv_add_unique(field(st->c, k->off),
		    field(st->c, k->noff), path) != 0)
			return nomem(st);
	}
}

static int
add_roles(struct parse *st, const struct key *k, const char *value)
{
	char known[128];
	const char *p = value;
	char *w;
	int r = 0;

	for (;;) {
		if (next_word(&p, &w) != 0)
			return nomem(st);
		if (w == NULL)
			return r;
		if (!known_role(w)) {
			role_list(known, sizeof(known));
			r = problem(st, "unknown role '%s' in '%s'; known roles: "
			    "%s", printable(w), k->name, known);
			free(w);
			continue;
		}
		if (arh_strv_add_unique(field(st->c, k->off),
		    field(st->c, k->noff), w) != 0)
			return nomem(st);
	}
}

/*
 * A member in its canonical form ("uid:0042" becomes "uid:42", so that
 * duplicates are found), or NULL with errno EINVAL/ENOMEM.
 */
static char *
member_canon(const char *m)
{
	const char *name = NULL;
	char *s = NULL;
	long v;

	errno = EINVAL;
	if (strncmp(m, "user:", 5) == 0)
		name = m + 5;
	else if (strncmp(m, "group:", 6) == 0)
		name = m + 6;
	else if (strncmp(m, "uid:", 4) == 0) {
		/* uid_t is 32 bits; (uid_t)-1 means "no user" to the kernel. */
		if (m[4] == '-' || parse_long(m + 4, &v) != 0 ||
		    v < 0 || v >= (long)UINT32_MAX)
			return NULL;
		if (asprintf(&s, "uid:%ld", v) == -1)
			errno = ENOMEM;
		return s;
	}
	/* ':' separates fields in passwd and group: no name contains it. */
	if (name == NULL || name[0] == '\0' || strchr(name, ':') != NULL ||
	    strlen(name) > MAX_MEMBER_NAME)
		return NULL;
	if ((s = strdup(m)) == NULL)
		errno = ENOMEM;
	return s;
}

static struct arh_role *
find_role(struct arh_config *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nroles; i++)
		if (strcmp(c->roles[i].name, name) == 0)
			return &c->roles[i];
	return NULL;
}

static int
handle_role(struct parse *st, const char *name, const char *value)
{
	struct arh_role *role = find_role(st->c, name);
	const char *p = value;
	char known[128], *w, *m;
	int r = 0;

	if (role == NULL) {
		role_list(known, sizeof(known));
		return problem(st, "unknown role '%s' in [roles]; known roles: "
		    "%s", printable(name), known);
	}
	for (;;) {
		if (next_word(&p, &w) != 0)
			return nomem(st);
		if (w == NULL)
			return r;
		if ((m = member_canon(w)) == NULL && errno == ENOMEM) {
			free(w);
			return nomem(st);
		}
		if (m == NULL)
			r = problem(st, "malformed member '%s' of role '%s'; "
			    "write user:NAME, group:NAME or uid:N", printable(w),
			    name);
		else if (arh_strv_add_unique(&role->members, &role->nmembers,
		    m) != 0) {
			free(w);
			return nomem(st);
		}
		free(w);
	}
}

static int
set_value(struct parse *st, const struct key *k, const char *value)
{
	switch (k->type) {
	case T_PATH:
		return set_path(st, k, value);
	case T_STRING:
		return set_string(st, k, value);
	case T_LONG:
		return set_long(st, k, value);
	case T_PATHS:
		return add_paths(st, k, value);
	case T_ROLES:
		return add_roles(st, k, value);
	}
	return ARH_EINTERNAL;
}

static int
is_list(const struct key *k)
{
	return k->type == T_PATHS || k->type == T_ROLES;
}

static int
unknown_key(struct parse *st, const char *section, const char *name)
{
	char known[256] = "";
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keytab[i].section, section) == 0)
			join(known, sizeof(known), keytab[i].name);
	return problem(st, "unknown key '%s' in [%s]; known keys: %s",
	    printable(name), section, known);
}

static int
handle_key(struct parse *st, const char *section, const char *name,
    const char *value)
{
	const struct key *k;
	size_t i = 0;

	if ((k = find_key(section, name, &i)) == NULL)
		return unknown_key(st, section, name);
	if (!is_list(k) && st->key_line[i] != 0)
		return problem(st, "'%s' in [%s] is already set on line %d; "
		    "keep one of them", name, section, st->key_line[i]);
	if (!is_list(k) && value[0] == '\0')
		return problem(st, "'%s' in [%s] has no value; give one or "
		    "delete the line", name, section);
	if (st->key_line[i] == 0)
		st->key_line[i] = st->lineno;
	return set_value(st, k, value);
}

/* inih calls this for every "name = value" line; nonzero means fine. */
static int
handle(void *user, const char *section, const char *name, const char *value)
{
	struct parse *st = user;
	char known[128] = "";
	size_t i;

	st->handled = 1;
	if (st->rc != 0 || st->bad_section)
		return st->rc == 0;	/* its [section] line was reported */
	if (name[0] == '\0')
		return !problem(st, "no key name before '='");
	if (!text_ok(value))
		return !problem(st, "the value of '%s' is not UTF-8 text or "
		    "holds a control character", printable(name));
	if (section[0] == '\0') {
		for (i = 0; i < NSECTIONS; i++)
			join(known, sizeof(known), sectab[i]);
		return !problem(st, "'%s' is outside any section; put it under "
		    "one of [%s]", printable(name), known);
	}
	if (strcmp(section, "roles") == 0)
		return handle_role(st, name, value) == 0;
	return handle_key(st, section, name, value) == 0;
}

/* The end of a [section] name as inih finds it: ']' before a ';' that
 * follows whitespace (an inline comment).  Keep in step with ini.c. */
static const char *
find_close(const char *s)
{
	int was_space = 0;

	while (*s != '\0' && *s != ']' && !(was_space && *s == ';')) {
		was_space = isspace((unsigned char)*s);
		s++;
	}
	return s;
}

static int
known_section(const char *name)
{
	size_t i;

	for (i = 0; i < NSECTIONS; i++)
		if (strcmp(sectab[i], name) == 0)
			return 1;
	return 0;
}

static void
check_section(struct parse *st, const char *line)
{
	const char *end = find_close(line + 1), *rest;
	char name[256], known[128] = "";
	size_t i;

	st->bad_section = 1;
	if (*end != ']') {
		problem(st, "'[' without a closing ']'; write [section]");
		return;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(end - line - 1), line + 1);
	if (!known_section(name)) {
		for (i = 0; i < NSECTIONS; i++)
			join(known, sizeof(known), sectab[i]);
		problem(st, "unknown section [%s]; known sections: %s",
		    printable(name), known);
		return;
	}
	st->bad_section = 0;
	rest = end + 1 + strspn(end + 1, " \t\r\f\v");
	if (*rest != '\0' && *rest != ';' && *rest != '#')
		problem(st, "unexpected text after [%s]; put keys on their "
		    "own lines", name);
}

/* Report the line just parsed if inih could not make sense of it. */
static void
finish_line(struct parse *st)
{
	if (st->kind == LINE_KEY && !st->handled)
		problem(st, "cannot parse this line; write 'key = value', "
		    "'[section]' or a '#' comment");
	st->kind = LINE_BLANK;
}

/* Classify one line and copy it to out (num bytes) as inih should see it. */
static void
take_line(struct parse *st, const char *p, size_t n, char *out, size_t num)
{
	size_t max = num > 3 ? num - 3 : 0;	/* room for "\r\n\0" in inih */

	out[0] = '\0';
	st->handled = 0;
	st->kind = LINE_SKIPPED;
	if (st->lineno == 1 && n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
		p += 3;		/* a UTF-8 byte order mark */
		n -= 3;
	}
	if (memchr(p, '\0', n) != NULL) {
		problem(st, "the line holds a NUL byte; is this a text file?");
		return;
	}
	while (n > 0 && isspace((unsigned char)*p)) {
		p++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)p[n - 1]))
		n--;
	if (n > max) {
		problem(st, "the line is too long (%zu bytes, at most %zu); "
		    "split a list over several lines", n, max);
		return;
	}
	memcpy(out, p, n);
	out[n] = '\0';
	if (n == 0 || out[0] == ';' || out[0] == '#')
		st->kind = LINE_BLANK;
	else if (out[0] == '[') {
		st->kind = LINE_SECTION;
		check_section(st, out);
	} else
		st->kind = LINE_KEY;
}

/* inih's fgets-style reader over the buffer in st. */
static char *
read_line(char *out, int num, void *stream)
{
	struct parse *st = stream;
	const char *p, *nl;
	size_t n;

	finish_line(st);
	if (st->rc != 0 || st->stop || st->pos >= st->len || num < 4)
		return NULL;
	p = st->buf + st->pos;
	nl = memchr(p, '\n', st->len - st->pos);
	n = nl != NULL ? (size_t)(nl - p) : st->len - st->pos;
	st->pos += n + (nl != NULL);
	st->lineno++;
	take_line(st, p, n, out, (size_t)num);
	return out;
}

/* Relative homes are taken from the working directory, once, here. */
static char *
absolute_home(const char *home)
{
	char *cwd, *s = NULL;
	size_t n = strlen(home);

	while (n > 1 && home[n - 1] == '/')
		n--;
	if (home[0] == '/')
		return strndup(home, n);
	if ((cwd = getcwd(NULL, 0)) == NULL)
		return NULL;
	if (asprintf(&s, "%s/%.*s", cwd, (int)n, home) == -1)
		s = NULL;
	free(cwd);
	return s;
}

static int
config_new(const char *home, const char *path, struct arh_config **out,
    struct arh_err *err)
{
	struct arh_config *c;
	size_t i;
	int r = ARH_ENOMEM;

	*out = NULL;
	if (home == NULL || home[0] == '\0')
		return arh_errf(err, ARH_EUSAGE, "no home directory given");
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto out;
	if ((c->home = absolute_home(home)) == NULL) {
		r = arh_errno(err, ARH_EIO, errno, "cannot resolve home '%s'",
		    home);
		goto out;
	}
	if (path != NULL && (c->path = strdup(path)) == NULL)
		goto out;
	if ((c->roles = calloc(NROLES, sizeof(*c->roles))) == NULL)
		goto out;
	for (i = 0; i < NROLES; i++) {
		if ((c->roles[i].name = strdup(roletab[i])) == NULL)
			goto out;
		c->nroles++;
	}
	*out = c;
	c = NULL;	/* transferred */
	r = 0;
out:
	arh_config_free(c);
	if (r == ARH_ENOMEM)
		arh_errf(err, r, "out of memory");
	return r;
}

static int
key_line(const struct parse *st, const char *section, const char *name)
{
	size_t i = 0;

	return find_key(section, name, &i) != NULL ? st->key_line[i] : 0;
}

static int
later(int a, int b)
{
	return a > b ? a : b;
}

/* Rules across keys, reported at the later of the two lines. */
static void
check_seal(struct parse *st)
{
	int p12 = key_line(st, "seal", "pkcs12");
	int key = key_line(st, "seal", "key");
	int cert = key_line(st, "seal", "certificate");
	int pw = key_line(st, "seal", "pkcs12_password_file");
	int chain = key_line(st, "seal", "chain");

	if (p12 && key)
		problem_at(st, later(p12, key), "'pkcs12' (line %d) and 'key' "
		    "(line %d) are both set in [seal]; use either a PKCS#12 "
		    "file or a PEM key and certificate", p12, key);
	if (p12 && cert)
		problem_at(st, later(p12, cert), "'pkcs12' (line %d) and "
		    "'certificate' (line %d) are both set in [seal]; use "
		    "either a PKCS#12 file or a PEM key and certificate", p12,
		    cert);
	if (p12 && chain)
		problem_at(st, later(p12, chain), "'chain' (line %d) is not "
		    "used with 'pkcs12' (line %d); put the chain certificates "
		    "into the PKCS#12 file, or use key, certificate and chain",
		    chain, p12);
	if (pw && !p12)
		problem_at(st, pw, "'pkcs12_password_file' is set but "
		    "'pkcs12' is not; set 'pkcs12' or delete this line");
}

/* Defaults go through the same setters as the file's values. */
static int
apply_defaults(struct parse *st)
{
	int p12 = key_line(st, "seal", "pkcs12") != 0;
	size_t i;

	st->c->access_terms_set = key_line(st, "access", "terms") != 0;
	for (i = 0; i < NKEYS; i++) {
		if (st->key_line[i] != 0 || keytab[i].def[0] == '\0')
			continue;
		if (p12 && (keytab[i].flags & F_SEAL_DEFAULT))
			continue;
		if (set_value(st, &keytab[i], keytab[i].def) != 0)
			return st->rc ? st->rc : ARH_EINTERNAL;
	}
	return 0;
}

static void
parse_init(struct parse *st, const char *name, const char *buf, size_t len,
    struct arh_config *c, struct arh_problems *probs)
{
	memset(st, 0, sizeof(*st));
	st->name = name;
	st->buf = buf;
	st->len = len;
	st->kind = LINE_BLANK;
	st->c = c;
	st->probs = probs;
	st->nprobs0 = probs->n;
}

/* Run inih over the buffer; problems land in st->probs. */
static int
run_parser(struct parse *st)
{
	int ir;

	ir = ini_parse_stream(read_line, st, handle, st);
	finish_line(st);
	if (st->rc == ARH_ENOMEM || ir == -2)
		return ARH_ENOMEM;
	if (ir > 0 && nproblems(st) == 0)	/* inih saw more than we did */
		problem_at(st, ir, "cannot parse this line");
	if (st->rc == 0)
		check_seal(st);
	return st->rc == ARH_ENOMEM ? ARH_ENOMEM : 0;
}

int
arh_config_parse(const char *name, const char *buf, size_t len,
    const char *home, struct arh_config **out, struct arh_problems *probs,
    struct arh_err *err)
{
	struct arh_problems local;
	struct arh_config *c = NULL;
	const char *path = name;
	struct parse st;
	size_t n;
	int r;

	*out = NULL;
	arh_problems_init(&local);
	if (name == NULL)
		name = "(configuration)";
	if (probs == NULL)
		probs = &local;
	if (len > ARH_MAX_CONFIG_BYTES)
		return arh_errf(err, ARH_ECONFIG, "configuration '%s' is too "
		    "large (%zu bytes, at most %d)", name, len,
		    ARH_MAX_CONFIG_BYTES);
	if ((r = config_new(home, path, &c, err)) != 0)
		goto out;
	parse_init(&st, name, buf, len, c, probs);
	if ((r = run_parser(&st)) == 0 && nproblems(&st) == 0)
		r = apply_defaults(&st);
	if (r != 0) {
		r = arh_errf(err, r, "cannot read configuration '%s': %s",
		    name, arh_strerror(r));
		goto out;
	}
	if ((n = nproblems(&st)) > 0) {
		/* The last line of a stopped list says it stopped. */
		r = st.stop ? arh_errf(err, ARH_ECONFIG, "configuration '%s' "
		    "has more than %d problems", name, MAX_PROBLEMS) :
		    arh_errf(err, ARH_ECONFIG, "configuration '%s' has %zu "
		    "problem%s", name, n, n == 1 ? "" : "s");
		goto out;
	}
	*out = c;
	c = NULL;	/* transferred */
out:
	arh_config_free(c);
	arh_problems_release(&local);
	return r;
}

int
arh_config_defaults(const char *home, struct arh_config **out,
    struct arh_err *err)
{
	struct arh_problems probs;
	int r;

	arh_problems_init(&probs);
	r = arh_config_parse(NULL, "", 0, home, out, &probs, err);
	arh_problems_release(&probs);
	return r;
}

int
arh_config_load(const char *path, const char *home, struct arh_config **out,
    struct arh_problems *probs, struct arh_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	*out = NULL;
	r = arh_read_file(AT_FDCWD, path, ARH_MAX_CONFIG_BYTES, &buf, &len,
	    err);
	if (r == ARH_EINVAL) {		/* too large, or not a regular file */
		r = ARH_ECONFIG;
		if (err != NULL)
			err->code = r;
	}
	if (r == 0)
		r = arh_config_parse(path, buf, len, home, out, probs, err);
	free(buf);
	return r;
}

void
arh_config_free(struct arh_config *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < NKEYS; i++) {
		if (is_list(&keytab[i]))
			arh_strv_free(*(char ***)field(c, keytab[i].off),
			    *(size_t *)field(c, keytab[i].noff));
		else if (keytab[i].type != T_LONG)
			free(*(char **)field(c, keytab[i].off));
	}
	for (i = 0; i < c->nroles; i++) {
		free(c->roles[i].name);
		arh_strv_free(c->roles[i].members, c->roles[i].nmembers);
	}
	free(c->roles);
	free(c->path);
	free(c->home);
	free(c);
}

const char *
arh_config_template(void)
{
	pthread_once(&template_once, template_join);
	return template_text;
}

/* One key as it would be written; lists one item per line. */
static void
format_key(FILE *f, const struct arh_config *c, const struct key *k)
{
	const char *const *s = cfield(c, k->off);
	char *const *const *v = cfield(c, k->off);
	const size_t *n = cfield(c, k->noff);
	size_t i;

	if (k->type == T_LONG)
		fprintf(f, "%s = %ld\n", k->name, *(const long *)cfield(c,
		    k->off));
	else if (!is_list(k) && *s == NULL)
		fprintf(f, "#%s =\n", k->name);
	else if (!is_list(k))
		fprintf(f, "%s = %s\n", k->name, *s);
	else if (*n == 0)
		fprintf(f, "%s =\n", k->name);
	else
		for (i = 0; i < *n; i++)
			fprintf(f, "%s = %s\n", k->name, (*v)[i]);
}

static void
format_roles(FILE *f, const struct arh_config *c)
{
	const struct arh_role *role;
	size_t i, j;

	for (i = 0; i < c->nroles; i++) {
		role = &c->roles[i];
		if (role->nmembers == 0)
			fprintf(f, "#%s =\n", role->name);
		for (j = 0; j < role->nmembers; j++)
			fprintf(f, "%s = %s\n", role->name, role->members[j]);
	}
}

char *
arh_config_format(const struct arh_config *c)
{
	char *buf = NULL;
	size_t len = 0, i, j;
	FILE *f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		return NULL;
	fprintf(f, "# the configuration in effect, read from %s%s%s\n"
	    "# home: %s\n", c->path ? "'" : "", c->path ? c->path : "defaults",
	    c->path ? "'" : "", c->home);
	for (i = 0; i < NSECTIONS; i++) {
		fprintf(f, "\n[%s]\n", sectab[i]);
		if (strcmp(sectab[i], "roles") == 0)
			format_roles(f, c);
		for (j = 0; j < NKEYS; j++)
			if (strcmp(keytab[j].section, sectab[i]) == 0)
				format_key(f, c, &keytab[j]);
	}
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return NULL;
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
