/*
 * api_backup.c - POST /admin/v1/backup and /admin/v1/check (see
 * api_backup.h).  The worker gets copies of what it needs (paths, the
 * member ID, a verifier of its own over the trust list in use) and writes
 * only its results; it wakes the loop through a pipe, and the loop joins
 * it before reading them, like the import (api_admin.c).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "api_backup.h"
#include "api_status.h"
#include "dbcheck.h"
#include "httpd.h"
#include "log.h"
#include "node.h"
#include "store.h"
#include "store_backup.h"
#include "verifier.h"
#include "xml.h"

enum job_kind { JOB_BACKUP, JOB_CHECK };

struct job {
	enum job_kind		 kind;
	struct httpd_req	*r;
	char			 db[4096];
	char			 file[4096];	/* the backup's */
	char			 origin[160];
	struct verifier		*v;
	pthread_t		 th;
	int			 pfd[2];
	struct event		*ev;
	struct timespec		 t0;
	/* The worker's results. */
	int			 rc;
	struct err		 e;
	long long		 bytes;
	char			*report;
	int			 ok;
};

static struct job *running;	/* one per process, like the node */

static double
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static void
job_free(struct job *j)
{
	if (j == NULL)
		return;
	if (j->ev != NULL)
		event_free(j->ev);
	if (j->pfd[0] != -1)
		close(j->pfd[0]);
	if (j->pfd[1] != -1)
		close(j->pfd[1]);
	verifier_free(j->v);
	free(j->report);
	free(j);
}

static void *
job_run(void *arg)
{
	struct job *j = arg;
	struct store *s = NULL;
	struct dbcheck c;
	ssize_t w;

	err_clear(&j->e);
	j->rc = -1;
	if (j->kind == JOB_BACKUP)
		j->rc = store_backup(j->db, j->file, &j->bytes, &j->e);
	else if (store_open(j->db, STORE_RDONLY, &s, &j->e) == 0 &&
	    dbcheck_run(s, j->v, j->origin, time(NULL), &c, &j->e) == 0) {
		j->ok = dbcheck_ok(&c);
		if ((j->report = dbcheck_format(&c, j->db)) == NULL)
			err_set(&j->e, ERR_NOMEM, "out of memory");
		else
			j->rc = 0;
	}
	store_close(s);
	do
		w = write(j->pfd[1], "j", 1);
	while (w == -1 && errno == EINTR);
	return NULL;
}

static void
reply_err(struct httpd_req *r, const struct err *e)
{
	int status = e->code == ERR_CONFLICT ? 409 : e->code == ERR_USAGE ?
	    400 : e->code == ERR_IO ? 422 : 500;

	httpd_reply_error(r, status, status == 409 ? "conflict" :
	    status == 400 ? "bad-request" : status == 422 ? "invalid" :
	    "error", "%s", e->msg);
}

static void
job_done(evutil_socket_t fd, short what, void *arg)
{
	struct job *j = arg;
	char buf[16], lq[LOG_Q_MAX], msg[4200];
	double ms;

	while (read(fd, buf, sizeof(buf)) > 0)
		;
	pthread_join(j->th, NULL);
	running = NULL;
	ms = ms_since(&j->t0);
	if (j->rc == -1) {
		log_error(j->kind == JOB_BACKUP ? "backup_failed" :
		    "check_failed", "ms=%.0f msg=%s", ms,
		    log_q(j->e.msg, lq, sizeof(lq)));
		if (j->kind == JOB_CHECK)
			api_status_check_note(time(NULL), "full", "failed");
		reply_err(j->r, &j->e);
	} else if (j->kind == JOB_BACKUP) {
		log_info("backup", "file=%s bytes=%lld ms=%.0f", j->file,
		    j->bytes, ms);
		snprintf(msg, sizeof(msg), "backup %s: %lld bytes, checked, "
		    "in %.1f s\n", j->file, j->bytes, ms / 1000);
		httpd_reply(j->r, 200, "text/plain; charset=utf-8", msg,
		    strlen(msg));
	} else {
		api_status_check_note(time(NULL), "full", j->ok ? "ok" :
		    "problems");
		if (j->ok)
			log_info("check", "result=ok ms=%.0f", ms);
		else
			log_error("check", "result=problems ms=%.0f", ms);
		httpd_reply(j->r, 200, "text/plain; charset=utf-8", j->report,
		    strlen(j->report));
	}
	job_free(j);
}

static void
job_start(struct node *n, struct httpd_req *r, struct job *j)
{
	sigset_t all, old;
	struct err e;
	int rc;

	err_clear(&e);
	j->r = r;
	snprintf(j->db, sizeof(j->db), "%s", n->conf.database);
	snprintf(j->origin, sizeof(j->origin), "%s", n->conf.member_id);
	clock_gettime(CLOCK_MONOTONIC, &j->t0);
	if (j->kind == JOB_CHECK && (j->v = verifier_new(n->trust, &e)) ==
	    NULL)
		goto fail;
	if (pipe2(j->pfd, O_NONBLOCK | O_CLOEXEC) == -1) {
		err_set(&e, ERR_INTERNAL, "pipe: %s", strerror(errno));
		goto fail;
	}
	if ((j->ev = event_new(n->base, j->pfd[0], EV_READ | EV_PERSIST,
	    job_done, j)) == NULL || event_add(j->ev, NULL) == -1) {
		err_set(&e, ERR_INTERNAL, "cannot add the event");
		goto fail;
	}
	xml_init();
	sigfillset(&all);	/* signals are the loop's */
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&j->th, NULL, job_run, j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		err_set(&e, ERR_NOMEM, "cannot start a thread: %s",
		    strerror(rc));
		goto fail;
	}
	running = j;
	httpd_req_hold(r);
	return;
fail:
	reply_err(r, &e);
	job_free(j);
}

static struct job *
job_new(struct httpd_req *r, enum job_kind kind)
{
	struct job *j;

	if (running != NULL) {
		httpd_req_reply_header(r, "Retry-After", "5");
		httpd_reply_error(r, 503, "busy", "a %s is running; try "
		    "again when it is done", running->kind == JOB_BACKUP ?
		    "backup" : "check");
		return NULL;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		httpd_reply_error(r, 503, "unavailable", "out of memory");
		return NULL;
	}
	j->kind = kind;
	j->pfd[0] = j->pfd[1] = -1;
	return j;
}

static void
h_backup(struct httpd_req *r, const struct httpd_peer *peer, void *arg)
{
	struct node *n = arg;
	struct job *j;
	char file[4096];

	if (httpd_req_query(r, "file", file, sizeof(file)) != 1 ||
	    file[0] != '/') {
		httpd_reply_error(r, 400, "bad-request", "file: the absolute "
		    "path of the backup to write (on the node's host, "
		    "writable by the node)");
		return;
	}
	if (strcmp(file, n->conf.database) == 0) {
		httpd_reply_error(r, 409, "conflict", "file: %s is the "
		    "node's database", file);
		return;
	}
	if ((j = job_new(r, JOB_BACKUP)) == NULL)
		return;
	snprintf(j->file, sizeof(j->file), "%s", file);
	job_start(n, r, j);
}

static void
h_check(struct httpd_req *r, const struct httpd_peer *peer, void *arg)
{
	struct job *j;

	if ((j = job_new(r, JOB_CHECK)) == NULL)
		return;
	job_start(arg, r, j);
}

int
api_backup_register(struct node *n, struct err *e)
{
	if (httpd_route(n->httpd, HTTPD_ADMIN, HTTPD_POST, "/admin/v1/backup",
	    h_backup, n, e) == -1 ||
	    httpd_route(n->httpd, HTTPD_ADMIN, HTTPD_POST, "/admin/v1/check",
	    h_check, n, e) == -1)
		return -1;
	return 0;
}

void
api_backup_free(struct node *n)
{
	if (running == NULL)
		return;
	/* The reply goes with the server; only the thread is waited for. */
	pthread_join(running->th, NULL);
	job_free(running);
	running = NULL;
}
