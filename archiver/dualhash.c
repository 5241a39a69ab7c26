/*
 * dualhash.c — queues of blocks for SHA-512 worker threads, one stream
 * per worker at a time, or (inline) the same items run at once on the
 * caller's thread.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "dualhash.h"
#include "util.h"

#define NWORKER	2		/* SHA-512 threads: streams spread over them */
/*
 * Blocks in flight.  The reader can move on to the next file, for the
 * other worker, only while the pool lends it buffers: 16 MiB lets a
 * file of up to about 12 MiB be hashed beside the next ones.  A single
 * stream (the tar) needs only enough to keep its one worker busy.
 */
#define NBUF	8
#define NBUF_ONE 4
#define NITEM	(4 * NBUF + 64)	/* a worker's queue: data plus begin/end marks */

enum { BEGIN, DATA, END };

struct item {
	int		 kind;
	size_t		 seq;		/* BEGIN: the stream's result slot */
	unsigned char	*buf;		/* DATA */
	size_t		 len;
};

struct result {
	size_t	 id;
	char	 sha512[129];	/* or "" when the worker hashes SHA-256 only */
	char	 sha256[65];	/* or "" when it hashes SHA-512 only */
};

/*
 * One SHA-512 thread and its queue.  A stream goes whole to one worker
 * (a digest cannot be split), and each new stream to the worker with the
 * fewest bytes waiting, so two files are hashed at once on two cores.
 */
struct worker {
	struct arh_dualhash *h;
	pthread_t	 thread;
	EVP_MD_CTX	*ctx;		/* the workers' digest */
	EVP_MD_CTX	*c256;		/* SHA-256 beside it, when both */
	struct item	 q[NITEM];
	size_t		 qhead, qlen;
	size_t		 pending;	/* bytes queued, not yet hashed */
	size_t		 seq;		/* its current stream's result slot */
	int		 busy;		/* holds q[qhead] */
	int		 started;
};

struct arh_dualhash {
	pthread_mutex_t	 mu;		/* everything below, with cv */
	pthread_cond_t	 cv;
	const EVP_MD	*wmd;		/* workers' digest: SHA-512 by default */
	int		 both;		/* 1: SHA-256 on the workers too */
	int		 inl;		/* ARH_DUALHASH_INLINE: no worker */
	size_t		 block;		/* bytes of each buffer */
	unsigned char	*bufs[NBUF];
	unsigned char	*freebuf[NBUF];	/* stack of free buffers */
	size_t		 nfree;
	struct worker	 w[NWORKER];
	size_t		 nworker;	/* inline: one, run on the caller */
	struct worker	*cur;		/* the current stream's worker */
	struct result	*res;		/* streams begun since the last sync,
					 * by begin order; filled at END */
	size_t		 nres, capres;
	int		 quit, failed;
};

/* Hash one queue item; called by its worker without the lock.  END
 * leaves the digests in *out for item_done to file. */
static int
run_item(struct worker *w, const struct item *it, struct result *out)
{
	int sha512 = w->h->wmd == EVP_sha512(), both = w->h->both;
	unsigned char md[64];
	unsigned int n;

	switch (it->kind) {
	case BEGIN:
		return EVP_DigestInit_ex(w->ctx, w->h->wmd, NULL) == 1 &&
		    (!both || EVP_DigestInit_ex(w->c256, EVP_sha256(),
		    NULL) == 1) ? 0 : -1;
	case DATA:
		if (it->len == 0)
			return 0;
		/* Both digests over the block while it is in this core's
		 * cache. */
		return EVP_DigestUpdate(w->ctx, it->buf, it->len) == 1 &&
		    (!both || EVP_DigestUpdate(w->c256, it->buf,
		    it->len) == 1) ? 0 : -1;
	default:
		out->sha512[0] = out->sha256[0] = '\0';
		if (EVP_DigestFinal_ex(w->ctx, md, &n) != 1)
			return -1;
		arh_hex(md, n, sha512 ? out->sha512 : out->sha256);
		if (!both)
			return 0;
		if (EVP_DigestFinal_ex(w->c256, md, &n) != 1)
			return -1;
		arh_hex(md, n, out->sha256);
		return 0;
	}
}

/*
 * The bookkeeping after one item: its digest or failure recorded, its
 * buffer back in the pool.  Under mu on a worker; inline there is no
 * other thread, so no lock.
 */
static void
item_done(struct worker *w, const struct item *it, int bad,
    const struct result *r)
{
	struct arh_dualhash *h = w->h;

	if (bad)
		h->failed = 1;
	if (it->kind == BEGIN)
		w->seq = it->seq;
	if (it->kind == END && !bad) {
		memcpy(h->res[w->seq].sha512, r->sha512, sizeof(r->sha512));
		memcpy(h->res[w->seq].sha256, r->sha256, sizeof(r->sha256));
	}
	if (it->kind == DATA) {
		w->pending -= it->len;
		if (it->buf != NULL)
			h->freebuf[h->nfree++] = it->buf;
	}
}

static void *
work(void *arg)
{
	struct worker *w = arg;
	struct arh_dualhash *h = w->h;
	struct result r;
	struct item it;
	int bad;

	pthread_mutex_lock(&h->mu);
	for (;;) {
		while (w->qlen == 0 && !h->quit)
			pthread_cond_wait(&h->cv, &h->mu);
		if (w->qlen == 0)
			break;
		it = w->q[w->qhead];
		w->busy = 1;
		pthread_mutex_unlock(&h->mu);
		bad = run_item(w, &it, &r);
		pthread_mutex_lock(&h->mu);
		item_done(w, &it, bad, &r);
		w->busy = 0;
		w->qhead = (w->qhead + 1) % NITEM;
		w->qlen--;
		pthread_cond_broadcast(&h->cv);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

/* Queue it for worker w (inline: run it now).  Under mu. */
static void
enqueue_locked(struct arh_dualhash *h, struct worker *w,
    const struct item *it)
{
	struct result r;

	if (it->kind == DATA)
		w->pending += it->len;
	if (h->inl) {
		/* What the worker would do, in the same order: the queue
		 * is always empty, so sync has nothing to wait for. */
		item_done(w, it, run_item(w, it, &r), &r);
		return;
	}
	while (w->qlen == NITEM)
		pthread_cond_wait(&h->cv, &h->mu);
	w->q[(w->qhead + w->qlen) % NITEM] = *it;
	w->qlen++;
	pthread_cond_broadcast(&h->cv);
}

static void
enqueue(struct arh_dualhash *h, const struct item *it)
{
	pthread_mutex_lock(&h->mu);
	enqueue_locked(h, h->cur, it);
	pthread_mutex_unlock(&h->mu);
}

static void
stop_workers(struct arh_dualhash *h)
{
	size_t i;

	pthread_mutex_lock(&h->mu);
	h->quit = 1;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	for (i = 0; i < h->nworker; i++)
		if (h->w[i].started)
			pthread_join(h->w[i].thread, NULL);
}

/* nworker threads with the digest md; both: SHA-256 beside it. */
static int
create(struct arh_dualhash **out, const char *md, int both,
    size_t nworker, unsigned flags, struct arh_err *err)
{
	struct arh_dualhash *h;
	size_t i, nbuf;
	int bad = 0;

	*out = NULL;
	if ((flags & ~ARH_DUALHASH_INLINE) != 0)
		return arh_errf(err, ARH_EINTERNAL, "unknown hashing flags %#x",
		    flags);
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	h->wmd = strcmp(md, "SHA256") == 0 ? EVP_sha256() : EVP_sha512();
	h->both = both;
	h->inl = (flags & ARH_DUALHASH_INLINE) != 0;
	/* Inline, a block is hashed before update returns: one buffer is
	 * all the pool can ever have out (see dualhash.h for its size). */
	nbuf = h->inl ? 1 : nworker > 1 ? NBUF : NBUF_ONE;
	h->nworker = h->inl ? 1 : nworker;
	h->block = h->inl ? ARH_DUALHASH_INLINE_BLOCK : ARH_DUALHASH_BLOCK;
	h->cur = &h->w[0];
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	for (i = 0; i < nbuf; i++) {
		if ((h->bufs[i] = malloc(h->block)) == NULL)
			break;
		h->freebuf[h->nfree++] = h->bufs[i];
	}
	for (i = 0; i < h->nworker; i++) {
		h->w[i].h = h;
		if ((h->w[i].ctx = EVP_MD_CTX_new()) == NULL ||
		    (both && (h->w[i].c256 = EVP_MD_CTX_new()) == NULL))
			bad = 1;
	}
	if (h->nfree != nbuf || bad) {
		arh_dualhash_free(h);
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	}
	for (i = 0; !h->inl && i < h->nworker; i++) {
		if (pthread_create(&h->w[i].thread, NULL, work, &h->w[i]) != 0) {
			arh_dualhash_free(h);
			return arh_errf(err, ARH_EINTERNAL,
			    "cannot start hash thread");
		}
		h->w[i].started = 1;
	}
	*out = h;
	return 0;
}

int
arh_dualhash_new(struct arh_dualhash **out, unsigned flags,
    struct arh_err *err)
{
	return create(out, "SHA512", 1, NWORKER, flags, err);
}

int
arh_dualhash_new_worker_only(struct arh_dualhash **out,
    const char *worker_md, unsigned flags, struct arh_err *err)
{
	return create(out, worker_md, 0, 1, flags, err);
}

void
arh_dualhash_free(struct arh_dualhash *h)
{
	size_t i;

	if (h == NULL)
		return;
	stop_workers(h);
	for (i = 0; i < NBUF; i++)
		free(h->bufs[i]);
	for (i = 0; i < h->nworker; i++) {
		EVP_MD_CTX_free(h->w[i].ctx);
		EVP_MD_CTX_free(h->w[i].c256);
	}
	free(h->res);
	pthread_cond_destroy(&h->cv);
	pthread_mutex_destroy(&h->mu);
	free(h);
}

size_t
arh_dualhash_block(const struct arh_dualhash *h)
{
	return h->block;
}

unsigned char *
arh_dualhash_buffer(struct arh_dualhash *h)
{
	unsigned char *b;

	pthread_mutex_lock(&h->mu);
	while (h->nfree == 0)
		pthread_cond_wait(&h->cv, &h->mu);
	b = h->freebuf[--h->nfree];
	pthread_mutex_unlock(&h->mu);
	return b;
}

void
arh_dualhash_release(struct arh_dualhash *h, unsigned char *buf)
{
	pthread_mutex_lock(&h->mu);
	h->freebuf[h->nfree++] = buf;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
}

/* The worker with the fewest bytes waiting; the first of equals. */
static struct worker *
least_loaded(struct arh_dualhash *h)
{
	struct worker *best = &h->w[0];
	size_t i;

	for (i = 1; i < h->nworker; i++)
		if (h->w[i].pending + h->w[i].qlen <
		    best->pending + best->qlen)
			best = &h->w[i];
	return best;
}

int
arh_dualhash_begin(struct arh_dualhash *h, size_t id)
{
	struct item it = { BEGIN, 0, NULL, 0 };
	struct result *v;
	int rc = 0;

	pthread_mutex_lock(&h->mu);
	/* Workers write only slots below nres, under mu: growing the
	 * array here is safe. */
	if (h->nres == h->capres) {
		size_t ncap = h->capres ? h->capres * 2 : 256;
		if ((v = realloc(h->res, ncap * sizeof(*v))) == NULL) {
			h->failed = 1;
			rc = ARH_ENOMEM;
			goto out;
		}
		h->res = v;
		h->capres = ncap;
	}
	it.seq = h->nres++;
	h->res[it.seq].id = id;
	h->res[it.seq].sha512[0] = h->res[it.seq].sha256[0] = '\0';
	h->cur = least_loaded(h);
	enqueue_locked(h, h->cur, &it);
out:
	pthread_mutex_unlock(&h->mu);
	return rc;
}

int
arh_dualhash_update(struct arh_dualhash *h, unsigned char *buf, size_t len)
{
	struct item it = { DATA, 0, buf, len };

	enqueue(h, &it);	/* the buffer goes back to the pool */
	return 0;
}

int
arh_dualhash_end(struct arh_dualhash *h)
{
	struct item it = { END, 0, NULL, 0 };

	enqueue(h, &it);
	return 0;
}

static int
idle(const struct arh_dualhash *h)
{
	size_t i;

	for (i = 0; i < h->nworker; i++)
		if (h->w[i].qlen > 0 || h->w[i].busy)
			return 0;
	return 1;
}

int
arh_dualhash_sync(struct arh_dualhash *h,
    void (*cb)(void *arg, size_t id, const char *sha512, const char *sha256),
    void *arg)
{
	size_t i;
	int failed;

	pthread_mutex_lock(&h->mu);
	while (!idle(h))
		pthread_cond_wait(&h->cv, &h->mu);
	failed = h->failed;
	pthread_mutex_unlock(&h->mu);
	/* The workers are idle and their queues empty: the results are
	 * ours, in the order the streams began. */
	for (i = 0; i < h->nres && !failed; i++)
		if (cb != NULL)
			cb(arg, h->res[i].id, h->res[i].sha512,
			    h->res[i].sha256);
	h->nres = 0;
	return failed ? ARH_ECRYPTO : 0;
}

int
arh_digests(const void *buf, size_t len, char sha512[129], char sha256[65])
{
	unsigned char md[64];
	unsigned int n;

	if (EVP_Digest(buf, len, md, &n, EVP_sha512(), NULL) != 1)
		return ARH_ECRYPTO;
	arh_hex(md, n, sha512);
	if (EVP_Digest(buf, len, md, &n, EVP_sha256(), NULL) != 1)
		return ARH_ECRYPTO;
	arh_hex(md, n, sha256);
	return 0;
}
