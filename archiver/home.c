/* home.c — create and open an Arhiivar home; recover interrupted ingests. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arhiivar/home.h"
#include "arhiivar/log.h"
#include "arhiivar/seal.h"
#include "arhiivar/terms.h"
#include "ops_int.h"
#include "util.h"

static int
join(char *buf, size_t n, const char *a, const char *b, struct arh_err *err)
{
	if (snprintf(buf, n, "%s/%s", a, b) >= (int)n)
		return arh_errf(err, ARH_EUSAGE, "path too long: '%s/%s'", a, b);
	return 0;
}

static int
make_dir(const char *path, mode_t mode, struct arh_problems *notes,
    struct arh_err *err)
{
	if (mkdir(path, mode) == 0)
		return arh_problems_add(notes, "created directory '%s'", path);
	if (errno == EEXIST)
		return 0;
	return arh_errno(err, ARH_EIO, errno, "cannot create directory '%s'",
	    path);
}

/*
 * The event drop box HOME/spool/events: mode 3770 (setgid: files keep the
 * home's group; sticky: a caller cannot remove another's file; group
 * writable: a caller with read access to the home records its events
 * there).  Set explicitly, whatever the umask; only when made here.
 */
static int
make_spool(const char *home, struct arh_problems *notes, struct arh_err *err)
{
	static const struct { const char *name; mode_t mode; } d[] = {
		{ ARH_HOME_SPOOL_PARENT, 0750 },
		{ ARH_HOME_SPOOL, 03770 },
	};
	char p[4096];
	size_t i;
	int rc;

	for (i = 0; i < 2; i++) {
		if ((rc = join(p, sizeof(p), home, d[i].name, err)) != 0)
			return rc;
		if (mkdir(p, 0700) == -1) {
			if (errno == EEXIST)
				continue;
			return arh_errno(err, ARH_EIO, errno, "cannot create "
			    "directory '%s'", p);
		}
		if (chmod(p, d[i].mode) == -1)
			return arh_errno(err, ARH_EIO, errno, "cannot chmod '%s'",
			    p);
		if ((rc = arh_problems_add(notes, "created directory '%s'",
		    p)) != 0)
			return rc;
	}
	return 0;
}

/* Bring in the events read-only callers left in the drop box (made here
 * for a home older than it, when the home may be written). */
static int
import_spool(struct arh_home *h, struct arh_problems *notes,
    struct arh_err *err)
{
	char p[4096];
	size_t n = 0;
	int fd, rc;

	/* Best effort: a writer of the catalog alone (an approver) may not
	 * reach the home's directories, and then imports nothing. */
	if (access(h->path, W_OK) == 0 &&
	    make_spool(h->path, notes, err) != 0)
		arh_err_clear(err);
	if ((rc = join(p, sizeof(p), h->path, ARH_HOME_SPOOL, err)) != 0)
		return rc;
	if ((fd = open(p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) ==
	    -1)
		return 0;	/* none, and none can be made: nothing to do */
	rc = arh_catalog_import_events(h->cat, fd, &n, err);
	close(fd);
	if (rc == 0 && n > 0)
		rc = arh_problems_add(notes, "imported %zu audit event%s "
		    "recorded by read-only callers", n, n == 1 ? "" : "s");
	return rc;
}

int
arh_home_writable(const char *path)
{
	static const char *const f[] = { "catalog.db", "catalog.db-wal",
	    "catalog.db-shm" };
	char p[4096];
	size_t i;

	for (i = 0; i < 3; i++) {
		if (snprintf(p, sizeof(p), "%s/%s", path, f[i]) >= (int)sizeof(p))
			return 1;	/* let the open say what is wrong */
		if (faccessat(AT_FDCWD, p, W_OK, AT_EACCESS) == 0)
			continue;
		/* Missing: no home yet (the open says so), or no -wal/-shm
		 * yet (a writer of the catalog makes them). */
		if (errno == ENOENT)
			continue;
		return 0;
	}
	return 1;
}

void
arh_home_config_path(const char *path, char *out, size_t n)
{
	struct stat st;
	size_t len = strlen(path);

	/* The default home, spelt with or without a trailing slash. */
	while (len > 1 && path[len - 1] == '/')
		len--;
	snprintf(out, n, "%.*s/arhiivar.conf", (int)len, path);
	if (len == strlen(ARH_DEFAULT_HOME) &&
	    strncmp(path, ARH_DEFAULT_HOME, len) == 0 &&
	    lstat(out, &st) == -1 && (errno == ENOENT || errno == EACCES) &&
	    lstat(ARH_SYSTEM_CONFIG, &st) == 0)
		snprintf(out, n, "%s", ARH_SYSTEM_CONFIG);
}

/* Write a file of the home unless it exists (init is idempotent). */
static int
write_default(const char *home, const char *name, const char *text,
    const char *what, struct arh_problems *notes, struct arh_err *err)
{
	int dfd, rc;

	if ((dfd = open(home, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return arh_errno(err, ARH_EIO, errno, "cannot open '%s'", home);
	rc = arh_write_file_atomic(dfd, name, text, strlen(text), 0640, 1,
	    err);
	close(dfd);
	if (rc == ARH_EEXIST)
		return 0;
	if (rc == 0)
		rc = arh_problems_add(notes, "wrote %s '%s/%s'", what, home,
		    name);
	return rc;
}

/*
 * init says a home is ready only if ingest could seal in it: the key and
 * certificate it names load and belong together (one of them deleted is
 * not "ready").
 */
static int
seal_usable(struct arh_config *cfg, struct arh_err *err)
{
	struct arh_home tmp;
	struct arh_signer *s = NULL;
	char why[sizeof(err->msg)];
	int rc;

	memset(&tmp, 0, sizeof(tmp));
	tmp.cfg = cfg;
	tmp.seal_fd = -1;
	if ((rc = arh_home_signer(&tmp, &s, err)) == 0) {
		arh_signer_free(s);
		return 0;
	}
	memcpy(why, err->msg, sizeof(why));
	return arh_errf(err, rc == ARH_ENOMEM ? rc : ARH_ECONFIG, "the home "
	    "cannot seal archives: %s; put the seal certificate and key back "
	    "(or set [seal] in arhiivar.conf), or move the key away and run "
	    "init again to make a new seal", why);
}

int
arh_home_init(const char *path, const char *organisation,
    struct arh_problems *notes, struct arh_err *err)
{
	struct arh_config *cfg = NULL;
	struct arh_problems cp;
	struct arh_catalog *cat = NULL;
	struct stat st;
	char p[4096], conf[4096], own[4096];
	int rc;

	arh_problems_init(&cp);
	arh_home_config_path(path, conf, sizeof(conf));
	if ((rc = join(own, sizeof(own), path, "arhiivar.conf", err)) != 0)
		goto out;
	/* The default home of an installed system has its configuration
	 * in /etc: no second one is written beside it. */
	if ((rc = make_dir(path, 0750, notes, err)) != 0 ||
	    (rc = join(p, sizeof(p), path, "store", err)) != 0 ||
	    (rc = make_dir(p, 0750, notes, err)) != 0 ||
	    (rc = join(p, sizeof(p), path, "store/" ARH_STORE_TMP_DIR,
	    err)) != 0 ||
	    (rc = make_dir(p, 0750, notes, err)) != 0 ||
	    (rc = make_spool(path, notes, err)) != 0 ||
	    (rc = join(p, sizeof(p), path, "keys", err)) != 0 ||
	    /* The group may open the certificate by its name (a read-only
	     * caller's trust anchor), not list or read the keys (0600). */
	    (rc = make_dir(p, 0710, notes, err)) != 0 ||
	    (strcmp(conf, own) == 0 && (rc = write_default(path,
	    "arhiivar.conf", arh_config_template(), "configuration", notes,
	    err)) != 0) ||
	    (rc = write_default(path, "access-terms.csv", arh_terms_default(),
	    "the access-term table", notes, err)) != 0)
		goto out;
	if ((rc = arh_config_load(conf, path, &cfg, &cp, err)) != 0)
		goto out;
	if (cfg->seal_pkcs12 == NULL && cfg->seal_key != NULL &&
	    stat(cfg->seal_key, &st) == -1 && errno == ENOENT) {
		if ((rc = arh_seal_generate(cfg->seal_key, cfg->seal_certificate,
		    "Arhiivar seal", organisation ? organisation : "Arhiivar",
		    (int)cfg->seal_days, err)) != 0)
			goto out;
		arh_problems_add(notes, "generated seal key '%s' and "
		    "self-signed certificate '%s'", cfg->seal_key,
		    cfg->seal_certificate);
	}
	if ((rc = join(p, sizeof(p), path, "catalog.db", err)) != 0 ||
	    (rc = arh_catalog_open(p, cfg->busy_timeout_ms, &cat, err)) != 0 ||
	    (rc = seal_usable(cfg, err)) != 0 ||
	    (rc = arh_log_key_init(cat, cfg, notes, err)) != 0)
		goto out;
	rc = 0;
out:
	if (rc == ARH_ECONFIG && cp.n > 0)
		arh_errf(err, rc, "%s", cp.items[0]);
	arh_problems_release(&cp);
	arh_catalog_free(cat);
	arh_config_free(cfg);
	return rc;
}

void
arh_home_free(struct arh_home *h)
{
	if (h == NULL)
		return;
	arh_catalog_free(h->cat);
	arh_store_free(h->store);
	arh_config_free(h->cfg);
	free(h->path);
	free(h->actor);
	free(h);
}

int
arh_home_open(const char *path, const char *actor, int flags,
    struct arh_home **out, struct arh_problems *notes,
    struct arh_problems *cfgprobs, struct arh_err *err)
{
	return arh_home_open_with(path, actor, flags, NULL, NULL, 0, out,
	    notes, cfgprobs, err);
}

int
arh_home_open_with(const char *path, const char *actor, int flags,
    const char *cfgname, const char *cfgtext, size_t cfglen,
    struct arh_home **out, struct arh_problems *notes,
    struct arh_problems *cfgprobs, struct arh_err *err)
{
	struct arh_home *h;
	char p[4096], spool[4096];
	int rc;

	*out = NULL;
	if ((h = calloc(1, sizeof(*h))) != NULL)
		h->seal_fd = -1;
	if (h == NULL ||
	    (h->path = strdup(path)) == NULL ||
	    (h->actor = strdup(actor ? actor : "unknown")) == NULL) {
		arh_home_free(h);
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	}
	arh_home_config_path(path, p, sizeof(p));
	if (cfgtext == NULL && access(p, F_OK) == -1) {
		rc = arh_errf(err, ARH_EUSAGE, "no Arhiivar home at '%s': "
		    "create one with 'arhiivar -H %s init', or give -H HOME",
		    path, path);
		goto fail;
	}
	if ((rc = cfgtext != NULL ? arh_config_parse(cfgname, cfgtext, cfglen,
	    path, &h->cfg, cfgprobs, err) : arh_config_load(p, path, &h->cfg,
	    cfgprobs, err)) != 0 ||
	    (rc = join(p, sizeof(p), path, "catalog.db", err)) != 0 ||
	    (rc = join(spool, sizeof(spool), path, ARH_HOME_SPOOL, err)) != 0)
		goto fail;
	if (flags & ARH_HOME_READONLY) {
		/* Read-only: nothing is created, nothing recovered; events go
		 * to the drop box. */
		if ((rc = arh_catalog_open_readonly(p, h->cfg->busy_timeout_ms,
		    spool, &h->cat, err)) != 0 ||
		    (rc = join(p, sizeof(p), path, "store", err)) != 0 ||
		    (rc = arh_store_open_readonly(p, &h->store, err)) != 0)
			goto fail;
		*out = h;
		return 0;
	}
	if ((rc = arh_catalog_open(p, h->cfg->busy_timeout_ms, &h->cat,
	    err)) != 0 ||
	    (rc = import_spool(h, notes, err)) != 0 ||
	    (rc = join(p, sizeof(p), path, "store", err)) != 0 ||
	    (rc = arh_store_open(p, &h->store, err)) != 0)
		goto fail;
	/* Recovery costs what was in flight (pending intents, the temporary
	 * directory), never what is stored; it needs a caller who may write
	 * the store (an approver who reaches only the catalog skips it). */
	if (arh_store_writable(h->store) &&
	    (rc = arh_home_recover(h, notes, err)) != 0)
		goto fail;
	*out = h;
	return 0;
fail:
	arh_home_free(h);
	return rc;
}

int
arh_home_trust(const struct arh_home *h, const char *const *extra,
    size_t nextra, struct arh_trust **out, struct arh_err *err)
{
	if (nextra > 0)
		return arh_trust_load(extra, nextra, out, err);
	if (h == NULL || h->cfg->ntrust == 0) {
		*out = NULL;
		return arh_errf(err, ARH_ECONFIG, "no trust anchors: give "
		    "--trust CA.pem or set [verify] trust in arhiivar.conf");
	}
	return arh_trust_load((const char *const *)h->cfg->trust,
	    h->cfg->ntrust, out, err);
}

int
arh_home_signer(const struct arh_home *h, struct arh_signer **out,
    struct arh_err *err)
{
	const struct arh_config *c = h->cfg;
	char *pw = NULL;
	size_t len;
	int rc;

	/* In the daemon's workers the key is another process's. */
	if (h->seal_fd >= 0)
		return arh_signer_remote(h->seal_fd, out, err);
	if (c->seal_pkcs12 == NULL)
		return arh_signer_load_pem(c->seal_key, c->seal_certificate,
		    c->seal_chain, out, err);
	if (c->seal_pkcs12_password_file != NULL) {
		if ((rc = arh_read_file(AT_FDCWD, c->seal_pkcs12_password_file,
		    4096, &pw, &len, err)) != 0)
			return rc;
		while (len > 0 && (pw[len - 1] == '\n' || pw[len - 1] == '\r'))
			pw[--len] = '\0';
	}
	rc = arh_signer_load_p12(c->seal_pkcs12, pw, out, err);
	if (pw != NULL) {
		explicit_bzero(pw, len);
		free(pw);
	}
	return rc;
}

int
arh_home_terms(const struct arh_home *h, struct arh_terms **out,
    struct arh_err *err)
{
	const char *path = h->cfg->access_terms;
	struct arh_problems probs;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	arh_problems_init(&probs);
	rc = path ? arh_read_file(AT_FDCWD, path, ARH_TERMS_MAX_BYTES, &buf,
	    &len, err) : ARH_ENOTFOUND;
	/* The shipped table stands in only for the default file name: a
	 * table the configuration names must be there. */
	if (rc == ARH_ENOTFOUND && h->cfg->access_terms_set) {
		char why[sizeof(err->msg)];

		memcpy(why, err->msg, sizeof(why));
		rc = arh_errf(err, ARH_ECONFIG, "%s; [access] terms in "
		    "arhiivar.conf names a table that is not there: restore the "
		    "file, or delete the line to use the shipped table", why);
	}
	if (rc == ARH_ENOTFOUND) {
		arh_err_clear(err);
		rc = arh_terms_parse("(built-in access-terms.csv)",
		    arh_terms_default(), strlen(arh_terms_default()), out,
		    &probs);
	} else if (rc == 0)
		rc = arh_terms_parse(path, buf, len, out, &probs);
	if (rc == ARH_EINVAL)
		rc = arh_errf(err, ARH_ECONFIG, "%s; correct the access-term "
		    "table", probs.n ? probs.items[0] : "access-term table");
	else if (rc == ARH_ENOMEM)
		rc = arh_errf(err, rc, "out of memory");
	free(buf);
	arh_problems_release(&probs);
	return rc;
}
