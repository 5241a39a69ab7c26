/*
 * fuzz_case_meta.c — libFuzzer target for arh_case_parse_meta() and
 * arh_record_parse_meta() (each input is tried as both), plus
 * arh_name_check() on the input's first bytes.  Besides crashes and leaks
 * it checks the contract: 0 exactly when no problem was added, and a
 * success leaves every required field filled and valid.
 */
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unistr.h>

#include "arhiivar/input.h"
#include "arhiivar/policy.h"

#define TODAY	"2026-11-28"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setlocale(LC_CTYPE, "C.UTF-8");
	return 0;
}

static void
check_case(const char *buf, size_t len)
{
	struct arh_problems probs;
	struct arh_case *c = calloc(1, sizeof(*c));
	int rc;

	if (c == NULL)
		return;
	arh_problems_init(&probs);
	rc = arh_case_parse_meta(c, "case.json", buf, len, TODAY, &probs);
	if (rc != 0 && rc != ARH_EINVAL && rc != ARH_ENOMEM)
		abort();
	if ((rc == ARH_EINVAL) != (probs.n > 0))
		abort();
	if (rc == 0 && (!arh_reference_valid(c->reference) ||
	    c->function_code == NULL || c->series_code == NULL ||
	    (c->organisation != NULL && *c->organisation == '\0') ||
	    !arh_date_valid(c->opened) ||
	    !arh_date_valid(c->closed) || strcmp(c->opened, c->closed) > 0 ||
	    strcmp(c->closed, TODAY) > 0 || c->year < 1900 || c->meta == NULL))
		abort();
	arh_case_free(c);
	arh_problems_release(&probs);
}

/*
 * The projections of an accepted record: the public view has no
 * correspondent or title; the initials view of a private person keeps the
 * name in no string (when the name has initials) and is valid UTF-8.
 */
static void
check_views(const json_t *meta)
{
	const char *name = json_string_value(json_object_get(meta,
	    "correspondent"));
	char ini[256], *dump;
	json_t *v;

	if ((v = arh_public_view(meta)) == NULL)
		return;
	if (json_object_get(v, "correspondent") != NULL ||
	    json_object_get(v, "title") != NULL)
		abort();
	json_decref(v);
	if ((v = arh_person_view(meta)) == NULL)
		return;
	if ((dump = json_dumps(v, JSON_ENCODE_ANY)) == NULL)
		abort();
	if (json_is_true(json_object_get(meta, "private_person")) &&
	    name != NULL && *name != '\0' &&
	    arh_initials(name, ini, sizeof(ini)) == 0 &&
	    strstr(ini, name) == NULL && strstr(dump, name) != NULL)
		abort();
	free(dump);
	json_decref(v);
}

static void
check_record(const char *buf, size_t len)
{
	struct arh_problems probs;
	struct arh_record r;
	int rc;

	memset(&r, 0, sizeof(r));
	arh_problems_init(&probs);
	rc = arh_record_parse_meta(&r, "r/record.json", buf, len, &probs);
	if ((rc == ARH_EINVAL) != (probs.n > 0))
		abort();
	if (rc == 0 && (!arh_reference_valid(r.reference) ||
	    !arh_date_valid(r.registered) || r.type == NULL ||
	    r.meta == NULL))
		abort();
	if (rc == 0 && r.access.internal && (r.access.basis == NULL ||
	    !arh_date_valid(r.access.start) || !arh_date_valid(r.access.end) ||
	    strcmp(r.access.start, r.access.end) > 0))
		abort();
	if (rc == 0)
		check_views(r.meta);
	arh_record_release(&r);
	arh_problems_release(&probs);
}

static void
check_name(const uint8_t *data, size_t size)
{
	char name[300], *nfc = NULL;
	const char *why;
	size_t n = size < sizeof(name) - 1 ? size : sizeof(name) - 1;

	memcpy(name, data, n);
	name[n] = '\0';
	if (arh_name_check(name, &nfc, &why) == 0) {
		if (nfc == NULL || strlen(nfc) > ARH_MAX_NAME ||
		    u8_check((const uint8_t *)nfc, strlen(nfc)) != NULL ||
		    strchr(nfc, '/') != NULL || strchr(nfc, '%') != NULL)
			abort();
	} else if (nfc != NULL || why == NULL) {
		abort();
	}
	free(nfc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_case((const char *)data, size);
	check_record((const char *)data, size);
	check_name(data, size);
	return 0;
}
