/*
 * manifest_index.c — making, parsing and checking the index of
 * manifest-sha256.txt (manifest_index.h, docs/FORMAT.md 4.1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "fault.h"
#include "manifest_index.h"
#include "util.h"

/* The index line of one chunk: "<sha256> <off> <len> <first path>\n". */
static int
put_chunk(FILE *f, const char *man, size_t off, size_t len)
{
	unsigned char md[32];
	unsigned int mdlen;
	char hex[65];
	const char *path = man + off + 66, *nl;

	if (EVP_Digest(man + off, len, md, &mdlen, EVP_sha256(), NULL) != 1)
		return -1;
	arh_hex(md, mdlen, hex);
	nl = memchr(path, '\n', len - 66);
	return fprintf(f, "%s %zu %zu %.*s\n", hex, off, len,
	    (int)(nl - path), path) < 0 ? -1 : 0;
}

char *
arh_mindex_make(const char *man, size_t len, size_t chunk, size_t *outlen)
{
	size_t start = 0, at = 0, l;
	const char *nl;
	char *buf = NULL;
	FILE *f;
	int bad = 0;

	*outlen = 0;
	if ((f = ARH_FAULT_ALLOC(open_memstream(&buf, outlen))) == NULL)
		return NULL;
	while (!bad && at < len) {
		/* The writer's lines: "<64 hex>  <path>\n", never shorter. */
		if ((nl = memchr(man + at, '\n', len - at)) == NULL ||
		    (l = (size_t)(nl - (man + at)) + 1) < 68) {
			bad = 1;
			break;
		}
		if (at > start && at + l - start > chunk) {
			bad = put_chunk(f, man, start, at - start) != 0;
			start = at;
		}
		at += l;
	}
	if (!bad && at > start)
		bad = put_chunk(f, man, start, at - start) != 0;
	if (fclose(f) != 0 || bad) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* One decimal number as the writer prints it: digits, no leading zero. */
static const char *
number(const char *p, uint64_t *out)
{
	uint64_t v = 0;
	const char *s = p;

	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return NULL;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (p == s || (*s == '0' && p - s > 1))
		return NULL;
	*out = v;
	return p;
}

/* Parse one line (without its LF) into c; NULL or why it is not one. */
static const char *
parse_line(char *line, struct arh_mchunk *c)
{
	const char *p;
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((line[i] >= '0' && line[i] <= '9') ||
		    (line[i] >= 'a' && line[i] <= 'f')))
			return "does not start with a lower-case hex SHA-256";
	if (line[64] != ' ' || (p = number(line + 65, &c->off)) == NULL ||
	    *p++ != ' ' || (p = number(p, &c->len)) == NULL || *p++ != ' ' ||
	    *p == '\0')
		return "is not '<sha256> <offset> <length> <first path>'";
	memcpy(c->sha256, line, 64);
	c->sha256[64] = '\0';
	c->first = p;
	return NULL;
}

/* Chunk c follows the last one parsed without gap or overlap. */
static const char *
tiles(const struct arh_mindex *ix, const struct arh_mchunk *c,
    uint64_t manlen)
{
	const struct arh_mchunk *prev = ix->n ? &ix->v[ix->n - 1] : NULL;

	if (c->off != (prev ? prev->off + prev->len : 0))
		return "does not start where the chunk before it ends";
	if (c->len == 0 || c->len > ARH_INDEX_CHUNK)
		return "gives a length of 0 or more than 65536 bytes";
	if (c->len > manlen - c->off)
		return "runs past the end of manifest-sha256.txt";
	if (prev != NULL && strcmp(prev->first, c->first) >= 0)
		return "has a first path not after the chunk before it";
	return NULL;
}

int
arh_mindex_parse(struct arh_mindex *ix, char *text, size_t len,
    uint64_t manlen, struct arh_err *err)
{
	struct arh_mchunk c, *v;
	char *line, *nl;
	const char *why;
	size_t cap = 0, lineno = 0;

	memset(ix, 0, sizeof(*ix));
	if (len > 0 && text[len - 1] != '\n')
		return arh_errf(err, ARH_EFORMAT, "%s: the last line does not "
		    "end in LF", ARH_INDEX_PATH);
	for (line = text; line < text + len; line = nl + 1) {
		lineno++;
		nl = strchr(line, '\n');
		*nl = '\0';
		if ((why = parse_line(line, &c)) != NULL ||
		    (why = tiles(ix, &c, manlen)) != NULL) {
			arh_mindex_release(ix);
			return arh_errf(err, ARH_EFORMAT, "%s: line %zu %s",
			    ARH_INDEX_PATH, lineno, why);
		}
		if (ix->n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((v = ARH_FAULT_ALLOC(realloc(ix->v,
			    cap * sizeof(*v)))) == NULL) {
				arh_mindex_release(ix);
				return arh_errf(err, ARH_ENOMEM, "out of memory");
			}
			ix->v = v;
		}
		ix->v[ix->n++] = c;
	}
	if ((ix->n ? ix->v[ix->n - 1].off + ix->v[ix->n - 1].len : 0) !=
	    manlen) {
		arh_mindex_release(ix);
		return arh_errf(err, ARH_EFORMAT, "%s: its chunks end before "
		    "the end of manifest-sha256.txt (%llu bytes)",
		    ARH_INDEX_PATH, (unsigned long long)manlen);
	}
	return 0;
}

void
arh_mindex_release(struct arh_mindex *ix)
{
	if (ix == NULL)
		return;
	free(ix->v);
	ix->v = NULL;
	ix->n = 0;
}

long
arh_mindex_find(const struct arh_mindex *ix, const char *path)
{
	size_t lo = 0, hi = ix->n, mid;

	/* The first chunk whose first path is after path, less one. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(ix->v[mid].first, path) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (long)lo - 1;
}

int
arh_mindex_chunk_check(const struct arh_mchunk *c, const char *buf,
    size_t len, struct arh_err *err)
{
	unsigned char md[32];
	unsigned int mdlen;
	char hex[65];
	size_t fl = strlen(c->first);

	if (len == 0 || len != c->len)
		return arh_errf(err, ARH_EVERIFY, "%zu bytes where the index "
		    "gives %llu", len, (unsigned long long)c->len);
	if (EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL) != 1)
		return arh_errf(err, ARH_ECRYPTO, "SHA-256 failed");
	arh_hex(md, mdlen, hex);
	if (strcmp(hex, c->sha256) != 0)
		return arh_errf(err, ARH_EVERIFY, "its SHA-256 is not the one "
		    "in the index");
	/* The digest is the index's, so these only fail for an index that
	 * was sealed wrong: still no reason to trust the lines. */
	if (buf[len - 1] != '\n' || len < 67 + fl || buf[64] != ' ' ||
	    buf[65] != ' ' || memcmp(buf + 66, c->first, fl) != 0 ||
	    buf[66 + fl] != '\n')
		return arh_errf(err, ARH_EVERIFY, "it does not start with the "
		    "line of '%s' or does not end at a line end", c->first);
	return 0;
}
