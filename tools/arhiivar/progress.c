/*
 * progress.c — the progress line of a long command on a terminal:
 *
 *	ingest: 1,234/4,000 files, 120.5/386.0 MiB, 95.3 MiB/s, 3 s left
 *
 * on stderr, redrawn in place (\r) at most 10 times a second, only when
 * stderr is a terminal and neither --quiet nor --json was given.  It holds
 * numbers only, so it needs no cli_vis().
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define REDRAW_NS	100000000LL	/* 10 Hz */

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* n with thousands separators: 1,234,567. */
static const char *
grouped(uint64_t n, char *buf, size_t len)
{
	char tmp[32];
	size_t l, i, o = 0;

	l = (size_t)snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)n);
	for (i = 0; i < l && o + 2 < len; i++) {
		if (i > 0 && (l - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

/* "42 s", "3 min 5 s", "2 h 10 min". */
static void
duration(double s, char *buf, size_t len)
{
	unsigned long long t = (unsigned long long)(s + 0.5);

	if (t < 60)
		snprintf(buf, len, "%llu s", t);
	else if (t < 3600)
		snprintf(buf, len, "%llu min %llu s", t / 60, t % 60);
	else
		snprintf(buf, len, "%llu h %llu min", t / 3600, t / 60 % 60);
}

static void
draw(void *arg, uint64_t files_done, uint64_t files_total,
    uint64_t bytes_done, uint64_t bytes_total)
{
	struct cli_progress *cp = arg;
	char line[256], a[32], b[32], left[32];
	long long now = now_ns();
	double secs = (double)(now - cp->start) / 1e9, rate, unit;
	const char *uname;
	size_t n;

	if (cp->shown && now - cp->last < REDRAW_NS &&
	    files_done < files_total)
		return;
	unit = bytes_total >= 10ULL << 30 ? 1024.0 * 1024 * 1024 :
	    1024.0 * 1024;
	uname = bytes_total >= 10ULL << 30 ? "GiB" : "MiB";
	n = (size_t)snprintf(line, sizeof(line), "\r%s: %s/%s %s, %.1f/%.1f %s",
	    cp->verb, grouped(files_done, a, sizeof(a)),
	    grouped(files_total, b, sizeof(b)), cp->unit,
	    (double)bytes_done / unit, (double)bytes_total / unit, uname);
	if (secs >= 0.2 && bytes_done > 0 && n < sizeof(line)) {
		rate = (double)bytes_done / secs;
		duration((double)(bytes_total - bytes_done) / rate, left,
		    sizeof(left));
		n += (size_t)snprintf(line + n, sizeof(line) - n,
		    ", %.1f MiB/s, %s left", rate / (1024.0 * 1024), left);
	}
	if (n < sizeof(line))
		snprintf(line + n, sizeof(line) - n, "\033[K");
	fputs(line, stderr);
	cp->shown = 1;
	cp->last = now;
}

void
cli_progress_init(struct cli_progress *cp, const char *verb,
    const char *unit, int quiet)
{
	memset(cp, 0, sizeof(*cp));
	cp->verb = verb;
	cp->unit = unit;
	cp->on = !quiet && isatty(STDERR_FILENO);
	cp->p.cb = draw;
	cp->p.arg = cp;
	cp->start = now_ns();
}

const struct arh_progress *
cli_progress_of(struct cli_progress *cp)
{
	return cp->on ? &cp->p : NULL;
}

void
cli_progress_update(struct cli_progress *cp, uint64_t files_done,
    uint64_t files_total, uint64_t bytes_done, uint64_t bytes_total)
{
	if (cp->on)
		draw(cp, files_done, files_total, bytes_done, bytes_total);
}

void
cli_progress_clear(struct cli_progress *cp)
{
	if (cp->shown)
		fputs("\r\033[K", stderr);
	cp->shown = 0;
}
