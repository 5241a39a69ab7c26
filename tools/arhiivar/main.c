/* main.c — arhiivar: dispatch a verb to its cmd_<verb>.c. */
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct {
	const char *name;
	int (*fn)(struct cli *, int, char **);
	const char *help;
} verbs[] = {
	{ "init", cmd_init, "create a home: config, seal key, catalog, store" },
	{ "ingest", cmd_ingest, "archive a closed case file directory" },
	{ "list", cmd_list, "list archived case files" },
	{ "show", cmd_show, "show an archive, its records and files" },
	{ "verify", cmd_verify, "verify an archive or a bare .tar" },
	{ "restore", cmd_restore, "restore one file, if access allows" },
	{ "register", cmd_register, "register import: entries to records" },
	{ "catalog", cmd_catalog, "catalog rebuild, reconcile: against the store" },
	{ "events", cmd_events, "the audit events, of one archive or all" },
	{ "log", cmd_log, "log verify, checkpoint, key, entry, prove, consistency, check-proof, check-consistency: the tamper-evident log" },
	{ "find", cmd_find, "which archives hold a digest or a record" },
	{ "fileplan", cmd_fileplan, "file plan: import, history, show, diff" },
	{ "policy", cmd_policy, "policy explain: which rules decided" },
	{ "hold", cmd_hold, "hold add, release, list: stop disposition" },
	{ "disposition", cmd_disposition, "disposition due, propose, approve, execute, lists, show, act: destruction" },
	{ "access", cmd_access, "access review, extend: restrictions ending, ended, extended" },
	{ "submit", cmd_submit, "put a case file into the daemon's inbox" },
	{ "status", cmd_status, "the daemon: queue, schedules, audits, attention" },
	{ "quarantine", cmd_quarantine, "quarantine list, retry: refused inbox items" },
	{ "audit", cmd_audit, "ask the daemon to audit an archive now" },
	{ "schedule", cmd_schedule, "schedule add, list, show, cancel, run-now: transfers" },
	{ "token", cmd_token, "token add, list, revoke: bearer tokens of the API" },
};

/* Usage to stderr with status 2, or with -h to stdout with status 0. */
static int
usage(FILE *f)
{
	size_t i;

	fputs("usage: arhiivar [-H HOME] VERB [ARGS]\n\nverbs:\n", f);
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-11s %s\n", verbs[i].name, verbs[i].help);
	fputs("\nHOME: -H, then $ARHIIVAR_HOME, then " ARH_DEFAULT_HOME
	    ".  See arhiivar(1).\n", f);
	return f == stdout ? EXIT_OK : EXIT_ERROR;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli cli;
	struct arh_err err;
	size_t i;
	int c, rc;

	/* libarchive 3.6 crashes on non-ASCII names in the C locale. */
	if (setlocale(LC_CTYPE, "") == NULL ||
	    strcmp(setlocale(LC_CTYPE, NULL), "C") == 0 ||
	    strcmp(setlocale(LC_CTYPE, NULL), "POSIX") == 0)
		setlocale(LC_CTYPE, "C.UTF-8");
	memset(&cli, 0, sizeof(cli));
	cli.home = getenv("ARHIIVAR_HOME");
	while ((c = getopt_long(argc, argv, "+H:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			if (*optarg == '\0') {
				cli_warn("-H needs the home's directory, not an "
				    "empty string");
				return EXIT_ERROR;
			}
			cli.home = optarg;
			break;
		case 'V':
			puts("arhiivar " ARH_VERSION);
			return EXIT_OK;
		case 'h':
			return usage(stdout);
		default:
			return usage(stderr);
		}
	}
	if (cli.home == NULL || *cli.home == '\0')
		cli.home = ARH_DEFAULT_HOME;
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return usage(stderr);
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(argv[0], verbs[i].name) == 0)
			break;
	if (i == sizeof(verbs) / sizeof(verbs[0])) {
		cli_warn("unknown verb '%s'; 'arhiivar -h' lists them", argv[0]);
		return EXIT_ERROR;
	}
	arh_err_clear(&err);
	if ((rc = arh_identity_current(&cli.id, &err)) != 0)
		return cli_fail(rc, &err);
	snprintf(cli.actor, sizeof(cli.actor), "%s (uid %ld)", cli.id.user,
	    (long)cli.id.uid);
	cli.verb = verbs[i].name;
	optind = 0;	/* glibc: re-initialise getopt for the verb */
	rc = verbs[i].fn(&cli, argc, argv);
	arh_identity_release(&cli.id);
	fflush(stdout);
	if (ferror(stdout)) {
		cli_warn("cannot write to standard output");
		return EXIT_ERROR;
	}
	return rc;
}
