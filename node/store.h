/*
 * store.h - the node's SQLite store.  Only node/store*.c speak SQL.
 *
 * One database in WAL mode (synchronous=FULL: a record answered "stored"
 * survives kill -9 and power loss), schema changes through numbered
 * migrations (store_migrate.c).  Units, procurement definitions and
 * supervision records are kept as their exact XML bytes beside the fields
 * that are indexed.  An import is one transaction: all or nothing.
 *
 * "Exact bytes" are what the caller hands to a put; the importer
 * (store_import.c) hands the exclusive C14N form of the element as a
 * standalone document, so a record's digest does not depend on how the file
 * around it was indented or where its namespaces were declared.
 *
 * A struct store is used by one thread at a time.
 */
#ifndef LASTERI_STORE_H
#define LASTERI_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"
#include "model.h"

struct store;

#define STORE_CREATE	0x1	/* create the file when missing */
#define STORE_RDONLY	0x2

/* Opens (and, read-write, migrates) the database at path.  Fails with ERR_IO
 * when the file is missing and STORE_CREATE is not given, ERR_DB when it is
 * not a Lasteri database or its schema is newer than this program.  Caller
 * closes *out with store_close(). */
int	store_open(const char *path, int flags, struct store **out,
	    struct err *e);
void	store_close(struct store *s);		/* NULL is a no-op */

/* The newest schema version this program knows, and the open database's. */
int	store_schema_latest(void);
int	store_schema_version(struct store *s, int *out, struct err *e);
/* 1 when the database is in WAL mode (always, once opened read-write). */
int	store_is_wal(struct store *s);
/* How long a write on s waits for another connection's write (ms; -1 the
 * default of 5 s; 0 fails at once with ERR_DB, "database is locked").  The
 * node's loop sets 0 while an import holds the write lock on its own
 * connection, so that nothing on the loop waits for it. */
void	store_busy_timeout(struct store *s, int ms);

/* --- the write-ahead log's checkpoints -------------------------------------
 * SQLite copies the WAL back into the database file (a checkpoint: page
 * copies and an fsync) inside the commit that takes the WAL past 1,000
 * pages, on whatever thread commits.  store_wal_watch() hands that to
 * another thread: after each commit on s, fn(arg, frames) gets the WAL's
 * size in pages instead, and s no longer checkpoints on its own; the
 * watcher calls store_checkpoint() on a connection of its own. */
typedef void store_wal_fn(void *arg, int frames);
void	store_wal_watch(struct store *s, store_wal_fn *fn, void *arg);
/* A passive checkpoint on s: copies into the database file what of the WAL
 * no reader still needs and syncs it, never waiting for a writer or a
 * reader; SQLite starts the WAL over at the next write once all of it is
 * copied.  *frames (may be NULL) gets the WAL's pages, *copied those in the
 * file now.  0, or -1 with e set (another checkpoint running is not an
 * error: 0 with *copied -1). */
int	store_checkpoint(struct store *s, int *frames, int *copied,
	    struct err *e);

/* --- transactions ----------------------------------------------------------
 * store_begin() starts one write transaction (BEGIN IMMEDIATE).  Inside it,
 * putting the same ID twice (per kind) fails with ERR_INPUT naming the ID: an
 * import must not say two things about one unit.  store_rollback() undoes
 * every put since store_begin(); it is a no-op outside a transaction.
 * Outside a transaction each put is its own transaction. */
int	store_begin(struct store *s, struct err *e);
/* The same, for a group commit of received records (ingest.h): the same ID
 * twice is not refused, the second put sees the first one as stored (the
 * same record again or ERR_CONFLICT, as in two transactions).
 * With STORE_TX_WHOLE the puts take no savepoint each (in a savepoint
 * SQLite first copies every page a put changes, its sub-journal): the
 * transaction is all or nothing.  A put that fails before it wrote (a
 * conflict, a duplicate's check) leaves it fit to commit; one that fails
 * after it wrote spoils it (store_tx_spoiled()): store_commit() refuses
 * it, and the caller rolls it back and puts again without the flag. */
#define STORE_TX_WHOLE	0x1
int	store_begin_records(struct store *s, int flags, struct err *e);
int	store_tx_spoiled(struct store *s);
int	store_commit(struct store *s, struct err *e);
/* 1 while a transaction store_begin*() opened is still open (SQLite ends
 * one on its own after an I/O error or a full disk). */
int	store_in_tx(struct store *s);
void	store_rollback(struct store *s);

/* --- writers: xml/len are the exact bytes (a standalone document) ----------
 * The struct gives the indexed columns; the caller has read it from those
 * bytes and checked it (model_*_check).  Bytes are copied. */

/* Inserts or replaces the unit with u->id (a region updates its units). */
int	store_unit_put(struct store *s, const struct unit *u, const char *xml,
	    size_t len, struct err *e);
/* Inserts or replaces the procurement definition and its award index. */
int	store_procurement_put(struct store *s, const struct procurement *p,
	    const char *xml, size_t len, struct err *e);
/* Records are never replaced: a new ID is stored (*isnew = 1); the same ID
 * with the same SHA-256 digest of the bytes is accepted again without change
 * (*isnew = 0: idempotent delivery); the same ID with different bytes fails
 * with ERR_CONFLICT naming the ID.  isnew may be NULL. */
int	store_record_put(struct store *s, const struct supervision_record *r,
	    const char *xml, size_t len, int *isnew, struct err *e);
/* The same for a record whose signature the caller has verified:
 * content_digest is dsig_info's (SHA-256 of the signed content; NULL: not
 * verified, as store_record_put) and signer the verified signer's member ID
 * (NULL: none).  Both are kept beside the row.  The same ID with other bytes
 * but the same content digest (and signer) as the stored row is the same
 * record again (*isnew = 0, the first stored bytes stay): a copy with
 * another ECDSA SignatureValue (s or n - s), KeyInfo or Signature
 * whitespace is not a conflict.  Another content is ERR_CONFLICT.  stored
 * (may be NULL) receives the hex SHA-256 of the bytes kept: these bytes
 * when new, the first stored ones when not.  A new record with a signer
 * gets its transparency-log leaf in the same savepoint (store_tlog.h; in
 * a STORE_TX_WHOLE transaction, which a put failing halfway spoils, in the
 * same transaction). */
int	store_record_put_signed(struct store *s,
	    const struct supervision_record *r, const char *xml, size_t len,
	    const unsigned char content_digest[32], const char *signer,
	    int *isnew, char stored[65], struct err *e);

/* What the store knows of a record without parsing it. */
struct store_record_meta {
	char	unit_id[ID_MAX + 1];
	char	issuer[17];
	char	signer[160];	/* verified signer member ID, "" none/unknown */
	char	digest[65];	/* hex SHA-256 of the stored bytes */
};
/* ERR_NOTFOUND naming the ID when there is no such record. */
int	store_record_meta(struct store *s, const char *id,
	    struct store_record_meta *m, struct err *e);

/* --- the trust-list sequence held ----------------------------------------
 * The highest sequence of a trust list the node has accepted, kept so that
 * a restart with an older list is refused as a rollback.  get: *seq = 0 and
 * instance "" when none is held yet.  raise: never lowers the kept value;
 * ERR_TRUST when the database holds another instance's list. */
int	store_trust_seq_get(struct store *s, char instance[17], uint64_t *seq,
	    struct err *e);
int	store_trust_seq_raise(struct store *s, const char *instance,
	    uint64_t seq, struct err *e);

/* --- readers ----------------------------------------------------------------
 * Exact bytes by ID: *xml is malloc'd (NUL-terminated for convenience, *len
 * excludes the NUL), caller frees with free().  ERR_NOTFOUND naming the ID. */
int	store_unit_get(struct store *s, const char *id, char **xml, size_t *len,
	    struct err *e);
/* The home region of unit id (its HomeRegion, else its Region) from the
 * indexed column, without parsing the unit; "" when the unit is not
 * stored. */
int	store_unit_region(struct store *s, const char *id, char out[3],
	    struct err *e);
int	store_procurement_get(struct store *s, const char *id, char **xml,
	    size_t *len, struct err *e);
/* digest (may be NULL) receives the lower-case hex SHA-256 of the bytes. */
int	store_record_get(struct store *s, const char *id, char **xml,
	    size_t *len, char digest[65], struct err *e);

enum store_kind {
	STORE_UNIT,
	STORE_PROCUREMENT,
	STORE_RECORD
};

/* Calls fn for every stored document of kind, in ID order, with borrowed
 * bytes valid during the call.  fn returns 0 to go on, -1 (with e set) to
 * stop; store_foreach then returns -1. */
typedef int store_each_fn(void *arg, const char *id, const char *xml,
    size_t len, struct err *e);
int	store_foreach(struct store *s, enum store_kind kind, store_each_fn *fn,
	    void *arg, struct err *e);

/* Calls fn with each stored supervision record, parsed into one reused
 * struct (borrowed for the call), in ID order: memory stays flat however
 * long the history is.  fn returns 0 to go on, -1 with e set to stop. */
typedef int store_record_fn(void *arg, const struct supervision_record *r,
    struct err *e);
int	store_records_each(struct store *s, store_record_fn *fn, void *arg,
	    struct err *e);

struct store_counts {
	long	units;
	long	procurements;
	long	records;
	long	records_signed;	/* of records: with a verified signer */
	long	awards;
};
int	store_counts(struct store *s, struct store_counts *c, struct err *e);

/* Loaders for search, statistics and export: each parses the stored bytes
 * (xml_parse, model_*_read).  *out is one malloc'd array (NULL when *n is 0)
 * the caller frees with free() (procurements: model_procurement_clear() each
 * first, or store_procurements_free()). */
int	store_units_load(struct store *s, struct unit **out, size_t *n,
	    struct err *e);
int	store_records_load(struct store *s, struct supervision_record **out,
	    size_t *n, struct err *e);
int	store_procurements_load(struct store *s, struct procurement **out,
	    size_t *n, struct err *e);
void	store_procurements_free(struct procurement *p, size_t n);
/* The records about one unit, ordered by opening date then ID. */
int	store_records_for_unit(struct store *s, const char *unit_id,
	    struct supervision_record **out, size_t *n, struct err *e);

/* --- briefs: what search and statistics read, without parsing XML ---------
 * Every put keeps its document's brief (brief.h) beside it in the same
 * savepoint: a unit's (unit_brief), a procurement definition's
 * (procurement_brief), and a new record's row (record_brief, numbered in
 * the order stored) with its effect on the unit's supervision summary
 * (unit_supervision).  Migration 6 filled them for the rows stored before.
 *
 * store_read_begin() opens a read transaction, so that several loaders see
 * one snapshot (WAL: writers on other connections go on meanwhile);
 * store_read_end() closes it. */
int	store_read_begin(struct store *s, struct err *e);
void	store_read_end(struct store *s);
/* From now on reads pages with read(2) rather than through the mapping of
 * the file a read-only store_open() sets up: for one query touching a few
 * MB scattered over a large file (the offline CLI) this is faster, as a
 * fault on each page touched also maps the pages around it.  Not inside
 * a transaction. */
int	store_read_unmapped(struct store *s, struct err *e);
struct unit_brief;
struct proc_brief;
struct unit_sup;
/* Every unit's brief in ID order; *out freed with free(), and *lots (the
 * strings the briefs' lots point at) after it. */
int	store_unit_briefs_load(struct store *s, struct unit_brief **out,
	    size_t *n, char **lots, struct err *e);
int	store_proc_briefs_load(struct store *s, struct proc_brief **out,
	    size_t *n, struct err *e);
/* Every unit's supervision summary (units with records, known to the
 * store or not) in unit ID order, with the events of records dated at or
 * after since and the open deadlines; free each with unit_sup_clear(),
 * then the array. */
int	store_unit_sups_load(struct store *s, time_t since,
	    struct unit_sup **out, size_t *n, struct err *e);
/* For one offline search (query_data_load_search): the units that can
 * pass nd's hard filters but the licence and supervision ones, in ID
 * order, their summaries (events since since, no deadlines) and in *total
 * how many units the store holds; freed as the two above. */
struct search_needs;
int	store_search_briefs_load(struct store *s,
	    const struct search_needs *nd, time_t since,
	    struct unit_brief **out, size_t *n, char **lots,
	    struct unit_sup **sups, size_t *ns, size_t *total, struct err *e);
/* Every unit's ID, region, type, service level, places, free places,
 * price and expertise (what statistics read; the rest zero, lots ""). */
int	store_stats_briefs_load(struct store *s, struct unit_brief **out,
	    size_t *n, struct err *e);
/* Every summary with only what statistics read (visits, complaints, open
 * orders, decisions by outcome, open deadlines), in unit ID order. */
int	store_stats_sups_load(struct store *s, struct unit_sup **out,
	    size_t *n, struct err *e);
/* The seq (record_brief.seq, the order of storing) of the last record
 * stored on s (store_record_put*); 0 before any. */
int64_t	store_record_last_seq(struct store *s);
/* One unit's summary (all zero without records), read in one snapshot
 * (unless s is in a transaction: then in that one), with out->seq the
 * newest record stored at that moment; unit_sup_clear(). */
int	store_unit_sup_get(struct store *s, const char *unit_id, time_t since,
	    struct unit_sup *out, struct err *e);
/* The number of the newest record stored (0 none). */
int	store_record_seq(struct store *s, int64_t *seq, struct err *e);
/* Calls fn once per unit with records numbered above seq. */
typedef int store_unit_id_fn(void *arg, const char *unit_id, struct err *e);
int	store_units_recorded_since(struct store *s, int64_t seq,
	    store_unit_id_fn *fn, void *arg, struct err *e);

#endif
