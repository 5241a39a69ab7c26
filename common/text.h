/*
 * text.h — string helpers of the common layer (archiver/ and policy/):
 * safe rendering of untrusted names and values in messages, and string
 * vectors.
 */
#ifndef ARHIIVAR_TEXT_H
#define ARHIIVAR_TEXT_H

#include <stddef.h>
#include <unitypes.h>

#define ARH_SHOW_BYTES	60	/* of a value quoted in a message */

/* 1 for C0 and C1 controls and DEL: some terminals act on U+0080..U+009F. */
int arh_is_control(ucs4_t uc);

/*
 * Copy at most max bytes of s into out (room for 4 * max + 4 bytes),
 * writing control characters and bytes that are not UTF-8 as \xNN so that a
 * hostile name or value cannot drive the reader's terminal; "..." marks a
 * cut.
 */
void arh_escape_into(const char *s, size_t max, char *out);

/* A short, safe rendering of a value, valid to the end of the full
 * expression that calls arh_show() (C11 temporary lifetime). */
struct arh_shown {
	char	s[4 * ARH_SHOW_BYTES + 4];
};
struct arh_shown arh_show(const char *s);

/* Append s to a string vector unless present; takes s in all cases.
 * 0 or ARH_ENOMEM. */
int arh_strv_add_unique(char ***v, size_t *n, char *s);
void arh_strv_free(char **v, size_t n);

#endif
