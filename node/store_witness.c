/*
 * store_witness.c - the witness's tables (store_witness.h, migration 9).
 * The witness writes a row at most once per peer per witness_interval, so
 * the statements are prepared per call rather than cached.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "store_witness.h"

static int
prepare(struct store *s, const char *sql, sqlite3_stmt **st, struct err *e)
{
	if (s->rdonly && strncmp(sql, "SELECT", 6) != 0)
		return err_set(e, ERR_DB, "%s: opened read-only", s->path);
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK) {
		*st = NULL;
		return store_dberr(s, "preparing a witness statement", e);
	}
	return 0;
}

static void
col_text(sqlite3_stmt *st, int i, char *buf, size_t len)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(buf, len, "%s", t != NULL ? (const char *)t : "");
}

/* A copy of blob column i (NUL after *len); NULL with *len 0 for a NULL
 * column; -1 out of memory. */
static int
col_bytes(sqlite3_stmt *st, int i, char **out, size_t *len)
{
	const void *b;

	*out = NULL;
	*len = 0;
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return 0;
	b = sqlite3_column_blob(st, i);
	*len = (size_t)sqlite3_column_bytes(st, i);
	if ((*out = malloc(*len + 1)) == NULL)
		return -1;
	if (*len > 0)
		memcpy(*out, b, *len);
	(*out)[*len] = '\0';
	return 0;
}

int
store_witnessed_put(struct store *s, struct store_witnessed *w,
    struct err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (w->size > MERKLE_SIZE_MAX)
		return err_set(e, ERR_INPUT, "checkpoint size too large");
	if (prepare(s, "INSERT INTO witnessed(origin, size, root, time, seen, "
	    "id, xml) VALUES (?, ?, ?, ?, ?, ?, ?)", &st, e) == -1)
		return -1;
	store_bind_text(st, 1, w->origin);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)w->size);
	sqlite3_bind_blob(st, 3, w->root, MERKLE_HASH_LEN, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)w->time);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)w->seen);
	store_bind_text(st, 6, w->id);
	sqlite3_bind_blob64(st, 7, w->xml != NULL ? w->xml : "", w->len,
	    SQLITE_TRANSIENT);
	rc = store_step_done(s, st, "keeping a witnessed checkpoint", w->id,
	    e);
	if (rc == 0)
		w->seq = (int64_t)sqlite3_last_insert_rowid(s->db);
	sqlite3_finalize(st);
	return rc;
}

int
store_witnessed_latest(struct store *s, const char *origin,
    struct store_witnessed *out, int *found, struct err *e)
{
	sqlite3_stmt *st;
	int r, rc = -1;

	memset(out, 0, sizeof(*out));
	*found = 0;
	if (prepare(s, "SELECT seq, size, root, time, seen, id, xml FROM "
	    "witnessed WHERE origin = ? ORDER BY seq DESC LIMIT 1", &st,
	    e) == -1)
		return -1;
	store_bind_text(st, 1, origin);
	if ((r = sqlite3_step(st)) == SQLITE_DONE) {
		rc = 0;
		goto done;
	}
	if (r != SQLITE_ROW) {
		store_dberr(s, "reading a witnessed checkpoint", e);
		goto done;
	}
	snprintf(out->origin, sizeof(out->origin), "%s", origin);
	out->seq = sqlite3_column_int64(st, 0);
	out->size = (uint64_t)sqlite3_column_int64(st, 1);
	if (sqlite3_column_bytes(st, 2) != MERKLE_HASH_LEN) {
		err_set(e, ERR_DB, "%s: witnessed checkpoint %" PRId64 " has "
		    "no 32-byte root", s->path, out->seq);
		goto done;
	}
	memcpy(out->root, sqlite3_column_blob(st, 2), MERKLE_HASH_LEN);
	out->time = (time_t)sqlite3_column_int64(st, 3);
	out->seen = (time_t)sqlite3_column_int64(st, 4);
	col_text(st, 5, out->id, sizeof(out->id));
	if (col_bytes(st, 6, &out->xml, &out->len) == -1) {
		err_set(e, ERR_NOMEM, "witnessed checkpoint: out of memory");
		goto done;
	}
	*found = out->xml != NULL;
	rc = 0;
done:
	sqlite3_finalize(st);
	if (rc == -1)
		store_witnessed_clear(out);
	return rc;
}

void
store_witnessed_clear(struct store_witnessed *w)
{
	if (w == NULL)
		return;
	free(w->xml);
	w->xml = NULL;
	w->len = 0;
}

/* Whether an alarm of a's peer and kind about the same bytes is kept. */
static int
alarm_known(struct store *s, const struct store_witness_alarm *a, int *known,
    struct err *e)
{
	sqlite3_stmt *st;
	int r;

	*known = 0;
	if (prepare(s, "SELECT 1 FROM witness_alarms WHERE peer = ? AND "
	    "kind = ? AND got = ? LIMIT 1", &st, e) == -1)
		return -1;
	store_bind_text(st, 1, a->peer);
	store_bind_text(st, 2, a->kind);
	sqlite3_bind_blob64(st, 3, a->got != NULL ? a->got : "", a->got_len,
	    SQLITE_TRANSIENT);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r == SQLITE_ROW)
		*known = 1;
	else if (r != SQLITE_DONE)
		return store_dberr(s, "reading the witness alarms", e);
	return 0;
}

int
store_witness_alarm_put(struct store *s, struct store_witness_alarm *a,
    int *added, struct err *e)
{
	sqlite3_stmt *st;
	int known, rc;

	*added = 0;
	if (alarm_known(s, a, &known, e) == -1)
		return -1;
	if (known)
		return 0;
	if (prepare(s, "INSERT INTO witness_alarms(at, peer, kind, detail, "
	    "held_size, held_id, held, got_size, got_id, got) VALUES (?, ?, "
	    "?, ?, ?, ?, ?, ?, ?, ?)", &st, e) == -1)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)a->at);
	store_bind_text(st, 2, a->peer);
	store_bind_text(st, 3, a->kind);
	store_bind_text(st, 4, a->detail);
	if (a->has_held && a->held != NULL) {
		sqlite3_bind_int64(st, 5, (sqlite3_int64)a->held_size);
		store_bind_text(st, 6, a->held_id);
		sqlite3_bind_blob64(st, 7, a->held, a->held_len,
		    SQLITE_TRANSIENT);
	}
	sqlite3_bind_int64(st, 8, (sqlite3_int64)a->got_size);
	store_bind_text(st, 9, a->got_id);
	sqlite3_bind_blob64(st, 10, a->got != NULL ? a->got : "", a->got_len,
	    SQLITE_TRANSIENT);
	rc = store_step_done(s, st, "keeping a witness alarm", a->peer, e);
	if (rc == 0) {
		a->seq = (int64_t)sqlite3_last_insert_rowid(s->db);
		*added = 1;
	}
	sqlite3_finalize(st);
	return rc;
}

int
store_witness_alarms(struct store *s, int limit,
    struct store_witness_alarm **out, int *n, struct err *e)
{
	struct store_witness_alarm *a;
	sqlite3_stmt *st;
	int r, rc = -1;

	*out = NULL;
	*n = 0;
	if (limit < 1 || limit > STORE_WITNESS_ALARMS_MAX)
		return err_set(e, ERR_INPUT, "limit: from 1 to %d",
		    STORE_WITNESS_ALARMS_MAX);
	if ((a = calloc((size_t)limit, sizeof(*a))) == NULL)
		return err_set(e, ERR_NOMEM, "witness alarms: out of memory");
	if (prepare(s, "SELECT seq, at, peer, kind, detail, held IS NOT NULL, "
	    "held_size, held_id, got_size, got_id FROM witness_alarms ORDER BY "
	    "seq DESC LIMIT ?", &st, e) == -1) {
		free(a);
		return -1;
	}
	sqlite3_bind_int(st, 1, limit);
	while ((r = sqlite3_step(st)) == SQLITE_ROW && *n < limit) {
		struct store_witness_alarm *x = &a[*n];

		x->seq = sqlite3_column_int64(st, 0);
		x->at = (time_t)sqlite3_column_int64(st, 1);
		col_text(st, 2, x->peer, sizeof(x->peer));
		col_text(st, 3, x->kind, sizeof(x->kind));
		col_text(st, 4, x->detail, sizeof(x->detail));
		x->has_held = sqlite3_column_int(st, 5);
		x->held_size = (uint64_t)sqlite3_column_int64(st, 6);
		col_text(st, 7, x->held_id, sizeof(x->held_id));
		x->got_size = (uint64_t)sqlite3_column_int64(st, 8);
		col_text(st, 9, x->got_id, sizeof(x->got_id));
		(*n)++;
	}
	if (r != SQLITE_ROW && r != SQLITE_DONE) {
		store_dberr(s, "reading the witness alarms", e);
		goto done;
	}
	rc = 0;
done:
	sqlite3_finalize(st);
	if (rc == -1) {
		free(a);
		*n = 0;
	} else
		*out = a;
	return rc;
}
