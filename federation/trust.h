/*
 * trust.h - the federation trust list.
 *
 * Loads a signed TrustList (schemas/xsd/trustlist.xsd), checks its signature
 * against the configured operator anchor, refuses one that is expired or whose
 * sequence is lower than the one held (no rollback).  A loaded list never
 * changes; holders take a reference, a refresher swaps in a new one.  Lookups
 * are thread-safe.
 */
#ifndef LASTERI_TRUST_H
#define LASTERI_TRUST_H

#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#include "dsig.h"
#include "err.h"

enum trust_role {
	TRUST_ROLE_REGION	= 1 << 0,	/* keeps units; answers queries */
	TRUST_ROLE_SUPERVISOR	= 1 << 1,	/* may issue supervision records */
	TRUST_ROLE_COORDINATOR	= 1 << 2,	/* may run national queries */
	TRUST_ROLE_AUDITOR	= 1 << 3	/* read-only records and logs */
};

struct trust_member {
	char		id[160];	/* INSTANCE/CLASS/CODE/SUBSYSTEM */
	char		name[128];
	char		code[8];	/* "01".."21", "90", "thl", "lvv" */
	char		region[3];	/* wellbeing-area code, "" when none */
	unsigned	roles;		/* enum trust_role bits */
	char		endpoint[256];	/* https://127.0.0.1:PORT */
	unsigned char	tls_fpr[32];	/* SHA-256 of the TLS certificate */
	unsigned char	sign_fpr[32];	/* SHA-256 of the signing certificate */
};

struct trust_list;

/* Load and verify path against anchor (the operator's certificate).  When
 * held is not NULL, a list with a lower sequence than held's is refused.  A
 * list expired at now is refused.  On success *out holds one reference. */
int		 trust_load(const char *path, X509 *anchor,
		    const struct trust_list *held, time_t now,
		    struct trust_list **out, struct err *e);
/* The same from bytes (name used in messages). */
int		 trust_parse(const char *buf, size_t len, const char *name,
		    X509 *anchor, const struct trust_list *held, time_t now,
		    struct trust_list **out, struct err *e);

/* The same with checks turned off, for offline tools only (a node always
 * uses trust_load()): TRUST_F_NO_SIGNATURE loads a list whose operator
 * signature is not checked (anchor may be NULL; trust_is_verified() is then
 * 0), TRUST_F_NO_EXPIRY loads an expired list. */
#define TRUST_F_NO_SIGNATURE	0x1
#define TRUST_F_NO_EXPIRY	0x2
int		 trust_load_flags(const char *path, X509 *anchor,
		    const struct trust_list *held, time_t now, unsigned flags,
		    struct trust_list **out, struct err *e);
int		 trust_parse_flags(const char *buf, size_t len, const char *name,
		    X509 *anchor, const struct trust_list *held, time_t now,
		    unsigned flags, struct trust_list **out, struct err *e);

struct trust_list *trust_ref(struct trust_list *tl);
void		 trust_unref(struct trust_list *tl);	/* NULL is a no-op */

uint64_t	 trust_sequence(const struct trust_list *tl);
time_t		 trust_issued(const struct trust_list *tl);
time_t		 trust_expires(const struct trust_list *tl);
const char	*trust_instance(const struct trust_list *tl);
const char	*trust_id(const struct trust_list *tl);		/* root Id */
time_t		 trust_signed_at(const struct trust_list *tl);	/* 0 unsigned */
/* 1 when the operator signature was checked against an anchor. */
int		 trust_is_verified(const struct trust_list *tl);

/* Borrowed: valid while the caller holds its reference on tl. */
int		 trust_member_count(const struct trust_list *tl);
const struct trust_member *trust_member_at(const struct trust_list *tl, int i);
const struct trust_member *trust_member_by_id(const struct trust_list *tl,
		    const char *id);
const struct trust_member *trust_member_by_code(const struct trust_list *tl,
		    const char *code);
const struct trust_member *trust_member_by_tls_fpr(const struct trust_list *tl,
		    const unsigned char fpr[32]);
const struct trust_member *trust_member_by_sign_fpr(const struct trust_list *tl,
		    const unsigned char fpr[32]);
/* The CA certificates of the list (borrowed), for path checks. */
STACK_OF(X509)	*trust_cas(const struct trust_list *tl);

/* Roles that may sign a document of kind k. */
unsigned	 trust_roles_for_kind(enum doc_kind k);
/* "region,supervisor" <-> bits; -1 on an unknown role name. */
int		 trust_roles_parse(const char *s, unsigned *out);
void		 trust_roles_format(unsigned roles, char *buf, size_t len);

#endif
