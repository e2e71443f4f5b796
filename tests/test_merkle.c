/*
 * test_merkle.c - the transparency log's tree mathematics (merkle.c):
 * roots, inclusion and consistency proofs built from stored complete
 * subtrees are byte-equal to MTH, PATH and SUBPROOF written straight from
 * RFC 9162 2.1 for every size up to 130, every leaf and every pair of
 * sizes, and every proof verifies; the Certificate Transparency reference
 * vectors (the 8-leaf tree of RFC 6962 test inputs); the refusals, each with
 * its reason; the append helper over 300 leaves; the read counts that make a
 * proof O(log n); and the largest tree allowed (2^63 - 1 leaves).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "err.h"
#include "merkle.h"
#include "testmain.h"

#define HLEN		MERKLE_HASH_LEN
#define NLEAVES		300	/* the append test */
#define NEXHAUST	130	/* every size, leaf and pair up to this */
#define NLEVELS		10	/* 2^9 > NLEAVES */

/* --- the reference, straight from RFC 9162 2.1.1 to 2.1.4 --------------- */

/* SHA-256 of the concatenation of up to three parts; kept apart from
 * merkle.c so the reference shares none of its code. */
static void
sha(const void *a, size_t al, const void *b, size_t bl, const void *c,
    size_t cl, unsigned char out[HLEN])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int n = 0;

	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    (al && EVP_DigestUpdate(md, a, al) != 1) ||
	    (bl && EVP_DigestUpdate(md, b, bl) != 1) ||
	    (cl && EVP_DigestUpdate(md, c, cl) != 1) ||
	    EVP_DigestFinal_ex(md, out, &n) != 1 || n != HLEN)
		abort();
	EVP_MD_CTX_free(md);
}

static void
ref_leaf(const void *data, size_t len, unsigned char out[HLEN])
{
	static const unsigned char zero = 0x00;

	sha(&zero, 1, data, len, NULL, 0, out);
}

static void
ref_node(const unsigned char l[HLEN], const unsigned char r[HLEN],
    unsigned char out[HLEN])
{
	static const unsigned char one = 0x01;

	sha(&one, 1, l, HLEN, r, HLEN, out);
}

/* k: the largest power of two smaller than n (n > 1). */
static uint64_t
ref_k(uint64_t n)
{
	uint64_t k = 1;

	while (k * 2 < n)
		k *= 2;
	return k;
}

/* MTH(D[n]) over d, the leaf hashes (MTH of one entry is its leaf hash). */
static void
ref_mth(const unsigned char (*d)[HLEN], uint64_t n, unsigned char out[HLEN])
{
	unsigned char l[HLEN], r[HLEN];
	uint64_t k;

	if (n == 0) {
		sha(NULL, 0, NULL, 0, NULL, 0, out);
		return;
	}
	if (n == 1) {
		memcpy(out, d[0], HLEN);
		return;
	}
	k = ref_k(n);
	ref_mth(d, k, l);
	ref_mth(d + k, n - k, r);
	ref_node(l, r, out);
}

struct ref_list {
	unsigned char	h[MERKLE_PATH_MAX][HLEN];
	size_t		n;
};

static void
ref_append(struct ref_list *p, const unsigned char (*d)[HLEN], uint64_t n)
{
	CU_ASSERT_FATAL(p->n < MERKLE_PATH_MAX);
	ref_mth(d, n, p->h[p->n++]);
}

/* PATH(m, D[n]). */
static void
ref_path(uint64_t m, const unsigned char (*d)[HLEN], uint64_t n,
    struct ref_list *p)
{
	uint64_t k;

	if (n == 1)
		return;
	k = ref_k(n);
	if (m < k) {
		ref_path(m, d, k, p);
		ref_append(p, d + k, n - k);
	} else {
		ref_path(m - k, d + k, n - k, p);
		ref_append(p, d, k);
	}
}

/* SUBPROOF(m, D[n], b). */
static void
ref_subproof(uint64_t m, const unsigned char (*d)[HLEN], uint64_t n, int b,
    struct ref_list *p)
{
	uint64_t k;

	if (m == n) {
		if (!b)
			ref_append(p, d, n);
		return;
	}
	k = ref_k(n);
	if (m <= k) {
		ref_subproof(m, d, k, b, p);
		ref_append(p, d + k, n - k);
	} else {
		ref_subproof(m - k, d + k, n - k, 0, p);
		ref_append(p, d, k);
	}
}

/* --- a store of complete subtrees, in memory ----------------------------- */

struct store {
	unsigned char	h[NLEVELS][NLEAVES][HLEN];
	char		have[NLEVELS][NLEAVES];
	uint64_t	size;		/* reads must stay below this */
	unsigned long	reads;
	int		bad;		/* a read of a missing or later node */
};

static unsigned char leaves[NLEAVES][HLEN];	/* leaf hashes */
static struct store *st;		/* the reference's complete subtrees */
static struct store *ct;		/* the CT vectors' tree */

static int
store_get(void *arg, int level, uint64_t index, unsigned char out[HLEN])
{
	struct store *s = arg;

	s->reads++;
	if (level < 0 || level >= NLEVELS || index >= NLEAVES ||
	    !s->have[level][index] || (index + 1) << level > s->size) {
		s->bad = 1;
		return -1;
	}
	memcpy(out, s->h[level][index], HLEN);
	return 0;
}

/* Every complete subtree of the first n leaves, from the reference. */
static void
store_fill(struct store *s, uint64_t n)
{
	uint64_t i;
	int level;

	memset(s, 0, sizeof(*s));
	for (level = 0; level < NLEVELS; level++)
		for (i = 0; (i + 1) << level <= n; i++) {
			ref_mth(leaves + (i << level), UINT64_C(1) << level,
			    s->h[level][i]);
			s->have[level][i] = 1;
		}
}

static int
bits(uint64_t x)
{
	int n = 0;

	for (; x != 0; x >>= 1)
		n++;
	return n;
}

/* The read budget of one proof of a tree of size n: about 2 log2 n + 2. */
static unsigned long
read_budget(uint64_t n)
{
	return 2 * (unsigned long)bits(n - 1) + 2;
}

static int
suite_init(void)
{
	char data[32];
	int i, len;

	for (i = 0; i < NLEAVES; i++) {
		len = snprintf(data, sizeof(data), "record %d", i);
		ref_leaf(data, (size_t)len, leaves[i]);
	}
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return 1;
	return 0;
}

static int
suite_clean(void)
{
	free(st);
	st = NULL;
	free(ct);
	ct = NULL;
	return 0;
}

/* --- (1) against the reference ------------------------------------------ */

static void
check_inclusion(struct store *s, uint64_t i, uint64_t n,
    const unsigned char root[HLEN])
{
	unsigned char path[MERKLE_PATH_MAX][HLEN];
	struct ref_list want;
	struct err e;
	size_t len = 0;

	want.n = 0;
	ref_path(i, leaves, n, &want);
	s->size = n;
	s->reads = 0;
	err_clear(&e);
	CU_ASSERT_EQUAL_FATAL(merkle_inclusion_proof(i, n, store_get, s, path,
	    &len, &e), 0);
	CU_ASSERT_EQUAL_FATAL(len, want.n);
	CU_ASSERT_EQUAL(memcmp(path, want.h, len * HLEN), 0);
	CU_ASSERT(s->reads <= read_budget(n));
	CU_ASSERT_EQUAL(merkle_inclusion_verify(i, n, leaves[i],
	    (const unsigned char (*)[HLEN])path, len, root, &e), 0);
}

static void
check_consistency(struct store *s, uint64_t m, uint64_t n,
    const unsigned char root_m[HLEN], const unsigned char root_n[HLEN])
{
	unsigned char path[MERKLE_PATH_MAX][HLEN];
	struct ref_list want;
	struct err e;
	size_t len = 0;

	want.n = 0;
	ref_subproof(m, leaves, n, 1, &want);
	s->size = n;
	s->reads = 0;
	err_clear(&e);
	CU_ASSERT_EQUAL_FATAL(merkle_consistency_proof(m, n, store_get, s,
	    path, &len, &e), 0);
	CU_ASSERT_EQUAL_FATAL(len, want.n);
	CU_ASSERT_EQUAL(memcmp(path, want.h, len * HLEN), 0);
	CU_ASSERT(s->reads <= read_budget(n));
	CU_ASSERT_EQUAL(merkle_consistency_verify(m, n, root_m, root_n,
	    (const unsigned char (*)[HLEN])path, len, &e), 0);
}

static void
test_every_root_and_proof_equals_the_rfc_reference(void)
{
	static unsigned char roots[NEXHAUST + 1][HLEN];
	unsigned char got[HLEN];
	uint64_t n, i, m;
	struct err e;

	store_fill(st, NEXHAUST);
	for (n = 0; n <= NEXHAUST; n++) {
		ref_mth(leaves, n, roots[n]);
		st->size = n;
		st->reads = 0;
		CU_ASSERT_EQUAL_FATAL(merkle_root(n, store_get, st, got, &e), 0);
		CU_ASSERT_EQUAL(memcmp(got, roots[n], HLEN), 0);
		CU_ASSERT(st->reads <= (unsigned long)bits(n));
	}
	for (n = 1; n <= NEXHAUST; n++) {
		for (i = 0; i < n; i++)
			check_inclusion(st, i, n, roots[n]);
		for (m = 1; m <= n; m++)
			check_consistency(st, m, n, roots[m], roots[n]);
	}
	CU_ASSERT_EQUAL(st->bad, 0);
}

/* --- (2) the Certificate Transparency reference vectors ----------------- */

/* The RFC 6962 test inputs used by CT implementations (certificate-
 * transparency's merkle tests, Trillian's log verifier tests). */
static const char *ct_leaves[8] = {
	"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
	"606162636465666768696a6b6c6d6e6f"
};
static const char *ct_roots[9] = {
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
};

struct ct_proof {
	uint64_t	 a, b;		/* leaf and size, or m and n */
	size_t		 n;
	const char	*h[3];
};

/* Trillian's log verifier vectors (leaf indexes here 0-based); H_La_b is
 * MTH(D[a:b+1]) of the CT tree. */
#define H_L0 \
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
#define H_L1 \
	"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"
#define H_L2_3 \
	"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"
#define H_L4_7 \
	"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"
#define H_L4 \
	"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"
#define H_L6_7 \
	"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"
#define H_L0_3 \
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"
#define H_L0_1 \
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"
#define H_L4_5 \
	"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"

static const struct ct_proof ct_inclusion[] = {
	{ 0, 8, 3, { H_L1, H_L2_3, H_L4_7 } },
	{ 5, 8, 3, { H_L4, H_L6_7, H_L0_3 } },
	{ 2, 3, 1, { H_L0_1 } },
	{ 1, 5, 3, { H_L0, H_L2_3, H_L4 } },
	{ 0, 1, 0, { NULL } }
};

static const struct ct_proof ct_consistency[] = {
	{ 1, 1, 0, { NULL } },
	{ 1, 8, 3, { H_L1, H_L2_3, H_L4_7 } },
	{ 6, 8, 3, { H_L4_5, H_L6_7, H_L0_3 } },
	{ 2, 5, 2, { H_L2_3, H_L4 } }
};

static size_t
unhex(const char *s, unsigned char *out, size_t max)
{
	size_t n = 0;
	unsigned int v;

	for (; s[0] != '\0' && s[1] != '\0' && n < max; s += 2) {
		if (sscanf(s, "%2x", &v) != 1)
			abort();
		out[n++] = (unsigned char)v;
	}
	return n;
}

/* The 8-leaf CT tree in a store (ct): leaf hashes by merkle_leaf_hash(). */
static unsigned char ct_leafh[8][HLEN];

static void
ct_build(void)
{
	unsigned char data[16];
	struct merkle_node nodes[MERKLE_APPEND_MAX];
	struct err e;
	size_t len, nn, j;
	uint64_t i;

	if (ct != NULL) {
		ct->size = 8;
		return;
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(ct = calloc(1, sizeof(*ct)));
	for (i = 0; i < 8; i++) {
		len = unhex(ct_leaves[i], data, sizeof(data));
		CU_ASSERT_EQUAL_FATAL(merkle_leaf_hash(len ? data : NULL, len,
		    ct_leafh[i]), 0);
		ct->size = i;
		CU_ASSERT_EQUAL_FATAL(merkle_append(i, ct_leafh[i], store_get,
		    ct, nodes, &nn, &e), 0);
		for (j = 0; j < nn; j++) {
			memcpy(ct->h[nodes[j].level][nodes[j].index],
			    nodes[j].hash, HLEN);
			ct->have[nodes[j].level][nodes[j].index] = 1;
		}
	}
	ct->size = 8;
}

static void
hash_of(const char *s, unsigned char out[HLEN])
{
	CU_ASSERT_EQUAL_FATAL(unhex(s, out, HLEN), HLEN);
}

static void
test_matches_the_certificate_transparency_vectors(void)
{
	unsigned char got[HLEN], want[HLEN], want2[HLEN];
	unsigned char path[MERKLE_PATH_MAX][HLEN], vec[3][HLEN];
	const struct ct_proof *p;
	struct err e;
	size_t i, j, len;
	uint64_t n;

	ct_build();
	/* A leaf hash of the published set: d(1) = 0x00. */
	hash_of(H_L1, want);
	CU_ASSERT_EQUAL(memcmp(ct_leafh[1], want, HLEN), 0);
	for (n = 0; n <= 8; n++) {
		hash_of(ct_roots[n], want);
		ct->size = n;
		CU_ASSERT_EQUAL_FATAL(merkle_root(n, store_get, ct, got, &e), 0);
		CU_ASSERT_EQUAL(memcmp(got, want, HLEN), 0);
	}
	ct->size = 8;
	for (i = 0; i < sizeof(ct_inclusion) / sizeof(ct_inclusion[0]); i++) {
		p = &ct_inclusion[i];
		for (j = 0; j < p->n; j++)
			hash_of(p->h[j], vec[j]);
		CU_ASSERT_EQUAL_FATAL(merkle_inclusion_proof(p->a, p->b,
		    store_get, ct, path, &len, &e), 0);
		CU_ASSERT_EQUAL_FATAL(len, p->n);
		CU_ASSERT_EQUAL(memcmp(path, vec, len * HLEN), 0);
		hash_of(ct_roots[p->b], want);
		CU_ASSERT_EQUAL(merkle_inclusion_verify(p->a, p->b,
		    ct_leafh[p->a], (const unsigned char (*)[HLEN])vec, p->n,
		    want, &e), 0);
	}
	for (i = 0; i < sizeof(ct_consistency) / sizeof(ct_consistency[0]);
	    i++) {
		p = &ct_consistency[i];
		for (j = 0; j < p->n; j++)
			hash_of(p->h[j], vec[j]);
		CU_ASSERT_EQUAL_FATAL(merkle_consistency_proof(p->a, p->b,
		    store_get, ct, path, &len, &e), 0);
		CU_ASSERT_EQUAL_FATAL(len, p->n);
		CU_ASSERT_EQUAL(memcmp(path, vec, len * HLEN), 0);
		hash_of(ct_roots[p->a], want);
		hash_of(ct_roots[p->b], want2);
		CU_ASSERT_EQUAL(merkle_consistency_verify(p->a, p->b, want,
		    want2, (const unsigned char (*)[HLEN])vec, p->n, &e), 0);
	}
	CU_ASSERT_EQUAL(ct->bad, 0);
}

/* --- (3) refusals, each with its reason ---------------------------------- */

static void
expect_refusal(int rc, const struct err *e, enum err_code code,
    const char *reason)
{
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT_EQUAL(e->code, code);
	CU_ASSERT_PTR_NOT_NULL(strstr(e->msg, reason));
	if (rc != -1 || e->code != code || strstr(e->msg, reason) == NULL)
		fprintf(stderr, "\n  want \"%s\", got: %s\n", reason, e->msg);
}

#define PATHC(p)	((const unsigned char (*)[HLEN])(p))

static void
test_refuses_a_bad_inclusion_proof_with_its_reason(void)
{
	unsigned char path[MERKLE_PATH_MAX + 1][HLEN], root[HLEN], r7[HLEN];
	struct err e;
	size_t len;

	ct_build();
	/* Leaf 5 of 8: three hashes. */
	CU_ASSERT_EQUAL_FATAL(merkle_inclusion_proof(5, 8, store_get, ct,
	    path, &len, &e), 0);
	CU_ASSERT_EQUAL_FATAL(len, 3);
	hash_of(ct_roots[8], root);
	CU_ASSERT_EQUAL(merkle_inclusion_verify(5, 8, ct_leafh[5], PATHC(path),
	    3, root, &e), 0);

	/* A tampered hash in the path. */
	path[1][7] ^= 0x01;
	expect_refusal(merkle_inclusion_verify(5, 8, ct_leafh[5], PATHC(path),
	    3, root, &e), &e, ERR_INPUT, "inclusion proof of leaf 5 leads to "
	    "root ");
	path[1][7] ^= 0x01;
	/* Another leaf hash. */
	expect_refusal(merkle_inclusion_verify(5, 8, ct_leafh[4], PATHC(path),
	    3, root, &e), &e, ERR_INPUT, "not to the root 5dc9da79");
	/* The wrong index, same proof length. */
	expect_refusal(merkle_inclusion_verify(4, 8, ct_leafh[5], PATHC(path),
	    3, root, &e), &e, ERR_INPUT, "inclusion proof of leaf 4 leads to");
	/* An index beyond the tree. */
	expect_refusal(merkle_inclusion_verify(8, 8, ct_leafh[5], PATHC(path),
	    3, root, &e), &e, ERR_INPUT, "leaf 8 is not in a tree of size 8");
	/* The wrong size: 7 needs as many hashes (and is checked against
	 * its own root: a proof binds a size only through its root), 6
	 * fewer, 16 more. */
	hash_of(ct_roots[7], r7);
	expect_refusal(merkle_inclusion_verify(5, 7, ct_leafh[5], PATHC(path),
	    3, r7, &e), &e, ERR_INPUT, "not to the root ddb89be4");
	expect_refusal(merkle_inclusion_verify(5, 6, ct_leafh[5], PATHC(path),
	    3, root, &e), &e, ERR_INPUT, "inclusion proof has 3 hashes, leaf 5 "
	    "of a tree of size 6 needs 2");
	expect_refusal(merkle_inclusion_verify(5, 16, ct_leafh[5], PATHC(path),
	    3, root, &e), &e, ERR_INPUT, "needs 4");
	/* Too short, too long, far too long. */
	expect_refusal(merkle_inclusion_verify(5, 8, ct_leafh[5], PATHC(path),
	    2, root, &e), &e, ERR_INPUT, "inclusion proof has 2 hashes, leaf 5 "
	    "of a tree of size 8 needs 3");
	memcpy(path[3], root, HLEN);
	expect_refusal(merkle_inclusion_verify(5, 8, ct_leafh[5], PATHC(path),
	    4, root, &e), &e, ERR_INPUT, "inclusion proof has 4 hashes");
	expect_refusal(merkle_inclusion_verify(5, 8, ct_leafh[5], PATHC(path),
	    MERKLE_PATH_MAX + 1, root, &e), &e, ERR_INPUT,
	    "inclusion proof has 65 hashes");
	/* A size of 2^63 or more. */
	expect_refusal(merkle_inclusion_verify(5, MERKLE_SIZE_MAX + 1,
	    ct_leafh[5], PATHC(path), 3, root, &e), &e, ERR_INPUT,
	    "tree size 9223372036854775808 is not below 2^63");
	/* A one-leaf tree: the empty path, the leaf is the root. */
	CU_ASSERT_EQUAL(merkle_inclusion_verify(0, 1, ct_leafh[0], NULL, 0,
	    ct_leafh[0], &e), 0);
	expect_refusal(merkle_inclusion_verify(0, 1, ct_leafh[1], NULL, 0,
	    ct_leafh[0], &e), &e, ERR_INPUT, "leads to root 96a296d2");
	expect_refusal(merkle_inclusion_verify(0, 0, ct_leafh[0], NULL, 0,
	    ct_leafh[0], &e), &e, ERR_INPUT, "leaf 0 is not in a tree of "
	    "size 0");
}

static void
test_refuses_a_bad_consistency_proof_with_its_reason(void)
{
	unsigned char path[MERKLE_PATH_MAX + 1][HLEN], r6[HLEN], r8[HLEN];
	unsigned char r2[HLEN], r7[HLEN];
	struct err e;
	size_t len;

	ct_build();
	/* From 6 to 8: three hashes, the first one the old tree's own. */
	CU_ASSERT_EQUAL_FATAL(merkle_consistency_proof(6, 8, store_get, ct,
	    path, &len, &e), 0);
	CU_ASSERT_EQUAL_FATAL(len, 3);
	hash_of(ct_roots[6], r6);
	hash_of(ct_roots[8], r8);
	hash_of(ct_roots[2], r2);
	CU_ASSERT_EQUAL(merkle_consistency_verify(6, 8, r6, r8, PATHC(path), 3,
	    &e), 0);

	/* Tampered: a hash only the new tree uses (leaves 6 and 7), then
	 * ones both trees use (leaves 4 and 5, leaves 0 to 3). */
	path[1][0] ^= 0x80;
	expect_refusal(merkle_consistency_verify(6, 8, r6, r8, PATHC(path), 3,
	    &e), &e, ERR_INPUT, "for size 8, not to the new root 5dc9da79");
	path[1][0] ^= 0x80;
	path[0][31] ^= 0x01;
	expect_refusal(merkle_consistency_verify(6, 8, r6, r8, PATHC(path), 3,
	    &e), &e, ERR_INPUT, "for size 6, not to the old root 76e67dad");
	path[0][31] ^= 0x01;
	path[2][9] ^= 0x10;
	expect_refusal(merkle_consistency_verify(6, 8, r6, r8, PATHC(path), 3,
	    &e), &e, ERR_INPUT, "not to the old root 76e67dad");
	path[2][9] ^= 0x10;
	/* A rewritten old tree: another root for size 6. */
	expect_refusal(merkle_consistency_verify(6, 8, r2, r8, PATHC(path), 3,
	    &e), &e, ERR_INPUT, "not to the old root fac54203");
	/* The wrong sizes. */
	expect_refusal(merkle_consistency_verify(5, 8, r6, r8, PATHC(path), 3,
	    &e), &e, ERR_INPUT, "from size 5 to size 8");
	hash_of(ct_roots[7], r7);
	expect_refusal(merkle_consistency_verify(6, 7, r6, r7, PATHC(path), 3,
	    &e), &e, ERR_INPUT, "not to the new root ddb89be4");
	expect_refusal(merkle_consistency_verify(6, 16, r6, r8, PATHC(path), 3,
	    &e), &e, ERR_INPUT, "consistency proof has 3 hashes, from size 6 "
	    "to size 16 needs 4");
	/* Too short, too long, empty, far too long. */
	expect_refusal(merkle_consistency_verify(6, 8, r6, r8, PATHC(path), 2,
	    &e), &e, ERR_INPUT, "consistency proof has 2 hashes, from size 6 "
	    "to size 8 needs 3");
	memcpy(path[3], r8, HLEN);
	expect_refusal(merkle_consistency_verify(6, 8, r6, r8, PATHC(path), 4,
	    &e), &e, ERR_INPUT, "consistency proof has 4 hashes");
	expect_refusal(merkle_consistency_verify(6, 8, r6, r8, PATHC(path), 0,
	    &e), &e, ERR_INPUT, "empty consistency proof from size 6 to size 8");
	expect_refusal(merkle_consistency_verify(6, 8, r6, r8, PATHC(path),
	    MERKLE_PATH_MAX + 1, &e), &e, ERR_INPUT,
	    "consistency proof has 65 hashes");
	/* m > n: a log that shrank; m == 0. */
	expect_refusal(merkle_consistency_verify(8, 6, r8, r6, PATHC(path), 3,
	    &e), &e, ERR_INPUT, "size 8 is larger than size 6: a log cannot "
	    "shrink");
	expect_refusal(merkle_consistency_verify(0, 8, r6, r8, PATHC(path), 3,
	    &e), &e, ERR_INPUT, "from the empty tree (size 0)");
	/* Equal sizes: the empty proof and the same root, nothing else. */
	CU_ASSERT_EQUAL(merkle_consistency_verify(8, 8, r8, r8, NULL, 0, &e),
	    0);
	expect_refusal(merkle_consistency_verify(8, 8, r6, r8, NULL, 0, &e), &e,
	    ERR_INPUT, "two different roots 76e67dad");
	expect_refusal(merkle_consistency_verify(8, 8, r8, r8, PATHC(path), 1,
	    &e), &e, ERR_INPUT, "between equal sizes 8 must be empty, it has 1");
	expect_refusal(merkle_consistency_verify(6, MERKLE_SIZE_MAX + 1, r6,
	    r8, PATHC(path), 3, &e), &e, ERR_INPUT, "is not below 2^63");
}

static int
failing_get(void *arg, int level, uint64_t index, unsigned char out[HLEN])
{
	return -1;
}

static void
test_refuses_to_build_out_of_range_or_without_its_nodes(void)
{
	unsigned char path[MERKLE_PATH_MAX][HLEN], h[HLEN];
	struct merkle_node nodes[MERKLE_APPEND_MAX];
	struct err e;
	size_t len, nn;

	ct_build();
	expect_refusal(merkle_inclusion_proof(8, 8, store_get, ct, path, &len,
	    &e), &e, ERR_INPUT, "leaf 8 is not in a tree of size 8");
	expect_refusal(merkle_inclusion_proof(0, 0, store_get, ct, path, &len,
	    &e), &e, ERR_INPUT, "leaf 0 is not in a tree of size 0");
	expect_refusal(merkle_consistency_proof(0, 8, store_get, ct, path, &len,
	    &e), &e, ERR_INPUT, "from the empty tree (size 0)");
	expect_refusal(merkle_consistency_proof(8, 7, store_get, ct, path, &len,
	    &e), &e, ERR_INPUT, "from size 8 to the smaller size 7");
	expect_refusal(merkle_root(MERKLE_SIZE_MAX + 1, store_get, ct, h, &e),
	    &e, ERR_INPUT, "is not below 2^63");
	expect_refusal(merkle_append(MERKLE_SIZE_MAX, ct_leafh[0], store_get,
	    ct, nodes, &nn, &e), &e, ERR_INPUT, "would reach 2^63 leaves");
	CU_ASSERT_EQUAL(nn, 0);
	/* A node the store cannot give is named. */
	expect_refusal(merkle_root(6, failing_get, NULL, h, &e), &e,
	    ERR_INTERNAL, "cannot read the stored node at level 2, index 0 "
	    "(leaves 0 to 3)");
	expect_refusal(merkle_append(3, ct_leafh[3], failing_get, NULL, nodes,
	    &nn, &e), &e, ERR_INTERNAL, "level 0, index 2");
	expect_refusal(merkle_inclusion_proof(5, 8, failing_get, NULL, path,
	    &len, &e), &e, ERR_INTERNAL, "cannot read the stored node");
	expect_refusal(merkle_consistency_proof(6, 8, failing_get, NULL, path,
	    &len, &e), &e, ERR_INTERNAL, "cannot read the stored node");
}

/* --- (4) the append helper ----------------------------------------------- */

static void
test_appends_store_each_node_once_and_give_every_root(void)
{
	struct merkle_node nodes[MERKLE_APPEND_MAX];
	unsigned char want[HLEN], got[HLEN], root_m[HLEN];
	struct store *s;
	struct err e;
	uint64_t i, n, m, probe[3];
	size_t nn, j, k;
	unsigned long stored = 0, want_stored;
	int level;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s = calloc(1, sizeof(*s)));
	for (i = 0; i < NLEAVES; i++) {
		/* Only the nodes of the tree before this leaf may be read. */
		s->size = i;
		s->reads = 0;
		CU_ASSERT_EQUAL_FATAL(merkle_append(i, leaves[i], store_get, s,
		    nodes, &nn, &e), 0);
		CU_ASSERT_EQUAL(s->reads, nn - 1);
		CU_ASSERT_EQUAL_FATAL(nodes[0].level, 0);
		CU_ASSERT_EQUAL(nodes[0].index, i);
		for (j = 0; j < nn; j++) {
			CU_ASSERT_FATAL(nodes[j].level < NLEVELS);
			CU_ASSERT_FATAL(nodes[j].index < NLEAVES);
			/* Complete now, and not before. */
			CU_ASSERT_EQUAL((nodes[j].index + 1) << nodes[j].level,
			    i + 1);
			CU_ASSERT_FALSE(s->have[nodes[j].level][nodes[j].index]);
			ref_mth(leaves + (nodes[j].index << nodes[j].level),
			    UINT64_C(1) << nodes[j].level, want);
			CU_ASSERT_EQUAL(memcmp(nodes[j].hash, want, HLEN), 0);
			memcpy(s->h[nodes[j].level][nodes[j].index],
			    nodes[j].hash, HLEN);
			s->have[nodes[j].level][nodes[j].index] = 1;
			stored++;
		}
		n = i + 1;
		s->size = n;
		s->reads = 0;
		CU_ASSERT_EQUAL_FATAL(merkle_root(n, store_get, s, got, &e), 0);
		ref_mth(leaves, n, want);
		CU_ASSERT_EQUAL(memcmp(got, want, HLEN), 0);
		CU_ASSERT(s->reads <= (unsigned long)bits(n));
		/* Proofs at this size from what was stored so far. */
		probe[0] = 0;
		probe[1] = n / 2;
		probe[2] = n - 1;
		for (k = 0; k < 3; k++) {
			check_inclusion(s, probe[k], n, want);
			m = probe[k] + 1;
			ref_mth(leaves, m, root_m);
			check_consistency(s, m, n, root_m, want);
		}
	}
	/* Each complete subtree once: n/2^level of each level, fewer than
	 * two per leaf. */
	for (want_stored = 0, level = 0; level < NLEVELS; level++)
		want_stored += NLEAVES >> level;
	CU_ASSERT_EQUAL(stored, want_stored);
	CU_ASSERT_EQUAL(s->bad, 0);
	free(s);
}

/* --- the largest tree ---------------------------------------------------- */

/* A tree of identical leaves: every node of a level has the same hash, so
 * a getter of 63 hashes stands for a tree of 2^63 - 1 leaves. */
static unsigned char same[MERKLE_LEVEL_MAX + 1][HLEN];
static unsigned long same_reads;
static int same_bad;

static int
same_get(void *arg, int level, uint64_t index, unsigned char out[HLEN])
{
	uint64_t size = *(const uint64_t *)arg;

	same_reads++;
	if (level < 0 || level > MERKLE_LEVEL_MAX ||
	    index >= (size >> level)) {
		same_bad = 1;
		return -1;
	}
	memcpy(out, same[level], HLEN);
	return 0;
}

static void
test_handles_the_largest_tree_in_64_hashes(void)
{
	unsigned char path[MERKLE_PATH_MAX][HLEN], root[HLEN], root_m[HLEN];
	uint64_t size = MERKLE_SIZE_MAX, m, idx[4];
	struct err e;
	size_t len, k;
	int level;

	ref_leaf("x", 1, same[0]);
	for (level = 1; level <= MERKLE_LEVEL_MAX; level++)
		ref_node(same[level - 1], same[level - 1], same[level]);
	CU_ASSERT_EQUAL_FATAL(merkle_root(size, same_get, &size, root, &e), 0);
	idx[0] = 0;
	idx[1] = size / 2;
	idx[2] = size - 2;
	idx[3] = size - 1;
	for (k = 0; k < 4; k++) {
		same_reads = 0;
		CU_ASSERT_EQUAL_FATAL(merkle_inclusion_proof(idx[k], size,
		    same_get, &size, path, &len, &e), 0);
		CU_ASSERT(len <= 63);
		CU_ASSERT(same_reads <= read_budget(size));
		CU_ASSERT_EQUAL(merkle_inclusion_verify(idx[k], size, same[0],
		    PATHC(path), len, root, &e), 0);
	}
	/* From 2^63 - 3 to 2^63 - 1: the longest proof there is, 64. */
	m = size - 2;
	CU_ASSERT_EQUAL_FATAL(merkle_root(m, same_get, &size, root_m, &e), 0);
	same_reads = 0;
	CU_ASSERT_EQUAL_FATAL(merkle_consistency_proof(m, size, same_get, &size,
	    path, &len, &e), 0);
	CU_ASSERT_EQUAL(len, MERKLE_PATH_MAX);
	CU_ASSERT(same_reads <= read_budget(size));
	CU_ASSERT_EQUAL(merkle_consistency_verify(m, size, root_m, root,
	    PATHC(path), len, &e), 0);
	for (m = 1; m < size / 2; m = m * 3 + 1) {
		CU_ASSERT_EQUAL_FATAL(merkle_root(m, same_get, &size, root_m,
		    &e), 0);
		CU_ASSERT_EQUAL_FATAL(merkle_consistency_proof(m, size,
		    same_get, &size, path, &len, &e), 0);
		CU_ASSERT_EQUAL(merkle_consistency_verify(m, size, root_m, root,
		    PATHC(path), len, &e), 0);
	}
	CU_ASSERT_EQUAL(same_bad, 0);
}

static CU_TestInfo tree_tests[] = {
	{ "gives every root and proof equal to the RFC reference up to 130",
	    test_every_root_and_proof_equals_the_rfc_reference },
	{ "matches the Certificate Transparency vectors",
	    test_matches_the_certificate_transparency_vectors },
	{ "refuses a bad inclusion proof with its reason",
	    test_refuses_a_bad_inclusion_proof_with_its_reason },
	{ "refuses a bad consistency proof with its reason",
	    test_refuses_a_bad_consistency_proof_with_its_reason },
	{ "refuses to build out of range or without its nodes",
	    test_refuses_to_build_out_of_range_or_without_its_nodes },
	{ "appends store each node once and give every root",
	    test_appends_store_each_node_once_and_give_every_root },
	{ "handles the largest tree in 64 hashes",
	    test_handles_the_largest_tree_in_64_hashes },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ "merkle", suite_init, suite_clean, NULL, NULL, tree_tests },
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	return test_run_suites(suites);
}
