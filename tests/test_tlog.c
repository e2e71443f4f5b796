/*
 * test_tlog.c - the transparency log in the node's store (store_tlog.h):
 * every signed record put gets the next leaf (SHA-256 of 0x00 and its
 * stored bytes) and unsigned ones none; the roots of every prefix equal
 * MTH written here from RFC 9162 over the leaf hashes; inclusion and
 * consistency proofs from the stored nodes verify; migration 8 gives the
 * signed records stored before it their leaves in stored order; a put that
 * fails (rolled back, conflicting, or whose leaf cannot be kept) leaves
 * neither record nor leaf; the triggers refuse rewriting the log; and the
 * start check names the first bad leaf of each kind of tampering.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "merkle.h"
#include "model.h"
#include "store.h"
#include "store_tlog.h"
#include "testmain.h"

#define HLEN	MERKLE_HASH_LEN
#define SIGNER	"FI/GOV/1/lasteri"
#define NPROOF	40		/* every size, leaf and pair up to this */

/* Undoes migrations 8 and up, for going back to schema 7. */
#define TLOG_DROP TEST_UNDO_MIGRATIONS_8_UP \
	"DELETE FROM schema_version WHERE version >= 8;"
/* What an attacker editing the file removes first. */
#define TRIGGERS_DROP \
	"DROP TRIGGER supervision_records_logged;" \
	"DROP TRIGGER supervision_records_logged_d;" \
	"DROP TRIGGER tlog_leaves_keep; DROP TRIGGER tlog_leaves_keep_d;" \
	"DROP TRIGGER tlog_nodes_keep; DROP TRIGGER tlog_nodes_keep_d;"

static char tmpdir[256];
static int dbseq;

static int
suite_init(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/lasteri-tlog.XXXXXX",
	    t ? t : "/tmp");
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

/* A new database; its path in path (512 bytes). */
static struct store *
open_new(char *path)
{
	struct store *s = NULL;
	struct err e;

	snprintf(path, 512, "%s/t%d.db", tmpdir, ++dbseq);
	err_clear(&e);
	if (store_open(path, STORE_CREATE, &s, &e) == -1)
		fprintf(stderr, "store_open: %s\n", e.msg);
	return s;
}

static int
sql(const char *path, const char *stmts)
{
	sqlite3 *db = NULL;
	char *msg = NULL;
	int rc;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	rc = sqlite3_exec(db, stmts, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		fprintf(stderr, "sql: %s\n", msg ? msg : "?");
	sqlite3_free(msg);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

/* The bytes a test record id is stored as (variant v gives other bytes). */
static void
rec_bytes(const char *id, int v, char *buf, size_t len)
{
	snprintf(buf, len, "<SupervisionRecord xmlns=\"urn:lasteri:1\" "
	    "Id=\"%s\"><Finding>%d</Finding></SupervisionRecord>", id, v);
}

/* Puts record id (signed when signer is not NULL); 0 or -1 (e set). */
static int
put(struct store *s, const char *id, int v, const char *signer,
    struct err *e)
{
	struct supervision_record r;
	unsigned char content[32];
	char xml[256];
	int isnew = 0;

	memset(&r, 0, sizeof(r));
	snprintf(r.id, sizeof(r.id), "%s", id);
	snprintf(r.unit_id, sizeof(r.unit_id), "U1");
	snprintf(r.issuer, sizeof(r.issuer), "HVA-08");
	snprintf(r.opened, sizeof(r.opened), "2026-03-02");
	r.outcome = -1;
	r.announced = -1;
	rec_bytes(id, v, xml, sizeof(xml));
	memset(content, v, sizeof(content));
	return store_record_put_signed(s, &r, xml, strlen(xml),
	    signer != NULL ? content : NULL, signer, &isnew, NULL, e);
}

/* --- the reference, from RFC 9162 2.1.1, sharing nothing with merkle.c --- */

static void
sha(const void *a, size_t al, const void *b, size_t bl, const void *c,
    size_t cl, unsigned char out[HLEN])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int n = 0;

	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    (al && EVP_DigestUpdate(md, a, al) != 1) ||
	    (bl && EVP_DigestUpdate(md, b, bl) != 1) ||
	    (cl && EVP_DigestUpdate(md, c, cl) != 1) ||
	    EVP_DigestFinal_ex(md, out, &n) != 1 || n != HLEN)
		abort();
	EVP_MD_CTX_free(md);
}

static void
ref_leaf(const char *data, unsigned char out[HLEN])
{
	static const unsigned char zero = 0x00;

	sha(&zero, 1, data, strlen(data), NULL, 0, out);
}

static void
ref_mth(unsigned char (*h)[HLEN], size_t n, unsigned char out[HLEN])
{
	static const unsigned char one = 0x01;
	unsigned char l[HLEN], r[HLEN];
	size_t k = 1;

	if (n == 0) {
		sha(NULL, 0, NULL, 0, NULL, 0, out);
		return;
	}
	if (n == 1) {
		memcpy(out, h[0], HLEN);
		return;
	}
	while (k * 2 < n)
		k *= 2;
	ref_mth(h, k, l);
	ref_mth(h + k, n - k, r);
	sha(&one, 1, l, HLEN, r, HLEN, out);
}

/* A store of n signed records "R000".."R(n-1)"; their leaf hashes into h
 * when given. */
static struct store *
build(char *path, int n, unsigned char (*h)[HLEN])
{
	struct store *s;
	struct err e;
	char id[16], xml[256];
	int i;

	if ((s = open_new(path)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "R%03d", i);
		err_clear(&e);
		if (put(s, id, 1, SIGNER, &e) == -1) {
			fprintf(stderr, "put %s: %s\n", id, e.msg);
			store_close(s);
			return NULL;
		}
		if (h != NULL) {
			rec_bytes(id, 1, xml, sizeof(xml));
			ref_leaf(xml, h[i]);
		}
	}
	return s;
}

/* --- appending ------------------------------------------------------------ */

/* Signed records get leaves in the order stored; unsigned ones none. */
static void
test_append(void)
{
	struct store_tlog_leaf lv[8], one;
	unsigned char h[HLEN];
	struct store *s;
	struct err e;
	char path[512], xml[256];
	uint64_t size = 99;
	size_t n = 0;

	err_clear(&e);
	CU_ASSERT_FATAL((s = open_new(path)) != NULL);
	CU_ASSERT(store_tlog_size(s, &size, &e) == 0 && size == 0);
	CU_ASSERT(put(s, "S-B", 1, SIGNER, &e) == 0);
	CU_ASSERT(put(s, "U-1", 1, NULL, &e) == 0);
	CU_ASSERT(put(s, "S-A", 1, SIGNER, &e) == 0);
	CU_ASSERT(put(s, "S-C", 1, SIGNER, &e) == 0);
	CU_ASSERT(put(s, "U-2", 1, "", &e) == 0);
	/* The same record again adds nothing. */
	CU_ASSERT(put(s, "S-A", 1, SIGNER, &e) == 0);
	CU_ASSERT(store_tlog_size(s, &size, &e) == 0);
	CU_ASSERT_EQUAL(size, 3);
	CU_ASSERT_FATAL(store_tlog_leaves(s, 0, 8, lv, &n, &e) == 0);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	CU_ASSERT_STRING_EQUAL(lv[0].record_id, "S-B");
	CU_ASSERT_STRING_EQUAL(lv[1].record_id, "S-A");
	CU_ASSERT_STRING_EQUAL(lv[2].record_id, "S-C");
	CU_ASSERT(lv[0].index == 0 && lv[1].index == 1 && lv[2].index == 2);
	rec_bytes("S-A", 1, xml, sizeof(xml));
	ref_leaf(xml, h);
	CU_ASSERT(memcmp(lv[1].hash, h, HLEN) == 0);
	/* Found by leaf hash and by record. */
	CU_ASSERT(store_tlog_find(s, h, &one, &e) == 0);
	CU_ASSERT(one.index == 1 && strcmp(one.record_id, "S-A") == 0);
	CU_ASSERT(store_tlog_find_record(s, "S-C", &one, &e) == 0);
	CU_ASSERT(one.index == 2);
	err_clear(&e);
	CU_ASSERT(store_tlog_find_record(s, "U-1", &one, &e) == -1);
	CU_ASSERT(e.code == ERR_NOTFOUND);
	memset(h, 0x5a, sizeof(h));
	err_clear(&e);
	CU_ASSERT(store_tlog_find(s, h, &one, &e) == -1);
	CU_ASSERT(e.code == ERR_NOTFOUND);
	CU_ASSERT(strstr(e.msg, "5a5a5a") != NULL);
	/* Paging, and the bound. */
	CU_ASSERT(store_tlog_leaves(s, 1, 8, lv, &n, &e) == 0 && n == 2 &&
	    lv[0].index == 1);
	CU_ASSERT(store_tlog_leaves(s, 3, 8, lv, &n, &e) == 0 && n == 0);
	err_clear(&e);
	CU_ASSERT(store_tlog_leaves(s, 0, STORE_TLOG_LEAVES_MAX + 1, lv, &n,
	    &e) == -1);
	CU_ASSERT(e.code == ERR_INPUT);
	store_close(s);
}

/* Every prefix's root is MTH over the leaf hashes; every inclusion and
 * consistency proof from stored nodes verifies against those roots. */
static void
test_roots_and_proofs(void)
{
	unsigned char (*h)[HLEN] = NULL, (*roots)[HLEN] = NULL, root[HLEN];
	unsigned char path[MERKLE_PATH_MAX][HLEN];
	struct store *s;
	struct err e;
	char dbpath[512];
	uint64_t size, i, m;
	size_t n;
	int bad_root = 0, bad_incl = 0, bad_cons = 0;

	CU_ASSERT_FATAL((h = calloc(NPROOF, HLEN)) != NULL);
	CU_ASSERT_FATAL((roots = calloc(NPROOF + 1, HLEN)) != NULL);
	CU_ASSERT_FATAL((s = build(dbpath, NPROOF, h)) != NULL);
	err_clear(&e);
	for (size = 0; size <= NPROOF; size++) {
		ref_mth(h, (size_t)size, roots[size]);
		if (store_tlog_root(s, size, root, &e) == -1 ||
		    memcmp(root, roots[size], HLEN) != 0)
			bad_root++;
	}
	CU_ASSERT_EQUAL(bad_root, 0);
	for (size = 1; size <= NPROOF; size++) {
		for (i = 0; i < size; i++)
			if (store_tlog_inclusion(s, i, size, path, &n,
			    &e) == -1 || merkle_inclusion_verify(i, size, h[i],
			    (const unsigned char (*)[HLEN])path, n,
			    roots[size], &e) == -1)
				bad_incl++;
		for (m = 1; m <= size; m++)
			if (store_tlog_consistency(s, m, size, path, &n,
			    &e) == -1 || merkle_consistency_verify(m, size,
			    roots[m], roots[size],
			    (const unsigned char (*)[HLEN])path, n, &e) == -1)
				bad_cons++;
	}
	CU_ASSERT_EQUAL(bad_incl, 0);
	CU_ASSERT_EQUAL(bad_cons, 0);
	if (bad_root + bad_incl + bad_cons > 0)
		fprintf(stderr, "last error: %s\n", e.msg);
	/* Nothing past the tree. */
	err_clear(&e);
	CU_ASSERT(store_tlog_root(s, NPROOF + 1, root, &e) == -1);
	CU_ASSERT(e.code == ERR_INPUT && strstr(e.msg, "beyond") != NULL);
	err_clear(&e);
	CU_ASSERT(store_tlog_inclusion(s, 0, NPROOF + 1, path, &n, &e) == -1);
	CU_ASSERT(e.code == ERR_INPUT);
	err_clear(&e);
	CU_ASSERT(store_tlog_consistency(s, 1, NPROOF + 1, path, &n, &e) ==
	    -1);
	CU_ASSERT(e.code == ERR_INPUT);
	store_close(s);
	free(h);
	free(roots);
}

/* Records stored before migration 8 get their leaves in stored (rowid)
 * order, not in Id order, and unsigned ones none. */
static void
test_migration_fills(void)
{
	static const char *const order[] = { "R-Z", "R-A", "R-M" };
	unsigned char h[3][HLEN], want[HLEN], root[HLEN];
	struct store_tlog_leaf lv[4];
	struct store *s;
	struct err e;
	char path[512], xml[256];
	uint64_t size = 0;
	size_t n = 0, i;
	int v = 0;

	err_clear(&e);
	CU_ASSERT_FATAL((s = open_new(path)) != NULL);
	CU_ASSERT(put(s, "R-Z", 1, SIGNER, &e) == 0);
	CU_ASSERT(put(s, "U-0", 1, NULL, &e) == 0);
	CU_ASSERT(put(s, "R-A", 1, SIGNER, &e) == 0);
	CU_ASSERT(put(s, "R-M", 1, SIGNER, &e) == 0);
	store_close(s);
	/* Back to schema 7, as a database written before issue 11. */
	CU_ASSERT_FATAL(sql(path, TLOG_DROP) == 0);
	CU_ASSERT_FATAL(store_open(path, 0, &s, &e) == 0);
	CU_ASSERT(store_schema_version(s, &v, &e) == 0 &&
	    v == store_schema_latest());
	CU_ASSERT(store_tlog_size(s, &size, &e) == 0 && size == 3);
	CU_ASSERT_FATAL(store_tlog_leaves(s, 0, 4, lv, &n, &e) == 0);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	for (i = 0; i < 3; i++) {
		CU_ASSERT_STRING_EQUAL(lv[i].record_id, order[i]);
		rec_bytes(order[i], 1, xml, sizeof(xml));
		ref_leaf(xml, h[i]);
		CU_ASSERT(memcmp(lv[i].hash, h[i], HLEN) == 0);
	}
	ref_mth(h, 3, want);
	CU_ASSERT(store_tlog_root(s, 3, root, &e) == 0 &&
	    memcmp(root, want, HLEN) == 0);
	/* A record stored after the migration follows them. */
	CU_ASSERT(put(s, "R-B", 1, SIGNER, &e) == 0);
	CU_ASSERT(store_tlog_find_record(s, "R-B", &lv[0], &e) == 0 &&
	    lv[0].index == 3);
	store_close(s);
}

/* A put that fails leaves neither its record nor its leaf. */
static void
test_failed_put(void)
{
	struct store_counts c;
	struct store_tlog_leaf one;
	struct store *s;
	struct err e;
	char path[512], *xml = NULL;
	uint64_t size = 0;
	size_t len;

	err_clear(&e);
	CU_ASSERT_FATAL((s = open_new(path)) != NULL);
	CU_ASSERT(put(s, "R-1", 1, SIGNER, &e) == 0);
	/* Rolled back with its transaction. */
	CU_ASSERT(store_begin(s, &e) == 0);
	CU_ASSERT(put(s, "R-2", 1, SIGNER, &e) == 0);
	store_rollback(s);
	CU_ASSERT(store_tlog_size(s, &size, &e) == 0 && size == 1);
	err_clear(&e);
	CU_ASSERT(store_record_get(s, "R-2", &xml, &len, NULL, &e) == -1);
	CU_ASSERT(e.code == ERR_NOTFOUND);
	/* Another document under a stored Id: refused, no leaf. */
	err_clear(&e);
	CU_ASSERT(put(s, "R-1", 2, SIGNER, &e) == -1);
	CU_ASSERT(e.code == ERR_CONFLICT);
	CU_ASSERT(store_tlog_size(s, &size, &e) == 0 && size == 1);
	/* The leaf cannot be kept (a node in its place): the record is not
	 * stored either. */
	CU_ASSERT_FATAL(sql(path, "INSERT INTO tlog_nodes(level, idx, hash)"
	    " VALUES (0, 1, zeroblob(32))") == 0);
	err_clear(&e);
	CU_ASSERT(put(s, "R-3", 1, SIGNER, &e) == -1);
	CU_ASSERT(e.code == ERR_DB);
	CU_ASSERT(strstr(e.msg, "R-3") != NULL);
	err_clear(&e);
	CU_ASSERT(store_record_get(s, "R-3", &xml, &len, NULL, &e) == -1);
	CU_ASSERT(e.code == ERR_NOTFOUND);
	err_clear(&e);
	CU_ASSERT(store_tlog_find_record(s, "R-3", &one, &e) == -1);
	CU_ASSERT(e.code == ERR_NOTFOUND);
	CU_ASSERT(store_tlog_size(s, &size, &e) == 0 && size == 1);
	CU_ASSERT(store_counts(s, &c, &e) == 0 && c.records == 1);
	/* An unsigned record needs no leaf and is stored. */
	CU_ASSERT(put(s, "U-1", 1, NULL, &e) == 0);
	store_close(s);
	free(xml);
}

/* The node's own code cannot rewrite the log or drop a logged record. */
static void
test_triggers(void)
{
	static char xml[] = "<Checkpoint/>";
	struct store_tlog_cp cp;
	struct store *s;
	char path[512];
	struct err e;

	err_clear(&e);
	CU_ASSERT_FATAL((s = build(path, 3, NULL)) != NULL);
	memset(&cp, 0, sizeof(cp));
	snprintf(cp.id, sizeof(cp.id), "CP-3");
	cp.size = 3;
	cp.xml = xml;
	cp.len = strlen(cp.xml);
	CU_ASSERT(store_tlog_cp_put(s, &cp, &e) == 0);
	store_close(s);
	CU_ASSERT(sql(path, "DELETE FROM supervision_records WHERE id ="
	    " 'R001'") == -1);
	CU_ASSERT(sql(path, "UPDATE supervision_records SET xml = 'x' WHERE"
	    " id = 'R001'") == -1);
	CU_ASSERT(sql(path, "UPDATE tlog_leaves SET hash = zeroblob(32)") ==
	    -1);
	CU_ASSERT(sql(path, "DELETE FROM tlog_leaves WHERE idx = 2") == -1);
	CU_ASSERT(sql(path, "DELETE FROM tlog_nodes") == -1);
	CU_ASSERT(sql(path, "DELETE FROM tlog_checkpoints") == -1);
	CU_ASSERT(sql(path, "UPDATE tlog_checkpoints SET size = 1") == -1);
	/* Columns beside the bytes may still change (migration 7 did). */
	CU_ASSERT(sql(path, "UPDATE supervision_records SET provider ="
	    " '1234567-1'") == 0);
}

static void
test_checkpoints_kept(void)
{
	static char xa[] = "<Checkpoint>a</Checkpoint>";
	static char xb[] = "<Checkpoint>b\0bytes</Checkpoint>";
	struct store_tlog_cp a, b, got;
	struct store *s;
	struct err e;
	char path[512];
	int64_t n = 0;
	int found = -1;

	err_clear(&e);
	CU_ASSERT_FATAL((s = open_new(path)) != NULL);
	CU_ASSERT(store_tlog_cp_latest(s, &got, &found, &e) == 0 &&
	    found == 0);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.size = 0;
	a.time = 1700000000;
	snprintf(a.id, sizeof(a.id), "CP-0-a");
	a.xml = xa;
	a.len = strlen(a.xml);
	b = a;
	b.size = 0;
	b.time = 1700000060;
	memset(b.root, 7, sizeof(b.root));
	snprintf(b.id, sizeof(b.id), "CP-0-b");
	b.xml = xb;
	b.len = sizeof(xb) - 1;
	CU_ASSERT(store_tlog_cp_put(s, &a, &e) == 0);
	CU_ASSERT(store_tlog_cp_put(s, &b, &e) == 0);
	CU_ASSERT(b.seq > a.seq);
	store_close(s);
	CU_ASSERT_FATAL(store_open(path, STORE_RDONLY, &s, &e) == 0);
	CU_ASSERT_FATAL(store_tlog_cp_latest(s, &got, &found, &e) == 0 &&
	    found == 1);
	CU_ASSERT(got.seq == b.seq && got.time == b.time);
	CU_ASSERT_STRING_EQUAL(got.id, "CP-0-b");
	CU_ASSERT(got.len == b.len && memcmp(got.xml, b.xml, b.len) == 0);
	CU_ASSERT(memcmp(got.root, b.root, HLEN) == 0);
	CU_ASSERT(store_tlog_cp_count(s, &n, &e) == 0 && n == 2);
	store_tlog_cp_clear(&got);
	store_close(s);
}

/* --- the start check -------------------------------------------------------- */

/* Runs the audit of the database at path against (size, root). */
static int
audit(const char *path, uint64_t size, const unsigned char *root,
    struct store_tlog_bad *bad)
{
	struct store *s = NULL;
	struct err e;
	int rc;

	err_clear(&e);
	if (store_open(path, 0, &s, &e) == -1) {
		fprintf(stderr, "store_open: %s\n", e.msg);
		return -1;
	}
	rc = store_tlog_audit(s, size, root, bad, &e);
	if (rc == -1)
		fprintf(stderr, "audit: %s\n", e.msg);
	store_close(s);
	return rc;
}

/* An 8-leaf store and its root; then the tampering sql, then the audit. */
static int
tampered(const char *stmts, struct store_tlog_bad *bad)
{
	unsigned char root[HLEN];
	struct store *s;
	struct err e;
	char path[512];

	err_clear(&e);
	if ((s = build(path, 8, NULL)) == NULL ||
	    store_tlog_root(s, 8, root, &e) == -1) {
		store_close(s);
		return -1;
	}
	store_close(s);
	if (sql(path, TRIGGERS_DROP) == -1 || sql(path, stmts) == -1)
		return -1;
	return audit(path, 8, root, bad);
}

static void
test_audit_clean(void)
{
	struct store_tlog_bad bad;
	unsigned char root[HLEN];
	struct store *s;
	struct err e;
	char path[512];

	err_clear(&e);
	CU_ASSERT_FATAL((s = build(path, 13, NULL)) != NULL);
	CU_ASSERT(store_tlog_root(s, 10, root, &e) == 0);
	CU_ASSERT(put(s, "U-1", 1, NULL, &e) == 0);
	store_close(s);
	/* Leaves past the checkpoint are checked too, and pass. */
	CU_ASSERT(audit(path, 10, root, &bad) == 0);
	CU_ASSERT_EQUAL(bad.found, 0);
	CU_ASSERT_EQUAL(bad.size, 13);
	CU_ASSERT(audit(path, 0, NULL, &bad) == 0 && bad.found == 0);
	/* Another root for the same size is a mismatch. */
	root[0] ^= 1;
	CU_ASSERT(audit(path, 10, root, &bad) == 0 && bad.found == 1);
	/* An empty store against the empty tree's root. */
	CU_ASSERT_FATAL((s = open_new(path)) != NULL);
	CU_ASSERT(store_tlog_root(s, 0, root, &e) == 0);
	store_close(s);
	CU_ASSERT(audit(path, 0, root, &bad) == 0 && bad.found == 0);
}

static void
test_audit_altered(void)
{
	struct store_tlog_bad bad;

	CU_ASSERT_FATAL(tampered("UPDATE supervision_records SET xml ="
	    " replace(xml, '>1<', '>2<') WHERE id = 'R003'", &bad) == 0);
	CU_ASSERT_EQUAL(bad.found, 1);
	CU_ASSERT_EQUAL(bad.index, 3);
	CU_ASSERT_STRING_EQUAL(bad.record_id, "R003");
	CU_ASSERT(strstr(bad.why, "was altered") != NULL);
}

static void
test_audit_deleted(void)
{
	struct store_tlog_bad bad;

	CU_ASSERT_FATAL(tampered("DELETE FROM supervision_records WHERE id ="
	    " 'R005'", &bad) == 0);
	CU_ASSERT(bad.found == 1 && bad.index == 5);
	CU_ASSERT_STRING_EQUAL(bad.record_id, "R005");
	CU_ASSERT(strstr(bad.why, "deleted") != NULL);
}

static void
test_audit_truncated(void)
{
	struct store_tlog_bad bad;

	CU_ASSERT_FATAL(tampered("DELETE FROM tlog_leaves WHERE idx >= 6",
	    &bad) == 0);
	CU_ASSERT(bad.found == 1 && bad.index == 6);
	CU_ASSERT_STRING_EQUAL(bad.record_id, "R006");
	CU_ASSERT(strstr(bad.why, "truncated") != NULL);
	/* The last leaf only. */
	CU_ASSERT_FATAL(tampered("DELETE FROM tlog_leaves WHERE idx = 7",
	    &bad) == 0);
	CU_ASSERT(bad.found == 1 && bad.index == 7);
	CU_ASSERT_STRING_EQUAL(bad.record_id, "R007");
	/* A leaf missing in the middle. */
	CU_ASSERT_FATAL(tampered("DELETE FROM tlog_leaves WHERE idx = 2",
	    &bad) == 0);
	CU_ASSERT(bad.found == 1 && bad.index == 2);
	CU_ASSERT_STRING_EQUAL(bad.record_id, "R002");
	CU_ASSERT(strstr(bad.why, "missing") != NULL);
}

static void
test_audit_orphan(void)
{
	struct store_tlog_bad bad;
	struct store *s;
	char path[512];

	CU_ASSERT_FATAL((s = build(path, 4, NULL)) != NULL);
	store_close(s);
	CU_ASSERT_FATAL(sql(path, TRIGGERS_DROP) == 0);
	CU_ASSERT_FATAL(sql(path, "DELETE FROM tlog_leaves WHERE idx = 3;"
	    "DELETE FROM tlog_nodes WHERE idx >= 3 AND level = 0") == 0);
	CU_ASSERT_FATAL(audit(path, 0, NULL, &bad) == 0);
	CU_ASSERT(bad.found == 1 && bad.index == 3);
	CU_ASSERT_STRING_EQUAL(bad.record_id, "R003");
	CU_ASSERT(strstr(bad.why, "without a leaf") != NULL);
}

/* A leaf and its record rewritten together still differ from the stored
 * tree; an interior hash rewritten alone names its first leaf. */
static void
test_audit_rewritten(void)
{
	struct store_tlog_bad bad;
	unsigned char h[HLEN];
	char xml[256], stmts[1024], hex[2 * HLEN + 1];
	size_t i;

	rec_bytes("R002", 9, xml, sizeof(xml));
	ref_leaf(xml, h);
	for (i = 0; i < HLEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", h[i]);
	snprintf(stmts, sizeof(stmts), "UPDATE supervision_records SET xml ="
	    " CAST('%s' AS BLOB) WHERE id = 'R002';"
	    "UPDATE tlog_leaves SET hash = x'%s' WHERE idx = 2", xml, hex);
	CU_ASSERT_FATAL(tampered(stmts, &bad) == 0);
	CU_ASSERT(bad.found == 1 && bad.index == 2);
	CU_ASSERT_STRING_EQUAL(bad.record_id, "R002");
	CU_ASSERT(strstr(bad.why, "rewritten together") != NULL);

	CU_ASSERT_FATAL(tampered("UPDATE tlog_nodes SET hash = zeroblob(32)"
	    " WHERE level = 2 AND idx = 1", &bad) == 0);
	CU_ASSERT(bad.found == 1 && bad.index == 4);
	CU_ASSERT_STRING_EQUAL(bad.record_id, "R004");
	CU_ASSERT(strstr(bad.why, "level 2, index 1") != NULL);
}

/* Records, leaves and every stored hash rewritten consistently from leaf 5
 * on: only the signed roots tell, and the older checkpoint that still
 * matches narrows it to the leaves after it. */
static void
test_audit_history(void)
{
	static char xml[] = "<Checkpoint/>";
	struct store_tlog_bad bad;
	struct store_tlog_cp cp;
	unsigned char root4[HLEN], root8[HLEN];
	struct store *s;
	struct err e;
	char path[512], other[512];
	int i;

	err_clear(&e);
	CU_ASSERT_FATAL((s = build(path, 8, NULL)) != NULL);
	CU_ASSERT(store_tlog_root(s, 4, root4, &e) == 0);
	CU_ASSERT(store_tlog_root(s, 8, root8, &e) == 0);
	store_close(s);
	/* The attacker's log: the same first five records, then others. */
	CU_ASSERT_FATAL((s = open_new(other)) != NULL);
	for (i = 0; i < 8; i++) {
		char id[16];

		snprintf(id, sizeof(id), i < 5 ? "R%03d" : "X%03d", i);
		CU_ASSERT(put(s, id, 1, SIGNER, &e) == 0);
	}
	memset(&cp, 0, sizeof(cp));
	cp.xml = xml;
	cp.len = strlen(cp.xml);
	cp.size = 4;
	memcpy(cp.root, root4, HLEN);
	snprintf(cp.id, sizeof(cp.id), "CP-4");
	CU_ASSERT(store_tlog_cp_put(s, &cp, &e) == 0);
	cp.size = 8;
	memcpy(cp.root, root8, HLEN);
	snprintf(cp.id, sizeof(cp.id), "CP-8");
	CU_ASSERT(store_tlog_cp_put(s, &cp, &e) == 0);
	store_close(s);
	CU_ASSERT_FATAL(audit(other, 8, root8, &bad) == 0);
	CU_ASSERT(bad.found == 1 && bad.index == 4);
	CU_ASSERT_STRING_EQUAL(bad.record_id, "R004");
	CU_ASSERT(strstr(bad.why, "rewritten together") != NULL);
	CU_ASSERT(strstr(bad.why, "leaves 4 to 7") != NULL);
}

static CU_TestInfo append_tests[] = {
	{ "gives each signed record the next leaf and unsigned ones none", test_append },
	{ "keeps roots equal to MTH and proofs that verify for every size", test_roots_and_proofs },
	{ "fills the leaves of records stored before migration 8 in stored order", test_migration_fills },
	{ "leaves neither record nor leaf when a put fails", test_failed_put },
	{ "refuses to rewrite the log or delete a logged record", test_triggers },
	{ "keeps every checkpoint with its exact bytes", test_checkpoints_kept },
	CU_TEST_INFO_NULL
};

static CU_TestInfo audit_tests[] = {
	{ "passes an untouched log against its checkpoint", test_audit_clean },
	{ "names the leaf of a record whose bytes were altered", test_audit_altered },
	{ "names the leaf of a deleted record", test_audit_deleted },
	{ "names the first missing leaf of a truncated log", test_audit_truncated },
	{ "names a signed record stored without a leaf", test_audit_orphan },
	{ "names the leaf of a record and leaf rewritten together", test_audit_rewritten },
	{ "narrows a consistent rewrite to the leaves after the last matching checkpoint", test_audit_history },
	CU_TEST_INFO_NULL
};

int
main(void)
{
	CU_SuiteInfo suites[] = {
		{ "tlog: appending and proofs", suite_init, suite_clean, NULL, NULL, append_tests },
		{ "tlog: the start check", suite_init, suite_clean, NULL, NULL, audit_tests },
		CU_SUITE_INFO_NULL
	};

	return test_run_suites(suites);
}
