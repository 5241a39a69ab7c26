/*
 * cmd_audit.c — arhiivar audit [ARCHIVE]
 *
 * Ask the daemon to audit one archive (or every archive) now, ahead of
 * the rotation; the results show in `arhiivar status` and as events.
 * Auditors only.
 */
#include <stdio.h>

#include "cli.h"
#include "util.h"

#define USAGE "arhiivar audit [ARCHIVE]"

int
cmd_audit(struct cli *cli, int argc, char **argv)
{
	struct arh_err err;
	json_t *req, *ans = NULL;
	int rc;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-'))
		return cli_usage(USAGE);
	arh_err_clear(&err);
	req = argc == 2 ? json_pack("{s:s, s:s}", "op", "audit", "archive",
	    argv[1]) : json_pack("{s:s}", "op", "audit");
	if (req == NULL)
		return cli_fail(ARH_ENOMEM, &err);
	rc = cli_ctl(cli, req, -1, &ans, &err);
	json_decref(req);
	if (rc == 0)
		printf("audit of %s requested: see 'arhiivar status'\n",
		    cli_vis(arh_json_str(ans, "audit")));
	json_decref(ans);
	return rc == 0 ? EXIT_OK : cli_fail(rc, &err);
}
