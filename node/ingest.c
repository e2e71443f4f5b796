/*
 * ingest.c - group commit of received supervision records (see ingest.h).
 *
 * A batch is a list of checked records in arrival order.  The first record
 * of an empty batch arms the window timer; the timer, or a record that
 * fills the batch (count or bytes), commits it: BEGIN IMMEDIATE (without
 * the import's duplicate-ID check: the same record twice in one batch is
 * a duplicate, another record under the same Id a conflict, exactly as in
 * two transactions), one store_record_put_signed() per record (each in its
 * own savepoint, its leaf beside it), COMMIT, then the done calls.  The
 * batch is detached from g before it is written, so a done call (which
 * answers a request) never sees a half-written batch, and records that
 * arrive meanwhile start the next one.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <libxml/xmlmemory.h>

#include "ingest.h"
#include "node.h"
#include "store.h"

struct ingest {
	struct node		*n;
	ingest_done_fn		*done;
	ingest_batch_fn		*batch;
	void			*arg;
	struct event		*ev;		/* the window */
	struct ingest_item	*head, **tail;	/* the pending batch */
	size_t			 count, bytes;
};

static void	flush_cb(evutil_socket_t fd, short what, void *arg);

struct ingest *
ingest_new(struct node *n, ingest_done_fn *done, ingest_batch_fn *batch,
    void *arg, struct err *e)
{
	struct ingest *g;

	if ((g = calloc(1, sizeof(*g))) == NULL) {
		err_set(e, ERR_NOMEM, "the record batch: out of memory");
		return NULL;
	}
	g->n = n;
	g->done = done;
	g->batch = batch;
	g->arg = arg;
	g->tail = &g->head;
	if ((g->ev = evtimer_new(n->base, flush_cb, g)) == NULL) {
		free(g);
		err_set(e, ERR_NOMEM, "the record batch's timer");
		return NULL;
	}
	return g;
}

struct ingest_item *
ingest_item_new(void)
{
	return calloc(1, sizeof(struct ingest_item));
}

static void
item_free(struct ingest_item *it)
{
	xmlFree(it->bytes);
	free(it);
}

size_t
ingest_pending(const struct ingest *g)
{
	return g != NULL ? g->count : 0;
}

/* Stores the records of list in one transaction; fills each outcome.
 * Returns the number of new records committed, -1 when nothing was. */
static long
write_batch(struct ingest *g, struct ingest_item *list)
{
	struct store *s = g->n->store;
	struct ingest_item *it;
	struct err e;
	long stored = 0;
	int isnew;

	err_clear(&e);
	if (g->n->import != NULL) {
		for (it = list; it != NULL; it = it->next)
			it->result = INGEST_BUSY;
		return -1;
	}
	if (store_begin_records(s, &e) == -1)
		goto failed;
	for (it = list; it != NULL; it = it->next) {
		err_clear(&it->e);
		if (store_record_put_signed(s, &it->rec, it->bytes, it->len,
		    it->content, it->signer, &isnew, it->digest,
		    &it->e) == -1) {
			it->result = INGEST_FAILED;
			/* A failure SQLite undid the whole transaction for
			 * (I/O, full disk): the batch fails. */
			if (!store_in_tx(s)) {
				e = it->e;
				goto failed;
			}
			continue;
		}
		it->result = isnew ? INGEST_STORED : INGEST_DUPLICATE;
		stored += isnew ? 1 : 0;
	}
	if (store_commit(s, &e) == 0)
		return stored;
failed:
	store_rollback(s);
	/* Nothing of the batch is stored: every record that was to be
	 * answered "stored" or "duplicate" gets the reason. */
	for (it = list; it != NULL; it = it->next)
		if (it->result != INGEST_FAILED ||
		    it->e.code != ERR_CONFLICT) {
			it->result = INGEST_FAILED;
			it->e = e;
		}
	return -1;
}

void
ingest_flush(struct ingest *g)
{
	struct ingest_item *list, *it, *next;
	long stored;

	if (g == NULL || g->head == NULL)
		return;
	evtimer_del(g->ev);
	list = g->head;
	g->head = NULL;
	g->tail = &g->head;
	g->count = g->bytes = 0;
	stored = write_batch(g, list);
	for (it = list; it != NULL; it = next) {
		next = it->next;
		g->done(g->arg, it);
		item_free(it);
	}
	if (g->batch != NULL)
		g->batch(g->arg, stored >= 0, stored > 0 ? (size_t)stored :
		    0);
}

static void
flush_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	ingest_flush(arg);
}

void
ingest_add(struct ingest *g, struct ingest_item *it)
{
	struct timeval tv = { 0, INGEST_WINDOW_US };

	it->next = NULL;
	*g->tail = it;
	g->tail = &it->next;
	g->count++;
	g->bytes += it->len;
	if (g->count >= INGEST_BATCH_MAX || g->bytes >= INGEST_BATCH_BYTES) {
		ingest_flush(g);
		return;
	}
	if (g->count == 1 && evtimer_add(g->ev, &tv) == -1)
		ingest_flush(g);	/* no window: alone, now */
}

void
ingest_free(struct ingest *g)
{
	struct ingest_item *it;

	if (g == NULL)
		return;
	for (it = g->head; it != NULL; it = it->next)
		it->req = NULL;
	ingest_flush(g);
	if (g->ev != NULL)
		event_free(g->ev);
	free(g);
}
