/*
 * proof.h - the proof of completeness of a national query: one
 * NationalAnswer document (schemas/xsd/query.xsd), signed by the asking
 * member, holding the exact bytes of the signed Query, the merged result
 * (merge.h), one status row per region member (member, region, status, ms,
 * detail) and every region's signed Response that verified, verbatim
 * (DESIGN.md "Fan-out", --format xml; issue 10 item 4).  Inner documents
 * travel as base64 of their exact bytes: the signature profile allows one
 * ds:Signature per document, and re-serialising them would break theirs.
 *
 * Rows keep a Response only when it verified (always for ok; for a row
 * whose region answered with a signed refusal, that refusal): an answer
 * that did not verify proves nothing about who said it, and the row's
 * status and detail say what came back.
 *
 * proof_check() is what an auditor runs (lasteri verify), in this order;
 * values are read only from verified documents:
 *  1. the outer signature (verifier_check(), DOC_NATIONAL: a member with
 *     role region, supervisor or coordinator; judged at its signedAt, a
 *     proof is kept for later), the schema, From == the signer;
 *  2. the Query: its signature, schema and time window
 *     (envelope_query_check(), judged at the Query's own signedAt), signed
 *     by the same member as the proof;
 *  3. every row: the member is listed with role region and that region
 *     code, at most one row each; an embedded Response verifies as the
 *     answer of that member to this Query (envelope_response_check(): the
 *     signer and From are the row's member, its QueryDigest is the SHA-256
 *     of the embedded Query's bytes, To is the asker), judged at the
 *     proof's signedAt; a row is ok exactly when its Response is ok;
 *  4. completeness: every member of the trust list with role region has a
 *     row (so check with the list that was in force when it was made);
 *  5. the merged result equals merge_run() over the ok Responses
 *     (exclusive C14N, byte for byte; supervision records re-verified).
 * Every step that can run runs, so the report lists each inner document.
 */
#ifndef LASTERI_PROOF_H
#define LASTERI_PROOF_H

#include <stddef.h>
#include <time.h>

#include <libxml/tree.h>

#include "envelope.h"
#include "err.h"

struct verifier;

#define PROOF_ROWS_MAX	64

/* One status row as the fan-out reports it; everything borrowed. */
struct proof_row {
	const char	*member;	/* member ID */
	const char	*region;	/* its region code */
	const char	*status;	/* ok, timeout, unreachable, tls-error,
					 * bad-signature, error */
	long		 ms;
	const char	*detail;	/* NULL or "": none */
	const void	*response;	/* the exact signed bytes, NULL none */
	size_t		 response_len;
};

/*
 * A new unsigned NationalAnswer from member from: query (qlen bytes, the
 * exact signed Query), merged (the root of merge_result.doc, deep-copied)
 * and nrows rows (written in region code order).  A row with status ok
 * needs its response.  The caller signs it with dsig_sign() (the asking
 * member's key) and frees it with xmlFreeDoc().  NULL with ERR_USAGE or
 * ERR_NOMEM.
 */
xmlDocPtr	 proof_new(const char *from, const void *query, size_t qlen,
		    xmlNodePtr merged, const struct proof_row *rows,
		    size_t nrows, struct err *e);

enum proof_part {
	PROOF_OUTER,	/* the NationalAnswer itself */
	PROOF_QUERY,
	PROOF_RESPONSE,	/* a row with its Response */
	PROOF_ROW,	/* a row without one (timeout, unreachable, ...) */
	PROOF_MISSING,	/* a region member of the trust list without a row */
	PROOF_MERGED	/* the merged result, recomputed */
};

/* One line of the report. */
struct proof_item {
	enum proof_part	 part;
	int		 ok;
	char		 member[ENVELOPE_MEMBER_MAX];	/* signer, or the row's */
	char		 region[3];
	char		 id[65];		/* the document's Id */
	char		 status[16];		/* the row's status */
	long		 ms;
	time_t		 signed_at;		/* 0 unknown */
	size_t		 count;			/* PROOF_MERGED: ok answers */
	char		 msg[ERR_MSG_MAX];	/* why it failed; or detail */
};

struct proof_report {
	struct proof_item	*items;
	size_t			 nitems;
	size_t			 nfailed;
};

/*
 * Check the NationalAnswer doc (parsed by xml_parse()) against v's trust
 * list at now (the outer signedAt must not be ahead of now).  Fills out
 * (clear it with proof_report_clear()) with one item per part, in document
 * order.  0 when every part passed; -1 with e set to the first failure
 * (ERR_SIGNATURE or ERR_TRUST for a signature or signer, ERR_INTERNAL for
 * a Response that is not the answer, ERR_CONFLICT for a merged result that
 * is not the recomputed one, ERR_INPUT for the rest), or for bad arguments
 * or memory.
 */
int		 proof_check(struct verifier *v, xmlDocPtr doc, time_t now,
		    struct proof_report *out, struct err *e);
void		 proof_report_clear(struct proof_report *r);

/* "NationalAnswer", "Query", "Response", "row", "missing", "Results". */
const char	*proof_part_name(enum proof_part p);

#endif
