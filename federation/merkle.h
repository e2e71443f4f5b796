/*
 * merkle.h - the tree mathematics of the transparency log (RFC 6962 / RFC
 * 9162 section 2.1), with no storage of its own.
 *
 * Leaf hash = SHA-256(0x00 || data), interior = SHA-256(0x01 || left ||
 * right); a tree of n > 1 leaves splits at the largest power of two strictly
 * below n.  The caller (node/tlog.c) stores the hashes of the complete
 * subtrees: node (level, index) is the hash of leaves [index * 2^level,
 * (index + 1) * 2^level), level 0 being the leaf hashes.  merkle_append()
 * says which nodes one append completes, so they are stored in the same
 * transaction as the leaf; the root and both kinds of proof are then built
 * from O(log n) reads of stored nodes through a merkle_get_fn, and the tree
 * is never recomputed.  Every node read for a tree of size n lies wholly
 * below n, so nodes stored for a larger tree serve a smaller one unchanged.
 *
 * The verifiers follow RFC 9162 sections 2.1.3.2 and 2.1.4.2 and need no
 * storage: they are what the offline auditor runs.  Every failure is -1 with
 * an err: ERR_INPUT for an argument out of range, a proof of the wrong
 * length or a proof that does not lead to the given root(s) (the message
 * says which); ERR_INTERNAL when the getter or SHA-256 fails.  Nothing here
 * allocates, logs or keeps state; all functions are thread-safe.
 */
#ifndef LASTERI_MERKLE_H
#define LASTERI_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define MERKLE_HASH_LEN		32
/* Tree sizes are below 2^63, so there are at most 63 levels above the
 * leaves and a proof has at most 64 hashes. */
#define MERKLE_SIZE_MAX		((uint64_t)INT64_MAX)
#define MERKLE_LEVEL_MAX	62
#define MERKLE_PATH_MAX		64
/* An append completes at most this many nodes (the leaf and its parents). */
#define MERKLE_APPEND_MAX	64

/*
 * Reads the stored hash of complete subtree (level, index) into out.
 * Returns 0, or -1 if it cannot (the caller keeps its own reason in arg;
 * the merkle function then fails with ERR_INTERNAL naming the node).
 */
typedef int	(*merkle_get_fn)(void *arg, int level, uint64_t index,
		    unsigned char out[MERKLE_HASH_LEN]);

/* A complete-subtree node to store. */
struct merkle_node {
	int		level;
	uint64_t	index;
	unsigned char	hash[MERKLE_HASH_LEN];
};

/* SHA-256(0x00 || data); data may be NULL when len is 0.  0, or -1 if
 * SHA-256 is unavailable. */
int	merkle_leaf_hash(const void *data, size_t len,
	    unsigned char out[MERKLE_HASH_LEN]);

/* SHA-256(0x01 || l || r); out may alias l or r.  0 or -1 as above. */
int	merkle_node_hash(const unsigned char l[MERKLE_HASH_LEN],
	    const unsigned char r[MERKLE_HASH_LEN],
	    unsigned char out[MERKLE_HASH_LEN]);

/*
 * Appends leaf number leaf_index (0-based; the tree had leaf_index leaves
 * and gets leaf_index + 1) whose leaf hash is leaf_hash.  Fills out[0 ..
 * *nout) with the nodes this append completes, lowest first: always (0,
 * leaf_index) itself, then one node per trailing one bit of leaf_index,
 * each reading its left sibling through get.  The caller stores all of
 * them with the leaf.  leaf_index must be below MERKLE_SIZE_MAX.
 */
int	merkle_append(uint64_t leaf_index,
	    const unsigned char leaf_hash[MERKLE_HASH_LEN],
	    merkle_get_fn get, void *arg,
	    struct merkle_node out[MERKLE_APPEND_MAX], size_t *nout,
	    struct err *e);

/*
 * MTH of the first size leaves, from popcount(size) stored nodes.  Size 0
 * gives SHA-256 of the empty string, as RFC 9162 defines.
 */
int	merkle_root(uint64_t size, merkle_get_fn get, void *arg,
	    unsigned char out[MERKLE_HASH_LEN], struct err *e);

/*
 * PATH(leaf_index, D[0:size]) of RFC 9162 2.1.3.1, into path[0 .. *n),
 * bottom-up (the sibling of the leaf first).  0 <= leaf_index < size.
 * Reads at most about 2 * log2(size) stored nodes.
 */
int	merkle_inclusion_proof(uint64_t leaf_index, uint64_t size,
	    merkle_get_fn get, void *arg,
	    unsigned char path[MERKLE_PATH_MAX][MERKLE_HASH_LEN], size_t *n,
	    struct err *e);

/*
 * PROOF(m, D[0:n]) = SUBPROOF(m, D[0:n], true) of RFC 9162 2.1.4.1, into
 * path[0 .. *len).  0 < m <= n; m == n gives the empty proof.  Reads at most
 * about 2 * log2(n) stored nodes.
 */
int	merkle_consistency_proof(uint64_t m, uint64_t n,
	    merkle_get_fn get, void *arg,
	    unsigned char path[MERKLE_PATH_MAX][MERKLE_HASH_LEN], size_t *len,
	    struct err *e);

/*
 * RFC 9162 2.1.3.2: 0 if path (n hashes) proves that leaf_hash is leaf
 * leaf_index of the tree of size size whose root is root; otherwise -1
 * with ERR_INPUT naming what is wrong (index, size, length, root).
 */
int	merkle_inclusion_verify(uint64_t leaf_index, uint64_t size,
	    const unsigned char leaf_hash[MERKLE_HASH_LEN],
	    const unsigned char path[][MERKLE_HASH_LEN], size_t n,
	    const unsigned char root[MERKLE_HASH_LEN], struct err *e);

/*
 * RFC 9162 2.1.4.2: 0 if path (len hashes) proves that the tree of size n
 * with root root_n extends the tree of size m with root root_m; otherwise
 * -1 with ERR_INPUT.  0 < m <= n; for m == n the proof must be empty and
 * the roots equal (the RFC leaves that case to the caller).
 */
int	merkle_consistency_verify(uint64_t m, uint64_t n,
	    const unsigned char root_m[MERKLE_HASH_LEN],
	    const unsigned char root_n[MERKLE_HASH_LEN],
	    const unsigned char path[][MERKLE_HASH_LEN], size_t len,
	    struct err *e);

#endif
