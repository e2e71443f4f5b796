/*
 * search.h - placement search: find units that can take a child with given
 * needs, ranked (DOMAIN.md "Queries").
 *
 * An index is built from the units' briefs (brief.h, kept in SQL by the
 * store) and each unit's supervision summary (open serious records, dated
 * findings, placement blocks), and every filterable field is packed into
 * bit masks, so a query is one linear scan over a compact array plus a
 * bounded heap for the top N.  What depends on time (recent findings,
 * freshness of the free-places figure) is computed at query time, so an
 * index never goes stale.  Queries only read the index: any number of
 * threads may run them at once, as long as nobody calls
 * search_index_set_sup() meanwhile (the node does both on its one loop
 * thread; a rebuilt index is swapped in whole).
 *
 * Hard filters (a unit failing one is not returned): enough free places, age
 * in range, gender compatible, a requested language offered, type and service
 * level allowed, required region, daily price within the ceiling, valid
 * licence, and no open order to correct or suspension.
 *
 * The ranking is documented at the top of search.c.
 */
#ifndef LASTERI_SEARCH_H
#define LASTERI_SEARCH_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"
#include "model.h"

#define SEARCH_LANG_MAX		8
#define SEARCH_LIMIT_MAX	1000
#define SEARCH_LIMIT_DEFAULT	20

struct search_index;			/* opaque, immutable once built */

/* What a placement needs.  Describes needs, never a person.  Start from
 * search_needs_init() and set what is known. */
struct search_needs {
	int		 age;			/* 0..24, required */
	int		 gender;		/* vocab_gender; -1 not given */
	char		 languages[SEARCH_LANG_MAX][3];	/* ISO 639-1; any one offered passes */
	int		 nlanguages;
	uint32_t	 expertise;		/* wanted (ranking): bits of vocab_expertise */
	uint32_t	 target_groups;		/* needs (ranking): bits of vocab_target_group */
	uint32_t	 types;			/* allowed: bits of vocab_unit_type; 0 any */
	uint32_t	 levels;		/* allowed: bits of vocab_service_level; 0 any */
	uint32_t	 regions_required;	/* bits of regions[] index; 0 any */
	uint32_t	 regions_preferred;	/* bits of regions[] index (ranking) */
	char		 home_region[3];	/* purchaser's region, "" none (ranking) */
	/* The purchaser's frameworks: procurement IDs ("HVA08-2024-1") or lot
	 * references ("HVA08-2024-1/L2"), as in struct unit's lots.  Borrowed
	 * for the duration of search_run(). */
	const char *const *frameworks;
	int		 nframeworks;
	long		 max_price_cents;	/* -1 no ceiling */
	int		 free_places;		/* places needed (siblings), >= 1 */
	int		 limit;			/* 1..SEARCH_LIMIT_MAX */
	/* The time of the query, for "recent" findings and freshness: 0 is
	 * the index's fixed time when it has one (search_index_build), else
	 * time(NULL). */
	time_t		 now;
};

/* One ranked unit.  Strings are copies: valid after the index is freed. */
struct search_result {
	char	unit_id[ID_MAX + 1];
	char	name[NAME_MAX_ + 1];
	char	region[3];
	int	type;			/* vocab_unit_type */
	int	service_level;		/* vocab_service_level */
	int	free_places;
	time_t	free_updated;
	long	price_cents;
	long	score;			/* higher is better; see search.c */
	int	needs_met;		/* target groups + expertise asked and offered */
	int	needs_asked;
	int	in_framework;		/* 1 within the purchaser's frameworks */
	int	open_serious;		/* open serious records (model_record_is_serious_open) */
	int	open_serious_severity;	/* vocab_severity of the worst, -1 none */
	int	recent_findings;	/* findings in the last SEARCH_RECENT_DAYS */
};

#define SEARCH_RECENT_DAYS	730

/* Counts about one query, for the "N matched" line and metrics. */
struct search_totals {
	size_t	scanned;	/* units in the index */
	size_t	matched;	/* passed every hard filter */
	size_t	blocked;	/* passed all but the supervision/licence filter */
};

void	search_needs_init(struct search_needs *n);

struct unit_brief;
struct unit_sup;

/* A new index of nu units (borrowed: they must outlive the index, which
 * shows their names and IDs), without supervision:
 * every unit is as if it had no records (an invalid licence still
 * blocks).  A duplicate unit ID is refused (ERR_INPUT).  The caller frees
 * *out with search_index_free(). */
int	search_index_new(const struct unit_brief *u, size_t nu,
	    struct search_index **out, struct err *e);
/* The same for the queries of one purchaser only, whose frameworks are
 * fw[nfw] (borrowed for the call; NULL entries skipped): procurement IDs
 * and lot references as in search_needs.  A query with those frameworks
 * (or none) ranks as on search_index_new()'s index of the same units,
 * without collecting every unit's lots into a dictionary. */
int	search_index_new_query(const struct unit_brief *u, size_t nu,
	    const char *const *fw, int nfw, struct search_index **out,
	    struct err *e);
/* Sets (replaces) the supervision summary of the unit sup->unit_id
 * (borrowed; the events are copied); a unit not in the index is ignored.
 * now is the time the summary's recent findings are first counted for
 * (0: the index's fixed time, else time(NULL)).  Not while queries run on
 * ix.  -1 only on ENOMEM. */
int	search_index_set_sup(struct search_index *ix,
	    const struct unit_sup *sup, time_t now, struct err *e);
/* The same for n summaries (faster when they are in unit ID order). */
int	search_index_set_sups(struct search_index *ix,
	    const struct unit_sup *sup, size_t n, time_t now, struct err *e);

/* An index from nu units and nr records (both borrowed for the call only),
 * with now as the fixed query time (0: time(NULL) at build), as tests and
 * one-off callers need it.  Records about units not in the array are
 * ignored.  A duplicate unit ID is refused (ERR_INPUT). */
int	search_index_build(const struct unit *u, size_t nu,
	    const struct supervision_record *r, size_t nr, time_t now,
	    struct search_index **out, struct err *e);
void	search_index_free(struct search_index *ix);	/* NULL is a no-op */
size_t	search_index_count(const struct search_index *ix);

/* Checks needs (age range, limit, counts); ERR_USAGE naming the field. */
int	search_needs_check(const struct search_needs *n, struct err *e);

/* Run one query.  out has room for needs->limit results; *nout is set to
 * the number written, best first (ties broken by unit ID).  totals may be
 * NULL.  Thread-safe on a shared index. */
int	search_run(const struct search_index *ix, const struct search_needs *n,
	    struct search_result *out, size_t *nout, struct search_totals *totals,
	    struct err *e);

/* "2 open (high)", "none" - the findings column of a result. */
void	search_result_findings(const struct search_result *r, char *buf,
	    size_t len);

#endif
