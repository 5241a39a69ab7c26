/* cli.c — messages, exit status and home opening for the subcommands. */
#include <sys/stat.h>

#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arhiivar/input.h"
#include "cli.h"
#include "text.h"

#define VIS_SLOTS	32	/* cli_vis() copies alive at once */

static char	*vis[VIS_SLOTS];
static size_t	 vis_next;

static void
vis_free(void)
{
	size_t i;

	for (i = 0; i < VIS_SLOTS; i++) {
		free(vis[i]);
		vis[i] = NULL;
	}
}

const char *
cli_vis(const char *s)
{
	static int registered;
	size_t n;
	char *out;

	if (s == NULL)
		return "";
	n = strlen(s);
	if (n > (SIZE_MAX - 4) / 4 || (out = malloc(4 * n + 4)) == NULL)
		return "(out of memory)";
	arh_escape_into(s, n, out);
	if (!registered)
		registered = atexit(vis_free) == 0;
	free(vis[vis_next]);
	vis[vis_next] = out;
	vis_next = (vis_next + 1) % VIS_SLOTS;
	return out;
}

/*
 * The whole message is escaped: a value the caller put in cannot drive the
 * terminal, and a library message whose values arh_show() already escaped
 * comes out the same (escaping is idempotent).
 */
void
cli_warn(const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		msg = NULL;	/* undefined after a failure */
	fprintf(stderr, "arhiivar: %s\n", msg ? cli_vis(msg) :
	    "out of memory");
	free(msg);
}

int
cli_status(int rc)
{
	switch (rc) {
	case 0:
		return EXIT_OK;
	case ARH_EVERIFY:
	case ARH_EDENIED:
	case ARH_ENOTFOUND:
	case ARH_EINVAL:
	case ARH_EEXIST:
	case ARH_ECHANGED:
		return EXIT_NO;
	default:
		return EXIT_ERROR;
	}
}

int
cli_fail(int rc, const struct arh_err *err)
{
	cli_warn("%s", err != NULL && err->msg[0] ? err->msg :
	    arh_strerror(rc));
	return cli_status(rc);
}

void
cli_problems(const struct arh_problems *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		fprintf(stderr, "arhiivar: %s\n", cli_vis(p->items[i]));
}

int
cli_usage(const char *usage)
{
	fprintf(stderr, "usage: %s\n", usage);
	return EXIT_ERROR;
}

/* Verbs whose audit event is mandatory: run read-only, they refuse up
 * front when the event could not be recorded (docs/arhiivar.1). */
static int
mandatory_event(const char *verb)
{
	return verb != NULL && (strcmp(verb, "restore") == 0 ||
	    strcmp(verb, "verify") == 0);
}

/*
 * A caller who cannot write the catalog opens the home read-only (no
 * recovery, events to the drop box); a command that needs to write then
 * fails saying so.
 */
int
cli_home_owner(const struct cli *cli, struct arh_err *err)
{
	struct passwd *pw;
	struct stat st;

	if (geteuid() != 0 || stat(cli->home, &st) == -1 || st.st_uid == 0)
		return 0;
	pw = getpwuid(st.st_uid);
	return arh_errf(err, ARH_EUSAGE, "the home '%s' belongs to %s: run "
	    "arhiivar as its owner ('runuser -u %s -- arhiivar ...'), so that "
	    "the daemon can still write what the command writes",
	    cli->home, pw != NULL ? pw->pw_name : "another user",
	    pw != NULL ? pw->pw_name : "OWNER");
}

int
cli_open_home(struct cli *cli, struct arh_home **h, struct arh_err *err)
{
	struct arh_problems notes, cfgp;
	int flags, rc;

	if ((rc = cli_home_owner(cli, err)) != 0) {
		*h = NULL;
		return rc;
	}
	arh_problems_init(&notes);
	arh_problems_init(&cfgp);
	flags = arh_home_writable(cli->home) ? 0 : ARH_HOME_READONLY;
	rc = arh_home_open(cli->home, cli->actor, flags, h, &notes, &cfgp,
	    err);
	cli_problems(&notes);
	cli_problems(&cfgp);
	arh_problems_release(&notes);
	arh_problems_release(&cfgp);
	if (rc == 0 && (flags & ARH_HOME_READONLY) &&
	    mandatory_event(cli->verb))
		rc = arh_catalog_can_record((*h)->cat, err);
	if (rc == 0)
		rc = arh_identity_resolve_roles(&cli->id, (*h)->cfg);
	if (rc != 0 && *h != NULL) {
		arh_home_free(*h);
		*h = NULL;
	}
	return rc;
}

int
cli_json(json_t *j)
{
	int r;

	if (j == NULL) {
		cli_warn("out of memory");
		return EXIT_ERROR;
	}
	r = json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(j);
	fputc('\n', stdout);
	return r == 0 ? EXIT_OK : EXIT_ERROR;
}

json_t *
cli_list_begin(int json)
{
	return json ? json_array() : NULL;
}

int
cli_list_add(json_t *arr, json_t *o)
{
	return json_array_append_new(arr, o) ? ARH_ENOMEM : 0;
}

int
cli_list_end(json_t *j, int rc, const struct arh_err *err)
{
	if (rc != 0) {
		json_decref(j);
		return cli_fail(rc, err);
	}
	return j ? cli_json(j) : EXIT_OK;
}

void
cli_caller(const struct cli *cli, const struct arh_home *h, char today[11],
    struct arh_redact_caller *who)
{
	arh_today(today);
	who->roles = cli->id.roles;
	who->nroles = cli->id.nroles;
	who->entitled = h != NULL ? h->cfg->internal_roles : NULL;
	who->nentitled = h != NULL ? h->cfg->ninternal_roles : 0;
	who->today = today;
}

int
cli_opt_date(const char *opt, const char *arg, char out[11])
{
	if (!arh_date_valid(arg)) {
		cli_warn("%s '%s' is not a date: give YYYY-MM-DD, a day that "
		    "exists", opt, arg);
		return -1;
	}
	snprintf(out, 11, "%s", arg);
	return 0;
}
