/*
 * dsig_tool.c - sign or verify one document with our dsig library, for
 * tests/test_interop.sh (which checks it against the stock xmlsec1).
 *
 *   dsig_tool sign KEY CERT IN OUT
 *   dsig_tool verify SIGNER-CERT CA-CERT|- IN
 *   dsig_tool malleate IN OUT
 *   dsig_tool shorten KEY IN OUT
 *
 * verify pins SIGNER-CERT and checks its path to CA-CERT ("-": pin only);
 * prints "OK kind id signedAt".  malleate writes the other valid ECDSA
 * P-256 signature over the same SignedInfo (r, s) -> (r, n - s), as anyone
 * holding a signed document can, for tests/test_records.sh.  shorten writes
 * a genuine 62-byte ECDSA value (both halves short, as Apache Santuario
 * writes it; see do_shorten) for tests/test_interop.sh.  Exit 0
 * success, 1 refused, 2 usage/input.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/c14n.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "dsig.h"
#include "x509.h"
#include "xml.h"

static int
fail(const struct err *e)
{
	fprintf(stderr, "dsig_tool: %s: %s\n", err_code_name(e->code), e->msg);
	return err_exit_status(e->code);
}

static int
do_sign(char **argv)
{
	struct dsig_key *k = NULL;
	struct err e;
	xmlDocPtr doc = NULL;
	char *out = NULL;
	size_t len;
	FILE *f = NULL;
	int rc = 2;

	err_clear(&e);
	if (dsig_key_load(argv[0], argv[1], &k, &e) == -1 ||
	    (doc = xml_read_file(argv[2], &xml_limits_wire, &e)) == NULL ||
	    dsig_sign(k, doc, &e) == -1 ||
	    xml_serialize(doc, &out, &len, &e) == -1) {
		rc = fail(&e);
		goto done;
	}
	if ((f = fopen(argv[3], "wb")) == NULL ||
	    fwrite(out, 1, len, f) != len) {
		perror(argv[3]);
		goto done;
	}
	rc = 0;
done:
	if (f != NULL && fclose(f) != 0)
		rc = 2;
	xmlFree(out);
	xmlFreeDoc(doc);
	dsig_key_free(k);
	return rc;
}

static int
do_verify(char **argv)
{
	STACK_OF(X509) *cas = NULL;
	struct dsig_info info;
	struct err e;
	X509 *pin = NULL;
	xmlDocPtr doc = NULL;
	int rc;

	err_clear(&e);
	if ((pin = x509_load_pem(argv[0], &e)) == NULL ||
	    (strcmp(argv[1], "-") != 0 &&
	    (cas = x509_load_pem_all(argv[1], &e)) == NULL) ||
	    (doc = xml_read_file(argv[2], &xml_limits_wire, &e)) == NULL ||
	    dsig_verify_pinned(doc, pin, cas, DOC_ANY, time(NULL), &info,
	    &e) == -1) {
		rc = fail(&e);
	} else {
		printf("OK %s %s %lld\n", dsig_kind_root(info.kind),
		    info.doc_id, (long long)info.signed_at);
		rc = 0;
	}
	xmlFreeDoc(doc);
	X509_free(pin);
	sk_X509_pop_free(cas, X509_free);
	return rc;
}

#define DS_NS	"http://www.w3.org/2000/09/xmldsig#"

/* The ds:SignatureValue of the root's last child ds:Signature, or NULL. */
static xmlNodePtr
signature_value(xmlDocPtr doc)
{
	xmlNodePtr root, sig, n;

	if ((root = xmlDocGetRootElement(doc)) == NULL)
		return NULL;
	for (sig = xmlGetLastChild(root); sig != NULL &&
	    sig->type != XML_ELEMENT_NODE; sig = sig->prev)
		;
	if (sig == NULL || sig->ns == NULL ||
	    strcmp((const char *)sig->ns->href, DS_NS) != 0 ||
	    strcmp((const char *)sig->name, "Signature") != 0)
		return NULL;
	for (n = sig->children; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)n->name, "SignatureValue") == 0)
			return n;
	return NULL;
}

/* r || s (32 bytes each) -> r || n - s, n the order of P-256. */
static int
negate_s(unsigned char rs[64])
{
	EC_GROUP *g = NULL;
	BIGNUM *s = NULL, *ns = NULL;
	int rc = -1;

	if ((g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1)) == NULL ||
	    (s = BN_bin2bn(rs + 32, 32, NULL)) == NULL ||
	    (ns = BN_new()) == NULL ||
	    !BN_sub(ns, EC_GROUP_get0_order(g), s) ||
	    BN_bn2binpad(ns, rs + 32, 32) != 32)
		goto done;
	rc = 0;
done:
	BN_free(s);
	BN_free(ns);
	EC_GROUP_free(g);
	return rc;
}

static int
do_malleate(char **argv)
{
	struct err e;
	xmlDocPtr doc = NULL;
	xmlNodePtr sv;
	xmlChar *text = NULL;
	unsigned char raw[96], rs[64];
	char b64[65 * 2], *out = NULL;
	size_t i, j, len;
	FILE *f = NULL;
	int n, rc = 2;

	err_clear(&e);
	if ((doc = xml_read_file(argv[0], &xml_limits_wire, &e)) == NULL) {
		rc = fail(&e);
		goto done;
	}
	if ((sv = signature_value(doc)) == NULL ||
	    (text = xmlNodeGetContent(sv)) == NULL) {
		fprintf(stderr, "dsig_tool: %s: no ds:SignatureValue in the "
		    "root's last ds:Signature\n", argv[0]);
		goto done;
	}
	/* Base64 without the whitespace the profile allows. */
	for (i = j = 0; text[i] != '\0' && j < sizeof(b64) - 1; i++)
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' &&
		    text[i] != '\n')
			b64[j++] = (char)text[i];
	b64[j] = '\0';
	if (j != 88 || (n = EVP_DecodeBlock(raw, (unsigned char *)b64,
	    (int)j)) != 66) {	/* 64 bytes, padded to 66 */
		fprintf(stderr, "dsig_tool: %s: SignatureValue is not a "
		    "64-byte ECDSA P-256 value\n", argv[0]);
		goto done;
	}
	memcpy(rs, raw, 64);
	if (negate_s(rs) == -1) {
		fprintf(stderr, "dsig_tool: cannot compute n - s\n");
		goto done;
	}
	EVP_EncodeBlock((unsigned char *)b64, rs, 64);
	xmlNodeSetContent(sv, (const xmlChar *)b64);
	if (xml_serialize(doc, &out, &len, &e) == -1) {
		rc = fail(&e);
		goto done;
	}
	if ((f = fopen(argv[1], "wb")) == NULL ||
	    fwrite(out, 1, len, f) != len) {
		perror(argv[1]);
		goto done;
	}
	rc = 0;
done:
	if (f != NULL && fclose(f) != 0)
		rc = 2;
	xmlFree(out);
	xmlFree(text);
	xmlFreeDoc(doc);
	return rc;
}

/* Visible: node inside the subtree of ud (namespace nodes by their element),
 * as the verifier canonicalises SignedInfo. */
static int
in_subtree(void *ud, xmlNodePtr node, xmlNodePtr parent)
{
	xmlNodePtr top = ud, n;

	n = node->type == XML_NAMESPACE_DECL ? parent : node;
	for (; n != NULL; n = n->parent)
		if (n == top)
			return 1;
	return 0;
}

/*
 * The document IN (signed with ECDSA P-256 by KEY) signed again with a
 * value of 62 bytes, as Apache Santuario 2.1.7 writes it when r and s are
 * both short: new signatures over the same SignedInfo (a fresh random k
 * each) until r and s, or r and n - s, are both below 2^248 (about one in
 * 32,768), at most 4,000,000 tries and 120 seconds; then each half without
 * its leading zero byte.
 */
static int
do_shorten(char **argv)
{
	struct err e;
	xmlDocPtr doc = NULL;
	xmlNodePtr sv, si;
	xmlOutputBufferPtr ob = NULL;
	EVP_PKEY *pk = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	ECDSA_SIG *es = NULL;
	EC_GROUP *g = NULL;
	BIGNUM *ns = NULL;
	const BIGNUM *r, *s;
	const unsigned char *p;
	unsigned char md[32], der[80], raw[62];
	unsigned int mdlen = 0;
	char b64[100], *out = NULL;
	size_t dlen, len;
	time_t t0 = time(NULL);
	FILE *f = NULL;
	long i;
	int rc = 2;

	err_clear(&e);
	if ((f = fopen(argv[0], "r")) == NULL ||
	    (pk = PEM_read_PrivateKey(f, NULL, NULL, NULL)) == NULL) {
		fprintf(stderr, "dsig_tool: %s: no PEM private key\n", argv[0]);
		goto done;
	}
	fclose(f);
	f = NULL;
	if ((doc = xml_read_file(argv[1], &xml_limits_wire, &e)) == NULL) {
		rc = fail(&e);
		goto done;
	}
	if ((sv = signature_value(doc)) == NULL || (si = sv->prev) == NULL) {
		fprintf(stderr, "dsig_tool: %s: no ds:SignatureValue\n",
		    argv[1]);
		goto done;
	}
	while (si != NULL && si->type != XML_ELEMENT_NODE)
		si = si->prev;
	if (si == NULL || (ob = xmlAllocOutputBuffer(NULL)) == NULL ||
	    xmlC14NExecute(doc, in_subtree, si, XML_C14N_EXCLUSIVE_1_0, NULL,
	    0, ob) < 0 ||
	    EVP_Digest(xmlOutputBufferGetContent(ob),
	    xmlOutputBufferGetSize(ob), md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    (g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1)) == NULL ||
	    (ns = BN_new()) == NULL ||
	    (ctx = EVP_PKEY_CTX_new(pk, NULL)) == NULL ||
	    EVP_PKEY_sign_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) != 1) {
		fprintf(stderr, "dsig_tool: cannot set up signing\n");
		goto done;
	}
	for (i = 0; i < 4000000 && time(NULL) - t0 < 120; i++) {
		dlen = sizeof(der);
		if (EVP_PKEY_sign(ctx, der, &dlen, md, 32) != 1)
			goto done;
		p = der;
		ECDSA_SIG_free(es);
		if ((es = d2i_ECDSA_SIG(NULL, &p, (long)dlen)) == NULL)
			goto done;
		ECDSA_SIG_get0(es, &r, &s);
		if (BN_num_bytes(r) > 31)
			continue;
		if (BN_num_bytes(s) > 31) {
			if (!BN_sub(ns, EC_GROUP_get0_order(g), s) ||
			    BN_num_bytes(ns) > 31)
				continue;
			s = ns;
		}
		if (BN_bn2binpad(r, raw, 31) != 31 ||
		    BN_bn2binpad(s, raw + 31, 31) != 31)
			goto done;
		EVP_EncodeBlock((unsigned char *)b64, raw, 62);
		xmlNodeSetContent(sv, (const xmlChar *)b64);
		if (xml_serialize(doc, &out, &len, &e) == -1) {
			rc = fail(&e);
			goto done;
		}
		if ((f = fopen(argv[2], "wb")) == NULL ||
		    fwrite(out, 1, len, f) != len) {
			perror(argv[2]);
			goto done;
		}
		rc = 0;
		goto done;
	}
	fprintf(stderr, "dsig_tool: no short signature in %ld tries\n", i);
done:
	if (f != NULL && fclose(f) != 0)
		rc = 2;
	xmlFree(out);
	if (ob != NULL)
		xmlOutputBufferClose(ob);
	ECDSA_SIG_free(es);
	BN_free(ns);
	EC_GROUP_free(g);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	xmlFreeDoc(doc);
	return rc;
}

int
main(int argc, char **argv)
{
	struct err e;

	xml_init();
	err_clear(&e);
	if (dsig_init(&e) == -1)
		return fail(&e);
	if (argc == 6 && strcmp(argv[1], "sign") == 0)
		return do_sign(argv + 2);
	if (argc == 5 && strcmp(argv[1], "verify") == 0)
		return do_verify(argv + 2);
	if (argc == 4 && strcmp(argv[1], "malleate") == 0)
		return do_malleate(argv + 2);
	if (argc == 5 && strcmp(argv[1], "shorten") == 0)
		return do_shorten(argv + 2);
	fprintf(stderr, "usage: dsig_tool sign KEY CERT IN OUT\n"
	    "       dsig_tool verify SIGNER-CERT CA-CERT|- IN\n"
	    "       dsig_tool malleate IN OUT\n"
	    "       dsig_tool shorten KEY IN OUT\n");
	return 2;
}
