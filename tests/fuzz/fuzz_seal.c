/*
 * fuzz_seal.c — libFuzzer target: arbitrary bytes as a seal, through
 * arh_seal_peek() and arh_seal_verify() over a fixed content.
 *
 * The trust anchor is the seal certificate that signed the seeds in
 * tests/fuzz/corpus/seal/ (made once with arh_seal_generate(), key
 * discarded), so mutations of trusted.p7s reach every verification step:
 * parse, signature, content, chain and signing-certificate check.  The
 * seeds stay valid after the certificate expires because the chain is
 * checked at their signingTime.  Seeds (all over CONTENT below):
 *   trusted.p7s        a valid seal
 *   other-content.p7s  same signer, other content
 *   untrusted.p7s      a signer that is not in the trust store
 *   regress-cms-verify-leak-*.p7s
 *                      trusted.p7s with its digestAlgorithms set empty,
 *                      holding an unknown OID (what fuzz_seal found) or
 *                      an extra MD4, and without signed attributes over an
 *                      unknown digest: OpenSSL 3.0's CMS_verify() leaked
 *                      on each (docs/RELIABILITY.md, B14)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arhiivar/seal.h"
#include "util.h"

#define CONTENT	"fuzz_seal content: sha512 manifest line\n"

static const char anchor_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBzjCCAXSgAwIBAgIRAN5KcF6bImLyoB3xpa1faNMwCgYIKoZIzj0EAwIwLDEW\n"
	"MBQGA1UECgwNQXJoaWl2YXIgRnV6ejESMBAGA1UEAwwJRnV6eiBTZWFsMCAXDTI2\n"
	"MTEyODA1MDQzMFoYDzIxMjYxMTA0MDUwNDMwWjAsMRYwFAYDVQQKDA1BcmhpaXZh\n"
	"ciBGdXp6MRIwEAYDVQQDDAlGdXp6IFNlYWwwWTATBgcqhkjOPQIBBggqhkjOPQMB\n"
	"BwNCAARuaA0NwTrkmTirLd3TX7T4eg54wy8x1am3Z6uAMl/OIVYWW8rBOGD+HQla\n"
	"ukQD5hdo0hKA0/Ih6GuDuI/+fC0ao3UwczAMBgNVHRMBAf8EAjAAMA4GA1UdDwEB\n"
	"/wQEAwIGwDATBgNVHSUEDDAKBggrBgEFBQcDBDAdBgNVHQ4EFgQUmxaqb1RSyoff\n"
	"+YgVfzbn6kppx4wwHwYDVR0jBBgwFoAUmxaqb1RSyoff+YgVfzbn6kppx4wwCgYI\n"
	"KoZIzj0EAwIDSAAwRQIhAKdcfmrWmRYeewTwmDX5Iri4kcneyhmgXYLe6rw1HhwY\n"
	"AiB9ZfqYSw9GbW2pJasY0Jir6SvQloHgDM7Ny9V35GuLcQ==\n"
	"-----END CERTIFICATE-----\n"
;

static struct arh_trust *trust;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[] = "/tmp/fuzz-seal-XXXXXX";
	const char *paths[1] = { path };
	struct arh_err err;
	int fd;

	(void)argc;
	(void)argv;
	if ((fd = mkstemp(path)) == -1 ||
	    arh_write_all(fd, anchor_pem, sizeof(anchor_pem) - 1) == -1) {
		perror("fuzz_seal: trust anchor");
		abort();
	}
	close(fd);
	if (arh_trust_load(paths, 1, &trust, &err) != 0) {
		fprintf(stderr, "fuzz_seal: %s\n", err.msg);
		abort();
	}
	unlink(path);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arh_seal_info info;
	struct arh_err err;

	arh_err_clear(&err);
	(void)arh_seal_peek(data, size, &info, &err);
	arh_err_clear(&err);
	if (arh_seal_verify(trust, CONTENT, sizeof(CONTENT) - 1, data, size,
	    &info, &err) != 0 && err.msg[0] == '\0')
		abort();	/* every failure must say why */
	return 0;
}
