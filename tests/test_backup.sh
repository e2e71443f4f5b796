#!/bin/sh
# test_backup.sh - backup, restore and the database check (issue 13, item
# 6): `lasteri backup -s` makes a consistent copy while the node runs (what
# was stored after it began is not in it), never over an existing file;
# `lasteri check -s|--db` runs SQLite's integrity_check, verifies every
# signed record again and the transparency log, and finds a damaged file
# and a tampered record; the node refuses to start on a damaged database
# with one line; `lasteri restore` refuses while the node runs and refuses
# a file that is not a whole Lasteri database, and puts a good backup in
# place, keeping the replaced database.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/nodes.sh"

for tool in openssl; do
	command -v $tool >/dev/null 2>&1 || { echo "skip: $tool is not installed"; exit 77; }
done
if command -v sqlite3 >/dev/null 2>&1; then
	tsql() { sqlite3 -bail "$1" "$2"; }
elif /usr/bin/python3 -c 'import sqlite3' 2>/dev/null; then
	tsql() { /usr/bin/python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1]); db.executescript(sys.argv[2]); db.commit()' "$1" "$2"; }
else
	echo "skip: neither sqlite3 nor python3's sqlite3 module"; exit 77
fi
[ -x "$LASTERID" ] || { echo "FAIL - $LASTERID is not built"; exit 1; }
trap 'nodes_stop_all; t_cleanup' EXIT

NODES_DIR=$T_DIR/fed
BASE=$(nodes_free_base 4) || { echo "FAIL - no free port base"; exit 1; }
"$LASTERI" pki init "$NODES_DIR" --regions 1 --trustlist --port-base "$BASE" \
    >"$T_DIR/pki.log" 2>&1 || { echo "FAIL - pki init: $(tail -n 3 "$T_DIR/pki.log")"; exit 1; }
M=$NODES_DIR/members
nodes_conf lvv "[log]
checkpoint_interval = 1s"
nodes_start lvv || exit 1
SOCK=$M/lvv/admin.sock
DB=$M/lvv/node.db
IDLVV=$(cat "$M/lvv/member.id")

issue() {	# issue ID: lvv issues a record about a unit of region 01
	cat >"$T_DIR/$1.xml" <<EOR
<?xml version="1.0" encoding="UTF-8"?>
<SupervisionRecord xmlns="urn:lasteri:1" Id="$1">
  <Kind>inspection-unannounced</Kind>
  <Unit>UNIT-B</Unit>
  <UnitRegion>01</UnitRegion>
  <ProviderBusinessId>2345678-0</ProviderBusinessId>
  <Issuer>LVV</Issuer>
  <Opened>2026-09-02</Opened>
  <VisitDate>2026-09-15</VisitDate>
  <Announced>false</Announced>
  <Finding category="staffing-level" severity="medium">One instructor on two night shifts.</Finding>
  <Status>follow-up</Status>
  <PublicSummary>Night staffing needs correcting.</PublicSummary>
  <Issued>2026-09-20T10:00:00Z</Issued>
</SupervisionRecord>
EOR
	"$LASTERI" supervision issue "$T_DIR/$1.xml" -s "$SOCK" >"$T_DIR/issue.out" 2>&1 ||
	    t_fail "lvv issues $1" "$(cat "$T_DIR/issue.out")"
}
for id in LVV-BK-1 LVV-BK-2 LVV-BK-3; do issue $id; done
# The log's checkpoint covers the three (checkpoint_interval 1s).
curl -s --max-time 5 --unix-socket "$SOCK" -X POST http://lasterid/admin/v1/log/checkpoint >/dev/null

# --- check through the node ------------------------------------------------------
t_expect 0 "lasteri check -s: the running node's database is whole" "$LASTERI" check -s "$SOCK"
t_grep "  SQLite's integrity check passes" '^integrity: ok' "$T_DIR/out"
t_grep "  every signed record verifies again" '^records: 3 stored, 3 signed and verified, 0 unsigned, 0 failing$' "$T_DIR/out"
t_grep "  the log matches its checkpoint" '^log: ok' "$T_DIR/out"
t_grep "  and the last line says so" '^check: ok$' "$T_DIR/out"

# --- backup ----------------------------------------------------------------------
t_expect 0 "lasteri backup -s makes a copy while the node runs" \
    "$LASTERI" backup -s "$SOCK" "$T_DIR/b1.db"
t_grep "  and says where and how big" "^backup $T_DIR/b1.db: [0-9]+ bytes, checked" "$T_DIR/out"
t_expect 0 "  the copy is one file (no WAL beside it)" test ! -e "$T_DIR/b1.db-wal"
t_expect 0 "  and no partial file is left" test ! -e "$T_DIR/b1.db.part"
issue LVV-BK-4
t_expect 2 "a backup never overwrites a file" "$LASTERI" backup -s "$SOCK" "$T_DIR/b1.db"
t_grep "  and says so" "$T_DIR/b1.db: exists" "$T_DIR/err"
t_expect 0 "lasteri check --db checks the backup offline" \
    "$LASTERI" check --db "$T_DIR/b1.db" --trust "$NODES_DIR/trustlist.xml" \
    --anchor "$NODES_DIR/pki/operator.crt" --member "$IDLVV"
t_grep "  it holds what was stored before the backup, not after" \
    '^records: 3 stored, 3 signed and verified' "$T_DIR/out"
t_grep "  and its log matches the checkpoint in it" '^log: ok' "$T_DIR/out"

# --- what the check finds ----------------------------------------------------------
cp "$T_DIR/b1.db" "$T_DIR/tampered.db"
tsql "$T_DIR/tampered.db" "DROP TRIGGER IF EXISTS supervision_records_logged;
DROP TRIGGER IF EXISTS supervision_records_logged_d;
UPDATE supervision_records SET xml = CAST(replace(CAST(xml AS TEXT), 'Night staffing', 'Day staffing') AS BLOB)
 WHERE id = 'LVV-BK-2';" >"$T_DIR/sql.out" 2>&1 || t_fail "tampering with a copy" "$(cat "$T_DIR/sql.out")"
t_expect 1 "lasteri check --db finds a record whose signature no longer verifies" \
    "$LASTERI" check --db "$T_DIR/tampered.db" --trust "$NODES_DIR/trustlist.xml" \
    --anchor "$NODES_DIR/pki/operator.crt"
t_grep "  naming the record" '^records: FAILED record LVV-BK-2: ' "$T_DIR/out"
t_grep "  and counting it" '^check: 1 problem$' "$T_DIR/out"

# damage FILE PAGE: zeroes one page of a copy of the backup.
damage() {
	cp "$T_DIR/b1.db" "$1"
	dd if=/dev/zero of="$1" bs="$(tsql "$1" 'PRAGMA page_size;')" seek="$2" count=1 \
	    conv=notrunc 2>/dev/null
}
# The last page (an index or a table's leaf): the file opens, the check
# fails.  Page 2: not even the schema version can be read.
damage "$T_DIR/damaged.db" $(($(tsql "$T_DIR/b1.db" 'PRAGMA page_count;') - 1))
t_expect 1 "lasteri check --db finds a damaged file" "$LASTERI" check --db "$T_DIR/damaged.db"
t_grep "  with SQLite's reason" '^integrity: FAILED .*damaged\.db: integrity check failed' "$T_DIR/out"
damage "$T_DIR/broken.db" 1
t_expect 1 "lasteri check --db finds a file too damaged to open" "$LASTERI" check --db "$T_DIR/broken.db"
t_grep "  with SQLite's reason" '^integrity: FAILED .*broken\.db: .*malformed' "$T_DIR/out"

# --- start-up refuses a damaged database ---------------------------------------------
nodes_stop lvv
cp "$DB" "$T_DIR/live.db"
[ -e "$DB-wal" ] && cp "$DB-wal" "$T_DIR/live.db-wal"
cp "$T_DIR/damaged.db" "$DB"
rm -f "$DB-wal" "$DB-shm"
t_expect 1 "lasterid refuses to start on a damaged database" \
    timeout 20 "$LASTERID" -c "$M/lvv/lasterid.conf" --allow-root
t_grep "  naming the database" "^lasterid: database $DB: .*refusing to start" "$T_DIR/err"
[ "$(wc -l <"$T_DIR/err")" -eq 1 ] && t_ok "  in one line" || t_fail "  in one line" "$(cat "$T_DIR/err")"

cp "$DB" "$T_DIR/damaged-after.db"
# --- restore ---------------------------------------------------------------------------
t_expect 2 "lasteri restore refuses a file that is not a Lasteri database" \
    "$LASTERI" restore "$NODES_DIR/trustlist.xml" --db "$DB"
t_grep "  saying why" "trustlist.xml: not restored: " "$T_DIR/err"
t_expect 0 "  and leaves the database alone" cmp -s "$DB" "$T_DIR/damaged-after.db"
t_expect 0 "lasteri restore puts the backup in place of the stopped node's database" \
    "$LASTERI" restore "$T_DIR/b1.db" --db "$DB"
t_expect 0 "  keeping the replaced one" cmp -s "$DB.before-restore" "$T_DIR/damaged-after.db"
nodes_start lvv || exit 1
t_ok "the node starts on the restored database"
t_expect 0 "  which checks whole" "$LASTERI" check -s "$SOCK"
t_grep "  with the records of the backup" '^records: 3 stored, 3 signed and verified' "$T_DIR/out"
t_expect 2 "lasteri restore refuses while the node runs" \
    "$LASTERI" restore "$T_DIR/b1.db" --db "$DB"
t_grep "  naming the running node" "in use by a running lasterid \\(pid $(nodes_pid lvv), " "$T_DIR/err"
nodes_stop lvv

t_finish
