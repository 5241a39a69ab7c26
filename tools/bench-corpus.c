/*
 * bench-corpus.c — make a synthetic closed case directory for the benchmark
 * (tests/bench/run.sh).  Standalone: libc and libm only.
 *
 * usage: bench-corpus [--seed N] [--files N] [--bytes TOTAL] OUTDIR
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
	fputs("usage: bench-corpus [--seed N] [--files N] [--bytes TOTAL] "
	    "OUTDIR\n", stderr);
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
	uint64_t seed = 1, nfiles = 20000, total = 2000000000, *size, sum = 0;
	unsigned char *buf;
	struct rng r;
	size_t i, nrec;
	char path[1024];
	const char *out = NULL;
	int a;

	for (a = 1; a < argc; a++) {
		uint64_t *dst = NULL;
		if (strcmp(argv[a], "--seed") == 0)
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
	if (out == NULL || nfiles == 0 || nfiles > 1000000)
		usage();
	if ((double)total < nfiles * MIN_SIZE ||
	    (double)total > nfiles * MAX_SIZE)
		fprintf(stderr, "bench-corpus: %llu bytes cannot be spread over "
		    "%llu files of 1 KiB..5 MiB; sizes are clipped\n",
		    (unsigned long long)total, (unsigned long long)nfiles);
	if ((size = malloc(nfiles * sizeof(*size))) == NULL ||
	    (buf = malloc(BUF_BYTES)) == NULL) {
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
		snprintf(path + n, sizeof(path) - (size_t)n, "%s-%02zu.%s",
		    stems[rng_below(&r, 10)], j + 1, text ? "txt" : "bin");
		make_parents(path, strlen(out) + 1);
		write_content(path, size[i], text, splitmix(&fseed), buf);
		sum += size[i];
	}
	printf("%llu files, %zu records, %llu bytes\n",
	    (unsigned long long)nfiles, nrec, (unsigned long long)sum);
	free(size);
	free(buf);
	return 0;
}
