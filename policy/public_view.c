/*
 * public_view.c — the part of a record's metadata anyone may see.
 *
 * An allow-list, never a deny-list: a key added to record.json later stays
 * private until someone decides here that it is public.  Only string values
 * are copied, so nothing can ride along inside an object or array.
 */
#include <stdio.h>
#include <stdlib.h>
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

/* Every occurrence of name in s replaced by repl; NULL on ENOMEM. */
static json_t *
replaced(const char *s, const char *name, const char *repl)
{
	size_t nl = strlen(name), rl = strlen(repl), cap = strlen(s) + 1, o = 0;
	const char *p;
	char *buf, *nb;
	json_t *j;

	if ((buf = malloc(cap)) == NULL)
		return NULL;
	while ((p = strstr(s, name)) != NULL) {
		if (o + (size_t)(p - s) + rl + strlen(p + nl) + 1 > cap) {
			cap = o + (size_t)(p - s) + rl + strlen(p + nl) + 1;
			if ((nb = realloc(buf, cap)) == NULL) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
		memcpy(buf + o, s, (size_t)(p - s));
		o += (size_t)(p - s);
		memcpy(buf + o, repl, rl);
		o += rl;
		s = p + nl;
	}
	memcpy(buf + o, s, strlen(s) + 1);
	j = json_string(buf);
	free(buf);
	return j;
}

/* Replace name in every string inside v (objects and arrays, in place). */
static int
scrub(json_t *v, const char *name, const char *repl)
{
	const char *key;
	json_t *x, *r;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach(v, key, x) {
			if (json_is_string(x) && strstr(json_string_value(x),
			    name) != NULL) {
				if ((r = replaced(json_string_value(x), name,
				    repl)) == NULL || json_object_set_new(v, key,
				    r) != 0)
					return -1;
			} else if (scrub(x, name, repl) != 0)
				return -1;
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x) {
			if (json_is_string(x) && strstr(json_string_value(x),
			    name) != NULL) {
				if ((r = replaced(json_string_value(x), name,
				    repl)) == NULL || json_array_set_new(v, i,
				    r) != 0)
					return -1;
			} else if (scrub(x, name, repl) != 0)
				return -1;
		}
	}
	return 0;
}

json_t *
arh_person_view(const json_t *record)
{
	const char *name;
	char ini[256];
	json_t *out;

	if ((out = json_deep_copy(record)) == NULL)
		return NULL;
	name = json_string_value(json_object_get(record, "correspondent"));
	if (!json_is_true(json_object_get(record, "private_person")) ||
	    name == NULL || *name == '\0')
		return out;
	if (arh_initials(name, ini, sizeof(ini)) != 0)
		snprintf(ini, sizeof(ini), "(private person)");
	if (scrub(out, name, ini) != 0) {
		json_decref(out);
		return NULL;
	}
	return out;
}
