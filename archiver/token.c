/*
 * token.c — issuing, listing and revoking the API's bearer tokens, and
 * the role a presented token grants.  Administering tokens needs the role
 * the table gives ARH_OP_TOKEN_ADMIN (policy/roles.c).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "arhiivar/token.h"
#include "ops_int.h"
#include "util.h"

void
arh_token_hash(const char *token, char hex[65])
{
	unsigned char md[32];
	unsigned int n = 0;

	if (EVP_Digest(token, strlen(token), md, &n, EVP_sha256(), NULL) != 1
	    || n != sizeof(md)) {
		hex[0] = '\0';	/* matches no stored hash */
		return;
	}
	arh_hex(md, sizeof(md), hex);
}

int
arh_token_wellformed(const char *s)
{
	size_t i, p = sizeof(ARH_TOKEN_PREFIX) - 1;

	if (s == NULL || strncmp(s, ARH_TOKEN_PREFIX, p) != 0 ||
	    strlen(s) != ARH_TOKEN_LEN)
		return 0;
	for (i = p; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int
role_known(const struct arh_config *cfg, const char *role)
{
	size_t i;

	for (i = 0; i < cfg->nroles; i++)
		if (strcmp(cfg->roles[i].name, role) == 0)
			return 1;
	return 0;
}

static int
authorize(struct arh_home *h, const struct arh_identity *who,
    const char *target, struct arh_err *err)
{
	static const enum arh_op op = ARH_OP_TOKEN_ADMIN;

	return arh_authorize(h, who, &op, 1, target, NULL, err);
}

int
arh_token_issue(struct arh_home *h, const struct arh_identity *who,
    const char *role, const char *label, char token_out[ARH_TOKEN_LEN + 1],
    long *id, struct arh_err *err)
{
	unsigned char raw[ARH_TOKEN_BYTES];
	char hash[65];
	size_t p = sizeof(ARH_TOKEN_PREFIX) - 1;
	int rc;

	token_out[0] = '\0';
	*id = 0;
	if ((rc = authorize(h, who, "token", err)) != 0)
		return rc;
	if (!role_known(h->cfg, role) || strcmp(role, "public") == 0)
		return arh_errf(err, ARH_EUSAGE, "cannot issue a token for role "
		    "'%s': name one of the roles of [roles] other than public "
		    "(anonymous callers hold public already)", role);
	if (label != NULL && strlen(label) > ARH_TOKEN_MAX_LABEL)
		return arh_errf(err, ARH_EUSAGE, "the label is longer than %d "
		    "bytes", ARH_TOKEN_MAX_LABEL);
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return arh_errf(err, ARH_ECRYPTO, "cannot draw random bytes "
		    "for a token");
	memcpy(token_out, ARH_TOKEN_PREFIX, p);
	arh_hex(raw, sizeof(raw), token_out + p);
	OPENSSL_cleanse(raw, sizeof(raw));
	arh_token_hash(token_out, hash);
	if ((rc = arh_catalog_token_add(h->cat, hash, role, label, h->actor,
	    id, err)) != 0)
		OPENSSL_cleanse(token_out, ARH_TOKEN_LEN + 1);
	return rc;
}

int
arh_token_revoke(struct arh_home *h, const struct arh_identity *who, long id,
    struct arh_err *err)
{
	char target[64];
	int rc;

	snprintf(target, sizeof(target), "token %ld", id);
	if ((rc = authorize(h, who, target, err)) != 0)
		return rc;
	return arh_catalog_token_revoke(h->cat, id, h->actor, err);
}

int
arh_token_list(struct arh_home *h, const struct arh_identity *who,
    int (*cb)(void *arg, const struct arh_token *t), void *arg,
    struct arh_err *err)
{
	int rc;

	if ((rc = authorize(h, who, "token", err)) != 0)
		return rc;
	return arh_catalog_tokens(h->cat, cb, arg, err);
}

int
arh_token_role(struct arh_home *h, const char *token, char role[32],
    struct arh_err *err)
{
	char hash[65];

	role[0] = '\0';
	if (!arh_token_wellformed(token))
		return arh_errf(err, ARH_ENOTFOUND, "malformed token");
	arh_token_hash(token, hash);
	return arh_catalog_token_role(h->cat, hash, role, err);
}
