/*
 * merge.c - the national answer merged from the regions' verified answers
 * (see merge.h for the rules of each kind).
 *
 * Each kind reads the answers' result elements into small C arrays, merges
 * them there and writes one new element; nothing is taken on trust from an
 * answer beyond what the Response's schema and signature already fixed:
 * values are re-read whole, and an answer that does not fit is left out
 * with a note rather than half merged.  The output is deterministic (a
 * function of the answers and the Query), so proof.c can recompute it.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <openssl/evp.h>

#include "dsig.h"
#include "merge.h"
#include "merge_internal.h"
#include "model.h"
#include "schema.h"
#include "verifier.h"
#include "xml.h"

/* Libxml2's XML_DOM_RECONNS_REMOVEREDUND (see envelope.c). */
#define DOM_REMOVE_REDUNDANT	1

const char *
merge_note_name(enum merge_note_kind k)
{
	switch (k) {
	case MERGE_NOTE_EXCLUDED:
		return "excluded";
	case MERGE_NOTE_DROPPED:
		return "dropped";
	case MERGE_NOTE_CONFLICT:
		return "conflict";
	}
	return "?";
}

void
merge_result_clear(struct merge_result *r)
{
	if (r == NULL)
		return;
	xmlFreeDoc(r->doc);
	free(r->notes);
	memset(r, 0, sizeof(*r));
}

/* --- base64 ----------------------------------------------------------------- */

int
merge_base64_decode(const char *text, char **out, size_t *len, struct err *e)
{
	size_t n = 0, i, pad = 0;
	char *clean = NULL, *buf = NULL;
	int dl;

	*out = NULL;
	*len = 0;
	if ((clean = malloc(strlen(text) + 1)) == NULL)
		return err_set(e, ERR_NOMEM, "base64: out of memory");
	for (i = 0; text[i] != '\0'; i++) {
		if (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' ||
		    text[i] == '\r')
			continue;
		if (!isalnum((unsigned char)text[i]) && text[i] != '+' &&
		    text[i] != '/' && text[i] != '=') {
			free(clean);
			return err_set(e, ERR_INPUT, "base64: character 0x%02x "
			    "at offset %zu", (unsigned char)text[i], i);
		}
		clean[n++] = text[i];
	}
	clean[n] = '\0';
	if (n % 4 != 0 || n > INT_MAX) {
		free(clean);
		return err_set(e, ERR_INPUT, "base64: %zu characters is not a "
		    "whole number of groups", n);
	}
	for (i = n; i > 0 && i > n - 2 && clean[i - 1] == '='; i--)
		pad++;
	if (strchr(clean, '=') != NULL && strchr(clean, '=') != clean + n - pad) {
		free(clean);
		return err_set(e, ERR_INPUT, "base64: padding inside the data");
	}
	if ((buf = malloc(n / 4 * 3 + 1)) == NULL) {
		free(clean);
		return err_set(e, ERR_NOMEM, "base64: out of memory");
	}
	dl = n == 0 ? 0 : EVP_DecodeBlock((unsigned char *)buf,
	    (unsigned char *)clean, (int)n);
	free(clean);
	if (dl < 0 || (size_t)dl < pad) {
		free(buf);
		return err_set(e, ERR_INPUT, "base64: not valid base64");
	}
	*len = (size_t)dl - pad;
	buf[*len] = '\0';
	*out = buf;
	return 0;
}

char *
merge_base64_encode(const void *p, size_t len, struct err *e)
{
	char *out;

	if (len > (size_t)INT_MAX / 4 * 3 ||
	    (out = malloc((len + 2) / 3 * 4 + 1)) == NULL) {
		err_set(e, ERR_NOMEM, "base64: out of memory");
		return NULL;
	}
	EVP_EncodeBlock((unsigned char *)out, p, (int)len);
	return out;
}

/* --- common -------------------------------------------------------------- */

void
mg_note(struct mctx *m, enum merge_note_kind k, const struct merge_answer *a,
    const char *id, const char *fmt, ...)
{
	struct merge_result *r = m->out;
	struct merge_note *nn;
	va_list ap;
	size_t cap;

	if (r->nnotes == m->notecap) {
		cap = m->notecap == 0 ? 8 : 2 * m->notecap;
		if ((nn = realloc(r->notes, cap * sizeof(*nn))) == NULL) {
			m->nomem = 1;
			return;
		}
		r->notes = nn;
		m->notecap = cap;
	}
	nn = &r->notes[r->nnotes++];
	memset(nn, 0, sizeof(*nn));
	nn->kind = k;
	snprintf(nn->region, sizeof(nn->region), "%s", a->region);
	snprintf(nn->id, sizeof(nn->id), "%s", id != NULL ? id : "");
	va_start(ap, fmt);
	vsnprintf(nn->reason, sizeof(nn->reason), fmt, ap);
	va_end(ap);
	if (k == MERGE_NOTE_EXCLUDED)
		r->nexcluded++;
	else if (k == MERGE_NOTE_DROPPED)
		r->ndropped++;
	else
		r->nconflicts++;
}

/* The whole text of element n into dst, or -1. */
int
mg_text_of(xmlNodePtr n, char *dst, size_t size)
{
	char *t;
	int rc = -1;

	if (n == NULL || (t = xml_text(n, NULL)) == NULL)
		return -1;
	if (strlen(t) < size) {
		snprintf(dst, size, "%s", t);
		rc = 0;
	}
	xmlFree(t);
	return rc;
}

/* The first child element named local. */
xmlNodePtr
mg_child(xmlNodePtr n, const char *local)
{
	xmlNodePtr c;

	for (c = xml_first_elem(n); c != NULL; c = xml_next_elem(c))
		if (xml_is(c, local))
			return c;
	return NULL;
}

/* A decimal long, whole, into *out; -1 on anything else. */
int
mg_parse_long(const char *s, long *out)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

int
mg_attr_long(xmlNodePtr n, const char *name, long *out)
{
	xmlChar *s = xmlGetNoNsProp(n, (const xmlChar *)name);
	int rc;

	if (s == NULL)
		return 1;
	rc = mg_parse_long((const char *)s, out);
	xmlFree(s);
	return rc;
}

int
mg_attr_copy(xmlNodePtr n, const char *name, char *dst, size_t size)
{
	xmlChar *s = xmlGetNoNsProp(n, (const xmlChar *)name);
	int rc = -1;

	if (s != NULL && strlen((const char *)s) < size) {
		snprintf(dst, size, "%s", (const char *)s);
		rc = 0;
	}
	xmlFree(s);
	return rc;
}

/* A new document whose root is local in urn:lasteri:1. */
xmlDocPtr
mg_doc_new(const char *local, xmlNodePtr *root)
{
	xmlDocPtr doc;
	xmlNsPtr ns;

	if ((doc = xmlNewDoc((const xmlChar *)"1.0")) == NULL)
		return NULL;
	if ((*root = xmlNewDocNode(doc, NULL, (const xmlChar *)local,
	    NULL)) == NULL) {
		xmlFreeDoc(doc);
		return NULL;
	}
	xmlDocSetRootElement(doc, *root);
	if ((ns = xmlNewNs(*root, (const xmlChar *)LASTERI_NS, NULL)) == NULL) {
		xmlFreeDoc(doc);
		return NULL;
	}
	xmlSetNs(*root, ns);
	return doc;
}

xmlNodePtr
mg_elem_new(xmlNodePtr parent, const char *local)
{
	return xmlNewChild(parent, parent->ns, (const xmlChar *)local, NULL);
}

int
mg_set_attr_long(xmlNodePtr n, const char *name, long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", v);
	return xmlSetProp(n, (const xmlChar *)name, (const xmlChar *)buf) ==
	    NULL ? -1 : 0;
}

/* A deep copy of src (another document's) as the last child of parent. */
static xmlNodePtr
copy_into(xmlNodePtr parent, xmlNodePtr src)
{
	xmlNodePtr copy = NULL;

	if (xmlDOMWrapCloneNode(NULL, src->doc, src, &copy, parent->doc,
	    parent, 1, 0) != 0 || copy == NULL)
		return NULL;
	if (xmlAddChild(parent, copy) == NULL) {
		xmlFreeNode(copy);
		return NULL;
	}
	if (xmlDOMWrapReconcileNamespaces(NULL, copy,
	    DOM_REMOVE_REDUNDANT) != 0)
		return NULL;
	return copy;
}

/* Answers in region code order (then member ID). */
static int
cmp_answer(const void *x, const void *y)
{
	const struct merge_answer *a = x, *b = y;
	int c;

	if ((c = strcmp(a->region, b->region)) != 0)
		return c;
	return strcmp(a->member, b->member);
}

/* The answer's results are the element local, else a note; 1 when so. */
int
mg_answer_is(struct mctx *m, const struct merge_answer *a, const char *local)
{
	if (a->results == NULL) {
		mg_note(m, MERGE_NOTE_EXCLUDED, a, NULL, "region %s: no results",
		    a->region);
		return 0;
	}
	if (!xml_is(a->results, local)) {
		mg_note(m, MERGE_NOTE_EXCLUDED, a, NULL, "region %s answered with "
		    "%s, not %s", a->region, (const char *)a->results->name,
		    local);
		return 0;
	}
	return 1;
}

/* --- placement ----------------------------------------------------------- */

struct prow {
	char		 unit[ID_MAX + 1];
	char		 region[3];	/* the Result's Region */
	long		 score;
	size_t		 ans;		/* index into m->a: region order */
	int		 home;		/* Region == the answering region */
	xmlNodePtr	 node;
};

/* Same unit together; in a unit, the home region's first, then region
 * order. */
static int
cmp_prow_unit(const void *x, const void *y)
{
	const struct prow *a = x, *b = y;
	int c;

	if ((c = strcmp(a->unit, b->unit)) != 0)
		return c;
	if (a->home != b->home)
		return b->home - a->home;
	return (a->ans > b->ans) - (a->ans < b->ans);
}

/* node/search.c's order: score descending, then unit ID. */
static int
cmp_prow_rank(const void *x, const void *y)
{
	const struct prow *a = x, *b = y;

	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return strcmp(a->unit, b->unit);
}

/* The rows of one answer appended to *rows; 0, or -1 (noted) to leave the
 * answer out. */
static int
placement_read(struct mctx *m, size_t ai, struct prow **rows, size_t *nrows,
    size_t *cap)
{
	const struct merge_answer *a = &m->a[ai];
	struct prow *r, *nr;
	xmlNodePtr c;
	char score[32];
	size_t first = *nrows, k = 0;

	for (c = xml_first_elem(a->results); c != NULL; c = xml_next_elem(c)) {
		if (!xml_is(c, "Result") || ++k > PER_ANSWER_MAX)
			goto bad;
		if (*nrows == *cap) {
			*cap = *cap == 0 ? 64 : 2 * *cap;
			if ((nr = realloc(*rows, *cap * sizeof(*nr))) == NULL) {
				m->nomem = 1;
				return -1;
			}
			*rows = nr;
		}
		r = &(*rows)[*nrows];
		memset(r, 0, sizeof(*r));
		if (mg_text_of(mg_child(c, "Unit"), r->unit, sizeof(r->unit)) == -1 ||
		    mg_text_of(mg_child(c, "Region"), r->region,
		    sizeof(r->region)) == -1 ||
		    mg_text_of(mg_child(c, "Score"), score, sizeof(score)) == -1 ||
		    mg_parse_long(score, &r->score) == -1)
			goto bad;
		r->ans = ai;
		r->home = strcmp(r->region, a->region) == 0;
		r->node = c;
		(*nrows)++;
	}
	return 0;
bad:
	*nrows = first;
	mg_note(m, MERGE_NOTE_EXCLUDED, a, NULL, "region %s: PlacementResults: "
	    "after row %zu, not a Result with a Unit, Region and Score (or "
	    "more than %d rows)", a->region, k > 0 ? k - 1 : 0,
	    PER_ANSWER_MAX);
	return -1;
}

static int
merge_placement(struct mctx *m)
{
	struct prow *rows = NULL;
	size_t nrows = 0, cap = 0, i, w, limit;
	long scanned = 0, matched = 0, x;
	int any_scanned = 0, any_matched = 0, rc = -1;
	xmlNodePtr root, copy;
	xmlDocPtr doc = NULL;

	for (i = 0; i < m->n; i++) {
		if (!mg_answer_is(m, &m->a[i], "PlacementResults"))
			continue;
		if (placement_read(m, i, &rows, &nrows, &cap) == -1) {
			if (m->nomem)
				goto done;
			continue;
		}
		if (mg_attr_long(m->a[i].results, "scanned", &x) == 0 && x >= 0) {
			scanned += x;
			any_scanned = 1;
		}
		if (mg_attr_long(m->a[i].results, "matched", &x) == 0 && x >= 0) {
			matched += x;
			any_matched = 1;
		}
	}
	/* One row per unit: the first of each run after the sort. */
	if (nrows > 1)
		qsort(rows, nrows, sizeof(*rows), cmp_prow_unit);
	for (i = 0, w = 0; i < nrows; i++)
		if (w == 0 || strcmp(rows[w - 1].unit, rows[i].unit) != 0)
			rows[w++] = rows[i];
	nrows = w;
	if (nrows > 1)
		qsort(rows, nrows, sizeof(*rows), cmp_prow_rank);
	limit = m->q->search.limit > 0 ? (size_t)m->q->search.limit : 20;
	if (nrows > limit)
		nrows = limit;
	if ((doc = mg_doc_new("PlacementResults", &root)) == NULL ||
	    (any_scanned && mg_set_attr_long(root, "scanned", scanned) == -1) ||
	    (any_matched && mg_set_attr_long(root, "matched", matched) == -1))
		goto nomem;
	for (i = 0; i < nrows; i++) {
		if ((copy = copy_into(root, rows[i].node)) == NULL ||
		    xmlSetProp(copy, (const xmlChar *)"answeredBy",
		    (const xmlChar *)m->a[rows[i].ans].region) == NULL)
			goto nomem;
	}
	m->out->doc = doc;
	doc = NULL;
	rc = 0;
	goto done;
nomem:
	m->nomem = 1;
done:
	xmlFreeDoc(doc);
	free(rows);
	return rc;
}

/* --- supervision ------------------------------------------------------------ */

struct srec {
	char		 id[ID_MAX + 1];
	char		 opened[DATE_LEN + 1];
	char		 unit_region[3];
	unsigned char	 digest[32];	/* signed content */
	size_t		 ans;
	int		 home;
	char		*bytes;
	size_t		 len;
};

static int
cmp_srec_id(const void *x, const void *y)
{
	const struct srec *a = x, *b = y;
	int c;

	if ((c = strcmp(a->id, b->id)) != 0)
		return c;
	if (a->home != b->home)
		return b->home - a->home;
	return (a->ans > b->ans) - (a->ans < b->ans);
}

static int
cmp_srec_date(const void *x, const void *y)
{
	const struct srec *a = x, *b = y;
	int c;

	if ((c = strcmp(a->opened, b->opened)) != 0)
		return c;
	return strcmp(a->id, b->id);
}

/* The record is about what the SupervisionLookup asked. */
static int
record_asked(const struct envelope_lookup *l,
    const struct supervision_record *r)
{
	if (l->unit_id[0] != '\0')
		return strcmp(r->unit_id, l->unit_id) == 0;
	return strcmp(r->provider_ytunnus, l->business_id) == 0;
}

/* One SignedRecord of answer ai checked into *s; 0, or -1 with e set. */
static int
record_check(struct mctx *m, size_t ai, xmlNodePtr n, struct srec *s,
    struct supervision_record *rec, struct err *e)
{
	static const char *const roots[] = { "SupervisionRecord", NULL };
	struct dsig_info info;
	xmlDocPtr doc = NULL;
	char *text = NULL;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	if ((text = xml_text(n, e)) == NULL ||
	    merge_base64_decode(text, &s->bytes, &s->len, e) == -1 ||
	    (doc = xml_parse(s->bytes, s->len, "SignedRecord",
	    &xml_limits_wire, e)) == NULL ||
	    schema_validate(doc, "SignedRecord", roots, e) == -1 ||
	    verifier_record(m->v, doc, m->now, rec, &info, e) == -1 ||
	    model_record_check_id(rec, e) == -1)
		goto done;
	if (!record_asked(&m->q->lookup, rec)) {
		err_set(e, ERR_INPUT, "record %s is about unit %s of provider "
		    "%s, not what was asked", rec->id, rec->unit_id,
		    rec->provider_ytunnus);
		goto done;
	}
	snprintf(s->id, sizeof(s->id), "%s", rec->id);
	snprintf(s->opened, sizeof(s->opened), "%s", rec->opened);
	snprintf(s->unit_region, sizeof(s->unit_region), "%s",
	    rec->unit_region);
	memcpy(s->digest, info.content_digest, sizeof(s->digest));
	s->ans = ai;
	s->home = rec->unit_region[0] != '\0' &&
	    strcmp(rec->unit_region, m->a[ai].region) == 0;
	rc = 0;
done:
	if (rc == -1) {
		free(s->bytes);
		s->bytes = NULL;
	}
	xmlFree(text);
	xmlFreeDoc(doc);
	return rc;
}

static int
merge_supervision(struct mctx *m)
{
	struct supervision_record *rec = NULL;
	struct srec *recs = NULL, *nr;
	size_t nrec = 0, cap = 0, i, j, w, k;
	xmlNodePtr root, c, sn;
	xmlDocPtr doc = NULL;
	struct err e;
	char *b64;
	int rc = -1;

	if (m->v == NULL)
		return -2;
	if ((rec = malloc(sizeof(*rec))) == NULL)
		goto nomem;
	for (i = 0; i < m->n; i++) {
		if (!mg_answer_is(m, &m->a[i], "SupervisionResults"))
			continue;
		k = 0;
		for (c = xml_first_elem(m->a[i].results); c != NULL;
		    c = xml_next_elem(c))
			k++;
		if (k > PER_ANSWER_MAX) {
			mg_note(m, MERGE_NOTE_EXCLUDED, &m->a[i], NULL, "region "
			    "%s: more than %d records", m->a[i].region,
			    PER_ANSWER_MAX);
			continue;
		}
		for (c = xml_first_elem(m->a[i].results); c != NULL;
		    c = xml_next_elem(c)) {
			if (nrec == cap) {
				cap = cap == 0 ? 16 : 2 * cap;
				if ((nr = realloc(recs, cap * sizeof(*nr))) ==
				    NULL)
					goto nomem;
				recs = nr;
			}
			err_clear(&e);
			if (!xml_is(c, "SignedRecord")) {
				mg_note(m, MERGE_NOTE_DROPPED, &m->a[i], NULL,
				    "region %s: %s is not a SignedRecord",
				    m->a[i].region, (const char *)c->name);
				continue;
			}
			memset(rec, 0, sizeof(*rec));
			if (record_check(m, i, c, &recs[nrec], rec, &e) == 0) {
				nrec++;
				continue;
			}
			if (e.code == ERR_NOMEM)
				goto nomem;
			mg_note(m, MERGE_NOTE_DROPPED, &m->a[i], rec->id,
			    "region %s: record %s: %s (%s)", m->a[i].region,
			    rec->id[0] != '\0' ? rec->id : "(unread)", e.msg,
			    err_code_name(e.code));
		}
	}
	/* One per Id: the home region's copy, else the first in region
	 * order; a copy with other content is a conflict. */
	if (nrec > 1)
		qsort(recs, nrec, sizeof(*recs), cmp_srec_id);
	for (i = 0, w = 0; i < nrec; i++) {
		if (w > 0 && strcmp(recs[w - 1].id, recs[i].id) == 0) {
			if (memcmp(recs[w - 1].digest, recs[i].digest, 32) != 0)
				mg_note(m, MERGE_NOTE_CONFLICT, &m->a[recs[i].ans],
				    recs[i].id, "record %s: region %s's copy "
				    "differs from region %s's, which is kept "
				    "(%s)", recs[i].id, m->a[recs[i].ans].region,
				    m->a[recs[w - 1].ans].region,
				    recs[w - 1].home ? "the unit's home region" :
				    "the first in region code order");
			free(recs[i].bytes);
			continue;
		}
		recs[w++] = recs[i];
	}
	nrec = w;
	if (nrec > 1)
		qsort(recs, nrec, sizeof(*recs), cmp_srec_date);
	if ((doc = mg_doc_new("SupervisionResults", &root)) == NULL)
		goto nomem;
	for (j = 0; j < nrec; j++) {
		if ((b64 = merge_base64_encode(recs[j].bytes, recs[j].len,
		    NULL)) == NULL)
			goto nomem;
		sn = xmlNewTextChild(root, root->ns,
		    (const xmlChar *)"SignedRecord", (const xmlChar *)b64);
		free(b64);
		if (sn == NULL || xmlSetProp(sn, (const xmlChar *)"answeredBy",
		    (const xmlChar *)m->a[recs[j].ans].region) == NULL)
			goto nomem;
	}
	m->out->doc = doc;
	doc = NULL;
	rc = 0;
	goto done;
nomem:
	m->nomem = 1;
done:
	for (j = 0; j < nrec; j++)
		free(recs[j].bytes);
	free(recs);
	free(rec);
	xmlFreeDoc(doc);
	return rc;
}

/* --- the door ---------------------------------------------------------------- */

int
merge_run(const struct envelope_query *q, struct verifier *v, time_t now,
    const struct merge_answer *a, size_t n, struct merge_result *out,
    struct err *e)
{
	struct merge_answer sorted[MERGE_ANSWER_MAX];
	struct mctx m;
	size_t i;
	int rc;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (q == NULL || out == NULL || (n > 0 && a == NULL))
		return err_set(e, ERR_USAGE, "merge: missing argument");
	if (n > MERGE_ANSWER_MAX)
		return err_set(e, ERR_USAGE, "merge: %zu answers (at most %d)",
		    n, MERGE_ANSWER_MAX);
	for (i = 0; i < n; i++) {
		if (a[i].member == NULL || a[i].region == NULL ||
		    strlen(a[i].region) != 2)
			return err_set(e, ERR_USAGE, "merge: answer %zu has no "
			    "member or region code", i);
		sorted[i] = a[i];
	}
	if (n > 1)
		qsort(sorted, n, sizeof(*sorted), cmp_answer);
	memset(&m, 0, sizeof(m));
	m.q = q;
	m.v = v;
	m.now = now;
	m.a = sorted;
	m.n = n;
	m.out = out;
	switch (q->kind) {
	case ENVELOPE_SEARCH:
		rc = merge_placement(&m);
		break;
	case ENVELOPE_STATISTICS:
		if ((int)q->stats.by < 0 || (int)q->stats.by > 2)
			return err_set(e, ERR_USAGE, "merge: unknown By %d",
			    (int)q->stats.by);
		rc = merge_statistics(&m);
		break;
	case ENVELOPE_LOOKUP:
		rc = merge_supervision(&m);
		break;
	default:
		return err_set(e, ERR_USAGE, "merge: unknown query kind %d",
		    (int)q->kind);
	}
	if (rc == -2)
		return err_set(e, ERR_USAGE, "merge: supervision records need "
		    "a verifier to be re-verified");
	if (m.nomem || rc == -1) {
		merge_result_clear(out);
		return err_set(e, ERR_NOMEM, "merge: out of memory");
	}
	return 0;
}
