/*
 * verifier.h - signed documents checked against the federation trust list.
 *
 * A verifier is bound to one trust list (it holds a reference) and caches
 * the signer certificates that passed the full path and policy check; a
 * trust-list refresh makes a new verifier.  The signature profile itself is
 * dsig.h's; this module adds who may sign what: the signer's certificate
 * listed for a member whose roles allow the document kind, and for a
 * supervision record, an issuer code that member may sign for.
 *
 * Time.  A signature is judged at the document's signedAt, so that
 * certificates can be rotated without invalidating history:
 *  - signedAt may not be more than VERIFIER_CLOCK_SKEW (5 minutes) after now;
 *  - the signer's certificate must be within its X.509 validity at signedAt,
 *    with a path to the trust list's CAs at signedAt;
 *  - its fingerprint must be listed for the member with a window of use
 *    (SigningCertificate/@notBefore..@notAfter) holding signedAt.
 * Records and checkpoints are historical: that is all they need, so an
 * earlier record of a member keeps verifying after its signing certificate
 * was rotated and the old one retired (its window closed) or even expired.
 * Every other kind (Unit, ProcurementDefinition, Query, Response) is live:
 * the certificate must also be valid, and its listing in use, at now.
 * What this trades: a retired or expired signing key, if stolen, can still
 * make a record dated before its retirement.  A compromised key is
 * therefore not retired but removed from the list (which withdraws what it
 * signed as well), and the record's issuer binding still limits it to that
 * member's own issuer codes.
 */
#ifndef LASTERI_VERIFIER_H
#define LASTERI_VERIFIER_H

#include <time.h>

#include <libxml/tree.h>

#include "dsig.h"
#include "err.h"

#define VERIFIER_CLOCK_SKEW	300	/* seconds signedAt may be ahead */

struct trust_list;
struct supervision_record;

struct verifier;

/* A verifier bound to tl (takes a reference on it). */
struct verifier *verifier_new(struct trust_list *tl, struct err *e);
/* Drops one reference; the last frees v.  NULL is a no-op. */
void		 verifier_free(struct verifier *v);
/* One more reference (a national query keeps the node's verifier, and its
 * cache of decoded signer keys, across a trust-list reload). */
struct verifier *verifier_ref(struct verifier *v);
/* The trust list v is bound to (borrowed: valid while v lives). */
const struct trust_list *verifier_trust_list(const struct verifier *v);

/* Verify doc (parsed by xml_parse()) under every rule of the profile: the
 * structure, the signature, the signer's path to the trust list's CAs (never
 * the OS store), not a CA, digitalSignature, the time rules above, and its
 * fingerprint listed for a member whose roles allow the kind.  expected is
 * the kind the caller will use, or DOC_ANY.  out (may be NULL) names the
 * signer member (member_id, member_code).  ERR_SIGNATURE or ERR_TRUST with
 * the rule that failed. */
int		 verifier_check(struct verifier *v, xmlDocPtr doc,
		    enum doc_kind expected, time_t now, struct dsig_info *out,
		    struct err *e);

/* A signed SupervisionRecord: verifier_check(..., DOC_RECORD, ...), then
 * model_record_read() and model_record_check() from the verified document,
 * then the issuer binding: rec->issuer must be one of the signer member's
 * issuer codes (ERR_TRUST naming the record Id, the issuer, the signer
 * member ID and its codes).  rec and info are filled on success.  The Id
 * namespace rule (model_record_check_id()) is the caller's, for records it
 * takes in. */
int		 verifier_record(struct verifier *v, xmlDocPtr doc, time_t now,
		    struct supervision_record *rec, struct dsig_info *info,
		    struct err *e);

#endif
