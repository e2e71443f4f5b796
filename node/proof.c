/*
 * proof.c - build and check the NationalAnswer, the signed proof of what
 * each region answered to a national query (see proof.h).
 *
 * The check re-does the asker's work from the document alone: it verifies
 * the Query and every Response as the fan-out did, then recomputes the
 * merge from the ok Responses and compares exclusive-C14N bytes, so that a
 * merged row that no region sent, or one left out, is caught.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "dsig.h"
#include "merge.h"
#include "proof.h"
#include "schema.h"
#include "trust.h"
#include "verifier.h"
#include "xml.h"

/* Libxml2's XML_DOM_RECONNS_REMOVEREDUND (see envelope.c). */
#define DOM_REMOVE_REDUNDANT	1

static const char *const fanout_statuses[] = {
	"ok", "timeout", "unreachable", "tls-error", "bad-signature", "error"
};

const char *
proof_part_name(enum proof_part p)
{
	switch (p) {
	case PROOF_OUTER:
		return "NationalAnswer";
	case PROOF_QUERY:
		return "Query";
	case PROOF_RESPONSE:
		return "Response";
	case PROOF_ROW:
		return "row";
	case PROOF_MISSING:
		return "missing";
	case PROOF_MERGED:
		return "Results";
	}
	return "?";
}

static int
status_known(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(fanout_statuses) / sizeof(fanout_statuses[0]);
	    i++)
		if (strcmp(s, fanout_statuses[i]) == 0)
			return 1;
	return 0;
}

/* --- building ---------------------------------------------------------------- */

static int
cmp_row(const void *x, const void *y)
{
	const struct proof_row *const *a = x, *const *b = y;
	int c;

	if ((c = strcmp((*a)->region, (*b)->region)) != 0)
		return c;
	return strcmp((*a)->member, (*b)->member);
}

static xmlNodePtr
text_child(xmlNodePtr parent, const char *local, const char *text)
{
	return xmlNewTextChild(parent, parent->ns, (const xmlChar *)local,
	    (const xmlChar *)text);
}

/* A base64 text child of the bytes p. */
static xmlNodePtr
b64_child(xmlNodePtr parent, const char *local, const void *p, size_t len)
{
	xmlNodePtr n;
	char *b64;

	if ((b64 = merge_base64_encode(p, len, NULL)) == NULL)
		return NULL;
	n = text_child(parent, local, b64);
	free(b64);
	return n;
}

static int
row_usage(const struct proof_row *r, struct err *e)
{
	if (r->member == NULL || r->region == NULL || r->status == NULL)
		return err_set(e, ERR_USAGE, "proof: a row without member, "
		    "region or status");
	if (!status_known(r->status))
		return err_set(e, ERR_USAGE, "proof: row %s: unknown status "
		    "\"%s\"", r->member, r->status);
	if (strcmp(r->status, "ok") == 0 && r->response == NULL)
		return err_set(e, ERR_USAGE, "proof: row %s is ok without its "
		    "Response", r->member);
	if (r->ms < 0)
		return err_set(e, ERR_USAGE, "proof: row %s: negative ms",
		    r->member);
	return 0;
}

xmlDocPtr
proof_new(const char *from, const void *query, size_t qlen,
    xmlNodePtr merged, const struct proof_row *rows, size_t nrows,
    struct err *e)
{
	const struct proof_row *sorted[PROOF_ROWS_MAX];
	unsigned char rnd[8];
	char id[32], ms[32];
	xmlDocPtr doc = NULL;
	xmlNodePtr root, res, regs, rn, copy = NULL;
	xmlNsPtr ns;
	size_t i;

	if (from == NULL || query == NULL || merged == NULL ||
	    (nrows > 0 && rows == NULL)) {
		err_set(e, ERR_USAGE, "proof: missing argument");
		return NULL;
	}
	if (nrows == 0 || nrows > PROOF_ROWS_MAX) {
		err_set(e, ERR_USAGE, "proof: %zu rows (1..%d)", nrows,
		    PROOF_ROWS_MAX);
		return NULL;
	}
	if (merged->type != XML_ELEMENT_NODE ||
	    (!xml_is(merged, "PlacementResults") &&
	    !xml_is(merged, "StatisticsResults") &&
	    !xml_is(merged, "SupervisionResults"))) {
		err_set(e, ERR_USAGE, "proof: the merged result must be a "
		    "PlacementResults, StatisticsResults or SupervisionResults "
		    "element in %s", LASTERI_NS);
		return NULL;
	}
	for (i = 0; i < nrows; i++) {
		if (row_usage(&rows[i], e) == -1)
			return NULL;
		sorted[i] = &rows[i];
	}
	qsort(sorted, nrows, sizeof(*sorted), cmp_row);
	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		err_set(e, ERR_INTERNAL, "proof: no random bytes for the Id");
		return NULL;
	}
	snprintf(id, sizeof(id), "N-%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0],
	    rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	if ((doc = xmlNewDoc((const xmlChar *)"1.0")) == NULL ||
	    (root = xmlNewDocNode(doc, NULL, (const xmlChar *)"NationalAnswer",
	    NULL)) == NULL)
		goto nomem;
	xmlDocSetRootElement(doc, root);
	if ((ns = xmlNewNs(root, (const xmlChar *)LASTERI_NS, NULL)) == NULL)
		goto nomem;
	xmlSetNs(root, ns);
	if (xmlSetProp(root, (const xmlChar *)"Id", (const xmlChar *)id) ==
	    NULL || text_child(root, "From", from) == NULL ||
	    b64_child(root, "Query", query, qlen) == NULL ||
	    (res = text_child(root, "Results", NULL)) == NULL)
		goto nomem;
	if (xmlDOMWrapCloneNode(NULL, merged->doc, merged, &copy, doc, res, 1,
	    0) != 0 || copy == NULL)
		goto nomem;
	if (xmlAddChild(res, copy) == NULL) {
		xmlFreeNode(copy);
		goto nomem;
	}
	if (xmlDOMWrapReconcileNamespaces(NULL, copy,
	    DOM_REMOVE_REDUNDANT) != 0 ||
	    (regs = text_child(root, "Regions", NULL)) == NULL)
		goto nomem;
	for (i = 0; i < nrows; i++) {
		snprintf(ms, sizeof(ms), "%ld", sorted[i]->ms);
		if ((rn = text_child(regs, "Region", NULL)) == NULL ||
		    xmlSetProp(rn, (const xmlChar *)"member",
		    (const xmlChar *)sorted[i]->member) == NULL ||
		    xmlSetProp(rn, (const xmlChar *)"region",
		    (const xmlChar *)sorted[i]->region) == NULL ||
		    xmlSetProp(rn, (const xmlChar *)"status",
		    (const xmlChar *)sorted[i]->status) == NULL ||
		    xmlSetProp(rn, (const xmlChar *)"ms",
		    (const xmlChar *)ms) == NULL)
			goto nomem;
		if (sorted[i]->detail != NULL && sorted[i]->detail[0] != '\0' &&
		    text_child(rn, "Detail", sorted[i]->detail) == NULL)
			goto nomem;
		if (sorted[i]->response != NULL && b64_child(rn, "Response",
		    sorted[i]->response, sorted[i]->response_len) == NULL)
			goto nomem;
	}
	return doc;
nomem:
	xmlFreeDoc(doc);
	err_set(e, ERR_NOMEM, "proof: out of memory");
	return NULL;
}

/* --- checking ---------------------------------------------------------------- */

struct pctx {
	struct verifier		*v;
	struct proof_report	*out;
	size_t			 cap;
	struct err		 first;		/* the first failure */
	int			 nomem;
};

void
proof_report_clear(struct proof_report *r)
{
	if (r == NULL)
		return;
	free(r->items);
	memset(r, 0, sizeof(*r));
}

static struct proof_item *
item_new(struct pctx *c, enum proof_part part)
{
	struct proof_item *it;
	size_t cap;

	if (c->out->nitems == c->cap) {
		cap = c->cap == 0 ? 16 : 2 * c->cap;
		if ((it = realloc(c->out->items, cap * sizeof(*it))) == NULL) {
			c->nomem = 1;
			return NULL;
		}
		c->out->items = it;
		c->cap = cap;
	}
	it = &c->out->items[c->out->nitems++];
	memset(it, 0, sizeof(*it));
	it->part = part;
	it->ok = 1;
	return it;
}

/* Marks it failed with e's message (its code kept for the first). */
static void
item_fail(struct pctx *c, struct proof_item *it, const struct err *e)
{
	it->ok = 0;
	snprintf(it->msg, sizeof(it->msg), "%s", e->msg);
	c->out->nfailed++;
	if (c->first.code == ERR_OK) {
		c->first.code = e->code != ERR_OK ? e->code : ERR_INPUT;
		snprintf(c->first.msg, sizeof(c->first.msg), "%s: %.480s",
		    proof_part_name(it->part), e->msg);
	}
}

static void
item_failf(struct pctx *c, struct proof_item *it, enum err_code code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
item_failf(struct pctx *c, struct proof_item *it, enum err_code code,
    const char *fmt, ...)
{
	struct err e;
	va_list ap;

	e.code = code;
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	va_end(ap);
	item_fail(c, it, &e);
}

static void
item_signer(struct proof_item *it, const struct dsig_info *di)
{
	snprintf(it->member, sizeof(it->member), "%s", di->member_id);
	snprintf(it->id, sizeof(it->id), "%s", di->doc_id);
	it->signed_at = di->signed_at;
}

static xmlNodePtr
child(xmlNodePtr n, const char *local)
{
	xmlNodePtr c;

	for (c = xml_first_elem(n); c != NULL; c = xml_next_elem(c))
		if (xml_is(c, local))
			return c;
	return NULL;
}

/* The base64 content of element n decoded. */
static int
decode(xmlNodePtr n, char **out, size_t *len, struct err *e)
{
	char *text;
	int rc;

	*out = NULL;
	if ((text = xml_text(n, e)) == NULL)
		return -1;
	rc = merge_base64_decode(text, out, len, e);
	xmlFree(text);
	return rc;
}

/* Exclusive C14N of element n as the root of a document of its own. */
static int
canon_elem(xmlNodePtr n, char **out, size_t *len, struct err *e)
{
	xmlDocPtr doc;
	xmlNodePtr copy = NULL;
	int rc = -1;

	*out = NULL;
	if ((doc = xmlNewDoc((const xmlChar *)"1.0")) == NULL)
		return err_set(e, ERR_NOMEM, "proof: out of memory");
	if (xmlDOMWrapCloneNode(NULL, n->doc, n, &copy, doc, NULL, 1, 0) !=
	    0 || copy == NULL) {
		err_set(e, ERR_NOMEM, "proof: out of memory");
		goto done;
	}
	xmlDocSetRootElement(doc, copy);
	if (xmlDOMWrapReconcileNamespaces(NULL, copy,
	    DOM_REMOVE_REDUNDANT) != 0) {
		err_set(e, ERR_NOMEM, "proof: out of memory");
		goto done;
	}
	rc = xml_canonical(doc, out, len, e);
done:
	xmlFreeDoc(doc);
	return rc;
}

/* Step 1: the outer document.  0, or -1 (nothing else can be read). */
static int
check_outer(struct pctx *c, xmlDocPtr doc, time_t now, struct dsig_info *oi)
{
	static const char *const roots[] = { "NationalAnswer", NULL };
	struct proof_item *it;
	char from[ENVELOPE_MEMBER_MAX];
	char *t = NULL;
	struct err e;

	if ((it = item_new(c, PROOF_OUTER)) == NULL)
		return -1;
	err_clear(&e);
	if (verifier_check(c->v, doc, DOC_NATIONAL, now, oi, &e) == -1) {
		item_fail(c, it, &e);
		return -1;
	}
	item_signer(it, oi);
	if (schema_validate(doc, "NationalAnswer", roots, &e) == -1) {
		item_fail(c, it, &e);
		return -1;
	}
	t = xml_text(child(xmlDocGetRootElement(doc), "From"), &e);
	snprintf(from, sizeof(from), "%s", t != NULL ? t : "");
	xmlFree(t);
	if (strcmp(from, oi->member_id) != 0) {
		item_failf(c, it, ERR_SIGNATURE, "From %s is not the signer "
		    "%s", from, oi->member_id);
		return -1;
	}
	return 0;
}

/* Step 2: the Query.  Fills q; 0, or -1 (no Response can be checked). */
static int
check_query(struct pctx *c, xmlDocPtr doc, const struct dsig_info *oi,
    struct envelope_query *q, char **qbytes)
{
	struct proof_item *it;
	struct dsig_info qi;
	xmlDocPtr qdoc = NULL;
	size_t qlen = 0;
	struct err e;
	int rc = -1;

	if ((it = item_new(c, PROOF_QUERY)) == NULL)
		return -1;
	err_clear(&e);
	if (decode(child(xmlDocGetRootElement(doc), "Query"), qbytes, &qlen,
	    &e) == -1 || (qdoc = xml_parse(*qbytes, qlen, "Query",
	    &xml_limits_wire, &e)) == NULL)
		goto fail;
	/* Who signed it and when, judged at the proof's time; then the
	 * whole check at the Query's own signing time, when its window was
	 * open. */
	if (verifier_check(c->v, qdoc, DOC_QUERY, oi->signed_at, &qi,
	    &e) == -1)
		goto fail;
	item_signer(it, &qi);
	if (strcmp(qi.member_id, oi->member_id) != 0) {
		item_failf(c, it, ERR_SIGNATURE, "query %s is signed by %s, "
		    "the proof by %s", qi.doc_id, qi.member_id, oi->member_id);
		goto done;
	}
	if (envelope_query_check(c->v, qdoc, *qbytes, qlen, oi->member_id,
	    qi.signed_at, q, NULL, &e) == -1)
		goto fail;
	/* What every Response must carry: the SHA-256 of these bytes. */
	if (EVP_Digest(*qbytes, qlen, q->digest, NULL, EVP_sha256(),
	    NULL) != 1) {
		item_failf(c, it, ERR_INTERNAL, "SHA-256 failed");
		goto done;
	}
	rc = 0;
	goto done;
fail:
	item_fail(c, it, &e);
done:
	xmlFreeDoc(qdoc);
	return rc;
}

struct okans {
	xmlDocPtr	doc;
	char		member[ENVELOPE_MEMBER_MAX];
	char		region[3];
};

/* Step 3 for one Region element. */
static void
check_row(struct pctx *c, xmlNodePtr rn, const struct dsig_info *oi,
    const struct envelope_query *q, struct okans *ok, size_t *nok,
    char seen[][ENVELOPE_MEMBER_MAX], size_t *nseen)
{
	const struct trust_member *m;
	struct envelope_response r;
	struct proof_item *it;
	xmlNodePtr resp, det;
	xmlDocPtr rdoc = NULL;
	char *bytes = NULL, *t;
	size_t len = 0, i;
	struct err e;
	xmlChar *a;
	long ms;

	resp = child(rn, "Response");
	if ((it = item_new(c, resp != NULL ? PROOF_RESPONSE : PROOF_ROW)) ==
	    NULL)
		return;
	err_clear(&e);
	if ((a = xmlGetNoNsProp(rn, (const xmlChar *)"member")) != NULL)
		snprintf(it->member, sizeof(it->member), "%s", (char *)a);
	xmlFree(a);
	if ((a = xmlGetNoNsProp(rn, (const xmlChar *)"region")) != NULL)
		snprintf(it->region, sizeof(it->region), "%s", (char *)a);
	xmlFree(a);
	if ((a = xmlGetNoNsProp(rn, (const xmlChar *)"status")) != NULL)
		snprintf(it->status, sizeof(it->status), "%s", (char *)a);
	xmlFree(a);
	if ((a = xmlGetNoNsProp(rn, (const xmlChar *)"ms")) != NULL) {
		errno = 0;
		ms = strtol((char *)a, NULL, 10);
		it->ms = errno == 0 ? ms : -1;
	}
	xmlFree(a);
	if ((det = child(rn, "Detail")) != NULL &&
	    (t = xml_text(det, NULL)) != NULL) {
		snprintf(it->msg, sizeof(it->msg), "%s", t);
		xmlFree(t);
	}
	for (i = 0; i < *nseen; i++)
		if (strcmp(seen[i], it->member) == 0) {
			item_failf(c, it, ERR_INPUT, "member %s has a second "
			    "status row", it->member);
			return;
		}
	if (*nseen < PROOF_ROWS_MAX)
		snprintf(seen[(*nseen)++], ENVELOPE_MEMBER_MAX, "%s",
		    it->member);
	m = trust_member_by_id(verifier_trust_list(c->v), it->member);
	if (m == NULL || (m->roles & TRUST_ROLE_REGION) == 0) {
		item_failf(c, it, ERR_TRUST, "member %s is not a region "
		    "member of the trust list", it->member);
		return;
	}
	if (strcmp(m->region, it->region) != 0) {
		item_failf(c, it, ERR_INPUT, "member %s is listed for region "
		    "%s, the row says %s", it->member, m->region, it->region);
		return;
	}
	if (resp == NULL) {
		if (strcmp(it->status, "ok") == 0)
			item_failf(c, it, ERR_INPUT, "region %s is ok without "
			    "its Response", it->region);
		return;
	}
	if (decode(resp, &bytes, &len, &e) == -1 ||
	    (rdoc = xml_parse(bytes, len, "Response", &xml_limits_answer,
	    &e)) == NULL) {
		item_fail(c, it, &e);
		goto done;
	}
	memset(&r, 0, sizeof(r));
	if (envelope_response_check(c->v, rdoc, it->member, q->digest,
	    q->from, oi->signed_at, &r, &e) == -1) {
		item_fail(c, it, &e);
		goto done;
	}
	item_signer(it, &r.info);
	if ((r.status == ENVELOPE_ST_OK) != (strcmp(it->status, "ok") == 0)) {
		item_failf(c, it, ERR_INPUT, "the row says %s, the region's "
		    "signed Response %s says %s", it->status, r.id,
		    envelope_status_token(r.status));
		goto done;
	}
	if (r.status == ENVELOPE_ST_OK && *nok < PROOF_ROWS_MAX) {
		ok[*nok].doc = rdoc;
		snprintf(ok[*nok].member, sizeof(ok[*nok].member), "%s",
		    it->member);
		snprintf(ok[*nok].region, sizeof(ok[*nok].region), "%s",
		    it->region);
		(*nok)++;
		rdoc = NULL;
	}
done:
	xmlFreeDoc(rdoc);
	free(bytes);
}

/* Step 4: a row for every region member of the list. */
static void
check_complete(struct pctx *c, char seen[][ENVELOPE_MEMBER_MAX],
    size_t nseen)
{
	const struct trust_list *tl = verifier_trust_list(c->v);
	const struct trust_member *m;
	struct proof_item *it;
	size_t j;
	int i;

	for (i = 0; i < trust_member_count(tl); i++) {
		m = trust_member_at(tl, i);
		if ((m->roles & TRUST_ROLE_REGION) == 0)
			continue;
		for (j = 0; j < nseen; j++)
			if (strcmp(seen[j], m->id) == 0)
				break;
		if (j < nseen)
			continue;
		if ((it = item_new(c, PROOF_MISSING)) == NULL)
			return;
		snprintf(it->member, sizeof(it->member), "%s", m->id);
		snprintf(it->region, sizeof(it->region), "%s", m->region);
		item_failf(c, it, ERR_INPUT, "region %s (member %s) of the "
		    "trust list has no status row: the answer is not complete",
		    m->region, m->id);
	}
}

/* Step 5: the merged result is the merge of the ok answers. */
static void
check_merged(struct pctx *c, xmlDocPtr doc, const struct dsig_info *oi,
    const struct envelope_query *q, const struct okans *ok, size_t nok)
{
	struct merge_answer a[PROOF_ROWS_MAX];
	struct merge_result mr;
	struct proof_item *it;
	xmlNodePtr res;
	char *want = NULL, *have = NULL;
	size_t wl = 0, hl = 0, i;
	struct err e;

	memset(&mr, 0, sizeof(mr));
	if ((it = item_new(c, PROOF_MERGED)) == NULL)
		return;
	err_clear(&e);
	it->count = nok;
	for (i = 0; i < nok; i++) {
		/* The results element of a Response checked above. */
		res = child(xmlDocGetRootElement(ok[i].doc), "Results");
		a[i].member = ok[i].member;
		a[i].region = ok[i].region;
		a[i].results = res != NULL ? xml_first_elem(res) : NULL;
	}
	res = xml_first_elem(child(xmlDocGetRootElement(doc), "Results"));
	if (res == NULL) {
		item_failf(c, it, ERR_INPUT, "no merged result");
		goto done;
	}
	if (merge_run(q, c->v, oi->signed_at, a, nok, &mr, &e) == -1 ||
	    canon_elem(xmlDocGetRootElement(mr.doc), &want, &wl, &e) == -1 ||
	    canon_elem(res, &have, &hl, &e) == -1) {
		item_fail(c, it, &e);
		goto done;
	}
	if (wl != hl || memcmp(want, have, wl) != 0) {
		for (i = 0; i < wl && i < hl && want[i] == have[i]; i++)
			;
		item_failf(c, it, ERR_CONFLICT, "the merged %s is not the "
		    "merge of the %zu ok Responses (they differ from byte "
		    "%zu of its canonical form)", (const char *)res->name, nok,
		    i);
	}
done:
	xmlFree(want);
	xmlFree(have);
	merge_result_clear(&mr);
}

int
proof_check(struct verifier *v, xmlDocPtr doc, time_t now,
    struct proof_report *out, struct err *e)
{
	char (*seen)[ENVELOPE_MEMBER_MAX] = NULL;
	struct okans *ok = NULL;
	struct envelope_query q;
	struct dsig_info oi;
	struct pctx c;
	xmlNodePtr rn;
	char *qbytes = NULL;
	size_t nok = 0, nseen = 0, i;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (v == NULL || doc == NULL || out == NULL)
		return err_set(e, ERR_USAGE, "proof check: missing argument");
	memset(&c, 0, sizeof(c));
	c.v = v;
	c.out = out;
	memset(&oi, 0, sizeof(oi));
	if ((seen = calloc(PROOF_ROWS_MAX, sizeof(*seen))) == NULL ||
	    (ok = calloc(PROOF_ROWS_MAX, sizeof(*ok))) == NULL) {
		c.nomem = 1;
		goto done;
	}
	if (check_outer(&c, doc, now, &oi) == -1 ||
	    check_query(&c, doc, &oi, &q, &qbytes) == -1)
		goto done;
	for (rn = xml_first_elem(child(xmlDocGetRootElement(doc), "Regions"));
	    rn != NULL && !c.nomem; rn = xml_next_elem(rn))
		check_row(&c, rn, &oi, &q, ok, &nok, seen, &nseen);
	check_complete(&c, seen, nseen);
	check_merged(&c, doc, &oi, &q, ok, nok);
done:
	for (i = 0; ok != NULL && i < nok; i++)
		xmlFreeDoc(ok[i].doc);
	free(ok);
	free(seen);
	free(qbytes);
	if (c.nomem)
		return err_set(e, ERR_NOMEM, "proof check: out of memory");
	if (out->nfailed > 0) {
		if (e != NULL)
			*e = c.first;
		return -1;
	}
	return 0;
}
