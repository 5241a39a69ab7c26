/* ops_int.h — operations shared between home.c and the ops files. */
#ifndef ARHIIVAR_OPS_INT_H
#define ARHIIVAR_OPS_INT_H

#include "arhiivar/home.h"
#include "arhiivar/ops.h"

/* Catalogue every archive in the store that the catalog lacks (an ingest
 * killed between publish and commit), after verifying it. */
int arh_adopt_orphans(struct arh_home *h, struct arh_problems *notes,
    struct arh_err *err);

/* Recovery when a home is opened for writing: settle the pending intents
 * to publish (adopt, drop, or leave to their live writer) and remove the
 * temporary files of dead writers.  Costs what was in flight only. */
int arh_home_recover(struct arh_home *h, struct arh_problems *notes,
    struct arh_err *err);

/* Verify the store file `store_name` and add it to the catalog with an
 * event of `kind`.  Findings are reported in notes and return ARH_EVERIFY. */
int arh_adopt(struct arh_home *h, const struct arh_trust *trust,
    const char *store_name, const char *kind, struct arh_problems *notes,
    struct arh_err *err);
/* The same, the event naming who the interrupted ingest was for. */
int arh_adopt_for(struct arh_home *h, const struct arh_trust *trust,
    const char *store_name, const char *kind, const char *ingested_by,
    struct arh_problems *notes, struct arh_err *err);

/* A store file with a tombstone: remove it if it is the archive destroyed
 * (its destruction was interrupted).  1 handled, 0 no tombstone, or an
 * error code. */
int arh_finish_destruction(struct arh_home *h, const char *store_name,
    struct arh_problems *notes, struct arh_err *err);

/* Ingest with a sealed retention decision given by the caller instead of
 * the one ingest would make (the destruction act: arh_act_retention()).
 * No checkpoint: the execute that archives the act signs one after. */
int arh_ingest_decided(struct arh_home *h, const char *casedir,
    const json_t *decision, struct arh_ingest_result *res,
    struct arh_problems *probs, struct arh_err *err);

/*
 * The retention decision of a destruction act executed on `date`: the
 * file plan's row of [disposition] act_series, decided by
 * arh_retention_compute() like any case file (opened = closed = date) and
 * sealed as arh_retention_json() gives it, so 'policy explain' names the
 * rule.  ARH_EINVAL with what to fix when no file plan is imported or the
 * series is not in it (or not valid on date).
 */
int arh_act_retention(struct arh_home *h, const char *date,
    json_t **decision, struct arh_err *err);

/* Step 4 of a destruction: build, seal and archive the act of list id
 * (or find it archived by an earlier run); its archive name into name. */
int arh_act_archive(struct arh_home *h, long id, char *name, size_t n,
    struct arh_err *err);

/*
 * The one gate of the operations layer: may `who` do any of ops
 * (the role table, policy/roles.c)?  0 (d, if not NULL, says which),
 * or ARH_EDENIED with the refusal in err and recorded as an event of the
 * first op's kind on target (may be NULL).
 */
int arh_authorize(struct arh_home *h, const struct arh_identity *who,
    const enum arh_op *ops, size_t nops, const char *target,
    struct arh_role_decision *d, struct arh_err *err);

/* Record the refusal err->msg of an operation of `kind` on target as an
 * event ("denied" for ARH_EDENIED, else "refused"); returns rc.  The
 * event's own failure is ignored: it must not hide the refusal. */
int arh_refusal(struct arh_home *h, const char *kind, const char *target,
    int rc, struct arh_err *err);

#endif
