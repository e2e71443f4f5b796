#!/usr/bin/env bash
# test_audit.sh - lasteri audit inclusion / consistency / checkpoint / alarms,
# offline against a test PKI: a log of signed records is built in memory by
# tests/log_tool (federation/merkle.c, as a node builds its log), its
# checkpoints signed with region 08's key.  Good proofs exit 0; a tampered
# proof, a checkpoint signed by another member, a record not in the tree, a
# rewritten history exit 1 naming the record, the checkpoint and the hash.
# The -s paths talk to a stand-in node (a few lines of Python on a Unix
# socket serving the same proof files), since the node side comes apart.
. "${TOP_SRCDIR:?run from make check}/tests/lib.sh"
DATA=$TOP_SRCDIR/tests/data
DSIG_TOOL=$TOP_BUILDDIR/tests/dsig_tool
LOG_TOOL=$TOP_BUILDDIR/tests/log_tool
PKI=$T_DIR/fed
D=$T_DIR/log

"$LASTERI" pki init "$PKI" --members "01 08 lvv" --trustlist >"$T_DIR/pki.log" 2>&1 ||
	{ t_fail "lasteri pki init --trustlist" "$(tail -n 3 "$T_DIR/pki.log")"; t_finish; exit 1; }
TRUST="--trust $PKI/trustlist.xml --anchor $PKI/pki/operator.crt"
ID08=$(cat "$PKI/members/08/member.id")
ID01=$(cat "$PKI/members/01/member.id")
mkdir -p "$D"

# signed_record ID OUT: a supervision record signed by lvv (issuer LVV).
signed_record() {
	sed -e "s/Id=\"HVA-08-2026-0100\"/Id=\"$1\"/" \
	    -e "s|<Issuer>HVA-08</Issuer>|<Issuer>LVV</Issuer>|" \
	    -e 's/ signedAt="[^"]*"//' -e '/<ds:Signature/,$d' "$DATA/record-signed.xml" >"$2.in"
	echo '</SupervisionRecord>' >>"$2.in"
	"$DSIG_TOOL" sign "$PKI/members/lvv/sign.key" "$PKI/members/lvv/sign.crt" "$2.in" "$2"
}
for i in 0 1 2 3 4 9; do
	signed_record "LVV-2026-020$i" "$D/rec$i.xml" || t_fail "dsig_tool signs record $i"
done
LEAVES="$D/rec0.xml $D/rec1.xml $D/rec2.xml $D/rec3.xml $D/rec4.xml"
# The same log with record 2 replaced by record 9: a rewritten history.
FORK="$D/rec0.xml $D/rec1.xml $D/rec9.xml $D/rec3.xml $D/rec4.xml"
K08="$PKI/members/08/sign.key $PKI/members/08/sign.crt"
K01="$PKI/members/01/sign.key $PKI/members/01/sign.crt"
# shellcheck disable=SC2086
{
	"$LOG_TOOL" checkpoint $K08 "$ID08" 3 "$D/cp3.xml" $LEAVES &&
	"$LOG_TOOL" checkpoint $K08 "$ID08" 4 "$D/cp4.xml" $LEAVES &&
	"$LOG_TOOL" checkpoint $K08 "$ID08" 5 "$D/cp5.xml" $LEAVES &&
	"$LOG_TOOL" checkpoint $K01 "$ID08" 5 "$D/cp5-by-01.xml" $LEAVES &&
	"$LOG_TOOL" checkpoint $K01 "$ID01" 5 "$D/cp5-of-01.xml" $LEAVES &&
	"$LOG_TOOL" checkpoint $K08 "$ID08" 3 "$D/fork3.xml" $FORK &&
	"$LOG_TOOL" checkpoint $K08 "$ID08" 5 "$D/fork5.xml" $FORK &&
	"$LOG_TOOL" inclusion 1 5 "$D/inc-1-5.xml" $LEAVES &&
	"$LOG_TOOL" inclusion 4 5 "$D/inc-4-5.xml" $LEAVES &&
	"$LOG_TOOL" inclusion 1 3 "$D/inc-1-3.xml" $LEAVES &&
	"$LOG_TOOL" inclusion 2 5 "$D/fork-inc-2-5.xml" $FORK &&
	"$LOG_TOOL" consistency 3 5 "$D/cons-3-5.xml" $LEAVES &&
	"$LOG_TOOL" consistency 3 5 "$D/fork-cons-3-5.xml" $FORK
} >"$T_DIR/tool.log" 2>&1 || { t_fail "log_tool builds the test log" "$(tail -n 3 "$T_DIR/tool.log")"; t_finish; exit 1; }
ROOT5=$(sed -n 's|.*<RootHash>\(.*\)</RootHash>.*|\1|p' "$D/cp5.xml" | base64 -d | od -An -tx1 | tr -d ' \n')
LEAF9=$("$LOG_TOOL" leafhash "$D/rec9.xml")
LEAF1=$("$LOG_TOOL" leafhash "$D/rec1.xml")

# --- usage ---------------------------------------------------------------
t_expect 0 "audit --help explains the subcommands" "$LASTERI" audit --help
t_grep "the help names audit consistency" 'audit consistency' "$T_DIR/out"
t_expect 0 "lasteri help audit works" "$LASTERI" help audit
t_expect 2 "audit without a subcommand is a usage error" "$LASTERI" audit
t_expect 2 "an unknown audit subcommand is a usage error" "$LASTERI" audit nosuch
t_expect 2 "audit inclusion without --trust is a usage error" \
	"$LASTERI" audit inclusion --checkpoint "$D/cp5.xml" --proof "$D/inc-1-5.xml" "$D/rec1.xml"
# shellcheck disable=SC2086
t_expect 2 "audit inclusion without a proof source is a usage error" \
	env -u LASTERI_SOCKET "$LASTERI" audit inclusion $TRUST --checkpoint "$D/cp5.xml" "$D/rec1.xml"
t_grep "the usage error names --proof and -s" '--proof FILE or -s SOCKET' "$T_DIR/err"
# shellcheck disable=SC2086
t_expect 2 "--proof and -s together are a usage error" \
	"$LASTERI" audit inclusion $TRUST --checkpoint "$D/cp5.xml" --proof "$D/inc-1-5.xml" \
	-s "$T_DIR/none.sock" "$D/rec1.xml"
# shellcheck disable=SC2086
t_expect 2 "an option another subcommand takes is refused" \
	"$LASTERI" audit consistency $TRUST --checkpoint "$D/cp3.xml" "$D/cp3.xml" "$D/cp5.xml"
# shellcheck disable=SC2086
t_expect 2 "a missing record file is an input error" \
	"$LASTERI" audit inclusion $TRUST --checkpoint "$D/cp5.xml" --proof "$D/inc-1-5.xml" "$D/none.xml"
t_grep "the missing file is named" 'none\.xml' "$T_DIR/err"
# shellcheck disable=SC2086
t_expect 2 "a proof that is not an InclusionProof is an input error" \
	"$LASTERI" audit inclusion $TRUST --checkpoint "$D/cp5.xml" --proof "$D/cons-3-5.xml" "$D/rec1.xml"

# --- audit inclusion -------------------------------------------------------
# shellcheck disable=SC2086
t_expect 0 "a record in the tree is proven in the checkpoint" \
	"$LASTERI" audit inclusion $TRUST --checkpoint "$D/cp5.xml" --proof "$D/inc-1-5.xml" "$D/rec1.xml"
t_grep "the proof names the leaf, the log and the checkpoint" \
	"^record LVV-2026-0201 .*: leaf 1 of the log of $ID08, proven in checkpoint CP-5-[0-9a-f]{16} \(size 5, root $ROOT5" "$T_DIR/out"
t_grep "the record's own signature is verified too" \
	'^record LVV-2026-0201 .*signature OK, signed by' "$T_DIR/out"
# shellcheck disable=SC2086
t_expect 0 "the last leaf is proven as well" \
	"$LASTERI" audit inclusion $TRUST --checkpoint "$D/cp5.xml" --proof "$D/inc-4-5.xml" "$D/rec4.xml"
# A tampered proof: its first Hash replaced by another genuine hash.
sed -e "0,/<Hash>[^<]*</s||<Hash>$(sed -n 's|.*<RootHash>\(.*\)</RootHash>.*|\1|p' "$D/cp3.xml")<|" \
	"$D/inc-1-5.xml" >"$D/inc-bad.xml"
# shellcheck disable=SC2086
t_expect 1 "a tampered proof is refused" \
	"$LASTERI" audit inclusion $TRUST --checkpoint "$D/cp5.xml" --proof "$D/inc-bad.xml" "$D/rec1.xml"
t_grep "the refusal names the record, the checkpoint and both roots" \
	"record LVV-2026-0201 .* is not proven in checkpoint CP-5-.*leads to root [0-9a-f]{64}, not to the root $ROOT5" "$T_DIR/err"
# shellcheck disable=SC2086
t_expect 1 "a record not in the tree is refused" \
	"$LASTERI" audit inclusion $TRUST --checkpoint "$D/cp5.xml" --proof "$D/inc-1-5.xml" "$D/rec9.xml"
t_grep "the refusal names the record and the expected and computed leaf hashes" \
	"record LVV-2026-0209 .* leaf hash expected $LEAF1 .*computed $LEAF9" "$T_DIR/err"
# shellcheck disable=SC2086
t_expect 1 "a checkpoint signed by another member than its origin is refused" \
	"$LASTERI" audit inclusion $TRUST --checkpoint "$D/cp5-by-01.xml" --proof "$D/inc-1-5.xml" "$D/rec1.xml"
t_grep "the refusal names the checkpoint, its origin and the real signer" \
	"checkpoint .*cp5-by-01\.xml: .*$ID08.*signed by member $ID01" "$T_DIR/err"
# shellcheck disable=SC2086
t_expect 1 "a proof for another tree size is refused" \
	"$LASTERI" audit inclusion $TRUST --checkpoint "$D/cp5.xml" --proof "$D/inc-1-3.xml" "$D/rec1.xml"
t_grep "the refusal names both sizes" 'tree of size 3, checkpoint CP-5-.* has TreeSize 5' "$T_DIR/err"
# The rewritten history: record 9 is leaf 2 of the fork, not of cp5.
# shellcheck disable=SC2086
t_expect 1 "a rewritten leaf is not proven in the genuine checkpoint" \
	"$LASTERI" audit inclusion $TRUST --checkpoint "$D/cp5.xml" --proof "$D/fork-inc-2-5.xml" "$D/rec9.xml"
sed -e 's|<Unit>SOTERI-08-0002<|<Unit>SOTERI-08-0003<|' "$D/rec1.xml" >"$D/rec1-changed.xml"
# shellcheck disable=SC2086
t_expect 1 "a changed record fails its signature and its leaf hash" \
	"$LASTERI" audit inclusion $TRUST --checkpoint "$D/cp5.xml" --proof "$D/inc-1-5.xml" "$D/rec1-changed.xml"
t_grep "the signature failure is named" 'rec1-changed\.xml: signature not verified' "$T_DIR/err"
t_grep "so is the leaf hash" 'leaf hash expected' "$T_DIR/err"

# --- audit consistency -------------------------------------------------------
# shellcheck disable=SC2086
t_expect 0 "a newer checkpoint is proven to extend an older one" \
	"$LASTERI" audit consistency $TRUST --proof "$D/cons-3-5.xml" "$D/cp3.xml" "$D/cp5.xml"
t_grep "the proof names both checkpoints and the log" \
	"^checkpoint CP-5-.* \(.*cp5\.xml, size 5, root $ROOT5\) extends CP-3-.*the log of $ID08" "$T_DIR/out"
# shellcheck disable=SC2086
t_expect 0 "a checkpoint extends itself without a proof" \
	env -u LASTERI_SOCKET "$LASTERI" audit consistency $TRUST "$D/cp5.xml" "$D/cp5.xml"
sed -e "0,/<Hash>[^<]*</s||<Hash>$(sed -n 's|.*<RootHash>\(.*\)</RootHash>.*|\1|p' "$D/cp4.xml")<|" \
	"$D/cons-3-5.xml" >"$D/cons-bad.xml"
# shellcheck disable=SC2086
t_expect 1 "a tampered consistency proof is refused" \
	"$LASTERI" audit consistency $TRUST --proof "$D/cons-bad.xml" "$D/cp3.xml" "$D/cp5.xml"
t_grep "the refusal names both checkpoints and the roots" \
	'checkpoint CP-5-.* is not proven to extend CP-3-.*leads to root [0-9a-f]{64} for size [35], not to the (old|new) root [0-9a-f]{64}' "$T_DIR/err"
# shellcheck disable=SC2086
t_expect 1 "a rewritten history does not extend the older checkpoint" \
	"$LASTERI" audit consistency $TRUST --proof "$D/fork-cons-3-5.xml" "$D/cp3.xml" "$D/fork5.xml"
t_grep "the refusal names the old root" 'not to the old root' "$T_DIR/err"
# shellcheck disable=SC2086
t_expect 1 "two roots for the same size are refused" \
	"$LASTERI" audit consistency $TRUST "$D/cp3.xml" "$D/fork3.xml"
t_grep "the refusal names the size and both roots" 'same size 3 but different roots: [0-9a-f]{64} and [0-9a-f]{64}' "$T_DIR/err"
# shellcheck disable=SC2086
t_expect 1 "a log that shrank is refused" \
	"$LASTERI" audit consistency $TRUST --proof "$D/cons-3-5.xml" "$D/cp5.xml" "$D/cp3.xml"
t_grep "the refusal says the log shrank" 'shrank' "$T_DIR/err"
# shellcheck disable=SC2086
t_expect 1 "checkpoints of two origins are refused" \
	"$LASTERI" audit consistency $TRUST --proof "$D/cons-3-5.xml" "$D/cp3.xml" "$D/cp5-of-01.xml"
t_grep "the refusal names both origins" "of the log of $ID01, not of $ID08" "$T_DIR/err"
# shellcheck disable=SC2086
t_expect 1 "a proof between other sizes is refused" \
	"$LASTERI" audit consistency $TRUST --proof "$D/cons-3-5.xml" "$D/cp3.xml" "$D/cp4.xml"
t_grep "the refusal names the sizes" 'from size 3 to 5, the checkpoints .* are of sizes 3 and 4' "$T_DIR/err"
# shellcheck disable=SC2086
t_expect 1 "a consistency check with a checkpoint signed by another member is refused" \
	"$LASTERI" audit consistency $TRUST --proof "$D/cons-3-5.xml" "$D/cp3.xml" "$D/cp5-by-01.xml"

# --- through a node's admin socket (a stand-in) ------------------------------
# Serves /v1/log/checkpoint, /v1/log/inclusion?leaf=HEX&size=N (the file
# inc-HEX-N.xml), /v1/log/consistency?from=M&to=N (cons-M-N.xml); 404 with an
# <Error> for anything else.  It stops by itself after 60 seconds.
cp "$D/inc-1-5.xml" "$D/inc-$LEAF1-5.xml"
cp "$D/cp5.xml" "$D/checkpoint.xml"
SOCK=$T_DIR/admin.sock
cat >"$T_DIR/node.py" <<'EOF'
import os, re, socketserver, sys, threading
d, path = sys.argv[1], sys.argv[2]
class H(socketserver.StreamRequestHandler):
    def handle(self):
        line = self.rfile.readline(8192).decode("latin-1")
        while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
            pass
        target = line.split(" ")[1] if line.count(" ") >= 2 else ""
        name = None
        if target == "/v1/log/checkpoint":
            name = "checkpoint.xml"
        m = re.fullmatch(r"/v1/log/inclusion\?leaf=([0-9a-f]{64})&size=([0-9]+)", target)
        if m:
            name = "inc-%s-%s.xml" % m.groups()
        m = re.fullmatch(r"/v1/log/consistency\?from=([0-9]+)&to=([0-9]+)", target)
        if m:
            name = "cons-%s-%s.xml" % m.groups()
        p = os.path.join(d, name) if name else None
        if p and os.path.exists(p):
            body, status = open(p, "rb").read(), "200 OK"
        else:
            body, status = b"<Error>not found: " + target.encode() + b"</Error>", "404 Not Found"
        self.wfile.write(("HTTP/1.1 %s\r\nContent-Type: application/xml\r\n"
                          "Content-Length: %d\r\nConnection: close\r\n\r\n" % (status, len(body))).encode() + body)
class S(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
s = S(path, H)
threading.Timer(60, s.shutdown).start()
s.serve_forever()
EOF
/usr/bin/python3 "$T_DIR/node.py" "$D" "$SOCK" &
NODE_PID=$!
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
# shellcheck disable=SC2086
t_expect 0 "audit inclusion fetches the proof from the node" \
	"$LASTERI" audit inclusion $TRUST --checkpoint "$D/cp5.xml" -s "$SOCK" "$D/rec1.xml"
t_grep "and proves the record" '^record LVV-2026-0201 .*: leaf 1 of the log' "$T_DIR/out"
# shellcheck disable=SC2086
t_expect 1 "a record the node has no leaf for is not proven" \
	"$LASTERI" audit inclusion $TRUST --checkpoint "$D/cp5.xml" -s "$SOCK" "$D/rec9.xml"
t_grep "the refusal names the record, its leaf hash and the checkpoint" \
	"record LVV-2026-0209 .*leaf hash $LEAF9\) is not proven in checkpoint CP-5-" "$T_DIR/err"
# shellcheck disable=SC2086
t_expect 0 "audit consistency fetches the proof from the node" \
	"$LASTERI" audit consistency $TRUST -s "$SOCK" "$D/cp3.xml" "$D/cp5.xml"
# shellcheck disable=SC2086
t_expect 1 "a node that cannot prove its log grew is refused" \
	"$LASTERI" audit consistency $TRUST -s "$SOCK" "$D/cp3.xml" "$D/cp4.xml"
t_grep "the refusal names both checkpoints" 'checkpoint CP-4-.* is not proven to extend CP-3-' "$T_DIR/err"
# shellcheck disable=SC2086
t_expect 0 "audit checkpoint shows the node's checkpoint, verified" \
	"$LASTERI" audit checkpoint -s "$SOCK" $TRUST -o "$T_DIR/got.xml"
t_grep "it shows the origin" "^origin +$ID08\$" "$T_DIR/out"
t_grep "the size" '^tree size +5$' "$T_DIR/out"
t_grep "the root in hex" "^root +$ROOT5\$" "$T_DIR/out"
t_grep "and the verified signer" "^signer +$ID08 \(verified against" "$T_DIR/out"
if cmp -s "$T_DIR/got.xml" "$D/cp5.xml"; then t_ok "-o keeps the checkpoint's exact bytes"; else t_fail "-o keeps the checkpoint's exact bytes"; fi
t_expect 0 "audit checkpoint without --trust shows it unverified" "$LASTERI" audit checkpoint -s "$SOCK"
t_grep "and says so" '^signer +not verified' "$T_DIR/out"
# shellcheck disable=SC2086
t_expect 2 "audit checkpoint --member of a peer the node never witnessed" \
	"$LASTERI" audit checkpoint -s "$SOCK" $TRUST --member 01
t_grep "the message names the member" "no witnessed checkpoint of $ID01" "$T_DIR/err"
t_expect 2 "--member CODE without --trust is a usage error" "$LASTERI" audit checkpoint -s "$SOCK" --member 01
cp "$D/cp5-by-01.xml" "$D/checkpoint.xml"
# shellcheck disable=SC2086
t_expect 1 "a node's checkpoint signed by another member is refused" \
	"$LASTERI" audit checkpoint -s "$SOCK" $TRUST
t_expect 2 "audit alarms on a node without alarms says so" "$LASTERI" audit alarms -s "$SOCK"
t_grep "the message explains the 404" 'keeps no witness alarms .*404' "$T_DIR/err"
t_expect 2 "audit alarms with no node there is an error" "$LASTERI" audit alarms -s "$T_DIR/none.sock"
kill "$NODE_PID" 2>/dev/null
wait "$NODE_PID" 2>/dev/null

t_finish
