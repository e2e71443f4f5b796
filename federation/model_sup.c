/*
 * model_sup.c - the SupervisionRecord document (schemas/xsd/supervision.xsd)
 * as struct supervision_record: reader, writer, value rules, and the two
 * predicates search uses to demote or bar a unit.
 *
 * "Open" means any status but closed: a record under follow-up or continued
 * still stands against the unit until its issuer closes it.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "model.h"
#include "model_internal.h"
#include "vocab.h"
#include "xml.h"
#include "ytunnus.h"

#define R(obj)	((struct supervision_record *)(obj))

static int
rd_kind(xmlNodePtr c, void *o, struct err *e)
{
	return mi_vocab(c, &vocab_record_kind, &R(o)->kind, e);
}

static int
rd_unit(xmlNodePtr c, void *o, struct err *e)
{
	return mi_token(c, R(o)->unit_id, sizeof(R(o)->unit_id), e);
}

static int
rd_unit_region(xmlNodePtr c, void *o, struct err *e)
{
	return mi_token(c, R(o)->unit_region, sizeof(R(o)->unit_region), e);
}

static int
rd_provider(xmlNodePtr c, void *o, struct err *e)
{
	return mi_token(c, R(o)->provider_ytunnus,
	    sizeof(R(o)->provider_ytunnus), e);
}

static int
rd_issuer(xmlNodePtr c, void *o, struct err *e)
{
	return mi_token(c, R(o)->issuer, sizeof(R(o)->issuer), e);
}

static int
rd_case(xmlNodePtr c, void *o, struct err *e)
{
	return mi_token(c, R(o)->case_number, sizeof(R(o)->case_number), e);
}

static int
rd_opened(xmlNodePtr c, void *o, struct err *e)
{
	return mi_date(c, R(o)->opened, sizeof(R(o)->opened), e);
}

static int
rd_visit(xmlNodePtr c, void *o, struct err *e)
{
	return mi_date(c, R(o)->visit_date, sizeof(R(o)->visit_date), e);
}

static int
rd_announced(xmlNodePtr c, void *o, struct err *e)
{
	return mi_bool(c, &R(o)->announced, e);
}

static int
rd_theme(xmlNodePtr c, void *o, struct err *e)
{
	struct supervision_record *r = o;

	if (r->nthemes >= REC_THEME_MAX)
		return mi_fail(e, c, "more than %d themes", REC_THEME_MAX);
	if (mi_text(c, r->themes[r->nthemes], sizeof(r->themes[0]), e) == -1)
		return -1;
	r->nthemes++;
	return 0;
}

static int
rd_finding(xmlNodePtr c, void *o, struct err *e)
{
	struct supervision_record *r = o;
	struct finding *f;

	if (r->nfindings >= REC_FINDING_MAX)
		return mi_fail(e, c, "more than %d findings", REC_FINDING_MAX);
	f = &r->findings[r->nfindings];
	if (mi_vocab_attr(c, "category", &vocab_finding_category,
	    &f->category, e) == -1 ||
	    mi_vocab_attr(c, "severity", &vocab_severity, &f->severity,
	    e) == -1 ||
	    mi_text(c, f->text, sizeof(f->text), e) == -1)
		return -1;
	r->nfindings++;
	return 0;
}

static int
rd_measures(xmlNodePtr c, void *o, struct err *e)
{
	return mi_text(c, R(o)->measures, sizeof(R(o)->measures), e);
}

static int
rd_deadline(xmlNodePtr c, void *o, struct err *e)
{
	return mi_date(c, R(o)->deadline, sizeof(R(o)->deadline), e);
}

static int
rd_status(xmlNodePtr c, void *o, struct err *e)
{
	return mi_vocab(c, &vocab_record_status, &R(o)->status, e);
}

static int
rd_outcome(xmlNodePtr c, void *o, struct err *e)
{
	return mi_vocab(c, &vocab_outcome, &R(o)->outcome, e);
}

static int
rd_follows(xmlNodePtr c, void *o, struct err *e)
{
	struct supervision_record *r = o;

	if (r->nfollows >= REC_FOLLOW_MAX)
		return mi_fail(e, c, "more than %d earlier records",
		    REC_FOLLOW_MAX);
	if (mi_token(c, r->follows[r->nfollows], sizeof(r->follows[0]),
	    e) == -1)
		return -1;
	r->nfollows++;
	return 0;
}

static int
rd_summary(xmlNodePtr c, void *o, struct err *e)
{
	return mi_text(c, R(o)->summary, sizeof(R(o)->summary), e);
}

static int
rd_annex(xmlNodePtr c, void *o, struct err *e)
{
	return mi_token(c, R(o)->annex_ref, sizeof(R(o)->annex_ref), e);
}

static int
rd_issued(xmlNodePtr c, void *o, struct err *e)
{
	return mi_datetime(c, &R(o)->issued, e);
}

static const struct mi_field record_fields[] = {
	{ "Kind", 1, 1, rd_kind },
	{ "Unit", 1, 1, rd_unit },
	{ "UnitRegion", 0, 1, rd_unit_region },
	{ "ProviderBusinessId", 1, 1, rd_provider },
	{ "Issuer", 1, 1, rd_issuer },
	{ "CaseNumber", 0, 1, rd_case },
	{ "Opened", 1, 1, rd_opened },
	{ "VisitDate", 0, 1, rd_visit },
	{ "Announced", 0, 1, rd_announced },
	{ "Theme", 0, REC_THEME_MAX, rd_theme },
	{ "Finding", 0, REC_FINDING_MAX, rd_finding },
	{ "Measures", 0, 1, rd_measures },
	{ "Deadline", 0, 1, rd_deadline },
	{ "Status", 1, 1, rd_status },
	{ "Outcome", 0, 1, rd_outcome },
	{ "Follows", 0, REC_FOLLOW_MAX, rd_follows },
	{ "PublicSummary", 0, 1, rd_summary },
	{ "AnnexRef", 0, 1, rd_annex },
	{ "Issued", 1, 1, rd_issued },
};

int
model_record_read(xmlNodePtr n, struct supervision_record *out, struct err *e)
{
	struct supervision_record r;

	memset(&r, 0, sizeof(r));
	r.announced = -1;
	r.outcome = -1;
	if (!xml_is(n, "SupervisionRecord"))
		return mi_fail(e, n, "not a SupervisionRecord element");
	if (mi_attr(n, "Id", r.id, sizeof(r.id), 1, e) == -1)
		return -1;
	if (mi_read_children(n, record_fields,
	    (int)(sizeof(record_fields) / sizeof(record_fields[0])), 1, &r,
	    e) == -1)
		return -1;
	if (model_record_check(&r, e) == -1)
		return mi_locate(e, n);
	*out = r;
	return 0;
}

xmlNodePtr
model_record_write(xmlDocPtr doc, xmlNodePtr parent,
    const struct supervision_record *r, struct err *e)
{
	struct mw w = { 0 };
	xmlNodePtr root, c;
	int i;

	if (model_record_check(r, e) == -1)
		return NULL;
	root = mw_root(&w, doc, parent, "SupervisionRecord");
	mw_attr(&w, root, "Id", r->id);
	mw_elem_vocab(&w, root, "Kind", &vocab_record_kind, r->kind);
	mw_elem(&w, root, "Unit", r->unit_id);
	mw_elem_opt(&w, root, "UnitRegion", r->unit_region);
	mw_elem(&w, root, "ProviderBusinessId", r->provider_ytunnus);
	mw_elem(&w, root, "Issuer", r->issuer);
	mw_elem_opt(&w, root, "CaseNumber", r->case_number);
	mw_elem(&w, root, "Opened", r->opened);
	mw_elem_opt(&w, root, "VisitDate", r->visit_date);
	if (r->announced >= 0)
		mw_elem_bool(&w, root, "Announced", r->announced);
	for (i = 0; i < r->nthemes; i++)
		mw_elem(&w, root, "Theme", r->themes[i]);
	for (i = 0; i < r->nfindings; i++) {
		c = mw_elem(&w, root, "Finding", r->findings[i].text);
		mw_attr_vocab(&w, c, "category", &vocab_finding_category,
		    r->findings[i].category);
		mw_attr_vocab(&w, c, "severity", &vocab_severity,
		    r->findings[i].severity);
	}
	mw_elem_opt(&w, root, "Measures", r->measures);
	mw_elem_opt(&w, root, "Deadline", r->deadline);
	mw_elem_vocab(&w, root, "Status", &vocab_record_status, r->status);
	if (r->outcome >= 0)
		mw_elem_vocab(&w, root, "Outcome", &vocab_outcome, r->outcome);
	for (i = 0; i < r->nfollows; i++)
		mw_elem(&w, root, "Follows", r->follows[i]);
	mw_elem_opt(&w, root, "PublicSummary", r->summary);
	mw_elem_opt(&w, root, "AnnexRef", r->annex_ref);
	mw_elem_datetime(&w, root, "Issued", r->issued);
	return mw_finish(&w, doc, root, "SupervisionRecord", e);
}

#define RFAIL(...) do {							\
	char m_[ERR_MSG_MAX];						\
	snprintf(m_, sizeof(m_), __VA_ARGS__);				\
	return err_set(e, ERR_SCHEMA, "record %s: %s", r->id, m_);	\
} while (0)

/* The AuthorityCode pattern of common.xsd. */
static int
issuer_ok(const char *s)
{
	static const char *const fixed[] = { "LVV", "VALVIRA", "EOA", "OKV",
	    "AVI-ES", "AVI-LS", "AVI-LSS", "AVI-ISA", "AVI-PSA", "AVI-LA",
	    NULL };
	int i;

	for (i = 0; fixed[i] != NULL; i++)
		if (strcmp(s, fixed[i]) == 0)
			return 1;
	return strncmp(s, "HVA-", 4) == 0 && region_find(s + 4) != -1;
}

int
model_record_check(const struct supervision_record *r, struct err *e)
{
	int i, d;
	time_t opened, t;

	if (!mi_is_id(r->id))
		RFAIL("Id: '%s' is not a valid ID", r->id);
	if (vocab_token(&vocab_record_kind, r->kind) == NULL)
		RFAIL("Kind: unknown value %d", r->kind);
	if (!mi_is_id(r->unit_id))
		RFAIL("Unit: '%s' is not a valid unit ID", r->unit_id);
	if (r->unit_region[0] != '\0' && region_find(r->unit_region) == -1)
		RFAIL("UnitRegion: '%s' is not a region code", r->unit_region);
	if (!ytunnus_is_valid(r->provider_ytunnus)) {
		d = strlen(r->provider_ytunnus) == YTUNNUS_LEN ?
		    ytunnus_check_digit(r->provider_ytunnus) : -1;
		if (d >= 0)
			RFAIL("ProviderBusinessId: %s has a wrong check digit "
			    "(expected %.7s-%d)", r->provider_ytunnus,
			    r->provider_ytunnus, d);
		RFAIL("ProviderBusinessId: '%s' is not a valid business ID "
		    "(Y-tunnus)", r->provider_ytunnus);
	}
	if (!issuer_ok(r->issuer))
		RFAIL("Issuer: '%s' is not an authority code", r->issuer);
	if (model_date_parse(r->opened, &opened) == -1)
		RFAIL("Opened: '%s' is not a date", r->opened);
	if (r->visit_date[0] != '\0') {
		if (model_date_parse(r->visit_date, &t) == -1)
			RFAIL("VisitDate: '%s' is not a date", r->visit_date);
	}
	if (r->announced < -1 || r->announced > 1)
		RFAIL("Announced: %d", r->announced);
	if (r->kind == RK_INSPECTION_ANNOUNCED && r->announced == 0)
		RFAIL("Announced: false for an announced inspection");
	if (r->kind == RK_INSPECTION_UNANNOUNCED && r->announced == 1)
		RFAIL("Announced: true for an unannounced inspection");
	if (r->nthemes < 0 || r->nthemes > REC_THEME_MAX)
		RFAIL("Theme: %d themes", r->nthemes);
	for (i = 0; i < r->nthemes; i++)
		if (r->themes[i][0] == '\0')
			RFAIL("Theme: empty");
	if (r->nfindings < 0 || r->nfindings > REC_FINDING_MAX)
		RFAIL("Finding: %d findings", r->nfindings);
	for (i = 0; i < r->nfindings; i++) {
		if (vocab_token(&vocab_finding_category,
		    r->findings[i].category) == NULL)
			RFAIL("Finding/@category: unknown value %d",
			    r->findings[i].category);
		if (vocab_token(&vocab_severity,
		    r->findings[i].severity) == NULL)
			RFAIL("Finding/@severity: unknown value %d",
			    r->findings[i].severity);
	}
	if (r->deadline[0] != '\0') {
		if (model_date_parse(r->deadline, &t) == -1)
			RFAIL("Deadline: '%s' is not a date", r->deadline);
		if (t < opened)
			RFAIL("Deadline: %s is before the case was opened (%s)",
			    r->deadline, r->opened);
	}
	if (vocab_token(&vocab_record_status, r->status) == NULL)
		RFAIL("Status: unknown value %d", r->status);
	if (r->outcome != -1 && vocab_token(&vocab_outcome, r->outcome) == NULL)
		RFAIL("Outcome: unknown value %d", r->outcome);
	if (r->nfollows < 0 || r->nfollows > REC_FOLLOW_MAX)
		RFAIL("Follows: %d records", r->nfollows);
	for (i = 0; i < r->nfollows; i++) {
		if (!mi_is_id(r->follows[i]))
			RFAIL("Follows: '%s' is not a valid ID", r->follows[i]);
		if (strcmp(r->follows[i], r->id) == 0)
			RFAIL("Follows: a record cannot follow itself");
	}
	return 0;
}

int
model_record_check_id(const struct supervision_record *r, struct err *e)
{
	size_t n = strlen(r->issuer);

	if (n == 0 || strncmp(r->id, r->issuer, n) != 0 || r->id[n] != '-' ||
	    r->id[n + 1] == '\0')
		return err_set(e, ERR_INPUT, "record %s: the Id is not in the "
		    "namespace of its issuer %s (it must begin with \"%s-\")",
		    r->id, r->issuer, r->issuer);
	return 0;
}

static int
record_is_open(const struct supervision_record *r)
{
	return r->status != RS_CLOSED;
}

int
model_record_is_serious_open(const struct supervision_record *r)
{
	int i;

	if (!record_is_open(r))
		return 0;
	if (r->kind == RK_ORDER_TO_CORRECT || r->kind == RK_CONDITIONAL_FINE ||
	    r->kind == RK_SUSPENSION)
		return 1;
	for (i = 0; i < r->nfindings && i < REC_FINDING_MAX; i++)
		if (r->findings[i].severity == SEV_HIGH)
			return 1;
	return 0;
}

int
model_record_blocks_placement(const struct supervision_record *r)
{
	return record_is_open(r) &&
	    (r->kind == RK_ORDER_TO_CORRECT || r->kind == RK_SUSPENSION);
}
