/*
 * vocab.c - the controlled vocabularies (see vocab.h).  Order matters: an
 * index is what the store and the model keep, and schemas/xsd/common.xsd
 * lists the same tokens in the same order.
 */
#include "config.h"

#include <string.h>

#include "vocab.h"

#define VOCAB(var, xsdname, tbl) \
	const struct vocab var = { xsdname, tbl, (int)(sizeof(tbl) / sizeof(tbl[0])) }

static const struct vocab_entry unit_types[] = {
	{ "childrens-home", "children's home", "lastenkoti" },
	{ "youth-home", "youth home", "nuorisokoti" },
	{ "reception-home", "reception home", "vastaanottokoti" },
	{ "school-home", "state school home", "koulukoti" },
	{ "family-rehabilitation", "family rehabilitation", "perhekuntoutus" },
	{ "professional-family-home", "professional family home", "ammatillinen perhekoti" },
	{ "sos-village", "SOS children's village", "SOS-lapsikylä" },
	{ "family-group-home", "family group home", "perheryhmäkoti" },
};
VOCAB(vocab_unit_type, "UnitType", unit_types);

static const struct vocab_entry service_levels[] = {
	{ "basic", "basic", "perustaso" },
	{ "special", "special", "erityistaso" },
	{ "demanding", "demanding", "vaativa" },
};
VOCAB(vocab_service_level, "ServiceLevel", service_levels);

static const struct vocab_entry sectors[] = {
	{ "wellbeing-area", "wellbeing area", "hyvinvointialue" },
	{ "state", "state", "valtio" },
	{ "ngo", "NGO or foundation", "järjestö tai säätiö" },
	{ "company", "company", "yritys" },
};
VOCAB(vocab_sector, "Sector", sectors);

static const struct vocab_entry target_groups[] = {
	{ "conduct", "conduct problems", "käytöshäiriöt" },
	{ "psychiatric", "psychiatric symptoms", "psyykkinen oireilu" },
	{ "substance-use", "substance use", "päihteet" },
	{ "antisocial", "antisocial behaviour and crime", "rikollinen käyttäytyminen" },
	{ "neuropsychiatric", "neuropsychiatric", "neuropsykiatriset" },
	{ "disability", "disability", "vammaisuus" },
	{ "unaccompanied", "unaccompanied minors", "ilman huoltajaa tulleet" },
	{ "infant-with-parent", "infant with parent", "vauva ja vanhempi" },
	{ "siblings", "siblings together", "sisarukset" },
	{ "emergency", "emergency placement", "kiireellinen sijoitus" },
};
VOCAB(vocab_target_group, "TargetGroup", target_groups);

static const struct vocab_entry expertise[] = {
	{ "trauma-informed-care", "trauma-informed care", "traumatietoinen hoito" },
	{ "neuropsychiatric-coaching", "neuropsychiatric coaching", "neuropsykiatrinen valmennus" },
	{ "substance-rehabilitation", "substance rehabilitation", "päihdekuntoutus" },
	{ "psychiatric-nurse", "psychiatric nurse on staff", "psykiatrinen sairaanhoitaja" },
	{ "family-work", "family work", "perhetyö" },
	{ "special-education", "special education", "erityisopetus" },
	{ "violence-prevention", "violence prevention", "väkivallan ehkäisy" },
	{ "multicultural-work", "multicultural work", "monikulttuurinen työ" },
	{ "disability-care", "disability care", "vammaistyö" },
	{ "after-care", "after-care", "jälkihuolto" },
	{ "sami-culture", "Sámi language and culture", "saamen kieli ja kulttuuri" },
	{ "sexual-health", "sexual health and safety", "seksuaaliterveys" },
};
VOCAB(vocab_expertise, "Expertise", expertise);

static const struct vocab_entry genders[] = {
	{ "any", "any", "kaikki" },
	{ "girls", "girls", "tytöt" },
	{ "boys", "boys", "pojat" },
};
VOCAB(vocab_gender, "Gender", genders);

static const struct vocab_entry schools[] = {
	{ "own-school", "own school", "oma koulu" },
	{ "local-school", "local school", "lähikoulu" },
};
VOCAB(vocab_school, "School", schools);

static const struct vocab_entry record_kinds[] = {
	{ "pre-inspection", "pre-inspection", "ennakkotarkastus" },
	{ "inspection-announced", "inspection visit (announced)", "tarkastuskäynti, ennalta ilmoitettu" },
	{ "inspection-unannounced", "inspection visit (unannounced)", "tarkastuskäynti, ilmoittamaton" },
	{ "guidance-visit", "guidance and supervision visit", "ohjaus- ja valvontakäynti" },
	{ "complaint", "complaint", "kantelu" },
	{ "complaint-decision", "complaint decision", "kanteluratkaisu" },
	{ "whistleblower-report", "whistle-blower report", "epäkohtailmoitus" },
	{ "order-to-correct", "order to correct", "määräys" },
	{ "conditional-fine", "conditional fine", "uhkasakko" },
	{ "serious-reprimand", "serious reprimand", "vakava huomautus" },
	{ "suspension", "suspension of operations", "toiminnan keskeyttäminen" },
	{ "self-supervision-plan", "self-supervision plan version", "omavalvontasuunnitelma" },
};
VOCAB(vocab_record_kind, "RecordKind", record_kinds);

static const struct vocab_entry outcomes[] = {
	{ "no-action", "no action", "ei toimenpiteitä" },
	{ "view", "view", "käsitys" },
	{ "drawing-attention", "drawing attention", "huomion kiinnittäminen" },
	{ "reprimand", "reprimand", "huomautus" },
};
VOCAB(vocab_outcome, "Outcome", outcomes);

static const struct vocab_entry finding_categories[] = {
	{ "restrictive-measures", "restrictive measures", "rajoitustoimenpiteet" },
	{ "house-rules", "house rules", "järjestyssäännöt" },
	{ "legal-remedies", "informing children of legal remedies", "oikeusturvakeinot" },
	{ "staffing-level", "staffing level", "henkilöstömitoitus" },
	{ "staff-qualification", "staff qualification", "henkilöstön kelpoisuus" },
	{ "medication", "medication", "lääkehoito" },
	{ "premises", "premises", "tilat" },
	{ "self-supervision", "self-supervision", "omavalvonta" },
	{ "documentation", "documentation", "kirjaaminen" },
	{ "child-participation", "child participation", "lapsen osallisuus" },
	{ "staff-language", "staff language skills", "henkilöstön kielitaito" },
};
VOCAB(vocab_finding_category, "FindingCategory", finding_categories);

static const struct vocab_entry severities[] = {
	{ "low", "low", "vähäinen" },
	{ "medium", "medium", "kohtalainen" },
	{ "high", "high", "vakava" },
};
VOCAB(vocab_severity, "Severity", severities);

static const struct vocab_entry record_statuses[] = {
	{ "open", "open", "avoin" },
	{ "closed", "closed, guidance sufficient", "päättynyt" },
	{ "continued", "continued", "jatkuu" },
	{ "follow-up", "follow-up", "seuranta" },
};
VOCAB(vocab_record_status, "RecordStatus", record_statuses);

static const struct vocab_entry lot_categories[] = {
	{ "basic-institutional", "basic institutional care", "perustason laitoshoito" },
	{ "special-institutional", "special institutional care", "erityistason laitoshoito" },
	{ "demanding-institutional", "demanding institutional care", "vaativa laitoshoito" },
	{ "commissioned-family-care", "commissioned family care", "toimeksiantosuhteinen perhehoito" },
	{ "licensed-family-care", "licensed family care", "ammatillinen perhehoito" },
	{ "family-rehabilitation", "family rehabilitation", "perhekuntoutus" },
	{ "reception-family", "reception via family care", "vastaanotto perhehoidossa" },
	{ "reception-institution", "reception via institution", "vastaanotto laitoksessa" },
};
VOCAB(vocab_lot_category, "LotCategory", lot_categories);

static const struct vocab_entry ranking_rules[] = {
	{ "priority-order", "priority order", "etusijajärjestys" },
	{ "price-quality", "price-quality score", "hinta-laatusuhde" },
};
VOCAB(vocab_ranking_rule, "RankingRule", ranking_rules);

static const struct vocab_entry criterion_kinds[] = {
	{ "technical", "technical", "tekninen" },
	{ "functional", "functional", "toiminnallinen" },
};
VOCAB(vocab_criterion_kind, "CriterionKind", criterion_kinds);

const struct vocab *const vocab_all[] = {
	&vocab_unit_type, &vocab_service_level, &vocab_sector,
	&vocab_target_group, &vocab_expertise, &vocab_gender, &vocab_school,
	&vocab_record_kind, &vocab_outcome, &vocab_finding_category,
	&vocab_severity, &vocab_record_status, &vocab_lot_category,
	&vocab_ranking_rule, &vocab_criterion_kind, NULL
};

int
vocab_find(const struct vocab *v, const char *token)
{
	int i;

	if (token == NULL)
		return -1;
	for (i = 0; i < v->count; i++)
		if (strcmp(v->entries[i].token, token) == 0)
			return i;
	return -1;
}

const char *
vocab_token(const struct vocab *v, int i)
{
	return (i >= 0 && i < v->count) ? v->entries[i].token : NULL;
}

const char *
vocab_label(const struct vocab *v, int i)
{
	return (i >= 0 && i < v->count) ? v->entries[i].label : NULL;
}

const struct region regions[REGION_COUNT] = {
	{ "01", "Itä-Uusimaa", 99415 },
	{ "02", "Keski-Uusimaa", 207070 },
	{ "03", "Länsi-Uusimaa", 502067 },
	{ "04", "Vantaa-Kerava", 289730 },
	{ "05", "Varsinais-Suomi", 494819 },
	{ "06", "Satakunta", 211261 },
	{ "07", "Kanta-Häme", 169455 },
	{ "08", "Pirkanmaa", 545406 },
	{ "09", "Päijät-Häme", 204635 },
	{ "10", "Kymenlaakso", 157442 },
	{ "11", "Etelä-Karjala", 125083 },
	{ "12", "Etelä-Savo", 129376 },
	{ "13", "Pohjois-Savo", 248815 },
	{ "14", "Pohjois-Karjala", 162091 },
	{ "15", "Keski-Suomi", 274112 },
	{ "16", "Etelä-Pohjanmaa", 189929 },
	{ "17", "Pohjanmaa", 178749 },
	{ "18", "Keski-Pohjanmaa", 67723 },
	{ "19", "Pohjois-Pohjanmaa", 418331 },
	{ "20", "Kainuu", 69639 },
	{ "21", "Lappi", 176151 },
	{ "90", "Helsinki", 684018 },
};

int
region_find(const char *code)
{
	int i;

	if (code == NULL)
		return -1;
	for (i = 0; i < REGION_COUNT; i++)
		if (strcmp(regions[i].code, code) == 0)
			return i;
	return -1;
}
