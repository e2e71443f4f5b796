/*
 * qindex.h - the node's search and statistics data (query.h's struct
 * query_data), built off the event loop.
 *
 * A worker thread builds a new data set from its own read-only connection
 * to the database (one WAL snapshot, no XML parsed) whenever one is asked
 * for: at start and after an import.  When a build is done the worker wakes
 * the loop through a pipe, and the loop swaps the new set in (catching it up
 * with the records stored after its snapshot) and drops its reference to
 * the old one; answers are only ever computed on a complete set.  A record
 * stored meanwhile is applied to the set in use at once
 * (qindex_record_stored, qindex_record_added).  Requests that need a set the worker has not
 * finished yet (the first one after start, the one after an import) are
 * queued with qindex_wait() and called back on the loop when it is in,
 * never blocking the loop.
 *
 * Everything except the worker's build runs on the loop thread.
 */
#ifndef LASTERI_QINDEX_H
#define LASTERI_QINDEX_H

#include <stdint.h>

#include "err.h"

struct event_base;
struct query_data;
struct record_brief;
struct store;
struct qindex;

/* Called on the loop when the set asked for is in (d, borrowed for the
 * call), when its build failed (d NULL, e says why), or when the qindex is
 * freed first (d and e NULL: release arg, answer nothing). */
typedef void qindex_wait_fn(void *arg, const struct query_data *d,
    const struct err *e);

/* Starts the worker on dbpath and asks for the first build.  base and s
 * (the loop's store, for applying records) are borrowed and must outlive
 * the qindex.  Free with qindex_free() before base is freed. */
struct qindex	*qindex_new(struct event_base *base, const char *dbpath,
		    struct store *s, struct err *e);
/* Stops the worker (waits for a build in progress), calls back every
 * waiter with (NULL, NULL) and drops the data.  NULL is a no-op. */
void		 qindex_free(struct qindex *q);

/* The data changed wholesale (an import committed): ask for a build;
 * answers from now on wait for it. */
void		 qindex_rebuild(struct qindex *q);
/* A record about unit_id was stored: its unit's summary is applied to the
 * data in use (and to a build in progress, when it lands). */
int		 qindex_record_stored(struct qindex *q, const char *unit_id,
		    struct err *e);
/* A received record was stored as seq: added to its unit's summary in the
 * data in use without reading the store (query_data_add_record). */
int		 qindex_record_added(struct qindex *q,
		    const struct record_brief *b, int64_t seq, struct err *e);

/* The data to answer from now: NULL while the set asked for last is not in
 * yet (then qindex_wait()), or when its build failed (*failed set, e says
 * why; the next call asks for a new build). */
const struct query_data *
		 qindex_current(struct qindex *q, int *failed, struct err *e);
/* Queues fn(arg, ...) for when the set asked for last is in.  -1 when too
 * many are waiting (ERR_NOMEM): answer 503. */
int		 qindex_wait(struct qindex *q, qindex_wait_fn *fn, void *arg,
		    struct err *e);

/* For metrics and tests: builds finished, and the last one's duration. */
uint64_t	 qindex_builds(const struct qindex *q);
double		 qindex_last_build_ms(const struct qindex *q);

#endif
