/*
 * cmd_disposition.c — arhiivar disposition due [--as-of DATE] [--json]
 * (the other disposition verbs, the destruction procedure, are in
 * cmd_destruction.c)
 *
 * Archives whose sealed disposition (destroy, transfer, review) is due on
 * or before DATE (default today, Europe/Tallinn).  A held archive is never
 * due: it is listed apart, with the holds that keep it.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "arhiivar/input.h"
#include "arhiivar/ops.h"
#include "cli.h"

#define USAGE "arhiivar disposition due [--as-of DATE] [--json] | " \
	"propose ... | approve LIST | execute LIST | lists | show LIST | " \
	"act LIST (see arhiivar(1))"

struct due {
	json_t	*json;		/* --json: as_of and the two */
	json_t	*due, *held;
	int	 ndue, nheld;
};

static int
one(void *arg, const struct arh_archive_row *row, const char *action,
    const char *due, const char *holds)
{
	struct due *d = arg;
	int held = holds != NULL && *holds;

	if (d->due != NULL)
		return cli_list_add(held ? d->held : d->due,
		    json_pack("{s:s, s:s, s:s, s:s, s:s?}", "archive",
		    row->name, "case_file", row->case_ref, "action", action,
		    "due", due, "holds", held ? holds : NULL));
	if (held)
		d->nheld++;
	else {
		d->ndue++;
		printf("%s  %-8s %s (case file %s)\n", cli_vis(due),
		    cli_vis(action), cli_vis(row->name), cli_vis(row->case_ref));
	}
	return 0;
}

static int
one_held(void *arg, const struct arh_archive_row *row, const char *action,
    const char *due, const char *holds)
{
	if (holds != NULL && *holds)
		printf("%s  %-8s %s (case file %s) held by hold %s\n",
		    cli_vis(due), cli_vis(action), cli_vis(row->name),
		    cli_vis(row->case_ref), cli_vis(holds));
	(void)arg;
	return 0;
}

int
cmd_disposition(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "as-of", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct due d = { NULL, NULL, NULL, 0, 0 };
	struct arh_home *h = NULL;
	struct arh_err err;
	char as_of[11];
	int c, rc, json = 0;

	if (argc < 2)
		return cli_usage(USAGE);
	if (strcmp(argv[1], "due") != 0)
		return cmd_destruction(cli, argc, argv);
	argc--;
	argv++;
	arh_today(as_of);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'j')
			json = 1;
		else if (c == 'd') {
			if (cli_opt_date("--as-of", optarg, as_of) != 0)
				return EXIT_ERROR;
		}
		else
			return cli_usage(USAGE);
	}
	if (optind != argc)
		return cli_usage(USAGE);
	arh_err_clear(&err);
	if ((rc = cli_open_home(cli, &h, &err)) != 0)
		return cli_fail(rc, &err);
	if (json && (d.json = json_pack("{s:s, s:[], s:[]}", "as_of", as_of,
	    "due", "held")) != NULL) {
		d.due = json_object_get(d.json, "due");
		d.held = json_object_get(d.json, "held");
	}
	rc = arh_catalog_due(h->cat, as_of, one, &d, &err);
	if (rc == 0 && !json && d.nheld > 0) {
		printf("held, so not due:\n");
		rc = arh_catalog_due(h->cat, as_of, one_held, NULL, &err);
	}
	arh_home_free(h);
	if (rc == 0 && !json && d.ndue == 0)
		printf("nothing is due on or before %s\n", as_of);
	return cli_list_end(d.json, rc, &err);
}
