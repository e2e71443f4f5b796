/*
 * peer.c - the mutual-TLS HTTP client (see peer.h): libcurl's multi
 * interface on a libevent base, in the shape of libcurl's hiperfifo example.
 * libcurl tells us which sockets to watch (sock_cb) and when to wake it
 * (timer_cb); libevent tells libcurl when a socket is ready or the timer ran
 * out; finished transfers are collected after every such call and their
 * callbacks run there, outside libcurl.
 *
 * The fingerprint pin is checked twice.  An OpenSSL verify callback that
 * CURLOPT_SSL_CTX_FUNCTION installs on the SSL_CTX libcurl makes for each new
 * connection checks it during the handshake, after the chain check against
 * the trust list's CAs (the expected fingerprints travel with that SSL_CTX
 * as ex_data).  That alone is not enough: libcurl reuses a kept-alive
 * connection, or resumes a TLS session, for a later request to the same host
 * and port without a handshake's verification, and that request's pins may
 * differ (the trust list was reloaded and the member's certificate
 * changed).  So CURLOPT_PREREQFUNCTION, which libcurl calls on every
 * request once its connection is ready and before a byte of it is sent,
 * checks the connection's peer certificate against this request's pins and
 * aborts the request when it is not one of them.
 *
 * Reuse between requests: the multi handle keeps the connection cache (and
 * the DNS cache) for every easy handle added to it, but libcurl keeps TLS
 * sessions per easy handle, and each request here has an easy handle of its
 * own; so the peer owns a share handle holding the TLS session cache, and
 * a new connection to a member resumes the last session with it (the pin
 * check in prereq_cb covers a resumed session as it does a reused
 * connection).  All of it lives on the event-loop thread: no locks.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <event2/event.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "peer.h"
#include "trust.h"

#define CONNECT_TIMEOUT_MS	5000L
#define RESOLVE_MAX		64	/* entries of a resolve list */

struct xfer {
	struct peer	*p;
	CURL		*easy;
	struct curl_slist *headers;
	struct pins	*pins;		/* NULL: no pin wanted */
	int		 pin_failed;	/* refused by prereq_cb */
	char		 errbuf[CURL_ERROR_SIZE];
	char		*buf;
	size_t		 len, cap, max;
	int		 too_big;
	struct timespec	 start;
	peer_done_fn	*fn;
	void		*arg;
	struct xfer	*prev, *next;
};

/* The fingerprints a request accepts; one copy travels with the SSL_CTX of
 * each connection libcurl makes for it. */
struct pins {
	int		 n;
	unsigned char	 fpr[PEER_MAX_PINS][32];
};

struct sock {
	struct peer	*p;
	struct event	*ev;
};

struct peer {
	struct event_base *base;
	CURLM		*multi;
	CURLSH		*share;		/* TLS sessions */
	struct event	*timer;
	char		*cert, *key;
	char		*ca_pem;
	size_t		 ca_len;
	struct curl_slist *resolve;	/* CURLOPT_RESOLVE, NULL: none */
	struct xfer	*xfers;
	int		 nxfers;
};

static int	pin_idx = -1;

static void
pin_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
    void *argp)
{
	(void)parent; (void)ad; (void)idx; (void)argl; (void)argp;
	free(ptr);
}

/* 1 when x is one of pins. */
static int
pins_match(const struct pins *pins, X509 *x)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	int i, found = 0;

	if (x == NULL || X509_digest(x, EVP_sha256(), md, &len) != 1 ||
	    len != 32)
		return 0;
	for (i = 0; i < pins->n; i++)
		found |= CRYPTO_memcmp(md, pins->fpr[i], 32) == 0;
	return found;
}

/* Chain already checked by OpenSSL (ok); at the leaf, the pin. */
static int
verify_cb(int ok, X509_STORE_CTX *sc)
{
	const struct pins *pins;
	SSL *ssl;

	if (!ok || X509_STORE_CTX_get_error_depth(sc) != 0)
		return ok;
	ssl = X509_STORE_CTX_get_ex_data(sc,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	if (ssl == NULL ||
	    (pins = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), pin_idx)) ==
	    NULL)
		return 1;		/* no pin wanted: the CA check only */
	if (!pins_match(pins, X509_STORE_CTX_get_current_cert(sc))) {
		X509_STORE_CTX_set_error(sc, X509_V_ERR_CERT_REJECTED);
		return 0;
	}
	return 1;
}

static CURLcode
ssl_ctx_cb(CURL *easy, void *sslctx, void *arg)
{
	struct xfer *x = arg;
	SSL_CTX *ctx = sslctx;
	struct pins *pins;

	(void)easy;
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
		return CURLE_SSL_CONNECT_ERROR;
	if (x->pins != NULL) {
		if ((pins = malloc(sizeof(*pins))) == NULL)
			return CURLE_OUT_OF_MEMORY;
		*pins = *x->pins;
		if (SSL_CTX_set_ex_data(ctx, pin_idx, pins) != 1) {
			free(pins);
			return CURLE_OUT_OF_MEMORY;
		}
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_cb);
	return CURLE_OK;
}

/* Every request, on a new, reused or resumed connection: the server's
 * certificate must be one of this request's pins. */
static int
prereq_cb(void *arg, char *primary_ip, char *local_ip, int primary_port,
    int local_port)
{
	struct xfer *x = arg;
	struct curl_tlssessioninfo *tsi = NULL;
	X509 *peer;

	(void)primary_ip; (void)local_ip; (void)primary_port; (void)local_port;
	if (x->pins == NULL)
		return CURL_PREREQFUNC_OK;
	if (curl_easy_getinfo(x->easy, CURLINFO_TLS_SSL_PTR, &tsi) !=
	    CURLE_OK || tsi == NULL || tsi->backend != CURLSSLBACKEND_OPENSSL ||
	    tsi->internals == NULL ||
	    (peer = SSL_get0_peer_certificate(tsi->internals)) == NULL ||
	    !pins_match(x->pins, peer)) {
		x->pin_failed = 1;
		return CURL_PREREQFUNC_ABORT;
	}
	return CURL_PREREQFUNC_OK;
}

static size_t
write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb, cap;
	char *b;

	if (x->len + n > x->max) {
		x->too_big = 1;
		return 0;
	}
	if (x->len + n + 1 > x->cap) {
		cap = x->cap ? x->cap : 4096;
		while (cap < x->len + n + 1)
			cap *= 2;
		if ((b = realloc(x->buf, cap)) == NULL)
			return 0;
		x->buf = b;
		x->cap = cap;
	}
	memcpy(x->buf + x->len, data, n);
	x->len += n;
	x->buf[x->len] = '\0';
	return n;
}

static void
xfer_free(struct xfer *x)
{
	if (x == NULL)
		return;
	if (x->easy != NULL) {
		if (x->p != NULL)
			curl_multi_remove_handle(x->p->multi, x->easy);
		curl_easy_cleanup(x->easy);
	}
	curl_slist_free_all(x->headers);
	free(x->pins);
	free(x->buf);
	free(x);
}

static void
xfer_unlink(struct peer *p, struct xfer *x)
{
	if (x->prev != NULL)
		x->prev->next = x->next;
	else
		p->xfers = x->next;
	if (x->next != NULL)
		x->next->prev = x->prev;
	x->prev = x->next = NULL;
	p->nxfers--;
}

static enum err_code
code_of(CURLcode c)
{
	switch (c) {
	case CURLE_OPERATION_TIMEDOUT:
		return ERR_TIMEOUT;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		return ERR_UNREACHABLE;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_USE_SSL_FAILED:
		return ERR_TLS;
	default:
		return ERR_INTERNAL;
	}
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (long)((t1.tv_sec - t0->tv_sec) * 1000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000000);
}

/* Hands every finished transfer to its callback. */
static void
collect(struct peer *p)
{
	struct peer_result res;
	struct xfer *x;
	CURLMsg *msg;
	CURLcode rc;
	char *url, *ct;
	long status;
	int left;

	while ((msg = curl_multi_info_read(p->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		x = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
		    (char **)&x);
		rc = msg->data.result;
		if (x == NULL)
			continue;
		memset(&res, 0, sizeof(res));
		err_clear(&res.err);
		url = NULL;
		ct = NULL;
		status = 0;
		curl_easy_getinfo(x->easy, CURLINFO_EFFECTIVE_URL, &url);
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &ct);
		res.ms = ms_since(&x->start);
		if (rc == CURLE_OK) {
			res.status = (int)status;
			res.body = x->buf != NULL ? x->buf : "";
			res.len = x->len;
			res.ctype = ct;
		} else if (x->too_big)
			err_set(&res.err, ERR_INPUT, "%s: the answer is larger "
			    "than %zu bytes", url ? url : "?", x->max);
		else if (x->pin_failed)
			err_set(&res.err, ERR_TLS, "%s: the server's "
			    "certificate is not one the trust list holds for "
			    "the member (pin mismatch)", url ? url : "?");
		else
			err_set(&res.err, code_of(rc), "%s: %s%s%s%s after "
			    "%ld ms", url ? url : "?", curl_easy_strerror(rc),
			    x->errbuf[0] ? " (" : "", x->errbuf,
			    x->errbuf[0] ? ")" : "", res.ms);
		xfer_unlink(p, x);
		x->fn(x->arg, &res);
		xfer_free(x);
	}
}

static void
on_socket(evutil_socket_t fd, short what, void *arg)
{
	struct peer *p = ((struct sock *)arg)->p;
	int running, action = 0;

	if (what & EV_READ)
		action |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	curl_multi_socket_action(p->multi, fd, action, &running);
	collect(p);
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct peer *p = arg;
	int running;

	(void)fd; (void)what;
	curl_multi_socket_action(p->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	collect(p);
}

static int
sock_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct peer *p = userp;
	struct sock *s = socketp;
	short kind;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			event_free(s->ev);
			free(s);
		}
		return 0;
	}
	kind = EV_PERSIST | ((what & CURL_POLL_IN) ? EV_READ : 0) |
	    ((what & CURL_POLL_OUT) ? EV_WRITE : 0);
	if (s == NULL) {
		if ((s = calloc(1, sizeof(*s))) == NULL)
			return -1;
		s->p = p;
		curl_multi_assign(p->multi, fd, s);
	} else if (s->ev != NULL) {
		event_free(s->ev);
		s->ev = NULL;
	}
	if ((s->ev = event_new(p->base, fd, kind, on_socket, s)) == NULL ||
	    event_add(s->ev, NULL) == -1)
		return -1;
	return 0;
}

static int
timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct peer *p = userp;
	struct timeval tv;

	(void)multi;
	if (timeout_ms < 0)
		return evtimer_del(p->timer) == 0 ? 0 : -1;
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	return evtimer_add(p->timer, &tv) == 0 ? 0 : -1;
}

struct peer *
peer_new(struct event_base *base, const char *tls_cert, const char *tls_key,
    struct err *e)
{
	static int curl_ready;
	struct peer *p = NULL;

	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			err_set(e, ERR_INTERNAL, "libcurl: cannot initialise");
			return NULL;
		}
		curl_ready = 1;
	}
	if (pin_idx == -1 && (pin_idx = SSL_CTX_get_ex_new_index(0, NULL, NULL,
	    NULL, pin_free)) == -1) {
		err_set(e, ERR_INTERNAL, "OpenSSL: no ex_data index");
		return NULL;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->cert = strdup(tls_cert)) == NULL ||
	    (p->key = strdup(tls_key)) == NULL ||
	    (p->multi = curl_multi_init()) == NULL ||
	    (p->share = curl_share_init()) == NULL ||
	    curl_share_setopt(p->share, CURLSHOPT_SHARE,
	    CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK ||
	    (p->timer = evtimer_new(base, on_timer, p)) == NULL) {
		err_set(e, ERR_NOMEM, "peer client: out of memory");
		peer_free(p);
		return NULL;
	}
	p->base = base;
	curl_multi_setopt(p->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
	curl_multi_setopt(p->multi, CURLMOPT_SOCKETDATA, p);
	curl_multi_setopt(p->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(p->multi, CURLMOPT_TIMERDATA, p);
	curl_multi_setopt(p->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 8L);
	curl_multi_setopt(p->multi, CURLMOPT_MAXCONNECTS, 64L);
	return p;
}

void
peer_free(struct peer *p)
{
	struct xfer *x;

	if (p == NULL)
		return;
	while ((x = p->xfers) != NULL) {
		xfer_unlink(p, x);
		xfer_free(x);
	}
	if (p->multi != NULL)
		curl_multi_cleanup(p->multi);
	/* After every easy handle that used it is gone. */
	if (p->share != NULL)
		curl_share_cleanup(p->share);
	if (p->timer != NULL)
		event_free(p->timer);
	free(p->cert);
	free(p->key);
	free(p->ca_pem);
	curl_slist_free_all(p->resolve);
	free(p);
}

/* --- resolve ------------------------------------------------------------ */

/* 1 when s (len bytes) is a DNS host name: dot-separated labels of letters,
 * digits and inner hyphens, 1..63 each, 253 in all. */
static int
host_is_name(const char *s, size_t len)
{
	size_t i, lab = 0;

	if (len == 0 || len > 253)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (lab == 0 || s[i - 1] == '-')
				return 0;
			lab = 0;
			continue;
		}
		if (!isalnum((unsigned char)s[i]) &&
		    (s[i] != '-' || lab == 0))
			return 0;
		if (++lab > 63)
			return 0;
	}
	return lab > 0 && s[len - 1] != '-';
}

/* One "HOST:PORT:ADDR" entry (len bytes, no separators); 0 or -1 with
 * why filled. */
static int
resolve_entry_check(const char *s, size_t len, char *why, size_t wlen)
{
	char addr[64], ent[320];
	const char *c1, *c2, *a;
	unsigned char bin[16];
	long port = 0;
	size_t alen;
	const char *q;

	snprintf(ent, sizeof(ent), "%.*s", (int)(len > 300 ? 300 : len), s);
	if ((c1 = memchr(s, ':', len)) == NULL ||
	    (c2 = memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - s))) == NULL) {
		snprintf(why, wlen, "'%s' is not HOST:PORT:ADDR", ent);
		return -1;
	}
	if (!host_is_name(s, (size_t)(c1 - s))) {
		snprintf(why, wlen, "'%s': '%.*s' is not a host name", ent,
		    (int)(c1 - s), s);
		return -1;
	}
	for (q = c1 + 1; q < c2 && isdigit((unsigned char)*q) && port < 65536;
	    q++)
		port = port * 10 + (*q - '0');
	if (q != c2 || q == c1 + 1 || port < 1 || port > 65535) {
		snprintf(why, wlen, "'%s': the port is not a number 1..65535",
		    ent);
		return -1;
	}
	a = c2 + 1;
	alen = len - (size_t)(a - s);
	if (alen >= 2 && a[0] == '[' && a[alen - 1] == ']' &&
	    alen - 2 < sizeof(addr)) {
		memcpy(addr, a + 1, alen - 2);
		addr[alen - 2] = '\0';
		if (inet_pton(AF_INET6, addr, bin) == 1)
			return 0;
	} else if (alen > 0 && alen < sizeof(addr)) {
		memcpy(addr, a, alen);
		addr[alen] = '\0';
		if (inet_pton(AF_INET, addr, bin) == 1)
			return 0;
	}
	snprintf(why, wlen, "'%s': the address is not numeric IPv4 or "
	    "[IPv6]", ent);
	return -1;
}

/* Walks list; with out not NULL, appends each entry to *out. */
static int
resolve_parse(const char *list, struct curl_slist **out, char *why,
    size_t wlen)
{
	struct curl_slist *l;
	char ent[320];
	size_t len;
	int n = 0;

	while (list != NULL && *list != '\0') {
		list += strspn(list, ", \t");
		if (*list == '\0')
			break;
		len = strcspn(list, ", \t");
		if (++n > RESOLVE_MAX) {
			snprintf(why, wlen, "more than %d entries", RESOLVE_MAX);
			return -1;
		}
		if (len >= sizeof(ent)) {
			snprintf(why, wlen, "entry %d is too long", n);
			return -1;
		}
		if (resolve_entry_check(list, len, why, wlen) == -1)
			return -1;
		if (out != NULL) {
			memcpy(ent, list, len);
			ent[len] = '\0';
			if ((l = curl_slist_append(*out, ent)) == NULL) {
				snprintf(why, wlen, "out of memory");
				return -1;
			}
			*out = l;
		}
		list += len;
	}
	return 0;
}

int
peer_resolve_check(const char *list, char *why, size_t len)
{
	return resolve_parse(list, NULL, why, len);
}

int
peer_set_resolve(struct peer *p, const char *list, struct err *e)
{
	struct curl_slist *l = NULL;
	char why[400];

	if (resolve_parse(list, &l, why, sizeof(why)) == -1) {
		curl_slist_free_all(l);
		return err_set(e, ERR_USAGE, "resolve: %s", why);
	}
	curl_slist_free_all(p->resolve);
	p->resolve = l;
	return 0;
}

int
peer_set_trust(struct peer *p, const struct trust_list *tl, struct err *e)
{
	STACK_OF(X509) *cas = trust_cas(tl);
	BIO *b = NULL;
	char *data, *copy;
	long n;
	int i, rc = -1;

	if (cas == NULL || sk_X509_num(cas) == 0)
		return err_set(e, ERR_TRUST, "the trust list holds no CA "
		    "certificate");
	if ((b = BIO_new(BIO_s_mem())) == NULL)
		return err_set(e, ERR_NOMEM, "peer client: out of memory");
	for (i = 0; i < sk_X509_num(cas); i++)
		if (PEM_write_bio_X509(b, sk_X509_value(cas, i)) != 1) {
			err_set(e, ERR_INTERNAL, "cannot write a CA "
			    "certificate as PEM");
			goto done;
		}
	if ((n = BIO_get_mem_data(b, &data)) <= 0 ||
	    (copy = malloc((size_t)n)) == NULL) {
		err_set(e, ERR_NOMEM, "peer client: out of memory");
		goto done;
	}
	memcpy(copy, data, (size_t)n);
	free(p->ca_pem);
	p->ca_pem = copy;
	p->ca_len = (size_t)n;
	rc = 0;
done:
	BIO_free(b);
	return rc;
}

int
peer_start(struct peer *p, const struct peer_request *req, peer_done_fn *fn,
    void *arg, struct err *e)
{
	struct curl_blob ca;
	struct xfer *x = NULL;
	struct curl_slist *h;
	char ctype[128];
	long connect_ms;
	int ok = 1;

	if (p->ca_pem == NULL)
		return err_set(e, ERR_INTERNAL, "peer client: no trust list");
	if (strncmp(req->url, "https://", 8) != 0)
		return err_set(e, ERR_USAGE, "%s: not an https URL", req->url);
	if (req->npins < 0 || req->npins > PEER_MAX_PINS ||
	    (req->npins > 0 && req->pins == NULL))
		return err_set(e, ERR_USAGE, "%s: bad pins", req->url);
	if ((x = calloc(1, sizeof(*x))) == NULL ||
	    (x->easy = curl_easy_init()) == NULL) {
		free(x);
		return err_set(e, ERR_NOMEM, "peer client: out of memory");
	}
	x->fn = fn;
	x->arg = arg;
	x->max = req->resp_max;
	if (req->npins > 0) {
		if ((x->pins = calloc(1, sizeof(*x->pins))) == NULL) {
			xfer_free(x);
			return err_set(e, ERR_NOMEM, "peer client: out of "
			    "memory");
		}
		memcpy(x->pins->fpr, req->pins, (size_t)req->npins * 32);
		x->pins->n = req->npins;
	}
	clock_gettime(CLOCK_MONOTONIC, &x->start);
	connect_ms = req->connect_timeout_ms > 0 ? req->connect_timeout_ms :
	    CONNECT_TIMEOUT_MS;
	if (connect_ms > req->timeout_ms)
		connect_ms = req->timeout_ms;

	ca.data = p->ca_pem;
	ca.len = p->ca_len;
	ca.flags = CURL_BLOB_COPY;
	/* Expect: 100-continue would cost a round trip per POST. */
	if ((h = curl_slist_append(NULL, "Expect:")) == NULL)
		ok = 0;
	else
		x->headers = h;
	if (ok && req->ctype != NULL) {
		snprintf(ctype, sizeof(ctype), "Content-Type: %s", req->ctype);
		if ((h = curl_slist_append(x->headers, ctype)) == NULL)
			ok = 0;
		else
			x->headers = h;
	}
#define SET(opt, val) do {						\
	if (ok && curl_easy_setopt(x->easy, opt, val) != CURLE_OK)	\
		ok = 0;							\
} while (0)
	SET(CURLOPT_URL, req->url);
	SET(CURLOPT_PROTOCOLS_STR, "https");
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_PRIVATE, (char *)x);
	SET(CURLOPT_WRITEFUNCTION, write_cb);
	SET(CURLOPT_WRITEDATA, x);
	SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	SET(CURLOPT_TIMEOUT_MS, req->timeout_ms);
	SET(CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	SET(CURLOPT_SHARE, p->share);
	SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	SET(CURLOPT_SSLCERT, p->cert);
	SET(CURLOPT_SSLCERTTYPE, "PEM");
	SET(CURLOPT_SSLKEY, p->key);
	SET(CURLOPT_SSLKEYTYPE, "PEM");
	SET(CURLOPT_CAINFO_BLOB, &ca);
	/* No default bundle or directory: the trust list's CAs only. */
	SET(CURLOPT_CAINFO, NULL);
	SET(CURLOPT_CAPATH, NULL);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 0L);	/* the pin is the identity */
	SET(CURLOPT_SSL_CTX_FUNCTION, ssl_ctx_cb);
	SET(CURLOPT_SSL_CTX_DATA, x);
	SET(CURLOPT_PREREQFUNCTION, prereq_cb);
	SET(CURLOPT_PREREQDATA, x);
	SET(CURLOPT_ERRORBUFFER, x->errbuf);
	SET(CURLOPT_HTTPHEADER, x->headers);
	/* Names given in the configuration go to their addresses; the
	 * multi handle's DNS cache holds them for every later request. */
	if (p->resolve != NULL)
		SET(CURLOPT_RESOLVE, p->resolve);
	if (x->pins == NULL) {
		/* An unpinned connection or TLS session must never serve a
		 * pinned request to the same host and port later: a reused
		 * connection or a resumed session skips verify_cb. */
		SET(CURLOPT_FRESH_CONNECT, 1L);
		SET(CURLOPT_FORBID_REUSE, 1L);
		SET(CURLOPT_SSL_SESSIONID_CACHE, 0L);
	}
	if (strcmp(req->method, "POST") == 0) {
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->len);
		SET(CURLOPT_COPYPOSTFIELDS, req->body != NULL ?
		    (const char *)req->body : "");
	} else if (strcmp(req->method, "GET") == 0)
		SET(CURLOPT_HTTPGET, 1L);
	else
		ok = 0;
#undef SET
	if (!ok) {
		xfer_free(x);
		return err_set(e, ERR_INTERNAL, "%s: cannot set up the "
		    "request", req->url);
	}
	if (curl_multi_add_handle(p->multi, x->easy) != CURLM_OK) {
		xfer_free(x);
		return err_set(e, ERR_INTERNAL, "%s: cannot start the request",
		    req->url);
	}
	x->p = p;
	x->next = p->xfers;
	if (p->xfers != NULL)
		p->xfers->prev = x;
	p->xfers = x;
	p->nxfers++;
	return 0;
}

int
peer_start_member(struct peer *p, const struct trust_member *m,
    const char *path, const struct peer_request *req, peer_done_fn *fn,
    void *arg, struct err *e)
{
	struct peer_request r;
	unsigned char pins[PEER_MAX_PINS][32];
	char url[512];
	size_t n = strlen(m->endpoint);
	time_t now = time(NULL);
	int i, npins = 0;

	while (n > 0 && m->endpoint[n - 1] == '/')
		n--;
	if ((size_t)snprintf(url, sizeof(url), "%.*s%s", (int)n, m->endpoint,
	    path) >= sizeof(url))
		return err_set(e, ERR_USAGE, "member %s: endpoint too long",
		    m->id);
	/* Every TLS certificate listed in use now: two overlap while the
	 * member rotates, so either may answer. */
	for (i = 0; i < m->ntls && npins < PEER_MAX_PINS; i++)
		if (trust_cert_in_use(&m->tls[i], now))
			memcpy(pins[npins++], m->tls[i].fpr, 32);
	if (npins == 0)
		return err_set(e, ERR_TLS, "member %s: no TLS certificate of "
		    "its listing is in use now", m->id);
	r = *req;
	r.url = url;
	r.pins = (const unsigned char (*)[32])pins;
	r.npins = npins;
	if (peer_start(p, &r, fn, arg, e) == -1)
		return err_prefix(e, "member %s", m->id);
	return 0;
}

int
peer_post_member(struct peer *p, const struct trust_member *m,
    const char *path, const char *ctype, const void *body, size_t len,
    long timeout_ms, size_t resp_max, peer_done_fn *fn, void *arg,
    struct err *e)
{
	struct peer_request req;

	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.ctype = ctype;
	req.body = body;
	req.len = len;
	req.timeout_ms = timeout_ms;
	req.resp_max = resp_max;
	return peer_start_member(p, m, path, &req, fn, arg, e);
}

int
peer_fetch_url(struct peer *p, const char *url, size_t resp_max,
    long timeout_ms, peer_done_fn *fn, void *arg, struct err *e)
{
	struct peer_request req;

	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.url = url;
	req.timeout_ms = timeout_ms;
	req.resp_max = resp_max;
	return peer_start(p, &req, fn, arg, e);
}

int
peer_inflight(const struct peer *p)
{
	return p != NULL ? p->nxfers : 0;
}

int
peer_cancel(struct peer *p, peer_done_fn *fn, void *arg)
{
	struct xfer *x, *next;
	int n = 0;

	if (p == NULL)
		return 0;
	for (x = p->xfers; x != NULL; x = next) {
		next = x->next;
		if (x->fn != fn || x->arg != arg)
			continue;
		xfer_unlink(p, x);
		xfer_free(x);	/* removes it from the multi handle */
		n++;
	}
	return n;
}

struct event_base *
peer_base(const struct peer *p)
{
	return p->base;
}
