/* http.c — the verification API (placeholder until it is built). */
#include "daemon.h"

int
http_start(struct daemon *d, struct arh_err *err)
{
	(void)d;
	(void)err;
	return 0;
}

void
http_stop(struct daemon *d)
{
	(void)d;
}

int
http_check_config(const struct arh_config *cfg, struct arh_problems *probs)
{
	(void)cfg;
	(void)probs;
	return 0;
}
