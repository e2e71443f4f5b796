/*
 * test_trust.c - the trust list: loading a list signed by the operator,
 * lookups, and refusing lists signed by someone else, rolled back, expired,
 * tampered, with a DTD, or with a member listed twice; roles per kind.
 * The test PKI is tests/testpki.c's (certs/mkpki), made in suite init;
 * lists are built and signed here with dsig_sign().
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "dsig.h"
#include "model.h"
#include "trust.h"
#include "x509.h"
#include "xml.h"
#include "testmain.h"
#include "testpki.h"

#define LIST_MAX	(64 * 1024)

#define NCODES 4
static const struct testpki_member members[NCODES] = {
	{ "01", "region supervisor", "01", "HVA-01", 7400 },
	{ "02", "region supervisor", "02", "HVA-02", 7401 },
	{ "lvv", "supervisor", NULL, "LVV", 7402 },
	{ "thl", "coordinator auditor", NULL, NULL, 7403 },
};
static struct testpki *pki;

static int
suite_init(void)
{
	pki = testpki_new("trust", members, NCODES);
	return pki != NULL ? 0 : -1;
}

static int
suite_clean(void)
{
	return testpki_free(pki);
}

/* What varies between the lists of the tests. */
struct spec {
	unsigned long long	seq;
	long			issued;		/* seconds from now */
	long			expires;
	int			dup_sign;	/* member 02 lists 01's signing fpr */
	const char		*name01;	/* Name of member 01 */
	const char		*signer;	/* "operator" or a member code */
	int			v2;		/* IssuerCode, TlsCertificate, ... */
	int			dup_tls;	/* v2: 02 lists 01's TLS fpr too */
	int			dup_issuer;	/* v2: 02 lists LVV too */
	const char		*tls01;		/* v2: 01's TLS listings */
};

static const struct spec good = { 5, -3600, 30 * 86400, 0, "Itä-Uusimaa",
    "operator", 0, 0, 0, NULL };
static const struct spec good2 = { 5, -3600, 30 * 86400, 0, "Itä-Uusimaa",
    "operator", 1, 0, 0, NULL };

/* Issuer codes of the test members in a version 2 list. */
static const char *const issuers_v2[NCODES] = {
	"<IssuerCode>HVA-01</IssuerCode>",
	"<IssuerCode>HVA-02</IssuerCode>",
	"<IssuerCode>LVV</IssuerCode><IssuerCode>AVI-ES</IssuerCode>"
	    "<IssuerCode>VALVIRA</IssuerCode>",
	""
};

/* The certificates (and issuer codes) of member i as s asks. */
static void
member_certs(const struct spec *s, int i, char *buf, size_t len)
{
	char th[65], sh[65];

	x509_fpr_hex(pki->tls_fpr[s->dup_tls && i == 1 ? 0 : i], th);
	x509_fpr_hex(pki->sign_fpr[s->dup_sign && i == 1 ? 0 : i], sh);
	if (!s->v2) {
		snprintf(buf, len, "<TlsCertificateSha256>%s"
		    "</TlsCertificateSha256><SigningCertificateSha256>%s"
		    "</SigningCertificateSha256>", th, sh);
		return;
	}
	if (i == 0 && s->tls01 != NULL)
		snprintf(buf, len, "%s%s<SigningCertificate sha256=\"%s\"/>",
		    issuers_v2[i], s->tls01, sh);
	else
		snprintf(buf, len, "%s%s<TlsCertificate sha256=\"%s\"/>"
		    "<SigningCertificate sha256=\"%s\"/>", issuers_v2[i],
		    s->dup_issuer && i == 1 ? "<IssuerCode>LVV</IssuerCode>" :
		    "", th, sh);
}

/* The unsigned TrustList text of s. */
static void
list_text(const struct spec *s, char *buf, size_t len)
{
	const struct testpki_member *m;
	char t1[32], t2[32], certs[1024];
	size_t off;
	int i;

	model_datetime_format(pki->now + s->issued, t1);
	model_datetime_format(pki->now + s->expires, t2);
	off = (size_t)snprintf(buf, len,
	    "<TrustList xmlns=\"urn:lasteri:1\" Id=\"tl-%llu\">\n"
	    "<Instance>FI</Instance>\n<Sequence>%llu</Sequence>\n"
	    "<Issued>%s</Issued>\n<Expires>%s</Expires>\n"
	    "<CACertificates><Certificate>%s</Certificate></CACertificates>\n"
	    "<Members>\n", s->seq, s->seq, t1, t2, pki->ca_b64);
	for (i = 0; i < NCODES; i++) {
		m = &members[i];
		member_certs(s, i, certs, sizeof(certs));
		off += (size_t)snprintf(buf + off, len - off,
		    "<Member><MemberId>%s</MemberId><Name>%s</Name>"
		    "<Code>%s</Code>%s%s%s<Roles>%s</Roles>"
		    "<Endpoint>https://127.0.0.1:%d</Endpoint>%s"
		    "</Member>\n", pki->ids[i], i == 0 ? s->name01 : m->code,
		    m->code, i < 2 ? "<Region>" : "", i < 2 ? m->code : "",
		    i < 2 ? "</Region>" : "", m->roles, m->port, certs);
	}
	snprintf(buf + off, len - off, "</Members>\n</TrustList>\n");
}

/* The signed bytes of s; caller frees with xmlFree(). */
static char *
list_signed(const struct spec *s, size_t *len)
{
	char keyf[512], crtf[512], *text, *out = NULL;
	struct dsig_key *k = NULL;
	xmlDocPtr doc = NULL;
	struct err e;

	err_clear(&e);
	text = malloc(LIST_MAX);
	CU_ASSERT_FATAL(text != NULL);
	list_text(s, text, LIST_MAX);
	if (strcmp(s->signer, "operator") == 0) {
		snprintf(keyf, sizeof(keyf), "%s/pki/operator.key", pki->dir);
		snprintf(crtf, sizeof(crtf), "%s/pki/operator.crt", pki->dir);
	} else {
		snprintf(keyf, sizeof(keyf), "%s/members/%s/sign.key",
		    pki->dir, s->signer);
		snprintf(crtf, sizeof(crtf), "%s/members/%s/sign.crt",
		    pki->dir, s->signer);
	}
	doc = xml_parse(text, strlen(text), "spec", &xml_limits_wire, &e);
	CU_ASSERT_PTR_NOT_NULL(doc);
	if (doc != NULL && dsig_key_load(keyf, crtf, &k, &e) == 0 &&
	    dsig_sign(k, doc, &e) == 0 &&
	    xml_serialize(doc, &out, len, &e) == 0) {
		/* out is set */
	} else
		fprintf(stderr, "list_signed: %s\n", e.msg);
	CU_ASSERT_PTR_NOT_NULL(out);
	dsig_key_free(k);
	xmlFreeDoc(doc);
	free(text);
	return out;
}

static struct trust_list *
load(const struct spec *s, const struct trust_list *held, struct err *e)
{
	struct trust_list *tl = NULL;
	size_t len = 0;
	char *buf;

	err_clear(e);
	if ((buf = list_signed(s, &len)) == NULL)
		return NULL;
	if (trust_parse(buf, len, "list.xml", pki->operator_crt, held,
	    pki->now, &tl, e) == -1)
		tl = NULL;
	xmlFree(buf);
	return tl;
}

/* --- tests ------------------------------------------------------------------ */

static void
test_loads_a_list_signed_by_the_operator(void)
{
	struct trust_list *tl;
	struct err e;

	tl = load(&good, NULL, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tl);
	CU_ASSERT_EQUAL(trust_sequence(tl), 5);
	CU_ASSERT_STRING_EQUAL(trust_instance(tl), "FI");
	CU_ASSERT_STRING_EQUAL(trust_id(tl), "tl-5");
	CU_ASSERT_EQUAL(trust_member_count(tl), NCODES);
	CU_ASSERT_EQUAL(trust_is_verified(tl), 1);
	CU_ASSERT(trust_signed_at(tl) >= pki->now - 5);
	CU_ASSERT(trust_expires(tl) > pki->now);
	CU_ASSERT_EQUAL(sk_X509_num(trust_cas(tl)), 1);
	CU_ASSERT(trust_ref(tl) == tl);
	trust_unref(tl);
	trust_unref(tl);
	trust_unref(NULL);
}

static void
test_finds_members_by_id_code_and_fingerprints(void)
{
	const struct trust_member *m;
	struct trust_list *tl;
	unsigned char zero[32] = { 0 };
	struct err e;
	int i;

	tl = load(&good, NULL, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tl);
	for (i = 0; i < NCODES; i++) {
		m = trust_member_by_code(tl, members[i].code);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		CU_ASSERT_STRING_EQUAL(m->id, pki->ids[i]);
		CU_ASSERT(trust_member_by_id(tl, pki->ids[i]) == m);
		CU_ASSERT(trust_member_by_tls_fpr(tl, pki->tls_fpr[i]) == m);
		CU_ASSERT(trust_member_by_sign_fpr(tl, pki->sign_fpr[i]) == m);
		/* a TLS fingerprint is not a signing fingerprint */
		CU_ASSERT_PTR_NULL(trust_member_by_sign_fpr(tl,
		    pki->tls_fpr[i]));
	}
	m = trust_member_by_code(tl, "01");
	CU_ASSERT_STRING_EQUAL(m->name, "Itä-Uusimaa");
	CU_ASSERT_STRING_EQUAL(m->region, "01");
	CU_ASSERT_EQUAL(m->roles, TRUST_ROLE_REGION | TRUST_ROLE_SUPERVISOR);
	CU_ASSERT_STRING_EQUAL(m->endpoint, "https://127.0.0.1:7400");
	m = trust_member_by_code(tl, "thl");
	CU_ASSERT_STRING_EQUAL(m->region, "");
	CU_ASSERT_EQUAL(m->roles, TRUST_ROLE_COORDINATOR | TRUST_ROLE_AUDITOR);
	CU_ASSERT_PTR_NULL(trust_member_by_code(tl, "03"));
	CU_ASSERT_PTR_NULL(trust_member_by_id(tl, "FI/GOV/0000000-0/lasteri"));
	CU_ASSERT_PTR_NULL(trust_member_by_tls_fpr(tl, zero));
	CU_ASSERT_PTR_NULL(trust_member_at(tl, NCODES));
	CU_ASSERT_PTR_NULL(trust_member_at(tl, -1));
	trust_unref(tl);
}

static void
test_refuses_a_list_signed_by_a_member_instead_of_the_operator(void)
{
	struct spec s = good;
	struct trust_list *tl;
	struct err e;

	s.signer = "01";
	tl = load(&s, NULL, &e);
	CU_ASSERT_PTR_NULL(tl);
	trust_unref(tl);
	CU_ASSERT(e.code == ERR_SIGNATURE || e.code == ERR_TRUST);
	CU_ASSERT(strncmp(e.msg, "list.xml: ", 10) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "pinned"));
}

static void
test_refuses_a_list_with_a_lower_sequence_than_the_held_one(void)
{
	struct spec s = good;
	struct trust_list *held, *tl;
	struct err e;

	held = load(&good, NULL, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(held);
	s.seq = 4;
	tl = load(&s, held, &e);
	CU_ASSERT_PTR_NULL(tl);
	trust_unref(tl);
	CU_ASSERT_EQUAL(e.code, ERR_TRUST);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "sequence 4 is lower than the "
	    "held 5 (rollback refused)"));
	/* a higher one replaces it */
	s.seq = 6;
	tl = load(&s, held, &e);
	CU_ASSERT_PTR_NOT_NULL(tl);
	trust_unref(tl);
	trust_unref(held);
}

static void
test_refuses_a_different_list_with_the_same_sequence(void)
{
	struct spec s = good;
	struct trust_list *held, *tl = NULL;
	struct err e;
	size_t len = 0;
	char *buf;

	buf = list_signed(&good, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	err_clear(&e);
	CU_ASSERT_EQUAL_FATAL(trust_parse(buf, len, "held.xml",
	    pki->operator_crt, NULL, pki->now, &held, &e), 0);
	/* the very same bytes again: accepted */
	CU_ASSERT_EQUAL(trust_parse(buf, len, "again.xml", pki->operator_crt,
	    held, pki->now, &tl, &e), 0);
	trust_unref(tl);
	xmlFree(buf);
	s.name01 = "Itä-Uusimaa (renamed)";
	tl = load(&s, held, &e);
	CU_ASSERT_PTR_NULL(tl);
	trust_unref(tl);
	CU_ASSERT_EQUAL(e.code, ERR_TRUST);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "differs from the held list with "
	    "the same sequence"));
	trust_unref(held);
}

static void
test_refuses_an_expired_list(void)
{
	struct spec s = good;
	struct trust_list *tl;
	struct err e;

	s.issued = -40 * 86400;
	s.expires = -60;
	tl = load(&s, NULL, &e);
	CU_ASSERT_PTR_NULL(tl);
	trust_unref(tl);
	CU_ASSERT_EQUAL(e.code, ERR_TRUST);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "list.xml: trust list sequence 5 "
	    "expired at "));
}

static void
test_loads_an_expired_list_only_when_asked_to(void)
{
	struct spec s = good;
	struct trust_list *tl = NULL;
	struct err e;
	size_t len = 0;
	char *buf;

	s.issued = -40 * 86400;
	s.expires = -60;
	buf = list_signed(&s, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	err_clear(&e);
	CU_ASSERT_EQUAL(trust_parse_flags(buf, len, "old.xml",
	    pki->operator_crt, NULL, pki->now, TRUST_F_NO_EXPIRY, &tl, &e), 0);
	trust_unref(tl);
	xmlFree(buf);
}

static void
test_refuses_a_tampered_list(void)
{
	struct trust_list *tl = NULL;
	struct err e;
	size_t len = 0;
	char *buf, *p;

	buf = list_signed(&good, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	/* give member 02 the coordinator role after signing */
	p = strstr(buf, "<Code>02</Code><Region>02</Region><Roles>region "
	    "supervisor</Roles>");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	memcpy(strstr(p, "region supervisor"), "coordinator      ", 17);
	err_clear(&e);
	CU_ASSERT_EQUAL(trust_parse(buf, len, "tampered.xml", pki->operator_crt,
	    NULL, pki->now, &tl, &e), -1);
	trust_unref(tl);
	CU_ASSERT_EQUAL(e.code, ERR_SIGNATURE);
	CU_ASSERT(strncmp(e.msg, "tampered.xml: ", 14) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "digest"));
	xmlFree(buf);
}

static void
test_refuses_a_list_with_a_dtd(void)
{
	struct trust_list *tl = NULL;
	struct err e;
	size_t len = 0, n;
	char *buf, *dtd, *root;
	const char *decl = "<!DOCTYPE TrustList [<!ENTITY x \"y\">]>\n";

	buf = list_signed(&good, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	root = strstr(buf, "<TrustList");
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	n = strlen(decl);
	dtd = malloc(len + n + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dtd);
	memcpy(dtd, buf, (size_t)(root - buf));
	memcpy(dtd + (root - buf), decl, n);
	memcpy(dtd + (root - buf) + n, root, len - (size_t)(root - buf));
	err_clear(&e);
	CU_ASSERT_EQUAL(trust_parse(dtd, len + n, "dtd.xml", pki->operator_crt,
	    NULL, pki->now, &tl, &e), -1);
	trust_unref(tl);
	CU_ASSERT_EQUAL(e.code, ERR_INPUT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "DTD"));
	free(dtd);
	xmlFree(buf);
}

static void
test_refuses_an_unsigned_list(void)
{
	struct trust_list *tl = NULL;
	struct err e;
	char *text;

	text = malloc(LIST_MAX);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	list_text(&good, text, LIST_MAX);
	err_clear(&e);
	CU_ASSERT_EQUAL(trust_parse(text, strlen(text), "unsigned.xml",
	    pki->operator_crt, NULL, pki->now, &tl, &e), -1);
	trust_unref(tl);
	CU_ASSERT(e.code == ERR_SIGNATURE || e.code == ERR_TRUST);
	CU_ASSERT(strncmp(e.msg, "unsigned.xml: ", 14) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "not signed"));
	/* an offline tool may read it, marked as not verified */
	CU_ASSERT_EQUAL(trust_parse_flags(text, strlen(text), "unsigned.xml",
	    NULL, NULL, pki->now, TRUST_F_NO_SIGNATURE, &tl, &e), 0);
	if (tl != NULL)
		CU_ASSERT_EQUAL(trust_is_verified(tl), 0);
	trust_unref(tl);
	/* but never without an anchor otherwise */
	tl = NULL;
	CU_ASSERT_EQUAL(trust_parse(text, strlen(text), "unsigned.xml", NULL,
	    NULL, pki->now, &tl, &e), -1);
	CU_ASSERT_EQUAL(e.code, ERR_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "no operator certificate"));
	trust_unref(tl);
	free(text);
}

static void
test_refuses_a_list_with_one_signing_certificate_for_two_members(void)
{
	struct spec s = good;
	struct trust_list *tl;
	struct err e;

	s.dup_sign = 1;
	tl = load(&s, NULL, &e);
	CU_ASSERT_PTR_NULL(tl);
	trust_unref(tl);
	CU_ASSERT_EQUAL(e.code, ERR_SCHEMA);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "members 01 and 02 have the same "
	    "signing certificate fingerprint"));
}

static void
test_gives_each_document_kind_its_signing_roles(void)
{
	unsigned all = TRUST_ROLE_REGION | TRUST_ROLE_SUPERVISOR |
	    TRUST_ROLE_COORDINATOR | TRUST_ROLE_AUDITOR;

	CU_ASSERT_EQUAL(trust_roles_for_kind(DOC_UNIT), TRUST_ROLE_REGION);
	CU_ASSERT_EQUAL(trust_roles_for_kind(DOC_PROCUREMENT),
	    TRUST_ROLE_REGION);
	CU_ASSERT_EQUAL(trust_roles_for_kind(DOC_RESPONSE), TRUST_ROLE_REGION);
	CU_ASSERT_EQUAL(trust_roles_for_kind(DOC_RECORD),
	    TRUST_ROLE_SUPERVISOR);
	CU_ASSERT_EQUAL(trust_roles_for_kind(DOC_QUERY), all);
	CU_ASSERT_EQUAL(trust_roles_for_kind(DOC_CHECKPOINT), all);
	CU_ASSERT_EQUAL(trust_roles_for_kind(DOC_TRUSTLIST), 0);
	CU_ASSERT_EQUAL(trust_roles_for_kind(DOC_ANY), 0);
}

static void
test_parses_and_formats_role_lists(void)
{
	unsigned r = 99;
	char buf[64];

	CU_ASSERT_EQUAL(trust_roles_parse("region,supervisor", &r), 0);
	CU_ASSERT_EQUAL(r, TRUST_ROLE_REGION | TRUST_ROLE_SUPERVISOR);
	CU_ASSERT_EQUAL(trust_roles_parse(" coordinator  auditor ", &r), 0);
	CU_ASSERT_EQUAL(r, TRUST_ROLE_COORDINATOR | TRUST_ROLE_AUDITOR);
	CU_ASSERT_EQUAL(trust_roles_parse("region,admin", &r), -1);
	CU_ASSERT_EQUAL(trust_roles_parse("regions", &r), -1);
	trust_roles_format(TRUST_ROLE_REGION | TRUST_ROLE_AUDITOR, buf,
	    sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "region,auditor");
	trust_roles_format(0, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "");
	trust_roles_format(TRUST_ROLE_REGION | TRUST_ROLE_SUPERVISOR, buf, 8);
	CU_ASSERT_STRING_EQUAL(buf, "region");
}

/* --- version 2: certificates with windows, issuer codes (findings 1, 9) -- */

static void
test_still_loads_a_first_version_list_with_open_windows(void)
{
	const struct trust_member *m;
	struct trust_list *tl;
	struct err e;

	tl = load(&good, NULL, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tl);
	m = trust_member_by_code(tl, "lvv");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(m->ntls, 1);
	CU_ASSERT_EQUAL(m->nsign, 1);
	CU_ASSERT_EQUAL(m->sign[0].not_before, 0);
	CU_ASSERT_EQUAL(m->sign[0].not_after, 0);
	CU_ASSERT_EQUAL(memcmp(m->sign[0].fpr, pki->sign_fpr[2], 32), 0);
	CU_ASSERT_EQUAL(memcmp(m->tls[0].fpr, pki->tls_fpr[2], 32), 0);
	CU_ASSERT_EQUAL(m->nissuers, 0);
	CU_ASSERT(trust_member_by_sign_fpr_at(tl, pki->sign_fpr[2], 0) == m);
	CU_ASSERT(trust_member_by_sign_fpr_at(tl, pki->sign_fpr[2], pki->now +
	    3650L * 86400) == m);
	CU_ASSERT_EQUAL(trust_member_may_issue(m, "LVV"), 0);
	trust_unref(tl);
}

static void
test_loads_issuer_codes_and_finds_who_may_issue(void)
{
	const struct trust_member *lvv, *r01, *m;
	struct trust_list *tl;
	struct err e;
	char buf[64];
	int i;

	tl = load(&good2, NULL, &e);
	if (tl == NULL)
		printf("\n  %s\n", e.msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tl);
	lvv = trust_member_by_code(tl, "lvv");
	r01 = trust_member_by_code(tl, "01");
	CU_ASSERT_PTR_NOT_NULL_FATAL(lvv);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r01);
	CU_ASSERT_EQUAL(lvv->nissuers, 3);
	CU_ASSERT_STRING_EQUAL(lvv->issuers[0], "LVV");
	CU_ASSERT_EQUAL(trust_member_may_issue(lvv, "VALVIRA"), 1);
	CU_ASSERT_EQUAL(trust_member_may_issue(lvv, "HVA-01"), 0);
	CU_ASSERT_EQUAL(trust_member_may_issue(r01, "HVA-01"), 1);
	CU_ASSERT_EQUAL(trust_member_may_issue(r01, "LVV"), 0);
	CU_ASSERT_EQUAL(trust_member_may_issue(NULL, "LVV"), 0);
	CU_ASSERT(trust_member_by_issuer(tl, "AVI-ES") == lvv);
	CU_ASSERT(trust_member_by_issuer(tl, "HVA-02") ==
	    trust_member_by_code(tl, "02"));
	CU_ASSERT_PTR_NULL(trust_member_by_issuer(tl, "EOA"));
	CU_ASSERT_PTR_NULL(trust_member_by_issuer(tl, NULL));
	trust_issuers_format(lvv, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "LVV,AVI-ES,VALVIRA");
	trust_issuers_format(trust_member_by_code(tl, "thl"), buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "none");
	/* the new form's certificates, open windows */
	for (i = 0; i < NCODES; i++) {
		m = trust_member_by_code(tl, members[i].code);
		CU_ASSERT(trust_member_by_tls_fpr_at(tl, pki->tls_fpr[i],
		    pki->now) == m);
		CU_ASSERT(trust_member_by_sign_fpr_at(tl, pki->sign_fpr[i],
		    pki->now) == m);
	}
	trust_unref(tl);
}

/* A TlsCertificate listing of fpr in use from nb to na (0: open). */
static void
tls_listing(char *buf, size_t len, const unsigned char fpr[32], time_t nb,
    time_t na)
{
	char fh[65], t1[32], t2[32], a[64] = "", b[64] = "";

	x509_fpr_hex(fpr, fh);
	if (nb != 0) {
		model_datetime_format(nb, t1);
		snprintf(a, sizeof(a), " notBefore=\"%s\"", t1);
	}
	if (na != 0) {
		model_datetime_format(na, t2);
		snprintf(b, sizeof(b), " notAfter=\"%s\"", t2);
	}
	snprintf(buf, len, "<TlsCertificate sha256=\"%s\"%s%s/>", fh, a, b);
}

static void
test_rotates_a_tls_certificate_without_a_flag_day(void)
{
	const struct trust_member *m;
	struct spec s = good2;
	struct trust_list *tl;
	unsigned char next[32];
	char old[256], nw[256], both[600];
	struct err e;

	/* Member 01's TLS certificate is replaced: the next one listed from
	 * an hour ago, the old one until two hours from now.  In between
	 * both are in use, so peers accept whichever 01 presents while it
	 * switches; after, only the next one. */
	memset(next, 0xab, sizeof(next));
	tls_listing(old, sizeof(old), pki->tls_fpr[0], 0, pki->now + 7200);
	tls_listing(nw, sizeof(nw), next, pki->now - 3600, 0);
	snprintf(both, sizeof(both), "%s%s", old, nw);
	s.tls01 = both;
	tl = load(&s, NULL, &e);
	if (tl == NULL)
		printf("\n  %s\n", e.msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tl);
	m = trust_member_by_code(tl, "01");
	CU_ASSERT_EQUAL(m->ntls, 2);
	CU_ASSERT_EQUAL(m->tls[0].not_after, pki->now + 7200);
	CU_ASSERT_EQUAL(m->tls[1].not_before, pki->now - 3600);
	/* before the next one comes into use: the old one only */
	CU_ASSERT(trust_member_by_tls_fpr_at(tl, pki->tls_fpr[0],
	    pki->now - 7200) == m);
	CU_ASSERT_PTR_NULL(trust_member_by_tls_fpr_at(tl, next,
	    pki->now - 7200));
	/* the overlap: both */
	CU_ASSERT(trust_member_by_tls_fpr_at(tl, pki->tls_fpr[0],
	    pki->now) == m);
	CU_ASSERT(trust_member_by_tls_fpr_at(tl, next, pki->now) == m);
	/* notAfter is exclusive: at it, the old one is out of use */
	CU_ASSERT_PTR_NULL(trust_member_by_tls_fpr_at(tl, pki->tls_fpr[0],
	    pki->now + 7200));
	CU_ASSERT(trust_member_by_tls_fpr_at(tl, next, pki->now + 7200) == m);
	/* listed at all, whatever the window */
	CU_ASSERT(trust_member_by_tls_fpr(tl, pki->tls_fpr[0]) == m);
	CU_ASSERT(trust_member_by_tls_fpr(tl, next) == m);
	/* a TLS listing is not a signing one */
	CU_ASSERT_PTR_NULL(trust_member_by_sign_fpr(tl, next));
	trust_unref(tl);
}

static void
test_refuses_one_tls_certificate_for_two_members(void)
{
	struct spec s = good2;
	struct trust_list *tl;
	struct err e;

	s.dup_tls = 1;
	tl = load(&s, NULL, &e);
	CU_ASSERT_PTR_NULL(tl);
	trust_unref(tl);
	CU_ASSERT_EQUAL(e.code, ERR_SCHEMA);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "members 01 and 02 have the same "
	    "TLS certificate fingerprint"));
}

static void
test_refuses_one_issuer_code_for_two_members(void)
{
	struct spec s = good2;
	struct trust_list *tl;
	struct err e;

	s.dup_issuer = 1;
	tl = load(&s, NULL, &e);
	CU_ASSERT_PTR_NULL(tl);
	trust_unref(tl);
	CU_ASSERT_EQUAL(e.code, ERR_SCHEMA);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "members 02 and lvv have the same "
	    "issuer code LVV"));
}

static void
test_refuses_a_window_that_ends_before_it_starts(void)
{
	struct spec s = good2;
	struct trust_list *tl;
	char l[256];
	struct err e;

	tls_listing(l, sizeof(l), pki->tls_fpr[0], pki->now, pki->now);
	s.tls01 = l;
	tl = load(&s, NULL, &e);
	CU_ASSERT_PTR_NULL(tl);
	trust_unref(tl);
	CU_ASSERT_EQUAL(e.code, ERR_SCHEMA);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "TlsCertificate: notAfter is not "
	    "after notBefore"));
}

static void
test_refuses_a_member_mixing_the_two_forms(void)
{
	struct spec s = good2;
	struct trust_list *tl;
	char l[256], th[65];
	struct err e;

	x509_fpr_hex(pki->tls_fpr[0], th);
	snprintf(l, sizeof(l), "<TlsCertificateSha256>%s"
	    "</TlsCertificateSha256>", th);
	s.tls01 = l;
	tl = load(&s, NULL, &e);
	CU_ASSERT_PTR_NULL(tl);
	trust_unref(tl);
	CU_ASSERT_EQUAL(e.code, ERR_SCHEMA);
}

static CU_TestInfo loading[] = {
	{ "loads a list signed by the operator",
	    test_loads_a_list_signed_by_the_operator },
	{ "finds members by id, code and fingerprints",
	    test_finds_members_by_id_code_and_fingerprints },
	{ "loads an expired list only when asked to",
	    test_loads_an_expired_list_only_when_asked_to },
	{ "still loads a first-version list with open windows",
	    test_still_loads_a_first_version_list_with_open_windows },
	{ "loads issuer codes and finds who may issue",
	    test_loads_issuer_codes_and_finds_who_may_issue },
	{ "rotates a TLS certificate without a flag day",
	    test_rotates_a_tls_certificate_without_a_flag_day },
	CU_TEST_INFO_NULL
};

static CU_TestInfo refusing[] = {
	{ "refuses a list signed by a member instead of the operator",
	    test_refuses_a_list_signed_by_a_member_instead_of_the_operator },
	{ "refuses a list with a lower sequence than the held one",
	    test_refuses_a_list_with_a_lower_sequence_than_the_held_one },
	{ "refuses a different list with the same sequence",
	    test_refuses_a_different_list_with_the_same_sequence },
	{ "refuses an expired list", test_refuses_an_expired_list },
	{ "refuses a tampered list", test_refuses_a_tampered_list },
	{ "refuses a list with a DTD", test_refuses_a_list_with_a_dtd },
	{ "refuses an unsigned list", test_refuses_an_unsigned_list },
	{ "refuses a list with one signing certificate for two members",
	    test_refuses_a_list_with_one_signing_certificate_for_two_members },
	{ "refuses one TLS certificate for two members",
	    test_refuses_one_tls_certificate_for_two_members },
	{ "refuses one issuer code for two members",
	    test_refuses_one_issuer_code_for_two_members },
	{ "refuses a window that ends before it starts",
	    test_refuses_a_window_that_ends_before_it_starts },
	{ "refuses a member mixing the two forms",
	    test_refuses_a_member_mixing_the_two_forms },
	CU_TEST_INFO_NULL
};

static CU_TestInfo roles[] = {
	{ "gives each document kind its signing roles",
	    test_gives_each_document_kind_its_signing_roles },
	{ "parses and formats role lists", test_parses_and_formats_role_lists },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ "trust list loading", suite_init, suite_clean, NULL, NULL, loading },
	{ "trust list refusals", suite_init, suite_clean, NULL, NULL, refusing },
	{ "trust roles", NULL, NULL, NULL, NULL, roles },
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	return test_run_suites(suites);
}
