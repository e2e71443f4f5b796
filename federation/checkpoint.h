/*
 * checkpoint.h - the signed Checkpoint: a head of one node's transparency
 * log (schemas/xsd/log.xsd; DESIGN.md "Documents on the wire").
 *
 *	<Checkpoint Id="CP-<size>-<16 hex>" signedAt="...">
 *	  <Origin>member ID</Origin> <TreeSize>N</TreeSize>
 *	  <RootHash>base64</RootHash> <Timestamp>dateTime</Timestamp>
 *	  <ds:Signature/>
 *	</Checkpoint>
 *
 * The node builds one (checkpoint_new()), signs it with dsig_sign() and
 * keeps the signed bytes; an auditor, a witness or the node itself at start
 * checks one with checkpoint_check().
 *
 * Who may sign.  trust_roles_for_kind(DOC_CHECKPOINT) allows every role
 * (region, supervisor, coordinator, auditor): every node keeps a log of the
 * records it stores, the national members (thl, lvv) included.  What binds
 * a checkpoint to a log is not the role but the Origin: a checkpoint is
 * accepted only when its signer is the member named in Origin, so no member
 * can sign a head for another member's log.
 *
 * Time.  A checkpoint is historical (verifier.h): its signature is judged at
 * its signedAt, so a checkpoint kept as evidence stays verifiable after the
 * node rotated its signing certificate.  Its Timestamp may not be later than
 * signedAt + VERIFIER_CLOCK_SKEW.
 *
 * The unsigned proof documents are logdoc.h's (included here).
 */
#ifndef LASTERI_CHECKPOINT_H
#define LASTERI_CHECKPOINT_H

#include <stdint.h>
#include <time.h>

#include <libxml/tree.h>

#include "dsig.h"
#include "err.h"
#include "logdoc.h"
#include "merkle.h"

struct verifier;

#define CHECKPOINT_ORIGIN_MAX	160	/* member ID with its NUL */
#define CHECKPOINT_ID_MAX	65	/* Id with its NUL */

struct checkpoint {
	char		 origin[CHECKPOINT_ORIGIN_MAX];	/* member ID */
	uint64_t	 size;				/* TreeSize */
	unsigned char	 root[MERKLE_HASH_LEN];		/* RootHash */
	time_t		 time;				/* Timestamp */
	char		 id[CHECKPOINT_ID_MAX];		/* the root's Id */
	struct dsig_info info;		/* the signer (checkpoint_check()) */
};

/* A fresh Id "CP-<size>-<16 hex digits of random>" into id.  0, or -1 with
 * ERR_INTERNAL when no random bytes could be drawn. */
int		 checkpoint_id_new(uint64_t size, char id[CHECKPOINT_ID_MAX],
		    struct err *e);

/* A new unsigned Checkpoint of c's origin, size, root and time.  Its Id is
 * c->id when not empty (the caller drew it with checkpoint_id_new() to know
 * it before signing), else a fresh one from checkpoint_id_new(), which the
 * caller reads back from the root's Id attribute or, after signing, from
 * checkpoint_check()'s out->id.  c->info is ignored.  The caller signs it
 * with dsig_sign() and frees it with xmlFreeDoc().  NULL with ERR_USAGE
 * naming the bad field (an origin that is not a member ID, a size past
 * MERKLE_SIZE_MAX, an Id not of the Id pattern). */
xmlDocPtr	 checkpoint_new(const struct checkpoint *c, struct err *e);

/* Check a signed Checkpoint doc (parsed by xml_parse()), in order: the
 * schema (ERR_SCHEMA); the signature under the trust list of v
 * (verifier_check(DOC_CHECKPOINT), judged at signedAt: ERR_SIGNATURE or
 * ERR_TRUST); then, from the verified document only, the signer is the
 * member named in Origin, and Origin is origin when origin is not NULL
 * (ERR_TRUST naming both); Timestamp not after signedAt plus the skew
 * (ERR_TRUST).  Fills out (signer in out->info) on success only. */
int		 checkpoint_check(struct verifier *v, xmlDocPtr doc,
		    const char *origin, time_t now, struct checkpoint *out,
		    struct err *e);

/* The values of a Checkpoint doc WITHOUT checking its signature (schema
 * only; out->info is zeroed, out->id set): for showing what a node sent
 * when no trust list is at hand, never for relying on it. */
int		 checkpoint_read(xmlDocPtr doc, struct checkpoint *out,
		    struct err *e);

#endif
