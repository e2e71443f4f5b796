#!/bin/sh
# test_admin.sh - the node's admin endpoints through the lasteri CLI (-s
# SOCKET, LASTERI_SOCKET): import (all or nothing, across files too),
# export, search, stats and supervision show give what the offline CLI
# (--db) gives on the same data; bad input names the file, line and
# element and changes nothing; an unreachable socket is a clear error.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/nodes.sh"

LASTERID=$TOP_BUILDDIR/node/lasterid
D=$T_DIR
PID=

[ -x "$LASTERID" ] || { echo "FAIL - $LASTERID is not built"; exit 1; }

stop_daemon() {
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		kill -TERM "$PID" 2>/dev/null
		i=0
		while kill -0 "$PID" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -KILL "$PID" 2>/dev/null
	fi
	PID=
}
trap 'stop_daemon; t_cleanup' EXIT

if ! "$LASTERI" pki init "$D/fed" --regions 1 --trustlist >"$D/pki.log" 2>&1 ||
    [ ! -s "$D/fed/trustlist.xml" ]; then
	echo "FAIL - 'lasteri pki init --trustlist': $(tail -n 2 "$D/pki.log")"
	exit 1
fi
N=$D/fed/members/01
NODES_DIR=$D/fed
nodes_conf 01
nodes_set 01 federation listen 127.0.0.1:0
nodes_set 01 limits request_timeout 20s
nodes_set 01 limits idle_timeout 20s
nodes_set 01 limits suppress_threshold 3
SOCK=$N/admin.sock

"$LASTERID" -c "$N/lasterid.conf" --allow-root 2>"$D/log" &
PID=$!
i=0
while ! grep -q 'event=start ' "$D/log" && [ $i -lt 100 ]; do
	kill -0 "$PID" 2>/dev/null || break
	sleep 0.1
	i=$((i + 1))
done
grep -q 'event=start ' "$D/log" || { echo "FAIL - lasterid did not start: $(cat "$D/log")"; exit 1; }
t_ok "lasterid starts with the admin endpoints"

# same NAME COMMAND...: COMMAND's output and exit status equal the ones
# kept in $D/want and $D/want.rc (from the same question asked offline).
same() {
	local desc=$1
	shift
	t_expect "$(cat "$D/want.rc")" "$desc: same exit status" "$@"
	if cmp -s "$T_DIR/out" "$D/want"; then
		t_ok "$desc: same output"
	else
		t_fail "$desc: same output" "$(diff "$D/want" "$T_DIR/out" | head -n 5)"
	fi
}
# want COMMAND...: keeps COMMAND's stdout and exit status for same().
want() {
	"$@" >"$D/want" 2>"$D/want.err"
	echo $? >"$D/want.rc"
}

# Sample data for region 01, and the same imported offline for comparison.
"$LASTERI" sample --region 01 --seed 1 --out "$D/s" >"$D/sample.log" 2>&1 ||
    { echo "FAIL - lasteri sample: $(tail -n 3 "$D/sample.log")"; exit 1; }
set -- $(find "$D/s" -name '*.xml' | sort)
[ $# -ge 1 ] || { echo "FAIL - lasteri sample wrote no XML file"; exit 1; }
FILES="$*"
"$LASTERI" import --db "$D/off.db" $FILES >"$D/off.import" 2>&1 ||
    { echo "FAIL - offline import: $(cat "$D/off.import")"; exit 1; }

# --- unreachable and usage ---------------------------------------------------
t_expect 2 "an unreachable socket exits 2" "$LASTERI" search -s "$D/none.sock" --age 10
t_grep "and says that no node answers there" "no node answers on this socket.*none\.sock|none\.sock.*no node answers" "$D/err"
t_expect 2 "--db and -s together are refused" "$LASTERI" export --db "$D/off.db" -s "$SOCK"
t_expect 2 "--national with --db is refused with a clear message" "$LASTERI" search --db "$D/off.db" --age 10 --national
t_grep "the message says a national query goes through a node" "national.*through a node" "$D/err"
t_expect 2 "--deadline without --national is refused" "$LASTERI" search -s "$SOCK" --age 10 --deadline 2s
t_grep "... naming the option" "deadline.*only with --national" "$D/err"
t_expect 2 "a bad --deadline is refused" "$LASTERI" stats -s "$SOCK" --national --deadline 2x
t_grep "... naming the value" "deadline: '2x'" "$D/err"

# --- import ----------------------------------------------------------------
cp "$D/off.import" "$D/want"
echo 0 >"$D/want.rc"
same "import through the socket prints the offline import's summary" \
    "$LASTERI" import -s "$SOCK" $FILES
t_grep "a summary that counts units and records" "^imported [0-9]+ units?, .* [1-9][0-9]* supervision records" "$D/out"

# --- search, stats, export: the same as offline --------------------------------
for q in "--age 10" "--age 15 --language fi --max-price 600 --limit 50" \
    "--age 8 --expertise substance-rehabilitation --need substance-use --purchaser 01 --format csv" \
    "--age 12 --type professional-family-home --type childrens-home --gender girls --format xml" \
    "--age 14 --region 01 --prefer-region 02 --free-places 2 --level demanding --limit 3"; do
	want "$LASTERI" search --db "$D/off.db" $q
	t_expect 0 "offline search $q answers" test "$(cat "$D/want.rc")" = 0
	same "search $q through the socket" "$LASTERI" search -s "$SOCK" $q
done
want "$LASTERI" search --db "$D/off.db" --age 10
t_expect 0 "the sample data gives search rows to compare" grep -Eq '^1 +SOTERI-' "$D/want"

for q in "" "--by type" "--by expertise --format csv" "--by level --table supervision --format xml" \
    "--by region --threshold 10 --table capacity"; do
	want "$LASTERI" stats --db "$D/off.db" --threshold 3 $q
	same "stats $q through the socket (threshold from the node's config)" "$LASTERI" stats -s "$SOCK" $q
done

"$LASTERI" export --db "$D/off.db" --records --out "$D/off.xml"
t_expect 0 "export through the socket answers" "$LASTERI" export -s "$SOCK" --records --out "$D/sock.xml"
sed 's/ generated="[^"]*"//' "$D/off.xml" >"$D/off.cmp"
sed 's/ generated="[^"]*"//' "$D/sock.xml" >"$D/sock.cmp"
t_expect 0 "export through the socket equals offline export (but the timestamp)" cmp -s "$D/off.cmp" "$D/sock.cmp"

# --- all or nothing -----------------------------------------------------------
"$LASTERI" export -s "$SOCK" --records --out "$D/before.xml"
# The best unit for a 10-year-old, renamed (valid), and a broken document.
UNIT=$("$LASTERI" search -s "$SOCK" --age 10 --limit 1 --format csv | sed -n '2s/^1,\([^,]*\),.*/\1/p')
[ -n "$UNIT" ] || { t_fail "a search names a unit to change"; t_finish; exit 1; }
printf '<?xml version="1.0" encoding="UTF-8"?>\n' >"$D/good.xml"
grep "<Unit Id=\"$UNIT\">" "$D/before.xml" |
    sed 's#^ *<Unit Id=#<Unit xmlns="urn:lasteri:1" Id=#; s#<Name>[^<]*</Name>#<Name>Renamed by the test</Name>#' >>"$D/good.xml"
sed 's#<Name>[^<]*</Name>#<Name>Renamed by the test</Name><Bogus/>#' "$D/good.xml" >"$D/bad.xml"

t_expect 2 "a document that breaks the schema exits 2" "$LASTERI" import -s "$SOCK" "$D/bad.xml"
t_grep "the node's message names the file and line" "bad\.xml:[0-9]+" "$D/err"
t_grep "and the element" "Bogus" "$D/err"
t_grep "and says nothing was imported" "nothing imported" "$D/err"
t_expect 2 "two files, the second bad: exit 2" "$LASTERI" import -s "$SOCK" "$D/good.xml" "$D/bad.xml"
t_grep "the message names the bad file" "bad\.xml:[0-9]+" "$D/err"
"$LASTERI" export -s "$SOCK" --records --out "$D/after.xml"
sed 's/ generated="[^"]*"//' "$D/before.xml" >"$D/before.cmp"
sed 's/ generated="[^"]*"//' "$D/after.xml" >"$D/after.cmp"
t_expect 0 "nothing changed: not even the good file's unit" cmp -s "$D/before.cmp" "$D/after.cmp"
printf 'not xml <' >"$D/junk.xml"
t_expect 2 "a file that is not XML exits 2" "$LASTERI" import -s "$SOCK" "$D/junk.xml"
t_grep "naming the file and line" "junk\.xml:1" "$D/err"
head -c 2100000 /dev/zero | tr '\0' 'a' >"$D/big.xml"
t_expect 0 "a 2 MiB import body passes the admin socket's limit (federation: 1 MiB) and is refused as bad XML" sh -c \
    "test \"\$(curl -s --max-time 20 --unix-socket '$SOCK' -H 'Content-Type: application/xml' --data-binary @'$D/big.xml' -o /dev/null -w '%{http_code}' http://lasterid/admin/v1/import)\" = 422"
t_expect 2 "an unknown search option value is refused before asking" "$LASTERI" search -s "$SOCK" --age 10 --type castle
t_grep "naming the option and the accepted values" "--type: unknown value 'castle' \(one of: " "$D/err"
t_expect 0 "an unknown query parameter is refused by the node" sh -c \
    "curl -s --max-time 10 --unix-socket '$SOCK' 'http://lasterid/admin/v1/search?age=10&langauge=fi' | grep -q 'langauge: unknown parameter'"
t_expect 0 "a bad parameter value is 400 from the node" sh -c \
    "test \"\$(curl -s --max-time 10 --unix-socket '$SOCK' -o /dev/null -w '%{http_code}' 'http://lasterid/admin/v1/search?age=99')\" = 400"
t_expect 0 "the good file alone imports" "$LASTERI" import -s "$SOCK" "$D/good.xml"
t_expect 0 "the search index is rebuilt after the import" "$LASTERI" search -s "$SOCK" --age 10 --limit 1 --format csv
t_grep "the search shows the new name" "^1,$UNIT,Renamed by the test," "$D/out"
"$LASTERI" search -s "$SOCK" --age 0 --limit 1000 --free-places 1 --format csv >"$D/s1" 2>&1
"$LASTERI" import --db "$D/off.db" "$D/good.xml" >/dev/null 2>&1
"$LASTERI" search --db "$D/off.db" --age 0 --limit 1000 --free-places 1 --format csv >"$D/s2" 2>&1
t_expect 0 "after the import, search through the socket still equals offline" cmp -s "$D/s1" "$D/s2"

# --- supervision show ------------------------------------------------------------
RUNIT=$(grep -o '<SupervisionRecord Id="[^"]*"><Kind>[^<]*</Kind><Unit>[^<]*</Unit>' "$D/before.xml" |
    sed 's/.*<Unit>\(.*\)<\/Unit>/\1/' | head -n 1)
if [ -n "$RUNIT" ]; then
	t_expect 0 "supervision show lists a unit's records" "$LASTERI" supervision show -s "$SOCK" --unit "$RUNIT"
	t_grep "with the record's kind, status and signature column" "unsigned|signed" "$D/out"
	t_grep "and the unit in the title" "$RUNIT" "$D/out"
	t_grep "and lists more than one record" "^[0-9]+ records held by this node" "$D/out"
	want "$LASTERI" supervision show --db "$D/off.db" --unit "$RUNIT"
	same "supervision show through the socket and offline" "$LASTERI" supervision show -s "$SOCK" --unit "$RUNIT"
	t_expect 0 "supervision show --format csv" "$LASTERI" supervision show -s "$SOCK" --unit "$RUNIT" --format csv
	t_grep "csv has the header" "^record-id,kind,issuer,signer,opened,status,findings,deadline" "$D/out"
else
	t_fail "the sample data has supervision records (no unit reference found)"
fi
t_expect 0 "a unit without records: an empty table" "$LASTERI" supervision show -s "$SOCK" --unit NO-SUCH-UNIT
t_grep "that says so" "^0 records" "$D/out"

# --- LASTERI_SOCKET ----------------------------------------------------------------
want "$LASTERI" stats -s "$SOCK" --by type
same "LASTERI_SOCKET names the socket" env LASTERI_SOCKET="$SOCK" "$LASTERI" stats --by type
t_expect 2 "LASTERI_SOCKET pointing nowhere is a clear error" env LASTERI_SOCKET="$D/gone.sock" "$LASTERI" export
t_grep "naming the socket" "gone\.sock" "$D/err"

# --- the prices table ------------------------------------------------------------
want "$LASTERI" stats --db "$D/off.db" --table prices --by region
t_grep "the offline prices table has a row with a median" "^01 .* (basic|special|demanding) +[1-9][0-9]* +[0-9]+\.[0-9][0-9] +[-0-9.]+ +[0-9]+\.[0-9][0-9] " "$D/want"
same "stats --table prices through the socket equals offline" "$LASTERI" stats -s "$SOCK" --table prices --by region

t_expect 0 "the node is still up" curl -sS -f --max-time 10 --unix-socket "$SOCK" http://lasterid/health
stop_daemon
t_finish
