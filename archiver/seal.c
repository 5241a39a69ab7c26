/*
 * seal.c — the electronic seal: key generation, detached CMS signing
 * (CAdES-BES shape) and verification, all with OpenSSL 3 libcrypto.
 *
 * Every public function clears the thread's OpenSSL error queue on entry
 * and on every exit, so a stale reason never leaks into another caller's
 * message.  Nothing here keeps mutable state outside the objects it is
 * handed, which is what makes it thread-safe: in particular verification
 * sets its time and purpose on a per-call X509_STORE_CTX, never on the
 * shared X509_STORE.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "arhiivar/seal.h"
#include "util.h"

#define KEY_FILE_MAX	(64 * 1024)
#define CERT_FILE_MAX	(1024 * 1024)
#define P12_FILE_MAX	(1024 * 1024)
/* A trust file may be a whole CA bundle (Debian's is about 200 KiB). */
#define TRUST_FILE_MAX	(8 * 1024 * 1024)
#define MAX_DAYS	36500

struct arh_signer {
	EVP_PKEY	*key;		/* NULL for a remote signer */
	X509		*cert;
	STACK_OF(X509)	*chain;		/* never NULL; may be empty */
	char		*subject;	/* RFC 2253 */
	int		 fd;		/* a remote signer's socket, or -1 */
};

struct arh_trust {
	X509_STORE	*store;		/* read-only after arh_trust_load() */
};

/* What parsing a seal yields; released with parsed_release(). */
struct parsed {
	CMS_ContentInfo	*cms;
	CMS_SignerInfo	*si;		/* first signer, owned by cms */
	STACK_OF(X509)	*certs;		/* all certificates in the seal */
	X509		*signer;	/* owned by certs */
	int		 has_time;
	time_t		 signing_time;
};

/* ------------------------------------------------------------------ */
/* Errors and strings */

/* The first (innermost) reason in the OpenSSL error queue. */
static const char *
ossl_reason(char *buf, size_t len)
{
	unsigned long e = ERR_peek_error();
	const char *r;

	if (e == 0)
		return "unknown OpenSSL error";
	if ((r = ERR_reason_error_string(e)) != NULL)
		return r;
	ERR_error_string_n(e, buf, len);
	return buf;
}

/* As arh_errf() with ": <first OpenSSL reason>" appended. */
static int __attribute__((format(printf, 3, 4)))
ossl_err(struct arh_err *err, int code, const char *fmt, ...)
{
	char what[ARH_ERR_MSG], rbuf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return arh_errf(err, code, "%s: %s", what,
	    ossl_reason(rbuf, sizeof(rbuf)));
}

/* Is the most recent error in the queue lib/reason? */
static int
last_error_is(int lib, int reason)
{
	unsigned long e = ERR_peek_last_error();

	return e != 0 && ERR_GET_LIB(e) == lib && ERR_GET_REASON(e) == reason;
}

/* Copy src into dst, truncating on a UTF-8 character boundary. */
static void
copy_trunc(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size) {
		n = size - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/*
 * A name as an RFC 2253 string.  Non-ASCII characters are left as UTF-8
 * rather than escaped as \C3\A4 (RFC 2253 section 2.4 allows both): the
 * names are shown to Estonian users.  Control characters stay escaped.
 * Malloc'd; NULL only when out of memory.
 */
static char *
name_str(const X509_NAME *name)
{
	static const unsigned long flags[] = {
		XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB,
		XN_FLAG_RFC2253,
	};
	BIO *b = NULL;
	char *data, *s = NULL;
	long len;
	size_t i;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]) && s == NULL; i++) {
		if ((b = BIO_new(BIO_s_mem())) == NULL)
			return NULL;
		if (X509_NAME_print_ex(b, name, 0, flags[i]) >= 0) {
			len = BIO_get_mem_data(b, &data);
			s = strndup(len > 0 ? data : "", len > 0 ? (size_t)len : 0);
			if (s == NULL) {
				BIO_free(b);
				return NULL;
			}
		}
		BIO_free(b);
	}
	/* A name that neither form can print (bad UTF-8 in a UTF8String). */
	return s != NULL ? s : strdup("(unprintable name)");
}

/* ------------------------------------------------------------------ */
/* Files */

/* 0 if nothing (not even a dangling symlink) is at path, else ARH_EEXIST. */
static int
check_absent(const char *path, struct arh_err *err)
{
	struct stat st;

	if (fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return arh_errf(err, ARH_EEXIST, "'%s' already exists", path);
	if (errno != ENOENT)
		return arh_errno(err, ARH_EIO, errno, "cannot stat '%s'", path);
	return 0;
}

/* Open the directory holding path; *base points into path. */
static int
open_parent(const char *path, int *dirfd, const char **base,
    struct arh_err *err)
{
	const char *slash = strrchr(path, '/');
	char *dir;

	*dirfd = -1;
	*base = slash != NULL ? slash + 1 : path;
	if (**base == '\0')
		return arh_errf(err, ARH_EUSAGE, "'%s' is not a file name", path);
	if (slash == NULL)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	*dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*dirfd == -1) {
		int r = arh_errno(err, errno == ENOENT ? ARH_ENOTFOUND : ARH_EIO,
		    errno, "cannot open directory '%s'", dir);
		free(dir);
		return r;
	}
	free(dir);
	return 0;
}

/*
 * Write a new file durably and never over an existing one: a temp file
 * created O_CREAT|O_EXCL|O_NOFOLLOW with mode, fsync, renameat2
 * RENAME_NOREPLACE, fsync of the directory.  A crash leaves either the
 * whole file or none, so a half-written key never blocks a retry.
 */
static int
publish(const char *path, const void *buf, size_t len, mode_t mode,
    struct arh_err *err)
{
	const char *base;
	int dirfd, r;

	if ((r = open_parent(path, &dirfd, &base, err)) != 0)
		return r;
	r = arh_write_file_atomic(dirfd, base, buf, len, mode, 1, err);
	if (r == ARH_EEXIST)
		r = arh_errf(err, ARH_EEXIST, "'%s' already exists", path);
	close(dirfd);
	return r;
}

/* Take back a file publish() made, durably. */
static void
unpublish(const char *path)
{
	const char *base;
	int dirfd;

	if (open_parent(path, &dirfd, &base, NULL) != 0)
		return;
	if (unlinkat(dirfd, base, 0) == 0)
		(void)fsync(dirfd);
	close(dirfd);
}

/*
 * A seal key, certificate or trust anchor file that is missing, not a
 * regular file or too large is a fault of the set-up, never a verdict on an
 * archive: ARH_ECONFIG (exit 2), so that a monthly `verify --all` cannot
 * report tampering that did not happen.
 */
static int
read_setup_file(const char *path, size_t cap, char **buf, size_t *len,
    struct arh_err *err)
{
	int r = arh_read_file(AT_FDCWD, path, cap, buf, len, err);

	if (r == ARH_ENOTFOUND || r == ARH_EINVAL) {
		r = ARH_ECONFIG;
		if (err != NULL)
			err->code = r;
	}
	return r;
}

/*
 * Read every PEM certificate in path and append it to *sk (created if
 * NULL).  A file without any certificate is an error naming the file.
 */
static int
read_certs(const char *path, size_t cap, STACK_OF(X509) **sk,
    struct arh_err *err)
{
	char *buf = NULL;
	size_t len;
	BIO *b = NULL;
	X509 *x;
	int n = 0, r;

	if ((r = read_setup_file(path, cap, &buf, &len, err)) != 0)
		return r;
	r = arh_errf(err, ARH_ENOMEM, "out of memory");
	if (*sk == NULL && (*sk = sk_X509_new_null()) == NULL)
		goto out;
	if ((b = BIO_new_mem_buf(buf, (int)len)) == NULL)
		goto out;
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		if (!sk_X509_push(*sk, x)) {
			X509_free(x);
			goto out;
		}
		n++;
	}
	/* The loop always ends in an error; at end of file it is this one. */
	if (!last_error_is(ERR_LIB_PEM, PEM_R_NO_START_LINE)) {
		r = ossl_err(err, ARH_ECRYPTO, "cannot read a certificate "
		    "from '%s'", path);
		goto out;
	}
	ERR_clear_error();
	if (n == 0) {
		r = arh_errf(err, ARH_ECRYPTO, "'%s' holds no certificate",
		    path);
		goto out;
	}
	r = 0;
out:
	BIO_free(b);
	free(buf);
	return r;
}

/* ------------------------------------------------------------------ */
/* Key and certificate generation */

static int
add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *ext;
	int ok;

	if ((ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value)) == NULL)
		return 0;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

/*
 * The extensions of the self-signed seal certificate.  Checked with
 * OpenSSL 3.0.22: a self-signed CA:FALSE certificate is accepted as its
 * own trust anchor by both `openssl cms -verify -CAfile cert.pem` and the
 * same with `-purpose any` (3.0 marks a certificate self-signed from its
 * names, key identifiers and signature algorithm, no longer from
 * keyCertSign), so the seal key is not made a CA: it can seal records but
 * cannot issue certificates.  digitalSignature+nonRepudiation and the
 * emailProtection extended key usage are what the default S/MIME signing
 * purpose of `openssl cms -verify` checks; the key identifiers let
 * verifiers build the chain without name matching alone.
 */
static int
add_seal_exts(X509 *x, EVP_PKEY *key)
{
	static const struct {
		int		 nid;
		const char	*value;
	} exts[] = {
		{ NID_basic_constraints,	"critical,CA:FALSE" },
		{ NID_key_usage,	"critical,digitalSignature,nonRepudiation" },
		{ NID_ext_key_usage,		"emailProtection" },
		/* The SKI first: the AKI of a self-signed certificate is
		 * copied from its own SKI. */
		{ NID_subject_key_identifier,	"hash" },
		{ NID_authority_key_identifier,	"keyid:always" },
	};
	X509V3_CTX ctx;
	size_t i;

	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	if (!X509V3_set_issuer_pkey(&ctx, key))
		return 0;
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (!add_ext(x, &ctx, exts[i].nid, exts[i].value))
			return 0;
	return 1;
}

static int
set_name(X509 *x, const char *common_name, const char *org,
    struct arh_err *err)
{
	X509_NAME *name = X509_get_subject_name(x);

	/* DER order is most significant first, so RFC 2253 prints it back
	 * as "CN=<common_name>,O=<org>". */
	if (!X509_NAME_add_entry_by_NID(name, NID_organizationName,
	    MBSTRING_UTF8, (const unsigned char *)org, -1, -1, 0))
		return ossl_err(err, ARH_EUSAGE, "cannot use '%s' as the "
		    "organisation name", org);
	if (!X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
	    (const unsigned char *)common_name, -1, -1, 0))
		return ossl_err(err, ARH_EUSAGE, "cannot use '%s' as the "
		    "common name", common_name);
	if (!X509_set_issuer_name(x, name))
		return ossl_err(err, ARH_ECRYPTO, "cannot set the issuer");
	return 0;
}

static int
make_cert(EVP_PKEY *key, const char *common_name, const char *org, int days,
    X509 **out, struct arh_err *err)
{
	X509 *x = NULL;
	BIGNUM *bn = NULL;
	int r;

	*out = NULL;
	if ((x = X509_new()) == NULL || (bn = BN_new()) == NULL) {
		r = arh_errf(err, ARH_ENOMEM, "out of memory");
		goto out;
	}
	/* Exactly 128 bits long, so never zero or negative, with 127 random
	 * bits: far above the 64 that CA/Browser Forum rules ask. */
	if (!X509_set_version(x, X509_VERSION_3) ||
	    !BN_rand(bn, 128, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL) {
		r = ossl_err(err, ARH_ECRYPTO, "cannot set the serial number");
		goto out;
	}
	if ((r = set_name(x, common_name, org, err)) != 0)
		goto out;
	if (X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), days, 0, NULL) == NULL ||
	    !X509_set_pubkey(x, key) || !add_seal_exts(x, key) ||
	    X509_sign(x, key, EVP_sha256()) <= 0) {
		r = ossl_err(err, ARH_ECRYPTO, "cannot make the seal "
		    "certificate");
		goto out;
	}
	*out = x;
	x = NULL;	/* transferred */
	r = 0;
out:
	BN_free(bn);
	X509_free(x);
	return r;
}

int
arh_seal_generate(const char *keypath, const char *certpath,
    const char *common_name, const char *org, int days, struct arh_err *err)
{
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	BIO *kb = NULL, *cb = NULL;
	char *kpem, *cpem;
	long klen, clen;
	int r;

	ERR_clear_error();
	if (keypath == NULL || certpath == NULL || common_name == NULL ||
	    org == NULL || *common_name == '\0' || *org == '\0' ||
	    strcmp(keypath, certpath) == 0 || days < 1 || days > MAX_DAYS) {
		r = arh_errf(err, ARH_EUSAGE, "seal generation needs a key and "
		    "a certificate path, a common name, an organisation and "
		    "1 to %d days", MAX_DAYS);
		goto out;
	}
	if ((r = check_absent(keypath, err)) != 0 ||
	    (r = check_absent(certpath, err)) != 0)
		goto out;
	if ((key = EVP_EC_gen("P-256")) == NULL) {
		r = ossl_err(err, ARH_ECRYPTO, "cannot generate a P-256 key");
		goto out;
	}
	if ((r = make_cert(key, common_name, org, days, &cert, err)) != 0)
		goto out;
	/* secmem: the PEM copy of the key is wiped when kb is freed. */
	if ((kb = BIO_new(BIO_s_secmem())) == NULL ||
	    (cb = BIO_new(BIO_s_mem())) == NULL ||
	    !PEM_write_bio_PKCS8PrivateKey(kb, key, NULL, NULL, 0, NULL,
	    NULL) || !PEM_write_bio_X509(cb, cert)) {
		r = ossl_err(err, ARH_ECRYPTO, "cannot encode the seal key");
		goto out;
	}
	klen = BIO_get_mem_data(kb, &kpem);
	clen = BIO_get_mem_data(cb, &cpem);
	if ((r = publish(keypath, kpem, (size_t)klen, 0600, err)) != 0)
		goto out;
	if ((r = publish(certpath, cpem, (size_t)clen, 0644, err)) != 0) {
		/* A key without its certificate would block the retry. */
		unpublish(keypath);
		goto out;
	}
	r = 0;
out:
	BIO_free(kb);
	BIO_free(cb);
	X509_free(cert);
	EVP_PKEY_free(key);
	ERR_clear_error();
	return r;
}

/* ------------------------------------------------------------------ */
/* Signers */

/* Library code never prompts on a terminal for a PEM pass phrase. */
static int
no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static int
read_pem_key(const char *path, EVP_PKEY **key, struct arh_err *err)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	BIO *b = NULL;
	int r;

	*key = NULL;
	if ((r = read_setup_file(path, KEY_FILE_MAX, &buf, &len, err)) != 0)
		return r;
	/* As ssh refuses an unprotected private key: whoever else can read
	 * it can seal forged archives. */
	if (stat(path, &st) == 0 && (st.st_mode & 077) != 0) {
		r = arh_errf(err, ARH_ECONFIG, "seal key '%s' can be read or "
		    "written by others (mode %04o); make it private with "
		    "'chmod 600 %s'", path, (unsigned)(st.st_mode & 07777),
		    path);
		goto out;
	}
	/* PKCS#8 and traditional OpenSSL encrypted PEM, named so the user
	 * learns why rather than reading "bad decrypt". */
	if (strstr(buf, "-----BEGIN ENCRYPTED PRIVATE KEY-----") != NULL ||
	    strstr(buf, "Proc-Type: 4,ENCRYPTED") != NULL) {
		r = arh_errf(err, ARH_ECRYPTO, "seal key '%s' is encrypted; "
		    "give the key as PKCS#12 with a password instead", path);
		goto out;
	}
	if ((b = BIO_new_mem_buf(buf, (int)len)) == NULL) {
		r = arh_errf(err, ARH_ENOMEM, "out of memory");
		goto out;
	}
	if ((*key = PEM_read_bio_PrivateKey(b, NULL, no_password, NULL)) ==
	    NULL) {
		r = ossl_err(err, ARH_ECRYPTO, "cannot read seal key '%s'",
		    path);
		goto out;
	}
	r = 0;
out:
	BIO_free(b);
	OPENSSL_cleanse(buf, len);
	free(buf);
	return r;
}

/* Append the certificates of `from` to s->chain, skipping the signer's
 * own and duplicates: CMS refuses to carry one certificate twice. */
static int
add_chain(struct arh_signer *s, STACK_OF(X509) *from, struct arh_err *err)
{
	X509 *x;
	int i, j, dup;

	for (i = 0; i < sk_X509_num(from); i++) {
		x = sk_X509_value(from, i);
		dup = X509_cmp(x, s->cert) == 0;
		for (j = 0; !dup && j < sk_X509_num(s->chain); j++)
			dup = X509_cmp(x, sk_X509_value(s->chain, j)) == 0;
		if (dup)
			continue;
		if (!X509_up_ref(x))
			return ossl_err(err, ARH_ECRYPTO, "cannot keep chain");
		if (!sk_X509_push(s->chain, x)) {
			X509_free(x);
			return arh_errf(err, ARH_ENOMEM, "out of memory");
		}
	}
	return 0;
}

/* Checks common to every way of loading a signer; fills s->subject. */
static int
signer_check(struct arh_signer *s, const char *keyname, const char *certname,
    struct arh_err *err)
{
	int id = EVP_PKEY_get_base_id(s->key);

	if (id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448)
		return arh_errf(err, ARH_ECRYPTO, "seal key '%s' is %s: "
		    "OpenSSL 3.0 cannot make CMS signatures with it; use "
		    "ECDSA P-256/P-384 or RSA", keyname,
		    id == EVP_PKEY_ED25519 ? "Ed25519" : "Ed448");
	if (X509_check_private_key(s->cert, s->key) != 1) {
		ERR_clear_error();
		return arh_errf(err, ARH_ECRYPTO, "seal key '%s' does not "
		    "match certificate '%s'", keyname, certname);
	}
	if ((s->subject = name_str(X509_get_subject_name(s->cert))) == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	return 0;
}

static struct arh_signer *
signer_new(void)
{
	struct arh_signer *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if ((s->chain = sk_X509_new_null()) == NULL) {
		free(s);
		return NULL;
	}
	s->fd = -1;
	return s;
}

int
arh_signer_load_pem(const char *keypath, const char *certpath,
    const char *chainpath, struct arh_signer **out, struct arh_err *err)
{
	struct arh_signer *s = NULL;
	STACK_OF(X509) *certs = NULL;
	int r;

	*out = NULL;
	ERR_clear_error();
	if ((s = signer_new()) == NULL) {
		r = arh_errf(err, ARH_ENOMEM, "out of memory");
		goto out;
	}
	if ((r = read_pem_key(keypath, &s->key, err)) != 0)
		goto out;
	/* The certificate file may carry its chain after the certificate. */
	if ((r = read_certs(certpath, CERT_FILE_MAX, &certs, err)) != 0)
		goto out;
	s->cert = sk_X509_shift(certs);
	if (chainpath != NULL &&
	    (r = read_certs(chainpath, CERT_FILE_MAX, &certs, err)) != 0)
		goto out;
	if ((r = add_chain(s, certs, err)) != 0 ||
	    (r = signer_check(s, keypath, certpath, err)) != 0)
		goto out;
	*out = s;
	s = NULL;	/* transferred */
	r = 0;
out:
	sk_X509_pop_free(certs, X509_free);
	arh_signer_free(s);
	ERR_clear_error();
	return r;
}

static int
parse_p12(const char *path, const char *password, struct arh_signer *s,
    STACK_OF(X509) **ca, struct arh_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	BIO *b = NULL;
	PKCS12 *p12 = NULL;
	int r;

	if ((r = read_setup_file(path, P12_FILE_MAX, &buf, &len,
	    err)) != 0)
		return r;
	if ((b = BIO_new_mem_buf(buf, (int)len)) == NULL) {
		r = arh_errf(err, ARH_ENOMEM, "out of memory");
		goto out;
	}
	if ((p12 = d2i_PKCS12_bio(b, NULL)) == NULL) {
		r = ossl_err(err, ARH_ECRYPTO, "'%s' is not a PKCS#12 file",
		    path);
		goto out;
	}
	/* NULL and "" both mean "no password"; PKCS12_parse() tries each
	 * of the two encodings of an empty password itself. */
	if (!PKCS12_parse(p12, password, &s->key, &s->cert, ca)) {
		if (last_error_is(ERR_LIB_PKCS12, PKCS12_R_MAC_VERIFY_FAILURE))
			r = arh_errf(err, ARH_ECRYPTO, "wrong password for "
			    "PKCS#12 file '%s'", path);
		else
			r = ossl_err(err, ARH_ECRYPTO, "cannot read PKCS#12 "
			    "file '%s'", path);
		goto out;
	}
	if (s->key == NULL || s->cert == NULL) {
		r = arh_errf(err, ARH_ECRYPTO, "PKCS#12 file '%s' holds no %s",
		    path, s->key == NULL ? "private key" : "certificate");
		goto out;
	}
	r = 0;
out:
	PKCS12_free(p12);
	BIO_free(b);
	/* An unencrypted PKCS#12 holds the key in clear. */
	OPENSSL_cleanse(buf, len);
	free(buf);
	return r;
}

int
arh_signer_load_p12(const char *p12path, const char *password,
    struct arh_signer **out, struct arh_err *err)
{
	struct arh_signer *s = NULL;
	STACK_OF(X509) *ca = NULL;
	int r;

	*out = NULL;
	ERR_clear_error();
	if ((s = signer_new()) == NULL) {
		r = arh_errf(err, ARH_ENOMEM, "out of memory");
		goto out;
	}
	if ((r = parse_p12(p12path, password, s, &ca, err)) != 0 ||
	    (r = add_chain(s, ca, err)) != 0 ||
	    (r = signer_check(s, p12path, p12path, err)) != 0)
		goto out;
	*out = s;
	s = NULL;	/* transferred */
	r = 0;
out:
	sk_X509_pop_free(ca, X509_free);
	arh_signer_free(s);
	ERR_clear_error();
	return r;
}

void
arh_signer_free(struct arh_signer *s)
{
	if (s == NULL)
		return;
	/* A remote signer's socket is borrowed: its owner closes it. */
	EVP_PKEY_free(s->key);	/* clears the key material */
	X509_free(s->cert);
	sk_X509_pop_free(s->chain, X509_free);
	free(s->subject);
	free(s);
}

const char *
arh_signer_subject(const struct arh_signer *s)
{
	return s->subject;
}

/* ------------------------------------------------------------------ */
/* Signing */

/* DER of cms into a malloc'd buffer. */
static int
cms_to_der(CMS_ContentInfo *cms, unsigned char **der, size_t *derlen,
    struct arh_err *err)
{
	unsigned char *buf, *p;
	int n;

	if ((n = i2d_CMS_ContentInfo(cms, NULL)) <= 0)
		return ossl_err(err, ARH_ECRYPTO, "cannot encode the seal");
	if ((buf = malloc((size_t)n)) == NULL)
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	p = buf;
	if (i2d_CMS_ContentInfo(cms, &p) != n) {
		free(buf);
		return ossl_err(err, ARH_ECRYPTO, "cannot encode the seal");
	}
	*der = buf;
	*derlen = (size_t)n;
	return 0;
}

/*
 * The seal process (a privilege-separated signer): the key stays in one
 * small process, and what parses untrusted input asks it over a
 * SOCK_SEQPACKET socket.  A request is one message: 'N' (the signer's
 * subject) or 'S' followed by the bytes to seal ('l' and 'L' are the
 * log's, log_signer.c).  The answer is one message: '0' and the subject or
 * the DER, or 'E' and an error message.
 */
#define SEAL_MAX_MSG	ARH_SEAL_MAX_MSG

int
arh_seal_roundtrip(int fd, char op, const void *data, size_t len,
    unsigned char **ans, size_t *anslen, struct arh_err *err)
{
	unsigned char *req, *buf;
	ssize_t r;

	*ans = NULL;
	*anslen = 0;
	if (len + 1 > SEAL_MAX_MSG)
		return arh_errf(err, ARH_EUSAGE, "cannot seal %zu bytes through "
		    "the seal process", len);
	if ((req = malloc(len + 1)) == NULL ||
	    (buf = malloc(SEAL_MAX_MSG)) == NULL) {
		free(req);
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	}
	req[0] = (unsigned char)op;
	if (len > 0)
		memcpy(req + 1, data, len);
	while ((r = send(fd, req, len + 1, MSG_NOSIGNAL)) == -1 &&
	    errno == EINTR)
		;
	free(req);
	if (r != (ssize_t)(len + 1)) {
		free(buf);
		return arh_errno(err, ARH_EIO, errno, "cannot reach the seal "
		    "process");
	}
	while ((r = recv(fd, buf, SEAL_MAX_MSG, 0)) == -1 && errno == EINTR)
		;
	if (r <= 0) {
		free(buf);
		return arh_errno(err, ARH_EIO, r == 0 ? EPIPE : errno, "no "
		    "answer from the seal process");
	}
	if (buf[0] != '0') {
		arh_errf(err, ARH_ECRYPTO, "the seal process: %.*s",
		    (int)(r - 1 > 1024 ? 1024 : r - 1), (const char *)buf + 1);
		free(buf);
		return ARH_ECRYPTO;
	}
	memmove(buf, buf + 1, (size_t)r - 1);
	*ans = buf;
	*anslen = (size_t)r - 1;
	return 0;
}

static int
remote_sign(const struct arh_signer *s, const void *data, size_t len,
    unsigned char **der, size_t *derlen, struct arh_err *err)
{
	return arh_seal_roundtrip(s->fd, 'S', data, len, der, derlen, err);
}

int
arh_signer_remote(int fd, struct arh_signer **out, struct arh_err *err)
{
	struct arh_signer *s;
	unsigned char *ans;
	size_t len;
	int rc;

	*out = NULL;
	if ((rc = arh_seal_roundtrip(fd, 'N', NULL, 0, &ans, &len, err)) != 0)
		return rc;
	if ((s = signer_new()) == NULL ||
	    (s->subject = strndup((const char *)ans, len)) == NULL) {
		free(ans);
		arh_signer_free(s);
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	}
	free(ans);
	s->fd = fd;
	*out = s;
	return 0;
}

int
arh_seal_answer(const struct arh_signer *s, const unsigned char *req,
    size_t len, unsigned char **ans, size_t *anslen)
{
	unsigned char *der = NULL, *a;
	const char *text = NULL;
	struct arh_err err;
	size_t derlen = 0, n;
	char kind = '0';

	arh_err_clear(&err);
	if (len == 1 && req[0] == 'N') {
		text = s->subject;
		n = strlen(text);
	} else if (len >= 1 && req[0] == 'S' && arh_seal_sign(s, req + 1,
	    len - 1, &der, &derlen, &err) == 0) {
		n = derlen;
	} else {
		if (len == 0 || req[0] != 'S')
			arh_errf(&err, ARH_EUSAGE, "unknown request");
		kind = 'E';
		text = err.msg;
		n = strlen(text);
	}
	if ((a = malloc(n + 1)) == NULL) {
		free(der);
		return ARH_ENOMEM;
	}
	a[0] = (unsigned char)kind;
	memcpy(a + 1, der != NULL ? (const void *)der : (const void *)text, n);
	free(der);
	*ans = a;
	*anslen = n + 1;
	return 0;
}

int
arh_seal_sign(const struct arh_signer *s, const void *data, size_t len,
    unsigned char **der, size_t *derlen, struct arh_err *err)
{
	/* No S/MIME capabilities: they say what a mail client can decrypt,
	 * which means nothing for a seal.  CMS_CADES adds the ESS
	 * signing-certificate-v2 attribute (SHA-256 of the signer cert). */
	const unsigned int flags = CMS_BINARY | CMS_DETACHED | CMS_CADES |
	    CMS_NOSMIMECAP;
	CMS_ContentInfo *cms = NULL;
	BIO *in = NULL;
	int i, r;

	*der = NULL;
	*derlen = 0;
	if (s->key == NULL)
		return remote_sign(s, data, len, der, derlen, err);
	ERR_clear_error();
	if (len > INT_MAX) {
		r = arh_errf(err, ARH_EUSAGE, "cannot seal %zu bytes", len);
		goto out;
	}
	if ((in = BIO_new_mem_buf(len > 0 ? data : "", (int)len)) == NULL) {
		r = arh_errf(err, ARH_ENOMEM, "out of memory");
		goto out;
	}
	/* CMS_PARTIAL: an empty SignedData, so the digest can be chosen.
	 * CMS_add1_signer() adds the signer certificate and signingTime. */
	if ((cms = CMS_sign(NULL, NULL, NULL, NULL, flags | CMS_PARTIAL)) ==
	    NULL ||
	    CMS_add1_signer(cms, s->cert, s->key, EVP_sha256(), flags) ==
	    NULL) {
		r = ossl_err(err, ARH_ECRYPTO, "cannot prepare the seal");
		goto out;
	}
	for (i = 0; i < sk_X509_num(s->chain); i++)
		if (!CMS_add1_cert(cms, sk_X509_value(s->chain, i))) {
			r = ossl_err(err, ARH_ECRYPTO, "cannot add the chain");
			goto out;
		}
	if (!CMS_final(cms, in, NULL, flags)) {
		r = ossl_err(err, ARH_ECRYPTO, "cannot sign");
		goto out;
	}
	r = cms_to_der(cms, der, derlen, err);
out:
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	ERR_clear_error();
	return r;
}

/* ------------------------------------------------------------------ */
/* Trust */

int
arh_trust_load(const char *const *paths, size_t npaths,
    struct arh_trust **out, struct arh_err *err)
{
	struct arh_trust *t = NULL;
	STACK_OF(X509) *certs = NULL;
	size_t i;
	int j, r;

	*out = NULL;
	ERR_clear_error();
	if (npaths == 0) {
		r = arh_errf(err, ARH_EUSAGE, "no trust anchor file given");
		goto out;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->store = X509_STORE_new()) == NULL) {
		r = arh_errf(err, ARH_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < npaths; i++)
		if ((r = read_certs(paths[i], TRUST_FILE_MAX, &certs, err)) != 0)
			goto out;
	for (j = 0; j < sk_X509_num(certs); j++)
		/* A certificate listed twice is harmless; add_cert() says
		 * so with a return of 1 in OpenSSL 3. */
		if (!X509_STORE_add_cert(t->store, sk_X509_value(certs, j))) {
			r = ossl_err(err, ARH_ECRYPTO, "cannot add a trust "
			    "anchor");
			goto out;
		}
	*out = t;
	t = NULL;	/* transferred */
	r = 0;
out:
	sk_X509_pop_free(certs, X509_free);
	arh_trust_free(t);
	ERR_clear_error();
	return r;
}

void
arh_trust_free(struct arh_trust *t)
{
	if (t == NULL)
		return;
	X509_STORE_free(t->store);
	free(t);
}

/* ------------------------------------------------------------------ */
/* Parsing a seal */

static void
parsed_release(struct parsed *p)
{
	CMS_ContentInfo_free(p->cms);
	sk_X509_pop_free(p->certs, X509_free);
	memset(p, 0, sizeof(*p));
}

static void
fill_cert_info(X509 *x, struct arh_seal_info *info)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	BIGNUM *bn;
	char *s;

	if ((s = name_str(X509_get_subject_name(x))) != NULL)
		copy_trunc(info->subject, sizeof(info->subject), s);
	free(s);
	if ((s = name_str(X509_get_issuer_name(x))) != NULL)
		copy_trunc(info->issuer, sizeof(info->issuer), s);
	free(s);
	if ((bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL)) !=
	    NULL && (s = BN_bn2hex(bn)) != NULL) {
		char *c;

		/* Lower case, like every other hex string we print. */
		for (c = s; *c != '\0'; c++)
			if (*c >= 'A' && *c <= 'F')
				*c = (char)(*c - 'A' + 'a');
		copy_trunc(info->serial, sizeof(info->serial), s);
		OPENSSL_free(s);
	}
	BN_free(bn);
	if (X509_digest(x, EVP_sha256(), md, &mdlen) && mdlen == 32)
		arh_hex(md, mdlen, info->cert_sha256);
}

/*
 * The signingTime signed attribute, if any.  Absent is fine (p->has_time
 * stays 0); present but malformed is an error, never a silent fallback
 * to the current time.
 */
static int
read_signing_time(struct parsed *p, struct arh_seal_info *info, int code,
    struct arh_err *err)
{
	X509_ATTRIBUTE *attr;
	ASN1_TYPE *at;
	struct tm tm;
	int idx, type;

	idx = CMS_signed_get_attr_by_NID(p->si, NID_pkcs9_signingTime, -1);
	if (idx < 0)
		return 0;
	attr = CMS_signed_get_attr(p->si, idx);
	if (CMS_signed_get_attr_by_NID(p->si, NID_pkcs9_signingTime, idx) >= 0 ||
	    X509_ATTRIBUTE_count(attr) != 1 ||
	    (at = X509_ATTRIBUTE_get0_type(attr, 0)) == NULL)
		return arh_errf(err, code, "malformed signingTime attribute");
	type = ASN1_TYPE_get(at);
	memset(&tm, 0, sizeof(tm));
	if ((type != V_ASN1_UTCTIME && type != V_ASN1_GENERALIZEDTIME) ||
	    !ASN1_TIME_to_tm(at->value.asn1_string, &tm))
		return arh_errf(err, code, "malformed signingTime attribute");
	p->signing_time = timegm(&tm);
	p->has_time = 1;
	if (info != NULL)
		strftime(info->signing_time, sizeof(info->signing_time),
		    "%Y-%m-%dT%H:%M:%SZ", &tm);
	return 0;
}

/*
 * Parse a seal and fill info as far as it goes.  Failures about the
 * input itself get `code` (ARH_EVERIFY when verifying, ARH_EFORMAT when
 * peeking).
 */
static int
seal_parse(const void *der, size_t derlen, int code, struct parsed *p,
    struct arh_seal_info *info, struct arh_err *err)
{
	const unsigned char *q = der;
	STACK_OF(CMS_SignerInfo) *sinfos;
	int i, n, nid;

	memset(p, 0, sizeof(*p));
	if (der == NULL || derlen == 0)
		return arh_errf(err, code, "not a CMS SignedData: empty");
	if (derlen > ARH_MAX_SIG_BYTES)
		return arh_errf(err, code, "not a CMS SignedData: %zu bytes, "
		    "at most %d", derlen, ARH_MAX_SIG_BYTES);
	if ((p->cms = d2i_CMS_ContentInfo(NULL, &q, (long)derlen)) == NULL)
		return ossl_err(err, code, "not a CMS SignedData");
	if ((size_t)(q - (const unsigned char *)der) != derlen)
		return arh_errf(err, code, "not a CMS SignedData: %zu bytes "
		    "of trailing data", derlen -
		    (size_t)(q - (const unsigned char *)der));
	if ((nid = OBJ_obj2nid(CMS_get0_type(p->cms))) != NID_pkcs7_signed)
		return arh_errf(err, code, "not a CMS SignedData: content "
		    "type is %s", nid == NID_undef ? "unknown" :
		    OBJ_nid2sn(nid));
	sinfos = CMS_get0_SignerInfos(p->cms);
	if ((n = sk_CMS_SignerInfo_num(sinfos)) <= 0)
		return arh_errf(err, code, "the seal has no signer");
	p->si = sk_CMS_SignerInfo_value(sinfos, 0);
	p->certs = CMS_get1_certs(p->cms);
	for (i = 0; p->signer == NULL && i < sk_X509_num(p->certs); i++)
		if (CMS_SignerInfo_cert_cmp(p->si, sk_X509_value(p->certs, i))
		    == 0)
			p->signer = sk_X509_value(p->certs, i);
	if (p->signer != NULL && info != NULL)
		fill_cert_info(p->signer, info);
	if ((i = read_signing_time(p, info, code, err)) != 0)
		return i;
	if (n != 1)
		return arh_errf(err, code, "the seal has %d signers, expected "
		    "one", n);
	if (p->signer == NULL)
		return arh_errf(err, code, "the seal does not include the "
		    "signer certificate");
	/* CMS_get1_certs() and friends may leave harmless entries that would
	 * otherwise pose as the reason of a later failure. */
	ERR_clear_error();
	return 0;
}

int
arh_seal_peek(const void *der, size_t derlen, struct arh_seal_info *info,
    struct arh_err *err)
{
	struct parsed p;
	int r;

	if (info != NULL)
		memset(info, 0, sizeof(*info));
	ERR_clear_error();
	r = seal_parse(der, derlen, ARH_EFORMAT, &p, info, err);
	parsed_release(&p);
	ERR_clear_error();
	return r;
}

/* ------------------------------------------------------------------ */
/* Verification */

/*
 * Step into (enter) or over (skip) the next DER element of [*q, *end),
 * which must have the given tag and class.  Only for a definite-length
 * encoding that OpenSSL made itself.
 */
static int
der_next(const unsigned char **q, const unsigned char **end, int tag,
    int class, int enter)
{
	const unsigned char *p = *q;
	long len;
	int t, c;

	if ((ASN1_get_object(&p, &len, &t, &c, *end - *q) & 0x81) != 0 ||
	    t != tag || c != class)
		return 0;
	if (enter)
		*end = p + len;
	*q = enter ? p : p + len;
	return 1;
}

/*
 * The digestAlgorithms SET of the SignedData (RFC 5652 section 5.1), for
 * which OpenSSL 3 has no getter: read from a DER re-encoding of the seal
 * (seal_parse() also takes BER), as ContentInfo SEQUENCE { contentType,
 * [0] EXPLICIT SignedData SEQUENCE { version, digestAlgorithms, ... } }.
 */
static int
digest_algs(CMS_ContentInfo *cms, STACK_OF(X509_ALGOR) **out,
    struct arh_err *err)
{
	unsigned char *der = NULL;
	const unsigned char *q, *end;
	STACK_OF(X509_ALGOR) *algs = NULL;
	X509_ALGOR *a;
	int n, r;

	*out = NULL;
	if ((n = i2d_CMS_ContentInfo(cms, &der)) <= 0)
		return ossl_err(err, ARH_ECRYPTO, "cannot encode the seal");
	q = der;
	end = der + n;
	if (!der_next(&q, &end, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, 1) ||
	    !der_next(&q, &end, V_ASN1_OBJECT, V_ASN1_UNIVERSAL, 0) ||
	    !der_next(&q, &end, 0, V_ASN1_CONTEXT_SPECIFIC, 1) ||
	    !der_next(&q, &end, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL, 1) ||
	    !der_next(&q, &end, V_ASN1_INTEGER, V_ASN1_UNIVERSAL, 0) ||
	    !der_next(&q, &end, V_ASN1_SET, V_ASN1_UNIVERSAL, 1)) {
		r = arh_errf(err, ARH_EINTERNAL, "cannot find the seal's "
		    "digest algorithms");
		goto out;
	}
	if ((algs = sk_X509_ALGOR_new_null()) == NULL) {
		r = arh_errf(err, ARH_ENOMEM, "out of memory");
		goto out;
	}
	while (q < end) {
		if ((a = d2i_X509_ALGOR(NULL, &q, end - q)) == NULL) {
			r = ossl_err(err, ARH_ECRYPTO, "cannot read the seal's "
			    "digest algorithms");
			goto out;
		}
		if (!sk_X509_ALGOR_push(algs, a)) {
			X509_ALGOR_free(a);
			r = arh_errf(err, ARH_ENOMEM, "out of memory");
			goto out;
		}
	}
	*out = algs;
	algs = NULL;	/* transferred */
	r = 0;
out:
	sk_X509_ALGOR_pop_free(algs, X509_ALGOR_free);
	OPENSSL_free(der);
	return r;
}

/*
 * The SignedData's digestAlgorithms must be the signer's digest algorithm
 * alone: the one digest a seal of one signer needs, and all our writer
 * puts there.  CMS_verify() sets up a digest of the content for every
 * entry before it checks any, and OpenSSL 3.0 leaks its copy of the
 * content when that fails (an empty set, an unknown algorithm, one only
 * the legacy provider has such as MD4); what it would not fail on, an
 * extra or another digest, is no seal we make either.
 */
static int
check_digest_algs(struct parsed *p, struct arh_err *err)
{
	STACK_OF(X509_ALGOR) *algs;
	X509_ALGOR *dig;
	char want[80], got[80];
	int n, r;

	CMS_SignerInfo_get0_algs(p->si, NULL, NULL, &dig, NULL);
	if ((r = digest_algs(p->cms, &algs, err)) != 0)
		return r;
	OBJ_obj2txt(want, sizeof(want), dig->algorithm, 0);
	if ((n = sk_X509_ALGOR_num(algs)) == 0)
		r = arh_errf(err, ARH_EVERIFY, "the seal lists no digest "
		    "algorithm; expected the signer's %s", want);
	else if (n > 1)
		r = arh_errf(err, ARH_EVERIFY, "the seal lists %d digest "
		    "algorithms; expected only the signer's %s", n, want);
	else if (OBJ_cmp(sk_X509_ALGOR_value(algs, 0)->algorithm,
	    dig->algorithm) != 0) {
		OBJ_obj2txt(got, sizeof(got),
		    sk_X509_ALGOR_value(algs, 0)->algorithm, 0);
		r = arh_errf(err, ARH_EVERIFY, "the seal lists the digest "
		    "algorithm %s, not the signer's %s", got, want);
	}
	sk_X509_ALGOR_pop_free(algs, X509_ALGOR_free);
	return r;
}

/*
 * The signature over the signed attributes and the content digest, by
 * CMS_verify() itself.  The certificate chain is checked separately in
 * check_chain(), where the verification time can be set per call.
 *
 * The content goes in behind a null filter, not as the memory BIO itself:
 * OpenSSL 3.0's CMS_verify() copies a memory BIO's content into a BIO of
 * its own, which it does not free when setting up the digests fails (see
 * check_digest_algs(); a signer digest that cannot be computed, with no
 * signed attributes, still gets there).  Any other BIO it uses as given.
 */
static int
check_signature(struct parsed *p, const void *data, size_t len,
    struct arh_err *err)
{
	BIO *in = NULL, *mem;
	char rbuf[256];
	unsigned long first;
	int r;

	if (!CMS_is_detached(p->cms))
		return arh_errf(err, ARH_EVERIFY, "the seal embeds its content; "
		    "expected a detached signature");
	if ((r = check_digest_algs(p, err)) != 0)
		return r;
	if ((mem = BIO_new_mem_buf(len > 0 ? data : "", (int)len)) == NULL ||
	    (in = BIO_new(BIO_f_null())) == NULL) {
		BIO_free(mem);
		return arh_errf(err, ARH_ENOMEM, "out of memory");
	}
	in = BIO_push(in, mem);
	if (CMS_verify(p->cms, NULL, NULL, in, NULL, CMS_BINARY |
	    CMS_DETACHED | CMS_NO_SIGNER_CERT_VERIFY) != 1) {
		first = ERR_peek_error();
		if (!last_error_is(ERR_LIB_CMS, CMS_R_CONTENT_VERIFY_ERROR))
			r = ossl_err(err, ARH_EVERIFY, "the seal signature is "
			    "invalid");
		else if (ERR_GET_LIB(first) == ERR_LIB_CMS &&
		    ERR_GET_REASON(first) == CMS_R_VERIFICATION_FAILURE)
			r = arh_errf(err, ARH_EVERIFY, "signature does not "
			    "match the signed content");
		else
			r = arh_errf(err, ARH_EVERIFY, "signature does not "
			    "match the signed content: %s",
			    ossl_reason(rbuf, sizeof(rbuf)));
	}
	BIO_free_all(in);
	return r;
}

/*
 * The signer's chain up to a trust anchor, at the signing time when the
 * seal has one: an archive stays valid after its seal certificate
 * expires.  Purpose "any", because an organisation's e-seal certificate
 * need not carry the emailProtection usage.  PARTIAL_CHAIN: every
 * certificate in a trust file is an anchor, so an operator may trust an
 * issuing CA or pin one seal certificate without its root.
 */
static int
check_chain(const struct arh_trust *t, struct parsed *p,
    STACK_OF(X509) **chain, struct arh_err *err)
{
	X509_STORE_CTX *ctx;
	X509_VERIFY_PARAM *param;
	char when[64] = "";
	struct tm tm;
	int e, r = 0;

	*chain = NULL;
	if ((ctx = X509_STORE_CTX_new()) == NULL ||
	    !X509_STORE_CTX_init(ctx, t->store, p->signer, p->certs)) {
		X509_STORE_CTX_free(ctx);
		return ossl_err(err, ARH_ECRYPTO, "cannot check the chain");
	}
	param = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_ANY);
	X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
	X509_VERIFY_PARAM_set_time(param, p->has_time ? p->signing_time :
	    time(NULL));
	if (X509_verify_cert(ctx) != 1) {
		e = X509_STORE_CTX_get_error(ctx);
		if (p->has_time && gmtime_r(&p->signing_time, &tm) != NULL)
			strftime(when, sizeof(when),
			    " (checked at the signing time %Y-%m-%dT%H:%M:%SZ)",
			    &tm);
		r = arh_errf(err, ARH_EVERIFY, "signer certificate is not "
		    "trusted: %s%s", e != X509_V_OK ?
		    X509_verify_cert_error_string(e) : "verification failed",
		    when);
	} else if ((*chain = X509_STORE_CTX_get1_chain(ctx)) == NULL)
		r = arh_errf(err, ARH_ENOMEM, "out of memory");
	X509_STORE_CTX_free(ctx);
	return r;
}

/*
 * An ESS signing-certificate(-v2) attribute, decoded; 0 when absent,
 * -1 when malformed.  -3: exactly one attribute with exactly one value.
 */
static int
ess_attr(CMS_SignerInfo *si, int nid, void **out)
{
	const ASN1_STRING *str;
	const unsigned char *q;

	*out = NULL;
	if (CMS_signed_get_attr_by_NID(si, nid, -1) < 0)
		return 0;
	str = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(nid), -3,
	    V_ASN1_SEQUENCE);
	if (str == NULL)
		return -1;
	q = ASN1_STRING_get0_data(str);
	if (nid == NID_id_smime_aa_signingCertificateV2)
		*out = d2i_ESS_SIGNING_CERT_V2(NULL, &q,
		    ASN1_STRING_length(str));
	else
		*out = d2i_ESS_SIGNING_CERT(NULL, &q, ASN1_STRING_length(str));
	return *out != NULL ? 1 : -1;
}

/*
 * The CAdES signing-certificate check that CMS_verify() does under
 * CMS_CADES, done here because it needs the chain from check_chain().
 * Seals from tools without the attribute are accepted; a present
 * attribute must name the signer certificate.
 */
static int
check_ess(struct parsed *p, STACK_OF(X509) *chain, struct arh_err *err)
{
	void *v1 = NULL, *v2 = NULL;
	int r = 0;

	if (ess_attr(p->si, NID_id_smime_aa_signingCertificate, &v1) < 0 ||
	    ess_attr(p->si, NID_id_smime_aa_signingCertificateV2, &v2) < 0)
		r = arh_errf(err, ARH_EVERIFY, "malformed signing-certificate "
		    "attribute");
	else if ((v1 != NULL || v2 != NULL) &&
	    OSSL_ESS_check_signing_certs(v1, v2, chain, 1) != 1)
		r = ossl_err(err, ARH_EVERIFY, "signer certificate does not "
		    "match the seal's signing-certificate attribute");
	ESS_SIGNING_CERT_free(v1);
	ESS_SIGNING_CERT_V2_free(v2);
	return r;
}

/*
 * The profile the writer seals with (docs/FORMAT.md, section 6): signed
 * attributes content-type, message-digest, signing-time and
 * signing-certificate-v2.  CMS lets all of them be absent; a seal without
 * them has no time of sealing and names no certificate, and no writer of
 * this format makes one.
 */
static int
check_profile(struct parsed *p, struct arh_err *err)
{
	static const struct {
		int nid;
		const char *name;
	} need[] = {
		{ NID_pkcs9_contentType, "content-type" },
		{ NID_pkcs9_messageDigest, "message-digest" },
		{ NID_pkcs9_signingTime, "signing-time" },
		{ NID_id_smime_aa_signingCertificateV2,
		    "signing-certificate-v2" },
	};
	size_t i;

	if (CMS_signed_get_attr_count(p->si) <= 0)
		return arh_errf(err, ARH_EVERIFY, "the seal has no signed "
		    "attributes (no time of sealing, no signing certificate); "
		    "this format's seals always have them");
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (CMS_signed_get_attr_by_NID(p->si, need[i].nid, -1) < 0)
			return arh_errf(err, ARH_EVERIFY, "the seal has no %s "
			    "signed attribute; this format's seals always have "
			    "one", need[i].name);
	return 0;
}

int
arh_seal_verify(const struct arh_trust *t, const void *data, size_t len,
    const void *der, size_t derlen, struct arh_seal_info *info,
    struct arh_err *err)
{
	struct parsed p;
	STACK_OF(X509) *chain = NULL;
	int r;

	memset(&p, 0, sizeof(p));
	if (info != NULL)
		memset(info, 0, sizeof(*info));
	ERR_clear_error();
	if (len > INT_MAX) {
		r = arh_errf(err, ARH_EUSAGE, "cannot verify %zu bytes", len);
		goto out;
	}
	if ((r = seal_parse(der, derlen, ARH_EVERIFY, &p, info, err)) != 0 ||
	    (r = check_signature(&p, data, len, err)) != 0 ||
	    (r = check_chain(t, &p, &chain, err)) != 0 ||
	    (r = check_ess(&p, chain, err)) != 0 ||
	    (r = check_profile(&p, err)) != 0)
		goto out;
	r = 0;
out:
	sk_X509_pop_free(chain, X509_free);
	parsed_release(&p);
	ERR_clear_error();
	return r;
}
