/*
 * bench-corpus.c — make a synthetic closed case directory for the benchmark
 * (tests/bench/run.sh).  Standalone: libc and libm only.
 *
 * usage: bench-corpus [--mixed] [--seed N] [--files N] [--bytes TOTAL] OUTDIR
 *
 * OUTDIR (created; it must not exist or be empty) becomes a valid input for
 * `arhiivar ingest` (include/arhiivar/input.h): case.json for case file
 * 12-1/2024 (opened 2024-01-02, closed 2024-12-31) and one directory per
 * record, 12-1_<N>-1 with reference 12-1/<N>-1, ~50 content files each plus
 * a record.json shaped like sample/case-12-1-2024/12-1_8911-1/record.json
 * (all public).  About 40 % of the files sit 1-3 folders deep.  File sizes
 * are log-normal (sigma 1.6), clipped to 1 KiB .. 5 MiB, with the median
 * chosen so that the sizes add up to about TOTAL.  Even-numbered files are
 * text (words from a small Estonian/English list, compressible), odd ones
 * PRNG bytes (incompressible).  Same seed and sizes -> byte-identical tree.
 * Defaults: --seed 1 --files 20000 --bytes 2000000000.
 * --mixed: the same tree, sizes and records, but the payloads are shaped
 * like a correspondence series, with real format signatures: PDFs (40 %:
 * %PDF-1.7, catalog, page, a binary content stream, xref, %%EOF), JPEG
 * scans (20 %: SOI, JFIF APP0, DQT, SOF0, random scan data, EOI), e-mails
 * (15 %: RFC 822 headers and a UTF-8 text body), plain text (12 %), XML
 * (8 %) and ZIP containers (5 %: real stored-method zips of 2-4 members
 * with CRC-32s and a central directory).  Defaults there: --files 4000
 * --bytes 404750336 (386 MiB).
 * Prints one line: "<files> files, <records> records, <bytes> bytes".
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#define BUF_BYTES	(1024 * 1024)
#define MIN_SIZE	1024.0
#define MAX_SIZE	(5.0 * 1024 * 1024)
#define SIGMA		1.6
#define PER_RECORD	50
#define FIRST_NO	10001
#define MIXED_SLACK	4096	/* header room over MAX_SIZE */

static const char *const words[] = {
	"ja", "on", "ei", "see", "et", "kui", "ka", "oma", "mis", "aga",
	"asja", "otsus", "taotlus", "vastus", "kiri", "menetlus", "kohus",
	"prokuratuur", "ministeerium", "õigusabi", "väljaandmine", "tõend",
	"süüdistus", "kriminaalasi", "päring", "märgukiri", "lisa", "allkiri",
	"kuupäev", "tähtaeg", "isik", "riik", "Eesti", "Soome", "Läti",
	"the", "of", "and", "to", "request", "mutual", "legal", "assistance",
	"court", "decision", "extradition", "letter", "reply", "regarding",
	"pursuant", "article", "convention", "evidence", "witness", "hearing",
	"öösel", "üle", "žürii", "šokk", "Tallinn", "Tartu", "2024", "nr", "§",
};
#define NWORDS	(sizeof(words) / sizeof(words[0]))

static const char *const dir1[] = { "lisad", "manused", "kirjavahetus",
    "skaneeritud" };
static const char *const dir2[] = { "2024", "vana", "sisse", "välja" };
static const char *const dir3[] = { "a", "b", "c" };
static const char *const stems[] = { "õiend", "vastus", "taotlus",
    "pöördumine", "otsus", "letter", "scan", "märgukiri", "protokoll",
    "lisa" };
static const char *const types[] = { "Sissetulev kiri", "Väljaminev kiri",
    "Sisedokument", "Otsus" };
static const char *const who[] = { "Legal Initiative",
    "Soome Justiitsministeerium", "Harju Maakohus", "Riigiprokuratuur",
    "Interpol", "Läti Prokuratuur" };
static const char *const channels[] = { "e-post", "DVK", "post",
    "käsipost" };

/* splitmix64: seeds; xoshiro256**: the stream. */
static uint64_t
splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

struct rng {
	uint64_t s[4];
};

static void
rng_seed(struct rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix(&seed);
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t
rng_next(struct rng *r)
{
	uint64_t *s = r->s, res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

/* Uniform in [0, n). */
static uint32_t
rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static double
rng_unit(struct rng *r)	/* (0, 1) */
{
	return ((double)(rng_next(r) >> 11) + 0.5) / 9007199254740992.0;
}

static double
rng_normal(struct rng *r)
{
	const double two_pi = 6.283185307179586;
	return sqrt(-2.0 * log(rng_unit(r))) * cos(two_pi * rng_unit(r));
}

_Noreturn static void
die(const char *what, const char *path)
{
	fprintf(stderr, "bench-corpus: %s '%s': %s\n", what, path,
	    strerror(errno));
	exit(1);
}

static void
write_all(int fd, const unsigned char *p, size_t n, const char *path)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			die("cannot write", path);
		p += w;
		n -= (size_t)w;
	}
}

static void
make_dir(const char *path)
{
	if (mkdir(path, 0755) == -1 && errno != EEXIST)
		die("cannot create", path);
}

/* Create the parent directories of path below its first `skip` bytes. */
static void
make_parents(char *path, size_t skip)
{
	char *p;

	for (p = strchr(path + skip, '/'); p != NULL; p = strchr(p + 1, '/')) {
		*p = '\0';
		make_dir(path);
		*p = '/';
	}
}

static void
write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	if (fd == -1)
		die("cannot create", path);
	write_all(fd, (const unsigned char *)text, strlen(text), path);
	if (close(fd) == -1)
		die("cannot write", path);
}

/* Exactly n bytes of text: words, sentences, lines; no split characters. */
static void
fill_text(struct rng *r, unsigned char *buf, size_t n)
{
	size_t len = 0, col = 0;
	uint64_t bits = 0;
	int nbits = 0, sent = 1;

	while (len < n) {
		const char *w;
		size_t wl;
		if (nbits < 16) {
			bits = rng_next(r);
			nbits = 64;
		}
		w = words[(bits & 0xff) % NWORDS];
		bits >>= 8;
		nbits -= 8;
		wl = strlen(w);
		if (len + wl + 2 > n) {
			memset(buf + len, ' ', n - len);
			buf[n - 1] = '\n';
			return;
		}
		memcpy(buf + len, w, wl);
		if (sent && w[0] >= 'a' && w[0] <= 'z')
			buf[len] = (unsigned char)(w[0] - 'a' + 'A');
		len += wl;
		col += wl + 1;
		sent = (bits & 0xf) == 0;
		bits >>= 4;
		nbits -= 4;
		if (sent)
			buf[len++] = '.';
		if (col > 72) {
			buf[len++] = '\n';
			col = 0;
		} else {
			buf[len++] = ' ';
		}
	}
}

static void
fill_random(struct rng *r, unsigned char *buf, size_t n)
{
	size_t i;
	uint64_t v;

	for (i = 0; i + 8 <= n; i += 8) {
		v = rng_next(r);
		memcpy(buf + i, &v, 8);
	}
	if (i < n) {
		v = rng_next(r);
		memcpy(buf + i, &v, n - i);
	}
}

static void
write_content(const char *path, uint64_t size, int text, uint64_t seed,
    unsigned char *buf)
{
	struct rng r;
	int fd;

	rng_seed(&r, seed);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644)) == -1)
		die("cannot create", path);
	while (size > 0) {
		size_t n = size < BUF_BYTES ? (size_t)size : BUF_BYTES;
		if (text)
			fill_text(&r, buf, n);
		else
			fill_random(&r, buf, n);
		write_all(fd, buf, n, path);
		size -= n;
	}
	if (close(fd) == -1)
		die("cannot write", path);
}

static double
clip(double x)
{
	return x < MIN_SIZE ? MIN_SIZE : x > MAX_SIZE ? MAX_SIZE : x;
}

/* Sizes: log-normal around exp(mu), mu found so the clipped sum ~ total. */
static void
make_sizes(uint64_t seed, size_t n, uint64_t total, uint64_t *size)
{
	struct rng r;
	double *z, lo = log(MIN_SIZE) - 12, hi = log(MAX_SIZE) + 12, mu = 0;
	size_t i;
	int it;

	if ((z = malloc(n * sizeof(*z))) == NULL) {
		fputs("bench-corpus: out of memory\n", stderr);
		exit(1);
	}
	rng_seed(&r, seed ^ 0x5157e5ULL);
	for (i = 0; i < n; i++)
		z[i] = rng_normal(&r);
	for (it = 0; it < 100; it++) {
		double sum = 0;
		mu = (lo + hi) / 2;
		for (i = 0; i < n; i++)
			sum += clip(exp(mu + SIGMA * z[i]));
		if (sum < (double)total)
			lo = mu;
		else
			hi = mu;
	}
	for (i = 0; i < n; i++)
		size[i] = (uint64_t)clip(exp(mu + SIGMA * z[i]));
	free(z);
}

/* 2024-MM-DD for day 1..365 of 2024 (a leap year), from 2 January on. */
static void
date_of(uint32_t day, char out[11])
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int m = 0;

	day += 1;	/* 0 -> 2 January */
	while (m < 11 && day >= (uint32_t)mdays[m]) {
		day -= (uint32_t)mdays[m];
		m++;
	}
	snprintf(out, 11, "2024-%02d-%02u", m + 1, day + 1);
}

/* --- the mixed corpus --------------------------------------------------- */

enum kind { K_PDF, K_JPEG, K_EML, K_TXT, K_XML, K_ZIP };
static const char *const kind_ext[] = { "pdf", "jpg", "eml", "txt", "xml",
    "zip" };

static enum kind
pick_kind(struct rng *r)
{
	uint32_t p = rng_below(r, 100);

	return p < 40 ? K_PDF : p < 60 ? K_JPEG : p < 75 ? K_EML :
	    p < 87 ? K_TXT : p < 95 ? K_XML : K_ZIP;
}

/* Append text to buf at *len (the caller leaves room). */
static void
put(unsigned char *buf, size_t *len, const char *text)
{
	size_t n = strlen(text);

	memcpy(buf + *len, text, n);
	*len += n;
}

/* Header + filler + footer, exactly n bytes when n is large enough. */
static size_t
frame(struct rng *r, unsigned char *buf, size_t n, const char *head,
    const char *tail, int text)
{
	size_t len = 0, hl = strlen(head), tl = strlen(tail), body;

	body = n > hl + tl + 16 ? n - hl - tl : 16;
	put(buf, &len, head);
	if (text)
		fill_text(r, buf + len, body);
	else
		fill_random(r, buf + len, body);
	len += body;
	put(buf, &len, tail);
	return len;
}

static size_t
make_pdf(struct rng *r, unsigned char *buf, size_t n, unsigned no)
{
	char head[512], tail[512];
	size_t body;

	/* The stream length is the body length, known from n once the
	 * header's own length is: write it twice, the second time right. */
	body = n;
	for (int pass = 0; pass < 2; pass++) {
		snprintf(head, sizeof(head),
		    "%%PDF-1.7\n%%\xe2\xe3\xcf\xd3\n"
		    "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
		    "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\n"
		    "endobj\n"
		    "3 0 obj\n<< /Type /Page /Parent 2 0 R "
		    "/MediaBox [0 0 595 842] /Contents 4 0 R >>\nendobj\n"
		    "4 0 obj\n<< /Length %zu /Filter /FlateDecode >>\n"
		    "stream\n", body);
		snprintf(tail, sizeof(tail),
		    "\nendstream\nendobj\n"
		    "5 0 obj\n<< /Title (12-1/%u-1) /Producer (bench-corpus) "
		    ">>\nendobj\n"
		    "xref\n0 6\n0000000000 65535 f \n"
		    "trailer\n<< /Size 6 /Root 1 0 R /Info 5 0 R >>\n"
		    "startxref\n%zu\n%%%%EOF\n", no, n > 64 ? n - 64 : 0);
		body = n > strlen(head) + strlen(tail) + 16 ?
		    n - strlen(head) - strlen(tail) : 16;
	}
	return frame(r, buf, n, head, tail, 0);
}

static size_t
make_jpeg(struct rng *r, unsigned char *buf, size_t n)
{
	static const unsigned char head[] = {
		0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00,
		0x01, 0x01, 0x01, 0x00, 0xc8, 0x00, 0xc8, 0x00, 0x00,
		0xff, 0xdb, 0x00, 0x43, 0x00,	/* DQT: 64 bytes follow */
	};
	static const unsigned char sof[] = {
		0xff, 0xc0, 0x00, 0x11, 0x08, 0x0d, 0xb0, 0x09, 0xb0, 0x03,
		0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01,
		0xff, 0xda, 0x00, 0x0c, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03,
		0x11, 0x00, 0x3f, 0x00,		/* SOS */
	};
	size_t len = 0, i, body;

	memcpy(buf, head, sizeof(head));
	len = sizeof(head);
	for (i = 0; i < 64; i++)
		buf[len++] = (unsigned char)(1 + rng_below(r, 60));
	memcpy(buf + len, sof, sizeof(sof));
	len += sizeof(sof);
	body = n > len + 2 + 16 ? n - len - 2 : 16;
	fill_random(r, buf + len, body);
	/* Scan data: no marker inside (an FF is followed by a stuffed 00). */
	for (i = len; i + 1 < len + body; i++)
		if (buf[i] == 0xff)
			buf[i + 1] = 0x00;
	if (buf[len + body - 1] == 0xff)
		buf[len + body - 1] = 0xfe;
	len += body;
	buf[len++] = 0xff;
	buf[len++] = 0xd9;
	return len;
}

static size_t
make_eml(struct rng *r, unsigned char *buf, size_t n, unsigned no)
{
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	static const char *const wd[] = { "Mon", "Tue", "Wed", "Thu", "Fri" };
	char head[1024], date[11];
	int m, d;

	date_of(rng_below(r, 364), date);
	m = atoi(date + 5);
	d = atoi(date + 8);
	snprintf(head, sizeof(head),
	    "From: %s <kantselei@example.ee>\r\n"
	    "To: Justiitsministeerium <info@just.example.ee>\r\n"
	    "Subject: =?UTF-8?Q?=C3=95igusabitaotlus_nr_%u?=\r\n"
	    "Date: %s, %d %s 2024 %02u:%02u:%02u +0200\r\n"
	    "Message-ID: <%u.%08x@example.ee>\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n"
	    "\r\n",
	    who[rng_below(r, 6)], no, wd[rng_below(r, 5)], d, mon[m - 1],
	    8 + rng_below(r, 9), rng_below(r, 60), rng_below(r, 60), no,
	    (unsigned)rng_next(r));
	return frame(r, buf, n, head, "\r\n-- \r\nLugupidamisega\r\n", 1);
}

static size_t
make_xml(struct rng *r, unsigned char *buf, size_t n, unsigned no)
{
	char head[512];

	snprintf(head, sizeof(head),
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<dokument xmlns=\"urn:example:arhiivar:bench\" "
	    "viit=\"12-1/%u-1\">\n"
	    "  <pealkiri>Õigusabitaotlus nr %u</pealkiri>\n"
	    "  <sisu>\n", no, no);
	return frame(r, buf, n, head, "</sisu>\n</dokument>\n", 1);
}

static uint32_t crc_table[256];

static uint32_t
crc32(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffffU;

	if (crc_table[1] == 0)
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t v = i;
			for (int k = 0; k < 8; k++)
				v = v & 1 ? 0xedb88320U ^ (v >> 1) : v >> 1;
			crc_table[i] = v;
		}
	while (n-- > 0)
		c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffU;
}

static void
le16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void
le32(unsigned char *p, uint32_t v)
{
	le16(p, v & 0xffff);
	le16(p + 2, v >> 16);
}

/* A real zip (stored, no data descriptors) of 2-4 members, ~n bytes. */
static size_t
make_zip(struct rng *r, unsigned char *buf, size_t n)
{
	static const char *const names[] = { "kiri.txt", "lisa-1.pdf",
	    "lisa-2.jpg", "allkirjad.xml" };
	unsigned char cdir[4 * 128];
	size_t len = 0, clen = 0, room, part;
	uint32_t off[4], crc[4], sz[4];
	unsigned k, m = 2 + rng_below(r, 3);

	room = n > 600 ? n - 600 : 64;
	for (k = 0; k < m; k++) {
		size_t nl = strlen(names[k]);
		unsigned char *h = buf + len;
		part = k + 1 < m ? room / m : room - (room / m) * (m - 1);
		off[k] = (uint32_t)len;
		le32(h, 0x04034b50);
		le16(h + 4, 10);		/* version needed */
		le16(h + 6, 0x0800);		/* UTF-8 names */
		le16(h + 8, 0);			/* stored */
		le16(h + 10, 0x6000);		/* 12:00 */
		le16(h + 12, (44 << 9) | (6 << 5) | 1);	/* 2024-06-01 */
		le16(h + 26, (unsigned)nl);
		le16(h + 28, 0);
		memcpy(h + 30, names[k], nl);
		len += 30 + nl;
		if (k == 0 || k == 3)
			fill_text(r, buf + len, part);
		else
			fill_random(r, buf + len, part);
		crc[k] = crc32(buf + len, part);
		sz[k] = (uint32_t)part;
		le32(h + 14, crc[k]);
		le32(h + 18, sz[k]);
		le32(h + 22, sz[k]);
		len += part;
	}
	for (k = 0; k < m; k++) {
		size_t nl = strlen(names[k]);
		unsigned char *c = cdir + clen;
		memset(c, 0, 46);
		le32(c, 0x02014b50);
		le16(c + 4, 0x0314);		/* made by: Unix, 2.0 */
		le16(c + 6, 10);
		le16(c + 8, 0x0800);
		le16(c + 12, 0x6000);
		le16(c + 14, (44 << 9) | (6 << 5) | 1);
		le32(c + 16, crc[k]);
		le32(c + 20, sz[k]);
		le32(c + 24, sz[k]);
		le16(c + 28, (unsigned)nl);
		le32(c + 38, 0100644U << 16);	/* external attributes */
		le32(c + 42, off[k]);
		memcpy(c + 46, names[k], nl);
		clen += 46 + nl;
	}
	memcpy(buf + len, cdir, clen);
	{
		unsigned char *e = buf + len + clen;
		memset(e, 0, 22);
		le32(e, 0x06054b50);
		le16(e + 8, m);
		le16(e + 10, m);
		le32(e + 12, (uint32_t)clen);
		le32(e + 16, (uint32_t)len);
	}
	return len + clen + 22;
}

/* One mixed-corpus file of about size bytes (exactly, for the most part). */
static void
write_mixed(const char *path, uint64_t size, enum kind kind, unsigned no,
    uint64_t seed, unsigned char *buf)
{
	struct rng r;
	size_t n = (size_t)size, len = 0;
	int fd;

	rng_seed(&r, seed);
	switch (kind) {
	case K_PDF:
		len = make_pdf(&r, buf, n, no);
		break;
	case K_JPEG:
		len = make_jpeg(&r, buf, n);
		break;
	case K_EML:
		len = make_eml(&r, buf, n, no);
		break;
	case K_TXT:
		fill_text(&r, buf, n);
		len = n;
		break;
	case K_XML:
		len = make_xml(&r, buf, n, no);
		break;
	case K_ZIP:
		len = make_zip(&r, buf, n);
		break;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644)) == -1)
		die("cannot create", path);
	write_all(fd, buf, len, path);
	if (close(fd) == -1)
		die("cannot write", path);
}

static void
write_record_json(const char *path, unsigned no, struct rng *r)
{
	char date[11], text[2048];

	date_of(rng_below(r, 364), date);
	snprintf(text, sizeof(text),
	    "{\n"
	    "  \"reference\": \"12-1/%u-1\",\n"
	    "  \"registered\": \"%s\",\n"
	    "  \"type\": \"%s\",\n"
	    "  \"function\": \"12\",\n"
	    "  \"series\": \"12-1\",\n"
	    "  \"case_file\": \"12-1/2024\",\n"
	    "  \"title\": \"Õigusabitaotlus nr %u: %s %s\",\n"
	    "  \"correspondent\": \"%s\",\n"
	    "  \"delivery_channel\": \"%s\",\n"
	    "  \"responsible\": \"Rahvusvahelise justiitskoostöö talitus\",\n"
	    "  \"external_network\": %s,\n"
	    "  \"access\": { \"level\": \"public\" }\n"
	    "}\n",
	    no, date, types[rng_below(r, 4)], no,
	    words[rng_below(r, NWORDS)], words[rng_below(r, NWORDS)],
	    who[rng_below(r, 6)], channels[rng_below(r, 4)],
	    rng_below(r, 2) ? "true" : "false");
	write_text(path, text);
}

static const char case_json[] =
    "{\n"
    "  \"reference\": \"12-1/2024\",\n"
    "  \"title\": \"Kirjavahetus kriminaalasjades 2024 (benchmark corpus)\",\n"
    "  \"function\": { \"code\": \"12\", \"title\": \"Rahvusvahelise "
    "justiitskoostöö korraldamine\" },\n"
    "  \"series\": { \"code\": \"12-1\", \"title\": \"Kirjavahetus "
    "kriminaalasjades\" },\n"
    "  \"year\": 2024,\n"
    "  \"opened\": \"2024-01-02\",\n"
    "  \"closed\": \"2024-12-31\",\n"
    "  \"organisation\": \"Justiitsministeerium\",\n"
    "  \"retention\": \"10 a\"\n"
    "}\n";

static int
parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

_Noreturn static void
usage(void)
{
	fputs("usage: bench-corpus [--mixed] [--seed N] [--files N] "
	    "[--bytes TOTAL] OUTDIR\n", stderr);
	exit(2);
}

/* OUTDIR must not exist, or be an empty directory. */
static void
prepare_out(const char *out)
{
	DIR *d;
	struct dirent *de;

	if (mkdir(out, 0755) == 0)
		return;
	if (errno != EEXIST || (d = opendir(out)) == NULL)
		die("cannot create", out);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0) {
			fprintf(stderr, "bench-corpus: '%s' is not empty\n",
			    out);
			exit(1);
		}
	closedir(d);
}

int
main(int argc, char **argv)
{
	uint64_t seed = 1, nfiles = 0, total = 0, *size, sum = 0;
	unsigned char *buf;
	struct rng r;
	size_t i, nrec;
	char path[1024];
	const char *out = NULL;
	int a, mixed = 0;

	for (a = 1; a < argc; a++) {
		uint64_t *dst = NULL;
		if (strcmp(argv[a], "--mixed") == 0)
			mixed = 1;
		else if (strcmp(argv[a], "--seed") == 0)
			dst = &seed;
		else if (strcmp(argv[a], "--files") == 0)
			dst = &nfiles;
		else if (strcmp(argv[a], "--bytes") == 0)
			dst = &total;
		else if (argv[a][0] == '-' || out != NULL)
			usage();
		else
			out = argv[a];
		if (dst != NULL && (++a == argc || parse_u64(argv[a], dst)))
			usage();
	}
	if (nfiles == 0)
		nfiles = mixed ? 4000 : 20000;
	if (total == 0)
		total = mixed ? 404750336 : 2000000000;
	if (out == NULL || nfiles > 1000000)
		usage();
	if ((double)total < nfiles * MIN_SIZE ||
	    (double)total > nfiles * MAX_SIZE)
		fprintf(stderr, "bench-corpus: %llu bytes cannot be spread over "
		    "%llu files of 1 KiB..5 MiB; sizes are clipped\n",
		    (unsigned long long)total, (unsigned long long)nfiles);
	if ((size = malloc(nfiles * sizeof(*size))) == NULL ||
	    (buf = malloc(mixed ? (size_t)MAX_SIZE + MIXED_SLACK :
	    BUF_BYTES)) == NULL) {
		fputs("bench-corpus: out of memory\n", stderr);
		return 1;
	}
	make_sizes(seed, nfiles, total, size);
	prepare_out(out);
	snprintf(path, sizeof(path), "%s/case.json", out);
	write_text(path, case_json);

	rng_seed(&r, seed);
	nrec = (nfiles + PER_RECORD - 1) / PER_RECORD;
	for (i = 0; i < nfiles; i++) {
		size_t rec = i / PER_RECORD, j = i % PER_RECORD;
		unsigned no = (unsigned)(FIRST_NO + rec);
		uint32_t depth = rng_below(&r, 100);
		int n, text = (i % 2) == 0;
		enum kind kind = K_TXT;
		uint64_t fseed = seed * 0x100000001b3ULL + i;

		if (j == 0) {
			snprintf(path, sizeof(path), "%s/12-1_%u-1", out, no);
			make_dir(path);
			snprintf(path, sizeof(path),
			    "%s/12-1_%u-1/record.json", out, no);
			write_record_json(path, no, &r);
		}
		depth = depth < 60 ? 0 : depth < 80 ? 1 : depth < 93 ? 2 : 3;
		n = snprintf(path, sizeof(path), "%s/12-1_%u-1/", out, no);
		if (depth >= 1)
			n += snprintf(path + n, sizeof(path) - (size_t)n, "%s/",
			    dir1[rng_below(&r, 4)]);
		if (depth >= 2)
			n += snprintf(path + n, sizeof(path) - (size_t)n, "%s/",
			    dir2[rng_below(&r, 4)]);
		if (depth >= 3)
			n += snprintf(path + n, sizeof(path) - (size_t)n, "%s/",
			    dir3[rng_below(&r, 3)]);
		if (mixed)
			kind = pick_kind(&r);
		snprintf(path + n, sizeof(path) - (size_t)n, "%s-%02zu.%s",
		    stems[rng_below(&r, 10)], j + 1,
		    mixed ? kind_ext[kind] : text ? "txt" : "bin");
		make_parents(path, strlen(out) + 1);
		if (mixed) {
			struct stat st;
			write_mixed(path, size[i], kind, no, splitmix(&fseed),
			    buf);
			if (stat(path, &st) == -1)
				die("cannot stat", path);
			sum += (uint64_t)st.st_size;
		} else {
			write_content(path, size[i], text, splitmix(&fseed),
			    buf);
			sum += size[i];
		}
	}
	printf("%llu files, %zu records, %llu bytes\n",
	    (unsigned long long)nfiles, nrec, (unsigned long long)sum);
	free(size);
	free(buf);
	return 0;
}
