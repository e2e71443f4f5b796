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

#include "err.h"

struct node;

#define M_NATIONAL_QUERIES	"lasteri_national_queries_total"
#define M_NATIONAL_REGIONS	"lasteri_national_region_status_total"

int	api_national_register(struct node *n, struct err *e);

#endif
