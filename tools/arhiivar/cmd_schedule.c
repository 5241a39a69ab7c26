/*
 * cmd_schedule.c — arhiivar schedule add --series S --year Y --source DIR
 *                      --at YYYY-MM-DDTHH:MM
 *                  arhiivar schedule add --yearly --at MM-DDTHH:MM
 *                      --source-pattern PATTERN [--series S]
 *                  arhiivar schedule list [--json]
 *                  arhiivar schedule show ID [--json]
 *                  arhiivar schedule cancel ID
 *                  arhiivar schedule run-now ID
 *
 * Scheduled year-end transfers (schedule.h).  Adding, cancelling and
 * running need the records-manager role.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arhiivar/schedule.h"
#include "cli.h"

#define USAGE "arhiivar schedule add --series S --year Y --source DIR " \
	"--at YYYY-MM-DDTHH:MM | add --yearly --at MM-DDTHH:MM " \
	"--source-pattern PATTERN [--series S] | list [--json] | " \
	"show ID [--json] | cancel ID | run-now ID"

static json_t *
job_json(const struct arh_job *j)
{
	return json_pack("{s:I, s:s, s:s?, s:o, s:s?, s:s?, s:s, s:s?, s:s, "
	    "s:i, s:s?, s:s?, s:s?, s:s, s:s}", "id", (json_int_t)j->id,
	    "kind", j->kind, "series", j->series[0] ? j->series : NULL, "year",
	    j->year > 0 ? json_integer(j->year) : json_null(), "source",
	    j->source[0] ? j->source : NULL, "pattern", j->pattern[0] ?
	    j->pattern : NULL, "at", j->at, "next_run", j->next_run[0] ?
	    j->next_run : NULL, "status", j->status, "attempts", j->attempts,
	    "last_error", j->last_error[0] ? j->last_error : NULL, "last_run",
	    j->last_run[0] ? j->last_run : NULL, "last_report",
	    j->last_report[0] ? j->last_report : NULL, "created",
	    j->created_at, "created_by", j->created_by);
}

static int
print_job(void *arg, const struct arh_job *j)
{
	char year[16] = "";

	if (arg != NULL)
		return cli_list_add(arg, job_json(j));
	if (j->year > 0)
		snprintf(year, sizeof(year), "/%d", j->year);
	printf("%ld  %s  %s at %s  %s%s  %s  next %s%s%s\n", j->id,
	    cli_vis(j->status), j->kind, cli_vis(j->at), j->series[0] ?
	    cli_vis(j->series) : "every series", year, cli_vis(j->source[0] ?
	    j->source : j->pattern), j->next_run[0] ? cli_vis(j->next_run) :
	    "-", j->last_error[0] ? "  error: " : "", cli_vis(j->last_error));
	return 0;
}

static int
print_run(void *arg, const struct arh_job_run *r)
{
	if (arg != NULL)
		return cli_list_add(arg, json_pack("{s:I, s:s, s:s?, s:s, s:i, "
		    "s:s?, s:s?}", "id", (json_int_t)r->id, "started",
		    r->started_at, "finished", r->finished_at[0] ?
		    r->finished_at : NULL, "status", r->status, "year", r->year,
		    "error", r->error[0] ? r->error : NULL, "report",
		    r->report_path[0] ? r->report_path : NULL));
	printf("  run %ld  %s  year %d  %s .. %s  %s%s%s\n", r->id,
	    cli_vis(r->status), r->year, cli_vis(r->started_at),
	    r->finished_at[0] ? cli_vis(r->finished_at) : "",
	    cli_vis(r->report_path), r->error[0] ? "  error: " : "",
	    cli_vis(r->error));
	return 0;
}

static int
show(struct arh_home *h, long id, int json)
{
	struct arh_job j;
	struct arh_err err;
	json_t *doc = NULL, *runs;
	int rc;

	arh_err_clear(&err);
	if ((rc = arh_catalog_job_get(h->cat, id, &j, &err)) != 0)
		return cli_fail(rc, &err);
	if (json) {
		doc = job_json(&j);
		runs = json_array();
		if (doc == NULL || runs == NULL || json_object_set_new(doc,
		    "runs", runs) != 0) {
			json_decref(doc);
			cli_warn("out of memory");
			return EXIT_ERROR;
		}
	} else {
		print_job(NULL, &j);
		runs = NULL;
	}
	rc = arh_catalog_job_runs(h->cat, id, print_run, runs, &err);
	return cli_list_end(doc, rc, &err);
}

/*
 * The one place `schedule run-now` runs a job: when a daemon serves the
 * home, it is asked (its worker runs the job, with the daemon's sandbox
 * and the seal process); without one, the job runs in this process, at
 * once.
 */
static int
schedule_run_now(struct cli *cli, struct arh_home *h, long id)
{
	struct arh_err err;
	json_t *rep = NULL, *req;
	const char *status;
	int rc;

	arh_err_clear(&err);
	if ((req = json_pack("{s:s, s:I}", "op", "schedule.run", "id",
	    (json_int_t)id)) == NULL)
		return cli_fail(ARH_ENOMEM, &err);
	rc = cli_ctl(cli, req, -1, &rep, &err);
	json_decref(req);
	json_decref(rep);
	rep = NULL;
	if (rc == 0) {
		printf("job %ld is due now: the daemon runs it (see 'arhiivar "
		    "schedule show %ld' and 'arhiivar status')\n", id, id);
		return EXIT_OK;
	}
	if (rc != ARH_ENOTFOUND)
		return cli_fail(rc, &err);
	arh_err_clear(&err);
	if ((rc = arh_job_run_now(h, &cli->id, id, time(NULL), &rep, &err))
	    != 0)
		return cli_fail(rc, &err);
	status = json_string_value(json_object_get(rep, "status"));
	printf("job %ld run %" JSON_INTEGER_FORMAT ": %s; %zu archived, %zu "
	    "failed, %zu skipped\n", id, json_integer_value(json_object_get(rep,
	    "run")), cli_vis(status), json_array_size(json_object_get(rep,
	    "archived")), json_array_size(json_object_get(rep, "failures")),
	    json_array_size(json_object_get(rep, "skipped")));
	if (json_object_get(rep, "json") != NULL)
		printf("report %s\n", cli_vis(json_string_value(
		    json_object_get(rep, "json"))));
	rc = status != NULL && strcmp(status, "done") == 0 ? EXIT_OK : EXIT_NO;
	if (rc != EXIT_OK)
		cli_warn("job %ld: %s", id, json_string_value(json_object_get(
		    json_array_get(json_object_get(rep, "failures"), 0),
		    "reason")));
	json_decref(rep);
	return rc;
}

static int
parse_id(const char *s, long *id)
{
	char *end;

	*id = strtol(s, &end, 10);
	return *s != '\0' && *end == '\0' && *id > 0 ? 0 : -1;
}

static int
add(struct cli *cli, struct arh_home *h, struct arh_job_spec *spec)
{
	struct arh_err err;
	long id;
	int rc;

	arh_err_clear(&err);
	if ((rc = arh_job_add(h, &cli->id, spec, &id, &err)) != 0)
		return cli_fail(rc, &err);
	printf("job %ld scheduled\n", id);
	return EXIT_OK;
}

static int
dispatch(struct cli *cli, struct arh_home *h, const char *sub,
    struct arh_job_spec *spec, const char *arg, int json)
{
	struct arh_err err;
	json_t *arr;
	long id = 0;
	int rc;

	arh_err_clear(&err);
	if (strcmp(sub, "add") == 0)
		return add(cli, h, spec);
	if (strcmp(sub, "list") == 0) {
		arr = cli_list_begin(json);
		rc = arh_catalog_jobs(h->cat, print_job, arr, &err);
		return cli_list_end(arr, rc, &err);
	}
	if (parse_id(arg, &id) != 0)
		return cli_usage(USAGE);
	if (strcmp(sub, "show") == 0)
		return show(h, id, json);
	if (strcmp(sub, "run-now") == 0)
		return schedule_run_now(cli, h, id);
	if ((rc = arh_job_cancel(h, &cli->id, id, &err)) != 0)
		return cli_fail(rc, &err);
	printf("job %ld cancelled\n", id);
	return EXIT_OK;
}

/* The arguments fit the subcommand. */
static int
fits(const char *sub, int nargs, const struct arh_job_spec *s, int json,
    int year_given)
{
	int opts = s->series || s->source || s->pattern || s->at ||
	    s->yearly || year_given;

	if (strcmp(sub, "add") == 0)
		return nargs == 0 && !json && s->at && (s->yearly ?
		    s->pattern && !s->source && !year_given : s->series &&
		    s->source && year_given && !s->pattern);
	if (strcmp(sub, "list") == 0)
		return nargs == 0 && !opts;
	if (strcmp(sub, "show") == 0)
		return nargs == 1 && !opts;
	if (strcmp(sub, "cancel") == 0 || strcmp(sub, "run-now") == 0)
		return nargs == 1 && !opts && !json;
	return 0;
}

int
cmd_schedule(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "series", required_argument, NULL, 's' },
		{ "year", required_argument, NULL, 'y' },
		{ "source", required_argument, NULL, 'S' },
		{ "source-pattern", required_argument, NULL, 'p' },
		{ "at", required_argument, NULL, 'a' },
		{ "yearly", no_argument, NULL, 'Y' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct arh_job_spec spec;
	struct arh_home *h = NULL;
	struct arh_err err;
	const char *sub;
	char *end;
	int c, rc, json = 0, year_given = 0;

	memset(&spec, 0, sizeof(spec));
	if (argc < 2)
		return cli_usage(USAGE);
	sub = argv[1];
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': spec.series = optarg; break;
		case 'S': spec.source = optarg; break;
		case 'p': spec.pattern = optarg; break;
		case 'a': spec.at = optarg; break;
		case 'Y': spec.yearly = 1; break;
		case 'j': json = 1; break;
		case 'y':
			spec.year = (int)strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || spec.year < 1 ||
			    spec.year > 9999) {
				cli_warn("--year '%s' is not a year: give "
				    "YYYY", optarg);
				return EXIT_ERROR;
			}
			year_given = 1;
			break;
		default:
			return cli_usage(USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (!fits(sub, argc, &spec, json, year_given))
		return cli_usage(USAGE);
	arh_err_clear(&err);
	if ((rc = cli_open_home(cli, &h, &err)) != 0)
		return cli_fail(rc, &err);
	rc = dispatch(cli, h, sub, &spec, argc > 0 ? argv[0] : NULL, json);
	arh_home_free(h);
	return rc;
}
