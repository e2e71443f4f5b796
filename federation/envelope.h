/*
 * envelope.h - the Query and Response documents of a national query
 * (schemas/xsd/query.xsd; DESIGN.md "Documents on the wire", "Fan-out").
 *
 * The asker builds a Query (envelope_query_new()), signs it (dsig_sign())
 * and sends the same bytes to every region.  A region checks it
 * (envelope_query_check()) before any work: schema, signature, signer ==
 * TLS peer, the signer's roles for the query's kind, and the time window.
 * Nonce replay is the node's: it keeps the returned nonce until the
 * returned expiry.  The region answers with a Response
 * (envelope_response_new(), then dsig_sign()) naming the asker, the
 * SHA-256 of the Query's exact bytes and itself; the asker accepts it only
 * from the member it asked (envelope_response_check()).
 *
 * Roles per query kind (finer than trust_roles_for_kind(DOC_QUERY)):
 *	PlacementSearch, SupervisionLookup:	coordinator, region,
 *						supervisor
 *	Statistics				coordinator, region
 *
 * Errors line up with the fan-out statuses, so err_code_name() is the
 * status: ERR_SIGNATURE ("bad-signature") for a document that does not
 * verify or is signed by the wrong member or role; ERR_INTERNAL ("error")
 * with the detail for a Response that verifies but is not the answer to
 * this question from this member (schema, wrong digest, wrong From or To).
 * A Query check fails with ERR_SCHEMA (bad request), ERR_SIGNATURE, ERR_TRUST
 * (signer not the TLS peer, or not allowed the kind) or ERR_INPUT (the time
 * window), and sets the status a region answers with (bad-request,
 * bad-signature, forbidden, expired) in the query's refusal field.
 *
 * Nothing here logs or prints.  Values are read only from the verified
 * document, with whole-text reads.
 */
#ifndef LASTERI_ENVELOPE_H
#define LASTERI_ENVELOPE_H

#include <stdint.h>
#include <time.h>

#include <libxml/tree.h>

#include "dsig.h"
#include "err.h"
#include "model.h"

struct verifier;

#define ENVELOPE_TTL_MAX	300	/* Expires - Issued, seconds */
#define ENVELOPE_AHEAD_MAX	30	/* Issued at most this far ahead */
#define ENVELOPE_NONCE_BYTES	16	/* envelope_query_new() draws */
#define ENVELOPE_NONCE_HEX	64	/* longest nonce taken (32 bytes) */
#define ENVELOPE_MEMBER_MAX	160	/* member ID, with its NUL */
#define ENVELOPE_LANG_MAX	8
#define ENVELOPE_FRAMEWORK_MAX	16
#define ENVELOPE_REASON_MAX	1025	/* Status text, with its NUL */

enum envelope_kind {
	ENVELOPE_SEARCH,	/* PlacementSearch */
	ENVELOPE_STATISTICS,	/* Statistics */
	ENVELOPE_LOOKUP		/* SupervisionLookup */
};

/* The needs of a PlacementSearch: struct search_needs of node/search.h
 * field for field (same vocabulary indexes and bit masks, regions as bits
 * of regions[] indexes), with the frameworks held here. */
struct envelope_search {
	int		 age;			/* 0..24 */
	int		 gender;		/* vocab_gender; -1 any */
	char		 languages[ENVELOPE_LANG_MAX][3];
	int		 nlanguages;
	uint32_t	 expertise;		/* bits of vocab_expertise */
	uint32_t	 target_groups;	/* vocab_target_group */
	uint32_t	 types;		/* vocab_unit_type; 0 any */
	uint32_t	 levels;		/* vocab_service_level; 0 any */
	uint32_t	 regions_required;	/* regions[] indexes; 0 any */
	uint32_t	 regions_preferred;
	char		 home_region[3];	/* "" none */
	char		 frameworks[ENVELOPE_FRAMEWORK_MAX][2 * ID_MAX + 2];
	int		 nframeworks;
	long		 max_price_cents;	/* -1 no ceiling */
	int		 free_places;		/* 1..24 */
	int		 limit;			/* 1..1000 */
};

enum envelope_stats_by {
	ENVELOPE_BY_REGION, ENVELOPE_BY_TYPE, ENVELOPE_BY_EXPERTISE
};

struct envelope_stats {
	enum envelope_stats_by	by;
	int			threshold;	/* 1..100; 0 not given */
};

/* Exactly one of the two is set. */
struct envelope_lookup {
	char	unit_id[ID_MAX + 1];
	char	business_id[10];	/* Y-tunnus */
};

struct envelope_query {
	enum envelope_kind	 kind;
	struct envelope_search	 search;	/* ENVELOPE_SEARCH */
	struct envelope_stats	 stats;		/* ..._STATISTICS */
	struct envelope_lookup	 lookup;	/* ENVELOPE_LOOKUP */
	char			 from[ENVELOPE_MEMBER_MAX];
	/* Set by envelope_query_new() and envelope_query_check(): */
	char			 id[ID_MAX + 1];
	char			 nonce[ENVELOPE_NONCE_HEX + 1];
	time_t			 issued, expires;
	/* Set by envelope_query_check(): SHA-256 of the exact bytes, the
	 * Response's QueryDigest. */
	unsigned char		 digest[32];
	/* Set by envelope_query_check(), also when it fails: the status a
	 * region answers with (ENVELOPE_ST_OK on success). */
	int			 refusal;	/* enum envelope_status */
};

/* Zeroes q and sets the search defaults: no age (-1, must be set), any
 * gender, no price ceiling, one free place, 20 results. */
void		 envelope_query_init(struct envelope_query *q,
		    enum envelope_kind kind);

/* A new unsigned Query from q (kind, its part, from) issued at now and
 * expiring at now + ttl (1..ENVELOPE_TTL_MAX), with a fresh random nonce;
 * q->id, nonce, issued and expires are set.  The caller signs it with
 * dsig_sign() and frees it with xmlFreeDoc().  NULL with ERR_USAGE naming
 * the bad field, or ERR_INTERNAL when no random bytes could be drawn. */
xmlDocPtr	 envelope_query_new(struct envelope_query *q, time_t now,
		    int ttl, struct err *e);

/* Check a received Query: doc is bytes (len, borrowed) parsed by
 * xml_parse(); tls_peer_member the member ID of the TLS peer that sent it.
 * In order: schema; signature (verifier_check, DOC_QUERY); signer ==
 * tls_peer_member and == From; the signer's roles for the kind; Issued at
 * most ENVELOPE_AHEAD_MAX after now; Expires - Issued in 1..TTL_MAX; not
 * expired (now < Expires).  Fills out (and the signer in info, may be
 * NULL) on success.  On failure it sets out->refusal and, when the
 * signature verified (info->member_id not empty), info and out->digest,
 * so that the refusal can be signed and addressed.  The nonce is not
 * checked against earlier queries: the node keeps out->nonce until
 * out->expires. */
int		 envelope_query_check(struct verifier *v, xmlDocPtr doc,
		    const void *bytes, size_t len, const char *tls_peer_member,
		    time_t now, struct envelope_query *out,
		    struct dsig_info *info, struct err *e);

/* --- Response ------------------------------------------------------------- */

enum envelope_status {
	ENVELOPE_ST_OK,
	ENVELOPE_ST_BAD_REQUEST,
	ENVELOPE_ST_BAD_SIGNATURE,
	ENVELOPE_ST_FORBIDDEN,
	ENVELOPE_ST_EXPIRED,
	ENVELOPE_ST_REPLAYED,
	ENVELOPE_ST_BUSY,
	ENVELOPE_ST_ERROR
};

/* "ok", "bad-request", ... as in query.xsd; -1 / NULL when unknown. */
const char	*envelope_status_token(enum envelope_status st);
int		 envelope_status_find(const char *token);

/* A new unsigned Response from member from to member to, answering the
 * Query of SHA-256 digest, with status st and reason (NULL: none).
 * results (may be NULL; borrowed) is the one result element
 * (PlacementResults, StatisticsResults or SupervisionResults in
 * urn:lasteri:1, of any document), deep-copied into Results.  The caller
 * signs it with dsig_sign() and frees it with xmlFreeDoc(). */
xmlDocPtr	 envelope_response_new(const char *to,
		    const unsigned char digest[32], const char *from,
		    enum envelope_status st, const char *reason,
		    xmlNodePtr results, struct err *e);

/* The same with status ok, built for the results to be written in place
 * (no copy): *results is the empty Results element (borrowed from the
 * returned document), which the caller gives exactly one result element
 * (PlacementResults, StatisticsResults or SupervisionResults) in its
 * namespace, e.g. with xmlNewChild(*results, NULL, ...), before it signs
 * the document with dsig_sign() and frees it with xmlFreeDoc(). */
xmlDocPtr	 envelope_response_ok_new(const char *to,
		    const unsigned char digest[32], const char *from,
		    xmlNodePtr *results, struct err *e);

struct envelope_response {
	char			 id[ID_MAX + 1];
	char			 to[ENVELOPE_MEMBER_MAX];
	char			 from[ENVELOPE_MEMBER_MAX];
	unsigned char		 query_digest[32];
	enum envelope_status	 status;
	char			 reason[ENVELOPE_REASON_MAX];
	/* The element inside Results (borrowed from doc), NULL when none. */
	xmlNodePtr		 results;
	struct dsig_info	 info;		/* the signer */
};

/* Check the Response doc to our Query of digest query_digest, sent to
 * asked_member, from self_member: signature (verifier_check,
 * DOC_RESPONSE) by exactly asked_member with role region (else
 * ERR_SIGNATURE); then schema, QueryDigest, From == asked_member, To ==
 * self_member (else ERR_INTERNAL with the detail).  A verified refusal
 * (status not ok) is a success: out->status says it. */
int		 envelope_response_check(struct verifier *v, xmlDocPtr doc,
		    const char *asked_member,
		    const unsigned char query_digest[32],
		    const char *self_member, time_t now,
		    struct envelope_response *out, struct err *e);

#endif
