/*
 * vocab.h - the controlled vocabularies of DOMAIN.md.
 *
 * Each vocabulary is a table of XML tokens (as in the XSD enumerations) with
 * an English label and, where it helps a reader, the Finnish term.  A value
 * is stored as its index in the table; sets of values (target groups,
 * expertise) as bit masks of indexes.  The XSDs and these tables must list
 * the same tokens in the same order: tests/test_model.c checks it.
 */
#ifndef LASTERI_VOCAB_H
#define LASTERI_VOCAB_H

#include <stdint.h>

struct vocab_entry {
	const char	*token;		/* as in XML, e.g. "childrens-home" */
	const char	*label;		/* English, for tables */
	const char	*fi;		/* Finnish term */
};

struct vocab {
	const char			*name;	/* XSD simple type, e.g. "UnitType" */
	const struct vocab_entry	*entries;
	int				 count;
};

extern const struct vocab vocab_unit_type;
extern const struct vocab vocab_service_level;
extern const struct vocab vocab_sector;
extern const struct vocab vocab_target_group;
extern const struct vocab vocab_expertise;
extern const struct vocab vocab_gender;
extern const struct vocab vocab_school;
extern const struct vocab vocab_record_kind;
extern const struct vocab vocab_outcome;
extern const struct vocab vocab_finding_category;
extern const struct vocab vocab_severity;
extern const struct vocab vocab_record_status;
extern const struct vocab vocab_lot_category;
extern const struct vocab vocab_ranking_rule;
extern const struct vocab vocab_criterion_kind;

/* All of the above, NULL-terminated (for the XSD consistency test). */
extern const struct vocab *const vocab_all[];

/* Index of token in v, or -1 when unknown. */
int		 vocab_find(const struct vocab *v, const char *token);
/* Token of index i; NULL when out of range. */
const char	*vocab_token(const struct vocab *v, int i);
const char	*vocab_label(const struct vocab *v, int i);

/* Region codes of the federation (Statistics Finland): 01..21 and 90. */
struct region {
	const char	*code;		/* "01" */
	const char	*name;		/* "Itä-Uusimaa" */
	long		 population;	/* 2024 */
};
extern const struct region regions[];
#define REGION_COUNT 22
/* Index into regions[] of a code, or -1. */
int		 region_find(const char *code);

/* Index constants for values the code reasons about (must match tables). */
enum unit_type {
	UT_CHILDRENS_HOME, UT_YOUTH_HOME, UT_RECEPTION_HOME, UT_SCHOOL_HOME,
	UT_FAMILY_REHAB, UT_PROF_FAMILY_HOME, UT_SOS_VILLAGE, UT_FAMILY_GROUP_HOME
};
enum service_level { SL_BASIC, SL_SPECIAL, SL_DEMANDING };
enum sector { SEC_WELLBEING_AREA, SEC_STATE, SEC_NGO, SEC_COMPANY };
enum gender { G_ANY, G_GIRLS, G_BOYS };
enum school { SCH_OWN, SCH_LOCAL };
enum record_kind {
	RK_PRE_INSPECTION, RK_INSPECTION_ANNOUNCED, RK_INSPECTION_UNANNOUNCED,
	RK_GUIDANCE_VISIT, RK_COMPLAINT, RK_COMPLAINT_DECISION,
	RK_WHISTLEBLOWER, RK_ORDER_TO_CORRECT, RK_CONDITIONAL_FINE,
	RK_SERIOUS_REPRIMAND, RK_SUSPENSION, RK_SELF_SUPERVISION_PLAN
};
enum outcome { OC_NO_ACTION, OC_VIEW, OC_DRAWING_ATTENTION, OC_REPRIMAND };
enum severity { SEV_LOW, SEV_MEDIUM, SEV_HIGH };
enum record_status { RS_OPEN, RS_CLOSED, RS_CONTINUED, RS_FOLLOW_UP };

#endif
