/*
 * verify.h — one streaming pass over an archive, no temporary extraction,
 * memory bounded by the number of members (not their size).  Layers, in the
 * order a reader meets them (docs/FORMAT.md):
 *
 *   structure    tar readable, one top-level directory, only expected
 *                members, no links/devices/absolute paths/"..", no duplicates
 *   payload      every payload file against both manifests
 *   completeness every manifest line has its file, every file its line
 *   oxum         Payload-Oxum in bag-info.txt
 *   tagmanifest  both tag manifests against the tag files
 *   seal         the CMS signature over tagmanifest-sha512.txt and the
 *                signer certificate against the trust anchors
 *   metadata     metadata/case.json agrees with the manifests
 *   catalog      (catalogued archives) the tar digest and every file digest
 *                recorded at ingest
 */
#ifndef ARHIIVAR_VERIFY_H
#define ARHIIVAR_VERIFY_H

#include "arhiivar/bag.h"
#include "arhiivar/catalog.h"
#include "arhiivar/error.h"
#include "arhiivar/seal.h"

struct arh_finding {
	char	*layer;		/* "structure", "payload", ... */
	char	*member;	/* path inside the bag, or "" */
	char	*message;
};

/*
 * Findings kept per layer: a hostile archive (a manifest of 60 MiB of junk
 * lines) must not make verify's memory or output grow without bound; the
 * rest are counted, per layer.
 */
#define ARH_MAX_FINDINGS_PER_LAYER	100
#define ARH_MAX_LAYERS			12

struct arh_layer_count {
	const char *layer;	/* static string, as given to arh_finding() */
	size_t	 listed;
	size_t	 unlisted;	/* findings past ARH_MAX_FINDINGS_PER_LAYER */
};

struct arh_verify_report {
	struct arh_finding *items;
	size_t	 n;		/* findings listed in items */
	size_t	 cap;
	size_t	 unlisted;	/* further findings, counted only */
	struct arh_layer_count layers[ARH_MAX_LAYERS];
	size_t	 nlayers;
	struct arh_bag_summary sum;	/* what the archive says of itself */
	int	 sealed;		/* 1 if the seal verified */
};

/*
 * Add a finding; 0 or ARH_ENOMEM.  Past ARH_MAX_FINDINGS_PER_LAYER of one
 * layer it is only counted (layers[].unlisted, unlisted).  layer must be a
 * string that outlives the report (a literal).
 */
int arh_finding(struct arh_verify_report *r, const char *layer,
    const char *member, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

void arh_verify_report_release(struct arh_verify_report *r);

/*
 * Verify the tar stream readable from fd (read from its current offset).
 * trust may be NULL (the seal layer then fails with a finding).  Returns 0
 * when there are no findings, ARH_EVERIFY when there are, another code when
 * the file cannot be read at all.
 */
int arh_bag_verify(int fd, const struct arh_trust *trust,
    struct arh_verify_report *rep, struct arh_err *err);

/* Compare a verified archive with its catalog rows (layer "catalog"). */
int arh_verify_catalog(struct arh_catalog *cat, const char *name,
    struct arh_verify_report *rep, struct arh_err *err);

#endif
