/*
 * api_national.h - national queries asked through this node's admin socket
 * (DESIGN.md "Fan-out"; `lasteri search|stats|supervision show
 * --national`):
 *
 *	GET /admin/v1/national/search?age=...	(the search's parameters)
 *	GET /admin/v1/national/stats?by=...
 *	GET /admin/v1/national/supervision?unit=ID
 *
 * each with deadline=MS (default fanout_deadline), format=table|csv|xml,
 * progress=1 and ask=CODE (repeatable: ask only these regions, e.g. again
 * the ones that timed out; lasteri verify then reports the others
 * missing: such an answer is not a proof of completeness).  The node builds one Query, signs it, sends it unchanged to
 * every member with role region in the trust list (itself included) through
 * federation/fanout.c, merges the verified answers (node/merge.c) and
 * answers: the merged result, then one status row per region member
 * (member, region, status, ms, detail) in region code order; with
 * format=xml the NationalAnswer proof of completeness (node/proof.c),
 * signed by this node.  With progress=1 the answer is streamed: one line
 * "progress ANSWERED TOTAL OK TIMEOUT UNREACHABLE TLS BADSIG ERROR" per
 * region as it ends, then a line "end", then the answer as above.
 */
#ifndef LASTERI_API_NATIONAL_H
#define LASTERI_API_NATIONAL_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

#include "envelope.h"
#include "err.h"
#include "model.h"
#include "query.h"

struct node;
struct fanout_result;
struct merge_result;
struct verifier;

#define M_NATIONAL_QUERIES	"lasteri_national_queries_total"
#define M_NATIONAL_REGIONS	"lasteri_national_region_status_total"

int	api_national_register(struct node *n, struct err *e);
/* Frees the finished queries still waiting for their reply to go out;
 * before the event base goes. */
void	api_national_free(struct node *n);

/* A national query asked by the node itself (the web service): the same
 * Query, fan-out, merge and checks as the admin endpoint, with the result
 * handed to a callback instead of rendered. */
struct national_req {
	enum envelope_kind	 kind;
	struct query_search	 qs;		/* search: age_set required */
	struct query_stats	 qt;		/* statistics: by, threshold */
	char			 unit[ID_MAX + 1];	/* look-up: one of */
	char			 provider[10];		/* the two */
	long			 deadline;	/* ms; 0: fanout_deadline */
	uint32_t		 ask;		/* regions[] bits; 0 all */
};

struct national_out {
	enum envelope_kind		 kind;
	xmlNodePtr			 merged;	/* the merged results */
	const struct merge_result	*mr;		/* with its notes */
	const struct fanout_result	*res;		/* per region, code */
	size_t				 n;		/* order */
	struct verifier			*v;		/* the query's */
};

/* done(arg, out, NULL) once every region has a status, or done(arg, NULL,
 * e) when the query could not be asked (e->code ERR_USAGE: a bad
 * request).  Everything in out is borrowed for the call.  -1 (nothing
 * started, done never called) on a bad request or no memory. */
typedef void national_done_fn(void *arg, const struct national_out *out,
	    const struct err *e);
int	national_ask(struct node *n, const struct national_req *rq,
	    national_done_fn *done, void *arg, struct err *e);

/* The rows of merged PlacementResults, ranked as merged; *out calloc'd
 * (free()).  -1 when out of memory. */
/* Each SignedRecord of merged SupervisionResults, decoded and verified
 * again with v: fn(arg, record, its signature's facts, the region that
 * answered); one that does not verify is skipped.  fn returns -1 to stop
 * (then -1). */
struct dsig_info;
struct supervision_record;
typedef int national_record_fn(void *arg,
	    const struct supervision_record *rec, const struct dsig_info *info,
	    const char *region);
int	national_records_each(xmlNodePtr merged, struct verifier *v,
	    national_record_fn *fn, void *arg);

/* The merged StatisticsResults' tables, as the CLI shows them, into t (at
 * most max); the count.  Free each with out_table_free(). */
struct out_table;
size_t	national_stats_tables(xmlNodePtr merged, struct out_table **t,
	    size_t max);

int	national_search_results(xmlNodePtr merged, struct search_result **out,
	    size_t *n, struct search_totals *tot);

#endif
