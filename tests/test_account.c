/*
 * test_account.c - the web service's accounts: Argon2id hashing and
 * verification (account.c), names, roles and business IDs, generated
 * passwords, and the account and audit tables of the store (migration 10,
 * store_account.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "account.h"
#include "store.h"
#include "store_account.h"
#include "testmain.h"

#define BID	"0996189-5"	/* a valid Y-tunnus */

static char dir[256];
static char dbpath[300];
static int seq;

static int
suite_init(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/lasteri-account.XXXXXX", t ? t : "/tmp");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
suite_clean(void)
{
	char p[400];
	int i;

	for (i = 1; i <= seq; i++) {
		snprintf(p, sizeof(p), "%s/a%d.db", dir, i);
		unlink(p);
		snprintf(p, sizeof(p), "%s/a%d.db-wal", dir, i);
		unlink(p);
		snprintf(p, sizeof(p), "%s/a%d.db-shm", dir, i);
		unlink(p);
	}
	rmdir(dir);
	return 0;
}

static struct store *
fresh(void)
{
	struct store *s = NULL;
	struct err e;

	snprintf(dbpath, sizeof(dbpath), "%s/a%d.db", dir, ++seq);
	if (store_open(dbpath, STORE_CREATE, &s, &e) == -1) {
		fprintf(stderr, "store_open: %s\n", e.msg);
		return NULL;
	}
	return s;
}

/* --- hashing ------------------------------------------------------------ */

static void
test_hash_verify(void)
{
	char h[ACCOUNT_HASH_MAX], h2[ACCOUNT_HASH_MAX];
	struct err e;

	err_clear(&e);
	CU_ASSERT_FATAL(account_hash("correct horse", h, sizeof(h), &e) == 0);
	CU_ASSERT(strncmp(h, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0);
	CU_ASSERT(account_verify(h, "correct horse") == 1);
	/* A new salt each time: the same password, another string. */
	CU_ASSERT_FATAL(account_hash("correct horse", h2, sizeof(h2), &e) == 0);
	CU_ASSERT(strcmp(h, h2) != 0);
	CU_ASSERT(account_verify(h2, "correct horse") == 1);
}

static void
test_wrong_password(void)
{
	char h[ACCOUNT_HASH_MAX];
	struct err e;

	err_clear(&e);
	CU_ASSERT_FATAL(account_hash("correct horse", h, sizeof(h), &e) == 0);
	CU_ASSERT(account_verify(h, "correct horsf") == 0);
	CU_ASSERT(account_verify(h, "Correct horse") == 0);
	CU_ASSERT(account_verify(h, "correct horse ") == 0);
	CU_ASSERT(account_verify(h, "short") == 0);
	CU_ASSERT(account_verify(h, NULL) == 0);
}

static void
test_malformed_encoded(void)
{
	char h[ACCOUNT_HASH_MAX], cut[ACCOUNT_HASH_MAX], big[300];
	struct err e;

	err_clear(&e);
	CU_ASSERT_FATAL(account_hash("correct horse", h, sizeof(h), &e) == 0);
	CU_ASSERT(account_verify("", "correct horse") == 0);
	CU_ASSERT(account_verify("garbage", "correct horse") == 0);
	CU_ASSERT(account_verify(NULL, "correct horse") == 0);
	/* Another variant, cut short, a broken salt, a hash of bcrypt. */
	CU_ASSERT(account_verify(h + 1, "correct horse") == 0);
	snprintf(cut, sizeof(cut), "%.*s", (int)strlen(h) - 10, h);
	CU_ASSERT(account_verify(cut, "correct horse") == 0);
	snprintf(cut, sizeof(cut), "$argon2i%s", h + 9);
	CU_ASSERT(account_verify(cut, "correct horse") == 0);
	CU_ASSERT(account_verify("$argon2id$v=19$m=19456,t=2,p=1$!!!!$????",
	    "correct horse") == 0);
	CU_ASSERT(account_verify("$2b$12$abcdefghijklmnopqrstuuABCDEFGHIJ",
	    "correct horse") == 0);
	/* Parameters past what a stored hash may ask for are refused before
	 * any memory is taken. */
	CU_ASSERT(account_verify("$argon2id$v=19$m=4000000000,t=2,p=1$"
	    "c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhh",
	    "correct horse") == 0);
	CU_ASSERT(account_verify("$argon2id$v=19$m=19456,t=999999,p=1$"
	    "c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhh",
	    "correct horse") == 0);
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "$argon2id$v=19$m=19456,t=2,p=1$", 31);
	CU_ASSERT(account_verify(big, "correct horse") == 0);
}

static void
test_password_bounds(void)
{
	char h[ACCOUNT_HASH_MAX], *pw;
	struct err e;

	err_clear(&e);
	CU_ASSERT(account_hash("1234567", h, sizeof(h), &e) == -1);
	CU_ASSERT(e.code == ERR_INPUT && strstr(e.msg, "at least 8") != NULL);
	CU_ASSERT(h[0] == '\0');
	CU_ASSERT(account_hash("12345678", h, sizeof(h), &e) == 0);
	CU_ASSERT_FATAL((pw = malloc(ACCOUNT_PW_MAX + 2)) != NULL);
	memset(pw, 'x', ACCOUNT_PW_MAX + 1);
	pw[ACCOUNT_PW_MAX + 1] = '\0';
	err_clear(&e);
	CU_ASSERT(account_hash(pw, h, sizeof(h), &e) == -1);
	CU_ASSERT(e.code == ERR_INPUT && strstr(e.msg, "at most 1024") != NULL);
	pw[ACCOUNT_PW_MAX] = '\0';
	CU_ASSERT(account_hash(pw, h, sizeof(h), &e) == 0);
	CU_ASSERT(account_verify(h, pw) == 1);
	free(pw);
	err_clear(&e);
	CU_ASSERT(account_hash("12345678", h, 40, &e) == -1);
	CU_ASSERT(e.code == ERR_INTERNAL);
}

/* --- names, roles, business IDs ----------------------------------------- */

static void
test_names(void)
{
	char long_name[ACCOUNT_NAME_MAX + 2];

	CU_ASSERT(account_name_is_valid("a"));
	CU_ASSERT(account_name_is_valid("maija.meikalainen"));
	CU_ASSERT(account_name_is_valid("0-sw_1.x"));
	CU_ASSERT(!account_name_is_valid(""));
	CU_ASSERT(!account_name_is_valid(NULL));
	CU_ASSERT(!account_name_is_valid("Maija"));
	CU_ASSERT(!account_name_is_valid(".hidden"));
	CU_ASSERT(!account_name_is_valid("-x"));
	CU_ASSERT(!account_name_is_valid("a b"));
	CU_ASSERT(!account_name_is_valid("a/b"));
	CU_ASSERT(!account_name_is_valid("m\xc3\xa4ki"));
	memset(long_name, 'a', ACCOUNT_NAME_MAX);
	long_name[ACCOUNT_NAME_MAX] = '\0';
	CU_ASSERT(account_name_is_valid(long_name));
	long_name[ACCOUNT_NAME_MAX] = 'a';
	long_name[ACCOUNT_NAME_MAX + 1] = '\0';
	CU_ASSERT(!account_name_is_valid(long_name));
}

static void
test_check(void)
{
	enum account_role r;
	struct err e;

	err_clear(&e);
	CU_ASSERT(account_check("sw1", "social-worker", NULL, &r, &e) == 0 &&
	    r == ACCOUNT_SOCIAL_WORKER);
	CU_ASSERT(account_check("p1", "provider", BID, &r, &e) == 0 &&
	    r == ACCOUNT_PROVIDER);
	CU_ASSERT(account_check("a1", "admin", "", &r, &e) == 0 &&
	    r == ACCOUNT_ADMIN);
	CU_ASSERT(account_check("x", "boss", NULL, NULL, &e) == -1);
	CU_ASSERT(e.code == ERR_INPUT && strstr(e.msg, "role 'boss'") != NULL);
	CU_ASSERT(account_check("p1", "provider", NULL, NULL, &e) == -1);
	CU_ASSERT(strstr(e.msg, "needs a business ID") != NULL);
	CU_ASSERT(account_check("s1", "supervisor", BID, NULL, &e) == -1);
	CU_ASSERT(strstr(e.msg, "only a provider") != NULL);
	CU_ASSERT(account_check("p1", "provider", "0996189-4", NULL, &e) ==
	    -1);
	CU_ASSERT(strstr(e.msg, "not a valid Y-tunnus") != NULL);
	CU_ASSERT(account_check("Bad", "admin", NULL, NULL, &e) == -1);
	CU_ASSERT(strstr(e.msg, "account name 'Bad'") != NULL);
	CU_ASSERT(strcmp(account_role_name(ACCOUNT_SUPERVISOR),
	    "supervisor") == 0);
	CU_ASSERT(account_role_parse("provider") == ACCOUNT_PROVIDER);
	CU_ASSERT(account_role_parse("Provider") == -1);
}

static void
test_generate(void)
{
	char a[ACCOUNT_PW_GEN_LEN], b[ACCOUNT_PW_GEN_LEN];
	char h[ACCOUNT_HASH_MAX];
	struct err e;
	size_t i;

	err_clear(&e);
	CU_ASSERT_FATAL(account_password_generate(a, sizeof(a)) == 0);
	CU_ASSERT_FATAL(account_password_generate(b, sizeof(b)) == 0);
	CU_ASSERT(strlen(a) == ACCOUNT_PW_GEN_LEN - 1);
	CU_ASSERT(strcmp(a, b) != 0);
	for (i = 0; a[i] != '\0'; i++) {
		if (i % 6 == 5) {
			CU_ASSERT(a[i] == '-');
		} else {
			CU_ASSERT(strchr("abcdefghijkmnpqrstuvwxyz23456789",
			    a[i]) != NULL);
		}
	}
	/* 30 characters of 5 bits: 150 bits, past the 128 asked for. */
	CU_ASSERT(account_password_check(a, &e) == 0);
	CU_ASSERT_FATAL(account_hash(a, h, sizeof(h), &e) == 0);
	CU_ASSERT(account_verify(h, a) == 1);
	CU_ASSERT(account_verify(h, b) == 0);
	CU_ASSERT(account_password_generate(a, ACCOUNT_PW_GEN_LEN - 1) == -1);
}

/* --- the store ---------------------------------------------------------- */

static void
mk(struct account *a, const char *name, enum account_role role,
    const char *bid, const char *pw)
{
	struct err e;

	memset(a, 0, sizeof(*a));
	snprintf(a->name, sizeof(a->name), "%s", name);
	a->role = role;
	snprintf(a->business_id, sizeof(a->business_id), "%s", bid);
	err_clear(&e);
	CU_ASSERT(account_hash(pw, a->pw_hash, sizeof(a->pw_hash), &e) == 0);
}

static void
test_store_accounts(void)
{
	struct store *s;
	struct account a, got, *list = NULL;
	struct err e;
	char h[ACCOUNT_HASH_MAX];
	size_t n = 0;
	int v;

	err_clear(&e);
	CU_ASSERT_FATAL((s = fresh()) != NULL);
	CU_ASSERT(store_schema_version(s, &v, &e) == 0 && v >= 10);
	mk(&a, "sw1", ACCOUNT_SOCIAL_WORKER, "", "password-1");
	CU_ASSERT(store_account_add(s, &a, &e) == 0);
	mk(&a, "p1", ACCOUNT_PROVIDER, BID, "password-2");
	CU_ASSERT(store_account_add(s, &a, &e) == 0);
	/* The same name again is refused, whatever else differs. */
	mk(&a, "sw1", ACCOUNT_ADMIN, "", "password-3");
	CU_ASSERT(store_account_add(s, &a, &e) == -1);
	CU_ASSERT(e.code == ERR_CONFLICT &&
	    strcmp(e.msg, "account sw1 exists") == 0);
	/* An invalid account never reaches the table. */
	mk(&a, "p2", ACCOUNT_PROVIDER, "", "password-4");
	CU_ASSERT(store_account_add(s, &a, &e) == -1 && e.code == ERR_INPUT);

	CU_ASSERT(store_account_get(s, "sw1", &got, &e) == 0);
	CU_ASSERT(got.role == ACCOUNT_SOCIAL_WORKER && !got.disabled &&
	    got.business_id[0] == '\0' && got.created > 0);
	CU_ASSERT(account_verify(got.pw_hash, "password-1") == 1);
	CU_ASSERT(store_account_get(s, "p1", &got, &e) == 0);
	CU_ASSERT(got.role == ACCOUNT_PROVIDER &&
	    strcmp(got.business_id, BID) == 0);
	CU_ASSERT(store_account_get(s, "nobody", &got, &e) == -1);
	CU_ASSERT(e.code == ERR_NOTFOUND && strcmp(e.msg,
	    "no account nobody") == 0);

	CU_ASSERT(store_account_list(s, &list, &n, &e) == 0);
	CU_ASSERT_FATAL(n == 2);
	CU_ASSERT(strcmp(list[0].name, "p1") == 0 &&
	    strcmp(list[1].name, "sw1") == 0);
	CU_ASSERT(list[0].pw_hash[0] == '\0');
	free(list);

	CU_ASSERT(store_account_disable(s, "sw1", &e) == 0);
	CU_ASSERT(store_account_disable(s, "sw1", &e) == 0);
	CU_ASSERT(store_account_get(s, "sw1", &got, &e) == 0 && got.disabled);
	CU_ASSERT(store_account_disable(s, "nobody", &e) == -1 &&
	    e.code == ERR_NOTFOUND);

	CU_ASSERT(account_hash("new-password", h, sizeof(h), &e) == 0);
	CU_ASSERT(store_account_set_password(s, "sw1", h, 12345, &e) == 0);
	CU_ASSERT(store_account_get(s, "sw1", &got, &e) == 0);
	CU_ASSERT(account_verify(got.pw_hash, "new-password") == 1);
	CU_ASSERT(account_verify(got.pw_hash, "password-1") == 0);
	CU_ASSERT(got.pw_changed == 12345 && got.disabled);
	CU_ASSERT(store_account_set_password(s, "nobody", h, 1, &e) == -1 &&
	    e.code == ERR_NOTFOUND);
	store_close(s);
}

static void
test_store_checks(void)
{
	struct store *s;
	sqlite3 *db = NULL;

	CU_ASSERT_FATAL((s = fresh()) != NULL);
	store_close(s);
	CU_ASSERT_FATAL(sqlite3_open(dbpath, &db) == SQLITE_OK);
	/* What the node refuses, the table refuses too. */
	CU_ASSERT(sqlite3_exec(db, "INSERT INTO account VALUES ('Upper', "
	    "'admin', NULL, '$argon2id$x', 0, 1, 1)", NULL, NULL, NULL) ==
	    SQLITE_CONSTRAINT);
	CU_ASSERT(sqlite3_exec(db, "INSERT INTO account VALUES ('x', "
	    "'boss', NULL, '$argon2id$x', 0, 1, 1)", NULL, NULL, NULL) ==
	    SQLITE_CONSTRAINT);
	CU_ASSERT(sqlite3_exec(db, "INSERT INTO account VALUES ('x', "
	    "'provider', NULL, '$argon2id$x', 0, 1, 1)", NULL, NULL, NULL) ==
	    SQLITE_CONSTRAINT);
	CU_ASSERT(sqlite3_exec(db, "INSERT INTO account VALUES ('x', "
	    "'admin', '0996189-5', '$argon2id$x', 0, 1, 1)", NULL, NULL,
	    NULL) == SQLITE_CONSTRAINT);
	CU_ASSERT(sqlite3_exec(db, "INSERT INTO account VALUES ('x', "
	    "'admin', NULL, 'plain', 0, 1, 1)", NULL, NULL, NULL) ==
	    SQLITE_CONSTRAINT);
	CU_ASSERT(sqlite3_exec(db, "INSERT INTO account VALUES ('x', "
	    "'admin', NULL, '$argon2id$x', 0, 1, 1)", NULL, NULL, NULL) ==
	    SQLITE_OK);
	/* The audit trail is append-only. */
	CU_ASSERT(sqlite3_exec(db, "INSERT INTO web_audit(at, account, addr, "
	    "action, detail) VALUES (1, 'x', 'a', 'sign-in', '')", NULL, NULL,
	    NULL) == SQLITE_OK);
	CU_ASSERT(sqlite3_exec(db, "UPDATE web_audit SET detail = 'y'", NULL,
	    NULL, NULL) != SQLITE_OK);
	CU_ASSERT(sqlite3_exec(db, "DELETE FROM web_audit", NULL, NULL,
	    NULL) != SQLITE_OK);
	sqlite3_close(db);
}

static void
test_store_audit(void)
{
	struct store *s;
	struct web_audit *v = NULL;
	struct err e;
	char detail[WEB_AUDIT_DETAIL_MAX + 100];
	int64_t id = 0, first = 0;
	size_t n = 0;
	int i;

	err_clear(&e);
	CU_ASSERT_FATAL((s = fresh()) != NULL);
	for (i = 0; i < 5; i++) {
		CU_ASSERT(store_web_audit_add(s, 1000 + i, "sw1",
		    "127.0.0.1", "search", "age=12 region=02", &id, &e) == 0);
		if (i == 0)
			first = id;
	}
	CU_ASSERT(store_web_audit_add(s, 2000, NULL, "127.0.0.1\n",
	    "sign-in-failed", "name=Evil\x1b[31m", NULL, &e) == 0);
	CU_ASSERT(store_web_audit_add(s, 2000, "sw1", NULL, "Sign In", NULL,
	    NULL, &e) == -1);
	CU_ASSERT(e.code == ERR_INPUT && strstr(e.msg, "not a token") != NULL);
	memset(detail, 'd', sizeof(detail) - 1);
	detail[sizeof(detail) - 1] = '\0';
	CU_ASSERT(store_web_audit_add(s, 3000, "sw1", "::1", "record-issued",
	    detail, NULL, &e) == 0);

	CU_ASSERT(store_web_audit_list(s, 3, 0, &v, &n, &e) == 0);
	CU_ASSERT_FATAL(n == 3);
	CU_ASSERT(strcmp(v[0].action, "record-issued") == 0 &&
	    strlen(v[0].detail) == WEB_AUDIT_DETAIL_MAX - 1);
	CU_ASSERT(strcmp(v[1].action, "sign-in-failed") == 0 &&
	    v[1].account[0] == '\0' && strcmp(v[1].addr, "127.0.0.1?") == 0 &&
	    strcmp(v[1].detail, "name=Evil?[31m") == 0);
	CU_ASSERT(v[2].at_ms == 1004 && strcmp(v[2].account, "sw1") == 0);
	/* The next page: below the last one seen. */
	id = v[2].id;
	free(v);
	CU_ASSERT(store_web_audit_list(s, 100, id, &v, &n, &e) == 0);
	CU_ASSERT(n == 4 && v != NULL && v[3].id == first);
	free(v);
	CU_ASSERT(store_web_audit_list(s, 0, 0, &v, &n, &e) == -1);
	store_close(s);
}

static CU_TestInfo tests[] = {
	{ "hashes with Argon2id (t=2, m=19 MiB, p=1) and verifies",
	    test_hash_verify },
	{ "refuses a wrong password", test_wrong_password },
	{ "a malformed or greedy encoded string fails cleanly",
	    test_malformed_encoded },
	{ "refuses passwords shorter than 8 or longer than 1024 bytes",
	    test_password_bounds },
	{ "validates account names", test_names },
	{ "checks role and business ID together, naming the fault",
	    test_check },
	{ "generates readable 150-bit passwords that verify", test_generate },
	{ "adds, refuses duplicates, gets, lists, disables, sets passwords",
	    test_store_accounts },
	{ "the tables refuse what the node refuses; the trail is append-only",
	    test_store_checks },
	{ "keeps and pages the audit trail, cleaning control characters",
	    test_store_audit },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ "account", suite_init, suite_clean, NULL, NULL, tests },
	CU_SUITE_INFO_NULL
};

/* "test_account verify DB NAME PASSWORD": tests/test_users.sh asks
 * whether a password the CLI printed or sent is the one a running node
 * keeps for NAME (the database read-only, beside the node).  Exit 0 it
 * is, 1 it is not, 2 no such account. */
static int
verify_tool(const char *db, const char *name, const char *pw)
{
	struct store *s = NULL;
	struct account a;
	struct err e;
	int rc = 2;

	err_clear(&e);
	if (store_open(db, STORE_RDONLY, &s, &e) == -1 ||
	    store_account_get(s, name, &a, &e) == -1) {
		fprintf(stderr, "%s\n", e.msg);
		goto done;
	}
	rc = account_verify(a.pw_hash, pw) ? 0 : 1;
done:
	store_close(s);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "verify") == 0)
		return verify_tool(argv[2], argv[3], argv[4]);
	return test_run_suites(suites);
}
