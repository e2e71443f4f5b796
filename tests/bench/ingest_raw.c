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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "ingest_report.h"

#define PAR_MAX		1024
#define BODY_MAX	(1024L * 1024)
#define ANSWER_MAX	65536
#define RUN_MAX_S	300

struct req {
	char	*buf;		/* request line, headers and body */
	size_t	 len;
};

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

/* Reads path into a request for host:port (at most BODY_MAX bytes). */
static int
req_load(const char *path, const char *host, int port, struct req *r)
{
	struct stat sb;
	FILE *f;
	int h, rc = -1;

	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	if (fstat(fileno(f), &sb) == -1 || sb.st_size <= 0 ||
	    sb.st_size > BODY_MAX ||
	    (r->buf = malloc((size_t)sb.st_size + 256)) == NULL)
		goto done;
	h = snprintf(r->buf, 256, "POST /v1/records HTTP/1.1\r\nHost: %s:%d"
	    "\r\nContent-Type: application/xml\r\nContent-Length: %lld\r\n\r\n",
	    host, port, (long long)sb.st_size);
	if (h < 0 || h >= 256)
		goto done;
	if (fread(r->buf + h, 1, (size_t)sb.st_size, f) ==
	    (size_t)sb.st_size) {
		r->len = (size_t)h + (size_t)sb.st_size;
		rc = 0;
	}
done:
	fclose(f);
	return rc;
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
	struct req *rq = NULL;
	struct conn *conns = NULL, *c;
	double *lat = NULL, t0, t1, c0, c1;
	unsigned long status[STATUS_MAX + 1];
	char path[4096], *end;
	size_t n, i, next = 0, done = 0, nlat = 0, par = 16, opened = 0;
	long v;
	int port = 0, ep, k, nev, r, st, failed = 0;
	SSL_CTX *ctx;

	while ((k = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (k) {
		case 'h':
			host = optarg;
			break;
		case 'P':
			v = strtol(optarg, &end, 10);
			if (*end != '\0' || v < 1 || v > 65535)
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
			v = strtol(optarg, &end, 10);
			if (*end != '\0' || v < 1 || v > PAR_MAX)
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
	v = strtol(argv[optind + 1], &end, 10);
	if (*end != '\0' || v < 1)
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
	if ((rq = calloc(n, sizeof(*rq))) == NULL ||
	    (lat = calloc(n, sizeof(*lat))) == NULL ||
	    (conns = calloc(par, sizeof(*conns))) == NULL) {
		fprintf(stderr, "ingest_raw: out of memory\n");
		return 2;
	}
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%zu.signed", argv[optind],
		    i + 1);
		if (req_load(path, host, port, &rq[i]) == -1) {
			fprintf(stderr, "ingest_raw: %s: cannot read (or "
			    "empty, or over %ld bytes)\n", path, BODY_MAX);
			return 2;
		}
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
again:
			switch (c->state) {
			case C_HANDSHAKE:
				if ((r = SSL_do_handshake(c->ssl)) == 1) {
					c->state = C_WRITE;
					goto again;
				}
				if ((st = SSL_get_error(c->ssl, r)) ==
				    SSL_ERROR_WANT_READ ||
				    st == SSL_ERROR_WANT_WRITE)
					break;
				goto fail;
			case C_WRITE:
				if (c->inlen == 0 && c->t0 == 0)
					c->t0 = now_s();
				r = SSL_write(c->ssl, rq[c->rec].buf,
				    (int)rq[c->rec].len);
				if (r > 0) {
					c->state = C_READ;
					c->inlen = 0;
					goto again;
				}
				if ((st = SSL_get_error(c->ssl, r)) ==
				    SSL_ERROR_WANT_READ ||
				    st == SSL_ERROR_WANT_WRITE)
					break;
				goto fail;
			case C_READ:
				r = SSL_read(c->ssl, c->in + c->inlen,
				    (int)(sizeof(c->in) - 1 - c->inlen));
				if (r <= 0) {
					if ((st = SSL_get_error(c->ssl, r)) ==
					    SSL_ERROR_WANT_READ ||
					    st == SSL_ERROR_WANT_WRITE)
						break;
					goto fail;
				}
				c->inlen += (size_t)r;
				if ((st = answer_status(c)) == 0)
					goto again;
				if (st == -1)
					goto fail;
				status[st]++;
				if (st == 201)
					lat[nlat++] = now_s() - c->t0;
				done++;
				c->t0 = 0;
				c->inlen = 0;
				if (next < n) {
					c->rec = next++;
					c->state = C_WRITE;
					goto again;
				}
				c->state = C_DONE;
				break;
			case C_DONE:
				break;
			}
			continue;
fail:
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
	for (i = 0; i < n; i++)
		free(rq[i].buf);
	free(rq);
	free(lat);
	free(conns);
	return failed || status[0] > 0 ? 1 : 0;
}
