/*
 * store_brief_query.c - the offline CLI's loads (lasteri search --db, stats
 * --db): only what one query reads, without parsing a document.  A search
 * loads the units that can pass its hard filters (an SQL WHERE that is a
 * superset of search_run()'s filters, which run again on what is loaded)
 * joined to their supervision summaries; statistics load only the columns
 * they count.  The node's search worker loads everything (store_brief.c).
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "brief.h"
#include "search.h"
#include "store_brief_internal.h"
#include "store_internal.h"
#include "vocab.h"

/* Appends to buf (len bytes) at *off; -1 when it does not fit. */
static int
sql_add(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int w;

	va_start(ap, fmt);
	w = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= len - *off)
		return -1;
	*off += (size_t)w;
	return 0;
}

/* "b.col IN (k, ...)" for the bits of mask, when it restricts (0: any;
 * bit 31 is where search.c puts out-of-range values: not filtered here). */
static int
sql_bits(char *buf, size_t len, size_t *off, const char *col, uint32_t mask)
{
	int k, first = 1;

	if (mask == 0 || (mask & (UINT32_C(1) << 31)))
		return 0;
	if (sql_add(buf, len, off, " AND b.%s IN (", col) == -1)
		return -1;
	for (k = 0; k < 31; k++) {
		if (!(mask & (UINT32_C(1) << k)))
			continue;
		if (sql_add(buf, len, off, "%s%d", first ? "" : ", ", k) == -1)
			return -1;
		first = 0;
	}
	return sql_add(buf, len, off, ")");
}

#define CAND_TXT_MAX	(SEARCH_LANG_MAX + REGION_COUNT)

/* A candidate's brief (brief_unit_row) and summary (brief_sup_row at 17, NULL when the
 * unit has no records). */
static const char cand_cols[] = "b.id, b.name, b.region, b.type,"
    " b.service_level, b.gender, b.licence_valid, b.age_min, b.age_max,"
    " b.places, b.free_places, b.free_updated, b.price_cents,"
    " b.target_groups, b.expertise, b.languages, b.lots, s.unit_id,"
    " s.records, s.open_serious, s.serious_sev, s.blocks, s.visits,"
    " s.complaints, s.open_orders, s.no_action, s.view, s.attention,"
    " s.reprimand";

/* A retired unit (store_retire.h) is never a candidate, nor counted. */
#define NOT_RETIRED	" NOT EXISTS (SELECT 1 FROM unit_retired r" \
	" WHERE r.id = b.id)"

/*
 * The WHERE clause on unit_brief b keeping the units a search for nd can
 * match or count as left out: every hard filter but the licence and the
 * supervision ones, each a superset of search_run()'s own test (which runs
 * again on what is loaded), so that the matched and left-out counts and
 * the ranking are those of a search over every unit.  Numbers are written
 * in; region codes and languages are parameters 1..*ntxt, txt[].  A
 * language offered is two bytes of the stored "fi sv" string, so instr()
 * finds it.  -1 when buf is too small.
 */
static int
cand_where(const struct search_needs *nd, char *buf, size_t len,
    const char *txt[CAND_TXT_MAX], int *ntxt)
{
	size_t off = 0;
	int i, first;

	*ntxt = 0;
	if (sql_add(buf, len, &off, "b.free_places >= %d AND b.age_min <= %d"
	    " AND b.age_max >= %d AND" NOT_RETIRED, nd->free_places, nd->age,
	    nd->age) == -1)
		return -1;
	if (nd->max_price_cents >= 0 && sql_add(buf, len, &off,
	    " AND b.price_cents <= %ld", nd->max_price_cents) == -1)
		return -1;
	if (sql_bits(buf, len, &off, "type", nd->types) == -1 ||
	    sql_bits(buf, len, &off, "service_level", nd->levels) == -1)
		return -1;
	if (nd->gender >= 0 && sql_add(buf, len, &off, " AND b.gender IN"
	    " (%d, %d)", (int)G_ANY, nd->gender) == -1)
		return -1;
	if (nd->regions_required != 0) {
		if (sql_add(buf, len, &off, " AND substr(b.region, 1, 2) IN"
		    " (NULL") == -1)
			return -1;
		for (i = 0; i < REGION_COUNT && i < 32; i++) {
			if (!(nd->regions_required & (UINT32_C(1) << i)))
				continue;
			txt[(*ntxt)++] = regions[i].code;
			if (sql_add(buf, len, &off, ", ?") == -1)
				return -1;
		}
		if (sql_add(buf, len, &off, ")") == -1)
			return -1;
	}
	if (nd->nlanguages > 0) {
		for (i = 0, first = 1; i < nd->nlanguages &&
		    i < SEARCH_LANG_MAX; i++, first = 0) {
			txt[(*ntxt)++] = nd->languages[i];
			if (sql_add(buf, len, &off, "%s instr(b.languages, ?)"
			    " > 0", first ? " AND (" : " OR") == -1)
				return -1;
		}
		if (sql_add(buf, len, &off, ")") == -1)
			return -1;
	}
	return 0;
}

/* A statement of its own (not cached: the CLI runs one query), with
 * txt[] bound to parameters 1..ntxt. */
static sqlite3_stmt *
cand_stmt(struct store *s, const char *sql, const char *const *txt,
    int ntxt, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int i;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_dberr(s, "preparing a search", e);
		sqlite3_finalize(st);
		return NULL;
	}
	for (i = 0; i < ntxt; i++)
		sqlite3_bind_text(st, i + 1, txt[i], -1, SQLITE_STATIC);
	return st;
}

/* The events of u (rtime >= since) added to it. */
static int
sup_dated_events(struct store *s, struct unit_sup *u, time_t since,
    struct err *e)
{
	struct sup_event ev;
	sqlite3_stmt *st;
	int r;

	if ((st = store_stmt(s, ST_EV_UNIT, e)) == NULL)
		return -1;
	store_bind_text(st, 1, u->unit_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)since);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		ev.t = (time_t)sqlite3_column_int64(st, 1);
		ev.low = (int16_t)sqlite3_column_int(st, 2);
		ev.medium = (int16_t)sqlite3_column_int(st, 3);
		ev.high = (int16_t)sqlite3_column_int(st, 4);
		if (unit_sup_event(u, &ev) == -1) {
			sqlite3_reset(st);
			return err_set(e, ERR_NOMEM, "out of memory");
		}
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE)
		return store_dberr(s, "reading recent findings", e);
	return 0;
}

int
store_search_briefs_load(struct store *s, const struct search_needs *nd,
    time_t since, struct unit_brief **out, size_t *n, char **lots,
    struct unit_sup **sups, size_t *ns, size_t *total, struct err *e)
{
	struct lots_arena a = { NULL, 0, 0, NULL, 0 };
	struct unit_brief *v = NULL;
	struct unit_sup *vs = NULL;
	sqlite3_stmt *st = NULL;
	const char *txt[CAND_TXT_MAX];
	char where[2048], sql[4096];
	size_t cap = 0, k = 0, scap = 0, j = 0, i;
	int ntxt, r, rc = -1;

	*out = NULL;
	*n = 0;
	*lots = NULL;
	*sups = NULL;
	*ns = 0;
	*total = 0;
	if (cand_where(nd, where, sizeof(where), txt, &ntxt) == -1)
		return err_set(e, ERR_INTERNAL, "search: the query does not "
		    "fit its SQL");
	/* How many units a search over all of them would have scanned. */
	if ((st = cand_stmt(s, "SELECT count(*) FROM unit_brief b WHERE"
	    NOT_RETIRED, NULL, 0, e)) == NULL)
		goto done;
	if ((r = sqlite3_step(st)) != SQLITE_ROW) {
		store_dberr(s, "counting units", e);
		goto done;
	}
	*total = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	/* The candidates and their summaries, in ID order. */
	if ((size_t)snprintf(sql, sizeof(sql), "SELECT %s FROM unit_brief b"
	    " LEFT JOIN unit_supervision s ON s.unit_id = b.id WHERE %s"
	    " ORDER BY b.id", cand_cols, where) >= sizeof(sql)) {
		err_set(e, ERR_INTERNAL, "search: the query does not fit its "
		    "SQL");
		goto done;
	}
	if ((st = cand_stmt(s, sql, txt, ntxt, e)) == NULL)
		goto done;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (brief_room((void **)&v, &cap, k, sizeof(*v)) == -1 ||
		    brief_unit_row(st, 0, &v[k], &a, k) == -1)
			goto nomem;
		k++;
		if (sqlite3_column_type(st, 17) == SQLITE_NULL)
			continue;
		if (brief_room((void **)&vs, &scap, *ns, sizeof(*vs)) == -1)
			goto nomem;
		brief_sup_row(st, 17, &vs[(*ns)++]);
	}
	if (r != SQLITE_DONE) {
		store_dberr(s, "reading unit briefs", e);
		goto done;
	}
	sqlite3_finalize(st);
	st = NULL;
	/* Their findings since since: one look-up in the index by unit and
	 * date per unit with records (a unit without a summary has none),
	 * cheaper than another pass over every unit. */
	for (j = 0; j < *ns; j++)
		if (sup_dated_events(s, &vs[j], since, e) == -1)
			goto done;
	brief_lots_finish(&a, v, k, lots);
	*out = v;
	*n = k;
	*sups = vs;
	v = NULL;
	vs = NULL;
	rc = 0;
	goto done;
nomem:
	err_set(e, ERR_NOMEM, "loading units: out of memory");
done:
	sqlite3_finalize(st);
	if (rc == -1) {
		for (i = 0; i < *ns; i++)
			unit_sup_clear(&vs[i]);
		*ns = 0;
		*total = 0;
	}
	free(vs);
	free(a.at);
	free(a.p);
	free(v);
	return rc;
}

int
store_stats_briefs_load(struct store *s, struct unit_brief **out, size_t *n,
    struct err *e)
{
	struct unit_brief *v = NULL, *b;
	sqlite3_stmt *st;
	size_t cap = 0, k = 0;
	int r, rc = -1;

	*out = NULL;
	*n = 0;
	if ((st = cand_stmt(s, "SELECT id, region, type, service_level,"
	    " places, free_places, price_cents, expertise, EXISTS (SELECT 1"
	    " FROM unit_retired r WHERE r.id = unit_brief.id) FROM unit_brief"
	    " ORDER BY id", NULL, 0, e)) == NULL)
		return -1;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (brief_room((void **)&v, &cap, k, sizeof(*v)) == -1) {
			err_set(e, ERR_NOMEM, "loading units: out of memory");
			goto done;
		}
		b = &v[k++];
		memset(b, 0, sizeof(*b));
		brief_col_copy(st, 0, b->id, sizeof(b->id));
		brief_col_copy(st, 1, b->region, sizeof(b->region));
		b->type = (int8_t)sqlite3_column_int(st, 2);
		b->service_level = (int8_t)sqlite3_column_int(st, 3);
		b->places = sqlite3_column_int(st, 4);
		b->free_places = sqlite3_column_int(st, 5);
		b->price_cents = (long)sqlite3_column_int64(st, 6);
		b->expertise = (uint32_t)sqlite3_column_int64(st, 7);
		b->retired = (int8_t)sqlite3_column_int(st, 8);
		b->lots = "";
	}
	if (r != SQLITE_DONE) {
		store_dberr(s, "reading unit briefs", e);
		goto done;
	}
	*out = v;
	*n = k;
	v = NULL;
	rc = 0;
done:
	sqlite3_finalize(st);
	free(v);
	return rc;
}

int
store_stats_sups_load(struct store *s, struct unit_sup **out, size_t *n,
    struct err *e)
{
	struct unit_sup *v = NULL, *u;
	sqlite3_stmt *st;
	size_t cap = 0, k = 0, i;
	int r, c, rc = -1;

	*out = NULL;
	*n = 0;
	if ((st = cand_stmt(s, "SELECT unit_id, visits, complaints,"
	    " open_orders, no_action, view, attention, reprimand"
	    " FROM unit_supervision ORDER BY unit_id", NULL, 0, e)) == NULL)
		return -1;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (brief_room((void **)&v, &cap, k, sizeof(*v)) == -1) {
			err_set(e, ERR_NOMEM, "out of memory");
			goto done;
		}
		u = &v[k++];
		memset(u, 0, sizeof(*u));
		brief_col_copy(st, 0, u->unit_id, sizeof(u->unit_id));
		u->serious_sev = -1;
		u->visits = sqlite3_column_int(st, 1);
		u->complaints = sqlite3_column_int(st, 2);
		u->open_orders = sqlite3_column_int(st, 3);
		for (c = 0; c < 4; c++)
			u->outcomes[c] = sqlite3_column_int(st, 4 + c);
	}
	if (r != SQLITE_DONE) {
		store_dberr(s, "reading supervision summaries", e);
		goto done;
	}
	/* No events: none is dated after the end of time. */
	if (brief_sup_dated(s, v, k, NULL, (time_t)INT64_MAX, e) == -1)
		goto done;
	*out = v;
	*n = k;
	v = NULL;
	rc = 0;
done:
	sqlite3_finalize(st);
	for (i = 0; v != NULL && i < k; i++)
		unit_sup_clear(&v[i]);
	free(v);
	return rc;
}
