/*
 * progress.h — how a long operation reports how far it has got.  The
 * library never prints: it calls cb, and the caller decides whether and
 * how often to show anything.  The library calls cb at most about every
 * ARH_PROGRESS_BYTES bytes or ARH_PROGRESS_FILES files (a counter
 * comparison, no clock), and once more when the work is done (done ==
 * total).  A NULL struct arh_progress * or a NULL cb: no calls.
 */
#ifndef ARHIIVAR_PROGRESS_H
#define ARHIIVAR_PROGRESS_H

#include <stdint.h>

#define ARH_PROGRESS_BYTES	(4u * 1024 * 1024)
#define ARH_PROGRESS_FILES	64u

struct arh_progress {
	/* files (or archives) and bytes done of the totals; the callback
	 * must not call back into the library with the same home. */
	void	(*cb)(void *arg, uint64_t files_done, uint64_t files_total,
		    uint64_t bytes_done, uint64_t bytes_total);
	void	 *arg;
};

/* The counters of one run; file-local to whoever does the work. */
struct arh_progress_count {
	const struct arh_progress *p;
	uint64_t files, files_total, bytes, bytes_total;
	uint64_t next_files, next_bytes;	/* report at or past these */
};

/* Start a count (p may be NULL) and make the first call (0 of totals). */
void arh_progress_begin(struct arh_progress_count *pc,
    const struct arh_progress *p, uint64_t files_total, uint64_t bytes_total);
/* Add to the counts; calls cb when a step has been passed. */
void arh_progress_add(struct arh_progress_count *pc, uint64_t files,
    uint64_t bytes);
/* The final call: whatever was counted, as done of the totals. */
void arh_progress_end(struct arh_progress_count *pc);

#endif
