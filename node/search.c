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
 * one byte lookup per lot.  Supervision comes as per-unit summaries
 * (brief.h), set at build time and replaced one unit at a time when a
 * record arrives (search_index_set_sup).  What depends on the time of the
 * query is computed then: "recent" findings from the unit's dated events
 * (a cached sum serves while none of them has aged out) and the freshness
 * of the free-places figure, so that an index never goes stale.  A query
 * keeps the best N in a bounded min-heap (O(n log N)) and sorts only those
 * N at the end.
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

#include "brief.h"
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
#define SU_RETIRED	0x04	/* closed (store_retire.h): never a candidate */
#define SU_NOREGION	0xff

#define LANG_DICT_MAX	64
#define UNIT_FW_MAX	(2 * UNIT_LOT_MAX)

/* What a query scans: keep it small. */
struct su {
	uint64_t	langs;
	uint32_t	tg, ex;
	long		price;
	time_t		free_updated;
	/* The recent-findings penalty and count, valid for a query at a time
	 * in [recent_from, recent_until]; outside it they are recounted from
	 * the unit's events. */
	time_t		recent_from, recent_until;
	int32_t		free_places;
	int32_t		pen_open;	/* open serious records */
	int32_t		recent_pen;	/* capped */
	uint8_t		age_min, age_max, type, level, gender, region, flags;
};

/* What a result shows. */
struct sdisp {
	int		open_serious;
	int		open_sev;
	int		recent_findings;	/* valid as su's recent_pen */
	int		fw[UNIT_FW_MAX];	/* framework dictionary IDs */
	int		nfw;
	struct sup_event *ev;			/* owned, sorted by time */
	int		nev;
};

struct search_index {
	const struct unit_brief *u;		/* names, IDs, languages */
	struct unit_brief *own_u;		/* search_index_build's copy */
	char		*own_lots;
	struct su	*su;
	struct sdisp	*disp;
	size_t		 n;
	size_t		 nretired;		/* of n, retired units */
	time_t		 now;			/* fixed query time; 0 none */
	char		 langs[LANG_DICT_MAX][3];
	int		 nlangs;
	char		**fwdict;		/* sorted, unique */
	size_t		 nfwdict;
	const char	**ids;			/* sorted, into u[k].id */
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

/* The same for len bytes at p (a lot reference inside a unit's lots
 * string), without copying them out: the dictionary's order is strcmp's. */
static long
fw_find_span(const struct search_index *ix, const char *p, size_t len)
{
	size_t lo = 0, hi = ix->nfwdict, mid;
	const char *d;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		d = ix->fwdict[mid];
		if ((c = strncmp(p, d, len)) == 0)
			c = d[len] == '\0' ? 0 : -1;	/* p is a prefix of d */
		if (c == 0)
			return (long)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

/* A lot reference or its procurement prefix, in a unit's lots string. */
struct span {
	const char	*p;
	size_t		 len;
};

static int
cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	int c = memcmp(x->p, y->p, x->len < y->len ? x->len : y->len);

	if (c != 0)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

static uint64_t
span_hash(const struct span *x)
{
	uint64_t h = 14695981039346656037ULL;	/* FNV-1a */
	size_t i;

	for (i = 0; i < x->len; i++)
		h = (h ^ (unsigned char)x->p[i]) * 1099511628211ULL;
	return h;
}

/* Moves the first of each distinct span to the front of sp (an open
 * addressing set of indices); returns how many, or (size_t)-1 when out of
 * memory. */
static size_t
span_unique(struct span *sp, size_t n)
{
	size_t cap = 16, i, k, w = 0, *slot;

	while (cap < 2 * n)
		cap *= 2;
	if ((slot = malloc(cap * sizeof(*slot))) == NULL)
		return (size_t)-1;
	for (k = 0; k < cap; k++)
		slot[k] = (size_t)-1;
	for (i = 0; i < n; i++) {
		for (k = span_hash(&sp[i]) & (cap - 1); slot[k] != (size_t)-1;
		    k = (k + 1) & (cap - 1))
			if (cmp_span(&sp[slot[k]], &sp[i]) == 0)
				break;
		if (slot[k] != (size_t)-1)
			continue;
		sp[w] = sp[i];
		slot[k] = w++;
	}
	free(slot);
	return w;
}

/* Collect every lot reference and its procurement prefix, sorted, unique:
 * spans into the units' strings first, copies of the unique ones only. */
static int
fwdict_build(struct search_index *ix, const struct unit_brief *u, size_t nu,
    struct err *e)
{
	struct span *sp = NULL;
	size_t i, cap = 0, n = 0, w = 0;
	const char *p, *end, *slash;
	char **d = NULL;

	for (i = 0; i < nu; i++)
		cap += 2 * (size_t)(u[i].nlots > 0 ? u[i].nlots : 0);
	if (cap == 0)
		return 0;
	if ((sp = calloc(cap, sizeof(*sp))) == NULL)
		goto nomem;
	for (i = 0; i < nu; i++) {
		for (p = u[i].lots; p != NULL && *p != '\0' && n + 2 <= cap;
		    p = *end != '\0' ? end + 1 : end) {
			if ((end = strchr(p, '\n')) == NULL)
				end = p + strlen(p);
			sp[n].p = p;
			sp[n++].len = (size_t)(end - p);
			slash = memchr(p, '/', (size_t)(end - p));
			sp[n].p = p;
			sp[n++].len = slash != NULL ? (size_t)(slash - p) :
			    (size_t)(end - p);
		}
	}
	/* Most references repeat (every unit of a lot names it): keep the
	 * first of each in place, then sort only those. */
	if ((n = span_unique(sp, n)) == (size_t)-1)
		goto nomem;
	qsort(sp, n, sizeof(*sp), cmp_span);
	if ((d = calloc(n > 0 ? n : 1, sizeof(*d))) == NULL)
		goto nomem;
	for (i = 0; i < n; i++) {
		if ((d[w] = strndup(sp[i].p, sp[i].len)) == NULL)
			goto nomem;
		w++;
	}
	free(sp);
	ix->fwdict = d;
	ix->nfwdict = w;
	return 0;
nomem:
	for (i = 0; d != NULL && i < w; i++)
		free(d[i]);
	free(d);
	free(sp);
	return err_set(e, ERR_NOMEM, "search index: out of memory");
}

static void
pack_unit(struct search_index *ix, size_t k, const struct unit_brief *u)
{
	struct su *s = &ix->su[k];
	struct sdisp *d = &ix->disp[k];
	const char *p, *end, *slash;
	int j, b, reg;
	long id;

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
	if (u->retired) {
		s->flags |= SU_RETIRED;
		ix->nretired++;
	}
	s->recent_until = (time_t)INT64_MAX;
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
	}
	d->open_sev = -1;
	/* Each lot reference, and its procurement prefix when it has one,
	 * looked up where it stands in the lots string. */
	for (j = 0, p = u->lots; p != NULL && *p != '\0' &&
	    j < u->nlots && j < UNIT_LOT_MAX; j++, p = *end != '\0' ?
	    end + 1 : end) {
		if ((end = strchr(p, '\n')) == NULL)
			end = p + strlen(p);
		if ((id = fw_find_span(ix, p, (size_t)(end - p))) >= 0)
			d->fw[d->nfw++] = (int)id;
		if ((slash = memchr(p, '/', (size_t)(end - p))) != NULL &&
		    (id = fw_find_span(ix, p, (size_t)(slash - p))) >= 0)
			d->fw[d->nfw++] = (int)id;
	}
}

/* The dictionary of one query's frameworks fw[nfw]: sorted, unique. */
static int
fwdict_query(struct search_index *ix, const char *const *fw, int nfw,
    struct err *e)
{
	size_t i, w = 0;
	char **d;

	if (nfw <= 0)
		return 0;
	if ((d = calloc((size_t)nfw, sizeof(*d))) == NULL)
		return err_set(e, ERR_NOMEM, "search index: out of memory");
	ix->fwdict = d;
	for (i = 0; i < (size_t)nfw; i++) {
		if (fw[i] == NULL)
			continue;
		if ((d[w] = strdup(fw[i])) == NULL)
			return err_set(e, ERR_NOMEM, "search index: out of "
			    "memory");
		ix->nfwdict = ++w;
	}
	qsort(d, w, sizeof(*d), cmp_str);
	for (i = 0, w = 0; i < ix->nfwdict; i++) {
		if (w > 0 && strcmp(d[w - 1], d[i]) == 0) {
			free(d[i]);
			continue;
		}
		d[w++] = d[i];
	}
	ix->nfwdict = w;
	return 0;
}

static int
index_new(const struct unit_brief *u, size_t nu, int query_fw,
    const char *const *fw, int nfw, struct search_index **out,
    struct err *e)
{
	struct search_index *ix = NULL;
	size_t i;
	int rc = -1;

	*out = NULL;
	if ((ix = calloc(1, sizeof(*ix))) == NULL ||
	    (nu > 0 && ((ix->su = calloc(nu, sizeof(*ix->su))) == NULL ||
	    (ix->disp = calloc(nu, sizeof(*ix->disp))) == NULL ||
	    (ix->ids = calloc(nu, sizeof(*ix->ids))) == NULL))) {
		err_set(e, ERR_NOMEM, "search index: out of memory");
		goto done;
	}
	ix->n = nu;
	ix->u = u;
	if ((query_fw ? fwdict_query(ix, fw, nfw, e) :
	    fwdict_build(ix, u, nu, e)) == -1)
		goto done;
	for (i = 0; i < nu; i++) {
		pack_unit(ix, i, &u[i]);
		ix->ids[i] = u[i].id;
	}
	/* ids[] points at u[k].id: a summary finds its unit by bsearch.
	 * The store hands the units in ID order already. */
	for (i = 1; i < nu; i++)
		if (strcmp(ix->ids[i - 1], ix->ids[i]) >= 0)
			break;
	if (i < nu)
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

int
search_index_new(const struct unit_brief *u, size_t nu,
    struct search_index **out, struct err *e)
{
	return index_new(u, nu, 0, NULL, 0, out, e);
}

int
search_index_new_query(const struct unit_brief *u, size_t nu,
    const char *const *fw, int nfw, struct search_index **out,
    struct err *e)
{
	return index_new(u, nu, 1, fw, nfw, out, e);
}

/* Recent findings of unit k at time now: the capped penalty, the count,
 * and the interval of query times over which they stay the same. */
static long
recent_at(const struct sdisp *d, time_t now, int *count, time_t *until)
{
	long pen = 0;
	int i, n = 0;

	*until = (time_t)INT64_MAX;
	for (i = 0; i < d->nev; i++) {
		const struct sup_event *ev = &d->ev[i];

		if (now - ev->t > (time_t)SEARCH_RECENT_DAYS * 86400)
			continue;
		if (ev->t + (time_t)SEARCH_RECENT_DAYS * 86400 < *until)
			*until = ev->t + (time_t)SEARCH_RECENT_DAYS * 86400;
		pen += SC_RECENT_HIGH * ev->high + SC_RECENT_MEDIUM * ev->medium +
		    SC_RECENT_LOW * ev->low;
		n += ev->high + ev->medium + ev->low;
	}
	*count = n;
	return pen > SC_RECENT_CAP ? SC_RECENT_CAP : pen;
}

static long
unit_index(const struct search_index *ix, const char *id)
{
	const char **hit;

	if (ix->ids == NULL || ix->n == 0)
		return -1;
	if ((hit = bsearch(&id, ix->ids, ix->n, sizeof(*ix->ids),
	    cmp_str)) == NULL)
		return -1;
	/* id is the first member of struct unit_brief. */
	return (long)((const struct unit_brief *)(const void *)*hit - ix->u);
}

static int
set_sup_at(struct search_index *ix, size_t k, const struct unit_sup *sup,
    time_t now, struct err *e)
{
	struct sup_event *ev = NULL;
	struct sdisp *d;
	struct su *s;

	if (sup->nev > 0) {
		if ((ev = calloc((size_t)sup->nev, sizeof(*ev))) == NULL)
			return err_set(e, ERR_NOMEM, "search index: out of "
			    "memory");
		memcpy(ev, sup->ev, (size_t)sup->nev * sizeof(*ev));
	}
	if (now == 0)
		now = ix->now != 0 ? ix->now : time(NULL);
	d = &ix->disp[k];
	s = &ix->su[k];
	free(d->ev);
	d->ev = ev;
	d->nev = sup->nev;
	d->open_serious = sup->open_serious;
	d->open_sev = sup->open_serious > 0 ? sup->serious_sev : -1;
	s->flags &= (uint8_t)~SU_BLOCKED;
	if (!ix->u[k].licence_valid || sup->blocks > 0)
		s->flags |= SU_BLOCKED;
	s->pen_open = (int32_t)(SC_OPEN_SERIOUS * (sup->open_serious >
	    SC_OPEN_SERIOUS_CAP ? SC_OPEN_SERIOUS_CAP : sup->open_serious));
	s->recent_from = now;
	s->recent_pen = (int32_t)recent_at(d, now, &d->recent_findings,
	    &s->recent_until);
	return 0;
}

int
search_index_set_sup(struct search_index *ix, const struct unit_sup *sup,
    time_t now, struct err *e)
{
	long k;

	if ((k = unit_index(ix, sup->unit_id)) < 0)
		return 0;
	return set_sup_at(ix, (size_t)k, sup, now, e);
}

int
search_index_set_sups(struct search_index *ix, const struct unit_sup *sup,
    size_t n, time_t now, struct err *e)
{
	size_t i, j = 0;
	long k;
	int c;

	/* Both in ID order: one merge walk instead of a search each. */
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(sup[i - 1].unit_id, sup[i].unit_id) >= 0) {
			if (search_index_set_sup(ix, &sup[i], now, e) == -1)
				return -1;
			continue;
		}
		while (j < ix->n && (c = strcmp(ix->ids[j],
		    sup[i].unit_id)) < 0)
			j++;
		if (j == ix->n || strcmp(ix->ids[j], sup[i].unit_id) != 0)
			continue;
		k = (long)((const struct unit_brief *)(const void *)ix->ids[j] -
		    ix->u);
		if (set_sup_at(ix, (size_t)k, &sup[i], now, e) == -1)
			return -1;
	}
	return 0;
}

int
search_index_build(const struct unit *u, size_t nu,
    const struct supervision_record *r, size_t nr, time_t now,
    struct search_index **out, struct err *e)
{
	struct search_index *ix = NULL;
	struct unit_brief *ub = NULL;
	struct unit_sup *sup = NULL;
	struct record_brief rb;
	char *lots = NULL;
	size_t i;
	long k;
	int rc = -1;

	*out = NULL;
	if (nu > 0 && ((ub = calloc(nu, sizeof(*ub))) == NULL ||
	    (lots = calloc(nu, BRIEF_LOTS_MAX)) == NULL ||
	    (sup = calloc(nu, sizeof(*sup))) == NULL)) {
		err_set(e, ERR_NOMEM, "search index: out of memory");
		goto done;
	}
	for (i = 0; i < nu; i++)
		brief_unit_from(&u[i], &ub[i], lots + i * BRIEF_LOTS_MAX,
		    BRIEF_LOTS_MAX);
	if (search_index_new(ub, nu, &ix, e) == -1)
		goto done;
	ix->own_u = ub;
	ix->own_lots = lots;
	ub = NULL;
	lots = NULL;
	ix->now = now != 0 ? now : time(NULL);
	for (i = 0; i < nu; i++) {
		snprintf(sup[i].unit_id, sizeof(sup[i].unit_id), "%s", u[i].id);
		sup[i].serious_sev = -1;
	}
	for (i = 0; i < nr; i++) {
		if ((k = unit_index(ix, r[i].unit_id)) < 0)
			continue;
		brief_record_from(&r[i], &rb);
		/* sup[] is in the order of u[], as disp[] is. */
		if (unit_sup_add(&sup[k], &rb, 0) == -1) {
			err_set(e, ERR_NOMEM, "search index: out of memory");
			goto done;
		}
	}
	for (i = 0; i < nu; i++)
		if (search_index_set_sup(ix, &sup[i], ix->now, e) == -1)
			goto done;
	*out = ix;
	ix = NULL;
	rc = 0;
done:
	for (i = 0; sup != NULL && i < nu; i++)
		unit_sup_clear(&sup[i]);
	free(sup);
	free(ub);
	free(lots);
	search_index_free(ix);
	return rc;
}

void
search_index_free(struct search_index *ix)
{
	size_t i;

	if (ix == NULL)
		return;
	for (i = 0; i < ix->nfwdict; i++)
		free(ix->fwdict[i]);
	for (i = 0; i < ix->n; i++)
		free(ix->disp[i].ev);
	free(ix->fwdict);
	free(ix->ids);
	free(ix->su);
	free(ix->disp);
	free(ix->own_u);
	free(ix->own_lots);
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
	return strcmp(ix->u[a->idx].id, ix->u[b->idx].id) < 0;
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
	const struct unit_brief *d = &ix->u[k];
	int i, j;

	for (i = 0; i < n->nlanguages; i++)
		for (j = 0; j < d->nlanguages; j++)
			if (strcmp(n->languages[i], d->languages[j]) == 0)
				return 1;
	return 0;
}

/* The recent-findings penalty of unit k at now (and the count). */
static long
recent_pen(const struct search_index *ix, size_t k, time_t now, int *count)
{
	const struct su *s = &ix->su[k];
	time_t until;

	if (now >= s->recent_from && now <= s->recent_until) {
		*count = ix->disp[k].recent_findings;
		return s->recent_pen;
	}
	return recent_at(&ix->disp[k], now, count, &until);
}

static long
score_unit(const struct search_index *ix, size_t k,
    const struct search_needs *n, time_t now, const unsigned char *fwmark,
    int *met, int *infw, int *recent)
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
		    strcmp(ix->u[k].region, n->home_region) == 0)
			score += SC_REGION;
	}
	ref = n->max_price_cents > 0 ? n->max_price_cents : SC_PRICE_REF;
	if (s->price >= 0 && s->price < ref)
		score += SC_PRICE * (ref - s->price) / ref;
	score -= s->pen_open + recent_pen(ix, k, now, recent);
	if (s->free_updated > 0) {
		age = (long)(now - s->free_updated);
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
	int qslow = 0, b, met, infw, recent, age, rc = -1;
	time_t now;
	long fid;

	*nout = 0;
	if (search_needs_check(n, e) == -1)
		goto done;
	now = n->now != 0 ? n->now : ix->now != 0 ? ix->now : time(NULL);
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
	t.scanned = ix->n - ix->nretired;
	for (k = 0; k < ix->n; k++) {
		const struct su *s = &ix->su[k];

		if (s->flags & SU_RETIRED)
			continue;

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
		c.score = score_unit(ix, k, n, now, fwmark, &met, &infw,
		    &recent);
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
		const struct unit_brief *ub = &ix->u[heap[j].idx];
		const struct su *s = &ix->su[heap[j].idx];
		struct search_result *r = &out[j];

		memset(r, 0, sizeof(*r));
		snprintf(r->unit_id, sizeof(r->unit_id), "%s", ub->id);
		snprintf(r->name, sizeof(r->name), "%s", ub->name);
		snprintf(r->region, sizeof(r->region), "%s", ub->region);
		r->type = s->type;
		r->service_level = s->level;
		r->free_places = s->free_places;
		r->free_updated = s->free_updated;
		r->price_cents = s->price;
		r->score = score_unit(ix, heap[j].idx, n, now, fwmark, &met,
		    &infw, &recent);
		r->needs_met = met;
		r->needs_asked = popcount32(n->target_groups) +
		    popcount32(n->expertise);
		r->in_framework = infw;
		r->open_serious = d->open_serious;
		r->open_serious_severity = d->open_sev;
		r->recent_findings = recent;
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
