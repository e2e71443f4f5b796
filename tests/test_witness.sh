#!/bin/bash
# test_witness.sh - witnessing peers' transparency logs (issue 11, item 4).
# Nodes 01 and 02 (regions) and lvv (issues records to region 02) run with
# witness_interval = checkpoint_interval = 1 s.  Node 01 witnesses node 02:
# consistent growth raises no alarm and GET /v1/log/witnessed?origin=
# serves the newest checkpoint 01 verified (exact bytes, on the federation
# port for auditors and regions, 403 for a supervisor, and on the admin
# socket); an unreachable 02 is only logged.  Then node 02 is attacked:
#  - restarted on an OLD copy of its database (its genuine but older
#    checkpoint): a "rollback" alarm within two witness intervals, with
#    both checkpoints' exact bytes kept;
#  - its history rewritten consistently (a fresh database fed other
#    records, every leaf, subtree hash and checkpoint recomputed and signed
#    with 02's own key): a "fork" alarm at the size 01 already holds and a
#    "bad-proof" alarm when it grows past it;
#  - a stand-in with 02's TLS key serving 02's checkpoint with its
#    signature altered: a "bad-signature" alarm.
# Each alarm is in `lasteri audit alarms -s`, in /metrics and in the
# node's log; alarms are never overwritten (the table refuses UPDATE).
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/nodes.sh"

for tool in curl /usr/bin/python3; do
	command -v $tool >/dev/null 2>&1 || { echo "skip: $tool is not installed"; exit 77; }
done
/usr/bin/python3 -c 'import sqlite3' 2>/dev/null || { echo "skip: python3 has no sqlite3"; exit 77; }
[ -x "$LASTERID" ] || { echo "FAIL - $LASTERID is not built"; exit 1; }
SERVE_PID=
trap 'nodes_stop_all; [ -z "$SERVE_PID" ] || kill "$SERVE_PID" 2>/dev/null; t_cleanup' EXIT

NODES_DIR=$T_DIR/fed
BASE=$(nodes_free_base 5) || { echo "FAIL - no free port base"; exit 1; }
"$LASTERI" pki init "$NODES_DIR" --regions 2 --trustlist --port-base "$BASE" \
    >"$T_DIR/pki.log" 2>&1 || { echo "FAIL - pki init: $(tail -n 3 "$T_DIR/pki.log")"; exit 1; }
M=$NODES_DIR/members
for c in 01 02 lvv; do
	nodes_conf $c
	nodes_set $c log checkpoint_interval 1s
	nodes_set $c log witness_interval 1s
done
nodes_set lvv outbox outbox_retry_min 200ms
nodes_set lvv outbox outbox_retry_max 1s
ID02=$(cat "$M/02/member.id")
sed -e 's/Id="SOTERI-08-0003"/Id="UNIT-A"/' -e 's/>08</>02</g' \
    -e 's/<Municipality>837</<Municipality>186</' "$TOP_SRCDIR/tests/data/unit-08-0003.xml" >"$T_DIR/unit.xml"
unit02() {
	"$LASTERI" import --db "$M/02/node.db" --region 02 "$T_DIR/unit.xml" >"$T_DIR/imp.log" 2>&1 ||
	    { echo "FAIL - units for node 02: $(cat "$T_DIR/imp.log")"; exit 1; }
}
unit02
for c in 01 02 lvv; do nodes_start $c || exit 1; done
LVV=$M/lvv/admin.sock
SOCK01=$M/01/admin.sock

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
  <Finding category="staffing-level" severity="medium">$2</Finding>
  <Status>follow-up</Status>
  <PublicSummary>Night staffing needs correcting.</PublicSummary>
  <Issued>2026-09-20T10:00:00Z</Issued>
</SupervisionRecord>
EOR
}
issue() {	# issue FINDING ID...: lvv issues each record; waits for 02
	local id finding=$1
	shift
	for id in "$@"; do
		record "$id" "$finding" >"$T_DIR/$id.xml"
		"$LASTERI" supervision issue "$T_DIR/$id.xml" -s "$LVV" >"$T_DIR/issue.out" 2>&1 ||
		    t_fail "lvv issues $id" "$(cat "$T_DIR/issue.out")"
	done
	for id in "$@"; do
		nodes_wait 15 arrived "$id" || t_fail "$id arrives at node 02"
	done
}
arrived() { [ "$(nodes_curl thl 02 "/v1/records/$1" "$T_DIR/rec.out")" = 200 ]; }
cp_size() { sed -n 's/.*<TreeSize>\([0-9]*\)<\/TreeSize>.*/\1/p' "$1" | head -n 1; }
# size02 N: node 02 serves a checkpoint of size N (saved in cp02.xml)
size02() { [ "$(nodes_curl thl 02 /v1/log/checkpoint "$T_DIR/cp02.xml")" = 200 ] && [ "$(cp_size "$T_DIR/cp02.xml")" = "$1" ]; }
# witnessed N: node 01 holds a checkpoint of 02 of size N (in wit.xml)
witnessed() {
	[ "$(nodes_curl thl 01 "/v1/log/witnessed?origin=$ID02" "$T_DIR/wit.xml")" = 200 ] &&
	    [ "$(cp_size "$T_DIR/wit.xml")" = "$1" ]
}
alarms() { "$LASTERI" audit alarms -s "$SOCK01" "$@"; }
has_alarm() { alarms --format csv 2>/dev/null | grep -q ",$1,"; }
metrics01() { curl -sS --max-time 10 --unix-socket "$SOCK01" http://lasteri/metrics; }
admin01() { curl -sS --max-time 10 --unix-socket "$SOCK01" -o "$2" -w '%{http_code}' "http://lasteri$1" 2>"$2.err"; }
expect_code() {
	if [ "$3" = "$1" ]; then t_ok "$2"; else t_fail "$2" "got $3: $(head -c 400 "${4:-/dev/null}" 2>/dev/null)"; fi
}
# wait_alarm KIND: waits at most 2 witness intervals (+2 s for sanitizer
# builds) for node 01's alarm KIND about 02; says how long it took.
wait_alarm() {
	local t0 t1
	t0=$(date +%s%N)
	if nodes_wait 4 has_alarm "$1"; then
		t1=$(date +%s%N)
		t_ok "node 01 raises a $1 alarm about 02 within two witness intervals ($(( (t1 - t0) / 1000000 )) ms)"
	else
		t_fail "node 01 raises a $1 alarm about 02 within two witness intervals" "$(alarms 2>&1 | head -n 20)"
	fi
}

# --- consistent growth: no alarm ------------------------------------------------
issue "One instructor on two night shifts." LVV-W-1 LVV-W-2
nodes_wait 10 size02 2 || t_fail "node 02 signs a checkpoint of size 2"
if nodes_wait 5 witnessed 2; then
	t_ok "node 01 witnesses 02's checkpoint of size 2 (first seen: kept)"
else
	t_fail "node 01 witnesses 02's checkpoint of size 2" "$(head -c 400 "$T_DIR/wit.xml")"
fi
cmp -s "$T_DIR/wit.xml" "$T_DIR/cp02.xml" &&
    t_ok "GET /v1/log/witnessed serves the exact bytes 02 signed" ||
    t_fail "GET /v1/log/witnessed serves the exact bytes 02 signed"
nodes_stop 02
cp "$M/02/node.db" "$T_DIR/old.db"	# 02's database at size 2
for f in "$M/02/node.db"-*; do [ -e "$f" ] && cp "$f" "$T_DIR/old.db${f##*/node.db}"; done
sleep 1.5			# a witness round meets 02 down
nodes_start 02 || exit 1
issue "One instructor on two night shifts." LVV-W-3
nodes_wait 10 size02 3 || t_fail "node 02 signs a checkpoint of size 3"
if nodes_wait 5 witnessed 3; then
	t_ok "node 01 verifies the consistency proof 2 -> 3 and holds size 3"
else
	t_fail "node 01 verifies the consistency proof 2 -> 3 and holds size 3" "$(head -c 400 "$T_DIR/wit.xml")"
fi
cp "$T_DIR/wit.xml" "$T_DIR/held3.xml"
alarms >"$T_DIR/alarms0" 2>&1
t_grep "consistent growth (and an outage) raise no alarm" 'No alarms' "$T_DIR/alarms0"
nodes_log 01 >"$T_DIR/log01"
t_grep "node 01 logged that 02 was unreachable" "event=witness_unreachable peer=$ID02" "$T_DIR/log01"
t_grep "node 01 logged the extension" "event=witness_kept peer=$ID02 size=3 .*how=extends" "$T_DIR/log01"
if grep -q 'event=witness_alarm ' "$T_DIR/log01"; then t_fail "no witness_alarm line yet" "$(grep witness_alarm "$T_DIR/log01")"; else t_ok "no witness_alarm line yet"; fi

# --- the endpoints ------------------------------------------------------------------
expect_code 200 "region 02 may read what 01 witnessed" "$(nodes_curl 02 01 "/v1/log/witnessed?origin=$ID02" "$T_DIR/w.out")" "$T_DIR/w.out"
expect_code 403 "lvv (supervisor only) may not" "$(nodes_curl lvv 01 "/v1/log/witnessed?origin=$ID02" "$T_DIR/w.out")" "$T_DIR/w.out"
t_grep "the 403 says who may" 'auditor, coordinator or region' "$T_DIR/w.out"
expect_code 400 "origin is required" "$(nodes_curl thl 01 /v1/log/witnessed "$T_DIR/w.out")" "$T_DIR/w.out"
expect_code 404 "an origin never witnessed is 404" "$(nodes_curl thl 01 "/v1/log/witnessed?origin=NOBODY" "$T_DIR/w.out")" "$T_DIR/w.out"
expect_code 200 "the admin socket serves it too" "$(admin01 "/v1/log/witnessed?origin=$ID02" "$T_DIR/w.adm")" "$T_DIR/w.adm"
cmp -s "$T_DIR/w.adm" "$T_DIR/held3.xml" && t_ok "(the same bytes)" || t_fail "(the same bytes)"
t_expect 0 "lasteri audit checkpoint --member reads it through the CLI" \
    "$LASTERI" audit checkpoint -s "$SOCK01" --member "$ID02" --trust "$NODES_DIR/trustlist.xml" \
    --anchor "$NODES_DIR/pki/operator.crt"
expect_code 400 "alarms: a bad format is 400" "$(admin01 '/admin/v1/log/alarms?format=yaml' "$T_DIR/a.out")" "$T_DIR/a.out"

# --- rollback: 02 restarted on an older copy of its database -------------------------
nodes_stop 02
mkdir -p "$T_DIR/good" && mv "$M/02/node.db"* "$T_DIR/good/"
for f in "$T_DIR"/old.db*; do cp "$f" "$M/02/node.db${f##*/old.db}"; done
nodes_start 02 || exit 1
nodes_wait 5 size02 2 || t_fail "node 02 serves its old checkpoint of size 2"
cp "$T_DIR/cp02.xml" "$T_DIR/old2.xml"
wait_alarm rollback
alarms >"$T_DIR/alarms1" 2>&1
t_grep "audit alarms names peer 02 and kind rollback" "$ID02 .*rollback" "$T_DIR/alarms1"
metrics01 >"$T_DIR/metrics1"
t_grep "/metrics counts the rollback" "^lasteri_witness_alarms_total\{peer=\"$ID02\",kind=\"rollback\"\} 1\$" "$T_DIR/metrics1"
nodes_log 01 >"$T_DIR/log01"
t_grep "node 01 logs the alarm" "event=witness_alarm peer=$ID02 kind=rollback held_size=3 got_size=2" "$T_DIR/log01"
cat >"$T_DIR/evid.py" <<'EOP'
import sqlite3, sys
db = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True)
row = db.execute("SELECT held, got FROM witness_alarms WHERE kind = ? ORDER BY seq LIMIT 1", (sys.argv[2],)).fetchone()
ok = row is not None and bytes(row[0]) == open(sys.argv[3], 'rb').read() and bytes(row[1]) == open(sys.argv[4], 'rb').read()
print('same' if ok else 'DIFFERENT'); sys.exit(0 if ok else 1)
EOP
t_expect 0 "the alarm keeps both checkpoints' exact bytes (held size 3, got size 2)" \
    /usr/bin/python3 "$T_DIR/evid.py" "$M/01/node.db" rollback "$T_DIR/held3.xml" "$T_DIR/old2.xml"
sleep 2.2	# two more rounds against the same old checkpoint
alarms --format csv >"$T_DIR/alarms1b" 2>&1
t_expect 0 "a peer serving the same bad checkpoint raises one alarm, not one per round" \
    test "$(grep -c ',rollback,' "$T_DIR/alarms1b")" = 1
witnessed 3 && t_ok "01 still holds size 3 (the alarm does not replace it)" || t_fail "01 still holds size 3"

# --- consistent rewrite: a fresh database with other records, signed by 02 ----------------
nodes_stop 02
rm -f "$M/02/node.db"*
unit02
nodes_start 02 || exit 1
issue "Rewritten: nothing wrong was found." LVV-X-1 LVV-X-2 LVV-X-3
if nodes_wait 10 size02 3; then
	t_ok "the rewritten 02 signs its own checkpoint of size 3"
else
	t_fail "the rewritten 02 signs its own checkpoint of size 3"
fi
wait_alarm fork
issue "Rewritten: nothing wrong was found." LVV-X-4
nodes_wait 10 size02 4 || t_fail "the rewritten 02 signs a checkpoint of size 4"
wait_alarm bad-proof
alarms >"$T_DIR/alarms2" 2>&1
t_grep "audit alarms lists the fork" "$ID02 .*fork" "$T_DIR/alarms2"
t_grep "audit alarms lists the bad proof" "$ID02 .*bad-proof" "$T_DIR/alarms2"
alarms --format xml >"$T_DIR/alarms2.xml" 2>&1
t_grep "--format xml works" '<WitnessAlarms' "$T_DIR/alarms2.xml"
metrics01 >"$T_DIR/metrics2"
t_grep "/metrics counts the fork" "^lasteri_witness_alarms_total\{peer=\"$ID02\",kind=\"fork\"\} 1\$" "$T_DIR/metrics2"
t_grep "/metrics counts the bad proof" "^lasteri_witness_alarms_total\{peer=\"$ID02\",kind=\"bad-proof\"\} 1\$" "$T_DIR/metrics2"
if grep -q unreachable "$T_DIR/alarms2"; then t_fail "an outage is never an alarm" "$(cat "$T_DIR/alarms2")"; else t_ok "an outage is never an alarm"; fi
witnessed 3 && t_ok "01 still holds 02's genuine size-3 checkpoint" || t_fail "01 still holds 02's genuine size-3 checkpoint"
cmp -s "$T_DIR/wit.xml" "$T_DIR/held3.xml" && t_ok "(byte for byte)" || t_fail "(byte for byte)"
if /usr/bin/python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
try:
    db.execute("UPDATE witness_alarms SET kind = ?", ("fork",)); db.commit()
except sqlite3.DatabaseError as e:
    print(e); sys.exit(0)
sys.exit(1)' "$M/01/node.db" >"$T_DIR/upd.out" 2>&1; then
	t_grep "the alarms table refuses to be rewritten" 'witness alarms are kept' "$T_DIR/upd.out"
else
	t_fail "the alarms table refuses to be rewritten" "$(cat "$T_DIR/upd.out")"
fi

# --- bad signature: a stand-in at 02's endpoint (with 02's TLS key) serves 02's
# genuine size-3 checkpoint with one character of its SignatureValue changed --
nodes_stop 02
/usr/bin/python3 - "$T_DIR/held3.xml" "$T_DIR/forged.xml" <<'EOP'
import re, sys
d = open(sys.argv[1], 'rb').read()
m = re.search(rb'<(?:\w+:)?SignatureValue[^>]*>\s*(.)', d)
i = m.start(1)
open(sys.argv[2], 'wb').write(d[:i] + (b'B' if d[i:i + 1] != b'B' else b'C') + d[i + 1:])
EOP
cat >"$T_DIR/serve.py" <<'EOP'
import http.server, ssl, sys
body = open(sys.argv[2], 'rb').read()
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header('Content-Type', 'application/xml')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), H)
c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
c.load_cert_chain(sys.argv[3], sys.argv[4])
s.socket = c.wrap_socket(s.socket, server_side=True)
open(sys.argv[5], 'w').close()
s.serve_forever()
EOP
/usr/bin/python3 "$T_DIR/serve.py" "$(nodes_port 02)" "$T_DIR/forged.xml" "$M/02/tls.crt" "$M/02/tls.key" \
    "$T_DIR/serving" 2>"$T_DIR/serve.log" &
SERVE_PID=$!
nodes_wait 10 test -f "$T_DIR/serving" || t_fail "the stand-in listens" "$(cat "$T_DIR/serve.log")"
wait_alarm bad-signature
kill "$SERVE_PID" 2>/dev/null
wait "$SERVE_PID" 2>/dev/null
metrics01 >"$T_DIR/metrics3"
t_grep "/metrics counts the bad signature" "^lasteri_witness_alarms_total\{peer=\"$ID02\",kind=\"bad-signature\"\} 1\$" "$T_DIR/metrics3"
t_expect 0 "the alarm keeps the forged bytes beside the held checkpoint" \
    /usr/bin/python3 "$T_DIR/evid.py" "$M/01/node.db" bad-signature "$T_DIR/held3.xml" "$T_DIR/forged.xml"
witnessed 3 && cmp -s "$T_DIR/wit.xml" "$T_DIR/held3.xml" && t_ok "01 still holds 02's genuine checkpoint" ||
    t_fail "01 still holds 02's genuine checkpoint"
nodes_stop 01
nodes_stop lvv
t_finish
