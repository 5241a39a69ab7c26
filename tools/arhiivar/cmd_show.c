/*
 * cmd_show.c — arhiivar show [--json] [--public] ARCHIVE
 *
 * Every record passes through the access policy: a caller not entitled to
 * an internal-use record sees its public view only (reference, date, type,
 * the restriction marking) and none of its files.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "arhiivar/ops.h"
#include "cli.h"
#include "util.h"

#define USAGE "arhiivar show [--json] [--public] ARCHIVE"

struct show {
	struct arh_home	*h;
	json_t		*order;		/* the records as the caller sees them */
};

static void
print_record(const json_t *v)
{
	static const struct { const char *key, *label; } fields[] = {
		{ "title", "title" },
		{ "correspondent", "correspondent" },
		{ "delivery_channel", "delivery channel" },
		{ "responsible", "responsible" },
	};
	const json_t *acc = json_object_get(v, "access"), *f;
	const char *s;
	size_t i;

	printf("  %s  %s  %s  %s", cli_vis(arh_json_str(v, "reference")),
	    cli_vis(arh_json_str(v, "registered")),
	    cli_vis(arh_json_str(v, "type")),
	    cli_vis(arh_json_str(acc, "level")));
	if (json_object_get(acc, "end"))
		printf(" until %s (%s)", cli_vis(arh_json_str(acc, "end")),
		    cli_vis(arh_json_str(acc, "basis")));
	putchar('\n');
	if (json_object_get(v, "files") == NULL) {
		printf("    details and files withheld: internal use\n");
		return;
	}
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if ((s = json_string_value(json_object_get(v,
		    fields[i].key))) != NULL)
			printf("    %-17s %s\n", fields[i].label, cli_vis(s));
	if (json_is_true(json_object_get(v, "external_network")))
		printf("    %-17s %s\n", "note", "arrived from an external "
		    "network");
	json_array_foreach(json_object_get(v, "files"), i, f)
		printf("    %s  %lld bytes  %s; %s\n",
		    cli_vis(arh_json_str(f, "path")),
		    (long long)json_integer_value(json_object_get(f, "size")),
		    cli_vis(arh_json_str(f, "mime")),
		    cli_vis(arh_json_str(f, "charset")));
}

static int
output(const struct arh_archive_row *r, struct show *s, int json)
{
	size_t i;
	json_t *v;

	if (json)
		return cli_json(json_pack("{s:o, s:O}", "archive",
		    arh_archive_row_json(r), "records", s->order));
	printf("archive    %s (version %d%s%s)\n", cli_vis(r->name),
	    r->version, r->previous[0] ? ", follows " : "",
	    cli_vis(r->previous));
	printf("case file  %s, series %s\n", cli_vis(r->case_ref),
	    cli_vis(r->series));
	printf("file       %s, %lld bytes, SHA-256 %s\n", cli_vis(r->path),
	    (long long)r->size, cli_vis(r->sha256));
	printf("sealed     %s by %s\n", cli_vis(r->created),
	    cli_vis(r->signer));
	printf("records    %d\n", r->nrecords);
	json_array_foreach(s->order, i, v)
		print_record(v);
	return EXIT_OK;
}

/*
 * A destroyed archive (by name, or every version of a destroyed case
 * file): what its tombstone keeps, which is public-view data only.
 * Returns the exit status, or -1 when spec has no tombstone.
 */
static int
show_tombstone(struct arh_home *h, const char *spec, int json)
{
	struct arh_err err;
	json_t *t = NULL, *r;
	char name[256];
	long list;
	size_t i;

	arh_err_clear(&err);
	if (arh_catalog_tombstone(h->cat, spec, NULL, &t, &err) != 0 &&
	    (arh_catalog_tombstone_case(h->cat, spec, name, sizeof(name),
	    &list, &err) != 0 || arh_catalog_tombstone(h->cat, name, NULL, &t,
	    &err) != 0))
		return -1;
	if (json)
		return cli_json(json_pack("{s:o}", "tombstone", t));
	printf("archive    %s (version %" JSON_INTEGER_FORMAT "): destroyed\n"
	    "case file  %s, series %s, %s to %s\n"
	    "destroyed  %s, destruction list %" JSON_INTEGER_FORMAT ", act %s\n"
	    "file was   %" JSON_INTEGER_FORMAT " bytes, SHA-256 %s\n"
	    "records    %zu\n", cli_vis(arh_json_str(t, "archive")),
	    json_integer_value(json_object_get(t, "version")),
	    cli_vis(arh_json_str(t, "case_file")),
	    cli_vis(arh_json_str(t, "series")),
	    cli_vis(arh_json_str(t, "opened")),
	    cli_vis(arh_json_str(t, "closed")),
	    cli_vis(arh_json_str(t, "destroyed_at")),
	    json_integer_value(json_object_get(t, "destruction_list")),
	    *arh_json_str(t, "act") ? cli_vis(arh_json_str(t, "act")) :
	    "(not yet sealed)", json_integer_value(json_object_get(t, "size")),
	    cli_vis(arh_json_str(t, "sha256")),
	    json_array_size(json_object_get(t, "records")));
	json_array_foreach(json_object_get(t, "records"), i, r)
		printf("  %s  %s  %s  %s\n",
		    cli_vis(arh_json_str(r, "reference")),
		    cli_vis(arh_json_str(r, "registered")),
		    cli_vis(arh_json_str(r, "type")),
		    cli_vis(arh_json_str(json_object_get(r, "access"),
		    "level")));
	json_decref(t);
	return EXIT_OK;
}

int
cmd_show(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "public", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	static char *const public_only[] = { (char *)"public" };
	struct arh_redact_caller who;
	struct arh_archive_row row;
	struct show s;
	char today[11];
	struct arh_err err;
	int c, rc, json = 0, pub = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'j')
			json = 1;
		else if (c == 'p')
			pub = 1;
		else
			return cli_usage(USAGE);
	}
	if (optind + 1 != argc)
		return cli_usage(USAGE);
	memset(&s, 0, sizeof(s));
	arh_err_clear(&err);
	if ((rc = cli_open_home(cli, &s.h, &err)) != 0)
		goto out;
	if ((rc = arh_resolve(s.h, argv[optind], &row, &err)) ==
	    ARH_ENOTFOUND && (c = show_tombstone(s.h, argv[optind], json))
	    >= 0) {
		arh_home_free(s.h);
		return c;
	}
	if (rc != 0)
		goto out;
	cli_caller(cli, s.h, today, &who);
	if (pub) {
		who.roles = public_only;
		who.nroles = 1;
	}
	if ((rc = arh_records_view(s.h, row.name, &who, &s.order, &err)) != 0)
		goto out;
	rc = output(&row, &s, json);
	json_decref(s.order);
	arh_home_free(s.h);
	return rc;
out:
	json_decref(s.order);
	arh_home_free(s.h);
	return cli_fail(rc, &err);
}
