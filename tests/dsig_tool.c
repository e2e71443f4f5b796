/*
 * dsig_tool.c - sign or verify one document with our dsig library, for
 * tests/test_interop.sh (which checks it against the stock xmlsec1).
 *
 *   dsig_tool sign KEY CERT IN OUT
 *   dsig_tool verify SIGNER-CERT CA-CERT|- IN
 *
 * verify pins SIGNER-CERT and checks its path to CA-CERT ("-": pin only);
 * prints "OK kind id signedAt".  Exit 0 success, 1 refused, 2 usage/input.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/x509.h>

#include "dsig.h"
#include "x509.h"
#include "xml.h"

static int
fail(const struct err *e)
{
	fprintf(stderr, "dsig_tool: %s: %s\n", err_code_name(e->code), e->msg);
	return err_exit_status(e->code);
}

static int
do_sign(char **argv)
{
	struct dsig_key *k = NULL;
	struct err e;
	xmlDocPtr doc = NULL;
	char *out = NULL;
	size_t len;
	FILE *f = NULL;
	int rc = 2;

	err_clear(&e);
	if (dsig_key_load(argv[0], argv[1], &k, &e) == -1 ||
	    (doc = xml_read_file(argv[2], &xml_limits_wire, &e)) == NULL ||
	    dsig_sign(k, doc, &e) == -1 ||
	    xml_serialize(doc, &out, &len, &e) == -1) {
		rc = fail(&e);
		goto done;
	}
	if ((f = fopen(argv[3], "wb")) == NULL ||
	    fwrite(out, 1, len, f) != len) {
		perror(argv[3]);
		goto done;
	}
	rc = 0;
done:
	if (f != NULL && fclose(f) != 0)
		rc = 2;
	xmlFree(out);
	xmlFreeDoc(doc);
	dsig_key_free(k);
	return rc;
}

static int
do_verify(char **argv)
{
	STACK_OF(X509) *cas = NULL;
	struct dsig_info info;
	struct err e;
	X509 *pin = NULL;
	xmlDocPtr doc = NULL;
	int rc;

	err_clear(&e);
	if ((pin = x509_load_pem(argv[0], &e)) == NULL ||
	    (strcmp(argv[1], "-") != 0 &&
	    (cas = x509_load_pem_all(argv[1], &e)) == NULL) ||
	    (doc = xml_read_file(argv[2], &xml_limits_wire, &e)) == NULL ||
	    dsig_verify_pinned(doc, pin, cas, DOC_ANY, time(NULL), &info,
	    &e) == -1) {
		rc = fail(&e);
	} else {
		printf("OK %s %s %lld\n", dsig_kind_root(info.kind),
		    info.doc_id, (long long)info.signed_at);
		rc = 0;
	}
	xmlFreeDoc(doc);
	X509_free(pin);
	sk_X509_pop_free(cas, X509_free);
	return rc;
}

int
main(int argc, char **argv)
{
	struct err e;

	xml_init();
	err_clear(&e);
	if (dsig_init(&e) == -1)
		return fail(&e);
	if (argc == 6 && strcmp(argv[1], "sign") == 0)
		return do_sign(argv + 2);
	if (argc == 5 && strcmp(argv[1], "verify") == 0)
		return do_verify(argv + 2);
	fprintf(stderr, "usage: dsig_tool sign KEY CERT IN OUT\n"
	    "       dsig_tool verify SIGNER-CERT CA-CERT|- IN\n");
	return 2;
}
