/*
 * store_tlog.h - the transparency log's tables in the node's store
 * (migration 8): the leaves, the stored complete-subtree nodes of the
 * RFC 6962 tree (merkle.h) and every checkpoint the node signed.
 *
 * Every supervision record stored with a verified signer (store.h's
 * store_record_put_signed() with a signer) gets the next leaf, in the same
 * savepoint as its row (or the same all-or-nothing transaction,
 * STORE_TX_WHOLE): leaf hash = SHA-256(0x00 || the record's stored
 * bytes), and the nodes that append completes (merkle_append()) beside it.
 * A record is therefore never stored without its leaf, nor a leaf without
 * its record.  Migration 8 gave the signed records stored before it their
 * leaves in the order they were stored (rowid).  Triggers refuse to update
 * or delete a leaf, a node or a checkpoint, and to delete or rewrite a
 * record that has a leaf: only someone editing the file by hand gets past
 * them, and store_tlog_audit() is what catches that.
 *
 * Roots and proofs read O(log n) stored nodes through cached statements;
 * the tree is never recomputed, except by store_tlog_audit() at start.
 */
#ifndef LASTERI_STORE_TLOG_H
#define LASTERI_STORE_TLOG_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"
#include "merkle.h"
#include "model.h"

struct store;

#define STORE_TLOG_LEAVES_MAX	1000	/* leaves per store_tlog_leaves() */

struct store_tlog_leaf {
	uint64_t	index;
	char		record_id[ID_MAX + 1];
	unsigned char	hash[MERKLE_HASH_LEN];
};

/* The number of leaves (the tree's size). */
int	store_tlog_size(struct store *s, uint64_t *size, struct err *e);

/* The root of the first size leaves (size <= the tree's size; ERR_INPUT
 * otherwise), from popcount(size) stored nodes. */
int	store_tlog_root(struct store *s, uint64_t size,
	    unsigned char root[MERKLE_HASH_LEN], struct err *e);

/* The leaf whose leaf hash is hash (the lowest index if two were equal);
 * ERR_NOTFOUND when none. */
int	store_tlog_find(struct store *s, const unsigned char
	    hash[MERKLE_HASH_LEN], struct store_tlog_leaf *out, struct err *e);

/* The leaf of record id; ERR_NOTFOUND when the record has none. */
int	store_tlog_find_record(struct store *s, const char *id,
	    struct store_tlog_leaf *out, struct err *e);

/* The audit path of leaf index in the tree of size leaves (index < size <=
 * the tree's size), bottom-up, as merkle_inclusion_proof(). */
int	store_tlog_inclusion(struct store *s, uint64_t index, uint64_t size,
	    unsigned char path[MERKLE_PATH_MAX][MERKLE_HASH_LEN], size_t *n,
	    struct err *e);

/* The consistency proof from size m to size n (0 < m <= n <= the tree's
 * size), as merkle_consistency_proof(). */
int	store_tlog_consistency(struct store *s, uint64_t m, uint64_t n,
	    unsigned char path[MERKLE_PATH_MAX][MERKLE_HASH_LEN], size_t *len,
	    struct err *e);

/* Up to count (<= STORE_TLOG_LEAVES_MAX) leaves from index start, in
 * order, into out; *n is how many there were. */
int	store_tlog_leaves(struct store *s, uint64_t start, size_t count,
	    struct store_tlog_leaf *out, size_t *n, struct err *e);

/* --- checkpoints ----------------------------------------------------------
 * Every checkpoint the node signed, numbered (seq) in the order signed,
 * with its exact signed bytes. */
struct store_tlog_cp {
	int64_t		seq;
	uint64_t	size;
	unsigned char	root[MERKLE_HASH_LEN];
	time_t		time;
	char		id[65];
	char		*xml;		/* malloc'd, NUL after len */
	size_t		len;
};

/* Keeps c (seq is assigned; c->seq gets it).  Bytes are copied. */
int	store_tlog_cp_put(struct store *s, struct store_tlog_cp *c,
	    struct err *e);
/* The newest checkpoint into out (*found 0 when none); release out with
 * store_tlog_cp_clear(). */
int	store_tlog_cp_latest(struct store *s, struct store_tlog_cp *out,
	    int *found, struct err *e);
void	store_tlog_cp_clear(struct store_tlog_cp *c);	/* NULL is a no-op */
/* How many checkpoints are kept. */
int	store_tlog_cp_count(struct store *s, int64_t *n, struct err *e);

/* --- the start check ------------------------------------------------------
 * Recomputes every leaf hash from its record's stored bytes and every
 * complete subtree from the leaves, and compares them with the stored leaf
 * hashes and nodes, with the root expected of the first expect_size leaves
 * (the latest signed checkpoint's; expect NULL: none yet) and with the
 * roots of the older checkpoints; then looks for a signed record without a
 * leaf.  One pass over the leaves in order: the first problem found names
 * the first bad leaf.  Returns 0 with bad->found 0 when all is consistent
 * (bad->size the number of leaves), 0 with bad->found 1 and the leaf when
 * not, -1 when the store cannot be read. */
struct store_tlog_bad {
	int		found;
	uint64_t	size;		/* leaves in the store */
	uint64_t	index;		/* the first bad leaf */
	char		record_id[ID_MAX + 1];	/* its record, "-" unknown */
	char		why[320];
};
int	store_tlog_audit(struct store *s, uint64_t expect_size,
	    const unsigned char expect_root[MERKLE_HASH_LEN],
	    struct store_tlog_bad *bad, struct err *e);

#endif
