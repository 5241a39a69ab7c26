/* mime.c — libmagic MIME type and charset. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <magic.h>

#include "arhiivar/mime.h"
#include "util.h"

struct arh_mime {
	magic_t	cookie;
};

int
arh_mime_new(struct arh_mime **out, struct arh_err *err)
{
	struct arh_mime *id;
	size_t bytes = ARH_IDENT_BYTES;

	*out = NULL;
	if ((id = calloc(1, sizeof(*id))) == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	/* MAGIC_MIME gives "type; charset=x" in one pass; never look inside
	 * compressed data (no decompressors run on untrusted content).  Every
	 * other check stays on over the whole block, in one call: the text
	 * rules are regular expressions over up to 8 KiB (MAGIC_PARAM_REGEX_MAX)
	 * or a rule's number of lines, and run after the binary ones on the
	 * NUL-trimmed block, so a text pass over a shorter prefix or a binary
	 * pass first records other types than libmagic (tests/unit/test_mime.c)
	 * and saves little: a binary pass alone is the whole cost of binary
	 * formats, and the regular expressions are most of plain text's. */
	id->cookie = magic_open(MAGIC_MIME | MAGIC_ERROR | MAGIC_NO_CHECK_COMPRESS);
	if (id->cookie == NULL || magic_load(id->cookie, NULL) != 0) {
		arh_errf(err, ARH_EIO, "cannot load the libmagic database: %s",
		    id->cookie ? magic_error(id->cookie) : "magic_open failed");
		arh_mime_free(id);
		return ARH_EIO;
	}
	magic_setparam(id->cookie, MAGIC_PARAM_BYTES_MAX, &bytes);
	*out = id;
	return 0;
}

void
arh_mime_free(struct arh_mime *id)
{
	if (id == NULL)
		return;
	if (id->cookie != NULL)
		magic_close(id->cookie);
	free(id);
}

int
arh_mime_buffer(struct arh_mime *id, const void *buf, size_t len,
    char **mime, char **charset)
{
	const char *r, *semi, *cs;

	*mime = *charset = NULL;
	if (len > ARH_IDENT_BYTES)
		len = ARH_IDENT_BYTES;
	r = magic_buffer(id->cookie, buf, len);
	if (r == NULL)
		r = "application/octet-stream; charset=binary";
	semi = strchr(r, ';');
	*mime = semi ? strndup(r, (size_t)(semi - r)) : strdup(r);
	cs = semi ? strstr(semi, "charset=") : NULL;
	*charset = strdup(cs ? cs + strlen("charset=") : "binary");
	if (*mime == NULL || *charset == NULL) {
		free(*mime);
		free(*charset);
		*mime = *charset = NULL;
		return ARH_ENOMEM;
	}
	return 0;
}

void
arh_mime_version(char out[16])
{
	int n = magic_version();

	snprintf(out, 16, "%d.%02d", n / 100, n % 100);
}
