/*
 * api_users.c - the admin endpoints of the web service's accounts and its
 * audit trail (api_users.h): parse the form or XML body, check with
 * account.h, hash, keep with store_account.h, log and audit the change.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <openssl/crypto.h>

#include "account.h"
#include "api_admin.h"
#include "api_fed.h"
#include "api_users.h"
#include "hex.h"
#include "httpd.h"
#include "log.h"
#include "model.h"
#include "node.h"
#include "output.h"
#include "store_account.h"
#include "xml.h"

#define PREFIX		API_USERS_PATH "/"

/* The fields of a request body. */
struct user_req {
	char	name[ACCOUNT_NAME_MAX + 2];
	char	role[ACCOUNT_ROLE_MAX + 1];
	char	bid[ACCOUNT_BID_MAX + 1];
	char	pw[ACCOUNT_PW_MAX + 2];
	int	has_pw;
};

static void
req_clear(struct user_req *u)
{
	OPENSSL_cleanse(u->pw, sizeof(u->pw));
}

static int64_t
now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* --- request bodies ----------------------------------------------------- */

/* The field named key of u, its size, and whether it was given. */
static char *
field(struct user_req *u, const char *key, size_t *len, int *seen)
{
	static const char *const keys[] = { "name", "role", "business-id",
	    "password" };
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(key, keys[i]) == 0)
			break;
	switch (i) {
	case 0:
		*len = sizeof(u->name);
		return seen[0]++ ? NULL : u->name;
	case 1:
		*len = sizeof(u->role);
		return seen[1]++ ? NULL : u->role;
	case 2:
		*len = sizeof(u->bid);
		return seen[2]++ ? NULL : u->bid;
	case 3:
		*len = sizeof(u->pw);
		u->has_pw = 1;
		return seen[3]++ ? NULL : u->pw;
	default:
		return NULL;
	}
}

static int
parse_form(const char *body, size_t blen, struct user_req *u,
    struct err *e)
{
	const char *p = body, *end = body + blen, *amp, *eq;
	char key[32], *dst;
	size_t len;
	int seen[4] = { 0, 0, 0, 0 };

	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp == p) {
			p++;
			continue;
		}
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			eq = amp;
		if (pct_decode(p, (size_t)(eq - p), 1, key, sizeof(key)) == -1)
			return err_set(e, ERR_USAGE, "form: a malformed field "
			    "name");
		if ((dst = field(u, key, &len, seen)) == NULL)
			return err_set(e, ERR_USAGE, "form: field '%s' unknown "
			    "or given twice (name, role, business-id, "
			    "password)", key);
		if (pct_decode(eq < amp ? eq + 1 : amp, (size_t)(amp - (eq <
		    amp ? eq + 1 : amp)), 1, dst, len) == -1)
			return err_set(e, strcmp(key, "password") == 0 ?
			    ERR_INPUT : ERR_USAGE, "form: field %s malformed "
			    "or too long%s", key, strcmp(key, "password") ==
			    0 ? " (a password is 8 to 1024 bytes)" : "");
		p = amp + 1;
	}
	return 0;
}

static int
parse_xml(const char *body, size_t blen, struct user_req *u, struct err *e)
{
	static const char *const names[] = { "Name", "Role", "BusinessId",
	    "Password" };
	static const char *const keys[] = { "name", "role", "business-id",
	    "password" };
	xmlDocPtr doc;
	xmlNodePtr root, c;
	char *text = NULL, *dst;
	size_t i, len;
	int seen[4] = { 0, 0, 0, 0 }, rc = -1;

	if ((doc = xml_parse(body, blen, "request", &xml_limits_wire,
	    e)) == NULL) {
		e->code = ERR_USAGE;	/* a malformed body: 400 */
		return -1;
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL || !xml_is(root, "User")) {
		err_set(e, ERR_USAGE, "request: the root is not User in "
		    "urn:lasteri:1");
		goto done;
	}
	for (c = xml_first_elem(root); c != NULL; c = xml_next_elem(c)) {
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (xml_is(c, names[i]))
				break;
		if (i == sizeof(names) / sizeof(names[0]) ||
		    (dst = field(u, keys[i], &len, seen)) == NULL) {
			err_set(e, ERR_USAGE, "request: element %s unknown or "
			    "given twice (Name, Role, BusinessId, Password)",
			    (const char *)c->name);
			goto done;
		}
		if ((text = xml_text(c, e)) == NULL)
			goto done;
		if (strlen(text) >= len) {
			err_set(e, i == 3 ? ERR_INPUT : ERR_USAGE, "request: "
			    "%s too long", names[i]);
			goto done;
		}
		memcpy(dst, text, strlen(text) + 1);
		OPENSSL_cleanse(text, strlen(text));
		xmlFree(text);
		text = NULL;
	}
	rc = 0;
done:
	xmlFree(text);
	xmlFreeDoc(doc);
	return rc;
}

/* The body of r into u: -1 after answering r. */
static int
read_body(struct httpd_req *r, struct user_req *u)
{
	const unsigned char *body;
	const char *ct;
	struct err e;
	size_t len = 0;
	int rc;

	err_clear(&e);
	memset(u, 0, sizeof(*u));
	body = httpd_req_body(r, &len);
	if (len == 0)
		return 0;
	if (len > API_USERS_BODY_MAX) {
		httpd_reply_error(r, 413, "too-large", "an account request is "
		    "at most %d bytes", API_USERS_BODY_MAX);
		return -1;
	}
	ct = httpd_req_header(r, "Content-Type");
	if (ct != NULL && strncmp(ct, "application/x-www-form-urlencoded",
	    33) == 0)
		rc = parse_form((const char *)body, len, u, &e);
	else if (ct != NULL && (strncmp(ct, "application/xml", 15) == 0 ||
	    strncmp(ct, "text/xml", 8) == 0))
		rc = parse_xml((const char *)body, len, u, &e);
	else {
		httpd_reply_error(r, 415, "unsupported-media-type", "the body "
		    "is application/x-www-form-urlencoded or application/xml");
		return -1;
	}
	if (rc == -1) {
		req_clear(u);
		api_reply_err(r, &e);
	}
	return rc;
}

/* The password of u (checked), or a generated one into gen: *pw points at
 * the one to hash.  -1 with e set. */
static int
password_of(struct user_req *u, char gen[ACCOUNT_PW_GEN_LEN],
    const char **pw, struct err *e)
{
	gen[0] = '\0';
	if (u->has_pw && u->pw[0] != '\0') {
		if (account_password_check(u->pw, e) == -1)
			return -1;
		*pw = u->pw;
		return 0;
	}
	if (account_password_generate(gen, ACCOUNT_PW_GEN_LEN) == -1)
		return err_set(e, ERR_INTERNAL, "no random bytes for a "
		    "password");
	*pw = gen;
	return 0;
}

/* The <User> reply: the account, and the password when generated. */
static void
reply_user(struct httpd_req *r, int status, const struct account *a,
    const char *gen)
{
	char buf[512];
	int n;

	n = snprintf(buf, sizeof(buf), "<?xml version=\"1.0\" "
	    "encoding=\"UTF-8\"?>\n<User xmlns=\"urn:lasteri:1\">"
	    "<Name>%s</Name><Role>%s</Role>%s%s%s%s%s%s</User>\n", a->name,
	    account_role_name(a->role),
	    a->business_id[0] ? "<BusinessId>" : "", a->business_id,
	    a->business_id[0] ? "</BusinessId>" : "",
	    gen[0] ? "<Password>" : "", gen, gen[0] ? "</Password>" : "");
	httpd_reply(r, status, "application/xml; charset=utf-8", buf,
	    (size_t)n);
	OPENSSL_cleanse(buf, sizeof(buf));
}

/* Keeps an account change in the audit trail and the log. */
static void
audit(struct node *n, const struct httpd_peer *peer, const char *name,
    const char *action, const char *detail)
{
	char addr[64], ev[WEB_AUDIT_ACTION_MAX], q[LOG_Q_MAX], *p;
	struct err e;

	err_clear(&e);
	snprintf(addr, sizeof(addr), "admin-socket uid=%ld", peer->uid);
	snprintf(ev, sizeof(ev), "%s", action);
	for (p = ev; *p != '\0'; p++)
		if (*p == '-')
			*p = '_';
	log_info(ev, "account=%s uid=%ld detail=%s", name, peer->uid,
	    log_q(detail, q, sizeof(q)));
	if (store_web_audit_add(n->store, now_ms(), name, addr, action, detail,
	    NULL, &e) == -1)
		log_warnx("web_audit", "action=%s account=%s msg=%s", action,
		    name, log_q(e.msg, q, sizeof(q)));
}

/* --- the endpoints ------------------------------------------------------ */

static void
h_add(struct httpd_req *r, const struct httpd_peer *peer, struct node *n)
{
	struct user_req u;
	struct account a;
	enum account_role role;
	char gen[ACCOUNT_PW_GEN_LEN], detail[128];
	const char *pw;
	struct err e;

	err_clear(&e);
	memset(&a, 0, sizeof(a));
	gen[0] = '\0';
	if (read_body(r, &u) == -1)
		return;
	if (u.name[0] == '\0' || u.role[0] == '\0') {
		httpd_reply_error(r, 400, "bad-request", "name and role are "
		    "needed");
		goto done;
	}
	if (account_check(u.name, u.role, u.bid, &role, &e) == -1 ||
	    password_of(&u, gen, &pw, &e) == -1) {
		api_reply_err(r, &e);
		goto done;
	}
	/* A taken name is refused before the hash's cost is paid. */
	if (store_account_get(n->store, u.name, &a, &e) == 0) {
		httpd_reply_error(r, 409, "conflict", "account %s exists",
		    u.name);
		goto done;
	} else if (e.code != ERR_NOTFOUND) {
		api_reply_err(r, &e);
		goto done;
	}
	err_clear(&e);
	memset(&a, 0, sizeof(a));
	/* account_check() bounded both. */
	snprintf(a.name, sizeof(a.name), "%.*s", ACCOUNT_NAME_MAX, u.name);
	a.role = role;
	snprintf(a.business_id, sizeof(a.business_id), "%.*s",
	    ACCOUNT_BID_MAX - 1, u.bid);
	if (account_hash(pw, a.pw_hash, sizeof(a.pw_hash), &e) == -1 ||
	    store_account_add(n->store, &a, &e) == -1) {
		api_reply_err(r, &e);
		goto done;
	}
	snprintf(detail, sizeof(detail), "role=%s%s%s password=%s",
	    account_role_name(role), a.business_id[0] ? " business-id=" : "",
	    a.business_id, gen[0] ? "generated" : "given");
	audit(n, peer, a.name, "account-added", detail);
	reply_user(r, 201, &a, gen);
done:
	OPENSSL_cleanse(a.pw_hash, sizeof(a.pw_hash));
	OPENSSL_cleanse(gen, sizeof(gen));
	req_clear(&u);
}

static void
h_list(struct httpd_req *r, struct node *n)
{
	static const char *const keys[] = { "name", "role", "business-id",
	    "state", "created", "password-changed" };
	static const char *const heads[] = { "name", "role", "business ID",
	    "state", "created", "password changed" };
	struct account *v = NULL;
	struct out_table *t = NULL;
	const char *cells[6];
	char created[32], changed[32];
	enum out_format fmt = OUT_TABLE;
	struct err e;
	size_t nrows = 0, i;
	long limit = STORE_ACCOUNTS_MAX;

	err_clear(&e);
	if (api_list_params(r, STORE_ACCOUNTS_MAX, &limit, &fmt) == -1)
		return;
	if ((t = out_table_new("accounts", 6, keys, heads)) == NULL) {
		httpd_reply_error(r, 503, "unavailable", "out of memory");
		goto done;
	}
	if (store_account_list(n->store, &v, &nrows, &e) == -1) {
		api_reply_err(r, &e);
		goto done;
	}
	out_table_title(t, "Web service accounts");
	for (i = 0; i < nrows && i < (size_t)limit; i++) {
		model_datetime_format(v[i].created, created);
		model_datetime_format(v[i].pw_changed, changed);
		cells[0] = v[i].name;
		cells[1] = account_role_name(v[i].role);
		cells[2] = v[i].business_id[0] ? v[i].business_id : "-";
		cells[3] = v[i].disabled ? "disabled" : "active";
		cells[4] = created;
		cells[5] = changed;
		if (out_table_add(t, cells) == -1) {
			httpd_reply_error(r, 503, "unavailable", "out of "
			    "memory");
			goto done;
		}
	}
	if (nrows == 0)
		out_table_note(t, "No accounts: add one with lasteri user "
		    "add.");
	api_reply_tables(r, fmt, "Accounts", &t, 1);
done:
	out_table_free(t);
	free(v);
}

static void
h_users(struct httpd_req *r, const struct httpd_peer *peer, void *arg)
{
	struct node *n = arg;

	if (httpd_req_method(r) == HTTPD_GET) {
		h_list(r, n);
		return;
	}
	if (api_admin_import_refuse(n, r))
		return;
	h_add(r, peer, n);
}

static void
h_password(struct httpd_req *r, const struct httpd_peer *peer,
    struct node *n, const char *name)
{
	struct user_req u;
	struct account a;
	char gen[ACCOUNT_PW_GEN_LEN], hash[ACCOUNT_HASH_MAX];
	const char *pw;
	struct err e;

	err_clear(&e);
	hash[0] = gen[0] = '\0';
	if (read_body(r, &u) == -1)
		return;
	if (u.name[0] != '\0' || u.role[0] != '\0' || u.bid[0] != '\0') {
		httpd_reply_error(r, 400, "bad-request", "a new password takes "
		    "only the field password");
		goto done;
	}
	if (store_account_get(n->store, name, &a, &e) == -1 ||
	    password_of(&u, gen, &pw, &e) == -1 ||
	    account_hash(pw, hash, sizeof(hash), &e) == -1 ||
	    store_account_set_password(n->store, name, hash, time(NULL),
	    &e) == -1) {
		api_reply_err(r, &e);
		goto done;
	}
	audit(n, peer, name, "account-password", gen[0] ?
	    "password=generated" : "password=given");
	reply_user(r, 200, &a, gen);
done:
	OPENSSL_cleanse(a.pw_hash, sizeof(a.pw_hash));
	OPENSSL_cleanse(hash, sizeof(hash));
	OPENSSL_cleanse(gen, sizeof(gen));
	req_clear(&u);
}

/* POST /admin/v1/users/NAME/ACTION */
static void
h_user(struct httpd_req *r, const struct httpd_peer *peer, void *arg)
{
	struct node *n = arg;
	const char *path = httpd_req_path(r), *rest, *slash;
	char name[ACCOUNT_NAME_MAX + 1];
	struct err e;

	err_clear(&e);
	rest = path + strlen(PREFIX);
	if ((slash = strchr(rest, '/')) == NULL || strchr(slash + 1, '/') !=
	    NULL || (strcmp(slash + 1, "disable") != 0 &&
	    strcmp(slash + 1, "password") != 0)) {
		httpd_reply_error(r, 404, "not-found", "%s: not an account "
		    "action (POST %sNAME/disable or NAME/password)", PREFIX,
		    PREFIX);
		return;
	}
	if ((size_t)(slash - rest) > ACCOUNT_NAME_MAX || slash == rest) {
		httpd_reply_error(r, 422, "invalid", "account name: 1 to %d "
		    "characters", ACCOUNT_NAME_MAX);
		return;
	}
	memcpy(name, rest, (size_t)(slash - rest));
	name[slash - rest] = '\0';
	if (!account_name_is_valid(name)) {
		account_check(name, "admin", NULL, NULL, &e);
		api_reply_err(r, &e);
		return;
	}
	if (api_admin_import_refuse(n, r))
		return;
	if (strcmp(slash + 1, "password") == 0) {
		h_password(r, peer, n, name);
		return;
	}
	if (store_account_disable(n->store, name, &e) == -1) {
		api_reply_err(r, &e);
		return;
	}
	audit(n, peer, name, "account-disabled", "");
	httpd_reply(r, 204, NULL, NULL, 0);
}

static void
h_web_audit(struct httpd_req *r, const struct httpd_peer *peer, void *arg)
{
	static const char *const keys[] = { "id", "at", "account", "addr",
	    "action", "detail" };
	static const char *const heads[] = { "#", "at", "account", "address",
	    "action", "detail" };
	struct node *n = arg;
	struct web_audit *v = NULL;
	struct out_table *t = NULL;
	const char *cells[6];
	char id[24], at[40], buf[24], *end;
	enum out_format fmt = OUT_TABLE;
	struct err e;
	size_t nrows = 0, i;
	long long before = 0;
	long limit = 100;
	time_t sec;

	(void)peer;
	err_clear(&e);
	if (api_list_params(r, WEB_AUDIT_LIST_MAX, &limit, &fmt) == -1)
		return;
	if (httpd_req_query(r, "before", buf, sizeof(buf)) != 0) {
		before = strtoll(buf, &end, 10);
		if (buf[0] == '\0' || *end != '\0' || before < 1) {
			httpd_reply_error(r, 400, "bad-request", "before: not "
			    "an event number");
			return;
		}
	}
	if ((t = out_table_new("events", 6, keys, heads)) == NULL) {
		httpd_reply_error(r, 503, "unavailable", "out of memory");
		goto done;
	}
	if (store_web_audit_list(n->store, (int)limit, (int64_t)before, &v,
	    &nrows, &e) == -1) {
		api_reply_err(r, &e);
		goto done;
	}
	out_table_title(t, "Web service audit trail, newest first");
	out_table_right(t, 0);
	for (i = 0; i < nrows; i++) {
		snprintf(id, sizeof(id), "%" PRId64, v[i].id);
		sec = (time_t)(v[i].at_ms / 1000);
		model_datetime_format(sec, at);
		cells[0] = id;
		cells[1] = at;
		cells[2] = v[i].account[0] ? v[i].account : "-";
		cells[3] = v[i].addr;
		cells[4] = v[i].action;
		cells[5] = v[i].detail;
		if (out_table_add(t, cells) == -1) {
			httpd_reply_error(r, 503, "unavailable", "out of "
			    "memory");
			goto done;
		}
	}
	if (nrows == 0)
		out_table_note(t, "No events.");
	api_reply_tables(r, fmt, "WebAudit", &t, 1);
done:
	out_table_free(t);
	free(v);
}

int
api_users_register(struct node *n, struct err *e)
{
	if (httpd_route(n->httpd, HTTPD_ADMIN, HTTPD_GET | HTTPD_POST,
	    API_USERS_PATH, h_users, n, e) == -1 ||
	    httpd_route(n->httpd, HTTPD_ADMIN, HTTPD_POST, PREFIX, h_user, n,
	    e) == -1 ||
	    httpd_route(n->httpd, HTTPD_ADMIN, HTTPD_GET, API_WEB_AUDIT_PATH,
	    h_web_audit, n, e) == -1)
		return -1;
	return 0;
}
