/*
 * caldate.h — calendar-date arithmetic of the common layer (internal).
 *
 * Retention and access terms run on calendar dates, not instants: "N years
 * after 2024-02-29" is a day in a calendar, and no time zone or leap second
 * may move it.  So dates are plain year/month/day triples here, never
 * time_t.  Years are 1..9999 (YYYY-MM-DD has four digits).
 */
#ifndef ARHIIVAR_CALDATE_H
#define ARHIIVAR_CALDATE_H

struct arh_caldate {
	int	y, m, d;
};

/* 0 and *c set if s is a valid YYYY-MM-DD (arh_date_valid()), else -1. */
int arh_caldate_parse(const char *s, struct arh_caldate *c);

/* YYYY-MM-DD into out; -1 (out = "") if the year is outside 1..9999. */
int arh_caldate_format(const struct arh_caldate *c, char out[11]);

/* The same day `years` later; 29 February becomes 28 February in a year
 * that is not a leap year (the law counts whole years; the day does not
 * exist). */
struct arh_caldate arh_caldate_add_years(struct arh_caldate c, int years);

/* The next calendar day. */
struct arh_caldate arh_caldate_next_day(struct arh_caldate c);

/* <0, 0, >0 as a is before, equal to or after b. */
int arh_caldate_cmp(const struct arh_caldate *a, const struct arh_caldate *b);

#endif
