/*
 * httpd.c - the HTTP server on evhttp (see httpd.h); the only file that
 * includes <event2/http.h>.
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
 *
 * Responses: evhttp writes the headers and the body into the bufferevent as
 * two chains; pulling them into one chain before the event loop writes makes
 * the response a single SSL_write, i.e. one TLS record.
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
#include "log.h"
#include "tls.h"

#define ROUTES_MAX	64
#define FD_MARGIN	64	/* closing connections over the pools */
#define ADDR_BUCKETS	1024	/* per-address counts: a hash table */
#define BACKOFF_MIN_MS	100
#define BACKOFF_MAX_MS	1000
#define ACCEPT_LOG_SEC	10	/* at most one line of a kind per */

struct route {
	unsigned	 listeners;
	unsigned	 methods;
	char		*path;
	size_t		 len;
	int		 prefix;	/* path ends in '/' */
	httpd_handler	*fn;
	void		*arg;
};

struct httpd;

struct listener_ctx {
	struct httpd		*h;
	enum httpd_listener	 kind;
	const char		*name;
};

enum conn_state {
	CONN_HANDSHAKE,		/* federation: pending, in h->silent or
				   h->started */
	CONN_MEMBER,		/* federation: a proven member */
	CONN_ADMIN,		/* admin: open, in h->admins */
	CONN_CLOSING		/* shut down; evhttp frees it soon */
};

enum admin_phase {
	PHASE_HEADERS,		/* waiting for the end of the headers */
	PHASE_BODY,		/* headers in, body coming */
	PHASE_HANDLER		/* a handler has the request */
};

/* Pending handshakes from one address (IPv4, or an IPv6 /64). */
struct addr_count {
	unsigned char		 key[9];	/* family, 4 or 8 bytes */
	int			 n;
	struct addr_count	*next;
};

struct conn {
	struct httpd		*h;
	enum httpd_listener	 kind;
	enum conn_state		 state;
	struct bufferevent	*bev;
	struct event		*timer;
	/* federation */
	struct addr_count	*addr;		/* counted there while pending */
	int			 admitted;	/* the address was checked */
	int			 started;	/* in h->started, not h->silent */
	/* admin */
	struct evhttp_connection *evcon;	/* once attached */
	struct evbuffer_cb_entry *scan;
	int			 held;		/* we hold a bev reference */
	enum admin_phase	 phase;
	int			 blank;		/* scanner: at a line start */
	int			 seen;		/* scanner: a non-empty line */
	int			 queued;	/* in one of h's queues */
	TAILQ_ENTRY(conn)	 q;
};

TAILQ_HEAD(connq, conn);

struct httpd {
	struct event_base	*base;
	SSL_CTX			*ctx;
	struct metrics		*metrics;
	struct httpd_limits	 lim;
	struct evhttp		*fed;
	struct evhttp		*admin;
	struct evhttp_bound_socket *fed_sock;
	struct evhttp_bound_socket *admin_sock;
	char			*admin_path;
	struct listener_ctx	 fed_ctx, admin_ctx;
	struct route		 routes[ROUTES_MAX];
	int			 nroutes;
	int			 nfd;		/* every conn not yet freed */
	int			 nmember;
	int			 nhandshake;
	int			 nadmin;
	struct connq		 silent;	/* pending, no ClientHello seen */
	struct connq		 started;	/* pending, ClientHello came */
	struct conn		*unadmitted;	/* the latest accepted */
	struct connq		 admins;	/* oldest first, attached or not */
	struct addr_count	*addrs[ADDR_BUCKETS];
	uint32_t		 addr_seed;
	int			 listening;	/* listeners enabled */
	int			 full;		/* paused at fd_budget */
	int			 backoff;	/* paused after accept failed */
	long			 backoff_ms;
	struct event		*backoff_ev;
	time_t			 accept_logged;
	time_t			 full_logged;
	unsigned long		 accept_quiet;	/* failures not logged */
	int			 dead;		/* httpd_free() ran; last conn frees */
	int			 freeing;	/* httpd_free() is running */
	int			 inflight;
	int			 draining;
	void			(*drained)(void *);
	void			*drained_arg;
	struct httpd		*next;		/* all servers, for accept errors */
};

struct httpd_req {
	struct httpd		*h;
	struct evhttp_request	*req;
	enum httpd_listener	 listener;
	enum httpd_method	 method;
	const char		*route;		/* "other" when none */
	const char		*path;
	struct evkeyvalq	 query;
	int			 query_parsed;
	int			 close;		/* answer with Connection: close */
	struct httpd_peer	 peer;
};

static int		 conn_idx = -1;
static struct httpd	*servers;	/* for the listeners' error callback */

static void	listeners_update(struct httpd *);
static void	conn_arm(struct conn *, long);

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
	    kind == HTTPD_FEDERATION ? "federation" : "admin", reason);
	metrics_inc(h->metrics, M_CONN_REFUSED, labels);
}

static void
gauges(struct httpd *h)
{
	metrics_set(h->metrics, M_CONN_OPEN, NULL, h->nmember);
	metrics_set(h->metrics, M_CONN_HANDSHAKING, NULL, h->nhandshake);
	metrics_set(h->metrics, M_CONN_ADMIN, NULL, h->nadmin);
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
		gauges(h);
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
		conn_arm(c, 0);
	else
		event_del(c->timer);
}

/* The last of a conn: the counts and the memory. */
static void
conn_destroy(struct conn *c)
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
	listeners_update(h);
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
		conn_arm(c, h->lim.handshake_timeout_ms);
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
	conn_arm(c, h->lim.handshake_timeout_ms);	/* replaces the 0 */
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
		log_debug("conn_deadline", "listener=admin phase=%s "
		    "timeout_ms=%ld", c->phase == PHASE_BODY ? "body" :
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

static void
conn_arm(struct conn *c, long ms)
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
		listeners_update(h);
	return c;
}

static void
conn_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
    void *argp)
{
	if (ptr != NULL)
		conn_destroy(ptr);
}

static struct conn *
conn_of_req(struct evhttp_request *req)
{
	struct evhttp_connection *evcon;
	struct bufferevent *bev;
	SSL *ssl;

	if ((evcon = evhttp_request_get_connection(req)) == NULL ||
	    (bev = evhttp_connection_get_bufferevent(evcon)) == NULL ||
	    (ssl = bufferevent_openssl_get_ssl(bev)) == NULL)
		return NULL;
	return SSL_get_ex_data(ssl, conn_idx);
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
static struct bufferevent *
fed_bevcb(struct event_base *base, void *arg)
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
	    !SSL_set_ex_data(ssl, conn_idx, c))
		fatalx("cannot make a TLS connection: out of memory");
	if (h->draining) {
		refused(h, c->kind, "draining");
		conn_arm(c, 0);
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
	gauges(h);
	conn_arm(c, 0);		/* admission, once the socket is set */
	return bev;
}

/* tls.c: the handshake of ssl ended. */
static void
hs_done(const SSL *ssl, void *arg)
{
	const struct tls_peer *tp = tls_peer_get(ssl);
	struct conn *c = SSL_get_ex_data(ssl, conn_idx);
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
	gauges(h);
	conn_arm(c, h->lim.idle_timeout_ms);
}

/* Admin: finds the end of the request line and headers in the bytes as
 * they arrive (evhttp takes whole lines off the buffer as it parses them,
 * so only the new bytes are looked at, with the state kept in c). */
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
					if (c->blank && c->seen) {
						/* Before the attachment the
						 * timer is the attachment's;
						 * it arms the deadline. */
						c->phase = PHASE_BODY;
						if (!c->held)
							conn_arm(c, c->h->lim.
							admin_body_timeout_ms);
						return;
					}
					c->blank = 1;
				} else if (p[i] != '\r') {
					c->blank = 0;
					c->seen = 1;
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
	conn_destroy(arg);
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
		conn_destroy(c);
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
			conn_arm(c, c->phase == PHASE_BODY ?
			    c->h->lim.admin_body_timeout_ms :
			    c->h->lim.admin_header_timeout_ms);
			return;
		}
	}
	conn_timer_cb(fd, what, c);
}

/* The admin connection with bufferevent bev (attached now if it was not). */
static struct conn *
admin_conn(struct httpd *h, struct bufferevent *bev)
{
	struct conn *c;

	TAILQ_FOREACH(c, &h->admins, q)
		if (c->bev == bev)
			return admin_attach(c) == 0 ? c : NULL;
	return NULL;
}

static struct bufferevent *
admin_bevcb(struct event_base *base, void *arg)
{
	struct httpd *h = arg;
	struct bufferevent *bev;
	struct conn *c, *old;

	if ((bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE)) ==
	    NULL || (c = conn_new(h, base, HTTPD_ADMIN, bev,
	    admin_timer_cb)) == NULL)
		fatalx("cannot make an admin connection: out of memory");
	bufferevent_incref(bev);
	c->held = 1;
	/* From the first byte on: evhttp may read the headers before the
	 * attachment. */
	c->scan = evbuffer_add_cb(bufferevent_get_input(bev), admin_scan, c);
	TAILQ_INSERT_TAIL(&h->admins, c, q);
	c->queued = 1;
	conn_arm(c, 0);
	if (h->draining) {
		refused(h, c->kind, "draining");
		return bev;
	}
	if (h->nadmin >= h->lim.admin_max_connections) {
		/* The oldest connection still waiting for a request makes
		 * room, so that /health can always get in. */
		TAILQ_FOREACH(old, &h->admins, q)
			if (old->state == CONN_ADMIN &&
			    old->phase == PHASE_HEADERS)
				break;
		refused(h, c->kind, "admin-full");
		if (old == NULL)
			return bev;
		conn_close(old);
	}
	c->state = CONN_ADMIN;
	c->phase = PHASE_HEADERS;
	h->nadmin++;
	gauges(h);
	return bev;
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
static void
listeners_update(struct httpd *h)
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
}

static void
backoff_cb(evutil_socket_t fd, short what, void *arg)
{
	struct httpd *h = arg;

	h->backoff = 0;
	listeners_update(h);
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

	for (h = servers; h != NULL; h = h->next)
		if (arg == h->fed || arg == h->admin)
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
		    "admin", log_q(strerror(err), q, sizeof(q)),
		    h->backoff_ms, h->accept_quiet, h->nfd);
		h->accept_logged = now;
		h->accept_quiet = 0;
	} else
		h->accept_quiet++;
	h->backoff = 1;
	listeners_update(h);
	tv.tv_sec = h->backoff_ms / 1000;
	tv.tv_usec = (h->backoff_ms % 1000) * 1000;
	evtimer_add(h->backoff_ev, &tv);
}

static void
listener_watch(struct httpd *h, struct evhttp_bound_socket *b)
{
	struct evconnlistener *l = evhttp_bound_socket_get_listener(b);

	if (l == NULL)
		return;
	evconnlistener_set_error_cb(l, accept_error_cb);
	if (!h->listening)
		evconnlistener_disable(l);
}

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
	if (r->listener == HTTPD_FEDERATION) {
		evhttp_connection_get_peer(evcon, &host, &port);
		if (host != NULL)
			snprintf(r->peer.addr, sizeof(r->peer.addr), "%s:%u",
			    host, (unsigned)port);
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
		if ((c = conn_of_req(req)) != NULL)
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
	    (c = admin_conn(h, evhttp_connection_get_bufferevent(evcon))) !=
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

void
httpd_reply(struct httpd_req *r, int status, const char *content_type,
    const void *body, size_t len)
{
	struct httpd *h = r->h;
	struct evhttp_request *req = r->req;
	struct evhttp_connection *evcon;
	struct evkeyvalq *oh = evhttp_request_get_output_headers(req);
	struct bufferevent *bev = NULL;
	struct conn *c;
	char labels[160];

	if (content_type != NULL)
		evhttp_add_header(oh, "Content-Type", content_type);
	evhttp_add_header(oh, "Cache-Control", "no-store");
	if (h->draining || r->close)
		evhttp_add_header(oh, "Connection", "close");
	/* A response to HEAD has no body (evhttp would send it anyway, and a
	 * client on a kept-alive connection would read it as the next
	 * response). */
	if (body != NULL && len > 0 &&
	    evhttp_request_get_command(req) != EVHTTP_REQ_HEAD)
		evbuffer_add(evhttp_request_get_output_buffer(req), body, len);
	if ((evcon = evhttp_request_get_connection(req)) != NULL)
		bev = evhttp_connection_get_bufferevent(evcon);
	if (r->listener == HTTPD_FEDERATION) {
		if ((c = conn_of_req(req)) != NULL && c->state == CONN_MEMBER)
			conn_arm(c, h->lim.idle_timeout_ms);
	} else if (bev != NULL && (c = admin_conn(h, bev)) != NULL &&
	    c->state == CONN_ADMIN) {
		/* The next request's headers are due from now. */
		c->phase = PHASE_HEADERS;
		c->blank = c->seen = 0;
		conn_arm(c, h->lim.admin_header_timeout_ms);
	}

	snprintf(labels, sizeof(labels), "listener=\"%s\",endpoint=\"%s\","
	    "method=\"%s\",status=\"%d\"", r->listener == HTTPD_FEDERATION ?
	    "federation" : "admin", r->route, method_name(r->method), status);
	metrics_inc(h->metrics, M_HTTP_REQUESTS, labels);
	log_debug("request", "listener=%s peer=%s member=%s method=%s "
	    "endpoint=%s status=%d", r->listener == HTTPD_FEDERATION ? "federation" :
	    "admin", r->peer.addr, r->peer.member_id[0] ? r->peer.member_id :
	    "-", method_name(r->method), r->route, status);

	evhttp_send_reply(req, status, NULL, NULL);
	/* Headers and body as one chain: one SSL_write, one record. */
	if (bev != NULL && r->listener == HTTPD_FEDERATION)
		evbuffer_pullup(bufferevent_get_output(bev), -1);

	if (r->query_parsed == 1)
		evhttp_clear_headers(&r->query);
	free(r);
	if (--h->inflight == 0 && h->draining && h->drained != NULL) {
		void (*fn)(void *) = h->drained;

		h->drained = NULL;
		fn(h->drained_arg);
	}
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

	if (conn_idx == -1 && (conn_idx = SSL_get_ex_new_index(0, NULL, NULL,
	    NULL, conn_free)) == -1) {
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
		    FD_MARGIN;
	h->listening = 1;
	TAILQ_INIT(&h->silent);
	TAILQ_INIT(&h->started);
	TAILQ_INIT(&h->admins);
	if (RAND_bytes((unsigned char *)&h->addr_seed,
	    sizeof(h->addr_seed)) != 1)
		h->addr_seed = (uint32_t)time(NULL);
	h->next = servers;
	servers = h;
	h->fed_ctx = (struct listener_ctx){ h, HTTPD_FEDERATION, "federation" };
	h->admin_ctx = (struct listener_ctx){ h, HTTPD_ADMIN, "admin" };
	if ((h->backoff_ev = evtimer_new(base, backoff_cb, h)) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		httpd_free(h);
		return NULL;
	}
	if ((h->fed = http_new(h, &h->fed_ctx, e)) == NULL ||
	    (h->admin = http_new(h, &h->admin_ctx, e)) == NULL) {
		httpd_free(h);
		return NULL;
	}
	evhttp_set_bevcb(h->fed, fed_bevcb, h);
	evhttp_set_bevcb(h->admin, admin_bevcb, h);
	tls_server_set_done_cb(ctx, hs_done, h);
	gauges(h);
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
	for (p = &servers; *p != NULL; p = &(*p)->next)
		if (*p == h) {
			*p = h->next;
			break;
		}
	/* Connections freed from here on only drop their counts. */
	h->freeing = 1;
	if (h->ctx != NULL)
		tls_server_set_done_cb(h->ctx, NULL, NULL);
	h->fed_sock = h->admin_sock = NULL;
	if (h->fed != NULL)
		evhttp_free(h->fed);
	if (h->admin != NULL)
		evhttp_free(h->admin);
	/* Admin connections not attached yet: ours is the last reference. */
	while ((c = TAILQ_FIRST(&h->admins)) != NULL)
		conn_destroy(c);
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

int
httpd_listen_tls(struct httpd *h, const char *host, int port, int *bound,
    struct err *e)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	evutil_socket_t fd;
	int one = 1;

	if ((h->fed_sock = evhttp_bind_socket_with_handle(h->fed, host,
	    (ev_uint16_t)port)) == NULL)
		return err_set(e, ERR_IO, "cannot listen on %s:%d: %s", host,
		    port, strerror(errno));
	listener_watch(h, h->fed_sock);
	fd = evhttp_bound_socket_get_fd(h->fed_sock);
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
	listener_watch(h, h->admin_sock);
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
