/*
 * model_proc.c - the ProcurementDefinition document
 * (schemas/xsd/procurement.xsd) as struct procurement: reader, writer and
 * value rules.
 *
 * A procurement owns one malloc'd award array per lot (there may be
 * hundreds of awards, so they are not a fixed array); model_procurement_clear
 * releases them.  The struct is large (16 lots), so the reader builds it on
 * the heap and copies it out only when the whole document has been read.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "model_internal.h"
#include "vocab.h"
#include "xml.h"

#define AWARD_MAX	10000	/* per lot; far above any real framework */

#define P(obj)	((struct procurement *)(obj))
#define L(obj)	((struct lot *)(obj))

void
model_procurement_clear(struct procurement *p)
{
	int i;

	if (p == NULL)
		return;
	for (i = 0; i < PROC_LOT_MAX; i++) {
		free(p->lots[i].awards);
		p->lots[i].awards = NULL;
		p->lots[i].nawards = 0;
	}
}

/* --- reader ---------------------------------------------------------------- */

static int
rd_lot_name(xmlNodePtr c, void *o, struct err *e)
{
	return mi_text(c, L(o)->name, sizeof(L(o)->name), e);
}

static int
rd_category(xmlNodePtr c, void *o, struct err *e)
{
	return mi_vocab(c, &vocab_lot_category, &L(o)->category, e);
}

static int
rd_level(xmlNodePtr c, void *o, struct err *e)
{
	return mi_vocab(c, &vocab_service_level, &L(o)->service_level, e);
}

static int
rd_description(xmlNodePtr c, void *o, struct err *e)
{
	return mi_text(c, L(o)->description, sizeof(L(o)->description), e);
}

static int
rd_requirement(xmlNodePtr c, void *o, struct err *e)
{
	struct lot *l = o;

	if (l->nrequirements >= LOT_REQ_MAX)
		return mi_fail(e, c, "more than %d requirements", LOT_REQ_MAX);
	if (mi_text(c, l->requirements[l->nrequirements],
	    sizeof(l->requirements[0]), e) == -1)
		return -1;
	l->nrequirements++;
	return 0;
}

static int
rd_staff_min(xmlNodePtr c, void *o, struct err *e)
{
	struct lot *l = o;

	return mi_int_attr(c, "total", 0, 100000, &l->min_staff, e) == -1 ||
	    mi_int_attr(c, "qualified", 0, 100000, &l->min_staff_qualified,
	    e) == -1 ? -1 : 0;
}

static int
rd_max_children(xmlNodePtr c, void *o, struct err *e)
{
	return mi_int(c, 0, 100000, &L(o)->max_children, e);
}

static int
rd_criterion(xmlNodePtr c, void *o, struct err *e)
{
	struct lot *l = o;
	struct criterion *cr;

	if (l->ncriteria >= LOT_CRIT_MAX)
		return mi_fail(e, c, "more than %d criteria", LOT_CRIT_MAX);
	cr = &l->criteria[l->ncriteria];
	if (mi_vocab_attr(c, "kind", &vocab_criterion_kind, &cr->kind,
	    e) == -1 ||
	    mi_int_attr(c, "points", 0, 100, &cr->points, e) == -1 ||
	    mi_text(c, cr->name, sizeof(cr->name), e) == -1)
		return -1;
	l->ncriteria++;
	return 0;
}

static int
rd_price_weight(xmlNodePtr c, void *o, struct err *e)
{
	return mi_int(c, 0, 100, &L(o)->price_weight, e);
}

static int
rd_ceiling(xmlNodePtr c, void *o, struct err *e)
{
	char cur[8];

	if (mi_attr(c, "currency", cur, sizeof(cur), 0, e) == -1)
		return -1;
	if (cur[0] != '\0' && strcmp(cur, "EUR") != 0)
		return mi_fail(e, c, "currency %s is not EUR", cur);
	return mi_money(c, &L(o)->price_ceiling_cents, e);
}

static int
rd_ranking(xmlNodePtr c, void *o, struct err *e)
{
	return mi_vocab(c, &vocab_ranking_rule, &L(o)->ranking_rule, e);
}

static int
rd_award(xmlNodePtr c, void *o, struct err *e)
{
	struct lot *l = o;
	struct award a, *na;

	memset(&a, 0, sizeof(a));
	if (mi_attr(c, "unit", a.unit_id, sizeof(a.unit_id), 1, e) == -1 ||
	    mi_money_attr(c, "price", &a.price_cents, e) == -1 ||
	    mi_int_attr(c, "rank", 1, 100000, &a.rank, e) == -1)
		return -1;
	if (l->nawards >= AWARD_MAX)
		return mi_fail(e, c, "more than %d awards", AWARD_MAX);
	/* Grow by doubling from 4: full whenever nawards is 4, 8, 16, ... */
	if (l->nawards == 0 ||
	    (l->nawards >= 4 && (l->nawards & (l->nawards - 1)) == 0)) {
		na = realloc(l->awards, sizeof(*na) *
		    (size_t)(l->nawards == 0 ? 4 : l->nawards * 2));
		if (na == NULL)
			return err_set(e, ERR_NOMEM, "out of memory");
		l->awards = na;
	}
	l->awards[l->nawards++] = a;
	return 0;
}

static const struct mi_field lot_fields[] = {
	{ "Name", 1, 1, rd_lot_name },
	{ "Category", 1, 1, rd_category },
	{ "ServiceLevel", 0, 1, rd_level },
	{ "Description", 0, 1, rd_description },
	{ "Requirement", 0, LOT_REQ_MAX, rd_requirement },
	{ "StaffMinimum", 1, 1, rd_staff_min },
	{ "MaxChildren", 1, 1, rd_max_children },
	{ "Criterion", 0, LOT_CRIT_MAX, rd_criterion },
	{ "PriceWeight", 1, 1, rd_price_weight },
	{ "PriceCeiling", 0, 1, rd_ceiling },
	{ "RankingRule", 1, 1, rd_ranking },
	{ "Award", 0, AWARD_MAX, rd_award },
};

static int
rd_title(xmlNodePtr c, void *o, struct err *e)
{
	return mi_text(c, P(o)->title, sizeof(P(o)->title), e);
}

static int
rd_region(xmlNodePtr c, void *o, struct err *e)
{
	return mi_token(c, P(o)->region, sizeof(P(o)->region), e);
}

static int
rd_joint(xmlNodePtr c, void *o, struct err *e)
{
	struct procurement *p = o;

	if (p->njoint >= PROC_REGION_MAX)
		return mi_fail(e, c, "more than %d regions", PROC_REGION_MAX);
	if (mi_token(c, p->joint[p->njoint], sizeof(p->joint[0]), e) == -1)
		return -1;
	p->njoint++;
	return 0;
}

static int
rd_period(xmlNodePtr c, void *o, struct err *e)
{
	struct procurement *p = o;

	return mi_date_attr(c, "start", p->period_start,
	    sizeof(p->period_start), e) == -1 ||
	    mi_date_attr(c, "end", p->period_end, sizeof(p->period_end),
	    e) == -1 ? -1 : 0;
}

static int
rd_options(xmlNodePtr c, void *o, struct err *e)
{
	return mi_text(c, P(o)->options, sizeof(P(o)->options), e);
}

static int
rd_lot(xmlNodePtr c, void *o, struct err *e)
{
	struct procurement *p = o;
	struct lot *l;

	if (p->nlots >= PROC_LOT_MAX)
		return mi_fail(e, c, "more than %d lots", PROC_LOT_MAX);
	l = &p->lots[p->nlots++];	/* counted now so clear() frees it */
	l->service_level = -1;
	l->price_ceiling_cents = -1;
	if (mi_attr(c, "id", l->id, sizeof(l->id), 1, e) == -1)
		return -1;
	return mi_read_children(c, lot_fields,
	    (int)(sizeof(lot_fields) / sizeof(lot_fields[0])), 0, l, e);
}

static int
rd_updated(xmlNodePtr c, void *o, struct err *e)
{
	return mi_datetime(c, &P(o)->updated, e);
}

static const struct mi_field proc_fields[] = {
	{ "Title", 1, 1, rd_title },
	{ "Region", 1, 1, rd_region },
	{ "JointRegion", 0, PROC_REGION_MAX, rd_joint },
	{ "Period", 1, 1, rd_period },
	{ "Options", 0, 1, rd_options },
	{ "Lot", 1, PROC_LOT_MAX, rd_lot },
	{ "Updated", 1, 1, rd_updated },
};

int
model_procurement_read(xmlNodePtr n, struct procurement *out, struct err *e)
{
	struct procurement *p = NULL;
	int rc = -1;

	if (!xml_is(n, "ProcurementDefinition"))
		return mi_fail(e, n, "not a ProcurementDefinition element");
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if (mi_attr(n, "Id", p->id, sizeof(p->id), 1, e) == -1)
		goto done;
	if (mi_read_children(n, proc_fields,
	    (int)(sizeof(proc_fields) / sizeof(proc_fields[0])), 1, p, e) == -1)
		goto done;
	if (model_procurement_check(p, e) == -1) {
		mi_locate(e, n);
		goto done;
	}
	memcpy(out, p, sizeof(*p));
	memset(p, 0, sizeof(*p));	/* the awards now belong to out */
	rc = 0;
done:
	model_procurement_clear(p);
	free(p);
	return rc;
}

/* --- writer ---------------------------------------------------------------- */

static void
write_lot(struct mw *w, xmlNodePtr root, const struct lot *l)
{
	xmlNodePtr n, c;
	int i;

	n = mw_elem(w, root, "Lot", NULL);
	mw_attr(w, n, "id", l->id);
	mw_elem(w, n, "Name", l->name);
	mw_elem_vocab(w, n, "Category", &vocab_lot_category, l->category);
	if (l->service_level >= 0)
		mw_elem_vocab(w, n, "ServiceLevel", &vocab_service_level,
		    l->service_level);
	mw_elem_opt(w, n, "Description", l->description);
	for (i = 0; i < l->nrequirements; i++)
		mw_elem(w, n, "Requirement", l->requirements[i]);
	c = mw_elem(w, n, "StaffMinimum", NULL);
	mw_attr_int(w, c, "total", l->min_staff);
	mw_attr_int(w, c, "qualified", l->min_staff_qualified);
	mw_elem_int(w, n, "MaxChildren", l->max_children);
	for (i = 0; i < l->ncriteria; i++) {
		c = mw_elem(w, n, "Criterion", l->criteria[i].name);
		mw_attr_vocab(w, c, "kind", &vocab_criterion_kind,
		    l->criteria[i].kind);
		mw_attr_int(w, c, "points", l->criteria[i].points);
	}
	mw_elem_int(w, n, "PriceWeight", l->price_weight);
	if (l->price_ceiling_cents >= 0) {
		c = mw_elem_money(w, n, "PriceCeiling", l->price_ceiling_cents);
		mw_attr(w, c, "currency", "EUR");
	}
	mw_elem_vocab(w, n, "RankingRule", &vocab_ranking_rule,
	    l->ranking_rule);
	for (i = 0; i < l->nawards; i++) {
		c = mw_elem(w, n, "Award", NULL);
		mw_attr(w, c, "unit", l->awards[i].unit_id);
		mw_attr_money(w, c, "price", l->awards[i].price_cents);
		mw_attr_int(w, c, "rank", l->awards[i].rank);
	}
}

xmlNodePtr
model_procurement_write(xmlDocPtr doc, xmlNodePtr parent,
    const struct procurement *p, struct err *e)
{
	struct mw w = { 0 };
	xmlNodePtr root, c;
	int i;

	if (model_procurement_check(p, e) == -1)
		return NULL;
	root = mw_root(&w, doc, parent, "ProcurementDefinition");
	mw_attr(&w, root, "Id", p->id);
	mw_elem(&w, root, "Title", p->title);
	mw_elem(&w, root, "Region", p->region);
	for (i = 0; i < p->njoint; i++)
		mw_elem(&w, root, "JointRegion", p->joint[i]);
	c = mw_elem(&w, root, "Period", NULL);
	mw_attr(&w, c, "start", p->period_start);
	mw_attr(&w, c, "end", p->period_end);
	mw_elem_opt(&w, root, "Options", p->options);
	for (i = 0; i < p->nlots; i++)
		write_lot(&w, root, &p->lots[i]);
	mw_elem_datetime(&w, root, "Updated", p->updated);
	return mw_finish(&w, doc, root, "ProcurementDefinition", e);
}

/* --- value rules ----------------------------------------------------------- */

#define PFAIL(...) do {							\
	char m_[ERR_MSG_MAX];						\
	snprintf(m_, sizeof(m_), __VA_ARGS__);				\
	return err_set(e, ERR_SCHEMA, "procurement %s: %s", p->id, m_);	\
} while (0)

static int
lot_check(const struct procurement *p, const struct lot *l, struct err *e)
{
	int i, j, sum = 0;

	if (!mi_is_id(l->id))
		PFAIL("Lot/@id: '%s' is not a valid ID", l->id);
	if (l->name[0] == '\0')
		PFAIL("Lot %s: Name: empty", l->id);
	if (vocab_token(&vocab_lot_category, l->category) == NULL)
		PFAIL("Lot %s: Category: unknown value %d", l->id, l->category);
	if (l->service_level != -1 &&
	    vocab_token(&vocab_service_level, l->service_level) == NULL)
		PFAIL("Lot %s: ServiceLevel: unknown value %d", l->id,
		    l->service_level);
	if (l->nrequirements < 0 || l->nrequirements > LOT_REQ_MAX)
		PFAIL("Lot %s: Requirement: %d requirements", l->id,
		    l->nrequirements);
	if (l->min_staff < 0 || l->min_staff_qualified < 0 ||
	    l->min_staff_qualified > l->min_staff)
		PFAIL("Lot %s: StaffMinimum: %d qualified of %d staff", l->id,
		    l->min_staff_qualified, l->min_staff);
	if (l->max_children < 0)
		PFAIL("Lot %s: MaxChildren: %d", l->id, l->max_children);
	if (l->ncriteria < 0 || l->ncriteria > LOT_CRIT_MAX)
		PFAIL("Lot %s: Criterion: %d criteria", l->id, l->ncriteria);
	for (i = 0; i < l->ncriteria; i++) {
		if (vocab_token(&vocab_criterion_kind,
		    l->criteria[i].kind) == NULL)
			PFAIL("Lot %s: Criterion/@kind: unknown value %d",
			    l->id, l->criteria[i].kind);
		if (l->criteria[i].name[0] == '\0')
			PFAIL("Lot %s: Criterion: empty name", l->id);
		if (l->criteria[i].points < 0 || l->criteria[i].points > 100)
			PFAIL("Lot %s: Criterion/@points: %d is not 0..100",
			    l->id, l->criteria[i].points);
		sum += l->criteria[i].points;
	}
	if (l->price_weight < 0 || l->price_weight > 100)
		PFAIL("Lot %s: PriceWeight: %d is not 0..100", l->id,
		    l->price_weight);
	if (sum + l->price_weight > 100)
		PFAIL("Lot %s: Criterion/@points: quality points %d and price "
		    "weight %d add up to more than 100", l->id, sum,
		    l->price_weight);
	if (l->price_ceiling_cents < -1)
		PFAIL("Lot %s: PriceCeiling: negative", l->id);
	if (vocab_token(&vocab_ranking_rule, l->ranking_rule) == NULL)
		PFAIL("Lot %s: RankingRule: unknown value %d", l->id,
		    l->ranking_rule);
	if (l->nawards < 0 || l->nawards > AWARD_MAX ||
	    (l->nawards > 0 && l->awards == NULL))
		PFAIL("Lot %s: Award: %d awards", l->id, l->nawards);
	for (i = 0; i < l->nawards; i++) {
		const struct award *a = &l->awards[i];

		if (!mi_is_id(a->unit_id))
			PFAIL("Lot %s: Award/@unit: '%s' is not a valid ID",
			    l->id, a->unit_id);
		if (a->rank < 1)
			PFAIL("Lot %s: Award %s: rank %d", l->id, a->unit_id,
			    a->rank);
		if (a->price_cents < 0)
			PFAIL("Lot %s: Award %s: negative price", l->id,
			    a->unit_id);
		if (l->price_ceiling_cents >= 0 &&
		    a->price_cents > l->price_ceiling_cents)
			PFAIL("Lot %s: Award %s: price %ld.%02ld is above the "
			    "ceiling %ld.%02ld", l->id, a->unit_id,
			    a->price_cents / 100, a->price_cents % 100,
			    l->price_ceiling_cents / 100,
			    l->price_ceiling_cents % 100);
		for (j = 0; j < i; j++)
			if (strcmp(l->awards[j].unit_id, a->unit_id) == 0)
				PFAIL("Lot %s: Award: unit %s awarded twice",
				    l->id, a->unit_id);
	}
	return 0;
}

int
model_procurement_check(const struct procurement *p, struct err *e)
{
	int i, j;
	time_t s, t;

	if (!mi_is_id(p->id))
		PFAIL("Id: '%s' is not a valid ID", p->id);
	if (p->title[0] == '\0')
		PFAIL("Title: empty");
	if (region_find(p->region) == -1)
		PFAIL("Region: '%s' is not a wellbeing-area code", p->region);
	if (p->njoint < 0 || p->njoint > PROC_REGION_MAX)
		PFAIL("JointRegion: %d regions", p->njoint);
	for (i = 0; i < p->njoint; i++) {
		if (region_find(p->joint[i]) == -1)
			PFAIL("JointRegion: '%s' is not a wellbeing-area code",
			    p->joint[i]);
		for (j = 0; j < i; j++)
			if (strcmp(p->joint[i], p->joint[j]) == 0)
				PFAIL("JointRegion: %s listed twice",
				    p->joint[i]);
	}
	if (model_date_parse(p->period_start, &s) == -1)
		PFAIL("Period/@start: '%s' is not a date", p->period_start);
	if (model_date_parse(p->period_end, &t) == -1)
		PFAIL("Period/@end: '%s' is not a date", p->period_end);
	if (t < s)
		PFAIL("Period: ends (%s) before it starts (%s)", p->period_end,
		    p->period_start);
	if (p->nlots < 1 || p->nlots > PROC_LOT_MAX)
		PFAIL("Lot: %d lots (1..%d)", p->nlots, PROC_LOT_MAX);
	for (i = 0; i < p->nlots; i++) {
		if (lot_check(p, &p->lots[i], e) == -1)
			return -1;
		for (j = 0; j < i; j++)
			if (strcmp(p->lots[i].id, p->lots[j].id) == 0)
				PFAIL("Lot/@id: %s used twice", p->lots[i].id);
	}
	return 0;
}
