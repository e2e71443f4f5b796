/*
 * outbox.c - durable delivery of supervision records to other nodes.
 *
 * Design.  A record issued here about a unit of another region is stored and
 * queued in one transaction: one outbox row per (record, destination member)
 * in state "pending", due at once.  A one-shot timer on the event loop runs a
 * pass whenever a row may be due: the pass claims due rows (at most
 * OUTBOX_INFLIGHT_MAX deliveries at once) and, in the same transaction, counts
 * the attempt and moves each row's next_attempt past the request's timeout
 * (a lease), so a row in flight is never sent twice by this process.  Each
 * claimed row is POSTed, with the exact stored signed bytes, to
 * /v1/records of the destination's endpoint over mutual TLS pinned to its
 * listed fingerprint.  The answer decides the row's next state:
 *
 *	201 stored, 200 already stored	-> delivered (kept, for the record)
 *	409 a different document	-> conflict (parked, logged, never retried)
 *	other 4xx			-> refused (parked with the reason)
 *	5xx, 408, 429, timeout,
 *	unreachable, TLS error		-> pending again after a backoff
 *
 * The backoff doubles per attempt from outbox_retry_min up to
 * outbox_retry_max, with full jitter over [min, cap] so that many rows
 * waiting for one node that comes back do not all arrive at once.  Nothing
 * is held in memory that the database does not also hold: after a crash or
 * a restart every pending row is made due again at start-up (a lease of the
 * old process is forgotten), and a record that reached the receiver but
 * whose answer was lost is simply sent again; the receiver is idempotent on
 * record Id and digest, so the effect is exactly once.
 *
 * While the trust list in use is past its Expires the outbox claims
 * nothing (rows stay pending, deliveries in flight finish); it resumes when
 * lasterid kicks it after a valid list arrives.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <openssl/rand.h>

#include "log.h"
#include "metrics.h"
#include "node.h"
#include "outbox.h"
#include "peer.h"
#include "store.h"
#include "store_outbox.h"
#include "trust.h"

#define OUTBOX_INFLIGHT_MAX	32
#define OUTBOX_LEASE_EXTRA_MS	5000	/* past the request timeout */
#define OUTBOX_IDLE_CHECK_MS	60000	/* longest timer sleep */
#define OUTBOX_ANSWER_MAX	(64 * 1024)

struct delivery {
	struct outbox	*o;
	char		 record_id[65];
	char		 dest[OUTBOX_DEST_MAX];
	int		 attempts;
	struct delivery	*prev, *next;
};

struct outbox {
	struct node	*n;
	struct event	*timer;
	struct delivery	*inflight;
	int		 ninflight;
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
outbox_backoff_ms(int attempts, long min_ms, long max_ms, uint32_t rnd)
{
	int64_t cap = min_ms;
	int i;

	if (max_ms < min_ms)
		max_ms = min_ms;
	for (i = 1; i < attempts && cap < max_ms; i++)
		cap *= 2;
	if (cap > max_ms)
		cap = max_ms;
	return min_ms + (int64_t)(rnd % (uint64_t)(cap - min_ms + 1));
}

enum outbox_state
outbox_classify(int status, enum err_code code)
{
	if (code != ERR_OK || status == 0)
		return OUTBOX_PENDING;
	if (status == 200 || status == 201)
		return OUTBOX_DELIVERED;
	if (status == 409)
		return OUTBOX_CONFLICT;
	if (status == 408 || status == 429)
		return OUTBOX_PENDING;
	if (status >= 400 && status < 500)
		return OUTBOX_REFUSED;
	return OUTBOX_PENDING;
}

static uint32_t
rnd32(void)
{
	uint32_t r = 0;

	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		r = (uint32_t)now_ms();
	return r;
}

/* The gauges, from the table. */
static void
publish(struct outbox *o)
{
	struct outbox_summary sum;
	struct err e;
	int64_t now = now_ms();

	err_clear(&e);
	if (store_outbox_summary(o->n->store, &sum, &e) == -1) {
		log_warnx("outbox_summary", "msg=\"%s\"", e.msg);
		return;
	}
	metrics_set(o->n->metrics, M_OUTBOX_PENDING, NULL, (double)sum.pending);
	metrics_set(o->n->metrics, M_OUTBOX_OLDEST, NULL,
	    sum.oldest_pending ? (double)(now - sum.oldest_pending) / 1000.0 :
	    0.0);
	store_outbox_summary_clear(&sum);
}

static void
schedule(struct outbox *o, int64_t delay_ms)
{
	struct timeval tv;

	if (delay_ms < 0)
		delay_ms = 0;
	if (delay_ms > OUTBOX_IDLE_CHECK_MS)
		delay_ms = OUTBOX_IDLE_CHECK_MS;
	tv.tv_sec = (time_t)(delay_ms / 1000);
	tv.tv_usec = (suseconds_t)((delay_ms % 1000) * 1000);
	evtimer_add(o->timer, &tv);
}

/* Sets the timer for the earliest pending row. */
static void
reschedule(struct outbox *o)
{
	struct err e;
	int64_t next;

	err_clear(&e);
	if (store_outbox_next_due(o->n->store, &next, &e) == -1) {
		log_warnx("outbox_store", "msg=\"%s\"", e.msg);
		schedule(o, o->n->conf.outbox_retry_min);
		return;
	}
	if (next != 0)
		schedule(o, next - now_ms());
	else
		evtimer_del(o->timer);
}

static void
delivery_unlink(struct outbox *o, struct delivery *d)
{
	if (d->prev != NULL)
		d->prev->next = d->next;
	else
		o->inflight = d->next;
	if (d->next != NULL)
		d->next->prev = d->prev;
	o->ninflight--;
}

/* Writes the next state of a row whose attempt ended. */
static void
settle(struct outbox *o, const char *record_id, const char *dest,
    int attempts, enum outbox_state st, const char *why)
{
	char q[LOG_Q_MAX], labels[64];
	struct err e;
	int64_t now = now_ms(), delay = 0;
	int rc;

	err_clear(&e);
	if (st == OUTBOX_PENDING) {
		delay = outbox_backoff_ms(attempts,
		    o->n->conf.outbox_retry_min,
		    o->n->conf.outbox_retry_max, rnd32());
		rc = store_outbox_retry(o->n->store, record_id, dest,
		    now + delay, why, now, &e);
	} else
		rc = store_outbox_done(o->n->store, record_id, dest, st, why,
		    now, &e);
	if (rc == -1)
		log_warnx("outbox_store", "record=%s dest=%s msg=%s",
		    record_id, dest, log_q(e.msg, q, sizeof(q)));
	snprintf(labels, sizeof(labels), "result=\"%s\"", st == OUTBOX_PENDING ?
	    "retry" : store_outbox_state_name(st));
	metrics_inc(o->n->metrics, M_OUTBOX_DELIVERIES, labels);
	switch (st) {
	case OUTBOX_DELIVERED:
		log_info("outbox_delivered", "record=%s dest=%s attempts=%d "
		    "answer=%s", record_id, dest, attempts,
		    log_q(why, q, sizeof(q)));
		break;
	case OUTBOX_PENDING:
		log_warnx("outbox_retry", "record=%s dest=%s attempts=%d "
		    "retry_in_ms=%" PRId64 " reason=%s", record_id, dest,
		    attempts, delay, log_q(why, q, sizeof(q)));
		break;
	default:
		log_warnx(st == OUTBOX_CONFLICT ? "record_conflict" :
		    "outbox_refused", "record=%s dest=%s attempts=%d "
		    "state=%s reason=%s", record_id, dest, attempts,
		    store_outbox_state_name(st), log_q(why, q, sizeof(q)));
		break;
	}
}

/* "201 stored" or the error's words, for the row's last_error. */
static void
answer_text(const struct peer_result *res, char *buf, size_t len)
{
	const char *b, *end, *gt;
	size_t n;

	if (res->err.code != ERR_OK) {
		snprintf(buf, len, "%s: %.200s", err_code_name(res->err.code),
		    res->err.msg);
		return;
	}
	/* The text of an <Error> or the status attribute of a receipt. */
	b = res->body != NULL ? res->body : "";
	if ((gt = strstr(b, "<Error")) != NULL &&
	    (gt = strchr(gt, '>')) != NULL) {
		end = strstr(gt, "</Error>");
		n = end != NULL ? (size_t)(end - gt - 1) : strlen(gt + 1);
		if (n > 200)
			n = 200;
		snprintf(buf, len, "%d %.*s", res->status, (int)n, gt + 1);
	} else if ((gt = strstr(b, "status=\"")) != NULL) {
		end = strchr(gt + 8, '"');
		n = end != NULL ? (size_t)(end - gt - 8) : 0;
		snprintf(buf, len, "%d %.*s", res->status, (int)n, gt + 8);
	} else
		snprintf(buf, len, "%d", res->status);
}

/* One info line per answer from a peer (or its failure): who, what, how
 * it went, how long it took. */
static void
peer_read_log(const char *member, const char *method, const char *path,
    const struct peer_result *res)
{
	char q[LOG_Q_MAX];

	if (res->err.code != ERR_OK)
		log_info("peer_request", "member=%s method=%s path=%s status=%d "
		    "ms=%ld error=%s msg=%s", member, method, path, res->status,
		    res->ms, err_code_name(res->err.code),
		    log_q(res->err.msg, q, sizeof(q)));
	else
		log_info("peer_request", "member=%s method=%s path=%s status=%d "
		    "ms=%ld", member, method, path, res->status, res->ms);
}

static void
on_answer(void *arg, const struct peer_result *res)
{
	struct delivery *d = arg;
	struct outbox *o = d->o;
	char why[OUTBOX_ERROR_MAX];

	peer_read_log(d->dest, "POST", "/v1/records", res);
	answer_text(res, why, sizeof(why));
	delivery_unlink(o, d);
	settle(o, d->record_id, d->dest, d->attempts,
	    outbox_classify(res->status, res->err.code), why);
	free(d);
	publish(o);
	outbox_kick(o);
}

static void
dispatch(struct outbox *o, const struct outbox_row *row)
{
	const struct trust_member *m;
	struct delivery *d = NULL;
	char *xml = NULL, q[LOG_Q_MAX];
	size_t len;
	struct err e;

	err_clear(&e);
	if ((m = trust_member_by_id(o->n->trust, row->dest)) == NULL) {
		settle(o, row->record_id, row->dest, row->attempts,
		    OUTBOX_PENDING, "the destination is not in the trust list");
		return;
	}
	if (store_record_get(o->n->store, row->record_id, &xml, &len, NULL,
	    &e) == -1) {
		settle(o, row->record_id, row->dest, row->attempts,
		    e.code == ERR_NOTFOUND ? OUTBOX_REFUSED : OUTBOX_PENDING,
		    e.msg);
		return;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		free(xml);
		settle(o, row->record_id, row->dest, row->attempts,
		    OUTBOX_PENDING, "out of memory");
		return;
	}
	d->o = o;
	snprintf(d->record_id, sizeof(d->record_id), "%s", row->record_id);
	snprintf(d->dest, sizeof(d->dest), "%s", row->dest);
	d->attempts = row->attempts;
	if (peer_post_member(o->n->peer, m, "/v1/records",
	    "application/xml", xml, len, o->n->conf.request_timeout,
	    OUTBOX_ANSWER_MAX, on_answer, d, &e) == -1) {
		free(xml);
		free(d);
		log_warnx("outbox_send", "record=%s dest=%s msg=%s",
		    row->record_id, row->dest, log_q(e.msg, q, sizeof(q)));
		settle(o, row->record_id, row->dest, row->attempts,
		    OUTBOX_PENDING, e.msg);
		return;
	}
	free(xml);
	log_debug("outbox_send", "record=%s dest=%s attempt=%d",
	    row->record_id, row->dest, row->attempts);
	d->next = o->inflight;
	if (o->inflight != NULL)
		o->inflight->prev = d;
	o->inflight = d;
	o->ninflight++;
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct outbox *o = arg;
	struct outbox_row rows[OUTBOX_INFLIGHT_MAX];
	char q[LOG_Q_MAX];
	struct err e;
	int64_t now = now_ms();
	int i, n = 0;

	(void)fd; (void)what;
	err_clear(&e);
	if (o->n->stopping)
		return;
	if (node_trust_expired(o->n)) {
		/* No destination can be checked against an expired list.
		 * lasterid kicks the outbox when a valid one arrives; the idle
		 * check is the fallback. */
		log_debug("outbox_paused", "reason=trust-expired");
		schedule(o, OUTBOX_IDLE_CHECK_MS);
		return;
	}
	if (store_outbox_claim(o->n->store, now, now +
	    o->n->conf.request_timeout + OUTBOX_LEASE_EXTRA_MS,
	    OUTBOX_INFLIGHT_MAX - o->ninflight, rows, &n, &e) == -1) {
		log_warnx("outbox_store", "msg=%s", log_q(e.msg, q, sizeof(q)));
		schedule(o, o->n->conf.outbox_retry_min);
		return;
	}
	for (i = 0; i < n; i++)
		dispatch(o, &rows[i]);
	if (n > 0)
		publish(o);
	reschedule(o);
}

void
outbox_kick(struct outbox *o)
{
	if (o != NULL && !o->n->stopping)
		schedule(o, 0);
}

void
outbox_publish(struct outbox *o)
{
	if (o != NULL)
		publish(o);
}

int
outbox_inflight(const struct outbox *o)
{
	return o != NULL ? o->ninflight : 0;
}

struct outbox *
outbox_new(struct node *n, struct err *e)
{
	struct outbox *o;

	metrics_register(n->metrics, M_OUTBOX_OLDEST, METRICS_GAUGE,
	    "Age of the oldest record waiting in the outbox (seconds).");
	metrics_register(n->metrics, M_OUTBOX_DELIVERIES, METRICS_COUNTER,
	    "Delivery attempts of outbox records, by result (delivered, "
	    "conflict, refused, retry).");
	if ((o = calloc(1, sizeof(*o))) == NULL ||
	    (o->timer = evtimer_new(n->base, on_timer, o)) == NULL) {
		free(o);
		err_set(e, ERR_NOMEM, "outbox: out of memory");
		return NULL;
	}
	o->n = n;
	if (store_outbox_wake(n->store, now_ms(), e) == -1) {
		outbox_free(o);
		return NULL;
	}
	publish(o);
	outbox_kick(o);
	return o;
}

void
outbox_free(struct outbox *o)
{
	struct delivery *d;

	if (o == NULL)
		return;
	while ((d = o->inflight) != NULL) {
		delivery_unlink(o, d);
		free(d);
	}
	if (o->timer != NULL)
		event_free(o->timer);
	free(o);
}

/* --- operator actions --------------------------------------------------- */

int
outbox_retry(struct outbox *o, const char *dest, long *n, long *pending,
    struct err *e)
{
	struct outbox_key *skip;
	struct delivery *d;
	int i = 0, rc;

	if ((skip = calloc((size_t)o->ninflight + 1, sizeof(*skip))) == NULL)
		return err_set(e, ERR_NOMEM, "outbox: out of memory");
	for (d = o->inflight; d != NULL; d = d->next, i++) {
		skip[i].record_id = d->record_id;
		skip[i].dest = d->dest;
	}
	rc = store_outbox_hurry(o->n->store, dest, now_ms(), skip, i, n,
	    pending, e);
	free(skip);
	if (rc == 0)
		outbox_kick(o);
	return rc;
}

int
outbox_cancel(struct outbox *o, const char *record_id, const char *who,
    long count[OUTBOX_NSTATES], struct err *e)
{
	struct delivery *d;
	char why[OUTBOX_ERROR_MAX];

	memset(count, 0, OUTBOX_NSTATES * sizeof(count[0]));
	for (d = o->inflight; d != NULL; d = d->next)
		if (strcmp(d->record_id, record_id) == 0)
			return err_set(e, ERR_CONFLICT, "record %s: a delivery "
			    "to %s is under way (attempt %d); try again when "
			    "it ends (within request_timeout)", record_id,
			    d->dest, d->attempts);
	snprintf(why, sizeof(why), "cancelled by %s", who);
	if (store_outbox_cancel(o->n->store, record_id, why, now_ms(), count,
	    e) == -1)
		return -1;
	return 0;
}
