/*
 * schedtime.h — the clock of scheduled transfers (internal, pure): when a
 * job runs, which year a yearly run transfers, and how long a retry waits.
 *
 * A job's time is what a records manager means: wall-clock time in
 * Europe/Tallinn, the calendar arh_today() runs on.  It is turned into an
 * instant with the EU rule of util.c (arh_tallinn_offset()), never with
 * TZ/mktime: those are process-global and depend on the tz database of
 * the machine.  Two clock times need a choice, made once here:
 *
 *   - the spring gap (03:00-03:59 on the last Sunday of March does not
 *     exist): the time is read as winter time, so 03:30 runs at 01:30
 *     UTC, which the clocks show as 04:30 — the job runs, an hour late by
 *     the clock, never a day late;
 *   - the autumn overlap (03:00-03:59 on the last Sunday of October comes
 *     twice): the first one (summer time) — the job runs once.
 *
 * Instants are stored and compared as "YYYY-MM-DDTHH:MM:SSZ" (UTC), the
 * form of arh_now_utc(), so that text order is time order.
 */
#ifndef ARHIIVAR_SCHEDTIME_H
#define ARHIIVAR_SCHEDTIME_H

#include <stddef.h>
#include <time.h>

/* The longest wait between retries: one day. */
#define ARH_SCHED_MAX_BACKOFF	86400L

/* When a job runs: once at a date and time, or yearly on a day. */
struct arh_sched_at {
	int	yearly;		/* 1: y is 0 and the job runs every year */
	int	y, mo, d;	/* date (y 0 for yearly) */
	int	h, mi;		/* wall-clock time in Europe/Tallinn */
};

/*
 * Parse --at: "YYYY-MM-DDTHH:MM" (once) or, yearly, "MM-DDTHH:MM".  A day
 * that does not exist, and 29 February for a yearly job (it would run one
 * year in four), are refused: -1 with a sentence in why (n bytes).
 */
int arh_sched_parse(const char *s, int yearly, struct arh_sched_at *at,
    char *why, size_t n);

/* at as --at spells it ("2025-01-15T02:00", "01-15T02:00"); out 17 bytes. */
void arh_sched_format(const struct arh_sched_at *at, char out[17]);

/* The instant of wall-clock date and time in Europe/Tallinn (see above
 * for the gap and the overlap). */
time_t arh_sched_local(int y, int mo, int d, int h, int mi);

/*
 * The next run after instant `after`: a once job's instant (whether or not
 * it has passed: a job whose time passed while nothing ran is due at once,
 * one time), a yearly job's first occurrence strictly after `after`.  A
 * daemon that was down for years thus runs a yearly job once, then waits
 * for the next occurrence after that run.
 */
time_t arh_sched_next(const struct arh_sched_at *at, time_t after);

/* The year a yearly run at instant t transfers: the year before t's year
 * on the Tallinn calendar (a run on 15 January 2025 transfers 2024). */
int arh_sched_transfer_year(time_t t);

/* The wait before retry `attempt` (1, 2, ...): first * 2^(attempt-1)
 * seconds, at most ARH_SCHED_MAX_BACKOFF; first <= 0 counts as 1. */
long arh_sched_backoff(long first, int attempt);

/* t as "YYYY-MM-DDTHH:MM:SSZ" (21 bytes); and back: -1 if s is not one. */
void arh_sched_utc(time_t t, char out[21]);
int arh_sched_parse_utc(const char *s, time_t *t);

#endif
