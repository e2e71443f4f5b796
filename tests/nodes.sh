# nodes.sh - helpers for integration tests that run several lasterid on
# 127.0.0.1 from one `lasteri pki init DIR --trustlist --port-base P` tree.
# Source after lib.sh; set NODES_DIR (the PKI tree) first.  Every wait is
# bounded; nodes_stop_all (call it from the EXIT trap) kills what started.
LASTERID=${LASTERID:-$TOP_BUILDDIR/node/lasterid}
NODES_PIDS=""

# nodes_free_base N: a port base with N free ports (at most 20 tries).
# Bases stay in 10000..31999, below the kernel's ephemeral range (32768 and
# up), where the local end of any outgoing connection could hold a port
# that no listener shows.
nodes_free_base() {
	local n=$1 try base port busy
	for try in $(seq 1 20); do
		base=$((10000 + (RANDOM * 7 + $$ + try * 131) % 21900))
		busy=0
		for port in $(seq "$base" $((base + n - 1))); do
			if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
				busy=1
				break
			fi
		done
		[ $busy -eq 0 ] && { echo "$base"; return 0; }
	done
	return 1
}

# nodes_port CODE: the port of CODE's endpoint in the trust list.
nodes_port() {
	awk -v code="$1" '
	    /<Code>/ { gsub(/.*<Code>|<\/Code>.*/, ""); c = $0 }
	    /<Endpoint>/ && c == code { gsub(/.*:|<\/Endpoint>.*/, ""); print; exit }
	' "$NODES_DIR/trustlist.xml"
}

# nodes_conf CODE [EXTRA-LINES]: writes members/CODE/lasterid.conf.
nodes_conf() {
	local code=$1 m=$NODES_DIR/members/$1
	cat >"$m/lasterid.conf" <<EOC
[node]
member_id = $(cat "$m/member.id")
sign_key = sign.key
sign_cert = sign.crt

[federation]
listen = 127.0.0.1:$(nodes_port "$code")
tls_key = tls.key
tls_cert = tls.crt

[trust]
trust_anchor = ../../pki/operator.crt
trust_list = ../../trustlist.xml

[admin]
admin_socket = admin.sock

[store]
database = node.db

[limits]
request_timeout = 5s
idle_timeout = 10s
${2:-}
EOC
	chmod 600 "$m/lasterid.conf"
}

# nodes_set CODE SECTION KEY VALUE: sets KEY in [SECTION] of CODE's
# lasterid.conf (replaced where nodes_conf wrote it, added otherwise; a
# missing section is appended), so a test states only what it changes.
nodes_set() {
	local f=$NODES_DIR/members/$1/lasterid.conf
	awk -v sec="[$2]" -v key="$3" -v val="$4" '
	    function put() { if (!done) { print key " = " val; done = 1 } }
	    /^\[/ { if (in_sec) put(); in_sec = ($0 == sec); seen = seen || in_sec }
	    in_sec && $1 == key && $2 == "=" { put(); next }
	    { print }
	    END { if (in_sec) put(); if (!seen) { print ""; print sec; put() } }
	' "$f" >"$f.new" && mv "$f.new" "$f" && chmod 600 "$f"
}

# nodes_start CODE: starts CODE's lasterid (log appended to members/CODE/log)
# and waits at most 10 s for its start line.
nodes_start() {
	local m=$NODES_DIR/members/$1 i=0 pid
	: >"$m/log.start"
	"$LASTERID" -c "$m/lasterid.conf" --allow-root 2>"$m/log.start" &
	pid=$!
	eval "NODES_PID_$1=$pid"
	NODES_PIDS="$NODES_PIDS $pid"
	while [ $i -lt 100 ]; do
		if grep -q 'event=start ' "$m/log.start"; then
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	echo "lasterid $1 did not start: $(cat "$m/log.start")" >&2
	return 1
}

# nodes_pid CODE
nodes_pid() { eval "echo \${NODES_PID_$1:-}"; }

# nodes_log CODE: every log line CODE's node wrote (all its runs).
nodes_log() { cat "$NODES_DIR/members/$1"/log.* 2>/dev/null; }

# nodes_stop CODE [SIGNAL]: stops CODE's node (TERM, or the given signal)
# and waits at most 5 s; keeps its log.
nodes_stop() {
	local pid i=0 m=$NODES_DIR/members/$1
	pid=$(nodes_pid "$1")
	[ -n "$pid" ] || return 0
	kill -"${2:-TERM}" "$pid" 2>/dev/null
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	mv "$m/log.start" "$m/log.$(date +%s%N)" 2>/dev/null
	eval "NODES_PID_$1="
}

nodes_stop_all() {
	local pid
	for pid in $NODES_PIDS; do
		kill -KILL "$pid" 2>/dev/null
	done
	NODES_PIDS=""
}

# nodes_curl CODE-FROM CODE-TO PATH OUT [CURL-ARGS...]: an HTTPS request
# with one member's TLS certificate to another's federation port; the body
# goes to OUT, the HTTP status (000 when none) to stdout.
nodes_curl() {
	local from=$NODES_DIR/members/$1 port path=$3 out=$4
	port=$(nodes_port "$2")
	shift 4
	curl -sS --max-time 10 --cacert "$NODES_DIR/pki/ca.crt" \
	    --cert "$from/tls.crt" --key "$from/tls.key" -k \
	    -o "$out" -w '%{http_code}' "$@" "https://127.0.0.1:$port$path" \
	    2>"$out.err"
}

# nodes_wait SECONDS COMMAND...: runs COMMAND every 0.1 s until it
# succeeds or SECONDS pass.
nodes_wait() {
	local n=$(($1 * 10)) i=0
	shift
	while [ $i -lt $n ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# nodes_init REGIONS: the start of a test of a federation of REGIONS regions
# (plus the members `lasteri pki init` adds: lvv, ...): skips (77) without
# curl or openssl, fails without a built lasterid, stops every node on exit,
# and makes the PKI and the trust list in $T_DIR/fed on free ports.  Sets
# NODES_DIR, M (its members/ directory) and NODES_SPARE, a free port the
# members' endpoints leave (for a web listener), NODES_SPARE + 1 another.
nodes_init() {
	local tool base
	for tool in curl openssl; do
		command -v $tool >/dev/null 2>&1 || { echo "skip: $tool is not installed"; exit 77; }
	done
	[ -x "$LASTERID" ] || { echo "FAIL - $LASTERID is not built"; exit 1; }
	trap 'nodes_stop_all; t_cleanup' EXIT
	NODES_DIR=$T_DIR/fed
	M=$NODES_DIR/members
	base=$(nodes_free_base $(($1 + 4))) || { echo "FAIL - no free port base"; exit 1; }
	NODES_SPARE=$((base + $1 + 2))
	"$LASTERI" pki init "$NODES_DIR" --regions "$1" --trustlist --port-base "$base" \
	    >"$T_DIR/pki.log" 2>&1 ||
	    { echo "FAIL - pki init: $(tail -n 3 "$T_DIR/pki.log")"; exit 1; }
}

# nodes_unit ID REGION MUNICIPALITY: tests/data/unit-08-0003.xml made unit ID
# of REGION in MUNICIPALITY (a municipality code of that region), on stdout.
nodes_unit() {
	sed -e "s/Id=\"SOTERI-08-0003\"/Id=\"$1\"/" -e "s/>08</>$2</g" \
	    -e "s/<Municipality>837</<Municipality>$3</" \
	    "$TOP_SRCDIR/tests/data/unit-08-0003.xml"
}

# nodes_record ID UNIT REGION: an unsigned SupervisionRecord lvv may issue
# about UNIT of REGION (an unannounced inspection, one medium finding,
# follow-up), on stdout.
nodes_record() {
	cat <<EOR
<?xml version="1.0" encoding="UTF-8"?>
<SupervisionRecord xmlns="urn:lasteri:1" Id="$1">
  <Kind>inspection-unannounced</Kind>
  <Unit>$2</Unit>
  <UnitRegion>$3</UnitRegion>
  <ProviderBusinessId>2345678-0</ProviderBusinessId>
  <Issuer>LVV</Issuer>
  <Opened>2026-09-02</Opened>
  <VisitDate>2026-09-15</VisitDate>
  <Announced>false</Announced>
  <Finding category="staffing-level" severity="medium">One instructor on two night shifts.</Finding>
  <Status>follow-up</Status>
  <PublicSummary>Night staffing needs correcting.</PublicSummary>
  <Issued>2026-09-20T10:00:00Z</Issued>
</SupervisionRecord>
EOR
}
