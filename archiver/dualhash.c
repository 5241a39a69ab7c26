/* dualhash.c — SHA-512 on a worker thread, SHA-256 on the caller's. */
#include <pthread.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "dualhash.h"
#include "util.h"

/* Below this, a thread hand-off costs more than hashing inline. */
#define INLINE_BYTES	(32 * 1024)

struct arh_dualhash {
	pthread_t	 thread;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	EVP_MD_CTX	*c256;
	EVP_MD_CTX	*c512;
	const void	*pend;		/* block the worker is to hash */
	size_t		 pendlen;
	int		 busy;		/* worker owns pend and c512 */
	int		 quit;
	int		 failed;
	int		 started;
};

static void *
worker(void *arg)
{
	struct arh_dualhash *h = arg;

	pthread_mutex_lock(&h->mu);
	for (;;) {
		while (!h->busy && !h->quit)
			pthread_cond_wait(&h->cv, &h->mu);
		if (h->quit && !h->busy)
			break;
		pthread_mutex_unlock(&h->mu);
		if (EVP_DigestUpdate(h->c512, h->pend, h->pendlen) != 1)
			h->failed = 1;
		pthread_mutex_lock(&h->mu);
		h->busy = 0;
		pthread_cond_broadcast(&h->cv);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

/* Wait until the worker is idle; afterwards c512 is ours. */
static void
wait_idle(struct arh_dualhash *h)
{
	pthread_mutex_lock(&h->mu);
	while (h->busy)
		pthread_cond_wait(&h->cv, &h->mu);
	pthread_mutex_unlock(&h->mu);
}

int
arh_dualhash_new(struct arh_dualhash **out, struct arh_err *err)
{
	struct arh_dualhash *h;

	*out = NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	h->c256 = EVP_MD_CTX_new();
	h->c512 = EVP_MD_CTX_new();
	if (h->c256 == NULL || h->c512 == NULL) {
		arh_dualhash_free(h);
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	}
	if (pthread_create(&h->thread, NULL, worker, h) != 0) {
		arh_dualhash_free(h);
		return arh_errf(err, ARH_EINTERNAL, "cannot start hash thread");
	}
	h->started = 1;
	*out = h;
	return arh_dualhash_begin(h);
}

void
arh_dualhash_free(struct arh_dualhash *h)
{
	if (h == NULL)
		return;
	if (h->started) {
		pthread_mutex_lock(&h->mu);
		h->quit = 1;
		pthread_cond_broadcast(&h->cv);
		pthread_mutex_unlock(&h->mu);
		pthread_join(h->thread, NULL);
	}
	EVP_MD_CTX_free(h->c256);
	EVP_MD_CTX_free(h->c512);
	pthread_cond_destroy(&h->cv);
	pthread_mutex_destroy(&h->mu);
	free(h);
}

int
arh_dualhash_begin(struct arh_dualhash *h)
{
	wait_idle(h);
	h->failed = 0;
	if (EVP_DigestInit_ex(h->c256, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestInit_ex(h->c512, EVP_sha512(), NULL) != 1)
		return ARH_ECRYPTO;
	return 0;
}

int
arh_dualhash_update(struct arh_dualhash *h, const void *buf, size_t len)
{
	wait_idle(h);
	if (len < INLINE_BYTES) {
		if (EVP_DigestUpdate(h->c512, buf, len) != 1)
			return ARH_ECRYPTO;
	} else {
		pthread_mutex_lock(&h->mu);
		h->pend = buf;
		h->pendlen = len;
		h->busy = 1;
		pthread_cond_broadcast(&h->cv);
		pthread_mutex_unlock(&h->mu);
	}
	if (EVP_DigestUpdate(h->c256, buf, len) != 1)
		return ARH_ECRYPTO;
	return 0;
}

int
arh_dualhash_final(struct arh_dualhash *h, char sha512[129], char sha256[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n;

	wait_idle(h);
	if (h->failed)
		return ARH_ECRYPTO;
	if (EVP_DigestFinal_ex(h->c512, md, &n) != 1 || n != 64)
		return ARH_ECRYPTO;
	arh_hex(md, n, sha512);
	if (EVP_DigestFinal_ex(h->c256, md, &n) != 1 || n != 32)
		return ARH_ECRYPTO;
	arh_hex(md, n, sha256);
	return 0;
}
