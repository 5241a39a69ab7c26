/*
 * cmd_token.c — arhiivar token add --role ROLE [--label TEXT]
 *               arhiivar token list [--json]
 *               arhiivar token revoke ID
 *
 * Bearer tokens of the verification API (docs/API.md).  A new token is
 * printed once; the home keeps only its SHA-256.  Every verb needs the
 * role the role table gives token administration (records-manager).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "arhiivar/token.h"
#include "cli.h"

#define USAGE "arhiivar token add --role ROLE [--label TEXT] | list [--json] " \
	"| revoke ID"

static int
print_token(void *arg, const struct arh_token *t)
{
	if (arg != NULL)
		return cli_list_add(arg, json_pack("{s:I, s:s, s:s?, s:s, s:s, "
		    "s:s?}", "id", (json_int_t)t->id, "role", t->role, "label",
		    t->label[0] ? t->label : NULL, "created", t->created_at,
		    "created_by", t->created_by, "revoked", t->revoked_at[0] ?
		    t->revoked_at : NULL));
	printf("%ld  %s  %s  created %s by %s%s%s\n", t->id, cli_vis(t->role),
	    t->label[0] ? cli_vis(t->label) : "-", cli_vis(t->created_at),
	    cli_vis(t->created_by), t->revoked_at[0] ? "; revoked " : "",
	    cli_vis(t->revoked_at));
	return 0;
}

static int
add(struct arh_home *h, struct cli *cli, const char *role, const char *label)
{
	char token[ARH_TOKEN_LEN + 1];
	struct arh_err err;
	long id;
	int rc;

	arh_err_clear(&err);
	if ((rc = arh_token_issue(h, &cli->id, role, label, token, &id,
	    &err)) != 0)
		return cli_fail(rc, &err);
	printf("%s\n", token);
	fprintf(stderr, "arhiivar: token %ld for role %s; it is shown only "
	    "now: give it as 'Authorization: Bearer TOKEN'\n", id,
	    cli_vis(role));
	OPENSSL_cleanse(token, sizeof(token));
	return EXIT_OK;
}

int
cmd_token(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "label", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	const char *sub, *role = NULL, *label = NULL;
	struct arh_home *h = NULL;
	struct arh_err err;
	json_t *arr;
	char *end;
	long id;
	int c, rc, json = 0;

	if (argc < 2)
		return cli_usage(USAGE);
	sub = argv[1];
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'r')
			role = optarg;
		else if (c == 'l')
			label = optarg;
		else if (c == 'j')
			json = 1;
		else
			return cli_usage(USAGE);
	}
	argc -= optind;
	argv += optind;
	if (!((strcmp(sub, "add") == 0 && argc == 0 && role != NULL) ||
	    (strcmp(sub, "list") == 0 && argc == 0) ||
	    (strcmp(sub, "revoke") == 0 && argc == 1)))
		return cli_usage(USAGE);
	arh_err_clear(&err);
	if ((rc = cli_open_home(cli, &h, &err)) != 0)
		return cli_fail(rc, &err);
	if (strcmp(sub, "add") == 0)
		rc = add(h, cli, role, label);
	else if (strcmp(sub, "revoke") == 0) {
		id = strtol(argv[0], &end, 10);
		if (*argv[0] == '\0' || *end != '\0' || id <= 0)
			rc = cli_usage(USAGE);
		else if ((rc = arh_token_revoke(h, &cli->id, id, &err)) != 0)
			rc = cli_fail(rc, &err);
		else
			printf("token %ld revoked\n", id);
	} else {
		arr = cli_list_begin(json);
		rc = arh_token_list(h, &cli->id, print_token, arr, &err);
		rc = cli_list_end(arr, rc, &err);
	}
	arh_home_free(h);
	return rc;
}
