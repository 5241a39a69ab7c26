/*
 * input.h — a closed case file as it arrives: a directory with case.json and
 * one sub-directory per record (record.json + content files).  The loader
 * validates everything before anything is written and reports every problem
 * at once.  The input directory is never modified.
 *
 * The input directory (the contract):
 *
 *   CASEDIR/case.json		the case file's metadata
 *   CASEDIR/<record>/record.json	one record's metadata
 *   CASEDIR/<record>/...		its content: any names, nested folders
 *
 * Nothing else may be at the top.  Only regular files and directories are
 * accepted (no symlinks, FIFOs, devices, sockets), every one readable; no
 * empty directory below a record; names valid UTF-8 without control or
 * format characters (text.h), '\\' or '%', at most ARH_MAX_NAME bytes, no
 * two names in one directory equal after NFC.  Names are stored in NFC in
 * the bag.
 *
 * case.json: {"reference": "12-1/2024", "title"?: str,
 *   "function": {"code": "12", "title": str}, "series": {"code": "12-1",
 *   "title": str}, "year": 2024 (the year of "opened"), "opened": date,
 *   "closed": date (opened <= closed <= today), "organisation": str,
 *   "retention"?: str, "extra"?: {...}}.  Any other key is a problem.
 *
 * record.json: {"reference", "registered": date, "type": str, "function",
 *   "series", "case_file" (all three equal to the case's), "title"?,
 *   "correspondent"?, "delivery_channel"?, "responsible"?: str,
 *   "external_network"?: bool, "private_person"?: bool (the correspondent
 *   is a private person: shown as initials to those not entitled), "access": {"level": "public"} or
 *   {"level": "internal", "basis": str, "start": date, "end": date,
 *   "person_died"?: date, "person_born"?: date} (start <= end; the
 *   person's dates matter for personal-data bases), "register"?: {...}, "extra"?: {...}}.
 *
 * Dates are YYYY-MM-DD.  Problems read "<path relative to CASEDIR>: message"
 * and come in walk order.
 *
 * Ownership: arh_case_load() hands over one struct arh_case; free it with
 * arh_case_free().  All strings inside are owned by it and are valid UTF-8.
 */
#ifndef ARHIIVAR_INPUT_H
#define ARHIIVAR_INPUT_H

#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>

#include "arhiivar/error.h"

#define ARH_MAX_META_BYTES	(1024 * 1024)	/* case.json, record.json */
/* Bytes of one bag path ("data/..."): with the bag directory in front
 * (at most 74 bytes) a member name stays within the 4,095 bytes a relative
 * path may have, so tar can extract it and sha512sum -c find it. */
#define ARH_MAX_PATH		4000
#define ARH_MAX_MEMBER_NAME	4095		/* bytes of a tar member name */
#define ARH_MAX_NAME		255		/* bytes of one path component */
#define ARH_MAX_FILES		1000000		/* payload files of one case */
#define ARH_MAX_DEPTH		32		/* directory nesting in a record */

/*
 * Limits the writer and the reader share, so that an archive ingest accepts
 * is one verify accepts: metadata objects (case.json, record.json) nest
 * objects and arrays at most ARH_MAX_META_DEPTH levels (the object itself
 * is level 1) and hold no string or key over ARH_MAX_META_STRING bytes; no
 * tag file of the bag (manifests, metadata/case.json) may exceed
 * ARH_MAX_TAG_BYTES, which the loader checks with an upper bound before
 * anything is written.
 */
#define ARH_MAX_META_DEPTH	16
#define ARH_MAX_META_STRING	(64 * 1024)
#define ARH_MAX_TAG_BYTES	(64 * 1024 * 1024)

/* An access restriction.  internal == 0: public; basis/start/end are NULL. */
struct arh_access {
	int	 internal;
	char	*basis;		/* legal basis, e.g. "AvTS § 35 lg 1 p 1" */
	char	*start;		/* YYYY-MM-DD */
	char	*end;		/* YYYY-MM-DD */
	char	*died;		/* personal data: the person's death, or NULL */
	char	*born;		/* personal data: the person's birth, or NULL */
};

/* One payload (content) file. */
struct arh_file {
	char	*disk_path;	/* relative to the case dir, bytes as on disk */
	char	*bag_path;	/* "data/<record dir>/<rel>", NFC */
	uint64_t size;		/* from lstat at load time */
	int64_t	 mtime;		/* tar mtime: the record's registration date */
	size_t	 record;	/* index into arh_case.records */

	/* Filled in by the bag writer. */
	char	 sha512[129];
	char	 sha256[65];
	char	*mime;		/* libmagic MIME type */
	char	*charset;	/* libmagic MIME encoding */
	int64_t	 header_offset;	/* tar offset of the member's first header */
	int64_t	 data_offset;	/* tar offset of the member's data */
};

/* One record (register entry). */
struct arh_record {
	char	*dir;		/* record directory name in the bag, NFC */
	char	*disk_dir;	/* the same as on disk */
	char	*reference;	/* "12-1/8909-1" */
	char	*registered;	/* YYYY-MM-DD */
	char	*type;		/* "Sissetulev kiri" */
	char	*title;		/* may be NULL */
	struct arh_access access;
	json_t	*meta;		/* the whole record.json object, unknown keys kept */
};

struct arh_case {
	char	*reference;	/* "12-1/2024" */
	char	*series_code;	/* "12-1" */
	char	*series_title;
	char	*function_code;	/* "12" */
	char	*function_title;
	char	*organisation;
	char	*title;		/* may be NULL */
	char	*retention;	/* may be NULL, e.g. "10 a" */
	int	 year;
	char	*opened;	/* YYYY-MM-DD */
	char	*closed;	/* YYYY-MM-DD */
	json_t	*meta;		/* the whole case.json object */

	struct arh_record *records;	/* sorted by dir, bytewise */
	size_t	 nrecords;
	struct arh_file *files;	/* tar order: depth first, names sorted */
	size_t	 nfiles;
	uint64_t payload_bytes;
};

/*
 * Check j against the shape limits above with `maxdepth` levels allowed.
 * Returns 0, or -1 with a sentence in why (n bytes) naming the first key
 * at the top level under which a limit is passed.  Pure.
 */
int arh_meta_shape(const json_t *j, int maxdepth, char *why, size_t n);

/*
 * Load and validate the case directory `dir`.  `today` (YYYY-MM-DD) decides
 * whether the case is closed.  On ARH_EINVAL every problem is in `probs` as
 * "<path relative to dir>: <message>"; other codes leave detail in err.
 */
int arh_case_load(const char *dir, const char *today, struct arh_case **out,
    struct arh_problems *probs, struct arh_err *err);
void arh_case_free(struct arh_case *c);

/*
 * Parse one case.json / record.json text (no file system access), for the
 * loader and the fuzz targets.  `name` prefixes problems ("name: message",
 * "name:LINE:COL: ..." for JSON syntax).  The meta fields of c / r must be
 * unset (zeroed); whatever the result, the fields that could be read are
 * filled and owned by c / r (meta holds the JSON object): release them with
 * arh_case_free() / arh_record_release().  A record's function, series and
 * case_file are checked against its case by arh_case_load().
 * Returns 0, ARH_EINVAL (problems added), ARH_ENOMEM, or ARH_EUSAGE when
 * `today` is not a date.
 */
int arh_case_parse_meta(struct arh_case *c, const char *name, const char *buf,
    size_t len, const char *today, struct arh_problems *probs);
int arh_record_parse_meta(struct arh_record *r, const char *name,
    const char *buf, size_t len, struct arh_problems *probs);

/* Free the contents of r and zero it (not r itself).  NULL is a no-op. */
void arh_record_release(struct arh_record *r);

/*
 * Validate one path component taken from disk: valid UTF-8, no control
 * or format characters, not "." or "..", no '/', '\\' or '%', at most
 * ARH_MAX_NAME bytes (also in NFC).  On success *nfc is the NFC form
 * (malloc'd).  Returns 0, or ARH_EINVAL / ARH_ENOMEM with a message in
 * `why` (static string).
 */
int arh_name_check(const char *name, char **nfc, const char **why);

/* 1 if s is a valid calendar date YYYY-MM-DD, else 0. */
int arh_date_valid(const char *s);

/* 1 if s is a valid case-file or record reference: [0-9A-Za-z.-/], 1..64
 * bytes, not starting with '.', '-' or '/', no "//" or "..". */
int arh_reference_valid(const char *s);

#endif
