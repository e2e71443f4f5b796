/*
 * reccache.c - the record cache of GET /v1/records/{id} (see reccache.h).
 *
 * A chained hash table on the Id (FNV-1a; the table doubles when it holds
 * as many entries as buckets) and a doubly linked list in order of use:
 * the head is the most recently used, eviction takes from the tail.  Each
 * entry is one allocation (bookkeeping, meta and Id) plus the stored bytes
 * the cache was given.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "reccache.h"

#define RECCACHE_BUCKETS0	256

struct entry {
	struct entry		*hnext;		/* hash chain */
	struct entry		*prev, *next;	/* use order, head = newest */
	uint32_t		 hash;
	size_t			 cost;		/* counted against the bound */
	char			*xml;
	size_t			 len;
	struct store_record_meta meta;
	char			 id[];
};

struct reccache {
	struct entry	**buckets;
	size_t		  nbuckets;	/* a power of two */
	struct entry	 *head, *tail;
	size_t		  entries;
	size_t		  bytes;
	size_t		  max_bytes;
	uint64_t	  hits, misses, evictions;
};

static uint32_t
hash_id(const char *s)
{
	uint32_t h = 2166136261U;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619U;
	}
	return h;
}

struct reccache *
reccache_new(size_t max_bytes)
{
	struct reccache *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((c->buckets = calloc(RECCACHE_BUCKETS0, sizeof(*c->buckets))) ==
	    NULL) {
		free(c);
		return NULL;
	}
	c->nbuckets = RECCACHE_BUCKETS0;
	c->max_bytes = max_bytes;
	return c;
}

void
reccache_free(struct reccache *c)
{
	struct entry *e, *next;

	if (c == NULL)
		return;
	for (e = c->head; e != NULL; e = next) {
		next = e->next;
		free(e->xml);
		free(e);
	}
	free(c->buckets);
	free(c);
}

static struct entry **
slot(struct reccache *c, const char *id, uint32_t h)
{
	struct entry **pp;

	for (pp = &c->buckets[h & (c->nbuckets - 1)]; *pp != NULL;
	    pp = &(*pp)->hnext)
		if ((*pp)->hash == h && strcmp((*pp)->id, id) == 0)
			break;
	return pp;
}

static void
unlink_use(struct reccache *c, struct entry *e)
{
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		c->head = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	else
		c->tail = e->prev;
	e->prev = e->next = NULL;
}

static void
push_head(struct reccache *c, struct entry *e)
{
	e->prev = NULL;
	e->next = c->head;
	if (c->head != NULL)
		c->head->prev = e;
	c->head = e;
	if (c->tail == NULL)
		c->tail = e;
}

static void
evict(struct reccache *c, struct entry *e)
{
	struct entry **pp = slot(c, e->id, e->hash);

	*pp = e->hnext;
	unlink_use(c, e);
	c->entries--;
	c->bytes -= e->cost;
	c->evictions++;
	free(e->xml);
	free(e);
}

/* Doubles the table; on no memory it stays as it is (chains grow). */
static void
grow(struct reccache *c)
{
	struct entry **nb, *e, *next;
	size_t i, n = c->nbuckets * 2;

	if ((nb = calloc(n, sizeof(*nb))) == NULL)
		return;
	for (i = 0; i < c->nbuckets; i++)
		for (e = c->buckets[i]; e != NULL; e = next) {
			next = e->hnext;
			e->hnext = nb[e->hash & (n - 1)];
			nb[e->hash & (n - 1)] = e;
		}
	free(c->buckets);
	c->buckets = nb;
	c->nbuckets = n;
}

int
reccache_get(struct reccache *c, const char *id, struct reccache_hit *hit)
{
	struct entry *e = *slot(c, id, hash_id(id));

	if (e == NULL) {
		c->misses++;
		return 0;
	}
	c->hits++;
	if (c->head != e) {
		unlink_use(c, e);
		push_head(c, e);
	}
	hit->xml = e->xml;
	hit->len = e->len;
	hit->meta = &e->meta;
	return 1;
}

void
reccache_put(struct reccache *c, const char *id,
    const struct store_record_meta *m, char *xml, size_t len)
{
	struct entry *e, **pp;
	size_t idlen = strlen(id), cost;
	uint32_t h = hash_id(id);

	cost = sizeof(*e) + idlen + 1 + len;
	if (cost < len || cost > c->max_bytes || *(pp = slot(c, id, h)) !=
	    NULL || (e = malloc(sizeof(*e) + idlen + 1)) == NULL) {
		free(xml);
		return;
	}
	while (c->bytes + cost > c->max_bytes && c->tail != NULL)
		evict(c, c->tail);
	memset(e, 0, sizeof(*e));
	memcpy(e->id, id, idlen + 1);
	e->hash = h;
	e->cost = cost;
	e->xml = xml;
	e->len = len;
	e->meta = *m;
	if (c->entries >= c->nbuckets)
		grow(c);
	pp = &c->buckets[h & (c->nbuckets - 1)];
	e->hnext = *pp;
	*pp = e;
	push_head(c, e);
	c->entries++;
	c->bytes += cost;
}

void
reccache_stats(const struct reccache *c, struct reccache_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (c == NULL)
		return;
	st->hits = c->hits;
	st->misses = c->misses;
	st->evictions = c->evictions;
	st->entries = c->entries;
	st->bytes = c->bytes;
	st->max_bytes = c->max_bytes;
}
