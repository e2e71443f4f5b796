/*
 * store_outbox.c - the SQL of the outbox table (see store_outbox.h; the
 * table is created by migration 3 in store_migrate.c).  Outbox statements
 * run a few times per delivery, not per request, so they are prepared per
 * call rather than cached beside the store's hot statements.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "store_outbox.h"

static const char *const state_names[] = {
	[OUTBOX_PENDING] = "pending",
	[OUTBOX_DELIVERED] = "delivered",
	[OUTBOX_CONFLICT] = "conflict",
	[OUTBOX_REFUSED] = "refused",
	[OUTBOX_CANCELLED] = "cancelled",
};

const char *
store_outbox_state_name(enum outbox_state st)
{
	if ((int)st < 0 || (int)st >= OUTBOX_NSTATES)
		return "unknown";
	return state_names[st];
}

static enum outbox_state
state_parse(const char *s)
{
	int i;

	for (i = 0; s != NULL && i < OUTBOX_NSTATES; i++)
		if (strcmp(s, state_names[i]) == 0)
			return (enum outbox_state)i;
	return OUTBOX_PENDING;
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
		store_dberr(s, "preparing an outbox statement", e);
		return NULL;
	}
	return st;
}

static void
copy_col(sqlite3_stmt *st, int i, char *dst, size_t len)
{
	const char *v = (const char *)sqlite3_column_text(st, i);

	snprintf(dst, len, "%s", v != NULL ? v : "");
}

/* Runs a statement that returns no rows; finalizes it. */
static int
run(struct store *s, sqlite3_stmt *st, const char *what, struct err *e)
{
	int rc = 0;

	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store_dberr(s, what, e);
	sqlite3_finalize(st);
	return rc;
}

int
store_outbox_add(struct store *s, const char *record_id, const char *dest,
    int64_t now, struct err *e)
{
	sqlite3_stmt *st;

	if ((st = prep(s, "INSERT INTO outbox(record_id, destination, state,"
	    " attempts, created, next_attempt, updated) VALUES"
	    " (?, ?, 'pending', 0, ?, ?, ?)"
	    " ON CONFLICT(record_id, destination) DO NOTHING", e)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, record_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, dest, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, now);
	return run(s, st, "queueing a record in the outbox", e);
}

static void
row_read(sqlite3_stmt *st, struct outbox_row *r)
{
	memset(r, 0, sizeof(*r));
	copy_col(st, 0, r->record_id, sizeof(r->record_id));
	copy_col(st, 1, r->dest, sizeof(r->dest));
	r->state = state_parse((const char *)sqlite3_column_text(st, 2));
	r->attempts = sqlite3_column_int(st, 3);
	r->created = sqlite3_column_int64(st, 4);
	r->next_attempt = sqlite3_column_int64(st, 5);
	r->updated = sqlite3_column_int64(st, 6);
	copy_col(st, 7, r->last_error, sizeof(r->last_error));
}

#define ROW_COLUMNS	"record_id, destination, state, attempts, created," \
			" next_attempt, updated, last_error"

/* A transaction of our own unless the caller has one open. */
static int
tx_open(struct store *s, struct err *e)
{
	if (s->in_tx)
		return store_exec(s, "SAVEPOINT outbox", e);
	return store_exec(s, "BEGIN IMMEDIATE", e);
}

static int
tx_close(struct store *s, int rc, struct err *e)
{
	if (s->in_tx) {
		if (rc == 0)
			return store_exec(s, "RELEASE outbox", e);
		sqlite3_exec(s->db, "ROLLBACK TO outbox; RELEASE outbox", NULL,
		    NULL, NULL);
		return -1;
	}
	if (rc == 0)
		return store_exec(s, "COMMIT", e);
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int
store_outbox_claim(struct store *s, int64_t now, int64_t lease_until,
    int max, struct outbox_row *out, int *n, struct err *e)
{
	sqlite3_stmt *sel = NULL, *upd = NULL;
	int step, i, rc = -1;

	*n = 0;
	if (max <= 0)
		return 0;
	if (tx_open(s, e) == -1)
		return -1;
	if ((sel = prep(s, "SELECT " ROW_COLUMNS " FROM outbox"
	    " WHERE state = 'pending' AND next_attempt <= ?"
	    " ORDER BY next_attempt, created, record_id LIMIT ?", e)) == NULL)
		goto done;
	sqlite3_bind_int64(sel, 1, now);
	sqlite3_bind_int(sel, 2, max);
	while ((step = sqlite3_step(sel)) == SQLITE_ROW && *n < max)
		row_read(sel, &out[(*n)++]);
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		store_dberr(s, "reading due outbox rows", e);
		goto done;
	}
	if ((upd = prep(s, "UPDATE outbox SET attempts = attempts + 1,"
	    " next_attempt = ?, updated = ? WHERE record_id = ? AND"
	    " destination = ?", e)) == NULL)
		goto done;
	for (i = 0; i < *n; i++) {
		sqlite3_reset(upd);
		sqlite3_bind_int64(upd, 1, lease_until);
		sqlite3_bind_int64(upd, 2, now);
		sqlite3_bind_text(upd, 3, out[i].record_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(upd, 4, out[i].dest, -1, SQLITE_STATIC);
		if (sqlite3_step(upd) != SQLITE_DONE) {
			store_dberr(s, "leasing an outbox row", e);
			goto done;
		}
		out[i].attempts++;
		out[i].next_attempt = lease_until;
	}
	rc = 0;
done:
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	if (tx_close(s, rc, e) == -1) {
		*n = 0;
		return -1;
	}
	return 0;
}

static int
update(struct store *s, const char *sql, const char *record_id,
    const char *dest, const char *state, int64_t next, const char *why,
    int64_t now, struct err *e)
{
	sqlite3_stmt *st;

	if ((st = prep(s, sql, e)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, next);
	sqlite3_bind_text(st, 3, why != NULL ? why : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_text(st, 5, record_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, dest, -1, SQLITE_TRANSIENT);
	return run(s, st, "updating an outbox row", e);
}

int
store_outbox_done(struct store *s, const char *record_id, const char *dest,
    enum outbox_state st, const char *why, int64_t now, struct err *e)
{
	return update(s, "UPDATE outbox SET state = ?, next_attempt = ?,"
	    " last_error = ?, updated = ? WHERE record_id = ? AND"
	    " destination = ?", record_id, dest, store_outbox_state_name(st),
	    0, why, now, e);
}

int
store_outbox_retry(struct store *s, const char *record_id, const char *dest,
    int64_t next_attempt, const char *why, int64_t now, struct err *e)
{
	return update(s, "UPDATE outbox SET state = ?, next_attempt = ?,"
	    " last_error = ?, updated = ? WHERE record_id = ? AND"
	    " destination = ? AND state = 'pending'", record_id, dest,
	    "pending", next_attempt, why, now, e);
}

int
store_outbox_wake(struct store *s, int64_t now, struct err *e)
{
	sqlite3_stmt *st;

	if ((st = prep(s, "UPDATE outbox SET next_attempt = ?"
	    " WHERE state = 'pending' AND next_attempt > ?", e)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, now);
	return run(s, st, "waking the outbox", e);
}

static int
skipped(const struct outbox_key *skip, int nskip, const char *record_id,
    const char *dest)
{
	int i;

	for (i = 0; i < nskip; i++)
		if (strcmp(skip[i].record_id, record_id) == 0 &&
		    strcmp(skip[i].dest, dest) == 0)
			return 1;
	return 0;
}

int
store_outbox_hurry(struct store *s, const char *dest, int64_t now,
    const struct outbox_key *skip, int nskip, long *n, long *pending,
    struct err *e)
{
	sqlite3_stmt *sel = NULL, *upd = NULL;
	const char *rid, *d;
	int step, rc = -1;

	*n = 0;
	*pending = 0;
	if (tx_open(s, e) == -1)
		return -1;
	if ((sel = prep(s, "SELECT record_id, destination, next_attempt"
	    " FROM outbox WHERE state = 'pending' AND"
	    " (?1 IS NULL OR destination = ?1)", e)) == NULL ||
	    (upd = prep(s, "UPDATE outbox SET next_attempt = ?, updated = ?"
	    " WHERE record_id = ? AND destination = ? AND state = 'pending'",
	    e)) == NULL)
		goto done;
	if (dest != NULL)
		sqlite3_bind_text(sel, 1, dest, -1, SQLITE_TRANSIENT);
	while ((step = sqlite3_step(sel)) == SQLITE_ROW) {
		(*pending)++;
		rid = (const char *)sqlite3_column_text(sel, 0);
		d = (const char *)sqlite3_column_text(sel, 1);
		if (rid == NULL || d == NULL ||
		    sqlite3_column_int64(sel, 2) <= now ||
		    skipped(skip, nskip, rid, d))
			continue;
		sqlite3_reset(upd);
		sqlite3_bind_int64(upd, 1, now);
		sqlite3_bind_int64(upd, 2, now);
		sqlite3_bind_text(upd, 3, rid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(upd, 4, d, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(upd) != SQLITE_DONE) {
			store_dberr(s, "making outbox rows due", e);
			goto done;
		}
		(*n)++;
	}
	if (step != SQLITE_DONE) {
		store_dberr(s, "reading pending outbox rows", e);
		goto done;
	}
	rc = 0;
done:
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	return tx_close(s, rc, e);
}

int
store_outbox_cancel(struct store *s, const char *record_id, const char *why,
    int64_t now, long count[OUTBOX_NSTATES], struct err *e)
{
	sqlite3_stmt *sel = NULL, *upd = NULL;
	long total = 0;
	int step, rc = -1;

	memset(count, 0, OUTBOX_NSTATES * sizeof(count[0]));
	if (tx_open(s, e) == -1)
		return -1;
	if ((sel = prep(s, "SELECT state, count(*) FROM outbox"
	    " WHERE record_id = ? GROUP BY state", e)) == NULL)
		goto done;
	sqlite3_bind_text(sel, 1, record_id, -1, SQLITE_TRANSIENT);
	while ((step = sqlite3_step(sel)) == SQLITE_ROW) {
		count[state_parse((const char *)sqlite3_column_text(sel, 0))] +=
		    (long)sqlite3_column_int64(sel, 1);
		total += (long)sqlite3_column_int64(sel, 1);
	}
	if (step != SQLITE_DONE) {
		store_dberr(s, "reading the outbox rows of a record", e);
		goto done;
	}
	if (total == 0) {
		err_set(e, ERR_NOTFOUND, "record %s: no delivery of it in "
		    "the outbox", record_id);
		goto done;
	}
	if (count[OUTBOX_PENDING] > 0) {
		if ((upd = prep(s, "UPDATE outbox SET state = 'cancelled',"
		    " last_error = ?, updated = ? WHERE record_id = ? AND"
		    " state = 'pending'", e)) == NULL)
			goto done;
		sqlite3_bind_text(upd, 1, why != NULL ? why : "", -1,
		    SQLITE_TRANSIENT);
		sqlite3_bind_int64(upd, 2, now);
		sqlite3_bind_text(upd, 3, record_id, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(upd) != SQLITE_DONE) {
			store_dberr(s, "cancelling an outbox row", e);
			goto done;
		}
	}
	rc = 0;
done:
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	return tx_close(s, rc, e);
}

int
store_outbox_next_due(struct store *s, int64_t *out, struct err *e)
{
	sqlite3_stmt *st;
	int rc = -1;

	*out = 0;
	if ((st = prep(s, "SELECT min(next_attempt) FROM outbox"
	    " WHERE state = 'pending'", e)) == NULL)
		return -1;
	if (sqlite3_step(st) != SQLITE_ROW) {
		store_dberr(s, "reading the next outbox time", e);
		goto done;
	}
	if (sqlite3_column_type(st, 0) != SQLITE_NULL)
		*out = sqlite3_column_int64(st, 0);
	rc = 0;
done:
	sqlite3_finalize(st);
	return rc;
}

void
store_outbox_summary_clear(struct outbox_summary *sum)
{
	if (sum == NULL)
		return;
	free(sum->dests);
	memset(sum, 0, sizeof(*sum));
}

/* The entry of dest in sum, appended when new; NULL when out of memory. */
static struct outbox_dest_summary *
dest_entry(struct outbox_summary *sum, const char *dest)
{
	struct outbox_dest_summary *d;
	int i;

	for (i = 0; i < sum->ndests; i++)
		if (strcmp(sum->dests[i].dest, dest) == 0)
			return &sum->dests[i];
	if ((d = realloc(sum->dests, (size_t)(sum->ndests + 1) *
	    sizeof(*d))) == NULL)
		return NULL;
	sum->dests = d;
	d = &sum->dests[sum->ndests++];
	memset(d, 0, sizeof(*d));
	snprintf(d->dest, sizeof(d->dest), "%s", dest);
	return d;
}

int
store_outbox_summary(struct store *s, struct outbox_summary *out,
    struct err *e)
{
	struct outbox_dest_summary *d;
	sqlite3_stmt *st = NULL;
	char dest[OUTBOX_DEST_MAX];
	enum outbox_state state;
	int64_t oldest;
	long count;
	int step, rc = -1;

	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(s->db, "SELECT destination, state, count(*),"
	    " min(created), (SELECT last_error FROM outbox o2 WHERE"
	    " o2.destination = o.destination AND o2.last_error != ''"
	    " ORDER BY updated DESC LIMIT 1) FROM outbox o"
	    " GROUP BY destination, state ORDER BY destination", -1, &st,
	    NULL) != SQLITE_OK) {
		store_dberr(s, "summing the outbox", e);
		goto done;
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		copy_col(st, 0, dest, sizeof(dest));
		state = state_parse((const char *)sqlite3_column_text(st, 1));
		count = (long)sqlite3_column_int64(st, 2);
		oldest = sqlite3_column_int64(st, 3);
		if ((d = dest_entry(out, dest)) == NULL) {
			err_set(e, ERR_NOMEM, "summing the outbox: out of "
			    "memory");
			goto done;
		}
		d->count[state] += count;
		out->count[state] += count;
		copy_col(st, 4, d->last_error, sizeof(d->last_error));
		if (state == OUTBOX_PENDING) {
			out->pending += count;
			d->oldest_pending = oldest;
			if (out->oldest_pending == 0 ||
			    oldest < out->oldest_pending)
				out->oldest_pending = oldest;
		}
	}
	if (step != SQLITE_DONE) {
		store_dberr(s, "summing the outbox", e);
		goto done;
	}
	rc = 0;
done:
	sqlite3_finalize(st);
	if (rc == -1)
		store_outbox_summary_clear(out);
	return rc;
}

int
store_outbox_get(struct store *s, const char *record_id, const char *dest,
    struct outbox_row *out, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int step, rc = -1;

	if (sqlite3_prepare_v2(s->db, "SELECT " ROW_COLUMNS " FROM outbox"
	    " WHERE record_id = ? AND destination = ?", -1, &st, NULL) !=
	    SQLITE_OK) {
		store_dberr(s, "reading an outbox row", e);
		goto done;
	}
	sqlite3_bind_text(st, 1, record_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, dest, -1, SQLITE_TRANSIENT);
	step = sqlite3_step(st);
	if (step == SQLITE_DONE) {
		err_set(e, ERR_NOTFOUND, "outbox: no row for record %s to %s",
		    record_id, dest);
		goto done;
	}
	if (step != SQLITE_ROW) {
		store_dberr(s, "reading an outbox row", e);
		goto done;
	}
	row_read(st, out);
	rc = 0;
done:
	sqlite3_finalize(st);
	return rc;
}
