/*
 * test_checkpoint.c - the transparency log's documents: a Checkpoint built,
 * signed and checked; refused when signed by another member than its
 * Origin, when its TreeSize or RootHash was changed after signing, when
 * another origin was asked for, or when it claims a time after it was
 * signed; the proof documents written and read back unchanged and still
 * proving; readers refusing what does not fit; the examples.  The test PKI
 * and its operator-signed trust list are tests/testpki.c's.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checkpoint.h"
#include "dsig.h"
#include "logdoc.h"
#include "merkle.h"
#include "schema.h"
#include "trust.h"
#include "verifier.h"
#include "xml.h"
#include "testmain.h"
#include "testpki.h"

enum { R01, R08, LVV, THL, NMEMBERS };
static const struct testpki_member members[NMEMBERS] = {
	{ "01", "region supervisor", "01", "HVA-01", 7700 },
	{ "08", "region supervisor", "08", "HVA-08", 7701 },
	{ "lvv", "supervisor", NULL, "LVV", 7702 },
	{ "thl", "coordinator auditor", NULL, NULL, 7703 },
};

static struct testpki *pki;

static int
suite_init(void)
{
	pki = testpki_new("checkpoint", members, NMEMBERS);
	return pki != NULL ? 0 : -1;
}

static int
suite_clean(void)
{
	return testpki_free(pki);
}

/* --- helpers -------------------------------------------------------------- */

static int
has_reason(const char *what, int rc, const struct err *e, enum err_code code,
    const char *needle)
{
	if (rc == 0) {
		printf("\n  %s: accepted, wanted %s \"%s\"\n", what,
		    err_code_name(code), needle);
		return 0;
	}
	if (e->code != code || strstr(e->msg, needle) == NULL) {
		printf("\n  %s: got %s \"%s\", wanted %s \"%s\"\n", what,
		    err_code_name(e->code), e->msg, err_code_name(code),
		    needle);
		return 0;
	}
	return 1;
}

/* An in-memory tree of up to 64 leaves, as node/tlog.c keeps one. */
#define T_LEVELS	7
#define T_LEAVES	64
static unsigned char	tree[T_LEVELS][T_LEAVES][MERKLE_HASH_LEN];

static int
tree_get(void *arg, int level, uint64_t index,
    unsigned char out[MERKLE_HASH_LEN])
{
	if (level < 0 || level >= T_LEVELS || index >= (uint64_t)(T_LEAVES >> level))
		return -1;
	memcpy(out, tree[level][index], MERKLE_HASH_LEN);
	return 0;
}

/* Leaves "leaf 0", "leaf 1", ... */
static int
tree_build(uint64_t n)
{
	struct merkle_node nodes[MERKLE_APPEND_MAX];
	unsigned char leaf[MERKLE_HASH_LEN];
	char data[32];
	struct err e;
	uint64_t i;
	size_t k, j;

	err_clear(&e);
	for (i = 0; i < n; i++) {
		snprintf(data, sizeof(data), "leaf %llu", (unsigned long long)i);
		if (merkle_leaf_hash(data, strlen(data), leaf) == -1 ||
		    merkle_append(i, leaf, tree_get, NULL, nodes, &k,
		    &e) == -1)
			return -1;
		for (j = 0; j < k; j++)
			memcpy(tree[nodes[j].level][nodes[j].index],
			    nodes[j].hash, MERKLE_HASH_LEN);
	}
	return 0;
}

/* A checkpoint of the first size leaves with Origin member origin, signed
 * by member signer at now; *len bytes, xmlFree(). */
static char *
checkpoint_bytes(int origin, int signer, uint64_t size, time_t t,
    size_t *len)
{
	struct checkpoint c;
	struct err e;
	xmlDocPtr doc;
	char *out;

	err_clear(&e);
	memset(&c, 0, sizeof(c));
	snprintf(c.origin, sizeof(c.origin), "%s", pki->ids[origin]);
	c.size = size;
	c.time = t;
	if (merkle_root(size, tree_get, NULL, c.root, &e) == -1 ||
	    (doc = checkpoint_new(&c, &e)) == NULL) {
		printf("\n  checkpoint_new: %s\n", e.msg);
		return NULL;
	}
	out = testpki_sign(pki, doc, signer, len);
	xmlFreeDoc(doc);
	return out;
}

static int
check_bytes(const char *buf, size_t len, const char *origin,
    struct checkpoint *out, struct err *e)
{
	xmlDocPtr doc;
	int rc;

	err_clear(e);
	if ((doc = xml_parse(buf, len, "checkpoint", &xml_limits_wire,
	    e)) == NULL)
		return -1;
	rc = checkpoint_check(pki->ver, doc, origin, time(NULL), out, e);
	xmlFreeDoc(doc);
	return rc;
}

/* buf with the first from replaced by to (same or other length);
 * free(). */
static char *
replace(const char *buf, const char *from, const char *to, size_t *len)
{
	const char *p = strstr(buf, from);
	char *out;
	size_t n;

	if (p == NULL)
		return NULL;
	n = strlen(buf) - strlen(from) + strlen(to);
	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	snprintf(out, n + 1, "%.*s%s%s", (int)(p - buf), buf, to,
	    p + strlen(from));
	*len = n;
	return out;
}

/* --- Checkpoint ------------------------------------------------------------- */

static void
test_sign_check(void)
{
	unsigned char root[MERKLE_HASH_LEN];
	struct checkpoint cp;
	struct err e;
	time_t t = time(NULL) - 10;
	char *buf;
	size_t len, i;

	CU_ASSERT_FATAL(tree_build(13) == 0);
	CU_ASSERT_FATAL((buf = checkpoint_bytes(R08, R08, 13, t, &len)) !=
	    NULL);
	CU_ASSERT(check_bytes(buf, len, NULL, &cp, &e) == 0);
	if (e.code != ERR_OK)
		printf("\n  %s\n", e.msg);
	CU_ASSERT_STRING_EQUAL(cp.origin, pki->ids[R08]);
	CU_ASSERT_STRING_EQUAL(cp.info.member_id, pki->ids[R08]);
	CU_ASSERT(cp.info.kind == DOC_CHECKPOINT);
	CU_ASSERT(cp.size == 13);
	CU_ASSERT(cp.time == t);
	CU_ASSERT(merkle_root(13, tree_get, NULL, root, &e) == 0);
	CU_ASSERT(memcmp(cp.root, root, MERKLE_HASH_LEN) == 0);
	/* Id "CP-13-" and 16 hex digits, the same the signature names */
	CU_ASSERT(strncmp(cp.id, "CP-13-", 6) == 0);
	CU_ASSERT(strlen(cp.id) == 22);
	for (i = 6; i < strlen(cp.id); i++)
		CU_ASSERT(strchr("0123456789abcdef", cp.id[i]) != NULL);
	CU_ASSERT_STRING_EQUAL(cp.id, cp.info.doc_id);
	/* the origin asked for */
	CU_ASSERT(check_bytes(buf, len, pki->ids[R08], &cp, &e) == 0);
	xmlFree(buf);
}

static void
test_id_given(void)
{
	struct checkpoint c, cp;
	struct err e;
	xmlDocPtr doc;
	char *buf;
	size_t len;

	err_clear(&e);
	memset(&c, 0, sizeof(c));
	snprintf(c.origin, sizeof(c.origin), "%s", pki->ids[R01]);
	c.time = time(NULL);
	CU_ASSERT_FATAL(checkpoint_id_new(0, c.id, &e) == 0);
	CU_ASSERT(strncmp(c.id, "CP-0-", 5) == 0);
	CU_ASSERT(merkle_root(0, tree_get, NULL, c.root, &e) == 0);
	CU_ASSERT_FATAL((doc = checkpoint_new(&c, &e)) != NULL);
	CU_ASSERT_FATAL((buf = testpki_sign(pki, doc, R01, &len)) != NULL);
	xmlFreeDoc(doc);
	CU_ASSERT(check_bytes(buf, len, pki->ids[R01], &cp, &e) == 0);
	CU_ASSERT_STRING_EQUAL(cp.id, c.id);
	CU_ASSERT(cp.size == 0);
	xmlFree(buf);
}

static void
test_any_role_signs_its_own(void)
{
	struct checkpoint cp;
	struct err e;
	char *buf;
	size_t len;

	CU_ASSERT_FATAL(tree_build(5) == 0);
	/* a supervisor only and a coordinator keep logs too */
	CU_ASSERT_FATAL((buf = checkpoint_bytes(LVV, LVV, 5, time(NULL),
	    &len)) != NULL);
	CU_ASSERT(check_bytes(buf, len, pki->ids[LVV], &cp, &e) == 0);
	xmlFree(buf);
	CU_ASSERT_FATAL((buf = checkpoint_bytes(THL, THL, 5, time(NULL),
	    &len)) != NULL);
	CU_ASSERT(check_bytes(buf, len, NULL, &cp, &e) == 0);
	xmlFree(buf);
}

static void
test_refuses_other_signer(void)
{
	struct checkpoint cp;
	struct err e;
	char *buf;
	size_t len;
	int rc;

	CU_ASSERT_FATAL(tree_build(8) == 0);
	/* region 01 signs a head for region 08's log */
	CU_ASSERT_FATAL((buf = checkpoint_bytes(R08, R01, 8, time(NULL),
	    &len)) != NULL);
	rc = check_bytes(buf, len, NULL, &cp, &e);
	CU_ASSERT(has_reason("signed by another member", rc, &e, ERR_TRUST,
	    "but is signed by member"));
	CU_ASSERT(strstr(e.msg, pki->ids[R01]) != NULL);
	CU_ASSERT(strstr(e.msg, pki->ids[R08]) != NULL);
	rc = check_bytes(buf, len, pki->ids[R08], &cp, &e);
	CU_ASSERT(has_reason("signed by another member, origin asked", rc,
	    &e, ERR_TRUST, "but is signed by member"));
	xmlFree(buf);
}

static void
test_refuses_tampered(void)
{
	struct checkpoint cp;
	struct err e;
	char *buf, *bad, b64[48];
	unsigned char other[MERKLE_HASH_LEN];
	size_t len, blen;
	int rc;

	CU_ASSERT_FATAL(tree_build(8) == 0);
	CU_ASSERT_FATAL((buf = checkpoint_bytes(R08, R08, 7, time(NULL),
	    &len)) != NULL);
	CU_ASSERT_FATAL((bad = replace(buf, "<TreeSize>7<", "<TreeSize>8<",
	    &blen)) != NULL);
	rc = check_bytes(bad, blen, NULL, &cp, &e);
	CU_ASSERT(has_reason("TreeSize changed", rc, &e, ERR_SIGNATURE,
	    "digest"));
	free(bad);
	/* the root of 8 leaves in place of the root of 7 */
	CU_ASSERT(merkle_root(8, tree_get, NULL, other, &e) == 0);
	logdoc_base64(other, b64);
	CU_ASSERT_FATAL((bad = strdup(buf)) != NULL);
	{
		char *p = strstr(bad, "<RootHash>");

		CU_ASSERT_FATAL(p != NULL);
		memcpy(p + strlen("<RootHash>"), b64, 44);
	}
	rc = check_bytes(bad, len, NULL, &cp, &e);
	CU_ASSERT(has_reason("RootHash changed", rc, &e, ERR_SIGNATURE,
	    "digest"));
	free(bad);
	xmlFree(buf);
}

static void
test_refuses_wrong_origin(void)
{
	struct checkpoint cp;
	struct err e;
	char *buf;
	size_t len;
	int rc;

	CU_ASSERT_FATAL(tree_build(3) == 0);
	CU_ASSERT_FATAL((buf = checkpoint_bytes(R01, R01, 3, time(NULL),
	    &len)) != NULL);
	rc = check_bytes(buf, len, pki->ids[R08], &cp, &e);
	CU_ASSERT(has_reason("another origin asked", rc, &e, ERR_TRUST,
	    "not of"));
	CU_ASSERT(strstr(e.msg, pki->ids[R08]) != NULL);
	xmlFree(buf);
}

static void
test_refuses_future_timestamp(void)
{
	struct checkpoint cp;
	struct err e;
	char *buf;
	size_t len;
	int rc;

	CU_ASSERT_FATAL(tree_build(3) == 0);
	CU_ASSERT_FATAL((buf = checkpoint_bytes(R01, R01, 3,
	    time(NULL) + 3600, &len)) != NULL);
	rc = check_bytes(buf, len, NULL, &cp, &e);
	CU_ASSERT(has_reason("Timestamp after signedAt", rc, &e, ERR_TRUST,
	    "after its signing time"));
	xmlFree(buf);
}

static void
test_refuses_unsigned_and_bad_input(void)
{
	struct checkpoint c, cp;
	struct err e;
	xmlDocPtr doc;
	char *buf;
	size_t len;
	int rc;

	err_clear(&e);
	memset(&c, 0, sizeof(c));
	snprintf(c.origin, sizeof(c.origin), "not a member id");
	c.time = time(NULL);
	CU_ASSERT(checkpoint_new(&c, &e) == NULL);
	CU_ASSERT(e.code == ERR_USAGE);
	CU_ASSERT(strstr(e.msg, "Origin") != NULL);
	snprintf(c.origin, sizeof(c.origin), "%s", pki->ids[R01]);
	c.size = MERKLE_SIZE_MAX + 1;
	CU_ASSERT(checkpoint_new(&c, &e) == NULL);
	CU_ASSERT(e.code == ERR_USAGE);
	/* unsigned */
	c.size = 1;
	CU_ASSERT_FATAL((doc = checkpoint_new(&c, &e)) != NULL);
	CU_ASSERT_FATAL((buf = testpki_sign(pki, doc, -1, &len)) != NULL);
	xmlFreeDoc(doc);
	rc = check_bytes(buf, len, NULL, &cp, &e);
	CU_ASSERT(has_reason("unsigned", rc, &e, ERR_SIGNATURE, "Signature"));
	/* but readable unverified, for display */
	CU_ASSERT_FATAL((doc = xml_parse(buf, len, "cp", &xml_limits_wire,
	    &e)) != NULL);
	CU_ASSERT(checkpoint_read(doc, &cp, &e) == 0);
	CU_ASSERT(cp.size == 1);
	CU_ASSERT(cp.info.member_id[0] == '\0');
	xmlFreeDoc(doc);
	xmlFree(buf);
}

/* --- proofs ---------------------------------------------------------------- */

/* doc serialised and parsed again, as it travels. */
static xmlDocPtr
travel(xmlDocPtr doc)
{
	struct err e;
	xmlDocPtr back;
	char *buf;
	size_t len;

	err_clear(&e);
	if (doc == NULL || xml_serialize(doc, &buf, &len, &e) == -1)
		return NULL;
	back = xml_parse(buf, len, "proof", &xml_limits_wire, &e);
	if (back == NULL)
		printf("\n  %s\n", e.msg);
	xmlFree(buf);
	xmlFreeDoc(doc);
	return back;
}

static void
test_inclusion_round_trip(void)
{
	unsigned char path[MERKLE_PATH_MAX][MERKLE_HASH_LEN];
	unsigned char got[MERKLE_PATH_MAX][MERKLE_HASH_LEN];
	unsigned char root[MERKLE_HASH_LEN], lh[MERKLE_HASH_LEN];
	uint64_t size, leaf, l2, s2;
	struct err e;
	xmlDocPtr doc;
	size_t n, n2;
	int bad = 0;

	err_clear(&e);
	CU_ASSERT_FATAL(tree_build(23) == 0);
	for (size = 1; size <= 23; size++) {
		CU_ASSERT_FATAL(merkle_root(size, tree_get, NULL, root,
		    &e) == 0);
		for (leaf = 0; leaf < size; leaf++) {
			if (merkle_inclusion_proof(leaf, size, tree_get, NULL,
			    path, &n, &e) == -1) {
				bad++;
				continue;
			}
			doc = travel(logproof_inclusion_new(leaf, size,
			    tree[0][leaf],
			    (const unsigned char (*)[MERKLE_HASH_LEN])path, n,
			    &e));
			if (doc == NULL || logproof_inclusion_read(doc, &l2, &s2,
			    lh, got, &n2, &e) == -1 || l2 != leaf ||
			    s2 != size || n2 != n ||
			    memcmp(lh, tree[0][leaf], MERKLE_HASH_LEN) != 0 ||
			    (n > 0 && memcmp(got, path, n * MERKLE_HASH_LEN) !=
			    0) ||
			    merkle_inclusion_verify(l2, s2, lh,
			    (const unsigned char (*)[MERKLE_HASH_LEN])got, n2,
			    root, &e) == -1) {
				if (bad++ == 0)
					printf("\n  leaf %llu size %llu: %s\n",
					    (unsigned long long)leaf,
					    (unsigned long long)size, e.msg);
			}
			xmlFreeDoc(doc);
		}
	}
	CU_ASSERT(bad == 0);
}

static void
test_consistency_round_trip(void)
{
	unsigned char path[MERKLE_PATH_MAX][MERKLE_HASH_LEN];
	unsigned char got[MERKLE_PATH_MAX][MERKLE_HASH_LEN];
	unsigned char rm[MERKLE_HASH_LEN], rn[MERKLE_HASH_LEN];
	uint64_t m, to, m2, n2;
	struct err e;
	xmlDocPtr doc;
	size_t n, k;
	int bad = 0;

	err_clear(&e);
	CU_ASSERT_FATAL(tree_build(19) == 0);
	for (to = 1; to <= 19; to++)
		for (m = 1; m <= to; m++) {
			if (merkle_consistency_proof(m, to, tree_get, NULL, path,
			    &n, &e) == -1 ||
			    merkle_root(m, tree_get, NULL, rm, &e) == -1 ||
			    merkle_root(to, tree_get, NULL, rn, &e) == -1) {
				bad++;
				continue;
			}
			doc = travel(logproof_consistency_new(m, to,
			    (const unsigned char (*)[MERKLE_HASH_LEN])path, n,
			    &e));
			if (doc == NULL || logproof_consistency_read(doc, &m2,
			    &n2, got, &k, &e) == -1 || m2 != m || n2 != to ||
			    k != n ||
			    (n > 0 && memcmp(got, path, n * MERKLE_HASH_LEN) !=
			    0) ||
			    merkle_consistency_verify(m2, n2, rm, rn,
			    (const unsigned char (*)[MERKLE_HASH_LEN])got, k,
			    &e) == -1) {
				if (bad++ == 0)
					printf("\n  %llu -> %llu: %s\n",
					    (unsigned long long)m,
					    (unsigned long long)to, e.msg);
			}
			xmlFreeDoc(doc);
		}
	CU_ASSERT(bad == 0);
}

static int
read_inclusion(const char *xmlbuf, struct err *e)
{
	unsigned char path[MERKLE_PATH_MAX][MERKLE_HASH_LEN];
	unsigned char lh[MERKLE_HASH_LEN];
	uint64_t leaf, size;
	xmlDocPtr doc;
	size_t n;
	int rc;

	err_clear(e);
	if ((doc = xml_parse(xmlbuf, strlen(xmlbuf), "proof",
	    &xml_limits_wire, e)) == NULL)
		return -1;
	rc = logproof_inclusion_read(doc, &leaf, &size, lh, path, &n, e);
	xmlFreeDoc(doc);
	return rc;
}

#define LH "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"

static void
test_readers_refuse(void)
{
	static const char shrink[] = "<ConsistencyProof "
	    "xmlns=\"urn:lasteri:1\" from=\"5\" to=\"4\"/>";
	unsigned char path[MERKLE_PATH_MAX][MERKLE_HASH_LEN];
	uint64_t from, to;
	struct err e;
	xmlDocPtr doc;
	size_t n;
	int rc;

	rc = read_inclusion("<InclusionProof xmlns=\"urn:lasteri:1\" "
	    "leafIndex=\"3\" treeSize=\"3\" leafHash=\"" LH "\"/>", &e);
	CU_ASSERT(has_reason("leaf past the tree", rc, &e, ERR_SCHEMA,
	    "is not in a tree of size 3"));
	rc = read_inclusion("<InclusionProof xmlns=\"urn:lasteri:1\" "
	    "leafIndex=\"0\" treeSize=\"2\" leafHash=\"" LH "\">"
	    "<Hash>lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c</Hash>"
	    "</InclusionProof>", &e);
	CU_ASSERT(has_reason("hash without its padding", rc, &e, ERR_SCHEMA,
	    "Hash"));
	/* 'd' in place of 'c' before '=': the same bytes, another spelling */
	rc = read_inclusion("<InclusionProof xmlns=\"urn:lasteri:1\" "
	    "leafIndex=\"0\" treeSize=\"2\" leafHash=\"" LH "\">"
	    "<Hash>lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8d=</Hash>"
	    "</InclusionProof>", &e);
	CU_ASSERT(has_reason("non-canonical base64", rc, &e, ERR_SCHEMA,
	    "Hash"));
	rc = read_inclusion("<InclusionProof xmlns=\"urn:lasteri:1\" "
	    "leafIndex=\"01\" treeSize=\"2\" leafHash=\"" LH "\"/>", &e);
	CU_ASSERT(has_reason("leading zero", rc, &e, ERR_SCHEMA,
	    "leafIndex"));
	rc = read_inclusion("<InclusionProof xmlns=\"urn:lasteri:1\" "
	    "leafIndex=\"0\" treeSize=\"9223372036854775808\" leafHash=\""
	    LH "\"/>", &e);
	CU_ASSERT(has_reason("size past 2^63-1", rc, &e, ERR_SCHEMA,
	    "treeSize"));
	rc = read_inclusion("<ConsistencyProof xmlns=\"urn:lasteri:1\" "
	    "from=\"1\" to=\"2\"/>", &e);
	CU_ASSERT(has_reason("another root", rc, &e, ERR_SCHEMA,
	    "InclusionProof"));
	CU_ASSERT_FATAL((doc = xml_parse(shrink, strlen(shrink), "proof",
	    &xml_limits_wire, &e)) != NULL);
	rc = logproof_consistency_read(doc, &from, &to, path, &n, &e);
	CU_ASSERT(has_reason("a shrinking log", rc, &e, ERR_SCHEMA,
	    "cannot shrink"));
	xmlFreeDoc(doc);
	/* writers refuse what the readers would */
	CU_ASSERT(logproof_inclusion_new(3, 3, path[0], NULL, 0, &e) == NULL);
	CU_ASSERT(e.code == ERR_USAGE);
	CU_ASSERT(logproof_consistency_new(5, 4, NULL, 0, &e) == NULL);
	CU_ASSERT(e.code == ERR_USAGE);
}

static void
test_leaves_validate(void)
{
	struct logproof_leaf l[3];
	struct err e;
	xmlDocPtr doc;
	size_t i;

	err_clear(&e);
	CU_ASSERT_FATAL(tree_build(5) == 0);
	for (i = 0; i < 3; i++) {
		l[i].index = 2 + i;
		memcpy(l[i].hash, tree[0][2 + i], MERKLE_HASH_LEN);
		snprintf(l[i].record, sizeof(l[i].record), "HVA-08-2026-%04zu",
		    i);
	}
	CU_ASSERT_FATAL((doc = travel(logproof_leaves_new(2, 5, l, 3,
	    &e))) != NULL);
	CU_ASSERT(schema_validate(doc, "leaves", NULL, &e) == 0);
	xmlFreeDoc(doc);
	l[1].index = 9;
	CU_ASSERT(logproof_leaves_new(2, 5, l, 3, &e) == NULL);
	CU_ASSERT(e.code == ERR_USAGE);
}

/* schemas/examples: the checkpoint (the RFC 6962 test tree's head) and
 * the audit path of its leaf 0, which must prove against it. */
static void
test_examples(void)
{
	unsigned char path[MERKLE_PATH_MAX][MERKLE_HASH_LEN];
	unsigned char lh[MERKLE_HASH_LEN], empty[MERKLE_HASH_LEN];
	char file[1200], hex[65];
	struct checkpoint cp;
	uint64_t leaf, size;
	xmlDocPtr doc;
	struct err e;
	size_t n;

	err_clear(&e);
	snprintf(file, sizeof(file), "%s/../examples/checkpoint.xml",
	    schema_dir());
	CU_ASSERT_FATAL((doc = xml_read_file(file, &xml_limits_wire,
	    &e)) != NULL);
	CU_ASSERT(checkpoint_read(doc, &cp, &e) == 0);
	xmlFreeDoc(doc);
	logdoc_hex(cp.root, hex);
	CU_ASSERT_STRING_EQUAL(hex, "5dc9da79a70659a9ad559cb701ded9a2ab9d823a"
	    "ad2f4960cfe370eff4604328");
	CU_ASSERT(cp.size == 8);
	snprintf(file, sizeof(file), "%s/../examples/inclusion-proof.xml",
	    schema_dir());
	CU_ASSERT_FATAL((doc = xml_read_file(file, &xml_limits_wire,
	    &e)) != NULL);
	CU_ASSERT(logproof_inclusion_read(doc, &leaf, &size, lh, path, &n,
	    &e) == 0);
	xmlFreeDoc(doc);
	/* leaf 0 of the RFC 6962 inputs is the empty string */
	CU_ASSERT(merkle_leaf_hash(NULL, 0, empty) == 0);
	CU_ASSERT(memcmp(lh, empty, MERKLE_HASH_LEN) == 0);
	CU_ASSERT(merkle_inclusion_verify(leaf, size, lh,
	    (const unsigned char (*)[MERKLE_HASH_LEN])path, n, cp.root,
	    &e) == 0);
}

static CU_TestInfo checkpoint_tests[] = {
	{ "builds, signs and checks a checkpoint", test_sign_check },
	{ "keeps an Id the caller drew", test_id_given },
	{ "accepts a checkpoint of any role's own log",
	    test_any_role_signs_its_own },
	{ "refuses a checkpoint signed by another member than its Origin",
	    test_refuses_other_signer },
	{ "refuses a tampered TreeSize or RootHash", test_refuses_tampered },
	{ "refuses a checkpoint of another origin than asked",
	    test_refuses_wrong_origin },
	{ "refuses a Timestamp after the signing time",
	    test_refuses_future_timestamp },
	{ "refuses an unsigned checkpoint and bad input",
	    test_refuses_unsigned_and_bad_input },
	CU_TEST_INFO_NULL
};

static CU_TestInfo proof_tests[] = {
	{ "inclusion proofs round-trip and still prove",
	    test_inclusion_round_trip },
	{ "consistency proofs round-trip and still prove",
	    test_consistency_round_trip },
	{ "readers refuse what does not fit", test_readers_refuse },
	{ "a leaf listing validates", test_leaves_validate },
	{ "the examples read and prove", test_examples },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ "checkpoint", suite_init, suite_clean, NULL, NULL, checkpoint_tests },
	{ "proofs", NULL, NULL, NULL, NULL, proof_tests },
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	return test_run_suites(suites);
}
