/* test_mime.c — identification records exactly what libmagic with all its
 * checks says: arh_mime_buffer() and the worker pool against a reference
 * cookie opened here with the same flags and byte limit, on buffers shaped
 * like every kind of payload and like the places where a shortcut (a
 * binary pass first, the text rules over a prefix only) would go wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <magic.h>

#include "arhiivar/mime.h"
#include "mime_pool.h"

#define CAP	(ARH_IDENT_BYTES + 4096)	/* room past the limit */

struct buf {
	unsigned char	 b[CAP];
	size_t		 n;
};

static uint64_t rng_state;

static uint32_t
rnd(void)
{
	/* xorshift64*: the same bytes on every run. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

static void
put(struct buf *b, const void *p, size_t n)
{
	if (n > CAP - b->n)
		n = CAP - b->n;
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void
put_str(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void
put_byte(struct buf *b, unsigned char c)
{
	put(b, &c, 1);
}

static void
put_le16(struct buf *b, unsigned v)
{
	put_byte(b, v & 0xff);
	put_byte(b, (v >> 8) & 0xff);
}

static void
put_le32(struct buf *b, uint32_t v)
{
	put_le16(b, v & 0xffff);
	put_le16(b, v >> 16);
}

static void
put_random(struct buf *b, size_t n)
{
	while (n-- > 0)
		put_byte(b, rnd() & 0xff);
}

/* Prose of ASCII words in lines of about 70 columns, up to length to. */
static void
put_words(struct buf *b, size_t to, const char *eol)
{
	static const char *const w[] = { "the", "court", "decision", "of",
	    "request", "letter", "reply", "and", "legal", "assistance",
	    "ministry", "evidence", "witness", "hearing", "article", "to" };
	size_t col = 0;

	while (b->n < to) {
		const char *s = w[rnd() % (sizeof(w) / sizeof(w[0]))];

		if (col > 70) {
			put_str(b, eol);
			col = 0;
		} else if (col > 0) {
			put_byte(b, ' ');
			col++;
		}
		put_str(b, s);
		col += strlen(s);
	}
	b->n = to < b->n ? to : b->n;
}

/* A stored (method 0) zip member's local header and data. */
static void
put_zip_member(struct buf *b, const char *name, const char *data)
{
	size_t nl = strlen(name), dl = strlen(data);

	put_str(b, "PK\003\004");
	put_le16(b, 20);
	put_le16(b, 0);
	put_le16(b, 0);			/* stored */
	put_le16(b, 0);
	put_le16(b, 0x5821);
	put_le32(b, 0x12345678);	/* libmagic does not check the CRC */
	put_le32(b, (uint32_t)dl);
	put_le32(b, (uint32_t)dl);
	put_le16(b, (unsigned)nl);
	put_le16(b, 0);
	put(b, name, nl);
	put(b, data, dl);
}

static void
put_zip_end(struct buf *b, unsigned members)
{
	put_str(b, "PK\005\006");
	put_le16(b, 0);
	put_le16(b, 0);
	put_le16(b, members);
	put_le16(b, members);
	put_le32(b, 0);
	put_le32(b, 0);
	put_le16(b, 0);
}

/* --- the cases ------------------------------------------------------- */

static void
mk_pdf(struct buf *b)
{
	put_str(b, "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog "
	    "/Pages 2 0 R >>\nendobj\n4 0 obj\n<< /Length 3000 >>\nstream\n");
	put_random(b, 3000);
	put_str(b, "\nendstream\nendobj\nxref\n0 5\ntrailer\n<< /Root 1 0 R >>"
	    "\nstartxref\n123\n%%EOF\n");
}

static void
mk_jpeg(struct buf *b)
{
	static const unsigned char soi[] = { 0xff, 0xd8, 0xff, 0xe0, 0x00,
	    0x10, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 72, 0, 72, 0, 0 };

	put(b, soi, sizeof(soi));
	put_random(b, 20000);
	put_byte(b, 0xff);
	put_byte(b, 0xd9);
}

static void
mk_png(struct buf *b)
{
	static const unsigned char hdr[] = { 0x89, 'P', 'N', 'G', '\r', '\n',
	    0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 1, 0, 0, 0, 0,
	    0x80, 8, 2, 0, 0, 0, 0x12, 0x34, 0x56, 0x78 };

	put(b, hdr, sizeof(hdr));
	put_random(b, 5000);
}

static void
mk_zip(struct buf *b)
{
	put_zip_member(b, "kiri.txt", "Lugupeetud vastuvotja\n");
	put_zip_member(b, "lisa.txt", "lisa sisu\n");
	put_zip_end(b, 2);
}

static void
mk_odt(struct buf *b)
{
	put_zip_member(b, "mimetype", "application/vnd.oasis.opendocument.text");
	put_zip_member(b, "content.xml", "<?xml version=\"1.0\"?><office/>");
	put_zip_end(b, 2);
}

static void
mk_docx(struct buf *b)
{
	put_zip_member(b, "[Content_Types].xml", "<?xml version=\"1.0\"?>"
	    "<Types/>");
	put_zip_member(b, "_rels/.rels", "<Relationships/>");
	put_zip_member(b, "word/document.xml", "<w:document/>");
	put_zip_end(b, 3);
}

static void
mk_gzip(struct buf *b)
{
	static const unsigned char gz[] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0,
	    3 };

	put(b, gz, sizeof(gz));
	put_random(b, 4000);
}

static void
mk_email(struct buf *b)
{
	put_str(b, "Return-Path: <kantselei@just.ee>\nReceived: from mx.just.ee "
	    "by mail.example.org\nFrom: Kantselei <kantselei@just.ee>\n"
	    "To: <info@example.org>\nSubject: Vastus taotlusele\n"
	    "Date: Tue, 2 Jan 2024 10:00:00 +0200\nMessage-ID: <1@just.ee>\n"
	    "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"
	    "Tere,\n\nvastus on lisatud: \xc3\xb5igusabi taotlus.\n");
	put_words(b, 12000, "\n");
}

static void
mk_email_plain(struct buf *b)
{
	put_str(b, "From: a@example.org\nTo: b@example.org\nSubject: hello\n\n");
	put_words(b, 3000, "\n");
}

static void
mk_xml_decl(struct buf *b)
{
	put_str(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kiri>\n");
	while (b->n < 20000)
		put_str(b, "  <lõik>otsus ja vastus</lõik>\n");
	put_str(b, "</kiri>\n");
}

static void
mk_xml_bare(struct buf *b)
{
	put_str(b, "<kiri xmlns=\"urn:example\">\n");
	while (b->n < 9000)
		put_str(b, "  <p>request and reply</p>\n");
	put_str(b, "</kiri>\n");
}

static void
mk_html(struct buf *b)
{
	put_str(b, "<!DOCTYPE html>\n<html lang=\"et\"><head><meta charset=\"utf-8\">"
	    "<title>Otsus</title></head><body>\n");
	while (b->n < 10000)
		put_str(b, "<p>the court decision of the ministry</p>\n");
	put_str(b, "</body></html>\n");
}

static void
mk_json(struct buf *b)
{
	unsigned i;
	char line[96];

	put_str(b, "{\"records\": [\n");
	for (i = 0; i < 300; i++) {
		snprintf(line, sizeof(line), "  {\"no\": %u, \"title\": \"kiri "
		    "%u\", \"public\": true},\n", i, i);
		put_str(b, line);
	}
	put_str(b, "  {\"no\": 300}\n]}\n");
}

static void
mk_csv(struct buf *b)
{
	unsigned i;
	char line[96];

	put_str(b, "no,date,title,sender\n");
	for (i = 0; i < 400; i++) {
		snprintf(line, sizeof(line), "%u,2024-01-%02u,kiri %u,"
		    "Justiitsministeerium\n", i, i % 28 + 1, i);
		put_str(b, line);
	}
}

static void
mk_shell(struct buf *b)
{
	put_str(b, "#!/bin/sh\n# archive a case\nset -eu\n");
	while (b->n < 6000)
		put_str(b, "printf '%s\\n' \"$1\" >>log\n");
}

static void
mk_c(struct buf *b)
{
	put_str(b, "/* kiri.c */\n#include <stdio.h>\n#include <stdlib.h>\n\n"
	    "int\nmain(void)\n{\n");
	while (b->n < 7000)
		put_str(b, "\tprintf(\"%d\\n\", 42);\n");
	put_str(b, "\treturn 0;\n}\n");
}

static void
mk_ascii(struct buf *b)
{
	put_words(b, 30000, "\n");
}

static void
mk_ascii_over(struct buf *b)
{
	put_words(b, CAP, "\n");	/* past ARH_IDENT_BYTES */
}

/* First non-ASCII byte at `at', the rest ASCII prose. */
static void
mk_utf8_at(struct buf *b, size_t at)
{
	put_words(b, at, "\n");
	put_str(b, "\xc3\xb5igusabi \xc5\xbe\xc3\xbcrii ");
	put_words(b, at + 4000 > 40000 ? at + 4000 : 40000, "\n");
}

static void mk_utf8_10(struct buf *b) { mk_utf8_at(b, 10); }
static void mk_utf8_1k(struct buf *b) { mk_utf8_at(b, 1100); }
static void mk_utf8_9k(struct buf *b) { mk_utf8_at(b, 9000); }
static void mk_utf8_60k(struct buf *b) { mk_utf8_at(b, 60000); }

/* Invalid UTF-8 (a lone 0xe9) late: the file is ISO-8859-1 after all. */
static void
mk_latin1_late(struct buf *b)
{
	put_words(b, 20000, "\n");
	put_str(b, "caf\xe9 ");
	put_words(b, 24000, "\n");
}

static void
mk_latin1(struct buf *b)
{
	put_str(b, "\xd5igusabi taotlus, \xfcle \xf6\xf6sel\n");
	put_words(b, 8000, "\n");
}

static void
mk_nul_at(struct buf *b, size_t at)
{
	put_words(b, at, "\n");
	put_byte(b, 0);
	put_words(b, at + 3000, "\n");
}

static void mk_nul_9k(struct buf *b) { mk_nul_at(b, 9000); }
static void mk_nul_40k(struct buf *b) { mk_nul_at(b, 40000); }

/* Text padded with NULs: libmagic trims them before its text rules. */
static void
mk_nul_tail(struct buf *b)
{
	put_words(b, 5000, "\n");
	while (b->n < 5100)
		put_byte(b, 0);
}

static void
mk_ctrl_late(struct buf *b)
{
	put_words(b, 50000, "\n");
	put_byte(b, 0x01);
	put_byte(b, 0x02);
	put_words(b, 52000, "\n");
}

static void
mk_random_late(struct buf *b)
{
	put_words(b, 16384, "\n");
	put_random(b, 2000);
}

static void
mk_utf16(struct buf *b, int le)
{
	const char *s = "Lugupeetud vastuvotja, otsus on lisatud.\n";
	size_t i;

	put_byte(b, le ? 0xff : 0xfe);
	put_byte(b, le ? 0xfe : 0xff);
	while (b->n < 8000)
		for (i = 0; s[i] != '\0'; i++) {
			put_byte(b, le ? (unsigned char)s[i] : 0);
			put_byte(b, le ? 0 : (unsigned char)s[i]);
		}
}

static void mk_utf16le(struct buf *b) { mk_utf16(b, 1); }
static void mk_utf16be(struct buf *b) { mk_utf16(b, 0); }

static void
mk_long_line(struct buf *b)
{
	put_words(b, 40000, " ");	/* no line end at all */
}

static void
mk_crlf(struct buf *b)
{
	put_words(b, 12000, "\r\n");
	put_str(b, "\r\n");
}

static void
mk_one(struct buf *b)
{
	put_byte(b, 'x');
}

static void
mk_two(struct buf *b)
{
	put_str(b, "x\n");
}

static void
mk_random(struct buf *b)
{
	put_random(b, 30000);
}

static void
mk_random_small(struct buf *b)
{
	put_random(b, 300);
}

static void
mk_random_full(struct buf *b)
{
	put_random(b, CAP);
}

/* The text rules' regular expressions see up to 8 KiB (libmagic's
 * MAGIC_PARAM_REGEX_MAX) and up to 128 lines: a Makefile's first rule, a
 * troff request or an assembler directive after the first kilobytes still
 * decides the type. */
static void
mk_comments(struct buf *b, size_t to)
{
	unsigned i = 0;
	char line[80];

	while (b->n < to) {
		snprintf(line, sizeof(line), "# comment line %u of the build "
		    "description\n", i++);
		put_str(b, line);
	}
}

static void
mk_make_late(struct buf *b, size_t at)
{
	mk_comments(b, at);
	put_str(b, "CFLAGS = -O2\nall:\n\tcc -o kiri kiri.c\n");
	mk_comments(b, at + 2000);
}

static void mk_make_1k(struct buf *b) { mk_make_late(b, 1100); }
static void mk_make_5k(struct buf *b) { mk_make_late(b, 5000); }

static void
mk_troff_late(struct buf *b)
{
	unsigned i;

	for (i = 0; i < 15; i++)
		put_str(b, "a line of plain words before the first request\n");
	put_str(b, ".TH KIRI 1\n.SH NAME\nkiri\n");
	put_words(b, 6000, "\n");
}

static void
mk_asm_late(struct buf *b)
{
	mk_comments(b, 4500);
	put_str(b, "\t.text\n\t.globl main\nmain:\n\tret\n");
}

/* Prose of exactly len bytes, at the edges of 8 KiB and of the limit. */
static void
mk_len(struct buf *b, size_t len)
{
	put_words(b, len, "\n");
}

static void mk_8191(struct buf *b) { mk_len(b, 8191); }
static void mk_8192(struct buf *b) { mk_len(b, 8192); }
static void mk_8193(struct buf *b) { mk_len(b, 8193); }
static void mk_8197(struct buf *b) { mk_len(b, 8197); }
static void mk_65535(struct buf *b) { mk_len(b, ARH_IDENT_BYTES - 1); }
static void mk_65536(struct buf *b) { mk_len(b, ARH_IDENT_BYTES); }
static void mk_65537(struct buf *b) { mk_len(b, ARH_IDENT_BYTES + 1); }

static void
mk_empty(struct buf *b)
{
	(void)b;
}

struct tcase {
	const char	*name;
	void		(*make)(struct buf *);
};

static const struct tcase cases[] = {
	{ "pdf", mk_pdf }, { "jpeg", mk_jpeg }, { "png", mk_png },
	{ "zip", mk_zip }, { "odt", mk_odt }, { "docx", mk_docx },
	{ "gzip", mk_gzip }, { "e-mail", mk_email },
	{ "e-mail, plain headers", mk_email_plain },
	{ "xml", mk_xml_decl }, { "xml, no declaration", mk_xml_bare },
	{ "html", mk_html }, { "json", mk_json }, { "csv", mk_csv },
	{ "shell", mk_shell }, { "c", mk_c }, { "ascii", mk_ascii },
	{ "ascii past the limit", mk_ascii_over },
	{ "utf-8 at 10", mk_utf8_10 }, { "utf-8 at 1100", mk_utf8_1k },
	{ "utf-8 at 9000", mk_utf8_9k }, { "utf-8 at 60000", mk_utf8_60k },
	{ "iso-8859-1", mk_latin1 }, { "iso-8859-1 late", mk_latin1_late },
	{ "nul at 9000", mk_nul_9k }, { "nul at 40000", mk_nul_40k },
	{ "nul padding", mk_nul_tail }, { "control bytes late", mk_ctrl_late },
	{ "random bytes after 16 KiB", mk_random_late },
	{ "utf-16le", mk_utf16le }, { "utf-16be", mk_utf16be },
	{ "very long line", mk_long_line }, { "crlf", mk_crlf },
	{ "empty", mk_empty }, { "one byte", mk_one }, { "two bytes", mk_two },
	{ "random", mk_random }, { "random, small", mk_random_small },
	{ "random past the limit", mk_random_full },
	{ "makefile, rule after 1 KiB", mk_make_1k },
	{ "makefile, rule after 5 KiB", mk_make_5k },
	{ "troff, request on line 16", mk_troff_late },
	{ "assembler after 4 KiB", mk_asm_late },
	{ "8191 bytes", mk_8191 }, { "8192 bytes", mk_8192 },
	{ "8193 bytes", mk_8193 }, { "8197 bytes", mk_8197 },
	{ "limit - 1", mk_65535 }, { "limit", mk_65536 },
	{ "limit + 1", mk_65537 },
};
#define NCASES	(sizeof(cases) / sizeof(cases[0]))

static struct buf *
build(size_t i)
{
	struct buf *b = calloc(1, sizeof(*b));

	assert_non_null(b);
	rng_state = 0x9e3779b97f4a7c15ULL + i;
	cases[i].make(b);
	return b;
}

/* --- the reference ---------------------------------------------------- */

static magic_t
reference(void)
{
	magic_t m = magic_open(MAGIC_MIME | MAGIC_ERROR |
	    MAGIC_NO_CHECK_COMPRESS);
	size_t bytes = ARH_IDENT_BYTES;

	assert_non_null(m);
	assert_int_equal(magic_load(m, NULL), 0);
	assert_int_equal(magic_setparam(m, MAGIC_PARAM_BYTES_MAX, &bytes), 0);
	return m;
}

/* "type; charset=x" of libmagic with every check, as mime and charset. */
static void
expect(magic_t m, const struct buf *b, char *mime, size_t msz, char *charset,
    size_t csz)
{
	const char *r = magic_buffer(m, b->b,
	    b->n < ARH_IDENT_BYTES ? b->n : ARH_IDENT_BYTES);
	const char *semi, *cs;

	assert_non_null(r);
	semi = strchr(r, ';');
	assert_non_null(semi);
	snprintf(mime, msz, "%.*s", (int)(semi - r), r);
	cs = strstr(semi, "charset=");
	assert_non_null(cs);
	snprintf(charset, csz, "%s", cs + strlen("charset="));
}

/* Report every difference, not only the first; returns 1 for one. */
static int
differs(const char *name, const char *want_mime, const char *want_cs,
    const char *mime, const char *charset)
{
	if (strcmp(mime, want_mime) == 0 && strcmp(charset, want_cs) == 0)
		return 0;
	print_error("%s: identified as %s; charset=%s, libmagic says "
	    "%s; charset=%s\n", name, mime, charset, want_mime, want_cs);
	return 1;
}

/* --- the tests -------------------------------------------------------- */

static void
test_same_as_libmagic(void **state)
{
	struct arh_mime *id;
	struct arh_err err;
	magic_t ref = reference();
	char wm[256], wc[64], *mime, *charset;
	size_t i;
	int bad = 0;

	(void)state;
	assert_int_equal(arh_mime_new(&id, &err), 0);
	for (i = 0; i < NCASES; i++) {
		struct buf *b = build(i);

		expect(ref, b, wm, sizeof(wm), wc, sizeof(wc));
		assert_int_equal(arh_mime_buffer(id, b->b, b->n, &mime,
		    &charset), 0);
		bad += differs(cases[i].name, wm, wc, mime, charset);
		free(mime);
		free(charset);
		free(b);
	}
	arh_mime_free(id);
	magic_close(ref);
	assert_int_equal(bad, 0);
}

/* The same through the worker threads, all cases in flight at once. */
static void
test_pool_same_as_libmagic(void **state)
{
	struct arh_mime_pool *q;
	struct arh_err err;
	magic_t ref = reference();
	char wm[256], wc[64], *mime[NCASES], *charset[NCASES];
	size_t i;
	int bad = 0;

	(void)state;
	assert_int_equal(arh_mime_pool_new(&q, &err), 0);
	for (i = 0; i < NCASES; i++) {
		struct buf *b = build(i);

		assert_int_equal(arh_mime_pool_submit(q, b->b, b->n, &mime[i],
		    &charset[i]), 0);
		free(b);
	}
	assert_int_equal(arh_mime_pool_drain(q), 0);
	for (i = 0; i < NCASES; i++) {
		struct buf *b = build(i);

		expect(ref, b, wm, sizeof(wm), wc, sizeof(wc));
		bad += differs(cases[i].name, wm, wc, mime[i], charset[i]);
		free(mime[i]);
		free(charset[i]);
		free(b);
	}
	arh_mime_pool_free(q);
	magic_close(ref);
	assert_int_equal(bad, 0);
}

/* The comparison is only worth something if the cases are what they say:
 * pin the answers that a cheaper identification would be tempted to get
 * wrong (libmagic 5.44 and its database). */
static void
test_cases_are_what_they_say(void **state)
{
	static const struct { const char *name, *mime, *charset; } pin[] = {
		{ "pdf", "application/pdf", "binary" },
		{ "jpeg", "image/jpeg", "binary" },
		{ "zip", "application/zip", "binary" },
		{ "e-mail", "message/rfc822", "utf-8" },
		{ "xml", "text/xml", "utf-8" },
		{ "ascii", "text/plain", "us-ascii" },
		{ "utf-8 at 9000", "text/plain", "utf-8" },
		{ "utf-8 at 60000", "text/plain", "utf-8" },
		{ "iso-8859-1 late", "text/plain", "iso-8859-1" },
		{ "nul at 40000", "application/octet-stream", "binary" },
		/* The text rules run on the block without its trailing NULs;
		 * the charset is of the block as it is. */
		{ "nul padding", "text/plain", "binary" },
		{ "makefile, rule after 1 KiB", "text/x-makefile", "us-ascii" },
		/* ... but its rule looks at 100 lines only. */
		{ "makefile, rule after 5 KiB", "text/plain", "us-ascii" },
		{ "empty", "application/x-empty", "binary" },
	};
	struct arh_mime *id;
	struct arh_err err;
	char *mime, *charset;
	size_t i, k;
	int bad = 0;

	(void)state;
	assert_int_equal(arh_mime_new(&id, &err), 0);
	for (k = 0; k < sizeof(pin) / sizeof(pin[0]); k++) {
		struct buf *b = NULL;

		for (i = 0; i < NCASES && b == NULL; i++)
			if (strcmp(cases[i].name, pin[k].name) == 0)
				b = build(i);
		assert_non_null(b);
		assert_int_equal(arh_mime_buffer(id, b->b, b->n, &mime,
		    &charset), 0);
		bad += differs(pin[k].name, pin[k].mime, pin[k].charset, mime,
		    charset);
		free(mime);
		free(charset);
		free(b);
	}
	arh_mime_free(id);
	assert_int_equal(bad, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_libmagic),
		cmocka_unit_test(test_pool_same_as_libmagic),
		cmocka_unit_test(test_cases_are_what_they_say),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
