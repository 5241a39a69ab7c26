/*
 * config.h — arhiivar.conf, an INI file read with inih.  One table in
 * config.c declares every key once (section, name, type, bounds, default).
 * Unknown sections and keys are errors; all errors are reported at once as
 * "FILE:LINE: message".  Relative paths are taken relative to the home.
 *
 * Syntax: "[section]", "key = value" (or "key: value"), '#' or ';' comment
 * lines, " ;" inline comments.  Leading whitespace is ignored and there are
 * no continuation lines; list keys (trust, internal_roles, [roles]) take
 * space-separated items and may repeat to add more.  A single-valued key may
 * appear once.  Lines are at most 197 bytes; values must be UTF-8 without
 * control characters.
 */
#ifndef ARHIIVAR_CONFIG_H
#define ARHIIVAR_CONFIG_H

#include <stddef.h>

#include "arhiivar/error.h"

#define ARH_MAX_CONFIG_BYTES	(256 * 1024)

/* One role and who holds it: "user:NAME", "group:NAME" or "uid:N" (N in
 * canonical decimal).  Members are unique. */
struct arh_role {
	char	 *name;		/* public, staff, records-manager, approver, auditor */
	char	**members;
	size_t	  nmembers;
};

struct arh_config {
	char	 *path;		/* the file read, or NULL for defaults */
	char	 *home;		/* absolute home directory */

	/* [seal] */
	char	 *seal_key;		/* PEM key (absolute path) or NULL */
	char	 *seal_certificate;	/* PEM certificate or NULL */
	char	 *seal_chain;		/* PEM chain or NULL */
	char	 *seal_pkcs12;		/* PKCS#12 instead of key+cert, or NULL */
	char	 *seal_pkcs12_password_file;
	long	  seal_days;		/* validity of a generated certificate */

	/* [verify] */
	char	**trust;		/* trust anchor PEM files */
	size_t	  ntrust;

	/* [archive] */
	char	 *organisation;		/* default Source-Organization or NULL */

	/* [log] */
	char	 *log_key;		/* PEM Ed25519 key of the log */
	char	 *log_origin;		/* its name, or NULL: HOSTNAME/arhiivar */

	/* [catalog] */
	long	  busy_timeout_ms;

	/* [access] */
	char	**internal_roles;	/* roles entitled to internal-use records */
	size_t	  ninternal_roles;
	char	 *access_terms;		/* the term table (absolute path) */
	int	  access_terms_set;	/* 1 if arhiivar.conf names it: then
					   it must exist (no silent fallback
					   to the shipped table) */
	/* [disposition] */
	char	 *act_series;		/* series code of destruction acts */

	/* [daemon] */
	char	 *inbox;
	char	 *done;
	char	 *quarantine;
	long	  done_days;
	long	  rescan_seconds;
	char	 *socket;
	char	 *socket_group;		/* or NULL */
	char	 *reports;
	char	**sources;
	size_t	  nsources;
	long	  retry_seconds;
	long	  retries;

	/* [audit] */
	long	  audit_days;
	long	  audit_rate_mib;

	/* [api] */
	char	 *api_listen;		/* "127.0.0.1:8470", or "off" */
	long	  api_connections;
	long	  api_timeout;
	long	  api_threads;
	long	  api_verifications;
	long	  api_max_request;

	/* [roles]: always all five roles, in the order above, maybe with no
	 * members. */
	struct arh_role *roles;
	size_t	  nroles;
};

/*
 * Defaults: key keys/seal.key, certificate keys/seal.pem, trust keys/seal.pem,
 * days 3650, internal_roles = records-manager, terms access-terms.csv,
 * act_series akt, no role members, busy timeout
 * 10000.  When pkcs12 is set, key, certificate and trust get no default
 * (NULL, NULL, none): trust anchors must then be listed under [verify].
 * A relative home is made absolute against the working directory.
 * Returns 0, ARH_EUSAGE (no home) or ARH_ENOMEM.
 */
int arh_config_defaults(const char *home, struct arh_config **out,
    struct arh_err *err);

/*
 * Read FILE (it must exist: ARH_ENOTFOUND) with the parse below.  Too large
 * or not a regular file is ARH_ECONFIG.
 */
int arh_config_load(const char *path, const char *home,
    struct arh_config **out, struct arh_problems *probs, struct arh_err *err);

/*
 * The same from a buffer (for tests and the fuzz target); buf need not be
 * NUL-terminated.  `name` is FILE in messages ("(configuration)" if NULL)
 * and becomes c->path.  Problems are appended to probs (NULL: dropped; at
 * most 50 plus a "too many problems" line); on any, *out stays NULL and the
 * result is ARH_ECONFIG with err->msg "configuration 'FILE' has N problems".
 * len over ARH_MAX_CONFIG_BYTES is ARH_ECONFIG without problems.
 */
int arh_config_parse(const char *name, const char *buf, size_t len,
    const char *home, struct arh_config **out, struct arh_problems *probs,
    struct arh_err *err);

void arh_config_free(struct arh_config *c);

/* The default file `arhiivar init` writes, commented; static string.  It
 * parses to exactly the defaults. */
const char *arh_config_template(void);

/* The effective configuration as INI text (malloc'd; NULL on ENOMEM), for
 * `-T`-style output.  It parses back to the same configuration. */
char *arh_config_format(const struct arh_config *c);

#endif
