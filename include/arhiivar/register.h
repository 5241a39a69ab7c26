/*
 * register.h — import of entries exactly as the public document register
 * (dokumendiregister) publishes them: "Label | value |" lines with Estonian
 * labels, dates DD.MM.YYYY, then free text (the letter).
 *
 * An entry becomes a record folder: record.json (the register metadata) and
 * the free text as a content file "tekst.txt".  Every labelled line, known
 * or not, is kept verbatim and in order in record.json as
 * "register": {"lines": [[label, value], ...], "organisation",
 * "function_title", "series_title"}; nothing is dropped.  The record.json
 * made is one that arh_record_parse_meta() accepts.
 *
 * The entry: labelled lines "Label | value |" or "Text |" (trailing blanks
 * ignored, \n or \r\n), the first one not ending in '|' starts the free
 * text, kept byte for byte to the end.  UTF-8, no NUL, at most
 * ARH_MAX_ENTRY_BYTES.  Required: Viit, Registreeritud (DD.MM.YYYY), Liik,
 * Funktsioon, Sari, Toimik, Juurdepääsupiirang (its first non-empty value is
 * the level, Avalik or Asutusesiseseks kasutamiseks/AK; a later one is the
 * legal basis, as is Juurdepääsupiirangu alus).
 */
#ifndef ARHIIVAR_REGISTER_H
#define ARHIIVAR_REGISTER_H

#include <stddef.h>
#include <jansson.h>

#include "arhiivar/error.h"

#define ARH_MAX_ENTRY_BYTES	(16 * 1024 * 1024)

/* A parsed register entry. */
struct arh_register_entry {
	json_t	*record;	/* record.json object, see docs/FORMAT.md */
	char	*text;		/* the free text after the labelled lines,
				   NUL-terminated; NULL when textlen == 0 */
	size_t	 textlen;
};

/*
 * Parse one entry held in buf.  `name` (the file name) prefixes problems as
 * "NAME:LINE: message"; all problems are collected, then ARH_EINVAL (or
 * ARH_ENOMEM).  On failure *out is left empty; on success release it with
 * arh_register_entry_release().
 */
int arh_register_parse(const char *name, const char *buf, size_t len,
    struct arh_register_entry *out, struct arh_problems *probs);
void arh_register_entry_release(struct arh_register_entry *e);

/*
 * Write the entry as a record folder under case directory `casedir`: the
 * folder is named after the reference with '/' replaced by '_'.  Refuses
 * (ARH_EEXIST) to replace an existing folder.  Files are written to a
 * temporary folder ".tmp-import-<pid>-<folder>", fsynced and renamed into
 * place, then casedir is fsynced; on any failure nothing is left (a folder
 * renamed into place whose directory fsync fails is removed again).
 * *folder_out (may be NULL) gets the folder name, malloc'd.  ARH_EUSAGE if
 * the entry has no valid "reference".
 */
int arh_register_write(const struct arh_register_entry *e, const char *casedir,
    char **folder_out, struct arh_err *err);

/*
 * Remove the temporary folders of imports into casedir that were killed
 * (".tmp-import-<pid>-*" whose process is gone); *removed counts them.
 */
int arh_register_sweep(const char *casedir, size_t *removed,
    struct arh_err *err);

#endif
