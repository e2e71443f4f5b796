/*
 * api_users.h - the admin endpoints for the web service's accounts and its
 * audit trail, on the admin Unix socket only (lasteri user ...):
 *
 *   POST /admin/v1/users                  add an account
 *   GET  /admin/v1/users[?format=F]       the accounts (no hashes)
 *   POST /admin/v1/users/NAME/disable     disable an account (idempotent)
 *   POST /admin/v1/users/NAME/password    set a new password
 *   GET  /admin/v1/web-audit[?limit=N&before=ID&format=F]
 *                                         the audit trail, newest first
 *
 * The bodies of the POSTs are a form (application/x-www-form-urlencoded:
 * name, role, business-id, password) or XML (application/xml:
 * <User xmlns="urn:lasteri:1"><Name/><Role/><BusinessId/><Password/>
 * </User>); disable takes none, password only the password.  Without a
 * password the node generates one (account_password_generate) and answers
 * it once, in the reply: <User xmlns="urn:lasteri:1"><Name>..</Name>
 * <Role>..</Role>[<BusinessId>..</BusinessId>][<Password>..</Password>]
 * </User> (201 for an added account, 200 for a new password).  Errors are
 * httpd.h's <Error>: 400 a malformed body or parameter, 422 an invalid
 * name, role, business ID or password (the message says which), 409 a name
 * taken, 404 no such account, 415 another Content-Type, 503 while an import
 * runs.  Listings take format=table|csv|xml (out_format_mime).
 *
 * Every change is a line in the node's log and a row in the audit trail
 * (account-added, account-disabled, account-password; addr "admin-socket
 * uid=N"); no password or hash is ever logged.
 *
 * Hashing runs on the event loop: one Argon2id hash (t=2, m=19 MiB) costs
 * 20-80 ms, and accounts are added a few times a day by an administrator,
 * so the loop pausing that long now and then is cheaper than a worker's
 * hand-over.  Sign-ins (the web layer, many and from the network) verify
 * in a worker thread instead.
 */
#ifndef LASTERI_API_USERS_H
#define LASTERI_API_USERS_H

#include "err.h"

#define API_USERS_PATH		"/admin/v1/users"
#define API_WEB_AUDIT_PATH	"/admin/v1/web-audit"
#define API_USERS_BODY_MAX	8192

struct node;

/* Registers the endpoints on n->httpd. */
int	api_users_register(struct node *n, struct err *e);

#endif
