/*
 * cmd_pki_csr.c - `lasteri pki request|sign`, the two halves of joining a
 * real federation, with OpenSSL's C API: the member makes its TLS and
 * signing keys where they will live (0600, never printed, never sent) and
 * one certificate request (CSR) for each; the operator signs a request with
 * the federation CA under its own profile (certs/openssl.cnf's v3_tls and
 * v3_sign), taking from the request only its public key, its subject and
 * the names it checked, never the extensions it asks for.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cmd_trust.h"
#include "util.h"
#include "x509.h"

const char pki_usage_request[] =
    "lasteri pki request --member-id ID --host NAME [--host NAME]...\n"
    "           [--ip ADDR]... [--out DIR]";
const char pki_usage_sign[] =
    "lasteri pki sign REQUEST [--ca DIR] [--days N] [--out CERT]";

/* --- request: the member's half ------------------------------------------- */

#define MAX_NAMES	16

/* An ECDSA P-256 key in path: the one there (it must be 0600 or stricter),
 * or a new one written there with mode 0600.  *made says which. */
static EVP_PKEY *
key_get(const char *path, int *made)
{
	char tmp[4200];
	struct stat st;
	EVP_PKEY *k = NULL;
	FILE *f;
	int fd;

	*made = 0;
	if (lstat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode)) {
			warnx_("%s: not a regular file", path);
			return NULL;
		}
		if (st.st_mode & 077) {
			warnx_("%s: mode %03o: a private key must be 0600 or "
			    "stricter", path, (unsigned)(st.st_mode & 0777));
			return NULL;
		}
		if ((f = fopen(path, "r")) == NULL) {
			warnx_("%s: %s", path, strerror(errno));
			return NULL;
		}
		k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
		ERR_clear_error();
		if (k == NULL)
			warnx_("%s: not a PEM private key", path);
		return k;
	}
	if (errno != ENOENT) {
		warnx_("%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((k = EVP_EC_gen("P-256")) == NULL) {
		warnx_("%s: cannot make an ECDSA P-256 key", path);
		return NULL;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1 ||
	    (f = fdopen(fd, "w")) == NULL) {
		warnx_("%s: %s", tmp, strerror(errno));
		if (fd != -1)
			close(fd);
		EVP_PKEY_free(k);
		return NULL;
	}
	if (PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) != 1 ||
	    fflush(f) != 0 || fsync(fd) != 0) {
		warnx_("%s: cannot write the key", tmp);
		fclose(f);
		unlink(tmp);
		EVP_PKEY_free(k);
		return NULL;
	}
	fclose(f);
	if (rename(tmp, path) == -1) {
		warnx_("%s: %s", path, strerror(errno));
		unlink(tmp);
		EVP_PKEY_free(k);
		return NULL;
	}
	*made = 1;
	return k;
}

/* Adds extension nid with value (OpenSSL's config syntax) to exts. */
static int
ext_add(STACK_OF(X509_EXTENSION) *exts, int nid, const char *value)
{
	X509_EXTENSION *ex;

	if ((ex = X509V3_EXT_conf_nid(NULL, NULL, nid, value)) == NULL)
		return -1;
	if (sk_X509_EXTENSION_push(exts, ex) <= 0) {
		X509_EXTENSION_free(ex);
		return -1;
	}
	return 0;
}

/* A CSR for key k: subject OU=id (when it fits) and CN=cn, the requested
 * extensions ku, eku (NULL: none) and subjectAltName san, written to path. */
static int
csr_write(const char *path, EVP_PKEY *k, const char *id, const char *cn,
    const char *ku, const char *eku, const char *san)
{
	STACK_OF(X509_EXTENSION) *exts = NULL;
	X509_REQ *req = NULL;
	X509_NAME *nm;
	struct err e;
	BIO *b = NULL;
	char *data;
	long n;
	int rc = -1;

	err_clear(&e);
	if ((req = X509_REQ_new()) == NULL ||
	    (exts = sk_X509_EXTENSION_new_null()) == NULL)
		goto ossl;
	nm = X509_REQ_get_subject_name(req);
	if (X509_NAME_add_entry_by_txt(nm, "C", MBSTRING_UTF8,
	    (const unsigned char *)"FI", -1, -1, 0) != 1)
		goto ossl;
	/* ub-organizational-unit-name is 64: a longer ID is in the SAN only */
	if (strlen(id) <= 64 && X509_NAME_add_entry_by_txt(nm, "OU",
	    MBSTRING_UTF8, (const unsigned char *)id, -1, -1, 0) != 1)
		goto ossl;
	if (X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0) != 1)
		goto ossl;
	if (ext_add(exts, NID_key_usage, ku) == -1 ||
	    (eku != NULL && ext_add(exts, NID_ext_key_usage, eku) == -1) ||
	    ext_add(exts, NID_subject_alt_name, san) == -1)
		goto ossl;
	if (X509_REQ_set_version(req, 0) != 1 ||
	    X509_REQ_set_pubkey(req, k) != 1 ||
	    X509_REQ_add_extensions(req, exts) != 1 ||
	    X509_REQ_sign(req, k, EVP_sha256()) <= 0)
		goto ossl;
	if ((b = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_X509_REQ(b, req) != 1 ||
	    (n = BIO_get_mem_data(b, &data)) <= 0)
		goto ossl;
	if (util_write_atomic(path, data, (size_t)n, &e) == -1) {
		util_report(&e);
		goto done;
	}
	rc = 0;
	goto done;
ossl:
	warnx_("%s: cannot make the certificate request (OpenSSL: %s)", path,
	    ERR_reason_error_string(ERR_peek_last_error()) ?
	    ERR_reason_error_string(ERR_peek_last_error()) : "unknown");
done:
	ERR_clear_error();
	BIO_free(b);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_free(req);
	return rc;
}

int
pki_request(int argc, char **argv)
{
	const char *id = NULL, *outd = ".", *hosts[MAX_NAMES], *ips[MAX_NAMES];
	unsigned char bin[16];
	char why[512], san[4096], p[4200], cn[128];
	EVP_PKEY *tk = NULL, *sk = NULL;
	size_t off;
	int i, nh = 0, ni = 0, made_t, made_s, rc = 2;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return util_usage(pki_usage_request);
		if (i + 1 >= argc) {
			warnx_("request: '%s' needs a value or is unknown",
			    argv[i]);
			return util_usage(pki_usage_request);
		}
		if (strcmp(argv[i], "--member-id") == 0)
			id = argv[++i];
		else if (strcmp(argv[i], "--out") == 0)
			outd = argv[++i];
		else if (strcmp(argv[i], "--host") == 0) {
			if (nh == MAX_NAMES) {
				warnx_("request: more than %d --host",
				    MAX_NAMES);
				return 2;
			}
			hosts[nh] = argv[++i];
			if (!pki_host_is_name(hosts[nh], strlen(hosts[nh]))) {
				warnx_("request: --host '%s' is not a DNS host "
				    "name (letters, digits, '-', dots; give an "
				    "address with --ip)", hosts[nh]);
				return 2;
			}
			nh++;
		} else if (strcmp(argv[i], "--ip") == 0) {
			if (ni == MAX_NAMES) {
				warnx_("request: more than %d --ip", MAX_NAMES);
				return 2;
			}
			ips[ni] = argv[++i];
			if (inet_pton(AF_INET, ips[ni], bin) != 1 &&
			    inet_pton(AF_INET6, ips[ni], bin) != 1) {
				warnx_("request: --ip '%s' is not a numeric "
				    "IPv4 or IPv6 address", ips[ni]);
				return 2;
			}
			ni++;
		} else {
			warnx_("request: unknown option '%s'", argv[i]);
			return util_usage(pki_usage_request);
		}
	}
	if (id == NULL || nh == 0) {
		warnx_("request: --member-id and --host are required");
		return util_usage(pki_usage_request);
	}
	if (pki_member_id_check(id, why, sizeof(why)) == -1) {
		warnx_("request: --member-id: %s", why);
		return 2;
	}
	if (mkdir(outd, 0700) == -1 && errno != EEXIST) {
		warnx_("%s: %s", outd, strerror(errno));
		return 2;
	}

	/* The TLS request: the host names and addresses peers reach. */
	off = 0;
	for (i = 0; i < nh; i++)
		off += (size_t)snprintf(san + off, sizeof(san) - off, "DNS:%s,",
		    hosts[i]);
	for (i = 0; i < ni; i++)
		off += (size_t)snprintf(san + off, sizeof(san) - off, "IP:%s,",
		    ips[i]);
	snprintf(san + off, sizeof(san) - off, "URI:urn:lasteri:member:%s",
	    id);
	snprintf(p, sizeof(p), "%s/tls.key", outd);
	if ((tk = key_get(p, &made_t)) == NULL)
		goto done;
	snprintf(p, sizeof(p), "%s/tls.csr", outd);
	snprintf(cn, sizeof(cn), "%.60s", hosts[0]);
	if (csr_write(p, tk, id, cn, "critical,digitalSignature",
	    "serverAuth,clientAuth", san) == -1)
		goto done;

	/* The signing request: the member ID only. */
	snprintf(san, sizeof(san), "URI:urn:lasteri:member:%s", id);
	snprintf(p, sizeof(p), "%s/sign.key", outd);
	if ((sk = key_get(p, &made_s)) == NULL)
		goto done;
	snprintf(p, sizeof(p), "%s/sign.csr", outd);
	snprintf(cn, sizeof(cn), "%.52s signing", hosts[0]);
	if (csr_write(p, sk, id, cn, "critical,digitalSignature,nonRepudiation",
	    NULL, san) == -1)
		goto done;

	printf("%s/tls.key   %s (mode 0600; it never leaves this host)\n",
	    outd, made_t ? "created" : "kept");
	printf("%s/sign.key  %s (mode 0600; it never leaves this host)\n",
	    outd, made_s ? "created" : "kept");
	printf("%s/tls.csr   TLS certificate request for %s:", outd, id);
	for (i = 0; i < nh; i++)
		printf(" DNS:%s", hosts[i]);
	for (i = 0; i < ni; i++)
		printf(" IP:%s", ips[i]);
	printf("\n%s/sign.csr  signing certificate request for %s\n", outd,
	    id);
	printf("send the two .csr files to the federation operator "
	    "('lasteri pki sign')\n");
	rc = 0;
done:
	EVP_PKEY_free(tk);
	EVP_PKEY_free(sk);
	return rc;
}

/* --- sign: the operator's half -------------------------------------------- */

struct csr_info {
	int		 tls;		/* else signing */
	char		 id[200];	/* from the SAN URI */
	char		 names[2048];	/* "DNS:a IP:1.2.3.4" for the report */
	GENERAL_NAMES	*san;		/* checked, to copy */
};

/* The request's public key: EC P-256/P-384 or RSA of 2048 bits or more. */
static int
csr_key_check(EVP_PKEY *k, char *why, size_t len)
{
	char grp[64];
	size_t glen = 0;

	if (EVP_PKEY_is_a(k, "RSA")) {
		if (EVP_PKEY_get_bits(k) < 2048) {
			snprintf(why, len, "an RSA key of %d bits (2048 or "
			    "more)", EVP_PKEY_get_bits(k));
			return -1;
		}
		return 0;
	}
	if (EVP_PKEY_is_a(k, "EC") && EVP_PKEY_get_utf8_string_param(k,
	    "group", grp, sizeof(grp), &glen) == 1 &&
	    (strcmp(grp, "prime256v1") == 0 || strcmp(grp, "secp384r1") == 0))
		return 0;
	snprintf(why, len, "the key is not ECDSA P-256, P-384 or RSA");
	return -1;
}

/* Subject: C, O, OU and CN only, CN required, printable; OU, when it is
 * there, the member ID. */
static int
csr_subject_check(X509_NAME *nm, const char *id, char *why, size_t len)
{
	X509_NAME_ENTRY *ne;
	const unsigned char *s;
	unsigned char *u = NULL;
	int i, nid, n, j, cn = 0, bad;

	for (i = 0; i < X509_NAME_entry_count(nm); i++) {
		ne = X509_NAME_get_entry(nm, i);
		nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(ne));
		if (nid != NID_countryName && nid != NID_organizationName &&
		    nid != NID_organizationalUnitName && nid != NID_commonName) {
			snprintf(why, len, "the subject has %s; only C, O, OU "
			    "and CN are accepted", nid == NID_undef ?
			    "an unknown attribute" : OBJ_nid2sn(nid));
			return -1;
		}
		if ((n = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(ne)))
		    < 1) {
			snprintf(why, len, "the subject's %s is empty or not "
			    "text", OBJ_nid2sn(nid));
			OPENSSL_free(u);
			return -1;
		}
		s = u;
		for (j = 0, bad = 0; j < n; j++)
			bad |= s[j] < 0x20 || s[j] == 0x7f;
		if (bad) {
			snprintf(why, len, "the subject's %s has a control "
			    "character", OBJ_nid2sn(nid));
			OPENSSL_free(u);
			return -1;
		}
		if (nid == NID_organizationalUnitName && ((size_t)n !=
		    strlen(id) || memcmp(s, id, (size_t)n) != 0)) {
			snprintf(why, len, "the subject's OU '%.*s' is not the "
			    "member ID of the subjectAltName (%s)", n > 80 ?
			    80 : n, (const char *)s, id);
			OPENSSL_free(u);
			return -1;
		}
		cn |= nid == NID_commonName;
		OPENSSL_free(u);
		u = NULL;
	}
	if (!cn) {
		snprintf(why, len, "the subject has no CN");
		return -1;
	}
	return 0;
}

/* The requested extensions: the kind (TLS when it asks for serverAuth or
 * clientAuth) and a subjectAltName of one urn:lasteri:member: URI plus,
 * for TLS, at least one DNS name or IP address and nothing else. */
static int
csr_san_check(X509_REQ *req, struct csr_info *ci, char *why, size_t len)
{
	static const char prefix[] = "urn:lasteri:member:";
	STACK_OF(X509_EXTENSION) *exts;
	EXTENDED_KEY_USAGE *eku;
	GENERAL_NAME *g;
	ASN1_OBJECT *o;
	const unsigned char *s;
	char ipbuf[64], sub[512];
	size_t off = 0;
	int i, l, nuri = 0, nhost = 0, rc = -1;

	exts = X509_REQ_get_extensions(req);
	ci->tls = 0;
	if ((eku = X509V3_get_d2i(exts, NID_ext_key_usage, NULL, NULL)) !=
	    NULL) {
		for (i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
			o = sk_ASN1_OBJECT_value(eku, i);
			ci->tls |= OBJ_obj2nid(o) == NID_server_auth ||
			    OBJ_obj2nid(o) == NID_client_auth;
		}
		EXTENDED_KEY_USAGE_free(eku);
	}
	ci->san = X509V3_get_d2i(exts, NID_subject_alt_name, NULL, NULL);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	if (ci->san == NULL) {
		snprintf(why, len, "no subjectAltName (make the request with "
		    "'lasteri pki request')");
		return -1;
	}
	ci->names[0] = '\0';
	for (i = 0; i < sk_GENERAL_NAME_num(ci->san); i++) {
		g = sk_GENERAL_NAME_value(ci->san, i);
		switch (g->type) {
		case GEN_DNS:
			s = ASN1_STRING_get0_data(g->d.dNSName);
			l = ASN1_STRING_length(g->d.dNSName);
			if (l < 1 || memchr(s, '\0', (size_t)l) != NULL ||
			    !pki_host_is_name((const char *)s, (size_t)l)) {
				snprintf(why, len, "subjectAltName DNS:%.*s is "
				    "not a host name (no wildcards)",
				    l > 80 ? 80 : l, (const char *)s);
				goto done;
			}
			snprintf(sub, sizeof(sub), "DNS:%.*s", l,
			    (const char *)s);
			nhost++;
			break;
		case GEN_IPADD:
			l = ASN1_STRING_length(g->d.iPAddress);
			s = ASN1_STRING_get0_data(g->d.iPAddress);
			if ((l != 4 && l != 16) || inet_ntop(l == 4 ? AF_INET :
			    AF_INET6, s, ipbuf, sizeof(ipbuf)) == NULL) {
				snprintf(why, len, "a subjectAltName IP address "
				    "is neither IPv4 nor IPv6");
				goto done;
			}
			snprintf(sub, sizeof(sub), "IP:%s", ipbuf);
			nhost++;
			break;
		case GEN_URI:
			s = ASN1_STRING_get0_data(g->d.uniformResourceIdentifier);
			l = ASN1_STRING_length(g->d.uniformResourceIdentifier);
			if ((size_t)l <= sizeof(prefix) - 1 || (size_t)l >=
			    sizeof(prefix) + sizeof(ci->id) - 1 ||
			    memchr(s, '\0', (size_t)l) != NULL ||
			    strncmp((const char *)s, prefix,
			    sizeof(prefix) - 1) != 0) {
				snprintf(why, len, "subjectAltName URI:%.*s is "
				    "not urn:lasteri:member:MEMBER-ID",
				    l > 80 ? 80 : l, (const char *)s);
				goto done;
			}
			snprintf(ci->id, sizeof(ci->id), "%.*s",
			    l - (int)(sizeof(prefix) - 1),
			    (const char *)s + sizeof(prefix) - 1);
			if (pki_member_id_check(ci->id, why, len) == -1)
				goto done;
			nuri++;
			sub[0] = '\0';
			break;
		default:
			snprintf(why, len, "the subjectAltName has a name that "
			    "is not DNS, IP or the member URI");
			goto done;
		}
		if (sub[0] != '\0')
			off += (size_t)snprintf(ci->names + off,
			    off < sizeof(ci->names) ? sizeof(ci->names) - off :
			    0, "%s%s", off ? " " : "", sub);
		if (off >= sizeof(ci->names)) {
			snprintf(why, len, "the subjectAltName is too long");
			goto done;
		}
	}
	if (nuri != 1)
		snprintf(why, len, "the subjectAltName must carry exactly one "
		    "urn:lasteri:member:MEMBER-ID (it has %d)", nuri);
	else if (ci->tls && nhost == 0)
		snprintf(why, len, "a TLS request names no host (DNS:) or "
		    "address (IP:) in its subjectAltName");
	else if (!ci->tls && nhost != 0)
		snprintf(why, len, "a signing request names hosts; only a TLS "
		    "request (extendedKeyUsage serverAuth, clientAuth) may");
	else
		rc = 0;
done:
	return rc;
}

static void
time_text(const ASN1_TIME *t, char out[32])
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (ASN1_TIME_to_tm(t, &tm) == 1 &&
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) > 0)
		return;
	snprintf(out, 32, "?");
}

/* The certificate for req under ca/cakey, days long, with our profile. */
static X509 *
cert_issue(X509_REQ *req, EVP_PKEY *pub, const struct csr_info *ci,
    X509 *ca, EVP_PKEY *cakey, long days)
{
	unsigned char serial[16];
	X509V3_CTX ctx;
	X509_EXTENSION *ex;
	BIGNUM *bn = NULL;
	X509 *x = NULL;
	int ok = 0;

	if (RAND_bytes(serial, sizeof(serial)) != 1)
		return NULL;
	serial[0] &= 0x7f;	/* positive */
	serial[0] |= 0x01;	/* and no leading zero byte */
	if ((x = X509_new()) == NULL ||
	    (bn = BN_bin2bn(serial, sizeof(serial), NULL)) == NULL ||
	    X509_set_version(x, 2) != 1 ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL ||
	    X509_set_issuer_name(x, X509_get_subject_name(ca)) != 1 ||
	    X509_set_subject_name(x, X509_REQ_get_subject_name(req)) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -300) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), days * 86400L) == NULL ||
	    X509_set_pubkey(x, pub) != 1)
		goto done;
	X509V3_set_ctx(&ctx, ca, x, NULL, NULL, 0);
#define EXT(nid, v) do {						\
	if ((ex = X509V3_EXT_conf_nid(NULL, &ctx, nid, v)) == NULL)	\
		goto done;						\
	if (X509_add_ext(x, ex, -1) != 1) {				\
		X509_EXTENSION_free(ex);				\
		goto done;						\
	}								\
	X509_EXTENSION_free(ex);					\
} while (0)
	EXT(NID_basic_constraints, "critical,CA:FALSE");
	if (ci->tls) {
		EXT(NID_key_usage, "critical,digitalSignature");
		EXT(NID_ext_key_usage, "serverAuth,clientAuth");
	} else
		EXT(NID_key_usage, "critical,digitalSignature,nonRepudiation");
	EXT(NID_subject_key_identifier, "hash");
	EXT(NID_authority_key_identifier, "keyid:always");
#undef EXT
	if (X509_add1_ext_i2d(x, NID_subject_alt_name, ci->san, 0, 0) != 1 ||
	    X509_sign(x, cakey, EVP_sha256()) <= 0)
		goto done;
	ok = 1;
done:
	BN_free(bn);
	if (!ok) {
		X509_free(x);
		x = NULL;
	}
	return x;
}

/* REQUEST.csr -> REQUEST.crt, else REQUEST.crt */
static void
cert_path_for(const char *reqf, char *out, size_t len)
{
	size_t n = strlen(reqf);

	if (n > 4 && strcmp(reqf + n - 4, ".csr") == 0)
		snprintf(out, len, "%.*s.crt", (int)(n - 4), reqf);
	else
		snprintf(out, len, "%s.crt", reqf);
}

int
pki_sign(int argc, char **argv)
{
	const char *reqf = NULL, *cadir = ".", *outp = NULL;
	char crtf[4096], keyf[4096], outb[4200], why[512], subj[512];
	char nb[32], na[32], fh[X509_FPR_HEX];
	unsigned char fpr[X509_FPR_LEN];
	struct csr_info ci;
	STACK_OF(X509) *cas = NULL;
	X509_REQ *req = NULL;
	EVP_PKEY *pub = NULL, *cakey = NULL;
	X509 *ca = NULL, *x = NULL;
	struct err e;
	BIO *b = NULL;
	FILE *f;
	char *data;
	long days = 730, n;
	int i, rc = 2;

	err_clear(&e);
	memset(&ci, 0, sizeof(ci));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return util_usage(pki_usage_sign);
		if (strcmp(argv[i], "--ca") == 0 && i + 1 < argc)
			cadir = argv[++i];
		else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
			outp = argv[++i];
		else if (strcmp(argv[i], "--days") == 0 && i + 1 < argc) {
			if (util_parse_long("--days", argv[++i], 1, 3650,
			    &days) == -1)
				return 2;
		} else if (argv[i][0] == '-') {
			warnx_("sign: unknown option or missing value '%s'",
			    argv[i]);
			return util_usage(pki_usage_sign);
		} else if (reqf == NULL)
			reqf = argv[i];
		else
			return util_usage(pki_usage_sign);
	}
	if (reqf == NULL)
		return util_usage(pki_usage_sign);
	if (outp == NULL) {
		cert_path_for(reqf, outb, sizeof(outb));
		outp = outb;
	}
	if (pki_ca_paths(cadir, crtf, keyf, sizeof(crtf)) == -1)
		return 2;

	/* The request: well-formed, self-signed by its key, our shape. */
	if ((f = fopen(reqf, "r")) == NULL) {
		warnx_("%s: %s", reqf, strerror(errno));
		goto done;
	}
	req = PEM_read_X509_REQ(f, NULL, NULL, NULL);
	fclose(f);
	if (req == NULL) {
		warnx_("%s: not a PEM certificate request (CSR)", reqf);
		goto done;
	}
	if ((pub = X509_REQ_get_pubkey(req)) == NULL ||
	    X509_REQ_verify(req, pub) != 1) {
		warnx_("%s: REFUSED: its signature does not verify with its "
		    "own key", reqf);
		goto done;
	}
	if (csr_key_check(pub, why, sizeof(why)) == -1 ||
	    csr_san_check(req, &ci, why, sizeof(why)) == -1 ||
	    csr_subject_check(X509_REQ_get_subject_name(req), ci.id, why,
	    sizeof(why)) == -1) {
		warnx_("%s: REFUSED: %s", reqf, why);
		goto done;
	}

	/* The CA: its certificate and the key that matches it. */
	if ((cas = x509_load_pem_all(crtf, &e)) == NULL) {
		util_report(&e);
		goto done;
	}
	ca = sk_X509_value(cas, 0);
	if ((f = fopen(keyf, "r")) == NULL) {
		warnx_("%s: %s (the CA's key is needed to sign)", keyf,
		    strerror(errno));
		goto done;
	}
	cakey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (cakey == NULL || X509_check_private_key(ca, cakey) != 1) {
		warnx_("%s: not the private key of %s", keyf, crtf);
		goto done;
	}
	if ((x = cert_issue(req, pub, &ci, ca, cakey, days)) == NULL) {
		warnx_("%s: cannot issue the certificate (OpenSSL: %s)", reqf,
		    ERR_reason_error_string(ERR_peek_last_error()) ?
		    ERR_reason_error_string(ERR_peek_last_error()) :
		    "unknown");
		goto done;
	}
	/* What the members file and the nodes will check of it. */
	if (ci.tls ? (x509_verify_path(x, cas, NULL, time(NULL),
	    "the new certificate", &e) == -1 || (pki_tls_profile_check(x, why,
	    sizeof(why)) == -1 && err_set(&e, ERR_TRUST, "%s", why))) :
	    x509_check_signer(x, cas, time(NULL), &e) == -1) {
		util_report(&e);
		goto done;
	}
	if ((b = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_X509(b, x) != 1 ||
	    (n = BIO_get_mem_data(b, &data)) <= 0) {
		warnx_("%s: cannot write the certificate", outp);
		goto done;
	}
	if (util_write_atomic(outp, data, (size_t)n, &e) == -1) {
		util_report(&e);
		goto done;
	}
	x509_fingerprint(x, fpr);
	x509_fpr_hex(fpr, fh);
	x509_subject(x, subj, sizeof(subj));
	time_text(X509_get0_notBefore(x), nb);
	time_text(X509_get0_notAfter(x), na);
	printf("signed %s\n", outp);
	printf("  kind       %s\n", ci.tls ? "TLS (mutual TLS, server and "
	    "client)" : "signing (XML signatures)");
	printf("  member     %s\n", ci.id);
	printf("  subject    %s\n", subj);
	if (ci.tls)
		printf("  names      %s\n", ci.names);
	printf("  key usage  %s\n", ci.tls ? "digitalSignature; "
	    "serverAuth, clientAuth" : "digitalSignature, nonRepudiation");
	printf("  valid      %s to %s\n", nb, na);
	printf("  sha256     %s\n", fh);
	rc = 0;
done:
	ERR_clear_error();
	BIO_free(b);
	X509_free(x);
	EVP_PKEY_free(cakey);
	EVP_PKEY_free(pub);
	sk_X509_pop_free(cas, X509_free);
	X509_REQ_free(req);
	GENERAL_NAMES_free(ci.san);
	return rc;
}
