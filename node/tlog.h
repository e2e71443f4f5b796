/*
 * tlog.h - the node's transparency log: the start check, and the signed
 * checkpoints (federation/checkpoint.h) of the tree that store_tlog.h
 * keeps.
 *
 * At start (before any listener opens) tlog_verify() recomputes every leaf
 * hash from its record's stored bytes and every stored subtree hash, and
 * compares the tree with the latest checkpoint the node signed, whose own
 * signature and Origin are checked first.  Any difference refuses the
 * start with one message naming the first bad leaf.  Then tlog_start()
 * signs a checkpoint at once when the log grew since the latest one (or
 * none exists yet), and every checkpoint_interval after that when it grew
 * again; tlog_checkpoint() signs one on demand (POST
 * /admin/v1/log/checkpoint).  Every checkpoint signed is kept in the store
 * with its exact bytes; the latest is what GET /v1/log/checkpoint serves.
 *
 * Everything here runs on the event loop's thread, on n->store.
 */
#ifndef LASTERI_TLOG_H
#define LASTERI_TLOG_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"

struct node;
struct store;
struct verifier;

#define M_LOG_LEAVES		"lasteri_log_leaves"
#define M_LOG_CHECKPOINT_SIZE	"lasteri_log_checkpoint_size"
#define M_LOG_CHECKPOINTS	"lasteri_log_checkpoints_signed_total"

/*
 * The start check of the log in s against its latest signed checkpoint,
 * which must verify under v with Origin origin (at now).  0 when they
 * agree (or the log and its checkpoints are both empty); -1 with e->msg
 * one line: "first bad leaf I (record ID): why; ..." (ERR_DB), the
 * checkpoint's own failure (ERR_SIGNATURE, ERR_TRUST, ERR_SCHEMA), or why
 * the store could not be read.
 */
int	tlog_verify(struct store *s, struct verifier *v, const char *origin,
	    time_t now, struct err *e);

/* Loads the latest checkpoint into n->tlog, signs one at once when the
 * log grew past it, and arms the checkpoint_interval timer on n->base.
 * Free with tlog_free() before the event base. */
int	tlog_start(struct node *n, struct err *e);
void	tlog_free(struct node *n);

/* Signs a checkpoint of the whole log now: always when force, else only
 * when the log grew since the latest one.  *made (may be NULL) says
 * whether one was signed.  ERR_DB when the store is busy (an import). */
int	tlog_checkpoint(struct node *n, int force, int *made, struct err *e);

/* The latest signed checkpoint: its bytes (borrowed until the next one is
 * signed) and size; NULL when the node has signed none. */
const char *tlog_latest(const struct node *n, size_t *len, uint64_t *size);

#endif
