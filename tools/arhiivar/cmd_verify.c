/*
 * cmd_verify.c — arhiivar verify [--json] [--trust CA.pem]... ARCHIVE|FILE.tar
 *                arhiivar verify [--json] [--quiet] --all
 *
 * A file path verifies a bare tar (an auditor's copy) and, when a home is
 * there and catalogues it, also against the catalog.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arhiivar/ops.h"
#include "cli.h"
#include "util.h"

#define USAGE "arhiivar verify [--json] [--quiet] [--trust CA.pem]... " \
	"ARCHIVE|FILE.tar | --all"
#define MAX_TRUST 16

/* The report as the caller may see it (redact.h). */
static int
redact(struct cli *cli, struct arh_home *h, struct arh_verify_report *rep,
    struct arh_err *err)
{
	struct arh_redact_caller who;
	char today[11];

	cli_caller(cli, h, today, &who);
	return arh_verify_redact(h, &who, rep, err);
}

static void
report_text(const char *what, int rc, const struct arh_verify_report *r)
{
	size_t i, total, payload = 0;

	for (i = 0; i < r->sum.nmembers; i++)
		payload += r->sum.members[i].payload != 0;
	if (rc == 0) {
		printf("%s: OK (%s, %zu payload files; sealed %s by %s)\n",
		    cli_vis(what), cli_vis(r->sum.name), payload,
		    cli_vis(r->sum.seal.signing_time),
		    cli_vis(r->sum.seal.subject));
		return;
	}
	total = r->n + r->unlisted;
	printf("%s: FAILED, %zu finding%s\n", cli_vis(what), total,
	    total == 1 ? "" : "s");
	/* Member names and messages are the archive's, not ours. */
	for (i = 0; i < r->n; i++)
		printf("  %-12s %s%s%s\n", r->items[i].layer,
		    cli_vis(r->items[i].member), r->items[i].member[0] ? ": " :
		    "", cli_vis(r->items[i].message));
	for (i = 0; i < r->nlayers; i++)
		if (r->layers[i].unlisted > 0)
			printf("  %-12s and %zu more finding%s of this layer, "
			    "not listed\n", r->layers[i].layer,
			    r->layers[i].unlisted,
			    r->layers[i].unlisted == 1 ? "" : "s");
}

/* A bare tar, checked against a catalog too when a home knows it. */
static int
verify_file(struct arh_home *h, const char *path, struct arh_trust *trust,
    struct arh_verify_report *rep, struct arh_err *err)
{
	int fd, rc;

	/* A FIFO named *.tar must not hang verify: a regular file only. */
	if ((rc = arh_open_regular(AT_FDCWD, path, 1, "archive file", &fd,
	    err)) != 0)
		return rc == ARH_ENOTFOUND ? (err->code = ARH_EIO) : rc;
	rc = arh_bag_verify(fd, trust, rep, err);
	close(fd);
	if ((rc == 0 || rc == ARH_EVERIFY) && h != NULL && rep->sum.name) {
		int c = arh_verify_catalog(h->cat, rep->sum.name, rep, err);
		if (c != 0 && c != ARH_ENOTFOUND)
			return c;
		arh_err_clear(err);
		rc = rep->n ? ARH_EVERIFY : 0;
	}
	return rc;
}

struct all {
	struct cli	 *cli;
	struct arh_home	 *h;
	struct arh_trust *trust;
	json_t		 *arr;
	struct cli_progress prog;	/* over the archives */
	int		  failed;	/* archives with findings */
	int		  errors;	/* archives not verified */
};

/*
 * One archive of --all.  An operational error (out of memory, an unreadable
 * file, a catalog error) is not a finding: the archive is reported as not
 * verified and the others are still checked.
 */
static int
verify_one(struct all *a, const char *name)
{
	struct arh_verify_report rep;
	struct arh_err err;
	int rc;

	arh_err_clear(&err);
	rc = arh_verify_catalogued(a->h, name, a->trust, &rep, &err);
	cli_progress_clear(&a->prog);
	/* What the caller may not see named is withheld before output. */
	if ((rc == 0 || rc == ARH_EVERIFY) && redact(a->cli, a->h, &rep,
	    &err) != 0)
		rc = ARH_ENOMEM;
	if (rc != 0 && rc != ARH_EVERIFY) {
		a->errors++;
		if (a->arr != NULL)
			json_array_append_new(a->arr, json_pack("{s:s, s:b, "
			    "s:s, s:[]}", "archive", name, "ok", 0, "error",
			    err.msg, "findings"));
		else
			printf("%s: ERROR, not verified\n", cli_vis(name));
		cli_warn("%s: not verified: %s", name, err.msg);
		arh_verify_report_release(&rep);
		return 0;
	}
	if (rc != 0)
		a->failed++;
	if (a->arr != NULL)
		json_array_append_new(a->arr, arh_verify_report_json(name, rc, &rep));
	else
		report_text(name, rc, &rep);
	arh_verify_report_release(&rep);
	return 0;
}

/* The catalog's size of each archive gives the bytes of the progress. */
static int
add_name(void *arg, const struct arh_archive_row *row)
{
	return json_array_append_new(arg, json_pack("{s:s, s:I}", "name",
	    row->name, "size", (json_int_t)row->size)) ? ARH_ENOMEM : 0;
}

/*
 * The list is read to the end before anything is verified: verifying
 * records events, and a write while the listing's read is still open
 * could not wait for other writers (SQLite would refuse at once).
 */
static int
verify_all(struct cli *cli, struct arh_home *h, struct arh_trust *trust,
    int json, int quiet)
{
	struct all a;
	struct arh_err err;
	json_t *names = json_array(), *v;
	uint64_t done = 0, total = 0;
	size_t i, n;
	int rc;

	memset(&a, 0, sizeof(a));
	a.cli = cli;
	a.h = h;
	a.trust = trust;
	a.arr = json ? json_array() : NULL;
	cli_progress_init(&a.prog, "verify", "archives", quiet || json);

	arh_err_clear(&err);
	if ((rc = arh_catalog_list(h->cat, add_name, names, &err)) != 0) {
		json_decref(names);
		json_decref(a.arr);
		return cli_fail(rc, &err);
	}
	n = json_array_size(names);
	json_array_foreach(names, i, v)
		total += (uint64_t)json_integer_value(json_object_get(v, "size"));
	json_array_foreach(names, i, v) {
		cli_progress_update(&a.prog, i, n, done, total);
		verify_one(&a, json_string_value(json_object_get(v, "name")));
		done += (uint64_t)json_integer_value(json_object_get(v, "size"));
	}
	json_decref(names);
	if (json)
		cli_json(a.arr);
	/* As diff(1): trouble outranks a difference, since an archive not
	 * verified may be damaged too. */
	if (a.errors) {
		cli_warn("%d archive%s could not be verified; run 'arhiivar "
		    "verify --all' again when the cause is fixed",
		    a.errors, a.errors == 1 ? "" : "s");
		return EXIT_ERROR;
	}
	return a.failed ? EXIT_NO : EXIT_OK;
}

int
cmd_verify(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "trust", required_argument, NULL, 't' },
		{ "all", no_argument, NULL, 'a' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 }
	};
	const char *trustv[MAX_TRUST];
	struct arh_verify_report rep;
	struct arh_archive_row row;
	struct arh_home *h = NULL;
	struct arh_trust *trust = NULL;
	struct arh_err err;
	size_t ntrust = 0;
	struct stat st;
	int c, rc, json = 0, all = 0, quiet = 0, isfile;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'j')
			json = 1;
		else if (c == 'a')
			all = 1;
		else if (c == 'q')
			quiet = 1;
		else if (c == 't' && ntrust < MAX_TRUST)
			trustv[ntrust++] = optarg;
		else if (c == 't') {
			cli_warn("at most %d --trust files; put the anchors "
			    "into fewer PEM files", MAX_TRUST);
			return EXIT_ERROR;
		} else
			return cli_usage(USAGE);
	}
	if (optind + (all ? 0 : 1) != argc)
		return cli_usage(USAGE);
	memset(&rep, 0, sizeof(rep));
	arh_err_clear(&err);
	/* A path only when it plainly is one: the rule restore uses. */
	isfile = !all && arh_spec_is_path(argv[optind]);
	/* An auditor's bare tar needs no home; use one if it is there. */
	if (!isfile || ntrust == 0 || access(cli->home, F_OK) == 0) {
		if ((rc = cli_open_home(cli, &h, &err)) != 0 && !isfile)
			goto out;
	}
	if ((rc = arh_home_trust(h, trustv, ntrust, &trust, &err)) != 0)
		goto out;
	if (all) {
		rc = verify_all(cli, h, trust, json, quiet);
		arh_trust_free(trust);
		arh_home_free(h);
		return rc;
	}
	if (isfile)
		rc = verify_file(h, argv[optind], trust, &rep, &err);
	else if ((rc = arh_resolve(h, argv[optind], &row, &err)) == 0)
		rc = arh_verify_catalogued(h, row.name, trust, &rep, &err);
	else if (rc == ARH_ENOTFOUND && stat(argv[optind], &st) == 0 &&
	    S_ISREG(st.st_mode)) {
		char msg[sizeof(err.msg)];

		memcpy(msg, err.msg, sizeof(msg));
		arh_errf(&err, rc, "%s; to verify the file of that name, write "
		    "'./%s'", msg, argv[optind]);
	}
	if ((rc == 0 || rc == ARH_EVERIFY) && redact(cli, h, &rep,
	    &err) != 0)
		rc = ARH_ENOMEM;
	if (rc == 0 || rc == ARH_EVERIFY) {
		if (json)
			cli_json(arh_verify_report_json(argv[optind], rc, &rep));
		else
			report_text(argv[optind], rc, &rep);
	}
out:
	arh_verify_report_release(&rep);
	arh_trust_free(trust);
	arh_home_free(h);
	if (rc != 0 && rc != ARH_EVERIFY)
		return cli_fail(rc, &err);
	return rc ? EXIT_NO : EXIT_OK;
}
