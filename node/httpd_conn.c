/*
 * httpd_conn.c - the HTTP server's connections (see httpd_internal.h).
 *
 * Two evhttp objects share the event base: the federation one makes every
 * accepted connection an OpenSSL bufferevent, the admin one a plain socket
 * bufferevent on the Unix socket (both through a bevcb).  Each connection
 * gets a struct conn, which is where its pool, its count and its deadline
 * timer live.
 *
 * Federation connections: the conn rides in the SSL's ex_data and is freed
 * with the SSL when evhttp frees the connection.  It starts in the pool of
 * pending handshakes and has handshake_timeout to finish.  Its address is
 * checked against the per-address count as soon as evhttp has set the
 * socket (after the bevcb): at the next accept or the next turn of the
 * loop, whichever comes first.  A new connection past max_handshakes
 * closes a pending one: the oldest that has sent nothing of a handshake
 * yet (h->silent, oldest first; a connection found to have sent its
 * ClientHello moves to h->started), else the oldest of all.  So plain TCP
 * connections, however many and however fast they come, only ever push
 * each other out.  tls.c calls hs_done() at the end of the handshake: a
 * listed member moves to the members' pool (max_connections), anyone else
 * is closed.  A member's timer closes a connection that has not delivered a
 * whole request within idle_timeout of its start or of the previous reply.
 *
 * Web connections (the people's pages, plain or HTTPS with a server context
 * of their own) are admin connections in all but their pool: the same
 * attachment, header and body deadlines, with web_max_connections.
 *
 * Admin connections: evhttp offers no hook when it frees a server
 * connection other than the connection's close callback, and the
 * connection object exists only after the bevcb.  So the bevcb keeps a
 * reference on the bufferevent until the connection is "attached" (at the
 * next turn, or at its first request if that comes first): then the close
 * callback is set, or, when evhttp has already dropped the connection, our
 * reference is the last one and frees it.  An evbuffer callback on the
 * input sees the bytes as they arrive and finds the end of the headers, so
 * that the header and the body deadline can differ.
 *
 * Closing is done with shutdown(2) so that evhttp sees EOF and frees its
 * connection itself.  Every conn counts in h->nfd until it is freed; at
 * fd_budget the listeners pause.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

int		 httpd_conn_idx = -1;
struct httpd	*httpd_servers;

/* --- per-address counts --------------------------------------------------- */

/* The key of fd's peer: an IPv4 address, or the /64 of an IPv6 one (an
 * IPv4-mapped IPv6 address is IPv4).  -1 when there is none. */
static int
addr_key(evutil_socket_t fd, unsigned char key[9])
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	const unsigned char *a6;

	memset(key, 0, 9);
	if (fd == -1 || getpeername(fd, (struct sockaddr *)&ss, &sl) == -1)
		return -1;
	if (ss.ss_family == AF_INET) {
		key[0] = 4;
		memcpy(key + 1, &((struct sockaddr_in *)&ss)->sin_addr, 4);
		return 0;
	}
	if (ss.ss_family != AF_INET6)
		return -1;
	a6 = ((struct sockaddr_in6 *)&ss)->sin6_addr.s6_addr;
	if (IN6_IS_ADDR_V4MAPPED(&((struct sockaddr_in6 *)&ss)->sin6_addr)) {
		key[0] = 4;
		memcpy(key + 1, a6 + 12, 4);
	} else {
		key[0] = 6;
		memcpy(key + 1, a6, 8);
	}
	return 0;
}

static unsigned
addr_hash(const struct httpd *h, const unsigned char key[9])
{
	uint32_t x = 2166136261u ^ h->addr_seed;
	int i;

	for (i = 0; i < 9; i++)
		x = (x ^ key[i]) * 16777619u;
	return (x ^ (x >> 16)) % ADDR_BUCKETS;
}

/* The entry for key, made when missing; NULL when out of memory. */
static struct addr_count *
addr_get(struct httpd *h, const unsigned char key[9])
{
	struct addr_count *a, **b = &h->addrs[addr_hash(h, key)];

	for (a = *b; a != NULL; a = a->next)
		if (memcmp(a->key, key, 9) == 0)
			return a;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	memcpy(a->key, key, 9);
	a->next = *b;
	*b = a;
	return a;
}

static void
addr_put(struct httpd *h, struct addr_count *a)
{
	struct addr_count **p;

	if (a == NULL || --a->n > 0)
		return;
	for (p = &h->addrs[addr_hash(h, a->key)]; *p != NULL;
	    p = &(*p)->next)
		if (*p == a) {
			*p = a->next;
			free(a);
			return;
		}
}

/* --- connections -------------------------------------------------------- */

static void
refused(struct httpd *h, enum httpd_listener kind, const char *reason)
{
	char labels[80];

	snprintf(labels, sizeof(labels), "listener=\"%s\",reason=\"%s\"",
	    kind == HTTPD_FEDERATION ? "federation" : kind == HTTPD_WEB ?
	    "web" : "admin", reason);
	metrics_inc(h->metrics, M_CONN_REFUSED, labels);
}

void
httpd_gauges(struct httpd *h)
{
	metrics_set(h->metrics, M_CONN_OPEN, NULL, h->nmember);
	metrics_set(h->metrics, M_CONN_HANDSHAKING, NULL, h->nhandshake);
	metrics_set(h->metrics, M_CONN_ADMIN, NULL, h->nadmin);
	metrics_set(h->metrics, M_CONN_WEB, NULL, h->nweb);
}

/* Takes c out of its pool (and queue); its state is left as it was. */
static void
conn_leave(struct conn *c)
{
	struct httpd *h = c->h;

	switch (c->state) {
	case CONN_HANDSHAKE:
		h->nhandshake--;
		addr_put(h, c->addr);
		c->addr = NULL;
		break;
	case CONN_MEMBER:
		h->nmember--;
		break;
	case CONN_ADMIN:
		if (c->kind == HTTPD_WEB)
			h->nweb--;
		else
			h->nadmin--;
		break;
	case CONN_CLOSING:
		break;
	}
	/* An admin conn stays in h->admins until it is destroyed. */
	if (c->queued && c->kind == HTTPD_FEDERATION) {
		TAILQ_REMOVE(c->started ? &h->started : &h->silent, c, q);
		c->queued = 0;
	}
	if (h->unadmitted == c)
		h->unadmitted = NULL;
	if (!h->dead && !h->freeing)
		httpd_gauges(h);
}

/* Leaves the pool and shuts the socket down (at the next turn when evhttp
 * has not set it yet). */
static void
conn_close(struct conn *c)
{
	evutil_socket_t fd;

	if (c->state == CONN_CLOSING)
		return;
	conn_leave(c);
	c->state = CONN_CLOSING;
	if ((fd = bufferevent_getfd(c->bev)) != -1)
		shutdown(fd, SHUT_RDWR);
	/* Without a socket yet, or not attached yet: the timer shuts it
	 * down (again) at the next turn. */
	if (fd == -1 || c->held)
		httpd_conn_arm(c, 0);
	else
		event_del(c->timer);
}

/* The last of a conn: the counts and the memory. */
void
httpd_conn_destroy(struct conn *c)
{
	struct httpd *h = c->h;

	conn_leave(c);
	if (c->queued) {
		TAILQ_REMOVE(&h->admins, c, q);
		c->queued = 0;
	}
	if (c->scan != NULL)
		evbuffer_remove_cb_entry(bufferevent_get_input(c->bev),
		    c->scan);
	if (c->held)
		bufferevent_decref(c->bev);
	if (c->timer != NULL)
		event_free(c->timer);
	free(c);
	h->nfd--;
	if (h->freeing)
		return;
	if (h->dead) {
		/* Libevent may finalise a connection's bufferevent (and so
		 * its SSL) only in event_base_free(), after httpd_free(): the
		 * last connection then frees the httpd. */
		if (h->nfd == 0)
			free(h);
		return;
	}
	httpd_listeners_update(h);
}

/* Counts c against its address once evhttp has set the socket; closes it
 * when the address has max_handshakes_per_address pending already. */
static void
conn_admit(struct conn *c)
{
	struct httpd *h = c->h;
	unsigned char key[9];
	struct addr_count *a;

	if (c->admitted)
		return;
	c->admitted = 1;
	if (h->unadmitted == c)
		h->unadmitted = NULL;
	if (c->state != CONN_HANDSHAKE)
		return;
	if (addr_key(bufferevent_getfd(c->bev), key) == -1) {
		httpd_conn_arm(c, h->lim.handshake_timeout_ms);
		return;
	}
	if ((a = addr_get(h, key)) == NULL ||
	    a->n >= h->lim.max_handshakes_per_address) {
		refused(h, c->kind, "per-address");
		conn_close(c);
		return;
	}
	a->n++;
	c->addr = a;
	httpd_conn_arm(c, h->lim.handshake_timeout_ms);	/* replaces the 0 */
}

static void
conn_timer_cb(evutil_socket_t fd_unused, short what, void *arg)
{
	struct conn *c = arg;
	struct httpd *h = c->h;
	evutil_socket_t fd = bufferevent_getfd(c->bev);

	switch (c->state) {
	case CONN_HANDSHAKE:
		if (c->admitted) {
			refused(h, c->kind, "handshake-timeout");
			log_debug("conn_deadline", "listener=federation "
			    "phase=handshake handshake_timeout_ms=%ld",
			    h->lim.handshake_timeout_ms);
			conn_close(c);
			return;
		}
		conn_admit(c);
		return;
	case CONN_MEMBER:
		log_debug("conn_deadline", "listener=federation phase=request "
		    "idle_timeout_ms=%ld", h->lim.idle_timeout_ms);
		conn_close(c);
		return;
	case CONN_ADMIN:
		refused(h, c->kind, c->phase == PHASE_BODY ? "body-timeout" :
		    "header-timeout");
		log_debug("conn_deadline", "listener=%s phase=%s "
		    "timeout_ms=%ld", c->kind == HTTPD_WEB ? "web" : "admin",
		    c->phase == PHASE_BODY ? "body" :
		    "headers", c->phase == PHASE_BODY ?
		    h->lim.admin_body_timeout_ms :
		    h->lim.admin_header_timeout_ms);
		conn_close(c);
		return;
	case CONN_CLOSING:
		if (fd != -1)
			shutdown(fd, SHUT_RDWR);
		return;
	}
}

void
httpd_conn_arm(struct conn *c, long ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	event_add(c->timer, &tv);
}

/* A new conn for bev; NULL when out of memory.  It counts in nfd. */
static struct conn *
conn_new(struct httpd *h, struct event_base *base, enum httpd_listener kind,
    struct bufferevent *bev, event_callback_fn timer_cb)
{
	struct conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((c->timer = evtimer_new(base, timer_cb, c)) == NULL) {
		free(c);
		return NULL;
	}
	c->h = h;
	c->kind = kind;
	c->bev = bev;
	c->state = CONN_CLOSING;	/* until it joins a pool */
	h->nfd++;
	h->backoff_ms = 0;		/* accept() works again */
	if (h->nfd >= h->lim.fd_budget)
		httpd_listeners_update(h);
	return c;
}

void
httpd_conn_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
    void *argp)
{
	if (ptr != NULL)
		httpd_conn_destroy(ptr);
}

struct conn *
httpd_conn_of_req(struct evhttp_request *req)
{
	struct evhttp_connection *evcon;
	struct bufferevent *bev;
	SSL *ssl;

	if ((evcon = evhttp_request_get_connection(req)) == NULL ||
	    (bev = evhttp_connection_get_bufferevent(evcon)) == NULL ||
	    (ssl = bufferevent_openssl_get_ssl(bev)) == NULL)
		return NULL;
	return SSL_get_ex_data(ssl, httpd_conn_idx);
}

/* 1 while nothing of a TLS handshake has come from c's peer: OpenSSL has
 * not read a ClientHello and no byte waits in the socket. */
static int
conn_silent(struct conn *c)
{
	SSL *ssl = bufferevent_openssl_get_ssl(c->bev);
	evutil_socket_t fd = bufferevent_getfd(c->bev);
	int n = 0;

	if (ssl == NULL || SSL_get_state(ssl) != TLS_ST_BEFORE)
		return 0;
	return fd == -1 || ioctl(fd, FIONREAD, &n) == -1 || n == 0;
}

/* The pending handshake to close for a new one: the oldest silent one,
 * else the oldest of all.  Each conn moves to h->started at most once. */
static struct conn *
hs_victim(struct httpd *h)
{
	struct conn *c;

	while ((c = TAILQ_FIRST(&h->silent)) != NULL && !conn_silent(c)) {
		TAILQ_REMOVE(&h->silent, c, q);
		TAILQ_INSERT_TAIL(&h->started, c, q);
		c->started = 1;
	}
	return c != NULL ? c : TAILQ_FIRST(&h->started);
}

/* evhttp asks for the bufferevent of each accepted federation connection;
 * it sets the socket afterwards.  Returning NULL would make evhttp serve the
 * connection in plain text, so a failure here (out of memory) is fatal. */
struct bufferevent *
httpd_fed_bevcb(struct event_base *base, void *arg)
{
	struct httpd *h = arg;
	struct bufferevent *bev = NULL;
	struct conn *c = NULL, *old;
	struct err e;
	SSL *ssl;

	if ((ssl = tls_server_ssl(h->ctx, &e)) == NULL)
		fatalx("cannot make a TLS connection: %s", e.msg);
	if ((bev = bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE)) == NULL ||
	    (c = conn_new(h, base, HTTPD_FEDERATION, bev, conn_timer_cb)) ==
	    NULL ||
	    !SSL_set_ex_data(ssl, httpd_conn_idx, c))
		fatalx("cannot make a TLS connection: out of memory");
	if (h->draining) {
		refused(h, c->kind, "draining");
		httpd_conn_arm(c, 0);
		return bev;
	}
	/* The previous connection's socket is set by now. */
	if (h->unadmitted != NULL)
		conn_admit(h->unadmitted);
	if (h->nhandshake >= h->lim.max_handshakes) {
		refused(h, c->kind, "handshakes-full");
		if ((old = hs_victim(h)) != NULL)
			conn_close(old);
	}
	c->state = CONN_HANDSHAKE;
	h->nhandshake++;
	TAILQ_INSERT_TAIL(&h->silent, c, q);
	c->queued = 1;
	h->unadmitted = c;
	httpd_gauges(h);
	httpd_conn_arm(c, 0);		/* admission, once the socket is set */
	return bev;
}

/* tls.c: the handshake of ssl ended. */
void
httpd_hs_done(const SSL *ssl, void *arg)
{
	const struct tls_peer *tp = tls_peer_get(ssl);
	struct conn *c = SSL_get_ex_data(ssl, httpd_conn_idx);
	struct httpd *h = arg;

	if (c == NULL || c->state != CONN_HANDSHAKE)
		return;
	if (tp == NULL || !tp->verified) {
		conn_close(c);
		return;
	}
	if (h->nmember >= h->lim.max_connections || h->draining) {
		refused(h, c->kind, h->draining ? "draining" :
		    "members-full");
		conn_close(c);
		return;
	}
	conn_leave(c);
	c->state = CONN_MEMBER;
	h->nmember++;
	httpd_gauges(h);
	httpd_conn_arm(c, h->lim.idle_timeout_ms);
}

/* The admin listener's body limit (httpd.c's http_new gives evhttp the
 * same). */
static size_t
admin_max(const struct httpd *h)
{
	return h->lim.admin_body_max > 0 ? h->lim.admin_body_max :
	    h->lim.body_max;
}

/* Admin: a request whose Content-Length is over admin_body_max.  evhttp
 * would answer its own bare 413 and close while the client still writes
 * (a broken pipe for it).  Instead the answer that says why is written at
 * once, before evhttp has parsed the headers, and the sending side is shut:
 * evhttp (EVHTTP_SERVER_LINGERING_CLOSE, httpd.c) then reads and drops the
 * body, and its own answer finds the socket shut and closes it. */
static void
admin_too_large(struct conn *c)
{
	struct bufferevent *bev = c->bev;
	char body[300], resp[600];
	evutil_socket_t fd = bufferevent_getfd(bev);
	int bn, rn;

	log_warnx("admin_too_large", "content_length=%lld admin_body_max=%zu",
	    c->clen, admin_max(c->h));
	bn = snprintf(body, sizeof(body), "<?xml version=\"1.0\" encoding="
	    "\"UTF-8\"?>\n<Error xmlns=\"urn:lasteri:1\" status=\"413\" "
	    "code=\"too-large\">too large (admin_body_max = %zu bytes; this "
	    "request has %lld)</Error>\n", admin_max(c->h), c->clen);
	rn = snprintf(resp, sizeof(resp), "HTTP/1.1 413 Payload Too Large\r\n"
	    "Content-Type: application/xml; charset=utf-8\r\n"
	    "Content-Length: %d\r\nConnection: close\r\n\r\n%s", bn, body);
	if (bn < 0 || rn < 0 || (size_t)rn >= sizeof(resp))
		return;
	if (fd != -1 && evbuffer_get_length(bufferevent_get_output(bev)) == 0 &&
	    write(fd, resp, (size_t)rn) == rn) {
		(void)shutdown(fd, SHUT_WR);
		return;
	}
	bufferevent_write(bev, resp, (size_t)rn);
}

/* Admin: finds the end of the request line and headers in the bytes as
 * they arrive (evhttp takes whole lines off the buffer as it parses them,
 * so only the new bytes are looked at, with the state kept in c), and the
 * Content-Length on the way. */
/* The scanner is at the end of a header line: a Content-Length? */
static void
admin_line(struct conn *c)
{
	const char *v;
	char *end;
	long long n;

	c->hline[c->hlen] = '\0';
	c->hlen = 0;
	if (strncasecmp(c->hline, "content-length:", 15) != 0)
		return;
	for (v = c->hline + 15; *v == ' ' || *v == '\t'; v++)
		;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno == 0 && end != v && n > 0)
		c->clen = n;
}

static void
admin_scan(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct conn *c = arg;
	struct evbuffer_iovec v[8];
	struct evbuffer_ptr pos;
	size_t len = evbuffer_get_length(buf), left = info->n_added, i;
	const unsigned char *p;
	int n, j;

	if (left == 0 || c->state != CONN_ADMIN || c->phase != PHASE_HEADERS ||
	    left > len || evbuffer_ptr_set(buf, &pos, len - left,
	    EVBUFFER_PTR_SET) == -1)
		return;
	while (left > 0) {
		n = evbuffer_peek(buf, (ev_ssize_t)left, &pos, v, 8);
		if (n <= 0)
			return;
		for (j = 0; j < n && j < 8 && left > 0; j++) {
			p = v[j].iov_base;
			for (i = 0; i < v[j].iov_len && i < left; i++) {
				if (p[i] == '\n') {
					admin_line(c);
					if (c->blank && c->seen) {
						/* Before the attachment the
						 * timer is the attachment's;
						 * it arms the deadline. */
						c->phase = PHASE_BODY;
						/* Not on the web listener:
						 * it may be TLS. */
						if (c->kind == HTTPD_ADMIN &&
						    c->clen > (long long)
						    admin_max(c->h))
							admin_too_large(c);
						c->clen = 0;
						if (!c->held)
							httpd_conn_arm(c, c->h->lim.
							admin_body_timeout_ms);
						return;
					}
					c->blank = 1;
				} else if (p[i] != '\r') {
					c->blank = 0;
					c->seen = 1;
					if (c->hlen < sizeof(c->hline) - 1)
						c->hline[c->hlen++] = (char)p[i];
				}
			}
			left -= i;
			if (evbuffer_ptr_set(buf, &pos, i, EVBUFFER_PTR_ADD) ==
			    -1)
				return;
		}
	}
}

/* evhttp frees the admin connection c was attached to. */
static void
admin_closed(struct evhttp_connection *evcon, void *arg)
{
	httpd_conn_destroy(arg);
}

/* Ties c to its evhttp connection (see the top of the file).  -1 when
 * evhttp had dropped it already: c is gone then. */
static int
admin_attach(struct conn *c)
{
	bufferevent_data_cb rd, wr;
	bufferevent_event_cb ev;
	void *evcon = NULL;

	if (!c->held)
		return 0;
	c->held = 0;
	bufferevent_getcb(c->bev, &rd, &wr, &ev, &evcon);
	if (evcon == NULL) {
		if (c->scan != NULL)
			evbuffer_remove_cb_entry(bufferevent_get_input(c->bev),
			    c->scan);
		c->scan = NULL;
		bufferevent_decref(c->bev);
		httpd_conn_destroy(c);
		return -1;
	}
	c->evcon = evcon;
	evhttp_connection_set_closecb(c->evcon, admin_closed, c);
	bufferevent_decref(c->bev);
	return 0;
}

/* An admin conn's timer: first the attachment, then its deadlines. */
static void
admin_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	if (c->held) {
		if (admin_attach(c) == -1)
			return;
		if (c->state == CONN_ADMIN) {
			httpd_conn_arm(c, c->phase == PHASE_BODY ?
			    c->h->lim.admin_body_timeout_ms :
			    c->h->lim.admin_header_timeout_ms);
			return;
		}
	}
	conn_timer_cb(fd, what, c);
}

/* The admin connection with bufferevent bev (attached now if it was not). */
struct conn *
httpd_admin_conn(struct httpd *h, struct bufferevent *bev)
{
	struct conn *c;

	TAILQ_FOREACH(c, &h->admins, q)
		if (c->bev == bev)
			return admin_attach(c) == 0 ? c : NULL;
	return NULL;
}

/* An admin or web connection on bev (a pool of its kind). */
static struct bufferevent *
pooled_bevcb(struct httpd *h, struct event_base *base,
    enum httpd_listener kind, struct bufferevent *bev)
{
	struct conn *c, *old;
	int *count = kind == HTTPD_WEB ? &h->nweb : &h->nadmin;
	int max = kind == HTTPD_WEB ? h->lim.web_max_connections :
	    h->lim.admin_max_connections;

	if (bev == NULL || (c = conn_new(h, base, kind, bev,
	    admin_timer_cb)) == NULL)
		fatalx("cannot make an %s connection: out of memory",
		    kind == HTTPD_WEB ? "web" : "admin");
	bufferevent_incref(bev);
	c->held = 1;
	/* From the first byte on: evhttp may read the headers before the
	 * attachment. */
	c->scan = evbuffer_add_cb(bufferevent_get_input(bev), admin_scan, c);
	TAILQ_INSERT_TAIL(&h->admins, c, q);
	c->queued = 1;
	httpd_conn_arm(c, 0);
	if (h->draining) {
		refused(h, c->kind, "draining");
		return bev;
	}
	if (*count >= max) {
		/* The oldest connection still waiting for a request makes
		 * room, so that /health can always get in. */
		TAILQ_FOREACH(old, &h->admins, q)
			if (old->kind == kind && old->state == CONN_ADMIN &&
			    old->phase == PHASE_HEADERS)
				break;
		refused(h, c->kind, kind == HTTPD_WEB ? "web-full" :
		    "admin-full");
		if (old == NULL)
			return bev;
		conn_close(old);
	}
	c->state = CONN_ADMIN;
	c->phase = PHASE_HEADERS;
	(*count)++;
	httpd_gauges(h);
	return bev;
}

struct bufferevent *
httpd_admin_bevcb(struct event_base *base, void *arg)
{
	struct httpd *h = arg;

	return pooled_bevcb(h, base, HTTPD_ADMIN,
	    bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE));
}

/* Web: HTTPS with the web's own server context (no client certificate),
 * or plain HTTP behind the region's proxy. */
struct bufferevent *
httpd_web_bevcb(struct event_base *base, void *arg)
{
	struct httpd *h = arg;
	struct bufferevent *bev;
	SSL *ssl;

	if (h->web_tls == NULL)
		bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	else {
		if ((ssl = SSL_new(h->web_tls)) == NULL)
			fatalx("cannot make a web TLS connection: out of "
			    "memory");
		bev = bufferevent_openssl_socket_new(base, -1, ssl,
		    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	}
	return pooled_bevcb(h, base, HTTPD_WEB, bev);
}

/* --- listeners ------------------------------------------------------------ */

static void
listener_set(struct evhttp_bound_socket *b, int on)
{
	struct evconnlistener *l;

	if (b == NULL || (l = evhttp_bound_socket_get_listener(b)) == NULL)
		return;
	if (on)
		evconnlistener_enable(l);
	else
		evconnlistener_disable(l);
}

/* Listen unless draining, paused after an accept() failure or at the
 * descriptor budget. */
void
httpd_listeners_update(struct httpd *h)
{
	int full = h->nfd >= h->lim.fd_budget, on;

	if (h->freeing || h->dead)
		return;
	if (full && !h->full && time(NULL) - h->full_logged >=
	    ACCEPT_LOG_SEC) {
		log_warnx("connections_full", "open=%d fd_budget=%d "
		    "msg=\"not accepting until a connection closes\"",
		    h->nfd, h->lim.fd_budget);
		h->full_logged = time(NULL);
	}
	h->full = full;
	on = !h->draining && !h->backoff && !full;
	if (on == h->listening)
		return;
	h->listening = on;
	listener_set(h->fed_sock, on);
	listener_set(h->admin_sock, on);
	listener_set(h->web_sock, on);
}

void
httpd_backoff_cb(evutil_socket_t fd, short what, void *arg)
{
	struct httpd *h = arg;

	h->backoff = 0;
	httpd_listeners_update(h);
}

/* accept() failed for another reason than "try again": most often no free
 * descriptor (EMFILE, ENFILE).  Pausing the listeners is what keeps the
 * loop from spinning on a socket that stays readable. */
static void
accept_error_cb(struct evconnlistener *l, void *arg)
{
	int err = EVUTIL_SOCKET_ERROR();
	struct httpd *h;
	struct timeval tv;
	time_t now = time(NULL);
	char q[LOG_Q_MAX];

	for (h = httpd_servers; h != NULL; h = h->next)
		if (arg == h->fed || arg == h->admin || arg == h->web)
			break;
	if (h == NULL)
		return;
	metrics_inc(h->metrics, M_ACCEPT_ERRORS, NULL);
	h->backoff_ms = h->backoff_ms == 0 ? BACKOFF_MIN_MS :
	    h->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
	    h->backoff_ms * 2;
	if (now - h->accept_logged >= ACCEPT_LOG_SEC) {
		log_warnx("accept_failed", "listener=%s err=%s backoff_ms=%ld "
		    "not_logged=%lu open=%d", arg == h->fed ? "federation" :
		    arg == h->web ? "web" : "admin", log_q(strerror(err), q, sizeof(q)),
		    h->backoff_ms, h->accept_quiet, h->nfd);
		h->accept_logged = now;
		h->accept_quiet = 0;
	} else
		h->accept_quiet++;
	h->backoff = 1;
	httpd_listeners_update(h);
	tv.tv_sec = h->backoff_ms / 1000;
	tv.tv_usec = (h->backoff_ms % 1000) * 1000;
	evtimer_add(h->backoff_ev, &tv);
}

void
httpd_listener_watch(struct httpd *h, struct evhttp_bound_socket *b)
{
	struct evconnlistener *l = evhttp_bound_socket_get_listener(b);

	if (l == NULL)
		return;
	evconnlistener_set_error_cb(l, accept_error_cb);
	if (!h->listening)
		evconnlistener_disable(l);
}
