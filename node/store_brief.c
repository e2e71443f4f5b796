/*
 * store_brief.c - the store's briefs (brief.h): the rows that search and
 * statistics read instead of the stored XML.  A put of a unit, procurement
 * definition or record (store.c) writes its brief in the same savepoint; the
 * readers here load them all for the search worker (the offline CLI's
 * loads of one query's rows are store_brief_query.c's), and migration 6
 * fills them once from the documents stored before it.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "brief.h"
#include "model.h"
#include "search.h"
#include "store_brief_internal.h"
#include "store_internal.h"
#include "vocab.h"
#include "xml.h"

/* --- briefs: what search and statistics read (brief.h) -------------------- */

int
store_brief_unit_put(struct store *s, const struct unit_brief *b, struct err *e)
{
	sqlite3_stmt *st;
	char langs[UNIT_LANG_MAX * 3 + 1];

	if ((st = store_stmt(s, ST_UBRIEF_PUT, e)) == NULL)
		return -1;
	brief_languages_format(b, langs, sizeof(langs));
	store_bind_text(st, 1, b->id);
	store_bind_text(st, 2, b->name);
	store_bind_text(st, 3, b->region);
	sqlite3_bind_int(st, 4, b->type);
	sqlite3_bind_int(st, 5, b->service_level);
	sqlite3_bind_int(st, 6, b->gender);
	sqlite3_bind_int(st, 7, b->licence_valid);
	sqlite3_bind_int(st, 8, b->age_min);
	sqlite3_bind_int(st, 9, b->age_max);
	sqlite3_bind_int(st, 10, b->places);
	sqlite3_bind_int(st, 11, b->free_places);
	sqlite3_bind_int64(st, 12, (sqlite3_int64)b->free_updated);
	sqlite3_bind_int64(st, 13, b->price_cents);
	sqlite3_bind_int64(st, 14, b->target_groups);
	sqlite3_bind_int64(st, 15, b->expertise);
	store_bind_text(st, 16, langs);
	store_bind_text(st, 17, b->lots);
	return store_step_done(s, st, "storing the brief of unit", b->id, e);
}

int
store_brief_proc_put(struct store *s, const struct proc_brief *b, struct err *e)
{
	sqlite3_stmt *st;
	char joint[PROC_REGION_MAX * 3 + 1];
	size_t off = 0;
	int j;

	joint[0] = '\0';
	for (j = 0; j < b->njoint && j < PROC_REGION_MAX; j++) {
		snprintf(joint + off, sizeof(joint) - off, "%s%s",
		    j > 0 ? " " : "", b->joint[j]);
		off = strlen(joint);
	}
	if ((st = store_stmt(s, ST_PBRIEF_PUT, e)) == NULL)
		return -1;
	store_bind_text(st, 1, b->id);
	store_bind_text(st, 2, b->region);
	store_bind_text(st, 3, joint);
	return store_step_done(s, st, "storing the brief of procurement definition",
	    b->id, e);
}

/* The record's row and what it adds to its unit's summary. */
int
store_brief_record_put(struct store *s, const struct record_brief *b,
    struct err *e)
{
	struct unit_sup d;
	sqlite3_stmt *st;
	int i;

	if ((st = store_stmt(s, ST_RBRIEF_PUT, e)) == NULL)
		return -1;
	store_bind_text(st, 1, b->id);
	store_bind_text(st, 2, b->unit_id);
	sqlite3_bind_int(st, 3, b->kind);
	sqlite3_bind_int(st, 4, b->status);
	sqlite3_bind_int(st, 5, b->outcome);
	sqlite3_bind_int(st, 6, b->serious_open);
	sqlite3_bind_int(st, 7, b->serious_sev);
	sqlite3_bind_int(st, 8, b->blocks);
	sqlite3_bind_int(st, 9, b->open);
	sqlite3_bind_int(st, 10, b->n_low);
	sqlite3_bind_int(st, 11, b->n_medium);
	sqlite3_bind_int(st, 12, b->n_high);
	sqlite3_bind_int64(st, 13, (sqlite3_int64)b->rtime);
	if (b->deadline != -1)
		sqlite3_bind_int64(st, 14, (sqlite3_int64)b->deadline);
	else
		sqlite3_bind_null(st, 14);
	if (store_step_done(s, st, "storing the brief of supervision record", b->id,
	    e) == -1)
		return -1;
	s->last_seq = (int64_t)sqlite3_last_insert_rowid(s->db);
	/* The counters this record adds: unit_sup_add() is the one rule. */
	memset(&d, 0, sizeof(d));
	d.serious_sev = -1;
	i = unit_sup_add(&d, b, (time_t)INT64_MAX);
	free(d.ev);
	free(d.deadlines);
	if (i == -1)
		return err_set(e, ERR_NOMEM, "out of memory");
	if ((st = store_stmt(s, ST_USUP_ADD, e)) == NULL)
		return -1;
	store_bind_text(st, 1, b->unit_id);
	sqlite3_bind_int(st, 2, d.records);
	sqlite3_bind_int(st, 3, d.open_serious);
	sqlite3_bind_int(st, 4, d.serious_sev);
	sqlite3_bind_int(st, 5, d.blocks);
	sqlite3_bind_int(st, 6, d.visits);
	sqlite3_bind_int(st, 7, d.complaints);
	sqlite3_bind_int(st, 8, d.open_orders);
	for (i = 0; i < 4; i++)
		sqlite3_bind_int(st, 9 + i, d.outcomes[i]);
	return store_step_done(s, st, "summing the supervision of unit", b->unit_id,
	    e);
}


/* --- briefs: readers (brief.h) ------------------------------------------- */

int
store_read_begin(struct store *s, struct err *e)
{
	if (s->in_tx)
		return err_set(e, ERR_INTERNAL, "%s: a transaction is "
		    "already open", s->path);
	if (store_exec(s, "BEGIN", e) == -1)
		return -1;
	s->in_tx = 1;
	return 0;
}

int
store_read_unmapped(struct store *s, struct err *e)
{
	if (s->in_tx)
		return err_set(e, ERR_INTERNAL, "%s: a transaction is "
		    "open", s->path);
	return store_exec(s, "PRAGMA mmap_size = 0", e);
}

void
store_read_end(struct store *s)
{
	store_rollback(s);	/* nothing was written: ending is undoing */
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL ? (const char *)t : "";
}

/* Column i into dst (size bytes, truncated, NUL-terminated): a memcpy, as
 * a loader copies tens of thousands of them. */
void
brief_col_copy(sqlite3_stmt *st, int i, char *dst, size_t size)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	size_t n = (size_t)sqlite3_column_bytes(st, i);

	if (t == NULL)
		n = 0;
	if (n >= size)
		n = size - 1;
	if (n > 0)
		memcpy(dst, t, n);
	dst[n] = '\0';
}

/* Grows *p (n items of size) to brief_room for one more; -1 on ENOMEM. */
int
brief_room(void **p, size_t *cap, size_t n, size_t size)
{
	size_t c;
	void *q;

	if (n < *cap)
		return 0;
	c = *cap > 0 ? *cap * 2 : 256;
	if ((q = realloc(*p, c * size)) == NULL)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}


/* Columns base..base+15 of st (id, name, region, type, service_level,
 * gender, licence_valid, age_min, age_max, places, free_places,
 * free_updated, price_cents, target_groups, expertise, languages) into b;
 * column base+16 (lots) into a's slot k.  -1 on ENOMEM. */
int
brief_unit_row(sqlite3_stmt *st, int base, struct unit_brief *b,
    struct lots_arena *a, size_t k)
{
	size_t ll, i;
	const char *t;
	char *p;

	memset(b, 0, sizeof(*b));
	brief_col_copy(st, base + 0, b->id, sizeof(b->id));
	brief_col_copy(st, base + 1, b->name, sizeof(b->name));
	brief_col_copy(st, base + 2, b->region, sizeof(b->region));
	b->type = (int8_t)sqlite3_column_int(st, base + 3);
	b->service_level = (int8_t)sqlite3_column_int(st, base + 4);
	b->gender = (int8_t)sqlite3_column_int(st, base + 5);
	b->licence_valid = (int8_t)sqlite3_column_int(st, base + 6);
	b->age_min = (int16_t)sqlite3_column_int(st, base + 7);
	b->age_max = (int16_t)sqlite3_column_int(st, base + 8);
	b->places = sqlite3_column_int(st, base + 9);
	b->free_places = sqlite3_column_int(st, base + 10);
	b->free_updated = (time_t)sqlite3_column_int64(st, base + 11);
	b->price_cents = (long)sqlite3_column_int64(st, base + 12);
	b->target_groups = (uint32_t)sqlite3_column_int64(st, base + 13);
	b->expertise = (uint32_t)sqlite3_column_int64(st, base + 14);
	brief_languages_parse(b, col_text(st, base + 15));
	if (brief_room((void **)&a->at, &a->acap, k, sizeof(*a->at)) == -1)
		return -1;
	t = col_text(st, base + 16);
	ll = strlen(t);
	if (ll >= BRIEF_LOTS_MAX)
		ll = BRIEF_LOTS_MAX - 1;
	while (a->len + ll + 1 > a->cap) {
		size_t c = a->cap > 0 ? a->cap * 2 : 65536;

		if ((p = realloc(a->p, c)) == NULL)
			return -1;
		a->p = p;
		a->cap = c;
	}
	memcpy(a->p + a->len, t, ll);
	a->p[a->len + ll] = '\0';
	a->at[k] = a->len;
	a->len += ll + 1;
	b->nlots = ll > 0 ? 1 : 0;
	for (i = 0; i < ll; i++)
		if (t[i] == '\n')
			b->nlots++;
	return 0;
}

/* Points the k briefs' lots into the arena, hands it to *lots. */
void
brief_lots_finish(struct lots_arena *a, struct unit_brief *v, size_t k,
    char **lots)
{
	size_t i;

	for (i = 0; i < k; i++)
		v[i].lots = a->p + a->at[i];
	free(a->at);
	*lots = a->p;
	a->p = NULL;
	a->at = NULL;
}

int
store_unit_briefs_load(struct store *s, struct unit_brief **out, size_t *n,
    char **lots, struct err *e)
{
	struct lots_arena a = { NULL, 0, 0, NULL, 0 };
	struct unit_brief *v = NULL;
	sqlite3_stmt *st;
	size_t cap = 0, k = 0;
	int r;

	*out = NULL;
	*n = 0;
	*lots = NULL;
	if ((st = store_stmt(s, ST_UBRIEF_ALL, e)) == NULL)
		return -1;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (brief_room((void **)&v, &cap, k, sizeof(*v)) == -1 ||
		    brief_unit_row(st, 0, &v[k], &a, k) == -1)
			goto nomem;
		v[k].retired = (int8_t)sqlite3_column_int(st, 17);
		k++;
	}
	if (r != SQLITE_DONE) {
		store_dberr(s, "reading unit briefs", e);
		goto fail;
	}
	sqlite3_reset(st);
	brief_lots_finish(&a, v, k, lots);
	*out = v;
	*n = k;
	return 0;
nomem:
	err_set(e, ERR_NOMEM, "loading units: out of memory");
fail:
	sqlite3_reset(st);
	free(a.at);
	free(a.p);
	free(v);
	return -1;
}

int
store_proc_briefs_load(struct store *s, struct proc_brief **out, size_t *n,
    struct err *e)
{
	struct proc_brief *v = NULL, *b;
	sqlite3_stmt *st;
	size_t cap = 0, k = 0;
	const char *j;
	int r;

	*out = NULL;
	*n = 0;
	if ((st = store_stmt(s, ST_PBRIEF_ALL, e)) == NULL)
		return -1;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (brief_room((void **)&v, &cap, k, sizeof(*v)) == -1) {
			err_set(e, ERR_NOMEM, "loading procurement definitions: "
			    "out of memory");
			goto fail;
		}
		b = &v[k++];
		memset(b, 0, sizeof(*b));
		snprintf(b->id, sizeof(b->id), "%s", col_text(st, 0));
		snprintf(b->region, sizeof(b->region), "%s", col_text(st, 1));
		for (j = col_text(st, 2); *j != '\0' &&
		    b->njoint < PROC_REGION_MAX; ) {
			while (*j == ' ')
				j++;
			if (j[0] == '\0' || j[1] == '\0')
				break;
			b->joint[b->njoint][0] = j[0];
			b->joint[b->njoint][1] = j[1];
			b->joint[b->njoint][2] = '\0';
			b->njoint++;
			j += 2;
		}
	}
	if (r != SQLITE_DONE) {
		store_dberr(s, "reading procurement briefs", e);
		goto fail;
	}
	sqlite3_reset(st);
	*out = v;
	*n = k;
	return 0;
fail:
	sqlite3_reset(st);
	free(v);
	return -1;
}

/* Columns base..base+11 of st: unit_id, records, open_serious, serious_sev,
 * blocks, visits, complaints, open_orders and the four outcomes. */
void
brief_sup_row(sqlite3_stmt *st, int base, struct unit_sup *u)
{
	int i;

	memset(u, 0, sizeof(*u));
	brief_col_copy(st, base, u->unit_id, sizeof(u->unit_id));
	u->records = sqlite3_column_int(st, base + 1);
	u->open_serious = sqlite3_column_int(st, base + 2);
	u->serious_sev = sqlite3_column_int(st, base + 3);
	u->blocks = sqlite3_column_int(st, base + 4);
	u->visits = sqlite3_column_int(st, base + 5);
	u->complaints = sqlite3_column_int(st, base + 6);
	u->open_orders = sqlite3_column_int(st, base + 7);
	for (i = 0; i < 4; i++)
		u->outcomes[i] = sqlite3_column_int(st, base + 8 + i);
}

static int
cmp_sup_key(const void *k, const void *b)
{
	return strcmp(k, ((const struct unit_sup *)b)->unit_id);
}

/* The summaries v[n] by unit ID: an open-addressing table of indexes
 * (FNV-1a), so that each of the tens of thousands of dated rows a load
 * reads finds its unit with one hash and one compare, not a binary search
 * of string compares. */
struct sup_map {
	uint32_t	*slot;		/* index + 1, 0 empty */
	size_t		 mask;
};

static size_t
sup_hash(const char *k, size_t len)
{
	size_t h = (size_t)14695981039346656037ULL, i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)k[i]) * (size_t)1099511628211ULL;
	return h;
}

static int
sup_map_init(struct sup_map *m, const struct unit_sup *v, size_t n)
{
	size_t cap = 16, i, j;

	while (cap < 2 * n)
		cap *= 2;
	if (n > UINT32_MAX - 1 ||
	    (m->slot = calloc(cap, sizeof(*m->slot))) == NULL)
		return -1;
	m->mask = cap - 1;
	for (i = 0; i < n; i++) {
		for (j = sup_hash(v[i].unit_id, strlen(v[i].unit_id)) &
		    m->mask; m->slot[j] != 0; j = (j + 1) & m->mask)
			;
		m->slot[j] = (uint32_t)i + 1;
	}
	return 0;
}

static struct unit_sup *
sup_map_find(const struct sup_map *m, struct unit_sup *v, const char *k,
    size_t len)
{
	size_t j;

	for (j = sup_hash(k, len) & m->mask; m->slot[j] != 0;
	    j = (j + 1) & m->mask)
		if (strncmp(v[m->slot[j] - 1].unit_id, k, len) == 0 &&
		    v[m->slot[j] - 1].unit_id[len] == '\0')
			return &v[m->slot[j] - 1];
	return NULL;
}

/* The summary a dated row (unit ID in column 0) belongs to, or NULL. */
static struct unit_sup *
sup_of(sqlite3_stmt *st, const struct sup_map *m, struct unit_sup *v,
    size_t n)
{
	const char *k;

	if (n == 0)
		return NULL;
	k = col_text(st, 0);
	if (m->slot == NULL)
		return bsearch(k, v, n, sizeof(*v), cmp_sup_key);
	return sup_map_find(m, v, k, (size_t)sqlite3_column_bytes(st, 0));
}

/* Events (rtime >= since) and open deadlines into the summaries v[n]
 * (sorted by unit ID); unit_id NULL: every unit, else that one. */
int
brief_sup_dated(struct store *s, struct unit_sup *v, size_t n, const char *unit_id,
    time_t since, struct err *e)
{
	struct unit_sup *u;
	struct sup_event ev;
	struct sup_map m = { NULL, 0 };
	sqlite3_stmt *st;
	int r, rc = -1;

	if (unit_id == NULL && n > 0 && sup_map_init(&m, v, n) == -1)
		return err_set(e, ERR_NOMEM, "out of memory");
	if ((st = store_stmt(s, unit_id ? ST_EV_UNIT : ST_EV_ALL, e)) == NULL)
		goto done;
	if (unit_id != NULL) {
		store_bind_text(st, 1, unit_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)since);
	} else
		sqlite3_bind_int64(st, 1, (sqlite3_int64)since);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if ((u = sup_of(st, &m, v, n)) == NULL)
			continue;
		ev.t = (time_t)sqlite3_column_int64(st, 1);
		ev.low = (int16_t)sqlite3_column_int(st, 2);
		ev.medium = (int16_t)sqlite3_column_int(st, 3);
		ev.high = (int16_t)sqlite3_column_int(st, 4);
		if (unit_sup_event(u, &ev) == -1) {
			sqlite3_reset(st);
			err_set(e, ERR_NOMEM, "out of memory");
			goto done;
		}
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE) {
		store_dberr(s, "reading recent findings", e);
		goto done;
	}
	if ((st = store_stmt(s, unit_id ? ST_DL_UNIT : ST_DL_ALL, e)) == NULL)
		goto done;
	if (unit_id != NULL)
		store_bind_text(st, 1, unit_id);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if ((u = sup_of(st, &m, v, n)) == NULL)
			continue;
		if (unit_sup_deadline(u,
		    (time_t)sqlite3_column_int64(st, 1)) == -1) {
			sqlite3_reset(st);
			err_set(e, ERR_NOMEM, "out of memory");
			goto done;
		}
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE) {
		store_dberr(s, "reading deadlines", e);
		goto done;
	}
	rc = 0;
done:
	free(m.slot);
	return rc;
}

int
store_unit_sups_load(struct store *s, time_t since, struct unit_sup **out,
    size_t *n, struct err *e)
{
	struct unit_sup *v = NULL;
	sqlite3_stmt *st;
	size_t cap = 0, k = 0, i;
	int r;

	*out = NULL;
	*n = 0;
	if ((st = store_stmt(s, ST_USUP_ALL, e)) == NULL)
		return -1;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (brief_room((void **)&v, &cap, k, sizeof(*v)) == -1) {
			sqlite3_reset(st);
			err_set(e, ERR_NOMEM, "out of memory");
			goto fail;
		}
		brief_sup_row(st, 0, &v[k++]);
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE) {
		store_dberr(s, "reading supervision summaries", e);
		goto fail;
	}
	if (brief_sup_dated(s, v, k, NULL, since, e) == -1)
		goto fail;
	*out = v;
	*n = k;
	return 0;
fail:
	for (i = 0; i < k; i++)
		unit_sup_clear(&v[i]);
	free(v);
	return -1;
}

int
store_unit_sup_get(struct store *s, const char *unit_id, time_t since,
    struct unit_sup *out, struct err *e)
{
	sqlite3_stmt *st;
	int r, own = !s->in_tx, rc = -1;

	memset(out, 0, sizeof(*out));
	out->serious_sev = -1;
	snprintf(out->unit_id, sizeof(out->unit_id), "%s", unit_id);
	/* One snapshot: the summary and the newest record it holds. */
	if (own && store_read_begin(s, e) == -1)
		return -1;
	if ((st = store_stmt(s, ST_USUP_ONE, e)) == NULL)
		goto done;
	store_bind_text(st, 1, unit_id);
	if ((r = sqlite3_step(st)) == SQLITE_ROW)
		brief_sup_row(st, 0, out);
	sqlite3_reset(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE) {
		store_dberr(s, "reading a supervision summary", e);
		goto done;
	}
	if (brief_sup_dated(s, out, 1, unit_id, since, e) == -1 ||
	    store_record_seq(s, &out->seq, e) == -1) {
		unit_sup_clear(out);
		goto done;
	}
	rc = 0;
done:
	if (own)
		store_read_end(s);
	return rc;
}

int64_t
store_record_last_seq(struct store *s)
{
	return s->last_seq;
}

int
store_record_seq(struct store *s, int64_t *seq, struct err *e)
{
	sqlite3_stmt *st;
	int r;

	*seq = 0;
	if ((st = store_stmt(s, ST_RSEQ_MAX, e)) == NULL)
		return -1;
	if ((r = sqlite3_step(st)) == SQLITE_ROW)
		*seq = (int64_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (r != SQLITE_ROW)
		return store_dberr(s, "reading the record sequence", e);
	return 0;
}

int
store_units_recorded_since(struct store *s, int64_t seq,
    store_unit_id_fn *fn, void *arg, struct err *e)
{
	sqlite3_stmt *st;
	int r;

	if ((st = store_stmt(s, ST_RSEQ_UNITS, e)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(arg, col_text(st, 0), e) == -1) {
			sqlite3_reset(st);
			return -1;
		}
	sqlite3_reset(st);
	if (r != SQLITE_DONE)
		return store_dberr(s, "reading newly stored records", e);
	return 0;
}

/* --- migration 6: briefs of the documents stored before it --------------- */

static int
fill_one(void *arg, const char *id, const char *xml, size_t len,
    struct err *e)
{
	struct store *s = arg;
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	char name[ID_MAX + 32];
	int rc = -1;

	snprintf(name, sizeof(name), "stored %s", id);
	if ((doc = xml_parse(xml, len, name, &xml_limits_import, e)) == NULL)
		return -1;
	if ((root = xmlDocGetRootElement(doc)) == NULL) {
		err_set(e, ERR_DB, "stored document %s has no element", id);
		goto done;
	}
	if (xmlStrcmp(root->name, BAD_CAST "Unit") == 0) {
		struct unit *u;
		struct unit_brief b;
		char lots[BRIEF_LOTS_MAX];

		if ((u = calloc(1, sizeof(*u))) == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
			goto done;
		}
		if ((rc = model_unit_read(root, u, e)) == 0) {
			brief_unit_from(u, &b, lots, sizeof(lots));
			rc = store_brief_unit_put(s, &b, e);
		}
		free(u);
	} else if (xmlStrcmp(root->name, BAD_CAST "ProcurementDefinition") ==
	    0) {
		struct procurement *p;
		struct proc_brief b;

		if ((p = calloc(1, sizeof(*p))) == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
			goto done;
		}
		if ((rc = model_procurement_read(root, p, e)) == 0) {
			brief_proc_from(p, &b);
			rc = store_brief_proc_put(s, &b, e);
		}
		model_procurement_clear(p);
		free(p);
	} else {
		struct supervision_record *r;
		struct record_brief b;

		if ((r = calloc(1, sizeof(*r))) == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
			goto done;
		}
		if ((rc = model_record_read(root, r, e)) == 0) {
			brief_record_from(r, &b);
			rc = store_brief_record_put(s, &b, e);
		}
		free(r);
	}
done:
	xmlFreeDoc(doc);
	return rc;
}

int
store_briefs_fill(struct store *s, struct err *e)
{
	xml_init();
	if (store_foreach(s, STORE_UNIT, fill_one, s, e) == -1 ||
	    store_foreach(s, STORE_PROCUREMENT, fill_one, s, e) == -1 ||
	    store_foreach(s, STORE_RECORD, fill_one, s, e) == -1)
		return -1;
	return 0;
}
