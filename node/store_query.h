/*
 * store_query.h - what a node keeps about the national queries it answers
 * (migration 7): the nonces of the queries it answered, until they expire,
 * so that a captured Query cannot be answered twice, not even after a
 * restart; and the query log listed by `lasteri queries`.  A Query carries
 * needs, never a person, so neither holds personal data.
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

/* One transaction: the log rows (nrows, may be 0) and, when nonce is not
 * NULL, the nonce as store_query_nonce() keeps it (*seen).  A node
 * batches its log rows into the next query's nonce commit.  With a nonce
 * the commit is in the WAL before this returns (a crash or restart of the
 * node keeps it) but does not wait for the disk; log rows alone are
 * committed durably, and that sync makes every nonce before them durable
 * too: a node writes its log rows within a second. */
struct query_log_row;
int	store_query_commit(struct store *s, const char *nonce,
	    const char *asker, time_t expires, time_t now,
	    const struct query_log_row *rows, size_t nrows, int *seen,
	    struct err *e);

/* Remembers nonce (from asker) until expires.  *seen is 1 when it was
 * remembered already and not expired at now (a replay: nothing changes),
 * 0 when it is new.  Drops the nonces that expired before now (at most
 * once a minute).  Commits before it returns, without waiting for the
 * disk (as store_query_commit() with a nonce). */
int	store_query_nonce(struct store *s, const char *nonce,
	    const char *asker, time_t expires, time_t now, int *seen,
	    struct err *e);

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

int	store_query_log_add(struct store *s, const struct query_log_row *r,
	    struct err *e);

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
