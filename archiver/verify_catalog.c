/* verify_catalog.c — a verified archive against what ingest recorded. */
#include <stdlib.h>
#include <string.h>

#include "arhiivar/log.h"
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

/*
 * The log layer: the archive's digests must be the ones its ingest leaf
 * logged, and that leaf must be in the tree the newest checkpoint signs
 * (a leaf newer than every checkpoint is checked at the next one).  So an
 * archive swapped in the store and re-sealed with a stolen seal key, or
 * a catalog row changed to match it, is caught.
 */
static int
verify_log(struct arh_catalog *cat, const char *name,
    struct arh_verify_report *rep, struct arh_err *err)
{
	struct arh_log_leaf leaf = { 0, 0, NULL, 0 };
	struct arh_log_proven res;
	struct arh_err e;
	char want[140], *proof = NULL, *origin = NULL, *vkey = NULL;
	const char *tag = NULL;
	size_t i, len;
	int rc;

	for (i = 0; i < rep->sum.nmembers; i++)
		if (strcmp(rep->sum.members[i].path,
		    "tagmanifest-sha512.txt") == 0)
			tag = rep->sum.members[i].sha512;
	if ((rc = arh_catalog_log_leaf_of_archive(cat, name, &leaf, err)) ==
	    ARH_ENOTFOUND) {
		arh_err_clear(err);
		return arh_finding(rep, "log", "", "the log has no ingest leaf "
		    "for this archive");
	}
	if (rc != 0)
		return rc;
	if (arh_log_entry_field(leaf.entry, leaf.len, "tar-sha256", want,
	    sizeof(want)) != 0 || strcmp(want, rep->sum.tar_sha256) != 0) {
		rc = arh_finding(rep, "log", "", "the archive file is not the "
		    "one logged at ingest (leaf %llu)",
		    (unsigned long long)leaf.index);
		goto out;
	}
	if (arh_log_entry_field(leaf.entry, leaf.len, "tagmanifest-sha512",
	    want, sizeof(want)) != 0 || tag == NULL || strcmp(want, tag) != 0) {
		rc = arh_finding(rep, "log", "tagmanifest-sha512.txt", "is not "
		    "the one logged at ingest (leaf %llu)",
		    (unsigned long long)leaf.index);
		goto out;
	}
	arh_err_clear(&e);
	rc = arh_log_prove(cat, name, 0, &proof, &len, &e);
	if (rc == ARH_ENOTFOUND) {	/* not yet under a checkpoint */
		rc = 0;
		goto out;
	}
	if (rc == 0 && (rc = arh_catalog_log_key(cat, &origin, &vkey, &e)) ==
	    0)
		rc = arh_log_check_proof(proof, len, vkey, leaf.entry, leaf.len,
		    &res, &e);
	if (rc == ARH_EVERIFY || rc == ARH_EFORMAT)
		rc = arh_finding(rep, "log", "", "leaf %llu is not in the tree "
		    "the newest checkpoint signs: %s",
		    (unsigned long long)leaf.index, e.msg);
	else if (rc != 0)
		rc = arh_errf(err, rc, "%s", e.msg);
out:
	arh_log_leaf_release(&leaf);
	free(proof);
	free(origin);
	free(vkey);
	return rc;
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
	if (c.matched != rep->sum.nmembers &&
	    (rc = arh_finding(rep, "catalog", "", "the archive has %zu "
	    "files, the catalog %zu", rep->sum.nmembers, c.matched)) != 0)
		return rc;
	return verify_log(cat, name, rep, err);
}
