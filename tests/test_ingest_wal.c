/*
 * test_ingest_wal.c - the group commit's write-ahead log (node/ingest.h):
 * while received records are committed, the WAL is copied back into the
 * database file beside the commits (the checkpointer thread, past
 * INGEST_WAL_CHECKPOINT pages), never left to grow past INGEST_WAL_MAX
 * pages, and every record is stored once with its leaf; a batch (written
 * without a savepoint per record) in which one record fails after writing
 * is written again, the others stored and nothing of that one.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <libxml/xmlmemory.h>
#include <sqlite3.h>

#include "ingest.h"
#include "node.h"
#include "store.h"
#include "store_tlog.h"
#include "testmain.h"

#define RECORDS		2500
#define RECORD_BYTES	10000	/* three pages each: a long record */
#define PAGE		4096

static char dir[] = "/tmp/lasteri-test-ingest-wal.XXXXXX";
static char dbpath[300];
static int answered, stored_new, want, batches;
static const char *refused;	/* the Id the trigger refuses, or NULL */
static struct event_base *loop_base;

static int
suite_init(void)
{
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(dbpath, sizeof(dbpath), "%s/node.db", dir);
	return 0;
}

static int
suite_clean(void)
{
	char p[340];

	unlink(dbpath);
	snprintf(p, sizeof(p), "%s-wal", dbpath);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", dbpath);
	unlink(p);
	return rmdir(dir);
}

static long
file_size(const char *suffix)
{
	char p[340];
	struct stat sb;

	snprintf(p, sizeof(p), "%s%s", dbpath, suffix);
	return stat(p, &sb) == 0 ? (long)sb.st_size : 0;
}

static void
done(void *arg, struct ingest_item *it)
{
	(void)arg;
	if (refused != NULL && strcmp(it->rec.id, refused) == 0) {
		CU_ASSERT(it->result == INGEST_FAILED);
		CU_ASSERT(strstr(it->e.msg, "refused by the test") != NULL);
	} else
		CU_ASSERT(it->result == INGEST_STORED);
	if (it->result != INGEST_STORED && answered < 3)
		fprintf(stderr, "record %s: %d %s\n", it->rec.id, it->result,
		    it->e.msg);
	if (++answered >= want)
		event_base_loopbreak(loop_base);
}

static void
batch(void *arg, int committed, size_t stored)
{
	(void)arg;
	CU_ASSERT(committed);
	stored_new += (int)stored;
	batches++;
}

static struct ingest_item *
item(int i)
{
	struct ingest_item *it;
	char *b;
	int n;

	if ((it = ingest_item_new()) == NULL ||
	    (b = xmlMalloc(RECORD_BYTES + 1)) == NULL)
		return NULL;
	snprintf(it->rec.id, sizeof(it->rec.id), "LVV-W-%d", i);
	snprintf(it->rec.unit_id, sizeof(it->rec.unit_id), "U%d", i % 50);
	snprintf(it->rec.issuer, sizeof(it->rec.issuer), "LVV");
	snprintf(it->rec.opened, sizeof(it->rec.opened), "2026-09-02");
	it->rec.outcome = -1;
	it->rec.announced = -1;
	snprintf(it->signer, sizeof(it->signer), "FI/GOV/0245437-2/lvv");
	snprintf(it->peer, sizeof(it->peer), "%s", it->signer);
	memcpy(it->content, &i, sizeof(i));
	n = snprintf(b, RECORD_BYTES + 1, "<SupervisionRecord Id=\"%s\">",
	    it->rec.id);
	memset(b + n, 'x', (size_t)(RECORD_BYTES - n));
	b[RECORD_BYTES] = '\0';
	it->bytes = b;
	it->len = RECORD_BYTES;
	return it;
}

static void
test_checkpointed_beside_commits(void)
{
	struct node n;
	struct ingest *g;
	struct ingest_item *it;
	struct store_counts c;
	struct timeval tv = { 60, 0 };
	struct timespec ms100 = { 0, 100 * 1000 * 1000 };
	long db0, db1, wal_max = 0;
	struct err e;
	int i, k;

	memset(&n, 0, sizeof(n));
	n.conf.database = dbpath;
	err_clear(&e);
	CU_ASSERT_FATAL(store_open(dbpath, STORE_CREATE, &n.store, &e) == 0);
	CU_ASSERT_FATAL((n.base = loop_base = event_base_new()) != NULL);
	CU_ASSERT_FATAL((g = ingest_new(&n, done, batch, NULL, &e)) != NULL);
	db0 = file_size("");
	/* In rounds of 250 (a round is one or two batches), the loop run
	 * until they are answered; the WAL's size seen after each. */
	for (k = 0; k < RECORDS; k += 250) {
		want = k + 250;
		for (i = k; i < k + 250; i++) {
			CU_ASSERT_FATAL((it = item(i)) != NULL);
			ingest_add(g, it);
		}
		/* Bounded: a round not answered in 60 s fails the counts. */
		event_base_loopexit(n.base, &tv);
		event_base_dispatch(n.base);
		if (answered < want)
			break;
		if (file_size("-wal") > wal_max)
			wal_max = file_size("-wal");
	}
	CU_ASSERT_EQUAL(answered, RECORDS);
	CU_ASSERT_EQUAL(stored_new, RECORDS);
	/* The checkpointer copies beside the commits: give the last copy
	 * up to 10 s to land.  Over 3 pages a record went through the WAL
	 * (the row and its overflow pages, its indexes, the leaf, the log's
	 * nodes): past INGEST_WAL_CHECKPOINT, so the database file holds
	 * most of them while the node still runs (SQLite copies the rest at
	 * the last close, which is not reached here). */
	for (i = 0; i < 100 && file_size("") < db0 + (long)RECORDS * PAGE;
	    i++)
		nanosleep(&ms100, NULL);
	db1 = file_size("");
	CU_ASSERT(db1 >= db0 + (long)RECORDS * PAGE);
	if (db1 < db0 + (long)RECORDS * PAGE)
		fprintf(stderr, "database file %ld bytes (was %ld), WAL %ld\n",
		    db1, db0, file_size("-wal"));
	/* Never past the bound (a frame is a page and 24 bytes). */
	CU_ASSERT(wal_max <= (long)(INGEST_WAL_MAX + 300) * (PAGE + 24));
	CU_ASSERT(store_counts(n.store, &c, &e) == 0 && c.records == RECORDS);
	ingest_free(g);
	store_close(n.store);
	event_base_free(n.base);
}

/* Records put together, one of which a trigger refuses after its row and
 * leaf are written (its brief): the batch, written without a savepoint per
 * record, is spoiled and written again with them; that record fails with
 * the trigger's reason, the others are stored, and neither its row nor its
 * leaf is. */
static void
test_refused_halfway(void)
{
	struct node n;
	struct ingest *g;
	struct ingest_item *it;
	struct store_counts c0, c;
	struct store_record_meta m;
	struct timeval tv = { 60, 0 };
	uint64_t size0 = 0, size = 0;
	sqlite3 *db;
	struct err e;
	int i;

	memset(&n, 0, sizeof(n));
	n.conf.database = dbpath;
	err_clear(&e);
	CU_ASSERT_FATAL(store_open(dbpath, STORE_CREATE, &n.store, &e) == 0);
	CU_ASSERT_FATAL(store_counts(n.store, &c0, &e) == 0);
	CU_ASSERT_FATAL(store_tlog_size(n.store, &size0, &e) == 0);
	CU_ASSERT_FATAL(sqlite3_open(dbpath, &db) == SQLITE_OK);
	CU_ASSERT_FATAL(sqlite3_exec(db, "CREATE TRIGGER test_refuse BEFORE "
	    "INSERT ON record_brief WHEN new.id = 'LVV-W-20010' BEGIN SELECT "
	    "RAISE(ABORT, 'refused by the test'); END", NULL, NULL, NULL) ==
	    SQLITE_OK);
	sqlite3_close(db);
	refused = "LVV-W-20010";
	CU_ASSERT_FATAL((n.base = loop_base = event_base_new()) != NULL);
	CU_ASSERT_FATAL((g = ingest_new(&n, done, batch, NULL, &e)) != NULL);
	answered = stored_new = batches = 0;
	want = 20;
	for (i = 20000; i < 20020; i++) {
		CU_ASSERT_FATAL((it = item(i)) != NULL);
		ingest_add(g, it);
	}
	event_base_loopexit(n.base, &tv);
	event_base_dispatch(n.base);
	CU_ASSERT_EQUAL(answered, 20);
	CU_ASSERT_EQUAL(stored_new, 19);
	/* (one batch: the refused record was among others) */
	CU_ASSERT_EQUAL(batches, 1);
	CU_ASSERT(store_counts(n.store, &c, &e) == 0 &&
	    c.records == c0.records + 19);
	CU_ASSERT(store_tlog_size(n.store, &size, &e) == 0 &&
	    size == size0 + 19);
	err_clear(&e);
	CU_ASSERT(store_record_meta(n.store, refused, &m, &e) == -1 &&
	    e.code == ERR_NOTFOUND);
	CU_ASSERT(store_record_meta(n.store, "LVV-W-20011", &m, &e) == 0);
	refused = NULL;
	ingest_free(g);
	store_close(n.store);
	event_base_free(n.base);
}

static CU_TestInfo tests[] = {
	{ "copies the WAL into the database beside the commits, within its bound", test_checkpointed_beside_commits },
	{ "writes a batch again when a record fails halfway, storing the others", test_refused_halfway },
	CU_TEST_INFO_NULL
};

int
main(void)
{
	CU_SuiteInfo suites[] = {
		{ "ingest: the write-ahead log", suite_init, suite_clean, NULL,
		    NULL, tests },
		CU_SUITE_INFO_NULL
	};

	return test_run_suites(suites);
}
