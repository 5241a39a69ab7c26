/* loop.h — the daemon's poll loop (loop.c). */
#ifndef ARHIIVARD_LOOP_H
#define ARHIIVARD_LOOP_H

#include "arhiivar/config.h"
#include "daemon.h"

/* What -t checks beyond the configuration's syntax: the paths the daemon
 * needs, the API address, the file plan.  Problems go to probs. */
int loop_check_setup(struct daemon *d, const struct arh_config *cfg,
    struct arh_problems *probs);

/* Open everything, say READY=1, serve until SIGTERM; 0 on a clean stop. */
int loop_run(struct daemon *d);

/* Recount the quarantine for status. */
void loop_refresh_counts(struct daemon *d);

#endif
