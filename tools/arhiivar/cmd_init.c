/* cmd_init.c — arhiivar init [--organisation NAME] */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

int
cmd_init(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "organisation", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	struct arh_problems notes;
	struct arh_err err;
	const char *org = NULL;
	size_t i;
	int c, rc;

	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		if (c != 'o')
			return cli_usage("arhiivar init [--organisation NAME]");
		org = optarg;
	}
	if (optind != argc)
		return cli_usage("arhiivar init [--organisation NAME]");
	arh_err_clear(&err);
	arh_problems_init(&notes);
	if ((rc = cli_home_owner(cli, &err)) == 0)
		rc = arh_home_init(cli->home, org, &notes, &err);
	for (i = 0; i < notes.n; i++)
		printf("%s\n", cli_vis(notes.items[i]));
	if (rc == 0)
		printf("home '%s' is ready\n", cli_vis(cli->home));
	arh_problems_release(&notes);
	return rc ? cli_fail(rc, &err) : EXIT_OK;
}
