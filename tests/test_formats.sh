#!/bin/sh
# test_formats.sh - the machine-readable outputs (issue 13, item 8):
#  - --format csv is one RFC 4180 table a spreadsheet reads: one header
#    line, every row as many fields; several tables (stats) become one with
#    a first column "table"; --table gives one table with its own columns;
#    a national answer keeps issue 10's shape (the result, one empty line,
#    the status rows under member,region,status,ms,detail).
#  - --format xml validates against schemas/xsd/output.xsd: search and
#    statistics offline (--db) and through a node (-s), and the node's
#    other listings (supervision show, status, user list and audit, queries,
#    audit alarms).
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/nodes.sh"

for tool in xmllint curl openssl /usr/bin/python3; do
	command -v $tool >/dev/null 2>&1 || { echo "skip: $tool is not installed"; exit 77; }
done
[ -x "$LASTERID" ] || { echo "FAIL - $LASTERID is not built"; exit 1; }
trap 'nodes_stop_all; t_cleanup' EXIT
XSD=$TOP_SRCDIR/schemas/xsd/output.xsd

NODES_DIR=$T_DIR/fed
BASE=$(nodes_free_base 4) || { echo "FAIL - no free port base"; exit 1; }
"$LASTERI" pki init "$NODES_DIR" --regions 1 --trustlist --port-base "$BASE" \
    >"$T_DIR/pki.log" 2>&1 || { echo "FAIL - pki init: $(tail -n 3 "$T_DIR/pki.log")"; exit 1; }
M=$NODES_DIR/members
DB=$M/01/node.db
"$LASTERI" sample --regions 1 --seed 42 --out "$T_DIR/sample" >"$T_DIR/sample.log" 2>&1 &&
    "$LASTERI" import --db "$DB" "$T_DIR/sample/01/dataset.xml" >"$T_DIR/imp.log" 2>&1 ||
    { echo "FAIL - sample data: $(tail -n 3 "$T_DIR/sample.log" "$T_DIR/imp.log")"; exit 1; }
nodes_conf 01
nodes_start 01 || exit 1
SOCK=$M/01/admin.sock

# csv_shape FILE: "HEADER|NROWS" when FILE is one CSV table (no empty line,
# every row as many fields as the header), else "BAD: why".
cat >"$T_DIR/shape.py" <<'EOP'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline='')))
if not rows: print('BAD: empty'); sys.exit()
bad = [i + 1 for i, r in enumerate(rows) if len(r) != len(rows[0])]
if bad: print('BAD: rows %s have not %d fields' % (bad[:5], len(rows[0]))); sys.exit()
print('%s|%d' % (','.join(rows[0]), len(rows) - 1))
EOP
csv_shape() { /usr/bin/python3 "$T_DIR/shape.py" "$1"; }

# --- CSV: one table ------------------------------------------------------------
for by in region type expertise level; do
	"$LASTERI" stats --db "$DB" --by $by --format csv >"$T_DIR/st.csv" 2>"$T_DIR/err"
	shape=$(csv_shape "$T_DIR/st.csv")
	case $shape in
	table,group,label,units,places,free-places,visits,*,min,p25,median,p75,max\|[1-9]*)
		t_ok "stats --by $by --format csv is one table with a table column" ;;
	*)	t_fail "stats --by $by --format csv is one table with a table column" "$shape" ;;
	esac
	tables=$(tail -n +2 "$T_DIR/st.csv" | cut -d, -f1 | uniq | tr '\n' ' ')
	[ "$tables" = "capacity supervision prices " ] &&
	    t_ok "  its rows name their tables in order" ||
	    t_fail "  its rows name their tables in order" "$tables"
done
"$LASTERI" stats -s "$SOCK" --by type --format csv >"$T_DIR/st-s.csv" 2>"$T_DIR/err"
"$LASTERI" stats --db "$DB" --by type --threshold 5 --format csv >"$T_DIR/st-d.csv" 2>&1
cmp -s "$T_DIR/st-s.csv" "$T_DIR/st-d.csv" &&
    t_ok "through the node the same one table" ||
    t_fail "through the node the same one table" "$(diff "$T_DIR/st-s.csv" "$T_DIR/st-d.csv" | head -n 5)"
"$LASTERI" stats --db "$DB" --table capacity --format csv >"$T_DIR/cap.csv" 2>"$T_DIR/err"
shape=$(csv_shape "$T_DIR/cap.csv")
[ "$shape" = "group,label,units,places,free-places|23" ] &&
    t_ok "stats --table capacity --format csv is that table alone" ||
    t_fail "stats --table capacity --format csv is that table alone" "$shape"
t_expect 0 "lasteri status --format csv answers" "$LASTERI" status -s "$SOCK" --format csv
case $(csv_shape "$T_DIR/out") in
table,field,value,destination,*) t_ok "  as one table with a table column" ;;
*) t_fail "  as one table with a table column" "$(csv_shape "$T_DIR/out")" ;;
esac
t_expect 0 "stats --help explains the one CSV table" "$LASTERI" stats --help
t_grep "  naming the table column" 'first column "table"' "$T_DIR/out"

# National: the merged tables as one, an empty line, the status rows.
"$LASTERI" stats --national -s "$SOCK" --by region --format csv --deadline 10s \
    >"$T_DIR/nat.raw" 2>"$T_DIR/nat.err"
tr -d '\r' <"$T_DIR/nat.raw" >"$T_DIR/nat"
awk 'BEGIN { p = 1 } /^$/ { p++; next } { print > (F "." p) }' F="$T_DIR/nat" "$T_DIR/nat"
[ -f "$T_DIR/nat.2" ] && [ ! -f "$T_DIR/nat.3" ] &&
    head -n 1 "$T_DIR/nat.1" | grep -q '^table,group,label,units,' &&
    [ "$(head -n 1 "$T_DIR/nat.2")" = member,region,status,ms,detail ] &&
    grep -q ',01,ok,' "$T_DIR/nat.2" &&
    t_ok "national stats CSV: one result table, one empty line, the status rows" ||
    t_fail "national stats CSV: one result table, one empty line, the status rows" \
	"$(head -c 400 "$T_DIR/nat") $(cat "$T_DIR/nat.err")"
case $(csv_shape "$T_DIR/nat.1") in
BAD*) t_fail "  the result part is one table" "$(csv_shape "$T_DIR/nat.1")" ;;
*) t_ok "  the result part is one table" ;;
esac

# --- XML: the schema ----------------------------------------------------------
# valid DESC COMMAND...: COMMAND's output validates against output.xsd.
valid() {
	local desc=$1 rc
	shift
	"$@" >"$T_DIR/doc.xml" 2>"$T_DIR/doc.err"
	rc=$?
	if [ $rc -ne 0 ]; then
		t_fail "$desc" "exit $rc: $(head -c 300 "$T_DIR/doc.err")"
	elif xmllint --noout --schema "$XSD" "$T_DIR/doc.xml" >"$T_DIR/lint" 2>&1; then
		t_ok "$desc"
	else
		t_fail "$desc" "$(head -c 600 "$T_DIR/lint")"
	fi
}
for src in "--db $DB" "-s $SOCK"; do
	how=${src%% *}
	valid "search $how --format xml validates against output.xsd" \
	    "$LASTERI" search $src --age 14 --language fi --format xml
	valid "search $how with no match validates" \
	    "$LASTERI" search $src --age 14 --max-price 1 --format xml
	for by in region type expertise level; do
		valid "stats $how --by $by --format xml validates" \
		    "$LASTERI" stats $src --by $by --format xml
	done
	valid "stats $how --table supervision --threshold 10 validates" \
	    "$LASTERI" stats $src --table supervision --threshold 10 --format xml
done
UNIT=$("$LASTERI" search --db "$DB" --age 14 --limit 1 --format csv | sed -n '2s/^1,\([^,]*\),.*/\1/p')
valid "supervision show --format xml validates" \
    "$LASTERI" supervision show -s "$SOCK" --unit "$UNIT" --format xml
valid "status --format xml validates" "$LASTERI" status -s "$SOCK" --format xml
"$LASTERI" user add maija --role social-worker -s "$SOCK" </dev/null >/dev/null 2>&1
valid "user list --format xml validates" "$LASTERI" user list -s "$SOCK" --format xml
valid "user audit --format xml validates" "$LASTERI" user audit -s "$SOCK" --format xml
valid "queries --format xml validates" "$LASTERI" queries -s "$SOCK" --format xml
valid "audit alarms --format xml validates" "$LASTERI" audit alarms -s "$SOCK" --format xml
for f in search-result statistics; do
	t_expect 0 "schemas/examples/$f.xml validates" \
	    xmllint --noout --schema "$XSD" "$TOP_SRCDIR/schemas/examples/$f.xml"
done
# The schema is not vacuous: a statistics row with a cell of another table,
# and a suppressed count spelled otherwise, are refused (xmllint exits
# non-zero; its status number differs between libxml2 versions).
invalid() {	# invalid DESC FILE
	if xmllint --noout --schema "$XSD" "$2" >"$T_DIR/out" 2>"$T_DIR/err"; then
		t_fail "$1" "it validates"
	else
		t_ok "$1"
	fi
}
"$LASTERI" stats --db "$DB" --by level --format xml >"$T_DIR/st.xml"
sed 's|<places>\([0-9]*\)</places>|<min>\1</min>|' "$T_DIR/st.xml" >"$T_DIR/bad1.xml"
invalid "a capacity row with a price cell does not validate" "$T_DIR/bad1.xml"
t_grep "  naming the element" "Element '\\{urn:lasteri:1\\}min'" "$T_DIR/err"
sed 's|<visits>[0-9]*</visits>|<visits>few</visits>|' "$T_DIR/st.xml" >"$T_DIR/bad2.xml"
invalid "a count that is not a number, <N or x does not validate" "$T_DIR/bad2.xml"
t_grep "  naming the value" "'few' is not accepted" "$T_DIR/err"

t_finish
