#!/bin/bash
# test_retire.sh - `lasteri unit retire|reinstate|retired` (issue 13, item
# 7): a unit that closed is kept for history (its row, and the supervision
# records about it) but leaves placement search and the statistics of
# places, on the node and offline (--db), across a restart and a new
# import of the unit, until it is reinstated.  Bad input gets one clear
# line; the node logs who did it.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/nodes.sh"

nodes_init 2
DB=$M/02/node.db
WEBP=$NODES_SPARE
# The web pages behind a (pretend) proxy; a national look-up asks region
# 01 too, whose node is not running: the deadline keeps that short.
nodes_conf 02 "[query]
fanout_deadline = 1s

[web]
listen = 127.0.0.1:$WEBP
tls = no
auth = proxy
proxy_addresses = 127.0.0.1
cookie_secure = no"
nodes_unit UNIT-A 02 186 >"$T_DIR/a.xml"
nodes_unit UNIT-B 02 186 >"$T_DIR/b.xml"
nodes_record LVV-RT-1 UNIT-A 02 >"$T_DIR/rec.xml"
"$LASTERI" import --db "$DB" --region 02 "$T_DIR/a.xml" "$T_DIR/b.xml" \
    "$T_DIR/rec.xml" >"$T_DIR/imp.log" 2>&1 ||
    { echo "FAIL - import: $(cat "$T_DIR/imp.log")"; exit 1; }
nodes_start 02 || exit 1
S=$M/02/admin.sock

# found WHERE ID: the search (through the node, or offline with --db)
# lists unit ID.
found() {
	local where=$1 id=$2
	if [ "$where" = node ]; then
		"$LASTERI" search -s "$S" --age 15 --format csv >"$T_DIR/found" 2>&1
	else
		"$LASTERI" search --db "$DB" --age 15 --format csv >"$T_DIR/found" 2>&1
	fi
	grep -q "^[0-9]*,$id," "$T_DIR/found"
}
# units WHERE: the units counted in the capacity table's total.
units() {
	local target
	if [ "$1" = node ]; then target="-s $S"; else target="--db $DB"; fi
	# shellcheck disable=SC2086
	"$LASTERI" stats $target --table capacity --format xml 2>/dev/null |
	    /usr/bin/python3 -c '
import sys, xml.etree.ElementTree as ET
ns = {"l": "urn:lasteri:1"}
t = ET.parse(sys.stdin).getroot()
rows = t.findall(".//l:Row", ns)
print(rows[-1].find("l:units", ns).text if rows else "none")'
}

# --- usage ---------------------------------------------------------------------
t_expect 0 "unit --help explains and exits 0" "$LASTERI" unit --help
t_grep "the help shows retire with --reason" 'unit retire ID \[--reason TEXT\]' "$T_DIR/out"
t_expect 2 "an unknown action is a usage error" "$LASTERI" unit frob -s "$S"
t_expect 2 "retire without an ID is a usage error" "$LASTERI" unit retire -s "$S"
t_grep "the error says an ID is needed" 'one unit ID is needed' "$T_DIR/err"
t_expect 2 "--format is not an option of retire" "$LASTERI" unit retire UNIT-A --format csv -s "$S"
t_expect 2 "a reason on two lines is refused before sending" \
    "$LASTERI" unit retire UNIT-A --reason "$(printf 'closed\nmoved')" -s "$S"
t_grep "the refusal says one line" 'one line of text' "$T_DIR/err"

# --- before: both units are found ----------------------------------------------
if found node UNIT-A && found node UNIT-B; then t_ok "before: the search finds both units"
else t_fail "before: the search finds both units" "$(cat "$T_DIR/found")"; fi
t_expect 0 "unit retired lists nothing yet" "$LASTERI" unit retired -s "$S"
t_grep "the empty listing says so" 'No retired units' "$T_DIR/out"
[ "$(units node)" = 2 ] && t_ok "before: statistics count 2 units" ||
    t_fail "before: statistics count 2 units" "got $(units node)"
t_expect 0 "export through the node" "$LASTERI" export -s "$S" --out "$T_DIR/exp0.xml"
grep -q 'retired' "$T_DIR/err" && t_fail "an export with no retired unit says nothing of them" "$(cat "$T_DIR/err")" ||
    t_ok "an export with no retired unit says nothing of them"

# --- refusals: the node's own checks -------------------------------------------
t_expect 2 "retiring a unit that is not stored is refused" "$LASTERI" unit retire NO-SUCH -s "$S"
t_grep "the refusal names the unit" 'no unit NO-SUCH is stored' "$T_DIR/err"
code=$(curl -sS --max-time 10 --unix-socket "$S" -o "$T_DIR/raw" -w '%{http_code}' \
    -X POST "http://node/admin/v1/units/retire?id=UNIT-A&reason=a%0Ab" 2>&1)
[ "$code" = 422 ] && grep -q 'control character' "$T_DIR/raw" &&
    t_ok "the node refuses a reason with a newline (422)" ||
    t_fail "the node refuses a reason with a newline (422)" "$code $(cat "$T_DIR/raw")"
code=$(curl -sS --max-time 10 --unix-socket "$S" -o "$T_DIR/raw" -w '%{http_code}' \
    -X POST "http://node/admin/v1/units/retire" 2>&1)
[ "$code" = 400 ] && t_ok "retire without id is 400" || t_fail "retire without id is 400" "$code"
code=$(curl -sS --max-time 10 --unix-socket "$S" -o "$T_DIR/raw" -w '%{http_code}' \
    "http://node/admin/v1/units/retire?id=UNIT-A" 2>&1)
[ "$code" = 405 ] && t_ok "GET on retire is 405" || t_fail "GET on retire is 405" "$code"
found node UNIT-A && t_ok "a refused retirement changed nothing" ||
    t_fail "a refused retirement changed nothing"

# --- retire --------------------------------------------------------------------
t_expect 0 "unit retire UNIT-A" "$LASTERI" unit retire UNIT-A --reason "closed on 2026-11-30, children moved" -s "$S"
t_grep "the answer names the unit" '^unit +UNIT-A' "$T_DIR/out"
t_grep "the answer says who" '^by +admin-socket uid [0-9]+' "$T_DIR/out"
if ! found node UNIT-A && found node UNIT-B; then t_ok "the search leaves the retired unit out"
else t_fail "the search leaves the retired unit out" "$(cat "$T_DIR/found")"; fi
[ "$(units node)" = 1 ] && t_ok "statistics count 1 unit" ||
    t_fail "statistics count 1 unit" "got $(units node)"
t_expect 0 "supervision show --unit still lists the retired unit's record" \
    "$LASTERI" supervision show --unit UNIT-A -s "$S"
t_grep "the record is kept" 'LVV-RT-1' "$T_DIR/out"
t_expect 0 "unit retired lists it (csv)" "$LASTERI" unit retired --format csv -s "$S"
t_grep "with its reason" '^UNIT-A,[0-9T:Z-]+,admin-socket uid [0-9]+,"?closed on 2026-11-30, children moved' "$T_DIR/out"
curl -s --max-time 20 -H 'X-Remote-User: sanna' -H 'X-Remote-Role: social-worker' \
    -o "$T_DIR/page" "http://127.0.0.1:$WEBP/units/UNIT-A"
t_grep "the unit's web page says it was retired, and when" 'closed and was retired on 20[0-9-]+\.' "$T_DIR/page"
t_grep "... and why, as a sentence of its own" 'Reason: closed on 2026-11-30, children moved\. It is kept' "$T_DIR/page"
t_grep "... and still shows the unit" 'Nuorisokoti Satama' "$T_DIR/page"
t_expect 2 "retiring it again is refused" "$LASTERI" unit retire UNIT-A -s "$S"
t_grep "the refusal says since when" 'retired already \(since 20[0-9-]+T' "$T_DIR/err"
t_grep "the node logged who retired it" 'unit_retired uid=[0-9]+ unit=UNIT-A' "$M/02/log.start"
t_expect 0 "export through the node after the retirement" "$LASTERI" export -s "$S" --out "$T_DIR/exp1.xml"
t_grep "the export keeps the retired unit (the region's units, kept for history)" 'UNIT-A' "$T_DIR/exp1.xml"
t_grep "... and says on stderr that one of them is retired" '1 of the units is retired \(lasteri unit retired lists it\)' "$T_DIR/err"

# --- an import of the unit again does not bring it back ------------------------
t_expect 0 "the unit is imported again through the node" "$LASTERI" import -s "$S" "$T_DIR/a.xml"
nodes_wait 5 test -n "$("$LASTERI" search -s "$S" --age 15 --format csv 2>/dev/null)"
found node UNIT-A && t_fail "a new import leaves the unit retired" "$(cat "$T_DIR/found")" ||
    t_ok "a new import leaves the unit retired"

# --- a restart and the offline CLI ---------------------------------------------
nodes_stop 02
found db UNIT-A && t_fail "search --db leaves the retired unit out" "$(cat "$T_DIR/found")" ||
    { found db UNIT-B && t_ok "search --db leaves the retired unit out" ||
      t_fail "search --db leaves the retired unit out" "$(cat "$T_DIR/found")"; }
[ "$(units db)" = 1 ] && t_ok "stats --db counts 1 unit" || t_fail "stats --db counts 1 unit" "got $(units db)"
t_expect 0 "export --db" "$LASTERI" export --db "$DB" --out "$T_DIR/exp2.xml"
t_grep "export --db says so too" '1 of the units is retired' "$T_DIR/err"
nodes_start 02 || exit 1
found node UNIT-A && t_fail "after a restart the unit is still retired" ||
    t_ok "after a restart the unit is still retired"

# --- reinstate -----------------------------------------------------------------
t_expect 0 "unit reinstate UNIT-A" "$LASTERI" unit reinstate UNIT-A -s "$S"
t_grep "the answer says when it was retired" '^retired +20[0-9-]+T' "$T_DIR/out"
found node UNIT-A && t_ok "a reinstated unit is found again" ||
    t_fail "a reinstated unit is found again" "$(cat "$T_DIR/found")"
[ "$(units node)" = 2 ] && t_ok "statistics count 2 units again" ||
    t_fail "statistics count 2 units again" "got $(units node)"
t_expect 2 "reinstating a unit that is not retired is refused" "$LASTERI" unit reinstate UNIT-A -s "$S"
t_grep "the refusal says so" 'unit UNIT-A is not retired' "$T_DIR/err"
curl -s --max-time 20 -H 'X-Remote-User: sanna' -H 'X-Remote-Role: social-worker' \
    -o "$T_DIR/page" "http://127.0.0.1:$WEBP/units/UNIT-A"
grep -q 'retired on' "$T_DIR/page" && t_fail "a reinstated unit's page has no retirement note" ||
    { grep -q 'Nuorisokoti Satama' "$T_DIR/page" && t_ok "a reinstated unit's page has no retirement note" ||
      t_fail "a reinstated unit's page has no retirement note" "$(head -c 300 "$T_DIR/page")"; }
t_grep "the node logged the reinstatement" 'unit_reinstated uid=[0-9]+ unit=UNIT-A' "$M/02/log.start"

# --- the store failing ---------------------------------------------------------
# A trigger added to the stopped node's database makes the store refuse the
# retirement: 500 with the token every 500 of the node has, "internal".
nodes_stop 02
/usr/bin/python3 -c 'import sqlite3, sys
sqlite3.connect(sys.argv[1]).executescript("CREATE TRIGGER test_refuse BEFORE INSERT ON unit_retired BEGIN SELECT RAISE(ABORT, '"'"'test: refused'"'"'); END;")' "$DB" ||
    t_fail "adding the test trigger"
nodes_start 02 || exit 1
code=$(curl -s --max-time 20 --unix-socket "$S" -o "$T_DIR/err500" -w '%{http_code}' \
    -X POST "http://lasterid/admin/v1/units/retire?id=UNIT-B")
if [ "$code" = 500 ] && grep -q 'code="internal"' "$T_DIR/err500" && grep -q 'test: refused' "$T_DIR/err500"; then
	t_ok "a store that fails: 500, code internal, SQLite's reason"
else
	t_fail "a store that fails: 500, code internal, SQLite's reason" "$code $(cat "$T_DIR/err500")"
fi

t_finish
