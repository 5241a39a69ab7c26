/*
 * note.h — signed notes (c2sp.org/signed-note) with Ed25519 keys, the
 * checkpoints of our transparency log (c2sp.org/tlog-checkpoint), inclusion
 * proofs (c2sp.org/tlog-proof@v1) and our own consistency-proof file.
 *
 * Everything here is text an independent verifier reads, so every writer
 * emits exactly what the matching parser accepts, byte for byte, and every
 * parser is strict: it refuses what the specification does not allow (a CR,
 * a missing final newline, base64 that is not canonical RFC 4648 section 4
 * with padding, a decimal with a leading zero or beyond 2^64 - 1, an empty
 * origin, ...).  A parser's message says which line is wrong and how:
 * "note line 4: signature is not canonical base64".  Parsers never read
 * past `len` and never need a NUL terminator; every input has a cap (the
 * ARH_NOTE_* and ARH_PROOF_* limits below, also on every line).
 *
 * Errors: ARH_EFORMAT for malformed input, ARH_EVERIFY for a note that no
 * signature by the given key verifies, ARH_EUSAGE for arguments a writer
 * cannot represent (an invalid key name, a text that is not a note text,
 * too many hashes, ...), ARH_ECRYPTO for key and OpenSSL failures,
 * ARH_ENOMEM.  On failure every out-parameter is NULL, 0 or zeroed.
 *
 * Ownership: strings and arrays handed out are malloc'd and belong to the
 * caller (free() or the matching _release()), except arh_note_open()'s
 * text, which points into the note it was given.  Nothing here keeps state
 * between calls; all of it is thread-safe.
 */
#ifndef ARHIIVAR_NOTE_H
#define ARHIIVAR_NOTE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "arhiivar/error.h"

#define ARH_NOTE_MAX		(1024 * 1024)	/* a whole note or body */
#define ARH_NOTE_MAX_LINE	8192		/* any line, without its \n */
#define ARH_NOTE_MAX_SIGS	100		/* signature lines in a note */
#define ARH_PROOF_MAX_HASHES	64		/* hashes in either proof */
/* A tlog proof: its checkpoint (a note) plus the header, extra and hash
 * lines in front of it. */
#define ARH_TLOG_PROOF_MAX	(ARH_NOTE_MAX + 16 * 1024)
#define ARH_CONSISTENCY_PROOF_MAX	4096

#define ARH_NOTE_PUB_LEN	32	/* an Ed25519 public key */
#define ARH_NOTE_KEY_ID_LEN	4	/* a key ID, big-endian */
#define ARH_HASH_LEN		32	/* a SHA-256 Merkle tree hash */

/* ------------------------------------------------------------------ */
/* Keys */

/*
 * A key name (the signer's name in a signature line and a verifier key) is
 * non-empty UTF-8 of at most ARH_NOTE_MAX_LINE bytes without a control
 * character below U+0020, a '+' or a Unicode space (the White_Space
 * property, as Go's unicode.IsSpace: U+0009..U+000D, U+0020, U+0085,
 * U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000).
 * 1 if name[0..len) is one.
 */
int arh_note_name_valid(const char *name, size_t len);

/* A new Ed25519 key; free with EVP_PKEY_free().  0 or ARH_ECRYPTO. */
int arh_note_key_generate(EVP_PKEY **out, struct arh_err *err);

/* The raw 32-byte public key of an Ed25519 key; ARH_ECRYPTO if k is not
 * one. */
int arh_note_key_public(const EVP_PKEY *k, unsigned char pub[32],
    struct arh_err *err);

/*
 * The key ID of an Ed25519 key under a name: the first 4 bytes of
 * SHA-256(name || 0x0A || 0x01 || pub), 0x01 being the signature type of
 * Ed25519.  ARH_EUSAGE if name is not a key name, ARH_ECRYPTO if OpenSSL
 * cannot hash.
 */
int arh_note_key_id(const char *name, const unsigned char pub[32],
    unsigned char id[4], struct arh_err *err);

/*
 * The verifier key "<name>+<key ID as 8 lower-case hex digits>+
 * <base64(0x01 || pub)>", NUL-terminated, in *out.
 */
int arh_note_vkey(const char *name, const unsigned char pub[32], char **out,
    struct arh_err *err);

/*
 * Parse a NUL-terminated verifier key of signature type 0x01 (Ed25519):
 * a valid name, exactly 8 lower-case hex digits equal to the key ID
 * computed from name and key, canonical base64 of 33 bytes.  *name is
 * malloc'd.  ARH_EFORMAT otherwise (another signature type included).
 */
int arh_note_vkey_parse(const char *vkey, char **name, unsigned char pub[32],
    struct arh_err *err);

/* ------------------------------------------------------------------ */
/* Signed notes */

/*
 * Sign text[0..len) with the Ed25519 key `key` under `name`:
 *   *out = text || "\n" || "— " name " " base64(key ID || signature) "\n"
 * (the dash is U+2014), NUL-terminated, *outlen bytes before the NUL.  The
 * text must be a note text: non-empty, ending in "\n", UTF-8 without a
 * control character other than "\n", no line longer than
 * ARH_NOTE_MAX_LINE, and short enough that the note stays within
 * ARH_NOTE_MAX (ARH_EUSAGE otherwise).  Empty lines, even a last one, are
 * allowed: a reader splits at the last blank line of the note.
 */
int arh_note_sign(const char *text, size_t len, const char *name,
    EVP_PKEY *key, char **out, size_t *outlen, struct arh_err *err);

/*
 * Open the signed note note[0..len) with the Ed25519 key (name, pub).
 *
 * Format (ARH_EFORMAT otherwise): at most ARH_NOTE_MAX bytes of UTF-8
 * without control characters but "\n", ending in "\n", no line longer than
 * ARH_NOTE_MAX_LINE; the text is everything up to and including the "\n"
 * before the last blank line; after that blank line come 1 to
 * ARH_NOTE_MAX_SIGS signature lines "— <key name> <base64>" whose base64 is
 * canonical and holds at least 5 bytes (a key ID and a signature).
 *
 * Every line by (name, key ID) must hold a 64-byte signature that verifies;
 * one that does not fails the whole note, and so does a note without any
 * (ARH_EVERIFY).  Lines by other keys are ignored, as the specification
 * demands, even when they share the name or the key ID (but not both).
 * On success *text and *textlen give the signed text, final newline
 * included, inside `note`.
 */
int arh_note_open(const char *note, size_t len, const char *name,
    const unsigned char pub[32], const char **text, size_t *textlen,
    struct arh_err *err);

/* ------------------------------------------------------------------ */
/* Checkpoints (the text of the log's signed note) */

/*
 * A checkpoint body is three or more non-empty lines, each ending in "\n":
 *   <origin>      any note-text line (we sign it under a key of the same
 *                 name, which arh_note_sign() then checks is a key name)
 *   <tree size>   decimal, no leading zero ("0" for the empty tree)
 *   <root hash>   canonical base64 of 32 bytes
 *   [extension lines]
 * arh_checkpoint_format() writes exactly the first three lines (we write no
 * extension lines: the struct has none); arh_checkpoint_parse() accepts and
 * ignores extension lines, as tlog-checkpoint says clients must.
 */
struct arh_checkpoint {
	char		*origin;	/* malloc'd, NUL-terminated */
	uint64_t	 size;
	unsigned char	 root[ARH_HASH_LEN];
};

/* *body malloc'd, NUL-terminated; ARH_EUSAGE for an origin that is empty,
 * not UTF-8, longer than a line or holding a control character. */
int arh_checkpoint_format(const struct arh_checkpoint *c, char **body,
    size_t *len, struct arh_err *err);
int arh_checkpoint_parse(const char *body, size_t len,
    struct arh_checkpoint *c, struct arh_err *err);
/* Free the contents and zero c; c may be NULL. */
void arh_checkpoint_release(struct arh_checkpoint *c);

/* ------------------------------------------------------------------ */
/* Inclusion proofs: c2sp.org/tlog-proof@v1 */

/*
 *   c2sp.org/tlog-proof@v1
 *   [extra <canonical base64 of 1 or more bytes>]
 *   index <decimal, no leading zero>
 *   <0 to ARH_PROOF_MAX_HASHES lines: canonical base64 of a 32-byte hash,
 *    leaf's sibling first, root's child last (RFC 6962 PATH)>
 *   <empty line>
 *   <the checkpoint, a whole signed note, verbatim to the end>
 * The extra line is written only when extra_len > 0.  Both sides check
 * that the checkpoint is a well-formed note whose text is a well-formed
 * checkpoint body; neither verifies a signature nor the proof itself (that
 * the index is below the tree size, that the number of hashes fits, that
 * they lead to the root): that is the verifier's job, with the leaf hash.
 * Messages about the checkpoint count lines from the top of the proof.
 */
struct arh_tlog_proof {
	uint64_t	 index;
	unsigned char	(*hashes)[ARH_HASH_LEN];  /* n hashes, malloc'd */
	size_t		 n;
	char		*extra;		/* extra_len opaque bytes or NULL */
	size_t		 extra_len;
	char		*checkpoint;	/* the signed note, NUL-terminated */
	size_t		 checkpoint_len;
};

/* *out malloc'd, NUL-terminated.  ARH_EUSAGE for more than
 * ARH_PROOF_MAX_HASHES hashes, an extra line longer than
 * ARH_NOTE_MAX_LINE (extra data over ARH_TLOG_PROOF_MAX_EXTRA bytes) or a
 * malformed checkpoint. */
#define ARH_TLOG_PROOF_MAX_EXTRA	6138	/* base64 fits "extra " + 8186 */
int arh_tlog_proof_format(const struct arh_tlog_proof *p, char **out,
    size_t *len, struct arh_err *err);
int arh_tlog_proof_parse(const char *buf, size_t len,
    struct arh_tlog_proof *p, struct arh_err *err);
/* Free the contents and zero p; p may be NULL. */
void arh_tlog_proof_release(struct arh_tlog_proof *p);

/* ------------------------------------------------------------------ */
/* Consistency proofs: our own file (no C2SP format exists for one) */

/*
 * Exactly these lines, each ending in "\n", and nothing else:
 *   arhiivar/consistency-proof@v1
 *   old <m>
 *   new <n>
 *   <canonical base64 of a 32-byte hash>   (k lines)
 * m and n are decimal without a leading zero, 1 <= m <= n, and k is the
 * length of the RFC 6962 (section 2.1.2) proof PROOF(m, D[n]), hashes in
 * its order: 0 when m == n, at most ARH_PROOF_MAX_HASHES (trees beyond
 * 2^63 leaves can need 65: they are not representable).  The field `size`
 * is n.
 */
#define ARH_CONSISTENCY_PROOF_HEADER	"arhiivar/consistency-proof@v1"

struct arh_consistency_proof {
	uint64_t	 old, size;
	unsigned char	(*hashes)[ARH_HASH_LEN];  /* n hashes, malloc'd */
	size_t		 n;
};

/* The number of hashes in PROOF(old, D[size]); SIZE_MAX unless
 * 1 <= old <= size. */
size_t arh_consistency_proof_len(uint64_t old, uint64_t size);

/* *out malloc'd, NUL-terminated.  ARH_EUSAGE unless 1 <= old <= size and
 * n == arh_consistency_proof_len(old, size) <= ARH_PROOF_MAX_HASHES. */
int arh_consistency_proof_format(const struct arh_consistency_proof *p,
    char **out, size_t *len, struct arh_err *err);
int arh_consistency_proof_parse(const char *buf, size_t len,
    struct arh_consistency_proof *p, struct arh_err *err);
/* Free the contents and zero p; p may be NULL. */
void arh_consistency_proof_release(struct arh_consistency_proof *p);

#endif
