/*
 * ingest.h - group commit of received supervision records.
 *
 * POST /v1/records (api_fed.c) checks a record (schema, signature, signer
 * rights on the record checks' threads, workpool.h; the unit is this
 * region's on the event loop) and then hands it here instead of storing it
 * at once.  Records are stored in batches, ONE
 * transaction (one fsync) per batch: each record with its
 * transparency-log leaf (store_record_put_signed); one that fails (a
 * conflict, a constraint) leaves the others in: a conflict fails before
 * writing, and a record that fails after writing has the batch written
 * again with a savepoint per record (store.h, STORE_TX_WHOLE: without
 * them SQLite copies no page before changing it); then the batch commits, and only then is every record of it answered,
 * through the done callback, in the order they arrived.  A 201 therefore
 * still means on disk.  When the commit fails, every record of the batch
 * is answered with that error and nothing of the batch is stored.
 *
 * Threads.  The puts and the commit run in one worker thread on a
 * connection of its own (a second struct store on the same database file),
 * so that the loop goes on accepting and checking records while a batch is
 * written: a pipeline of two stages, at most one batch in the worker and
 * one gathering on the loop.  When the worker is idle, the first record of
 * a batch arms a window of INGEST_WINDOW_US (or a batch of
 * INGEST_BATCH_MAX records or INGEST_BATCH_BYTES bytes goes at once); when
 * it is busy, what gathered meanwhile goes as soon as it is done (those
 * records have waited one commit already), at most INGEST_BATCH_MAX records
 * or INGEST_BATCH_BYTES bytes per batch.  Batches are written one after
 * the other in arrival order, so a duplicate or a conflict is decided as
 * with one transaction per record.
 *
 * Who owns what.  The loop owns struct ingest's pending batch, its timer,
 * the done calls and everything they touch (httpd, metrics, the search
 * data, the log's cached state).  A batch handed to the worker (the job
 * slot) is the worker's until it puts it back (the result slot); the two
 * slots and the stop flag are under one mutex, and the worker wakes the
 * loop through a pipe.  The worker touches only the items of its batch
 * (reads the inputs, writes the outcome) and its own struct store; it
 * never frees an item, never calls a callback, never reads struct node.
 * log.c's functions are thread-safe (an SQLite failure is logged from the
 * worker by store_db.c).
 *
 * Locks.  SQLite in WAL mode has one writer at a time, readers never
 * wait.  The writers: this worker (BEGIN IMMEDIATE .. COMMIT, a few to a
 * few dozen milliseconds), the loop's own connection (issuing a record,
 * signing a checkpoint, witnessing, the web's accounts and units, the
 * outbox, the national query log; each a single statement or its own
 * BEGIN IMMEDIATE transaction, never held across two callbacks), and an
 * import's thread (one long transaction).  Every write connection waits
 * for the write lock in SQLite's busy handler (5 s, store_busy_timeout),
 * except the loop's during an import (0: the loop never waits for an
 * import).  No deadlock is possible: the worker never waits for the loop
 * while it holds the lock (it takes no lock of ours inside a transaction
 * and writes to the pipe only after COMMIT), and the loop never holds the
 * write lock while waiting for the worker (only ingest_free() waits for
 * the worker, holding no transaction).  A loop writer that meets a
 * commit in progress waits for it in the busy handler (at most one batch:
 * before this worker the loop wrote that batch itself).  While an import
 * runs (n->import), a batch is not handed over: its records are answered
 * "busy" (INGEST_BUSY); an import that starts after a batch was handed
 * over waits for its commit, and a batch whose BEGIN times out behind an
 * import is answered "busy" too.
 *
 * The search data: each record stored is added to its unit's summary on
 * the loop (api_fed.c), from its brief and its seq (the order of storing,
 * which the worker reports): nothing is read again from the store.
 */
#ifndef LASTERI_INGEST_H
#define LASTERI_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "model.h"

/* The window (from the first record of a batch to its commit, when the
 * worker is idle), and the bounds of one batch. */
#define INGEST_WINDOW_US	2000
#define INGEST_BATCH_MAX	256
#define INGEST_BATCH_BYTES	(8UL * 1024 * 1024)

/* The WAL's checkpoints (store.h): past INGEST_WAL_CHECKPOINT pages (20
 * MiB) after a commit (of the worker or of the loop), the checkpointer
 * thread copies it into the database file on a connection of its own,
 * beside the commits, instead of SQLite's copy inside the commit past 1,000
 * pages (the copies and their fsync no longer hold the batches up, and a
 * page that many commits change, an index page, is copied once); past
 * INGEST_WAL_MAX pages (80 MiB), the worker copies what is left itself once
 * its batch is answered, so that the WAL starts over. */
#define INGEST_WAL_CHECKPOINT	5000
#define INGEST_WAL_MAX		20000

/* Counter of the commits that stored received records (a group commit
 * counts once however many records it held). */
#define M_RECORDS_COMMITS	"lasteri_records_commits_total"

struct node;
struct httpd_req;

/* One checked record waiting for its commit.  The caller fills the inputs;
 * ingest fills the outcome before calling done. */
struct ingest_item {
	/* inputs */
	struct httpd_req		*req;	/* NULL: answer nobody */
	char				 peer[160];
	char				 signer[160];
	unsigned char			 content[32];
	char				*bytes;	/* xmlMalloc'd; ingest frees */
	size_t				 len;
	struct supervision_record	 rec;
	/* outcome */
	enum {
		INGEST_STORED,		/* new, committed */
		INGEST_DUPLICATE,	/* the same record was stored before */
		INGEST_FAILED,		/* e says why (conflict, store) */
		INGEST_BUSY		/* an import holds the store */
	}				 result;
	int64_t				 seq;	/* STORED: record_brief.seq */
	char				 digest[65];	/* of the bytes kept */
	struct err			 e;
	struct ingest_item		*next;
};

/* Called once per item after its batch's commit (or failure), in arrival
 * order, on the loop; the item is freed after the call. */
typedef void ingest_done_fn(void *arg, struct ingest_item *it);
/* Called once per batch after the done calls: whether it committed, and
 * how many new records the commit stored. */
typedef void ingest_batch_fn(void *arg, int committed, size_t stored);

struct ingest;

/* Opens the worker's connection to n->conf.database and starts the worker
 * (n->base and n->store are borrowed and must outlive it). */
struct ingest	*ingest_new(struct node *n, ingest_done_fn *done,
		    ingest_batch_fn *batch, void *arg, struct err *e);
/* Waits for the batch in the worker, commits what is pending (the done
 * calls run with req NULL: the connections are gone), stops the worker
 * and frees.  NULL is a no-op. */
void		 ingest_free(struct ingest *g);

/* A zeroed item, or NULL when out of memory. */
struct ingest_item *ingest_item_new(void);
/* Takes it in all outcomes: it joins the pending batch, which goes to the
 * worker when full, when its window ends, or when the worker is done with
 * the batch before. */
void		 ingest_add(struct ingest *g, struct ingest_item *it);
/* Hands the pending batch to the worker now if it is idle (else it goes
 * when the worker is done).  Nothing when none is pending. */
void		 ingest_flush(struct ingest *g);
/* Records waiting for a commit (pending and in the worker). */
size_t		 ingest_pending(const struct ingest *g);

#endif
