/*
 * cmd_submit.c — arhiivar submit [--name NAME] CASEDIR
 *
 * Copy a closed case file directory into the daemon's inbox: into
 * INBOX/.incoming/ first, then one rename, so that the daemon never sees
 * half a case file.  Needs write access to the inbox only, not to the
 * catalog; works whether the daemon runs or not (it picks the item up
 * when it starts).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "arhiivar/home.h"
#include "arhiivar/inbox.h"
#include "cli.h"

#define USAGE "arhiivar submit [--name NAME] CASEDIR"

int
cmd_submit(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	struct arh_problems probs;
	struct arh_config *cfg = NULL;
	struct arh_home h;
	struct arh_err err;
	const char *name = NULL;
	char path[4096], used[256];
	size_t i;
	int c, rc;

	while ((c = getopt_long(argc, argv, "n:", opts, NULL)) != -1) {
		if (c == 'n')
			name = optarg;
		else
			return cli_usage(USAGE);
	}
	if (optind + 1 != argc)
		return cli_usage(USAGE);
	arh_err_clear(&err);
	arh_problems_init(&probs);
	arh_home_config_path(cli->home, path, sizeof(path));
	rc = arh_config_load(path, cli->home, &cfg, &probs, &err);
	for (i = 0; i < probs.n; i++)
		cli_warn("%s", probs.items[i]);
	arh_problems_release(&probs);
	if (rc != 0)
		return cli_fail(rc, &err);
	/* The inbox needs only the configuration (inbox.h). */
	memset(&h, 0, sizeof(h));
	h.path = (char *)cli->home;
	h.cfg = cfg;
	h.seal_fd = -1;
	rc = arh_inbox_submit(&h, argv[optind], name, used, sizeof(used), &err);
	arh_config_free(cfg);
	if (rc != 0)
		return cli_fail(rc, &err);
	printf("submitted %s as inbox item %s\n", cli_vis(argv[optind]),
	    cli_vis(used));
	return EXIT_OK;
}
