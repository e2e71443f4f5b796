/*
 * witness.c - witnessing the transparency logs of the other members
 * (issue 11 item 4; lasterid(8) "Witnessing").
 *
 * Every witness_interval (the first one interval after start, so that a
 * federation restarted together is not asked before it listens) a round
 * fetches GET /v1/log/checkpoint from every other member with role region
 * in the trust list in use, through the node's peer client (mutual TLS
 * pinned to the member's listed certificate), on the event loop; at most
 * one check per peer runs at a time.  The checkpoint is verified with checkpoint_check() (signed by the
 * member named in Origin, which must be the member asked) and compared
 * with the newest verified checkpoint held for that peer (store_witness.h):
 *
 *	none held			-> kept (trust on first use)
 *	same size, same root		-> nothing to do
 *	larger				-> GET /v1/log/consistency?from=M&to=N,
 *					   merkle_consistency_verify() against
 *					   both roots; kept when it proves
 *	smaller				-> alarm "rollback"
 *	same size, another root		-> alarm "fork"
 *	proof refused, unreadable or
 *	not leading to both roots	-> alarm "bad-proof"
 *	not a valid signed checkpoint
 *	of that member			-> alarm "bad-signature"
 *
 * An alarm is a log line (event=witness_alarm), the counter
 * lasteri_witness_alarms_total{peer,kind} and a row of witness_alarms with
 * the held and the received checkpoint's exact bytes; the held checkpoint
 * stays what it was, so every later checkpoint must still extend it.  A
 * peer that keeps serving the same bad checkpoint raises one alarm, not one
 * per round.  A peer that cannot be reached, answers 5xx, 408 or 429, or
 * has signed no checkpoint yet is only logged: that is an outage, not
 * evidence.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "api_fed.h"
#include "checkpoint.h"
#include "httpd.h"
#include "log.h"
#include "logdoc.h"
#include "metrics.h"
#include "model.h"
#include "node.h"
#include "output.h"
#include "peer.h"
#include "store.h"
#include "store_witness.h"
#include "trust.h"
#include "verifier.h"
#include "witness.h"
#include "xml.h"

#define WITNESS_ANSWER_MAX	(256 * 1024)
#define XML_TYPE		"application/xml; charset=utf-8"

struct check {
	struct witness		*w;
	char			 peer[STORE_WITNESS_ID_MAX];
	char			*got;		/* received checkpoint bytes */
	size_t			 got_len;
	struct checkpoint	 c;		/* ... verified */
	struct store_witnessed	 held;
	int			 has_held;
	struct check		*prev, *next;
};

struct witness {
	struct node	*n;
	struct event	*ev;
	struct check	*running;
	int		 idle_logged;	/* "not witnessing" said once */
};

static void
check_free(struct witness *w, struct check *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		w->running = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	free(c->got);
	store_witnessed_clear(&c->held);
	free(c);
}

/* Raises an alarm about c's peer: log line, counter, kept row. */
static void
alarm_raise(struct check *c, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
alarm_raise(struct check *c, const char *kind, const char *fmt, ...)
{
	struct node *n = c->w->n;
	struct store_witness_alarm a;
	struct checkpoint r;
	xmlDocPtr doc = NULL;
	char q[LOG_Q_MAX], labels[STORE_WITNESS_ID_MAX + 64];
	struct err e;
	va_list ap;
	int added = 0;

	err_clear(&e);
	memset(&a, 0, sizeof(a));
	a.at = time(NULL);
	snprintf(a.peer, sizeof(a.peer), "%s", c->peer);
	snprintf(a.kind, sizeof(a.kind), "%s", kind);
	va_start(ap, fmt);
	vsnprintf(a.detail, sizeof(a.detail), fmt, ap);
	va_end(ap);
	if (c->has_held) {
		a.has_held = 1;
		a.held_size = c->held.size;
		snprintf(a.held_id, sizeof(a.held_id), "%s", c->held.id);
		a.held = c->held.xml;
		a.held_len = c->held.len;
	}
	/* The received one's values as it states them (its signature may be
	 * what failed). */
	snprintf(a.got_id, sizeof(a.got_id), "-");
	memset(&r, 0, sizeof(r));
	if (c->got != NULL && (doc = xml_parse(c->got, c->got_len,
	    "checkpoint", &xml_limits_wire, &e)) != NULL &&
	    checkpoint_read(doc, &r, &e) == 0) {
		a.got_size = r.size;
		snprintf(a.got_id, sizeof(a.got_id), "%s", r.id);
	}
	xmlFreeDoc(doc);
	a.got = c->got;
	a.got_len = c->got_len;
	err_clear(&e);
	if (store_witness_alarm_put(n->store, &a, &added, &e) == -1) {
		log_warnx("witness_store", "peer=%s msg=%s", c->peer,
		    log_q(e.msg, q, sizeof(q)));
		added = 1;	/* still say it and count it */
	}
	if (!added) {
		log_debug("witness_alarm_again", "peer=%s kind=%s", c->peer,
		    kind);
		return;
	}
	log_warnx("witness_alarm", "peer=%s kind=%s held_size=%s%" PRIu64
	    " got_size=%" PRIu64 " got_id=%s detail=%s", c->peer, kind,
	    a.has_held ? "" : "none/", a.held_size, a.got_size, a.got_id,
	    log_q(a.detail, q, sizeof(q)));
	snprintf(labels, sizeof(labels), "peer=\"%s\",kind=\"%s\"", c->peer,
	    kind);
	metrics_inc(n->metrics, M_WITNESS_ALARMS, labels);
}

/* Keeps c's received, verified checkpoint as the one held for its peer. */
static void
keep(struct check *c, const char *how)
{
	struct node *n = c->w->n;
	struct store_witnessed sw;
	char q[LOG_Q_MAX];
	struct err e;

	err_clear(&e);
	memset(&sw, 0, sizeof(sw));
	snprintf(sw.origin, sizeof(sw.origin), "%s", c->peer);
	sw.size = c->c.size;
	memcpy(sw.root, c->c.root, sizeof(sw.root));
	sw.time = c->c.time;
	sw.seen = time(NULL);
	snprintf(sw.id, sizeof(sw.id), "%s", c->c.id);
	sw.xml = c->got;
	sw.len = c->got_len;
	if (store_witnessed_put(n->store, &sw, &e) == -1) {
		log_warnx("witness_store", "peer=%s msg=%s", c->peer,
		    log_q(e.msg, q, sizeof(q)));
		return;
	}
	log_info("witness_kept", "peer=%s size=%" PRIu64 " id=%s how=%s",
	    c->peer, c->c.size, c->c.id, how);
}

/* An answer that is an outage rather than evidence: logged, 1. */
static int
outage(struct check *c, const char *what, const struct peer_result *res)
{
	char q[LOG_Q_MAX];

	if (res->err.code != ERR_OK) {
		log_warnx("witness_unreachable", "peer=%s what=%s error=%s "
		    "msg=%s", c->peer, what, err_code_name(res->err.code),
		    log_q(res->err.msg, q, sizeof(q)));
		return 1;
	}
	if (res->status >= 500 || res->status == 408 || res->status == 429) {
		log_warnx("witness_unreachable", "peer=%s what=%s status=%d",
		    c->peer, what, res->status);
		return 1;
	}
	return 0;
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
on_proof(void *arg, const struct peer_result *res)
{
	struct check *c = arg;
	struct witness *w = c->w;
	unsigned char path[MERKLE_PATH_MAX][MERKLE_HASH_LEN];
	uint64_t from = 0, to = 0;
	size_t np = 0;
	xmlDocPtr doc = NULL;
	struct err e;

	err_clear(&e);
	peer_read_log(c->peer, "GET", "/v1/log/consistency", res);
	if (outage(c, "consistency", res))
		goto done;
	if (res->status != 200) {
		alarm_raise(c, "bad-proof", "checkpoint %s (size %" PRIu64
		    ") does not come with a consistency proof from size %"
		    PRIu64 ": the peer answered %d", c->c.id, c->c.size,
		    c->held.size, res->status);
		goto done;
	}
	if ((doc = xml_parse(res->body, res->len, "consistency proof",
	    &xml_limits_wire, &e)) == NULL ||
	    logproof_consistency_read(doc, &from, &to, path, &np, &e) == -1) {
		alarm_raise(c, "bad-proof", "the consistency proof from size %"
		    PRIu64 " to %" PRIu64 " is unreadable: %s", c->held.size,
		    c->c.size, e.msg);
		goto done;
	}
	if (from != c->held.size || to != c->c.size) {
		alarm_raise(c, "bad-proof", "asked for a consistency proof "
		    "from size %" PRIu64 " to %" PRIu64 ", got one from %"
		    PRIu64 " to %" PRIu64, c->held.size, c->c.size, from, to);
		goto done;
	}
	if (merkle_consistency_verify(from, to, c->held.root, c->c.root,
	    (const unsigned char (*)[MERKLE_HASH_LEN])path, np, &e) == -1) {
		alarm_raise(c, "bad-proof", "checkpoint %s (size %" PRIu64
		    ") is not proven to extend %s (size %" PRIu64 "): %s",
		    c->c.id, c->c.size, c->held.id, c->held.size, e.msg);
		goto done;
	}
	keep(c, "extends");
done:
	xmlFreeDoc(doc);
	check_free(w, c);
}

static void
on_checkpoint(void *arg, const struct peer_result *res)
{
	struct check *c = arg;
	struct witness *w = c->w;
	struct node *n = w->n;
	const struct trust_member *m;
	xmlDocPtr doc = NULL;
	char path[96], q[LOG_Q_MAX];
	struct peer_request req;
	struct err e;
	int found;

	err_clear(&e);
	peer_read_log(c->peer, "GET", "/v1/log/checkpoint", res);
	if (outage(c, "checkpoint", res))
		goto done;
	if (res->status == 404) {
		log_info("witness_none", "peer=%s msg=\"the peer has signed no "
		    "checkpoint yet\"", c->peer);
		goto done;
	}
	if (res->status != 200) {
		log_warnx("witness_refused", "peer=%s status=%d", c->peer,
		    res->status);
		goto done;
	}
	if ((c->got = malloc(res->len + 1)) == NULL)
		goto done;
	memcpy(c->got, res->body, res->len);
	c->got[res->len] = '\0';
	c->got_len = res->len;
	if (store_witnessed_latest(n->store, c->peer, &c->held, &found,
	    &e) == -1) {
		log_warnx("witness_store", "peer=%s msg=%s", c->peer,
		    log_q(e.msg, q, sizeof(q)));
		goto done;
	}
	c->has_held = found;
	if ((doc = xml_parse(c->got, c->got_len, "checkpoint",
	    &xml_limits_wire, &e)) == NULL || n->verifier == NULL ||
	    checkpoint_check(n->verifier, doc, c->peer, time(NULL), &c->c,
	    &e) == -1) {
		alarm_raise(c, "bad-signature", "the checkpoint served is not "
		    "one the member signed for its own log: %s", n->verifier ==
		    NULL ? "no verifier" : e.msg);
		goto done;
	}
	if (!c->has_held) {
		keep(c, "first");
		goto done;
	}
	if (c->c.size < c->held.size) {
		alarm_raise(c, "rollback", "checkpoint %s has size %" PRIu64
		    ", smaller than %" PRIu64 " of %s witnessed before",
		    c->c.id, c->c.size, c->held.size, c->held.id);
		goto done;
	}
	if (c->c.size == c->held.size) {
		if (memcmp(c->c.root, c->held.root, MERKLE_HASH_LEN) != 0) {
			char a[2 * MERKLE_HASH_LEN + 1];
			char b[2 * MERKLE_HASH_LEN + 1];

			logdoc_hex(c->held.root, a);
			logdoc_hex(c->c.root, b);
			alarm_raise(c, "fork", "checkpoint %s and %s witnessed "
			    "before both have size %" PRIu64 " but roots %s "
			    "and %s", c->c.id, c->held.id, c->c.size, b, a);
		}
		goto done;
	}
	if (c->held.size == 0) {	/* the empty tree is in every tree */
		keep(c, "extends-empty");
		goto done;
	}
	if (n->stopping ||
	    (m = trust_member_by_id(n->trust, c->peer)) == NULL)
		goto done;
	snprintf(path, sizeof(path), "/v1/log/consistency?from=%" PRIu64
	    "&to=%" PRIu64, c->held.size, c->c.size);
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.timeout_ms = n->conf.request_timeout;
	req.resp_max = WITNESS_ANSWER_MAX;
	if (peer_start_member(n->peer, m, path, &req, on_proof, c,
	    &e) == -1) {
		log_warnx("witness_unreachable", "peer=%s what=consistency "
		    "msg=%s", c->peer, log_q(e.msg, q, sizeof(q)));
		goto done;
	}
	xmlFreeDoc(doc);
	return;
done:
	xmlFreeDoc(doc);
	check_free(w, c);
}

static int
running(const struct witness *w, const char *peer)
{
	const struct check *c;

	for (c = w->running; c != NULL; c = c->next)
		if (strcmp(c->peer, peer) == 0)
			return 1;
	return 0;
}

/* Whether this node's own member may read other members' logs. */
static int
may_witness(const struct node *n)
{
	const struct trust_member *me;

	me = trust_member_by_id(n->trust, n->conf.member_id);
	return me != NULL && (me->roles & (TRUST_ROLE_AUDITOR |
	    TRUST_ROLE_COORDINATOR | TRUST_ROLE_REGION)) != 0;
}

static void
on_round(evutil_socket_t fd, short what, void *arg)
{
	struct witness *w = arg;
	struct node *n = w->n;
	const struct trust_member *m;
	struct peer_request req;
	struct check *c;
	char q[LOG_Q_MAX];
	struct err e;
	int i, count;

	(void)fd;
	(void)what;
	if (n->stopping || n->import != NULL || node_trust_expired(n))
		return;
	if (!may_witness(n)) {
		if (!w->idle_logged)
			log_info("witness_off", "msg=\"this member has no role "
			    "auditor, coordinator or region: it cannot read "
			    "other logs\"");
		w->idle_logged = 1;
		return;
	}
	w->idle_logged = 0;
	count = trust_member_count(n->trust);
	for (i = 0; i < count; i++) {
		m = trust_member_at(n->trust, i);
		if (m == NULL || !(m->roles & TRUST_ROLE_REGION) ||
		    strcmp(m->id, n->conf.member_id) == 0 ||
		    running(w, m->id))
			continue;
		if ((c = calloc(1, sizeof(*c))) == NULL) {
			log_warnx("witness_check", "msg=\"out of memory\"");
			return;
		}
		c->w = w;
		snprintf(c->peer, sizeof(c->peer), "%s", m->id);
		memset(&req, 0, sizeof(req));
		req.method = "GET";
		req.timeout_ms = n->conf.request_timeout;
		req.resp_max = WITNESS_ANSWER_MAX;
		err_clear(&e);
		if (peer_start_member(n->peer, m, "/v1/log/checkpoint", &req,
		    on_checkpoint, c, &e) == -1) {
			log_warnx("witness_unreachable", "peer=%s "
			    "what=checkpoint msg=%s", m->id,
			    log_q(e.msg, q, sizeof(q)));
			free(c);
			continue;
		}
		c->next = w->running;
		if (w->running != NULL)
			w->running->prev = c;
		w->running = c;
		metrics_inc(n->metrics, M_WITNESS_ROUNDS, NULL);
	}
}

/* --- the endpoints ------------------------------------------------------ */

static void
h_alarms(struct httpd_req *r, const struct httpd_peer *peer, void *arg)
{
	static const char *const keys[] = { "at", "peer", "kind",
	    "held-size", "held-id", "got-size", "got-id", "detail" };
	static const char *const heads[] = { "at", "peer", "kind",
	    "held size", "held checkpoint", "got size", "got checkpoint",
	    "detail" };
	struct node *n = arg;
	struct store_witness_alarm *rows = NULL;
	struct out_table *t = NULL;
	const char *cells[8];
	char at[32], hs[24], gs[24];
	enum out_format fmt = OUT_TABLE;
	struct err e;
	long limit = 100;
	int nrows = 0, i;

	(void)peer;
	err_clear(&e);
	if (api_list_params(r, STORE_WITNESS_ALARMS_MAX, &limit, &fmt) == -1)
		return;
	if ((t = out_table_new("alarms", 8, keys, heads)) == NULL) {
		httpd_reply_error(r, 503, "unavailable", "out of memory");
		goto done;
	}
	if (store_witness_alarms(n->store, (int)limit, &rows, &nrows,
	    &e) == -1) {
		httpd_reply_error(r, 500, "internal", "%s", e.msg);
		goto done;
	}
	out_table_title(t, "Witness alarms about peers' logs, newest first");
	out_table_right(t, 3);
	out_table_right(t, 5);
	for (i = 0; i < nrows; i++) {
		model_datetime_format(rows[i].at, at);
		if (rows[i].has_held)
			snprintf(hs, sizeof(hs), "%" PRIu64, rows[i].held_size);
		else
			snprintf(hs, sizeof(hs), "-");
		snprintf(gs, sizeof(gs), "%" PRIu64, rows[i].got_size);
		cells[0] = at;
		cells[1] = rows[i].peer;
		cells[2] = rows[i].kind;
		cells[3] = hs;
		cells[4] = rows[i].has_held ? rows[i].held_id : "-";
		cells[5] = gs;
		cells[6] = rows[i].got_id;
		cells[7] = rows[i].detail;
		if (out_table_add(t, cells) == -1) {
			httpd_reply_error(r, 503, "unavailable", "out of "
			    "memory");
			goto done;
		}
	}
	if (nrows == 0)
		out_table_note(t, "No alarms.");
	api_reply_tables(r, fmt, "WitnessAlarms", &t, 1);
done:
	out_table_free(t);
	free(rows);
}

static void
h_witnessed(struct httpd_req *r, const struct httpd_peer *peer, void *arg)
{
	struct node *n = arg;
	struct store_witnessed sw;
	char origin[STORE_WITNESS_ID_MAX], q[LOG_Q_MAX];
	struct err e;
	int got, found;

	err_clear(&e);
	if (peer->listener != HTTPD_ADMIN) {
		if (api_trust_refuse(n, r))
			return;
		if (!(peer->roles & (TRUST_ROLE_AUDITOR |
		    TRUST_ROLE_COORDINATOR | TRUST_ROLE_REGION))) {
			log_warnx("log_read_refused", "peer=%s path=%s",
			    peer->member_id, httpd_req_path(r));
			httpd_reply_error(r, 403, "forbidden", "member %s may "
			    "not read the checkpoints this node witnessed: "
			    "they are served to members with role auditor, "
			    "coordinator or region", peer->member_id);
			return;
		}
	}
	if ((got = httpd_req_query(r, "origin", origin, sizeof(origin))) !=
	    1 || origin[0] == '\0') {
		httpd_reply_error(r, 400, "bad-request", "origin: %s",
		    got == -1 ? "too long or malformed" : "missing: give the "
		    "member ID whose log was witnessed");
		return;
	}
	if (store_witnessed_latest(n->store, origin, &sw, &found,
	    &e) == -1) {
		log_warnx("log_read", "what=witnessed msg=%s",
		    log_q(e.msg, q, sizeof(q)));
		httpd_reply_error(r, 500, "internal", "the store failed");
		return;
	}
	if (!found)
		httpd_reply_error(r, 404, "not-found", "this node holds no "
		    "witnessed checkpoint of %.160s", origin);
	else
		httpd_reply(r, 200, XML_TYPE, sw.xml, sw.len);
	store_witnessed_clear(&sw);
}

int
witness_start(struct node *n, struct err *e)
{
	struct witness *w;
	struct timeval tv;

	witness_free(n);
	metrics_register(n->metrics, M_WITNESS_ALARMS, METRICS_COUNTER,
	    "Alarms this node's witness raised about peers' logs since it "
	    "started, by peer and kind (rollback, fork, bad-proof, "
	    "bad-signature).");
	metrics_register(n->metrics, M_WITNESS_ROUNDS, METRICS_COUNTER,
	    "Checkpoint fetches the witness started.");
	if (httpd_route(n->httpd, HTTPD_FEDERATION | HTTPD_ADMIN, HTTPD_GET,
	    "/v1/log/witnessed", h_witnessed, n, e) == -1 ||
	    httpd_route(n->httpd, HTTPD_ADMIN, HTTPD_GET,
	    "/admin/v1/log/alarms", h_alarms, n, e) == -1)
		return -1;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return err_set(e, ERR_NOMEM, "witness: out of memory");
	w->n = n;
	n->witness = w;
	if ((w->ev = event_new(n->base, -1, EV_PERSIST, on_round, w)) == NULL)
		return err_set(e, ERR_NOMEM, "the witness timer");
	tv.tv_sec = n->conf.witness_interval / 1000;
	tv.tv_usec = (n->conf.witness_interval % 1000) * 1000;
	if (event_add(w->ev, &tv) == -1)
		return err_set(e, ERR_INTERNAL, "cannot arm the witness timer");
	return 0;
}

void
witness_free(struct node *n)
{
	struct witness *w;

	if (n == NULL || (w = n->witness) == NULL)
		return;
	while (w->running != NULL)
		check_free(w, w->running);
	if (w->ev != NULL)
		event_free(w->ev);
	free(w);
	n->witness = NULL;
}
