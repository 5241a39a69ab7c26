/*
 * initials.c — a private person's name as the public sees it: "Mari
 * Maasikas" becomes "M. M.", "Jaan-Peeter Tamm" "J.-P. T.", "Õie Ärn"
 * "Õ. Ä." (whole characters, not bytes).  Public registers show private
 * persons this way; the record itself keeps the name.
 */
#include <string.h>

#include <unistr.h>

#include "arhiivar/policy.h"

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Append len bytes of s to out (n bytes, at *o); -1 when it does not fit. */
static int
put(char *out, size_t n, size_t *o, const char *s, size_t len)
{
	if (*o + len + 1 > n)
		return -1;
	memcpy(out + *o, s, len);
	*o += len;
	out[*o] = '\0';
	return 0;
}

int
arh_initials(const char *name, char *out, size_t n)
{
	const char *p = name;
	size_t o = 0;
	ucs4_t uc;
	int len, word = 0;

	if (n == 0)
		return -1;
	out[0] = '\0';
	while (*p) {
		if (is_space(*p)) {
			p++;
			continue;
		}
		if (word++ > 0 && put(out, n, &o, " ", 1) != 0)
			return -1;
		/* One word: the first character of each hyphenated part. */
		for (;;) {
			len = u8_mbtouc(&uc, (const uint8_t *)p, strlen(p));
			if (len <= 0 || uc == 0xfffd)
				return -1;
			if (put(out, n, &o, p, (size_t)len) != 0 ||
			    put(out, n, &o, ".", 1) != 0)
				return -1;
			while (*p && !is_space(*p) && *p != '-')
				p++;
			if (*p != '-')
				break;
			while (*p == '-')
				p++;
			if (*p == '\0' || is_space(*p))
				break;
			if (put(out, n, &o, "-", 1) != 0)
				return -1;
		}
	}
	return word > 0 ? 0 : -1;
}
