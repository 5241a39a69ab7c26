/*
 * cmd_restore.c — arhiivar restore [--trust CA.pem]... [-o OUT|-] [--force]
 *                 ARCHIVE|FILE.tar PATH
 *
 * ARCHIVE is restored through the catalog; FILE.tar (arh_spec_is_path())
 * is read as it is, with or without a home: a disaster-recovery or an
 * auditor's copy.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "arhiivar/ops.h"
#include "cli.h"

#define USAGE "arhiivar restore [--trust CA.pem]... [-o OUT|-] [--force] " \
	"ARCHIVE|FILE.tar PATH"
#define MAX_TRUST 16

/*
 * A bare copy needs no home; one that exists is opened, for its roles,
 * its trust anchors and its audit trail.
 */
static int
open_for_copy(struct cli *cli, struct arh_home **h, struct arh_err *err)
{
	*h = NULL;
	if (access(cli->home, F_OK) == 0)
		return cli_open_home(cli, h, err);
	return arh_identity_resolve_roles(&cli->id, NULL);
}

int
cmd_restore(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "trust", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	const char *trustv[MAX_TRUST];
	struct arh_restore_req req;
	struct arh_archive_row row;
	struct arh_home *h = NULL;
	struct arh_trust *trust = NULL;
	struct arh_err err;
	const char *out = NULL, *base, *from;
	size_t ntrust = 0;
	int c, rc, status, force = 0, isfile;

	while ((c = getopt_long(argc, argv, "o:f", opts, NULL)) != -1) {
		if (c == 'o')
			out = optarg;
		else if (c == 'f')
			force = 1;
		else if (c == 't' && ntrust < MAX_TRUST)
			trustv[ntrust++] = optarg;
		else
			return cli_usage(USAGE);
	}
	if (optind + 2 != argc)
		return cli_usage(USAGE);
	arh_err_clear(&err);
	memset(&req, 0, sizeof(req));
	isfile = arh_spec_is_path(argv[optind]);
	if ((rc = isfile ? open_for_copy(cli, &h, &err) :
	    cli_open_home(cli, &h, &err)) != 0)
		goto out;
	if ((isfile || ntrust > 0) &&
	    (rc = arh_home_trust(h, trustv, ntrust, &trust, &err)) != 0)
		goto out;
	req.path = argv[optind + 1];
	/* Default: the file's own name, in the current directory. */
	base = strrchr(req.path, '/');
	req.out = out == NULL ? (base ? base + 1 : req.path) :
	    strcmp(out, "-") == 0 ? NULL : out;
	req.force = force;
	req.who = &cli->id;
	req.trust = trust;
	if (isfile) {
		rc = arh_restore_copy(h, argv[optind], &req, &err);
		from = req.bag;
	} else {
		if ((rc = arh_resolve(h, argv[optind], &row, &err)) != 0)
			goto out;
		req.archive = row.name;
		rc = arh_restore(h, &req, &err);
		from = row.name;
	}
	if (rc == 0 && req.out != NULL)
		fprintf(stderr, "arhiivar: restored '%s' from %s to '%s' "
		    "(checked against the sealed manifest)\n",
		    cli_vis(req.path), cli_vis(from), cli_vis(req.out));
out:
	status = rc ? cli_fail(rc, &err) : EXIT_OK;
	if (isfile && h == NULL && (rc == 0 || rc == ARH_EDENIED))
		cli_warn("note: there is no home at '%s', so no audit event "
		    "was recorded", cli->home);
	arh_trust_free(trust);
	arh_home_free(h);
	return status;
}
