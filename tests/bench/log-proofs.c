/*
 * log-proofs.c — times inclusion and consistency proofs in a home's log,
 * in process (a whole `arhiivar log prove` is mostly process start).
 * Built and run by tests/bench/log.sh against libarhiivar.a.
 *
 * usage: log-proofs CATALOG.db N
 * Prints "inclusion MEDIAN_US MAX_US" and "consistency MEDIAN_US MAX_US"
 * over N proofs each at pseudo-random indices and sizes, every proof
 * checked against the root it leads to.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "arhiivar/catalog.h"
#include "arhiivar/merkle.h"

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
report(const char *what, double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	printf("%s %.1f %.1f\n", what, v[n / 2], v[n - 1]);
}

int
main(int argc, char **argv)
{
	struct arh_catalog *c;
	struct arh_merkle_proof p;
	struct arh_log_leaf leaf;
	struct arh_err err;
	unsigned char root[32], old[32], lh[32];
	uint64_t size, i, m;
	double *t, t0;
	int n, k;

	if (argc != 3 || (n = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: log-proofs CATALOG.db N\n");
		return 2;
	}
	if ((t = calloc((size_t)n, sizeof(*t))) == NULL ||
	    arh_catalog_open(argv[1], 10000, &c, &err) != 0 ||
	    arh_catalog_log_size(c, &size, &err) != 0 || size < 2 ||
	    arh_catalog_log_root(c, size, root, &err) != 0) {
		fprintf(stderr, "log-proofs: %s\n", err.msg);
		return 1;
	}
	srand(1);
	for (k = 0; k < n; k++) {
		i = ((uint64_t)rand() * RAND_MAX + (uint64_t)rand()) % size;
		if (arh_catalog_log_leaf(c, i, &leaf, &err) != 0 ||
		    arh_merkle_leaf_hash(leaf.entry, leaf.len, lh, &err) != 0)
			goto fail;
		arh_log_leaf_release(&leaf);
		t0 = now_us();
		if (arh_catalog_log_inclusion(c, i, size, &p, &err) != 0)
			goto fail;
		t[k] = now_us() - t0;
		if (arh_merkle_verify_inclusion(i, size, lh, &p, root, &err) != 0)
			goto fail;
	}
	report("inclusion", t, n);
	for (k = 0; k < n; k++) {
		m = 1 + ((uint64_t)rand() * RAND_MAX + (uint64_t)rand()) %
		    (size - 1);
		if (arh_catalog_log_root(c, m, old, &err) != 0)
			goto fail;
		t0 = now_us();
		if (arh_catalog_log_consistency(c, m, size, &p, &err) != 0)
			goto fail;
		t[k] = now_us() - t0;
		if (arh_merkle_verify_consistency(m, size, old, root, &p,
		    &err) != 0)
			goto fail;
	}
	report("consistency", t, n);
	arh_catalog_free(c);
	free(t);
	return 0;
fail:
	fprintf(stderr, "log-proofs: %s\n", err.msg);
	return 1;
}
