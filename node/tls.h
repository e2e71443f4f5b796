/*
 * tls.h - the federation port's TLS: one SSL_CTX that only speaks TLS 1.2
 * (ECDHE with AES-GCM or ChaCha20-Poly1305) and TLS 1.3, requires a client
 * certificate, and accepts a peer only if its certificate chains to a CA of
 * the trust list in use AND its SHA-256 fingerprint is listed for a member
 * (trust_member_by_tls_fpr).  The member ID and roles found are kept with
 * the connection (tls_peer_get) for the request handlers; a resumed session
 * is checked again against the list in use.
 *
 * Handshakes completed and refused (by reason) are counted in metrics.
 * The trust list is swapped with tls_server_set_trust() (SIGHUP); handshakes
 * after the swap use the new CAs and fingerprints.
 */
#ifndef LASTERI_TLS_H
#define LASTERI_TLS_H

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "err.h"
#include "metrics.h"
#include "trust.h"

struct tls_peer {
	int		 verified;	/* listed member, chain checked */
	char		 member_id[160];
	unsigned	 roles;		/* enum trust_role bits */
	unsigned char	 fpr[32];	/* SHA-256 of the peer certificate */
	const char	*fail;		/* why it was refused (static) */
	int		 started;	/* the handshake began */
	int		 done;		/* the handshake completed */
	int		 counted;	/* a failure was counted */
	struct metrics	*metrics;
};

/* A server context for cert_file (PEM chain) and key_file.  m (borrowed,
 * may be NULL) must outlive every SSL made from the context.  Free with
 * tls_server_free(). */
SSL_CTX		*tls_server_new(const char *cert_file, const char *key_file,
		    struct metrics *m, struct err *e);
void		 tls_server_free(SSL_CTX *ctx);		/* NULL is a no-op */

/* Use tl (the context takes its own reference) for new handshakes. */
int		 tls_server_set_trust(SSL_CTX *ctx, struct trust_list *tl,
		    struct err *e);

/* A new server-side SSL with its tls_peer attached; SSL_free() frees both. */
SSL		*tls_server_ssl(SSL_CTX *ctx, struct err *e);

/* Borrowed, valid while ssl lives; NULL for an SSL not made here. */
const struct tls_peer *tls_peer_get(const SSL *ssl);

/* Reads one PEM certificate.  Caller frees with X509_free(). */
X509		*tls_load_cert(const char *path, struct err *e);

#endif
