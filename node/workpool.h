/*
 * workpool.h - CPU-bound work off the event loop, on a pool of threads.
 *
 * A job is a struct workpool_job embedded in the caller's own structure.
 * workpool_submit() queues it; one of the pool's threads calls its run
 * function, then the loop calls its done function (from an event on the
 * loop's base, a few jobs per wake-up), so that everything done touches
 * (the request, httpd, the store's loop connection, metrics) stays the
 * loop's.  Jobs run in the order they were queued, on as many threads as
 * the pool has; they are done in the order they finish.
 *
 * A pool of 0 threads runs both calls at once, inside workpool_submit():
 * the work stays on the loop (lasterid.conf's check_threads = 0).
 *
 * What run may touch: the job and what it owns, and what is safe from any
 * thread (libxml2 documents of its own, a verifier it holds a reference
 * on, log.c).  Never struct node, httpd or the loop's store.
 *
 * workpool_free() stops the pool: a job that is running finishes, then
 * every job not yet done (queued, running or finished) gets done with
 * j->cancelled set, on the caller's thread, in no particular order: done
 * must then free the job and answer nobody (the connections are being
 * closed).  Signals stay the loop's: the pool's threads block all.
 */
#ifndef LASTERI_WORKPOOL_H
#define LASTERI_WORKPOOL_H

#include <event2/event.h>

#include "err.h"

#define WORKPOOL_THREADS_MAX	64

struct workpool_job;
typedef void workpool_fn(struct workpool_job *j);

struct workpool_job {
	workpool_fn		*run;		/* on a pool thread */
	workpool_fn		*done;		/* on the loop, after run */
	int			 cancelled;	/* set before done by free */
	struct workpool_job	*next;		/* the pool's */
};

struct workpool;

/* A pool of threads (0 to WORKPOOL_THREADS_MAX) whose done calls run on
 * base; name says whose it is in errors ("the record checks"). */
struct workpool	*workpool_new(struct event_base *base, int threads,
		    const char *name, struct err *e);
/* Queues j (run and done set by the caller).  Never fails: the queue is a
 * list (the caller bounds the work it takes in, as httpd bounds the
 * connections and their bodies). */
void		 workpool_submit(struct workpool *p, struct workpool_job *j);
/* Jobs queued or running, not yet done (the loop's view). */
size_t		 workpool_pending(const struct workpool *p);
int		 workpool_threads(const struct workpool *p);
/* Stops p (above).  NULL is a no-op. */
void		 workpool_free(struct workpool *p);

#endif
