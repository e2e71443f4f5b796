#!/bin/bash
# test_records.sh - supervision records between nodes: lvv issues a signed
# record about a unit of region 02 and node 02 receives it (the stored bytes
# verify offline); delivery is idempotent; another document under a known Id
# is a conflict; a signer without role supervisor, an unsigned or tampered
# record and a body past the limit are refused; a record issued while its
# destination is down is delivered after it starts; and after kill -9 of the
# receiver in the middle of 50 deliveries every record arrives exactly once.
# Issue 9: a record must be signed by a member whose issuer codes hold its
# Issuer, have its Id in that issuer's namespace and be about a unit the
# receiving node keeps (its own store, not the record's UnitRegion); reads
# follow the role table; re-issuing reports the stored digest; a received
# suspension reaches search at once.
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
# Node 02 keeps units UNIT-A, UNIT-K and UNIT-S (region 02); node 01 UNIT-B.
unit() {	# unit ID REGION MUNICIPALITY
	sed -e "s/Id=\"SOTERI-08-0003\"/Id=\"$1\"/" -e "s/>08</>$2</g" \
	    -e "s/<Municipality>837</<Municipality>$3</" "$TOP_SRCDIR/tests/data/unit-08-0003.xml"
}
{ unit UNIT-A 02 186; unit UNIT-K 02 245; unit UNIT-S 02 858; } |
    sed -e '1!{/^<?xml/d}' -e '/<!--/d' |
    awk 'NR == 1 { print; print "<Dataset xmlns=\"urn:lasteri:1\" region=\"02\">"; next }
	{ sub(/<Unit xmlns="urn:lasteri:1"/, "<Unit"); print } END { print "</Dataset>" }' >"$T_DIR/units02.xml"
unit UNIT-B 01 020 >"$T_DIR/unit01.xml"
"$LASTERI" import --db "$M/02/node.db" --region 02 "$T_DIR/units02.xml" >"$T_DIR/imp.log" 2>&1 ||
    { echo "FAIL - units for node 02: $(cat "$T_DIR/imp.log")"; exit 1; }
"$LASTERI" import --db "$M/01/node.db" --region 01 "$T_DIR/unit01.xml" >"$T_DIR/imp.log" 2>&1 ||
    { echo "FAIL - unit for node 01: $(cat "$T_DIR/imp.log")"; exit 1; }
nodes_conf lvv "$RETRY"
sed -i 's/^request_timeout = 5s$/request_timeout = 5s\nbody_max = 64KiB/' "$M/02/lasterid.conf"
for c in 01 02 03 lvv; do nodes_start $c || exit 1; done
LVV=$M/lvv/admin.sock

# record ID UNIT [REGION [ISSUER [KIND]]]: an unsigned record (REGION ""
# leaves UnitRegion out).
record() {
	local region=${3-02} issuer=${4:-LVV} kind=${5:-inspection-unannounced}
	cat <<EOR
<?xml version="1.0" encoding="UTF-8"?>
<SupervisionRecord xmlns="urn:lasteri:1" Id="$1">
  <Kind>$kind</Kind>
  <Unit>$2</Unit>
${region:+  <UnitRegion>$region</UnitRegion>
}  <ProviderBusinessId>2345678-0</ProviderBusinessId>
  <Issuer>$issuer</Issuer>
  <Opened>2026-09-02</Opened>
$(case $kind in inspection-*) printf '  <VisitDate>2026-09-15</VisitDate>\n  <Announced>false</Announced>\n';; esac)
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
arrived() { get lvv "$1"; }

# post FROM FILE: POST FILE to node 02's /v1/records with FROM's
# certificate; prints the status, the body is in $T_DIR/posted.
post() {
	nodes_curl "$1" 02 /v1/records "$T_DIR/posted" \
	    -H 'Content-Type: application/xml' --data-binary "@$2"
}

# --- issue, deliver, read back ------------------------------------------------
record LVV-REC-0001 UNIT-A >"$T_DIR/r1.xml"
t_expect 0 "lvv issues a record about a unit of region 02" \
    "$LASTERI" supervision issue "$T_DIR/r1.xml" -s "$LVV"
t_grep "the answer names the record and its digest" '^sha256  [0-9a-f]{64}$' "$T_DIR/out"
t_grep "the answer says where it goes" "delivery to $ID02 \\(region 02\\) queued" "$T_DIR/out"
D1=$(sed -n 's/^sha256  //p' "$T_DIR/out")
if nodes_wait 10 arrived LVV-REC-0001; then
	t_ok "the record arrives at node 02"
else
	t_fail "the record arrives at node 02" "$(cat "$T_DIR/got" 2>/dev/null); $(nodes_log lvv | tail -n 5)"
fi
get thl LVV-REC-0001
cp "$T_DIR/got" "$T_DIR/rec1.xml"
t_expect 0 "an auditor's GET returns signed bytes that verify offline" \
    "$LASTERI" verify --trust "$NODES_DIR/trustlist.xml" \
    --anchor "$NODES_DIR/pki/operator.crt" "$T_DIR/rec1.xml"
t_grep "the signer is lvv" "$(cat "$M/lvv/member.id")" "$T_DIR/out"
nodes_log 02 >"$T_DIR/log02"
t_grep "node 02 logged the stored record" 'event=record_stored record=LVV-REC-0001' "$T_DIR/log02"
t_expect 0 "lvv's outbox shows the delivery" "$LASTERI" supervision status -s "$LVV"
t_grep "status: nothing pending" '^pending    0 ' "$T_DIR/out"
t_grep "status: one delivered to 02" "^$ID02 +0 +0 +1 " "$T_DIR/out"
code=$(nodes_curl 01 02 /v1/records/NO-SUCH-RECORD "$T_DIR/got")
[ "$code" = 404 ] && t_ok "an unknown record Id gets 404" || t_fail "an unknown record Id gets 404" "got $code"

# --- who may read a record (finding 10) ----------------------------------------
code=$(nodes_curl 01 02 /v1/records/LVV-REC-0001 "$T_DIR/got")
[ "$code" = 403 ] && t_ok "region 01 (not the issuer, not the unit's region, not an auditor) may not read it" ||
    t_fail "region 01 (not the issuer, not the unit's region, not an auditor) may not read it" "got $code"
t_grep "the refusal says who may" 'auditors, their issuer and the unit' "$T_DIR/got"
code=$(nodes_curl lvv 02 /v1/records/LVV-REC-0001 "$T_DIR/got")
[ "$code" = 200 ] && t_ok "its issuer lvv may read it" || t_fail "its issuer lvv may read it" "got $code"
code=$(nodes_curl 02 02 /v1/records/LVV-REC-0001 "$T_DIR/got")
[ "$code" = 200 ] && t_ok "the unit's region may read it" || t_fail "the unit's region may read it" "got $code"

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
t_grep "the conflict is logged" 'event=record_conflict record=LVV-REC-0001' "$T_DIR/log02"
t_expect 2 "lvv refuses to issue a second record under the same Id" \
    "$LASTERI" supervision issue "$T_DIR/r1b.xml" -s "$LVV"
t_grep "the refusal names the Id" 'LVV-REC-0001' "$T_DIR/err"

# --- refusals -----------------------------------------------------------------
record LVV-REC-THL UNIT-A >"$T_DIR/thl.xml"
"$DSIG_TOOL" sign "$M/thl/sign.key" "$M/thl/sign.crt" "$T_DIR/thl.xml" "$T_DIR/thl.signed"
code=$(post thl "$T_DIR/thl.signed")
[ "$code" = 403 ] && t_ok "a record signed by thl (no supervisor role) is refused" || t_fail "a record signed by thl (no supervisor role) is refused" "got $code: $(cat "$T_DIR/posted")"
t_grep "the refusal names the signer's roles" 'roles coordinator,auditor\) may not sign a SupervisionRecord' "$T_DIR/posted"
code=$(post lvv "$T_DIR/thl.xml")
[ "$code" = 400 ] && t_ok "an unsigned record is refused" || t_fail "an unsigned record is refused" "got $code: $(cat "$T_DIR/posted")"
sed 's/Night staffing needs correcting\./All fine./' "$T_DIR/rec1.xml" | sed 's/LVV-REC-0001/LVV-REC-TAMPER/' >"$T_DIR/tampered.xml"
code=$(post lvv "$T_DIR/tampered.xml")
[ "$code" = 400 ] && t_ok "a tampered record is refused" || t_fail "a tampered record is refused" "got $code: $(cat "$T_DIR/posted")"
t_grep "the refusal says bad-signature" 'bad-signature' "$T_DIR/posted"
code=$(get 01 LVV-REC-TAMPER; cat "$T_DIR/code")
[ "$code" = 404 ] && t_ok "nothing refused was stored" || t_fail "nothing refused was stored" "got $code"
head -c 70000 /dev/zero | tr '\0' 'x' >"$T_DIR/big.xml"
code=$(post lvv "$T_DIR/big.xml")
[ "$code" = 413 ] && t_ok "a body past body_max is 413" || t_fail "a body past body_max is 413" "got $code"
record LVV-REC-03 UNIT-C 03 >"$T_DIR/r03.xml"
"$DSIG_TOOL" sign "$M/lvv/sign.key" "$M/lvv/sign.crt" "$T_DIR/r03.xml" "$T_DIR/r03.signed"
code=$(post lvv "$T_DIR/r03.signed")
[ "$code" = 422 ] && t_ok "a record about another region's unit is 422" || t_fail "a record about another region's unit is 422" "got $code"
t_grep "the refusal says not this region's unit" "not-this-region.*UNIT-C is not one of this node's units" "$T_DIR/posted"
record LVV-REC-NOREGION UNIT-UNKNOWN "" >"$T_DIR/noregion.xml"
t_expect 2 "issuing a record whose unit's region is unknown is refused" \
    "$LASTERI" supervision issue "$T_DIR/noregion.xml" -s "$LVV"
t_grep "the refusal names UnitRegion" 'UnitRegion' "$T_DIR/err"
t_expect 2 "issuing an already signed record is refused" \
    "$LASTERI" supervision issue "$T_DIR/r1b.signed" -s "$LVV"
t_grep "the refusal names the Signature" 'Signature' "$T_DIR/err"
code=$(nodes_curl 01 02 /v1/health "$T_DIR/got")
[ "$code" = 200 ] && t_ok "node 02 stays up after the refusals" || t_fail "node 02 stays up after the refusals" "got $code"

# --- issue 9: a signed record cannot lie ----------------------------------------
ID01=$(cat "$M/01/member.id")
SOCK02=$M/02/admin.sock
has_unit_s() {	# has_unit_s: UNIT-S is in node 02's placement search
	"$LASTERI" search -s "$SOCK02" --age 14 --limit 100 --format csv >"$T_DIR/search" 2>&1 &&
	    grep -q 'UNIT-S' "$T_DIR/search"
}
has_unit_s && t_ok "UNIT-S is found by placement search at node 02" ||
    t_fail "UNIT-S is found by placement search at node 02" "$(head -c 400 "$T_DIR/search")"
# Finding 1: region 01 signs a suspension naming LVV as its issuer.
record LVV-FORGED-1 UNIT-S 02 LVV suspension >"$T_DIR/forged.xml"
"$DSIG_TOOL" sign "$M/01/sign.key" "$M/01/sign.crt" "$T_DIR/forged.xml" "$T_DIR/forged.signed"
code=$(post 01 "$T_DIR/forged.signed")
[ "$code" = 403 ] && t_ok "a record signed by region 01 naming LVV as issuer is refused (403)" ||
    t_fail "a record signed by region 01 naming LVV as issuer is refused (403)" "got $code: $(cat "$T_DIR/posted")"
t_grep "the refusal names the issuer and the real signer" "LVV.*$ID01|$ID01.*LVV" "$T_DIR/posted"
t_expect 1 "lasteri verify says no to it as well" \
    "$LASTERI" verify --trust "$NODES_DIR/trustlist.xml" --anchor "$NODES_DIR/pki/operator.crt" "$T_DIR/forged.signed"
has_unit_s && t_ok "the forged suspension did not hide UNIT-S" || t_fail "the forged suspension did not hide UNIT-S"
# Finding 2: an Id outside the issuer's namespace (squatting LVV's next Id).
record LVV-REC-0009 UNIT-A 02 HVA-01 guidance-visit >"$T_DIR/squat.xml"
"$DSIG_TOOL" sign "$M/01/sign.key" "$M/01/sign.crt" "$T_DIR/squat.xml" "$T_DIR/squat.signed"
code=$(post 01 "$T_DIR/squat.signed")
[ "$code" = 400 ] && t_ok "region 01 cannot take an Id in LVV's namespace" ||
    t_fail "region 01 cannot take an Id in LVV's namespace" "got $code: $(cat "$T_DIR/posted")"
t_grep "the refusal names the namespace rule" 'not in the namespace of its issuer HVA-01' "$T_DIR/posted"
record LVV-REC-0009 UNIT-A >"$T_DIR/r9.xml"
t_expect 0 "lvv issues the record under its own Id" "$LASTERI" supervision issue "$T_DIR/r9.xml" -s "$LVV"
nodes_wait 10 arrived LVV-REC-0009 && t_ok "and node 02 stores lvv's record" ||
    t_fail "and node 02 stores lvv's record" "$(cat "$T_DIR/got")"
# Finding 3: the sender's UnitRegion does not override the receiver's store.
record HVA-01-2026-1 UNIT-B 02 HVA-01 guidance-visit >"$T_DIR/own01.xml"
"$DSIG_TOOL" sign "$M/01/sign.key" "$M/01/sign.crt" "$T_DIR/own01.xml" "$T_DIR/own01.signed"
code=$(post 01 "$T_DIR/own01.signed")
[ "$code" = 422 ] && t_ok "a record about region 01's unit claiming UnitRegion 02 is refused (422)" ||
    t_fail "a record about region 01's unit claiming UnitRegion 02 is refused (422)" "got $code: $(cat "$T_DIR/posted")"
t_grep "the refusal says the unit is not this node's" 'UNIT-B is not one of this node' "$T_DIR/posted"
# Finding 13: issuing the same record again reports the stored digest.
t_expect 0 "issuing the same record again is accepted" "$LASTERI" supervision issue "$T_DIR/r1.xml" -s "$LVV"
t_grep "and reported as duplicate" '^status  duplicate' "$T_DIR/out"
t_grep "with the digest that was stored the first time" "^sha256  $D1\$" "$T_DIR/out"
curl -s --unix-socket "$LVV" http://lasteri/metrics >"$T_DIR/metrics" 2>/dev/null
t_grep "the metrics count it as a duplicate" 'lasteri_records_issued_total\{result="duplicate"\} 1' "$T_DIR/metrics"
# Finding 11: a received suspension reaches search at once.
record LVV-SUSP-1 UNIT-S 02 LVV suspension >"$T_DIR/susp.xml"
t_expect 0 "lvv issues a suspension of UNIT-S" "$LASTERI" supervision issue "$T_DIR/susp.xml" -s "$LVV"
nodes_wait 10 arrived LVV-SUSP-1 || t_fail "the suspension arrives at node 02"
has_unit_s && t_fail "the next search at node 02 no longer finds UNIT-S" "$(grep UNIT-S "$T_DIR/search")" ||
    t_ok "the next search at node 02 no longer finds UNIT-S"
# Finding 14: the node refuses another region's units unless told.
t_expect 2 "node 02 refuses to import region 01's unit" \
    "$LASTERI" import -s "$SOCK02" "$T_DIR/unit01.xml"
t_grep "the refusal names the unit and the regions" 'UNIT-B belongs to region 01, not 02' "$T_DIR/err"
t_expect 0 "with --allow-foreign-units it imports" \
    "$LASTERI" import -s "$SOCK02" --allow-foreign-units "$T_DIR/unit01.xml"

# --- destination down -----------------------------------------------------------
nodes_stop 02
record LVV-REC-0002 UNIT-A >"$T_DIR/r2.xml"
t_expect 0 "a record is issued while node 02 is down" \
    "$LASTERI" supervision issue "$T_DIR/r2.xml" -s "$LVV"
nodes_wait 5 sh -c "'$LASTERI' supervision status -s '$LVV' | grep -Eq '^$ID02 +1 .*(unreachable|error)'" &&
    t_ok "the outbox holds it with the reason" ||
    t_fail "the outbox holds it with the reason" "$("$LASTERI" supervision status -s "$LVV" 2>&1)"
nodes_start 02 || exit 1
if nodes_wait 15 arrived LVV-REC-0002; then
	t_ok "it is delivered after node 02 starts"
else
	t_fail "it is delivered after node 02 starts" "$("$LASTERI" supervision status -s "$LVV" 2>&1)"
fi
nodes_log lvv >"$T_DIR/loglvv"
t_grep "lvv logged the retries" 'event=outbox_retry record=LVV-REC-0002' "$T_DIR/loglvv"

# --- kill -9 of the receiver during 50 deliveries --------------------------------
for i in $(seq -w 1 50); do
	record "LVV-REC-K$i" UNIT-K >"$T_DIR/k$i.xml"
done
# Slow the deliveries down a little: issue the first 10, kill 02 once some
# have arrived, issue the rest while it is down.
for i in $(seq -w 1 10); do
	"$LASTERI" supervision issue "$T_DIR/k$i.xml" -s "$LVV" >/dev/null 2>&1 || t_fail "issue LVV-REC-K$i"
done
nodes_wait 10 arrived LVV-REC-K01
nodes_stop 02 KILL
for i in $(seq -w 11 50); do
	"$LASTERI" supervision issue "$T_DIR/k$i.xml" -s "$LVV" >/dev/null 2>&1 || t_fail "issue LVV-REC-K$i"
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
	get thl "LVV-REC-K$i" || missing=$((missing + 1))
done
[ $missing -eq 0 ] && t_ok "all 50 records are at node 02" || t_fail "all 50 records are at node 02" "$missing missing"
"$LASTERI" supervision show --unit UNIT-K --db "$M/02/node.db" --format csv >"$T_DIR/k.csv" 2>"$T_DIR/k.err"
n=$(grep -c 'LVV-REC-K' "$T_DIR/k.csv")
[ "$n" = 50 ] && t_ok "node 02's store holds each of them exactly once" || t_fail "node 02's store holds each of them exactly once" "$n rows: $(head -c 300 "$T_DIR/k.err")"
"$LASTERI" supervision status -s "$LVV" >"$T_DIR/status"
t_grep "every delivery ended delivered, none parked" "^$ID02 +0 +0 +54 +0 +0 " "$T_DIR/status"
nodes_log 02 >"$T_DIR/log02"
t_grep "node 02 stored records of the batch" 'event=record_stored record=LVV-REC-K' "$T_DIR/log02"

# --- a malleated copy delivered first -----------------------------------------
# Anyone holding a signed record can make another valid signature over the
# same SignedInfo (ECDSA P-256: s -> n - s).  A listed member that posts such
# a copy before the genuine delivery must not turn it into a conflict: the
# same signed content is the same record.  lvv issues while node 02 is down,
# lvv stops (so its outbox cannot win the race), member 01 posts the copy.
nodes_stop 02
record LVV-REC-MAL UNIT-A >"$T_DIR/mal.xml"
t_expect 0 "lvv issues a record while node 02 is down" \
    "$LASTERI" supervision issue "$T_DIR/mal.xml" -s "$LVV"
code=$(nodes_curl thl lvv /v1/records/LVV-REC-MAL "$T_DIR/mal.genuine")
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
sed 's/Night staffing needs correcting\./All fine./' "$T_DIR/r1.xml" | sed 's/LVV-REC-0001/LVV-REC-MAL/' >"$T_DIR/mal.other.xml"
"$DSIG_TOOL" sign "$M/lvv/sign.key" "$M/lvv/sign.crt" "$T_DIR/mal.other.xml" "$T_DIR/mal.other.signed" ||
    t_fail "dsig_tool signs another content under LVV-REC-MAL"
code=$(post 01 "$T_DIR/mal.other.signed")
[ "$code" = 409 ] && t_ok "another signed content under LVV-REC-MAL is still 409" || t_fail "another signed content under LVV-REC-MAL is still 409" "got $code: $(cat "$T_DIR/posted")"
nodes_start lvv || exit 1
mal_delivered() {
	"$LASTERI" supervision status -s "$LVV" | grep -Eq "^$ID02 +0 +0 +55 +0 +0 "
}
if nodes_wait 15 mal_delivered; then
	t_ok "lvv's outbox delivers the genuine record: delivered, not parked"
else
	t_fail "lvv's outbox delivers the genuine record: delivered, not parked" "$("$LASTERI" supervision status -s "$LVV" 2>&1)"
fi
# (stored bytes are the canonical form, so compare the SignatureValue)
sigval() { tr -d '\n' <"$1" | sed -n 's/.*<ds:SignatureValue>\([^<]*\)<.*/\1/p' | tr -d ' \r'; }
get thl LVV-REC-MAL
if [ -n "$(sigval "$T_DIR/mal.copy")" ] &&
    [ "$(sigval "$T_DIR/got")" = "$(sigval "$T_DIR/mal.copy")" ] &&
    [ "$(sigval "$T_DIR/got")" != "$(sigval "$T_DIR/mal.genuine")" ]; then
	t_ok "node 02 keeps the copy it stored first"
else
	t_fail "node 02 keeps the copy it stored first" "$(sigval "$T_DIR/got") / $(sigval "$T_DIR/mal.copy")"
fi
nodes_log 02 >"$T_DIR/log02"
t_grep "node 02 logged the duplicate" 'event=record_duplicate record=LVV-REC-MAL' "$T_DIR/log02"


# --- the checks off the loop, and on it (check_threads) -------------------------
# 40 records posted at once (8 at a time) by the default pool of 2 threads:
# each answered once, 201, and all stored; then the same checks with
# check_threads = 0 (on the event loop): stored, and each refusal still
# answered with its reason.
for i in $(seq 1 40); do
	record "LVV-POOL-$i" UNIT-K >"$T_DIR/pool$i.xml"
	"$DSIG_TOOL" sign "$M/lvv/sign.key" "$M/lvv/sign.crt" "$T_DIR/pool$i.xml" "$T_DIR/pool$i.signed" ||
	    t_fail "dsig_tool signs LVV-POOL-$i"
done
seq 1 40 | xargs -P 8 -I{} sh -c 'curl -sS --max-time 20 -o /dev/null -w "%{http_code}\n" \
    --cacert "$1/pki/ca.crt" --cert "$2/tls.crt" --key "$2/tls.key" \
    -H "Content-Type: application/xml" --data-binary "@$3/pool{}.signed" \
    "https://127.0.0.1:$4/v1/records"' _ "$NODES_DIR" "$M/lvv" "$T_DIR" "$(nodes_port 02)" >"$T_DIR/pool.codes" 2>&1
[ "$(grep -c '^201$' "$T_DIR/pool.codes")" = 40 ] && t_ok "40 records posted 8 at a time: 40 x 201" ||
    t_fail "40 records posted 8 at a time: 40 x 201" "$(sort "$T_DIR/pool.codes" | uniq -c)"
stored=$(/usr/bin/python3 -c 'import sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
print(db.execute("SELECT count(*) FROM supervision_records WHERE id LIKE ?", ("LVV-POOL-%",)).fetchone()[0])' "$M/02/node.db" 2>&1)
[ "$stored" = 40 ] && t_ok "all 40 are stored" || t_fail "all 40 are stored" "$stored"
nodes_stop 02
nodes_set 02 limits check_threads 0
nodes_start 02 || exit 1
record LVV-LOOP-1 UNIT-S >"$T_DIR/loop1.xml"
"$DSIG_TOOL" sign "$M/lvv/sign.key" "$M/lvv/sign.crt" "$T_DIR/loop1.xml" "$T_DIR/loop1.signed" ||
    t_fail "dsig_tool signs LVV-LOOP-1"
code=$(post lvv "$T_DIR/loop1.signed")
[ "$code" = 201 ] && t_ok "check_threads = 0: a record is stored (201)" || t_fail "check_threads = 0: a record is stored (201)" "got $code: $(cat "$T_DIR/posted")"
code=$(post lvv "$T_DIR/pool1.signed")
[ "$code" = 200 ] && t_ok "check_threads = 0: a stored one again is 200" || t_fail "check_threads = 0: a stored one again is 200" "got $code"
code=$(post lvv "$T_DIR/tampered.xml")
[ "$code" = 400 ] && grep -q bad-signature "$T_DIR/posted" && t_ok "check_threads = 0: a tampered record is 400 bad-signature" ||
    t_fail "check_threads = 0: a tampered record is 400 bad-signature" "got $code: $(cat "$T_DIR/posted")"
code=$(post lvv "$T_DIR/r03.signed")
[ "$code" = 422 ] && t_ok "check_threads = 0: another region's unit is 422" || t_fail "check_threads = 0: another region's unit is 422" "got $code"
code=$(post lvv "$T_DIR/r1b.signed")
[ "$code" = 409 ] && t_ok "check_threads = 0: another document under a stored Id is 409" || t_fail "check_threads = 0: another document under a stored Id is 409" "got $code"

t_finish
