/*
 * tar_grammar.c — the headers a member may have, exactly those the writer
 * emits (docs/FORMAT.md, 3.2): ustar headers ("ustar\0" "00") of type '0'
 * (a file, name without a trailing '/') or '5' (a directory, name with
 * one), each optionally preceded by one pax extended header ('x') whose
 * records are "path" or "size" only.
 *
 * libarchive reads more than that: pax global headers ('g'), GNU long
 * names ('L', 'K'), typeflag '0' with a trailing '/' as a directory.  Stock
 * tools read those differently (GNU tar and Python apply a global header's
 * path to every member without one), so an archive that holds them can be
 * OK here and fail `tar -xf; sha512sum -c` for an auditor.  The raw headers
 * are read again by position, after libarchive has parsed the member.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <uninorm.h>
#include <unistr.h>

#include "arhiivar/input.h"
#include "bag_read.h"

#define BLOCK		512
#define PAX_MAX		(8 * 1024)	/* path (4 KiB) and size records */

static int
read_at(int fd, void *buf, size_t n, int64_t off)
{
	size_t done = 0;
	ssize_t r;

	while (done < n) {
		r = pread(fd, (char *)buf + done, n - done, (off_t)off +
		    (off_t)done);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -errno;
		if (r == 0)
			return -EIO;	/* libarchive read it: it was there */
		done += (size_t)r;
	}
	return 0;
}

/* The header's size field: octal digits, NUL or space terminated. */
static int
header_size(const unsigned char *h, uint64_t *size)
{
	uint64_t v = 0;
	int i = 124, digits = 0;

	while (i < 136 && h[i] == ' ')
		i++;
	for (; i < 136 && h[i] >= '0' && h[i] <= '7'; i++, digits++) {
		if (v > (UINT64_MAX >> 3))
			return -1;
		v = v << 3 | (uint64_t)(h[i] - '0');
	}
	if (digits == 0 || (i < 136 && h[i] != '\0' && h[i] != ' '))
		return -1;
	*size = v;
	return 0;
}

/*
 * Every record of a pax extended header is "LEN path=..." or "LEN size=...".
 * The path's value is copied to path (room for ARH_MAX_MEMBER_NAME + 1).
 */
static const char *
pax_records(const char *p, size_t n, char *path)
{
	size_t len, k, vl;
	const char *sp, *eq;

	while (n > 0) {
		len = 0;
		for (k = 0; k < n && k < 8 && p[k] >= '0' && p[k] <= '9'; k++)
			len = len * 10 + (size_t)(p[k] - '0');
		if (k == 0 || k == n || p[k] != ' ' || len <= k + 1 || len > n ||
		    p[len - 1] != '\n')
			return "a malformed pax record";
		sp = p + k + 1;
		if ((eq = memchr(sp, '=', (size_t)(p + len - sp))) == NULL)
			return "a malformed pax record";
		if (!((eq - sp == 4 && memcmp(sp, "path", 4) == 0) ||
		    (eq - sp == 4 && memcmp(sp, "size", 4) == 0)))
			return "a pax record other than path or size";
		if (memcmp(sp, "path", 4) == 0) {
			vl = (size_t)(p + len - 1 - (eq + 1));
			if (vl > ARH_MAX_MEMBER_NAME)
				return "a pax path longer than tar can extract";
			memcpy(path, eq + 1, vl);
			path[vl] = '\0';
		}
		p += len;
		n -= len;
	}
	return NULL;
}

/* 1 if s is valid UTF-8 in NFC (ASCII always is), 0 if not, -1 when
 * out of memory. */
static int
is_nfc(const char *s)
{
	size_t n = strlen(s), m = 0, i;
	uint8_t *u;
	int ok;

	for (i = 0; i < n && (unsigned char)s[i] < 0x80; i++)
		;
	if (i == n)
		return 1;
	if (u8_check((const uint8_t *)s, n) != NULL)
		return 0;
	if ((u = u8_normalize(UNINORM_NFC, (const uint8_t *)s, n, NULL,
	    &m)) == NULL)
		return -1;
	ok = m == n && memcmp(u, s, n) == 0;
	free(u);
	return ok;
}

/* prefix "/" name of a ustar header (each NUL-terminated or full). */
static void
ustar_name(const unsigned char *h, char *out)
{
	size_t pl = strnlen((const char *)h + 345, 155),
	    nl = strnlen((const char *)h, 100), o = 0;

	if (pl > 0) {
		memcpy(out, h + 345, pl);
		out[pl] = '/';
		o = pl + 1;
	}
	memcpy(out + o, h, nl);
	out[o + nl] = '\0';
}

static const char *
kind_of(unsigned char t)
{
	switch (t) {
	case 'g':
		return "a pax global header (typeflag 'g')";
	case 'L':
	case 'K':
		return "a GNU long-name header (typeflag 'L' or 'K')";
	case '1':
	case '2':
		return "a link header";
	default:
		return "a header type the format does not use";
	}
}

int
arh_tar_grammar(int fd, int64_t pos, int is_dir, const char *name, char *why,
    size_t n)
{
	unsigned char h[BLOCK];
	char pax[PAX_MAX], raw[ARH_MAX_MEMBER_NAME + 1] = "";
	const char *bad = NULL;
	uint64_t size;
	size_t l;
	int r, seen_pax = 0;

	for (;;) {
		if ((r = read_at(fd, h, sizeof(h), pos)) != 0)
			return r;
		if (memcmp(h + 257, "ustar\0" "00", 8) != 0) {
			bad = "a header that is not POSIX ustar (\"ustar\\0\" "
			    "\"00\")";
			break;
		}
		if (h[156] != 'x')
			break;
		if (seen_pax) {
			bad = "two pax extended headers for one member";
			break;
		}
		if (header_size(h, &size) != 0 || size > PAX_MAX) {
			bad = "a pax extended header larger than the format's";
			break;
		}
		if ((r = read_at(fd, pax, (size_t)size, pos + BLOCK)) != 0)
			return r;
		if ((bad = pax_records(pax, (size_t)size, raw)) != NULL)
			break;
		seen_pax = 1;
		pos += BLOCK + (int64_t)((size + BLOCK - 1) / BLOCK * BLOCK);
	}
	if (bad == NULL && h[156] != '0' && h[156] != '5')
		bad = kind_of(h[156]);
	if (bad == NULL) {
		/* libarchive reads a '0' whose name ends in '/' as a
		 * directory; the writer gives every directory a '5'. */
		l = strnlen((const char *)h, 100);
		if (!seen_pax && l > 0 && h[156] == '0' && h[l - 1] == '/')
			bad = "a file header (typeflag '0') whose name ends "
			    "in '/'";
	}
	if (bad == NULL && (h[156] == '5') != (is_dir != 0))
		bad = "a header whose type differs from what it was read as";
	/* The name as stored, not as libarchive hands it over: it turns an
	 * NFD name into NFC, which then verifies here while sha512sum -c
	 * cannot find the file tar extracted under the stored bytes. */
	if (bad == NULL && raw[0] == '\0')
		ustar_name(h, raw);
	if (bad == NULL && (r = is_nfc(raw)) != 1) {
		if (r < 0)
			return -ENOMEM;
		bad = "a member name not in Unicode NFC";
	}
	if (bad == NULL && strcmp(raw, name) != 0)
		bad = "a member name stored otherwise than it reads";
	if (bad == NULL)
		return 0;
	snprintf(why, n, "%s, which the writer never emits", bad);
	return 1;
}
