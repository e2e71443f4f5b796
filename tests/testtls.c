/*
 * testtls.c - small HTTPS servers on 127.0.0.1 for the C tests (OpenSSL, a
 * thread per connection), and a mutual-TLS client of federation/peer.c, with
 * the certificates of a test PKI (see testtls.h).
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "err.h"
#include "peer.h"
#include "testtls.h"

#define REQ_MAX		(64 * 1024)

struct conn {
	struct testtls	*s;
	int		 fd;
};

/* Read one request; counts it as the query when it is POST /v1/query of
 * application/xml with exactly the query's bytes.  0, or -1 at EOF. */
static int
read_request(SSL *ssl, struct testtls *s)
{
	char *buf, *hdr, *cl;
	size_t len = 0, want;
	int n, rc = -1;

	if ((buf = malloc(REQ_MAX + 1)) == NULL)
		return -1;
	for (;;) {
		if (len >= REQ_MAX)
			goto done;
		if ((n = SSL_read(ssl, buf + len, (int)(REQ_MAX - len))) <= 0)
			goto done;
		len += (size_t)n;
		buf[len] = '\0';
		if ((hdr = strstr(buf, "\r\n\r\n")) != NULL)
			break;
	}
	want = (size_t)(hdr + 4 - buf);
	if ((cl = strstr(buf, "Content-Length:")) != NULL && cl < hdr)
		want += (size_t)strtol(cl + 15, NULL, 10);
	if (want > REQ_MAX)
		goto done;
	while (len < want) {
		if ((n = SSL_read(ssl, buf + len, (int)(want - len))) <= 0)
			goto done;
		len += (size_t)n;
	}
	buf[len] = '\0';
	pthread_mutex_lock(&s->mu);
	if (strncmp(buf, "POST /v1/query HTTP/1.1\r\n", 25) == 0 &&
	    strstr(buf, "Content-Type: application/xml\r\n") != NULL &&
	    s->query != NULL && len - (size_t)(hdr + 4 - buf) == s->qlen &&
	    memcmp(hdr + 4, s->query, s->qlen) == 0)
		atomic_fetch_add(&s->got_query, 1);
	pthread_mutex_unlock(&s->mu);
	rc = 0;
done:
	free(buf);
	return rc;
}

static void
wait_stop(struct testtls *s)
{
	int i;

	for (i = 0; i < 3000 && !atomic_load(&s->stop); i++)
		usleep(10000);
}

static void
answer(SSL *ssl, struct testtls *s)
{
	char head[256];
	int n, ok;

	pthread_mutex_lock(&s->mu);
	n = snprintf(head, sizeof(head), "HTTP/1.1 %d X\r\n"
	    "Content-Type: application/xml\r\nContent-Length: %zu\r\n"
	    "Connection: %s\r\n\r\n", s->status, s->len, s->keepalive ?
	    "keep-alive" : "close");
	ok = SSL_write(ssl, head, n) == n && (s->len == 0 ||
	    SSL_write(ssl, s->body, (int)s->len) == (int)s->len);
	pthread_mutex_unlock(&s->mu);
	(void)ok;
}

static void *
conn_run(void *arg)
{
	struct conn *c = arg;
	struct testtls *s = c->s;
	struct timeval tv = { 5, 0 };
	SSL *ssl = NULL;

	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (s->mode == TESTTLS_STALL) {
		wait_stop(s);
		goto out;
	}
	if ((ssl = SSL_new(s->ctx)) == NULL)
		goto out;
	SSL_set_fd(ssl, c->fd);
	if (SSL_accept(ssl) != 1)
		goto out;
	atomic_fetch_add(&s->handshakes, 1);
	if (SSL_session_reused(ssl))
		atomic_fetch_add(&s->resumed, 1);
	while (!atomic_load(&s->stop) && read_request(ssl, s) == 0) {
		atomic_fetch_add(&s->requests, 1);
		if (s->mode == TESTTLS_SILENT) {
			wait_stop(s);
			break;
		}
		answer(ssl, s);
		if (!s->keepalive)
			break;
	}
	SSL_shutdown(ssl);
out:
	SSL_free(ssl);
	ERR_clear_error();
	close(c->fd);
	free(c);
	return NULL;
}

static void *
server_run(void *arg)
{
	struct testtls *s = arg;
	struct pollfd pfd;
	struct conn *c;
	int fd;

	while (!atomic_load(&s->stop)) {
		pfd.fd = s->lfd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		if ((fd = accept(s->lfd, NULL, NULL)) == -1)
			continue;
		if (s->nconn >= TESTTLS_CONNS ||
		    (c = calloc(1, sizeof(*c))) == NULL) {
			close(fd);
			continue;
		}
		c->s = s;
		c->fd = fd;
		if (pthread_create(&s->conn[s->nconn], NULL, conn_run, c) != 0) {
			close(fd);
			free(c);
			continue;
		}
		s->nconn++;
	}
	return NULL;
}

void
testtls_answer(struct testtls *s, int status, const char *body, size_t len)
{
	pthread_mutex_lock(&s->mu);
	free(s->body);
	s->body = NULL;
	s->len = 0;
	if (body != NULL && (s->body = malloc(len + 1)) != NULL) {
		memcpy(s->body, body, len);
		s->len = len;
	}
	s->status = status;
	pthread_mutex_unlock(&s->mu);
}

void
testtls_expect_query(struct testtls *s, const char *q, size_t qlen)
{
	pthread_mutex_lock(&s->mu);
	s->query = q;
	s->qlen = qlen;
	pthread_mutex_unlock(&s->mu);
}

int
testtls_start(struct testtls *s, const struct testpki *pki, int tls_of,
    enum testtls_mode mode, int keepalive)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	char crt[512], key[512];
	int one = 1;

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->mu, NULL);
	s->mode = mode;
	s->keepalive = keepalive;
	s->status = 200;
	s->lfd = -1;
	testpki_path(pki, tls_of, "tls.crt", crt, sizeof(crt));
	testpki_path(pki, tls_of, "tls.key", key, sizeof(key));
	if ((s->ctx = SSL_CTX_new(TLS_server_method())) == NULL ||
	    SSL_CTX_use_certificate_file(s->ctx, crt, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_use_PrivateKey_file(s->ctx, key, SSL_FILETYPE_PEM) != 1)
		goto fail;
	SSL_CTX_set_session_id_context(s->ctx, (const unsigned char *)"t", 1);
	if ((s->lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		goto fail;
	setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(s->lfd, 16) == -1 ||
	    getsockname(s->lfd, (struct sockaddr *)&sa, &sl) == -1)
		goto fail;
	s->port = ntohs(sa.sin_port);
	if (pthread_create(&s->th, NULL, server_run, s) != 0)
		goto fail;
	return 0;
fail:
	if (s->lfd != -1)
		close(s->lfd);
	SSL_CTX_free(s->ctx);
	pthread_mutex_destroy(&s->mu);
	memset(s, 0, sizeof(*s));
	s->lfd = -1;
	return -1;
}

void
testtls_stop(struct testtls *s)
{
	int i;

	atomic_store(&s->stop, 1);
	pthread_join(s->th, NULL);
	for (i = 0; i < s->nconn; i++)
		pthread_join(s->conn[i], NULL);
	close(s->lfd);
	SSL_CTX_free(s->ctx);
	free(s->body);
	pthread_mutex_destroy(&s->mu);
}

struct peer *
testtls_client(struct event_base *base, const struct testpki *pki, int i)
{
	char crt[512], key[512];
	struct peer *p;
	struct err e;

	err_clear(&e);
	testpki_path(pki, i, "tls.crt", crt, sizeof(crt));
	testpki_path(pki, i, "tls.key", key, sizeof(key));
	if ((p = peer_new(base, crt, key, &e)) == NULL ||
	    peer_set_trust(p, pki->tl, &e) == -1) {
		fprintf(stderr, "client: %s\n", e.msg);
		peer_free(p);
		return NULL;
	}
	return p;
}
