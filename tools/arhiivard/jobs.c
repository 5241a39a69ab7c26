/* jobs.c — scheduled transfers in the daemon (placeholder until the
 * scheduler library lands). */
#include "worker.h"

int
jobs_due(struct arh_home *h, char *id, size_t n)
{
	(void)h;
	(void)id;
	(void)n;
	return 0;
}

json_t *
worker_job(struct arh_home *h, const char *id)
{
	(void)h;
	return json_pack("{s:s, s:s, s:s, s:s}", "kind", "job", "job", id,
	    "outcome", "error", "error", "scheduled transfers are not built");
}

void
jobs_done(struct daemon *d, json_t *result)
{
	(void)d;
	(void)result;
}

json_t *
jobs_run_now(struct daemon *d, const struct arh_identity *who, long id)
{
	(void)d;
	(void)who;
	(void)id;
	return json_pack("{s:b, s:s}", "ok", 0, "error", "not built");
}
