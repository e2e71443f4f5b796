/*
 * test_peer.c - the mutual-TLS client's pin (federation/peer.c): a request
 * to a member is answered only by a server presenting a certificate the
 * trust list holds for that member, also when libcurl reuses a kept-alive
 * connection or resumes a TLS session made under an earlier listing.
 *
 * A small HTTPS server runs on 127.0.0.1 in a thread of this program
 * (OpenSSL, one thread per connection, keep-alive or not), with a test PKI
 * made here with the OpenSSL API in a mkdtemp directory.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "model.h"
#include "peer.h"
#include "trust.h"
#include "x509.h"
#include "xml.h"
#include "testmain.h"

#define DAY		(24L * 3600)
#define MAX_CONNS	32

enum { C_CA, C_A, C_B, C_CLIENT, C_COUNT };

static EVP_PKEY *pkey[C_COUNT];
static X509 *cert[C_COUNT];
static unsigned char fpr[C_COUNT][32];
static char dir[64], client_crt[128], client_key[128];
static struct trust_list *tl;

/* --- the PKI ------------------------------------------------------------------ */

static int
add_ext(X509 *x, X509 *issuer, int nid, const char *val)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, val)) == NULL)
		return -1;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

static X509 *
mkcert(int i, const char *cn)
{
	X509 *x, *is;
	int ca = i == C_CA;

	if ((x = X509_new()) == NULL)
		return NULL;
	is = ca ? x : cert[C_CA];
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 2000 + i);
	X509_gmtime_adj(X509_getm_notBefore(x), -DAY);
	X509_gmtime_adj(X509_getm_notAfter(x), 30 * DAY);
	X509_set_pubkey(x, pkey[i]);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
	    MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(is));
	if (add_ext(x, is, NID_basic_constraints, ca ? "critical,CA:TRUE" :
	    "critical,CA:FALSE") == -1 ||
	    add_ext(x, is, NID_key_usage, ca ? "critical,keyCertSign,cRLSign" :
	    "critical,digitalSignature") == -1 ||
	    (!ca && add_ext(x, is, NID_ext_key_usage,
	    "serverAuth,clientAuth") == -1) ||
	    add_ext(x, is, NID_subject_key_identifier, "hash") == -1 ||
	    X509_sign(x, ca ? pkey[i] : pkey[C_CA], EVP_sha256()) <= 0) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static int
write_pem(const char *keyp, const char *crtp, int i)
{
	FILE *f;
	int ok;

	if ((f = fopen(keyp, "w")) == NULL)
		return -1;
	fchmod(fileno(f), 0600);
	ok = PEM_write_PrivateKey(f, pkey[i], NULL, NULL, 0, NULL, NULL);
	if (fclose(f) != 0 || !ok || (f = fopen(crtp, "w")) == NULL)
		return -1;
	ok = PEM_write_X509(f, cert[i]);
	return fclose(f) != 0 || !ok ? -1 : 0;
}

/* An unsigned list holding the CA (the client takes only its CAs). */
static int
load_list(void)
{
	unsigned char *der = NULL;
	char b64[4096], buf[8192], t1[32], t2[32], fh[X509_FPR_HEX];
	struct err e;
	int n;

	if ((n = i2d_X509(cert[C_CA], &der)) <= 0)
		return -1;
	EVP_EncodeBlock((unsigned char *)b64, der, n);
	OPENSSL_free(der);
	model_datetime_format(time(NULL) - 3600, t1);
	model_datetime_format(time(NULL) + DAY, t2);
	x509_fpr_hex(fpr[C_A], fh);
	snprintf(buf, sizeof(buf),
	    "<TrustList xmlns=\"urn:lasteri:1\" Id=\"tl-1\">"
	    "<Instance>FI</Instance><Sequence>1</Sequence>"
	    "<Issued>%s</Issued><Expires>%s</Expires>"
	    "<CACertificates><Certificate>%s</Certificate></CACertificates>"
	    "<Members><Member><MemberId>FI/GOV/1234567-1/lasteri</MemberId>"
	    "<Name>Peer</Name><Code>08</Code><Roles>region</Roles>"
	    "<Endpoint>https://127.0.0.1:1</Endpoint>"
	    "<TlsCertificate sha256=\"%s\"/><SigningCertificate sha256=\"%s\"/>"
	    "</Member></Members></TrustList>", t1, t2, b64, fh, fh);
	err_clear(&e);
	if (trust_parse_flags(buf, strlen(buf), "tl.xml", NULL, NULL,
	    time(NULL), TRUST_F_NO_SIGNATURE, &tl, &e) == -1) {
		fprintf(stderr, "load_list: %s\n", e.msg);
		return -1;
	}
	return 0;
}

static int
suite_init(void)
{
	static const char *const cn[C_COUNT] = { "Peer test CA",
	    "server A", "server B", "client" };
	char kp[128], cp[128];
	int i;

	/* The test servers write to connections the client may have closed
	 * (a request refused after a resumed handshake, a cancelled one). */
	signal(SIGPIPE, SIG_IGN);
	xml_init();
	snprintf(dir, sizeof(dir), "%s/peer.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	for (i = 0; i < C_COUNT; i++) {
		if ((pkey[i] = EVP_EC_gen("P-256")) == NULL ||
		    (cert[i] = mkcert(i, cn[i])) == NULL ||
		    x509_fingerprint(cert[i], fpr[i]) == -1)
			return -1;
	}
	snprintf(kp, sizeof(kp), "%s/client.key", dir);
	snprintf(cp, sizeof(cp), "%s/client.pem", dir);
	if (write_pem(kp, cp, C_CLIENT) == -1)
		return -1;
	snprintf(client_key, sizeof(client_key), "%s", kp);
	snprintf(client_crt, sizeof(client_crt), "%s", cp);
	return load_list();
}

static int
suite_clean(void)
{
	char cmd[128];
	int i;

	trust_unref(tl);
	tl = NULL;
	for (i = 0; i < C_COUNT; i++) {
		X509_free(cert[i]);
		EVP_PKEY_free(pkey[i]);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* --- a small HTTPS server --------------------------------------------------- */

struct server {
	int		 lfd, port;
	SSL_CTX		*ctx;		/* presents one certificate */
	int		 keepalive;
	atomic_int	 stop;
	atomic_int	 handshakes, resumed, requests;
	pthread_t	 th;
	pthread_t	 conn[MAX_CONNS];
	int		 nconn;
};

struct conn {
	struct server	*s;
	int		 fd;
};

/* Read one request (headers and a Content-Length body); 0, or -1 at EOF. */
static int
read_request(SSL *ssl)
{
	char buf[8192], *hdr, *cl;
	size_t len = 0;
	long body = 0;
	int n;

	for (;;) {
		if (len + 1 >= sizeof(buf))
			return -1;
		if ((n = SSL_read(ssl, buf + len, (int)(sizeof(buf) - 1 -
		    len))) <= 0)
			return -1;
		len += (size_t)n;
		buf[len] = '\0';
		if ((hdr = strstr(buf, "\r\n\r\n")) != NULL)
			break;
	}
	if ((cl = strstr(buf, "Content-Length:")) != NULL && cl < hdr)
		body = strtol(cl + 15, NULL, 10);
	body -= (long)(len - (size_t)(hdr + 4 - buf));
	while (body > 0) {
		if ((n = SSL_read(ssl, buf, (int)(body < (long)sizeof(buf) ?
		    body : (long)sizeof(buf)))) <= 0)
			return -1;
		body -= n;
	}
	return 0;
}

static void *
conn_run(void *arg)
{
	struct conn *c = arg;
	struct server *s = c->s;
	struct timeval tv = { 5, 0 };
	char resp[256];
	SSL *ssl;
	int n;

	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if ((ssl = SSL_new(s->ctx)) == NULL)
		goto out;
	SSL_set_fd(ssl, c->fd);
	if (SSL_accept(ssl) != 1)
		goto out;
	atomic_fetch_add(&s->handshakes, 1);
	if (SSL_session_reused(ssl))
		atomic_fetch_add(&s->resumed, 1);
	while (!atomic_load(&s->stop) && read_request(ssl) == 0) {
		atomic_fetch_add(&s->requests, 1);
		n = snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\n"
		    "Content-Type: text/plain\r\nContent-Length: 2\r\n"
		    "Connection: %s\r\n\r\nok", s->keepalive ? "keep-alive" :
		    "close");
		if (SSL_write(ssl, resp, n) != n || !s->keepalive)
			break;
	}
	SSL_shutdown(ssl);
out:
	SSL_free(ssl);
	ERR_clear_error();
	close(c->fd);
	free(c);
	return NULL;
}

static void *
server_run(void *arg)
{
	struct server *s = arg;
	struct pollfd pfd;
	struct conn *c;
	int fd;

	while (!atomic_load(&s->stop)) {
		pfd.fd = s->lfd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if ((fd = accept(s->lfd, NULL, NULL)) == -1)
			continue;
		if (s->nconn >= MAX_CONNS ||
		    (c = calloc(1, sizeof(*c))) == NULL) {
			close(fd);
			continue;
		}
		c->s = s;
		c->fd = fd;
		if (pthread_create(&s->conn[s->nconn], NULL, conn_run, c) != 0) {
			close(fd);
			free(c);
			continue;
		}
		s->nconn++;
	}
	return NULL;
}

/* Serve on 127.0.0.1 with certificate i (C_A or C_B). */
static int
server_start(struct server *s, int i, int keepalive)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int one = 1;

	memset(s, 0, sizeof(*s));
	s->keepalive = keepalive;
	if ((s->ctx = SSL_CTX_new(TLS_server_method())) == NULL ||
	    SSL_CTX_use_certificate(s->ctx, cert[i]) != 1 ||
	    SSL_CTX_use_PrivateKey(s->ctx, pkey[i]) != 1)
		return -1;
	SSL_CTX_set_session_id_context(s->ctx, (const unsigned char *)"t", 1);
	if ((s->lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(s->lfd, 16) == -1 ||
	    getsockname(s->lfd, (struct sockaddr *)&sa, &sl) == -1)
		return -1;
	s->port = ntohs(sa.sin_port);
	return pthread_create(&s->th, NULL, server_run, s) == 0 ? 0 : -1;
}

static void
server_stop(struct server *s)
{
	int i;

	atomic_store(&s->stop, 1);
	pthread_join(s->th, NULL);
	for (i = 0; i < s->nconn; i++)
		pthread_join(s->conn[i], NULL);
	close(s->lfd);
	SSL_CTX_free(s->ctx);
}

/* --- the client ----------------------------------------------------------------- */

struct result {
	int		 done;
	int		 status;
	struct err	 err;
	struct event_base *base;
};

static void
on_done(void *arg, const struct peer_result *res)
{
	struct result *r = arg;

	r->done = 1;
	r->status = res->status;
	r->err = res->err;
	event_base_loopbreak(r->base);
}

static void
on_deadline(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

/* POST to the server as member m whose TLS listings are pins (n of them,
 * open windows); the result in *r. */
static void
post(struct peer *p, struct event_base *base, const struct server *s,
    const int *pins, int n, struct result *r)
{
	struct trust_member m;
	struct event *deadline;
	struct timeval tv = { 15, 0 };
	struct err e;
	int i;

	memset(&m, 0, sizeof(m));
	memset(r, 0, sizeof(*r));
	r->base = base;
	snprintf(m.id, sizeof(m.id), "FI/GOV/1234567-1/lasteri");
	snprintf(m.code, sizeof(m.code), "08");
	snprintf(m.endpoint, sizeof(m.endpoint), "https://127.0.0.1:%d",
	    s->port);
	for (i = 0; i < n; i++)
		memcpy(m.tls[i].fpr, fpr[pins[i]], 32);
	m.ntls = n;
	err_clear(&e);
	if (peer_post_member(p, &m, "/v1/records", "application/xml",
	    "<x/>", 4, 10000, 4096, on_done, r, &e) == -1) {
		r->done = 1;
		r->err = e;
		return;
	}
	deadline = evtimer_new(base, on_deadline, base);
	evtimer_add(deadline, &tv);
	while (!r->done && event_base_dispatch(base) == 0 &&
	    evtimer_pending(deadline, NULL))
		;
	event_free(deadline);
}

static struct peer *
client(struct event_base *base)
{
	struct peer *p;
	struct err e;

	err_clear(&e);
	if ((p = peer_new(base, client_crt, client_key, &e)) == NULL ||
	    peer_set_trust(p, tl, &e) == -1) {
		fprintf(stderr, "client: %s\n", e.msg);
		peer_free(p);
		return NULL;
	}
	return p;
}

/* --- tests ------------------------------------------------------------------------ */

static void
test_serves_a_request_pinned_to_the_listed_certificate(void)
{
	static const int a[] = { C_A }, b[] = { C_B };
	struct event_base *base = event_base_new();
	struct server s;
	struct result r;
	struct peer *p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	CU_ASSERT_EQUAL_FATAL(server_start(&s, C_A, 1), 0);
	p = client(base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	post(p, base, &s, a, 1, &r);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_EQUAL(r.err.code, ERR_OK);
	peer_free(p);
	/* A fresh client pinned to another certificate is refused. */
	p = client(base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	post(p, base, &s, b, 1, &r);
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_EQUAL(r.err.code, ERR_TLS);
	peer_free(p);
	server_stop(&s);
	event_base_free(base);
}

/* The member's TLS certificate is A, then the trust list says B while the
 * server still presents A (a retired, perhaps stolen, key). */
static void
pin_change(int keepalive)
{
	static const int a[] = { C_A }, b[] = { C_B };
	struct event_base *base = event_base_new();
	struct server s;
	struct result r;
	struct peer *p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	CU_ASSERT_EQUAL_FATAL(server_start(&s, C_A, keepalive), 0);
	p = client(base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	post(p, base, &s, a, 1, &r);
	CU_ASSERT_EQUAL(r.status, 200);
	post(p, base, &s, b, 1, &r);
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_EQUAL(r.err.code, ERR_TLS);
	if (r.err.code != ERR_TLS)
		printf("\n  pinned to B, server A (keep-alive %d, handshakes "
		    "%d, resumed %d, requests %d): status %d %s\n", keepalive,
		    atomic_load(&s.handshakes), atomic_load(&s.resumed),
		    atomic_load(&s.requests), r.status, r.err.msg);
	else if (strstr(r.err.msg, "certificate") == NULL) {
		CU_FAIL("the reason names the certificate");
		printf("\n  %s\n", r.err.msg);
	}
	/* The first server request was served; the second never reached
	 * the server as a request. */
	CU_ASSERT_EQUAL(atomic_load(&s.requests), 1);
	/* and A again is still fine */
	post(p, base, &s, a, 1, &r);
	CU_ASSERT_EQUAL(r.status, 200);
	peer_free(p);
	server_stop(&s);
	event_base_free(base);
}

static void
test_rechecks_the_pin_on_a_kept_alive_connection(void)
{
	pin_change(1);
}

/* The server closes after each answer, so the second request needs a new
 * connection, which resumes the first one's TLS session (the peer's share
 * handle keeps it): no handshake verification, prereq_cb's check only
 * (tests/test_fanout.c shows the resumption). */
static void
test_rechecks_the_pin_on_a_new_connection(void)
{
	pin_change(0);
}

static void
test_accepts_either_tls_certificate_during_a_rotation(void)
{
	static const int both[] = { C_A, C_B };
	struct event_base *base = event_base_new();
	struct server s;
	struct result r;
	struct peer *p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	p = client(base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL_FATAL(server_start(&s, C_A, 1), 0);
	post(p, base, &s, both, 2, &r);
	CU_ASSERT_EQUAL(r.status, 200);
	server_stop(&s);
	/* the member switches to B */
	CU_ASSERT_EQUAL_FATAL(server_start(&s, C_B, 1), 0);
	post(p, base, &s, both, 2, &r);
	CU_ASSERT_EQUAL(r.status, 200);
	if (r.status != 200)
		printf("\n  %s\n", r.err.msg);
	server_stop(&s);
	peer_free(p);
	event_base_free(base);
}

static void
test_refuses_a_member_without_a_tls_certificate_in_use(void)
{
	struct event_base *base = event_base_new();
	struct trust_member m;
	struct peer *p;
	struct err e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	p = client(base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	memset(&m, 0, sizeof(m));
	snprintf(m.id, sizeof(m.id), "FI/GOV/1234567-1/lasteri");
	snprintf(m.endpoint, sizeof(m.endpoint), "https://127.0.0.1:1");
	memcpy(m.tls[0].fpr, fpr[C_A], 32);
	m.tls[0].not_after = time(NULL) - 60;	/* retired */
	m.ntls = 1;
	err_clear(&e);
	CU_ASSERT_EQUAL(peer_post_member(p, &m, "/v1/records", NULL, "x", 1,
	    1000, 100, on_done, NULL, &e), -1);
	CU_ASSERT_EQUAL(e.code, ERR_TLS);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "no TLS certificate of its "
	    "listing is in use now"));
	peer_free(p);
	event_base_free(base);
}

static CU_TestInfo pin_tests[] = {
	{ "serves a request pinned to the listed certificate",
	    test_serves_a_request_pinned_to_the_listed_certificate },
	{ "re-checks the pin on a kept-alive connection",
	    test_rechecks_the_pin_on_a_kept_alive_connection },
	{ "re-checks the pin on a new connection to the same server",
	    test_rechecks_the_pin_on_a_new_connection },
	{ "accepts either TLS certificate during a rotation",
	    test_accepts_either_tls_certificate_during_a_rotation },
	{ "refuses a member without a TLS certificate in use",
	    test_refuses_a_member_without_a_tls_certificate_in_use },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ "peer: pinning", suite_init, suite_clean, NULL, NULL, pin_tests },
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	return test_run_suites(suites);
}
