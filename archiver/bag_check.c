/*
 * bag_check.c — the checks that follow the stream: duplicates, bagit.txt,
 * both manifests against the payload digests, Payload-Oxum, both tag
 * manifests, the manifest index, the seal and metadata/case.json.  Every failure becomes a
 * finding naming its layer and member; nothing stops at the first.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "arhiivar/seal.h"
#include "bag_read.h"
#include "manifest_index.h"
#include "util.h"

/* Payload members sorted by path, for lookups by manifest lines. */
struct index {
	struct arh_member **v;
	size_t		    n;
};

static int
memcmp_path(const void *a, const void *b)
{
	const struct arh_member *const *x = a, *const *y = b;

	return strcmp((*x)->path, (*y)->path);
}

static int
build_index(struct arh_bag_summary *s, int payload, struct index *ix)
{
	size_t i;

	ix->n = 0;
	if ((ix->v = calloc(s->nmembers + 1, sizeof(*ix->v))) == NULL)
		return ARH_ENOMEM;
	for (i = 0; i < s->nmembers; i++)
		if (s->members[i].payload == payload)
			ix->v[ix->n++] = &s->members[i];
	qsort(ix->v, ix->n, sizeof(*ix->v), memcmp_path);
	return 0;
}

static struct arh_member *
lookup(const struct index *ix, const char *path, size_t *pos)
{
	size_t lo = 0, hi = ix->n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(path, ix->v[mid]->path);
		if (c == 0) {
			*pos = mid;
			return ix->v[mid];
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static int
check_duplicates(struct reader *rd, const struct index *ix)
{
	size_t i;
	int rc;

	for (i = 1; i < ix->n; i++)
		if (strcmp(ix->v[i - 1]->path, ix->v[i]->path) == 0 &&
		    (rc = arh_finding(rd->rep, "structure", ix->v[i]->path,
		    "duplicate member")) != 0)
			return rc;
	return 0;
}

/*
 * Parse one manifest line in place: exactly the writer's "<lower-case hex
 * digest>  <path>" (two spaces; every path starts with "data/" or is a tag
 * file, so it never starts with a space).  Returns NULL, or why the line
 * is not one.
 */
static const char *
parse_line(char *line, size_t hexlen, char **digest, char **path)
{
	size_t i;

	for (i = 0; i < hexlen; i++)
		if (!((line[i] >= '0' && line[i] <= '9') ||
		    (line[i] >= 'a' && line[i] <= 'f')))
			return "does not start with a lower-case hex "
			    "digest";
	if (line[hexlen] != ' ' || line[hexlen + 1] != ' ' ||
	    line[hexlen + 2] == ' ' || line[hexlen + 2] == '\t' ||
	    line[hexlen + 2] == '\0')
		return "does not separate digest and path by exactly two "
		    "spaces";
	line[hexlen] = '\0';
	*digest = line;
	*path = line + hexlen + 2;
	return NULL;
}

/*
 * Check one manifest (payload or tag) against the members in ix.  Every
 * line must name a member with that digest; with `complete`, every member
 * of ix must have a line.
 */
static int
check_manifest(struct reader *rd, const char *name, const char *text,
    int sha512, const struct index *ix, int complete, const char *layer)
{
	size_t hexlen = sha512 ? 128 : 64, pos, lineno = 0, i;
	char *buf, *line, *next, *digest, *path;
	const char *why;
	unsigned char *seen;
	struct arh_member *m;
	int rc = 0;

	/* One finding, not one a line and every file "not listed". */
	if (strchr(text, '\r') != NULL)
		return arh_finding(rd->rep, "structure", name, "has CR LF "
		    "line ends; lines of the format end in LF alone");
	if (*text != '\0' && text[strlen(text) - 1] != '\n' &&
	    (rc = arh_finding(rd->rep, "structure", name, "its last line "
	    "does not end in LF, as every line of the format does")) != 0)
		return rc;
	if ((buf = strdup(text)) == NULL ||
	    (seen = calloc(ix->n + 1, 1)) == NULL) {
		free(buf);
		return ARH_ENOMEM;
	}
	for (line = buf; rc == 0 && *line; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if ((why = parse_line(line, hexlen, &digest, &path)) != NULL) {
			rc = arh_finding(rd->rep, "structure", name, "line %zu is "
			    "not '<%s digest>  <path>': it %s", lineno,
			    sha512 ? "SHA-512" : "SHA-256", why);
			continue;
		}
		if ((m = lookup(ix, path, &pos)) == NULL) {
			rc = arh_finding(rd->rep, "completeness", path,
			    "listed in %s but not in the archive", name);
			continue;
		}
		if (seen[pos]++) {
			rc = arh_finding(rd->rep, "structure", name, "'%s' is "
			    "listed twice", path);
			continue;
		}
		if (strcmp(digest, sha512 ? m->sha512 : m->sha256) != 0)
			rc = arh_finding(rd->rep, layer, path, "%s digest does "
			    "not match %s", sha512 ? "SHA-512" : "SHA-256", name);
	}
	for (i = 0; rc == 0 && complete && i < ix->n; i++)
		if (!seen[i])
			rc = arh_finding(rd->rep, "completeness", ix->v[i]->path,
			    "not listed in %s", name);
	free(seen);
	free(buf);
	return rc;
}

/* Where label's value starts in bag-info.txt (*len bytes), or NULL. */
static const char *
bag_info_find(const char *info, const char *label, size_t *len)
{
	size_t l = strlen(label);
	const char *p = info, *e;

	while (p != NULL && *p) {
		if (strncmp(p, label, l) == 0 && p[l] == ':') {
			p += l + 1;
			while (*p == ' ' || *p == '\t')
				p++;
			e = strchr(p, '\n');
			*len = e ? (size_t)(e - p) : strlen(p);
			return p;
		}
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return NULL;
}

/* The value of label in bag-info.txt (malloc'd), or NULL. */
static char *
bag_info_value(const char *info, const char *label)
{
	size_t len;
	const char *p = bag_info_find(info, label, &len);

	return p ? strndup(p, len) : NULL;
}

/* One decimal number of digits only, without overflow; *s moves past. */
static int
decimal(const char **s, unsigned long long *out)
{
	unsigned long long v = 0;
	const char *p = *s;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (ULLONG_MAX - (unsigned)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned)(*p - '0');
	}
	*out = v;
	*s = p;
	return 0;
}

/* "<bytes>.<files>" exactly as the writer prints it. */
static int
oxum_parse(const char *v, unsigned long long *bytes,
    unsigned long long *files)
{
	if (decimal(&v, bytes) != 0 || *v++ != '.' ||
	    decimal(&v, files) != 0 || *v != '\0')
		return -1;
	return 0;
}

static int
check_oxum(struct reader *rd, const struct index *payload)
{
	unsigned long long bytes = 0, ob, oc;
	size_t i;
	char *v;
	int rc = 0;

	for (i = 0; i < payload->n; i++)
		bytes += payload->v[i]->size;
	v = bag_info_value(rd->tag[1], "Payload-Oxum");
	if (v == NULL)
		return arh_finding(rd->rep, "oxum", "bag-info.txt",
		    "Payload-Oxum is missing");
	if (oxum_parse(v, &ob, &oc) != 0)
		rc = arh_finding(rd->rep, "oxum", "bag-info.txt", "Payload-Oxum "
		    "'%.40s' is not <bytes>.<files> in decimal digits that fit "
		    "64 bits", v);
	else if (ob != bytes || oc != payload->n)
		rc = arh_finding(rd->rep, "oxum", "bag-info.txt", "Payload-Oxum "
		    "says %llu bytes in %llu files, the payload has %llu bytes "
		    "in %zu files", ob, oc, bytes, payload->n);
	free(v);
	return rc;
}

static int
check_bagit(struct reader *rd)
{
	const char *t = rd->tag[0];

	if (strstr(t, "BagIt-Version: 1.0\n") == NULL ||
	    strstr(t, "Tag-File-Character-Encoding: UTF-8\n") == NULL)
		return arh_finding(rd->rep, "structure", "bagit.txt", "must "
		    "declare BagIt-Version: 1.0 and Tag-File-Character-Encoding:"
		    " UTF-8");
	return 0;
}

static int
check_tags(struct reader *rd, const struct index *tags)
{
	size_t i, pos;
	int rc = 0, k;

	for (k = 0; rc == 0 && k < 2; k++)
		rc = check_manifest(rd, k ? "tagmanifest-sha512.txt" :
		    "tagmanifest-sha256.txt", rd->tag[k ? 6 : 5], k, tags, 0,
		    "tagmanifest");
	/* Every tag file that must be covered, is (signature excepted). */
	for (i = 0; rc == 0 && i < NTAGS; i++) {
		char *t[2] = { rd->tag[5], rd->tag[6] };
		if (!arh_tagfiles[i].listed || lookup(tags,
		    arh_tagfiles[i].path, &pos) == NULL)
			continue;
		for (k = 0; rc == 0 && k < 2; k++) {
			char needle[64];
			snprintf(needle, sizeof(needle), " %s\n",
			    arh_tagfiles[i].path);
			if (strstr(t[k], needle) == NULL)
				rc = arh_finding(rd->rep, "tagmanifest",
				    arh_tagfiles[i].path, "not listed in %s",
				    k ? "tagmanifest-sha512.txt" :
				    "tagmanifest-sha256.txt");
		}
	}
	return rc;
}

/*
 * metadata/manifest-sha256-index.txt, when the archive has one: it must
 * parse, tile manifest-sha256.txt, and every chunk must have its SHA-256
 * (restore takes a file's line from one chunk, trusting the index).
 */
static int
check_index(struct reader *rd)
{
	const char *man = rd->tag[2];
	struct arh_mindex ix;
	struct arh_err e;
	char *text;
	size_t i;
	int rc = 0;

	if (rd->tag[TAG_INDEX] == NULL)
		return 0;	/* written before the index was */
	if ((text = strdup(rd->tag[TAG_INDEX])) == NULL)
		return ARH_ENOMEM;
	arh_err_clear(&e);
	if ((rc = arh_mindex_parse(&ix, text, rd->taglen[TAG_INDEX],
	    rd->taglen[2], &e)) != 0) {
		free(text);
		return rc == ARH_ENOMEM ? rc : arh_finding(rd->rep, "index",
		    ARH_INDEX_PATH, "%s", e.msg);
	}
	for (i = 0; rc == 0 && i < ix.n; i++) {
		const struct arh_mchunk *c = &ix.v[i];
		if (arh_mindex_chunk_check(c, man + c->off, (size_t)c->len,
		    &e) != 0)
			rc = arh_finding(rd->rep, "index", ARH_INDEX_PATH,
			    "chunk %zu (bytes %llu to %llu of manifest-sha256.txt,"
			    " from '%s') does not match: %s", i + 1,
			    (unsigned long long)c->off, (unsigned long long)
			    (c->off + c->len), c->first, e.msg);
	}
	arh_mindex_release(&ix);
	free(text);
	return rc;
}

static int
check_seal(struct reader *rd, const struct arh_trust *trust)
{
	struct arh_err e;
	int r;

	arh_err_clear(&e);
	if (trust == NULL) {
		arh_seal_peek(rd->tag[7], rd->taglen[7], &rd->rep->sum.seal,
		    NULL);
		return arh_finding(rd->rep, "seal", arh_tagfiles[7].path,
		    "no trust anchors to check the seal against: give --trust "
		    "CA.pem or set [verify] trust in arhiivar.conf");
	}
	r = arh_seal_verify(trust, rd->tag[6], rd->taglen[6], rd->tag[7],
	    rd->taglen[7], &rd->rep->sum.seal, &e);
	if (r == 0) {
		rd->rep->sealed = 1;
		return 0;
	}
	return arh_finding(rd->rep, "seal", arh_tagfiles[7].path, "%s",
	    e.msg[0] ? e.msg : arh_strerror(r));
}

static const char *
jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* One bag-info label must say what case.json says (NULL: absent). */
static int
same_label(struct reader *rd, const char *label, const char *want)
{
	size_t len = 0;
	const char *v = bag_info_find(rd->tag[1], label, &len);

	if (want != NULL && *want == '\0')
		want = NULL;
	if ((v == NULL) == (want == NULL) && (v == NULL ||
	    (len == strlen(want) && memcmp(v, want, len) == 0)))
		return 0;
	return arh_finding(rd->rep, "metadata", "bag-info.txt", "%s is '%.*s' "
	    "but metadata/case.json says '%s'", label, v ? (int)(len > 200 ?
	    200 : len) : 8, v ? v : "(absent)", want ? want : "(absent)");
}

/*
 * The rules that tie the tag files together, as the writer makes them:
 * the bag is named after the case file and version, bag-info.txt repeats
 * case.json's identifiers, every record belongs to this case file, and
 * every file listed under a record lies in that record's folder (access
 * decisions depend on which record a file belongs to).
 */
static int
check_cross(struct reader *rd, const json_t *root)
{
	const json_t *arch = json_object_get(root, "archive"),
	    *cf = json_object_get(root, "case_file"), *rec, *f, *meta;
	const char *ref = jstr(cf, "reference"), *dir, *p, *k;
	const char *series = jstr(json_object_get(cf, "series"), "code");
	const char *function = jstr(json_object_get(cf, "function"), "code");
	static const char *const keys[] = { "case_file", "series", "function" };
	json_int_t version = json_integer_value(json_object_get(arch,
	    "version"));
	char vbuf[32], want[256];
	size_t i, j, d;
	int rc, ok;

	ok = version > 0 && version < 1000000 && arh_bag_name_into(want,
	    sizeof(want), ref, (int)version) == 0;
	/* (Its agreement with the bag directory is checked by the caller.) */
	rc = !ok || strcmp(want, jstr(arch, "name")) != 0 ?
	    arh_finding(rd->rep, "metadata", "metadata/case.json", "names "
	    "archive '%s', but version %lld of case file '%s' is '%s'",
	    jstr(arch, "name"), (long long)version, ref, ok ? want : "?") :
	    0;
	snprintf(vbuf, sizeof(vbuf), "%lld", (long long)version);
	if (rc != 0 ||
	    (rc = same_label(rd, "External-Identifier", ref)) != 0 ||
	    (rc = same_label(rd, "Bag-Group-Identifier", series)) != 0 ||
	    (rc = same_label(rd, "Arhiivar-Version", vbuf)) != 0 ||
	    (rc = same_label(rd, "Arhiivar-Previous-Version", jstr(arch,
	    "previous"))) != 0 ||
	    (rc = same_label(rd, "Arhiivar-Case-Opened", jstr(cf,
	    "opened"))) != 0 ||
	    (rc = same_label(rd, "Arhiivar-Case-Closed", jstr(cf,
	    "closed"))) != 0)
		return rc;
	json_array_foreach(json_object_get(root, "records"), i, rec) {
		meta = json_object_get(rec, "metadata");
		dir = jstr(rec, "dir");
		for (j = 0; j < 3; j++) {
			k = jstr(meta, keys[j]);
			p = j == 0 ? ref : j == 1 ? series : function;
			if ((k == NULL || p == NULL || strcmp(k, p) != 0) &&
			    (rc = arh_finding(rd->rep, "metadata",
			    "metadata/case.json", "record '%s' gives %s '%s', "
			    "not the case file's '%s'", jstr(meta, "reference") ?
			    jstr(meta, "reference") : "?", keys[j], k ? k : "",
			    p ? p : "")) != 0)
				return rc;
		}
		d = dir ? strlen(dir) : 0;
		json_array_foreach(json_object_get(rec, "files"), j, f) {
			p = jstr(f, "path");
			if (dir != NULL && d > 0 && p != NULL &&
			    strncmp(p, "data/", 5) == 0 &&
			    strncmp(p + 5, dir, d) == 0 && p[5 + d] == '/')
				continue;
			if ((rc = arh_finding(rd->rep, "metadata", p ? p : "",
			    "listed under record folder '%s' but not inside "
			    "it", dir ? dir : "")) != 0)
				return rc;
		}
	}
	return 0;
}

/* metadata/case.json must describe exactly the payload that is there. */
static int
check_metadata_files(struct reader *rd, json_t *root, const struct index *ix)
{
	const json_t *rec, *f;
	size_t i, j, pos, n = 0;
	struct arh_member *m;
	int rc = 0;

	json_array_foreach(json_object_get(root, "records"), i, rec) {
		json_array_foreach(json_object_get(rec, "files"), j, f) {
			const char *p = jstr(f, "path");
			n++;
			if (p == NULL || (m = lookup(ix, p, &pos)) == NULL) {
				rc = arh_finding(rd->rep, "metadata",
				    p ? p : "", "listed in metadata/case.json "
				    "but not in the archive");
			} else if ((uint64_t)json_integer_value(json_object_get(
			    f, "size")) != m->size || !jstr(f, "sha512") ||
			    strcmp(jstr(f, "sha512"), m->sha512) != 0 ||
			    !jstr(f, "sha256") ||
			    strcmp(jstr(f, "sha256"), m->sha256) != 0) {
				rc = arh_finding(rd->rep, "metadata", p, "size "
				    "or digest differs from metadata/case.json");
			}
			if (rc != 0)
				return rc;
		}
	}
	if (n != ix->n)
		return arh_finding(rd->rep, "metadata", "metadata/case.json",
		    "lists %zu payload files, the archive has %zu", n, ix->n);
	return 0;
}

static int
check_metadata(struct reader *rd, const struct index *ix)
{
	struct arh_bag_summary *s = &rd->rep->sum;
	const json_t *arch, *cf;
	json_error_t je;
	char why[200];
	json_t *root;
	int rc;

	root = json_loadb(rd->tag[4], rd->taglen[4], JSON_REJECT_DUPLICATES,
	    &je);
	if (root == NULL)
		return arh_finding(rd->rep, "metadata", "metadata/case.json",
		    "not valid JSON (line %d: %s)", je.line, je.text);
	/* The writer's limits: record metadata sits three levels down. */
	if (arh_meta_shape(root, ARH_MAX_META_DEPTH + 3, why,
	    sizeof(why)) != 0) {
		json_decref(root);
		return arh_finding(rd->rep, "metadata", "metadata/case.json",
		    "%s, which no writer of this format produces", why);
	}
	arch = json_object_get(root, "archive");
	cf = json_object_get(root, "case_file");
	if (json_integer_value(json_object_get(root, "arhiivar_format")) !=
	    ARH_BAG_FORMAT || !jstr(arch, "name") || !jstr(cf, "reference") ||
	    !jstr(json_object_get(cf, "series"), "code")) {
		json_decref(root);
		return arh_finding(rd->rep, "metadata", "metadata/case.json",
		    "not an Arhiivar format %d metadata manifest",
		    ARH_BAG_FORMAT);
	}
	if (strcmp(jstr(arch, "name"), s->name) != 0 &&
	    (rc = arh_finding(rd->rep, "metadata", "metadata/case.json",
	    "names archive '%s' but the bag directory is '%s'",
	    jstr(arch, "name"), s->name)) != 0) {
		json_decref(root);
		return rc;
	}
	s->case_ref = strdup(jstr(cf, "reference"));
	s->series = strdup(jstr(json_object_get(cf, "series"), "code"));
	s->version = (int)json_integer_value(json_object_get(arch, "version"));
	s->previous = arh_strdup(jstr(arch, "previous"));
	s->manifest = root;
	if (s->case_ref == NULL || s->series == NULL)
		return ARH_ENOMEM;
	if ((rc = check_cross(rd, root)) != 0)
		return rc;
	return check_metadata_files(rd, root, ix);
}

int
arh_bag_check(struct reader *rd, const struct arh_trust *trust)
{
	struct index payload = { NULL, 0 }, tags = { NULL, 0 };
	size_t i;
	int rc, missing = 0;

	for (i = 0; i < NTAGS; i++)
		if (rd->tag[i] == NULL && !arh_tagfiles[i].optional) {
			missing++;
			if ((rc = arh_finding(rd->rep, "structure",
			    arh_tagfiles[i].path, "missing tag file")) != 0)
				return rc;
		}
	if (missing)
		return 0;	/* the rest would only repeat this */
	if ((rc = build_index(&rd->rep->sum, 1, &payload)) != 0 ||
	    (rc = build_index(&rd->rep->sum, 0, &tags)) != 0)
		goto out;
	if ((rc = check_duplicates(rd, &payload)) != 0 ||
	    (rc = check_duplicates(rd, &tags)) != 0 ||
	    (rc = check_bagit(rd)) != 0 ||
	    (rc = check_manifest(rd, "manifest-sha512.txt", rd->tag[3], 1,
	    &payload, 1, "payload")) != 0 ||
	    (rc = check_manifest(rd, "manifest-sha256.txt", rd->tag[2], 0,
	    &payload, 1, "payload")) != 0 ||
	    (rc = check_oxum(rd, &payload)) != 0 ||
	    (rc = check_tags(rd, &tags)) != 0 ||
	    (rc = check_index(rd)) != 0 ||
	    (rc = check_seal(rd, trust)) != 0)
		goto out;
	rc = check_metadata(rd, &payload);
out:
	free(payload.v);
	free(tags.v);
	return rc;
}
