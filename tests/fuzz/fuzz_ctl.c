/*
 * fuzz_ctl.c — the daemon's control-socket messages (ctl_parse): any
 * bytes, at most one request line, must parse into a request whose
 * strings fit their fields and are NUL-terminated, or be refused with a
 * sentence; never a crash, a leak or an overrun.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_request rq;
	char why[256];

	if (ctl_parse((const char *)data, size, &rq, why, sizeof(why)) == 0) {
		/* What the server relies on. */
		if (rq.op[0] == '\0' || memchr(rq.op, '\0', sizeof(rq.op)) ==
		    NULL || memchr(rq.archive, '\0', sizeof(rq.archive)) ==
		    NULL || memchr(rq.path, '\0', sizeof(rq.path)) == NULL ||
		    memchr(rq.name, '\0', sizeof(rq.name)) == NULL ||
		    rq.id < 0)
			__builtin_trap();
	} else if (memchr(why, '\0', sizeof(why)) == NULL || why[0] == '\0')
		__builtin_trap();
	return 0;
}
