/*
 * cmd_access.c — arhiivar access review [--as-of DATE] [--days N] [--json]
 *                arhiivar access extend RECORD --until DATE --reason TEXT
 *
 * Internal-use restrictions that have ended (the records are public from
 * the day after their end, with no rewrite of the archive) and those
 * ending within N days (default 90).  Shows only public-view data.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arhiivar/input.h"
#include "arhiivar/ops.h"
#include "cli.h"

#define USAGE "arhiivar access review [--as-of YYYY-MM-DD] [--days N] " \
	"[--json] | extend RECORD --until YYYY-MM-DD --reason TEXT"

struct review {
	const char	*as_of;
	json_t		*json;		/* --json: as_of, until, the two */
	json_t		*ended, *ending;
	int		 n;
};

static int
one(void *arg, const char *archive, const char *reference,
    const char *basis, const char *end)
{
	struct review *r = arg;
	int ended = strcmp(end, r->as_of) < 0;

	r->n++;
	if (r->ended != NULL)
		return cli_list_add(ended ? r->ended : r->ending,
		    json_pack("{s:s, s:s, s:s?, s:s}", "archive", archive,
		    "record", reference, "basis", basis, "end", end));
	printf("%s  %-7s %s  %s (%s)\n", cli_vis(end), ended ? "ended" :
	    "ending", cli_vis(reference), cli_vis(archive), cli_vis(basis));
	return 0;
}

/* access extend RECORD --until DATE --reason TEXT */
static int
extend(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "until", required_argument, NULL, 'u' },
		{ "reason", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	const char *until = NULL, *reason = NULL;
	struct arh_home *h = NULL;
	struct arh_err err;
	int c, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'u' && arh_date_valid(optarg))
			until = optarg;
		else if (c == 'r' && *optarg)
			reason = optarg;
		else
			return cli_usage(USAGE);
	}
	if (optind != argc - 1 || until == NULL || reason == NULL)
		return cli_usage(USAGE);
	arh_err_clear(&err);
	if ((rc = cli_open_home(cli, &h, &err)) == 0)
		rc = arh_access_extend(h, &cli->id, argv[optind], until, reason,
		    &err);
	arh_home_free(h);
	if (rc != 0)
		return cli_fail(rc, &err);
	printf("restriction of %s extended until %s\n", cli_vis(argv[optind]),
	    until);
	return EXIT_OK;
}

int
cmd_access(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "as-of", required_argument, NULL, 'd' },
		{ "days", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct review r = { NULL, NULL, NULL, NULL, 0 };
	struct arh_home *h = NULL;
	struct arh_err err;
	char as_of[11], until[11], *end;
	long days = 90;
	struct tm tm;
	time_t t;
	int c, rc, json = 0;

	if (argc >= 2 && strcmp(argv[1], "extend") == 0)
		return extend(cli, argc - 1, argv + 1);
	if (argc < 2 || strcmp(argv[1], "review") != 0)
		return cli_usage(USAGE);
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
		else if (c == 'n') {
			days = strtol(optarg, &end, 10);
			if (!*optarg || *end != '\0' || days < 0 ||
			    days > 36500) {
				cli_warn("--days '%s' is not a number of days "
				    "from 0 to 36500", optarg);
				return EXIT_ERROR;
			}
		}
		else
			return cli_usage(USAGE);
	}
	if (optind != argc)
		return cli_usage(USAGE);
	memset(&tm, 0, sizeof(tm));
	strptime(as_of, "%Y-%m-%d", &tm);
	t = timegm(&tm) + (time_t)days * 86400;
	gmtime_r(&t, &tm);
	strftime(until, sizeof(until), "%Y-%m-%d", &tm);
	r.as_of = as_of;
	if (json && (r.json = json_pack("{s:s, s:s, s:[], s:[]}", "as_of",
	    as_of, "until", until, "ended", "ending")) != NULL) {
		r.ended = json_object_get(r.json, "ended");
		r.ending = json_object_get(r.json, "ending");
	}
	arh_err_clear(&err);
	if ((rc = cli_open_home(cli, &h, &err)) == 0)
		rc = arh_catalog_restrictions(h->cat, until, one, &r, &err);
	arh_home_free(h);
	if (rc == 0 && !json && r.n == 0)
		printf("no internal-use restriction ends by %s\n", until);
	return cli_list_end(r.json, rc, &err);
}
