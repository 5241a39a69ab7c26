/*
 * schedtime.c — the clock of scheduled transfers; see schedtime.h.
 */
#include <stdio.h>
#include <string.h>

#include "arhiivar/input.h"
#include "schedtime.h"
#include "util.h"

/* n decimal digits at s, or -1. */
static int
number(const char *s, int n)
{
	int v = 0;

	for (; n > 0; n--, s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

static int
refuse(char *why, size_t n, const char *s, const char *form)
{
	snprintf(why, n, "'%s' is not a time of day on a date: give %s "
	    "(Europe/Tallinn wall-clock time)", s, form);
	return -1;
}

int
arh_sched_parse(const char *s, int yearly, struct arh_sched_at *at,
    char *why, size_t n)
{
	const char *form = yearly ? "MM-DDTHH:MM, e.g. 01-15T02:00" :
	    "YYYY-MM-DDTHH:MM, e.g. 2025-01-15T02:00";
	const char *p = s;
	char date[11];

	memset(at, 0, sizeof(*at));
	at->yearly = yearly;
	if (strlen(s) != (yearly ? 11u : 16u))
		return refuse(why, n, s, form);
	if (!yearly) {
		if ((at->y = number(p, 4)) < 1 || p[4] != '-')
			return refuse(why, n, s, form);
		p += 5;
	}
	at->mo = number(p, 2);
	at->d = number(p + 3, 2);
	at->h = number(p + 6, 2);
	at->mi = number(p + 9, 2);
	if (p[2] != '-' || p[5] != 'T' || p[8] != ':' || at->mo < 0 ||
	    at->d < 0 || at->h < 0 || at->h > 23 || at->mi < 0 || at->mi > 59)
		return refuse(why, n, s, form);
	/* A yearly day must exist in a leap year at least (2000 was one). */
	snprintf(date, sizeof(date), "%04d-%02d-%02d", yearly ? 2000 : at->y,
	    at->mo, at->d);
	if (!arh_date_valid(date))
		return refuse(why, n, s, form);
	if (yearly && at->mo == 2 && at->d == 29) {
		snprintf(why, n, "a yearly job cannot run on 02-29: that day "
		    "exists one year in four; choose 02-28 or 03-01");
		return -1;
	}
	return 0;
}

void
arh_sched_format(const struct arh_sched_at *at, char out[17])
{
	if (at->yearly)
		snprintf(out, 17, "%02d-%02dT%02d:%02d", at->mo, at->d, at->h,
		    at->mi);
	else
		snprintf(out, 17, "%04d-%02d-%02dT%02d:%02d", at->y, at->mo,
		    at->d, at->h, at->mi);
}

time_t
arh_sched_local(int y, int mo, int d, int h, int mi)
{
	struct tm tm;
	time_t wall, summer, winter;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	wall = timegm(&tm);	/* the clock's reading as if it were UTC */
	summer = wall - 3 * 3600;
	winter = wall - 2 * 3600;
	if (arh_tallinn_offset(summer) == 3 * 3600)
		return summer;	/* summer time, or the overlap's first */
	return winter;		/* winter time, or the spring gap */
}

time_t
arh_sched_next(const struct arh_sched_at *at, time_t after)
{
	struct tm tm;
	time_t t, local = after + arh_tallinn_offset(after);
	int y;

	if (!at->yearly)
		return arh_sched_local(at->y, at->mo, at->d, at->h, at->mi);
	gmtime_r(&local, &tm);
	for (y = tm.tm_year + 1900; ; y++)
		if ((t = arh_sched_local(y, at->mo, at->d, at->h, at->mi)) >
		    after)
			return t;
}

int
arh_sched_transfer_year(time_t t)
{
	struct tm tm;

	t += arh_tallinn_offset(t);
	gmtime_r(&t, &tm);
	return tm.tm_year + 1900 - 1;
}

long
arh_sched_backoff(long first, int attempt)
{
	long d = first > 0 ? first : 1;

	while (--attempt > 0 && d < ARH_SCHED_MAX_BACKOFF)
		d *= 2;
	return d < ARH_SCHED_MAX_BACKOFF ? d : ARH_SCHED_MAX_BACKOFF;
}

void
arh_sched_utc(time_t t, char out[21])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
arh_sched_parse_utc(const char *s, time_t *t)
{
	struct tm tm;
	char *end;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || strlen(s) != 20 || (end = strptime(s,
	    "%Y-%m-%dT%H:%M:%SZ", &tm)) == NULL || *end != '\0')
		return -1;
	*t = timegm(&tm);
	return 0;
}
