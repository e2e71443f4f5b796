#!/bin/bash
# test_web.sh - the web service (issue 12) in a real browser: a federation
# of three regions (and thl, lvv) started with tools/federation, each node
# serving its pages on loopback; accounts made with `lasteri user add`;
# one unit of region 02 renamed "<script>alert(1)</script>" through a live
# import.  tests/web_browser.py then drives headless Chromium through
# chromium-driver (python3-selenium): the social worker's national search,
# unit page and CSV shortlist; the supervisor's corrective demand about a
# unit of another region, on that unit's page and on the overdue list; the
# provider's free places (its own only, also with a forged form) and the
# search showing them; throttled wrong passwords; a POST without its CSRF
# token; the XSS name as text; the Swedish page; axe-core on every page.
# Screenshots and axe-core's results go to $TOP_BUILDDIR/tests/web-screens.
# Here too: the pages' security headers, and `lasterid -t` on [web].
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/nodes.sh"

PY=/usr/bin/python3
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
for f in "$CHROMIUM" "$CHROMEDRIVER" "$PY"; do
	[ -x "$f" ] || { echo "FAIL - $f is missing (tools/deps installs chromium, chromium-driver, python3-selenium)"; exit 1; }
done
"$PY" -c 'import selenium' 2>/dev/null ||
    { echo "FAIL - python3-selenium is missing (tools/deps installs it)"; exit 1; }
FED=$T_DIR/fed
trap 'LASTERI=$LASTERI LASTERID=$LASTERID "$TOP_SRCDIR/tools/federation" down "$FED" >/dev/null 2>&1; t_cleanup' EXIT
export LASTERI LASTERID

# axe-core from npm, kept in the build directory between runs.
AXE=${LASTERI_AXE:-$TOP_BUILDDIR/tests/axe/node_modules/axe-core/axe.min.js}
if [ ! -s "$AXE" ]; then
	timeout 180 npm install --no-save --no-audit --no-fund --silent \
	    --prefix "$TOP_BUILDDIR/tests/axe" axe-core@4 >"$T_DIR/npm.log" 2>&1 ||
	    { echo "FAIL - npm install axe-core: $(tail -n 3 "$T_DIR/npm.log")"; exit 1; }
fi

# --- lasterid -t on [web] -----------------------------------------------------
BASE=$(nodes_free_base 10) || { echo "FAIL - no free port base"; exit 1; }
WEB=$((BASE + 5))
timeout 300 "$TOP_SRCDIR/tools/federation" up "$FED" --regions 3 \
    --port-base "$BASE" --web-base "$WEB" >"$T_DIR/up.log" 2>&1 ||
    { echo "FAIL - tools/federation up: $(tail -n 5 "$T_DIR/up.log")"; exit 1; }
M=$FED/members
web_of() { sed -n 's/^listen = 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$M/$1/lasterid.conf" | tail -n 1; }
W1=http://127.0.0.1:$(web_of 01)
W2=http://127.0.0.1:$(web_of 02)
S1=$M/01/admin.sock

cp "$M/01/lasterid.conf" "$T_DIR/bad.conf"
sed -i 's/^listen = 127\.0\.0\.1:'"$(web_of 01)"'$/listen = 0.0.0.0:'"$(web_of 01)"'/' "$T_DIR/bad.conf"
sed -i -e "s#= \([a-z]*\.\(key\|crt\|db\|sock\)\)\$#= $M/01/\1#" -e "s#= \.\./\.\./#= $FED/#" "$T_DIR/bad.conf"
chmod 600 "$T_DIR/bad.conf"
t_expect 2 "lasterid -t refuses tls = no on an address that is not loopback" \
    "$LASTERID" -t -c "$T_DIR/bad.conf"
t_grep "... and says why" "tls: \"no\" is allowed only when listen is a loopback" "$T_DIR/err"
sed -i '/^tls = no$/d' "$T_DIR/bad.conf"
t_expect 2 "lasterid -t wants tls_cert when tls is on" "$LASTERID" -t -c "$T_DIR/bad.conf"
t_grep "... naming the key" "\[web\] tls_cert: required" "$T_DIR/err"
printf 'tls_cert = %s\ntls_key = %s\n' "$M/01/tls.crt" "$M/01/sign.key" >>"$T_DIR/bad.conf"
t_expect 2 "lasterid -t finds a web key that does not match its certificate" \
    "$LASTERID" -t -c "$T_DIR/bad.conf"
t_grep "... naming it" "web tls_key $M/01/sign.key: does not match" "$T_DIR/err"
sed -i "s#^tls_key = $M/01/sign.key\$#tls_key = $M/01/tls.key#" "$T_DIR/bad.conf"
t_expect 0 "lasterid -t passes with the matching web key" "$LASTERID" -t -c "$T_DIR/bad.conf"

# --- accounts and data -------------------------------------------------------
cat >"$T_DIR/users.json" <<'EOF'
{"social-worker": {"name": "sosiaalityo", "password": "sw-password-1"},
 "supervisor": {"name": "valvoja", "password": "sup-password-1"},
 "provider": {"name": "tuottaja", "password": "prov-password-1"},
 "admin": {"name": "paakayttaja", "password": "admin-password-1"},
 "throttled": {"name": "kokeilija", "password": "try-password-1"}}
EOF
# Units from the sample data (tools/federation wrote it to $FED/sample).
read -r OWN_UNIT OWN_BID OWN_AGE OTHER_UNIT <<<"$("$PY" - "$FED/sample/01/dataset.xml" <<'PY'
import re, sys
src = open(sys.argv[1], encoding="utf-8").read()
blocked = set(re.findall(r'<Kind>(?:order-to-correct|suspension)</Kind><Unit>([^<]+)</Unit>', src))
units = re.findall(r'(<Unit Id="([^"]+)"><Name>[^<]*</Name><Provider businessId="([^"]+)".*?</Unit>)', src, re.S)
# A unit search can find: licence valid, no open order, places to give.
own = next(u for u in units if u[1] not in blocked and 'valid="true"' in u[0]
           and int(re.search(r'<Capacity places="([0-9]+)"', u[0]).group(1)) >= 5)
age = re.search(r'<Ages min="([0-9]+)"', own[0]).group(1)
other = next(u for u in units if u[2] != own[2])
print(own[1], own[2], age, other[1])
PY
)"
# The admin's import: region 01's other unit, renamed.
"$PY" - "$FED/sample/01/dataset.xml" "$OTHER_UNIT" "$T_DIR/import.xml" <<'PY'
import re, sys
src = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<Unit Id="%s">.*?</Unit>' % re.escape(sys.argv[2]), src, re.S)
xml = re.sub(r'<Name>[^<]*</Name>', '<Name>Tuotu yksikkö</Name>', m.group(0), count=1)
xml = xml.replace('<Unit Id=', '<Unit xmlns="urn:lasteri:1" Id=', 1)
open(sys.argv[3], "w", encoding="utf-8").write('<?xml version="1.0" encoding="UTF-8"?>\n' + xml + "\n")
PY
read -r XSS_UNIT FOREIGN_UNIT FOREIGN_BID <<<"$("$PY" - "$FED/sample/02/dataset.xml" "$T_DIR/xss.xml" <<'PY'
import re, sys
src = open(sys.argv[1], encoding="utf-8").read()
units = re.findall(r'(<Unit Id="([^"]+)">.*?</Unit>)', src, re.S)
# A unit no open order or suspension keeps out of search, for all ages.
blocked = set(re.findall(r'<Kind>(?:order-to-correct|suspension)</Kind><Unit>([^<]+)</Unit>', src))
xml, uid = next(x for x in units if x[1] not in blocked)
xml = re.sub(r'<Name>[^<]*</Name>', '<Name>&lt;script&gt;alert(1)&lt;/script&gt;</Name>', xml, count=1)
xml = re.sub(r'<Ages min="[0-9]+" max="[0-9]+"/>', '<Ages min="0" max="24"/>', xml, count=1)
xml = re.sub(r'<Gender>[a-z]+</Gender>', '<Gender>any</Gender>', xml, count=1)
xml = re.sub(r'(<Licence [^>]*valid=)"false"', r'\1"true"', xml, count=1)
xml = xml.replace('<Unit Id=', '<Unit xmlns="urn:lasteri:1" Id=', 1)
open(sys.argv[2], "w", encoding="utf-8").write('<?xml version="1.0" encoding="UTF-8"?>\n' + xml + "\n")
f = re.search(r'<Unit Id="([^"]+)"><Name>[^<]*</Name><Provider businessId="([^"]+)"', next(x for x in units if x[1] != uid)[0])
print(uid, f.group(1), f.group(2))
PY
)"
t_expect 0 "a unit of region 02 renamed <script>alert(1)</script> (live import)" \
    "$LASTERI" import -s "$M/02/admin.sock" "$T_DIR/xss.xml"

add_user() {	# add_user KEY ROLE [BID]
	local name pw
	name=$("$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]]['name'])" "$T_DIR/users.json" "$1")
	pw=$("$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]]['password'])" "$T_DIR/users.json" "$1")
	printf '%s\n' "$pw" | "$LASTERI" user add "$name" --role "$2" ${3:+--business-id "$3"} -s "$S1" >"$T_DIR/out" 2>&1 ||
	    t_fail "account $name" "$(cat "$T_DIR/out")"
}
add_user social-worker social-worker
add_user supervisor supervisor
add_user provider provider "$OWN_BID"
add_user admin admin
add_user throttled social-worker

# --- the pages' headers --------------------------------------------------------
curl -s -D "$T_DIR/h" -o "$T_DIR/body" "$W1/login" >/dev/null
t_grep "Content-Security-Policy default-src 'self'" "^Content-Security-Policy: default-src 'self'" "$T_DIR/h"
t_grep "X-Content-Type-Options nosniff" "^X-Content-Type-Options: nosniff" "$T_DIR/h"
t_grep "frames denied" "^X-Frame-Options: DENY" "$T_DIR/h"
t_grep "Referrer-Policy" "^Referrer-Policy: no-referrer" "$T_DIR/h"
t_grep "the sign-in token cookie is HttpOnly and SameSite=Strict" "^Set-Cookie: lasteri_pre=[0-9a-f]{64}; Path=/; HttpOnly; SameSite=Strict" "$T_DIR/h"
if grep -q "<script" "$T_DIR/body"; then t_fail "no script in the page"; else t_ok "no script in the page"; fi
curl -s -o /dev/null -w '%{http_code}' -X POST --data 'username=x&password=y' "$W1/login" >"$T_DIR/code"
t_grep "a sign-in without its token is refused (403)" "^403$" "$T_DIR/code"

# signin BASE USER PASSWORD JAR [X-FORWARDED-FOR]: a sign-in as a browser
# does it (the form's token, then the POST); prints "ok" or the refusal's
# data-reason.
signin() {
	local page csrf xff=()
	[ -n "${5:-}" ] && xff=(-H "X-Forwarded-For: $5")
	rm -f "$4"
	page=$(curl -s -c "$4" -b "$4" "${xff[@]}" "$1/login")
	csrf=$(printf '%s' "$page" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -n 1)
	page=$(curl -s -c "$4" -b "$4" "${xff[@]}" -w '%{http_code}' \
	    --data-urlencode "csrf=$csrf" --data-urlencode "username=$2" \
	    --data-urlencode "password=$3" "$1/login")
	case $page in
	*303) echo ok ;;
	*) printf '%s' "$page" | sed -n 's/.*data-reason="\([a-z]*\)".*/\1/p' | head -n 1 ;;
	esac
}

# --- redirects stay on the site; a disabled account's session ends -------------
curl -s -D "$T_DIR/h" -o /dev/null "$W1/lang?to=sv&back=/%09/evil.example/x"
t_grep "a language switch's back= with a tab does not leave the site" "^Location: /.$" "$T_DIR/h"
curl -s -D "$T_DIR/h" -o /dev/null "$W1/lang?to=sv&back=%2F%2Fevil.example%2F"
t_grep "... nor with //" "^Location: /.$" "$T_DIR/h"
printf 'leaving-password-1\n' | "$LASTERI" user add lahtija --role social-worker -s "$S1" >/dev/null 2>&1
r=$(signin "$W1" lahtija leaving-password-1 "$T_DIR/lj")
code=$(curl -s -o /dev/null -w '%{http_code}' -b "$T_DIR/lj" "$W1/search")
[ "$r" = ok ] && [ "$code" = 200 ] && t_ok "a signed-in account opens the search page" ||
    t_fail "a signed-in account opens the search page" "sign-in $r, page $code"
"$LASTERI" user disable lahtija -s "$S1" >/dev/null 2>&1
curl -s -D "$T_DIR/h" -o /dev/null -b "$T_DIR/lj" "$W1/search"
t_grep "once disabled, its session ends at the next request" "^Location: /login" "$T_DIR/h"

# --- the browser -----------------------------------------------------------------
SCREENS=$TOP_BUILDDIR/tests/web-screens
rm -rf "$SCREENS"
timeout 600 "$PY" "$TOP_SRCDIR/tests/web_browser.py" --web1 "$W1" --web2 "$W2" \
    --screens "$SCREENS" --axe "$AXE" --chromium "$CHROMIUM" \
    --chromedriver "$CHROMEDRIVER" --profile "$T_DIR/chrome" \
    --po-sv "$TOP_SRCDIR/po/sv.po" --users "$T_DIR/users.json" \
    --foreign-unit "$FOREIGN_UNIT" --foreign-bid "$FOREIGN_BID" \
    --own-unit "$OWN_UNIT" --own-age "$OWN_AGE" --other-unit "$OTHER_UNIT" --xss-unit "$XSS_UNIT" \
    --import-file "$T_DIR/import.xml" \
    >"$T_DIR/browser.log" 2>&1
rc=$?
cat "$T_DIR/browser.log"
T_PASS=$((T_PASS + $(grep -c '^ok - ' "$T_DIR/browser.log")))
T_FAIL=$((T_FAIL + $(grep -c '^FAIL - ' "$T_DIR/browser.log")))
[ $rc -eq 0 ] || grep -q '^FAIL - ' "$T_DIR/browser.log" ||
    t_fail "the browser test ran" "exit $rc: $(tail -n 5 "$T_DIR/browser.log")"
ls "$SCREENS"/*.png >/dev/null 2>&1 && t_ok "screenshots in $SCREENS" ||
    t_fail "screenshots in $SCREENS"
# --- HTTPS, and sign-in through the region's reverse proxy (lvv's node) ----------
LVV_CONF=$M/lvv/lasterid.conf
LVV_WEB=$(web_of lvv)
LVV_LOCALE=$(grep '^locale_dir = ' "$LVV_CONF")
restart_lvv() {	# restart_lvv EXTRA-WEB-LINES: lvv's node again, [web] changed
	local pid i
	pid=$(cat "$M/lvv/lasterid.pid" 2>/dev/null)
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	# [web] is the last section tools/federation writes: a new one.
	sed -i '/^\[web\]$/,$d' "$LVV_CONF"
	printf '[web]\nlisten = 127.0.0.1:%s\n%s\n%s\n' "$LVV_WEB" "$LVV_LOCALE" "$1" >>"$LVV_CONF"
	( cd "$M/lvv" && exec "$LASTERID" -c "$LVV_CONF" --allow-root \
	    2>>"$M/lvv/lasterid.log" ) &
	echo $! >"$M/lvv/lasterid.pid"
	for i in $(seq 1 100); do
		curl -sk -o /dev/null "$2://127.0.0.1:$LVV_WEB/login" && return 0
		sleep 0.1
	done
	return 1
}
restart_lvv "tls = yes
tls_cert = tls.crt
tls_key = tls.key" https || t_fail "lvv's node restarts with HTTPS"
curl -s --cacert "$FED/pki/ca.crt" -D "$T_DIR/h" -o /dev/null "https://127.0.0.1:$LVV_WEB/login"
t_grep "HTTPS: Strict-Transport-Security" "^Strict-Transport-Security: max-age=" "$T_DIR/h"
t_grep "HTTPS: cookies are Secure, with the __Host- prefix" "^Set-Cookie: __Host-lasteri_pre=.*; Secure" "$T_DIR/h"
curl -s --tlsv1.1 --tls-max 1.1 --cacert "$FED/pki/ca.crt" -o /dev/null \
    "https://127.0.0.1:$LVV_WEB/login" 2>/dev/null && t_fail "HTTPS refuses TLS 1.1" ||
    t_ok "HTTPS refuses TLS 1.1"

restart_lvv "tls = no
auth = proxy
proxy_addresses = 127.0.0.1" http || t_fail "lvv's node restarts behind a proxy"
PX=http://127.0.0.1:$LVV_WEB
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Remote-User: kaisa' \
    -H 'X-Remote-Role: supervisor' -c "$T_DIR/pj" "$PX/supervision")
[ "$code" = 200 ] && t_ok "auth = proxy: the proxy's user and role sign in" ||
    t_fail "auth = proxy: the proxy's user and role sign in" "status $code"
t_grep "... with a session cookie" "lasteri_session" "$T_DIR/pj"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Remote-User: kaisa' \
    -H 'X-Remote-Role: social-worker' "$PX/supervision")
[ "$code" = 403 ] && t_ok "auth = proxy: the role header decides (social worker: no supervision)" ||
    t_fail "auth = proxy: the role header decides" "status $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$PX/search")
[ "$code" = 401 ] && t_ok "auth = proxy: no user header, no page" ||
    t_fail "auth = proxy: no user header, no page" "status $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Remote-User: kaisa' \
    -H 'X-Remote-Role: sorcerer' "$PX/search")
[ "$code" = 401 ] && t_ok "auth = proxy: an unknown role is refused" ||
    t_fail "auth = proxy: an unknown role is refused" "status $code"
restart_lvv "tls = no
auth = proxy
proxy_addresses = 127.0.0.1
proxy_secret = s3cret-of-the-proxy-42" http || t_fail "lvv's node restarts with a proxy secret"
curl -s -o /dev/null -D "$T_DIR/h" -H 'X-Remote-User: kaisa' -H 'X-Remote-Role: supervisor' \
    -H 'X-Lasteri-Proxy-Secret: s3cret-of-the-proxy-42' "$PX/supervision"
t_grep "proxy_secret: the proxy's request with the secret signs in" "^HTTP/1.1 200" "$T_DIR/h"
t_grep "... and its session cookie is Secure, __Host- (cookie_secure defaults to yes)" \
    "^Set-Cookie: __Host-lasteri_session=[0-9a-f]{64}; Path=/; HttpOnly; SameSite=Strict; Secure" "$T_DIR/h"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Remote-User: kaisa' \
    -H 'X-Remote-Role: admin' "$PX/admin")
[ "$code" = 403 ] && t_ok "proxy_secret: another local process without the secret is not believed" ||
    t_fail "proxy_secret: another local process without the secret is not believed" "status $code"
restart_lvv "tls = no
auth = proxy
proxy_addresses = 127.0.0.2" http || t_fail "lvv's node restarts behind another proxy"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Remote-User: kaisa' \
    -H 'X-Remote-Role: admin' "$PX/admin")
[ "$code" = 403 ] && t_ok "auth = proxy: headers from an address that is not the proxy are not believed" ||
    t_fail "auth = proxy: headers from an address that is not the proxy are not believed" "status $code"

# Behind a proxy with passwords, the throttle counts the client's address
# (X-Forwarded-For from a proxy address), not the proxy's.
restart_lvv "tls = no
cookie_secure = no
proxy_addresses = 127.0.0.1" http || t_fail "lvv's node restarts with passwords behind a proxy"
printf 'proxied-password-1\n' | "$LASTERI" user add proksi --role social-worker \
    -s "$M/lvv/admin.sock" >/dev/null 2>&1
rs=""
for i in $(seq 1 22); do
	rs="$rs $(signin "$PX" "nobody$i" wrong-password "$T_DIR/xj" 203.0.113.7)"
done
case $rs in
*throttled) t_ok "22 failures from one client behind the proxy: throttled" ;;
*) t_fail "22 failures from one client behind the proxy: throttled" "$rs" ;;
esac
r=$(signin "$PX" proksi proxied-password-1 "$T_DIR/xj" 203.0.113.8)
[ "$r" = ok ] && t_ok "... while another client behind the same proxy signs in" ||
    t_fail "... while another client behind the same proxy signs in" "$r"

for l in "$M"/*/lasterid.log; do
	if grep -q "ERROR: AddressSanitizer\|runtime error:" "$l"; then
		t_fail "no sanitizer report in $l" "$(grep -m 3 "AddressSanitizer\|runtime error" "$l")"
	fi
done
t_finish
