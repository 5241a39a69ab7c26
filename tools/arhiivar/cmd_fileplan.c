/*
 * cmd_fileplan.c — arhiivar fileplan import FILE.csv
 *                  arhiivar fileplan history [--json]
 *                  arhiivar fileplan show [--version V] [--json] [SERIES]
 *                  arhiivar fileplan diff V1 V2
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arhiivar/ops.h"
#include "cli.h"

#define USAGE "arhiivar fileplan import FILE.csv | history [--json] | " \
	"show [--version V] [--json] [SERIES] | diff V1 V2"

static int
read_csv(const char *path, char **buf, size_t *len, struct arh_err *err)
{
	FILE *f;
	size_t n;

	if ((f = fopen(path, "rb")) == NULL)
		return arh_errno(err, ARH_EIO, errno, "cannot open '%s'", path);
	if ((*buf = malloc(ARH_FILEPLAN_MAX_BYTES + 1)) == NULL) {
		fclose(f);
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	}
	n = fread(*buf, 1, ARH_FILEPLAN_MAX_BYTES + 1, f);
	if (ferror(f) || n > ARH_FILEPLAN_MAX_BYTES) {
		int bad = ferror(f);
		fclose(f);
		free(*buf);
		*buf = NULL;
		return bad ? arh_errf(err, ARH_EIO, "cannot read '%s'", path) :
		    arh_errf(err, ARH_EINVAL, "'%s' is larger than %d bytes",
		    path, ARH_FILEPLAN_MAX_BYTES);
	}
	fclose(f);
	*len = n;
	return 0;
}

static int
import(struct arh_home *h, const char *path)
{
	struct arh_problems probs;
	struct arh_err err;
	char version[65], *buf = NULL;
	size_t len = 0;
	int rc;

	arh_err_clear(&err);
	arh_problems_init(&probs);
	if ((rc = read_csv(path, &buf, &len, &err)) == 0)
		rc = arh_fileplan_import(h, path, buf, len, version, &probs,
		    &err);
	free(buf);
	cli_problems(&probs);
	if (rc == ARH_EINVAL && probs.n > 0)
		arh_errf(&err, rc, "file plan '%s' was not imported: %zu "
		    "problem%s above; fix %s and import again", path, probs.n,
		    probs.n == 1 ? "" : "s", probs.n == 1 ? "it" : "them");
	arh_problems_release(&probs);
	if (rc != 0)
		return cli_fail(rc, &err);
	printf("imported file plan '%s' as version %.12s\n", cli_vis(path),
	    version);
	return EXIT_OK;
}

static int
history_row(void *arg, const struct arh_fileplan_info *fp)
{
	if (arg != NULL)
		return cli_list_add(arg, json_pack("{s:i, s:s, s:s, s:s, "
		    "s:s}", "seq", fp->seq, "version", fp->version, "imported",
		    fp->imported_at, "actor", fp->actor, "source", fp->source));
	printf("%3d  %.12s  %s  %s  %s\n", fp->seq, cli_vis(fp->version),
	    cli_vis(fp->imported_at), cli_vis(fp->actor), cli_vis(fp->source));
	return 0;
}

static void
print_row(const struct arh_fileplan_row *r)
{
	printf("%-6s %s\n", cli_vis(r->series_code), cli_vis(r->series_title));
	printf("       function %s %s\n", cli_vis(r->function_code),
	    cli_vis(r->function_title));
	printf("       retention %s%s; valid from %s%s%s\n",
	    cli_vis(r->retention), r->archival == ARH_ARCHIVAL_AV ?
	    ", archival value (AV)" : r->archival == ARH_ARCHIVAL_H ?
	    ", under appraisal (H)" : "", cli_vis(r->valid_from),
	    r->valid_until[0] ? " until " : "", cli_vis(r->valid_until));
	if (r->access_internal)
		printf("       access: internal use (AK), %s, %s\n",
		    cli_vis(r->access_basis), cli_vis(r->access_term));
	else
		printf("       access: public\n");
}

static int
show(struct arh_home *h, const char *version, const char *series, int json)
{
	const struct arh_fileplan_row *row;
	struct arh_fileplan *plan = NULL;
	struct arh_fileplan_info info;
	struct arh_err err;
	size_t i;
	int rc;

	arh_err_clear(&err);
	memset(&info, 0, sizeof(info));
	if ((rc = arh_fileplan_load(h, version, &plan, &info, &err)) != 0)
		return cli_fail(rc, &err);
	if (series != NULL && (row = arh_fileplan_find(plan, series)) == NULL) {
		cli_warn("series '%s' is not in file plan version %.12s",
		    series, info.version);
		rc = EXIT_NO;
	} else if (json) {
		json_t *all = json_loads(info.plan, 0, NULL), *rows = all, *v;
		if (series != NULL) {
			rows = json_array();
			json_array_foreach(json_object_get(all, "rows") ?
			    json_object_get(all, "rows") : all, i, v)
				if (strcmp(json_string_value(json_object_get(v,
				    "series_code")) ? json_string_value(
				    json_object_get(v, "series_code")) : "",
				    series) == 0)
					json_array_append(rows, v);
			json_decref(all);
		}
		rc = cli_json(json_pack("{s:s, s:i, s:s, s:o}", "version",
		    info.version, "seq", info.seq, "imported", info.imported_at,
		    "plan", rows));
	} else {
		printf("file plan version %.12s (%d), imported %s by %s from "
		    "%s\n", cli_vis(info.version), info.seq,
		    cli_vis(info.imported_at), cli_vis(info.actor),
		    cli_vis(info.source));
		for (i = 0; i < plan->nrows; i++)
			if (series == NULL || strcmp(plan->rows[i].series_code,
			    series) == 0)
				print_row(&plan->rows[i]);
		rc = EXIT_OK;
	}
	arh_fileplan_info_release(&info);
	arh_fileplan_free(plan);
	return rc;
}

static int
print_change(void *arg, enum arh_fileplan_change what,
    const struct arh_fileplan_row *before,
    const struct arh_fileplan_row *after, const char *const *fields,
    size_t nfields)
{
	size_t i;

	(*(int *)arg)++;
	if (what == ARH_FILEPLAN_ADDED)
		printf("+ %s %s\n", cli_vis(after->series_code),
		    cli_vis(after->series_title));
	else if (what == ARH_FILEPLAN_REMOVED)
		printf("- %s %s\n", cli_vis(before->series_code),
		    cli_vis(before->series_title));
	else {
		printf("~ %s:", cli_vis(after->series_code));
		for (i = 0; i < nfields; i++)
			printf(" %s", fields[i]);
		putchar('\n');
	}
	return 0;
}

static int
diff(struct arh_home *h, const char *v1, const char *v2)
{
	struct arh_fileplan *a = NULL, *b = NULL;
	struct arh_fileplan_info ia, ib;
	struct arh_err err;
	int rc, n = 0;

	arh_err_clear(&err);
	memset(&ia, 0, sizeof(ia));
	memset(&ib, 0, sizeof(ib));
	if ((rc = arh_fileplan_load(h, v1, &a, &ia, &err)) == 0 &&
	    (rc = arh_fileplan_load(h, v2, &b, &ib, &err)) == 0) {
		printf("file plan %.12s → %.12s\n", cli_vis(ia.version),
		    cli_vis(ib.version));
		rc = arh_fileplan_diff(a, b, print_change, &n);
		if (rc == 0 && n == 0)
			printf("no differences\n");
	}
	arh_fileplan_info_release(&ia);
	arh_fileplan_info_release(&ib);
	arh_fileplan_free(a);
	arh_fileplan_free(b);
	return rc ? cli_fail(rc, &err) : EXIT_OK;
}

int
cmd_fileplan(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "version", required_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	const char *sub, *version = NULL;
	struct arh_home *h = NULL;
	struct arh_err err;
	json_t *arr = NULL;
	int c, rc, json = 0;

	if (argc < 2)
		return cli_usage(USAGE);
	sub = argv[1];
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'j')
			json = 1;
		else if (c == 'v')
			version = optarg;
		else
			return cli_usage(USAGE);
	}
	argc -= optind;
	argv += optind;
	if ((strcmp(sub, "import") == 0 && argc != 1) ||
	    (strcmp(sub, "history") == 0 && argc != 0) ||
	    (strcmp(sub, "show") == 0 && argc > 1) ||
	    (strcmp(sub, "diff") == 0 && argc != 2) ||
	    (strcmp(sub, "import") && strcmp(sub, "history") &&
	    strcmp(sub, "show") && strcmp(sub, "diff")))
		return cli_usage(USAGE);
	arh_err_clear(&err);
	if ((rc = cli_open_home(cli, &h, &err)) != 0)
		return cli_fail(rc, &err);
	if (strcmp(sub, "import") == 0)
		rc = import(h, argv[0]);
	else if (strcmp(sub, "show") == 0)
		rc = show(h, version, argc ? argv[0] : NULL, json);
	else if (strcmp(sub, "diff") == 0)
		rc = diff(h, argv[0], argv[1]);
	else {
		arr = cli_list_begin(json);
		rc = arh_catalog_fileplan_history(h->cat, history_row, arr,
		    &err);
		rc = cli_list_end(arr, rc, &err);
	}
	arh_home_free(h);
	return rc;
}
