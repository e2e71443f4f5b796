/*
 * store_retire.h - retired units in the node's store (migration 12).
 *
 * A unit that closed is retired by the operator (lasteri unit retire): its
 * row and exact bytes stay, as do the supervision records about it, so its
 * history can still be read and proven; but placement search leaves it
 * out, and so do the statistics of places and prices (the statistics of
 * supervision still count its records, under its region and type).  The
 * briefs' loaders (store_brief.c, store_brief_query.c) read the retirement
 * beside each unit.  An import of the unit again does not lift it; a
 * reinstatement does.  The node logs who did either.
 */
#ifndef LASTERI_STORE_RETIRE_H
#define LASTERI_STORE_RETIRE_H

#include <stddef.h>
#include <time.h>

#include "err.h"
#include "model.h"

struct store;

#define STORE_RETIRE_REASON_MAX	500	/* bytes of UTF-8 */
#define STORE_RETIRE_BY_MAX	64

struct store_retired {
	char	id[ID_MAX + 1];
	time_t	at;				/* Unix seconds */
	char	by[STORE_RETIRE_BY_MAX];	/* "admin-socket uid 0" */
	char	reason[STORE_RETIRE_REASON_MAX + 1];	/* "" none */
};

/* Retires the stored unit id at time at.  reason (may be NULL or "") is at
 * most STORE_RETIRE_REASON_MAX bytes of text without control characters
 * (ERR_INPUT otherwise).  ERR_NOTFOUND when no such unit is stored,
 * ERR_CONFLICT when it is retired already (naming when). */
int	store_unit_retire(struct store *s, const char *id, time_t at,
	    const char *by, const char *reason, struct err *e);
/* Lifts the retirement of unit id; was (may be NULL) receives what it was.
 * ERR_NOTFOUND when the unit is not retired (or not stored). */
int	store_unit_reinstate(struct store *s, const char *id,
	    struct store_retired *was, struct err *e);
/* 1 and *out when unit id is retired, 0 when not, -1 on error. */
int	store_unit_retired_get(struct store *s, const char *id,
	    struct store_retired *out, struct err *e);
/* Every retirement in force, in ID order: *out is malloc'd (NULL when *n is
 * 0), the caller frees it with free(). */
int	store_units_retired_list(struct store *s, struct store_retired **out,
	    size_t *n, struct err *e);

#endif
