/*
 * dualhash.c — a queue of blocks for a SHA-512 worker thread, or (inline)
 * the same items run at once on the caller's thread.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "dualhash.h"
#include "util.h"

#define NBUF	4		/* blocks in flight: 4 MiB */
#define NITEM	(4 * NBUF + 64)	/* queue: data items plus begin/end marks */

enum { BEGIN, DATA, END };

struct item {
	int		 kind;
	size_t		 id;		/* BEGIN, END */
	unsigned char	*buf;		/* DATA */
	size_t		 len;
};

struct result {
	size_t	 id;
	char	 sha512[129];
};

struct arh_dualhash {
	pthread_t	 thread;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	EVP_MD_CTX	*c256;		/* caller's */
	EVP_MD_CTX	*c512;		/* worker's */
	const EVP_MD	*wmd;		/* worker's digest: SHA-512 by default */
	int		 caller;	/* 1: SHA-256 on the caller too */
	int		 inl;		/* ARH_DUALHASH_INLINE: no worker */
	size_t		 block;		/* bytes of each buffer */
	unsigned char	*bufs[NBUF];
	unsigned char	*freebuf[NBUF];	/* stack of free buffers */
	size_t		 nfree;
	struct item	 q[NITEM];
	size_t		 qhead, qlen;
	int		 busy;		/* worker holds q[qhead] */
	size_t		 wid;		/* worker's current stream id */
	struct result	*res;		/* finished streams, under mu */
	size_t		 nres, capres;
	int		 quit, failed, started;
};

/* Hash one queue item; called by the worker without the lock. */
static int
run_item(struct arh_dualhash *h, const struct item *it, struct result *r)
{
	unsigned char md[64];
	unsigned int n;

	switch (it->kind) {
	case BEGIN:
		h->wid = it->id;
		return EVP_DigestInit_ex(h->c512, h->wmd, NULL) == 1 ? 0 : -1;
	case DATA:
		return it->len == 0 || EVP_DigestUpdate(h->c512, it->buf,
		    it->len) == 1 ? 0 : -1;
	default:
		if (EVP_DigestFinal_ex(h->c512, md, &n) != 1)
			return -1;
		r->id = h->wid;
		arh_hex(md, n, r->sha512);
		return 0;
	}
}

static int
add_result(struct arh_dualhash *h, const struct result *r)
{
	struct result *v;

	if (h->nres == h->capres) {
		size_t ncap = h->capres ? h->capres * 2 : 256;
		if ((v = realloc(h->res, ncap * sizeof(*v))) == NULL)
			return -1;
		h->res = v;
		h->capres = ncap;
	}
	h->res[h->nres++] = *r;
	return 0;
}

/*
 * The bookkeeping after one item: its digest or failure recorded, its
 * buffer back in the pool.  Under mu on the worker; inline there is no
 * other thread, so no lock.
 */
static void
item_done(struct arh_dualhash *h, const struct item *it, int bad,
    const struct result *r)
{
	if (bad || (it->kind == END && add_result(h, r) != 0))
		h->failed = 1;
	if (it->kind == DATA && it->buf != NULL)
		h->freebuf[h->nfree++] = it->buf;
}

static void *
worker(void *arg)
{
	struct arh_dualhash *h = arg;
	struct result r;
	struct item it;

	pthread_mutex_lock(&h->mu);
	for (;;) {
		while (h->qlen == 0 && !h->quit)
			pthread_cond_wait(&h->cv, &h->mu);
		if (h->qlen == 0)
			break;
		it = h->q[h->qhead];
		h->busy = 1;
		pthread_mutex_unlock(&h->mu);
		int bad = run_item(h, &it, &r);
		pthread_mutex_lock(&h->mu);
		item_done(h, &it, bad, &r);
		h->busy = 0;
		h->qhead = (h->qhead + 1) % NITEM;
		h->qlen--;
		pthread_cond_broadcast(&h->cv);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

static void
enqueue(struct arh_dualhash *h, const struct item *it)
{
	struct result r;

	if (h->inl) {
		/* What the worker would do, in the same order: the queue
		 * is always empty, so sync has nothing to wait for. */
		item_done(h, it, run_item(h, it, &r), &r);
		return;
	}
	pthread_mutex_lock(&h->mu);
	while (h->qlen == NITEM)
		pthread_cond_wait(&h->cv, &h->mu);
	h->q[(h->qhead + h->qlen) % NITEM] = *it;
	h->qlen++;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
}

int
arh_dualhash_new(struct arh_dualhash **out, unsigned flags,
    struct arh_err *err)
{
	int rc = arh_dualhash_new_worker_only(out, "SHA512", flags, err);

	if (rc == 0)
		(*out)->caller = 1;
	return rc;
}

int
arh_dualhash_new_worker_only(struct arh_dualhash **out,
    const char *worker_md, unsigned flags, struct arh_err *err)
{
	struct arh_dualhash *h;
	size_t i, nbuf;

	*out = NULL;
	if ((flags & ~ARH_DUALHASH_INLINE) != 0)
		return arh_errf(err, ARH_EINTERNAL, "unknown hashing flags %#x",
		    flags);
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	h->wmd = strcmp(worker_md, "SHA256") == 0 ? EVP_sha256() :
	    EVP_sha512();
	h->inl = (flags & ARH_DUALHASH_INLINE) != 0;
	/* Inline, a block is hashed before update returns: one buffer is
	 * all the pool can ever have out (see dualhash.h for its size). */
	nbuf = h->inl ? 1 : NBUF;
	h->block = h->inl ? ARH_DUALHASH_INLINE_BLOCK : ARH_DUALHASH_BLOCK;
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	h->c256 = EVP_MD_CTX_new();
	h->c512 = EVP_MD_CTX_new();
	for (i = 0; i < nbuf; i++) {
		if ((h->bufs[i] = malloc(h->block)) == NULL)
			break;
		h->freebuf[h->nfree++] = h->bufs[i];
	}
	if (h->c256 == NULL || h->c512 == NULL || h->nfree != nbuf) {
		arh_dualhash_free(h);
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	}
	if (!h->inl) {
		if (pthread_create(&h->thread, NULL, worker, h) != 0) {
			arh_dualhash_free(h);
			return arh_errf(err, ARH_EINTERNAL,
			    "cannot start hash thread");
		}
		h->started = 1;
	}
	*out = h;
	return 0;
}

void
arh_dualhash_free(struct arh_dualhash *h)
{
	size_t i;

	if (h == NULL)
		return;
	if (h->started) {
		pthread_mutex_lock(&h->mu);
		h->quit = 1;
		pthread_cond_broadcast(&h->cv);
		pthread_mutex_unlock(&h->mu);
		pthread_join(h->thread, NULL);
	}
	for (i = 0; i < NBUF; i++)
		free(h->bufs[i]);
	free(h->res);
	EVP_MD_CTX_free(h->c256);
	EVP_MD_CTX_free(h->c512);
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

int
arh_dualhash_begin(struct arh_dualhash *h, size_t id)
{
	struct item it = { BEGIN, id, NULL, 0 };

	if (h->caller && EVP_DigestInit_ex(h->c256, EVP_sha256(), NULL) != 1)
		return ARH_ECRYPTO;
	enqueue(h, &it);
	return 0;
}

int
arh_dualhash_update(struct arh_dualhash *h, unsigned char *buf, size_t len)
{
	struct item it = { DATA, 0, buf, len };
	int r = len == 0 || !h->caller ||
	    EVP_DigestUpdate(h->c256, buf, len) == 1;

	enqueue(h, &it);	/* the buffer goes back to the pool either way */
	return r ? 0 : ARH_ECRYPTO;
}

int
arh_dualhash_end(struct arh_dualhash *h, char sha256[65])
{
	struct item it = { END, 0, NULL, 0 };
	unsigned char md[32];
	unsigned int n;

	sha256[0] = '\0';
	if (h->caller) {
		if (EVP_DigestFinal_ex(h->c256, md, &n) != 1)
			return ARH_ECRYPTO;
		arh_hex(md, n, sha256);
	}
	enqueue(h, &it);
	return 0;
}

int
arh_dualhash_sync(struct arh_dualhash *h,
    void (*cb)(void *arg, size_t id, const char *sha512), void *arg)
{
	size_t i;
	int failed;

	pthread_mutex_lock(&h->mu);
	while (h->qlen > 0 || h->busy)
		pthread_cond_wait(&h->cv, &h->mu);
	failed = h->failed;
	pthread_mutex_unlock(&h->mu);
	/* The worker is idle and the queue empty: the results are ours. */
	for (i = 0; i < h->nres; i++)
		if (cb != NULL)
			cb(arg, h->res[i].id, h->res[i].sha512);
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
