/*
 * dsig_verify.c - the strict verifier of DESIGN.md's signature profile
 * (dsig.h).  It knows no trust list: the signer's key comes from the
 * caller (dsig_verify_with(): verifier.c, or the pin of dsig_verify_pinned()).
 *
 * A structural check accepts only the profile: one Signature, the root's
 * last child; one Reference URI=""; the fixed transforms and algorithms;
 * KeyInfo with one X509Certificate and nothing else (never KeyValue or
 * RetrievalMethod); no DTD, comment, PI or duplicate Id anywhere.  Then the
 * exclusive C14N of the document without the Signature is checked against
 * DigestValue, and the exclusive C14N of the very SignedInfo node whose
 * DigestValue was read against SignatureValue.  The key comes only from the
 * X509Certificate, after the caller's policy (verifier.c: the trust list's
 * CAs, never the OS store; not a CA; digitalSignature; validity; listed for a
 * member whose roles allow the kind) or the pin.  This is our own code
 * rather than xmlsec for speed (XMLDSIG.md 7), with both canonical forms
 * from c14n.c streamed into SHA-256; the interop test checks it against the
 * stock xmlsec1 both ways.
 */
#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/tree.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "c14n.h"
#include "dsig.h"
#include "dsig_internal.h"
#include "x509.h"

/* What the structural check found; the pointers are into the document. */
struct sigview {
	xmlNodePtr	 root, sig, si;
	enum doc_kind	 kind;
	const xmlChar	*id;
	enum sig_alg	 alg;
	unsigned char	 digest[32];
	unsigned char	 sv[SIGVAL_MAX];
	size_t		 sv_len;
	unsigned char	*der;		/* malloc'd */
	size_t		 der_len;
	unsigned char	 fpr[32];	/* SHA-256 of der */
	time_t		 signed_at;
};

/*
 * What each thread keeps between verifies, freed when the thread ends:
 *  - the verify contexts it made last, one per key, VCTX_SLOTS of them
 *    (verify_ctx()): a national query's asker checks the answers of 22
 *    signers in turn, so one kept context was never the one needed;
 *  - the X509Certificate text it decoded last, with the DER and the DER's
 *    SHA-256: documents of one signer carry the same certificate, and
 *    decoding and hashing it again cost about 1.5 % of a verify.  Only the
 *    very same text, byte for byte, is a hit, so the DER and fingerprint
 *    are the ones decoding it would give.
 */
#define VCTX_SLOTS	32

struct tstate {
	EVP_PKEY_CTX	*vctx[VCTX_SLOTS];
	int		 vnext;		/* the slot to reuse next */
	xmlChar		*cert_text;	/* malloc'd */
	unsigned char	 der[CERT_MAX];
	size_t		 der_len;
	unsigned char	 fpr[32];
};

static pthread_once_t tstate_once = PTHREAD_ONCE_INIT;
static pthread_key_t tstate_key;
static int tstate_usable;
static __thread struct tstate *tstate;

static void
tstate_free(void *p)
{
	struct tstate *t = p;
	int i;

	if (t == NULL)
		return;
	for (i = 0; i < VCTX_SLOTS; i++)
		EVP_PKEY_CTX_free(t->vctx[i]);
	free(t->cert_text);
	free(t);
}

static void
tstate_init(void)
{
	tstate_usable = pthread_key_create(&tstate_key, tstate_free) == 0;
}

/* This thread's state, or NULL (then nothing is kept). */
static struct tstate *
tstate_get(void)
{
	struct tstate *t;

	if (tstate != NULL)
		return tstate;
	if (pthread_once(&tstate_once, tstate_init) != 0 || !tstate_usable ||
	    (t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if (pthread_setspecific(tstate_key, t) != 0) {
		free(t);
		return NULL;
	}
	tstate = t;
	return t;
}

/* --- small helpers --------------------------------------------------------- */

struct b64 {
	unsigned char	*out;
	size_t		 len, max;
	unsigned long	 acc;
	int		 n, pad, done, bad;
};

/* base64 digit values; B64_WS for XML whitespace, B64_PAD for '=' and
 * B64_BAD for every other byte. */
#define B64_BAD	(-1)
#define B64_WS	(-2)
#define B64_PAD	(-3)
static const signed char b64_tab[256] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -2, -2, -1, -1, -2, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-2, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1, -1, 63,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -3, -1, -1,
	-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, -1,
	-1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

/* Strict base64; XML whitespace (xmlsec wraps lines) is skipped. */
static void
b64_feed(struct b64 *b, const xmlChar *s)
{
	int c, v, i, c1, c2, c3;

	for (; *s != '\0' && !b->bad; s++) {
		/* Four digits at a time while no quantum is pending (the X.509
		 * certificate is most of the text): the same bytes as the
		 * digit-by-digit rules below, which take everything else. */
		while (b->n == 0 && !b->done && b->len + 3 <= b->max &&
		    (c = b64_tab[s[0]]) >= 0 && (c1 = b64_tab[s[1]]) >= 0 &&
		    (c2 = b64_tab[s[2]]) >= 0 && (c3 = b64_tab[s[3]]) >= 0) {
			v = c << 18 | c1 << 12 | c2 << 6 | c3;
			b->out[b->len++] = (unsigned char)(v >> 16);
			b->out[b->len++] = (unsigned char)(v >> 8);
			b->out[b->len++] = (unsigned char)v;
			s += 4;
		}
		if (*s == '\0')
			break;
		c = b64_tab[*s];
		if (c == B64_WS)
			continue;
		if (b->done) {
			b->bad = 1;
			break;
		}
		if (c == B64_PAD) {
			if (b->n < 2) {
				b->bad = 1;
				break;
			}
			b->pad++;
			v = 0;
		} else {
			if (b->pad || (v = c) < 0) {
				b->bad = 1;
				break;
			}
		}
		b->acc = (b->acc << 6) | (unsigned long)v;
		if (++b->n < 4)
			continue;
		if (b->len + 3 - (size_t)b->pad > b->max) {
			b->bad = 1;
			break;
		}
		for (i = 0; i < 3 - b->pad; i++)
			b->out[b->len++] = (unsigned char)(b->acc >> (16 - 8 * i));
		b->done = b->pad > 0;
		b->n = 0;
		b->acc = 0;
	}
}

static int
is_blank(const xmlChar *s)
{
	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return 0;
	return 1;
}

/* Decode the base64 text of element n into out (at most max bytes). */
static int
ds_b64(xmlNodePtr n, unsigned char *out, size_t max, size_t *len,
    struct err *e)
{
	struct b64 b;
	xmlNodePtr c;

	memset(&b, 0, sizeof(b));
	b.out = out;
	b.max = max;
	for (c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_TEXT_NODE)
			return err_set(e, ERR_SIGNATURE,
			    "ds:%s holds something other than text", n->name);
		b64_feed(&b, c->content);
	}
	if (b.bad || b.n != 0 || b.len == 0)
		return err_set(e, ERR_SIGNATURE,
		    "ds:%s is not valid base64 (line %ld)", n->name,
		    xmlGetLineNo(n));
	*len = b.len;
	return 0;
}

/* --- the structural check --------------------------------------------------- */

/* Next element from n on; only whitespace text may come between. */
static int
ds_next(xmlNodePtr n, const char *where, xmlNodePtr *out, struct err *e)
{
	for (; n != NULL; n = n->next) {
		if (n->type == XML_ELEMENT_NODE)
			break;
		if (n->type == XML_TEXT_NODE && is_blank(n->content))
			continue;
		return err_set(e, ERR_SIGNATURE, "unexpected content in ds:%s "
		    "(line %ld)", where, xmlGetLineNo(n));
	}
	*out = n;
	return 0;
}

static int
ds_expect(xmlNodePtr from, const char *parent, const char *name,
    xmlNodePtr *out, struct err *e)
{
	xmlNodePtr n;

	if (ds_next(from, parent, &n, e) == -1)
		return -1;
	if (n == NULL)
		return err_set(e, ERR_SIGNATURE, "ds:%s is missing in ds:%s",
		    name, parent);
	if (!dsig_ds_is(n, name))
		return err_set(e, ERR_SIGNATURE, "%s is not allowed in ds:%s "
		    "(ds:%s expected, line %ld)", n->name, parent, name,
		    xmlGetLineNo(n));
	*out = n;
	return 0;
}

/* Nothing but whitespace after n in its parent. */
static int
ds_end(xmlNodePtr n, const char *parent, struct err *e)
{
	xmlNodePtr x;

	if (ds_next(n, parent, &x, e) == -1)
		return -1;
	if (x == NULL)
		return 0;
	if (dsig_ds_is(x, "Object") || dsig_ds_is(x, "Manifest"))
		return err_set(e, ERR_SIGNATURE, "%s is not allowed", x->name);
	if (dsig_ds_is(x, "Reference"))
		return err_set(e, ERR_SIGNATURE, "more than one Reference");
	if (dsig_ds_is(x, "Transform"))
		return err_set(e, ERR_SIGNATURE, "transforms must be exactly "
		    "enveloped-signature and exc-c14n");
	return err_set(e, ERR_SIGNATURE, "%s is not allowed in ds:%s "
	    "(line %ld)", x->name, parent, xmlGetLineNo(x));
}

/* An xxxMethod/Transform: only an Algorithm attribute and no content. */
static const char *
ds_algorithm(xmlNodePtr n, struct err *e)
{
	const xmlChar *alg = NULL;
	xmlAttrPtr a;
	xmlNodePtr c;

	for (a = n->properties; a != NULL; a = a->next) {
		if (a->ns != NULL || strcmp((const char *)a->name,
		    "Algorithm") != 0) {
			err_set(e, ERR_SIGNATURE, "attribute %s is not allowed "
			    "on ds:%s", a->name, n->name);
			return NULL;
		}
		alg = dsig_attr_value(a);
	}
	if (alg == NULL) {
		err_set(e, ERR_SIGNATURE, "ds:%s has no Algorithm", n->name);
		return NULL;
	}
	if (ds_next(n->children, (const char *)n->name, &c, e) == -1)
		return NULL;
	if (c != NULL) {
		err_set(e, ERR_SIGNATURE, "ds:%s may not hold %s (line %ld)",
		    n->name, c->name, xmlGetLineNo(c));
		return NULL;
	}
	return (const char *)alg;
}

static int
check_reference(xmlNodePtr ref, struct sigview *sv, struct err *e)
{
	xmlNodePtr tr, t1, t2, dm, dv;
	const char *alg;
	const xmlChar *uri = NULL;
	xmlAttrPtr a;
	size_t n;
	char pr[81];

	for (a = ref->properties; a != NULL; a = a->next) {
		if (a->ns == NULL && strcmp((const char *)a->name, "URI") == 0)
			uri = dsig_attr_value(a);
		else if (a->ns != NULL ||
		    strcmp((const char *)a->name, "Id") != 0)
			return err_set(e, ERR_SIGNATURE, "attribute %s is not "
			    "allowed on ds:Reference", a->name);
	}
	if (uri == NULL)
		return err_set(e, ERR_SIGNATURE, "Reference has no URI "
		    "(it must be URI=\"\", the whole document)");
	if (*uri != '\0')
		return err_set(e, ERR_SIGNATURE, "Reference URI must be empty "
		    "(the whole document), not \"%s\"",
		    dsig_printable(uri, pr, 65));
	if (ds_expect(ref->children, "Reference", "Transforms", &tr, e) == -1 ||
	    ds_expect(tr->children, "Transforms", "Transform", &t1, e) == -1)
		return -1;
	if ((alg = ds_algorithm(t1, e)) == NULL)
		return -1;
	if (strcmp(alg, ALG_ENVELOPED) != 0)
		return err_set(e, ERR_SIGNATURE, "transforms must be exactly "
		    "enveloped-signature and exc-c14n (found %s first)",
		    dsig_printable((const xmlChar *)alg, pr, sizeof(pr)));
	if (ds_expect(t1->next, "Transforms", "Transform", &t2, e) == -1)
		return err_prefix(e, "transforms must be exactly "
		    "enveloped-signature and exc-c14n");
	if ((alg = ds_algorithm(t2, e)) == NULL)
		return -1;
	if (strcmp(alg, ALG_EXC_C14N) != 0)
		return err_set(e, ERR_SIGNATURE, "transforms must be exactly "
		    "enveloped-signature and exc-c14n (found %s)",
		    dsig_printable((const xmlChar *)alg, pr, sizeof(pr)));
	if (ds_end(t2->next, "Transforms", e) == -1)
		return -1;
	if (ds_expect(tr->next, "Reference", "DigestMethod", &dm, e) == -1)
		return -1;
	if ((alg = ds_algorithm(dm, e)) == NULL)
		return -1;
	if (strcmp(alg, ALG_SHA256) != 0)
		return err_set(e, ERR_SIGNATURE, "digest method %s is not "
		    "allowed (SHA-256 only)",
		    dsig_printable((const xmlChar *)alg, pr, sizeof(pr)));
	if (ds_expect(dm->next, "Reference", "DigestValue", &dv, e) == -1 ||
	    ds_end(dv->next, "Reference", e) == -1)
		return -1;
	if (ds_b64(dv, sv->digest, sizeof(sv->digest), &n, e) == -1)
		return -1;
	if (n != 32)
		return err_set(e, ERR_SIGNATURE, "DigestValue is not a SHA-256 "
		    "value");
	return 0;
}

static int
check_keyinfo(xmlNodePtr ki, struct sigview *sv, struct err *e)
{
	xmlNodePtr n, xd = NULL, c, cert = NULL, txt;
	struct tstate *t;

	for (n = ki->children; ; n = n->next) {
		if (ds_next(n, "KeyInfo", &n, e) == -1)
			return -1;
		if (n == NULL)
			break;
		if (!dsig_ds_is(n, "X509Data")) {
			if (n->ns != NULL && strcmp((const char *)n->ns->href,
			    DS_NS) == 0)
				return err_set(e, ERR_SIGNATURE, "%s is not "
				    "allowed (KeyInfo holds only X509Data)",
				    n->name);
			return err_set(e, ERR_SIGNATURE, "%s is not allowed in "
			    "KeyInfo (only X509Data)", n->name);
		}
		if (xd != NULL)
			return err_set(e, ERR_SIGNATURE, "more than one "
			    "X509Data in KeyInfo");
		xd = n;
	}
	if (xd == NULL)
		return err_set(e, ERR_SIGNATURE, "KeyInfo has no X509Data");
	for (c = xd->children; ; c = c->next) {
		if (ds_next(c, "X509Data", &c, e) == -1)
			return -1;
		if (c == NULL)
			break;
		if (!dsig_ds_is(c, "X509Certificate"))
			return err_set(e, ERR_SIGNATURE, "%s is not allowed in "
			    "X509Data (only one X509Certificate)", c->name);
		if (cert != NULL)
			return err_set(e, ERR_SIGNATURE, "more than one "
			    "X509Certificate (only the signer's is allowed)");
		cert = c;
	}
	if (cert == NULL)
		return err_set(e, ERR_SIGNATURE, "X509Data has no "
		    "X509Certificate");
	if ((sv->der = malloc(CERT_MAX)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	t = tstate_get();
	txt = cert->children;
	if (txt == NULL || txt->type != XML_TEXT_NODE || txt->next != NULL ||
	    txt->content == NULL)
		txt = NULL;	/* not one text: decoded, never kept */
	if (t != NULL && txt != NULL && t->cert_text != NULL &&
	    strcmp((const char *)t->cert_text,
	    (const char *)txt->content) == 0) {
		memcpy(sv->der, t->der, t->der_len);
		sv->der_len = t->der_len;
		memcpy(sv->fpr, t->fpr, 32);
		return 0;
	}
	if (ds_b64(cert, sv->der, CERT_MAX, &sv->der_len, e) == -1)
		return -1;
	if (dsig_sha256(sv->der, sv->der_len, sv->fpr) == -1)
		return err_set(e, ERR_INTERNAL, "cannot hash a certificate");
	if (t != NULL && txt != NULL) {
		free(t->cert_text);
		if ((t->cert_text = (xmlChar *)strdup((const char *)
		    txt->content)) != NULL) {
			memcpy(t->der, sv->der, sv->der_len);
			t->der_len = sv->der_len;
			memcpy(t->fpr, sv->fpr, 32);
		}
	}
	return 0;
}

static int
digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* xs:dateTime with a zone: YYYY-MM-DDThh:mm:ss[.f*](Z|(+|-)hh:mm). */
static int
parse_datetime(const char *s, time_t *out)
{
	struct tm tm;
	int y, mo, d, h, mi, se, oh = 0, om = 0, sign = 0;
	const char *p;

	if (strlen(s) < 20 || digits(s, 4, &y) || s[4] != '-' ||
	    digits(s + 5, 2, &mo) || s[7] != '-' || digits(s + 8, 2, &d) ||
	    s[10] != 'T' || digits(s + 11, 2, &h) || s[13] != ':' ||
	    digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &se))
		return -1;
	p = s + 19;
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		if (digits(p + 1, 2, &oh) || p[3] != ':' ||
		    digits(p + 4, 2, &om) || oh > 14 || om > 59)
			return -1;
		p += 6;
	} else {
		return -1;
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || se > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	*out = timegm(&tm) - sign * (oh * 3600 + om * 60);
	return 0;
}

/* Every rule of the profile that can be checked without keys. */
static int
check_structure(xmlDocPtr doc, enum doc_kind expected, struct sigview *sv,
    struct err *e)
{
	xmlNodePtr root, n, si, cm, sm, ref, svn, ki;
	const xmlChar *at;
	const char *alg;
	char pr[81];
	int nsig;

	if (doc == NULL)
		return err_set(e, ERR_SIGNATURE, "no document");
	/* Before anything else: a DTD can hide entities and IDs. */
	if (doc->intSubset != NULL || doc->extSubset != NULL)
		return err_set(e, ERR_SIGNATURE, "document has a DTD");
	if ((root = xmlDocGetRootElement(doc)) == NULL)
		return err_set(e, ERR_SIGNATURE, "document is empty (no root "
		    "element)");
	sv->root = root;
	if ((sv->kind = dsig_kind_of(root)) == DOC_ANY)
		return err_set(e, ERR_SIGNATURE, "root element %s is not a "
		    "Lasteri document in %s", root->name, LASTERI_NS_URI);
	if (expected != DOC_ANY && sv->kind != expected)
		return err_set(e, ERR_SIGNATURE, "expected a %s, found a %s",
		    dsig_kind_root(expected), root->name);
	if ((sv->id = dsig_plain_attr(root, "Id")) == NULL || *sv->id == '\0')
		return err_set(e, ERR_SIGNATURE, "root %s has no Id",
		    root->name);
	if (strlen((const char *)sv->id) > 64)
		return err_set(e, ERR_SIGNATURE, "root Id is longer than 64 "
		    "characters");
	if (dsig_check_tree(doc, root, &nsig, &sv->sig, e) == -1)
		return -1;
	if (nsig == 0)
		return err_set(e, ERR_SIGNATURE, "document is not signed (no "
		    "ds:Signature)");
	if (nsig > 1)
		return err_set(e, ERR_SIGNATURE, "two signatures (%d "
		    "ds:Signature elements; exactly one is allowed)", nsig);
	if (sv->sig->parent != root)
		return err_set(e, ERR_SIGNATURE, "signature is not the root's "
		    "last child (it is not a child of the root)");
	if (ds_next(sv->sig->next, (const char *)root->name, &n, e) == -1 ||
	    n != NULL)
		return err_set(e, ERR_SIGNATURE, "signature is not the root's "
		    "last child");
	if (ds_expect(sv->sig->children, "Signature", "SignedInfo", &si, e) ==
	    -1 ||
	    ds_expect(si->next, "Signature", "SignatureValue", &svn, e) == -1 ||
	    ds_expect(svn->next, "Signature", "KeyInfo", &ki, e) == -1 ||
	    ds_end(ki->next, "Signature", e) == -1)
		return -1;
	sv->si = si;
	if (ds_expect(si->children, "SignedInfo", "CanonicalizationMethod",
	    &cm, e) == -1)
		return -1;
	if ((alg = ds_algorithm(cm, e)) == NULL)
		return -1;
	if (strcmp(alg, ALG_EXC_C14N) != 0)
		return err_set(e, ERR_SIGNATURE, "canonicalization method "
		    "%s is not allowed (exc-c14n only)",
		    dsig_printable((const xmlChar *)alg, pr, sizeof(pr)));
	if (ds_expect(cm->next, "SignedInfo", "SignatureMethod", &sm, e) == -1)
		return -1;
	if ((alg = ds_algorithm(sm, e)) == NULL)
		return -1;
	if (strcmp(alg, ALG_ECDSA) == 0)
		sv->alg = SIG_ECDSA;
	else if (strcmp(alg, ALG_RSA) == 0)
		sv->alg = SIG_RSA;
	else
		return err_set(e, ERR_SIGNATURE, "signature method %s is not "
		    "allowed (ecdsa-sha256 or rsa-sha256)",
		    dsig_printable((const xmlChar *)alg, pr, sizeof(pr)));
	if (ds_expect(sm->next, "SignedInfo", "Reference", &ref, e) == -1 ||
	    ds_end(ref->next, "SignedInfo", e) == -1 ||
	    check_reference(ref, sv, e) == -1)
		return -1;
	if (ds_b64(svn, sv->sv, sizeof(sv->sv), &sv->sv_len, e) == -1)
		return -1;
	if (check_keyinfo(ki, sv, e) == -1)
		return -1;
	if ((at = dsig_plain_attr(root, "signedAt")) == NULL)
		return err_set(e, ERR_SIGNATURE, "root %s has no signedAt",
		    root->name);
	if (parse_datetime((const char *)at, &sv->signed_at) == -1)
		return err_set(e, ERR_SIGNATURE, "signedAt \"%s\" is not an "
		    "xs:dateTime with a time zone",
		    dsig_printable(at, pr, 41));
	return 0;
}

/* --- the cryptographic check ----------------------------------------------- */

static int
key_matches(EVP_PKEY *pk, enum sig_alg alg, size_t sv_len, struct err *e)
{
	char group[32];

	if (alg == SIG_ECDSA) {
		/* P-256 by name: other 256-bit curves (brainpoolP256r1,
		 * secp256k1) and unnamed explicit parameters are refused. */
		if (!EVP_PKEY_is_a(pk, "EC") ||
		    EVP_PKEY_get_utf8_string_param(pk,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL) !=
		    1 || strcmp(group, "prime256v1") != 0)
			return err_set(e, ERR_SIGNATURE, "signature method "
			    "ecdsa-sha256 does not match the signer's key "
			    "(ECDSA on P-256 only)");
		/* 64 bytes, r||s, each half 32; as xmlsec1 does, a shorter
		 * even length is read as two halves with their leading zero
		 * bytes left out (Apache Santuario writes that when r and s
		 * are both short). */
		if (sv_len > 64 || sv_len % 2 != 0)
			return err_set(e, ERR_SIGNATURE, "ECDSA SignatureValue "
			    "is %zu bytes, not an even length of at most 64 "
			    "(raw r||s)", sv_len);
	} else {
		if (!EVP_PKEY_is_a(pk, "RSA") || EVP_PKEY_get_bits(pk) < 2048)
			return err_set(e, ERR_SIGNATURE, "signature method "
			    "rsa-sha256 does not match the signer's key "
			    "(RSA of 2048 bits or more)");
		if (sv_len != (size_t)EVP_PKEY_get_size(pk))
			return err_set(e, ERR_SIGNATURE, "RSA SignatureValue "
			    "has the wrong length");
	}
	return 0;
}

/* The DER INTEGER of the n (1..32) unsigned big-endian bytes at p, as
 * i2d_ECDSA_SIG() writes it for BN_bin2bn(p, n): leading zero bytes left
 * out, zero as one zero byte, a zero byte ahead of a high bit.  out holds
 * 35 bytes; returns the length written. */
static size_t
der_uint(const unsigned char *p, size_t n, unsigned char *out)
{
	size_t pad;

	while (n > 1 && *p == 0) {
		p++;
		n--;
	}
	pad = (*p & 0x80) != 0;
	out[0] = 0x02;
	out[1] = (unsigned char)(n + pad);
	out[2] = 0;
	memcpy(out + 2 + pad, p, n);
	return 2 + pad + n;
}

/*
 * A context initialised to verify with pk: each thread keeps the last ones it
 * made (one per key, VCTX_SLOTS keys, the oldest made replaced first),
 * because setting one up (OpenSSL fetches the key management and the
 * signature method, and copies the key's reference in) cost as much as a
 * sixtieth of a verify.  A kept context holds a reference on its key, so
 * a key at the same address is that very key, never a freed one's
 * successor.  A verify leaves the context as it was (ECDSA and PKCS #1 keep
 * no state between calls).  *owned is set when the caller frees the
 * context (no thread state); the kept ones are freed with their thread's.
 */
static EVP_PKEY_CTX *
verify_ctx(EVP_PKEY *pk, enum sig_alg alg, int *owned)
{
	struct tstate *t = tstate_get();
	EVP_PKEY_CTX *ctx;
	int i;

	*owned = 0;
	for (i = 0; t != NULL && i < VCTX_SLOTS; i++)
		if (t->vctx[i] != NULL &&
		    EVP_PKEY_CTX_get0_pkey(t->vctx[i]) == pk)
			return t->vctx[i];
	/* The digest matters to PKCS #1 (its DigestInfo); OpenSSL 3.0's
	 * ECDSA only compares its size with the 32 bytes of the hash, so it
	 * is left unset there. */
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL)) == NULL ||
	    EVP_PKEY_verify_init(ctx) != 1 ||
	    (alg == SIG_RSA &&
	    (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(ctx, dsig_md_sha256) != 1))) {
		EVP_PKEY_CTX_free(ctx);
		return NULL;
	}
	if (t == NULL) {
		*owned = 1;
		return ctx;
	}
	EVP_PKEY_CTX_free(t->vctx[t->vnext]);
	t->vctx[t->vnext] = ctx;
	t->vnext = (t->vnext + 1) % VCTX_SLOTS;
	return ctx;
}

/*
 * DigestValue against the document without its Signature, then
 * SignatureValue against the SignedInfo node that was checked.  Both
 * canonical forms come from c14n.c, streamed into SHA-256: the document's
 * with the Signature left out (the enveloped-signature transform; the tree
 * is not changed), SignedInfo's as an apex element.  Exclusive C14N (no
 * InclusiveNamespaces) of an apex depends on the subtree alone: what each
 * node's namespace pointer says, never the declarations or xml: attributes
 * of the ancestors (xmlC14NExecute in libxml2 2.9.14: with every ancestor
 * invisible nothing of theirs reaches the rendered-namespace stack, and an
 * element without a namespace still searches its real parents).  test_dsig
 * checks the bytes against libxml2's with a visibility callback.
 */
static int
check_crypto(xmlDocPtr doc, struct sigview *sv, EVP_PKEY *pk, struct err *e)
{
	unsigned char dg[32], der[80];
	EVP_MD_CTX *md = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	const unsigned char *sig = sv->sv;
	size_t siglen = sv->sv_len, half;
	int rc = -1, owned = 0;

	if (key_matches(pk, sv->alg, sv->sv_len, e) == -1)
		goto done;
	if ((md = EVP_MD_CTX_new()) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto done;
	}
	if (c14n_sha256(doc, NULL, sv->sig, md, dsig_md_sha256, dg, NULL,
	    e) == -1)
		goto done;
	if (CRYPTO_memcmp(dg, sv->digest, 32) != 0) {
		err_set(e, ERR_SIGNATURE, "digest mismatch (the signed content "
		    "was changed)");
		goto done;
	}
	if (c14n_sha256(doc, sv->si, NULL, md, dsig_md_sha256, dg, NULL,
	    e) == -1)
		goto done;
	if (sv->alg == SIG_ECDSA) {
		/* key_matches() allowed 2..64 bytes: halves of 1..32 */
		half = sv->sv_len / 2;
		der[0] = 0x30;
		siglen = 2;
		siglen += der_uint(sv->sv, half, der + siglen);
		siglen += der_uint(sv->sv + half, half, der + siglen);
		der[1] = (unsigned char)(siglen - 2);
		sig = der;
	}
	if ((ctx = verify_ctx(pk, sv->alg, &owned)) == NULL) {
		err_set(e, ERR_INTERNAL, "cannot set up signature check");
		goto done;
	}
	if (EVP_PKEY_verify(ctx, sig, siglen, dg, 32) != 1) {
		err_set(e, ERR_SIGNATURE, "signature value does not verify "
		    "(SignedInfo was changed or another key signed it)");
		goto done;
	}
	rc = 0;
done:
	ERR_clear_error();
	if (owned)
		EVP_PKEY_CTX_free(ctx);
	EVP_MD_CTX_free(md);
	return rc;
}

static void
fill_info(const struct sigview *sv, const unsigned char fpr[32],
    struct dsig_info *out)
{
	if (out == NULL)
		return;
	memset(out, 0, sizeof(*out));
	out->kind = sv->kind;
	snprintf(out->doc_id, sizeof(out->doc_id), "%s",
	    (const char *)sv->id);
	out->signed_at = sv->signed_at;
	memcpy(out->signer_fpr, fpr, 32);
	memcpy(out->content_digest, sv->digest, 32);
}

int
dsig_verify_with(xmlDocPtr doc, enum doc_kind expected, dsig_key_fn *key_fn,
    void *arg, struct dsig_info *out, struct err *e)
{
	struct dsig_signer signer;
	struct sigview sv;
	EVP_PKEY *pk = NULL;
	int rc = -1;

	memset(&sv, 0, sizeof(sv));
	memset(&signer, 0, sizeof(signer));
	if (dsig_init(e) == -1)
		goto done;
	if (key_fn == NULL) {
		err_set(e, ERR_USAGE, "dsig: no key source");
		goto done;
	}
	if (check_structure(doc, expected, &sv, e) == -1)
		goto done;
	memcpy(signer.fpr, sv.fpr, 32);
	signer.kind = sv.kind;
	signer.doc_id = (const char *)sv.id;
	signer.signed_at = sv.signed_at;
	signer.der = sv.der;
	signer.der_len = sv.der_len;
	if ((pk = key_fn(arg, &signer, e)) == NULL)
		goto done;
	if (check_crypto(doc, &sv, pk, e) == -1)
		goto done;
	fill_info(&sv, signer.fpr, out);
	rc = 0;
done:
	EVP_PKEY_free(pk);
	free(sv.der);
	return rc;
}

struct pin {
	X509		*cert;
	STACK_OF(X509)	*cas;
	time_t		 now;
};

/* The pinned certificate's key when the document carries exactly it. */
static EVP_PKEY *
pinned_key(void *arg, const struct dsig_signer *s, struct err *e)
{
	struct pin *p = arg;
	unsigned char pfpr[32];
	EVP_PKEY *pk;

	if (x509_fingerprint(p->cert, pfpr) == -1) {
		err_set(e, ERR_INTERNAL, "cannot hash a certificate");
		return NULL;
	}
	if (CRYPTO_memcmp(s->fpr, pfpr, 32) != 0) {
		err_set(e, ERR_TRUST, "signer is not the pinned certificate");
		return NULL;
	}
	if (x509_check_signer(p->cert, p->cas, p->now, e) == -1)
		return NULL;
	if ((pk = X509_get_pubkey(p->cert)) == NULL)
		err_set(e, ERR_SIGNATURE, "cannot read the signer's key");
	ERR_clear_error();
	return pk;
}

int
dsig_verify_pinned(xmlDocPtr doc, X509 *pinned, STACK_OF(X509) *cas,
    enum doc_kind expected, time_t now, struct dsig_info *out,
    struct err *e)
{
	struct pin p;

	if (pinned == NULL)
		return err_set(e, ERR_USAGE, "dsig: no pinned certificate");
	p.cert = pinned;
	p.cas = cas;
	p.now = now;
	return dsig_verify_with(doc, expected, pinned_key, &p, out, e);
}
