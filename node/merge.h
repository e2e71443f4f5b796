/*
 * merge.h - one national answer from the regions' verified answers to a
 * Query (DESIGN.md "Fan-out"; issue 10 item 3).
 *
 * The input is, per region, the result element of a Response that
 * envelope_response_check() accepted (signature by the member asked, role
 * region, this Query's digest) with status ok; the output is one element of
 * the same type (schemas/xsd/query.xsd), the "Results" of a NationalAnswer
 * (proof.h), so that the merge can be recomputed by anyone from the same
 * answers and compared byte for byte.  Answers are taken in region code
 * order, whatever order they arrived in.
 *
 * Placement (PlacementResults): a unit is listed once, by Unit Id; the
 * version kept is the one whose Region is the answering region's (the
 * unit's home region), else the first in region code order.  Rows are
 * ranked as node/search.c ranks them: Score descending, then Unit Id
 * ascending; at most the Query's Limit.  Each row carries the region
 * that answered (attribute answeredBy).  scanned and matched are the sums
 * of the answers' (before de-duplication).
 *
 * Statistics (StatisticsResults): tables are matched by name and by (the
 * Query's By; a table grouped otherwise excludes its region), and must
 * have the same columns in the same order; rows are matched by key (a row
 * a region left out, such as an empty "none", counts as zeros) and merged
 * in the order the regions list them.  Counts are summed.  A merged cell
 * with any hidden part (primary, complement or few) is hidden, since its
 * value is not known.  The threshold of a merged table is the largest of
 * the Query's and the answers'.
 *  - "capacity": plain sums, never suppressed.
 *  - "prices" (columns units, min, p25, median, p75, max, prices in EUR
 *    cents; one row per group and service level, matched by key and
 *    level, or without a level attribute by the row's place among those
 *    of its key, as node/stats.c orders them): units summed; min the least and max
 *    the greatest of the parts that have units; p25, median and p75 only
 *    when a single region has units in the row (its figures are then the
 *    row's), else state few: a percentile of a union is not a function of
 *    the parts' percentiles (the parts' sizes and ranks are not in the
 *    answers), and a wrong figure is worse than "-".
 *  - any other table (supervision activity) is sensitive: a shown sum in
 *    1..threshold-1 is primary, then complementary suppression
 *    (stats_suppress_pre(), node/stats.h) runs over the merged table's
 *    lines (each column: the rows other than "total" sum to "total"; with
 *    the outcome columns, each row: no-action + view + drawing-attention
 *    + reprimand = decisions), pre-hidden cells included.  The merge does
 *    not rely on every region's own suppression being sound: after it, no
 *    line of the national table has exactly one hidden cell, so no hidden
 *    cell can be computed from the national table, and a national cell is
 *    shown only when every part of it was shown by its region.
 *
 * Supervision (SupervisionResults): every SignedRecord is decoded and
 * re-verified by the asker (schema, verifier_record(): signature, signer,
 * issuer binding; then the Id namespace rule, and that it is about the unit
 * or provider asked); one that fails is dropped with a note giving the
 * reason.  A record is kept once per Id: copies with the same signed
 * content (dsig_info.content_digest, so a re-signed copy of the same
 * content is the same record) are one; when copies of one Id differ in
 * content (their issuer signed two documents under one Id), the merge
 * keeps one and reports a conflict note.  The copy kept, either way, is the
 * one answered by the unit's home region (UnitRegion), else the first in
 * region code order: that is the copy the delivery rules put in the home
 * region's store.  All copies stay in the proof (every Response verbatim).
 * Records are ordered by Opened, then Id; each carries answeredBy.
 *
 * An answer that cannot be merged (the wrong kind of results, a table that
 * does not line up, a value out of range) is left out whole, with a note:
 * one region's bad answer never poisons the others.  Nothing here logs.
 * (merge.c: placement, supervision and the door; merge_stats.c:
 * statistics.  Both build into node/libnode.a, beside node/stats.c.)
 */
#ifndef LASTERI_MERGE_H
#define LASTERI_MERGE_H

#include <stddef.h>
#include <time.h>

#include <libxml/tree.h>

#include "envelope.h"
#include "err.h"
#include "model.h"

struct verifier;

#define MERGE_ANSWER_MAX	64	/* answers merged at once */

struct merge_answer {
	const char	*member;	/* the answering member ID (borrowed) */
	const char	*region;	/* its region code, "08" (borrowed) */
	xmlNodePtr	 results;	/* the element inside its verified
					 * Response's Results (borrowed) */
};

enum merge_note_kind {
	MERGE_NOTE_EXCLUDED,	/* a whole answer left out */
	MERGE_NOTE_DROPPED,	/* one supervision record left out */
	MERGE_NOTE_CONFLICT	/* two different records under one Id */
};

struct merge_note {
	enum merge_note_kind	 kind;
	char			 region[3];	/* the answer's region */
	char			 id[ID_MAX + 1];	/* record Id, "" */
	char			 reason[ERR_MSG_MAX];
};

struct merge_result {
	xmlDocPtr		 doc;	/* root: the merged element */
	struct merge_note	*notes;
	size_t			 nnotes;
	size_t			 nexcluded, ndropped, nconflicts;
};

/*
 * Merge the n answers (in any order) to the Query q (its kind, Limit,
 * Threshold, SupervisionLookup).  v and now are for re-verifying
 * supervision records (v may be NULL for the other kinds).  out is
 * filled (clear it with merge_result_clear()); -1 only for bad arguments
 * (ERR_USAGE) or memory (ERR_NOMEM): what is wrong with an answer is a
 * note.
 */
int	merge_run(const struct envelope_query *q, struct verifier *v,
	    time_t now, const struct merge_answer *a, size_t n,
	    struct merge_result *out, struct err *e);
void	merge_result_clear(struct merge_result *r);	/* NULL is a no-op */

/* "excluded", "dropped", "conflict". */
const char *merge_note_name(enum merge_note_kind k);

/*
 * Base64 as the documents carry exact bytes (SignedRecord, and the Query
 * and Responses of a NationalAnswer).  Decoding skips XML whitespace and
 * refuses anything else that is not base64; *out is malloc'd (free()),
 * NUL-terminated past *len.  Encoding writes one line, NUL-terminated;
 * free().  -1 with ERR_INPUT or ERR_NOMEM.
 */
int	merge_base64_decode(const char *text, char **out, size_t *len,
	    struct err *e);
char	*merge_base64_encode(const void *p, size_t len, struct err *e);

#endif
