/*
 * adminc.h - the lasteri CLI's client for a node's admin socket: one HTTP/1.1
 * request over a Unix socket (Connection: close), the answer read whole up to
 * a cap.  Used by every subcommand that talks to a node (-s SOCKET or
 * LASTERI_SOCKET).
 */
#ifndef LASTERI_ADMINC_H
#define LASTERI_ADMINC_H

#include <stddef.h>

#include "err.h"

#define ADMINC_RESPONSE_MAX	(512UL * 1024 * 1024)
#define ADMINC_TIMEOUT_SEC	300

/* The socket named by opt (-s), else $LASTERI_SOCKET, else NULL. */
const char	*adminc_socket(const char *opt);

/* Send method path (with its query string) and an optional body of
 * content type ctype.  On success *status is the HTTP status and *resp
 * (NUL-terminated, caller frees with free()) holds *resplen bytes of body.
 * Fails with ERR_UNREACHABLE (no node listening), ERR_TIMEOUT or ERR_IO. */
int		 adminc_request(const char *socket, const char *method,
		    const char *path, const char *ctype, const void *body,
		    size_t len, int *status, char **resp, size_t *resplen,
		    struct err *e);

/* The same, waiting at most timeout_sec (0: ADMINC_TIMEOUT_SEC) for each
 * part of the answer, for a request whose work takes long (an import). */
int		 adminc_request_wait(const char *socket, const char *method,
		    const char *path, const char *ctype, const void *body,
		    size_t len, int timeout_sec, int *status, char **resp,
		    size_t *resplen, struct err *e);

/* GET path, an answer streamed as lines (a national query's progress):
 * fn(arg, line) for each line before a line "end", whose rest is the
 * answer in *resp; a line "error MESSAGE" ends it with ERR_INTERNAL and
 * the message.  An answer with a Content-Length (an error, or a node that
 * does not stream) is the answer whole, with no lines. */
typedef void adminc_line_fn(void *arg, const char *line);
int		 adminc_request_lines(const char *socket, const char *path,
		    adminc_line_fn *fn, void *arg, int *status, char **resp,
		    size_t *resplen, struct err *e);

/* Percent-encode s for a query string into buf; -1 when it does not fit. */
int		 adminc_qs_escape(const char *s, char *buf, size_t len);

#endif
