/* ops_int.h — operations shared between home.c and the ops files. */
#ifndef ARHIIVAR_OPS_INT_H
#define ARHIIVAR_OPS_INT_H

#include "arhiivar/home.h"
#include "arhiivar/ops.h"

/* Catalogue every archive in the store that the catalog lacks (an ingest
 * killed between publish and commit), after verifying it. */
int arh_adopt_orphans(struct arh_home *h, struct arh_problems *notes,
    struct arh_err *err);

/* Verify the store file `store_name` and add it to the catalog with an
 * event of `kind`.  Findings are reported in notes and return ARH_EVERIFY. */
int arh_adopt(struct arh_home *h, const struct arh_trust *trust,
    const char *store_name, const char *kind, struct arh_problems *notes,
    struct arh_err *err);

#endif
