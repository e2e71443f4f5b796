#!/bin/sh
# test_pki.sh - `lasteri pki init`, `lasteri trust create|sign|show|verify|
# cert-add|cert-retire` and the auditor's `lasteri verify`, end to end on a
# small test PKI.
. "$TOP_SRCDIR/tests/lib.sh"
command -v openssl >/dev/null 2>&1 || { echo "openssl not found"; exit 77; }

D=$T_DIR/fed
W=$T_DIR/work
mkdir -p "$W"

# --- the PKI ---------------------------------------------------------------
t_expect 0 "pki init creates a PKI" "$LASTERI" pki init "$D" --regions 2
cp "$T_DIR/out" "$W/init1.out"
t_grep "pki init reports what it created" "^created $D/pki/ca.crt$" "$W/init1.out"
t_grep "pki init reports a count" "^$D: [0-9]+ files created" "$W/init1.out"

missing=
for f in pki/ca.key pki/ca.crt pki/operator.key pki/operator.crt; do
	[ -s "$D/$f" ] || missing="$missing $f"
done
for c in 01 02 thl lvv; do
	for f in tls.key tls.crt sign.key sign.crt member.id; do
		[ -s "$D/members/$c/$f" ] || missing="$missing members/$c/$f"
	done
done
[ -z "$missing" ] && t_ok "the layout has every file" ||
	t_fail "the layout has every file" "missing:$missing"
[ ! -e "$D/members/03" ] && t_ok "--regions 2 makes only two regions" ||
	t_fail "--regions 2 makes only two regions"

bad=
for k in "$D"/pki/*.key "$D"/members/*/*.key; do
	m=$(stat -c %a "$k")
	[ "$m" = 600 ] || bad="$bad $k=$m"
done
for d in "$D" "$D/pki" "$D/members" "$D"/members/*; do
	m=$(stat -c %a "$d")
	[ "$m" = 700 ] || bad="$bad $d=$m"
done
[ -z "$bad" ] && t_ok "keys are 0600 and directories 0700" ||
	t_fail "keys are 0600 and directories 0700" "$bad"

id01=$(cat "$D/members/01/member.id")
echo "$id01" | grep -Eq '^FI/GOV/[0-9]{7}-[0-9]/lasteri$' &&
	t_ok "member IDs are X-Road style with a Y-tunnus" ||
	t_fail "member IDs are X-Road style with a Y-tunnus" "$id01"

# Y-tunnus check digit: weights 7 9 10 5 8 4 2, mod 11.
ycheck() {
	y=$(echo "$1" | cut -d/ -f3)
	set -- $(echo "$y" | sed 's/\(.\)/\1 /g')
	s=$(( $1 * 7 + $2 * 9 + $3 * 10 + $4 * 5 + $5 * 8 + $6 * 4 + $7 * 2 ))
	r=$(( s % 11 ))
	[ $r -ne 1 ] || return 1
	[ $r -eq 0 ] && c=0 || c=$(( 11 - r ))
	[ "$c" = "$9" ]
}
ok=1
for c in 01 02 thl lvv; do
	ycheck "$(cat "$D/members/$c/member.id")" || ok=0
done
[ $ok = 1 ] && t_ok "every Y-tunnus has a correct check digit" ||
	t_fail "every Y-tunnus has a correct check digit"

openssl x509 -in "$D/pki/ca.crt" -noout -text >"$W/ca.txt"
t_grep "the CA is a CA" "CA:TRUE" "$W/ca.txt"
t_grep "the CA signs certificates and CRLs" "Certificate Sign, CRL Sign" "$W/ca.txt"

openssl x509 -in "$D/members/01/sign.crt" -noout -text >"$W/sign.txt"
t_grep "the signing certificate is not a CA" "CA:FALSE" "$W/sign.txt"
t_grep "the signing certificate has digitalSignature and nonRepudiation only" \
    "^ *Digital Signature, Non Repudiation$" "$W/sign.txt"
grep -q "Extended Key Usage" "$W/sign.txt" &&
	t_fail "the signing certificate has no extended key usage" ||
	t_ok "the signing certificate has no extended key usage"

openssl x509 -in "$D/members/01/tls.crt" -noout -text >"$W/tls.txt"
t_grep "the TLS certificate is for servers and clients" \
    "TLS Web Server Authentication, TLS Web Client Authentication" "$W/tls.txt"
t_grep "the TLS certificate names 127.0.0.1, localhost and the member" \
    "IP Address:127.0.0.1, DNS:localhost, URI:urn:lasteri:member:$id01" "$W/tls.txt"
t_grep "the TLS certificate is not a CA" "CA:FALSE" "$W/tls.txt"

openssl x509 -in "$D/pki/operator.crt" -noout -text >"$W/op.txt"
t_grep "the operator certificate signs" "Digital Signature, Non Repudiation" "$W/op.txt"
t_expect 0 "every certificate chains to the CA" openssl verify \
    -CAfile "$D/pki/ca.crt" "$D/pki/operator.crt" "$D"/members/*/*.crt

# Leaves for two years, the CA for ten.
end=$(openssl x509 -in "$D/members/01/tls.crt" -noout -enddate | cut -d= -f2)
endca=$(openssl x509 -in "$D/pki/ca.crt" -noout -enddate | cut -d= -f2)
yl=$(( $(date -d "$end" +%Y) - $(date +%Y) ))
yc=$(( $(date -d "$endca" +%Y) - $(date +%Y) ))
[ "$yl" = 2 ] && [ "$yc" = 10 ] && t_ok "leaves last 2 years and the CA 10" ||
	t_fail "leaves last 2 years and the CA 10" "leaf +$yl, CA +$yc"

sum1=$(cat "$D"/pki/* "$D"/members/*/* | sha256sum)
t_expect 0 "a second pki init succeeds" "$LASTERI" pki init "$D" --regions 2
t_grep "a second pki init creates nothing" "^$D: 0 files created" "$T_DIR/out"
sum2=$(cat "$D"/pki/* "$D"/members/*/* | sha256sum)
[ "$sum1" = "$sum2" ] && t_ok "a second pki init keeps the material" ||
	t_fail "a second pki init keeps the material"

t_expect 2 "pki init refuses a bad --regions" "$LASTERI" pki init "$D" --regions 30
t_expect 2 "pki init refuses an unknown member code" "$LASTERI" pki init \
    "$T_DIR/other" --members "01 xx"
t_grep "the unknown member code is named" "member code 'xx'" "$T_DIR/err"
t_expect 0 "pki init --members makes exactly those members" "$LASTERI" pki \
    init "$T_DIR/two" --members "90 lvv"
[ "$(ls "$T_DIR/two/members" | tr '\n' ' ')" = "90 lvv " ] &&
	t_ok "--members 90 lvv made 90 and lvv only" ||
	t_fail "--members 90 lvv made 90 and lvv only" "$(ls "$T_DIR/two/members")"
t_expect 2 "pki init with a wrong LASTERI_CERTS_DIR fails" \
    env LASTERI_CERTS_DIR="$T_DIR/nowhere" "$LASTERI" pki init "$T_DIR/x"
t_grep "the wrong LASTERI_CERTS_DIR is named" "LASTERI_CERTS_DIR: $T_DIR/nowhere/mkpki" "$T_DIR/err"
t_expect 2 "pki without init is a usage error" "$LASTERI" pki "$D"

# --- the trust list ---------------------------------------------------------
U=$W/unsigned.xml
S=$W/trustlist.xml
t_expect 0 "trust create builds a list" "$LASTERI" trust create --pki "$D" \
    --out "$U" --sequence 3 --port-base 9100
t_grep "the list has the member 01" "<MemberId>$id01</MemberId>" "$U"
t_grep "the list lists regions as region and supervisor" \
    "<Roles>region supervisor</Roles>" "$U"
t_grep "the list lists thl as coordinator and auditor" \
    "<Roles>coordinator auditor</Roles>" "$U"
fpr=$(openssl x509 -in "$D/members/01/sign.crt" -outform DER | sha256sum | cut -c1-64)
t_grep "the list carries the signing certificate's SHA-256" \
    "<SigningCertificate sha256=\"$fpr\"/>" "$U"
t_grep "region 01 may sign for HVA-01" "<IssuerCode>HVA-01</IssuerCode>" "$U"
missing_iss=
for c in LVV AVI-ES AVI-LS AVI-LSS AVI-ISA AVI-PSA AVI-LA VALVIRA; do
	awk '/<Code>lvv</{m=1} /<\/Member>/{m=0} m' "$U" | grep -q "<IssuerCode>$c</IssuerCode>" ||
		missing_iss="$missing_iss $c"
done
[ -z "$missing_iss" ] && t_ok "lvv may sign for LVV and the authorities before it" ||
	t_fail "lvv may sign for LVV and the authorities before it" "missing:$missing_iss"
awk '/<Code>thl</{m=1} /<\/Member>/{m=0} m' "$U" | grep -q "<IssuerCode>" &&
	t_fail "thl may sign for no issuer" || t_ok "thl may sign for no issuer"
t_grep "endpoints start at the port base" "https://127.0.0.1:9100<" "$U"

t_expect 0 "trust sign signs it as the operator" "$LASTERI" trust sign \
    --key "$D/pki/operator.key" --cert "$D/pki/operator.crt" "$U" "$S"
t_grep "the signed list has an enveloped signature" "Signature" "$S"
if command -v xmlsec1 >/dev/null 2>&1; then
	t_expect 0 "the stock xmlsec1 verifies the signed list" xmlsec1 --verify \
	    --enabled-key-data x509 --trusted-pem "$D/pki/ca.crt" "$S"
else
	echo "skip - xmlsec1 not installed"
fi

t_expect 0 "trust show prints the list" "$LASTERI" trust show \
    --anchor "$D/pki/operator.crt" "$S"
t_grep "trust show prints the sequence" "^sequence +3$" "$T_DIR/out"
t_grep "trust show says the signature was verified" "^signature +verified" "$T_DIR/out"
t_grep "trust show prints each member" "^01 +$id01 +region,supervisor +https://127.0.0.1:9100 " "$T_DIR/out"
t_expect 0 "trust show --format csv" "$LASTERI" trust show --format csv "$S"
t_grep "trust show --format csv has whole fingerprints" \
    "^01,$id01,\"Itä-Uusimaa\",01,\"region,supervisor\",https://127.0.0.1:9100,[0-9a-f]{64},$fpr,HVA-01$" \
    "$T_DIR/out"
t_expect 0 "trust show without an anchor" "$LASTERI" trust show "$S"
t_grep "trust show without an anchor says so" "not checked" "$T_DIR/out"

t_expect 0 "trust verify accepts the operator's list" "$LASTERI" trust verify \
    --anchor "$D/pki/operator.crt" "$S"
t_grep "trust verify prints OK" "^$S: OK sequence=3 members=4" "$T_DIR/out"

t_expect 1 "trust verify refuses an unsigned list" "$LASTERI" trust verify \
    --anchor "$D/pki/operator.crt" "$U"
t_grep "the unsigned list is REFUSED" "^$U: REFUSED .*not signed" "$T_DIR/out"

"$LASTERI" trust sign --key "$D/members/01/sign.key" \
    --cert "$D/members/01/sign.crt" "$U" "$W/member-signed.xml" 2>/dev/null
t_expect 1 "trust verify refuses a list signed by a member" "$LASTERI" trust \
    verify --anchor "$D/pki/operator.crt" "$W/member-signed.xml"
t_grep "a member's signature is not the operator's" "REFUSED .*pinned" "$T_DIR/out"

sed 's|<Roles>supervisor</Roles>|<Roles>coordinator</Roles>|' "$S" >"$W/tampered.xml"
cmp -s "$S" "$W/tampered.xml" && t_fail "the tampering changed the list"
t_expect 1 "trust verify refuses a tampered list" "$LASTERI" trust verify \
    --anchor "$D/pki/operator.crt" "$W/tampered.xml"
t_grep "the tampered list is named as changed" "^$W/tampered.xml: REFUSED .*digest" "$T_DIR/out"
{ echo '<!DOCTYPE TrustList>'; grep -v '^<?xml' "$S"; } >"$W/dtd.xml"
t_expect 1 "trust verify refuses a list with a DTD" "$LASTERI" trust verify \
    --anchor "$D/pki/operator.crt" "$W/dtd.xml"
t_grep "the DTD is named" "^$W/dtd.xml: REFUSED .*DTD" "$T_DIR/out"
t_expect 2 "trust verify of a missing list is an input error" "$LASTERI" trust \
    verify --anchor "$D/pki/operator.crt" "$W/nonexistent.xml"

"$LASTERI" trust create --pki "$D" --out "$W/u2.xml" --sequence 2 2>/dev/null
"$LASTERI" trust sign --key "$D/pki/operator.key" --cert "$D/pki/operator.crt" \
    "$W/u2.xml" "$W/old.xml" 2>/dev/null
t_expect 1 "trust verify refuses a rollback" "$LASTERI" trust verify \
    --anchor "$D/pki/operator.crt" --held "$S" "$W/old.xml"
t_grep "the rollback is named" "lower than the held 3" "$T_DIR/out"
t_expect 0 "trust verify accepts a newer list" "$LASTERI" trust verify \
    --anchor "$D/pki/operator.crt" --held "$W/old.xml" "$S"
t_expect 2 "trust verify without --anchor is a usage error" "$LASTERI" trust \
    verify "$S"

# --- pki init --trustlist -------------------------------------------------
t_expect 0 "pki init --trustlist signs a trust list" "$LASTERI" pki init "$D" \
    --regions 2 --trustlist
t_expect 0 "the trust list of pki init verifies" "$LASTERI" trust verify \
    --anchor "$D/pki/operator.crt" "$D/trustlist.xml"
t_expect 0 "pki init --trustlist again" "$LASTERI" pki init "$D" --regions 2 \
    --trustlist
t_grep "an unchanged PKI keeps its trust list" "trustlist.xml: kept" "$T_DIR/out"

# --- the auditor's verify ---------------------------------------------------
# record ISSUER ID: a SupervisionRecord of issuer ISSUER.
record() {
	cat <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<SupervisionRecord xmlns="urn:lasteri:1" Id="$2">
  <Kind>inspection-unannounced</Kind>
  <Unit>SOTERI-1.2.246.10.23456780.10.42</Unit>
  <ProviderBusinessId>2345678-0</ProviderBusinessId>
  <Issuer>$1</Issuer>
  <Opened>2026-09-02</Opened>
  <VisitDate>2026-09-15</VisitDate>
  <Announced>false</Announced>
  <Finding category="staffing-level" severity="medium">The unit had fewer staff at night than its permit requires.</Finding>
  <Status>follow-up</Status>
  <Issued>2026-09-20T10:00:00Z</Issued>
</SupervisionRecord>
EOF
}
record HVA-01 HVA-01-2026-1 >"$W/rec.xml"
A=$D/pki/operator.crt
t_expect 0 "a member signs a document" "$LASTERI" trust sign \
    --key "$D/members/01/sign.key" --cert "$D/members/01/sign.crt" \
    "$W/rec.xml" "$W/rec.signed.xml"
t_expect 0 "verify accepts a record signed by a member" "$LASTERI" verify \
    --trust "$D/trustlist.xml" --anchor "$A" "$W/rec.signed.xml"
t_grep "verify names the signer beside the issuer, the kind, ID and time" \
    "^$W/rec.signed.xml: OK signer=$id01 issuer=HVA-01 kind=SupervisionRecord id=HVA-01-2026-1 signed=[0-9T:-]+Z$" \
    "$T_DIR/out"

sed 's/fewer staff/more staff/' "$W/rec.signed.xml" >"$W/rec.tampered.xml"
t_expect 1 "verify fails a tampered document" "$LASTERI" verify \
    --trust "$D/trustlist.xml" --anchor "$A" \
    "$W/rec.signed.xml" "$W/rec.tampered.xml"
t_grep "verify prints FAILED for the tampered one" "^$W/rec.tampered.xml: FAILED " "$T_DIR/out"
t_grep "verify still prints OK for the good one" "^$W/rec.signed.xml: OK " "$T_DIR/out"

# Finding 1: region 01 signs a record in LVV's name.
record LVV LVV-2026-9 >"$W/forged.xml"
"$LASTERI" trust sign --key "$D/members/01/sign.key" \
    --cert "$D/members/01/sign.crt" "$W/forged.xml" "$W/forged.signed.xml" 2>/dev/null
t_expect 1 "verify refuses a record whose issuer is not its signer's" "$LASTERI" \
    verify --trust "$D/trustlist.xml" --anchor "$A" "$W/forged.signed.xml"
t_grep "the reason names the record, the issuer, the signer and its codes" \
    "FAILED record LVV-2026-9: issuer LVV is not one of its signer's: member $id01 may sign for HVA-01$" \
    "$T_DIR/out"
record LVV LVV-2026-10 >"$W/lvv.xml"
"$LASTERI" trust sign --key "$D/members/lvv/sign.key" \
    --cert "$D/members/lvv/sign.crt" "$W/lvv.xml" "$W/lvv.signed.xml" 2>/dev/null
t_expect 0 "verify accepts lvv's record in its own name" "$LASTERI" verify \
    --trust "$D/trustlist.xml" --anchor "$A" "$W/lvv.signed.xml"
t_grep "and shows lvv as the signer of issuer LVV" \
    "OK signer=$(cat "$D/members/lvv/member.id") issuer=LVV " "$T_DIR/out"

# Finding 8: no trust list is believed without the operator's certificate.
if [ -e /usr/local/etc/lasteri/operator.crt ] || [ -e /etc/lasteri/operator.crt ]; then
	echo "skip - an operator certificate is installed on this machine"
else
	t_expect 2 "verify without --anchor or an installed anchor is refused" "$LASTERI" \
	    verify --trust "$D/trustlist.xml" "$W/rec.signed.xml"
	t_grep "and says which anchor it looked for" \
	    "no operator certificate to verify the trust list with: give --anchor OPERATOR.crt \(the default .*/lasteri/operator.crt does not exist\)" \
	    "$T_DIR/err"
	[ -s "$T_DIR/out" ] && t_fail "and verifies nothing" "$(cat "$T_DIR/out")" ||
		t_ok "and verifies nothing"
fi
# An unsigned list (anyone can write one) is never used to verify.
t_expect 1 "verify refuses an unsigned trust list" "$LASTERI" verify \
    --trust "$U" --anchor "$A" "$W/rec.signed.xml"
t_grep "the unsigned list is named as not signed" "not signed" "$T_DIR/err"

# thl is not a supervisor: its record is refused.
t_expect 0 "thl signs a record" "$LASTERI" trust sign \
    --key "$D/members/thl/sign.key" --cert "$D/members/thl/sign.crt" \
    "$W/rec.xml" "$W/rec.thl.xml"
t_expect 1 "verify refuses a record signed by a member without the role" \
    "$LASTERI" verify --trust "$D/trustlist.xml" --anchor "$A" \
    "$W/rec.thl.xml"

t_expect 2 "verify of a missing file is an input error" "$LASTERI" verify \
    --trust "$D/trustlist.xml" --anchor "$A" "$W/nonexistent.xml"
t_expect 2 "verify with an unreadable trust list is an input error" "$LASTERI" \
    verify --trust "$W/nonexistent.xml" --anchor "$A" "$W/rec.signed.xml"
t_expect 2 "verify without files is a usage error" "$LASTERI" verify \
    --trust "$D/trustlist.xml"
t_expect 1 "verify refuses a tampered trust list" "$LASTERI" verify \
    --trust "$W/tampered.xml" --anchor "$A" "$W/rec.signed.xml"

# --- rotating a signing certificate (finding 9) ------------------------------
# Member 01 gets a new signing certificate from the same CA; the old one is
# retired a few seconds from now.  Its earlier record keeps verifying; one
# it signs after the retirement does not; the new one's does.
R=$W/rot
mkdir -p "$R"
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n' >"$R/ext.cnf"
if openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$R/sign2.key" 2>/dev/null &&
    chmod 600 "$R/sign2.key" &&
    openssl req -new -key "$R/sign2.key" -subj "/CN=01 signing 2" -out "$R/sign2.csr" 2>/dev/null &&
    openssl x509 -req -in "$R/sign2.csr" -CA "$D/pki/ca.crt" -CAkey "$D/pki/ca.key" \
        -CAcreateserial -CAserial "$R/ca.srl" -days 30 -sha256 -extfile "$R/ext.cnf" \
        -out "$R/sign2.crt" 2>/dev/null; then
	t_ok "a second signing certificate for 01"
else
	t_fail "a second signing certificate for 01"
fi
t_expect 2 "trust cert-add --help" "$LASTERI" trust cert-add --help
t_grep "cert-add --help names its flags" "cert-add --member CODE --kind tls.signing" "$T_DIR/err"
t_expect 2 "trust cert-retire --help" "$LASTERI" trust cert-retire --help
t_grep "cert-retire --help names --at" "\[--at TIME\]" "$T_DIR/err"
t_expect 0 "cert-add lists 01's new signing certificate" "$LASTERI" trust cert-add \
    --member 01 --kind signing --cert "$R/sign2.crt" --out "$R/d1.xml" "$D/trustlist.xml"
seq0=$(sed -n 's|.*<Sequence>\([0-9]*\)</Sequence>.*|\1|p' "$D/trustlist.xml")
t_grep "the draft has the next sequence" "<Sequence>$((seq0 + 1))</Sequence>" "$R/d1.xml"
grep -q "Signature" "$R/d1.xml" && t_fail "the draft is unsigned" || t_ok "the draft is unsigned"
fpr2=$(openssl x509 -in "$R/sign2.crt" -outform DER | sha256sum | cut -c1-64)
t_grep "the new listing has a window from now" "<SigningCertificate sha256=\"$fpr2\" notBefore=\"" "$R/d1.xml"
t_expect 0 "the draft is signed" "$LASTERI" trust sign --key "$D/pki/operator.key" \
    --cert "$A" "$R/d1.xml" "$R/t1.xml"
t_expect 0 "and replaces the held list" "$LASTERI" trust verify --anchor "$A" \
    --held "$D/trustlist.xml" "$R/t1.xml"
t_expect 2 "cert-add refuses a certificate listed already" "$LASTERI" trust cert-add \
    --member 01 --kind signing --cert "$R/sign2.crt" --out "$R/x.xml" "$R/t1.xml"
t_grep "naming it" "already lists the signing certificate $fpr2" "$T_DIR/err"
t_expect 1 "cert-add refuses a certificate that is no signer of the list's CA" "$LASTERI" \
    trust cert-add --member 01 --kind signing --cert "$D/pki/ca.crt" --out "$R/x.xml" "$R/t1.xml"
t_expect 2 "cert-retire refuses the only TLS certificate" "$LASTERI" trust cert-retire \
    --member 01 --kind tls --cert "$D/members/01/tls.crt" --out "$R/x.xml" "$R/t1.xml"
t_grep "saying a successor comes first" "would have no TLS certificate in use" "$T_DIR/err"
at=$(date -u -d '+3 seconds' +%Y-%m-%dT%H:%M:%SZ)
t_expect 0 "cert-retire ends 01's old signing certificate" "$LASTERI" trust cert-retire \
    --member 01 --kind signing --cert "$D/members/01/sign.crt" --at "$at" \
    --out "$R/d2.xml" "$R/t1.xml"
t_grep "the old listing ends then" "<SigningCertificate sha256=\"$fpr\" notAfter=\"$at\"/>" "$R/d2.xml"
"$LASTERI" trust sign --key "$D/pki/operator.key" --cert "$A" "$R/d2.xml" "$R/t2.xml" 2>/dev/null
t_expect 0 "trust show lists both signing certificates" "$LASTERI" trust show --anchor "$A" "$R/t2.xml"
t_grep "the old one with its end" "^01 +signing +$fpr +- +$at +yes" "$T_DIR/out"
t_grep "the new one" "^01 +signing +$fpr2 .* yes$" "$T_DIR/out"
i=0
while [ "$(date -u +%s)" -le "$(date -u -d "$at" +%s)" ] && [ $i -lt 50 ]; do
	i=$((i + 1))
	sleep 0.2
done
t_expect 0 "the record signed before the retirement still verifies" "$LASTERI" verify \
    --trust "$R/t2.xml" --anchor "$A" "$W/rec.signed.xml"
record HVA-01 HVA-01-2026-2 >"$R/late.xml"
"$LASTERI" trust sign --key "$D/members/01/sign.key" --cert "$D/members/01/sign.crt" \
    "$R/late.xml" "$R/late.old.xml" 2>/dev/null
t_expect 1 "a record signed with the old key after it is refused" "$LASTERI" verify \
    --trust "$R/t2.xml" --anchor "$A" "$R/late.old.xml"
t_grep "because its listing had ended" "was not in use at signedAt .*listed until $at" "$T_DIR/out"
"$LASTERI" trust sign --key "$R/sign2.key" --cert "$R/sign2.crt" \
    "$R/late.xml" "$R/late.new.xml" 2>/dev/null
t_expect 0 "a record signed with the new key verifies" "$LASTERI" verify \
    --trust "$R/t2.xml" --anchor "$A" "$R/late.new.xml"
t_grep "as 01's" "OK signer=$id01 issuer=HVA-01 " "$T_DIR/out"

# --- a first-version list still loads ---------------------------------------------
sed -e 's|<TlsCertificate sha256="\([0-9a-f]*\)"/>|<TlsCertificateSha256>\1</TlsCertificateSha256>|' \
    -e 's|<SigningCertificate sha256="\([0-9a-f]*\)"/>|<SigningCertificateSha256>\1</SigningCertificateSha256>|' \
    -e '/<IssuerCode>/d' "$U" >"$W/v1.xml"
t_expect 0 "a first-version list is signed" "$LASTERI" trust sign --key "$D/pki/operator.key" \
    --cert "$A" "$W/v1.xml" "$W/v1.signed.xml"
t_expect 0 "and verifies" "$LASTERI" trust verify --anchor "$A" "$W/v1.signed.xml"
t_expect 0 "cert-add rewrites its member in the new form" "$LASTERI" trust cert-add \
    --member 01 --kind signing --cert "$R/sign2.crt" --out "$W/v1.d.xml" "$W/v1.signed.xml"
t_grep "with the old certificate kept, open" "<SigningCertificate sha256=\"[0-9a-f]{64}\"/>" "$W/v1.d.xml"

t_finish
