/* verify_catalog.c — a verified archive against what ingest recorded. */
#include <stdlib.h>
#include <string.h>

#include "arhiivar/verify.h"
#include "bag_read.h"

struct cmp {
	struct arh_verify_report *rep;
	size_t	 matched;
	size_t	 next;		/* where the next member is expected */
};

/*
 * Catalogued files come in tar order, as members do, so the next one is
 * almost always where the last left off: look there first.
 */
static struct arh_member *
find_member(struct cmp *c, const char *path)
{
	struct arh_bag_summary *s = &c->rep->sum;
	size_t i, k;

	for (k = 0; k < s->nmembers; k++) {
		i = (c->next + k) % s->nmembers;
		if (strcmp(s->members[i].path, path) == 0) {
			c->next = i + 1;
			return &s->members[i];
		}
	}
	return NULL;
}

static int
compare_file(void *arg, const struct arh_file_row *f)
{
	struct cmp *c = arg;
	struct arh_member *m = find_member(c, f->path);

	if (m == NULL)
		return arh_finding(c->rep, "catalog", f->path, "catalogued at "
		    "ingest but not in the archive");
	c->matched++;
	if (m->size != f->size || strcmp(m->sha512, f->sha512) != 0 ||
	    strcmp(m->sha256, f->sha256) != 0)
		return arh_finding(c->rep, "catalog", f->path, "differs from "
		    "the size and digests recorded at ingest");
	if (m->header_offset != f->header_offset)
		return arh_finding(c->rep, "catalog", f->path, "is at offset "
		    "%lld, the catalog says %lld", (long long)m->header_offset,
		    (long long)f->header_offset);
	return 0;
}

int
arh_verify_catalog(struct arh_catalog *cat, const char *name,
    struct arh_verify_report *rep, struct arh_err *err)
{
	struct arh_archive_row row;
	struct cmp c = { rep, 0, 0 };
	int rc;

	if ((rc = arh_catalog_get(cat, name, &row, err)) != 0)
		return rc;
	if (strcmp(row.sha256, rep->sum.tar_sha256) != 0 ||
	    (uint64_t)row.size != rep->sum.tar_size)
		if ((rc = arh_finding(rep, "catalog", "", "the archive file "
		    "differs from the one catalogued at ingest (SHA-256 %s, "
		    "catalogued %s)", rep->sum.tar_sha256, row.sha256)) != 0)
			return rc;
	if ((rc = arh_catalog_files(cat, name, compare_file, &c, err)) != 0)
		return rc;
	if (c.matched != rep->sum.nmembers)
		return arh_finding(rep, "catalog", "", "the archive has %zu "
		    "files, the catalog %zu", rep->sum.nmembers, c.matched);
	return 0;
}
