/*
 * cmd_destruction.c — the destruction procedure (docs/POLICY.md):
 *
 *   arhiivar disposition propose [--as-of DATE] [--series CODE]
 *                                [--method TEXT] [--dry-run] [--json]
 *   arhiivar disposition approve LIST
 *   arhiivar disposition execute LIST
 *   arhiivar disposition lists [--json]
 *   arhiivar disposition show LIST [--json]
 *   arhiivar disposition act LIST [--html]
 *
 * What a list shows of each archive is its tombstone: identifiers, dates,
 * digests and the public view of its records — never content.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arhiivar/destruction.h"
#include "arhiivar/input.h"
#include "cli.h"
#include "util.h"

#define USAGE "arhiivar disposition due [--as-of DATE] [--json] | " \
	"propose [--as-of DATE] [--series CODE] [--method TEXT] [--dry-run] " \
	"[--json] | approve LIST | execute LIST | lists [--json] | " \
	"show LIST [--json] | act LIST [--html]"

static void
print_items(const json_t *items)
{
	const json_t *it, *t;
	size_t i;

	json_array_foreach(items, i, it) {
		t = json_object_get(it, "tombstone");
		printf("  %-24s case file %s (%s to %s), %zu records, %"
		    JSON_INTEGER_FORMAT " files, %s, due %s\n",
		    cli_vis(arh_json_str(it, "archive")),
		    cli_vis(arh_json_str(t, "case_file")),
		    cli_vis(arh_json_str(t, "opened")),
		    cli_vis(arh_json_str(t, "closed")),
		    json_array_size(json_object_get(t, "records")),
		    json_integer_value(json_object_get(json_object_get(t,
		    "payload"), "files")),
		    cli_vis(arh_json_str(json_object_get(t, "retention"),
		    "retention")),
		    cli_vis(arh_json_str(json_object_get(t, "retention"),
		    "due")));
	}
}

static json_t *
list_json(const struct arh_disposal *d, json_t *items, json_t *approvals)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:{s:s, s:s}, s:o?, s:{s:s?, "
	    "s:s?}, s:s?, s:o?}", "id", (json_int_t)d->id, "status",
	    d->status, "as_of", d->as_of, "method", d->method, "proposed",
	    "by", d->proposed_by, "at", d->proposed_at, "approved", approvals,
	    "executed", "by", d->executed_by[0] ? d->executed_by : NULL, "at",
	    d->executed_at[0] ? d->executed_at : NULL, "act", d->act[0] ?
	    d->act : NULL, "archives", items);
}

static int
propose(struct arh_home *h, struct cli *cli, struct arh_propose_req *r,
    int json)
{
	struct arh_problems notes;
	struct arh_disposal d;
	struct arh_err err;
	json_t *items = NULL;
	size_t i, n;
	int rc;

	arh_err_clear(&err);
	arh_problems_init(&notes);
	r->who = &cli->id;
	rc = arh_disposal_propose(h, r, &d, &items, &notes, &err);
	for (i = 0; i < notes.n; i++)
		fprintf(stderr, "arhiivar: left out: %s\n",
		    cli_vis(notes.items[i]));
	arh_problems_release(&notes);
	if (rc != 0) {
		json_decref(items);
		return cli_fail(rc, &err);
	}
	if (json)
		return cli_json(list_json(&d, items, NULL));
	n = json_array_size(items);
	if (r->dry_run)
		printf("dry run: a list proposed now would destroy %zu "
		    "archive%s:\n", n, n == 1 ? "" : "s");
	else
		printf("destruction list %ld proposed: %zu archive%s due on or "
		    "before %s\n", d.id, n, n == 1 ? "" : "s", cli_vis(d.as_of));
	print_items(items);
	if (!r->dry_run)
		printf("next: two people approve it, a records manager and an "
		    "approver ('arhiivar disposition approve %ld')\n", d.id);
	json_decref(items);
	return EXIT_OK;
}

static int
print_list(void *arg, const struct arh_disposal *d)
{
	if (arg != NULL)
		return cli_list_add(arg, list_json(d, NULL, NULL));
	printf("%ld  %-9s as of %s  proposed %s by %s%s%s\n", d->id,
	    cli_vis(d->status), cli_vis(d->as_of), cli_vis(d->proposed_at),
	    cli_vis(d->proposed_by), d->act[0] ? "; act " : "",
	    cli_vis(d->act));
	return 0;
}

static int
show(struct arh_home *h, long id, int json)
{
	struct arh_disposal d;
	struct arh_err err;
	json_t *items = NULL, *appr = NULL, *a;
	size_t i;
	int rc;

	arh_err_clear(&err);
	if ((rc = arh_catalog_disposal_get(h->cat, id, &d, &items, &appr,
	    &err)) != 0)
		return cli_fail(rc, &err);
	if (json)
		return cli_json(list_json(&d, items, appr));
	printf("destruction list %ld: %s\nas of: %s\nmethod: %s\nproposed: %s "
	    "by %s\n", d.id, cli_vis(d.status), cli_vis(d.as_of),
	    cli_vis(d.method), cli_vis(d.proposed_at), cli_vis(d.proposed_by));
	json_array_foreach(appr, i, a)
		printf("approved: %s by %s as %s\n",
		    cli_vis(arh_json_str(a, "at")),
		    cli_vis(arh_json_str(a, "actor")),
		    cli_vis(arh_json_str(a, "role")));
	if (d.executed_at[0])
		printf("executed: %s by %s\n", cli_vis(d.executed_at),
		    cli_vis(d.executed_by));
	if (d.act[0])
		printf("act: %s\n", cli_vis(d.act));
	printf("archives:\n");
	print_items(items);
	json_decref(items);
	json_decref(appr);
	return EXIT_OK;
}

static int
act(struct arh_home *h, long id, int html)
{
	struct arh_err err;
	json_t *j = NULL;
	char *page = NULL;
	int rc;

	arh_err_clear(&err);
	if ((rc = arh_disposal_act(h, id, html ? NULL : &j, html ? &page :
	    NULL, &err)) != 0)
		return cli_fail(rc, &err);
	if (!html)
		return cli_json(j);
	fputs(page, stdout);
	free(page);
	return EXIT_OK;
}

static int
step(struct arh_home *h, struct cli *cli, const char *sub, long id)
{
	struct arh_problems probs;
	struct arh_disposal d;
	struct arh_err err;
	char role[32];
	int rc;

	arh_err_clear(&err);
	if (strcmp(sub, "approve") == 0) {
		if ((rc = arh_disposal_approve(h, &cli->id, id, role, &err))
		    != 0)
			return cli_fail(rc, &err);
		printf("destruction list %ld approved by %s as %s\n", id,
		    cli_vis(cli->id.user), cli_vis(role));
		return EXIT_OK;
	}
	arh_problems_init(&probs);
	rc = arh_disposal_execute(h, &cli->id, id, &d, &probs, &err);
	cli_problems(&probs);
	arh_problems_release(&probs);
	if (rc != 0)
		return cli_fail(rc, &err);
	printf("destruction list %ld executed; destruction act sealed and "
	    "archived as %s\n", id, cli_vis(d.act));
	return EXIT_OK;
}

int
cmd_destruction(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "as-of", required_argument, NULL, 'd' },
		{ "series", required_argument, NULL, 's' },
		{ "method", required_argument, NULL, 'm' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "html", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 }
	};
	struct arh_propose_req r = { NULL, NULL, NULL, NULL, 0 };
	struct arh_home *h = NULL;
	struct arh_err err;
	const char *sub;
	char as_of[11], *end;
	long id = 0;
	int c, rc, json = 0, html = 0, nargs;

	sub = argv[1];
	argc--;
	argv++;
	arh_today(as_of);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd') {
			if (cli_opt_date("--as-of", optarg, as_of) != 0)
				return EXIT_ERROR;
		} else if (c == 's' && *optarg)
			r.series = optarg;
		else if (c == 'm' && *optarg)
			r.method = optarg;
		else if (c == 'n')
			r.dry_run = 1;
		else if (c == 'j')
			json = 1;
		else if (c == 'H')
			html = 1;
		else
			return cli_usage(USAGE);
	}
	r.as_of = as_of;
	nargs = strcmp(sub, "propose") == 0 || strcmp(sub, "lists") == 0 ?
	    0 : 1;
	if (argc - optind != nargs || (strcmp(sub, "propose") != 0 &&
	    (r.series || r.method || r.dry_run)) || (html && strcmp(sub,
	    "act") != 0))
		return cli_usage(USAGE);
	if (nargs == 1) {
		id = strtol(argv[optind], &end, 10);
		if (*argv[optind] == '\0' || *end != '\0' || id <= 0)
			return cli_usage(USAGE);
	}
	if (strcmp(sub, "propose") != 0 && strcmp(sub, "approve") != 0 &&
	    strcmp(sub, "execute") != 0 && strcmp(sub, "lists") != 0 &&
	    strcmp(sub, "show") != 0 && strcmp(sub, "act") != 0)
		return cli_usage(USAGE);
	arh_err_clear(&err);
	if ((rc = cli_open_home(cli, &h, &err)) != 0)
		return cli_fail(rc, &err);
	if (strcmp(sub, "propose") == 0)
		rc = propose(h, cli, &r, json);
	else if (strcmp(sub, "lists") == 0) {
		json_t *arr = cli_list_begin(json);
		rc = arh_catalog_disposals(h->cat, print_list, arr, &err);
		rc = cli_list_end(arr, rc, &err);
	} else if (strcmp(sub, "show") == 0)
		rc = show(h, id, json);
	else if (strcmp(sub, "act") == 0)
		rc = act(h, id, html);
	else
		rc = step(h, cli, sub, id);
	arh_home_free(h);
	return rc;
}
