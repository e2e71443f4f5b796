/*
 * api_fed.c - the records endpoints of the federation port (see api_fed.h).
 *
 * POST /v1/records takes one signed SupervisionRecord: parsed under the wire
 * limits, validated, its signature verified against the trust list (the
 * signer must have role supervisor), read and checked, and accepted only
 * when the unit belongs to this node's region.  It is stored as the
 * exclusive C14N of the document, the bytes the sender's store holds, so
 * the digest is the same on both sides: a new Id gives 201 "stored", the
 * same document again 200 "duplicate", another document under a known Id
 * 409 (logged as record_conflict).  "The same document" is the same signed
 * content (the verified Reference digest), not only the same bytes: anyone
 * can make a second valid copy of a signed record (ECDSA's s -> n - s,
 * another KeyInfo), and a copy that arrives first must not turn the genuine
 * delivery into a conflict; the first stored bytes stay.  Every check runs
 * when the record arrives, those that need nothing of the loop (parse,
 * schema, signature, canonical form) on the record checks' threads
 * (n->checks, workpool.h: check_threads of them, so a node takes records in
 * on more than one core) and the unit's region on the loop; storing it is
 * a group commit (ingest.h): the records that arrive within a few
 * milliseconds, or while the batch before is being written, are stored in
 * one transaction by ingest's worker thread on its own connection, each
 * with its log leaf, and each is answered only after that commit (the
 * store runs synchronous=FULL), so "stored" survives a crash.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "api_admin.h"
#include "api_fed.h"
#include "dsig.h"
#include "httpd.h"
#include "ingest.h"
#include "log.h"
#include "metrics.h"
#include "model.h"
#include "node.h"
#include "output.h"
#include "reccache.h"
#include "schema.h"
#include "store.h"
#include "store_import.h"
#include "trust.h"
#include "verifier.h"
#include "workpool.h"
#include "xml.h"

#define RECORDS_PATH	"/v1/records"
#define RECORD_PREFIX	"/v1/records/"

const char *
api_xml_attr(const char *s, char *buf, size_t len)
{
	size_t n = 0, k;
	const char *rep;

	for (; s != NULL && *s != '\0'; s++) {
		rep = *s == '<' ? "&lt;" : *s == '&' ? "&amp;" :
		    *s == '"' ? "&quot;" : *s == '>' ? "&gt;" : NULL;
		k = rep != NULL ? strlen(rep) : 1;
		if (n + k + 1 > len)
			break;
		if (rep != NULL)
			memcpy(buf + n, rep, k);
		else
			buf[n] = (unsigned char)*s < ' ' ? '?' : *s;
		n += k;
	}
	if (len > 0)
		buf[n < len ? n : len - 1] = '\0';
	return buf;
}

/* HTTP status and error token for an err from a handler. */
void
api_reply_err(struct httpd_req *r, const struct err *e)
{
	int status;
	const char *code;

	switch (e->code) {
	case ERR_USAGE:
		status = 400, code = "bad-request";
		break;
	case ERR_INPUT:
	case ERR_SCHEMA:
		status = 422, code = "invalid";
		break;
	case ERR_CONFLICT:
		status = 409, code = "conflict";
		break;
	case ERR_NOTFOUND:
		status = 404, code = "not-found";
		break;
	case ERR_SIGNATURE:
		status = 422, code = "bad-signature";
		break;
	case ERR_TRUST:
		status = 403, code = "forbidden";
		break;
	case ERR_NOMEM:
		status = 503, code = "unavailable";
		break;
	default:
		/* (the token of every 500 this node answers) */
		status = 500, code = "internal";
		break;
	}
	httpd_reply_error(r, status, code, "%s",
	    e->msg[0] ? e->msg : err_code_name(e->code));
}

void
api_reply_tables(struct httpd_req *r, enum out_format fmt, const char *doc,
    struct out_table *const *t, size_t n)
{
	struct err e;
	char *out;

	err_clear(&e);
	if ((out = out_write_string(fmt, doc, t, n, &e)) == NULL) {
		api_reply_err(r, &e);
		return;
	}
	httpd_reply(r, 200, out_format_mime(fmt), out, strlen(out));
	free(out);
}

int
api_list_params(struct httpd_req *r, long max, long *limit,
    enum out_format *fmt)
{
	char buf[16], *end;
	long v;
	int f;

	if (httpd_req_query(r, "limit", buf, sizeof(buf)) != 0) {
		v = strtol(buf, &end, 10);
		if (*buf == '\0' || *end != '\0' || v < 1 || v > max) {
			httpd_reply_error(r, 400, "bad-request", "limit: not a "
			    "number from 1 to %ld", max);
			return -1;
		}
		*limit = v;
	}
	if (httpd_req_query(r, "format", buf, sizeof(buf)) != 0) {
		if ((f = out_format_parse(buf)) == -1) {
			httpd_reply_error(r, 400, "bad-request", "format: not "
			    "one of " OUT_FORMAT_TOKENS);
			return -1;
		}
		*fmt = (enum out_format)f;
	}
	return 0;
}

void
api_sha256_hex(const void *p, size_t len, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	out[0] = '\0';
	if (EVP_Digest(p, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32)
		return;
	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[64] = '\0';
}

void
api_records_publish(struct node *n)
{
	struct store_counts c;
	struct err e;

	err_clear(&e);
	if (store_counts(n->store, &c, &e) == 0) {
		metrics_set(n->metrics, M_RECORDS_STORED, M_SIGNED_YES,
		    (double)c.records_signed);
		metrics_set(n->metrics, M_RECORDS_STORED, M_SIGNED_NO,
		    (double)(c.records - c.records_signed));
	}
}

static void
received(struct node *n, const char *result)
{
	char labels[48];

	snprintf(labels, sizeof(labels), "result=\"%s\"", result);
	metrics_inc(n->metrics, M_RECORDS_RECEIVED, labels);
}

/* The status and code for a refusal of kind code. */
static int
refusal(enum err_code code, const char **token)
{
	switch (code) {
	case ERR_SIGNATURE:
		*token = "bad-signature";
		return 400;
	case ERR_TRUST:
		*token = "forbidden";
		return 403;
	case ERR_CONFLICT:
		*token = "conflict";
		return 409;
	case ERR_INPUT:
	case ERR_SCHEMA:
		*token = "bad-request";
		return 400;
	case ERR_NOMEM:
		*token = "unavailable";
		return 503;
	default:
		*token = "internal";
		return 500;
	}
}

/* The home region of unit_id as this node's store has it ("" when the
 * unit is not stored here): an indexed column, no XML parsed, since a
 * record GET by a region member and every received record ask it. */
static void
stored_unit_region(struct node *n, const char *unit_id, char out[3])
{
	struct err e;

	err_clear(&e);
	if (store_unit_region(n->store, unit_id, out, &e) == -1) {
		out[0] = '\0';
		log_warnx("unit_region", "unit=%s msg=\"%s\"", unit_id, e.msg);
	}
}

void
api_unit_region(struct node *n, const struct supervision_record *rec,
    char out[3])
{
	if (rec->unit_region[0] != '\0') {
		snprintf(out, 3, "%s", rec->unit_region);
		return;
	}
	stored_unit_region(n, rec->unit_id, out);
}

int
api_trust_refuse(struct node *n, struct httpd_req *r)
{
	if (!node_trust_expired(n))
		return 0;
	httpd_reply_error(r, 503, "trust-expired", "the trust list this "
	    "node holds expired; no record is taken in or given out until a "
	    "valid one arrives");
	return 1;
}

/* The record's unit must be one this node keeps.  The sender's own
 * UnitRegion is not evidence: only this node's store says which units are
 * its region's.  0 or -1 (answered). */
static int
check_own_unit(struct node *n, struct httpd_req *r, const char *peer,
    const struct supervision_record *rec,
    const struct dsig_info *info)
{
	const struct trust_member *self;
	char region[3];

	stored_unit_region(n, rec->unit_id, region);
	self = trust_member_by_id(n->trust, n->conf.member_id);
	if (self != NULL && self->region[0] != '\0' &&
	    strcmp(region, self->region) == 0)
		return 0;
	received(n, "refused");
	log_warnx("record_refused", "record=%s peer=%s signer=%s unit=%s "
	    "unit_region=%s claimed_region=%s reason=not-this-region",
	    rec->id, peer, info->member_id, rec->unit_id,
	    region[0] ? region : "unknown",
	    rec->unit_region[0] ? rec->unit_region : "-");
	if (region[0] == '\0')
		httpd_reply_error(r, 422, "not-this-region", "record %s: unit "
		    "%s is not one of this node's units (region %s)", rec->id,
		    rec->unit_id, self && self->region[0] ? self->region :
		    "none");
	else
		httpd_reply_error(r, 422, "not-this-region", "record %s: not "
		    "this region's unit: unit %s is in region %s, this node "
		    "keeps region %s", rec->id, rec->unit_id, region,
		    self && self->region[0] ? self->region : "(none)");
	return -1;
}

/* A received record's answer, once its batch's commit is done
 * (ingest.h): 201 stored, 200 duplicate, 409 conflict, 503 busy while an
 * import runs, 500 when the store failed. */
static void
record_done(void *arg, struct ingest_item *it)
{
	struct node *n = arg;
	const char *token;
	char reply[512], id[200], q[LOG_Q_MAX];
	int status, isnew = it->result == INGEST_STORED;

	switch (it->result) {
	case INGEST_STORED:
	case INGEST_DUPLICATE:
		received(n, isnew ? "stored" : "duplicate");
		/* The next search sees its effect: added to its unit's
		 * summary in the data in use. */
		if (isnew)
			api_admin_record_added(n, &it->rec, it->seq);
		log_info(isnew ? "record_stored" : "record_duplicate",
		    "record=%s unit=%s issuer=%s peer=%s signer=%s digest=%s",
		    it->rec.id, it->rec.unit_id, it->rec.issuer, it->peer,
		    it->signer, it->digest);
		if (it->req == NULL)
			return;
		snprintf(reply, sizeof(reply), "<?xml version=\"1.0\" "
		    "encoding=\"UTF-8\"?>\n<RecordReceipt xmlns=\"urn:"
		    "lasteri:1\" Id=\"%s\" digest=\"%s\" status=\"%s\"/>\n",
		    api_xml_attr(it->rec.id, id, sizeof(id)), it->digest,
		    isnew ? "stored" : "duplicate");
		httpd_reply(it->req, isnew ? 201 : 200,
		    "application/xml; charset=utf-8", reply, strlen(reply));
		return;
	case INGEST_BUSY:
		received(n, "error");
		if (it->req != NULL && !api_admin_import_refuse(n, it->req))
			httpd_reply_error(it->req, 503, "busy", "the store "
			    "is busy: try again");
		return;
	case INGEST_FAILED:
		break;
	}
	if (it->e.code == ERR_CONFLICT) {
		received(n, "conflict");
		log_warnx("record_conflict", "record=%s peer=%s signer=%s "
		    "msg=%s", it->rec.id, it->peer, it->signer,
		    log_q(it->e.msg, q, sizeof(q)));
		if (it->req != NULL)
			httpd_reply_error(it->req, 409, "conflict", "%s",
			    it->e.msg);
		return;
	}
	status = refusal(it->e.code, &token);
	received(n, status >= 500 ? "error" : "refused");
	log_warnx("record_refused", "record=%s peer=%s status=%d reason=%s "
	    "msg=%s", it->rec.id, it->peer, status, err_code_name(it->e.code),
	    log_q(it->e.msg, q, sizeof(q)));
	if (it->req != NULL)
		httpd_reply_error(it->req, status, token, "%s", it->e.msg);
}

/* After a batch: the records-stored gauge grows by what it stored (not
 * recounted from the store: a count(*) per batch grows with the store);
 * a received record is stored only once its signature verified. */
static void
batch_done(void *arg, int committed, size_t stored)
{
	struct node *n = arg;

	if (committed)
		metrics_inc(n->metrics, M_RECORDS_COMMITS, NULL);
	if (stored > 0)
		metrics_add(n->metrics, M_RECORDS_STORED, M_SIGNED_YES,
		    (double)stored);
}

/* A received record's checks, on a thread of the pool (workpool.h). */
struct check_job {
	struct workpool_job	 j;		/* first: the pool's */
	struct node		*n;		/* the loop's, never run's */
	struct httpd_req	*r;		/* the loop's, never run's */
	struct verifier		*v;		/* a reference, from submit */
	unsigned char		*body;		/* taken from r; run frees */
	size_t			 len;
	time_t			 now;		/* when it arrived */
	char			 peer[160];
	struct ingest_item	*it;		/* rec and bytes filled by run */
	struct dsig_info	 info;
	struct err		 e;
	int			 rc;		/* run's: 0 passed, -1 e */
};

/*
 * The checks that need nothing of the loop: the wire limits, the schema,
 * the signature under the trust list and the signer's rights
 * (verifier_record), the Id, and the storage form (exclusive C14N).  The
 * unit's region is the loop's store's: check_done asks it.
 */
static void
check_run(struct workpool_job *wj)
{
	static const char *const roots[] = { "SupervisionRecord", NULL };
	struct check_job *cj = (struct check_job *)wj;
	xmlDocPtr doc;

	err_clear(&cj->e);
	cj->rc = -1;
	if ((doc = xml_parse((const char *)cj->body, cj->len, "request",
	    &xml_limits_wire, &cj->e)) != NULL &&
	    schema_validate(doc, "request", roots, &cj->e) == 0 &&
	    verifier_record(cj->v, doc, cj->now, &cj->it->rec, &cj->info,
	    &cj->e) == 0 && model_record_check_id(&cj->it->rec, &cj->e) == 0 &&
	    store_element_bytes(xmlDocGetRootElement(doc), &cj->it->bytes,
	    &cj->it->len, &cj->e) == 0)
		cj->rc = 0;
	xmlFreeDoc(doc);
	free(cj->body);
	cj->body = NULL;
}

static void
check_free(struct check_job *cj)
{
	if (cj->it != NULL)
		xmlFree(cj->it->bytes);
	free(cj->it);
	free(cj->body);
	verifier_free(cj->v);
	free(cj);
}

static void
records_refuse(struct node *n, struct httpd_req *r, const char *peer,
    const struct err *e)
{
	const char *token;
	char q[LOG_Q_MAX];
	int status;

	status = refusal(e->code, &token);
	received(n, status >= 500 ? "error" : "refused");
	log_warnx("record_refused", "peer=%s status=%d reason=%s msg=%s",
	    peer, status, err_code_name(e->code),
	    log_q(e->msg, q, sizeof(q)));
	httpd_reply_error(r, status, token, "%s", e->msg);
}

/* Back on the loop: the unit must be this region's, then the record joins
 * a batch (answered after its commit, ingest.h).  Cancelled: the node is
 * stopping and the connection goes; nobody is answered. */
static void
check_done(struct workpool_job *wj)
{
	struct check_job *cj = (struct check_job *)wj;
	struct ingest_item *it = cj->it;
	struct node *n = cj->n;

	if (cj->j.cancelled) {
		check_free(cj);
		return;
	}
	if (cj->rc == -1) {
		records_refuse(n, cj->r, cj->peer, &cj->e);
		check_free(cj);
		return;
	}
	if (check_own_unit(n, cj->r, cj->peer, &it->rec, &cj->info) == -1) {
		check_free(cj);
		return;
	}
	it->req = cj->r;
	snprintf(it->peer, sizeof(it->peer), "%s", cj->peer);
	snprintf(it->signer, sizeof(it->signer), "%s", cj->info.member_id);
	memcpy(it->content, cj->info.content_digest, sizeof(it->content));
	cj->it = NULL;
	check_free(cj);
	ingest_add(n->ingest, it);	/* answers after the commit */
}

/*
 * A record is checked on the pool's threads (check_run), then on the loop
 * (check_done) before it joins a batch; with check_threads = 0 both run
 * here at once.  The body is taken from the request: the pool's thread
 * owns it until it is freed.
 */
static void
h_records_post(struct httpd_req *r, const struct httpd_peer *peer, void *arg)
{
	struct node *n = arg;
	struct check_job *cj;
	struct err e;

	err_clear(&e);
	if (api_trust_refuse(n, r)) {
		received(n, "refused");
		return;
	}
	if (api_admin_import_refuse(n, r)) {	/* 503: try again */
		received(n, "error");
		return;
	}
	if ((cj = calloc(1, sizeof(*cj))) == NULL ||
	    (cj->it = ingest_item_new()) == NULL ||
	    (cj->body = httpd_req_body_take(r, &cj->len)) == NULL) {
		if (cj != NULL)
			check_free(cj);
		err_set(&e, ERR_NOMEM, "out of memory");
		records_refuse(n, r, peer->member_id, &e);
		return;
	}
	cj->j.run = check_run;
	cj->j.done = check_done;
	cj->n = n;
	cj->r = r;
	cj->v = verifier_ref(n->verifier);
	cj->now = time(NULL);
	snprintf(cj->peer, sizeof(cj->peer), "%s", peer->member_id);
	workpool_submit(n->checks, &cj->j);
}

/* The Id pattern of common.xsd: [A-Za-z0-9][A-Za-z0-9._:-]{0,63}. */
static int
id_ok(const char *s)
{
	size_t i;
	int c;

	for (i = 0; (c = (unsigned char)s[i]) != '\0'; i++) {
		if (i >= 64)
			return 0;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9'))
			continue;
		if (i == 0 || strchr("._:-", c) == NULL)
			return 0;
	}
	return i > 0;
}

/*
 * Who may read a stored record over the federation port (lasterid(8)'s
 * role table): an auditor; the record's issuer (the member that signed it,
 * or the member whose issuer codes hold its Issuer); and the member that
 * keeps the unit's region.  The admin socket is the region's own.
 */
static int
may_read(struct node *n, const struct httpd_peer *peer,
    const struct store_record_meta *m)
{
	const struct trust_member *pm;
	char region[3];

	if (peer->listener == HTTPD_ADMIN || (peer->roles & TRUST_ROLE_AUDITOR))
		return 1;
	if (m->signer[0] != '\0' && strcmp(m->signer, peer->member_id) == 0)
		return 1;
	if ((pm = trust_member_by_id(n->trust, peer->member_id)) == NULL)
		return 0;
	if (trust_member_may_issue(pm, m->issuer))
		return 1;
	if ((pm->roles & TRUST_ROLE_REGION) && pm->region[0] != '\0') {
		stored_unit_region(n, m->unit_id, region);
		if (strcmp(region, pm->region) == 0)
			return 1;
	}
	return 0;
}

/*
 * A stored record never changes, so its bytes and meta are answered from
 * n->reccache once read; the role check still runs on every request (on
 * the cached meta; only a region member's check reads the unit's region
 * from the store, which can change).  An Id not stored is not cached.
 */
static void
h_record_get(struct httpd_req *r, const struct httpd_peer *peer, void *arg)
{
	struct node *n = arg;
	struct store_record_meta meta;
	struct reccache_hit hit;
	const char *id = httpd_req_path(r) + strlen(RECORD_PREFIX);
	char *xml = NULL;
	size_t len;
	struct err e;

	err_clear(&e);
	if (!id_ok(id)) {
		httpd_reply_error(r, 400, "bad-request", "not a record Id");
		return;
	}
	if (peer->listener == HTTPD_FEDERATION && api_trust_refuse(n, r))
		return;
	if (n->reccache != NULL && reccache_get(n->reccache, id, &hit)) {
		if (!may_read(n, peer, hit.meta))
			goto forbidden;
		httpd_reply(r, 200, "application/xml", hit.xml, hit.len);
		return;
	}
	if (store_record_meta(n->store, id, &meta, &e) == -1 ||
	    (may_read(n, peer, &meta) &&
	    store_record_get(n->store, id, &xml, &len, NULL, &e) == -1)) {
		if (e.code == ERR_NOTFOUND)
			httpd_reply_error(r, 404, "not-found", "no record %s",
			    id);
		else {
			log_warnx("record_get", "record=%s msg=\"%s\"", id,
			    e.msg);
			httpd_reply_error(r, 500, "internal", "the store "
			    "failed");
		}
		return;
	}
	if (xml == NULL)
		goto forbidden;
	httpd_reply(r, 200, "application/xml", xml, len);
	if (n->reccache != NULL)
		reccache_put(n->reccache, id, &meta, xml, len);
	else
		free(xml);
	return;
forbidden:
	log_warnx("record_read_refused", "record=%s peer=%s", id,
	    peer->member_id);
	httpd_reply_error(r, 403, "forbidden", "member %s may not read record "
	    "%s: records are read by auditors, their issuer and the unit's "
	    "region", peer->member_id, id);
}

void
api_fed_free(struct node *n)
{
	/* Records still being checked are dropped (not answered "stored",
	 * so their senders send them again); those waiting for a commit
	 * (the loop stopped before their window ended) are stored; nobody
	 * is answered. */
	workpool_free(n->checks);
	n->checks = NULL;
	ingest_free(n->ingest);
	n->ingest = NULL;
	reccache_free(n->reccache);
	n->reccache = NULL;
}

int
api_fed_register(struct node *n, struct err *e)
{
	metrics_register(n->metrics, M_RECORDS_RECEIVED, METRICS_COUNTER,
	    "Supervision records received from other members, by result "
	    "(stored, duplicate, conflict, refused, error).");
	metrics_register(n->metrics, M_RECORDS_COMMITS, METRICS_COUNTER,
	    "Commits of received supervision records: records that arrive "
	    "together are stored in one transaction.");
	api_records_publish(n);
	reccache_free(n->reccache);
	if ((n->reccache = reccache_new(RECCACHE_MAX_BYTES)) == NULL)
		return err_set(e, ERR_NOMEM, "the record cache: out of memory");
	if (n->ingest == NULL && (n->ingest = ingest_new(n, record_done,
	    batch_done, n, e)) == NULL)
		return -1;
	if (n->checks == NULL && (n->checks = workpool_new(n->base,
	    (int)n->conf.check_threads, "the record checks", e)) == NULL)
		return -1;
	if (httpd_route(n->httpd, HTTPD_FEDERATION, HTTPD_POST, RECORDS_PATH,
	    h_records_post, n, e) == -1 ||
	    httpd_route(n->httpd, HTTPD_FEDERATION | HTTPD_ADMIN, HTTPD_GET,
	    RECORD_PREFIX, h_record_get, n, e) == -1)
		return -1;
	return 0;
}
