/*
 * query_out.h - search results, statistics and supervision records as
 * output.h tables: the one place that decides their columns, so the CLI's
 * offline answers and the node's admin answers look the same.
 */
#ifndef LASTERI_QUERY_OUT_H
#define LASTERI_QUERY_OUT_H

#include <stddef.h>

#include "model.h"
#include "output.h"
#include "search.h"
#include "stats.h"

/* Each returns a new table (caller frees with out_table_free()) or NULL
 * when out of memory. */
struct out_table *query_out_search(const struct search_result *res,
	    size_t n, const struct search_totals *tot);
struct out_table *query_out_stats(const struct stats_table *st);
/* signer[i]: record i's verified signer member, shown beside its issuer
 * ("unsigned", or "not verified" for a signed row kept before signers were
 * recorded). */
struct out_table *query_out_records(const char *unit_id,
	    const struct supervision_record *r, const char *const *signer,
	    size_t n);

#endif
