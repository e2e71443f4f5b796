/*
 * store_query.h - what a node keeps about the national queries it answers
 * (migration 7): the query log listed by `lasteri queries`, and the table
 * that held the answered queries' nonces until they moved to a file of
 * their own (nonces.h).  A Query carries needs, never a person, so
 * neither holds personal data.
 *
 * And the per-query work limit: a deadline after which SQLite interrupts
 * the statement running on the store (a progress handler), so that one
 * question cannot hold the node past the asker's timeout.
 */
#ifndef LASTERI_STORE_QUERY_H
#define LASTERI_STORE_QUERY_H

#include <stdint.h>
#include <time.h>

#include "err.h"
#include "model.h"
#include "store.h"

/* Rows kept in the query log; older ones are dropped as new ones come. */
#define STORE_QUERY_LOG_KEEP	100000

struct query_log_row {
	int64_t		seq;		/* set by the store */
	int64_t		at;		/* Unix ms the query arrived */
	char		asker[160];
	char		kind[24];	/* "search", "statistics", "lookup" */
	char		status[24];	/* envelope_status_token() */
	long		results;	/* rows, tables or records answered */
	long		ms;		/* time to answer */
	char		digest[65];	/* SHA-256 of the Query, hex */
};

/* One transaction, durable before it returns (synchronous=FULL): the log
 * rows[0..nrows).  Not inside another transaction. */
int	store_query_log_commit(struct store *s,
	    const struct query_log_row *rows, size_t nrows, struct err *e);

/* One row: in the transaction open, else in one of its own. */
int	store_query_log_add(struct store *s, const struct query_log_row *r,
	    struct err *e);

/*
 * The nonces of the table that held them until they moved to the
 * nonce file (nonces.h; the table stays, empty): fn(arg, nonce, asker,
 * expires, e) for each not expired at now, then every row deleted, in one
 * transaction, rolled back when fn fails (-1).  *moved of them.  A node
 * calls it once at start, after the nonce file is open, so that an
 * upgrade reopens no query.
 */
typedef int store_nonce_fn(void *arg, const char *nonce, const char *asker,
		    time_t expires, struct err *e);
int	store_query_nonces_take(struct store *s, time_t now,
	    store_nonce_fn *fn, void *arg, size_t *moved, struct err *e);

/* The newest rows, newest first: at most max into out (*n of them). */
int	store_query_log_list(struct store *s, int max,
	    struct query_log_row *out, int *n, struct err *e);

/* From now until it is cleared (until_ms 0), a statement on s that runs
 * past until_ms (CLOCK_MONOTONIC milliseconds) is interrupted: it fails
 * with ERR_TIMEOUT naming the work limit. */
void	store_set_deadline(struct store *s, int64_t until_ms);

/* The Ids of the signed records about unit_id, or (unit_id NULL) about the
 * provider of business ID provider, oldest opened first: at most max into
 * ids, *n of them.  Under the work limit. */
int	store_record_ids_by(struct store *s, const char *unit_id,
	    const char *provider, char (*ids)[ID_MAX + 1], size_t max,
	    size_t *n, struct err *e);

/* CLOCK_MONOTONIC in milliseconds. */
int64_t	store_monotonic_ms(void);

#endif
