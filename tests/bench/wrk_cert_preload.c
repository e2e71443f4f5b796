/*
 * wrk_cert_preload.c - an LD_PRELOAD library that gives wrk (which has no
 * option for it) a TLS client certificate: it wraps OpenSSL's SSL_CTX_new
 * and loads the certificate chain and key named by WRK_CLIENT_CERT and
 * WRK_CLIENT_KEY into every context the program creates.  Used by
 * tests/bench/node; built by it with "cc -shared -fPIC ... -ldl -lssl".
 * Not linked into anything else.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

typedef SSL_CTX *(*ctx_new_fn)(const SSL_METHOD *);

SSL_CTX *
SSL_CTX_new(const SSL_METHOD *method)
{
	static ctx_new_fn real;
	const char *cert, *key;
	SSL_CTX *ctx;

	if (real == NULL &&
	    (real = (ctx_new_fn)dlsym(RTLD_NEXT, "SSL_CTX_new")) == NULL) {
		fprintf(stderr, "wrk_cert_preload: dlsym SSL_CTX_new: %s\n",
		    dlerror());
		abort();
	}
	if ((ctx = real(method)) == NULL)
		return NULL;
	cert = getenv("WRK_CLIENT_CERT");
	key = getenv("WRK_CLIENT_KEY");
	if (cert == NULL || key == NULL)
		return ctx;
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		fprintf(stderr, "wrk_cert_preload: cannot load %s / %s\n",
		    cert, key);
		ERR_print_errors_fp(stderr);
		abort();
	}
	return ctx;
}
