/*
 * testtls.h - small HTTPS servers for the C tests, and the mutual-TLS client
 * that talks to them, both with certificates of a test PKI (testpki.h).
 *
 * A server listens on 127.0.0.1 (a free port) in a thread of the test
 * program, presenting one member's TLS certificate, one thread per
 * connection (at most TESTTLS_CONNS), and behaves as told: answer every
 * request with a set status and body, read the request and never answer, or
 * accept TCP and never start TLS.  It counts handshakes, resumed sessions,
 * requests, and requests carrying an expected query.  Sockets time out
 * after five seconds, so a stopped server never hangs its test.
 */
#ifndef LASTERI_TESTTLS_H
#define LASTERI_TESTTLS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include <event2/event.h>
#include <openssl/ssl.h>

#include "testpki.h"

#define TESTTLS_CONNS	32

enum testtls_mode {
	TESTTLS_ANSWER,		/* answer body with status */
	TESTTLS_SILENT,		/* read the request, never answer */
	TESTTLS_STALL		/* accept TCP, never start TLS */
};

struct testtls {
	int		 port;		/* where it listens */
	atomic_int	 handshakes, resumed, requests, got_query;
	/* the rest is the server's */
	int		 lfd;
	SSL_CTX		*ctx;
	enum testtls_mode mode;
	int		 keepalive;
	pthread_mutex_t	 mu;		/* the answer and the query */
	int		 status;
	char		*body;		/* owned */
	size_t		 len;
	const char	*query;		/* expected request body, borrowed */
	size_t		 qlen;
	atomic_int	 stop;
	pthread_t	 th;
	pthread_t	 conn[TESTTLS_CONNS];
	int		 nconn;
};

/* Serve on 127.0.0.1 presenting member tls_of's TLS certificate of pki,
 * keeping connections alive or closing each after its answer; the answer
 * is 200 with an empty body until testtls_answer().  0, or -1 with
 * nothing left to stop. */
int	testtls_start(struct testtls *s, const struct testpki *pki, int tls_of,
	    enum testtls_mode mode, int keepalive);
/* Stops the threads, closes every connection, frees what s holds. */
void	testtls_stop(struct testtls *s);

/* Set what s answers from now on: status and body (copied; NULL none). */
void	testtls_answer(struct testtls *s, int status, const char *body,
	    size_t len);
/* Count a request in got_query when it is POST /v1/query of
 * application/xml carrying exactly q (borrowed until the next call). */
void	testtls_expect_query(struct testtls *s, const char *q, size_t qlen);

/* A peer (federation/peer.h) on base presenting member i's TLS
 * certificate of pki and trusting the CAs of pki's trust list; NULL with
 * the reason on stderr.  Caller frees with peer_free(). */
struct peer *testtls_client(struct event_base *base,
	    const struct testpki *pki, int i);

#endif
