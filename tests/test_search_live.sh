#!/bin/bash
# test_search_live.sh - issue 14: the node builds its search data in a
# worker thread and swaps it in whole, and keeps it current record by
# record.  While searches and /health run in a loop, an import and records
# received from lvv go in: every search answer counts the units of one
# complete data set (the one before the import or the one after it, never
# a part), the first search after the import already reflects it, /health
# keeps answering, and a received serious finding demotes its unit in the
# very next search without a rebuild.  Afterwards `lasteri search --db`
# and `stats --db` on the node's database give the socket's answers.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/nodes.sh"

command -v curl >/dev/null 2>&1 || { echo "skip: curl is not installed"; exit 77; }
[ -x "$LASTERID" ] || { echo "FAIL - $LASTERID is not built"; exit 1; }
LOOP_PID=
trap '[ -n "$LOOP_PID" ] && kill "$LOOP_PID" 2>/dev/null; nodes_stop_all; t_cleanup' EXIT

NODES_DIR=$T_DIR/fed
BASE=$(nodes_free_base 3) || { echo "FAIL - no free port base"; exit 1; }
"$LASTERI" pki init "$NODES_DIR" --regions 1 --trustlist --port-base "$BASE" \
    >"$T_DIR/pki.log" 2>&1 || { echo "FAIL - pki init: $(tail -n 3 "$T_DIR/pki.log")"; exit 1; }
M=$NODES_DIR/members
nodes_conf 01
nodes_conf lvv "[outbox]
outbox_retry_min = 200ms
outbox_retry_max = 1s"
SOCK=$M/01/admin.sock
LVV=$M/lvv/admin.sock

# Data set A (with ten years of records) is in the database at start; B
# (other units, no records) is imported while searches run.
"$LASTERI" sample --region 01 --scale 2 --seed 1 --out "$T_DIR/a" >/dev/null 2>&1 &&
    "$LASTERI" sample --region 01 --scale 2 --seed 2 --no-records --out "$T_DIR/b" >/dev/null 2>&1 ||
    { echo "FAIL - lasteri sample"; exit 1; }
sed 's/SOTERI-01-/SOTERI-01-B/g' "$T_DIR/b/01/dataset.xml" >"$T_DIR/b.xml"
"$LASTERI" import --db "$M/01/node.db" "$T_DIR/a/01/dataset.xml" >"$T_DIR/imp.log" 2>&1 ||
    { echo "FAIL - import A: $(cat "$T_DIR/imp.log")"; exit 1; }
units() {	# units FILE: the number of units in a capacity table
	sed -n 's/^total  *all  *\([0-9]*\) .*/\1/p' "$1"
}
"$LASTERI" stats --db "$M/01/node.db" --table capacity >"$T_DIR/capA" 2>&1
NA=$(units "$T_DIR/capA")
NB=$(grep -c '<Unit ' "$T_DIR/b.xml")
NAB=$((NA + NB))
[ -n "$NA" ] && [ "$NA" -gt 0 ] && [ "$NB" -gt 0 ] ||
    { echo "FAIL - data sets: A '$NA' units, B '$NB'"; exit 1; }

nodes_start 01 || exit 1
nodes_start lvv || exit 1

# search QUERY: through the socket with curl; the body in $T_DIR/s.out.
search() {
	curl -s --max-time 20 --unix-socket "$SOCK" \
	    "http://lasterid/admin/v1/search?$1" -o "$T_DIR/s.out" -w '%{http_code}'
}
# scanned FILE: M of the "N of M units matched" line.
scanned() { sed -n 's/^[0-9]* of \([0-9]*\) units matched.*/\1/p' "$1"; }

code=$(search 'age=10&limit=3')
[ "$code" = 200 ] && t_ok "the first search after start is answered (it waited for the first build)" ||
    t_fail "the first search after start is answered (it waited for the first build)" "got $code: $(cat "$T_DIR/s.out")"
[ "$(scanned "$T_DIR/s.out")" = "$NA" ] && t_ok "it counts the $NA units of data set A" ||
    t_fail "it counts the $NA units of data set A" "$(tail -n 1 "$T_DIR/s.out")"
grep -q 'event=search_index_built build=1 ' "$M/01/log.start" &&
    t_ok "the node logged the first build (in the worker)" ||
    t_fail "the node logged the first build (in the worker)" "$(tail -n 5 "$M/01/log.start")"

# record ID UNIT: an open record with a high-severity finding, by LVV.
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

# --- searches, /health, an import and received records at once -------------
"$LASTERI" search -s "$SOCK" --age 14 --limit 5 --format csv >"$T_DIR/top" 2>&1
TOPS=$(sed -n '2,4s/^[0-9]*,\([^,]*\),.*/\1/p' "$T_DIR/top")
[ "$(echo "$TOPS" | wc -w)" = 3 ] || { t_fail "three units to send records about" "$(cat "$T_DIR/top")"; t_finish; exit 1; }
(
	i=0
	while [ $i -lt 150 ] && [ ! -e "$T_DIR/stop" ]; do
		curl -s --max-time 20 --unix-socket "$SOCK" -o "$T_DIR/loop.$i" \
		    -w '%{http_code} %{time_total}\n' \
		    "http://lasterid/admin/v1/search?age=$((i % 18))&limit=2" >>"$T_DIR/loop.codes"
		curl -s --max-time 20 --unix-socket "$SOCK" -o /dev/null \
		    -w '%{http_code} %{time_total}\n' http://lasterid/health >>"$T_DIR/loop.health"
		i=$((i + 1))
	done
) &
LOOP_PID=$!
sleep 0.3
n=0
for u in $TOPS; do
	n=$((n + 1))
	record "LVV-LIVE-$n" "$u" >"$T_DIR/r$n.xml"
	"$LASTERI" supervision issue "$T_DIR/r$n.xml" -s "$LVV" >"$T_DIR/issue.$n" 2>&1 ||
	    t_fail "lvv issues record $n" "$(cat "$T_DIR/issue.$n")"
done
t_expect 0 "data set B is imported through the socket while searches run" \
    "$LASTERI" import -s "$SOCK" "$T_DIR/b.xml"
code=$(search 'age=10&limit=3')
[ "$code" = 200 ] && [ "$(scanned "$T_DIR/s.out")" = "$NAB" ] &&
    t_ok "the first search after the import answered counts A and B ($NAB units)" ||
    t_fail "the first search after the import answered counts A and B ($NAB units)" "$code $(tail -n 1 "$T_DIR/s.out")"
arrived() { grep -q "event=record_stored record=LVV-LIVE-$1 " "$M/01/log.start"; }
nodes_wait 20 arrived 3 && t_ok "node 01 received lvv's three records" ||
    t_fail "node 01 received lvv's three records" "$(nodes_log lvv | tail -n 3)"
touch "$T_DIR/stop"
i=0
while kill -0 "$LOOP_PID" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
kill "$LOOP_PID" 2>/dev/null
LOOP_PID=

total=0 bad=0 seen_a=0 seen_ab=0
for f in "$T_DIR"/loop.[0-9]*; do
	total=$((total + 1))
	case $(scanned "$f") in
	"$NA") seen_a=$((seen_a + 1)) ;;
	"$NAB") seen_ab=$((seen_ab + 1)) ;;
	*) bad=$((bad + 1)); echo "  partial answer in $f: $(tail -n 1 "$f")" ;;
	esac
done
[ "$total" -gt 0 ] && [ "$bad" = 0 ] &&
    t_ok "every one of $total searches counted a whole data set ($seen_a A, $seen_ab A+B)" ||
    t_fail "every one of $total searches counted a whole data set" "$bad partial"
[ "$(grep -vc '^200 ' "$T_DIR/loop.codes")" = 0 ] && t_ok "every search in the loop answered 200" ||
    t_fail "every search in the loop answered 200" "$(grep -v '^200 ' "$T_DIR/loop.codes" | head -n 3)"
[ -s "$T_DIR/loop.health" ] && [ "$(grep -vc '^200 ' "$T_DIR/loop.health")" = 0 ] &&
    t_ok "every /health in the loop answered 200" ||
    t_fail "every /health in the loop answered 200" "$(grep -v '^200 ' "$T_DIR/loop.health" | head -n 3)"
builds=$(grep -c 'event=search_index_built ' "$M/01/log.start")
[ "$builds" -ge 2 ] && t_ok "the import was followed by a rebuild ($builds builds)" ||
    t_fail "the import was followed by a rebuild" "$builds builds"

# --- a received serious finding demotes its unit at once -----------------------
"$LASTERI" search -s "$SOCK" --age 14 --limit 1000 --format csv >"$T_DIR/after" 2>&1
for u in $TOPS; do
	if grep -q "^[0-9]*,$u,.*1 open (high)" "$T_DIR/after"; then
		t_ok "unit $u shows the received open serious finding"
	else
		t_fail "unit $u shows the received open serious finding" "$(grep ",$u," "$T_DIR/after")"
	fi
done
first=$(sed -n '2s/^[0-9]*,\([^,]*\),.*/\1/p' "$T_DIR/after")
case " $(echo $TOPS) " in
*" $first "*) t_fail "the demoted units are no longer first" "first is $first" ;;
*) t_ok "the demoted units are no longer first" ;;
esac
before=$(grep -c 'event=search_index_built ' "$M/01/log.start")
record LVV-LIVE-4 "$first" >"$T_DIR/r4.xml"
"$LASTERI" supervision issue "$T_DIR/r4.xml" -s "$LVV" >"$T_DIR/issue.4" 2>&1
nodes_wait 20 arrived 4 || t_fail "node 01 received record 4" "$(nodes_log lvv | tail -n 3)"
"$LASTERI" search -s "$SOCK" --age 14 --limit 1 --format csv >"$T_DIR/next" 2>&1
if grep -q "^1,$first," "$T_DIR/next"; then
	t_fail "the very next search demotes the unit of a received record" "$(cat "$T_DIR/next")"
else
	t_ok "the very next search demotes the unit of a received record"
fi
[ "$(grep -c 'event=search_index_built ' "$M/01/log.start")" = "$before" ] &&
    t_ok "without a rebuild" || t_fail "without a rebuild" "$(grep 'search_index_built' "$M/01/log.start" | tail -n 2)"

# --- offline: the same answers from the same SQL rows -------------------------
for q in "--age 14 --limit 1000 --format csv" "--age 10 --language fi --purchaser 01"; do
	# shellcheck disable=SC2086
	"$LASTERI" search -s "$SOCK" $q >"$T_DIR/sock.out" 2>&1
	# shellcheck disable=SC2086
	"$LASTERI" search --db "$M/01/node.db" $q >"$T_DIR/db.out" 2>&1
	cmp -s "$T_DIR/sock.out" "$T_DIR/db.out" &&
	    t_ok "search $q: --db answers as the socket (incremental = rebuilt)" ||
	    t_fail "search $q: --db answers as the socket (incremental = rebuilt)" "$(diff "$T_DIR/sock.out" "$T_DIR/db.out" | head -n 6)"
done
"$LASTERI" stats -s "$SOCK" --threshold 1 >"$T_DIR/sock.out" 2>&1
"$LASTERI" stats --db "$M/01/node.db" --threshold 1 >"$T_DIR/db.out" 2>&1
cmp -s "$T_DIR/sock.out" "$T_DIR/db.out" && t_ok "stats: --db answers as the socket" ||
    t_fail "stats: --db answers as the socket" "$(diff "$T_DIR/sock.out" "$T_DIR/db.out" | head -n 6)"
t_finish
