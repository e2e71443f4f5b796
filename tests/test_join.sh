#!/bin/bash
# test_join.sh - joining a real federation (issue 13, item 1), the steps of
# the README's "Joining a federation" on two "hosts": the operator makes its
# CA (pki init --ca-only); each member makes its keys and certificate
# requests in its own directory (pki request); the operator signs them (pki
# sign), builds the trust list from its members file (trust create
# --members) and signs it (trust sign); the members install what they got
# and start on 127.0.0.2 and 127.0.0.3 under the host names a.lasteri.test
# and b.lasteri.test, which only their configurations resolve ([federation]
# resolve); a supervision record issued at A about a unit of B is delivered
# to B, A witnesses B's checkpoint, and a national search from A gets both
# regions ok.  Refusals: a
# malformed request (wildcard name, no member URI, a signing request naming
# hosts), a certificate from another CA in the members file, a bad endpoint
# URL or member ID in the members file (each names its line), a malformed
# resolve entry (names the configuration line).
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/nodes.sh"

for tool in curl openssl; do
	command -v $tool >/dev/null 2>&1 || { echo "skip: $tool is not installed"; exit 77; }
done
[ -x "$LASTERID" ] || { echo "FAIL - $LASTERID is not built"; exit 1; }
trap 'nodes_stop_all; t_cleanup' EXIT

NODES_DIR=$T_DIR/hosts
M=$NODES_DIR/members
A=$M/a				# host a.lasteri.test, 127.0.0.2
B=$M/b				# host b.lasteri.test, 127.0.0.3
OP=$T_DIR/operator		# the federation operator's machine
IDA=FI/GOV/3221010-9/lasteri	# region 01
IDB=FI/GOV/3221020-5/lasteri	# region 02
mkdir -p "$A" "$B"
chmod 700 "$NODES_DIR" "$M" "$A" "$B"
# One port for both: the addresses tell the nodes apart.
PORT=$(nodes_free_base 1) || { echo "FAIL - no free port"; exit 1; }

# --- the operator's CA ----------------------------------------------------------
t_expect 0 "the operator makes its CA and trust-list signer only" \
    "$LASTERI" pki init "$OP" --ca-only
t_expect 0 "no member keys are made for it" sh -c "! ls '$OP'/members/* 2>/dev/null"
t_expect 2 "--ca-only with --trustlist is refused" "$LASTERI" pki init "$OP" --ca-only --trustlist

# --- each member: keys and requests where they live ------------------------------
t_expect 0 "member A makes its keys and requests on its host" \
    "$LASTERI" pki request --member-id "$IDA" --host a.lasteri.test --out "$A"
cp "$T_DIR/out" "$T_DIR/reqA"
t_grep "it names the TLS request's host" "tls\.csr +TLS certificate request for $IDA: DNS:a\.lasteri\.test" "$T_DIR/reqA"
t_expect 0 "member B makes its keys and requests on its host" \
    "$LASTERI" pki request --member-id "$IDB" --host b.lasteri.test --ip 127.0.0.3 --out "$B"
for f in "$A/tls.key" "$A/sign.key" "$B/tls.key" "$B/sign.key"; do
	[ "$(stat -c %a "$f")" = 600 ] && t_ok "${f#"$NODES_DIR"/} has mode 0600" ||
	    t_fail "${f#"$NODES_DIR"/} has mode 0600" "$(stat -c %a "$f")"
done
t_expect 0 "no key is printed" sh -c "! grep -q PRIVATE '$T_DIR/reqA' '$T_DIR/out' '$T_DIR/err'"
cp "$A/tls.key" "$T_DIR/a-tls.key.before"
t_expect 0 "a second request keeps the key" \
    "$LASTERI" pki request --member-id "$IDA" --host a.lasteri.test --out "$A"
t_expect 0 "(the same key)" cmp -s "$A/tls.key" "$T_DIR/a-tls.key.before"
t_expect 2 "a request with a bad Y-tunnus check digit is refused" \
    "$LASTERI" pki request --member-id FI/GOV/3221010-1/lasteri --host a.lasteri.test --out "$T_DIR/x"
t_grep "it says why" "Y-tunnus check digit is wrong" "$T_DIR/err"
t_expect 2 "a --host that is not a host name is refused" \
    "$LASTERI" pki request --member-id "$IDA" --host 'a_b.test' --out "$T_DIR/x"
t_grep "it names the host" "--host 'a_b\.test' is not a DNS host name" "$T_DIR/err"

# --- the operator signs what the members sent ------------------------------------
mkdir -p "$OP/in/a" "$OP/in/b"
cp "$A"/*.csr "$OP/in/a/"
cp "$B"/*.csr "$OP/in/b/"
for h in a b; do
	for k in tls sign; do
		t_expect 0 "the operator signs $h's $k request" \
		    "$LASTERI" pki sign "$OP/in/$h/$k.csr" --ca "$OP" --days 365
		cp "$T_DIR/out" "$T_DIR/signed-$h-$k"
	done
done
t_grep "it prints what it signed: the kind" "^  kind +TLS" "$T_DIR/signed-b-tls"
t_grep "the member" "^  member +$IDB$" "$T_DIR/signed-b-tls"
t_grep "the names" "^  names +DNS:b\.lasteri\.test IP:127\.0\.0\.3$" "$T_DIR/signed-b-tls"
t_grep "the key usage of a signing certificate" "^  key usage +digitalSignature, nonRepudiation$" "$T_DIR/signed-b-sign"
openssl x509 -in "$OP/in/a/tls.crt" -noout -ext keyUsage,extendedKeyUsage,subjectAltName >"$T_DIR/ext" 2>&1
t_grep "the TLS certificate has serverAuth and clientAuth" "TLS Web Server Authentication, TLS Web Client Authentication" "$T_DIR/ext"
t_grep "and the member URI" "URI:urn:lasteri:member:$IDA" "$T_DIR/ext"
t_expect 0 "it chains to the federation CA" openssl verify -CAfile "$OP/pki/ca.crt" "$OP/in/a/tls.crt"

# Malformed requests, made with the OpenSSL command line.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T_DIR/x.key" 2>/dev/null
badreq() {	# badreq NAME SUBJECT EXTENSIONS...
	local name=$1 subj=$2 ext=()
	shift 2
	for x in "$@"; do ext+=(-addext "$x"); done
	openssl req -new -key "$T_DIR/x.key" -subj "$subj" "${ext[@]}" -out "$T_DIR/$name.csr" 2>/dev/null
}
badreq wild "/CN=x" "extendedKeyUsage=serverAuth,clientAuth" \
    "subjectAltName=DNS:*.lasteri.test,URI:urn:lasteri:member:$IDA"
t_expect 2 "a request for a wildcard name is refused" "$LASTERI" pki sign "$T_DIR/wild.csr" --ca "$OP"
t_grep "it says why" "REFUSED: subjectAltName DNS:\*\.lasteri\.test is not a host name" "$T_DIR/err"
badreq nouri "/CN=x" "extendedKeyUsage=serverAuth,clientAuth" "subjectAltName=DNS:c.lasteri.test"
t_expect 2 "a request without the member URI is refused" "$LASTERI" pki sign "$T_DIR/nouri.csr" --ca "$OP"
t_grep "it says why" "REFUSED: the subjectAltName must carry exactly one urn:lasteri:member:" "$T_DIR/err"
badreq signhost "/CN=x" "subjectAltName=DNS:c.lasteri.test,URI:urn:lasteri:member:$IDA"
t_expect 2 "a signing request naming a host is refused" "$LASTERI" pki sign "$T_DIR/signhost.csr" --ca "$OP"
t_grep "it says why" "REFUSED: a signing request names hosts" "$T_DIR/err"
badreq ou "/OU=FI\/GOV\/0000000-0\/other/CN=x" "subjectAltName=URI:urn:lasteri:member:$IDA"
t_expect 2 "a request whose OU is another member is refused" "$LASTERI" pki sign "$T_DIR/ou.csr" --ca "$OP"
t_grep "it says why" "REFUSED: the subject's OU .* is not the member ID" "$T_DIR/err"
badreq email "/CN=x/emailAddress=x@example.fi" "subjectAltName=URI:urn:lasteri:member:$IDA"
t_expect 2 "a request with an unexpected subject attribute is refused" "$LASTERI" pki sign "$T_DIR/email.csr" --ca "$OP"
t_grep "it names the attribute" "REFUSED: the subject has emailAddress" "$T_DIR/err"
t_expect 0 "no certificate is written for a refused request" sh -c "! ls '$T_DIR'/*.crt 2>/dev/null"
badreq asksca "/CN=x" "basicConstraints=critical,CA:TRUE" "keyUsage=critical,keyCertSign,cRLSign" \
    "subjectAltName=URI:urn:lasteri:member:$IDA"
t_expect 0 "a request asking to be a CA is signed under the operator's profile" \
    "$LASTERI" pki sign "$T_DIR/asksca.csr" --ca "$OP" --out "$T_DIR/asksca.pem"
openssl x509 -in "$T_DIR/asksca.pem" -noout -ext basicConstraints,keyUsage >"$T_DIR/ext" 2>&1
t_grep "it is not a CA" "CA:FALSE" "$T_DIR/ext"
t_expect 1 "and cannot sign certificates" grep -q "Certificate Sign" "$T_DIR/ext"

# --- the members file and the trust list -------------------------------------------
members() {	# members [TLS-CERT-OF-B [ENDPOINT-OF-B [ID-OF-B]]]
	cat <<EOM
# members.ini - the federation's members, kept by the operator
[01]
member_id = $IDA
name      = Itä-Uudenmaan hyvinvointialue
region    = 01
roles     = region supervisor
issuers   = HVA-01
endpoint  = https://a.lasteri.test:$PORT
tls_cert  = in/a/tls.crt
sign_cert = in/a/sign.crt

[02]
member_id = ${3:-$IDB}
name      = Keski-Uudenmaan hyvinvointialue
region    = 02
roles     = region supervisor
issuers   = HVA-02
endpoint  = ${2:-https://b.lasteri.test:$PORT}
tls_cert  = ${1:-in/b/tls.crt}
sign_cert = in/b/sign.crt
EOM
}
members >"$OP/members.ini"
t_expect 0 "the operator builds the trust list from its members file" \
    "$LASTERI" trust create --members "$OP/members.ini" --ca "$OP" --out "$OP/trustlist.unsigned.xml"
t_grep "it lists both members with their endpoints" "^  02 +$IDB https://b\.lasteri\.test:$PORT " "$T_DIR/err"
t_expect 0 "and signs it" "$LASTERI" trust sign --key "$OP/pki/operator.key" \
    --cert "$OP/pki/operator.crt" "$OP/trustlist.unsigned.xml" "$OP/trustlist.xml"
t_expect 0 "the signed list verifies against the operator's certificate" \
    "$LASTERI" trust verify --anchor "$OP/pki/operator.crt" "$OP/trustlist.xml"
"$LASTERI" trust show --format csv "$OP/trustlist.xml" >"$T_DIR/show" 2>&1
t_grep "the endpoint is the host name" "^01,$IDA,.*,https://a\.lasteri\.test:$PORT," "$T_DIR/show"

# Refusals, each naming the file and line.
"$LASTERI" pki init "$T_DIR/rogue" --ca-only >/dev/null 2>&1
"$LASTERI" pki sign "$OP/in/b/tls.csr" --ca "$T_DIR/rogue" --out "$OP/in/b/rogue.crt" >/dev/null 2>&1 ||
    t_fail "another CA signs B's request"
members in/b/rogue.crt >"$OP/bad1.ini"
t_expect 2 "a certificate signed by another CA is refused in the members file" \
    "$LASTERI" trust create --members "$OP/bad1.ini" --ca "$OP" --out "$T_DIR/x.xml"
t_grep "it names the line, member and key" "bad1\.ini:19: \[02\] tls_cert: .*rogue\.crt: the TLS certificate does not chain to a trust-list CA" "$T_DIR/err"
members "" "http://b.lasteri.test:$PORT" >"$OP/bad2.ini"
t_expect 2 "a bad endpoint URL is refused" \
    "$LASTERI" trust create --members "$OP/bad2.ini" --ca "$OP" --out "$T_DIR/x.xml"
t_grep "it names the line" "bad2\.ini:18: \[02\] endpoint: 'http://b\.lasteri\.test:$PORT' is not https://HOST\[:PORT\]" "$T_DIR/err"
members "" "https://b_lasteri.test:$PORT" >"$OP/bad3.ini"
t_expect 2 "an endpoint whose host is not a DNS name is refused" \
    "$LASTERI" trust create --members "$OP/bad3.ini" --ca "$OP" --out "$T_DIR/x.xml"
t_grep "it names the line" "bad3\.ini:18: \[02\] endpoint: .*the host is not a DNS name" "$T_DIR/err"
members "" "https://b.lasteri.test:99999" >"$OP/bad4.ini"
t_expect 2 "an endpoint with a bad port is refused" \
    "$LASTERI" trust create --members "$OP/bad4.ini" --ca "$OP" --out "$T_DIR/x.xml"
t_grep "it names the line" "bad4\.ini:18: \[02\] endpoint: .*the port is not a number 1\.\.65535" "$T_DIR/err"
members "" "https://c.lasteri.test:$PORT" >"$OP/bad5.ini"
t_expect 2 "an endpoint host the TLS certificate does not name is refused" \
    "$LASTERI" trust create --members "$OP/bad5.ini" --ca "$OP" --out "$T_DIR/x.xml"
t_grep "it names the line" "bad5\.ini:19: \[02\] tls_cert: .*does not name c\.lasteri\.test, the host of the endpoint \(line 18\)" "$T_DIR/err"
members "" "" "FI/GOV/3221020-4/lasteri" >"$OP/bad6.ini"
t_expect 2 "a member ID with a wrong check digit is refused" \
    "$LASTERI" trust create --members "$OP/bad6.ini" --ca "$OP" --out "$T_DIR/x.xml"
t_grep "it names the line" "bad6\.ini:13: \[02\] member_id: .*check digit is wrong" "$T_DIR/err"
members "" "" "FI/GOV/3221010-9/lasteri" >"$OP/bad7.ini"
sed -i 's,^issuers   = HVA-02,issuers   = HVA-02 HVA-01,' "$OP/bad7.ini"
t_expect 2 "a member whose certificates carry another member ID is refused" \
    "$LASTERI" trust create --members "$OP/bad7.ini" --ca "$OP" --out "$T_DIR/x.xml"
t_grep "it names the line" "bad7\.ini:(13|17|19): \[02\] (member_id|issuers|tls_cert): " "$T_DIR/err"
{ members; printf '\n[03]\nmember_id = FI/GOV/3221030-1/lasteri\ncolour = blue\n'; } >"$OP/bad8.ini"
t_expect 2 "an unknown key is refused" \
    "$LASTERI" trust create --members "$OP/bad8.ini" --ca "$OP" --out "$T_DIR/x.xml"
t_grep "it names the line" "bad8\.ini:24: " "$T_DIR/err"
t_expect 0 "no trust list was written for a refused file" test ! -e "$T_DIR/x.xml"

# --- the members install what they got and start ----------------------------------
for h in a b; do
	cp "$OP/in/$h/tls.crt" "$OP/in/$h/sign.crt" "$OP/pki/operator.crt" \
	    "$OP/trustlist.xml" "$M/$h/"
done
RESOLVE="a.lasteri.test:$PORT:127.0.0.2, b.lasteri.test:$PORT:127.0.0.3"
conf() {	# conf HOST ID ADDR
	cat >"$M/$1/lasterid.conf" <<EOC
[node]
member_id = $2
sign_key = sign.key
sign_cert = sign.crt

[federation]
listen = $3:$PORT
tls_key = tls.key
tls_cert = tls.crt
resolve = $RESOLVE

[trust]
trust_anchor = operator.crt
trust_list = trustlist.xml

[admin]
admin_socket = admin.sock

[store]
database = node.db

[limits]
request_timeout = 5s

[outbox]
outbox_retry_min = 200ms
outbox_retry_max = 1s

[log]
checkpoint_interval = 1s
witness_interval = 1s
EOC
	chmod 600 "$M/$1/lasterid.conf"
}
conf a "$IDA" 127.0.0.2
conf b "$IDB" 127.0.0.3
t_expect 0 "A's configuration passes lasterid -t" "$LASTERID" -t -c "$A/lasterid.conf"

# A malformed resolve entry is one line naming the file, line and key.
cp "$A/lasterid.conf" "$T_DIR/bad.conf"
sed -i "s/^resolve = .*/resolve = a.lasteri.test:$PORT:not-an-address/" "$T_DIR/bad.conf"
cp "$A"/*.crt "$A"/*.key "$A/trustlist.xml" "$T_DIR/" 2>/dev/null
t_expect 2 "lasterid -t refuses a malformed resolve entry" "$LASTERID" -t -c "$T_DIR/bad.conf"
t_grep "it names the line, key and entry" "bad\.conf:10: \[federation\] resolve: .*the address is not numeric IPv4 or \[IPv6\]" "$T_DIR/err"

# Units: B keeps UNIT-B2 (region 02), A keeps UNIT-A1 (region 01).
unit() {	# unit ID REGION MUNICIPALITY
	sed -e "s/Id=\"SOTERI-08-0003\"/Id=\"$1\"/" -e "s/>08</>$2</g" \
	    -e "s/<Municipality>837</<Municipality>$3</" "$TOP_SRCDIR/tests/data/unit-08-0003.xml"
}
unit UNIT-A1 01 020 >"$T_DIR/unitA.xml"
unit UNIT-B2 02 186 >"$T_DIR/unitB.xml"
"$LASTERI" import --db "$A/node.db" --region 01 "$T_DIR/unitA.xml" >"$T_DIR/imp" 2>&1 ||
    { echo "FAIL - import at A: $(cat "$T_DIR/imp")"; exit 1; }
"$LASTERI" import --db "$B/node.db" --region 02 "$T_DIR/unitB.xml" >"$T_DIR/imp" 2>&1 ||
    { echo "FAIL - import at B: $(cat "$T_DIR/imp")"; exit 1; }

if getent hosts a.lasteri.test >/dev/null 2>&1; then
	t_fail "a.lasteri.test is not in the system's resolver (the test must not depend on it)"
fi
nodes_start a || exit 1
nodes_start b || exit 1
t_expect 0 "A listens on 127.0.0.2" curl -s -o /dev/null --max-time 5 -k \
    --cert "$B/tls.crt" --key "$B/tls.key" "https://127.0.0.2:$PORT/v1/health"
t_expect 0 "and B on 127.0.0.3, on the same port" curl -s -o /dev/null --max-time 5 -k \
    --cert "$A/tls.crt" --key "$A/tls.key" "https://127.0.0.3:$PORT/v1/health"

# --- a record issued at A about a unit of B reaches B --------------------------------
cat >"$T_DIR/rec.xml" <<EOR
<?xml version="1.0" encoding="UTF-8"?>
<SupervisionRecord xmlns="urn:lasteri:1" Id="HVA-01-REC-0001">
  <Kind>inspection-unannounced</Kind>
  <Unit>UNIT-B2</Unit>
  <UnitRegion>02</UnitRegion>
  <ProviderBusinessId>2345678-0</ProviderBusinessId>
  <Issuer>HVA-01</Issuer>
  <Opened>2026-09-02</Opened>
  <VisitDate>2026-09-15</VisitDate>
  <Announced>false</Announced>
  <Finding category="staffing-level" severity="medium">One instructor on two night shifts.</Finding>
  <Status>follow-up</Status>
  <PublicSummary>Night staffing needs correcting.</PublicSummary>
  <Issued>2026-09-20T10:00:00Z</Issued>
</SupervisionRecord>
EOR
t_expect 0 "A issues a record about B's unit" "$LASTERI" supervision issue "$T_DIR/rec.xml" -s "$A/admin.sock"
t_grep "its delivery to B is queued" "delivery to $IDB \\(region 02\\) queued" "$T_DIR/out"
stored_at_b() { nodes_log b | grep -q 'event=record_stored record=HVA-01-REC-0001'; }
if nodes_wait 15 stored_at_b; then
	t_ok "B stores the record, delivered to https://b.lasteri.test:$PORT"
else
	t_fail "B stores the record, delivered to https://b.lasteri.test:$PORT" "$(nodes_log a | tail -n 5)"
fi
t_expect 0 "A's outbox shows it delivered" "$LASTERI" supervision status -s "$A/admin.sock"
t_grep "one delivered to B" "^$IDB +0 +0 +1 " "$T_DIR/out"

# Witnessing goes by the host names too: A keeps B's checkpoint.
witnessed_b() { nodes_log a | grep -q "event=witness_kept peer=$IDB "; }
if nodes_wait 15 witnessed_b; then
	t_ok "A witnesses B's checkpoint at https://b.lasteri.test:$PORT"
else
	t_fail "A witnesses B's checkpoint at https://b.lasteri.test:$PORT" "$(nodes_log a | grep witness | tail -n 3)"
fi

# --- a national search from A gets both regions --------------------------------------
"$LASTERI" search --national -s "$A/admin.sock" --age 14 --limit 100 --format csv --deadline 10s \
    >"$T_DIR/nat.raw" 2>"$T_DIR/nat.err"
tr -d '\r' <"$T_DIR/nat.raw" >"$T_DIR/nat"
n_ok=$(grep -Ec "^($IDA|$IDB),0[12],ok," "$T_DIR/nat")
[ "$n_ok" = 2 ] && t_ok "a national search from A: regions 01 and 02 answer ok" ||
    t_fail "a national search from A: regions 01 and 02 answer ok" "$(cat "$T_DIR/nat" "$T_DIR/nat.err")"
t_grep "it finds B's unit" "UNIT-B2" "$T_DIR/nat"

nodes_stop a
nodes_stop b
t_finish
