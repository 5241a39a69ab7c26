/* cli.h — what every arhiivar subcommand shares. */
#ifndef ARHIIVAR_CLI_H
#define ARHIIVAR_CLI_H

#include <jansson.h>

#include "arhiivar/error.h"
#include "arhiivar/home.h"
#include "arhiivar/policy.h"
#include "arhiivar/progress.h"
#include "arhiivar/redact.h"

/* Exit status (docs/arhiivar.1, EXIT STATUS). */
#define EXIT_OK		0
#define EXIT_NO		1	/* verification failed, denied, not found,
				   input rejected, already archived */
#define EXIT_ERROR	2	/* usage or operational error */

struct cli {
	const char	   *home;	/* -H, $ARHIIVAR_HOME, default */
	const char	   *verb;	/* the subcommand */
	struct arh_identity id;		/* the caller, roles resolved on open */
	char		    actor[300];
};

/*
 * s as it may be printed: each byte of a control character (C0, DEL, C1),
 * of an invisible or bidirectional format character (text.h) and of
 * invalid UTF-8 written as \xNN, at any length; NULL gives "".  Every value
 * that comes from an archive, the catalog, a case directory, a config or
 * the user goes through this before it is printed as text (--json output
 * is escaped by jansson instead).  The 32 latest copies stay valid, so
 * one printf can take many; they are freed at exit.
 */
const char *cli_vis(const char *s);

/* "arhiivar: <message>" to stderr, the message escaped as by cli_vis(). */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "arhiivar: <err->msg or strerror>" and return the exit status. */
int cli_fail(int rc, const struct arh_err *err);
int cli_status(int rc);
/* Print problems one a line as "arhiivar: <problem>" (escaped). */
void cli_problems(const struct arh_problems *p);
int cli_usage(const char *usage);
/* A date option's value into out, or a message naming opt and -1. */
int cli_opt_date(const char *opt, const char *arg, char out[11]);

/* Open the home (read-only when the caller cannot write its catalog),
 * print recovery notes and config problems to stderr. */
int cli_open_home(struct cli *cli, struct arh_home **h, struct arh_err *err);
/* Root in a home another user owns (the packaged home is arhiivar's):
 * refused, since what root wrote there its owner, the daemon, could not
 * write again. */
int cli_home_owner(const struct cli *cli, struct arh_err *err);

/*
 * The caller as the policy sees them, for redaction: their roles, the
 * home's entitled roles (none without a home) and today (into today).
 */
void cli_caller(const struct cli *cli, const struct arh_home *h,
    char today[11], struct arh_redact_caller *who);

/*
 * progress.c: the progress line of ingest and verify --all on stderr, when
 * stderr is a terminal and not quiet (--quiet, and --json too).  unit
 * names what is counted ("files", "archives").  cli_progress_of() is the
 * callback for the library, or NULL when nothing is to be shown.  Clear
 * the line before printing anything else, and at the end.
 */
struct cli_progress {
	struct arh_progress p;
	const char *verb, *unit;
	int	    on, shown;
	long long   start, last;	/* CLOCK_MONOTONIC, ns */
};
void cli_progress_init(struct cli_progress *cp, const char *verb,
    const char *unit, int quiet);
const struct arh_progress *cli_progress_of(struct cli_progress *cp);
void cli_progress_update(struct cli_progress *cp, uint64_t files_done,
    uint64_t files_total, uint64_t bytes_done, uint64_t bytes_total);
void cli_progress_clear(struct cli_progress *cp);

/* Print JSON to stdout with a newline; consumes j. */
int cli_json(json_t *j);

/*
 * A listing with or without --json.  The rows go into an array, which
 * the listing's callback gets as its argument: with --json it appends
 * each row with cli_list_add(), without (a NULL array) it prints a line.
 */
/* The array of a --json listing, or NULL for text. */
json_t *cli_list_begin(int json);
/* Append o to arr, consuming o: 0, or ARH_ENOMEM (o NULL, append failed). */
int cli_list_add(json_t *arr, json_t *o);
/*
 * The end of a listing: when rc is not 0, drop j and report err
 * (cli_fail); else print j (cli_json), or EXIT_OK when j is NULL (text).
 * j is the array, or a document holding it.  Consumes j.
 */
int cli_list_end(json_t *j, int rc, const struct arh_err *err);

/*
 * client.c: one request to the daemon's control socket ([daemon] socket of
 * the home's configuration), with descriptor passfd (or -1) passed along;
 * the answer object in *answer.  An answer {"ok": false} is its code and
 * message in err.  ARH_ENOTFOUND when no daemon answers.
 */
int cli_ctl(const struct cli *cli, json_t *req, int passfd, json_t **answer,
    struct arh_err *err);
/* The control socket's path, from the home's configuration. */
int cli_ctl_path(const struct cli *cli, char *out, size_t n,
    struct arh_err *err);

int cmd_init(struct cli *, int, char **);
int cmd_submit(struct cli *, int, char **);
int cmd_status(struct cli *, int, char **);
int cmd_quarantine(struct cli *, int, char **);
int cmd_audit(struct cli *, int, char **);
int cmd_ingest(struct cli *, int, char **);
int cmd_list(struct cli *, int, char **);
int cmd_show(struct cli *, int, char **);
int cmd_verify(struct cli *, int, char **);
int cmd_restore(struct cli *, int, char **);
int cmd_register(struct cli *, int, char **);
int cmd_catalog(struct cli *, int, char **);
int cmd_events(struct cli *, int, char **);
int cmd_log(struct cli *, int, char **);
int cmd_find(struct cli *, int, char **);
int cmd_fileplan(struct cli *, int, char **);
int cmd_policy(struct cli *, int, char **);
int cmd_hold(struct cli *, int, char **);
int cmd_disposition(struct cli *, int, char **);
int cmd_destruction(struct cli *, int, char **);
int cmd_access(struct cli *, int, char **);
int cmd_schedule(struct cli *, int, char **);
int cmd_token(struct cli *, int, char **);

#endif
