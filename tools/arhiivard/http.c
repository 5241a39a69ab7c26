/*
 * http.c — the verification API over HTTP: libmicrohttpd's internal
 * threads (a pool of [api] threads, epoll), bounded as configured
 * ([api] connections, timeout_seconds, max_request_bytes), answering with
 * api_handle().  No TLS in process: docs/API.md shows a reverse proxy.
 *
 * SQLite connections are per thread: a pool of homes, opened here from
 * the main thread, one lent to each request while it is answered.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "arhiivar/config.h"
#include "api.h"
#include "daemon.h"

struct http {
	struct MHD_Daemon *mhd;
	struct daemon	*d;
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	struct arh_home	**homes;	/* all of them */
	struct arh_home	**idle;		/* a stack of those not lent */
	size_t		 nhomes, nidle;
	atomic_long	 verifying;
	long		 max_verifications;
	unsigned long	 max_request;
};

/* Per request: the body bytes seen (bodies are refused, not stored). */
struct req_state {
	unsigned long	 body;
	int		 answered;
};

static struct arh_home *
borrow(struct http *s)
{
	struct arh_home *h;

	pthread_mutex_lock(&s->lock);
	while (s->nidle == 0)
		pthread_cond_wait(&s->cond, &s->lock);
	h = s->idle[--s->nidle];
	pthread_mutex_unlock(&s->lock);
	return h;
}

static void
give_back(struct http *s, struct arh_home *h)
{
	pthread_mutex_lock(&s->lock);
	s->idle[s->nidle++] = h;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

struct args {
	struct api_arg	 v[API_MAX_ARGS];
	size_t		 n;
	int		 too_many;
};

static enum MHD_Result
add_arg(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct args *a = cls;

	(void)kind;
	if (a->n == API_MAX_ARGS) {
		a->too_many = 1;
		return MHD_NO;
	}
	a->v[a->n].key = key != NULL ? key : "";
	a->v[a->n].value = value != NULL ? value : "";
	a->n++;
	return MHD_YES;
}

static enum MHD_Result
send_response(struct MHD_Connection *conn, struct api_response *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(r->len, r->body,
	    MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		api_response_release(r);
		return MHD_NO;
	}
	r->body = NULL;	/* transferred */
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    r->content_type);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-store");
	if (r->header != NULL)
		MHD_add_response_header(resp, r->header, r->header_value);
	ret = MHD_queue_response(conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* A fixed error answer, without the handler (413 before the body). */
static enum MHD_Result
send_error(struct MHD_Connection *conn, int status, const char *msg)
{
	struct api_response r;
	char *body = NULL;

	memset(&r, 0, sizeof(r));
	if (asprintf(&body, "{\"error\":\"%s\",\"status\":%d}\n", msg,
	    status) == -1)
		return MHD_NO;
	r.status = status;
	r.content_type = "application/json";
	r.body = body;
	r.len = strlen(body);
	return send_response(conn, &r);
}

static enum MHD_Result
answer(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct http *s = cls;
	struct req_state *st = *con_cls;
	struct api_request req;
	struct api_response resp;
	struct api_ctx ctx;
	struct args a;
	const char *cl;
	char *end;
	unsigned long n;
	enum MHD_Result ret;

	(void)version;
	(void)upload_data;
	if (st == NULL) {	/* the headers are in; the body may follow */
		if ((st = calloc(1, sizeof(*st))) == NULL)
			return MHD_NO;
		*con_cls = st;
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl != NULL && ((n = strtoul(cl, &end, 10)),
		    *end != '\0' || n > s->max_request)) {
			st->answered = 1;
			atomic_fetch_add(&s->d->stats.api_requests, 1);
			return send_error(conn, 413, "request body too large");
		}
		return MHD_YES;
	}
	if (*upload_data_size != 0) {	/* counted and dropped */
		st->body += *upload_data_size;
		*upload_data_size = 0;
		if (st->body > s->max_request && !st->answered) {
			st->answered = 1;
			atomic_fetch_add(&s->d->stats.api_requests, 1);
			return send_error(conn, 413, "request body too large");
		}
		return MHD_YES;
	}
	if (st->answered)
		return MHD_YES;
	st->answered = 1;
	memset(&a, 0, sizeof(a));
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, add_arg, &a);
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = url;
	req.args = a.v;
	req.nargs = a.n;
	req.too_many_args = a.too_many;
	req.authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION);
	req.has_body = st->body > 0;
	ctx.d = s->d;
	ctx.verifying = &s->verifying;
	ctx.max_verifications = s->max_verifications;
	ctx.h = borrow(s);
	api_handle(&ctx, &req, &resp);
	give_back(s, ctx.h);
	ret = send_response(conn, &resp);
	return ret;
}

static void
completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	free(*con_cls);
	*con_cls = NULL;
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	dlog(LOG_WARNING, "api: %s", msg);
}

/* "ADDR:PORT" or "[V6]:PORT" into ss; port 0 lets the kernel choose. */
static int
parse_listen(const char *s, struct sockaddr_storage *ss, int *v6,
    struct arh_err *err)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	char host[128];
	const char *colon, *p;
	unsigned long port;
	char *end;
	size_t n;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		if ((p = strchr(s, ']')) == NULL || p[1] != ':')
			goto bad;
		n = (size_t)(p - s - 1);
		colon = p + 1;
		p = s + 1;
	} else {
		if ((colon = strrchr(s, ':')) == NULL)
			goto bad;
		n = (size_t)(colon - s);
		p = s;
	}
	if (n == 0 || n >= sizeof(host))
		goto bad;
	memcpy(host, p, n);
	host[n] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || port > 65535)
		goto bad;
	if (s[0] == '[') {
		if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
			goto bad;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*v6 = 1;
	} else {
		if (inet_pton(AF_INET, host, &in4->sin_addr) != 1)
			goto bad;
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		*v6 = 0;
	}
	return 0;
bad:
	return arh_errf(err, ARH_ECONFIG, "[api] listen '%s' is not "
	    "ADDRESS:PORT, [IPV6-ADDRESS]:PORT or off", s);
}

static void
free_state(struct http *s)
{
	size_t i;

	for (i = 0; i < s->nhomes; i++)
		arh_home_free(s->homes[i]);
	free(s->homes);
	free(s->idle);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

int
http_start(struct daemon *d, struct arh_err *err)
{
	const struct arh_config *cfg = d->h->cfg;
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *info;
	struct http *s;
	unsigned flags;
	size_t i, n;
	int rc, v6 = 0;

	d->http = NULL;
	if (cfg->api_listen == NULL || strcmp(cfg->api_listen, "off") == 0)
		return 0;
	if ((rc = parse_listen(cfg->api_listen, &ss, &v6, err)) != 0)
		return rc;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	s->d = d;
	s->max_verifications = cfg->api_verifications;
	s->max_request = (unsigned long)cfg->api_max_request;
	n = (size_t)(cfg->api_threads + cfg->api_verifications);
	s->homes = calloc(n, sizeof(*s->homes));
	s->idle = calloc(n, sizeof(*s->idle));
	if (s->homes == NULL || s->idle == NULL) {
		free_state(s);
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	}
	for (i = 0; i < n; i++) {
		if ((rc = daemon_open_home(d, "arhiivard api", &s->homes[i],
		    err)) != 0 || (rc = arh_catalog_tune_reader(
		    s->homes[i]->cat, err)) != 0) {
			arh_home_free(s->homes[i]);
			free_state(s);
			return rc;
		}
		s->nhomes++;
		s->idle[s->nidle++] = s->homes[i];
	}
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0);
	s->mhd = MHD_start_daemon(flags, 0, NULL, NULL, answer, s,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->api_threads,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->api_connections,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->api_timeout,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)cfg->api_max_request,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, s,
	    MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
	    MHD_OPTION_END);
	if (s->mhd == NULL) {
		free_state(s);
		return arh_errf(err, ARH_EIO, "cannot serve the API on %s "
		    "(address in use or not this host's?)", cfg->api_listen);
	}
	info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
	dlog(LOG_INFO, "api: listening on %s (port %u), %ld threads",
	    cfg->api_listen, info != NULL ? (unsigned)info->port : 0u,
	    cfg->api_threads);
	d->http = s;
	return 0;
}

void
http_stop(struct daemon *d)
{
	struct http *s = d->http;

	if (s == NULL)
		return;
	MHD_stop_daemon(s->mhd);
	free_state(s);
	d->http = NULL;
}

int
http_check_config(const struct arh_config *cfg, struct arh_problems *probs)
{
	struct sockaddr_storage ss;
	struct arh_err err;
	int v6;

	if (cfg->api_listen == NULL || strcmp(cfg->api_listen, "off") == 0)
		return 0;
	if (parse_listen(cfg->api_listen, &ss, &v6, &err) == 0)
		return 0;
	(void)arh_problems_add(probs, "%s", err.msg);
	return -1;
}
