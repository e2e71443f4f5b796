/*
 * dsig_internal.h - what dsig.c (initialisation, signing) and dsig_verify.c
 * (the strict verifier) share: the profile's URIs and limits, SHA-256, the
 * C14N digest, and the whole-tree walk both sides apply.  Not for other
 * modules.
 */
#ifndef LASTERI_DSIG_INTERNAL_H
#define LASTERI_DSIG_INTERNAL_H

#include <stddef.h>

#include <libxml/c14n.h>
#include <libxml/tree.h>
#include <openssl/evp.h>

#include "err.h"

#define LASTERI_NS_URI	"urn:lasteri:1"
#define DS_NS		"http://www.w3.org/2000/09/xmldsig#"
#define ALG_EXC_C14N	"http://www.w3.org/2001/10/xml-exc-c14n#"
#define ALG_ENVELOPED	"http://www.w3.org/2000/09/xmldsig#enveloped-signature"
#define ALG_SHA256	"http://www.w3.org/2001/04/xmlenc#sha256"
#define ALG_ECDSA	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
#define ALG_RSA		"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"

#define SIGVAL_MAX	1024	/* RSA-8192 at most */
#define CERT_MAX	16384

enum sig_alg { SIG_ECDSA, SIG_RSA };

/* Fetched once by dsig_init(). */
extern EVP_MD	*dsig_md_sha256;

int		 dsig_sha256(const void *buf, size_t len, unsigned char out[32]);
/* SHA-256 of the exclusive C14N (no comments) of doc, restricted to what
 * vis accepts when it is not NULL. */
int		 dsig_c14n_sha256(xmlDocPtr doc, xmlC14NIsVisibleCallback vis,
		    void *ud, unsigned char out[32], struct err *e);
/* s for a message: at most len - 1 bytes, control characters as '?' (a
 * value of an unverified document must not start a new line where the
 * reason is printed).  Returns buf. */
const char	*dsig_printable(const xmlChar *s, char *buf, size_t len);
/* n is the ds: element name. */
int		 dsig_ds_is(xmlNodePtr n, const char *name);
/* Value of a plain attribute ("" when empty); NULL when it is not one text. */
const xmlChar	*dsig_attr_value(xmlAttrPtr a);
/* The un-namespaced attribute name of n, or NULL. */
const xmlChar	*dsig_plain_attr(xmlNodePtr n, const char *name);
/* Walk every node: no comment, PI, DTD or entity reference; count
 * ds:Signature (*first is the first); no two Id attributes alike. */
int		 dsig_check_tree(xmlDocPtr doc, xmlNodePtr root, int *nsig,
		    xmlNodePtr *first, struct err *e);

#endif
