/*
 * store.c - the node's SQLite store (see store.h): opening, transactions,
 * puts, gets and loaders; the briefs that search reads are store_brief.c's.
 * Every SQL statement of the node lives in these two or in store_migrate.c;
 * statements are prepared once and cached in struct store.
 *
 * Duplicate IDs inside one transaction are caught with a TEMP table
 * (batch_seen), emptied by store_begin(): it lives in the connection only,
 * never on disk, and is undone with the transaction.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/evp.h>

#include "brief.h"
#include "store_internal.h"
#include "vocab.h"
#include "xml.h"

#define BUSY_TIMEOUT_MS	5000

static const char *const kind_name[] = {
	[STORE_UNIT] = "unit",
	[STORE_PROCUREMENT] = "procurement definition",
	[STORE_RECORD] = "supervision record",
};

static const char *
token(const struct vocab *v, int i)
{
	const char *t = vocab_token(v, i);

	return t ? t : "";
}

/* Lower-case hex of a 32-byte digest. */
static void
hex32(const unsigned char md[32], char out[65])
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[64] = '\0';
}

static void
sha256_hex(const char *buf, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32) {
		out[0] = '\0';
		return;
	}
	hex32(md, out);
}

int
store_open(const char *path, int flags, struct store **out, struct err *e)
{
	struct store *s = NULL;
	struct stat sb;
	int oflags, rc = -1;

	*out = NULL;
	if (!(flags & STORE_CREATE) && stat(path, &sb) == -1)
		return err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
	if ((flags & STORE_CREATE) && (flags & STORE_RDONLY))
		return err_set(e, ERR_USAGE, "%s: cannot create a database "
		    "read-only", path);
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->path = strdup(path)) == NULL) {
		free(s);
		return err_set(e, ERR_NOMEM, "%s: out of memory", path);
	}
	s->rdonly = (flags & STORE_RDONLY) != 0;
	/* One thread at a time per struct store: no SQLite mutex needed. */
	oflags = (s->rdonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
	    SQLITE_OPEN_NOMUTEX;
	if (flags & STORE_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &s->db, oflags, store_vfs()) != SQLITE_OK) {
		store_dberr(s, "cannot open the database", e);
		goto done;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	/* The first read tells a file that is not a database. */
	if (store_exec(s, "PRAGMA foreign_keys = ON;"
	    "PRAGMA synchronous = FULL", e) == -1)
		goto done;
	/* A reader (the CLI, the node's index builder) maps the file rather
	 * than reading it a page per system call. */
	if (s->rdonly && store_exec(s, "PRAGMA mmap_size = 1073741824", e) ==
	    -1)
		goto done;
	if (!s->rdonly) {
		/* Room for the pages a bulk import touches: the indexes of the
		 * briefs grow in date order, not in the order stored. */
		if (store_exec(s, "PRAGMA cache_size = -32768", e) == -1)
			goto done;
		/* Savepoint journals in memory: a put's savepoint holds the
		 * pages it changes (the record's row, its brief, its leaf and
		 * log nodes, their indexes: more than SQLite's 64 KiB before
		 * it spills them to a temporary file, a write per page per
		 * record).  Set before the TEMP table below exists. */
		if (store_exec(s, "PRAGMA temp_store = MEMORY", e) == -1)
			goto done;
		if (store_exec(s, "PRAGMA journal_mode = WAL", e) == -1)
			goto done;
		if (!store_is_wal(s)) {
			err_set(e, ERR_DB, "%s: cannot switch the database to "
			    "WAL mode", path);
			goto done;
		}
	}
	if (store_migrate(s, e) == -1)
		goto done;
	if (!s->rdonly && store_exec(s, "CREATE TEMP TABLE batch_seen ("
	    " kind INTEGER NOT NULL, id TEXT NOT NULL,"
	    " PRIMARY KEY (kind, id))", e) == -1)
		goto done;
	*out = s;
	s = NULL;
	rc = 0;
done:
	store_close(s);
	return rc;
}

void
store_close(struct store *s)
{
	int i;

	if (s == NULL)
		return;
	if (s->in_tx)
		store_rollback(s);
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	free(s->wal_watch);	/* after the close: its hook is gone */
	free(s->path);
	free(s);
}

void
store_busy_timeout(struct store *s, int ms)
{
	sqlite3_busy_timeout(s->db, ms < 0 ? BUSY_TIMEOUT_MS : ms);
}

int
store_is_wal(struct store *s)
{
	sqlite3_stmt *st = NULL;
	int wal = 0;

	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode", -1, &st,
	    NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *m = sqlite3_column_text(st, 0);

		wal = m != NULL && strcmp((const char *)m, "wal") == 0;
	}
	sqlite3_finalize(st);
	return wal;
}

/* --- transactions ------------------------------------------------------- */

int
store_begin(struct store *s, struct err *e)
{
	sqlite3_stmt *st;

	if (s->in_tx)
		return err_set(e, ERR_INTERNAL, "%s: a transaction is "
		    "already open", s->path);
	if (s->rdonly)
		return err_set(e, ERR_DB, "%s: opened read-only", s->path);
	if (store_exec(s, "BEGIN IMMEDIATE", e) == -1)
		return -1;
	s->in_tx = 1;
	/* (store_rollback leaves these; they are read only inside a
	 * transaction) */
	s->records_tx = 0;
	s->whole_tx = 0;
	s->spoiled = 0;
	if ((st = store_stmt(s, ST_SEEN_CLEAR, e)) == NULL)
		goto fail;
	if (sqlite3_step(st) != SQLITE_DONE) {
		store_dberr(s, "starting a transaction", e);
		goto fail;
	}
	return 0;
fail:
	store_rollback(s);
	return -1;
}

int
store_begin_records(struct store *s, int flags, struct err *e)
{
	if (store_begin(s, e) == -1)
		return -1;
	s->records_tx = 1;
	s->whole_tx = (flags & STORE_TX_WHOLE) != 0;
	return 0;
}

int
store_tx_spoiled(struct store *s)
{
	return s->in_tx && s->spoiled;
}

int
store_commit(struct store *s, struct err *e)
{
	if (!s->in_tx)
		return err_set(e, ERR_INTERNAL, "%s: no transaction to commit",
		    s->path);
	if (s->spoiled) {
		store_rollback(s);
		return err_set(e, ERR_INTERNAL, "%s: a put failed halfway in "
		    "a transaction without savepoints: rolled back", s->path);
	}
	if (store_exec(s, "COMMIT", e) == -1) {
		store_rollback(s);
		return -1;
	}
	s->in_tx = 0;
	s->records_tx = 0;
	s->whole_tx = 0;
	return 0;
}

int
store_in_tx(struct store *s)
{
	return s->in_tx && !sqlite3_get_autocommit(s->db);
}

/* Every put runs inside a savepoint, so that a failing put leaves nothing
 * behind whether or not a transaction is open; in a STORE_TX_WHOLE
 * transaction it takes none, and a put that fails after it wrote (wrote
 * 1) spoils the transaction instead. */
static int
put_begin(struct store *s, struct err *e)
{
	if (s->rdonly)
		return err_set(e, ERR_DB, "%s: opened read-only", s->path);
	if (s->in_tx && s->whole_tx)
		return 0;
	return store_exec(s, "SAVEPOINT put", e);
}

static int
put_end(struct store *s, int rc, int wrote, struct err *e)
{
	int i;

	if (rc == 0)
		return s->in_tx && s->whole_tx ? 0 :
		    store_exec(s, "RELEASE put", e);
	for (i = 0; i < ST_COUNT; i++)
		if (s->st[i] != NULL)
			sqlite3_reset(s->st[i]);
	if (s->in_tx && s->whole_tx) {
		s->spoiled |= wrote;
		return -1;
	}
	sqlite3_exec(s->db, "ROLLBACK TO put; RELEASE put", NULL, NULL, NULL);
	return -1;
}

/* Inside a transaction, refuses a second put of (kind, id). */
static int
seen(struct store *s, enum store_kind kind, const char *id, struct err *e)
{
	sqlite3_stmt *st;
	int r;

	if (!s->in_tx || s->records_tx)
		return 0;
	if ((st = store_stmt(s, ST_SEEN_PUT, e)) == NULL)
		return -1;
	sqlite3_bind_int(st, 1, kind);
	store_bind_text(st, 2, id);
	r = sqlite3_step(st);
	sqlite3_reset(st);
	if (r == SQLITE_CONSTRAINT_PRIMARYKEY)
		return err_set(e, ERR_INPUT, "%s %s appears twice in this "
		    "import", kind_name[kind], id);
	if (r != SQLITE_DONE)
		return store_dberr(s, "checking for duplicate IDs", e);
	return 0;
}

/* --- writers ------------------------------------------------------------ */

int
store_unit_put(struct store *s, const struct unit *u, const char *xml,
    size_t len, struct err *e)
{
	struct unit_brief b;
	sqlite3_stmt *st;
	char lots[BRIEF_LOTS_MAX];
	int rc = -1;

	if (put_begin(s, e) == -1)
		return -1;
	if (seen(s, STORE_UNIT, u->id, e) == -1)
		goto done;
	if ((st = store_stmt(s, ST_UNIT_PUT, e)) == NULL)
		goto done;
	store_bind_text(st, 1, u->id);
	store_bind_text(st, 2, u->region);
	store_bind_text(st, 3, u->home_region[0] ? u->home_region : u->region);
	store_bind_text(st, 4, token(&vocab_unit_type, u->type));
	store_bind_text(st, 5, token(&vocab_service_level, u->service_level));
	sqlite3_bind_int(st, 6, u->free_places);
	sqlite3_bind_int(st, 7, u->age_min);
	sqlite3_bind_int(st, 8, u->age_max);
	sqlite3_bind_int64(st, 9, u->price_cents);
	sqlite3_bind_int64(st, 10, (sqlite3_int64)u->updated);
	sqlite3_bind_blob64(st, 11, xml, len, SQLITE_TRANSIENT);
	if (store_step_done(s, st, "storing unit", u->id, e) == -1)
		goto done;
	brief_unit_from(u, &b, lots, sizeof(lots));
	if (store_brief_unit_put(s, &b, e) == -1)
		goto done;
	rc = 0;
done:
	return put_end(s, rc, 1, e);
}

int
store_procurement_put(struct store *s, const struct procurement *p,
    const char *xml, size_t len, struct err *e)
{
	struct proc_brief b;
	sqlite3_stmt *st;
	int i, j, rc = -1;

	if (put_begin(s, e) == -1)
		return -1;
	if (seen(s, STORE_PROCUREMENT, p->id, e) == -1)
		goto done;
	if ((st = store_stmt(s, ST_PROC_PUT, e)) == NULL)
		goto done;
	store_bind_text(st, 1, p->id);
	store_bind_text(st, 2, p->region);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)p->updated);
	sqlite3_bind_blob64(st, 4, xml, len, SQLITE_TRANSIENT);
	if (store_step_done(s, st, "storing procurement definition", p->id,
	    e) == -1)
		goto done;
	brief_proc_from(p, &b);
	if (store_brief_proc_put(s, &b, e) == -1)
		goto done;
	if ((st = store_stmt(s, ST_AWARD_DEL, e)) == NULL)
		goto done;
	store_bind_text(st, 1, p->id);
	if (store_step_done(s, st, "replacing the awards of", p->id, e) == -1)
		goto done;
	for (i = 0; i < p->nlots; i++) {
		const struct lot *l = &p->lots[i];

		for (j = 0; j < l->nawards; j++) {
			if ((st = store_stmt(s, ST_AWARD_PUT, e)) == NULL)
				goto done;
			store_bind_text(st, 1, p->id);
			store_bind_text(st, 2, l->id);
			store_bind_text(st, 3, l->awards[j].unit_id);
			sqlite3_bind_int64(st, 4, l->awards[j].price_cents);
			sqlite3_bind_int(st, 5, l->awards[j].rank);
			if (store_step_done(s, st, "storing the awards of", p->id,
			    e) == -1)
				goto done;
		}
	}
	rc = 0;
done:
	return put_end(s, rc, 1, e);
}

int
store_record_put(struct store *s, const struct supervision_record *r,
    const char *xml, size_t len, int *isnew, struct err *e)
{
	return store_record_put_signed(s, r, xml, len, NULL, NULL, isnew, NULL,
	    e);
}

int
store_record_put_signed(struct store *s, const struct supervision_record *r,
    const char *xml, size_t len, const unsigned char content_digest[32],
    const char *signer, int *isnew, char stored[65], struct err *e)
{
	struct record_brief b;
	sqlite3_stmt *st;
	char digest[65], content[65];
	int step, wrote = 0, rc = -1;

	if (isnew != NULL)
		*isnew = 0;
	sha256_hex(xml, len, digest);
	if (digest[0] == '\0')
		return err_set(e, ERR_INTERNAL, "supervision record %s: "
		    "SHA-256 failed", r->id);
	if (content_digest != NULL)
		hex32(content_digest, content);
	if (put_begin(s, e) == -1)
		return -1;
	if (seen(s, STORE_RECORD, r->id, e) == -1)
		goto done;
	if ((st = store_stmt(s, ST_REC_DIGEST, e)) == NULL)
		goto done;
	store_bind_text(st, 1, r->id);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		const char *old = (const char *)sqlite3_column_text(st, 0);
		const char *oldc = (const char *)sqlite3_column_text(st, 1);
		const char *olds = (const char *)sqlite3_column_text(st, 2);

		/* The same bytes again, or the same signed content in other
		 * bytes (another SignatureValue or KeyInfo) by the same
		 * signer: the first stored bytes stay. */
		if ((old != NULL && strcmp(old, digest) == 0) ||
		    (content_digest != NULL && oldc != NULL &&
		    strcmp(oldc, content) == 0 && (signer == NULL ||
		    olds == NULL || strcmp(olds, signer) == 0))) {
			if (stored != NULL)
				snprintf(stored, 65, "%s", old ? old : "");
			sqlite3_reset(st);
			rc = 0;
			goto done;
		}
		err_set(e, ERR_CONFLICT, "supervision record %s: a different "
		    "document is already stored under this Id (stored "
		    "SHA-256 %.16s..., this one %.16s...)", r->id,
		    old ? old : "?", digest);
		sqlite3_reset(st);
		goto done;
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE) {
		store_dberr(s, "reading a record digest", e);
		goto done;
	}
	if ((st = store_stmt(s, ST_REC_PUT, e)) == NULL)
		goto done;
	store_bind_text(st, 1, r->id);
	store_bind_text(st, 2, r->unit_id);
	store_bind_text(st, 3, token(&vocab_record_kind, r->kind));
	store_bind_text(st, 4, token(&vocab_record_status, r->status));
	store_bind_text(st, 5, r->issuer);
	store_bind_text(st, 6, r->opened);
	store_bind_text(st, 7, digest);
	sqlite3_bind_blob64(st, 8, xml, len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)time(NULL));
	if (content_digest != NULL)
		store_bind_text(st, 10, content);
	else
		sqlite3_bind_null(st, 10);
	if (signer != NULL && signer[0] != '\0')
		store_bind_text(st, 11, signer);
	else
		sqlite3_bind_null(st, 11);
	if (r->provider_ytunnus[0] != '\0')
		store_bind_text(st, 12, r->provider_ytunnus);
	else
		sqlite3_bind_null(st, 12);
	if (store_step_done(s, st, "storing supervision record", r->id, e) == -1)
		goto done;
	wrote = 1;	/* (a statement that fails leaves nothing) */
	/* A signed record gets its transparency-log leaf in this savepoint:
	 * never one without the other (store_tlog.h). */
	if (signer != NULL && signer[0] != '\0' &&
	    store_tlog_append(s, r->id, xml, len, e) == -1)
		goto done;
	brief_record_from(r, &b);
	if (store_brief_record_put(s, &b, e) == -1)
		goto done;
	if (isnew != NULL)
		*isnew = 1;
	if (stored != NULL)
		memcpy(stored, digest, 65);
	rc = 0;
done:
	return put_end(s, rc, wrote, e);
}

int
store_record_meta(struct store *s, const char *id,
    struct store_record_meta *m, struct err *e)
{
	sqlite3_stmt *st;
	int r;

	memset(m, 0, sizeof(*m));
	if ((st = store_stmt(s, ST_REC_META, e)) == NULL)
		return -1;
	store_bind_text(st, 1, id);
	if ((r = sqlite3_step(st)) == SQLITE_DONE) {
		sqlite3_reset(st);
		return err_set(e, ERR_NOTFOUND, "supervision record %s: not "
		    "found", id);
	}
	if (r != SQLITE_ROW) {
		sqlite3_reset(st);
		return store_dberr(s, "reading a record", e);
	}
#define COL(i, dst) snprintf((dst), sizeof(dst), "%s", \
	sqlite3_column_text(st, (i)) ? \
	(const char *)sqlite3_column_text(st, (i)) : "")
	COL(0, m->unit_id);
	COL(1, m->issuer);
	COL(2, m->signer);
	COL(3, m->digest);
#undef COL
	sqlite3_reset(st);
	return 0;
}

/* --- the trust-list sequence held --------------------------------------- */

int
store_trust_seq_get(struct store *s, char instance[17], uint64_t *seq,
    struct err *e)
{
	sqlite3_stmt *st;
	const unsigned char *inst;
	int r;

	instance[0] = '\0';
	*seq = 0;
	if ((st = store_stmt(s, ST_TRUST_GET, e)) == NULL)
		return -1;
	if ((r = sqlite3_step(st)) == SQLITE_ROW) {
		inst = sqlite3_column_text(st, 0);
		snprintf(instance, 17, "%s", inst ? (const char *)inst : "");
		*seq = (uint64_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return store_dberr(s, "reading the trust-list sequence", e);
	return 0;
}

int
store_trust_seq_raise(struct store *s, const char *instance, uint64_t seq,
    struct err *e)
{
	sqlite3_stmt *st;
	char held[17];
	uint64_t have;

	if (seq > (uint64_t)INT64_MAX)
		return err_set(e, ERR_INPUT, "trust-list sequence %llu is too "
		    "large to keep", (unsigned long long)seq);
	if (store_trust_seq_get(s, held, &have, e) == -1)
		return -1;
	if (held[0] != '\0' && strcmp(held, instance) != 0)
		return err_set(e, ERR_TRUST, "%s: the database holds a trust "
		    "list of instance '%s', not '%s'", s->path, held,
		    instance);
	if ((st = store_stmt(s, ST_TRUST_PUT, e)) == NULL)
		return -1;
	store_bind_text(st, 1, instance);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		return store_dberr(s, "keeping the trust-list sequence", e);
	}
	sqlite3_reset(st);
	return 0;
}

/* --- readers ------------------------------------------------------------ */

/* Runs the one-row statement i for id and copies column 0 (and, when
 * digest is given, column 1). */
static int
get_bytes(struct store *s, enum store_stmt i, enum store_kind kind,
    const char *id, char **xml, size_t *len, char digest[65], struct err *e)
{
	sqlite3_stmt *st;
	const void *b;
	size_t n;
	char *copy;
	int r;

	*xml = NULL;
	*len = 0;
	if ((st = store_stmt(s, i, e)) == NULL)
		return -1;
	store_bind_text(st, 1, id);
	if ((r = sqlite3_step(st)) == SQLITE_DONE) {
		sqlite3_reset(st);
		return err_set(e, ERR_NOTFOUND, "%s %s: not found",
		    kind_name[kind], id);
	}
	if (r != SQLITE_ROW) {
		sqlite3_reset(st);
		return store_dberr(s, "reading", e);
	}
	b = sqlite3_column_blob(st, 0);
	n = (size_t)sqlite3_column_bytes(st, 0);
	if ((copy = malloc(n + 1)) == NULL) {
		sqlite3_reset(st);
		return err_set(e, ERR_NOMEM, "%s %s: out of memory",
		    kind_name[kind], id);
	}
	if (n > 0)
		memcpy(copy, b, n);
	copy[n] = '\0';
	if (digest != NULL) {
		const unsigned char *d = sqlite3_column_text(st, 1);

		snprintf(digest, 65, "%s", d ? (const char *)d : "");
	}
	sqlite3_reset(st);
	*xml = copy;
	*len = n;
	return 0;
}

int
store_unit_get(struct store *s, const char *id, char **xml, size_t *len,
    struct err *e)
{
	return get_bytes(s, ST_UNIT_GET, STORE_UNIT, id, xml, len, NULL, e);
}

int
store_unit_region(struct store *s, const char *id, char out[3],
    struct err *e)
{
	sqlite3_stmt *st;
	const unsigned char *v;
	int r;

	out[0] = '\0';
	if ((st = store_stmt(s, ST_UNIT_REGION, e)) == NULL)
		return -1;
	store_bind_text(st, 1, id);
	if ((r = sqlite3_step(st)) == SQLITE_ROW &&
	    (v = sqlite3_column_text(st, 0)) != NULL)
		snprintf(out, 3, "%s", (const char *)v);
	sqlite3_reset(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return store_dberr(s, "reading a unit's region", e);
	return 0;
}

int
store_procurement_get(struct store *s, const char *id, char **xml,
    size_t *len, struct err *e)
{
	return get_bytes(s, ST_PROC_GET, STORE_PROCUREMENT, id, xml, len,
	    NULL, e);
}

int
store_record_get(struct store *s, const char *id, char **xml, size_t *len,
    char digest[65], struct err *e)
{
	char d[65];

	if (get_bytes(s, ST_REC_GET, STORE_RECORD, id, xml, len, d, e) == -1)
		return -1;
	if (digest != NULL)
		memcpy(digest, d, sizeof(d));
	return 0;
}

int
store_counts(struct store *s, struct store_counts *c, struct err *e)
{
	sqlite3_stmt *st;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	if ((st = store_stmt(s, ST_COUNTS, e)) == NULL)
		return -1;
	if (sqlite3_step(st) != SQLITE_ROW) {
		store_dberr(s, "counting", e);
		goto done;
	}
	c->units = (long)sqlite3_column_int64(st, 0);
	c->procurements = (long)sqlite3_column_int64(st, 1);
	c->records = (long)sqlite3_column_int64(st, 2);
	c->awards = (long)sqlite3_column_int64(st, 3);
	c->records_signed = (long)sqlite3_column_int64(st, 4);
	rc = 0;
done:
	sqlite3_reset(st);
	return rc;
}

/* --- loaders: rebuild structs from the stored bytes ---------------------- */

struct loader {
	enum store_kind	 kind;
	void		*items;		/* array of the kind's struct */
	size_t		 n, cap, size;
};

static int
load_one(void *arg, const char *id, const char *xml, size_t len,
    struct err *e)
{
	struct loader *l = arg;
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	char name[ID_MAX + 32];
	void *item;
	int rc = -1;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		void *p;

		if ((p = realloc(l->items, cap * l->size)) == NULL)
			return err_set(e, ERR_NOMEM, "loading %s %s: out of "
			    "memory", kind_name[l->kind], id);
		l->items = p;
		l->cap = cap;
	}
	item = (char *)l->items + l->n * l->size;
	memset(item, 0, l->size);
	snprintf(name, sizeof(name), "stored %s", id);
	if ((doc = xml_parse(xml, len, name, &xml_limits_import, e)) == NULL)
		goto done;
	if ((root = xmlDocGetRootElement(doc)) == NULL) {
		err_set(e, ERR_DB, "stored %s %s has no element",
		    kind_name[l->kind], id);
		goto done;
	}
	switch (l->kind) {
	case STORE_UNIT:
		rc = model_unit_read(root, item, e);
		break;
	case STORE_PROCUREMENT:
		rc = model_procurement_read(root, item, e);
		break;
	case STORE_RECORD:
		rc = model_record_read(root, item, e);
		break;
	}
	if (rc == 0)
		l->n++;
	else if (l->kind == STORE_PROCUREMENT)
		model_procurement_clear(item);
done:
	xmlFreeDoc(doc);
	return rc;
}

static int
load(struct store *s, enum store_kind kind, enum store_stmt i,
    const char *unit_id, size_t size, void **out, size_t *n, struct err *e)
{
	struct loader l = { kind, NULL, 0, 0, size };
	sqlite3_stmt *st;

	*out = NULL;
	*n = 0;
	if ((st = store_stmt(s, i, e)) == NULL)
		return -1;
	if (unit_id != NULL)
		store_bind_text(st, 1, unit_id);
	if (store_each_row(s, st, load_one, &l, e) == -1) {
		if (kind == STORE_PROCUREMENT)
			store_procurements_free(l.items, l.n);
		else
			free(l.items);
		return -1;
	}
	*out = l.items;
	*n = l.n;
	return 0;
}

int
store_units_load(struct store *s, struct unit **out, size_t *n,
    struct err *e)
{
	return load(s, STORE_UNIT, ST_UNIT_ALL, NULL, sizeof(**out),
	    (void **)out, n, e);
}

int
store_records_load(struct store *s, struct supervision_record **out,
    size_t *n, struct err *e)
{
	return load(s, STORE_RECORD, ST_REC_ALL, NULL, sizeof(**out),
	    (void **)out, n, e);
}

int
store_records_for_unit(struct store *s, const char *unit_id,
    struct supervision_record **out, size_t *n, struct err *e)
{
	return load(s, STORE_RECORD, ST_REC_UNIT, unit_id, sizeof(**out),
	    (void **)out, n, e);
}

int
store_procurements_load(struct store *s, struct procurement **out,
    size_t *n, struct err *e)
{
	return load(s, STORE_PROCUREMENT, ST_PROC_ALL, NULL, sizeof(**out),
	    (void **)out, n, e);
}

struct record_walk {
	store_record_fn			*fn;
	void				*arg;
	struct supervision_record	*rec;
};

static int
record_walk_one(void *arg, const char *id, const char *xml, size_t len,
    struct err *e)
{
	struct record_walk *w = arg;
	xmlDocPtr doc;
	xmlNodePtr root;
	char name[ID_MAX + 32];
	int rc = -1;

	snprintf(name, sizeof(name), "stored %s", id);
	if ((doc = xml_parse(xml, len, name, &xml_limits_import, e)) == NULL)
		return -1;
	if ((root = xmlDocGetRootElement(doc)) == NULL)
		err_set(e, ERR_DB, "stored record %s has no element", id);
	else if (model_record_read(root, w->rec, e) == 0)
		rc = w->fn(w->arg, w->rec, e);
	xmlFreeDoc(doc);
	return rc;
}

int
store_records_each(struct store *s, store_record_fn *fn, void *arg,
    struct err *e)
{
	struct record_walk w = { fn, arg, NULL };
	int rc;

	if ((w.rec = malloc(sizeof(*w.rec))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	rc = store_foreach(s, STORE_RECORD, record_walk_one, &w, e);
	free(w.rec);
	return rc;
}

void
store_procurements_free(struct procurement *p, size_t n)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < n; i++)
		model_procurement_clear(&p[i]);
	free(p);
}
