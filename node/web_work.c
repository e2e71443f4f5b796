/*
 * web_work.c - the pages where people change something (see web.h):
 * supervision (/supervision: the record form, open deadlines, the overdue
 * list, planned visits), the provider's free places (/provider) and
 * administration (/admin: accounts, the node's status, the audit trail).
 *
 * A supervision record from the form is built as the XML the admin socket
 * takes and issued through the same function (api_record_issue(): schema,
 * signature by the node, the check that it verifies under the trust list,
 * storage, delivery to the unit's home region); a schema error is shown
 * beside the field it names.  A provider's free-places update is checked
 * on the server against the business ID the provider's account is bound
 * to, whatever the form says; the node then stores the unit with the new
 * figure and its time, signed by the node, and rebuilds the search data.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/tree.h>
#include <openssl/rand.h>

#include "api_admin.h"
#include "api_fed.h"
#include "dsig.h"
#include "html.h"
#include "httpd.h"
#include "log.h"
#include "model.h"
#include "node.h"
#include "outbox.h"
#include "qindex.h"
#include "store.h"
#include "store_account.h"
#include "store_import.h"
#include "store_outbox.h"
#include "store_query.h"
#include "store_web.h"
#include "store_witness.h"
#include "trust.h"
#include "vocab.h"
#include "web_internal.h"
#include "xml.h"
#include "ytunnus.h"

#define FINDINGS_FORM	3	/* finding rows on the form */
#define NS		"urn:lasteri:1"

static void
today(char buf[11], time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, 11, "%Y-%m-%d", &tm);
}

static const char *
fv(const struct wreq *q, const char *name)
{
	const char *v = web_form(q, name, 0);

	return v != NULL ? v : "";
}

/* --- supervision ------------------------------------------------------------ */

struct wsup {
	char	field[32];	/* the form field in error, "" */
	char	msg[ERR_MSG_MAX];
};

/* The form field of an XSD element named in a libxml2 message. */
static void
field_of(const char *msg, struct wsup *ws)
{
	static const struct { const char *elem, *field; } map[] = {
		{ "Kind", "kind" }, { "UnitRegion", "unit-region" },
		{ "Unit", "unit" }, { "ProviderBusinessId", "provider" },
		{ "Issuer", "issuer" }, { "CaseNumber", "case-number" },
		{ "Opened", "opened" }, { "VisitDate", "visit-date" },
		{ "Theme", "theme" }, { "Finding", "finding" },
		{ "Measures", "measures" }, { "Deadline", "deadline" },
		{ "Status", "status" }, { "Outcome", "outcome" },
		{ "Follows", "follows" }, { "PublicSummary", "summary" },
		{ NULL, NULL }
	};
	const char *p;
	char elem[40];
	size_t i, n;

	snprintf(ws->msg, sizeof(ws->msg), "%s", msg);
	/* "request:2: Unit: [facet 'pattern'] ..." or libxml2's own
	 * "Element '{urn:lasteri:1}Unit': ...". */
	if ((p = strstr(msg, "{" NS "}")) != NULL) {
		p += strlen("{" NS "}");
		n = strcspn(p, "'");
	} else if (strncmp(msg, "request:", 8) == 0) {
		p = msg + 8 + strspn(msg + 8, "0123456789");
		if (strncmp(p, ": ", 2) != 0)
			return;
		p += 2;
		n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
		if (p[n] != ':')
			return;
	} else
		return;
	if (n >= sizeof(elem))
		return;
	memcpy(elem, p, n);
	elem[n] = '\0';
	for (i = 0; map[i].elem != NULL; i++)
		if (strcmp(map[i].elem, elem) == 0) {
			snprintf(ws->field, sizeof(ws->field), "%s",
			    map[i].field);
			return;
		}
}

static void
err_beside(struct wreq *q, const struct wsup *ws, const char *field)
{
	if (ws != NULL && strcmp(ws->field, field) == 0)
		html_f(&q->h, "<span class=\"field-error\" id=\"err-%s\">%s"
		    "</span>", field, ws->msg);
}

static void
text_input(struct wreq *q, const struct wsup *ws, const char *name,
    const char *label, const char *type, int required, const char *hint)
{
	int bad = ws != NULL && strcmp(ws->field, name) == 0;

	html_f(&q->h, "<p><label for=\"f-%s\">%s</label>", name, label);
	if (hint != NULL)
		html_f(&q->h, "<small id=\"hint-%s\">%s</small><br>", name,
		    hint);
	html_f(&q->h, "<input id=\"f-%s\" name=\"%s\" type=\"%s\" "
	    "value=\"%s\"%s%s%s%s>", name, name, type, ws != NULL ?
	    fv(q, name) : "", required ? " required" : "", bad ?
	    " aria-invalid=\"true\" aria-describedby=\"err-" : "", bad ? name :
	    "", bad ? "\"" : "");
	err_beside(q, ws, name);
	html_raw(&q->h, "</p>\n");
}

static void
vocab_select(struct wreq *q, const struct wsup *ws, const char *name,
    const char *label, const struct vocab *v, int optional)
{
	const char *cur = ws != NULL ? fv(q, name) : "";
	int i;

	html_f(&q->h, "<p><label for=\"f-%s\">%s</label><select id=\"f-%s\" "
	    "name=\"%s\">", name, label, name, name);
	if (optional)
		html_f(&q->h, "<option value=\"\">%s</option>", _("none"));
	for (i = 0; vocab_token(v, i) != NULL; i++)
		html_f(&q->h, "<option value=\"%s\"%s>%s</option>",
		    vocab_token(v, i), strcmp(cur, vocab_token(v, i)) == 0 ?
		    " selected" : "", web_vocab(v, i));
	html_raw(&q->h, "</select>");
	err_beside(q, ws, name);
	html_raw(&q->h, "</p>\n");
}

static void
record_form(struct wreq *q, const struct wsup *ws)
{
	const struct trust_member *self = trust_member_by_id(q->n->trust,
	    q->n->conf.member_id);
	char day[11], name[32];
	int i, j;

	today(day, time(NULL));
	html_f(&q->h, "<h2 id=\"issue\">%s</h2>\n<form method=\"post\" "
	    "action=\"/supervision\" id=\"record-form\">\n", _("Issue a "
	    "supervision record"));
	web_csrf_field(q);
	html_f(&q->h, "<p class=\"note\">%s</p>\n<div class=\"grid\">\n",
	    _("The node signs the record and delivers it to the unit's home "
	    "region. A record is about a unit and its provider, never about a "
	    "child: write no personal data."));
	vocab_select(q, ws, "kind", _("Kind"), &vocab_record_kind, 0);
	text_input(q, ws, "unit", _("Unit ID"), "text", 1, NULL);
	html_f(&q->h, "<p><label for=\"f-unit-region\">%s</label><select "
	    "id=\"f-unit-region\" name=\"unit-region\"><option value=\"\">%s"
	    "</option>", _("Unit's home region"), _("as kept here"));
	for (i = 0; i < REGION_COUNT; i++)
		html_f(&q->h, "<option value=\"%s\"%s>%s %s</option>",
		    regions[i].code, ws != NULL && strcmp(fv(q,
		    "unit-region"), regions[i].code) == 0 ? " selected" : "",
		    regions[i].code, regions[i].name);
	html_raw(&q->h, "</select>");
	err_beside(q, ws, "unit-region");
	html_raw(&q->h, "</p>\n");
	text_input(q, ws, "provider", _("Provider's business ID"), "text", 0,
	    _("1234567-8; may be left empty for this region's own units"));
	html_f(&q->h, "<p><label for=\"f-issuer\">%s</label><select "
	    "id=\"f-issuer\" name=\"issuer\">", _("Issuer"));
	for (i = 0; self != NULL && i < self->nissuers; i++)
		html_f(&q->h, "<option value=\"%s\"%s>%s</option>",
		    self->issuers[i], ws != NULL && strcmp(fv(q, "issuer"),
		    self->issuers[i]) == 0 ? " selected" : "",
		    self->issuers[i]);
	html_raw(&q->h, "</select>");
	err_beside(q, ws, "issuer");
	html_raw(&q->h, "</p>\n");
	text_input(q, ws, "case-number", _("Case number"), "text", 0, NULL);
	if (ws == NULL)
		html_f(&q->h, "<p><label for=\"f-opened\">%s</label><input "
		    "id=\"f-opened\" name=\"opened\" type=\"date\" value=\"%s\" "
		    "required></p>\n", _("Opened"), day);
	else
		text_input(q, ws, "opened", _("Opened"), "date", 1, NULL);
	text_input(q, ws, "visit-date", _("Visit date (planned or made)"),
	    "date", 0, NULL);
	text_input(q, ws, "deadline", _("Deadline for correcting"), "date",
	    0, NULL);
	vocab_select(q, ws, "status", _("Status"), &vocab_record_status, 0);
	vocab_select(q, ws, "outcome", _("Outcome"), &vocab_outcome, 1);
	text_input(q, ws, "follows", _("Follows record (ID)"), "text", 0,
	    NULL);
	text_input(q, ws, "theme", _("Theme"), "text", 0, NULL);
	html_raw(&q->h, "</div>\n");
	for (i = 1; i <= FINDINGS_FORM; i++) {
		html_f(&q->h, "<fieldset><legend>%s %d</legend>", _("Finding"),
		    i);
		snprintf(name, sizeof(name), "finding-category-%d", i);
		html_f(&q->h, "<label for=\"f-%s\">%s</label><select id=\"f-%s\" "
		    "name=\"%s\"><option value=\"\">%s</option>", name,
		    _("Category"), name, name, _("none"));
		for (j = 0; vocab_token(&vocab_finding_category, j) != NULL;
		    j++)
			html_f(&q->h, "<option value=\"%s\"%s>%s</option>",
			    vocab_token(&vocab_finding_category, j), ws != NULL &&
			    strcmp(fv(q, name), vocab_token(
			    &vocab_finding_category, j)) == 0 ? " selected" :
			    "", web_vocab(&vocab_finding_category, j));
		snprintf(name, sizeof(name), "finding-severity-%d", i);
		html_f(&q->h, "</select> <label for=\"f-%s\">%s</label><select "
		    "id=\"f-%s\" name=\"%s\">", name, _("Severity"), name, name);
		for (j = 0; vocab_token(&vocab_severity, j) != NULL; j++)
			html_f(&q->h, "<option value=\"%s\"%s>%s</option>",
			    vocab_token(&vocab_severity, j), ws != NULL &&
			    strcmp(fv(q, name), vocab_token(&vocab_severity,
			    j)) == 0 ? " selected" : "",
			    web_vocab(&vocab_severity, j));
		snprintf(name, sizeof(name), "finding-text-%d", i);
		html_f(&q->h, "</select><label for=\"f-%s\">%s</label><textarea "
		    "id=\"f-%s\" name=\"%s\" rows=\"2\" maxlength=\"1024\">%s"
		    "</textarea></fieldset>\n", name, _("What was found"), name,
		    name, ws != NULL ? fv(q, name) : "");
	}
	err_beside(q, ws, "finding");
	html_f(&q->h, "<p><label for=\"f-measures\">%s</label><textarea "
	    "id=\"f-measures\" name=\"measures\" rows=\"3\" maxlength=\"1024\">"
	    "%s</textarea>", _("Measures demanded"), ws != NULL ? fv(q,
	    "measures") : "");
	err_beside(q, ws, "measures");
	html_f(&q->h, "</p>\n<p><label for=\"f-summary\">%s</label><textarea "
	    "id=\"f-summary\" name=\"summary\" rows=\"3\" maxlength=\"1024\">%s"
	    "</textarea>", _("Public summary"), ws != NULL ? fv(q, "summary") :
	    "");
	err_beside(q, ws, "summary");
	html_f(&q->h, "</p>\n<p><button type=\"submit\">%s</button></p>\n"
	    "</form>\n", _("Sign and issue"));
}

static void
deadline_table(struct wreq *q, const char *id, const char *caption,
    const struct store_web_deadline *d, size_t n, time_t now)
{
	char day[11];
	size_t i;

	if (n == 0) {
		html_f(&q->h, "<p id=\"%s\">%s: %s</p>\n", id, caption,
		    _("none"));
		return;
	}
	html_f(&q->h, "<table id=\"%s\">\n<caption>%s</caption>\n<thead><tr>"
	    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
	    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
	    "<th scope=\"col\">%s</th></tr></thead>\n<tbody>\n", id, caption,
	    _("Deadline"), _("Unit"), _("Kind"), _("Issuer"), _("Record"));
	for (i = 0; i < n; i++) {
		today(day, d[i].deadline);
		html_f(&q->h, "<tr data-record-id=\"%s\"><td%s>%s</td><td><a "
		    "href=\"/units/%u\">%s</a></td><td>%s</td><td>%s</td>"
		    "<td>%s</td></tr>\n", d[i].id, d[i].deadline < now ?
		    " class=\"serious\"" : "", day, d[i].unit_id,
		    d[i].unit_name[0] ? d[i].unit_name : d[i].unit_id,
		    web_vocab(&vocab_record_kind, vocab_find(&vocab_record_kind,
		    d[i].kind)), d[i].issuer, d[i].id);
	}
	html_raw(&q->h, "</tbody>\n</table>\n");
}

struct visits {
	struct wreq	*q;
	char		 today[11];
	int		 n;
};

static int
visit_row(void *arg, const char *id, const char *xml, size_t len)
{
	struct visits *v = arg;
	struct wreq *q = v->q;
	struct supervision_record rec;
	xmlDocPtr doc;
	struct err e;

	(void)id;
	err_clear(&e);
	if ((doc = xml_parse(xml, len, "record", &xml_limits_wire, &e)) ==
	    NULL)
		return 0;
	if (model_record_read(xmlDocGetRootElement(doc), &rec, &e) == 0 &&
	    rec.visit_date[0] != '\0' && strcmp(rec.visit_date, v->today) >=
	    0) {
		if (v->n++ == 0)
			html_f(&q->h, "<table id=\"visits\">\n<caption>%s"
			    "</caption>\n<thead><tr><th scope=\"col\">%s</th>"
			    "<th scope=\"col\">%s</th><th scope=\"col\">%s"
			    "</th><th scope=\"col\">%s</th></tr></thead>\n"
			    "<tbody>\n", _("Planned visits (shared with the "
			    "other authorities through the records)"),
			    _("Visit date"), _("Unit"), _("Kind"),
			    _("Issuer"));
		html_f(&q->h, "<tr data-record-id=\"%s\"><td>%s</td><td><a "
		    "href=\"/units/%u\">%s</a></td><td>%s</td><td>%s</td>"
		    "</tr>\n", rec.id, rec.visit_date, rec.unit_id, rec.unit_id,
		    web_vocab(&vocab_record_kind, rec.kind), rec.issuer);
	}
	xmlFreeDoc(doc);
	return 0;
}

static void
supervision_page(struct wreq *q, const struct wsup *ws, int status,
    const char *done)
{
	struct store_web_deadline *d = NULL;
	struct visits v;
	time_t now = time(NULL);
	size_t n = 0, nover = 0, i;
	struct err e;

	web_page_begin(q, _("Supervision"));
	if (done != NULL)
		html_f(&q->h, "<p class=\"ok\" role=\"status\" id=\"issued\">%s"
		    "</p>\n", done);
	if (ws != NULL)
		html_f(&q->h, "<p class=\"error\" role=\"alert\">%s %s</p>\n",
		    _("The record was not issued:"), ws->msg);
	html_f(&q->h, "<p><a href=\"#issue\">%s</a> · <a href=\"#overdue\">%s"
	    "</a> · <a href=\"#deadlines\">%s</a> · <a href=\"#visits-h\">%s"
	    "</a></p>\n", _("Issue a record"), _("Overdue"),
	    _("Corrective demands and deadlines"), _("Planned visits"));
	err_clear(&e);
	if (store_web_deadlines(q->n->store, 0, &d, &n, &e) == -1)
		html_f(&q->h, "<p class=\"error\">%s</p>\n", e.msg);
	for (i = 0; i < n && d[i].deadline < now - 86400 + 1; i++)
		nover++;
	html_f(&q->h, "<h2 id=\"overdue-h\">%s</h2>\n", _("Overdue"));
	deadline_table(q, "overdue", _("Open records past their deadline"), d,
	    nover, now);
	html_f(&q->h, "<h2 id=\"deadlines-h\">%s</h2>\n",
	    _("Corrective demands and deadlines"));
	deadline_table(q, "deadlines", _("Open records with a deadline, "
	    "earliest first"), d, n, now);
	free(d);
	html_f(&q->h, "<h2 id=\"visits-h\">%s</h2>\n", _("Planned visits"));
	memset(&v, 0, sizeof(v));
	v.q = q;
	today(v.today, now);
	if (store_web_visits(q->n->store, visit_row, &v, &e) == -1)
		html_f(&q->h, "<p class=\"error\">%s</p>\n", e.msg);
	if (v.n == 0)
		html_f(&q->h, "<p id=\"visits\">%s</p>\n", _("No planned "
		    "visits."));
	else
		html_raw(&q->h, "</tbody>\n</table>\n");
	record_form(q, ws);
	web_page_end(q, status);
}

static void
page_supervision(struct wreq *q)
{
	supervision_page(q, NULL, 200, NULL);
}

static void
text_child(xmlNodePtr root, xmlNsPtr ns, const char *name, const char *v)
{
	if (v != NULL && *v != '\0')
		xmlNewTextChild(root, ns, (const xmlChar *)name,
		    (const xmlChar *)v);
}

/* The record of the form as unsigned XML; -1 with ws filled. */
static int
record_xml(struct wreq *q, struct wsup *ws, char **out, size_t *len)
{
	static const char *const required[] = { "kind", "unit", "issuer",
	    "opened", "status", NULL };
	xmlDocPtr doc;
	xmlNodePtr root, f;
	xmlNsPtr ns;
	unsigned char rnd[4];
	char id[80], day[11], stamp[32], name[32], bid[16], region[3];
	const char *cat, *sev, *txt, *provider = fv(q, "provider");
	struct tm tm;
	time_t now = time(NULL);
	struct err e;
	int i, n = 0;

	for (i = 0; required[i] != NULL; i++)
		if (*fv(q, required[i]) == '\0') {
			snprintf(ws->field, sizeof(ws->field), "%s",
			    required[i]);
			snprintf(ws->msg, sizeof(ws->msg), "%s", _("This "
			    "field is needed."));
			return -1;
		}
	err_clear(&e);
	if (*provider == '\0') {
		/* A unit of this region: its provider from the store. */
		char *uxml = NULL;
		size_t ulen;
		xmlDocPtr udoc;
		struct unit *u;

		if (store_unit_get(q->n->store, fv(q, "unit"), &uxml, &ulen,
		    &e) == -1) {
			snprintf(ws->field, sizeof(ws->field), "provider");
			snprintf(ws->msg, sizeof(ws->msg), "%s", _("The unit is "
			    "not kept here: give its provider's business "
			    "ID."));
			return -1;
		}
		bid[0] = '\0';
		if ((u = calloc(1, sizeof(*u))) != NULL &&
		    (udoc = xml_parse(uxml, ulen, "unit", &xml_limits_wire,
		    &e)) != NULL) {
			if (model_unit_read(xmlDocGetRootElement(udoc), u,
			    &e) == 0)
				snprintf(bid, sizeof(bid), "%s",
				    u->provider_ytunnus);
			xmlFreeDoc(udoc);
		}
		free(u);
		free(uxml);
		provider = bid;
	} else if (!ytunnus_is_valid(provider)) {
		snprintf(ws->field, sizeof(ws->field), "provider");
		snprintf(ws->msg, sizeof(ws->msg), "%s", _("Not a valid "
		    "business ID (1234567-8, with its check digit)."));
		return -1;
	}
	snprintf(region, sizeof(region), "%s", fv(q, "unit-region"));
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return -1;
	today(day, now);
	snprintf(id, sizeof(id), "%s-%.4s%.2s%.2s-%02x%02x%02x%02x",
	    fv(q, "issuer"), day, day + 5, day + 8, rnd[0], rnd[1], rnd[2],
	    rnd[3]);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	doc = xmlNewDoc((const xmlChar *)"1.0");
	root = xmlNewNode(NULL, (const xmlChar *)"SupervisionRecord");
	ns = xmlNewNs(root, (const xmlChar *)NS, NULL);
	xmlSetNs(root, ns);
	xmlDocSetRootElement(doc, root);
	xmlNewProp(root, (const xmlChar *)"Id", (const xmlChar *)id);
	text_child(root, ns, "Kind", fv(q, "kind"));
	text_child(root, ns, "Unit", fv(q, "unit"));
	text_child(root, ns, "UnitRegion", region);
	text_child(root, ns, "ProviderBusinessId", provider);
	text_child(root, ns, "Issuer", fv(q, "issuer"));
	text_child(root, ns, "CaseNumber", fv(q, "case-number"));
	text_child(root, ns, "Opened", fv(q, "opened"));
	text_child(root, ns, "VisitDate", fv(q, "visit-date"));
	text_child(root, ns, "Theme", fv(q, "theme"));
	for (i = 1; i <= FINDINGS_FORM; i++) {
		snprintf(name, sizeof(name), "finding-category-%d", i);
		cat = fv(q, name);
		snprintf(name, sizeof(name), "finding-severity-%d", i);
		sev = fv(q, name);
		snprintf(name, sizeof(name), "finding-text-%d", i);
		txt = fv(q, name);
		if (*cat == '\0' && *txt == '\0')
			continue;
		f = xmlNewTextChild(root, ns, (const xmlChar *)"Finding",
		    (const xmlChar *)txt);
		xmlNewProp(f, (const xmlChar *)"category",
		    (const xmlChar *)cat);
		xmlNewProp(f, (const xmlChar *)"severity",
		    (const xmlChar *)sev);
		n++;
	}
	text_child(root, ns, "Measures", fv(q, "measures"));
	text_child(root, ns, "Deadline", fv(q, "deadline"));
	text_child(root, ns, "Status", fv(q, "status"));
	text_child(root, ns, "Outcome", fv(q, "outcome"));
	text_child(root, ns, "Follows", fv(q, "follows"));
	text_child(root, ns, "PublicSummary", fv(q, "summary"));
	text_child(root, ns, "Issued", stamp);
	if (xml_serialize(doc, out, len, &e) == -1) {
		xmlFreeDoc(doc);
		snprintf(ws->msg, sizeof(ws->msg), "%s", e.msg);
		return -1;
	}
	xmlFreeDoc(doc);
	(void)n;
	return 0;
}

static void
page_supervision_post(struct wreq *q)
{
	struct record_issued out;
	struct wsup ws;
	char *xml = NULL, done[512];
	size_t len;
	struct err e;
	int status;

	memset(&ws, 0, sizeof(ws));
	if (record_xml(q, &ws, &xml, &len) == -1) {
		supervision_page(q, &ws, 400, NULL);
		return;
	}
	err_clear(&e);
	status = api_record_issue(q->n, xml, len, &out, &e);
	free(xml);
	if (status >= 400) {
		field_of(e.msg, &ws);
		supervision_page(q, &ws, status == 500 ? 500 : 400, NULL);
		return;
	}
	web_audit(q, "record-issued", "record=%s unit=%s kind=%s", out.id,
	    fv(q, "unit"), fv(q, "kind"));
	if (out.destination[0] != '\0')
		snprintf(done, sizeof(done), _("Record %s was signed and "
		    "stored; its delivery to region %s is queued."), out.id,
		    out.region);
	else
		snprintf(done, sizeof(done), _("Record %s was signed and "
		    "stored (the unit is this region's own)."), out.id);
	supervision_page(q, NULL, status, done);
}

static void
page_sup(struct wreq *q)
{
	if (httpd_req_method(q->r) == HTTPD_POST)
		page_supervision_post(q);
	else
		page_supervision(q);
}

/* --- provider ----------------------------------------------------------------- */

struct punits {
	struct wreq	*q;
	const char	*bid;
	int		 n;
};

static int
provider_row(void *arg, const char *id, const char *xml, size_t len)
{
	struct punits *p = arg;
	struct wreq *q = p->q;
	struct unit *u;
	xmlDocPtr doc;
	struct err e;

	(void)id;
	err_clear(&e);
	if ((u = calloc(1, sizeof(*u))) == NULL)
		return -1;
	if ((doc = xml_parse(xml, len, "unit", &xml_limits_wire, &e)) !=
	    NULL && model_unit_read(xmlDocGetRootElement(doc), u, &e) == 0 &&
	    strcmp(u->provider_ytunnus, p->bid) == 0) {
		if (p->n++ == 0)
			html_f(&q->h, "<table id=\"units\">\n<caption>%s"
			    "</caption>\n<thead><tr><th scope=\"col\">%s</th>"
			    "<th scope=\"col\" class=\"num\">%s</th>"
			    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
			    "</tr></thead>\n<tbody>\n", _("Your units in this "
			    "region"), _("Unit"), _("Free places"),
			    _("Updated"), _("New figure"));
		html_f(&q->h, "<tr data-unit-id=\"%s\"><th scope=\"row\">%s"
		    "<br><small>%s</small></th><td class=\"num\">%d</td><td>",
		    u->id, u->name, u->id, u->free_places);
		web_age(q, u->free_updated);
		html_f(&q->h, "</td><td><form method=\"post\" "
		    "action=\"/provider\">", "");
		web_csrf_field(q);
		html_f(&q->h, "<input type=\"hidden\" name=\"unit\" value=\"%s\">"
		    "<label for=\"fp-%s\">%s %s</label><input id=\"fp-%s\" "
		    "name=\"free-places\" type=\"number\" min=\"0\" max=\"%d\" "
		    "value=\"%d\" required> <button type=\"submit\">%s</button>"
		    "</form></td></tr>\n", u->id, u->id, _("Free places in"),
		    u->name, u->id, u->places > 0 ? u->places : 999,
		    u->free_places, _("Save"));
	}
	xmlFreeDoc(doc);
	free(u);
	return 0;
}

static void
provider_page(struct wreq *q, int status, const char *msg, int error)
{
	struct punits p;
	struct err e;

	web_page_begin(q, _("My units"));
	if (msg != NULL)
		html_f(&q->h, "<p class=\"%s\" role=\"%s\" id=\"saved\">%s</p>\n",
		    error ? "error" : "ok", error ? "alert" : "status", msg);
	html_f(&q->h, "<p>%s <strong>%s</strong>. %s</p>\n", _("Business ID"),
	    q->s->business_id, _("Keep the free places current: the social "
	    "workers' search shows each figure with its age."));
	memset(&p, 0, sizeof(p));
	p.q = q;
	p.bid = q->s->business_id;
	err_clear(&e);
	if (store_web_provider_units(q->n->store, p.bid, provider_row, &p,
	    &e) == -1)
		html_f(&q->h, "<p class=\"error\">%s</p>\n", e.msg);
	else if (p.n == 0)
		html_f(&q->h, "<p>%s</p>\n", _("This region's node keeps no "
		    "units of yours."));
	else
		html_raw(&q->h, "</tbody>\n</table>\n");
	web_page_end(q, status);
}

/* Stores unit id with free places fp, signed, when bid provides it;
 * the HTTP status (403 not the provider's). */
static int
free_places_update(struct wreq *q, const char *id, int fp, struct err *e)
{
	struct unit *u = NULL;
	xmlDocPtr doc = NULL;
	xmlNodePtr root, c, fpn = NULL;
	char *xml = NULL, *out = NULL, stamp[32], num[16];
	size_t len, olen;
	struct tm tm;
	time_t now = time(NULL);
	int status = 500;

	if (store_unit_get(q->n->store, id, &xml, &len, e) == -1) {
		status = e->code == ERR_NOTFOUND ? 403 : 500;
		goto done;
	}
	if ((u = calloc(1, sizeof(*u))) == NULL ||
	    (doc = xml_parse(xml, len, "unit", &xml_limits_wire, e)) == NULL ||
	    model_unit_read(xmlDocGetRootElement(doc), u, e) == -1)
		goto done;
	if (strcmp(u->provider_ytunnus, q->s->business_id) != 0) {
		err_set(e, ERR_INPUT, "unit %s is not provided by %s", id,
		    q->s->business_id);
		status = 403;
		goto done;
	}
	if (fp < 0 || (u->places > 0 && fp > u->places)) {
		err_set(e, ERR_INPUT, "%s", _("Free places must be from 0 to "
		    "the unit's licensed places."));
		status = 400;
		goto done;
	}
	root = xmlDocGetRootElement(doc);
	dsig_unsign(root);
	for (c = xml_first_elem(root); c != NULL; c = xml_next_elem(c))
		if (xml_is(c, "FreePlaces"))
			fpn = c;
	if (fpn == NULL) {
		err_set(e, ERR_INPUT, "unit %s has no FreePlaces", id);
		goto done;
	}
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(num, sizeof(num), "%d", fp);
	xmlNodeSetContent(fpn, (const xmlChar *)num);
	xmlSetProp(fpn, (const xmlChar *)"updated", (const xmlChar *)stamp);
	if (dsig_sign(q->n->sign_key, doc, e) == -1 ||
	    xml_serialize(doc, &out, &olen, e) == -1)
		goto done;
	u->free_places = fp;
	u->free_updated = now;
	u->updated = now;
	if (store_begin(q->n->store, e) == -1)
		goto done;
	if (store_unit_put(q->n->store, u, out, olen, e) == -1 ||
	    store_commit(q->n->store, e) == -1) {
		store_rollback(q->n->store);
		goto done;
	}
	qindex_rebuild(q->n->qindex);
	status = 200;
done:
	free(out);
	xmlFreeDoc(doc);
	free(xml);
	free(u);
	return status;
}

static void
page_provider(struct wreq *q)
{
	const char *id, *v;
	char msg[300], *end;
	long fp;
	struct err e;
	int status;

	if (httpd_req_method(q->r) == HTTPD_GET) {
		provider_page(q, 200, NULL, 0);
		return;
	}
	id = fv(q, "unit");
	v = fv(q, "free-places");
	fp = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || fp < 0 || fp > 999) {
		provider_page(q, 400, _("Give the free places as a whole number "
		    "from 0 up."), 1);
		return;
	}
	err_clear(&e);
	status = free_places_update(q, id, (int)fp, &e);
	if (status == 403) {
		web_audit(q, "free-places-refused", "unit=%s", id);
		log_info("web_free_places_refused", "account=%s unit=%s",
		    q->s->account, id);
		provider_page(q, 403, _("You may update only your own units."),
		    1);
		return;
	}
	if (status != 200) {
		provider_page(q, status, e.msg, 1);
		return;
	}
	web_audit(q, "free-places", "unit=%s free-places=%ld", id, fp);
	snprintf(msg, sizeof(msg), _("Saved: %ld free places in unit %s, "
	    "signed by the node."), fp, id);
	provider_page(q, 200, msg, 0);
}

/* --- administration --------------------------------------------------------------- */

static void
admin_accounts(struct wreq *q, const char *created, const char *pw)
{
	struct account *a = NULL;
	size_t n = 0, i;
	struct err e;
	static const char *const roles[] = { "social-worker", "supervisor",
	    "provider", "admin" };

	html_f(&q->h, "<h2 id=\"accounts-h\">%s</h2>\n", _("Accounts"));
	if (created != NULL)
		html_f(&q->h, "<p class=\"ok\" role=\"status\" id=\"created\">"
		    "%s <strong>%s</strong>. %s <code id=\"new-password\">%s"
		    "</code></p>\n", _("Account created:"), created,
		    _("Its first password, shown only now:"), pw);
	err_clear(&e);
	if (store_account_list(q->n->store, &a, &n, &e) == -1)
		html_f(&q->h, "<p class=\"error\">%s</p>\n", e.msg);
	html_f(&q->h, "<table id=\"accounts\">\n<thead><tr><th scope=\"col\">"
	    "%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
	    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n"
	    "<tbody>\n", _("User name"), _("Role"), _("Business ID"),
	    _("State"), _("Action"));
	for (i = 0; i < n; i++) {
		html_f(&q->h, "<tr><th scope=\"row\">%s</th><td>%s</td>"
		    "<td>%s</td><td>%s</td><td>", a[i].name,
		    account_role_name(a[i].role), a[i].business_id,
		    a[i].disabled ? _("disabled") : _("in use"));
		if (!a[i].disabled) {
			html_raw(&q->h, "<form method=\"post\" "
			    "action=\"/admin/disable\">");
			web_csrf_field(q);
			html_f(&q->h, "<input type=\"hidden\" name=\"name\" "
			    "value=\"%s\"><button type=\"submit\" "
			    "class=\"secondary\">%s <span class=\"visually-"
			    "hidden\">%s</span></button></form>", a[i].name,
			    _("Disable"), a[i].name);
		}
		html_raw(&q->h, "</td></tr>\n");
	}
	html_raw(&q->h, "</tbody>\n</table>\n");
	free(a);
	html_f(&q->h, "<h3>%s</h3>\n<form method=\"post\" action=\"/admin\">",
	    _("New account"));
	web_csrf_field(q);
	html_f(&q->h, "<div class=\"grid\"><p><label for=\"f-name\">%s</label>"
	    "<input id=\"f-name\" name=\"name\" required maxlength=\"64\"></p>"
	    "<p><label for=\"f-role\">%s</label><select id=\"f-role\" "
	    "name=\"role\">", _("User name"), _("Role"));
	for (i = 0; i < 4; i++)
		html_f(&q->h, "<option value=\"%s\">%s</option>", roles[i],
		    roles[i]);
	html_f(&q->h, "</select></p><p><label for=\"f-bid\">%s</label><input "
	    "id=\"f-bid\" name=\"business-id\" maxlength=\"9\"></p></div>"
	    "<p><button type=\"submit\">%s</button></p></form>\n",
	    _("Business ID (providers only)"), _("Create"));
}

static void
admin_outbox(struct wreq *q, const struct outbox_summary *sum)
{
	int i;

	if (sum->ndests == 0)
		return;
	html_f(&q->h, "<table id=\"outbox\">\n<caption>%s</caption>\n<thead>"
	    "<tr><th scope=\"col\">%s</th><th scope=\"col\" class=\"num\">%s"
	    "</th><th scope=\"col\" class=\"num\">%s</th><th scope=\"col\">"
	    "%s</th></tr></thead>\n<tbody>\n", _("Deliveries by destination"),
	    _("Member"), _("waiting"), _("delivered"), _("Last error"));
	for (i = 0; i < sum->ndests; i++)
		html_f(&q->h, "<tr><th scope=\"row\">%s</th><td class=\"num\">"
		    "%ld</td><td class=\"num\">%ld</td><td>%s</td></tr>\n",
		    sum->dests[i].dest, sum->dests[i].count[OUTBOX_PENDING],
		    sum->dests[i].count[OUTBOX_DELIVERED],
		    sum->dests[i].last_error);
	html_raw(&q->h, "</tbody>\n</table>\n");
}

/* The trust list's members and, for the regions, the newest checkpoint
 * of theirs this node's witness verified. */
static void
admin_peers(struct wreq *q, const struct trust_list *tl)
{
	const struct trust_member *m;
	struct store_witnessed wd;
	char seen[32];
	struct tm tm;
	struct err e;
	int i, found;

	if (tl == NULL)
		return;
	html_f(&q->h, "<table id=\"peers\">\n<caption>%s</caption>\n<thead>"
	    "<tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
	    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
	    "<th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
	    _("Members of the federation"), _("Member"), _("Region"),
	    _("Roles"), _("Address"), _("Log witnessed"));
	for (i = 0; i < trust_member_count(tl); i++) {
		m = trust_member_at(tl, i);
		html_f(&q->h, "<tr><th scope=\"row\">%s<br><small>%s</small>"
		    "</th><td>%s</td><td>%s%s%s%s</td><td>%s</td><td>", m->name,
		    m->id, m->region, m->roles & TRUST_ROLE_REGION ? "region " :
		    "", m->roles & TRUST_ROLE_SUPERVISOR ? "supervisor " : "",
		    m->roles & TRUST_ROLE_COORDINATOR ? "coordinator " : "",
		    m->roles & TRUST_ROLE_AUDITOR ? "auditor" : "",
		    m->endpoint);
		err_clear(&e);
		memset(&wd, 0, sizeof(wd));
		if (store_witnessed_latest(q->n->store, m->id, &wd, &found,
		    &e) == 0 && found) {
			gmtime_r(&wd.seen, &tm);
			strftime(seen, sizeof(seen), "%Y-%m-%d %H:%M", &tm);
			html_f(&q->h, "%lld (%s)", (long long)wd.size, seen);
		} else
			html_raw(&q->h, "-");
		store_witnessed_clear(&wd);
		html_raw(&q->h, "</td></tr>\n");
	}
	html_raw(&q->h, "</tbody>\n</table>\n");
}

static void
admin_status(struct wreq *q)
{
	const struct trust_list *tl = q->n->trust;
	struct outbox_summary sum;
	struct query_log_row rows[10];
	struct store_witness_alarm *al = NULL;
	struct web_audit *au = NULL;
	char t1[32];
	struct tm tm;
	time_t exp;
	size_t na = 0, i;
	int nr = 0, nal = 0, k;
	struct err e;

	html_f(&q->h, "<h2>%s</h2>\n<dl class=\"facts\" id=\"status\">\n",
	    _("Node status"));
	html_f(&q->h, "<dt>%s</dt><dd>%s</dd>\n", _("Member"),
	    q->n->conf.member_id);
	if (tl != NULL) {
		exp = trust_expires(tl);
		gmtime_r(&exp, &tm);
		strftime(t1, sizeof(t1), "%Y-%m-%d %H:%M UTC", &tm);
		html_f(&q->h, "<dt>%s</dt><dd>%lld</dd><dt>%s</dt><dd>%s%s"
		    "</dd>\n", _("Trust list sequence"),
		    (long long)trust_sequence(tl), _("Trust list expires"), t1,
		    exp <= time(NULL) ? " ✗" : "");
		html_f(&q->h, "<dt>%s</dt><dd>%d</dd>\n", _("Members listed"),
		    trust_member_count(tl));
	}
	err_clear(&e);
	if (store_outbox_summary(q->n->store, &sum, &e) == 0) {
		html_f(&q->h, "<dt>%s</dt><dd>%ld %s, %ld %s</dd>\n",
		    _("Outbox"), sum.pending, _("waiting"),
		    sum.count[OUTBOX_DELIVERED], _("delivered"));
		html_raw(&q->h, "</dl>\n");
		admin_outbox(q, &sum);
		store_outbox_summary_clear(&sum);
	} else
		html_raw(&q->h, "</dl>\n");
	admin_peers(q, tl);
	html_f(&q->h, "<h3>%s</h3>\n", _("Last national queries answered"));
	if (store_query_log_list(q->n->store, 10, rows, &nr, &e) == 0 &&
	    nr > 0) {
		html_f(&q->h, "<table id=\"queries\">\n<thead><tr><th "
		    "scope=\"col\">%s</th><th scope=\"col\">%s</th><th "
		    "scope=\"col\">%s</th><th scope=\"col\" class=\"num\">%s</th>"
		    "<th scope=\"col\" class=\"num\">ms</th></tr></thead>\n"
		    "<tbody>\n", _("Asker"), _("Kind"), _("Status"),
		    _("Results"));
		for (k = 0; k < nr; k++)
			html_f(&q->h, "<tr><td>%s</td><td>%s</td><td>%s</td>"
			    "<td class=\"num\">%ld</td><td class=\"num\">%ld"
			    "</td></tr>\n", rows[k].asker, rows[k].kind,
			    rows[k].status, rows[k].results, rows[k].ms);
		html_raw(&q->h, "</tbody>\n</table>\n");
	} else
		html_f(&q->h, "<p>%s</p>\n", _("none"));
	html_f(&q->h, "<h3>%s</h3>\n", _("Witness alarms"));
	if (store_witness_alarms(q->n->store, 20, &al, &nal, &e) == 0 &&
	    nal > 0) {
		html_raw(&q->h, "<ul id=\"alarms\">\n");
		for (k = 0; k < nal; k++)
			html_f(&q->h, "<li class=\"serious\">%s: %s — %s</li>\n",
			    al[k].peer, al[k].kind, al[k].detail);
		html_raw(&q->h, "</ul>\n");
	} else
		html_f(&q->h, "<p id=\"alarms\">%s</p>\n", _("none"));
	free(al);
	html_f(&q->h, "<h2>%s</h2>\n", _("Audit trail"));
	web_audit_flush(q->w);
	if (store_web_audit_list(q->n->store, 50, 0, &au, &na, &e) == 0 &&
	    na > 0) {
		html_f(&q->h, "<table id=\"audit\">\n<thead><tr><th scope=\"col\">"
		    "%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr>"
		    "</thead>\n<tbody>\n", _("Time"), _("Account"),
		    _("Address"), _("Action"), _("Detail"));
		for (i = 0; i < na; i++) {
			time_t at = (time_t)(au[i].at_ms / 1000);

			gmtime_r(&at, &tm);
			strftime(t1, sizeof(t1), "%Y-%m-%d %H:%M:%S", &tm);
			html_f(&q->h, "<tr><td>%s</td><td>%s</td><td>%s</td>"
			    "<td>%s</td><td>%s</td></tr>\n", t1, au[i].account,
			    au[i].addr, au[i].action, au[i].detail);
		}
		html_raw(&q->h, "</tbody>\n</table>\n");
	} else
		html_f(&q->h, "<p>%s</p>\n", _("none"));
	free(au);
}

static void
admin_import_form(struct wreq *q)
{
	html_f(&q->h, "<h2 id=\"import-h\">%s</h2>\n<p class=\"note\">%s</p>\n"
	    "<form method=\"post\" enctype=\"multipart/form-data\" "
	    "action=\"/admin/import?csrf=%s\" id=\"import-form\"><p><label "
	    "for=\"f-dataset\">%s</label><input type=\"file\" id=\"f-dataset\" "
	    "name=\"dataset\" accept=\".xml,application/xml\" required></p><p>"
	    "<button type=\"submit\">%s</button></p></form>\n", _("Import"),
	    _("A Dataset, Unit, ProcurementDefinition or SupervisionRecord "
	    "document of this region (XML), checked against the schemas; all "
	    "or nothing. A unit or procurement definition already stored "
	    "under the same ID is replaced. Larger data sets go through "
	    "lasteri import."), q->s->csrf, _("File"), _("Import"));
}

static void
admin_page(struct wreq *q, int status, const char *msg, const char *created,
    const char *pw)
{
	web_page_begin(q, _("Administration"));
	if (msg != NULL)
		html_f(&q->h, "<p class=\"%s\" role=\"%s\" id=\"admin-msg\">%s"
		    "</p>\n", status < 400 ? "ok" : "error", status < 400 ?
		    "status" : "alert", msg);
	admin_accounts(q, created, pw);
	admin_import_form(q);
	admin_status(q);
	web_page_end(q, status);
}

static void
import_done(void *arg, const struct store_import_stats *st, int files,
    const struct err *e)
{
	struct wreq *q = arg;
	char msg[300];

	web_lang_begin(q->lang);
	if (st == NULL) {
		web_audit(q, "import-refused", "%s", e->msg);
		admin_page(q, 422, e->msg, NULL, NULL);
		return;
	}
	web_audit(q, "import", "units=%ld procurements=%ld records=%ld",
	    st->units, st->procurements, st->records);
	snprintf(msg, sizeof(msg), _("Imported: %ld units, %ld procurement "
	    "definitions, %ld supervision records."), st->units,
	    st->procurements, st->records);
	(void)files;
	admin_page(q, 200, msg, NULL, NULL);
}

static void
page_admin_import(struct wreq *q)
{
	const unsigned char *p;
	unsigned char *body;
	size_t len;
	struct err e;

	if (web_multipart_file(q, "dataset", &p, &len) == -1 || len == 0) {
		admin_page(q, 400, _("Choose the XML file to import."), NULL,
		    NULL);
		return;
	}
	if ((body = malloc(len + 1)) == NULL) {
		admin_page(q, 503, _("Out of memory."), NULL, NULL);
		return;
	}
	memcpy(body, p, len);
	body[len] = '\0';
	err_clear(&e);
	httpd_req_hold(q->r);
	if (api_admin_import_start(q->n, body, len, 0, NULL, 0, import_done, q,
	    &e) == -1) {
		admin_page(q, 503, e.msg, NULL, NULL);
		return;
	}
	web_lang_end();
}

static void
page_admin(struct wreq *q)
{
	struct account a;
	enum account_role role;
	char pw[ACCOUNT_PW_GEN_LEN];
	const char *bid = fv(q, "business-id");
	struct err e;

	if (httpd_req_method(q->r) == HTTPD_GET) {
		admin_page(q, 200, NULL, NULL, NULL);
		return;
	}
	err_clear(&e);
	memset(&a, 0, sizeof(a));
	if (account_check(fv(q, "name"), fv(q, "role"), *bid ? bid : NULL,
	    &role, &e) == -1 || account_password_generate(pw,
	    sizeof(pw)) == -1 || account_hash(pw, a.pw_hash,
	    sizeof(a.pw_hash), &e) == -1) {
		admin_page(q, 400, e.msg[0] ? e.msg : _("Could not make a "
		    "password."), NULL, NULL);
		return;
	}
	snprintf(a.name, sizeof(a.name), "%s", fv(q, "name"));
	a.role = role;
	snprintf(a.business_id, sizeof(a.business_id), "%s", bid);
	a.created = a.pw_changed = time(NULL);
	if (store_account_add(q->n->store, &a, &e) == -1) {
		admin_page(q, e.code == ERR_CONFLICT ? 409 : 400, e.msg, NULL,
		    NULL);
		return;
	}
	web_audit(q, "account-added", "name=%s role=%s", a.name,
	    account_role_name(role));
	admin_page(q, 201, NULL, a.name, pw);
}

static void
page_admin_disable(struct wreq *q)
{
	const char *name = fv(q, "name");
	struct err e;

	err_clear(&e);
	if (store_account_disable(q->n->store, name, &e) == -1) {
		admin_page(q, e.code == ERR_NOTFOUND ? 404 : 500, e.msg, NULL,
		    NULL);
		return;
	}
	web_audit(q, "account-disabled", "name=%s", name);
	admin_page(q, 200, NULL, NULL, NULL);
}

int
web_work_register(struct web *w, struct err *e)
{
	if (web_route(w, "/supervision", HTTPD_GET | HTTPD_POST, R_SUP,
	    page_sup, e) == -1 ||
	    web_route(w, "/provider", HTTPD_GET | HTTPD_POST, R_PROV,
	    page_provider, e) == -1 ||
	    web_route(w, "/admin", HTTPD_GET | HTTPD_POST, R_ADMIN,
	    page_admin, e) == -1 ||
	    web_route(w, "/admin/disable", HTTPD_POST, R_ADMIN,
	    page_admin_disable, e) == -1 ||
	    web_route(w, "/admin/import", HTTPD_POST, R_ADMIN,
	    page_admin_import, e) == -1)
		return -1;
	return 0;
}
