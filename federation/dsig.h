/*
 * dsig.h - enveloped XML signatures in exactly DESIGN.md's profile.
 *
 * Profile: one ds:Signature, the root's last child; one Reference URI="";
 * transforms enveloped-signature + exclusive C14N; SHA-256; ECDSA P-256 with
 * SHA-256 (RSA-2048 with SHA-256 verified too); the signer's certificate in
 * KeyInfo/X509Data.  The signed root carries Id and signedAt attributes
 * (signedAt is set by dsig_sign()).  Only federation/dsig.c includes xmlsec.
 *
 * Keys and certificates are parsed once.  This module knows nothing of the
 * trust list: the verifier checks the profile and the signature, and asks
 * its caller for the signer's key (dsig_verify_with()).  verifier.h binds
 * that to the trust list; dsig_verify_pinned() to one certificate.
 */
#ifndef LASTERI_DSIG_H
#define LASTERI_DSIG_H

#include <time.h>

#include <libxml/tree.h>
#include <openssl/x509.h>

#include "err.h"

enum doc_kind {
	DOC_ANY = -1,
	DOC_UNIT = 0,		/* Unit */
	DOC_PROCUREMENT,	/* ProcurementDefinition */
	DOC_RECORD,		/* SupervisionRecord */
	DOC_QUERY,		/* Query */
	DOC_RESPONSE,		/* Response */
	DOC_CHECKPOINT,		/* Checkpoint */
	DOC_TRUSTLIST,		/* TrustList */
	DOC_NATIONAL,		/* NationalAnswer (node/proof.h) */
	DOC_KIND_COUNT
};

/* Root element local name of a kind, and back (-1 / DOC_ANY when unknown). */
const char	*dsig_kind_root(enum doc_kind k);
enum doc_kind	 dsig_kind_of(xmlNodePtr root);

/* One-time process initialisation of xmlsec (main thread, after xml_init()).
 * Idempotent. */
int		 dsig_init(struct err *e);

/* --- signing --------------------------------------------------------------- */

struct dsig_key;	/* a private key and its certificate; only dsig.c sees it */

/* Load a PEM key and certificate (key file must not be readable by group or
 * others, but see dsig_keyfile_mode_ok).  Caller frees with dsig_key_free(),
 * which wipes the key. */
int		 dsig_key_load(const char *keyfile, const char *certfile,
		    struct dsig_key **out, struct err *e);
void		 dsig_key_free(struct dsig_key *k);
/* 1 when st (of a private key file) is safe: nothing for others, nothing
 * for the group, except Debian's ssl-cert convention where the group
 * ssl-cert may read (0640 root:ssl-cert, the group without write; the owner
 * root or this process's user). */
struct stat;
int		 dsig_keyfile_mode_ok(const struct stat *st);
/* Borrowed certificate of the key. */
X509		*dsig_key_cert(const struct dsig_key *k);

/* Set signedAt (now, UTC) on the root and append the enveloped Signature as
 * the root's last child.  The root must carry an Id and no Signature yet. */
int		 dsig_sign(struct dsig_key *k, xmlDocPtr doc, struct err *e);
/* dsig_sign(), then the signed document as bytes into *out (malloc'd, the
 * caller frees; *len bytes, not NUL-terminated) in one pass: its canonical
 * form (exclusive C14N, no XML declaration) when c14n.c's walk renders it,
 * else xml_serialize()'s.  More than max bytes fails (ERR_INTERNAL). */
int		 dsig_sign_serialize(struct dsig_key *k, xmlDocPtr doc,
		    size_t max, char **out, size_t *len, struct err *e);
/* Takes what signing added off root: its ds:Signature children and its
 * signedAt (to compare a stored document's content, or to sign it
 * again). */
void		 dsig_unsign(xmlNodePtr root);

/* --- verifying ------------------------------------------------------------- */

struct dsig_info {
	enum doc_kind	kind;
	char		doc_id[65];
	char		member_id[160];		/* signer member (trust list) */
	char		member_code[8];		/* its code ("08", "lvv") */
	time_t		signed_at;		/* from the verified root */
	unsigned char	signer_fpr[32];		/* SHA-256 of the signer certificate */
	/* The Reference's DigestValue, checked against the document: SHA-256
	 * of the exclusive C14N of the document without its Signature.  The
	 * profile fixes every other part of SignedInfo, so two verified
	 * documents with the same content_digest say the same signed thing,
	 * whatever their SignatureValue (ECDSA's s or n - s), KeyInfo or the
	 * whitespace inside the Signature. */
	unsigned char	content_digest[32];
};

/* What the verifier read from a document that passed every structural
 * rule, for the caller that supplies the signer's key.  Pointers are into
 * the document or the verifier's memory, valid during the call only. */
struct dsig_signer {
	enum doc_kind		 kind;
	const char		*doc_id;
	time_t			 signed_at;	/* the root's signedAt */
	const unsigned char	*der;		/* KeyInfo's X509Certificate */
	size_t			 der_len;
	unsigned char		 fpr[32];	/* SHA-256 of der */
};

/* The public key to check the signature with (the caller owns one
 * reference; the verifier frees it), after whatever policy the caller
 * applies to the signer; NULL with e set refuses the document. */
typedef EVP_PKEY *dsig_key_fn(void *arg, const struct dsig_signer *s,
		    struct err *e);

/* Verify doc (parsed by xml_parse()) under the profile: the structure,
 * then key_fn(arg, signer) for the key, then DigestValue and
 * SignatureValue.  expected is the kind the caller will use, or DOC_ANY.
 * out (may be NULL) is filled on success, member_id and member_code left
 * empty.  ERR_SIGNATURE with the rule that failed, or key_fn's error. */
int		 dsig_verify_with(xmlDocPtr doc, enum doc_kind expected,
		    dsig_key_fn *key_fn, void *arg, struct dsig_info *out,
		    struct err *e);

/* Verify doc signed by exactly the pinned certificate (the trust-list
 * operator's), which must chain to one of cas (may be NULL: pin only).
 * Same structural and policy rules; member_id is left empty. */
int		 dsig_verify_pinned(xmlDocPtr doc, X509 *pinned,
		    STACK_OF(X509) *cas, enum doc_kind expected, time_t now,
		    struct dsig_info *out, struct err *e);

#endif
