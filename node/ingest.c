/*
 * ingest.c - group commit of received supervision records (see ingest.h).
 *
 * The loop gathers checked records in arrival order (g->head).  A batch
 * goes to the worker (hand_over) when the worker is idle and the window
 * timer fires or the batch is full, or, while the worker is busy, as soon
 * as the worker puts its batch back (wake_cb), before the loop answers that
 * one: the worker writes batch n+1 while the loop answers batch n.  The
 * worker writes a batch (write_batch) as the loop used to: BEGIN IMMEDIATE
 * (without the import's duplicate-ID check: the same record twice in one
 * batch is a duplicate, another record under the same Id a conflict,
 * exactly as in two transactions), one store_record_put_signed() per
 * record (its leaf beside it), COMMIT; the puts take no savepoint each
 * unless a record fails halfway (then the batch is written again with
 * them, STORE_TX_WHOLE).  The done calls run on the loop.  g->busy (the
 * loop's) is 1 from a hand-over until the loop has taken the batch back;
 * the job and result slots are under g->mu (ingest.h: who owns what).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <libxml/xmlmemory.h>

#include "ingest.h"
#include "log.h"
#include "node.h"
#include "store.h"

struct ingest {
	struct node		*n;
	ingest_done_fn		*done;
	ingest_batch_fn		*batch;
	void			*arg;
	/* the loop's */
	struct event		*ev;		/* the window */
	struct event		*wake;		/* pfd[0] readable */
	struct ingest_item	*head, **tail;	/* the pending batch */
	size_t			 count, bytes;
	size_t			 inflight;	/* records in the worker */
	int			 busy;		/* handed over, not back yet */
	/* shared, under mu */
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	struct ingest_item	*job;		/* loop -> worker */
	struct ingest_item	*out;		/* worker -> loop */
	long			 out_stored;	/* -1: nothing committed */
	int			 out_begin_failed;
	int			 stop;
	/* the worker's */
	struct store		*ws;
	int			 ws_frames;	/* the WAL's pages after a commit */
	pthread_t		 th;
	int			 started;
	int			 pfd[2];
	/* the checkpointer's: its thread, its connection; ck_want and
	 * ck_stop under ck_mu */
	struct store		*cs;
	pthread_t		 ck_th;
	int			 ck_started;
	pthread_mutex_t		 ck_mu;
	pthread_cond_t		 ck_cv;
	int			 ck_want, ck_stop;
};

static void	flush_cb(evutil_socket_t fd, short what, void *arg);
static void	wake_cb(evutil_socket_t fd, short what, void *arg);
static void	*worker_run(void *arg);

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
	return g != NULL ? g->count + g->inflight : 0;
}

/* --- the checkpointer ------------------------------------------------------ */

/* Asks the checkpointer for a checkpoint (from the worker or the loop,
 * after a commit that left the WAL at frames pages). */
static void
ck_ask(struct ingest *g, int frames)
{
	if (frames < INGEST_WAL_CHECKPOINT)
		return;
	pthread_mutex_lock(&g->ck_mu);
	g->ck_want = 1;
	pthread_cond_signal(&g->ck_cv);
	pthread_mutex_unlock(&g->ck_mu);
}

static void
wal_worker(void *arg, int frames)
{
	struct ingest *g = arg;

	g->ws_frames = frames;
	ck_ask(g, frames);
}

static void
wal_loop(void *arg, int frames)
{
	ck_ask(arg, frames);
}

static void
checkpoint(struct store *s, const char *who)
{
	struct err e;

	err_clear(&e);
	if (store_checkpoint(s, NULL, NULL, &e) == -1)
		log_warnx("wal_checkpoint", "by=%s msg=\"%s\"", who, e.msg);
}

static void *
ck_run(void *arg)
{
	struct ingest *g = arg;

	pthread_mutex_lock(&g->ck_mu);
	for (;;) {
		while (!g->ck_want && !g->ck_stop)
			pthread_cond_wait(&g->ck_cv, &g->ck_mu);
		if (g->ck_stop)
			break;
		g->ck_want = 0;
		pthread_mutex_unlock(&g->ck_mu);
		checkpoint(g->cs, "checkpointer");
		pthread_mutex_lock(&g->ck_mu);
	}
	pthread_mutex_unlock(&g->ck_mu);
	return NULL;
}

/* --- the worker ------------------------------------------------------------ */

/* Stores the records of list in one transaction on s; fills each outcome.
 * Returns the number of new records committed, -1 when nothing was;
 * *begin_failed says the write lock was not had.  With STORE_TX_WHOLE
 * (flags) a record that fails halfway spoils the transaction: -2, nothing
 * stored, the batch is to be written again without the flag. */
static long
write_batch(struct store *s, struct ingest_item *list, int flags,
    int *begin_failed)
{
	struct ingest_item *it;
	struct err e;
	long stored = 0;
	int isnew;

	err_clear(&e);
	*begin_failed = 0;
	for (it = list; it != NULL; it = it->next)
		it->result = INGEST_FAILED;
	if (store_begin_records(s, flags, &e) == -1) {
		*begin_failed = 1;
		goto failed;
	}
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
			if (store_tx_spoiled(s)) {
				store_rollback(s);
				return -2;
			}
			continue;
		}
		it->result = isnew ? INGEST_STORED : INGEST_DUPLICATE;
		it->seq = isnew ? store_record_last_seq(s) : 0;
		stored += isnew ? 1 : 0;
	}
	if (store_commit(s, &e) == 0)
		return stored;
failed:
	store_rollback(s);
	/* Nothing of the batch is stored: every record that was to be
	 * answered "stored" or "duplicate" gets the reason. */
	for (it = list; it != NULL; it = it->next) {
		if (it->result != INGEST_FAILED ||
		    it->e.code != ERR_CONFLICT) {
			it->result = INGEST_FAILED;
			it->e = e;
		}
	}
	return -1;
}

static void *
worker_run(void *arg)
{
	struct ingest *g = arg;
	struct ingest_item *list;
	long stored;
	ssize_t w;
	int bf;

	pthread_mutex_lock(&g->mu);
	for (;;) {
		while (g->job == NULL && !g->stop)
			pthread_cond_wait(&g->cv, &g->mu);
		if (g->job == NULL)
			break;
		list = g->job;
		pthread_mutex_unlock(&g->mu);
		/* Without a savepoint per record (which copies each page a
		 * record changes before it changes it); when a record fails
		 * halfway (seldom: a conflict or a duplicate fails before
		 * writing), again with them. */
		stored = write_batch(g->ws, list, STORE_TX_WHOLE, &bf);
		if (stored == -2)
			stored = write_batch(g->ws, list, 0, &bf);
		pthread_mutex_lock(&g->mu);
		g->job = NULL;
		g->out = list;
		g->out_stored = stored;
		g->out_begin_failed = bf;
		pthread_cond_broadcast(&g->cv);
		/* A full pipe already holds a wake-up. */
		do
			w = write(g->pfd[1], "c", 1);
		while (w == -1 && errno == EINTR);
		/* A WAL the checkpointer never catches up with (it copies while
		 * the batches go on, so all of it is seldom copied when the
		 * next one begins): the worker copies the rest itself, after
		 * the batch is answered, and the next batch starts the WAL
		 * over. */
		if (g->ws_frames >= INGEST_WAL_MAX) {
			pthread_mutex_unlock(&g->mu);
			checkpoint(g->ws, "writer");
			g->ws_frames = 0;
			pthread_mutex_lock(&g->mu);
		}
	}
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

/* --- the loop -------------------------------------------------------------- */

/* The done and batch calls of a batch back from the worker (or refused
 * before it: stored -1).  answer 0: the connections are gone. */
static void
finish(struct ingest *g, struct ingest_item *list, long stored, int answer)
{
	struct ingest_item *it, *next;

	for (it = list; it != NULL; it = next) {
		next = it->next;
		if (!answer)
			it->req = NULL;
		g->done(g->arg, it);
		item_free(it);
	}
	if (g->batch != NULL)
		g->batch(g->arg, stored >= 0, stored > 0 ? (size_t)stored :
		    0);
}

/* Takes the worker's batch back (g->busy): NULL when it is not done. */
static struct ingest_item *
take_back(struct ingest *g, long *stored, int wait)
{
	struct ingest_item *list, *it;
	int bf;

	pthread_mutex_lock(&g->mu);
	while (wait && g->out == NULL)
		pthread_cond_wait(&g->cv, &g->mu);
	list = g->out;
	*stored = g->out_stored;
	bf = g->out_begin_failed;
	g->out = NULL;
	pthread_mutex_unlock(&g->mu);
	if (list == NULL)
		return NULL;
	g->busy = 0;
	g->inflight = 0;
	/* The write lock was not had: an import that started after the
	 * hand-over holds it. */
	if (bf && g->n->import != NULL)
		for (it = list; it != NULL; it = it->next)
			it->result = INGEST_BUSY;
	return list;
}

/* Gives the worker the first records of the pending batch (at most a
 * batch's bounds); the rest stay pending.  Not while it is busy.  While an
 * import holds the store, the batch is answered busy here. */
static void
hand_over(struct ingest *g)
{
	struct ingest_item *list, *it, **pp;
	size_t k = 0, bytes = 0;

	if (g->busy || g->head == NULL)
		return;
	evtimer_del(g->ev);
	list = g->head;
	for (pp = &g->head; *pp != NULL && k < INGEST_BATCH_MAX &&
	    (k == 0 || bytes + (*pp)->len <= INGEST_BATCH_BYTES);
	    pp = &(*pp)->next) {
		k++;
		bytes += (*pp)->len;
	}
	g->head = *pp;
	*pp = NULL;
	if (g->head == NULL)
		g->tail = &g->head;
	g->count -= k;
	g->bytes -= bytes;
	if (g->n->import != NULL) {
		for (it = list; it != NULL; it = it->next)
			it->result = INGEST_BUSY;
		finish(g, list, -1, 1);
		return;
	}
	g->busy = 1;
	g->inflight = k;
	pthread_mutex_lock(&g->mu);
	g->job = list;
	pthread_cond_signal(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

void
ingest_flush(struct ingest *g)
{
	if (g == NULL)
		return;
	/* An import may refuse a batch at once: then the next goes. */
	while (!g->busy && g->head != NULL)
		hand_over(g);
}

static void
flush_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	ingest_flush(arg);
}

/* The worker is done: the next batch goes to it first, then this one is
 * answered. */
static void
wake_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ingest *g = arg;
	struct ingest_item *list;
	char buf[64];
	long stored;

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	if (!g->busy || (list = take_back(g, &stored, 0)) == NULL)
		return;
	ingest_flush(g);
	finish(g, list, stored, 1);
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
	/* While the worker is busy the batch gathers: it goes when the
	 * worker is done. */
	if (g->busy)
		return;
	if (g->count >= INGEST_BATCH_MAX || g->bytes >= INGEST_BATCH_BYTES) {
		ingest_flush(g);
		return;
	}
	if (g->count == 1 && evtimer_add(g->ev, &tv) == -1)
		ingest_flush(g);	/* no window: alone, now */
}

struct ingest *
ingest_new(struct node *n, ingest_done_fn *done, ingest_batch_fn *batch,
    void *arg, struct err *e)
{
	struct ingest *g;
	sigset_t all, old;
	int rc;

	if ((g = calloc(1, sizeof(*g))) == NULL) {
		err_set(e, ERR_NOMEM, "the record batch: out of memory");
		return NULL;
	}
	g->n = n;
	g->done = done;
	g->batch = batch;
	g->arg = arg;
	g->tail = &g->head;
	g->pfd[0] = g->pfd[1] = -1;
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
	pthread_mutex_init(&g->ck_mu, NULL);
	pthread_cond_init(&g->ck_cv, NULL);
	if ((g->ev = evtimer_new(n->base, flush_cb, g)) == NULL) {
		err_set(e, ERR_NOMEM, "the record batch's timer");
		goto fail;
	}
	if (pipe2(g->pfd, O_NONBLOCK | O_CLOEXEC) == -1) {
		err_set(e, ERR_INTERNAL, "the record batch: pipe: %s",
		    strerror(errno));
		goto fail;
	}
	if ((g->wake = event_new(n->base, g->pfd[0], EV_READ | EV_PERSIST,
	    wake_cb, g)) == NULL || event_add(g->wake, NULL) == -1) {
		err_set(e, ERR_INTERNAL, "the record batch: cannot add the "
		    "event");
		goto fail;
	}
	/* The worker's own connection (a struct store is one thread's). */
	if (store_open(n->conf.database, 0, &g->ws, e) == -1) {
		err_prefix(e, "the record batch's connection");
		goto fail;
	}
	if (store_open(n->conf.database, 0, &g->cs, e) == -1) {
		err_prefix(e, "the checkpointer's connection");
		goto fail;
	}
	/* Signals are the loop's: the threads take none. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if ((rc = pthread_create(&g->ck_th, NULL, ck_run, g)) == 0) {
		g->ck_started = 1;
		rc = pthread_create(&g->th, NULL, worker_run, g);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		err_set(e, ERR_NOMEM, "the record batch: cannot start its "
		    "threads: %s", strerror(rc));
		goto fail;
	}
	g->started = 1;
	/* The checkpoints of the WAL leave the commits of both writers. */
	store_wal_watch(g->ws, wal_worker, g);
	store_wal_watch(n->store, wal_loop, g);
	return g;
fail:
	ingest_free(g);
	return NULL;
}

void
ingest_free(struct ingest *g)
{
	struct ingest_item *it, *list;
	long stored;

	if (g == NULL)
		return;
	for (it = g->head; it != NULL; it = it->next)
		it->req = NULL;
	if (g->started) {
		/* The batch in the worker, then what is pending, one batch
		 * at a time; nobody is answered. */
		for (;;) {
			if (g->busy && (list = take_back(g, &stored, 1)) !=
			    NULL)
				finish(g, list, stored, 0);
			if (g->head == NULL)
				break;
			ingest_flush(g);
		}
		pthread_mutex_lock(&g->mu);
		g->stop = 1;
		pthread_cond_signal(&g->cv);
		pthread_mutex_unlock(&g->mu);
		pthread_join(g->th, NULL);
		store_wal_watch(g->n->store, NULL, NULL);
	}
	if (g->ck_started) {
		pthread_mutex_lock(&g->ck_mu);
		g->ck_stop = 1;
		pthread_cond_signal(&g->ck_cv);
		pthread_mutex_unlock(&g->ck_mu);
		pthread_join(g->ck_th, NULL);
	}
	store_close(g->cs);
	store_close(g->ws);
	if (g->wake != NULL)
		event_free(g->wake);
	if (g->ev != NULL)
		event_free(g->ev);
	if (g->pfd[0] != -1)
		close(g->pfd[0]);
	if (g->pfd[1] != -1)
		close(g->pfd[1]);
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
	pthread_cond_destroy(&g->ck_cv);
	pthread_mutex_destroy(&g->ck_mu);
	free(g);
}
