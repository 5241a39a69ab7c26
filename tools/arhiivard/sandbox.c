/* sandbox.c — least privilege after setup (placeholder). */
#include <syslog.h>

#include "daemon.h"

int
sandbox_enter(struct daemon *d)
{
	(void)d;
	return 0;
}
