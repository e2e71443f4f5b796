/*
 * test_envelope.c - the Query and Response documents: built, signed and
 * checked for each kind of query; refused when expired, issued too far
 * ahead, valid too long, relayed over another member's connection, asked
 * by a role not allowed the kind, tampered or unsigned; answers refused when
 * signed by another region, for another query (a replay), or from or to
 * the wrong member.  The test PKI and its operator-signed trust list are
 * tests/testpki.c's, made in suite init.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "dsig.h"
#include "envelope.h"
#include "model.h"
#include "schema.h"
#include "trust.h"
#include "verifier.h"
#include "vocab.h"
#include "xml.h"
#include "testmain.h"
#include "testpki.h"

/* The members: two regions, a supervisor only, a coordinator only. */
enum { R01, R02, LVV, THL, NMEMBERS };
static const struct testpki_member members[NMEMBERS] = {
	{ "01", "region", "01", NULL, 7600 },
	{ "02", "region", "02", NULL, 7601 },
	{ "lvv", "supervisor", NULL, "LVV", 7602 },
	{ "thl", "coordinator", NULL, NULL, 7603 },
};

static struct testpki *pki;

static int
suite_init(void)
{
	pki = testpki_new("envelope", members, NMEMBERS);
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

/* A query of kind from member from, issued at at with ttl. */
static void
query_fill(struct envelope_query *q, enum envelope_kind kind, int from)
{
	envelope_query_init(q, kind);
	snprintf(q->from, sizeof(q->from), "%s", pki->ids[from]);
	switch (kind) {
	case ENVELOPE_SEARCH:
		q->search.age = 14;
		q->search.gender = G_GIRLS;
		snprintf(q->search.languages[0], 3, "fi");
		snprintf(q->search.languages[1], 3, "sv");
		q->search.nlanguages = 2;
		q->search.expertise = 1u << 0 | 1u << 4;
		q->search.target_groups = 1u << 1;
		q->search.types = 1u << UT_CHILDRENS_HOME | 1u << UT_YOUTH_HOME;
		q->search.levels = 1u << SL_SPECIAL;
		q->search.regions_preferred = 1u << region_find("08");
		q->search.regions_required = 1u << region_find("90");
		snprintf(q->search.home_region, 3, "08");
		snprintf(q->search.frameworks[0],
		    sizeof(q->search.frameworks[0]), "HVA08-2024-1/L2");
		q->search.nframeworks = 1;
		q->search.max_price_cents = 75050;
		q->search.free_places = 2;
		q->search.limit = 50;
		break;
	case ENVELOPE_STATISTICS:
		q->stats.by = ENVELOPE_BY_EXPERTISE;
		q->stats.threshold = 5;
		break;
	case ENVELOPE_LOOKUP:
		snprintf(q->lookup.business_id, sizeof(q->lookup.business_id),
		    "2345678-0");
		break;
	}
}

/* Signed bytes of a new query (signer -1: unsigned). */
static char *
query_bytes(enum envelope_kind kind, int from, int signer, time_t at, int ttl,
    size_t *len)
{
	struct envelope_query q;
	struct err e;
	xmlDocPtr doc;
	char *out;

	err_clear(&e);
	query_fill(&q, kind, from);
	if ((doc = envelope_query_new(&q, at, ttl, &e)) == NULL) {
		printf("\n  envelope_query_new: %s\n", e.msg);
		return NULL;
	}
	out = testpki_sign(pki, doc, signer, len);
	xmlFreeDoc(doc);
	return out;
}

static int
check_query(const char *buf, size_t len, int peer, time_t t,
    struct envelope_query *out, struct err *e)
{
	xmlDocPtr doc;
	int rc;

	err_clear(e);
	if (buf == NULL)
		return err_set(e, ERR_USAGE, "no query was built");
	if ((doc = xml_parse(buf, len, "query", &xml_limits_wire, e)) == NULL)
		return -1;
	rc = envelope_query_check(pki->ver, doc, buf, len, pki->ids[peer], t,
	    out, NULL, e);
	xmlFreeDoc(doc);
	return rc;
}

/* A query refused with code, needle and the answer status st. */
static void
refuse_query(const char *what, char *buf, size_t len, int peer, time_t t,
    enum err_code code, const char *needle, enum envelope_status st)
{
	struct envelope_query q;
	struct err e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	memset(&q, 0, sizeof(q));
	CU_ASSERT_TRUE(has_reason(what, check_query(buf, len, peer, t, &q,
	    &e), &e, code, needle));
	CU_ASSERT_EQUAL(q.refusal, (int)st);
	xmlFree(buf);
}

static void
sha256(const char *buf, size_t len, unsigned char md[32])
{
	EVP_Digest(buf, len, md, NULL, EVP_sha256(), NULL);
}

/* --- queries -------------------------------------------------------------- */

static void
test_builds_signs_and_accepts_a_placement_search(void)
{
	struct envelope_query q;
	unsigned char md[32];
	struct err e;
	size_t len = 0;
	char *buf;

	buf = query_bytes(ENVELOPE_SEARCH, THL, THL, pki->now, 120, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	CU_ASSERT_EQUAL(check_query(buf, len, THL, pki->now, &q, &e), 0);
	if (e.code != ERR_OK)
		printf("\n  %s\n", e.msg);
	CU_ASSERT_EQUAL(q.refusal, ENVELOPE_ST_OK);
	CU_ASSERT_EQUAL(q.kind, ENVELOPE_SEARCH);
	CU_ASSERT_STRING_EQUAL(q.from, pki->ids[THL]);
	CU_ASSERT_EQUAL(q.issued, pki->now);
	CU_ASSERT_EQUAL(q.expires, pki->now + 120);
	CU_ASSERT_EQUAL(strlen(q.nonce), 2 * ENVELOPE_NONCE_BYTES);
	CU_ASSERT_EQUAL(q.search.age, 14);
	CU_ASSERT_EQUAL(q.search.gender, G_GIRLS);
	CU_ASSERT_EQUAL(q.search.nlanguages, 2);
	CU_ASSERT_STRING_EQUAL(q.search.languages[1], "sv");
	CU_ASSERT_EQUAL(q.search.expertise, 1u << 0 | 1u << 4);
	CU_ASSERT_EQUAL(q.search.target_groups, 1u << 1);
	CU_ASSERT_EQUAL(q.search.types,
	    1u << UT_CHILDRENS_HOME | 1u << UT_YOUTH_HOME);
	CU_ASSERT_EQUAL(q.search.levels, 1u << SL_SPECIAL);
	CU_ASSERT_EQUAL(q.search.regions_preferred, 1u << region_find("08"));
	CU_ASSERT_EQUAL(q.search.regions_required, 1u << region_find("90"));
	CU_ASSERT_STRING_EQUAL(q.search.home_region, "08");
	CU_ASSERT_EQUAL(q.search.nframeworks, 1);
	CU_ASSERT_STRING_EQUAL(q.search.frameworks[0], "HVA08-2024-1/L2");
	CU_ASSERT_EQUAL(q.search.max_price_cents, 75050);
	CU_ASSERT_EQUAL(q.search.free_places, 2);
	CU_ASSERT_EQUAL(q.search.limit, 50);
	sha256(buf, len, md);
	CU_ASSERT_EQUAL(memcmp(q.digest, md, 32), 0);
	xmlFree(buf);
}

static void
test_builds_signs_and_accepts_statistics_and_a_supervision_lookup(void)
{
	struct envelope_query q;
	struct err e;
	size_t len = 0;
	char *buf;

	buf = query_bytes(ENVELOPE_STATISTICS, R01, R01, pki->now, 300, &len);
	CU_ASSERT_EQUAL(check_query(buf, len, R01, pki->now, &q, &e), 0);
	CU_ASSERT_EQUAL(q.kind, ENVELOPE_STATISTICS);
	CU_ASSERT_EQUAL(q.stats.by, ENVELOPE_BY_EXPERTISE);
	CU_ASSERT_EQUAL(q.stats.threshold, 5);
	xmlFree(buf);
	/* A supervisor may look up what supervision found. */
	buf = query_bytes(ENVELOPE_LOOKUP, LVV, LVV, pki->now, 60, &len);
	CU_ASSERT_EQUAL(check_query(buf, len, LVV, pki->now, &q, &e), 0);
	if (e.code != ERR_OK)
		printf("\n  %s\n", e.msg);
	CU_ASSERT_EQUAL(q.kind, ENVELOPE_LOOKUP);
	CU_ASSERT_STRING_EQUAL(q.lookup.business_id, "2345678-0");
	CU_ASSERT_STRING_EQUAL(q.lookup.unit_id, "");
	xmlFree(buf);
}

static void
test_draws_a_new_nonce_for_every_query(void)
{
	struct envelope_query a, b;
	struct err e;
	xmlDocPtr d1, d2;

	query_fill(&a, ENVELOPE_STATISTICS, THL);
	query_fill(&b, ENVELOPE_STATISTICS, THL);
	d1 = envelope_query_new(&a, pki->now, 60, &e);
	d2 = envelope_query_new(&b, pki->now, 60, &e);
	CU_ASSERT_PTR_NOT_NULL(d1);
	CU_ASSERT_PTR_NOT_NULL(d2);
	CU_ASSERT_STRING_NOT_EQUAL(a.nonce, b.nonce);
	xmlFreeDoc(d1);
	xmlFreeDoc(d2);
}

static void
test_refuses_to_build_a_query_valid_longer_than_five_minutes(void)
{
	struct envelope_query q;
	struct err e;

	err_clear(&e);
	query_fill(&q, ENVELOPE_SEARCH, THL);
	CU_ASSERT_PTR_NULL(envelope_query_new(&q, pki->now, 301, &e));
	CU_ASSERT_EQUAL(e.code, ERR_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "ttl: 301 seconds"));
	q.search.age = 30;
	CU_ASSERT_PTR_NULL(envelope_query_new(&q, pki->now, 60, &e));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "age: 30"));
}

static void
test_refuses_an_expired_query(void)
{
	size_t len = 0;
	char *buf = query_bytes(ENVELOPE_SEARCH, THL, THL, pki->now, 60, &len);

	refuse_query("expired", buf, len, THL, pki->now + 60, ERR_INPUT,
	    "expired at", ENVELOPE_ST_EXPIRED);
}

static void
test_refuses_a_query_issued_more_than_30_seconds_ahead(void)
{
	size_t len = 0;
	char *buf = query_bytes(ENVELOPE_SEARCH, THL, THL, pki->now + 31, 60,
	    &len);

	refuse_query("ahead", buf, len, THL, pki->now, ERR_INPUT,
	    "is 31 seconds after now", ENVELOPE_ST_EXPIRED);
	/* 30 seconds ahead is within the allowance. */
	buf = query_bytes(ENVELOPE_SEARCH, THL, THL, pki->now + 30, 60, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	{
		struct envelope_query q;
		struct err e;

		CU_ASSERT_EQUAL(check_query(buf, len, THL, pki->now, &q, &e),
		    0);
	}
	xmlFree(buf);
}

static void
test_refuses_a_query_valid_longer_than_five_minutes(void)
{
	struct envelope_query q;
	struct err e;
	xmlDocPtr doc;
	xmlNodePtr c;
	char t[32], *buf;
	size_t len = 0;

	query_fill(&q, ENVELOPE_SEARCH, THL);
	doc = envelope_query_new(&q, pki->now, 300, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	/* A hand-made Expires, one second past the limit, then signed. */
	model_datetime_format(pki->now + 301, t);
	for (c = xml_first_elem(xmlDocGetRootElement(doc)); c != NULL;
	    c = xml_next_elem(c))
		if (xml_is(c, "Expires"))
			xmlNodeSetContent(c, (const xmlChar *)t);
	buf = testpki_sign(pki, doc, THL, &len);
	xmlFreeDoc(doc);
	refuse_query("ttl 301", buf, len, THL, pki->now, ERR_INPUT,
	    "valid for 301 seconds", ENVELOPE_ST_EXPIRED);
}

static void
test_refuses_a_query_relayed_over_another_members_connection(void)
{
	size_t len = 0;
	char *buf = query_bytes(ENVELOPE_SEARCH, THL, THL, pki->now, 60, &len);

	refuse_query("relayed", buf, len, R02, pki->now, ERR_TRUST,
	    "came over the TLS connection of member", ENVELOPE_ST_FORBIDDEN);
}

static void
test_refuses_statistics_from_a_supervisor_only_member(void)
{
	size_t len = 0;
	char *buf = query_bytes(ENVELOPE_STATISTICS, LVV, LVV, pki->now, 60,
	    &len);

	refuse_query("statistics by lvv", buf, len, LVV, pki->now, ERR_TRUST,
	    "(roles supervisor) may not ask a Statistics query",
	    ENVELOPE_ST_FORBIDDEN);
}

static void
test_refuses_a_query_whose_from_is_not_its_signer(void)
{
	size_t len = 0;
	char *buf = query_bytes(ENVELOPE_SEARCH, THL, R01, pki->now, 60, &len);

	refuse_query("from thl, signed by 01", buf, len, R01, pki->now,
	    ERR_TRUST, "is not its signer", ENVELOPE_ST_FORBIDDEN);
}

static void
test_refuses_a_tampered_query(void)
{
	size_t len = 0;
	char *buf = query_bytes(ENVELOPE_SEARCH, THL, THL, pki->now, 60,
	    &len), *p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	p = strstr(buf, "<Age>14</Age>");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	p[6] = '5';	/* <Age>15</Age> */
	refuse_query("tampered", buf, len, THL, pki->now, ERR_SIGNATURE,
	    "digest mismatch", ENVELOPE_ST_BAD_SIGNATURE);
}

static void
test_refuses_an_unsigned_query(void)
{
	size_t len = 0;
	char *buf = query_bytes(ENVELOPE_SEARCH, THL, -1, pki->now, 60, &len);

	refuse_query("unsigned", buf, len, THL, pki->now, ERR_SIGNATURE,
	    "not signed", ENVELOPE_ST_BAD_SIGNATURE);
}

static void
test_refuses_a_query_that_breaks_the_schema(void)
{
	static const char q[] = "<Query xmlns=\"urn:lasteri:1\" Id=\"Q-1\">"
	    "<From>FI/GOV/1/x</From><Issued>2026-01-01T00:00:00Z</Issued>"
	    "<Expires>2026-01-01T00:01:00Z</Expires><Nonce>00</Nonce>"
	    "<Statistics><By>region</By></Statistics></Query>";

	refuse_query("short nonce", (char *)xmlStrdup((const xmlChar *)q),
	    strlen(q), THL, pki->now, ERR_SCHEMA, "Nonce",
	    ENVELOPE_ST_BAD_REQUEST);
}

/* --- responses ------------------------------------------------------------ */

static const char results_xml[] =
    "<PlacementResults xmlns=\"urn:lasteri:1\" scanned=\"3\" matched=\"1\">"
    "<Result><Unit>U-1</Unit><Name>Koti</Name><Region>01</Region>"
    "<Type>childrens-home</Type><ServiceLevel>special</ServiceLevel>"
    "<FreePlaces updated=\"2026-11-24T09:30:00Z\">2</FreePlaces>"
    "<DailyPrice>689.00</DailyPrice><Score>8200</Score>"
    "<NeedsMet>1</NeedsMet><NeedsAsked>2</NeedsAsked>"
    "<InFramework>false</InFramework><OpenSerious>0</OpenSerious>"
    "<RecentFindings>0</RecentFindings></Result></PlacementResults>";

/* Signed bytes of a Response from member from (signed by signer) to to,
 * answering digest. */
static char *
response_bytes(int to, const unsigned char digest[32], int from, int signer,
    enum envelope_status st, size_t *len)
{
	xmlDocPtr rdoc = NULL, doc;
	struct err e;
	char *out;

	err_clear(&e);
	if (st == ENVELOPE_ST_OK && (rdoc = xml_parse(results_xml,
	    strlen(results_xml), "results", &xml_limits_wire, &e)) == NULL)
		return NULL;
	doc = envelope_response_new(pki->ids[to], digest, pki->ids[from], st,
	    st == ENVELOPE_ST_OK ? NULL : "nonce seen before",
	    rdoc != NULL ? xmlDocGetRootElement(rdoc) : NULL, &e);
	xmlFreeDoc(rdoc);
	if (doc == NULL) {
		printf("\n  envelope_response_new: %s\n", e.msg);
		return NULL;
	}
	out = testpki_sign(pki, doc, signer, len);
	xmlFreeDoc(doc);
	return out;
}

static int
check_response(const char *buf, size_t len, int asked,
    const unsigned char digest[32], struct envelope_response *out,
    struct err *e, xmlDocPtr *keep)
{
	xmlDocPtr doc;
	int rc;

	err_clear(e);
	if (buf == NULL)
		return err_set(e, ERR_USAGE, "no response was built");
	if ((doc = xml_parse(buf, len, "response", &xml_limits_answer,
	    e)) == NULL)
		return -1;
	rc = envelope_response_check(pki->ver, doc, pki->ids[asked], digest,
	    pki->ids[THL], pki->now, out, e);
	if (keep != NULL)
		*keep = doc;
	else
		xmlFreeDoc(doc);
	return rc;
}

static void
refuse_response(const char *what, char *buf, size_t len, int asked,
    const unsigned char digest[32], enum err_code code, const char *needle)
{
	struct envelope_response r;
	struct err e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	CU_ASSERT_TRUE(has_reason(what, check_response(buf, len, asked,
	    digest, &r, &e, NULL), &e, code, needle));
	CU_ASSERT_STRING_EQUAL(err_code_name(code), code == ERR_SIGNATURE ?
	    "bad-signature" : "error");
	xmlFree(buf);
}

/* The digest of a fresh signed query by thl. */
static void
a_query(unsigned char md[32])
{
	size_t len = 0;
	char *buf = query_bytes(ENVELOPE_SEARCH, THL, THL, pki->now, 60, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	sha256(buf, len, md);
	xmlFree(buf);
}

static void
test_accepts_the_answer_of_the_member_asked(void)
{
	struct envelope_response r;
	unsigned char md[32];
	xmlDocPtr doc = NULL;
	struct err e;
	size_t len = 0;
	char *buf;

	a_query(md);
	buf = response_bytes(THL, md, R01, R01, ENVELOPE_ST_OK, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	/* The results carry no namespace declaration of their own. */
	CU_ASSERT_PTR_NULL(strstr(buf, "<PlacementResults xmlns"));
	CU_ASSERT_EQUAL(check_response(buf, len, R01, md, &r, &e, &doc), 0);
	if (e.code != ERR_OK)
		printf("\n  %s\n", e.msg);
	CU_ASSERT_EQUAL(r.status, ENVELOPE_ST_OK);
	CU_ASSERT_STRING_EQUAL(r.from, pki->ids[R01]);
	CU_ASSERT_STRING_EQUAL(r.to, pki->ids[THL]);
	CU_ASSERT_STRING_EQUAL(r.info.member_id, pki->ids[R01]);
	CU_ASSERT_EQUAL(memcmp(r.query_digest, md, 32), 0);
	CU_ASSERT_PTR_NOT_NULL(r.results);
	if (r.results != NULL)
		CU_ASSERT_TRUE(xml_is(r.results, "PlacementResults"));
	CU_ASSERT_EQUAL(strncmp(r.id, "R-", 2), 0);
	xmlFreeDoc(doc);
	xmlFree(buf);
}

static void
test_accepts_a_signed_refusal_with_its_reason(void)
{
	struct envelope_response r;
	unsigned char md[32];
	struct err e;
	size_t len = 0;
	char *buf;

	a_query(md);
	buf = response_bytes(THL, md, R02, R02, ENVELOPE_ST_REPLAYED, &len);
	CU_ASSERT_EQUAL(check_response(buf, len, R02, md, &r, &e, NULL), 0);
	CU_ASSERT_EQUAL(r.status, ENVELOPE_ST_REPLAYED);
	CU_ASSERT_STRING_EQUAL(r.reason, "nonce seen before");
	CU_ASSERT_PTR_NULL(r.results);
	xmlFree(buf);
}

static void
test_refuses_an_answer_signed_by_another_listed_region(void)
{
	unsigned char md[32];
	size_t len = 0;
	char *buf;

	a_query(md);
	/* Region 02's genuine answer, passed off as 01's ... */
	buf = response_bytes(THL, md, R02, R02, ENVELOPE_ST_OK, &len);
	refuse_response("02 for 01", buf, len, R01, md, ERR_SIGNATURE,
	    "not by the member asked");
	/* ... or claiming to be from 01 but signed by 02. */
	buf = response_bytes(THL, md, R01, R02, ENVELOPE_ST_OK, &len);
	refuse_response("From 01 signed by 02", buf, len, R01, md,
	    ERR_SIGNATURE, "not by the member asked");
}

static void
test_refuses_an_answer_signed_by_a_member_without_the_region_role(void)
{
	unsigned char md[32];
	size_t len = 0;
	char *buf;

	a_query(md);
	buf = response_bytes(THL, md, LVV, LVV, ENVELOPE_ST_OK, &len);
	refuse_response("lvv answers", buf, len, LVV, md, ERR_SIGNATURE,
	    "may not sign a Response");
}

static void
test_refuses_an_answer_with_a_wrong_digest(void)
{
	unsigned char md[32], zero[32];
	size_t len = 0;
	char *buf;

	a_query(md);
	memset(zero, 0, sizeof(zero));
	buf = response_bytes(THL, zero, R01, R01, ENVELOPE_ST_OK, &len);
	refuse_response("zero digest", buf, len, R01, md, ERR_INTERNAL,
	    "wrong query digest");
}

static void
test_refuses_a_replayed_genuine_answer_to_an_earlier_query(void)
{
	unsigned char first[32], second[32];
	size_t len = 0;
	char *old;

	a_query(first);
	a_query(second);
	CU_ASSERT_NOT_EQUAL(memcmp(first, second, 32), 0);
	/* Region 01's genuine, signed answer to the first query ... */
	old = response_bytes(THL, first, R01, R01, ENVELOPE_ST_OK, &len);
	/* ... sent again when the second one was asked. */
	refuse_response("replayed", old, len, R01, second, ERR_INTERNAL,
	    "wrong query digest");
}

static void
test_refuses_an_answer_whose_from_is_not_the_member_asked(void)
{
	unsigned char md[32];
	size_t len = 0;
	char *buf;

	a_query(md);
	buf = response_bytes(THL, md, R02, R01, ENVELOPE_ST_OK, &len);
	refuse_response("From 02 signed by 01", buf, len, R01, md,
	    ERR_INTERNAL, "says it is from");
}

static void
test_refuses_an_answer_to_another_asker(void)
{
	unsigned char md[32];
	size_t len = 0;
	char *buf;

	a_query(md);
	buf = response_bytes(LVV, md, R01, R01, ENVELOPE_ST_OK, &len);
	refuse_response("To lvv", buf, len, R01, md, ERR_INTERNAL, "not to us");
}

static void
test_refuses_an_unsigned_answer(void)
{
	unsigned char md[32];
	size_t len = 0;
	char *buf;

	a_query(md);
	buf = response_bytes(THL, md, R01, -1, ENVELOPE_ST_OK, &len);
	refuse_response("unsigned", buf, len, R01, md, ERR_SIGNATURE,
	    "not signed");
}

/* --- the examples --------------------------------------------------------- */

static void
test_validates_the_query_and_response_examples(void)
{
	static const char *const files[] = { "query.xml", "response.xml" };
	char path[1100];
	struct err e;
	xmlDocPtr doc;
	size_t i;

	for (i = 0; i < 2; i++) {
		err_clear(&e);
		snprintf(path, sizeof(path), "%s/../examples/%s", schema_dir(),
		    files[i]);
		doc = xml_read_file(path, &xml_limits_import, &e);
		CU_ASSERT_PTR_NOT_NULL(doc);
		CU_ASSERT_EQUAL(schema_validate(doc, files[i], NULL, &e), 0);
		if (e.code != ERR_OK)
			printf("\n  %s: %s\n", files[i], e.msg);
		xmlFreeDoc(doc);
	}
}

/* The other two kinds of results, as a region would send them. */
static void
test_validates_statistics_and_supervision_results(void)
{
	static const char *const docs[] = {
	    "<Response xmlns=\"urn:lasteri:1\" Id=\"R-1\">"
	    "<To>FI/GOV/0245437-2/lasteri</To><QueryDigest>"
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
	    "</QueryDigest><From>FI/MUN/3221318-5/lasteri</From>"
	    "<Status code=\"ok\"/><Results><StatisticsResults>"
	    "<Table name=\"capacity\" by=\"region\" threshold=\"5\">"
	    "<Column key=\"units\"/><Column key=\"free-places\"/>"
	    "<Row key=\"08\"><Cell value=\"12\"/><Cell state=\"primary\"/>"
	    "</Row><Row key=\"total\"><Cell value=\"12\"/>"
	    "<Cell state=\"complement\"/></Row></Table>"
	    "</StatisticsResults></Results></Response>",
	    "<Response xmlns=\"urn:lasteri:1\" Id=\"R-2\">"
	    "<To>FI/GOV/0245437-2/lasteri</To><QueryDigest>"
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
	    "</QueryDigest><From>FI/MUN/3221318-5/lasteri</From>"
	    "<Status code=\"ok\"/><Results><SupervisionResults>"
	    "<SignedRecord>PFN1cGVydmlzaW9uUmVjb3JkLz4=</SignedRecord>"
	    "</SupervisionResults></Results></Response>",
	};
	struct err e;
	xmlDocPtr doc;
	size_t i;

	for (i = 0; i < 2; i++) {
		err_clear(&e);
		doc = xml_parse(docs[i], strlen(docs[i]), "results",
		    &xml_limits_wire, &e);
		CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
		CU_ASSERT_EQUAL(schema_validate(doc, "results", NULL, &e), 0);
		if (e.code != ERR_OK)
			printf("\n  %s\n", e.msg);
		xmlFreeDoc(doc);
	}
}

static CU_TestInfo query_tests[] = {
	{ "builds, signs and accepts a placement search",
	    test_builds_signs_and_accepts_a_placement_search },
	{ "builds, signs and accepts statistics and a supervision look-up",
	    test_builds_signs_and_accepts_statistics_and_a_supervision_lookup },
	{ "draws a new nonce for every query",
	    test_draws_a_new_nonce_for_every_query },
	{ "refuses to build a query valid longer than five minutes",
	    test_refuses_to_build_a_query_valid_longer_than_five_minutes },
	{ "refuses an expired query", test_refuses_an_expired_query },
	{ "refuses a query issued more than 30 seconds ahead",
	    test_refuses_a_query_issued_more_than_30_seconds_ahead },
	{ "refuses a query valid longer than five minutes",
	    test_refuses_a_query_valid_longer_than_five_minutes },
	{ "refuses a query relayed over another member's connection",
	    test_refuses_a_query_relayed_over_another_members_connection },
	{ "refuses statistics from a supervisor-only member",
	    test_refuses_statistics_from_a_supervisor_only_member },
	{ "refuses a query whose From is not its signer",
	    test_refuses_a_query_whose_from_is_not_its_signer },
	{ "refuses a tampered query", test_refuses_a_tampered_query },
	{ "refuses an unsigned query", test_refuses_an_unsigned_query },
	{ "refuses a query that breaks the schema",
	    test_refuses_a_query_that_breaks_the_schema },
	CU_TEST_INFO_NULL
};

static CU_TestInfo response_tests[] = {
	{ "accepts the answer of the member asked",
	    test_accepts_the_answer_of_the_member_asked },
	{ "accepts a signed refusal with its reason",
	    test_accepts_a_signed_refusal_with_its_reason },
	{ "refuses an answer signed by another listed region",
	    test_refuses_an_answer_signed_by_another_listed_region },
	{ "refuses an answer signed by a member without the region role",
	    test_refuses_an_answer_signed_by_a_member_without_the_region_role },
	{ "refuses an answer with a wrong digest",
	    test_refuses_an_answer_with_a_wrong_digest },
	{ "refuses a replayed genuine answer to an earlier query",
	    test_refuses_a_replayed_genuine_answer_to_an_earlier_query },
	{ "refuses an answer whose From is not the member asked",
	    test_refuses_an_answer_whose_from_is_not_the_member_asked },
	{ "refuses an answer to another asker",
	    test_refuses_an_answer_to_another_asker },
	{ "refuses an unsigned answer", test_refuses_an_unsigned_answer },
	{ "validates the query and response examples",
	    test_validates_the_query_and_response_examples },
	{ "validates statistics and supervision results",
	    test_validates_statistics_and_supervision_results },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ "query", suite_init, suite_clean, NULL, NULL, query_tests },
	{ "response", suite_init, suite_clean, NULL, NULL, response_tests },
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	return test_run_suites(suites);
}
