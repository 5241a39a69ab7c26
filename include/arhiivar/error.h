/*
 * error.h — the one error convention of libarhiivar.
 *
 * Every library function that can fail returns int: 0 on success, a negative
 * ARH_E* code otherwise.  The human-readable detail (which file, which line,
 * errno text, OpenSSL or SQLite reason) goes into a caller-owned struct
 * arh_err; the library never prints and never exits.
 *
 * Input validation collects every problem at once into struct arh_problems
 * ("path: message" strings) and then fails with ARH_EINVAL.
 */
#ifndef ARHIIVAR_ERROR_H
#define ARHIIVAR_ERROR_H

#include <stdarg.h>
#include <stddef.h>

enum {
	ARH_OK = 0,
	ARH_EINTERNAL = -1,	/* a bug: should not happen */
	ARH_ENOMEM = -2,	/* out of memory */
	ARH_EIO = -3,		/* read, write, fsync or rename failed */
	ARH_EINVAL = -4,	/* input rejected (see the problems list) */
	ARH_ENOTFOUND = -5,	/* no such archive, file or record */
	ARH_EEXIST = -6,	/* refusing to replace something that exists */
	ARH_EDENIED = -7,	/* access policy refuses */
	ARH_EVERIFY = -8,	/* an archive failed verification */
	ARH_ECRYPTO = -9,	/* key, certificate or signature problem */
	ARH_ECATALOG = -10,	/* SQLite failed */
	ARH_ECONFIG = -11,	/* configuration file is wrong */
	ARH_ECHANGED = -12,	/* an input file changed while being read */
	ARH_ENOSPC = -13,	/* no space left on the store's file system */
	ARH_EFORMAT = -14,	/* not an Arhiivar archive / malformed file */
	ARH_EUSAGE = -15,	/* the caller asked for something impossible */
};

#define ARH_ERR_MSG 2048

/* Detail of the last failure; fill with arh_errf(), show with ->msg. */
struct arh_err {
	int	code;
	char	msg[ARH_ERR_MSG];
};

/* A fixed English phrase for a code ("input rejected", ...). Never NULL. */
const char *arh_strerror(int code);

void arh_err_clear(struct arh_err *err);

/*
 * Record code and a formatted message; returns code so that callers can
 * write `return arh_errf(err, ARH_EIO, "cannot open '%s'", p);`.
 * err may be NULL (the detail is then dropped).
 */
int arh_errf(struct arh_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* As arh_errf() with ": strerror(errnum)" appended. ENOSPC maps to ARH_ENOSPC. */
int arh_errno(struct arh_err *err, int code, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A growing list of "subject: message" strings, all problems found at once. */
struct arh_problems {
	char	**items;
	size_t	  n;
	size_t	  cap;
};

void arh_problems_init(struct arh_problems *p);
void arh_problems_release(struct arh_problems *p);
/* Returns 0 or ARH_ENOMEM. */
int arh_problems_add(struct arh_problems *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Add "PREFIX: <message>" from a va_list: the one body of every problem
 * wrapper that puts a file (and line) in front.  0 or ARH_ENOMEM. */
int arh_problems_vadd(struct arh_problems *p, const char *prefix,
    const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));

#endif
