/*
 * caldate.c — calendar-date arithmetic on year/month/day; see caldate.h.
 */
#include <stdio.h>
#include <string.h>

#include "arhiivar/input.h"
#include "caldate.h"

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int y, int m)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };

	return mdays[m - 1] + (m == 2 && leap(y));
}

/* The number the n digits at s spell (checked by the caller). */
static int
digits(const char *s, int n)
{
	int v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

int
arh_date_valid(const char *s)
{
	int i, y, m, d;

	if (s == NULL || strnlen(s, 11) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	y = digits(s, 4);
	m = digits(s + 5, 2);
	d = digits(s + 8, 2);
	if (y < 1 || m < 1 || m > 12 || d < 1)
		return 0;
	return d <= month_days(y, m);
}

int
arh_caldate_parse(const char *s, struct arh_caldate *c)
{
	if (!arh_date_valid(s))
		return -1;
	c->y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	c->m = (s[5] - '0') * 10 + (s[6] - '0');
	c->d = (s[8] - '0') * 10 + (s[9] - '0');
	return 0;
}

int
arh_caldate_format(const struct arh_caldate *c, char out[11])
{
	out[0] = '\0';
	if (c->y < 1 || c->y > 9999 || c->m < 1 || c->m > 12 || c->d < 1 ||
	    c->d > 31)
		return -1;
	snprintf(out, 11, "%04d-%02d-%02d", c->y, c->m, c->d);
	return 0;
}

struct arh_caldate
arh_caldate_add_years(struct arh_caldate c, int years)
{
	c.y += years;
	if (c.m == 2 && c.d == 29 && !leap(c.y))
		c.d = 28;
	return c;
}

struct arh_caldate
arh_caldate_next_day(struct arh_caldate c)
{
	if (c.d < month_days(c.y, c.m)) {
		c.d++;
		return c;
	}
	c.d = 1;
	if (++c.m > 12) {
		c.m = 1;
		c.y++;
	}
	return c;
}

int
arh_caldate_cmp(const struct arh_caldate *a, const struct arh_caldate *b)
{
	if (a->y != b->y)
		return a->y < b->y ? -1 : 1;
	if (a->m != b->m)
		return a->m < b->m ? -1 : 1;
	if (a->d != b->d)
		return a->d < b->d ? -1 : 1;
	return 0;
}
