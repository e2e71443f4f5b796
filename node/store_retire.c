/*
 * store_retire.c - retired units (store_retire.h, migration 12).  A
 * retirement changes a few times a year, so the statements are prepared
 * per call rather than cached.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_internal.h"
#include "store_retire.h"

static int
prepare(struct store *s, const char *sql, sqlite3_stmt **st, struct err *e)
{
	*st = NULL;
	if (s->rdonly && strncmp(sql, "SELECT", 6) != 0)
		return err_set(e, ERR_DB, "%s: opened read-only", s->path);
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK) {
		*st = NULL;
		return store_dberr(s, "preparing a retirement statement", e);
	}
	return 0;
}

static void
col_copy(sqlite3_stmt *st, int i, char *buf, size_t len)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(buf, len, "%s", t != NULL ? (const char *)t : "");
}

static void
row(sqlite3_stmt *st, struct store_retired *r)
{
	memset(r, 0, sizeof(*r));
	col_copy(st, 0, r->id, sizeof(r->id));
	r->at = (time_t)sqlite3_column_int64(st, 1);
	col_copy(st, 2, r->by, sizeof(r->by));
	col_copy(st, 3, r->reason, sizeof(r->reason));
}

/* A reason people can read back: no control characters (a newline would
 * break the log line and the table), at most STORE_RETIRE_REASON_MAX. */
static int
reason_check(const char *reason, struct err *e)
{
	size_t i, n = strlen(reason);

	if (n > STORE_RETIRE_REASON_MAX)
		return err_set(e, ERR_INPUT, "reason: %zu bytes; at most %d",
		    n, STORE_RETIRE_REASON_MAX);
	for (i = 0; i < n; i++)
		if ((unsigned char)reason[i] < ' ' || reason[i] == 0x7f)
			return err_set(e, ERR_INPUT, "reason: a control "
			    "character at byte %zu; one line of text", i + 1);
	return 0;
}

int
store_unit_retired_get(struct store *s, const char *id,
    struct store_retired *out, struct err *e)
{
	sqlite3_stmt *st;
	int r;

	if (prepare(s, "SELECT id, at, by, reason FROM unit_retired"
	    " WHERE id = ?", &st, e) == -1)
		return -1;
	store_bind_text(st, 1, id);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW && out != NULL)
		row(st, out);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		store_dberr(s, "reading a unit's retirement", e);
	sqlite3_finalize(st);
	return r == SQLITE_ROW ? 1 : r == SQLITE_DONE ? 0 : -1;
}

int
store_unit_retire(struct store *s, const char *id, time_t at,
    const char *by, const char *reason, struct err *e)
{
	struct store_retired was;
	sqlite3_stmt *st;
	char region[3], when[32];
	struct tm tm;
	int r;

	if (reason == NULL)
		reason = "";
	if (reason_check(reason, e) == -1)
		return -1;
	if (strlen(id) > ID_MAX)
		return err_set(e, ERR_NOTFOUND, "no unit %.64s... is stored",
		    id);
	/* The unit row says whether the unit is stored (its region is
	 * never empty). */
	if (store_unit_region(s, id, region, e) == -1)
		return -1;
	if (region[0] == '\0')
		return err_set(e, ERR_NOTFOUND, "no unit %s is stored here",
		    id);
	if ((r = store_unit_retired_get(s, id, &was, e)) == -1)
		return -1;
	if (r == 1) {
		gmtime_r(&was.at, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		return err_set(e, ERR_CONFLICT, "unit %s is retired already "
		    "(since %s, by %s)", id, when, was.by);
	}
	if (prepare(s, "INSERT INTO unit_retired(id, at, by, reason)"
	    " VALUES (?, ?, ?, ?)", &st, e) == -1)
		return -1;
	store_bind_text(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)at);
	store_bind_text(st, 3, by);
	store_bind_text(st, 4, reason);
	r = store_step_done(s, st, "retiring unit", id, e);
	sqlite3_finalize(st);
	return r;
}

int
store_unit_reinstate(struct store *s, const char *id,
    struct store_retired *was, struct err *e)
{
	struct store_retired w;
	sqlite3_stmt *st;
	int r;

	if (strlen(id) > ID_MAX)
		return err_set(e, ERR_NOTFOUND, "unit %.64s... is not retired",
		    id);
	if ((r = store_unit_retired_get(s, id, &w, e)) == -1)
		return -1;
	if (r == 0)
		return err_set(e, ERR_NOTFOUND, "unit %s is not retired", id);
	if (prepare(s, "DELETE FROM unit_retired WHERE id = ?", &st, e) == -1)
		return -1;
	store_bind_text(st, 1, id);
	r = store_step_done(s, st, "reinstating unit", id, e);
	sqlite3_finalize(st);
	if (r == 0 && was != NULL)
		*was = w;
	return r;
}

int
store_units_retired_list(struct store *s, struct store_retired **out,
    size_t *n, struct err *e)
{
	struct store_retired *v = NULL, *nv;
	sqlite3_stmt *st;
	size_t cap = 0, k = 0;
	int r;

	*out = NULL;
	*n = 0;
	if (prepare(s, "SELECT id, at, by, reason FROM unit_retired"
	    " ORDER BY id", &st, e) == -1)
		return -1;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (k == cap) {
			cap = cap > 0 ? cap * 2 : 16;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL) {
				sqlite3_finalize(st);
				free(v);
				return err_set(e, ERR_NOMEM, "listing retired "
				    "units: out of memory");
			}
			v = nv;
		}
		row(st, &v[k++]);
	}
	if (r != SQLITE_DONE)
		store_dberr(s, "listing retired units", e);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE) {
		free(v);
		return -1;
	}
	*out = v;
	*n = k;
	return 0;
}
