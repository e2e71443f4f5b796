/*
 * store_db.c - the store's connection: the SQL of every cached statement,
 * preparing and binding them, turning an SQLite failure into a struct err,
 * ending a transaction, and walking rows.  store.c, store_brief.c and
 * store_migrate.c all build on it; it calls none of them.
 *
 * Every SQLite failure that becomes an ERR_DB here is also logged (in the
 * daemon, see log_is_init()) at level error, as db_error (db_disk_full for
 * SQLITE_FULL), with SQLite's message, its result code, the errno of the
 * system call that failed, and what that means for the file: missing,
 * read-only, directory not writable, disk full.  A work limit running out
 * (SQLITE_INTERRUPT under a deadline) is the query's, not the database's,
 * and is not logged here.
 */
#include "config.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "store_internal.h"

static const char *const stmt_sql[ST_COUNT] = {
	[ST_SEEN_CLEAR] = "DELETE FROM temp.batch_seen",
	[ST_SEEN_PUT] = "INSERT INTO temp.batch_seen(kind, id) VALUES (?, ?)",
	[ST_UNIT_PUT] = "INSERT INTO units(id, region, home_region, type,"
	    " service_level, free_places, age_min, age_max, price_cents,"
	    " updated, xml) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	    " ON CONFLICT(id) DO UPDATE SET region = excluded.region,"
	    " home_region = excluded.home_region, type = excluded.type,"
	    " service_level = excluded.service_level,"
	    " free_places = excluded.free_places, age_min = excluded.age_min,"
	    " age_max = excluded.age_max, price_cents = excluded.price_cents,"
	    " updated = excluded.updated, xml = excluded.xml",
	[ST_UNIT_GET] = "SELECT xml FROM units WHERE id = ?",
	[ST_UNIT_REGION] = "SELECT home_region FROM units WHERE id = ?",
	[ST_UNIT_ALL] = "SELECT id, xml FROM units ORDER BY id",
	[ST_PROC_PUT] = "INSERT INTO procurements(id, region, updated, xml)"
	    " VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET"
	    " region = excluded.region, updated = excluded.updated,"
	    " xml = excluded.xml",
	[ST_PROC_GET] = "SELECT xml FROM procurements WHERE id = ?",
	[ST_PROC_ALL] = "SELECT id, xml FROM procurements ORDER BY id",
	[ST_AWARD_DEL] = "DELETE FROM awards WHERE procurement_id = ?",
	[ST_AWARD_PUT] = "INSERT INTO awards(procurement_id, lot_id, unit_id,"
	    " price_cents, rank) VALUES (?, ?, ?, ?, ?)",
	[ST_REC_DIGEST] = "SELECT digest, content_digest, signer"
	    " FROM supervision_records WHERE id = ?",
	[ST_REC_PUT] = "INSERT INTO supervision_records(id, unit_id, kind,"
	    " status, issuer, opened, digest, xml, received, content_digest,"
	    " signer, provider) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_REC_GET] = "SELECT xml, digest FROM supervision_records WHERE id = ?",
	[ST_REC_ALL] = "SELECT id, xml FROM supervision_records ORDER BY id",
	[ST_REC_UNIT] = "SELECT id, xml FROM supervision_records"
	    " WHERE unit_id = ? ORDER BY opened, id",
	[ST_REC_META] = "SELECT unit_id, issuer, coalesce(signer, ''), digest"
	    " FROM supervision_records WHERE id = ?",
	[ST_TRUST_GET] = "SELECT instance, sequence FROM trust_state"
	    " WHERE id = 1",
	[ST_TRUST_PUT] = "INSERT INTO trust_state(id, instance, sequence,"
	    " updated) VALUES (1, ?1, ?2, ?3) ON CONFLICT(id) DO UPDATE SET"
	    " instance = ?1, sequence = max(sequence, ?2), updated = ?3"
	    " WHERE instance = ?1",
	[ST_COUNTS] = "SELECT (SELECT count(*) FROM units),"
	    " (SELECT count(*) FROM procurements),"
	    " (SELECT count(*) FROM supervision_records),"
	    " (SELECT count(*) FROM awards),"
	    " (SELECT count(*) FROM supervision_records"
	    "  WHERE signer IS NOT NULL)",
	[ST_UBRIEF_PUT] = "INSERT OR REPLACE INTO unit_brief(id, name, region,"
	    " type, service_level, gender, licence_valid, age_min, age_max,"
	    " places, free_places, free_updated, price_cents, target_groups,"
	    " expertise, languages, lots) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
	    " ?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_UBRIEF_ALL] = "SELECT id, name, region, type, service_level,"
	    " gender, licence_valid, age_min, age_max, places, free_places,"
	    " free_updated, price_cents, target_groups, expertise, languages,"
	    " lots, EXISTS (SELECT 1 FROM unit_retired r"
	    " WHERE r.id = unit_brief.id) FROM unit_brief ORDER BY id",
	[ST_PBRIEF_PUT] = "INSERT OR REPLACE INTO procurement_brief(id, region,"
	    " joint) VALUES (?, ?, ?)",
	[ST_PBRIEF_ALL] = "SELECT id, region, joint FROM procurement_brief"
	    " ORDER BY id",
	[ST_RBRIEF_PUT] = "INSERT INTO record_brief(id, unit_id, kind, status,"
	    " outcome, serious_open, serious_sev, blocks, open, n_low,"
	    " n_medium, n_high, rtime, deadline) VALUES (?, ?, ?, ?, ?, ?, ?,"
	    " ?, ?, ?, ?, ?, ?, ?)",
	[ST_USUP_ADD] = "INSERT INTO unit_supervision(unit_id, records,"
	    " open_serious, serious_sev, blocks, visits, complaints,"
	    " open_orders, no_action, view, attention, reprimand) VALUES"
	    " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(unit_id) DO"
	    " UPDATE SET records = records + excluded.records,"
	    " open_serious = open_serious + excluded.open_serious,"
	    " serious_sev = max(serious_sev, excluded.serious_sev),"
	    " blocks = blocks + excluded.blocks,"
	    " visits = visits + excluded.visits,"
	    " complaints = complaints + excluded.complaints,"
	    " open_orders = open_orders + excluded.open_orders,"
	    " no_action = no_action + excluded.no_action,"
	    " view = view + excluded.view,"
	    " attention = attention + excluded.attention,"
	    " reprimand = reprimand + excluded.reprimand",
	[ST_USUP_ALL] = "SELECT unit_id, records, open_serious, serious_sev,"
	    " blocks, visits, complaints, open_orders, no_action, view,"
	    " attention, reprimand FROM unit_supervision ORDER BY unit_id",
	[ST_USUP_ONE] = "SELECT unit_id, records, open_serious, serious_sev,"
	    " blocks, visits, complaints, open_orders, no_action, view,"
	    " attention, reprimand FROM unit_supervision WHERE unit_id = ?",
	[ST_EV_ALL] = "SELECT unit_id, rtime, n_low, n_medium, n_high"
	    " FROM record_brief WHERE n_low + n_medium + n_high > 0"
	    " AND rtime >= ? ORDER BY rtime",
	[ST_EV_UNIT] = "SELECT unit_id, rtime, n_low, n_medium, n_high"
	    " FROM record_brief WHERE unit_id = ? AND rtime >= ?"
	    " AND n_low + n_medium + n_high > 0 ORDER BY rtime",
	[ST_DL_ALL] = "SELECT unit_id, deadline FROM record_brief"
	    " WHERE open = 1 AND deadline IS NOT NULL",
	[ST_DL_UNIT] = "SELECT unit_id, deadline FROM record_brief"
	    " WHERE unit_id = ? AND open = 1 AND deadline IS NOT NULL",
	[ST_RSEQ_MAX] = "SELECT coalesce(max(seq), 0) FROM record_brief",
	[ST_RSEQ_UNITS] = "SELECT DISTINCT unit_id FROM record_brief"
	    " WHERE seq > ?",
};

/* What the file system says about the database path, in words. */
static const char *
path_reason(const char *path, int rc, int sys_errno)
{
	char dir[4096];
	struct stat st;

	if (path == NULL)
		return "unknown";
	if (stat(path, &st) == -1)
		return errno == ENOENT ? "the database file is missing (removed "
		    "or moved)" : "the database file cannot be looked up";
	if ((rc & 0xff) == SQLITE_FULL || sys_errno == ENOSPC ||
	    sys_errno == EDQUOT)
		return "disk full";
	if (rc == SQLITE_READONLY_DBMOVED)
		return "the database file was removed or replaced under the "
		    "running node";
	if (access(path, R_OK) == -1)
		return "the database file is not readable";
	if (access(path, W_OK) == -1 || sys_errno == EROFS ||
	    (rc & 0xff) == SQLITE_READONLY)
		return "the database file is read-only";
	snprintf(dir, sizeof(dir), "%s", path);
	if (access(dirname(dir), W_OK) == -1)
		return "the database directory is not writable";
	if (sys_errno == EACCES || sys_errno == EPERM)
		return "permission denied";
	if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB)
		return "the database file is damaged";
	return "-";
}

/* The error log line of a failed SQLite call on s (see the top). */
static void
dblog(struct store *s, const char *what, const char *msg)
{
	char q1[LOG_Q_MAX], q2[LOG_Q_MAX], q3[LOG_Q_MAX], q4[128], q5[160];
	char en[128];
	int rc, se;

	if (!log_is_init() || s->db == NULL)
		return;
	rc = sqlite3_extended_errcode(s->db);
	se = sqlite3_system_errno(s->db);
	if (rc == SQLITE_INTERRUPT)
		return;
	/* SQLite keeps no errno for a full disk (it is "not a system
	 * error" there): the reason says it. */
	if (se != 0)
		snprintf(en, sizeof(en), "%s: %s", strerrorname_np(se) != NULL ?
		    strerrorname_np(se) : "?", strerror(se));
	else
		snprintf(en, sizeof(en), "-");
	log_error((rc & 0xff) == SQLITE_FULL ? "db_disk_full" : "db_error",
	    "path=%s what=%s code=%s errno=%s reason=%s msg=%s", s->path,
	    log_q(what, q1, sizeof(q1)), log_q(sqlite3_errstr(rc), q4,
	    sizeof(q4)),
	    log_q(en, q5, sizeof(q5)), log_q(path_reason(s->path, rc, se), q2, sizeof(q2)),
	    log_q(msg != NULL ? msg : sqlite3_errmsg(s->db), q3, sizeof(q3)));
}

int
store_dberr(struct store *s, const char *what, struct err *e)
{
	if (s->db != NULL && s->deadline != 0 &&
	    sqlite3_errcode(s->db) == SQLITE_INTERRUPT)
		return err_set(e, ERR_TIMEOUT, "%s: %s: the query's work limit "
		    "ran out", s->path, what);
	dblog(s, what, NULL);
	return err_set(e, ERR_DB, "%s: %s: %s", s->path, what,
	    s->db ? sqlite3_errmsg(s->db) : "out of memory");
}

/* SQLite's default: a checkpoint in the commit past 1,000 pages. */
#define WAL_AUTOCHECKPOINT	1000

struct wal_watch {
	store_wal_fn	*fn;
	void		*arg;
};

static int
wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct wal_watch *w = arg;

	(void)db;
	if (strcmp(name, "main") == 0)
		w->fn(w->arg, frames);
	return SQLITE_OK;
}

void
store_wal_watch(struct store *s, store_wal_fn *fn, void *arg)
{
	struct wal_watch *old = s->wal_watch, *w = NULL;

	if (fn != NULL && (w = malloc(sizeof(*w))) != NULL) {
		w->fn = fn;
		w->arg = arg;
		/* Replaces the hook of sqlite3_wal_autocheckpoint(). */
		sqlite3_wal_hook(s->db, wal_hook, w);
	} else		/* (out of memory: SQLite's own checkpoints stay) */
		sqlite3_wal_autocheckpoint(s->db, WAL_AUTOCHECKPOINT);
	s->wal_watch = w;
	free(old);
}

int
store_checkpoint(struct store *s, int *frames, int *copied, struct err *e)
{
	int rc, f = -1, c = -1;

	rc = sqlite3_wal_checkpoint_v2(s->db, "main",
	    SQLITE_CHECKPOINT_PASSIVE, &f, &c);
	if (frames != NULL)
		*frames = f;
	if (copied != NULL)
		*copied = c;
	if (rc == SQLITE_BUSY) {	/* another checkpoint is running */
		if (copied != NULL)
			*copied = -1;
		return 0;
	}
	if (rc != SQLITE_OK)
		return store_dberr(s, "checkpointing the write-ahead log", e);
	return 0;
}

int
store_exec(struct store *s, const char *sql, struct err *e)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		dblog(s, "running SQL", msg);
		err_set(e, ERR_DB, "%s: %s", s->path,
		    msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* The cached statement i, reset and unbound; NULL with e set. */
sqlite3_stmt *
store_stmt(struct store *s, enum store_stmt i, struct err *e)
{
	if (s->st[i] == NULL) {
		if (sqlite3_prepare_v3(s->db, stmt_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK) {
			store_dberr(s, "preparing a statement", e);
			return NULL;
		}
	} else {
		sqlite3_reset(s->st[i]);
		sqlite3_clear_bindings(s->st[i]);
	}
	return s->st[i];
}

/* Binding helpers: any failure is reported by the step that follows, since
 * SQLite keeps the error; they only need to fail loudly on NOMEM. */
int
store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	return sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

/* Undoes the open transaction (store.h). */
void
store_rollback(struct store *s)
{
	int i;

	if (s == NULL || !s->in_tx)
		return;
	/* Reset statements first: a pending read would keep the rollback
	 * from completing. */
	for (i = 0; i < ST_COUNT; i++)
		if (s->st[i] != NULL)
			sqlite3_reset(s->st[i]);
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_tx = 0;
}

/* Steps a bound writer to its end; ERR_DB naming what and id. */
int
store_step_done(struct store *s, sqlite3_stmt *st, const char *what,
    const char *id, struct err *e)
{
	int r = sqlite3_step(st);

	sqlite3_reset(st);
	if (r == SQLITE_DONE)
		return 0;
	dblog(s, what, NULL);
	err_set(e, ERR_DB, "%s: %s %s: %s", s->path, what, id,
	    sqlite3_errmsg(s->db));
	return -1;
}

/* Steps st (already bound) and calls fn per row (id, xml). */
int
store_each_row(struct store *s, sqlite3_stmt *st, store_each_fn *fn, void *arg,
    struct err *e)
{
	int r, rc = -1;

	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		const char *xml = sqlite3_column_blob(st, 1);
		size_t len = (size_t)sqlite3_column_bytes(st, 1);

		if (fn(arg, id ? id : "", xml ? xml : "", len, e) == -1)
			goto done;
	}
	if (r != SQLITE_DONE) {
		store_dberr(s, "reading", e);
		goto done;
	}
	rc = 0;
done:
	sqlite3_reset(st);
	return rc;
}

int
store_foreach(struct store *s, enum store_kind kind, store_each_fn *fn,
    void *arg, struct err *e)
{
	static const enum store_stmt all[] = {
		[STORE_UNIT] = ST_UNIT_ALL,
		[STORE_PROCUREMENT] = ST_PROC_ALL,
		[STORE_RECORD] = ST_REC_ALL,
	};
	sqlite3_stmt *st;

	if ((st = store_stmt(s, all[kind], e)) == NULL)
		return -1;
	return store_each_row(s, st, fn, arg, e);
}
