/*
 * x509.h - certificate helpers: load PEM, SHA-256 fingerprints, and our own
 * certificate policy.
 *
 * The path check builds a fresh X509_STORE holding only the CAs it is given
 * (never the operating system's store, never SSL_CERT_FILE/SSL_CERT_DIR) and
 * checks at a given time.  The signer policy adds what xmlsec and OpenSSL do
 * not check by default: the certificate is not a CA, its keyUsage allows
 * digitalSignature, and it is within its validity.  Errors are ERR_TRUST
 * (ERR_IO/ERR_INPUT for files) with the rule that failed.
 */
#ifndef LASTERI_X509_H
#define LASTERI_X509_H

#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

#include "err.h"

#define X509_FPR_LEN	32	/* SHA-256 */
#define X509_FPR_HEX	65	/* 64 hex digits + NUL */

/* The first certificate of a PEM file.  Caller frees with X509_free(). */
X509		*x509_load_pem(const char *path, struct err *e);
/* Every certificate of a PEM file (at least one).  Caller frees with
 * sk_X509_pop_free(s, X509_free). */
STACK_OF(X509)	*x509_load_pem_all(const char *path, struct err *e);
/* The same from bytes; name is used in messages. */
STACK_OF(X509)	*x509_parse_pem_all(const char *buf, size_t len,
		    const char *name, struct err *e);

/* SHA-256 of the DER encoding (what the trust list lists). */
int		 x509_fingerprint(X509 *x, unsigned char out[X509_FPR_LEN]);
/* Lower-case hex, no separators. */
void		 x509_fpr_hex(const unsigned char fpr[X509_FPR_LEN],
		    char out[X509_FPR_HEX]);
/* Hex with or without ':' separators, either case; -1 when malformed. */
int		 x509_fpr_parse(const char *s, unsigned char out[X509_FPR_LEN]);

/* notBefore/notAfter as time_t (UTC); -1 when unreadable. */
int		 x509_validity(X509 *x, time_t *not_before, time_t *not_after);

/* A path from x to one of cas (trusted, may hold several), checked at now,
 * with extra (may be NULL) as untrusted intermediates.  ERR_TRUST naming
 * what failed. */
int		 x509_verify_path(X509 *x, STACK_OF(X509) *cas,
		    STACK_OF(X509) *extra, time_t now, const char *what,
		    struct err *e);

/* The policy for a document signer: not a CA, keyUsage with
 * digitalSignature, valid at now, and (when cas is not NULL) a path to cas.
 * Messages: "signer is a CA", "signer certificate lacks digitalSignature",
 * "signer certificate expired", "signer certificate not yet valid",
 * "signer certificate does not chain to a trust-list CA". */
int		 x509_check_signer(X509 *x, STACK_OF(X509) *cas, time_t now,
		    struct err *e);

/* "CN=..., O=..." of the subject, for messages. */
void		 x509_subject(X509 *x, char *buf, size_t len);

#endif
