/*
 * merkle.c - RFC 6962 / RFC 9162 Merkle tree hashing, proofs and their
 * verification, over complete subtrees that the caller stores (merkle.h).
 *
 * Layout.  In the RFC's tree every node covers leaves [lo, lo + s) where lo
 * is a multiple of the smallest power of two >= s (the root starts at 0;
 * the split at k, the largest power of two below s, keeps it so).  Such a
 * range is therefore the concatenation of one stored complete subtree per
 * one bit of s, highest first, and its MTH is those subtrees folded from the
 * right: range_hash() costs popcount(s) reads.  A proof walks from the root
 * down: every hash it takes beside the walk is a complete subtree (one
 * read) except at most one, the first right-hand sibling that ends at the
 * tree's edge, after which the walk stays inside a complete subtree.  So a
 * proof costs at most depth + popcount reads, about 2 * log2(n).
 */
#include "config.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "err.h"
#include "merkle.h"

#define HLEN	MERKLE_HASH_LEN

/*
 * SHA-256 is fetched from the provider once (EVP_sha256() in a digest call
 * makes OpenSSL 3 look the implementation up again, under a lock, every
 * time), and each thread reuses one digest context (re-initialising a
 * context with the same digest keeps the provider's state allocated): a
 * record's append hashes its leaf and about one interior node.
 */
static pthread_once_t md_once = PTHREAD_ONCE_INIT;
static EVP_MD *md_fetched;
static pthread_key_t md_key;
static int md_key_ok;

static void
md_ctx_free(void *p)
{
	EVP_MD_CTX_free(p);
}

static void
md_init(void)
{
	md_fetched = EVP_MD_fetch(NULL, "SHA256", NULL);
	md_key_ok = pthread_key_create(&md_key, md_ctx_free) == 0;
}

/* SHA-256 of a || b (b may be NULL when blen is 0) into out; -1 on
 * failure. */
static int
sha256_2(const void *a, size_t alen, const void *b, size_t blen,
    unsigned char out[HLEN])
{
	const EVP_MD *md;
	EVP_MD_CTX *ctx = NULL;
	unsigned int n = 0;
	int rc = -1, kept = 0;

	if (pthread_once(&md_once, md_init) != 0)
		return -1;
	md = md_fetched != NULL ? md_fetched : EVP_sha256();
	if (md_key_ok && (ctx = pthread_getspecific(md_key)) != NULL)
		kept = 1;
	else if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	else if (md_key_ok && pthread_setspecific(md_key, ctx) == 0)
		kept = 1;
	if (EVP_DigestInit_ex(ctx, md, NULL) == 1 &&
	    (alen == 0 || EVP_DigestUpdate(ctx, a, alen) == 1) &&
	    (blen == 0 || EVP_DigestUpdate(ctx, b, blen) == 1) &&
	    EVP_DigestFinal_ex(ctx, out, &n) == 1 && n == HLEN)
		rc = 0;
	if (!kept)
		EVP_MD_CTX_free(ctx);
	return rc;
}

int
merkle_leaf_hash(const void *data, size_t len, unsigned char out[HLEN])
{
	static const unsigned char prefix = 0x00;

	if (data == NULL && len != 0)
		return -1;
	return sha256_2(&prefix, 1, data, len, out);
}

int
merkle_node_hash(const unsigned char l[HLEN], const unsigned char r[HLEN],
    unsigned char out[HLEN])
{
	unsigned char buf[1 + 2 * HLEN];

	buf[0] = 0x01;
	memcpy(buf + 1, l, HLEN);
	memcpy(buf + 1 + HLEN, r, HLEN);
	return sha256_2(buf, sizeof(buf), NULL, 0, out);
}

/* --- helpers ------------------------------------------------------------- */

static int
node_hash(const unsigned char l[HLEN], const unsigned char r[HLEN],
    unsigned char out[HLEN], struct err *e)
{
	if (merkle_node_hash(l, r, out) == -1)
		return err_set(e, ERR_INTERNAL, "merkle: SHA-256 failed");
	return 0;
}

static int
read_node(merkle_get_fn get, void *arg, int level, uint64_t index,
    unsigned char out[HLEN], struct err *e)
{
	if (get(arg, level, index, out) == -1)
		return err_set(e, ERR_INTERNAL, "merkle: cannot read the stored "
		    "node at level %d, index %" PRIu64 " (leaves %" PRIu64
		    " to %" PRIu64 ")", level, index, index << level,
		    ((index + 1) << level) - 1);
	return 0;
}

/* The largest power of two strictly below n (n > 1). */
static uint64_t
split_point(uint64_t n)
{
	uint64_t k = 1;

	while (k << 1 < n)
		k <<= 1;
	return k;
}

/* The number of bits needed to write x (0 for 0). */
static int
bit_len(uint64_t x)
{
	int n = 0;

	while (x != 0) {
		n++;
		x >>= 1;
	}
	return n;
}

static int
pop_count(uint64_t x)
{
	int n = 0;

	for (; x != 0; x &= x - 1)
		n++;
	return n;
}

static void
hex(const unsigned char h[HLEN], char out[2 * HLEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < HLEN; i++) {
		out[2 * i] = digits[h[i] >> 4];
		out[2 * i + 1] = digits[h[i] & 0xf];
	}
	out[2 * HLEN] = '\0';
}

/* MTH(D[lo : lo + size]) for a node of the RFC tree (size > 0, lo a
 * multiple of the power of two at or above size): one read per bit. */
static int
range_hash(uint64_t lo, uint64_t size, merkle_get_fn get, void *arg,
    unsigned char out[HLEN], struct err *e)
{
	unsigned char h[MERKLE_LEVEL_MAX + 1][HLEN];
	uint64_t at = lo;
	int level, c = 0;

	for (level = MERKLE_LEVEL_MAX; level >= 0; level--) {
		if ((size >> level & 1) == 0)
			continue;
		if ((at & ((UINT64_C(1) << level) - 1)) != 0)
			return err_set(e, ERR_INTERNAL, "merkle: leaves %"
			    PRIu64 " to %" PRIu64 " do not split into "
			    "complete subtrees", lo, lo + size - 1);
		if (read_node(get, arg, level, at >> level, h[c], e) == -1)
			return -1;
		c++;
		at += UINT64_C(1) << level;
	}
	if (c == 0)
		return err_set(e, ERR_INTERNAL, "merkle: empty range");
	memcpy(out, h[c - 1], HLEN);
	while (--c > 0)
		if (node_hash(h[c - 1], out, out, e) == -1)
			return -1;
	return 0;
}

static int
check_size(const char *what, uint64_t size, struct err *e)
{
	if (size > MERKLE_SIZE_MAX)
		return err_set(e, ERR_INPUT, "merkle: %s %" PRIu64 " is not "
		    "below 2^63", what, size);
	return 0;
}

/* The length of PATH(index, D[0:size]): the levels where index and the
 * last leaf part (inner), then one per left sibling above (border). */
static size_t
inclusion_len(uint64_t index, uint64_t size)
{
	int inner = bit_len(index ^ (size - 1));

	return (size_t)(inner + pop_count(index >> inner));
}

/* The length of PROOF(m, D[0:n]) for 0 < m < n. */
static size_t
consistency_len(uint64_t m, uint64_t n)
{
	int inner = bit_len((m - 1) ^ (n - 1));
	int border = pop_count((m - 1) >> inner);
	int shift = 0;

	while ((m >> shift & 1) == 0)
		shift++;
	/* The first hash is the subtree of size 2^shift ending at m, unless
	 * m is that subtree itself (then the verifier knows it: root_m). */
	return (size_t)((m == UINT64_C(1) << shift ? 0 : 1) + inner - shift +
	    border);
}

/* --- building ------------------------------------------------------------ */

int
merkle_append(uint64_t leaf_index, const unsigned char leaf_hash[HLEN],
    merkle_get_fn get, void *arg, struct merkle_node out[MERKLE_APPEND_MAX],
    size_t *nout, struct err *e)
{
	unsigned char left[HLEN];
	uint64_t index = leaf_index;
	size_t c = 0;
	int level = 0;

	*nout = 0;
	if (leaf_index >= MERKLE_SIZE_MAX)
		return err_set(e, ERR_INPUT, "merkle: cannot append leaf %"
		    PRIu64 ": the tree would reach 2^63 leaves", leaf_index);
	out[c].level = 0;
	out[c].index = leaf_index;
	memcpy(out[c].hash, leaf_hash, HLEN);
	c++;
	/* Each trailing one bit closes a subtree: its left half is stored,
	 * its right half is the node just made. */
	while ((index & 1) == 1) {
		if (read_node(get, arg, level, index - 1, left, e) == -1)
			return -1;
		level++;
		index >>= 1;
		out[c].level = level;
		out[c].index = index;
		if (node_hash(left, out[c - 1].hash, out[c].hash, e) == -1)
			return -1;
		c++;
	}
	*nout = c;
	return 0;
}

int
merkle_root(uint64_t size, merkle_get_fn get, void *arg,
    unsigned char out[HLEN], struct err *e)
{
	if (check_size("tree size", size, e) == -1)
		return -1;
	if (size == 0) {
		if (sha256_2(NULL, 0, NULL, 0, out) == -1)
			return err_set(e, ERR_INTERNAL, "merkle: SHA-256 failed");
		return 0;
	}
	return range_hash(0, size, get, arg, out, e);
}

int
merkle_inclusion_proof(uint64_t leaf_index, uint64_t size, merkle_get_fn get,
    void *arg, unsigned char path[MERKLE_PATH_MAX][HLEN], size_t *n,
    struct err *e)
{
	unsigned char tmp[MERKLE_PATH_MAX][HLEN];
	uint64_t lo = 0, k;
	size_t c = 0, i;

	*n = 0;
	if (check_size("tree size", size, e) == -1)
		return -1;
	if (leaf_index >= size)
		return err_set(e, ERR_INPUT, "merkle: leaf %" PRIu64 " is not "
		    "in a tree of size %" PRIu64, leaf_index, size);
	/* From the root down; PATH lists the same hashes bottom-up. */
	while (size > 1) {
		if (c == MERKLE_PATH_MAX)
			return err_set(e, ERR_INTERNAL, "merkle: inclusion "
			    "path longer than %d", MERKLE_PATH_MAX);
		k = split_point(size);
		if (leaf_index - lo < k) {
			if (range_hash(lo + k, size - k, get, arg, tmp[c++],
			    e) == -1)
				return -1;
			size = k;
		} else {
			if (range_hash(lo, k, get, arg, tmp[c++], e) == -1)
				return -1;
			lo += k;
			size -= k;
		}
	}
	for (i = 0; i < c; i++)
		memcpy(path[i], tmp[c - 1 - i], HLEN);
	*n = c;
	return 0;
}

int
merkle_consistency_proof(uint64_t m, uint64_t n, merkle_get_fn get,
    void *arg, unsigned char path[MERKLE_PATH_MAX][HLEN], size_t *len,
    struct err *e)
{
	unsigned char tmp[MERKLE_PATH_MAX][HLEN];
	uint64_t lo = 0, size = n, k;
	size_t c = 0, i, o = 0;
	int whole = 1;		/* SUBPROOF's b: still on the old tree's root */

	*len = 0;
	if (check_size("tree size", n, e) == -1)
		return -1;
	if (m == 0)
		return err_set(e, ERR_INPUT, "merkle: no consistency proof "
		    "from the empty tree (size 0)");
	if (m > n)
		return err_set(e, ERR_INPUT, "merkle: no consistency proof "
		    "from size %" PRIu64 " to the smaller size %" PRIu64, m, n);
	/* SUBPROOF from the top; the hashes beside the walk come out
	 * outermost first, PROOF lists them innermost first. */
	while (m != size) {
		if (c == MERKLE_PATH_MAX - 1)
			return err_set(e, ERR_INTERNAL, "merkle: consistency "
			    "proof longer than %d", MERKLE_PATH_MAX);
		k = split_point(size);
		if (m <= k) {
			if (range_hash(lo + k, size - k, get, arg, tmp[c++],
			    e) == -1)
				return -1;
			size = k;
		} else {
			if (range_hash(lo, k, get, arg, tmp[c++], e) == -1)
				return -1;
			lo += k;
			size -= k;
			m -= k;
			whole = 0;
		}
	}
	if (!whole) {
		if (range_hash(lo, size, get, arg, path[o++], e) == -1)
			return -1;
	}
	for (i = 0; i < c; i++)
		memcpy(path[o++], tmp[c - 1 - i], HLEN);
	*len = o;
	return 0;
}

/* --- verifying ----------------------------------------------------------- */

int
merkle_inclusion_verify(uint64_t leaf_index, uint64_t size,
    const unsigned char leaf_hash[HLEN], const unsigned char path[][HLEN],
    size_t n, const unsigned char root[HLEN], struct err *e)
{
	unsigned char r[HLEN];
	char got[2 * HLEN + 1], want[2 * HLEN + 1];
	uint64_t fn, sn;
	size_t i, need;

	if (check_size("tree size", size, e) == -1)
		return -1;
	/* RFC 9162 2.1.3.2 step 1. */
	if (leaf_index >= size)
		return err_set(e, ERR_INPUT, "merkle: leaf %" PRIu64 " is not "
		    "in a tree of size %" PRIu64, leaf_index, size);
	need = inclusion_len(leaf_index, size);
	if (n != need)
		return err_set(e, ERR_INPUT, "merkle: inclusion proof has %zu "
		    "hashes, leaf %" PRIu64 " of a tree of size %" PRIu64
		    " needs %zu", n, leaf_index, size, need);
	/* Steps 2 to 4. */
	fn = leaf_index;
	sn = size - 1;
	memcpy(r, leaf_hash, HLEN);
	for (i = 0; i < n; i++) {
		if (sn == 0)
			return err_set(e, ERR_INPUT, "merkle: inclusion proof "
			    "is too long for leaf %" PRIu64 " of a tree of "
			    "size %" PRIu64, leaf_index, size);
		if ((fn & 1) == 1 || fn == sn) {
			if (node_hash(path[i], r, r, e) == -1)
				return -1;
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else if (node_hash(r, path[i], r, e) == -1)
			return -1;
		fn >>= 1;
		sn >>= 1;
	}
	/* Step 5. */
	if (sn != 0)
		return err_set(e, ERR_INPUT, "merkle: inclusion proof is too "
		    "short for leaf %" PRIu64 " of a tree of size %" PRIu64,
		    leaf_index, size);
	if (memcmp(r, root, HLEN) != 0) {
		hex(r, got);
		hex(root, want);
		return err_set(e, ERR_INPUT, "merkle: inclusion proof of leaf "
		    "%" PRIu64 " leads to root %s, not to the root %s of the "
		    "tree of size %" PRIu64, leaf_index, got, want, size);
	}
	return 0;
}

int
merkle_consistency_verify(uint64_t m, uint64_t n,
    const unsigned char root_m[HLEN], const unsigned char root_n[HLEN],
    const unsigned char path[][HLEN], size_t len, struct err *e)
{
	unsigned char fr[HLEN], sr[HLEN];
	char got[2 * HLEN + 1], want[2 * HLEN + 1];
	const unsigned char *c;
	uint64_t fn, sn;
	size_t i, need, start;

	if (check_size("tree size", n, e) == -1)
		return -1;
	if (m == 0)
		return err_set(e, ERR_INPUT, "merkle: no consistency proof "
		    "from the empty tree (size 0)");
	if (m > n)
		return err_set(e, ERR_INPUT, "merkle: size %" PRIu64 " is "
		    "larger than size %" PRIu64 ": a log cannot shrink", m, n);
	if (m == n) {
		if (len != 0)
			return err_set(e, ERR_INPUT, "merkle: consistency "
			    "proof between equal sizes %" PRIu64 " must be "
			    "empty, it has %zu hashes", m, len);
		if (memcmp(root_m, root_n, HLEN) != 0) {
			hex(root_m, got);
			hex(root_n, want);
			return err_set(e, ERR_INPUT, "merkle: two different "
			    "roots %s and %s for the same size %" PRIu64,
			    got, want, m);
		}
		return 0;
	}
	/* RFC 9162 2.1.4.2 step 1. */
	if (len == 0)
		return err_set(e, ERR_INPUT, "merkle: empty consistency proof "
		    "from size %" PRIu64 " to size %" PRIu64, m, n);
	need = consistency_len(m, n);
	if (len != need)
		return err_set(e, ERR_INPUT, "merkle: consistency proof has "
		    "%zu hashes, from size %" PRIu64 " to size %" PRIu64
		    " needs %zu", len, m, n, need);
	/* Step 2: if m is a power of two, root_m heads the path. */
	start = (m & (m - 1)) == 0 ? 0 : 1;
	c = start == 0 ? root_m : path[0];
	/* Steps 3 to 5. */
	fn = m - 1;
	sn = n - 1;
	while ((fn & 1) == 1) {
		fn >>= 1;
		sn >>= 1;
	}
	memcpy(fr, c, HLEN);
	memcpy(sr, c, HLEN);
	/* Step 6. */
	for (i = start; i < len; i++) {
		if (sn == 0)
			return err_set(e, ERR_INPUT, "merkle: consistency proof "
			    "from size %" PRIu64 " to size %" PRIu64 " is too "
			    "long", m, n);
		if ((fn & 1) == 1 || fn == sn) {
			if (node_hash(path[i], fr, fr, e) == -1 ||
			    node_hash(path[i], sr, sr, e) == -1)
				return -1;
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else if (node_hash(sr, path[i], sr, e) == -1)
			return -1;
		fn >>= 1;
		sn >>= 1;
	}
	/* Step 7. */
	if (sn != 0)
		return err_set(e, ERR_INPUT, "merkle: consistency proof from "
		    "size %" PRIu64 " to size %" PRIu64 " is too short", m, n);
	if (memcmp(fr, root_m, HLEN) != 0) {
		hex(fr, got);
		hex(root_m, want);
		return err_set(e, ERR_INPUT, "merkle: consistency proof leads "
		    "to root %s for size %" PRIu64 ", not to the old root %s",
		    got, m, want);
	}
	if (memcmp(sr, root_n, HLEN) != 0) {
		hex(sr, got);
		hex(root_n, want);
		return err_set(e, ERR_INPUT, "merkle: consistency proof leads "
		    "to root %s for size %" PRIu64 ", not to the new root %s",
		    got, n, want);
	}
	return 0;
}
