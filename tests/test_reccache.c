/*
 * test_reccache.c - the record cache of GET /v1/records/{id}
 * (node/reccache.c): a hit gives the exact bytes and meta that were put;
 * the byte bound holds, evicting the least recently used; nothing is kept
 * for an Id that was never put (no negative caching); an oversized record
 * or a second put of a cached Id leaves the cache as it was.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reccache.h"
#include "testmain.h"

/* A malloc'd record of len bytes for id (its Id repeated). */
static char *
rec_bytes(const char *id, size_t len)
{
	size_t i, n = strlen(id);
	char *b;

	b = malloc(len > 0 ? len : 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	for (i = 0; i < len; i++)
		b[i] = id[i % n];
	return b;
}

static void
meta_for(const char *id, struct store_record_meta *m)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->unit_id, sizeof(m->unit_id), "unit-of-%s", id);
	snprintf(m->issuer, sizeof(m->issuer), "AVI");
	snprintf(m->signer, sizeof(m->signer), "FI/GOV/%s", id);
}

/* 1 if id is cached with the bytes and meta put() gave it. */
static int
holds(struct reccache *c, const char *id, size_t len)
{
	struct reccache_hit h;
	char *want;
	int ok;

	if (!reccache_get(c, id, &h))
		return 0;
	want = rec_bytes(id, len);
	ok = h.len == len && memcmp(h.xml, want, len) == 0 &&
	    strncmp(h.meta->unit_id, "unit-of-", 8) == 0 &&
	    strcmp(h.meta->unit_id + 8, id) == 0 &&
	    strcmp(h.meta->issuer, "AVI") == 0 &&
	    strncmp(h.meta->signer, "FI/GOV/", 7) == 0 &&
	    strcmp(h.meta->signer + 7, id) == 0;
	free(want);
	return ok;
}

static void
put(struct reccache *c, const char *id, size_t len)
{
	struct store_record_meta m;

	meta_for(id, &m);
	reccache_put(c, id, &m, rec_bytes(id, len), len);
}

static void
test_hits(void)
{
	struct reccache *c;
	struct reccache_stats st;
	char id[32];
	int i;

	c = reccache_new(1 << 20);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	/* enough to make the table grow several times */
	for (i = 0; i < 2000; i++) {
		snprintf(id, sizeof(id), "SR-%d", i);
		put(c, id, 100 + (size_t)i % 7);
	}
	for (i = 0; i < 2000; i++) {
		snprintf(id, sizeof(id), "SR-%d", i);
		CU_ASSERT(holds(c, id, 100 + (size_t)i % 7));
	}
	reccache_stats(c, &st);
	CU_ASSERT_EQUAL(st.entries, 2000);
	CU_ASSERT_EQUAL(st.hits, 2000);
	CU_ASSERT_EQUAL(st.misses, 0);
	CU_ASSERT_EQUAL(st.evictions, 0);
	CU_ASSERT(st.bytes > 2000 * 100 && st.bytes <= st.max_bytes);
	reccache_free(c);
	reccache_free(NULL);
}

static void
test_bound(void)
{
	struct reccache *c;
	struct reccache_stats st;
	char id[32];
	size_t bound = 64 * 1024, per;
	int i, kept = 0;

	c = reccache_new(bound);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	/* Ids of one length: every entry costs the same.  One record alone
	 * tells what an entry of 1,000 bytes costs. */
	put(c, "SR-000", 1000);
	reccache_stats(c, &st);
	per = st.bytes;
	CU_ASSERT(per > 1000 && per < 1500);
	for (i = 1; i < 500; i++) {
		snprintf(id, sizeof(id), "SR-%03d", i);
		put(c, id, 1000);
		/* touch SR-000 now and then: the least recently used go first */
		if (i % 10 == 0)
			CU_ASSERT(holds(c, "SR-000", 1000));
		reccache_stats(c, &st);
		CU_ASSERT(st.bytes <= bound);
	}
	reccache_stats(c, &st);
	CU_ASSERT(st.evictions > 0);
	CU_ASSERT_EQUAL(st.entries, bound / per);
	CU_ASSERT_EQUAL(st.entries + st.evictions, 500);
	/* kept: the newest ones and SR-000; gone: the oldest untouched */
	CU_ASSERT(holds(c, "SR-000", 1000));
	CU_ASSERT(holds(c, "SR-499", 1000));
	CU_ASSERT(!holds(c, "SR-001", 1000));
	for (i = 0; i < 500; i++) {
		snprintf(id, sizeof(id), "SR-%03d", i);
		kept += holds(c, id, 1000);
	}
	CU_ASSERT_EQUAL(kept, (int)st.entries);
	/* a record that alone passes the bound is not kept, and the cache
	 * stays as it was */
	put(c, "SR-huge", bound);
	CU_ASSERT(!holds(c, "SR-huge", bound));
	reccache_stats(c, &st);
	CU_ASSERT_EQUAL(st.entries, (size_t)kept);
	reccache_free(c);
}

static void
test_no_negative(void)
{
	struct reccache *c;
	struct reccache_stats st;
	struct reccache_hit h;

	c = reccache_new(1 << 20);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	/* a miss keeps nothing: once the record is put, it is found */
	CU_ASSERT(!reccache_get(c, "SR-late", &h));
	CU_ASSERT(!reccache_get(c, "SR-late", &h));
	reccache_stats(c, &st);
	CU_ASSERT_EQUAL(st.entries, 0);
	CU_ASSERT_EQUAL(st.bytes, 0);
	CU_ASSERT_EQUAL(st.misses, 2);
	put(c, "SR-late", 300);
	CU_ASSERT(holds(c, "SR-late", 300));
	/* a second put of a cached Id changes nothing (records never
	 * change; the first bytes stay) */
	put(c, "SR-late", 10);
	CU_ASSERT(holds(c, "SR-late", 300));
	reccache_stats(c, &st);
	CU_ASSERT_EQUAL(st.entries, 1);
	/* Ids differing in one character are different entries */
	CU_ASSERT(!reccache_get(c, "SR-lat", &h));
	CU_ASSERT(!reccache_get(c, "SR-latE", &h));
	reccache_free(c);
}

static CU_TestInfo cache_tests[] = {
	{ "gives back the exact bytes and meta put, for thousands of Ids",
	    test_hits },
	{ "stays within its byte bound, evicting the least recently used",
	    test_bound },
	{ "keeps nothing for an Id not stored, so a 404 never sticks",
	    test_no_negative },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ "the record cache", NULL, NULL, NULL, NULL, cache_tests },
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	return test_run_suites(suites);
}
