/*
 * public_view.c — the part of a record's metadata anyone may see.
 *
 * An allow-list, never a deny-list: a key added to record.json later stays
 * private until someone decides here that it is public.  Only string values
 * are copied, so nothing can ride along inside an object or array.
 */
#include <string.h>

#include "arhiivar/policy.h"

/* Copy record[key] to out if it is a string; 0, or -1 on allocation failure. */
static int
copy_string(json_t *out, const json_t *from, const char *key)
{
	const json_t *v = json_object_get(from, key);
	json_t *s;

	if (!json_is_string(v))
		return 0;
	if ((s = json_stringn(json_string_value(v), json_string_length(v))) ==
	    NULL)
		return -1;
	return json_object_set_new(out, key, s);
}

/* access {level, basis, end}; a public record shows its level only. */
static int
copy_access(json_t *out, const json_t *acc)
{
	const char *level;
	json_t *a;

	if (!json_is_object(acc))
		return 0;
	if ((a = json_object()) == NULL)
		return -1;
	if (copy_string(a, acc, "level") != 0)
		goto fail;
	level = json_string_value(json_object_get(acc, "level"));
	if ((level == NULL || strcmp(level, "public") != 0) &&
	    (copy_string(a, acc, "basis") != 0 ||
	    copy_string(a, acc, "end") != 0))
		goto fail;
	return json_object_set_new(out, "access", a);
fail:
	json_decref(a);
	return -1;
}

json_t *
arh_public_view(const json_t *record)
{
	static const char *const keep[] = { "reference", "registered", "type" };
	json_t *out;
	size_t i;

	if ((out = json_object()) == NULL)
		return NULL;
	if (!json_is_object(record))
		return out;
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (copy_string(out, record, keep[i]) != 0)
			goto fail;
	if (copy_access(out, json_object_get(record, "access")) != 0)
		goto fail;
	return out;
fail:
	json_decref(out);
	return NULL;
}
