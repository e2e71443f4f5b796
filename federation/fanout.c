/*
 * fanout.c - a national query to many members under one deadline (see
 * fanout.h), on the peer's libcurl multi handle and event base.
 *
 * Each member has a slot, the argument of its request's callback, so that
 * one request can be cancelled (peer_cancel()) when the deadline ends it or
 * the fan-out is freed.  A slot ends exactly once, through member_end(),
 * which counts it and calls progress(); the last one calls done(), after
 * which nothing here touches the fan-out (done() may free it).  Members
 * that fail before a request is made (no TLS certificate in use) end from
 * a zero-time event, so that no callback ever runs inside fanout_start().
 *
 * The asking node's own region (self_member, when a local answerer is
 * given) is not asked over TLS: its slot waits (SLOT_LOCAL) for a timer
 * LOCAL_DELAY_MS after the start, so that the requests to the others are
 * out before the loop spends its time on the local answer, which then
 * goes through judge() like any other.  A local answerer that cannot
 * answer now hands the member back to a TLS request.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <libxml/tree.h>

#include "envelope.h"
#include "fanout.h"
#include "peer.h"
#include "trust.h"
#include "xml.h"

/* libcurl's transfer timeout ends this far before the deadline, so that a
 * slow member is usually ended by libcurl (with its account of what
 * happened) and the deadline timer only sweeps up. */
#define MARGIN_MS_MAX	20L
/* The local answer runs this long after the start: libcurl sends the
 * other requests from a zero-time timer, which goes first. */
#define LOCAL_DELAY_MS	1

enum slot_state {
	SLOT_RUNNING,		/* a request is out */
	SLOT_FAILED,		/* has its status, not yet counted */
	SLOT_LOCAL,		/* waits for the local answer */
	SLOT_ENDED
};

struct slot {
	struct fanout	*f;
	size_t		 i;
	enum slot_state	 state;
};

struct fanout {
	struct peer		*p;
	struct verifier		*v;
	char			 self[ENVELOPE_MEMBER_MAX];
	unsigned char		 digest[32];
	struct fanout_result	*res;
	struct slot		*slots;
	size_t			 n, answered;
	size_t			 counts[FANOUT_ST_COUNT];
	struct event		*deadline, *kick, *local_ev;
	struct timespec		 start;
	long			 deadline_ms;
	struct peer_request	 req;		/* for a local fallback */
	fanout_local_fn		*local;
	void			*local_arg;
	char			*query;		/* local only: a copy */
	size_t			 qlen;
	struct trust_member	*self_m;	/* local only: a copy */
	size_t			 self_i;
	int			 finished;	/* done() was called */
	fanout_progress_fn	*progress;
	fanout_done_fn		*done;
	void			*arg;
};

static const enum err_code status_codes[FANOUT_ST_COUNT] = {
	ERR_OK, ERR_TIMEOUT, ERR_UNREACHABLE, ERR_TLS, ERR_SIGNATURE,
	ERR_INTERNAL
};

const char *
fanout_status_name(int st)
{
	if (st < 0 || st >= FANOUT_ST_COUNT)
		return err_code_name(ERR_INTERNAL);
	return err_code_name(status_codes[st]);
}

enum fanout_status
fanout_status_of(enum err_code code)
{
	switch (code) {
	case ERR_OK:
		return FANOUT_ST_OK;
	case ERR_TIMEOUT:
		return FANOUT_ST_TIMEOUT;
	case ERR_UNREACHABLE:
		return FANOUT_ST_UNREACHABLE;
	case ERR_TLS:
		return FANOUT_ST_TLS_ERROR;
	case ERR_SIGNATURE:
		return FANOUT_ST_BAD_SIGNATURE;
	default:
		return FANOUT_ST_ERROR;
	}
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (long)((t1.tv_sec - t0->tv_sec) * 1000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000000);
}

/* A detail goes into log lines and CSV rows: no control characters, even
 * when a member's refusal reason holds some. */
static void
detail_set(struct fanout_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
detail_set(struct fanout_result *r, const char *fmt, ...)
{
	va_list ap;
	char *c;

	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
	for (c = r->detail; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
}

/* The last thing a caller does: done() may free f. */
static void
finish(struct fanout *f)
{
	f->finished = 1;
	evtimer_del(f->deadline);
	f->done(f->arg, f->res, f->n);
}

/* Counts slot s, which has its status; 1 when that was the last one and
 * done() has run (f may be gone). */
static int
member_end(struct slot *s)
{
	struct fanout *f = s->f;
	struct fanout_result *r = &f->res[s->i];

	s->state = SLOT_ENDED;
	f->answered++;
	f->counts[r->status]++;
	if (f->progress != NULL)
		f->progress(f->arg, r, f->answered, f->n, f->counts);
	if (f->answered < f->n)
		return 0;
	finish(f);
	return 1;
}

/* Members that failed at start; 1 when done() has run. */
static int
end_failed(struct fanout *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->slots[i].state == SLOT_FAILED &&
		    member_end(&f->slots[i]))
			return 1;
	return 0;
}

/* A verified Response that refuses (status not ok): the detail. */
static void
refused(struct fanout_result *r, const struct envelope_response *resp)
{
	const char *tok = envelope_status_token(resp->status);

	detail_set(r, "refused: %s%s%s", tok != NULL ? tok : "?",
	    resp->reason[0] != '\0' ? ": " : "", resp->reason);
}

/* Judge the answer body (r->body) that came with HTTP r->http_status. */
static void
judge(struct fanout *f, struct fanout_result *r)
{
	struct envelope_response resp;
	char name[64];
	xmlDocPtr doc = NULL;
	struct err e;
	int ok2xx = r->http_status >= 200 && r->http_status <= 299;

	err_clear(&e);
	memset(&resp, 0, sizeof(resp));
	snprintf(name, sizeof(name), "answer of %s", r->code[0] != '\0' ?
	    r->code : "member");
	if (r->body == NULL)
		err_set(&e, ERR_INTERNAL, "empty answer");
	else if ((doc = xml_parse(r->body, r->len, name, &xml_limits_answer,
	    &e)) != NULL && envelope_response_check(f->v, doc, r->member,
	    f->digest, f->self, time(NULL), &resp, &e) == 0) {
		if (resp.status != ENVELOPE_ST_OK) {
			r->status = FANOUT_ST_ERROR;
			refused(r, &resp);
		} else if (!ok2xx) {
			r->status = FANOUT_ST_ERROR;
			detail_set(r, "HTTP %d with a Response that says ok",
			    r->http_status);
		} else {
			r->status = FANOUT_ST_OK;
			r->detail[0] = '\0';
			r->doc = doc;
			r->resp = resp;
			return;
		}
		xmlFreeDoc(doc);
		return;
	}
	xmlFreeDoc(doc);
	if (!ok2xx) {
		/* Whatever the body says, unsigned or not for us, the
		 * status is what the member's server said. */
		r->status = FANOUT_ST_ERROR;
		if (r->body == NULL)
			detail_set(r, "HTTP %d", r->http_status);
		else
			detail_set(r, "HTTP %d (not a signed refusal: %s)",
			    r->http_status, e.msg);
		return;
	}
	r->status = fanout_status_of(e.code);
	if (r->status == FANOUT_ST_OK)		/* cannot be: be safe */
		r->status = FANOUT_ST_ERROR;
	detail_set(r, "%s", e.msg);
}

static void
on_answer(void *arg, const struct peer_result *pr)
{
	struct slot *s = arg;
	struct fanout *f = s->f;
	struct fanout_result *r = &f->res[s->i];

	r->ms = ms_since(&f->start);
	r->http_status = pr->status;
	if (pr->err.code != ERR_OK) {
		r->status = fanout_status_of(pr->err.code);
		detail_set(r, "%s", pr->err.msg);
	} else {
		if (pr->len > 0) {
			if ((r->body = malloc(pr->len)) == NULL) {
				r->status = FANOUT_ST_ERROR;
				detail_set(r, "out of memory for the answer");
				member_end(s);
				return;
			}
			memcpy(r->body, pr->body, pr->len);
			r->len = pr->len;
		}
		judge(f, r);
	}
	member_end(s);
}

static void
on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct fanout *f = arg;
	struct fanout_result *r;
	struct slot *s;
	size_t i;

	(void)fd; (void)what;
	if (end_failed(f))
		return;
	/* Mark them all first: a progress line then counts every one. */
	for (i = 0; i < f->n; i++) {
		s = &f->slots[i];
		if (s->state != SLOT_RUNNING && s->state != SLOT_LOCAL)
			continue;
		if (s->state == SLOT_RUNNING)
			peer_cancel(f->p, on_answer, s);
		r = &f->res[i];
		r->status = FANOUT_ST_TIMEOUT;
		r->ms = ms_since(&f->start);
		detail_set(r, "no answer within the deadline of %ld ms",
		    f->deadline_ms);
		s->state = SLOT_FAILED;
	}
	end_failed(f);
}

/* The own region's answer, in-process; else over TLS after all. */
static void
on_local(evutil_socket_t fd, short what, void *arg)
{
	struct fanout *f = arg;
	struct slot *s = &f->slots[f->self_i];
	struct fanout_result *r = &f->res[f->self_i];
	struct err me;
	long left;

	(void)fd; (void)what;
	if (s->state != SLOT_LOCAL)
		return;
	if (f->local(f->local_arg, f->query, f->qlen, &r->http_status,
	    &r->body, &r->len) == 0) {
		r->ms = ms_since(&f->start);
		r->local = 1;
		if (r->body != NULL && r->len == 0) {
			free(r->body);
			r->body = NULL;
		}
		judge(f, r);
		member_end(s);		/* f may be gone */
		return;
	}
	r->http_status = 0;
	s->state = SLOT_RUNNING;
	left = f->deadline_ms - ms_since(&f->start);
	if (f->req.timeout_ms > left)
		f->req.timeout_ms = left > 1 ? left : 1;
	if (f->req.connect_timeout_ms > f->req.timeout_ms)
		f->req.connect_timeout_ms = f->req.timeout_ms;
	err_clear(&me);
	if (peer_start_member(f->p, f->self_m, "/v1/query", &f->req,
	    on_answer, s, &me) == -1) {
		r->status = fanout_status_of(me.code);
		if (r->status == FANOUT_ST_OK)
			r->status = FANOUT_ST_ERROR;
		r->ms = ms_since(&f->start);
		detail_set(r, "%s", me.msg);
		member_end(s);		/* f may be gone */
	}
}

static void
on_kick(evutil_socket_t fd, short what, void *arg)
{
	struct fanout *f = arg;

	(void)fd; (void)what;
	if (end_failed(f))
		return;
	if (f->n == 0 && !f->finished)		/* nobody to ask */
		finish(f);
}

static void
result_clear(struct fanout_result *r)
{
	free(r->body);
	r->body = NULL;
	xmlFreeDoc(r->doc);
	r->doc = NULL;
}

void
fanout_free(struct fanout *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; f->slots != NULL && i < f->n; i++)
		if (f->slots[i].state == SLOT_RUNNING)
			peer_cancel(f->p, on_answer, &f->slots[i]);
	if (f->deadline != NULL)
		event_free(f->deadline);
	if (f->kick != NULL)
		event_free(f->kick);
	if (f->local_ev != NULL)
		event_free(f->local_ev);
	free(f->query);
	free(f->self_m);
	for (i = 0; f->res != NULL && i < f->n; i++)
		result_clear(&f->res[i]);
	free(f->res);
	free(f->slots);
	free(f);
}

struct fanout *
fanout_start(struct peer *p, struct verifier *v, const char *self_member,
    const void *query, size_t qlen, const unsigned char digest[32],
    const struct trust_member *const *members, size_t nmembers,
    long deadline_ms, fanout_progress_fn *progress, fanout_done_fn *done,
    void *arg, fanout_local_fn *local, void *local_arg, struct err *e)
{
	struct peer_request req;
	struct fanout *f = NULL;
	struct fanout_result *r;
	struct event_base *base;
	struct timeval tv;
	struct err me;
	long margin;
	size_t i;
	int failed = 0;

	if (p == NULL || v == NULL || self_member == NULL || query == NULL ||
	    qlen == 0 || digest == NULL || done == NULL ||
	    (members == NULL && nmembers > 0)) {
		err_set(e, ERR_USAGE, "fan-out: missing argument");
		return NULL;
	}
	if (deadline_ms < FANOUT_DEADLINE_MIN ||
	    deadline_ms > FANOUT_DEADLINE_MAX) {
		err_set(e, ERR_USAGE, "fan-out: deadline %ld ms is not "
		    "%ld..%ld", deadline_ms, FANOUT_DEADLINE_MIN,
		    FANOUT_DEADLINE_MAX);
		return NULL;
	}
	if (strlen(self_member) >= sizeof(f->self)) {
		err_set(e, ERR_USAGE, "fan-out: member ID too long");
		return NULL;
	}
	base = peer_base(p);
	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    (f->res = calloc(nmembers + 1, sizeof(*f->res))) == NULL ||
	    (f->slots = calloc(nmembers + 1, sizeof(*f->slots))) == NULL ||
	    (f->deadline = evtimer_new(base, on_deadline, f)) == NULL ||
	    (f->kick = event_new(base, -1, 0, on_kick, f)) == NULL) {
		fanout_free(f);
		err_set(e, ERR_NOMEM, "fan-out: out of memory");
		return NULL;
	}
	f->p = p;
	f->v = v;
	snprintf(f->self, sizeof(f->self), "%s", self_member);
	memcpy(f->digest, digest, 32);
	f->n = nmembers;
	f->deadline_ms = deadline_ms;
	f->progress = progress;
	f->done = done;
	f->arg = arg;
	clock_gettime(CLOCK_MONOTONIC, &f->start);

	margin = deadline_ms / 10 < MARGIN_MS_MAX ? deadline_ms / 10 :
	    MARGIN_MS_MAX;
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.ctype = "application/xml";
	req.body = query;
	req.len = qlen;
	req.timeout_ms = deadline_ms - margin;
	req.connect_timeout_ms = deadline_ms / FANOUT_CONNECT_SHARE;
	req.resp_max = xml_limits_answer.max_bytes;
	for (i = 0; local != NULL && i < nmembers; i++) {
		if (strcmp(members[i]->id, self_member) != 0)
			continue;
		if ((f->query = malloc(qlen)) == NULL ||
		    (f->self_m = malloc(sizeof(*f->self_m))) == NULL ||
		    (f->local_ev = evtimer_new(base, on_local, f)) == NULL) {
			fanout_free(f);
			err_set(e, ERR_NOMEM, "fan-out: out of memory");
			return NULL;
		}
		memcpy(f->query, query, qlen);
		f->qlen = qlen;
		*f->self_m = *members[i];
		f->local = local;
		f->local_arg = local_arg;
		f->self_i = i;
		f->req = req;
		f->req.body = f->query;
		break;
	}
	for (i = 0; i < nmembers; i++) {
		r = &f->res[i];
		snprintf(r->member, sizeof(r->member), "%s", members[i]->id);
		snprintf(r->code, sizeof(r->code), "%s", members[i]->code);
		snprintf(r->region, sizeof(r->region), "%s",
		    members[i]->region);
		f->slots[i].f = f;
		f->slots[i].i = i;
		f->slots[i].state = SLOT_RUNNING;
		if (f->local != NULL && i == f->self_i) {
			f->slots[i].state = SLOT_LOCAL;
			continue;
		}
		err_clear(&me);
		if (peer_start_member(p, members[i], "/v1/query", &req,
		    on_answer, &f->slots[i], &me) == -1) {
			r->status = fanout_status_of(me.code);
			if (r->status == FANOUT_ST_OK)
				r->status = FANOUT_ST_ERROR;
			detail_set(r, "%s", me.msg);
			f->slots[i].state = SLOT_FAILED;
			failed = 1;
		}
	}
	tv.tv_sec = deadline_ms / 1000;
	tv.tv_usec = (deadline_ms % 1000) * 1000;
	if (evtimer_add(f->deadline, &tv) == -1) {
		fanout_free(f);
		err_set(e, ERR_INTERNAL, "fan-out: cannot set the deadline");
		return NULL;
	}
	if (f->local != NULL) {
		tv.tv_sec = 0;
		tv.tv_usec = LOCAL_DELAY_MS * 1000;
		if (evtimer_add(f->local_ev, &tv) == -1) {
			fanout_free(f);
			err_set(e, ERR_INTERNAL, "fan-out: cannot set a timer");
			return NULL;
		}
	}
	if (failed || nmembers == 0)
		event_active(f->kick, 0, 0);
	return f;
}
