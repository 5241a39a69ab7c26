/*
 * api.h — the verification API's request handler, independent of the HTTP
 * server: a request (method, decoded path, query arguments, bearer token)
 * in, a response (status, JSON or Prometheus text, one extra header) out.
 * http.c feeds it from libmicrohttpd; tests/unit/test_api.c and
 * tests/fuzz/fuzz_api.c call it directly.  docs/API.md is the contract.
 */
#ifndef ARHIIVARD_API_H
#define ARHIIVARD_API_H

#include <stdatomic.h>
#include <stddef.h>

#include "arhiivar/home.h"

struct daemon;

#define API_MAX_ARGS	8	/* query arguments of one request */
#define API_MAX_NAME	255	/* an archive name */
#define API_MAX_PATH	1024	/* a request path */
#define API_LIMIT_DEFAULT 100
#define API_LIMIT_MAX	1000

struct api_arg {
	const char	*key;
	const char	*value;		/* "" for "?key" */
};

struct api_request {
	const char	*method;	/* "GET", "POST", ... */
	const char	*path;		/* decoded, without the query */
	const struct api_arg *args;	/* query arguments, as given */
	size_t		 nargs;
	int		 too_many_args;	/* more than API_MAX_ARGS were given */
	const char	*authorization;	/* the header as sent, or NULL */
	int		 has_body;	/* a request body was sent */
};

struct api_response {
	int		 status;
	const char	*content_type;	/* static */
	char		*body;		/* malloc'd, NUL-terminated */
	size_t		 len;
	const char	*header;	/* "Allow", "WWW-Authenticate" or NULL */
	const char	*header_value;	/* static */
};

/* What the handler needs beyond the request: the calling thread's home,
 * the daemon (status, counters; NULL in tests: no counters), and the
 * verification slots shared by every thread. */
struct api_ctx {
	struct arh_home	*h;
	struct daemon	*d;
	atomic_long	*verifying;	/* verifications running now */
	long		 max_verifications;
};

/* Answer req into resp (release it with api_response_release()).
 * Returns resp->status; never fails otherwise (out of memory is 500). */
int api_handle(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *resp);
void api_response_release(struct api_response *resp);

#endif
