/*
 * httpd.c - the HTTP server on evhttp (see httpd.h): routes, requests,
 * responses and the server's life.  Connections, their pools, deadlines and
 * the listeners are httpd_conn.c's; the two are the only files that include
 * <event2/http.h> (through httpd_internal.h).
 *
 * Responses: evhttp writes the headers and the body into the bufferevent as
 * two chains; pulling them into one chain before the event loop writes makes
 * the response a single SSL_write, i.e. one TLS record.
 */
#include "config.h"

#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <openssl/rand.h>

#include "httpd.h"
#include "httpd_internal.h"
#include "log.h"
#include "tls.h"

/* --- requests ----------------------------------------------------------- */

static const char *
method_name(enum httpd_method m)
{
	switch (m) {
	case HTTPD_GET:
		return "GET";
	case HTTPD_POST:
		return "POST";
	case HTTPD_PUT:
		return "PUT";
	case HTTPD_DELETE:
		return "DELETE";
	}
	return "OTHER";
}

static void
allow_header(unsigned methods, char *buf, size_t len)
{
	static const enum httpd_method all[] = { HTTPD_GET, HTTPD_POST,
	    HTTPD_PUT, HTTPD_DELETE };
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (!(methods & all[i]))
			continue;
		n += snprintf(buf + n, len - n, "%s%s", n ? ", " : "",
		    method_name(all[i]));
		if (all[i] == HTTPD_GET)
			n += snprintf(buf + n, len - n, ", HEAD");
		if (n >= len)
			break;
	}
}

static int
route_matches(const struct route *rt, const char *path)
{
	if (rt->prefix)
		return strncmp(path, rt->path, rt->len) == 0;
	return strcmp(path, rt->path) == 0;
}

static void
peer_fill(struct httpd_req *r, struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct bufferevent *bev;
	char *host = NULL;
	ev_uint16_t port = 0;
	struct ucred cred;
	socklen_t clen = sizeof(cred);

	r->peer.listener = r->listener;
	r->peer.member_id = "";
	r->peer.uid = -1;
	snprintf(r->peer.addr, sizeof(r->peer.addr), "unix");
	if (evcon == NULL)
		return;
	if (r->listener != HTTPD_ADMIN) {
		evhttp_connection_get_peer(evcon, &host, &port);
		if (host != NULL) {
			snprintf(r->peer.addr, sizeof(r->peer.addr), "%s:%u",
			    host, (unsigned)port);
			snprintf(r->peer.ip, sizeof(r->peer.ip), "%s", host);
		}
	} else if ((bev = evhttp_connection_get_bufferevent(evcon)) != NULL &&
	    getsockopt(bufferevent_getfd(bev), SOL_SOCKET, SO_PEERCRED,
	    &cred, &clen) == 0)
		r->peer.uid = (long)cred.uid;
}

static void
dispatch(struct evhttp_request *req, void *arg)
{
	struct listener_ctx *lc = arg;
	struct httpd *h = lc->h;
	const struct evhttp_uri *uri;
	const struct tls_peer *tp = NULL;
	const struct route *rt = NULL;
	struct httpd_req *r;
	struct conn *c = NULL;
	struct evhttp_connection *evcon;
	SSL *ssl;
	unsigned allowed = 0;
	char allow[64];
	int i;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		evhttp_send_error(req, 503, "Out of memory");
		return;
	}
	h->inflight++;
	r->h = h;
	r->req = req;
	r->listener = lc->kind;
	r->route = "other";
	switch (evhttp_request_get_command(req)) {
	case EVHTTP_REQ_GET:
	case EVHTTP_REQ_HEAD:
		r->method = HTTPD_GET;
		break;
	case EVHTTP_REQ_POST:
		r->method = HTTPD_POST;
		break;
	case EVHTTP_REQ_PUT:
		r->method = HTTPD_PUT;
		break;
	case EVHTTP_REQ_DELETE:
		r->method = HTTPD_DELETE;
		break;
	default:
		r->method = 0;
		break;
	}
	uri = evhttp_request_get_evhttp_uri(req);
	r->path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	if (r->path == NULL)
		r->path = "";
	peer_fill(r, req);

	if (lc->kind == HTTPD_FEDERATION) {
		if ((c = httpd_conn_of_req(req)) != NULL)
			event_del(c->timer);
		ssl = c != NULL ? bufferevent_openssl_get_ssl(c->bev) : NULL;
		/* The list may have changed since the handshake. */
		switch (tls_peer_check(ssl)) {
		case TLS_PEER_OK:
			break;
		case TLS_PEER_TRUST_EXPIRED:
			httpd_reply_error(r, 503, "trust-expired", "the trust "
			    "list in use is past its Expires: no peer can be "
			    "checked against it");
			return;
		case TLS_PEER_UNLISTED:
			r->close = 1;
			httpd_reply_error(r, 403, "forbidden",
			    "peer is not a listed member");
			return;
		}
		tp = tls_peer_get(ssl);
		r->peer.member_id = tp->member_id;
		r->peer.roles = tp->roles;
	} else if ((evcon = evhttp_request_get_connection(req)) != NULL &&
	    (c = httpd_admin_conn(h, evhttp_connection_get_bufferevent(evcon))) !=
	    NULL) {
		c->phase = PHASE_HANDLER;
		event_del(c->timer);
	}
	for (i = 0; i < h->nroutes; i++) {
		if (!(h->routes[i].listeners & lc->kind) ||
		    !route_matches(&h->routes[i], r->path))
			continue;
		if (h->routes[i].methods & r->method) {
			rt = &h->routes[i];
			break;
		}
		allowed |= h->routes[i].methods;
		r->route = h->routes[i].path;
	}
	if (rt == NULL && allowed != 0) {
		allow_header(allowed, allow, sizeof(allow));
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", allow);
		httpd_reply_error(r, 405, "method-not-allowed",
		    "%s is not allowed here; use %s",
		    evhttp_request_get_command(req) == EVHTTP_REQ_HEAD ?
		    "HEAD" : method_name(r->method), allow);
		return;
	}
	if (rt == NULL) {
		httpd_reply_error(r, 404, "not-found", "no such endpoint");
		return;
	}
	r->route = rt->path;
	rt->fn(r, &r->peer, rt->arg);
}

enum httpd_method
httpd_req_method(const struct httpd_req *r)
{
	return r->method;
}

const char *
httpd_req_path(const struct httpd_req *r)
{
	return r->path;
}

const char *
httpd_req_query_string(const struct httpd_req *r)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(r->req);
	const char *q = uri != NULL ? evhttp_uri_get_query(uri) : NULL;

	return q != NULL && *q != '\0' ? q : NULL;
}

const char *
httpd_req_route(const struct httpd_req *r)
{
	return r->route;
}

const char *
httpd_req_header(const struct httpd_req *r, const char *name)
{
	return evhttp_find_header(evhttp_request_get_input_headers(r->req),
	    name);
}

static void
query_parse(struct httpd_req *w)
{
	const struct evhttp_uri *uri;
	const char *q;

	if (!w->query_parsed) {
		TAILQ_INIT(&w->query);
		w->query_parsed = 1;
		uri = evhttp_request_get_evhttp_uri(w->req);
		q = uri != NULL ? evhttp_uri_get_query(uri) : NULL;
		if (q != NULL && evhttp_parse_query_str(q, &w->query) == -1) {
			evhttp_clear_headers(&w->query);
			w->query_parsed = -1;
		}
	}
}

int
httpd_req_query(struct httpd_req *w, const char *name, char *buf,
    size_t len)
{
	const char *v;

	query_parse(w);
	if (w->query_parsed == -1)
		return -1;
	if ((v = evhttp_find_header(&w->query, name)) == NULL)
		return 0;
	if (strlen(v) >= len)
		return -1;
	memcpy(buf, v, strlen(v) + 1);
	return 1;
}

int
httpd_req_query_each(struct httpd_req *w, httpd_query_fn *fn, void *arg)
{
	struct evkeyval *kv;

	query_parse(w);
	if (w->query_parsed == -1)
		return -1;
	TAILQ_FOREACH(kv, &w->query, next)
		if (fn(arg, kv->key, kv->value) == -1)
			return -1;
	return 0;
}

const unsigned char *
httpd_req_body(struct httpd_req *r, size_t *len)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(r->req);
	unsigned char *p;

	/* A NUL after the body, for parsers that want a C string. */
	if (evbuffer_add(in, "", 1) == -1 ||
	    (p = evbuffer_pullup(in, -1)) == NULL) {
		*len = 0;
		return (const unsigned char *)"";
	}
	*len = evbuffer_get_length(in) - 1;
	evbuffer_drain(in, 0);
	return p;
}

/* Past this much copied, the chains already freed are handed back to the
 * system (malloc_trim) before more is copied: the chains are small heap
 * blocks that free() keeps, so without it the process would hold the body
 * twice at the end of the copy. */
#define BODY_TRIM_STEP	(16UL * 1024 * 1024)

unsigned char *
httpd_req_body_take(struct httpd_req *r, size_t *len)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(r->req);
	struct evbuffer_iovec v;
	unsigned char *p;
	size_t n = evbuffer_get_length(in), off = 0, trimmed = 0;

	*len = 0;
	/* malloc'd pages are untouched until written: only what has been
	 * copied counts, while the copied chains are released. */
	if ((p = malloc(n + 1)) == NULL)
		return NULL;
	/* One chain at a time: peeking one byte gives the first chain whole
	 * without walking the rest. */
	while (off < n && evbuffer_peek(in, 1, NULL, &v, 1) >= 1 &&
	    v.iov_len > 0 && v.iov_len <= n - off) {
		memcpy(p + off, v.iov_base, v.iov_len);
		off += v.iov_len;
		evbuffer_drain(in, v.iov_len);
#ifdef __GLIBC__
		if (off - trimmed >= BODY_TRIM_STEP) {
			malloc_trim(0);
			trimmed = off;
		}
#endif
	}
#ifdef __GLIBC__
	if (trimmed > 0)
		malloc_trim(0);
#endif
	p[off] = '\0';
	*len = off;
	return p;
}

void
httpd_req_reply_header(struct httpd_req *r, const char *name,
    const char *value)
{
	evhttp_add_header(evhttp_request_get_output_headers(r->req), name,
	    value);
}

void
httpd_req_hold(struct httpd_req *r)
{
	struct evhttp_connection *evcon;
	struct timeval tv = { 24 * 3600, 0 };

	/* evhttp's read/write inactivity timeout would close the connection
	 * while the reply is being worked out; the reply restores it. */
	if ((evcon = evhttp_request_get_connection(r->req)) == NULL)
		return;
	evhttp_connection_set_timeout_tv(evcon, &tv);
	r->held = 1;
}

static const char *
listener_name(enum httpd_listener l)
{
	return l == HTTPD_FEDERATION ? "federation" : l == HTTPD_WEB ? "web" :
	    "admin";
}

/* The headers every reply carries. */
static void
reply_headers(struct httpd_req *r, const char *content_type)
{
	struct evkeyvalq *oh = evhttp_request_get_output_headers(r->req);

	if (content_type != NULL)
		evhttp_add_header(oh, "Content-Type", content_type);
	evhttp_add_header(oh, "Cache-Control", "no-store");
	if (r->h->draining || r->close)
		evhttp_add_header(oh, "Connection", "close");
}

/* The reply is complete: the connection's timers for what comes next, the
 * metrics and the log line.  Returns the connection's bufferevent. */
static struct bufferevent *
reply_account(struct httpd_req *r, int status)
{
	struct httpd *h = r->h;
	struct evhttp_connection *evcon;
	struct bufferevent *bev = NULL;
	struct conn *c;
	struct timeval tv;
	char labels[160];

	if ((evcon = evhttp_request_get_connection(r->req)) != NULL) {
		bev = evhttp_connection_get_bufferevent(evcon);
		if (r->held) {
			tv.tv_sec = h->lim.request_timeout_ms / 1000;
			tv.tv_usec = (h->lim.request_timeout_ms % 1000) * 1000;
			evhttp_connection_set_timeout_tv(evcon, &tv);
		}
	}
	if (r->listener == HTTPD_FEDERATION) {
		if ((c = httpd_conn_of_req(r->req)) != NULL &&
		    c->state == CONN_MEMBER)
			httpd_conn_arm(c, h->lim.idle_timeout_ms);
	} else if (bev != NULL && (c = httpd_admin_conn(h, bev)) != NULL &&
	    c->state == CONN_ADMIN) {
		/* The next request's headers are due from now. */
		c->phase = PHASE_HEADERS;
		c->blank = c->seen = 0;
		httpd_conn_arm(c, h->lim.admin_header_timeout_ms);
	}

	snprintf(labels, sizeof(labels), "listener=\"%s\",endpoint=\"%s\","
	    "method=\"%s\",status=\"%d\"", listener_name(r->listener),
	    r->route, method_name(r->method), status);
	metrics_inc(h->metrics, M_HTTP_REQUESTS, labels);
	log_debug("request", "listener=%s peer=%s member=%s method=%s "
	    "endpoint=%s status=%d", listener_name(r->listener), r->peer.addr, r->peer.member_id[0] ?
	    r->peer.member_id : "-", method_name(r->method), r->route, status);
	return bev;
}

static void
reply_release(struct httpd_req *r)
{
	struct httpd *h = r->h;

	if (r->query_parsed == 1)
		evhttp_clear_headers(&r->query);
	free(r);
	if (--h->inflight == 0 && h->draining && h->drained != NULL) {
		void (*fn)(void *) = h->drained;

		h->drained = NULL;
		fn(h->drained_arg);
	}
}

void
httpd_reply(struct httpd_req *r, int status, const char *content_type,
    const void *body, size_t len)
{
	struct evhttp_request *req = r->req;
	struct bufferevent *bev;

	reply_headers(r, content_type);
	/* A response to HEAD has no body (evhttp would send it anyway, and a
	 * client on a kept-alive connection would read it as the next
	 * response). */
	if (body != NULL && len > 0 &&
	    evhttp_request_get_command(req) != EVHTTP_REQ_HEAD)
		evbuffer_add(evhttp_request_get_output_buffer(req), body, len);
	bev = reply_account(r, status);
	evhttp_send_reply(req, status, NULL, NULL);
	/* Headers and body as one chain: one SSL_write, one record. */
	if (bev != NULL && r->listener == HTTPD_FEDERATION)
		evbuffer_pullup(bufferevent_get_output(bev), -1);
	reply_release(r);
}

void
httpd_reply_start(struct httpd_req *r, int status, const char *content_type)
{
	reply_headers(r, content_type);
	r->stream_status = status;
	evhttp_send_reply_start(r->req, status, NULL);
}

void
httpd_reply_data(struct httpd_req *r, const void *p, size_t len)
{
	struct evbuffer *b;

	if (len == 0 || (b = evbuffer_new()) == NULL)
		return;
	if (evbuffer_add(b, p, len) == 0)
		evhttp_send_reply_chunk(r->req, b);
	evbuffer_free(b);
}

void
httpd_reply_chunk(struct httpd_req *r, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		httpd_reply_data(r, buf, (size_t)n < sizeof(buf) ? (size_t)n :
		    sizeof(buf) - 1);
}

void
httpd_reply_end(struct httpd_req *r)
{
	reply_account(r, r->stream_status);
	evhttp_send_reply_end(r->req);
	reply_release(r);
}

static void
xml_escape(const char *s, char *buf, size_t len)
{
	size_t n = 0;
	const char *rep;

	for (; *s != '\0' && n + 7 < len; s++) {
		switch (*s) {
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '&': rep = "&amp;"; break;
		case '"': rep = "&quot;"; break;
		default: rep = NULL; break;
		}
		if (rep != NULL) {
			memcpy(buf + n, rep, strlen(rep));
			n += strlen(rep);
		} else if ((unsigned char)*s < ' ' && *s != '\t')
			buf[n++] = '?';
		else
			buf[n++] = *s;
	}
	buf[n] = '\0';
}

void
httpd_reply_error(struct httpd_req *r, int status, const char *code,
    const char *fmt, ...)
{
	char msg[512], esc[1024], doc[1400];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	xml_escape(msg, esc, sizeof(esc));
	n = snprintf(doc, sizeof(doc), "<?xml version=\"1.0\" encoding="
	    "\"UTF-8\"?>\n<Error xmlns=\"urn:lasteri:1\" status=\"%d\" "
	    "code=\"%s\">%s</Error>\n", status, code, esc);
	if (n < 0 || (size_t)n >= sizeof(doc))
		n = 0;
	httpd_reply(r, status, "application/xml; charset=utf-8", doc,
	    (size_t)n);
}

/* --- the server --------------------------------------------------------- */

static struct evhttp *
http_new(struct httpd *h, struct listener_ctx *lc, struct err *e)
{
	struct evhttp *http;
	struct timeval tv;

	if ((http = evhttp_new(h->base)) == NULL) {
		err_set(e, ERR_NOMEM, "evhttp_new failed");
		return NULL;
	}
	evhttp_set_max_body_size(http, (ev_ssize_t)(lc->kind == HTTPD_ADMIN &&
	    h->lim.admin_body_max > 0 ? h->lim.admin_body_max :
	    h->lim.body_max));
	evhttp_set_max_headers_size(http, (ev_ssize_t)h->lim.header_max);
	/* An admin body over the limit is read and dropped, not left unread
	 * (the client would get a broken pipe); httpd_conn.c's admin_scan
	 * answers it with the limit's name. */
	if (lc->kind == HTTPD_ADMIN)
		evhttp_set_flags(http, EVHTTP_SERVER_LINGERING_CLOSE);
	tv.tv_sec = h->lim.request_timeout_ms / 1000;
	tv.tv_usec = (h->lim.request_timeout_ms % 1000) * 1000;
	evhttp_set_timeout_tv(http, &tv);
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
	evhttp_set_default_content_type(http, "application/xml; charset=utf-8");
	evhttp_set_gencb(http, dispatch, lc);
	return http;
}

struct httpd *
httpd_new(struct event_base *base, const struct httpd_limits *lim,
    SSL_CTX *ctx, struct metrics *m, struct err *e)
{
	struct httpd *h;

	if (httpd_conn_idx == -1 && (httpd_conn_idx = SSL_get_ex_new_index(0, NULL, NULL,
	    NULL, httpd_conn_free)) == -1) {
		err_set(e, ERR_TLS, "SSL_get_ex_new_index failed");
		return NULL;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	h->base = base;
	h->ctx = ctx;
	h->metrics = m;
	h->lim = *lim;
	if (h->lim.fd_budget <= 0)
		h->lim.fd_budget = h->lim.max_connections +
		    h->lim.max_handshakes + h->lim.admin_max_connections +
		    h->lim.web_max_connections + FD_MARGIN;
	h->listening = 1;
	TAILQ_INIT(&h->silent);
	TAILQ_INIT(&h->started);
	TAILQ_INIT(&h->admins);
	if (RAND_bytes((unsigned char *)&h->addr_seed,
	    sizeof(h->addr_seed)) != 1)
		h->addr_seed = (uint32_t)time(NULL);
	h->next = httpd_servers;
	httpd_servers = h;
	h->fed_ctx = (struct listener_ctx){ h, HTTPD_FEDERATION, "federation" };
	h->admin_ctx = (struct listener_ctx){ h, HTTPD_ADMIN, "admin" };
	h->web_ctx = (struct listener_ctx){ h, HTTPD_WEB, "web" };
	if ((h->backoff_ev = evtimer_new(base, httpd_backoff_cb, h)) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		httpd_free(h);
		return NULL;
	}
	if ((h->fed = http_new(h, &h->fed_ctx, e)) == NULL ||
	    (h->admin = http_new(h, &h->admin_ctx, e)) == NULL ||
	    (h->web = http_new(h, &h->web_ctx, e)) == NULL) {
		httpd_free(h);
		return NULL;
	}
	evhttp_set_bevcb(h->fed, httpd_fed_bevcb, h);
	evhttp_set_bevcb(h->admin, httpd_admin_bevcb, h);
	evhttp_set_bevcb(h->web, httpd_web_bevcb, h);
	tls_server_set_done_cb(ctx, httpd_hs_done, h);
	httpd_gauges(h);
	return h;
}

void
httpd_free(struct httpd *h)
{
	struct httpd **p;
	struct conn *c;
	int i;

	if (h == NULL)
		return;
	for (p = &httpd_servers; *p != NULL; p = &(*p)->next)
		if (*p == h) {
			*p = h->next;
			break;
		}
	/* Connections freed from here on only drop their counts. */
	h->freeing = 1;
	if (h->ctx != NULL)
		tls_server_set_done_cb(h->ctx, NULL, NULL);
	h->fed_sock = h->admin_sock = h->web_sock = NULL;
	if (h->fed != NULL)
		evhttp_free(h->fed);
	if (h->admin != NULL)
		evhttp_free(h->admin);
	if (h->web != NULL)
		evhttp_free(h->web);
	/* Admin connections not attached yet: ours is the last reference. */
	while ((c = TAILQ_FIRST(&h->admins)) != NULL)
		httpd_conn_destroy(c);
	if (h->backoff_ev != NULL)
		event_free(h->backoff_ev);
	if (h->admin_path != NULL) {
		unlink(h->admin_path);
		free(h->admin_path);
	}
	for (i = 0; i < h->nroutes; i++)
		free(h->routes[i].path);
	h->nroutes = 0;
	/* Connections whose SSL libevent frees later keep no address. */
	TAILQ_FOREACH(c, &h->silent, q)
		c->addr = NULL;
	TAILQ_FOREACH(c, &h->started, q)
		c->addr = NULL;
	for (i = 0; i < ADDR_BUCKETS; i++)
		while (h->addrs[i] != NULL) {
			struct addr_count *a = h->addrs[i];

			h->addrs[i] = a->next;
			free(a);
		}
	h->freeing = 0;
	if (h->nfd > 0) {
		h->dead = 1;
		return;
	}
	free(h);
}

static int
listen_tcp(struct httpd *h, struct evhttp *http,
    struct evhttp_bound_socket **sock, const char *host, int port,
    int *bound, struct err *e)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	evutil_socket_t fd;
	int one = 1;

	if ((*sock = evhttp_bind_socket_with_handle(http, host,
	    (ev_uint16_t)port)) == NULL)
		return err_set(e, ERR_IO, "cannot listen on %s:%d: %s", host,
		    port, strerror(errno));
	httpd_listener_watch(h, *sock);
	fd = evhttp_bound_socket_get_fd(*sock);
	/* Accepted sockets inherit it on Linux; tls.c sets it on each one
	 * too. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET)
			*bound = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		else if (ss.ss_family == AF_INET6)
			*bound = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		else
			*bound = port;
	} else
		*bound = port;
	return 0;
}

int
httpd_listen_tls(struct httpd *h, const char *host, int port, int *bound,
    struct err *e)
{
	return listen_tcp(h, h->fed, &h->fed_sock, host, port, bound, e);
}

int
httpd_listen_web(struct httpd *h, const char *host, int port, SSL_CTX *ctx,
    int *bound, struct err *e)
{
	h->web_tls = ctx;
	return listen_tcp(h, h->web, &h->web_sock, host, port, bound, e);
}

/* 1 when something accepts connections on path. */
static int
unix_in_use(const char *path)
{
	struct sockaddr_un sun;
	int fd, r;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	r = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	return r == 0;
}

int
httpd_listen_unix(struct httpd *h, const char *path, struct err *e)
{
	struct sockaddr_un sun;
	struct stat st;
	mode_t old;
	int fd = -1, rc = -1;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return err_set(e, ERR_USAGE, "%s: socket path too long", path);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return err_set(e, ERR_IO, "%s: exists and is not a "
			    "socket", path);
		if (unix_in_use(path))
			return err_set(e, ERR_IO, "%s: another process is "
			    "listening on it", path);
		if (unlink(path) == -1)
			return err_set(e, ERR_IO, "%s: cannot remove the stale "
			    "socket: %s", path, strerror(errno));
		log_info("admin_stale_socket_removed", "path=%s", path);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) == -1) {
		err_set(e, ERR_IO, "%s: socket: %s", path, strerror(errno));
		goto done;
	}
	old = umask(0117);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old);
		err_set(e, ERR_IO, "%s: bind: %s", path, strerror(errno));
		goto done;
	}
	umask(old);
	if ((h->admin_path = strdup(path)) == NULL) {
		unlink(path);
		err_set(e, ERR_NOMEM, "out of memory");
		goto done;
	}
	if (chmod(path, 0660) == -1 || listen(fd, 128) == -1) {
		err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
		goto done;
	}
	if ((h->admin_sock = evhttp_accept_socket_with_handle(h->admin,
	    fd)) == NULL) {
		err_set(e, ERR_IO, "%s: cannot serve HTTP on it", path);
		goto done;
	}
	httpd_listener_watch(h, h->admin_sock);
	fd = -1;
	rc = 0;
done:
	if (fd != -1)
		close(fd);
	return rc;
}

int
httpd_route(struct httpd *h, unsigned listeners, unsigned methods,
    const char *path, httpd_handler *fn, void *arg, struct err *e)
{
	struct route *rt;

	if (h->nroutes == ROUTES_MAX)
		return err_set(e, ERR_INTERNAL, "too many routes");
	if (path[0] != '/')
		return err_set(e, ERR_USAGE, "route %s: not an absolute path",
		    path);
	rt = &h->routes[h->nroutes];
	if ((rt->path = strdup(path)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	rt->len = strlen(path);
	rt->prefix = path[rt->len - 1] == '/';
	rt->listeners = listeners;
	rt->methods = methods;
	rt->fn = fn;
	rt->arg = arg;
	h->nroutes++;
	return 0;
}

void
httpd_drain(struct httpd *h, void (*done)(void *), void *arg)
{
	h->draining = 1;
	if (h->fed_sock != NULL) {
		evhttp_del_accept_socket(h->fed, h->fed_sock);
		h->fed_sock = NULL;
	}
	if (h->admin_sock != NULL) {
		evhttp_del_accept_socket(h->admin, h->admin_sock);
		h->admin_sock = NULL;
	}
	if (h->web_sock != NULL) {
		evhttp_del_accept_socket(h->web, h->web_sock);
		h->web_sock = NULL;
	}
	if (h->inflight == 0) {
		done(arg);
		return;
	}
	h->drained = done;
	h->drained_arg = arg;
}

int
httpd_inflight(const struct httpd *h)
{
	return h->inflight;
}
