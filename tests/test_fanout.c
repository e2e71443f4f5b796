/*
 * test_fanout.c - the fan-out engine (federation/fanout.c): one signed
 * Query to many members at once, each ending with exactly one status (ok,
 * timeout, unreachable, tls-error, bad-signature, error with its detail)
 * by the deadline, only verified answers carrying results; connections and
 * TLS sessions reused between queries (federation/peer.c's share handle).
 *
 * The members are small HTTPS servers on 127.0.0.1 in threads of this
 * program (OpenSSL, one thread per connection), each behaving as told:
 * answer given bytes with a given HTTP status, read the request and never
 * answer, or accept TCP and never start TLS.  The test PKI is made with
 * certs/mkpki ($LASTERI_CERTS_DIR) in suite init, and the trust list is
 * built and signed by the operator here, as tests/test_envelope.c does.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <ctype.h>
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

#include "dsig.h"
#include "envelope.h"
#include "fanout.h"
#include "model.h"
#include "peer.h"
#include "trust.h"
#include "verifier.h"
#include "xml.h"
#include "testmain.h"

#define LIST_MAX	(64 * 1024)
#define REQ_MAX		(64 * 1024)
#define MAX_CONNS	32

/* Twelve regions and the coordinator that asks. */
enum { R01, R02, R03, R04, R05, R06, R07, R08, R09, R10, R11, R12, THL,
    NMEMBERS };
#define NREGIONS	THL
static const char *codes[NMEMBERS] = { "01", "02", "03", "04", "05", "06",
    "07", "08", "09", "10", "11", "12", "thl" };

static char pkidir[256];
static char ids[NMEMBERS][160];
static struct dsig_key *keys[NMEMBERS];
static struct trust_list *tl;
static struct verifier *ver;
static time_t now;

/* --- the PKI and the trust list ------------------------------------------- */

static X509 *
pem_load(const char *path)
{
	FILE *f;
	X509 *x;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	return x;
}

static int
fpr_hex(const char *path, char out[65])
{
	unsigned char md[32];
	unsigned int len;
	X509 *x;
	int i, rc;

	if ((x = pem_load(path)) == NULL)
		return -1;
	rc = X509_digest(x, EVP_sha256(), md, &len) == 1 && len == 32 ? 0 : -1;
	X509_free(x);
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return rc;
}

static void
member_path(char *buf, size_t len, int i, const char *file)
{
	snprintf(buf, len, "%s/members/%s/%s", pkidir, codes[i], file);
}

/* The operator-signed trust list; endpoints are set per test. */
static int
trust_list_make(void)
{
	char *text = NULL, *out = NULL, path[512], crtf[512], th[65], sh[65];
	char t1[32], t2[32], b64[4096];
	unsigned char *der = NULL;
	struct dsig_key *op = NULL;
	xmlDocPtr doc = NULL;
	X509 *ca = NULL, *opcrt = NULL;
	size_t off, len = 0;
	struct err e;
	int i, dlen, rc = -1;

	err_clear(&e);
	if ((text = malloc(LIST_MAX)) == NULL)
		goto done;
	snprintf(path, sizeof(path), "%s/pki/ca.crt", pkidir);
	if ((ca = pem_load(path)) == NULL || (dlen = i2d_X509(ca, &der)) <= 0)
		goto done;
	EVP_EncodeBlock((unsigned char *)b64, der, dlen);
	model_datetime_format(now - 3600, t1);
	model_datetime_format(now + 30 * 86400, t2);
	off = (size_t)snprintf(text, LIST_MAX,
	    "<TrustList xmlns=\"urn:lasteri:1\" Id=\"tl-1\">"
	    "<Instance>FI</Instance><Sequence>1</Sequence>"
	    "<Issued>%s</Issued><Expires>%s</Expires>"
	    "<CACertificates><Certificate>%s</Certificate></CACertificates>"
	    "<Members>", t1, t2, b64);
	for (i = 0; i < NMEMBERS; i++) {
		member_path(path, sizeof(path), i, "tls.crt");
		if (fpr_hex(path, th) == -1)
			goto done;
		member_path(path, sizeof(path), i, "sign.crt");
		if (fpr_hex(path, sh) == -1)
			goto done;
		off += (size_t)snprintf(text + off, LIST_MAX - off,
		    "<Member><MemberId>%s</MemberId><Name>Member %s</Name>"
		    "<Code>%s</Code>%s%s%s<Roles>%s</Roles>"
		    "<Endpoint>https://127.0.0.1:1</Endpoint>"
		    "<TlsCertificate sha256=\"%s\"/>"
		    "<SigningCertificate sha256=\"%s\"/></Member>", ids[i],
		    codes[i], codes[i], i < NREGIONS ? "<Region>" : "",
		    i < NREGIONS ? codes[i] : "", i < NREGIONS ? "</Region>" :
		    "", i < NREGIONS ? "region" : "coordinator", th, sh);
	}
	snprintf(text + off, LIST_MAX - off, "</Members></TrustList>");
	snprintf(path, sizeof(path), "%s/pki/operator.key", pkidir);
	snprintf(crtf, sizeof(crtf), "%s/pki/operator.crt", pkidir);
	if ((doc = xml_parse(text, strlen(text), "tl", &xml_limits_wire,
	    &e)) == NULL || dsig_key_load(path, crtf, &op, &e) == -1 ||
	    dsig_sign(op, doc, &e) == -1 ||
	    xml_serialize(doc, &out, &len, &e) == -1 ||
	    (opcrt = pem_load(crtf)) == NULL ||
	    trust_parse(out, len, "tl.xml", opcrt, NULL, now, &tl, &e) == -1)
		goto done;
	rc = 0;
done:
	if (rc == -1)
		fprintf(stderr, "trust list: %s\n", e.msg);
	xmlFree(out);
	xmlFreeDoc(doc);
	dsig_key_free(op);
	X509_free(opcrt);
	X509_free(ca);
	OPENSSL_free(der);
	free(text);
	return rc;
}

static int
suite_init(void)
{
	char cmd[2048], path[512], crt[512], list[256] = "";
	const char *certs = getenv("LASTERI_CERTS_DIR");
	struct err e;
	FILE *f;
	int i;

	/* The test servers write to connections the client may have closed
	 * (a request refused after a resumed handshake, a cancelled one). */
	signal(SIGPIPE, SIG_IGN);
	if (certs == NULL)
		certs = LASTERI_SRC_CERTSDIR;
	snprintf(pkidir, sizeof(pkidir), "%s/lasteri-fanout.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(pkidir) == NULL)
		return -1;
	for (i = 0; i < NMEMBERS; i++) {
		strncat(list, codes[i], sizeof(list) - strlen(list) - 1);
		strncat(list, " ", sizeof(list) - strlen(list) - 1);
	}
	snprintf(cmd, sizeof(cmd), "'%s/mkpki' '%s/f' --members '%s' "
	    ">/dev/null", certs, pkidir, list);
	if (system(cmd) != 0)
		return -1;
	now = time(NULL);
	strncat(pkidir, "/f", sizeof(pkidir) - strlen(pkidir) - 1);
	xml_init();
	err_clear(&e);
	if (dsig_init(&e) == -1)
		return -1;
	for (i = 0; i < NMEMBERS; i++) {
		member_path(path, sizeof(path), i, "member.id");
		if ((f = fopen(path, "r")) == NULL)
			return -1;
		if (fgets(ids[i], sizeof(ids[i]), f) == NULL) {
			fclose(f);
			return -1;
		}
		fclose(f);
		ids[i][strcspn(ids[i], "\n")] = '\0';
		member_path(path, sizeof(path), i, "sign.key");
		member_path(crt, sizeof(crt), i, "sign.crt");
		if (dsig_key_load(path, crt, &keys[i], &e) == -1)
			return -1;
	}
	if (trust_list_make() == -1)
		return -1;
	if ((ver = verifier_new(tl, &e)) == NULL)
		return -1;
	return 0;
}

static int
suite_clean(void)
{
	char cmd[600];
	int i;

	verifier_free(ver);
	trust_unref(tl);
	for (i = 0; i < NMEMBERS; i++)
		dsig_key_free(keys[i]);
	pkidir[strlen(pkidir) - 2] = '\0';	/* drop "/f" */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", pkidir);
	return system(cmd) == 0 ? 0 : -1;
}

/* --- documents ------------------------------------------------------------ */

static const char results_xml[] =
    "<PlacementResults xmlns=\"urn:lasteri:1\" scanned=\"3\" matched=\"1\">"
    "<Result><Unit>U-1</Unit><Name>Koti</Name><Region>01</Region>"
    "<Type>childrens-home</Type><ServiceLevel>special</ServiceLevel>"
    "<FreePlaces updated=\"2026-11-24T09:30:00Z\">2</FreePlaces>"
    "<DailyPrice>689.00</DailyPrice><Score>8200</Score>"
    "<NeedsMet>1</NeedsMet><NeedsAsked>2</NeedsAsked>"
    "<InFramework>false</InFramework><OpenSerious>0</OpenSerious>"
    "<RecentFindings>0</RecentFindings></Result></PlacementResults>";

/* A query signed by thl: its bytes (xmlFree()) and digest. */
static char *
query_make(size_t *len, unsigned char md[32])
{
	struct envelope_query q;
	char *out = NULL;
	xmlDocPtr doc;
	struct err e;

	err_clear(&e);
	envelope_query_init(&q, ENVELOPE_STATISTICS);
	q.stats.by = ENVELOPE_BY_TYPE;
	snprintf(q.from, sizeof(q.from), "%s", ids[THL]);
	if ((doc = envelope_query_new(&q, time(NULL), 60, &e)) == NULL ||
	    dsig_sign(keys[THL], doc, &e) == -1 ||
	    xml_serialize(doc, &out, len, &e) == -1) {
		printf("\n  query: %s\n", e.msg);
		xmlFreeDoc(doc);
		return NULL;
	}
	xmlFreeDoc(doc);
	EVP_Digest(out, *len, md, NULL, EVP_sha256(), NULL);
	return out;
}

/* A Response from member from (signed by its key) to thl, answering
 * digest, with status st; xmlFree(). */
static char *
response_make(const unsigned char digest[32], int from,
    enum envelope_status st, size_t *len)
{
	xmlDocPtr rdoc = NULL, doc;
	char *out = NULL;
	struct err e;

	err_clear(&e);
	if (st == ENVELOPE_ST_OK && (rdoc = xml_parse(results_xml,
	    strlen(results_xml), "results", &xml_limits_wire, &e)) == NULL)
		return NULL;
	doc = envelope_response_new(ids[THL], digest, ids[from], st,
	    st == ENVELOPE_ST_OK ? NULL : "nonce seen before",
	    rdoc != NULL ? xmlDocGetRootElement(rdoc) : NULL, &e);
	xmlFreeDoc(rdoc);
	if (doc == NULL || dsig_sign(keys[from], doc, &e) == -1 ||
	    xml_serialize(doc, &out, len, &e) == -1) {
		printf("\n  response: %s\n", e.msg);
		out = NULL;
	}
	xmlFreeDoc(doc);
	return out;
}

/* Flips one base64 character of the SignatureValue. */
static int
signature_flip(char *buf)
{
	char *p = strstr(buf, "SignatureValue>");

	if (p == NULL)
		return -1;
	p += strlen("SignatureValue>");
	while (isspace((unsigned char)*p))
		p++;
	p += 2;
	*p = *p == 'A' ? 'B' : 'A';
	return 0;
}

/* --- small HTTPS servers -------------------------------------------------- */

enum mode {
	M_ANSWER,	/* answer body with status */
	M_SILENT,	/* read the request, never answer */
	M_STALL		/* accept TCP, never start TLS */
};

struct server {
	int		 lfd, port;
	SSL_CTX		*ctx;
	enum mode	 mode;
	int		 keepalive;
	pthread_mutex_t	 mu;		/* the answer and the query */
	int		 status;
	char		*body;		/* owned */
	size_t		 len;
	const char	*query;		/* expected request body, borrowed */
	size_t		 qlen;
	atomic_int	 stop;
	atomic_int	 handshakes, resumed, requests, got_query;
	pthread_t	 th;
	pthread_t	 conn[MAX_CONNS];
	int		 nconn;
};

struct conn {
	struct server	*s;
	int		 fd;
};

/* Read one request; counts it as the query when it is POST /v1/query of
 * application/xml with exactly the query's bytes.  0, or -1 at EOF. */
static int
read_request(SSL *ssl, struct server *s)
{
	char *buf, *hdr, *cl;
	size_t len = 0, want;
	int n, rc = -1;

	if ((buf = malloc(REQ_MAX + 1)) == NULL)
		return -1;
	for (;;) {
		if (len >= REQ_MAX)
			goto done;
		if ((n = SSL_read(ssl, buf + len, (int)(REQ_MAX - len))) <= 0)
			goto done;
		len += (size_t)n;
		buf[len] = '\0';
		if ((hdr = strstr(buf, "\r\n\r\n")) != NULL)
			break;
	}
	want = (size_t)(hdr + 4 - buf);
	if ((cl = strstr(buf, "Content-Length:")) != NULL && cl < hdr)
		want += (size_t)strtol(cl + 15, NULL, 10);
	if (want > REQ_MAX)
		goto done;
	while (len < want) {
		if ((n = SSL_read(ssl, buf + len, (int)(want - len))) <= 0)
			goto done;
		len += (size_t)n;
	}
	buf[len] = '\0';
	pthread_mutex_lock(&s->mu);
	if (strncmp(buf, "POST /v1/query HTTP/1.1\r\n", 25) == 0 &&
	    strstr(buf, "Content-Type: application/xml\r\n") != NULL &&
	    s->query != NULL && len - (size_t)(hdr + 4 - buf) == s->qlen &&
	    memcmp(hdr + 4, s->query, s->qlen) == 0)
		atomic_fetch_add(&s->got_query, 1);
	pthread_mutex_unlock(&s->mu);
	rc = 0;
done:
	free(buf);
	return rc;
}

static void
wait_stop(struct server *s)
{
	int i;

	for (i = 0; i < 3000 && !atomic_load(&s->stop); i++)
		usleep(10000);
}

static void
answer(SSL *ssl, struct server *s)
{
	char head[256];
	int n, ok;

	pthread_mutex_lock(&s->mu);
	n = snprintf(head, sizeof(head), "HTTP/1.1 %d X\r\n"
	    "Content-Type: application/xml\r\nContent-Length: %zu\r\n"
	    "Connection: %s\r\n\r\n", s->status, s->len, s->keepalive ?
	    "keep-alive" : "close");
	ok = SSL_write(ssl, head, n) == n && (s->len == 0 ||
	    SSL_write(ssl, s->body, (int)s->len) == (int)s->len);
	pthread_mutex_unlock(&s->mu);
	(void)ok;
}

static void *
conn_run(void *arg)
{
	struct conn *c = arg;
	struct server *s = c->s;
	struct timeval tv = { 5, 0 };
	SSL *ssl = NULL;

	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (s->mode == M_STALL) {
		wait_stop(s);
		goto out;
	}
	if ((ssl = SSL_new(s->ctx)) == NULL)
		goto out;
	SSL_set_fd(ssl, c->fd);
	if (SSL_accept(ssl) != 1)
		goto out;
	atomic_fetch_add(&s->handshakes, 1);
	if (SSL_session_reused(ssl))
		atomic_fetch_add(&s->resumed, 1);
	while (!atomic_load(&s->stop) && read_request(ssl, s) == 0) {
		atomic_fetch_add(&s->requests, 1);
		if (s->mode == M_SILENT) {
			wait_stop(s);
			break;
		}
		answer(ssl, s);
		if (!s->keepalive)
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
		if (poll(&pfd, 1, 50) <= 0)
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

/* Set what s answers: status and body (copied; NULL none). */
static void
server_answer(struct server *s, int status, const char *body, size_t len)
{
	pthread_mutex_lock(&s->mu);
	free(s->body);
	s->body = NULL;
	s->len = 0;
	if (body != NULL && (s->body = malloc(len + 1)) != NULL) {
		memcpy(s->body, body, len);
		s->len = len;
	}
	s->status = status;
	pthread_mutex_unlock(&s->mu);
}

static void
server_query(struct server *s, const char *q, size_t qlen)
{
	pthread_mutex_lock(&s->mu);
	s->query = q;
	s->qlen = qlen;
	pthread_mutex_unlock(&s->mu);
}

/* Serve on 127.0.0.1 presenting member tls_of's TLS certificate. */
static int
server_start(struct server *s, int tls_of, enum mode mode, int keepalive)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	char crt[512], key[512];
	int one = 1;

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->mu, NULL);
	s->mode = mode;
	s->keepalive = keepalive;
	s->lfd = -1;
	member_path(crt, sizeof(crt), tls_of, "tls.crt");
	member_path(key, sizeof(key), tls_of, "tls.key");
	if ((s->ctx = SSL_CTX_new(TLS_server_method())) == NULL ||
	    SSL_CTX_use_certificate_file(s->ctx, crt, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_use_PrivateKey_file(s->ctx, key, SSL_FILETYPE_PEM) != 1)
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
	free(s->body);
	pthread_mutex_destroy(&s->mu);
}

/* A port on 127.0.0.1 nothing listens on. */
static int
closed_port(void)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd, port = -1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
		port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

/* --- the asking side ------------------------------------------------------ */

struct run {
	struct event_base	*base;
	struct timespec		 t0;
	int			 in_start;
	int			 done_calls, done_in_start;
	struct fanout_result	*res;
	size_t			 n;
	long			 done_ms;
	int			 progress_calls, progress_bad;
	size_t			 last_answered;
	size_t			 counts[FANOUT_ST_COUNT];
	struct fanout		*free_in_done;
};

static long
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (long)((t1.tv_sec - t0->tv_sec) * 1000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000000);
}

static void
on_progress(void *arg, const struct fanout_result *r, size_t answered,
    size_t n, const size_t counts[FANOUT_ST_COUNT])
{
	struct run *run = arg;
	size_t sum = 0;
	int i;

	run->progress_calls++;
	for (i = 0; i < FANOUT_ST_COUNT; i++)
		sum += counts[i];
	if (sum != answered || answered != run->last_answered + 1 ||
	    answered > n || counts[r->status] == 0 || run->in_start)
		run->progress_bad++;
	run->last_answered = answered;
	memcpy(run->counts, counts, sizeof(run->counts));
}

static void
on_done(void *arg, struct fanout_result *results, size_t n)
{
	struct run *run = arg;

	run->done_calls++;
	run->done_in_start |= run->in_start;
	run->res = results;
	run->n = n;
	run->done_ms = ms_since(&run->t0);
	if (run->free_in_done != NULL) {
		fanout_free(run->free_in_done);
		run->free_in_done = NULL;
		run->res = NULL;
	}
	event_base_loopbreak(run->base);
}

static void
on_limit(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	event_base_loopbreak(arg);
}

/* Runs the loop until done() or limit_ms. */
static void
run_loop(struct run *run, long limit_ms)
{
	struct timeval tv = { limit_ms / 1000, (limit_ms % 1000) * 1000 };
	struct event *limit = evtimer_new(run->base, on_limit, run->base);

	evtimer_add(limit, &tv);
	while (!run->done_calls && evtimer_pending(limit, NULL) &&
	    event_base_dispatch(run->base) == 0)
		;
	event_free(limit);
}

static struct peer *
client(struct event_base *base)
{
	char crt[512], key[512];
	struct peer *p;
	struct err e;

	err_clear(&e);
	member_path(crt, sizeof(crt), THL, "tls.crt");
	member_path(key, sizeof(key), THL, "tls.key");
	if ((p = peer_new(base, crt, key, &e)) == NULL ||
	    peer_set_trust(p, tl, &e) == -1) {
		fprintf(stderr, "client: %s\n", e.msg);
		peer_free(p);
		return NULL;
	}
	return p;
}

/* Member i of the trust list, its endpoint port. */
static void
member_at(struct trust_member *m, int i, int port)
{
	const struct trust_member *tm = trust_member_by_id(tl, ids[i]);

	CU_ASSERT_PTR_NOT_NULL_FATAL(tm);
	*m = *tm;
	snprintf(m->endpoint, sizeof(m->endpoint), "https://127.0.0.1:%d",
	    port);
}

static struct fanout *
start(struct run *run, struct peer *p, const char *q, size_t qlen,
    const unsigned char md[32], const struct trust_member *const *mp,
    size_t n, long deadline_ms)
{
	struct fanout *f;
	struct err e;

	err_clear(&e);
	run->in_start = 1;
	clock_gettime(CLOCK_MONOTONIC, &run->t0);
	f = fanout_start(p, ver, ids[THL], q, qlen, md, mp, n, deadline_ms,
	    on_progress, on_done, run, &e);
	run->in_start = 0;
	if (f == NULL)
		printf("\n  fanout_start: %s\n", e.msg);
	return f;
}

/* 1 when result r is member i with status st and detail holding needle. */
static int
has_status(const struct fanout_result *r, int i, enum fanout_status st,
    const char *needle)
{
	if (strcmp(r->member, ids[i]) == 0 && r->status == st &&
	    strstr(r->detail, needle) != NULL)
		return 1;
	printf("\n  member %s: %s \"%s\" (HTTP %d, %ld ms), wanted %s "
	    "\"%s\"\n", codes[i], fanout_status_name(r->status), r->detail,
	    r->http_status, r->ms, fanout_status_name(st), needle);
	return 0;
}

/* --- tests ---------------------------------------------------------------- */

static void
test_gives_each_member_exactly_its_status(void)
{
	static const struct {
		enum mode		mode;
		int			tls_of;	/* certificate presented */
		enum fanout_status	want;
		const char		*needle;
	} cases[NREGIONS] = {
		[R01] = { M_ANSWER, R01, FANOUT_ST_OK, "" },
		[R02] = { M_ANSWER, R02, FANOUT_ST_OK, "" },
		[R03] = { M_SILENT, R03, FANOUT_ST_TIMEOUT, "" },
		[R04] = { M_STALL, R04, FANOUT_ST_TIMEOUT, "" },
		[R05] = { M_ANSWER, R05, FANOUT_ST_UNREACHABLE, "" },
		[R06] = { M_ANSWER, R01, FANOUT_ST_TLS_ERROR, "" },
		[R07] = { M_ANSWER, R07, FANOUT_ST_BAD_SIGNATURE, "" },
		[R08] = { M_ANSWER, R08, FANOUT_ST_BAD_SIGNATURE,
		    "not by the member asked" },
		[R09] = { M_ANSWER, R09, FANOUT_ST_ERROR,
		    "wrong query digest" },
		[R10] = { M_ANSWER, R10, FANOUT_ST_ERROR,
		    "refused: replayed: nonce seen before" },
		[R11] = { M_ANSWER, R11, FANOUT_ST_ERROR, "HTTP 503" },
		[R12] = { M_ANSWER, R12, FANOUT_ST_ERROR, "answer of 12" },
	};
	const long deadline = 3000;
	struct event_base *base = event_base_new();
	struct trust_member mem[NREGIONS];
	const struct trust_member *mp[NREGIONS];
	struct server srv[NREGIONS];
	unsigned char md[32], other[32];
	struct run run;
	struct fanout *f;
	struct peer *p;
	struct fanout_result *r;
	char *q, *q2, *body[NREGIONS];
	size_t qlen = 0, q2len = 0, blen[NREGIONS];
	int i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	q = query_make(&qlen, md);
	q2 = query_make(&q2len, other);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q2);
	memset(body, 0, sizeof(body));
	memset(blen, 0, sizeof(blen));
	body[R01] = response_make(md, R01, ENVELOPE_ST_OK, &blen[R01]);
	body[R02] = response_make(md, R02, ENVELOPE_ST_OK, &blen[R02]);
	body[R06] = response_make(md, R06, ENVELOPE_ST_OK, &blen[R06]);
	body[R07] = response_make(md, R07, ENVELOPE_ST_OK, &blen[R07]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(body[R07]);
	CU_ASSERT_EQUAL_FATAL(signature_flip(body[R07]), 0);
	/* 08 passes on 01's genuine answer to this very query */
	body[R08] = response_make(md, R01, ENVELOPE_ST_OK, &blen[R08]);
	/* 09's own genuine answer, to another query (a replay) */
	body[R09] = response_make(other, R09, ENVELOPE_ST_OK, &blen[R09]);
	body[R10] = response_make(md, R10, ENVELOPE_ST_REPLAYED, &blen[R10]);
	body[R11] = (char *)xmlStrdup((const xmlChar *)"busy\n");
	blen[R11] = 5;
	body[R12] = (char *)xmlStrdup((const xmlChar *)"<Response");
	blen[R12] = 9;
	for (i = 0; i < NREGIONS; i++) {
		if (i == R03 || i == R04 || i == R05)
			continue;
		CU_ASSERT_PTR_NOT_NULL_FATAL(body[i]);
	}

	for (i = 0; i < NREGIONS; i++) {
		if (i == R05) {
			member_at(&mem[i], i, closed_port());
			mp[i] = &mem[i];
			continue;
		}
		CU_ASSERT_EQUAL_FATAL(server_start(&srv[i], cases[i].tls_of,
		    cases[i].mode, 1), 0);
		server_answer(&srv[i], i == R10 ? 409 : i == R11 ? 503 : 200,
		    body[i], blen[i]);
		server_query(&srv[i], q, qlen);
		member_at(&mem[i], i, srv[i].port);
		mp[i] = &mem[i];
	}
	p = client(base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	memset(&run, 0, sizeof(run));
	run.base = base;
	f = start(&run, p, q, qlen, md, mp, NREGIONS, deadline);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	run_loop(&run, 4 * deadline);

	CU_ASSERT_EQUAL(run.done_calls, 1);
	CU_ASSERT_EQUAL(run.done_in_start, 0);
	CU_ASSERT_EQUAL(run.n, NREGIONS);
	/* The silent member ends at the deadline, no later than 10 % after
	 * it (and a scheduling allowance: the machine is shared). */
	CU_ASSERT(run.done_ms >= deadline - 200);
	CU_ASSERT(run.done_ms <= deadline + deadline / 10 + 200);
	if (run.done_ms > deadline + deadline / 10 + 200)
		printf("\n  done after %ld ms, deadline %ld ms\n",
		    run.done_ms, deadline);
	CU_ASSERT_EQUAL(run.progress_calls, NREGIONS);
	CU_ASSERT_EQUAL(run.progress_bad, 0);
	CU_ASSERT_EQUAL(run.counts[FANOUT_ST_OK], 2);
	CU_ASSERT_EQUAL(run.counts[FANOUT_ST_TIMEOUT], 2);
	CU_ASSERT_EQUAL(run.counts[FANOUT_ST_UNREACHABLE], 1);
	CU_ASSERT_EQUAL(run.counts[FANOUT_ST_TLS_ERROR], 1);
	CU_ASSERT_EQUAL(run.counts[FANOUT_ST_BAD_SIGNATURE], 2);
	CU_ASSERT_EQUAL(run.counts[FANOUT_ST_ERROR], 4);
	for (i = 0; run.res != NULL && i < NREGIONS; i++) {
		r = &run.res[i];
		CU_ASSERT_TRUE(has_status(r, i, cases[i].want,
		    cases[i].needle));
		CU_ASSERT_STRING_EQUAL(r->code, codes[i]);
		CU_ASSERT_STRING_EQUAL(r->region, codes[i]);
		CU_ASSERT(r->ms >= 0 && r->ms <= run.done_ms);
		/* Only ok answers carry results. */
		if (r->status == FANOUT_ST_OK) {
			CU_ASSERT_PTR_NOT_NULL(r->doc);
			CU_ASSERT_PTR_NOT_NULL(r->resp.results);
			if (r->resp.results != NULL)
				CU_ASSERT_TRUE(xml_is(r->resp.results,
				    "PlacementResults"));
			CU_ASSERT_STRING_EQUAL(r->resp.from, ids[i]);
			CU_ASSERT_STRING_EQUAL(r->resp.info.member_id, ids[i]);
			CU_ASSERT_EQUAL(memcmp(r->resp.query_digest, md, 32),
			    0);
			CU_ASSERT_STRING_EQUAL(r->detail, "");
			CU_ASSERT_EQUAL(r->http_status, 200);
		} else {
			CU_ASSERT_PTR_NULL(r->doc);
			CU_ASSERT_PTR_NULL(r->resp.results);
			CU_ASSERT_NOT_EQUAL(r->detail[0], '\0');
		}
		/* Every answer that came is kept verbatim. */
		if (i == R03 || i == R04 || i == R05 || i == R06) {
			CU_ASSERT_PTR_NULL(r->body);
			CU_ASSERT_EQUAL(r->http_status, 0);
		} else {
			CU_ASSERT_EQUAL(r->len, blen[i]);
			CU_ASSERT(r->body != NULL && r->len == blen[i] &&
			    memcmp(r->body, body[i], blen[i]) == 0);
		}
	}
	if (run.res != NULL) {
		CU_ASSERT_EQUAL(run.res[R10].http_status, 409);
		CU_ASSERT_EQUAL(run.res[R11].http_status, 503);
	}
	/* Every member that read a request got the query's exact bytes; the
	 * one presenting an unlisted certificate got nothing. */
	for (i = 0; i < NREGIONS; i++) {
		if (i == R04 || i == R05)
			continue;
		if (i == R06) {
			CU_ASSERT_EQUAL(atomic_load(&srv[i].requests), 0);
			continue;
		}
		CU_ASSERT_EQUAL(atomic_load(&srv[i].got_query), 1);
	}
	fanout_free(f);
	CU_ASSERT_EQUAL(peer_inflight(p), 0);
	peer_free(p);
	for (i = 0; i < NREGIONS; i++) {
		if (i != R05)
			server_stop(&srv[i]);
		xmlFree(body[i]);
	}
	xmlFree(q);
	xmlFree(q2);
	event_base_free(base);
}

/* A short deadline: one member reads the query and never answers, one
 * accepts TCP and never starts TLS, one answers at once. */
static void
test_ends_members_that_never_answer_by_the_deadline(void)
{
	const long deadline = 1000;
	struct event_base *base = event_base_new();
	struct trust_member mem[3];
	const struct trust_member *mp[3] = { &mem[0], &mem[1], &mem[2] };
	struct server silent, stall, ok;
	unsigned char md[32];
	struct run run;
	struct fanout *f;
	struct peer *p;
	char *q, *a;
	size_t qlen = 0, alen = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	q = query_make(&qlen, md);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	a = response_make(md, R03, ENVELOPE_ST_OK, &alen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL_FATAL(server_start(&silent, R01, M_SILENT, 1), 0);
	CU_ASSERT_EQUAL_FATAL(server_start(&stall, R02, M_STALL, 1), 0);
	CU_ASSERT_EQUAL_FATAL(server_start(&ok, R03, M_ANSWER, 1), 0);
	server_answer(&ok, 200, a, alen);
	member_at(&mem[0], R01, silent.port);
	member_at(&mem[1], R02, stall.port);
	member_at(&mem[2], R03, ok.port);
	p = client(base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	memset(&run, 0, sizeof(run));
	run.base = base;
	f = start(&run, p, q, qlen, md, mp, 3, deadline);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	run_loop(&run, 10 * deadline);
	CU_ASSERT_EQUAL(run.done_calls, 1);
	CU_ASSERT(run.done_ms <= deadline + deadline / 10 + 200);
	if (run.done_ms > deadline + deadline / 10 + 200)
		printf("\n  done after %ld ms, deadline %ld ms\n",
		    run.done_ms, deadline);
	if (run.res != NULL) {
		CU_ASSERT_TRUE(has_status(&run.res[0], R01,
		    FANOUT_ST_TIMEOUT, ""));
		CU_ASSERT_TRUE(has_status(&run.res[1], R02,
		    FANOUT_ST_TIMEOUT, ""));
		CU_ASSERT_TRUE(has_status(&run.res[2], R03, FANOUT_ST_OK, ""));
		/* The stalled handshake ends at the connect timeout, half
		 * the deadline, the silent one at its transfer timeout or
		 * the deadline (loosely: the machine is shared). */
		CU_ASSERT(run.res[1].ms < deadline * 8 / 10);
		CU_ASSERT(run.res[0].ms >= deadline * 8 / 10);
	}
	fanout_free(f);
	CU_ASSERT_EQUAL(peer_inflight(p), 0);
	peer_free(p);
	server_stop(&silent);
	server_stop(&stall);
	server_stop(&ok);
	xmlFree(a);
	xmlFree(q);
	event_base_free(base);
}

/* Two national queries one after another: 01 keeps its connection open,
 * 02 closes after each answer, so the second query reuses 01's connection
 * and resumes 02's TLS session. */
static void
test_reuses_connections_and_tls_sessions_between_queries(void)
{
	struct event_base *base = event_base_new();
	struct trust_member mem[2];
	const struct trust_member *mp[2] = { &mem[0], &mem[1] };
	struct server keep, close1;
	unsigned char md[32];
	struct run run;
	struct fanout *f;
	struct peer *p;
	char *q, *a;
	size_t qlen = 0, alen = 0;
	int k;

	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	CU_ASSERT_EQUAL_FATAL(server_start(&keep, R01, M_ANSWER, 1), 0);
	CU_ASSERT_EQUAL_FATAL(server_start(&close1, R02, M_ANSWER, 0), 0);
	member_at(&mem[0], R01, keep.port);
	member_at(&mem[1], R02, close1.port);
	p = client(base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	for (k = 0; k < 2; k++) {
		q = query_make(&qlen, md);
		CU_ASSERT_PTR_NOT_NULL_FATAL(q);
		a = response_make(md, R01, ENVELOPE_ST_OK, &alen);
		server_answer(&keep, 200, a, alen);
		xmlFree(a);
		a = response_make(md, R02, ENVELOPE_ST_OK, &alen);
		server_answer(&close1, 200, a, alen);
		xmlFree(a);
		memset(&run, 0, sizeof(run));
		run.base = base;
		f = start(&run, p, q, qlen, md, mp, 2, 5000);
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		run_loop(&run, 10000);
		CU_ASSERT_EQUAL(run.done_calls, 1);
		if (run.res != NULL) {
			CU_ASSERT_TRUE(has_status(&run.res[0], R01,
			    FANOUT_ST_OK, ""));
			CU_ASSERT_TRUE(has_status(&run.res[1], R02,
			    FANOUT_ST_OK, ""));
		}
		fanout_free(f);
		xmlFree(q);
	}
	CU_ASSERT_EQUAL(atomic_load(&keep.requests), 2);
	CU_ASSERT_EQUAL(atomic_load(&keep.handshakes), 1);
	CU_ASSERT_EQUAL(atomic_load(&close1.requests), 2);
	CU_ASSERT_EQUAL(atomic_load(&close1.handshakes), 2);
	CU_ASSERT_EQUAL(atomic_load(&close1.resumed), 1);
	if (atomic_load(&close1.resumed) != 1)
		printf("\n  closing server: %d handshakes, %d resumed\n",
		    atomic_load(&close1.handshakes),
		    atomic_load(&close1.resumed));
	peer_free(p);
	server_stop(&keep);
	server_stop(&close1);
	event_base_free(base);
}

/* A member with no TLS certificate in use cannot be asked: tls-error,
 * reported from the event loop, not from inside fanout_start(). */
static void
test_reports_members_that_cannot_be_asked_from_the_loop(void)
{
	struct event_base *base = event_base_new();
	struct trust_member m;
	const struct trust_member *mp[1] = { &m };
	unsigned char md[32];
	struct run run;
	struct fanout *f;
	struct peer *p;
	char *q;
	size_t qlen = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	q = query_make(&qlen, md);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	p = client(base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	member_at(&m, R01, closed_port());
	m.tls[0].not_after = time(NULL) - 60;	/* retired */
	m.ntls = 1;
	memset(&run, 0, sizeof(run));
	run.base = base;
	f = start(&run, p, q, qlen, md, mp, 1, 1000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(run.done_calls, 0);
	run_loop(&run, 5000);
	CU_ASSERT_EQUAL(run.done_calls, 1);
	CU_ASSERT_EQUAL(run.done_in_start, 0);
	CU_ASSERT_EQUAL(run.progress_calls, 1);
	CU_ASSERT(run.done_ms < 1000);
	if (run.res != NULL)
		CU_ASSERT_TRUE(has_status(&run.res[0], R01,
		    FANOUT_ST_TLS_ERROR, "no TLS certificate of its listing"));
	fanout_free(f);

	/* Nobody to ask: done() with no results, from the loop too. */
	memset(&run, 0, sizeof(run));
	run.base = base;
	f = start(&run, p, q, qlen, md, NULL, 0, 1000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(run.done_calls, 0);
	run_loop(&run, 5000);
	CU_ASSERT_EQUAL(run.done_calls, 1);
	CU_ASSERT_EQUAL(run.n, 0);
	CU_ASSERT(run.done_ms < 1000);
	fanout_free(f);
	peer_free(p);
	xmlFree(q);
	event_base_free(base);
}

/* Freed while a member still has not answered: its request is cancelled
 * and no callback follows. */
static void
test_cancels_what_still_runs_when_freed(void)
{
	struct event_base *base = event_base_new();
	struct trust_member m[2];
	const struct trust_member *mp[2] = { &m[0], &m[1] };
	struct server silent, ok;
	unsigned char md[32];
	struct run run;
	struct fanout *f;
	struct peer *p;
	char *q, *a;
	size_t qlen = 0, alen = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	q = query_make(&qlen, md);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	a = response_make(md, R02, ENVELOPE_ST_OK, &alen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL_FATAL(server_start(&silent, R01, M_SILENT, 1), 0);
	CU_ASSERT_EQUAL_FATAL(server_start(&ok, R02, M_ANSWER, 1), 0);
	server_answer(&ok, 200, a, alen);
	member_at(&m[0], R01, silent.port);
	member_at(&m[1], R02, ok.port);
	p = client(base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	memset(&run, 0, sizeof(run));
	run.base = base;
	f = start(&run, p, q, qlen, md, mp, 2, 5000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	run_loop(&run, 1000);		/* 02 answers, 01 does not */
	CU_ASSERT_EQUAL(run.done_calls, 0);
	CU_ASSERT_EQUAL(run.progress_calls, 1);
	CU_ASSERT_EQUAL(peer_inflight(p), 1);
	fanout_free(f);
	CU_ASSERT_EQUAL(peer_inflight(p), 0);
	run_loop(&run, 300);
	CU_ASSERT_EQUAL(run.done_calls, 0);
	CU_ASSERT_EQUAL(run.progress_calls, 1);

	/* And from done() itself. */
	memset(&run, 0, sizeof(run));
	run.base = base;
	f = start(&run, p, q, qlen, md, mp + 1, 1, 5000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	run.free_in_done = f;
	run_loop(&run, 5000);
	CU_ASSERT_EQUAL(run.done_calls, 1);
	CU_ASSERT_PTR_NULL(run.free_in_done);
	peer_free(p);
	server_stop(&silent);
	server_stop(&ok);
	xmlFree(a);
	xmlFree(q);
	event_base_free(base);
}

/* An answer past the cap of a fan-out answer is cut off, not parsed. */
static void
test_refuses_an_answer_past_its_size_cap(void)
{
	struct event_base *base = event_base_new();
	struct trust_member m;
	const struct trust_member *mp[1] = { &m };
	size_t big = xml_limits_answer.max_bytes + 1, qlen = 0;
	unsigned char md[32];
	struct server s;
	struct run run;
	struct fanout *f;
	struct peer *p;
	char *q, *a;
	char want[64];

	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	q = query_make(&qlen, md);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	a = malloc(big);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	memset(a, ' ', big);
	CU_ASSERT_EQUAL_FATAL(server_start(&s, R01, M_ANSWER, 1), 0);
	server_answer(&s, 200, a, big);
	free(a);
	member_at(&m, R01, s.port);
	p = client(base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	memset(&run, 0, sizeof(run));
	run.base = base;
	f = start(&run, p, q, qlen, md, mp, 1, 10000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	run_loop(&run, 20000);
	CU_ASSERT_EQUAL(run.done_calls, 1);
	snprintf(want, sizeof(want), "larger than %zu bytes",
	    xml_limits_answer.max_bytes);
	if (run.res != NULL) {
		CU_ASSERT_TRUE(has_status(&run.res[0], R01, FANOUT_ST_ERROR,
		    want));
		CU_ASSERT_PTR_NULL(run.res[0].body);
	}
	fanout_free(f);
	peer_free(p);
	server_stop(&s);
	xmlFree(q);
	event_base_free(base);
}

static void
test_refuses_a_deadline_out_of_range(void)
{
	struct event_base *base = event_base_new();
	unsigned char md[32] = { 0 };
	struct peer *p;
	struct err e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	p = client(base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	err_clear(&e);
	CU_ASSERT_PTR_NULL(fanout_start(p, ver, ids[THL], "x", 1, md, NULL,
	    0, 5, NULL, on_done, NULL, &e));
	CU_ASSERT_EQUAL(e.code, ERR_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "deadline 5 ms"));
	err_clear(&e);
	CU_ASSERT_PTR_NULL(fanout_start(p, ver, ids[THL], "x", 1, md, NULL,
	    0, 1000, NULL, NULL, NULL, &e));
	CU_ASSERT_EQUAL(e.code, ERR_USAGE);
	peer_free(p);
	event_base_free(base);
}

static void
test_names_the_statuses_as_users_see_them(void)
{
	static const char *const want[FANOUT_ST_COUNT] = { "ok", "timeout",
	    "unreachable", "tls-error", "bad-signature", "error" };
	int i;

	for (i = 0; i < FANOUT_ST_COUNT; i++)
		CU_ASSERT_STRING_EQUAL(fanout_status_name(i), want[i]);
	CU_ASSERT_STRING_EQUAL(fanout_status_name(-1), "error");
	CU_ASSERT_STRING_EQUAL(fanout_status_name(FANOUT_ST_COUNT), "error");
	CU_ASSERT_EQUAL(fanout_status_of(ERR_SIGNATURE),
	    FANOUT_ST_BAD_SIGNATURE);
	CU_ASSERT_EQUAL(fanout_status_of(ERR_TLS), FANOUT_ST_TLS_ERROR);
	CU_ASSERT_EQUAL(fanout_status_of(ERR_INPUT), FANOUT_ST_ERROR);
}

static CU_TestInfo fanout_tests[] = {
	{ "gives each member exactly its status in one query",
	    test_gives_each_member_exactly_its_status },
	{ "ends members that never answer by the deadline",
	    test_ends_members_that_never_answer_by_the_deadline },
	{ "reuses connections and TLS sessions between queries",
	    test_reuses_connections_and_tls_sessions_between_queries },
	{ "reports members that cannot be asked from the event loop",
	    test_reports_members_that_cannot_be_asked_from_the_loop },
	{ "cancels what still runs when freed",
	    test_cancels_what_still_runs_when_freed },
	{ "refuses an answer past its size cap",
	    test_refuses_an_answer_past_its_size_cap },
	{ "refuses a deadline out of range",
	    test_refuses_a_deadline_out_of_range },
	{ "names the statuses as users see them",
	    test_names_the_statuses_as_users_see_them },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ "fanout", suite_init, suite_clean, NULL, NULL, fanout_tests },
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	return test_run_suites(suites);
}
