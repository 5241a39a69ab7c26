/* cmd_register.c — arhiivar register import -C CASEDIR ENTRY.txt... */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arhiivar/register.h"
#include "cli.h"

#define USAGE "arhiivar register import -C CASEDIR ENTRY.txt..."

/* The whole entry file, capped at ARH_MAX_ENTRY_BYTES. */
static int
read_entry(const char *path, char **buf, size_t *len, struct arh_err *err)
{
	FILE *f;
	size_t n;

	*buf = NULL;
	if ((f = fopen(path, "rb")) == NULL)
		return arh_errno(err, ARH_EIO, errno, "cannot open '%s'", path);
	if ((*buf = malloc(ARH_MAX_ENTRY_BYTES + 1)) == NULL) {
		fclose(f);
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	}
	n = fread(*buf, 1, ARH_MAX_ENTRY_BYTES + 1, f);
	if (ferror(f) || n > ARH_MAX_ENTRY_BYTES) {
		int bad = ferror(f);
		fclose(f);
		free(*buf);
		*buf = NULL;
		if (bad)
			return arh_errf(err, ARH_EIO, "cannot read '%s'", path);
		return arh_errf(err, ARH_EINVAL, "'%s' is larger than %d "
		    "bytes; is it a register entry?", path, ARH_MAX_ENTRY_BYTES);
	}
	fclose(f);
	(*buf)[n] = '\0';
	*len = n;
	return 0;
}

/* Parse every entry first: nothing is written unless all of them parse. */
static int
parse_all(char **files, int n, struct arh_register_entry *e,
    struct arh_problems *probs, struct arh_err *err)
{
	char *buf;
	size_t len = 0;
	int i, rc, bad = 0;

	for (i = 0; i < n; i++) {
		rc = read_entry(files[i], &buf, &len, err);
		if (rc != 0)
			return rc;
		rc = arh_register_parse(files[i], buf, len, &e[i], probs);
		free(buf);
		if (rc == ARH_EINVAL)
			bad = 1;
		else if (rc != 0)
			return arh_errf(err, rc, "cannot parse '%s'", files[i]);
	}
	return bad ? ARH_EINVAL : 0;
}

/*
 * Refuse the batch before writing anything if a record folder exists or two
 * entries share a reference: a half-imported batch is hard to undo.
 */
static int
check_targets(const char *casedir, const struct arh_register_entry *e, int n,
    struct arh_err *err)
{
	char path[4096], *p;
	const char *ref, *other;
	int i, j;

	for (i = 0; i < n; i++) {
		ref = json_string_value(json_object_get(e[i].record,
		    "reference"));
		for (j = 0; j < i; j++) {
			other = json_string_value(json_object_get(e[j].record,
			    "reference"));
			if (strcmp(ref, other) == 0)
				return arh_errf(err, ARH_EINVAL, "two entries "
				    "have reference %s; nothing was imported",
				    ref);
		}
		snprintf(path, sizeof(path), "%s/%s", casedir, ref);
		for (p = path + strlen(casedir) + 1; *p; p++)
			if (*p == '/')
				*p = '_';
		if (access(path, F_OK) == 0)
			return arh_errf(err, ARH_EEXIST, "record folder '%s' "
			    "already exists; nothing was imported: remove it "
			    "or import into another case directory", path);
	}
	return 0;
}

int
cmd_register(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "case-dir", required_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 }
	};
	struct arh_register_entry *e = NULL;
	struct arh_problems probs;
	struct arh_err err;
	const char *casedir = NULL;
	char *folder;
	size_t swept;
	int c, i, n, rc;

	(void)cli;
	if (argc < 2 || strcmp(argv[1], "import") != 0)
		return cli_usage(USAGE);
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "C:", opts, NULL)) != -1) {
		if (c != 'C')
			return cli_usage(USAGE);
		casedir = optarg;
	}
	if (casedir == NULL || optind >= argc)
		return cli_usage(USAGE);
	n = argc - optind;
	arh_err_clear(&err);
	arh_problems_init(&probs);
	if ((e = calloc((size_t)n, sizeof(*e))) == NULL)
		return cli_fail(ARH_ENOMEM, NULL);
	rc = parse_all(argv + optind, n, e, &probs, &err);
	if (rc == ARH_EINVAL && probs.n > 0) {
		cli_problems(&probs);
		arh_errf(&err, rc, "nothing was imported: %zu problem%s above; "
		    "fix %s and import again", probs.n, probs.n == 1 ? "" : "s",
		    probs.n == 1 ? "it" : "them");
	}
	if (rc == 0 && (rc = arh_register_sweep(casedir, &swept, &err)) == 0 &&
	    swept > 0)
		cli_warn("removed %zu leftover%s of an interrupted import from "
		    "'%s'", swept, swept == 1 ? "" : "s", casedir);
	if (rc == 0)
		rc = check_targets(casedir, e, n, &err);
	for (i = 0; rc == 0 && i < n; i++) {
		if ((rc = arh_register_write(&e[i], casedir, &folder,
		    &err)) == 0) {
			printf("imported %s as '%s/%s'\n",
			    cli_vis(argv[optind + i]), cli_vis(casedir),
			    cli_vis(folder));
			free(folder);
		}
	}
	for (i = 0; i < n; i++)
		arh_register_entry_release(&e[i]);
	free(e);
	arh_problems_release(&probs);
	return rc ? cli_fail(rc, &err) : EXIT_OK;
}
