/*
 * ingest_raw.c - a lean load client for tests/bench/log's ingest run.
 *
 * The same work as ingest_client.c (POST DIR/1.signed .. DIR/N.signed to
 * /v1/records over --par keep-alive HTTP/1.1 connections with a client
 * certificate, mutual TLS, each record once, the next request on a
 * connection as soon as its answer is in), without libcurl: OpenSSL on
 * non-blocking sockets and one epoll set, each request (headers and body)
 * built beforehand and written as one SSL_write, each answer read up to
 * its Content-Length.  About a third of libcurl's CPU per request, so that
 * on a 2-core machine more of it is left to the node measured.  It reads
 * only what lasterid answers (a status line, headers with Content-Length,
 * no chunking); a connection the server closes is a failure.
 *
 *   ingest_raw --host ADDR --port PORT --cert CRT --key KEY [--par N]
 *              DIR N
 *
 * Prints the same lines as ingest_client.  Exit 0 when every request got
 * an answer (whatever its status), 1 when one did not, 2 on usage or
 * set-up errors.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "ingest_report.h"

#define PAR_MAX		1024
#define ANSWER_MAX	65536
#define RUN_MAX_S	300

struct conn {
	int	 fd;
	SSL	*ssl;
	int	 state;		/* C_HANDSHAKE, C_WRITE, C_READ, C_DONE */
	size_t	 rec;		/* the record it carries */
	double	 t0;		/* when its request was written */
	char	 in[ANSWER_MAX];
	size_t	 inlen;
};

enum { C_HANDSHAKE, C_WRITE, C_READ, C_DONE };

/* Room before a record's bytes for its request line and headers. */
#define HEAD_MAX	256

/* Each record becomes a whole request for host:port (request line,
 * headers, the record), written in the room before its bytes, so that it
 * goes out as one SSL_write.  -1 when a head does not fit. */
static int
requests_make(struct record_file *r, size_t n, const char *host, int port)
{
	char head[HEAD_MAX];
	size_t i;
	int h;

	for (i = 0; i < n; i++) {
		h = snprintf(head, sizeof(head), "POST /v1/records HTTP/1.1\r\n"
		    "Host: %s:%d\r\nContent-Type: application/xml\r\n"
		    "Content-Length: %zu\r\n\r\n", host, port, r[i].len);
		if (h < 0 || (size_t)h > r[i].head)
			return -1;
		r[i].head -= (size_t)h;
		memcpy(r[i].buf + r[i].head, head, (size_t)h);
		r[i].len += (size_t)h;
	}
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: ingest_raw --host ADDR --port PORT --cert CRT "
	    "--key KEY [--par N] DIR N\n");
	exit(2);
}

static int
conn_open(struct conn *c, SSL_CTX *ctx, const struct sockaddr_in *sa,
    int ep)
{
	struct epoll_event ev;
	int one = 1;

	memset(c, 0, sizeof(*c));
	if ((c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		return -1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (const struct sockaddr *)sa, sizeof(*sa)) == -1 &&
	    errno != EINPROGRESS)
		return -1;
	if ((c->ssl = SSL_new(ctx)) == NULL || SSL_set_fd(c->ssl, c->fd) != 1)
		return -1;
	SSL_set_connect_state(c->ssl);
	c->state = C_HANDSHAKE;
	ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
	ev.data.ptr = c;
	return epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
}

/* The status of a whole answer in c->in, 0 while it is not whole, -1 when
 * it cannot be read. */
static int
answer_status(struct conn *c)
{
	char *eoh, *p;
	long status, clen = -1;

	if (c->inlen >= sizeof(c->in))
		return -1;
	c->in[c->inlen] = '\0';
	if ((eoh = strstr(c->in, "\r\n\r\n")) == NULL)
		return 0;
	if (strncmp(c->in, "HTTP/1.1 ", 9) != 0)
		return -1;
	status = strtol(c->in + 9, NULL, 10);
	for (p = strstr(c->in, "\r\n"); p != NULL && p < eoh;
	    p = strstr(p + 2, "\r\n"))
		if (strncasecmp(p + 2, "Content-Length:", 15) == 0)
			clen = strtol(p + 17, NULL, 10);
	if (clen < 0)
		return -1;
	if (c->inlen < (size_t)(eoh + 4 - c->in) + (size_t)clen)
		return 0;
	if (c->inlen != (size_t)(eoh + 4 - c->in) + (size_t)clen)
		return -1;	/* nothing is pipelined */
	return status > 0 && status <= STATUS_MAX ? (int)status : -1;
}

/* 1 when the SSL call that returned r would block (wait for the socket),
 * 0 when it failed. */
static int
ssl_blocked(SSL *ssl, int r)
{
	int st = SSL_get_error(ssl, r);

	return st == SSL_ERROR_WANT_READ || st == SSL_ERROR_WANT_WRITE;
}

/* Takes c as far as it goes without blocking: its handshake, its request,
 * its answer.  The answer's status (c->t0 says when its request went), 0
 * when c waits for its socket (or has nothing to do), -1 when its
 * connection failed. */
static int
conn_step(struct conn *c, const struct record_file *rq)
{
	const struct record_file *q;
	int r, st;

	for (;;) {
		switch (c->state) {
		case C_HANDSHAKE:
			if ((r = SSL_do_handshake(c->ssl)) != 1)
				return ssl_blocked(c->ssl, r) ? 0 : -1;
			c->state = C_WRITE;
			break;
		case C_WRITE:
			q = &rq[c->rec];
			if (c->t0 == 0)
				c->t0 = now_s();
			if ((r = SSL_write(c->ssl, q->buf + q->head,
			    (int)q->len)) <= 0)
				return ssl_blocked(c->ssl, r) ? 0 : -1;
			c->state = C_READ;
			c->inlen = 0;
			break;
		case C_READ:
			if ((r = SSL_read(c->ssl, c->in + c->inlen,
			    (int)(sizeof(c->in) - 1 - c->inlen))) <= 0)
				return ssl_blocked(c->ssl, r) ? 0 : -1;
			c->inlen += (size_t)r;
			if ((st = answer_status(c)) != 0)
				return st;
			break;
		default:
			return 0;
		}
	}
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "host", required_argument, NULL, 'h' },
		{ "port", required_argument, NULL, 'P' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "par", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	const char *host = NULL, *cert = NULL, *key = NULL;
	struct epoll_event evs[64];
	struct sockaddr_in sa;
	struct record_file *rq = NULL;
	struct conn *conns = NULL, *c;
	double *lat = NULL, t0, t1, c0, c1;
	unsigned long status[STATUS_MAX + 1];
	size_t n, i, next = 0, done = 0, nlat = 0, par = 16, opened = 0;
	long v;
	int port = 0, ep, k, nev, st, failed = 0;
	SSL_CTX *ctx;

	while ((k = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (k) {
		case 'h':
			host = optarg;
			break;
		case 'P':
			if ((v = arg_long(optarg, 1, 65535)) == -1)
				usage();
			port = (int)v;
			break;
		case 'c':
			cert = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'p':
			if ((v = arg_long(optarg, 1, PAR_MAX)) == -1)
				usage();
			par = (size_t)v;
			break;
		default:
			usage();
		}
	}
	if (host == NULL || port == 0 || cert == NULL || key == NULL ||
	    argc - optind != 2)
		usage();
	if ((v = arg_long(argv[optind + 1], 1, LONG_MAX)) == -1)
		usage();
	n = (size_t)v;
	if (par > n)
		par = n;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		usage();
	memset(status, 0, sizeof(status));
	if ((lat = calloc(n, sizeof(*lat))) == NULL ||
	    (conns = calloc(par, sizeof(*conns))) == NULL) {
		fprintf(stderr, "ingest_raw: out of memory\n");
		return 2;
	}
	rq = records_load("ingest_raw", argv[optind], n, HEAD_MAX);
	if (requests_make(rq, n, host, port) == -1) {
		fprintf(stderr, "ingest_raw: a request's head is over %d bytes\n",
		    HEAD_MAX);
		return 2;
	}
	/* The node is the one measured, not authenticated: no server
	 * certificate check (as ingest_client --insecure). */
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    (ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		fprintf(stderr, "ingest_raw: TLS set-up failed: %s\n",
		    ERR_error_string(ERR_get_error(), NULL));
		return 2;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	c0 = cpu_s();
	t0 = now_s();
	for (i = 0; i < par; i++) {
		if (conn_open(&conns[i], ctx, &sa, ep) == -1) {
			fprintf(stderr, "ingest_raw: connection %zu: %s\n",
			    i + 1, strerror(errno));
			return 1;
		}
		opened++;
		conns[i].rec = next++;
	}
	while (done < n) {
		if (now_s() - t0 > RUN_MAX_S) {
			fprintf(stderr, "ingest_raw: not done in %d s\n",
			    RUN_MAX_S);
			failed = 1;
			break;
		}
		if ((nev = epoll_wait(ep, evs, 64, 1000)) == -1) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "ingest_raw: epoll_wait: %s\n",
			    strerror(errno));
			return 1;
		}
		for (k = 0; k < nev; k++) {
			c = evs[k].data.ptr;
			while ((st = conn_step(c, rq)) > 0) {
				status[st]++;
				if (st == 201)
					lat[nlat++] = now_s() - c->t0;
				done++;
				c->t0 = 0;
				if (next == n) {
					c->state = C_DONE;
					break;
				}
				c->rec = next++;
				c->state = C_WRITE;
			}
			if (st != -1)
				continue;
			if (failed++ < 3)
				fprintf(stderr, "ingest_raw: record %zu: the "
				    "connection failed (%s)\n", c->rec + 1,
				    ERR_error_string(ERR_get_error(), NULL));
			status[0]++;
			done++;
			epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
			SSL_free(c->ssl);
			close(c->fd);
			c->ssl = NULL;
			c->state = C_DONE;
			/* The next record on a new connection. */
			if (next < n) {
				if (conn_open(c, ctx, &sa, ep) == -1) {
					fprintf(stderr, "ingest_raw: "
					    "reconnecting: %s\n",
					    strerror(errno));
					return 1;
				}
				opened++;
				c->rec = next++;
			}
		}
	}
	t1 = now_s();
	c1 = cpu_s();
	ingest_report(n, t0, t1, c0, c1, par, (long)opened, status, lat, nlat);
	for (i = 0; i < par; i++) {
		if (conns[i].ssl != NULL) {
			SSL_free(conns[i].ssl);
			close(conns[i].fd);
		}
	}
	close(ep);
	SSL_CTX_free(ctx);
	records_free(rq, n);
	free(lat);
	free(conns);
	return failed || status[0] > 0 ? 1 : 0;
}
