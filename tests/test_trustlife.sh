#!/bin/bash
# test_trustlife.sh - the trust list's life cycle while a node runs (issue
# 9).  A member removed by a reload is refused on the connection it kept
# alive from before, not only on new ones.  A list that passes its Expires
# while the node runs stops it: no handshake, 503 "trust-expired" on a
# kept-alive connection, /health 503 with the reason, the outbox delivers
# nothing, one log line at level error; a valid list by SIGHUP resumes it
# all, the waiting record included.  tests/keepalive.py holds the
# kept-alive connection.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/nodes.sh"

for tool in curl awk /usr/bin/python3; do
	command -v $tool >/dev/null 2>&1 || { echo "skip: $tool is not installed"; exit 77; }
done
[ -x "$LASTERID" ] || { echo "FAIL - $LASTERID is not built"; exit 1; }
KEEP="/usr/bin/python3 $TOP_SRCDIR/tests/keepalive.py"
BG=
trap '[ -n "$BG" ] && kill "$BG" 2>/dev/null; nodes_stop_all; t_cleanup' EXIT

NODES_DIR=$T_DIR/fed
BASE=$(nodes_free_base 4) || { echo "FAIL - no free port base"; exit 1; }
"$LASTERI" pki init "$NODES_DIR" --regions 2 --trustlist --port-base "$BASE" \
    >"$T_DIR/pki.log" 2>&1 || { echo "FAIL - pki init: $(tail -n 3 "$T_DIR/pki.log")"; exit 1; }
M=$NODES_DIR/members
CA=$NODES_DIR/pki/ca.crt

# mklist SEQ OUT [EXPIRES-IN-SECONDS [DROP-CODE]]: a signed list of every
# member (but DROP-CODE), valid 90 days or for the given seconds.
mklist() {
	local u=$T_DIR/unsigned.xml exp
	"$LASTERI" trust create --pki "$NODES_DIR" --out "$u" --sequence "$1" \
	    --port-base "$BASE" --quiet >/dev/null 2>&1 ||
	    { echo "FAIL - trust create $1"; exit 1; }
	if [ -n "${3:-}" ]; then
		exp=$(date -u -d "@$(($(date +%s) + $3))" +%Y-%m-%dT%H:%M:%SZ)
		sed -i "s|<Expires>[^<]*</Expires>|<Expires>$exp</Expires>|" "$u"
	fi
	if [ -n "${4:-}" ]; then
		awk -v drop="$4" '
		    /<Member>/ { buf = $0 "\n"; inm = 1; keep = 1; next }
		    inm { buf = buf $0 "\n"; if ($0 ~ "<Code>" drop "</Code>") keep = 0
			  if (/<\/Member>/) { inm = 0; if (keep) printf "%s", buf }; next }
		    { print }' "$u" >"$u.tmp" && mv "$u.tmp" "$u"
	fi
	"$LASTERI" trust sign --key "$NODES_DIR/pki/operator.key" \
	    --cert "$NODES_DIR/pki/operator.crt" "$u" "$2" >/dev/null 2>&1 ||
	    { echo "FAIL - trust sign $1"; exit 1; }
}
metric() {	# metric CODE NAME-AND-LABELS: its value at CODE's node
	curl -s --max-time 5 --unix-socket "$M/$1/admin.sock" http://lasterid/metrics |
	    grep -v '^#' | grep -F "$2 " | sed 's/.* //'
}
has_metric() { [ "$(metric "$1" "$2")" = "$3" ]; }
# keep FROM TO OUT GO: keepalive.py in the background (BG): FROM's
# certificate, TO's /v1/health; its second request waits for GO.
keep() {
	rm -f "$4"
	$KEEP --port "$(nodes_port "$2")" --ca "$CA" --cert "$M/$1/tls.crt" \
	    --key "$M/$1/tls.key" --path /v1/health --then "$4" >"$3" 2>&1 &
	BG=$!
	nodes_wait 10 grep -q '^1 ' "$3"
}
# own_list CODE FILE: CODE's node reads its own copy of the list.
own_list() {
	cp "$2" "$M/$1/trustlist.xml"
	sed -i 's|^trust_list = .*|trust_list = trustlist.xml|' "$M/$1/lasterid.conf"
}

# --- a member removed by a reload, on its kept-alive connection -------------------
nodes_conf 01
own_list 01 "$NODES_DIR/trustlist.xml"
nodes_start 01 || exit 1
keep 02 01 "$T_DIR/k1" "$T_DIR/go1"
t_grep "02 is served on a kept-alive connection" '^1 200 -$' "$T_DIR/k1"
mklist 2 "$T_DIR/seq2-no02.xml" "" 02
cp "$T_DIR/seq2-no02.xml" "$M/01/trustlist.xml"
kill -HUP "$(nodes_pid 01)"
t_expect 0 "node 01 reloads a list without 02" nodes_wait 10 has_metric 01 lasteri_trust_list_sequence 2
touch "$T_DIR/go1"
wait "$BG"
BG=
if grep -Eq '^2 (403 forbidden|closed)$' "$T_DIR/k1"; then
	t_ok "02's next request on that connection is refused ($(tail -n 1 "$T_DIR/k1"))"
else
	t_fail "02's next request on that connection is refused" "$(cat "$T_DIR/k1")"
fi
t_expect 0 "a new connection from 02 is refused too" \
    sh -c "[ \"\$(curl -s --max-time 5 --cacert '$CA' --cert '$M/02/tls.crt' --key '$M/02/tls.key' -o /dev/null -w '%{http_code}' https://127.0.0.1:$(nodes_port 01)/v1/health)\" = 000 ]"
t_expect 0 "lvv, still listed, is served" \
    sh -c "[ \"\$(curl -s --max-time 5 --cacert '$CA' --cert '$M/lvv/tls.crt' --key '$M/lvv/tls.key' -o /dev/null -w '%{http_code}' https://127.0.0.1:$(nodes_port 01)/v1/health)\" = 200 ]"

# --- a list that expires while lvv runs -----------------------------------------------
# lvv's list expires 8 s after it is made; 02 (down for now) and 01 keep
# lists valid for 90 days.  lvv issues a record for 02 before that.
cat >"$T_DIR/rec.xml" <<'EOR'
<?xml version="1.0" encoding="UTF-8"?>
<SupervisionRecord xmlns="urn:lasteri:1" Id="LVV-REC-EXP1">
  <Kind>inspection-unannounced</Kind>
  <Unit>UNIT-A</Unit>
  <UnitRegion>02</UnitRegion>
  <ProviderBusinessId>2345678-0</ProviderBusinessId>
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
nodes_conf lvv "[outbox]
outbox_retry_min = 200ms
outbox_retry_max = 1s"
# The kept-alive connection must outlive the wait for the expiry.
sed -i 's/^idle_timeout = .*/idle_timeout = 60s/; s/^request_timeout = .*/request_timeout = 30s/' "$M/lvv/lasterid.conf"
nodes_conf 02
mklist 3 "$T_DIR/seq3-short.xml" 8
expires=$(date -u -d "$(sed -n 's/.*<Expires>\(.*\)<\/Expires>.*/\1/p' "$T_DIR/seq3-short.xml")" +%s)
own_list lvv "$T_DIR/seq3-short.xml"
nodes_start lvv || exit 1
LVV=$M/lvv/admin.sock
t_expect 0 "lvv issues a record for 02 (down) before its list expires" \
    "$LASTERI" supervision issue "$T_DIR/rec.xml" -s "$LVV"
keep 01 lvv "$T_DIR/k2" "$T_DIR/go2"
t_grep "01 is served by lvv on a kept-alive connection" '^1 200 -$' "$T_DIR/k2"
t_expect 0 "lvv's /health says ok before" \
    curl -sS -f --max-time 5 --unix-socket "$LVV" http://lasterid/health
now=$(date +%s)
[ "$now" -lt "$expires" ] || t_fail "the test reached lvv before its list expired" "now $now, expires $expires"
sleep $((expires - now + 1))

code=$(curl -s --max-time 5 --unix-socket "$LVV" -o "$T_DIR/health" -w '%{http_code}' http://lasterid/health)
t_expect 0 "after Expires lvv's /health answers 503 ($code)" test "$code" = 503
t_grep "with the reason in the body" 'status="trust-expired"' "$T_DIR/health"
t_expect 0 "a new handshake with lvv fails" \
    sh -c "[ \"\$(curl -s --max-time 5 --cacert '$CA' --cert '$M/01/tls.crt' --key '$M/01/tls.key' -o /dev/null -w '%{http_code}' https://127.0.0.1:$(nodes_port lvv)/v1/health)\" = 000 ]"
t_expect 0 "and is counted as trust-expired" \
    nodes_wait 5 has_metric lvv 'lasteri_tls_handshake_failures_total{reason="trust-expired"}' 1
touch "$T_DIR/go2"
wait "$BG"
BG=
t_grep "the kept-alive connection gets 503 trust-expired" '^2 503 trust-expired$' "$T_DIR/k2"
t_expect 0 "the expiry shows in the metrics" has_metric lvv lasteri_trust_list_expired 1
nodes_start 02 || exit 1
sleep 3
if curl -s --max-time 5 --unix-socket "$M/02/admin.sock" http://lasterid/metrics |
    grep -q 'endpoint="/v1/records",method="POST"'; then
	t_fail "lvv's outbox delivers nothing while its list is expired" \
	    "$(curl -s --max-time 5 --unix-socket "$M/02/admin.sock" http://lasterid/metrics | grep 'endpoint="/v1/records"')"
else
	t_ok "lvv's outbox delivers nothing while its list is expired"
fi
t_expect 0 "the record waits in lvv's outbox" has_metric lvv lasteri_outbox_pending 1
n=$(nodes_log lvv | grep -c 'event=trust_expired')
t_expect 0 "the expiry is logged once, at level error ($n)" test "$n" = 1
t_grep "the line names the list and says what stopped" \
    'level=error event=trust_expired path=.*/lvv/trustlist\.xml sequence=3 expires=' "$M/lvv/log.start"

# A valid list by SIGHUP: everything resumes.
mklist 4 "$T_DIR/seq4.xml"
cp "$T_DIR/seq4.xml" "$M/lvv/trustlist.xml"
kill -HUP "$(nodes_pid lvv)"
t_expect 0 "after SIGHUP with sequence 4 lvv's /health answers 200" \
    nodes_wait 5 curl -s -f --max-time 5 --unix-socket "$LVV" http://lasterid/health
t_grep "a valid list is logged" 'level=info event=trust_valid .*sequence=4 ' "$M/lvv/log.start"
t_expect 0 "01 gets in again" \
    sh -c "[ \"\$(curl -s --max-time 5 --cacert '$CA' --cert '$M/01/tls.crt' --key '$M/01/tls.key' -o /dev/null -w '%{http_code}' https://127.0.0.1:$(nodes_port lvv)/v1/health)\" = 200 ]"
delivered() {
	curl -s --max-time 5 --unix-socket "$M/02/admin.sock" http://lasterid/metrics |
	    grep -q 'endpoint="/v1/records",method="POST"'
}
t_expect 0 "the outbox delivers the waiting record to 02 again" nodes_wait 10 delivered
t_expect 0 "the metric says not expired" has_metric lvv lasteri_trust_list_expired 0

for c in 01 02 lvv; do nodes_stop $c; done
if cat "$M"/*/log.* | grep -E 'level=fatal|ERROR: AddressSanitizer|runtime error' >"$T_DIR/bad"; then
	t_fail "no fatal or sanitizer lines in the logs" "$(head -n 3 "$T_DIR/bad")"
else
	t_ok "no fatal or sanitizer lines in the logs"
fi
t_finish
