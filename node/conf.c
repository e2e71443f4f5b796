/*
 * conf.c - the configuration table and its loader (see conf.h).
 *
 * Loading: every key first gets its default through the same setter that
 * parses the file, then libinih calls conf_handler() once per "name = value".
 * libinih's handler does not see line numbers, so the file is fed through
 * conf_reader(), which counts them; the first error wins and names
 * FILE:LINE.  Checks that look at the file system (file exists, key mode)
 * run after parsing, with the line where the key was set.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <ini.h>

#include "conf.h"
#include "dsig.h"
#include "peer.h"
#include "workpool.h"

static int	check_member_id(const char *, char *, size_t);
static int	check_https_url(const char *, char *, size_t);
static int	check_socket_path(const char *, char *, size_t);
static int	check_web_auth(const char *, char *, size_t);
static int	check_header_name(const char *, char *, size_t);
static int	check_addr_list(const char *, char *, size_t);
static int	check_secret(const char *, char *, size_t);
static int	check_resolve(const char *, char *, size_t);

#define OFF(f)		offsetof(struct conf, f)
#define MIB		(1024L * 1024L)
#define DAY_MS		(24L * 3600L * 1000L)

static const struct conf_key keys[] = {
	{ "node", "member_id", CONF_STRING, NULL, CONF_REQUIRED,
	  OFF(member_id), 0, 0, "FI/GOV/3221080-3/lasteri",
	  "This node's member ID as listed in the trust list, X-Road style: "
	  "INSTANCE/CLASS/CODE/SUBSYSTEM.", check_member_id },
	{ "node", "sign_key", CONF_PATH, NULL, CONF_REQUIRED | CONF_FILE |
	  CONF_SECRET, OFF(sign_key), 0, 0, "/etc/lasteri/sign.key",
	  "Private key (PEM) that signs this node's documents; mode 0600 or "
	  "stricter.", NULL },
	{ "node", "sign_cert", CONF_PATH, NULL, CONF_REQUIRED | CONF_FILE,
	  OFF(sign_cert), 0, 0, "/etc/lasteri/sign.crt",
	  "Signing certificate (PEM) whose SHA-256 fingerprint the trust list "
	  "holds for this member.", NULL },
	{ "node", "log_debug", CONF_BOOL, "no", 0, OFF(log_debug), 0, 0, NULL,
	  "Also log debug events (one line per request).", NULL },

	{ "federation", "listen", CONF_ADDR, NULL, CONF_REQUIRED,
	  OFF(listen), 0, 0, "127.0.0.1:8443",
	  "Address and port of the mutual-TLS federation listener: "
	  "IPv4 \"A.B.C.D:PORT\" or IPv6 \"[ADDR]:PORT\".", NULL },
	{ "federation", "tls_key", CONF_PATH, NULL, CONF_REQUIRED | CONF_FILE |
	  CONF_SECRET, OFF(tls_key), 0, 0, "/etc/lasteri/tls.key",
	  "Private key (PEM) of the TLS certificate; mode 0600 or stricter.",
	  NULL },
	{ "federation", "tls_cert", CONF_PATH, NULL, CONF_REQUIRED | CONF_FILE,
	  OFF(tls_cert), 0, 0, "/etc/lasteri/tls.crt",
	  "TLS certificate (PEM) presented to peers, as a server and as a "
	  "client; its SHA-256 fingerprint is listed for this member.", NULL },
	{ "federation", "resolve", CONF_STRING, NULL, 0, OFF(resolve), 0, 0,
	  "a.lasteri.test:8443:127.0.0.2, b.lasteri.test:8443:127.0.0.3",
	  "Host names of members' endpoints resolved to fixed addresses, like "
	  "curl's --resolve: HOST:PORT:ADDR entries separated by commas "
	  "(ADDR numeric IPv4 or [IPv6]), used for deliveries, national "
	  "queries, witnessing and the trust list refresh; for tests and "
	  "names not in the DNS.  Not set: the system's resolver.",
	  check_resolve },

	{ "trust", "trust_anchor", CONF_PATH, NULL, CONF_REQUIRED | CONF_FILE,
	  OFF(trust_anchor), 0, 0, "/etc/lasteri/operator.crt",
	  "The federation operator's certificate (PEM): the trust list must "
	  "be signed with it.", NULL },
	{ "trust", "trust_list", CONF_PATH, NULL, CONF_REQUIRED | CONF_FILE,
	  OFF(trust_list), 0, 0, "/var/lib/lasteri/trustlist.xml",
	  "The signed trust list the node starts with and reloads on SIGHUP.",
	  NULL },
	{ "trust", "trust_url", CONF_STRING, NULL, 0, OFF(trust_url), 0, 0,
	  "https://operator.example.fi/lasteri/trustlist.xml",
	  "Where a newer trust list is fetched from (https only); not set: "
	  "the file is only reloaded.", check_https_url },
	{ "trust", "trust_refresh", CONF_DURATION, "1h", 0, OFF(trust_refresh),
	  1000L, 7L * DAY_MS, NULL,
	  "How often the trust list is refreshed (1s to 7d).", NULL },

	{ "admin", "admin_socket", CONF_PATH, "/run/lasteri/admin.sock", 0,
	  OFF(admin_socket), 0, 0, NULL,
	  "Unix socket of the admin API (mode 0660: the owner and group "
	  "may use it).", check_socket_path },
	{ "admin", "admin_body_max", CONF_SIZE, "64MiB", 0,
	  OFF(admin_body_max), 1024, 1024L * MIB, NULL,
	  "Largest request body accepted on the admin socket (1KiB to 1GiB): "
	  "an import sends all its files in one request.", NULL },
	{ "admin", "admin_max_connections", CONF_INT, "64", 0,
	  OFF(admin_max_connections), 1, 4096, NULL,
	  "Admin socket connections open at once (1 to 4096).  When all are "
	  "taken, the oldest one still waiting for a request's headers is "
	  "closed to make room; when none is, the new one is closed.", NULL },
	{ "admin", "admin_header_timeout", CONF_DURATION, "10s", 0,
	  OFF(admin_header_timeout), 100, 3600L * 1000L, NULL,
	  "Longest an admin client may take to send a request's line and "
	  "headers, counted from the connection's start or from the previous "
	  "response; then the connection is closed (100ms to 1h).", NULL },
	{ "admin", "admin_body_timeout", CONF_DURATION, "60s", 0,
	  OFF(admin_body_timeout), 100, 3600L * 1000L, NULL,
	  "Longest an admin client may take to send a request's body once its "
	  "headers are in; then the connection is closed (100ms to 1h).",
	  NULL },

	{ "store", "database", CONF_PATH, "/var/lib/lasteri/node.db", 0,
	  OFF(database), 0, 0, NULL,
	  "The SQLite database; created when missing.", NULL },

	{ "limits", "body_max", CONF_SIZE, "1MiB", 0, OFF(body_max),
	  1024, 64 * MIB, NULL,
	  "Largest request body accepted (1KiB to 64MiB); larger gets 413.",
	  NULL },
	{ "limits", "header_max", CONF_SIZE, "16KiB", 0, OFF(header_max),
	  1024, MIB, NULL,
	  "Largest request line and headers accepted (1KiB to 1MiB).", NULL },
	{ "limits", "request_timeout", CONF_DURATION, "30s", 0,
	  OFF(request_timeout), 100, 3600L * 1000L, NULL,
	  "Longest a peer may stay silent while sending a request or "
	  "reading a response (100ms to 1h).", NULL },
	{ "limits", "idle_timeout", CONF_DURATION, "60s", 0,
	  OFF(idle_timeout), 100, 3600L * 1000L, NULL,
	  "Longest a connection may go without a whole request, counted from "
	  "its start or from the previous response (100ms to 1h).", NULL },
	{ "limits", "max_connections", CONF_INT, "512", 0,
	  OFF(max_connections), 1, 65536, NULL,
	  "Federation connections of listed members open at once; a "
	  "connection whose handshake proves a member past it is closed at "
	  "once (1 to 65536).  Connections still in their handshake do not "
	  "count here but in max_handshakes.", NULL },
	{ "limits", "handshake_timeout", CONF_DURATION, "5s", 0,
	  OFF(handshake_timeout), 100, 60L * 1000L, NULL,
	  "Longest a federation connection may take from its start to a "
	  "completed TLS handshake that proves a listed member; then it is "
	  "closed (100ms to 1m).", NULL },
	{ "limits", "max_handshakes", CONF_INT, "512", 0,
	  OFF(max_handshakes), 1, 65536, NULL,
	  "Federation connections still in their TLS handshake at once (1 to "
	  "65536).  When all are taken, the oldest is closed to make room, so "
	  "that connections which never complete a handshake cannot keep "
	  "members out.", NULL },
	{ "limits", "max_handshakes_per_address", CONF_INT, "64", 0,
	  OFF(max_handshakes_per_address), 1, 65536, NULL,
	  "Federation connections in their TLS handshake from one client "
	  "address at once (for IPv6, one /64); more are closed at once (1 to "
	  "65536).", NULL },
	{ "limits", "check_threads", CONF_INT, "2", 0,
	  OFF(check_threads), 0, WORKPOOL_THREADS_MAX, NULL,
	  "Threads that check the supervision records other members send "
	  "(parse, schema, signature, canonical form) beside the event loop, "
	  "so that records are taken in on more than one core (0 to 64); 0 "
	  "checks them on the event loop itself.", NULL },
	{ "limits", "suppress_threshold", CONF_INT, "5", 0,
	  OFF(suppress_threshold), 1, 1000, NULL,
	  "Statistics counts about children or complaints below this are "
	  "shown as \"<N\" (1 to 1000).", NULL },

	{ "outbox", "outbox_retry_min", CONF_DURATION, "1s", 0,
	  OFF(outbox_retry_min), 100, 3600L * 1000L, NULL,
	  "First delay before a failed delivery of a record to another node "
	  "is tried again; it doubles per attempt, with random jitter "
	  "(100ms to 1h).", NULL },
	{ "outbox", "outbox_retry_max", CONF_DURATION, "10m", 0,
	  OFF(outbox_retry_max), 100, DAY_MS, NULL,
	  "Longest delay between delivery attempts (100ms to 1d).", NULL },
	{ "outbox", "outbox_alarm_age", CONF_DURATION, "1h", 0,
	  OFF(outbox_alarm_age), 1000, 7L * DAY_MS, NULL,
	  "When the oldest delivery still pending is older than this, /health "
	  "answers 503 \"outbox\" (1s to 7d).", NULL },

	{ "query", "fanout_deadline", CONF_DURATION, "5s", 0,
	  OFF(fanout_deadline), 100, 60L * 1000L, NULL,
	  "How long a national query waits for the regions' answers; a "
	  "region that has not answered by then is reported as timed out "
	  "(100ms to 1m; lasteri's --deadline sets it per query).", NULL },
	{ "query", "query_work_limit", CONF_DURATION, "2s", 0,
	  OFF(query_work_limit), 10, 60L * 1000L, NULL,
	  "The most work this node does for one national query from another "
	  "member before it answers \"busy\"; keep it below the askers' "
	  "fanout_deadline (10ms to 1m).", NULL },

	{ "log", "checkpoint_interval", CONF_DURATION, "60s", 0,
	  OFF(checkpoint_interval), 1000L, DAY_MS, NULL,
	  "How often the node signs a checkpoint of its transparency log, "
	  "when the log grew since the last one (1s to 1d); "
	  "POST /admin/v1/log/checkpoint signs one at once.", NULL },
	{ "log", "witness_interval", CONF_DURATION, "5m", 0,
	  OFF(witness_interval), 1000L, DAY_MS, NULL,
	  "How often the node fetches every region's checkpoint and checks, "
	  "with a consistency proof, that it extends the last one it holds; "
	  "a rollback, a fork, a bad proof or a bad signature is an alarm "
	  "(lasteri audit alarms) (1s to 1d).", NULL },

	{ "web", "listen", CONF_ADDR, NULL, 0, OFF(web_listen), 0, 0,
	  "127.0.0.1:8080",
	  "Address and port of the web service for the region's people "
	  "(placement search, unit pages, supervision, providers' free "
	  "places, administration); not set: no web service.", NULL },
	{ "web", "tls", CONF_BOOL, "yes", 0, OFF(web_tls), 0, 0, NULL,
	  "Serve HTTPS with tls_cert and tls_key (TLS 1.2 or newer, HSTS).  "
	  "\"no\" serves plain HTTP and is allowed only on a loopback "
	  "address, for a node behind the region's reverse proxy.", NULL },
	{ "web", "tls_cert", CONF_PATH, NULL, CONF_FILE, OFF(web_tls_cert), 0,
	  0, "/etc/lasteri/web.crt",
	  "The web service's certificate chain (PEM): an ordinary server "
	  "certificate for the name people type.", NULL },
	{ "web", "tls_key", CONF_PATH, NULL, CONF_FILE | CONF_SECRET,
	  OFF(web_tls_key), 0, 0, "/etc/lasteri/web.key",
	  "Private key (PEM) of the web certificate; mode 0600 or stricter.",
	  NULL },
	{ "web", "auth", CONF_STRING, "password", 0, OFF(web_auth), 0, 0, NULL,
	  "How people sign in: \"password\" (accounts in the node's database, "
	  "lasteri user) or \"proxy\" (the region's identity provider "
	  "through a reverse proxy that sets proxy_user_header and "
	  "proxy_role_header; trusted only from proxy_addresses).",
	  check_web_auth },
	{ "web", "proxy_user_header", CONF_STRING, "X-Remote-User", 0,
	  OFF(web_proxy_user_header), 0, 0, NULL,
	  "With auth = proxy: the header that names the signed-in user.",
	  check_header_name },
	{ "web", "proxy_role_header", CONF_STRING, "X-Remote-Role", 0,
	  OFF(web_proxy_role_header), 0, 0, NULL,
	  "With auth = proxy: the header that gives the user's role "
	  "(social-worker, supervisor, provider or admin).",
	  check_header_name },
	{ "web", "proxy_business_id_header", CONF_STRING,
	  "X-Remote-Business-Id", 0, OFF(web_proxy_business_id_header), 0, 0,
	  NULL,
	  "With auth = proxy: the header that gives a provider's business ID.",
	  check_header_name },
	{ "web", "proxy_addresses", CONF_STRING, NULL, 0,
	  OFF(web_proxy_addresses), 0, 0, "127.0.0.1, ::1",
	  "With auth = proxy: the reverse proxies' addresses, separated by "
	  "commas; the headers from anyone else are ignored and the request "
	  "is refused.", check_addr_list },
	{ "web", "proxy_secret", CONF_STRING, NULL, 0, OFF(web_proxy_secret),
	  0, 0, "a-long-random-string",
	  "With auth = proxy: a secret the proxy also sends, in header "
	  "X-Lasteri-Proxy-Secret, so that another process that reaches the "
	  "node's port from a proxy address is not believed (keep "
	  "lasterid.conf mode 0640 or stricter then).", check_secret },
	{ "web", "cookie_secure", CONF_BOOL, "yes", 0, OFF(web_cookie_secure),
	  0, 0, NULL,
	  "Mark the cookies Secure (and __Host-), also with tls = no: the "
	  "region's proxy serves HTTPS.  \"no\" only for a test on plain "
	  "http://127.0.0.1.", NULL },
	{ "web", "session_idle", CONF_DURATION, "30m", 0,
	  OFF(web_session_idle), 1000L, DAY_MS, NULL,
	  "A session unused this long ends (1s to 1d).", NULL },
	{ "web", "session_max", CONF_DURATION, "10h", 0,
	  OFF(web_session_max), 1000L, 7L * DAY_MS, NULL,
	  "A session ends this long after sign-in, used or not (1s to 7d).",
	  NULL },
	{ "web", "max_connections", CONF_INT, "256", 0,
	  OFF(web_max_connections), 1, 65536, NULL,
	  "Web connections open at once (1 to 65536); the admin socket's "
	  "header and body timeouts apply to them.", NULL },
	{ "web", "locale_dir", CONF_PATH, NULL, 0, OFF(web_locale_dir),
	  0, 0, "/usr/share/locale",
	  "Where the pages' message catalogues are (LANG/LC_MESSAGES/"
	  "lasteri.mo); not set: where make install put them.", NULL },
	{ NULL, NULL, 0, NULL, 0, 0, 0, 0, NULL, NULL, NULL }
};

#define NKEYS	(sizeof(keys) / sizeof(keys[0]) - 1)

const struct conf_key *
conf_keys(void)
{
	return keys;
}

/* --- value parsers ------------------------------------------------------ */

static int
why_set(char *why, size_t len, const char *msg)
{
	snprintf(why, len, "%s", msg);
	return -1;
}

/* A whole decimal number without sign; *end is what follows it. */
static int
parse_number(const char *s, long long *out, const char **end)
{
	long long v = 0;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		if (v > (LLONG_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*p - '0');
	}
	*out = v;
	*end = p;
	return 0;
}

int
conf_parse_duration(const char *s, long *ms, char *why, size_t len)
{
	static const struct { const char *unit; long long mul; } units[] = {
		{ "", 1000 }, { "ms", 1 }, { "s", 1000 }, { "m", 60000 },
		{ "h", 3600000 }, { "d", 86400000 }, { NULL, 0 }
	};
	const char *end;
	long long v;
	int i;

	if (parse_number(s, &v, &end) == -1)
		return why_set(why, len, "not a duration (e.g. 30s, 5m, 250ms)");
	for (i = 0; units[i].unit != NULL; i++)
		if (strcmp(end, units[i].unit) == 0)
			break;
	if (units[i].unit == NULL)
		return why_set(why, len,
		    "unknown unit (use ms, s, m, h or d)");
	if (v > LONG_MAX / units[i].mul)
		return why_set(why, len, "duration too large");
	*ms = (long)(v * units[i].mul);
	return 0;
}

int
conf_parse_size(const char *s, long *bytes, char *why, size_t len)
{
	static const struct { const char *unit; long long mul; } units[] = {
		{ "", 1 }, { "B", 1 }, { "k", 1024 }, { "K", 1024 },
		{ "KiB", 1024 }, { "M", 1024 * 1024 }, { "MiB", 1024 * 1024 },
		{ "G", 1024LL * 1024 * 1024 }, { "GiB", 1024LL * 1024 * 1024 },
		{ NULL, 0 }
	};
	const char *end;
	long long v;
	int i;

	if (parse_number(s, &v, &end) == -1)
		return why_set(why, len, "not a size (e.g. 1MiB, 64KiB, 4096)");
	for (i = 0; units[i].unit != NULL; i++)
		if (strcmp(end, units[i].unit) == 0)
			break;
	if (units[i].unit == NULL)
		return why_set(why, len, "unknown unit (use KiB, MiB or GiB)");
	if (v > LONG_MAX / units[i].mul)
		return why_set(why, len, "size too large");
	*bytes = (long)(v * units[i].mul);
	return 0;
}

int
conf_parse_addr(const char *s, struct conf_addr *a, char *why, size_t len)
{
	unsigned char bin[16];
	const char *colon, *host, *hend;
	long long port;
	const char *end;
	size_t hlen;

	if (strlen(s) >= sizeof(a->text))
		return why_set(why, len, "address too long");
	if (*s == '[') {
		host = s + 1;
		if ((hend = strchr(host, ']')) == NULL || hend[1] != ':')
			return why_set(why, len,
			    "not an address (use [IPV6]:PORT)");
		colon = hend + 1;
	} else {
		host = s;
		if ((colon = strrchr(s, ':')) == NULL)
			return why_set(why, len,
			    "not an address (use A.B.C.D:PORT)");
		hend = colon;
	}
	hlen = (size_t)(hend - host);
	if (hlen == 0 || hlen >= sizeof(a->host))
		return why_set(why, len, "missing or overlong host");
	memcpy(a->host, host, hlen);
	a->host[hlen] = '\0';
	if (inet_pton(*s == '[' ? AF_INET6 : AF_INET, a->host, bin) != 1)
		return why_set(why, len, *s == '[' ?
		    "host is not a numeric IPv6 address" :
		    "host is not a numeric IPv4 address");
	if (parse_number(colon + 1, &port, &end) == -1 || *end != '\0' ||
	    port > 65535)
		return why_set(why, len, "port is not a number 0..65535");
	a->port = (int)port;
	memcpy(a->text, s, strlen(s) + 1);
	return 0;
}

static int
check_member_id(const char *v, char *why, size_t len)
{
	static const char *const classes[] = { "GOV", "MUN", "ORG", "COM",
	    NULL };
	const char *p, *part[4];
	size_t plen[4];
	int n = 0, i;

	part[0] = v;
	for (p = v; ; p++) {
		if (*p == '/' || *p == '\0') {
			if (n >= 4)
				break;
			plen[n] = (size_t)(p - part[n]);
			if (plen[n] == 0)
				break;
			n++;
			if (*p == '\0')
				break;
			if (n < 4)
				part[n] = p + 1;
			else {
				n = 5;
				break;
			}
		} else if (!isalnum((unsigned char)*p) && *p != '-' &&
		    *p != '_' && *p != '.')
			return why_set(why, len, "member ID has a character "
			    "other than letters, digits, '-', '_', '.', '/'");
	}
	if (n != 4)
		return why_set(why, len, "member ID is not "
		    "INSTANCE/CLASS/CODE/SUBSYSTEM (e.g. FI/GOV/0996189-5/lasteri)");
	for (i = 0; classes[i] != NULL; i++)
		if (plen[1] == 3 && strncmp(part[1], classes[i], 3) == 0)
			return 0;
	return why_set(why, len, "member class is not GOV, MUN, ORG or COM");
}

static int
check_https_url(const char *v, char *why, size_t len)
{
	if (strncmp(v, "https://", 8) != 0 || v[8] == '\0')
		return why_set(why, len, "not an https:// URL");
	return 0;
}

static int
check_socket_path(const char *v, char *why, size_t len)
{
	struct sockaddr_un sun;

	if (strlen(v) >= sizeof(sun.sun_path))
		return why_set(why, len, "socket path longer than 107 bytes");
	return 0;
}

static int
check_web_auth(const char *v, char *why, size_t len)
{
	if (strcmp(v, "password") == 0 || strcmp(v, "proxy") == 0)
		return 0;
	return why_set(why, len, "not \"password\" or \"proxy\"");
}

static int
check_header_name(const char *v, char *why, size_t len)
{
	const char *p;

	for (p = v; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return why_set(why, len, "not a header name (letters, "
			    "digits, '-')");
	return p - v > 64 ? why_set(why, len, "header name too long") : 0;
}

/* "ADDR, ADDR, ..." of numeric IPv4 or IPv6 addresses. */
static int
check_addr_list(const char *v, char *why, size_t len)
{
	unsigned char bin[16];
	char one[64];
	const char *p = v, *q;
	size_t n;

	while (*p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		for (q = p; *q != '\0' && *q != ',' && *q != ' '; q++)
			;
		n = (size_t)(q - p);
		if (n >= sizeof(one))
			return why_set(why, len, "an address is too long");
		memcpy(one, p, n);
		one[n] = '\0';
		if (inet_pton(AF_INET, one, bin) != 1 &&
		    inet_pton(AF_INET6, one, bin) != 1) {
			snprintf(why, len, "'%s' is not a numeric IPv4 or IPv6 "
			    "address", one);
			return -1;
		}
		p = q;
	}
	return 0;
}

static int
check_secret(const char *v, char *why, size_t len)
{
	const char *p;

	if (strlen(v) < 16)
		return why_set(why, len, "too short (at least 16 characters)");
	for (p = v; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return why_set(why, len, "spaces or control characters");
	return 0;
}

static int
check_resolve(const char *v, char *why, size_t len)
{
	return peer_resolve_check(v, why, len);
}

/* 1 when host (numeric) is a loopback address. */
int
conf_addr_is_loopback(const char *host)
{
	unsigned char b[16];
	static const unsigned char v6lo[16] = { [15] = 1 };

	if (inet_pton(AF_INET, host, b) == 1)
		return b[0] == 127;
	if (inet_pton(AF_INET6, host, b) == 1)
		return memcmp(b, v6lo, 16) == 0;
	return 0;
}

/* --- loading ------------------------------------------------------------ */

struct conf_ctx {
	struct conf	*c;
	const char	*path;
	FILE		*f;
	char		*dir;		/* of the file, for relative paths */
	int		 lineno;	/* of the line being parsed */
	int		 at_bol;	/* the next chunk starts a line */
	int		 errline;
	char		 errmsg[ERR_MSG_MAX];
	int		 set_line[NKEYS];	/* 0: from the default */
	int		 failed;
};

static void
ctx_fail(struct conf_ctx *x, int line, const char *fmt, const char *a,
    const char *b, const char *why)
{
	char msg[ERR_MSG_MAX];

	if (x->failed)
		return;
	x->failed = 1;
	x->errline = line;
	snprintf(msg, sizeof(msg), fmt, a, b, why);
	snprintf(x->errmsg, sizeof(x->errmsg), "%s", msg);
}

/* Stores value for key k; -1 with why filled when bad. */
static int
conf_set(struct conf_ctx *x, const struct conf_key *k, const char *value,
    char *why, size_t len)
{
	char *base = (char *)x->c + k->off;
	char **sp = (char **)(void *)base;
	long *lp = (long *)(void *)base;
	int *ip = (int *)(void *)base;
	long long v;
	const char *end;
	char *s;
	long l;

	if (k->type != CONF_BOOL && *value == '\0')
		return why_set(why, len, "empty value");
	if (k->check != NULL && k->check(value, why, len) == -1)
		return -1;
	switch (k->type) {
	case CONF_STRING:
	case CONF_PATH:
		if (k->type == CONF_PATH && value[0] != '/' && x->dir != NULL) {
			size_t n = strlen(x->dir) + strlen(value) + 2;

			if ((s = malloc(n)) == NULL)
				return why_set(why, len, "out of memory");
			snprintf(s, n, "%s/%s", x->dir, value);
		} else if ((s = strdup(value)) == NULL)
			return why_set(why, len, "out of memory");
		free(*sp);
		*sp = s;
		return 0;
	case CONF_INT:
		if (parse_number(value, &v, &end) == -1 || *end != '\0')
			return why_set(why, len, "not a whole number");
		if (v < k->min || v > k->max) {
			snprintf(why, len, "%lld is out of range %ld..%ld", v,
			    k->min, k->max);
			return -1;
		}
		*lp = (long)v;
		return 0;
	case CONF_DURATION:
		if (conf_parse_duration(value, &l, why, len) == -1)
			return -1;
		if (l < k->min || l > k->max)
			return why_set(why, len, "duration out of range");
		*lp = l;
		return 0;
	case CONF_SIZE:
		if (conf_parse_size(value, &l, why, len) == -1)
			return -1;
		if (l < k->min || l > k->max)
			return why_set(why, len, "size out of range");
		*lp = l;
		return 0;
	case CONF_BOOL:
		if (strcasecmp(value, "yes") == 0 ||
		    strcasecmp(value, "true") == 0 ||
		    strcasecmp(value, "on") == 0 || strcmp(value, "1") == 0)
			*ip = 1;
		else if (strcasecmp(value, "no") == 0 ||
		    strcasecmp(value, "false") == 0 ||
		    strcasecmp(value, "off") == 0 || strcmp(value, "0") == 0)
			*ip = 0;
		else
			return why_set(why, len, "not yes or no");
		return 0;
	case CONF_ADDR:
		return conf_parse_addr(value, (struct conf_addr *)(void *)base,
		    why, len);
	}
	return why_set(why, len, "internal: unknown key type");
}

static int
conf_handler(void *arg, const char *section, const char *name,
    const char *value)
{
	struct conf_ctx *x = arg;
	char why[256];
	size_t i;

	if (*section == '\0') {
		ctx_fail(x, x->lineno, "%s%s: key outside a section "
		    "(put it under [node], [federation], ...)%s", name, "", "");
		return 0;
	}
	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, section) == 0 &&
		    strcmp(keys[i].name, name) == 0)
			break;
	if (i == NKEYS) {
		for (i = 0; i < NKEYS; i++)
			if (strcmp(keys[i].name, name) == 0)
				break;
		if (i < NKEYS) {
			snprintf(why, sizeof(why), "belongs in [%s]",
			    keys[i].section);
			ctx_fail(x, x->lineno, "[%s] %s: unknown key here, %s",
			    section, name, why);
		} else
			ctx_fail(x, x->lineno, "[%s] %s: unknown key%s",
			    section, name, "");
		return 0;
	}
	if (x->set_line[i] != 0) {
		snprintf(why, sizeof(why), "given twice (first on line %d)",
		    x->set_line[i]);
		ctx_fail(x, x->lineno, "[%s] %s: %s", section, name, why);
		return 0;
	}
	if (conf_set(x, &keys[i], value, why, sizeof(why)) == -1) {
		char shown[96];

		snprintf(shown, sizeof(shown), "%s", value);
		ctx_fail(x, x->lineno, "[%s] %s: %s", section, name, why);
		/* name the bad value too */
		snprintf(x->errmsg + strlen(x->errmsg),
		    sizeof(x->errmsg) - strlen(x->errmsg), " (\"%s\")", shown);
		return 0;
	}
	x->set_line[i] = x->lineno;
	return 1;
}

/* fgets that counts lines and refuses a line longer than libinih's buffer
 * (which would otherwise be parsed as two lines). */
static char *
conf_reader(char *str, int num, void *arg)
{
	struct conf_ctx *x = arg;
	size_t n;
	int ch;

	if (fgets(str, num, x->f) == NULL)
		return NULL;
	if (x->at_bol)
		x->lineno++;
	n = strlen(str);
	x->at_bol = n > 0 && str[n - 1] == '\n';
	if (!x->at_bol && !feof(x->f)) {
		ctx_fail(x, x->lineno, "%s%s%s", "line longer than ", "198 ",
		    "bytes");
		while ((ch = fgetc(x->f)) != EOF && ch != '\n')
			;
		x->at_bol = 1;
		str[0] = '\0';		/* parse the rest as nothing */
	}
	return str;
}

static int
check_file(struct conf_ctx *x, size_t i, struct err *e)
{
	const struct conf_key *k = &keys[i];
	const char *p;
	struct stat st;
	char where[64], *real;

	if (k->type != CONF_PATH || !(k->flags & (CONF_FILE | CONF_SECRET)) ||
	    (p = *(char **)(void *)((char *)x->c + k->off)) == NULL)
		return 0;
	if (x->set_line[i] > 0)
		snprintf(where, sizeof(where), "%d:", x->set_line[i]);
	else
		where[0] = '\0';
	if (stat(p, &st) == -1)
		return err_set(e, ERR_INPUT, "%s:%s [%s] %s: %s: %s", x->path,
		    where, k->section, k->name, p, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return err_set(e, ERR_INPUT, "%s:%s [%s] %s: %s: not a regular "
		    "file", x->path, where, k->section, k->name, p);
	if ((k->flags & CONF_SECRET) && !dsig_keyfile_mode_ok(&st))
		return err_set(e, ERR_INPUT, "%s:%s [%s] %s: %s: mode %04o: a "
		    "private key must not be open to group or others "
		    "(chmod 600 it)", x->path, where, k->section, k->name, p,
		    (unsigned)(st.st_mode & 07777));
	/* The canonical name, for the messages that name it later. */
	if ((real = realpath(p, NULL)) != NULL) {
		free(*(char **)(void *)((char *)x->c + k->off));
		*(char **)(void *)((char *)x->c + k->off) = real;
	}
	return 0;
}

/* The line of key section/name, or 0 when it was not set. */
static int
set_line(const struct conf_ctx *x, const char *section, const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, section) == 0 &&
		    strcmp(keys[i].name, name) == 0)
			return x->set_line[i];
	return 0;
}

/* [web]: what the keys mean together. */
static int
web_check(struct conf_ctx *x, struct err *e)
{
	struct conf *c = x->c;

	if (c->web_listen.text[0] == '\0')
		return 0;
	if (!c->web_tls && !conf_addr_is_loopback(c->web_listen.host))
		return err_set(e, ERR_INPUT, "%s:%d: [web] tls: \"no\" is "
		    "allowed only when listen is a loopback address (127.0.0.1, "
		    "::1), behind the region's reverse proxy; %s is not",
		    x->path, set_line(x, "web", "tls"), c->web_listen.text);
	if (c->web_tls && (c->web_tls_cert == NULL || c->web_tls_key == NULL))
		return err_set(e, ERR_INPUT, "%s: [web] %s: required when "
		    "listen is set and tls is on (or set tls = no on a loopback "
		    "address)", x->path, c->web_tls_cert == NULL ? "tls_cert" :
		    "tls_key");
	if (strcmp(c->web_auth, "proxy") == 0 &&
	    c->web_proxy_addresses == NULL)
		return err_set(e, ERR_INPUT, "%s:%d: [web] proxy_addresses: "
		    "required with auth = proxy (the reverse proxies whose "
		    "headers are trusted)", x->path,
		    set_line(x, "web", "auth"));
	return 0;
}

int
conf_load(const char *path, struct conf *c, struct err *e)
{
	struct conf_ctx x;
	struct stat st;
	char why[256], *slash;
	size_t i;
	int r, rc = -1;

	memset(c, 0, sizeof(*c));
	memset(&x, 0, sizeof(x));
	x.c = c;
	x.path = path;
	x.at_bol = 1;

	for (i = 0; i < NKEYS; i++) {
		if (keys[i].def == NULL)
			continue;
		if (conf_set(&x, &keys[i], keys[i].def, why, sizeof(why)) ==
		    -1) {
			err_set(e, ERR_INTERNAL, "[%s] %s: bad default: %s",
			    keys[i].section, keys[i].name, why);
			goto done;
		}
	}
	if ((c->file = realpath(path, NULL)) == NULL) {
		err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
		goto done;
	}
	if ((x.dir = strdup(c->file)) == NULL) {
		err_set(e, ERR_NOMEM, "%s: out of memory", path);
		goto done;
	}
	if ((slash = strrchr(x.dir, '/')) != NULL)
		*(slash == x.dir ? slash + 1 : slash) = '\0';
	if ((x.f = fopen(path, "r")) == NULL || fstat(fileno(x.f), &st) == -1) {
		err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		err_set(e, ERR_INPUT, "%s: not a regular file", path);
		goto done;
	}
	if ((st.st_mode & 022) != 0) {
		err_set(e, ERR_INPUT, "%s: mode %04o: group or others may "
		    "write the configuration (chmod go-w it)", path,
		    (unsigned)(st.st_mode & 07777));
		goto done;
	}
	r = ini_parse_stream(conf_reader, &x, conf_handler, &x);
	if (x.failed) {
		err_set(e, ERR_INPUT, "%s:%d: %s", path, x.errline, x.errmsg);
		goto done;
	}
	if (r != 0) {
		err_set(e, ERR_INPUT, "%s:%d: syntax error (want \"name = "
		    "value\" or \"[section]\")", path, r > 0 ? r : x.lineno);
		goto done;
	}
	for (i = 0; i < NKEYS; i++)
		if ((keys[i].flags & CONF_REQUIRED) && x.set_line[i] == 0) {
			err_set(e, ERR_INPUT, "%s: [%s] %s: required key is "
			    "missing", path, keys[i].section, keys[i].name);
			goto done;
		}
	for (i = 0; i < NKEYS; i++)
		if (check_file(&x, i, e) == -1)
			goto done;
	if (web_check(&x, e) == -1)
		goto done;
	rc = 0;
done:
	if (x.f != NULL)
		fclose(x.f);
	free(x.dir);
	return rc;
}

void
conf_free(struct conf *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < NKEYS; i++)
		if (keys[i].type == CONF_STRING || keys[i].type == CONF_PATH) {
			char **sp = (char **)(void *)((char *)c + keys[i].off);

			free(*sp);
			*sp = NULL;
		}
	free(c->file);
	c->file = NULL;
}

/* --- sample and man page ------------------------------------------------ */

static const char *const type_names[] = {
	"string", "path", "number", "duration", "size", "yes|no", "address"
};

/* Writes text wrapped at about 72 columns, each line after prefix. */
static void
wrap(FILE *f, const char *prefix, const char *text)
{
	const char *p = text, *sp;
	size_t col = 0, wlen;

	fputs(prefix, f);
	while (*p != '\0') {
		sp = strchr(p, ' ');
		wlen = sp != NULL ? (size_t)(sp - p) : strlen(p);
		if (col > 0 && col + 1 + wlen > 70) {
			fprintf(f, "\n%s", prefix);
			col = 0;
		} else if (col > 0) {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, wlen, f);
		col += wlen;
		p += wlen;
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
}

void
conf_write_sample(FILE *f)
{
	const struct conf_key *k;
	const char *section = "";

	fputs("# lasterid.conf - the Lasteri node's configuration (see "
	    "lasterid.conf(5)).\n"
	    "# Generated from the key table by 'lasterid -P sample'.  Keys "
	    "that are\n# commented out show their default.  Relative paths "
	    "are taken from the\n# directory of this file.\n", f);
	for (k = keys; k->name != NULL; k++) {
		if (strcmp(section, k->section) != 0) {
			fprintf(f, "\n[%s]\n", k->section);
			section = k->section;
		}
		wrap(f, "# ", k->help);
		if (k->flags & CONF_REQUIRED)
			fprintf(f, "# %s, required.\n%s = %s\n",
			    type_names[k->type], k->name, k->example);
		else if (k->def != NULL)
			fprintf(f, "# %s, default %s.\n#%s = %s\n",
			    type_names[k->type], k->def, k->name, k->def);
		else
			fprintf(f, "# %s, not set by default.\n#%s = %s\n",
			    type_names[k->type], k->name,
			    k->example != NULL ? k->example : "");
	}
}

void
conf_write_man(FILE *f)
{
	const struct conf_key *k;
	const char *section = "";

	fputs(".\\\" Generated from the key table by 'lasterid -P man'.\n", f);
	for (k = keys; k->name != NULL; k++) {
		if (strcmp(section, k->section) != 0) {
			if (*section != '\0')
				fputs(".El\n", f);
			fprintf(f, ".Ss [%s]\n.Bl -tag -width Ds\n",
			    k->section);
			section = k->section;
		}
		fprintf(f, ".It Ic %s Ar %s\n", k->name, type_names[k->type]);
		wrap(f, "", k->help);
		if (k->flags & CONF_REQUIRED)
			fputs("Required.\n", f);
		else if (k->def != NULL)
			fprintf(f, "The default is\n.Dq %s .\n", k->def);
		else
			fputs("Not set by default.\n", f);
	}
	fputs(".El\n", f);
}
