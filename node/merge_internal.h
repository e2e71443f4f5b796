/*
 * merge_internal.h - what merge.c (placement, supervision, the door) and
 * merge_stats.c (statistics) share.  Not for use elsewhere.
 */
#ifndef LASTERI_MERGE_INTERNAL_H
#define LASTERI_MERGE_INTERNAL_H

#include <stddef.h>
#include <time.h>

#include <libxml/tree.h>

#include "envelope.h"
#include "merge.h"

#define PER_ANSWER_MAX	1000	/* Result, SignedRecord, in one answer */

/* One merge: the Query, the answers in region code order, the result. */
struct mctx {
	const struct envelope_query	*q;
	struct verifier			*v;
	time_t				 now;
	const struct merge_answer	*a;	/* in region code order */
	size_t				 n;
	struct merge_result		*out;
	size_t				 notecap;
	int				 nomem;
};

/* A note on the result (on ENOMEM sets m->nomem instead). */
void	mg_note(struct mctx *m, enum merge_note_kind k,
	    const struct merge_answer *a, const char *id, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
/* 1 when a's results are the element local, else a note and 0. */
int	mg_answer_is(struct mctx *m, const struct merge_answer *a,
	    const char *local);

/* Readers: whole text of n into dst (-1 when absent, mixed or too long);
 * the first child element named local; a whole decimal long; a long
 * attribute (1 when absent); an attribute copied whole. */
int	mg_text_of(xmlNodePtr n, char *dst, size_t size);
xmlNodePtr mg_child(xmlNodePtr n, const char *local);
int	mg_parse_long(const char *s, long *out);
int	mg_attr_long(xmlNodePtr n, const char *name, long *out);
int	mg_attr_copy(xmlNodePtr n, const char *name, char *dst, size_t size);

/* Writers: a new document of root local in urn:lasteri:1; a child element
 * in the parent's namespace; a long attribute. */
xmlDocPtr mg_doc_new(const char *local, xmlNodePtr *root);
xmlNodePtr mg_elem_new(xmlNodePtr parent, const char *local);
int	mg_set_attr_long(xmlNodePtr n, const char *name, long v);

/* The statistics merge (merge_stats.c): m->out->doc, or -1 (m->nomem). */
int	merge_statistics(struct mctx *m);

#endif
