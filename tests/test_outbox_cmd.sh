#!/bin/bash
# test_outbox_cmd.sh - the operator's outbox commands (issue 13, item 7):
# `lasteri supervision retry [--to CODE]` makes pending deliveries due at
# once instead of after their backoff; `lasteri supervision cancel ID`
# cancels a pending delivery (the row is kept in state cancelled, with a
# warning naming the admin socket's uid) and refuses a delivered record.
# Item 8: `supervision issue FILE` errors name FILE, not "request", and say
# the allowed values or form instead of libxml2's pattern or set.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/nodes.sh"

nodes_init 2
ID02=$(cat "$M/02/member.id")
# A failed attempt waits 60 s: only `retry` can make it sooner.
for c in 01 02; do nodes_conf $c; done
nodes_conf lvv "[outbox]
outbox_retry_min = 60s
outbox_retry_max = 120s"
nodes_unit UNIT-A 02 186 >"$T_DIR/unit02.xml"
"$LASTERI" import --db "$M/02/node.db" --region 02 "$T_DIR/unit02.xml" >"$T_DIR/imp.log" 2>&1 ||
    { echo "FAIL - unit for node 02: $(cat "$T_DIR/imp.log")"; exit 1; }
for c in 02 lvv; do nodes_start $c || exit 1; done
LVV=$M/lvv/admin.sock

record() { nodes_record "$1" UNIT-A 02; }	# an unsigned record about UNIT-A
arrived() {	# arrived ID: node 02 holds record ID
	[ "$(nodes_curl lvv 02 "/v1/records/$1" "$T_DIR/got")" = 200 ]
}
# row ID: state and last_error of ID's outbox row in lvv's database.
row() {
	/usr/bin/python3 - "$M/lvv/node.db" "$1" <<'EOP'
import sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
for r in db.execute("SELECT state, last_error FROM outbox WHERE record_id = ?", (sys.argv[2],)):
    print("%s|%s" % r)
EOP
}

# --- usage ---------------------------------------------------------------------
t_expect 0 "supervision --help names retry and cancel" "$LASTERI" supervision --help
t_grep "the help shows retry --to" 'supervision retry \[--to CODE\]' "$T_DIR/out"
t_grep "the help shows cancel ID" 'supervision cancel ID' "$T_DIR/out"
t_expect 2 "cancel without an ID is a usage error" "$LASTERI" supervision cancel -s "$LVV"
t_grep "the error says the ID is needed" 'record ID is needed' "$T_DIR/err"
t_expect 2 "retry --to an unknown member is refused" "$LASTERI" supervision retry --to 99 -s "$LVV"
t_grep "the refusal names the code" '99 is no member of the trust list' "$T_DIR/err"

# --- issue: errors name the file and say what is allowed ------------------------
record LVV-OB-BAD | sed 's|<Opened>2026-09-02<|<Opened>2026-9-02<|' >"$T_DIR/bad-date.xml"
t_expect 2 "a record with a malformed date is refused" \
    "$LASTERI" supervision issue "$T_DIR/bad-date.xml" -s "$LVV"
t_grep "the error names the file and line, not 'request'" \
    "^lasteri supervision: $T_DIR/bad-date\\.xml:8: Opened: '2026-9-02' is not a date YYYY-MM-DD" "$T_DIR/err"
record LVV-OB-BAD | sed 's|<Kind>[^<]*<|<Kind>castle<|' >"$T_DIR/bad-kind.xml"
t_expect 2 "a record with an unknown Kind is refused" \
    "$LASTERI" supervision issue "$T_DIR/bad-kind.xml" -s "$LVV"
t_grep "the error lists the allowed kinds" \
    "bad-kind\\.xml:3: Kind: 'castle' is not one of the allowed values: pre-inspection, .*, suspension or self-supervision-plan\$" "$T_DIR/err"
record LVV-OB-BAD | sed 's|<Issuer>LVV<|<Issuer>XYZ<|' >"$T_DIR/bad-issuer.xml"
t_expect 2 "a record with an unknown Issuer is refused" \
    "$LASTERI" supervision issue "$T_DIR/bad-issuer.xml" -s "$LVV"
t_grep "the error says the issuer codes' form" \
    "bad-issuer\\.xml:7: Issuer: 'XYZ' is not an issuer code: HVA-NN .*LVV" "$T_DIR/err"
record LVV-OB-BAD | sed 's|<ProviderBusinessId>[^<]*<|<ProviderBusinessId>123<|' >"$T_DIR/bad-yt.xml"
t_expect 2 "a record with a malformed Y-tunnus is refused" \
    "$LASTERI" supervision issue "$T_DIR/bad-yt.xml" -s "$LVV"
t_grep "the error says a Y-tunnus's form" \
    "bad-yt\\.xml:6: ProviderBusinessId: '123' is not a Y-tunnus: seven digits" "$T_DIR/err"
if grep -Eq "request|facet|pattern '" "$T_DIR/err"; then
	t_fail "no raw libxml2 words or 'request' in the error" "$(cat "$T_DIR/err")"
else
	t_ok "no raw libxml2 words or 'request' in the error"
fi

# --- retry: a delivery waiting for its backoff goes now ----------------------------
nodes_stop 02
record LVV-OB-1 >"$T_DIR/r1.xml"
t_expect 0 "a record is issued while node 02 is down" \
    "$LASTERI" supervision issue "$T_DIR/r1.xml" -s "$LVV"
if nodes_wait 10 sh -c "grep -q 'event=outbox_retry record=LVV-OB-1' '$M'/lvv/log.*"; then
	t_ok "the first attempt fails and waits for its backoff"
else
	t_fail "the first attempt fails and waits for its backoff" "$(nodes_log lvv | tail -n 5)"
fi
nodes_start 02 || exit 1
sleep 1
if arrived LVV-OB-1; then
	t_fail "without retry the record waits (backoff 60 s)"
else
	t_ok "without retry the record waits (backoff 60 s)"
fi
t_expect 0 "supervision retry --to 02 (a region code)" "$LASTERI" supervision retry --to 02 -s "$LVV"
t_grep "the answer names the member" "^to +$ID02\$" "$T_DIR/out"
t_grep "the answer says one delivery is due now" '^retry +1 pending delivery due now' "$T_DIR/out"
if nodes_wait 10 arrived LVV-OB-1; then
	t_ok "after retry the record arrives at once"
else
	t_fail "after retry the record arrives at once" "$(nodes_log lvv | tail -n 5)"
fi
t_expect 0 "supervision retry with nothing pending" "$LASTERI" supervision retry -s "$LVV"
t_grep "it says nothing is pending" '^retry +nothing pending$' "$T_DIR/out"

# --- cancel ----------------------------------------------------------------------
t_expect 2 "a delivered record cannot be cancelled" "$LASTERI" supervision cancel LVV-OB-1 -s "$LVV"
t_grep "the refusal says it was delivered" 'LVV-OB-1: nothing pending to cancel \(delivered already' "$T_DIR/err"
t_expect 2 "cancelling a record the outbox never held" "$LASTERI" supervision cancel NO-SUCH -s "$LVV"
t_grep "the refusal names the record" 'record NO-SUCH: no delivery of it in the outbox' "$T_DIR/err"

nodes_stop 02
record LVV-OB-2 >"$T_DIR/r2.xml"
t_expect 0 "another record is issued while node 02 is down" \
    "$LASTERI" supervision issue "$T_DIR/r2.xml" -s "$LVV"
nodes_wait 10 sh -c "grep -q 'event=outbox_retry record=LVV-OB-2' '$M'/lvv/log.*" ||
    t_fail "its first attempt fails" "$(nodes_log lvv | tail -n 5)"
t_expect 0 "supervision cancel LVV-OB-2" "$LASTERI" supervision cancel LVV-OB-2 -s "$LVV"
t_grep "the answer says one delivery was cancelled" '^cancelled +1: ' "$T_DIR/out"
nodes_log lvv >"$T_DIR/loglvv"
t_grep "a warning names who cancelled what" \
    "level=warn event=outbox_cancelled uid=$(id -u) record=LVV-OB-2 deliveries=1" "$T_DIR/loglvv"
t_grep "the row is kept, state cancelled, naming who" \
    "^cancelled\\|cancelled by admin-socket uid $(id -u)\$" <(row LVV-OB-2)
curl -s --unix-socket "$LVV" http://localhost/admin/v1/outbox >"$T_DIR/ob.xml"
t_grep "the outbox listing counts the cancelled delivery" '<Outbox [^>]* cancelled="1"' "$T_DIR/ob.xml"
t_expect 2 "cancelling it twice is refused" "$LASTERI" supervision cancel LVV-OB-2 -s "$LVV"
t_grep "the refusal says it is cancelled already" 'cancelled already' "$T_DIR/err"
nodes_start 02 || exit 1
t_expect 0 "retry after the cancel" "$LASTERI" supervision retry -s "$LVV"
t_grep "the cancelled delivery is not pending" '^retry +nothing pending$' "$T_DIR/out"
sleep 1
if arrived LVV-OB-2; then
	t_fail "the cancelled record is not delivered"
else
	t_ok "the cancelled record is not delivered"
fi
t_grep "the delivered row stays delivered" '^delivered\|' <(row LVV-OB-1)

t_finish
