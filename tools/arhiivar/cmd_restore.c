/* cmd_restore.c — arhiivar restore [-o OUT|-] [--force] ARCHIVE PATH */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "arhiivar/ops.h"
#include "cli.h"

#define USAGE "arhiivar restore [-o OUT|-] [--force] ARCHIVE PATH"

int
cmd_restore(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	struct arh_restore_req req;
	struct arh_archive_row row;
	struct arh_home *h = NULL;
	struct arh_err err;
	const char *out = NULL, *base;
	int c, rc, force = 0;

	while ((c = getopt_long(argc, argv, "o:f", opts, NULL)) != -1) {
		if (c == 'o')
			out = optarg;
		else if (c == 'f')
			force = 1;
		else
			return cli_usage(USAGE);
	}
	if (optind + 2 != argc)
		return cli_usage(USAGE);
	arh_err_clear(&err);
	if ((rc = cli_open_home(cli, &h, &err)) != 0 ||
	    (rc = arh_resolve(h, argv[optind], &row, &err)) != 0)
		goto out;
	memset(&req, 0, sizeof(req));
	req.archive = row.name;
	req.path = argv[optind + 1];
	/* Default: the file's own name, in the current directory. */
	base = strrchr(req.path, '/');
	req.out = out == NULL ? (base ? base + 1 : req.path) :
	    strcmp(out, "-") == 0 ? NULL : out;
	req.force = force;
	req.who = &cli->id;
	if ((rc = arh_restore(h, &req, &err)) == 0 && req.out != NULL)
		fprintf(stderr, "arhiivar: restored '%s' from %s to '%s' "
		    "(checked against the sealed manifest)\n",
		    cli_vis(req.path), cli_vis(row.name), cli_vis(req.out));
out:
	arh_home_free(h);
	return rc ? cli_fail(rc, &err) : EXIT_OK;
}
