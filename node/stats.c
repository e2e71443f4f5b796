/*
 * stats.c - grouped counts of units and supervision activity, the
 * small-count suppression that protects the second, and the distribution
 * of daily prices per service level (see stats.h).
 *
 * Tables are built in a fixed shape: one row per value of the grouping
 * vocabulary (all of them, zero rows included, so that tables from
 * different regions line up), then two catch-all rows that are dropped when
 * empty ("none": a unit without any expertise, or an out-of-range value;
 * "unknown unit": a record about a unit not in the store), then the total.
 * Suppression runs on the finished shape, with one line per column (the rows
 * and the total) and one per row for the complaint decisions by outcome,
 * whose row total is the "decisions" column.  The prices table has the
 * same groups, each split by service level, and no "unknown unit" row.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brief.h"
#include "stats.h"
#include "vocab.h"

static const char *const cap_keys[] = { "units", "places", "free-places" };
static const char *const cap_heads[] = { "units", "places", "free places" };

enum {
	SV_VISITS, SV_COMPLAINTS, SV_OPEN_ORDERS, SV_OVERDUE, SV_DECISIONS,
	SV_NO_ACTION, SV_VIEW, SV_ATTENTION, SV_REPRIMAND, SV_NCOLS
};
static const char *const sv_keys[] = {
	"visits", "complaints", "open-orders", "overdue", "decisions",
	"no-action", "view", "drawing-attention", "reprimand"
};
static const char *const sv_heads[] = {
	"visits", "complaints", "open orders", "overdue", "decisions",
	"no action", "view", "attention", "reprimand"
};

enum { PR_UNITS, PR_MIN, PR_P25, PR_MEDIAN, PR_P75, PR_MAX, PR_NCOLS };
static const char *const pr_keys[] = {
	"units", "min", "p25", "median", "p75", "max"
};
static const unsigned char pr_cents[] = { 0, 1, 1, 1, 1, 1 };

static const char *const by_names[] = { "region", "type", "expertise", "level" };

int
stats_by_parse(const char *s)
{
	int i;

	for (i = 0; i < (int)(sizeof(by_names) / sizeof(by_names[0])); i++)
		if (strcmp(s, by_names[i]) == 0)
			return i;
	return -1;
}

const char *
stats_by_name(enum stats_by by)
{
	if ((int)by < 0 || (size_t)by >= sizeof(by_names) / sizeof(by_names[0]))
		return "?";
	return by_names[by];
}

static const struct vocab *
by_vocab(enum stats_by by)
{
	switch (by) {
	case STATS_BY_TYPE:
		return &vocab_unit_type;
	case STATS_BY_EXPERTISE:
		return &vocab_expertise;
	case STATS_BY_LEVEL:
		return &vocab_service_level;
	default:
		return NULL;
	}
}

static size_t
by_count(enum stats_by by)
{
	return by == STATS_BY_REGION ? REGION_COUNT :
	    (size_t)by_vocab(by)->count;
}

/*
 * Region codes of two decimal digits as indexes into a table of regions[]
 * indexes (-1 none), built once per table: a unit's region then costs no
 * string compares.  Any other code goes to region_find().
 */
#define RX_SIZE	100

static void
region_index_init(signed char rx[RX_SIZE])
{
	const char *c;
	int i;

	memset(rx, -1, RX_SIZE);
	for (i = REGION_COUNT - 1; i >= 0; i--) {	/* the first wins */
		c = regions[i].code;
		if (c[0] >= '0' && c[0] <= '9' && c[1] >= '0' && c[1] <= '9' &&
		    c[2] == '\0')
			rx[(c[0] - '0') * 10 + (c[1] - '0')] = (signed char)i;
	}
}

static long
region_index(const signed char rx[RX_SIZE], const char *c)
{
	if (c[0] >= '0' && c[0] <= '9' && c[1] >= '0' && c[1] <= '9' &&
	    c[2] == '\0')
		return rx[(c[0] - '0') * 10 + (c[1] - '0')];
	return region_find(c);
}

/*
 * The groups of a unit: writes up to 32 row indexes; a unit outside every
 * group goes to the "none" row (index ngroups).  rx: region_index_init().
 */
static size_t
unit_groups(const struct unit_brief *u, enum stats_by by,
    const signed char *rx, size_t *g)
{
	size_t ng = by_count(by), n = 0, i;
	long v;

	switch (by) {
	case STATS_BY_REGION:
		v = region_index(rx, u->region);
		break;
	case STATS_BY_TYPE:
		v = u->type;
		break;
	case STATS_BY_LEVEL:
		v = u->service_level;
		break;
	case STATS_BY_EXPERTISE:
		for (i = 0; i < ng && i < 32; i++)
			if (u->expertise & (UINT32_C(1) << i))
				g[n++] = i;
		if (n == 0)
			g[n++] = ng;
		return n;
	default:
		v = -1;
	}
	g[0] = (v >= 0 && (size_t)v < ng) ? (size_t)v : ng;
	return 1;
}

void
stats_table_free(struct stats_table *t)
{
	if (t == NULL)
		return;
	free(t->row_keys);
	free(t->row_labels);
	free(t->row_levels);
	free(t->v);
	free(t->state);
	free(t);
}

/* Rows: ngroups + "none" + "unknown unit" + total. */
static struct stats_table *
table_new(const char *name, enum stats_by by, size_t ncols,
    const char *const *keys, const char *const *heads, struct err *e)
{
	struct stats_table *t;
	const struct vocab *voc = by_vocab(by);
	size_t ng = by_count(by), i;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		goto nomem;
	t->name = name;
	t->by = by;
	t->nrows = ng + 3;
	t->ncols = ncols;
	t->col_keys = keys;
	t->col_heads = heads;
	if ((t->row_keys = calloc(t->nrows, sizeof(*t->row_keys))) == NULL ||
	    (t->row_labels = calloc(t->nrows, sizeof(*t->row_labels))) == NULL ||
	    (t->v = calloc(t->nrows * ncols, sizeof(*t->v))) == NULL ||
	    (t->state = calloc(t->nrows * ncols, 1)) == NULL)
		goto nomem;
	for (i = 0; i < ng; i++) {
		if (voc == NULL) {
			t->row_keys[i] = regions[i].code;
			t->row_labels[i] = regions[i].name;
		} else {
			t->row_keys[i] = vocab_token(voc, (int)i);
			t->row_labels[i] = vocab_label(voc, (int)i);
		}
	}
	t->row_keys[ng] = "none";
	t->row_labels[ng] = by == STATS_BY_EXPERTISE ?
	    "no listed expertise" : "not classified";
	t->row_keys[ng + 1] = "unknown-unit";
	t->row_labels[ng + 1] = "unit not in this store";
	t->row_keys[ng + 2] = "total";
	t->row_labels[ng + 2] = by == STATS_BY_EXPERTISE ?
	    "all (distinct)" : "all";
	return t;
nomem:
	stats_table_free(t);
	err_set(e, ERR_NOMEM, "statistics: out of memory");
	return NULL;
}

/* Drop the two catch-all rows when they are empty. */
static void
table_compact(struct stats_table *t)
{
	size_t r, w, c, ng = t->nrows - 3;
	int empty;

	for (r = 0, w = 0; r < t->nrows; r++) {
		empty = 1;
		for (c = 0; c < t->ncols; c++)
			if (t->v[r * t->ncols + c] != 0)
				empty = 0;
		if ((r == ng || r == ng + 1) && empty)
			continue;
		if (w != r) {
			t->row_keys[w] = t->row_keys[r];
			t->row_labels[w] = t->row_labels[r];
			memmove(&t->v[w * t->ncols], &t->v[r * t->ncols],
			    t->ncols * sizeof(*t->v));
			memmove(&t->state[w * t->ncols], &t->state[r * t->ncols],
			    t->ncols);
		}
		w++;
	}
	t->nrows = w;
}

/* Briefs of nu units (NULL when nu is 0 or on ENOMEM: *bad set). */
static struct unit_brief *
briefs(const struct unit *u, size_t nu, int *bad)
{
	struct unit_brief *b;
	size_t i;

	*bad = 0;
	if (nu == 0)
		return NULL;
	if ((b = calloc(nu, sizeof(*b))) == NULL) {
		*bad = 1;
		return NULL;
	}
	for (i = 0; i < nu; i++)
		brief_unit_from(&u[i], &b[i], NULL, 0);
	return b;
}

int
stats_capacity(const struct unit *u, size_t nu, enum stats_by by,
    struct stats_table **out, struct err *e)
{
	struct unit_brief *b;
	int bad, rc;

	*out = NULL;
	if ((b = briefs(u, nu, &bad)) == NULL && bad)
		return err_set(e, ERR_NOMEM, "statistics: out of memory");
	rc = stats_capacity_b(b, nu, by, out, e);
	free(b);
	return rc;
}

int
stats_capacity_b(const struct unit_brief *u, size_t nu, enum stats_by by,
    struct stats_table **out, struct err *e)
{
	struct stats_table *t;
	size_t i, j, n, g[32], tot;
	signed char rx[RX_SIZE];
	long *row;

	*out = NULL;
	if (stats_by_parse(stats_by_name(by)) < 0)
		return err_set(e, ERR_USAGE, "statistics: unknown grouping %d",
		    (int)by);
	if ((t = table_new("capacity", by, 3, cap_keys, cap_heads, e)) == NULL)
		return -1;
	region_index_init(rx);
	tot = t->nrows - 1;
	for (i = 0; i < nu; i++) {
		if (u[i].retired)	/* closed: no places (store_retire.h) */
			continue;
		n = unit_groups(&u[i], by, rx, g);
		for (j = 0; j <= n; j++) {
			row = &t->v[(j < n ? g[j] : tot) * t->ncols];
			row[0] += 1;
			row[1] += u[i].places;
			row[2] += u[i].free_places;
		}
	}
	table_compact(t);
	*out = t;
	return 0;
}

/* --- prices -------------------------------------------------------------- */

/* x[n] in ascending order, tmp room for n: a bottom-up merge sort over
 * runs of 8 sorted by insertion (qsort() calls a comparison per step, and
 * the prices table sorts every unit's price a few times). */
static void
sort_longs(long *x, long *tmp, size_t n)
{
	size_t w, i, j, a, ea, b, eb, k;
	long *src = x, *dst = tmp, *t, v;

	for (i = 0; i < n; i += 8) {
		eb = i + 8 < n ? i + 8 : n;
		for (j = i + 1; j < eb; j++) {
			v = x[j];
			for (k = j; k > i && x[k - 1] > v; k--)
				x[k] = x[k - 1];
			x[k] = v;
		}
	}
	for (w = 8; w < n; w *= 2) {
		for (i = 0; i < n; i += 2 * w) {
			a = i;
			ea = b = i + w < n ? i + w : n;
			eb = i + 2 * w < n ? i + 2 * w : n;
			for (k = i; a < ea && b < eb; k++)
				dst[k] = src[b] < src[a] ? src[b++] : src[a++];
			while (a < ea)
				dst[k++] = src[a++];
			while (b < eb)
				dst[k++] = src[b++];
		}
		t = src;
		src = dst;
		dst = t;
	}
	if (src != x)
		memcpy(x, src, n * sizeof(*x));
}

/* Of n >= 1 prices in ascending order, the one at rank ceil(p * n / 100). */
static long
nearest_rank(const long *x, size_t n, size_t p)
{
	size_t k = (p * n + 99) / 100;

	return x[k > 0 ? k - 1 : 0];
}

/* Row r's cells from its n prices in ascending order. */
static void
price_row(struct stats_table *t, size_t r, const long *x, size_t n)
{
	static const size_t pct[] = { 25, 50, 75 };
	long *v = &t->v[r * PR_NCOLS];
	unsigned char *st = &t->state[r * PR_NCOLS];
	size_t i;

	v[PR_UNITS] = (long)n;
	if (n == 0)
		st[PR_MIN] = st[PR_MAX] = STATS_FEW;
	else {
		v[PR_MIN] = x[0];
		v[PR_MAX] = x[n - 1];
	}
	for (i = 0; i < 3; i++) {
		if (n < STATS_PRICE_MIN_UNITS)
			st[PR_P25 + i] = STATS_FEW;
		else
			v[PR_P25 + i] = nearest_rank(x, n, pct[i]);
	}
}

/*
 * The rows of a prices table: group-major, nl levels a group (1 for --by
 * level, where the group is the level): the groups, "none", and "total"
 * (not for --by level: a total over the levels would mix what the table
 * keeps apart).
 */
static struct stats_table *
prices_new(enum stats_by by, size_t nl, struct err *e)
{
	struct stats_table *t;
	const struct vocab *voc = by_vocab(by);
	size_t ng = by_count(by), ngrp, gi, l, r;

	ngrp = ng + (by == STATS_BY_LEVEL ? 1 : 2);
	if ((t = calloc(1, sizeof(*t))) == NULL)
		goto nomem;
	t->name = "prices";
	t->by = by;
	t->nrows = ngrp * nl;
	t->ncols = PR_NCOLS;
	t->col_keys = pr_keys;
	t->col_heads = pr_keys;
	t->col_cents = pr_cents;
	if ((t->row_keys = calloc(t->nrows, sizeof(*t->row_keys))) == NULL ||
	    (t->row_labels = calloc(t->nrows, sizeof(*t->row_labels))) == NULL ||
	    (t->row_levels = calloc(t->nrows, sizeof(*t->row_levels))) == NULL ||
	    (t->v = calloc(t->nrows * PR_NCOLS, sizeof(*t->v))) == NULL ||
	    (t->state = calloc(t->nrows * PR_NCOLS, 1)) == NULL)
		goto nomem;
	for (gi = 0; gi < ngrp; gi++) {
		for (l = 0; l < nl; l++) {
			r = gi * nl + l;
			if (gi == ng) {
				t->row_keys[r] = "none";
				t->row_labels[r] = by == STATS_BY_EXPERTISE ?
				    "no listed expertise" : "not classified";
			} else if (gi == ng + 1) {
				t->row_keys[r] = "total";
				t->row_labels[r] = by == STATS_BY_EXPERTISE ?
				    "all (distinct)" : "all";
			} else if (voc == NULL) {
				t->row_keys[r] = regions[gi].code;
				t->row_labels[r] = regions[gi].name;
			} else {
				t->row_keys[r] = vocab_token(voc, (int)gi);
				t->row_labels[r] = vocab_label(voc, (int)gi);
			}
			t->row_levels[r] = vocab_token(&vocab_service_level,
			    (int)(nl == 1 ? gi : l));
			if (t->row_levels[r] == NULL)
				t->row_levels[r] = "none";
		}
	}
	return t;
nomem:
	stats_table_free(t);
	err_set(e, ERR_NOMEM, "statistics: out of memory");
	return NULL;
}

/* The rows of unit u (a valid level and price): up to 33 row indexes. */
static size_t
price_rows(const struct unit_brief *u, enum stats_by by,
    const signed char *rx, size_t nl, size_t *rows)
{
	size_t g[32], n, i, ng = by_count(by), lv;

	lv = nl == 1 ? 0 : (size_t)u->service_level;
	n = unit_groups(u, by, rx, g);
	for (i = 0; i < n; i++)
		rows[i] = g[i] * nl + lv;
	if (by != STATS_BY_LEVEL)
		rows[n++] = (ng + 1) * nl + lv;
	return n;
}

/* Drop the "none" group when none of its rows has a unit. */
static void
prices_compact(struct stats_table *t, size_t nl)
{
	size_t first = by_count(t->by) * nl, l, tail;

	for (l = 0; l < nl; l++)
		if (t->v[(first + l) * PR_NCOLS + PR_UNITS] != 0)
			return;
	tail = t->nrows - first - nl;
	memmove(&t->row_keys[first], &t->row_keys[first + nl],
	    tail * sizeof(*t->row_keys));
	memmove(&t->row_labels[first], &t->row_labels[first + nl],
	    tail * sizeof(*t->row_labels));
	memmove(&t->row_levels[first], &t->row_levels[first + nl],
	    tail * sizeof(*t->row_levels));
	memmove(&t->v[first * PR_NCOLS], &t->v[(first + nl) * PR_NCOLS],
	    tail * PR_NCOLS * sizeof(*t->v));
	memmove(&t->state[first * PR_NCOLS], &t->state[(first + nl) * PR_NCOLS],
	    tail * PR_NCOLS);
	t->nrows -= nl;
}

static int
price_counted(const struct unit_brief *u)
{
	return !u->retired && u->price_cents >= 0 && u->service_level >= 0 &&
	    u->service_level < vocab_service_level.count;
}

int
stats_prices(const struct unit *u, size_t nu, enum stats_by by,
    struct stats_table **out, struct err *e)
{
	struct unit_brief *b;
	int bad, rc;

	*out = NULL;
	if ((b = briefs(u, nu, &bad)) == NULL && bad)
		return err_set(e, ERR_NOMEM, "statistics: out of memory");
	rc = stats_prices_b(b, nu, by, out, e);
	free(b);
	return rc;
}

int
stats_prices_b(const struct unit_brief *u, size_t nu, enum stats_by by,
    struct stats_table **out, struct err *e)
{
	struct stats_table *t = NULL;
	size_t *off = NULL, *fill = NULL, rows[33], nl, n, i, j, r;
	signed char rx[RX_SIZE];
	long *x = NULL, *tmp = NULL;
	int rc = -1;

	*out = NULL;
	if (stats_by_parse(stats_by_name(by)) < 0) {
		err_set(e, ERR_USAGE, "statistics: unknown grouping %d", (int)by);
		goto done;
	}
	nl = by == STATS_BY_LEVEL ? 1 : (size_t)vocab_service_level.count;
	if ((t = prices_new(by, nl, e)) == NULL)
		goto done;
	region_index_init(rx);
	/* Count the prices of each row, then place them row by row. */
	if ((off = calloc(t->nrows + 1, sizeof(*off))) == NULL ||
	    (fill = calloc(t->nrows, sizeof(*fill))) == NULL) {
		err_set(e, ERR_NOMEM, "statistics: out of memory");
		goto done;
	}
	for (i = 0; i < nu; i++) {
		if (!price_counted(&u[i]))
			continue;
		n = price_rows(&u[i], by, rx, nl, rows);
		for (j = 0; j < n; j++)
			off[rows[j] + 1]++;
	}
	for (r = 0; r < t->nrows; r++)
		off[r + 1] += off[r];
	if (off[t->nrows] > 0 &&
	    ((x = calloc(off[t->nrows], sizeof(*x))) == NULL ||
	    (tmp = calloc(off[t->nrows], sizeof(*tmp))) == NULL)) {
		err_set(e, ERR_NOMEM, "statistics: out of memory");
		goto done;
	}
	for (i = 0; i < nu; i++) {
		if (!price_counted(&u[i]))
			continue;
		n = price_rows(&u[i], by, rx, nl, rows);
		for (j = 0; j < n; j++)
			x[off[rows[j]] + fill[rows[j]]++] = u[i].price_cents;
	}
	for (r = 0; r < t->nrows; r++) {
		n = off[r + 1] - off[r];
		if (n > 1)
			sort_longs(&x[off[r]], tmp, n);
		price_row(t, r, x != NULL ? &x[off[r]] : NULL, n);
	}
	prices_compact(t, nl);
	*out = t;
	t = NULL;
	rc = 0;
done:
	free(tmp);
	free(x);
	free(fill);
	free(off);
	stats_table_free(t);
	return rc;
}

/* --- supervision --------------------------------------------------------- */

/* Adds the counts of one unit's summary at now to row (SV_NCOLS cells). */
static void
sup_count(const struct unit_sup *u, time_t now, long *row)
{
	int i;

	row[SV_VISITS] += u->visits;
	row[SV_COMPLAINTS] += u->complaints;
	row[SV_OPEN_ORDERS] += u->open_orders;
	for (i = 0; i < 4; i++) {
		row[SV_DECISIONS] += u->outcomes[i];
		row[SV_NO_ACTION + i] += u->outcomes[i];
	}
	/* Overdue: open with a deadline a whole day past (sorted). */
	for (i = 0; i < u->ndl && u->deadlines[i] + 86400 <= now; i++)
		row[SV_OVERDUE]++;
}

static int
cmp_idp(const void *a, const void *b)
{
	const struct unit_brief *const *x = a, *const *y = b;

	return strcmp((*x)->id, (*y)->id);
}

static int
cmp_key(const void *k, const void *b)
{
	const struct unit_brief *const *y = b;

	return strcmp(k, (*y)->id);
}

/* Suppression lines of a supervision table: one per column, one per row
 * for the outcomes.  The arrays live in one allocation freed by the caller. */
static int
supervision_suppress(struct stats_table *t, struct err *e)
{
	size_t nr = t->nrows, nc = t->ncols, ndata = nr - 1, r, c, k = 0;
	size_t *idx = NULL;
	struct stats_line *lines = NULL;
	int rc = -1;

	if ((idx = calloc(nc * ndata + nr * 4, sizeof(*idx))) == NULL ||
	    (lines = calloc(nc + nr, sizeof(*lines))) == NULL) {
		err_set(e, ERR_NOMEM, "statistics: out of memory");
		goto done;
	}
	for (c = 0; c < nc; c++) {
		lines[c].total = (nr - 1) * nc + c;
		lines[c].members = &idx[k];
		lines[c].nmembers = ndata;
		for (r = 0; r < ndata; r++)
			idx[k++] = r * nc + c;
	}
	for (r = 0; r < nr; r++) {
		lines[nc + r].total = r * nc + SV_DECISIONS;
		lines[nc + r].members = &idx[k];
		lines[nc + r].nmembers = 4;
		for (c = SV_NO_ACTION; c <= SV_REPRIMAND; c++)
			idx[k++] = r * nc + c;
	}
	stats_suppress(t->v, nr * nc, lines, nc + nr, t->threshold, t->state);
	rc = 0;
done:
	free(lines);
	free(idx);
	return rc;
}

static int
cmp_recp(const void *a, const void *b)
{
	const struct supervision_record *const *x = a, *const *y = b;

	return strcmp((*x)->unit_id, (*y)->unit_id);
}

int
stats_supervision(const struct unit *u, size_t nu,
    const struct supervision_record *r, size_t nr, enum stats_by by,
    long threshold, time_t now, struct stats_table **out, struct err *e)
{
	const struct supervision_record **byu = NULL;
	struct unit_brief *b = NULL;
	struct unit_sup *sup = NULL;
	struct record_brief rb;
	size_t i, ns = 0;
	int bad, rc = -1;

	*out = NULL;
	if ((b = briefs(u, nu, &bad)) == NULL && bad)
		goto nomem;
	/* One summary per unit ID the records name, in ID order. */
	if (nr > 0 && ((byu = calloc(nr, sizeof(*byu))) == NULL ||
	    (sup = calloc(nr, sizeof(*sup))) == NULL))
		goto nomem;
	for (i = 0; i < nr; i++)
		byu[i] = &r[i];
	if (nr > 0)
		qsort(byu, nr, sizeof(*byu), cmp_recp);
	for (i = 0; i < nr; i++) {
		if (ns == 0 || strcmp(sup[ns - 1].unit_id, byu[i]->unit_id) !=
		    0) {
			snprintf(sup[ns].unit_id, sizeof(sup[ns].unit_id), "%s",
			    byu[i]->unit_id);
			sup[ns].serious_sev = -1;
			ns++;
		}
		brief_record_from(byu[i], &rb);
		if (unit_sup_add(&sup[ns - 1], &rb, (time_t)INT64_MAX) == -1)
			goto nomem;
	}
	rc = stats_supervision_sups(b, nu, sup, ns, by, threshold, now, out,
	    e);
	goto done;
nomem:
	err_set(e, ERR_NOMEM, "statistics: out of memory");
done:
	for (i = 0; i < ns; i++)
		unit_sup_clear(&sup[i]);
	free(sup);
	free(byu);
	free(b);
	return rc;
}

int
stats_supervision_sups(const struct unit_brief *u, size_t nu,
    const struct unit_sup *r, size_t nr, enum stats_by by,
    long threshold, time_t now, struct stats_table **out, struct err *e)
{
	struct stats_table *t = NULL;
	const struct unit_brief **byid = NULL, **hit, *hu;
	size_t i, j, n, g[32], tot, ng = by_count(by), at = 0;
	signed char rx[RX_SIZE];
	int rc = -1, sorted = 0;

	*out = NULL;
	if (stats_by_parse(stats_by_name(by)) < 0) {
		err_set(e, ERR_USAGE, "statistics: unknown grouping %d", (int)by);
		goto done;
	}
	if (threshold < 1) {
		err_set(e, ERR_USAGE, "threshold: %ld is below 1", threshold);
		goto done;
	}
	if (now == 0)
		now = time(NULL);
	if ((t = table_new("supervision", by, SV_NCOLS, sv_keys, sv_heads,
	    e)) == NULL)
		goto done;
	t->sensitive = 1;
	t->threshold = threshold;
	region_index_init(rx);
	if (nu > 0) {
		if ((byid = calloc(nu, sizeof(*byid))) == NULL) {
			err_set(e, ERR_NOMEM, "statistics: out of memory");
			goto done;
		}
		for (i = 0; i < nu; i++)
			byid[i] = &u[i];
		/* The store hands both in ID order: then one merge walk
		 * finds each summary's unit, else a sort and a search each. */
		for (i = 1, sorted = 1; i < nu && sorted; i++)
			if (strcmp(u[i - 1].id, u[i].id) >= 0)
				sorted = 0;
		if (!sorted)
			qsort(byid, nu, sizeof(*byid), cmp_idp);
	}
	for (i = 1, sorted = nu > 0 && sorted; i < nr && sorted; i++)
		if (strcmp(r[i - 1].unit_id, r[i].unit_id) >= 0)
			sorted = 0;
	tot = t->nrows - 1;
	for (i = 0; i < nr; i++) {
		hu = NULL;
		if (sorted) {
			while (at < nu && strcmp(u[at].id, r[i].unit_id) < 0)
				at++;
			if (at < nu && strcmp(u[at].id, r[i].unit_id) == 0)
				hu = &u[at];
		} else if (nu > 0 && (hit = bsearch(r[i].unit_id, byid, nu,
		    sizeof(*byid), cmp_key)) != NULL)
			hu = *hit;
		if (hu != NULL)
			n = unit_groups(hu, by, rx, g);
		else {
			g[0] = ng + 1;
			n = 1;
		}
		for (j = 0; j < n; j++)
			sup_count(&r[i], now, &t->v[g[j] * t->ncols]);
		sup_count(&r[i], now, &t->v[tot * t->ncols]);
	}
	table_compact(t);
	if (supervision_suppress(t, e) == -1)
		goto done;
	*out = t;
	t = NULL;
	rc = 0;
done:
	free(byid);
	stats_table_free(t);
	return rc;
}

/* The cell of line l to hide next: the smallest non-zero shown member
 * (first in order on a tie), else a zero member, else the total; SIZE_MAX
 * when every cell is hidden already. */
static size_t
complement_pick(const long *v, const struct stats_line *l,
    const unsigned char *state)
{
	size_t i, m, nz = SIZE_MAX, z = SIZE_MAX;

	for (i = 0; i < l->nmembers; i++) {
		m = l->members[i];
		if (state[m] != STATS_SHOWN)
			continue;
		if (v[m] != 0 && (nz == SIZE_MAX || v[m] < v[nz]))
			nz = m;
		else if (v[m] == 0 && z == SIZE_MAX)
			z = m;
	}
	if (nz != SIZE_MAX)
		return nz;
	if (z != SIZE_MAX)
		return z;
	return state[l->total] == STATS_SHOWN ? l->total : SIZE_MAX;
}

/* The complementary rounds of stats_suppress() on state as it stands. */
static void
complement_rounds(const long *v, size_t ncells,
    const struct stats_line *lines, size_t nlines, unsigned char *state)
{
	size_t i, j, hidden, pick, round;
	int changed;

	for (round = 0, changed = 1; changed && round <= ncells; round++) {
		changed = 0;
		for (i = 0; i < nlines; i++) {
			hidden = state[lines[i].total] != STATS_SHOWN;
			for (j = 0; j < lines[i].nmembers; j++)
				hidden += state[lines[i].members[j]] != STATS_SHOWN;
			if (hidden != 1)
				continue;
			pick = complement_pick(v, &lines[i], state);
			if (pick == SIZE_MAX)
				continue;
			state[pick] = STATS_COMPLEMENT;
			changed = 1;
		}
	}
}

void
stats_suppress(const long *v, size_t ncells, const struct stats_line *lines,
    size_t nlines, long threshold, unsigned char *state)
{
	size_t i;

	for (i = 0; i < ncells; i++)
		state[i] = (v[i] > 0 && v[i] < threshold) ? STATS_PRIMARY :
		    STATS_SHOWN;
	complement_rounds(v, ncells, lines, nlines, state);
}

void
stats_suppress_pre(const long *v, size_t ncells,
    const struct stats_line *lines, size_t nlines, long threshold,
    unsigned char *state)
{
	size_t i;

	for (i = 0; i < ncells; i++)
		if (state[i] == STATS_SHOWN && v[i] > 0 && v[i] < threshold)
			state[i] = STATS_PRIMARY;
	complement_rounds(v, ncells, lines, nlines, state);
}

void
stats_cell_text(const struct stats_table *t, size_t row, size_t col,
    char *buf, size_t len)
{
	size_t i = row * t->ncols + col;

	switch (t->state[i]) {
	case STATS_PRIMARY:
		snprintf(buf, len, "<%ld", t->threshold);
		break;
	case STATS_COMPLEMENT:
		snprintf(buf, len, "x");
		break;
	case STATS_FEW:
		snprintf(buf, len, "-");
		break;
	default:
		if (t->col_cents != NULL && t->col_cents[col])
			snprintf(buf, len, "%ld.%02ld", t->v[i] / 100,
			    t->v[i] % 100);
		else
			snprintf(buf, len, "%ld", t->v[i]);
		break;
	}
}
