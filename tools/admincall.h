/*
 * admincall.h - one request to the node's admin socket the way every
 * subcommand makes it: the answer's body on success, the node's own message
 * (the text of its <Error>) and exit status 2 on an error answer, and "no
 * node answers on SOCKET" (status 2) when nothing listens there.
 */
#ifndef LASTERI_ADMINCALL_H
#define LASTERI_ADMINCALL_H

#include <stddef.h>

#include "adminc.h"

/* Sends method path (with its query) and an optional body.  On a 2xx answer
 * returns 0 and, when resp is NULL, writes the body to stdout, else hands
 * it over in *resp (NUL-terminated, caller frees with free()).  Otherwise
 * prints one message and returns the exit status (2). */
int	admincall(const char *sock, const char *method, const char *path,
	    const char *ctype, const void *body, size_t len, char **resp,
	    size_t *resplen);

/* The same for a request whose work takes long: each wait for the answer
 * lasts at most timeout_sec (0: the default), and *answered (may be NULL)
 * tells whether the outcome is known: 1 when the node answered (or was
 * never reached), 0 when the request went out but no answer came back, so
 * it may or may not have taken effect. */
int	admincall_wait(const char *sock, const char *method, const char *path,
	    const char *ctype, const void *body, size_t len, int timeout_sec,
	    int *answered, char **resp, size_t *resplen);

/* GET path with its progress lines handed to fn (adminc_request_lines);
 * the answer in *resp on success (free()), else one message and 2. */
int	admincall_stream(const char *sock, const char *path,
	    adminc_line_fn *fn, void *arg, char **resp, size_t *resplen);

/* Appends "&name=value" (or "?name=value" first) to the path in buf of
 * size len, percent-encoding value; -1 after a message when it does not
 * fit. */
int	admincall_qs(char *buf, size_t len, const char *name,
	    const char *value);

/* The node's XML answer resp parsed, its root element checked to be
 * urn:lasteri:1's root; NULL after a message.  Free with xmlFreeDoc(). */
struct _xmlDoc;
struct _xmlNode;
struct _xmlDoc	*admincall_doc(const char *resp, size_t len, const char *root);
/* The value of attribute name of element n into buf ("" when absent);
 * returns buf. */
const char	*admincall_attr(struct _xmlNode *n, const char *name, char *buf,
		    size_t len);

/* Offline (--db) or through a node (-s, else $LASTERI_SOCKET): *sock is
 * set for the latter.  2 after a message when neither or both are given. */
int	admincall_target(const char *db, const char *sockopt,
	    const char *usage, const char **sock);

#endif
