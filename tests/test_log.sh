#!/bin/bash
# test_log.sh - the node's transparency log (issue 11, items 1-3): records
# lvv delivers to node 02 become leaves whose hash is SHA-256(0x00 || the
# stored bytes); node 02 signs checkpoints when its log grows; an auditor
# (thl) fetches the checkpoint, an inclusion proof and a consistency proof
# over the federation port and they verify (checked here in Python, from
# RFC 9162, sharing no code with the node); a region may read the log, a
# supervisor-only member (lvv) gets 403; bad parameters get 400, unknown
# leaves and sizes beyond the tree 404; the admin socket serves the same
# and signs on demand.  Then tampering with the STOPPED node's SQLite (a
# record row deleted, a record's bytes altered, the log truncated, a leaf
# and its record rewritten together, a record without its leaf, every
# table rewritten consistently) makes the restart fail with one line naming
# the first bad leaf; the untouched copy starts again.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/nodes.sh"

for tool in curl openssl /usr/bin/python3; do
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
BASE=$(nodes_free_base 5) || { echo "FAIL - no free port base"; exit 1; }
"$LASTERI" pki init "$NODES_DIR" --regions 2 --trustlist --port-base "$BASE" \
    >"$T_DIR/pki.log" 2>&1 || { echo "FAIL - pki init: $(tail -n 3 "$T_DIR/pki.log")"; exit 1; }
M=$NODES_DIR/members
LOGCONF="[log]
checkpoint_interval = 1s"
for c in 01 02; do nodes_conf $c "$LOGCONF"; done
nodes_conf lvv "[outbox]
outbox_retry_min = 200ms
outbox_retry_max = 1s
$LOGCONF"
sed -e 's/Id="SOTERI-08-0003"/Id="UNIT-A"/' -e 's/>08</>02</g' \
    -e 's/<Municipality>837</<Municipality>186</' "$TOP_SRCDIR/tests/data/unit-08-0003.xml" >"$T_DIR/unit.xml"
"$LASTERI" import --db "$M/02/node.db" --region 02 "$T_DIR/unit.xml" >"$T_DIR/imp.log" 2>&1 ||
    { echo "FAIL - units for node 02: $(cat "$T_DIR/imp.log")"; exit 1; }
for c in 01 02 lvv; do nodes_start $c || exit 1; done
LVV=$M/lvv/admin.sock
SOCK02=$M/02/admin.sock

record() {	# record ID
	cat <<EOR
<?xml version="1.0" encoding="UTF-8"?>
<SupervisionRecord xmlns="urn:lasteri:1" Id="$1">
  <Kind>inspection-unannounced</Kind>
  <Unit>UNIT-A</Unit>
  <UnitRegion>02</UnitRegion>
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
}
issue() {	# issue ID...: lvv issues each record
	local id
	for id in "$@"; do
		record "$id" >"$T_DIR/$id.xml"
		"$LASTERI" supervision issue "$T_DIR/$id.xml" -s "$LVV" >"$T_DIR/issue.out" 2>&1 ||
		    t_fail "lvv issues $id" "$(cat "$T_DIR/issue.out")"
	done
}
arrived() { [ "$(nodes_curl thl 02 "/v1/records/$1" "$T_DIR/$1.stored")" = 200 ]; }
# fed FROM PATH OUT: GET PATH from node 02 with FROM's certificate.
fed() { nodes_curl "$1" 02 "$2" "$3"; }
admin() { curl -sS --max-time 10 --unix-socket "$SOCK02" -o "$3" -w '%{http_code}' -X "$1" "http://lasteri$2" 2>"$3.err"; }
cp_size() {	# cp_size FILE: the TreeSize of a Checkpoint
	sed -n 's/.*<TreeSize>\([0-9]*\)<\/TreeSize>.*/\1/p' "$1" | head -n 1
}
cp_at_least() {	# cp_at_least N OUT: node 02's checkpoint has TreeSize >= N
	[ "$(fed thl /v1/log/checkpoint "$2")" = 200 ] && [ "$(cp_size "$2")" -ge "$1" ]
}
# expect_code WANT DESC CODE [FILE]
expect_code() {
	if [ "$3" = "$1" ]; then t_ok "$2"; else t_fail "$2" "got $3: $(head -c 400 "${4:-/dev/null}" 2>/dev/null)"; fi
}

# The auditor's side, straight from RFC 9162 2.1.3.2 and 2.1.4.2.
cat >"$T_DIR/audit.py" <<'EOP'
import base64, hashlib, sys
import xml.etree.ElementTree as ET
NS = '{urn:lasteri:1}'
def H(*parts):
    return hashlib.sha256(b''.join(parts)).digest()
def node(l, r):
    return H(b'\x01', l, r)
def checkpoint(path):
    cp = ET.parse(path).getroot()
    return int(cp.find(NS + 'TreeSize').text), base64.b64decode(cp.find(NS + 'RootHash').text)
def hashes(el):
    return [base64.b64decode(h.text) for h in el.findall(NS + 'Hash')]
def inclusion(idx, size, leaf, path, root):
    if idx >= size:
        return False
    fn, sn, r = idx, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            if not fn & 1:
                while True:
                    fn >>= 1; sn >>= 1
                    if fn & 1 or fn == 0:
                        break
        else:
            r = node(r, p)
        fn >>= 1; sn >>= 1
    return sn == 0 and r == root
def consistency(m, n, root_m, root_n, path):
    if m == n:
        return not path and root_m == root_n
    if m & (m - 1) == 0:
        path = [root_m] + path
    if not path:
        return False
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn >>= 1; sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node(c, fr); sr = node(c, sr)
            if not fn & 1:
                while True:
                    fn >>= 1; sn >>= 1
                    if fn & 1 or fn == 0:
                        break
        else:
            sr = node(sr, c)
        fn >>= 1; sn >>= 1
    return sn == 0 and fr == root_m and sr == root_n
cmd = sys.argv[1]
if cmd == 'leaf':		# leaf RECORD-FILE: the hex leaf hash
    print(H(b'\x00', open(sys.argv[2], 'rb').read()).hex())
elif cmd == 'inclusion':	# inclusion CHECKPOINT PROOF RECORD-FILE
    size, root = checkpoint(sys.argv[2])
    p = ET.parse(sys.argv[3]).getroot()
    leaf = H(b'\x00', open(sys.argv[4], 'rb').read())
    ok = (int(p.get('treeSize')) == size and p.get('leafHash') == leaf.hex() and
          inclusion(int(p.get('leafIndex')), size, leaf, hashes(p), root))
    print('proven' if ok else 'NOT PROVEN'); sys.exit(0 if ok else 1)
elif cmd == 'consistency':	# consistency OLD NEW PROOF
    m, rm = checkpoint(sys.argv[2]); n, rn = checkpoint(sys.argv[3])
    p = ET.parse(sys.argv[4]).getroot()
    ok = (int(p.get('from')) == m and int(p.get('to')) == n and
          consistency(m, n, rm, rn, hashes(p)))
    print('proven' if ok else 'NOT PROVEN'); sys.exit(0 if ok else 1)
EOP
audit() { /usr/bin/python3 "$T_DIR/audit.py" "$@"; }

# --- records become leaves; checkpoints follow ---------------------------------
issue LVV-LOG-1 LVV-LOG-2 LVV-LOG-3
for id in LVV-LOG-1 LVV-LOG-2 LVV-LOG-3; do
	nodes_wait 15 arrived $id || t_fail "$id arrives at node 02"
done
if nodes_wait 10 cp_at_least 3 "$T_DIR/cp3.xml"; then
	t_ok "node 02 signs a checkpoint of size 3 within its 1 s interval"
else
	t_fail "node 02 signs a checkpoint of size 3 within its 1 s interval" "$(head -c 400 "$T_DIR/cp3.xml")"
fi
t_grep "the checkpoint names node 02 as its Origin" "<Origin>$(cat "$M/02/member.id")</Origin>" "$T_DIR/cp3.xml"
t_grep "the checkpoint is signed" '<ds:Signature' "$T_DIR/cp3.xml"
expect_code 200 "thl (auditor) reads the leaves" "$(fed thl '/v1/log/leaves?start=0&count=10' "$T_DIR/leaves.xml")" "$T_DIR/leaves.xml"
t_grep "the leaves are the three records in the order received" \
    'index="0"[^>]*record="LVV-LOG-1".*index="1"[^>]*record="LVV-LOG-2".*index="2"[^>]*record="LVV-LOG-3"' \
    <(tr -d '\n' <"$T_DIR/leaves.xml")
t_grep "the leaves say the tree size" 'treeSize="3"' "$T_DIR/leaves.xml"
H2=$(audit leaf "$T_DIR/LVV-LOG-2.stored")
t_grep "leaf 1's hash is SHA-256(0x00 || the stored record bytes)" "index=\"1\" hash=\"$H2\"" "$T_DIR/leaves.xml"
nodes_log 02 >"$T_DIR/log02"
t_grep "node 02 logged the checkpoint it signed" 'event=checkpoint_signed id=CP-3-[0-9a-f]+ size=3' "$T_DIR/log02"

# --- proofs over the federation port --------------------------------------------
expect_code 200 "thl fetches an inclusion proof of LVV-LOG-2" \
    "$(fed thl "/v1/log/inclusion?leaf=$H2&size=3" "$T_DIR/incl.xml")" "$T_DIR/incl.xml"
t_expect 0 "the inclusion proof verifies against the signed checkpoint" \
    audit inclusion "$T_DIR/cp3.xml" "$T_DIR/incl.xml" "$T_DIR/LVV-LOG-2.stored"
expect_code 200 "without size the proof is for the latest checkpoint" \
    "$(fed thl "/v1/log/inclusion?leaf=$(echo "$H2" | tr a-f A-F)" "$T_DIR/incl2.xml")" "$T_DIR/incl2.xml"
t_grep "(upper-case hex is accepted; treeSize 3)" 'treeSize="3"' "$T_DIR/incl2.xml"
issue LVV-LOG-4 LVV-LOG-5
nodes_wait 15 arrived LVV-LOG-5 || t_fail "LVV-LOG-5 arrives at node 02"
if nodes_wait 10 cp_at_least 5 "$T_DIR/cp5.xml"; then
	t_ok "the next checkpoint covers the new records"
else
	t_fail "the next checkpoint covers the new records" "$(head -c 400 "$T_DIR/cp5.xml")"
fi
expect_code 200 "thl fetches a consistency proof from 3 to 5" \
    "$(fed thl '/v1/log/consistency?from=3&to=5' "$T_DIR/cons.xml")" "$T_DIR/cons.xml"
t_expect 0 "the consistency proof verifies between the two signed checkpoints" \
    audit consistency "$T_DIR/cp3.xml" "$T_DIR/cp5.xml" "$T_DIR/cons.xml"
expect_code 200 "region 01 may read the log" "$(fed 01 /v1/log/checkpoint "$T_DIR/r01.xml")" "$T_DIR/r01.xml"
expect_code 403 "lvv (supervisor only) may not" "$(fed lvv /v1/log/checkpoint "$T_DIR/lvv.xml")" "$T_DIR/lvv.xml"
t_grep "the refusal names the roles that may" 'auditor, coordinator or region' "$T_DIR/lvv.xml"
expect_code 403 "nor fetch a proof" "$(fed lvv "/v1/log/inclusion?leaf=$H2" "$T_DIR/lvv.xml")" "$T_DIR/lvv.xml"

# --- bad parameters -------------------------------------------------------------
expect_code 400 "a leaf that is not 64 hex digits is 400" "$(fed thl '/v1/log/inclusion?leaf=abc' "$T_DIR/p")" "$T_DIR/p"
t_grep "the refusal names the parameter" 'leaf: not a leaf hash' "$T_DIR/p"
expect_code 400 "a missing leaf is 400" "$(fed thl '/v1/log/inclusion?size=3' "$T_DIR/p")" "$T_DIR/p"
expect_code 404 "an unknown leaf hash is 404" "$(fed thl "/v1/log/inclusion?leaf=$(printf '0%.0s' $(seq 64))" "$T_DIR/p")" "$T_DIR/p"
expect_code 404 "a size beyond the tree is 404" "$(fed thl "/v1/log/inclusion?leaf=$H2&size=99" "$T_DIR/p")" "$T_DIR/p"
t_grep "the refusal says beyond the log" 'beyond the log' "$T_DIR/p"
expect_code 404 "a leaf not yet in a smaller tree is 404" "$(fed thl "/v1/log/inclusion?leaf=$H2&size=1" "$T_DIR/p")" "$T_DIR/p"
expect_code 400 "size=-1 is 400" "$(fed thl "/v1/log/inclusion?leaf=$H2&size=-1" "$T_DIR/p")" "$T_DIR/p"
expect_code 400 "from=0 is 400" "$(fed thl '/v1/log/consistency?from=0&to=3' "$T_DIR/p")" "$T_DIR/p"
expect_code 400 "from > to is 400" "$(fed thl '/v1/log/consistency?from=4&to=3' "$T_DIR/p")" "$T_DIR/p"
expect_code 404 "to beyond the tree is 404" "$(fed thl '/v1/log/consistency?from=1&to=50' "$T_DIR/p")" "$T_DIR/p"
expect_code 400 "count=1001 is 400" "$(fed thl '/v1/log/leaves?start=0&count=1001' "$T_DIR/p")" "$T_DIR/p"
t_grep "the refusal gives the bound" 'count: from 1 to 1000' "$T_DIR/p"
expect_code 400 "a missing start is 400" "$(fed thl '/v1/log/leaves?count=3' "$T_DIR/p")" "$T_DIR/p"
expect_code 404 "a start beyond the tree is 404" "$(fed thl '/v1/log/leaves?start=5' "$T_DIR/p")" "$T_DIR/p"
expect_code 400 "an unknown parameter is 400" "$(fed thl '/v1/log/leaves?start=0&cuont=3' "$T_DIR/p")" "$T_DIR/p"
t_grep "the refusal names it" "unknown parameter 'cuont'" "$T_DIR/p"

# --- the admin socket -------------------------------------------------------------
expect_code 200 "the admin socket serves the checkpoint" "$(admin GET /v1/log/checkpoint "$T_DIR/a.xml")" "$T_DIR/a.xml"
expect_code 200 "and the leaves" "$(admin GET '/v1/log/leaves?start=3&count=2' "$T_DIR/a.xml")" "$T_DIR/a.xml"
t_grep "leaves 3 and 4 only" 'count="2"' "$T_DIR/a.xml"
expect_code 201 "POST /admin/v1/log/checkpoint signs one on demand" "$(admin POST /admin/v1/log/checkpoint "$T_DIR/a.xml")" "$T_DIR/a.xml"
t_grep "the answer is the signed checkpoint of size 5" '<TreeSize>5</TreeSize>' "$T_DIR/a.xml"
expect_code 200 "which is now the latest" "$(fed thl /v1/log/checkpoint "$T_DIR/latest.xml")" "$T_DIR/latest.xml"
cmp -s "$T_DIR/a.xml" "$T_DIR/latest.xml" && t_ok "byte for byte" || t_fail "byte for byte"
expect_code 404 "the sign endpoint is not on the federation port" \
    "$(nodes_curl thl 02 /admin/v1/log/checkpoint "$T_DIR/p" -X POST)" "$T_DIR/p"

# --- tampering with the stopped node's database -------------------------------------
nodes_stop 02
DB=$M/02/node.db
[ -e "$DB-wal" ] && [ -s "$DB-wal" ] && tsql "$DB" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
cp "$DB" "$T_DIR/pristine.db"
TRIGGERS="DROP TRIGGER supervision_records_logged; DROP TRIGGER supervision_records_logged_d;
DROP TRIGGER tlog_leaves_keep; DROP TRIGGER tlog_leaves_keep_d;
DROP TRIGGER tlog_nodes_keep; DROP TRIGGER tlog_nodes_keep_d;"

# refused DESC SQL PATTERN: applies SQL to a fresh copy of the pristine
# database, starts node 02 and expects it to stop at once, exit non-zero,
# with exactly one line, matching PATTERN.
refused() {
	local desc=$1 rc lines
	cp "$T_DIR/pristine.db" "$DB"
	rm -f "$DB-wal" "$DB-shm"
	if ! tsql "$DB" "$TRIGGERS $2" >"$T_DIR/sql.out" 2>&1; then
		t_fail "$desc" "the tampering failed: $(cat "$T_DIR/sql.out")"
		return
	fi
	timeout 20 "$LASTERID" -c "$M/02/lasterid.conf" --allow-root >"$T_DIR/start.out" 2>"$T_DIR/start.err" </dev/null
	rc=$?
	echo "  ($(head -c 600 "$T_DIR/start.err"))"
	lines=$(wc -l <"$T_DIR/start.err")
	if [ $rc -ne 0 ] && [ $rc -ne 124 ] && [ "$lines" -eq 1 ] && grep -Eq -- "$3" "$T_DIR/start.err"; then
		t_ok "$desc"
	else
		t_fail "$desc" "exit $rc, $lines lines: $(head -c 600 "$T_DIR/start.err")"
	fi
}
refused "a deleted record row: the restart is refused naming leaf 1" \
    "DELETE FROM supervision_records WHERE id = 'LVV-LOG-2';" \
    'first bad leaf 1 \(record LVV-LOG-2\): the record of this leaf is not in the store.*refusing to start'
refused "a record's bytes altered: refused naming leaf 2" \
    "UPDATE supervision_records SET xml = CAST(replace(CAST(xml AS TEXT), 'two night', 'one night') AS BLOB) WHERE id = 'LVV-LOG-3';" \
    'first bad leaf 2 \(record LVV-LOG-3\): the record.s stored bytes do not hash to the leaf'
refused "the log truncated to 3 leaves: refused naming leaf 3" \
    "DELETE FROM tlog_leaves WHERE idx >= 3;" \
    'first bad leaf 3 \(record LVV-LOG-4\): the log has 3 leaves but the latest signed checkpoint has 5'
# A leaf and its record rewritten together (the attacker can hash too).
sed 's/two night shifts/no night shifts/' "$T_DIR/LVV-LOG-1.stored" >"$T_DIR/forged.rec"
FORGED_HEX=$(od -An -v -tx1 "$T_DIR/forged.rec" | tr -d ' \n')
FORGED_LEAF=$(audit leaf "$T_DIR/forged.rec")
refused "a leaf and its record rewritten together: refused naming leaf 0" \
    "UPDATE supervision_records SET xml = X'$FORGED_HEX' WHERE id = 'LVV-LOG-1';
     UPDATE tlog_leaves SET hash = X'$FORGED_LEAF' WHERE idx = 0;" \
    'first bad leaf 0 \(record LVV-LOG-1\): .*rewritten together'
# ...and every table: the stored level-0 node too, and every parent of it.
refused "leaf, record and the stored leaf node rewritten: still refused naming leaf 0" \
    "UPDATE supervision_records SET xml = X'$FORGED_HEX' WHERE id = 'LVV-LOG-1';
     UPDATE tlog_leaves SET hash = X'$FORGED_LEAF' WHERE idx = 0;
     UPDATE tlog_nodes SET hash = X'$FORGED_LEAF' WHERE level = 0 AND idx = 0;" \
    'first bad leaf 0 \(record LVV-LOG-1\): the stored node at level 1'
refused "a stored record without its leaf: refused naming the record" \
    "DELETE FROM tlog_leaves WHERE idx = 4; DELETE FROM tlog_nodes WHERE level = 0 AND idx = 4;" \
    'first bad leaf 4 \(record LVV-LOG-5\)'
refused "a checkpoint whose signed bytes were altered: refused" \
    "DROP TRIGGER tlog_checkpoints_keep; UPDATE tlog_checkpoints SET xml = CAST(replace(CAST(xml AS TEXT), '<TreeSize>5<', '<TreeSize>4<') AS BLOB) WHERE seq = (SELECT max(seq) FROM tlog_checkpoints);" \
    'latest signed checkpoint .* does not verify'
cp "$T_DIR/pristine.db" "$DB"
rm -f "$DB-wal" "$DB-shm"
nodes_start 02 && t_ok "the untouched database starts again" || t_fail "the untouched database starts again"
expect_code 200 "and serves its checkpoint" "$(fed thl /v1/log/checkpoint "$T_DIR/after.xml")" "$T_DIR/after.xml"
cmp -s "$T_DIR/after.xml" "$T_DIR/latest.xml" && t_ok "the same one it signed before the stop (the log did not grow)" ||
    t_fail "the same one it signed before the stop (the log did not grow)"

t_finish
