#!/bin/sh
# test_health.sh - honest health and status, and failures that are logged
# (issue 13, items 4 and 5).  /health answers 503 with one <Problem> per
# reason: an outbox delivery older than outbox_alarm_age (its destination
# down), a database file removed under the running node (with an error log
# line naming the path and why), a file system below 64 MiB free (and a
# write failing with SQLITE_FULL on it logged at level error), a trust list
# past its Expires (on the admin socket and on a kept-alive federation
# connection).  `lasteri status` shows every field.
# A handshake with an unlisted certificate is logged with the address,
# reason, subject and fingerprint, a burst once with a suppressed count on
# the next line; an admin body over admin_body_max gets 413 with the limit
# named, not a broken pipe; every delivery is an info line with member,
# path, status and ms.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/nodes.sh"

for tool in openssl curl; do
	command -v $tool >/dev/null 2>&1 || { echo "skip: $tool is not installed"; exit 77; }
done
[ -x "$LASTERID" ] || { echo "FAIL - $LASTERID is not built"; exit 1; }
MOUNTED=
trap 'nodes_stop_all; [ -z "$MOUNTED" ] || { sleep 0.5; umount "$MOUNTED"; }; t_cleanup' EXIT
KEEP="/usr/bin/python3 $TOP_SRCDIR/tests/keepalive.py"

NODES_DIR=$T_DIR/fed
BASE=$(nodes_free_base 4) || { echo "FAIL - no free port base"; exit 1; }
"$LASTERI" pki init "$NODES_DIR" --regions 1 --trustlist --port-base "$BASE" \
    >"$T_DIR/pki.log" 2>&1 || { echo "FAIL - pki init: $(tail -n 3 "$T_DIR/pki.log")"; exit 1; }
M=$NODES_DIR/members
CA=$NODES_DIR/pki/ca.crt
nodes_conf lvv "[outbox]
outbox_retry_min = 200ms
outbox_retry_max = 500ms
outbox_alarm_age = 2s
[admin]
admin_body_max = 4KiB"
# The kept-alive connection must outlive the wait for the expiry.
sed -i 's/^idle_timeout = .*/idle_timeout = 60s/; s/^request_timeout = .*/request_timeout = 30s/' "$M/lvv/lasterid.conf"
nodes_conf 01
nodes_start lvv || exit 1
SOCK=$M/lvv/admin.sock
DB=$M/lvv/node.db
ID01=$(cat "$M/01/member.id")
IDLVV=$(cat "$M/lvv/member.id")
LOG=$M/lvv/log.start
PORT=$(nodes_port lvv)

cat >"$T_DIR/rec.xml" <<'EOR'
<?xml version="1.0" encoding="UTF-8"?>
<SupervisionRecord xmlns="urn:lasteri:1" Id="LVV-HEALTH-1">
  <Kind>inspection-unannounced</Kind>
  <Unit>UNIT-H</Unit>
  <UnitRegion>01</UnitRegion>
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

health() {	# health: the admin /health status code; the body in $T_DIR/health
	curl -s --max-time 5 --unix-socket "$SOCK" -o "$T_DIR/health" \
	    -w '%{http_code}' http://lasterid/health
}
health_is() { [ "$(health)" = "$1" ]; }

# --- healthy ----------------------------------------------------------------------
t_expect 0 "a healthy node answers /health 200" health_is 200
t_grep "  status ok" 'status="ok"' "$T_DIR/health"
code=$(nodes_curl 01 lvv /v1/health "$T_DIR/fedhealth")
t_expect 0 "and /v1/health 200 on the federation port ($code)" test "$code" = 200

# --- a failed handshake: unlisted certificate -------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=intruder.example/O=Nobody" -keyout "$T_DIR/bad.key" \
    -out "$T_DIR/bad.crt" >/dev/null 2>&1
FPR=$(openssl x509 -in "$T_DIR/bad.crt" -noout -fingerprint -sha256 |
    sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')
handshake() {	# handshake: one TLS 1.3 handshake with the unlisted cert
	echo | openssl s_client -connect "127.0.0.1:$PORT" -CAfile "$CA" \
	    -cert "$T_DIR/bad.crt" -key "$T_DIR/bad.key" -quiet \
	    >/dev/null 2>&1
}
fails() { grep -c 'event=tls_handshake_failed' "$LOG"; }
handshake
nodes_wait 5 sh -c "grep -q 'event=tls_handshake_failed' '$LOG'"
t_grep "a failed handshake is logged with the address, reason, subject and fingerprint" \
    "level=warn event=tls_handshake_failed addr=127\.0\.0\.1 reason=unknown-ca subject=\"?/CN=intruder\.example/O=Nobody\"? fingerprint=$FPR suppressed=0" "$LOG"
first=$(date +%s)
for i in 1 2 3 4; do handshake; done
sleep 0.5
t_expect 0 "a burst from the same address adds no line ($(fails))" test "$(fails)" -eq 1

# --- an admin body over admin_body_max ------------------------------------------
head -c 20000 /dev/zero | tr '\0' 'x' >"$T_DIR/big"
code=$(curl -sS --max-time 10 --unix-socket "$SOCK" -o "$T_DIR/big.out" \
    -w '%{http_code}' -H 'Content-Type: application/xml' \
    --data-binary @"$T_DIR/big" http://lasterid/admin/v1/records 2>"$T_DIR/big.err")
t_expect 0 "an admin body over admin_body_max is answered 413 ($code), not a broken pipe" \
    test "$code" = 413
t_grep "  naming the limit" 'too large \(admin_body_max = 4096 bytes; this request has 20000\)' "$T_DIR/big.out"
t_expect 1 "  and the client saw no send failure" grep -qi 'broken pipe\|send failure\|reset' "$T_DIR/big.err"
t_grep "  and it is logged" 'event=admin_too_large content_length=20000 admin_body_max=4096' "$LOG"
{ sed -n 1p "$T_DIR/rec.xml"; printf '<!-- %s -->\n' "$(head -c 20000 /dev/zero | tr '\0' x)"
  sed -n '2,$p' "$T_DIR/rec.xml"; } >"$T_DIR/big.xml"
t_expect 2 "lasteri sending a record over admin_body_max gets the node's answer" \
    "$LASTERI" supervision issue "$T_DIR/big.xml" -s "$SOCK"
t_grep "  which names the limit" 'too large \(admin_body_max = 4096 bytes' "$T_DIR/err"
t_expect 0 "the node still answers" health_is 200

# --- outbox backlog --------------------------------------------------------------
t_expect 0 "lvv issues a record for region 01, which is down" \
    "$LASTERI" supervision issue "$T_DIR/rec.xml" -s "$SOCK"
t_expect 0 "  a failed delivery is an info line with member, path, status and ms" \
    nodes_wait 5 grep -Eq "level=info event=peer_request member=$ID01 method=POST path=/v1/records status=0 ms=[0-9]+ error=" "$LOG"
t_expect 0 "past outbox_alarm_age (2 s) /health answers 503" nodes_wait 6 health_is 503
t_grep "  with the reason outbox" '<Problem code="outbox">1 delivery pending; the oldest since .* to '"$ID01"'</Problem>' "$T_DIR/health"
t_grep "  logged once at level error" "level=error event=health problem=outbox " "$LOG"
code=$(nodes_curl 01 lvv /v1/health "$T_DIR/fedhealth")
t_expect 0 "  /v1/health answers a member 503 too ($code)" test "$code" = 503
t_grep "  with the reason, without this node's details" \
    '<Problem code="outbox">this node.s deliveries to other members are behind</Problem>' "$T_DIR/fedhealth"

# --- lasteri status --------------------------------------------------------------
t_expect 0 "lasteri status -s answers" "$LASTERI" status -s "$SOCK"
cp "$T_DIR/out" "$T_DIR/status"
for f in "version  *[0-9]" "member  *$IDLVV" "region  *-" "health  *outbox" \
    "trust-list  *.*trustlist\.xml" "trust-sequence  *[0-9]+" \
    "trust-expires  *20[0-9-]+T" "database  *.*/lvv/node\.db" \
    "database-size  *[0-9]+ bytes" "integrity-check  *ok quick check at 20" \
    "uptime  *[0-9]+ s" "$ID01  *1  *0  *0  *0  *(0  *)?20[0-9-]+T.*  *unreachable" \
    "level=warn event=tls_handshake_failed" "level=error event=health problem=outbox"; do
	t_grep "  shows $f" "$f" "$T_DIR/status"
done
t_expect 0 "lasteri status --format xml" "$LASTERI" status -s "$SOCK" --format xml
t_grep "  is a Status document" '<Status xmlns="urn:lasteri:1">' "$T_DIR/out"
t_expect 0 "lasteri status --format csv" "$LASTERI" status -s "$SOCK" --format csv
t_grep "  has the outbox (one table: table,field,value,destination,...)" "^outbox,,,$ID01,1,0,0,0,(0,)?" "$T_DIR/out"

# The destination comes back: delivered, healthy again.
nodes_start 01 || exit 1
t_expect 0 "01 up: delivered, /health 200 again" nodes_wait 10 health_is 200
t_grep "  the delivery is an info line with status and ms" \
    "level=info event=peer_request member=$ID01 method=POST path=/v1/records status=[1-5][0-9][0-9] ms=[0-9]+$" "$LOG"
t_grep "  and the recovery is logged" 'level=info event=health problem=outbox msg="resolved"' "$LOG"

# --- the burst's suppressed count --------------------------------------------------
now=$(date +%s)
[ $((now - first)) -ge 11 ] || sleep $((11 - (now - first)))
handshake
nodes_wait 5 sh -c "[ \$(grep -c 'event=tls_handshake_failed' '$LOG') -ge 2 ]"
t_grep "after 10 s the next failure is logged with the burst's suppressed count" \
    "event=tls_handshake_failed addr=127\.0\.0\.1 reason=unknown-ca .* suppressed=4$" "$LOG"

# --- the database removed under the running node ----------------------------------
mv "$DB" "$DB.away"
t_expect 0 "database file removed: /health answers 503" health_is 503
t_grep "  with the reason database, naming the file" \
    "<Problem code=\"database\">$DB: No such file or directory: the database file is missing" "$T_DIR/health"
t_grep "  and an error line names the path and the reason" \
    "level=error event=health problem=database msg=\"$DB: No such file or directory: the database file is missing" "$LOG"
mv "$DB.away" "$DB"
t_expect 0 "the file back: /health 200" health_is 200
t_grep "  and the recovery is logged" 'level=info event=health problem=database msg="resolved"' "$LOG"

# --- a full disk ------------------------------------------------------------------
# lvv again on a database in an 8 MiB tmpfs: below the 64 MiB free that
# /health wants; filled up, a write fails with SQLITE_FULL.  Needs mount(2)
# (root with CAP_SYS_ADMIN); skipped otherwise.
SMALL=$T_DIR/small
mkdir -p "$SMALL"
if mount -t tmpfs -o size=8m tmpfs "$SMALL" 2>/dev/null; then
	MOUNTED=$SMALL
	nodes_stop lvv
	nodes_set lvv store database "$SMALL/node.db"
	nodes_start lvv || exit 1
	t_expect 0 "a database on a file system with 8 MiB: /health answers 503" health_is 503
	t_grep "  with the reason disk-full" '<Problem code="disk-full">'"$SMALL"': [0-9]+ MiB free of 8 MiB \(below 64 MiB or 1 %\)' "$T_DIR/health"
	dd if=/dev/zero of="$SMALL/fill" bs=64k >/dev/null 2>&1
	sed 's/LVV-HEALTH-1/LVV-HEALTH-2/' "$T_DIR/rec.xml" >"$T_DIR/rec2.xml"
	t_expect 2 "the disk full, a record cannot be stored" \
	    "$LASTERI" supervision issue "$T_DIR/rec2.xml" -s "$SOCK"
	t_grep "  logged at level error with SQLite's message, errno and the reason" \
	    "level=error event=db_disk_full path=$SMALL/node.db what=.* code=\"database or disk is full\" errno=(ENOSPC|-) reason=\"disk full\" msg=" "$LOG"
	rm -f "$SMALL/fill"
	nodes_stop lvv
	nodes_set lvv store database node.db
	nodes_start lvv || exit 1
	umount "$SMALL" && MOUNTED=
else
	echo "# skip: the full-disk cases need mount(2) of a tmpfs"
fi

# --- the trust list expires ------------------------------------------------------
u=$T_DIR/unsigned.xml
"$LASTERI" trust create --pki "$NODES_DIR" --out "$u" --sequence 5 \
    --port-base "$BASE" --quiet >/dev/null 2>&1 || t_fail "trust create"
exp=$(($(date +%s) + 5))
sed -i "s|<Expires>[^<]*</Expires>|<Expires>$(date -u -d "@$exp" +%Y-%m-%dT%H:%M:%SZ)</Expires>|" "$u"
"$LASTERI" trust sign --key "$NODES_DIR/pki/operator.key" \
    --cert "$NODES_DIR/pki/operator.crt" "$u" "$T_DIR/short.xml" >/dev/null 2>&1 ||
    t_fail "trust sign"
cp "$T_DIR/short.xml" "$NODES_DIR/trustlist.xml"
kill -HUP "$(nodes_pid lvv)"
nodes_wait 5 grep -q 'event=trust_reloaded .*sequence=5' "$LOG"
rm -f "$T_DIR/go"
$KEEP --port "$PORT" --ca "$CA" --cert "$M/01/tls.crt" --key "$M/01/tls.key" \
    --path /v1/health --then "$T_DIR/go" >"$T_DIR/keep" 2>&1 &
nodes_wait 5 grep -q '^1 ' "$T_DIR/keep"
t_grep "before Expires, /v1/health answers 01 on a kept-alive connection" '^1 200 -$' "$T_DIR/keep"
now=$(date +%s)
[ "$now" -gt "$exp" ] || sleep $((exp - now + 1))
t_expect 0 "the list expired: /health answers 503" health_is 503
t_grep "  with the reason trust-expired" \
    '<Problem code="trust-expired">the trust list .*trustlist\.xml expired \(sequence 5\)' "$T_DIR/health"
touch "$T_DIR/go"
nodes_wait 5 grep -q '^2 ' "$T_DIR/keep"
t_grep "  and /v1/health 503 trust-expired on the federation port" '^2 503 trust-expired$' "$T_DIR/keep"

nodes_stop 01
nodes_stop lvv
t_finish
