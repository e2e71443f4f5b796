/*
 * api_national.c - national queries asked through the admin socket (see
 * api_national.h).
 *
 * One request: the parameters are read with the same parsers as the
 * region's own search and statistics (query.h), so a national question and
 * a regional one mean the same; a purchaser's frameworks come from this
 * node's procurement data (waiting for the first data set after start when
 * needed); the Query is built and signed once; the fan-out runs on the
 * loop with a verifier of its own (a trust-list reload during the query
 * leaves it alone); when every region has a status the answers are merged
 * and rendered, and the request is answered.  Nothing here blocks the loop.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/tree.h>
#include <openssl/evp.h>

#include "api_national.h"
#include "api_query.h"
#include "dsig.h"
#include "envelope.h"
#include "fanout.h"
#include "httpd.h"
#include "log.h"
#include "merge.h"
#include "metrics.h"
#include "model.h"
#include "node.h"
#include "output.h"
#include "proof.h"
#include "qindex.h"
#include "query.h"
#include "query_out.h"
#include "search.h"
#include "stats.h"
#include "store_query.h"
#include "trust.h"
#include "verifier.h"
#include "vocab.h"
#include "xml.h"
#include "ytunnus.h"

#define NATIONAL_PREFIX	"/admin/v1/national/"
#define NATIONAL_TTL_MIN	60	/* a Query lives at least this, s */

struct national {
	struct node		*n;
	struct httpd_req	*r;
	enum envelope_kind	 kind;
	struct query_search	 qs;
	struct query_stats	 qt;
	char			 unit[ID_MAX + 1];
	char			 provider[10];	/* business ID */
	enum out_format		 fmt;
	long			 deadline;	/* ms */
	int			 progress;	/* stream progress lines */
	int			 started;	/* the streamed reply began */
	uint32_t		 ask;		/* ask=CODE: regions[] bits; 0 all */
	struct envelope_query	 q;
	char			*qbytes;
	size_t			 qlen;
	unsigned char		 digest[32];
	struct verifier		*v;
	struct fanout		*f;
	int64_t			 t0;
	national_done_fn	*cb;		/* national_ask(): no request */
	void			*cb_arg;
	struct national		*later;		/* national_free_later() */
};

/*
 * A finished national query is freed after its reply went out: its 22
 * answers' trees are thousands of small blocks, and freeing them before
 * the reply (which libevent writes on the loop's next turn) held the
 * answer back by about 0.3 ms.  A zero-time timer runs after the
 * socket's write event on that turn (fd events are made active first).
 */
static struct national	*later_head;
static struct event	*later_ev;

static void
national_free(struct national *a)
{
	if (a == NULL)
		return;
	fanout_free(a->f);
	verifier_free(a->v);
	free(a->qbytes);
	free(a);
}

static void
later_run(evutil_socket_t fd, short what, void *arg)
{
	struct national *a;

	(void)fd; (void)what; (void)arg;
	while ((a = later_head) != NULL) {
		later_head = a->later;
		national_free(a);
	}
}

static void
national_free_later(struct national *a)
{
	struct timeval tv = { 0, 0 };

	a->later = later_head;
	later_head = a;
	if (later_ev == NULL || evtimer_add(later_ev, &tv) == -1)
		later_run(-1, 0, NULL);
}

static void
fail(struct national *a, int status, const char *code, const char *msg)
{
	struct err e;

	if (a->cb != NULL) {
		err_set(&e, status == 400 ? ERR_USAGE : ERR_IO, "%s", msg);
		a->cb(a->cb_arg, NULL, &e);
	} else if (a->started) {
		httpd_reply_chunk(a->r, "error %s\n", msg);
		httpd_reply_end(a->r);
	} else
		httpd_reply_error(a->r, status, code, "%s", msg);
	national_free(a);
}

/* --- reading the merged result back into the node's own tables ------------ */

static const char *
child_text(xmlNodePtr parent, const char *name, char *buf, size_t len)
{
	xmlNodePtr c;
	xmlChar *t;

	buf[0] = '\0';
	for (c = xml_first_elem(parent); c != NULL; c = xml_next_elem(c))
		if (xml_is(c, name)) {
			if ((t = xmlNodeGetContent(c)) != NULL) {
				snprintf(buf, len, "%s", (const char *)t);
				xmlFree(t);
			}
			break;
		}
	return buf;
}

static xmlNodePtr
child(xmlNodePtr parent, const char *name)
{
	xmlNodePtr c;

	for (c = xml_first_elem(parent); c != NULL; c = xml_next_elem(c))
		if (xml_is(c, name))
			return c;
	return NULL;
}

static long
attr_long(xmlNodePtr n, const char *name, long def)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	long r = def;

	if (v != NULL) {
		r = strtol((const char *)v, NULL, 10);
		xmlFree(v);
	}
	return r;
}

static long
cents_of(const char *s)
{
	long eur = 0, c = 0;
	const char *dot;

	eur = strtol(s, NULL, 10);
	if ((dot = strchr(s, '.')) != NULL) {
		c = (dot[1] >= '0' && dot[1] <= '9' ? (dot[1] - '0') * 10 : 0) +
		    (dot[1] && dot[2] >= '0' && dot[2] <= '9' ? dot[2] - '0' :
		    0);
	}
	return eur * 100 + c;
}

static int
read_result(xmlNodePtr x, struct search_result *s)
{
	char buf[ID_MAX + NAME_MAX_ + 2];
	xmlNodePtr fp;
	xmlChar *u;

	memset(s, 0, sizeof(*s));
	snprintf(s->unit_id, sizeof(s->unit_id), "%s",
	    child_text(x, "Unit", buf, sizeof(buf)));
	snprintf(s->name, sizeof(s->name), "%s",
	    child_text(x, "Name", buf, sizeof(buf)));
	snprintf(s->region, sizeof(s->region), "%s",
	    child_text(x, "Region", buf, sizeof(buf)));
	s->type = vocab_find(&vocab_unit_type, child_text(x, "Type", buf,
	    sizeof(buf)));
	s->service_level = vocab_find(&vocab_service_level, child_text(x,
	    "ServiceLevel", buf, sizeof(buf)));
	s->free_places = (int)strtol(child_text(x, "FreePlaces", buf,
	    sizeof(buf)), NULL, 10);
	if ((fp = child(x, "FreePlaces")) != NULL &&
	    (u = xmlGetProp(fp, (const xmlChar *)"updated")) != NULL) {
		model_datetime_parse((const char *)u, &s->free_updated);
		xmlFree(u);
	}
	s->price_cents = cents_of(child_text(x, "DailyPrice", buf,
	    sizeof(buf)));
	s->score = strtol(child_text(x, "Score", buf, sizeof(buf)), NULL, 10);
	s->needs_met = (int)strtol(child_text(x, "NeedsMet", buf,
	    sizeof(buf)), NULL, 10);
	s->needs_asked = (int)strtol(child_text(x, "NeedsAsked", buf,
	    sizeof(buf)), NULL, 10);
	s->in_framework = strcmp(child_text(x, "InFramework", buf,
	    sizeof(buf)), "true") == 0;
	s->open_serious = (int)strtol(child_text(x, "OpenSerious", buf,
	    sizeof(buf)), NULL, 10);
	s->open_serious_severity = child(x, "OpenSeriousSeverity") == NULL ?
	    -1 : vocab_find(&vocab_severity, child_text(x,
	    "OpenSeriousSeverity", buf, sizeof(buf)));
	s->recent_findings = (int)strtol(child_text(x, "RecentFindings", buf,
	    sizeof(buf)), NULL, 10);
	return s->type >= 0 && s->service_level >= 0 ? 0 : -1;
}

int
national_search_results(xmlNodePtr merged, struct search_result **out,
    size_t *nout, struct search_totals *tot)
{
	struct search_result *res;
	xmlNodePtr x;
	size_t n = 0, cap = 0;

	memset(tot, 0, sizeof(*tot));
	tot->scanned = (size_t)attr_long(merged, "scanned", 0);
	tot->matched = (size_t)attr_long(merged, "matched", 0);
	for (x = xml_first_elem(merged); x != NULL; x = xml_next_elem(x))
		cap++;
	if ((res = calloc(cap + 1, sizeof(*res))) == NULL)
		return -1;
	for (x = xml_first_elem(merged); x != NULL; x = xml_next_elem(x))
		if (xml_is(x, "Result") && read_result(x, &res[n]) == 0)
			n++;
	*out = res;
	*nout = n;
	return 0;
}

static struct out_table *
search_table(xmlNodePtr merged)
{
	struct search_result *res;
	struct search_totals tot;
	struct out_table *t;
	size_t n;

	if (national_search_results(merged, &res, &n, &tot) == -1)
		return NULL;
	t = query_out_search(res, n, &tot);
	free(res);
	return t;
}

/* The heads, label and cents of a statistics table of this name and
 * grouping, from the node's own (empty) table of the same kind. */
static struct stats_table *
stats_template(const char *name, enum stats_by by)
{
	struct stats_table *t = NULL;
	struct err e;

	err_clear(&e);
	if (strcmp(name, "capacity") == 0)
		stats_capacity_b(NULL, 0, by, &t, &e);
	else if (strcmp(name, "prices") == 0)
		stats_prices_b(NULL, 0, by, &t, &e);
	else
		stats_supervision_sups(NULL, 0, NULL, 0, by, 2, 0, &t, &e);
	return t;
}

static const char *
row_label(const struct stats_table *tpl, const char *key)
{
	size_t i;

	for (i = 0; tpl != NULL && i < tpl->nrows; i++)
		if (strcmp(tpl->row_keys[i], key) == 0)
			return tpl->row_labels[i];
	return key;
}

static struct out_table *stats_out_table(xmlNodePtr tab);

size_t
national_stats_tables(xmlNodePtr merged, struct out_table **t, size_t max)
{
	xmlNodePtr x;
	size_t n = 0;

	for (x = xml_first_elem(merged); x != NULL && n < max;
	    x = xml_next_elem(x))
		if (xml_is(x, "Table") && (t[n] = stats_out_table(x)) != NULL)
			n++;
	return n;
}

static struct out_table *
stats_out_table(xmlNodePtr tab)
{
	const char *keys[3 + 16], *heads[3 + 16], *cells[3 + 16];
	char buf[16][32], key[64], level[32], title[160], note[256];
	struct stats_table *tpl = NULL;
	struct out_table *t = NULL;
	xmlNodePtr c, row, cell;
	xmlChar *v;
	size_t nc = 0, j, k, first;
	long thr, val;
	int by, prices, sensitive, cents;

	if ((v = xmlGetProp(tab, (const xmlChar *)"by")) == NULL)
		return NULL;
	by = stats_by_parse((const char *)v);
	xmlFree(v);
	if (by < 0 || (v = xmlGetProp(tab, (const xmlChar *)"name")) == NULL)
		return NULL;
	snprintf(title, sizeof(title), "%s", (const char *)v);
	xmlFree(v);
	thr = attr_long(tab, "threshold", 1);
	prices = strcmp(title, "prices") == 0;
	sensitive = !prices && strcmp(title, "capacity") != 0;
	tpl = stats_template(title, (enum stats_by)by);
	keys[0] = "group";
	heads[0] = stats_by_name((enum stats_by)by);
	keys[1] = "label";
	heads[1] = by == STATS_BY_REGION ? "name" : "label";
	first = 2;
	if (prices) {
		keys[2] = "level";
		heads[2] = "level";
		first = 3;
	}
	for (c = xml_first_elem(tab); c != NULL && nc < 16;
	    c = xml_next_elem(c)) {
		if (!xml_is(c, "Column"))
			continue;
		if ((v = xmlGetProp(c, (const xmlChar *)"key")) == NULL)
			goto done;
		keys[first + nc] = heads[first + nc] = NULL;
		for (k = 0; tpl != NULL && k < tpl->ncols; k++)
			if (strcmp(tpl->col_keys[k], (const char *)v) == 0) {
				keys[first + nc] = tpl->col_keys[k];
				heads[first + nc] = tpl->col_heads[k];
			}
		xmlFree(v);
		if (keys[first + nc] == NULL)
			goto done;
		nc++;
	}
	if ((t = out_table_new(title, first + nc, keys, heads)) == NULL)
		goto done;
	for (j = 0; j < nc; j++)
		out_table_right(t, first + j);
	snprintf(note, sizeof(note), "%s by %s, national", prices ?
	    "Daily prices (EUR)" : sensitive ? "Supervision activity" :
	    "Units, places and free places", stats_by_name((enum stats_by)by));
	out_table_title(t, note);
	out_table_attr(t, "by", stats_by_name((enum stats_by)by));
	for (row = xml_first_elem(tab); row != NULL; row = xml_next_elem(row)) {
		if (!xml_is(row, "Row"))
			continue;
		if ((v = xmlGetProp(row, (const xmlChar *)"key")) == NULL)
			continue;
		snprintf(key, sizeof(key), "%s", (const char *)v);
		xmlFree(v);
		level[0] = '\0';
		if ((v = xmlGetProp(row, (const xmlChar *)"level")) != NULL) {
			snprintf(level, sizeof(level), "%s", (const char *)v);
			xmlFree(v);
		}
		cells[0] = key;
		cells[1] = row_label(tpl, key);
		if (prices)
			cells[2] = level;
		for (j = 0, cell = xml_first_elem(row); j < nc; j++) {
			while (cell != NULL && !xml_is(cell, "Cell"))
				cell = xml_next_elem(cell);
			cents = 0;
			for (k = 0; tpl != NULL && tpl->col_cents != NULL &&
			    k < tpl->ncols; k++)
				if (tpl->col_keys[k] == keys[first + j])
					cents = tpl->col_cents[k];
			if (cell == NULL)
				snprintf(buf[j], sizeof(buf[j]), "-");
			else if ((v = xmlGetProp(cell,
			    (const xmlChar *)"state")) != NULL) {
				if (strcmp((const char *)v, "primary") == 0)
					snprintf(buf[j], sizeof(buf[j]), "<%ld",
					    thr);
				else if (strcmp((const char *)v,
				    "complement") == 0)
					snprintf(buf[j], sizeof(buf[j]), "x");
				else
					snprintf(buf[j], sizeof(buf[j]), "-");
				xmlFree(v);
			} else {
				val = attr_long(cell, "value", 0);
				if (cents)
					snprintf(buf[j], sizeof(buf[j]),
					    "%ld.%02ld", val / 100, val % 100);
				else
					snprintf(buf[j], sizeof(buf[j]), "%ld",
					    val);
			}
			cells[first + j] = buf[j];
			if (cell != NULL)
				cell = xml_next_elem(cell);
		}
		if (out_table_add(t, cells) == -1) {
			out_table_free(t);
			t = NULL;
			goto done;
		}
	}
	if (sensitive && thr > 1) {
		snprintf(note, sizeof(note), "<%ld: a count from 1 to %ld, "
		    "suppressed; x: suppressed so that a small count cannot be "
		    "derived from the totals.  A national figure is shown only "
		    "when every region showed its part.", thr, thr - 1);
		out_table_note(t, note);
	}
	if (prices)
		out_table_note(t, "-: p25, median and p75 of several regions' "
		    "prices cannot be computed from their answers.");
done:
	stats_table_free(tpl);
	return t;
}

int
national_records_each(xmlNodePtr merged, struct verifier *v,
    national_record_fn *fn, void *arg)
{
	struct supervision_record rec;
	struct dsig_info info;
	char *text = NULL, *bytes = NULL, region[8];
	xmlDocPtr doc;
	xmlNodePtr x;
	xmlChar *ab;
	size_t len;
	struct err e;
	int rc = 0;

	for (x = xml_first_elem(merged); x != NULL && rc == 0;
	    x = xml_next_elem(x)) {
		if (!xml_is(x, "SignedRecord"))
			continue;
		err_clear(&e);
		snprintf(region, sizeof(region), "-");
		if ((ab = xmlGetProp(x, (const xmlChar *)"answeredBy")) !=
		    NULL) {
			snprintf(region, sizeof(region), "%s",
			    (const char *)ab);
			xmlFree(ab);
		}
		doc = NULL;
		if ((text = xml_text(x, &e)) != NULL &&
		    merge_base64_decode(text, &bytes, &len, &e) == 0 &&
		    (doc = xml_parse(bytes, len, "record", &xml_limits_wire,
		    &e)) != NULL && verifier_record(v, doc, time(NULL), &rec,
		    &info, &e) == 0)
			rc = fn(arg, &rec, &info, region);
		xmlFreeDoc(doc);
		xmlFree(text);
		free(bytes);
		text = bytes = NULL;
	}
	return rc;
}

static int
record_row(void *arg, const struct supervision_record *rec,
    const struct dsig_info *info, const char *region)
{
	const char *cells[8];
	char nf[16];

	snprintf(nf, sizeof(nf), "%d", rec->nfindings);
	cells[0] = rec->id;
	cells[1] = region;
	cells[2] = vocab_token(&vocab_record_kind, rec->kind);
	cells[3] = rec->issuer;
	cells[4] = info->member_id;
	cells[5] = rec->opened;
	cells[6] = vocab_token(&vocab_record_status, rec->status);
	cells[7] = nf;
	return out_table_add(arg, cells);
}

/* The records of the merged SupervisionResults, re-read from their verified
 * bytes, with the region that answered and the verified signer. */
static struct out_table *
records_table(struct national *a, xmlNodePtr merged)
{
	static const char *const keys[] = { "record-id", "region", "kind",
	    "issuer", "signer", "opened", "status", "findings" };
	static const char *const heads[] = { "record ID", "region", "kind",
	    "issuer", "signer (verified)", "opened", "status", "findings" };
	struct out_table *t;

	if ((t = out_table_new("records", 8, keys, heads)) == NULL)
		return NULL;
	out_table_title(t, a->unit[0] != '\0' ? "Supervision records about the "
	    "unit, nationally" : "Supervision records about the provider's "
	    "units, nationally");
	if (national_records_each(merged, a->v, record_row, t) == -1) {
		out_table_free(t);
		return NULL;
	}
	return t;
}

static struct out_table *
status_table(const struct fanout_result *res, size_t n)
{
	static const char *const keys[] = { "member", "region", "status", "ms",
	    "detail" };
	struct out_table *t;
	const char *cells[5];
	char ms[24];
	size_t i;

	if ((t = out_table_new("regions", 5, keys, keys)) == NULL)
		return NULL;
	out_table_title(t, "Regions");
	out_table_right(t, 3);
	out_table_apart(t);	/* CSV: after an empty line (issue 10) */
	for (i = 0; i < n; i++) {
		snprintf(ms, sizeof(ms), "%ld", res[i].ms);
		cells[0] = res[i].member;
		cells[1] = res[i].region;
		cells[2] = fanout_status_name((int)res[i].status);
		cells[3] = ms;
		cells[4] = res[i].detail;
		if (out_table_add(t, cells) == -1) {
			out_table_free(t);
			return NULL;
		}
	}
	return t;
}

/* --- the answer ------------------------------------------------------------ */

static char *
render_proof(struct national *a, xmlNodePtr merged,
    const struct fanout_result *res, size_t n, size_t *len, struct err *e)
{
	struct proof_row rows[PROOF_ROWS_MAX];
	xmlDocPtr doc;
	char *out = NULL;
	size_t i;

	for (i = 0; i < n && i < PROOF_ROWS_MAX; i++) {
		memset(&rows[i], 0, sizeof(rows[i]));
		rows[i].member = res[i].member;
		rows[i].region = res[i].region;
		rows[i].status = fanout_status_name((int)res[i].status);
		rows[i].ms = res[i].ms;
		rows[i].detail = res[i].detail;
		/* Only a Response that verified proves who said it: an ok
		 * answer, or a signed refusal of this query. */
		if (res[i].status == FANOUT_ST_OK ||
		    strncmp(res[i].detail, "refused: ", 9) == 0) {
			rows[i].response = res[i].body;
			rows[i].response_len = res[i].len;
		}
	}
	if ((doc = proof_new(a->n->conf.member_id, a->qbytes, a->qlen, merged,
	    rows, i, e)) == NULL)
		return NULL;
	if (dsig_sign(a->n->sign_key, doc, e) == 0)
		xml_serialize(doc, &out, len, e);
	xmlFreeDoc(doc);
	return out;
}

static void
count_statuses(struct national *a, const struct fanout_result *res,
    size_t n, size_t counts[FANOUT_ST_COUNT])
{
	char labels[64];
	size_t i;

	memset(counts, 0, FANOUT_ST_COUNT * sizeof(counts[0]));
	for (i = 0; i < n; i++) {
		counts[res[i].status < FANOUT_ST_COUNT ? res[i].status :
		    FANOUT_ST_ERROR]++;
		snprintf(labels, sizeof(labels), "status=\"%s\"",
		    fanout_status_name((int)res[i].status));
		metrics_inc(a->n->metrics, M_NATIONAL_REGIONS, labels);
	}
}

/* --table: which of the merged tables to show. */
static int
table_wanted(const struct national *a, xmlNodePtr tab)
{
	xmlChar *v = xmlGetProp(tab, (const xmlChar *)"name");
	int want;

	if (v == NULL)
		return 0;
	want = strcmp((const char *)v, "capacity") == 0 ? a->qt.want_cap :
	    strcmp((const char *)v, "prices") == 0 ? a->qt.want_prices :
	    a->qt.want_sup;
	xmlFree(v);
	return want;
}

static const char *
kind_name(enum envelope_kind k)
{
	return k == ENVELOPE_SEARCH ? "search" : k == ENVELOPE_STATISTICS ?
	    "statistics" : "lookup";
}

static void
on_done(void *arg, struct fanout_result *res, size_t n)
{
	struct national *a = arg;
	struct merge_answer ans[MERGE_ANSWER_MAX];
	struct merge_result mr;
	struct out_table *t[4] = { NULL, NULL, NULL, NULL };
	size_t counts[FANOUT_ST_COUNT], na = 0, nt = 0, i;
	xmlNodePtr merged, x;
	char *out = NULL, labels[48];
	size_t len = 0;
	struct err e;

	err_clear(&e);
	memset(&mr, 0, sizeof(mr));
	count_statuses(a, res, n, counts);
	for (i = 0; i < n && na < MERGE_ANSWER_MAX; i++)
		if (res[i].status == FANOUT_ST_OK && res[i].resp.results !=
		    NULL) {
			ans[na].member = res[i].member;
			ans[na].region = res[i].region;
			ans[na].results = res[i].resp.results;
			na++;
		}
	if (merge_run(&a->q, a->v, time(NULL), ans, na, &mr, &e) == -1)
		goto failed;
	merged = xmlDocGetRootElement(mr.doc);
	if (a->cb != NULL) {
		struct national_out o;

		o.kind = a->kind;
		o.merged = merged;
		o.mr = &mr;
		o.res = res;
		o.n = n;
		o.v = a->v;
		log_info("national_query", "kind=%s regions=%zu ok=%zu "
		    "asker=web ms=%lld", kind_name(a->kind), n,
		    counts[FANOUT_ST_OK],
		    (long long)(store_monotonic_ms() - a->t0));
		snprintf(labels, sizeof(labels), "kind=\"%s\"",
		    kind_name(a->kind));
		metrics_inc(a->n->metrics, M_NATIONAL_QUERIES, labels);
		a->cb(a->cb_arg, &o, NULL);
		merge_result_clear(&mr);
		national_free_later(a);
		return;
	}
	if (a->fmt == OUT_XML) {
		if ((out = render_proof(a, merged, res, n, &len, &e)) == NULL)
			goto failed;
	} else {
		if (a->kind == ENVELOPE_SEARCH)
			t[nt++] = search_table(merged);
		else if (a->kind == ENVELOPE_STATISTICS) {
			for (x = xml_first_elem(merged); x != NULL && nt < 3;
			    x = xml_next_elem(x))
				if (xml_is(x, "Table") && table_wanted(a, x))
					t[nt++] = stats_out_table(x);
		} else
			t[nt++] = records_table(a, merged);
		t[nt++] = status_table(res, n);
		for (i = 0; i < nt; i++)
			if (t[i] == NULL) {
				err_set(&e, ERR_NOMEM, "out of memory");
				goto failed;
			}
		for (i = 0; i < mr.nnotes; i++) {
			char note[ERR_MSG_MAX + 2 * ID_MAX + 64];

			snprintf(note, sizeof(note), "%s (region %s%s%s): %s",
			    merge_note_name(mr.notes[i].kind),
			    mr.notes[i].region, mr.notes[i].id[0] ? ", " : "",
			    mr.notes[i].id, mr.notes[i].reason);
			out_table_note(t[0], note);
		}
		if ((out = out_write_string(a->fmt, "NationalResult", t, nt,
		    &e)) == NULL)
			goto failed;
		len = strlen(out);
	}
	log_info("national_query", "kind=%s regions=%zu ok=%zu timeout=%zu "
	    "unreachable=%zu tls_error=%zu bad_signature=%zu error=%zu "
	    "ms=%lld", kind_name(a->kind), n, counts[FANOUT_ST_OK],
	    counts[FANOUT_ST_TIMEOUT], counts[FANOUT_ST_UNREACHABLE],
	    counts[FANOUT_ST_TLS_ERROR], counts[FANOUT_ST_BAD_SIGNATURE],
	    counts[FANOUT_ST_ERROR],
	    (long long)(store_monotonic_ms() - a->t0));
	snprintf(labels, sizeof(labels), "kind=\"%s\"", kind_name(a->kind));
	metrics_inc(a->n->metrics, M_NATIONAL_QUERIES, labels);
	if (a->started) {
		httpd_reply_chunk(a->r, "end\n");
		httpd_reply_data(a->r, out, len);
		httpd_reply_end(a->r);
	} else
		httpd_reply(a->r, 200, out_format_mime(a->fmt), out, len);
	free(out);
	for (i = 0; i < nt; i++)
		out_table_free(t[i]);
	merge_result_clear(&mr);
	/* fanout_free() may be called from done(). */
	national_free_later(a);
	return;
failed:
	free(out);
	for (i = 0; i < nt; i++)
		out_table_free(t[i]);
	merge_result_clear(&mr);
	log_warnx("national_query", "kind=%s msg=\"%s\"", kind_name(a->kind),
	    e.msg);
	fail(a, 500, "internal", e.msg);
}

static void
on_progress(void *arg, const struct fanout_result *r, size_t answered,
    size_t n, const size_t counts[FANOUT_ST_COUNT])
{
	struct national *a = arg;

	/* One line per region per query: at level debug, since a national
	 * query asks every region (the query log keeps the totals).  The
	 * node's own region answers in-process. */
	if (r->local)
		log_debug("local_request", "member=%s path=/v1/query "
		    "status=%d ms=%ld result=%s", r->member, r->http_status,
		    r->ms, fanout_status_name((int)r->status));
	else
		log_debug("peer_request", "member=%s method=POST "
		    "path=/v1/query status=%d ms=%ld result=%s", r->member,
		    r->http_status, r->ms, fanout_status_name((int)r->status));
	if (!a->started)
		return;
	httpd_reply_chunk(a->r, "progress %zu %zu %zu %zu %zu %zu %zu %zu\n",
	    answered, n, counts[FANOUT_ST_OK], counts[FANOUT_ST_TIMEOUT],
	    counts[FANOUT_ST_UNREACHABLE], counts[FANOUT_ST_TLS_ERROR],
	    counts[FANOUT_ST_BAD_SIGNATURE], counts[FANOUT_ST_ERROR]);
}

/* This node's own region answers the Query as its POST /v1/query would,
 * without a TLS round trip to itself (api_query.h). */
static int
local_answer(void *arg, const void *query, size_t qlen, int *http_status,
    char **body, size_t *len)
{
	struct national *a = arg;

	return api_query_local(a->n, query, qlen, http_status, body, len);
}

static int
cmp_member(const void *x, const void *y)
{
	const struct trust_member *const *a = x, *const *b = y;
	int c = strcmp((*a)->region, (*b)->region);

	return c != 0 ? c : strcmp((*a)->id, (*b)->id);
}

/* The Query of a (its kind's part set), signed, sent to every region. */
static void
launch(struct national *a)
{
	const struct trust_member *members[PROOF_ROWS_MAX];
	const struct trust_list *tl;
	const struct trust_member *m;
	time_t now = time(NULL);
	xmlDocPtr doc = NULL;
	size_t nm = 0;
	struct err e;
	int i, ttl;

	err_clear(&e);
	snprintf(a->q.from, sizeof(a->q.from), "%s", a->n->conf.member_id);
	ttl = (int)(a->deadline / 1000) + NATIONAL_TTL_MIN;
	if (ttl > ENVELOPE_TTL_MAX)
		ttl = ENVELOPE_TTL_MAX;
	if ((doc = envelope_query_new(&a->q, now, ttl, &e)) == NULL ||
	    dsig_sign(a->n->sign_key, doc, &e) == -1 ||
	    xml_serialize(doc, &a->qbytes, &a->qlen, &e) == -1) {
		xmlFreeDoc(doc);
		fail(a, e.code == ERR_USAGE ? 400 : 500, e.code == ERR_USAGE ?
		    "bad-request" : "internal", e.msg);
		return;
	}
	xmlFreeDoc(doc);
	EVP_Digest(a->qbytes, a->qlen, a->digest, NULL, EVP_sha256(), NULL);
	/* The node's own verifier, whose cache holds the regions' decoded
	 * and path-checked signing keys (a fresh one spent 40 % of this
	 * node's CPU per national query re-checking 22 certificates); a
	 * reload meanwhile drops the node's reference, not ours. */
	if ((a->v = verifier_ref(a->n->verifier)) == NULL) {
		fail(a, 503, "unavailable", "no trust list is loaded");
		return;
	}
	tl = verifier_trust_list(a->v);
	for (i = 0; i < trust_member_count(tl); i++) {
		m = trust_member_at(tl, i);
		if (!(m->roles & TRUST_ROLE_REGION) || nm == PROOF_ROWS_MAX)
			continue;
		if (a->ask != 0 && (region_find(m->region) == -1 ||
		    !(a->ask & ((uint32_t)1 << region_find(m->region)))))
			continue;
		members[nm++] = m;
	}
	qsort(members, nm, sizeof(members[0]), cmp_member);
	if (a->progress) {
		httpd_reply_start(a->r, 200, "text/plain; charset=utf-8");
		a->started = 1;
		httpd_reply_chunk(a->r, "query %s regions %zu\n", a->q.id, nm);
	}
	a->t0 = store_monotonic_ms();
	if ((a->f = fanout_start(a->n->peer, a->v, a->n->conf.member_id,
	    a->qbytes, a->qlen, a->digest, members, nm, a->deadline,
	    on_progress, on_done, a, local_answer, a, &e)) == NULL)
		fail(a, 500, "internal", e.msg);
}

/* A purchaser's frameworks go into the Query from this node's data. */
static int
frameworks_in(struct national *a, const struct query_data *d,
    struct err *e)
{
	const char **fw;
	int n, i;

	if ((fw = query_frameworks(d, a->qs.purchaser, &n)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if (n > ENVELOPE_FRAMEWORK_MAX) {
		free(fw);
		return err_set(e, ERR_USAGE, "purchaser: region %s takes part "
		    "in %d procurements; a national query carries at most %d",
		    a->qs.purchaser, n, ENVELOPE_FRAMEWORK_MAX);
	}
	for (i = 0; i < n; i++)
		snprintf(a->q.search.frameworks[i],
		    sizeof(a->q.search.frameworks[i]), "%s", fw[i]);
	a->q.search.nframeworks = n;
	free(fw);
	return 0;
}

static void
with_data(void *arg, const struct query_data *d, const struct err *e)
{
	struct national *a = arg;
	struct err e2;

	err_clear(&e2);
	if (d == NULL && e == NULL) {		/* the node is stopping */
		if (a->cb != NULL) {
			err_set(&e2, ERR_IO, "the node is stopping");
			a->cb(a->cb_arg, NULL, &e2);
		}
		national_free(a);
		return;
	}
	if (d == NULL) {
		fail(a, 503, "unavailable", e->msg);
		return;
	}
	if (frameworks_in(a, d, &e2) == -1) {
		fail(a, e2.code == ERR_USAGE ? 400 : 503, e2.code == ERR_USAGE ?
		    "bad-request" : "unavailable", e2.msg);
		return;
	}
	launch(a);
}

static void
search_to_query(const struct query_search *qs, struct envelope_search *es)
{
	int i;

	es->age = qs->nd.age;
	es->gender = qs->nd.gender;
	for (i = 0; i < qs->nd.nlanguages && i < ENVELOPE_LANG_MAX; i++)
		memcpy(es->languages[i], qs->nd.languages[i], 3);
	es->nlanguages = i;
	es->expertise = qs->nd.expertise;
	es->target_groups = qs->nd.target_groups;
	es->types = qs->nd.types;
	es->levels = qs->nd.levels;
	es->regions_required = qs->nd.regions_required;
	es->regions_preferred = qs->nd.regions_preferred;
	memcpy(es->home_region, qs->purchaser, 3);
	es->max_price_cents = qs->nd.max_price_cents;
	es->free_places = qs->nd.free_places;
	es->limit = qs->nd.limit;
}

/* Starts the search, statistics or look-up that a holds: a purchaser's frameworks first need the
 * node's data. */
static void
start(struct national *a)
{
	const struct query_data *d;
	struct err e;
	int failed;

	err_clear(&e);
	if (a->kind != ENVELOPE_SEARCH || a->qs.purchaser[0] == '\0') {
		launch(a);
		return;
	}
	if ((d = qindex_current(a->n->qindex, &failed, &e)) != NULL) {
		with_data(a, d, NULL);
		return;
	}
	if (failed || qindex_wait(a->n->qindex, with_data, a, &e) == -1)
		fail(a, 503, "unavailable", e.msg);
}

/* --- parameters ------------------------------------------------------------ */

struct walk {
	struct national	*a;
	struct err	*e;
};

static int
common_param(struct national *a, const char *name, const char *value,
    struct err *e, int *taken)
{
	char *end;
	long v;
	int f;

	*taken = 1;
	if (strcmp(name, "deadline") == 0) {
		v = strtol(value, &end, 10);
		if (*value == '\0' || *end != '\0' || v < FANOUT_DEADLINE_MIN ||
		    v > FANOUT_DEADLINE_MAX)
			return err_set(e, ERR_USAGE, "deadline: '%s' is not a "
			    "number of milliseconds from %ld to %ld", value,
			    FANOUT_DEADLINE_MIN, FANOUT_DEADLINE_MAX);
		a->deadline = v;
		return 0;
	}
	if (strcmp(name, "progress") == 0) {
		a->progress = strcmp(value, "1") == 0;
		return 0;
	}
	if (strcmp(name, "ask") == 0) {
		if ((f = region_find(value)) == -1)
			return err_set(e, ERR_USAGE, "ask: '%s' is not a region "
			    "code (01..21, 90)", value);
		a->ask |= (uint32_t)1 << f;
		return 0;
	}
	if (strcmp(name, "format") == 0) {
		if ((f = out_format_parse(value)) == -1)
			return err_set(e, ERR_USAGE, "format: '%s' is not one "
			    "of " OUT_FORMAT_TOKENS, value);
		a->fmt = (enum out_format)f;
		return 0;
	}
	*taken = 0;
	return 0;
}

static int
param_one(void *arg, const char *name, const char *value)
{
	struct walk *w = arg;
	struct national *a = w->a;
	int taken;

	if (common_param(a, name, value, w->e, &taken) == -1)
		return -1;
	if (taken)
		return 0;
	switch (a->kind) {
	case ENVELOPE_SEARCH:
		if (query_search_knows(name))
			return query_search_set(&a->qs, name, value, w->e);
		return err_set(w->e, ERR_USAGE, "%s: unknown parameter of a "
		    "national search", name);
	case ENVELOPE_STATISTICS:
		if (strcmp(name, "by") == 0 || strcmp(name, "threshold") == 0 ||
		    strcmp(name, "table") == 0)
			return query_stats_set(&a->qt, name, value, w->e);
		return err_set(w->e, ERR_USAGE, "%s: unknown parameter of "
		    "national statistics (by, threshold, table, deadline, "
		    "format)", name);
	default:
		if (strcmp(name, "unit") == 0) {
			if (strlen(value) > ID_MAX || *value == '\0')
				return err_set(w->e, ERR_USAGE, "unit: not a "
				    "unit Id");
			snprintf(a->unit, sizeof(a->unit), "%s", value);
			return 0;
		}
		if (strcmp(name, "provider") == 0) {
			if (!ytunnus_is_valid(value))
				return err_set(w->e, ERR_USAGE, "provider: '%s' "
				    "is not a valid business ID (1234567-8)",
				    value);
			snprintf(a->provider, sizeof(a->provider), "%s",
			    value);
			return 0;
		}
		return err_set(w->e, ERR_USAGE, "%s: unknown parameter of a "
		    "national supervision look-up (unit or provider, "
		    "deadline, format)", name);
	}
}

static void
h_national(struct httpd_req *r, const struct httpd_peer *peer, void *arg)
{
	struct node *n = arg;
	const char *what = httpd_req_path(r) + strlen(NATIONAL_PREFIX);
	struct national *a;
	struct walk w;
	struct err e;

	(void)peer;
	err_clear(&e);
	if (node_trust_expired(n)) {
		httpd_reply_error(r, 503, "trust-expired", "the trust list this "
		    "node holds expired: no national query can be asked or "
		    "checked until a valid one arrives");
		return;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		httpd_reply_error(r, 503, "unavailable", "out of memory");
		return;
	}
	a->n = n;
	a->r = r;
	a->deadline = n->conf.fanout_deadline;
	a->fmt = OUT_TABLE;
	a->t0 = store_monotonic_ms();
	if (strcmp(what, "search") == 0)
		a->kind = ENVELOPE_SEARCH;
	else if (strcmp(what, "stats") == 0)
		a->kind = ENVELOPE_STATISTICS;
	else if (strcmp(what, "supervision") == 0)
		a->kind = ENVELOPE_LOOKUP;
	else {
		httpd_reply_error(r, 404, "not-found", "no national query %s "
		    "(search, stats or supervision)", what);
		free(a);
		return;
	}
	envelope_query_init(&a->q, a->kind);
	query_search_init(&a->qs, "");
	query_stats_init(&a->qt, n->conf.suppress_threshold, "");
	w.a = a;
	w.e = &e;
	if (httpd_req_query_each(r, param_one, &w) == -1) {
		if (e.code == ERR_OK)
			err_set(&e, ERR_USAGE, "malformed query string");
		fail(a, 400, "bad-request", e.msg);
		return;
	}
	if (a->kind == ENVELOPE_SEARCH) {
		if (!a->qs.age_set) {
			fail(a, 400, "bad-request", "age is needed");
			return;
		}
		search_to_query(&a->qs, &a->q.search);
	} else if (a->kind == ENVELOPE_STATISTICS) {
		a->q.stats.by = (enum envelope_stats_by)a->qt.by;
		if (a->qt.by > (int)ENVELOPE_BY_EXPERTISE) {
			fail(a, 400, "bad-request", "by: a national table is "
			    "grouped by region, type or expertise");
			return;
		}
		a->q.stats.threshold = (int)a->qt.threshold;
	} else {
		if ((a->unit[0] == '\0') == (a->provider[0] == '\0')) {
			fail(a, 400, "bad-request", "unit or provider: one of "
			    "the two is needed");
			return;
		}
		snprintf(a->q.lookup.unit_id, sizeof(a->q.lookup.unit_id),
		    "%s", a->unit);
		snprintf(a->q.lookup.business_id,
		    sizeof(a->q.lookup.business_id), "%s", a->provider);
	}
	httpd_req_hold(r);
	start(a);
}

int
national_ask(struct node *n, const struct national_req *rq,
    national_done_fn *done, void *arg, struct err *e)
{
	struct national *a;

	if (node_trust_expired(n))
		return err_set(e, ERR_IO, "the trust list this node holds "
		    "expired: no national query can be asked or checked until "
		    "a valid one arrives");
	if (rq->kind == ENVELOPE_SEARCH && !rq->qs.age_set)
		return err_set(e, ERR_USAGE, "age is needed");
	if (rq->kind == ENVELOPE_LOOKUP && (rq->unit[0] == '\0') ==
	    (rq->provider[0] == '\0'))
		return err_set(e, ERR_USAGE, "unit or provider: one of the "
		    "two is needed");
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	a->n = n;
	a->cb = done;
	a->cb_arg = arg;
	a->kind = rq->kind;
	a->qs = rq->qs;
	a->qt = rq->qt;
	a->deadline = rq->deadline > 0 ? rq->deadline :
	    n->conf.fanout_deadline;
	a->ask = rq->ask;
	a->fmt = OUT_TABLE;
	a->t0 = store_monotonic_ms();
	envelope_query_init(&a->q, a->kind);
	if (a->kind == ENVELOPE_SEARCH)
		search_to_query(&a->qs, &a->q.search);
	else if (a->kind == ENVELOPE_STATISTICS) {
		a->q.stats.by = (enum envelope_stats_by)a->qt.by;
		a->q.stats.threshold = (int)a->qt.threshold;
	} else {
		snprintf(a->unit, sizeof(a->unit), "%s", rq->unit);
		snprintf(a->provider, sizeof(a->provider), "%s", rq->provider);
		snprintf(a->q.lookup.unit_id, sizeof(a->q.lookup.unit_id),
		    "%s", a->unit);
		snprintf(a->q.lookup.business_id,
		    sizeof(a->q.lookup.business_id), "%s", a->provider);
	}
	start(a);
	return 0;
}

int
api_national_register(struct node *n, struct err *e)
{
	if (later_ev == NULL &&
	    (later_ev = evtimer_new(n->base, later_run, NULL)) == NULL)
		return err_set(e, ERR_NOMEM, "national queries: out of memory");
	metrics_register(n->metrics, M_NATIONAL_QUERIES, METRICS_COUNTER,
	    "National queries this node asked, by kind.");
	metrics_register(n->metrics, M_NATIONAL_REGIONS, METRICS_COUNTER,
	    "Regions' statuses in the national queries this node asked.");
	return httpd_route(n->httpd, HTTPD_ADMIN, HTTPD_GET, NATIONAL_PREFIX,
	    h_national, n, e);
}

void
api_national_free(struct node *n)
{
	(void)n;
	later_run(-1, 0, NULL);
	if (later_ev != NULL)
		event_free(later_ev);
	later_ev = NULL;
}
