/*
 * fuzz_verify.c - libFuzzer target: bytes -> xml_parse() -> dsig_verify_pinned().
 *
 * The pinned certificate is tests/fuzz/pinned.pem, embedded below (a
 * self-signed, CA:FALSE, digitalSignature ECDSA P-256 certificate valid until
 * 2125; its key was discarded).  The seed corpus (tests/fuzz/corpus_verify/)
 * holds documents it genuinely signed, so mutations reach the C14N and
 * signature checks, not only the parser.  "now" is fixed so runs repeat.
 * tests/fuzz/replay.c runs the seeds in make check.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "dsig.h"
#include "xml.h"

#include "pinned.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int	fuzz_verify_last_ok(void);

#define FUZZ_NOW	((time_t)1800000000)	/* 2027-01-15 */

static X509 *pinned;
static int last_ok;

/* 1 when the last input verified (for the replay driver's genuine seeds). */
int
fuzz_verify_last_ok(void)
{
	return last_ok;
}

static int
fuzz_init(void)
{
	struct err e;
	BIO *bio;

	if (pinned != NULL)
		return 0;
	xml_init();
	if (dsig_init(&e) == -1)
		return -1;
	if ((bio = BIO_new_mem_buf(fuzz_pinned_pem, -1)) == NULL)
		return -1;
	pinned = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	return pinned != NULL ? 0 : -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dsig_info info;
	struct err e;
	xmlDocPtr doc;

	last_ok = 0;
	if (fuzz_init() == -1)
		return 0;
	err_clear(&e);
	if ((doc = xml_parse((const char *)data, size, "fuzz",
	    &xml_limits_wire, &e)) == NULL)
		return 0;
	last_ok = dsig_verify_pinned(doc, pinned, NULL, DOC_ANY, FUZZ_NOW,
	    &info, &e) == 0;
	xmlFreeDoc(doc);
	return 0;
}
