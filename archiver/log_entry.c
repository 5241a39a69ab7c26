/*
 * log_entry.c — the canonical text of a log leaf (FORMAT.md 11.2).  Pure:
 * the catalog gives the fields, this writes the bytes that are hashed,
 * the same bytes every time, so that `log verify` can rebuild an entry
 * from its event row and compare.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "arhiivar/log.h"
#include "util.h"

struct out {
	char	buf[ARH_LOG_ENTRY_MAX + 1];
	size_t	len;
	int	over;
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->over || n > ARH_LOG_ENTRY_MAX - o->len) {
		o->over = 1;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static int
plain(unsigned char c)
{
	return c >= 0x20 && c != 0x7f && c != '%';
}

/* A value with its control bytes, DEL and '%' as %XX: one line, always.
 * Runs of plain bytes go in whole. */
static void
put_value(struct out *o, const char *v)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)v, *run;
	char esc[3];

	while (*p != '\0') {
		for (run = p; *p != '\0' && plain(*p); p++)
			;
		put(o, (const char *)run, (size_t)(p - run));
		if (*p == '\0')
			break;
		esc[0] = '%';
		esc[1] = hex[*p >> 4];
		esc[2] = hex[*p & 0xf];
		put(o, esc, 3);
		p++;
	}
}

static void
line(struct out *o, const char *key, const char *value)
{
	if (value == NULL)
		return;
	put(o, key, strlen(key));
	put(o, " ", 1);
	put_value(o, value);
	put(o, "\n", 1);
}

/* SHA-256 fetched once: an implicit fetch per digest takes OpenSSL's
 * locks, and an upgrade or a long destruction list hashes many entries. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void
sha256_fetch(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *
sha256(void)
{
	pthread_once(&sha256_once, sha256_fetch);
	return sha256_md != NULL ? sha256_md : EVP_sha256();
}

/* SHA-256(salt || "target " T "\n" || "detail " D "\n"), absent lines
 * left out: what the entry says of the event's restricted part. */
static int
details(const struct arh_log_fields *f, char hex[65])
{
	struct out o = { .len = 0, .over = 0 };
	unsigned char md[32];
	unsigned int mdlen = 0;

	/* The salt first, then the lines: one buffer, one digest. */
	memcpy(o.buf, f->salt, ARH_LOG_SALT);
	o.len = ARH_LOG_SALT;
	line(&o, "target", f->target);
	line(&o, "detail", f->detail);
	if (o.over)
		return -1;
	if (EVP_Digest(o.buf, o.len, md, &mdlen, sha256(), NULL) != 1 ||
	    mdlen != sizeof(md))
		return -1;
	arh_hex(md, sizeof(md), hex);
	return 0;
}

int
arh_log_entry(const struct arh_log_fields *f, char **out, size_t *len,
    struct arh_err *err)
{
	struct out ob, *o = &ob;
	char num[24], hex[65];
	int rc = ARH_EINVAL;

	*out = NULL;
	*len = 0;
	if (f->at == NULL || f->kind == NULL || f->result == NULL ||
	    f->actor == NULL || f->salt == NULL)
		return arh_errf(err, ARH_EINVAL, "log entry of event %lld: "
		    "time, kind, result, actor and salt are required",
		    f->event);
	if (details(f, hex) != 0)
		return arh_errf(err, ARH_ECRYPTO, "log entry of event %lld: "
		    "cannot hash its details", f->event);
	o->len = 0;
	o->over = 0;
	put(o, ARH_LOG_ENTRY_VERSION "\n", strlen(ARH_LOG_ENTRY_VERSION) + 1);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)f->index);
	line(o, "index", num);
	snprintf(num, sizeof(num), "%lld", f->event);
	line(o, "event", num);
	line(o, "time", f->at);
	line(o, "kind", f->kind);
	line(o, "result", f->result);
	line(o, "actor", f->actor);
	line(o, "archive", f->archive);
	line(o, "tar-sha256", f->tar_sha256);
	line(o, "tagmanifest-sha512", f->tagmanifest_sha512);
	line(o, "details", hex);
	if (o->over) {
		rc = arh_errf(err, ARH_EINVAL, "log entry of event %lld would "
		    "exceed %d bytes", f->event, ARH_LOG_ENTRY_MAX);
		goto out;
	}
	o->buf[o->len] = '\0';
	if ((*out = malloc(o->len + 1)) == NULL) {
		rc = arh_errf(err, ARH_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(*out, o->buf, o->len + 1);
	*len = o->len;
	rc = 0;
out:
	return rc;
}

int
arh_log_entry_field(const char *entry, size_t len, const char *key,
    char *buf, size_t n)
{
	size_t klen = strlen(key), vlen;
	const char *p = entry, *end = entry + len, *nl;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		if ((size_t)(nl - p) > klen && memcmp(p, key, klen) == 0 &&
		    p[klen] == ' ') {
			vlen = (size_t)(nl - p) - klen - 1;
			if (vlen + 1 > n)
				return ARH_EFORMAT;
			memcpy(buf, p + klen + 1, vlen);
			buf[vlen] = '\0';
			return 0;
		}
	}
	return ARH_ENOTFOUND;
}
