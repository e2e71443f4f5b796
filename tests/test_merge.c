/*
 * test_merge.c - the national merge (node/merge.c) and the proof of
 * completeness (node/proof.c, lasteri verify on a NationalAnswer).
 *
 * Placement and statistics merges run on hand-made result elements, each
 * test's comment showing the tables worked out by hand.  Supervision
 * records, Queries, Responses and NationalAnswers are signed with the test
 * PKI of tests/testpki.c made in suite init: three regions (01, 02, 03),
 * the supervisory authority (lvv, issuer code LVV) and the coordinator
 * (thl), and an operator-signed trust list.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include <openssl/evp.h>

#include "dsig.h"
#include "envelope.h"
#include "merge.h"
#include "model.h"
#include "proof.h"
#include "schema.h"
#include "stats.h"
#include "trust.h"
#include "verifier.h"
#include "xml.h"
#include "testmain.h"
#include "testpki.h"

#define S	STATS_SHOWN
#define P	STATS_PRIMARY
#define C	STATS_COMPLEMENT
#define F	STATS_FEW

/* --- helpers for result elements ----------------------------------------- */

#define NDOCS	16
static xmlDocPtr docs[NDOCS];
static int ndocs;

/* The root of a parsed result element, freed at the end of the test. */
static xmlNodePtr
el(const char *xml)
{
	struct err e;
	xmlDocPtr d;

	err_clear(&e);
	d = xml_parse(xml, strlen(xml), "results", &xml_limits_answer, &e);
	if (d == NULL) {
		printf("\n  el: %s\n", e.msg);
		return NULL;
	}
	if (ndocs == NDOCS) {
		xmlFreeDoc(d);
		return NULL;
	}
	docs[ndocs++] = d;
	return xmlDocGetRootElement(d);
}

static void
docs_free(void)
{
	while (ndocs > 0)
		xmlFreeDoc(docs[--ndocs]);
}

/* One Result of unit u in region reg with score sc. */
static void
result(char *buf, size_t len, const char *u, const char *reg, long sc,
    const char *name)
{
	size_t off = strlen(buf);

	snprintf(buf + off, len - off, "<Result><Unit>%s</Unit>"
	    "<Name>%s</Name><Region>%s</Region><Type>childrens-home</Type>"
	    "<ServiceLevel>special</ServiceLevel><FreePlaces>1</FreePlaces>"
	    "<DailyPrice>500.00</DailyPrice><Score>%ld</Score>"
	    "<NeedsMet>1</NeedsMet><NeedsAsked>1</NeedsAsked>"
	    "<InFramework>false</InFramework><OpenSerious>0</OpenSerious>"
	    "<RecentFindings>0</RecentFindings></Result>", u, name, reg, sc);
}

#define PR_OPEN	"<PlacementResults xmlns=\"urn:lasteri:1\" scanned=\"10\" " \
	"matched=\"%d\">"

static void
placement_query(struct envelope_query *q, int limit)
{
	envelope_query_init(q, ENVELOPE_SEARCH);
	q->search.age = 12;
	q->search.limit = limit;
}

static void
stats_query(struct envelope_query *q, int threshold)
{
	envelope_query_init(q, ENVELOPE_STATISTICS);
	q->stats.by = ENVELOPE_BY_TYPE;
	q->stats.threshold = threshold;
}

/* The text of child local of n (first), in a static buffer. */
static const char *
text_of(xmlNodePtr n, const char *local)
{
	static char buf[256];
	xmlNodePtr c;
	char *t;

	buf[0] = '\0';
	for (c = xml_first_elem(n); c != NULL; c = xml_next_elem(c))
		if (xml_is(c, local)) {
			if ((t = xml_text(c, NULL)) != NULL) {
				snprintf(buf, sizeof(buf), "%s", t);
				xmlFree(t);
			}
			break;
		}
	return buf;
}

static const char *
prop(xmlNodePtr n, const char *name)
{
	static char buf[4][128];
	static int k;
	xmlChar *s;

	k = (k + 1) % 4;
	buf[k][0] = '\0';
	if ((s = xmlGetNoNsProp(n, (const xmlChar *)name)) != NULL) {
		snprintf(buf[k], sizeof(buf[k]), "%s", (char *)s);
		xmlFree(s);
	} else
		snprintf(buf[k], sizeof(buf[k]), "(none)");
	return buf[k];
}

/* The i-th element child of n. */
static xmlNodePtr
nth(xmlNodePtr n, int i)
{
	xmlNodePtr c;

	for (c = xml_first_elem(n); c != NULL && i > 0; c = xml_next_elem(c))
		i--;
	return c;
}

static int
nchildren(xmlNodePtr n)
{
	xmlNodePtr c;
	int k = 0;

	for (c = xml_first_elem(n); c != NULL; c = xml_next_elem(c))
		k++;
	return k;
}

/* The merged result validates inside a NationalAnswer: checked by the proof
 * tests; here, that no note was taken when none should be. */
static int
has_note(const struct merge_result *r, enum merge_note_kind k,
    const char *region, const char *needle)
{
	size_t i;

	for (i = 0; i < r->nnotes; i++)
		if (r->notes[i].kind == k &&
		    strcmp(r->notes[i].region, region) == 0 &&
		    strstr(r->notes[i].reason, needle) != NULL)
			return 1;
	for (i = 0; i < r->nnotes; i++)
		printf("\n  note %s %s: %s", merge_note_name(r->notes[i].kind),
		    r->notes[i].region, r->notes[i].reason);
	printf("\n  wanted %s %s \"%s\"\n", merge_note_name(k), region, needle);
	return 0;
}

/* --- placement -------------------------------------------------------------- */

/*
 * U-1 (home 02) is listed by 01 with a higher score (a stale copy) and by
 * 02: 02's version is kept.  U-2 (home 09, which did not answer) is listed
 * by 03 and 01: neither is home, so 01's (first in region code order).
 * The answers are handed over out of order.
 */
static void
test_keeps_the_home_regions_version_of_a_unit(void)
{
	char a1[4096], a2[4096], a3[4096];
	struct merge_answer a[3];
	struct envelope_query q;
	struct merge_result r;
	struct err e;
	xmlNodePtr root;

	snprintf(a1, sizeof(a1), PR_OPEN, 2);
	result(a1, sizeof(a1), "U-1", "02", 900, "stale");
	result(a1, sizeof(a1), "U-2", "09", 300, "from01");
	strncat(a1, "</PlacementResults>", sizeof(a1) - strlen(a1) - 1);
	snprintf(a2, sizeof(a2), PR_OPEN, 1);
	result(a2, sizeof(a2), "U-1", "02", 500, "home");
	strncat(a2, "</PlacementResults>", sizeof(a2) - strlen(a2) - 1);
	snprintf(a3, sizeof(a3), PR_OPEN, 1);
	result(a3, sizeof(a3), "U-2", "09", 700, "from03");
	strncat(a3, "</PlacementResults>", sizeof(a3) - strlen(a3) - 1);
	a[0] = (struct merge_answer){ "M03", "03", el(a3) };
	a[1] = (struct merge_answer){ "M02", "02", el(a2) };
	a[2] = (struct merge_answer){ "M01", "01", el(a1) };
	placement_query(&q, 20);
	err_clear(&e);
	CU_ASSERT_EQUAL_FATAL(merge_run(&q, NULL, 0, a, 3, &r, &e), 0);
	root = xmlDocGetRootElement(r.doc);
	CU_ASSERT_TRUE(xml_is(root, "PlacementResults"));
	CU_ASSERT_EQUAL(nchildren(root), 2);
	/* U-1 from 02 (score 500), U-2 from 01 (score 300). */
	CU_ASSERT_STRING_EQUAL(text_of(nth(root, 0), "Unit"), "U-1");
	CU_ASSERT_STRING_EQUAL(text_of(nth(root, 0), "Name"), "home");
	CU_ASSERT_STRING_EQUAL(prop(nth(root, 0), "answeredBy"), "02");
	CU_ASSERT_STRING_EQUAL(text_of(nth(root, 1), "Unit"), "U-2");
	CU_ASSERT_STRING_EQUAL(text_of(nth(root, 1), "Name"), "from01");
	CU_ASSERT_STRING_EQUAL(prop(nth(root, 1), "answeredBy"), "01");
	CU_ASSERT_STRING_EQUAL(prop(root, "scanned"), "30");
	CU_ASSERT_STRING_EQUAL(prop(root, "matched"), "4");
	CU_ASSERT_EQUAL(r.nnotes, 0);
	merge_result_clear(&r);
	docs_free();
}

/*
 * Scores 01: A 800, C 500; 02: B 800, D 900; 03: E 100.  Ranked as
 * search.c does (score descending, then unit ID): D 900, A 800, B 800,
 * C 500, E 100; limit 3 keeps D, A, B.
 */
static void
test_ranks_by_score_then_unit_id_and_keeps_the_limit(void)
{
	char a1[4096], a2[4096], a3[4096];
	struct merge_answer a[3];
	struct envelope_query q;
	struct merge_result r;
	struct err e;
	xmlNodePtr root;

	snprintf(a1, sizeof(a1), PR_OPEN, 2);
	result(a1, sizeof(a1), "A", "01", 800, "a");
	result(a1, sizeof(a1), "C", "01", 500, "c");
	strncat(a1, "</PlacementResults>", sizeof(a1) - strlen(a1) - 1);
	snprintf(a2, sizeof(a2), PR_OPEN, 2);
	result(a2, sizeof(a2), "B", "02", 800, "b");
	result(a2, sizeof(a2), "D", "02", 900, "d");
	strncat(a2, "</PlacementResults>", sizeof(a2) - strlen(a2) - 1);
	snprintf(a3, sizeof(a3), PR_OPEN, 1);
	result(a3, sizeof(a3), "E", "03", 100, "e");
	strncat(a3, "</PlacementResults>", sizeof(a3) - strlen(a3) - 1);
	a[0] = (struct merge_answer){ "M02", "02", el(a2) };
	a[1] = (struct merge_answer){ "M01", "01", el(a1) };
	a[2] = (struct merge_answer){ "M03", "03", el(a3) };
	placement_query(&q, 3);
	err_clear(&e);
	CU_ASSERT_EQUAL_FATAL(merge_run(&q, NULL, 0, a, 3, &r, &e), 0);
	root = xmlDocGetRootElement(r.doc);
	CU_ASSERT_EQUAL(nchildren(root), 3);
	CU_ASSERT_STRING_EQUAL(text_of(nth(root, 0), "Unit"), "D");
	CU_ASSERT_STRING_EQUAL(text_of(nth(root, 1), "Unit"), "A");
	CU_ASSERT_STRING_EQUAL(text_of(nth(root, 2), "Unit"), "B");
	CU_ASSERT_STRING_EQUAL(prop(nth(root, 2), "answeredBy"), "02");
	merge_result_clear(&r);
	docs_free();
}

static void
test_leaves_out_an_answer_of_the_wrong_kind_with_a_note(void)
{
	char a1[4096];
	struct merge_answer a[2];
	struct envelope_query q;
	struct merge_result r;
	struct err e;

	snprintf(a1, sizeof(a1), PR_OPEN, 1);
	result(a1, sizeof(a1), "A", "01", 800, "a");
	strncat(a1, "</PlacementResults>", sizeof(a1) - strlen(a1) - 1);
	a[0] = (struct merge_answer){ "M01", "01", el(a1) };
	a[1] = (struct merge_answer){ "M02", "02", el("<StatisticsResults "
	    "xmlns=\"urn:lasteri:1\"/>") };
	placement_query(&q, 20);
	err_clear(&e);
	CU_ASSERT_EQUAL_FATAL(merge_run(&q, NULL, 0, a, 2, &r, &e), 0);
	CU_ASSERT_EQUAL(nchildren(xmlDocGetRootElement(r.doc)), 1);
	CU_ASSERT_EQUAL(r.nexcluded, 1);
	CU_ASSERT_TRUE(has_note(&r, MERGE_NOTE_EXCLUDED, "02",
	    "answered with StatisticsResults, not PlacementResults"));
	merge_result_clear(&r);
	docs_free();
}

/* --- statistics ---------------------------------------------------------- */

/* A cell's state (S, P, C, F) and value (-1 when hidden) at row key rk,
 * column index col of table name in a merged StatisticsResults. */
static int
cell(const struct merge_result *r, const char *name, const char *rk,
    int col, long *value)
{
	xmlNodePtr t, row, c;
	const char *st, *v;

	*value = -1;
	for (t = xml_first_elem(xmlDocGetRootElement(r->doc)); t != NULL;
	    t = xml_next_elem(t)) {
		if (strcmp(prop(t, "name"), name) != 0)
			continue;
		for (row = xml_first_elem(t); row != NULL;
		    row = xml_next_elem(row)) {
			if (!xml_is(row, "Row") || strcmp(prop(row, "key"),
			    rk) != 0)
				continue;
			if ((c = nth(row, col)) == NULL)
				return -1;
			st = prop(c, "state");
			v = prop(c, "value");
			if (strcmp(st, "(none)") == 0) {
				*value = strtol(v, NULL, 10);
				return S;
			}
			return strcmp(st, "primary") == 0 ? P :
			    strcmp(st, "complement") == 0 ? C :
			    strcmp(st, "few") == 0 ? F : -1;
		}
	}
	return -1;
}

#define SUP_OPEN "<StatisticsResults xmlns=\"urn:lasteri:1\">" \
	"<Table name=\"supervision\" by=\"type\" threshold=\"%d\">" \
	"<Column key=\"visits\"/><Column key=\"complaints\"/>"
#define ROW2(k, a, b) "<Row key=\"" k "\">" a b "</Row>"
#define V(n)	"<Cell value=\"" #n "\"/>"
#define HP	"<Cell state=\"primary\"/>"
#define HC	"<Cell state=\"complement\"/>"
#define SUP_CLOSE "</Table></StatisticsResults>"

/*
 * stats_suppress_pre() on one column whose first cell arrives hidden:
 *   [hidden] 12 30 | 50  ->  hidden x 30 | 50
 * stats_suppress() on the same values would show everything (no value is
 * below 5 among the shown ones): the pre-hidden cell needs its complement.
 */
static void
test_suppression_honours_cells_hidden_on_entry(void)
{
	const long v[] = { 0, 12, 30, 50 };
	const size_t m[] = { 0, 1, 2 };
	const struct stats_line l = { 3, m, 3 };
	unsigned char st[4] = { P, S, S, S }, plain[4];
	const unsigned char want[] = { P, C, S, S };

	stats_suppress_pre(v, 4, &l, 1, 5, st);
	CU_ASSERT_EQUAL(memcmp(st, want, sizeof(want)), 0);
	stats_suppress(v, 4, &l, 1, 5, plain);
	CU_ASSERT_EQUAL(plain[0], S);
	CU_ASSERT_EQUAL(plain[1], S);
}

/* With nothing hidden on entry it is stats_suppress(). */
static void
test_suppression_with_nothing_hidden_is_the_plain_one(void)
{
	const long v[] = { 10, 3, 12, 25 };
	const size_t m[] = { 0, 1, 2 };
	const struct stats_line l = { 3, m, 3 };
	unsigned char a[4] = { S, S, S, S }, b[4];

	stats_suppress_pre(v, 4, &l, 1, 5, a);
	stats_suppress(v, 4, &l, 1, 5, b);
	CU_ASSERT_EQUAL(memcmp(a, b, 4), 0);
	CU_ASSERT_EQUAL(a[1], P);
	CU_ASSERT_EQUAL(a[0], C);
}

/*
 * The hand-checked case of issue 10.  Supervision visits by type,
 * threshold 5:
 *
 *              A (01)      B (02)   C (03)   national
 *   home       <5 (3)      20       10       ?
 *   family     12          30       40       82
 *   total      15          50       50       115
 *
 * A hid its 3 (primary) and showed its total, and hid no complement in
 * the column (the merge cannot see a region's hidden values and does not
 * rely on each region's complements).  B and C showed theirs.  Merged
 * without complementary suppression, the national table would show
 * family 82 and total 115: home = 115 - 82 = 33, and 33 - 20 - 10 = 3 is
 * A's hidden value, from the national table and B's and C's answers.
 * With it, "home" is hidden (it has a hidden part: primary) and "family"
 * is hidden as its complement; the column then has two unknowns and one
 * equation (home + family = 115, i.e. A's home + A's family = 115 - 50 -
 * 50 = 15), which no arithmetic on the shown national cells and B's and
 * C's answers solves.  Complaints (all shown, 0 or >= 5) stay shown.
 */
static void
test_hides_a_recoverable_cell_of_one_region_in_the_national_table(void)
{
	struct merge_answer a[3];
	struct envelope_query q;
	struct merge_result r;
	struct err e;
	long v;

	a[0] = (struct merge_answer){ "M01", "01", el("<StatisticsResults "
	    "xmlns=\"urn:lasteri:1\"><Table name=\"supervision\" by=\"type\" "
	    "threshold=\"5\"><Column key=\"visits\"/>"
	    "<Column key=\"complaints\"/>"
	    ROW2("home", HP, V(0)) ROW2("family", V(12), V(6))
	    ROW2("total", V(15), V(6)) SUP_CLOSE) };
	a[1] = (struct merge_answer){ "M02", "02", el("<StatisticsResults "
	    "xmlns=\"urn:lasteri:1\"><Table name=\"supervision\" by=\"type\" "
	    "threshold=\"5\"><Column key=\"visits\"/>"
	    "<Column key=\"complaints\"/>"
	    ROW2("home", V(20), V(0)) ROW2("family", V(30), V(7))
	    ROW2("total", V(50), V(7)) SUP_CLOSE) };
	a[2] = (struct merge_answer){ "M03", "03", el("<StatisticsResults "
	    "xmlns=\"urn:lasteri:1\"><Table name=\"supervision\" by=\"type\" "
	    "threshold=\"5\"><Column key=\"visits\"/>"
	    "<Column key=\"complaints\"/>"
	    ROW2("home", V(10), V(0)) ROW2("family", V(40), V(0))
	    ROW2("total", V(50), V(0)) SUP_CLOSE) };
	stats_query(&q, 5);
	err_clear(&e);
	CU_ASSERT_EQUAL_FATAL(merge_run(&q, NULL, 0, a, 3, &r, &e), 0);
	CU_ASSERT_EQUAL(r.nnotes, 0);
	CU_ASSERT_EQUAL(cell(&r, "supervision", "home", 0, &v), P);
	CU_ASSERT_EQUAL(cell(&r, "supervision", "family", 0, &v), C);
	CU_ASSERT_EQUAL(cell(&r, "supervision", "total", 0, &v), S);
	CU_ASSERT_EQUAL(v, 115);
	CU_ASSERT_EQUAL(cell(&r, "supervision", "home", 1, &v), S);
	CU_ASSERT_EQUAL(v, 0);
	CU_ASSERT_EQUAL(cell(&r, "supervision", "family", 1, &v), S);
	CU_ASSERT_EQUAL(v, 13);
	CU_ASSERT_EQUAL(cell(&r, "supervision", "total", 1, &v), S);
	CU_ASSERT_EQUAL(v, 13);
	merge_result_clear(&r);
	docs_free();
}

/*
 * Regions may apply different thresholds (each the larger of the Query's
 * and its own).  A (threshold 3) shows 4; B and C (threshold 5) have 0:
 * the national sum 4 is below the national threshold 5 (the largest), so
 * it is primary, and a complement goes with it ("family", 40, the smallest
 * other non-zero cell).  A capacity table with the same small numbers is
 * never suppressed.
 */
static void
test_suppresses_a_small_national_sum_and_never_capacity(void)
{
	struct merge_answer a[3];
	struct envelope_query q;
	struct merge_result r;
	struct err e;
	long v;

#define T3(n, thr, h, f, t) "<Table name=\"" n "\" by=\"type\" " \
	"threshold=\"" #thr "\"><Column key=\"visits\"/>" \
	"<Row key=\"home\">" V(h) "</Row><Row key=\"family\">" V(f) "</Row>" \
	"<Row key=\"total\">" V(t) "</Row></Table>"
	a[0] = (struct merge_answer){ "M01", "01", el("<StatisticsResults "
	    "xmlns=\"urn:lasteri:1\">" T3("capacity", 3, 4, 10, 14)
	    T3("supervision", 3, 4, 10, 14) "</StatisticsResults>") };
	a[1] = (struct merge_answer){ "M02", "02", el("<StatisticsResults "
	    "xmlns=\"urn:lasteri:1\">" T3("capacity", 5, 0, 30, 30)
	    T3("supervision", 5, 0, 30, 30) "</StatisticsResults>") };
	a[2] = (struct merge_answer){ "M03", "03", el("<StatisticsResults "
	    "xmlns=\"urn:lasteri:1\">" T3("capacity", 5, 0, 0, 0)
	    T3("supervision", 5, 0, 0, 0) "</StatisticsResults>") };
	stats_query(&q, 3);
	err_clear(&e);
	CU_ASSERT_EQUAL_FATAL(merge_run(&q, NULL, 0, a, 3, &r, &e), 0);
	CU_ASSERT_EQUAL(cell(&r, "supervision", "home", 0, &v), P);
	CU_ASSERT_EQUAL(cell(&r, "supervision", "family", 0, &v), C);
	CU_ASSERT_EQUAL(cell(&r, "supervision", "total", 0, &v), S);
	CU_ASSERT_EQUAL(v, 44);
	CU_ASSERT_EQUAL(cell(&r, "capacity", "home", 0, &v), S);
	CU_ASSERT_EQUAL(v, 4);
	CU_ASSERT_EQUAL(cell(&r, "capacity", "family", 0, &v), S);
	CU_ASSERT_EQUAL(v, 40);
	CU_ASSERT_STRING_EQUAL(prop(nth(xmlDocGetRootElement(r.doc), 1),
	    "threshold"), "5");
	merge_result_clear(&r);
	docs_free();
#undef T3
}

/*
 * Rows are matched by key; a row a region left out counts as zeros and
 * lands where the region that has it lists it ("none" before "total").
 * A capacity cell with a hidden part is hidden (its value is unknown).
 *   01: home 2, total 2          02: home 3, none 1, total 4
 *   merged: home 5, none 1, total 6 (capacity: plain sums)
 */
static void
test_matches_rows_by_key_and_keeps_their_order(void)
{
	struct merge_answer a[2];
	struct envelope_query q;
	struct merge_result r;
	struct err e;
	xmlNodePtr t;
	long v;

	a[0] = (struct merge_answer){ "M01", "01", el("<StatisticsResults "
	    "xmlns=\"urn:lasteri:1\"><Table name=\"capacity\" by=\"type\" "
	    "threshold=\"5\"><Column key=\"units\"/><Column key=\"places\"/>"
	    ROW2("home", V(2), V(9)) ROW2("total", V(2), V(9)) SUP_CLOSE) };
	a[1] = (struct merge_answer){ "M02", "02", el("<StatisticsResults "
	    "xmlns=\"urn:lasteri:1\"><Table name=\"capacity\" by=\"type\" "
	    "threshold=\"5\"><Column key=\"units\"/><Column key=\"places\"/>"
	    ROW2("home", V(3), HC) ROW2("none", V(1), V(2))
	    ROW2("total", V(4), V(12)) SUP_CLOSE) };
	stats_query(&q, 0);
	err_clear(&e);
	CU_ASSERT_EQUAL_FATAL(merge_run(&q, NULL, 0, a, 2, &r, &e), 0);
	t = nth(xmlDocGetRootElement(r.doc), 0);
	CU_ASSERT_STRING_EQUAL(prop(nth(t, 2), "key"), "home");
	CU_ASSERT_STRING_EQUAL(prop(nth(t, 3), "key"), "none");
	CU_ASSERT_STRING_EQUAL(prop(nth(t, 4), "key"), "total");
	CU_ASSERT_EQUAL(cell(&r, "capacity", "home", 0, &v), S);
	CU_ASSERT_EQUAL(v, 5);
	CU_ASSERT_EQUAL(cell(&r, "capacity", "home", 1, &v), C);
	CU_ASSERT_EQUAL(cell(&r, "capacity", "none", 0, &v), S);
	CU_ASSERT_EQUAL(v, 1);
	CU_ASSERT_EQUAL(cell(&r, "capacity", "total", 1, &v), S);
	CU_ASSERT_EQUAL(v, 21);
	merge_result_clear(&r);
	docs_free();
}

/*
 * Prices (EUR cents), one group "home" at level special, and the total:
 *   01: units 4, min 40000, p25 45000, median 50000, p75 55000, max 60000
 *   02: units 3, min 30000, p25 31000, median 32000, p75 33000, max 70000
 *   03: no units in "home"; units 3 in "solo" (only 03 has units there)
 * Merged "home": units 7, min 30000, max 70000, percentiles few (they are
 * not a function of the parts'); "solo": 03's figures as they are.
 */
static void
test_merges_prices_without_inventing_percentiles(void)
{
	struct merge_answer a[3];
	struct envelope_query q;
	struct merge_result r;
	struct err e;
	long v;

#define PRICES_OPEN "<StatisticsResults xmlns=\"urn:lasteri:1\">" \
	"<Table name=\"prices\" by=\"type\" threshold=\"5\">" \
	"<Column key=\"units\"/><Column key=\"min\"/><Column key=\"p25\"/>" \
	"<Column key=\"median\"/><Column key=\"p75\"/><Column key=\"max\"/>"
#define FEW "<Cell state=\"few\"/>"
#define PROW(k, u, mn, a, b, c, mx) "<Row key=\"" k "\" level=\"special\">" \
	u mn a b c mx "</Row>"
	a[0] = (struct merge_answer){ "M01", "01", el(PRICES_OPEN
	    PROW("home", V(4), V(40000), V(45000), V(50000), V(55000),
	    V(60000)) PROW("solo", V(0), FEW, FEW, FEW, FEW, FEW)
	    SUP_CLOSE) };
	a[1] = (struct merge_answer){ "M02", "02", el(PRICES_OPEN
	    PROW("home", V(3), V(30000), V(31000), V(32000), V(33000),
	    V(70000))
	    PROW("solo", V(0), FEW, FEW, FEW, FEW, FEW) SUP_CLOSE) };
	a[2] = (struct merge_answer){ "M03", "03", el(PRICES_OPEN
	    PROW("home", V(0), FEW, FEW, FEW, FEW, FEW)
	    PROW("solo", V(3), V(20000), V(21000), V(22000), V(23000),
	    V(24000)) SUP_CLOSE) };
	stats_query(&q, 0);
	err_clear(&e);
	CU_ASSERT_EQUAL_FATAL(merge_run(&q, NULL, 0, a, 3, &r, &e), 0);
	CU_ASSERT_EQUAL(r.nnotes, 0);
	CU_ASSERT_EQUAL(cell(&r, "prices", "home", 0, &v), S);
	CU_ASSERT_EQUAL(v, 7);
	CU_ASSERT_EQUAL(cell(&r, "prices", "home", 1, &v), S);
	CU_ASSERT_EQUAL(v, 30000);
	CU_ASSERT_EQUAL(cell(&r, "prices", "home", 2, &v), F);
	CU_ASSERT_EQUAL(cell(&r, "prices", "home", 3, &v), F);
	CU_ASSERT_EQUAL(cell(&r, "prices", "home", 4, &v), F);
	CU_ASSERT_EQUAL(cell(&r, "prices", "home", 5, &v), S);
	CU_ASSERT_EQUAL(v, 70000);
	CU_ASSERT_EQUAL(cell(&r, "prices", "solo", 3, &v), S);
	CU_ASSERT_EQUAL(v, 22000);
	CU_ASSERT_EQUAL(cell(&r, "prices", "solo", 0, &v), S);
	CU_ASSERT_EQUAL(v, 3);
	CU_ASSERT_STRING_EQUAL(prop(nth(nth(xmlDocGetRootElement(r.doc), 0),
	    6), "level"), "special");
	merge_result_clear(&r);
	docs_free();
#undef PROW
}

/*
 * Prices rows sent without a level attribute, one per level in vocabulary
 * order under the group's key (as node/stats.c orders them), match by
 * their place among the rows of that key: the second "home" row of 01
 * (units 2) meets the second of 02 (units 5), not the first (units 1).
 */
static void
test_matches_prices_rows_without_levels_by_their_place(void)
{
	struct merge_answer a[2];
	struct envelope_query q;
	struct merge_result r;
	struct err e;
	xmlNodePtr t;

#define NLROW(u) "<Row key=\"home\">" u FEW FEW FEW FEW FEW "</Row>"
	a[0] = (struct merge_answer){ "M01", "01", el(PRICES_OPEN
	    NLROW(V(0)) NLROW(V(2)) SUP_CLOSE) };
	a[1] = (struct merge_answer){ "M02", "02", el(PRICES_OPEN
	    NLROW(V(1)) NLROW(V(5)) SUP_CLOSE) };
	stats_query(&q, 0);
	err_clear(&e);
	CU_ASSERT_EQUAL_FATAL(merge_run(&q, NULL, 0, a, 2, &r, &e), 0);
	CU_ASSERT_EQUAL(r.nnotes, 0);
	t = nth(xmlDocGetRootElement(r.doc), 0);
	CU_ASSERT_EQUAL(nchildren(t), 6 + 2);
	CU_ASSERT_STRING_EQUAL(prop(nth(t, 6), "key"), "home");
	CU_ASSERT_STRING_EQUAL(prop(nth(nth(t, 6), 0), "value"), "1");
	CU_ASSERT_STRING_EQUAL(prop(nth(nth(t, 7), 0), "value"), "7");
	CU_ASSERT_STRING_EQUAL(prop(nth(t, 7), "level"), "(none)");
	merge_result_clear(&r);
	/* In a count table the same key twice is refused. */
	a[1] = (struct merge_answer){ "M02", "02", el("<StatisticsResults "
	    "xmlns=\"urn:lasteri:1\"><Table name=\"capacity\" by=\"type\" "
	    "threshold=\"5\"><Column key=\"units\"/>"
	    "<Row key=\"home\">" V(1) "</Row><Row key=\"home\">" V(2) "</Row>"
	    SUP_CLOSE) };
	a[0] = (struct merge_answer){ "M01", "01", el("<StatisticsResults "
	    "xmlns=\"urn:lasteri:1\"/>") };
	CU_ASSERT_EQUAL_FATAL(merge_run(&q, NULL, 0, a, 2, &r, &e), 0);
	CU_ASSERT_TRUE(has_note(&r, MERGE_NOTE_EXCLUDED, "02",
	    "a Row key twice"));
	merge_result_clear(&r);
	docs_free();
#undef NLROW
}

/* A region whose table does not line up is left out whole. */
static void
test_leaves_out_a_region_whose_table_does_not_line_up(void)
{
	struct merge_answer a[2];
	struct envelope_query q;
	struct merge_result r;
	struct err e;
	long v;

	a[0] = (struct merge_answer){ "M01", "01", el("<StatisticsResults "
	    "xmlns=\"urn:lasteri:1\"><Table name=\"capacity\" by=\"type\" "
	    "threshold=\"5\"><Column key=\"units\"/><Column key=\"places\"/>"
	    ROW2("home", V(2), V(9)) ROW2("total", V(2), V(9)) SUP_CLOSE) };
	a[1] = (struct merge_answer){ "M02", "02", el("<StatisticsResults "
	    "xmlns=\"urn:lasteri:1\"><Table name=\"capacity\" by=\"type\" "
	    "threshold=\"5\"><Column key=\"places\"/><Column key=\"units\"/>"
	    ROW2("home", V(50), V(7)) ROW2("total", V(50), V(7)) SUP_CLOSE) };
	stats_query(&q, 0);
	err_clear(&e);
	CU_ASSERT_EQUAL_FATAL(merge_run(&q, NULL, 0, a, 2, &r, &e), 0);
	CU_ASSERT_TRUE(has_note(&r, MERGE_NOTE_EXCLUDED, "02",
	    "its columns are not those of the other regions' table"));
	CU_ASSERT_EQUAL(cell(&r, "capacity", "home", 0, &v), S);
	CU_ASSERT_EQUAL(v, 2);
	merge_result_clear(&r);
	/* And one grouped by another than the Query's By. */
	a[1] = (struct merge_answer){ "M02", "02", el("<StatisticsResults "
	    "xmlns=\"urn:lasteri:1\"><Table name=\"capacity\" by=\"region\" "
	    "threshold=\"5\"><Column key=\"units\"/><Column key=\"places\"/>"
	    ROW2("02", V(50), V(7)) ROW2("total", V(50), V(7)) SUP_CLOSE) };
	CU_ASSERT_EQUAL_FATAL(merge_run(&q, NULL, 0, a, 2, &r, &e), 0);
	CU_ASSERT_TRUE(has_note(&r, MERGE_NOTE_EXCLUDED, "02",
	    "grouped by another than the query's By"));
	merge_result_clear(&r);
	docs_free();
}

/* --- the test PKI --------------------------------------------------------- */

enum { R01, R02, R03, LVV, THL, NMEMBERS };
static const struct testpki_member members[NMEMBERS] = {
	{ "01", "region", "01", NULL, 7700 },
	{ "02", "region", "02", NULL, 7701 },
	{ "03", "region", "03", NULL, 7702 },
	{ "lvv", "supervisor", NULL, "LVV", 7703 },
	{ "thl", "coordinator", NULL, NULL, 7704 },
};

static struct testpki *pki;

static int
suite_init(void)
{
	pki = testpki_new("merge", members, NMEMBERS);
	return pki != NULL ? 0 : -1;
}

static int
suite_clean(void)
{
	return testpki_free(pki);
}

/* Bytes of the XML text signed by signer. */
static char *
signed_text(const char *xml, int signer, size_t *len)
{
	struct err e;
	xmlDocPtr d;
	char *out;

	err_clear(&e);
	if ((d = xml_parse(xml, strlen(xml), "doc", &xml_limits_wire,
	    &e)) == NULL) {
		printf("\n  signed_text: %s\n", e.msg);
		return NULL;
	}
	out = testpki_sign(pki, d, signer, len);
	xmlFreeDoc(d);
	return out;
}

/* A SupervisionRecord by LVV about unit U-7 (home region 02). */
static char *
record(const char *id, const char *opened, const char *measures, size_t *len)
{
	char xml[2048];

	snprintf(xml, sizeof(xml), "<SupervisionRecord xmlns=\"urn:lasteri:1\" "
	    "Id=\"%s\"><Kind>inspection-announced</Kind><Unit>U-7</Unit>"
	    "<UnitRegion>02</UnitRegion>"
	    "<ProviderBusinessId>2345678-0</ProviderBusinessId>"
	    "<Issuer>LVV</Issuer><CaseNumber>LVV/1/2026</CaseNumber>"
	    "<Opened>%s</Opened><Measures>%s</Measures><Status>open</Status>"
	    "<Issued>2026-09-20T10:00:00Z</Issued></SupervisionRecord>", id,
	    opened, measures);
	return signed_text(xml, LVV, len);
}

/* A SupervisionResults element of the n records (bytes, lengths). */
static xmlNodePtr
sup_results(char *const *rec, const size_t *len, int n)
{
	char *xml, *b64;
	size_t off, cap = 65536;
	xmlNodePtr root;
	int i;

	if ((xml = malloc(cap)) == NULL)
		return NULL;
	off = (size_t)snprintf(xml, cap, "<SupervisionResults "
	    "xmlns=\"urn:lasteri:1\">");
	for (i = 0; i < n; i++) {
		if ((b64 = merge_base64_encode(rec[i], len[i], NULL)) == NULL)
			break;
		off += (size_t)snprintf(xml + off, cap - off,
		    "<SignedRecord>%s</SignedRecord>", b64);
		free(b64);
	}
	snprintf(xml + off, cap - off, "</SupervisionResults>");
	root = el(xml);
	free(xml);
	return root;
}

static void
lookup_query(struct envelope_query *q)
{
	envelope_query_init(q, ENVELOPE_LOOKUP);
	snprintf(q->lookup.unit_id, sizeof(q->lookup.unit_id), "U-7");
}

/* The base64 of SignedRecord i of a merged result, decoded. */
static int
merged_record_has(const struct merge_result *r, int i, const char *needle)
{
	xmlNodePtr n = nth(xmlDocGetRootElement(r->doc), i);
	char *text, *bytes = NULL;
	size_t len;
	int ok;

	if (n == NULL || (text = xml_text(n, NULL)) == NULL)
		return 0;
	ok = merge_base64_decode(text, &bytes, &len, NULL) == 0 &&
	    strstr(bytes, needle) != NULL;
	xmlFree(text);
	free(bytes);
	return ok;
}

/* --- supervision ------------------------------------------------------------ */

static void
test_reverifies_every_record_and_drops_a_forged_one_with_the_reason(void)
{
	char *rec[3] = { NULL, NULL, NULL }, *p;
	size_t len[3];
	struct merge_answer a[1];
	struct envelope_query q;
	struct merge_result r;
	struct err e;

	rec[0] = record("LVV-2026-000001", "2026-03-01", "Fix it.", &len[0]);
	rec[1] = record("LVV-2026-000002", "2026-04-01", "Fix that.",
	    &len[1]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rec[0]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rec[1]);
	/* Region 01 alters the second record's signed text. */
	CU_ASSERT_PTR_NOT_NULL_FATAL((p = strstr(rec[1], "Fix that.")));
	memcpy(p, "Fix none.", 9);
	/* And passes off an unsigned one. */
	{
		static const char unsig[] = "<SupervisionRecord "
		    "xmlns=\"urn:lasteri:1\" Id=\"LVV-2026-000003\">"
		    "<Kind>inspection-announced</Kind><Unit>U-7</Unit>"
		    "<ProviderBusinessId>2345678-0</ProviderBusinessId>"
		    "<Issuer>LVV</Issuer><CaseNumber>LVV/1/2026</CaseNumber>"
		    "<Opened>2026-05-01</Opened><Status>open</Status>"
		    "<Issued>2026-09-20T10:00:00Z</Issued>"
		    "</SupervisionRecord>";

		rec[2] = (char *)xmlStrdup((const xmlChar *)unsig);
		len[2] = strlen(unsig);
	}
	a[0] = (struct merge_answer){ pki->ids[R01], "01", sup_results(rec, len,
	    3) };
	lookup_query(&q);
	err_clear(&e);
	CU_ASSERT_EQUAL_FATAL(merge_run(&q, pki->ver, pki->now, a, 1, &r, &e),
	    0);
	CU_ASSERT_EQUAL(nchildren(xmlDocGetRootElement(r.doc)), 1);
	CU_ASSERT_TRUE(merged_record_has(&r, 0, "LVV-2026-000001"));
	CU_ASSERT_STRING_EQUAL(prop(nth(xmlDocGetRootElement(r.doc), 0),
	    "answeredBy"), "01");
	CU_ASSERT_EQUAL(r.ndropped, 2);
	CU_ASSERT_TRUE(has_note(&r, MERGE_NOTE_DROPPED, "01",
	    "(bad-signature)"));
	CU_ASSERT_TRUE(has_note(&r, MERGE_NOTE_DROPPED, "01", "not signed"));
	merge_result_clear(&r);
	/* Without a verifier nothing is taken on trust. */
	CU_ASSERT_EQUAL(merge_run(&q, NULL, pki->now, a, 1, &r, &e), -1);
	CU_ASSERT_EQUAL(e.code, ERR_USAGE);
	xmlFree(rec[0]);
	xmlFree(rec[1]);
	xmlFree(rec[2]);
	docs_free();
}

static void
test_drops_a_genuine_record_about_another_unit(void)
{
	char *rec[1], xml[2048];
	size_t len[1];
	struct merge_answer a[1];
	struct envelope_query q;
	struct merge_result r;
	struct err e;

	snprintf(xml, sizeof(xml), "<SupervisionRecord xmlns=\"urn:lasteri:1\" "
	    "Id=\"LVV-2026-000009\"><Kind>inspection-announced</Kind>"
	    "<Unit>U-8</Unit><ProviderBusinessId>2345678-0"
	    "</ProviderBusinessId><Issuer>LVV</Issuer><CaseNumber>LVV/1/2026"
	    "</CaseNumber><Opened>2026-03-01</Opened><Status>open</Status>"
	    "<Issued>2026-09-20T10:00:00Z</Issued></SupervisionRecord>");
	rec[0] = signed_text(xml, LVV, &len[0]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rec[0]);
	a[0] = (struct merge_answer){ pki->ids[R02], "02", sup_results(rec, len,
	    1) };
	lookup_query(&q);
	err_clear(&e);
	CU_ASSERT_EQUAL_FATAL(merge_run(&q, pki->ver, pki->now, a, 1, &r, &e),
	    0);
	CU_ASSERT_EQUAL(nchildren(xmlDocGetRootElement(r.doc)), 0);
	CU_ASSERT_TRUE(has_note(&r, MERGE_NOTE_DROPPED, "02",
	    "is about unit U-8"));
	merge_result_clear(&r);
	xmlFree(rec[0]);
	docs_free();
}

/*
 * Record 1 is answered by 01 and by 02 (the unit's home region), the same
 * signed content: kept once, 02's copy.  Record 2 exists in two versions
 * under one Id (LVV signed twice): 01 has one, 02 the other: 02's is kept
 * and a conflict is reported.  Record 3 only 03 has.  Order: Opened, Id.
 */
static void
test_keeps_one_copy_per_record_and_reports_a_conflict(void)
{
	char *r1, *r2a, *r2b, *r3, *s1[3], *s2[2], *s3[1];
	size_t l1, l2a, l2b, l3, n1[3], n2[2], n3[1];
	struct merge_answer a[3];
	struct envelope_query q;
	struct merge_result r;
	struct err e;
	xmlNodePtr root;

	r1 = record("LVV-2026-000011", "2026-06-01", "First.", &l1);
	r2a = record("LVV-2026-000012", "2026-02-01", "Version A.", &l2a);
	r2b = record("LVV-2026-000012", "2026-02-01", "Version B.", &l2b);
	r3 = record("LVV-2026-000013", "2026-02-01", "Third.", &l3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r2a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r2b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r3);
	s1[0] = r1; n1[0] = l1;
	s1[1] = r2a; n1[1] = l2a;
	s2[0] = r2b; n2[0] = l2b;
	s2[1] = r1; n2[1] = l1;
	s3[0] = r3; n3[0] = l3;
	a[0] = (struct merge_answer){ pki->ids[R01], "01",
	    sup_results(s1, n1, 2) };
	a[1] = (struct merge_answer){ pki->ids[R02], "02",
	    sup_results(s2, n2, 2) };
	a[2] = (struct merge_answer){ pki->ids[R03], "03",
	    sup_results(s3, n3, 1) };
	lookup_query(&q);
	err_clear(&e);
	CU_ASSERT_EQUAL_FATAL(merge_run(&q, pki->ver, pki->now, a, 3, &r, &e),
	    0);
	root = xmlDocGetRootElement(r.doc);
	CU_ASSERT_EQUAL_FATAL(nchildren(root), 3);
	CU_ASSERT_TRUE(merged_record_has(&r, 0, "Version B."));
	CU_ASSERT_STRING_EQUAL(prop(nth(root, 0), "answeredBy"), "02");
	CU_ASSERT_TRUE(merged_record_has(&r, 1, "Third."));
	CU_ASSERT_STRING_EQUAL(prop(nth(root, 1), "answeredBy"), "03");
	CU_ASSERT_TRUE(merged_record_has(&r, 2, "First."));
	CU_ASSERT_STRING_EQUAL(prop(nth(root, 2), "answeredBy"), "02");
	CU_ASSERT_EQUAL(r.nconflicts, 1);
	CU_ASSERT_TRUE(has_note(&r, MERGE_NOTE_CONFLICT, "01",
	    "record LVV-2026-000012: region 01's copy differs from region "
	    "02's, which is kept (the unit's home region)"));
	CU_ASSERT_EQUAL(r.ndropped, 0);
	merge_result_clear(&r);
	xmlFree(r1);
	xmlFree(r2a);
	xmlFree(r2b);
	xmlFree(r3);
	docs_free();
}

/* --- the proof ------------------------------------------------------------- */

/* A national search by thl, answered by 01 and 02 (03 timed out). */
struct fixture {
	char		*query;
	size_t		 qlen;
	unsigned char	 digest[32];
	char		*resp[3];
	size_t		 rlen[3];
	xmlDocPtr	 rdoc[3];
	struct envelope_query q;
	struct merge_result mr;
};

static char *
query_signed(enum envelope_kind kind, int signer, size_t *len,
    struct envelope_query *q)
{
	struct err e;
	xmlDocPtr doc;
	char *out;

	err_clear(&e);
	envelope_query_init(q, kind);
	snprintf(q->from, sizeof(q->from), "%s", pki->ids[THL]);
	if (kind == ENVELOPE_SEARCH) {
		q->search.age = 12;
		q->search.limit = 10;
	} else
		snprintf(q->lookup.unit_id, sizeof(q->lookup.unit_id), "U-7");
	if ((doc = envelope_query_new(q, pki->now, 60, &e)) == NULL) {
		printf("\n  envelope_query_new: %s\n", e.msg);
		return NULL;
	}
	out = testpki_sign(pki, doc, signer, len);
	xmlFreeDoc(doc);
	return out;
}

/* The signed Response of member from to the query of digest. */
static char *
response_signed(int from, const unsigned char digest[32], xmlNodePtr res,
    enum envelope_status st, size_t *len)
{
	struct err e;
	xmlDocPtr doc;
	char *out;

	err_clear(&e);
	doc = envelope_response_new(pki->ids[THL], digest, pki->ids[from], st,
	    st == ENVELOPE_ST_OK ? NULL : "busy", res, &e);
	if (doc == NULL) {
		printf("\n  envelope_response_new: %s\n", e.msg);
		return NULL;
	}
	out = testpki_sign(pki, doc, from, len);
	xmlFreeDoc(doc);
	return out;
}

static int
fixture_make(struct fixture *f, enum envelope_kind kind)
{
	char a1[4096], a2[4096];
	struct merge_answer a[2];
	struct envelope_response r;
	xmlNodePtr res[2];
	struct err e;
	int i;

	memset(f, 0, sizeof(*f));
	if ((f->query = query_signed(kind, THL, &f->qlen, &f->q)) == NULL)
		return -1;
	EVP_Digest(f->query, f->qlen, f->digest, NULL, EVP_sha256(), NULL);
	if (kind == ENVELOPE_SEARCH) {
		snprintf(a1, sizeof(a1), PR_OPEN, 2);
		result(a1, sizeof(a1), "U-1", "01", 800, "a");
		result(a1, sizeof(a1), "U-2", "01", 700, "b");
		strncat(a1, "</PlacementResults>", sizeof(a1) - strlen(a1) - 1);
		snprintf(a2, sizeof(a2), PR_OPEN, 1);
		result(a2, sizeof(a2), "U-3", "02", 750, "c");
		strncat(a2, "</PlacementResults>", sizeof(a2) - strlen(a2) - 1);
		res[0] = el(a1);
		res[1] = el(a2);
	} else {
		char *rec[1];
		size_t len[1];

		rec[0] = record("LVV-2026-000021", "2026-06-01", "Proof.",
		    &len[0]);
		if (rec[0] == NULL)
			return -1;
		res[0] = sup_results(rec, len, 1);
		res[1] = sup_results(rec, len, 1);
		xmlFree(rec[0]);
	}
	for (i = 0; i < 2; i++) {
		if ((f->resp[i] = response_signed(R01 + i, f->digest, res[i],
		    ENVELOPE_ST_OK, &f->rlen[i])) == NULL)
			return -1;
		/* As the fan-out does: check, then merge the results. */
		err_clear(&e);
		f->rdoc[i] = xml_parse(f->resp[i], f->rlen[i], "response",
		    &xml_limits_answer, &e);
		if (f->rdoc[i] == NULL || envelope_response_check(pki->ver,
		    f->rdoc[i], pki->ids[R01 + i], f->digest, pki->ids[THL],
		    pki->now, &r, &e) == -1) {
			printf("\n  fixture: %s\n", e.msg);
			return -1;
		}
		a[i].member = pki->ids[R01 + i];
		a[i].region = members[R01 + i].code;
		a[i].results = r.results;
	}
	if (merge_run(&f->q, pki->ver, pki->now, a, 2, &f->mr, &e) == -1) {
		printf("\n  merge: %s\n", e.msg);
		return -1;
	}
	docs_free();
	return 0;
}

static void
fixture_free(struct fixture *f)
{
	int i;

	xmlFree(f->query);
	for (i = 0; i < 3; i++) {
		xmlFree(f->resp[i]);
		xmlFreeDoc(f->rdoc[i]);
	}
	merge_result_clear(&f->mr);
	docs_free();
}

/* The status rows of the fixture: 01 ok, 02 ok, 03 timeout. */
static void
rows_of(const struct fixture *f, struct proof_row *rows)
{
	int i;

	memset(rows, 0, 3 * sizeof(*rows));
	for (i = 0; i < 3; i++) {
		rows[i].member = pki->ids[R01 + i];
		rows[i].region = members[R01 + i].code;
		rows[i].status = i < 2 ? "ok" : "timeout";
		rows[i].ms = i < 2 ? 40 + i : 5000;
		rows[i].detail = i < 2 ? NULL : "no answer within 5000 ms";
		rows[i].response = i < 2 ? f->resp[i] : NULL;
		rows[i].response_len = i < 2 ? f->rlen[i] : 0;
	}
}

/* The signed bytes of a NationalAnswer by signer over rows. */
static char *
proof_signed(const struct fixture *f, const struct proof_row *rows,
    size_t n, xmlNodePtr merged, int signer, size_t *len)
{
	struct err e;
	xmlDocPtr doc;
	char *out;

	err_clear(&e);
	doc = proof_new(pki->ids[signer], f->query, f->qlen, merged != NULL ?
	    merged : xmlDocGetRootElement(f->mr.doc), rows, n, &e);
	if (doc == NULL) {
		printf("\n  proof_new: %s\n", e.msg);
		return NULL;
	}
	out = testpki_sign(pki, doc, signer, len);
	xmlFreeDoc(doc);
	return out;
}

static int
check_bytes(const char *buf, size_t len, struct proof_report *rep,
    struct err *e)
{
	xmlDocPtr doc;
	int rc;

	err_clear(e);
	memset(rep, 0, sizeof(*rep));
	if (buf == NULL)
		return err_set(e, ERR_USAGE, "no proof was built");
	if ((doc = xml_parse(buf, len, "proof", &xml_limits_import,
	    e)) == NULL)
		return -1;
	rc = proof_check(pki->ver, doc, pki->now, rep, e);
	xmlFreeDoc(doc);
	return rc;
}

/* The proof of buf is refused with code and a message holding needle,
 * and the item of part (with region, "" any) failed. */
static int
refused(const char *what, const char *buf, size_t len, enum err_code code,
    const char *needle, enum proof_part part, const char *region)
{
	struct proof_report rep;
	struct err e;
	size_t i;
	int rc, ok = 0;

	rc = check_bytes(buf, len, &rep, &e);
	if (rc == 0)
		printf("\n  %s: accepted\n", what);
	else if (e.code != code || strstr(e.msg, needle) == NULL)
		printf("\n  %s: got %s \"%s\", wanted %s \"%s\"\n", what,
		    err_code_name(e.code), e.msg, err_code_name(code),
		    needle);
	else
		for (i = 0; i < rep.nitems; i++)
			if (rep.items[i].part == part && !rep.items[i].ok &&
			    (region[0] == '\0' ||
			    strcmp(rep.items[i].region, region) == 0))
				ok = 1;
	if (rc != 0 && ok == 0 && e.code == code)
		printf("\n  %s: no failed %s item\n", what,
		    proof_part_name(part));
	proof_report_clear(&rep);
	return ok;
}

static void
test_builds_and_checks_the_proof_of_a_national_search(void)
{
	struct proof_report rep;
	struct proof_row rows[3];
	struct fixture f;
	struct err e;
	size_t len = 0;
	char *buf;
	xmlDocPtr doc;

	CU_ASSERT_EQUAL_FATAL(fixture_make(&f, ENVELOPE_SEARCH), 0);
	rows_of(&f, rows);
	buf = proof_signed(&f, rows, 3, NULL, THL, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	/* Valid against the schema, one signature in the whole tree. */
	err_clear(&e);
	doc = xml_parse(buf, len, "proof", &xml_limits_import, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(schema_validate(doc, "proof", NULL, &e), 0);
	xmlFreeDoc(doc);
	CU_ASSERT_EQUAL(check_bytes(buf, len, &rep, &e), 0);
	if (e.code != ERR_OK)
		printf("\n  %s\n", e.msg);
	CU_ASSERT_EQUAL(rep.nfailed, 0);
	/* NationalAnswer, Query, Response 01, Response 02, row 03,
	 * Results. */
	CU_ASSERT_EQUAL_FATAL(rep.nitems, 6);
	CU_ASSERT_EQUAL(rep.items[0].part, PROOF_OUTER);
	CU_ASSERT_STRING_EQUAL(rep.items[0].member, pki->ids[THL]);
	CU_ASSERT_EQUAL(rep.items[1].part, PROOF_QUERY);
	CU_ASSERT_EQUAL(rep.items[2].part, PROOF_RESPONSE);
	CU_ASSERT_STRING_EQUAL(rep.items[2].member, pki->ids[R01]);
	CU_ASSERT_STRING_EQUAL(rep.items[3].region, "02");
	CU_ASSERT_EQUAL(rep.items[4].part, PROOF_ROW);
	CU_ASSERT_STRING_EQUAL(rep.items[4].status, "timeout");
	CU_ASSERT_EQUAL(rep.items[4].ms, 5000);
	CU_ASSERT_EQUAL(rep.items[5].part, PROOF_MERGED);
	CU_ASSERT_EQUAL(rep.items[5].count, 2);
	proof_report_clear(&rep);
	xmlFree(buf);
	fixture_free(&f);
}

static void
test_checks_the_proof_of_a_supervision_lookup(void)
{
	struct proof_report rep;
	struct proof_row rows[3];
	struct fixture f;
	struct err e;
	size_t len = 0;
	char *buf;

	CU_ASSERT_EQUAL_FATAL(fixture_make(&f, ENVELOPE_LOOKUP), 0);
	CU_ASSERT_EQUAL(nchildren(xmlDocGetRootElement(f.mr.doc)), 1);
	rows_of(&f, rows);
	buf = proof_signed(&f, rows, 3, NULL, THL, &len);
	CU_ASSERT_EQUAL(check_bytes(buf, len, &rep, &e), 0);
	if (e.code != ERR_OK)
		printf("\n  %s\n", e.msg);
	proof_report_clear(&rep);
	xmlFree(buf);
	fixture_free(&f);
}

/* The asker signs a merged result that is not the merge: a row none of
 * the regions sent. */
static void
test_refuses_a_merged_result_that_is_not_the_merge_of_the_answers(void)
{
	struct proof_row rows[3];
	struct fixture f;
	size_t len = 0;
	xmlNodePtr root, forged;
	char *buf;

	CU_ASSERT_EQUAL_FATAL(fixture_make(&f, ENVELOPE_SEARCH), 0);
	rows_of(&f, rows);
	root = xmlDocGetRootElement(f.mr.doc);
	forged = xmlCopyNode(nth(root, 0), 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(forged);
	xmlNodeSetContent(xml_first_elem(forged), (const xmlChar *)"U-99");
	xmlAddChild(root, forged);
	buf = proof_signed(&f, rows, 3, NULL, THL, &len);
	CU_ASSERT_TRUE(refused("forged row", buf, len, ERR_CONFLICT,
	    "is not the merge of the 2 ok Responses", PROOF_MERGED, ""));
	xmlFree(buf);
	xmlUnlinkNode(forged);
	xmlFreeNode(forged);
	/* Or leaves out a row an ok region sent (U-3, 02's, ranked second). */
	CU_ASSERT_STRING_EQUAL(text_of(nth(root, 1), "Unit"), "U-3");
	forged = nth(root, 1);
	xmlUnlinkNode(forged);
	xmlFreeNode(forged);
	buf = proof_signed(&f, rows, 3, NULL, THL, &len);
	CU_ASSERT_TRUE(refused("left out", buf, len, ERR_CONFLICT,
	    "is not the merge", PROOF_MERGED, ""));
	xmlFree(buf);
	fixture_free(&f);
}

/* Region 01's row carries 02's genuine answer. */
static void
test_refuses_a_row_whose_response_is_another_members(void)
{
	struct proof_row rows[3];
	struct fixture f;
	size_t len = 0;
	char *buf;

	CU_ASSERT_EQUAL_FATAL(fixture_make(&f, ENVELOPE_SEARCH), 0);
	rows_of(&f, rows);
	rows[0].response = f.resp[1];
	rows[0].response_len = f.rlen[1];
	buf = proof_signed(&f, rows, 3, NULL, THL, &len);
	CU_ASSERT_TRUE(refused("02's answer as 01's", buf, len,
	    ERR_SIGNATURE, "not by the member asked", PROOF_RESPONSE, "01"));
	xmlFree(buf);
	fixture_free(&f);
}

/* Region 02's genuine answer to an earlier query of thl's. */
static void
test_refuses_a_response_to_another_query(void)
{
	struct envelope_query q2;
	struct proof_row rows[3];
	struct fixture f;
	unsigned char md[32];
	size_t len = 0, qlen = 0, rlen = 0;
	char *buf, *q, *old;

	CU_ASSERT_EQUAL_FATAL(fixture_make(&f, ENVELOPE_SEARCH), 0);
	q = query_signed(ENVELOPE_SEARCH, THL, &qlen, &q2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	EVP_Digest(q, qlen, md, NULL, EVP_sha256(), NULL);
	old = response_signed(R02, md, el("<PlacementResults "
	    "xmlns=\"urn:lasteri:1\"/>"), ENVELOPE_ST_OK, &rlen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(old);
	rows_of(&f, rows);
	rows[1].response = old;
	rows[1].response_len = rlen;
	buf = proof_signed(&f, rows, 3, NULL, THL, &len);
	CU_ASSERT_TRUE(refused("replayed answer", buf, len, ERR_INTERNAL,
	    "wrong query digest", PROOF_RESPONSE, "02"));
	xmlFree(buf);
	xmlFree(old);
	xmlFree(q);
	fixture_free(&f);
}

/* A region member of the trust list without a row: not complete. */
static void
test_refuses_a_proof_without_a_row_for_every_region(void)
{
	struct proof_row rows[3];
	struct fixture f;
	size_t len = 0;
	char *buf;

	CU_ASSERT_EQUAL_FATAL(fixture_make(&f, ENVELOPE_SEARCH), 0);
	rows_of(&f, rows);
	buf = proof_signed(&f, rows, 2, NULL, THL, &len);
	CU_ASSERT_TRUE(refused("no row for 03", buf, len, ERR_INPUT,
	    "region 03", PROOF_MISSING, "03"));
	xmlFree(buf);
	fixture_free(&f);
}

/* A row that says timeout while the region's signed answer is ok (the
 * asker hides an answer from the merge), and one ok without a Response. */
static void
test_refuses_a_row_whose_status_is_not_its_responses(void)
{
	struct proof_row rows[3];
	struct fixture f;
	struct err e;
	size_t len = 0;
	char *buf;

	CU_ASSERT_EQUAL_FATAL(fixture_make(&f, ENVELOPE_SEARCH), 0);
	rows_of(&f, rows);
	rows[1].status = "timeout";
	buf = proof_signed(&f, rows, 3, NULL, THL, &len);
	CU_ASSERT_TRUE(refused("hidden answer", buf, len, ERR_INPUT,
	    "the row says timeout, the region's signed Response",
	    PROOF_RESPONSE, "02"));
	xmlFree(buf);
	rows_of(&f, rows);
	rows[2].status = "ok";
	err_clear(&e);
	CU_ASSERT_PTR_NULL(proof_new(pki->ids[THL], f.query, f.qlen,
	    xmlDocGetRootElement(f.mr.doc), rows, 3, &e));
	CU_ASSERT_EQUAL(e.code, ERR_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "is ok without its Response"));
	fixture_free(&f);
}

/* The proof's signature no longer verifies after a change, and a proof
 * signed by another member than the asker is refused. */
static void
test_refuses_a_tampered_proof_and_one_by_another_member(void)
{
	struct proof_row rows[3];
	struct fixture f;
	size_t len = 0;
	char *buf, *p;

	CU_ASSERT_EQUAL_FATAL(fixture_make(&f, ENVELOPE_SEARCH), 0);
	rows_of(&f, rows);
	buf = proof_signed(&f, rows, 3, NULL, THL, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	CU_ASSERT_PTR_NOT_NULL_FATAL((p = strstr(buf, "ms=\"5000\"")));
	p[4] = '1';
	CU_ASSERT_TRUE(refused("tampered", buf, len, ERR_SIGNATURE,
	    "NationalAnswer", PROOF_OUTER, ""));
	xmlFree(buf);
	/* Region 01 wraps thl's query and the answers in a proof of its
	 * own. */
	buf = proof_signed(&f, rows, 3, NULL, R01, &len);
	CU_ASSERT_TRUE(refused("01's proof of thl's query", buf, len,
	    ERR_SIGNATURE, "is signed by", PROOF_QUERY, ""));
	xmlFree(buf);
	fixture_free(&f);
}

/* From names another member than the signer; a row names the wrong
 * region for its member, or a member twice. */
static void
test_refuses_a_false_from_a_wrong_region_and_a_second_row(void)
{
	struct proof_row rows[4];
	struct fixture f;
	struct err e;
	xmlDocPtr doc;
	size_t len = 0;
	char *buf;

	CU_ASSERT_EQUAL_FATAL(fixture_make(&f, ENVELOPE_SEARCH), 0);
	rows_of(&f, rows);
	err_clear(&e);
	doc = proof_new(pki->ids[R01], f.query, f.qlen,
	    xmlDocGetRootElement(f.mr.doc), rows, 3, &e);
	buf = testpki_sign(pki, doc, THL, &len);
	xmlFreeDoc(doc);
	CU_ASSERT_TRUE(refused("From 01 signed by thl", buf, len,
	    ERR_SIGNATURE, "is not the signer", PROOF_OUTER, ""));
	xmlFree(buf);
	rows[2].region = "02";
	buf = proof_signed(&f, rows, 3, NULL, THL, &len);
	CU_ASSERT_TRUE(refused("03 as 02", buf, len, ERR_INPUT,
	    "is listed for region 03, the row says 02", PROOF_ROW, "02"));
	xmlFree(buf);
	rows_of(&f, rows);
	rows[3] = rows[2];
	buf = proof_signed(&f, rows, 4, NULL, THL, &len);
	CU_ASSERT_TRUE(refused("03 twice", buf, len, ERR_INPUT,
	    "has a second status row", PROOF_ROW, "03"));
	xmlFree(buf);
	fixture_free(&f);
}

/* --- lasteri verify -------------------------------------------------------- */

static int
write_file(const char *path, const char *buf, size_t len)
{
	FILE *f;
	int rc;

	if ((f = fopen(path, "w")) == NULL)
		return -1;
	rc = fwrite(buf, 1, len, f) == len ? 0 : -1;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

/* Runs lasteri verify on file; its exit status, its output in out. */
static int
run_verify(const char *file, char *out, size_t outlen)
{
	const char *lasteri = getenv("LASTERI");
	char cmd[2048];
	size_t n;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "'%s' verify --trust '%s/tl.xml' "
	    "--anchor '%s/pki/operator.crt' '%s' 2>&1", lasteri, pki->dir,
	    pki->dir, file);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	n = fread(out, 1, outlen - 1, p);
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
test_lasteri_verify_checks_every_document_of_a_proof(void)
{
	struct proof_row rows[3];
	struct fixture f;
	char path[600], out[8192], *buf;
	size_t len = 0;
	xmlNodePtr root, forged;

	if (getenv("LASTERI") == NULL) {
		printf("\n  (LASTERI not set: run through make check)\n");
		return;
	}
	CU_ASSERT_EQUAL_FATAL(fixture_make(&f, ENVELOPE_SEARCH), 0);
	snprintf(path, sizeof(path), "%s/tl.xml", pki->dir);
	CU_ASSERT_EQUAL_FATAL(write_file(path, pki->tl_bytes, pki->tl_len),
	    0);
	rows_of(&f, rows);
	buf = proof_signed(&f, rows, 3, NULL, THL, &len);
	snprintf(path, sizeof(path), "%s/proof.xml", pki->dir);
	CU_ASSERT_EQUAL_FATAL(write_file(path, buf, len), 0);
	xmlFree(buf);
	CU_ASSERT_EQUAL(run_verify(path, out, sizeof(out)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "proof.xml: OK signer="));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "kind=NationalAnswer"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "proof.xml: Query: OK"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "proof.xml: Response 01: OK"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "proof.xml: Response 02: OK"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "proof.xml: region 03: timeout"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "proof.xml: Results: OK the merge "
	    "of 2 ok Responses"));
	CU_ASSERT_PTR_NULL(strstr(out, "FAILED"));
	/* A forged merged row: exit 1, the failing part named. */
	root = xmlDocGetRootElement(f.mr.doc);
	forged = xmlCopyNode(nth(root, 0), 1);
	xmlNodeSetContent(xml_first_elem(forged), (const xmlChar *)"U-99");
	xmlAddChild(root, forged);
	buf = proof_signed(&f, rows, 3, NULL, THL, &len);
	CU_ASSERT_EQUAL_FATAL(write_file(path, buf, len), 0);
	xmlFree(buf);
	CU_ASSERT_EQUAL(run_verify(path, out, sizeof(out)), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "proof.xml: Results: FAILED the "
	    "merged PlacementResults is not the merge"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "proof.xml: Response 02: OK"));
	fixture_free(&f);
}

/* --- the example ------------------------------------------------------------ */

static void
test_validates_the_national_answer_example(void)
{
	char path[1100];
	struct err e;
	xmlDocPtr doc;

	err_clear(&e);
	snprintf(path, sizeof(path), "%s/../examples/national.xml",
	    schema_dir());
	doc = xml_read_file(path, &xml_limits_import, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(schema_validate(doc, "national.xml", NULL, &e), 0);
	if (e.code != ERR_OK)
		printf("\n  %s\n", e.msg);
	xmlFreeDoc(doc);
}

static CU_TestInfo placement_tests[] = {
	{ "keeps the home region's version of a unit",
	    test_keeps_the_home_regions_version_of_a_unit },
	{ "ranks by score, then unit ID, and keeps the limit",
	    test_ranks_by_score_then_unit_id_and_keeps_the_limit },
	{ "leaves out an answer of the wrong kind with a note",
	    test_leaves_out_an_answer_of_the_wrong_kind_with_a_note },
	CU_TEST_INFO_NULL
};

static CU_TestInfo statistics_tests[] = {
	{ "suppression honours cells hidden on entry",
	    test_suppression_honours_cells_hidden_on_entry },
	{ "suppression with nothing hidden is the plain one",
	    test_suppression_with_nothing_hidden_is_the_plain_one },
	{ "hides a recoverable cell of one region in the national table",
	    test_hides_a_recoverable_cell_of_one_region_in_the_national_table },
	{ "suppresses a small national sum, and never capacity",
	    test_suppresses_a_small_national_sum_and_never_capacity },
	{ "matches rows by key and keeps their order",
	    test_matches_rows_by_key_and_keeps_their_order },
	{ "merges prices without inventing percentiles",
	    test_merges_prices_without_inventing_percentiles },
	{ "matches prices rows without levels by their place",
	    test_matches_prices_rows_without_levels_by_their_place },
	{ "leaves out a region whose table does not line up",
	    test_leaves_out_a_region_whose_table_does_not_line_up },
	CU_TEST_INFO_NULL
};

static CU_TestInfo supervision_tests[] = {
	{ "re-verifies every record and drops a forged one with the reason",
	    test_reverifies_every_record_and_drops_a_forged_one_with_the_reason },
	{ "drops a genuine record about another unit",
	    test_drops_a_genuine_record_about_another_unit },
	{ "keeps one copy per record and reports a conflict",
	    test_keeps_one_copy_per_record_and_reports_a_conflict },
	CU_TEST_INFO_NULL
};

static CU_TestInfo proof_tests[] = {
	{ "builds and checks the proof of a national search",
	    test_builds_and_checks_the_proof_of_a_national_search },
	{ "checks the proof of a supervision look-up",
	    test_checks_the_proof_of_a_supervision_lookup },
	{ "refuses a merged result that is not the merge of the answers",
	    test_refuses_a_merged_result_that_is_not_the_merge_of_the_answers },
	{ "refuses a row whose Response is another member's",
	    test_refuses_a_row_whose_response_is_another_members },
	{ "refuses a Response to another query",
	    test_refuses_a_response_to_another_query },
	{ "refuses a proof without a row for every region",
	    test_refuses_a_proof_without_a_row_for_every_region },
	{ "refuses a row whose status is not its Response's",
	    test_refuses_a_row_whose_status_is_not_its_responses },
	{ "refuses a tampered proof and one by another member",
	    test_refuses_a_tampered_proof_and_one_by_another_member },
	{ "refuses a false From, a wrong region and a second row",
	    test_refuses_a_false_from_a_wrong_region_and_a_second_row },
	{ "lasteri verify checks every document of a proof",
	    test_lasteri_verify_checks_every_document_of_a_proof },
	{ "validates the NationalAnswer example",
	    test_validates_the_national_answer_example },
	CU_TEST_INFO_NULL
};

static int
init_plain(void)
{
	xml_init();
	return 0;
}

static int
clean_plain(void)
{
	return 0;
}

static CU_SuiteInfo suites[] = {
	{ "placement", init_plain, clean_plain, NULL, NULL, placement_tests },
	{ "statistics", init_plain, clean_plain, NULL, NULL,
	    statistics_tests },
	{ "supervision", suite_init, suite_clean, NULL, NULL,
	    supervision_tests },
	{ "proof", suite_init, suite_clean, NULL, NULL, proof_tests },
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	return test_run_suites(suites);
}
