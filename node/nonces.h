/*
 * nonces.h - the nonces of the national queries this node answered, kept
 * until their queries expire, so that a captured Query is never answered
 * twice, not even after a restart (issue 10; api_query.c).
 *
 * They live in memory (a hash set) and in an append-only file beside the
 * database (DATABASE-nonces, one line "EXPIRES NONCE MEMBER" per answered
 * query): a nonce is written to the file before its answer leaves, with
 * one write(), so a crash or a restart of the node keeps it, and
 * nonces_sync() (the query log's timer, once a second) makes the file
 * durable.  A power loss can drop the nonces written since the last sync,
 * which reopens those queries to their own signers alone (a query must
 * come over its signer's TLS connection).  The file used to be an SQLite
 * table (migration 7): an insert into it and its commit were 15 % of a
 * region's CPU per answer, against one write() here.
 *
 * On open the file is read (a torn last line, from a crash in the middle
 * of a write, is dropped; any other line that is not a nonce line is an
 * error naming the file and the line), expired nonces are left out, and
 * the file is rewritten (a temporary file renamed over it) when it holds
 * many more lines than live nonces; the same happens as the node runs.
 * Not thread-safe: the event loop's.
 */
#ifndef LASTERI_NONCES_H
#define LASTERI_NONCES_H

#include <time.h>

#include "err.h"

/* Live nonces held at most: past it a query is refused as busy. */
#define NONCES_MAX	100000	/* 333 queries a second for 5 minutes */

struct nonces;

/* Opens (creates, mode 0600) the file at path and loads the nonces not
 * expired at now. */
struct nonces	*nonces_open(const char *path, time_t now, struct err *e);

/* *seen 1 when nonce is held and not expired at now (a replay: nothing
 * changes); else 0, and nonce (from asker) is kept until expires: in the
 * file before this returns.  -1 when it could not be kept: ERR_IO,
 * ERR_USAGE for a nonce or member that could not be a line, ERR_NOMEM
 * past NONCES_MAX or out of memory. */
int		 nonces_check_add(struct nonces *ns, const char *nonce,
		    const char *asker, time_t expires, time_t now, int *seen,
		    struct err *e);

/* Makes what was written durable (fdatasync), when anything was. */
int		 nonces_sync(struct nonces *ns, struct err *e);

/* 1 when a nonce was written since the last nonces_sync(). */
int		 nonces_dirty(const struct nonces *ns);

/* Live nonces held (for tests and the status). */
size_t		 nonces_count(const struct nonces *ns);

/* Syncs and closes; NULL is a no-op. */
void		 nonces_close(struct nonces *ns);

#endif
