/*
 * bench_dsig.c - in-process signing and verifying of a ~2 KB Unit, one
 * thread, SECONDS each.  tests/bench/dsig runs it between two
 * `openssl speed ecdsap256` runs and prints the ratios to raw ECDSA.
 *
 *   bench_dsig KEY CERT CA-CERT [SECONDS [PHASES]]
 *
 * PHASES (default all) is a comma list of sign, sign+ser, verify,
 * verify+schema: e.g. "verify" alone under callgrind.
 *
 * sign:   dsig_sign() on a parsed document (signedAt, C14N, SHA-256, ECDSA,
 *         Signature tree), then the Signature is dropped for the next round;
 *         sign+ser adds xml_serialize() to bytes.
 * verify: bytes -> xml_parse() -> verifier_check() through a trust list that
 *         lists the signer (the signer cache is warm after the first round),
 *         -> xmlFreeDoc().
 * verify+schema: what the node does with every inbound document: bytes ->
 *         xml_parse() -> schema_validate() -> verifier_check() ->
 *         xmlFreeDoc().
 *
 * Rates are per second of wall time.  With BENCH_CLOCK=cpu in the
 * environment they are per second of the process's user CPU time, which is
 * what `openssl speed` divides by (unless -elapsed): on a machine shared with
 * other work the wall-time ratio to raw ECDSA is biased low and swings with
 * the load, the CPU-time one much less.  Each measurement still runs for
 * SECONDS of wall time.
 */
#include "config.h"

#include <sys/resource.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "dsig.h"
#include "schema.h"
#include "trust.h"
#include "verifier.h"
#include "x509.h"
#include "xml.h"

static const char unit_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<Unit xmlns=\"urn:lasteri:1\" Id=\"SOTERI-1.2.246.10.23456780.10.42\">\n"
    "  <Name>Lastenkoti Tammela</Name>\n"
    "  <Provider businessId=\"2345678-0\" sector=\"company\">\n"
    "    <Name>Esimerkki Lastensuojelu Oy</Name>\n"
    "  </Provider>\n"
    "  <Type>childrens-home</Type>\n"
    "  <ServiceLevel>special</ServiceLevel>\n"
    "  <Region>08</Region>\n"
    "  <Municipality>837</Municipality>\n"
    "  <Address>Tammelan puistokatu 1, 33100 Tampere</Address>\n"
    "  <Responsible>Johtaja (vastaava sosionomi)</Responsible>\n"
    "  <Licence date=\"2019-03-01\" authority=\"AVI-LSS\" valid=\"true\"/>\n"
    "  <SelfSupervisionPlan>https://example.invalid/tammela/omavalvonta-2026"
    ".pdf</SelfSupervisionPlan>\n"
    "  <ServicePoint id=\"SP-42-1\">\n"
    "    <Name>Tammela A (asuinyksikk\xc3\xb6)</Name>\n"
    "    <Address>Tammelan puistokatu 1 A, 33100 Tampere</Address>\n"
    "  </ServicePoint>\n"
    "  <ServicePoint id=\"SP-42-2\">\n"
    "    <Name>Tammela B (asuinyksikk\xc3\xb6)</Name>\n"
    "  </ServicePoint>\n"
    "  <Capacity places=\"14\" residentialUnits=\"2\"/>\n"
    "  <FreePlaces updated=\"2026-11-24T09:30:00Z\">1</FreePlaces>\n"
    "  <Ages min=\"12\" max=\"17\"/>\n"
    "  <Gender>any</Gender>\n"
    "  <Language>fi</Language>\n"
    "  <Language>en</Language>\n"
    "  <TargetGroup>conduct</TargetGroup>\n"
    "  <TargetGroup>substance-use</TargetGroup>\n"
    "  <TargetGroup>neuropsychiatric</TargetGroup>\n"
    "  <Expertise>trauma-informed-care</Expertise>\n"
    "  <Expertise>neuropsychiatric-coaching</Expertise>\n"
    "  <Expertise>substance-rehabilitation</Expertise>\n"
    "  <Methods>Dialectical behaviour therapy skills groups; family work "
    "with parents every other week; Nuorten Yst\xc3\xa4vien ART (aggression "
    "replacement training).</Methods>\n"
    "  <School>local-school</School>\n"
    "  <Staff count=\"18\" qualified=\"11\"/>\n"
    "  <RestrictiveMeasures>true</RestrictiveMeasures>\n"
    "  <DailyPrice currency=\"EUR\">689.00</DailyPrice>\n"
    "  <Lot ref=\"PIR-2025-01/SPECIAL\"/>\n"
    "  <Updated>2026-11-24T09:30:00Z</Updated>\n"
    "  <HomeRegion>08</HomeRegion>\n"
    "</Unit>\n";

static int use_cpu;	/* BENCH_CLOCK=cpu */

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The divisor's clock: user CPU time with BENCH_CLOCK=cpu, else wall. */
static double
clock_s(void)
{
	struct rusage ru;

	if (!use_cpu)
		return now_s();
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
}

static void
die(const char *what, const struct err *e)
{
	fprintf(stderr, "bench_dsig: %s: %s\n", what, e != NULL ? e->msg : "");
	exit(2);
}

/* 1 if name is one of the comma-separated phases. */
static int
phase(const char *phases, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = phases; p != NULL; p = strchr(p, ','), p = p ? p + 1 : NULL)
		if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

static void
drop_signature(xmlDocPtr doc)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), last = root->last;

	xmlUnlinkNode(last);
	xmlFreeNode(last);
}

/* An unsigned trust list with the CA and the signer as a region. */
static struct trust_list *
make_list(X509 *ca, X509 *signer, struct err *e)
{
	struct trust_list *tl = NULL;
	unsigned char f[32], *der = NULL;
	char fh[X509_FPR_HEX], t1[32], t2[32], *ca64, *buf;
	struct tm tm;
	time_t t = time(NULL);
	size_t max = 64 * 1024;
	int n;

	if ((n = i2d_X509(ca, &der)) <= 0 ||
	    (ca64 = malloc(4 * ((size_t)n / 3 + 1) + 1)) == NULL ||
	    (buf = malloc(max)) == NULL)
		die("encode", NULL);
	EVP_EncodeBlock((unsigned char *)ca64, der, n);
	OPENSSL_free(der);
	x509_fingerprint(signer, f);
	x509_fpr_hex(f, fh);
	strftime(t1, sizeof(t1), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	t += 86400;
	strftime(t2, sizeof(t2), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	snprintf(buf, max, "<TrustList xmlns=\"urn:lasteri:1\" Id=\"bench\">"
	    "<Instance>FI</Instance><Sequence>1</Sequence><Issued>%s</Issued>"
	    "<Expires>%s</Expires><CACertificates><Certificate>%s"
	    "</Certificate></CACertificates><Members><Member>"
	    "<MemberId>FI/GOV/1234567-8/lasteri</MemberId><Name>Bench</Name>"
	    "<Code>08</Code><Region>08</Region><Roles>region</Roles>"
	    "<Endpoint>https://127.0.0.1:7000</Endpoint>"
	    "<TlsCertificateSha256>%s</TlsCertificateSha256>"
	    "<SigningCertificateSha256>%s</SigningCertificateSha256>"
	    "</Member></Members></TrustList>", t1, t2, ca64, fh, fh);
	free(ca64);
	if (trust_parse_flags(buf, strlen(buf), "bench-trustlist", NULL, NULL,
	    time(NULL), TRUST_F_NO_SIGNATURE, &tl, e) == -1)
		tl = NULL;
	free(buf);
	return tl;
}

/* Signs doc in place (and serialises it when ser) for secs; per second. */
static double
run_sign(struct dsig_key *k, xmlDocPtr doc, int ser, double secs)
{
	struct err e;
	char *bytes;
	size_t blen;
	double t0 = now_s(), c0 = clock_s();
	long n = 0;

	err_clear(&e);
	do {
		if (dsig_sign(k, doc, &e) == -1 || (ser &&
		    xml_serialize(doc, &bytes, &blen, &e) == -1))
			die("sign", &e);
		if (ser)
			xmlFree(bytes);
		drop_signature(doc);
		n++;
	} while (now_s() - t0 < secs);
	return (double)n / (clock_s() - c0);
}

/* Parses (and validates when schema) and verifies bytes for secs, as the
 * node takes a document in; per second. */
static double
run_verify(struct verifier *v, const char *bytes, size_t blen, int schema,
    double secs)
{
	static const char *const roots[] = { "Unit", NULL };
	struct err e;
	xmlDocPtr d;
	double t0 = now_s(), c0 = clock_s();
	long n = 0;

	err_clear(&e);
	do {
		if ((d = xml_parse(bytes, blen, "signed", &xml_limits_wire,
		    &e)) == NULL || (schema &&
		    schema_validate(d, "signed", roots, &e) == -1) ||
		    verifier_check(v, d, DOC_UNIT, time(NULL), NULL, &e) == -1)
			die(schema ? "verify+schema" : "verify", &e);
		xmlFreeDoc(d);
		n++;
	} while (now_s() - t0 < secs);
	return (double)n / (clock_s() - c0);
}

static void
report(const char *what, double per_s)
{
	printf("%s %.1f\n", what, per_s);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	struct dsig_key *k = NULL;
	struct verifier *v;
	struct trust_list *tl;
	struct err e;
	xmlDocPtr doc;
	X509 *ca;
	char *bytes;
	size_t len, blen;
	const char *phases = "sign,sign+ser,verify,verify+schema";
	double secs = 3;

	if (argc < 4 || argc > 6) {
		fprintf(stderr, "usage: bench_dsig KEY CERT CA-CERT [SECONDS "
		    "[PHASES]]\n");
		return 2;
	}
	if (argc >= 5)
		secs = strtod(argv[4], NULL);
	if (argc == 6)
		phases = argv[5];
	use_cpu = getenv("BENCH_CLOCK") != NULL &&
	    strcmp(getenv("BENCH_CLOCK"), "cpu") == 0;
	xml_init();
	err_clear(&e);
	if (dsig_init(&e) == -1)
		die("init", &e);
	if (dsig_key_load(argv[1], argv[2], &k, &e) == -1)
		die("key", &e);
	if ((ca = x509_load_pem(argv[3], &e)) == NULL)
		die("CA", &e);
	if ((tl = make_list(ca, dsig_key_cert(k), &e)) == NULL)
		die("trust list", &e);
	if ((v = verifier_new(tl, &e)) == NULL)
		die("verifier", &e);
	len = strlen(unit_xml);
	if ((doc = xml_parse(unit_xml, len, "unit", &xml_limits_wire, &e)) ==
	    NULL)
		die("parse", &e);
	printf("document %zu bytes", len);

	printf("\n");
	if (phase(phases, "sign"))
		report("sign_per_s", run_sign(k, doc, 0, secs));
	if (phase(phases, "sign+ser"))
		report("sign_serialize_per_s", run_sign(k, doc, 1, secs));
	if (dsig_sign(k, doc, &e) == -1 ||
	    xml_serialize(doc, &bytes, &blen, &e) == -1)
		die("sign", &e);
	printf("signed_bytes %zu\n", blen);
	if (phase(phases, "verify"))
		report("verify_per_s", run_verify(v, bytes, blen, 0, secs));
	if (schema_init(&e) == -1)
		die("schema", &e);
	if (phase(phases, "verify+schema"))
		report("verify_schema_per_s", run_verify(v, bytes, blen, 1,
		    secs));

	xmlFree(bytes);
	xmlFreeDoc(doc);
	verifier_free(v);
	trust_unref(tl);
	X509_free(ca);
	dsig_key_free(k);
	return 0;
}
