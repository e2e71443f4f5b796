/*
 * api_admin.c - the admin endpoints (see api_admin.h): import, export,
 * search, statistics and the supervision look-up, for the region's own
 * systems and the lasteri CLI on the admin socket.
 *
 * Search and statistics run on a struct query_data (the briefs of units,
 * procurement definitions and supervision summaries, and the search index)
 * that n->qindex builds in a worker thread (qindex.h): at start and after
 * an import, swapped in when complete.  A record stored by the node is
 * applied to the data in use at once: an issued one by reading its unit's
 * summary again (api_admin_record_stored), a received one by adding its
 * brief to it (api_admin_record_added), without reading.  A search
 * or statistics query that arrives before the first build, or after an
 * import before its rebuild is in, is answered when that build is in (the
 * reply is deferred; the loop never waits), so that every answer comes from
 * a complete data set that reflects every import answered before it.
 * Nothing expires: what depends on time is computed per query.
 *
 * An import runs in a thread of its own, on its own connection to the
 * database, in one transaction (struct admin_import): the loop hands it
 * the body and answers when the thread wakes it through a pipe, as the
 * search data's worker does.  SQLite has one writer, so while the import
 * holds the write lock nothing on the loop may wait for it: the loop's
 * connection fails a write at once (store_busy_timeout 0), and the
 * endpoints that store records answer 503 with Retry-After before doing
 * any work (api_admin_import_refuse): a peer's outbox delivers again later,
 * an issuing system tries again.  A record is therefore never part of an
 * import's transaction, and an import that fails leaves every record
 * stored before or after it in place.  One import at a time: a second one
 * is answered 503 the same way.
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
#include <libxml/tree.h>

#include "api_admin.h"
#include "api_fed.h"
#include "brief.h"
#include "err.h"
#include "httpd.h"
#include "log.h"
#include "node.h"
#include "output.h"
#include "qindex.h"
#include "query.h"
#include "schema.h"
#include "store.h"
#include "store_export.h"
#include "store_import.h"
#include "trust.h"
#include "verifier.h"
#include "vocab.h"
#include "xml.h"

#define PARAM_MAX	1024


/* --- the search data --------------------------------------------------------- */

void
api_admin_invalidate(struct node *n)
{
	if (n->qindex != NULL)
		qindex_rebuild(n->qindex);
}

void
api_admin_record_stored(struct node *n, const struct supervision_record *r)
{
	char lq[LOG_Q_MAX];
	struct err e;

	err_clear(&e);
	if (n->qindex == NULL)
		return;
	if (qindex_record_stored(n->qindex, r->unit_id, &e) == -1) {
		/* The data in use no longer matches the store: rebuild. */
		log_warnx("search_index_apply", "record=%s msg=%s", r->id,
		    log_q(e.msg, lq, sizeof(lq)));
		qindex_rebuild(n->qindex);
	}
}

void
api_admin_record_added(struct node *n, const struct supervision_record *r,
    int64_t seq)
{
	struct record_brief b;
	char lq[LOG_Q_MAX];
	struct err e;

	err_clear(&e);
	if (n->qindex == NULL)
		return;
	brief_record_from(r, &b);
	if (qindex_record_added(n->qindex, &b, seq, &e) == -1) {
		log_warnx("search_index_apply", "record=%s msg=%s", r->id,
		    log_q(e.msg, lq, sizeof(lq)));
		qindex_rebuild(n->qindex);
	}
}

/* --- import ---------------------------------------------------------------- */

struct part {
	const char	*name;		/* points into names */
	const char	*doc;
	size_t		 len;
};

/* Splits a parts body (api_admin.h) into at most max parts: the documents
 * stay in the body.  The names are copied NUL-terminated into *names
 * (caller frees), sized by a first pass that checks every header. */
static int
parts_split(const char *body, size_t len, struct part *p, int max, int *np,
    char **names, struct err *e)
{
	const char *q, *end = body + len, *nl;
	char *w = NULL;
	unsigned long long dl;
	size_t need = 0;
	int n = 0, pass;

	*np = 0;
	*names = NULL;
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1 && (w = *names = malloc(need)) == NULL)
			return err_set(e, ERR_NOMEM, "out of memory");
		for (q = body, n = 0; q < end; n++) {
			if (n == max)
				return err_set(e, ERR_USAGE, "import: more "
				    "than %d documents in one request", max);
			if ((nl = memchr(q, '\n', (size_t)(end - q))) == NULL ||
			    nl - q > 4096)
				return err_set(e, ERR_USAGE, "import: part %d: "
				    "no \"LENGTH NAME\" header line", n + 1);
			dl = 0;
			for (; q < nl && *q >= '0' && *q <= '9'; q++) {
				dl = dl * 10 + (unsigned long long)(*q - '0');
				if (dl > len)
					break;
			}
			if (q >= nl || *q != ' ' ||
			    dl > (unsigned long long)(end - nl - 1))
				return err_set(e, ERR_USAGE, "import: part %d: "
				    "bad header (\"LENGTH NAME\", LENGTH "
				    "within the body)", n + 1);
			q++;
			if (pass == 0)
				need += (size_t)(nl - q) + 1;
			else {
				p[n].name = w;
				for (; q < nl; q++)
					*w++ = (unsigned char)*q < ' ' ? '?' :
					    *q;
				*w++ = '\0';
				p[n].doc = nl + 1;
				p[n].len = (size_t)dl;
			}
			q = nl + 1 + dl;
		}
		if (n == 0)
			return err_set(e, ERR_USAGE, "import: no document in "
			    "the request");
	}
	*np = n;
	return 0;
}

static const char *
plural(long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* One import, from the request to its answer.  The loop fills it and
 * frees it; the worker only reads the input and writes the results before
 * it wakes the loop (the loop joins the thread before reading them). */
struct admin_import {
	struct node		*n;
	api_import_done_fn	*cb;		/* called when done */
	void			*cb_arg;
	unsigned char		*body;		/* the worker frees it early */
	size_t			 len;
	int			 parts;		/* the parts format */
	char			 region[8];
	struct store_import_opts opts;
	struct verifier		*verifier;	/* the import's own */
	int			 stop;		/* atomic: the node stops */
	double			 t0;
	pthread_t		 th;
	int			 started;
	int			 pfd[2];
	struct event		*ev;
	/* The worker's results. */
	struct store_import_stats st;
	int			 np;
	int			 rc;
	struct err		 e;
};

#define IMPORT_RETRY_AFTER	"2"	/* seconds, for a refused writer */

static double
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
import_free(struct admin_import *im)
{
	if (im == NULL)
		return;
	if (im->ev != NULL)
		event_free(im->ev);
	if (im->pfd[0] != -1)
		close(im->pfd[0]);
	if (im->pfd[1] != -1)
		close(im->pfd[1]);
	verifier_free(im->verifier);
	free(im->body);
	free(im);
}

/* The worker: the whole import on its own connection. */
static void *
import_run(void *arg)
{
	struct admin_import *im = arg;
	struct store *s = NULL;
	struct part *parts = NULL;
	char *names = NULL;
	int i, np = 0, in_tx = 0;
	ssize_t w;

	err_clear(&im->e);
	im->rc = -1;
	if ((parts = calloc(ADMIN_IMPORT_PARTS_MAX, sizeof(*parts))) == NULL) {
		err_set(&im->e, ERR_NOMEM, "out of memory");
		goto done;
	}
	if (im->parts) {
		if (parts_split((const char *)im->body, im->len, parts,
		    ADMIN_IMPORT_PARTS_MAX, &np, &names, &im->e) == -1)
			goto done;
	} else {
		parts[0] = (struct part){ "request", (const char *)im->body,
		    im->len };
		np = 1;
	}
	/* Each document is streamed from the body into the one transaction,
	 * an element at a time (store_import_buf): the body is all that is
	 * held, never the parsed documents. */
	if (store_open(im->n->conf.database, 0, &s, &im->e) == -1 ||
	    store_begin(s, &im->e) == -1)
		goto done;
	in_tx = 1;
	for (i = 0; i < np; i++)
		if (store_import_buf(s, parts[i].doc, parts[i].len,
		    parts[i].name, &im->opts, &im->st, &im->e) == -1)
			goto done;
	if (store_commit(s, &im->e) == -1)
		goto done;
	in_tx = 0;
	im->rc = 0;
done:
	if (in_tx)
		store_rollback(s);
	store_close(s);
	free(parts);
	free(names);
	free(im->body);
	im->body = NULL;
	im->np = np;
	do
		w = write(im->pfd[1], "i", 1);
	while (w == -1 && errno == EINTR);
	return NULL;
}

/* The loop: the worker is done; answer. */
static void
import_done(evutil_socket_t fd, short what, void *arg)
{
	struct admin_import *im = arg;
	struct node *n = im->n;
	struct store_import_stats *st = &im->st;
	char buf[16], lq[LOG_Q_MAX];
	double ms;

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	pthread_join(im->th, NULL);
	im->started = 0;
	n->import = NULL;
	store_busy_timeout(n->store, -1);
	ms = mono_ms() - im->t0;
	if (im->rc == -1)
		goto fail;
	log_info("import", "documents=%d units=%ld procurements=%ld "
	    "records=%ld records_known=%ld ms=%.0f", im->np, st->units,
	    st->procurements, st->records, st->records_known, ms);
	/* Rebuilt in the worker; searches from now on wait for it. */
	api_admin_invalidate(n);
	api_records_publish(n);	/* the records gauges, recounted */
	im->cb(im->cb_arg, st, im->np, NULL);
	import_free(im);
	return;
fail:
	log_info("import_refused", "documents=%d ms=%.0f msg=%s", im->np, ms,
	    log_q(im->e.msg, lq, sizeof(lq)));
	im->cb(im->cb_arg, NULL, im->np, &im->e);
	import_free(im);
}

/* h_import's answer. */
static void
import_replied(void *arg, const struct store_import_stats *st, int np,
    const struct err *e)
{
	struct httpd_req *r = arg;
	char known[64], *msg = NULL;

	if (st == NULL) {
		api_reply_err(r, e);
		return;
	}
	known[0] = '\0';
	if (st->records_known > 0)
		snprintf(known, sizeof(known), " (%ld %s already stored)",
		    st->records_known, plural(st->records_known, "record was",
		    "records were"));
	if (asprintf(&msg, "imported %ld %s, %ld %s, %ld %s from %d %s%s\n",
	    st->units, plural(st->units, "unit", "units"),
	    st->procurements, plural(st->procurements,
	    "procurement definition", "procurement definitions"),
	    st->records, plural(st->records,
	    "supervision record", "supervision records"),
	    np, plural(np, "file", "files"), known) == -1)
		msg = NULL;
	if (msg == NULL)
		httpd_reply(r, 200, "text/plain; charset=utf-8",
		    "imported\n", 9);
	else
		httpd_reply(r, 200, "text/plain; charset=utf-8", msg,
		    strlen(msg));
	free(msg);
}

int
api_admin_import_refuse(struct node *n, struct httpd_req *r)
{
	if (n->import == NULL)
		return 0;
	httpd_req_reply_header(r, "Retry-After", IMPORT_RETRY_AFTER);
	httpd_reply_error(r, 503, "busy", "an import is running (for %.0f "
	    "s); the store takes no other writes until it ends: try again",
	    (mono_ms() - n->import->t0) / 1000);
	return 1;
}

int
api_admin_import_start(struct node *n, unsigned char *body, size_t len,
    int parts, const char *region, int allow_foreign, api_import_done_fn *cb,
    void *arg, struct err *e)
{
	struct admin_import *im = NULL;
	const struct trust_member *self;
	sigset_t all, old;
	int rc;

	if (n->import != NULL) {
		free(body);
		return err_set(e, ERR_IO, "an import is running (for %.0f "
		    "s); the store takes no other writes until it ends: try "
		    "again", (mono_ms() - n->import->t0) / 1000);
	}
	if ((im = calloc(1, sizeof(*im))) == NULL) {
		free(body);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	im->n = n;
	im->cb = cb;
	im->cb_arg = arg;
	im->parts = parts;
	im->body = body;
	im->len = len;
	im->pfd[0] = im->pfd[1] = -1;
	im->t0 = mono_ms();
	/* The node's own region, from the trust list, unless the admin says
	 * this node holds other regions' units (a coordinator's).  Copied: a
	 * reload may free the list while the import runs. */
	im->opts.now = time(NULL);
	im->opts.stop = &im->stop;
	self = trust_member_by_id(n->trust, n->conf.member_id);
	if (allow_foreign)
		im->opts.region = NULL;
	else if (self == NULL || self->region[0] == '\0')
		im->opts.region = "";	/* keeps no region: no unit is its own */
	else if (region != NULL && strcmp(region, self->region) != 0) {
		err_set(e, ERR_INPUT, "region %s: this node keeps region %s "
		    "(give --allow-foreign-units to import another region's "
		    "units)", region, self->region);
		goto fail;
	} else {
		snprintf(im->region, sizeof(im->region), "%s", self->region);
		im->opts.region = im->region;
	}
	/* A verifier of the import's own: the loop's caches certificates
	 * and is replaced on reload. */
	if (n->trust != NULL && (im->verifier = verifier_new(n->trust,
	    e)) == NULL)
		goto fail;
	im->opts.verifier = im->verifier;
	if (pipe2(im->pfd, O_NONBLOCK | O_CLOEXEC) == -1) {
		err_set(e, ERR_INTERNAL, "import: pipe: %s", strerror(errno));
		goto fail;
	}
	if ((im->ev = event_new(n->base, im->pfd[0], EV_READ | EV_PERSIST,
	    import_done, im)) == NULL || event_add(im->ev, NULL) == -1) {
		err_set(e, ERR_INTERNAL, "import: cannot add the event");
		goto fail;
	}
	xml_init();
	/* Signals are the loop's: the worker takes none. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&im->th, NULL, import_run, im);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		err_set(e, ERR_NOMEM, "import: cannot start its thread: %s",
		    strerror(rc));
		goto fail;
	}
	im->started = 1;
	n->import = im;
	/* Nothing on the loop waits for the import's write lock. */
	store_busy_timeout(n->store, 0);
	log_info("import_started", "bytes=%zu", im->len);
	return 0;
fail:
	import_free(im);
	return -1;
}

static void
h_import(struct httpd_req *r, const struct httpd_peer *peer, void *arg)
{
	struct node *n = arg;
	const char *ctype;
	char region[8], foreign[8], lq[LOG_Q_MAX];
	unsigned char *body;
	size_t len;
	int k, kf, parts;
	struct err e;

	err_clear(&e);
	if (api_admin_import_refuse(n, r))
		return;
	if ((k = httpd_req_query(r, "region", region, sizeof(region))) == -1 ||
	    (k == 1 && region_find(region) < 0)) {
		err_set(&e, ERR_USAGE, "region: not a region code (01..21, "
		    "90)");
		goto fail;
	}
	if ((kf = httpd_req_query(r, "allow-foreign-units", foreign,
	    sizeof(foreign))) == -1 || (kf == 1 && strcmp(foreign, "1") != 0 &&
	    strcmp(foreign, "0") != 0)) {
		err_set(&e, ERR_USAGE, "allow-foreign-units: 1 or 0");
		goto fail;
	}
	ctype = httpd_req_header(r, "Content-Type");
	if (ctype != NULL && strncmp(ctype, ADMIN_IMPORT_TYPE,
	    strlen(ADMIN_IMPORT_TYPE)) == 0)
		parts = 1;
	else if (ctype == NULL || strstr(ctype, "xml") != NULL)
		parts = 0;
	else {
		err_set(&e, ERR_USAGE, "import: Content-Type %s: send "
		    "application/xml or %s", ctype, ADMIN_IMPORT_TYPE);
		goto fail;
	}
	if ((body = httpd_req_body_take(r, &len)) == NULL) {
		err_set(&e, ERR_NOMEM, "import: out of memory for the body");
		goto fail;
	}
	if (api_admin_import_start(n, body, len, parts, k == 1 ? region : NULL,
	    kf == 1 && strcmp(foreign, "1") == 0, import_replied, r, &e) == -1)
		goto fail;
	/* The answer comes when the work is done, however long it takes. */
	httpd_req_hold(r);
	return;
fail:
	log_info("import_refused", "documents=0 msg=%s",
	    log_q(e.msg, lq, sizeof(lq)));
	api_reply_err(r, &e);
}

void
api_admin_free(struct node *n)
{
	struct admin_import *im = n->import;

	/* The node stops with an import running: it rolls back (its request
	 * is gone with the server). */
	if (im != NULL) {
		__atomic_store_n(&im->stop, 1, __ATOMIC_RELAXED);
		pthread_join(im->th, NULL);
		n->import = NULL;
		import_free(im);
	}
	qindex_free(n->qindex);
	n->qindex = NULL;
}

/* --- export ---------------------------------------------------------------- */

static void
h_export(struct httpd_req *r, const struct httpd_peer *peer, void *arg)
{
	struct node *n = arg;
	char rec[8], *buf = NULL;
	size_t len;
	int k;
	struct err e;

	err_clear(&e);
	if ((k = httpd_req_query(r, "records", rec, sizeof(rec))) == -1 ||
	    (k == 1 && strcmp(rec, "0") != 0 && strcmp(rec, "1") != 0)) {
		httpd_reply_error(r, 400, "bad-request", "records: 0 or 1");
		return;
	}
	if (store_export_dataset(n->store, k == 1 && rec[0] == '1',
	    time(NULL), &buf, &len, &e) == -1) {
		api_reply_err(r, &e);
		return;
	}
	httpd_reply(r, 200, "application/xml; charset=utf-8", buf, len);
	xmlFree(buf);
}

/* --- search and statistics ------------------------------------------------- */

struct params {
	int	(*knows)(const char *);
	int	(*set)(void *q, const char *name, const char *value,
		    struct err *e);
	void	 *q;
	struct err *e;
	const char *list;
};

static int
param_one(void *arg, const char *name, const char *value)
{
	struct params *p = arg;

	if (strcmp(name, "national") == 0)
		return err_set(p->e, ERR_USAGE, "national: this endpoint "
		    "answers for this node's own region; national queries "
		    "(fan-out to every region) are under /admin/v1/national/ "
		    "(lasteri search|stats --national)");
	if (!p->knows(name))
		return err_set(p->e, ERR_USAGE, "%s: unknown parameter (one "
		    "of: %s)", name, p->list);
	return p->set(p->q, name, value, p->e);
}

static int
search_set(void *q, const char *name, const char *value, struct err *e)
{
	return query_search_set(q, name, value, e);
}

static int
stats_set(void *q, const char *name, const char *value, struct err *e)
{
	return query_stats_set(q, name, value, e);
}

static int
params_walk(struct httpd_req *r, struct params *p)
{
	err_clear(p->e);
	if (httpd_req_query_each(r, param_one, p) == -1) {
		if (p->e->code == ERR_OK)
			err_set(p->e, ERR_USAGE, "malformed query string");
		return -1;
	}
	return 0;
}

/* A search or statistics query, kept while it waits for the data. */
struct pending {
	struct httpd_req	*r;
	int			 stats;
	struct query_search	 qs;
	struct query_stats	 qt;
};

static void
answer(struct httpd_req *r, const struct pending *p,
    const struct query_data *d)
{
	struct err e;
	char *out = NULL;
	size_t len;
	int rc;

	err_clear(&e);
	rc = p->stats ? query_stats_run(d, &p->qt, &out, &len, &e) :
	    query_search_run(d, &p->qs, &out, &len, &e);
	if (rc == -1) {
		api_reply_err(r, &e);
		return;
	}
	httpd_reply(r, 200, out_format_mime(p->stats ? p->qt.fmt : p->qs.fmt),
	    out, len);
	free(out);
}

static void
answer_later(void *arg, const struct query_data *d, const struct err *e)
{
	struct pending *p = arg;

	if (d != NULL)
		answer(p->r, p, d);
	else if (e != NULL)
		api_reply_err(p->r, e);
	/* Neither: the node is stopping and its requests are gone. */
	free(p);
}

/* Answers p now when the data is in, else when it is. */
static void
answer_or_wait(struct node *n, struct pending *p)
{
	const struct query_data *d;
	struct pending *keep;
	struct err e;
	int failed;

	err_clear(&e);
	if ((d = qindex_current(n->qindex, &failed, &e)) != NULL) {
		answer(p->r, p, d);
		return;
	}
	if (failed) {
		api_reply_err(p->r, &e);
		return;
	}
	if ((keep = malloc(sizeof(*keep))) == NULL) {
		httpd_reply_error(p->r, 503, "unavailable", "out of memory");
		return;
	}
	*keep = *p;
	if (qindex_wait(n->qindex, answer_later, keep, &e) == -1) {
		free(keep);
		api_reply_err(p->r, &e);
	}
}

static void
h_search(struct httpd_req *r, const struct httpd_peer *peer, void *arg)
{
	struct node *n = arg;
	struct pending p;
	struct err e;
	struct params prm = { query_search_knows, search_set, &p.qs, &e,
	    "age, gender, language, expertise, need, type, level, region, "
	    "prefer-region, purchaser, max-price, free-places, limit, "
	    "format" };

	memset(&p, 0, sizeof(p));
	p.r = r;
	query_search_init(&p.qs, "");
	if (params_walk(r, &prm) == -1) {
		api_reply_err(r, &e);
		return;
	}
	answer_or_wait(n, &p);
}

static void
h_stats(struct httpd_req *r, const struct httpd_peer *peer, void *arg)
{
	struct node *n = arg;
	struct pending p;
	struct err e;
	struct params prm = { query_stats_knows, stats_set, &p.qt, &e,
	    "by, threshold, table, format" };

	memset(&p, 0, sizeof(p));
	p.r = r;
	p.stats = 1;
	query_stats_init(&p.qt, n->conf.suppress_threshold, "");
	if (params_walk(r, &prm) == -1) {
		api_reply_err(r, &e);
		return;
	}
	answer_or_wait(n, &p);
}

/* --- supervision records about a unit -------------------------------------- */

static void
h_supervision(struct httpd_req *r, const struct httpd_peer *peer, void *arg)
{
	struct node *n = arg;
	char unit[PARAM_MAX], f[16], *out = NULL;
	size_t len;
	int k, fmt = OUT_TABLE;
	struct err e;

	err_clear(&e);
	if (httpd_req_query(r, "unit", unit, sizeof(unit)) != 1 ||
	    unit[0] == '\0') {
		httpd_reply_error(r, 400, "bad-request", "unit: the unit ID "
		    "is needed (unit=ID)");
		return;
	}
	if ((k = httpd_req_query(r, "format", f, sizeof(f))) == -1 ||
	    (k == 1 && (fmt = out_format_parse(f)) < 0)) {
		httpd_reply_error(r, 400, "bad-request", "format: unknown "
		    "value (one of: %s)", OUT_FORMAT_TOKENS);
		return;
	}
	if (httpd_req_query(r, "national", f, sizeof(f)) != 0) {
		httpd_reply_error(r, 400, "bad-request", "national: this "
		    "endpoint answers with the records this node holds; a "
		    "national look-up is GET /admin/v1/national/supervision "
		    "(lasteri supervision show --national --unit ID)");
		return;
	}
	if (query_records_run(n->store, unit, (enum out_format)fmt, &out,
	    &len, &e) == -1) {
		api_reply_err(r, &e);
		return;
	}
	httpd_reply(r, 200, out_format_mime((enum out_format)fmt), out, len);
	free(out);
}

/* --- registration ---------------------------------------------------------- */

int
api_admin_register(struct node *n, struct err *e)
{
	static const struct {
		unsigned	 methods;
		const char	*path;
		httpd_handler	*fn;
	} routes[] = {
		{ HTTPD_POST, "/admin/v1/import", h_import },
		{ HTTPD_GET, "/admin/v1/export", h_export },
		{ HTTPD_GET, "/admin/v1/search", h_search },
		{ HTTPD_GET, "/admin/v1/stats", h_stats },
		{ HTTPD_GET, "/admin/v1/supervision", h_supervision },
	};
	size_t i;

	xml_init();
	if (schema_init(e) == -1)
		return err_prefix(e, "schemas in %s", schema_dir());
	/* The first build starts now: a search soon after start waits less. */
	if (n->qindex == NULL && (n->qindex = qindex_new(n->base,
	    n->conf.database, n->store, e)) == NULL)
		return -1;
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (httpd_route(n->httpd, HTTPD_ADMIN, routes[i].methods,
		    routes[i].path, routes[i].fn, n, e) == -1)
			return -1;
	return 0;
}
