/*
 * verifier.h - signed documents checked against the federation trust list.
 *
 * A verifier is bound to one trust list (it holds a reference) and caches
 * the signer certificates that passed the full path and policy check; a
 * trust-list refresh makes a new verifier.  The signature profile itself is
 * dsig.h's; this module adds who may sign what: the signer's certificate
 * listed for a member whose roles allow the document kind.
 */
#ifndef LASTERI_VERIFIER_H
#define LASTERI_VERIFIER_H

#include <time.h>

#include <libxml/tree.h>

#include "dsig.h"
#include "err.h"

struct trust_list;

struct verifier;

/* A verifier bound to tl (takes a reference on it). */
struct verifier *verifier_new(struct trust_list *tl, struct err *e);
void		 verifier_free(struct verifier *v);	/* NULL is a no-op */

/* Verify doc (parsed by xml_parse()) under every rule of the profile: the
 * structure, the signature, the signer's path to the trust list's CAs (never
 * the OS store), not a CA, digitalSignature, within validity at now, and its
 * fingerprint listed for a member whose roles allow the kind.  expected is the
 * kind the caller will use, or DOC_ANY.  ERR_SIGNATURE or ERR_TRUST with the
 * rule that failed. */
int		 verifier_check(struct verifier *v, xmlDocPtr doc,
		    enum doc_kind expected, time_t now, struct dsig_info *out,
		    struct err *e);

#endif
