/*
 * test_outbox.c - the outbox's policy (backoff schedule, what an answer
 * means) and its table in the store (state transitions, leases, idempotent
 * queueing, one transaction with the record).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outbox.h"
#include "store.h"
#include "store_outbox.h"
#include "testmain.h"

static char dir[256];
static char dbpath[300];
static int seq;

static struct store *
fresh(void)
{
	struct store *s = NULL;
	struct err e;

	snprintf(dbpath, sizeof(dbpath), "%s/o%d.db", dir, ++seq);
	if (store_open(dbpath, STORE_CREATE, &s, &e) == -1) {
		fprintf(stderr, "store_open: %s\n", e.msg);
		return NULL;
	}
	return s;
}

static void
gone(struct store *s)
{
	char p[400];

	store_close(s);
	unlink(dbpath);
	snprintf(p, sizeof(p), "%s-wal", dbpath);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", dbpath);
	unlink(p);
}

/* --- policy ----------------------------------------------------------------- */

static void
backoff_first_attempt_waits_the_minimum(void)
{
	CU_ASSERT_EQUAL(outbox_backoff_ms(1, 1000, 600000, 0), 1000);
	CU_ASSERT_EQUAL(outbox_backoff_ms(1, 1000, 600000, 123456), 1000);
}

static void
backoff_doubles_the_range_per_attempt_with_full_jitter(void)
{
	/* attempt 3: cap = 4 * min, so the delay spans [min, 4 min] */
	CU_ASSERT_EQUAL(outbox_backoff_ms(3, 1000, 600000, 0), 1000);
	CU_ASSERT_EQUAL(outbox_backoff_ms(3, 1000, 600000, 3000), 4000);
	CU_ASSERT_EQUAL(outbox_backoff_ms(3, 1000, 600000, 3001), 1000);
	CU_ASSERT_EQUAL(outbox_backoff_ms(2, 1000, 600000, 1000), 2000);
}

static void
backoff_never_passes_the_maximum(void)
{
	uint32_t r;
	int a;

	for (a = 1; a < 200; a += 7)
		for (r = 0; r < 4000000000U; r += 777777777U) {
			int64_t d = outbox_backoff_ms(a, 1000, 600000, r);

			CU_ASSERT(d >= 1000 && d <= 600000);
		}
	CU_ASSERT_EQUAL(outbox_backoff_ms(1000000, 1000, 600000, 599000),
	    600000);
}

static void
an_answer_decides_the_next_state(void)
{
	CU_ASSERT_EQUAL(outbox_classify(201, ERR_OK), OUTBOX_DELIVERED);
	CU_ASSERT_EQUAL(outbox_classify(200, ERR_OK), OUTBOX_DELIVERED);
	CU_ASSERT_EQUAL(outbox_classify(409, ERR_OK), OUTBOX_CONFLICT);
	CU_ASSERT_EQUAL(outbox_classify(400, ERR_OK), OUTBOX_REFUSED);
	CU_ASSERT_EQUAL(outbox_classify(403, ERR_OK), OUTBOX_REFUSED);
	CU_ASSERT_EQUAL(outbox_classify(413, ERR_OK), OUTBOX_REFUSED);
	CU_ASSERT_EQUAL(outbox_classify(422, ERR_OK), OUTBOX_REFUSED);
}

static void
server_errors_and_no_answer_are_retried(void)
{
	CU_ASSERT_EQUAL(outbox_classify(500, ERR_OK), OUTBOX_PENDING);
	CU_ASSERT_EQUAL(outbox_classify(503, ERR_OK), OUTBOX_PENDING);
	CU_ASSERT_EQUAL(outbox_classify(408, ERR_OK), OUTBOX_PENDING);
	CU_ASSERT_EQUAL(outbox_classify(429, ERR_OK), OUTBOX_PENDING);
	CU_ASSERT_EQUAL(outbox_classify(0, ERR_TIMEOUT), OUTBOX_PENDING);
	CU_ASSERT_EQUAL(outbox_classify(0, ERR_UNREACHABLE), OUTBOX_PENDING);
	CU_ASSERT_EQUAL(outbox_classify(0, ERR_TLS), OUTBOX_PENDING);
}

/* --- the table ----------------------------------------------------------------- */

static void
queueing_twice_keeps_one_row(void)
{
	struct store *s = fresh();
	struct outbox_row r[4];
	struct err e;
	int n = -1;

	CU_ASSERT_FATAL(s != NULL);
	CU_ASSERT(store_outbox_add(s, "R1", "FI/GOV/1/x", 1000, &e) == 0);
	CU_ASSERT(store_outbox_add(s, "R1", "FI/GOV/1/x", 2000, &e) == 0);
	CU_ASSERT(store_outbox_claim(s, 5000, 9000, 4, r, &n, &e) == 0);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_STRING_EQUAL(r[0].record_id, "R1");
	CU_ASSERT_EQUAL(r[0].created, 1000);
	gone(s);
}

static void
a_claimed_row_is_leased_until_its_result(void)
{
	struct store *s = fresh();
	struct outbox_row r[4], row;
	struct err e;
	int64_t next;
	int n = -1;

	CU_ASSERT_FATAL(s != NULL);
	CU_ASSERT(store_outbox_add(s, "R1", "D", 1000, &e) == 0);
	CU_ASSERT(store_outbox_claim(s, 0, 9000, 4, r, &n, &e) == 0);
	CU_ASSERT_EQUAL(n, 0);				/* not due yet */
	CU_ASSERT(store_outbox_claim(s, 1000, 9000, 4, r, &n, &e) == 0);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_EQUAL(r[0].attempts, 1);
	CU_ASSERT_EQUAL(r[0].next_attempt, 9000);
	CU_ASSERT(store_outbox_claim(s, 5000, 19000, 4, r, &n, &e) == 0);
	CU_ASSERT_EQUAL(n, 0);				/* in flight */
	CU_ASSERT(store_outbox_next_due(s, &next, &e) == 0);
	CU_ASSERT_EQUAL(next, 9000);
	CU_ASSERT(store_outbox_claim(s, 9000, 19000, 4, r, &n, &e) == 0);
	CU_ASSERT_EQUAL(n, 1);				/* the lease ran out */
	CU_ASSERT(store_outbox_get(s, "R1", "D", &row, &e) == 0);
	CU_ASSERT_EQUAL(row.attempts, 2);
	gone(s);
}

static void
a_retry_waits_and_keeps_the_reason(void)
{
	struct store *s = fresh();
	struct outbox_row r[2], row;
	struct err e;
	int n;

	CU_ASSERT_FATAL(s != NULL);
	CU_ASSERT(store_outbox_add(s, "R1", "D", 1000, &e) == 0);
	CU_ASSERT(store_outbox_claim(s, 1000, 9000, 2, r, &n, &e) == 0);
	CU_ASSERT(store_outbox_retry(s, "R1", "D", 4000, "unreachable: x",
	    1500, &e) == 0);
	CU_ASSERT(store_outbox_get(s, "R1", "D", &row, &e) == 0);
	CU_ASSERT_EQUAL(row.state, OUTBOX_PENDING);
	CU_ASSERT_EQUAL(row.next_attempt, 4000);
	CU_ASSERT_STRING_EQUAL(row.last_error, "unreachable: x");
	CU_ASSERT(store_outbox_claim(s, 3999, 9000, 2, r, &n, &e) == 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT(store_outbox_claim(s, 4000, 9000, 2, r, &n, &e) == 0);
	CU_ASSERT_EQUAL(n, 1);
	gone(s);
}

static void
delivered_and_parked_rows_are_never_claimed_again(void)
{
	struct store *s = fresh();
	struct outbox_summary sum;
	struct outbox_row r[4], row;
	struct err e;
	int n;

	CU_ASSERT_FATAL(s != NULL);
	CU_ASSERT(store_outbox_add(s, "R1", "D", 1000, &e) == 0);
	CU_ASSERT(store_outbox_add(s, "R2", "D", 1000, &e) == 0);
	CU_ASSERT(store_outbox_add(s, "R3", "E", 1000, &e) == 0);
	CU_ASSERT(store_outbox_claim(s, 1000, 9000, 4, r, &n, &e) == 0);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT(store_outbox_done(s, "R1", "D", OUTBOX_DELIVERED, "201",
	    1100, &e) == 0);
	CU_ASSERT(store_outbox_done(s, "R2", "D", OUTBOX_CONFLICT,
	    "409 a different document", 1100, &e) == 0);
	/* A late retry of a settled row changes nothing. */
	CU_ASSERT(store_outbox_retry(s, "R2", "D", 1200, "x", 1100, &e) == 0);
	CU_ASSERT(store_outbox_get(s, "R2", "D", &row, &e) == 0);
	CU_ASSERT_EQUAL(row.state, OUTBOX_CONFLICT);
	CU_ASSERT(store_outbox_wake(s, 99999, &e) == 0);
	CU_ASSERT(store_outbox_claim(s, 99999, 199999, 4, r, &n, &e) == 0);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_STRING_EQUAL(r[0].record_id, "R3");
	CU_ASSERT(store_outbox_summary(s, &sum, &e) == 0);
	CU_ASSERT_EQUAL(sum.pending, 1);
	CU_ASSERT_EQUAL(sum.count[OUTBOX_DELIVERED], 1);
	CU_ASSERT_EQUAL(sum.count[OUTBOX_CONFLICT], 1);
	CU_ASSERT_EQUAL(sum.ndests, 2);
	CU_ASSERT_EQUAL(sum.oldest_pending, 1000);
	store_outbox_summary_clear(&sum);
	gone(s);
}

static void
a_woken_outbox_forgets_the_leases_of_a_crashed_run(void)
{
	struct store *s = fresh();
	struct outbox_row r[2];
	struct err e;
	int n;

	CU_ASSERT_FATAL(s != NULL);
	CU_ASSERT(store_outbox_add(s, "R1", "D", 1000, &e) == 0);
	CU_ASSERT(store_outbox_claim(s, 1000, 60000, 2, r, &n, &e) == 0);
	store_close(s);				/* "crash" while in flight */
	CU_ASSERT_FATAL(store_open(dbpath, 0, &s, &e) == 0);
	CU_ASSERT(store_outbox_claim(s, 2000, 60000, 2, r, &n, &e) == 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT(store_outbox_wake(s, 2000, &e) == 0);
	CU_ASSERT(store_outbox_claim(s, 2000, 60000, 2, r, &n, &e) == 0);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(r[0].attempts, 2);
	gone(s);
}

static void
the_row_commits_or_rolls_back_with_the_record(void)
{
	struct supervision_record rec;
	struct store *s = fresh();
	struct outbox_row row;
	struct err e;
	char *xml = NULL;
	size_t len;

	CU_ASSERT_FATAL(s != NULL);
	memset(&rec, 0, sizeof(rec));
	snprintf(rec.id, sizeof(rec.id), "R1");
	snprintf(rec.unit_id, sizeof(rec.unit_id), "U1");
	snprintf(rec.issuer, sizeof(rec.issuer), "LVV");
	snprintf(rec.opened, sizeof(rec.opened), "2026-01-01");
	CU_ASSERT(store_begin(s, &e) == 0);
	CU_ASSERT(store_record_put(s, &rec, "<a/>", 4, NULL, &e) == 0);
	CU_ASSERT(store_outbox_add(s, "R1", "D", 1000, &e) == 0);
	store_rollback(s);
	CU_ASSERT(store_record_get(s, "R1", &xml, &len, NULL, &e) == -1);
	CU_ASSERT(store_outbox_get(s, "R1", "D", &row, &e) == -1);
	CU_ASSERT_EQUAL(e.code, ERR_NOTFOUND);
	CU_ASSERT(strstr(e.msg, "no row for record R1") != NULL);

	CU_ASSERT(store_begin(s, &e) == 0);
	CU_ASSERT(store_record_put(s, &rec, "<a/>", 4, NULL, &e) == 0);
	CU_ASSERT(store_outbox_add(s, "R1", "D", 1000, &e) == 0);
	CU_ASSERT(store_commit(s, &e) == 0);
	CU_ASSERT(store_record_get(s, "R1", &xml, &len, NULL, &e) == 0);
	free(xml);
	CU_ASSERT(store_outbox_get(s, "R1", "D", &row, &e) == 0);
	CU_ASSERT_EQUAL(row.state, OUTBOX_PENDING);
	gone(s);
}

static int
setup(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/lasteri-outbox.XXXXXX", t ? t : "/tmp");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void)
{
	return rmdir(dir);
}

static CU_TestInfo policy_tests[] = {
	{ "the first retry waits the minimum",
	  backoff_first_attempt_waits_the_minimum },
	{ "the retry range doubles per attempt, with full jitter",
	  backoff_doubles_the_range_per_attempt_with_full_jitter },
	{ "a retry never waits longer than the maximum",
	  backoff_never_passes_the_maximum },
	{ "201 and 200 deliver, 409 is a conflict, another 4xx is refused",
	  an_answer_decides_the_next_state },
	{ "5xx, 408, 429, timeouts, unreachable and TLS errors are retried",
	  server_errors_and_no_answer_are_retried },
	CU_TEST_INFO_NULL
};

/* supervision retry: rows waiting for a later attempt become due now,
 * except the ones in flight and those of other destinations. */
static void
hurrying_makes_waiting_rows_due_except_in_flight(void)
{
	struct store *s = fresh();
	struct outbox_key skip[1] = { { "R2", "A" } };
	struct outbox_row row;
	struct err e;
	long n = -1, pending = -1;

	CU_ASSERT_FATAL(s != NULL);
	CU_ASSERT(store_outbox_add(s, "R1", "A", 1000, &e) == 0);
	CU_ASSERT(store_outbox_add(s, "R2", "A", 1000, &e) == 0);
	CU_ASSERT(store_outbox_add(s, "R3", "B", 1000, &e) == 0);
	CU_ASSERT(store_outbox_retry(s, "R1", "A", 90000, "503", 2000,
	    &e) == 0);
	CU_ASSERT(store_outbox_retry(s, "R2", "A", 90000, "lease", 2000,
	    &e) == 0);
	CU_ASSERT(store_outbox_retry(s, "R3", "B", 90000, "503", 2000,
	    &e) == 0);
	CU_ASSERT(store_outbox_hurry(s, "A", 3000, skip, 1, &n, &pending,
	    &e) == 0);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(pending, 2);
	CU_ASSERT(store_outbox_get(s, "R1", "A", &row, &e) == 0);
	CU_ASSERT_EQUAL(row.next_attempt, 3000);
	CU_ASSERT(store_outbox_get(s, "R2", "A", &row, &e) == 0);
	CU_ASSERT_EQUAL(row.next_attempt, 90000);	/* in flight */
	CU_ASSERT(store_outbox_get(s, "R3", "B", &row, &e) == 0);
	CU_ASSERT_EQUAL(row.next_attempt, 90000);	/* another member */
	CU_ASSERT(store_outbox_hurry(s, NULL, 4000, NULL, 0, &n, &pending,
	    &e) == 0);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL(pending, 3);
	gone(s);
}

/* supervision cancel: a pending row is kept as cancelled and is never
 * claimed; a delivered one is not touched. */
static void
cancelling_keeps_the_row_and_spares_a_delivered_one(void)
{
	struct store *s = fresh();
	struct outbox_row r[4], row;
	long count[OUTBOX_NSTATES];
	struct err e;
	long n, pending;
	int k = -1;

	CU_ASSERT_FATAL(s != NULL);
	CU_ASSERT(store_outbox_add(s, "R1", "A", 1000, &e) == 0);
	CU_ASSERT(store_outbox_add(s, "R2", "A", 1000, &e) == 0);
	CU_ASSERT(store_outbox_done(s, "R2", "A", OUTBOX_DELIVERED, "201",
	    1500, &e) == 0);
	CU_ASSERT(store_outbox_cancel(s, "R1", "cancelled by uid 7", 2000,
	    count, &e) == 0);
	CU_ASSERT_EQUAL(count[OUTBOX_PENDING], 1);
	CU_ASSERT(store_outbox_get(s, "R1", "A", &row, &e) == 0);
	CU_ASSERT_EQUAL(row.state, OUTBOX_CANCELLED);
	CU_ASSERT_STRING_EQUAL(row.last_error, "cancelled by uid 7");
	CU_ASSERT_STRING_EQUAL(store_outbox_state_name(row.state),
	    "cancelled");
	CU_ASSERT(store_outbox_claim(s, 9000, 19000, 4, r, &k, &e) == 0);
	CU_ASSERT_EQUAL(k, 0);
	CU_ASSERT(store_outbox_hurry(s, NULL, 9000, NULL, 0, &n, &pending,
	    &e) == 0);
	CU_ASSERT_EQUAL(pending, 0);
	CU_ASSERT(store_outbox_cancel(s, "R2", "x", 3000, count, &e) == 0);
	CU_ASSERT_EQUAL(count[OUTBOX_PENDING], 0);
	CU_ASSERT_EQUAL(count[OUTBOX_DELIVERED], 1);
	CU_ASSERT(store_outbox_get(s, "R2", "A", &row, &e) == 0);
	CU_ASSERT_EQUAL(row.state, OUTBOX_DELIVERED);
	CU_ASSERT(store_outbox_cancel(s, "R9", "x", 3000, count, &e) == -1);
	CU_ASSERT_EQUAL(e.code, ERR_NOTFOUND);
	gone(s);
}

static CU_TestInfo table_tests[] = {
	{ "retry makes waiting rows due, not those in flight",
	  hurrying_makes_waiting_rows_due_except_in_flight },
	{ "a cancelled row is kept and never claimed; a delivered one stays",
	  cancelling_keeps_the_row_and_spares_a_delivered_one },
	{ "queueing a record twice for one destination keeps one row",
	  queueing_twice_keeps_one_row },
	{ "a claimed row is leased and not claimed again until the lease ends",
	  a_claimed_row_is_leased_until_its_result },
	{ "a retry waits until its time and keeps the reason",
	  a_retry_waits_and_keeps_the_reason },
	{ "delivered and parked rows are never claimed again",
	  delivered_and_parked_rows_are_never_claimed_again },
	{ "waking the outbox at start-up forgets a crashed run's leases",
	  a_woken_outbox_forgets_the_leases_of_a_crashed_run },
	{ "the outbox row commits or rolls back with its record",
	  the_row_commits_or_rolls_back_with_the_record },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ "outbox policy", NULL, NULL, NULL, NULL, policy_tests },
	{ "outbox table", setup, teardown, NULL, NULL, table_tests },
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	return test_run_suites(suites);
}
