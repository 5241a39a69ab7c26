/* cmd_ingest.c — arhiivar ingest [--new-version] [--json] [--quiet] CASEDIR */
#include <getopt.h>
#include <stdio.h>

#include "arhiivar/ops.h"
#include "cli.h"

#define USAGE "arhiivar ingest [--new-version] [--json] [--quiet] CASEDIR"

static int
report(const struct arh_ingest_result *r, int json)
{
	/* Archived and catalogued all the same: a warning, status 0. */
	if (r->log_warning[0] != '\0')
		cli_warn("warning: %s", r->log_warning);
	if (json)
		return cli_json(json_pack("{s:s, s:i, s:I, s:I, s:I, s:I, s:s, "
		    "s:I}", "archive", r->name, "version", r->version,
		    "records", (json_int_t)r->nrecords,
		    "files", (json_int_t)r->nfiles,
		    "payload_bytes", (json_int_t)r->payload_bytes,
		    "size", (json_int_t)r->tar_size, "sha256", r->tar_sha256,
		    "internal_records", (json_int_t)r->ninternal));
	printf("archived %s: %zu records (%zu internal use), %zu files, "
	    "%llu bytes of payload\n", cli_vis(r->name), r->nrecords,
	    r->ninternal, r->nfiles, (unsigned long long)r->payload_bytes);
	printf("archive size %llu bytes, SHA-256 %s\n",
	    (unsigned long long)r->tar_size, r->tar_sha256);
	return EXIT_OK;
}

int
cmd_ingest(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "new-version", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_progress prog;
	struct arh_ingest_result res;
	struct arh_problems probs;
	struct arh_home *h = NULL;
	struct arh_err err;
	int c, rc, newv = 0, json = 0, quiet = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'n')
			newv = 1;
		else if (c == 'j')
			json = 1;
		else if (c == 'q')
			quiet = 1;
		else
			return cli_usage(USAGE);
	}
	if (optind + 1 != argc)
		return cli_usage(USAGE);
	arh_err_clear(&err);
	arh_problems_init(&probs);
	if ((rc = cli_open_home(cli, &h, &err)) != 0)
		goto out;
	cli_progress_init(&prog, "ingest", "files", quiet || json);
	rc = arh_ingest_progress(h, argv[optind], newv, cli_progress_of(&prog),
	    &res, &probs, &err);
	cli_progress_clear(&prog);
	if (rc == ARH_EINVAL && probs.n > 0) {
		cli_problems(&probs);
		arh_errf(&err, rc, "case directory '%s' was not archived: %zu "
		    "problem%s above; fix %s and ingest again", argv[optind],
		    probs.n, probs.n == 1 ? "" : "s",
		    probs.n == 1 ? "it" : "them");
	}
out:
	arh_problems_release(&probs);
	arh_home_free(h);
	if (rc != 0)
		return cli_fail(rc, &err);
	return report(&res, json);
}
