/*
 * fanout.h - a national query: the same signed Query to many members at
 * once, each answer checked, one status per member, all under one deadline
 * (DESIGN.md "Fan-out").
 *
 * fanout_start() posts the Query bytes (application/xml) to POST /v1/query
 * of every member given, in parallel, through the peer's libcurl multi
 * handle on its event base (pinned to the member's listed TLS
 * certificates; connections and TLS sessions reused between queries, see
 * peer.h).  One overall deadline runs as a timer on that event base; below
 * it each request has a connect timeout (TLS handshake included) of the
 * deadline / FANOUT_CONNECT_SHARE and a transfer timeout of the deadline
 * less a small margin, so libcurl usually ends a slow member itself, with
 * its account of where it stalled, and the timer ends whatever is left:
 * done() runs by the deadline plus the time the loop takes to get to it,
 * whatever a member does.
 *
 * Every answer body is size-capped (xml_limits_answer), parsed by
 * xml_parse() and checked with envelope_response_check() against the
 * member asked, this Query's digest and self_member before anything of it
 * is used.  Each member ends with exactly one status:
 *	ok		a verified Response with status ok (2xx)
 *	timeout		no answer within its timeout or the deadline
 *	unreachable	no connection, or it dropped
 *	tls-error	handshake, CA or pin (a certificate not listed for it)
 *	bad-signature	the answer does not verify, or is signed by anyone
 *			but the member asked, or by a member without role
 *			region
 *	error		with detail: "HTTP 503", a schema error, a wrong
 *			query digest or From/To, an answer past the size cap,
 *			"refused: replayed: <reason>" for a verified refusal
 * A non-2xx answer is "refused: <status token>: <reason>" when its body is
 * a Response the member asked signed for this query, else "HTTP <status>".
 *
 * Everything runs on the event-loop thread; nothing here logs or prints.
 */
#ifndef LASTERI_FANOUT_H
#define LASTERI_FANOUT_H

#include <stddef.h>

#include <libxml/tree.h>

#include "envelope.h"
#include "err.h"

struct peer;
struct verifier;
struct trust_member;

enum fanout_status {
	FANOUT_ST_OK,
	FANOUT_ST_TIMEOUT,
	FANOUT_ST_UNREACHABLE,
	FANOUT_ST_TLS_ERROR,
	FANOUT_ST_BAD_SIGNATURE,
	FANOUT_ST_ERROR,
	FANOUT_ST_COUNT
};

#define FANOUT_DEADLINE_MIN	10L	/* ms */
#define FANOUT_DEADLINE_MAX	(10L * 60 * 1000)
#define FANOUT_CONNECT_SHARE	2	/* connect timeout: deadline / 2 */
#define FANOUT_DETAIL_MAX	ERR_MSG_MAX

/* "ok", "timeout", "unreachable", "tls-error", "bad-signature", "error"
 * (err_code_name() of the matching err code); "error" when out of range. */
const char	*fanout_status_name(int st);

/* The status of an err code: ERR_OK ok, ERR_TIMEOUT, ERR_UNREACHABLE,
 * ERR_TLS, ERR_SIGNATURE their own, anything else error. */
enum fanout_status fanout_status_of(enum err_code code);

struct fanout_result {
	/* The member asked (copied from the trust list). */
	char			 member[ENVELOPE_MEMBER_MAX];
	char			 code[8];	/* "08", "thl" */
	char			 region[3];	/* "" when none */
	enum fanout_status	 status;
	long			 ms;		/* start to this status */
	int			 http_status;	/* 0 when none came */
	char			 detail[FANOUT_DETAIL_MAX];  /* "" for ok */
	/* The answer's bytes verbatim, whatever its status (the proof of
	 * completeness carries the signed ones); NULL when none came. */
	char			*body;
	size_t			 len;
	int			 local;		/* answered by local() */
	/* ok only (else NULL and zeroed): the verified Response and what
	 * envelope_response_check() read from it, resp.results in doc. */
	xmlDocPtr		 doc;
	struct envelope_response resp;
};

/* After each member ends (in the order they end): r is the one that just
 * did; answered of n have ended, counts[st] of them with status st.  For a
 * live progress line.  Must not call fanout_free(). */
typedef void fanout_progress_fn(void *arg, const struct fanout_result *r,
		    size_t answered, size_t n,
		    const size_t counts[FANOUT_ST_COUNT]);

/* Once, when every member has a status: results[0..n) in the order of the
 * members given.  results belongs to the fan-out until fanout_free(); the
 * callee may take a body or doc by setting the pointer to NULL (it then
 * frees it with free() / xmlFreeDoc()).  May call fanout_free(). */
typedef void fanout_done_fn(void *arg, struct fanout_result *results,
		    size_t n);

/*
 * The asking node's own region answering in-process (api_query_local()):
 * the signed Response to query (qlen bytes) in *body (malloc'd, *len
 * bytes; NULL for none) with *http_status, as its POST /v1/query would
 * have answered; 0.  -1 when it cannot answer now without waiting: the
 * member is then asked over TLS like the others.
 */
typedef int fanout_local_fn(void *arg, const void *query, size_t qlen,
		    int *http_status, char **body, size_t *len);

struct fanout;

/*
 * Start a national query: query (qlen bytes, copied), the signed Query of
 * SHA-256 digest, from self_member (copied), to members[0..nmembers)
 * (borrowed for the call; nmembers may be 0).  deadline_ms is
 * FANOUT_DEADLINE_MIN..FANOUT_DEADLINE_MAX.  p and v are borrowed and must
 * outlive the fan-out (a trust-list refresh keeps the old verifier until
 * done).  progress may be NULL.  done(arg, ...) follows from the event
 * loop, never from within this call, also when every member failed at
 * once (a member with no TLS certificate in use is tls-error).  Fails
 * only on bad arguments (ERR_USAGE) or memory.  Free with fanout_free().
 *
 * local NULL: every member is asked over TLS.  Else the member that is
 * self_member (the asking node's own region) is not: local(local_arg, ...)
 * answers it from the event loop once the other requests are out, and
 * its answer is judged exactly like one that came over TLS (parsed,
 * signature by self_member, role region, digest, From/To), with its
 * result's local set.
 */
struct fanout	*fanout_start(struct peer *p, struct verifier *v,
		    const char *self_member, const void *query, size_t qlen,
		    const unsigned char digest[32],
		    const struct trust_member *const *members, size_t nmembers,
		    long deadline_ms, fanout_progress_fn *progress,
		    fanout_done_fn *done, void *arg, fanout_local_fn *local,
		    void *local_arg, struct err *e);

/* Cancels what still runs (no callback follows) and frees the fan-out and
 * its results.  NULL is a no-op; may be called from done(). */
void		 fanout_free(struct fanout *f);

#endif
