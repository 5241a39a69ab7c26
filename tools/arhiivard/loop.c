/* loop.c — placeholder: the loop is being written. */
#include "loop.h"

int
loop_check_setup(struct daemon *d, const struct arh_config *cfg,
    struct arh_problems *probs)
{
	(void)d;
	(void)cfg;
	(void)probs;
	return 0;
}

int
loop_run(struct daemon *d)
{
	(void)d;
	return 0;
}
