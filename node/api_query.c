/*
 * api_query.c - answering national queries (see api_query.h).
 *
 * A search or statistics question runs on the node's search data (qindex);
 * when the first data set after start or after an import is not built yet
 * the answer waits for it as a deferred reply, like the admin search.  A
 * supervision look-up reads the store under the work limit.  The answer is
 * a Response built by federation/envelope.c, signed with the node's signing
 * key, naming the asker, the SHA-256 of the Query's exact bytes and this
 * member.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <libxml/tree.h>
#include <openssl/evp.h>

#include "api_fed.h"
#include "api_query.h"
#include "dsig.h"
#include "envelope.h"
#include "httpd.h"
#include "log.h"
#include "metrics.h"
#include "model.h"
#include "node.h"
#include "nonces.h"
#include "output.h"
#include "qindex.h"
#include "query.h"
#include "search.h"
#include "stats.h"
#include "store.h"
#include "store_query.h"
#include "verifier.h"
#include "vocab.h"
#include "xml.h"

#define QUERIES_PATH	"/admin/v1/queries"
#define QUERIES_MAX	1000	/* rows one listing returns at most */

/* Where an answer goes: the connection of the request that asked, or (r
 * NULL) a buffer, for a query this node asked itself (api_query_local()):
 * the same signed Response either way. */
struct sink {
	struct httpd_req	*r;
	int			 status;	/* HTTP */
	char			*body;		/* NULL: none */
	size_t			 len;
};

/* A question checked and accepted, waiting for its answer. */
struct asked {
	struct node		*n;
	struct sink		 s;
	struct envelope_query	 q;
	char			 asker[ENVELOPE_MEMBER_MAX];
	int64_t			 t0;	/* store_monotonic_ms() at arrival */
	int64_t			 at;	/* Unix ms at arrival */
};

static const char *
kind_name(enum envelope_kind k)
{
	switch (k) {
	case ENVELOPE_SEARCH:
		return "search";
	case ENVELOPE_STATISTICS:
		return "statistics";
	default:
		return "lookup";
	}
}

static void
hex32(const unsigned char d[32], char out[65])
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 0xf];
	}
	out[64] = '\0';
}

static int64_t
unix_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The answered queries' nonces are in the nonce file (nonces.h), written
 * before each answer leaves; the query log is written in batches.  A
 * timer, QLOG_FLUSH_MS after the oldest nonce or row not yet on disk,
 * syncs the nonce file and commits the rows waiting (a commit that waits
 * for the disk).  A second, as Redis's "appendfsync everysec": a power
 * loss costs at most that; a crash or restart of the node costs nothing.
 * The listing flushes first, and so does the node when it stops.
 */
#define QLOG_PENDING_MAX	256
#define QLOG_FLUSH_MS		1000

struct qlog {
	struct node		*n;
	struct event		*ev;
	struct nonces		*ns;
	struct query_log_row	 rows[QLOG_PENDING_MAX];
	size_t			 nrows;
};

static struct qlog *qlog;	/* one node per process */

static void
qlog_arm(struct qlog *q)
{
	struct timeval tv = { QLOG_FLUSH_MS / 1000,
	    (QLOG_FLUSH_MS % 1000) * 1000 };

	if (q->ev != NULL && !evtimer_pending(q->ev, NULL))
		evtimer_add(q->ev, &tv);
}

static void
qlog_flush(struct qlog *q)
{
	struct err e;

	if (q == NULL)
		return;
	err_clear(&e);
	if (nonces_sync(q->ns, &e) == -1)
		log_warnx("query_nonces", "msg=\"%s\"", e.msg);
	if (q->nrows == 0)
		return;
	err_clear(&e);
	if (store_query_log_commit(q->n->store, q->rows, q->nrows, &e) == -1)
		log_warnx("query_log", "rows=%zu msg=\"%s\"", q->nrows, e.msg);
	q->nrows = 0;
}

static void
qlog_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	qlog_flush(arg);
}

static void
logged(struct node *n, const char *asker, const char *kind,
    enum envelope_status st, long results, int64_t at, int64_t t0,
    const unsigned char digest[32])
{
	struct query_log_row *row;
	char labels[96];

	if (qlog->nrows == QLOG_PENDING_MAX)
		qlog_flush(qlog);
	row = &qlog->rows[qlog->nrows++];
	memset(row, 0, sizeof(*row));
	row->at = at;
	snprintf(row->asker, sizeof(row->asker), "%s", asker);
	snprintf(row->kind, sizeof(row->kind), "%s", kind);
	snprintf(row->status, sizeof(row->status), "%s",
	    envelope_status_token(st));
	row->results = results;
	row->ms = (long)(store_monotonic_ms() - t0);
	hex32(digest, row->digest);
	qlog_arm(qlog);
	snprintf(labels, sizeof(labels), "kind=\"%s\",status=\"%s\"", kind,
	    row->status);
	metrics_inc(n->metrics, M_QUERIES_ANSWERED, labels);
	log_info("query_answered", "asker=%s kind=%s status=%s results=%ld "
	    "ms=%ld digest=%s", asker, kind, row->status, results, row->ms,
	    row->digest);
}

static int
status_http(enum envelope_status st)
{
	switch (st) {
	case ENVELOPE_ST_OK:
		return 200;
	case ENVELOPE_ST_FORBIDDEN:
		return 403;
	case ENVELOPE_ST_REPLAYED:
		return 409;
	case ENVELOPE_ST_BUSY:
		return 503;
	case ENVELOPE_ST_ERROR:
		return 500;
	default:
		return 400;
	}
}

/* An answer without a Response: a plain error for a request, the status
 * alone in a buffer. */
static void
sink_error(struct sink *s, int status, const char *token, const char *msg)
{
	if (s->r != NULL)
		httpd_reply_error(s->r, status, token, "%s", msg);
	else
		s->status = status;
}

/* Signs and sends the Response doc (st its status) to asker; frees doc.
 * doc NULL: building it failed with e. */
static void
respond_doc(struct node *n, struct sink *s, const char *asker,
    enum envelope_status st, xmlDocPtr doc, struct err *e)
{
	char msg[ERR_MSG_MAX + 64];
	char *out = NULL;
	size_t len = 0;

	if (doc == NULL || dsig_sign_serialize(n->sign_key, doc,
	    xml_limits_answer.max_bytes, &out, &len, e) == -1) {
		log_warnx("query_response", "asker=%s msg=\"%s\"", asker,
		    e->msg);
		snprintf(msg, sizeof(msg), "the answer could not be built: %s",
		    e->msg);
		sink_error(s, 500, "internal", msg);
	} else if (s->r != NULL)
		httpd_reply(s->r, status_http(st), "application/xml", out,
		    len);
	else {
		s->status = status_http(st);
		s->body = out;
		s->len = len;
		out = NULL;
	}
	free(out);
	xmlFreeDoc(doc);
}

/* Signs and sends a Response without results to asker about the query of
 * digest. */
static void
respond(struct node *n, struct sink *s, const char *asker,
    const unsigned char digest[32], enum envelope_status st,
    const char *reason)
{
	struct err e;

	err_clear(&e);
	respond_doc(n, s, asker, st, envelope_response_new(asker, digest,
	    n->conf.member_id, st, reason, NULL, &e), &e);
}

/* --- results -------------------------------------------------------------- */

static xmlNodePtr
add(xmlNodePtr parent, const char *name, const char *text)
{
	return xmlNewTextChild(parent, NULL, (const xmlChar *)name,
	    (const xmlChar *)text);
}

static xmlNodePtr
add_long(xmlNodePtr parent, const char *name, long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", v);
	return add(parent, name, buf);
}

static void
attr_long(xmlNodePtr n, const char *name, long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", v);
	xmlNewProp(n, (const xmlChar *)name, (const xmlChar *)buf);
}

/* The results element called name, written straight into the Response's
 * Results (envelope_response_ok_new()), in its namespace. */
static xmlNodePtr
results_root(xmlNodePtr in, const char *name)
{
	return xmlNewChild(in, NULL, (const xmlChar *)name, NULL);
}

static int
tok(xmlNodePtr parent, const char *name, const struct vocab *v, int i)
{
	const char *t = vocab_token(v, i);

	return t != NULL && add(parent, name, t) != NULL ? 0 : -1;
}

static xmlNodePtr
placement_results(xmlNodePtr in, const struct search_result *res,
    size_t nres, const struct search_totals *tot)
{
	xmlNodePtr root, x, fp;
	char buf[40];
	size_t i;

	if ((root = results_root(in, "PlacementResults")) == NULL)
		return NULL;
	attr_long(root, "scanned", (long)tot->scanned);
	attr_long(root, "matched", (long)tot->matched);
	for (i = 0; i < nres; i++) {
		const struct search_result *s = &res[i];

		if ((x = add(root, "Result", NULL)) == NULL ||
		    add(x, "Unit", s->unit_id) == NULL ||
		    add(x, "Name", s->name) == NULL ||
		    add(x, "Region", s->region) == NULL ||
		    tok(x, "Type", &vocab_unit_type, s->type) == -1 ||
		    tok(x, "ServiceLevel", &vocab_service_level,
		    s->service_level) == -1 ||
		    (fp = add_long(x, "FreePlaces", s->free_places)) == NULL)
			return NULL;
		if (s->free_updated > 0) {
			model_datetime_format(s->free_updated, buf);
			xmlNewProp(fp, (const xmlChar *)"updated",
			    (const xmlChar *)buf);
		}
		snprintf(buf, sizeof(buf), "%ld.%02ld", s->price_cents / 100,
		    s->price_cents % 100);
		if (s->price_cents < 0 || add(x, "DailyPrice", buf) == NULL ||
		    add_long(x, "Score", s->score) == NULL ||
		    add_long(x, "NeedsMet", s->needs_met) == NULL ||
		    add_long(x, "NeedsAsked", s->needs_asked) == NULL ||
		    add(x, "InFramework", s->in_framework ? "true" :
		    "false") == NULL ||
		    add_long(x, "OpenSerious", s->open_serious) == NULL ||
		    (s->open_serious_severity >= 0 && tok(x,
		    "OpenSeriousSeverity", &vocab_severity,
		    s->open_serious_severity) == -1) ||
		    add_long(x, "RecentFindings", s->recent_findings) == NULL)
			return NULL;
	}
	return root;
}

static const char *
state_token(unsigned char st)
{
	switch (st) {
	case STATS_PRIMARY:
		return "primary";
	case STATS_COMPLEMENT:
		return "complement";
	case STATS_FEW:
		return "few";
	default:
		return NULL;
	}
}

static int
stats_table_xml(xmlNodePtr root, const struct stats_table *t)
{
	xmlNodePtr tab, row, cell;
	size_t i, j;
	const char *st;

	if ((tab = add(root, "Table", NULL)) == NULL)
		return -1;
	xmlNewProp(tab, (const xmlChar *)"name", (const xmlChar *)t->name);
	xmlNewProp(tab, (const xmlChar *)"by",
	    (const xmlChar *)stats_by_name(t->by));
	/* A table that is never suppressed says 1 (nothing is below). */
	attr_long(tab, "threshold", t->threshold > 1 ? t->threshold : 1);
	for (j = 0; j < t->ncols; j++) {
		if ((cell = add(tab, "Column", NULL)) == NULL)
			return -1;
		xmlNewProp(cell, (const xmlChar *)"key",
		    (const xmlChar *)t->col_keys[j]);
	}
	for (i = 0; i < t->nrows; i++) {
		if ((row = add(tab, "Row", NULL)) == NULL)
			return -1;
		xmlNewProp(row, (const xmlChar *)"key",
		    (const xmlChar *)t->row_keys[i]);
		if (t->row_levels != NULL && t->row_levels[i] != NULL &&
		    vocab_find(&vocab_service_level, t->row_levels[i]) >= 0)
			xmlNewProp(row, (const xmlChar *)"level",
			    (const xmlChar *)t->row_levels[i]);
		for (j = 0; j < t->ncols; j++) {
			if ((cell = add(row, "Cell", NULL)) == NULL)
				return -1;
			if ((st = state_token(t->state[i * t->ncols + j])) !=
			    NULL)
				xmlNewProp(cell, (const xmlChar *)"state",
				    (const xmlChar *)st);
			else
				attr_long(cell, "value", t->v[i * t->ncols + j]);
		}
	}
	return 0;
}

static xmlNodePtr
statistics_results(xmlNodePtr in, struct stats_table *const t[3])
{
	xmlNodePtr root;
	int i;

	if ((root = results_root(in, "StatisticsResults")) == NULL)
		return NULL;
	for (i = 0; i < 3; i++)
		if (t[i] != NULL && stats_table_xml(root, t[i]) == -1)
			return NULL;
	return root;
}

/* The signed records this node holds about the unit (or the provider's
 * records), verbatim; a record stored without a signature cannot be checked
 * by the asker and is left out. */
#define LOOKUP_MAX	1000	/* SupervisionResults holds at most this */

static xmlNodePtr
supervision_results(struct node *n, xmlNodePtr in,
    const struct envelope_lookup *lk, int64_t deadline, long *count,
    struct err *e)
{
	char (*ids)[ID_MAX + 1] = NULL;
	xmlNodePtr root, ret = NULL;
	char *xml = NULL, *b64 = NULL;
	size_t nr = 0, i, len;

	*count = 0;
	if ((root = results_root(in, "SupervisionResults")) == NULL ||
	    (ids = calloc(LOOKUP_MAX, sizeof(*ids))) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	if (store_record_ids_by(n->store, lk->unit_id[0] != '\0' ?
	    lk->unit_id : NULL, lk->business_id, ids, LOOKUP_MAX, &nr,
	    e) == -1)
		goto done;
	for (i = 0; i < nr; i++) {
		/* Each statement is short: the work limit is also checked
		 * between records. */
		if (store_monotonic_ms() >= deadline) {
			err_set(e, ERR_TIMEOUT, "the look-up ran past the "
			    "query's work limit after %zu records", i);
			goto done;
		}
		if (store_record_get(n->store, ids[i], &xml, &len, NULL,
		    e) == -1)
			goto done;
		if ((b64 = malloc(4 * (len / 3 + 1) + 1)) == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
			goto done;
		}
		EVP_EncodeBlock((unsigned char *)b64, (unsigned char *)xml,
		    (int)len);
		if (add(root, "SignedRecord", b64) == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
			goto done;
		}
		free(b64);
		free(xml);
		b64 = xml = NULL;
		(*count)++;
	}
	ret = root;
done:
	free(b64);
	free(xml);
	free(ids);
	return ret;
}

/* --- answering ------------------------------------------------------------ */

static void
needs_from(const struct envelope_search *es, struct query_search *q,
    const char **fw)
{
	int i;

	query_search_init(q, "");
	q->age_set = 1;
	q->nd.age = es->age;
	q->nd.gender = es->gender;
	for (i = 0; i < es->nlanguages && i < SEARCH_LANG_MAX; i++)
		memcpy(q->nd.languages[i], es->languages[i], 3);
	q->nd.nlanguages = i;
	q->nd.expertise = es->expertise;
	q->nd.target_groups = es->target_groups;
	q->nd.types = es->types;
	q->nd.levels = es->levels;
	q->nd.regions_required = es->regions_required;
	q->nd.regions_preferred = es->regions_preferred;
	memcpy(q->nd.home_region, es->home_region, 3);
	for (i = 0; i < es->nframeworks && i < ENVELOPE_FRAMEWORK_MAX; i++)
		fw[i] = es->frameworks[i];
	q->nd.frameworks = fw;
	q->nd.nframeworks = i;
	q->nd.max_price_cents = es->max_price_cents;
	q->nd.free_places = es->free_places;
	q->nd.limit = es->limit;
}

/* Answers a search or statistics question from d. */
static void
answer_data(struct asked *a, const struct query_data *d)
{
	const char *fw[ENVELOPE_FRAMEWORK_MAX];
	struct search_result *res = NULL;
	struct search_totals tot;
	struct stats_table *t[3] = { NULL, NULL, NULL };
	struct query_search qs;
	struct query_stats qt;
	enum envelope_status st = ENVELOPE_ST_OK;
	xmlDocPtr rdoc;
	xmlNodePtr in = NULL, results = NULL;
	size_t nres = 0;
	long count = 0;
	struct err e;
	int i;

	err_clear(&e);
	rdoc = envelope_response_ok_new(a->asker, a->q.digest,
	    a->n->conf.member_id, &in, &e);
	if (rdoc != NULL && a->q.kind == ENVELOPE_SEARCH) {
		needs_from(&a->q.search, &qs, fw);
		if (query_search_results(d, &qs, &res, &nres, &tot, &e) == 0)
			results = placement_results(in, res, nres, &tot);
		count = (long)nres;
	} else if (rdoc != NULL) {
		query_stats_init(&qt, a->n->conf.suppress_threshold, "");
		qt.by = (int)a->q.stats.by;
		/* An asker may ask for more suppression, never for less. */
		if (a->q.stats.threshold > qt.threshold)
			qt.threshold = a->q.stats.threshold;
		qt.want_cap = qt.want_sup = qt.want_prices = 1;
		if (query_stats_tables(d, &qt, t, &e) == 0)
			results = statistics_results(in, t);
		for (i = 0; i < 3; i++)
			count += t[i] != NULL;
	}
	if (results == NULL) {
		st = ENVELOPE_ST_ERROR;
		log_warnx("query_failed", "asker=%s kind=%s msg=\"%s\"",
		    a->asker, kind_name(a->q.kind), e.msg[0] ? e.msg :
		    "out of memory");
	}
	/* The work limit of a search held in memory is measured after the
	 * fact: it runs in milliseconds, and nothing here can be cut. */
	if (results != NULL)
		respond_doc(a->n, &a->s, a->asker, st, rdoc, &e);
	else {
		xmlFreeDoc(rdoc);
		respond(a->n, &a->s, a->asker, a->q.digest, st,
		    "the question could not be answered");
	}
	logged(a->n, a->asker, kind_name(a->q.kind), st, count, a->at, a->t0,
	    a->q.digest);
	for (i = 0; i < 3; i++)
		stats_table_free(t[i]);
	free(res);
}

static void
answer_later(void *arg, const struct query_data *d, const struct err *e)
{
	struct asked *a = arg;

	if (d != NULL)
		answer_data(a, d);
	else if (e != NULL) {
		respond(a->n, &a->s, a->asker, a->q.digest, ENVELOPE_ST_ERROR,
		    "the search data could not be built");
		logged(a->n, a->asker, kind_name(a->q.kind), ENVELOPE_ST_ERROR,
		    0, a->at, a->t0, a->q.digest);
	}
	free(a);
}

static void
answer_lookup(struct asked *a)
{
	struct node *n = a->n;
	enum envelope_status st = ENVELOPE_ST_OK;
	const char *reason = NULL;
	xmlDocPtr rdoc;
	xmlNodePtr in = NULL, results = NULL;
	long count = 0;
	struct err e;

	err_clear(&e);
	if ((rdoc = envelope_response_ok_new(a->asker, a->q.digest,
	    n->conf.member_id, &in, &e)) != NULL) {
		store_set_deadline(n->store, a->t0 + n->conf.query_work_limit);
		results = supervision_results(n, in, &a->q.lookup,
		    a->t0 + n->conf.query_work_limit, &count, &e);
		store_set_deadline(n->store, 0);
	}
	if (results == NULL) {
		st = e.code == ERR_TIMEOUT ? ENVELOPE_ST_BUSY :
		    ENVELOPE_ST_ERROR;
		reason = st == ENVELOPE_ST_BUSY ? "the look-up ran past this "
		    "region's work limit" : "the look-up failed";
		log_warnx("query_failed", "asker=%s kind=lookup msg=\"%s\"",
		    a->asker, e.msg);
	}
	if (results != NULL)
		respond_doc(n, &a->s, a->asker, st, rdoc, &e);
	else {
		xmlFreeDoc(rdoc);
		respond(n, &a->s, a->asker, a->q.digest, st, reason);
	}
	logged(n, a->asker, "lookup", st, count, a->at, a->t0, a->q.digest);
}

/*
 * Checks and answers the Query body (len bytes) that peer_member posted
 * (this node itself for api_query_local()) into sink s.  local: a search
 * or statistics question whose data is not built yet is not answered
 * (-1, nothing done: no nonce spent, nothing logged), since the answer
 * could not wait for it; else 0.
 */
static int
query_answer(struct node *n, struct sink *s, const char *peer_member,
    const void *body, size_t len, int local)
{
	struct asked a, *keep;
	struct dsig_info info;
	const struct query_data *d = NULL;
	enum envelope_status st;
	xmlDocPtr doc = NULL;
	char q[LOG_Q_MAX];
	time_t now = time(NULL);
	struct err e;
	int seen, failed = 0, ret = 0;

	err_clear(&e);
	memset(&a, 0, sizeof(a));
	memset(&info, 0, sizeof(info));
	a.n = n;
	a.s = *s;
	a.t0 = store_monotonic_ms();
	a.at = unix_ms();
	if ((doc = xml_parse((const char *)body, len, "query",
	    &xml_limits_wire, &e)) == NULL ||
	    envelope_query_check(n->verifier, doc, body, len,
	    peer_member, now, &a.q, &info, &e) == -1) {
		st = doc == NULL ? ENVELOPE_ST_BAD_REQUEST :
		    (enum envelope_status)a.q.refusal;
		log_warnx("query_refused", "peer=%s signer=%s status=%s "
		    "msg=%s", peer_member, info.member_id[0] ?
		    info.member_id : "-", envelope_status_token(st),
		    log_q(e.msg, q, sizeof(q)));
		if (info.member_id[0] == '\0')
			sink_error(&a.s, status_http(st),
			    envelope_status_token(st), e.msg);
		else {
			respond(n, &a.s, info.member_id, a.q.digest, st, e.msg);
			logged(n, info.member_id, "unknown", st, 0, a.at, a.t0,
			    a.q.digest);
		}
		goto done;
	}
	if (local && a.q.kind != ENVELOPE_LOOKUP &&
	    (d = qindex_current(n->qindex, &failed, &e)) == NULL) {
		ret = -1;
		goto done;
	}
	snprintf(a.asker, sizeof(a.asker), "%s", info.member_id);
	if (nonces_check_add(qlog->ns, a.q.nonce, a.asker, a.q.expires, now,
	    &seen, &e) == 0 && !seen)
		qlog_arm(qlog);
	if (e.code != ERR_OK || seen) {
		st = seen ? ENVELOPE_ST_REPLAYED : ENVELOPE_ST_BUSY;
		log_warnx("query_refused", "peer=%s signer=%s status=%s "
		    "nonce=%s msg=%s", peer_member, a.asker,
		    envelope_status_token(st), a.q.nonce, seen ?
		    "\"nonce seen before\"" : log_q(e.msg, q, sizeof(q)));
		respond(n, &a.s, a.asker, a.q.digest, st, seen ? "this query "
		    "was answered before: its nonce is spent" : "this region "
		    "could not record the query's nonce; try again");
		logged(n, a.asker, kind_name(a.q.kind), st, 0, a.at, a.t0,
		    a.q.digest);
		goto done;
	}
	if (a.q.kind == ENVELOPE_LOOKUP) {
		answer_lookup(&a);
		goto done;
	}
	if (d != NULL || (d = qindex_current(n->qindex, &failed, &e)) !=
	    NULL) {
		answer_data(&a, d);
		goto done;
	}
	if (!failed && (keep = malloc(sizeof(*keep))) != NULL) {
		*keep = a;
		if (qindex_wait(n->qindex, answer_later, keep, &e) == 0)
			goto done;
		free(keep);
	}
	respond(n, &a.s, a.asker, a.q.digest, failed ? ENVELOPE_ST_ERROR :
	    ENVELOPE_ST_BUSY, failed ? "the search data could not be built" :
	    "this region is busy; try again");
	logged(n, a.asker, kind_name(a.q.kind), failed ? ENVELOPE_ST_ERROR :
	    ENVELOPE_ST_BUSY, 0, a.at, a.t0, a.q.digest);
done:
	*s = a.s;
	xmlFreeDoc(doc);
	return ret;
}

static void
h_query(struct httpd_req *r, const struct httpd_peer *peer, void *arg)
{
	struct node *n = arg;
	struct sink s;
	const unsigned char *body;
	size_t len;

	if (api_trust_refuse(n, r))
		return;
	memset(&s, 0, sizeof(s));
	s.r = r;
	body = httpd_req_body(r, &len);
	(void)query_answer(n, &s, peer->member_id, body, len, 0);
}

int
api_query_local(struct node *n, const void *query, size_t qlen,
    int *http_status, char **body, size_t *len)
{
	struct sink s;

	*http_status = 0;
	*body = NULL;
	*len = 0;
	if (qlog == NULL || node_trust_expired(n))
		return -1;
	memset(&s, 0, sizeof(s));
	if (query_answer(n, &s, n->conf.member_id, query, qlen, 1) == -1)
		return -1;
	*http_status = s.status;
	*body = s.body;
	*len = s.len;
	return 0;
}

/* --- the query log on the admin socket ------------------------------------ */

static void
h_queries(struct httpd_req *r, const struct httpd_peer *peer, void *arg)
{
	static const char *const keys[] = { "at", "asker", "kind", "status",
	    "results", "ms", "digest" };
	static const char *const heads[] = { "at", "asker", "kind", "status",
	    "results", "ms", "query digest" };
	struct node *n = arg;
	struct query_log_row *rows = NULL;
	struct out_table *t = NULL;
	const char *cells[7];
	char at[32], res[24], ms[24];
	enum out_format fmt = OUT_TABLE;
	struct err e;
	long limit = 50;
	int nrows = 0, i;

	(void)peer;
	err_clear(&e);
	qlog_flush(qlog);
	if (api_list_params(r, QUERIES_MAX, &limit, &fmt) == -1)
		return;
	if ((rows = calloc((size_t)limit, sizeof(*rows))) == NULL ||
	    (t = out_table_new("queries", 7, keys, heads)) == NULL) {
		httpd_reply_error(r, 503, "unavailable", "out of memory");
		goto done;
	}
	if (store_query_log_list(n->store, (int)limit, rows, &nrows,
	    &e) == -1) {
		httpd_reply_error(r, 500, "internal", "%s", e.msg);
		goto done;
	}
	out_table_title(t, "National queries this node answered, newest first");
	out_table_right(t, 4);
	out_table_right(t, 5);
	for (i = 0; i < nrows; i++) {
		model_datetime_format((time_t)(rows[i].at / 1000), at);
		snprintf(res, sizeof(res), "%ld", rows[i].results);
		snprintf(ms, sizeof(ms), "%ld", rows[i].ms);
		cells[0] = at;
		cells[1] = rows[i].asker;
		cells[2] = rows[i].kind;
		cells[3] = rows[i].status;
		cells[4] = res;
		cells[5] = ms;
		cells[6] = rows[i].digest;
		if (out_table_add(t, cells) == -1) {
			httpd_reply_error(r, 503, "unavailable", "out of "
			    "memory");
			goto done;
		}
	}
	api_reply_tables(r, fmt, "Queries", &t, 1);
done:
	out_table_free(t);
	free(rows);
}

void
api_query_free(struct node *n)
{
	(void)n;
	if (qlog == NULL)
		return;
	qlog_flush(qlog);
	nonces_close(qlog->ns);
	if (qlog->ev != NULL)
		event_free(qlog->ev);
	free(qlog);
	qlog = NULL;
}

/* A nonce of the table they used to be kept in, into the file. */
static int
nonce_move(void *arg, const char *nonce, const char *asker, time_t expires,
    struct err *e)
{
	int seen;

	return nonces_check_add(arg, nonce, asker, expires, time(NULL), &seen,
	    e);
}

/* The nonce file beside the database; the nonces an older lasterid kept
 * in the table move into it (then synced) before any query is answered. */
static int
nonces_start(struct node *n, struct err *e)
{
	char *path = NULL;
	size_t moved = 0;
	time_t now = time(NULL);

	if (asprintf(&path, "%s-nonces", n->conf.database) == -1)
		return err_set(e, ERR_NOMEM, "the nonce file: out of memory");
	qlog->ns = nonces_open(path, now, e);
	free(path);
	if (qlog->ns == NULL)
		return -1;
	if (store_query_nonces_take(n->store, now, nonce_move, qlog->ns,
	    &moved, e) == -1 || nonces_sync(qlog->ns, e) == -1)
		return -1;
	if (moved > 0)
		log_info("query_nonces", "moved=%zu msg=\"the nonces of the "
		    "queries answered before moved from the database to the "
		    "nonce file\"", moved);
	return 0;
}

int
api_query_register(struct node *n, struct err *e)
{
	if (qlog == NULL && (qlog = calloc(1, sizeof(*qlog))) == NULL)
		return err_set(e, ERR_NOMEM, "the query log: out of memory");
	qlog->n = n;
	if (qlog->ev == NULL &&
	    (qlog->ev = evtimer_new(n->base, qlog_timer, qlog)) == NULL)
		return err_set(e, ERR_NOMEM, "the query log's timer: out of "
		    "memory");
	if (qlog->ns == NULL && nonces_start(n, e) == -1)
		return -1;
	metrics_register(n->metrics, M_QUERIES_ANSWERED, METRICS_COUNTER,
	    "National queries this node answered, by kind and status.");
	if (httpd_route(n->httpd, HTTPD_FEDERATION, HTTPD_POST, QUERY_PATH,
	    h_query, n, e) == -1 ||
	    httpd_route(n->httpd, HTTPD_ADMIN, HTTPD_GET, QUERIES_PATH,
	    h_queries, n, e) == -1)
		return -1;
	return 0;
}
