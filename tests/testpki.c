/*
 * testpki.c - the test PKI of the C tests (see testpki.h): certs/mkpki in a
 * temporary directory, each member's ID, fingerprints and signing key, and
 * the operator-signed trust list of the members, loaded with a verifier.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "dsig.h"
#include "err.h"
#include "model.h"
#include "trust.h"
#include "verifier.h"
#include "x509.h"
#include "xml.h"
#include "testpki.h"

#define LIST_MAX	(64 * 1024)

void
testpki_path(const struct testpki *pki, int i, const char *file, char *buf,
    size_t len)
{
	if (i < 0)
		snprintf(buf, len, "%s/pki/%s", pki->dir, file);
	else
		snprintf(buf, len, "%s/members/%s/%s", pki->dir,
		    pki->m[i].code, file);
}

char *
testpki_sign(const struct testpki *pki, xmlDocPtr doc, int signer,
    size_t *len)
{
	char *out = NULL;
	struct err e;

	err_clear(&e);
	if (doc == NULL)
		return NULL;
	if ((signer < 0 || dsig_sign(pki->keys[signer], doc, &e) == 0) &&
	    xml_serialize(doc, &out, len, &e) == 0)
		return out;
	printf("\n  testpki_sign: %s\n", e.msg);
	return NULL;
}

/* Runs mkpki for the members into pki->dir. */
static int
mkpki(struct testpki *pki)
{
	char cmd[2048], list[256] = "";
	const char *certs = getenv("LASTERI_CERTS_DIR");
	size_t i;

	if (certs == NULL)
		certs = LASTERI_SRC_CERTSDIR;
	for (i = 0; i < pki->n; i++) {
		strncat(list, pki->m[i].code, sizeof(list) - strlen(list) - 1);
		strncat(list, " ", sizeof(list) - strlen(list) - 1);
	}
	snprintf(cmd, sizeof(cmd), "'%s/mkpki' '%s' --members '%s' "
	    ">/dev/null", certs, pki->dir, list);
	return system(cmd) == 0 ? 0 : -1;
}

/* The fingerprint of the certificate in path. */
static int
fpr_load(const char *path, unsigned char out[X509_FPR_LEN], struct err *e)
{
	X509 *x;
	int rc;

	if ((x = x509_load_pem(path, e)) == NULL)
		return -1;
	rc = x509_fingerprint(x, out);
	X509_free(x);
	return rc;
}

/* Member i's ID, fingerprints and signing key. */
static int
member_load(struct testpki *pki, int i, struct err *e)
{
	char path[512], crt[512];
	FILE *f;
	int ok;

	testpki_path(pki, i, "member.id", path, sizeof(path));
	if ((f = fopen(path, "r")) == NULL)
		return err_set(e, ERR_IO, "%s: cannot open", path);
	ok = fgets(pki->ids[i], sizeof(pki->ids[i]), f) != NULL;
	fclose(f);
	if (!ok)
		return err_set(e, ERR_IO, "%s: empty", path);
	pki->ids[i][strcspn(pki->ids[i], "\n")] = '\0';
	testpki_path(pki, i, "tls.crt", path, sizeof(path));
	if (fpr_load(path, pki->tls_fpr[i], e) == -1)
		return -1;
	testpki_path(pki, i, "sign.key", path, sizeof(path));
	testpki_path(pki, i, "sign.crt", crt, sizeof(crt));
	if (fpr_load(crt, pki->sign_fpr[i], e) == -1)
		return -1;
	return dsig_key_load(path, crt, &pki->keys[i], e);
}

/* pki/ca.crt in base64 (the TrustList's CACertificates). */
static int
ca_load(struct testpki *pki, struct err *e)
{
	unsigned char *der = NULL;
	char path[512];
	X509 *ca;
	int n;

	testpki_path(pki, -1, "ca.crt", path, sizeof(path));
	if ((ca = x509_load_pem(path, e)) == NULL)
		return -1;
	n = i2d_X509(ca, &der);
	X509_free(ca);
	if (n <= 0 || (pki->ca_b64 = malloc(4 * ((size_t)n / 3 + 1) + 1)) ==
	    NULL) {
		OPENSSL_free(der);
		return err_set(e, ERR_INTERNAL, "%s: cannot encode", path);
	}
	EVP_EncodeBlock((unsigned char *)pki->ca_b64, der, n);
	OPENSSL_free(der);
	return 0;
}

/* The unsigned TrustList text of the members, issued an hour ago, valid
 * for thirty days. */
static size_t
list_text(const struct testpki *pki, char *buf, size_t max)
{
	const struct testpki_member *m;
	char t1[32], t2[32], th[X509_FPR_HEX], sh[X509_FPR_HEX];
	char reg[64], iss[64];
	size_t i, off;

	model_datetime_format(pki->now - 3600, t1);
	model_datetime_format(pki->now + 30 * 86400, t2);
	off = (size_t)snprintf(buf, max,
	    "<TrustList xmlns=\"urn:lasteri:1\" Id=\"tl-1\">"
	    "<Instance>FI</Instance><Sequence>1</Sequence>"
	    "<Issued>%s</Issued><Expires>%s</Expires>"
	    "<CACertificates><Certificate>%s</Certificate></CACertificates>"
	    "<Members>", t1, t2, pki->ca_b64);
	for (i = 0; i < pki->n && off < max; i++) {
		m = &pki->m[i];
		reg[0] = iss[0] = '\0';
		if (m->region != NULL)
			snprintf(reg, sizeof(reg), "<Region>%s</Region>",
			    m->region);
		if (m->issuer != NULL)
			snprintf(iss, sizeof(iss),
			    "<IssuerCode>%s</IssuerCode>", m->issuer);
		x509_fpr_hex(pki->tls_fpr[i], th);
		x509_fpr_hex(pki->sign_fpr[i], sh);
		off += (size_t)snprintf(buf + off, max - off,
		    "<Member><MemberId>%s</MemberId><Name>Member %s</Name>"
		    "<Code>%s</Code>%s<Roles>%s</Roles>"
		    "<Endpoint>https://127.0.0.1:%d</Endpoint>%s"
		    "<TlsCertificate sha256=\"%s\"/>"
		    "<SigningCertificate sha256=\"%s\"/></Member>",
		    pki->ids[i], m->code, m->code, reg, m->roles, m->port, iss,
		    th, sh);
	}
	if (off < max)
		off += (size_t)snprintf(buf + off, max - off,
		    "</Members></TrustList>");
	return off;
}

/* The TrustList signed by the operator, loaded, and its verifier. */
static int
list_make(struct testpki *pki, struct err *e)
{
	char *text = NULL, key[512], crt[512];
	struct dsig_key *op = NULL;
	xmlDocPtr doc = NULL;
	int rc = -1;

	if ((text = malloc(LIST_MAX)) == NULL) {
		err_set(e, ERR_INTERNAL, "out of memory");
		goto done;
	}
	if (list_text(pki, text, LIST_MAX) >= LIST_MAX) {
		err_set(e, ERR_INTERNAL, "trust list: over %d bytes", LIST_MAX);
		goto done;
	}
	testpki_path(pki, -1, "operator.key", key, sizeof(key));
	testpki_path(pki, -1, "operator.crt", crt, sizeof(crt));
	if ((doc = xml_parse(text, strlen(text), "tl", &xml_limits_wire,
	    e)) == NULL || dsig_key_load(key, crt, &op, e) == -1 ||
	    dsig_sign(op, doc, e) == -1 ||
	    xml_serialize(doc, &pki->tl_bytes, &pki->tl_len, e) == -1 ||
	    (pki->operator_crt = x509_load_pem(crt, e)) == NULL ||
	    trust_parse(pki->tl_bytes, pki->tl_len, "tl.xml",
	    pki->operator_crt, NULL, pki->now, &pki->tl, e) == -1 ||
	    (pki->ver = verifier_new(pki->tl, e)) == NULL)
		goto done;
	rc = 0;
done:
	xmlFreeDoc(doc);
	dsig_key_free(op);
	free(text);
	return rc;
}

struct testpki *
testpki_new(const char *name, const struct testpki_member *m, size_t n)
{
	struct testpki *pki;
	struct err e;
	size_t i;

	err_clear(&e);
	if (n > TESTPKI_MAX || (pki = calloc(1, sizeof(*pki))) == NULL) {
		fprintf(stderr, "testpki: %zu members: too many or no "
		    "memory\n", n);
		return NULL;
	}
	pki->n = n;
	memcpy(pki->m, m, n * sizeof(*m));
	xml_init();
	if (dsig_init(&e) == -1)
		goto fail;
	snprintf(pki->dir, sizeof(pki->dir), "%s/lasteri-%s.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", name);
	if (mkdtemp(pki->dir) == NULL) {
		err_set(&e, ERR_IO, "%s: mkdtemp failed", pki->dir);
		pki->dir[0] = '\0';
		goto fail;
	}
	if (mkpki(pki) == -1) {
		err_set(&e, ERR_IO, "%s: mkpki failed", pki->dir);
		goto fail;
	}
	/* After mkpki: its certificates are valid from the second they were
	 * made, which under load can be later than the suite started. */
	pki->now = time(NULL);
	for (i = 0; i < n; i++)
		if (member_load(pki, (int)i, &e) == -1)
			goto fail;
	if (ca_load(pki, &e) == -1 || list_make(pki, &e) == -1)
		goto fail;
	return pki;
fail:
	fprintf(stderr, "testpki: %s\n", e.msg);
	testpki_free(pki);
	return NULL;
}

int
testpki_free(struct testpki *pki)
{
	char cmd[300];
	size_t i;
	int rc = 0;

	if (pki == NULL)
		return 0;
	verifier_free(pki->ver);
	trust_unref(pki->tl);
	xmlFree(pki->tl_bytes);
	X509_free(pki->operator_crt);
	free(pki->ca_b64);
	for (i = 0; i < pki->n; i++)
		dsig_key_free(pki->keys[i]);
	if (pki->dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", pki->dir);
		rc = system(cmd) == 0 ? 0 : -1;
	}
	free(pki);
	return rc;
}
