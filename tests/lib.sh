# lib.sh - helpers for the shell integration tests.  Source it; call
# t_ok/t_fail (or t_expect) per case and t_finish at the end, which prints
# the plain "N passed, N failed" line and sets the exit status.
: "${LASTERI:?run from make check (LASTERI is the lasteri binary)}"
T_PASS=0
T_FAIL=0
T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/lasteri-test.XXXXXX")
trap 't_cleanup' EXIT
t_cleanup() { [ -n "${T_KEEP:-}" ] || rm -rf "$T_DIR"; }

t_ok() { T_PASS=$((T_PASS + 1)); echo "ok - $1"; }
t_fail() { T_FAIL=$((T_FAIL + 1)); echo "FAIL - $1"; [ -z "${2:-}" ] || echo "  $2"; }

# t_expect STATUS "description" COMMAND...: runs COMMAND (stdout in $T_DIR/out,
# stderr in $T_DIR/err) and checks its exit status.
t_expect() {
	local want=$1 desc=$2 rc
	shift 2
	"$@" >"$T_DIR/out" 2>"$T_DIR/err" </dev/null
	rc=$?
	if [ "$rc" -eq "$want" ]; then
		t_ok "$desc"
	else
		t_fail "$desc" "exit $rc, wanted $want; stderr: $(head -c 600 "$T_DIR/err")"
	fi
}

# t_grep "description" PATTERN FILE: passes when FILE has a line matching PATTERN.
t_grep() {
	if grep -Eq -- "$2" "$3"; then t_ok "$1"; else t_fail "$1" "no '$2' in $3: $(head -c 600 "$3")"; fi
}

t_finish() {
	echo "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
}
