/*
 * test_model.c - the document models (federation/model_*.c) and the schema
 * set (federation/schema.c, schemas/xsd/): the XSD enumerations match
 * vocab.c, the examples validate, every document survives write ->
 * serialise -> parse -> validate -> read unchanged, and bad values are
 * refused naming the element or field.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "schema.h"
#include "testmain.h"
#include "vocab.h"
#include "xml.h"
#include "ytunnus.h"

#define XS_NS	"http://www.w3.org/2001/XMLSchema"

static struct err e;
static const char *const unit_root[] = { "Unit", NULL };
static const char *const proc_root[] = { "ProcurementDefinition", NULL };
static const char *const rec_root[] = { "SupervisionRecord", NULL };
static const char *const dataset_root[] = { "Dataset", NULL };

static void
show(void)
{
	if (e.code != ERR_OK)
		fprintf(stderr, "\n  err %s: %s\n", err_code_name(e.code), e.msg);
}

/* e holds code and a message with each of the NULL-terminated strings. */
static int
said(enum err_code code, ...)
{
	va_list ap;
	const char *s;
	int ok = e.code == code;

	va_start(ap, code);
	while ((s = va_arg(ap, const char *)) != NULL)
		if (strstr(e.msg, s) == NULL)
			ok = 0;
	va_end(ap);
	if (!ok)
		show();
	return ok;
}

/* --- samples --------------------------------------------------------------- */

static void
sample_unit(struct unit *u)
{
	memset(u, 0, sizeof(*u));
	snprintf(u->id, sizeof(u->id), "SOTERI-1.2.246.10.42");
	snprintf(u->name, sizeof(u->name), "Lastenkoti Tammela & Co <1>");
	snprintf(u->provider_name, sizeof(u->provider_name),
	    "Esimerkki Lastensuojelu Oy");
	snprintf(u->provider_ytunnus, sizeof(u->provider_ytunnus), "2345678-0");
	u->sector = SEC_COMPANY;
	u->type = UT_CHILDRENS_HOME;
	u->service_level = SL_SPECIAL;
	snprintf(u->region, sizeof(u->region), "08");
	snprintf(u->municipality, sizeof(u->municipality), "837");
	snprintf(u->address, sizeof(u->address), "Tammelan puistokatu 1, "
	    "33100 Tampere");
	snprintf(u->responsible, sizeof(u->responsible), "Johtaja");
	snprintf(u->licence_date, sizeof(u->licence_date), "2019-03-01");
	snprintf(u->licence_authority, sizeof(u->licence_authority),
	    "AVI-LSS");
	u->licence_valid = 1;
	snprintf(u->self_supervision_url, sizeof(u->self_supervision_url),
	    "https://example.invalid/plan.pdf?a=1&b=2");
	u->nsp = 2;
	snprintf(u->sp[0].id, sizeof(u->sp[0].id), "SP-1");
	snprintf(u->sp[0].name, sizeof(u->sp[0].name), "Tammela A");
	snprintf(u->sp[0].address, sizeof(u->sp[0].address), "Katu 1 A");
	snprintf(u->sp[1].id, sizeof(u->sp[1].id), "SP-2");
	snprintf(u->sp[1].name, sizeof(u->sp[1].name), "Tammela B");
	u->places = 14;
	u->residential_units = 2;
	u->free_places = 1;
	u->free_updated = 1795000000;
	u->age_min = 12;
	u->age_max = 17;
	u->gender = G_ANY;
	u->nlanguages = 2;
	snprintf(u->languages[0], sizeof(u->languages[0]), "fi");
	snprintf(u->languages[1], sizeof(u->languages[1]), "sv");
	u->target_groups = (1u << 0) | (1u << 2) | (1u << 9);
	u->expertise = (1u << 0) | (1u << 11);
	snprintf(u->methods, sizeof(u->methods), "  DBT skills;\n family "
	    "work  ");
	u->school = SCH_LOCAL;
	u->staff_count = 18;
	u->staff_qualified = 11;
	u->restrictive_measures = 1;
	u->price_cents = 68950;
	u->nlots = 2;
	snprintf(u->lots[0], sizeof(u->lots[0]), "PIR-2025-01/SPECIAL");
	snprintf(u->lots[1], sizeof(u->lots[1]), "HKI-2024/L3");
	u->updated = 1795003600;
	snprintf(u->home_region, sizeof(u->home_region), "08");
}

static void
sample_proc(struct procurement *p)
{
	struct lot *l;
	int i;

	memset(p, 0, sizeof(*p));
	snprintf(p->id, sizeof(p->id), "PIR-2025-01");
	snprintf(p->title, sizeof(p->title), "Laitoshoito 2025-2027");
	snprintf(p->region, sizeof(p->region), "08");
	p->njoint = 2;
	snprintf(p->joint[0], sizeof(p->joint[0]), "08");
	snprintf(p->joint[1], sizeof(p->joint[1]), "06");
	snprintf(p->period_start, sizeof(p->period_start), "2025-02-01");
	snprintf(p->period_end, sizeof(p->period_end), "2027-01-31");
	snprintf(p->options, sizeof(p->options), "2+1 years");
	p->nlots = 2;
	l = &p->lots[0];
	snprintf(l->id, sizeof(l->id), "BASIC");
	snprintf(l->name, sizeof(l->name), "Perustason laitoshoito");
	l->category = 0;
	l->service_level = SL_BASIC;
	snprintf(l->description, sizeof(l->description), "Care 7-17.");
	l->nrequirements = 2;
	snprintf(l->requirements[0], sizeof(l->requirements[0]), "Licence");
	snprintf(l->requirements[1], sizeof(l->requirements[1]), "The Act");
	l->min_staff = 7;
	l->min_staff_qualified = 4;
	l->max_children = 7;
	l->ncriteria = 2;
	l->criteria[0].kind = 0;
	l->criteria[0].points = 20;
	snprintf(l->criteria[0].name, sizeof(l->criteria[0].name), "Staff");
	l->criteria[1].kind = 1;
	l->criteria[1].points = 20;
	snprintf(l->criteria[1].name, sizeof(l->criteria[1].name), "Work");
	l->price_weight = 60;
	l->price_ceiling_cents = 52000;
	l->ranking_rule = 1;
	l->nawards = 9;
	l->awards = calloc(9, sizeof(*l->awards));
	for (i = 0; i < 9; i++) {
		snprintf(l->awards[i].unit_id, sizeof(l->awards[i].unit_id),
		    "U%d", i);
		l->awards[i].price_cents = 45000 + i * 105;
		l->awards[i].rank = i + 1;
	}
	l = &p->lots[1];
	snprintf(l->id, sizeof(l->id), "FAMILY");
	snprintf(l->name, sizeof(l->name), "Ammatillinen perhehoito");
	l->category = 4;
	l->service_level = -1;
	l->min_staff = 2;
	l->max_children = 4;
	l->price_weight = 100;
	l->price_ceiling_cents = -1;
	l->ranking_rule = 0;
	p->updated = 1768478400;
}

static void
sample_record(struct supervision_record *r)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "LVV-2026-000123");
	r->kind = RK_INSPECTION_UNANNOUNCED;
	snprintf(r->unit_id, sizeof(r->unit_id), "SOTERI-1.2.246.10.42");
	snprintf(r->provider_ytunnus, sizeof(r->provider_ytunnus),
	    "2345678-0");
	snprintf(r->issuer, sizeof(r->issuer), "LVV");
	snprintf(r->case_number, sizeof(r->case_number),
	    "LVV/1234/05.06.01/2026");
	snprintf(r->opened, sizeof(r->opened), "2026-09-02");
	snprintf(r->visit_date, sizeof(r->visit_date), "2026-09-15");
	r->announced = 0;
	r->nthemes = 2;
	snprintf(r->themes[0], sizeof(r->themes[0]), "restrictive measures");
	snprintf(r->themes[1], sizeof(r->themes[1]), "staffing");
	r->nfindings = 2;
	r->findings[0].category = 0;
	r->findings[0].severity = SEV_HIGH;
	snprintf(r->findings[0].text, sizeof(r->findings[0].text),
	    "Decisions not documented.");
	r->findings[1].category = 3;
	r->findings[1].severity = SEV_MEDIUM;
	snprintf(r->findings[1].text, sizeof(r->findings[1].text),
	    "One instructor at night.");
	snprintf(r->measures, sizeof(r->measures), "Correct the practice.");
	snprintf(r->deadline, sizeof(r->deadline), "2026-11-30");
	r->status = RS_FOLLOW_UP;
	r->outcome = -1;
	r->nfollows = 1;
	snprintf(r->follows[0], sizeof(r->follows[0]), "LVV-2025-000077");
	snprintf(r->summary, sizeof(r->summary), "Unannounced inspection.");
	snprintf(r->annex_ref, sizeof(r->annex_ref), "LVV/1234#muistio");
	r->issued = 1789898400;
}

/* --- helpers --------------------------------------------------------------- */

static xmlDocPtr
new_doc(void)
{
	return xmlNewDoc((const xmlChar *)"1.0");
}

/* Serialises doc, parses the bytes again and validates them. */
static xmlDocPtr
reparse(xmlDocPtr doc, const char *const *roots)
{
	char *buf = NULL;
	size_t len = 0;
	xmlDocPtr out;

	err_clear(&e);
	if (xml_serialize(doc, &buf, &len, &e) == -1)
		return NULL;
	out = xml_parse(buf, len, "roundtrip.xml", &xml_limits_import, &e);
	xmlFree(buf);
	if (out != NULL && schema_validate(out, "roundtrip.xml", roots,
	    &e) == -1) {
		show();
		xmlFreeDoc(out);
		return NULL;
	}
	return out;
}

static xmlDocPtr
parse_str(const char *s)
{
	err_clear(&e);
	return xml_parse(s, strlen(s), "case.xml", &xml_limits_wire, &e);
}

static char *
slurp(const char *path)
{
	FILE *f;
	char *b;
	long n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = malloc((size_t)n + 1);
	if (fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		fclose(f);
		return NULL;
	}
	b[n] = '\0';
	fclose(f);
	return b;
}

/* The example document of a kind, with one substring replaced. */
static char *
example_with(const char *file, const char *from, const char *to)
{
	char path[1200], *s, *p, *out;
	size_t lf, lt;

	snprintf(path, sizeof(path), "%s/../examples/%s", schema_dir(), file);
	if ((s = slurp(path)) == NULL)
		return NULL;
	if (from == NULL || (p = strstr(s, from)) == NULL)
		return s;
	lf = strlen(from);
	lt = strlen(to);
	out = malloc(strlen(s) - lf + lt + 1);
	memcpy(out, s, (size_t)(p - s));
	memcpy(out + (p - s), to, lt);
	memcpy(out + (p - s) + lt, p + lf, strlen(p + lf) + 1);
	free(s);
	return out;
}

/* --- vocabularies and the XSDs --------------------------------------------- */

static int
is_xs(xmlNodePtr n, const char *local)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    strcmp((const char *)n->ns->href, XS_NS) == 0 &&
	    strcmp((const char *)n->name, local) == 0;
}

static xmlNodePtr
xsd_simple_type(xmlDocPtr doc, const char *name)
{
	xmlNodePtr c;
	xmlChar *a;
	int hit;

	for (c = xml_first_elem(xmlDocGetRootElement(doc)); c != NULL;
	    c = xml_next_elem(c)) {
		if (!is_xs(c, "simpleType"))
			continue;
		a = xmlGetNoNsProp(c, (const xmlChar *)"name");
		hit = a != NULL && strcmp((const char *)a, name) == 0;
		xmlFree(a);
		if (hit)
			return c;
	}
	return NULL;
}

static void
test_vocab_matches_xsd(void)
{
	char path[1200];
	xmlDocPtr doc;
	xmlNodePtr st, r, en;
	xmlChar *val;
	const struct vocab *v;
	int i, k, nenum = 0;

	snprintf(path, sizeof(path), "%s/common.xsd", schema_dir());
	err_clear(&e);
	doc = xml_read_file(path, &xml_limits_import, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	for (i = 0; (v = vocab_all[i]) != NULL; i++) {
		st = xsd_simple_type(doc, v->name);
		CU_ASSERT_PTR_NOT_NULL(st);
		if (st == NULL) {
			fprintf(stderr, "\n  no simpleType %s\n", v->name);
			continue;
		}
		r = xml_first_elem(st);
		while (r != NULL && !is_xs(r, "restriction"))
			r = xml_next_elem(r);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		k = 0;
		for (en = xml_first_elem(r); en != NULL; en = xml_next_elem(en)) {
			if (!is_xs(en, "enumeration"))
				continue;
			val = xmlGetNoNsProp(en, (const xmlChar *)"value");
			CU_ASSERT(k < v->count);
			if (k < v->count && (val == NULL ||
			    strcmp((const char *)val, v->entries[k].token))) {
				CU_FAIL("token differs");
				fprintf(stderr, "\n  %s[%d]: xsd %s, vocab %s\n",
				    v->name, k, val, v->entries[k].token);
			}
			xmlFree(val);
			k++;
		}
		CU_ASSERT_EQUAL(k, v->count);
		nenum++;
	}
	CU_ASSERT_EQUAL(nenum, i);
	xmlFreeDoc(doc);
}

static void
test_schema_compiles(void)
{
	err_clear(&e);
	CU_ASSERT_EQUAL(schema_init(&e), 0);
	show();
	CU_ASSERT_PTR_NOT_NULL(strstr(schema_dir(), "xsd"));
}

static void
check_example(const char *file, const char *const *roots)
{
	char path[1200];
	xmlDocPtr doc;
	xmlNodePtr root;
	struct unit u;
	struct procurement p;
	struct supervision_record r;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/../examples/%s", schema_dir(), file);
	err_clear(&e);
	doc = xml_read_file(path, &xml_limits_wire, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(schema_validate(doc, file, roots, &e), 0);
	show();
	root = xmlDocGetRootElement(doc);
	if (strcmp(roots[0], "Unit") == 0)
		rc = model_unit_read(root, &u, &e);
	else if (strcmp(roots[0], "SupervisionRecord") == 0)
		rc = model_record_read(root, &r, &e);
	else {
		memset(&p, 0, sizeof(p));
		rc = model_procurement_read(root, &p, &e);
		model_procurement_clear(&p);
	}
	CU_ASSERT_EQUAL(rc, 0);
	show();
	xmlFreeDoc(doc);
}

static void
test_examples(void)
{
	check_example("unit.xml", unit_root);
	check_example("procurement.xml", proc_root);
	check_example("supervision.xml", rec_root);
}

static void
test_wrong_root(void)
{
	xmlDocPtr doc;
	char *s;

	s = example_with("supervision.xml", NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	doc = parse_str(s);
	free(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(schema_validate(doc, "r.xml", unit_root, &e), -1);
	CU_ASSERT(said(ERR_SCHEMA, "r.xml:", "SupervisionRecord",
	    "unexpected root element (wanted Unit", NULL));
	xmlFreeDoc(doc);
	doc = parse_str("<Unit xmlns=\"urn:elsewhere\" Id=\"x\"/>");
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(schema_validate(doc, "r.xml", unit_root, &e), -1);
	CU_ASSERT(said(ERR_SCHEMA, "unexpected root element", NULL));
	xmlFreeDoc(doc);
}

/* --- round trips ----------------------------------------------------------- */

static void
test_unit_roundtrip(void)
{
	struct unit a, b;
	xmlDocPtr doc, back;

	sample_unit(&a);
	doc = new_doc();
	err_clear(&e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(model_unit_write(doc, NULL, &a, &e));
	back = reparse(doc, unit_root);
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	memset(&b, 0x5a, sizeof(b));
	CU_ASSERT_EQUAL(model_unit_read(xmlDocGetRootElement(back), &b, &e), 0);
	show();
	CU_ASSERT_STRING_EQUAL(b.name, a.name);
	CU_ASSERT_STRING_EQUAL(b.methods, a.methods);
	CU_ASSERT_EQUAL(b.free_updated, a.free_updated);
	CU_ASSERT_EQUAL(b.target_groups, a.target_groups);
	CU_ASSERT(memcmp(&a, &b, sizeof(a)) == 0);
	xmlFreeDoc(back);
	xmlFreeDoc(doc);
}

static void
test_proc_roundtrip(void)
{
	struct procurement *a, *b;
	xmlDocPtr doc, back;
	int i;

	a = calloc(1, sizeof(*a));
	b = calloc(1, sizeof(*b));
	sample_proc(a);
	doc = new_doc();
	err_clear(&e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(model_procurement_write(doc, NULL, a, &e));
	back = reparse(doc, proc_root);
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	CU_ASSERT_EQUAL(model_procurement_read(xmlDocGetRootElement(back), b,
	    &e), 0);
	show();
	CU_ASSERT_EQUAL(b->nlots, 2);
	for (i = 0; i < PROC_LOT_MAX; i++) {
		CU_ASSERT_EQUAL(a->lots[i].nawards, b->lots[i].nawards);
		if (a->lots[i].nawards > 0 &&
		    a->lots[i].nawards == b->lots[i].nawards)
			CU_ASSERT(memcmp(a->lots[i].awards, b->lots[i].awards,
			    sizeof(struct award) *
			    (size_t)a->lots[i].nawards) == 0);
	}
	CU_ASSERT_EQUAL(b->lots[1].service_level, -1);
	CU_ASSERT_EQUAL(b->lots[1].price_ceiling_cents, -1);
	/* everything else, byte for byte, with the award pointers aside */
	{
		struct procurement *ca, *cb;

		ca = malloc(sizeof(*ca));
		cb = malloc(sizeof(*cb));
		memcpy(ca, a, sizeof(*a));
		memcpy(cb, b, sizeof(*b));
		for (i = 0; i < PROC_LOT_MAX; i++)
			ca->lots[i].awards = cb->lots[i].awards = NULL;
		CU_ASSERT(memcmp(ca, cb, sizeof(*ca)) == 0);
		free(ca);
		free(cb);
	}
	model_procurement_clear(a);
	model_procurement_clear(b);
	model_procurement_clear(NULL);
	free(a);
	free(b);
	xmlFreeDoc(back);
	xmlFreeDoc(doc);
}

static void
test_record_roundtrip(void)
{
	struct supervision_record a, b;
	xmlDocPtr doc, back;

	sample_record(&a);
	doc = new_doc();
	err_clear(&e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(model_record_write(doc, NULL, &a, &e));
	back = reparse(doc, rec_root);
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	memset(&b, 0x5a, sizeof(b));
	CU_ASSERT_EQUAL(model_record_read(xmlDocGetRootElement(back), &b, &e),
	    0);
	show();
	CU_ASSERT_EQUAL(b.announced, 0);
	CU_ASSERT_EQUAL(b.outcome, -1);
	CU_ASSERT(memcmp(&a, &b, sizeof(a)) == 0);
	xmlFreeDoc(back);
	xmlFreeDoc(doc);
	/* optional parts absent */
	sample_record(&a);
	a.kind = RK_COMPLAINT_DECISION;
	a.announced = -1;
	memset(a.visit_date, 0, sizeof(a.visit_date));
	memset(a.deadline, 0, sizeof(a.deadline));
	memset(a.case_number, 0, sizeof(a.case_number));
	memset(a.themes, 0, sizeof(a.themes));
	memset(a.findings, 0, sizeof(a.findings));
	memset(a.follows, 0, sizeof(a.follows));
	a.nthemes = a.nfindings = a.nfollows = 0;
	a.outcome = OC_REPRIMAND;
	a.status = RS_CLOSED;
	doc = new_doc();
	CU_ASSERT_PTR_NOT_NULL_FATAL(model_record_write(doc, NULL, &a, &e));
	back = reparse(doc, rec_root);
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	CU_ASSERT_EQUAL(model_record_read(xmlDocGetRootElement(back), &b, &e),
	    0);
	CU_ASSERT(memcmp(&a, &b, sizeof(a)) == 0);
	xmlFreeDoc(back);
	xmlFreeDoc(doc);
}

static xmlNodePtr
dataset_root_new(xmlDocPtr doc)
{
	xmlNodePtr root;

	root = xmlNewDocNode(doc, NULL, (const xmlChar *)"Dataset", NULL);
	xmlSetNs(root, xmlNewNs(root, (const xmlChar *)LASTERI_NS, NULL));
	xmlDocSetRootElement(doc, root);
	xmlNewProp(root, (const xmlChar *)"region", (const xmlChar *)"08");
	return root;
}

static void
test_dataset(void)
{
	struct unit u;
	struct procurement *p;
	struct supervision_record r;
	xmlDocPtr doc, back;
	xmlNodePtr root, c;
	int n = 0;

	p = calloc(1, sizeof(*p));
	sample_unit(&u);
	sample_proc(p);
	sample_record(&r);
	doc = new_doc();
	root = dataset_root_new(doc);
	err_clear(&e);
	CU_ASSERT_PTR_NOT_NULL(model_unit_write(doc, root, &u, &e));
	snprintf(u.id, sizeof(u.id), "second");
	CU_ASSERT_PTR_NOT_NULL(model_unit_write(doc, root, &u, &e));
	CU_ASSERT_PTR_NOT_NULL(model_procurement_write(doc, root, p, &e));
	CU_ASSERT_PTR_NOT_NULL(model_record_write(doc, root, &r, &e));
	/* a writer never replaces a document's root */
	CU_ASSERT_PTR_NULL(model_unit_write(doc, NULL, &u, &e));
	back = reparse(doc, dataset_root);
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	for (c = xml_first_elem(xmlDocGetRootElement(back)); c != NULL;
	    c = xml_next_elem(c)) {
		CU_ASSERT(c->nsDef == NULL);	/* one declaration, at the root */
		n++;
	}
	CU_ASSERT_EQUAL(n, 4);
	xmlFreeDoc(back);
	xmlFreeDoc(doc);
	/* the same unit ID twice in one Dataset */
	doc = new_doc();
	root = dataset_root_new(doc);
	CU_ASSERT_PTR_NOT_NULL(model_unit_write(doc, root, &u, &e));
	CU_ASSERT_PTR_NOT_NULL(model_unit_write(doc, root, &u, &e));
	CU_ASSERT_EQUAL(schema_validate(doc, "dup.xml", dataset_root, &e), -1);
	CU_ASSERT(said(ERR_SCHEMA, "dup.xml:", "Unit", "Duplicate", NULL));
	xmlFreeDoc(doc);
	model_procurement_clear(p);
	free(p);
}

/* --- rejections ------------------------------------------------------------ */

static void
test_unknown_enum(void)
{
	xmlDocPtr doc;
	char *s;

	s = example_with("unit.xml", "<Type>childrens-home</Type>",
	    "<Type>castle</Type>");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	doc = parse_str(s);
	free(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(schema_validate(doc, "unit.xml", unit_root, &e), -1);
	CU_ASSERT(said(ERR_SCHEMA, "unit.xml:8: Type: ", "castle", NULL));
	/* and the reader alone, without the schema */
	CU_ASSERT_EQUAL(model_unit_read(xmlDocGetRootElement(doc),
	    &(struct unit){ 0 }, &e), -1);
	CU_ASSERT(said(ERR_SCHEMA, "case.xml:8: Type: 'castle' is not a "
	    "UnitType", NULL));
	xmlFreeDoc(doc);
	s = example_with("supervision.xml", "severity=\"high\"",
	    "severity=\"dire\"");
	doc = parse_str(s);
	free(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(schema_validate(doc, "rec.xml", rec_root, &e), -1);
	CU_ASSERT(said(ERR_SCHEMA, "rec.xml:14: Finding: attribute 'severity'",
	    "dire", NULL));
	xmlFreeDoc(doc);
}

static void
test_bad_ytunnus(void)
{
	struct unit u;
	struct supervision_record r;
	xmlDocPtr doc;
	char *s;

	CU_ASSERT_EQUAL(ytunnus_check_digit("2345678"), 0);
	sample_unit(&u);
	snprintf(u.provider_ytunnus, sizeof(u.provider_ytunnus), "2345678-1");
	err_clear(&e);
	CU_ASSERT_EQUAL(model_unit_check(&u, &e), -1);
	CU_ASSERT(said(ERR_SCHEMA, "Provider/@businessId", "2345678-1",
	    "expected 2345678-0", NULL));
	/* remainder 1: no digit is right */
	snprintf(u.provider_ytunnus, sizeof(u.provider_ytunnus), "1234567-8");
	CU_ASSERT_EQUAL(model_unit_check(&u, &e), -1);
	CU_ASSERT(said(ERR_SCHEMA, "Provider/@businessId", "1234567-8", NULL));
	/* a writer refuses it */
	doc = new_doc();
	CU_ASSERT_PTR_NULL(model_unit_write(doc, NULL, &u, &e));
	CU_ASSERT(said(ERR_SCHEMA, "Provider/@businessId", NULL));
	CU_ASSERT_PTR_NULL(xmlDocGetRootElement(doc));
	xmlFreeDoc(doc);
	/* a document that passes the XSD pattern is refused by the reader,
	 * with its line */
	s = example_with("unit.xml", "businessId=\"2345678-0\"",
	    "businessId=\"2345678-9\"");
	doc = parse_str(s);
	free(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(schema_validate(doc, "u.xml", unit_root, &e), 0);
	CU_ASSERT_EQUAL(model_unit_read(xmlDocGetRootElement(doc), &u, &e),
	    -1);
	CU_ASSERT(said(ERR_SCHEMA, "case.xml:3: Unit: ", "businessId",
	    "2345678-9", NULL));
	xmlFreeDoc(doc);
	sample_record(&r);
	snprintf(r.provider_ytunnus, sizeof(r.provider_ytunnus), "2345678-5");
	CU_ASSERT_EQUAL(model_record_check(&r, &e), -1);
	CU_ASSERT(said(ERR_SCHEMA, "ProviderBusinessId", NULL));
}

static void
test_unit_rules(void)
{
	struct unit u;

	sample_unit(&u);
	err_clear(&e);
	CU_ASSERT_EQUAL(model_unit_check(&u, &e), 0);
	u.free_places = 15;
	CU_ASSERT_EQUAL(model_unit_check(&u, &e), -1);
	CU_ASSERT(said(ERR_SCHEMA, "unit SOTERI-1.2.246.10.42: FreePlaces",
	    "15 free places but 14 places", NULL));
	sample_unit(&u);
	u.age_min = 16;
	u.age_max = 12;
	CU_ASSERT_EQUAL(model_unit_check(&u, &e), -1);
	CU_ASSERT(said(ERR_SCHEMA, "Ages", "min 16", NULL));
	sample_unit(&u);
	snprintf(u.region, sizeof(u.region), "22");
	CU_ASSERT_EQUAL(model_unit_check(&u, &e), -1);
	CU_ASSERT(said(ERR_SCHEMA, "Region: '22'", NULL));
	sample_unit(&u);
	snprintf(u.home_region, sizeof(u.home_region), "91");
	CU_ASSERT_EQUAL(model_unit_check(&u, &e), -1);
	CU_ASSERT(said(ERR_SCHEMA, "HomeRegion: '91'", NULL));
	sample_unit(&u);
	u.type = UT_PROF_FAMILY_HOME;
	CU_ASSERT_EQUAL(model_unit_check(&u, &e), -1);
	CU_ASSERT(said(ERR_SCHEMA, "RestrictiveMeasures", NULL));
	sample_unit(&u);
	u.staff_qualified = 19;
	CU_ASSERT_EQUAL(model_unit_check(&u, &e), -1);
	CU_ASSERT(said(ERR_SCHEMA, "Staff", NULL));
	sample_unit(&u);
	u.nlanguages = 0;
	CU_ASSERT_EQUAL(model_unit_check(&u, &e), -1);
	CU_ASSERT(said(ERR_SCHEMA, "Language", NULL));
	sample_unit(&u);
	snprintf(u.lots[0], sizeof(u.lots[0]), "no-slash");
	CU_ASSERT_EQUAL(model_unit_check(&u, &e), -1);
	CU_ASSERT(said(ERR_SCHEMA, "Lot/@ref", NULL));
}

static void
test_unit_rules_in_documents(void)
{
	xmlDocPtr doc;
	char *s;
	struct unit u;

	/* the XSD cannot see free > places; the reader can */
	s = example_with("unit.xml", "updated=\"2026-11-24T09:30:00Z\">1<",
	    "updated=\"2026-11-24T09:30:00Z\">15<");
	doc = parse_str(s);
	free(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(schema_validate(doc, "u.xml", unit_root, &e), 0);
	CU_ASSERT_EQUAL(model_unit_read(xmlDocGetRootElement(doc), &u, &e),
	    -1);
	CU_ASSERT(said(ERR_SCHEMA, "case.xml:3: Unit: ", "FreePlaces", NULL));
	xmlFreeDoc(doc);
	/* unknown region: refused by the XSD pattern */
	s = example_with("unit.xml", "<Region>08</Region>",
	    "<Region>22</Region>");
	doc = parse_str(s);
	free(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(schema_validate(doc, "u.xml", unit_root, &e), -1);
	CU_ASSERT(said(ERR_SCHEMA, "u.xml:10: Region: ", "22", NULL));
	xmlFreeDoc(doc);
	/* age range inverted */
	s = example_with("unit.xml", "<Ages min=\"12\" max=\"17\"/>",
	    "<Ages min=\"17\" max=\"12\"/>");
	doc = parse_str(s);
	free(s);
	CU_ASSERT_EQUAL(model_unit_read(xmlDocGetRootElement(doc), &u, &e),
	    -1);
	CU_ASSERT(said(ERR_SCHEMA, "Ages", NULL));
	xmlFreeDoc(doc);
}

static void
test_reader_strict(void)
{
	xmlDocPtr doc;
	char *s;
	struct unit u;

	s = example_with("unit.xml", "<Gender>any</Gender>",
	    "<Gender>any</Gender><Castle/>");
	doc = parse_str(s);
	free(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(model_unit_read(xmlDocGetRootElement(doc), &u, &e),
	    -1);
	CU_ASSERT(said(ERR_SCHEMA, "Castle: unexpected element in Unit", NULL));
	xmlFreeDoc(doc);
	/* a comment inside a value cannot truncate it */
	s = example_with("unit.xml", "<Name>Lastenkoti Tammela</Name>",
	    "<Name>Lastenkoti<!-- x --> Tammela</Name>");
	doc = parse_str(s);
	free(s);
	CU_ASSERT_EQUAL(model_unit_read(xmlDocGetRootElement(doc), &u, &e),
	    -1);
	CU_ASSERT(said(ERR_INPUT, "Name: a comment inside text", NULL));
	xmlFreeDoc(doc);
	/* a required element missing */
	s = example_with("unit.xml", "<School>local-school</School>", "");
	doc = parse_str(s);
	free(s);
	CU_ASSERT_EQUAL(model_unit_read(xmlDocGetRootElement(doc), &u, &e),
	    -1);
	CU_ASSERT(said(ERR_SCHEMA, "School is missing", NULL));
	xmlFreeDoc(doc);
	/* out of order */
	s = example_with("unit.xml", "<Gender>any</Gender>", "");
	s = realloc(s, strlen(s) + 32);
	{
		char *p = strstr(s, "<Name>");
		memmove(p + 20, p, strlen(p) + 1);
		memcpy(p, "<Gender>any</Gender>", 20);
	}
	doc = parse_str(s);
	free(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(model_unit_read(xmlDocGetRootElement(doc), &u, &e),
	    -1);
	CU_ASSERT(said(ERR_SCHEMA, "Name", NULL));
	xmlFreeDoc(doc);
}

static void
test_proc_rules(void)
{
	struct procurement *p;

	p = calloc(1, sizeof(*p));
	sample_proc(p);
	err_clear(&e);
	CU_ASSERT_EQUAL(model_procurement_check(p, &e), 0);
	p->lots[0].awards[3].price_cents = 60000;
	CU_ASSERT_EQUAL(model_procurement_check(p, &e), -1);
	CU_ASSERT(said(ERR_SCHEMA, "Lot BASIC: Award U3", "ceiling", NULL));
	p->lots[0].awards[3].price_cents = 50000;
	snprintf(p->joint[1], sizeof(p->joint[1]), "00");
	CU_ASSERT_EQUAL(model_procurement_check(p, &e), -1);
	CU_ASSERT(said(ERR_SCHEMA, "JointRegion: '00'", NULL));
	snprintf(p->joint[1], sizeof(p->joint[1]), "06");
	snprintf(p->period_end, sizeof(p->period_end), "2024-01-31");
	CU_ASSERT_EQUAL(model_procurement_check(p, &e), -1);
	CU_ASSERT(said(ERR_SCHEMA, "Period", NULL));
	snprintf(p->period_end, sizeof(p->period_end), "2027-02-29");
	CU_ASSERT_EQUAL(model_procurement_check(p, &e), -1);
	CU_ASSERT(said(ERR_SCHEMA, "Period/@end", NULL));
	snprintf(p->period_end, sizeof(p->period_end), "2027-01-31");
	p->lots[0].price_weight = 70;
	CU_ASSERT_EQUAL(model_procurement_check(p, &e), -1);
	CU_ASSERT(said(ERR_SCHEMA, "more than 100", NULL));
	p->lots[0].price_weight = 60;
	snprintf(p->lots[1].id, sizeof(p->lots[1].id), "BASIC");
	CU_ASSERT_EQUAL(model_procurement_check(p, &e), -1);
	CU_ASSERT(said(ERR_SCHEMA, "Lot/@id: BASIC used twice", NULL));
	model_procurement_clear(p);
	free(p);
}

static void
test_record_rules(void)
{
	struct supervision_record r;

	sample_record(&r);
	err_clear(&e);
	CU_ASSERT_EQUAL(model_record_check(&r, &e), 0);
	snprintf(r.issuer, sizeof(r.issuer), "HVA-22");
	CU_ASSERT_EQUAL(model_record_check(&r, &e), -1);
	CU_ASSERT(said(ERR_SCHEMA, "Issuer: 'HVA-22'", NULL));
	snprintf(r.issuer, sizeof(r.issuer), "HVA-90");
	CU_ASSERT_EQUAL(model_record_check(&r, &e), 0);
	snprintf(r.deadline, sizeof(r.deadline), "2026-01-01");
	CU_ASSERT_EQUAL(model_record_check(&r, &e), -1);
	CU_ASSERT(said(ERR_SCHEMA, "Deadline", NULL));
	sample_record(&r);
	r.announced = 1;
	CU_ASSERT_EQUAL(model_record_check(&r, &e), -1);
	CU_ASSERT(said(ERR_SCHEMA, "Announced", NULL));
	sample_record(&r);
	snprintf(r.follows[0], sizeof(r.follows[0]), "%s", r.id);
	CU_ASSERT_EQUAL(model_record_check(&r, &e), -1);
	CU_ASSERT(said(ERR_SCHEMA, "Follows", NULL));
}

static void
test_serious_and_blocking(void)
{
	struct supervision_record r;

	sample_record(&r);	/* follow-up with a high finding */
	CU_ASSERT(model_record_is_serious_open(&r));
	CU_ASSERT(!model_record_blocks_placement(&r));
	r.status = RS_CLOSED;
	CU_ASSERT(!model_record_is_serious_open(&r));
	r.status = RS_OPEN;
	r.findings[0].severity = SEV_MEDIUM;
	CU_ASSERT(!model_record_is_serious_open(&r));
	r.kind = RK_ORDER_TO_CORRECT;
	CU_ASSERT(model_record_is_serious_open(&r));
	CU_ASSERT(model_record_blocks_placement(&r));
	r.status = RS_CLOSED;
	CU_ASSERT(!model_record_blocks_placement(&r));
	r.status = RS_CONTINUED;
	r.kind = RK_SUSPENSION;
	CU_ASSERT(model_record_blocks_placement(&r));
	r.kind = RK_CONDITIONAL_FINE;
	CU_ASSERT(model_record_is_serious_open(&r));
	CU_ASSERT(!model_record_blocks_placement(&r));
}

static void
test_dates(void)
{
	time_t t;
	char buf[32];

	CU_ASSERT_EQUAL(model_date_parse("2024-02-29", &t), 0);
	CU_ASSERT_EQUAL(t, 1709164800);
	CU_ASSERT_EQUAL(model_date_parse("2023-02-29", &t), -1);
	CU_ASSERT_EQUAL(model_date_parse("2023-13-01", &t), -1);
	CU_ASSERT_EQUAL(model_date_parse("2023-1-01", &t), -1);
	CU_ASSERT_EQUAL(model_date_parse("2023-01-01Z", &t), -1);
	CU_ASSERT_EQUAL(model_datetime_parse("2026-11-25T11:00:00Z", &t), 0);
	model_datetime_format(t, buf);
	CU_ASSERT_STRING_EQUAL(buf, "2026-11-25T11:00:00Z");
	CU_ASSERT_EQUAL(model_datetime_parse("2026-11-25T13:00:00.250+02:00",
	    &t), 0);
	model_datetime_format(t, buf);
	CU_ASSERT_STRING_EQUAL(buf, "2026-11-25T11:00:00Z");
	CU_ASSERT_EQUAL(model_datetime_parse("2026-11-25T11:00:00", &t), -1);
	CU_ASSERT_EQUAL(model_datetime_parse("2026-11-25T24:00:00Z", &t), -1);
	CU_ASSERT_EQUAL(model_datetime_parse("2026-11-25 11:00:00Z", &t), -1);
}

static void
test_signature_slot(void)
{
	static const char sig[] = "<ds:Signature xmlns:ds=\"http://www.w3.org/"
	    "2000/09/xmldsig#\"><ds:SignedInfo/></ds:Signature>";
	xmlDocPtr doc;
	struct unit u;
	char *s, last[256];

	/* the last child, with signedAt on the root: valid and read */
	snprintf(last, sizeof(last), "<HomeRegion>08</HomeRegion>%s", sig);
	s = example_with("unit.xml", "<HomeRegion>08</HomeRegion>", last);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	doc = parse_str(s);
	free(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	xmlNewProp(xmlDocGetRootElement(doc), (const xmlChar *)"signedAt",
	    (const xmlChar *)"2026-11-25T10:00:00+02:00");
	CU_ASSERT_EQUAL(schema_validate(doc, "s.xml", unit_root, &e), 0);
	show();
	CU_ASSERT_EQUAL(model_unit_read(xmlDocGetRootElement(doc), &u, &e), 0);
	show();
	xmlFreeDoc(doc);
	/* anywhere else it is refused by both */
	snprintf(last, sizeof(last), "%s<Gender>any</Gender>", sig);
	s = example_with("unit.xml", "<Gender>any</Gender>", last);
	doc = parse_str(s);
	free(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(schema_validate(doc, "s.xml", unit_root, &e), -1);
	CU_ASSERT(said(ERR_SCHEMA, "s.xml:", "Signature", NULL));
	CU_ASSERT_EQUAL(model_unit_read(xmlDocGetRootElement(doc), &u, &e), -1);
	CU_ASSERT(said(ERR_SCHEMA, "Signature: unexpected element", NULL));
	xmlFreeDoc(doc);
}

static CU_TestInfo schema_tests[] = {
	{ "common.xsd lists every vocabulary's tokens in vocab.c's order",
	    test_vocab_matches_xsd },
	{ "the schema set compiles", test_schema_compiles },
	{ "the example documents validate and read", test_examples },
	{ "refuses a root element of the wrong kind or namespace",
	    test_wrong_root },
	{ "takes a ds:Signature as the last child only", test_signature_slot },
	CU_TEST_INFO_NULL
};

static CU_TestInfo roundtrip_tests[] = {
	{ "a unit survives write, parse, validate and read unchanged",
	    test_unit_roundtrip },
	{ "a procurement with its awards survives the round trip",
	    test_proc_roundtrip },
	{ "a supervision record survives the round trip, with and without "
	    "optional parts", test_record_roundtrip },
	{ "a Dataset of all three validates, and duplicate IDs do not",
	    test_dataset },
	CU_TEST_INFO_NULL
};

static CU_TestInfo rule_tests[] = {
	{ "an unknown enumeration value is refused naming the element",
	    test_unknown_enum },
	{ "a wrong Y-tunnus check digit is refused naming the field",
	    test_bad_ytunnus },
	{ "unit rules: free places, ages, region, staff, languages, lots",
	    test_unit_rules },
	{ "unit rules are applied to documents with their line",
	    test_unit_rules_in_documents },
	{ "the reader refuses unknown, missing, misplaced and commented "
	    "elements", test_reader_strict },
	{ "procurement rules: ceiling, regions, period, weights, lot IDs",
	    test_proc_rules },
	{ "record rules: issuer, deadline, announced, follows",
	    test_record_rules },
	{ "serious-open and placement-blocking records", test_serious_and_blocking },
	{ "dates and instants parse strictly and format in UTC", test_dates },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ "schemas", NULL, NULL, NULL, NULL, schema_tests },
	{ "round trips", NULL, NULL, NULL, NULL, roundtrip_tests },
	{ "value rules", NULL, NULL, NULL, NULL, rule_tests },
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	int rc;

	xml_init();
	rc = test_run_suites(suites);
	xmlCleanupParser();
	return rc;
}
