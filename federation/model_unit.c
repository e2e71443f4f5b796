/*
 * model_unit.c - the Unit document (schemas/xsd/unit.xsd) as struct unit:
 * reader, writer and the value rules the XSD cannot express.
 *
 * The reader walks the children in the schema's order with one small
 * function per element (the table unit_fields[]), then runs
 * model_unit_check() so that a document whose values contradict each other
 * is refused with its line.  The writer refuses a struct that fails the same
 * check, so what it writes always validates.
 */
#include "config.h"

#include <string.h>

#include "model.h"
#include "model_internal.h"
#include "vocab.h"
#include "xml.h"
#include "ytunnus.h"

#define U(obj)	((struct unit *)(obj))

static int
rd_name(xmlNodePtr c, void *o, struct err *e)
{
	return mi_text(c, U(o)->name, sizeof(U(o)->name), e);
}

static int
rd_provider_name(xmlNodePtr c, void *o, struct err *e)
{
	return mi_text(c, U(o)->provider_name, sizeof(U(o)->provider_name), e);
}

static const struct mi_field provider_fields[] = {
	{ "Name", 1, 1, rd_provider_name },
};

static int
rd_provider(xmlNodePtr c, void *o, struct err *e)
{
	struct unit *u = o;

	if (mi_attr(c, "businessId", u->provider_ytunnus,
	    sizeof(u->provider_ytunnus), 1, e) == -1 ||
	    mi_vocab_attr(c, "sector", &vocab_sector, &u->sector, e) == -1)
		return -1;
	return mi_read_children(c, provider_fields, 1, 0, u, e);
}

static int
rd_type(xmlNodePtr c, void *o, struct err *e)
{
	return mi_vocab(c, &vocab_unit_type, &U(o)->type, e);
}

static int
rd_level(xmlNodePtr c, void *o, struct err *e)
{
	return mi_vocab(c, &vocab_service_level, &U(o)->service_level, e);
}

static int
rd_region(xmlNodePtr c, void *o, struct err *e)
{
	return mi_token(c, U(o)->region, sizeof(U(o)->region), e);
}

static int
rd_municipality(xmlNodePtr c, void *o, struct err *e)
{
	return mi_token(c, U(o)->municipality, sizeof(U(o)->municipality), e);
}

static int
rd_address(xmlNodePtr c, void *o, struct err *e)
{
	return mi_text(c, U(o)->address, sizeof(U(o)->address), e);
}

static int
rd_responsible(xmlNodePtr c, void *o, struct err *e)
{
	return mi_text(c, U(o)->responsible, sizeof(U(o)->responsible), e);
}

static int
rd_licence(xmlNodePtr c, void *o, struct err *e)
{
	struct unit *u = o;

	if (xml_first_elem(c) != NULL)
		return mi_fail(e, c, "has child elements");
	if (mi_date_attr(c, "date", u->licence_date, sizeof(u->licence_date),
	    e) == -1 ||
	    mi_attr(c, "authority", u->licence_authority,
	    sizeof(u->licence_authority), 1, e) == -1 ||
	    mi_bool_attr(c, "valid", &u->licence_valid, e) == -1)
		return -1;
	return 0;
}

static int
rd_plan(xmlNodePtr c, void *o, struct err *e)
{
	return mi_text(c, U(o)->self_supervision_url,
	    sizeof(U(o)->self_supervision_url), e);
}

static int
rd_sp_name(xmlNodePtr c, void *o, struct err *e)
{
	struct service_point *sp = o;

	return mi_text(c, sp->name, sizeof(sp->name), e);
}

static int
rd_sp_address(xmlNodePtr c, void *o, struct err *e)
{
	struct service_point *sp = o;

	return mi_text(c, sp->address, sizeof(sp->address), e);
}

static const struct mi_field sp_fields[] = {
	{ "Name", 1, 1, rd_sp_name },
	{ "Address", 0, 1, rd_sp_address },
};

static int
rd_service_point(xmlNodePtr c, void *o, struct err *e)
{
	struct unit *u = o;
	struct service_point *sp;

	if (u->nsp >= UNIT_SP_MAX)
		return mi_fail(e, c, "more than %d service points", UNIT_SP_MAX);
	sp = &u->sp[u->nsp];
	if (mi_attr(c, "id", sp->id, sizeof(sp->id), 1, e) == -1 ||
	    mi_read_children(c, sp_fields, 2, 0, sp, e) == -1)
		return -1;
	u->nsp++;
	return 0;
}

static int
rd_capacity(xmlNodePtr c, void *o, struct err *e)
{
	struct unit *u = o;

	return mi_int_attr(c, "places", 0, 100000, &u->places, e) == -1 ||
	    mi_int_attr(c, "residentialUnits", 0, 100000,
	    &u->residential_units, e) == -1 ? -1 : 0;
}

static int
rd_free(xmlNodePtr c, void *o, struct err *e)
{
	struct unit *u = o;

	return mi_int(c, 0, 100000, &u->free_places, e) == -1 ||
	    mi_datetime_attr(c, "updated", &u->free_updated, e) == -1 ? -1 : 0;
}

static int
rd_ages(xmlNodePtr c, void *o, struct err *e)
{
	struct unit *u = o;

	return mi_int_attr(c, "min", 0, 24, &u->age_min, e) == -1 ||
	    mi_int_attr(c, "max", 0, 24, &u->age_max, e) == -1 ? -1 : 0;
}

static int
rd_gender(xmlNodePtr c, void *o, struct err *e)
{
	return mi_vocab(c, &vocab_gender, &U(o)->gender, e);
}

static int
rd_language(xmlNodePtr c, void *o, struct err *e)
{
	struct unit *u = o;

	if (u->nlanguages >= UNIT_LANG_MAX)
		return mi_fail(e, c, "more than %d languages", UNIT_LANG_MAX);
	if (mi_token(c, u->languages[u->nlanguages],
	    sizeof(u->languages[0]), e) == -1)
		return -1;
	u->nlanguages++;
	return 0;
}

static int
rd_target(xmlNodePtr c, void *o, struct err *e)
{
	int i;

	if (mi_vocab(c, &vocab_target_group, &i, e) == -1)
		return -1;
	U(o)->target_groups |= (uint32_t)1 << i;
	return 0;
}

static int
rd_expertise(xmlNodePtr c, void *o, struct err *e)
{
	int i;

	if (mi_vocab(c, &vocab_expertise, &i, e) == -1)
		return -1;
	U(o)->expertise |= (uint32_t)1 << i;
	return 0;
}

static int
rd_methods(xmlNodePtr c, void *o, struct err *e)
{
	return mi_text(c, U(o)->methods, sizeof(U(o)->methods), e);
}

static int
rd_school(xmlNodePtr c, void *o, struct err *e)
{
	return mi_vocab(c, &vocab_school, &U(o)->school, e);
}

static int
rd_staff(xmlNodePtr c, void *o, struct err *e)
{
	struct unit *u = o;

	return mi_int_attr(c, "count", 0, 100000, &u->staff_count, e) == -1 ||
	    mi_int_attr(c, "qualified", 0, 100000, &u->staff_qualified,
	    e) == -1 ? -1 : 0;
}

static int
rd_restrictive(xmlNodePtr c, void *o, struct err *e)
{
	return mi_bool(c, &U(o)->restrictive_measures, e);
}

static int
rd_price(xmlNodePtr c, void *o, struct err *e)
{
	char cur[8];

	if (mi_attr(c, "currency", cur, sizeof(cur), 0, e) == -1)
		return -1;
	if (cur[0] != '\0' && strcmp(cur, "EUR") != 0)
		return mi_fail(e, c, "currency %s is not EUR", cur);
	return mi_money(c, &U(o)->price_cents, e);
}

static int
rd_lot(xmlNodePtr c, void *o, struct err *e)
{
	struct unit *u = o;

	if (u->nlots >= UNIT_LOT_MAX)
		return mi_fail(e, c, "more than %d lots", UNIT_LOT_MAX);
	if (mi_attr(c, "ref", u->lots[u->nlots], sizeof(u->lots[0]), 1,
	    e) == -1)
		return -1;
	u->nlots++;
	return 0;
}

static int
rd_updated(xmlNodePtr c, void *o, struct err *e)
{
	return mi_datetime(c, &U(o)->updated, e);
}

static int
rd_home(xmlNodePtr c, void *o, struct err *e)
{
	return mi_token(c, U(o)->home_region, sizeof(U(o)->home_region), e);
}

static const struct mi_field unit_fields[] = {
	{ "Name", 1, 1, rd_name },
	{ "Provider", 1, 1, rd_provider },
	{ "Type", 1, 1, rd_type },
	{ "ServiceLevel", 1, 1, rd_level },
	{ "Region", 1, 1, rd_region },
	{ "Municipality", 1, 1, rd_municipality },
	{ "Address", 0, 1, rd_address },
	{ "Responsible", 0, 1, rd_responsible },
	{ "Licence", 1, 1, rd_licence },
	{ "SelfSupervisionPlan", 0, 1, rd_plan },
	{ "ServicePoint", 0, UNIT_SP_MAX, rd_service_point },
	{ "Capacity", 1, 1, rd_capacity },
	{ "FreePlaces", 1, 1, rd_free },
	{ "Ages", 1, 1, rd_ages },
	{ "Gender", 1, 1, rd_gender },
	{ "Language", 1, UNIT_LANG_MAX, rd_language },
	{ "TargetGroup", 0, 10, rd_target },
	{ "Expertise", 0, 12, rd_expertise },
	{ "Methods", 0, 1, rd_methods },
	{ "School", 1, 1, rd_school },
	{ "Staff", 1, 1, rd_staff },
	{ "RestrictiveMeasures", 1, 1, rd_restrictive },
	{ "DailyPrice", 1, 1, rd_price },
	{ "Lot", 0, UNIT_LOT_MAX, rd_lot },
	{ "Updated", 1, 1, rd_updated },
	{ "HomeRegion", 1, 1, rd_home },
};

int
model_unit_read(xmlNodePtr n, struct unit *out, struct err *e)
{
	struct unit u;

	memset(&u, 0, sizeof(u));
	if (!xml_is(n, "Unit"))
		return mi_fail(e, n, "not a Unit element");
	if (mi_attr(n, "Id", u.id, sizeof(u.id), 1, e) == -1)
		return -1;
	if (mi_read_children(n, unit_fields,
	    (int)(sizeof(unit_fields) / sizeof(unit_fields[0])), 1, &u, e) == -1)
		return -1;
	if (model_unit_check(&u, e) == -1)
		return mi_locate(e, n);
	*out = u;
	return 0;
}

xmlNodePtr
model_unit_write(xmlDocPtr doc, xmlNodePtr parent, const struct unit *u,
    struct err *e)
{
	struct mw w = { 0 };
	xmlNodePtr root, c;
	const struct vocab *v;
	int i;

	if (model_unit_check(u, e) == -1)
		return NULL;
	root = mw_root(&w, doc, parent, "Unit");
	mw_attr(&w, root, "Id", u->id);
	mw_elem(&w, root, "Name", u->name);
	c = mw_elem(&w, root, "Provider", NULL);
	mw_attr(&w, c, "businessId", u->provider_ytunnus);
	mw_attr_vocab(&w, c, "sector", &vocab_sector, u->sector);
	mw_elem(&w, c, "Name", u->provider_name);
	mw_elem_vocab(&w, root, "Type", &vocab_unit_type, u->type);
	mw_elem_vocab(&w, root, "ServiceLevel", &vocab_service_level,
	    u->service_level);
	mw_elem(&w, root, "Region", u->region);
	mw_elem(&w, root, "Municipality", u->municipality);
	mw_elem_opt(&w, root, "Address", u->address);
	mw_elem_opt(&w, root, "Responsible", u->responsible);
	c = mw_elem(&w, root, "Licence", NULL);
	mw_attr(&w, c, "date", u->licence_date);
	mw_attr(&w, c, "authority", u->licence_authority);
	mw_attr_bool(&w, c, "valid", u->licence_valid);
	mw_elem_opt(&w, root, "SelfSupervisionPlan", u->self_supervision_url);
	for (i = 0; i < u->nsp; i++) {
		c = mw_elem(&w, root, "ServicePoint", NULL);
		mw_attr(&w, c, "id", u->sp[i].id);
		mw_elem(&w, c, "Name", u->sp[i].name);
		mw_elem_opt(&w, c, "Address", u->sp[i].address);
	}
	c = mw_elem(&w, root, "Capacity", NULL);
	mw_attr_int(&w, c, "places", u->places);
	mw_attr_int(&w, c, "residentialUnits", u->residential_units);
	c = mw_elem_int(&w, root, "FreePlaces", u->free_places);
	mw_attr_datetime(&w, c, "updated", u->free_updated);
	c = mw_elem(&w, root, "Ages", NULL);
	mw_attr_int(&w, c, "min", u->age_min);
	mw_attr_int(&w, c, "max", u->age_max);
	mw_elem_vocab(&w, root, "Gender", &vocab_gender, u->gender);
	for (i = 0; i < u->nlanguages; i++)
		mw_elem(&w, root, "Language", u->languages[i]);
	v = &vocab_target_group;
	for (i = 0; i < v->count; i++)
		if (u->target_groups & ((uint32_t)1 << i))
			mw_elem_vocab(&w, root, "TargetGroup", v, i);
	v = &vocab_expertise;
	for (i = 0; i < v->count; i++)
		if (u->expertise & ((uint32_t)1 << i))
			mw_elem_vocab(&w, root, "Expertise", v, i);
	mw_elem_opt(&w, root, "Methods", u->methods);
	mw_elem_vocab(&w, root, "School", &vocab_school, u->school);
	c = mw_elem(&w, root, "Staff", NULL);
	mw_attr_int(&w, c, "count", u->staff_count);
	mw_attr_int(&w, c, "qualified", u->staff_qualified);
	mw_elem_bool(&w, root, "RestrictiveMeasures", u->restrictive_measures);
	c = mw_elem_money(&w, root, "DailyPrice", u->price_cents);
	mw_attr(&w, c, "currency", "EUR");
	for (i = 0; i < u->nlots; i++) {
		c = mw_elem(&w, root, "Lot", NULL);
		mw_attr(&w, c, "ref", u->lots[i]);
	}
	mw_elem_datetime(&w, root, "Updated", u->updated);
	mw_elem(&w, root, "HomeRegion", u->home_region);
	return mw_finish(&w, doc, root, "Unit", e);
}

/* ERR_SCHEMA "unit ID: field: why". */
#define UFAIL(...) do {							\
	char m_[ERR_MSG_MAX];						\
	snprintf(m_, sizeof(m_), __VA_ARGS__);				\
	return err_set(e, ERR_SCHEMA, "unit %s: %s", u->id, m_);	\
} while (0)

static int
lotref_ok(const char *s)
{
	char a[ID_MAX + 2];
	const char *slash;
	size_t n;

	if ((slash = strchr(s, '/')) == NULL ||
	    (n = (size_t)(slash - s)) > ID_MAX)
		return 0;
	memcpy(a, s, n);
	a[n] = '\0';
	return mi_is_id(a) && mi_is_id(slash + 1);
}

int
model_unit_check(const struct unit *u, struct err *e)
{
	int i, d;
	uint32_t allbits;

	if (!mi_is_id(u->id))
		UFAIL("Id: '%s' is not a valid ID", u->id);
	if (u->name[0] == '\0')
		UFAIL("Name: empty");
	if (u->provider_name[0] == '\0')
		UFAIL("Provider/Name: empty");
	if (!ytunnus_is_valid(u->provider_ytunnus)) {
		d = strlen(u->provider_ytunnus) == YTUNNUS_LEN ?
		    ytunnus_check_digit(u->provider_ytunnus) : -1;
		if (d >= 0)
			UFAIL("Provider/@businessId: %s has a wrong check "
			    "digit (expected %.7s-%d)", u->provider_ytunnus,
			    u->provider_ytunnus, d);
		UFAIL("Provider/@businessId: '%s' is not a valid business "
		    "ID (Y-tunnus)", u->provider_ytunnus);
	}
	if (vocab_token(&vocab_sector, u->sector) == NULL)
		UFAIL("Provider/@sector: unknown value %d", u->sector);
	if (vocab_token(&vocab_unit_type, u->type) == NULL)
		UFAIL("Type: unknown value %d", u->type);
	if (vocab_token(&vocab_service_level, u->service_level) == NULL)
		UFAIL("ServiceLevel: unknown value %d", u->service_level);
	if (region_find(u->region) == -1)
		UFAIL("Region: '%s' is not a wellbeing-area code", u->region);
	if (!mi_is_digits(u->municipality, 3))
		UFAIL("Municipality: '%s' is not a 3-digit municipality code",
		    u->municipality);
	if (!mi_is_date(u->licence_date))
		UFAIL("Licence/@date: '%s' is not a date", u->licence_date);
	if (u->licence_authority[0] == '\0')
		UFAIL("Licence/@authority: empty");
	if (u->nsp < 0 || u->nsp > UNIT_SP_MAX)
		UFAIL("ServicePoint: %d service points", u->nsp);
	for (i = 0; i < u->nsp; i++) {
		if (!mi_is_id(u->sp[i].id))
			UFAIL("ServicePoint/@id: '%s' is not a valid ID",
			    u->sp[i].id);
		if (u->sp[i].name[0] == '\0')
			UFAIL("ServicePoint %s: Name: empty", u->sp[i].id);
	}
	if (u->places < 0 || u->places > 100000 || u->residential_units < 0 ||
	    u->residential_units > 100000)
		UFAIL("Capacity: places %d, residential units %d out of range",
		    u->places, u->residential_units);
	if (u->free_places < 0 || u->free_places > u->places)
		UFAIL("FreePlaces: %d free places but %d places", u->free_places,
		    u->places);
	if (u->age_min < 0 || u->age_max > 24 || u->age_min > u->age_max)
		UFAIL("Ages: min %d and max %d are not a range within 0..24",
		    u->age_min, u->age_max);
	if (vocab_token(&vocab_gender, u->gender) == NULL)
		UFAIL("Gender: unknown value %d", u->gender);
	if (u->nlanguages < 1 || u->nlanguages > UNIT_LANG_MAX)
		UFAIL("Language: %d languages (1..%d)", u->nlanguages,
		    UNIT_LANG_MAX);
	for (i = 0; i < u->nlanguages; i++)
		if (strlen(u->languages[i]) != 2 ||
		    u->languages[i][0] < 'a' || u->languages[i][0] > 'z' ||
		    u->languages[i][1] < 'a' || u->languages[i][1] > 'z')
			UFAIL("Language: '%s' is not an ISO 639-1 code",
			    u->languages[i]);
	allbits = ((uint32_t)1 << vocab_target_group.count) - 1;
	if (u->target_groups & ~allbits)
		UFAIL("TargetGroup: unknown bits 0x%x", u->target_groups);
	allbits = ((uint32_t)1 << vocab_expertise.count) - 1;
	if (u->expertise & ~allbits)
		UFAIL("Expertise: unknown bits 0x%x", u->expertise);
	if (vocab_token(&vocab_school, u->school) == NULL)
		UFAIL("School: unknown value %d", u->school);
	if (u->staff_count < 0 || u->staff_count > 100000 ||
	    u->staff_qualified < 0 || u->staff_qualified > u->staff_count)
		UFAIL("Staff: %d qualified of %d staff", u->staff_qualified,
		    u->staff_count);
	if (u->restrictive_measures && u->type == UT_PROF_FAMILY_HOME)
		UFAIL("RestrictiveMeasures: a professional family home may "
		    "not use restrictive measures");
	if (u->price_cents < 0 || u->price_cents > 999999999999L)
		UFAIL("DailyPrice: %ld cents out of range", u->price_cents);
	if (u->nlots < 0 || u->nlots > UNIT_LOT_MAX)
		UFAIL("Lot: %d lots", u->nlots);
	for (i = 0; i < u->nlots; i++)
		if (!lotref_ok(u->lots[i]))
			UFAIL("Lot/@ref: '%s' is not PROCUREMENT/LOT",
			    u->lots[i]);
	if (region_find(u->home_region) == -1)
		UFAIL("HomeRegion: '%s' is not a wellbeing-area code",
		    u->home_region);
	return 0;
}
