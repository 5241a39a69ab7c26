/*
 * cmd_status.c — arhiivar status [--json]
 *
 * What the daemon is doing and what needs a person: asked of the daemon
 * over its control socket.  Exit 1 when anything needs attention (a
 * failed job, a failed audit, a quarantined item), 2 when the daemon does
 * not answer.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "util.h"

#define USAGE "arhiivar status [--json]"

static void
print_list(const char *title, const json_t *arr)
{
	size_t i;
	const json_t *v;

	if (json_array_size(arr) == 0)
		return;
	printf("%s:\n", title);
	json_array_foreach(arr, i, v) {
		if (json_is_string(v))
			printf("  %s\n", cli_vis(json_string_value(v)));
	}
}

int
cmd_status(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct arh_err err;
	json_t *req, *ans = NULL, *audits;
	int c, json = 0, rc, attention;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'j')
			json = 1;
		else
			return cli_usage(USAGE);
	}
	if (optind != argc)
		return cli_usage(USAGE);
	arh_err_clear(&err);
	if ((req = json_pack("{s:s}", "op", "status")) == NULL)
		return cli_fail(ARH_ENOMEM, &err);
	rc = cli_ctl(cli, req, -1, &ans, &err);
	json_decref(req);
	if (rc != 0) {
		json_decref(ans);
		cli_warn("%s", err.msg);
		return EXIT_ERROR;
	}
	attention = json_array_size(json_object_get(ans, "attention")) > 0;
	if (json) {
		cli_json(ans);
		return attention ? EXIT_NO : EXIT_OK;
	}
	audits = json_object_get(ans, "audits");
	printf("arhiivard: up since %s, %s\n",
	    cli_vis(arh_json_str(ans, "since")),
	    cli_vis(arh_json_str(ans, "doing")));
	printf("inbox: %lld waiting, %lld in quarantine\n",
	    (long long)json_integer_value(json_object_get(ans, "queue")),
	    (long long)json_integer_value(json_object_get(ans, "quarantine")));
	printf("audits: %lld ok, %lld failed, %lld not yet audited; last: %s\n",
	    (long long)json_integer_value(json_object_get(audits, "ok")),
	    (long long)json_integer_value(json_object_get(audits, "failed")),
	    (long long)json_integer_value(json_object_get(audits, "pending")),
	    cli_vis(arh_json_str(audits, "last")));
	print_list("next scheduled transfers", json_object_get(ans, "next_runs"));
	print_list("needs attention", json_object_get(ans, "attention"));
	json_decref(ans);
	return attention ? EXIT_NO : EXIT_OK;
}
