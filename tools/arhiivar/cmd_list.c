/* cmd_list.c — arhiivar list [--json] */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

static json_t *
row_json(const struct arh_archive_row *r)
{
	return json_pack("{s:s, s:s, s:s, s:i, s:s?, s:I, s:s, s:s, s:s, "
	    "s:i, s:i}", "archive", r->name, "case_file", r->case_ref,
	    "series", r->series, "version", r->version,
	    "previous", r->previous[0] ? r->previous : NULL,
	    "size", (json_int_t)r->size, "sha256", r->sha256,
	    "signer", r->signer, "created", r->created,
	    "records", r->nrecords, "files", r->nfiles);
}

static int
add_row(void *arg, const struct arh_archive_row *r)
{
	return cli_list_add(arg, row_json(r));
}

static int
print_row(void *arg, const struct arh_archive_row *r)
{
	(void)arg;
	printf("%-22s %-12s v%-3d %5d records %6d files %12lld bytes  %s\n",
	    cli_vis(r->name), cli_vis(r->case_ref), r->version, r->nrecords,
	    r->nfiles, (long long)r->size, cli_vis(r->created));
	return 0;
}

int
cmd_list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct arh_home *h = NULL;
	struct arh_err err;
	json_t *arr = NULL;
	int c, rc, json = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'j')
			return cli_usage("arhiivar list [--json]");
		json = 1;
	}
	if (optind != argc)
		return cli_usage("arhiivar list [--json]");
	arh_err_clear(&err);
	if ((rc = cli_open_home(cli, &h, &err)) != 0)
		goto out;
	arr = cli_list_begin(json);
	rc = arh_catalog_list(h->cat, arr ? add_row : print_row, arr, &err);
out:
	arh_home_free(h);
	return cli_list_end(arr, rc, &err);
}
