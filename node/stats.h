/*
 * stats.h - national and regional statistics: counts of units, places and
 * free places, supervision activity, and the distribution of daily prices
 * per service level, grouped by region, unit type, expertise or service
 * level (DOMAIN.md "Queries").
 *
 * Counts of units and places are not personal data and are never
 * suppressed.  Counts of supervision activity (visits, complaints, open
 * orders, overdue deadlines, complaint decisions by outcome) can concern
 * children: a count in 1..threshold-1 is suppressed (shown "<5"), and
 * complementary suppression hides one more cell wherever a suppressed cell
 * could otherwise be recovered from a total (shown "x").  Prices are not
 * personal data either and are never suppressed, but a percentile of fewer
 * than STATS_PRICE_MIN_UNITS prices is not a distribution: shown "-".
 */
#ifndef LASTERI_STATS_H
#define LASTERI_STATS_H

#include <stddef.h>
#include <time.h>

#include "err.h"
#include "model.h"

#define STATS_THRESHOLD_DEFAULT	5

enum stats_by {
	STATS_BY_REGION, STATS_BY_TYPE, STATS_BY_EXPERTISE, STATS_BY_LEVEL
};

/* Cell states. */
#define STATS_SHOWN		0
#define STATS_PRIMARY		1	/* 0 < value < threshold */
#define STATS_COMPLEMENT	2	/* hidden so a primary cell cannot be derived */
#define STATS_FEW		3	/* too few units for the figure: "-" */

/* A prices row needs this many units for p25, median and p75. */
#define STATS_PRICE_MIN_UNITS	3

/*
 * One additive constraint of a table: the members sum to the total (a row
 * or a column and its margin).  Indexes are into the table's cell array.
 */
struct stats_line {
	size_t		 total;
	const size_t	*members;
	size_t		 nmembers;
};

/*
 * A grouped table.  Rows are the groups and, last, a "total" row; the row
 * key is the vocabulary token or region code, the label is for humans.
 * Cells are row-major, nrows * ncols.  For --by expertise a unit is in every
 * row of its expertise, so the total row counts distinct units.
 */
struct stats_table {
	const char		*name;		/* "capacity", "supervision" */
	enum stats_by		 by;
	int			 sensitive;	/* cells are subject to suppression */
	long			 threshold;
	size_t			 nrows, ncols;
	const char *const	*col_keys;	/* static: "units", "free-places" */
	const char *const	*col_heads;	/* static: "units", "free places" */
	const char		**row_keys;	/* static strings, owned array */
	const char		**row_labels;
	long			*v;
	unsigned char		*state;		/* STATS_SHOWN etc. */
	/* The prices table only (NULL in the others): */
	const char		**row_levels;	/* per row a service-level token */
	const unsigned char	*col_cents;	/* static: 1 for a column in EUR cents */
};

/* "region" -> STATS_BY_REGION; -1 when unknown.  Name of a grouping. */
int		 stats_by_parse(const char *s);
const char	*stats_by_name(enum stats_by by);
#define STATS_BY_TOKENS	"region, type, expertise, level"

/* Units, places and free places per group; never suppressed.  *out is
 * freed with stats_table_free(). */
int	stats_capacity(const struct unit *u, size_t nu, enum stats_by by,
	    struct stats_table **out, struct err *e);

/* Supervision activity per group of the unit each record is about (records
 * about units not in u go to an "unknown unit" row): visits, complaints,
 * open orders, overdue deadlines (open, deadline before now), and complaint
 * decisions by outcome.  Suppressed with threshold (>= 1; 1 disables).  now
 * 0 is time(NULL). */
int	stats_supervision(const struct unit *u, size_t nu,
	    const struct supervision_record *r, size_t nr, enum stats_by by,
	    long threshold, time_t now, struct stats_table **out,
	    struct err *e);

/*
 * The distribution of daily prices (EUR cents, VAT-free) per group and
 * service level: one row per (group, level), levels in vocabulary order;
 * with --by level one row per level.  The groups are those of
 * stats_capacity() (every value, empty ones included; "none" when not
 * empty), then "total" per level (distinct units for --by expertise).
 * Columns: units, min, p25, median, p75, max.  Percentiles are exact, by
 * nearest rank: of the n prices in ascending order, the one at rank
 * ceil(p * n / 100), so every figure is a price that some unit charges.
 * Never suppressed; p25, median and p75 are STATS_FEW below
 * STATS_PRICE_MIN_UNITS units, min and max when there is no unit.  A unit
 * with a negative price or an unknown service level is left out (the schema
 * admits neither).
 */
int	stats_prices(const struct unit *u, size_t nu, enum stats_by by,
	    struct stats_table **out, struct err *e);

/*
 * The same three over the store's briefs (brief.h), as query.c runs them:
 * units as briefs, and supervision as per-unit summaries (one per unit ID
 * that has records, known or not, with the open deadlines: "overdue" is
 * counted at now).
 */
struct unit_brief;
struct unit_sup;
int	stats_capacity_b(const struct unit_brief *u, size_t nu,
	    enum stats_by by, struct stats_table **out, struct err *e);
int	stats_prices_b(const struct unit_brief *u, size_t nu, enum stats_by by,
	    struct stats_table **out, struct err *e);
int	stats_supervision_sups(const struct unit_brief *u, size_t nu,
	    const struct unit_sup *s, size_t ns, enum stats_by by,
	    long threshold, time_t now, struct stats_table **out,
	    struct err *e);

void	stats_table_free(struct stats_table *t);	/* NULL is a no-op */

/*
 * The suppression algorithm, on its own so that it can be checked against
 * hand-made tables.  v holds ncells counts; lines the additive constraints.
 * state[] (ncells) is filled: a cell with 0 < v < threshold is PRIMARY;
 * then, repeatedly until nothing changes, in every line that has exactly one
 * hidden cell (members or total), the smallest non-zero shown member is
 * hidden as COMPLEMENT (a zero member only when no non-zero one is left;
 * the total only when no member is left).  Zero is shown: it is not a small
 * count of anyone.  Bounded: each round hides at least one more cell.
 */
void	stats_suppress(const long *v, size_t ncells,
	    const struct stats_line *lines, size_t nlines, long threshold,
	    unsigned char *state);

/*
 * The same on a table some of whose cells arrive hidden already (a national
 * table merged from the regions' answers, node/merge.c: a sum with a
 * hidden part is hidden).  state[] is read: a cell not STATS_SHOWN stays as
 * it is, and its v is never read (its value is not known); a shown cell
 * with 0 < v < threshold becomes PRIMARY; then the complementary rounds of
 * stats_suppress() run over the pre-hidden and the new cells alike, so no
 * line is left with exactly one hidden cell.  With every cell shown on
 * entry it is stats_suppress().
 */
void	stats_suppress_pre(const long *v, size_t ncells,
	    const struct stats_line *lines, size_t nlines, long threshold,
	    unsigned char *state);

/* The text of a cell: "12", "<5", "x", "-", or for a column in cents
 * "262.50" (EUR; prices are not negative). */
void	stats_cell_text(const struct stats_table *t, size_t row, size_t col,
	    char *buf, size_t len);

#endif
