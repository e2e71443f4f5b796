/*
 * startcheck.c - `lasterid -t` beyond the configuration file (see
 * startcheck.h).  The keys are loaded through the doors that own them
 * (tls_server_new for the TLS key, dsig_key_load for the signing key), so
 * the check sees exactly what start-up will see.  A trust list that does
 * not verify is reported, then read without its checks so that the member
 * and certificate checks still run against what it lists.
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "dsig.h"
#include "model.h"
#include "startcheck.h"
#include "tls.h"
#include "trust.h"
#include "x509.h"
#include "xml.h"

struct check {
	const struct conf	*c;
	time_t			 now;
	FILE			*out;
	int			 problems;
};

static void problem(struct check *, const char *, const char *,
    const char *, ...) __attribute__((format(printf, 4, 5)));

/* One line: "lasterid: KEY FILE: reason". */
static void
problem(struct check *k, const char *key, const char *file, const char *fmt,
    ...)
{
	char msg[ERR_MSG_MAX + 256];
	const char *m = msg;
	size_t n = strlen(file);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* The library's messages often start with the file already. */
	if (strncmp(m, file, n) == 0 && (m[n] == ':' || m[n] == ' '))
		m += n + (m[n] == ':' && m[n + 1] == ' ' ? 2 : 1);
	fprintf(k->out, "lasterid: %s %s: %s\n", key, file, m);
	k->problems++;
}

/* The trust list, verified; or, when it does not verify or is expired, the
 * same list read without those checks (NULL when it cannot be read). */
static struct trust_list *
check_trust(struct check *k, X509 *anchor)
{
	const struct conf *c = k->c;
	struct trust_list *tl = NULL;
	struct err e;

	err_clear(&e);
	if (anchor != NULL && trust_load(c->trust_list, anchor, NULL, k->now,
	    &tl, &e) == 0)
		return tl;
	if (anchor != NULL && (e.code == ERR_SIGNATURE || strstr(e.msg,
	    "pinned") != NULL))
		problem(k, "trust_list", c->trust_list, "%s: not signed by the "
		    "trust_anchor %s", e.msg, c->trust_anchor);
	else if (anchor != NULL)
		problem(k, "trust_list", c->trust_list, "%s", e.msg);
	err_clear(&e);
	if (trust_load_flags(c->trust_list, NULL, NULL, k->now,
	    TRUST_F_NO_SIGNATURE | TRUST_F_NO_EXPIRY, &tl, &e) == -1) {
		if (anchor == NULL)
			problem(k, "trust_list", c->trust_list, "%s", e.msg);
		return NULL;
	}
	return tl;
}

/* "listed for 2027-01-01T00:00:00Z .. open" style window text. */
static void
window_text(const struct trust_cert *tc, char *buf, size_t len)
{
	char a[32] = "", b[32] = "";

	if (tc->not_before != 0)
		model_datetime_format(tc->not_before, a);
	if (tc->not_after != 0)
		model_datetime_format(tc->not_after, b);
	snprintf(buf, len, "from %s until %s", *a ? a : "the start",
	    *b ? b : "further notice");
}

/* Is fpr listed for m (among n certificates tc), in use now? */
static void
check_listed(struct check *k, const char *key, const char *file,
    const struct trust_member *m, const struct trust_cert *tc, int n,
    X509 *x)
{
	unsigned char fpr[X509_FPR_LEN];
	char hex[X509_FPR_HEX], listed[X509_FPR_HEX], win[100];
	int i;

	if (m == NULL || x509_fingerprint(x, fpr) == -1)
		return;
	x509_fpr_hex(fpr, hex);
	for (i = 0; i < n; i++) {
		if (memcmp(tc[i].fpr, fpr, sizeof(fpr)) != 0)
			continue;
		if (trust_cert_in_use(&tc[i], k->now))
			return;
		window_text(&tc[i], win, sizeof(win));
		problem(k, key, file, "SHA-256 %s is listed for member %s "
		    "only %s, not now (trust_list %s)", hex, m->id, win,
		    k->c->trust_list);
		return;
	}
	x509_fpr_hex(tc[0].fpr, listed);
	problem(k, key, file, "SHA-256 %s is not listed for member %s: the "
	    "trust list %s lists other certificates (%s%s); peers will "
	    "refuse this node", hex, m->id, k->c->trust_list, listed,
	    n > 1 ? ", ..." : "");
}

/* The TLS certificate: a leaf that may be a server and a client. */
static void
check_tls_usage(struct check *k, X509 *x)
{
	const char *file = k->c->tls_cert;
	uint32_t flags = X509_get_extension_flags(x);
	time_t nb, na;

	if (X509_check_ca(x) != 0)
		problem(k, "tls_cert", file, "is a CA certificate, not a "
		    "member's TLS certificate");
	if ((flags & EXFLAG_KUSAGE) != 0 &&
	    (X509_get_key_usage(x) & KU_DIGITAL_SIGNATURE) == 0)
		problem(k, "tls_cert", file, "keyUsage lacks digitalSignature "
		    "(a TLS certificate needs it for the handshake)");
	if ((flags & EXFLAG_XKUSAGE) != 0 &&
	    (X509_get_extended_key_usage(x) & (XKU_SSL_SERVER |
	    XKU_SSL_CLIENT)) != (XKU_SSL_SERVER | XKU_SSL_CLIENT))
		problem(k, "tls_cert", file, "extendedKeyUsage lacks %s (the "
		    "node is a TLS server and a client: it needs serverAuth "
		    "and clientAuth)",
		    (X509_get_extended_key_usage(x) & XKU_SSL_SERVER) == 0 ?
		    "serverAuth" : "clientAuth");
	if (x509_validity(x, &nb, &na) == 0 && k->now > na)
		problem(k, "tls_cert", file, "expired");
	else if (x509_validity(x, &nb, &na) == 0 && k->now < nb)
		problem(k, "tls_cert", file, "not yet valid");
}

static void
check_tls(struct check *k, struct trust_list *tl,
    const struct trust_member *m)
{
	const struct conf *c = k->c;
	STACK_OF(X509) *chain = NULL, *extra = NULL;
	SSL_CTX *ctx;
	struct err e;
	X509 *x;
	int bad_cert;

	err_clear(&e);
	bad_cert = 0;
	if ((ctx = tls_server_new(c->tls_cert, c->tls_key, NULL, &e)) ==
	    NULL) {
		bad_cert = strncmp(e.msg, c->tls_cert,
		    strlen(c->tls_cert)) == 0;
		if (bad_cert)
			problem(k, "tls_cert", c->tls_cert, "%s", e.msg);
		else if (strstr(e.msg, "does not match") != NULL ||
		    strstr(e.msg, "key values mismatch") != NULL)
			problem(k, "tls_key", c->tls_key, "does not match "
			    "the certificate %s", c->tls_cert);
		else
			problem(k, "tls_key", c->tls_key, "%s", e.msg);
	}
	tls_server_free(ctx);
	err_clear(&e);
	if ((chain = x509_load_pem_all(c->tls_cert, &e)) == NULL) {
		if (!bad_cert)
			problem(k, "tls_cert", c->tls_cert, "%s", e.msg);
		return;
	}
	x = sk_X509_value(chain, 0);
	check_tls_usage(k, x);
	if (tl != NULL) {
		if ((extra = sk_X509_dup(chain)) != NULL)
			(void)sk_X509_shift(extra);
		err_clear(&e);
		if (x509_verify_path(x, trust_cas(tl), extra, k->now,
		    "the TLS certificate", &e) == -1)
			problem(k, "tls_cert", c->tls_cert, "%s", e.msg);
		sk_X509_free(extra);
		if (m != NULL)
			check_listed(k, "tls_cert", c->tls_cert, m, m->tls,
			    m->ntls, x);
	}
	sk_X509_pop_free(chain, X509_free);
}

static void
check_sign(struct check *k, struct trust_list *tl,
    const struct trust_member *m)
{
	const struct conf *c = k->c;
	struct dsig_key *key = NULL;
	struct err e;
	X509 *x;

	err_clear(&e);
	if (dsig_key_load(c->sign_key, c->sign_cert, &key, &e) == -1)
		problem(k, "sign_key", c->sign_key, "%s", e.msg);
	dsig_key_free(key);
	err_clear(&e);
	if ((x = x509_load_pem(c->sign_cert, &e)) == NULL) {
		problem(k, "sign_cert", c->sign_cert, "%s", e.msg);
		return;
	}
	err_clear(&e);
	if (x509_check_signer(x, tl != NULL ? trust_cas(tl) : NULL, k->now,
	    &e) == -1)
		problem(k, "sign_cert", c->sign_cert, "%s", e.msg);
	if (m != NULL)
		check_listed(k, "sign_cert", c->sign_cert, m, m->sign,
		    m->nsign, x);
	X509_free(x);
}

/* [web] with tls on: its key matches its certificate, which is valid now
 * and may serve TLS (an ordinary server certificate: no trust-list
 * check). */
static void
check_web(struct check *k)
{
	const struct conf *c = k->c;
	time_t nb, na;
	SSL_CTX *ctx;
	struct err e;
	X509 *x;

	if (c->web_listen.text[0] == '\0' || !c->web_tls ||
	    c->web_tls_cert == NULL || c->web_tls_key == NULL)
		return;
	err_clear(&e);
	if ((ctx = tls_web_new(c->web_tls_cert, c->web_tls_key, &e)) == NULL) {
		if (strstr(e.msg, "does not match") != NULL ||
		    strstr(e.msg, "key values mismatch") != NULL)
			problem(k, "web tls_key", c->web_tls_key, "does not "
			    "match the certificate %s", c->web_tls_cert);
		else
			problem(k, strncmp(e.msg, c->web_tls_cert,
			    strlen(c->web_tls_cert)) == 0 ? "web tls_cert" :
			    "web tls_key", strncmp(e.msg, c->web_tls_cert,
			    strlen(c->web_tls_cert)) == 0 ? c->web_tls_cert :
			    c->web_tls_key, "%s", e.msg);
		return;
	}
	SSL_CTX_free(ctx);
	err_clear(&e);
	if ((x = x509_load_pem(c->web_tls_cert, &e)) == NULL)
		return;
	if (x509_validity(x, &nb, &na) == 0 && k->now > na)
		problem(k, "web tls_cert", c->web_tls_cert, "expired");
	else if (x509_validity(x, &nb, &na) == 0 && k->now < nb)
		problem(k, "web tls_cert", c->web_tls_cert, "not yet valid");
	X509_free(x);
}

int
startcheck_run(const struct conf *c, time_t now, FILE *out)
{
	struct check k;
	struct trust_list *tl = NULL;
	const struct trust_member *m = NULL;
	X509 *anchor;
	struct err e;

	memset(&k, 0, sizeof(k));
	k.c = c;
	k.now = now;
	k.out = out;
	err_clear(&e);
	xml_init();
	if (dsig_init(&e) == -1) {
		problem(&k, "xmlsec", "-", "%s", e.msg);
		return k.problems;
	}
	if ((anchor = x509_load_pem(c->trust_anchor, &e)) == NULL)
		problem(&k, "trust_anchor", c->trust_anchor, "%s", e.msg);
	tl = check_trust(&k, anchor);
	if (tl != NULL && (m = trust_member_by_id(tl, c->member_id)) == NULL)
		problem(&k, "member_id", c->member_id, "not listed in the "
		    "trust list %s", c->trust_list);
	check_tls(&k, tl, m);
	check_sign(&k, tl, m);
	check_web(&k);
	trust_unref(tl);
	X509_free(anchor);
	return k.problems;
}
