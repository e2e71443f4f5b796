/*
 * tls.h - the federation port's TLS: one SSL_CTX that only speaks TLS 1.2
 * (ECDHE with AES-GCM or ChaCha20-Poly1305) and TLS 1.3, requires a client
 * certificate, and accepts a peer only if its certificate chains to a CA of
 * the trust list in use AND its SHA-256 fingerprint is listed for a member
 * (trust_member_by_tls_fpr_at, now).  The member ID and roles found are
 * kept with the connection (tls_peer_get) for the request handlers; a
 * resumed session is checked again against the list in use, and so is the
 * peer of every request (tls_peer_check).  While the list in use is past
 * its Expires no handshake succeeds (reason "trust-expired").
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
	const void	*fpr_of;	/* the X509 fpr was computed from */
	const char	*fail;		/* why it was refused (static) */
	int		 started;	/* the handshake began */
	int		 done;		/* the handshake completed */
	int		 counted;	/* a failure was counted */
	unsigned	 gen;		/* list generation the chain passed */
	struct metrics	*metrics;
	/* For the log line of a failed handshake (tls.c). */
	char		 addr[64];	/* the peer's address, no port */
	char		 subject[256];	/* of the certificate sent, or "" */
	unsigned char	 cert_fpr[32];	/* its SHA-256, when subject[0] */
};

/* Called once per connection when its handshake completes, whether or not
 * it proved a listed member (tls_peer_get(ssl)->verified says). */
typedef void	 tls_done_fn(const SSL *ssl, void *arg);

enum tls_check {
	TLS_PEER_OK = 0,		/* listed now, in the list in use */
	TLS_PEER_UNLISTED,		/* not (or no longer) a member */
	TLS_PEER_TRUST_EXPIRED		/* the list in use is past Expires */
};

/* A server context for cert_file (PEM chain) and key_file.  m (borrowed,
 * may be NULL) must outlive every SSL made from the context.  Free with
 * tls_server_free(). */
SSL_CTX		*tls_server_new(const char *cert_file, const char *key_file,
		    struct metrics *m, struct err *e);
void		 tls_server_free(SSL_CTX *ctx);		/* NULL is a no-op */

/* The web service's HTTPS context ([web] tls_cert, tls_key): TLS 1.2+ with
 * the same ciphers, no client certificate.  Free with SSL_CTX_free(). */
SSL_CTX		*tls_web_new(const char *cert_file, const char *key_file,
		    struct err *e);

/* Use tl (the context takes its own reference) for new handshakes. */
int		 tls_server_set_trust(SSL_CTX *ctx, struct trust_list *tl,
		    struct err *e);

/* fn(ssl, arg) at the end of every handshake on SSLs of ctx. */
void		 tls_server_set_done_cb(SSL_CTX *ctx, tls_done_fn *fn,
		    void *arg);

/* Checks the peer of an established connection against the list in use
 * now: its fingerprint is looked up again (roles and member ID are
 * refreshed), and after a reload its chain is checked against the new
 * CAs.  A peer found unlisted stays refused on this connection. */
enum tls_check	 tls_peer_check(SSL *ssl);

/* A new server-side SSL with its tls_peer attached; SSL_free() frees both. */
SSL		*tls_server_ssl(SSL_CTX *ctx, struct err *e);

/* Borrowed, valid while ssl lives; NULL for an SSL not made here. */
const struct tls_peer *tls_peer_get(const SSL *ssl);

/* Reads one PEM certificate.  Caller frees with X509_free(). */
X509		*tls_load_cert(const char *path, struct err *e);

#endif
