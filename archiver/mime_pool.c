/*
 * mime_pool.c — slots of first blocks, identified by worker threads, each
 * with its own libmagic cookie (a cookie is not safe to share).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "arhiivar/mime.h"
#include "mime_pool.h"

#define SLOTS	32	/* 32 × 64 KiB in flight at most */
#define WORKERS	2	/* libmagic is the slowest step; use both cores */

enum { FREE, QUEUED, WORKING };

struct job {
	int		 state;
	unsigned char	*buf;
	size_t		 len;
	char		**mime;
	char		**charset;
};

struct worker {
	struct arh_mime_pool *q;
	pthread_t	 thread;
	struct arh_mime *ident;
	int		 started;
};

struct arh_mime_pool {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	struct job	 slot[SLOTS];
	size_t		 pending;	/* QUEUED + WORKING */
	int		 quit;
	int		 failed;
	struct worker	 w[WORKERS];
};

static struct job *
find_slot(struct arh_mime_pool *q, int state)
{
	size_t i;

	for (i = 0; i < SLOTS; i++)
		if (q->slot[i].state == state)
			return &q->slot[i];
	return NULL;
}

static void *
work(void *arg)
{
	struct worker *w = arg;
	struct arh_mime_pool *q = w->q;
	struct job *j;
	int r;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		while ((j = find_slot(q, QUEUED)) == NULL && !q->quit)
			pthread_cond_wait(&q->cv, &q->mu);
		if (j == NULL)
			break;
		j->state = WORKING;
		pthread_mutex_unlock(&q->mu);
		/* Each job writes only its own file's fields. */
		r = arh_mime_buffer(w->ident, j->buf, j->len, j->mime,
		    j->charset);
		pthread_mutex_lock(&q->mu);
		if (r != 0)
			q->failed = 1;
		j->state = FREE;
		q->pending--;
		pthread_cond_broadcast(&q->cv);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

int
arh_mime_pool_new(struct arh_mime_pool **out, struct arh_err *err)
{
	struct arh_mime_pool *q;
	size_t i;
	int rc;

	*out = NULL;
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	for (i = 0; i < SLOTS; i++)
		if ((q->slot[i].buf = malloc(ARH_IDENT_BYTES)) == NULL) {
			arh_mime_pool_free(q);
			return arh_errf(err, ARH_ENOMEM, "out of memory");
		}
	for (i = 0; i < WORKERS; i++) {
		q->w[i].q = q;
		if ((rc = arh_mime_new(&q->w[i].ident, err)) != 0) {
			arh_mime_pool_free(q);
			return rc;
		}
		if (pthread_create(&q->w[i].thread, NULL, work, &q->w[i]) != 0) {
			arh_mime_pool_free(q);
			return arh_errf(err, ARH_EINTERNAL, "cannot start a "
			    "thread");
		}
		q->w[i].started = 1;
	}
	*out = q;
	return 0;
}

void
arh_mime_pool_free(struct arh_mime_pool *q)
{
	size_t i;

	if (q == NULL)
		return;
	pthread_mutex_lock(&q->mu);
	q->quit = 1;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	for (i = 0; i < WORKERS; i++) {
		if (q->w[i].started)
			pthread_join(q->w[i].thread, NULL);
		arh_mime_free(q->w[i].ident);
	}
	for (i = 0; i < SLOTS; i++)
		free(q->slot[i].buf);
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	free(q);
}

int
arh_mime_pool_submit(struct arh_mime_pool *q, const void *buf, size_t len,
    char **mime, char **charset)
{
	struct job *j;

	if (len > ARH_IDENT_BYTES)
		len = ARH_IDENT_BYTES;
	pthread_mutex_lock(&q->mu);
	while ((j = find_slot(q, FREE)) == NULL)
		pthread_cond_wait(&q->cv, &q->mu);
	/* A FREE slot is touched by nobody else until it is QUEUED. */
	memcpy(j->buf, buf, len);
	j->len = len;
	j->mime = mime;
	j->charset = charset;
	j->state = QUEUED;
	q->pending++;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	return 0;
}

int
arh_mime_pool_drain(struct arh_mime_pool *q)
{
	int failed;

	pthread_mutex_lock(&q->mu);
	while (q->pending > 0)
		pthread_cond_wait(&q->cv, &q->mu);
	failed = q->failed;
	pthread_mutex_unlock(&q->mu);
	return failed ? ARH_ENOMEM : 0;
}
