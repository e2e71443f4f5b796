/*
 * store_account.c - the accounts and the web audit trail (store_account.h,
 * migration 10).  Accounts change a few times a day and a sign-in reads
 * one row, so the statements are prepared per call rather than cached.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_account.h"
#include "store_internal.h"

static int
prepare(struct store *s, const char *sql, sqlite3_stmt **st, struct err *e)
{
	*st = NULL;
	if (s->rdonly && strncmp(sql, "SELECT", 6) != 0)
		return err_set(e, ERR_DB, "%s: opened read-only", s->path);
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK) {
		*st = NULL;
		return store_dberr(s, "preparing an account statement", e);
	}
	return 0;
}

static void
col_text(sqlite3_stmt *st, int i, char *buf, size_t len)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(buf, len, "%s", t != NULL ? (const char *)t : "");
}

/* Copies s into buf, control characters as '?', cut to len - 1 bytes
 * (never inside a UTF-8 sequence). */
static void
clean(const char *s, char *buf, size_t len)
{
	size_t i, n = 0;

	for (i = 0; s != NULL && s[i] != '\0' && n + 1 < len; i++)
		buf[n++] = (unsigned char)s[i] < ' ' || s[i] == 0x7f ? '?' :
		    s[i];
	if (s != NULL && s[i] != '\0')
		while (n > 0 && ((unsigned char)buf[n - 1] & 0xc0) == 0x80)
			n--;
	if (s != NULL && s[i] != '\0' && n > 0 &&
	    ((unsigned char)buf[n - 1] & 0xc0) == 0xc0)
		n--;			/* a lead byte without its tail */
	buf[n] = '\0';
}

/* Changes the account called name with the bound statement st (name is
 * its parameter 1 or at bind_at); ERR_NOTFOUND when no row changed. */
static int
change(struct store *s, sqlite3_stmt *st, const char *name, const char *what,
    struct err *e)
{
	if (store_step_done(s, st, what, name, e) == -1)
		return -1;
	if (sqlite3_changes(s->db) == 0)
		return err_set(e, ERR_NOTFOUND, "no account %s", name);
	return 0;
}

int
store_account_add(struct store *s, const struct account *a, struct err *e)
{
	sqlite3_stmt *st = NULL;
	time_t now = time(NULL);
	int r, rc = -1;

	if (account_check(a->name, account_role_name(a->role),
	    a->business_id, NULL, e) == -1)
		return -1;
	if (a->pw_hash[0] == '\0')
		return err_set(e, ERR_INPUT, "account %s: no password hash",
		    a->name);
	if (prepare(s, "INSERT INTO account(name, role, business_id, pw_hash, "
	    "disabled, created, pw_changed) VALUES (?, ?, ?, ?, ?, ?, ?) "
	    "ON CONFLICT(name) DO NOTHING", &st, e) == -1)
		return -1;
	store_bind_text(st, 1, a->name);
	store_bind_text(st, 2, account_role_name(a->role));
	if (a->business_id[0] != '\0')
		store_bind_text(st, 3, a->business_id);
	else
		sqlite3_bind_null(st, 3);
	store_bind_text(st, 4, a->pw_hash);
	sqlite3_bind_int(st, 5, a->disabled ? 1 : 0);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)(a->created ? a->created :
	    now));
	sqlite3_bind_int64(st, 7, (sqlite3_int64)(a->pw_changed ?
	    a->pw_changed : now));
	if ((r = sqlite3_step(st)) != SQLITE_DONE) {
		store_dberr(s, "adding an account", e);
		err_prefix(e, "account %s", a->name);
		goto done;
	}
	if (sqlite3_changes(s->db) == 0) {
		err_set(e, ERR_CONFLICT, "account %s exists", a->name);
		goto done;
	}
	rc = 0;
done:
	sqlite3_finalize(st);
	return rc;
}

/* One account row (name, role, business_id, pw_hash, disabled, created,
 * pw_changed) into a. */
static void
row_account(sqlite3_stmt *st, struct account *a, int with_hash)
{
	char role[ACCOUNT_ROLE_MAX];
	int r;

	memset(a, 0, sizeof(*a));
	col_text(st, 0, a->name, sizeof(a->name));
	col_text(st, 1, role, sizeof(role));
	r = account_role_parse(role);
	a->role = r == -1 ? ACCOUNT_SOCIAL_WORKER : (enum account_role)r;
	col_text(st, 2, a->business_id, sizeof(a->business_id));
	if (with_hash)
		col_text(st, 3, a->pw_hash, sizeof(a->pw_hash));
	a->disabled = sqlite3_column_int(st, 4) != 0;
	a->created = (time_t)sqlite3_column_int64(st, 5);
	a->pw_changed = (time_t)sqlite3_column_int64(st, 6);
}

int
store_account_get(struct store *s, const char *name, struct account *out,
    struct err *e)
{
	sqlite3_stmt *st = NULL;
	int r, rc = -1;

	memset(out, 0, sizeof(*out));
	if (prepare(s, "SELECT name, role, business_id, pw_hash, disabled, "
	    "created, pw_changed FROM account WHERE name = ?", &st, e) == -1)
		return -1;
	store_bind_text(st, 1, name);
	if ((r = sqlite3_step(st)) == SQLITE_DONE) {
		err_set(e, ERR_NOTFOUND, "no account %.80s", name);
		goto done;
	}
	if (r != SQLITE_ROW) {
		store_dberr(s, "reading an account", e);
		goto done;
	}
	row_account(st, out, 1);
	rc = 0;
done:
	sqlite3_finalize(st);
	return rc;
}

int
store_account_list(struct store *s, struct account **out, size_t *n,
    struct err *e)
{
	sqlite3_stmt *st = NULL;
	struct account *v = NULL, *p;
	size_t cap = 0, k = 0;
	int r, rc = -1;

	*out = NULL;
	*n = 0;
	if (prepare(s, "SELECT name, role, business_id, '', disabled, "
	    "created, pw_changed FROM account ORDER BY name", &st, e) == -1)
		return -1;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (k == STORE_ACCOUNTS_MAX)
			break;
		if (k == cap) {
			cap = cap ? cap * 2 : 16;
			if ((p = reallocarray(v, cap, sizeof(*v))) == NULL) {
				err_set(e, ERR_NOMEM, "accounts: out of "
				    "memory");
				goto done;
			}
			v = p;
		}
		row_account(st, &v[k++], 0);
	}
	if (r != SQLITE_ROW && r != SQLITE_DONE) {
		store_dberr(s, "listing accounts", e);
		goto done;
	}
	*out = v;
	*n = k;
	v = NULL;
	rc = 0;
done:
	free(v);
	sqlite3_finalize(st);
	return rc;
}

int
store_account_disable(struct store *s, const char *name, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (prepare(s, "UPDATE account SET disabled = 1 WHERE name = ?", &st,
	    e) == -1)
		return -1;
	store_bind_text(st, 1, name);
	rc = change(s, st, name, "disabling an account", e);
	sqlite3_finalize(st);
	return rc;
}

int
store_account_set_password(struct store *s, const char *name,
    const char *pw_hash, time_t now, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (pw_hash == NULL || pw_hash[0] == '\0')
		return err_set(e, ERR_INPUT, "account %s: no password hash",
		    name);
	if (prepare(s, "UPDATE account SET pw_hash = ?, pw_changed = ? "
	    "WHERE name = ?", &st, e) == -1)
		return -1;
	store_bind_text(st, 1, pw_hash);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	store_bind_text(st, 3, name);
	rc = change(s, st, name, "setting a password", e);
	sqlite3_finalize(st);
	return rc;
}

/* --- the audit trail ---------------------------------------------------- */

static int
action_is_token(const char *a)
{
	size_t i;

	if (a == NULL || a[0] == '\0' || a[0] == '-')
		return 0;
	for (i = 0; a[i] != '\0'; i++)
		if (i + 1 >= WEB_AUDIT_ACTION_MAX ||
		    !((a[i] >= 'a' && a[i] <= 'z') || a[i] == '-'))
			return 0;
	return 1;
}

int
store_web_audit_add(struct store *s, int64_t at_ms, const char *account,
    const char *addr, const char *action, const char *detail, int64_t *id,
    struct err *e)
{
	char acc[ACCOUNT_NAME_MAX + 1], ad[WEB_AUDIT_ADDR_MAX];
	char *det = NULL;
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (!action_is_token(action))
		return err_set(e, ERR_INPUT, "audit action '%.40s': not a "
		    "token of a-z and '-'", action != NULL ? action : "");
	if ((det = malloc(WEB_AUDIT_DETAIL_MAX)) == NULL)
		return err_set(e, ERR_NOMEM, "audit: out of memory");
	clean(account, acc, sizeof(acc));
	clean(addr, ad, sizeof(ad));
	clean(detail, det, WEB_AUDIT_DETAIL_MAX);
	if (prepare(s, "INSERT INTO web_audit(at, account, addr, action, "
	    "detail) VALUES (?, ?, ?, ?, ?)", &st, e) == -1)
		goto done;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)at_ms);
	store_bind_text(st, 2, acc);
	store_bind_text(st, 3, ad);
	store_bind_text(st, 4, action);
	store_bind_text(st, 5, det);
	if (store_step_done(s, st, "keeping an audit event", action, e) == -1)
		goto done;
	if (id != NULL)
		*id = (int64_t)sqlite3_last_insert_rowid(s->db);
	rc = 0;
done:
	sqlite3_finalize(st);
	free(det);
	return rc;
}

int
store_web_audit_list(struct store *s, int limit, int64_t before_id,
    struct web_audit **out, size_t *n, struct err *e)
{
	sqlite3_stmt *st = NULL;
	struct web_audit *v = NULL;
	size_t k = 0;
	int r, rc = -1;

	*out = NULL;
	*n = 0;
	if (limit < 1 || limit > WEB_AUDIT_LIST_MAX)
		return err_set(e, ERR_USAGE, "audit list: limit %d not 1 to %d",
		    limit, WEB_AUDIT_LIST_MAX);
	if (prepare(s, "SELECT id, at, account, addr, action, detail FROM "
	    "web_audit WHERE ? <= 0 OR id < ? ORDER BY id DESC LIMIT ?", &st,
	    e) == -1)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)before_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)before_id);
	sqlite3_bind_int(st, 3, limit);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (v == NULL && (v = calloc((size_t)limit,
		    sizeof(*v))) == NULL) {
			err_set(e, ERR_NOMEM, "audit list: out of memory");
			goto done;
		}
		v[k].id = (int64_t)sqlite3_column_int64(st, 0);
		v[k].at_ms = (int64_t)sqlite3_column_int64(st, 1);
		col_text(st, 2, v[k].account, sizeof(v[k].account));
		col_text(st, 3, v[k].addr, sizeof(v[k].addr));
		col_text(st, 4, v[k].action, sizeof(v[k].action));
		col_text(st, 5, v[k].detail, sizeof(v[k].detail));
		k++;
	}
	if (r != SQLITE_DONE) {
		store_dberr(s, "listing the audit trail", e);
		goto done;
	}
	*out = v;
	*n = k;
	v = NULL;
	rc = 0;
done:
	free(v);
	sqlite3_finalize(st);
	return rc;
}
