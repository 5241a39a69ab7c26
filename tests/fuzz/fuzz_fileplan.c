/*
 * fuzz_fileplan.c — libFuzzer target for arh_fileplan_parse().
 *
 * Besides "no crash, no leak" it checks: a rejection always says why, every
 * problem names the file; an accepted plan finds each of its series, yields
 * a retention decision for each, and survives the catalog's JSON round trip
 * with the same version and no differences.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arhiivar/fileplan.h"
#include "arhiivar/retention.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
no_diff(void *arg, enum arh_fileplan_change what,
    const struct arh_fileplan_row *before, const struct arh_fileplan_row *after,
    const char *const *fields, size_t nfields)
{
	(void)arg, (void)what, (void)before, (void)after, (void)fields;
	(void)nfields;
	abort();		/* a round trip must not change anything */
}

static void
check_plan(const struct arh_fileplan *plan)
{
	struct arh_fileplan *back = NULL;
	struct arh_retention r;
	char v1[65], v2[65], *json;
	size_t i;

	for (i = 0; i < plan->nrows; i++) {
		if (arh_fileplan_find(plan, plan->rows[i].series_code) !=
		    &plan->rows[i])
			abort();
		if (arh_retention_compute(&plan->rows[i], "2024-01-01",
		    "2024-02-29", &r) != 0 || r.rule[0] == '\0')
			abort();
		(void)arh_fileplan_valid_on(&plan->rows[i], "2024-12-31");
	}
	if (arh_fileplan_version(plan, v1) != 0)
		abort();
	if ((json = arh_fileplan_to_json(plan)) == NULL)
		abort();
	if (arh_fileplan_from_json("fuzz.json", json, strlen(json), &back,
	    NULL) != 0)
		abort();	/* our own output must read back */
	if (arh_fileplan_version(back, v2) != 0 || strcmp(v1, v2) != 0)
		abort();
	(void)arh_fileplan_diff(plan, back, no_diff, NULL);
	free(json);
	arh_fileplan_free(back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arh_fileplan *plan = NULL;
	struct arh_problems probs;
	size_t i;
	int r;

	arh_problems_init(&probs);
	r = arh_fileplan_parse("fuzz.csv", (const char *)data, size, &plan,
	    &probs);
	if (r == 0)
		check_plan(plan);
	else if (r != ARH_EINVAL || probs.n == 0 || plan != NULL)
		abort();	/* a rejection says why and returns nothing */
	for (i = 0; i < probs.n; i++)
		if (strncmp(probs.items[i], "fuzz.csv:", 9) != 0)
			abort();	/* every problem names the file */
	arh_fileplan_free(plan);
	arh_problems_release(&probs);
	return 0;
}
