#!/bin/bash
# test_import_live.sh - issue 14: an import through the node runs off the
# event loop.  While a large import runs, /health keeps answering at once,
# a second import and a record a peer delivers are answered 503 with
# Retry-After (the store takes no other writes until the import ends), the
# peer's outbox delivers the record again afterwards, so it is stored after
# the import and never lost, and the CLI reports the import honestly even
# when it takes longer than request_timeout.  An import that fails leaves
# nothing behind and the record received around it in place.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/nodes.sh"

command -v curl >/dev/null 2>&1 || { echo "skip: curl is not installed"; exit 77; }
[ -x "$LASTERID" ] || { echo "FAIL - $LASTERID is not built"; exit 1; }
IMP_PID=
trap '[ -n "$IMP_PID" ] && kill "$IMP_PID" 2>/dev/null; nodes_stop_all; t_cleanup' EXIT

NODES_DIR=$T_DIR/fed
BASE=$(nodes_free_base 3) || { echo "FAIL - no free port base"; exit 1; }
"$LASTERI" pki init "$NODES_DIR" --regions 1 --trustlist --port-base "$BASE" \
    >"$T_DIR/pki.log" 2>&1 || { echo "FAIL - pki init: $(tail -n 3 "$T_DIR/pki.log")"; exit 1; }
M=$NODES_DIR/members
nodes_conf 01
# An import longer than request_timeout is still answered (the CLI used to
# say "nothing imported" of one that had committed).
nodes_set 01 limits request_timeout 200ms
nodes_set 01 admin admin_body_max 256MiB
nodes_conf lvv "[outbox]
outbox_retry_min = 200ms
outbox_retry_max = 1s"
SOCK=$M/01/admin.sock
LVV=$M/lvv/admin.sock
LOG=$M/01/log.start

# A (with records) is in the database at start; B (six copies of a
# data set under other Ids, no records: large enough to take a while) is
# imported through the node; C is B again under other Ids, with a
# duplicate unit at the very end of its last file, so it fails after it
# has put everything else.
"$LASTERI" sample --region 01 --scale 1 --seed 1 --out "$T_DIR/a" >/dev/null 2>&1 &&
    "$LASTERI" sample --region 01 --scale 8 --seed 2 --no-records --out "$T_DIR/b" >/dev/null 2>&1 ||
    { echo "FAIL - lasteri sample"; exit 1; }
# Six files each: the imports must outlast the checks run beside them
# (three files took 1.6-1.9 s under the sanitizers, a thin margin).
for i in 1 2 3 4 5 6; do
	sed -e "s/SOTERI-01-/SOTERI-01-B$i/g" -e "s/HANK-01-/HANK-01-B$i/g" "$T_DIR/b/01/dataset.xml" >"$T_DIR/b$i.xml"
	sed -e "s/SOTERI-01-/SOTERI-01-C$i/g" -e "s/HANK-01-/HANK-01-C$i/g" "$T_DIR/b/01/dataset.xml" >"$T_DIR/c$i.xml"
done
/usr/bin/python3 - "$T_DIR/c6.xml" <<'EOF' || { echo "FAIL - making c6.xml"; exit 1; }
import re, sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read()
units = re.findall(r"<Unit .*?</Unit>", s, re.S)
last = units[-1]
s = s.replace(last, last + "\n  " + units[0], 1)
open(p, "w", encoding="utf-8").write(s)
EOF
"$LASTERI" import --db "$M/01/node.db" "$T_DIR/a/01/dataset.xml" >"$T_DIR/imp.log" 2>&1 ||
    { echo "FAIL - import A: $(cat "$T_DIR/imp.log")"; exit 1; }
NB=$(( $(grep -c '<Unit ' "$T_DIR/b1.xml") * 6 ))

nodes_start 01 || exit 1
nodes_start lvv || exit 1

units_stored() {	# the number of units node 01's capacity table counts
	"$LASTERI" stats -s "$SOCK" --table capacity 2>/dev/null |
	    sed -n 's/^total  *all  *\([0-9]*\) .*/\1/p'
}
NA=$(units_stored)
[ -n "$NA" ] && [ "$NA" -gt 0 ] || { echo "FAIL - node 01 counts no units ('$NA')"; exit 1; }

# record ID UNIT: an open record by LVV about one of 01's units.
record() {
	cat <<EOR
<?xml version="1.0" encoding="UTF-8"?>
<SupervisionRecord xmlns="urn:lasteri:1" Id="$1">
  <Kind>inspection-unannounced</Kind>
  <Unit>$2</Unit>
  <UnitRegion>01</UnitRegion>
  <ProviderBusinessId>2345678-0</ProviderBusinessId>
  <Issuer>LVV</Issuer>
  <Opened>$(date -u +%Y-%m-%d)</Opened>
  <VisitDate>$(date -u +%Y-%m-%d)</VisitDate>
  <Announced>false</Announced>
  <Finding category="restrictive-measures" severity="high">Restraint without a decision.</Finding>
  <Status>open</Status>
  <PublicSummary>Restrictive measures need correcting.</PublicSummary>
  <Issued>$(date -u +%Y-%m-%dT%H:%M:%SZ)</Issued>
</SupervisionRecord>
EOR
}
UNIT=$(sed -n 's/.*<Unit Id="\(SOTERI-01-[^"]*\)".*/\1/p' "$T_DIR/a/01/dataset.xml" | head -n 1)
[ -n "$UNIT" ] || { echo "FAIL - no unit in data set A"; exit 1; }
started() { [ "$(grep -c 'event=import_started ' "$LOG")" -ge "$1" ]; }
finished() { [ "$(grep -Ec 'event=import(_refused)? ' "$LOG")" -ge "$1" ]; }
arrived() { grep -q "event=record_stored record=$1 " "$LOG"; }

# LVV-PRE, issued at lvv and delivered before any import: its signed
# bytes are what lvv posts during the imports (a write like any other).
record LVV-PRE "$UNIT" >"$T_DIR/pre.xml"
"$LASTERI" supervision issue "$T_DIR/pre.xml" -s "$LVV" >"$T_DIR/issue.pre" 2>&1 ||
    { echo "FAIL - lvv issues LVV-PRE: $(cat "$T_DIR/issue.pre")"; exit 1; }
nodes_wait 20 arrived LVV-PRE || { echo "FAIL - LVV-PRE not delivered"; exit 1; }
curl -s --max-time 10 --unix-socket "$LVV" -o "$T_DIR/pre.signed" http://lasterid/v1/records/LVV-PRE

# during N ID: while import number N runs, /health five times, lvv posts a
# record straight to 01's federation port, a second import, and record ID
# issued at lvv (whose outbox delivers it to 01).
during() {
	local n=$1 id=$2 i code
	nodes_wait 10 started "$n" || t_fail "the node logged import $n's start" "$(tail -n 3 "$LOG")"
	: >"$T_DIR/health.$n"
	for i in 1 2 3 4 5; do
		curl -s --max-time 20 --unix-socket "$SOCK" -o /dev/null \
		    -w '%{http_code} %{time_total}\n' http://lasterid/health >>"$T_DIR/health.$n"
	done
	nodes_curl lvv 01 /v1/records "$T_DIR/post.$n" -D "$T_DIR/post.$n.h" \
	    -H 'Content-Type: application/xml' --data-binary @"$T_DIR/pre.signed" \
	    >"$T_DIR/post.$n.code"
	code=$(curl -s --max-time 20 --unix-socket "$SOCK" -o "$T_DIR/second.$n" \
	    -w '%{http_code}' -H 'Content-Type: application/xml' \
	    --data-binary @"$T_DIR/a/01/dataset.xml" http://lasterid/admin/v1/import)
	echo "$code" >"$T_DIR/second.$n.code"
	# The checks above ran while the import did (else they prove nothing).
	! finished "$n" || echo "the import ended first" >"$T_DIR/late.$n"
	record "$id" "$UNIT" >"$T_DIR/$id.xml"
	"$LASTERI" supervision issue "$T_DIR/$id.xml" -s "$LVV" >"$T_DIR/issue.$n" 2>&1 ||
	    t_fail "lvv issues $id" "$(cat "$T_DIR/issue.$n")"
	curl -s --max-time 10 --unix-socket "$LVV" -o "$T_DIR/$id.signed" \
	    "http://lasterid/v1/records/$id"
}

# --- an import that succeeds -------------------------------------------------
t0=$(date +%s%N)
"$LASTERI" import -s "$SOCK" "$T_DIR"/b[1-6].xml >"$T_DIR/imp.b" 2>&1 &
IMP_PID=$!
during 1 LVV-IMP-1
wait "$IMP_PID"
rc=$?
IMP_PID=
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ ! -e "$T_DIR/late.1" ] && t_ok "the checks below ran while the import did (${ms} ms)" ||
    t_fail "the checks below ran while the import did" "it took only ${ms} ms"
[ "$rc" = 0 ] && grep -q "^imported $NB units" "$T_DIR/imp.b" &&
    t_ok "the import through the node says what it imported ($NB units, ${ms} ms, request_timeout 200 ms)" ||
    t_fail "the import through the node says what it imported" "exit $rc: $(cat "$T_DIR/imp.b")"
[ "$(units_stored)" = $((NA + NB)) ] && t_ok "node 01 holds A and B ($((NA + NB)) units)" ||
    t_fail "node 01 holds A and B" "$(units_stored) units"
max=$(awk '$1 == 200 { n++; if ($2 > m) m = $2 } END { if (n == 5) print m; else print "-" }' "$T_DIR/health.1")
[ -n "$max" ] && [ "$max" != - ] && awk -v m="$max" 'BEGIN { exit !(m < 1.0) }' &&
    t_ok "/health answered 200 five times during the import (slowest ${max} s)" ||
    t_fail "/health answered 200 five times during the import, each under 1 s" "$(cat "$T_DIR/health.1")"
if [ ! -e "$T_DIR/late.1" ]; then
	[ "$(cat "$T_DIR/second.1.code")" = 503 ] && grep -q 'code="busy"' "$T_DIR/second.1" &&
	    grep -q 'an import is running' "$T_DIR/second.1" &&
	    t_ok "a second import during it is answered 503: an import is running" ||
	    t_fail "a second import during it is answered 503" "$(cat "$T_DIR/second.1.code") $(cat "$T_DIR/second.1")"
	[ "$(cat "$T_DIR/post.1.code")" = 503 ] && grep -qi '^Retry-After: [0-9]' "$T_DIR/post.1.h" &&
	    t_ok "a record a peer posts during the import is answered 503 with Retry-After" ||
	    t_fail "a record a peer posts during the import is answered 503 with Retry-After" \
	    "$(cat "$T_DIR/post.1.code") $(cat "$T_DIR/post.1")"
fi
nodes_wait 20 arrived LVV-IMP-1 && t_ok "lvv's outbox delivered the record after the import: stored" ||
    t_fail "lvv's outbox delivered the record after the import" "$(nodes_log lvv | grep LVV-IMP-1 | tail -n 3)"
nodes_log lvv | grep -q 'event=outbox_retry record=LVV-IMP-1 .*reason="503' &&
    t_ok "lvv's first delivery during the import met 503 and was retried" ||
    { [ -e "$T_DIR/late.1" ] && echo "  (not checked: the import ended first)"; } ||
    t_fail "lvv's first delivery during the import met 503 and was retried" "$(nodes_log lvv | grep LVV-IMP-1)"
searched=$(curl -s --max-time 20 --unix-socket "$SOCK" 'http://lasterid/admin/v1/search?age=10&limit=1' |
    sed -n 's/^[0-9]* of \([0-9]*\) units matched.*/\1/p')
[ "$searched" = $((NA + NB)) ] && t_ok "the search after the import counts A and B" ||
    t_fail "the search after the import counts A and B" "'$searched'"

# --- an import that fails at its very end --------------------------------------
"$LASTERI" import -s "$SOCK" "$T_DIR"/c[1-6].xml >"$T_DIR/imp.c" 2>&1 &
IMP_PID=$!
during 2 LVV-IMP-2
wait "$IMP_PID"
rc=$?
IMP_PID=
[ "$rc" = 2 ] && grep -q 'nothing imported' "$T_DIR/imp.c" && grep -q 'SOTERI-01-C' "$T_DIR/imp.c" &&
    t_ok "an import with a duplicate unit at its end fails naming it: nothing imported" ||
    t_fail "an import with a duplicate unit at its end fails naming it" "exit $rc: $(cat "$T_DIR/imp.c")"
[ "$(units_stored)" = $((NA + NB)) ] && t_ok "the failed import left no unit behind" ||
    t_fail "the failed import left no unit behind" "$(units_stored) units"
nodes_wait 20 arrived LVV-IMP-2 && t_ok "the record delivered around the failed import is stored" ||
    t_fail "the record delivered around the failed import is stored" "$(nodes_log lvv | grep LVV-IMP-2 | tail -n 3)"
code=$(curl -s --max-time 10 --unix-socket "$SOCK" -o "$T_DIR/got" -w '%{http_code}' \
    http://lasterid/v1/records/LVV-IMP-1)
[ "$code" = 200 ] && cmp -s "$T_DIR/got" "$T_DIR/LVV-IMP-1.signed" &&
    t_ok "the record stored after the first import is still there, the same bytes" ||
    t_fail "the record stored after the first import is still there" "$code"
[ ! -e "$T_DIR/late.2" ] && [ "$(cat "$T_DIR/post.2.code")" = 503 ] &&
    t_ok "a record posted during the failing import was answered 503 too" ||
    t_fail "a record posted during the failing import was answered 503 too" \
    "$(cat "$T_DIR/late.2" 2>/dev/null) $(cat "$T_DIR/post.2.code")"
code=$(nodes_curl lvv 01 /v1/records "$T_DIR/post.3" -H 'Content-Type: application/xml' \
    --data-binary @"$T_DIR/pre.signed")
[ "$code" = 200 ] && grep -q 'status="duplicate"' "$T_DIR/post.3" &&
    t_ok "the same post after the imports: 200, already stored" ||
    t_fail "the same post after the imports: 200, already stored" "$code $(cat "$T_DIR/post.3")"
max=$(awk '$1 == 200 { n++; if ($2 > m) m = $2 } END { if (n == 5) print m; else print "-" }' "$T_DIR/health.2")
[ -n "$max" ] && [ "$max" != - ] && awk -v m="$max" 'BEGIN { exit !(m < 1.0) }' &&
    t_ok "/health answered during the failing import (slowest ${max} s)" ||
    t_fail "/health answered during the failing import" "$(cat "$T_DIR/health.2")"
# --- a signed record that does not verify: 422 bad-signature, not 500 ----------
sed 's/need correcting\./need correcting!/' "$T_DIR/pre.signed" >"$T_DIR/forged.xml"
cmp -s "$T_DIR/pre.signed" "$T_DIR/forged.xml" && t_fail "the forged copy differs from the signed record"
code=$(curl -s --max-time 20 --unix-socket "$SOCK" -o "$T_DIR/forged.out" -w '%{http_code}' \
    -H 'Content-Type: application/xml' --data-binary @"$T_DIR/forged.xml" \
    http://lasterid/admin/v1/import)
[ "$code" = 422 ] && grep -q 'code="bad-signature"' "$T_DIR/forged.out" &&
    t_ok "an import of a record whose signature does not verify is 422 bad-signature" ||
    t_fail "an import of a record whose signature does not verify is 422 bad-signature" \
    "$code $(cat "$T_DIR/forged.out")"
t_finish
