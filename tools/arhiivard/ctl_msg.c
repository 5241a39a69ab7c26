/*
 * ctl_msg.c — control-socket requests: parsed with jansson, then checked
 * against one table of operations and the keys each takes.  Anything else
 * is refused with a sentence saying what was wrong.
 */
#include <stdio.h>
#include <string.h>

#include "ctl.h"

/* Which keys each op takes (besides "op"). */
static const struct {
	const char *op;
	const char *keys;	/* space-separated; "" none */
	const char *required;
} ops[] = {
	{ "status", "", "" },
	{ "wake", "", "" },
	{ "audit", "archive", "" },
	{ "quarantine.list", "", "" },
	{ "quarantine.retry", "name", "name" },
	{ "restore", "archive path", "archive path" },
	{ "schedule.run", "id", "id" },
};

static int
has_word(const char *list, const char *w)
{
	size_t n = strlen(w);
	const char *p = list;

	if (n == 0)		/* "" is in every string: no key is empty */
		return 0;

	while ((p = strstr(p, w)) != NULL) {
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

static int
copy_str(const json_t *v, const char *key, char *dst, size_t n, char *why,
    size_t wn)
{
	const char *s;
	size_t len;

	if (!json_is_string(v)) {
		snprintf(why, wn, "\"%s\" must be a string", key);
		return -1;
	}
	s = json_string_value(v);
	len = json_string_length(v);
	if (len == 0 || len >= n || strlen(s) != len) {
		snprintf(why, wn, "\"%s\" must be 1 to %zu bytes without NUL",
		    key, n - 1);
		return -1;
	}
	memcpy(dst, s, len + 1);
	return 0;
}

int
ctl_parse(const char *buf, size_t len, struct ctl_request *req, char *why,
    size_t n)
{
	json_error_t jerr;
	const char *key, *op;
	json_t *j, *v;
	size_t i;
	int rc = -1;

	memset(req, 0, sizeof(*req));
	if (len > CTL_MAX_REQUEST) {
		snprintf(why, n, "request longer than %d bytes", CTL_MAX_REQUEST);
		return -1;
	}
	if ((j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		snprintf(why, n, "not JSON: %s", jerr.text);
		return -1;
	}
	if (!json_is_object(j) || !json_is_string(json_object_get(j, "op"))) {
		snprintf(why, n, "a request is an object with a string \"op\"");
		goto out;
	}
	op = json_string_value(json_object_get(j, "op"));
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(ops[i].op, op) == 0)
			break;
	if (i == sizeof(ops) / sizeof(ops[0])) {
		snprintf(why, n, "unknown op (see the control socket in API.md)");
		goto out;
	}
	snprintf(req->op, sizeof(req->op), "%s", op);
	json_object_foreach(j, key, v) {
		if (strcmp(key, "op") == 0)
			continue;
		if (!has_word(ops[i].keys, key)) {
			snprintf(why, n, "op %s takes no key \"%.64s\"", op, key);
			goto out;
		}
		if (strcmp(key, "archive") == 0) {
			if (copy_str(v, key, req->archive, sizeof(req->archive),
			    why, n) != 0)
				goto out;
		} else if (strcmp(key, "path") == 0) {
			if (copy_str(v, key, req->path, sizeof(req->path), why,
			    n) != 0)
				goto out;
		} else if (strcmp(key, "name") == 0) {
			if (copy_str(v, key, req->name, sizeof(req->name), why,
			    n) != 0)
				goto out;
		} else if (strcmp(key, "id") == 0) {
			if (!json_is_integer(v) || json_integer_value(v) < 1 ||
			    json_integer_value(v) > 1000000000) {
				snprintf(why, n, "\"id\" must be a positive "
				    "integer");
				goto out;
			}
			req->id = (long)json_integer_value(v);
		}
	}
	if ((has_word(ops[i].required, "archive") && req->archive[0] == '\0') ||
	    (has_word(ops[i].required, "path") && req->path[0] == '\0') ||
	    (has_word(ops[i].required, "name") && req->name[0] == '\0') ||
	    (has_word(ops[i].required, "id") && req->id == 0)) {
		snprintf(why, n, "op %s needs: %s", op, ops[i].required);
		goto out;
	}
	rc = 0;
out:
	json_decref(j);
	return rc;
}

json_t *
ctl_error(int code, const char *msg)
{
	return json_pack("{s:b, s:s, s:i}", "ok", 0, "error", msg, "code",
	    code);
}
