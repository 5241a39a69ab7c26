/*
 * note.c — signed notes with Ed25519, checkpoint bodies, tlog proofs and
 * consistency proofs (see note.h for the formats).
 *
 * The specifications: c2sp.org/signed-note (key IDs and verifier keys as
 * golang.org/x/mod/sumdb/note derives them), c2sp.org/tlog-checkpoint and
 * c2sp.org/tlog-proof@v1; Merkle proofs as RFC 6962 section 2.1.
 *
 * Base64 goes through EVP_EncodeBlock()/EVP_DecodeBlock().  DecodeBlock
 * alone is too lenient (it trims whitespace, returns lengths rounded up to
 * a multiple of 3 and accepts "A===", "AA=A" or non-zero padding bits), so
 * a decoded value counts only if encoding it again gives back exactly the
 * input: that is what canonical means here.
 *
 * Every public function that calls OpenSSL clears the thread's error queue
 * on entry and on exit, so a stale reason never reaches another caller.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include <unistr.h>

#include "arhiivar/note.h"
#include "text.h"
#include "util.h"

#define EM_DASH_SP	"\xe2\x80\x94 "	/* U+2014 and a space */
#define EM_DASH_SP_LEN	(sizeof(EM_DASH_SP) - 1)
#define SIG_TYPE_ED25519 0x01
#define ED25519_SIG_LEN	64
#define SIG_RAW_LEN	(ARH_NOTE_KEY_ID_LEN + ED25519_SIG_LEN)
#define SIG_B64_LEN	(4 * ((SIG_RAW_LEN + 2) / 3))		/* 92 */
#define VKEY_RAW_LEN	(1 + ARH_NOTE_PUB_LEN)
#define VKEY_B64_LEN	(4 * ((VKEY_RAW_LEN + 2) / 3))		/* 44 */
#define HASH_B64_LEN	(4 * ((ARH_HASH_LEN + 2) / 3))		/* 44 */
#define B64_MAX_RAW	(ARH_NOTE_MAX_LINE / 4 * 3)	/* a line's worth */
#define TLOG_PROOF_HEADER "c2sp.org/tlog-proof@v1"
#define DEC_MAX		20	/* digits of 2^64 - 1 */

/* ------------------------------------------------------------------ */
/* Errors */

/* Where a parser is: what it reads, the line, and the code to fail with
 * (ARH_EFORMAT for input, ARH_EUSAGE for a writer's arguments). */
struct pos {
	const char	*what;
	size_t		 line;
	int		 code;
	struct arh_err	*err;
};

static int __attribute__((format(printf, 2, 3)))
bad(const struct pos *p, const char *fmt, ...)
{
	char msg[ARH_ERR_MSG];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->line == 0)
		return arh_errf(p->err, p->code, "%s: %s", p->what, msg);
	return arh_errf(p->err, p->code, "%s line %zu: %s", p->what, p->line,
	    msg);
}

/* As arh_errf() with ": <first OpenSSL reason>" appended. */
static int __attribute__((format(printf, 3, 4)))
ossl_err(struct arh_err *err, int code, const char *fmt, ...)
{
	char what[ARH_ERR_MSG], rbuf[256];
	unsigned long e = ERR_peek_error();
	const char *reason;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (e == 0)
		reason = "unknown OpenSSL error";
	else if ((reason = ERR_reason_error_string(e)) == NULL) {
		ERR_error_string_n(e, rbuf, sizeof(rbuf));
		reason = rbuf;
	}
	return arh_errf(err, code, "%s: %s", what, reason);
}

static void
id_hex(const unsigned char id[4], char out[9])
{
	arh_hex(id, ARH_NOTE_KEY_ID_LEN, out);
}

/* ------------------------------------------------------------------ */
/* Text, names, numbers, base64 */

/*
 * Is buf[0..len) note text: UTF-8 without a control character other than
 * "\n" and no line over ARH_NOTE_MAX_LINE?  p->line is the number of the
 * first line.  The final newline is the caller's to check.
 */
static int
check_text(const char *buf, size_t len, const struct pos *p0)
{
	const uint8_t *inval = u8_check((const uint8_t *)buf, len);
	size_t stop = inval == NULL ? len : (size_t)((const char *)inval - buf);
	struct pos p = *p0;
	size_t i, col = 0;
	unsigned char c;

	for (i = 0; i < stop; i++) {
		if ((c = (unsigned char)buf[i]) == '\n') {
			p.line++;
			col = 0;
			continue;
		}
		if (++col > ARH_NOTE_MAX_LINE)
			return bad(&p, "line is longer than %d bytes",
			    ARH_NOTE_MAX_LINE);
		if (c == '\r')
			return bad(&p, "carriage return (CR) at byte %zu: "
			    "lines end in LF alone", col);
		if (c < 0x20)
			return bad(&p, "control character 0x%02x at byte %zu",
			    c, col);
	}
	if (inval != NULL)
		return bad(&p, "not UTF-8 at byte %zu", col + 1);
	return 0;
}

/* The number of the line holding buf[len - 1] when buf starts at line0. */
static size_t
last_line(const char *buf, size_t len, size_t line0)
{
	size_t i;

	for (i = 0; i + 1 < len; i++)
		if (buf[i] == '\n')
			line0++;
	return line0;
}

/* Unicode's White_Space property (what Go's unicode.IsSpace tests). */
static int
is_space(ucs4_t uc)
{
	return (uc >= 0x09 && uc <= 0x0d) || uc == 0x20 || uc == 0x85 ||
	    uc == 0xa0 || uc == 0x1680 || (uc >= 0x2000 && uc <= 0x200a) ||
	    uc == 0x2028 || uc == 0x2029 || uc == 0x202f || uc == 0x205f ||
	    uc == 0x3000;
}

/* NULL if s[0..n) is a key name, else what is wrong with it. */
static const char *
name_problem(const char *s, size_t n)
{
	const uint8_t *u = (const uint8_t *)s;
	size_t i = 0;
	ucs4_t uc;
	int k;

	if (n == 0)
		return "is empty";
	if (n > ARH_NOTE_MAX_LINE)
		return "is too long";
	if (u8_check(u, n) != NULL)
		return "is not UTF-8";
	while (i < n) {
		k = u8_mbtouc(&uc, u + i, n - i);
		if (uc == '+')
			return "contains '+'";
		if (is_space(uc))
			return "contains a space";
		if (uc < 0x20)
			return "contains a control character";
		i += (size_t)k;
	}
	return NULL;
}

int
arh_note_name_valid(const char *name, size_t len)
{
	return name != NULL && name_problem(name, len) == NULL;
}

/* A NUL-terminated key name from a caller: its length, or ARH_EUSAGE. */
static int
caller_name(const char *name, size_t *len, struct arh_err *err)
{
	const char *why;

	if (name == NULL)
		return arh_errf(err, ARH_EUSAGE, "no key name given");
	*len = strnlen(name, ARH_NOTE_MAX_LINE + 1);
	if ((why = name_problem(name, *len)) != NULL)
		return arh_errf(err, ARH_EUSAGE, "key name '%s' %s",
		    arh_show(name).s, why);
	return 0;
}

/* NULL if s[0..n) is a decimal without a leading zero that fits, else
 * what is wrong with it. */
static const char *
parse_dec(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0, d;
	size_t i;

	*v = 0;
	if (n == 0)
		return "is empty";
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return "is not a decimal number";
	if (s[0] == '0' && n > 1)
		return "has a leading zero";
	if (n > DEC_MAX)
		return "is larger than 2^64 - 1";
	for (i = 0; i < n; i++) {
		d = (uint64_t)(s[i] - '0');
		if (x > (UINT64_MAX - d) / 10)
			return "is larger than 2^64 - 1";
		x = x * 10 + d;
	}
	*v = x;
	return NULL;
}

/*
 * Decode canonical base64 s[0..n) (RFC 4648 section 4, padded, nothing
 * else) of 1 to cap bytes into out.  0, or -1 if it is not that.
 */
static int
b64_decode(const char *s, size_t n, unsigned char *out, size_t cap,
    size_t *outlen)
{
	unsigned char dec[B64_MAX_RAW], re[ARH_NOTE_MAX_LINE + 1];
	size_t pad, raw;

	*outlen = 0;
	if (n == 0 || n % 4 != 0 || n > ARH_NOTE_MAX_LINE)
		return -1;
	pad = s[n - 1] != '=' ? 0 : s[n - 2] != '=' ? 1 : 2;
	if ((raw = n / 4 * 3 - pad) > cap)
		return -1;
	if (EVP_DecodeBlock(dec, (const unsigned char *)s, (int)n) !=
	    (int)(n / 4 * 3))
		return -1;
	if (EVP_EncodeBlock(re, dec, (int)raw) != (int)n ||
	    memcmp(re, s, n) != 0)
		return -1;
	memcpy(out, dec, raw);
	*outlen = raw;
	return 0;
}

/* Exactly one 32-byte hash in canonical base64. */
static int
b64_hash(const char *s, size_t n, unsigned char out[ARH_HASH_LEN])
{
	size_t got;

	if (n != HASH_B64_LEN ||
	    b64_decode(s, n, out, ARH_HASH_LEN, &got) != 0 ||
	    got != ARH_HASH_LEN)
		return -1;
	return 0;
}

/* Append base64 of in[0..n) at *o (room for 4 * ((n + 2) / 3) bytes and
 * a NUL) and move *o past it. */
static void
b64_put(char **o, const void *in, size_t n)
{
	*o += EVP_EncodeBlock((unsigned char *)*o, in, (int)n);
}

static void
put(char **o, const void *s, size_t n)
{
	memcpy(*o, s, n);
	*o += n;
}

/* ------------------------------------------------------------------ */
/* Lines */

struct lines {
	const char	*buf;
	size_t		 len, off;
	struct pos	 pos;	/* pos.line: the line last returned */
};

static void
lines_init(struct lines *l, const char *buf, size_t len,
    const struct pos *first)
{
	l->buf = buf;
	l->len = len;
	l->off = 0;
	l->pos = *first;
	l->pos.line--;
}

static int
at_end(const struct lines *l)
{
	return l->off >= l->len;
}

/*
 * The next line, without its "\n".  At the end of the input fail with
 * "expected <expect>".  The input must be known to end in "\n".
 */
static int
next_line(struct lines *l, const char *expect, const char **s, size_t *n)
{
	const char *start = l->buf + l->off, *nl;

	l->pos.line++;
	if (at_end(l))
		return bad(&l->pos, "expected %s, found the end", expect);
	if ((nl = memchr(start, '\n', l->len - l->off)) == NULL)
		return bad(&l->pos, "missing final newline");
	*s = start;
	*n = (size_t)(nl - start);
	l->off += *n + 1;
	return 0;
}

/* s[0..n) starts with the NUL-terminated word w; *rest is what follows. */
static int
starts(const char *s, size_t n, const char *w, const char **rest,
    size_t *restlen)
{
	size_t k = strlen(w);

	if (n < k || memcmp(s, w, k) != 0)
		return 0;
	*rest = s + k;
	*restlen = n - k;
	return 1;
}

/* ------------------------------------------------------------------ */
/* Signed notes */

/* One signature line. */
struct sig {
	const char	*name;
	size_t		 namelen;
	unsigned char	 raw[B64_MAX_RAW];	/* key ID || signature */
	size_t		 rawlen;
};

static int
sig_line(const char *s, size_t n, struct sig *sg, const struct pos *p)
{
	const char *b64, *why;
	size_t b64len;

	if (n < EM_DASH_SP_LEN || memcmp(s, EM_DASH_SP, EM_DASH_SP_LEN) != 0)
		return bad(p, "a signature line must start with an em dash "
		    "(U+2014) and a space");
	s += EM_DASH_SP_LEN;
	n -= EM_DASH_SP_LEN;
	if ((b64 = memchr(s, ' ', n)) == NULL)
		return bad(p, "no space between key name and signature");
	sg->name = s;
	sg->namelen = (size_t)(b64 - s);
	if ((why = name_problem(s, sg->namelen)) != NULL)
		return bad(p, "key name %s", why);
	b64++;
	b64len = n - sg->namelen - 1;
	if (memchr(b64, ' ', b64len) != NULL)
		return bad(p, "more than one space in a signature line");
	if (b64_decode(b64, b64len, sg->raw, sizeof(sg->raw), &sg->rawlen))
		return bad(p, "signature is not canonical base64");
	if (sg->rawlen <= ARH_NOTE_KEY_ID_LEN)
		return bad(p, "signature is shorter than a key ID and one "
		    "byte");
	return 0;
}

/* Where the parts of a well-formed note are. */
struct note_parts {
	size_t	textlen;	/* the text: note[0..textlen) */
	size_t	sigoff;		/* signature lines: note[sigoff..len) */
	size_t	sigline;	/* the number of the first of them */
};

/*
 * Check the syntax of a signed note (not its signatures) whose first line
 * is number p->line, and say where its parts are.
 */
static int
note_split(const char *note, size_t len, const struct pos *p,
    struct note_parts *np)
{
	struct pos e = *p;
	struct lines l;
	struct sig sg;
	const char *s;
	size_t i, n, nsigs = 0;
	int r;

	e.line = 0;
	if (len == 0)
		return bad(&e, "signed note is empty");
	if (len > ARH_NOTE_MAX)
		return bad(&e, "signed note is larger than %d bytes",
		    ARH_NOTE_MAX);
	if ((r = check_text(note, len, p)) != 0)
		return r;
	if (note[len - 1] != '\n') {
		e.line = last_line(note, len, p->line);
		return bad(&e, "missing final newline");
	}
	/* The text ends at the last blank line: the last "\n\n". */
	for (i = len - 1; i > 0; i--)
		if (note[i] == '\n' && note[i - 1] == '\n')
			break;
	if (i == 0)
		return bad(&e, "no blank line between text and signatures");
	np->textlen = i;
	np->sigoff = i + 1;
	np->sigline = last_line(note, i + 1, p->line) + 1;
	if (np->sigoff == len) {
		e.line = np->sigline - 1;
		return bad(&e, "no signature lines after the blank line");
	}
	e.line = np->sigline;
	lines_init(&l, note + np->sigoff, len - np->sigoff, &e);
	while (!at_end(&l)) {
		if ((r = next_line(&l, "a signature", &s, &n)) != 0)
			return r;
		if (++nsigs > ARH_NOTE_MAX_SIGS)
			return bad(&l.pos, "more than %d signature lines",
			    ARH_NOTE_MAX_SIGS);
		if ((r = sig_line(s, n, &sg, &l.pos)) != 0)
			return r;
	}
	return 0;
}

int
arh_note_key_generate(EVP_PKEY **out, struct arh_err *err)
{
	int r = 0;

	ERR_clear_error();
	if ((*out = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")) == NULL)
		r = ossl_err(err, ARH_ECRYPTO, "cannot generate an Ed25519 key");
	ERR_clear_error();
	return r;
}

int
arh_note_key_public(const EVP_PKEY *k, unsigned char pub[32],
    struct arh_err *err)
{
	size_t len = ARH_NOTE_PUB_LEN;
	int r = 0;

	ERR_clear_error();
	memset(pub, 0, ARH_NOTE_PUB_LEN);
	if (k == NULL || !EVP_PKEY_is_a(k, "ED25519"))
		r = arh_errf(err, ARH_ECRYPTO, "the note key is not an "
		    "Ed25519 key");
	else if (EVP_PKEY_get_raw_public_key(k, pub, &len) != 1 ||
	    len != ARH_NOTE_PUB_LEN) {
		memset(pub, 0, ARH_NOTE_PUB_LEN);
		r = ossl_err(err, ARH_ECRYPTO, "cannot get the public key");
	}
	ERR_clear_error();
	return r;
}

/* The key ID of name[0..len), which is a key name. */
static int
key_id(const char *name, size_t len, const unsigned char pub[32],
    unsigned char id[4], struct arh_err *err)
{
	static const unsigned char sep[2] = { '\n', SIG_TYPE_ED25519 };
	unsigned char md[EVP_MAX_MD_SIZE];
	EVP_MD_CTX *ctx;
	int r = 0;

	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, name, len) != 1 ||
	    EVP_DigestUpdate(ctx, sep, sizeof(sep)) != 1 ||
	    EVP_DigestUpdate(ctx, pub, ARH_NOTE_PUB_LEN) != 1 ||
	    EVP_DigestFinal_ex(ctx, md, NULL) != 1)
		r = ossl_err(err, ARH_ECRYPTO, "cannot hash a key ID");
	else
		memcpy(id, md, ARH_NOTE_KEY_ID_LEN);
	EVP_MD_CTX_free(ctx);
	return r;
}

int
arh_note_key_id(const char *name, const unsigned char pub[32],
    unsigned char id[4], struct arh_err *err)
{
	size_t len;
	int r;

	ERR_clear_error();
	memset(id, 0, ARH_NOTE_KEY_ID_LEN);
	if ((r = caller_name(name, &len, err)) == 0)
		r = key_id(name, len, pub, id, err);
	ERR_clear_error();
	return r;
}

int
arh_note_vkey(const char *name, const unsigned char pub[32], char **out,
    struct arh_err *err)
{
	unsigned char id[ARH_NOTE_KEY_ID_LEN], raw[VKEY_RAW_LEN];
	char hex[9], *o;
	size_t len;
	int r;

	ERR_clear_error();
	*out = NULL;
	if ((r = caller_name(name, &len, err)) != 0 ||
	    (r = key_id(name, len, pub, id, err)) != 0)
		goto out;
	if ((o = *out = malloc(len + 10 + VKEY_B64_LEN + 1)) == NULL) {
		r = arh_errf(err, ARH_ENOMEM, "out of memory");
		goto out;
	}
	id_hex(id, hex);
	raw[0] = SIG_TYPE_ED25519;
	memcpy(raw + 1, pub, ARH_NOTE_PUB_LEN);
	put(&o, name, len);
	put(&o, "+", 1);
	put(&o, hex, 8);
	put(&o, "+", 1);
	b64_put(&o, raw, sizeof(raw));
	*o = '\0';
	r = 0;
out:
	ERR_clear_error();
	return r;
}

int
arh_note_vkey_parse(const char *vkey, char **name, unsigned char pub[32],
    struct arh_err *err)
{
	struct pos p = { "verifier key", 0, ARH_EFORMAT, err };
	unsigned char id[ARH_NOTE_KEY_ID_LEN], raw[VKEY_RAW_LEN];
	const char *plus, *why, *hex, *b64;
	char want[9];
	size_t n, namelen, rawlen, i;
	int r;

	ERR_clear_error();
	*name = NULL;
	memset(pub, 0, ARH_NOTE_PUB_LEN);
	if (vkey == NULL) {
		r = arh_errf(err, ARH_EUSAGE, "no verifier key given");
		goto out;
	}
	if ((n = strnlen(vkey, ARH_NOTE_MAX_LINE + 1)) > ARH_NOTE_MAX_LINE) {
		r = bad(&p, "longer than %d bytes", ARH_NOTE_MAX_LINE);
		goto out;
	}
	if ((plus = memchr(vkey, '+', n)) == NULL) {
		r = bad(&p, "no '+' after the key name");
		goto out;
	}
	namelen = (size_t)(plus - vkey);
	if ((why = name_problem(vkey, namelen)) != NULL) {
		r = bad(&p, "key name %s", why);
		goto out;
	}
	hex = plus + 1;
	n -= namelen + 1;
	for (i = 0; i < 8 && i < n; i++)
		if (!((hex[i] >= '0' && hex[i] <= '9') ||
		    (hex[i] >= 'a' && hex[i] <= 'f')))
			break;
	if (i != 8 || n < 9 || hex[8] != '+') {
		r = bad(&p, "the key name must be followed by '+', 8 "
		    "lower-case hex digits and '+'");
		goto out;
	}
	b64 = hex + 9;
	if (b64_decode(b64, n - 9, raw, sizeof(raw), &rawlen) != 0 ||
	    rawlen != sizeof(raw)) {
		r = bad(&p, "the key is not canonical base64 of a signature "
		    "type and 32 bytes");
		goto out;
	}
	if (raw[0] != SIG_TYPE_ED25519) {
		r = bad(&p, "signature type 0x%02x is not Ed25519 (0x01)",
		    raw[0]);
		goto out;
	}
	if ((r = key_id(vkey, namelen, raw + 1, id, err)) != 0)
		goto out;
	id_hex(id, want);
	if (memcmp(want, hex, 8) != 0) {
		r = bad(&p, "key ID %.8s does not match the name and key "
		    "(%s)", hex, want);
		goto out;
	}
	if ((*name = strndup(vkey, namelen)) == NULL) {
		r = arh_errf(err, ARH_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(pub, raw + 1, ARH_NOTE_PUB_LEN);
	r = 0;
out:
	ERR_clear_error();
	return r;
}

int
arh_note_sign(const char *text, size_t len, const char *name,
    EVP_PKEY *key, char **out, size_t *outlen, struct arh_err *err)
{
	struct pos p = { "note text", 1, ARH_EUSAGE, err };
	unsigned char pub[ARH_NOTE_PUB_LEN], raw[SIG_RAW_LEN];
	EVP_MD_CTX *ctx = NULL;
	size_t namelen, total, siglen = ED25519_SIG_LEN;
	char *o;
	int r;

	ERR_clear_error();
	*out = NULL;
	*outlen = 0;
	if ((r = caller_name(name, &namelen, err)) != 0)
		goto out;
	if (text == NULL || len == 0 || text[len - 1] != '\n') {
		r = arh_errf(err, ARH_EUSAGE, "a note text must not be empty "
		    "and must end in a newline");
		goto out;
	}
	if (len > ARH_NOTE_MAX) {
		r = bad(&p, "the text is larger than %d bytes", ARH_NOTE_MAX);
		goto out;
	}
	if ((r = check_text(text, len, &p)) != 0)
		goto out;
	if (EM_DASH_SP_LEN + namelen + 1 + SIG_B64_LEN > ARH_NOTE_MAX_LINE) {
		r = arh_errf(err, ARH_EUSAGE, "key name '%s' is too long for "
		    "a signature line", arh_show(name).s);
		goto out;
	}
	total = len + 1 + EM_DASH_SP_LEN + namelen + 1 + SIG_B64_LEN + 1;
	if (total > ARH_NOTE_MAX) {
		r = arh_errf(err, ARH_EUSAGE, "the signed note would be larger "
		    "than %d bytes", ARH_NOTE_MAX);
		goto out;
	}
	if ((r = arh_note_key_public(key, pub, err)) != 0 ||
	    (r = key_id(name, namelen, pub, raw, err)) != 0)
		goto out;
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) != 1 ||
	    EVP_DigestSign(ctx, raw + ARH_NOTE_KEY_ID_LEN, &siglen,
	    (const unsigned char *)text, len) != 1 ||
	    siglen != ED25519_SIG_LEN) {
		r = ossl_err(err, ARH_ECRYPTO, "cannot sign the note as '%s'",
		    arh_show(name).s);
		goto out;
	}
	if ((o = *out = malloc(total + 1)) == NULL) {
		r = arh_errf(err, ARH_ENOMEM, "out of memory");
		goto out;
	}
	put(&o, text, len);
	put(&o, "\n" EM_DASH_SP, 1 + EM_DASH_SP_LEN);
	put(&o, name, namelen);
	put(&o, " ", 1);
	b64_put(&o, raw, sizeof(raw));
	put(&o, "\n", 1);
	*o = '\0';
	*outlen = total;
	r = 0;
out:
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return r;
}

/* 1 if sig is a valid Ed25519 signature of msg by pkey, 0 if not, -1 if
 * OpenSSL cannot tell (out of memory). */
static int
ed25519_verify(EVP_PKEY *pkey, const unsigned char *sig, const char *msg,
    size_t len)
{
	EVP_MD_CTX *ctx;
	int ok = -1;

	if ((ctx = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) == 1)
		ok = EVP_DigestVerify(ctx, sig, ED25519_SIG_LEN,
		    (const unsigned char *)msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

int
arh_note_open(const char *note, size_t len, const char *name,
    const unsigned char pub[32], const char **text, size_t *textlen,
    struct arh_err *err)
{
	struct pos p = { "note", 1, ARH_EFORMAT, err };
	unsigned char id[ARH_NOTE_KEY_ID_LEN];
	struct note_parts np;
	struct lines l;
	struct sig sg;
	EVP_PKEY *pkey = NULL;
	const char *s;
	char hex[9];
	size_t namelen, n, good = 0;
	int r, ok;

	ERR_clear_error();
	*text = NULL;
	*textlen = 0;
	if ((r = caller_name(name, &namelen, err)) != 0 ||
	    (r = key_id(name, namelen, pub, id, err)) != 0)
		goto out;
	if (note == NULL) {
		r = arh_errf(err, ARH_EUSAGE, "no note given");
		goto out;
	}
	if ((r = note_split(note, len, &p, &np)) != 0)
		goto out;
	if ((pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub,
	    ARH_NOTE_PUB_LEN)) == NULL) {
		r = ossl_err(err, ARH_ECRYPTO, "cannot use the public key of "
		    "'%s'", arh_show(name).s);
		goto out;
	}
	id_hex(id, hex);
	p.line = np.sigline;
	lines_init(&l, note + np.sigoff, len - np.sigoff, &p);
	while (!at_end(&l)) {
		/* Cannot fail: note_split() has read these lines. */
		if ((r = next_line(&l, "a signature", &s, &n)) != 0 ||
		    (r = sig_line(s, n, &sg, &l.pos)) != 0)
			goto out;
		if (sg.namelen != namelen ||
		    memcmp(sg.name, name, namelen) != 0 ||
		    memcmp(sg.raw, id, ARH_NOTE_KEY_ID_LEN) != 0)
			continue;	/* another key's: ignored */
		ok = sg.rawlen != SIG_RAW_LEN ? 0 : ed25519_verify(pkey,
		    sg.raw + ARH_NOTE_KEY_ID_LEN, note, np.textlen);
		if (ok < 0) {
			r = ossl_err(err, ARH_ECRYPTO, "cannot verify a "
			    "signature");
			goto out;
		}
		if (!ok) {
			r = arh_errf(err, ARH_EVERIFY, "note line %zu: the "
			    "signature by %s+%s does not verify", l.pos.line,
			    arh_show(name).s, hex);
			goto out;
		}
		good++;
	}
	if (good == 0) {
		r = arh_errf(err, ARH_EVERIFY, "the note has no signature by "
		    "%s+%s", arh_show(name).s, hex);
		goto out;
	}
	*text = note;
	*textlen = np.textlen;
	r = 0;
out:
	EVP_PKEY_free(pkey);
	ERR_clear_error();
	return r;
}

/* ------------------------------------------------------------------ */
/* Checkpoints */

void
arh_checkpoint_release(struct arh_checkpoint *c)
{
	if (c == NULL)
		return;
	free(c->origin);
	memset(c, 0, sizeof(*c));
}

static int
checkpoint_parse(const char *body, size_t len, const struct pos *p,
    struct arh_checkpoint *c)
{
	struct pos e = *p;
	struct lines l;
	const char *s, *why;
	size_t n;
	int r;

	memset(c, 0, sizeof(*c));
	e.line = 0;
	if (len > ARH_NOTE_MAX)
		return bad(&e, "checkpoint is larger than %d bytes",
		    ARH_NOTE_MAX);
	if ((r = check_text(body, len, p)) != 0)
		return r;
	if (len > 0 && body[len - 1] != '\n') {
		e.line = last_line(body, len, p->line);
		return bad(&e, "missing final newline");
	}
	lines_init(&l, body, len, p);
	if ((r = next_line(&l, "the origin", &s, &n)) != 0)
		return r;
	if (n == 0)
		return bad(&l.pos, "the origin is empty");
	if ((c->origin = strndup(s, n)) == NULL)
		return arh_errf(p->err, ARH_ENOMEM, "out of memory");
	if ((r = next_line(&l, "the tree size", &s, &n)) != 0)
		goto fail;
	if ((why = parse_dec(s, n, &c->size)) != NULL) {
		r = bad(&l.pos, "the tree size %s", why);
		goto fail;
	}
	if ((r = next_line(&l, "the root hash", &s, &n)) != 0)
		goto fail;
	if (b64_hash(s, n, c->root) != 0) {
		r = bad(&l.pos, "the root hash is not canonical base64 of 32 "
		    "bytes");
		goto fail;
	}
	/* Extension lines: opaque, ignored, but not empty. */
	while (!at_end(&l)) {
		if ((r = next_line(&l, "an extension line", &s, &n)) != 0)
			goto fail;
		if (n == 0) {
			r = bad(&l.pos, "empty line in a checkpoint");
			goto fail;
		}
	}
	return 0;
fail:
	arh_checkpoint_release(c);
	return r;
}

int
arh_checkpoint_parse(const char *body, size_t len, struct arh_checkpoint *c,
    struct arh_err *err)
{
	struct pos p = { "checkpoint", 1, ARH_EFORMAT, err };
	int r;

	if (body == NULL) {
		memset(c, 0, sizeof(*c));
		return arh_errf(err, ARH_EUSAGE, "no checkpoint given");
	}
	ERR_clear_error();
	r = checkpoint_parse(body, len, &p, c);
	ERR_clear_error();
	return r;
}

int
arh_checkpoint_format(const struct arh_checkpoint *c, char **body,
    size_t *len, struct arh_err *err)
{
	struct pos p = { "checkpoint origin", 0, ARH_EUSAGE, err };
	char size[DEC_MAX + 1], *o;
	size_t olen, total;
	int r;

	ERR_clear_error();
	*body = NULL;
	*len = 0;
	if (c == NULL || c->origin == NULL || c->origin[0] == '\0') {
		r = arh_errf(err, ARH_EUSAGE, "a checkpoint needs an origin");
		goto out;
	}
	if ((olen = strnlen(c->origin, ARH_NOTE_MAX_LINE + 1)) >
	    ARH_NOTE_MAX_LINE) {
		r = bad(&p, "longer than %d bytes", ARH_NOTE_MAX_LINE);
		goto out;
	}
	if (memchr(c->origin, '\n', olen) != NULL) {
		r = bad(&p, "contains a newline");
		goto out;
	}
	if ((r = check_text(c->origin, olen, &p)) != 0)
		goto out;
	snprintf(size, sizeof(size), "%" PRIu64, c->size);
	total = olen + 1 + strlen(size) + 1 + HASH_B64_LEN + 1;
	if ((o = *body = malloc(total + 1)) == NULL) {
		r = arh_errf(err, ARH_ENOMEM, "out of memory");
		goto out;
	}
	put(&o, c->origin, olen);
	put(&o, "\n", 1);
	put(&o, size, strlen(size));
	put(&o, "\n", 1);
	b64_put(&o, c->root, ARH_HASH_LEN);
	put(&o, "\n", 1);
	*o = '\0';
	*len = total;
	r = 0;
out:
	ERR_clear_error();
	return r;
}

/* ------------------------------------------------------------------ */
/* Inclusion proofs */

void
arh_tlog_proof_release(struct arh_tlog_proof *p)
{
	if (p == NULL)
		return;
	free(p->hashes);
	free(p->extra);
	free(p->checkpoint);
	memset(p, 0, sizeof(*p));
}

/* cp[0..len) is a well-formed note holding a well-formed checkpoint. */
static int
check_checkpoint(const char *cp, size_t len, const struct pos *p)
{
	struct arh_checkpoint c;
	struct note_parts np;
	int r;

	if ((r = note_split(cp, len, p, &np)) != 0 ||
	    (r = checkpoint_parse(cp, np.textlen, p, &c)) != 0)
		return r;
	arh_checkpoint_release(&c);
	return 0;
}

/* A malloc'd, NUL-terminated copy of s[0..n) in *out. */
static int
dup_bytes(const void *s, size_t n, char **out, struct arh_err *err)
{
	if ((*out = malloc(n + 1)) == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	memcpy(*out, s, n);
	(*out)[n] = '\0';
	return 0;
}

/* A malloc'd copy of n hashes (NULL for none). */
static int
dup_hashes(const unsigned char (*h)[ARH_HASH_LEN], size_t n,
    unsigned char (**out)[ARH_HASH_LEN], struct arh_err *err)
{
	*out = NULL;
	if (n == 0)
		return 0;
	if ((*out = malloc(n * ARH_HASH_LEN)) == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	memcpy(*out, h, n * ARH_HASH_LEN);
	return 0;
}

/* The "index" line and the hash lines up to the empty line. */
static int
tlog_proof_hashes(struct lines *l, const char *s, size_t n,
    struct arh_tlog_proof *p, unsigned char (*h)[ARH_HASH_LEN])
{
	const char *rest, *why;
	size_t restlen;
	int r;

	if (!starts(s, n, "index ", &rest, &restlen))
		return bad(&l->pos, "expected 'index <n>'");
	if ((why = parse_dec(rest, restlen, &p->index)) != NULL)
		return bad(&l->pos, "the index %s", why);
	for (;;) {
		if ((r = next_line(l, "a hash or an empty line", &s, &n)) != 0)
			return r;
		if (n == 0)
			return 0;
		if (p->n == ARH_PROOF_MAX_HASHES)
			return bad(&l->pos, "more than %d hashes",
			    ARH_PROOF_MAX_HASHES);
		if (b64_hash(s, n, h[p->n]) != 0)
			return bad(&l->pos, "the hash is not canonical base64 "
			    "of 32 bytes");
		p->n++;
	}
}

static int
tlog_proof_parse(const char *buf, size_t len, struct arh_tlog_proof *p,
    unsigned char (*h)[ARH_HASH_LEN], struct arh_err *err)
{
	struct pos pos = { "tlog proof", 1, ARH_EFORMAT, err };
	unsigned char extra[B64_MAX_RAW];
	const char *s, *rest;
	size_t n, restlen, cplen;
	struct lines l;
	int r;

	if (len > ARH_TLOG_PROOF_MAX) {
		pos.line = 0;
		return bad(&pos, "larger than %d bytes", ARH_TLOG_PROOF_MAX);
	}
	/* All of it is note text; this also finds a CR in the header. */
	if ((r = check_text(buf, len, &pos)) != 0)
		return r;
	if (len > 0 && buf[len - 1] != '\n') {
		pos.line = last_line(buf, len, 1);
		return bad(&pos, "missing final newline");
	}
	lines_init(&l, buf, len, &pos);
	if ((r = next_line(&l, "'" TLOG_PROOF_HEADER "'", &s, &n)) != 0)
		return r;
	if (n != strlen(TLOG_PROOF_HEADER) || memcmp(s, TLOG_PROOF_HEADER, n))
		return bad(&l.pos, "the first line must be '"
		    TLOG_PROOF_HEADER "'");
	if ((r = next_line(&l, "'index <n>'", &s, &n)) != 0)
		return r;
	if (starts(s, n, "extra ", &rest, &restlen)) {
		if (restlen == 0)
			return bad(&l.pos, "extra line without data (omit the "
			    "line when there is none)");
		if (b64_decode(rest, restlen, extra, sizeof(extra),
		    &p->extra_len) != 0)
			return bad(&l.pos, "the extra data is not canonical "
			    "base64");
		if ((r = dup_bytes(extra, p->extra_len, &p->extra, err)) != 0)
			return r;
		if ((r = next_line(&l, "'index <n>'", &s, &n)) != 0)
			return r;
	}
	if ((r = tlog_proof_hashes(&l, s, n, p, h)) != 0)
		return r;
	if ((cplen = len - l.off) == 0) {
		l.pos.line++;
		return bad(&l.pos, "expected the checkpoint, found the end");
	}
	l.pos.line++;
	if ((r = check_checkpoint(buf + l.off, cplen, &l.pos)) != 0)
		return r;
	if ((r = dup_hashes((const unsigned char (*)[ARH_HASH_LEN])h, p->n,
	    &p->hashes, err)) != 0 ||
	    (r = dup_bytes(buf + l.off, cplen, &p->checkpoint, err)) != 0)
		return r;
	p->checkpoint_len = cplen;
	return 0;
}

int
arh_tlog_proof_parse(const char *buf, size_t len, struct arh_tlog_proof *p,
    struct arh_err *err)
{
	unsigned char (*h)[ARH_HASH_LEN] = NULL;
	int r;

	ERR_clear_error();
	memset(p, 0, sizeof(*p));
	if (buf == NULL) {
		r = arh_errf(err, ARH_EUSAGE, "no tlog proof given");
		goto out;
	}
	if ((h = malloc(ARH_PROOF_MAX_HASHES * ARH_HASH_LEN)) == NULL) {
		r = arh_errf(err, ARH_ENOMEM, "out of memory");
		goto out;
	}
	if ((r = tlog_proof_parse(buf, len, p, h, err)) != 0)
		arh_tlog_proof_release(p);
out:
	free(h);
	ERR_clear_error();
	return r;
}

int
arh_tlog_proof_format(const struct arh_tlog_proof *p, char **out,
    size_t *len, struct arh_err *err)
{
	struct pos pos = { "checkpoint of the tlog proof", 1, ARH_EUSAGE,
	    err };
	char index[DEC_MAX + 1], *o;
	size_t b64len = 0, total, i;
	int r;

	ERR_clear_error();
	*out = NULL;
	*len = 0;
	if (p == NULL || p->n > ARH_PROOF_MAX_HASHES ||
	    (p->n > 0 && p->hashes == NULL) ||
	    (p->extra_len > 0 && p->extra == NULL) ||
	    p->checkpoint == NULL) {
		r = arh_errf(err, ARH_EUSAGE, "a tlog proof needs a checkpoint "
		    "and at most %d hashes", ARH_PROOF_MAX_HASHES);
		goto out;
	}
	if (p->extra_len > 0 && (b64len = 4 * ((p->extra_len + 2) / 3)) >
	    ARH_NOTE_MAX_LINE - strlen("extra ")) {
		r = arh_errf(err, ARH_EUSAGE, "the extra data of a tlog proof "
		    "is too long for a line");
		goto out;
	}
	if ((r = check_checkpoint(p->checkpoint, p->checkpoint_len,
	    &pos)) != 0)
		goto out;
	snprintf(index, sizeof(index), "%" PRIu64, p->index);
	total = strlen(TLOG_PROOF_HEADER) + 1 +
	    (p->extra_len > 0 ? strlen("extra ") + b64len + 1 : 0) +
	    strlen("index ") + strlen(index) + 1 +
	    p->n * (HASH_B64_LEN + 1) + 1 + p->checkpoint_len;
	if ((o = *out = malloc(total + 1)) == NULL) {
		r = arh_errf(err, ARH_ENOMEM, "out of memory");
		goto out;
	}
	put(&o, TLOG_PROOF_HEADER "\n", strlen(TLOG_PROOF_HEADER) + 1);
	if (p->extra_len > 0) {
		put(&o, "extra ", strlen("extra "));
		b64_put(&o, p->extra, p->extra_len);
		put(&o, "\n", 1);
	}
	put(&o, "index ", strlen("index "));
	put(&o, index, strlen(index));
	put(&o, "\n", 1);
	for (i = 0; i < p->n; i++) {
		b64_put(&o, p->hashes[i], ARH_HASH_LEN);
		put(&o, "\n", 1);
	}
	put(&o, "\n", 1);
	put(&o, p->checkpoint, p->checkpoint_len);
	*o = '\0';
	*len = total;
	r = 0;
out:
	ERR_clear_error();
	return r;
}

/* ------------------------------------------------------------------ */
/* Consistency proofs */

/* The largest power of two below x (x >= 2). */
static uint64_t
split_point(uint64_t x)
{
	uint64_t k = 1;

	while (k < x - k)
		k <<= 1;
	return k;
}

/*
 * RFC 6962 SUBPROOF(m, D[lo:hi], lo == 0) walked down to where m meets the
 * tree: one hash per level, plus the subtree at m itself unless it is the
 * old tree (lo == 0), which the verifier already has.
 */
size_t
arh_consistency_proof_len(uint64_t old, uint64_t size)
{
	uint64_t lo = 0, hi = size, k;
	size_t n = 0;

	if (old < 1 || old > size)
		return SIZE_MAX;
	if (old == size)
		return 0;
	while (old != hi) {
		k = split_point(hi - lo);
		if (old <= lo + k)
			hi = lo + k;
		else
			lo += k;
		n++;
	}
	return n + (lo != 0);
}

void
arh_consistency_proof_release(struct arh_consistency_proof *p)
{
	if (p == NULL)
		return;
	free(p->hashes);
	memset(p, 0, sizeof(*p));
}

/* A line "<word><decimal>". */
static int
dec_line(struct lines *l, const char *word, const char *what, uint64_t *v)
{
	const char *s, *rest, *why;
	size_t n, restlen;
	char expect[32];
	int r;

	snprintf(expect, sizeof(expect), "'%s<n>'", word);
	if ((r = next_line(l, expect, &s, &n)) != 0)
		return r;
	if (!starts(s, n, word, &rest, &restlen))
		return bad(&l->pos, "expected %s", expect);
	if ((why = parse_dec(rest, restlen, v)) != NULL)
		return bad(&l->pos, "the %s %s", what, why);
	return 0;
}

static int
consistency_parse(const char *buf, size_t len,
    struct arh_consistency_proof *p, unsigned char (*h)[ARH_HASH_LEN],
    struct arh_err *err)
{
	struct pos pos = { "consistency proof", 1, ARH_EFORMAT, err };
	const char *hdr = ARH_CONSISTENCY_PROOF_HEADER, *s;
	struct lines l;
	size_t n, want;
	int r;

	if (len > ARH_CONSISTENCY_PROOF_MAX) {
		pos.line = 0;
		return bad(&pos, "larger than %d bytes",
		    ARH_CONSISTENCY_PROOF_MAX);
	}
	if ((r = check_text(buf, len, &pos)) != 0)
		return r;
	if (len > 0 && buf[len - 1] != '\n') {
		pos.line = last_line(buf, len, 1);
		return bad(&pos, "missing final newline");
	}
	lines_init(&l, buf, len, &pos);
	if ((r = next_line(&l, "the header", &s, &n)) != 0)
		return r;
	if (n != strlen(hdr) || memcmp(s, hdr, n) != 0)
		return bad(&l.pos, "the first line must be '%s'", hdr);
	if ((r = dec_line(&l, "old ", "old tree size", &p->old)) != 0)
		return r;
	if (p->old == 0)
		return bad(&l.pos, "the old tree size must be at least 1");
	if ((r = dec_line(&l, "new ", "new tree size", &p->size)) != 0)
		return r;
	if (p->size < p->old)
		return bad(&l.pos, "the new tree size %" PRIu64 " is below "
		    "the old %" PRIu64, p->size, p->old);
	if ((want = arh_consistency_proof_len(p->old, p->size)) >
	    ARH_PROOF_MAX_HASHES)
		return bad(&l.pos, "the proof would need %zu hashes, more than "
		    "%d", want, ARH_PROOF_MAX_HASHES);
	while (!at_end(&l)) {
		if ((r = next_line(&l, "a hash", &s, &n)) != 0)
			return r;
		if (p->n == want)
			return bad(&l.pos, "more than the %zu hashes of a proof "
			    "from %" PRIu64 " to %" PRIu64, want, p->old,
			    p->size);
		if (b64_hash(s, n, h[p->n]) != 0)
			return bad(&l.pos, "the hash is not canonical base64 "
			    "of 32 bytes");
		p->n++;
	}
	if (p->n < want) {
		l.pos.line++;
		return bad(&l.pos, "expected hash %zu of the %zu of a proof "
		    "from %" PRIu64 " to %" PRIu64 ", found the end",
		    p->n + 1, want, p->old, p->size);
	}
	return dup_hashes((const unsigned char (*)[ARH_HASH_LEN])h, p->n,
	    &p->hashes, err);
}

int
arh_consistency_proof_parse(const char *buf, size_t len,
    struct arh_consistency_proof *p, struct arh_err *err)
{
	unsigned char (*h)[ARH_HASH_LEN] = NULL;
	int r;

	ERR_clear_error();
	memset(p, 0, sizeof(*p));
	if (buf == NULL) {
		r = arh_errf(err, ARH_EUSAGE, "no consistency proof given");
		goto out;
	}
	if ((h = malloc(ARH_PROOF_MAX_HASHES * ARH_HASH_LEN)) == NULL) {
		r = arh_errf(err, ARH_ENOMEM, "out of memory");
		goto out;
	}
	if ((r = consistency_parse(buf, len, p, h, err)) != 0)
		arh_consistency_proof_release(p);
out:
	free(h);
	ERR_clear_error();
	return r;
}

int
arh_consistency_proof_format(const struct arh_consistency_proof *p,
    char **out, size_t *len, struct arh_err *err)
{
	char old[DEC_MAX + 1], size[DEC_MAX + 1], *o;
	size_t want, total, i;
	int r;

	ERR_clear_error();
	*out = NULL;
	*len = 0;
	if (p == NULL || (p->n > 0 && p->hashes == NULL)) {
		r = arh_errf(err, ARH_EUSAGE, "no consistency proof given");
		goto out;
	}
	if ((want = arh_consistency_proof_len(p->old, p->size)) == SIZE_MAX) {
		r = arh_errf(err, ARH_EUSAGE, "a consistency proof from "
		    "%" PRIu64 " to %" PRIu64 " is impossible: the sizes must "
		    "be 1 <= old <= new", p->old, p->size);
		goto out;
	}
	if (p->n != want || want > ARH_PROOF_MAX_HASHES) {
		r = arh_errf(err, ARH_EUSAGE, "a consistency proof from "
		    "%" PRIu64 " to %" PRIu64 " has %zu hashes, not %zu (at "
		    "most %d)", p->old, p->size, p->n, want,
		    ARH_PROOF_MAX_HASHES);
		goto out;
	}
	snprintf(old, sizeof(old), "%" PRIu64, p->old);
	snprintf(size, sizeof(size), "%" PRIu64, p->size);
	total = strlen(ARH_CONSISTENCY_PROOF_HEADER) + 1 + 4 + strlen(old) +
	    1 + 4 + strlen(size) + 1 + p->n * (HASH_B64_LEN + 1);
	if ((o = *out = malloc(total + 1)) == NULL) {
		r = arh_errf(err, ARH_ENOMEM, "out of memory");
		goto out;
	}
	put(&o, ARH_CONSISTENCY_PROOF_HEADER "\nold ",
	    strlen(ARH_CONSISTENCY_PROOF_HEADER) + 5);
	put(&o, old, strlen(old));
	put(&o, "\nnew ", 5);
	put(&o, size, strlen(size));
	put(&o, "\n", 1);
	for (i = 0; i < p->n; i++) {
		b64_put(&o, p->hashes[i], ARH_HASH_LEN);
		put(&o, "\n", 1);
	}
	*o = '\0';
	*len = total;
	r = 0;
out:
	ERR_clear_error();
	return r;
}
