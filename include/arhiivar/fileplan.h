/*
 * fileplan.h — the file plan (dokumentide loetelu): the organisation's list
 * of functions and document series, each with its retention period,
 * archival value and access restriction.  Records managers keep it as a
 * CSV file; the catalog keeps every imported version as JSON text.  Pure:
 * the caller reads the file and hands over the bytes.  docs/POLICY.md
 * explains the columns for records managers.
 *
 * The CSV: UTF-8 (a BOM is skipped), CRLF or LF, at most
 * ARH_FILEPLAN_MAX_BYTES and ARH_FILEPLAN_MAX_ROWS series, RFC 4180
 * quoting (libcsv, strict).  A header row names exactly these columns, in
 * any order:
 *
 *   function_code,function_title,series_code,series_title,retention,
 *   archival_value,access,access_basis,access_term,valid_from,valid_until,
 *   notes
 *
 * then one row per series.  Rows of empty fields (",,,,") are skipped.
 * Every value is checked (valid UTF-8, no control characters; only notes
 * may span lines) and stored normalised: NFC, trimmed of white space,
 * CRLF inside a value as LF, and retention / access_term in the spelling
 * "N a".  The rules:
 *
 *   function_code, function_title, series_code, series_title  non-empty;
 *	series_code unique.
 *   retention	"N a" or "Na" (N = 1..200 years) or "alaline" (permanent).
 *   archival_value  "" (none), "AV" (archival value: transferred to the
 *	National Archives, never destroyed) or "H" (hindamisel: under
 *	appraisal, reviewed when retention ends).
 *   access	"Avalik" (public): access_basis and access_term empty; or
 *	"AK" (asutusesiseseks kasutamiseks, internal use): access_basis
 *	non-empty and access_term "N a" (N = 1..200).
 *   valid_from	YYYY-MM-DD; valid_until empty or YYYY-MM-DD >= valid_from.
 *   notes	free text.
 *
 * Problems read "NAME:LINE: message" (LINE: where the row starts; whole-
 * file problems "NAME: message"), all of them at once in line order, and
 * the parse then fails with ARH_EINVAL and returns no plan.
 *
 * The version of a plan is the lower-case hex SHA-256 of its canonical
 * form: the UTF-8 text that jansson's json_dumps(…, JSON_COMPACT |
 * JSON_SORT_KEYS) gives for an array with one object per series, sorted by
 * series_code (bytewise), each object holding the twelve columns above as
 * string members (empty values as ""), after the normalisation above; no
 * trailing newline.  For example
 *
 *   [{"access":"AK","access_basis":"AvTS § 35 lg 1 p 1","access_term":
 *   "5 a","archival_value":"","function_code":"12",...,"valid_until":""}]
 *
 * (one line).  Row order, CRLF/LF, a BOM, quoting, white space around
 * values, Unicode normalisation and "10a" for "10 a" do not change the
 * version; any change of a value does.
 *
 * Ownership: a parsed plan belongs to the caller; free it with
 * arh_fileplan_free().  Rows and their strings belong to the plan.
 */
#ifndef ARHIIVAR_FILEPLAN_H
#define ARHIIVAR_FILEPLAN_H

#include <stddef.h>

#include "arhiivar/error.h"

#define ARH_FILEPLAN_MAX_BYTES	(4 * 1024 * 1024)	/* the CSV */
/* arh_fileplan_from_json() input: what to_json() makes of the largest CSV
 * (NFC may triple a value, escaping double it; ~250 bytes of keys a row). */
#define ARH_FILEPLAN_MAX_JSON	(32 * 1024 * 1024)
#define ARH_FILEPLAN_MAX_ROWS	10000
#define ARH_FILEPLAN_MAX_YEARS	200	/* of retention and access terms */
#define ARH_FILEPLAN_NCOLS	12

/* The column names, in the order of struct arh_fileplan_row. */
extern const char *const arh_fileplan_columns[ARH_FILEPLAN_NCOLS];

enum arh_archival {
	ARH_ARCHIVAL_NONE = 0,	/* "": destroyed when retention ends */
	ARH_ARCHIVAL_AV,	/* "AV": transferred to the National Archives */
	ARH_ARCHIVAL_H,		/* "H": appraised when retention ends */
};

/* One series.  Every string is non-NULL, normalised as above. */
struct arh_fileplan_row {
	char	*function_code;		/* "12" */
	char	*function_title;
	char	*series_code;		/* "12-1" */
	char	*series_title;
	char	*retention;		/* "10 a" or "alaline" */
	char	*archival_value;	/* "", "AV" or "H" */
	char	*access;		/* "Avalik" or "AK" */
	char	*access_basis;		/* "" or "AvTS § 35 lg 1 p 1" */
	char	*access_term;		/* "" or "5 a" */
	char	*valid_from;		/* YYYY-MM-DD */
	char	*valid_until;		/* "" or YYYY-MM-DD */
	char	*notes;

	int	 retention_years;	/* 1..200; 0 = permanent (alaline) */
	enum arh_archival archival;
	int	 access_internal;	/* 1 for AK */
	int	 access_term_years;	/* 1..200 for AK, 0 for Avalik */
	int	 line;			/* CSV line (the "line" of the JSON) */
};

struct arh_fileplan {
	struct arh_fileplan_row *rows;	/* in file order */
	size_t	 nrows;			/* >= 1 */
	size_t	*by_code;		/* private: row indexes by code */
};

/*
 * Parse a file plan CSV of len bytes; name prefixes problems.  On success
 * *plan is a new plan; otherwise *plan is NULL and the return is
 * ARH_EINVAL (problems appended to probs, which may be NULL) or
 * ARH_ENOMEM.
 */
int arh_fileplan_parse(const char *name, const char *buf, size_t len,
    struct arh_fileplan **plan, struct arh_problems *probs);

/* NULL is a no-op. */
void arh_fileplan_free(struct arh_fileplan *plan);

/*
 * The plan's version (see above) as 64 hex digits and a NUL.  Returns 0,
 * ARH_ENOMEM or ARH_ECRYPTO.
 */
int arh_fileplan_version(const struct arh_fileplan *plan, char hex[65]);

/* The row of series_code (exact match), or NULL.  plan may be NULL. */
const struct arh_fileplan_row *arh_fileplan_find(
    const struct arh_fileplan *plan, const char *series_code);

/*
 * 1 if the series takes new case files on date (YYYY-MM-DD): valid_from <=
 * date and, when valid_until is set, date <= valid_until.  0 otherwise,
 * also when date is not a date.
 */
int arh_fileplan_valid_on(const struct arh_fileplan_row *row,
    const char *date);

enum arh_fileplan_change {
	ARH_FILEPLAN_ADDED,	/* in b only: before is NULL */
	ARH_FILEPLAN_REMOVED,	/* in a only: after is NULL */
	ARH_FILEPLAN_CHANGED,	/* in both, fields differ */
};

/*
 * Called once per series that differs, in series_code order.  fields names
 * the changed columns (static strings from arh_fileplan_columns, in column
 * order); nfields is 0 for ADDED and REMOVED.  A non-zero return stops the
 * walk and becomes arh_fileplan_diff()'s return.
 */
typedef int (*arh_fileplan_diff_fn)(void *arg, enum arh_fileplan_change what,
    const struct arh_fileplan_row *before,
    const struct arh_fileplan_row *after,
    const char *const *fields, size_t nfields);

/*
 * Report how b differs from a (either may be NULL: an empty plan, so the
 * first import shows every series as added).  Only the twelve columns
 * count (not line numbers or row order).  Returns 0 or the callback's
 * non-zero value.
 */
int arh_fileplan_diff(const struct arh_fileplan *a,
    const struct arh_fileplan *b, arh_fileplan_diff_fn cb, void *arg);

/*
 * The plan as JSON text for the catalog: a compact array of row objects in
 * file order, each with the twelve columns as strings and "line" (integer).
 * malloc'd, NUL-terminated, free() it; NULL on allocation failure.
 */
char *arh_fileplan_to_json(const struct arh_fileplan *plan);

/*
 * Read back what arh_fileplan_to_json() wrote (len bytes, at most
 * ARH_FILEPLAN_MAX_JSON), checked by the same rules as the CSV, so a
 * damaged catalog entry is refused, not trusted.  The version of the
 * result equals the version of the plan that was written.  Each element
 * needs the twelve column members (strings) and may have "line" (integer
 * >= 0); any other member is a problem.  Problems read "NAME: row N:
 * message" (N counts elements from 1) or "NAME: message".  Returns as
 * arh_fileplan_parse().
 */
int arh_fileplan_from_json(const char *name, const char *text, size_t len,
    struct arh_fileplan **plan, struct arh_problems *probs);

#endif
