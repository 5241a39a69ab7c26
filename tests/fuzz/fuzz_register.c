/*
 * fuzz_register.c — libFuzzer target for arh_register_parse().  Besides
 * crashes and leaks it checks the contract: 0 exactly when no problem was
 * added; a success gives a record.json that arh_record_parse_meta()
 * accepts and a text that is the input's tail, byte for byte.
 */
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arhiivar/input.h"
#include "arhiivar/register.h"

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

/* The record.json made must load as a record. */
static void
round_trip(const json_t *rec)
{
	struct arh_problems probs;
	struct arh_record r;
	char *js = json_dumps(rec, JSON_INDENT(2) | JSON_SORT_KEYS);

	if (js == NULL)
		return;
	memset(&r, 0, sizeof(r));
	arh_problems_init(&probs);
	if (arh_record_parse_meta(&r, "record.json", js, strlen(js),
	    &probs) != 0)
		abort();
	arh_record_release(&r);
	arh_problems_release(&probs);
	free(js);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arh_register_entry e;
	struct arh_problems probs;
	int rc;

	arh_problems_init(&probs);
	rc = arh_register_parse("entry.txt", (const char *)data, size, &e,
	    &probs);
	if ((rc == ARH_EINVAL) != (probs.n > 0))
		abort();
	if (rc != 0 && (e.record != NULL || e.text != NULL))
		abort();
	if (rc == 0) {
		round_trip(e.record);
		if (e.textlen > size || (e.textlen == 0) != (e.text == NULL) ||
		    (e.textlen > 0 && memcmp(e.text, data + size - e.textlen,
		    e.textlen) != 0))
			abort();
	}
	arh_register_entry_release(&e);
	arh_problems_release(&probs);
	return 0;
}
