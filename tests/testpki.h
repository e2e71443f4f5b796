/*
 * testpki.h - the test PKI of the C tests: a federation made by certs/mkpki
 * ($LASTERI_CERTS_DIR) in a temporary directory, and the operator-signed
 * trust list of its members, loaded.
 *
 * testpki_new() runs mkpki for the members given (their codes are mkpki's:
 * "01".."21", "90", "thl", "lvv"), reads each member's ID, fingerprints and
 * signing key, builds and signs a version 2 TrustList listing them in the
 * order given, and loads it with a verifier over it.  Members are named by
 * their index in that order, so a test's enum of members indexes every
 * array below.  testpki_free() removes the directory.
 */
#ifndef LASTERI_TESTPKI_H
#define LASTERI_TESTPKI_H

#include <stddef.h>
#include <time.h>

#include <libxml/tree.h>
#include <openssl/x509.h>

struct dsig_key;
struct trust_list;
struct verifier;

#define TESTPKI_MAX	16	/* members */
#define TESTPKI_ID_MAX	160

/* One member as the trust list shows it. */
struct testpki_member {
	const char	*code;		/* <Code>, and mkpki's member code */
	const char	*roles;		/* <Roles>, e.g. "region supervisor" */
	const char	*region;	/* <Region>; NULL: none */
	const char	*issuer;	/* <IssuerCode>; NULL: none */
	int		 port;		/* <Endpoint>https://127.0.0.1:port */
};

struct testpki {
	char			 dir[256];	/* pki/, members/CODE/ */
	time_t			 now;		/* when mkpki was done */
	size_t			 n;
	struct testpki_member	 m[TESTPKI_MAX];	/* as given */
	char			 ids[TESTPKI_MAX][TESTPKI_ID_MAX];
	unsigned char		 tls_fpr[TESTPKI_MAX][32];
	unsigned char		 sign_fpr[TESTPKI_MAX][32];
	struct dsig_key		*keys[TESTPKI_MAX];	/* signing keys */
	X509			*operator_crt;	/* the trust anchor */
	char			*ca_b64;	/* pki/ca.crt, DER in base64 */
	char			*tl_bytes;	/* the signed TrustList */
	size_t			 tl_len;
	struct trust_list	*tl;		/* tl_bytes, loaded at now */
	struct verifier		*ver;		/* over tl */
};

/* The PKI of the n members m (n at most TESTPKI_MAX), in a directory
 * $TMPDIR/lasteri-NAME.XXXXXX.  Initialises libxml2 and the signer.  NULL
 * (with the reason on stderr) on failure; free with testpki_free(). */
struct testpki	*testpki_new(const char *name, const struct testpki_member *m,
		    size_t n);
/* Removes the directory; NULL is a no-op.  -1 when rm failed. */
int		 testpki_free(struct testpki *pki);

/* The path of FILE of member i ("tls.crt", "tls.key", "sign.crt",
 * "sign.key", "member.id"), or of pki/FILE when i is -1 ("ca.crt",
 * "operator.key", "operator.crt"). */
void		 testpki_path(const struct testpki *pki, int i,
		    const char *file, char *buf, size_t len);

/* The bytes of doc signed by member signer (-1: unsigned), or NULL (the
 * reason printed) when doc is NULL or signing fails.  Caller frees with
 * xmlFree(). */
char		*testpki_sign(const struct testpki *pki, xmlDocPtr doc,
		    int signer, size_t *len);

#endif
