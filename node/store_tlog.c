/*
 * store_tlog.c - the SQL of the transparency log (see store_tlog.h; the
 * tables are migration 8's in store_migrate.c).
 *
 * Layout.  tlog_leaves holds one row per leaf (index, record Id, leaf
 * hash); tlog_nodes every complete subtree the appends completed, (level,
 * index) -> hash, level 0 being the leaf hashes again: a proof reads only
 * tlog_nodes, and the start check compares the two copies.  The hot
 * statements (append, node reads for proofs) are cached in struct store's
 * slots ST_TLOG_*; the audit's walk is prepared once per call.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "merkle.h"
#include "store_internal.h"
#include "store_tlog.h"

#define HLEN	MERKLE_HASH_LEN

static const char *const tlog_sql[ST_COUNT] = {
	[ST_TLOG_SIZE] = "SELECT coalesce(max(idx) + 1, 0) FROM tlog_leaves",
	[ST_TLOG_NODE_GET] = "SELECT hash FROM tlog_nodes WHERE level = ?"
	    " AND idx = ?",
	[ST_TLOG_NODE_PUT] = "INSERT INTO tlog_nodes(level, idx, hash)"
	    " VALUES (?, ?, ?)",
	[ST_TLOG_LEAF_PUT] = "INSERT INTO tlog_leaves(idx, record_id, hash)"
	    " VALUES (?, ?, ?)",
	[ST_TLOG_LEAF_FIND] = "SELECT idx, record_id, hash FROM tlog_leaves"
	    " WHERE hash = ? ORDER BY idx LIMIT 1",
	[ST_TLOG_LEAF_RECORD] = "SELECT idx, record_id, hash FROM tlog_leaves"
	    " WHERE record_id = ?",
	[ST_TLOG_LEAVES] = "SELECT idx, record_id, hash FROM tlog_leaves"
	    " WHERE idx >= ? ORDER BY idx LIMIT ?",
	[ST_TLOG_CP_PUT] = "INSERT INTO tlog_checkpoints(size, root, time, id,"
	    " xml) VALUES (?, ?, ?, ?, ?)",
	[ST_TLOG_CP_LATEST] = "SELECT seq, size, root, time, id, xml"
	    " FROM tlog_checkpoints ORDER BY seq DESC LIMIT 1",
};

/* The cached statement i of this file, reset and unbound. */
static sqlite3_stmt *
tlog_stmt(struct store *s, enum store_stmt i, struct err *e)
{
	if (s->st[i] == NULL) {
		if (sqlite3_prepare_v3(s->db, tlog_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK) {
			store_dberr(s, "preparing a transparency-log statement",
			    e);
			return NULL;
		}
	} else {
		sqlite3_reset(s->st[i]);
		sqlite3_clear_bindings(s->st[i]);
	}
	return s->st[i];
}

static void
hex32(const unsigned char h[HLEN], char out[2 * HLEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < HLEN; i++) {
		out[2 * i] = digits[h[i] >> 4];
		out[2 * i + 1] = digits[h[i] & 0xf];
	}
	out[2 * HLEN] = '\0';
}

/* Copies a 32-byte blob column; -1 when it is not one. */
static int
col_hash(sqlite3_stmt *st, int i, unsigned char out[HLEN])
{
	const void *b = sqlite3_column_blob(st, i);

	if (b == NULL || sqlite3_column_bytes(st, i) != HLEN)
		return -1;
	memcpy(out, b, HLEN);
	return 0;
}

static void
col_text(sqlite3_stmt *st, int i, char *dst, size_t len)
{
	const unsigned char *v = sqlite3_column_text(st, i);

	snprintf(dst, len, "%s", v != NULL ? (const char *)v : "");
}

/* --- reading stored nodes --------------------------------------------------- */

struct getter {
	struct store	*s;
	struct err	 e;		/* why a read failed */
	int		 missing;	/* the node is not stored */
};

static int
get_node(void *arg, int level, uint64_t index, unsigned char out[HLEN])
{
	struct getter *g = arg;
	sqlite3_stmt *st;
	int r, rc = -1;

	if ((st = tlog_stmt(g->s, ST_TLOG_NODE_GET, &g->e)) == NULL)
		return -1;
	sqlite3_bind_int(st, 1, level);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)index);
	if ((r = sqlite3_step(st)) == SQLITE_ROW && col_hash(st, 0, out) == 0)
		rc = 0;
	else if (r == SQLITE_ROW || r == SQLITE_DONE) {
		g->missing = 1;
		err_set(&g->e, ERR_DB, "%s: the transparency log has no "
		    "stored node at level %d, index %" PRIu64, g->s->path,
		    level, index);
	} else
		store_dberr(g->s, "reading a transparency-log node", &g->e);
	sqlite3_reset(st);
	return rc;
}

/* A merkle failure caused by a read: the read's reason is the better one. */
static int
merkle_failed(struct getter *g, struct err *e)
{
	if (e != NULL && e->code == ERR_INTERNAL && g->e.code != ERR_OK)
		*e = g->e;
	return -1;
}

int
store_tlog_size(struct store *s, uint64_t *size, struct err *e)
{
	sqlite3_stmt *st;
	int r;

	*size = 0;
	if ((st = tlog_stmt(s, ST_TLOG_SIZE, e)) == NULL)
		return -1;
	if ((r = sqlite3_step(st)) == SQLITE_ROW)
		*size = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (r != SQLITE_ROW)
		return store_dberr(s, "reading the transparency log's size", e);
	return 0;
}

/* Fails with ERR_INPUT when size is beyond the stored tree. */
static int
within(struct store *s, uint64_t size, struct err *e)
{
	uint64_t have;

	if (store_tlog_size(s, &have, e) == -1)
		return -1;
	if (size > have)
		return err_set(e, ERR_INPUT, "tree size %" PRIu64 " is beyond "
		    "the log's %" PRIu64 " leaves", size, have);
	return 0;
}

int
store_tlog_root(struct store *s, uint64_t size, unsigned char root[HLEN],
    struct err *e)
{
	struct getter g = { s, { ERR_OK, "" }, 0 };

	if (within(s, size, e) == -1)
		return -1;
	if (merkle_root(size, get_node, &g, root, e) == -1)
		return merkle_failed(&g, e);
	return 0;
}

int
store_tlog_inclusion(struct store *s, uint64_t index, uint64_t size,
    unsigned char path[MERKLE_PATH_MAX][HLEN], size_t *n, struct err *e)
{
	struct getter g = { s, { ERR_OK, "" }, 0 };

	if (within(s, size, e) == -1)
		return -1;
	if (merkle_inclusion_proof(index, size, get_node, &g, path, n, e) ==
	    -1)
		return merkle_failed(&g, e);
	return 0;
}

int
store_tlog_consistency(struct store *s, uint64_t m, uint64_t n,
    unsigned char path[MERKLE_PATH_MAX][HLEN], size_t *len, struct err *e)
{
	struct getter g = { s, { ERR_OK, "" }, 0 };

	if (within(s, n, e) == -1)
		return -1;
	if (merkle_consistency_proof(m, n, get_node, &g, path, len, e) == -1)
		return merkle_failed(&g, e);
	return 0;
}

/* Reads one leaf row (idx, record_id, hash) at st's current row. */
static int
leaf_row(struct store *s, sqlite3_stmt *st, struct store_tlog_leaf *out,
    struct err *e)
{
	out->index = (uint64_t)sqlite3_column_int64(st, 0);
	col_text(st, 1, out->record_id, sizeof(out->record_id));
	if (col_hash(st, 2, out->hash) == -1)
		return err_set(e, ERR_DB, "%s: transparency-log leaf %" PRIu64
		    " has no 32-byte hash", s->path, out->index);
	return 0;
}

static int
find_one(struct store *s, sqlite3_stmt *st, const char *what,
    struct store_tlog_leaf *out, struct err *e)
{
	int r, rc = -1;

	if ((r = sqlite3_step(st)) == SQLITE_ROW)
		rc = leaf_row(s, st, out, e);
	else if (r == SQLITE_DONE)
		err_set(e, ERR_NOTFOUND, "no leaf %s in the transparency log",
		    what);
	else
		store_dberr(s, "reading a transparency-log leaf", e);
	sqlite3_reset(st);
	return rc;
}

int
store_tlog_find(struct store *s, const unsigned char hash[HLEN],
    struct store_tlog_leaf *out, struct err *e)
{
	sqlite3_stmt *st;
	char what[2 * HLEN + 16];

	memset(out, 0, sizeof(*out));
	if ((st = tlog_stmt(s, ST_TLOG_LEAF_FIND, e)) == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, hash, HLEN, SQLITE_TRANSIENT);
	snprintf(what, sizeof(what), "with hash ");
	hex32(hash, what + strlen(what));
	return find_one(s, st, what, out, e);
}

int
store_tlog_find_record(struct store *s, const char *id,
    struct store_tlog_leaf *out, struct err *e)
{
	sqlite3_stmt *st;
	char what[ID_MAX + 16];

	memset(out, 0, sizeof(*out));
	if ((st = tlog_stmt(s, ST_TLOG_LEAF_RECORD, e)) == NULL)
		return -1;
	store_bind_text(st, 1, id);
	snprintf(what, sizeof(what), "of record %s", id);
	return find_one(s, st, what, out, e);
}

int
store_tlog_leaves(struct store *s, uint64_t start, size_t count,
    struct store_tlog_leaf *out, size_t *n, struct err *e)
{
	sqlite3_stmt *st;
	int r = SQLITE_DONE, rc = -1;

	*n = 0;
	if (count > STORE_TLOG_LEAVES_MAX || start > MERKLE_SIZE_MAX)
		return err_set(e, ERR_INPUT, "at most %d leaves from an index "
		    "below 2^63", STORE_TLOG_LEAVES_MAX);
	if ((st = tlog_stmt(s, ST_TLOG_LEAVES, e)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)start);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)count);
	while (*n < count && (r = sqlite3_step(st)) == SQLITE_ROW) {
		if (leaf_row(s, st, &out[*n], e) == -1)
			goto done;
		(*n)++;
	}
	if (r != SQLITE_ROW && r != SQLITE_DONE) {
		store_dberr(s, "reading transparency-log leaves", e);
		goto done;
	}
	rc = 0;
done:
	sqlite3_reset(st);
	return rc;
}

/* --- appending ------------------------------------------------------------- */

int
store_tlog_append(struct store *s, const char *record_id, const char *xml,
    size_t len, struct err *e)
{
	struct getter g = { s, { ERR_OK, "" }, 0 };
	struct merkle_node nodes[MERKLE_APPEND_MAX];
	unsigned char h[HLEN];
	sqlite3_stmt *st;
	uint64_t size;
	size_t nn, i;

	if (store_tlog_size(s, &size, e) == -1)
		return -1;
	if (merkle_leaf_hash(xml, len, h) == -1)
		return err_set(e, ERR_INTERNAL, "supervision record %s: "
		    "SHA-256 failed", record_id);
	if (merkle_append(size, h, get_node, &g, nodes, &nn, e) == -1) {
		merkle_failed(&g, e);
		return err_prefix(e, "transparency log: appending record %s",
		    record_id);
	}
	if ((st = tlog_stmt(s, ST_TLOG_LEAF_PUT, e)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)size);
	store_bind_text(st, 2, record_id);
	sqlite3_bind_blob(st, 3, h, HLEN, SQLITE_TRANSIENT);
	if (store_step_done(s, st, "appending the transparency-log leaf of",
	    record_id, e) == -1)
		return -1;
	for (i = 0; i < nn; i++) {
		if ((st = tlog_stmt(s, ST_TLOG_NODE_PUT, e)) == NULL)
			return -1;
		sqlite3_bind_int(st, 1, nodes[i].level);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)nodes[i].index);
		sqlite3_bind_blob(st, 3, nodes[i].hash, HLEN,
		    SQLITE_TRANSIENT);
		if (store_step_done(s, st, "storing a transparency-log node "
		    "for", record_id, e) == -1)
			return -1;
	}
	return 0;
}

/* Migration 8: the signed records stored before it, in their stored
 * order.  Writes only the tlog tables while reading the records. */
int
store_tlog_fill(struct store *s, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int r, rc = -1;

	if (sqlite3_prepare_v2(s->db, "SELECT id, xml FROM supervision_records"
	    " WHERE signer IS NOT NULL AND signer <> '' ORDER BY rowid", -1,
	    &st, NULL) != SQLITE_OK) {
		store_dberr(s, "reading the signed records", e);
		goto done;
	}
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		const char *xml = sqlite3_column_blob(st, 1);
		size_t len = (size_t)sqlite3_column_bytes(st, 1);

		if (store_tlog_append(s, id ? id : "", xml ? xml : "", len,
		    e) == -1)
			goto done;
	}
	if (r != SQLITE_DONE) {
		store_dberr(s, "reading the signed records", e);
		goto done;
	}
	rc = 0;
done:
	sqlite3_finalize(st);
	return rc;
}

/* --- checkpoints ------------------------------------------------------------- */

int
store_tlog_cp_put(struct store *s, struct store_tlog_cp *c, struct err *e)
{
	sqlite3_stmt *st;

	if (s->rdonly)
		return err_set(e, ERR_DB, "%s: opened read-only", s->path);
	if (c->size > MERKLE_SIZE_MAX)
		return err_set(e, ERR_INPUT, "checkpoint size too large");
	if ((st = tlog_stmt(s, ST_TLOG_CP_PUT, e)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)c->size);
	sqlite3_bind_blob(st, 2, c->root, HLEN, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)c->time);
	store_bind_text(st, 4, c->id);
	sqlite3_bind_blob64(st, 5, c->xml != NULL ? c->xml : "", c->len,
	    SQLITE_TRANSIENT);
	if (store_step_done(s, st, "keeping checkpoint", c->id, e) == -1)
		return -1;
	c->seq = (int64_t)sqlite3_last_insert_rowid(s->db);
	return 0;
}

int
store_tlog_cp_latest(struct store *s, struct store_tlog_cp *out, int *found,
    struct err *e)
{
	sqlite3_stmt *st;
	const void *b;
	int r, rc = -1;

	memset(out, 0, sizeof(*out));
	*found = 0;
	if ((st = tlog_stmt(s, ST_TLOG_CP_LATEST, e)) == NULL)
		return -1;
	if ((r = sqlite3_step(st)) == SQLITE_DONE) {
		rc = 0;
		goto done;
	}
	if (r != SQLITE_ROW) {
		store_dberr(s, "reading the latest checkpoint", e);
		goto done;
	}
	out->seq = sqlite3_column_int64(st, 0);
	out->size = (uint64_t)sqlite3_column_int64(st, 1);
	if (col_hash(st, 2, out->root) == -1) {
		err_set(e, ERR_DB, "%s: checkpoint %" PRId64 " has no 32-byte "
		    "root", s->path, out->seq);
		goto done;
	}
	out->time = (time_t)sqlite3_column_int64(st, 3);
	col_text(st, 4, out->id, sizeof(out->id));
	b = sqlite3_column_blob(st, 5);
	out->len = (size_t)sqlite3_column_bytes(st, 5);
	if ((out->xml = malloc(out->len + 1)) == NULL) {
		err_set(e, ERR_NOMEM, "checkpoint %" PRId64 ": out of memory",
		    out->seq);
		goto done;
	}
	if (out->len > 0)
		memcpy(out->xml, b, out->len);
	out->xml[out->len] = '\0';
	*found = 1;
	rc = 0;
done:
	sqlite3_reset(st);
	if (rc == -1)
		store_tlog_cp_clear(out);
	return rc;
}

void
store_tlog_cp_clear(struct store_tlog_cp *c)
{
	if (c == NULL)
		return;
	free(c->xml);
	c->xml = NULL;
	c->len = 0;
}

int
store_tlog_cp_count(struct store *s, int64_t *n, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	*n = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM tlog_checkpoints",
	    -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		store_dberr(s, "counting checkpoints", e);
		goto done;
	}
	*n = sqlite3_column_int64(st, 0);
	rc = 0;
done:
	sqlite3_finalize(st);
	return rc;
}

/* --- the start check ---------------------------------------------------------
 * A stack of the complete subtrees of the leaves walked so far (at most one
 * per level, highest first), as an append builds them: each node completed
 * is compared with the stored one, and the root of any prefix is the stack
 * folded from the right. */

struct audit {
	struct store		*s;
	struct store_tlog_bad	*bad;
	struct getter		 g;
	struct {
		int		level;
		unsigned char	hash[HLEN];
	}			 stack[MERKLE_LEVEL_MAX + 2];
	int			 depth;
	uint64_t		 count;		/* leaves walked */
	sqlite3_stmt		*cps;		/* checkpoints by size */
	int			 cp_row;	/* cps is on a row */
	uint64_t		 good;		/* last checkpoint size that
						   matched (0: none) */
	int			 cp_bad;	/* one did not: */
	uint64_t		 first_bad;	/* the smallest such size */
};

static int
bad_set(struct audit *a, uint64_t index, const char *record_id,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
bad_set(struct audit *a, uint64_t index, const char *record_id,
    const char *fmt, ...)
{
	va_list ap;

	a->bad->found = 1;
	a->bad->index = index;
	snprintf(a->bad->record_id, sizeof(a->bad->record_id), "%s",
	    record_id != NULL && record_id[0] != '\0' ? record_id : "-");
	va_start(ap, fmt);
	vsnprintf(a->bad->why, sizeof(a->bad->why), fmt, ap);
	va_end(ap);
	return 0;
}

/* The root of the leaves walked so far. */
static int
audit_root(struct audit *a, unsigned char out[HLEN], struct err *e)
{
	int i;

	if (a->depth == 0) {
		if (merkle_root(0, get_node, &a->g, out, e) == -1)
			return -1;
		return 0;
	}
	memcpy(out, a->stack[a->depth - 1].hash, HLEN);
	for (i = a->depth - 2; i >= 0; i--)
		if (merkle_node_hash(a->stack[i].hash, out, out) == -1)
			return err_set(e, ERR_INTERNAL, "SHA-256 failed");
	return 0;
}

/* Compares the checkpoints of size a->count with the walked tree. */
static int
audit_cps(struct audit *a, struct err *e)
{
	unsigned char root[HLEN], want[HLEN];
	int r, have_root = 0;

	while (a->cp_row &&
	    (uint64_t)sqlite3_column_int64(a->cps, 0) <= a->count) {
		if ((uint64_t)sqlite3_column_int64(a->cps, 0) == a->count &&
		    col_hash(a->cps, 1, want) == 0) {
			if (!have_root && audit_root(a, root, e) == -1)
				return -1;
			have_root = 1;
			if (memcmp(root, want, HLEN) == 0) {
				if (!a->cp_bad)
					a->good = a->count;
			} else if (!a->cp_bad) {
				a->cp_bad = 1;
				a->first_bad = a->count;
			}
		}
		if ((r = sqlite3_step(a->cps)) == SQLITE_DONE)
			a->cp_row = 0;
		else if (r != SQLITE_ROW)
			return store_dberr(a->s, "reading checkpoints", e);
	}
	return 0;
}

/* bad_set() naming leaf index and its record. */
static int
bad_leaf(struct audit *a, uint64_t index, const char *why, struct err *e)
{
	struct store_tlog_leaf leaf;
	size_t n = 0;

	if (store_tlog_leaves(a->s, index, 1, &leaf, &n, e) == -1)
		return -1;
	return bad_set(a, index, n == 1 && leaf.index == index ?
	    leaf.record_id : NULL, "%s", why);
}

/* Pushes leaf hash h; compares each node it completes with the stored
 * one.  Sets a->bad at the first difference. */
static int
audit_push(struct audit *a, const unsigned char h[HLEN], struct err *e)
{
	char why[256];

	unsigned char stored[HLEN];
	uint64_t idx;
	int level;

	memcpy(a->stack[a->depth].hash, h, HLEN);
	a->stack[a->depth].level = 0;
	a->depth++;
	while (a->depth >= 2 && a->stack[a->depth - 1].level ==
	    a->stack[a->depth - 2].level) {
		level = a->stack[a->depth - 2].level + 1;
		if (merkle_node_hash(a->stack[a->depth - 2].hash,
		    a->stack[a->depth - 1].hash,
		    a->stack[a->depth - 2].hash) == -1)
			return err_set(e, ERR_INTERNAL, "SHA-256 failed");
		a->stack[a->depth - 2].level = level;
		a->depth--;
		idx = a->count >> level;
		a->g.e.code = ERR_OK;
		a->g.missing = 0;
		if (get_node(&a->g, level, idx, stored) == -1) {
			if (!a->g.missing) {
				*e = a->g.e;
				return -1;
			}
			snprintf(why, sizeof(why), "the stored tree has no "
			    "node at level %d, index %" PRIu64 " (leaves %"
			    PRIu64 " to %" PRIu64 ")", level, idx,
			    idx << level, a->count);
			return bad_leaf(a, idx << level, why, e);
		}
		if (memcmp(stored, a->stack[a->depth - 1].hash, HLEN) != 0) {
			snprintf(why, sizeof(why), "the stored node at level "
			    "%d, index %" PRIu64 " does not match leaves %"
			    PRIu64 " to %" PRIu64 " (those leaves or that hash "
			    "were rewritten)", level, idx, idx << level,
			    a->count);
			return bad_leaf(a, idx << level, why, e);
		}
	}
	return 0;
}

/* The first signed record (in stored order) that has no leaf, into id
 * ("" none). */
static int
orphan(struct store *s, char id[ID_MAX + 1], struct err *e)
{
	sqlite3_stmt *st = NULL;
	int r, rc = -1;

	id[0] = '\0';
	if (sqlite3_prepare_v2(s->db, "SELECT r.id FROM supervision_records r"
	    " WHERE r.signer IS NOT NULL AND r.signer <> '' AND NOT EXISTS"
	    " (SELECT 1 FROM tlog_leaves l WHERE l.record_id = r.id)"
	    " ORDER BY r.rowid LIMIT 1", -1, &st, NULL) != SQLITE_OK) {
		store_dberr(s, "looking for records without a leaf", e);
		goto done;
	}
	if ((r = sqlite3_step(st)) == SQLITE_ROW)
		col_text(st, 0, id, ID_MAX + 1);
	else if (r != SQLITE_DONE) {
		store_dberr(s, "looking for records without a leaf", e);
		goto done;
	}
	rc = 0;
done:
	sqlite3_finalize(st);
	return rc;
}

/* One leaf row of the walk: (idx, record_id, hash, record xml, node 0). */
static int
audit_leaf(struct audit *a, sqlite3_stmt *st, struct err *e)
{
	unsigned char stored[HLEN], node0[HLEN], h[HLEN];
	char id[ID_MAX + 1];
	uint64_t idx = (uint64_t)sqlite3_column_int64(st, 0);
	const void *xml;
	size_t len;

	col_text(st, 1, id, sizeof(id));
	if (idx != a->count) {
		if (orphan(a->s, id, e) == -1)
			return -1;
		return bad_set(a, a->count, id, "leaf %" PRIu64 " is missing "
		    "(the next stored leaf is %" PRIu64 ")%s", a->count, idx,
		    id[0] ? "; this record has no leaf" : "");
	}
	if (col_hash(st, 2, stored) == -1)
		return bad_set(a, idx, id, "the leaf has no 32-byte hash");
	if (sqlite3_column_type(st, 3) == SQLITE_NULL)
		return bad_set(a, idx, id, "the record of this leaf is not in "
		    "the store (its row was deleted)");
	xml = sqlite3_column_blob(st, 3);
	len = (size_t)sqlite3_column_bytes(st, 3);
	if (merkle_leaf_hash(xml != NULL ? xml : "", len, h) == -1)
		return err_set(e, ERR_INTERNAL, "SHA-256 failed");
	if (memcmp(h, stored, HLEN) != 0)
		return bad_set(a, idx, id, "the record's stored bytes do not "
		    "hash to the leaf (the record was altered)");
	if (col_hash(st, 4, node0) == -1)
		return bad_set(a, idx, id, "the stored tree has no node for "
		    "this leaf");
	if (memcmp(node0, stored, HLEN) != 0)
		return bad_set(a, idx, id, "the leaf and its record differ "
		    "from the leaf hash in the stored tree (leaf and record "
		    "were rewritten together)");
	if (audit_push(a, h, e) == -1)
		return -1;
	if (a->bad->found)
		return 0;
	a->count++;
	return audit_cps(a, e);
}

/* The leaf the walked tree first differs from the signed one at: the
 * first after the last checkpoint whose root still matched. */
static int
audit_mismatch(struct audit *a, uint64_t expect_size, struct err *e)
{
	char why[320];
	uint64_t first;

	if (!a->cp_bad) {
		a->first_bad = expect_size;
		if (a->good >= expect_size)
			a->good = 0;
	}
	first = a->good;
	snprintf(why, sizeof(why), "leaves %" PRIu64 " to %" PRIu64 " do not "
	    "give the root the node signed for size %" PRIu64 " (the first "
	    "leaf after the last checkpoint that matches; records, leaves "
	    "and stored hashes were rewritten together)", first,
	    a->first_bad - 1, a->first_bad);
	return bad_leaf(a, first, why, e);
}

int
store_tlog_audit(struct store *s, uint64_t expect_size,
    const unsigned char expect_root[HLEN], struct store_tlog_bad *bad,
    struct err *e)
{
	struct audit *a = NULL;
	sqlite3_stmt *st = NULL;
	unsigned char root[HLEN];
	char id[ID_MAX + 1];
	int r, rc = -1;

	memset(bad, 0, sizeof(*bad));
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	a->s = s;
	a->bad = bad;
	a->g.s = s;
	if (store_tlog_size(s, &bad->size, e) == -1)
		goto done;
	if (sqlite3_prepare_v2(s->db, "SELECT l.idx, l.record_id, l.hash,"
	    " r.xml, n.hash FROM tlog_leaves l"
	    " LEFT JOIN supervision_records r ON r.id = l.record_id"
	    " LEFT JOIN tlog_nodes n ON n.level = 0 AND n.idx = l.idx"
	    " ORDER BY l.idx", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "SELECT size, root, seq FROM"
	    " tlog_checkpoints ORDER BY size, seq", -1, &a->cps, NULL) !=
	    SQLITE_OK) {
		store_dberr(s, "reading the transparency log", e);
		goto done;
	}
	if ((r = sqlite3_step(a->cps)) == SQLITE_ROW)
		a->cp_row = 1;
	else if (r != SQLITE_DONE) {
		store_dberr(s, "reading checkpoints", e);
		goto done;
	}
	if (audit_cps(a, e) == -1)
		goto done;
	if (expect_root != NULL && expect_size == 0 &&
	    (audit_root(a, root, e) == -1 || (memcmp(root, expect_root,
	    HLEN) != 0 && bad_set(a, 0, NULL, "the empty tree does not "
	    "give the root the node signed for size 0") == -1)))
		goto done;
	while (!bad->found && (r = sqlite3_step(st)) == SQLITE_ROW) {
		if (audit_leaf(a, st, e) == -1)
			goto done;
		if (!bad->found && expect_root != NULL &&
		    a->count == expect_size) {
			if (audit_root(a, root, e) == -1)
				goto done;
			if (memcmp(root, expect_root, HLEN) != 0 &&
			    audit_mismatch(a, expect_size, e) == -1)
				goto done;
		}
	}
	if (!bad->found && r != SQLITE_DONE) {
		store_dberr(s, "reading the transparency log", e);
		goto done;
	}
	if (!bad->found && (expect_root != NULL && a->count < expect_size)) {
		if (orphan(s, id, e) == -1)
			goto done;
		bad_set(a, a->count, id, "the log has %" PRIu64 " leaves but "
		    "the latest signed checkpoint has %" PRIu64 " (the log "
		    "was truncated)", a->count, expect_size);
	}
	if (!bad->found) {
		if (orphan(s, id, e) == -1)
			goto done;
		if (id[0] != '\0')
			bad_set(a, a->count, id, "a signed record is stored "
			    "without a leaf (its leaf would follow leaf %"
			    PRIu64 ")", a->count);
	}
	rc = 0;
done:
	sqlite3_finalize(st);
	sqlite3_finalize(a->cps);
	free(a);
	return rc;
}
