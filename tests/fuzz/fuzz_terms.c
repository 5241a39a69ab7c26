/*
 * fuzz_terms.c — libFuzzer target for arh_terms_parse() and the checks.
 *
 * Besides "no crash, no leak" it checks: a rejection always says why and
 * every problem names the file; an accepted table finds each basis, and the
 * term and extension checks give a decision and a reason for each, also
 * with the input itself as the basis of a restriction.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arhiivar/terms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
decide(const struct arh_terms *t, char *basis)
{
	struct arh_access a = { 1, basis, (char *)"2024-02-29",
	    (char *)"2029-02-28", NULL, NULL };
	char why[256];
	int r;

	r = arh_terms_check(t, &a, "2024-02-29", NULL, "1950-06-30", why,
	    sizeof(why));
	if ((r != 0 && r != ARH_EINVAL) || why[0] == '\0')
		abort();
	r = arh_terms_extend_check(t, &a, "2034-02-28", 0, why, sizeof(why));
	if ((r != 0 && r != ARH_EINVAL) || why[0] == '\0')
		abort();
}

static void
check_terms(const struct arh_terms *t, const uint8_t *data, size_t size)
{
	char *s;
	size_t i;

	for (i = 0; i < t->nrows; i++) {
		if (arh_terms_find(t, t->rows[i].basis) != &t->rows[i])
			abort();
		decide(t, t->rows[i].basis);
	}
	if ((s = malloc(size + 1)) == NULL)
		return;
	memcpy(s, data, size);
	s[size] = '\0';
	decide(t, s);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arh_terms *t = NULL;
	struct arh_problems probs;
	size_t i;
	int r;

	arh_problems_init(&probs);
	r = arh_terms_parse("fuzz.csv", (const char *)data, size, &t, &probs);
	if (r == 0)
		check_terms(t, data, size);
	else if (r != ARH_EINVAL || probs.n == 0 || t != NULL)
		abort();
	for (i = 0; i < probs.n; i++)
		if (strncmp(probs.items[i], "fuzz.csv:", 9) != 0)
			abort();
	arh_terms_free(t);
	arh_problems_release(&probs);
	return 0;
}
