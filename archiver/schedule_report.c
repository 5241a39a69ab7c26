/*
 * schedule_report.c — the transfer report of a scheduled run, as JSON
 * (for scripts) and printable HTML (for the file), written crash-safely
 * into [daemon] reports.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "schedule_int.h"
#include "text.h"
#include "util.h"

struct col {
	const char *key, *label;
};

static const struct col summary[] = {
	{ "job", "Job" }, { "run", "Run" }, { "kind", "Kind" },
	{ "series", "Series" }, { "year", "Year transferred" },
	{ "source", "Source" }, { "pattern", "Source pattern" },
	{ "at", "Scheduled at (Europe/Tallinn)" }, { "started", "Started" },
	{ "finished", "Finished" }, { "status", "Status" },
	{ "attempt", "Attempt" }, { "next_run", "Next run" },
};
static const struct col archived[] = {
	{ "source", "Source" }, { "outcome", "Outcome" },
	{ "archive", "Archive" }, { "case_file", "Case file" },
	{ "records", "Records" }, { "files", "Files" },
	{ "payload_bytes", "Payload bytes" }, { "tar_size", "Tar size" },
	{ "tar_sha256", "Tar SHA-256" }, { "action", "Disposition" },
	{ "due", "Due" },
};
static const struct col failures[] = {
	{ "source", "Source" }, { "series", "Series" },
	{ "reason", "Reason" }, { "problems", "Problems" },
	{ "transient", "Transient" }, { "quarantine", "Quarantine" },
};
static const struct col skipped[] = {
	{ "source", "Source" }, { "series", "Series" },
	{ "reason", "Reason" },
};

#define NCOLS(a)	(sizeof(a) / sizeof((a)[0]))

/* s as HTML text: controls, format characters and bad UTF-8 as \xNN
 * (text.h), then the five HTML specials as entities. */
static void
html_text(FILE *f, const char *s)
{
	size_t n = strlen(s);
	char *vis;

	if ((vis = malloc(4 * n + 4)) == NULL) {
		fputs("(out of memory)", f);
		return;
	}
	arh_escape_into(s, n, vis);
	arh_html_text(f, vis);
	free(vis);
}

static void
html_value(FILE *f, const json_t *v)
{
	size_t i;

	if (json_is_string(v))
		html_text(f, json_string_value(v));
	else if (json_is_integer(v))
		fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_boolean(v))
		fputs(json_is_true(v) ? "yes" : "no", f);
	else if (json_is_array(v))
		for (i = 0; i < json_array_size(v); i++) {
			fputs(i > 0 ? "<br>" : "", f);
			html_value(f, json_array_get(v, i));
		}
}

static void
html_table(FILE *f, const char *title, const json_t *rows,
    const struct col *cols, size_t ncols)
{
	size_t i, j;

	fprintf(f, "<h2>");
	html_text(f, title);
	fprintf(f, " (%zu)</h2>\n", json_array_size(rows));
	if (json_array_size(rows) == 0) {
		fputs("<p>None.</p>\n", f);
		return;
	}
	fputs("<table>\n<tr>", f);
	for (j = 0; j < ncols; j++)
		fprintf(f, "<th>%s</th>", cols[j].label);
	fputs("</tr>\n", f);
	for (i = 0; i < json_array_size(rows); i++) {
		fputs("<tr>", f);
		for (j = 0; j < ncols; j++) {
			fputs("<td>", f);
			html_value(f, json_object_get(json_array_get(rows, i),
			    cols[j].key));
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

int
arh_report_html(const json_t *rep, char **out, size_t *len)
{
	FILE *f;
	size_t j;

	*out = NULL;
	if ((f = open_memstream(out, len)) == NULL)
		return ARH_ENOMEM;
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<title>Transfer report: job %"
	    JSON_INTEGER_FORMAT ", run %" JSON_INTEGER_FORMAT "</title>\n"
	    "<style>\nbody { font-family: sans-serif; font-size: 10pt; }\n"
	    "table { border-collapse: collapse; width: 100%%; "
	    "margin-bottom: 1em; }\nth, td { border: 1px solid #444; "
	    "padding: 2px 4px; text-align: left; vertical-align: top; "
	    "overflow-wrap: anywhere; }\nth { background: #eee; }\n"
	    "@media print { @page { size: A4 landscape; margin: 12mm; } "
	    "tr { break-inside: avoid; } th { background: none; } }\n"
	    "</style>\n</head>\n<body>\n<h1>Transfer report</h1>\n<table>\n",
	    json_integer_value(json_object_get(rep, "job")),
	    json_integer_value(json_object_get(rep, "run")));
	for (j = 0; j < NCOLS(summary); j++) {
		fprintf(f, "<tr><th>%s</th><td>", summary[j].label);
		html_value(f, json_object_get(rep, summary[j].key));
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	html_table(f, "Case files archived", json_object_get(rep, "archived"),
	    archived, NCOLS(archived));
	html_table(f, "Failures", json_object_get(rep, "failures"), failures,
	    NCOLS(failures));
	html_table(f, "Skipped sources", json_object_get(rep, "skipped"),
	    skipped, NCOLS(skipped));
	fputs("</body>\n</html>\n", f);
	if (fclose(f) != 0) {
		free(*out);
		*out = NULL;
		return ARH_ENOMEM;
	}
	return 0;
}

static int
open_reports(const char *dir, int *fd, struct arh_err *err)
{
	if (mkdir(dir, 0750) == -1 && errno != EEXIST)
		return arh_errno(err, ARH_EIO, errno, "cannot make the reports "
		    "directory '%s'", dir);
	if ((*fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return arh_errno(err, ARH_EIO, errno, "cannot open the reports "
		    "directory '%s'", dir);
	return 0;
}

int
arh_report_write(struct arh_home *h, json_t *rep, long job, long run,
    struct arh_err *err)
{
	const char *dir = h->cfg->reports;
	char name[64], path[4200];
	char *text = NULL, *html = NULL;
	size_t hlen = 0;
	int fd = -1, rc;

	snprintf(name, sizeof(name), "transfer-%ld-%ld", job, run);
	snprintf(path, sizeof(path), "%s/%s.json", dir, name);
	json_object_set_new(rep, "json", json_string(path));
	snprintf(path, sizeof(path), "%s/%s.html", dir, name);
	json_object_set_new(rep, "html", json_string(path));
	if ((text = json_dumps(rep, JSON_INDENT(2) | JSON_SORT_KEYS)) ==
	    NULL || arh_report_html(rep, &html, &hlen) != 0) {
		rc = arh_errf(err, ARH_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = open_reports(dir, &fd, err)) != 0)
		goto out;
	snprintf(path, sizeof(path), "%s.html", name);
	if ((rc = arh_write_file_atomic(fd, path, html, hlen, 0640, 0, err))
	    != 0)
		goto out;
	snprintf(path, sizeof(path), "%s.json", name);
	rc = arh_write_file_atomic(fd, path, text, strlen(text), 0640, 0, err);
out:
	if (fd != -1)
		close(fd);
	free(text);
	free(html);
	return rc;
}
