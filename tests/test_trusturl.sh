#!/bin/bash
# test_trusturl.sh - the trust list refreshed from trust_url (libcurl) and
# the admin /metrics.  An `openssl s_server -WWW` on 127.0.0.1 with a
# member's TLS certificate serves the list: node 01 takes a newer list on its
# trust_refresh interval, at start and on SIGHUP; a tampered list, a rolled
# back one, a server whose certificate is not from the trust list's CAs and
# a server that is down are refused with a log line and a metric while the
# old list stays in use.  A delivery pinned to a member's fingerprint never
# rides on a connection that an unpinned trust_url fetch opened to the same
# address.  Then /metrics is checked against issue 5 item 3:
# valid Prometheus text with requests by endpoint and status, TLS handshake
# failures by reason, outbox depth and oldest age, records stored and the
# trust list's sequence and expiry.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/nodes.sh"

MKPKI=${LASTERI_CERTS_DIR:-$TOP_SRCDIR/certs}/mkpki
for tool in curl openssl awk; do
	command -v $tool >/dev/null 2>&1 || { echo "skip: $tool is not installed"; exit 77; }
done
[ -x "$LASTERID" ] || { echo "FAIL - $LASTERID is not built"; exit 1; }
WWW_PID=
www_stop() {
	if [ -n "$WWW_PID" ]; then
		kill "$WWW_PID" 2>/dev/null
		wait "$WWW_PID" 2>/dev/null
	fi
	WWW_PID=
}
trap 'www_stop; nodes_stop_all; t_cleanup' EXIT

NODES_DIR=$T_DIR/fed
BASE=$(nodes_free_base 6) || { echo "FAIL - no free port base"; exit 1; }
"$LASTERI" pki init "$NODES_DIR" --regions 2 --trustlist --port-base "$BASE" \
    >"$T_DIR/pki.log" 2>&1 || { echo "FAIL - pki init: $(tail -n 3 "$T_DIR/pki.log")"; exit 1; }
# 03: same CA, not in sequence 1 (every later list has it); "other": another CA.
"$MKPKI" "$NODES_DIR" --members "03" >/dev/null || { echo "FAIL - mkpki 03"; exit 1; }
"$MKPKI" "$T_DIR/other" --members "02" >/dev/null || { echo "FAIL - mkpki other"; exit 1; }
M=$NODES_DIR/members
WPORT=$((BASE + 5))
WWW=$T_DIR/www
URL=https://127.0.0.1:$WPORT/trustlist.xml
mkdir -p "$WWW"

# mklist SEQ OUT: a list with sequence SEQ signed by the operator.
mklist() {
	"$LASTERI" trust create --pki "$NODES_DIR" --out "$T_DIR/unsigned.xml" \
	    --sequence "$1" --port-base "$BASE" --quiet >/dev/null 2>&1 &&
	    "$LASTERI" trust sign --key "$NODES_DIR/pki/operator.key" \
	    --cert "$NODES_DIR/pki/operator.crt" "$T_DIR/unsigned.xml" "$2" \
	    >/dev/null 2>&1 || { echo "FAIL - cannot make list $1"; exit 1; }
}
cp "$NODES_DIR/trustlist.xml" "$T_DIR/seq1.xml"
for s in 2 3 4; do mklist $s "$T_DIR/seq$s.xml"; done
mklist 5 "$T_DIR/seq5.xml"
sed 's/>FI</>XX</' "$T_DIR/seq5.xml" >"$T_DIR/tampered.xml"

# publish FILE: what the server hands out from now on (renamed into place,
# so that a fetch never sees half a file).
publish() { cp "$1" "$WWW/trustlist.xml.tmp" && mv "$WWW/trustlist.xml.tmp" "$WWW/trustlist.xml"; }

# www_start CERTDIR [PORT]: an HTTPS server for $WWW with CERTDIR's tls.crt
# on 127.0.0.1:PORT ($WPORT); waits at most 5 s until it accepts.
www_start() {
	local port=${2:-$WPORT}
	(cd "$WWW" && exec openssl s_server -WWW -quiet -accept "127.0.0.1:$port" \
	    -cert "$1/tls.crt" -key "$1/tls.key") >"$T_DIR/www.log" 2>&1 </dev/null &
	WWW_PID=$!
	nodes_wait 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" ||
	    { echo "FAIL - s_server did not start: $(cat "$T_DIR/www.log")"; exit 1; }
}

# Node 01 keeps its own copy of the list (a fetch rewrites it); 02 and lvv
# use the shared sequence 1 file.
SOCK=$M/01/admin.sock
conf01() {	# conf01 REFRESH
	nodes_conf 01 "[trust]
trust_url = $URL
trust_refresh = $1
[node]
log_debug = yes"
	sed -i 's|^trust_list = .*|trust_list = trustlist.xml|' "$M/01/lasterid.conf"
}
cp "$T_DIR/seq1.xml" "$M/01/trustlist.xml"

metrics() { curl -s --max-time 10 --unix-socket "$1" http://lasterid/metrics; }
metric() {	# metric NAME-AND-LABELS [SOCKET]: its value now (empty when absent)
	metrics "${2:-$SOCK}" | grep -v '^#' | grep -F "$1 " | sed 's/.* //'
}
wait_metric() {	# wait_metric NAME-AND-LABELS VALUE [SECONDS]
	local i=0 n=$((${3:-10} * 10))
	while [ "$(metric "$1")" != "$2" ] && [ $i -lt $n ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ "$(metric "$1")" = "$2" ]
}
at_least() {	# at_least NAME-AND-LABELS MIN
	local v
	v=$(metric "$1")
	[ -n "$v" ] && [ "${v%%.*}" -ge "$2" ]
}
log_has() { nodes_log 01 | grep -Eq -- "$1"; }
count_log() { nodes_log 01 | grep -Ec -- "$1"; }
health01() {	# health01 FROM: node 01's /v1/health with FROM's certificate
	[ "$(nodes_curl "$1" 01 /v1/health "$T_DIR/health")" = 200 ]
}
list_seq() { sed -n 's/.*<Sequence>\([0-9]*\)<\/Sequence>.*/\1/p' "$1"; }

# --- on the interval -----------------------------------------------------------
conf01 1s
t_expect 0 "lasterid -t accepts trust_url and trust_refresh = 1s" \
    "$LASTERID" -t -c "$M/01/lasterid.conf"
sed 's/^trust_refresh = 1s$/trust_refresh = 500ms/' "$M/01/lasterid.conf" >"$T_DIR/bad.conf"
sed -i "s|= \\([a-z]*\\)\\.\\(key\\|crt\\|sock\\|db\\|xml\\)\$|= $M/01/\\1.\\2|; s|= \\.\\./\\.\\./|= $NODES_DIR/|" "$T_DIR/bad.conf"
chmod 600 "$T_DIR/bad.conf"
t_expect 2 "trust_refresh under 1s is refused" "$LASTERID" -t -c "$T_DIR/bad.conf"
t_grep "the refusal names the key" '\[trust\] trust_refresh' "$T_DIR/err"
sed "s|^trust_url = .*|trust_url = http://127.0.0.1:$WPORT/trustlist.xml|; s/^trust_refresh = 500ms$/trust_refresh = 1s/" \
    "$T_DIR/bad.conf" >"$T_DIR/bad2.conf"
chmod 600 "$T_DIR/bad2.conf"
t_expect 2 "a plain http trust_url is refused" "$LASTERID" -t -c "$T_DIR/bad2.conf"
t_grep "the refusal names trust_url" '\[trust\] trust_url' "$T_DIR/err"

publish "$T_DIR/seq1.xml"
www_start "$M/thl"
nodes_start 01 || exit 1
if nodes_wait 10 log_has 'event=trust_fetch_unchanged'; then
	t_ok "node 01 fetches the list it already has and keeps it"
else
	t_fail "node 01 fetches the list it already has and keeps it" "$(nodes_log 01 | tail -n 5)"
fi
t_expect 0 "sequence 1 is in use" wait_metric lasteri_trust_list_sequence 1 1
if health01 03; then
	t_fail "03 (not in sequence 1) is refused"
else
	t_ok "03 (not in sequence 1) is refused"
fi

publish "$T_DIR/seq2.xml"
t_expect 0 "node 01 takes sequence 2 from the URL on its interval" \
    wait_metric lasteri_trust_list_sequence 2
t_expect 0 "the reload is logged with trigger=url" \
    log_has 'event=trust_reloaded trigger=url .*sequence=2 '
t_expect 0 "and counted as ok" at_least 'lasteri_trust_list_reloads_total{result="ok"}' 1
t_expect 0 "the list file now holds sequence 2" test "$(list_seq "$M/01/trustlist.xml")" = 2
t_expect 0 "the written file verifies" "$LASTERI" trust verify \
    --anchor "$NODES_DIR/pki/operator.crt" "$M/01/trustlist.xml"
t_expect 0 "no temporary file is left" test ! -e "$M/01/trustlist.xml.new"
t_expect 0 "03, listed in sequence 2, gets in now" health01 03
t_grep "health reports sequence 2" 'trustSequence="2"' "$T_DIR/health"

publish "$T_DIR/tampered.xml"
t_expect 0 "a tampered list is refused and counted" \
    wait_metric 'lasteri_trust_list_reloads_total{result="refused"}' 1
t_expect 0 "the refusal is logged with the reason and the kept sequence" \
    log_has "event=trust_fetch_refused url=$URL sequence_kept=2 msg=.*digest mismatch"
t_expect 0 "sequence 2 stays in use" test "$(metric lasteri_trust_list_sequence)" = 2
t_expect 0 "the list file still holds sequence 2" test "$(list_seq "$M/01/trustlist.xml")" = 2
t_expect 0 "the node keeps serving with the old list" health01 02

publish "$T_DIR/seq1.xml"
if nodes_wait 10 log_has 'event=trust_fetch_refused .*sequence_kept=2 .*sequence 1 is lower than the held 2'; then
	t_ok "a rolled-back list (sequence 1) is refused"
else
	t_fail "a rolled-back list (sequence 1) is refused" "$(nodes_log 01 | tail -n 3)"
fi
t_expect 0 "the rollback is counted as refused" at_least 'lasteri_trust_list_reloads_total{result="refused"}' 2
t_expect 0 "sequence 2 stays in use after the rollback" test "$(metric lasteri_trust_list_sequence)" = 2

www_stop
if nodes_wait 10 log_has 'event=trust_fetch_failed .*sequence_kept=2 msg=.*(connect|Connection)'; then
	t_ok "the server being down is logged"
else
	t_fail "the server being down is logged" "$(nodes_log 01 | tail -n 3)"
fi
t_expect 0 "and counted as fetch-failed, not refused" \
    at_least 'lasteri_trust_list_reloads_total{result="fetch-failed"}' 1
t_expect 0 "the node keeps serving peers" health01 02
t_expect 0 "and the admin socket" curl -sS -f --max-time 10 --unix-socket "$SOCK" http://lasterid/health
t_grep "with sequence 2" 'trustSequence="2"' "$T_DIR/out"

publish "$T_DIR/seq3.xml"
www_start "$T_DIR/other/members/02"
n=$(count_log 'peer certificate|certificate verify')
if nodes_wait 10 sh -c "[ \$(cat '$M/01'/log.* | grep -Ec 'event=trust_fetch_failed .*(peer certificate|certificate verify)') -gt $n ]"; then
	t_ok "a server with a certificate from another CA is not trusted"
else
	t_fail "a server with a certificate from another CA is not trusted" "$(nodes_log 01 | tail -n 3)"
fi
t_expect 0 "its list (sequence 3) is not taken" test "$(metric lasteri_trust_list_sequence)" = 2
www_stop
nodes_stop 01

# --- at start and on SIGHUP (the interval is an hour) --------------------------
conf01 1h
publish "$T_DIR/seq3.xml"
www_start "$M/thl"
nodes_start 01 || exit 1
t_expect 0 "at start the node fetches and takes sequence 3" \
    wait_metric lasteri_trust_list_sequence 3
publish "$T_DIR/seq4.xml"
sleep 2
t_expect 0 "with trust_refresh = 1h nothing is fetched in between" \
    test "$(metric lasteri_trust_list_sequence)" = 3
kill -HUP "$(nodes_pid 01)"
t_expect 0 "SIGHUP fetches sequence 4" wait_metric lasteri_trust_list_sequence 4
t_expect 0 "the SIGHUP fetch is logged" \
    log_has 'event=trust_reloaded trigger=url .*sequence=4 '
t_expect 0 "the file reload of SIGHUP is logged too" \
    log_has 'event=trust_reloaded trigger=sighup '
www_stop
n=$(count_log 'event=trust_fetch_failed')
kill -HUP "$(nodes_pid 01)"
if nodes_wait 10 sh -c "[ \$(cat '$M/01'/log.* | grep -c 'event=trust_fetch_failed') -gt $n ]"; then
	t_ok "SIGHUP with the server down logs the failed fetch"
else
	t_fail "SIGHUP with the server down logs the failed fetch" "$(nodes_log 01 | tail -n 3)"
fi
t_expect 0 "and sequence 4 stays in use" test "$(metric lasteri_trust_list_sequence)" = 4
t_expect 0 "node 01 still serves after SIGHUP" health01 03

# --- /metrics after some traffic -------------------------------------------------
# Traffic on 01: health from 02 (3 requests) and 03, an unknown path, and
# refused handshakes: no certificate, another CA, an unlisted certificate
# (02's signing certificate).
for i in 1 2 3; do health01 02 || t_fail "health from 02 ($i)"; done
code=$(nodes_curl 02 01 /v1/nope "$T_DIR/nope")
[ "$code" = 404 ] && t_ok "an unknown path is 404" || t_fail "an unknown path is 404" "got $code"
P01=$(nodes_port 01)
curl -s --max-time 10 -k -o /dev/null "https://127.0.0.1:$P01/v1/health" 2>/dev/null
curl -s --max-time 10 -k -o /dev/null --cert "$T_DIR/other/members/02/tls.crt" \
    --key "$T_DIR/other/members/02/tls.key" "https://127.0.0.1:$P01/v1/health" 2>/dev/null
curl -s --max-time 10 -k -o /dev/null --cert "$M/02/sign.crt" --key "$M/02/sign.key" \
    "https://127.0.0.1:$P01/v1/health" 2>/dev/null

# lvv fetches its trust list from 02's endpoint, where (02 being down) thl's
# node listens: a keep-alive server with a certificate of the trust list's
# CA, good enough for the unpinned fetch (it answers 404), but a delivery
# pinned to 02's fingerprint must not reuse that connection or its TLS
# session.  The record waits in lvv's outbox (no retry within the test).
P02=$(nodes_port 02)
nodes_conf thl "[node]
log_debug = yes"
sed -i "s/^listen = .*/listen = 127.0.0.1:$P02/" "$M/thl/lasterid.conf"
nodes_start thl || exit 1
nodes_conf lvv "[outbox]
outbox_retry_min = 1h
outbox_retry_max = 1h
[trust]
trust_url = https://127.0.0.1:$P02/trustlist.xml
trust_refresh = 1h"
nodes_start lvv || exit 1
LVV=$M/lvv/admin.sock
if nodes_wait 10 sh -c "grep -q 'event=trust_fetch_failed .*HTTP status 404' '$M/lvv/log.start'"; then
	t_ok "lvv's fetch from 02's port is answered 404 by thl's node and logged"
else
	t_fail "lvv's fetch from 02's port is answered 404 by thl's node and logged" "$(tail -n 3 "$M/lvv/log.start")"
fi
cat >"$T_DIR/rec.xml" <<'EOR'
<?xml version="1.0" encoding="UTF-8"?>
<SupervisionRecord xmlns="urn:lasteri:1" Id="LVV-REC-M1">
  <Kind>inspection-unannounced</Kind>
  <Unit>UNIT-M</Unit>
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
t_expect 0 "lvv issues a record for 02 (which is down)" \
    "$LASTERI" supervision issue "$T_DIR/rec.xml" -s "$LVV"
if nodes_wait 10 sh -c "'$LASTERI' supervision status -s '$LVV' | grep -Eq '^$(cat "$M/02/member.id") +1 '"; then
	t_ok "the delivery to the server on 02's port fails the pin and stays pending"
else
	t_fail "the delivery to the server on 02's port fails the pin and stays pending" \
	    "$("$LASTERI" supervision status -s "$LVV" 2>&1)"
fi
"$LASTERI" supervision status -s "$LVV" >"$T_DIR/status" 2>&1
t_grep "the outbox gives a TLS reason" 'tls-error' "$T_DIR/status"
metrics "$M/thl/admin.sock" >"$T_DIR/mthl"
t_grep "thl's node saw the fetch" 'endpoint="other",method="GET",status="404"\} 1$' "$T_DIR/mthl"
if grep -q 'endpoint="/v1/records"' "$T_DIR/mthl"; then
	t_fail "the pinned delivery did not reach thl's node" "$(grep /v1/records "$T_DIR/mthl")"
else
	t_ok "the pinned delivery did not reach thl's node"
fi
sleep 1

# prom_check FILE: valid Prometheus text exposition; prints what is wrong.
prom_check() {
	awk '
	function fail(msg) { print FILENAME ":" NR ": " msg ": " $0; bad = 1 }
	/^# HELP / {
		if ($3 !~ /^[a-zA-Z_:][a-zA-Z0-9_:]*$/) fail("bad HELP name")
		if ($3 in help) fail("HELP twice")
		help[$3] = 1; next
	}
	/^# TYPE / {
		if (NF != 4 || $4 !~ /^(counter|gauge|histogram|summary|untyped)$/) fail("bad TYPE")
		if ($3 in type) fail("TYPE twice")
		if ($3 in seen) fail("TYPE after samples")
		type[$3] = $4; cur = $3; next
	}
	/^#/ { next }
	/^$/ { fail("empty line"); next }
	{
		if (!match($0, /^[a-zA-Z_:][a-zA-Z0-9_:]*/)) { fail("bad metric name"); next }
		name = substr($0, 1, RLENGTH); rest = substr($0, RLENGTH + 1)
		if (substr(rest, 1, 1) == "{") {
			if (!match(rest, /^\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")*\}/)) {
				fail("bad labels"); next
			}
			rest = substr(rest, RLENGTH + 1)
		}
		if (rest !~ /^ [-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$/ && rest !~ /^ ([-+]Inf|NaN)$/)
			fail("bad value")
		if (!(name in type)) fail("sample without TYPE")
		if (!(name in help)) fail("sample without HELP")
		if (name != cur) fail("sample outside its family")
		if (type[name] == "counter" && name !~ /_total$/) fail("counter not named _total")
		seen[name] = 1
	}
	END { exit bad }
	' "$1"
}

metrics "$SOCK" >"$T_DIR/m01"
metrics "$LVV" >"$T_DIR/mlvv"
for f in m01 mlvv; do
	if prom_check "$T_DIR/$f" >"$T_DIR/prom.err"; then
		t_ok "$f: /metrics is valid Prometheus text (HELP, TYPE, name{labels} value)"
	else
		t_fail "$f: /metrics is valid Prometheus text (HELP, TYPE, name{labels} value)" "$(head -n 5 "$T_DIR/prom.err")"
	fi
done
for fam in lasteri_http_requests_total lasteri_tls_handshake_failures_total \
    lasteri_outbox_pending lasteri_outbox_oldest_age_seconds lasteri_records_stored \
    lasteri_trust_list_sequence lasteri_trust_list_expiry_timestamp_seconds; do
	t_grep "metrics have HELP and TYPE for $fam" "^# TYPE $fam (counter|gauge)$" "$T_DIR/m01"
done
# Since the restart: 03 once after SIGHUP, 02 three times above.
t_grep "requests by endpoint and status: /v1/health 200" \
    '^lasteri_http_requests_total\{listener="federation",endpoint="/v1/health",method="GET",status="200"\} 4$' "$T_DIR/m01"
t_grep "requests by endpoint and status: an unknown path 404" \
    '^lasteri_http_requests_total\{listener="federation",endpoint="other",method="GET",status="404"\} 1$' "$T_DIR/m01"
t_grep "requests by endpoint and status: admin /metrics" \
    '^lasteri_http_requests_total\{listener="admin",endpoint="/metrics",method="GET",status="200"\} [1-9][0-9]*$' "$T_DIR/m01"
t_grep "TLS handshake failures: no-certificate" '^lasteri_tls_handshake_failures_total\{reason="no-certificate"\} 1$' "$T_DIR/m01"
t_grep "TLS handshake failures: unknown-ca" '^lasteri_tls_handshake_failures_total\{reason="unknown-ca"\} 1$' "$T_DIR/m01"
t_grep "TLS handshake failures: unlisted-certificate" '^lasteri_tls_handshake_failures_total\{reason="unlisted-certificate"\} 1$' "$T_DIR/m01"
t_grep "trust list sequence 4" '^lasteri_trust_list_sequence 4$' "$T_DIR/m01"
expires=$(date -u -d "$(sed -n 's/.*<Expires>\(.*\)<\/Expires>.*/\1/p' "$T_DIR/seq4.xml")" +%s)
t_grep "trust list expiry is sequence 4's Expires ($expires)" \
    "^lasteri_trust_list_expiry_timestamp_seconds $expires\$" "$T_DIR/m01"
t_grep "node 01 has an empty outbox" '^lasteri_outbox_pending 0$' "$T_DIR/m01"
t_grep "node 01 stores no signed records" '^lasteri_records_stored\{signed="yes"\} 0$' "$T_DIR/m01"
t_grep "node 01 stores no unsigned records" '^lasteri_records_stored\{signed="no"\} 0$' "$T_DIR/m01"
t_grep "lvv's outbox depth is 1" '^lasteri_outbox_pending 1$' "$T_DIR/mlvv"
t_grep "lvv stores the record it issued, signed" '^lasteri_records_stored\{signed="yes"\} 1$' "$T_DIR/mlvv"
age1=$(metric lasteri_outbox_oldest_age_seconds "$LVV")
sleep 2
age2=$(metric lasteri_outbox_oldest_age_seconds "$LVV")
if awk -v a="$age1" -v b="$age2" 'BEGIN { exit !(a > 0.5 && b >= a + 1.5 && b < 60) }'; then
	t_ok "lvv's oldest outbox age is current at every scrape ($age1 s, then $age2 s)"
else
	t_fail "lvv's oldest outbox age is current at every scrape" "$age1 s, then 2 s later $age2 s"
fi
t_grep "lvv counts the issue request" \
    '^lasteri_http_requests_total\{listener="admin",endpoint="/admin/v1/supervision",method="POST",status="2[0-9][0-9]"\} 1$' "$T_DIR/mlvv"

nodes_stop lvv
nodes_stop thl
nodes_stop 01
if nodes_log 01 | grep -E 'level=(fatal|error)' >"$T_DIR/fatal"; then
	t_fail "node 01 logged no fatal error" "$(head -n 3 "$T_DIR/fatal")"
else
	t_ok "node 01 logged no fatal error"
fi
t_finish
