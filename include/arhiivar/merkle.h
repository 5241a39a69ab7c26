/*
 * merkle.h — the RFC 6962 Merkle tree: hashes, the root, inclusion and
 * consistency proofs and their checks, over node storage the caller owns.
 *
 * The tree is that of RFC 6962 section 2.1 with SHA-256.  The hash of the
 * empty tree is SHA-256 of no bytes; a leaf's hash is SHA-256(0x00 ||
 * entry); an inner node's is SHA-256(0x01 || left || right); a tree of
 * n > 1 leaves is a complete left subtree of k leaves, k the largest power
 * of two below n, and the tree of the other n - k leaves on its right.
 *
 * Storage (struct arh_merkle_store) holds the hashes of complete, aligned
 * subtrees only: node (level L, index i) is the hash of leaves
 * [i * 2^L, (i + 1) * 2^L), and level 0 holds the leaf hashes.  A node is
 * stored once, by the append that gives it its last leaf, and never
 * changes, so a store grown to N leaves serves every tree of size <= N.
 * Every range the RFC's recursion asks for starts on a multiple of a power
 * of two at least as large as the range, so it is a run of at most 64
 * stored nodes: roots and proofs read O(log n) nodes (the bounds are given
 * with each function), never a range of leaves, and nothing here allocates
 * memory in proportion to the tree.  This module asks the store only for
 * complete nodes of the tree it was given the size of.
 *
 * Ownership: the store, its arg, every hash buffer, proof and stack belong
 * to the caller; no function keeps a pointer after it returns, and none
 * has global state, so calls on different data may run on different
 * threads (whether one store may be used by two threads is the store's
 * business).  Hash buffers are ARH_MERKLE_HASH bytes; an out buffer holds
 * the result only after success.
 *
 * Errors: 0, or a negative ARH_E* code with err filled.  ARH_EUSAGE: a
 * size, index or pair of sizes with no meaning (checked before any store
 * call).  ARH_ECRYPTO: libcrypto could not hash (out of memory).  A store
 * callback's own code (ARH_ENOTFOUND for a missing node, ARH_ECATALOG, ...)
 * is returned as it is, with the detail the callback wrote into err.
 * ARH_EVERIFY: only the two checks, for a proof that does not hold.
 */
#ifndef ARHIIVAR_MERKLE_H
#define ARHIIVAR_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "arhiivar/error.h"

#define ARH_MERKLE_HASH		32	/* bytes of every hash */
/* Hashes in any proof of a tree of at most ARH_MERKLE_MAX_SIZE leaves
 * (a consistency proof of a tree of 2^63 leaves can have 64). */
#define ARH_MERKLE_MAX_PROOF	64
/* The largest tree: sizes above it are ARH_EUSAGE everywhere. */
#define ARH_MERKLE_MAX_SIZE	(UINT64_C(1) << 63)

/*
 * Read the stored node (level, index) into out: 0, or a negative ARH_E*
 * code with err filled, ARH_ENOTFOUND if the node is not stored.  A
 * positive return is taken for a bug in the callback (ARH_EINTERNAL).
 */
typedef int (*arh_merkle_get_fn)(void *arg, unsigned level, uint64_t index,
    unsigned char out[ARH_MERKLE_HASH], struct arh_err *err);
/*
 * Store the node (level, index), which has just become complete: 0 or a
 * negative ARH_E* code with err filled.  An append run again after a
 * failure puts the same nodes with the same hashes again; a put of an
 * existing node with an equal hash must succeed.  A different hash for
 * a stored node means the append was given the wrong size or the store
 * was altered, and is for the store to refuse (ARH_EEXIST).
 */
typedef int (*arh_merkle_put_fn)(void *arg, unsigned level, uint64_t index,
    const unsigned char h[ARH_MERKLE_HASH], struct arh_err *err);

/* get is needed by every function taking a store, put only by append. */
struct arh_merkle_store {
	arh_merkle_get_fn	 get;
	arh_merkle_put_fn	 put;
	void			*arg;
};

/*
 * A proof: n hashes in h[0] .. h[n - 1], in the order of RFC 6962 2.1.1
 * and 2.1.2 (the lowest subtree first).  Filled by arh_merkle_inclusion()
 * and arh_merkle_consistency(); n is 0 after a failure.  A proof read from
 * elsewhere goes in as it came; the checks refuse n > ARH_MERKLE_MAX_PROOF.
 */
struct arh_merkle_proof {
	size_t		n;
	unsigned char	h[ARH_MERKLE_MAX_PROOF][ARH_MERKLE_HASH];
};

/* SHA-256(0x00 || entry): the leaf hash of an entry of len bytes (entry
 * may be NULL when len is 0).  0 or ARH_ECRYPTO. */
int arh_merkle_leaf_hash(const void *entry, size_t len,
    unsigned char out[ARH_MERKLE_HASH], struct arh_err *err);
/* SHA-256(0x01 || l || r); out may be l or r.  0 or ARH_ECRYPTO. */
int arh_merkle_node_hash(const unsigned char l[ARH_MERKLE_HASH],
    const unsigned char r[ARH_MERKLE_HASH], unsigned char out[ARH_MERKLE_HASH],
    struct arh_err *err);

/*
 * Append leaf number `size` (0-based: the tree had `size` leaves before)
 * with leaf hash `leaf`: put (0, size), then every node
 * that leaf completes, from the bottom up.  Reads the left sibling of each
 * (as many gets as size has trailing one bits, at most 63) and puts one
 * more node than it gets.
 *
 * The size is the caller's to keep: append cannot tell a wrong even size.
 * A failure can leave some of the nodes put: append in the same
 * transaction as the entry and roll back, or run the append again.
 * ARH_EUSAGE if size >= ARH_MERKLE_MAX_SIZE.
 */
int arh_merkle_append(const struct arh_merkle_store *s, uint64_t size,
    const unsigned char leaf[ARH_MERKLE_HASH], struct arh_err *err);

/*
 * MTH of the first `size` leaves into out: the hash of the empty tree for
 * 0, otherwise folded from the complete subtrees of size (one get per one
 * bit of size).
 */
int arh_merkle_root(const struct arh_merkle_store *s, uint64_t size,
    unsigned char out[ARH_MERKLE_HASH], struct arh_err *err);

/*
 * The audit path PATH(index, D[size]) of RFC 6962 2.1.1 into proof:
 * ceil(log2 size) hashes at most, from at most 2 * ceil(log2 size) gets.
 * ARH_EUSAGE if index >= size.
 */
int arh_merkle_inclusion(const struct arh_merkle_store *s, uint64_t index,
    uint64_t size, struct arh_merkle_proof *proof, struct arh_err *err);

/*
 * The consistency proof PROOF(old, D[size]) of RFC 6962 2.1.2 into proof:
 * ceil(log2 size) + 1 hashes at most, from at most 2 * ceil(log2 size) + 1
 * gets.  Empty for old == size; ARH_EUSAGE unless 0 < old <= size.
 */
int arh_merkle_consistency(const struct arh_merkle_store *s, uint64_t old,
    uint64_t size, struct arh_merkle_proof *proof, struct arh_err *err);

/*
 * The checks of RFC 9162 2.1.3.2 (inclusion) and 2.1.4.2 (consistency),
 * without storage: 0 if the proof holds, ARH_EVERIFY with a message saying
 * what did not match if not (ARH_ECRYPTO if libcrypto could not hash).
 * They fail with ARH_EVERIFY, not ARH_EUSAGE, for sizes no proof can have
 * (index >= size, old == 0, old > size, a size above ARH_MERKLE_MAX_SIZE),
 * because those come with the proof.  For old == size the proof must be
 * empty and the two roots equal.
 */
int arh_merkle_verify_inclusion(uint64_t index, uint64_t size,
    const unsigned char leaf[ARH_MERKLE_HASH],
    const struct arh_merkle_proof *proof,
    const unsigned char root[ARH_MERKLE_HASH], struct arh_err *err);
int arh_merkle_verify_consistency(uint64_t old, uint64_t size,
    const unsigned char old_root[ARH_MERKLE_HASH],
    const unsigned char new_root[ARH_MERKLE_HASH],
    const struct arh_merkle_proof *proof, struct arh_err *err);

/*
 * Streaming rebuild, for a full check of a log against its storage: push
 * the leaf hashes in order.  O(log n) state, no allocation, no store: h[L]
 * is the complete subtree at level L of the leaves pushed so far when bit
 * L of size is set (the other entries are stale).
 */
struct arh_merkle_stack {
	unsigned char	h[64][ARH_MERKLE_HASH];
	uint64_t	size;
};

/* An empty stack (size 0). */
void arh_merkle_stack_init(struct arh_merkle_stack *st);
/*
 * Push leaf number st->size.  seen, when not NULL, is called for every
 * node that becomes complete — (0, size) first, then upwards: exactly the
 * puts of arh_merkle_append() — for the caller to compare with storage;
 * its failure is returned as it is.  After any failure the stack is as it
 * was.  ARH_EUSAGE once size is ARH_MERKLE_MAX_SIZE.
 */
int arh_merkle_stack_push(struct arh_merkle_stack *st,
    const unsigned char leaf[ARH_MERKLE_HASH], arh_merkle_put_fn seen,
    void *arg, struct arh_err *err);
/* The root of the leaves pushed so far, at any point.  0 or ARH_ECRYPTO. */
int arh_merkle_stack_root(const struct arh_merkle_stack *st,
    unsigned char out[ARH_MERKLE_HASH], struct arh_err *err);

#endif
