#!/bin/bash
# test_federation.sh - tools/federation: up starts a three-region federation
# (5 members with thl and lvv) on 127.0.0.1 with sample data, a member's
# federation port answers a peer's client certificate, up again leaves the
# running members alone and restarts a dead one, down stops every lasterid
# of the directory, status tells running from stopped, usage errors exit 2.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/nodes.sh"

FED=$TOP_SRCDIR/tools/federation
LASTERID=$TOP_BUILDDIR/node/lasterid
export LASTERI LASTERID
D=$T_DIR/fed

for tool in curl openssl setsid; do
	command -v $tool >/dev/null 2>&1 || { echo "skip: $tool is not installed"; exit 77; }
done
[ -x "$LASTERID" ] || { echo "FAIL - $LASTERID is not built"; exit 1; }

# ours: the pids of lasterid processes whose command line names $D.
ours() {
	for p in /proc/[0-9]*; do
		tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -q "lasterid -c $D/" &&
		    echo "${p#/proc/}"
	done
	return 0
}
cleanup() {
	[ -d "$D/members" ] && FEDERATION_STOP_WAIT=5 "$FED" down "$D" >/dev/null 2>&1
	for p in $(ours); do kill -KILL "$p" 2>/dev/null; done
	t_cleanup
}
trap cleanup EXIT

BASE=$(nodes_free_base 5) || { echo "FAIL - no free port base found"; exit 1; }

# --- usage ----------------------------------------------------------------------
t_expect 2 "no command is a usage error" "$FED"
t_expect 2 "an unknown command is a usage error" "$FED" start "$D"
t_grep "it names the command" "unknown command 'start'" "$T_DIR/err"
t_expect 2 "a missing DIR is a usage error" "$FED" up
t_expect 2 "--regions 0 is a usage error" "$FED" up "$D" --regions 0
t_grep "it names the option" "--regions: 0 is not in 1\.\.22" "$T_DIR/err"
t_expect 2 "an unknown option is a usage error" "$FED" up "$D" --region 3
t_expect 1 "status of a directory without a federation fails" "$FED" status "$T_DIR"
t_grep "it says what is missing" "trustlist\.xml is missing" "$T_DIR/err"

# --- up -------------------------------------------------------------------------
t_expect 0 "up --regions 3 starts the federation" \
    "$FED" up "$D" --regions 3 --port-base "$BASE" --seed 7
cp "$T_DIR/out" "$T_DIR/up1"
t_grep "up says it started 5 members" "^federation: 5 started, 0 already running" "$T_DIR/up1"

t_expect 0 "status exits 0 when every member runs" "$FED" status "$D"
cp "$T_DIR/out" "$T_DIR/status1"
n=$(grep -Ec '^(01|02|03|thl|lvv) +[0-9]+ +running ' "$T_DIR/status1")
[ "$n" = 5 ] && t_ok "status shows 5 members running" ||
    t_fail "status shows 5 members running" "$(cat "$T_DIR/status1")"
t_grep "member 01 listens on the trust list's port" "^01 +[0-9]+ +running +$BASE " "$T_DIR/status1"
t_grep "region 01 holds sample units" "^01 +[0-9]+ +running +[0-9]+ +[1-9][0-9]* " "$T_DIR/status1"
t_grep "thl starts with an empty database" "^thl +[0-9]+ +running +[0-9]+ +0 " "$T_DIR/status1"
t_expect 0 "a member's configuration has mode 0600" sh -c \
    "test \"\$(stat -c %a '$D/members/02/lasterid.conf')\" = 600"
t_expect 0 "the configuration passes lasterid -t" "$LASTERID" -t -c "$D/members/02/lasterid.conf"
t_expect 0 "the member logs to lasterid.log" grep -q 'event=start ' "$D/members/02/lasterid.log"

# Member 02's certificate gets 01's /v1/health over mutual TLS, on the port
# the trust list names.
port01=$(sed -n 's/^01 *[0-9]* *running *\([0-9]*\) .*/\1/p' "$T_DIR/status1")
id01=$(cat "$D/members/01/member.id")
id02=$(cat "$D/members/02/member.id")
M2=$D/members/02
t_expect 0 "member 02 gets 01's /v1/health with its client certificate" \
    curl -sS -f --max-time 10 --cacert "$D/pki/ca.crt" --cert "$M2/tls.crt" \
    --key "$M2/tls.key" "https://127.0.0.1:$port01/v1/health"
t_grep "the answer comes from 01 and names 02 as the peer" \
    "member=\"$id01\" peer=\"$id02\" status=\"ok\"" "$T_DIR/out"
t_expect 0 "a client without a certificate is refused" sh -c \
    "! curl -s --max-time 10 --cacert '$D/pki/ca.crt' -o /dev/null https://127.0.0.1:$port01/v1/health"

# --- idempotence ----------------------------------------------------------------
pids1=$(cat "$D"/members/*/lasterid.pid | sort | tr '\n' ' ')
t_expect 0 "up again succeeds" "$FED" up "$D" --regions 3 --port-base "$BASE"
t_grep "up again starts nothing" "^federation: 0 started, 5 already running" "$T_DIR/out"
pids2=$(cat "$D"/members/*/lasterid.pid | sort | tr '\n' ' ')
[ "$pids1" = "$pids2" ] && t_ok "up again leaves the running members alone" ||
    t_fail "up again leaves the running members alone" "$pids1 -> $pids2"
n=$(ours | wc -l)
[ "$n" = 5 ] && t_ok "exactly 5 lasterid processes run for the directory" ||
    t_fail "exactly 5 lasterid processes run for the directory" "found $n"

# A member killed with -9: status says so (exit 1), up restarts only it.
pid03=$(cat "$D/members/03/lasterid.pid")
kill -KILL "$pid03"
i=0
while kill -0 "$pid03" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
t_expect 1 "status exits 1 when a member is down" "$FED" status "$D"
t_grep "status shows 03 stopped" "^03 +- +stopped " "$T_DIR/out"
t_expect 0 "up restarts the dead member" "$FED" up "$D"
t_grep "only that one" "^federation: 1 started, 4 already running" "$T_DIR/out"
t_expect 0 "and 03 answers /health on its admin socket again" \
    curl -sS -f --max-time 10 --unix-socket "$D/members/03/admin.sock" http://lasterid/health

# --- down ---------------------------------------------------------------------
t_expect 0 "down stops the federation" "$FED" down "$D"
t_grep "down says how many it stopped" "^federation: stopped 5 member" "$T_DIR/out"
left=$(ours | tr '\n' ' ')
[ -z "$left" ] && t_ok "no lasterid is left running for the directory" ||
    t_fail "no lasterid is left running for the directory" "still running: $left"
t_expect 0 "the pid files are removed" sh -c "! ls '$D'/members/*/lasterid.pid 2>/dev/null"
t_expect 1 "status exits 1 after down" "$FED" status "$D"
n=$(grep -Ec '^(01|02|03|thl|lvv) +- +stopped ' "$T_DIR/out")
[ "$n" = 5 ] && t_ok "status shows 5 members stopped" ||
    t_fail "status shows 5 members stopped" "$(cat "$T_DIR/out")"
t_grep "status still counts the units offline" "^01 +- +stopped +[0-9]+ +[1-9][0-9]* " "$T_DIR/out"
t_expect 0 "down again is harmless" "$FED" down "$D"
t_grep "and stops nothing" "^federation: stopped 0 member" "$T_DIR/out"
t_finish
