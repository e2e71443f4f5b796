/*
 * test_stats.c - grouped counts, small-count suppression and price
 * distributions, against tables worked out by hand (each test's comment
 * shows the table).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "stats.h"
#include "testmain.h"
#include "vocab.h"

#define NOW	((time_t)1772323200)	/* 2026-03-01T00:00:00Z */
#define S	STATS_SHOWN
#define P	STATS_PRIMARY
#define C	STATS_COMPLEMENT

/*
 * One column of three rows and its total, threshold 5:
 *   10  3  12 | 25   ->  x  <5  12 | 25
 * 3 is hidden; 10 is the smallest other non-zero cell, so it goes too.
 */
static void
test_column_complement(void)
{
	const long v[] = { 10, 3, 12, 25 };
	const size_t m[] = { 0, 1, 2 };
	const struct stats_line l = { 3, m, 3 };
	const unsigned char want[] = { C, P, S, S };
	unsigned char st[4];

	stats_suppress(v, 4, &l, 1, 5, st);
	CU_ASSERT_EQUAL(memcmp(st, want, sizeof(want)), 0);
}

/*
 * A grid with row and column totals (cell index in brackets):
 *          a      b      tot
 *   r0   2[0]   8[1]   10[2]
 *   r1   6[3]   7[4]   13[5]
 *   r2   9[6]   0[7]    9[8]
 *   tot 17[9]  15[10]  32[11]
 * 2 is primary.  Row r0 then hides 8; column a hides 6 (smallest non-zero
 * left); column b then has 8 hidden and hides 7 (0 is skipped).  Four
 * hidden cells form a rectangle: no total gives any of them away.
 */
static void
grid_lines(struct stats_line *l, size_t *idx)
{
	size_t r, c, k = 0, n = 0;

	for (r = 0; r < 4; r++) {	/* rows: a + b = tot */
		l[n].total = r * 3 + 2;
		l[n].members = &idx[k];
		l[n].nmembers = 2;
		idx[k++] = r * 3;
		idx[k++] = r * 3 + 1;
		n++;
	}
	for (c = 0; c < 3; c++) {	/* columns: r0 + r1 + r2 = tot */
		l[n].total = 9 + c;
		l[n].members = &idx[k];
		l[n].nmembers = 3;
		for (r = 0; r < 3; r++)
			idx[k++] = r * 3 + c;
		n++;
	}
}

static void
test_grid_complement(void)
{
	const long v[] = { 2, 8, 10, 6, 7, 13, 9, 0, 9, 17, 15, 32 };
	const unsigned char want[] = { P, C, S, C, C, S, S, S, S, S, S, S };
	struct stats_line l[7];
	size_t idx[17];
	unsigned char st[12];

	grid_lines(l, idx);
	stats_suppress(v, 12, l, 7, 5, st);
	CU_ASSERT_EQUAL(memcmp(st, want, sizeof(want)), 0);
}

/*
 * The same grid with threshold 3 and 10: the threshold is what decides.
 *   threshold 3: only 2 is small -> the same four cells.
 *   threshold 10: 2 6 7 9 8 9 are small; totals 10 13 15 17 32 are not.
 *   Row r2 (9, 0 | 9): 9 and its total hidden, 2 hidden: fine.  Column b
 *   (8 7 0 | 15): two hidden.  Column a (2 6 9 | 17): three.  Column tot
 *   (10 13 9 | 32): 9 hidden alone -> the smallest other, 10, goes.  Row
 *   r0 then has 2, 8, 10 hidden: three.  Nothing else has exactly one.
 */
static void
test_threshold_configurable(void)
{
	const long v[] = { 2, 8, 10, 6, 7, 13, 9, 0, 9, 17, 15, 32 };
	const unsigned char want3[] = { P, C, S, C, C, S, S, S, S, S, S, S };
	const unsigned char want10[] = { P, P, C, P, P, S, P, S, P, S, S, S };
	const unsigned char want1[12] = { 0 };
	struct stats_line l[7];
	size_t idx[17];
	unsigned char st[12];

	grid_lines(l, idx);
	stats_suppress(v, 12, l, 7, 3, st);
	CU_ASSERT_EQUAL(memcmp(st, want3, sizeof(want3)), 0);
	stats_suppress(v, 12, l, 7, 10, st);
	CU_ASSERT_EQUAL(memcmp(st, want10, sizeof(want10)), 0);
	stats_suppress(v, 12, l, 7, 1, st);	/* 1 disables */
	CU_ASSERT_EQUAL(memcmp(st, want1, sizeof(want1)), 0);
}

/*
 * Zero is not a small count, and a line with two hidden cells needs no
 * complement:  0 4 3 | 7  ->  0 <5 <5 | 7.
 * A small total hides itself:  1 0 0 | 1  ->  <5 0 0 | <5.
 */
static void
test_zero_and_pairs(void)
{
	const long v1[] = { 0, 4, 3, 7 }, v2[] = { 1, 0, 0, 1 };
	const size_t m[] = { 0, 1, 2 };
	const struct stats_line l = { 3, m, 3 };
	const unsigned char w1[] = { S, P, P, S }, w2[] = { P, S, S, P };
	unsigned char st[4];

	stats_suppress(v1, 4, &l, 1, 5, st);
	CU_ASSERT_EQUAL(memcmp(st, w1, sizeof(w1)), 0);
	stats_suppress(v2, 4, &l, 1, 5, st);
	CU_ASSERT_EQUAL(memcmp(st, w2, sizeof(w2)), 0);
}

static void
unit_base(struct unit *u, const char *id, const char *region, int type,
    int places, int free_places)
{
	memset(u, 0, sizeof(*u));
	snprintf(u->id, sizeof(u->id), "%s", id);
	snprintf(u->region, sizeof(u->region), "%s", region);
	u->type = type;
	u->service_level = SL_SPECIAL;
	u->places = places;
	u->free_places = free_places;
	u->licence_valid = 1;
}

static size_t
row_of(const struct stats_table *t, const char *key)
{
	size_t r;

	for (r = 0; r < t->nrows; r++)
		if (strcmp(t->row_keys[r], key) == 0)
			return r;
	return (size_t)-1;
}

static long
cell(const struct stats_table *t, const char *row, size_t col)
{
	size_t r = row_of(t, row);

	CU_ASSERT_FATAL(r != (size_t)-1);
	return t->v[r * t->ncols + col];
}

static void
text(const struct stats_table *t, const char *row, size_t col, char *buf)
{
	size_t r = row_of(t, row);

	CU_ASSERT_FATAL(r != (size_t)-1);
	stats_cell_text(t, r, col, buf, 16);
}

/*
 * Units: A 08 home 7/0, B 08 home 7/1, C 08 pfh 4/2, D 05 home 7/0.
 *   by region: 08 = 3 units, 18 places, 3 free; 05 = 1, 7, 0; total 4, 25, 3
 *   by type: childrens-home 3, 21, 1; professional-family-home 1, 4, 2
 * Never suppressed, although 1 unit and 0-3 free places are small.
 */
static void
test_capacity_counts(void)
{
	struct unit u[4];
	struct stats_table *t = NULL;
	struct err e;
	size_t c;

	unit_base(&u[0], "A", "08", UT_CHILDRENS_HOME, 7, 0);
	unit_base(&u[1], "B", "08", UT_CHILDRENS_HOME, 7, 1);
	unit_base(&u[2], "C", "08", UT_PROF_FAMILY_HOME, 4, 2);
	unit_base(&u[3], "D", "05", UT_CHILDRENS_HOME, 7, 0);
	err_clear(&e);
	CU_ASSERT_FATAL(stats_capacity(u, 4, STATS_BY_REGION, &t, &e) == 0);
	CU_ASSERT_EQUAL(t->nrows, REGION_COUNT + 1);
	CU_ASSERT_EQUAL(cell(t, "08", 0), 3);
	CU_ASSERT_EQUAL(cell(t, "08", 1), 18);
	CU_ASSERT_EQUAL(cell(t, "08", 2), 3);
	CU_ASSERT_EQUAL(cell(t, "05", 0), 1);
	CU_ASSERT_EQUAL(cell(t, "05", 1), 7);
	CU_ASSERT_EQUAL(cell(t, "01", 0), 0);
	CU_ASSERT_EQUAL(cell(t, "total", 0), 4);
	CU_ASSERT_EQUAL(cell(t, "total", 1), 25);
	CU_ASSERT_EQUAL(cell(t, "total", 2), 3);
	for (c = 0; c < t->nrows * t->ncols; c++)
		CU_ASSERT_EQUAL(t->state[c], STATS_SHOWN);
	stats_table_free(t);

	CU_ASSERT_FATAL(stats_capacity(u, 4, STATS_BY_TYPE, &t, &e) == 0);
	CU_ASSERT_EQUAL(cell(t, "childrens-home", 0), 3);
	CU_ASSERT_EQUAL(cell(t, "childrens-home", 1), 21);
	CU_ASSERT_EQUAL(cell(t, "childrens-home", 2), 1);
	CU_ASSERT_EQUAL(cell(t, "professional-family-home", 2), 2);
	CU_ASSERT_EQUAL(cell(t, "youth-home", 0), 0);
	stats_table_free(t);
}

/* A unit with two kinds of expertise is in both rows; the total counts it
 * once; a unit with none goes to "none". */
static void
test_capacity_by_expertise(void)
{
	struct unit u[2];
	struct stats_table *t = NULL;
	struct err e;

	unit_base(&u[0], "A", "08", UT_CHILDRENS_HOME, 7, 1);
	u[0].expertise = (1u << 0) | (1u << 2);
	unit_base(&u[1], "B", "08", UT_CHILDRENS_HOME, 7, 0);
	err_clear(&e);
	CU_ASSERT_FATAL(stats_capacity(u, 2, STATS_BY_EXPERTISE, &t, &e) == 0);
	CU_ASSERT_EQUAL(cell(t, "trauma-informed-care", 0), 1);
	CU_ASSERT_EQUAL(cell(t, "substance-rehabilitation", 0), 1);
	CU_ASSERT_EQUAL(cell(t, "neuropsychiatric-coaching", 0), 0);
	CU_ASSERT_EQUAL(cell(t, "none", 0), 1);
	CU_ASSERT_EQUAL(cell(t, "total", 0), 2);
	CU_ASSERT_EQUAL(cell(t, "total", 1), 14);
	stats_table_free(t);
}

static void
rec(struct supervision_record *r, int i, const char *unit, int kind)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "R%d", i);
	snprintf(r->unit_id, sizeof(r->unit_id), "%s", unit);
	snprintf(r->opened, sizeof(r->opened), "2025-06-01");
	r->kind = kind;
	r->status = RS_CLOSED;
	r->outcome = -1;
}

/*
 * By type, threshold 5 (columns visits, complaints):
 *                   visits  complaints          shown
 *   childrens-home     6        2          ->   x    <5
 *   youth-home         1        7          ->  <5     x
 *   total              7        9               7     9
 * plus one visit to a unit not in the store ("unknown-unit" row), which
 * makes the visit total 8 and the column (6, 1, 1 | 8): 1 and 1 hidden,
 * no complement needed there.  So: visits 6, <5, <5 | 8; complaints <5, x.
 * Also an open order (deadline passed: open order + overdue) on A and a
 * complaint decision with the outcome "view" on B.
 */
static void
test_supervision_counts_and_suppression(void)
{
	struct unit u[2];
	struct supervision_record r[19];
	struct stats_table *t = NULL;
	struct err e;
	char buf[16];
	int i, n = 0;

	unit_base(&u[0], "A", "08", UT_CHILDRENS_HOME, 7, 0);
	unit_base(&u[1], "B", "08", UT_YOUTH_HOME, 7, 0);
	for (i = 0; i < 6; i++, n++)
		rec(&r[n], n, "A", RK_INSPECTION_UNANNOUNCED);
	for (i = 0; i < 2; i++, n++)
		rec(&r[n], n, "A", RK_COMPLAINT);
	rec(&r[n], n, "B", RK_GUIDANCE_VISIT);
	n++;
	for (i = 0; i < 7; i++, n++)
		rec(&r[n], n, "B", RK_COMPLAINT);
	rec(&r[n], n, "GONE", RK_INSPECTION_ANNOUNCED);
	n++;
	rec(&r[n], n, "A", RK_ORDER_TO_CORRECT);
	r[n].status = RS_OPEN;
	snprintf(r[n].deadline, sizeof(r[n].deadline), "2026-01-31");
	n++;
	rec(&r[n], n, "B", RK_COMPLAINT_DECISION);
	r[n].outcome = OC_VIEW;
	n++;
	CU_ASSERT_EQUAL_FATAL(n, 19);
	err_clear(&e);
	CU_ASSERT_FATAL(stats_supervision(u, 2, r, 19, STATS_BY_TYPE, 5, NOW,
	    &t, &e) == 0);
	CU_ASSERT_EQUAL(cell(t, "childrens-home", 0), 6);
	CU_ASSERT_EQUAL(cell(t, "youth-home", 0), 1);
	CU_ASSERT_EQUAL(cell(t, "unknown-unit", 0), 1);
	CU_ASSERT_EQUAL(cell(t, "total", 0), 8);
	CU_ASSERT_EQUAL(cell(t, "childrens-home", 1), 2);
	CU_ASSERT_EQUAL(cell(t, "youth-home", 1), 7);
	CU_ASSERT_EQUAL(cell(t, "total", 1), 9);
	CU_ASSERT_EQUAL(cell(t, "childrens-home", 2), 1);	/* open orders */
	CU_ASSERT_EQUAL(cell(t, "childrens-home", 3), 1);	/* overdue */
	CU_ASSERT_EQUAL(cell(t, "youth-home", 4), 1);		/* decisions */
	CU_ASSERT_EQUAL(cell(t, "youth-home", 6), 1);		/* view */
	CU_ASSERT_EQUAL(row_of(t, "none"), (size_t)-1);	/* empty: dropped */

	text(t, "childrens-home", 0, buf);
	CU_ASSERT_STRING_EQUAL(buf, "6");
	text(t, "youth-home", 0, buf);
	CU_ASSERT_STRING_EQUAL(buf, "<5");
	text(t, "unknown-unit", 0, buf);
	CU_ASSERT_STRING_EQUAL(buf, "<5");
	text(t, "total", 0, buf);
	CU_ASSERT_STRING_EQUAL(buf, "8");
	text(t, "childrens-home", 1, buf);
	CU_ASSERT_STRING_EQUAL(buf, "<5");
	text(t, "youth-home", 1, buf);
	CU_ASSERT_STRING_EQUAL(buf, "x");
	text(t, "total", 1, buf);
	CU_ASSERT_STRING_EQUAL(buf, "9");
	stats_table_free(t);

	/* Threshold 2: only the 1s are small. */
	CU_ASSERT_FATAL(stats_supervision(u, 2, r, 19, STATS_BY_TYPE, 2, NOW,
	    &t, &e) == 0);
	text(t, "childrens-home", 1, buf);
	CU_ASSERT_STRING_EQUAL(buf, "2");
	text(t, "youth-home", 0, buf);
	CU_ASSERT_STRING_EQUAL(buf, "<2");
	stats_table_free(t);
}

/* Prices: the row of (group key, level token), and its cell texts. */
static size_t
prow(const struct stats_table *t, const char *key, const char *level)
{
	size_t r;

	for (r = 0; r < t->nrows; r++)
		if (strcmp(t->row_keys[r], key) == 0 &&
		    strcmp(t->row_levels[r], level) == 0)
			return r;
	return (size_t)-1;
}

/* The six cells (units, min, p25, median, p75, max) of a row, as text,
 * joined by spaces: "5 100.00 200.00 250.50 300.00 400.00". */
static void
prices_text(const struct stats_table *t, const char *key, const char *level,
    char *out, size_t len)
{
	size_t r = prow(t, key, level), c, n = 0;
	char buf[32];

	CU_ASSERT_FATAL(r != (size_t)-1);
	CU_ASSERT_FATAL(t->ncols == 6);
	out[0] = '\0';
	for (c = 0; c < t->ncols; c++) {
		stats_cell_text(t, r, c, buf, sizeof(buf));
		n += (size_t)snprintf(out + n, len - n, "%s%s", c ? " " : "",
		    buf);
		CU_ASSERT_FATAL(n < len);
	}
}

static void
priced(struct unit *u, const char *id, const char *region, int level,
    long cents)
{
	unit_base(u, id, region, UT_CHILDRENS_HOME, 7, 1);
	u->service_level = level;
	u->price_cents = cents;
}

#define PRICES_IS(t, key, level, want) do {				\
	char got_[128];							\
									\
	prices_text((t), (key), (level), got_, sizeof(got_));		\
	CU_ASSERT_STRING_EQUAL(got_, (want));				\
} while (0)

/*
 * Nearest rank: of n prices in order, the p-th percentile is the one at rank
 * ceil(p * n / 100).
 *   08 special, 5 units: 100, 200, 250.50, 300, 400 (given out of order)
 *     p25 rank 2 = 200, median rank 3 = 250.50, p75 rank 4 = 300
 *   08 basic, 4 units: 110, 120, 150, 180
 *     p25 rank 1 = 110, median rank 2 = 120, p75 rank 3 = 150
 *   05 special, 2 units: 450, 500 -> min and max, percentiles "-"
 *   01 (no unit at all): 0 and "-" at every level, but listed
 *   total special, 7 units: 100 200 250.50 300 400 450 500
 *     p25 rank 2 = 200, median rank 4 = 300, p75 rank 6 = 450
 *   total demanding: no unit
 * Never suppressed: 1 and 2 units are shown as counts.
 */
static void
test_prices_by_region(void)
{
	static const long sp08[] = { 30000, 10000, 25050, 20000, 40000 };
	static const long ba08[] = { 15000, 12000, 18000, 11000 };
	struct unit u[11];
	struct stats_table *t = NULL;
	struct err e;
	size_t i, n = 0;
	char id[8];

	for (i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "S%zu", i);
		priced(&u[n++], id, "08", SL_SPECIAL, sp08[i]);
	}
	for (i = 0; i < 4; i++) {
		snprintf(id, sizeof(id), "B%zu", i);
		priced(&u[n++], id, "08", SL_BASIC, ba08[i]);
	}
	priced(&u[n++], "X", "05", SL_SPECIAL, 50000);
	priced(&u[n++], "Y", "05", SL_SPECIAL, 45000);
	err_clear(&e);
	CU_ASSERT_FATAL(stats_prices(u, n, STATS_BY_REGION, &t, &e) == 0);
	CU_ASSERT_STRING_EQUAL(t->name, "prices");
	/* every region at every level, then total per level; no "none" */
	CU_ASSERT_EQUAL(t->nrows, (REGION_COUNT + 1) * 3);
	CU_ASSERT_EQUAL(prow(t, "none", "basic"), (size_t)-1);
	PRICES_IS(t, "08", "special", "5 100.00 200.00 250.50 300.00 400.00");
	PRICES_IS(t, "08", "basic", "4 110.00 110.00 120.00 150.00 180.00");
	PRICES_IS(t, "08", "demanding", "0 - - - - -");
	PRICES_IS(t, "05", "special", "2 450.00 - - - 500.00");
	PRICES_IS(t, "05", "basic", "0 - - - - -");
	PRICES_IS(t, "01", "basic", "0 - - - - -");
	PRICES_IS(t, "01", "special", "0 - - - - -");
	PRICES_IS(t, "total", "special", "7 100.00 200.00 300.00 450.00 500.00");
	PRICES_IS(t, "total", "basic", "4 110.00 110.00 120.00 150.00 180.00");
	PRICES_IS(t, "total", "demanding", "0 - - - - -");
	/* "-" is its own state, not a suppressed count */
	i = prow(t, "05", "special");
	CU_ASSERT_EQUAL(t->state[i * t->ncols + 2], STATS_FEW);
	CU_ASSERT_EQUAL(t->state[i * t->ncols + 0], STATS_SHOWN);
	CU_ASSERT_EQUAL(t->sensitive, 0);
	stats_table_free(t);
}

/*
 * By expertise: A (kinds 0 and 2, demanding, 1000), B (kind 0, demanding,
 * 1200), C (kind 0, demanding, 900), D (no expertise, basic, 300).
 *   trauma-informed-care demanding: 900 1000 1200, exactly 3 units, so
 *     the percentiles are shown: p25 rank 1, median rank 2, p75 rank 3
 *   substance-rehabilitation demanding: A alone: 1000, "-" in between
 *   none basic: D; total demanding counts A once: 3 units as above
 */
static void
test_prices_by_expertise(void)
{
	struct unit u[4];
	struct stats_table *t = NULL;
	struct err e;

	priced(&u[0], "A", "08", SL_DEMANDING, 100000);
	u[0].expertise = (1u << 0) | (1u << 2);
	priced(&u[1], "B", "08", SL_DEMANDING, 120000);
	u[1].expertise = 1u << 0;
	priced(&u[2], "C", "08", SL_DEMANDING, 90000);
	u[2].expertise = 1u << 0;
	priced(&u[3], "D", "08", SL_BASIC, 30000);
	err_clear(&e);
	CU_ASSERT_FATAL(stats_prices(u, 4, STATS_BY_EXPERTISE, &t, &e) == 0);
	PRICES_IS(t, "trauma-informed-care", "demanding",
	    "3 900.00 900.00 1000.00 1200.00 1200.00");
	PRICES_IS(t, "substance-rehabilitation", "demanding",
	    "1 1000.00 - - - 1000.00");
	PRICES_IS(t, "neuropsychiatric-coaching", "demanding", "0 - - - - -");
	PRICES_IS(t, "none", "basic", "1 300.00 - - - 300.00");
	PRICES_IS(t, "none", "demanding", "0 - - - - -");
	PRICES_IS(t, "total", "demanding",
	    "3 900.00 900.00 1000.00 1200.00 1200.00");
	PRICES_IS(t, "total", "basic", "1 300.00 - - - 300.00");
	CU_ASSERT_EQUAL(t->nrows, ((size_t)vocab_expertise.count + 2) * 3);
	stats_table_free(t);
}

/*
 * By level the group is the level: one row each, no total across levels.
 * special: 200 300 400 -> 200 200 300 400 400; a unit with a negative
 * price (which the schema refuses) is left out.
 */
static void
test_prices_by_level(void)
{
	struct unit u[5];
	struct stats_table *t = NULL;
	struct err e;

	priced(&u[0], "A", "08", SL_SPECIAL, 40000);
	priced(&u[1], "B", "08", SL_SPECIAL, 20000);
	priced(&u[2], "C", "05", SL_SPECIAL, 30000);
	priced(&u[3], "D", "05", SL_BASIC, 25000);
	priced(&u[4], "E", "05", SL_BASIC, -1);
	err_clear(&e);
	CU_ASSERT_FATAL(stats_prices(u, 5, STATS_BY_LEVEL, &t, &e) == 0);
	CU_ASSERT_EQUAL(t->nrows, 3);
	PRICES_IS(t, "special", "special", "3 200.00 200.00 300.00 400.00 400.00");
	PRICES_IS(t, "basic", "basic", "1 250.00 - - - 250.00");
	PRICES_IS(t, "demanding", "demanding", "0 - - - - -");
	CU_ASSERT_EQUAL(prow(t, "total", "special"), (size_t)-1);
	stats_table_free(t);

	CU_ASSERT_EQUAL(stats_prices(u, 5, (enum stats_by)9, &t, &e), -1);
	CU_ASSERT_EQUAL(e.code, ERR_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "unknown grouping"));
	CU_ASSERT_PTR_NULL(t);
}

static void
test_bad_arguments_refused(void)
{
	struct stats_table *t = NULL;
	struct err e;

	err_clear(&e);
	CU_ASSERT_EQUAL(stats_supervision(NULL, 0, NULL, 0, STATS_BY_REGION, 0,
	    NOW, &t, &e), -1);
	CU_ASSERT_EQUAL(e.code, ERR_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "threshold"));
	CU_ASSERT_PTR_NULL(t);
	CU_ASSERT_EQUAL(stats_by_parse("level"), STATS_BY_LEVEL);
	CU_ASSERT_EQUAL(stats_by_parse("colour"), -1);
}

static CU_TestInfo suppress_tests[] = {
	{ "hides the smallest other cell when one cell of a column is hidden", test_column_complement },
	{ "hides a rectangle in a grid with row and column totals", test_grid_complement },
	{ "follows the configured threshold, and 1 turns it off", test_threshold_configurable },
	{ "shows zeros and needs no complement for two hidden cells", test_zero_and_pairs },
	CU_TEST_INFO_NULL
};

static CU_TestInfo table_tests[] = {
	{ "counts units, places and free places without suppression", test_capacity_counts },
	{ "counts a unit in each of its kinds of expertise, once in the total", test_capacity_by_expertise },
	{ "counts supervision activity and suppresses it as hand-checked", test_supervision_counts_and_suppression },
	{ "refuses a threshold below 1 and an unknown grouping", test_bad_arguments_refused },
	CU_TEST_INFO_NULL
};

static CU_TestInfo prices_tests[] = {
	{ "gives nearest-rank percentiles per region and level, \"-\" below 3 units and for empty groups", test_prices_by_region },
	{ "counts a unit in each kind of expertise, once in the total, and shows exactly 3 units", test_prices_by_expertise },
	{ "has one row per level with --by level and leaves out a negative price", test_prices_by_level },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ "suppression", NULL, NULL, NULL, NULL, suppress_tests },
	{ "tables", NULL, NULL, NULL, NULL, table_tests },
	{ "prices", NULL, NULL, NULL, NULL, prices_tests },
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	return test_run_suites(suites);
}
