/*
 * httpd.h - the node's HTTP server: the mutual-TLS federation port and the
 * admin Unix socket, on one libevent event base.  The only file that uses
 * evhttp is httpd.c.
 *
 * Handlers are registered per (listeners, methods, path): a path ending in
 * '/' matches every path under it ("/v1/records/"), any other path matches
 * only itself.  A request for a path no route has gets 404, a known path
 * with another method 405 (with Allow).  The handler gets the peer: on the
 * federation port the member ID and roles that the TLS handshake found in
 * the trust list, on the admin socket the client's uid.
 *
 * A handler answers with httpd_reply*() exactly once, at once or later from
 * the event loop (fan-out); the reply releases the request.  Each response
 * leaves as one buffer (one TLS record when small).
 *
 * Limits.  Body and header size (413/431 or a closed connection) and a
 * read/write inactivity timeout everywhere.  On the federation port a new
 * connection first counts in a pool of pending handshakes (max_handshakes;
 * when full, the oldest pending one is closed to make room), at most
 * max_handshakes_per_address of them from one address, each with a
 * handshake deadline; only a handshake that proves a listed member moves
 * the connection to the members' pool (max_connections; past it the
 * connection is closed), where a whole request must arrive within
 * idle_timeout.  Every request is checked again against the trust list in
 * use (tls_peer_check): a peer no longer listed gets 403 and the connection
 * is closed, and while the list is past its Expires every request gets 503
 * "trust-expired".  On the admin socket at most admin_max_connections are
 * open (when full, the oldest one waiting for a request's headers makes
 * room), a request's line and headers must arrive within
 * admin_header_timeout and its body within admin_body_timeout.  Together
 * the pools stay under fd_budget descriptors: at the budget the listeners
 * pause until a connection closes.  When accept() fails (no free
 * descriptor), the listeners pause for 100 ms, doubling up to 1 s while it
 * keeps failing, with one log line per 10 s.
 */
#ifndef LASTERI_HTTPD_H
#define LASTERI_HTTPD_H

#include <stddef.h>

#include <event2/event.h>
#include <openssl/ssl.h>

#include "err.h"
#include "metrics.h"

enum httpd_listener {
	HTTPD_FEDERATION	= 0x1,
	HTTPD_ADMIN		= 0x2,
	HTTPD_WEB		= 0x4	/* the people's pages ([web]) */
};

enum httpd_method {
	HTTPD_GET	= 0x1,		/* HEAD is routed as GET */
	HTTPD_POST	= 0x2,
	HTTPD_PUT	= 0x4,
	HTTPD_DELETE	= 0x8
};

struct httpd_peer {
	enum httpd_listener	 listener;
	const char		*member_id;	/* "" on the admin socket */
	unsigned		 roles;		/* enum trust_role bits */
	char			 addr[64];	/* "127.0.0.1:51234", "unix" */
	char			 ip[48];	/* web: the client's address */
	long			 uid;		/* admin: SO_PEERCRED uid, else -1 */
};

struct httpd_limits {
	size_t	body_max;
	size_t	admin_body_max;		/* admin socket; 0: body_max */
	size_t	header_max;
	long	request_timeout_ms;	/* read/write inactivity */
	long	idle_timeout_ms;	/* whole request, from start or reply */
	int	max_connections;	/* federation: proven members */
	long	handshake_timeout_ms;	/* federation: accept to member */
	int	max_handshakes;		/* federation: pending handshakes */
	int	max_handshakes_per_address;
	int	admin_max_connections;
	long	admin_header_timeout_ms; /* start or reply to end of headers */
	long	admin_body_timeout_ms;	/* end of headers to end of body */
	int	web_max_connections;	/* web: open at once (the admin
					   socket's deadlines apply) */
	int	fd_budget;		/* connections of both listeners; 0:
					   the sum of the pools + 64 */
};

struct httpd;
struct httpd_req;

typedef void httpd_handler(struct httpd_req *req,
    const struct httpd_peer *peer, void *arg);

/* base and ctx (the federation port's, from tls_server_new) and m are
 * borrowed and must outlive the server; the server sets ctx's handshake
 * callback (tls_server_set_done_cb).  Free with httpd_free(), which closes
 * every connection and removes the admin socket file. */
struct httpd	*httpd_new(struct event_base *base,
		    const struct httpd_limits *lim, SSL_CTX *ctx,
		    struct metrics *m, struct err *e);
void		 httpd_free(struct httpd *h);		/* NULL is a no-op */

/* Listen for mutual TLS on host:port (port 0: any free port); *bound gets
 * the port in use. */
int		 httpd_listen_tls(struct httpd *h, const char *host, int port,
		    int *bound, struct err *e);
/* Listen on a Unix socket, mode 0660.  A stale socket file is removed only
 * when nothing answers on it; anything else at path is an error. */
int		 httpd_listen_unix(struct httpd *h, const char *path,
		    struct err *e);

/* Listen for the web service on host:port: HTTPS with ctx (a server
 * context of its own, tls_web_new()), or plain HTTP when ctx is NULL.
 * Its connections are pooled (web_max_connections) and timed like the
 * admin socket's. */
int		 httpd_listen_web(struct httpd *h, const char *host, int port,
		    SSL_CTX *ctx, int *bound, struct err *e);

/* listeners and methods are bit sets.  path is copied. */
int		 httpd_route(struct httpd *h, unsigned listeners,
		    unsigned methods, const char *path, httpd_handler *fn,
		    void *arg, struct err *e);

/* Stop accepting; done(arg) runs once no request awaits its reply (maybe
 * before this returns). */
void		 httpd_drain(struct httpd *h, void (*done)(void *), void *arg);

/* Requests awaiting their reply now. */
int		 httpd_inflight(const struct httpd *h);

/* --- requests: borrowed values, valid until the reply ------------------- */
enum httpd_method httpd_req_method(const struct httpd_req *r);
/* The path as sent (not decoded), without the query. */
const char	*httpd_req_path(const struct httpd_req *r);
/* The query string as sent (not decoded), or NULL when there is none. */
const char	*httpd_req_query_string(const struct httpd_req *r);
/* The route path that matched ("/v1/records/"). */
const char	*httpd_req_route(const struct httpd_req *r);
const char	*httpd_req_header(const struct httpd_req *r, const char *name);
/* The decoded value of a query parameter into buf: 1 found, 0 absent, -1
 * malformed or longer than len - 1. */
int		 httpd_req_query(struct httpd_req *r, const char *name,
		    char *buf, size_t len);
/* Calls fn(arg, name, value) for every query parameter in order, decoded
 * (a repeated name once per value); stops when fn returns -1.  -1 when the
 * query string is malformed or fn stopped. */
typedef int httpd_query_fn(void *arg, const char *name, const char *value);
int		 httpd_req_query_each(struct httpd_req *r, httpd_query_fn *fn,
		    void *arg);
/* The whole body (at most body_max bytes, NUL-terminated after len). */
const unsigned char *httpd_req_body(struct httpd_req *r, size_t *len);
/* The whole body moved into one malloc'd buffer (NUL-terminated after
 * len) that the caller frees with free(), for work that outlives the
 * handler's call (a worker thread).  The request's buffer is emptied as
 * the copy goes, so a large body is held about once, not twice.  NULL
 * when out of memory. */
unsigned char	*httpd_req_body_take(struct httpd_req *r, size_t *len);
/* Adds a header to the reply (before httpd_reply); both are copied. */
void		 httpd_req_reply_header(struct httpd_req *r, const char *name,
		    const char *value);
/* The reply will take longer than request_timeout (work in a worker): no
 * inactivity timeout closes r's connection until r is answered. */
void		 httpd_req_hold(struct httpd_req *r);

/* Answer and release r.  content_type NULL: no Content-Type. */
void		 httpd_reply(struct httpd_req *r, int status,
		    const char *content_type, const void *body, size_t len);
/* A reply sent as it is made (a national query's progress lines, then its
 * answer): start, any number of chunks, then end, which releases r.  To an
 * HTTP/1.0 client the body streams as is and the connection closes at the
 * end; to HTTP/1.1, chunked.  A chunk of text is at most 1023 bytes. */
void		 httpd_reply_start(struct httpd_req *r, int status,
		    const char *content_type);
void		 httpd_reply_chunk(struct httpd_req *r, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
void		 httpd_reply_data(struct httpd_req *r, const void *p,
		    size_t len);
void		 httpd_reply_end(struct httpd_req *r);
/* An XML error: <Error xmlns="urn:lasteri:1" code="CODE">message</Error>,
 * where code is a stable token ("not-found", "bad-request", ...). */
void		 httpd_reply_error(struct httpd_req *r, int status,
		    const char *code, const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));

#endif
