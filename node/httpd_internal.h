/*
 * httpd_internal.h - what the two files of the HTTP server share:
 * httpd.c (routes, requests, responses, the server's life) and
 * httpd_conn.c (connections, their pools, deadlines and the listeners).
 * Not for other modules.
 */
#ifndef LASTERI_HTTPD_INTERNAL_H
#define LASTERI_HTTPD_INTERNAL_H

#include <stdint.h>
#include <sys/queue.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/ssl.h>

#include "httpd.h"

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
	CONN_ADMIN,		/* admin or web: open, in h->admins */
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
	char			 hline[48];	/* scanner: the line's start */
	size_t			 hlen;
	long long		 clen;		/* scanner: Content-Length */
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
	struct evhttp		*web;
	struct evhttp_bound_socket *fed_sock;
	struct evhttp_bound_socket *admin_sock;
	struct evhttp_bound_socket *web_sock;
	SSL_CTX			*web_tls;	/* NULL: plain HTTP */
	char			*admin_path;
	struct listener_ctx	 fed_ctx, admin_ctx, web_ctx;
	struct route		 routes[ROUTES_MAX];
	int			 nroutes;
	int			 nfd;		/* every conn not yet freed */
	int			 nmember;
	int			 nhandshake;
	int			 nadmin;
	int			 nweb;
	struct connq		 silent;	/* pending, no ClientHello seen */
	struct connq		 started;	/* pending, ClientHello came */
	struct conn		*unadmitted;	/* the latest accepted */
	struct connq		 admins;	/* admin and web, oldest first,
						   attached or not */
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
	int			 held;		/* httpd_req_hold() */
	int			 close;		/* answer with Connection: close */
	int			 stream_status;	/* httpd_reply_start() */
	struct httpd_peer	 peer;
};

extern int		 httpd_conn_idx;	/* the SSL ex_data index of a conn */
extern struct httpd	*httpd_servers;	/* for the listeners' error callback */

/* --- httpd_conn.c ---------------------------------------------------------- */

void	httpd_gauges(struct httpd *h);
/* Frees c and takes it out of its pool and counts. */
void	httpd_conn_destroy(struct conn *c);
/* (Re)arms c's deadline ms from now. */
void	httpd_conn_arm(struct conn *c, long ms);
/* SSL ex_data free callback: the conn goes with its SSL. */
void	httpd_conn_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
	    long argl, void *argp);
struct conn *httpd_conn_of_req(struct evhttp_request *req);
/* evhttp bevcbs of the two listeners, and the end of a handshake (tls.c). */
struct bufferevent *httpd_fed_bevcb(struct event_base *base, void *arg);
struct bufferevent *httpd_admin_bevcb(struct event_base *base, void *arg);
struct bufferevent *httpd_web_bevcb(struct event_base *base, void *arg);
void	httpd_hs_done(const SSL *ssl, void *arg);
/* The admin connection of bev, attached now if it was not. */
struct conn *httpd_admin_conn(struct httpd *h, struct bufferevent *bev);
void	httpd_listeners_update(struct httpd *h);
void	httpd_backoff_cb(evutil_socket_t fd, short what, void *arg);
void	httpd_listener_watch(struct httpd *h, struct evhttp_bound_socket *b);

#endif
