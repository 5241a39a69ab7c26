/*
 * cmd_hold.c — arhiivar hold add TARGET --reason TEXT --authority TEXT
 *              arhiivar hold release ID --reason TEXT
 *              arhiivar hold list [--all] [--json]
 *
 * TARGET is an archive, a case file or a series.  While a hold is in
 * force nothing it covers is listed as due.  Placing and releasing need
 * the records-manager role; every change, and every refusal, is an event.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arhiivar/ops.h"
#include "cli.h"

#define USAGE "arhiivar hold add TARGET --reason TEXT --authority TEXT | " \
	"release ID --reason TEXT | list [--all] [--json]"

static int
series_seen(void *arg, const struct arh_archive_row *row)
{
	return strcmp(row->series, arg) == 0 ? 1 : 0;
}

/*
 * What TARGET names: an archive, a case file, or a series.  Only "not
 * found" moves on to the next kind; any other error ends the lookup, or a
 * failed read would put the hold on the wrong kind of thing.
 */
static int
target_kind(struct arh_home *h, const char *target, const char **kind,
    struct arh_err *err)
{
	const struct arh_fileplan_row *row = NULL;
	struct arh_archive_row a;
	struct arh_fileplan *plan = NULL;
	struct arh_fileplan_info info;
	int rc;

	memset(&info, 0, sizeof(info));
	if ((rc = arh_catalog_get(h->cat, target, &a, err)) == 0) {
		*kind = "archive";
		return 0;
	}
	if (rc != ARH_ENOTFOUND)
		return rc;
	if ((rc = arh_catalog_latest(h->cat, target, &a, err)) == 0) {
		*kind = "case";
		return 0;
	}
	if (rc != ARH_ENOTFOUND)
		return rc;
	rc = arh_fileplan_load(h, NULL, &plan, &info, err);
	if (rc == 0)
		row = arh_fileplan_find(plan, target);
	arh_fileplan_info_release(&info);
	arh_fileplan_free(plan);
	if (rc != 0 && rc != ARH_ENOTFOUND)
		return rc;
	arh_err_clear(err);
	rc = row != NULL ? 1 : arh_catalog_list(h->cat, series_seen,
	    (void *)target, err);
	if (rc == 1) {
		*kind = "series";
		arh_err_clear(err);
		return 0;
	}
	return rc != 0 ? rc : arh_errf(err, ARH_ENOTFOUND, "no archive, case "
	    "file or series '%s'; 'arhiivar list' and 'arhiivar fileplan "
	    "show' list them", target);
}

static int
print_hold(void *arg, const struct arh_hold *h)
{
	if (arg != NULL)
		return cli_list_add(arg, json_pack("{s:I, s:s, s:s, s:s, "
		    "s:s, s:s, s:s, s:s?, s:s?, s:s?}", "id",
		    (json_int_t)h->id, "kind", h->kind, "target", h->target,
		    "reason", h->reason, "authority", h->authority, "placed",
		    h->placed_at, "placed_by", h->placed_by, "released",
		    h->released_at[0] ? h->released_at : NULL, "released_by",
		    h->released_at[0] ? h->released_by : NULL, "release_reason",
		    h->released_at[0] ? h->release_reason : NULL));
	printf("%ld  %s %s  placed %s by %s; %s (%s)%s%s\n", h->id,
	    cli_vis(h->kind), cli_vis(h->target), cli_vis(h->placed_at),
	    cli_vis(h->placed_by), cli_vis(h->reason), cli_vis(h->authority),
	    h->released_at[0] ? "; released " : "", cli_vis(h->released_at));
	return 0;
}

static int
add(struct arh_home *h, struct cli *cli, const char *target,
    const char *reason, const char *authority)
{
	struct arh_hold hold;
	struct arh_err err;
	const char *kind = NULL;
	int rc;

	arh_err_clear(&err);
	memset(&hold, 0, sizeof(hold));
	if ((rc = target_kind(h, target, &kind, &err)) != 0)
		return cli_fail(rc, &err);
	snprintf(hold.kind, sizeof(hold.kind), "%s", kind);
	snprintf(hold.target, sizeof(hold.target), "%s", target);
	snprintf(hold.reason, sizeof(hold.reason), "%s", reason);
	snprintf(hold.authority, sizeof(hold.authority), "%s", authority);
	if ((rc = arh_hold_place(h, &cli->id, &hold, &err)) != 0)
		return cli_fail(rc, &err);
	printf("hold %ld placed on %s %s\n", hold.id, kind, cli_vis(target));
	return EXIT_OK;
}

int
cmd_hold(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ "authority", required_argument, NULL, 'a' },
		{ "all", no_argument, NULL, 'A' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	const char *sub, *reason = NULL, *authority = NULL;
	struct arh_home *h = NULL;
	struct arh_err err;
	json_t *arr = NULL;
	char *end;
	long id;
	int c, rc, all = 0, json = 0;

	if (argc < 2)
		return cli_usage(USAGE);
	sub = argv[1];
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'r')
			reason = optarg;
		else if (c == 'a')
			authority = optarg;
		else if (c == 'A')
			all = 1;
		else if (c == 'j')
			json = 1;
		else
			return cli_usage(USAGE);
	}
	argc -= optind;
	argv += optind;
	if (!((strcmp(sub, "add") == 0 && argc == 1 && reason && *reason &&
	    authority && *authority) || (strcmp(sub, "release") == 0 &&
	    argc == 1 && reason && *reason) || (strcmp(sub, "list") == 0 &&
	    argc == 0)))
		return cli_usage(USAGE);
	arh_err_clear(&err);
	if ((rc = cli_open_home(cli, &h, &err)) != 0)
		return cli_fail(rc, &err);
	if (strcmp(sub, "add") == 0)
		rc = add(h, cli, argv[0], reason, authority);
	else if (strcmp(sub, "release") == 0) {
		id = strtol(argv[0], &end, 10);
		if (*argv[0] == '\0' || *end != '\0' || id <= 0)
			rc = cli_usage(USAGE);
		else if ((rc = arh_hold_lift(h, &cli->id, id, reason, &err))
		    != 0)
			rc = cli_fail(rc, &err);
		else
			printf("hold %ld released\n", id);
	} else {
		arr = cli_list_begin(json);
		rc = arh_catalog_holds(h->cat, all, print_hold, arr, &err);
		rc = cli_list_end(arr, rc, &err);
	}
	arh_home_free(h);
	return rc;
}
