/*
 * store_account.h - the web service's accounts and its audit trail in the
 * node's store (migration 10).
 *
 * account: one row per account (account.h says what a valid one is; the
 * table's CHECKs say it again), with its Argon2id hash.  An account is
 * never deleted, only disabled, so that the audit trail's names keep
 * meaning one person.
 *
 * web_audit: what people did through the web service and what admins did
 * to accounts, one row per event, never updated or deleted (triggers).  It
 * holds needs, unit IDs, record IDs and account names, and never personal
 * data of a child: the caller writes only such details.
 *
 * Like the rest of the store, one thread at a time (the event loop's): the
 * web layer reads the account here and hands its hash to account_verify()
 * in a worker.
 */
#ifndef LASTERI_STORE_ACCOUNT_H
#define LASTERI_STORE_ACCOUNT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "account.h"
#include "err.h"

struct store;

struct account {
	char			 name[ACCOUNT_NAME_MAX + 1];
	enum account_role	 role;
	char			 business_id[ACCOUNT_BID_MAX];	/* "": none */
	char			 pw_hash[ACCOUNT_HASH_MAX];	/* "": lists */
	int			 disabled;
	time_t			 created;	/* Unix seconds */
	time_t			 pw_changed;
};

#define STORE_ACCOUNTS_MAX	100000	/* rows a list returns */

/* Adds account a (checked with account_check; pw_hash non-empty; created
 * and pw_changed as given, 0: now).  ERR_CONFLICT "account NAME exists"
 * when the name is taken (also by a disabled account), ERR_INPUT for an
 * invalid account. */
int	store_account_add(struct store *s, const struct account *a,
	    struct err *e);

/* The account called name into out, hash included.  ERR_NOTFOUND
 * "no account NAME" when there is none (a disabled account is found: check
 * out->disabled). */
int	store_account_get(struct store *s, const char *name,
	    struct account *out, struct err *e);

/* Every account in name order into a malloc'd array *out of *n (NULL when
 * none; pw_hash left ""); free it with free(). */
int	store_account_list(struct store *s, struct account **out, size_t *n,
	    struct err *e);

/* Disables the account (idempotent).  ERR_NOTFOUND when there is none. */
int	store_account_disable(struct store *s, const char *name,
	    struct err *e);

/* Replaces the account's hash (from account_hash()), pw_changed = now.
 * A disabled account stays disabled.  ERR_NOTFOUND when there is none. */
int	store_account_set_password(struct store *s, const char *name,
	    const char *pw_hash, time_t now, struct err *e);

/* --- the audit trail --------------------------------------------------------
 * Actions are tokens of [a-z-], at most 31 characters: "sign-in",
 * "sign-in-failed", "sign-out", "search", "record-issued", "free-places",
 * "account-added", "account-disabled", "account-password", ... */
#define WEB_AUDIT_ACTION_MAX	32	/* with its NUL */
#define WEB_AUDIT_ADDR_MAX	64
#define WEB_AUDIT_DETAIL_MAX	1024	/* longer details are cut */
#define WEB_AUDIT_LIST_MAX	10000	/* rows per list */

struct web_audit {
	int64_t	 id;
	int64_t	 at_ms;		/* Unix time in milliseconds */
	/* "" none (a failed sign-in of an unknown name) */
	char	 account[ACCOUNT_NAME_MAX + 1];
	char	 addr[WEB_AUDIT_ADDR_MAX];
	char	 action[WEB_AUDIT_ACTION_MAX];
	char	 detail[WEB_AUDIT_DETAIL_MAX];
};

/* Appends one event.  account may be NULL or "" (none) and is otherwise
 * kept as given when it is not a valid account name (a failed sign-in's
 * typed name is cut to ACCOUNT_NAME_MAX and its control characters
 * replaced); addr and detail may be NULL; control characters in them
 * become '?', and a detail past WEB_AUDIT_DETAIL_MAX - 1 bytes is cut.
 * ERR_INPUT for an action that is not a token.  *id (may be NULL) gets the
 * row's id. */
int	store_web_audit_add(struct store *s, int64_t at_ms,
	    const char *account, const char *addr, const char *action,
	    const char *detail, int64_t *id, struct err *e);

/* Up to limit (1..WEB_AUDIT_LIST_MAX) events with id < before_id (0: from
 * the newest), newest first, into a malloc'd array *out of *n (NULL when
 * none); free it with free(). */
int	store_web_audit_list(struct store *s, int limit, int64_t before_id,
	    struct web_audit **out, size_t *n, struct err *e);

#endif
