#!/bin/bash
# test_users.sh - the web service's accounts on a running node (issue 12):
# lasteri user add / list / disable / passwd / audit over the admin socket,
# and the endpoints behind them (POST/GET /admin/v1/users, .../NAME/disable,
# .../NAME/password, GET /admin/v1/web-audit).  Refusals name their reason:
# a taken name, a bad role, a provider without a business ID, an invalid
# Y-tunnus, a bad name, a short password.  A generated password is printed
# once and is the one the node keeps (checked against the stored Argon2id
# hash by tests/test_account verify); no password reaches the audit trail
# or the node's log.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/nodes.sh"

VERIFY=$TOP_BUILDDIR/tests/test_account
command -v curl >/dev/null 2>&1 || { echo "skip: curl is not installed"; exit 77; }
[ -x "$LASTERID" ] || { echo "FAIL - $LASTERID is not built"; exit 1; }
[ -x "$VERIFY" ] || { echo "FAIL - $VERIFY is not built"; exit 1; }
trap 'nodes_stop_all; t_cleanup' EXIT

NODES_DIR=$T_DIR/fed
BASE=$(nodes_free_base 3) || { echo "FAIL - no free port base"; exit 1; }
"$LASTERI" pki init "$NODES_DIR" --regions 1 --trustlist --port-base "$BASE" \
    >"$T_DIR/pki.log" 2>&1 || { echo "FAIL - pki init: $(tail -n 3 "$T_DIR/pki.log")"; exit 1; }
M=$NODES_DIR/members/01
nodes_conf 01
nodes_start 01 || exit 1
SOCK=$M/admin.sock
DB=$M/node.db
unset LASTERI_SOCKET
BID=0996189-5

# verify NAME PASSWORD: the node keeps PASSWORD for NAME.
verify() { "$VERIFY" verify "$DB" "$1" "$2" 2>>"$T_DIR/verify.err"; }
# with_stdin TEXT DESC STATUS ARGS...: runs lasteri user ARGS with TEXT on
# stdin (out in $T_DIR/out, err in $T_DIR/err).
with_stdin() {
	local text=$1 desc=$2 want=$3 rc
	shift 3
	printf '%s\n' "$text" | "$LASTERI" user "$@" >"$T_DIR/out" 2>"$T_DIR/err"
	rc=$?
	if [ "$rc" -eq "$want" ]; then t_ok "$desc"; else
		t_fail "$desc" "exit $rc, wanted $want: $(head -c 400 "$T_DIR/err")"; fi
}
# admin METHOD PATH [CURL-ARGS...]: a request on the admin socket; the
# status to stdout, the body to $T_DIR/resp.
admin() {
	local m=$1 p=$2
	shift 2
	curl -sS --max-time 10 --unix-socket "$SOCK" -X "$m" -o "$T_DIR/resp" \
	    -w '%{http_code}' "$@" "http://localhost$p" 2>"$T_DIR/curl.err"
}

# --- usage ------------------------------------------------------------------------
t_expect 0 "user --help explains the subcommands" "$LASTERI" user --help
t_grep "the help names user passwd" 'user passwd NAME' "$T_DIR/out"
t_expect 0 "user add --help exits 0" "$LASTERI" user add --help
t_expect 0 "lasteri help user works" "$LASTERI" help user
t_expect 2 "user without a subcommand is a usage error" "$LASTERI" user
t_expect 2 "an unknown user subcommand is a usage error" "$LASTERI" user nosuch
t_expect 2 "user add without --role is a usage error" "$LASTERI" user add x -s "$SOCK"
t_grep "the error asks for --role" '--role is needed' "$T_DIR/err"
t_expect 2 "user add without a socket is a usage error" "$LASTERI" user add x --role admin
t_grep "the error asks for -s" '\-s SOCKET' "$T_DIR/err"
t_expect 2 "user list with --role is refused" "$LASTERI" user list --role admin -s "$SOCK"
t_expect 2 "an unknown role is refused" "$LASTERI" user add x --role boss -s "$SOCK"
t_grep "the error names the role and the roles" "role 'boss': not one of social-worker, supervisor, provider, admin" "$T_DIR/err"
[ "$(wc -l <"$T_DIR/err")" -eq 1 ] && t_ok "a bad role is one line" || t_fail "a bad role is one line" "$(cat "$T_DIR/err")"
t_expect 2 "a provider without a business ID is refused" "$LASTERI" user add p0 --role provider -s "$SOCK"
t_grep "the error says a provider needs a business ID" 'provider account needs a business ID' "$T_DIR/err"
t_expect 2 "a bad Y-tunnus is refused" "$LASTERI" user add p0 --role provider --business-id 0996189-4 -s "$SOCK"
t_grep "the error names the Y-tunnus" "business ID '0996189-4': not a valid Y-tunnus" "$T_DIR/err"
t_expect 2 "a business ID on a supervisor is refused" "$LASTERI" user add s0 --role supervisor --business-id $BID -s "$SOCK"
t_grep "the error says only providers have one" 'only a provider account has a business ID' "$T_DIR/err"
t_expect 2 "an invalid name is refused" "$LASTERI" user add Maija --role admin -s "$SOCK"
t_grep "the error gives the name rule" "account name 'Maija': 1 to 64 characters" "$T_DIR/err"
with_stdin "short" "a password of 5 bytes is refused" 2 add x1 --role admin -s "$SOCK"
t_grep "the error gives the password bounds" '8 to 1024 bytes' "$T_DIR/err"

# --- add ------------------------------------------------------------------------------
with_stdin "first-pass-sw1" "user add reads the first password from stdin" 0 \
	add sw1 --role social-worker -s "$SOCK"
t_grep "add says the account was added" '^account sw1 added \(social-worker\)' "$T_DIR/out"
grep -q 'password:' "$T_DIR/out" && t_fail "a given password is not printed" "$(cat "$T_DIR/out")" ||
	t_ok "a given password is not printed"
verify sw1 first-pass-sw1 && t_ok "the node keeps the password given on stdin" ||
	t_fail "the node keeps the password given on stdin" "$(tail -n 2 "$T_DIR/verify.err")"
verify sw1 first-pass-sw2 && t_fail "another password does not verify" || t_ok "another password does not verify"

t_expect 0 "user add with an empty stdin generates a password" \
	"$LASTERI" user add sup1 --role supervisor -s "$SOCK"
PW1=$(sed -n 's/^password: //p' "$T_DIR/out")
[ "$(grep -c '^password: ' "$T_DIR/out")" -eq 1 ] && t_ok "the generated password is printed once" ||
	t_fail "the generated password is printed once" "$(cat "$T_DIR/out")"
echo "$PW1" | grep -Eq '^[a-z2-9]{5}(-[a-z2-9]{5}){5}$' && t_ok "the generated password is readable groups" ||
	t_fail "the generated password is readable groups" "'$PW1'"
verify sup1 "$PW1" && t_ok "the generated password is the one the node keeps" ||
	t_fail "the generated password is the one the node keeps" "$(tail -n 2 "$T_DIR/verify.err")"

t_expect 0 "a provider account with a valid Y-tunnus is added" \
	"$LASTERI" user add p1 --role provider --business-id $BID -s "$SOCK"
t_expect 0 "an admin account is added" "$LASTERI" user add adm1 --role admin -s "$SOCK"
t_expect 2 "a taken name is refused" "$LASTERI" user add sw1 --role admin -s "$SOCK"
t_grep "the error says the account exists" 'account sw1 exists' "$T_DIR/err"
[ "$(wc -l <"$T_DIR/err")" -eq 1 ] && t_ok "a taken name is one line" || t_fail "a taken name is one line" "$(cat "$T_DIR/err")"
verify sw1 first-pass-sw1 && t_ok "the refused add left the account as it was" ||
	t_fail "the refused add left the account as it was"

# --- list ------------------------------------------------------------------------------
t_expect 0 "user list lists the accounts" "$LASTERI" user list -s "$SOCK"
t_grep "the list has the provider with its business ID" "p1 +provider +$BID +active" "$T_DIR/out"
t_grep "the list has the social worker" 'sw1 +social-worker +- +active' "$T_DIR/out"
grep -q 'argon2' "$T_DIR/out" && t_fail "the list holds no hash" || t_ok "the list holds no hash"
t_expect 0 "user list --format xml" "$LASTERI" user list --format xml -s "$SOCK"
t_grep "the XML list names the supervisor" '<name>sup1</name>' "$T_DIR/out"
t_expect 0 "user list --format csv" "$LASTERI" user list --format csv -s "$SOCK"
t_grep "the CSV has a header" '^name,role,business-id,state' "$T_DIR/out"
t_expect 2 "an unknown format is refused" "$LASTERI" user list --format yaml -s "$SOCK"
t_expect 0 "--format text is the table" "$LASTERI" user list --format text -s "$SOCK"
t_grep "the text list has the provider" "p1 +provider +$BID" "$T_DIR/out"

# --- disable -----------------------------------------------------------------------------
t_expect 0 "user disable disables an account" "$LASTERI" user disable sw1 -s "$SOCK"
"$LASTERI" user list -s "$SOCK" >"$T_DIR/list" 2>&1
t_grep "the list shows it disabled" 'sw1 +social-worker +- +disabled' "$T_DIR/list"
t_expect 0 "disabling it again is fine" "$LASTERI" user disable sw1 -s "$SOCK"
t_expect 2 "disabling an unknown account is refused" "$LASTERI" user disable nobody -s "$SOCK"
t_grep "the error names the account" 'no account nobody' "$T_DIR/err"

# --- passwd ---------------------------------------------------------------------------------
with_stdin "second-pass-sw1" "user passwd sets the password from stdin" 0 passwd sw1 -s "$SOCK"
verify sw1 second-pass-sw1 && t_ok "the new password is kept" || t_fail "the new password is kept"
verify sw1 first-pass-sw1 && t_fail "the old password no longer verifies" || t_ok "the old password no longer verifies"
"$LASTERI" user list -s "$SOCK" >"$T_DIR/list" 2>&1
t_grep "a new password does not enable a disabled account" 'sw1 +social-worker +- +disabled' "$T_DIR/list"
t_expect 0 "user passwd with an empty stdin generates one" "$LASTERI" user passwd sup1 -s "$SOCK"
PW2=$(sed -n 's/^password: //p' "$T_DIR/out")
[ -n "$PW2" ] && [ "$PW2" != "$PW1" ] && verify sup1 "$PW2" && t_ok "the generated new password is kept" ||
	t_fail "the generated new password is kept" "'$PW2' $(cat "$T_DIR/out")"
with_stdin "tiny" "a short new password is refused" 2 passwd sup1 -s "$SOCK"
verify sup1 "$PW2" && t_ok "the refused passwd left the password as it was" ||
	t_fail "the refused passwd left the password as it was"
t_expect 2 "passwd of an unknown account is refused" "$LASTERI" user passwd nobody -s "$SOCK"
t_grep "the error names the account" 'no account nobody' "$T_DIR/err"

# --- the endpoints -------------------------------------------------------------------------
code=$(admin POST /admin/v1/users -H 'Content-Type: application/xml' --data-binary \
    '<User xmlns="urn:lasteri:1"><Name>x1</Name><Role>supervisor</Role><Password>xml-pass-123</Password></User>')
[ "$code" = 201 ] && t_ok "an XML body adds an account (201)" || t_fail "an XML body adds an account (201)" "$code $(cat "$T_DIR/resp")"
verify x1 xml-pass-123 && t_ok "the XML body's password is kept" || t_fail "the XML body's password is kept"
code=$(admin POST /admin/v1/users -H 'Content-Type: application/x-www-form-urlencoded' \
    --data-binary 'name=x2&role=admin&colour=red')
[ "$code" = 400 ] && grep -q "field 'colour' unknown" "$T_DIR/resp" && t_ok "an unknown form field is refused (400)" ||
	t_fail "an unknown form field is refused (400)" "$code $(cat "$T_DIR/resp")"
code=$(admin POST /admin/v1/users -H 'Content-Type: application/xml' --data-binary '<User xmlns="urn:lasteri:1"><Name>x2')
[ "$code" = 400 ] && t_ok "a malformed XML body is refused (400)" || t_fail "a malformed XML body is refused (400)" "$code $(cat "$T_DIR/resp")"
code=$(admin POST /admin/v1/users -H 'Content-Type: application/x-www-form-urlencoded' \
    --data-binary 'name=x3&role=admin&password=abc')
[ "$code" = 422 ] && grep -q 'at least 8 bytes' "$T_DIR/resp" && t_ok "a short password in a form is refused (422)" ||
	t_fail "a short password in a form is refused (422)" "$code $(cat "$T_DIR/resp")"
code=$(admin POST /admin/v1/users -H 'Content-Type: text/plain' --data-binary 'x2 admin')
[ "$code" = 415 ] && t_ok "another Content-Type is refused (415)" || t_fail "another Content-Type is refused (415)" "$code"
code=$(admin POST /admin/v1/users/sw1/delete)
[ "$code" = 404 ] && t_ok "an unknown account action is 404" || t_fail "an unknown account action is 404" "$code"
code=$(admin GET /admin/v1/users/sw1/disable)
[ "$code" = 405 ] && t_ok "GET on an action is 405" || t_fail "GET on an action is 405" "$code"
code=$(admin POST '/admin/v1/users/B%41D/disable')
[ "$code" = 422 ] && t_ok "a malformed name in the path is refused (422)" || t_fail "a malformed name in the path is refused (422)" "$code"

# --- the audit trail --------------------------------------------------------------------
t_expect 0 "user audit lists the trail" "$LASTERI" user audit -s "$SOCK"
t_grep "the trail has the additions" 'p1 .*account-added +role=provider business-id=0996189-5 password=generated' "$T_DIR/out"
t_grep "the trail has the generated password's addition" 'sup1 .*account-added +role=supervisor password=generated' "$T_DIR/out"
t_grep "the trail has the disabling" 'sw1 +admin-socket uid=[0-9]+ +account-disabled' "$T_DIR/out"
t_grep "the trail has the password changes" 'sw1 .*account-password +password=given' "$T_DIR/out"
t_expect 0 "user audit --limit 2 --format xml" "$LASTERI" user audit --limit 2 --format xml -s "$SOCK"
[ "$(grep -o '<Row>' "$T_DIR/out" | wc -l)" -eq 2 ] && t_ok "--limit 2 gives two events" ||
	t_fail "--limit 2 gives two events" "$(head -c 400 "$T_DIR/out")"
t_expect 0 "user audit --before pages back" "$LASTERI" user audit --before 2 --format csv -s "$SOCK"
[ "$(grep -c 'account-added' "$T_DIR/out")" -eq 1 ] && t_ok "--before 2 gives the first event only" ||
	t_fail "--before 2 gives the first event only" "$(cat "$T_DIR/out")"
t_expect 2 "a bad --limit is refused" "$LASTERI" user audit --limit 0 -s "$SOCK"
"$LASTERI" user audit --limit 1000 -s "$SOCK" >"$T_DIR/all" 2>&1
nodes_log 01 >"$T_DIR/nodelog"
t_grep "the node's log has the additions" 'account_added .*account=p1' "$T_DIR/nodelog"
leak=0
for pw in first-pass-sw1 second-pass-sw1 xml-pass-123 "$PW1" "$PW2" argon2id; do
	grep -qF -- "$pw" "$T_DIR/all" "$T_DIR/nodelog" && leak=1
done
[ $leak -eq 0 ] && t_ok "no password or hash in the audit trail or the log" ||
	t_fail "no password or hash in the audit trail or the log"

# --- the accounts survive a restart ----------------------------------------------------
nodes_stop 01
nodes_start 01 || exit 1
t_expect 0 "user list after a restart" "$LASTERI" user list -s "$SOCK"
t_grep "the accounts are kept" 'p1 +provider' "$T_DIR/out"
t_finish
