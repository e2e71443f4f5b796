/*
 * adminc.c - HTTP over the node's admin socket (see adminc.h).  Plain
 * sockets: the request is small and the node closes after answering, so a
 * blocking write and a read-until-close with poll() timeouts is all it takes.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "adminc.h"

const char *
adminc_socket(const char *opt)
{
	const char *s;

	if (opt != NULL && *opt != '\0')
		return opt;
	if ((s = getenv("LASTERI_SOCKET")) != NULL && *s != '\0')
		return s;
	return NULL;
}

static int
wait_fd(int fd, short what, int secs, struct err *e, const char *sock)
{
	struct pollfd p = { .fd = fd, .events = what };
	int r;

	do {
		r = poll(&p, 1, secs * 1000);
	} while (r == -1 && errno == EINTR);
	if (r == 0)
		return err_set(e, ERR_TIMEOUT, "%s: the node did not answer "
		    "within %d s", sock, secs);
	if (r == -1)
		return err_set(e, ERR_IO, "%s: poll: %s", sock, strerror(errno));
	return 0;
}

static int
write_all(int fd, const char *p, size_t len, const char *sock, struct err *e)
{
	ssize_t w;

	while (len > 0) {
		if (wait_fd(fd, POLLOUT, ADMINC_TIMEOUT_SEC, e, sock) == -1)
			return -1;
		w = send(fd, p, len, MSG_NOSIGNAL);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			return err_set(e, ERR_IO, "%s: send: %s", sock,
			    strerror(errno));
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Parses the head of an HTTP/1.x answer in buf[0..len); sets *status,
 * *body_off and *clen (-1 when absent). 0 when complete, 1 when more bytes
 * are needed, -1 on a malformed head. */
static int
parse_head(const char *buf, size_t len, int *status, size_t *body_off,
    long long *clen)
{
	const char *end, *line, *nl;
	int maj, min;

	if ((end = memmem(buf, len, "\r\n\r\n", 4)) == NULL)
		return len > 65536 ? -1 : 1;
	if (sscanf(buf, "HTTP/%d.%d %3d", &maj, &min, status) != 3)
		return -1;
	*clen = -1;
	for (line = memchr(buf, '\n', (size_t)(end - buf)); line != NULL &&
	    line < end; line = nl) {
		line++;
		nl = memchr(line, '\n', (size_t)(end + 2 - line));
		if (strncasecmp(line, "Content-Length:", 15) == 0) {
			char *ep;

			errno = 0;
			*clen = strtoll(line + 15, &ep, 10);
			if (errno != 0 || *clen < 0)
				return -1;
		}
	}
	*body_off = (size_t)(end - buf) + 4;
	return 0;
}

/* A connected socket to the node's admin socket, or -1 with e set. */
static int
open_sock(const char *sock, struct err *e)
{
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(sock) >= sizeof(sa.sun_path))
		return err_set(e, ERR_USAGE, "%s: socket path too long", sock);
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return err_set(e, ERR_IO, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		err_set(e, ERR_UNREACHABLE, "%s: no node answers on this "
		    "socket (%s); is lasterid running?", sock, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
adminc_request(const char *sock, const char *method, const char *path,
    const char *ctype, const void *body, size_t len, int *status,
    char **resp, size_t *resplen, struct err *e)
{
	return adminc_request_wait(sock, method, path, ctype, body, len,
	    ADMINC_TIMEOUT_SEC, status, resp, resplen, e);
}

int
adminc_request_wait(const char *sock, const char *method, const char *path,
    const char *ctype, const void *body, size_t len, int timeout_sec,
    int *status, char **resp, size_t *resplen, struct err *e)
{
	char head[1024], *buf = NULL, *nbuf;
	size_t cap = 0, used = 0, body_off = 0;
	long long clen = -1;
	int fd = -1, rc = -1, n, have_head = 0;
	ssize_t r;

	*resp = NULL;
	*resplen = 0;
	*status = 0;
	if (timeout_sec <= 0)
		timeout_sec = ADMINC_TIMEOUT_SEC;
	if ((fd = open_sock(sock, e)) == -1)
		goto done;
	n = snprintf(head, sizeof(head), "%s %s HTTP/1.1\r\nHost: localhost\r\n"
	    "Connection: close\r\nContent-Length: %zu\r\n%s%s%s\r\n", method,
	    path, body ? len : 0, ctype ? "Content-Type: " : "",
	    ctype ? ctype : "", ctype ? "\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof(head)) {
		err_set(e, ERR_USAGE, "request path too long");
		goto done;
	}
	if (write_all(fd, head, (size_t)n, sock, e) == -1 ||
	    (body != NULL && write_all(fd, body, len, sock, e) == -1))
		goto done;
	for (;;) {
		if (cap - used < 65536) {
			if (cap >= ADMINC_RESPONSE_MAX) {
				err_set(e, ERR_IO, "%s: answer larger than %lu "
				    "bytes", sock, ADMINC_RESPONSE_MAX);
				goto done;
			}
			cap = cap ? cap * 2 : 131072;
			if ((nbuf = realloc(buf, cap + 1)) == NULL) {
				err_set(e, ERR_NOMEM, "out of memory");
				goto done;
			}
			buf = nbuf;
		}
		if (wait_fd(fd, POLLIN, timeout_sec, e, sock) == -1)
			goto done;
		r = read(fd, buf + used, cap - used);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			err_set(e, ERR_IO, "%s: read: %s", sock, strerror(errno));
			goto done;
		}
		used += (size_t)r;
		if (!have_head) {
			int h = parse_head(buf, used, status, &body_off, &clen);

			if (h == -1) {
				err_set(e, ERR_IO, "%s: not an HTTP answer", sock);
				goto done;
			}
			have_head = (h == 0);
		}
		if (have_head && clen >= 0 &&
		    used - body_off >= (unsigned long long)clen)
			break;
		if (r == 0)
			break;
	}
	if (!have_head) {
		err_set(e, ERR_IO, "%s: the node closed without answering", sock);
		goto done;
	}
	if (clen >= 0 && used - body_off < (unsigned long long)clen) {
		err_set(e, ERR_IO, "%s: answer cut short", sock);
		goto done;
	}
	*resplen = clen >= 0 ? (size_t)clen : used - body_off;
	memmove(buf, buf + body_off, *resplen);
	buf[*resplen] = '\0';
	*resp = buf;
	buf = NULL;
	rc = 0;
done:
	free(buf);
	if (fd != -1)
		close(fd);
	return rc;
}

int
adminc_request_lines(const char *sock, const char *path, adminc_line_fn *fn,
    void *arg, int *status, char **resp, size_t *resplen, struct err *e)
{
	char head[1024], *buf = NULL, *nbuf, *nl, *line;
	size_t cap = 0, used = 0, body_off = 0, scan = 0, start = 0;
	long long clen = -1;
	int fd = -1, rc = -1, n, have_head = 0, ended = 0;
	ssize_t r;

	*resp = NULL;
	*resplen = 0;
	*status = 0;
	if ((fd = open_sock(sock, e)) == -1)
		goto done;
	/* HTTP/1.0: a streamed answer comes as is, ended by the close. */
	n = snprintf(head, sizeof(head), "GET %s HTTP/1.0\r\nHost: localhost"
	    "\r\n\r\n", path);
	if (n < 0 || (size_t)n >= sizeof(head)) {
		err_set(e, ERR_USAGE, "request path too long");
		goto done;
	}
	if (write_all(fd, head, (size_t)n, sock, e) == -1)
		goto done;
	for (;;) {
		if (cap - used < 65536) {
			if (cap >= ADMINC_RESPONSE_MAX) {
				err_set(e, ERR_IO, "%s: answer larger than %lu "
				    "bytes", sock, ADMINC_RESPONSE_MAX);
				goto done;
			}
			cap = cap ? cap * 2 : 131072;
			if ((nbuf = realloc(buf, cap + 1)) == NULL) {
				err_set(e, ERR_NOMEM, "out of memory");
				goto done;
			}
			buf = nbuf;
		}
		if (wait_fd(fd, POLLIN, ADMINC_TIMEOUT_SEC, e, sock) == -1)
			goto done;
		r = read(fd, buf + used, cap - used);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			err_set(e, ERR_IO, "%s: read: %s", sock, strerror(errno));
			goto done;
		}
		used += (size_t)r;
		buf[used] = '\0';
		if (!have_head) {
			int h = parse_head(buf, used, status, &body_off, &clen);

			if (h == -1) {
				err_set(e, ERR_IO, "%s: not an HTTP answer", sock);
				goto done;
			}
			if ((have_head = (h == 0)))
				start = scan = body_off;
			/* A whole answer, not a stream: no lines. */
			if (have_head && clen >= 0)
				ended = 1;
		}
		while (have_head && !ended && (nl = memchr(buf + scan, '\n',
		    used - scan)) != NULL) {
			line = buf + scan;
			*nl = '\0';
			scan = (size_t)(nl - buf) + 1;
			if (strcmp(line, "end") == 0) {
				ended = 1;
				start = scan;
			} else if (strncmp(line, "error ", 6) == 0) {
				err_set(e, ERR_INTERNAL, "%s", line + 6);
				goto done;
			} else
				fn(arg, line);
		}
		if (have_head && clen >= 0 &&
		    used - body_off >= (unsigned long long)clen)
			break;
		if (r == 0)
			break;
	}
	if (!have_head || !ended) {
		err_set(e, ERR_IO, "%s: the node closed without %s", sock,
		    have_head ? "finishing its answer" : "answering");
		goto done;
	}
	*resplen = clen >= 0 ? (size_t)clen : used - start;
	memmove(buf, buf + start, *resplen);
	buf[*resplen] = '\0';
	*resp = buf;
	buf = NULL;
	rc = 0;
done:
	free(buf);
	if (fd != -1)
		close(fd);
	return rc;
}

int
adminc_qs_escape(const char *s, char *buf, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~') {
			if (o + 1 >= len)
				return -1;
			buf[o++] = (char)c;
		} else {
			if (o + 3 >= len)
				return -1;
			buf[o++] = '%';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		}
	}
	if (o >= len)
		return -1;
	buf[o] = '\0';
	return 0;
}
