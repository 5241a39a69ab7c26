/*
 * store.h — the archive store: the only code that creates, publishes or
 * removes archive files.  An archive is written to a temporary file in the
 * store's temporary directory (ARH_STORE_TMP_DIR, inside the store, so on
 * the same file system), fsynced, renamed into the store without replacing
 * anything (renameat2 RENAME_NOREPLACE) and both directories fsynced.
 * Finding the leftovers of interrupted ingests lists only the temporary
 * directory: it costs what was in flight, never what is stored.  A failed fsync
 * aborts and is never retried: the page cache may already have dropped the
 * data, so a retry could report success over lost bytes.
 */
#ifndef ARHIIVAR_STORE_H
#define ARHIIVAR_STORE_H

#include <stddef.h>

#include "arhiivar/error.h"

#define ARH_STORE_TMP_PREFIX	".ingest-"
#define ARH_STORE_TMP_DIR	".tmp"

struct arh_store;

/* Open (mkdir 0750 if missing) the store directory and its temporary
 * directory.  A caller who may not write the store still opens it (it can
 * read archives; creating a temporary file then fails saying why). */
int arh_store_open(const char *path, struct arh_store **out,
    struct arh_err *err);
/* Open for reading archives only: nothing is created. */
int arh_store_open_readonly(const char *path, struct arh_store **out,
    struct arh_err *err);
/* 1 if this process may create, publish and remove files in the store. */
int arh_store_writable(const struct arh_store *s);
void arh_store_free(struct arh_store *s);
const char *arh_store_path(const struct arh_store *s);
int arh_store_dirfd(const struct arh_store *s);

/* Create a new temporary file; *tmpname (malloc'd) names it, *fd is O_RDWR. */
int arh_store_tmp_create(struct arh_store *s, char **tmpname, int *fd,
    struct arh_err *err);
/* fsync fd, make it read-only, rename tmpname to `name` (never replacing),
 * fsync the store directory.  On success fd stays open and locked: close it
 * with arh_store_done() once the archive is catalogued (until then other
 * commands see it is being published).  On failure fd is closed and the
 * temp file gone. */
int arh_store_publish(struct arh_store *s, const char *tmpname, int fd,
    const char *name, struct arh_err *err);
/* Close fd (if >= 0) and remove the temporary file. */
void arh_store_discard(struct arh_store *s, const char *tmpname, int fd);

void arh_store_done(int fd);

/* 1 if a publisher still holds the archive `name` (not yet catalogued). */
int arh_store_locked(struct arh_store *s, const char *name);

/* Remove leftovers of interrupted ingests (temporary files no live
 * process holds) from the temporary directory, and with whole_store also
 * from the store directory itself (where homes made before the temporary
 * directory kept them: that lists the whole store); cb for each removed. */
int arh_store_remove_leftovers(struct arh_store *s, int whole_store,
    void (*cb)(void *arg, const char *name), void *arg, struct arh_err *err);

/* 1 if the temporary file tmpname exists and a live writer holds it. */
int arh_store_tmp_busy(struct arh_store *s, const char *tmpname);
/* 1 if the store has a file `name`. */
int arh_store_exists(struct arh_store *s, const char *name);

/*
 * Destruction: unlink each of names (one already gone is not an error),
 * then fsync the store directory, so the removal is durable before the
 * destruction act says it happened.
 */
int arh_store_remove(struct arh_store *s, const char *const *names,
    size_t n, struct arh_err *err);

/* Call cb for every published archive file name ("*.tar"), sorted. */
int arh_store_list(struct arh_store *s,
    int (*cb)(void *arg, const char *name), void *arg, struct arh_err *err);

#endif
