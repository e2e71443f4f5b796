#!/bin/bash
# test_ingest.sh - group commit of received records (node/ingest.h, issue
# 11's ingest target): records that peers deliver at the same time are
# stored in one transaction, each with its transparency-log leaf, and each
# answered only after that commit.
#  1. 48 deliveries over 12 connections at once: every one 201, every
#     record stored with one leaf whose hash is SHA-256(0x00 || its bytes),
#     the leaves numbered 0..n-1, fewer commits than records
#     (lasteri_records_commits_total), and the restarted node's start check
#     (the tree against its latest signed checkpoint) passes.
#  2. One batch holding new records, a record stored before (200
#     duplicate), another document under a stored Id (409), the same new
#     record twice (201 and 200) and two documents under one new Id (201 and
#     409): each gets its own answer and the others are stored.
#  3. SIGTERM while a batch is pending: every request already sent is
#     answered 201 and stored (the drain commits the batch).
#  4. kill -9 in the middle of deliveries: after a restart every record
#     answered 201 is there with its leaf; the rest deliver again.
#  5. A record the store refuses (500 alone) and a batch whose transaction
#     is undone (500 for all of it, nothing stored).
#  6. Checkpoints signed on the loop's connection while the worker commits
#     (ingest.h's lock story): all succeed, the log stays consistent; the
#     live search data counts every stored visit (each added once, from its brief).
#  7. The loop's unit-region cache (store.c) after records flowed: a unit
#     imported through the node then takes records (it was refused
#     before), and a unit whose records were taken, imported again with
#     another home region, is refused from then on (not-this-region,
#     naming the new region).
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/nodes.sh"
export LC_ALL=C		# sort and comm compare as Python sorts

DSIG_TOOL=$TOP_BUILDDIR/tests/dsig_tool
for tool in curl openssl /usr/bin/python3; do
	command -v $tool >/dev/null 2>&1 || { echo "skip: $tool is not installed"; exit 77; }
done
/usr/bin/python3 -c 'import sqlite3, ssl' 2>/dev/null ||
    { echo "skip: python3 has no sqlite3 or ssl module"; exit 77; }
[ -x "$LASTERID" ] || { echo "FAIL - $LASTERID is not built"; exit 1; }
trap 'nodes_stop_all; t_cleanup' EXIT

NODES_DIR=$T_DIR/fed
BASE=$(nodes_free_base 5) || { echo "FAIL - no free port base"; exit 1; }
"$LASTERI" pki init "$NODES_DIR" --regions 2 --trustlist --port-base "$BASE" \
    >"$T_DIR/pki.log" 2>&1 || { echo "FAIL - pki init: $(tail -n 3 "$T_DIR/pki.log")"; exit 1; }
M=$NODES_DIR/members
nodes_conf 02 "[log]
checkpoint_interval = 1s"
DB=$M/02/node.db
PORT=$(nodes_port 02)
unit() {	# unit ID
	sed -e "s/Id=\"SOTERI-08-0003\"/Id=\"$1\"/" -e "s/>08</>02</g" \
	    -e "s/<Municipality>837</<Municipality>186</" "$TOP_SRCDIR/tests/data/unit-08-0003.xml"
}
for u in 1 2 3 4 5 6 7 8; do unit "UNIT-$u"; done |
    sed -e '1!{/^<?xml/d}' -e '/<!--/d' |
    awk 'NR == 1 { print; print "<Dataset xmlns=\"urn:lasteri:1\" region=\"02\">"; next }
	{ sub(/<Unit xmlns="urn:lasteri:1"/, "<Unit"); print } END { print "</Dataset>" }' >"$T_DIR/units.xml"
"$LASTERI" import --db "$DB" --region 02 "$T_DIR/units.xml" >"$T_DIR/imp.log" 2>&1 ||
    { echo "FAIL - units for node 02: $(cat "$T_DIR/imp.log")"; exit 1; }
nodes_start 02 || exit 1

# signed ID [TEXT [OUT [UNIT]]]: $T_DIR/rec/ID.signed (or OUT.signed), a
# record lvv signed (TEXT makes another document under the same Id), about
# UNIT (default UNIT-1..8 by the Id's number).
mkdir -p "$T_DIR/rec"
signed() {
	local n=${1##*-}
	cat >"$T_DIR/rec/$1.xml" <<EOR
<?xml version="1.0" encoding="UTF-8"?>
<SupervisionRecord xmlns="urn:lasteri:1" Id="$1">
  <Kind>inspection-unannounced</Kind>
  <Unit>${4:-UNIT-$((1 + n % 8))}</Unit>
  <UnitRegion>02</UnitRegion>
  <ProviderBusinessId>2345678-0</ProviderBusinessId>
  <Issuer>LVV</Issuer>
  <Opened>2026-09-02</Opened>
  <VisitDate>2026-09-15</VisitDate>
  <Announced>false</Announced>
  <Finding category="staffing-level" severity="medium">${2:-One instructor on two night shifts.}</Finding>
  <Status>follow-up</Status>
  <PublicSummary>Night staffing needs correcting.</PublicSummary>
  <Issued>2026-09-20T10:00:00Z</Issued>
</SupervisionRecord>
EOR
	"$DSIG_TOOL" sign "$M/lvv/sign.key" "$M/lvv/sign.crt" "$T_DIR/rec/$1.xml" \
	    "$T_DIR/rec/${3:-$1}.signed" >/dev/null 2>&1 || t_fail "lvv signs $1"
}

# deliver.py [--barrier] [--par N] [--signal PID SIG AFTER] OUT FILE...:
# POSTs each FILE to node 02's /v1/records with lvv's certificate, N
# connections at once (default 12).  --barrier: one connection per file,
# all connected first, then every request sent at the same moment.
# --signal: sends SIG to PID once AFTER answers have come (AFTER 0: as
# soon as every request of the barrier has been sent).  OUT gets "FILE
# STATUS" per file, 0 when no answer came.
cat >"$T_DIR/deliver.py" <<'EOP'
import http.client, os, queue, signal, ssl, sys, threading, time
args = sys.argv[1:]
barrier = par = sig = None
if args[0] == '--barrier':
    barrier = True; args = args[1:]
par = 12
if args[0] == '--par':
    par = int(args[1]); args = args[2:]
if args[0] == '--signal':
    sig = (int(args[1]), getattr(signal, 'SIG' + args[2]), int(args[3])); args = args[4:]
port, cert, key, out, files = int(args[0]), args[1], args[2], args[3], args[4:]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.load_cert_chain(cert, key)
status = {}
lock = threading.Lock()
answered = threading.Condition(lock)
def conn():
    c = http.client.HTTPSConnection('127.0.0.1', port, context=ctx, timeout=15)
    c.connect()
    return c
def post(c, f):
    body = open(f, 'rb').read()
    c.request('POST', '/v1/records', body, {'Content-Type': 'application/xml'})
    return c
def answer(c, f):
    try:
        r = c.getresponse(); r.read(); code = r.status
    except Exception:
        code = 0
    with lock:
        status[f] = code
        answered.notify_all()
    return code
def kill_when(n):
    with lock:
        answered.wait_for(lambda: len(status) >= n, timeout=30)
    os.kill(sig[0], sig[1])
if barrier:
    bar = threading.Barrier(len(files) + 1)
    sent = threading.Barrier(len(files) + 1)
    def one(f):
        c = None
        try:
            c = conn(); bar.wait(10); post(c, f)
        except Exception:
            pass
        try:
            sent.wait(10)
        except Exception:
            pass
        if c is not None:
            answer(c, f)
        else:
            with lock:
                status[f] = 0
    ts = [threading.Thread(target=one, args=(f,)) for f in files]
    for t in ts: t.start()
    try:
        bar.wait(10); sent.wait(10)
    except threading.BrokenBarrierError:
        pass
    if sig and sig[2] == 0:
        os.kill(sig[0], sig[1])
else:
    q = queue.Queue()
    for f in files: q.put(f)
    def worker():
        c = None
        while True:
            try:
                f = q.get_nowait()
            except queue.Empty:
                return
            try:
                if c is None: c = conn()
                post(c, f)
            except Exception:
                c = None
                with lock:
                    status[f] = 0
                continue
            if answer(c, f) == 0: c = None
    ts = [threading.Thread(target=worker) for _ in range(par)]
    for t in ts: t.start()
    if sig:
        threading.Thread(target=kill_when, args=(sig[2],), daemon=True).start()
for t in ts: t.join(60)
with open(out, 'w') as o:
    for f in files:
        o.write('%s %d\n' % (os.path.basename(f), status.get(f, 0)))
EOP
deliver() { /usr/bin/python3 "$T_DIR/deliver.py" "$@"; }
lvv_deliver() {	# lvv_deliver [OPTIONS] OUT FILE...
	local opts=()
	while [ "${1#--}" != "$1" ]; do
		case $1 in
		--barrier) opts+=("$1"); shift ;;
		--par) opts+=("$1" "$2"); shift 2 ;;
		--signal) opts+=("$1" "$2" "$3" "$4"); shift 4 ;;
		esac
	done
	deliver "${opts[@]}" "$PORT" "$M/lvv/tls.crt" "$M/lvv/tls.key" "$@"
}

# check.py DB: the stored records against the log, as an auditor would
# (RFC 9162, no code shared with the node): leaves 0..n-1, one per signed
# record, each hash SHA-256(0x00 || the record's stored bytes), and the root
# of the latest checkpoint's size equal to its stored root.  Prints the ids.
cat >"$T_DIR/check.py" <<'EOP'
import hashlib, sqlite3, sys
db = sqlite3.connect('file:%s?mode=ro' % sys.argv[1], uri=True)
H = lambda *p: hashlib.sha256(b''.join(p)).digest()
def mth(h):
    if len(h) == 1: return h[0]
    k = 1
    while k * 2 < len(h): k *= 2
    return H(b'\x01', mth(h[:k]), mth(h[k:]))
recs = {i: x for i, x in db.execute("SELECT id, xml FROM supervision_records WHERE signer IS NOT NULL")}
leaves = db.execute('SELECT idx, record_id, hash FROM tlog_leaves ORDER BY idx').fetchall()
bad = []
if [l[0] for l in leaves] != list(range(len(leaves))): bad.append('leaf indexes are not 0..n-1')
if sorted(l[1] for l in leaves) != sorted(recs): bad.append('leaves %d, signed records %d' % (len(leaves), len(recs)))
for idx, rid, h in leaves:
    if rid not in recs or H(b'\x00', bytes(recs[rid])) != h: bad.append('leaf %d (%s): hash' % (idx, rid))
cp = db.execute('SELECT size, root FROM tlog_checkpoints ORDER BY seq DESC LIMIT 1').fetchone()
if cp and cp[0] > 0 and mth([l[2] for l in leaves[:cp[0]]]) != cp[1]: bad.append('root of size %d' % cp[0])
if bad:
    print('BAD: ' + '; '.join(bad[:5])); sys.exit(1)
for rid in sorted(recs): print(rid)
EOP
check_db() { /usr/bin/python3 "$T_DIR/check.py" "$DB"; }
metric() {	# metric NAME: its value on node 02's /metrics
	curl -sS --max-time 10 --unix-socket "$M/02/admin.sock" http://lasteri/metrics |
	    awk -v n="$1" '$1 == n { print $2 + 0; f = 1 } END { if (!f) print 0 }'
}
# answered FILE STATUS: the files with that status in a deliver output
answered() { awk -v s="$2" '$2 == s { sub(/\.signed$/, "", $1); print $1 }' "$1" | sort; }
cp_covers() {	# cp_covers N: node 02 signed a checkpoint of size >= N
	grep -Eo 'event=checkpoint_signed id=[^ ]+ size=[0-9]+' "$M/02/log.start" |
	    awk -v n="$1" '{ sub(/.*size=/, ""); if ($0 + 0 >= n) f = 1 } END { exit !f }'
}

# --- 1. many deliveries at once -------------------------------------------
for i in $(seq 1 48); do signed "LVV-IN-$i"; done
c0=$(metric lasteri_records_commits_total)
lvv_deliver --par 12 "$T_DIR/d1" "$T_DIR"/rec/LVV-IN-*.signed
c1=$(metric lasteri_records_commits_total)
n201=$(answered "$T_DIR/d1" 201 | wc -l)
if [ "$n201" -eq 48 ]; then
	t_ok "48 deliveries over 12 connections at once: every one 201"
else
	t_fail "48 deliveries over 12 connections at once: every one 201" "$(awk '$2 != 201' "$T_DIR/d1" | head -n 5)"
fi
commits=$((c1 - c0))
if [ "$commits" -ge 1 ] && [ "$commits" -lt 48 ]; then
	t_ok "they were stored in fewer commits than records ($commits for 48)"
else
	t_fail "they were stored in fewer commits than records" "commits: $commits"
fi
nodes_wait 10 cp_covers 48 || t_fail "node 02 signs a checkpoint of size 48"
nodes_stop 02
if check_db >"$T_DIR/ids1" 2>&1 && [ "$(grep -c '^LVV-IN-' "$T_DIR/ids1")" -eq 48 ]; then
	t_ok "all 48 are stored, each with its leaf; the leaves and the signed root agree"
else
	t_fail "all 48 are stored, each with its leaf; the leaves and the signed root agree" "$(head -n 3 "$T_DIR/ids1")"
fi
if nodes_start 02; then
	t_ok "the node restarts: its start check finds the tree and the checkpoint consistent"
else
	t_fail "the node restarts: its start check finds the tree and the checkpoint consistent"
	exit 1
fi

# --- 2. one batch, each record its own answer -------------------------------
for i in $(seq 101 108); do signed "LVV-IN-$i"; done
cp "$T_DIR/rec/LVV-IN-101.signed" "$T_DIR/rec/LVV-IN-101-again.signed"
signed LVV-IN-109 "Two documents under one new Id (first)."
signed LVV-IN-109 "Two documents under one new Id (second)." LVV-IN-109-other
signed LVV-IN-1 "Not what was stored under LVV-IN-1." LVV-IN-1-other
B2=$(for f in LVV-IN-101 LVV-IN-102 LVV-IN-103 LVV-IN-104 LVV-IN-105 LVV-IN-106 \
    LVV-IN-107 LVV-IN-108 LVV-IN-101-again LVV-IN-109 LVV-IN-109-other LVV-IN-2 \
    LVV-IN-1-other; do echo "$T_DIR/rec/$f.signed"; done)
c0=$(metric lasteri_records_commits_total)
# shellcheck disable=SC2086
lvv_deliver --barrier "$T_DIR/d2" $B2
c1=$(metric lasteri_records_commits_total)
echo "  (the 13 deliveries took $((c1 - c0)) commit(s))"
st() { awk -v f="$1.signed" '$1 == f { print $2 }' "$T_DIR/d2"; }
ok=1
for i in 102 103 104 105 106 107 108; do [ "$(st LVV-IN-$i)" = 201 ] || ok=0; done
if [ $ok = 1 ]; then
	t_ok "the new records of the batch are stored (201)"
else
	t_fail "the new records of the batch are stored (201)" "$(cat "$T_DIR/d2")"
fi
pair="$(st LVV-IN-101) $(st LVV-IN-101-again)"
case $pair in
"201 200" | "200 201") t_ok "the same new record twice in one batch: 201 and 200 (duplicate)" ;;
*) t_fail "the same new record twice in one batch: 201 and 200 (duplicate)" "got $pair" ;;
esac
pair="$(st LVV-IN-109) $(st LVV-IN-109-other)"
case $pair in
"201 409" | "409 201") t_ok "two documents under one new Id in one batch: 201 and 409 (conflict)" ;;
*) t_fail "two documents under one new Id in one batch: 201 and 409 (conflict)" "got $pair" ;;
esac
[ "$(st LVV-IN-2)" = 200 ] && t_ok "a record stored before: 200 (duplicate)" ||
    t_fail "a record stored before: 200 (duplicate)" "got $(st LVV-IN-2)"
[ "$(st LVV-IN-1-other)" = 409 ] && t_ok "another document under a stored Id: 409 (conflict)" ||
    t_fail "another document under a stored Id: 409 (conflict)" "got $(st LVV-IN-1-other)"
nodes_log 02 >"$T_DIR/log02"
t_grep "the conflict is logged with its reason" 'event=record_conflict record=LVV-IN-1 .*a different document is already stored' "$T_DIR/log02"

# --- 3. SIGTERM while a batch is pending ------------------------------------
for i in $(seq 201 212); do signed "LVV-IN-$i"; done
lvv_deliver --barrier --signal "$(nodes_pid 02)" TERM 0 "$T_DIR/d3" "$T_DIR"/rec/LVV-IN-2[01][0-9].signed
nodes_stop 02
if [ "$(answered "$T_DIR/d3" 201 | wc -l)" -eq 12 ]; then
	t_ok "SIGTERM with a batch pending: all 12 requests sent are answered 201"
else
	t_fail "SIGTERM with a batch pending: all 12 requests sent are answered 201" "$(tr '\n' ' ' <"$T_DIR/d3")"
fi
check_db >"$T_DIR/ids3" 2>&1
if ! grep -q '^BAD' "$T_DIR/ids3" &&
    [ -z "$(comm -23 <(answered "$T_DIR/d3" 201) "$T_DIR/ids3")" ]; then
	t_ok "every record answered 201 before the stop is stored with its leaf"
else
	t_fail "every record answered 201 before the stop is stored with its leaf" \
	    "$(head -n 2 "$T_DIR/ids3"; comm -23 <(answered "$T_DIR/d3" 201) "$T_DIR/ids3" | head -n 3)"
fi

# --- 4. kill -9 in the middle -------------------------------------------------
nodes_start 02 || exit 1
for i in $(seq 301 360); do signed "LVV-IN-$i"; done
lvv_deliver --par 8 --signal "$(nodes_pid 02)" KILL 20 "$T_DIR/d4" "$T_DIR"/rec/LVV-IN-3[0-6][0-9].signed
nodes_stop 02 KILL
got=$(answered "$T_DIR/d4" 201 | wc -l)
check_db >"$T_DIR/ids4" 2>&1
if ! grep -q '^BAD' "$T_DIR/ids4" && [ "$got" -ge 20 ] &&
    [ -z "$(comm -23 <(answered "$T_DIR/d4" 201) "$T_DIR/ids4")" ]; then
	t_ok "kill -9 during deliveries: all $got records answered 201 are stored with their leaves"
else
	t_fail "kill -9 during deliveries: every record answered 201 is stored with its leaf" \
	    "201s: $got; $(head -n 2 "$T_DIR/ids4"; comm -23 <(answered "$T_DIR/d4" 201) "$T_DIR/ids4" | head -n 3)"
fi
if nodes_start 02; then
	t_ok "the node restarts after kill -9 (its log is consistent)"
else
	t_fail "the node restarts after kill -9 (its log is consistent)"
	exit 1
fi
lvv_deliver --par 8 "$T_DIR/d5" "$T_DIR"/rec/LVV-IN-3[0-6][0-9].signed
if [ -z "$(awk '$2 != 201 && $2 != 200' "$T_DIR/d5")" ] &&
    [ -z "$(comm -12 <(answered "$T_DIR/d4" 201) <(answered "$T_DIR/d5" 201))" ]; then
	t_ok "delivered again, the stored ones are duplicates (200) and the rest are stored (201)"
else
	t_fail "delivered again, the stored ones are duplicates (200) and the rest are stored (201)" \
	    "$(awk '$2 != 201 && $2 != 200' "$T_DIR/d5" | head -n 3)"
fi
nodes_stop 02
check_db >"$T_DIR/ids5" 2>&1
if ! grep -q '^BAD' "$T_DIR/ids5" && [ "$(grep -c '^LVV-IN-3[0-9][0-9]$' "$T_DIR/ids5")" -eq 60 ]; then
	t_ok "all 60 are stored once, each with its leaf"
else
	t_fail "all 60 are stored once, each with its leaf" "$(head -n 2 "$T_DIR/ids5")"
fi

# --- 5. a record the store refuses, and a batch whose commit fails ----------
# Triggers added to the stopped node's database make the store refuse one
# record (ABORT: that put fails, its savepoint is undone) and undo a whole
# transaction (ROLLBACK: as an I/O error would).
cat >"$T_DIR/triggers.py" <<'EOP'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("""
CREATE TRIGGER test_refuse BEFORE INSERT ON supervision_records
WHEN NEW.id = 'LVV-IN-401' BEGIN SELECT RAISE(ABORT, 'test: refused'); END;
CREATE TRIGGER test_undo BEFORE INSERT ON supervision_records
WHEN NEW.id = 'LVV-IN-411' BEGIN SELECT RAISE(ROLLBACK, 'test: undone'); END;
""")
EOP
/usr/bin/python3 "$T_DIR/triggers.py" "$DB" || t_fail "adding the test triggers"
nodes_start 02 || exit 1
for i in $(seq 401 406) $(seq 411 416) $(seq 422 426) $(seq 432 436); do signed "LVV-IN-$i"; done
lvv_deliver --barrier "$T_DIR/d6" "$T_DIR"/rec/LVV-IN-40[1-6].signed
# LVV-IN-411 with five others sent at once; a slow machine may check it
# alone into a batch of its own (the window is 2 ms): then, as nothing of
# it was stored, it goes again with five new ones (at most three times).
: >"$T_DIR/d7all"
for k in 1 2 3; do
	lvv_deliver --barrier "$T_DIR/d7" "$T_DIR"/rec/LVV-IN-411.signed \
	    "$T_DIR"/rec/LVV-IN-4${k}[2-6].signed
	cat "$T_DIR/d7" >>"$T_DIR/d7all"
	[ "$(awk '$2 == 500' "$T_DIR/d7" | wc -l)" -ge 2 ] && break
done
nodes_stop 02
check_db >"$T_DIR/ids6" 2>&1
s6=$(awk '{ printf "%s ", $2 }' "$T_DIR/d6")
if [ "$s6" = "500 201 201 201 201 201 " ] && ! grep -q '^LVV-IN-401$' "$T_DIR/ids6" &&
    [ "$(grep -c '^LVV-IN-40[2-6]$' "$T_DIR/ids6")" -eq 5 ]; then
	t_ok "a record the store refuses gets 500 alone; the others of its batch are stored"
else
	t_fail "a record the store refuses gets 500 alone; the others of its batch are stored" "answers: $s6"
fi
s7=$(awk '$2 == 500' "$T_DIR/d7" | wc -l)
if [ "$(awk '$1 == "LVV-IN-411.signed" { print $2 }' "$T_DIR/d7")" = 500 ] && [ "$s7" -ge 2 ] &&
    [ -z "$(comm -12 <(answered "$T_DIR/d7" 500) "$T_DIR/ids6")" ] &&
    [ -z "$(comm -23 <(answered "$T_DIR/d7all" 201) "$T_DIR/ids6")" ]; then
	t_ok "a batch whose transaction is undone: its $s7 records all get 500, none is stored"
else
	t_fail "a batch whose transaction is undone: its records all get 500, none is stored" \
	    "$(tr '\n' ' ' <"$T_DIR/d7")"
fi
grep -q '^BAD' "$T_DIR/ids6" && t_fail "the log stays consistent" "$(head -n 1 "$T_DIR/ids6")"

# --- 6. the loop's own writes while the worker commits, and the search data --
# The loop's connection signs checkpoints on demand (POST
# /admin/v1/log/checkpoint) while the worker commits batches on its own
# connection: both write (SQLite's one write lock, ingest.h), neither fails
# or waits for ever, and the log stays consistent.  Then the live search
# data (statistics through the socket) counts every visit the store holds:
# each unit's summary is applied once per batch, after its commit.
for i in $(seq 501 548); do signed "LVV-IN-$i"; done
nodes_start 02 || exit 1
(
	for _ in $(seq 1 15); do
		curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 --unix-socket "$M/02/admin.sock" \
		    -X POST http://lasterid/admin/v1/log/checkpoint
	done >"$T_DIR/cps"
) &
cps_pid=$!
lvv_deliver --par 12 "$T_DIR/d8" "$T_DIR"/rec/LVV-IN-5[0-4][0-9].signed
wait "$cps_pid"
n201=$(answered "$T_DIR/d8" 201 | wc -l)
ncp=$(grep -c '^201$' "$T_DIR/cps")
if [ "$n201" -eq 48 ] && [ "$ncp" -eq 15 ]; then
	t_ok "checkpoints signed on the loop during 48 deliveries: all 15 signed, all 48 stored (201)"
else
	t_fail "checkpoints signed on the loop during 48 deliveries: all 15 signed, all 48 stored (201)" \
	    "201s: $n201, checkpoints: $(sort "$T_DIR/cps" | uniq -c | tr '\n' ' ')"
fi
visits() {	# visits ARGS: region 02's visits in lasteri stats ARGS
	"$LASTERI" stats "$@" --table supervision --format csv --threshold 1 2>&1 |
	    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "visits") c = i; next }
		$1 ~ /02/ && c { print $c; exit }'
}
live=$(visits -s "$M/02/admin.sock")
stored=$(visits --db "$DB")
if [ -n "$live" ] && [ "$live" = "$stored" ] && [ "$stored" -ge 48 ] 2>/dev/null; then
	t_ok "the live search data counts every visit stored ($live)"
else
	t_fail "the live search data counts every visit stored" "live: $live, store: $stored"
fi
nodes_stop 02
check_db >"$T_DIR/ids8" 2>&1
if [ "$(grep -c '^LVV-IN-5[0-4][0-9]$' "$T_DIR/ids8")" -eq 48 ] && ! grep -q '^BAD' "$T_DIR/ids8" &&
    nodes_start 02; then
	t_ok "the log stays consistent and the node restarts (its latest checkpoint matches)"
else
	t_fail "the log stays consistent and the node restarts (its latest checkpoint matches)" \
	    "$(grep -m 1 '^BAD' "$T_DIR/ids8")"
fi

# --- 7. the unit-region cache after records flowed ----------------------------
post1() {	# post1 ID: one delivery; prints STATUS BODY
	curl -sk --max-time 20 --cert "$M/lvv/tls.crt" --key "$M/lvv/tls.key" \
	    -H 'Content-Type: application/xml' --data-binary @"$T_DIR/rec/$1.signed" \
	    -w ' %{http_code}' "https://127.0.0.1:$PORT/v1/records" |
	    awk '{ b = b $0 } END { n = split(b, f, " "); printf "%s %s\n", f[n], b }'
}
signed LVV-IN-601 "" "" UNIT-9
signed LVV-IN-602 "" "" UNIT-3
signed LVV-IN-603 "" "" UNIT-9
signed LVV-IN-604 "" "" UNIT-3
r1=$(post1 LVV-IN-601) r2=$(post1 LVV-IN-602)
case $r1 in 422*not-this-region*UNIT-9*) ;; *) t_fail "a record about a unit not stored is refused" "$r1" ;; esac
case $r2 in 201*) ;; *) t_fail "a record about UNIT-3 (region 02) is stored" "$r2" ;; esac
{ unit UNIT-9; unit UNIT-3 | sed -e 's|<HomeRegion>02</HomeRegion>|<HomeRegion>08</HomeRegion>|'; } |
    sed -e '1!{/^<?xml/d}' -e '/<!--/d' |
    awk 'NR == 1 { print; print "<Dataset xmlns=\"urn:lasteri:1\" region=\"02\">"; next }
	{ sub(/<Unit xmlns="urn:lasteri:1"/, "<Unit"); print } END { print "</Dataset>" }' >"$T_DIR/units7.xml"
grep -q '<HomeRegion>08</HomeRegion>' "$T_DIR/units7.xml" || t_fail "UNIT-3 moves to region 08 in units7.xml"
"$LASTERI" import -s "$M/02/admin.sock" --allow-foreign-units "$T_DIR/units7.xml" \
    >"$T_DIR/imp7.log" 2>&1 || t_fail "units imported through node 02" "$(cat "$T_DIR/imp7.log")"
r3=$(post1 LVV-IN-603)
case $r3 in
201*) t_ok "a unit imported through the node after records flowed takes records" ;;
*) t_fail "a unit imported through the node after records flowed takes records" "$r3" ;;
esac
r4=$(post1 LVV-IN-604)
case $r4 in
422*not-this-region*"UNIT-3 is in region 08"*)
	t_ok "a unit moved to region 08 after its records were taken is refused from then on" ;;
*) t_fail "a unit moved to region 08 after its records were taken is refused from then on" "$r4" ;;
esac
nodes_stop 02

t_finish
