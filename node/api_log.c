/*
 * api_log.c - the transparency log's endpoints (lasterid(8)):
 *
 *   GET  /v1/log/checkpoint                   the latest signed Checkpoint
 *   GET  /v1/log/inclusion?leaf=HEX[&size=N]   InclusionProof
 *   GET  /v1/log/consistency?from=M[&to=N]     ConsistencyProof
 *   GET  /v1/log/leaves?start=I[&count=K]      Leaves (K <= 1000)
 *   POST /admin/v1/log/checkpoint              sign a checkpoint now
 *
 * The GETs are served on the federation port to members with role
 * auditor, coordinator or region (403 otherwise) and on the admin socket.
 * size and to default to the latest checkpoint's size; any size up to the
 * log's current number of leaves is served (a later checkpoint covers it),
 * a larger one is 404.  A malformed or unknown parameter is 400, an unknown
 * leaf hash 404.  Proofs are read from the stored subtree hashes, O(log n)
 * reads each (store_tlog.h).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_admin.h"
#include "api_fed.h"
#include "api_log.h"
#include "checkpoint.h"
#include "httpd.h"
#include "log.h"
#include "logdoc.h"
#include "node.h"
#include "store_tlog.h"
#include "tlog.h"
#include "trust.h"
#include "xml.h"

#define LEAVES_DEFAULT	100
#define XML_TYPE	"application/xml; charset=utf-8"

/* The query parameters an endpoint takes, decoded. */
struct params {
	const char *const	*names;		/* allowed, NULL-terminated */
	char			 bad[64];	/* the first unknown name */
};

static int
param_known(void *arg, const char *name, const char *value)
{
	struct params *p = arg;
	int i;

	(void)value;
	for (i = 0; p->names[i] != NULL; i++)
		if (strcmp(p->names[i], name) == 0)
			return 0;
	snprintf(p->bad, sizeof(p->bad), "%s", name);
	return -1;
}

/* 400 for an unknown or malformed parameter; 0 when all are known. */
static int
params_check(struct httpd_req *r, const char *const *names)
{
	struct params p = { names, "" };

	if (httpd_req_query_each(r, param_known, &p) == 0)
		return 0;
	if (p.bad[0] != '\0')
		httpd_reply_error(r, 400, "bad-request", "unknown parameter "
		    "'%.60s'", p.bad);
	else
		httpd_reply_error(r, 400, "bad-request", "malformed query "
		    "string");
	return -1;
}

/* A tree size or index parameter: 1 given, 0 absent, -1 answered 400. */
static int
param_u64(struct httpd_req *r, const char *name, uint64_t *out)
{
	char buf[32];
	int got;

	if ((got = httpd_req_query(r, name, buf, sizeof(buf))) == 0)
		return 0;
	if (got == -1 || logdoc_u64_parse(buf, out) == -1) {
		httpd_reply_error(r, 400, "bad-request", "%s: not a decimal "
		    "number from 0 to 2^63-1", name);
		return -1;
	}
	return 1;
}

/* Whether peer may read the log; answers r when not. */
static int
may_read(struct node *n, struct httpd_req *r, const struct httpd_peer *peer)
{
	if (peer->listener == HTTPD_ADMIN)
		return 1;
	if (api_trust_refuse(n, r))
		return 0;
	if (peer->roles & (TRUST_ROLE_AUDITOR | TRUST_ROLE_COORDINATOR |
	    TRUST_ROLE_REGION))
		return 1;
	log_warnx("log_read_refused", "peer=%s path=%s", peer->member_id,
	    httpd_req_path(r));
	httpd_reply_error(r, 403, "forbidden", "member %s may not read this "
	    "node's transparency log: it is served to members with role "
	    "auditor, coordinator or region", peer->member_id);
	return 0;
}

/* A store failure: 404 for what is not there, 500 (logged) otherwise. */
static void
reply_store_error(struct httpd_req *r, const char *what, struct err *e)
{
	char q[LOG_Q_MAX];

	if (e->code == ERR_NOTFOUND || e->code == ERR_INPUT) {
		httpd_reply_error(r, 404, "not-found", "%s", e->msg);
		return;
	}
	log_warnx("log_read", "what=%s msg=%s", what,
	    log_q(e->msg, q, sizeof(q)));
	httpd_reply_error(r, e->code == ERR_NOMEM ? 503 : 500, "internal",
	    "the store failed");
}

/* Serialises doc as the reply (frees doc). */
static void
reply_doc(struct httpd_req *r, xmlDocPtr doc, struct err *e)
{
	char *bytes = NULL;
	size_t len = 0;

	if (doc == NULL || xml_serialize(doc, &bytes, &len, e) == -1) {
		log_warnx("log_read", "what=document msg=\"%s\"", e->msg);
		httpd_reply_error(r, 500, "internal", "cannot write the "
		    "document");
	} else
		httpd_reply(r, 200, XML_TYPE, bytes, len);
	xmlFree(bytes);
	xmlFreeDoc(doc);
}

/* The size a proof is for when the request gives none: the latest
 * checkpoint's.  -1 answered (404) when none was signed. */
static int
default_size(struct node *n, struct httpd_req *r, uint64_t *size)
{
	size_t len;

	if (tlog_latest(n, &len, size) == NULL) {
		httpd_reply_error(r, 404, "not-found", "this node has signed "
		    "no checkpoint yet: give the tree size");
		return -1;
	}
	return 0;
}

static void
h_checkpoint(struct httpd_req *r, const struct httpd_peer *peer, void *arg)
{
	static const char *const names[] = { NULL };
	struct node *n = arg;
	const char *xml;
	uint64_t size;
	size_t len;

	if (!may_read(n, r, peer) || params_check(r, names) == -1)
		return;
	if ((xml = tlog_latest(n, &len, &size)) == NULL) {
		httpd_reply_error(r, 404, "not-found", "this node has signed "
		    "no checkpoint yet");
		return;
	}
	httpd_reply(r, 200, XML_TYPE, xml, len);
}

static void
h_inclusion(struct httpd_req *r, const struct httpd_peer *peer, void *arg)
{
	static const char *const names[] = { "leaf", "size", NULL };
	struct node *n = arg;
	struct store_tlog_leaf leaf;
	unsigned char path[MERKLE_PATH_MAX][MERKLE_HASH_LEN], hash[32];
	char hex[80];
	uint64_t size;
	size_t np;
	struct err e;
	int got;

	err_clear(&e);
	if (!may_read(n, r, peer) || params_check(r, names) == -1)
		return;
	if ((got = httpd_req_query(r, "leaf", hex, sizeof(hex))) != 1 ||
	    logdoc_unhex(hex, hash) == -1) {
		httpd_reply_error(r, 400, "bad-request", "leaf: %s", got == 0 ?
		    "missing: give the leaf hash in 64 hex digits" :
		    "not a leaf hash in 64 hex digits");
		return;
	}
	if ((got = param_u64(r, "size", &size)) == -1 ||
	    (got == 0 && default_size(n, r, &size) == -1))
		return;
	if (store_tlog_find(n->store, hash, &leaf, &e) == -1) {
		reply_store_error(r, "inclusion", &e);
		return;
	}
	if (leaf.index >= size) {
		httpd_reply_error(r, 404, "not-found", "leaf %" PRIu64 " "
		    "(record %s) is not in the tree of size %" PRIu64,
		    leaf.index, leaf.record_id, size);
		return;
	}
	if (store_tlog_inclusion(n->store, leaf.index, size, path, &np,
	    &e) == -1) {
		reply_store_error(r, "inclusion", &e);
		return;
	}
	reply_doc(r, logproof_inclusion_new(leaf.index, size, leaf.hash,
	    (const unsigned char (*)[MERKLE_HASH_LEN])path, np, &e), &e);
}

static void
h_consistency(struct httpd_req *r, const struct httpd_peer *peer, void *arg)
{
	static const char *const names[] = { "from", "to", NULL };
	struct node *n = arg;
	unsigned char path[MERKLE_PATH_MAX][MERKLE_HASH_LEN];
	uint64_t from, to;
	size_t np;
	struct err e;
	int got;

	err_clear(&e);
	if (!may_read(n, r, peer) || params_check(r, names) == -1)
		return;
	if ((got = param_u64(r, "from", &from)) == -1)
		return;
	if (got == 0) {
		httpd_reply_error(r, 400, "bad-request", "from: missing: give "
		    "the older tree size");
		return;
	}
	if ((got = param_u64(r, "to", &to)) == -1 ||
	    (got == 0 && default_size(n, r, &to) == -1))
		return;
	if (from == 0 || from > to) {
		httpd_reply_error(r, 400, "bad-request", "from=%" PRIu64 " to=%"
		    PRIu64 ": a consistency proof needs 0 < from <= to", from,
		    to);
		return;
	}
	if (store_tlog_consistency(n->store, from, to, path, &np, &e) == -1) {
		reply_store_error(r, "consistency", &e);
		return;
	}
	reply_doc(r, logproof_consistency_new(from, to,
	    (const unsigned char (*)[MERKLE_HASH_LEN])path, np, &e), &e);
}

static void
h_leaves(struct httpd_req *r, const struct httpd_peer *peer, void *arg)
{
	static const char *const names[] = { "start", "count", NULL };
	struct node *n = arg;
	struct store_tlog_leaf *got_leaves = NULL;
	struct logproof_leaf *out = NULL;
	uint64_t start, count = LEAVES_DEFAULT, size;
	size_t i, nl = 0;
	struct err e;
	int got;

	err_clear(&e);
	if (!may_read(n, r, peer) || params_check(r, names) == -1)
		return;
	if ((got = param_u64(r, "start", &start)) == -1)
		return;
	if (got == 0) {
		httpd_reply_error(r, 400, "bad-request", "start: missing: give "
		    "the first leaf index");
		return;
	}
	if ((got = param_u64(r, "count", &count)) == -1)
		return;
	if (count == 0 || count > STORE_TLOG_LEAVES_MAX) {
		httpd_reply_error(r, 400, "bad-request", "count: from 1 to %d",
		    STORE_TLOG_LEAVES_MAX);
		return;
	}
	if (store_tlog_size(n->store, &size, &e) == -1) {
		reply_store_error(r, "leaves", &e);
		return;
	}
	if (start >= size) {
		httpd_reply_error(r, 404, "not-found", "leaf %" PRIu64 " is "
		    "beyond the log's %" PRIu64 " leaves", start, size);
		return;
	}
	if ((got_leaves = calloc((size_t)count, sizeof(*got_leaves))) ==
	    NULL || (out = calloc((size_t)count, sizeof(*out))) == NULL) {
		httpd_reply_error(r, 503, "unavailable", "out of memory");
		goto done;
	}
	if (store_tlog_leaves(n->store, start, (size_t)count, got_leaves, &nl,
	    &e) == -1) {
		reply_store_error(r, "leaves", &e);
		goto done;
	}
	for (i = 0; i < nl; i++) {
		out[i].index = got_leaves[i].index;
		memcpy(out[i].hash, got_leaves[i].hash, MERKLE_HASH_LEN);
		snprintf(out[i].record, sizeof(out[i].record), "%s",
		    got_leaves[i].record_id);
	}
	reply_doc(r, logproof_leaves_new(start, size, out, nl, &e), &e);
done:
	free(got_leaves);
	free(out);
}

static void
h_sign(struct httpd_req *r, const struct httpd_peer *peer, void *arg)
{
	static const char *const names[] = { NULL };
	struct node *n = arg;
	const char *xml;
	uint64_t size;
	size_t len;
	struct err e;
	char q[LOG_Q_MAX];

	(void)peer;
	err_clear(&e);
	if (params_check(r, names) == -1 || api_admin_import_refuse(n, r))
		return;
	if (tlog_checkpoint(n, 1, NULL, &e) == -1) {
		log_warnx("checkpoint_failed", "trigger=admin msg=%s",
		    log_q(e.msg, q, sizeof(q)));
		httpd_reply_error(r, 500, "internal", "%s", e.msg);
		return;
	}
	xml = tlog_latest(n, &len, &size);
	httpd_reply(r, 201, XML_TYPE, xml, len);
}

int
api_log_register(struct node *n, struct err *e)
{
	static const struct {
		const char	*path;
		httpd_handler	*fn;
	} routes[] = {
		{ "/v1/log/checkpoint", h_checkpoint },
		{ "/v1/log/inclusion", h_inclusion },
		{ "/v1/log/consistency", h_consistency },
		{ "/v1/log/leaves", h_leaves },
	};
	size_t i;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (httpd_route(n->httpd, HTTPD_FEDERATION | HTTPD_ADMIN,
		    HTTPD_GET, routes[i].path, routes[i].fn, n, e) == -1)
			return -1;
	return httpd_route(n->httpd, HTTPD_ADMIN, HTTPD_POST,
	    "/admin/v1/log/checkpoint", h_sign, n, e);
}
