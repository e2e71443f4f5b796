#!/bin/bash
# test_records.sh - supervision records between nodes: lvv issues a signed
# record about a unit of region 02 and node 02 receives it (the stored bytes
# verify offline); delivery is idempotent; another document under a known Id
# is a conflict; a signer without role supervisor, an unsigned or tampered
# record and a body past the limit are refused; a record issued while its
# destination is down is delivered after it starts; and after kill -9 of the
# receiver in the middle of 50 deliveries every record arrives exactly once.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/nodes.sh"

DSIG_TOOL=$TOP_BUILDDIR/tests/dsig_tool
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
ID02=$(cat "$M/02/member.id")
RETRY="[outbox]
outbox_retry_min = 200ms
outbox_retry_max = 1s"
for c in 01 02 03; do nodes_conf $c; done
nodes_conf lvv "$RETRY"
sed -i 's/^request_timeout = 5s$/request_timeout = 5s\nbody_max = 64KiB/' "$M/02/lasterid.conf"
for c in 01 02 03 lvv; do nodes_start $c || exit 1; done
LVV=$M/lvv/admin.sock

# record ID UNIT [REGION]: an unsigned record (REGION "" leaves UnitRegion out).
record() {
	local region=${3-02}
	cat <<EOR
<?xml version="1.0" encoding="UTF-8"?>
<SupervisionRecord xmlns="urn:lasteri:1" Id="$1">
  <Kind>inspection-unannounced</Kind>
  <Unit>$2</Unit>
${region:+  <UnitRegion>$region</UnitRegion>
}  <ProviderBusinessId>2345678-0</ProviderBusinessId>
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

# get FROM ID: GET /v1/records/ID from node 02 with FROM's certificate;
# body in $T_DIR/got, status in $T_DIR/code.
get() {
	nodes_curl "$1" 02 "/v1/records/$2" "$T_DIR/got" >"$T_DIR/code"
	[ "$(cat "$T_DIR/code")" = 200 ]
}
arrived() { get 01 "$1"; }

# post FROM FILE: POST FILE to node 02's /v1/records with FROM's
# certificate; prints the status, the body is in $T_DIR/posted.
post() {
	nodes_curl "$1" 02 /v1/records "$T_DIR/posted" \
	    -H 'Content-Type: application/xml' --data-binary "@$2"
}

# --- issue, deliver, read back ------------------------------------------------
record REC-0001 UNIT-A >"$T_DIR/r1.xml"
t_expect 0 "lvv issues a record about a unit of region 02" \
    "$LASTERI" supervision issue "$T_DIR/r1.xml" -s "$LVV"
t_grep "the answer names the record and its digest" '^sha256  [0-9a-f]{64}$' "$T_DIR/out"
t_grep "the answer says where it goes" "delivery to $ID02 \\(region 02\\) queued" "$T_DIR/out"
if nodes_wait 10 arrived REC-0001; then
	t_ok "the record arrives at node 02"
else
	t_fail "the record arrives at node 02" "$(cat "$T_DIR/got" 2>/dev/null); $(nodes_log lvv | tail -n 5)"
fi
get 01 REC-0001
cp "$T_DIR/got" "$T_DIR/rec1.xml"
t_expect 0 "another member's GET returns signed bytes that verify offline" \
    "$LASTERI" verify --trust "$NODES_DIR/trustlist.xml" \
    --anchor "$NODES_DIR/pki/operator.crt" "$T_DIR/rec1.xml"
t_grep "the signer is lvv" "$(cat "$M/lvv/member.id")" "$T_DIR/out"
nodes_log 02 >"$T_DIR/log02"
t_grep "node 02 logged the stored record" 'event=record_stored record=REC-0001' "$T_DIR/log02"
t_expect 0 "lvv's outbox shows the delivery" "$LASTERI" supervision status -s "$LVV"
t_grep "status: nothing pending" '^pending    0 ' "$T_DIR/out"
t_grep "status: one delivered to 02" "^$ID02 +0 +0 +1 " "$T_DIR/out"
code=$(nodes_curl 01 02 /v1/records/NO-SUCH-RECORD "$T_DIR/got")
[ "$code" = 404 ] && t_ok "an unknown record Id gets 404" || t_fail "an unknown record Id gets 404" "got $code"

# --- idempotency and conflict -------------------------------------------------
code=$(post lvv "$T_DIR/rec1.xml")
[ "$code" = 200 ] && t_ok "the same record again is 200" || t_fail "the same record again is 200" "got $code: $(cat "$T_DIR/posted")"
t_grep "the receipt says duplicate" 'status="duplicate"' "$T_DIR/posted"
sed 's/One instructor on two night shifts\./Another text./' "$T_DIR/r1.xml" >"$T_DIR/r1b.xml"
"$DSIG_TOOL" sign "$M/lvv/sign.key" "$M/lvv/sign.crt" "$T_DIR/r1b.xml" "$T_DIR/r1b.signed" ||
    t_fail "dsig_tool signs a test record"
code=$(post lvv "$T_DIR/r1b.signed")
[ "$code" = 409 ] && t_ok "another document under a stored Id is 409" || t_fail "another document under a stored Id is 409" "got $code: $(cat "$T_DIR/posted")"
nodes_log 02 >"$T_DIR/log02"
t_grep "the conflict is logged" 'event=record_conflict record=REC-0001' "$T_DIR/log02"
t_expect 2 "lvv refuses to issue a second record under the same Id" \
    "$LASTERI" supervision issue "$T_DIR/r1b.xml" -s "$LVV"
t_grep "the refusal names the Id" 'REC-0001' "$T_DIR/err"

# --- refusals -----------------------------------------------------------------
record REC-THL UNIT-A >"$T_DIR/thl.xml"
"$DSIG_TOOL" sign "$M/thl/sign.key" "$M/thl/sign.crt" "$T_DIR/thl.xml" "$T_DIR/thl.signed"
code=$(post thl "$T_DIR/thl.signed")
[ "$code" = 403 ] && t_ok "a record signed by thl (no supervisor role) is refused" || t_fail "a record signed by thl (no supervisor role) is refused" "got $code: $(cat "$T_DIR/posted")"
t_grep "the refusal names the signer's roles" 'roles coordinator,auditor\) may not sign a SupervisionRecord' "$T_DIR/posted"
code=$(post lvv "$T_DIR/thl.xml")
[ "$code" = 400 ] && t_ok "an unsigned record is refused" || t_fail "an unsigned record is refused" "got $code: $(cat "$T_DIR/posted")"
sed 's/Night staffing needs correcting\./All fine./' "$T_DIR/rec1.xml" | sed 's/REC-0001/REC-TAMPER/' >"$T_DIR/tampered.xml"
code=$(post lvv "$T_DIR/tampered.xml")
[ "$code" = 400 ] && t_ok "a tampered record is refused" || t_fail "a tampered record is refused" "got $code: $(cat "$T_DIR/posted")"
t_grep "the refusal says bad-signature" 'bad-signature' "$T_DIR/posted"
code=$(get 01 REC-TAMPER; cat "$T_DIR/code")
[ "$code" = 404 ] && t_ok "nothing refused was stored" || t_fail "nothing refused was stored" "got $code"
head -c 70000 /dev/zero | tr '\0' 'x' >"$T_DIR/big.xml"
code=$(post lvv "$T_DIR/big.xml")
[ "$code" = 413 ] && t_ok "a body past body_max is 413" || t_fail "a body past body_max is 413" "got $code"
record REC-03 UNIT-C 03 >"$T_DIR/r03.xml"
"$DSIG_TOOL" sign "$M/lvv/sign.key" "$M/lvv/sign.crt" "$T_DIR/r03.xml" "$T_DIR/r03.signed"
code=$(post lvv "$T_DIR/r03.signed")
[ "$code" = 422 ] && t_ok "a record about another region's unit is 422" || t_fail "a record about another region's unit is 422" "got $code"
t_grep "the refusal says not this region's unit" "not this region's unit" "$T_DIR/posted"
record REC-NOREGION UNIT-UNKNOWN "" >"$T_DIR/noregion.xml"
t_expect 2 "issuing a record whose unit's region is unknown is refused" \
    "$LASTERI" supervision issue "$T_DIR/noregion.xml" -s "$LVV"
t_grep "the refusal names UnitRegion" 'UnitRegion' "$T_DIR/err"
t_expect 2 "issuing an already signed record is refused" \
    "$LASTERI" supervision issue "$T_DIR/r1b.signed" -s "$LVV"
t_grep "the refusal names the Signature" 'Signature' "$T_DIR/err"
code=$(nodes_curl 01 02 /v1/health "$T_DIR/got")
[ "$code" = 200 ] && t_ok "node 02 stays up after the refusals" || t_fail "node 02 stays up after the refusals" "got $code"

# --- destination down -----------------------------------------------------------
nodes_stop 02
record REC-0002 UNIT-A >"$T_DIR/r2.xml"
t_expect 0 "a record is issued while node 02 is down" \
    "$LASTERI" supervision issue "$T_DIR/r2.xml" -s "$LVV"
nodes_wait 5 sh -c "'$LASTERI' supervision status -s '$LVV' | grep -Eq '^$ID02 +1 .*(unreachable|error)'" &&
    t_ok "the outbox holds it with the reason" ||
    t_fail "the outbox holds it with the reason" "$("$LASTERI" supervision status -s "$LVV" 2>&1)"
nodes_start 02 || exit 1
if nodes_wait 15 arrived REC-0002; then
	t_ok "it is delivered after node 02 starts"
else
	t_fail "it is delivered after node 02 starts" "$("$LASTERI" supervision status -s "$LVV" 2>&1)"
fi
nodes_log lvv >"$T_DIR/loglvv"
t_grep "lvv logged the retries" 'event=outbox_retry record=REC-0002' "$T_DIR/loglvv"

# --- kill -9 of the receiver during 50 deliveries --------------------------------
for i in $(seq -w 1 50); do
	record "REC-K$i" UNIT-K >"$T_DIR/k$i.xml"
done
# Slow the deliveries down a little: issue the first 10, kill 02 once some
# have arrived, issue the rest while it is down.
for i in $(seq -w 1 10); do
	"$LASTERI" supervision issue "$T_DIR/k$i.xml" -s "$LVV" >/dev/null 2>&1 || t_fail "issue REC-K$i"
done
nodes_wait 10 arrived REC-K01
nodes_stop 02 KILL
for i in $(seq -w 11 50); do
	"$LASTERI" supervision issue "$T_DIR/k$i.xml" -s "$LVV" >/dev/null 2>&1 || t_fail "issue REC-K$i"
done
nodes_start 02 || exit 1
# and once more while it is receiving
sleep 0.3
nodes_stop 02 KILL
nodes_start 02 || exit 1
all_pending_done() {
	"$LASTERI" supervision status -s "$LVV" | grep -q '^pending    0 '
}
if nodes_wait 30 all_pending_done; then
	t_ok "lvv's outbox empties after the receiver's crashes"
else
	t_fail "lvv's outbox empties after the receiver's crashes" "$("$LASTERI" supervision status -s "$LVV" 2>&1)"
fi
missing=0
for i in $(seq -w 1 50); do
	get 03 "REC-K$i" || missing=$((missing + 1))
done
[ $missing -eq 0 ] && t_ok "all 50 records are at node 02" || t_fail "all 50 records are at node 02" "$missing missing"
"$LASTERI" supervision show --unit UNIT-K --db "$M/02/node.db" --format csv >"$T_DIR/k.csv" 2>"$T_DIR/k.err"
n=$(grep -c 'REC-K' "$T_DIR/k.csv")
[ "$n" = 50 ] && t_ok "node 02's store holds each of them exactly once" || t_fail "node 02's store holds each of them exactly once" "$n rows: $(head -c 300 "$T_DIR/k.err")"
"$LASTERI" supervision status -s "$LVV" >"$T_DIR/status"
t_grep "every delivery ended delivered, none parked" "^$ID02 +0 +0 +52 +0 +0 " "$T_DIR/status"
nodes_log 02 >"$T_DIR/log02"
t_grep "node 02 stored records of the batch" 'event=record_stored record=REC-K' "$T_DIR/log02"

# --- a malleated copy delivered first -----------------------------------------
# Anyone holding a signed record can make another valid signature over the
# same SignedInfo (ECDSA P-256: s -> n - s).  A listed member that posts such
# a copy before the genuine delivery must not turn it into a conflict: the
# same signed content is the same record.  lvv issues while node 02 is down,
# lvv stops (so its outbox cannot win the race), member 01 posts the copy.
nodes_stop 02
record REC-MAL UNIT-A >"$T_DIR/mal.xml"
t_expect 0 "lvv issues a record while node 02 is down" \
    "$LASTERI" supervision issue "$T_DIR/mal.xml" -s "$LVV"
code=$(nodes_curl 01 lvv /v1/records/REC-MAL "$T_DIR/mal.genuine")
[ "$code" = 200 ] && t_ok "the genuine signed bytes are read from lvv" || t_fail "the genuine signed bytes are read from lvv" "got $code"
nodes_stop lvv
t_expect 0 "dsig_tool makes the s -> n - s copy" \
    "$DSIG_TOOL" malleate "$T_DIR/mal.genuine" "$T_DIR/mal.copy"
if cmp -s "$T_DIR/mal.genuine" "$T_DIR/mal.copy"; then
	t_fail "the copy has other bytes" "identical"
else
	t_ok "the copy has other bytes"
fi
t_expect 0 "the copy still verifies offline" \
    "$LASTERI" verify --trust "$NODES_DIR/trustlist.xml" \
    --anchor "$NODES_DIR/pki/operator.crt" "$T_DIR/mal.copy"
nodes_start 02 || exit 1
code=$(post 01 "$T_DIR/mal.copy")
[ "$code" = 201 ] && t_ok "member 01 posts the copy first: 201" || t_fail "member 01 posts the copy first: 201" "got $code: $(cat "$T_DIR/posted")"
code=$(post 03 "$T_DIR/mal.genuine")
[ "$code" = 200 ] && t_ok "the genuine record after the copy is 200" || t_fail "the genuine record after the copy is 200" "got $code: $(cat "$T_DIR/posted")"
t_grep "its receipt says duplicate" 'status="duplicate"' "$T_DIR/posted"
sed 's/Night staffing needs correcting\./All fine./' "$T_DIR/r1.xml" | sed 's/REC-0001/REC-MAL/' >"$T_DIR/mal.other.xml"
"$DSIG_TOOL" sign "$M/lvv/sign.key" "$M/lvv/sign.crt" "$T_DIR/mal.other.xml" "$T_DIR/mal.other.signed" ||
    t_fail "dsig_tool signs another content under REC-MAL"
code=$(post 01 "$T_DIR/mal.other.signed")
[ "$code" = 409 ] && t_ok "another signed content under REC-MAL is still 409" || t_fail "another signed content under REC-MAL is still 409" "got $code: $(cat "$T_DIR/posted")"
nodes_start lvv || exit 1
mal_delivered() {
	"$LASTERI" supervision status -s "$LVV" | grep -Eq "^$ID02 +0 +0 +53 +0 +0 "
}
if nodes_wait 15 mal_delivered; then
	t_ok "lvv's outbox delivers the genuine record: delivered, not parked"
else
	t_fail "lvv's outbox delivers the genuine record: delivered, not parked" "$("$LASTERI" supervision status -s "$LVV" 2>&1)"
fi
# (stored bytes are the canonical form, so compare the SignatureValue)
sigval() { tr -d '\n' <"$1" | sed -n 's/.*<ds:SignatureValue>\([^<]*\)<.*/\1/p' | tr -d ' \r'; }
get 01 REC-MAL
if [ -n "$(sigval "$T_DIR/mal.copy")" ] &&
    [ "$(sigval "$T_DIR/got")" = "$(sigval "$T_DIR/mal.copy")" ] &&
    [ "$(sigval "$T_DIR/got")" != "$(sigval "$T_DIR/mal.genuine")" ]; then
	t_ok "node 02 keeps the copy it stored first"
else
	t_fail "node 02 keeps the copy it stored first" "$(sigval "$T_DIR/got") / $(sigval "$T_DIR/mal.copy")"
fi
nodes_log 02 >"$T_DIR/log02"
t_grep "node 02 logged the duplicate" 'event=record_duplicate record=REC-MAL' "$T_DIR/log02"

t_finish
