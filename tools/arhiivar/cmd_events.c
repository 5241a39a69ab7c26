/* cmd_events.c — arhiivar events [--json] [ARCHIVE] */
#include <getopt.h>
#include <stdio.h>

#include "arhiivar/ops.h"
#include "cli.h"

#define USAGE "arhiivar events [--json] [ARCHIVE]"

static int
print_event(void *arg, const char *at, const struct arh_event *ev)
{
	if (arg != NULL)
		return cli_list_add(arg, json_pack("{s:s, s:s, s:s, s:s?, "
		    "s:s?, s:s, s:s?}", "at", at, "actor", ev->actor, "kind",
		    ev->kind, "archive", ev->archive, "target", ev->target,
		    "result", ev->result, "detail", ev->detail));
	printf("%s  %-9s %-7s %s  %s%s%s\n", cli_vis(at), cli_vis(ev->kind),
	    cli_vis(ev->result), cli_vis(ev->actor), ev->archive ?
	    cli_vis(ev->archive) : "-", ev->target ? " " : "",
	    cli_vis(ev->target));
	return 0;
}

int
cmd_events(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct arh_redact_caller who;
	struct arh_archive_row row;
	struct arh_home *h = NULL;
	char today[11];
	struct arh_err err;
	json_t *arr = NULL;
	int c, rc, json = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'j')
			return cli_usage(USAGE);
		json = 1;
	}
	if (optind + 1 < argc)
		return cli_usage(USAGE);
	arh_err_clear(&err);
	if ((rc = cli_open_home(cli, &h, &err)) != 0)
		goto out;
	if (optind < argc && (rc = arh_resolve(h, argv[optind], &row,
	    &err)) != 0)
		goto out;
	cli_caller(cli, h, today, &who);
	arr = cli_list_begin(json);
	rc = arh_events_for(h, &who, optind < argc ? row.name : NULL,
	    print_event, arr, &err);
out:
	arh_home_free(h);
	return cli_list_end(arr, rc, &err);
}
