/*
 * util.h — small helpers of the common layer (not public API), shared by
 * archiver/ and policy/ (which uses the pure ones only):
 * careful file reading and durable publishing, dates, hex, JSON fields.
 */
#ifndef ARHIIVAR_UTIL_H
#define ARHIIVAR_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <jansson.h>

#include "arhiivar/error.h"

/*
 * Read a regular file relative to dirfd (AT_FDCWD allowed) without following
 * a final symlink, refusing anything over `cap` bytes.  *buf is malloc'd and
 * NUL-terminated (the NUL is not counted in *len).
 */
int arh_read_file(int dirfd, const char *path, size_t cap, char **buf,
    size_t *len, struct arh_err *err);

/* write(2) all of buf, retrying on EINTR/short writes; -1 with errno set. */
/*
 * Open path (relative to dirfd) for reading if it is a regular file, never
 * blocking on a FIFO or device, and following a symlink only with
 * `follow` (a path the user typed; never in the store): ARH_EIO naming
 * `what` and the kind of file otherwise, ARH_ENOTFOUND if absent.
 */
int arh_open_regular(int dirfd, const char *path, int follow,
    const char *what, int *fd, struct arh_err *err);

int arh_write_all(int fd, const void *buf, size_t len);

/*
 * Publish buf as dirfd/name durably: temp file in the same directory,
 * write, fsync, rename (RENAME_NOREPLACE when noreplace), fsync dirfd.
 * ARH_EEXIST if noreplace and name exists.
 */
int arh_write_file_atomic(int dirfd, const char *name, const void *buf,
    size_t len, mode_t mode, int noreplace, struct arh_err *err);

/* fsync a directory by fd; ARH_EIO with detail on failure. */
int arh_fsync_fd(int fd, const char *what, struct arh_err *err);

/* renameat2(RENAME_NOREPLACE); -1 with errno as renameat2. */
int arh_rename_noreplace(int olddirfd, const char *oldname, int newdirfd,
    const char *newname);

/* Today's date in Europe/Tallinn as YYYY-MM-DD; out holds 11 bytes. */
void arh_today(char out[11]);
/* The Europe/Tallinn calendar date of instant t. */
void arh_tallinn_date(time_t t, char out[11]);
/* Europe/Tallinn's offset from UTC at instant t, in seconds: 7200 in
 * winter, 10800 in summer (the EU rule, see util.c). */
long arh_tallinn_offset(time_t t);

/* The current time as "YYYY-MM-DDTHH:MM:SSZ". out must hold 21 bytes. */
void arh_now_utc(char out[21]);

/* Seconds since the epoch of YYYY-MM-DD at 00:00:00 UTC; -1 if invalid. */
int64_t arh_date_epoch(const char *date);

/* Lower-case hex of n bytes into out (2n+1 bytes). */
void arh_hex(const unsigned char *in, size_t n, char *out);

/* strdup that tolerates NULL. */
char *arh_strdup(const char *s);

/* o[key] if it is a string, else "" (o may be NULL); never NULL. */
const char *arh_json_str(const json_t *o, const char *key);

/* SHA-256 of the file name under dirfd, as 64 hex digits and a NUL. */
int arh_sha256_file(int dirfd, const char *name, char out[65],
    struct arh_err *err);

#endif
