#!/bin/sh
# test_badinput.sh - every hostile or malformed file is refused by
# `lasteri import`: exit status 2, a message that names the file (and the
# line where there is one) and says why, and the database left unchanged.
#
# The files are tests/corpus/REASON--DETAIL.xml (the expected reason is the
# part before "--"); a 100 MB file and a 1000-deep document are generated
# here, never committed.
. "$TOP_SRCDIR/tests/lib.sh"

CORPUS=$TOP_SRCDIR/tests/corpus
DB=$T_DIR/node.db

# want REASON: an extended regex the error message must match.  "@" stands
# for the file name followed by a line number.
want() {
	case $1 in
	malformed-xml)		echo '@.*(mismatch|Nimi)' ;;
	truncated)		echo '@' ;;
	not-xml)		echo '@' ;;
	empty)			echo 'empty' ;;
	wrong-root)		echo '@.*(root|html)' ;;
	schema-violation)	echo '@.*(Name|Castle)' ;;
	unknown-enum)		echo '@.*Type.*castle' ;;
	unknown-region)		echo '@.*Region' ;;
	bad-ytunnus)		echo '(businessId|ProviderBusinessId).*2345678-[19]' ;;
	duplicate-id)		echo '@.*[Dd]uplicate' ;;
	free-places)		echo 'FreePlaces' ;;
	age-range)		echo 'Ages' ;;
	comment-in-text)	echo '@.*comment' ;;
	pi-in-text)		echo '@.*processing instruction' ;;
	dtd|xxe|entity-bomb)	echo '@.*DTD' ;;
	entity-reference)	echo '@.*entity' ;;
	oversize)		echo 'larger than' ;;
	depth)			echo '@.*deeper' ;;
	*)			echo 'NO EXPECTATION FOR THIS REASON' ;;
	esac
}

snapshot() {	# snapshot FILE: the db's content as export prints it
	"$LASTERI" export --db "$DB" --records >"$1.raw" 2>"$1.err" || return 1
	# (without the export's own time stamp)
	sed 's/generated="[^"]*"//' "$1.raw" >"$1"
}

# refused FILE: import must fail cleanly and change nothing.
refused() {
	f=$1
	base=$(basename "$f")
	reason=${base%%--*}
	pat=$(want "$reason")
	# "@" is the file name and a line number
	quoted=$(printf '%s' "$base" | sed 's/[.[\*^$()+?{|]/\\&/g')
	pat=$(printf '%s' "$pat" | sed "s|@|$quoted:[0-9]+|")
	if ! snapshot "$T_DIR/before"; then
		t_fail "$base: export before the import" "$(head -c 300 "$T_DIR/before.err")"
		return
	fi
	timeout 60 "$LASTERI" import --db "$DB" "$f" >"$T_DIR/out" 2>"$T_DIR/err" </dev/null
	rc=$?
	why=""
	[ "$rc" -eq 2 ] || why="exit $rc, wanted 2;"
	grep -q -- "$base" "$T_DIR/err" || why="$why the message does not name the file;"
	grep -Eq -- "$pat" "$T_DIR/err" || why="$why the message does not match /$pat/;"
	snapshot "$T_DIR/after"
	cmp -s "$T_DIR/before" "$T_DIR/after" || why="$why the database changed;"
	if [ -z "$why" ]; then
		t_ok "refuses $base"
	else
		t_fail "refuses $base" "$why stderr: $(head -c 400 "$T_DIR/err")"
	fi
}

# A database with known content, so that "unchanged" means something.
t_expect 0 "imports the valid dataset" \
	"$LASTERI" import --db "$DB" "$CORPUS/valid-dataset.xml"
snapshot "$T_DIR/seeded"
t_grep "the export shows the imported unit" 'SOTERI-1\.2\.246\.10\.23456780\.10\.42|Lastenkoti Tammela' "$T_DIR/seeded"

for f in "$CORPUS"/*--*.xml; do
	refused "$f"
done

# Generated at test time.
GEN=$T_DIR/gen
mkdir "$GEN"
# 100 MB, sparse: must be refused from its size without being read.
truncate -s 100M "$GEN/oversize--100mb.xml" 2>/dev/null ||
	dd if=/dev/zero of="$GEN/oversize--100mb.xml" bs=1 count=0 seek=104857600 2>/dev/null
start=$(date +%s)
refused "$GEN/oversize--100mb.xml"
end=$(date +%s)
if [ $((end - start)) -le 10 ]; then
	t_ok "refuses the 100 MB file quickly"
else
	t_fail "refuses the 100 MB file quickly" "took $((end - start)) s"
fi
# 1000 nested elements inside a Dataset.
{
	printf '<Dataset xmlns="urn:lasteri:1">\n'
	i=0
	while [ $i -lt 1000 ]; do printf '<Unit>'; i=$((i + 1)); done
	i=0
	while [ $i -lt 1000 ]; do printf '</Unit>'; i=$((i + 1)); done
	printf '\n</Dataset>\n'
} >"$GEN/depth--1000.xml"
refused "$GEN/depth--1000.xml"

# All or nothing: one bad file among good ones changes nothing either.
# (a new unit ID, so that an import of the good file would show)
sed 's/Id="SOTERI-1\.2\.246\.10\.23456780\.10\.42"/Id="NEW-UNIT-1"/' \
	"$CORPUS/valid-dataset.xml" >"$GEN/good.xml"
snapshot "$T_DIR/before"
"$LASTERI" import --db "$DB" "$GEN/good.xml" \
	"$CORPUS/unknown-enum--unit-type.xml" >/dev/null 2>"$T_DIR/err"
rc=$?
snapshot "$T_DIR/after"
if [ "$rc" -eq 2 ] && cmp -s "$T_DIR/before" "$T_DIR/after"; then
	t_ok "a bad file among good ones imports nothing"
else
	t_fail "a bad file among good ones imports nothing" "exit $rc; $(head -c 300 "$T_DIR/err")"
fi

# --- streamed imports: what the schema says of a Dataset as a whole ----------
# A Dataset is imported one element at a time, so its order, its unique
# Ids, its attributes and its element-only content are checked as it
# streams; each must still be refused in the schema's words, changing
# nothing.  Cut from the valid dataset: lines 3-43 the Unit, 44-84 the
# ProcurementDefinition, 85-105 the SupervisionRecord.
V=$CORPUS/valid-dataset.xml
part() { sed -n "$1p" "$V"; }
ds() { part 1,1; printf '%s\n' "${1:-<Dataset xmlns=\"urn:lasteri:1\" region=\"08\">}"; }
{ ds; part 3,43; part 85,105; part 44,84; echo '</Dataset>'; } >"$GEN/dataset-order--procurement-after-record.xml"
{ ds; part 3,43; part 44,84; part 85,105; echo '<Remark/>'; echo '</Dataset>'; } >"$GEN/dataset-child--unknown.xml"
{ ds; part 3,43; echo 'stray words'; part 44,84; part 85,105; echo '</Dataset>'; } >"$GEN/dataset-text--between-elements.xml"
{ ds '<Dataset xmlns="urn:lasteri:1" region="08" owner="x">'; part 3,43; echo '</Dataset>'; } >"$GEN/dataset-attribute--unknown.xml"
{ ds; part 3,43; part 44,84; part 85,105; part 85,105; echo '</Dataset>'; } >"$GEN/duplicate-id--record.xml"
refused_as() {	# refused_as FILE REGEX: refused, changing nothing, saying REGEX
	snapshot "$T_DIR/before"
	timeout 60 "$LASTERI" import --db "$DB" "$1" >"$T_DIR/out" 2>"$T_DIR/err" </dev/null
	rc=$?
	snapshot "$T_DIR/after"
	why=""
	[ "$rc" -eq 2 ] || why="exit $rc, wanted 2;"
	grep -Eq -- "$2" "$T_DIR/err" || why="$why the message does not match /$2/;"
	cmp -s "$T_DIR/before" "$T_DIR/after" || why="$why the database changed;"
	if [ -z "$why" ]; then
		t_ok "refuses $(basename "$1")"
	else
		t_fail "refuses $(basename "$1")" "$why stderr: $(head -c 400 "$T_DIR/err")"
	fi
}
refused_as "$GEN/dataset-order--procurement-after-record.xml" \
	'dataset-order--procurement-after-record\.xml:65: ProcurementDefinition: This element is not expected\. Expected is \( \{urn:lasteri:1\}SupervisionRecord \)\.$'
refused_as "$GEN/dataset-child--unknown.xml" \
	'dataset-child--unknown\.xml:106: Remark: This element is not expected\. Expected is \( \{urn:lasteri:1\}SupervisionRecord \)\.$'
refused_as "$GEN/dataset-text--between-elements.xml" \
	"dataset-text--between-elements\.xml:2: Dataset: Character content other than whitespace is not allowed because the content type is 'element-only'\.\$"
refused_as "$GEN/dataset-attribute--unknown.xml" \
	"dataset-attribute--unknown\.xml:2: Dataset: attribute 'owner': The attribute 'owner' is not allowed\.\$"
refused_as "$GEN/duplicate-id--record.xml" \
	"duplicate-id--record\.xml:106: SupervisionRecord: Duplicate key-sequence \['LVV-2026-000123'\] in unique identity-constraint '\{urn:lasteri:1\}UniqueRecordId'\.\$"

# --- streamed imports: a bad element late in a large Dataset -------------------
# 4,000 records (84,000 lines: past libxml2's 16-bit line numbers) with one
# fault near the end.  Every record before it has been put into the
# transaction by then; the import must still change nothing and name the
# fault's line.  (Past line 65,535 libxml2 reads an element's line from its
# first text child, so a record may be named on the line after its start
# tag; a text element's own line is exact.)
large() {	# large BAD > FILE: record 3,900 (line 81,964) is BAD
	awk -v bad="$1" '
	NR <= 84 { print; if (NR >= 3) unit[NR] = $0; next }
	NR >= 85 && NR <= 105 { rec[NR - 84] = $0; next }
	END {
		for (i = 1; i <= 4000; i++) {
			for (j = 1; j <= 21; j++) {
				l = rec[j]
				n = (bad == "dup" && i == 3900) ? 1 : i
				sub(/LVV-2026-000123/, sprintf("LVV-2026-9%05d", n), l)
				if (i == 3900 && bad == "schema")
					sub(/inspection-unannounced/, "castle", l)
				if (i == 3900 && bad == "check")
					sub(/2345678-0/, "2345678-1", l)
				print l
			}
		}
		if (bad == "order")
			for (j = 3; j <= 43; j++)
				print unit[j]
		if (bad != "truncated")
			print "</Dataset>"
	}' "$V"
}
for b in none schema check dup order truncated; do
	large "$b" >"$GEN/large-$b.xml"
done
refused_as "$GEN/large-schema.xml" \
	"large-schema\.xml:81965: Kind: 'castle' is not one of the allowed values: "
refused_as "$GEN/large-check.xml" \
	'large-check\.xml:8196[45]: SupervisionRecord: record LVV-2026-903900: ProviderBusinessId: 2345678-1 has a wrong check digit'
refused_as "$GEN/large-dup.xml" \
	"large-dup\.xml:8196[45]: SupervisionRecord: Duplicate key-sequence \['LVV-2026-900001'\]"
refused_as "$GEN/large-order.xml" \
	'large-order\.xml:8408[56]: Unit: This element is not expected'
refused_as "$GEN/large-truncated.xml" \
	'large-truncated\.xml:84085: Dataset: Premature end of data in tag Dataset'
# ... and the same file without the fault imports whole.
cp "$DB" "$T_DIR/large.db"
t_expect 0 "imports the large Dataset without the fault" \
	"$LASTERI" import --db "$T_DIR/large.db" "$GEN/large-none.xml"
t_grep "all of its records" '^imported 1 unit, 1 procurement definition, 4000 supervision records from 1 file$' "$T_DIR/out"

t_finish
