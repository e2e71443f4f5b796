/*
 * test_metrics.c - the Prometheus text of the node's metrics (issue 13,
 * item 8): counters of known labels exist at 0 from the start, and every
 * value is a plain number, never in exponent notation.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "testmain.h"

/* Whether text holds the whole line. */
static int
has_line(const char *text, const char *line)
{
	const char *p = text;
	size_t n = strlen(line);

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
		p += n;
	}
	return 0;
}

static char *
text_of(struct metrics *m)
{
	size_t len;
	char *t = metrics_format(m, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	return t;
}

static void
known_counters_start_at_zero(void)
{
	struct metrics *m = metrics_new();
	char *t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	metrics_register(m, "lasteri_outbox_deliveries_total",
	    METRICS_COUNTER, "Delivery attempts.");
	metrics_register(m, "lasteri_records_issued_total", METRICS_COUNTER,
	    "Records issued.");
	t = text_of(m);
	CU_ASSERT(has_line(t, "lasteri_tls_handshakes_total 0"));
	CU_ASSERT(has_line(t, "lasteri_accept_errors_total 0"));
	CU_ASSERT(has_line(t,
	    "lasteri_trust_list_reloads_total{result=\"fetch-failed\"} 0"));
	CU_ASSERT(has_line(t, "lasteri_connections_refused_total{listener="
	    "\"federation\",reason=\"members-full\"} 0"));
	CU_ASSERT(has_line(t,
	    "lasteri_outbox_deliveries_total{result=\"delivered\"} 0"));
	CU_ASSERT(has_line(t,
	    "lasteri_outbox_deliveries_total{result=\"retry\"} 0"));
	CU_ASSERT(has_line(t,
	    "lasteri_records_issued_total{result=\"stored\"} 0"));
	free(t);
	/* and an update counts on the series that was there */
	metrics_inc(m, "lasteri_records_issued_total", "result=\"stored\"");
	t = text_of(m);
	CU_ASSERT(has_line(t,
	    "lasteri_records_issued_total{result=\"stored\"} 1"));
	CU_ASSERT(strstr(t, "lasteri_records_issued_total{result=\"stored\"}"
	    " 0") == NULL);
	free(t);
	metrics_free(m);
}

static void
records_stored_by_signature(void)
{
	struct metrics *m = metrics_new();
	char *t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	t = text_of(m);
	CU_ASSERT(has_line(t, "lasteri_records_stored{signed=\"yes\"} 0"));
	CU_ASSERT(has_line(t, "lasteri_records_stored{signed=\"no\"} 0"));
	CU_ASSERT(strstr(t, "lasteri_records_stored 0") == NULL);
	free(t);
	metrics_add(m, M_RECORDS_STORED, M_SIGNED_YES, 3);
	metrics_set(m, M_RECORDS_STORED, M_SIGNED_NO, 7);
	t = text_of(m);
	CU_ASSERT(has_line(t, "lasteri_records_stored{signed=\"yes\"} 3"));
	CU_ASSERT(has_line(t, "lasteri_records_stored{signed=\"no\"} 7"));
	free(t);
	metrics_free(m);
}

static void
values_are_plain_numbers(void)
{
	struct metrics *m = metrics_new();
	char *t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	metrics_register(m, "lasteri_outbox_oldest_age_seconds",
	    METRICS_GAUGE, "Age.");
	metrics_set(m, M_START_TIME, NULL, 1796472181.0);
	metrics_set(m, M_TRUST_EXPIRY, NULL, 1.8e9);
	metrics_set(m, "lasteri_outbox_oldest_age_seconds", NULL, 0.000012);
	metrics_set(m, M_OUTBOX_PENDING, NULL, 0.1 + 0.2);
	t = text_of(m);
	CU_ASSERT(has_line(t, "lasteri_start_time_seconds 1796472181"));
	CU_ASSERT(has_line(t,
	    "lasteri_trust_list_expiry_timestamp_seconds 1800000000"));
	CU_ASSERT(has_line(t, "lasteri_outbox_oldest_age_seconds 0.000012"));
	CU_ASSERT(has_line(t, "lasteri_outbox_pending 0.3"));
	CU_ASSERT(strstr(t, "e+") == NULL && strstr(t, "e-0") == NULL);
	free(t);
	metrics_free(m);
}

static CU_TestInfo tests[] = {
	{ "counters of known labels exist at 0 from the start",
	  known_counters_start_at_zero },
	{ "the records gauge has a signed and an unsigned series from the start",
	  records_stored_by_signature },
	{ "values are plain numbers, never with an exponent",
	  values_are_plain_numbers },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ "metrics text", NULL, NULL, NULL, NULL, tests },
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	return test_run_suites(suites);
}
