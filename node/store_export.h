/*
 * store_export.h - the store's units and procurement definitions (and, when
 * asked, its supervision records) as one Dataset document: the part of an
 * export that the CLI (lasteri export --db) and the node's admin endpoint
 * share.  Built from the stored exact bytes, so exporting and importing
 * again gives the same bytes and digests; validated before it is handed out.
 */
#ifndef LASTERI_STORE_EXPORT_H
#define LASTERI_STORE_EXPORT_H

#include <stddef.h>
#include <time.h>

#include "err.h"
#include "store.h"

/* The Dataset (generated = when) serialized into *out; caller frees it with
 * xmlFree(). */
int	store_export_dataset(struct store *s, int records, time_t when,
	    char **out, size_t *len, struct err *e);

#endif
