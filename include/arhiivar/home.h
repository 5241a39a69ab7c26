/*
 * home.h — an Arhiivar home: arhiivar.conf, catalog.db, store/ and keys/.
 * Opening a home also recovers from an interrupted ingest: it settles the
 * pending intents to publish (cataloguing, after verifying it, an archive
 * that was published but not yet catalogued; dropping an intent whose
 * archive never arrived) and removes temporary files no live process
 * holds, and says so in `notes`.  It looks at what was in flight only, so
 * it costs the same with 10 archives or 100,000; `catalog reconcile`
 * (arh_reconcile) compares the whole store with the catalog.
 */
#ifndef ARHIIVAR_HOME_H
#define ARHIIVAR_HOME_H

#include "arhiivar/catalog.h"
#include "arhiivar/config.h"
#include "arhiivar/error.h"
#include "arhiivar/seal.h"
#include "arhiivar/store.h"

#define ARH_DEFAULT_HOME	"/var/lib/arhiivar"
/* Where an installed system keeps the default home's configuration
 * (a conffile of the Debian package), used when that home has none. */
#define ARH_SYSTEM_CONFIG	"/etc/arhiivar/arhiivar.conf"
/* The event drop box of read-only callers, relative to the home. */
#define ARH_HOME_SPOOL_PARENT	"spool"
#define ARH_HOME_SPOOL		"spool/events"

/* arh_home_open() flags. */
#define ARH_HOME_READONLY	0x1	/* read only: see arh_home_open() */

struct arh_home {
	char		   *path;
	struct arh_config  *cfg;
	struct arh_catalog *cat;
	struct arh_store   *store;
	char		   *actor;	/* "user (uid N)" for events */
	int		    seal_fd;	/* the seal process's socket (the
					   daemon's workers), or -1: the key
					   is read by arh_home_signer() */
};

/*
 * The configuration file of the home at `path`: HOME/arhiivar.conf; for
 * the default home only, ARH_SYSTEM_CONFIG when HOME/arhiivar.conf is not
 * there (or the caller may not look into the home) and that file is.
 * Every reader of a home's configuration asks here.
 */
void arh_home_config_path(const char *path, char *out, size_t n);

/* Create a home (idempotent for the parts that exist): directories, the
 * commented default arhiivar.conf (not when arh_home_config_path() names
 * another file), a seal key and self-signed certificate
 * unless configured otherwise, an empty catalog.  notes says what was made. */
int arh_home_init(const char *path, const char *organisation,
    struct arh_problems *notes, struct arh_err *err);

/*
 * Open an existing home; config problems go to cfgprobs.  For writing, it
 * also imports the events read-only callers left in the drop box
 * (ARH_HOME_SPOOL, made here for an older home) and recovers.  With
 * ARH_HOME_READONLY, for a caller who may read the home but not write it:
 * the catalog is opened read-only, nothing is created or recovered, and
 * events are written to the drop box.
 */
int arh_home_open(const char *path, const char *actor, int flags,
    struct arh_home **out, struct arh_problems *notes,
    struct arh_problems *cfgprobs, struct arh_err *err);
/*
 * The same with the configuration given as text (named cfgname in
 * messages) instead of read from HOME/arhiivar.conf: the daemon's
 * workers get the daemon's configuration this way, never from a file
 * that may have changed since the daemon checked it.
 */
int arh_home_open_with(const char *path, const char *actor, int flags,
    const char *cfgname, const char *cfgtext, size_t cfglen,
    struct arh_home **out, struct arh_problems *notes,
    struct arh_problems *cfgprobs, struct arh_err *err);
/* 0 if this process cannot write the home's catalog (open it read-only),
 * else 1 (also when there is no home: the open says so). */
int arh_home_writable(const char *path);
void arh_home_free(struct arh_home *h);

/* The trust anchors: `extra` files if any, else the configured ones. */
int arh_home_trust(const struct arh_home *h, const char *const *extra,
    size_t nextra, struct arh_trust **out, struct arh_err *err);
/* The access-term table: [access] terms, or the built-in table when that
 * file does not exist.  A table with problems is ARH_ECONFIG naming the
 * first one. */
struct arh_terms;
int arh_home_terms(const struct arh_home *h, struct arh_terms **out,
    struct arh_err *err);
int arh_home_signer(const struct arh_home *h, struct arh_signer **out,
    struct arh_err *err);

#endif
