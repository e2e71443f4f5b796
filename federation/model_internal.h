/*
 * model_internal.h - helpers shared by the files that read and write the
 * federation's documents element by element: the model (model_unit.c,
 * model_proc.c, model_sup.c) and the Query/Response envelopes
 * (envelope.c); implemented in model_common.c.  Not for use elsewhere.
 *
 * Readers: every value is read whole (xml_text), tokens are whitespace-
 * collapsed as xs:token is, and a value that does not fit its C array is
 * refused, never truncated.  Errors are ERR_SCHEMA "name:line: element: why".
 * Writers: a struct mw carries a sticky failure so a writer can build a
 * whole element tree and check once at the end.
 */
#ifndef LASTERI_MODEL_INTERNAL_H
#define LASTERI_MODEL_INTERNAL_H

#include <stddef.h>
#include <time.h>

#include <libxml/tree.h>

#include "err.h"
#include "vocab.h"

/* --- readers --------------------------------------------------------------- */

/* ERR_SCHEMA "name:line: element: <fmt>" for node n; returns -1. */
int	mi_fail(struct err *e, xmlNodePtr n, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Prefixes e's message with n's location ("name:line: element: "). */
int	mi_locate(struct err *e, xmlNodePtr n);

/* One child element of a sequence: its name, how often it may occur (as in
 * the XSD) and the function that reads one occurrence into obj. */
struct mi_field {
	const char	*name;
	int		 min, max;
	int		(*read)(xmlNodePtr c, void *obj, struct err *e);
};

/* Reads the element children of n in the order of fields[] (the XSD
 * sequence): refuses an unknown or out-of-order element, more than max or
 * fewer than min occurrences.  When sig is set, one ds:Signature may follow
 * as the last child (skipped: federation/dsig.c checks it). */
int	mi_read_children(xmlNodePtr n, const struct mi_field *fields, int nf,
	    int sig, void *obj, struct err *e);

/* Whole text of n into dst (size bytes with the NUL), as is. */
int	mi_text(xmlNodePtr n, char *dst, size_t size, struct err *e);
/* Whole text of n, whitespace collapsed (xs:token). */
int	mi_token(xmlNodePtr n, char *dst, size_t size, struct err *e);
/* Attribute (no namespace) of n, collapsed.  Returns 0 when read, 1 when
 * absent and !required, -1 with e set. */
int	mi_attr(xmlNodePtr n, const char *name, char *dst, size_t size,
	    int required, struct err *e);

int	mi_int(xmlNodePtr n, long min, long max, int *out, struct err *e);
int	mi_int_attr(xmlNodePtr n, const char *name, long min, long max,
	    int *out, struct err *e);
int	mi_bool(xmlNodePtr n, int *out, struct err *e);
int	mi_bool_attr(xmlNodePtr n, const char *name, int *out, struct err *e);
int	mi_vocab(xmlNodePtr n, const struct vocab *v, int *out, struct err *e);
int	mi_vocab_attr(xmlNodePtr n, const char *name, const struct vocab *v,
	    int *out, struct err *e);
int	mi_money(xmlNodePtr n, long *cents, struct err *e);
int	mi_money_attr(xmlNodePtr n, const char *name, long *cents,
	    struct err *e);
int	mi_date(xmlNodePtr n, char *dst, size_t size, struct err *e);
int	mi_date_attr(xmlNodePtr n, const char *name, char *dst, size_t size,
	    struct err *e);
int	mi_datetime(xmlNodePtr n, time_t *out, struct err *e);
int	mi_datetime_attr(xmlNodePtr n, const char *name, time_t *out,
	    struct err *e);

/* Euros "450", "450.5", "450.50" -> cents; -1 on anything else. */
int	mi_money_parse(const char *s, long *cents);
void	mi_money_format(long cents, char buf[32]);

/* Plain checks used by the model_*_check functions. */
int	mi_is_id(const char *s);		/* the Id pattern of common.xsd */
int	mi_is_date(const char *s);		/* a real YYYY-MM-DD */
int	mi_is_digits(const char *s, size_t n);	/* exactly n digits */

/* --- writers --------------------------------------------------------------- */

struct mw {
	int	fail;		/* sticky: an allocation failed */
};

/* The document element (parent NULL) or a new child of parent, named local
 * in urn:lasteri:1 (declared on it when parent does not have it in scope). */
xmlNodePtr	mw_root(struct mw *w, xmlDocPtr doc, xmlNodePtr parent,
		    const char *local);
/* A child element with text content (escaped); NULL text for none. */
xmlNodePtr	mw_elem(struct mw *w, xmlNodePtr parent, const char *local,
		    const char *text);
/* As mw_elem, but only when text is not empty. */
xmlNodePtr	mw_elem_opt(struct mw *w, xmlNodePtr parent, const char *local,
		    const char *text);
xmlNodePtr	mw_elem_int(struct mw *w, xmlNodePtr parent, const char *local,
		    long v);
xmlNodePtr	mw_elem_bool(struct mw *w, xmlNodePtr parent, const char *local,
		    int v);
xmlNodePtr	mw_elem_money(struct mw *w, xmlNodePtr parent,
		    const char *local, long cents);
xmlNodePtr	mw_elem_datetime(struct mw *w, xmlNodePtr parent,
		    const char *local, time_t t);
/* A token from v; fails (sticky) when i is out of range. */
xmlNodePtr	mw_elem_vocab(struct mw *w, xmlNodePtr parent,
		    const char *local, const struct vocab *v, int i);
void		mw_attr(struct mw *w, xmlNodePtr n, const char *name,
		    const char *value);
void		mw_attr_int(struct mw *w, xmlNodePtr n, const char *name,
		    long v);
void		mw_attr_bool(struct mw *w, xmlNodePtr n, const char *name,
		    int v);
void		mw_attr_money(struct mw *w, xmlNodePtr n, const char *name,
		    long cents);
void		mw_attr_datetime(struct mw *w, xmlNodePtr n, const char *name,
		    time_t t);
void		mw_attr_vocab(struct mw *w, xmlNodePtr n, const char *name,
		    const struct vocab *v, int i);
/* Ends a writer: on failure unlinks and frees root, sets e, returns NULL. */
xmlNodePtr	mw_finish(struct mw *w, xmlDocPtr doc, xmlNodePtr root,
		    const char *what, struct err *e);

#endif
