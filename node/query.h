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
 * A struct query_data (the units', procurement definitions' and supervision
 * summaries' briefs as the store keeps them in SQL, and the search index
 * built on them) is loaded from one snapshot of the store without parsing
 * a document.  It is reference-counted; a node builds a new one in a worker
 * thread after an import and swaps it in, and applies a newly stored
 * record to the one in use (query_data_apply_unit, which reads its unit's
 * summary again, or query_data_add_record, which adds the record's brief
 * to it: a summary only grows, brief.h) on its loop thread, between
 * queries.  Each summary knows the newest record it holds (unit_sup.seq),
 * so that a record is never added to one that holds it already.
 */
#ifndef LASTERI_QUERY_H
#define LASTERI_QUERY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"
#include "output.h"
#include "search.h"
#include "store.h"

struct query_data;
struct record_brief;

/* Loads the briefs of s (one read transaction: s must have none open).
 * Safe on a store of its own in another thread.  *out holds one
 * reference: query_data_unref(). */
int	query_data_load(struct store *s, struct query_data **out,
	    struct err *e);
/* Loads only what one query reads, for the offline CLI (lasteri search
 * --db, stats --db): for search q, the units that can pass its hard
 * filters but the licence and supervision ones (those that search_run()
 * matches or leaves out), their supervision summaries and the procurement
 * definitions; for statistics, every unit's grouping and capacity fields
 * and every summary without dated findings.  Such data answers that one
 * query as query_data_load()'s would, byte for byte, and nothing else. */
struct query_search;
int	query_data_load_search(struct store *s, const struct query_search *q,
	    struct query_data **out, struct err *e);
int	query_data_load_stats(struct store *s, struct query_data **out,
	    struct err *e);
/* Builds the search index of d now (the node's worker does, so that no
 * search pays for it); otherwise the first search builds it.  A no-op when
 * built. */
int	query_data_index_build(struct query_data *d, struct err *e);
struct query_data *query_data_ref(struct query_data *d);
void	query_data_unref(struct query_data *d);	/* NULL is a no-op */
void	query_data_free(struct query_data *d);	/* query_data_unref() */
/* When the data was loaded; the newest record (store_record_seq) in it;
 * how many units it holds. */
time_t	query_data_loaded(const struct query_data *d);
int64_t	query_data_seq(const struct query_data *d);
size_t	query_data_units(const struct query_data *d);
/* The search index of d, built when it is not (borrowed, valid while d is
 * held); NULL with e set on ENOMEM. */
const struct search_index *query_data_index(struct query_data *d,
	    struct err *e);
/* Re-reads unit_id's supervision summary from s and sets it in d (the
 * index and statistics), as after a record about it was stored. */
int	query_data_apply_unit(struct query_data *d, struct store *s,
	    const char *unit_id, struct err *e);
/* Adds the record b (stored as seq, store_record_last_seq) to its unit's
 * summary in d, without reading the store, unless d holds it already (a
 * summary read or a data set loaded or caught up after its commit:
 * unit_sup.seq, query_data_seq); a unit d has no summary of is read
 * (query_data_apply_unit).  On failure the summary may be part-changed:
 * the caller rebuilds. */
int	query_data_add_record(struct query_data *d, struct store *s,
	    const struct record_brief *b, int64_t seq, struct err *e);
/* Applies every unit with records stored after d's snapshot (a data set
 * built while records kept arriving). */
int	query_data_catch_up(struct query_data *d, struct store *s,
	    struct err *e);

/* --- search -------------------------------------------------------------- */

struct query_search {
	struct search_needs	 nd;
	char			 purchaser[3];	/* "" none */
	int			 age_set;
	enum out_format		 fmt;
	const char		*pfx;		/* "--" for options, "" */
	time_t			 now;		/* 0: time(NULL) (tests) */
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

/* The same search's ranked results, unrendered: *out (calloc'd, at most
 * q->nd.limit; free()) holds *nout of them.  A node answering a national
 * query renders them as the Response's PlacementResults. */
int	query_search_results(const struct query_data *d,
	    const struct query_search *q, struct search_result **out,
	    size_t *nout, struct search_totals *tot, struct err *e);
/* The procurement IDs region code keeps or joins (its purchaser's
 * frameworks), borrowed from d, in a calloc'd array (free()) of *n. */
const char **query_frameworks(const struct query_data *d, const char *code,
	    int *n);

/* --- statistics ----------------------------------------------------------- */

struct query_stats {
	int			 by;		/* enum stats_by */
	long			 threshold;
	int			 want_cap, want_sup;
	int			 want_prices;	/* --table prices */
	enum out_format		 fmt;
	const char		*pfx;
	time_t			 now;		/* 0: time(NULL) (tests) */
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

/* The tables query_stats_run() renders, unrendered: t[0] capacity, t[1]
 * supervision, t[2] prices, each NULL when not asked for; free each with
 * stats_table_free(). */
struct stats_table;
int	query_stats_tables(const struct query_data *d,
	    const struct query_stats *q, struct stats_table *t[3],
	    struct err *e);

/* --- supervision records about one unit ----------------------------------- */

/* The records s holds about unit_id as a table (ID, kind, issuer, opened,
 * status, findings, signature) rendered in fmt into *out. */
int	query_records_run(struct store *s, const char *unit_id,
	    enum out_format fmt, char **out, size_t *len, struct err *e);

#endif
