/*
 * workpool.c - CPU-bound work off the event loop (see workpool.h).
 *
 * Two lists under one mutex: the queue (loop -> threads) and the finished
 * jobs (threads -> loop).  A thread that finishes a job when the finished
 * list was empty writes one byte to a pipe whose read end is an event on
 * the loop; the loop drains the pipe, then takes the whole list, so a job
 * finished in between is either taken now or wakes the loop again.  Once
 * woken, the loop does every job that finished, without a wake-up each.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "workpool.h"

struct workpool {
	/* the loop's */
	struct event		*wake;
	size_t			 pending;	/* submitted, not yet done */
	int			 nthreads;	/* started */
	pthread_t		 th[WORKPOOL_THREADS_MAX];
	int			 pfd[2];
	/* shared, under mu */
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	struct workpool_job	*queue, **queue_tail;
	struct workpool_job	*fin, **fin_tail;
	int			 stop;
};

static void *
thread_run(void *arg)
{
	struct workpool *p = arg;
	struct workpool_job *j;
	int wake;
	ssize_t w;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->queue == NULL && !p->stop)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->stop)
			break;
		j = p->queue;
		if ((p->queue = j->next) == NULL)
			p->queue_tail = &p->queue;
		pthread_mutex_unlock(&p->mu);
		j->run(j);
		pthread_mutex_lock(&p->mu);
		j->next = NULL;
		wake = p->fin == NULL;
		*p->fin_tail = j;
		p->fin_tail = &j->next;
		/* A full pipe already holds a wake-up. */
		if (wake)
			do
				w = write(p->pfd[1], "j", 1);
			while (w == -1 && errno == EINTR);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Takes the finished jobs (and, when all, the queued ones too). */
static struct workpool_job *
take(struct workpool *p, int all)
{
	struct workpool_job *list;

	pthread_mutex_lock(&p->mu);
	list = p->fin;
	p->fin = NULL;
	p->fin_tail = &p->fin;
	if (all && p->queue != NULL) {
		*p->queue_tail = list;
		list = p->queue;
		p->queue = NULL;
		p->queue_tail = &p->queue;
	}
	pthread_mutex_unlock(&p->mu);
	return list;
}

static void
done_all(struct workpool *p, struct workpool_job *list, int cancelled)
{
	struct workpool_job *j, *next;

	for (j = list; j != NULL; j = next) {
		next = j->next;		/* done may free j */
		j->next = NULL;
		j->cancelled = cancelled;
		p->pending--;
		j->done(j);
	}
}

static void
wake_cb(evutil_socket_t fd, short what, void *arg)
{
	struct workpool *p = arg;
	char buf[64];

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	done_all(p, take(p, 0), 0);
}

struct workpool *
workpool_new(struct event_base *base, int threads, const char *name,
    struct err *e)
{
	struct workpool *p;
	sigset_t all, old;
	int i, rc = 0;

	if (threads < 0 || threads > WORKPOOL_THREADS_MAX) {
		err_set(e, ERR_INPUT, "%s: %d threads (0 to %d)", name,
		    threads, WORKPOOL_THREADS_MAX);
		return NULL;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		err_set(e, ERR_NOMEM, "%s: out of memory", name);
		return NULL;
	}
	p->pfd[0] = p->pfd[1] = -1;
	p->queue_tail = &p->queue;
	p->fin_tail = &p->fin;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if (threads == 0)
		return p;
	if (pipe2(p->pfd, O_NONBLOCK | O_CLOEXEC) == -1) {
		err_set(e, ERR_INTERNAL, "%s: pipe: %s", name,
		    strerror(errno));
		goto fail;
	}
	if ((p->wake = event_new(base, p->pfd[0], EV_READ | EV_PERSIST,
	    wake_cb, p)) == NULL || event_add(p->wake, NULL) == -1) {
		err_set(e, ERR_INTERNAL, "%s: cannot add the event", name);
		goto fail;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (i = 0; i < threads; i++) {
		if ((rc = pthread_create(&p->th[i], NULL, thread_run, p)) != 0)
			break;
		p->nthreads++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		err_set(e, ERR_NOMEM, "%s: cannot start thread %d of %d: %s",
		    name, i + 1, threads, strerror(rc));
		goto fail;
	}
	return p;
fail:
	workpool_free(p);
	return NULL;
}

void
workpool_submit(struct workpool *p, struct workpool_job *j)
{
	j->next = NULL;
	j->cancelled = 0;
	p->pending++;
	if (p->nthreads == 0) {
		j->run(j);
		p->pending--;
		j->done(j);
		return;
	}
	pthread_mutex_lock(&p->mu);
	*p->queue_tail = j;
	p->queue_tail = &j->next;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

size_t
workpool_pending(const struct workpool *p)
{
	return p != NULL ? p->pending : 0;
}

int
workpool_threads(const struct workpool *p)
{
	return p != NULL ? p->nthreads : 0;
}

void
workpool_free(struct workpool *p)
{
	int i;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->nthreads; i++)
		pthread_join(p->th[i], NULL);
	done_all(p, take(p, 1), 1);
	if (p->wake != NULL)
		event_free(p->wake);
	if (p->pfd[0] != -1)
		close(p->pfd[0]);
	if (p->pfd[1] != -1)
		close(p->pfd[1]);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
}
