#!/bin/sh
# test_interop.sh - our signatures against the stock xmlsec1 (Debian 12,
# 1.2.37): xmlsec1 verifies what we sign (ECDSA P-256 and RSA-2048), we verify
# what xmlsec1 signs from a template in our profile, and both refuse the same
# tampered and wrapped documents.  xmlsec1 runs with the OS store switched
# off (SSL_CERT_FILE/SSL_CERT_DIR) and X.509 key data only, pinned to the
# root's last-child Signature (XMLDSIG.md 4.3).  Our side is tests/dsig_tool.
. "$TOP_SRCDIR/tests/lib.sh"

TOOL=$TOP_BUILDDIR/tests/dsig_tool
if ! command -v xmlsec1 >/dev/null 2>&1; then
	echo "SKIP: xmlsec1 is not installed (apt-get install xmlsec1)"
	exit 77
fi
if [ ! -x "$TOOL" ]; then
	echo "FAIL: $TOOL is not built"
	exit 1
fi
D=$T_DIR
XPATH="/*/*[local-name()='Signature' and namespace-uri()='http://www.w3.org/2000/09/xmldsig#']"

xmlsec_verify() {
	SSL_CERT_FILE=/dev/null SSL_CERT_DIR=/nonexistent xmlsec1 verify \
	    --trusted-pem "$D/ca.pem" --enabled-key-data x509 \
	    --enabled-reference-uris empty --node-xpath "$XPATH" "$1"
}

# --- a test PKI: root CA (P-256), an ECDSA and an RSA-2048 signer ----------
(
	set -e
	cd "$D"
	umask 077
	openssl ecparam -name prime256v1 -genkey -noout -out ca.key
	openssl req -x509 -new -key ca.key -sha256 -days 30 -subj "/CN=Interop Root CA" \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.pem
	printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n' >ext.cnf
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.key
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.key
	for k in ec rsa; do
		openssl req -new -key $k.key -subj "/CN=Interop $k signer" -out $k.csr
		openssl x509 -req -in $k.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
		    -days 10 -sha256 -extfile ext.cnf -out $k.pem
	done
) >"$D/pki.log" 2>&1 || { cat "$D/pki.log"; t_fail "test PKI"; t_finish; exit 1; }

cat >"$D/unit.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<Unit xmlns="urn:lasteri:1" Id="SOTERI-1.2.246.10.23456780.10.42">
  <Name>Lastenkoti Tammela</Name>
  <Provider businessId="2345678-0" sector="company">
    <Name>Esimerkki Lastensuojelu Oy</Name>
  </Provider>
  <Type>childrens-home</Type>
  <Region>08</Region>
  <Methods>Family work &amp; skills groups; "quoted" text, tabs	and ä-ö.</Methods>
  <Capacity places="14" residentialUnits="2"/>
</Unit>
EOF

# --- we sign, xmlsec1 verifies --------------------------------------------------
for k in ec rsa; do
	t_expect 0 "dsig_tool signs with $k" "$TOOL" sign "$D/$k.key" "$D/$k.pem" "$D/unit.xml" "$D/ours-$k.xml"
	t_expect 0 "xmlsec1 verifies our $k signature" xmlsec_verify "$D/ours-$k.xml"
	t_expect 0 "we verify our own $k signature" "$TOOL" verify "$D/$k.pem" "$D/ca.pem" "$D/ours-$k.xml"
	sed 's#<Region>08</Region>#<Region>09</Region>#' "$D/ours-$k.xml" >"$D/ours-$k-tampered.xml"
	t_expect 1 "xmlsec1 refuses our tampered $k document" xmlsec_verify "$D/ours-$k-tampered.xml"
	t_expect 1 "we refuse our tampered $k document" "$TOOL" verify "$D/$k.pem" "$D/ca.pem" "$D/ours-$k-tampered.xml"
	t_grep "the reason is a digest mismatch" "digest mismatch" "$T_DIR/err"
done

# --- a 62-byte ECDSA value, as Apache Santuario writes one in 32,768 ----------
# Both halves short (r and s below 2^248), each without its leading zero byte:
# xmlsec1 reads it, and so must we; a truncated value stays refused by both.
t_expect 0 "dsig_tool finds a genuine signature with both halves short" \
    "$TOOL" shorten "$D/ec.key" "$D/ours-ec.xml" "$D/short-ec.xml"
sv=$(sed -n 's|.*<ds:SignatureValue>\([^<]*\)</ds:SignatureValue>.*|\1|p' "$D/short-ec.xml" | tr -d ' \n')
[ "$(printf '%s' "$sv" | base64 -d 2>/dev/null | wc -c)" = 62 ] &&
	t_ok "its SignatureValue is 62 bytes" || t_fail "its SignatureValue is 62 bytes" "$sv"
t_expect 0 "xmlsec1 verifies the 62-byte value" xmlsec_verify "$D/short-ec.xml"
t_expect 0 "we verify the 62-byte value" "$TOOL" verify "$D/ec.pem" "$D/ca.pem" "$D/short-ec.xml"
sv63=$(printf '%s' "$sv" | base64 -d | head -c 61 | base64 -w0)
sed "s|<ds:SignatureValue>[^<]*</ds:SignatureValue>|<ds:SignatureValue>$sv63</ds:SignatureValue>|" \
    "$D/short-ec.xml" >"$D/short61-ec.xml"
t_expect 1 "xmlsec1 refuses a 61-byte value" xmlsec_verify "$D/short61-ec.xml"
t_expect 1 "we refuse a 61-byte value" "$TOOL" verify "$D/ec.pem" "$D/ca.pem" "$D/short61-ec.xml"
t_grep "because its length is odd" "is 61 bytes, not an even length of at most 64" "$T_DIR/err"

# --- xmlsec1 signs from a template in our profile, we verify ---------------------
# signedAt is now: a signer's certificate must be valid when it signed.
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
mktemplate() {	# $1 signature method URI
	cat <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<Unit xmlns="urn:lasteri:1" Id="SOTERI-1.2.246.10.23456780.10.43" signedAt="$NOW">
  <Name>Lastenkoti Tammela B</Name>
  <Region>08</Region>
  <Capacity places="7"/>
<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
  <ds:SignedInfo>
    <ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
    <ds:SignatureMethod Algorithm="$1"/>
    <ds:Reference URI="">
      <ds:Transforms>
        <ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>
        <ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
      </ds:Transforms>
      <ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
      <ds:DigestValue/>
    </ds:Reference>
  </ds:SignedInfo>
  <ds:SignatureValue/>
  <ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo>
</ds:Signature>
</Unit>
EOF
}
mktemplate "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256" >"$D/tmpl-ec.xml"
mktemplate "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" >"$D/tmpl-rsa.xml"
for k in ec rsa; do
	t_expect 0 "xmlsec1 signs the $k template" xmlsec1 sign --privkey-pem "$D/$k.key,$D/$k.pem" \
	    --output "$D/theirs-$k.xml" "$D/tmpl-$k.xml"
	t_expect 0 "we verify xmlsec1's $k signature" "$TOOL" verify "$D/$k.pem" "$D/ca.pem" "$D/theirs-$k.xml"
	t_grep "and read its kind and Id" "^OK Unit SOTERI-1.2.246.10.23456780.10.43 " "$T_DIR/out"
	sed 's#<Capacity places="7"/>#<Capacity places="70"/>#' "$D/theirs-$k.xml" >"$D/theirs-$k-tampered.xml"
	t_expect 1 "we refuse xmlsec1's $k signature after tampering" "$TOOL" verify "$D/$k.pem" "$D/ca.pem" "$D/theirs-$k-tampered.xml"
	t_grep "the reason is a digest mismatch" "digest mismatch" "$T_DIR/err"
done

# --- both refuse a wrapped document ----------------------------------------------
{ sed -n '1p' "$D/ours-ec.xml"
  printf '<Unit xmlns="urn:lasteri:1" Id="evil" signedAt="2026-01-01T00:00:00Z"><Name>Evil</Name><Wrapper>'
  sed '1d' "$D/ours-ec.xml"
  printf '</Wrapper></Unit>\n'; } >"$D/wrapped.xml"
t_expect 1 "xmlsec1 (pinned to the root's child) refuses the wrapped document" xmlsec_verify "$D/wrapped.xml"
t_expect 1 "we refuse the wrapped document" "$TOOL" verify "$D/ec.pem" "$D/ca.pem" "$D/wrapped.xml"
t_grep "because the signature is not the root's last child" "not the root's last child" "$T_DIR/err"

# --- lasteri: pki init, trust list, and the auditor's lasteri verify --------
# A member's key from `lasteri pki init` signs with dsig_tool and with xmlsec1;
# xmlsec1 verifies the former, `lasteri verify` (trust list) verifies both.
F=$D/fed
if [ -x "$LASTERI" ] && "$LASTERI" pki init "$F" --members "08" >"$D/pki-init.log" 2>&1 &&
    "$LASTERI" trust create --pki "$F" --out "$D/tl-unsigned.xml" >/dev/null 2>&1 &&
    "$LASTERI" trust sign --key "$F/pki/operator.key" --cert "$F/pki/operator.crt" \
        "$D/tl-unsigned.xml" "$D/tl.xml" >/dev/null 2>&1; then
	m=$F/members/08
	t_expect 0 "dsig_tool signs with member 08's key from lasteri pki" "$TOOL" sign \
	    "$m/sign.key" "$m/sign.crt" "$D/unit.xml" "$D/member.xml"
	t_expect 0 "xmlsec1 verifies it against the federation CA" \
	    env SSL_CERT_FILE=/dev/null SSL_CERT_DIR=/nonexistent \
	    xmlsec1 verify --trusted-pem "$F/pki/ca.crt" --enabled-key-data x509 \
	    --enabled-reference-uris empty --node-xpath "$XPATH" "$D/member.xml"
	t_expect 0 "lasteri verify accepts it through the trust list" "$LASTERI" verify \
	    --trust "$D/tl.xml" --anchor "$F/pki/operator.crt" "$D/member.xml"
	# after pki init: its certificate is valid from the second it was made
	NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	mktemplate "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256" >"$D/tmpl-ec.xml"
	t_expect 0 "xmlsec1 signs the template with member 08's key" xmlsec1 sign \
	    --privkey-pem "$m/sign.key,$m/sign.crt" --output "$D/member-xmlsec.xml" "$D/tmpl-ec.xml"
	t_expect 0 "lasteri verify accepts xmlsec1's signature" "$LASTERI" verify \
	    --trust "$D/tl.xml" --anchor "$F/pki/operator.crt" "$D/member-xmlsec.xml"
	sed 's#<Capacity places="7"/>#<Capacity places="70"/>#' "$D/member-xmlsec.xml" >"$D/member-xmlsec-bad.xml"
	t_expect 1 "lasteri verify refuses xmlsec1's signature after tampering" "$LASTERI" verify \
	    --trust "$D/tl.xml" --anchor "$F/pki/operator.crt" "$D/member-xmlsec-bad.xml"
else
	echo "skip - lasteri pki/trust not available: $(tail -1 "$D/pki-init.log" 2>/dev/null)"
fi

t_finish
