/*
 * query.c - the names of a search's and a statistics query's parameters,
 * the data they run on, and running them (see query.h).  The CLI (offline,
 * --db) and the node's admin endpoints both come through here, so an option
 * and the query parameter of the same name mean the same thing.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brief.h"
#include "model.h"
#include "output.h"
#include "query.h"
#include "query_out.h"
#include "search.h"
#include "stats.h"
#include "store.h"
#include "vocab.h"

struct query_data {
	int			 refs;
	struct unit_brief	*units;		/* ID order */
	char			*lots;		/* what units' lots point at */
	size_t			 nu;
	struct unit_sup		*sups;		/* unit ID order, known or not */
	size_t			 ns, capsups;
	struct proc_brief	*procs;
	size_t			 np;
	struct search_index	*ix;
	time_t			 loaded;
	time_t			 since;		/* events kept from here */
	int64_t			 seq;		/* newest record in the data */
	/* Loaded for one search (query_data_load_search): units holds its
	 * candidates only, of total in the store. */
	int			 partial;
	size_t			 total;
};

/* --- data ----------------------------------------------------------------- */

int
query_data_load(struct store *s, struct query_data **out, struct err *e)
{
	struct query_data *d;
	int rc = -1, in_read = 0;

	*out = NULL;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	d->refs = 1;
	d->loaded = time(NULL);
	d->since = d->loaded - (time_t)SEARCH_RECENT_DAYS * 86400;
	/* One snapshot: the rows of one moment, whatever is stored meanwhile. */
	if (store_read_begin(s, e) == -1)
		goto done;
	in_read = 1;
	if (store_record_seq(s, &d->seq, e) == -1 ||
	    store_unit_briefs_load(s, &d->units, &d->nu, &d->lots, e) == -1 ||
	    store_proc_briefs_load(s, &d->procs, &d->np, e) == -1 ||
	    store_unit_sups_load(s, d->since, &d->sups, &d->ns, e) == -1)
		goto done;
	store_read_end(s);
	in_read = 0;
	d->capsups = d->ns;
	*out = d;
	d = NULL;
	rc = 0;
done:
	if (in_read)
		store_read_end(s);
	query_data_unref(d);
	return rc;
}

/* A new, empty data set holding one reference. */
static struct query_data *
data_new(struct err *e)
{
	struct query_data *d;

	if ((d = calloc(1, sizeof(*d))) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	d->refs = 1;
	d->loaded = time(NULL);
	d->since = d->loaded - (time_t)SEARCH_RECENT_DAYS * 86400;
	return d;
}

int
query_data_load_search(struct store *s, const struct query_search *q,
    struct query_data **out, struct err *e)
{
	struct query_data *d;
	int rc = -1, in_read = 0;

	*out = NULL;
	if ((d = data_new(e)) == NULL)
		return -1;
	d->partial = 1;
	/* Without an age the search is refused (query_search_results). */
	if (q->age_set) {
		if (store_read_unmapped(s, e) == -1 ||
		    store_read_begin(s, e) == -1)
			goto done;
		in_read = 1;
		if (store_record_seq(s, &d->seq, e) == -1 ||
		    store_search_briefs_load(s, &q->nd, d->since, &d->units,
		    &d->nu, &d->lots, &d->sups, &d->ns, &d->total, e) == -1 ||
		    (q->purchaser[0] != '\0' && store_proc_briefs_load(s,
		    &d->procs, &d->np, e) == -1))
			goto done;
		store_read_end(s);
		in_read = 0;
	}
	d->capsups = d->ns;
	*out = d;
	d = NULL;
	rc = 0;
done:
	if (in_read)
		store_read_end(s);
	query_data_unref(d);
	return rc;
}

int
query_data_load_stats(struct store *s, struct query_data **out,
    struct err *e)
{
	struct query_data *d;
	int rc = -1, in_read = 0;

	*out = NULL;
	if ((d = data_new(e)) == NULL)
		return -1;
	/* Statistics count no findings by date: no events. */
	d->since = (time_t)INT64_MAX;
	if (store_read_unmapped(s, e) == -1 || store_read_begin(s, e) == -1)
		goto done;
	in_read = 1;
	if (store_record_seq(s, &d->seq, e) == -1 ||
	    store_stats_briefs_load(s, &d->units, &d->nu, e) == -1 ||
	    store_stats_sups_load(s, &d->sups, &d->ns, e) == -1)
		goto done;
	store_read_end(s);
	in_read = 0;
	d->capsups = d->ns;
	*out = d;
	d = NULL;
	rc = 0;
done:
	if (in_read)
		store_read_end(s);
	query_data_unref(d);
	return rc;
}

int
query_data_index_build(struct query_data *d, struct err *e)
{
	struct search_index *ix = NULL;

	if (d->ix != NULL)
		return 0;
	if (search_index_new(d->units, d->nu, &ix, e) == -1 ||
	    search_index_set_sups(ix, d->sups, d->ns, d->loaded, e) == -1) {
		search_index_free(ix);
		return -1;
	}
	d->ix = ix;
	return 0;
}

struct query_data *
query_data_ref(struct query_data *d)
{
	if (d != NULL)
		d->refs++;
	return d;
}

void
query_data_unref(struct query_data *d)
{
	size_t i;

	if (d == NULL || --d->refs > 0)
		return;
	search_index_free(d->ix);
	for (i = 0; i < d->ns; i++)
		unit_sup_clear(&d->sups[i]);
	free(d->sups);
	free(d->procs);
	free(d->units);
	free(d->lots);
	free(d);
}

void
query_data_free(struct query_data *d)
{
	query_data_unref(d);
}

time_t
query_data_loaded(const struct query_data *d)
{
	return d->loaded;
}

int64_t
query_data_seq(const struct query_data *d)
{
	return d->seq;
}

size_t
query_data_units(const struct query_data *d)
{
	return d->nu;
}

const struct search_index *
query_data_index(struct query_data *d, struct err *e)
{
	if (query_data_index_build(d, e) == -1)
		return NULL;
	return d->ix;
}

static int
cmp_sup(const void *a, const void *b)
{
	return strcmp(((const struct unit_sup *)a)->unit_id,
	    ((const struct unit_sup *)b)->unit_id);
}

int
query_data_apply_unit(struct query_data *d, struct store *s,
    const char *unit_id, struct err *e)
{
	struct unit_sup fresh, key, *hit, *p;
	size_t at;

	if (store_unit_sup_get(s, unit_id, d->since, &fresh, e) == -1)
		return -1;
	if (d->ix != NULL && search_index_set_sup(d->ix, &fresh, 0, e) == -1)
		goto fail;
	snprintf(key.unit_id, sizeof(key.unit_id), "%s", unit_id);
	if (d->ns > 0 && (hit = bsearch(&key, d->sups, d->ns,
	    sizeof(*d->sups), cmp_sup)) != NULL) {
		unit_sup_move(hit, &fresh);
		return 0;
	}
	/* A unit's first record: a new summary in ID order. */
	if (d->ns == d->capsups) {
		size_t cap = d->capsups ? d->capsups * 2 : 16;

		if ((p = realloc(d->sups, cap * sizeof(*p))) == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
			goto fail;
		}
		d->sups = p;
		d->capsups = cap;
	}
	for (at = d->ns; at > 0 && strcmp(d->sups[at - 1].unit_id,
	    unit_id) > 0; at--)
		;
	memmove(&d->sups[at + 1], &d->sups[at], (d->ns - at) *
	    sizeof(*d->sups));
	d->sups[at] = fresh;
	d->ns++;
	return 0;
fail:
	unit_sup_clear(&fresh);
	return -1;
}

int
query_data_add_record(struct query_data *d, struct store *s,
    const struct record_brief *b, int64_t seq, struct err *e)
{
	struct unit_sup key, *hit;

	snprintf(key.unit_id, sizeof(key.unit_id), "%s", b->unit_id);
	if (d->ns == 0 || (hit = bsearch(&key, d->sups, d->ns,
	    sizeof(*d->sups), cmp_sup)) == NULL)
		return query_data_apply_unit(d, s, b->unit_id, e);
	/* Held already: read with it (a summary read after its commit, a
	 * data set whose snapshot or catch-up came after it). */
	if (seq <= (hit->seq != 0 ? hit->seq : d->seq))
		return 0;
	if (unit_sup_add(hit, b, d->since) == -1)
		return err_set(e, ERR_NOMEM, "out of memory");
	hit->seq = seq;
	if (d->ix != NULL && search_index_set_sup(d->ix, hit, 0, e) == -1)
		return -1;
	return 0;
}

/* The units to catch up with, gathered first: each is read afterwards in
 * a snapshot of its own, which the walk over them would be inside of. */
struct catch_up {
	char	**ids;
	size_t	  n, cap;
};

static int
catch_one(void *arg, const char *unit_id, struct err *e)
{
	struct catch_up *c = arg;
	char **p;

	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		if ((p = realloc(c->ids, c->cap * sizeof(*p))) == NULL)
			return err_set(e, ERR_NOMEM, "out of memory");
		c->ids = p;
	}
	if ((c->ids[c->n] = strdup(unit_id)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	c->n++;
	return 0;
}

int
query_data_catch_up(struct query_data *d, struct store *s, struct err *e)
{
	struct catch_up c = { NULL, 0, 0 };
	int64_t seq;
	size_t i;
	int rc = -1;

	if (store_record_seq(s, &seq, e) == -1)
		return -1;
	if (seq <= d->seq)
		return 0;
	if (store_units_recorded_since(s, d->seq, catch_one, &c, e) == -1)
		goto done;
	for (i = 0; i < c.n; i++)
		if (query_data_apply_unit(d, s, c.ids[i], e) == -1)
			goto done;
	d->seq = seq;
	rc = 0;
done:
	for (i = 0; i < c.n; i++)
		free(c.ids[i]);
	free(c.ids);
	return rc;
}

/* --- values --------------------------------------------------------------- */

static int
parse_long(const char *pfx, const char *name, const char *s, long min,
    long max, long *out, struct err *e)
{
	char *end;
	long v;

	if (*s == '\0')
		return err_set(e, ERR_USAGE, "%s%s: a number is needed", pfx,
		    name);
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return err_set(e, ERR_USAGE, "%s%s: '%s' is not a whole number",
		    pfx, name, s);
	if (v < min || v > max)
		return err_set(e, ERR_USAGE, "%s%s: %ld is out of range "
		    "%ld..%ld", pfx, name, v, min, max);
	*out = v;
	return 0;
}

static int
parse_eur(const char *pfx, const char *name, const char *s, long *cents,
    struct err *e)
{
	long whole = 0, frac = 0;
	const char *p;
	int nfrac = 0;

	for (p = s; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (*p - '0');
		if (whole > 10000000)
			goto bad;
	}
	if (p == s)
		goto bad;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9' && nfrac < 2; p++, nfrac++)
			frac = frac * 10 + (*p - '0');
		if (nfrac == 0)
			goto bad;
		if (nfrac == 1)
			frac *= 10;
	}
	if (*p != '\0')
		goto bad;
	*cents = whole * 100 + frac;
	return 0;
bad:
	return err_set(e, ERR_USAGE, "%s%s: '%s' is not a euro amount (e.g. "
	    "450 or 450.50)", pfx, name, s);
}

/* The index of s in v, or -1 with a message that lists the tokens. */
static int
parse_vocab(const char *pfx, const char *name, const struct vocab *v,
    const char *s, struct err *e)
{
	char list[1024];
	size_t off = 0;
	int i, k;

	if ((k = vocab_find(v, s)) >= 0)
		return k;
	list[0] = '\0';
	for (i = 0; i < v->count && off < sizeof(list); i++) {
		int w = snprintf(list + off, sizeof(list) - off, "%s%s",
		    i > 0 ? ", " : "", vocab_token(v, i));
		if (w < 0)
			break;
		off += (size_t)w;
	}
	return err_set(e, ERR_USAGE, "%s%s: unknown value '%s' (one of: %s)",
	    pfx, name, s, list);
}

static int
parse_region(const char *pfx, const char *name, const char *s,
    struct err *e)
{
	int k;

	if ((k = region_find(s)) < 0)
		return err_set(e, ERR_USAGE, "%s%s: unknown region code '%s' "
		    "(01..21 or 90)", pfx, name, s);
	return k;
}

static int
add_bit(uint32_t *mask, int k)
{
	if (k < 0)
		return -1;
	*mask |= UINT32_C(1) << k;
	return 0;
}

static int
parse_format(const char *pfx, const char *s, enum out_format *fmt,
    struct err *e)
{
	int f;

	if ((f = out_format_parse(s)) < 0)
		return err_set(e, ERR_USAGE, "%sformat: unknown value '%s' "
		    "(one of: %s)", pfx, s, OUT_FORMAT_TOKENS);
	*fmt = (enum out_format)f;
	return 0;
}

/* --- search --------------------------------------------------------------- */

static const char *const search_names[] = {
	"age", "gender", "language", "expertise", "need", "type", "level",
	"region", "prefer-region", "purchaser", "max-price", "free-places",
	"limit", "format", NULL
};

static int
knows(const char *const *names, const char *name)
{
	size_t i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

int
query_search_knows(const char *name)
{
	return knows(search_names, name);
}

void
query_search_init(struct query_search *q, const char *pfx)
{
	memset(q, 0, sizeof(*q));
	search_needs_init(&q->nd);
	q->fmt = OUT_TABLE;
	q->pfx = pfx;
}

int
query_search_set(struct query_search *q, const char *name,
    const char *value, struct err *e)
{
	struct search_needs *nd = &q->nd;
	const char *p = q->pfx;
	long v;
	int k;

	if (strcmp(name, "age") == 0) {
		if (parse_long(p, name, value, 0, 24, &v, e) == -1)
			return -1;
		nd->age = (int)v;
		q->age_set = 1;
	} else if (strcmp(name, "gender") == 0) {
		if ((nd->gender = parse_vocab(p, name, &vocab_gender, value,
		    e)) < 0)
			return -1;
	} else if (strcmp(name, "language") == 0) {
		if (strlen(value) != 2 || value[0] < 'a' || value[0] > 'z' ||
		    value[1] < 'a' || value[1] > 'z')
			return err_set(e, ERR_USAGE, "%slanguage: '%s' is not "
			    "an ISO 639-1 code (two lower-case letters, e.g. "
			    "fi, sv, en)", p, value);
		if (nd->nlanguages == SEARCH_LANG_MAX)
			return err_set(e, ERR_USAGE, "%slanguage: at most %d",
			    p, SEARCH_LANG_MAX);
		memcpy(nd->languages[nd->nlanguages++], value, 3);
	} else if (strcmp(name, "expertise") == 0) {
		return add_bit(&nd->expertise, parse_vocab(p, name,
		    &vocab_expertise, value, e));
	} else if (strcmp(name, "need") == 0) {
		return add_bit(&nd->target_groups, parse_vocab(p, name,
		    &vocab_target_group, value, e));
	} else if (strcmp(name, "type") == 0) {
		return add_bit(&nd->types, parse_vocab(p, name,
		    &vocab_unit_type, value, e));
	} else if (strcmp(name, "level") == 0) {
		return add_bit(&nd->levels, parse_vocab(p, name,
		    &vocab_service_level, value, e));
	} else if (strcmp(name, "region") == 0) {
		return add_bit(&nd->regions_required, parse_region(p, name,
		    value, e));
	} else if (strcmp(name, "prefer-region") == 0) {
		return add_bit(&nd->regions_preferred, parse_region(p, name,
		    value, e));
	} else if (strcmp(name, "purchaser") == 0) {
		if ((k = parse_region(p, name, value, e)) < 0)
			return -1;
		snprintf(q->purchaser, sizeof(q->purchaser), "%s",
		    regions[k].code);
	} else if (strcmp(name, "max-price") == 0) {
		return parse_eur(p, name, value, &nd->max_price_cents, e);
	} else if (strcmp(name, "free-places") == 0) {
		if (parse_long(p, name, value, 1, 24, &v, e) == -1)
			return -1;
		nd->free_places = (int)v;
	} else if (strcmp(name, "limit") == 0) {
		if (parse_long(p, name, value, 1, SEARCH_LIMIT_MAX, &v,
		    e) == -1)
			return -1;
		nd->limit = (int)v;
	} else if (strcmp(name, "format") == 0) {
		return parse_format(p, value, &q->fmt, e);
	} else
		return err_set(e, ERR_USAGE, "%s%s: not a search parameter",
		    p, name);
	return 0;
}

/* The purchaser's frameworks: every procurement its region keeps or joins.
 * The IDs are borrowed from d. */
const char **
query_frameworks(const struct query_data *d, const char *code, int *n)
{
	const char **fw;
	size_t i;
	int j, in;

	*n = 0;
	if ((fw = calloc(d->np + 1, sizeof(*fw))) == NULL)
		return NULL;
	for (i = 0; i < d->np; i++) {
		in = strcmp(d->procs[i].region, code) == 0;
		for (j = 0; j < d->procs[i].njoint && j < PROC_REGION_MAX; j++)
			if (strcmp(d->procs[i].joint[j], code) == 0)
				in = 1;
		if (in)
			fw[(*n)++] = d->procs[i].id;
	}
	return fw;
}

/* The index of data loaded for one search, whose purchaser's frameworks
 * are fw[nfw]: its dictionary holds only those. */
static int
index_for(struct query_data *d, const char **fw, int nfw, struct err *e)
{
	struct search_index *ix = NULL;

	if (search_index_new_query(d->units, d->nu, fw, nfw, &ix, e) == -1 ||
	    search_index_set_sups(ix, d->sups, d->ns, d->loaded, e) == -1) {
		search_index_free(ix);
		return -1;
	}
	d->ix = ix;
	return 0;
}

int
query_search_results(const struct query_data *d,
    const struct query_search *q, struct search_result **out, size_t *nout,
    struct search_totals *tot, struct err *e)
{
	struct search_needs nd = q->nd;
	struct search_result *res = NULL;
	const char **fw = NULL;
	int nfw = 0, rc = -1;

	*out = NULL;
	*nout = 0;
	if (!q->age_set) {
		err_set(e, ERR_USAGE, "%sage N is needed", q->pfx);
		goto done;
	}
	if (q->purchaser[0] != '\0') {
		snprintf(nd.home_region, sizeof(nd.home_region), "%s",
		    q->purchaser);
		if ((fw = query_frameworks(d, q->purchaser, &nfw)) == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
			goto done;
		}
		nd.frameworks = fw;
		nd.nframeworks = nfw;
	}
	nd.now = q->now;
	/* Built here when the loader did not (the CLI's one query); d is
	 * only ever shared by one thread (query.h). */
	if (d->ix == NULL && (d->partial ? index_for((struct query_data *)d,
	    fw, nfw, e) : query_data_index_build((struct query_data *)d,
	    e)) == -1)
		goto done;
	if ((res = calloc((size_t)nd.limit, sizeof(*res))) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto done;
	}
	if (search_run(d->ix, &nd, res, nout, tot, e) == -1)
		goto done;
	/* Candidates only: the store's units were scanned. */
	if (d->partial && tot != NULL)
		tot->scanned = d->total;
	*out = res;
	res = NULL;
	rc = 0;
done:
	free(res);
	free(fw);
	return rc;
}

int
query_search_run(const struct query_data *d, const struct query_search *q,
    char **out, size_t *len, struct err *e)
{
	struct search_result *res = NULL;
	struct search_totals tot;
	struct out_table *t = NULL;
	size_t nres = 0;
	int rc = -1;

	if (query_search_results(d, q, &res, &nres, &tot, e) == -1)
		goto done;
	if ((t = query_out_search(res, nres, &tot)) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto done;
	}
	if ((*out = out_write_string(q->fmt, "SearchResult", &t, 1, e)) ==
	    NULL)
		goto done;
	*len = strlen(*out);
	rc = 0;
done:
	out_table_free(t);
	free(res);
	return rc;
}

/* --- statistics ----------------------------------------------------------- */

static const char *const stats_names[] = {
	"by", "threshold", "table", "format", NULL
};

int
query_stats_knows(const char *name)
{
	return knows(stats_names, name);
}

void
query_stats_init(struct query_stats *q, long threshold, const char *pfx)
{
	memset(q, 0, sizeof(*q));
	q->by = STATS_BY_REGION;
	q->threshold = threshold;
	q->want_cap = q->want_sup = q->want_prices = 1;
	q->fmt = OUT_TABLE;
	q->pfx = pfx;
}

int
query_stats_set(struct query_stats *q, const char *name, const char *value,
    struct err *e)
{
	const char *p = q->pfx;

	if (strcmp(name, "by") == 0) {
		if ((q->by = stats_by_parse(value)) < 0)
			return err_set(e, ERR_USAGE, "%sby: unknown value '%s' "
			    "(one of: %s)", p, value, STATS_BY_TOKENS);
	} else if (strcmp(name, "threshold") == 0) {
		return parse_long(p, name, value, 1, 1000, &q->threshold, e);
	} else if (strcmp(name, "table") == 0) {
		q->want_cap = strcmp(value, "capacity") == 0;
		q->want_sup = strcmp(value, "supervision") == 0;
		q->want_prices = strcmp(value, "prices") == 0;
		if (strcmp(value, "all") == 0)
			q->want_cap = q->want_sup = q->want_prices = 1;
		else if (!q->want_cap && !q->want_sup && !q->want_prices) {
			q->want_cap = q->want_sup = q->want_prices = 1;
			return err_set(e, ERR_USAGE, "%stable: unknown value "
			    "'%s' (one of: capacity, supervision, prices, all)",
			    p, value);
		}
	} else if (strcmp(name, "format") == 0) {
		return parse_format(p, value, &q->fmt, e);
	} else
		return err_set(e, ERR_USAGE, "%s%s: not a statistics "
		    "parameter", p, name);
	return 0;
}

/*
 * The prices table as an out_table: group key, label, service level (not
 * with --by level, where the group is the level), then the figures.  Here
 * rather than in query_out.c for want of a level column in
 * query_out_stats().
 */
static struct out_table *
prices_out(const struct stats_table *st)
{
	const char *keys[3 + 6], *heads[3 + 6], *cells[3 + 6];
	char buf[6][32], title[128], note[320];
	struct out_table *t = NULL;
	size_t r, c, lc;

	if (st->ncols > 6)
		return NULL;
	lc = st->by == STATS_BY_LEVEL ? 2 : 3;	/* first figure column */
	keys[0] = "group";
	heads[0] = stats_by_name(st->by);
	keys[1] = "label";
	heads[1] = st->by == STATS_BY_REGION ? "name" : "label";
	keys[2] = "level";
	heads[2] = "level";
	for (c = 0; c < st->ncols; c++) {
		keys[lc + c] = st->col_keys[c];
		heads[lc + c] = st->col_heads[c];
	}
	if ((t = out_table_new(st->name, lc + st->ncols, keys, heads)) == NULL)
		return NULL;
	for (c = 0; c < st->ncols; c++)
		out_table_right(t, lc + c);
	if (st->by == STATS_BY_LEVEL)
		snprintf(title, sizeof(title), "Daily prices (EUR) by service "
		    "level");
	else
		snprintf(title, sizeof(title), "Daily prices (EUR) by %s and "
		    "service level", stats_by_name(st->by));
	if (out_table_title(t, title) == -1 ||
	    out_table_attr(t, "by", stats_by_name(st->by)) == -1)
		goto fail;
	for (r = 0; r < st->nrows; r++) {
		cells[0] = st->row_keys[r];
		cells[1] = st->row_labels[r];
		cells[2] = st->row_levels[r];
		for (c = 0; c < st->ncols; c++) {
			stats_cell_text(st, r, c, buf[c], sizeof(buf[c]));
			cells[lc + c] = buf[c];
		}
		if (out_table_add(t, cells) == -1)
			goto fail;
	}
	if (st->by == STATS_BY_EXPERTISE && out_table_note(t, "A unit with "
	    "several kinds of expertise is counted in each; the total counts "
	    "each once.") == -1)
		goto fail;
	snprintf(note, sizeof(note), "Price per child per day, VAT-free, as "
	    "each unit states it; never suppressed.  p25, median, p75: exact "
	    "percentiles by nearest rank (of n prices in order, the one at rank "
	    "ceil(p/100 * n)); \"-\" when a row has fewer than %d units.  Min "
	    "and max: \"-\" when it has none.", STATS_PRICE_MIN_UNITS);
	if (out_table_note(t, note) == -1)
		goto fail;
	return t;
fail:
	out_table_free(t);
	return NULL;
}

int
query_stats_tables(const struct query_data *d, const struct query_stats *q,
    struct stats_table *t[3], struct err *e)
{
	t[0] = t[1] = t[2] = NULL;
	if ((q->want_cap && stats_capacity_b(d->units, d->nu,
	    (enum stats_by)q->by, &t[0], e) == -1) ||
	    (q->want_sup && stats_supervision_sups(d->units, d->nu, d->sups,
	    d->ns, (enum stats_by)q->by, q->threshold, q->now, &t[1],
	    e) == -1) ||
	    (q->want_prices && stats_prices_b(d->units, d->nu,
	    (enum stats_by)q->by, &t[2], e) == -1)) {
		stats_table_free(t[0]);
		stats_table_free(t[1]);
		stats_table_free(t[2]);
		t[0] = t[1] = t[2] = NULL;
		return -1;
	}
	return 0;
}

int
query_stats_run(const struct query_data *d, const struct query_stats *q,
    char **out, size_t *len, struct err *e)
{
	struct stats_table *st[3] = { NULL, NULL, NULL };
	struct out_table *t[3] = { NULL, NULL, NULL };
	size_t nt = 0, i;
	int rc = -1;

	if (query_stats_tables(d, q, st, e) == -1)
		goto done;
	if ((st[0] != NULL && (t[nt++] = query_out_stats(st[0])) == NULL) ||
	    (st[1] != NULL && (t[nt++] = query_out_stats(st[1])) == NULL) ||
	    (st[2] != NULL && (t[nt++] = prices_out(st[2])) == NULL)) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto done;
	}
	if ((*out = out_write_string(q->fmt, "Statistics", t, nt, e)) == NULL)
		goto done;
	*len = strlen(*out);
	rc = 0;
done:
	for (i = 0; i < 3; i++) {
		out_table_free(t[i]);
		stats_table_free(st[i]);
	}
	return rc;
}

/* --- supervision records about one unit ------------------------------------ */

/* Who signed record id, as shown beside its issuer. */
static int
record_signer(struct store *s, const char *id, char out[160], struct err *e)
{
	struct store_record_meta m;
	char *xml = NULL;
	size_t len;

	if (store_record_meta(s, id, &m, e) == -1)
		return -1;
	if (m.signer[0] != '\0') {
		memcpy(out, m.signer, sizeof(m.signer));
		return 0;
	}
	if (store_record_get(s, id, &xml, &len, NULL, e) == -1)
		return -1;
	snprintf(out, 160, "%s", strstr(xml, "SignatureValue") != NULL ?
	    "not verified" : "unsigned");
	free(xml);
	return 0;
}

int
query_records_run(struct store *s, const char *unit_id, enum out_format fmt,
    char **out, size_t *len, struct err *e)
{
	struct supervision_record *r = NULL;
	struct out_table *t = NULL;
	char (*signer)[160] = NULL;
	const char **cells = NULL;
	size_t n = 0, i;
	int rc = -1;

	if (store_records_for_unit(s, unit_id, &r, &n, e) == -1)
		goto done;
	if ((signer = calloc(n + 1, sizeof(*signer))) == NULL ||
	    (cells = calloc(n + 1, sizeof(*cells))) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < n; i++) {
		if (record_signer(s, r[i].id, signer[i], e) == -1)
			goto done;
		cells[i] = signer[i];
	}
	if ((t = query_out_records(unit_id, r, cells, n)) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto done;
	}
	if ((*out = out_write_string(fmt, "SupervisionRecords", &t, 1, e)) ==
	    NULL)
		goto done;
	*len = strlen(*out);
	rc = 0;
done:
	out_table_free(t);
	free(cells);
	free(signer);
	free(r);
	return rc;
}
