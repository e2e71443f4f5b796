/*
 * store_query.c - the nonces and the log of the national queries a node
 * answers, and the per-query work limit (see store_query.h; the tables are
 * created by migration 7 in store_migrate.c).  A few statements per query,
 * prepared once into the store's statement cache.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_internal.h"
#include "store_query.h"

int64_t
store_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* SQLite calls this every 200 virtual-machine steps (a clock read per some
 * microseconds of work); non-zero interrupts the statement. */
static int
past_deadline(void *arg)
{
	struct store *s = arg;

	return s->deadline != 0 && store_monotonic_ms() >= s->deadline;
}

void
store_set_deadline(struct store *s, int64_t until_ms)
{
	s->deadline = until_ms;
	sqlite3_progress_handler(s->db, until_ms != 0 ? 200 : 0,
	    until_ms != 0 ? past_deadline : NULL, s);
}

/* The hot statements, prepared once into the store's cache (slots
 * ST_QUERY_*): a query's commit ran five prepares, about a tenth of a
 * region's CPU per answer. */
static const char *const query_sql[ST_COUNT] = {
	[ST_QUERY_BEGIN] = "BEGIN IMMEDIATE",
	[ST_QUERY_COMMIT] = "COMMIT",
	[ST_QUERY_LOG_PUT] = "INSERT INTO query_log(at, asker, kind, status,"
	    " results, ms, digest) VALUES (?, ?, ?, ?, ?, ?, ?)",
};

/* The cached statement i of this file, reset and unbound. */
static sqlite3_stmt *
query_stmt(struct store *s, enum store_stmt i, struct err *e)
{
	if (s->rdonly) {
		err_set(e, ERR_DB, "%s: opened read-only", s->path);
		return NULL;
	}
	if (s->st[i] == NULL) {
		if (sqlite3_prepare_v3(s->db, query_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK) {
			store_dberr(s, "preparing a query-log statement", e);
			return NULL;
		}
	} else {
		sqlite3_reset(s->st[i]);
		sqlite3_clear_bindings(s->st[i]);
	}
	return s->st[i];
}

static sqlite3_stmt *
prep(struct store *s, const char *sql, struct err *e)
{
	sqlite3_stmt *st = NULL;

	if (s->rdonly) {
		err_set(e, ERR_DB, "%s: opened read-only", s->path);
		return NULL;
	}
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_dberr(s, "preparing a query-log statement", e);
		return NULL;
	}
	return st;
}

/* Steps st to its end; a cached one is reset (so that it holds nothing
 * open), any other finalized. */
static int
run(struct store *s, sqlite3_stmt *st, int cached, const char *what,
    struct err *e)
{
	int rc = 0;

	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store_dberr(s, what, e);
	if (cached)
		sqlite3_reset(st);
	else
		sqlite3_finalize(st);
	return rc;
}

/* Runs the cached statement i, which binds nothing. */
static int
run_cached(struct store *s, enum store_stmt i, const char *what,
    struct err *e)
{
	sqlite3_stmt *st;

	if ((st = query_stmt(s, i, e)) == NULL)
		return -1;
	return run(s, st, 1, what, e);
}

/* Inserts one log row (a transaction is open). */
static int
log_insert(struct store *s, const struct query_log_row *r, struct err *e)
{
	sqlite3_stmt *st;
	sqlite3_int64 seq;

	if ((st = query_stmt(s, ST_QUERY_LOG_PUT, e)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, r->at);
	sqlite3_bind_text(st, 2, r->asker, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, r->kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, r->status, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, r->results);
	sqlite3_bind_int64(st, 6, r->ms);
	sqlite3_bind_text(st, 7, r->digest, -1, SQLITE_TRANSIENT);
	if (run(s, st, 1, "logging a query", e) == -1)
		return -1;
	seq = sqlite3_last_insert_rowid(s->db);
	if (seq % 1000 != 0 || seq <= STORE_QUERY_LOG_KEEP)
		return 0;
	/* Now and then, not on every row: the log's bound. */
	if ((st = prep(s, "DELETE FROM query_log WHERE seq <= ?", e)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, seq - STORE_QUERY_LOG_KEEP);
	return run(s, st, 0, "trimming the query log", e);
}

int
store_query_log_commit(struct store *s, const struct query_log_row *rows,
    size_t nrows, struct err *e)
{
	size_t i;

	if (s->in_tx)
		return err_set(e, ERR_INTERNAL, "%s: the query log is written "
		    "in a transaction of its own", s->path);
	if (nrows == 0)
		return 0;
	if (run_cached(s, ST_QUERY_BEGIN, "starting a query log's "
	    "transaction", e) == -1)
		goto fail;
	for (i = 0; i < nrows; i++)
		if (log_insert(s, &rows[i], e) == -1)
			goto fail;
	if (run_cached(s, ST_QUERY_COMMIT, "committing the query log", e) ==
	    -1)
		goto fail;
	return 0;
fail:
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int
store_query_log_add(struct store *s, const struct query_log_row *r,
    struct err *e)
{
	if (s->in_tx)
		return log_insert(s, r, e);
	return store_query_log_commit(s, r, 1, e);
}

int
store_query_nonces_take(struct store *s, time_t now,
    store_nonce_fn *fn, void *arg, size_t *moved, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*moved = 0;
	if (s->rdonly)
		return 0;
	if (store_exec(s, "BEGIN IMMEDIATE", e) == -1)
		return -1;
	if ((st = prep(s, "SELECT nonce, asker, expires FROM query_nonce"
	    " WHERE expires >= ?", e)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (fn(arg, (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    (time_t)sqlite3_column_int64(st, 2), e) == -1)
			goto fail;
		(*moved)++;
	}
	if (rc != SQLITE_DONE) {
		store_dberr(s, "reading the query nonces", e);
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (store_exec(s, "DELETE FROM query_nonce", e) == -1 ||
	    store_exec(s, "COMMIT", e) == -1)
		goto fail;
	return 0;
fail:
	sqlite3_finalize(st);
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static void
copy_col(sqlite3_stmt *st, int i, char *dst, size_t len)
{
	const char *v = (const char *)sqlite3_column_text(st, i);

	snprintf(dst, len, "%s", v != NULL ? v : "");
}

int
store_query_log_list(struct store *s, int max, struct query_log_row *out,
    int *n, struct err *e)
{
	sqlite3_stmt *st = NULL;
	struct query_log_row *r;
	int step = SQLITE_DONE;

	*n = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT seq, at, asker, kind, status,"
	    " results, ms, digest FROM query_log ORDER BY seq DESC LIMIT ?",
	    -1, &st, NULL) != SQLITE_OK)
		return store_dberr(s, "reading the query log", e);
	sqlite3_bind_int(st, 1, max);
	while (*n < max && (step = sqlite3_step(st)) == SQLITE_ROW) {
		r = &out[(*n)++];
		memset(r, 0, sizeof(*r));
		r->seq = sqlite3_column_int64(st, 0);
		r->at = sqlite3_column_int64(st, 1);
		copy_col(st, 2, r->asker, sizeof(r->asker));
		copy_col(st, 3, r->kind, sizeof(r->kind));
		copy_col(st, 4, r->status, sizeof(r->status));
		r->results = (long)sqlite3_column_int64(st, 5);
		r->ms = (long)sqlite3_column_int64(st, 6);
		copy_col(st, 7, r->digest, sizeof(r->digest));
	}
	if (*n < max && step != SQLITE_DONE) {
		sqlite3_finalize(st);
		*n = 0;
		return store_dberr(s, "reading the query log", e);
	}
	sqlite3_finalize(st);
	return 0;
}

/* --- records by provider ------------------------------------------------- */

struct fill {
	struct store	*s;
	sqlite3_stmt	*up;
};

static int
provider_one(void *arg, const struct supervision_record *r, struct err *e)
{
	struct fill *f = arg;

	if (r->provider_ytunnus[0] == '\0')
		return 0;
	sqlite3_reset(f->up);
	sqlite3_bind_text(f->up, 1, r->provider_ytunnus, -1, SQLITE_STATIC);
	sqlite3_bind_text(f->up, 2, r->id, -1, SQLITE_STATIC);
	if (sqlite3_step(f->up) != SQLITE_DONE)
		return store_dberr(f->s, "filling a record's provider", e);
	return 0;
}

int
store_providers_fill(struct store *s, struct err *e)
{
	struct fill f = { s, NULL };
	int rc;

	if (sqlite3_prepare_v2(s->db, "UPDATE supervision_records SET"
	    " provider = ? WHERE id = ?", -1, &f.up, NULL) != SQLITE_OK)
		return store_dberr(s, "preparing the provider fill", e);
	rc = store_records_each(s, provider_one, &f, e);
	sqlite3_finalize(f.up);
	return rc;
}

int
store_record_ids_by(struct store *s, const char *unit_id,
    const char *provider, char (*ids)[ID_MAX + 1], size_t max, size_t *n,
    struct err *e)
{
	sqlite3_stmt *st = NULL;
	const char *v;
	int step = SQLITE_DONE;

	*n = 0;
	if (sqlite3_prepare_v2(s->db, unit_id != NULL ?
	    "SELECT id FROM supervision_records WHERE unit_id = ?"
	    " AND signer IS NOT NULL ORDER BY opened, id LIMIT ?" :
	    "SELECT id FROM supervision_records WHERE provider = ?"
	    " AND signer IS NOT NULL ORDER BY opened, id LIMIT ?", -1, &st,
	    NULL) != SQLITE_OK)
		return store_dberr(s, "finding records", e);
	sqlite3_bind_text(st, 1, unit_id != NULL ? unit_id : provider, -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	while (*n < max && (step = sqlite3_step(st)) == SQLITE_ROW) {
		v = (const char *)sqlite3_column_text(st, 0);
		snprintf(ids[(*n)++], ID_MAX + 1, "%s", v != NULL ? v : "");
	}
	sqlite3_finalize(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		*n = 0;
		return store_dberr(s, "finding records", e);
	}
	return 0;
}
