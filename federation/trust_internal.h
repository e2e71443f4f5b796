/*
 * trust_internal.h - what trust.c (reading a list) and trust_index.c (its
 * sorted indexes and lookups) share: the loaded list itself.  Not for other
 * modules; they see struct trust_list as opaque (trust.h).
 */
#ifndef LASTERI_TRUST_INTERNAL_H
#define LASTERI_TRUST_INTERNAL_H

#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#include "err.h"
#include "trust.h"

/* One listed certificate: its fingerprint, member and slot, sorted by
 * fingerprint (a certificate listed twice by one member, with two windows,
 * gives two entries side by side). */
struct fpr_ent {
	unsigned char	 fpr[32];
	int		 member, slot;
};

struct issuer_ent {
	const char	*code;		/* into the member's issuers */
	int		 member;
};

struct trust_list {
	atomic_int		 refs;
	uint64_t		 seq;
	time_t			 issued;
	time_t			 expires;
	time_t			 signed_at;
	int			 verified;
	char			 instance[17];
	char			 id[65];
	unsigned char		 digest[32];	/* SHA-256 of the canonical list */
	STACK_OF(X509)		*cas;
	int			 n;
	struct trust_member	*m;
	int			*by_id;		/* indices into m, sorted */
	int			*by_code;
	struct fpr_ent		*by_tls;	/* every listed certificate */
	int			 ntls;
	struct fpr_ent		*by_sign;
	int			 nsign;
	struct issuer_ent	*by_issuer;	/* every issuer code */
	int			 nissuers;
};

/* Build every index of tl (members read): by ID and code (each unique), by
 * TLS and signing certificate (a fingerprint belongs to one member), by
 * issuer code (one member each).  ERR_SCHEMA naming both members; name is
 * the list's name for messages. */
int		 trust_index_build(struct trust_list *tl, const char *name,
		    struct err *e);

#endif
