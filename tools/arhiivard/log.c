/* log.c — the daemon's log: one line per message on stderr, with the
 * syslog priority prefix journald reads ("<3>error"), and what it is
 * doing, for status and for systemd. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include <systemd/sd-daemon.h>

#include "daemon.h"

void
dlog(int prio, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* One message, one line: a newline or control character from a
	 * name must not forge a second log entry. */
	for (i = 0; msg[i] != '\0'; i++)
		if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
			msg[i] = '?';
	fprintf(stderr, "<%d>arhiivard: %s\n", prio & LOG_PRIMASK, msg);
}

void
daemon_doing(struct daemon *d, const char *fmt, ...)
{
	char buf[sizeof(d->doing)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&d->lock);
	memcpy(d->doing, buf, sizeof(buf));
	pthread_mutex_unlock(&d->lock);
	sd_notifyf(0, "STATUS=%s", buf);
}
