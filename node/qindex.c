/*
 * qindex.c - the search and statistics data built in a worker thread and
 * swapped in on the event loop (see qindex.h).
 *
 * Design.  Builds are numbered: the loop asks for build N (qindex_rebuild
 * raises "asked"), the worker builds from the newest number it sees, so
 * several requests during one build cost one more build, not several.  A
 * finished set is handed over in one slot under the mutex (a newer one
 * replaces one the loop has not taken yet) and the worker writes a byte to
 * a pipe; the loop's read event takes the set, applies the records stored
 * after its snapshot (query_data_catch_up: their rows are numbered), swaps
 * it in and calls back the waiters.  The worker touches nothing but its own
 * store connection and the slot; the set in use belongs to the loop.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "qindex.h"
#include "query.h"
#include "store.h"

#define QINDEX_WAITERS_MAX	1024

struct waiter {
	qindex_wait_fn	*fn;
	void		*arg;
	struct waiter	*next;
};

struct qindex {
	struct event_base	*base;
	struct store		*s;		/* the loop's */
	char			*dbpath;
	struct event		*ev;
	int			 pfd[2];
	pthread_t		 th;
	int			 started;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	/* Under mu. */
	uint64_t		 asked;		/* the build answers need */
	uint64_t		 taken;		/* the worker's last start */
	int			 stop;
	struct query_data	*done;		/* handed over, not yet taken */
	uint64_t		 done_gen;
	int			 done_failed;
	struct err		 done_err;
	double			 done_ms;
	/* The loop's. */
	struct query_data	*cur;
	uint64_t		 cur_gen;
	uint64_t		 failed_gen;
	struct err		 failed_err;
	struct waiter		*whead, **wtail;
	int			 nwait;
	uint64_t		 builds;
	double			 last_ms;
};

static double
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void *
worker(void *arg)
{
	struct qindex *q = arg;
	struct store *s = NULL;
	struct query_data *d;
	struct err e;
	uint64_t g;
	double t0, ms;
	ssize_t w;
	int rc;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (!q->stop && q->taken == q->asked)
			pthread_cond_wait(&q->cv, &q->mu);
		if (q->stop)
			break;
		g = q->taken = q->asked;
		pthread_mutex_unlock(&q->mu);

		err_clear(&e);
		d = NULL;
		t0 = mono_ms();
		rc = 0;
		if (s == NULL && store_open(q->dbpath, STORE_RDONLY, &s,
		    &e) == -1)
			rc = -1;
		if (rc == 0 && (rc = query_data_load(s, &d, &e)) == 0)
			rc = query_data_index_build(d, &e);
		ms = mono_ms() - t0;
		if (rc == -1) {
			query_data_unref(d);
			d = NULL;
		}

		pthread_mutex_lock(&q->mu);
		query_data_unref(q->done);	/* never seen by the loop */
		q->done = d;
		q->done_gen = g;
		q->done_failed = rc == -1;
		q->done_err = e;
		q->done_ms = ms;
		do
			w = write(q->pfd[1], "b", 1);
		while (w == -1 && errno == EINTR);
		/* EAGAIN: a byte is already waiting; the loop takes the slot. */
	}
	pthread_mutex_unlock(&q->mu);
	store_close(s);
	return NULL;
}

static void
waiters_call(struct qindex *q, const struct query_data *d,
    const struct err *e)
{
	struct waiter *w, *next;

	w = q->whead;
	q->whead = NULL;
	q->wtail = &q->whead;
	q->nwait = 0;
	for (; w != NULL; w = next) {
		next = w->next;
		w->fn(w->arg, d, e);
		free(w);
	}
}

/* The loop: a build is done. */
static void
on_built(evutil_socket_t fd, short what, void *arg)
{
	struct qindex *q = arg;
	struct query_data *d, *old;
	struct err e;
	char buf[64], lq[LOG_Q_MAX];
	uint64_t g, asked;
	double ms;
	int failed;

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&q->mu);
	d = q->done;
	g = q->done_gen;
	failed = q->done_failed;
	e = q->done_err;
	ms = q->done_ms;
	q->done = NULL;
	q->done_failed = 0;
	asked = q->asked;
	pthread_mutex_unlock(&q->mu);

	if (d == NULL && !failed)
		return;
	if (!failed && query_data_catch_up(d, q->s, &e) == -1) {
		query_data_unref(d);
		d = NULL;
		failed = 1;
	}
	if (failed) {
		q->failed_gen = g;
		q->failed_err = e;
		log_warnx("search_index_failed", "build=%llu msg=%s",
		    (unsigned long long)g, log_q(e.msg, lq, sizeof(lq)));
	} else {
		old = q->cur;
		q->cur = d;
		q->cur_gen = g;
		q->builds++;
		q->last_ms = ms;
		query_data_unref(old);
		log_info("search_index_built", "build=%llu units=%zu ms=%.0f",
		    (unsigned long long)g, query_data_units(d), ms);
	}
	if (q->cur != NULL && q->cur_gen >= asked)
		waiters_call(q, q->cur, NULL);
	else if (q->failed_gen >= asked) {
		e = q->failed_err;
		waiters_call(q, NULL, &e);
	}
}

struct qindex *
qindex_new(struct event_base *base, const char *dbpath, struct store *s,
    struct err *e)
{
	struct qindex *q;
	sigset_t all, old;
	int r;

	if ((q = calloc(1, sizeof(*q))) == NULL ||
	    (q->dbpath = strdup(dbpath)) == NULL) {
		free(q);
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	q->base = base;
	q->s = s;
	q->pfd[0] = q->pfd[1] = -1;
	q->wtail = &q->whead;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	if (pipe2(q->pfd, O_NONBLOCK | O_CLOEXEC) == -1) {
		err_set(e, ERR_IO, "search index: pipe: %s", strerror(errno));
		goto fail;
	}
	if ((q->ev = event_new(base, q->pfd[0], EV_READ | EV_PERSIST,
	    on_built, q)) == NULL || event_add(q->ev, NULL) == -1) {
		err_set(e, ERR_INTERNAL, "search index: cannot add the event");
		goto fail;
	}
	q->asked = 1;		/* the first build */
	/* Signals are the loop's: the worker takes none. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&q->th, NULL, worker, q);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		err_set(e, ERR_INTERNAL, "search index: cannot start the "
		    "worker: %s", strerror(r));
		goto fail;
	}
	q->started = 1;
	return q;
fail:
	qindex_free(q);
	return NULL;
}

void
qindex_free(struct qindex *q)
{
	if (q == NULL)
		return;
	if (q->started) {
		pthread_mutex_lock(&q->mu);
		q->stop = 1;
		pthread_cond_signal(&q->cv);
		pthread_mutex_unlock(&q->mu);
		pthread_join(q->th, NULL);
	}
	waiters_call(q, NULL, NULL);
	if (q->ev != NULL)
		event_free(q->ev);
	if (q->pfd[0] != -1)
		close(q->pfd[0]);
	if (q->pfd[1] != -1)
		close(q->pfd[1]);
	query_data_unref(q->done);
	query_data_unref(q->cur);
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	free(q->dbpath);
	free(q);
}

void
qindex_rebuild(struct qindex *q)
{
	pthread_mutex_lock(&q->mu);
	q->asked++;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

int
qindex_record_stored(struct qindex *q, const char *unit_id, struct err *e)
{
	if (q->cur == NULL)
		return 0;	/* the first build will catch up */
	return query_data_apply_unit(q->cur, q->s, unit_id, e);
}

int
qindex_record_added(struct qindex *q, const struct record_brief *b,
    int64_t seq, struct err *e)
{
	if (q->cur == NULL)
		return 0;	/* the first build will catch up */
	return query_data_add_record(q->cur, q->s, b, seq, e);
}

const struct query_data *
qindex_current(struct qindex *q, int *failed, struct err *e)
{
	uint64_t asked;

	*failed = 0;
	pthread_mutex_lock(&q->mu);
	asked = q->asked;
	pthread_mutex_unlock(&q->mu);
	if (q->cur != NULL && q->cur_gen >= asked)
		return q->cur;
	if (q->failed_gen >= asked) {
		*failed = 1;
		*e = q->failed_err;
		qindex_rebuild(q);	/* the next request tries again */
	}
	return NULL;
}

int
qindex_wait(struct qindex *q, qindex_wait_fn *fn, void *arg, struct err *e)
{
	struct waiter *w;

	if (q->nwait >= QINDEX_WAITERS_MAX)
		return err_set(e, ERR_NOMEM, "too many requests are waiting "
		    "for the search index; try again");
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	w->fn = fn;
	w->arg = arg;
	*q->wtail = w;
	q->wtail = &w->next;
	q->nwait++;
	return 0;
}

uint64_t
qindex_builds(const struct qindex *q)
{
	return q->builds;
}

double
qindex_last_build_ms(const struct qindex *q)
{
	return q->last_ms;
}
