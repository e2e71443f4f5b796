/*
 * test_peer.c - the mutual-TLS client's pin (federation/peer.c): a request
 * to a member is answered only by a server presenting a certificate the
 * trust list holds for that member, also when libcurl reuses a kept-alive
 * connection or resumes a TLS session made under an earlier listing.
 *
 * A small HTTPS server runs on 127.0.0.1 in a thread of this program
 * (tests/testtls.c: OpenSSL, one thread per connection, keep-alive or not),
 * with the test PKI of tests/testpki.c.
 */
#include "config.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "peer.h"
#include "trust.h"
#include "testmain.h"
#include "testpki.h"
#include "testtls.h"

/* Servers A and B (members 08 and 09 by their certificates) and the
 * client (thl). */
enum { C_A, C_B, C_CLIENT, C_COUNT };
static const struct testpki_member members[C_COUNT] = {
	{ "08", "region", "08", NULL, 1 },
	{ "09", "region", "09", NULL, 1 },
	{ "thl", "coordinator", NULL, NULL, 1 },
};

static struct testpki *pki;

static int
suite_init(void)
{
	/* The test servers write to connections the client may have closed
	 * (a request refused after a resumed handshake, a cancelled one). */
	signal(SIGPIPE, SIG_IGN);
	return (pki = testpki_new("peer", members, C_COUNT)) != NULL ? 0 : -1;
}

static int
suite_clean(void)
{
	return testpki_free(pki);
}

/* --- the client ----------------------------------------------------------------- */

struct result {
	int		 done;
	int		 status;
	struct err	 err;
	struct event_base *base;
};

static void
on_done(void *arg, const struct peer_result *res)
{
	struct result *r = arg;

	r->done = 1;
	r->status = res->status;
	r->err = res->err;
	event_base_loopbreak(r->base);
}

static void
on_deadline(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

/* POST to the server as member m whose TLS listings are pins (n of them,
 * open windows); the result in *r. */
static void
post(struct peer *p, struct event_base *base, const struct testtls *s,
    const int *pins, int n, struct result *r)
{
	struct trust_member m;
	struct event *deadline;
	struct timeval tv = { 15, 0 };
	struct err e;
	int i;

	memset(&m, 0, sizeof(m));
	memset(r, 0, sizeof(*r));
	r->base = base;
	snprintf(m.id, sizeof(m.id), "FI/GOV/1234567-1/lasteri");
	snprintf(m.code, sizeof(m.code), "08");
	snprintf(m.endpoint, sizeof(m.endpoint), "https://127.0.0.1:%d",
	    s->port);
	for (i = 0; i < n; i++)
		memcpy(m.tls[i].fpr, pki->tls_fpr[pins[i]], 32);
	m.ntls = n;
	err_clear(&e);
	if (peer_post_member(p, &m, "/v1/records", "application/xml",
	    "<x/>", 4, 10000, 4096, on_done, r, &e) == -1) {
		r->done = 1;
		r->err = e;
		return;
	}
	deadline = evtimer_new(base, on_deadline, base);
	evtimer_add(deadline, &tv);
	while (!r->done && event_base_dispatch(base) == 0 &&
	    evtimer_pending(deadline, NULL))
		;
	event_free(deadline);
}

/* --- tests ------------------------------------------------------------------------ */

static void
test_serves_a_request_pinned_to_the_listed_certificate(void)
{
	static const int a[] = { C_A }, b[] = { C_B };
	struct event_base *base = event_base_new();
	struct testtls s;
	struct result r;
	struct peer *p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	CU_ASSERT_EQUAL_FATAL(testtls_start(&s, pki, C_A, TESTTLS_ANSWER,
	    1), 0);
	p = testtls_client(base, pki, C_CLIENT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	post(p, base, &s, a, 1, &r);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_EQUAL(r.err.code, ERR_OK);
	peer_free(p);
	/* A fresh client pinned to another certificate is refused. */
	p = testtls_client(base, pki, C_CLIENT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	post(p, base, &s, b, 1, &r);
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_EQUAL(r.err.code, ERR_TLS);
	peer_free(p);
	testtls_stop(&s);
	event_base_free(base);
}

/* The member's TLS certificate is A, then the trust list says B while the
 * server still presents A (a retired, perhaps stolen, key). */
static void
pin_change(int keepalive)
{
	static const int a[] = { C_A }, b[] = { C_B };
	struct event_base *base = event_base_new();
	struct testtls s;
	struct result r;
	struct peer *p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	CU_ASSERT_EQUAL_FATAL(testtls_start(&s, pki, C_A, TESTTLS_ANSWER,
	    keepalive), 0);
	p = testtls_client(base, pki, C_CLIENT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	post(p, base, &s, a, 1, &r);
	CU_ASSERT_EQUAL(r.status, 200);
	post(p, base, &s, b, 1, &r);
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_EQUAL(r.err.code, ERR_TLS);
	if (r.err.code != ERR_TLS)
		printf("\n  pinned to B, server A (keep-alive %d, handshakes "
		    "%d, resumed %d, requests %d): status %d %s\n", keepalive,
		    atomic_load(&s.handshakes), atomic_load(&s.resumed),
		    atomic_load(&s.requests), r.status, r.err.msg);
	else if (strstr(r.err.msg, "certificate") == NULL) {
		CU_FAIL("the reason names the certificate");
		printf("\n  %s\n", r.err.msg);
	}
	/* The first server request was served; the second never reached
	 * the server as a request. */
	CU_ASSERT_EQUAL(atomic_load(&s.requests), 1);
	/* and A again is still fine */
	post(p, base, &s, a, 1, &r);
	CU_ASSERT_EQUAL(r.status, 200);
	peer_free(p);
	testtls_stop(&s);
	event_base_free(base);
}

static void
test_rechecks_the_pin_on_a_kept_alive_connection(void)
{
	pin_change(1);
}

/* The server closes after each answer, so the second request needs a new
 * connection, which resumes the first one's TLS session (the peer's share
 * handle keeps it): no handshake verification, prereq_cb's check only
 * (tests/test_fanout.c shows the resumption). */
static void
test_rechecks_the_pin_on_a_new_connection(void)
{
	pin_change(0);
}

static void
test_accepts_either_tls_certificate_during_a_rotation(void)
{
	static const int both[] = { C_A, C_B };
	struct event_base *base = event_base_new();
	struct testtls s;
	struct result r;
	struct peer *p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	p = testtls_client(base, pki, C_CLIENT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL_FATAL(testtls_start(&s, pki, C_A, TESTTLS_ANSWER,
	    1), 0);
	post(p, base, &s, both, 2, &r);
	CU_ASSERT_EQUAL(r.status, 200);
	testtls_stop(&s);
	/* the member switches to B */
	CU_ASSERT_EQUAL_FATAL(testtls_start(&s, pki, C_B, TESTTLS_ANSWER,
	    1), 0);
	post(p, base, &s, both, 2, &r);
	CU_ASSERT_EQUAL(r.status, 200);
	if (r.status != 200)
		printf("\n  %s\n", r.err.msg);
	testtls_stop(&s);
	peer_free(p);
	event_base_free(base);
}

static void
test_refuses_a_member_without_a_tls_certificate_in_use(void)
{
	struct event_base *base = event_base_new();
	struct trust_member m;
	struct peer *p;
	struct err e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	p = testtls_client(base, pki, C_CLIENT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	memset(&m, 0, sizeof(m));
	snprintf(m.id, sizeof(m.id), "FI/GOV/1234567-1/lasteri");
	snprintf(m.endpoint, sizeof(m.endpoint), "https://127.0.0.1:1");
	memcpy(m.tls[0].fpr, pki->tls_fpr[C_A], 32);
	m.tls[0].not_after = time(NULL) - 60;	/* retired */
	m.ntls = 1;
	err_clear(&e);
	CU_ASSERT_EQUAL(peer_post_member(p, &m, "/v1/records", NULL, "x", 1,
	    1000, 100, on_done, NULL, &e), -1);
	CU_ASSERT_EQUAL(e.code, ERR_TLS);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "no TLS certificate of its "
	    "listing is in use now"));
	peer_free(p);
	event_base_free(base);
}

static CU_TestInfo pin_tests[] = {
	{ "serves a request pinned to the listed certificate",
	    test_serves_a_request_pinned_to_the_listed_certificate },
	{ "re-checks the pin on a kept-alive connection",
	    test_rechecks_the_pin_on_a_kept_alive_connection },
	{ "re-checks the pin on a new connection to the same server",
	    test_rechecks_the_pin_on_a_new_connection },
	{ "accepts either TLS certificate during a rotation",
	    test_accepts_either_tls_certificate_during_a_rotation },
	{ "refuses a member without a TLS certificate in use",
	    test_refuses_a_member_without_a_tls_certificate_in_use },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ "peer: pinning", suite_init, suite_clean, NULL, NULL, pin_tests },
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	return test_run_suites(suites);
}
