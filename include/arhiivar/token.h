/*
 * token.h — bearer tokens of the verification API.  A token is 32 random
 * bytes (OpenSSL RAND_bytes) shown once as "arh_" and 64 hex digits; the
 * catalog keeps only its SHA-256 (hex), the role it grants, a label, who
 * issued it and when, and when it was revoked.  Presenting a token makes
 * its role the caller's role (with "public"), so [access] internal_roles
 * apply to it as to a person holding that role.
 */
#ifndef ARHIIVAR_TOKEN_H
#define ARHIIVAR_TOKEN_H

#include "arhiivar/catalog.h"
#include "arhiivar/error.h"
#include "arhiivar/home.h"
#include "arhiivar/policy.h"

#define ARH_TOKEN_PREFIX	"arh_"
#define ARH_TOKEN_BYTES		32
/* "arh_" + 64 hex digits; a buffer needs one more for the NUL. */
#define ARH_TOKEN_LEN		(sizeof(ARH_TOKEN_PREFIX) - 1 + 2 * ARH_TOKEN_BYTES)
#define ARH_TOKEN_MAX_LABEL	200

struct arh_token {
	long	 id;
	char	 role[32];
	char	 label[256];
	char	 created_at[32];
	char	 created_by[300];
	char	 revoked_at[32];	/* "" while valid */
};

/* Catalog (archiver/catalog_tokens.c).  Add a token by its hash with a
 * "token-add" event (no hash in it), in one transaction; *id is its id. */
int arh_catalog_token_add(struct arh_catalog *c, const char *hash,
    const char *role, const char *label, const char *actor, long *id,
    struct arh_err *err);
/* Every token, oldest first (revoked ones too). */
int arh_catalog_tokens(struct arh_catalog *c,
    int (*cb)(void *arg, const struct arh_token *t), void *arg,
    struct arh_err *err);
/* Revoke token id with a "token-revoke" event; ARH_ENOTFOUND if there is
 * no valid token id. */
int arh_catalog_token_revoke(struct arh_catalog *c, long id,
    const char *actor, struct arh_err *err);
/* The role of the valid (not revoked) token whose SHA-256 hex is hash;
 * ARH_ENOTFOUND if none. */
int arh_catalog_token_role(struct arh_catalog *c, const char *hash,
    char role[32], struct arh_err *err);

/* Operations (archiver/token.c). */

/* SHA-256 hex of a presented token string. */
void arh_token_hash(const char *token, char hex[65]);
/* 1 if s has the shape of a token ("arh_" + 64 lower-case hex), else 0. */
int arh_token_wellformed(const char *s);

/*
 * Issue a token for `role` (one of the [roles] names; "public" is
 * refused: it needs no token) labelled `label` (may be NULL): only a
 * caller the role table permits ARH_OP_TOKEN_ADMIN (a refusal is an event,
 * ARH_EDENIED).  The token goes to token_out, once; only its hash is kept.
 */
int arh_token_issue(struct arh_home *h, const struct arh_identity *who,
    const char *role, const char *label, char token_out[ARH_TOKEN_LEN + 1],
    long *id, struct arh_err *err);
/* Revoke token id (ARH_OP_TOKEN_ADMIN). */
int arh_token_revoke(struct arh_home *h, const struct arh_identity *who,
    long id, struct arh_err *err);
/* List the tokens (ARH_OP_TOKEN_ADMIN: labels name their holders). */
int arh_token_list(struct arh_home *h, const struct arh_identity *who,
    int (*cb)(void *arg, const struct arh_token *t), void *arg,
    struct arh_err *err);
/*
 * The role a presented token grants: ARH_ENOTFOUND when it is malformed,
 * unknown or revoked (the caller answers 401 and records the denial).
 */
int arh_token_role(struct arh_home *h, const char *token, char role[32],
    struct arh_err *err);

#endif
