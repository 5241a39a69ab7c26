/*
 * inbox.h — the daemon's work queue: case file directories waiting in
 * [daemon] inbox, archived ones kept under done/, refused ones under
 * quarantine/NAME/ with REASON.txt.  The queue is these directories plus
 * the catalog, never memory, so it survives a restart.
 *
 *   INBOX/NAME/		a case file directory (input.h), waiting
 *   INBOX/.incoming/	copies in progress (arhiivar submit); never read
 *   DONE/NAME/		archived; removed after [daemon] done_days
 *   QUARANTINE/NAME/REASON.txt	every problem, one a line, then a blank
 *				line and how to retry
 *   QUARANTINE/NAME/NAME/	the item as it was submitted, untouched
 *
 * Every move is a rename within one file system followed by an fsync of
 * both directories, so an item is always in exactly one place.  Names
 * starting with '.' are never items.
 */
#ifndef ARHIIVAR_INBOX_H
#define ARHIIVAR_INBOX_H

#include "arhiivar/home.h"
#include "arhiivar/ops.h"

/* An item name: 1..200 bytes of [A-Za-z0-9._+-], not starting with '.'. */
int arh_inbox_name_ok(const char *name);

/*
 * `arhiivar submit`: copy case directory src (regular files and
 * directories only) into INBOX/.incoming/, fsync it, and rename it into
 * the inbox as `name` (NULL: the base name of src, made valid), or
 * NAME.2, NAME.3 ... when taken; the name used goes to out (n bytes).
 * Nothing appears in the inbox until the copy is whole.
 */
int arh_inbox_submit(struct arh_home *h, const char *src, const char *name,
    char *out, size_t n, struct arh_err *err);

/* The items waiting (oldest first by change time); cb returning non-zero
 * stops with that code. */
int arh_inbox_list(struct arh_home *h,
    int (*cb)(void *arg, const char *name), void *arg, struct arh_err *err);

enum arh_inbox_outcome {
	ARH_INBOX_ARCHIVED = 1,	/* archived: the item moved to done/ */
	ARH_INBOX_ALREADY,	/* archived before (a restart after the
				   catalog commit): moved to done/ */
	ARH_INBOX_QUARANTINED,	/* refused: moved to quarantine/ */
	ARH_INBOX_RETRY,	/* transient failure: left in the inbox */
};

/*
 * Ingest inbox item `name` (arh_ingest, a new version when the case file
 * is archived with other content) and move it: archived to done/,
 * refused (validation, a permanent failure) to quarantine/ with every
 * problem, transient failures (I/O, full disk, catalog busy) left where
 * it is.  *outcome says which; res is filled when archived; err holds the
 * reason otherwise.  Returns 0 whenever the item was dealt with (any
 * outcome but RETRY), else the failure's code.
 */
int arh_inbox_ingest(struct arh_home *h, const char *name,
    enum arh_inbox_outcome *outcome, struct arh_ingest_result *res,
    struct arh_problems *probs, struct arh_err *err);

/* Quarantine inbox item `name` with one reason (a transient failure that
 * did not pass after [daemon] retries attempts). */
int arh_inbox_quarantine(struct arh_home *h, const char *name,
    const char *why, struct arh_err *err);

/*
 * Put a copy of directory src (not in the inbox: a scheduled transfer's
 * source, which is not ours to move) into quarantine as `name` with the
 * problems in probs; the name used goes to out.
 */
int arh_quarantine_copy(struct arh_home *h, const char *src,
    const char *name, const struct arh_problems *probs, char *out, size_t n,
    struct arh_err *err);

struct arh_quarantined {
	char	 name[256];
	char	 at[32];		/* when it was quarantined */
	char	*reasons;		/* REASON.txt's problem lines */
};
/* Items in quarantine, oldest first. */
int arh_quarantine_list(struct arh_home *h,
    int (*cb)(void *arg, const struct arh_quarantined *q), void *arg,
    struct arh_err *err);
/* `quarantine retry NAME`: the item back into the inbox (ARH_ENOTFOUND,
 * ARH_EEXIST when the inbox holds that name). */
int arh_quarantine_retry(struct arh_home *h, const char *name,
    struct arh_err *err);

/* Remove done/ items older than days (0: all); *n how many. */
int arh_done_expire(struct arh_home *h, long days, size_t *n,
    struct arh_err *err);

#endif
