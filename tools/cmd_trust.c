/*
 * cmd_trust.c - `lasteri trust create|sign|show|verify|cert-add|cert-retire`:
 * build a trust list from a PKI made by certs/mkpki, sign it as the
 * operator, show it, check it the way a node does (anchor, expiry, no
 * rollback), and rotate a member's certificates (an unsigned draft with the
 * next sequence, to be signed with `trust sign`).
 */
#include "config.h"

#include <dirent.h>
#include <limits.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libxml/tree.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cmd.h"
#include "cmd_trust.h"
#include "dsig.h"
#include "model.h"
#include "schema.h"
#include "trust.h"
#include "util.h"
#include "x509.h"
#include "vocab.h"
#include "xml.h"

#define NS	"urn:lasteri:1"

static const char usage_create[] =
    "lasteri trust create (--pki DIR [--port-base P] | --members FILE [--ca DIR])\n"
    "           --out FILE [--sequence N] [--valid-days D] [--instance FI]\n"
    "           [--quiet]";
static const char usage_sign[] =
    "lasteri trust sign --key KEY --cert CERT IN OUT";
static const char usage_show[] =
    "lasteri trust show [--anchor OPERATOR.crt] [--format table|csv] FILE";
static const char usage_verify[] =
    "lasteri trust verify --anchor OPERATOR.crt [--held OLDFILE] FILE";
/* Every form: on stdout with status 0 when asked for (--help), else on
 * stderr with status 2. */
static int
usage_all(int asked)
{
	fprintf(asked ? stdout : stderr, "usage: %s\n       %s\n       %s\n"
	    "       %s\n       %s\n       %s\n", usage_create, usage_sign,
	    usage_show, usage_verify, trust_usage_cert_add,
	    trust_usage_cert_retire);
	return asked ? 0 : 2;
}

static int
is_help(const char *s)
{
	return strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0;
}

/* --- small helpers ------------------------------------------------------- */

/* A PEM certificate (the operator's, which a list is checked against). */
static X509 *
anchor_load(const char *path)
{
	struct err e;
	X509 *x;

	err_clear(&e);
	if ((x = x509_load_pem(path, &e)) == NULL)
		util_report(&e);
	return x;
}

static void
hex(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
doc_write(xmlDocPtr doc, const char *path)
{
	struct err e;
	char *buf = NULL;
	size_t len;
	int rc;

	err_clear(&e);
	if (xml_serialize(doc, &buf, &len, &e) == -1)
		return util_report(&e);
	rc = util_write_atomic(path, buf, len, &e) == -1 ? util_report(&e) : 0;
	xmlFree(buf);
	return rc;
}

/* --- trust create -------------------------------------------------------- */

static int
code_cmp(const void *a, const void *b)
{
	return strcmp(((const struct tl_member *)a)->code,
	    ((const struct tl_member *)b)->code);
}

/* SHA-256 (hex) of the first certificate in a PEM file. */
static int
cert_fpr(const char *path, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len;
	X509 *x;
	int rc = -1;

	if ((x = anchor_load(path)) == NULL)
		return -1;
	if (X509_digest(x, EVP_sha256(), md, &len) != 1 || len != 32)
		warnx_("%s: cannot hash the certificate", path);
	else {
		hex(md, 32, out);
		rc = 0;
	}
	X509_free(x);
	return rc;
}

/* The first line of a small text file. */
static int
line_read(const char *path, char *buf, size_t len)
{
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		warnx_("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fgets(buf, (int)len, f) == NULL) {
		warnx_("%s: empty", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[0] == '\0') {
		warnx_("%s: empty", path);
		return -1;
	}
	return 0;
}

static int	member_profile(const char *, const char **, const char **,
		    const char **, const char *const **);

/* The members of DIR/members, sorted by code, with the test federation's
 * names, roles and issuer codes and endpoints on 127.0.0.1 from port on. */
static int
members_scan(const char *pki, long port, struct tl_member **out, int *count)
{
	const char *name, *region, *roles;
	const char *const *issuers;
	int i, j;

	char path[4096];
	struct tl_member *m = NULL, *t;
	struct dirent *de;
	DIR *d;
	int n = 0, cap = 0, rc = -1;

	snprintf(path, sizeof(path), "%s/members", pki);
	if ((d = opendir(path)) == NULL) {
		warnx_("%s: %s", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (strlen(de->d_name) >= sizeof(m->code)) {
			warnx_("%s/%s: not a member code", path, de->d_name);
			goto done;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			if (cap > 1000 || (t = realloc(m, (size_t)cap *
			    sizeof(*m))) == NULL) {
				warnx_("%s: too many members", path);
				goto done;
			}
			m = t;
		}
		memset(&m[n], 0, sizeof(m[n]));
		snprintf(m[n].code, sizeof(m[n].code), "%s", de->d_name);
		snprintf(path, sizeof(path), "%s/members/%s/member.id", pki,
		    de->d_name);
		if (line_read(path, m[n].id, sizeof(m[n].id)) == -1)
			goto done;
		snprintf(path, sizeof(path), "%s/members/%s/tls.crt", pki,
		    de->d_name);
		if (cert_fpr(path, m[n].tls) == -1)
			goto done;
		snprintf(path, sizeof(path), "%s/members/%s/sign.crt", pki,
		    de->d_name);
		if (cert_fpr(path, m[n].sign) == -1)
			goto done;
		snprintf(path, sizeof(path), "%s/members", pki);
		n++;
	}
	if (n == 0) {
		warnx_("%s: no members", path);
		goto done;
	}
	qsort(m, (size_t)n, sizeof(*m), code_cmp);
	for (i = 0; i < n; i++) {
		if (member_profile(m[i].code, &name, &region, &roles,
		    &issuers) == -1) {
			warnx_("%s/members/%s: '%s' is not a region code "
			    "(01..21, 90), thl or lvv", pki, m[i].code,
			    m[i].code);
			goto done;
		}
		snprintf(m[i].name, sizeof(m[i].name), "%s", name);
		snprintf(m[i].region, sizeof(m[i].region), "%s",
		    region != NULL ? region : "");
		snprintf(m[i].roles, sizeof(m[i].roles), "%s", roles);
		snprintf(m[i].endpoint, sizeof(m[i].endpoint),
		    "https://127.0.0.1:%ld", port + i);
		if (region != NULL)
			snprintf(m[i].issuers[m[i].nissuers++],
			    sizeof(m[i].issuers[0]), "HVA-%s", region);
		for (j = 0; issuers[j] != NULL &&
		    m[i].nissuers < TRUST_MAX_ISSUERS; j++)
			snprintf(m[i].issuers[m[i].nissuers++],
			    sizeof(m[i].issuers[0]), "%s", issuers[j]);
	}
	*out = m;
	*count = n;
	m = NULL;
	rc = 0;
done:
	closedir(d);
	free(m);
	return rc;
}

/* The supervisory authority signs for itself and for the authorities whose
 * records it inherited (the regional state administrative agencies and
 * Valvira, merged into it in 2026). */
static const char *const lvv_issuers[] = { "LVV", "AVI-ES", "AVI-LS",
    "AVI-LSS", "AVI-ISA", "AVI-PSA", "AVI-LA", "VALVIRA", NULL };

/* Name, region, roles and issuer codes (NULL-terminated; a region's own
 * HVA-NN is added by the caller) of a member code of the test federation. */
static int
member_profile(const char *code, const char **name, const char **region,
    const char **roles, const char *const **issuers)
{
	static const char *const none[] = { NULL };
	int r;

	*issuers = none;
	if (strcmp(code, "thl") == 0) {
		*name = "Terveyden ja hyvinvoinnin laitos";
		*region = NULL;
		*roles = "coordinator auditor";
		return 0;
	}
	if (strcmp(code, "lvv") == 0) {
		*name = "Lupa- ja valvontavirasto";
		*region = NULL;
		*roles = "supervisor";
		*issuers = lvv_issuers;
		return 0;
	}
	if ((r = region_find(code)) == -1)
		return -1;
	*name = regions[r].name;
	*region = regions[r].code;
	*roles = "region supervisor";
	return 0;
}

static xmlNodePtr
el(xmlNodePtr parent, xmlNsPtr ns, const char *name, const char *text,
    int depth)
{
	int i;

	xmlAddChild(parent, xmlNewText((const xmlChar *)"\n"));
	for (i = 0; i < depth; i++)
		xmlAddChild(parent, xmlNewText((const xmlChar *)"  "));
	return xmlNewTextChild(parent, ns, (const xmlChar *)name,
	    (const xmlChar *)text);
}

static void
el_end(xmlNodePtr parent, int depth)
{
	int i;

	xmlAddChild(parent, xmlNewText((const xmlChar *)"\n"));
	for (i = 0; i < depth; i++)
		xmlAddChild(parent, xmlNewText((const xmlChar *)"  "));
}

/* Base64 of the DER of every certificate in the PEM file path. */
static int
cas_add(xmlNodePtr cas, xmlNsPtr ns, const char *path)
{
	unsigned char *der = NULL;
	char *b64;
	FILE *f;
	X509 *x;
	int len, n = 0;

	if ((f = fopen(path, "r")) == NULL) {
		warnx_("%s: %s", path, strerror(errno));
		return -1;
	}
	while ((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
		der = NULL;
		len = i2d_X509(x, &der);
		X509_free(x);
		if (len <= 0) {
			warnx_("%s: cannot encode certificate", path);
			fclose(f);
			return -1;
		}
		b64 = xmalloc(4 * ((size_t)len + 2) / 3 + 1);
		EVP_EncodeBlock((unsigned char *)b64, der, len);
		OPENSSL_free(der);
		el(cas, ns, "Certificate", b64, 2);
		free(b64);
		n++;
	}
	fclose(f);
	if (n == 0) {
		warnx_("%s: no PEM certificate", path);
		return -1;
	}
	el_end(cas, 1);
	return 0;
}

static int
trust_create(int argc, char **argv)
{
	const char *pki = NULL, *outp = NULL, *instance = "FI";
	const char *membersf = NULL, *cadir = NULL;
	long seq = 1, days = 90, port = 7400;
	struct tl_member *m = NULL;
	STACK_OF(X509) *cas = NULL;
	xmlDocPtr doc = NULL;
	xmlNodePtr root, list, cas_el, mn;
	xmlNsPtr ns;
	struct trust_list *tl = NULL;
	struct err e;
	char buf[4096], cakey[4096], t[32], *xbuf = NULL;
	size_t xlen;
	time_t now = time(NULL);
	int i, j, n = 0, quiet = 0, port_given = 0, rc = 2;

	err_clear(&e);
	for (i = 1; i < argc; i++) {
		if (is_help(argv[i]))
			return util_usage(usage_create);
		if (strcmp(argv[i], "--quiet") == 0) {
			quiet = 1;
			continue;
		}
		if (i + 1 >= argc) {
			warnx_("create: '%s' needs a value or is unknown",
			    argv[i]);
			return util_usage(usage_create);
		}
		if (strcmp(argv[i], "--pki") == 0)
			pki = argv[++i];
		else if (strcmp(argv[i], "--members") == 0)
			membersf = argv[++i];
		else if (strcmp(argv[i], "--ca") == 0)
			cadir = argv[++i];
		else if (strcmp(argv[i], "--out") == 0)
			outp = argv[++i];
		else if (strcmp(argv[i], "--instance") == 0)
			instance = argv[++i];
		else if (strcmp(argv[i], "--sequence") == 0) {
			if (util_parse_long("--sequence", argv[++i], 1,
			    LONG_MAX, &seq) == -1)
				return 2;
		} else if (strcmp(argv[i], "--valid-days") == 0) {
			if (util_parse_long("--valid-days", argv[++i], 1,
			    3650, &days) == -1)
				return 2;
		} else if (strcmp(argv[i], "--port-base") == 0) {
			if (util_parse_long("--port-base", argv[++i], 1,
			    64535, &port) == -1)
				return 2;
			port_given = 1;
		} else {
			warnx_("create: unknown option '%s'", argv[i]);
			return util_usage(usage_create);
		}
	}
	if ((pki == NULL) == (membersf == NULL) || outp == NULL) {
		warnx_("create: --out and one of --pki or --members are "
		    "required");
		return util_usage(usage_create);
	}
	if (membersf != NULL && port_given) {
		warnx_("create: --port-base is for --pki; the members file "
		    "gives every endpoint");
		return 2;
	}
	if (pki != NULL && cadir != NULL) {
		warnx_("create: --ca is for --members; --pki DIR holds its CA");
		return 2;
	}
	/* The federation CA: every member certificate must chain to it. */
	if (pki_ca_paths(pki != NULL ? pki : cadir != NULL ? cadir : ".",
	    buf, cakey, sizeof(buf)) == -1)
		goto done;
	if ((cas = x509_load_pem_all(buf, &e)) == NULL) {
		rc = util_report(&e);
		goto done;
	}
	xml_init();
	if (pki != NULL ? members_scan(pki, port, &m, &n) == -1 :
	    trust_members_load(membersf, cas, now, &m, &n) == -1)
		goto done;

	doc = xmlNewDoc((const xmlChar *)"1.0");
	root = xmlNewNode(NULL, (const xmlChar *)"TrustList");
	ns = xmlNewNs(root, (const xmlChar *)NS, NULL);
	xmlSetNs(root, ns);
	xmlDocSetRootElement(doc, root);
	snprintf(buf, sizeof(buf), "trustlist-%s-%ld", instance, seq);
	xmlNewProp(root, (const xmlChar *)"Id", (const xmlChar *)buf);
	el(root, ns, "Instance", instance, 1);
	snprintf(buf, sizeof(buf), "%ld", seq);
	el(root, ns, "Sequence", buf, 1);
	model_datetime_format(now, t);
	el(root, ns, "Issued", t, 1);
	model_datetime_format(now + days * 86400, t);
	el(root, ns, "Expires", t, 1);
	cas_el = el(root, ns, "CACertificates", NULL, 1);
	if (pki_ca_paths(pki != NULL ? pki : cadir != NULL ? cadir : ".",
	    buf, cakey, sizeof(buf)) == -1 || cas_add(cas_el, ns, buf) == -1)
		goto done;
	list = el(root, ns, "Members", NULL, 1);
	for (i = 0; i < n; i++) {
		mn = el(list, ns, "Member", NULL, 2);
		el(mn, ns, "MemberId", m[i].id, 3);
		el(mn, ns, "Name", m[i].name, 3);
		el(mn, ns, "Code", m[i].code, 3);
		if (m[i].region[0] != '\0')
			el(mn, ns, "Region", m[i].region, 3);
		el(mn, ns, "Roles", m[i].roles, 3);
		el(mn, ns, "Endpoint", m[i].endpoint, 3);
		for (j = 0; j < m[i].nissuers; j++)
			el(mn, ns, "IssuerCode", m[i].issuers[j], 3);
		xmlNewProp(el(mn, ns, "TlsCertificate", NULL, 3),
		    (const xmlChar *)"sha256", (const xmlChar *)m[i].tls);
		xmlNewProp(el(mn, ns, "SigningCertificate", NULL, 3),
		    (const xmlChar *)"sha256", (const xmlChar *)m[i].sign);
		el_end(mn, 2);
	}
	el_end(list, 1);
	el_end(root, 0);
	/* What a node will make of it once it is signed. */
	if (dsig_init(&e) == -1 || xml_serialize(doc, &xbuf, &xlen, &e) == -1 ||
	    trust_parse_flags(xbuf, xlen, outp, NULL, NULL, now,
	    TRUST_F_NO_SIGNATURE, &tl, &e) == -1) {
		rc = util_report(&e);
		goto done;
	}
	if ((rc = doc_write(doc, outp)) != 0)
		goto done;
	if (!quiet) {
		fprintf(stderr, "%s: unsigned trust list sequence %ld with "
		    "%d members (sign it with 'lasteri trust sign')\n", outp,
		    seq, n);
		if (membersf != NULL)
			for (i = 0; i < n; i++)
				fprintf(stderr, "  %-5s %s %s tls %.16s sign "
				    "%.16s\n", m[i].code, m[i].id,
				    m[i].endpoint, m[i].tls, m[i].sign);
	}
	rc = 0;
done:
	xmlFree(xbuf);
	trust_unref(tl);
	xmlFreeDoc(doc);
	sk_X509_pop_free(cas, X509_free);
	free(m);
	return rc;
}

/* --- trust sign ------------------------------------------------------------- */

static int
trust_sign(int argc, char **argv)
{
	static const char *const roots[] = { "TrustList", NULL };
	const char *keyf = NULL, *certf = NULL, *in = NULL, *outp = NULL;
	struct dsig_key *k = NULL;
	xmlDocPtr doc = NULL;
	struct err e;
	int i, rc = 2;

	err_clear(&e);
	for (i = 1; i < argc; i++) {
		if (is_help(argv[i]))
			return util_usage(usage_sign);
		if (strcmp(argv[i], "--key") == 0 && i + 1 < argc)
			keyf = argv[++i];
		else if (strcmp(argv[i], "--cert") == 0 && i + 1 < argc)
			certf = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			warnx_("sign: unknown option '%s'", argv[i]);
			return util_usage(usage_sign);
		} else if (in == NULL)
			in = argv[i];
		else if (outp == NULL)
			outp = argv[i];
		else
			return util_usage(usage_sign);
	}
	if (keyf == NULL || certf == NULL || in == NULL || outp == NULL)
		return util_usage(usage_sign);
	xml_init();
	if (dsig_init(&e) == -1)
		goto fail;
	if ((doc = xml_read_file(in, &xml_limits_import, &e)) == NULL)
		goto fail;
	/* A trust list is checked before the operator puts its name on it;
	 * other documents (tests, tools) are signed as they are. */
	if (xml_is(xmlDocGetRootElement(doc), "TrustList") &&
	    schema_validate(doc, in, roots, &e) == -1)
		goto fail;
	if (dsig_key_load(keyf, certf, &k, &e) == -1)
		goto fail;
	if (dsig_sign(k, doc, &e) == -1) {
		err_prefix(&e, "%s", in);
		goto fail;
	}
	rc = doc_write(doc, outp);
	goto done;
fail:
	rc = util_report(&e);
done:
	dsig_key_free(k);
	xmlFreeDoc(doc);
	return rc;
}

/* --- trust show ----------------------------------------------------------- */

/* The certificate of certs (n of them) to show for now: the first one in
 * use, else the last listed. */
static const struct trust_cert *
cert_now(const struct trust_cert *certs, int n, time_t now)
{
	int i;

	for (i = 0; i < n; i++)
		if (trust_cert_in_use(&certs[i], now))
			return &certs[i];
	return n > 0 ? &certs[n - 1] : NULL;
}

/* One line per member, the whole fingerprints of the certificates in use
 * now, the issuer codes separated by spaces; no field holds a comma or a
 * quote except the name, which is quoted. */
static void
show_csv(const struct trust_list *tl, time_t now)
{
	const struct trust_member *m;
	char roles[64], tls[65], sign[65];
	const char *p;
	int i, j;

	printf("code,member_id,name,region,roles,endpoint,tls_sha256,"
	    "sign_sha256,issuers\n");
	for (i = 0; i < trust_member_count(tl); i++) {
		m = trust_member_at(tl, i);
		trust_roles_format(m->roles, roles, sizeof(roles));
		hex(cert_now(m->tls, m->ntls, now)->fpr, 32, tls);
		hex(cert_now(m->sign, m->nsign, now)->fpr, 32, sign);
		printf("%s,%s,\"", m->code, m->id);
		for (p = m->name; *p != '\0'; p++) {
			if (*p == '"')
				putchar('"');
			putchar(*p);
		}
		printf("\",%s,\"%s\",%s,%s,%s,", m->region, roles,
		    m->endpoint, tls, sign);
		for (j = 0; j < m->nissuers; j++)
			printf("%s%s", j ? " " : "", m->issuers[j]);
		putchar('\n');
	}
}

/* Every listed certificate with its window. */
static void
show_certs(const struct trust_list *tl, time_t now)
{
	const struct trust_member *m;
	const struct trust_cert *c;
	char fh[65], t1[32], t2[32];
	int i, j, k;

	printf("\n%-5s %-7s %-64s %-20s %-20s %s\n", "CODE", "KIND",
	    "SHA-256", "NOT BEFORE", "NOT AFTER", "IN USE");
	for (i = 0; i < trust_member_count(tl); i++) {
		m = trust_member_at(tl, i);
		for (k = 0; k < 2; k++)
			for (j = 0; j < (k ? m->nsign : m->ntls); j++) {
				c = k ? &m->sign[j] : &m->tls[j];
				hex(c->fpr, 32, fh);
				snprintf(t1, sizeof(t1), "-");
				snprintf(t2, sizeof(t2), "-");
				if (c->not_before != 0)
					model_datetime_format(c->not_before,
					    t1);
				if (c->not_after != 0)
					model_datetime_format(c->not_after,
					    t2);
				printf("%-5s %-7s %s %-20s %-20s %s\n",
				    m->code, k ? "signing" : "tls", fh, t1, t2,
				    trust_cert_in_use(c, now) ? "yes" : "no");
			}
	}
}

static int
trust_show(int argc, char **argv)
{
	const char *anchorf = NULL, *file = NULL;
	const struct trust_member *m;
	struct trust_list *tl = NULL;
	X509 *anchor = NULL;
	struct err e;
	char t1[32], t2[32], roles[64], tls[65], sign[65], iss[300];
	time_t now = time(NULL);
	unsigned flags = TRUST_F_NO_EXPIRY;
	int i, csv = 0, rc = 2;

	err_clear(&e);
	for (i = 1; i < argc; i++) {
		if (is_help(argv[i]))
			return util_usage(usage_show);
		if (strcmp(argv[i], "--anchor") == 0 && i + 1 < argc)
			anchorf = argv[++i];
		else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
			i++;
			if (strcmp(argv[i], "csv") == 0)
				csv = 1;
			else if (strcmp(argv[i], "table") != 0) {
				warnx_("show: --format: '%s' is not table or "
				    "csv (the XML is the file itself)", argv[i]);
				return 2;
			}
		}
		else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			warnx_("show: unknown option '%s'", argv[i]);
			return util_usage(usage_show);
		} else if (file == NULL)
			file = argv[i];
		else
			return util_usage(usage_show);
	}
	if (file == NULL)
		return util_usage(usage_show);
	if (anchorf == NULL)
		flags |= TRUST_F_NO_SIGNATURE;
	else if ((anchor = anchor_load(anchorf)) == NULL)
		return 2;
	xml_init();
	if (dsig_init(&e) == -1 ||
	    trust_load_flags(file, anchor, NULL, now, flags, &tl, &e) == -1) {
		rc = util_report(&e);
		goto done;
	}
	if (csv) {
		show_csv(tl, now);
		rc = 0;
		goto done;
	}
	model_datetime_format(trust_issued(tl), t1);
	model_datetime_format(trust_expires(tl), t2);
	printf("trust list  %s\n", trust_id(tl));
	printf("instance    %s\n", trust_instance(tl));
	printf("sequence    %llu\n", (unsigned long long)trust_sequence(tl));
	printf("issued      %s\n", t1);
	printf("expires     %s%s\n", t2,
	    trust_expires(tl) <= now ? " (EXPIRED)" : "");
	if (trust_is_verified(tl)) {
		model_datetime_format(trust_signed_at(tl), t1);
		printf("signature   verified against %s, signed %s\n",
		    anchorf, t1);
	} else
		printf("signature   not checked (give --anchor OPERATOR.crt)\n");
	printf("CAs         %d\n", sk_X509_num(trust_cas(tl)));
	printf("members     %d\n\n", trust_member_count(tl));
	printf("%-5s %-26s %-24s %-26s %-16s %-16s %s\n", "CODE",
	    "MEMBER ID", "ROLES", "ENDPOINT", "TLS SHA-256", "SIGN SHA-256",
	    "ISSUERS");
	for (i = 0; i < trust_member_count(tl); i++) {
		m = trust_member_at(tl, i);
		trust_roles_format(m->roles, roles, sizeof(roles));
		hex(cert_now(m->tls, m->ntls, now)->fpr, 8, tls);
		hex(cert_now(m->sign, m->nsign, now)->fpr, 8, sign);
		trust_issuers_format(m, iss, sizeof(iss));
		printf("%-5s %-26s %-24s %-26s %-16s %-16s %s\n", m->code,
		    m->id, roles, m->endpoint, tls, sign, iss);
	}
	show_certs(tl, now);
	rc = 0;
done:
	trust_unref(tl);
	X509_free(anchor);
	return rc;
}

/* --- trust verify --------------------------------------------------------- */

static int
trust_verify(int argc, char **argv)
{
	const char *anchorf = NULL, *heldf = NULL, *file = NULL;
	struct trust_list *tl = NULL, *held = NULL;
	X509 *anchor = NULL;
	struct err e;
	char t[32];
	time_t now = time(NULL);
	int i, rc = 2;

	err_clear(&e);
	for (i = 1; i < argc; i++) {
		if (is_help(argv[i]))
			return util_usage(usage_verify);
		if (strcmp(argv[i], "--anchor") == 0 && i + 1 < argc)
			anchorf = argv[++i];
		else if (strcmp(argv[i], "--held") == 0 && i + 1 < argc)
			heldf = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			warnx_("verify: unknown option '%s'", argv[i]);
			return util_usage(usage_verify);
		} else if (file == NULL)
			file = argv[i];
		else
			return util_usage(usage_verify);
	}
	if (anchorf == NULL || file == NULL)
		return util_usage(usage_verify);
	if ((anchor = anchor_load(anchorf)) == NULL)
		return 2;
	xml_init();
	if (dsig_init(&e) == -1) {
		rc = util_report(&e);
		goto done;
	}
	/* The held list was accepted once; it may have expired since. */
	if (heldf != NULL && trust_load_flags(heldf, anchor, NULL, now,
	    TRUST_F_NO_EXPIRY, &held, &e) == -1) {
		warnx_("held list: %s", e.msg);
		rc = 2;
		goto done;
	}
	if (trust_load(file, anchor, held, now, &tl, &e) == -1) {
		printf("%s: REFUSED %s\n", file, util_msg_after(e.msg, file));
		/* 2 when the file could not be read, else a "no" */
		rc = e.code == ERR_IO || e.code == ERR_USAGE ||
		    e.code == ERR_NOMEM ? 2 : 1;
		goto done;
	}
	model_datetime_format(trust_expires(tl), t);
	printf("%s: OK sequence=%llu members=%d expires=%s\n", file,
	    (unsigned long long)trust_sequence(tl), trust_member_count(tl), t);
	rc = 0;
done:
	trust_unref(tl);
	trust_unref(held);
	X509_free(anchor);
	return rc;
}

int
cmd_trust(int argc, char **argv)
{
	if (argc < 2)
		return usage_all(0);
	if (is_help(argv[1]))
		return usage_all(1);
	if (strcmp(argv[1], "create") == 0)
		return trust_create(argc - 1, argv + 1);
	if (strcmp(argv[1], "sign") == 0)
		return trust_sign(argc - 1, argv + 1);
	if (strcmp(argv[1], "show") == 0)
		return trust_show(argc - 1, argv + 1);
	if (strcmp(argv[1], "verify") == 0)
		return trust_verify(argc - 1, argv + 1);
	if (strcmp(argv[1], "cert-add") == 0)
		return trust_cert_edit(argc - 1, argv + 1, 1);
	if (strcmp(argv[1], "cert-retire") == 0)
		return trust_cert_edit(argc - 1, argv + 1, 0);
	warnx_("unknown action '%s' (create, sign, show, verify, cert-add or "
	    "cert-retire)", argv[1]);
	return util_usage(NULL);
}
