/*
 * outbox.h - durable delivery of supervision records to the nodes of the
 * units' home regions (design paragraph in outbox.c).  Rows live in the
 * store (store_outbox.h); deliveries run on the node's event loop through
 * its peer client.
 */
#ifndef LASTERI_OUTBOX_H
#define LASTERI_OUTBOX_H

#include <stdint.h>

#include "err.h"
#include "store_outbox.h"

struct node;
struct outbox;

#define M_OUTBOX_OLDEST		"lasteri_outbox_oldest_age_seconds"
#define M_OUTBOX_DELIVERIES	"lasteri_outbox_deliveries_total"

/* An outbox for n (borrowed: its base, store, peer, trust list, metrics
 * and conf are read when needed).  Rows left by an earlier run are made due
 * at once.  Free with outbox_free() after peer_free(n->peer), so that no
 * delivery's callback can still arrive. */
struct outbox	*outbox_new(struct node *n, struct err *e);
void		 outbox_free(struct outbox *o);		/* NULL is a no-op */

/* Look for due rows soon (after a record was queued). */
void		 outbox_kick(struct outbox *o);

/* Deliveries running now. */
int		 outbox_inflight(const struct outbox *o);

/* Sets the depth and oldest-age gauges from the table now (before a
 * /metrics answer: the age grows between deliveries).  NULL is a no-op. */
void		 outbox_publish(struct outbox *o);

/* Makes the pending deliveries (all, or those to member dest when not
 * NULL) due at once, except those in flight; *n gets how many were waiting
 * for a later attempt, *pending how many are pending. */
int		 outbox_retry(struct outbox *o, const char *dest, long *n,
		    long *pending, struct err *e);

/* Cancels the pending deliveries of record_id (kept, state cancelled,
 * last_error "cancelled by WHO"); count[] gets the record's rows by state
 * before (count[OUTBOX_PENDING] were cancelled).  ERR_NOTFOUND: no row of
 * record_id; ERR_CONFLICT: a delivery of it is in flight now. */
int		 outbox_cancel(struct outbox *o, const char *record_id,
		    const char *who, long count[OUTBOX_NSTATES],
		    struct err *e);

/* --- the policy, pure (tests) ------------------------------------------ */

/* The delay before attempt attempts + 1 after attempts failed ones (>= 1):
 * full jitter over [min_ms, cap], cap = min(max_ms, min_ms * 2^(attempts -
 * 1)); rnd is a uniformly random number. */
int64_t		 outbox_backoff_ms(int attempts, long min_ms, long max_ms,
		    uint32_t rnd);

/* What an answer means for a row: OUTBOX_DELIVERED (201, 200),
 * OUTBOX_CONFLICT (409), OUTBOX_REFUSED (any other 4xx), OUTBOX_PENDING (try
 * again: 5xx, 408, 429, no answer: timeout, unreachable, TLS error). */
enum outbox_state outbox_classify(int status, enum err_code code);

#endif
