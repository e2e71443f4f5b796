/*
 * bench_http.c - a small HTTP/1.1 client that times what a user of the node
 * waits for: GET requests one after another on one kept-alive connection,
 * over the admin Unix socket or the federation port's mutual TLS, for a
 * given time or count, with a pause between them.  Prints the count, the
 * non-2xx answers and the latency p50, p99 and max of the whole request
 * (write to the last byte of the body).  Used by tests/bench/search to
 * watch /health while the node rebuilds its index and imports, and to time
 * searches end to end.  Not part of make check.
 *
 *   bench_http (--unix PATH | --tls HOST:PORT --cert FILE --key FILE)
 *              --path P [--path P2 ...] [--seconds S | --count N]
 *              [--pause-ms MS] [--label TEXT]
 *
 * Several --path are asked in turn.  Exit 0 when it measured, 2 when it
 * could not (no connection, bad usage).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define PATHS_MAX	64
#define RESP_MAX	(8 * 1024 * 1024)

struct conn {
	int	 fd;
	SSL	*ssl;
};

static const char *unix_path, *tls_addr, *cert, *key;
static SSL_CTX *ctx;

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
conn_close(struct conn *c)
{
	if (c->ssl != NULL) {
		SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	if (c->fd != -1)
		close(c->fd);
	c->ssl = NULL;
	c->fd = -1;
}

static int
conn_open(struct conn *c)
{
	struct sockaddr_un sun;
	struct addrinfo hints, *ai = NULL;
	char host[256], *port;
	int one = 1;

	c->fd = -1;
	c->ssl = NULL;
	if (unix_path != NULL) {
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		if (strlen(unix_path) >= sizeof(sun.sun_path))
			return -1;
		memcpy(sun.sun_path, unix_path, strlen(unix_path) + 1);
		if ((c->fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
		    connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
			conn_close(c);
			return -1;
		}
		return 0;
	}
	snprintf(host, sizeof(host), "%s", tls_addr);
	if ((port = strrchr(host, ':')) == NULL)
		return -1;
	*port++ = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &ai) != 0)
		return -1;
	if ((c->fd = socket(ai->ai_family, SOCK_STREAM, 0)) == -1 ||
	    connect(c->fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		freeaddrinfo(ai);
		conn_close(c);
		return -1;
	}
	freeaddrinfo(ai);
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if ((c->ssl = SSL_new(ctx)) == NULL ||
	    SSL_set_fd(c->ssl, c->fd) != 1 || SSL_connect(c->ssl) != 1) {
		ERR_print_errors_fp(stderr);
		conn_close(c);
		return -1;
	}
	return 0;
}

static ssize_t
conn_write(struct conn *c, const char *buf, size_t len)
{
	if (c->ssl != NULL)
		return SSL_write(c->ssl, buf, (int)len);
	return write(c->fd, buf, len);
}

static ssize_t
conn_read(struct conn *c, char *buf, size_t len)
{
	if (c->ssl != NULL)
		return SSL_read(c->ssl, buf, (int)len);
	return read(c->fd, buf, len);
}

/* One request and its whole answer; the status, or -1 when the
 * connection failed (*closed: the server closes after it). */
static int
request(struct conn *c, const char *path, char *buf, int *closed)
{
	char req[4096], *hend, *p;
	size_t have = 0, need = 0;
	ssize_t r;
	int status = -1, n;

	*closed = 0;
	n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: lasterid\r\n"
	    "\r\n", path);
	if (n < 0 || (size_t)n >= sizeof(req) ||
	    conn_write(c, req, (size_t)n) != n)
		return -1;
	for (;;) {
		if (have == RESP_MAX)
			return -1;
		if ((r = conn_read(c, buf + have, RESP_MAX - have)) <= 0)
			return -1;
		have += (size_t)r;
		buf[have < RESP_MAX ? have : RESP_MAX - 1] = '\0';
		if (need == 0 && (hend = strstr(buf, "\r\n\r\n")) != NULL) {
			if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
				return -1;
			need = (size_t)(hend + 4 - buf);
			if ((p = strcasestr(buf, "\r\nContent-Length:")) != NULL &&
			    p < hend)
				need += strtoul(p + 17, NULL, 10);
			if ((p = strcasestr(buf, "\r\nConnection: close")) != NULL &&
			    p < hend)
				*closed = 1;
		}
		if (need > 0 && have >= need)
			return status;
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "unix", required_argument, NULL, 'u' },
		{ "tls", required_argument, NULL, 't' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "path", required_argument, NULL, 'p' },
		{ "seconds", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ "pause-ms", required_argument, NULL, 'P' },
		{ "label", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	const char *paths[PATHS_MAX], *label = "requests";
	struct conn c = { -1, NULL };
	struct timespec pause = { 0, 0 };
	double seconds = 0, t0, t1, end, *lat = NULL;
	char *buf = NULL;
	long count = 0, pause_ms = 0, n = 0, cap = 0, bad = 0, fails = 0;
	int np = 0, ch, st, closed;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'u':
			unix_path = optarg;
			break;
		case 't':
			tls_addr = optarg;
			break;
		case 'c':
			cert = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'p':
			if (np == PATHS_MAX)
				goto usage;
			paths[np++] = optarg;
			break;
		case 's':
			seconds = strtod(optarg, NULL);
			break;
		case 'n':
			count = strtol(optarg, NULL, 10);
			break;
		case 'P':
			pause_ms = strtol(optarg, NULL, 10);
			break;
		case 'l':
			label = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (np == 0 || (unix_path == NULL) == (tls_addr == NULL) ||
	    (tls_addr != NULL && (cert == NULL || key == NULL)) ||
	    (seconds <= 0 && count <= 0) || pause_ms < 0 || pause_ms > 10000)
		goto usage;
	if (tls_addr != NULL) {
		if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
		    SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
		    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
			ERR_print_errors_fp(stderr);
			return 2;
		}
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	}
	pause.tv_sec = pause_ms / 1000;
	pause.tv_nsec = (pause_ms % 1000) * 1000000L;
	if ((buf = malloc(RESP_MAX)) == NULL)
		return 2;
	end = now_ms() + seconds * 1e3;
	while (count > 0 ? n + fails < count : now_ms() < end) {
		if (c.fd == -1 && conn_open(&c) == -1) {
			if (n == 0 && fails == 0) {
				fprintf(stderr, "bench_http: %s: cannot connect\n",
				    unix_path ? unix_path : tls_addr);
				return 2;
			}
			fails++;
			nanosleep(&pause, NULL);
			continue;
		}
		t0 = now_ms();
		st = request(&c, paths[(n + fails) % np], buf, &closed);
		t1 = now_ms();
		if (st == -1) {
			fails++;
			conn_close(&c);
			continue;
		}
		if (n == cap) {
			double *p;

			cap = cap ? cap * 2 : 4096;
			if ((p = realloc(lat, (size_t)cap * sizeof(*p))) == NULL)
				return 2;
			lat = p;
		}
		lat[n++] = t1 - t0;
		if (st < 200 || st > 299)
			bad++;
		if (closed)
			conn_close(&c);
		if (pause_ms > 0)
			nanosleep(&pause, NULL);
	}
	conn_close(&c);
	if (n == 0) {
		printf("%s: no answer (%ld failed)\n", label, fails);
		return 2;
	}
	qsort(lat, (size_t)n, sizeof(*lat), cmp_double);
	printf("%s: %ld requests, %ld non-2xx, %ld failed; p50 %.2f ms, "
	    "p99 %.2f ms, max %.2f ms\n", label, n, bad, fails,
	    lat[(n - 1) / 2], lat[(n - 1) * 99 / 100], lat[n - 1]);
	free(lat);
	free(buf);
	SSL_CTX_free(ctx);
	return 0;
usage:
	fprintf(stderr, "usage: bench_http (--unix PATH | --tls HOST:PORT "
	    "--cert FILE --key FILE) --path P [--path P ...]\n"
	    "                  (--seconds S | --count N) [--pause-ms MS] "
	    "[--label TEXT]\n");
	return 2;
}
