/*
 * tls.c - the federation port's SSL_CTX and peer check (see tls.h).
 *
 * OpenSSL checks the chain against an X509_STORE built from the trust
 * list's CAs (never the system store) with the "sslclient" purpose; the
 * verify callback adds the second condition at depth 0: the certificate's
 * SHA-256 fingerprint must be listed for a member.  The info callback turns
 * the alerts we send during a handshake into failure counts and sets
 * TCP_NODELAY as soon as a connection's handshake starts (without it a
 * response's records wait for the peer's delayed ACK).  No read-ahead: it
 * breaks OpenSSL bufferevents.
 *
 * A connection outlives the list it was accepted under: tls_peer_check()
 * runs before each request and looks the peer up again in the list in use
 * (and, once per reload, checks its chain against the new CAs), so a member
 * removed by a reload is refused on a kept-alive connection too.  While the
 * list in use is past its Expires nobody can be checked against it: new
 * handshakes fail with "trust-expired" and requests are refused.
 *
 * Every failed handshake is also logged (tls_handshake_failed, level warn):
 * the peer's address, the reason (the same token as the failure metric),
 * and the subject and SHA-256 fingerprint of the certificate it sent, if
 * any.  A scanner or a misconfigured peer retrying must not flood the log:
 * one line per address per FAIL_LOG_SEC; the next line from that address
 * says how many were suppressed meanwhile.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "hex.h"
#include "log.h"
#include "tls.h"
#include "x509.h"

#define TLS12_CIPHERS \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:" \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
#define TLS13_SUITES \
	"TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:" \
	"TLS_CHACHA20_POLY1305_SHA256"

struct tls_ctx_data {
	struct trust_list	*tl;
	unsigned		 gen;		/* bumped by each set_trust */
	struct metrics		*metrics;
	tls_done_fn		*done;
	void			*done_arg;
};

static int	ctx_idx = -1;
static int	peer_idx = -1;

/* --- the log of failed handshakes ----------------------------------------- */

#define FAIL_LOG_SEC	10	/* one line per address per this */
#define FAIL_LOG_ADDRS	128	/* addresses remembered (oldest replaced) */

struct fail_slot {
	char		addr[64];
	time_t		last;		/* when a line was written */
	unsigned	suppressed;	/* failures since, not logged */
};

/* The event-loop thread only: handshakes run there. */
static struct fail_slot	fail_slots[FAIL_LOG_ADDRS];

static void
fail_log(const struct tls_peer *p, const char *reason)
{
	struct fail_slot *f = NULL, *oldest = &fail_slots[0];
	char fpr[65], q[LOG_Q_MAX];
	const char *addr = p->addr[0] ? p->addr : "unknown";
	time_t now = time(NULL);
	int i;

	for (i = 0; i < FAIL_LOG_ADDRS; i++) {
		if (strcmp(fail_slots[i].addr, addr) == 0) {
			f = &fail_slots[i];
			break;
		}
		if (fail_slots[i].last < oldest->last)
			oldest = &fail_slots[i];
	}
	if (f != NULL && now - f->last < FAIL_LOG_SEC) {
		f->suppressed++;
		return;
	}
	if (f == NULL) {
		f = oldest;
		snprintf(f->addr, sizeof(f->addr), "%s", addr);
		f->suppressed = 0;
	}
	if (p->subject[0] != '\0')
		hex_encode(p->cert_fpr, sizeof(p->cert_fpr), fpr);
	else
		snprintf(fpr, sizeof(fpr), "-");
	log_warnx("tls_handshake_failed", "addr=%s reason=%s subject=%s "
	    "fingerprint=%s suppressed=%u", addr, reason,
	    log_q(p->subject[0] ? p->subject : "-", q, sizeof(q)), fpr,
	    f->suppressed);
	f->last = now;
	f->suppressed = 0;
}

/* The peer's address (no port) of the connection under ssl into p. */
static void
peer_addr(const SSL *ssl, struct tls_peer *p)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd = SSL_get_fd(ssl);

	if (fd == -1 || getpeername(fd, (struct sockaddr *)&ss, &len) == -1)
		return;
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr,
		    p->addr, sizeof(p->addr));
	else if (ss.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr,
		    p->addr, sizeof(p->addr));
}

/* The subject and fingerprint of the certificate the peer sent. */
static void
peer_cert_note(struct tls_peer *p, X509 *cert)
{
	unsigned int n = 0;
	X509_NAME *name;

	if (cert == NULL || p->subject[0] != '\0')
		return;
	if (X509_digest(cert, EVP_sha256(), p->cert_fpr, &n) != 1 || n != 32)
		return;
	if ((name = X509_get_subject_name(cert)) == NULL ||
	    X509_NAME_oneline(name, p->subject, sizeof(p->subject)) == NULL ||
	    p->subject[0] == '\0')
		snprintf(p->subject, sizeof(p->subject), "(empty)");
}

static void
peer_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
    void *argp)
{
	struct tls_peer *p = ptr;

	if (p == NULL)
		return;
	/* A handshake that began and neither completed nor sent an alert:
	 * the peer went away (or it was not TLS at all). */
	if (p->started && !p->done && !p->counted) {
		metrics_inc(p->metrics, M_TLS_FAILURES,
		    "reason=\"aborted\"");
		fail_log(p, p->fail != NULL ? p->fail : "aborted");
	}
	OPENSSL_cleanse(p, sizeof(*p));
	free(p);
}

static void
err_openssl(struct err *e, const char *what)
{
	char buf[256];
	unsigned long code;

	if ((code = ERR_peek_last_error()) != 0) {
		ERR_error_string_n(code, buf, sizeof(buf));
		err_set(e, ERR_TLS, "%s (%s)", what, buf);
	} else
		err_set(e, ERR_TLS, "%s", what);
	ERR_clear_error();
}

static const char *
verify_reason(int code)
{
	switch (code) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return "certificate-expired";
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		return "unknown-ca";
	case X509_V_ERR_INVALID_PURPOSE:
		return "wrong-purpose";
	default:
		return "bad-certificate";
	}
}

/* Looks the leaf's fingerprint up in tl at now; fills p.  NULL when the
 * leaf is listed for a member, else why not: a list past its Expires
 * proves nobody. */
static const char *
peer_identify(struct tls_peer *p, X509 *cert, const struct trust_list *tl,
    time_t now)
{
	const struct trust_member *m;
	unsigned int n = 0;

	p->verified = 0;
	if (tl == NULL)
		return "unlisted-certificate";
	if (trust_expires(tl) <= now)
		return "trust-expired";
	if (cert == NULL)
		return "unlisted-certificate";
	/* Every request checks its connection's peer again: the digest is
	 * kept, keyed on the certificate object.  Renegotiation is off
	 * (SSL_OP_NO_RENEGOTIATION; TLS 1.3 has none), so the peer's
	 * certificate cannot change within a connection, and the SSL holds
	 * its reference while the connection lives. */
	if (p->fpr_of != cert) {
		p->fpr_of = NULL;
		if (X509_digest(cert, EVP_sha256(), p->fpr, &n) != 1 ||
		    n != 32)
			return "unlisted-certificate";
		p->fpr_of = cert;
	}
	if ((m = trust_member_by_tls_fpr_at(tl, p->fpr, now)) == NULL)
		return "unlisted-certificate";
	snprintf(p->member_id, sizeof(p->member_id), "%s", m->id);
	p->roles = m->roles;
	p->verified = 1;
	return NULL;
}

static int
verify_cb(int ok, X509_STORE_CTX *sctx)
{
	SSL *ssl;
	struct tls_peer *p;
	struct tls_ctx_data *d;
	const char *why;

	ssl = X509_STORE_CTX_get_ex_data(sctx,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	if (ssl == NULL || (p = SSL_get_ex_data(ssl, peer_idx)) == NULL ||
	    (d = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ctx_idx)) == NULL)
		return 0;
	peer_cert_note(p, X509_STORE_CTX_get0_cert(sctx));
	if (!ok) {
		if (p->fail == NULL)
			p->fail = verify_reason(X509_STORE_CTX_get_error(sctx));
		return 0;
	}
	if (X509_STORE_CTX_get_error_depth(sctx) != 0)
		return 1;
	if ((why = peer_identify(p, X509_STORE_CTX_get_current_cert(sctx),
	    d->tl, time(NULL))) != NULL) {
		p->fail = why;
		X509_STORE_CTX_set_error(sctx, X509_V_ERR_CERT_REJECTED);
		return 0;
	}
	p->gen = d->gen;
	return 1;
}

static const char *
alert_reason(int desc)
{
	switch (desc) {
	case 70:	/* protocol_version */
		return "protocol-version";
	case 116:	/* certificate_required */
		return "no-certificate";
	case 40:	/* handshake_failure: no cipher in common, no cert */
		return "handshake-failure";
	case 71:	/* insufficient_security */
		return "insufficient-security";
	case 10: case 47: case 50: case 51: case 109: case 110:
		return "protocol-error";
	default:
		return "other";
	}
}

static void
info_cb(const SSL *ssl, int where, int ret)
{
	struct tls_peer *p;
	struct tls_ctx_data *d;
	const char *why;
	char labels[64];
	int fd, one = 1;

	if ((p = SSL_get_ex_data(ssl, peer_idx)) == NULL)
		return;
	if ((where & SSL_CB_HANDSHAKE_START) && !p->started) {
		p->started = 1;
		peer_addr(ssl, p);
		if ((fd = SSL_get_fd(ssl)) != -1)
			(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
			    sizeof(one));
	}
	if ((where & SSL_CB_HANDSHAKE_DONE) && !p->done) {
		p->done = 1;
		d = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ctx_idx);
		/* A resumed session skips the verify callback: identify the
		 * peer again, against the list in use now. */
		if (!p->verified) {
			if ((why = peer_identify(p,
			    SSL_get0_peer_certificate(ssl), d != NULL ? d->tl :
			    NULL, time(NULL))) != NULL) {
				p->fail = why;
				p->counted = 1;
				snprintf(labels, sizeof(labels),
				    "reason=\"%s\"", why);
				metrics_inc(p->metrics, M_TLS_FAILURES, labels);
				peer_cert_note(p,
				    SSL_get0_peer_certificate(ssl));
				fail_log(p, why);
			} else
				p->gen = d->gen;
		}
		if (p->verified)
			metrics_inc(p->metrics, M_TLS_HANDSHAKES, NULL);
		if (d != NULL && d->done != NULL)
			d->done(ssl, d->done_arg);
		return;
	}
	if ((where & SSL_CB_ALERT) && (where & SSL_CB_WRITE) && !p->done &&
	    !p->counted) {
		p->counted = 1;
		why = p->fail != NULL ? p->fail : alert_reason(ret & 0xff);
		snprintf(labels, sizeof(labels), "reason=\"%s\"", why);
		metrics_inc(p->metrics, M_TLS_FAILURES, labels);
		fail_log(p, why);
	}
}

SSL_CTX *
tls_server_new(const char *cert_file, const char *key_file,
    struct metrics *m, struct err *e)
{
	static const unsigned char sid_ctx[] = "lasterid";
	SSL_CTX *ctx = NULL, *rc = NULL;
	struct tls_ctx_data *d = NULL;

	if (ctx_idx == -1)
		ctx_idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	if (peer_idx == -1)
		peer_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL,
		    peer_free);
	if (ctx_idx == -1 || peer_idx == -1) {
		err_openssl(e, "SSL ex_data index");
		goto done;
	}
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		err_openssl(e, "SSL_CTX_new");
		goto done;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto done;
	}
	d->metrics = m;
	if (!SSL_CTX_set_ex_data(ctx, ctx_idx, d)) {
		free(d);
		err_openssl(e, "SSL_CTX_set_ex_data");
		goto done;
	}
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_cipher_list(ctx, TLS12_CIPHERS) ||
	    !SSL_CTX_set_ciphersuites(ctx, TLS13_SUITES) ||
	    !SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384")) {
		err_openssl(e, "TLS protocol and cipher settings");
		goto done;
	}
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE |
	    SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
	/* About 10 kB less per idle connection. */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	/* One TLS 1.3 ticket is enough for a peer that resumes (fan-out);
	 * the default two cost a second write per handshake. */
	SSL_CTX_set_num_tickets(ctx, 1);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
	    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_cb);
	SSL_CTX_set_verify_depth(ctx, 4);
	SSL_CTX_set_info_callback(ctx, info_cb);
	if (!SSL_CTX_set_session_id_context(ctx, sid_ctx,
	    sizeof(sid_ctx) - 1)) {
		err_openssl(e, "SSL_CTX_set_session_id_context");
		goto done;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
		err_openssl(e, "cannot use the TLS certificate");
		err_prefix(e, "%s", cert_file);
		goto done;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) !=
	    1) {
		err_openssl(e, "cannot use the TLS key");
		err_prefix(e, "%s", key_file);
		goto done;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		err_openssl(e, "the key does not match the certificate");
		err_prefix(e, "%s", key_file);
		goto done;
	}
	rc = ctx;
	ctx = NULL;
done:
	tls_server_free(ctx);
	return rc;
}

/* The web service's context: the same protocol and cipher policy, an
 * ordinary server certificate, no client certificate asked for. */
SSL_CTX *
tls_web_new(const char *cert_file, const char *key_file, struct err *e)
{
	static const unsigned char sid_ctx[] = "lasterid-web";
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		err_openssl(e, "SSL_CTX_new");
		return NULL;
	}
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_cipher_list(ctx, TLS12_CIPHERS) ||
	    !SSL_CTX_set_ciphersuites(ctx, TLS13_SUITES) ||
	    !SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384") ||
	    !SSL_CTX_set_session_id_context(ctx, sid_ctx,
	    sizeof(sid_ctx) - 1)) {
		err_openssl(e, "web TLS protocol and cipher settings");
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE |
	    SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
		err_openssl(e, "cannot use the web TLS certificate");
		err_prefix(e, "%s", cert_file);
	} else if (SSL_CTX_use_PrivateKey_file(ctx, key_file,
	    SSL_FILETYPE_PEM) != 1) {
		err_openssl(e, "cannot use the web TLS key");
		err_prefix(e, "%s", key_file);
	} else if (SSL_CTX_check_private_key(ctx) != 1) {
		err_openssl(e, "the key does not match the web certificate");
		err_prefix(e, "%s", key_file);
	} else
		return ctx;
	SSL_CTX_free(ctx);
	return NULL;
}

void
tls_server_free(SSL_CTX *ctx)
{
	struct tls_ctx_data *d;

	if (ctx == NULL)
		return;
	if ((d = SSL_CTX_get_ex_data(ctx, ctx_idx)) != NULL) {
		trust_unref(d->tl);
		free(d);
		SSL_CTX_set_ex_data(ctx, ctx_idx, NULL);
	}
	SSL_CTX_free(ctx);
}

int
tls_server_set_trust(SSL_CTX *ctx, struct trust_list *tl, struct err *e)
{
	struct tls_ctx_data *d = SSL_CTX_get_ex_data(ctx, ctx_idx);
	STACK_OF(X509) *cas = trust_cas(tl);
	STACK_OF(X509_NAME) *names = NULL;
	X509_STORE *store = NULL;
	X509_NAME *nm;
	int i, rc = -1;

	if (d == NULL)
		return err_set(e, ERR_INTERNAL, "TLS context without data");
	if (cas == NULL || sk_X509_num(cas) == 0)
		return err_set(e, ERR_TRUST, "the trust list has no CA");
	if ((store = X509_STORE_new()) == NULL ||
	    (names = sk_X509_NAME_new_null()) == NULL) {
		err_openssl(e, "X509_STORE_new");
		goto done;
	}
	for (i = 0; i < sk_X509_num(cas); i++) {
		if (X509_STORE_add_cert(store, sk_X509_value(cas, i)) != 1) {
			err_openssl(e, "X509_STORE_add_cert");
			goto done;
		}
		if ((nm = X509_NAME_dup(X509_get_subject_name(
		    sk_X509_value(cas, i)))) == NULL ||
		    !sk_X509_NAME_push(names, nm)) {
			X509_NAME_free(nm);
			err_openssl(e, "client CA list");
			goto done;
		}
	}
	/* The context takes the store and the names. */
	SSL_CTX_set_cert_store(ctx, store);
	store = NULL;
	SSL_CTX_set_client_CA_list(ctx, names);
	names = NULL;
	trust_unref(d->tl);
	d->tl = trust_ref(tl);
	d->gen++;
	rc = 0;
done:
	X509_STORE_free(store);
	sk_X509_NAME_pop_free(names, X509_NAME_free);
	return rc;
}

SSL *
tls_server_ssl(SSL_CTX *ctx, struct err *e)
{
	struct tls_ctx_data *d = SSL_CTX_get_ex_data(ctx, ctx_idx);
	struct tls_peer *p = NULL;
	SSL *ssl = NULL;

	if ((ssl = SSL_new(ctx)) == NULL) {
		err_openssl(e, "SSL_new");
		return NULL;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		SSL_free(ssl);
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	p->metrics = d != NULL ? d->metrics : NULL;
	if (!SSL_set_ex_data(ssl, peer_idx, p)) {
		free(p);
		SSL_free(ssl);
		err_openssl(e, "SSL_set_ex_data");
		return NULL;
	}
	return ssl;
}

const struct tls_peer *
tls_peer_get(const SSL *ssl)
{
	if (ssl == NULL || peer_idx == -1)
		return NULL;
	return SSL_get_ex_data(ssl, peer_idx);
}

X509 *
tls_load_cert(const char *path, struct err *e)
{
	return x509_load_pem(path, e);
}

void
tls_server_set_done_cb(SSL_CTX *ctx, tls_done_fn *fn, void *arg)
{
	struct tls_ctx_data *d = SSL_CTX_get_ex_data(ctx, ctx_idx);

	if (d != NULL) {
		d->done = fn;
		d->done_arg = arg;
	}
}

/* The peer's chain against the CAs of the list in use now. */
static int
chain_check(SSL *ssl)
{
	X509_STORE *store = SSL_CTX_get_cert_store(SSL_get_SSL_CTX(ssl));
	X509 *leaf = SSL_get0_peer_certificate(ssl);
	X509_STORE_CTX *sctx;
	int ok = 0;

	if (leaf == NULL || store == NULL ||
	    (sctx = X509_STORE_CTX_new()) == NULL)
		return -1;
	if (X509_STORE_CTX_init(sctx, store, leaf,
	    SSL_get_peer_cert_chain(ssl)) == 1 &&
	    X509_STORE_CTX_set_purpose(sctx, X509_PURPOSE_SSL_CLIENT) == 1) {
		X509_VERIFY_PARAM_set_depth(X509_STORE_CTX_get0_param(sctx),
		    4);
		ok = X509_verify_cert(sctx) == 1;
	}
	X509_STORE_CTX_free(sctx);
	ERR_clear_error();
	return ok ? 0 : -1;
}

enum tls_check
tls_peer_check(SSL *ssl)
{
	struct tls_ctx_data *d;
	struct tls_peer *p;
	time_t now = time(NULL);

	if (ssl == NULL || peer_idx == -1 ||
	    (p = SSL_get_ex_data(ssl, peer_idx)) == NULL ||
	    (d = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ctx_idx)) == NULL ||
	    !p->verified)
		return TLS_PEER_UNLISTED;
	if (d->tl == NULL || trust_expires(d->tl) <= now)
		return TLS_PEER_TRUST_EXPIRED;
	if (p->gen != d->gen && chain_check(ssl) == -1) {
		p->verified = 0;
		p->fail = "unknown-ca";
		return TLS_PEER_UNLISTED;
	}
	if ((p->fail = peer_identify(p, SSL_get0_peer_certificate(ssl),
	    d->tl, now)) != NULL)
		return TLS_PEER_UNLISTED;
	p->gen = d->gen;
	return TLS_PEER_OK;
}
