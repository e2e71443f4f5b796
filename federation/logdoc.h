/*
 * logdoc.h - the unsigned documents of the transparency log
 * (schemas/xsd/log.xsd): InclusionProof, ConsistencyProof and Leaves.
 *
 * The node writes them (GET /v1/log/inclusion, /consistency, /leaves); the
 * auditor reads the proofs and checks them with merkle_inclusion_verify()
 * and merkle_consistency_verify() against a signed Checkpoint
 * (checkpoint.h).  Nothing in them is believed on its own: a reader only
 * checks the schema and that the numbers fit together (leafIndex <
 * treeSize, from <= to), and hands the hashes over.
 *
 * Readers take a parsed document (xml_parse()) and fail with ERR_SCHEMA
 * naming the element; path buffers hold MERKLE_PATH_MAX hashes.  Writers
 * return a new document the caller frees with xmlFreeDoc(), or NULL with
 * ERR_USAGE (bad arguments) or ERR_NOMEM.  Nothing here logs or prints.
 */
#ifndef LASTERI_LOGDOC_H
#define LASTERI_LOGDOC_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

#include "err.h"
#include "merkle.h"
#include "model.h"

/* --- InclusionProof ------------------------------------------------------- */

/* <InclusionProof leafIndex=leaf treeSize=size leafHash=hex> with the n
 * hashes of path (n <= MERKLE_PATH_MAX, bottom-up as merkle_inclusion_proof()
 * gives them).  leaf < size. */
xmlDocPtr	 logproof_inclusion_new(uint64_t leaf, uint64_t size,
		    const unsigned char leaf_hash[MERKLE_HASH_LEN],
		    const unsigned char path[][MERKLE_HASH_LEN], size_t n,
		    struct err *e);

/* Reads an InclusionProof: leaf, size, leaf_hash and path[0 .. *n); path
 * has room for MERKLE_PATH_MAX hashes. */
int		 logproof_inclusion_read(xmlDocPtr doc, uint64_t *leaf,
		    uint64_t *size, unsigned char leaf_hash[MERKLE_HASH_LEN],
		    unsigned char path[][MERKLE_HASH_LEN], size_t *n,
		    struct err *e);

/* --- ConsistencyProof ----------------------------------------------------- */

/* <ConsistencyProof from=from to=to> with the n hashes of path; from <= to
 * (from == to: n is 0). */
xmlDocPtr	 logproof_consistency_new(uint64_t from, uint64_t to,
		    const unsigned char path[][MERKLE_HASH_LEN], size_t n,
		    struct err *e);

/* Reads a ConsistencyProof: from <= to, path[0 .. *n) as above. */
int		 logproof_consistency_read(xmlDocPtr doc, uint64_t *from,
		    uint64_t *to, unsigned char path[][MERKLE_HASH_LEN],
		    size_t *n, struct err *e);

/* --- Leaves --------------------------------------------------------------- */

struct logproof_leaf {
	uint64_t	index;
	unsigned char	hash[MERKLE_HASH_LEN];	/* the leaf hash */
	char		record[ID_MAX + 1];	/* the record's Id */
};

/* <Leaves start=start count=n treeSize=size> with one <Leaf> per element
 * of leaves (borrowed); their indexes must be start, start + 1, ... and
 * below size. */
xmlDocPtr	 logproof_leaves_new(uint64_t start, uint64_t size,
		    const struct logproof_leaf *leaves, size_t n,
		    struct err *e);

/* --- shared helpers -------------------------------------------------------- */

/* 32 bytes <-> 64 lower-case hex digits (out has 65 bytes).  _unhex: 0, or
 * -1 on anything but exactly 64 hex digits (upper case is accepted). */
void		 logdoc_hex(const unsigned char h[MERKLE_HASH_LEN], char *out);
int		 logdoc_unhex(const char *s, unsigned char h[MERKLE_HASH_LEN]);

/* 32 bytes <-> base64 (out has 45 bytes).  _unbase64: 0, or -1 unless s is
 * exactly the canonical 44-character encoding of 32 bytes. */
void		 logdoc_base64(const unsigned char h[MERKLE_HASH_LEN],
		    char *out);
int		 logdoc_unbase64(const char *s,
		    unsigned char h[MERKLE_HASH_LEN]);

/* A decimal tree size or index, 0 .. MERKLE_SIZE_MAX, no sign or leading
 * zero: 0, or -1 on anything else. */
int		 logdoc_u64_parse(const char *s, uint64_t *out);

/* The same from attribute name of n.  ERR_SCHEMA naming the attribute. */
int		 logdoc_u64_attr(xmlNodePtr n, const char *name, uint64_t *out,
		    struct err *e);

#endif
