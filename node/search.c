/*
 * search.c - placement search over an immutable in-memory index.
 *
 * Design.  search_index_build() copies each unit into two arrays: a compact
 * one (struct su, ~48 bytes) holding only what the hard filters and the score
 * read, scanned linearly by every query, and a display one (names, IDs,
 * supervision summary) touched only for the units that make the top N.
 * Languages are bits of a per-index language dictionary (the first 64 codes
 * seen; rarer ones fall back to string compares), procurement references are
 * IDs into a sorted dictionary so that "within the purchaser's frameworks" is
 * one byte lookup per lot.  Supervision records are folded into per-unit
 * summaries at build time.  A query keeps the best N in a bounded min-heap
 * (O(n log N)) and sorts only those N at the end.
 *
 * Ranking.  The score is a sum of weighted terms, weights chosen so that the
 * order of DOMAIN.md holds: a term never outweighs the sum of those after it,
 * except the supervision penalties, which are meant to demote.
 *   +100000  the unit is within the purchaser's own frameworks (a lot or a
 *            procurement of the purchaser region, or a joint one it is in)
 *   +1000    per need met: each requested target group and each requested
 *            expertise the unit offers
 *   -1500    per open serious supervision record (model_record_is_serious_open),
 *            at most three: one open serious finding costs more than one need
 *   +500     the unit is in a preferred region (or, when no region is
 *            preferred, in the purchaser's home region)
 *   +0..300  price: 300 * (ref - price) / ref, ref the query's price ceiling
 *            or EUR 2,000 without one (cheaper is better)
 *   -0..400  recent findings (last SEARCH_RECENT_DAYS, open or closed):
 *            40 per high, 15 per medium, 5 per low severity finding
 *   +0..100  freshness of the free-places figure: 100 when updated now,
 *            falling linearly to 0 at 30 days
 * Ties are broken by unit ID, so the order is deterministic.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "search.h"
#include "vocab.h"

#define SC_FRAMEWORK		100000L
#define SC_NEED			1000L
#define SC_OPEN_SERIOUS		1500L
#define SC_OPEN_SERIOUS_CAP	3
#define SC_REGION		500L
#define SC_PRICE		300L
#define SC_PRICE_REF		200000L		/* EUR 2,000 in cents */
#define SC_RECENT_HIGH		40L
#define SC_RECENT_MEDIUM	15L
#define SC_RECENT_LOW		5L
#define SC_RECENT_CAP		400L
#define SC_FRESH		100L
#define SC_FRESH_SPAN		(30L * 86400L)

#define SU_BLOCKED	0x01	/* invalid licence or a blocking record */
#define SU_LANG_SLOW	0x02	/* has a language outside the 64-bit dictionary */
#define SU_NOREGION	0xff

#define LANG_DICT_MAX	64
#define UNIT_FW_MAX	(2 * UNIT_LOT_MAX)

/* What a query scans: keep it small. */
struct su {
	uint64_t	langs;
	uint32_t	tg, ex;
	long		price;
	time_t		free_updated;
	int32_t		free_places;
	int32_t		penalty;	/* supervision: open serious + recent */
	uint8_t		age_min, age_max, type, level, gender, region, flags;
};

/* What a result shows. */
struct sdisp {
	char		id[ID_MAX + 1];
	char		name[NAME_MAX_ + 1];
	char		region[3];
	char		languages[UNIT_LANG_MAX][3];
	int		nlanguages;
	int		open_serious;
	int		open_sev;
	int		recent_findings;
	int		fw[UNIT_FW_MAX];	/* framework dictionary IDs */
	int		nfw;
};

struct search_index {
	struct su	*su;
	struct sdisp	*disp;
	size_t		 n;
	time_t		 now;
	char		 langs[LANG_DICT_MAX][3];
	int		 nlangs;
	char		**fwdict;		/* sorted, unique */
	size_t		 nfwdict;
	/* Build state, between search_index_begin() and _end(). */
	const char	**ids;			/* sorted, into disp[k].id */
	long		*recent;		/* recent-findings penalty per unit */
};

struct cand {
	long	score;
	size_t	idx;
};

void
search_needs_init(struct search_needs *n)
{
	memset(n, 0, sizeof(*n));
	n->age = -1;
	n->gender = -1;
	n->max_price_cents = -1;
	n->free_places = 1;
	n->limit = SEARCH_LIMIT_DEFAULT;
}

int
search_needs_check(const struct search_needs *n, struct err *e)
{
	if (n->age < 0 || n->age > 24)
		return err_set(e, ERR_USAGE, "age: %d is out of range 0..24", n->age);
	if (n->limit < 1 || n->limit > SEARCH_LIMIT_MAX)
		return err_set(e, ERR_USAGE, "limit: %d is out of range 1..%d",
		    n->limit, SEARCH_LIMIT_MAX);
	if (n->free_places < 1 || n->free_places > 24)
		return err_set(e, ERR_USAGE,
		    "free places: %d is out of range 1..24", n->free_places);
	if (n->nlanguages < 0 || n->nlanguages > SEARCH_LANG_MAX)
		return err_set(e, ERR_USAGE, "languages: at most %d",
		    SEARCH_LANG_MAX);
	if (n->gender < -1 || n->gender >= vocab_gender.count)
		return err_set(e, ERR_USAGE, "gender: unknown value %d", n->gender);
	if (n->nframeworks < 0 || (n->nframeworks > 0 && n->frameworks == NULL))
		return err_set(e, ERR_USAGE, "frameworks: bad list");
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
lang_bit(const struct search_index *ix, const char *code)
{
	int i;

	for (i = 0; i < ix->nlangs; i++)
		if (strcmp(ix->langs[i], code) == 0)
			return i;
	return -1;
}

static long
fw_find(const struct search_index *ix, const char *s)
{
	char **p;

	if (ix->nfwdict == 0)
		return -1;
	p = bsearch(&s, ix->fwdict, ix->nfwdict, sizeof(char *), cmp_str);
	return p == NULL ? -1 : (long)(p - ix->fwdict);
}

/* Collect every lot reference and its procurement prefix, sorted, unique. */
static int
fwdict_build(struct search_index *ix, const struct unit *u, size_t nu,
    struct err *e)
{
	size_t i, cap = 0, n = 0, w;
	char **d = NULL, *slash;
	int j;

	for (i = 0; i < nu; i++)
		cap += 2 * (size_t)(u[i].nlots > 0 ? u[i].nlots : 0);
	if (cap == 0)
		return 0;
	if ((d = calloc(cap, sizeof(*d))) == NULL)
		return err_set(e, ERR_NOMEM, "search index: out of memory");
	for (i = 0; i < nu; i++) {
		for (j = 0; j < u[i].nlots && j < UNIT_LOT_MAX; j++) {
			if ((d[n] = strdup(u[i].lots[j])) == NULL)
				goto nomem;
			n++;
			if ((d[n] = strdup(u[i].lots[j])) == NULL)
				goto nomem;
			if ((slash = strchr(d[n], '/')) != NULL)
				*slash = '\0';
			n++;
		}
	}
	qsort(d, n, sizeof(*d), cmp_str);
	for (i = 0, w = 0; i < n; i++) {
		if (w > 0 && strcmp(d[w - 1], d[i]) == 0) {
			free(d[i]);
			continue;
		}
		d[w++] = d[i];
	}
	ix->fwdict = d;
	ix->nfwdict = w;
	return 0;
nomem:
	for (i = 0; i < n; i++)
		free(d[i]);
	free(d);
	return err_set(e, ERR_NOMEM, "search index: out of memory");
}

static int
record_severity(const struct supervision_record *r)
{
	int i, sev = -1;

	for (i = 0; i < r->nfindings && i < REC_FINDING_MAX; i++)
		if (r->findings[i].severity > sev)
			sev = r->findings[i].severity;
	/* Formal sanctions are serious whatever their findings say. */
	if (r->kind == RK_ORDER_TO_CORRECT || r->kind == RK_CONDITIONAL_FINE ||
	    r->kind == RK_SUSPENSION || r->kind == RK_SERIOUS_REPRIMAND)
		sev = SEV_HIGH;
	return sev;
}

static time_t
record_time(const struct supervision_record *r)
{
	time_t t;

	if (r->visit_date[0] != '\0' && model_date_parse(r->visit_date, &t) == 0)
		return t;
	if (r->opened[0] != '\0' && model_date_parse(r->opened, &t) == 0)
		return t;
	return r->issued;
}

static void
fold_record(struct search_index *ix, size_t k,
    const struct supervision_record *r, long *recent)
{
	struct sdisp *d = &ix->disp[k];
	int i, sev;

	if (model_record_blocks_placement(r))
		ix->su[k].flags |= SU_BLOCKED;
	if (model_record_is_serious_open(r)) {
		d->open_serious++;
		if ((sev = record_severity(r)) > d->open_sev)
			d->open_sev = sev;
	}
	if (ix->now - record_time(r) > (time_t)SEARCH_RECENT_DAYS * 86400)
		return;
	for (i = 0; i < r->nfindings && i < REC_FINDING_MAX; i++) {
		d->recent_findings++;
		switch (r->findings[i].severity) {
		case SEV_HIGH:
			*recent += SC_RECENT_HIGH;
			break;
		case SEV_MEDIUM:
			*recent += SC_RECENT_MEDIUM;
			break;
		default:
			*recent += SC_RECENT_LOW;
			break;
		}
	}
}

static void
pack_unit(struct search_index *ix, size_t k, const struct unit *u)
{
	struct su *s = &ix->su[k];
	struct sdisp *d = &ix->disp[k];
	int j, b, reg;
	long id;
	char proc[2 * ID_MAX + 2], *slash;

	s->tg = u->target_groups;
	s->ex = u->expertise;
	s->price = u->price_cents;
	s->free_updated = u->free_updated;
	s->free_places = u->free_places;
	s->age_min = (uint8_t)(u->age_min < 0 ? 0 : u->age_min > 255 ? 255 : u->age_min);
	s->age_max = (uint8_t)(u->age_max < 0 ? 0 : u->age_max > 255 ? 255 : u->age_max);
	s->type = (uint8_t)(u->type >= 0 && u->type < 32 ? u->type : 31);
	s->level = (uint8_t)(u->service_level >= 0 && u->service_level < 32 ?
	    u->service_level : 31);
	s->gender = (uint8_t)(u->gender >= 0 && u->gender < 32 ? u->gender : 31);
	reg = region_find(u->region);
	s->region = reg < 0 ? SU_NOREGION : (uint8_t)reg;
	if (!u->licence_valid)
		s->flags |= SU_BLOCKED;
	for (j = 0; j < u->nlanguages && j < UNIT_LANG_MAX; j++) {
		if ((b = lang_bit(ix, u->languages[j])) < 0 &&
		    ix->nlangs < LANG_DICT_MAX) {
			b = ix->nlangs++;
			snprintf(ix->langs[b], sizeof(ix->langs[b]), "%s",
			    u->languages[j]);
		}
		if (b < 0)
			s->flags |= SU_LANG_SLOW;
		else
			s->langs |= (uint64_t)1 << b;
		snprintf(d->languages[j], sizeof(d->languages[j]), "%s",
		    u->languages[j]);
	}
	d->nlanguages = j;
	snprintf(d->id, sizeof(d->id), "%s", u->id);
	snprintf(d->name, sizeof(d->name), "%s", u->name);
	snprintf(d->region, sizeof(d->region), "%s", u->region);
	d->open_sev = -1;
	for (j = 0; j < u->nlots && j < UNIT_LOT_MAX; j++) {
		if ((id = fw_find(ix, u->lots[j])) >= 0)
			d->fw[d->nfw++] = (int)id;
		snprintf(proc, sizeof(proc), "%s", u->lots[j]);
		if ((slash = strchr(proc, '/')) != NULL) {
			*slash = '\0';
			if ((id = fw_find(ix, proc)) >= 0)
				d->fw[d->nfw++] = (int)id;
		}
	}
}

int
search_index_begin(const struct unit *u, size_t nu, time_t now,
    struct search_index **out, struct err *e)
{
	struct search_index *ix = NULL;
	size_t i;
	int rc = -1;

	*out = NULL;
	if ((ix = calloc(1, sizeof(*ix))) == NULL ||
	    (nu > 0 && ((ix->su = calloc(nu, sizeof(*ix->su))) == NULL ||
	    (ix->disp = calloc(nu, sizeof(*ix->disp))) == NULL ||
	    (ix->ids = calloc(nu, sizeof(*ix->ids))) == NULL ||
	    (ix->recent = calloc(nu, sizeof(*ix->recent))) == NULL))) {
		err_set(e, ERR_NOMEM, "search index: out of memory");
		goto done;
	}
	ix->n = nu;
	ix->now = now != 0 ? now : time(NULL);
	if (fwdict_build(ix, u, nu, e) == -1)
		goto done;
	for (i = 0; i < nu; i++) {
		pack_unit(ix, i, &u[i]);
		ix->ids[i] = ix->disp[i].id;
	}
	/* ids[] points at disp[k].id: a record finds its unit by bsearch. */
	if (nu > 0)
		qsort(ix->ids, nu, sizeof(*ix->ids), cmp_str);
	for (i = 1; i < nu; i++) {
		if (strcmp(ix->ids[i - 1], ix->ids[i]) == 0) {
			err_set(e, ERR_INPUT, "search index: duplicate unit ID '%s'",
			    ix->ids[i]);
			goto done;
		}
	}
	*out = ix;
	ix = NULL;
	rc = 0;
done:
	search_index_free(ix);
	return rc;
}

void
search_index_add_record(struct search_index *ix,
    const struct supervision_record *r)
{
	const char *key = r->unit_id, **hit;
	size_t k;

	if (ix->ids == NULL || ix->n == 0)
		return;
	if ((hit = bsearch(&key, ix->ids, ix->n, sizeof(*ix->ids),
	    cmp_str)) == NULL)
		return;
	/* id is the first member of struct sdisp. */
	k = (size_t)((const struct sdisp *)(const void *)*hit - ix->disp);
	fold_record(ix, k, r, &ix->recent[k]);
}

void
search_index_end(struct search_index *ix)
{
	long pen;
	size_t k;

	if (ix->ids == NULL && ix->n > 0)
		return;
	for (k = 0; k < ix->n; k++) {
		pen = ix->recent[k] > SC_RECENT_CAP ? SC_RECENT_CAP :
		    ix->recent[k];
		pen += SC_OPEN_SERIOUS * (ix->disp[k].open_serious >
		    SC_OPEN_SERIOUS_CAP ? SC_OPEN_SERIOUS_CAP :
		    ix->disp[k].open_serious);
		ix->su[k].penalty = (int32_t)pen;
	}
	free(ix->ids);
	free(ix->recent);
	ix->ids = NULL;
	ix->recent = NULL;
}

int
search_index_build(const struct unit *u, size_t nu,
    const struct supervision_record *r, size_t nr, time_t now,
    struct search_index **out, struct err *e)
{
	struct search_index *ix;
	size_t i;

	if (search_index_begin(u, nu, now, &ix, e) == -1)
		return -1;
	for (i = 0; i < nr; i++)
		search_index_add_record(ix, &r[i]);
	search_index_end(ix);
	*out = ix;
	return 0;
}

void
search_index_free(struct search_index *ix)
{
	size_t i;

	if (ix == NULL)
		return;
	for (i = 0; i < ix->nfwdict; i++)
		free(ix->fwdict[i]);
	free(ix->fwdict);
	free(ix->ids);
	free(ix->recent);
	free(ix->su);
	free(ix->disp);
	free(ix);
}

size_t
search_index_count(const struct search_index *ix)
{
	return ix == NULL ? 0 : ix->n;
}

/* 1 when a is ranked before b. */
static int
better(const struct search_index *ix, const struct cand *a,
    const struct cand *b)
{
	if (a->score != b->score)
		return a->score > b->score;
	return strcmp(ix->disp[a->idx].id, ix->disp[b->idx].id) < 0;
}

/* Min-heap on "better": h[0] is the worst kept. */
static void
heap_down(const struct search_index *ix, struct cand *h, size_t n, size_t i)
{
	size_t l, r, m;
	struct cand t;

	for (;;) {
		l = 2 * i + 1;
		r = l + 1;
		m = i;
		if (l < n && better(ix, &h[m], &h[l]))
			m = l;
		if (r < n && better(ix, &h[m], &h[r]))
			m = r;
		if (m == i)
			return;
		t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static void
heap_up(const struct search_index *ix, struct cand *h, size_t i)
{
	size_t p;
	struct cand t;

	while (i > 0) {
		p = (i - 1) / 2;
		if (!better(ix, &h[p], &h[i]))
			return;
		t = h[i];
		h[i] = h[p];
		h[p] = t;
		i = p;
	}
}

static int
popcount32(uint32_t x)
{
	return __builtin_popcount(x);
}

static int
lang_slow_match(const struct search_index *ix, size_t k,
    const struct search_needs *n)
{
	const struct sdisp *d = &ix->disp[k];
	int i, j;

	for (i = 0; i < n->nlanguages; i++)
		for (j = 0; j < d->nlanguages; j++)
			if (strcmp(n->languages[i], d->languages[j]) == 0)
				return 1;
	return 0;
}

static long
score_unit(const struct search_index *ix, size_t k,
    const struct search_needs *n, const unsigned char *fwmark, int *met,
    int *infw)
{
	const struct su *s = &ix->su[k];
	const struct sdisp *d = &ix->disp[k];
	long score = 0, ref, age;
	int i;

	*infw = 0;
	if (fwmark != NULL)
		for (i = 0; i < d->nfw; i++)
			if (fwmark[d->fw[i]]) {
				*infw = 1;
				break;
			}
	if (*infw)
		score += SC_FRAMEWORK;
	*met = popcount32(s->tg & n->target_groups) +
	    popcount32(s->ex & n->expertise);
	score += SC_NEED * *met;
	if (s->region != SU_NOREGION) {
		if (n->regions_preferred != 0) {
			if (n->regions_preferred & (UINT32_C(1) << s->region))
				score += SC_REGION;
		} else if (n->home_region[0] != '\0' &&
		    strcmp(d->region, n->home_region) == 0)
			score += SC_REGION;
	}
	ref = n->max_price_cents > 0 ? n->max_price_cents : SC_PRICE_REF;
	if (s->price >= 0 && s->price < ref)
		score += SC_PRICE * (ref - s->price) / ref;
	score -= s->penalty;
	if (s->free_updated > 0) {
		age = (long)(ix->now - s->free_updated);
		if (age < 0)
			age = 0;
		if (age < SC_FRESH_SPAN)
			score += SC_FRESH * (SC_FRESH_SPAN - age) / SC_FRESH_SPAN;
	}
	return score;
}

int
search_run(const struct search_index *ix, const struct search_needs *n,
    struct search_result *out, size_t *nout, struct search_totals *totals,
    struct err *e)
{
	struct search_totals t = { 0, 0, 0 };
	struct cand *heap = NULL, c, tmp;
	unsigned char *fwmark = NULL;
	uint64_t qlang = 0;
	uint32_t qtypes, qlevels;
	size_t k, nh = 0, lim, i, j;
	int qslow = 0, b, met, infw, age, rc = -1;
	long fid;

	*nout = 0;
	if (search_needs_check(n, e) == -1)
		goto done;
	lim = (size_t)n->limit;
	if ((heap = calloc(lim, sizeof(*heap))) == NULL) {
		err_set(e, ERR_NOMEM, "search: out of memory");
		goto done;
	}
	for (i = 0; i < (size_t)n->nlanguages; i++) {
		if ((b = lang_bit(ix, n->languages[i])) >= 0)
			qlang |= (uint64_t)1 << b;
		else
			qslow = 1;
	}
	if (n->nframeworks > 0 && ix->nfwdict > 0) {
		if ((fwmark = calloc(ix->nfwdict, 1)) == NULL) {
			err_set(e, ERR_NOMEM, "search: out of memory");
			goto done;
		}
		for (i = 0; i < (size_t)n->nframeworks; i++)
			if (n->frameworks[i] != NULL &&
			    (fid = fw_find(ix, n->frameworks[i])) >= 0)
				fwmark[fid] = 1;
	}
	qtypes = n->types != 0 ? n->types : UINT32_MAX;
	qlevels = n->levels != 0 ? n->levels : UINT32_MAX;
	age = n->age;
	t.scanned = ix->n;
	for (k = 0; k < ix->n; k++) {
		const struct su *s = &ix->su[k];

		if (s->free_places < n->free_places || age < s->age_min ||
		    age > s->age_max)
			continue;
		if (!(qtypes & (UINT32_C(1) << s->type)) ||
		    !(qlevels & (UINT32_C(1) << s->level)))
			continue;
		if (n->max_price_cents >= 0 && s->price > n->max_price_cents)
			continue;
		if (n->regions_required != 0 && (s->region == SU_NOREGION ||
		    !(n->regions_required & (UINT32_C(1) << s->region))))
			continue;
		/* A unit for girls takes girls; "any" takes everyone; a query
		 * for a mixed group (G_ANY) needs a unit for any gender. */
		if (n->gender >= 0 && s->gender != G_ANY && s->gender != n->gender)
			continue;
		if (n->nlanguages > 0 && !(s->langs & qlang) &&
		    !(qslow && (s->flags & SU_LANG_SLOW) &&
		    lang_slow_match(ix, k, n)))
			continue;
		if (s->flags & SU_BLOCKED) {
			t.blocked++;
			continue;
		}
		t.matched++;
		c.idx = k;
		c.score = score_unit(ix, k, n, fwmark, &met, &infw);
		if (nh < lim) {
			heap[nh] = c;
			heap_up(ix, heap, nh);
			nh++;
		} else if (better(ix, &c, &heap[0])) {
			heap[0] = c;
			heap_down(ix, heap, nh, 0);
		}
	}
	/* Heap sort in place: repeatedly move the worst to the end. */
	for (i = nh; i > 1; i--) {
		tmp = heap[0];
		heap[0] = heap[i - 1];
		heap[i - 1] = tmp;
		heap_down(ix, heap, i - 1, 0);
	}
	/* Now heap[] is best first. */
	for (j = 0; j < nh; j++) {
		const struct sdisp *d = &ix->disp[heap[j].idx];
		const struct su *s = &ix->su[heap[j].idx];
		struct search_result *r = &out[j];

		memset(r, 0, sizeof(*r));
		snprintf(r->unit_id, sizeof(r->unit_id), "%s", d->id);
		snprintf(r->name, sizeof(r->name), "%s", d->name);
		snprintf(r->region, sizeof(r->region), "%s", d->region);
		r->type = s->type;
		r->service_level = s->level;
		r->free_places = s->free_places;
		r->free_updated = s->free_updated;
		r->price_cents = s->price;
		r->score = score_unit(ix, heap[j].idx, n, fwmark, &met, &infw);
		r->needs_met = met;
		r->needs_asked = popcount32(n->target_groups) +
		    popcount32(n->expertise);
		r->in_framework = infw;
		r->open_serious = d->open_serious;
		r->open_serious_severity = d->open_sev;
		r->recent_findings = d->recent_findings;
	}
	*nout = nh;
	if (totals != NULL)
		*totals = t;
	rc = 0;
done:
	free(fwmark);
	free(heap);
	return rc;
}

void
search_result_findings(const struct search_result *r, char *buf, size_t len)
{
	const char *sev;

	if (r->open_serious == 0) {
		snprintf(buf, len, "none");
		return;
	}
	sev = vocab_token(&vocab_severity, r->open_serious_severity);
	snprintf(buf, len, "%d open (%s)", r->open_serious,
	    sev != NULL ? sev : "serious");
}
