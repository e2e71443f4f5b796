#!/usr/bin/env bash
# test_cli.sh - the lasteri command line on a database file (--db): import,
# export, and what bad input must leave behind (nothing).  Cases are grouped
# by subcommand; append new groups (search, stats, ...) before t_finish.
. "${TOP_SRCDIR:?run from make check}/tests/lib.sh"
DATA=$TOP_SRCDIR/tests/data
DB=$T_DIR/node.db

# export_to FILE [DB]: the database's whole content (with records) as one
# Dataset, without the generated= time, so two exports compare with cmp.
export_to() {
	"$LASTERI" export --db "${2:-$DB}" --records --out "$1.raw" &&
	sed -e 's/ generated="[^"]*"//' "$1.raw" >"$1"
}

# --- import / export: usage ------------------------------------------------
t_expect 0 "import --help explains the command" "$LASTERI" import --help
t_grep "import --help names --db and --region" '--region CODE' "$T_DIR/out"
t_expect 0 "export --help explains the command" "$LASTERI" export --help
t_expect 2 "import without --db is a usage error" "$LASTERI" import "$DATA/dataset-08.xml"
t_grep "import without --db says what is missing" '--db FILE or -s SOCKET' "$T_DIR/err"
t_expect 2 "import -s with no node there is an error" \
	"$LASTERI" import -s "$T_DIR/admin.sock" "$DATA/dataset-08.xml"
t_grep "the -s error says no node answers" 'admin\.sock: no node answers on this socket' "$T_DIR/err"
t_expect 2 "import with no FILE is a usage error" "$LASTERI" import --db "$DB"
t_expect 2 "import --region refuses an unknown region code" \
	"$LASTERI" import --db "$DB" --region 99 "$DATA/dataset-08.xml"
t_grep "the --region error names the option" "^lasteri import: --region: '99'" "$T_DIR/err"
t_expect 2 "export of a missing database fails" "$LASTERI" export --db "$T_DIR/none.db"
t_grep "the missing database is named" 'none.db' "$T_DIR/err"

# --- signed records: verified against a trust list on import ----------------
# A test PKI (regions 01 and 08, thl, lvv) and records signed by its members.
PKI=$T_DIR/fed
DSIG_TOOL=$TOP_BUILDDIR/tests/dsig_tool
"$LASTERI" pki init "$PKI" --regions 8 --trustlist >"$T_DIR/pki.log" 2>&1 ||
	{ t_fail "lasteri pki init --trustlist" "$(tail -n 3 "$T_DIR/pki.log")"; t_finish; exit 1; }
TRUST="--trust $PKI/trustlist.xml --anchor $PKI/pki/operator.crt"
signed_record() {	# signed_record SIGNER-CODE ID ISSUER OUT
	sed -e "s/Id=\"HVA-08-2026-0100\"/Id=\"$2\"/" \
	    -e "s|<Issuer>HVA-08</Issuer>|<Issuer>$3</Issuer>|" \
	    -e 's/ signedAt="[^"]*"//' -e '/<ds:Signature/,$d' "$DATA/record-signed.xml" >"$4.in"
	echo '</SupervisionRecord>' >>"$4.in"
	"$DSIG_TOOL" sign "$PKI/members/$1/sign.key" "$PKI/members/$1/sign.crt" "$4.in" "$4"
}
signed_record lvv LVV-2026-0100 LVV "$T_DIR/rec-lvv.xml" ||
	t_fail "dsig_tool signs a record as lvv"
signed_record 01 LVV-2026-0101 LVV "$T_DIR/rec-forged.xml" ||
	t_fail "dsig_tool signs a record as region 01"
signed_record 01 HVA-08-2026-0102 HVA-08 "$T_DIR/rec-01-as-08.xml" ||
	t_fail "dsig_tool signs a record as region 01"

t_expect 2 "a signed record without a trust list is refused offline" \
	"$LASTERI" import --db "$T_DIR/signed.db" "$T_DIR/rec-lvv.xml"
t_grep "the refusal says a trust list is needed" 'rec-lvv.xml:[0-9]+: SupervisionRecord: .*needs a trust list' "$T_DIR/err"
t_expect 2 "--trust without --anchor is a usage error" \
	"$LASTERI" import --db "$T_DIR/signed.db" --trust "$PKI/trustlist.xml" "$T_DIR/rec-lvv.xml"
# shellcheck disable=SC2086
t_expect 2 "a record signed by region 01 naming LVV as its issuer is refused" \
	"$LASTERI" import --db "$T_DIR/signed.db" $TRUST "$T_DIR/rec-forged.xml"
t_grep "the refusal names the issuer and the real signer" 'LVV.*FI/.*01|01.*LVV' "$T_DIR/err"
# shellcheck disable=SC2086
t_expect 2 "a record signed by region 01 naming region 08 as its issuer is refused" \
	"$LASTERI" import --db "$T_DIR/signed.db" $TRUST "$T_DIR/rec-01-as-08.xml"
t_grep "that refusal names HVA-08" 'HVA-08' "$T_DIR/err"

# --- import / export: a valid import and the round trip ---------------------
# shellcheck disable=SC2086
t_expect 0 "imports a Dataset, a Unit and a signed SupervisionRecord in one run" \
	"$LASTERI" import --db "$DB" --region 08 $TRUST "$DATA/dataset-08.xml" "$DATA/unit-08-0003.xml" \
	"$T_DIR/rec-lvv.xml"
t_grep "the summary counts what was imported" \
	'^imported 3 units, 1 procurement definition, 3 supervision records from 3 files$' "$T_DIR/out"
t_expect 0 "supervision show lists the record with its verified signer" \
	"$LASTERI" supervision show --db "$DB" --unit SOTERI-08-0002 --format csv
t_grep "the signer is shown beside the issuer" "^LVV-2026-0100,[a-z-]+,LVV,$(cat "$PKI/members/lvv/member.id")," "$T_DIR/out"
t_grep "an unsigned record says so" '^HVA-08-2026-0002,[a-z-]+,HVA-08,unsigned,' "$T_DIR/out"
t_expect 0 "exports the database with its records" export_to "$T_DIR/exp1.xml"
t_grep "the export is a Dataset in urn:lasteri:1" '<Dataset xmlns="urn:lasteri:1"' "$T_DIR/exp1.xml"
t_grep "the export holds the unit imported from its own file" 'Id="SOTERI-08-0003"' "$T_DIR/exp1.xml"
t_grep "the export holds the supervision records" 'Id="HVA-08-2026-0002"' "$T_DIR/exp1.xml"
t_grep "the export keeps a record's signature" '<ds:SignatureValue>' "$T_DIR/exp1.xml"
if command -v xmllint >/dev/null 2>&1; then
	t_expect 0 "the export validates against the schemas" \
		xmllint --noout --schema "$TOP_SRCDIR/schemas/xsd/lasteri.xsd" "$T_DIR/exp1.xml.raw"
fi
# shellcheck disable=SC2086
t_expect 0 "the export imports into a new database" \
	"$LASTERI" import --db "$T_DIR/copy.db" $TRUST "$T_DIR/exp1.xml.raw"
t_grep "the re-import counts the same documents" \
	'^imported 3 units, 1 procurement definition, 3 supervision records from 1 file$' "$T_DIR/out"
t_expect 0 "the copy exports" export_to "$T_DIR/exp2.xml" "$T_DIR/copy.db"
t_expect 0 "the copy holds byte for byte what the original holds" \
	cmp "$T_DIR/exp1.xml" "$T_DIR/exp2.xml"
if command -v xmlsec1 >/dev/null 2>&1; then
	# the record as a document of its own: its namespace is declared on
	# the Dataset around it
	awk '/<SupervisionRecord[^>]*Id="LVV-2026-0100"/,/<\/SupervisionRecord>/' "$T_DIR/exp1.xml.raw" |
	    sed '1s/^ *<SupervisionRecord /<SupervisionRecord xmlns="urn:lasteri:1" /' >"$T_DIR/exported-rec.xml"
	t_expect 0 "the stock xmlsec1 verifies the exported record's bytes" \
		xmlsec1 --verify --insecure "$T_DIR/exported-rec.xml"
	sed 's/<Status>closed</<Status>open</' "$T_DIR/exported-rec.xml" >"$T_DIR/exported-bad.xml"
	t_expect 1 "and notices when they change" \
		xmlsec1 --verify --insecure "$T_DIR/exported-bad.xml"
fi
t_expect 0 "export without --records leaves the records out" \
	"$LASTERI" export --db "$DB" --out "$T_DIR/norec.xml"
if grep -q 'SupervisionRecord' "$T_DIR/norec.xml"; then
	t_fail "export without --records has no SupervisionRecord"
else
	t_ok "export without --records has no SupervisionRecord"
fi
t_expect 0 "export writes to stdout without --out" "$LASTERI" export --db "$DB"
t_grep "the stdout export has the units" 'Id="SOTERI-08-0001"' "$T_DIR/out"

# --- import: idempotent records, replaced units -----------------------------
t_expect 0 "importing the same Dataset again succeeds" \
	"$LASTERI" import --db "$DB" "$DATA/dataset-08.xml"
t_grep "known records are reported as already stored" \
	'0 supervision records from 1 file \(2 records were already stored\)' "$T_DIR/out"
t_expect 0 "a record written differently with the same canonical bytes is accepted once" \
	"$LASTERI" import --db "$DB" "$DATA/record-same.xml"
t_grep "and it is not stored twice" '\(1 record was already stored\)' "$T_DIR/out"
sed -e 's/<DailyPrice>690.00</<DailyPrice>710.00</' "$DATA/dataset-08.xml" >"$T_DIR/newprice.xml"
t_expect 0 "a region's new Dataset replaces its units" \
	"$LASTERI" import --db "$DB" "$T_DIR/newprice.xml"
t_expect 0 "the replaced unit exports" export_to "$T_DIR/exp3.xml"
t_grep "the unit carries the new price" '<DailyPrice>710.00</DailyPrice>' "$T_DIR/exp3.xml"
t_expect 0 "the old price comes back with the old file" \
	"$LASTERI" import --db "$DB" "$DATA/dataset-08.xml"

# --- import: bad input changes nothing --------------------------------------
export_to "$T_DIR/before.xml"
unchanged() {	# unchanged "description"
	export_to "$T_DIR/after.xml" && cmp -s "$T_DIR/before.xml" "$T_DIR/after.xml" &&
		t_ok "$1" || t_fail "$1" "the database changed"
}

t_expect 2 "a different record under a stored Id is a conflict" \
	"$LASTERI" import --db "$DB" "$DATA/record-conflict.xml"
t_grep "the conflict names the file, line, element and record" \
	'record-conflict.xml:[0-9]+: SupervisionRecord: .*HVA-08-2026-0001.*different document' "$T_DIR/err"
unchanged "after the conflict the database is unchanged"

sed -e 's/businessId="1234567-1"/businessId="1234567-2"/' "$DATA/dataset-08.xml" >"$T_DIR/badcheck.xml"
sed -e 's/SOTERI-08-0003/SOTERI-08-0004/' "$DATA/unit-08-0003.xml" >"$T_DIR/unit4.xml"
t_expect 2 "a wrong Y-tunnus check digit is refused" \
	"$LASTERI" import --db "$DB" "$T_DIR/unit4.xml" "$T_DIR/badcheck.xml"
t_grep "the refusal names the file, line and element" 'badcheck.xml:[0-9]+: Unit' "$T_DIR/err"
t_grep "and says nothing was imported" 'nothing imported' "$T_DIR/err"
unchanged "after a refused file the other files are not imported either"

sed -e 's/<Type>youth-home</<Type>castle</' "$DATA/unit-08-0003.xml" >"$T_DIR/badtype.xml"
t_expect 2 "a value outside the schema is refused" \
	"$LASTERI" import --db "$DB" "$DATA/dataset-08.xml" "$T_DIR/badtype.xml"
t_grep "the schema error names the file and line" 'badtype.xml:[0-9]+:' "$T_DIR/err"
unchanged "after a schema error the database is unchanged"

printf '<Dataset xmlns="urn:lasteri:1"><Unit>' >"$T_DIR/broken.xml"
t_expect 2 "a file that is not well-formed is refused" \
	"$LASTERI" import --db "$DB" "$T_DIR/broken.xml"
t_grep "the parse error names the file" 'broken.xml' "$T_DIR/err"
unchanged "after a parse error the database is unchanged"

t_expect 2 "the same unit twice in one import is refused" \
	"$LASTERI" import --db "$DB" "$DATA/unit-08-0003.xml" "$DATA/unit-08-0003.xml"
t_grep "the duplicate is named" 'unit SOTERI-08-0003 appears twice in this import' "$T_DIR/err"
unchanged "after a duplicate the database is unchanged"

t_expect 2 "units of another region are refused with --region" \
	"$LASTERI" import --db "$DB" --region 05 "$DATA/unit-08-0003.xml"
t_grep "the region refusal names the unit" 'unit SOTERI-08-0003 belongs to region 08, not 05' "$T_DIR/err"
unchanged "after a region refusal the database is unchanged"

t_expect 2 "a Dataset meant for another region is refused with --region" \
	"$LASTERI" import --db "$DB" --region 05 "$DATA/dataset-08.xml"
t_grep "the refusal names the Dataset's region" 'dataset-08.xml:[0-9]+: Dataset: meant for region 08, not 05' "$T_DIR/err"
unchanged "after a Dataset of another region the database is unchanged"

t_expect 2 "a missing file is refused" \
	"$LASTERI" import --db "$DB" "$DATA/dataset-08.xml" "$T_DIR/missing.xml"
t_grep "the missing file is named" 'missing.xml' "$T_DIR/err"
unchanged "after a missing file the database is unchanged"

t_expect 2 "a failed import into a new database" \
	"$LASTERI" import --db "$T_DIR/new.db" "$DATA/dataset-08.xml" "$T_DIR/badcheck.xml"
if [ -e "$T_DIR/new.db" ]; then
	t_fail "a failed import leaves no new database behind"
else
	t_ok "a failed import leaves no new database behind"
fi

# --- import: streamed from stdin ----------------------------------------------
t_expect 0 "imports a Dataset from stdin (-)" sh -c \
	'"$1" import --db "$2" - <"$3"' sh "$LASTERI" "$T_DIR/stdin.db" "$DATA/dataset-08.xml"
t_grep "the stdin import counts the Dataset" \
	'^imported 2 units, 1 procurement definition, 2 supervision records from 1 file$' "$T_DIR/out"
"$LASTERI" import --db "$T_DIR/file.db" "$DATA/dataset-08.xml" >/dev/null 2>&1
export_to "$T_DIR/stdin-exp.xml" "$T_DIR/stdin.db"
export_to "$T_DIR/file-exp.xml" "$T_DIR/file.db"
t_expect 0 "stdin and the file give the same database" \
	cmp -s "$T_DIR/stdin-exp.xml" "$T_DIR/file-exp.xml"
# (its first unit renamed, so that importing it would show)
sed 's/SOTERI-08-0001/SOTERI-08-0901/' "$DATA/dataset-08.xml" | head -n 40 >"$T_DIR/cut.xml"
t_expect 2 "a document cut short on stdin is refused" sh -c \
	'"$1" import --db "$2" - <"$3"' sh "$LASTERI" "$T_DIR/stdin.db" "$T_DIR/cut.xml"
t_grep "the parse error names stdin and the line" '\(stdin\):41: ' "$T_DIR/err"
export_to "$T_DIR/stdin-exp2.xml" "$T_DIR/stdin.db"
t_expect 0 "and the unit read before the cut is not imported" \
	cmp -s "$T_DIR/stdin-exp.xml" "$T_DIR/stdin-exp2.xml"

# --- every subcommand: --help and an unknown option (issue 13, item 8) --------
# The subcommands are read from `lasteri help`, so a new one is covered too;
# the actions of supervision, audit and user likewise.
"$LASTERI" help >"$T_DIR/help" 2>&1
SUBS=$(awk '/^Subcommands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }' "$T_DIR/help")
if [ "$(echo "$SUBS" | wc -w)" -ge 16 ]; then
	t_ok "lasteri help lists the subcommands"
else
	t_fail "lasteri help lists the subcommands" "$(cat "$T_DIR/help")"
fi
for cmd in $SUBS "supervision issue" "supervision status" "supervision retry" \
    "supervision cancel" "supervision show" "audit checkpoint" "audit alarms" \
    "user add" "user list"; do
	# shellcheck disable=SC2086
	t_expect 0 "lasteri $cmd --help exits 0" "$LASTERI" $cmd --help
	if [ -s "$T_DIR/out" ] && [ ! -s "$T_DIR/err" ] && grep -q "lasteri ${cmd%% *}" "$T_DIR/out"; then
		t_ok "lasteri $cmd --help explains on stdout"
	else
		t_fail "lasteri $cmd --help explains on stdout" "stdout: $(head -c 200 "$T_DIR/out"); stderr: $(head -c 200 "$T_DIR/err")"
	fi
	# shellcheck disable=SC2086
	t_expect 2 "lasteri $cmd --no-such-option exits 2" "$LASTERI" $cmd --no-such-option
	top=${cmd%% *}
	if [ "$(wc -l <"$T_DIR/err")" -eq 2 ] &&
	    grep -q -- "^lasteri $top: .*'--no-such-option'" "$T_DIR/err" &&
	    [ "$(tail -n 1 "$T_DIR/err")" = "see 'lasteri $top --help'" ]; then
		t_ok "lasteri $cmd --no-such-option: one line naming it and a hint"
	else
		t_fail "lasteri $cmd --no-such-option: one line naming it and a hint" "$(head -c 400 "$T_DIR/err")"
	fi
done

# --- the documents' example member IDs (issue 13, item 8) ---------------------
# A member ID's code is a Y-tunnus: its check digit must be right in every
# example an operator may copy (lasterid reads the trust list's IDs as given,
# so a wrong one would only show up much later).
/usr/bin/python3 - "$TOP_SRCDIR" >"$T_DIR/ids" 2>&1 <<'EOP'
import re, sys
top = sys.argv[1]
bad = 0
for f in ("node/lasterid.8", "node/lasterid.conf.5", "tools/lasteri.1", "README.md"):
    for n, line in enumerate(open(top + "/" + f, encoding="utf-8"), 1):
        for code in re.findall(r"\bFI/[A-Z]+/(\d{7}-\d)/", line):
            r = sum(int(a) * w for a, w in zip(code[:7], (7, 9, 10, 5, 8, 4, 2))) % 11
            if r == 1 or (0 if r == 0 else 11 - r) != int(code[8]):
                print("%s:%d: %s: wrong check digit" % (f, n, code))
                bad += 1
print("%d wrong" % bad)
EOP
t_grep "every example member ID in the man pages and README has a valid Y-tunnus" '^0 wrong$' "$T_DIR/ids"

# --- tools/quickstart: a failure says so in its last line (issue 13, item 8) --
# quickstart in a stub tree: deps, configure and the build succeed, the
# federation "starts" 2 of its 3 members, and the next step fails.
Q=$T_DIR/qs
mkdir -p "$Q/tools"
cp "$TOP_SRCDIR/tools/quickstart" "$Q/tools/quickstart"
printf '#!/bin/sh\nexit 0\n' >"$Q/tools/deps"
printf '#!/bin/sh\nprintf "all:\\n\\t@true\\n" >Makefile\n' >"$Q/configure"
cat >"$Q/tools/federation" <<'EOS'
#!/bin/sh
case $1 in
up) mkdir -p "$2/members" ;;
status) printf 'CODE PID STATE PORT UNITS SOCKET\n01 1 running 1 0 s\n02 2 running 2 0 s\n03 - stopped 3 0 s\n' ;;
esac
exit 0
EOS
chmod +x "$Q/tools/deps" "$Q/configure" "$Q/tools/federation"
touch "$Q/configure.ac" "$Q/Makefile.am"
sleep 0.01
touch "$Q/configure" "$Q/Makefile.in"
t_expect 2 "quickstart fails when a step fails" env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "$Q/tools/quickstart"
tail -n 1 "$T_DIR/err" >"$T_DIR/qs-last"
t_grep "its last line says it failed, where, and what was running" \
	'^quickstart FAILED \(exit 2\) at "Starting the federation: .*": 2 of 3 members were running; logs in .*/build/quickstart/fed/members/<code>/$' "$T_DIR/qs-last"

# --- the README matches the repository (issue 13, item 8) --------------------
# Every package tools/deps installs is in the README's install list, every
# repository path the README names in `...` exists, and it points to no
# document outside the repository.
/usr/bin/python3 - "$TOP_SRCDIR" >"$T_DIR/readme" 2>&1 <<'EOP'
import glob, re, sys
top = sys.argv[1]
readme = open(top + "/README.md", encoding="utf-8").read()
deps = open(top + "/tools/deps", encoding="utf-8").read()
bad = []
pkgs = re.search(r"^pkgs=\((.*?)^\)", deps, re.S | re.M).group(1).split()
install = readme[readme.index("Both scripts install"):readme.index("By hand:")]
bad += ["tools/deps installs %s; the README's list does not name it" % p
        for p in pkgs if not re.search(r"(?<![\w-])" + re.escape(p) + r"(?![\w-])", install)]
for ref in sorted(set(re.findall(r"`((?:\.ci|tools|node|federation|tests|schemas|certs|debian|po)/[^`\s]*)`", readme))):
    if not glob.glob(top + "/" + ref.rstrip("/")):
        bad.append("the README names %s, which is not in the repository" % ref)
for n, line in enumerate(readme.split("\n"), 1):
    if re.search(r"shared notes|notes/|\bDESIGN\b|\bSTYLE\.md|XMLDSIG\.md", line):
        bad.append("README.md:%d points outside the repository: %s" % (n, line.strip()))
print("\n".join(bad))
print("%d problems" % len(bad))
EOP
t_grep "the README's install list and references match the repository" '^0 problems$' "$T_DIR/readme"

t_finish
