/*
 * x509.c - certificate helpers and our own certificate policy (see x509.h).
 *
 * xmlsec's OpenSSL backend trusts the OS store and checks neither the CA flag
 * nor keyUsage (XMLDSIG.md 1.9 P2/P3), so every signer passes through
 * x509_check_signer(): a fresh X509_STORE with only the given CAs, no
 * default paths, verification time set explicitly.
 */
#include "config.h"

#include <stdlib.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "hex.h"
#include "x509.h"

STACK_OF(X509) *
x509_parse_pem_all(const char *buf, size_t len, const char *name,
    struct err *e)
{
	STACK_OF(X509) *s = NULL, *ret = NULL;
	BIO *bio = NULL;
	X509 *x = NULL;

	if (len > 1024 * 1024) {
		err_set(e, ERR_INPUT, "%s: certificate file too large", name);
		goto done;
	}
	if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL ||
	    (s = sk_X509_new_null()) == NULL) {
		err_set(e, ERR_NOMEM, "%s: out of memory", name);
		goto done;
	}
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (sk_X509_push(s, x) <= 0) {
			X509_free(x);
			err_set(e, ERR_NOMEM, "%s: out of memory", name);
			goto done;
		}
		if (sk_X509_num(s) > 64) {
			err_set(e, ERR_INPUT, "%s: more than 64 certificates",
			    name);
			goto done;
		}
	}
	ERR_clear_error();
	if (sk_X509_num(s) == 0) {
		err_set(e, ERR_INPUT, "%s: no PEM certificate found", name);
		goto done;
	}
	ret = s;
	s = NULL;
done:
	sk_X509_pop_free(s, X509_free);
	BIO_free(bio);
	return ret;
}

STACK_OF(X509) *
x509_load_pem_all(const char *path, struct err *e)
{
	STACK_OF(X509) *ret = NULL;
	char *buf = NULL;
	FILE *f = NULL;
	size_t len = 0, n;

	if ((f = fopen(path, "rb")) == NULL) {
		err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
		goto done;
	}
	if ((buf = malloc(1024 * 1024 + 1)) == NULL) {
		err_set(e, ERR_NOMEM, "%s: out of memory", path);
		goto done;
	}
	while ((n = fread(buf + len, 1, 1024 * 1024 + 1 - len, f)) > 0) {
		len += n;
		if (len > 1024 * 1024)
			break;
	}
	if (ferror(f)) {
		err_set(e, ERR_IO, "%s: read error", path);
		goto done;
	}
	ret = x509_parse_pem_all(buf, len, path, e);
done:
	free(buf);
	if (f != NULL)
		fclose(f);
	return ret;
}

X509 *
x509_load_pem(const char *path, struct err *e)
{
	STACK_OF(X509) *s;
	X509 *x;

	if ((s = x509_load_pem_all(path, e)) == NULL)
		return NULL;
	x = sk_X509_shift(s);
	sk_X509_pop_free(s, X509_free);
	return x;
}

int
x509_fingerprint(X509 *x, unsigned char out[X509_FPR_LEN])
{
	unsigned int n = 0;

	if (x == NULL || !X509_digest(x, EVP_sha256(), out, &n) ||
	    n != X509_FPR_LEN)
		return -1;
	return 0;
}

void
x509_fpr_hex(const unsigned char fpr[X509_FPR_LEN], char out[X509_FPR_HEX])
{
	hex_encode(fpr, X509_FPR_LEN, out);
}

int
x509_fpr_parse(const char *s, unsigned char out[X509_FPR_LEN])
{
	int i, hi, lo;

	for (i = 0; i < X509_FPR_LEN; i++) {
		if (i > 0 && *s == ':')
			s++;
		if ((hi = hex_val(s[0])) < 0 || (lo = hex_val(s[1])) < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
		s += 2;
	}
	return *s == '\0' ? 0 : -1;
}

static int
asn1_to_time(const ASN1_TIME *t, time_t *out)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || !ASN1_TIME_to_tm(t, &tm))
		return -1;
	*out = timegm(&tm);
	return 0;
}

int
x509_validity(X509 *x, time_t *not_before, time_t *not_after)
{
	if (asn1_to_time(X509_get0_notBefore(x), not_before) == -1 ||
	    asn1_to_time(X509_get0_notAfter(x), not_after) == -1)
		return -1;
	return 0;
}

void
x509_subject(X509 *x, char *buf, size_t len)
{
	BIO *bio;
	int n;

	if (len == 0)
		return;
	buf[0] = '\0';
	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		return;
	if (X509_NAME_print_ex(bio, X509_get_subject_name(x), 0,
	    XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
		n = BIO_read(bio, buf, (int)len - 1);
		buf[n > 0 ? n : 0] = '\0';
	}
	BIO_free(bio);
}

int
x509_verify_path(X509 *x, STACK_OF(X509) *cas, STACK_OF(X509) *extra,
    time_t now, const char *what, struct err *e)
{
	X509_STORE *store = NULL;
	X509_STORE_CTX *ctx = NULL;
	X509_VERIFY_PARAM *param;
	int i, rc = -1;

	if (cas == NULL || sk_X509_num(cas) == 0) {
		err_set(e, ERR_TRUST, "%s does not chain to a trust-list CA "
		    "(no CA given)", what);
		goto done;
	}
	/* A fresh store: our anchors only, never set_default_paths. */
	if ((store = X509_STORE_new()) == NULL ||
	    (ctx = X509_STORE_CTX_new()) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < sk_X509_num(cas); i++) {
		if (!X509_STORE_add_cert(store, sk_X509_value(cas, i))) {
			ERR_clear_error();
			err_set(e, ERR_INTERNAL, "cannot add CA %d", i);
			goto done;
		}
	}
	if (!X509_STORE_CTX_init(ctx, store, x, extra)) {
		err_set(e, ERR_INTERNAL, "X509_STORE_CTX_init failed");
		goto done;
	}
	param = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_time(param, now);
	X509_VERIFY_PARAM_set_depth(param, 4);
	if (X509_verify_cert(ctx) != 1) {
		err_set(e, ERR_TRUST, "%s does not chain to a trust-list CA: "
		    "%s", what, X509_verify_cert_error_string(
		    X509_STORE_CTX_get_error(ctx)));
		goto done;
	}
	rc = 0;
done:
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return rc;
}

int
x509_check_signer(X509 *x, STACK_OF(X509) *cas, time_t now, struct err *e)
{
	const char *why = NULL;
	time_t nb, na;
	char subj[160];

	if (x == NULL)
		return err_set(e, ERR_TRUST, "no signer certificate");
	if (X509_check_ca(x) != 0)
		why = "signer is a CA";
	else if ((X509_get_extension_flags(x) & EXFLAG_KUSAGE) == 0 ||
	    (X509_get_key_usage(x) & KU_DIGITAL_SIGNATURE) == 0)
		why = "signer certificate lacks digitalSignature";
	else if (x509_validity(x, &nb, &na) == -1)
		why = "signer certificate has an unreadable validity";
	else if (now > na)
		why = "signer certificate expired";
	else if (now < nb)
		why = "signer certificate not yet valid";
	if (why != NULL) {
		x509_subject(x, subj, sizeof(subj));
		return err_set(e, ERR_TRUST, "%s (%s)", why, subj);
	}
	if (cas != NULL && x509_verify_path(x, cas, NULL, now,
	    "signer certificate", e) == -1)
		return -1;
	return 0;
}
