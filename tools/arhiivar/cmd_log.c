/*
 * cmd_log.c — the tamper-evident log (FORMAT.md 11):
 *
 *   arhiivar log verify                 rebuild the tree, check everything
 *   arhiivar log checkpoint             the newest signed checkpoint (a
 *                                       writer signs one of the log first
 *                                       if it has grown since)
 *   arhiivar log key                    the log's verifier key
 *   arhiivar log entry N                leaf N's entry, the bytes hashed
 *   arhiivar log prove ARCHIVE|--event ID [-o FILE]
 *                                       a c2sp.org/tlog-proof@v1 file
 *   arhiivar log consistency OLD [NEW]  a consistency proof between two
 *                                       checkpoint files (NEW: the newest)
 *   arhiivar log check-proof FILE --key VKEY [--entry FILE]
 *   arhiivar log check-consistency OLD NEW PROOF --key VKEY
 *
 * The two check- verbs open no home: they are what an auditor runs on a
 * machine of their own, with the verifier key they pinned.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arhiivar/log.h"
#include "arhiivar/note.h"
#include "arhiivar/ops.h"
#include "cli.h"
#include "util.h"

#define USAGE "arhiivar log verify | checkpoint | key | entry N | " \
	"prove ARCHIVE|--event ID [-o FILE] | consistency OLD [NEW] | " \
	"check-proof FILE --key VKEY [--entry FILE] | " \
	"check-consistency OLD NEW PROOF --key VKEY"

static int
read_arg(const char *path, size_t cap, char **buf, size_t *len,
    struct arh_err *err)
{
	int rc;

	if ((rc = arh_read_file(AT_FDCWD, path, cap, buf, len, err)) != 0)
		return rc;
	return 0;
}

static int
put_out(const char *path, const char *buf, size_t len)
{
	struct arh_err err;
	char dir[4096], *base;
	int dfd, rc;

	if (path == NULL || strcmp(path, "-") == 0) {
		if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0) {
			cli_warn("cannot write to standard output");
			return EXIT_ERROR;
		}
		return EXIT_OK;
	}
	/* Published whole or not at all: beside its final name, in its
	 * directory. */
	arh_err_clear(&err);
	if ((size_t)snprintf(dir, sizeof(dir), "%s", path) >= sizeof(dir)) {
		cli_warn("'%s': the name is too long", cli_vis(path));
		return EXIT_ERROR;
	}
	base = strrchr(dir, '/');
	if (base != NULL) {
		*base++ = '\0';
		dfd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	} else {
		base = dir;
		dfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (dfd == -1) {
		cli_warn("cannot open the directory of '%s': %s", cli_vis(path),
		    strerror(errno));
		return EXIT_ERROR;
	}
	rc = arh_write_file_atomic(dfd, base, buf, len, 0644, 0, &err);
	close(dfd);
	return rc != 0 ? cli_fail(rc, &err) : EXIT_OK;
}

static int
problem(void *arg, const char *msg)
{
	(void)arg;
	printf("log: %s\n", cli_vis(msg));
	return 0;
}

static int
verify(struct arh_home *h)
{
	struct arh_log_summary sum;
	struct arh_err err;
	char root[65];
	int rc;

	arh_err_clear(&err);
	rc = arh_catalog_log_verify(h->cat, problem, NULL, &sum, &err);
	if (rc != 0 && rc != ARH_EVERIFY)
		return cli_fail(rc, &err);
	arh_hex(sum.root, sizeof(sum.root), root);
	printf("%s: %llu leaves, %llu checkpoints, root %s\n",
	    rc == 0 ? "ok" : "FAILED", (unsigned long long)sum.leaves,
	    (unsigned long long)sum.checkpoints, root);
	return rc == 0 ? EXIT_OK : EXIT_NO;
}

/* The newest checkpoint; a writer first signs one if the log has grown
 * past it, so that what is printed covers every committed leaf. */
static int
checkpoint(struct arh_home *h)
{
	struct arh_err err;
	char *note = NULL;
	uint64_t size = 0, have = 0;
	int rc;

	arh_err_clear(&err);
	rc = arh_log_latest(h->cat, &note, &have, &err);
	if (rc != 0 && rc != ARH_ENOTFOUND)
		return cli_fail(rc, &err);
	if (!arh_catalog_readonly(h->cat)) {
		int found = rc == 0;

		if ((rc = arh_catalog_log_size(h->cat, &size, &err)) != 0) {
			free(note);
			return cli_fail(rc, &err);
		}
		if (!found || size > have) {
			free(note);
			note = NULL;
			rc = arh_log_checkpoint(h, &note, NULL, &err);
		}
	}
	if (rc != 0)
		return cli_fail(rc, &err);
	rc = put_out(NULL, note, strlen(note));
	free(note);
	return rc;
}

static int
key(struct arh_home *h)
{
	struct arh_err err;
	char *origin = NULL, *vkey = NULL;
	int rc;

	arh_err_clear(&err);
	if ((rc = arh_catalog_log_key(h->cat, &origin, &vkey, &err)) != 0)
		return cli_fail(rc, &err);
	printf("%s\n", vkey);
	free(origin);
	free(vkey);
	return EXIT_OK;
}

static int
entry(struct arh_home *h, const char *arg)
{
	struct arh_log_leaf l;
	struct arh_err err;
	char *end;
	unsigned long long n;
	int rc;

	n = strtoull(arg, &end, 10);
	if (*arg < '0' || *arg > '9' || *end != '\0')
		return cli_usage(USAGE);
	arh_err_clear(&err);
	if ((rc = arh_catalog_log_leaf(h->cat, (uint64_t)n, &l, &err)) != 0)
		return cli_fail(rc, &err);
	rc = put_out(NULL, l.entry, l.len);
	arh_log_leaf_release(&l);
	return rc;
}

static int
prove(struct arh_home *h, const char *archive, long long event,
    const char *out)
{
	struct arh_err err;
	char *proof = NULL;
	size_t len;
	int rc;

	arh_err_clear(&err);
	if ((rc = arh_log_prove(h->cat, archive, event, &proof, &len, &err)) != 0)
		return cli_fail(rc, &err);
	rc = put_out(out, proof, len);
	free(proof);
	return rc;
}

static int
consistency(struct arh_home *h, const char *oldp, const char *newp)
{
	struct arh_err err;
	char *old = NULL, *new = NULL, *proof = NULL;
	size_t oldlen = 0, newlen = 0, len;
	int rc;

	arh_err_clear(&err);
	if ((rc = read_arg(oldp, ARH_NOTE_MAX, &old, &oldlen, &err)) != 0 ||
	    (newp != NULL && (rc = read_arg(newp, ARH_NOTE_MAX, &new, &newlen,
	    &err)) != 0) ||
	    (rc = arh_log_consistency(h, old, oldlen, new, newlen, &proof,
	    &len, &err)) != 0)
		rc = cli_fail(rc, &err);
	else
		rc = put_out(NULL, proof, len);
	free(old);
	free(new);
	free(proof);
	return rc;
}

static int
check_proof(const char *path, const char *vkey, const char *entryp)
{
	struct arh_log_proven res;
	struct arh_err err;
	char *buf = NULL, *ent = NULL;
	size_t len = 0, entlen = 0;
	int rc;

	arh_err_clear(&err);
	if ((rc = read_arg(path, ARH_TLOG_PROOF_MAX, &buf, &len, &err)) != 0 ||
	    (entryp != NULL && (rc = read_arg(entryp, ARH_LOG_ENTRY_MAX, &ent,
	    &entlen, &err)) != 0) ||
	    (rc = arh_log_check_proof(buf, len, vkey, ent, entlen, &res,
	    &err)) != 0)
		rc = cli_fail(rc, &err);
	else {
		printf("ok: entry %llu is in the tree of %llu leaves signed by "
		    "%s\n", (unsigned long long)res.index,
		    (unsigned long long)res.size, cli_vis(res.origin));
		rc = EXIT_OK;
	}
	free(buf);
	free(ent);
	return rc;
}

static int
check_consistency(char **argv, const char *vkey)
{
	struct arh_err err;
	char *b[3] = { NULL, NULL, NULL };
	size_t n[3] = { 0, 0, 0 };
	int i, rc = 0;

	arh_err_clear(&err);
	for (i = 0; i < 3 && rc == 0; i++)
		rc = read_arg(argv[i], i < 2 ? ARH_NOTE_MAX :
		    ARH_CONSISTENCY_PROOF_MAX, &b[i], &n[i], &err);
	if (rc == 0)
		rc = arh_log_check_consistency(b[0], n[0], b[1], n[1], b[2],
		    n[2], vkey, &err);
	if (rc != 0)
		rc = cli_fail(rc, &err);
	else {
		printf("ok: the log of '%s' grew from the old checkpoint to the "
		    "new one without changing a leaf\n", cli_vis(argv[0]));
		rc = EXIT_OK;
	}
	for (i = 0; i < 3; i++)
		free(b[i]);
	return rc;
}

int
cmd_log(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "event", required_argument, NULL, 'e' },
		{ "key", required_argument, NULL, 'k' },
		{ "entry", required_argument, NULL, 'E' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	const char *sub, *vkey = NULL, *entryp = NULL, *out = NULL;
	struct arh_home *h = NULL;
	struct arh_err err;
	long long event = 0;
	char *end;
	int c, rc;

	if (argc < 2)
		return cli_usage(USAGE);
	sub = argv[1];
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		if (c == 'e') {
			event = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || event <= 0)
				return cli_usage(USAGE);
		} else if (c == 'k')
			vkey = optarg;
		else if (c == 'E')
			entryp = optarg;
		else if (c == 'o')
			out = optarg;
		else
			return cli_usage(USAGE);
	}
	argc -= optind;
	argv += optind;
	/* The auditor's verbs: no home. */
	if (strcmp(sub, "check-proof") == 0)
		return argc == 1 && vkey != NULL ? check_proof(argv[0], vkey,
		    entryp) : cli_usage(USAGE);
	if (strcmp(sub, "check-consistency") == 0)
		return argc == 3 && vkey != NULL ? check_consistency(argv,
		    vkey) : cli_usage(USAGE);
	if (!((strcmp(sub, "verify") == 0 && argc == 0) ||
	    (strcmp(sub, "checkpoint") == 0 && argc == 0) ||
	    (strcmp(sub, "key") == 0 && argc == 0) ||
	    (strcmp(sub, "entry") == 0 && argc == 1) ||
	    (strcmp(sub, "prove") == 0 && (argc == 1) != (event > 0)) ||
	    (strcmp(sub, "consistency") == 0 && (argc == 1 || argc == 2))))
		return cli_usage(USAGE);
	arh_err_clear(&err);
	if ((rc = cli_open_home(cli, &h, &err)) != 0)
		return cli_fail(rc, &err);
	if (strcmp(sub, "verify") == 0)
		rc = verify(h);
	else if (strcmp(sub, "checkpoint") == 0)
		rc = checkpoint(h);
	else if (strcmp(sub, "key") == 0)
		rc = key(h);
	else if (strcmp(sub, "entry") == 0)
		rc = entry(h, argv[0]);
	else if (strcmp(sub, "prove") == 0)
		rc = prove(h, argc == 1 ? argv[0] : NULL, event, out);
	else
		rc = consistency(h, argv[0], argc == 2 ? argv[1] : NULL);
	arh_home_free(h);
	return rc;
}
