/*
 * dsig.c - enveloped XML signatures in exactly DESIGN.md's profile (dsig.h):
 * initialisation, keys and signing.  The strict verifier is dsig_verify.c.
 *
 * Signing is our own code for this one profile, because xmlsec's engine
 * cannot reach half the raw ECDSA rate (XMLDSIG.md 7): exclusive C14N of the
 * document streamed into SHA-256 (c14n.c's walk); SignedInfo written from a
 * canonical template, so its canonical bytes are known without a second
 * C14N pass; one EVP_PKEY_CTX per key, reused; ECDSA SignatureValue as raw
 * r||s.  The stock xmlsec1 verifies the result (tests/test_interop.sh).
 * xmlsec is initialised here once (dsig_init), never with the examples'
 * entity substitution globals, and this is the only file that includes it.
 */
#include "config.h"

#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libxml/c14n.h>
#include <libxml/tree.h>
#include <libxml/xmlIO.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/xmlsec.h>

#include "c14n.h"
#include "dsig.h"
#include "dsig_internal.h"
#include "x509.h"
#include "xml.h"

#define KEYFILE_MAX	65536

static const char *const kind_roots[DOC_KIND_COUNT] = {
	"Unit", "ProcurementDefinition", "SupervisionRecord", "Query",
	"Response", "Checkpoint", "TrustList", "NationalAnswer"
};

/* The canonical (exc-c14n) SignedInfo we write, around the method URI and
 * the base64 digest.  build_signature() makes the matching tree. */
#define SI_A "<ds:SignedInfo xmlns:ds=\"" DS_NS "\">" \
	"<ds:CanonicalizationMethod Algorithm=\"" ALG_EXC_C14N "\">" \
	"</ds:CanonicalizationMethod><ds:SignatureMethod Algorithm=\""
#define SI_B "\"></ds:SignatureMethod><ds:Reference URI=\"\"><ds:Transforms>" \
	"<ds:Transform Algorithm=\"" ALG_ENVELOPED "\"></ds:Transform>" \
	"<ds:Transform Algorithm=\"" ALG_EXC_C14N "\"></ds:Transform>" \
	"</ds:Transforms><ds:DigestMethod Algorithm=\"" ALG_SHA256 "\">" \
	"</ds:DigestMethod><ds:DigestValue>"
#define SI_C "</ds:DigestValue></ds:Reference></ds:SignedInfo>"

struct dsig_key {
	EVP_PKEY	*pkey;
	X509		*cert;
	enum sig_alg	 alg;
	char		*cert_b64;
	pthread_mutex_t	 mu;		/* guards ctx */
	EVP_PKEY_CTX	*ctx;		/* initialised for signing, reused */
};

/* --- initialisation -------------------------------------------------------- */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static const char *init_fail;
EVP_MD *dsig_md_sha256;

static void
xmlsec_silent(const char *file, int line, const char *func,
    const char *obj, const char *subj, int reason, const char *msg)
{
	/* The library never prints; we do not call xmlsec on untrusted input. */
}

static void
init_run(void)
{
	xml_init();
	if ((dsig_md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL) {
		init_fail = "SHA-256 is not available";
		return;
	}
	/* Not the examples' xmlSubstituteEntitiesDefault(1) or
	 * xmlLoadExtDtdDefaultValue: the parser options stay ours. */
	if (xmlSecInit() < 0) {
		init_fail = "xmlSecInit failed";
		return;
	}
	if (xmlSecCheckVersion() != 1) {
		init_fail = "xmlsec library version mismatch";
		return;
	}
	if (xmlSecCryptoAppInit(NULL) < 0) {
		init_fail = "xmlSecCryptoAppInit failed";
		return;
	}
	if (xmlSecCryptoInit() < 0) {
		init_fail = "xmlSecCryptoInit failed";
		return;
	}
	xmlSecErrorsSetCallback(xmlsec_silent);
	init_fail = NULL;
}

int
dsig_init(struct err *e)
{
	if (pthread_once(&init_once, init_run) != 0)
		return err_set(e, ERR_INTERNAL, "dsig: pthread_once failed");
	if (init_fail != NULL || dsig_md_sha256 == NULL)
		return err_set(e, ERR_INTERNAL, "dsig: %s",
		    init_fail ? init_fail : "not initialised");
	return 0;
}

const char *
dsig_kind_root(enum doc_kind k)
{
	if ((int)k < 0 || k >= DOC_KIND_COUNT)
		return NULL;
	return kind_roots[k];
}

enum doc_kind
dsig_kind_of(xmlNodePtr root)
{
	int i;

	if (root == NULL || root->type != XML_ELEMENT_NODE ||
	    root->ns == NULL ||
	    strcmp((const char *)root->ns->href, LASTERI_NS_URI) != 0)
		return DOC_ANY;
	for (i = 0; i < DOC_KIND_COUNT; i++)
		if (strcmp((const char *)root->name, kind_roots[i]) == 0)
			return (enum doc_kind)i;
	return DOC_ANY;
}

/* --- small helpers --------------------------------------------------------- */

int
dsig_sha256(const void *buf, size_t len, unsigned char out[32])
{
	unsigned int n = 0;

	if (EVP_Digest(buf, len, out, &n, dsig_md_sha256, NULL) != 1 || n != 32)
		return -1;
	return 0;
}

struct hsink {
	EVP_MD_CTX	*md;
	int		 failed;
};

static int
hsink_write(void *ctx, const char *buf, int len)
{
	struct hsink *h = ctx;

	if (len < 0 || EVP_DigestUpdate(h->md, buf, (size_t)len) != 1) {
		h->failed = 1;
		return -1;
	}
	return len;
}

/* SHA-256 of the exclusive C14N (no comments) of doc, restricted to what
 * vis accepts when it is not NULL.  Without vis, c14n.c's walk (which
 * falls back to libxml2 itself). */
int
dsig_c14n_sha256(xmlDocPtr doc, xmlC14NIsVisibleCallback vis, void *ud,
    unsigned char out[32], struct err *e)
{
	EVP_MD_CTX *md = NULL;
	xmlOutputBufferPtr ob = NULL;
	struct hsink hs;
	unsigned int n = 0;
	int rc = -1;

	if ((md = EVP_MD_CTX_new()) == NULL) {
		err_set(e, ERR_NOMEM, "dsig: cannot start SHA-256");
		goto done;
	}
	if (vis == NULL) {
		rc = c14n_sha256(doc, NULL, NULL, md, dsig_md_sha256, out,
		    NULL, e);
		goto done;
	}
	if (EVP_DigestInit_ex(md, dsig_md_sha256, NULL) != 1) {
		err_set(e, ERR_NOMEM, "dsig: cannot start SHA-256");
		goto done;
	}
	hs.md = md;
	hs.failed = 0;
	if ((ob = xmlOutputBufferCreateIO(hsink_write, NULL, &hs, NULL)) ==
	    NULL) {
		err_set(e, ERR_NOMEM, "dsig: out of memory");
		goto done;
	}
	if (xmlC14NExecute(doc, vis, ud, XML_C14N_EXCLUSIVE_1_0, NULL, 0,
	    ob) < 0) {
		err_set(e, ERR_SIGNATURE, "exclusive C14N failed");
		goto done;
	}
	n = (unsigned)xmlOutputBufferClose(ob);
	ob = NULL;
	if ((int)n < 0 || hs.failed ||
	    EVP_DigestFinal_ex(md, out, &n) != 1 || n != 32) {
		err_set(e, ERR_SIGNATURE, "exclusive C14N failed");
		goto done;
	}
	rc = 0;
done:
	if (ob != NULL)
		xmlOutputBufferClose(ob);
	EVP_MD_CTX_free(md);
	return rc;
}

/* base64 without line breaks; out must hold 4 * ((n + 2) / 3) + 1. */
static void
b64_encode(const unsigned char *in, size_t n, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

const char *
dsig_printable(const xmlChar *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < len; i++)
		buf[i] = s[i] < 0x20 || s[i] == 0x7f ? '?' : (char)s[i];
	buf[i] = '\0';
	return buf;
}

int
dsig_ds_is(xmlNodePtr n, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    strcmp((const char *)n->ns->href, DS_NS) == 0 &&
	    strcmp((const char *)n->name, name) == 0;
}

/* Value of a plain attribute ("" when empty); NULL when it is not one text. */
const xmlChar *
dsig_attr_value(xmlAttrPtr a)
{
	if (a->children == NULL)
		return (const xmlChar *)"";
	if (a->children->type != XML_TEXT_NODE || a->children->next != NULL)
		return NULL;
	return a->children->content;
}

const xmlChar *
dsig_plain_attr(xmlNodePtr n, const char *name)
{
	xmlAttrPtr a;

	for (a = n->properties; a != NULL; a = a->next)
		if (a->ns == NULL && strcmp((const char *)a->name, name) == 0)
			return dsig_attr_value(a);
	return NULL;
}

/* --- the structural check --------------------------------------------------- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Walk every node: no comment, PI or entity reference; count ds:Signature;
 * no two Id attributes with the same value. */
int
dsig_check_tree(xmlDocPtr doc, xmlNodePtr root, int *nsig, xmlNodePtr *first,
    struct err *e)
{
	const xmlChar **ids = NULL, **tmp, *v;
	size_t nids = 0, cap = 0, i;
	char pr[65];
	xmlNodePtr n;
	xmlAttrPtr a;
	int rc = -1;

	*nsig = 0;
	*first = NULL;
	for (n = doc->children; n != NULL; n = n->next) {
		if (n->type == XML_COMMENT_NODE) {
			err_set(e, ERR_SIGNATURE, "comment outside the root "
			    "element is not allowed");
			goto done;
		}
		if (n->type == XML_PI_NODE) {
			err_set(e, ERR_SIGNATURE, "processing instruction "
			    "is not allowed");
			goto done;
		}
		if (n->type == XML_DTD_NODE) {
			err_set(e, ERR_SIGNATURE, "document has a DTD");
			goto done;
		}
	}
	n = root;
	while (n != NULL) {
		switch (n->type) {
		case XML_ELEMENT_NODE:
			if (dsig_ds_is(n, "Signature") && (*nsig)++ == 0)
				*first = n;
			for (a = n->properties; a != NULL; a = a->next) {
				if (a->ns != NULL ||
				    strcmp((const char *)a->name, "Id") != 0)
					continue;
				if ((v = dsig_attr_value(a)) == NULL) {
					err_set(e, ERR_SIGNATURE, "Id attribute "
					    "is not plain text (line %ld)",
					    xmlGetLineNo(n));
					goto done;
				}
				if (nids == cap) {
					cap = cap ? cap * 2 : 16;
					if ((tmp = reallocarray(ids, cap,
					    sizeof(*ids))) == NULL) {
						err_set(e, ERR_NOMEM,
						    "out of memory");
						goto done;
					}
					ids = tmp;
				}
				ids[nids++] = v;
			}
			break;
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			break;
		case XML_COMMENT_NODE:
			err_set(e, ERR_SIGNATURE, "comment in signed content is "
			    "not allowed (line %ld)", xmlGetLineNo(n));
			goto done;
		case XML_PI_NODE:
			err_set(e, ERR_SIGNATURE, "processing instruction in "
			    "signed content is not allowed (line %ld)",
			    xmlGetLineNo(n));
			goto done;
		case XML_ENTITY_REF_NODE:
			err_set(e, ERR_SIGNATURE, "entity reference is not "
			    "allowed (line %ld)", xmlGetLineNo(n));
			goto done;
		default:
			err_set(e, ERR_SIGNATURE, "unexpected node type %d",
			    (int)n->type);
			goto done;
		}
		if (n->type == XML_ELEMENT_NODE && n->children != NULL) {
			n = n->children;
			continue;
		}
		while (n != root && n->next == NULL)
			n = n->parent;
		if (n == root)
			break;
		n = n->next;
	}
	if (nids > 1) {
		qsort(ids, nids, sizeof(*ids), cmp_str);
		for (i = 1; i < nids; i++) {
			if (strcmp((const char *)ids[i - 1],
			    (const char *)ids[i]) == 0) {
				err_set(e, ERR_SIGNATURE, "duplicate Id \"%s\"",
				    dsig_printable(ids[i], pr, sizeof(pr)));
				goto done;
			}
		}
	}
	rc = 0;
done:
	free(ids);
	return rc;
}

/* --- signing ---------------------------------------------------------------- */

#define SSL_CERT_GROUP	"ssl-cert"	/* Debian's group for key readers */

int
dsig_keyfile_mode_ok(const struct stat *st)
{
	struct group gr, *g = NULL;
	char buf[4096];

	if ((st->st_mode & (S_IRWXO | S_IWGRP | S_IXGRP)) != 0)
		return 0;
	if ((st->st_mode & S_IRGRP) == 0)
		return 1;
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return 0;
	return getgrnam_r(SSL_CERT_GROUP, &gr, buf, sizeof(buf), &g) == 0 &&
	    g != NULL && g->gr_gid == st->st_gid;
}

/* Refuse a key file that group or others may read or write (but for the
 * ssl-cert group's read). */
static int
read_keyfile(const char *path, char **buf, size_t *len, struct err *e)
{
	struct stat st;
	ssize_t n;
	int fd, rc = -1;

	*buf = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) == -1) {
		err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		err_set(e, ERR_INPUT, "%s: not a regular file", path);
		goto done;
	}
	if (!dsig_keyfile_mode_ok(&st)) {
		err_set(e, ERR_INPUT, "%s: key file is accessible by group or "
		    "others (mode %04o); chmod 600 it", path,
		    (unsigned)(st.st_mode & 07777));
		goto done;
	}
	if (st.st_size <= 0 || st.st_size > KEYFILE_MAX) {
		err_set(e, ERR_INPUT, "%s: key file size out of range", path);
		goto done;
	}
	if ((*buf = malloc((size_t)st.st_size)) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto done;
	}
	*len = 0;
	while (*len < (size_t)st.st_size) {
		n = read(fd, *buf + *len, (size_t)st.st_size - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err_set(e, ERR_IO, "%s: short read", path);
			goto done;
		}
		*len += (size_t)n;
	}
	rc = 0;
done:
	if (rc == -1 && *buf != NULL) {
		OPENSSL_cleanse(*buf, (size_t)st.st_size);
		free(*buf);
		*buf = NULL;
	}
	close(fd);
	return rc;
}

int
dsig_key_load(const char *keyfile, const char *certfile,
    struct dsig_key **out, struct err *e)
{
	struct dsig_key *k = NULL;
	char *buf = NULL, group[32];
	unsigned char *der = NULL;
	size_t len = 0;
	BIO *bio = NULL;
	int n, rc = -1;

	if (dsig_init(e) == -1)
		goto done;
	if ((k = calloc(1, sizeof(*k))) == NULL ||
	    pthread_mutex_init(&k->mu, NULL) != 0) {
		free(k);
		k = NULL;
		err_set(e, ERR_NOMEM, "out of memory");
		goto done;
	}
	if (read_keyfile(keyfile, &buf, &len, e) == -1)
		goto done;
	if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL ||
	    (k->pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)) ==
	    NULL) {
		err_set(e, ERR_INPUT, "%s: not a PEM private key", keyfile);
		goto done;
	}
	if ((k->cert = x509_load_pem(certfile, e)) == NULL)
		goto done;
	if (X509_check_private_key(k->cert, k->pkey) != 1) {
		err_set(e, ERR_INPUT, "%s does not match the certificate %s",
		    keyfile, certfile);
		goto done;
	}
	if (EVP_PKEY_is_a(k->pkey, "EC")) {
		if (EVP_PKEY_get_utf8_string_param(k->pkey,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL) !=
		    1 || strcmp(group, "prime256v1") != 0) {
			err_set(e, ERR_INPUT, "%s: EC key is not P-256",
			    keyfile);
			goto done;
		}
		k->alg = SIG_ECDSA;
	} else if (EVP_PKEY_is_a(k->pkey, "RSA") &&
	    EVP_PKEY_get_bits(k->pkey) >= 2048 &&
	    EVP_PKEY_get_size(k->pkey) <= SIGVAL_MAX) {
		k->alg = SIG_RSA;
	} else {
		err_set(e, ERR_INPUT, "%s: key is neither ECDSA P-256 nor "
		    "RSA of 2048 bits or more", keyfile);
		goto done;
	}
	if ((n = i2d_X509(k->cert, &der)) <= 0 || n > CERT_MAX ||
	    (k->cert_b64 = malloc(4 * (((size_t)n + 2) / 3) + 1)) == NULL) {
		err_set(e, ERR_INPUT, "%s: cannot encode the certificate",
		    certfile);
		goto done;
	}
	b64_encode(der, (size_t)n, k->cert_b64);
	if ((k->ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL)) ==
	    NULL || EVP_PKEY_sign_init(k->ctx) != 1 ||
	    (k->alg == SIG_RSA &&
	    EVP_PKEY_CTX_set_rsa_padding(k->ctx, RSA_PKCS1_PADDING) != 1) ||
	    EVP_PKEY_CTX_set_signature_md(k->ctx, dsig_md_sha256) != 1) {
		err_set(e, ERR_INTERNAL, "%s: cannot set up signing", keyfile);
		goto done;
	}
	*out = k;
	k = NULL;
	rc = 0;
done:
	ERR_clear_error();
	OPENSSL_free(der);
	BIO_free(bio);
	if (buf != NULL) {
		OPENSSL_cleanse(buf, len);
		free(buf);
	}
	dsig_key_free(k);
	return rc;
}

void
dsig_key_free(struct dsig_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_CTX_free(k->ctx);
	EVP_PKEY_free(k->pkey);		/* clears the private key */
	X509_free(k->cert);
	free(k->cert_b64);
	pthread_mutex_destroy(&k->mu);
	free(k);
}

X509 *
dsig_key_cert(const struct dsig_key *k)
{
	return k != NULL ? k->cert : NULL;
}

/* Sign the SHA-256 of the canonical SignedInfo; ECDSA as raw r||s. */
static int
key_sign(struct dsig_key *k, const unsigned char h[32], unsigned char *out,
    size_t *outlen, struct err *e)
{
	unsigned char buf[SIGVAL_MAX];
	const unsigned char *p = buf;
	size_t n = sizeof(buf);
	ECDSA_SIG *es = NULL;
	const BIGNUM *r, *s;
	int ok;

	pthread_mutex_lock(&k->mu);
	ok = EVP_PKEY_sign(k->ctx, buf, &n, h, 32) == 1;
	pthread_mutex_unlock(&k->mu);
	if (!ok) {
		ERR_clear_error();
		return err_set(e, ERR_INTERNAL, "signing failed");
	}
	if (k->alg == SIG_RSA) {
		memcpy(out, buf, n);
		*outlen = n;
		return 0;
	}
	if ((es = d2i_ECDSA_SIG(NULL, &p, (long)n)) == NULL) {
		ERR_clear_error();
		return err_set(e, ERR_INTERNAL, "bad ECDSA signature");
	}
	ECDSA_SIG_get0(es, &r, &s);
	ok = BN_bn2binpad(r, out, 32) == 32 && BN_bn2binpad(s, out + 32, 32) ==
	    32;
	ECDSA_SIG_free(es);
	if (!ok)
		return err_set(e, ERR_INTERNAL, "bad ECDSA signature");
	*outlen = 64;
	return 0;
}

static xmlNodePtr
ds_add(xmlNodePtr parent, xmlNsPtr ns, const char *name, const char *alg,
    const char *text)
{
	xmlNodePtr n;

	if (parent == NULL)
		return NULL;
	if (text != NULL)
		n = xmlNewTextChild(parent, ns, BAD_CAST name, BAD_CAST text);
	else
		n = xmlNewChild(parent, ns, BAD_CAST name, NULL);
	if (n != NULL && alg != NULL &&
	    xmlNewProp(n, BAD_CAST "Algorithm", BAD_CAST alg) == NULL)
		return NULL;
	return n;
}

/* The tree whose SignedInfo canonicalises to SI_A alg SI_B digest SI_C. */
static xmlNodePtr
build_signature(xmlDocPtr doc, const struct dsig_key *k, const char *dg64,
    const char *sv64)
{
	xmlNodePtr sig, si, ref, tr, ki, xd;
	xmlNsPtr ns;

	if ((sig = xmlNewDocNode(doc, NULL, BAD_CAST "Signature", NULL)) ==
	    NULL)
		return NULL;
	if ((ns = xmlNewNs(sig, BAD_CAST DS_NS, BAD_CAST "ds")) == NULL)
		goto fail;
	xmlSetNs(sig, ns);
	si = ds_add(sig, ns, "SignedInfo", NULL, NULL);
	if (ds_add(si, ns, "CanonicalizationMethod", ALG_EXC_C14N, NULL) ==
	    NULL ||
	    ds_add(si, ns, "SignatureMethod",
	    k->alg == SIG_ECDSA ? ALG_ECDSA : ALG_RSA, NULL) == NULL)
		goto fail;
	if ((ref = ds_add(si, ns, "Reference", NULL, NULL)) == NULL ||
	    xmlNewProp(ref, BAD_CAST "URI", BAD_CAST "") == NULL)
		goto fail;
	tr = ds_add(ref, ns, "Transforms", NULL, NULL);
	if (ds_add(tr, ns, "Transform", ALG_ENVELOPED, NULL) == NULL ||
	    ds_add(tr, ns, "Transform", ALG_EXC_C14N, NULL) == NULL ||
	    ds_add(ref, ns, "DigestMethod", ALG_SHA256, NULL) == NULL ||
	    ds_add(ref, ns, "DigestValue", NULL, dg64) == NULL ||
	    ds_add(sig, ns, "SignatureValue", NULL, sv64) == NULL)
		goto fail;
	ki = ds_add(sig, ns, "KeyInfo", NULL, NULL);
	xd = ds_add(ki, ns, "X509Data", NULL, NULL);
	if (ds_add(xd, ns, "X509Certificate", NULL, k->cert_b64) == NULL)
		goto fail;
	return sig;
fail:
	xmlFreeNode(sig);
	return NULL;
}

void
dsig_unsign(xmlNodePtr root)
{
	xmlNodePtr c, next;

	for (c = root->children; c != NULL; c = next) {
		next = c->next;
		if (c->type == XML_ELEMENT_NODE && c->ns != NULL &&
		    strcmp((const char *)c->ns->href, DS_NS) == 0) {
			xmlUnlinkNode(c);
			xmlFreeNode(c);
		}
	}
	xmlUnsetProp(root, (const xmlChar *)"signedAt");
}

/* What dsig_sign() checks before it signs, then signedAt (now) on the
 * root; *rootp is the root. */
static int
sign_prepare(struct dsig_key *k, xmlDocPtr doc, xmlNodePtr *rootp,
    struct err *e)
{
	xmlNodePtr root, first;
	struct tm tm;
	char ts[32];
	time_t now;
	int nsig;

	if (dsig_init(e) == -1)
		return -1;
	if (k == NULL || doc == NULL)
		return err_set(e, ERR_USAGE, "dsig_sign: no key or document");
	if (doc->intSubset != NULL || doc->extSubset != NULL)
		return err_set(e, ERR_INPUT, "cannot sign: document has a DTD");
	if ((root = xmlDocGetRootElement(doc)) == NULL ||
	    dsig_kind_of(root) == DOC_ANY)
		return err_set(e, ERR_INPUT, "cannot sign: the root is not a "
		    "Lasteri document");
	if (dsig_plain_attr(root, "Id") == NULL || *dsig_plain_attr(root, "Id") == 0)
		return err_set(e, ERR_INPUT, "cannot sign: root %s has no Id",
		    root->name);
	/* What the verifier would refuse is not signed either. */
	if (dsig_check_tree(doc, root, &nsig, &first, e) == -1) {
		err_prefix(e, "cannot sign");
		if (e != NULL)
			e->code = ERR_INPUT;
		return -1;
	}
	if (nsig != 0)
		return err_set(e, ERR_INPUT, "cannot sign: document already has "
		    "a ds:Signature");
	now = time(NULL);
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0 ||
	    xmlSetProp(root, BAD_CAST "signedAt", BAD_CAST ts) == NULL)
		return err_set(e, ERR_NOMEM, "cannot set signedAt");
	*rootp = root;
	return 0;
}

/* Given dg, the digest of the document as it is (no Signature yet): signs
 * the SignedInfo over it and appends the Signature to root; *sigp (may be
 * NULL) is the Signature. */
static int
sign_finish(struct dsig_key *k, xmlNodePtr root, EVP_MD_CTX *md,
    const unsigned char dg[32], xmlNodePtr *sigp, struct err *e)
{
	unsigned char sh[32], raw[SIGVAL_MAX];
	char dg64[48], sv64[4 * (SIGVAL_MAX / 3 + 1) + 1];
	const char *alg;
	xmlNodePtr sig;
	size_t rawlen;

	b64_encode(dg, 32, dg64);
	alg = k->alg == SIG_ECDSA ? ALG_ECDSA : ALG_RSA;
	if (EVP_DigestInit_ex(md, dsig_md_sha256, NULL) != 1 ||
	    EVP_DigestUpdate(md, SI_A, sizeof(SI_A) - 1) != 1 ||
	    EVP_DigestUpdate(md, alg, strlen(alg)) != 1 ||
	    EVP_DigestUpdate(md, SI_B, sizeof(SI_B) - 1) != 1 ||
	    EVP_DigestUpdate(md, dg64, strlen(dg64)) != 1 ||
	    EVP_DigestUpdate(md, SI_C, sizeof(SI_C) - 1) != 1 ||
	    EVP_DigestFinal_ex(md, sh, NULL) != 1)
		return err_set(e, ERR_INTERNAL, "SHA-256 failed");
	if (key_sign(k, sh, raw, &rawlen, e) == -1)
		return -1;
	b64_encode(raw, rawlen, sv64);
	if ((sig = build_signature(root->doc, k, dg64, sv64)) == NULL)
		return err_set(e, ERR_NOMEM, "cannot build the Signature");
	xmlAddChild(root, sig);
	if (sigp != NULL)
		*sigp = sig;
	return 0;
}

int
dsig_sign(struct dsig_key *k, xmlDocPtr doc, struct err *e)
{
	xmlNodePtr root;
	unsigned char dg[32];
	EVP_MD_CTX *md = NULL;
	int rc = -1;

	if (sign_prepare(k, doc, &root, e) == -1)
		goto done;
	if ((md = EVP_MD_CTX_new()) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto done;
	}
	/* one digest context for both: the document, then SignedInfo */
	if (c14n_sha256(doc, NULL, NULL, md, dsig_md_sha256, dg, NULL, e) ==
	    -1)
		goto done;
	rc = sign_finish(k, root, md, dg, NULL, e);
done:
	EVP_MD_CTX_free(md);
	return rc;
}

/*
 * Signing and serialising in one pass.  The bytes sent are the document's
 * canonical form: c14n.c's walk writes it once, into SHA-256 for the
 * DigestValue and into a buffer at the same time, and the Signature's
 * canonical form goes in before the root's end tag.  Canonical XML parses
 * back to a tree whose canonical form is those very bytes, so the verifier
 * digests what was signed; the output is exactly the canonical form of the
 * signed document (test_dsig checks both).  Whatever the walk declines
 * goes the ordinary way, dsig_sign() then xml_serialize().
 */
struct obuf {
	unsigned char	*p;
	size_t		 len, cap, max;
	EVP_MD_CTX	*md;		/* NULL: not hashed */
};

static int
obuf_sink(void *arg, const unsigned char *p, size_t n)
{
	struct obuf *b = arg;
	unsigned char *np;
	size_t cap;

	if (b->md != NULL && EVP_DigestUpdate(b->md, p, n) != 1)
		return -1;
	if (n > b->max - b->len)
		return -1;
	if (b->len + n > b->cap) {
		cap = b->cap != 0 ? b->cap : 8192;
		while (cap < b->len + n)
			cap *= 2;
		if (cap > b->max)
			cap = b->max;
		if ((np = realloc(b->p, cap)) == NULL)
			return -1;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

int
dsig_sign_serialize(struct dsig_key *k, xmlDocPtr doc, size_t max,
    char **out, size_t *len, struct err *e)
{
	struct obuf b = { NULL, 0, 0, 0, NULL }, sb = { NULL, 0, 0, 0, NULL };
	EVP_MD_CTX *md = NULL;
	xmlNodePtr root, sig;
	unsigned char dg[32];
	unsigned int n = 0;
	char end[160];
	int rc = -1, r, endlen;

	*out = NULL;
	*len = 0;
	if (sign_prepare(k, doc, &root, e) == -1)
		return -1;
	if ((md = EVP_MD_CTX_new()) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto done;
	}
	b.md = md;
	b.max = sb.max = max;
	if (EVP_DigestInit_ex(md, dsig_md_sha256, NULL) != 1) {
		err_set(e, ERR_INTERNAL, "SHA-256 failed");
		goto done;
	}
	/* The root's end tag, which the walk wrote last. */
	endlen = snprintf(end, sizeof(end), "</%s%s%s>", root->ns != NULL &&
	    root->ns->prefix != NULL ? (const char *)root->ns->prefix : "",
	    root->ns != NULL && root->ns->prefix != NULL ? ":" : "",
	    (const char *)root->name);
	if (endlen < 0 || (size_t)endlen >= sizeof(end))
		goto slow;
	if ((r = c14n_fast(doc, NULL, NULL, obuf_sink, &b)) == -1) {
		err_set(e, ERR_INTERNAL, "cannot write the document (larger "
		    "than %zu bytes, or out of memory)", max);
		goto done;
	}
	if (r == C14N_DECLINED || b.len < (size_t)endlen ||
	    memcmp(b.p + b.len - endlen, end, (size_t)endlen) != 0)
		goto slow;
	if (EVP_DigestFinal_ex(md, dg, &n) != 1 || n != 32) {
		err_set(e, ERR_INTERNAL, "SHA-256 failed");
		goto done;
	}
	b.md = NULL;	/* what follows is not hashed */
	if (sign_finish(k, root, md, dg, &sig, e) == -1)
		goto done;
	/* The Signature as an apex is what it is in place: exclusive C14N
	 * declares ds on it either way, and nothing above renders ds. */
	if ((r = c14n_fast(doc, sig, NULL, obuf_sink, &sb)) == -1) {
		err_set(e, ERR_INTERNAL, "cannot write the document (larger "
		    "than %zu bytes, or out of memory)", max);
		goto done;
	}
	if (r == C14N_DECLINED)
		goto serialize;
	b.len -= (size_t)endlen;
	if (obuf_sink(&b, sb.p, sb.len) == -1 ||
	    obuf_sink(&b, (const unsigned char *)end, (size_t)endlen) == -1) {
		err_set(e, ERR_INTERNAL, "cannot write the document (larger "
		    "than %zu bytes, or out of memory)", max);
		goto done;
	}
	*out = (char *)b.p;
	*len = b.len;
	b.p = NULL;
	rc = 0;
	goto done;
slow:
	/* signedAt stays as set: dsig_sign() sets it again */
	if (dsig_sign(k, doc, e) == -1)
		goto done;
serialize:
	if ((rc = xml_serialize(doc, out, len, e)) == 0 && *len > max) {
		free(*out);
		*out = NULL;
		*len = 0;
		rc = err_set(e, ERR_INTERNAL, "cannot write the document "
		    "(larger than %zu bytes)", max);
	}
done:
	EVP_MD_CTX_free(md);
	free(b.p);
	free(sb.p);
	return rc;
}
