/*
 * store_witness.h - what the witness (witness.h) keeps in the node's store
 * (migration 9): the checkpoints of other members' logs it verified, and
 * the alarms it raised, each with the exact signed bytes as evidence.
 *
 * Both tables are append-only (triggers refuse UPDATE and DELETE): a
 * witnessed checkpoint is kept after a newer one extends it, and an alarm
 * is never overwritten.  The newest witnessed checkpoint of an origin is
 * the one with the highest seq.
 */
#ifndef LASTERI_STORE_WITNESS_H
#define LASTERI_STORE_WITNESS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"
#include "merkle.h"

struct store;

#define STORE_WITNESS_ID_MAX	160	/* member ID with its NUL */
#define STORE_WITNESS_KIND_MAX	16
#define STORE_WITNESS_ALARMS_MAX 1000	/* rows per list */

/* A verified checkpoint of origin's log. */
struct store_witnessed {
	int64_t		 seq;
	char		 origin[STORE_WITNESS_ID_MAX];
	uint64_t	 size;
	unsigned char	 root[MERKLE_HASH_LEN];
	time_t		 time;		/* its Timestamp */
	time_t		 seen;		/* when this node verified it */
	char		 id[65];	/* its Id */
	char		*xml;		/* malloc'd, NUL after len */
	size_t		 len;
};

/* Keeps w (bytes copied; w->seq gets the new row's number). */
int	store_witnessed_put(struct store *s, struct store_witnessed *w,
	    struct err *e);
/* The newest checkpoint kept for origin into out (*found 0 when none);
 * release out with store_witnessed_clear(). */
int	store_witnessed_latest(struct store *s, const char *origin,
	    struct store_witnessed *out, int *found, struct err *e);
void	store_witnessed_clear(struct store_witnessed *w);	/* NULL: no-op */

/* An alarm: kind "rollback", "fork", "bad-proof" or "bad-signature"; the
 * checkpoint held before (held NULL when none) and the one received. */
struct store_witness_alarm {
	int64_t		 seq;
	time_t		 at;
	char		 peer[STORE_WITNESS_ID_MAX];
	char		 kind[STORE_WITNESS_KIND_MAX];
	char		 detail[400];
	int		 has_held;
	uint64_t	 held_size;
	char		 held_id[65];
	uint64_t	 got_size;	/* 0 and got_id "-" when unreadable */
	char		 got_id[65];
	char		*held;		/* exact bytes, NULL when none */
	size_t		 held_len;
	char		*got;
	size_t		 got_len;
};

/* Keeps a (bytes copied) unless an alarm of the same peer and kind about
 * the same received bytes is kept already: *added says which (a peer that
 * keeps serving one bad checkpoint raises one alarm, not one per round). */
int	store_witness_alarm_put(struct store *s, struct store_witness_alarm *a,
	    int *added, struct err *e);
/* Up to limit (<= STORE_WITNESS_ALARMS_MAX) alarms, newest first, into a
 * malloc'd array *out of *n (without the bytes: held and got are NULL);
 * free it with free(). */
int	store_witness_alarms(struct store *s, int limit,
	    struct store_witness_alarm **out, int *n, struct err *e);

#endif
