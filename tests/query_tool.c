/*
 * query_tool.c - make a signed national Query and check a Response, for the
 * shell tests of POST /v1/query (tests/test_query.sh), which post with curl
 * over the member's own (or another member's) TLS certificate.
 *
 *   query_tool query KEY CERT FROM KIND [AGE|UNIT] [ISSUED-OFFSET [TTL]]
 *	KIND search (AGE, default 10), stats, lookup (UNIT), provider
 *	(a business ID: a SupervisionLookup by provider); the query is
 *	issued ISSUED-OFFSET seconds from now (default 0, negative is in the
 *	past) and lives TTL seconds (default 60).  Prints the signed bytes.
 *   query_tool response TRUSTLIST ANCHOR ASKED SELF QUERY RESPONSE
 *	Checks RESPONSE as the answer of member ASKED to QUERY (a file)
 *	asked by SELF; prints "status=TOKEN results=N reason=..." where N
 *	counts the result rows, tables or records.
 *
 * Exit 0 success, 1 refused (the check failed), 2 usage or input.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "dsig.h"
#include "envelope.h"
#include "trust.h"
#include "verifier.h"
#include "xml.h"

static int
usage(void)
{
	fprintf(stderr, "usage: query_tool query KEY CERT FROM KIND [AGE|UNIT] "
	    "[ISSUED-OFFSET [TTL]]\n"
	    "       query_tool response TRUSTLIST ANCHOR ASKED SELF QUERY "
	    "RESPONSE\n");
	return 2;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f;
	char *buf = NULL;
	long n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL &&
	    fread(buf, 1, (size_t)n, f) == (size_t)n) {
		buf[n] = '\0';
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static int
make_query(int argc, char **argv)
{
	struct envelope_query q;
	struct dsig_key *k = NULL;
	enum envelope_kind kind;
	xmlDocPtr doc = NULL;
	char *out = NULL;
	size_t len;
	long off = 0, ttl = 60;
	struct err e;

	err_clear(&e);
	if (argc < 6)
		return usage();
	if (strcmp(argv[5], "search") == 0)
		kind = ENVELOPE_SEARCH;
	else if (strcmp(argv[5], "stats") == 0)
		kind = ENVELOPE_STATISTICS;
	else if (strcmp(argv[5], "lookup") == 0 ||
	    strcmp(argv[5], "provider") == 0)
		kind = ENVELOPE_LOOKUP;
	else
		return usage();
	envelope_query_init(&q, kind);
	snprintf(q.from, sizeof(q.from), "%s", argv[4]);
	if (kind == ENVELOPE_SEARCH)
		q.search.age = argc > 6 ? atoi(argv[6]) : 10;
	else if (kind == ENVELOPE_STATISTICS)
		q.stats.by = ENVELOPE_BY_REGION;
	else if (argc > 6 && strcmp(argv[5], "provider") == 0)
		snprintf(q.lookup.business_id, sizeof(q.lookup.business_id),
		    "%s", argv[6]);
	else if (argc > 6)
		snprintf(q.lookup.unit_id, sizeof(q.lookup.unit_id), "%s",
		    argv[6]);
	if (argc > 7)
		off = strtol(argv[7], NULL, 10);
	if (argc > 8)
		ttl = strtol(argv[8], NULL, 10);
	if (dsig_key_load(argv[2], argv[3], &k, &e) == -1 ||
	    (doc = envelope_query_new(&q, time(NULL) + off, (int)ttl,
	    &e)) == NULL || dsig_sign(k, doc, &e) == -1 ||
	    xml_serialize(doc, &out, &len, &e) == -1) {
		fprintf(stderr, "query_tool: %s\n", e.msg);
		dsig_key_free(k);
		xmlFreeDoc(doc);
		return 2;
	}
	fwrite(out, 1, len, stdout);
	free(out);
	xmlFreeDoc(doc);
	dsig_key_free(k);
	return 0;
}

static long
count_results(xmlNodePtr n)
{
	long c = 0;

	if (n == NULL)
		return 0;
	for (n = n->children; n != NULL; n = n->next)
		c += n->type == XML_ELEMENT_NODE;
	return c;
}

static int
check_response(int argc, char **argv)
{
	struct envelope_response resp;
	struct trust_list *tl = NULL;
	struct verifier *v = NULL;
	unsigned char digest[32];
	xmlDocPtr doc = NULL;
	X509 *anchor = NULL;
	FILE *f;
	char *qb = NULL, *rb = NULL;
	size_t ql = 0, rl = 0;
	struct err e;
	int rc = 2;

	err_clear(&e);
	if (argc != 8)
		return usage();
	if ((f = fopen(argv[3], "r")) == NULL ||
	    (anchor = PEM_read_X509(f, NULL, NULL, NULL)) == NULL) {
		fprintf(stderr, "query_tool: %s: no certificate\n", argv[3]);
		if (f != NULL)
			fclose(f);
		return 2;
	}
	fclose(f);
	if ((qb = slurp(argv[6], &ql)) == NULL ||
	    (rb = slurp(argv[7], &rl)) == NULL) {
		fprintf(stderr, "query_tool: cannot read the query or the "
		    "response\n");
		goto done;
	}
	EVP_Digest(qb, ql, digest, NULL, EVP_sha256(), NULL);
	if (trust_load(argv[2], anchor, NULL, time(NULL), &tl, &e) == -1 ||
	    (v = verifier_new(tl, &e)) == NULL) {
		fprintf(stderr, "query_tool: %s\n", e.msg);
		goto done;
	}
	rc = 1;
	if ((doc = xml_parse(rb, rl, "response", &xml_limits_wire,
	    &e)) == NULL || envelope_response_check(v, doc, argv[4], digest,
	    argv[5], time(NULL), &resp, &e) == -1) {
		printf("refused: %s: %s\n", err_code_name(e.code), e.msg);
		goto done;
	}
	printf("status=%s results=%ld reason=%s\n",
	    envelope_status_token(resp.status), count_results(resp.results),
	    resp.reason);
	rc = 0;
done:
	xmlFreeDoc(doc);
	verifier_free(v);
	trust_unref(tl);
	X509_free(anchor);
	free(qb);
	free(rb);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "query") == 0)
		return make_query(argc, argv);
	if (strcmp(argv[1], "response") == 0)
		return check_response(argc, argv);
	return usage();
}
