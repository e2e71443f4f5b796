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
	"$LASTERI" export --db "$DB" >"$1.raw" 2>"$1.err" || return 1
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

t_finish
