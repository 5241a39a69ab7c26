/*
 * cmd_restore.c — arhiivar restore [--trust CA.pem]... [-o OUT|-] [--force]
 *                 ARCHIVE|FILE.tar PATH
 *
 * ARCHIVE is restored through the catalog; FILE.tar (arh_spec_is_path())
 * is read as it is, with or without a home: a disaster-recovery or an
 * auditor's copy.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "arhiivar/ops.h"
#include "cli.h"

#define USAGE "arhiivar restore [--trust CA.pem]... [-o OUT|-] [--force] " \
	"ARCHIVE|FILE.tar PATH"
#define MAX_TRUST 16

/*
 * A bare copy needs no home; one that exists is opened, for its roles,
 * its trust anchors and its audit trail.
 */
static int
open_for_copy(struct cli *cli, struct arh_home **h, struct arh_err *err)
{
	*h = NULL;
	if (access(cli->home, F_OK) == 0)
		return cli_open_home(cli, h, err);
	return arh_identity_resolve_roles(&cli->id, NULL);
}

/*
 * 1 if this caller cannot read the store but a daemon serves the home:
 * then the daemon restores (it checks the access policy for the caller
 * the kernel names) and streams the file to a descriptor passed to it.
 */
static int
through_daemon(const struct cli *cli)
{
	char store[4096], sock[4096];
	struct arh_err err;

	snprintf(store, sizeof(store), "%s/store", cli->home);
	if (access(store, R_OK | X_OK) == 0)
		return 0;
	return cli_ctl_path(cli, sock, sizeof(sock), &err) == 0 &&
	    access(sock, F_OK) == 0;
}

static int
restore_via_daemon(struct cli *cli, const char *archive, const char *path,
    const char *out, int force, struct arh_err *err)
{
	char dir[4096], proc[64];
	json_t *req, *ans = NULL;
	int fd = STDOUT_FILENO, rc;
	struct stat st;

	if (out != NULL) {
		if (!force && lstat(out, &st) == 0)
			return arh_errf(err, ARH_EEXIST, "'%s' exists: remove "
			    "it or give --force", out);
		snprintf(dir, sizeof(dir), "%s", out);
		/* Unnamed until the daemon says the bytes are checked. */
		if ((fd = open(dirname(dir), O_TMPFILE | O_WRONLY | O_CLOEXEC,
		    0600)) == -1)
			return arh_errno(err, ARH_EIO, errno, "cannot create a "
			    "file beside '%s'", out);
	}
	if ((req = json_pack("{s:s, s:s, s:s}", "op", "restore", "archive",
	    archive, "path", path)) == NULL) {
		rc = arh_errf(err, ARH_ENOMEM, "out of memory");
		goto out;
	}
	rc = cli_ctl(cli, req, fd, &ans, err);
	json_decref(req);
	json_decref(ans);
	if (rc != 0 || out == NULL)
		goto out;
	if (fsync(fd) == -1) {
		rc = arh_errno(err, ARH_EIO, errno, "cannot write '%s'", out);
		goto out;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (force)
		(void)unlink(out);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, out, AT_SYMLINK_FOLLOW) == -1) {
		rc = arh_errno(err, errno == EEXIST ? ARH_EEXIST : ARH_EIO, errno,
		    "cannot create '%s'", out);
		goto out;
	}
	fprintf(stderr, "arhiivar: restored '%s' from %s to '%s' through the "
	    "daemon (checked against the sealed manifest)\n", cli_vis(path),
	    cli_vis(archive), cli_vis(out));
out:
	if (fd != STDOUT_FILENO)
		close(fd);
	return rc;
}

int
cmd_restore(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "trust", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	const char *trustv[MAX_TRUST];
	struct arh_restore_req req;
	struct arh_archive_row row;
	struct arh_home *h = NULL;
	struct arh_trust *trust = NULL;
	struct arh_err err;
	const char *out = NULL, *base, *from;
	size_t ntrust = 0;
	int c, rc, status, force = 0, isfile;

	while ((c = getopt_long(argc, argv, "o:f", opts, NULL)) != -1) {
		if (c == 'o')
			out = optarg;
		else if (c == 'f')
			force = 1;
		else if (c == 't' && ntrust < MAX_TRUST)
			trustv[ntrust++] = optarg;
		else
			return cli_usage(USAGE);
	}
	if (optind + 2 != argc)
		return cli_usage(USAGE);
	arh_err_clear(&err);
	memset(&req, 0, sizeof(req));
	isfile = arh_spec_is_path(argv[optind]);
	if (!isfile && ntrust == 0 && through_daemon(cli)) {
		base = strrchr(argv[optind + 1], '/');
		rc = restore_via_daemon(cli, argv[optind], argv[optind + 1],
		    out == NULL ? (base ? base + 1 : argv[optind + 1]) :
		    strcmp(out, "-") == 0 ? NULL : out, force, &err);
		return rc ? cli_fail(rc, &err) : EXIT_OK;
	}
	if ((rc = isfile ? open_for_copy(cli, &h, &err) :
	    cli_open_home(cli, &h, &err)) != 0)
		goto out;
	if ((isfile || ntrust > 0) &&
	    (rc = arh_home_trust(h, trustv, ntrust, &trust, &err)) != 0)
		goto out;
	req.path = argv[optind + 1];
	/* Default: the file's own name, in the current directory. */
	base = strrchr(req.path, '/');
	req.out = out == NULL ? (base ? base + 1 : req.path) :
	    strcmp(out, "-") == 0 ? NULL : out;
	req.force = force;
	req.who = &cli->id;
	req.trust = trust;
	if (isfile) {
		rc = arh_restore_copy(h, argv[optind], &req, &err);
		from = req.bag;
	} else {
		if ((rc = arh_resolve(h, argv[optind], &row, &err)) != 0)
			goto out;
		req.archive = row.name;
		rc = arh_restore(h, &req, &err);
		from = row.name;
	}
	if (rc == 0 && req.out != NULL)
		fprintf(stderr, "arhiivar: restored '%s' from %s to '%s' "
		    "(checked against the sealed manifest)\n",
		    cli_vis(req.path), cli_vis(from), cli_vis(req.out));
out:
	status = rc ? cli_fail(rc, &err) : EXIT_OK;
	if (isfile && h == NULL && (rc == 0 || rc == ARH_EDENIED))
		cli_warn("note: there is no home at '%s', so no audit event "
		    "was recorded", cli->home);
	arh_trust_free(trust);
	arh_home_free(h);
	return status;
}
