/*
 * test_search.c - placement search: every hard filter, the ranking against
 * hand-computed scores (see the weights at the top of node/search.c), the
 * supervision signal, limits and the bounded top-N; and (issue 14) the
 * search data built from the store's SQL-kept briefs, a stored record
 * applied to it at once, and time-dependent terms counted per query.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "brief.h"
#include "query.h"
#include "search.h"
#include "stats.h"
#include "store.h"
#include "testmain.h"
#include "vocab.h"

#define NOW	((time_t)1772323200)	/* 2026-03-01T00:00:00Z */
#define DAY	86400

static void
unit_base(struct unit *u, const char *id)
{
	memset(u, 0, sizeof(*u));
	snprintf(u->id, sizeof(u->id), "%s", id);
	snprintf(u->name, sizeof(u->name), "Unit %s", id);
	snprintf(u->region, sizeof(u->region), "08");
	snprintf(u->home_region, sizeof(u->home_region), "08");
	u->type = UT_CHILDRENS_HOME;
	u->service_level = SL_SPECIAL;
	u->licence_valid = 1;
	u->places = 7;
	u->free_places = 1;
	u->free_updated = NOW;
	u->age_min = 7;
	u->age_max = 17;
	u->gender = G_ANY;
	snprintf(u->languages[0], sizeof(u->languages[0]), "fi");
	u->nlanguages = 1;
	u->price_cents = 50000;
}

static void
rec_base(struct supervision_record *r, const char *id, const char *unit)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", id);
	snprintf(r->unit_id, sizeof(r->unit_id), "%s", unit);
	snprintf(r->issuer, sizeof(r->issuer), "LVV");
	snprintf(r->opened, sizeof(r->opened), "2026-01-15");
	r->kind = RK_INSPECTION_UNANNOUNCED;
	r->announced = 0;
	r->status = RS_OPEN;
	r->outcome = -1;
	r->issued = NOW - 40 * DAY;
}

/* Runs needs over units/records; returns the count, results in out. */
static size_t
run(const struct unit *u, size_t nu, const struct supervision_record *r,
    size_t nr, const struct search_needs *n, struct search_result *out,
    struct search_totals *tot)
{
	struct search_index *ix = NULL;
	struct err e;
	size_t nout = 0;

	err_clear(&e);
	CU_ASSERT_FATAL(search_index_build(u, nu, r, nr, NOW, &ix, &e) == 0);
	CU_ASSERT_EQUAL(search_run(ix, n, out, &nout, tot, &e), 0);
	search_index_free(ix);
	return nout;
}

static int
has(const struct search_result *res, size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(res[i].unit_id, id) == 0)
			return 1;
	return 0;
}

static void
test_free_places(void)
{
	struct unit u[2];
	struct search_result res[20];
	struct search_needs n;
	size_t k;

	unit_base(&u[0], "A");
	unit_base(&u[1], "B");
	u[1].free_places = 3;
	search_needs_init(&n);
	n.age = 10;
	n.free_places = 2;
	k = run(u, 2, NULL, 0, &n, res, NULL);
	CU_ASSERT_EQUAL(k, 1);
	CU_ASSERT(has(res, k, "B"));
	n.free_places = 1;
	CU_ASSERT_EQUAL(run(u, 2, NULL, 0, &n, res, NULL), 2);
	u[0].free_places = 0;
	u[1].free_places = 0;
	CU_ASSERT_EQUAL(run(u, 2, NULL, 0, &n, res, NULL), 0);
}

static void
test_age(void)
{
	struct unit u[1];
	struct search_result res[20];
	struct search_needs n;

	unit_base(&u[0], "A");
	u[0].age_min = 13;
	u[0].age_max = 17;
	search_needs_init(&n);
	n.age = 12;
	CU_ASSERT_EQUAL(run(u, 1, NULL, 0, &n, res, NULL), 0);
	n.age = 13;
	CU_ASSERT_EQUAL(run(u, 1, NULL, 0, &n, res, NULL), 1);
	n.age = 17;
	CU_ASSERT_EQUAL(run(u, 1, NULL, 0, &n, res, NULL), 1);
	n.age = 18;
	CU_ASSERT_EQUAL(run(u, 1, NULL, 0, &n, res, NULL), 0);
}

static void
test_gender(void)
{
	struct unit u[3];
	struct search_result res[20];
	struct search_needs n;
	size_t k;

	unit_base(&u[0], "ANY");
	unit_base(&u[1], "GIRLS");
	u[1].gender = G_GIRLS;
	unit_base(&u[2], "BOYS");
	u[2].gender = G_BOYS;
	search_needs_init(&n);
	n.age = 10;
	CU_ASSERT_EQUAL(run(u, 3, NULL, 0, &n, res, NULL), 3);
	n.gender = G_GIRLS;
	k = run(u, 3, NULL, 0, &n, res, NULL);
	CU_ASSERT_EQUAL(k, 2);
	CU_ASSERT(has(res, k, "ANY") && has(res, k, "GIRLS"));
	n.gender = G_ANY;		/* a mixed group of siblings */
	k = run(u, 3, NULL, 0, &n, res, NULL);
	CU_ASSERT_EQUAL(k, 1);
	CU_ASSERT(has(res, k, "ANY"));
}

static void
test_language(void)
{
	struct unit u[3];
	struct search_result res[20];
	struct search_needs n;
	size_t k;

	unit_base(&u[0], "FI");
	unit_base(&u[1], "SV");
	snprintf(u[1].languages[0], 3, "sv");
	unit_base(&u[2], "FISV");
	snprintf(u[2].languages[1], 3, "sv");
	u[2].nlanguages = 2;
	search_needs_init(&n);
	n.age = 10;
	CU_ASSERT_EQUAL(run(u, 3, NULL, 0, &n, res, NULL), 3);
	snprintf(n.languages[0], 3, "sv");
	n.nlanguages = 1;
	k = run(u, 3, NULL, 0, &n, res, NULL);
	CU_ASSERT_EQUAL(k, 2);
	CU_ASSERT(has(res, k, "SV") && has(res, k, "FISV"));
	snprintf(n.languages[0], 3, "en");
	CU_ASSERT_EQUAL(run(u, 3, NULL, 0, &n, res, NULL), 0);
	snprintf(n.languages[1], 3, "fi");
	n.nlanguages = 2;
	k = run(u, 3, NULL, 0, &n, res, NULL);
	CU_ASSERT_EQUAL(k, 2);
	CU_ASSERT(has(res, k, "FI") && has(res, k, "FISV"));
}

static void
test_language_beyond_dictionary(void)
{
	/* 70 distinct codes: the last ones fall outside the 64-bit mask. */
	struct unit *u;
	struct search_result res[20];
	struct search_needs n;
	size_t i, k;

	u = calloc(70, sizeof(*u));
	CU_ASSERT_FATAL(u != NULL);
	for (i = 0; i < 70; i++) {
		char id[8];

		snprintf(id, sizeof(id), "U%02zu", i);
		unit_base(&u[i], id);
		u[i].languages[0][0] = (char)('a' + i / 26);
		u[i].languages[0][1] = (char)('a' + i % 26);
		u[i].languages[0][2] = '\0';
	}
	search_needs_init(&n);
	n.age = 10;
	n.nlanguages = 1;
	memcpy(n.languages[0], u[68].languages[0], 3);
	k = run(u, 70, NULL, 0, &n, res, NULL);
	CU_ASSERT_EQUAL(k, 1);
	CU_ASSERT(has(res, k, "U68"));
	memcpy(n.languages[0], u[3].languages[0], 3);
	k = run(u, 70, NULL, 0, &n, res, NULL);
	CU_ASSERT_EQUAL(k, 1);
	CU_ASSERT(has(res, k, "U03"));
	free(u);
}

static void
test_type_level_region_price(void)
{
	struct unit u[3];
	struct search_result res[20];
	struct search_needs n;
	size_t k;

	unit_base(&u[0], "HOME");
	unit_base(&u[1], "PFH");
	u[1].type = UT_PROF_FAMILY_HOME;
	u[1].service_level = SL_BASIC;
	u[1].price_cents = 30000;
	snprintf(u[1].region, 3, "05");
	unit_base(&u[2], "YOUTH");
	u[2].type = UT_YOUTH_HOME;
	u[2].service_level = SL_DEMANDING;
	u[2].price_cents = 120000;
	search_needs_init(&n);
	n.age = 10;
	n.types = (1u << UT_CHILDRENS_HOME) | (1u << UT_YOUTH_HOME);
	k = run(u, 3, NULL, 0, &n, res, NULL);
	CU_ASSERT_EQUAL(k, 2);
	CU_ASSERT(!has(res, k, "PFH"));
	n.types = 0;
	n.levels = 1u << SL_BASIC;
	k = run(u, 3, NULL, 0, &n, res, NULL);
	CU_ASSERT_EQUAL(k, 1);
	CU_ASSERT(has(res, k, "PFH"));
	n.levels = 0;
	n.regions_required = 1u << region_find("05");
	k = run(u, 3, NULL, 0, &n, res, NULL);
	CU_ASSERT_EQUAL(k, 1);
	CU_ASSERT(has(res, k, "PFH"));
	n.regions_required = 0;
	n.max_price_cents = 50000;	/* a ceiling is inclusive */
	k = run(u, 3, NULL, 0, &n, res, NULL);
	CU_ASSERT_EQUAL(k, 2);
	CU_ASSERT(!has(res, k, "YOUTH"));
}

static void
test_licence(void)
{
	struct unit u[2];
	struct search_result res[20];
	struct search_totals tot;
	struct search_needs n;
	size_t k;

	unit_base(&u[0], "A");
	unit_base(&u[1], "B");
	u[1].licence_valid = 0;
	search_needs_init(&n);
	n.age = 10;
	k = run(u, 2, NULL, 0, &n, res, &tot);
	CU_ASSERT_EQUAL(k, 1);
	CU_ASSERT(has(res, k, "A"));
	CU_ASSERT_EQUAL(tot.scanned, 2);
	CU_ASSERT_EQUAL(tot.matched, 1);
	CU_ASSERT_EQUAL(tot.blocked, 1);
}

static void
test_open_order_excludes(void)
{
	struct unit u[3];
	struct supervision_record r[3];
	struct search_result res[20];
	struct search_totals tot;
	struct search_needs n;
	size_t k;

	unit_base(&u[0], "ORDER");
	unit_base(&u[1], "SUSPENDED");
	unit_base(&u[2], "CLOSEDORDER");
	rec_base(&r[0], "R1", "ORDER");
	r[0].kind = RK_ORDER_TO_CORRECT;
	snprintf(r[0].deadline, sizeof(r[0].deadline), "2026-04-01");
	rec_base(&r[1], "R2", "SUSPENDED");
	r[1].kind = RK_SUSPENSION;
	rec_base(&r[2], "R3", "CLOSEDORDER");
	r[2].kind = RK_ORDER_TO_CORRECT;
	r[2].status = RS_CLOSED;
	search_needs_init(&n);
	n.age = 10;
	k = run(u, 3, r, 3, &n, res, &tot);
	CU_ASSERT_EQUAL(k, 1);
	CU_ASSERT(has(res, k, "CLOSEDORDER"));
	CU_ASSERT_EQUAL(tot.blocked, 2);
}

/*
 * Hand-checked ranking.  Query: purchaser 08 with framework procurement
 * P08, needs conduct + trauma-informed care, no price ceiling (reference
 * EUR 2,000), all figures updated now (+100).
 *   FW   08, lot P08/L1, 0 needs, EUR 500: 100000 + 500 + 225 + 100 = 100825
 *   TWO  05, 2 needs, EUR 400:             2000 + 240 + 100 = 2340
 *   HOME 08, 1 need, EUR 600:              1000 + 500 + 210 + 100 = 1810
 *   ONE  05, 1 need, EUR 300:              1000 + 255 + 100 = 1355
 */
static void
test_ranking(void)
{
	struct unit u[4];
	struct search_result res[20];
	struct search_needs n;
	const char *fw[] = { "P08" };
	size_t k;

	unit_base(&u[0], "ONE");
	snprintf(u[0].region, 3, "05");
	u[0].target_groups = 1u << 0;
	u[0].price_cents = 30000;
	unit_base(&u[1], "HOME");
	u[1].expertise = 1u << 0;
	u[1].price_cents = 60000;
	unit_base(&u[2], "TWO");
	snprintf(u[2].region, 3, "05");
	u[2].target_groups = 1u << 0;
	u[2].expertise = (1u << 0) | (1u << 3);
	u[2].price_cents = 40000;
	unit_base(&u[3], "FW");
	snprintf(u[3].lots[0], sizeof(u[3].lots[0]), "P08/L1");
	u[3].nlots = 1;
	search_needs_init(&n);
	n.age = 10;
	n.target_groups = 1u << vocab_find(&vocab_target_group, "conduct");
	n.expertise = 1u << vocab_find(&vocab_expertise, "trauma-informed-care");
	snprintf(n.home_region, 3, "08");
	n.frameworks = fw;
	n.nframeworks = 1;
	k = run(u, 4, NULL, 0, &n, res, NULL);
	CU_ASSERT_EQUAL_FATAL(k, 4);
	CU_ASSERT_STRING_EQUAL(res[0].unit_id, "FW");
	CU_ASSERT_EQUAL(res[0].score, 100825);
	CU_ASSERT_EQUAL(res[0].in_framework, 1);
	CU_ASSERT_STRING_EQUAL(res[1].unit_id, "TWO");
	CU_ASSERT_EQUAL(res[1].score, 2340);
	CU_ASSERT_EQUAL(res[1].needs_met, 2);
	CU_ASSERT_EQUAL(res[1].needs_asked, 2);
	CU_ASSERT_STRING_EQUAL(res[2].unit_id, "HOME");
	CU_ASSERT_EQUAL(res[2].score, 1810);
	CU_ASSERT_STRING_EQUAL(res[3].unit_id, "ONE");
	CU_ASSERT_EQUAL(res[3].score, 1355);
	CU_ASSERT_EQUAL(res[3].in_framework, 0);

	/* A preferred region replaces the purchaser's home region. */
	n.regions_preferred = 1u << region_find("05");
	k = run(u, 4, NULL, 0, &n, res, NULL);
	CU_ASSERT_STRING_EQUAL(res[2].unit_id, "ONE");
	CU_ASSERT_EQUAL(res[2].score, 1855);
	CU_ASSERT_STRING_EQUAL(res[3].unit_id, "HOME");
}

static void
test_framework_by_lot(void)
{
	struct unit u[2];
	struct search_result res[20];
	struct search_needs n;
	const char *fw[] = { "P08/L2", "UNKNOWN/L9" };

	unit_base(&u[0], "L1");
	snprintf(u[0].lots[0], sizeof(u[0].lots[0]), "P08/L1");
	u[0].nlots = 1;
	unit_base(&u[1], "L2");
	snprintf(u[1].lots[0], sizeof(u[1].lots[0]), "P05/L1");
	snprintf(u[1].lots[1], sizeof(u[1].lots[1]), "P08/L2");
	u[1].nlots = 2;
	u[1].price_cents = 90000;	/* dearer, still first */
	search_needs_init(&n);
	n.age = 10;
	n.frameworks = fw;
	n.nframeworks = 2;
	CU_ASSERT_EQUAL_FATAL(run(u, 2, NULL, 0, &n, res, NULL), 2);
	CU_ASSERT_STRING_EQUAL(res[0].unit_id, "L2");
	CU_ASSERT_EQUAL(res[0].in_framework, 1);
	CU_ASSERT_EQUAL(res[1].in_framework, 0);
}

static void
test_serious_finding_demotes(void)
{
	struct unit u[2];
	struct supervision_record r[2];
	struct search_result res[20];
	struct search_needs n;
	char buf[64];

	unit_base(&u[0], "A");
	unit_base(&u[1], "B");
	search_needs_init(&n);
	n.age = 10;
	CU_ASSERT_EQUAL_FATAL(run(u, 2, NULL, 0, &n, res, NULL), 2);
	CU_ASSERT_STRING_EQUAL(res[0].unit_id, "A");	/* tie: by ID */
	CU_ASSERT_EQUAL(res[0].score, res[1].score);
	search_result_findings(&res[0], buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "none");

	/* An open high-severity finding on A: -1500 open, -40 recent. */
	rec_base(&r[0], "R1", "A");
	r[0].findings[0].category = 0;
	r[0].findings[0].severity = SEV_HIGH;
	r[0].nfindings = 1;
	/* A closed low finding on B: -5 recent, not open. */
	rec_base(&r[1], "R2", "B");
	r[1].status = RS_CLOSED;
	r[1].findings[0].severity = SEV_LOW;
	r[1].nfindings = 1;
	CU_ASSERT_EQUAL_FATAL(run(u, 2, r, 2, &n, res, NULL), 2);
	CU_ASSERT_STRING_EQUAL(res[0].unit_id, "B");
	CU_ASSERT_STRING_EQUAL(res[1].unit_id, "A");
	CU_ASSERT_EQUAL(res[0].score - res[1].score, 1500 + 40 - 5);
	CU_ASSERT_EQUAL(res[1].open_serious, 1);
	CU_ASSERT_EQUAL(res[1].open_serious_severity, SEV_HIGH);
	CU_ASSERT_EQUAL(res[1].recent_findings, 1);
	CU_ASSERT_EQUAL(res[0].open_serious, 0);
	search_result_findings(&res[1], buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "1 open (high)");

	/* Findings older than SEARCH_RECENT_DAYS no longer count. */
	snprintf(r[1].opened, sizeof(r[1].opened), "2020-01-15");
	r[1].issued = NOW - 6 * 365 * DAY;
	CU_ASSERT_EQUAL_FATAL(run(u, 2, r, 2, &n, res, NULL), 2);
	CU_ASSERT_EQUAL(res[0].recent_findings, 0);
	CU_ASSERT_EQUAL(res[0].score - res[1].score, 1500 + 40);
}

static void
test_freshness(void)
{
	struct unit u[2];
	struct search_result res[20];
	struct search_needs n;

	unit_base(&u[0], "A");
	u[0].free_updated = NOW - 15 * DAY;	/* half way: +50 */
	unit_base(&u[1], "B");
	search_needs_init(&n);
	n.age = 10;
	CU_ASSERT_EQUAL_FATAL(run(u, 2, NULL, 0, &n, res, NULL), 2);
	CU_ASSERT_STRING_EQUAL(res[0].unit_id, "B");
	CU_ASSERT_EQUAL(res[0].score - res[1].score, 50);
}

static void
test_limit(void)
{
	struct unit u[5];
	struct search_result res[20];
	struct search_totals tot;
	struct search_needs n;
	size_t i;

	for (i = 0; i < 5; i++) {
		char id[8];

		snprintf(id, sizeof(id), "U%zu", i);
		unit_base(&u[i], id);
		u[i].price_cents = 100000 - (long)i * 10000;	/* U4 cheapest */
	}
	search_needs_init(&n);
	n.age = 10;
	n.limit = 2;
	CU_ASSERT_EQUAL_FATAL(run(u, 5, NULL, 0, &n, res, &tot), 2);
	CU_ASSERT_EQUAL(tot.matched, 5);
	CU_ASSERT_STRING_EQUAL(res[0].unit_id, "U4");
	CU_ASSERT_STRING_EQUAL(res[1].unit_id, "U3");
}

/* The bounded heap must give exactly the head of the full ranking. */
static void
test_top_n_matches_full_sort(void)
{
	struct unit *u;
	struct search_result *all, small[25];
	struct search_needs n;
	unsigned long x = 12345;
	size_t i, k, kall;

	u = calloc(600, sizeof(*u));
	all = calloc(600, sizeof(*all));
	CU_ASSERT_FATAL(u != NULL && all != NULL);
	for (i = 0; i < 600; i++) {
		char id[8];

		snprintf(id, sizeof(id), "U%03zu", i);
		unit_base(&u[i], id);
		x = x * 6364136223846793005UL + 1442695040888963407UL;
		u[i].price_cents = 25000 + (long)((x >> 33) % 4) * 10000;
		u[i].target_groups = (uint32_t)((x >> 40) & 7);
		u[i].free_places = (int)((x >> 50) % 3);
	}
	search_needs_init(&n);
	n.age = 10;
	n.target_groups = 7;
	n.limit = 600;
	kall = run(u, 600, NULL, 0, &n, all, NULL);
	CU_ASSERT(kall > 25);
	n.limit = 25;
	k = run(u, 600, NULL, 0, &n, small, NULL);
	CU_ASSERT_EQUAL_FATAL(k, 25);
	for (i = 0; i < k; i++) {
		CU_ASSERT_STRING_EQUAL(small[i].unit_id, all[i].unit_id);
		CU_ASSERT_EQUAL(small[i].score, all[i].score);
	}
	for (i = 1; i < kall; i++)
		CU_ASSERT(all[i - 1].score >= all[i].score);
	free(all);
	free(u);
}

static void
test_duplicate_unit_refused(void)
{
	struct unit u[2];
	struct search_index *ix = NULL;
	struct err e;

	unit_base(&u[0], "SAME");
	unit_base(&u[1], "SAME");
	err_clear(&e);
	CU_ASSERT_EQUAL(search_index_build(u, 2, NULL, 0, NOW, &ix, &e), -1);
	CU_ASSERT_PTR_NULL(ix);
	CU_ASSERT_EQUAL(e.code, ERR_INPUT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "duplicate unit ID 'SAME'"));
}

static void
test_bad_needs_refused(void)
{
	struct search_index *ix = NULL;
	struct search_result res[1];
	struct search_needs n;
	struct err e;
	size_t k;

	err_clear(&e);
	CU_ASSERT_FATAL(search_index_build(NULL, 0, NULL, 0, NOW, &ix, &e) == 0);
	search_needs_init(&n);		/* age not set */
	CU_ASSERT_EQUAL(search_run(ix, &n, res, &k, NULL, &e), -1);
	CU_ASSERT_EQUAL(e.code, ERR_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "age"));
	n.age = 10;
	n.limit = 0;
	CU_ASSERT_EQUAL(search_run(ix, &n, res, &k, NULL, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "limit"));
	n.limit = 1;
	CU_ASSERT_EQUAL(search_run(ix, &n, res, &k, NULL, &e), 0);
	CU_ASSERT_EQUAL(k, 0);
	search_index_free(ix);
}

/* --- the node's data: SQL briefs, applied records (issue 14) -------------- */

static char tmpl[64];

/* A store in a new directory with units A (cheaper: ranks first) and B. */
static struct store *
store_ab(void)
{
	struct store *s = NULL;
	struct unit u;
	struct err e;
	char path[128];

	err_clear(&e);
	snprintf(tmpl, sizeof(tmpl), "/tmp/lasteri-search.XXXXXX");
	if (mkdtemp(tmpl) == NULL)
		return NULL;
	snprintf(path, sizeof(path), "%s/s.db", tmpl);
	if (store_open(path, STORE_CREATE, &s, &e) == -1)
		return NULL;
	unit_base(&u, "A");
	u.price_cents = 40000;
	u.free_updated = time(NULL);
	if (store_unit_put(s, &u, "<Unit/>", 7, &e) == -1)
		goto fail;
	unit_base(&u, "B");
	u.free_updated = time(NULL);
	if (store_unit_put(s, &u, "<Unit/>", 7, &e) == -1)
		goto fail;
	return s;
fail:
	fprintf(stderr, "store_ab: %s\n", e.msg);
	store_close(s);
	return NULL;
}

static void
store_ab_done(struct store *s)
{
	char path[128];

	store_close(s);
	snprintf(path, sizeof(path), "%s/s.db", tmpl);
	unlink(path);
	snprintf(path, sizeof(path), "%s/s.db-wal", tmpl);
	unlink(path);
	snprintf(path, sizeof(path), "%s/s.db-shm", tmpl);
	unlink(path);
	rmdir(tmpl);
}

/* An open record with a high-severity finding about unit, dated today. */
static void
serious(struct supervision_record *r, const char *id, const char *unit)
{
	time_t now = time(NULL);
	struct tm tm;

	rec_base(r, id, unit);
	gmtime_r(&now, &tm);
	strftime(r->opened, sizeof(r->opened), "%Y-%m-%d", &tm);
	r->issued = now;
	r->findings[0].severity = SEV_HIGH;
	r->nfindings = 1;
}

static size_t
run_data(struct query_data *d, struct search_result *res)
{
	const struct search_index *ix;
	struct search_needs n;
	struct err e;
	size_t nout = 0;

	err_clear(&e);
	search_needs_init(&n);
	n.age = 10;
	CU_ASSERT_FATAL((ix = query_data_index(d, &e)) != NULL);
	CU_ASSERT_EQUAL(search_run(ix, &n, res, &nout, NULL, &e), 0);
	return nout;
}

static void
test_record_applied_at_once(void)
{
	struct supervision_record r;
	struct search_result res[20];
	struct query_data *d = NULL;
	struct store *s;
	struct err e;
	int isnew = 0;

	err_clear(&e);
	CU_ASSERT_FATAL((s = store_ab()) != NULL);
	CU_ASSERT_FATAL(query_data_load(s, &d, &e) == 0);
	CU_ASSERT_EQUAL_FATAL(run_data(d, res), 2);
	CU_ASSERT_STRING_EQUAL(res[0].unit_id, "A");

	serious(&r, "LVV-1", "A");
	CU_ASSERT_FATAL(store_record_put(s, &r, "<R/>", 4, &isnew, &e) == 0);
	CU_ASSERT(isnew == 1);
	/* The data in use does not change by itself (no rebuild, no
	 * expiry)... */
	CU_ASSERT_EQUAL_FATAL(run_data(d, res), 2);
	CU_ASSERT_STRING_EQUAL(res[0].unit_id, "A");
	/* ...the record is applied to it, and the very next search sees it. */
	CU_ASSERT_FATAL(query_data_apply_unit(d, s, "A", &e) == 0);
	CU_ASSERT_EQUAL_FATAL(run_data(d, res), 2);
	CU_ASSERT_STRING_EQUAL(res[0].unit_id, "B");
	CU_ASSERT_STRING_EQUAL(res[1].unit_id, "A");
	CU_ASSERT_EQUAL(res[1].open_serious, 1);
	CU_ASSERT_EQUAL(res[1].open_serious_severity, SEV_HIGH);
	CU_ASSERT_EQUAL(res[1].recent_findings, 1);
	/* A record about a unit the store does not keep changes nothing. */
	serious(&r, "LVV-2", "GHOST");
	CU_ASSERT_FATAL(store_record_put(s, &r, "<R/>", 4, &isnew, &e) == 0);
	CU_ASSERT(query_data_apply_unit(d, s, "GHOST", &e) == 0);
	CU_ASSERT_EQUAL(run_data(d, res), 2);
	query_data_unref(d);
	store_ab_done(s);
}

/* A received record is added to its unit's summary from its brief, without
 * reading the store, exactly once: the same record added again, or added
 * after a summary read that held it already, changes nothing; the result
 * is what a fresh load of the store gives. */
static void
test_record_added_once(void)
{
	struct supervision_record r;
	struct record_brief b;
	struct search_result res[20], fresh[20];
	struct query_data *d = NULL, *f = NULL;
	struct store *s;
	struct err e;
	int64_t seq1, seq2;

	err_clear(&e);
	CU_ASSERT_FATAL((s = store_ab()) != NULL);
	CU_ASSERT_FATAL(query_data_load(s, &d, &e) == 0);
	CU_ASSERT_FATAL(query_data_index_build(d, &e) == 0);
	CU_ASSERT_EQUAL_FATAL(run_data(d, res), 2);
	CU_ASSERT_STRING_EQUAL(res[0].unit_id, "A");

	serious(&r, "LVV-1", "A");
	CU_ASSERT_FATAL(store_record_put(s, &r, "<R/>", 4, NULL, &e) == 0);
	seq1 = store_record_last_seq(s);
	CU_ASSERT(seq1 > 0);
	brief_record_from(&r, &b);
	CU_ASSERT_FATAL(query_data_add_record(d, s, &b, seq1, &e) == 0);
	CU_ASSERT_EQUAL_FATAL(run_data(d, res), 2);
	CU_ASSERT_STRING_EQUAL(res[0].unit_id, "B");
	CU_ASSERT_EQUAL(res[1].open_serious, 1);
	CU_ASSERT_EQUAL(res[1].recent_findings, 1);
	/* The same record again: held already. */
	CU_ASSERT_FATAL(query_data_add_record(d, s, &b, seq1, &e) == 0);
	CU_ASSERT_EQUAL_FATAL(run_data(d, res), 2);
	CU_ASSERT_EQUAL(res[1].open_serious, 1);
	CU_ASSERT_EQUAL(res[1].recent_findings, 1);
	/* A second record, whose unit's summary is read after its commit
	 * (as an issued record's is) before it is added: added once. */
	serious(&r, "LVV-2", "A");
	CU_ASSERT_FATAL(store_record_put(s, &r, "<R/>", 4, NULL, &e) == 0);
	seq2 = store_record_last_seq(s);
	CU_ASSERT(seq2 > seq1);
	CU_ASSERT_FATAL(query_data_apply_unit(d, s, "A", &e) == 0);
	brief_record_from(&r, &b);
	CU_ASSERT_FATAL(query_data_add_record(d, s, &b, seq2, &e) == 0);
	CU_ASSERT_EQUAL_FATAL(run_data(d, res), 2);
	CU_ASSERT_EQUAL(res[1].open_serious, 2);
	CU_ASSERT_EQUAL(res[1].recent_findings, 2);
	/* What a fresh load of the store says. */
	CU_ASSERT_FATAL(query_data_load(s, &f, &e) == 0);
	CU_ASSERT_EQUAL_FATAL(run_data(f, fresh), 2);
	CU_ASSERT_STRING_EQUAL(fresh[1].unit_id, res[1].unit_id);
	CU_ASSERT_EQUAL(fresh[1].open_serious, res[1].open_serious);
	CU_ASSERT_EQUAL(fresh[1].open_serious_severity,
	    res[1].open_serious_severity);
	CU_ASSERT_EQUAL(fresh[1].recent_findings, res[1].recent_findings);
	query_data_unref(f);
	query_data_unref(d);
	store_ab_done(s);
}

static void
test_built_data_catches_up(void)
{
	struct supervision_record r;
	struct search_result res[20];
	struct query_data *d = NULL;
	struct store *s;
	struct err e;

	err_clear(&e);
	CU_ASSERT_FATAL((s = store_ab()) != NULL);
	/* A set built from a snapshot, then a record stored before it is
	 * swapped in: catching up applies it. */
	CU_ASSERT_FATAL(query_data_load(s, &d, &e) == 0);
	CU_ASSERT_FATAL(query_data_index_build(d, &e) == 0);
	serious(&r, "LVV-1", "A");
	CU_ASSERT_FATAL(store_record_put(s, &r, "<R/>", 4, NULL, &e) == 0);
	CU_ASSERT_EQUAL(query_data_seq(d), 0);
	CU_ASSERT_FATAL(query_data_catch_up(d, s, &e) == 0);
	CU_ASSERT_EQUAL(query_data_seq(d), 1);
	CU_ASSERT_EQUAL_FATAL(run_data(d, res), 2);
	CU_ASSERT_STRING_EQUAL(res[0].unit_id, "B");
	CU_ASSERT_EQUAL(res[1].open_serious, 1);
	/* A set loaded now holds the same. */
	query_data_unref(d);
	d = NULL;
	CU_ASSERT_FATAL(query_data_load(s, &d, &e) == 0);
	CU_ASSERT_EQUAL(query_data_seq(d), 1);
	CU_ASSERT_EQUAL_FATAL(run_data(d, res), 2);
	CU_ASSERT_STRING_EQUAL(res[0].unit_id, "B");
	CU_ASSERT_EQUAL(res[1].open_serious, 1);
	query_data_unref(d);
	store_ab_done(s);
}

/* Recent findings and freshness are counted at the query's time: the same
 * index answers for any time, nothing expires. */
static void
test_time_at_query(void)
{
	struct search_index *ix = NULL;
	struct supervision_record r;
	struct search_result res[4];
	struct search_needs n;
	struct unit u[2];
	struct err e;
	size_t nout;

	err_clear(&e);
	unit_base(&u[0], "A");
	unit_base(&u[1], "B");
	rec_base(&r, "R1", "A");		/* visit date: none; opened */
	r.status = RS_CLOSED;
	r.findings[0].severity = SEV_HIGH;	/* -40 while recent */
	r.nfindings = 1;
	CU_ASSERT_FATAL(search_index_build(u, 2, &r, 1, NOW, &ix, &e) == 0);
	search_needs_init(&n);
	n.age = 10;
	CU_ASSERT_EQUAL(search_run(ix, &n, res, &nout, NULL, &e), 0);
	CU_ASSERT_STRING_EQUAL(res[0].unit_id, "B");
	CU_ASSERT_EQUAL(res[0].score - res[1].score, 40);
	CU_ASSERT_EQUAL(res[1].recent_findings, 1);
	/* Opened 2026-01-15, 45 days before NOW: recent until
	 * SEARCH_RECENT_DAYS after that. */
	n.now = NOW + (time_t)(SEARCH_RECENT_DAYS - 46) * DAY;
	CU_ASSERT_EQUAL(search_run(ix, &n, res, &nout, NULL, &e), 0);
	CU_ASSERT_EQUAL(res[1].recent_findings, 1);
	n.now = NOW + (time_t)(SEARCH_RECENT_DAYS - 44) * DAY;
	CU_ASSERT_EQUAL(search_run(ix, &n, res, &nout, NULL, &e), 0);
	CU_ASSERT_STRING_EQUAL(res[0].unit_id, "A");	/* tie: by ID */
	CU_ASSERT_EQUAL(res[0].score, res[1].score);
	CU_ASSERT_EQUAL(res[0].recent_findings, 0);
	/* Before the index's time the cached figure is not used either. */
	n.now = NOW - 10 * DAY;
	CU_ASSERT_EQUAL(search_run(ix, &n, res, &nout, NULL, &e), 0);
	CU_ASSERT_EQUAL(res[1].recent_findings, 1);
	/* Freshness: 15 days after the update is half the term. */
	n.now = NOW + 15 * DAY;
	CU_ASSERT_EQUAL(search_run(ix, &n, res, &nout, NULL, &e), 0);
	CU_ASSERT_STRING_EQUAL(res[0].unit_id, "B");
	CU_ASSERT_EQUAL(res[0].score, 300 * (200000 - 50000) / 200000 + 50);
	CU_ASSERT_EQUAL(res[1].score, 300 * (200000 - 50000) / 200000 + 50 -
	    40);
	search_index_free(ix);
}

/* --- the offline CLI's data (lasteri search --db, stats --db) ------------ */

static unsigned long long rng_state;

static unsigned
rnd(unsigned n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng_state >> 33) % n);
}

static void
date_of(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d", &tm);
}

#define VARIED_UNITS	300

/*
 * A store of varied units (every filterable field spread over its values,
 * invalid licences, lots in six procurements), procurement definitions
 * with joint regions, and records: serious and blocking ones, findings in
 * and out of the recent window, open deadlines, decisions, and records
 * about units the store does not keep.
 */
static struct store *
store_varied(void)
{
	static const char *const lang[] = {
		"fi", "sv", "en", "se", "ru", "so", "ar", "et"
	};
	struct supervision_record *r = NULL;
	struct procurement *p = NULL;
	struct store *s = NULL;
	struct unit u;
	struct err e;
	char path[128];
	time_t now = time(NULL);
	int i, j;

	err_clear(&e);
	rng_state = 14;
	snprintf(tmpl, sizeof(tmpl), "/tmp/lasteri-search.XXXXXX");
	if (mkdtemp(tmpl) == NULL)
		return NULL;
	snprintf(path, sizeof(path), "%s/s.db", tmpl);
	if (store_open(path, STORE_CREATE, &s, &e) == -1 ||
	    (p = calloc(1, sizeof(*p))) == NULL ||
	    (r = calloc(1, sizeof(*r))) == NULL)
		goto fail;
	for (i = 0; i < VARIED_UNITS; i++) {
		char id[16];

		snprintf(id, sizeof(id), "U%03d", i);
		unit_base(&u, id);
		snprintf(u.region, sizeof(u.region), "%s",
		    regions[rnd(REGION_COUNT)].code);
		memcpy(u.home_region, u.region, sizeof(u.region));
		u.type = (int)rnd(8);
		u.service_level = (int)rnd(3);
		u.gender = (int)rnd(3);
		u.licence_valid = rnd(8) != 0;
		u.places = 1 + (int)rnd(9);
		u.free_places = (int)rnd(4);
		u.free_updated = now - (time_t)rnd(40 * DAY);
		u.age_min = (int)rnd(14);
		u.age_max = u.age_min + (int)rnd(11);
		u.nlanguages = 1 + (int)rnd(3);
		for (j = 0; j < u.nlanguages; j++)
			snprintf(u.languages[j], sizeof(u.languages[j]), "%s",
			    lang[rnd(8)]);
		u.target_groups = rnd(1U << 10);
		u.expertise = rnd(1U << 12);
		u.price_cents = 20000 + (long)rnd(150000);
		u.nlots = (int)rnd(3);
		for (j = 0; j < u.nlots; j++)
			snprintf(u.lots[j], sizeof(u.lots[j]), "P%u/L%u",
			    rnd(6), rnd(3));
		if (store_unit_put(s, &u, "<Unit/>", 7, &e) == -1)
			goto fail;
	}
	for (i = 0; i < 6; i++) {
		memset(p, 0, sizeof(*p));
		snprintf(p->id, sizeof(p->id), "P%d", i);
		snprintf(p->region, sizeof(p->region), "%s",
		    regions[rnd(REGION_COUNT)].code);
		p->njoint = (int)rnd(4);
		for (j = 0; j < p->njoint; j++)
			snprintf(p->joint[j], sizeof(p->joint[j]), "%s",
			    regions[rnd(REGION_COUNT)].code);
		if (store_procurement_put(s, p, "<P/>", 4, &e) == -1)
			goto fail;
	}
	for (i = 0; i < 3 * VARIED_UNITS; i++) {
		char id[16], unit[16];

		snprintf(id, sizeof(id), "R%04d", i);
		if (rnd(40) == 0)
			snprintf(unit, sizeof(unit), "GHOST%u", rnd(3));
		else
			snprintf(unit, sizeof(unit), "U%03u",
			    rnd(VARIED_UNITS));
		rec_base(r, id, unit);
		r->kind = (int)rnd(12);
		r->status = (int)rnd(4);
		r->outcome = r->kind == RK_COMPLAINT_DECISION ? (int)rnd(4) : -1;
		date_of(now - (time_t)rnd(4 * 365) * DAY, r->opened,
		    sizeof(r->opened));
		if (rnd(2))
			date_of(now - (time_t)rnd(4 * 365) * DAY, r->visit_date,
			    sizeof(r->visit_date));
		if (rnd(3) == 0)
			date_of(now + ((time_t)rnd(200) - 100) * DAY,
			    r->deadline, sizeof(r->deadline));
		r->nfindings = (int)rnd(4);
		for (j = 0; j < r->nfindings; j++)
			r->findings[j].severity = (int)rnd(3);
		r->issued = now - (time_t)rnd(4 * 365) * DAY;
		if (store_record_put(s, r, "<R/>", 4, NULL, &e) == -1)
			goto fail;
	}
	free(p);
	free(r);
	return s;
fail:
	fprintf(stderr, "store_varied: %s\n", e.msg);
	free(p);
	free(r);
	store_close(s);
	return NULL;
}

/* One random search, as its options would set it. */
static int
varied_search(struct query_search *q, struct err *e)
{
	static const char *const lang[] = { "fi", "sv", "en", "se", "xx" };
	static const char *const fmt[] = { "table", "csv", "xml" };
	static const char *const lim[] = { "1", "5", "20", "1000" };
	char v[32];
	int rc = 0;

	query_search_init(q, "--");
	snprintf(v, sizeof(v), "%u", rnd(25));
	rc |= query_search_set(q, "age", v, e);
	if (rnd(3) == 0)
		rc |= query_search_set(q, "gender",
		    vocab_token(&vocab_gender, (int)rnd(3)), e);
	while (rnd(3) == 0)
		rc |= query_search_set(q, "language", lang[rnd(5)], e);
	while (rnd(3) == 0)
		rc |= query_search_set(q, "type",
		    vocab_token(&vocab_unit_type, (int)rnd(8)), e);
	while (rnd(4) == 0)
		rc |= query_search_set(q, "level",
		    vocab_token(&vocab_service_level, (int)rnd(3)), e);
	while (rnd(4) == 0)
		rc |= query_search_set(q, "region",
		    regions[rnd(REGION_COUNT)].code, e);
	if (rnd(3) == 0)
		rc |= query_search_set(q, "prefer-region",
		    regions[rnd(REGION_COUNT)].code, e);
	if (rnd(2) == 0)
		rc |= query_search_set(q, "purchaser",
		    regions[rnd(REGION_COUNT)].code, e);
	if (rnd(3) == 0) {
		snprintf(v, sizeof(v), "%u.%02u", 200 + rnd(1500), rnd(100));
		rc |= query_search_set(q, "max-price", v, e);
	}
	if (rnd(4) == 0)
		rc |= query_search_set(q, "free-places", rnd(2) ? "2" : "3",
		    e);
	while (rnd(2) == 0)
		rc |= query_search_set(q, "need",
		    vocab_token(&vocab_target_group, (int)rnd(10)), e);
	while (rnd(2) == 0)
		rc |= query_search_set(q, "expertise",
		    vocab_token(&vocab_expertise, (int)rnd(12)), e);
	rc |= query_search_set(q, "limit", lim[rnd(4)], e);
	rc |= query_search_set(q, "format", fmt[rnd(3)], e);
	return rc;
}

/* The offline CLI loads only one query's candidates (search) or only what
 * statistics read: every answer is byte for byte the one the node gives
 * from all the data. */
static void
test_offline_data_same_answers(void)
{
	struct query_data *all = NULL, *one = NULL;
	struct query_search q;
	struct query_stats qt;
	struct store *s;
	struct err e;
	char *a = NULL, *b = NULL, v[8];
	size_t la, lb;
	int i, differ = 0, matched = 0;

	err_clear(&e);
	CU_ASSERT_FATAL((s = store_varied()) != NULL);
	CU_ASSERT_FATAL(query_data_load(s, &all, &e) == 0);
	for (i = 0; i < 300; i++) {
		CU_ASSERT_FATAL(varied_search(&q, &e) == 0);
		CU_ASSERT_FATAL(query_data_load_search(s, &q, &one, &e) == 0);
		q.now = time(NULL);	/* after both loads: one time */
		CU_ASSERT_FATAL(query_search_run(all, &q, &a, &la, &e) == 0);
		CU_ASSERT_FATAL(query_search_run(one, &q, &b, &lb, &e) == 0);
		if (la != lb || memcmp(a, b, la) != 0) {
			if (differ++ == 0)
				fprintf(stderr, "search %d differs:\n%s\n--\n"
				    "%s\n", i, a, b);
		}
		if (strstr(a, " 0 of ") == NULL &&
		    strstr(a, "matched=\"0\"") == NULL)
			matched++;
		free(a);
		free(b);
		a = b = NULL;
		query_data_unref(one);
		one = NULL;
	}
	CU_ASSERT_EQUAL(differ, 0);
	CU_ASSERT(matched > 100);		/* the searches found units */
	/* Without an age: refused the same way. */
	query_search_init(&q, "--");
	CU_ASSERT_FATAL(query_data_load_search(s, &q, &one, &e) == 0);
	CU_ASSERT(query_search_run(one, &q, &b, &lb, &e) == -1);
	CU_ASSERT_EQUAL(e.code, ERR_USAGE);
	CU_ASSERT(strstr(e.msg, "--age N is needed") != NULL);
	query_data_unref(one);
	one = NULL;
	/* Statistics, every grouping and table. */
	CU_ASSERT_FATAL(query_data_load_stats(s, &one, &e) == 0);
	for (i = 0; i < 24; i++) {
		query_stats_init(&qt, 5, "--");
		CU_ASSERT_FATAL(query_stats_set(&qt, "by",
		    stats_by_name((enum stats_by)(i % 4)), &e) == 0);
		snprintf(v, sizeof(v), "%d", 1 + i % 3 * 2);
		CU_ASSERT_FATAL(query_stats_set(&qt, "threshold", v, &e) == 0);
		CU_ASSERT_FATAL(query_stats_set(&qt, "format",
		    i % 8 < 4 ? "table" : "xml", &e) == 0);
		qt.now = time(NULL);
		CU_ASSERT_FATAL(query_stats_run(all, &qt, &a, &la, &e) == 0);
		CU_ASSERT_FATAL(query_stats_run(one, &qt, &b, &lb, &e) == 0);
		CU_ASSERT(la == lb && memcmp(a, b, la) == 0);
		free(a);
		free(b);
		a = b = NULL;
	}
	query_data_unref(one);
	query_data_unref(all);
	store_ab_done(s);
}

static CU_TestInfo filter_tests[] = {
	{ "leaves out units without enough free places", test_free_places },
	{ "leaves out units whose age range excludes the child", test_age },
	{ "matches gender: a unit for any, or the same; a mixed group needs any", test_gender },
	{ "needs one of the requested languages offered", test_language },
	{ "finds a language outside the 64-code dictionary", test_language_beyond_dictionary },
	{ "filters by type, service level, required region and price ceiling", test_type_level_region_price },
	{ "leaves out a unit without a valid licence and counts it", test_licence },
	{ "leaves out units with an open order to correct or a suspension", test_open_order_excludes },
	CU_TEST_INFO_NULL
};

static CU_TestInfo rank_tests[] = {
	{ "ranks frameworks, needs met, region and price as hand-computed", test_ranking },
	{ "matches a framework by lot reference", test_framework_by_lot },
	{ "demotes a unit with an open serious finding and shows it", test_serious_finding_demotes },
	{ "prefers a fresher free-places figure", test_freshness },
	{ "returns at most limit results, the best ones", test_limit },
	{ "gives the same head as a full ranking with a small limit", test_top_n_matches_full_sort },
	CU_TEST_INFO_NULL
};

static CU_TestInfo data_tests[] = {
	{ "applies a stored serious finding to the data in use: the very next search demotes the unit", test_record_applied_at_once },
	{ "adds a received record to the data in use without reading it, once", test_record_added_once },
	{ "catches a data set built from a snapshot up with records stored since", test_built_data_catches_up },
	{ "counts recent findings and freshness at the query's time, so nothing expires", test_time_at_query },
	{ "answers the offline CLI from one query's candidates byte for byte as from all the data", test_offline_data_same_answers },
	CU_TEST_INFO_NULL
};

static CU_TestInfo input_tests[] = {
	{ "refuses a duplicate unit ID with its name", test_duplicate_unit_refused },
	{ "refuses needs without an age or with a bad limit", test_bad_needs_refused },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ "hard filters", NULL, NULL, NULL, NULL, filter_tests },
	{ "ranking", NULL, NULL, NULL, NULL, rank_tests },
	{ "input", NULL, NULL, NULL, NULL, input_tests },
	{ "node data", NULL, NULL, NULL, NULL, data_tests },
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	return test_run_suites(suites);
}
