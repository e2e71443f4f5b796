#!/bin/sh
# test_startcheck.sh - what `lasterid -t` finds before a start would fail
# (issue 13, item 3): a TLS or signing key that does not match its
# certificate, member_id not listed or listed with other certificates, a
# certificate without the key usage its job needs, a trust list expired or
# not signed by the anchor; each one line naming the file and the reason.
# Also -V, the refusal to run as root without --allow-root, Debian's
# ssl-cert convention for keys (0640 root:ssl-cert accepted, 0644 and 0640
# with another group refused) and Type=notify readiness: READY=1 reaches
# NOTIFY_SOCKET only once the federation port answers, STOPPING=1 at stop.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/nodes.sh"

MKPKI=${LASTERI_CERTS_DIR:-$TOP_SRCDIR/certs}/mkpki
D=$T_DIR
PID=
PYPID=

for tool in openssl; do
	command -v $tool >/dev/null 2>&1 || { echo "skip: $tool is not installed"; exit 77; }
done
[ -x "$LASTERID" ] || { echo "FAIL - $LASTERID is not built"; exit 1; }
stop_all() {
	[ -z "$PID" ] || kill -KILL "$PID" 2>/dev/null
	[ -z "$PYPID" ] || kill -KILL "$PYPID" 2>/dev/null
}
trap 'stop_all; t_cleanup' EXIT

BASE=$(nodes_free_base 3) || { echo "FAIL - no free ports"; exit 1; }
"$LASTERI" pki init "$D/fed" --members "01 02" --trustlist --port-base "$BASE" \
    >"$D/pki.log" 2>&1 || { echo "FAIL - pki init: $(tail -n 2 "$D/pki.log")"; exit 1; }
"$MKPKI" "$D/fed" --members "03" >/dev/null || { echo "FAIL - mkpki 03"; exit 1; }
"$MKPKI" "$D/other" --members "01" >/dev/null || { echo "FAIL - mkpki other"; exit 1; }
NODES_DIR=$D/fed
N=$D/fed/members/01
N2=$D/fed/members/02
N3=$D/fed/members/03
ID01=$(cat "$N/member.id")
nodes_conf 01
CONF=$N/lasterid.conf
cp "$CONF" "$D/good.conf"

# check DESC PATTERN: lasterid -t must refuse CONF (exit 2) with a line
# matching PATTERN; then CONF is put back.
check() {
	t_expect 2 "lasterid -t refuses: $1" "$LASTERID" -t -c "$CONF"
	t_grep "  and says why: $1" "$2" "$D/err"
	[ -z "${T_VERBOSE:-}" ] || sed 's/^/  | /' "$D/err"
	cp "$D/good.conf" "$CONF"
}

t_expect 0 "lasterid -V prints the version" "$LASTERID" -V
t_grep "  as 'lasterid VERSION'" '^lasterid [0-9]+\.[0-9]+\.[0-9]+$' "$D/out"

t_expect 0 "lasterid -t accepts a configuration that starts" "$LASTERID" -t -c "$CONF"
t_grep "  and says so" 'configuration OK$' "$D/err"

# The unit make builds names the lasterid make installs, and is Type=notify.
U=$TOP_BUILDDIR/node/lasterid.service
prefix=$(sed -n 's/^prefix = //p' "$TOP_BUILDDIR/Makefile")
sbindir=$(sed -n 's/^sbindir = //p' "$TOP_BUILDDIR/Makefile" |
    sed 's|^[$][{]exec_prefix[}]|'"$prefix"'|')
t_grep "lasterid.service starts $sbindir/lasterid" "^ExecStart=$sbindir/lasterid -c " "$U"
t_grep "  after checking with -t" "^ExecStartPre=$sbindir/lasterid -t -c " "$U"
t_grep "  and waits for READY=1 (Type=notify)" '^Type=notify$' "$U"
t_expect 0 "  with no @VARIABLE@ left" sh -c "! grep -n '@[a-z]*@' '$U'"

# --- keys and certificates ------------------------------------------------------
nodes_set 01 federation tls_key "$N2/tls.key"
check "a TLS key that does not match its certificate" \
    "^lasterid: tls_key $N2/tls.key: does not match the certificate $N/tls.crt\$"

nodes_set 01 node sign_key "$N2/sign.key"
check "a signing key that does not match its certificate" \
    "^lasterid: sign_key $N2/sign.key: does not match the certificate $N/sign.crt\$"

nodes_set 01 node member_id "FI/GOV/1234567-1/nobody"
check "a member_id the trust list does not list" \
    "^lasterid: member_id FI/GOV/1234567-1/nobody: not listed in the trust list $D/fed/trustlist.xml\$"

nodes_set 01 federation tls_key "$N3/tls.key"
nodes_set 01 federation tls_cert "$N3/tls.crt"
check "a TLS certificate the trust list does not list for member_id" \
    "^lasterid: tls_cert $N3/tls.crt: SHA-256 [0-9a-f]{64} is not listed for member $ID01: the trust list .* lists other certificates"

nodes_set 01 node sign_key "$N3/sign.key"
nodes_set 01 node sign_cert "$N3/sign.crt"
check "a signing certificate the trust list does not list for member_id" \
    "^lasterid: sign_cert $N3/sign.crt: SHA-256 [0-9a-f]{64} is not listed for member $ID01"

# mkcert NAME EXTENSIONS: a certificate for 01's key from the federation CA.
mkcert() {
	printf '%s\n' "$2" >"$D/$1.ext"
	openssl req -new -key "$N/$3.key" -subj "/CN=$1" -out "$D/$1.csr" 2>/dev/null &&
	openssl x509 -req -in "$D/$1.csr" -CA "$D/fed/pki/ca.crt" \
	    -CAkey "$D/fed/pki/ca.key" -CAcreateserial -days 30 \
	    -extfile "$D/$1.ext" -out "$D/$1.crt" 2>/dev/null ||
	    { echo "FAIL - openssl $1"; exit 1; }
}
mkcert serveronly "basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth" tls
nodes_set 01 federation tls_cert "$D/serveronly.crt"
check "a TLS certificate without clientAuth" \
    "^lasterid: tls_cert $D/serveronly.crt: extendedKeyUsage lacks clientAuth"
mkcert nodigsig "basicConstraints = critical, CA:FALSE
keyUsage = critical, nonRepudiation" sign
nodes_set 01 node sign_cert "$D/nodigsig.crt"
check "a signing certificate without digitalSignature" \
    "^lasterid: sign_cert $D/nodigsig.crt: signer certificate lacks digitalSignature"

# --- the trust list ---------------------------------------------------------------
nodes_set 01 trust trust_anchor "$D/other/pki/operator.crt"
check "a trust list not signed by the trust_anchor" \
    "^lasterid: trust_list $D/fed/trustlist.xml: .*not signed by the trust_anchor $D/other/pki/operator.crt\$"
"$LASTERI" trust create --pki "$D/fed" --out "$D/old.xml" --port-base "$BASE" \
    --sequence 1 --quiet >/dev/null 2>&1 || { echo "FAIL - trust create"; exit 1; }
issued=$(date -u -d '@'$(($(date +%s) - 172800)) +%Y-%m-%dT%H:%M:%SZ)
expired=$(date -u -d '@'$(($(date +%s) - 86400)) +%Y-%m-%dT%H:%M:%SZ)
sed -i "s|<Issued>[^<]*</Issued>|<Issued>$issued</Issued>|; s|<Expires>[^<]*</Expires>|<Expires>$expired</Expires>|" "$D/old.xml"
"$LASTERI" trust sign --key "$D/fed/pki/operator.key" --cert "$D/fed/pki/operator.crt" \
    "$D/old.xml" "$D/old.signed.xml" >/dev/null 2>&1 || { echo "FAIL - trust sign"; exit 1; }
nodes_set 01 trust trust_list "$D/old.signed.xml"
check "an expired trust list" \
    "^lasterid: trust_list $D/old.signed.xml: trust list sequence 1 expired at $expired\$"

# Every problem is reported in one pass, one line each.
nodes_set 01 node member_id "FI/GOV/1234567-1/nobody"
nodes_set 01 federation tls_key "$N2/tls.key"
t_expect 2 "lasterid -t reports several problems at once" "$LASTERID" -t -c "$CONF"
t_grep "  the member" '^lasterid: member_id ' "$D/err"
t_grep "  the TLS key" '^lasterid: tls_key ' "$D/err"
t_grep "  and counts them" ': 2 problems; ' "$D/err"
cp "$D/good.conf" "$CONF"

# --- private key modes: Debian's ssl-cert convention ------------------------------
if getent group ssl-cert >/dev/null 2>&1; then
	chgrp ssl-cert "$N/tls.key" "$N/sign.key"
	chmod 640 "$N/tls.key" "$N/sign.key"
	t_expect 0 "keys 0640 root:ssl-cert are accepted" "$LASTERID" -t -c "$CONF"
	chmod 644 "$N/tls.key"
	t_expect 2 "a key readable by others (0644) is refused, even in ssl-cert" \
	    "$LASTERID" -t -c "$CONF"
	t_grep "  with the key-permission line" \
	    "\\[federation\\] tls_key: $N/tls.key: mode 0644: a private key must not be open to group or others" "$D/err"
	chmod 600 "$N/tls.key"
	chgrp "$(id -gn)" "$N/tls.key"
	chmod 660 "$N/sign.key"
	t_expect 2 "a key the ssl-cert group may write (0660) is refused" \
	    "$LASTERID" -t -c "$CONF"
	t_grep "  with the key-permission line" "sign_key: $N/sign.key: mode 0660: " "$D/err"
	chgrp "$(id -gn)" "$N/sign.key"
	chmod 640 "$N/sign.key"
	if [ "$(id -gn)" != ssl-cert ]; then
		t_expect 2 "a key 0640 in another group than ssl-cert is refused" \
		    "$LASTERID" -t -c "$CONF"
		t_grep "  with the key-permission line" "sign_key: $N/sign.key: mode 0640: " "$D/err"
	fi
	chmod 600 "$N/tls.key" "$N/sign.key"
else
	t_ok "skipped the ssl-cert cases: no group ssl-cert (apt-get install ssl-cert)"
fi

# --- root -------------------------------------------------------------------------
if [ "$(id -u)" -eq 0 ]; then
	t_expect 1 "lasterid refuses to run as root without --allow-root" \
	    "$LASTERID" -c "$CONF"
	t_grep "  in one line" '^lasterid: refusing to run as root .*--allow-root' "$D/err"
	[ "$(wc -l <"$D/err")" -eq 1 ] && t_ok "  and only that line" ||
	    t_fail "  and only that line" "$(cat "$D/err")"
else
	t_ok "skipped the root refusal: not running as root"
fi

# --- Type=notify ------------------------------------------------------------------
# notify.py binds NOTIFY_SOCKET, prints every message; at READY=1 it connects
# to the federation port and the admin socket and prints whether both answer.
cat >"$D/notify.py" <<'EOP'
import socket, sys, time
path, port, admin = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(1.0)
print("bound", flush=True)
end = time.monotonic() + 30
while time.monotonic() < end:
    try:
        msg = s.recv(4096).decode()
    except socket.timeout:
        continue
    for line in msg.split("\n"):
        print("msg " + line, flush=True)
    if "READY=1" in msg.split("\n"):
        ok = []
        try:
            socket.create_connection(("127.0.0.1", port), 2).close()
            ok.append("port")
        except OSError as e:
            print("port-refused " + str(e), flush=True)
        try:
            a = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            a.connect(admin)
            a.close()
            ok.append("admin")
        except OSError as e:
            print("admin-refused " + str(e), flush=True)
        print("at-ready " + " ".join(ok), flush=True)
    if "STOPPING=1" in msg.split("\n"):
        break
EOP
PORT=$(nodes_port 01)
/usr/bin/python3 "$D/notify.py" "$D/notify.sock" "$PORT" "$N/admin.sock" >"$D/notify.out" 2>&1 &
PYPID=$!
nodes_wait 10 grep -q '^bound' "$D/notify.out" || t_fail "notify.py binds" "$(cat "$D/notify.out")"
NOTIFY_SOCKET=$D/notify.sock "$LASTERID" -c "$CONF" --allow-root 2>"$D/node.log" &
PID=$!
t_expect 0 "READY=1 reaches NOTIFY_SOCKET" nodes_wait 20 grep -q '^msg READY=1$' "$D/notify.out"
nodes_wait 10 grep -q '^at-ready' "$D/notify.out"
t_grep "  when the federation port and the admin socket answer" '^at-ready port admin$' "$D/notify.out"
t_grep "  with a STATUS= naming the member" "^msg STATUS=serving member $ID01 on 127.0.0.1:$PORT" "$D/notify.out"
kill -TERM "$PID"
t_expect 0 "STOPPING=1 reaches NOTIFY_SOCKET at SIGTERM" nodes_wait 10 grep -q '^msg STOPPING=1$' "$D/notify.out"
i=0
while kill -0 "$PID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
wait "$PID" 2>/dev/null
t_expect 0 "the node stops cleanly" test $? -eq 0
PID=
wait "$PYPID" 2>/dev/null
PYPID=

t_finish
