/*
 * store_internal.h - what the store's files share: the struct behind the
 * opaque struct store and the prepared-statement cache (store_db.c, which
 * the others build on), the briefs' writers (store_brief.c) and the
 * migrations (store_migrate.c).
 */
#ifndef LASTERI_STORE_INTERNAL_H
#define LASTERI_STORE_INTERNAL_H

#include <sqlite3.h>

#include "err.h"
#include "store.h"

/* The cached statements, prepared on first use (a read-only store never
 * prepares the writers).  The SQL of each is in store_db.c's stmt_sql[]. */
enum store_stmt {
	ST_SEEN_CLEAR,
	ST_SEEN_PUT,
	ST_UNIT_PUT,
	ST_UNIT_GET,
	ST_UNIT_REGION,
	ST_UNIT_ALL,
	ST_PROC_PUT,
	ST_PROC_GET,
	ST_PROC_ALL,
	ST_AWARD_DEL,
	ST_AWARD_PUT,
	ST_REC_DIGEST,
	ST_REC_PUT,
	ST_REC_GET,
	ST_REC_ALL,
	ST_REC_UNIT,
	ST_REC_META,
	ST_TRUST_GET,
	ST_TRUST_PUT,
	ST_COUNTS,
	ST_UBRIEF_PUT,
	ST_UBRIEF_ALL,
	ST_PBRIEF_PUT,
	ST_PBRIEF_ALL,
	ST_RBRIEF_PUT,
	ST_USUP_ADD,
	ST_USUP_ALL,
	ST_USUP_ONE,
	ST_EV_ALL,
	ST_EV_UNIT,
	ST_DL_ALL,
	ST_DL_UNIT,
	ST_RSEQ_MAX,
	ST_RSEQ_UNITS,
	/* The transparency log's, prepared by store_tlog.c from its own SQL
	 * (their stmt_sql[] entries stay NULL). */
	ST_TLOG_SIZE,
	ST_TLOG_NODE_GET,
	ST_TLOG_NODE_PUT,
	ST_TLOG_LEAF_PUT,
	ST_TLOG_LEAF_FIND,
	ST_TLOG_LEAF_RECORD,
	ST_TLOG_LEAVES,
	ST_TLOG_CP_PUT,
	ST_TLOG_CP_LATEST,
	/* The national queries' nonces and log, prepared by store_query.c
	 * from its own SQL (their stmt_sql[] entries stay NULL). */
	ST_QUERY_BEGIN,
	ST_QUERY_COMMIT,
	ST_QUERY_LOG_PUT,
	ST_COUNT
};

struct wal_watch;

struct store {
	sqlite3		*db;
	char		*path;		/* for messages */
	int		 rdonly;
	int		 in_tx;		/* store_begin() .. commit/rollback */
	int		 records_tx;	/* store_begin_records(): no seen() */
	int		 whole_tx;	/* STORE_TX_WHOLE: puts without savepoints */
	int		 spoiled;	/* a put failed after writing in one */
	sqlite3_stmt	*st[ST_COUNT];
	int64_t		 deadline;	/* store_set_deadline(), 0 none */
	struct wal_watch *wal_watch;	/* store_wal_watch(), or NULL */
	int64_t		 last_seq;	/* store_record_last_seq() */
};

/* The name of the stores' VFS (store_vfs.c: the system's, gathering each
 * connection's WAL writes into one write per run of frames), registered
 * on the first call; NULL when it cannot be (the system's own is used). */
#define STORE_VFS	"lasteri"
const char *store_vfs(void);

/* Fills e with ERR_DB: "PATH: what: SQLite's message"; returns -1. */
int	store_dberr(struct store *s, const char *what, struct err *e);

/* Runs SQL that returns no rows (one or more statements). */
int	store_exec(struct store *s, const char *sql, struct err *e);

/* The cached statement i, reset and unbound; NULL with e set. */
sqlite3_stmt *store_stmt(struct store *s, enum store_stmt i, struct err *e);
/* Binds text (copied); errors surface at the step. */
int	store_bind_text(sqlite3_stmt *st, int i, const char *v);
/* Steps st (already bound) and calls fn per row (id, xml); resets st. */
int	store_each_row(struct store *s, sqlite3_stmt *st, store_each_fn *fn,
	    void *arg, struct err *e);
/* Steps a bound writer to SQLITE_DONE; ERR_DB naming what and id. */
int	store_step_done(struct store *s, sqlite3_stmt *st, const char *what,
	    const char *id, struct err *e);

/* --- store_brief.c: the briefs of a unit, procurement and record (brief.h),
 * written by the puts of store.c in their savepoint. */
struct unit_brief;
struct proc_brief;
struct record_brief;
int	store_brief_unit_put(struct store *s, const struct unit_brief *b,
	    struct err *e);
int	store_brief_proc_put(struct store *s, const struct proc_brief *b,
	    struct err *e);
int	store_brief_record_put(struct store *s, const struct record_brief *b,
	    struct err *e);

/* Fills the brief tables of migration 6 (unit_brief, procurement_brief,
 * record_brief, unit_supervision) from the stored XML: parses every stored
 * document once (store_brief.c). */
int	store_briefs_fill(struct store *s, struct err *e);

/* Fills supervision_records.provider (migration 7) from the stored XML
 * (store_query.c). */
int	store_providers_fill(struct store *s, struct err *e);

/* --- store_tlog.c: the transparency log.  Appends the leaf of a signed
 * record just stored (in the put's savepoint), and fills the leaves of the
 * signed records stored before migration 8 in their stored order. */
int	store_tlog_append(struct store *s, const char *record_id,
	    const char *xml, size_t len, struct err *e);
int	store_tlog_fill(struct store *s, struct err *e);

/* Brings the schema to STORE_SCHEMA_VERSION (store_migrate.c).  A read-only
 * store is only checked.  Refuses a database newer than this program. */
int	store_migrate(struct store *s, struct err *e);

#endif
