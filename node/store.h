/*
 * store.h - the node's SQLite store.  Only node/store*.c speak SQL.
 *
 * One database in WAL mode (synchronous=FULL: a record answered "stored"
 * survives kill -9 and power loss), schema changes through numbered
 * migrations (store_migrate.c).  Units, procurement definitions and
 * supervision records are kept as their exact XML bytes beside the fields
 * that are indexed.  An import is one transaction: all or nothing.
 *
 * A struct store is used by one thread at a time.
 */
#ifndef LASTERI_STORE_H
#define LASTERI_STORE_H

#include <stddef.h>

#include "err.h"
#include "model.h"

struct store;

#define STORE_CREATE	0x1	/* create the file when missing */
#define STORE_RDONLY	0x2

int	store_open(const char *path, int flags, struct store **out,
	    struct err *e);
void	store_close(struct store *s);		/* NULL is a no-op */

/* Loaders for search, statistics and export.  *out is one malloc'd array the
 * caller frees with free() (procurements: model_procurement_clear() each
 * first, or store_procurements_free()). */
int	store_units_load(struct store *s, struct unit **out, size_t *n,
	    struct err *e);
int	store_records_load(struct store *s, struct supervision_record **out,
	    size_t *n, struct err *e);
int	store_procurements_load(struct store *s, struct procurement **out,
	    size_t *n, struct err *e);
void	store_procurements_free(struct procurement *p, size_t n);

#endif
