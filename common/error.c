/* error.c — the error table, error details and problem lists. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arhiivar/error.h"

static const struct {
	int		 code;
	const char	*text;
} errtab[] = {
	{ ARH_OK,	 "success" },
	{ ARH_EINTERNAL, "internal error" },
	{ ARH_ENOMEM,	 "out of memory" },
	{ ARH_EIO,	 "input/output error" },
	{ ARH_EINVAL,	 "input rejected" },
	{ ARH_ENOTFOUND, "not found" },
	{ ARH_EEXIST,	 "already exists" },
	{ ARH_EDENIED,	 "access denied" },
	{ ARH_EVERIFY,	 "verification failed" },
	{ ARH_ECRYPTO,	 "key, certificate or signature error" },
	{ ARH_ECATALOG,	 "catalog error" },
	{ ARH_ECONFIG,	 "configuration error" },
	{ ARH_ECHANGED,	 "input changed while being read" },
	{ ARH_ENOSPC,	 "no space left on device" },
	{ ARH_EFORMAT,	 "malformed archive or file" },
	{ ARH_EUSAGE,	 "invalid request" },
};

const char *
arh_strerror(int code)
{
	size_t i;

	for (i = 0; i < sizeof(errtab) / sizeof(errtab[0]); i++)
		if (errtab[i].code == code)
			return errtab[i].text;
	return "unknown error";
}

void
arh_err_clear(struct arh_err *err)
{
	if (err == NULL)
		return;
	err->code = 0;
	err->msg[0] = '\0';
}

int
arh_errf(struct arh_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

int
arh_errno(struct arh_err *err, int code, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	if (errnum == ENOSPC || errnum == EDQUOT)
		code = ARH_ENOSPC;
	if (err == NULL)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	len = strlen(err->msg);
	snprintf(err->msg + len, sizeof(err->msg) - len, ": %s",
	    strerror(errnum));
	return code;
}

void
arh_problems_init(struct arh_problems *p)
{
	memset(p, 0, sizeof(*p));
}

void
arh_problems_release(struct arh_problems *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++)
		free(p->items[i]);
	free(p->items);
	memset(p, 0, sizeof(*p));
}

int
arh_problems_add(struct arh_problems *p, const char *fmt, ...)
{
	va_list ap;
	char *s, **v;
	int len;

	if (p->n == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 16;
		if ((v = realloc(p->items, ncap * sizeof(*v))) == NULL)
			return ARH_ENOMEM;
		p->items = v;
		p->cap = ncap;
	}
	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0 || (s = malloc((size_t)len + 1)) == NULL)
		return ARH_ENOMEM;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)len + 1, fmt, ap);
	va_end(ap);
	p->items[p->n++] = s;
	return 0;
}

int
arh_problems_vadd(struct arh_problems *p, const char *prefix, const char *fmt,
    va_list ap)
{
	char *msg = NULL;
	int rc;

	if (vasprintf(&msg, fmt, ap) < 0)
		return ARH_ENOMEM;
	rc = arh_problems_add(p, "%s: %s", prefix, msg);
	free(msg);
	return rc;
}
