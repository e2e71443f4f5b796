/*
 * test_store.c - the node's SQLite store: migrations, exact bytes, batches
 * that are all or nothing, idempotent records and conflicts, WAL, and the
 * loaders that rebuild structs from the stored bytes.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <sqlite3.h>

#include "brief.h"
#include "model.h"
#include "schema.h"
#include "store.h"
#include "store_import.h"
#include "store_internal.h"
#include "store_query.h"
#include "store_tlog.h"
#include "testmain.h"
#include "vocab.h"
#include "xml.h"

#define SIGNER	"FI/GOV/1/lasteri"
/* Undoes migrations 8 and up, for going back to an older schema. */
#define TLOG_DROP TEST_UNDO_MIGRATIONS_8_UP

static char tmpdir[256];
static int dbseq;

/* A new database path in the suite's directory. */
static const char *
newdb(void)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/t%d.db", tmpdir, ++dbseq);
	return path;
}

static int
suite_init(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/lasteri-store.XXXXXX",
	    t ? t : "/tmp");
	xml_init();
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
suite_clean(void)
{
	char path[1024];
	struct dirent *d;
	DIR *dir;

	if ((dir = opendir(tmpdir)) == NULL)
		return -1;
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", tmpdir, d->d_name);
		unlink(path);
	}
	closedir(dir);
	return rmdir(tmpdir);
}

static struct store *
open_new(const char **pathp)
{
	struct store *s = NULL;
	struct err e;
	const char *p = newdb();

	err_clear(&e);
	if (store_open(p, STORE_CREATE, &s, &e) == -1)
		fprintf(stderr, "store_open: %s\n", e.msg);
	if (pathp != NULL)
		*pathp = p;
	return s;
}

static void
fill_unit(struct unit *u, const char *id)
{
	memset(u, 0, sizeof(*u));
	snprintf(u->id, sizeof(u->id), "%s", id);
	snprintf(u->region, sizeof(u->region), "08");
	snprintf(u->home_region, sizeof(u->home_region), "08");
	u->free_places = 1;
	u->age_min = 12;
	u->age_max = 17;
	u->price_cents = 69000;
	u->updated = 1700000000;
}

static void
fill_record(struct supervision_record *r, const char *id)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", id);
	snprintf(r->unit_id, sizeof(r->unit_id), "U1");
	snprintf(r->issuer, sizeof(r->issuer), "HVA-08");
	snprintf(r->opened, sizeof(r->opened), "2026-03-02");
	r->outcome = -1;
	r->announced = -1;
}

static long
count_units(struct store *s)
{
	struct store_counts c;
	struct err e;

	if (store_counts(s, &c, &e) == -1)
		return -1;
	return c.units;
}

/* --- migrations ------------------------------------------------------------ */

static void
test_migrates_empty(void)
{
	struct store *s;
	struct err e;
	int v = -1;

	CU_ASSERT_FATAL((s = open_new(NULL)) != NULL);
	CU_ASSERT(store_schema_version(s, &v, &e) == 0);
	CU_ASSERT(v == store_schema_latest());
	CU_ASSERT(store_schema_latest() >= 2);
	CU_ASSERT(count_units(s) == 0);
	store_close(s);
}

static void
test_reopens(void)
{
	struct store *s;
	struct unit u;
	struct err e;
	const char *p;
	char path[512];
	int v = -1;

	CU_ASSERT_FATAL((s = open_new(&p)) != NULL);
	snprintf(path, sizeof(path), "%s", p);
	fill_unit(&u, "U1");
	CU_ASSERT(store_unit_put(s, &u, "<a/>", 4, &e) == 0);
	store_close(s);
	s = NULL;
	CU_ASSERT_FATAL(store_open(path, 0, &s, &e) == 0);
	CU_ASSERT(store_schema_version(s, &v, &e) == 0);
	CU_ASSERT(v == store_schema_latest());
	CU_ASSERT(count_units(s) == 1);
	store_close(s);
	s = NULL;
	CU_ASSERT_FATAL(store_open(path, STORE_RDONLY, &s, &e) == 0);
	CU_ASSERT(count_units(s) == 1);
	store_close(s);
}

static void
test_refuses_missing(void)
{
	struct store *s = NULL;
	struct err e;
	const char *p = newdb();

	err_clear(&e);
	CU_ASSERT(store_open(p, 0, &s, &e) == -1);
	CU_ASSERT(s == NULL);
	CU_ASSERT(e.code == ERR_IO);
	CU_ASSERT(strstr(e.msg, p) != NULL);
	CU_ASSERT(access(p, F_OK) == -1);
}

static void
test_refuses_newer(void)
{
	struct store *s;
	struct err e;
	sqlite3 *db = NULL;
	const char *p;
	char path[512], sql[128];

	CU_ASSERT_FATAL((s = open_new(&p)) != NULL);
	snprintf(path, sizeof(path), "%s", p);
	store_close(s);
	s = NULL;
	snprintf(sql, sizeof(sql), "INSERT INTO schema_version(version, "
	    "applied) VALUES (%d, 0)", store_schema_latest() + 1);
	CU_ASSERT_FATAL(sqlite3_open(path, &db) == SQLITE_OK);
	CU_ASSERT(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	err_clear(&e);
	CU_ASSERT(store_open(path, 0, &s, &e) == -1);
	CU_ASSERT(s == NULL);
	CU_ASSERT(e.code == ERR_DB);
	CU_ASSERT(strstr(e.msg, "newer than this program") != NULL);
}

static void
test_refuses_foreign(void)
{
	struct store *s = NULL;
	struct err e;
	sqlite3 *db = NULL;
	FILE *f;
	const char *p = newdb();
	char path[512];

	snprintf(path, sizeof(path), "%s", p);
	CU_ASSERT_FATAL(sqlite3_open(path, &db) == SQLITE_OK);
	CU_ASSERT(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL,
	    NULL) == SQLITE_OK);
	sqlite3_close(db);
	err_clear(&e);
	CU_ASSERT(store_open(path, 0, &s, &e) == -1);
	CU_ASSERT(e.code == ERR_DB);
	CU_ASSERT(strstr(e.msg, "not a Lasteri database") != NULL);

	p = newdb();
	CU_ASSERT_FATAL((f = fopen(p, "w")) != NULL);
	fputs("this is not a database, it only looks like a file\n", f);
	fclose(f);
	err_clear(&e);
	CU_ASSERT(store_open(p, 0, &s, &e) == -1);
	CU_ASSERT(e.code == ERR_DB);
	CU_ASSERT(strstr(e.msg, "not a database") != NULL);
}

static void
test_wal(void)
{
	struct store *s;

	CU_ASSERT_FATAL((s = open_new(NULL)) != NULL);
	CU_ASSERT(store_is_wal(s) == 1);
	store_close(s);
}

struct wal_seen {
	int	calls, frames;
};

static void
wal_seen(void *arg, int frames)
{
	struct wal_seen *w = arg;

	w->calls++;
	w->frames = frames;
}

/* n puts of a unit of 100 KiB (about 25 pages each), each its own
 * transaction. */
static void
put_big(struct store *s, int first, int n)
{
	static char big[100 * 1024];
	struct unit u;
	char id[32];
	struct err e;
	int i;

	memset(big, 'x', sizeof(big));
	big[0] = '<';
	big[sizeof(big) - 2] = '>';
	for (i = first; i < first + n; i++) {
		snprintf(id, sizeof(id), "BIG-%d", i);
		fill_unit(&u, id);
		err_clear(&e);
		CU_ASSERT(store_unit_put(s, &u, big, sizeof(big), &e) == 0);
	}
}

/* store_wal_watch(): the commits report the WAL's size and no longer
 * checkpoint it (it grows past SQLite's 1,000 pages); another connection's
 * store_checkpoint() copies all of it and the next write starts the WAL
 * over; without a watcher SQLite checkpoints on its own again. */
static void
test_wal_watch(void)
{
	struct wal_seen w = { 0, 0 };
	struct store *s, *c;
	const char *path;
	char p[600];
	int frames, copied;
	struct err e;

	CU_ASSERT_FATAL((s = open_new(&path)) != NULL);
	snprintf(p, sizeof(p), "%s", path);
	err_clear(&e);
	CU_ASSERT_FATAL(store_open(p, 0, &c, &e) == 0);
	store_wal_watch(s, wal_seen, &w);
	put_big(s, 0, 60);
	CU_ASSERT(w.calls == 60);
	CU_ASSERT(w.frames >= 1400);	/* 60 x about 25 pages, all kept */
	CU_ASSERT(store_checkpoint(c, &frames, &copied, &e) == 0);
	CU_ASSERT(frames == w.frames && copied == frames);
	put_big(s, 100, 1);
	CU_ASSERT(w.calls == 61 && w.frames > 0 && w.frames < 100);
	/* No watcher: SQLite's own checkpoint past 1,000 pages again. */
	store_wal_watch(s, NULL, NULL);
	put_big(s, 200, 60);
	CU_ASSERT(w.calls == 61);
	CU_ASSERT(store_checkpoint(c, &frames, &copied, &e) == 0);
	CU_ASSERT(frames >= 0 && frames < 1000);
	store_close(c);
	store_close(s);
}

/* --- bytes and batches ----------------------------------------------------- */

static void
test_exact_bytes(void)
{
	static const char bytes[] = "<Unit xmlns=\"urn:lasteri:1\" Id=\"U1\">"
	    "\n\t  odd   spacing \xc3\xa4\r\n</Unit>";
	struct store *s;
	struct unit u;
	struct err e;
	char *got = NULL;
	size_t len = 0;

	CU_ASSERT_FATAL((s = open_new(NULL)) != NULL);
	fill_unit(&u, "U1");
	CU_ASSERT(store_unit_put(s, &u, bytes, sizeof(bytes) - 1, &e) == 0);
	CU_ASSERT_FATAL(store_unit_get(s, "U1", &got, &len, &e) == 0);
	CU_ASSERT(len == sizeof(bytes) - 1);
	CU_ASSERT(memcmp(got, bytes, len) == 0);
	free(got);
	got = NULL;
	/* Put again under the same ID: replaced. */
	CU_ASSERT(store_unit_put(s, &u, "<b/>", 4, &e) == 0);
	CU_ASSERT(store_unit_get(s, "U1", &got, &len, &e) == 0);
	CU_ASSERT(len == 4 && memcmp(got, "<b/>", 4) == 0);
	CU_ASSERT(count_units(s) == 1);
	free(got);
	store_close(s);
}

static void
test_notfound(void)
{
	struct store *s;
	struct err e;
	char *got = NULL;
	size_t len;

	CU_ASSERT_FATAL((s = open_new(NULL)) != NULL);
	err_clear(&e);
	CU_ASSERT(store_unit_get(s, "NOPE", &got, &len, &e) == -1);
	CU_ASSERT(e.code == ERR_NOTFOUND);
	CU_ASSERT(strstr(e.msg, "NOPE") != NULL);
	CU_ASSERT(got == NULL);
	store_close(s);
}

static void
test_batch_rollback(void)
{
	struct store *s;
	struct unit u;
	struct supervision_record r;
	struct store_counts c;
	struct err e;
	char *got = NULL;
	size_t len;

	CU_ASSERT_FATAL((s = open_new(NULL)) != NULL);
	fill_unit(&u, "U0");
	CU_ASSERT(store_unit_put(s, &u, "<old/>", 6, &e) == 0);

	CU_ASSERT_FATAL(store_begin(s, &e) == 0);
	CU_ASSERT(store_unit_put(s, &u, "<new/>", 6, &e) == 0);
	fill_unit(&u, "U1");
	CU_ASSERT(store_unit_put(s, &u, "<u1/>", 5, &e) == 0);
	fill_record(&r, "R1");
	CU_ASSERT(store_record_put(s, &r, "<r/>", 4, NULL, &e) == 0);
	fill_unit(&u, "U2");
	CU_ASSERT(store_unit_put(s, &u, "<u2/>", 5, &e) == 0);
	/* The same ID again in one batch: refused, naming it. */
	fill_unit(&u, "U1");
	err_clear(&e);
	CU_ASSERT(store_unit_put(s, &u, "<u1b/>", 6, &e) == -1);
	CU_ASSERT(e.code == ERR_INPUT);
	CU_ASSERT(strstr(e.msg, "unit U1 appears twice") != NULL);
	store_rollback(s);

	CU_ASSERT(store_counts(s, &c, &e) == 0);
	CU_ASSERT(c.units == 1);
	CU_ASSERT(c.records == 0);
	CU_ASSERT(store_unit_get(s, "U0", &got, &len, &e) == 0);
	CU_ASSERT(len == 6 && memcmp(got, "<old/>", 6) == 0);
	free(got);

	/* After the rollback a new batch may use the same IDs. */
	CU_ASSERT_FATAL(store_begin(s, &e) == 0);
	CU_ASSERT(store_unit_put(s, &u, "<u1/>", 5, &e) == 0);
	CU_ASSERT(store_commit(s, &e) == 0);
	CU_ASSERT(count_units(s) == 2);
	store_close(s);
}

static void
test_close_rolls_back(void)
{
	struct store *s;
	struct unit u;
	struct err e;
	const char *p;
	char path[512];

	CU_ASSERT_FATAL((s = open_new(&p)) != NULL);
	snprintf(path, sizeof(path), "%s", p);
	CU_ASSERT_FATAL(store_begin(s, &e) == 0);
	fill_unit(&u, "U1");
	CU_ASSERT(store_unit_put(s, &u, "<u/>", 4, &e) == 0);
	store_close(s);
	s = NULL;
	CU_ASSERT_FATAL(store_open(path, 0, &s, &e) == 0);
	CU_ASSERT(count_units(s) == 0);
	store_close(s);
}

static void
test_record_idempotent(void)
{
	struct store *s;
	struct supervision_record r;
	struct store_counts c;
	struct err e;
	char digest[65], *got = NULL;
	size_t len;
	int isnew = -1;

	CU_ASSERT_FATAL((s = open_new(NULL)) != NULL);
	fill_record(&r, "R1");
	CU_ASSERT(store_record_put(s, &r, "<r>1</r>", 8, &isnew, &e) == 0);
	CU_ASSERT(isnew == 1);
	CU_ASSERT(store_record_put(s, &r, "<r>1</r>", 8, &isnew, &e) == 0);
	CU_ASSERT(isnew == 0);
	CU_ASSERT(store_counts(s, &c, &e) == 0);
	CU_ASSERT(c.records == 1);
	CU_ASSERT(store_record_get(s, "R1", &got, &len, digest, &e) == 0);
	/* SHA-256 of "<r>1</r>". */
	CU_ASSERT_STRING_EQUAL(digest,
	    "1b2b62dc7006b69acd715e4614647dcbd9ed402b31d594e726962c594764fd1b");
	free(got);
	store_close(s);
}

static void
test_record_conflict(void)
{
	struct store *s;
	struct supervision_record r;
	struct err e;
	char *got = NULL;
	size_t len;
	int isnew = -1;

	CU_ASSERT_FATAL((s = open_new(NULL)) != NULL);
	fill_record(&r, "R1");
	CU_ASSERT(store_record_put(s, &r, "<r>1</r>", 8, &isnew, &e) == 0);
	err_clear(&e);
	CU_ASSERT(store_record_put(s, &r, "<r>2</r>", 8, &isnew, &e) == -1);
	CU_ASSERT(e.code == ERR_CONFLICT);
	CU_ASSERT(strstr(e.msg, "R1") != NULL);
	CU_ASSERT(strstr(e.msg, "different document") != NULL);
	CU_ASSERT(store_record_get(s, "R1", &got, &len, NULL, &e) == 0);
	CU_ASSERT(len == 8 && memcmp(got, "<r>1</r>", 8) == 0);
	free(got);
	store_close(s);
}

/* The stores' VFS gathers a connection's WAL writes (store_vfs.c): what a
 * commit wrote is in the WAL file when the commit returns.  A process that
 * commits and ends without closing its store (as if killed) leaves its
 * commits, a transaction larger than the gathering buffer among them, for
 * another connection on SQLite's own VFS to read. */
static void
test_vfs_commits(void)
{
	static char big[600 * 1024];
	struct store *s;
	struct unit u;
	struct err e;
	sqlite3 *db;
	sqlite3_stmt *st;
	const char *p;
	char path[512];
	pid_t pid;
	int status = -1;

	CU_ASSERT_FATAL((s = open_new(&p)) != NULL);
	snprintf(path, sizeof(path), "%s", p);
	store_close(s);
	memset(big, 'x', sizeof(big));
	big[0] = '<';
	big[sizeof(big) - 1] = '>';
	if ((pid = fork()) == 0) {
		if (store_open(path, 0, &s, &e) == -1)
			_exit(2);
		fill_unit(&u, "U1");
		if (store_unit_put(s, &u, "<u1/>", 5, &e) == -1)
			_exit(3);
		fill_unit(&u, "U2");
		if (store_unit_put(s, &u, big, sizeof(big), &e) == -1)
			_exit(4);
		_exit(0);
	}
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT(waitpid(pid, &status, 0) == pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CU_ASSERT_FATAL(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) ==
	    SQLITE_OK);
	CU_ASSERT_FATAL(sqlite3_prepare_v2(db, "SELECT count(*), sum(length(xml)),"
	    " sum(hex(substr(xml, -1)) = '3E') FROM units", -1, &st, NULL) ==
	    SQLITE_OK);
	CU_ASSERT(sqlite3_step(st) == SQLITE_ROW);
	CU_ASSERT(sqlite3_column_int(st, 0) == 2);
	CU_ASSERT(sqlite3_column_int64(st, 1) == 5 + (sqlite3_int64)sizeof(big));
	CU_ASSERT(sqlite3_column_int(st, 2) == 2);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void
exec_ok(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	CU_ASSERT(sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK);
	if (msg != NULL)
		fprintf(stderr, "%s: %s\n", sql, msg);
	sqlite3_free(msg);
}

/* Rule 2 of store_vfs.c: a transaction that rolls back after SQLite spilled
 * pages into the WAL (a cache of 20 pages, 200 rows of 1 KB) leaves
 * nothing gathered that could land later on the frames another connection
 * commits at the same place of the WAL; in exclusive locking mode too. */
static void
spill_rollback(int exclusive)
{
	sqlite3 *a, *b, *c;
	sqlite3_stmt *st;
	char path[512];

	snprintf(path, sizeof(path), "%s", newdb());
	CU_ASSERT_FATAL(store_vfs() != NULL);
	CU_ASSERT_FATAL(sqlite3_open_v2(path, &a, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, STORE_VFS) == SQLITE_OK);
	exec_ok(a, "PRAGMA synchronous = FULL; PRAGMA journal_mode = WAL;"
	    "PRAGMA wal_autocheckpoint = 0; PRAGMA cache_size = 20;"
	    "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB);"
	    "INSERT INTO t VALUES (0, 'x'); PRAGMA wal_checkpoint(PASSIVE)");
	if (exclusive)
		exec_ok(a, "PRAGMA locking_mode = EXCLUSIVE");
	exec_ok(a, "BEGIN; WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT"
	    " i + 1 FROM r WHERE i < 200) INSERT INTO t SELECT i + 100000,"
	    " randomblob(1000) FROM r; ROLLBACK");
	if (exclusive)
		exec_ok(a, "PRAGMA locking_mode = NORMAL; SELECT count(*) FROM t");
	CU_ASSERT_FATAL(sqlite3_open_v2(path, &b, SQLITE_OPEN_READWRITE,
	    STORE_VFS) == SQLITE_OK);
	exec_ok(b, "PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 0;"
	    "BEGIN; WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT"
	    " i + 1 FROM r WHERE i < 200) INSERT INTO t SELECT i,"
	    " zeroblob(1000) FROM r; COMMIT");
	sqlite3_exec(a, "SELECT count(*) FROM t", NULL, NULL, NULL);
	sqlite3_close(a);
	sqlite3_close(b);
	CU_ASSERT_FATAL(sqlite3_open_v2(path, &c, SQLITE_OPEN_READWRITE, NULL) ==
	    SQLITE_OK);
	CU_ASSERT_FATAL(sqlite3_prepare_v2(c, "PRAGMA integrity_check", -1, &st,
	    NULL) == SQLITE_OK);
	CU_ASSERT(sqlite3_step(st) == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0);
	sqlite3_finalize(st);
	CU_ASSERT_FATAL(sqlite3_prepare_v2(c, "SELECT count(*), sum(id >= 100000),"
	    " sum(v = zeroblob(1000)) FROM t", -1, &st, NULL) == SQLITE_OK);
	CU_ASSERT(sqlite3_step(st) == SQLITE_ROW);
	CU_ASSERT(sqlite3_column_int(st, 0) == 201);
	CU_ASSERT(sqlite3_column_int(st, 1) == 0);
	CU_ASSERT(sqlite3_column_int(st, 2) == 200);
	sqlite3_finalize(st);
	sqlite3_close(c);
}

static void
test_vfs_rollback_spill(void)
{
	spill_rollback(0);
}

static void
test_vfs_rollback_spill_exclusive(void)
{
	spill_rollback(1);
}

/* A group commit without a savepoint per put (STORE_TX_WHOLE): a put that
 * fails before writing (a conflict) leaves the batch fit to commit; one that
 * fails after writing (a trigger refuses its brief, after its row and its
 * leaf) spoils it: store_commit() refuses it and nothing of the batch is
 * stored.  The same puts with a savepoint each store the others. */
static void
test_records_whole(void)
{
	struct store *s;
	struct supervision_record r;
	struct store_counts c;
	struct err e;
	sqlite3 *db;
	const char *p;
	uint64_t size = 0;
	int isnew, flags;

	CU_ASSERT_FATAL((s = open_new(&p)) != NULL);
	err_clear(&e);
	fill_record(&r, "R0");
	CU_ASSERT(store_record_put_signed(s, &r, "<r>0</r>", 8, NULL, SIGNER,
	    &isnew, NULL, &e) == 0);
	CU_ASSERT_FATAL(sqlite3_open(p, &db) == SQLITE_OK);
	CU_ASSERT_FATAL(sqlite3_exec(db, "CREATE TRIGGER test_refuse BEFORE "
	    "INSERT ON record_brief WHEN new.id = 'R2' BEGIN SELECT "
	    "RAISE(ABORT, 'refused by the test'); END", NULL, NULL, NULL) ==
	    SQLITE_OK);
	sqlite3_close(db);

	CU_ASSERT_FATAL(store_begin_records(s, STORE_TX_WHOLE, &e) == 0);
	fill_record(&r, "R1");
	CU_ASSERT(store_record_put_signed(s, &r, "<r>1</r>", 8, NULL, SIGNER,
	    &isnew, NULL, &e) == 0);
	fill_record(&r, "R0");
	err_clear(&e);
	CU_ASSERT(store_record_put_signed(s, &r, "<r>x</r>", 8, NULL, SIGNER,
	    &isnew, NULL, &e) == -1);
	CU_ASSERT(e.code == ERR_CONFLICT);
	CU_ASSERT(!store_tx_spoiled(s));
	fill_record(&r, "R2");
	err_clear(&e);
	CU_ASSERT(store_record_put_signed(s, &r, "<r>2</r>", 8, NULL, SIGNER,
	    &isnew, NULL, &e) == -1);
	CU_ASSERT(strstr(e.msg, "refused by the test") != NULL);
	CU_ASSERT(store_tx_spoiled(s));
	err_clear(&e);
	CU_ASSERT(store_commit(s, &e) == -1);
	CU_ASSERT(e.code == ERR_INTERNAL);
	CU_ASSERT(strstr(e.msg, "failed halfway") != NULL);
	CU_ASSERT(!store_in_tx(s));
	CU_ASSERT(store_counts(s, &c, &e) == 0 && c.records == 1);
	CU_ASSERT(store_tlog_size(s, &size, &e) == 0 && size == 1);

	/* With a savepoint per put R2 alone is left out; without R2 the
	 * batch commits with the flag too. */
	for (flags = 0; flags <= STORE_TX_WHOLE; flags += STORE_TX_WHOLE) {
		CU_ASSERT_FATAL(store_begin_records(s, flags, &e) == 0);
		fill_record(&r, flags ? "R3" : "R1");
		CU_ASSERT(store_record_put_signed(s, &r, flags ? "<r>3</r>" :
		    "<r>1</r>", 8, NULL, SIGNER, &isnew, NULL, &e) == 0);
		CU_ASSERT(isnew == 1);
		fill_record(&r, "R2");
		err_clear(&e);
		if (flags == 0) {
			CU_ASSERT(store_record_put_signed(s, &r, "<r>2</r>",
			    8, NULL, SIGNER, &isnew, NULL, &e) == -1);
			CU_ASSERT(strstr(e.msg, "refused by the test") !=
			    NULL);
			CU_ASSERT(!store_tx_spoiled(s));
		}
		err_clear(&e);
		CU_ASSERT(store_commit(s, &e) == 0);
	}
	CU_ASSERT(store_counts(s, &c, &e) == 0 && c.records == 3);
	CU_ASSERT(store_tlog_size(s, &size, &e) == 0 && size == 3);
	CU_ASSERT(store_record_meta(s, "R2", &(struct store_record_meta){ 0 },
	    &e) == -1);
	store_close(s);
}

/* A verified copy with other bytes (another SignatureValue) but the same
 * signed content is the same record; another content is a conflict; a put
 * without a content digest keeps comparing exact bytes. */
static void
test_record_same_content(void)
{
	static const char a[] = "<r>1<sig>s</sig></r>";
	static const char b[] = "<r>1<sig>n-s</sig></r>";
	static const char c[] = "<r>2<sig>s</sig></r>";
	unsigned char c1[32], c2[32];
	char d1[65], d2[65];
	struct store_record_meta meta;
	struct store *s;
	struct supervision_record r;
	struct store_counts cnt;
	struct err e;
	char *got = NULL;
	size_t len;
	int isnew = -1;

	memset(c1, 0x11, sizeof(c1));
	memset(c2, 0x22, sizeof(c2));
	CU_ASSERT_FATAL((s = open_new(NULL)) != NULL);
	fill_record(&r, "R1");
	err_clear(&e);
	CU_ASSERT(store_record_put_signed(s, &r, a, strlen(a), c1, SIGNER,
	    &isnew, d1, &e) == 0);
	CU_ASSERT(isnew == 1);
	isnew = -1;
	CU_ASSERT(store_record_put_signed(s, &r, b, strlen(b), c1, SIGNER,
	    &isnew, d2, &e) == 0);
	CU_ASSERT(isnew == 0);
	/* A copy reports the digest of what is kept, not its own. */
	CU_ASSERT(strlen(d1) == 64 && strcmp(d1, d2) == 0);
	CU_ASSERT(store_record_meta(s, "R1", &meta, &e) == 0);
	CU_ASSERT_STRING_EQUAL(meta.signer, SIGNER);
	CU_ASSERT_STRING_EQUAL(meta.digest, d1);
	CU_ASSERT_STRING_EQUAL(meta.unit_id, r.unit_id);
	CU_ASSERT_STRING_EQUAL(meta.issuer, r.issuer);
	err_clear(&e);
	CU_ASSERT(store_record_meta(s, "NONE", &meta, &e) == -1);
	CU_ASSERT(e.code == ERR_NOTFOUND);
	/* The same content signed by another member is not the same record. */
	err_clear(&e);
	CU_ASSERT(store_record_put_signed(s, &r, b, strlen(b), c1,
	    "FI/GOV/2/lasteri", &isnew, NULL, &e) == -1);
	CU_ASSERT(e.code == ERR_CONFLICT);
	CU_ASSERT(store_counts(s, &cnt, &e) == 0);
	CU_ASSERT(cnt.records == 1);
	CU_ASSERT(store_record_get(s, "R1", &got, &len, NULL, &e) == 0);
	CU_ASSERT(len == strlen(a) && memcmp(got, a, len) == 0);
	free(got);
	got = NULL;
	/* Another signed content under the same Id. */
	err_clear(&e);
	CU_ASSERT(store_record_put_signed(s, &r, c, strlen(c), c2, SIGNER,
	    &isnew, NULL, &e) == -1);
	CU_ASSERT(e.code == ERR_CONFLICT);
	CU_ASSERT(strstr(e.msg, "R1") != NULL);
	CU_ASSERT(strstr(e.msg, "different document") != NULL);
	/* Unverified other bytes: exact bytes only, as before. */
	err_clear(&e);
	CU_ASSERT(store_record_put(s, &r, b, strlen(b), &isnew, &e) == -1);
	CU_ASSERT(e.code == ERR_CONFLICT);
	CU_ASSERT(strstr(e.msg, "different document") != NULL);
	/* A row stored without a content digest (an import) matches only its
	 * exact bytes, whatever digest a later copy brings. */
	fill_record(&r, "R2");
	CU_ASSERT(store_record_put(s, &r, a, strlen(a), &isnew, &e) == 0);
	CU_ASSERT(isnew == 1);
	CU_ASSERT(store_record_put_signed(s, &r, a, strlen(a), c1, SIGNER,
	    &isnew, NULL, &e) == 0);
	CU_ASSERT(isnew == 0);
	err_clear(&e);
	CU_ASSERT(store_record_put_signed(s, &r, b, strlen(b), c1, SIGNER,
	    &isnew, NULL, &e) == -1);
	CU_ASSERT(e.code == ERR_CONFLICT);
	CU_ASSERT(strstr(e.msg, "R2") != NULL);
	store_close(s);
}

static void
test_awards(void)
{
	static struct procurement p;
	struct award aw[2];
	struct store_counts c;
	struct store *s;
	struct err e;

	CU_ASSERT_FATAL((s = open_new(NULL)) != NULL);
	memset(&p, 0, sizeof(p));
	memset(aw, 0, sizeof(aw));
	snprintf(p.id, sizeof(p.id), "P1");
	snprintf(p.region, sizeof(p.region), "08");
	p.nlots = 1;
	snprintf(p.lots[0].id, sizeof(p.lots[0].id), "L1");
	snprintf(aw[0].unit_id, sizeof(aw[0].unit_id), "U1");
	snprintf(aw[1].unit_id, sizeof(aw[1].unit_id), "U2");
	aw[0].rank = 1;
	aw[1].rank = 2;
	p.lots[0].awards = aw;
	p.lots[0].nawards = 2;
	CU_ASSERT(store_procurement_put(s, &p, "<p/>", 4, &e) == 0);
	CU_ASSERT(store_counts(s, &c, &e) == 0);
	CU_ASSERT(c.procurements == 1 && c.awards == 2);
	p.lots[0].nawards = 1;
	CU_ASSERT(store_procurement_put(s, &p, "<p/>", 4, &e) == 0);
	CU_ASSERT(store_counts(s, &c, &e) == 0);
	CU_ASSERT(c.procurements == 1 && c.awards == 1);
	store_close(s);
}

static void
test_rdonly(void)
{
	struct store *s;
	struct unit u;
	struct err e;
	const char *p;
	char path[512];

	CU_ASSERT_FATAL((s = open_new(&p)) != NULL);
	snprintf(path, sizeof(path), "%s", p);
	store_close(s);
	s = NULL;
	CU_ASSERT_FATAL(store_open(path, STORE_RDONLY, &s, &e) == 0);
	fill_unit(&u, "U1");
	err_clear(&e);
	CU_ASSERT(store_unit_put(s, &u, "<u/>", 4, &e) == -1);
	CU_ASSERT(e.code == ERR_DB);
	CU_ASSERT(strstr(e.msg, "read-only") != NULL);
	store_close(s);
}

/* --- loaders (need the model readers) -------------------------------------- */

static xmlDocPtr
fixture(const char *name)
{
	char path[1024];
	const char *top = getenv("TOP_SRCDIR");
	struct err e;
	xmlDocPtr doc;

	snprintf(path, sizeof(path), "%s/tests/data/%s", top ? top : ".",
	    name);
	err_clear(&e);
	if ((doc = xml_read_file(path, &xml_limits_import, &e)) == NULL)
		fprintf(stderr, "%s\n", e.msg);
	return doc;
}

static void
test_element_bytes(void)
{
	xmlDocPtr ds, one;
	xmlNodePtr n, last = NULL;
	char *a = NULL, *b = NULL;
	size_t alen, blen;
	struct err e;

	CU_ASSERT_FATAL((ds = fixture("dataset-08.xml")) != NULL);
	CU_ASSERT_FATAL((one = fixture("record-same.xml")) != NULL);
	for (n = xml_first_elem(xmlDocGetRootElement(ds)); n != NULL;
	    n = xml_next_elem(n))
		last = n;
	CU_ASSERT_FATAL(last != NULL && xml_is(last, "SupervisionRecord"));
	CU_ASSERT(store_element_bytes(last, &a, &alen, &e) == 0);
	CU_ASSERT(store_element_bytes(xmlDocGetRootElement(one), &b, &blen,
	    &e) == 0);
	CU_ASSERT_FATAL(a != NULL && b != NULL);
	CU_ASSERT(alen == blen && memcmp(a, b, alen) == 0);
	CU_ASSERT(strncmp(a, "<SupervisionRecord xmlns=\"urn:lasteri:1\"",
	    40) == 0);
	xmlFree(a);
	xmlFree(b);
	xmlFreeDoc(ds);
	xmlFreeDoc(one);
}

/* The bytes the copy path gives (store_element_bytes before a root was
 * written in place): the element copied into a document of its own, then
 * libxml2's exclusive C14N of that document. */
static int
copy_bytes(xmlNodePtr n, char **out, size_t *len)
{
	xmlDocPtr doc;
	xmlNodePtr copy;
	struct err e;
	int rc = -1;

	err_clear(&e);
	if ((doc = xmlNewDoc((const xmlChar *)"1.0")) != NULL &&
	    (copy = xmlDocCopyNode(n, doc, 1)) != NULL) {
		xmlDocSetRootElement(doc, copy);
		rc = xml_canonical(doc, out, len, &e);
	}
	xmlFreeDoc(doc);
	return rc;
}

/* A document's root is written in place (c14n_fast): the same bytes as
 * the copy path, for the records in tests/data and for roots the walk
 * declines (a processing instruction inside) or that carry a comment, a
 * prefixed namespace, a PI before the root and attributes to sort. */
static void
test_element_bytes_root(void)
{
	static const char *const files[] = { "record-signed.xml",
	    "record-same.xml", "record-conflict.xml", "unit-08-0003.xml" };
	static const char *const docs[] = {
		"<?pi before?><r xmlns=\"urn:x\" b=\"2\" a=\"1\"><!-- c -->"
		    "<p:e xmlns:p=\"urn:p\" xmlns:q=\"urn:q\">t&amp;"
		    "&#13;</p:e></r>",
		"<r xmlns=\"urn:x\"><?pi inside?><e/></r>",
		"<r><e xmlns=\"\" a=\"&lt;\">x</e></r>",
	};
	xmlDocPtr doc;
	char *a, *b;
	size_t alen, blen, i;
	struct err e;

	for (i = 0; i < sizeof(files) / sizeof(files[0]) +
	    sizeof(docs) / sizeof(docs[0]); i++) {
		err_clear(&e);
		if (i < sizeof(files) / sizeof(files[0]))
			doc = fixture(files[i]);
		else
			doc = xml_parse(docs[i - sizeof(files) /
			    sizeof(files[0])], strlen(docs[i - sizeof(files) /
			    sizeof(files[0])]), "test", &xml_limits_import, &e);
		CU_ASSERT_FATAL(doc != NULL);
		a = b = NULL;
		CU_ASSERT(store_element_bytes(xmlDocGetRootElement(doc), &a,
		    &alen, &e) == 0);
		CU_ASSERT(copy_bytes(xmlDocGetRootElement(doc), &b, &blen) ==
		    0);
		CU_ASSERT_FATAL(a != NULL && b != NULL);
		CU_ASSERT(alen == blen && memcmp(a, b, alen) == 0);
		CU_ASSERT(a[alen] == '\0');
		if (alen != blen || memcmp(a, b, alen) != 0)
			fprintf(stderr, "case %zu:\n%s\n--- copy:\n%s\n", i,
			    a, b);
		xmlFree(a);
		xmlFree(b);
		xmlFreeDoc(doc);
	}
}

static void
test_loaders(void)
{
	static const char *const roots[] = { "Dataset", NULL };
	const struct store_import_opts opts08 = { "08", NULL, 0, NULL };
	struct store_import_stats st;
	struct supervision_record *r = NULL;
	struct procurement *p = NULL;
	struct unit *u = NULL;
	struct store *s;
	struct err e;
	xmlDocPtr doc;
	size_t n;

	memset(&st, 0, sizeof(st));
	err_clear(&e);
	CU_ASSERT_FATAL((doc = fixture("dataset-08.xml")) != NULL);
	if (schema_validate(doc, "dataset-08.xml", roots, &e) == -1)
		fprintf(stderr, "%s\n", e.msg);
	CU_ASSERT_FATAL((s = open_new(NULL)) != NULL);
	CU_ASSERT_FATAL(store_begin(s, &e) == 0);
	if (store_import_doc(s, doc, "dataset-08.xml", &opts08, &st, &e) == -1)
		fprintf(stderr, "%s\n", e.msg);
	CU_ASSERT(store_commit(s, &e) == 0);
	CU_ASSERT(st.units == 2 && st.procurements == 1 && st.records == 2);

	CU_ASSERT(store_units_load(s, &u, &n, &e) == 0);
	CU_ASSERT_FATAL(n == 2 && u != NULL);
	CU_ASSERT_STRING_EQUAL(u[0].id, "SOTERI-08-0001");
	CU_ASSERT(u[0].price_cents == 69000);
	CU_ASSERT(u[0].free_places == 2);
	CU_ASSERT(u[0].nlanguages == 2);
	CU_ASSERT_STRING_EQUAL(u[1].id, "SOTERI-08-0002");
	{
		char reg[3] = "x";

		CU_ASSERT(store_unit_region(s, "SOTERI-08-0002", reg, &e) == 0);
		CU_ASSERT_STRING_EQUAL(reg, "08");
		CU_ASSERT(store_unit_region(s, "NO-SUCH-UNIT", reg, &e) == 0);
		CU_ASSERT_STRING_EQUAL(reg, "");
	}
	CU_ASSERT(u[1].price_cents == 32050);
	free(u);

	CU_ASSERT(store_procurements_load(s, &p, &n, &e) == 0);
	CU_ASSERT_FATAL(n == 1 && p != NULL);
	CU_ASSERT(p[0].nlots == 1 && p[0].lots[0].nawards == 1);
	CU_ASSERT_STRING_EQUAL(p[0].lots[0].awards[0].unit_id,
	    "SOTERI-08-0001");
	store_procurements_free(p, n);

	CU_ASSERT(store_records_load(s, &r, &n, &e) == 0);
	CU_ASSERT(n == 2);
	free(r);
	r = NULL;
	CU_ASSERT(store_records_for_unit(s, "SOTERI-08-0001", &r, &n, &e) == 0);
	CU_ASSERT_FATAL(n == 1 && r != NULL);
	CU_ASSERT_STRING_EQUAL(r[0].id, "HVA-08-2026-0001");
	CU_ASSERT(r[0].nfindings == 1);
	free(r);
	r = NULL;
	CU_ASSERT(store_records_for_unit(s, "NOPE", &r, &n, &e) == 0);
	CU_ASSERT(n == 0 && r == NULL);
	store_close(s);
	xmlFreeDoc(doc);
}

/* Imports one fixture file into s (validated first). */
static int
import_fixture(struct store *s, const char *name,
    struct store_import_stats *st, struct err *e)
{
	static const char *const roots[] = { "Dataset", "Unit",
	    "ProcurementDefinition", "SupervisionRecord", NULL };
	const struct store_import_opts any = { NULL, NULL, 0, NULL };
	xmlDocPtr doc;
	int rc = -1;

	err_clear(e);
	if ((doc = fixture(name)) == NULL)
		return -1;
	if (schema_validate(doc, name, roots, e) == 0 &&
	    store_import_doc(s, doc, name, &any, st, e) == 0)
		rc = 0;
	xmlFreeDoc(doc);
	return rc;
}

/*
 * A signed record cannot be told from a forgery without a trust list: an
 * import with no verifier refuses it (the CLI and the node pass theirs;
 * test_cli.sh and test_records.sh import signed records for real).  A
 * record whose Id lies outside its issuer's namespace is refused too.
 */
static void
test_import_record_rules(void)
{
	struct store_import_stats st;
	struct store_counts cnt;
	struct store *s;
	struct err e;

	memset(&st, 0, sizeof(st));
	CU_ASSERT_FATAL((s = open_new(NULL)) != NULL);
	CU_ASSERT(import_fixture(s, "record-signed.xml", &st, &e) == -1);
	CU_ASSERT(e.code == ERR_INPUT);
	CU_ASSERT(strstr(e.msg, "record-signed.xml:") != NULL);
	CU_ASSERT(strstr(e.msg, "needs a trust list") != NULL);
	CU_ASSERT(import_fixture(s, "record-foreign-id.xml", &st, &e) == -1);
	CU_ASSERT(e.code == ERR_INPUT);
	CU_ASSERT(strstr(e.msg, "not in the namespace of its issuer HVA-08")
	    != NULL);
	CU_ASSERT(import_fixture(s, "record-same.xml", &st, &e) == 0);
	CU_ASSERT(store_counts(s, &cnt, &e) == 0);
	CU_ASSERT(cnt.records == 1);
	store_close(s);
}

static void
test_trust_sequence(void)
{
	struct store *s;
	struct err e;
	char inst[17];
	uint64_t seq = 99;

	err_clear(&e);
	CU_ASSERT_FATAL((s = open_new(NULL)) != NULL);
	CU_ASSERT(store_trust_seq_get(s, inst, &seq, &e) == 0);
	CU_ASSERT(seq == 0 && inst[0] == '\0');
	CU_ASSERT(store_trust_seq_raise(s, "FI", 3, &e) == 0);
	CU_ASSERT(store_trust_seq_raise(s, "FI", 2, &e) == 0);
	CU_ASSERT(store_trust_seq_get(s, inst, &seq, &e) == 0);
	CU_ASSERT(seq == 3);			/* never lowered */
	CU_ASSERT_STRING_EQUAL(inst, "FI");
	CU_ASSERT(store_trust_seq_raise(s, "FI", 7, &e) == 0);
	CU_ASSERT(store_trust_seq_get(s, inst, &seq, &e) == 0);
	CU_ASSERT(seq == 7);
	CU_ASSERT(store_trust_seq_raise(s, "FI-TEST", 8, &e) == -1);
	CU_ASSERT(e.code == ERR_TRUST);
	CU_ASSERT(strstr(e.msg, "instance 'FI'") != NULL);
	store_close(s);
}

/* --- briefs and supervision summaries (issue 14) ---------------------------- */

static int
collect_ids(void *arg, const char *unit_id, struct err *e)
{
	char *buf = arg;

	(void)e;
	strncat(buf, unit_id, 200 - strlen(buf) - 2);
	strcat(buf, " ");
	return 0;
}

static void
test_summaries_kept(void)
{
	struct supervision_record r;
	struct unit_sup sup, *all = NULL;
	struct unit_brief *ub = NULL;
	struct unit u;
	struct store *s;
	struct err e;
	char *lots = NULL, ids[200] = "";
	int64_t seq;
	size_t n, i;
	int isnew;

	err_clear(&e);
	CU_ASSERT_FATAL((s = open_new(NULL)) != NULL);
	fill_unit(&u, "U1");
	snprintf(u.languages[0], 3, "sv");
	snprintf(u.languages[1], 3, "fi");
	u.nlanguages = 2;
	snprintf(u.lots[0], sizeof(u.lots[0]), "HVA08-2024-1/L2");
	u.nlots = 1;
	u.expertise = 5;
	CU_ASSERT_FATAL(store_unit_put(s, &u, "<Unit/>", 7, &e) == 0);
	/* An open order to correct with a deadline: blocks, serious. */
	fill_record(&r, "R1");
	r.kind = RK_ORDER_TO_CORRECT;
	r.status = RS_OPEN;
	snprintf(r.deadline, sizeof(r.deadline), "2026-04-01");
	CU_ASSERT(store_record_put(s, &r, "<R1/>", 5, &isnew, &e) == 0 &&
	    isnew);
	/* The same again is not new and changes no count. */
	CU_ASSERT(store_record_put(s, &r, "<R1/>", 5, &isnew, &e) == 0 &&
	    !isnew);
	/* A closed visit with a high and a low finding: recent, not open. */
	fill_record(&r, "R2");
	r.kind = RK_INSPECTION_ANNOUNCED;
	r.status = RS_CLOSED;
	snprintf(r.visit_date, sizeof(r.visit_date), "2026-03-10");
	r.findings[0].severity = SEV_HIGH;
	r.findings[1].severity = SEV_LOW;
	r.nfindings = 2;
	CU_ASSERT(store_record_put(s, &r, "<R2/>", 5, NULL, &e) == 0);
	fill_record(&r, "R3");
	r.kind = RK_COMPLAINT_DECISION;
	r.status = RS_CLOSED;
	r.outcome = OC_REPRIMAND;
	CU_ASSERT(store_record_put(s, &r, "<R3/>", 5, NULL, &e) == 0);
	fill_record(&r, "R4");
	snprintf(r.unit_id, sizeof(r.unit_id), "GHOST");
	r.kind = RK_COMPLAINT;
	CU_ASSERT(store_record_put(s, &r, "<R4/>", 5, NULL, &e) == 0);

	CU_ASSERT_FATAL(store_unit_sup_get(s, "U1", 0, &sup, &e) == 0);
	CU_ASSERT_EQUAL(sup.records, 3);
	CU_ASSERT_EQUAL(sup.open_serious, 1);
	CU_ASSERT_EQUAL(sup.serious_sev, SEV_HIGH);
	CU_ASSERT_EQUAL(sup.blocks, 1);
	CU_ASSERT_EQUAL(sup.visits, 1);
	CU_ASSERT_EQUAL(sup.open_orders, 1);
	CU_ASSERT_EQUAL(sup.outcomes[OC_REPRIMAND], 1);
	CU_ASSERT_EQUAL_FATAL(sup.nev, 1);
	CU_ASSERT_EQUAL(sup.ev[0].high, 1);
	CU_ASSERT_EQUAL(sup.ev[0].low, 1);
	CU_ASSERT_EQUAL(sup.ev[0].t, 1773100800);	/* 2026-03-10 */
	CU_ASSERT_EQUAL_FATAL(sup.ndl, 1);
	CU_ASSERT_EQUAL(sup.deadlines[0], 1775001600);	/* 2026-04-01 */
	unit_sup_clear(&sup);
	/* Events before since are left out. */
	CU_ASSERT_FATAL(store_unit_sup_get(s, "U1", 1773100801, &sup, &e) == 0);
	CU_ASSERT_EQUAL(sup.nev, 0);
	CU_ASSERT_EQUAL(sup.records, 3);
	unit_sup_clear(&sup);

	CU_ASSERT_FATAL(store_unit_sups_load(s, 0, &all, &n, &e) == 0);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_STRING_EQUAL(all[0].unit_id, "GHOST");
	CU_ASSERT_EQUAL(all[0].complaints, 1);
	CU_ASSERT_STRING_EQUAL(all[1].unit_id, "U1");
	CU_ASSERT_EQUAL(all[1].nev, 1);
	for (i = 0; i < n; i++)
		unit_sup_clear(&all[i]);
	free(all);

	CU_ASSERT(store_record_seq(s, &seq, &e) == 0);
	CU_ASSERT_EQUAL(seq, 4);
	CU_ASSERT(store_units_recorded_since(s, 2, collect_ids, ids, &e) ==
	    0);
	CU_ASSERT(strcmp(ids, "U1 GHOST ") == 0 ||
	    strcmp(ids, "GHOST U1 ") == 0);

	CU_ASSERT_FATAL(store_unit_briefs_load(s, &ub, &n, &lots, &e) == 0);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_STRING_EQUAL(ub[0].id, "U1");
	CU_ASSERT_EQUAL(ub[0].nlanguages, 2);
	CU_ASSERT_STRING_EQUAL(ub[0].languages[0], "sv");
	CU_ASSERT_STRING_EQUAL(ub[0].lots, "HVA08-2024-1/L2");
	CU_ASSERT_EQUAL(ub[0].nlots, 1);
	CU_ASSERT_EQUAL(ub[0].expertise, 5);
	CU_ASSERT_EQUAL(ub[0].price_cents, 69000);
	free(ub);
	free(lots);
	store_close(s);
}

/* Rows stored before migration 6 get their briefs when it runs: the same
 * as the ones kept at put time. */
static void
test_migration_fills_briefs(void)
{
	struct store_import_stats st;
	struct unit_sup *a = NULL, *b = NULL;
	struct unit_brief *ua = NULL, *ubb = NULL;
	struct store *s;
	struct err e;
	sqlite3 *db;
	const char *path;
	char *la = NULL, *lb = NULL;
	size_t na = 0, nb = 0, nua = 0, nub = 0, i;
	int v = 0;

	memset(&st, 0, sizeof(st));
	err_clear(&e);
	CU_ASSERT_FATAL((s = open_new(&path)) != NULL);
	if (import_fixture(s, "dataset-08.xml", &st, &e) == -1)
		fprintf(stderr, "%s\n", e.msg);
	CU_ASSERT_FATAL(st.records == 2);
	CU_ASSERT_FATAL(store_unit_sups_load(s, 0, &a, &na, &e) == 0);
	CU_ASSERT_FATAL(store_unit_briefs_load(s, &ua, &nua, &la, &e) == 0);
	store_close(s);
	CU_ASSERT_FATAL(na > 0 && nua == 2);

	/* Back to schema 5, as a database written before issue 14. */
	CU_ASSERT_FATAL(sqlite3_open(path, &db) == SQLITE_OK);
	CU_ASSERT_FATAL(sqlite3_exec(db, "DROP TABLE unit_brief;"
	    "DROP TABLE procurement_brief; DROP TABLE record_brief;"
	    "DROP TABLE unit_supervision;"
	    "DROP TABLE query_nonce; DROP TABLE query_log;"
	    "DROP INDEX supervision_records_provider;"
	    "ALTER TABLE supervision_records DROP COLUMN provider;"
	    TLOG_DROP
	    "DELETE FROM schema_version WHERE version >= 6", NULL, NULL,
	    NULL) == SQLITE_OK);
	sqlite3_close(db);
	/* Read-only, an old database is refused with a reason... */
	CU_ASSERT(store_open(path, STORE_RDONLY, &s, &e) == -1);
	CU_ASSERT(strstr(e.msg, "needs migrating") != NULL);
	/* ...read-write, it is migrated and the briefs are filled. */
	CU_ASSERT_FATAL(store_open(path, 0, &s, &e) == 0);
	CU_ASSERT(store_schema_version(s, &v, &e) == 0 &&
	    v == store_schema_latest());
	CU_ASSERT_FATAL(store_unit_sups_load(s, 0, &b, &nb, &e) == 0);
	CU_ASSERT_FATAL(store_unit_briefs_load(s, &ubb, &nub, &lb, &e) == 0);
	CU_ASSERT_EQUAL_FATAL(nb, na);
	for (i = 0; i < na; i++) {
		CU_ASSERT_STRING_EQUAL(a[i].unit_id, b[i].unit_id);
		CU_ASSERT_EQUAL(a[i].records, b[i].records);
		CU_ASSERT_EQUAL(a[i].open_serious, b[i].open_serious);
		CU_ASSERT_EQUAL(a[i].visits, b[i].visits);
		CU_ASSERT_EQUAL(a[i].nev, b[i].nev);
		CU_ASSERT_EQUAL(a[i].ndl, b[i].ndl);
		CU_ASSERT(a[i].records > 0);
	}
	CU_ASSERT_EQUAL_FATAL(nub, nua);
	for (i = 0; i < nua; i++) {
		CU_ASSERT_STRING_EQUAL(ua[i].id, ubb[i].id);
		CU_ASSERT_STRING_EQUAL(ua[i].name, ubb[i].name);
		CU_ASSERT_STRING_EQUAL(ua[i].lots, ubb[i].lots);
		CU_ASSERT_EQUAL(ua[i].price_cents, ubb[i].price_cents);
		CU_ASSERT_EQUAL(ua[i].free_updated, ubb[i].free_updated);
		CU_ASSERT_EQUAL(ua[i].nlanguages, ubb[i].nlanguages);
	}
	for (i = 0; i < na; i++)
		unit_sup_clear(&a[i]);
	for (i = 0; i < nb; i++)
		unit_sup_clear(&b[i]);
	free(a);
	free(b);
	free(ua);
	free(ubb);
	free(la);
	free(lb);
	store_close(s);
}

static CU_TestInfo migration_tests[] = {
	{ "creates an empty database at the newest schema version", test_migrates_empty },
	{ "reopens a database read-write and read-only without losing data", test_reopens },
	{ "refuses a missing file without STORE_CREATE", test_refuses_missing },
	{ "refuses a database newer than this program", test_refuses_newer },
	{ "refuses a file that is not a Lasteri database", test_refuses_foreign },
	{ "keeps the database in WAL mode", test_wal },
	{ "leaves the WAL's checkpoints to a watcher, and takes them back", test_wal_watch },
	CU_TEST_INFO_NULL
};

/* The nonces an older lasterid kept in the table move out once: the live
 * ones are handed over, every row is deleted; a refusal rolls back. */
struct took {
	int	n, fail_at;
	char	last[64];
};

static int
take_one(void *arg, const char *nonce, const char *asker, time_t expires,
    struct err *e)
{
	struct took *t = arg;

	(void)asker; (void)expires;
	if (++t->n == t->fail_at)
		return err_set(e, ERR_IO, "refused");
	snprintf(t->last, sizeof(t->last), "%s", nonce);
	return 0;
}

static int
count_cb(void *arg, int argc, char **argv, char **names)
{
	(void)names;
	if (argc == 1 && argv[0] != NULL)
		*(int *)arg = atoi(argv[0]);
	return 0;
}

static void
test_query_nonces_take(void)
{
	struct store *s;
	struct took t;
	sqlite3 *db;
	struct err e;
	const char *p;
	char path[512];
	size_t moved = 9;
	int rows = -1;

	err_clear(&e);
	CU_ASSERT_FATAL((s = open_new(&p)) != NULL);
	snprintf(path, sizeof(path), "%s", p);
	store_close(s);
	CU_ASSERT_FATAL(sqlite3_open(path, &db) == SQLITE_OK);
	CU_ASSERT_FATAL(sqlite3_exec(db, "INSERT INTO query_nonce(nonce, "
	    "asker, expires) VALUES ('aa00', 'M1', 1000), ('bb11', 'M2', 2000)",
	    NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	CU_ASSERT_FATAL(store_open(path, 0, &s, &e) == 0);
	memset(&t, 0, sizeof(t));
	t.fail_at = 1;
	CU_ASSERT(store_query_nonces_take(s, 1500, take_one, &t, &moved,
	    &e) == -1 && e.code == ERR_IO);
	memset(&t, 0, sizeof(t));
	err_clear(&e);
	CU_ASSERT(store_query_nonces_take(s, 1500, take_one, &t, &moved,
	    &e) == 0);
	CU_ASSERT(moved == 1 && t.n == 1 && strcmp(t.last, "bb11") == 0);
	store_close(s);
	CU_ASSERT_FATAL(sqlite3_open(path, &db) == SQLITE_OK);
	CU_ASSERT(sqlite3_exec(db, "SELECT count(*) FROM query_nonce",
	    count_cb, &rows, NULL) == SQLITE_OK);
	CU_ASSERT_EQUAL(rows, 0);
	sqlite3_close(db);
}

/* The query log lists the newest first, as many as asked. */
static void
test_query_log(void)
{
	struct query_log_row r, out[3];
	struct store *s;
	struct err e;
	int n = 0, i;

	err_clear(&e);
	CU_ASSERT_FATAL((s = open_new(NULL)) != NULL);
	for (i = 0; i < 4; i++) {
		memset(&r, 0, sizeof(r));
		r.at = 1000 + i;
		snprintf(r.asker, sizeof(r.asker), "M%d", i);
		snprintf(r.kind, sizeof(r.kind), "search");
		snprintf(r.status, sizeof(r.status), "ok");
		r.results = i;
		r.ms = 7;
		memset(r.digest, 'a', 64);
		CU_ASSERT(store_query_log_add(s, &r, &e) == 0);
	}
	CU_ASSERT(store_query_log_list(s, 3, out, &n, &e) == 0);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_STRING_EQUAL(out[0].asker, "M3");
	CU_ASSERT_STRING_EQUAL(out[2].asker, "M1");
	CU_ASSERT(out[0].results == 3 && out[0].ms == 7 && out[0].at == 1003);
	store_close(s);
}

/* Past its deadline a statement on the store is interrupted and says so;
 * cleared, the store works again. */
static void
test_query_deadline(void)
{
	static struct query_log_row out[1000];
	struct query_log_row r;
	struct store *s;
	struct err e;
	int n = 0, i;

	err_clear(&e);
	CU_ASSERT_FATAL((s = open_new(NULL)) != NULL);
	memset(&r, 0, sizeof(r));
	CU_ASSERT_FATAL(store_begin(s, &e) == 0);
	for (i = 0; i < 1000; i++)
		CU_ASSERT(store_query_log_add(s, &r, &e) == 0);
	CU_ASSERT_FATAL(store_commit(s, &e) == 0);
	store_set_deadline(s, store_monotonic_ms() - 1);
	CU_ASSERT(store_query_log_list(s, 1000, out, &n, &e) == -1);
	CU_ASSERT_EQUAL(e.code, ERR_TIMEOUT);
	CU_ASSERT(strstr(e.msg, "work limit") != NULL);
	store_set_deadline(s, 0);
	err_clear(&e);
	CU_ASSERT(store_query_log_list(s, 1000, out, &n, &e) == 0 &&
	    n == 1000);
	store_close(s);
}

static CU_TestInfo data_tests[] = {
	{ "gives back the exact bytes and replaces a unit put again", test_exact_bytes },
	{ "says not-found naming an unknown ID", test_notfound },
	{ "rolls back a whole batch when a put in the middle fails", test_batch_rollback },
	{ "rolls back an open batch when the store is closed", test_close_rolls_back },
	{ "accepts the same record twice and keeps it once", test_record_idempotent },
	{ "refuses a different record under a stored Id as a conflict", test_record_conflict },
	{ "a batch without savepoints: a conflict leaves it, a put failing halfway spoils it", test_records_whole },
	{ "a commit's WAL pages are in the file when it returns (the stores' VFS)", test_vfs_commits },
	{ "a rollback after pages spilled into the WAL leaves nothing to land on another commit", test_vfs_rollback_spill },
	{ "the same in exclusive locking mode", test_vfs_rollback_spill_exclusive },
	{ "accepts another copy of the same signed content as the same record", test_record_same_content },
	{ "replaces the award index with the procurement definition", test_awards },
	{ "refuses writes to a read-only store", test_rdonly },
	{ "hands the nonces of the old table over once, then empties it", test_query_nonces_take },
	{ "lists the query log newest first", test_query_log },
	{ "interrupts a statement past the query's work limit", test_query_deadline },
	CU_TEST_INFO_NULL
};

/* Records stored before migration 7 get their provider from their stored
 * XML, so that a look-up by business ID finds them. */
static void
test_migration_fills_providers(void)
{
	struct store_import_stats st;
	char ids[4][ID_MAX + 1];
	struct store *s;
	struct err e;
	sqlite3 *db;
	const char *path;
	size_t n = 0;

	memset(&st, 0, sizeof(st));
	err_clear(&e);
	CU_ASSERT_FATAL((s = open_new(&path)) != NULL);
	if (import_fixture(s, "dataset-08.xml", &st, &e) == -1)
		fprintf(stderr, "%s\n", e.msg);
	CU_ASSERT_FATAL(st.records == 2);
	store_close(s);
	/* Back to schema 6; the records count as signed for the look-up. */
	CU_ASSERT_FATAL(sqlite3_open(path, &db) == SQLITE_OK);
	CU_ASSERT_FATAL(sqlite3_exec(db, "UPDATE supervision_records SET"
	    " signer = 'M';"
	    "DROP INDEX supervision_records_provider;"
	    "ALTER TABLE supervision_records DROP COLUMN provider;"
	    "DROP TABLE query_nonce; DROP TABLE query_log;"
	    TLOG_DROP
	    "DELETE FROM schema_version WHERE version >= 7", NULL, NULL,
	    NULL) == SQLITE_OK);
	sqlite3_close(db);
	CU_ASSERT_FATAL(store_open(path, 0, &s, &e) == 0);
	CU_ASSERT(store_record_ids_by(s, NULL, "1234567-1", ids, 4, &n,
	    &e) == 0);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT(store_record_ids_by(s, NULL, "2345678-0", ids, 4, &n,
	    &e) == 0 && n == 1);
	CU_ASSERT(store_record_ids_by(s, NULL, "7654321-6", ids, 4, &n,
	    &e) == 0 && n == 0);
	store_close(s);
}

static CU_TestInfo loader_tests[] = {
	{ "keeps the same bytes for an element inside or outside a Dataset", test_element_bytes },
	{ "writes a document's root in place, the same bytes as its copy", test_element_bytes_root },
	{ "loads units, procurements and records from their stored bytes", test_loaders },
	{ "refuses a signed record without a trust list and an Id outside its issuer's namespace", test_import_record_rules },
	{ "keeps the highest trust-list sequence held and never lowers it", test_trust_sequence },
	{ "keeps each unit's supervision summary as records are stored", test_summaries_kept },
	{ "fills the briefs of rows stored before migration 6 when it runs", test_migration_fills_briefs },
	{ "fills the providers of records stored before migration 7", test_migration_fills_providers },
	CU_TEST_INFO_NULL
};

int
main(void)
{
	CU_SuiteInfo suites[] = {
		{ "store: migrations", suite_init, suite_clean, NULL, NULL, migration_tests },
		{ "store: bytes and batches", suite_init, suite_clean, NULL, NULL, data_tests },
		{ "store: loaders", suite_init, suite_clean, NULL, NULL, loader_tests },
		CU_SUITE_INFO_NULL
	};

	return test_run_suites(suites);
}
