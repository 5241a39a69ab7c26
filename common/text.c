/* text.c — safe rendering of untrusted text; string vectors. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistr.h>

#include "arhiivar/error.h"
#include "text.h"

int
arh_is_control(ucs4_t uc)
{
	return uc < 0x20 || uc == 0x7f || (uc >= 0x80 && uc <= 0x9f);
}

int
arh_is_format(ucs4_t uc)
{
	return (uc >= 0x200b && uc <= 0x200f) || (uc >= 0x2028 &&
	    uc <= 0x202e) || (uc >= 0x2066 && uc <= 0x2069) || uc == 0xfeff;
}

void
arh_escape_into(const char *s, size_t max, char *out)
{
	size_t n = strlen(s), cut = n > max ? max : n, i = 0, o = 0, j;
	ucs4_t uc;
	int k;

	while (i < cut) {
		k = u8_mbtoucr(&uc, (const uint8_t *)s + i, n - i);
		if (k > 0 && i + (size_t)k > cut)
			break;		/* never cut a character in half */
		if (k < 0)
			k = 1, uc = 0;
		if (uc == 0 || arh_is_control(uc) || arh_is_format(uc)) {
			for (j = 0; j < (size_t)k; j++)
				o += (size_t)snprintf(out + o, 5, "\\x%02x",
				    (unsigned char)s[i + j]);
		} else {
			memcpy(out + o, s + i, (size_t)k);
			o += (size_t)k;
		}
		i += (size_t)k;
	}
	if (i < n) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

struct arh_shown
arh_show(const char *s)
{
	struct arh_shown sh;

	arh_escape_into(s, ARH_SHOW_BYTES, sh.s);
	return sh;
}

int
arh_strv_add_unique(char ***v, size_t *n, char *s)
{
	char **nv;
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*v)[i], s) == 0) {
			free(s);
			return 0;
		}
	if ((nv = realloc(*v, (*n + 1) * sizeof(*nv))) == NULL) {
		free(s);
		return ARH_ENOMEM;
	}
	nv[(*n)++] = s;
	*v = nv;
	return 0;
}

void
arh_strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
arh_html_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}
