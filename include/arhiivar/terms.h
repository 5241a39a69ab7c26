/*
 * terms.h — how long an access restriction may last, by legal basis.
 * Pure: the caller reads the table (shipped as policy/access-terms.csv,
 * meant to be edited by the records manager) and hands over the bytes.
 * docs/POLICY.md explains the table for records managers.
 *
 * The table is CSV (same reader and normalisation as the file plan: UTF-8,
 * BOM skipped, CRLF or LF, NFC, trimmed; at most ARH_TERMS_MAX_BYTES and
 * ARH_TERMS_MAX_ROWS rows) with a header naming exactly these columns in
 * any order:
 *
 *   basis		the legal basis as records cite it, e.g.
 *			"AvTS § 35 lg 1 p 1"; non-empty, unique
 *   max_years		1..200: the longest restriction from its start
 *   extension_years	0..200: one extension may add at most this much
 *			beyond max_years (0: no extension); 0 for personal
 *			data
 *   personal_data	"yes" or "no"
 *   note		free text (may span lines)
 *
 * Problems read "NAME:LINE: message", all at once, then ARH_EINVAL.
 *
 * Terms, on calendar dates ("+ N years" keeps month and day; 29 February
 * becomes 28 February in a year that is not a leap year):
 *   basis with personal_data "no": the restriction may end at the latest
 *	on start + max_years; once extended, on start + max_years +
 *	extension_years.
 *   basis with personal_data "yes": at the latest on the later of
 *	created + max_years (75 in the shipped table) and, when the
 *	person's death is recorded, death + ARH_TERMS_DEATH_YEARS, or else,
 *	when only the birth is recorded, birth + ARH_TERMS_BIRTH_YEARS.
 *	(AvTS: "75 years from documenting the information, or 30 years from
 *	the person's death, or if that cannot be established, 110 years from
 *	birth"; we read "or" as "whichever protects the person longer".)
 */
#ifndef ARHIIVAR_TERMS_H
#define ARHIIVAR_TERMS_H

#include <stddef.h>

#include "arhiivar/error.h"
#include "arhiivar/fileplan.h"
#include "arhiivar/input.h"

#define ARH_TERMS_MAX_BYTES	(1024 * 1024)
#define ARH_TERMS_MAX_ROWS	1000
#define ARH_TERMS_DEATH_YEARS	30	/* personal data: after death */
#define ARH_TERMS_BIRTH_YEARS	110	/* personal data: after birth */

/* One legal basis.  Strings are non-NULL and normalised. */
struct arh_term {
	char	*basis;
	int	 max_years;
	int	 extension_years;
	int	 personal_data;		/* 1 for "yes" */
	char	*note;
	int	 line;			/* in the CSV */
};

struct arh_terms {
	struct arh_term *rows;		/* in file order */
	size_t	 nrows;
};

/*
 * Parse the table (len bytes; name prefixes problems).  On success *terms
 * is new; otherwise NULL and ARH_EINVAL (problems appended to probs, which
 * may be NULL) or ARH_ENOMEM.
 */
int arh_terms_parse(const char *name, const char *buf, size_t len,
    struct arh_terms **terms, struct arh_problems *probs);

/* NULL is a no-op. */
void arh_terms_free(struct arh_terms *terms);
/* The shipped table (policy/access-terms.csv), built in; static. */
const char *arh_terms_default(void);

/* The row for basis, compared exactly after trimming white space off
 * basis; NULL if there is none (or terms or basis is NULL). */
const struct arh_term *arh_terms_find(const struct arh_terms *terms,
    const char *basis);

/*
 * Is the restriction a (as first set, before any extension) within what
 * its basis allows?  Public restrictions (a->internal == 0) pass.  For an
 * internal one, a->basis must be in the table and a->start <= a->end be
 * dates.  created, death and birth (YYYY-MM-DD or NULL) matter only for
 * personal-data bases; created NULL means a->start.  Returns 0 (why says
 * which maximum applied), or ARH_EINVAL with why naming the basis, its
 * maximum and the latest end it allows, or "unknown legal basis 'X'; add
 * it to access-terms.csv".  why (n bytes) is always NUL-terminated; it may
 * be NULL when n is 0.
 */
int arh_terms_check(const struct arh_terms *terms, const struct arh_access *a,
    const char *created, const char *death, const char *birth, char *why,
    size_t n);

/*
 * May restriction a be extended to new_end (`access extend`)?  Only an
 * internal restriction with a known basis that allows extensions, not
 * already_extended (the law allows one extension), new_end a date after
 * a->end and not after a->start + max_years + extension_years.  Returns 0
 * or ARH_EINVAL; why as for arh_terms_check().
 */
int arh_terms_extend_check(const struct arh_terms *terms,
    const struct arh_access *a, const char *new_end, int already_extended,
    char *why, size_t n);

/*
 * Check a file plan against the table: every internal-use (AK) series
 * needs a known access_basis and an access_term within its max_years (75
 * for personal data, as the term runs from the records' creation).
 * Problems "NAME:LINE: series 'X': message" (NAME the plan's name, LINE
 * the row's line) are appended to probs; returns 0, ARH_EINVAL or
 * ARH_ENOMEM.  For `fileplan import`, which should refuse a plan whose
 * terms the access checks would later refuse.
 */
int arh_terms_check_fileplan(const struct arh_terms *terms,
    const struct arh_fileplan *plan, const char *name,
    struct arh_problems *probs);

#endif
