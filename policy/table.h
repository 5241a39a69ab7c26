/*
 * table.h — CSV tables for the policy engine (internal to libarhiivar):
 * the file plan and the access-term table are both "a header row naming
 * the columns, then one row per thing", read the same way.
 *
 * The CSV syntax is libcsv's (RFC 4180 quoting, strict: a stray quote is
 * an error); this file adds what the policy needs on top: a size cap, a
 * UTF-8 BOM skipped, CRLF or LF, a header mapped to the expected columns
 * in any order, every field checked (UTF-8, no control characters) and
 * normalised (CRLF inside a quoted field to LF, NFC, trimmed), the line
 * each row starts on, and problems collected by line and handed to the
 * caller sorted, "NAME:LINE: message".
 */
#ifndef ARHIIVAR_TABLE_H
#define ARHIIVAR_TABLE_H

#include <stddef.h>

#include "arhiivar/error.h"

#define ARH_TAB_MAX_SHOWN	100	/* problems passed on; then a summary */

/*
 * Problems of one input, kept with the line they belong to so that checks
 * made after the whole table was read (duplicates) still come out in line
 * order.  Line 0 is the whole input ("NAME: message").  With rows set, N
 * is an element number, not a line ("NAME: row N: message", for JSON).
 */
struct arh_tabprob;
struct arh_tabprobs {
	const char	*name;
	int		 rows;
	struct arh_tabprob *v;
	size_t		 n, cap;
	size_t		 seq;
	int		 nomem;
};

void arh_tabprobs_init(struct arh_tabprobs *pp, const char *name, int rows);
void arh_tabprobs_add(struct arh_tabprobs *pp, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/*
 * Append the problems to probs (may be NULL) sorted by line, at most
 * ARH_TAB_MAX_SHOWN of them, and empty pp.  Returns 0 if there were none,
 * ARH_EINVAL if there were, ARH_ENOMEM if one could not be recorded.
 */
int arh_tabprobs_finish(struct arh_tabprobs *pp, struct arh_problems *probs);
void arh_tabprobs_release(struct arh_tabprobs *pp);

/*
 * Check and normalise one field value of len bytes: valid UTF-8, no NUL or
 * control character (a line feed only if allow_lf; CRLF counts as one line
 * feed), then NFC and trimmed of spaces, tabs and line breaks.  On success
 * *out is the malloc'd result.  On a bad value a problem "'COLUMN' ..." is
 * added at line, *out is NULL and the return is ARH_EINVAL; ARH_ENOMEM.
 */
int arh_tab_clean(struct arh_tabprobs *pp, int line, const char *column,
    const char *raw, size_t len, int allow_lf, char **out);

struct arh_tab_spec {
	const char	 *what;		/* "file plan": for messages */
	const char *const *columns;	/* the expected header, in our order */
	size_t		  ncols;
	unsigned long	  multiline;	/* bit i: column i may span lines */
	size_t		  max_bytes;
	size_t		  max_rows;	/* data rows after the header */
	/*
	 * Called for each data row with the cleaned values in `columns`
	 * order; a NULL value was bad and is already reported.  The callback
	 * may take a value (and set vals[i] to NULL); the rest are freed.
	 * Returns 0, or ARH_ENOMEM to stop.
	 */
	int		(*row)(void *arg, int line, char **vals);
	void		 *arg;
};

/*
 * Read buf as a table.  Returns 0 when it was read to the end or stopped
 * on a problem (see pp), or ARH_ENOMEM.  A problem that leaves the rows
 * meaningless (a missing column, broken quoting, too many rows or bytes)
 * stops the reading; every other one is collected and reading goes on.
 */
int arh_tab_read(const struct arh_tab_spec *spec, const char *buf, size_t len,
    struct arh_tabprobs *pp);

#endif
