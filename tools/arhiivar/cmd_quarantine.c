/*
 * cmd_quarantine.c — arhiivar quarantine list [--json] | retry NAME
 *
 * Inbox items the daemon refused, with their reasons, and putting one
 * back into the inbox after it was corrected.  Asked of the daemon, which
 * checks the caller's role (records-manager): the reasons name record
 * folders.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

#define USAGE "arhiivar quarantine list [--json] | retry NAME"

int
cmd_quarantine(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct arh_err err;
	const json_t *v;
	json_t *req, *ans = NULL;
	size_t i;
	int c, json = 0, rc;

	if (argc < 2)
		return cli_usage(USAGE);
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'j')
			json = 1;
		else
			return cli_usage(USAGE);
	}
	arh_err_clear(&err);
	if (strcmp(argv[1], "list") == 0 && optind == argc)
		req = json_pack("{s:s}", "op", "quarantine.list");
	else if (strcmp(argv[1], "retry") == 0 && optind + 1 == argc && !json)
		req = json_pack("{s:s, s:s}", "op", "quarantine.retry", "name",
		    argv[optind]);
	else
		return cli_usage(USAGE);
	if (req == NULL)
		return cli_fail(ARH_ENOMEM, &err);
	rc = cli_ctl(cli, req, -1, &ans, &err);
	json_decref(req);
	if (rc != 0) {
		json_decref(ans);
		return cli_fail(rc, &err);
	}
	if (strcmp(argv[1], "retry") == 0) {
		printf("%s is back in the inbox\n", cli_vis(argv[optind]));
		json_decref(ans);
		return EXIT_OK;
	}
	if (json) {
		json_t *items = json_incref(json_object_get(ans, "items"));

		json_decref(ans);
		return cli_json(items);
	}
	json_array_foreach(json_object_get(ans, "items"), i, v) {
		printf("%s  (quarantined %s)\n", cli_vis(arh_json_str(v, "name")),
		    cli_vis(arh_json_str(v, "at")));
		{
			char *r = strdup(arh_json_str(v, "reasons")), *line,
			    *save = NULL;

			for (line = r ? strtok_r(r, "\n", &save) : NULL;
			    line != NULL; line = strtok_r(NULL, "\n", &save))
				printf("    %s\n", cli_vis(line));
			free(r);
		}
	}
	json_decref(ans);
	return EXIT_OK;
}
