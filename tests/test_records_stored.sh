#!/bin/bash
# test_records_stored.sh - lasteri_records_stored tells signed from unsigned
# records (issue 13, item 8): lasteri_records_stored{signed="yes"} counts
# the records stored with a signature the node verified, {signed="no"} the
# ones stored without (supervision_records.signer IS NULL).  Both series
# are there at 0 from the start; a record issued (lvv) and received (01)
# counts as signed, an import through the node as what it is, and a
# restart counts the same again from the database.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/nodes.sh"

DSIG_TOOL=$TOP_BUILDDIR/tests/dsig_tool
nodes_init 1
# UNIT-M: a unit of region 01 (Porvoo), so that 01 takes records about it.
nodes_unit UNIT-M 01 638 >"$T_DIR/unit.xml"
"$LASTERI" import --db "$M/01/node.db" --region 01 "$T_DIR/unit.xml" >"$T_DIR/imp.log" 2>&1 ||
    { echo "FAIL - a unit for node 01: $(cat "$T_DIR/imp.log")"; exit 1; }
nodes_conf 01
nodes_conf lvv
nodes_start 01 || exit 1
nodes_start lvv || exit 1

# stored CODE SIGNED: that node's lasteri_records_stored{signed="SIGNED"}
# ("none" when the series is missing).
stored() {
	curl -s --max-time 5 --unix-socket "$M/$1/admin.sock" http://lasterid/metrics |
	    awk -v s="lasteri_records_stored{signed=\"$2\"}" '$1 == s { v = $2 }
		END { print (v == "" ? "none" : v) }'
}
# expect DESC CODE YES NO: the two series of CODE's node are YES and NO.
expect() {
	local y n
	y=$(stored "$2" yes)
	n=$(stored "$2" no)
	if [ "$y" = "$3" ] && [ "$n" = "$4" ]; then
		t_ok "$1 (signed $y, unsigned $n)"
	else
		t_fail "$1" "signed=\"yes\" $y (wanted $3), signed=\"no\" $n (wanted $4)"
	fi
}
# record ID: $T_DIR/ID.xml, a record lvv issues about a unit of region 01.
record() { nodes_record "$1" UNIT-M 01 >"$T_DIR/$1.xml"; }

# --- from the start -----------------------------------------------------------
expect "01 starts with both series at 0" 01 0 0
expect "lvv starts with both series at 0" lvv 0 0

# --- issued and received: signed ------------------------------------------------
record LVV-MS-1
t_expect 0 "lvv issues a record about a unit of 01" \
    "$LASTERI" supervision issue "$T_DIR/LVV-MS-1.xml" -s "$M/lvv/admin.sock"
expect "the issued record counts as signed at lvv" lvv 1 0
delivered() { [ "$(stored 01 yes)" = 1 ]; }
nodes_wait 15 delivered
expect "the record 01 received counts as signed there" 01 1 0

# --- imported: as they are ------------------------------------------------------
record LVV-MS-U1
t_expect 0 "an unsigned record is imported through 01" \
    "$LASTERI" import -s "$M/01/admin.sock" "$T_DIR/LVV-MS-U1.xml"
expect "the unsigned import counts as unsigned" 01 1 1
record LVV-MS-S1
"$DSIG_TOOL" sign "$M/lvv/sign.key" "$M/lvv/sign.crt" "$T_DIR/LVV-MS-S1.xml" \
    "$T_DIR/LVV-MS-S1.signed" >"$T_DIR/sign.out" 2>&1 ||
    t_fail "lvv signs LVV-MS-S1" "$(cat "$T_DIR/sign.out")"
t_expect 0 "a record lvv signed is imported through 01 (verified)" \
    "$LASTERI" import -s "$M/01/admin.sock" "$T_DIR/LVV-MS-S1.signed"
expect "the signed import counts as signed" 01 2 1

# --- counted again from the database ---------------------------------------------
nodes_stop 01
nodes_start 01 || exit 1
expect "after a restart 01 counts the same from its database" 01 2 1

t_finish
