/*
 * cmd_policy.c — arhiivar policy explain [--json] ARCHIVE
 *
 * Which file-plan rule set an archive's retention and disposition: the
 * decision sealed into metadata/case.json at ingest, the decision the
 * current file plan makes now, and where they differ.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arhiivar/ops.h"
#include "cli.h"
#include "util.h"

#define USAGE "arhiivar policy explain [--json] ARCHIVE"

/* o[key] as it may be printed (cli_vis). */
static const char *
vis(const json_t *o, const char *key)
{
	return cli_vis(arh_json_str(o, key));
}

/* The decision the latest file plan makes for this case file now. */
static json_t *
current(struct arh_home *h, const json_t *cf, struct arh_err *err)
{
	const struct arh_fileplan_row *row;
	struct arh_fileplan *plan = NULL;
	struct arh_fileplan_info info;
	struct arh_retention r;
	json_t *d = NULL;
	const char *series = arh_json_str(json_object_get(cf, "series"),
	    "code");

	memset(&info, 0, sizeof(info));
	if (arh_fileplan_load(h, NULL, &plan, &info, err) != 0)
		return NULL;
	if ((row = arh_fileplan_find(plan, series)) == NULL)
		arh_errf(err, ARH_ENOTFOUND, "series %s is not in the current "
		    "file plan (version %.12s)", series, info.version);
	else if (arh_retention_compute(row, arh_json_str(cf, "opened"),
	    arh_json_str(cf, "closed"), &r) != 0)
		arh_errf(err, ARH_EINVAL, "%s", r.rule);
	else
		d = arh_retention_json(&info, row, &r);
	arh_fileplan_info_release(&info);
	arh_fileplan_free(plan);
	return d;
}

static void
print_decision(const char *title, const json_t *d)
{
	printf("%s (file plan %.12s, imported %s):\n", title,
	    vis(d, "fileplan_version"), vis(d, "fileplan_imported"));
	printf("  series %s, retention %s: %s to %s; %s%s%s\n",
	    vis(d, "series"), vis(d, "retention"), vis(d, "start"),
	    arh_json_str(d, "end")[0] ? vis(d, "end") : "permanent",
	    vis(d, "action"),
	    arh_json_str(d, "due")[0] ? " due " : "", vis(d, "due"));
	if (strcmp(arh_json_str(d, "archival_value"), "") != 0)
		printf("  archival value: %s\n", vis(d, "archival_value"));
	printf("  rule: %s\n", vis(d, "rule"));
}

/* Names of the decision fields that differ. */
static void
print_differences(const json_t *sealed, const json_t *now)
{
	static const char *const keys[] = { "retention", "archival_value",
	    "start", "end", "action", "due" };
	size_t i, n = 0;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(arh_json_str(sealed, keys[i]),
		    arh_json_str(now, keys[i])) != 0) {
			printf("%s %s: sealed '%s', now '%s'\n", n++ ?
			    "          " : "differences", keys[i],
			    vis(sealed, keys[i]), vis(now, keys[i]));
		}
	if (n == 0)
		printf("the current file plan decides the same\n");
}

static int
explain(struct arh_home *h, const struct arh_archive_row *row, int json)
{
	const json_t *cf, *sealed;
	json_t *meta, *now;
	struct arh_err err, nerr;
	char *buf = NULL;
	size_t len;
	int rc;

	arh_err_clear(&err);
	arh_err_clear(&nerr);
	if ((rc = arh_archive_tag(h, row->name, "metadata/case.json", &buf,
	    &len, &err)) != 0)
		return cli_fail(rc, &err);
	meta = json_loadb(buf, len, 0, NULL);
	free(buf);
	if (meta == NULL) {
		cli_warn("%s: metadata/case.json is not JSON: verify the "
		    "archive", row->name);
		return EXIT_NO;
	}
	/* Only the case file's own fields: its records may be restricted. */
	cf = json_object_get(meta, "case_file");
	sealed = json_object_get(meta, "retention");
	now = current(h, cf, &nerr);
	if (json) {
		rc = cli_json(json_pack("{s:s, s:s, s:O?, s:o?, s:s?}",
		    "archive", row->name, "case_file", row->case_ref,
		    "sealed", sealed, "current", now, "current_error",
		    now ? NULL : nerr.msg));
		json_decref(meta);
		return rc;
	}
	printf("archive %s: case file %s, series %s, opened %s, closed %s\n",
	    cli_vis(row->name), cli_vis(row->case_ref),
	    vis(json_object_get(cf, "series"), "code"), vis(cf, "opened"),
	    vis(cf, "closed"));
	if (sealed != NULL)
		print_decision("sealed at ingest", sealed);
	else
		printf("sealed at ingest: no file plan decision (none was "
		    "imported then); retention as given: %s\n",
		    arh_json_str(cf, "retention")[0] ? vis(cf, "retention") :
		    "none");
	if (now != NULL)
		print_decision("now", now);
	else
		printf("now: %s\n", cli_vis(nerr.msg));
	if (sealed != NULL && now != NULL)
		print_differences(sealed, now);
	json_decref(now);
	json_decref(meta);
	return EXIT_OK;
}

int
cmd_policy(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct arh_archive_row row;
	struct arh_home *h = NULL;
	struct arh_err err;
	int c, rc, json = 0;

	if (argc < 2 || strcmp(argv[1], "explain") != 0)
		return cli_usage(USAGE);
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'j')
			return cli_usage(USAGE);
		json = 1;
	}
	if (optind + 1 != argc)
		return cli_usage(USAGE);
	arh_err_clear(&err);
	if ((rc = cli_open_home(cli, &h, &err)) != 0 ||
	    (rc = arh_resolve(h, argv[optind], &row, &err)) != 0) {
		arh_home_free(h);
		return cli_fail(rc, &err);
	}
	rc = explain(h, &row, json);
	arh_home_free(h);
	return rc;
}
