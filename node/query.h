/*
 * query.h - placement search, statistics and the supervision look-up as both
 * the CLI's offline mode (lasteri search --db) and the node's admin socket
 * (GET /admin/v1/search) run them.  One mapping from names to what a query
 * needs: the CLI's long options and the admin endpoints' query parameters
 * are the same names ("age", "language", "max-price", ...) handed to
 * query_search_set(), so the flags and the parameters cannot drift; one
 * loader of the store's data; one rendering through output.h, so the same
 * question gives the same bytes on both paths.
 *
 * A struct query_data (units, records, procurement definitions and the built
 * search index) never changes once loaded: a node keeps one and replaces it
 * when its data changes.
 */
#ifndef LASTERI_QUERY_H
#define LASTERI_QUERY_H

#include <stddef.h>
#include <time.h>

#include "err.h"
#include "output.h"
#include "search.h"
#include "store.h"

struct query_data;

/* Loads every unit, record and procurement definition of s and builds the
 * search index.  Caller frees *out with query_data_free(). */
int	query_data_load(struct store *s, struct query_data **out,
	    struct err *e);
void	query_data_free(struct query_data *d);	/* NULL is a no-op */
/* When the data was loaded (the reference time of "recent findings"). */
time_t	query_data_loaded(const struct query_data *d);

/* --- search -------------------------------------------------------------- */

struct query_search {
	struct search_needs	 nd;
	char			 purchaser[3];	/* "" none */
	int			 age_set;
	enum out_format		 fmt;
	const char		*pfx;		/* "--" for options, "" */
};

/* pfx is put before a name in messages ("--age: ..."); static. */
void	query_search_init(struct query_search *q, const char *pfx);
/* Sets one need: name is "age", "gender", "language", "expertise", "need",
 * "type", "level", "region", "prefer-region", "purchaser", "max-price",
 * "free-places", "limit" or "format" (repeatable where the need is a set).
 * ERR_USAGE naming pfx+name and the value, listing the accepted tokens. */
int	query_search_set(struct query_search *q, const char *name,
	    const char *value, struct err *e);
/* 1 when name is one of the above. */
int	query_search_knows(const char *name);
/* Runs q on d and renders the answer in q->fmt into *out (NUL-terminated,
 * caller frees with free()).  ERR_USAGE when age is missing. */
int	query_search_run(const struct query_data *d,
	    const struct query_search *q, char **out, size_t *len,
	    struct err *e);

/* --- statistics ----------------------------------------------------------- */

struct query_stats {
	int			 by;		/* enum stats_by */
	long			 threshold;
	int			 want_cap, want_sup;
	int			 want_prices;	/* --table prices */
	enum out_format		 fmt;
	const char		*pfx;
};

void	query_stats_init(struct query_stats *q, long threshold,
	    const char *pfx);
/* name is "by", "threshold", "table" or "format". */
int	query_stats_set(struct query_stats *q, const char *name,
	    const char *value, struct err *e);
int	query_stats_knows(const char *name);
int	query_stats_run(const struct query_data *d,
	    const struct query_stats *q, char **out, size_t *len,
	    struct err *e);

/* --- supervision records about one unit ----------------------------------- */

/* The records s holds about unit_id as a table (ID, kind, issuer, opened,
 * status, findings, signature) rendered in fmt into *out. */
int	query_records_run(struct store *s, const char *unit_id,
	    enum out_format fmt, char **out, size_t *len, struct err *e);

#endif
