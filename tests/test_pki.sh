#!/bin/sh
# test_pki.sh - `lasteri pki init`, `lasteri trust create|sign|show|verify`
# and the auditor's `lasteri verify`, end to end on a small test PKI.
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
    "<SigningCertificateSha256>$fpr</SigningCertificateSha256>" "$U"
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
    "^01,$id01,\"Itä-Uusimaa\",01,\"region,supervisor\",https://127.0.0.1:9100,[0-9a-f]{64},$fpr$" \
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
cat >"$W/rec.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<SupervisionRecord xmlns="urn:lasteri:1" Id="rec-test-1">
  <Finding severity="major">The unit had fewer staff at night than its permit requires.</Finding>
</SupervisionRecord>
EOF
t_expect 0 "a member signs a document" "$LASTERI" trust sign \
    --key "$D/members/01/sign.key" --cert "$D/members/01/sign.crt" \
    "$W/rec.xml" "$W/rec.signed.xml"
t_expect 0 "verify accepts a document signed by a member" "$LASTERI" verify \
    --trust "$D/trustlist.xml" --anchor "$D/pki/operator.crt" "$W/rec.signed.xml"
t_grep "verify names the signer, kind, ID and time" \
    "^$W/rec.signed.xml: OK signer=$id01 kind=SupervisionRecord id=rec-test-1 signed=[0-9T:-]+Z$" \
    "$T_DIR/out"

sed 's/fewer staff/more staff/' "$W/rec.signed.xml" >"$W/rec.tampered.xml"
t_expect 1 "verify fails a tampered document" "$LASTERI" verify \
    --trust "$D/trustlist.xml" --anchor "$D/pki/operator.crt" \
    "$W/rec.signed.xml" "$W/rec.tampered.xml"
t_grep "verify prints FAILED for the tampered one" "^$W/rec.tampered.xml: FAILED " "$T_DIR/out"
t_grep "verify still prints OK for the good one" "^$W/rec.signed.xml: OK " "$T_DIR/out"

t_expect 0 "verify without --anchor works" "$LASTERI" verify \
    --trust "$D/trustlist.xml" "$W/rec.signed.xml"
t_grep "verify without --anchor warns" "not checked" "$T_DIR/err"

# thl is not a supervisor: its record is refused.
t_expect 0 "thl signs a record" "$LASTERI" trust sign \
    --key "$D/members/thl/sign.key" --cert "$D/members/thl/sign.crt" \
    "$W/rec.xml" "$W/rec.thl.xml"
t_expect 1 "verify refuses a record signed by a member without the role" \
    "$LASTERI" verify --trust "$D/trustlist.xml" --anchor "$D/pki/operator.crt" \
    "$W/rec.thl.xml"

t_expect 2 "verify of a missing file is an input error" "$LASTERI" verify \
    --trust "$D/trustlist.xml" --anchor "$D/pki/operator.crt" "$W/nonexistent.xml"
t_expect 2 "verify with an unreadable trust list is an input error" "$LASTERI" \
    verify --trust "$W/nonexistent.xml" "$W/rec.signed.xml"
t_expect 2 "verify without files is a usage error" "$LASTERI" verify \
    --trust "$D/trustlist.xml"
t_expect 1 "verify refuses a tampered trust list" "$LASTERI" verify \
    --trust "$W/tampered.xml" --anchor "$D/pki/operator.crt" "$W/rec.signed.xml"

t_finish
