/*
 * store_outbox.h - the outbox table of the node's store: one row per
 * (record, destination member) that a supervision record must reach.  The
 * SQL is in store_outbox.c; the delivery mechanism that uses it is
 * outbox.c (its design paragraph explains the states).
 *
 * Times are Unix milliseconds.  Every call works inside a transaction that
 * the caller opened with store_begin() (an issued record and its outbox row
 * commit together) or, outside one, is a transaction of its own.
 */
#ifndef LASTERI_STORE_OUTBOX_H
#define LASTERI_STORE_OUTBOX_H

#include <stdint.h>

#include "err.h"
#include "store.h"

enum outbox_state {
	OUTBOX_PENDING = 0,	/* to be delivered (maybe after a delay) */
	OUTBOX_DELIVERED,	/* the destination answered stored/duplicate */
	OUTBOX_CONFLICT,	/* the destination holds another document */
	OUTBOX_REFUSED,		/* the destination refused it (4xx) */
	OUTBOX_CANCELLED	/* an operator cancelled it while pending */
};
#define OUTBOX_NSTATES	5

/* "pending", "delivered", "conflict", "refused", "cancelled". */
const char	*store_outbox_state_name(enum outbox_state st);

#define OUTBOX_DEST_MAX		160
#define OUTBOX_ERROR_MAX	256

struct outbox_row {
	char		record_id[65];
	char		dest[OUTBOX_DEST_MAX];
	enum outbox_state state;
	int		attempts;
	int64_t		created;
	int64_t		next_attempt;
	int64_t		updated;
	char		last_error[OUTBOX_ERROR_MAX];
};

/* Queue record_id for dest (pending, due at now).  Adding a row that
 * exists already changes nothing. */
int	store_outbox_add(struct store *s, const char *record_id,
	    const char *dest, int64_t now, struct err *e);

/* Claims at most max pending rows due at now (next_attempt <= now), oldest
 * first: in one transaction each gets attempts + 1 and next_attempt =
 * lease_until, so that a row in flight is not picked twice; a delivery's
 * result then sets its real next state.  A lease left by a crash simply
 * runs out.  *n gets the number of rows written to out. */
int	store_outbox_claim(struct store *s, int64_t now, int64_t lease_until,
	    int max, struct outbox_row *out, int *n, struct err *e);

/* A delivery's result for (record_id, dest). */
int	store_outbox_done(struct store *s, const char *record_id,
	    const char *dest, enum outbox_state st, const char *why,
	    int64_t now, struct err *e);
int	store_outbox_retry(struct store *s, const char *record_id,
	    const char *dest, int64_t next_attempt, const char *why,
	    int64_t now, struct err *e);

/* Makes every pending row due at once (used at start-up, so that leases
 * of a previous run do not delay delivery). */
int	store_outbox_wake(struct store *s, int64_t now, struct err *e);

/* A row named by its key. */
struct outbox_key {
	const char	*record_id;
	const char	*dest;
};

/* Makes the pending rows that wait for a later attempt due at now: all of
 * them, or those to dest when it is not NULL, except the rows in skip (the
 * deliveries in flight, whose lease must stand).  *n gets how many rows
 * were made due and *pending how many pending rows there are (of dest). */
int	store_outbox_hurry(struct store *s, const char *dest, int64_t now,
	    const struct outbox_key *skip, int nskip, long *n, long *pending,
	    struct err *e);

/* Cancels the pending rows of record_id: state cancelled, last_error why,
 * kept.  count[] gets the rows of the record by state as they were before
 * (count[OUTBOX_PENDING] were cancelled).  ERR_NOTFOUND when the outbox
 * holds no row of record_id. */
int	store_outbox_cancel(struct store *s, const char *record_id,
	    const char *why, int64_t now, long count[OUTBOX_NSTATES],
	    struct err *e);

/* The earliest next_attempt of a pending row; 0 when there is none. */
int	store_outbox_next_due(struct store *s, int64_t *out, struct err *e);

struct outbox_dest_summary {
	char		dest[OUTBOX_DEST_MAX];
	long		count[OUTBOX_NSTATES];	/* by enum outbox_state */
	int64_t		oldest_pending;		/* created; 0 when none */
	char		last_error[OUTBOX_ERROR_MAX];
};

struct outbox_summary {
	long		pending;
	long		count[OUTBOX_NSTATES];	/* by enum outbox_state */
	int64_t		oldest_pending;		/* created; 0 when none */
	struct outbox_dest_summary *dests;	/* malloc'd, ndests entries */
	int		ndests;
};

/* Counts by state and destination.  Release with store_outbox_summary_clear(). */
int	store_outbox_summary(struct store *s, struct outbox_summary *out,
	    struct err *e);
void	store_outbox_summary_clear(struct outbox_summary *sum);

/* One row, for tests and status; ERR_NOTFOUND when there is none. */
int	store_outbox_get(struct store *s, const char *record_id,
	    const char *dest, struct outbox_row *out, struct err *e);

#endif
