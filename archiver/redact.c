/* redact.c — carry out the view decision on text that names files. */
#include <stdlib.h>
#include <string.h>

#include "arhiivar/input.h"
#include "arhiivar/redact.h"

void
arh_redact_init(struct arh_redact *r)
{
	memset(r, 0, sizeof(*r));
}

void
arh_redact_release(struct arh_redact *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->v[i].dir);
		free(r->v[i].ref);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static int
add(struct arh_redact *r, const char *dir, const char *ref)
{
	struct arh_redact_folder *v;
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->v[i].dir, dir) == 0)
			return 0;
	if (r->n == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 8;
		if ((v = realloc(r->v, ncap * sizeof(*v))) == NULL)
			return ARH_ENOMEM;
		r->v = v;
		r->cap = ncap;
	}
	if ((r->v[r->n].dir = strdup(dir)) == NULL ||
	    (r->v[r->n].ref = strdup(ref)) == NULL) {
		free(r->v[r->n].dir);
		return ARH_ENOMEM;
	}
	r->n++;
	return 0;
}

int
arh_redact_consider(struct arh_redact *r, const struct arh_redact_caller *who,
    const char *dir, const json_t *meta)
{
	struct arh_view_decision v;
	const char *ref = json_string_value(json_object_get(meta, "reference"));

	if (dir == NULL || *dir == '\0')
		return 0;
	arh_policy_view(meta, who->roles, who->nroles, who->entitled,
	    who->nentitled, who->today, &v);
	if (v.view != ARH_VIEW_PUBLIC)
		return 0;
	/* A record without a valid reference is named by nothing. */
	return add(r, dir, ref != NULL && arh_reference_valid(ref) ? ref :
	    "(unnamed)");
}

int
arh_redact_from_manifest(struct arh_redact *r,
    const struct arh_redact_caller *who, const json_t *manifest)
{
	const json_t *rec;
	size_t i;
	int rc;

	json_array_foreach(json_object_get(manifest, "records"), i, rec)
		if ((rc = arh_redact_consider(r, who, json_string_value(
		    json_object_get(rec, "dir")), json_object_get(rec,
		    "metadata"))) != 0)
			return rc;
	return 0;
}

/* The catalog knows a record's folder by the paths of its files. */
struct from_cat {
	json_t	*dirs;		/* reference -> folder */
	json_t	*metas;		/* reference -> metadata */
};

static int
file_dir(void *arg, const struct arh_file_row *row)
{
	struct from_cat *fc = arg;
	const char *p, *slash;
	json_t *d;

	if (row->record == NULL || strncmp(row->path, "data/", 5) != 0 ||
	    json_object_get(fc->dirs, row->record) != NULL)
		return 0;
	p = row->path + 5;
	if ((slash = strchr(p, '/')) == NULL)
		return 0;
	if ((d = json_stringn(p, (size_t)(slash - p))) == NULL ||
	    json_object_set_new(fc->dirs, row->record, d) != 0)
		return ARH_ENOMEM;
	return 0;
}

static int
record_meta(void *arg, const json_t *meta)
{
	struct from_cat *fc = arg;
	const char *ref = json_string_value(json_object_get(meta, "reference"));

	if (ref == NULL)
		return 0;
	return json_object_set(fc->metas, ref, (json_t *)meta) != 0 ?
	    ARH_ENOMEM : 0;
}

int
arh_redact_from_catalog(struct arh_redact *r,
    const struct arh_redact_caller *who, struct arh_catalog *cat,
    const char *archive, struct arh_err *err)
{
	struct from_cat fc = { json_object(), json_object() };
	const char *ref;
	json_t *meta;
	int rc = ARH_ENOMEM;

	if (fc.dirs == NULL || fc.metas == NULL) {
		rc = arh_errf(err, rc, "out of memory");
		goto out;
	}
	if ((rc = arh_catalog_files(cat, archive, file_dir, &fc, err)) != 0 ||
	    (rc = arh_catalog_records(cat, archive, record_meta, &fc,
	    err)) != 0)
		goto out;
	json_object_foreach(fc.metas, ref, meta)
		if ((rc = arh_redact_consider(r, who, json_string_value(
		    json_object_get(fc.dirs, ref)), meta)) != 0) {
			rc = arh_errf(err, rc, "out of memory");
			goto out;
		}
	rc = 0;
out:
	json_decref(fc.dirs);
	json_decref(fc.metas);
	return rc;
}

/* s starts with dir followed by '/' or its end. */
static int
in_folder(const char *s, const char *dir)
{
	size_t l = strlen(dir);

	return strncmp(s, dir, l) == 0 && (s[l] == '/' || s[l] == '\0');
}

const struct arh_redact_folder *
arh_redact_match(const struct arh_redact *r, const char *s, int anywhere)
{
	const char *p;
	size_t i, l;

	if (s == NULL)
		return NULL;
	for (i = 0; i < r->n; i++) {
		p = strncmp(s, "data/", 5) == 0 ? s + 5 : s;
		if (in_folder(p, r->v[i].dir))
			return &r->v[i];
		if (!anywhere)
			continue;
		l = strlen(r->v[i].dir);
		for (p = strstr(s, r->v[i].dir); p != NULL;
		    p = strstr(p + 1, r->v[i].dir))
			if (p[l] == '/' || p[l] == '\'' || p[l] == '\0')
				return &r->v[i];
	}
	return NULL;
}

static char *
record_name(const struct arh_redact_folder *f)
{
	char *s = NULL;

	return asprintf(&s, "record %s", f->ref) < 0 ? NULL : s;
}

static char *
withheld(const struct arh_redact_folder *f)
{
	char *s = NULL;

	return asprintf(&s, "(withheld: it names a file of record %s)",
	    f->ref) < 0 ? NULL : s;
}

static int
swap(char **dst, char *s)
{
	if (s == NULL)
		return ARH_ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

int
arh_redact_report(const struct arh_redact *r, int all,
    struct arh_verify_report *rep)
{
	const struct arh_redact_folder *f;
	struct arh_finding *it;
	size_t i;
	int rc;

	for (i = 0; i < rep->n; i++) {
		it = &rep->items[i];
		if (all) {
			if (strncmp(it->member, "data/", 5) == 0 &&
			    (rc = swap(&it->member, strdup("a payload file"))) !=
			    0)
				return rc;
			if (strstr(it->message, "data/") != NULL &&
			    (rc = swap(&it->message, strdup("(withheld: it "
			    "names a payload file, and the archive's records "
			    "could not be read)"))) != 0)
				return rc;
			continue;
		}
		if ((f = arh_redact_match(r, it->member, 0)) != NULL &&
		    (rc = swap(&it->member, record_name(f))) != 0)
			return rc;
		if ((f = arh_redact_match(r, it->message, 1)) != NULL &&
		    (rc = swap(&it->message, withheld(f))) != 0)
			return rc;
	}
	return 0;
}

void
arh_redact_event_release(struct arh_redacted_event *e)
{
	free(e->target);
	free(e->detail);
	memset(e, 0, sizeof(*e));
}

int
arh_redact_event(const struct arh_redact *r, const struct arh_event *ev,
    struct arh_redacted_event *out)
{
	const struct arh_redact_folder *f;

	memset(out, 0, sizeof(*out));
	out->ev = *ev;
	if ((f = arh_redact_match(r, ev->target, 1)) != NULL) {
		if ((out->target = record_name(f)) == NULL)
			goto fail;
		out->ev.target = out->target;
	}
	/* What an event says of a withheld file is withheld with it. */
	if ((f = arh_redact_match(r, ev->target, 1)) != NULL ||
	    (f = arh_redact_match(r, ev->detail, 1)) != NULL) {
		if ((out->detail = withheld(f)) == NULL)
			goto fail;
		out->ev.detail = out->detail;
	}
	return 0;
fail:
	arh_redact_event_release(out);
	return ARH_ENOMEM;
}
