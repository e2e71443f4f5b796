/*
 * api_query.h - a region answering national queries: POST /v1/query on the
 * federation port, and the query log on the admin socket
 * (GET /admin/v1/queries, `lasteri queries`).
 *
 * Before any work, in this order (issue 10, lasterid(8)): the trust list is
 * valid; the Query parses under the wire limits and validates; its
 * signature verifies; its signer is the TLS peer that posted it and holds a
 * role for its kind; it has not expired and was not issued more than 30 s
 * ahead; its nonce was never answered (kept in the nonce file until the
 * query expires, nonces.h, so a restart does not reopen it).  A refusal is a 4xx with a
 * Response signed by this node and addressed to the signer when the
 * signature verified, else a plain error.  The work itself runs under
 * query_work_limit (an SQLite progress handler for what reads the store).
 * Every query whose signer is known is logged: who, when, kind, status,
 * how many results, milliseconds; the rows go to the store within a
 * second.  Queries carry needs, never a person.
 */
#ifndef LASTERI_API_QUERY_H
#define LASTERI_API_QUERY_H

#include "err.h"

struct node;

#define QUERY_PATH		"/v1/query"
#define M_QUERIES_ANSWERED	"lasteri_queries_answered_total"

int	api_query_register(struct node *n, struct err *e);
/*
 * This node's own region answering a Query this node asked (query, qlen
 * bytes: the signed Query sent to every region), in-process instead of
 * over TLS to itself: the same checks as POST /v1/query (the peer is this
 * node's own member), the nonce recorded, the query logged, the Response
 * signed by this node.  0: *http_status, and *body (malloc'd, *len bytes)
 * the signed Response, or NULL for an error without one.  -1 when it
 * cannot be answered now without waiting (the trust list expired, the
 * search data not built yet): nothing was done, ask over TLS instead.
 */
int	api_query_local(struct node *n, const void *query, size_t qlen,
	    int *http_status, char **body, size_t *len);
/* Writes the query log rows still pending and frees the timer (before the
 * event base and the store go). */
void	api_query_free(struct node *n);

#endif
