/*
 * test_workpool.c - work off the event loop (node/workpool.h): jobs run on
 * the pool's threads and are done on the loop, each once; a pool of 0
 * threads does both at once inside the submit; stopping a pool lets the
 * running job finish and hands every job not done back cancelled, without
 * running the queued ones.
 */
#include "config.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "testmain.h"
#include "workpool.h"

#define JOBS	200

struct tjob {
	struct workpool_job	 j;
	int			 i;
	pthread_t		 ran_on;
	int			 ran, done, cancelled;
	sem_t			*started;	/* posted by run when set */
	sem_t			*go;		/* waited for by run when set */
};

static pthread_t loop_thread;
static int done_count;
static struct event_base *done_base;	/* loopbreak once all are done */
static int done_want;

static void
trun(struct workpool_job *wj)
{
	struct tjob *t = (struct tjob *)wj;

	if (t->started != NULL)
		sem_post(t->started);
	if (t->go != NULL)
		sem_wait(t->go);
	t->ran_on = pthread_self();
	t->ran++;
}

static void
tdone(struct workpool_job *wj)
{
	struct tjob *t = (struct tjob *)wj;

	/* done is the loop's: the thread that called submit and free. */
	CU_ASSERT(pthread_equal(pthread_self(), loop_thread));
	t->done++;
	t->cancelled = wj->cancelled;
	if (++done_count == done_want && done_base != NULL)
		event_base_loopbreak(done_base);
}

static void
test_runs_on_threads(void)
{
	struct event_base *base;
	struct workpool *p;
	struct tjob *t;
	struct timeval tv = { 10, 0 };
	struct err e;
	int i, off_loop = 0;

	loop_thread = pthread_self();
	CU_ASSERT_FATAL((base = event_base_new()) != NULL);
	err_clear(&e);
	CU_ASSERT_FATAL((p = workpool_new(base, 3, "test", &e)) != NULL);
	CU_ASSERT_EQUAL(workpool_threads(p), 3);
	CU_ASSERT_FATAL((t = calloc(JOBS, sizeof(*t))) != NULL);
	done_count = 0;
	done_want = JOBS;
	done_base = base;
	for (i = 0; i < JOBS; i++) {
		t[i].i = i;
		t[i].j.run = trun;
		t[i].j.done = tdone;
		workpool_submit(p, &t[i].j);
	}
	/* Nothing is done before the loop runs. */
	CU_ASSERT_EQUAL(done_count, 0);
	CU_ASSERT(workpool_pending(p) == JOBS);
	/* Bounded: a loop exit after 10 s fails the counts below. */
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
	CU_ASSERT_EQUAL(done_count, JOBS);
	CU_ASSERT(workpool_pending(p) == 0);
	for (i = 0; i < JOBS; i++) {
		CU_ASSERT(t[i].ran == 1 && t[i].done == 1 &&
		    t[i].cancelled == 0);
		off_loop += !pthread_equal(t[i].ran_on, loop_thread);
	}
	CU_ASSERT_EQUAL(off_loop, JOBS);
	done_base = NULL;
	workpool_free(p);
	free(t);
	event_base_free(base);
}

static void
test_zero_threads_inline(void)
{
	struct event_base *base;
	struct workpool *p;
	struct tjob t;
	struct err e;

	loop_thread = pthread_self();
	CU_ASSERT_FATAL((base = event_base_new()) != NULL);
	err_clear(&e);
	CU_ASSERT_FATAL((p = workpool_new(base, 0, "test", &e)) != NULL);
	CU_ASSERT_EQUAL(workpool_threads(p), 0);
	memset(&t, 0, sizeof(t));
	t.j.run = trun;
	t.j.done = tdone;
	done_count = 0;
	done_want = -1;
	workpool_submit(p, &t.j);
	/* Run and done inside the submit, on this thread. */
	CU_ASSERT(t.ran == 1 && t.done == 1 && t.cancelled == 0);
	CU_ASSERT(pthread_equal(t.ran_on, loop_thread));
	CU_ASSERT(workpool_pending(p) == 0);
	workpool_free(p);
	event_base_free(base);
}

static void
test_refuses_thread_counts(void)
{
	struct event_base *base;
	struct err e;

	CU_ASSERT_FATAL((base = event_base_new()) != NULL);
	err_clear(&e);
	CU_ASSERT(workpool_new(base, -1, "the checks", &e) == NULL &&
	    e.code == ERR_INPUT && strstr(e.msg, "the checks") != NULL);
	err_clear(&e);
	CU_ASSERT(workpool_new(base, WORKPOOL_THREADS_MAX + 1, "the checks",
	    &e) == NULL && e.code == ERR_INPUT);
	event_base_free(base);
}

static void *
release_later(void *arg)
{
	struct timespec ts = { 0, 200 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	sem_post(arg);
	return NULL;
}

/* One thread held in its first job; the rest queued; free: the held job
 * finishes, the queued ones never run; all are done, cancelled. */
static void
test_free_cancels(void)
{
	struct event_base *base;
	struct workpool *p;
	struct tjob t[5];
	sem_t started, go;
	struct err e;
	pthread_t th;
	int i;

	loop_thread = pthread_self();
	CU_ASSERT_FATAL((base = event_base_new()) != NULL);
	CU_ASSERT_FATAL(sem_init(&started, 0, 0) == 0 &&
	    sem_init(&go, 0, 0) == 0);
	err_clear(&e);
	CU_ASSERT_FATAL((p = workpool_new(base, 1, "test", &e)) != NULL);
	memset(t, 0, sizeof(t));
	done_count = 0;
	done_want = -1;
	for (i = 0; i < 5; i++) {
		t[i].j.run = trun;
		t[i].j.done = tdone;
	}
	t[0].started = &started;
	t[0].go = &go;
	workpool_submit(p, &t[0].j);
	sem_wait(&started);		/* the thread holds job 0 */
	for (i = 1; i < 5; i++)
		workpool_submit(p, &t[i].j);
	/* Job 0 goes on only once free has asked the thread to stop (free
	 * sets the flag, then waits for the thread): a helper lets it go
	 * 200 ms later. */
	CU_ASSERT_FATAL(pthread_create(&th, NULL, release_later, &go) == 0);
	workpool_free(p);
	pthread_join(th, NULL);
	CU_ASSERT(t[0].ran == 1);
	for (i = 0; i < 5; i++) {
		CU_ASSERT(t[i].done == 1);
		CU_ASSERT(t[i].cancelled == 1);
	}
	/* The queued jobs never ran: the thread stopped after job 0. */
	for (i = 1; i < 5; i++)
		CU_ASSERT(t[i].ran == 0);
	CU_ASSERT_EQUAL(done_count, 5);
	sem_destroy(&started);
	sem_destroy(&go);
	event_base_free(base);
}

static CU_TestInfo tests[] = {
	{ "runs jobs on its threads and does them on the loop, once each", test_runs_on_threads },
	{ "with 0 threads runs and does a job inside the submit", test_zero_threads_inline },
	{ "refuses a thread count outside 0 to 64, naming the pool", test_refuses_thread_counts },
	{ "stops: the running job finishes, every job is handed back cancelled", test_free_cancels },
	CU_TEST_INFO_NULL
};

int
main(void)
{
	CU_SuiteInfo suites[] = {
		{ "workpool", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL
	};

	return test_run_suites(suites);
}
