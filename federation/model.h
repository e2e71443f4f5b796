/*
 * model.h - the documents of DOMAIN.md as C values.
 *
 * Unit, ProcurementDefinition and SupervisionRecord (namespace urn:lasteri:1,
 * schemas/xsd/) map to the structs below.  Strings are fixed-size arrays whose
 * sizes match the XSD maxLength facets (plus the NUL), so a value that passed
 * schema validation always fits; the readers still check and fail rather than
 * truncate.  Enumerated values are indexes into the tables of vocab.h; sets
 * are bit masks of those indexes.  Money is kept in euro cents, dates as
 * "YYYY-MM-DD" strings, instants as time_t (UTC).
 *
 * Readers take a document that has passed xml_parse() and schema_validate():
 * they read values with whole-text reads and fail on anything unexpected.
 * Writers build elements in the urn:lasteri:1 namespace.
 */
#ifndef LASTERI_MODEL_H
#define LASTERI_MODEL_H

#include <stdint.h>
#include <time.h>

#include <libxml/tree.h>

#include "err.h"

#define LASTERI_NS	"urn:lasteri:1"

#define ID_MAX		64	/* record, unit and procurement IDs */
#define YTUNNUS_LEN	9	/* "1234567-8" */
#define NAME_MAX_	128
#define TEXT_MAX	1024
#define DATE_LEN	10	/* "2026-11-25" */
#define UNIT_LANG_MAX	8
#define UNIT_LOT_MAX	8
#define UNIT_SP_MAX	4
#define REC_FINDING_MAX	16
#define REC_FOLLOW_MAX	4
#define REC_THEME_MAX	8

struct service_point {
	char	id[ID_MAX + 1];
	char	name[NAME_MAX_ + 1];
	char	address[160 + 1];
};

struct unit {
	char		id[ID_MAX + 1];		/* Soteri service-unit ID */
	char		name[NAME_MAX_ + 1];
	char		provider_name[NAME_MAX_ + 1];
	char		provider_ytunnus[YTUNNUS_LEN + 1];
	int		sector;			/* vocab_sector */
	int		type;			/* vocab_unit_type */
	int		service_level;		/* vocab_service_level */
	char		region[3];		/* wellbeing-area code, "01".."21", "90" */
	char		municipality[4];	/* kuntakoodi, 3 digits */
	char		address[160 + 1];
	char		responsible[NAME_MAX_ + 1];	/* vastuuhenkilö (a public role) */
	char		licence_date[DATE_LEN + 1];
	char		licence_authority[NAME_MAX_ + 1];
	int		licence_valid;		/* 1 valid, 0 revoked/expired */
	char		self_supervision_url[256 + 1];
	struct service_point sp[UNIT_SP_MAX];
	int		nsp;
	int		places;			/* licensed places */
	int		residential_units;	/* asuinyksiköt */
	int		free_places;
	time_t		free_updated;		/* when the provider last updated free_places */
	int		age_min, age_max;	/* 0..24 */
	int		gender;			/* vocab_gender */
	char		languages[UNIT_LANG_MAX][3];	/* ISO 639-1 */
	int		nlanguages;
	uint32_t	target_groups;		/* bits of vocab_target_group */
	uint32_t	expertise;		/* bits of vocab_expertise */
	char		methods[TEXT_MAX + 1];	/* free-text methods and therapies */
	int		school;			/* vocab_school */
	int		staff_count;
	int		staff_qualified;	/* of which UAS degree */
	int		restrictive_measures;	/* 1 if allowed (institutions only) */
	long		price_cents;		/* daily price, EUR cents, VAT-free */
	char		lots[UNIT_LOT_MAX][2 * ID_MAX + 2];	/* "PROCID/LOTID" */
	int		nlots;
	time_t		updated;		/* provenance */
	char		home_region[3];		/* node that keeps the unit */
};

struct criterion {
	int	kind;			/* vocab_criterion_kind */
	char	name[NAME_MAX_ + 1];
	int	points;			/* weight in points (of 100) */
};

struct award {
	char	unit_id[ID_MAX + 1];
	long	price_cents;
	int	rank;			/* 1 = first */
};

#define LOT_REQ_MAX	12
#define LOT_CRIT_MAX	12

struct lot {
	char		id[ID_MAX + 1];
	char		name[NAME_MAX_ + 1];
	int		category;		/* vocab_lot_category */
	int		service_level;		/* vocab_service_level, -1 none */
	char		description[TEXT_MAX + 1];	/* palvelukuvaus */
	char		requirements[LOT_REQ_MAX][256 + 1];
	int		nrequirements;
	int		min_staff;
	int		min_staff_qualified;
	int		max_children;
	struct criterion criteria[LOT_CRIT_MAX];
	int		ncriteria;
	int		price_weight;		/* percent */
	long		price_ceiling_cents;	/* -1 none */
	int		ranking_rule;		/* vocab_ranking_rule */
	struct award	*awards;		/* owned, nawards entries */
	int		nawards;
};

#define PROC_REGION_MAX	8
#define PROC_LOT_MAX	16

struct procurement {
	char		id[ID_MAX + 1];
	char		title[NAME_MAX_ + 1];
	char		region[3];		/* the region that keeps it */
	char		joint[PROC_REGION_MAX][3];	/* all procuring regions */
	int		njoint;
	char		period_start[DATE_LEN + 1];
	char		period_end[DATE_LEN + 1];
	char		options[256 + 1];	/* e.g. "2+1 years" */
	struct lot	lots[PROC_LOT_MAX];
	int		nlots;
	time_t		updated;
};

struct finding {
	int	category;		/* vocab_finding_category */
	int	severity;		/* vocab_severity */
	char	text[TEXT_MAX + 1];
};

struct supervision_record {
	char		id[ID_MAX + 1];
	int		kind;			/* vocab_record_kind */
	char		unit_id[ID_MAX + 1];
	char		provider_ytunnus[YTUNNUS_LEN + 1];
	char		issuer[16 + 1];		/* authority code: HVA-08, LVV, AVI-ES, VALVIRA */
	char		case_number[48 + 1];	/* diaarinumero */
	char		opened[DATE_LEN + 1];
	char		visit_date[DATE_LEN + 1];	/* "" when none */
	int		announced;		/* -1 not a visit, 0 no, 1 yes */
	char		themes[REC_THEME_MAX][64 + 1];
	int		nthemes;
	struct finding	findings[REC_FINDING_MAX];
	int		nfindings;
	char		measures[TEXT_MAX + 1];
	char		deadline[DATE_LEN + 1];	/* "" when none */
	int		status;			/* vocab_record_status */
	int		outcome;		/* vocab_outcome, -1 none */
	char		follows[REC_FOLLOW_MAX][ID_MAX + 1];
	int		nfollows;
	char		summary[TEXT_MAX + 1];	/* public summary */
	char		annex_ref[128 + 1];	/* reference to the confidential annex */
	time_t		issued;
	char		unit_region[3];		/* the unit's home region, "" when not given */
};

/* --- readers: from an element of a validated document ---------------------- */

/* Each fills *out from element n (whose local name must match) or fails with
 * ERR_SCHEMA naming the line and element. */
int	model_unit_read(xmlNodePtr n, struct unit *out, struct err *e);
int	model_procurement_read(xmlNodePtr n, struct procurement *out, struct err *e);
int	model_record_read(xmlNodePtr n, struct supervision_record *out, struct err *e);

/* Releases what a procurement owns (the awards); the struct itself is the
 * caller's.  NULL is a no-op. */
void	model_procurement_clear(struct procurement *p);

/* --- writers --------------------------------------------------------------- */

/* Each creates the element (with its Id attribute) as a new child of parent,
 * or as the root of doc when parent is NULL.  Returns the element or NULL. */
xmlNodePtr	model_unit_write(xmlDocPtr doc, xmlNodePtr parent,
		    const struct unit *u, struct err *e);
xmlNodePtr	model_procurement_write(xmlDocPtr doc, xmlNodePtr parent,
		    const struct procurement *p, struct err *e);
xmlNodePtr	model_record_write(xmlDocPtr doc, xmlNodePtr parent,
		    const struct supervision_record *r, struct err *e);

/* --- value rules that XSD cannot express ----------------------------------- */

/* Cross-field checks (age_min <= age_max, free_places <= places, Y-tunnus
 * check digit, region code known, ...).  ERR_SCHEMA naming the field. */
int	model_unit_check(const struct unit *u, struct err *e);
int	model_procurement_check(const struct procurement *p, struct err *e);
int	model_record_check(const struct supervision_record *r, struct err *e);
/* What a record taken in (issued, received from a peer, imported) must meet
 * on top of model_record_check(): its Id lies in its issuer's namespace, the
 * issuer code and a hyphen first ("LVV-2026-000123", "HVA-08-2026-17").  An
 * issuer code belongs to one member of the trust list, so no other member
 * can take an Id that another issuer's record will use.  Records stored
 * before the rule stay readable: model_record_check() does not apply it.
 * ERR_INPUT naming the Id and the issuer. */
int	model_record_check_id(const struct supervision_record *r, struct err *e);

/* True when the record is an open serious finding that demotes a unit:
 * status open/continued/follow-up with a high-severity finding, or an open
 * order to correct, conditional fine or suspension. */
int	model_record_is_serious_open(const struct supervision_record *r);
/* True when the record bars a unit from placement search (an open order to
 * correct or an open suspension). */
int	model_record_blocks_placement(const struct supervision_record *r);

/* Dates: "YYYY-MM-DD" <-> time_t at 00:00 UTC; xs:dateTime in UTC ("Z") or
 * with an offset <-> time_t.  -1 on a malformed value. */
int	model_date_parse(const char *s, time_t *out);
int	model_datetime_parse(const char *s, time_t *out);
void	model_datetime_format(time_t t, char buf[32]);	/* "2026-11-25T11:00:00Z" */

#endif
