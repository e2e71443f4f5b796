/*
 * store_migrate.c - numbered schema migrations of the node's store.
 *
 * The table schema_version holds one row per applied migration.  Opening a
 * database applies, in order, every migration above its version, each in its
 * own transaction (BEGIN IMMEDIATE, so two processes opening the same new
 * file cannot both migrate: the second re-reads the version under the lock
 * and finds the work done).  A database whose version is above the newest
 * migration here was written by a newer program and is refused rather than
 * guessed at.  Migrations are only ever appended: a released one never changes.
 */
#include "config.h"

#include <stdio.h>
#include <time.h>

#include "store_internal.h"

struct migration {
	int		 version;
	const char	*what;
	const char	*sql;
};

/* A migration that derives rows from the stored documents runs its fill
 * after its SQL, in the same transaction. */
static const struct {
	int		 version;
	int		(*fill)(struct store *, struct err *);
} fills[] = {
	{ 6, store_briefs_fill },
	{ 7, store_providers_fill },
	{ 8, store_tlog_fill },
};

static const struct migration migrations[] = {
	{ 1, "units, procurement definitions and supervision records",
	"CREATE TABLE schema_version ("
	"  version INTEGER PRIMARY KEY NOT NULL,"
	"  applied INTEGER NOT NULL);"
	"CREATE TABLE units ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  region TEXT NOT NULL,"
	"  home_region TEXT NOT NULL,"
	"  type TEXT NOT NULL,"
	"  service_level TEXT NOT NULL,"
	"  free_places INTEGER NOT NULL,"
	"  age_min INTEGER NOT NULL,"
	"  age_max INTEGER NOT NULL,"
	"  price_cents INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL,"
	"  xml BLOB NOT NULL);"
	"CREATE INDEX units_region ON units(region);"
	"CREATE TABLE procurements ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  region TEXT NOT NULL,"
	"  updated INTEGER NOT NULL,"
	"  xml BLOB NOT NULL);"
	"CREATE TABLE supervision_records ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  unit_id TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  issuer TEXT NOT NULL,"
	"  opened TEXT NOT NULL,"
	"  digest TEXT NOT NULL CHECK (length(digest) = 64),"
	"  xml BLOB NOT NULL,"
	"  received INTEGER NOT NULL);"
	"CREATE INDEX supervision_records_unit ON supervision_records(unit_id);" },

	{ 2, "index of awarded units per procurement lot",
	"CREATE TABLE awards ("
	"  procurement_id TEXT NOT NULL"
	"    REFERENCES procurements(id) ON DELETE CASCADE,"
	"  lot_id TEXT NOT NULL,"
	"  unit_id TEXT NOT NULL,"
	"  price_cents INTEGER NOT NULL,"
	"  rank INTEGER NOT NULL);"
	"CREATE INDEX awards_procurement ON awards(procurement_id);"
	"CREATE INDEX awards_unit ON awards(unit_id);" },

	{ 3, "outbox of supervision records to deliver to other nodes",
	"CREATE TABLE outbox ("
	"  record_id TEXT NOT NULL,"
	"  destination TEXT NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN"
	"    ('pending', 'delivered', 'conflict', 'refused')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  created INTEGER NOT NULL,"
	"  next_attempt INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL,"
	"  last_error TEXT NOT NULL DEFAULT '',"
	"  PRIMARY KEY (record_id, destination));"
	"CREATE INDEX outbox_due ON outbox(state, next_attempt);" },

	/* NULL for a record stored without a verified signature (imports, and
	 * rows stored before this migration): those compare on exact bytes. */
	{ 4, "signed-content digest of supervision records",
	"ALTER TABLE supervision_records ADD COLUMN content_digest TEXT"
	"  CHECK (content_digest IS NULL OR length(content_digest) = 64);" },
	/* signer: the member ID whose signature the node verified when the
	 * record came in (issued here, received, imported with a trust list);
	 * NULL for unsigned records and for rows stored before this migration,
	 * which are shown as not verified rather than guessed at.  trust_state
	 * holds the highest trust-list sequence the node has accepted, so that
	 * a restart with an older list is a rollback too. */
	{ 5, "verified signer of supervision records; trust-list sequence held",
	"ALTER TABLE supervision_records ADD COLUMN signer TEXT;"
	"CREATE TABLE trust_state ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  instance TEXT NOT NULL,"
	"  sequence INTEGER NOT NULL CHECK (sequence >= 0),"
	"  updated INTEGER NOT NULL);" },
	/* What placement search and statistics need, kept beside each
	 * document when it is stored (brief.h), so that the search data is
	 * built from these rows without parsing XML.  record_brief.seq orders
	 * the records as stored: a search index built from a snapshot catches
	 * up with the rows above the snapshot's highest seq.  Vocabulary
	 * values are vocab.h indexes.  The fill parses every stored document
	 * once. */
	{ 6, "search and statistics briefs of units, procurement definitions "
	"and supervision records; supervision summaries per unit",
	"CREATE TABLE unit_brief ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  name TEXT NOT NULL,"
	"  region TEXT NOT NULL,"
	"  type INTEGER NOT NULL,"
	"  service_level INTEGER NOT NULL,"
	"  gender INTEGER NOT NULL,"
	"  licence_valid INTEGER NOT NULL,"
	"  age_min INTEGER NOT NULL,"
	"  age_max INTEGER NOT NULL,"
	"  places INTEGER NOT NULL,"
	"  free_places INTEGER NOT NULL,"
	"  free_updated INTEGER NOT NULL,"
	"  price_cents INTEGER NOT NULL,"
	"  target_groups INTEGER NOT NULL,"
	"  expertise INTEGER NOT NULL,"
	"  languages TEXT NOT NULL,"
	"  lots TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE procurement_brief ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  region TEXT NOT NULL,"
	"  joint TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE record_brief ("
	"  seq INTEGER PRIMARY KEY,"
	"  id TEXT NOT NULL,"
	"  unit_id TEXT NOT NULL,"
	"  kind INTEGER NOT NULL,"
	"  status INTEGER NOT NULL,"
	"  outcome INTEGER NOT NULL,"
	"  serious_open INTEGER NOT NULL,"
	"  serious_sev INTEGER NOT NULL,"
	"  blocks INTEGER NOT NULL,"
	"  open INTEGER NOT NULL,"
	"  n_low INTEGER NOT NULL,"
	"  n_medium INTEGER NOT NULL,"
	"  n_high INTEGER NOT NULL,"
	"  rtime INTEGER NOT NULL,"
	"  deadline INTEGER);"
	/* Partial and covering: a build reads the records with findings
	 * since a date, a record's arrival one unit's; neither touches the
	 * table, and records without findings cost no index entry. */
	"CREATE INDEX record_brief_findings ON record_brief(rtime, unit_id,"
	"  n_low, n_medium, n_high) WHERE n_low + n_medium + n_high > 0;"
	"CREATE INDEX record_brief_unit_findings ON record_brief(unit_id,"
	"  rtime, n_low, n_medium, n_high)"
	"  WHERE n_low + n_medium + n_high > 0;"
	"CREATE INDEX record_brief_deadlines ON record_brief(unit_id,"
	"  deadline) WHERE open = 1 AND deadline IS NOT NULL;"
	"CREATE TABLE unit_supervision ("
	"  unit_id TEXT PRIMARY KEY NOT NULL,"
	"  records INTEGER NOT NULL,"
	"  open_serious INTEGER NOT NULL,"
	"  serious_sev INTEGER NOT NULL,"
	"  blocks INTEGER NOT NULL,"
	"  visits INTEGER NOT NULL,"
	"  complaints INTEGER NOT NULL,"
	"  open_orders INTEGER NOT NULL,"
	"  no_action INTEGER NOT NULL,"
	"  view INTEGER NOT NULL,"
	"  attention INTEGER NOT NULL,"
	"  reprimand INTEGER NOT NULL) WITHOUT ROWID;" },
	{ 7, "national queries: the nonces answered, the query log and records "
	"by provider",
	/* A nonce is kept until its query expires (at most 5 minutes), so
	 * that a captured query is answered once, also across a restart. */
	"CREATE TABLE query_nonce ("
	"  nonce TEXT PRIMARY KEY NOT NULL,"
	"  asker TEXT NOT NULL,"
	"  expires INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE INDEX query_nonce_expires ON query_nonce(expires);"
	/* Who asked what kind of question, and what it cost: queries carry
	 * needs, never a person. */
	"CREATE TABLE query_log ("
	"  seq INTEGER PRIMARY KEY NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  asker TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  results INTEGER NOT NULL,"
	"  ms INTEGER NOT NULL,"
	"  digest TEXT NOT NULL);"
	/* A SupervisionLookup by a provider's business ID finds its records
	 * here (filled for older rows from their stored XML). */
	"ALTER TABLE supervision_records ADD COLUMN provider TEXT;"
	"CREATE INDEX supervision_records_provider ON"
	"  supervision_records(provider, opened, id) WHERE provider IS NOT NULL;" },
	/* The transparency log (store_tlog.h): one leaf per signed record, in
	 * the order stored (the fill appends the signed records stored before
	 * this migration by rowid), the complete subtrees' hashes (level 0:
	 * the leaf hashes again) and every checkpoint the node signed, with
	 * its exact signed bytes.  The log is append-only, and a record in it
	 * is never deleted or rewritten: the triggers keep the node's own code
	 * to that, and the start check (store_tlog_audit) catches a hand
	 * edit of the file. */
	{ 8, "transparency log: leaves, stored subtree hashes, checkpoints",
	"CREATE TABLE tlog_leaves ("
	"  idx INTEGER PRIMARY KEY NOT NULL CHECK (idx >= 0),"
	"  record_id TEXT NOT NULL UNIQUE,"
	"  hash BLOB NOT NULL CHECK (length(hash) = 32));"
	"CREATE INDEX tlog_leaves_hash ON tlog_leaves(hash);"
	"CREATE TABLE tlog_nodes ("
	"  level INTEGER NOT NULL CHECK (level >= 0 AND level < 64),"
	"  idx INTEGER NOT NULL CHECK (idx >= 0),"
	"  hash BLOB NOT NULL CHECK (length(hash) = 32),"
	"  PRIMARY KEY (level, idx)) WITHOUT ROWID;"
	"CREATE TABLE tlog_checkpoints ("
	"  seq INTEGER PRIMARY KEY NOT NULL,"
	"  size INTEGER NOT NULL CHECK (size >= 0),"
	"  root BLOB NOT NULL CHECK (length(root) = 32),"
	"  time INTEGER NOT NULL,"
	"  id TEXT NOT NULL,"
	"  xml BLOB NOT NULL);"
	"CREATE INDEX tlog_checkpoints_size ON tlog_checkpoints(size, seq);"
	"CREATE TRIGGER tlog_leaves_keep BEFORE UPDATE ON tlog_leaves BEGIN"
	"  SELECT RAISE(ABORT, 'the transparency log is append-only'); END;"
	"CREATE TRIGGER tlog_leaves_keep_d BEFORE DELETE ON tlog_leaves BEGIN"
	"  SELECT RAISE(ABORT, 'the transparency log is append-only'); END;"
	"CREATE TRIGGER tlog_nodes_keep BEFORE UPDATE ON tlog_nodes BEGIN"
	"  SELECT RAISE(ABORT, 'the transparency log is append-only'); END;"
	"CREATE TRIGGER tlog_nodes_keep_d BEFORE DELETE ON tlog_nodes BEGIN"
	"  SELECT RAISE(ABORT, 'the transparency log is append-only'); END;"
	"CREATE TRIGGER tlog_checkpoints_keep BEFORE UPDATE ON tlog_checkpoints"
	"  BEGIN SELECT RAISE(ABORT, 'signed checkpoints are kept'); END;"
	"CREATE TRIGGER tlog_checkpoints_keep_d BEFORE DELETE ON"
	"  tlog_checkpoints BEGIN"
	"  SELECT RAISE(ABORT, 'signed checkpoints are kept'); END;"
	"CREATE TRIGGER supervision_records_logged BEFORE UPDATE OF id, xml ON"
	"  supervision_records WHEN EXISTS (SELECT 1 FROM tlog_leaves"
	"  WHERE record_id = old.id) BEGIN SELECT RAISE(ABORT, 'a record in"
	" the transparency log is never rewritten'); END;"
	"CREATE TRIGGER supervision_records_logged_d BEFORE DELETE ON"
	"  supervision_records WHEN EXISTS (SELECT 1 FROM tlog_leaves"
	"  WHERE record_id = old.id) BEGIN SELECT RAISE(ABORT, 'a record in"
	" the transparency log is never deleted'); END;" },
	/* The witness (store_witness.h): every checkpoint of another
	 * member's log it verified (the newest per origin is what it holds),
	 * and every alarm it raised with both checkpoints' exact bytes.
	 * Neither is ever updated or deleted. */
	{ 9, "witness: witnessed checkpoints and alarms",
	"CREATE TABLE witnessed ("
	"  seq INTEGER PRIMARY KEY NOT NULL,"
	"  origin TEXT NOT NULL,"
	"  size INTEGER NOT NULL CHECK (size >= 0),"
	"  root BLOB NOT NULL CHECK (length(root) = 32),"
	"  time INTEGER NOT NULL,"
	"  seen INTEGER NOT NULL,"
	"  id TEXT NOT NULL,"
	"  xml BLOB NOT NULL);"
	"CREATE INDEX witnessed_origin ON witnessed(origin, seq);"
	"CREATE TABLE witness_alarms ("
	"  seq INTEGER PRIMARY KEY NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  peer TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('rollback', 'fork',"
	"    'bad-proof', 'bad-signature')),"
	"  detail TEXT NOT NULL,"
	"  held_size INTEGER,"
	"  held_id TEXT,"
	"  held BLOB,"
	"  got_size INTEGER NOT NULL,"
	"  got_id TEXT NOT NULL,"
	"  got BLOB NOT NULL);"
	"CREATE INDEX witness_alarms_peer ON witness_alarms(peer, kind);"
	"CREATE TRIGGER witnessed_keep BEFORE UPDATE ON witnessed BEGIN"
	"  SELECT RAISE(ABORT, 'witnessed checkpoints are kept'); END;"
	"CREATE TRIGGER witnessed_keep_d BEFORE DELETE ON witnessed BEGIN"
	"  SELECT RAISE(ABORT, 'witnessed checkpoints are kept'); END;"
	"CREATE TRIGGER witness_alarms_keep BEFORE UPDATE ON witness_alarms"
	"  BEGIN SELECT RAISE(ABORT, 'witness alarms are kept'); END;"
	"CREATE TRIGGER witness_alarms_keep_d BEFORE DELETE ON witness_alarms"
	"  BEGIN SELECT RAISE(ABORT, 'witness alarms are kept'); END;" },
	/* The web service's accounts and its audit trail (store_account.h):
	 * the CHECKs repeat account.h's rules, so that a hand-made row
	 * cannot hold what the node would refuse.  An account is disabled,
	 * never deleted, and the trail is never rewritten. */
	{ 10, "web service: accounts and the audit trail",
	"CREATE TABLE account ("
	"  name TEXT PRIMARY KEY NOT NULL CHECK (length(name) BETWEEN 1 AND 64"
	"    AND name NOT GLOB '*[^a-z0-9._-]*'"
	"    AND substr(name, 1, 1) GLOB '[a-z0-9]'),"
	"  role TEXT NOT NULL CHECK (role IN ('social-worker', 'supervisor',"
	"    'provider', 'admin')),"
	"  business_id TEXT CHECK ((role = 'provider') ="
	"    (business_id IS NOT NULL)),"
	"  pw_hash TEXT NOT NULL CHECK (pw_hash LIKE '$argon2id$%'),"
	"  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),"
	"  created INTEGER NOT NULL,"
	"  pw_changed INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE web_audit ("
	"  id INTEGER PRIMARY KEY NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  account TEXT NOT NULL,"
	"  addr TEXT NOT NULL,"
	"  action TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 31),"
	"  detail TEXT NOT NULL);"
	"CREATE INDEX web_audit_account ON web_audit(account, id);"
	"CREATE TRIGGER web_audit_keep BEFORE UPDATE ON web_audit BEGIN"
	"  SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
	"CREATE TRIGGER web_audit_keep_d BEFORE DELETE ON web_audit BEGIN"
	"  SELECT RAISE(ABORT, 'the audit trail is append-only'); END;" },
	/* An operator may cancel a pending delivery (lasteri supervision
	 * cancel): the row is kept, in state cancelled.  SQLite cannot change
	 * a CHECK, so the table is rebuilt with its rows. */
	{ 11, "outbox: state cancelled",
	"CREATE TABLE outbox_new ("
	"  record_id TEXT NOT NULL,"
	"  destination TEXT NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN"
	"    ('pending', 'delivered', 'conflict', 'refused', 'cancelled')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  created INTEGER NOT NULL,"
	"  next_attempt INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL,"
	"  last_error TEXT NOT NULL DEFAULT '',"
	"  PRIMARY KEY (record_id, destination));"
	"INSERT INTO outbox_new SELECT record_id, destination, state, attempts,"
	"  created, next_attempt, updated, last_error FROM outbox;"
	"DROP TABLE outbox;"
	"ALTER TABLE outbox_new RENAME TO outbox;"
	"CREATE INDEX outbox_due ON outbox(state, next_attempt);" },
	/* A unit that closed is retired (lasteri unit retire): its row, its
	 * stored bytes and the supervision records about it are kept for
	 * history, but search and the statistics of places and prices leave
	 * it out (store_retire.c).  A row here is the retirement in force; an
	 * import of the unit again does not lift it, only a reinstatement
	 * (which deletes the row, logged by the node). */
	{ 12, "retired units",
	"CREATE TABLE unit_retired ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  by TEXT NOT NULL,"
	"  reason TEXT NOT NULL CHECK (length(reason) <= 500)) WITHOUT ROWID;" },
};

#define NMIGRATIONS	((int)(sizeof(migrations) / sizeof(migrations[0])))

int
store_schema_latest(void)
{
	return migrations[NMIGRATIONS - 1].version;
}

/* Single integer result of sql (no parameters). */
static int
query_int(struct store *s, const char *sql, int *out, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_dberr(s, "reading the schema version", e);
		goto done;
	}
	if (sqlite3_step(st) != SQLITE_ROW) {
		store_dberr(s, "reading the schema version", e);
		goto done;
	}
	*out = sqlite3_column_int(st, 0);
	rc = 0;
done:
	sqlite3_finalize(st);
	return rc;
}

/* The applied version: 0 for an empty database; refuses a database that
 * holds tables but no schema_version (not ours). */
static int
read_version(struct store *s, int *out, struct err *e)
{
	int has, ntables;

	if (query_int(s, "SELECT count(*) FROM sqlite_master WHERE "
	    "type = 'table' AND name = 'schema_version'", &has, e) == -1)
		return -1;
	if (!has) {
		if (query_int(s, "SELECT count(*) FROM sqlite_master",
		    &ntables, e) == -1)
			return -1;
		if (ntables > 0)
			return err_set(e, ERR_DB, "%s: not a Lasteri database "
			    "(it has tables but no schema_version)", s->path);
		*out = 0;
		return 0;
	}
	return query_int(s, "SELECT coalesce(max(version), 0) "
	    "FROM schema_version", out, e);
}

int
store_schema_version(struct store *s, int *out, struct err *e)
{
	return read_version(s, out, e);
}

static int
apply(struct store *s, const struct migration *m, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int (*fill)(struct store *, struct err *) = NULL;
	size_t i;
	int v, rc = -1;

	for (i = 0; i < sizeof(fills) / sizeof(fills[0]); i++)
		if (fills[i].version == m->version)
			fill = fills[i].fill;
	if (store_exec(s, "BEGIN IMMEDIATE", e) == -1)
		return -1;
	if (read_version(s, &v, e) == -1)
		goto done;
	if (v >= m->version) {		/* another process got here first */
		rc = store_exec(s, "COMMIT", e);
		goto done;
	}
	if (store_exec(s, m->sql, e) == -1 ||
	    (fill != NULL && fill(s, e) == -1)) {
		err_prefix(e, "migration %d (%s)", m->version, m->what);
		goto done;
	}
	if (sqlite3_prepare_v2(s->db, "INSERT INTO schema_version"
	    "(version, applied) VALUES (?, ?)", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_int(st, 1, m->version) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL)) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE) {
		store_dberr(s, "recording the schema version", e);
		goto done;
	}
	if (store_exec(s, "COMMIT", e) == -1)
		goto done;
	rc = 0;
done:
	sqlite3_finalize(st);
	if (rc == -1 && !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int
store_migrate(struct store *s, struct err *e)
{
	int i, v;

	if (read_version(s, &v, e) == -1)
		return -1;
	if (v > store_schema_latest())
		return err_set(e, ERR_DB, "%s: database schema version %d is "
		    "newer than this program's %d; use a newer lasteri",
		    s->path, v, store_schema_latest());
	if (v == store_schema_latest())
		return 0;
	if (s->rdonly)
		return err_set(e, ERR_DB, "%s: database schema version %d "
		    "needs migrating to %d; open it read-write once", s->path,
		    v, store_schema_latest());
	for (i = 0; i < NMIGRATIONS; i++) {
		if (migrations[i].version <= v)
			continue;
		if (apply(s, &migrations[i], e) == -1)
			return -1;
	}
	return 0;
}
