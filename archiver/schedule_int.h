/* schedule_int.h — what the files of scheduled transfers share. */
#ifndef ARHIIVAR_SCHEDULE_INT_H
#define ARHIIVAR_SCHEDULE_INT_H

#include <stddef.h>
#include <jansson.h>

#include "arhiivar/home.h"

/* The printable HTML of a transfer report (malloc'd, NUL-terminated):
 * every value escaped, controls shown as \xNN.  0 or ARH_ENOMEM. */
int arh_report_html(const json_t *report, char **out, size_t *len);

/*
 * Write report as REPORTS/transfer-JOB-RUN.json and .html, each crash-
 * safely (temp, fsync, rename, fsync the directory), making REPORTS if
 * it is missing; their paths are added to report as "json" and "html".
 */
int arh_report_write(struct arh_home *h, json_t *report, long job, long run,
    struct arh_err *err);

#endif
