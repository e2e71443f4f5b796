/*
 * cmd_trust_members.c - the operator's members file, which `lasteri trust
 * create --members FILE` turns into a trust list, and the certificate
 * checks that `lasteri pki sign` shares with it.
 *
 * The file is INI-like, one section per member named by its code:
 *
 *     # members.ini - kept by the federation operator
 *     [01]
 *     member_id = FI/GOV/3221010-1/lasteri
 *     name      = Itä-Uudenmaan hyvinvointialue
 *     region    = 01
 *     roles     = region supervisor
 *     issuers   = HVA-01
 *     endpoint  = https://lasteri.itauusimaa.fi:8443
 *     tls_cert  = 01/tls.crt
 *     sign_cert = 01/sign.crt
 *
 * Every value is checked where it is read and every member's certificates
 * at the end of its section (chain to the federation CA, key usage, the
 * member ID in the subjectAltName, the endpoint's host named by the TLS
 * certificate), so that a mistake is reported as FILE:LINE: [CODE] key:
 * why, never as a trust list a node refuses later.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libxml/xmlstring.h>
#include <openssl/x509v3.h>

#include "cmd_trust.h"
#include "util.h"
#include "vocab.h"
#include "x509.h"
#include "ytunnus.h"

#define MEMBERS_MAX	1000
#define LINE_MAX_LEN	4096

/* --- checks shared with pki sign --------------------------------------- */

int
pki_host_is_name(const char *s, size_t len)
{
	size_t i, lab = 0;
	int alpha = 0;

	if (len == 0 || len > 253)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (lab == 0 || s[i - 1] == '-')
				return 0;
			lab = 0;
			continue;
		}
		if (!isalnum((unsigned char)s[i]) && (s[i] != '-' || lab == 0))
			return 0;
		alpha |= isalpha((unsigned char)s[i]);
		if (++lab > 63)
			return 0;
	}
	/* all digits and dots is an address, not a name */
	return lab > 0 && s[len - 1] != '-' && alpha;
}

static int
why_set(char *why, size_t len, const char *fmt, const char *arg)
{
	snprintf(why, len, fmt, arg);
	return -1;
}

int
pki_member_id_check(const char *id, char *why, size_t len)
{
	static const char *const classes[] = { "GOV", "MUN", "ORG", "COM",
	    NULL };
	const char *part[4], *p;
	size_t plen[4], max[4] = { 16, 3, 64, 64 };
	char code[65];
	int n = 0, i, ok;

	if (strlen(id) > 159)
		return why_set(why, len, "member ID '%.40s...' is longer than "
		    "159 characters", id);
	part[0] = id;
	for (p = id; ; p++) {
		if (*p != '/' && *p != '\0') {
			if (!isalnum((unsigned char)*p) && *p != '-' &&
			    *p != '.' && *p != '_')
				return why_set(why, len, "member ID '%s' has "
				    "a character other than letters, digits, "
				    "'-', '.', '_' and '/'", id);
			continue;
		}
		if (n == 4)
			return why_set(why, len, "member ID '%s' has more "
			    "than four parts", id);
		plen[n] = (size_t)(p - part[n]);
		if (plen[n] == 0 || plen[n] > max[n])
			break;
		n++;
		if (*p == '\0')
			break;
		if (n < 4)
			part[n] = p + 1;
	}
	if (n != 4)
		return why_set(why, len, "member ID '%s' is not INSTANCE/CLASS/"
		    "CODE/SUBSYSTEM (e.g. FI/GOV/0996189-5/lasteri)", id);
	for (i = 0, ok = 0; classes[i] != NULL; i++)
		ok |= plen[1] == 3 && strncmp(part[1], classes[i], 3) == 0;
	if (!ok)
		return why_set(why, len, "member ID '%s': the class is not "
		    "GOV, MUN, ORG or COM", id);
	if (memchr(part[0], '_', plen[0]) != NULL ||
	    memchr(part[0], '.', plen[0]) != NULL ||
	    memchr(part[2], '_', plen[2]) != NULL)
		return why_set(why, len, "member ID '%s': the instance and "
		    "code take letters, digits and '-' only", id);
	snprintf(code, sizeof(code), "%.*s", (int)plen[2], part[2]);
	if (plen[2] == 9 && code[7] == '-' && strspn(code, "0123456789") ==
	    7 && isdigit((unsigned char)code[8]) && !ytunnus_is_valid(code))
		return why_set(why, len, "member ID '%s': the Y-tunnus check "
		    "digit is wrong", id);
	return 0;
}

/* The GENERAL_NAMES of x's subjectAltName (caller frees), or NULL. */
static GENERAL_NAMES *
sans_of(X509 *x)
{
	return X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
}

int
pki_cert_member_id(X509 *x, char *id, size_t len)
{
	static const char prefix[] = "urn:lasteri:member:";
	GENERAL_NAMES *gens;
	GENERAL_NAME *g;
	const unsigned char *s;
	int i, n = 0, l;

	if ((gens = sans_of(x)) == NULL)
		return -1;
	for (i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		g = sk_GENERAL_NAME_value(gens, i);
		if (g->type != GEN_URI)
			continue;
		s = ASN1_STRING_get0_data(g->d.uniformResourceIdentifier);
		l = ASN1_STRING_length(g->d.uniformResourceIdentifier);
		if ((size_t)l <= sizeof(prefix) - 1 ||
		    strncmp((const char *)s, prefix, sizeof(prefix) - 1) != 0)
			continue;
		n++;
		snprintf(id, len, "%.*s", l - (int)(sizeof(prefix) - 1),
		    (const char *)s + sizeof(prefix) - 1);
	}
	GENERAL_NAMES_free(gens);
	return n == 1 ? 0 : -1;
}

int
pki_cert_names_host(X509 *x, const char *host)
{
	GENERAL_NAMES *gens;
	GENERAL_NAME *g;
	unsigned char bin[16];
	int i, l, found = 0, blen = 0;

	if (inet_pton(AF_INET, host, bin) == 1)
		blen = 4;
	else if (inet_pton(AF_INET6, host, bin) == 1)
		blen = 16;
	if ((gens = sans_of(x)) == NULL)
		return 0;
	for (i = 0; i < sk_GENERAL_NAME_num(gens) && !found; i++) {
		g = sk_GENERAL_NAME_value(gens, i);
		if (g->type == GEN_DNS && blen == 0) {
			l = ASN1_STRING_length(g->d.dNSName);
			found = (size_t)l == strlen(host) && strncasecmp(
			    (const char *)ASN1_STRING_get0_data(g->d.dNSName),
			    host, (size_t)l) == 0;
		} else if (g->type == GEN_IPADD && blen != 0)
			found = ASN1_STRING_length(g->d.iPAddress) == blen &&
			    memcmp(ASN1_STRING_get0_data(g->d.iPAddress), bin,
			    (size_t)blen) == 0;
	}
	GENERAL_NAMES_free(gens);
	return found;
}

int
pki_tls_profile_check(X509 *x, char *why, size_t len)
{
	uint32_t ku, xku, flags = X509_get_extension_flags(x);

	if (X509_check_ca(x) != 0)
		return why_set(why, len, "%s", "it is a CA certificate");
	ku = X509_get_key_usage(x);
	xku = X509_get_extended_key_usage(x);
	if ((flags & EXFLAG_KUSAGE) == 0 || (ku & KU_DIGITAL_SIGNATURE) == 0)
		return why_set(why, len, "%s", "its keyUsage lacks "
		    "digitalSignature");
	if ((flags & EXFLAG_XKUSAGE) == 0 || (xku & XKU_SSL_SERVER) == 0 ||
	    (xku & XKU_SSL_CLIENT) == 0)
		return why_set(why, len, "%s", "its extendedKeyUsage lacks "
		    "serverAuth or clientAuth");
	return 0;
}

int
pki_ca_paths(const char *dir, char *crt, char *key, size_t len)
{
	snprintf(crt, len, "%s/pki/ca.crt", dir);
	snprintf(key, len, "%s/pki/ca.key", dir);
	if (access(crt, R_OK) == 0)
		return 0;
	snprintf(crt, len, "%s/ca.crt", dir);
	snprintf(key, len, "%s/ca.key", dir);
	if (access(crt, R_OK) == 0)
		return 0;
	warnx_("%s: no pki/ca.crt or ca.crt here (give the directory of "
	    "'lasteri pki init' with --ca DIR)", dir);
	return -1;
}

/* --- the members file -------------------------------------------------- */

enum mkey {
	K_MEMBER_ID, K_NAME, K_REGION, K_ROLES, K_ISSUERS, K_ENDPOINT,
	K_TLS_CERT, K_SIGN_CERT, K_COUNT
};

static const char *const key_names[K_COUNT] = {
	"member_id", "name", "region", "roles", "issuers", "endpoint",
	"tls_cert", "sign_cert"
};

/* The member being read. */
struct msec {
	struct tl_member	 m;
	int			 line[K_COUNT];	/* 0: not given */
	char			 host[256];	/* of the endpoint */
	char			*tls_path, *sign_path;
};

struct mfile {
	const char		*path;
	char			 dir[4096];	/* for relative certificates */
	STACK_OF(X509)		*cas;
	time_t			 now;
	struct tl_member	*v;
	int			 n, cap;
	struct msec		 cur;
	int			 in_sec;
};

/* FILE:LINE: [CODE] key: message; returns -1. */
static int
merr(const struct mfile *f, int line, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
merr(const struct mfile *f, int line, const char *key, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (key != NULL)
		warnx_("%s:%d: [%s] %s: %s", f->path, line, f->cur.m.code, key,
		    msg);
	else
		warnx_("%s:%d: %s", f->path, line, msg);
	return -1;
}

static int
issuer_ok(const char *s)
{
	static const char *const fixed[] = { "LVV", "AVI-ES", "AVI-LS",
	    "AVI-LSS", "AVI-ISA", "AVI-PSA", "AVI-LA", "VALVIRA", "EOA", "OKV",
	    NULL };
	int i;

	if (strncmp(s, "HVA-", 4) == 0)
		return strlen(s) == 6 && region_find(s + 4) >= 0;
	for (i = 0; fixed[i] != NULL; i++)
		if (strcmp(s, fixed[i]) == 0)
			return 1;
	return 0;
}

/* https://HOST[:PORT][/PATH]: host copied to host; 0 or -1 with why. */
static int
endpoint_check(const char *url, char *host, size_t hlen, char *why,
    size_t wlen)
{
	unsigned char bin[16];
	const char *h, *he, *p;
	long port = 0;
	size_t n;

	if (strlen(url) > 255)
		return why_set(why, wlen, "%s", "longer than 255 characters");
	if (strncmp(url, "https://", 8) != 0)
		return why_set(why, wlen, "'%s' is not https://HOST[:PORT]",
		    url);
	h = url + 8;
	for (p = url; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == '?' || *p == '#' ||
		    *p == '@' || *p == '\\' || (unsigned char)*p >= 0x7f)
			return why_set(why, wlen, "'%s' has a space, '?', '#', "
			    "'@' or a character outside ASCII", url);
	if (*h == '[') {
		if ((he = strchr(h, ']')) == NULL)
			return why_set(why, wlen, "'%s': no ']' after the "
			    "IPv6 address", url);
		n = (size_t)(he - h - 1);
		if (n == 0 || n >= hlen)
			return why_set(why, wlen, "'%s': bad IPv6 address", url);
		memcpy(host, h + 1, n);
		host[n] = '\0';
		if (inet_pton(AF_INET6, host, bin) != 1)
			return why_set(why, wlen, "'%s': bad IPv6 address", url);
		he++;
	} else {
		n = strcspn(h, ":/");
		he = h + n;
		if (n == 0 || n >= hlen)
			return why_set(why, wlen, "'%s': no host name", url);
		memcpy(host, h, n);
		host[n] = '\0';
		if (inet_pton(AF_INET, host, bin) != 1 &&
		    !pki_host_is_name(host, n))
			return why_set(why, wlen, "'%s': the host is not a DNS "
			    "name (letters, digits, '-', dots) or an IPv4 "
			    "address", url);
	}
	if (*he == ':') {
		for (p = he + 1; isdigit((unsigned char)*p) && port < 65536;
		    p++)
			port = port * 10 + (*p - '0');
		if (p == he + 1 || port < 1 || port > 65535 ||
		    (*p != '\0' && *p != '/'))
			return why_set(why, wlen, "'%s': the port is not a "
			    "number 1..65535", url);
		he = p;
	}
	if (*he != '\0' && *he != '/')
		return why_set(why, wlen, "'%s' is not https://HOST[:PORT]",
		    url);
	return 0;
}

/* One value of the current member; -1 after a message. */
static int
member_set(struct mfile *f, int line, int k, const char *v)
{
	struct tl_member *m = &f->cur.m;
	char why[512], buf[256];
	const char *p;
	unsigned roles;
	size_t n;
	int i;

	if (f->cur.line[k] != 0)
		return merr(f, line, key_names[k], "given twice (first on line "
		    "%d)", f->cur.line[k]);
	f->cur.line[k] = line;
	if (*v == '\0' && k != K_ISSUERS)
		return merr(f, line, key_names[k], "empty value");
	switch (k) {
	case K_MEMBER_ID:
		if (pki_member_id_check(v, why, sizeof(why)) == -1)
			return merr(f, line, key_names[k], "%s", why);
		snprintf(m->id, sizeof(m->id), "%s", v);
		break;
	case K_NAME:
		if (!xmlCheckUTF8((const unsigned char *)v) ||
		    xmlUTF8Strlen((const xmlChar *)v) > 60)
			return merr(f, line, key_names[k], "not UTF-8 text of "
			    "1 to 60 characters");
		for (p = v; *p != '\0'; p++)
			if ((unsigned char)*p < ' ')
				return merr(f, line, key_names[k], "a control "
				    "character");
		snprintf(m->name, sizeof(m->name), "%s", v);
		break;
	case K_REGION:
		if (strlen(v) != 2 || region_find(v) == -1)
			return merr(f, line, key_names[k], "'%s' is not a "
			    "region code (01..21, 90)", v);
		snprintf(m->region, sizeof(m->region), "%s", v);
		break;
	case K_ROLES:
		if (trust_roles_parse(v, &roles) == -1 || roles == 0)
			return merr(f, line, key_names[k], "'%s' is not a list "
			    "of region, supervisor, coordinator, auditor", v);
		trust_roles_format(roles, m->roles, sizeof(m->roles));
		for (i = 0; m->roles[i] != '\0'; i++)
			if (m->roles[i] == ',')
				m->roles[i] = ' ';
		break;
	case K_ISSUERS:
		while (*v != '\0') {
			v += strspn(v, ", \t");
			if ((n = strcspn(v, ", \t")) == 0)
				break;
			snprintf(buf, sizeof(buf), "%.*s", (int)n, v);
			v += n;
			if (!issuer_ok(buf))
				return merr(f, line, key_names[k], "'%s' is not "
				    "an issuer code (HVA-01..HVA-21, HVA-90, "
				    "LVV, AVI-ES, AVI-LS, AVI-LSS, AVI-ISA, "
				    "AVI-PSA, AVI-LA, VALVIRA, EOA, OKV)", buf);
			for (i = 0; i < m->nissuers; i++)
				if (strcmp(m->issuers[i], buf) == 0)
					return merr(f, line, key_names[k],
					    "%s is listed twice", buf);
			if (m->nissuers == TRUST_MAX_ISSUERS)
				return merr(f, line, key_names[k], "more than "
				    "%d issuer codes", TRUST_MAX_ISSUERS);
			snprintf(m->issuers[m->nissuers++],
			    sizeof(m->issuers[0]), "%s", buf);
		}
		break;
	case K_ENDPOINT:
		if (endpoint_check(v, f->cur.host, sizeof(f->cur.host), why,
		    sizeof(why)) == -1)
			return merr(f, line, key_names[k], "%s", why);
		snprintf(m->endpoint, sizeof(m->endpoint), "%s", v);
		break;
	case K_TLS_CERT:
	case K_SIGN_CERT:
		if (*v == '/' || f->dir[0] == '\0')
			snprintf(buf, sizeof(buf), "%s", v);
		else if ((size_t)snprintf(buf, sizeof(buf), "%s/%s", f->dir,
		    v) >= sizeof(buf))
			return merr(f, line, key_names[k], "path too long");
		if (k == K_TLS_CERT)
			f->cur.tls_path = xstrdup(buf);
		else
			f->cur.sign_path = xstrdup(buf);
		break;
	}
	return 0;
}

/* Loads the certificate of key k and checks it; its fingerprint to fpr. */
static int
member_cert(struct mfile *f, int k, const char *path, char fpr[65])
{
	struct msec *c = &f->cur;
	unsigned char md[X509_FPR_LEN];
	struct err e;
	char why[512], id[200];
	X509 *x;
	int rc = -1;

	err_clear(&e);
	if ((x = x509_load_pem(path, &e)) == NULL)
		return merr(f, c->line[k], key_names[k], "%s", e.msg);
	if (k == K_TLS_CERT) {
		if (x509_verify_path(x, f->cas, NULL, f->now, "the TLS "
		    "certificate", &e) == -1) {
			merr(f, c->line[k], key_names[k], "%s: %s", path, e.msg);
			goto done;
		}
		if (pki_tls_profile_check(x, why, sizeof(why)) == -1) {
			merr(f, c->line[k], key_names[k], "%s: not a TLS "
			    "certificate of a member: %s", path, why);
			goto done;
		}
		if (!pki_cert_names_host(x, c->host)) {
			merr(f, c->line[k], key_names[k], "%s: its "
			    "subjectAltName does not name %s, the host of "
			    "the endpoint (line %d)", path, c->host,
			    c->line[K_ENDPOINT]);
			goto done;
		}
	} else if (x509_check_signer(x, f->cas, f->now, &e) == -1) {
		merr(f, c->line[k], key_names[k], "%s: %s", path, e.msg);
		goto done;
	}
	if (pki_cert_member_id(x, id, sizeof(id)) == -1 ||
	    strcmp(id, c->m.id) != 0) {
		merr(f, c->line[k], key_names[k], "%s: its subjectAltName "
		    "does not carry urn:lasteri:member:%s (member_id, line %d)",
		    path, c->m.id, c->line[K_MEMBER_ID]);
		goto done;
	}
	if (x509_fingerprint(x, md) == -1) {
		merr(f, c->line[k], key_names[k], "%s: cannot hash it", path);
		goto done;
	}
	x509_fpr_hex(md, fpr);
	rc = 0;
done:
	X509_free(x);
	return rc;
}

/* The end of a section: everything required is there, the certificates
 * fit, nothing is shared with an earlier member. */
static int
member_end(struct mfile *f)
{
	struct msec *c = &f->cur;
	struct tl_member *m = &c->m, *o, *t;
	static const int required[] = { K_MEMBER_ID, K_NAME, K_ROLES,
	    K_ENDPOINT, K_TLS_CERT, K_SIGN_CERT };
	size_t i;
	int j, a, b, rc = -1;

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (c->line[required[i]] == 0) {
			merr(f, m->line, NULL, "[%s]: %s is missing", m->code,
			    key_names[required[i]]);
			goto done;
		}
	if (strstr(m->roles, "region") != NULL && m->region[0] == '\0') {
		merr(f, c->line[K_ROLES], "roles", "role region needs a "
		    "region = CODE");
		goto done;
	}
	if (isdigit((unsigned char)m->code[0]) && strcmp(m->code, m->region)
	    != 0) {
		merr(f, m->line, NULL, "[%s]: a member with a region code as "
		    "its code keeps that region (region = %s)", m->code,
		    m->code);
		goto done;
	}
	if (member_cert(f, K_TLS_CERT, c->tls_path, m->tls) == -1 ||
	    member_cert(f, K_SIGN_CERT, c->sign_path, m->sign) == -1)
		goto done;
	for (j = 0; j < f->n; j++) {
		o = &f->v[j];
		if (strcmp(o->id, m->id) == 0) {
			merr(f, c->line[K_MEMBER_ID], "member_id", "%s is also "
			    "member [%s] (line %d)", m->id, o->code, o->line);
			goto done;
		}
		if (strcmp(o->endpoint, m->endpoint) == 0) {
			merr(f, c->line[K_ENDPOINT], "endpoint", "also the "
			    "endpoint of [%s] (line %d)", o->code, o->line);
			goto done;
		}
		if (strcmp(o->tls, m->tls) == 0 || strcmp(o->sign, m->sign) ==
		    0 || strcmp(o->tls, m->sign) == 0 ||
		    strcmp(o->sign, m->tls) == 0) {
			merr(f, m->line, NULL, "[%s]: a certificate of member "
			    "[%s] (line %d) is listed again", m->code,
			    o->code, o->line);
			goto done;
		}
		for (a = 0; a < o->nissuers; a++)
			for (b = 0; b < m->nissuers; b++)
				if (strcmp(o->issuers[a], m->issuers[b]) == 0) {
					merr(f, c->line[K_ISSUERS], "issuers",
					    "%s belongs to [%s] already (line "
					    "%d)", m->issuers[b], o->code,
					    o->line);
					goto done;
				}
	}
	if (strcmp(m->tls, m->sign) == 0) {
		merr(f, c->line[K_SIGN_CERT], "sign_cert", "the TLS "
		    "certificate again; a member has one of each");
		goto done;
	}
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 16;
		if ((t = realloc(f->v, (size_t)f->cap * sizeof(*t))) == NULL) {
			merr(f, m->line, NULL, "out of memory");
			goto done;
		}
		f->v = t;
	}
	f->v[f->n++] = *m;
	rc = 0;
done:
	free(c->tls_path);
	free(c->sign_path);
	memset(c, 0, sizeof(*c));
	f->in_sec = 0;
	return rc;
}

/* [CODE]: a new member. */
static int
member_begin(struct mfile *f, int line, const char *s, size_t len)
{
	char code[16];
	int j;

	snprintf(code, sizeof(code), "%.*s", (int)(len < 15 ? len : 15), s);
	if (len < 2 || len > 7 || (isdigit((unsigned char)code[0]) ?
	    len != 2 || region_find(code) == -1 : !islower((unsigned char)
	    code[0]) || strspn(code, "abcdefghijklmnopqrstuvwxyz0123456789")
	    != len))
		return merr(f, line, NULL, "[%.*s]: a member code is a region "
		    "code (01..21, 90) or 2 to 7 lower-case letters and digits "
		    "(thl, lvv)", (int)len, s);
	for (j = 0; j < f->n; j++)
		if (strcmp(f->v[j].code, code) == 0)
			return merr(f, line, NULL, "[%s]: given twice (first "
			    "on line %d)", code, f->v[j].line);
	if (f->n >= MEMBERS_MAX)
		return merr(f, line, NULL, "more than %d members", MEMBERS_MAX);
	memset(&f->cur, 0, sizeof(f->cur));
	memcpy(f->cur.m.code, code, len);
	f->cur.m.code[len] = '\0';
	f->cur.m.line = line;
	f->in_sec = 1;
	return 0;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int
tl_code_cmp(const void *a, const void *b)
{
	return strcmp(((const struct tl_member *)a)->code,
	    ((const struct tl_member *)b)->code);
}

int
trust_members_load(const char *path, STACK_OF(X509) *cas, time_t now,
    struct tl_member **out, int *count)
{
	struct mfile f;
	char buf[LINE_MAX_LEN + 2], *s, *eq, *sl;
	FILE *fp;
	int line = 0, k, rc = -1;

	memset(&f, 0, sizeof(f));
	f.path = path;
	f.cas = cas;
	f.now = now;
	if ((sl = strrchr(path, '/')) != NULL)
		snprintf(f.dir, sizeof(f.dir), "%.*s", (int)(sl - path), path);
	if (sl == path)
		snprintf(f.dir, sizeof(f.dir), "/");
	if ((fp = fopen(path, "r")) == NULL) {
		warnx_("%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(buf, sizeof(buf), fp) != NULL) {
		line++;
		if (strchr(buf, '\n') == NULL && !feof(fp)) {
			merr(&f, line, NULL, "line longer than %d bytes",
			    LINE_MAX_LEN);
			goto done;
		}
		s = trim(buf);
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			if (s[strlen(s) - 1] != ']') {
				merr(&f, line, NULL, "'%s': a section is "
				    "[CODE]", s);
				goto done;
			}
			if (f.in_sec && member_end(&f) == -1)
				goto done;
			if (member_begin(&f, line, s + 1, strlen(s) - 2) == -1)
				goto done;
			continue;
		}
		if ((eq = strchr(s, '=')) == NULL) {
			merr(&f, line, NULL, "'%s' is not key = value", s);
			goto done;
		}
		*eq = '\0';
		s = trim(s);
		for (k = 0; k < K_COUNT; k++)
			if (strcmp(s, key_names[k]) == 0)
				break;
		if (!f.in_sec) {
			merr(&f, line, NULL, "%s: outside a [CODE] section", s);
			goto done;
		}
		if (k == K_COUNT) {
			merr(&f, line, s, "unknown key (member_id, name, "
			    "region, roles, issuers, endpoint, tls_cert, "
			    "sign_cert)");
			goto done;
		}
		if (member_set(&f, line, k, trim(eq + 1)) == -1)
			goto done;
	}
	if (ferror(fp)) {
		warnx_("%s: %s", path, strerror(errno));
		goto done;
	}
	if (f.in_sec && member_end(&f) == -1)
		goto done;
	if (f.n == 0) {
		warnx_("%s: no members (one [CODE] section per member)", path);
		goto done;
	}
	qsort(f.v, (size_t)f.n, sizeof(*f.v), tl_code_cmp);
	*out = f.v;
	*count = f.n;
	f.v = NULL;
	rc = 0;
done:
	if (f.in_sec) {
		free(f.cur.tls_path);
		free(f.cur.sign_path);
	}
	fclose(fp);
	free(f.v);
	return rc;
}
