/*
 * test_config.c - the node's configuration file (node/conf.c): typed keys,
 * defaults, file:line errors naming the key, and the key file mode check.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "testmain.h"

static char dir[64];

/* 0, or -1 when the file cannot be written (used from suite setup too,
 * where CUnit assertions are not allowed). */
static int
write_file(const char *name, const char *text, mode_t mode)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fputs(text, f);
	if (fclose(f) != 0 || chmod(path, mode) != 0)
		return -1;
	return 0;
}

static int
setup(void)
{
	snprintf(dir, sizeof(dir), "%s", "/tmp/lasteri-conf.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	if (write_file("tls.key", "key\n", 0600) == -1 ||
	    write_file("tls.crt", "crt\n", 0644) == -1 ||
	    write_file("sign.key", "key\n", 0600) == -1 ||
	    write_file("sign.crt", "crt\n", 0644) == -1 ||
	    write_file("operator.crt", "crt\n", 0644) == -1 ||
	    write_file("trustlist.xml", "<TrustList/>\n", 0644) == -1)
		return 1;
	return 0;
}

static int
teardown(void)
{
	static const char *const names[] = { "tls.key", "tls.crt", "sign.key",
	    "sign.crt", "operator.crt", "trustlist.xml", "open.key",
	    "lasterid.conf", NULL };
	char path[256];
	int i;

	for (i = 0; names[i] != NULL; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
	return 0;
}

#define GOOD_NODE \
	"[node]\nmember_id = FI/GOV/3221080-3/lasteri\n" \
	"sign_key = sign.key\nsign_cert = sign.crt\n"
#define GOOD_FED \
	"[federation]\nlisten = 127.0.0.1:8443\n" \
	"tls_key = tls.key\ntls_cert = tls.crt\n"
#define GOOD_TRUST \
	"[trust]\ntrust_anchor = operator.crt\ntrust_list = trustlist.xml\n"

/* Loads text as the configuration; returns conf_load's result. */
static int
load(const char *text, struct conf *c, struct err *e)
{
	char path[256];

	CU_ASSERT_FATAL(write_file("lasterid.conf", text, 0600) == 0);
	snprintf(path, sizeof(path), "%s/lasterid.conf", dir);
	err_clear(e);
	return conf_load(path, c, e);
}

static void
test_good(void)
{
	struct conf c;
	struct err e;
	char want[256];

	CU_ASSERT_EQUAL_FATAL(load(GOOD_NODE GOOD_FED GOOD_TRUST
	    "[limits]\nbody_max = 2MiB\nrequest_timeout = 1500ms\n"
	    "idle_timeout = 2m ; two minutes\nmax_connections = 64\n"
	    "[admin]\nadmin_socket = admin.sock\n", &c, &e), 0);
	CU_ASSERT_STRING_EQUAL(c.member_id, "FI/GOV/3221080-3/lasteri");
	CU_ASSERT_STRING_EQUAL(c.listen.host, "127.0.0.1");
	CU_ASSERT_EQUAL(c.listen.port, 8443);
	snprintf(want, sizeof(want), "%s/tls.key", dir);
	CU_ASSERT_STRING_EQUAL(c.tls_key, want);
	snprintf(want, sizeof(want), "%s/admin.sock", dir);
	CU_ASSERT_STRING_EQUAL(c.admin_socket, want);
	CU_ASSERT_EQUAL(c.body_max, 2L * 1024 * 1024);
	CU_ASSERT_EQUAL(c.request_timeout, 1500);
	CU_ASSERT_EQUAL(c.idle_timeout, 120000);
	CU_ASSERT_EQUAL(c.max_connections, 64);
	/* defaults */
	CU_ASSERT_EQUAL(c.header_max, 16L * 1024);
	CU_ASSERT_EQUAL(c.suppress_threshold, 5);
	CU_ASSERT_EQUAL(c.check_threads, 2);
	CU_ASSERT_EQUAL(c.trust_refresh, 3600L * 1000);
	CU_ASSERT_STRING_EQUAL(c.database, "/var/lib/lasteri/node.db");
	CU_ASSERT_PTR_NULL(c.trust_url);
	CU_ASSERT_EQUAL(c.log_debug, 0);
	CU_ASSERT_EQUAL(c.handshake_timeout, 5000);
	CU_ASSERT_EQUAL(c.max_handshakes, 512);
	CU_ASSERT_EQUAL(c.max_handshakes_per_address, 64);
	CU_ASSERT_EQUAL(c.admin_max_connections, 64);
	CU_ASSERT_EQUAL(c.admin_header_timeout, 10000);
	CU_ASSERT_EQUAL(c.admin_body_timeout, 60000);
	conf_free(&c);
}

static void
test_connection_limits(void)
{
	struct conf c;
	struct err e;

	CU_ASSERT_EQUAL_FATAL(load(GOOD_NODE GOOD_FED GOOD_TRUST
	    "[limits]\nhandshake_timeout = 1500ms\nmax_handshakes = 100\n"
	    "max_handshakes_per_address = 8\n"
	    "[admin]\nadmin_max_connections = 16\n"
	    "admin_header_timeout = 2s\nadmin_body_timeout = 1m\n", &c, &e),
	    0);
	CU_ASSERT_EQUAL(c.handshake_timeout, 1500);
	CU_ASSERT_EQUAL(c.max_handshakes, 100);
	CU_ASSERT_EQUAL(c.max_handshakes_per_address, 8);
	CU_ASSERT_EQUAL(c.admin_max_connections, 16);
	CU_ASSERT_EQUAL(c.admin_header_timeout, 2000);
	CU_ASSERT_EQUAL(c.admin_body_timeout, 60000);
	conf_free(&c);

	/* A handshake deadline of minutes would bring the lockout back. */
	CU_ASSERT_EQUAL(load(GOOD_NODE GOOD_FED GOOD_TRUST
	    "[limits]\nhandshake_timeout = 5m\n", &c, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, ":13: [limits] handshake_timeout: "
	    "duration out of range"));
	conf_free(&c);
	/* The record checks: 0 (on the loop) to 64 threads. */
	CU_ASSERT_EQUAL(load(GOOD_NODE GOOD_FED GOOD_TRUST
	    "[limits]\ncheck_threads = 0\n", &c, &e), 0);
	CU_ASSERT_EQUAL(c.check_threads, 0);
	conf_free(&c);
	CU_ASSERT_EQUAL(load(GOOD_NODE GOOD_FED GOOD_TRUST
	    "[limits]\ncheck_threads = 65\n", &c, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "[limits] check_threads: "
	    "65 is out of range 0..64"));
	conf_free(&c);
	CU_ASSERT_EQUAL(load(GOOD_NODE GOOD_FED GOOD_TRUST
	    "[admin]\nadmin_max_connections = 0\n", &c, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "[admin] admin_max_connections: "
	    "0 is out of range 1..4096"));
	conf_free(&c);
	CU_ASSERT_EQUAL(load(GOOD_NODE GOOD_FED GOOD_TRUST
	    "[limits]\nadmin_header_timeout = 1s\n", &c, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "unknown key here, belongs in "
	    "[admin]"));
	conf_free(&c);
}

static void
test_unknown_key(void)
{
	struct conf c;
	struct err e;

	CU_ASSERT_EQUAL(load(GOOD_NODE GOOD_FED GOOD_TRUST
	    "[limits]\nbody_maximum = 2MiB\n", &c, &e), -1);
	CU_ASSERT_EQUAL(e.code, ERR_INPUT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "lasterid.conf:13: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "[limits] body_maximum: "
	    "unknown key"));
	conf_free(&c);
}

static void
test_wrong_section(void)
{
	struct conf c;
	struct err e;

	CU_ASSERT_EQUAL(load(GOOD_NODE GOOD_FED GOOD_TRUST
	    "[node]\ndatabase = x.db\n", &c, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, ":13: [node] database: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "belongs in [store]"));
	conf_free(&c);
}

static void
test_bad_value(void)
{
	struct conf c;
	struct err e;

	CU_ASSERT_EQUAL(load(GOOD_NODE GOOD_FED GOOD_TRUST
	    "[limits]\nrequest_timeout = soon\n", &c, &e), -1);
	CU_ASSERT_EQUAL(e.code, ERR_INPUT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, ":13: [limits] request_timeout: "
	    "not a duration"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "\"soon\""));
	conf_free(&c);

	CU_ASSERT_EQUAL(load(GOOD_NODE "[federation]\nlisten = localhost:8443\n"
	    "tls_key = tls.key\ntls_cert = tls.crt\n" GOOD_TRUST, &c, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, ":6: [federation] listen: host "
	    "is not a numeric IPv4 address"));
	conf_free(&c);

	CU_ASSERT_EQUAL(load(GOOD_NODE GOOD_FED GOOD_TRUST
	    "[limits]\nmax_connections = 0\n", &c, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "[limits] max_connections: 0 is "
	    "out of range 1..65536"));
	conf_free(&c);

	CU_ASSERT_EQUAL(load("[node]\nmember_id = FI/XYZ/1/lasteri\n"
	    "sign_key = sign.key\nsign_cert = sign.crt\n" GOOD_FED GOOD_TRUST,
	    &c, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, ":2: [node] member_id: member "
	    "class is not GOV, MUN, ORG or COM"));
	conf_free(&c);
}

static void
test_duplicate(void)
{
	struct conf c;
	struct err e;

	CU_ASSERT_EQUAL(load(GOOD_NODE GOOD_FED GOOD_TRUST
	    "[federation]\nlisten = 127.0.0.1:9\n", &c, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, ":13: [federation] listen: given "
	    "twice (first on line 6)"));
	conf_free(&c);
}

static void
test_missing_required(void)
{
	struct conf c;
	struct err e;

	CU_ASSERT_EQUAL(load(GOOD_NODE GOOD_FED
	    "[trust]\ntrust_anchor = operator.crt\n", &c, &e), -1);
	CU_ASSERT_EQUAL(e.code, ERR_INPUT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "[trust] trust_list: required "
	    "key is missing"));
	conf_free(&c);
}

static void
test_missing_file(void)
{
	struct conf c;
	struct err e;

	CU_ASSERT_EQUAL(load(GOOD_NODE GOOD_FED
	    "[trust]\ntrust_anchor = nowhere.crt\ntrust_list = trustlist.xml\n",
	    &c, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, ":10: [trust] trust_anchor: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "No such file"));
	conf_free(&c);
}

static void
test_key_mode(void)
{
	struct conf c;
	struct err e;

	CU_ASSERT_FATAL(write_file("open.key", "key\n", 0644) == 0);
	CU_ASSERT_EQUAL(load(GOOD_NODE "[federation]\nlisten = 127.0.0.1:8443\n"
	    "tls_key = open.key\ntls_cert = tls.crt\n" GOOD_TRUST, &c, &e), -1);
	CU_ASSERT_EQUAL(e.code, ERR_INPUT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, ":7: [federation] tls_key: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "mode 0644"));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "chmod 600"));
	conf_free(&c);
}

static void
test_syntax(void)
{
	struct conf c;
	struct err e;

	CU_ASSERT_EQUAL(load(GOOD_NODE "this is not a key\n" GOOD_FED
	    GOOD_TRUST, &c, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "lasterid.conf:5: syntax error"));
	conf_free(&c);
}

static void
test_long_line(void)
{
	struct conf c;
	struct err e;
	char text[1024];

	snprintf(text, sizeof(text), GOOD_NODE GOOD_FED GOOD_TRUST
	    "[store]\ndatabase = /var/lib/%0250d.db\n", 0);
	CU_ASSERT_EQUAL(load(text, &c, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, ":13: line longer than 198 "
	    "bytes"));
	conf_free(&c);
}

static void
test_config_mode(void)
{
	struct conf c;
	struct err e;
	char path[256];

	CU_ASSERT_FATAL(write_file("lasterid.conf", GOOD_NODE GOOD_FED
	    GOOD_TRUST, 0666) == 0);
	snprintf(path, sizeof(path), "%s/lasterid.conf", dir);
	CU_ASSERT_EQUAL(conf_load(path, &c, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "mode 0666: group or others may "
	    "write the configuration"));
	conf_free(&c);
}

static void
test_parsers(void)
{
	struct conf_addr a;
	char why[128];
	long v;

	CU_ASSERT_EQUAL(conf_parse_duration("250ms", &v, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(v, 250);
	CU_ASSERT_EQUAL(conf_parse_duration("45", &v, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(v, 45000);
	CU_ASSERT_EQUAL(conf_parse_duration("1d", &v, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(v, 86400000L);
	CU_ASSERT_EQUAL(conf_parse_duration("-5s", &v, why, sizeof(why)), -1);
	CU_ASSERT_EQUAL(conf_parse_duration("5 weeks", &v, why, sizeof(why)),
	    -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "unknown unit"));
	CU_ASSERT_EQUAL(conf_parse_size("64KiB", &v, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(v, 65536);
	CU_ASSERT_EQUAL(conf_parse_size("99999999999999999999", &v, why,
	    sizeof(why)), -1);
	CU_ASSERT_EQUAL(conf_parse_addr("[::1]:0", &a, why, sizeof(why)), 0);
	CU_ASSERT_STRING_EQUAL(a.host, "::1");
	CU_ASSERT_EQUAL(a.port, 0);
	CU_ASSERT_EQUAL(conf_parse_addr("127.0.0.1:70000", &a, why,
	    sizeof(why)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "port"));
}

static void
test_sample_has_every_key(void)
{
	const struct conf_key *k;
	char *buf = NULL, *man = NULL, want[128];
	size_t n = 0, mn = 0;
	FILE *f;

	f = open_memstream(&buf, &n);
	CU_ASSERT_FATAL(f != NULL);
	conf_write_sample(f);
	fclose(f);
	f = open_memstream(&man, &mn);
	CU_ASSERT_FATAL(f != NULL);
	conf_write_man(f);
	fclose(f);
	for (k = conf_keys(); k->name != NULL; k++) {
		snprintf(want, sizeof(want), "\n%s%s = ",
		    (k->flags & CONF_REQUIRED) ? "" : "#", k->name);
		CU_ASSERT_PTR_NOT_NULL(strstr(buf, want));
		snprintf(want, sizeof(want), ".It Ic %s ", k->name);
		CU_ASSERT_PTR_NOT_NULL(strstr(man, want));
	}
	free(buf);
	free(man);
}

static CU_TestInfo tests[] = {
	{ "loads a good configuration with defaults and relative paths",
	  test_good },
	{ "refuses an unknown key naming file, line and key", test_unknown_key },
	{ "says which section a misplaced key belongs in", test_wrong_section },
	{ "refuses a bad value naming the line, key and value", test_bad_value },
	{ "reads the handshake and admin connection limits, in range",
	  test_connection_limits },
	{ "refuses a key given twice", test_duplicate },
	{ "refuses a configuration without a required key, naming it",
	  test_missing_required },
	{ "refuses a file key whose file does not exist", test_missing_file },
	{ "refuses a private key file that group or others can read",
	  test_key_mode },
	{ "refuses a line that is not name = value", test_syntax },
	{ "refuses a line longer than the parser's buffer", test_long_line },
	{ "refuses a configuration file that others may write",
	  test_config_mode },
	{ "parses durations, sizes and addresses strictly", test_parsers },
	{ "writes every key into the sample and the man page list",
	  test_sample_has_every_key },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ "conf", setup, teardown, NULL, NULL, tests },
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	return test_run_suites(suites);
}
