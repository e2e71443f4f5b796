/*
 * logdoc.c - write and read the transparency log's unsigned documents
 * (see logdoc.h, schemas/xsd/log.xsd): the inclusion and consistency proofs
 * and the leaf listing, and the hash encodings the Checkpoint shares.
 *
 * A reader validates against the schema first, then reads every value
 * whole from the tree; the numbers are parsed here (not through the
 * model's int readers) because sizes go up to 2^63 - 1.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <openssl/evp.h>

#include "hex.h"
#include "logdoc.h"
#include "merkle.h"
#include "model.h"
#include "model_internal.h"
#include "schema.h"
#include "xml.h"

static const char *const inclusion_roots[] = { "InclusionProof", NULL };
static const char *const consistency_roots[] = { "ConsistencyProof", NULL };

/* --- encodings ------------------------------------------------------------ */

void
logdoc_hex(const unsigned char h[MERKLE_HASH_LEN], char *out)
{
	hex_encode(h, MERKLE_HASH_LEN, out);
}

int
logdoc_unhex(const char *s, unsigned char h[MERKLE_HASH_LEN])
{
	return hex_decode(s, h, MERKLE_HASH_LEN);
}

void
logdoc_base64(const unsigned char h[MERKLE_HASH_LEN], char *out)
{
	EVP_EncodeBlock((unsigned char *)out, h, MERKLE_HASH_LEN);
}

int
logdoc_unbase64(const char *s, unsigned char h[MERKLE_HASH_LEN])
{
	unsigned char buf[48];
	char again[48];

	/* 32 bytes are 44 characters ending in one '='; re-encoding what
	 * was decoded refuses every other spelling of the same bytes. */
	if (s == NULL || strlen(s) != 44 ||
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789+/") != 43 || s[43] != '=')
		return -1;
	if (EVP_DecodeBlock(buf, (const unsigned char *)s, 44) != 33)
		return -1;
	logdoc_base64(buf, again);
	if (strcmp(again, s) != 0)
		return -1;
	memcpy(h, buf, MERKLE_HASH_LEN);
	return 0;
}

int
logdoc_u64_parse(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (s[0] < '0' || s[0] > '9' || (s[0] == '0' && s[1] != '\0'))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > MERKLE_SIZE_MAX)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

int
logdoc_u64_attr(xmlNodePtr n, const char *name, uint64_t *out,
    struct err *e)
{
	char buf[32];

	if (mi_attr(n, name, buf, sizeof(buf), 1, e) == -1)
		return -1;
	if (logdoc_u64_parse(buf, out) == -1)
		return mi_fail(e, n, "attribute %s: \"%s\" is not a number "
		    "in 0..2^63-1", name, buf);
	return 0;
}

/* --- writing -------------------------------------------------------------- */

static void
attr_u64(struct mw *w, xmlNodePtr n, const char *name, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	mw_attr(w, n, name, buf);
}

static void
put_hashes(struct mw *w, xmlNodePtr root,
    const unsigned char path[][MERKLE_HASH_LEN], size_t n)
{
	char b64[48];
	size_t i;

	for (i = 0; i < n; i++) {
		logdoc_base64(path[i], b64);
		mw_elem(w, root, "Hash", b64);
	}
}

/* A new document whose root is local; NULL with ERR_NOMEM. */
static xmlDocPtr
doc_new(struct mw *w, const char *local, xmlNodePtr *root, struct err *e)
{
	xmlDocPtr doc;

	if ((doc = xmlNewDoc((const xmlChar *)"1.0")) == NULL) {
		err_set(e, ERR_NOMEM, "%s: out of memory", local);
		return NULL;
	}
	*root = mw_root(w, doc, NULL, local);
	return doc;
}

static xmlDocPtr
doc_finish(struct mw *w, xmlDocPtr doc, xmlNodePtr root, const char *what,
    struct err *e)
{
	if (mw_finish(w, doc, root, what, e) == NULL) {
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

xmlDocPtr
logproof_inclusion_new(uint64_t leaf, uint64_t size,
    const unsigned char leaf_hash[MERKLE_HASH_LEN],
    const unsigned char path[][MERKLE_HASH_LEN], size_t n, struct err *e)
{
	struct mw w = { 0 };
	xmlNodePtr root = NULL;
	xmlDocPtr doc;
	char hex[2 * MERKLE_HASH_LEN + 1];

	if (leaf_hash == NULL || (path == NULL && n > 0)) {
		err_set(e, ERR_USAGE, "inclusion proof: missing argument");
		return NULL;
	}
	if (size > MERKLE_SIZE_MAX || leaf >= size || n > MERKLE_PATH_MAX) {
		err_set(e, ERR_USAGE, "inclusion proof: leaf %llu of a tree of "
		    "size %llu with %zu hashes is out of range",
		    (unsigned long long)leaf, (unsigned long long)size, n);
		return NULL;
	}
	if ((doc = doc_new(&w, "InclusionProof", &root, e)) == NULL)
		return NULL;
	attr_u64(&w, root, "leafIndex", leaf);
	attr_u64(&w, root, "treeSize", size);
	logdoc_hex(leaf_hash, hex);
	mw_attr(&w, root, "leafHash", hex);
	put_hashes(&w, root, path, n);
	return doc_finish(&w, doc, root, "inclusion proof", e);
}

xmlDocPtr
logproof_consistency_new(uint64_t from, uint64_t to,
    const unsigned char path[][MERKLE_HASH_LEN], size_t n, struct err *e)
{
	struct mw w = { 0 };
	xmlNodePtr root = NULL;
	xmlDocPtr doc;

	if (path == NULL && n > 0) {
		err_set(e, ERR_USAGE, "consistency proof: missing argument");
		return NULL;
	}
	if (to > MERKLE_SIZE_MAX || from > to || n > MERKLE_PATH_MAX ||
	    (from == to && n > 0)) {
		err_set(e, ERR_USAGE, "consistency proof: from %llu to %llu "
		    "with %zu hashes is out of range",
		    (unsigned long long)from, (unsigned long long)to, n);
		return NULL;
	}
	if ((doc = doc_new(&w, "ConsistencyProof", &root, e)) == NULL)
		return NULL;
	attr_u64(&w, root, "from", from);
	attr_u64(&w, root, "to", to);
	put_hashes(&w, root, path, n);
	return doc_finish(&w, doc, root, "consistency proof", e);
}

xmlDocPtr
logproof_leaves_new(uint64_t start, uint64_t size,
    const struct logproof_leaf *leaves, size_t n, struct err *e)
{
	struct mw w = { 0 };
	xmlNodePtr root = NULL, l;
	xmlDocPtr doc;
	char hex[2 * MERKLE_HASH_LEN + 1];
	size_t i;

	if (leaves == NULL && n > 0) {
		err_set(e, ERR_USAGE, "leaves: missing argument");
		return NULL;
	}
	if (size > MERKLE_SIZE_MAX || start > size || n > size - start) {
		err_set(e, ERR_USAGE, "leaves: %zu from %llu are not in a "
		    "tree of size %llu", n, (unsigned long long)start,
		    (unsigned long long)size);
		return NULL;
	}
	for (i = 0; i < n; i++)
		if (leaves[i].index != start + i || !mi_is_id(leaves[i].record)) {
			err_set(e, ERR_USAGE, "leaves: leaf %zu has index %llu "
			    "(wanted %llu) or record \"%s\" that is not an ID",
			    i, (unsigned long long)leaves[i].index,
			    (unsigned long long)(start + i), leaves[i].record);
			return NULL;
		}
	if ((doc = doc_new(&w, "Leaves", &root, e)) == NULL)
		return NULL;
	attr_u64(&w, root, "start", start);
	attr_u64(&w, root, "count", n);
	attr_u64(&w, root, "treeSize", size);
	for (i = 0; i < n; i++) {
		l = mw_elem(&w, root, "Leaf", NULL);
		attr_u64(&w, l, "index", leaves[i].index);
		logdoc_hex(leaves[i].hash, hex);
		mw_attr(&w, l, "hash", hex);
		mw_attr(&w, l, "record", leaves[i].record);
	}
	return doc_finish(&w, doc, root, "leaves", e);
}

/* --- reading -------------------------------------------------------------- */

/* The Hash children of root into path[0 .. *n). */
static int
read_hashes(xmlNodePtr root, unsigned char path[][MERKLE_HASH_LEN],
    size_t *n, struct err *e)
{
	xmlNodePtr c;
	char b64[64];

	*n = 0;
	for (c = xml_first_elem(root); c != NULL; c = xml_next_elem(c)) {
		if (!xml_is(c, "Hash"))
			return mi_fail(e, c, "only Hash elements may follow");
		if (*n >= MERKLE_PATH_MAX)
			return mi_fail(e, c, "more than %d hashes",
			    MERKLE_PATH_MAX);
		if (mi_token(c, b64, sizeof(b64), e) == -1)
			return -1;
		if (logdoc_unbase64(b64, path[*n]) == -1)
			return mi_fail(e, c, "not base64 of 32 bytes");
		(*n)++;
	}
	return 0;
}

int
logproof_inclusion_read(xmlDocPtr doc, uint64_t *leaf, uint64_t *size,
    unsigned char leaf_hash[MERKLE_HASH_LEN],
    unsigned char path[][MERKLE_HASH_LEN], size_t *n, struct err *e)
{
	xmlNodePtr root;
	char hex[80];

	if (doc == NULL || leaf == NULL || size == NULL || leaf_hash == NULL ||
	    path == NULL || n == NULL)
		return err_set(e, ERR_USAGE, "inclusion proof: missing "
		    "argument");
	if (schema_validate(doc, "inclusion proof", inclusion_roots, e) == -1)
		return -1;
	root = xmlDocGetRootElement(doc);
	if (logdoc_u64_attr(root, "leafIndex", leaf, e) == -1 ||
	    logdoc_u64_attr(root, "treeSize", size, e) == -1 ||
	    mi_attr(root, "leafHash", hex, sizeof(hex), 1, e) == -1)
		return -1;
	if (logdoc_unhex(hex, leaf_hash) == -1)
		return mi_fail(e, root, "attribute leafHash: not 64 hex digits");
	if (*leaf >= *size)
		return mi_fail(e, root, "leaf %llu is not in a tree of size "
		    "%llu", (unsigned long long)*leaf,
		    (unsigned long long)*size);
	return read_hashes(root, path, n, e);
}

int
logproof_consistency_read(xmlDocPtr doc, uint64_t *from, uint64_t *to,
    unsigned char path[][MERKLE_HASH_LEN], size_t *n, struct err *e)
{
	xmlNodePtr root;

	if (doc == NULL || from == NULL || to == NULL || path == NULL ||
	    n == NULL)
		return err_set(e, ERR_USAGE, "consistency proof: missing "
		    "argument");
	if (schema_validate(doc, "consistency proof", consistency_roots,
	    e) == -1)
		return -1;
	root = xmlDocGetRootElement(doc);
	if (logdoc_u64_attr(root, "from", from, e) == -1 ||
	    logdoc_u64_attr(root, "to", to, e) == -1)
		return -1;
	if (*from > *to)
		return mi_fail(e, root, "from %llu is after to %llu: a log "
		    "cannot shrink", (unsigned long long)*from,
		    (unsigned long long)*to);
	return read_hashes(root, path, n, e);
}
