/*
 * fuzz_api.c — the verification API's handler (api_handle()) on arbitrary
 * requests: the input is split at newlines into method, path, query
 * ("k=v&k=v") and Authorization header; a fifth line, if any, says a
 * body was sent.  The home (made once, the sample case file ingested)
 * must answer every request with a status and a body, and never crash.
 */
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arhiivar/ops.h"
#include "api.h"
#include "daemon.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct arh_home *home;
static struct daemon dmn;
static atomic_long verifying;

static void
make_home(void)
{
	static char dir[64];
	struct arh_problems notes, cfgprobs;
	struct arh_ingest_result res;
	struct arh_err err;
	char path[128];

	setlocale(LC_CTYPE, "C.UTF-8");
	snprintf(dir, sizeof(dir), "/tmp/arh-fuzz-api.XXXXXX");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/home", dir);
	arh_problems_init(&notes);
	arh_problems_init(&cfgprobs);
	if (arh_home_init(path, "Fuzz", &notes, &err) != 0 ||
	    arh_home_open(path, "fuzz", 0, &home, &notes, &cfgprobs,
	    &err) != 0)
		abort();
	/* The sample if it is there (run from the top of the tree). */
	(void)arh_ingest(home, "sample/case-12-1-2024", 0, &res, &notes, &err);
	arh_problems_release(&notes);
	arh_problems_release(&cfgprobs);
	pthread_mutex_init(&dmn.lock, NULL);
	snprintf(dmn.doing, sizeof(dmn.doing), "idle");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_arg args[API_MAX_ARGS];
	struct api_request req;
	struct api_response resp;
	struct api_ctx ctx;
	char *buf, *line[5] = { NULL }, *p, *save = NULL, *eq;
	size_t i, n = 0;

	if (home == NULL)
		make_home();
	if (size > 4096 || (buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (i = 0, p = buf; i < 5 && p != NULL; i++) {
		line[i] = p;
		if ((p = strchr(p, '\n')) != NULL)
			*p++ = '\0';
	}
	memset(&req, 0, sizeof(req));
	req.method = line[0];
	req.path = line[1];
	for (p = line[2] ? strtok_r(line[2], "&", &save) : NULL; p != NULL;
	    p = strtok_r(NULL, "&", &save)) {
		if (n == API_MAX_ARGS) {
			req.too_many_args = 1;
			break;
		}
		if ((eq = strchr(p, '=')) != NULL)
			*eq++ = '\0';
		args[n].key = p;
		args[n++].value = eq != NULL ? eq : "";
	}
	req.args = args;
	req.nargs = n;
	req.authorization = line[3] != NULL && line[3][0] ? line[3] : NULL;
	req.has_body = line[4] != NULL;
	memset(&ctx, 0, sizeof(ctx));
	ctx.h = home;
	ctx.d = &dmn;
	ctx.verifying = &verifying;
	ctx.max_verifications = 1;
	api_handle(&ctx, &req, &resp);
	if (resp.status < 200 || resp.status > 599 || resp.body == NULL ||
	    resp.len != strlen(resp.body))
		abort();
	api_response_release(&resp);
	free(buf);
	return 0;
}
