/*
 * ingest.h - group commit of received supervision records.
 *
 * POST /v1/records (api_fed.c) checks a record (schema, signature, signer
 * rights, the unit is this region's) and then hands it here instead of
 * storing it at once.  Records that arrive within INGEST_WINDOW_US of the
 * first one of a batch, up to INGEST_BATCH_MAX records or
 * INGEST_BATCH_BYTES bytes, are stored in ONE transaction (one fsync):
 * each record with its transparency-log leaf in its own savepoint
 * (store_record_put_signed), so that one that fails (a conflict, a
 * constraint) leaves the others in; then the batch commits, and only then
 * is every record of it answered, through the done callback, in the order
 * they arrived.  A 201 therefore still means on disk.  When the commit
 * fails, every record of the batch is answered with that error and nothing
 * of the batch is stored.
 *
 * It all runs on the node's event loop: a timer, never a thread; the loop
 * is held for at most one batch's puts and commit.  No transaction stays
 * open between two callbacks, so the other writers of the loop's store
 * (issuing, checkpoints, witnessing) see no difference.  While an import
 * holds the write lock (n->import), a batch is not written: its records
 * are answered "busy" (the done callback decides how).
 */
#ifndef LASTERI_INGEST_H
#define LASTERI_INGEST_H

#include <stddef.h>

#include "err.h"
#include "model.h"

/* The window (from the first record of a batch to its commit), and the
 * bounds that commit a batch earlier. */
#define INGEST_WINDOW_US	2000
#define INGEST_BATCH_MAX	256
#define INGEST_BATCH_BYTES	(8UL * 1024 * 1024)

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
	char				 digest[65];	/* of the bytes kept */
	struct err			 e;
	struct ingest_item		*next;
};

/* Called once per item after its batch's commit (or failure), in arrival
 * order; the item is freed after the call. */
typedef void ingest_done_fn(void *arg, struct ingest_item *it);
/* Called once per batch after the done calls: whether it committed, and
 * how many new records the commit stored. */
typedef void ingest_batch_fn(void *arg, int committed, size_t stored);

struct ingest;

struct ingest	*ingest_new(struct node *n, ingest_done_fn *done,
		    ingest_batch_fn *batch, void *arg, struct err *e);
/* Commits what is pending (its done calls run, with req NULL: the
 * connections are gone), then frees.  NULL is a no-op. */
void		 ingest_free(struct ingest *g);

/* A zeroed item, or NULL when out of memory. */
struct ingest_item *ingest_item_new(void);
/* Takes it in all outcomes: it joins the pending batch, which commits
 * when full or when its window ends. */
void		 ingest_add(struct ingest *g, struct ingest_item *it);
/* Commits the pending batch now (nothing when none). */
void		 ingest_flush(struct ingest *g);
/* Records waiting for a commit. */
size_t		 ingest_pending(const struct ingest *g);

#endif
