/*
 * reccache.h - the in-memory cache of stored supervision records that
 * GET /v1/records/{id} answers from.
 *
 * A stored record never changes (store_record_put_signed() keeps the first
 * bytes under an Id; nothing deletes a record), so an entry holds the exact
 * stored bytes and the record's meta (unit, issuer, signer: what the role
 * check reads) and is never invalidated.  Only records that were found are
 * kept: an Id not stored is asked of the store again every time, so a 404
 * never outlives the record's arrival.  The cache is bounded in bytes
 * (entries count their bytes, Id and bookkeeping); past the bound the least
 * recently used entries go.  Not thread-safe: the event loop owns it.
 */
#ifndef LASTERI_RECCACHE_H
#define LASTERI_RECCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* The default bound (no config key yet): about 30,000 records of 1 kB. */
#define RECCACHE_MAX_BYTES	(32UL * 1024 * 1024)

struct reccache;			/* opaque */

struct reccache_hit {
	const char			*xml;	/* the stored bytes, not NUL-ended */
	size_t				 len;
	const struct store_record_meta	*meta;
};

struct reccache_stats {
	uint64_t	hits, misses, evictions;
	size_t		entries;
	size_t		bytes;		/* counted against max_bytes */
	size_t		max_bytes;
};

/* A cache of at most max_bytes; NULL when out of memory.  Free with
 * reccache_free(). */
struct reccache	*reccache_new(size_t max_bytes);
void		 reccache_free(struct reccache *c);	/* NULL is a no-op */

/* 1 and *hit filled (borrowed until the next reccache_put() or
 * reccache_free()) when id is cached, which makes it the most recently
 * used; 0 when not. */
int		 reccache_get(struct reccache *c, const char *id,
		    struct reccache_hit *hit);

/* Keeps record id: a copy of m, and xml[0..len), which the cache takes
 * ownership of in all outcomes (freed with free()).  Evicts the least
 * recently used entries to stay within the bound; a record that alone
 * would pass it, an Id already cached or no memory leaves the cache as it
 * was. */
void		 reccache_put(struct reccache *c, const char *id,
		    const struct store_record_meta *m, char *xml, size_t len);

void		 reccache_stats(const struct reccache *c,
		    struct reccache_stats *st);

#endif
