/*
 * merge_stats.c - the national statistics merged from the regions' tables,
 * with small counts suppressed again on the national totals (see merge.h
 * for the rules; the suppression is node/stats.c's, with the cells that
 * arrive hidden kept hidden).
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "merge.h"
#include "merge_internal.h"
#include "stats.h"
#include "xml.h"

#define KEY_MAX		49	/* StatKey: 48 characters */
#define LEVEL_MAX	16	/* a service-level token */
#define IKEY_MAX	(KEY_MAX + LEVEL_MAX + 8)	/* key, level, n */
#define COLS_MAX	16	/* per table (query.xsd) */
#define ROWS_MAX	256	/* rows per table (query.xsd) */
#define TABLES_MAX	8

/*
 * Design.  Each answer's tables are read into fixed arrays at query.xsd's
 * caps (8 tables, 16 columns, 256 rows), cells at row * COLS_MAX + col, and
 * checked to line up with what is merged so far before any of them is
 * added, so an answer is merged whole or not at all.  Rows match by an
 * internal key "KEY|LEVEL|N" (N: the how-manyth row of that key and level,
 * which tells apart the per-level rows of a prices table sent without a
 * level attribute).  A merged cell keeps the strongest hidden state of its
 * parts; suppression then runs once per sensitive table, on the merged
 * rows.
 */

enum { TK_SENSITIVE, TK_CAPACITY, TK_PRICES };

struct mtable {
	char		 name[KEY_MAX], by[16];
	int		 kind;		/* TK_ */
	long		 threshold;
	size_t		 ncols, nrows;
	char		 cols[COLS_MAX][KEY_MAX];
	char		 rows[ROWS_MAX][KEY_MAX];
	char		 levels[ROWS_MAX][LEVEL_MAX];	/* "" none */
	char		 ikeys[ROWS_MAX][IKEY_MAX];	/* what rows match by */
	long		 v[ROWS_MAX * COLS_MAX];
	unsigned char	 st[ROWS_MAX * COLS_MAX];
	/* Merged prices only: per cell, how many parts had units. */
	unsigned char	 parts[ROWS_MAX];
};

static const char *const price_cols[] = {
	"units", "min", "p25", "median", "p75", "max"
};
enum { PC_UNITS, PC_MIN, PC_P25, PC_MEDIAN, PC_P75, PC_MAX, PC_N };

static const char *const outcome_cols[] = {
	"no-action", "view", "drawing-attention", "reprimand"
};

static const char *const state_names[] = {
	NULL, "primary", "complement", "few"
};

static const char *const by_names[] = { "region", "type", "expertise" };

static int
state_find(const char *s)
{
	int i;

	for (i = 1; i < 4; i++)
		if (strcmp(s, state_names[i]) == 0)
			return i;
	return -1;
}

static int
table_kind(const struct mtable *t)
{
	size_t i;

	if (strcmp(t->name, "capacity") == 0)
		return TK_CAPACITY;
	if (strcmp(t->name, "prices") != 0)
		return TK_SENSITIVE;
	if (t->ncols != PC_N)
		return -1;
	for (i = 0; i < PC_N; i++)
		if (strcmp(t->cols[i], price_cols[i]) != 0)
			return -1;
	return TK_PRICES;
}

/* One Table element into t; NULL, or what is wrong. */
static const char *
table_read(xmlNodePtr n, struct mtable *t)
{
	xmlNodePtr c, cell;
	char buf[KEY_MAX], ikey[IKEY_MAX];
	size_t col, r, i, k;
	long v;
	int s;

	memset(t, 0, sizeof(*t));
	if (mg_attr_copy(n, "name", t->name, sizeof(t->name)) == -1 ||
	    mg_attr_copy(n, "by", t->by, sizeof(t->by)) == -1 ||
	    mg_attr_long(n, "threshold", &t->threshold) != 0 ||
	    t->threshold < 1)
		return "a Table without a name, by or threshold";
	for (c = xml_first_elem(n); c != NULL; c = xml_next_elem(c)) {
		if (xml_is(c, "Column")) {
			if (t->nrows > 0 || t->ncols == COLS_MAX ||
			    mg_attr_copy(c, "key", t->cols[t->ncols],
			    KEY_MAX) == -1)
				return "a Column out of place or too many";
			for (i = 0; i < t->ncols; i++)
				if (strcmp(t->cols[i], t->cols[t->ncols]) == 0)
					return "a Column twice";
			t->ncols++;
			continue;
		}
		if (!xml_is(c, "Row") || t->nrows == ROWS_MAX ||
		    mg_attr_copy(c, "key", t->rows[t->nrows], KEY_MAX) == -1)
			return "an unknown element or too many rows";
		r = t->nrows;
		if (mg_attr_copy(c, "level", t->levels[r], LEVEL_MAX) == -1)
			t->levels[r][0] = '\0';
		/* Rows match by key and level; a prices row of a region that
		 * repeats the group key without a level matches by its place
		 * among the rows of that key (levels in vocabulary order). */
		for (i = 0, k = 0; i < r; i++)
			if (strcmp(t->rows[i], t->rows[r]) == 0 &&
			    strcmp(t->levels[i], t->levels[r]) == 0)
				k++;
		if (k > 0 && strcmp(t->name, "prices") != 0)
			return "a Row key twice";
		snprintf(ikey, sizeof(ikey), "%s|%s|%zu", t->rows[r],
		    t->levels[r], k);
		memcpy(t->ikeys[r], ikey, IKEY_MAX);
		col = 0;
		for (cell = xml_first_elem(c); cell != NULL;
		    cell = xml_next_elem(cell), col++) {
			if (!xml_is(cell, "Cell") || col >= t->ncols)
				return "a row with more cells than columns";
			if (mg_attr_copy(cell, "state", buf, sizeof(buf)) == 0) {
				if ((s = state_find(buf)) < 0)
					return "a Cell with an unknown state";
				/* A hidden cell's value is not used, even
				 * when a region sent one. */
				t->st[r * COLS_MAX + col] = (unsigned char)s;
				continue;
			}
			if (mg_attr_long(cell, "value", &v) != 0 || v < 0 ||
			    v > (long)INT32_MAX)
				return "a shown Cell without a value in "
				    "0..2^31-1";
			t->v[r * COLS_MAX + col] = v;
		}
		if (col != t->ncols)
			return "a row with fewer cells than columns";
		t->nrows++;
	}
	if (t->ncols == 0)
		return "a Table without columns";
	if ((t->kind = table_kind(t)) < 0)
		return "a prices table without the columns units, min, p25, "
		    "median, p75, max";
	if (t->kind == TK_SENSITIVE) {
		for (i = 0; i < t->nrows; i++)
			if (strcmp(t->ikeys[i], "total||0") == 0)
				break;
		if (i == t->nrows)
			return "a table subject to suppression without a "
			    "total row";
	}
	return NULL;
}

/* The row of match key ikey ("total||0": the total of a count table). */
static size_t
row_find(const struct mtable *t, const char *ikey)
{
	size_t i;

	for (i = 0; i < t->nrows; i++)
		if (strcmp(t->ikeys[i], ikey) == 0)
			return i;
	return SIZE_MAX;
}

static size_t
col_find(const struct mtable *t, const char *key)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i], key) == 0)
			return i;
	return SIZE_MAX;
}

/* How many rows of src are not in dst. */
static size_t
rows_new(const struct mtable *dst, const struct mtable *src)
{
	size_t i, n = 0;

	for (i = 0; i < src->nrows; i++)
		if (row_find(dst, src->ikeys[i]) == SIZE_MAX)
			n++;
	return n;
}

/* The rows of src not yet in dst, each inserted after the row src lists
 * before it (so "none" lands before "total").  -1 past ROWS_MAX. */
static int
rows_union(struct mtable *dst, const struct mtable *src)
{
	size_t i, at, pos = 0, r;

	for (i = 0; i < src->nrows; i++) {
		if ((r = row_find(dst, src->ikeys[i])) != SIZE_MAX) {
			pos = r + 1;
			continue;
		}
		if (dst->nrows == ROWS_MAX)
			return -1;
		for (at = dst->nrows; at > pos; at--) {
			memcpy(dst->rows[at], dst->rows[at - 1], KEY_MAX);
			memcpy(dst->levels[at], dst->levels[at - 1],
			    LEVEL_MAX);
			memcpy(dst->ikeys[at], dst->ikeys[at - 1], IKEY_MAX);
			memcpy(&dst->v[at * COLS_MAX], &dst->v[(at - 1) *
			    COLS_MAX], COLS_MAX * sizeof(*dst->v));
			memcpy(&dst->st[at * COLS_MAX], &dst->st[(at - 1) *
			    COLS_MAX], COLS_MAX);
			dst->parts[at] = dst->parts[at - 1];
		}
		memcpy(dst->rows[pos], src->rows[i], KEY_MAX);
		memcpy(dst->levels[pos], src->levels[i], LEVEL_MAX);
		memcpy(dst->ikeys[pos], src->ikeys[i], IKEY_MAX);
		memset(&dst->v[pos * COLS_MAX], 0, COLS_MAX * sizeof(*dst->v));
		memset(&dst->st[pos * COLS_MAX], 0, COLS_MAX);
		dst->parts[pos] = 0;
		dst->nrows++;
		pos++;
	}
	return 0;
}

/* The state a merged cell takes from a hidden part: primary over
 * complement over few. */
static unsigned char
hide_with(unsigned char have, unsigned char part)
{
	if (have == STATS_PRIMARY || part == STATS_PRIMARY)
		return STATS_PRIMARY;
	if (have == STATS_COMPLEMENT || part == STATS_COMPLEMENT)
		return STATS_COMPLEMENT;
	return STATS_FEW;
}

/* Adds src row sr to dst row dr: counts. */
static void
add_counts(struct mtable *d, size_t dr, const struct mtable *s, size_t sr)
{
	size_t c, di, si;

	for (c = 0; c < d->ncols; c++) {
		di = dr * COLS_MAX + c;
		si = sr * COLS_MAX + c;
		if (s->st[si] != STATS_SHOWN)
			d->st[di] = hide_with(d->st[di], s->st[si]);
		else if (d->st[di] == STATS_SHOWN)
			d->v[di] += s->v[si];	/* < 64 * 2^31: no overflow */
	}
}

/* Adds src row sr to dst row dr: prices (see merge.h). */
static void
add_prices(struct mtable *d, size_t dr, const struct mtable *s, size_t sr)
{
	long *dv = &d->v[dr * COLS_MAX];
	const long *sv = &s->v[sr * COLS_MAX];
	unsigned char *ds = &d->st[dr * COLS_MAX];
	const unsigned char *ss = &s->st[sr * COLS_MAX];
	int had;
	size_t c;

	if (ss[PC_UNITS] != STATS_SHOWN) {
		/* Units unknown: nothing of the row can be given. */
		for (c = 0; c < PC_N; c++)
			ds[c] = hide_with(ds[c], ss[c] != STATS_SHOWN ? ss[c] :
			    STATS_FEW);
		d->parts[dr] = 2;
		return;
	}
	if (sv[PC_UNITS] == 0 || ds[PC_UNITS] != STATS_SHOWN)
		return;		/* nothing to add, or the row is unknown */
	had = d->parts[dr] > 0;
	dv[PC_UNITS] += sv[PC_UNITS];
	if (d->parts[dr] < 2)
		d->parts[dr]++;
	for (c = PC_MIN; c <= PC_MAX; c += PC_MAX - PC_MIN) {
		if (ss[c] != STATS_SHOWN || (had && ds[c] != STATS_SHOWN))
			ds[c] = STATS_FEW;
		else if (!had || (c == PC_MIN ? sv[c] < dv[c] : sv[c] > dv[c]))
			dv[c] = sv[c];
	}
	for (c = PC_P25; c <= PC_P75; c++) {
		if (d->parts[dr] == 1) {
			dv[c] = sv[c];
			ds[c] = ss[c];
		} else
			ds[c] = STATS_FEW;
	}
}

/* An empty prices row: units 0, the rest few (as stats.c writes it). */
static void
prices_empty(struct mtable *t)
{
	size_t r, c;

	for (r = 0; r < t->nrows; r++) {
		if (t->parts[r] != 0 || t->st[r * COLS_MAX] != STATS_SHOWN)
			continue;
		t->v[r * COLS_MAX + PC_UNITS] = 0;
		for (c = PC_MIN; c <= PC_MAX; c++) {
			t->st[r * COLS_MAX + c] = STATS_FEW;
			t->v[r * COLS_MAX + c] = 0;
		}
	}
}

/* Complementary suppression of a merged sensitive table, over the lines
 * of node/stats.c: each column, and the outcomes of each row. */
static int
suppress(struct mtable *t)
{
	size_t nr = t->nrows, nc = t->ncols, tot, r, c, k = 0, nl = 0, j;
	size_t oc[4], dec, *idx = NULL, ncell = nr * COLS_MAX;
	struct stats_line *lines = NULL;
	int outcomes = 1;

	tot = row_find(t, "total||0");
	dec = col_find(t, "decisions");
	for (j = 0; j < 4; j++)
		if ((oc[j] = col_find(t, outcome_cols[j])) == SIZE_MAX)
			outcomes = 0;
	if (dec == SIZE_MAX)
		outcomes = 0;
	if ((idx = calloc(nc * nr + nr * 4 + 1, sizeof(*idx))) == NULL ||
	    (lines = calloc(nc + nr, sizeof(*lines))) == NULL) {
		free(idx);
		return -1;
	}
	for (c = 0; c < nc && tot != SIZE_MAX; c++) {
		lines[nl].total = tot * COLS_MAX + c;
		lines[nl].members = &idx[k];
		for (r = 0; r < nr; r++)
			if (r != tot)
				idx[k++] = r * COLS_MAX + c;
		lines[nl].nmembers = (size_t)(&idx[k] - lines[nl].members);
		nl++;
	}
	for (r = 0; r < nr && outcomes; r++) {
		lines[nl].total = r * COLS_MAX + dec;
		lines[nl].members = &idx[k];
		lines[nl].nmembers = 4;
		for (j = 0; j < 4; j++)
			idx[k++] = r * COLS_MAX + oc[j];
		nl++;
	}
	/* Cells past ncols in a row are never in a line: shown zeros. */
	stats_suppress_pre(t->v, ncell, lines, nl, t->threshold, t->st);
	free(lines);
	free(idx);
	return 0;
}

static int
write_table(xmlNodePtr parent, const struct mtable *t)
{
	xmlNodePtr tn, rn, cn;
	size_t r, c, i;

	if ((tn = mg_elem_new(parent, "Table")) == NULL ||
	    xmlSetProp(tn, (const xmlChar *)"name",
	    (const xmlChar *)t->name) == NULL ||
	    xmlSetProp(tn, (const xmlChar *)"by",
	    (const xmlChar *)t->by) == NULL ||
	    mg_set_attr_long(tn, "threshold", t->threshold) == -1)
		return -1;
	for (c = 0; c < t->ncols; c++)
		if ((cn = mg_elem_new(tn, "Column")) == NULL ||
		    xmlSetProp(cn, (const xmlChar *)"key",
		    (const xmlChar *)t->cols[c]) == NULL)
			return -1;
	for (r = 0; r < t->nrows; r++) {
		if ((rn = mg_elem_new(tn, "Row")) == NULL ||
		    xmlSetProp(rn, (const xmlChar *)"key",
		    (const xmlChar *)t->rows[r]) == NULL ||
		    (t->levels[r][0] != '\0' && xmlSetProp(rn,
		    (const xmlChar *)"level",
		    (const xmlChar *)t->levels[r]) == NULL))
			return -1;
		for (c = 0; c < t->ncols; c++) {
			i = r * COLS_MAX + c;
			if ((cn = mg_elem_new(rn, "Cell")) == NULL)
				return -1;
			if (t->st[i] == STATS_SHOWN) {
				if (mg_set_attr_long(cn, "value", t->v[i]) == -1)
					return -1;
			} else if (xmlSetProp(cn, (const xmlChar *)"state",
			    (const xmlChar *)state_names[t->st[i]]) == NULL)
				return -1;
		}
	}
	return 0;
}

/* Reads one answer's tables; NULL with *nt set, or what is wrong. */
static const char *
answer_tables(struct mctx *m, const struct merge_answer *a,
    struct mtable *tab, size_t *nt, size_t *bad)
{
	const char *why;
	const char *by = by_names[m->q->stats.by];
	xmlNodePtr c;
	size_t i;

	*nt = 0;
	for (c = xml_first_elem(a->results); c != NULL; c = xml_next_elem(c)) {
		*bad = *nt;
		if (!xml_is(c, "Table") || *nt == TABLES_MAX)
			return "an unknown element or too many tables";
		if ((why = table_read(c, &tab[*nt])) != NULL)
			return why;
		if (strcmp(tab[*nt].by, by) != 0)
			return "a table grouped by another than the query's By";
		for (i = 0; i < *nt; i++)
			if (strcmp(tab[i].name, tab[*nt].name) == 0)
				return "a table name twice";
		(*nt)++;
	}
	return NULL;
}

int
merge_statistics(struct mctx *m)
{
	struct mtable *tab = NULL, *mt = NULL, *d;
	size_t ntab = 0, nt, i, j, k, r, dr, bad = 0;
	const char *why;
	xmlNodePtr root;
	xmlDocPtr doc = NULL;
	int rc = -1;

	if ((tab = calloc(TABLES_MAX, sizeof(*tab))) == NULL ||
	    (mt = calloc(TABLES_MAX, sizeof(*mt))) == NULL)
		goto nomem;
	for (i = 0; i < m->n; i++) {
		if (!mg_answer_is(m, &m->a[i], "StatisticsResults"))
			continue;
		if ((why = answer_tables(m, &m->a[i], tab, &nt, &bad)) !=
		    NULL) {
			mg_note(m, MERGE_NOTE_EXCLUDED, &m->a[i], NULL, "region "
			    "%s: StatisticsResults table %zu: %s", m->a[i].region,
			    bad + 1, why);
			continue;
		}
		/* Check that the answer lines up before adding any of it. */
		why = NULL;
		for (j = 0; j < nt && why == NULL; j++) {
			for (k = 0; k < ntab; k++)
				if (strcmp(mt[k].name, tab[j].name) == 0)
					break;
			if (k == ntab) {
				if (ntab + (nt - j) > TABLES_MAX)
					why = "too many tables in all";
				continue;
			}
			if (mt[k].ncols != tab[j].ncols ||
			    memcmp(mt[k].cols, tab[j].cols,
			    sizeof(mt[k].cols)) != 0)
				why = "its columns are not those of the "
				    "other regions' table";
			else if (rows_new(&mt[k], &tab[j]) + mt[k].nrows >
			    ROWS_MAX)
				why = "more than 256 rows in all";
		}
		if (why != NULL) {
			mg_note(m, MERGE_NOTE_EXCLUDED, &m->a[i], NULL, "region "
			    "%s: table %s: %s", m->a[i].region, tab[j - 1].name,
			    why);
			continue;
		}
		for (j = 0; j < nt; j++) {
			for (k = 0; k < ntab; k++)
				if (strcmp(mt[k].name, tab[j].name) == 0)
					break;
			d = &mt[k];
			if (k == ntab) {
				memset(d, 0, sizeof(*d));
				memcpy(d->name, tab[j].name, KEY_MAX);
				memcpy(d->by, tab[j].by, sizeof(d->by));
				memcpy(d->cols, tab[j].cols, sizeof(d->cols));
				d->ncols = tab[j].ncols;
				d->kind = tab[j].kind;
				d->threshold = m->q->stats.threshold;
				ntab++;
			}
			if (tab[j].threshold > d->threshold)
				d->threshold = tab[j].threshold;
			if (rows_union(d, &tab[j]) == -1)
				goto nomem;	/* checked above: cannot be */
			for (r = 0; r < tab[j].nrows; r++) {
				dr = row_find(d, tab[j].ikeys[r]);
				if (d->kind == TK_PRICES)
					add_prices(d, dr, &tab[j], r);
				else
					add_counts(d, dr, &tab[j], r);
			}
		}
	}
	if ((doc = mg_doc_new("StatisticsResults", &root)) == NULL)
		goto nomem;
	for (k = 0; k < ntab; k++) {
		if (mt[k].threshold < 1)
			mt[k].threshold = STATS_THRESHOLD_DEFAULT;
		if (mt[k].kind == TK_PRICES)
			prices_empty(&mt[k]);
		else if (mt[k].kind == TK_SENSITIVE) {
			/* A shown sum in 1..threshold-1 becomes primary in
			 * stats_suppress_pre(). */
			if (suppress(&mt[k]) == -1)
				goto nomem;
		}
		if (write_table(root, &mt[k]) == -1)
			goto nomem;
	}
	m->out->doc = doc;
	doc = NULL;
	rc = 0;
	goto done;
nomem:
	m->nomem = 1;
done:
	xmlFreeDoc(doc);
	free(mt);
	free(tab);
	return rc;
}
