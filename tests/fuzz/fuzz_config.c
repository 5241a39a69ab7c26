/*
 * fuzz_config.c — libFuzzer target for arh_config_parse().
 *
 * Besides "no crash, no leak" it checks one property: whatever parses
 * formats to text that parses again to the same text (unless a formatted
 * line outgrew the line limit, which the home prefix can cause).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arhiivar/config.h"

#define HOME		"/var/lib/arhiivar"
#define LINE_LIMIT	197

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
lines_fit(const char *s)
{
	size_t n;

	for (; *s != '\0'; s += n + (s[n] == '\n')) {
		n = strcspn(s, "\n");
		if (n > LINE_LIMIT)
			return 0;
	}
	return 1;
}

static void
check_round_trip(const struct arh_config *c)
{
	struct arh_config *c2 = NULL;
	struct arh_problems probs;
	struct arh_err err;
	char *a, *b = NULL;

	if ((a = arh_config_format(c)) == NULL)
		return;
	arh_problems_init(&probs);
	if (lines_fit(a)) {
		if (arh_config_parse("fuzz.conf", a, strlen(a), HOME, &c2,
		    &probs, &err) != 0)
			abort();	/* our own output must read back */
		if ((b = arh_config_format(c2)) == NULL)
			abort();
		if (strcmp(a, b) != 0)
			abort();
	}
	free(a);
	free(b);
	arh_config_free(c2);
	arh_problems_release(&probs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arh_config *c = NULL;
	struct arh_problems probs;
	struct arh_err err;
	size_t i;

	arh_problems_init(&probs);
	if (arh_config_parse("fuzz.conf", (const char *)data, size, HOME, &c,
	    &probs, &err) == 0)
		check_round_trip(c);
	else if (probs.n == 0 && err.code == ARH_ECONFIG &&
	    strstr(err.msg, "too large") == NULL)
		abort();	/* a rejection must say why */
	for (i = 0; i < probs.n; i++)
		if (strncmp(probs.items[i], "fuzz.conf:", 10) != 0)
			abort();	/* every problem names file and line */
	arh_config_free(c);
	arh_problems_release(&probs);
	return 0;
}
