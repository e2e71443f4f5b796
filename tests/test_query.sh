#!/bin/bash
# test_query.sh - a region answering national queries (POST /v1/query,
# issue 10): a signed search, statistics and supervision look-up get a
# Response signed by the region, naming the asker and the query's digest;
# before any work the region refuses, each with its reason, a captured
# query posted again (also after a restart, or the node killed right after
# answering: the nonce is kept), an expired
# one, one issued too far ahead, one relayed over another member's TLS
# connection, one from a member whose role may not ask that kind, and one
# that is not signed; refusals of a known signer are signed Responses.
# Every query is in the log (`lasteri queries`), also one only the log's timer
# committed when the node is then killed.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/nodes.sh"

QT=$TOP_BUILDDIR/tests/query_tool
for tool in curl openssl; do
	command -v $tool >/dev/null 2>&1 || { echo "skip: $tool is not installed"; exit 77; }
done
[ -x "$LASTERID" ] || { echo "FAIL - $LASTERID is not built"; exit 1; }
trap 'nodes_stop_all; t_cleanup' EXIT

NODES_DIR=$T_DIR/fed
BASE=$(nodes_free_base 5) || { echo "FAIL - no free port base"; exit 1; }
"$LASTERI" pki init "$NODES_DIR" --regions 3 --trustlist --port-base "$BASE" \
    >"$T_DIR/pki.log" 2>&1 || { echo "FAIL - pki init: $(tail -n 3 "$T_DIR/pki.log")"; exit 1; }
M=$NODES_DIR/members
TL=$NODES_DIR/trustlist.xml
OP=$NODES_DIR/pki/operator.crt
"$LASTERI" sample --region 02 --seed 3 --out "$T_DIR/s" >/dev/null 2>&1 &&
    "$LASTERI" import --db "$M/02/node.db" --region 02 "$T_DIR/s/02/dataset.xml" \
    >"$T_DIR/imp.log" 2>&1 || { echo "FAIL - region 02's data: $(cat "$T_DIR/imp.log")"; exit 1; }
UNIT=$(grep -o 'Unit Id="[^"]*"' "$T_DIR/s/02/dataset.xml" | head -n 1 | sed 's/.*="//; s/"//')
for c in 01 02 03 lvv thl; do nodes_conf $c; done
nodes_set lvv outbox outbox_retry_min 200ms
for c in 01 02 lvv; do nodes_start $c || exit 1; done
id() { cat "$M/$1/member.id"; }

# query FROM KIND [ARG [OFFSET [TTL]]] > FILE: a query signed by FROM.
query() {
	local from=$1
	shift
	"$QT" query "$M/$from/sign.key" "$M/$from/sign.crt" "$(id "$from")" "$@"
}
# ask VIA FILE: posts FILE to node 02 over VIA's TLS certificate; the
# status goes to stdout, the body to $T_DIR/resp.
ask() {
	nodes_curl "$1" 02 /v1/query "$T_DIR/resp" \
	    -H 'Content-Type: application/xml' --data-binary "@$2"
}
# answer ASKER FILE: checks $T_DIR/resp as region 02's answer to FILE.
answer() {
	"$QT" response "$TL" "$OP" "$(id 02)" "$(id "$1")" "$2" "$T_DIR/resp"
}

# --- answers -------------------------------------------------------------------
query 01 search 12 >"$T_DIR/q1.xml" || { echo "FAIL - query_tool"; exit 1; }
code=$(ask 01 "$T_DIR/q1.xml")
[ "$code" = 200 ] && t_ok "region 02 answers a search signed by region 01 (200)" ||
    t_fail "region 02 answers a search signed by region 01 (200)" "HTTP $code: $(head -c 400 "$T_DIR/resp")"
cp "$T_DIR/resp" "$T_DIR/r1.xml"
t_expect 0 "the Response verifies as region 02's answer to this query" answer 01 "$T_DIR/q1.xml"
t_grep "it is ok and carries results" '^status=ok results=[1-9]' "$T_DIR/out"
t_expect 1 "the same Response is refused as the answer to another query" \
    "$QT" response "$TL" "$OP" "$(id 02)" "$(id 01)" "$TOP_SRCDIR/tests/query_tool.c" "$T_DIR/r1.xml"
t_grep "... because of the query digest" 'refused: error: .*[Dd]igest' "$T_DIR/out"
t_expect 1 "the Response is refused as another member's answer" \
    "$QT" response "$TL" "$OP" "$(id 03)" "$(id 01)" "$T_DIR/q1.xml" "$T_DIR/r1.xml"
t_grep "... because of its signer" 'refused: bad-signature' "$T_DIR/out"

query 01 stats >"$T_DIR/q2.xml"
code=$(ask 01 "$T_DIR/q2.xml")
answer 01 "$T_DIR/q2.xml" >"$T_DIR/out" 2>&1
[ "$code" = 200 ] && grep -q '^status=ok results=3' "$T_DIR/out" &&
    t_ok "statistics: three tables (capacity, supervision, prices)" ||
    t_fail "statistics: three tables (capacity, supervision, prices)" "HTTP $code: $(cat "$T_DIR/out")"
# The answer is in canonical form (attributes sorted): look at the tag.
grep -o '<Table [^>]*>' "$T_DIR/resp" | grep 'name="capacity"' | grep -q 'by="region"' &&
    t_ok "the tables are grouped as asked" || t_fail "the tables are grouped as asked" "$(head -c 400 "$T_DIR/resp")"

# A signed record about UNIT reaches region 02 through lvv's outbox.
cat >"$T_DIR/rec.xml" <<EOR
<?xml version="1.0" encoding="UTF-8"?>
<SupervisionRecord xmlns="urn:lasteri:1" Id="LVV-Q-0001">
  <Kind>complaint</Kind>
  <Unit>$UNIT</Unit>
  <UnitRegion>02</UnitRegion>
  <ProviderBusinessId>2345678-0</ProviderBusinessId>
  <Issuer>LVV</Issuer>
  <Opened>2026-09-02</Opened>
  <Status>open</Status>
  <PublicSummary>A complaint about night staffing.</PublicSummary>
  <Issued>2026-09-20T10:00:00Z</Issued>
</SupervisionRecord>
EOR
"$LASTERI" supervision issue "$T_DIR/rec.xml" -s "$M/lvv/admin.sock" >"$T_DIR/iss.log" 2>&1 ||
    t_fail "lvv issues a record about $UNIT" "$(cat "$T_DIR/iss.log")"
arrived() { nodes_curl thl 02 /v1/records/LVV-Q-0001 "$T_DIR/got" | grep -q 200; }
nodes_wait 10 arrived || t_fail "the record reaches region 02" "$(nodes_log lvv | tail -n 3)"
query lvv lookup "$UNIT" >"$T_DIR/q3.xml"
code=$(ask lvv "$T_DIR/q3.xml")
answer lvv "$T_DIR/q3.xml" >"$T_DIR/out" 2>&1
[ "$code" = 200 ] && grep -q '^status=ok results=1 ' "$T_DIR/out" &&
    t_ok "a supervisor's look-up returns the one signed record about the unit" ||
    t_fail "a supervisor's look-up returns the one signed record about the unit" "HTTP $code: $(cat "$T_DIR/out")"
sed -n 's/.*<SignedRecord>\([^<]*\)<.*/\1/p' "$T_DIR/resp" | base64 -d >"$T_DIR/rec-back.xml" 2>/dev/null
t_expect 0 "the record in the answer verifies offline with the issuer's signature" \
    "$LASTERI" verify --trust "$TL" --anchor "$OP" "$T_DIR/rec-back.xml"
t_grep "... signed by lvv" "signer=$(id lvv)" "$T_DIR/out"

query lvv provider 2345678-0 >"$T_DIR/q3p.xml"
code=$(ask lvv "$T_DIR/q3p.xml")
answer lvv "$T_DIR/q3p.xml" >"$T_DIR/out" 2>&1
[ "$code" = 200 ] && grep -q '^status=ok results=1 ' "$T_DIR/out" &&
    t_ok "a look-up by the provider's business ID finds the same record" ||
    t_fail "a look-up by the provider's business ID finds the same record" "HTTP $code: $(cat "$T_DIR/out")"
query lvv provider 1234567-1 >"$T_DIR/q3q.xml"
code=$(ask lvv "$T_DIR/q3q.xml")
answer lvv "$T_DIR/q3q.xml" >"$T_DIR/out" 2>&1
[ "$code" = 200 ] && grep -q '^status=ok results=0 ' "$T_DIR/out" &&
    t_ok "... and none for another provider" ||
    t_fail "... and none for another provider" "HTTP $code: $(cat "$T_DIR/out")"

# --- refusals, before any work -------------------------------------------------
code=$(ask 01 "$T_DIR/q1.xml")
answer 01 "$T_DIR/q1.xml" >"$T_DIR/out" 2>&1
[ "$code" = 409 ] && grep -q '^status=replayed' "$T_DIR/out" &&
    t_ok "the same query posted again is refused as replayed (409, signed)" ||
    t_fail "the same query posted again is refused as replayed (409, signed)" "HTTP $code: $(cat "$T_DIR/out")"

query 01 search 12 -400 60 >"$T_DIR/q4.xml"
code=$(ask 01 "$T_DIR/q4.xml")
answer 01 "$T_DIR/q4.xml" >"$T_DIR/out" 2>&1
[ "$code" = 400 ] && grep -q '^status=expired' "$T_DIR/out" &&
    t_ok "an expired query is refused (signed: expired)" ||
    t_fail "an expired query is refused (signed: expired)" "HTTP $code: $(cat "$T_DIR/out")"

query 01 search 12 120 60 >"$T_DIR/q5.xml"
code=$(ask 01 "$T_DIR/q5.xml")
answer 01 "$T_DIR/q5.xml" >"$T_DIR/out" 2>&1
[ "$code" = 400 ] && grep -q '^status=expired.*after now' "$T_DIR/out" &&
    t_ok "a query issued two minutes ahead is refused" ||
    t_fail "a query issued two minutes ahead is refused" "HTTP $code: $(cat "$T_DIR/out")"

query 01 search 12 >"$T_DIR/q6.xml"
code=$(ask 03 "$T_DIR/q6.xml")
answer 01 "$T_DIR/q6.xml" >"$T_DIR/out" 2>&1
[ "$code" = 403 ] && grep -q '^status=forbidden.*TLS' "$T_DIR/out" &&
    t_ok "region 01's query relayed over region 03's TLS connection is refused (403)" ||
    t_fail "region 01's query relayed over region 03's TLS connection is refused (403)" "HTTP $code: $(cat "$T_DIR/out")"
code=$(ask 01 "$T_DIR/q6.xml")
[ "$code" = 200 ] && t_ok "... and the refusal did not spend its nonce: region 01 itself is answered" ||
    t_fail "... and the refusal did not spend its nonce: region 01 itself is answered" "HTTP $code"

query lvv stats >"$T_DIR/q7.xml"
code=$(ask lvv "$T_DIR/q7.xml")
answer lvv "$T_DIR/q7.xml" >"$T_DIR/out" 2>&1
[ "$code" = 403 ] && grep -q '^status=forbidden' "$T_DIR/out" &&
    t_ok "a supervisor may not ask for statistics (403, signed: forbidden)" ||
    t_fail "a supervisor may not ask for statistics (403, signed: forbidden)" "HTTP $code: $(cat "$T_DIR/out")"

sed 's/<Nonce>/<Nonce>00/; s/<\/Nonce>/<\/Nonce>/' "$T_DIR/q6.xml" >"$T_DIR/q8.xml"
code=$(ask 01 "$T_DIR/q8.xml")
[ "$code" = 400 ] && grep -q 'bad-signature' "$T_DIR/resp" &&
    t_ok "a query changed after signing is refused (400 bad-signature)" ||
    t_fail "a query changed after signing is refused (400 bad-signature)" "HTTP $code: $(head -c 300 "$T_DIR/resp")"
printf '<Query xmlns="urn:lasteri:1"/>' >"$T_DIR/q9.xml"
code=$(ask 01 "$T_DIR/q9.xml")
[ "$code" = 400 ] && grep -q 'bad-request' "$T_DIR/resp" &&
    t_ok "a query that is not valid is refused (400 bad-request, unsigned)" ||
    t_fail "a query that is not valid is refused (400 bad-request, unsigned)" "HTTP $code: $(head -c 300 "$T_DIR/resp")"

nodes_stop 02
nodes_start 02 || exit 1
code=$(ask 01 "$T_DIR/q2.xml")
answer 01 "$T_DIR/q2.xml" >"$T_DIR/out" 2>&1
[ "$code" = 409 ] && grep -q '^status=replayed' "$T_DIR/out" &&
    t_ok "after a restart the captured query is still refused (the nonce is kept)" ||
    t_fail "after a restart the captured query is still refused (the nonce is kept)" "HTTP $code: $(cat "$T_DIR/out")"

# --- the query log ------------------------------------------------------------
t_expect 0 "lasteri queries lists the log" "$LASTERI" queries -s "$M/02/admin.sock" --format csv
tr -d '\r' <"$T_DIR/out" >"$T_DIR/log.csv"
t_grep "the header" '^at,asker,kind,status,results,ms,digest$' "$T_DIR/log.csv"
t_grep "region 01's search, ok" ",$(id 01),search,ok,[1-9][0-9]*,[0-9]+,[0-9a-f]{64}$" "$T_DIR/log.csv"
t_grep "lvv's look-up, one record" ",$(id lvv),lookup,ok,1," "$T_DIR/log.csv"
t_grep "the replay" ",$(id 01),search,replayed,0," "$T_DIR/log.csv"
t_grep "the refused statistics" ",$(id lvv),unknown,forbidden,0," "$T_DIR/log.csv"
if grep -q "$UNIT" "$T_DIR/log.csv"; then
	t_fail "the log names no unit" "$(grep "$UNIT" "$T_DIR/out")"
else
	t_ok "the log names no unit"
fi
t_expect 2 "--limit is checked" "$LASTERI" queries -s "$M/02/admin.sock" --limit 0
t_grep "... naming the option" 'limit' "$T_DIR/err"
"$LASTERI" queries -s "$M/02/admin.sock" --limit 2 --format csv >"$T_DIR/out" 2>&1
[ "$(wc -l <"$T_DIR/out")" -eq 3 ] && t_ok "--limit 2 gives two rows" ||
    t_fail "--limit 2 gives two rows" "$(cat "$T_DIR/out")"
nodes_curl 01 02 /metrics "$T_DIR/m" >/dev/null
curl -s --unix-socket "$M/02/admin.sock" http://x/metrics >"$T_DIR/m"
t_grep "the metrics count answers by kind and status (since the restart)" \
    'lasteri_queries_answered_total\{kind="statistics",status="replayed"\} 1' "$T_DIR/m"

# A query's nonce is committed before the answer leaves, without waiting
# for the disk (store_query.h): a node killed right after answering keeps
# it, and the captured query stays refused.
query 01 search >"$T_DIR/q11.xml"
code=$(ask 01 "$T_DIR/q11.xml")
nodes_stop 02 KILL
nodes_start 02 || exit 1
code2=$(ask 01 "$T_DIR/q11.xml")
[ "$code" = 200 ] && [ "$code2" = 409 ] && grep -q 'replayed' "$T_DIR/resp" &&
    t_ok "a node killed right after answering still refuses the captured query" ||
    t_fail "a node killed right after answering still refuses the captured query" "HTTP $code then $code2: $(head -c 300 "$T_DIR/resp")"

# Nonces an older lasterid kept in the database's table move to the nonce
# file when the node starts: a query answered before the upgrade stays
# refused after it.
query 01 search >"$T_DIR/q12.xml"
nonce=$(sed -n 's/.*<Nonce>\([0-9a-f]*\)<\/Nonce>.*/\1/p' "$T_DIR/q12.xml")
nodes_stop 02
/usr/bin/python3 -c 'import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
db.execute("INSERT INTO query_nonce(nonce, asker, expires) VALUES (?, ?, ?)",
    (sys.argv[2], sys.argv[3], int(time.time()) + 240))
db.commit()' "$M/02/node.db" "$nonce" "$(id 01)" || t_fail "a nonce row put in the old table" "$nonce"
nodes_start 02 || exit 1
code=$(ask 01 "$T_DIR/q12.xml")
[ -n "$nonce" ] && [ "$code" = 409 ] && grep -q 'replayed' "$T_DIR/resp" &&
    t_ok "a nonce from the old table is still spent after the node starts" ||
    t_fail "a nonce from the old table is still spent after the node starts" "nonce $nonce, HTTP $code: $(head -c 300 "$T_DIR/resp")"
t_grep "... moved into the nonce file, logged" 'query_nonces.*moved=1' "$M/02/log.start"
grep -q "$nonce" "$M/02/node.db-nonces" && t_ok "... and the nonce file holds it" ||
    t_fail "... and the nonce file holds it" "$(tail -n 3 "$M/02/node.db-nonces")"

# A log row no later nonce took along is committed by the timer (a commit
# that waits for the disk): it is in the database once the timer ran, so
# even a node killed then keeps it.
query 01 stats >"$T_DIR/q10.xml"
code=$(ask 01 "$T_DIR/q10.xml")
dg=$(sha256sum "$T_DIR/q10.xml" | cut -c1-64)
sleep 2	# the log timer runs a second after the row
nodes_stop 02 KILL
nodes_start 02 || exit 1
"$LASTERI" queries -s "$M/02/admin.sock" --format csv >"$T_DIR/out" 2>&1
[ "$code" = 200 ] && tr -d '\r' <"$T_DIR/out" | grep -q ",statistics,ok,3,[0-9]*,$dg\$" &&
    t_ok "a logged query survives the node killed after the log timer ran" ||
    t_fail "a logged query survives the node killed after the log timer ran" "HTTP $code, $dg: $(cat "$T_DIR/out")"
t_finish
