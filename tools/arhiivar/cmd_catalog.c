/* cmd_catalog.c — arhiivar catalog rebuild | reconcile */
#include <stdio.h>
#include <string.h>

#include "arhiivar/ops.h"
#include "cli.h"

int
cmd_catalog(struct cli *cli, int argc, char **argv)
{
	struct arh_problems notes;
	struct arh_home *h = NULL;
	struct arh_err err;
	size_t i;
	int rc;

	if (argc != 2 || (strcmp(argv[1], "rebuild") != 0 &&
	    strcmp(argv[1], "reconcile") != 0))
		return cli_usage("arhiivar catalog rebuild | reconcile");
	arh_err_clear(&err);
	arh_problems_init(&notes);
	if ((rc = cli_open_home(cli, &h, &err)) == 0)
		rc = strcmp(argv[1], "rebuild") == 0 ?
		    arh_rebuild(h, &notes, &err) :
		    arh_reconcile(h, &notes, &err);
	for (i = 0; i < notes.n; i++)
		printf("%s\n", cli_vis(notes.items[i]));
	arh_problems_release(&notes);
	arh_home_free(h);
	return rc ? cli_fail(rc, &err) : EXIT_OK;
}
