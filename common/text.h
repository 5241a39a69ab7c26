/*
 * text.h — string helpers of the common layer (archiver/ and policy/):
 * safe rendering of untrusted names and values in messages, and string
 * vectors.
 */
#ifndef ARHIIVAR_TEXT_H
#define ARHIIVAR_TEXT_H

#include <stddef.h>
#include <stdio.h>
#include <unitypes.h>

#define ARH_SHOW_BYTES	60	/* of a value quoted in a message */

/* 1 for C0 and C1 controls and DEL: some terminals act on U+0080..U+009F. */
int arh_is_control(ucs4_t uc);

/*
 * 1 for the invisible format characters that can make a line read other
 * than it is: zero-width characters and directional marks U+200B..U+200F,
 * the line and paragraph separators U+2028 and U+2029, the bidirectional
 * embeddings and overrides U+202A..U+202E and isolates U+2066..U+2069, and
 * U+FEFF (a byte order mark read as a zero-width no-break space).
 */
int arh_is_format(ucs4_t uc);

/*
 * Copy at most max bytes of s into out (room for 4 * max + 4 bytes),
 * writing each byte of a control or format character, and each byte that is
 * not UTF-8, as \xNN so that a hostile name or value cannot drive the
 * reader's terminal or disguise a line; "..." marks a cut.  A backslash is
 * copied as it is, so escaping the result again changes nothing.
 */
void arh_escape_into(const char *s, size_t max, char *out);

/* A short, safe rendering of a value, valid to the end of the full
 * expression that calls arh_show() (C11 temporary lifetime). */
struct arh_shown {
	char	s[4 * ARH_SHOW_BYTES + 4];
};
struct arh_shown arh_show(const char *s);

/* s to f as HTML text: & < > " ' as entities, everything else as it is
 * (escape controls first with arh_escape_into() where they may occur). */
void arh_html_text(FILE *f, const char *s);

/* Append s to a string vector unless present; takes s in all cases.
 * 0 or ARH_ENOMEM. */
int arh_strv_add_unique(char ***v, size_t *n, char *s);
void arh_strv_free(char **v, size_t n);

#endif
