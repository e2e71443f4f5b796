/*
 * peer.h - the mutual-TLS HTTP client one member uses to talk to another:
 * libcurl's multi interface driven by the caller's libevent event base, so
 * that many requests (the outbox's deliveries, a fan-out) run at once on the
 * event-loop thread and connections and TLS sessions are reused.  Only
 * federation/peer.c (and the fan-out beside it) uses libcurl.
 *
 * Reuse: kept-alive connections live in the peer's multi handle, TLS
 * sessions in a share handle the peer owns, so a later request to a member
 * (the next delivery, the next national query) reuses the connection or
 * resumes the session instead of a full handshake, for as long as the peer
 * lives.  The node keeps one peer for its life.
 *
 * Trust: the server's certificate must chain to one of the trust list's CAs
 * (given to libcurl as an in-memory PEM blob, never the operating system's
 * store, which SSL_CERT_FILE could steer) and, for a member request, its
 * SHA-256 fingerprint must be the one the trust list holds for that member
 * (checked in the handshake on every new connection, before a byte of the
 * request is sent).  The host name is not checked: the fingerprint is the
 * identity.  TLS 1.2 minimum; our TLS certificate and key are presented as
 * the client certificate.
 *
 * Errors are the per-region statuses of DESIGN.md: ERR_TIMEOUT,
 * ERR_UNREACHABLE (no connection, connection dropped), ERR_TLS (handshake,
 * CA or fingerprint), ERR_INPUT (answer past its size cap), ERR_INTERNAL.
 */
#ifndef LASTERI_PEER_H
#define LASTERI_PEER_H

#include <stddef.h>

#include <event2/event.h>

#include "err.h"

struct trust_list;
struct trust_member;

struct peer;

struct peer_result {
	int		 status;	/* HTTP status; 0 when none came */
	const char	*body;		/* borrowed during the callback */
	size_t		 len;
	const char	*ctype;		/* Content-Type or NULL, borrowed */
	long		 ms;		/* time the request took */
	struct err	 err;		/* code ERR_OK when an answer came */
};

/* Called once per request from the event loop with its result.  It may
 * start new requests; it must not call peer_free(). */
typedef void peer_done_fn(void *arg, const struct peer_result *res);

/* A client on base (borrowed; must outlive it) presenting tls_cert and
 * tls_key (paths, copied) as its client certificate.  Free with
 * peer_free(), which cancels every request without calling back. */
struct peer	*peer_new(struct event_base *base, const char *tls_cert,
		    const char *tls_key, struct err *e);
void		 peer_free(struct peer *p);		/* NULL is a no-op */

/* Use the CAs of tl from now on (their PEM is copied; requests already
 * running keep the old ones).  Must be called before the first request. */
int		 peer_set_trust(struct peer *p, const struct trust_list *tl,
		    struct err *e);

#define PEER_MAX_PINS	8

struct peer_request {
	const char		*method;	/* "GET" or "POST" */
	const char		*url;		/* https://host:port/path */
	/* SHA-256 of the server certificates accepted (any one of them;
	 * two during a rotation), npins 0: the CA check only. */
	const unsigned char	(*pins)[32];
	int			 npins;		/* 0..PEER_MAX_PINS */
	const char		*ctype;		/* of body, NULL when none */
	const void		*body;		/* copied */
	size_t			 len;
	long			 timeout_ms;	/* whole request */
	/* Connecting, TLS handshake included; 0: the default, 5 s.  Never
	 * more than timeout_ms. */
	long			 connect_timeout_ms;
	size_t			 resp_max;	/* larger answer: ERR_INPUT */
};

/* Starts req; fn(arg, result) follows from the event loop.  Fails at once
 * (without calling fn) only when the request cannot be made. */
int		 peer_start(struct peer *p, const struct peer_request *req,
		    peer_done_fn *fn, void *arg, struct err *e);

/* Starts req at member m: req->url and req->pins are ignored, the URL is
 * m's endpoint and path ("/v1/query"), the pins m's TLS certificates whose
 * listing is in use now (ERR_TLS when there is none); m is borrowed for
 * the call. */
int		 peer_start_member(struct peer *p, const struct trust_member *m,
		    const char *path, const struct peer_request *req,
		    peer_done_fn *fn, void *arg, struct err *e);

/* POST body to member m at path ("/v1/records"), pinned to m's TLS
 * certificates whose listing is in use now (ERR_TLS when there is none). */
int		 peer_post_member(struct peer *p, const struct trust_member *m,
		    const char *path, const char *ctype, const void *body,
		    size_t len, long timeout_ms, size_t resp_max,
		    peer_done_fn *fn, void *arg, struct err *e);

/* GET url (https only), its server checked against the trust list's CAs
 * without a pin: the trust list refresh, whose document carries its own
 * signature. */
int		 peer_fetch_url(struct peer *p, const char *url,
		    size_t resp_max, long timeout_ms, peer_done_fn *fn,
		    void *arg, struct err *e);

/* Host names resolved to fixed addresses for every request from now on,
 * like curl's --resolve: list is "HOST:PORT:ADDR" entries separated by
 * commas or white space (ADDR numeric IPv4, or IPv6 in brackets); NULL or
 * "" clears it.  For tests and for federations whose names are not in the
 * DNS; the pinned certificate is still the identity.  ERR_USAGE naming the
 * entry that is malformed (the list in use is then unchanged). */
int		 peer_set_resolve(struct peer *p, const char *list,
		    struct err *e);
/* Checks a list as peer_set_resolve() reads it, without a peer; why holds
 * the reason when it is malformed. */
int		 peer_resolve_check(const char *list, char *why, size_t len);

/* Requests running now. */
int		 peer_inflight(const struct peer *p);

/* Cancels every running request started with fn and arg, without calling
 * fn; returns how many.  May be called from any peer callback. */
int		 peer_cancel(struct peer *p, peer_done_fn *fn, void *arg);

/* The event base p runs on (borrowed). */
struct event_base *peer_base(const struct peer *p);

#endif
