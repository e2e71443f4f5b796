/*
 * stats.c - grouped counts of units and supervision activity, and the
 * small-count suppression that protects the second (see stats.h).
 *
 * Tables are built in a fixed shape: one row per value of the grouping
 * vocabulary (all of them, zero rows included, so that tables from
 * different regions line up), then two catch-all rows that are dropped when
 * empty ("none": a unit without any expertise, or an out-of-range value;
 * "unknown unit": a record about a unit not in the store), then the total.
 * Suppression runs on the finished shape, with one line per column (the rows
 * and the total) and one per row for the complaint decisions by outcome,
 * whose row total is the "decisions" column.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
 * The groups of a unit: writes up to 32 row indexes; a unit outside every
 * group goes to the "none" row (index ngroups).
 */
static size_t
unit_groups(const struct unit *u, enum stats_by by, size_t *g)
{
	size_t ng = by_count(by), n = 0, i;
	long v;

	switch (by) {
	case STATS_BY_REGION:
		v = region_find(u->region);
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

int
stats_capacity(const struct unit *u, size_t nu, enum stats_by by,
    struct stats_table **out, struct err *e)
{
	struct stats_table *t;
	size_t i, j, n, g[32], tot;
	long *row;

	*out = NULL;
	if (stats_by_parse(stats_by_name(by)) < 0)
		return err_set(e, ERR_USAGE, "statistics: unknown grouping %d",
		    (int)by);
	if ((t = table_new("capacity", by, 3, cap_keys, cap_heads, e)) == NULL)
		return -1;
	tot = t->nrows - 1;
	for (i = 0; i < nu; i++) {
		n = unit_groups(&u[i], by, g);
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

static int
record_open(const struct stats_rec *r)
{
	return r->status != RS_CLOSED;
}

/* Adds the record's counts to row (SV_NCOLS cells). */
static void
record_count(const struct stats_rec *r, time_t now, long *row)
{
	switch (r->kind) {
	case RK_PRE_INSPECTION:
	case RK_INSPECTION_ANNOUNCED:
	case RK_INSPECTION_UNANNOUNCED:
	case RK_GUIDANCE_VISIT:
		row[SV_VISITS]++;
		break;
	case RK_COMPLAINT:
		row[SV_COMPLAINTS]++;
		break;
	case RK_ORDER_TO_CORRECT:
		if (record_open(r))
			row[SV_OPEN_ORDERS]++;
		break;
	case RK_COMPLAINT_DECISION:
		if (r->outcome >= OC_NO_ACTION && r->outcome <= OC_REPRIMAND) {
			row[SV_DECISIONS]++;
			row[SV_NO_ACTION + r->outcome]++;
		}
		break;
	default:
		break;
	}
	if (record_open(r) && r->deadline != -1 && r->deadline + 86400 <= now)
		row[SV_OVERDUE]++;
}

static int
cmp_idp(const void *a, const void *b)
{
	const struct unit *const *x = a, *const *y = b;

	return strcmp((*x)->id, (*y)->id);
}

static int
cmp_key(const void *k, const void *b)
{
	const struct unit *const *y = b;

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

void
stats_rec_from(const struct supervision_record *r, struct stats_rec *out)
{
	time_t dl;

	memset(out, 0, sizeof(*out));
	snprintf(out->unit_id, sizeof(out->unit_id), "%s", r->unit_id);
	out->kind = (int8_t)r->kind;
	out->status = (int8_t)r->status;
	out->outcome = (int8_t)r->outcome;
	out->deadline = (r->deadline[0] != '\0' &&
	    model_date_parse(r->deadline, &dl) == 0) ? dl : -1;
}

int
stats_supervision(const struct unit *u, size_t nu,
    const struct supervision_record *r, size_t nr, enum stats_by by,
    long threshold, time_t now, struct stats_table **out, struct err *e)
{
	struct stats_rec *b = NULL;
	size_t i;
	int rc;

	if (nr > 0 && (b = calloc(nr, sizeof(*b))) == NULL)
		return err_set(e, ERR_NOMEM, "statistics: out of memory");
	for (i = 0; i < nr; i++)
		stats_rec_from(&r[i], &b[i]);
	rc = stats_supervision_briefs(u, nu, b, nr, by, threshold, now, out, e);
	free(b);
	return rc;
}

int
stats_supervision_briefs(const struct unit *u, size_t nu,
    const struct stats_rec *r, size_t nr, enum stats_by by,
    long threshold, time_t now, struct stats_table **out, struct err *e)
{
	struct stats_table *t = NULL;
	const struct unit **byid = NULL, **hit;
	size_t i, j, n, g[32], tot, ng = by_count(by);
	int rc = -1;

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
	if (nu > 0) {
		if ((byid = calloc(nu, sizeof(*byid))) == NULL) {
			err_set(e, ERR_NOMEM, "statistics: out of memory");
			goto done;
		}
		for (i = 0; i < nu; i++)
			byid[i] = &u[i];
		qsort(byid, nu, sizeof(*byid), cmp_idp);
	}
	tot = t->nrows - 1;
	for (i = 0; i < nr; i++) {
		hit = nu > 0 ? bsearch(r[i].unit_id, byid, nu, sizeof(*byid),
		    cmp_key) : NULL;
		if (hit != NULL)
			n = unit_groups(*hit, by, g);
		else {
			g[0] = ng + 1;
			n = 1;
		}
		for (j = 0; j < n; j++)
			record_count(&r[i], now, &t->v[g[j] * t->ncols]);
		record_count(&r[i], now, &t->v[tot * t->ncols]);
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

void
stats_suppress(const long *v, size_t ncells, const struct stats_line *lines,
    size_t nlines, long threshold, unsigned char *state)
{
	size_t i, j, hidden, pick, round;
	int changed;

	for (i = 0; i < ncells; i++)
		state[i] = (v[i] > 0 && v[i] < threshold) ? STATS_PRIMARY :
		    STATS_SHOWN;
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
	default:
		snprintf(buf, len, "%ld", t->v[i]);
		break;
	}
}
