/*
 * test_fanout.c - the fan-out engine (federation/fanout.c): one signed
 * Query to many members at once, each ending with exactly one status (ok,
 * timeout, unreachable, tls-error, bad-signature, error with its detail)
 * by the deadline, only verified answers carrying results; connections and
 * TLS sessions reused between queries (federation/peer.c's share handle).
 *
 * The members are small HTTPS servers on 127.0.0.1 in threads of this
 * program (OpenSSL, one thread per connection), each behaving as told:
 * answer given bytes with a given HTTP status, read the request and never
 * answer, or accept TCP and never start TLS (tests/testtls.c).  The test
 * PKI and its operator-signed trust list are tests/testpki.c's.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/evp.h>

#include "dsig.h"
#include "envelope.h"
#include "fanout.h"
#include "model.h"
#include "peer.h"
#include "trust.h"
#include "verifier.h"
#include "xml.h"
#include "testmain.h"
#include "testpki.h"
#include "testtls.h"

/* Twelve regions and the coordinator that asks. */
enum { R01, R02, R03, R04, R05, R06, R07, R08, R09, R10, R11, R12, THL,
    NMEMBERS };
#define NREGIONS	THL
static const char *codes[NMEMBERS] = { "01", "02", "03", "04", "05", "06",
    "07", "08", "09", "10", "11", "12", "thl" };

static struct testpki *pki;

static int
suite_init(void)
{
	struct testpki_member m[NMEMBERS];
	int i;

	/* The test servers write to connections the client may have closed
	 * (a request refused after a resumed handshake, a cancelled one). */
	signal(SIGPIPE, SIG_IGN);
	/* Endpoints are set per test. */
	for (i = 0; i < NMEMBERS; i++)
		m[i] = (struct testpki_member){ codes[i], i < NREGIONS ?
		    "region" : "coordinator", i < NREGIONS ? codes[i] : NULL,
		    NULL, 1 };
	return (pki = testpki_new("fanout", m, NMEMBERS)) != NULL ? 0 : -1;
}

static int
suite_clean(void)
{
	return testpki_free(pki);
}

/* --- documents ------------------------------------------------------------ */

static const char results_xml[] =
    "<PlacementResults xmlns=\"urn:lasteri:1\" scanned=\"3\" matched=\"1\">"
    "<Result><Unit>U-1</Unit><Name>Koti</Name><Region>01</Region>"
    "<Type>childrens-home</Type><ServiceLevel>special</ServiceLevel>"
    "<FreePlaces updated=\"2026-11-24T09:30:00Z\">2</FreePlaces>"
    "<DailyPrice>689.00</DailyPrice><Score>8200</Score>"
    "<NeedsMet>1</NeedsMet><NeedsAsked>2</NeedsAsked>"
    "<InFramework>false</InFramework><OpenSerious>0</OpenSerious>"
    "<RecentFindings>0</RecentFindings></Result></PlacementResults>";

/* A query signed by thl: its bytes (xmlFree()) and digest. */
static char *
query_make(size_t *len, unsigned char md[32])
{
	struct envelope_query q;
	char *out = NULL;
	xmlDocPtr doc;
	struct err e;

	err_clear(&e);
	envelope_query_init(&q, ENVELOPE_STATISTICS);
	q.stats.by = ENVELOPE_BY_TYPE;
	snprintf(q.from, sizeof(q.from), "%s", pki->ids[THL]);
	if ((doc = envelope_query_new(&q, time(NULL), 60, &e)) == NULL)
		printf("\n  query: %s\n", e.msg);
	out = testpki_sign(pki, doc, THL, len);
	xmlFreeDoc(doc);
	if (out == NULL)
		return NULL;
	EVP_Digest(out, *len, md, NULL, EVP_sha256(), NULL);
	return out;
}

/* A Response from member from (signed by its key) to member to, answering
 * digest, with status st; xmlFree(). */
static char *
response_to(const unsigned char digest[32], int from, int to,
    enum envelope_status st, size_t *len)
{
	xmlDocPtr rdoc = NULL, doc;
	char *out = NULL;
	struct err e;

	err_clear(&e);
	if (st == ENVELOPE_ST_OK && (rdoc = xml_parse(results_xml,
	    strlen(results_xml), "results", &xml_limits_wire, &e)) == NULL)
		return NULL;
	if ((doc = envelope_response_new(pki->ids[to], digest,
	    pki->ids[from], st, st == ENVELOPE_ST_OK ? NULL :
	    "nonce seen before", rdoc != NULL ? xmlDocGetRootElement(rdoc) :
	    NULL, &e)) == NULL)
		printf("\n  response: %s\n", e.msg);
	xmlFreeDoc(rdoc);
	out = testpki_sign(pki, doc, from, len);
	xmlFreeDoc(doc);
	return out;
}

/* The same to thl. */
static char *
response_make(const unsigned char digest[32], int from,
    enum envelope_status st, size_t *len)
{
	return response_to(digest, from, THL, st, len);
}

/* Flips one base64 character of the SignatureValue. */
static int
signature_flip(char *buf)
{
	char *p = strstr(buf, "SignatureValue>");

	if (p == NULL)
		return -1;
	p += strlen("SignatureValue>");
	while (isspace((unsigned char)*p))
		p++;
	p += 2;
	*p = *p == 'A' ? 'B' : 'A';
	return 0;
}

/* --- the answering side --------------------------------------------------- */

/* A port on 127.0.0.1 nothing listens on. */
static int
closed_port(void)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd, port = -1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
		port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

/* --- the asking side ------------------------------------------------------ */

struct run {
	struct event_base	*base;
	struct timespec		 t0;
	int			 in_start;
	int			 done_calls, done_in_start;
	struct fanout_result	*res;
	size_t			 n;
	long			 done_ms;
	int			 progress_calls, progress_bad;
	size_t			 last_answered;
	size_t			 counts[FANOUT_ST_COUNT];
	struct fanout		*free_in_done;
};

static long
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (long)((t1.tv_sec - t0->tv_sec) * 1000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000000);
}

static void
on_progress(void *arg, const struct fanout_result *r, size_t answered,
    size_t n, const size_t counts[FANOUT_ST_COUNT])
{
	struct run *run = arg;
	size_t sum = 0;
	int i;

	run->progress_calls++;
	for (i = 0; i < FANOUT_ST_COUNT; i++)
		sum += counts[i];
	if (sum != answered || answered != run->last_answered + 1 ||
	    answered > n || counts[r->status] == 0 || run->in_start)
		run->progress_bad++;
	run->last_answered = answered;
	memcpy(run->counts, counts, sizeof(run->counts));
}

static void
on_done(void *arg, struct fanout_result *results, size_t n)
{
	struct run *run = arg;

	run->done_calls++;
	run->done_in_start |= run->in_start;
	run->res = results;
	run->n = n;
	run->done_ms = ms_since(&run->t0);
	if (run->free_in_done != NULL) {
		fanout_free(run->free_in_done);
		run->free_in_done = NULL;
		run->res = NULL;
	}
	event_base_loopbreak(run->base);
}

static void
on_limit(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	event_base_loopbreak(arg);
}

/* Runs the loop until done() or limit_ms. */
static void
run_loop(struct run *run, long limit_ms)
{
	struct timeval tv = { limit_ms / 1000, (limit_ms % 1000) * 1000 };
	struct event *limit = evtimer_new(run->base, on_limit, run->base);

	evtimer_add(limit, &tv);
	while (!run->done_calls && evtimer_pending(limit, NULL) &&
	    event_base_dispatch(run->base) == 0)
		;
	event_free(limit);
}

/* Member i of the trust list, its endpoint port. */
static void
member_at(struct trust_member *m, int i, int port)
{
	const struct trust_member *tm;

	tm = trust_member_by_id(pki->tl, pki->ids[i]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tm);
	*m = *tm;
	snprintf(m->endpoint, sizeof(m->endpoint), "https://127.0.0.1:%d",
	    port);
}

static struct fanout *
start(struct run *run, struct peer *p, const char *q, size_t qlen,
    const unsigned char md[32], const struct trust_member *const *mp,
    size_t n, long deadline_ms)
{
	struct fanout *f;
	struct err e;

	err_clear(&e);
	run->in_start = 1;
	clock_gettime(CLOCK_MONOTONIC, &run->t0);
	f = fanout_start(p, pki->ver, pki->ids[THL], q, qlen, md, mp, n,
	    deadline_ms, on_progress, on_done, run, NULL, NULL, &e);
	run->in_start = 0;
	if (f == NULL)
		printf("\n  fanout_start: %s\n", e.msg);
	return f;
}

/* 1 when result r is member i with status st and detail holding needle. */
static int
has_status(const struct fanout_result *r, int i, enum fanout_status st,
    const char *needle)
{
	if (strcmp(r->member, pki->ids[i]) == 0 && r->status == st &&
	    strstr(r->detail, needle) != NULL)
		return 1;
	printf("\n  member %s: %s \"%s\" (HTTP %d, %ld ms), wanted %s "
	    "\"%s\"\n", codes[i], fanout_status_name(r->status), r->detail,
	    r->http_status, r->ms, fanout_status_name(st), needle);
	return 0;
}

/* --- tests ---------------------------------------------------------------- */

static void
test_gives_each_member_exactly_its_status(void)
{
	static const struct {
		enum testtls_mode	mode;
		int			tls_of;	/* certificate presented */
		enum fanout_status	want;
		const char		*needle;
	} cases[NREGIONS] = {
		[R01] = { TESTTLS_ANSWER, R01, FANOUT_ST_OK, "" },
		[R02] = { TESTTLS_ANSWER, R02, FANOUT_ST_OK, "" },
		[R03] = { TESTTLS_SILENT, R03, FANOUT_ST_TIMEOUT, "" },
		[R04] = { TESTTLS_STALL, R04, FANOUT_ST_TIMEOUT, "" },
		[R05] = { TESTTLS_ANSWER, R05, FANOUT_ST_UNREACHABLE, "" },
		[R06] = { TESTTLS_ANSWER, R01, FANOUT_ST_TLS_ERROR, "" },
		[R07] = { TESTTLS_ANSWER, R07, FANOUT_ST_BAD_SIGNATURE, "" },
		[R08] = { TESTTLS_ANSWER, R08, FANOUT_ST_BAD_SIGNATURE,
		    "not by the member asked" },
		[R09] = { TESTTLS_ANSWER, R09, FANOUT_ST_ERROR,
		    "wrong query digest" },
		[R10] = { TESTTLS_ANSWER, R10, FANOUT_ST_ERROR,
		    "refused: replayed: nonce seen before" },
		[R11] = { TESTTLS_ANSWER, R11, FANOUT_ST_ERROR, "HTTP 503" },
		[R12] = { TESTTLS_ANSWER, R12, FANOUT_ST_ERROR,
		    "answer of 12" },
	};
	const long deadline = 3000;
	struct event_base *base = event_base_new();
	struct trust_member mem[NREGIONS];
	const struct trust_member *mp[NREGIONS];
	struct testtls srv[NREGIONS];
	unsigned char md[32], other[32];
	struct run run;
	struct fanout *f;
	struct peer *p;
	struct fanout_result *r;
	char *q, *q2, *body[NREGIONS];
	size_t qlen = 0, q2len = 0, blen[NREGIONS];
	int i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	q = query_make(&qlen, md);
	q2 = query_make(&q2len, other);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q2);
	memset(body, 0, sizeof(body));
	memset(blen, 0, sizeof(blen));
	body[R01] = response_make(md, R01, ENVELOPE_ST_OK, &blen[R01]);
	body[R02] = response_make(md, R02, ENVELOPE_ST_OK, &blen[R02]);
	body[R06] = response_make(md, R06, ENVELOPE_ST_OK, &blen[R06]);
	body[R07] = response_make(md, R07, ENVELOPE_ST_OK, &blen[R07]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(body[R07]);
	CU_ASSERT_EQUAL_FATAL(signature_flip(body[R07]), 0);
	/* 08 passes on 01's genuine answer to this very query */
	body[R08] = response_make(md, R01, ENVELOPE_ST_OK, &blen[R08]);
	/* 09's own genuine answer, to another query (a replay) */
	body[R09] = response_make(other, R09, ENVELOPE_ST_OK, &blen[R09]);
	body[R10] = response_make(md, R10, ENVELOPE_ST_REPLAYED, &blen[R10]);
	body[R11] = (char *)xmlStrdup((const xmlChar *)"busy\n");
	blen[R11] = 5;
	body[R12] = (char *)xmlStrdup((const xmlChar *)"<Response");
	blen[R12] = 9;
	for (i = 0; i < NREGIONS; i++) {
		if (i == R03 || i == R04 || i == R05)
			continue;
		CU_ASSERT_PTR_NOT_NULL_FATAL(body[i]);
	}

	for (i = 0; i < NREGIONS; i++) {
		if (i == R05) {
			member_at(&mem[i], i, closed_port());
			mp[i] = &mem[i];
			continue;
		}
		CU_ASSERT_EQUAL_FATAL(testtls_start(&srv[i], pki,
		    cases[i].tls_of, cases[i].mode, 1), 0);
		testtls_answer(&srv[i], i == R10 ? 409 : i == R11 ? 503 : 200,
		    body[i], blen[i]);
		testtls_expect_query(&srv[i], q, qlen);
		member_at(&mem[i], i, srv[i].port);
		mp[i] = &mem[i];
	}
	p = testtls_client(base, pki, THL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	memset(&run, 0, sizeof(run));
	run.base = base;
	f = start(&run, p, q, qlen, md, mp, NREGIONS, deadline);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	run_loop(&run, 4 * deadline);

	CU_ASSERT_EQUAL(run.done_calls, 1);
	CU_ASSERT_EQUAL(run.done_in_start, 0);
	CU_ASSERT_EQUAL(run.n, NREGIONS);
	/* The silent member ends at the deadline, no later than 10 % after
	 * it (and a scheduling allowance: the machine is shared). */
	CU_ASSERT(run.done_ms >= deadline - 200);
	CU_ASSERT(run.done_ms <= deadline + deadline / 10 + 200);
	if (run.done_ms > deadline + deadline / 10 + 200)
		printf("\n  done after %ld ms, deadline %ld ms\n",
		    run.done_ms, deadline);
	CU_ASSERT_EQUAL(run.progress_calls, NREGIONS);
	CU_ASSERT_EQUAL(run.progress_bad, 0);
	CU_ASSERT_EQUAL(run.counts[FANOUT_ST_OK], 2);
	CU_ASSERT_EQUAL(run.counts[FANOUT_ST_TIMEOUT], 2);
	CU_ASSERT_EQUAL(run.counts[FANOUT_ST_UNREACHABLE], 1);
	CU_ASSERT_EQUAL(run.counts[FANOUT_ST_TLS_ERROR], 1);
	CU_ASSERT_EQUAL(run.counts[FANOUT_ST_BAD_SIGNATURE], 2);
	CU_ASSERT_EQUAL(run.counts[FANOUT_ST_ERROR], 4);
	for (i = 0; run.res != NULL && i < NREGIONS; i++) {
		r = &run.res[i];
		CU_ASSERT_TRUE(has_status(r, i, cases[i].want,
		    cases[i].needle));
		CU_ASSERT_STRING_EQUAL(r->code, codes[i]);
		CU_ASSERT_STRING_EQUAL(r->region, codes[i]);
		CU_ASSERT(r->ms >= 0 && r->ms <= run.done_ms);
		/* Only ok answers carry results. */
		if (r->status == FANOUT_ST_OK) {
			CU_ASSERT_PTR_NOT_NULL(r->doc);
			CU_ASSERT_PTR_NOT_NULL(r->resp.results);
			if (r->resp.results != NULL)
				CU_ASSERT_TRUE(xml_is(r->resp.results,
				    "PlacementResults"));
			CU_ASSERT_STRING_EQUAL(r->resp.from, pki->ids[i]);
			CU_ASSERT_STRING_EQUAL(r->resp.info.member_id,
			    pki->ids[i]);
			CU_ASSERT_EQUAL(memcmp(r->resp.query_digest, md, 32),
			    0);
			CU_ASSERT_STRING_EQUAL(r->detail, "");
			CU_ASSERT_EQUAL(r->http_status, 200);
		} else {
			CU_ASSERT_PTR_NULL(r->doc);
			CU_ASSERT_PTR_NULL(r->resp.results);
			CU_ASSERT_NOT_EQUAL(r->detail[0], '\0');
		}
		/* Every answer that came is kept verbatim. */
		if (i == R03 || i == R04 || i == R05 || i == R06) {
			CU_ASSERT_PTR_NULL(r->body);
			CU_ASSERT_EQUAL(r->http_status, 0);
		} else {
			CU_ASSERT_EQUAL(r->len, blen[i]);
			CU_ASSERT(r->body != NULL && r->len == blen[i] &&
			    memcmp(r->body, body[i], blen[i]) == 0);
		}
	}
	if (run.res != NULL) {
		CU_ASSERT_EQUAL(run.res[R10].http_status, 409);
		CU_ASSERT_EQUAL(run.res[R11].http_status, 503);
	}
	/* Every member that read a request got the query's exact bytes; the
	 * one presenting an unlisted certificate got nothing. */
	for (i = 0; i < NREGIONS; i++) {
		if (i == R04 || i == R05)
			continue;
		if (i == R06) {
			CU_ASSERT_EQUAL(atomic_load(&srv[i].requests), 0);
			continue;
		}
		CU_ASSERT_EQUAL(atomic_load(&srv[i].got_query), 1);
	}
	fanout_free(f);
	CU_ASSERT_EQUAL(peer_inflight(p), 0);
	peer_free(p);
	for (i = 0; i < NREGIONS; i++) {
		if (i != R05)
			testtls_stop(&srv[i]);
		xmlFree(body[i]);
	}
	xmlFree(q);
	xmlFree(q2);
	event_base_free(base);
}

/* A short deadline: one member reads the query and never answers, one
 * accepts TCP and never starts TLS, one answers at once. */
static void
test_ends_members_that_never_answer_by_the_deadline(void)
{
	const long deadline = 1000;
	struct event_base *base = event_base_new();
	struct trust_member mem[3];
	const struct trust_member *mp[3] = { &mem[0], &mem[1], &mem[2] };
	struct testtls silent, stall, ok;
	unsigned char md[32];
	struct run run;
	struct fanout *f;
	struct peer *p;
	char *q, *a;
	size_t qlen = 0, alen = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	q = query_make(&qlen, md);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	a = response_make(md, R03, ENVELOPE_ST_OK, &alen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL_FATAL(testtls_start(&silent, pki, R01, TESTTLS_SILENT,
	    1), 0);
	CU_ASSERT_EQUAL_FATAL(testtls_start(&stall, pki, R02, TESTTLS_STALL,
	    1), 0);
	CU_ASSERT_EQUAL_FATAL(testtls_start(&ok, pki, R03, TESTTLS_ANSWER,
	    1), 0);
	testtls_answer(&ok, 200, a, alen);
	member_at(&mem[0], R01, silent.port);
	member_at(&mem[1], R02, stall.port);
	member_at(&mem[2], R03, ok.port);
	p = testtls_client(base, pki, THL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	memset(&run, 0, sizeof(run));
	run.base = base;
	f = start(&run, p, q, qlen, md, mp, 3, deadline);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	run_loop(&run, 10 * deadline);
	CU_ASSERT_EQUAL(run.done_calls, 1);
	CU_ASSERT(run.done_ms <= deadline + deadline / 10 + 200);
	if (run.done_ms > deadline + deadline / 10 + 200)
		printf("\n  done after %ld ms, deadline %ld ms\n",
		    run.done_ms, deadline);
	if (run.res != NULL) {
		CU_ASSERT_TRUE(has_status(&run.res[0], R01,
		    FANOUT_ST_TIMEOUT, ""));
		CU_ASSERT_TRUE(has_status(&run.res[1], R02,
		    FANOUT_ST_TIMEOUT, ""));
		CU_ASSERT_TRUE(has_status(&run.res[2], R03, FANOUT_ST_OK, ""));
		/* The stalled handshake ends at the connect timeout, half
		 * the deadline, the silent one at its transfer timeout or
		 * the deadline (loosely: the machine is shared). */
		CU_ASSERT(run.res[1].ms < deadline * 8 / 10);
		CU_ASSERT(run.res[0].ms >= deadline * 8 / 10);
	}
	fanout_free(f);
	CU_ASSERT_EQUAL(peer_inflight(p), 0);
	peer_free(p);
	testtls_stop(&silent);
	testtls_stop(&stall);
	testtls_stop(&ok);
	xmlFree(a);
	xmlFree(q);
	event_base_free(base);
}

/* Two national queries one after another: 01 keeps its connection open,
 * 02 closes after each answer, so the second query reuses 01's connection
 * and resumes 02's TLS session. */
static void
test_reuses_connections_and_tls_sessions_between_queries(void)
{
	struct event_base *base = event_base_new();
	struct trust_member mem[2];
	const struct trust_member *mp[2] = { &mem[0], &mem[1] };
	struct testtls keep, close1;
	unsigned char md[32];
	struct run run;
	struct fanout *f;
	struct peer *p;
	char *q, *a;
	size_t qlen = 0, alen = 0;
	int k;

	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	CU_ASSERT_EQUAL_FATAL(testtls_start(&keep, pki, R01, TESTTLS_ANSWER,
	    1), 0);
	CU_ASSERT_EQUAL_FATAL(testtls_start(&close1, pki, R02, TESTTLS_ANSWER,
	    0), 0);
	member_at(&mem[0], R01, keep.port);
	member_at(&mem[1], R02, close1.port);
	p = testtls_client(base, pki, THL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	for (k = 0; k < 2; k++) {
		q = query_make(&qlen, md);
		CU_ASSERT_PTR_NOT_NULL_FATAL(q);
		a = response_make(md, R01, ENVELOPE_ST_OK, &alen);
		testtls_answer(&keep, 200, a, alen);
		xmlFree(a);
		a = response_make(md, R02, ENVELOPE_ST_OK, &alen);
		testtls_answer(&close1, 200, a, alen);
		xmlFree(a);
		memset(&run, 0, sizeof(run));
		run.base = base;
		f = start(&run, p, q, qlen, md, mp, 2, 5000);
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		run_loop(&run, 10000);
		CU_ASSERT_EQUAL(run.done_calls, 1);
		if (run.res != NULL) {
			CU_ASSERT_TRUE(has_status(&run.res[0], R01,
			    FANOUT_ST_OK, ""));
			CU_ASSERT_TRUE(has_status(&run.res[1], R02,
			    FANOUT_ST_OK, ""));
		}
		fanout_free(f);
		xmlFree(q);
	}
	CU_ASSERT_EQUAL(atomic_load(&keep.requests), 2);
	CU_ASSERT_EQUAL(atomic_load(&keep.handshakes), 1);
	CU_ASSERT_EQUAL(atomic_load(&close1.requests), 2);
	CU_ASSERT_EQUAL(atomic_load(&close1.handshakes), 2);
	CU_ASSERT_EQUAL(atomic_load(&close1.resumed), 1);
	if (atomic_load(&close1.resumed) != 1)
		printf("\n  closing server: %d handshakes, %d resumed\n",
		    atomic_load(&close1.handshakes),
		    atomic_load(&close1.resumed));
	peer_free(p);
	testtls_stop(&keep);
	testtls_stop(&close1);
	event_base_free(base);
}

/* A member with no TLS certificate in use cannot be asked: tls-error,
 * reported from the event loop, not from inside fanout_start(). */
static void
test_reports_members_that_cannot_be_asked_from_the_loop(void)
{
	struct event_base *base = event_base_new();
	struct trust_member m;
	const struct trust_member *mp[1] = { &m };
	unsigned char md[32];
	struct run run;
	struct fanout *f;
	struct peer *p;
	char *q;
	size_t qlen = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	q = query_make(&qlen, md);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	p = testtls_client(base, pki, THL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	member_at(&m, R01, closed_port());
	m.tls[0].not_after = time(NULL) - 60;	/* retired */
	m.ntls = 1;
	memset(&run, 0, sizeof(run));
	run.base = base;
	f = start(&run, p, q, qlen, md, mp, 1, 1000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(run.done_calls, 0);
	run_loop(&run, 5000);
	CU_ASSERT_EQUAL(run.done_calls, 1);
	CU_ASSERT_EQUAL(run.done_in_start, 0);
	CU_ASSERT_EQUAL(run.progress_calls, 1);
	CU_ASSERT(run.done_ms < 1000);
	if (run.res != NULL)
		CU_ASSERT_TRUE(has_status(&run.res[0], R01,
		    FANOUT_ST_TLS_ERROR, "no TLS certificate of its listing"));
	fanout_free(f);

	/* Nobody to ask: done() with no results, from the loop too. */
	memset(&run, 0, sizeof(run));
	run.base = base;
	f = start(&run, p, q, qlen, md, NULL, 0, 1000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(run.done_calls, 0);
	run_loop(&run, 5000);
	CU_ASSERT_EQUAL(run.done_calls, 1);
	CU_ASSERT_EQUAL(run.n, 0);
	CU_ASSERT(run.done_ms < 1000);
	fanout_free(f);
	peer_free(p);
	xmlFree(q);
	event_base_free(base);
}

/* The asking node's own region, answered in-process (fanout_local_fn). */
struct local {
	const char	*q;		/* the Query it must be given */
	size_t		 qlen;
	int		 calls, in_start, wrong_query;
	int		 decline;	/* answer -1 */
	int		 signer;	/* the member whose key signs */
	const unsigned char *md;
	struct run	*run;
};

static int
local_answer(void *arg, const void *query, size_t qlen, int *http_status,
    char **body, size_t *len)
{
	struct local *l = arg;
	char *out;
	size_t n = 0;

	l->calls++;
	l->in_start |= l->run->in_start;
	if (qlen != l->qlen || memcmp(query, l->q, qlen) != 0)
		l->wrong_query++;
	if (l->decline)
		return -1;
	if ((out = response_to(l->md, l->signer, R01, ENVELOPE_ST_OK,
	    &n)) == NULL)
		return -1;
	*body = malloc(n);
	memcpy(*body, out, n);
	*len = n;
	*http_status = 200;
	xmlFree(out);
	return 0;
}

/* Asked by region 01 itself, its own part goes to the local answerer,
 * never over TLS (its endpoint is a closed port), and is judged like any
 * answer: ok when signed by 01, bad-signature when by another member; an
 * answerer that cannot answer now hands it back to a TLS request. */
static void
test_answers_the_own_member_in_process(void)
{
	struct event_base *base = event_base_new();
	struct trust_member m;
	const struct trust_member *mp[1] = { &m };
	unsigned char md[32];
	struct local l;
	struct run run;
	struct fanout *f;
	struct peer *p;
	struct err e;
	char *q;
	size_t qlen = 0;
	int k;

	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	q = query_make(&qlen, md);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	p = testtls_client(base, pki, R01);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	member_at(&m, R01, closed_port());
	for (k = 0; k < 3; k++) {
		memset(&run, 0, sizeof(run));
		run.base = base;
		memset(&l, 0, sizeof(l));
		l.q = q;
		l.qlen = qlen;
		l.md = md;
		l.run = &run;
		l.signer = k == 1 ? R02 : R01;
		l.decline = k == 2;
		err_clear(&e);
		run.in_start = 1;
		clock_gettime(CLOCK_MONOTONIC, &run.t0);
		f = fanout_start(p, pki->ver, pki->ids[R01], q, qlen, md, mp,
		    1, 2000, on_progress, on_done, &run, local_answer, &l, &e);
		run.in_start = 0;
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		CU_ASSERT_EQUAL(l.calls, 0);
		run_loop(&run, 5000);
		CU_ASSERT_EQUAL(run.done_calls, 1);
		CU_ASSERT_EQUAL(l.calls, 1);
		CU_ASSERT_EQUAL(l.in_start, 0);
		CU_ASSERT_EQUAL(l.wrong_query, 0);
		CU_ASSERT_EQUAL(run.progress_bad, 0);
		if (run.res == NULL) {
			fanout_free(f);
			continue;
		}
		if (k == 0) {
			CU_ASSERT_TRUE(has_status(&run.res[0], R01,
			    FANOUT_ST_OK, ""));
			CU_ASSERT_EQUAL(run.res[0].local, 1);
			CU_ASSERT_EQUAL(run.res[0].http_status, 200);
			CU_ASSERT_PTR_NOT_NULL(run.res[0].doc);
			CU_ASSERT_PTR_NOT_NULL(run.res[0].body);
		} else if (k == 1) {
			CU_ASSERT_TRUE(has_status(&run.res[0], R01,
			    FANOUT_ST_BAD_SIGNATURE, ""));
			CU_ASSERT_PTR_NULL(run.res[0].doc);
		} else {
			CU_ASSERT_TRUE(has_status(&run.res[0], R01,
			    FANOUT_ST_UNREACHABLE, ""));
			CU_ASSERT_EQUAL(run.res[0].local, 0);
		}
		fanout_free(f);
	}
	peer_free(p);
	xmlFree(q);
	event_base_free(base);
}

/* Freed while a member still has not answered: its request is cancelled
 * and no callback follows. */
static void
test_cancels_what_still_runs_when_freed(void)
{
	struct event_base *base = event_base_new();
	struct trust_member m[2];
	const struct trust_member *mp[2] = { &m[0], &m[1] };
	struct testtls silent, ok;
	unsigned char md[32];
	struct run run;
	struct fanout *f;
	struct peer *p;
	char *q, *a;
	size_t qlen = 0, alen = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	q = query_make(&qlen, md);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	a = response_make(md, R02, ENVELOPE_ST_OK, &alen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL_FATAL(testtls_start(&silent, pki, R01, TESTTLS_SILENT,
	    1), 0);
	CU_ASSERT_EQUAL_FATAL(testtls_start(&ok, pki, R02, TESTTLS_ANSWER,
	    1), 0);
	testtls_answer(&ok, 200, a, alen);
	member_at(&m[0], R01, silent.port);
	member_at(&m[1], R02, ok.port);
	p = testtls_client(base, pki, THL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	memset(&run, 0, sizeof(run));
	run.base = base;
	f = start(&run, p, q, qlen, md, mp, 2, 5000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	run_loop(&run, 1000);		/* 02 answers, 01 does not */
	CU_ASSERT_EQUAL(run.done_calls, 0);
	CU_ASSERT_EQUAL(run.progress_calls, 1);
	CU_ASSERT_EQUAL(peer_inflight(p), 1);
	fanout_free(f);
	CU_ASSERT_EQUAL(peer_inflight(p), 0);
	run_loop(&run, 300);
	CU_ASSERT_EQUAL(run.done_calls, 0);
	CU_ASSERT_EQUAL(run.progress_calls, 1);

	/* And from done() itself. */
	memset(&run, 0, sizeof(run));
	run.base = base;
	f = start(&run, p, q, qlen, md, mp + 1, 1, 5000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	run.free_in_done = f;
	run_loop(&run, 5000);
	CU_ASSERT_EQUAL(run.done_calls, 1);
	CU_ASSERT_PTR_NULL(run.free_in_done);
	peer_free(p);
	testtls_stop(&silent);
	testtls_stop(&ok);
	xmlFree(a);
	xmlFree(q);
	event_base_free(base);
}

/* An answer past the cap of a fan-out answer is cut off, not parsed. */
static void
test_refuses_an_answer_past_its_size_cap(void)
{
	struct event_base *base = event_base_new();
	struct trust_member m;
	const struct trust_member *mp[1] = { &m };
	size_t big = xml_limits_answer.max_bytes + 1, qlen = 0;
	unsigned char md[32];
	struct testtls s;
	struct run run;
	struct fanout *f;
	struct peer *p;
	char *q, *a;
	char want[64];

	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	q = query_make(&qlen, md);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	a = malloc(big);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	memset(a, ' ', big);
	CU_ASSERT_EQUAL_FATAL(testtls_start(&s, pki, R01, TESTTLS_ANSWER,
	    1), 0);
	testtls_answer(&s, 200, a, big);
	free(a);
	member_at(&m, R01, s.port);
	p = testtls_client(base, pki, THL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	memset(&run, 0, sizeof(run));
	run.base = base;
	f = start(&run, p, q, qlen, md, mp, 1, 10000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	run_loop(&run, 20000);
	CU_ASSERT_EQUAL(run.done_calls, 1);
	snprintf(want, sizeof(want), "larger than %zu bytes",
	    xml_limits_answer.max_bytes);
	if (run.res != NULL) {
		CU_ASSERT_TRUE(has_status(&run.res[0], R01, FANOUT_ST_ERROR,
		    want));
		CU_ASSERT_PTR_NULL(run.res[0].body);
	}
	fanout_free(f);
	peer_free(p);
	testtls_stop(&s);
	xmlFree(q);
	event_base_free(base);
}

static void
test_refuses_a_deadline_out_of_range(void)
{
	struct event_base *base = event_base_new();
	unsigned char md[32] = { 0 };
	struct peer *p;
	struct err e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	p = testtls_client(base, pki, THL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	err_clear(&e);
	CU_ASSERT_PTR_NULL(fanout_start(p, pki->ver, pki->ids[THL], "x", 1, md,
	    NULL, 0, 5, NULL, on_done, NULL, NULL, NULL, &e));
	CU_ASSERT_EQUAL(e.code, ERR_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "deadline 5 ms"));
	err_clear(&e);
	CU_ASSERT_PTR_NULL(fanout_start(p, pki->ver, pki->ids[THL], "x", 1, md,
	    NULL, 0, 1000, NULL, NULL, NULL, NULL, NULL, &e));
	CU_ASSERT_EQUAL(e.code, ERR_USAGE);
	peer_free(p);
	event_base_free(base);
}

static void
test_names_the_statuses_as_users_see_them(void)
{
	static const char *const want[FANOUT_ST_COUNT] = { "ok", "timeout",
	    "unreachable", "tls-error", "bad-signature", "error" };
	int i;

	for (i = 0; i < FANOUT_ST_COUNT; i++)
		CU_ASSERT_STRING_EQUAL(fanout_status_name(i), want[i]);
	CU_ASSERT_STRING_EQUAL(fanout_status_name(-1), "error");
	CU_ASSERT_STRING_EQUAL(fanout_status_name(FANOUT_ST_COUNT), "error");
	CU_ASSERT_EQUAL(fanout_status_of(ERR_SIGNATURE),
	    FANOUT_ST_BAD_SIGNATURE);
	CU_ASSERT_EQUAL(fanout_status_of(ERR_TLS), FANOUT_ST_TLS_ERROR);
	CU_ASSERT_EQUAL(fanout_status_of(ERR_INPUT), FANOUT_ST_ERROR);
}

static CU_TestInfo fanout_tests[] = {
	{ "gives each member exactly its status in one query",
	    test_gives_each_member_exactly_its_status },
	{ "ends members that never answer by the deadline",
	    test_ends_members_that_never_answer_by_the_deadline },
	{ "reuses connections and TLS sessions between queries",
	    test_reuses_connections_and_tls_sessions_between_queries },
	{ "reports members that cannot be asked from the event loop",
	    test_reports_members_that_cannot_be_asked_from_the_loop },
	{ "answers the asking node's own member in-process",
	    test_answers_the_own_member_in_process },
	{ "cancels what still runs when freed",
	    test_cancels_what_still_runs_when_freed },
	{ "refuses an answer past its size cap",
	    test_refuses_an_answer_past_its_size_cap },
	{ "refuses a deadline out of range",
	    test_refuses_a_deadline_out_of_range },
	{ "names the statuses as users see them",
	    test_names_the_statuses_as_users_see_them },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ "fanout", suite_init, suite_clean, NULL, NULL, fanout_tests },
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	return test_run_suites(suites);
}
