/* status.c — the daemon's state as JSON (placeholder, filled in below). */
#include <time.h>

#include "daemon.h"

json_t *
daemon_status_json(struct daemon *d, struct arh_home *h)
{
	json_t *o;

	(void)h;
	pthread_mutex_lock(&d->lock);
	o = json_pack("{s:b, s:s, s:I, s:i, s:i}", "up", 1, "doing", d->doing,
	    "started", (json_int_t)atomic_load(&d->stats.started),
	    "queue", (int)d->queue, "quarantine", (int)d->quarantine);
	pthread_mutex_unlock(&d->lock);
	return o;
}
