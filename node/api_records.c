/*
 * api_records.c - the admin side of supervision records (see api_fed.h):
 * POST /admin/v1/supervision issues a record, GET /admin/v1/outbox shows
 * what waits for delivery.
 *
 * Issuing: the region's own systems send an unsigned SupervisionRecord; the
 * node validates it, signs it with its key (which never leaves the node),
 * checks that the signed bytes verify under the trust list (so a node whose
 * member lacks role supervisor learns it here, not from every receiver),
 * and in one transaction stores it and, when the unit's home region is kept
 * by another member, queues its delivery there.  201 is answered only after
 * the commit.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_admin.h"
#include "api_fed.h"
#include "api_outbox.h"
#include "dsig.h"
#include "httpd.h"
#include "log.h"
#include "metrics.h"
#include "model.h"
#include "node.h"
#include "outbox.h"
#include "schema.h"
#include "store.h"
#include "store_import.h"
#include "store_outbox.h"
#include "trust.h"
#include "verifier.h"
#include "verifier.h"
#include "xml.h"

/* The member with role region that keeps region code. */
static const struct trust_member *
region_member(const struct trust_list *tl, const char *code)
{
	const struct trust_member *m;
	int i;

	for (i = 0; i < trust_member_count(tl); i++) {
		m = trust_member_at(tl, i);
		if ((m->roles & TRUST_ROLE_REGION) &&
		    strcmp(m->region, code) == 0)
			return m;
	}
	return NULL;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
issued(struct node *n, const char *result)
{
	char labels[48];

	snprintf(labels, sizeof(labels), "result=\"%s\"", result);
	metrics_inc(n->metrics, M_RECORDS_ISSUED, labels);
}

/*
 * Whether record id was issued here before, and with what: 0 not stored,
 * 1 stored with the same unsigned content (the node signed it then; its
 * stored digest in digest), 2 stored with other content, -1 the store
 * failed.  The stored copy is compared without what signing added (the
 * Signature and signedAt), in canonical form, so issuing the same file
 * twice is one record however much later.
 */
static int
issued_before(struct node *n, xmlNodePtr root, const char *id,
    char digest[65], struct err *e)
{
	xmlDocPtr old = NULL;
	xmlNodePtr oroot;
	char *xml = NULL, *a = NULL, *b = NULL;
	size_t len, alen, blen;
	int rc = -1;

	if (store_record_get(n->store, id, &xml, &len, digest, e) == -1) {
		if (e->code != ERR_NOTFOUND)
			return -1;
		err_clear(e);
		return 0;
	}
	if ((old = xml_parse(xml, len, "stored record", &xml_limits_wire,
	    e)) == NULL)
		goto done;
	oroot = xmlDocGetRootElement(old);
	dsig_unsign(oroot);
	xmlUnsetProp(root, (const xmlChar *)"signedAt");
	if (store_element_bytes(oroot, &a, &alen, e) == -1 ||
	    store_element_bytes(root, &b, &blen, e) == -1)
		goto done;
	rc = alen == blen && memcmp(a, b, alen) == 0 ? 1 : 2;
done:
	xmlFree(a);
	xmlFree(b);
	xmlFreeDoc(old);
	free(xml);
	return rc;
}

int
api_record_issue(struct node *n, const char *body, size_t len,
    struct record_issued *out, struct err *e)
{
	static const char *const roots[] = { "SupervisionRecord", NULL };
	struct supervision_record rec;
	struct dsig_info info;
	const struct trust_member *dest, *self;
	xmlDocPtr doc = NULL, check = NULL;
	xmlNodePtr root;
	char *bytes = NULL, region[3], q[LOG_Q_MAX];
	size_t blen = 0;
	int status = 400, isnew = 0;

	memset(out, 0, sizeof(*out));
	out->token = "bad-request";
	if ((doc = xml_parse(body, len, "request", &xml_limits_wire,
	    e)) == NULL || schema_validate(doc, "request", roots, e) == -1)
		goto refuse;
	root = xmlDocGetRootElement(doc);
	if (store_element_is_signed(root)) {
		err_set(e, ERR_INPUT, "request: SupervisionRecord already "
		    "carries a Signature; send it unsigned, the node signs it");
		goto refuse;
	}
	if (model_record_read(root, &rec, e) == -1 ||
	    model_record_check_id(&rec, e) == -1)
		goto refuse;
	snprintf(out->id, sizeof(out->id), "%s", rec.id);
	switch (issued_before(n, root, rec.id, out->digest, e)) {
	case -1:
		status = 500;
		out->token = "internal";
		goto refuse;
	case 1:
		issued(n, "duplicate");
		log_info("record_issue_duplicate", "record=%s digest=%s",
		    rec.id, out->digest);
		out->duplicate = 1;
		status = 200;
		goto done;
	case 2:
		status = 409;
		out->token = "conflict";
		err_set(e, ERR_CONFLICT, "supervision record %s: a different "
		    "record was issued under this Id before (stored SHA-256 "
		    "%.16s...)", rec.id, out->digest);
		goto refuse;
	}
	api_unit_region(n, &rec, region);
	if (region[0] == '\0') {
		status = 422;
		out->token = "no-region";
		err_set(e, ERR_INPUT, "record %s: the home region of unit %s "
		    "is not known: give <UnitRegion> after <Unit> (the unit "
		    "is not in this node's store)", rec.id, rec.unit_id);
		goto refuse;
	}
	if ((dest = region_member(n->trust, region)) == NULL) {
		status = 422;
		out->token = "no-region";
		err_set(e, ERR_INPUT, "record %s: UnitRegion %s: no member "
		    "with role region keeps it in the trust list", rec.id,
		    region);
		goto refuse;
	}
	snprintf(out->region, sizeof(out->region), "%s", region);
	self = trust_member_by_id(n->trust, n->conf.member_id);
	if (dsig_sign(n->sign_key, doc, e) == -1 ||
	    store_element_bytes(xmlDocGetRootElement(doc), &bytes, &blen,
	    e) == -1) {
		status = 500;
		out->token = "internal";
		goto refuse;
	}
	/* What every receiver will check: the signature under the trust list
	 * and the Issuer among this member's issuer codes. */
	if ((check = xml_parse(bytes, blen, "signed record",
	    &xml_limits_wire, e)) == NULL ||
	    verifier_record(n->verifier, check, time(NULL), &rec, &info,
	    e) == -1) {
		status = 403;
		out->token = "forbidden";
		err_prefix(e, "this node may not issue this supervision "
		    "record (it would not verify under the trust list)");
		goto refuse;
	}
	if (store_begin(n->store, e) == -1 ||
	    store_record_put_signed(n->store, &rec, bytes, blen,
	    info.content_digest, info.member_id, &isnew, out->digest, e) == -1)
		goto store_failed;
	if (!isnew) {
		/* The same signed content (issued_before saw no row: another
		 * request stored it in between). */
		if (store_commit(n->store, e) == -1)
			goto store_failed;
		issued(n, "duplicate");
		out->duplicate = 1;
		status = 200;
		goto done;
	}
	if (self == NULL || strcmp(dest->id, self->id) != 0) {
		if (store_outbox_add(n->store, rec.id, dest->id, now_ms(),
		    e) == -1)
			goto store_failed;
		snprintf(out->destination, sizeof(out->destination), "%s",
		    dest->id);
	}
	if (store_commit(n->store, e) == -1)
		goto store_failed;

	issued(n, "stored");
	api_records_publish(n);
	api_admin_record_stored(n, &rec);
	if (out->destination[0] != '\0')
		outbox_kick(n->outbox);
	log_info("record_issued", "record=%s unit=%s region=%s dest=%s "
	    "digest=%s", rec.id, rec.unit_id, region,
	    out->destination[0] != '\0' ? dest->id : "self", out->digest);
	status = 201;
	goto done;

store_failed:
	store_rollback(n->store);
	if (e->code == ERR_CONFLICT) {
		status = 409;
		out->token = "conflict";
	} else {
		status = 500;
		out->token = "internal";
	}
refuse:
	issued(n, status == 409 ? "conflict" : status >= 500 ? "error" :
	    "refused");
	log_warnx("record_issue_refused", "status=%d reason=%s msg=%s",
	    status, err_code_name(e->code), log_q(e->msg, q, sizeof(q)));
done:
	xmlFree(bytes);
	xmlFreeDoc(check);
	xmlFreeDoc(doc);
	return status;
}

static void
h_issue(struct httpd_req *r, const struct httpd_peer *peer, void *arg)
{
	struct node *n = arg;
	struct record_issued out;
	const unsigned char *body;
	char msg[400], reply[1024], a_id[200], a_dest[400], a_msg[900];
	size_t len;
	struct err e;
	int status;

	(void)peer;
	err_clear(&e);
	if (api_trust_refuse(n, r)) {
		issued(n, "refused");
		return;
	}
	if (api_admin_import_refuse(n, r)) {	/* 503: try again */
		issued(n, "error");
		return;
	}
	body = httpd_req_body(r, &len);
	status = api_record_issue(n, (const char *)body, len, &out, &e);
	if (status >= 400) {
		httpd_reply_error(r, status, out.token, "%s", e.msg);
		return;
	}
	if (out.duplicate) {
		snprintf(reply, sizeof(reply), "<?xml version=\"1.0\" "
		    "encoding=\"UTF-8\"?>\n<RecordReceipt xmlns=\"urn:lasteri:1\" "
		    "Id=\"%s\" digest=\"%s\" status=\"duplicate\">issued "
		    "before; the copy stored then is kept</RecordReceipt>\n",
		    api_xml_attr(out.id, a_id, sizeof(a_id)), out.digest);
		httpd_reply(r, 200, "application/xml; charset=utf-8", reply,
		    strlen(reply));
		return;
	}
	if (out.destination[0] != '\0')
		snprintf(msg, sizeof(msg), "delivery to %s (region %s) "
		    "queued", out.destination, out.region);
	else
		snprintf(msg, sizeof(msg), "the unit is this region's own, "
		    "nothing to deliver");
	snprintf(reply, sizeof(reply), "<?xml version=\"1.0\" encoding="
	    "\"UTF-8\"?>\n<RecordReceipt xmlns=\"urn:lasteri:1\" Id=\"%s\" "
	    "digest=\"%s\" status=\"stored\"%s%s%s>%s</RecordReceipt>\n",
	    api_xml_attr(out.id, a_id, sizeof(a_id)), out.digest,
	    out.destination[0] ? " destination=\"" : "",
	    out.destination[0] ? api_xml_attr(out.destination, a_dest,
	    sizeof(a_dest)) : "", out.destination[0] ? "\"" : "",
	    api_xml_attr(msg, a_msg, sizeof(a_msg)));
	httpd_reply(r, 201, "application/xml; charset=utf-8", reply,
	    strlen(reply));
}

static void
h_outbox(struct httpd_req *r, const struct httpd_peer *peer, void *arg)
{
	struct node *n = arg;
	struct outbox_summary sum;
	struct err e;
	char *buf = NULL, a_dest[400], a_err[800];
	size_t cap, off = 0;
	int64_t now = now_ms();
	int i, k;

	(void)peer;
	err_clear(&e);
	if (store_outbox_summary(n->store, &sum, &e) == -1) {
		httpd_reply_error(r, 500, "internal", "%s", e.msg);
		return;
	}
	cap = 512 + (size_t)sum.ndests * 1600;
	if ((buf = malloc(cap)) == NULL) {
		store_outbox_summary_clear(&sum);
		httpd_reply_error(r, 503, "unavailable", "out of memory");
		return;
	}
#define OLDEST(t)	((t) ? (long long)((now - (t)) / 1000) : 0LL)
	k = snprintf(buf, cap, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<Outbox xmlns=\"urn:lasteri:1\" pending=\"%ld\" "
	    "oldestPendingAge=\"%lld\" delivered=\"%ld\" conflict=\"%ld\" "
	    "refused=\"%ld\" cancelled=\"%ld\" inflight=\"%d\">\n",
	    sum.pending, OLDEST(sum.oldest_pending),
	    sum.count[OUTBOX_DELIVERED], sum.count[OUTBOX_CONFLICT],
	    sum.count[OUTBOX_REFUSED], sum.count[OUTBOX_CANCELLED],
	    outbox_inflight(n->outbox));
	off = k > 0 ? (size_t)k : 0;
	for (i = 0; i < sum.ndests && off < cap; i++) {
		const struct outbox_dest_summary *d = &sum.dests[i];

		k = snprintf(buf + off, cap - off, "  <Destination member="
		    "\"%s\" pending=\"%ld\" oldestPendingAge=\"%lld\" "
		    "delivered=\"%ld\" conflict=\"%ld\" refused=\"%ld\" "
		    "cancelled=\"%ld\" lastError=\"%s\"/>\n",
		    api_xml_attr(d->dest, a_dest, sizeof(a_dest)),
		    d->count[OUTBOX_PENDING], OLDEST(d->oldest_pending),
		    d->count[OUTBOX_DELIVERED], d->count[OUTBOX_CONFLICT],
		    d->count[OUTBOX_REFUSED], d->count[OUTBOX_CANCELLED],
		    api_xml_attr(d->last_error, a_err, sizeof(a_err)));
		off += k > 0 ? (size_t)k : 0;
	}
#undef OLDEST
	if (off < cap)
		k = snprintf(buf + off, cap - off, "</Outbox>\n");
	off += k > 0 ? (size_t)k : 0;
	if (off >= cap)
		httpd_reply_error(r, 500, "internal", "outbox summary too "
		    "large");
	else
		httpd_reply(r, 200, "application/xml; charset=utf-8", buf,
		    off);
	free(buf);
	store_outbox_summary_clear(&sum);
}

int
api_records_register(struct node *n, struct err *e)
{
	metrics_register(n->metrics, M_RECORDS_ISSUED, METRICS_COUNTER,
	    "Supervision records issued through the admin socket, by result "
	    "(stored, duplicate, conflict, refused, error).");
	if (httpd_route(n->httpd, HTTPD_ADMIN, HTTPD_POST,
	    "/admin/v1/supervision", h_issue, n, e) == -1 ||
	    httpd_route(n->httpd, HTTPD_ADMIN, HTTPD_GET, "/admin/v1/outbox",
	    h_outbox, n, e) == -1 || api_outbox_register(n, e) == -1)
		return -1;
	return 0;
}
