/*
 * trust.c - the federation trust list (see trust.h).
 *
 * A list is parsed with the hardened parser, validated against
 * trustlist.xsd, its enveloped signature checked against the pinned
 * operator certificate, and only then read (whole-text reads from the
 * verified document).  Expiry and rollback are checked last so that a
 * tampered list is reported as tampered.  The result is immutable: members
 * in one array plus sorted index arrays (trust_index.c: ID, code, every
 * listed TLS and signing certificate, every issuer code) searched by
 * bisection; the reference count is atomic so readers on any thread may hold
 * it while a refresher swaps in a new list.
 *
 * A member's certificates come in two forms: TlsCertificate and
 * SigningCertificate elements (1..8 each, a sha256 attribute and an
 * optional notBefore/notAfter window of use), or the first version's single
 * TlsCertificateSha256 and SigningCertificateSha256, read as one certificate
 * each with an open window, so that a list written before stays loadable.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "hex.h"
#include "model.h"
#include "schema.h"
#include "trust.h"
#include "trust_internal.h"
#include "xml.h"

#define TRUST_MAX_MEMBERS	1000
#define TRUST_MAX_CAS		16

/* A list of 1000 members is about 700 KB. */
static const struct xml_limits trust_limits = { 4 << 20, 32, 200000,
    XML_MAX_ATTRS };

/* --- roles ------------------------------------------------------------------ */

static const struct {
	const char	*name;
	unsigned	 bit;
} role_names[] = {
	{ "region", TRUST_ROLE_REGION },
	{ "supervisor", TRUST_ROLE_SUPERVISOR },
	{ "coordinator", TRUST_ROLE_COORDINATOR },
	{ "auditor", TRUST_ROLE_AUDITOR }
};
#define ROLE_COUNT (sizeof(role_names) / sizeof(role_names[0]))

int
trust_roles_parse(const char *s, unsigned *out)
{
	unsigned roles = 0;
	size_t i, len;
	int found;

	while (*s != '\0') {
		while (*s == ',' || isspace((unsigned char)*s))
			s++;
		if (*s == '\0')
			break;
		len = strcspn(s, ", \t\r\n");
		found = 0;
		for (i = 0; i < ROLE_COUNT; i++)
			if (strlen(role_names[i].name) == len &&
			    strncmp(role_names[i].name, s, len) == 0) {
				roles |= role_names[i].bit;
				found = 1;
			}
		if (!found)
			return -1;
		s += len;
	}
	*out = roles;
	return 0;
}

void
trust_roles_format(unsigned roles, char *buf, size_t len)
{
	size_t i, off = 0;
	int n;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < ROLE_COUNT; i++) {
		if ((roles & role_names[i].bit) == 0)
			continue;
		n = snprintf(buf + off, len - off, "%s%s", off ? "," : "",
		    role_names[i].name);
		if (n < 0 || (size_t)n >= len - off) {
			buf[off] = '\0';	/* whole names only */
			return;
		}
		off += (size_t)n;
	}
}

/*
 * Who may sign what.  A checkpoint is signed by every node that keeps a
 * transparency log, and the national members (thl, lvv) keep one too, so
 * any role may sign a checkpoint; answers to queries come from regions only.
 */
unsigned
trust_roles_for_kind(enum doc_kind k)
{
	switch (k) {
	case DOC_UNIT:
	case DOC_PROCUREMENT:
	case DOC_RESPONSE:
		return TRUST_ROLE_REGION;
	case DOC_RECORD:
		return TRUST_ROLE_SUPERVISOR;
	case DOC_NATIONAL:	/* signed by the member that asked */
		return TRUST_ROLE_REGION | TRUST_ROLE_SUPERVISOR |
		    TRUST_ROLE_COORDINATOR;
	case DOC_QUERY:
	case DOC_CHECKPOINT:
		return TRUST_ROLE_REGION | TRUST_ROLE_SUPERVISOR |
		    TRUST_ROLE_COORDINATOR | TRUST_ROLE_AUDITOR;
	case DOC_TRUSTLIST:	/* the operator only, by its pinned certificate */
	default:
		return 0;
	}
}

/* --- lifecycle and accessors --------------------------------------------- */

struct trust_list *
trust_ref(struct trust_list *tl)
{
	if (tl != NULL)
		atomic_fetch_add_explicit(&tl->refs, 1, memory_order_relaxed);
	return tl;
}

void
trust_unref(struct trust_list *tl)
{
	if (tl == NULL)
		return;
	if (atomic_fetch_sub_explicit(&tl->refs, 1, memory_order_acq_rel) != 1)
		return;
	sk_X509_pop_free(tl->cas, X509_free);
	free(tl->m);
	free(tl->by_id);
	free(tl->by_code);
	free(tl->by_tls);
	free(tl->by_sign);
	free(tl->by_issuer);
	free(tl);
}

uint64_t
trust_sequence(const struct trust_list *tl)
{
	return tl->seq;
}

time_t
trust_issued(const struct trust_list *tl)
{
	return tl->issued;
}

time_t
trust_expires(const struct trust_list *tl)
{
	return tl->expires;
}

time_t
trust_signed_at(const struct trust_list *tl)
{
	return tl->signed_at;
}

const char *
trust_instance(const struct trust_list *tl)
{
	return tl->instance;
}

const char *
trust_id(const struct trust_list *tl)
{
	return tl->id;
}

int
trust_is_verified(const struct trust_list *tl)
{
	return tl->verified;
}

STACK_OF(X509) *
trust_cas(const struct trust_list *tl)
{
	return tl->cas;
}

int
trust_member_count(const struct trust_list *tl)
{
	return tl->n;
}

const struct trust_member *
trust_member_at(const struct trust_list *tl, int i)
{
	if (i < 0 || i >= tl->n)
		return NULL;
	return &tl->m[i];
}
/* --- reading the verified document ---------------------------------------- */

/* Whole text of n into dst (len bytes with the NUL). */
static int
text_copy(xmlNodePtr n, char *dst, size_t len, const char *name,
    struct err *e)
{
	char *s;
	int rc = -1;

	if ((s = xml_text(n, e)) == NULL)
		return err_prefix(e, "%s:%ld: %s", name, xmlGetLineNo(n),
		    (const char *)n->name);
	if (strlen(s) >= len) {
		err_set(e, ERR_SCHEMA, "%s:%ld: %s: longer than %zu bytes",
		    name, xmlGetLineNo(n), (const char *)n->name, len - 1);
		goto done;
	}
	memcpy(dst, s, strlen(s) + 1);
	rc = 0;
done:
	xmlFree(s);
	return rc;
}

/* 64 hex digits to 32 bytes; -1 when hex is anything else. */
static int
fpr_parse(const char *hex, unsigned char fpr[32])
{
	return hex_decode(hex, fpr, 32);
}

/* The first version's TlsCertificateSha256 / SigningCertificateSha256: one
 * certificate listed with an open window. */
static int
fpr_read(xmlNodePtr n, struct trust_cert *c, const char *name, struct err *e)
{
	char hex[65];

	memset(c, 0, sizeof(*c));
	if (text_copy(n, hex, sizeof(hex), name, e) == -1)
		return -1;
	if (fpr_parse(hex, c->fpr) == -1)
		return err_set(e, ERR_SCHEMA, "%s:%ld: %s: not 64 hex digits",
		    name, xmlGetLineNo(n), (const char *)n->name);
	return 0;
}

/* Attribute attr of n as a date and time; *out stays 0 when it is absent. */
static int
attr_time(xmlNodePtr n, const char *attr, time_t *out, const char *name,
    struct err *e)
{
	xmlChar *v;
	int rc = 0;

	if ((v = xmlGetNoNsProp(n, (const xmlChar *)attr)) == NULL)
		return 0;
	if (model_datetime_parse((const char *)v, out) == -1)
		rc = err_set(e, ERR_SCHEMA, "%s:%ld: %s/@%s: '%.40s' is not a "
		    "date and time", name, xmlGetLineNo(n),
		    (const char *)n->name, attr, (const char *)v);
	xmlFree(v);
	return rc;
}

/* TlsCertificate / SigningCertificate: sha256, notBefore?, notAfter?. */
static int
cert_read(xmlNodePtr n, struct trust_cert *c, const char *name, struct err *e)
{
	xmlChar *v;
	int bad;

	memset(c, 0, sizeof(*c));
	if ((v = xmlGetNoNsProp(n, (const xmlChar *)"sha256")) == NULL)
		return err_set(e, ERR_SCHEMA, "%s:%ld: %s: no sha256", name,
		    xmlGetLineNo(n), (const char *)n->name);
	bad = fpr_parse((const char *)v, c->fpr) == -1;
	xmlFree(v);
	if (bad)
		return err_set(e, ERR_SCHEMA, "%s:%ld: %s/@sha256: not 64 hex "
		    "digits", name, xmlGetLineNo(n), (const char *)n->name);
	if (attr_time(n, "notBefore", &c->not_before, name, e) == -1 ||
	    attr_time(n, "notAfter", &c->not_after, name, e) == -1)
		return -1;
	if (c->not_after != 0 && c->not_after <= c->not_before)
		return err_set(e, ERR_SCHEMA, "%s:%ld: %s: notAfter is not "
		    "after notBefore", name, xmlGetLineNo(n),
		    (const char *)n->name);
	return 0;
}

static int
time_read(xmlNodePtr n, time_t *out, const char *name, struct err *e)
{
	char s[64];

	if (text_copy(n, s, sizeof(s), name, e) == -1)
		return -1;
	if (model_datetime_parse(s, out) == -1)
		return err_set(e, ERR_SCHEMA, "%s:%ld: %s: '%s' is not a date "
		    "and time", name, xmlGetLineNo(n), (const char *)n->name, s);
	return 0;
}

static int
seq_read(xmlNodePtr n, uint64_t *out, const char *name, struct err *e)
{
	char s[32], *end;
	unsigned long long v;

	if (text_copy(n, s, sizeof(s), name, e) == -1)
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0)
		return err_set(e, ERR_SCHEMA, "%s:%ld: Sequence: '%s' is not "
		    "an unsigned number", name, xmlGetLineNo(n), s);
	*out = v;
	return 0;
}

/* One CACertificates/Certificate: base64 DER of a CA certificate. */
static int
ca_read(xmlNodePtr n, STACK_OF(X509) *cas, const char *name, struct err *e)
{
	EVP_ENCODE_CTX *ctx = NULL;
	unsigned char *der = NULL;
	const unsigned char *p;
	X509 *x = NULL;
	char *b64 = NULL;
	int len, fin, rc = -1;

	if ((b64 = xml_text(n, e)) == NULL) {
		err_prefix(e, "%s:%ld: Certificate", name, xmlGetLineNo(n));
		goto done;
	}
	len = (int)strlen(b64);
	if ((der = malloc((size_t)len + 1)) == NULL ||
	    (ctx = EVP_ENCODE_CTX_new()) == NULL) {
		err_set(e, ERR_NOMEM, "%s: out of memory", name);
		goto done;
	}
	EVP_DecodeInit(ctx);
	if (EVP_DecodeUpdate(ctx, der, &len, (unsigned char *)b64,
	    (int)strlen(b64)) == -1 || EVP_DecodeFinal(ctx, der + len, &fin) != 1) {
		err_set(e, ERR_SCHEMA, "%s:%ld: Certificate: not base64", name,
		    xmlGetLineNo(n));
		goto done;
	}
	len += fin;
	p = der;
	if ((x = d2i_X509(NULL, &p, len)) == NULL || p != der + len) {
		err_set(e, ERR_SCHEMA, "%s:%ld: Certificate: not one DER "
		    "X.509 certificate", name, xmlGetLineNo(n));
		goto done;
	}
	if (X509_check_ca(x) < 1) {
		err_set(e, ERR_SCHEMA, "%s:%ld: Certificate: not a CA "
		    "certificate", name, xmlGetLineNo(n));
		goto done;
	}
	if (sk_X509_push(cas, x) == 0) {
		err_set(e, ERR_NOMEM, "%s: out of memory", name);
		goto done;
	}
	x = NULL;
	rc = 0;
done:
	X509_free(x);
	EVP_ENCODE_CTX_free(ctx);
	free(der);
	xmlFree(b64);
	return rc;
}

static int
member_read(xmlNodePtr mn, struct trust_member *m, const char *name,
    struct err *e)
{
	xmlNodePtr n;
	char roles[128];
	int have = 0;

	memset(m, 0, sizeof(*m));
	for (n = xml_first_elem(mn); n != NULL; n = xml_next_elem(n)) {
		if (xml_is(n, "MemberId")) {
			if (text_copy(n, m->id, sizeof(m->id), name, e) == -1)
				return -1;
			have |= 1;
		} else if (xml_is(n, "Name")) {
			if (text_copy(n, m->name, sizeof(m->name), name, e) == -1)
				return -1;
		} else if (xml_is(n, "Code")) {
			if (text_copy(n, m->code, sizeof(m->code), name, e) == -1)
				return -1;
			have |= 2;
		} else if (xml_is(n, "Region")) {
			if (text_copy(n, m->region, sizeof(m->region), name,
			    e) == -1)
				return -1;
		} else if (xml_is(n, "Roles")) {
			if (text_copy(n, roles, sizeof(roles), name, e) == -1)
				return -1;
			if (trust_roles_parse(roles, &m->roles) == -1 ||
			    m->roles == 0)
				return err_set(e, ERR_SCHEMA, "%s:%ld: Roles: "
				    "'%s' is not a list of roles", name,
				    xmlGetLineNo(n), roles);
			have |= 4;
		} else if (xml_is(n, "Endpoint")) {
			if (text_copy(n, m->endpoint, sizeof(m->endpoint), name,
			    e) == -1)
				return -1;
			have |= 8;
		} else if (xml_is(n, "IssuerCode")) {
			if (m->nissuers >= TRUST_MAX_ISSUERS)
				return err_set(e, ERR_SCHEMA, "%s:%ld: "
				    "IssuerCode: more than %d", name,
				    xmlGetLineNo(n), TRUST_MAX_ISSUERS);
			if (text_copy(n, m->issuers[m->nissuers],
			    sizeof(m->issuers[0]), name, e) == -1)
				return -1;
			m->nissuers++;
		} else if (xml_is(n, "TlsCertificate") ||
		    xml_is(n, "TlsCertificateSha256")) {
			if (m->ntls >= TRUST_MAX_CERTS)
				return err_set(e, ERR_SCHEMA, "%s:%ld: %s: more "
				    "than %d", name, xmlGetLineNo(n),
				    (const char *)n->name, TRUST_MAX_CERTS);
			if ((xml_is(n, "TlsCertificate") ?
			    cert_read(n, &m->tls[m->ntls], name, e) :
			    fpr_read(n, &m->tls[m->ntls], name, e)) == -1)
				return -1;
			m->ntls++;
			have |= 16;
		} else if (xml_is(n, "SigningCertificate") ||
		    xml_is(n, "SigningCertificateSha256")) {
			if (m->nsign >= TRUST_MAX_CERTS)
				return err_set(e, ERR_SCHEMA, "%s:%ld: %s: more "
				    "than %d", name, xmlGetLineNo(n),
				    (const char *)n->name, TRUST_MAX_CERTS);
			if ((xml_is(n, "SigningCertificate") ?
			    cert_read(n, &m->sign[m->nsign], name, e) :
			    fpr_read(n, &m->sign[m->nsign], name, e)) == -1)
				return -1;
			m->nsign++;
			have |= 32;
		} else
			return err_set(e, ERR_SCHEMA, "%s:%ld: Member: "
			    "unexpected element %s", name, xmlGetLineNo(n),
			    (const char *)n->name);
	}
	if (have != 63)
		return err_set(e, ERR_SCHEMA, "%s:%ld: Member: incomplete",
		    name, xmlGetLineNo(mn));
	return 0;
}

static int
members_read(xmlNodePtr list, struct trust_list *tl, const char *name,
    struct err *e)
{
	xmlNodePtr n;
	int count = 0;

	for (n = xml_first_elem(list); n != NULL; n = xml_next_elem(n))
		count++;
	if (count == 0 || count > TRUST_MAX_MEMBERS)
		return err_set(e, ERR_SCHEMA, "%s:%ld: Members: %d members "
		    "(1..%d allowed)", name, xmlGetLineNo(list), count,
		    TRUST_MAX_MEMBERS);
	if ((tl->m = calloc((size_t)count, sizeof(*tl->m))) == NULL)
		return err_set(e, ERR_NOMEM, "%s: out of memory", name);
	for (n = xml_first_elem(list); n != NULL; n = xml_next_elem(n)) {
		if (!xml_is(n, "Member"))
			return err_set(e, ERR_SCHEMA, "%s:%ld: Members: "
			    "unexpected element %s", name, xmlGetLineNo(n),
			    (const char *)n->name);
		if (member_read(n, &tl->m[tl->n], name, e) == -1)
			return -1;
		tl->n++;
	}
	if (trust_index_build(tl, name, e) == -1)
		return -1;
	return 0;
}

/* The list's fields from the (verified) document. */
static int
list_read(xmlDocPtr doc, struct trust_list *tl, const char *name,
    struct err *e)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), n, c;
	int have = 0;

	for (n = xml_first_elem(root); n != NULL; n = xml_next_elem(n)) {
		if (xml_is(n, "Instance")) {
			if (text_copy(n, tl->instance, sizeof(tl->instance),
			    name, e) == -1)
				return -1;
			have |= 1;
		} else if (xml_is(n, "Sequence")) {
			if (seq_read(n, &tl->seq, name, e) == -1)
				return -1;
			have |= 2;
		} else if (xml_is(n, "Issued")) {
			if (time_read(n, &tl->issued, name, e) == -1)
				return -1;
			have |= 4;
		} else if (xml_is(n, "Expires")) {
			if (time_read(n, &tl->expires, name, e) == -1)
				return -1;
			have |= 8;
		} else if (xml_is(n, "CACertificates")) {
			for (c = xml_first_elem(n); c != NULL;
			    c = xml_next_elem(c)) {
				if (sk_X509_num(tl->cas) >= TRUST_MAX_CAS)
					return err_set(e, ERR_SCHEMA, "%s:%ld: "
					    "CACertificates: more than %d",
					    name, xmlGetLineNo(c), TRUST_MAX_CAS);
				if (ca_read(c, tl->cas, name, e) == -1)
					return -1;
			}
			if (sk_X509_num(tl->cas) > 0)
				have |= 16;
		} else if (xml_is(n, "Members")) {
			if (members_read(n, tl, name, e) == -1)
				return -1;
			have |= 32;
		}
		/* ds:Signature: checked by dsig, nothing to read */
	}
	if (have != 63)
		return err_set(e, ERR_SCHEMA, "%s: TrustList: incomplete", name);
	if (tl->expires <= tl->issued)
		return err_set(e, ERR_SCHEMA, "%s: TrustList: Expires is not "
		    "after Issued", name);
	return 0;
}

static int
digest_doc(xmlDocPtr doc, unsigned char md[32], const char *name,
    struct err *e)
{
	char *c14n = NULL;
	size_t len;

	if (xml_canonical(doc, &c14n, &len, e) == -1)
		return err_prefix(e, "%s", name);
	SHA256((const unsigned char *)c14n, len, md);
	xmlFree(c14n);
	return 0;
}

static int
from_doc(xmlDocPtr doc, const char *name, X509 *anchor,
    const struct trust_list *held, time_t now, unsigned flags,
    struct trust_list **out, struct err *e)
{
	static const char *const roots[] = { "TrustList", NULL };
	struct trust_list *tl = NULL;
	struct dsig_info info;
	xmlChar *id = NULL;
	char t1[32], t2[32];
	int rc = -1;

	if (schema_validate(doc, name, roots, e) == -1)
		goto done;
	if ((tl = calloc(1, sizeof(*tl))) == NULL ||
	    (tl->cas = sk_X509_new_null()) == NULL) {
		err_set(e, ERR_NOMEM, "%s: out of memory", name);
		goto done;
	}
	atomic_init(&tl->refs, 1);
	memset(&info, 0, sizeof(info));
	if ((flags & TRUST_F_NO_SIGNATURE) == 0) {
		if (anchor == NULL) {
			err_set(e, ERR_USAGE, "%s: no operator certificate "
			    "(trust anchor) to verify the trust list with",
			    name);
			goto done;
		}
		if (dsig_verify_pinned(doc, anchor, NULL, DOC_TRUSTLIST, now,
		    &info, e) == -1) {
			err_prefix(e, "%s", name);
			goto done;
		}
		tl->verified = 1;
		tl->signed_at = info.signed_at;
		memcpy(tl->id, info.doc_id, sizeof(tl->id));
		tl->id[sizeof(tl->id) - 1] = '\0';
	} else {
		id = xmlGetNoNsProp(xmlDocGetRootElement(doc),
		    (const xmlChar *)"Id");
		if (id != NULL)
			snprintf(tl->id, sizeof(tl->id), "%s", (char *)id);
	}
	if (list_read(doc, tl, name, e) == -1)
		goto done;
	if (digest_doc(doc, tl->digest, name, e) == -1)
		goto done;

	if ((flags & TRUST_F_NO_EXPIRY) == 0 && tl->expires <= now) {
		model_datetime_format(tl->expires, t1);
		err_set(e, ERR_TRUST, "%s: trust list sequence %llu expired "
		    "at %s", name, (unsigned long long)tl->seq, t1);
		goto done;
	}
	if (held != NULL) {
		if (strcmp(held->instance, tl->instance) != 0) {
			err_set(e, ERR_TRUST, "%s: trust list of instance '%s' "
			    "cannot replace one of instance '%s'", name,
			    tl->instance, held->instance);
			goto done;
		}
		if (tl->seq < held->seq) {
			err_set(e, ERR_TRUST, "%s: trust list sequence %llu is "
			    "lower than the held %llu (rollback refused)", name,
			    (unsigned long long)tl->seq,
			    (unsigned long long)held->seq);
			goto done;
		}
		if (tl->seq == held->seq &&
		    memcmp(tl->digest, held->digest, sizeof(tl->digest)) != 0) {
			model_datetime_format(tl->issued, t1);
			model_datetime_format(held->issued, t2);
			err_set(e, ERR_TRUST, "%s: trust list sequence %llu "
			    "(issued %s) differs from the held list with the "
			    "same sequence (issued %s); refused", name,
			    (unsigned long long)tl->seq, t1, t2);
			goto done;
		}
	}
	*out = tl;
	tl = NULL;
	rc = 0;
done:
	xmlFree(id);
	trust_unref(tl);
	return rc;
}

/* --- loading ------------------------------------------------------------------ */

int
trust_parse_flags(const char *buf, size_t len, const char *name, X509 *anchor,
    const struct trust_list *held, time_t now, unsigned flags,
    struct trust_list **out, struct err *e)
{
	xmlDocPtr doc;
	int rc;

	if ((doc = xml_parse(buf, len, name, &trust_limits, e)) == NULL)
		return -1;
	rc = from_doc(doc, name, anchor, held, now, flags, out, e);
	xmlFreeDoc(doc);
	return rc;
}

int
trust_load_flags(const char *path, X509 *anchor,
    const struct trust_list *held, time_t now, unsigned flags,
    struct trust_list **out, struct err *e)
{
	xmlDocPtr doc;
	int rc;

	if ((doc = xml_read_file(path, &trust_limits, e)) == NULL)
		return -1;
	rc = from_doc(doc, path, anchor, held, now, flags, out, e);
	xmlFreeDoc(doc);
	return rc;
}

int
trust_parse(const char *buf, size_t len, const char *name, X509 *anchor,
    const struct trust_list *held, time_t now, struct trust_list **out,
    struct err *e)
{
	return trust_parse_flags(buf, len, name, anchor, held, now, 0, out, e);
}

int
trust_load(const char *path, X509 *anchor, const struct trust_list *held,
    time_t now, struct trust_list **out, struct err *e)
{
	return trust_load_flags(path, anchor, held, now, 0, out, e);
}
