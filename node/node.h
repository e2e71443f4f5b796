/*
 * node.h - the state one running lasterid holds, shared by its endpoint
 * files (api_fed.c, api_admin.c) and the outbox.  Everything here lives on
 * the one event-loop thread; the trust list is swapped on reload (handlers
 * take what they need from n->trust at the start of a request).
 */
#ifndef LASTERI_NODE_H
#define LASTERI_NODE_H

#include <time.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "conf.h"
#include "trust.h"

struct admin_import;
struct dsig_key;
struct verifier;
struct event;
struct event_base;
struct httpd;
struct ingest;
struct workpool;
struct metrics;
struct outbox;
struct peer;
struct qindex;
struct reccache;
struct store;
struct tlog;
struct web;
struct witness;

struct node {
	struct conf		 conf;
	X509			*anchor;
	struct trust_list	*trust;
	struct timespec		 trust_mtime;
	struct store		*store;
	struct metrics		*metrics;
	struct event_base	*base;
	SSL_CTX			*ctx;
	struct httpd		*httpd;
	struct event		*ev_term, *ev_int, *ev_hup, *ev_refresh;
	struct dsig_key		*sign_key;	/* only the signing code uses it */
	struct verifier	*verifier;	/* bound to trust; rebuilt on reload */
	struct peer		*peer;		/* mTLS client (outbox, fan-out) */
	struct outbox		*outbox;
	int			 trust_fetching; /* a trust_url fetch is running */
	int			 port;
	int			 stopping;
	struct qindex		*qindex;	/* api_admin.c: search data (qindex.h) */
	struct admin_import	*import;	/* api_admin.c: the import running */
	struct reccache		*reccache;	/* api_fed.c: records served */
	struct ingest		*ingest;	/* api_fed.c: records received */
	struct workpool		*checks;	/* api_fed.c: their checks */
	struct tlog		*tlog;		/* tlog.c: checkpoints */
	struct witness		*witness;	/* witness.c: peers' logs */
	struct web		*web;		/* web.c: the people's pages */
	SSL_CTX			*web_ctx;	/* web.c: HTTPS, or NULL */
};

/* 1 while the trust list in use is past its Expires: nobody can be checked
 * against it, so no peer is accepted and no record received, issued or
 * delivered.  Inline, so that every file of the node (and the library the
 * tests link) asks the same question without depending on lasterid.c. */
static inline int
node_trust_expired(const struct node *n)
{
	return n->trust == NULL || trust_expires(n->trust) <= time(NULL);
}

#endif
