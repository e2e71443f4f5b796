/*
 * trust.h - the federation trust list.
 *
 * Loads a signed TrustList (schemas/xsd/trustlist.xsd), checks its signature
 * against the configured operator anchor, refuses one that is expired or whose
 * sequence is lower than the one held (no rollback).  A loaded list never
 * changes; holders take a reference, a refresher swaps in a new one.  Lookups
 * are thread-safe.
 *
 * A member lists up to TRUST_MAX_CERTS TLS and signing certificates, each
 * with the window in which the listing is in use ([not_before, not_after),
 * 0 for an open end), so that a certificate is rotated without a flag day:
 * the new one is listed beside the old, the old one's window is closed.  It
 * also lists the supervision issuer codes it may sign records for.  A
 * fingerprint or an issuer code belongs to one member only.
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

#define TRUST_MAX_CERTS		8	/* of each kind per member */
#define TRUST_MAX_ISSUERS	16	/* issuer codes per member */

/* A listed certificate: its SHA-256 and the window of use, not_before
 * inclusive, not_after exclusive; 0 is an open end. */
struct trust_cert {
	unsigned char	fpr[32];
	time_t		not_before, not_after;
};

struct trust_member {
	char		id[160];	/* INSTANCE/CLASS/CODE/SUBSYSTEM */
	char		name[128];
	char		code[8];	/* "01".."21", "90", "thl", "lvv" */
	char		region[3];	/* wellbeing-area code, "" when none */
	unsigned	roles;		/* enum trust_role bits */
	char		endpoint[256];	/* https://127.0.0.1:PORT */
	struct trust_cert tls[TRUST_MAX_CERTS];	/* mutual-TLS certificates */
	int		ntls;		/* 1..TRUST_MAX_CERTS */
	struct trust_cert sign[TRUST_MAX_CERTS];	/* signing certificates */
	int		nsign;		/* 1..TRUST_MAX_CERTS */
	/* Supervision issuer codes (common.xsd AuthorityCode) whose records
	 * this member may sign: "HVA-08", "LVV", "AVI-ES", ... */
	char		issuers[TRUST_MAX_ISSUERS][17];
	int		nissuers;
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
/* The member listing the certificate fpr, whatever its window. */
const struct trust_member *trust_member_by_tls_fpr(const struct trust_list *tl,
		    const unsigned char fpr[32]);
const struct trust_member *trust_member_by_sign_fpr(const struct trust_list *tl,
		    const unsigned char fpr[32]);
/* The same only when a listing of fpr has a window holding t. */
const struct trust_member *trust_member_by_tls_fpr_at(
		    const struct trust_list *tl, const unsigned char fpr[32],
		    time_t t);
const struct trust_member *trust_member_by_sign_fpr_at(
		    const struct trust_list *tl, const unsigned char fpr[32],
		    time_t t);
/* The member that may sign records of issuer code issuer, or NULL. */
const struct trust_member *trust_member_by_issuer(const struct trust_list *tl,
		    const char *issuer);
/* 1 when issuer is one of m's issuer codes, else 0. */
int		 trust_member_may_issue(const struct trust_member *m,
		    const char *issuer);
/* 1 when the window of c holds t. */
int		 trust_cert_in_use(const struct trust_cert *c, time_t t);
/* The issuer codes of m as "HVA-08,LVV" ("none" when it has none). */
void		 trust_issuers_format(const struct trust_member *m, char *buf,
		    size_t len);
/* The CA certificates of the list (borrowed), for path checks. */
STACK_OF(X509)	*trust_cas(const struct trust_list *tl);

/* Roles that may sign a document of kind k. */
unsigned	 trust_roles_for_kind(enum doc_kind k);
/* "region,supervisor" <-> bits; -1 on an unknown role name. */
int		 trust_roles_parse(const char *s, unsigned *out);
void		 trust_roles_format(unsigned roles, char *buf, size_t len);

#endif
