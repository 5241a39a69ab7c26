/*
 * open_home.c — the daemon's home as every part of it opens it: with the
 * configuration in force given as text (the file read once, before the
 * sandbox; anew through the seal process on SIGHUP; handed to workers
 * on descriptor 3), never re-read from a file that may have changed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>

#include "arhiivar/config.h"
#include "arhiivar/home.h"
#include "daemon.h"
#include "util.h"

void
daemon_config_name(const struct daemon *d, char *out, size_t n)
{
	if (d->config_path != NULL)
		snprintf(out, n, "%s", d->config_path);
	else
		arh_home_config_path(d->home_path, out, n);
}

int
daemon_read_config(struct daemon *d, struct arh_err *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	daemon_config_name(d, d->cfg_name, sizeof(d->cfg_name));
	if ((rc = arh_read_file(AT_FDCWD, d->cfg_name, ARH_MAX_CONFIG_BYTES,
	    &text, &len, err)) != 0)
		return rc;
	free(d->cfg_text);
	d->cfg_text = text;
	d->cfg_len = len;
	return 0;
}

int
daemon_open_home(struct daemon *d, const char *actor, struct arh_home **h,
    struct arh_err *err)
{
	struct arh_problems notes, cfgprobs;
	size_t i;
	int rc;

	if (d->cfg_text == NULL && (rc = daemon_read_config(d, err)) != 0)
		return rc;
	arh_problems_init(&notes);
	arh_problems_init(&cfgprobs);
	rc = arh_home_open_with(d->home_path, actor, 0, d->cfg_name,
	    d->cfg_text, d->cfg_len, h, &notes, &cfgprobs, err);
	for (i = 0; i < notes.n; i++)
		dlog(LOG_NOTICE, "%s", notes.items[i]);
	for (i = 0; i < cfgprobs.n; i++)
		dlog(LOG_ERR, "%s", cfgprobs.items[i]);
	arh_problems_release(&notes);
	arh_problems_release(&cfgprobs);
	return rc;
}
