/*
 * cmd_find.c — arhiivar find [--json] DIGEST|REFERENCE
 *
 * Which archives hold a file with this SHA-256 or SHA-512, or the files of
 * this record.  A file of an internal-use record the caller may not read is
 * shown by archive and record reference only, never by its path.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "arhiivar/ops.h"
#include "cli.h"

#define USAGE "arhiivar find [--json] SHA256|SHA512|RECORD-REFERENCE"

struct find {
	struct cli	*cli;
	struct arh_home	*h;
	char		 today[11];
	json_t		*arr;
	size_t		 n;
};

static int
found(void *arg, const char *archive, const struct arh_file_row *f,
    const json_t *record)
{
	struct find *s = arg;
	struct arh_view_decision v;
	const struct arh_access_decision *d = &v.access;

	arh_policy_view(record, s->cli->id.roles, s->cli->id.nroles,
	    s->h->cfg->internal_roles, s->h->cfg->ninternal_roles, s->today,
	    &v);
	s->n++;
	if (s->arr != NULL)
		return cli_list_add(s->arr, arh_found_view(archive, f, &v));
	if (d->allow)
		printf("%s  %s  %s  %llu bytes\n", cli_vis(archive),
		    cli_vis(f->record), cli_vis(f->path),
		    (unsigned long long)f->size);
	else
		printf("%s  %s  (internal use: file withheld)\n",
		    cli_vis(archive), cli_vis(f->record));
	return 0;
}

int
cmd_find(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct find s;
	struct arh_err err;
	int c, rc, json = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'j')
			return cli_usage(USAGE);
		json = 1;
	}
	if (optind + 1 != argc)
		return cli_usage(USAGE);
	memset(&s, 0, sizeof(s));
	s.cli = cli;
	arh_err_clear(&err);
	arh_today(s.today);
	s.arr = cli_list_begin(json);
	if ((rc = cli_open_home(cli, &s.h, &err)) == 0)
		rc = arh_catalog_find(s.h->cat, argv[optind], found, &s, &err);
	arh_home_free(s.h);
	if ((rc = cli_list_end(s.arr, rc, &err)) != EXIT_OK)
		return rc;
	if (s.n == 0) {
		if (!json)
			cli_warn("no archived file has digest or record "
			    "reference '%s'", argv[optind]);
		return EXIT_NO;
	}
	return EXIT_OK;
}
