/*
 * trust.c - the federation trust list (see trust.h).
 *
 * A list is parsed with the hardened parser, validated against
 * trustlist.xsd, its enveloped signature checked against the pinned
 * operator certificate, and only then read (whole-text reads from the
 * verified document).  Expiry and rollback are checked last so that a
 * tampered list is reported as tampered.  The result is immutable: members
 * in one array plus four sorted index arrays (ID, code, TLS and signing
 * fingerprint) searched by bisection; the reference count is atomic so
 * readers on any thread may hold it while a refresher swaps in a new list.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "model.h"
#include "schema.h"
#include "trust.h"
#include "xml.h"

#define TRUST_MAX_MEMBERS	1000
#define TRUST_MAX_CAS		16

/* A list of 1000 members is about 700 KB. */
static const struct xml_limits trust_limits = { 4 << 20, 32, 200000,
    XML_MAX_ATTRS };

struct trust_list {
	atomic_int		 refs;
	uint64_t		 seq;
	time_t			 issued;
	time_t			 expires;
	time_t			 signed_at;
	int			 verified;
	char			 instance[17];
	char			 id[65];
	unsigned char		 digest[32];	/* SHA-256 of the canonical list */
	STACK_OF(X509)		*cas;
	int			 n;
	struct trust_member	*m;
	int			*by_id;		/* indices into m, sorted */
	int			*by_code;
	int			*by_tls;
	int			*by_sign;
};

enum tl_key { K_ID, K_CODE, K_TLS, K_SIGN };

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

/* --- lookups ---------------------------------------------------------------- */

static int
key_cmp(const struct trust_member *m, enum tl_key k, const void *key)
{
	switch (k) {
	case K_ID:
		return strcmp(m->id, key);
	case K_CODE:
		return strcmp(m->code, key);
	case K_TLS:
		return memcmp(m->tls_fpr, key, 32);
	case K_SIGN:
	default:
		return memcmp(m->sign_fpr, key, 32);
	}
}

static const int *
index_of(const struct trust_list *tl, enum tl_key k)
{
	switch (k) {
	case K_ID:
		return tl->by_id;
	case K_CODE:
		return tl->by_code;
	case K_TLS:
		return tl->by_tls;
	case K_SIGN:
	default:
		return tl->by_sign;
	}
}

static const struct trust_member *
lookup(const struct trust_list *tl, enum tl_key k, const void *key)
{
	const int *idx;
	int lo = 0, hi, mid, c;

	if (tl == NULL || key == NULL)
		return NULL;
	idx = index_of(tl, k);
	hi = tl->n - 1;
	while (lo <= hi) {
		mid = lo + (hi - lo) / 2;
		c = key_cmp(&tl->m[idx[mid]], k, key);
		if (c == 0)
			return &tl->m[idx[mid]];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

const struct trust_member *
trust_member_by_id(const struct trust_list *tl, const char *id)
{
	return lookup(tl, K_ID, id);
}

const struct trust_member *
trust_member_by_code(const struct trust_list *tl, const char *code)
{
	return lookup(tl, K_CODE, code);
}

const struct trust_member *
trust_member_by_tls_fpr(const struct trust_list *tl,
    const unsigned char fpr[32])
{
	return lookup(tl, K_TLS, fpr);
}

const struct trust_member *
trust_member_by_sign_fpr(const struct trust_list *tl,
    const unsigned char fpr[32])
{
	return lookup(tl, K_SIGN, fpr);
}

/* --- building the index --------------------------------------------------- */

/* qsort has no context argument; the list being sorted is passed here.  The
 * index is built before the list is shared, on the loading thread only. */
static _Thread_local const struct trust_list *sort_tl;
static _Thread_local enum tl_key sort_key;

static const void *
member_key(const struct trust_member *m, enum tl_key k)
{
	switch (k) {
	case K_ID:
		return m->id;
	case K_CODE:
		return m->code;
	case K_TLS:
		return m->tls_fpr;
	case K_SIGN:
	default:
		return m->sign_fpr;
	}
}

static int
sort_cmp(const void *a, const void *b)
{
	const struct trust_member *ma = &sort_tl->m[*(const int *)a];
	const struct trust_member *mb = &sort_tl->m[*(const int *)b];

	return key_cmp(ma, sort_key, member_key(mb, sort_key));
}

static const char *const key_names[] = {
	"member ID", "member code", "TLS certificate fingerprint",
	"signing certificate fingerprint"
};

/* Sort the index for k and refuse duplicates (a fingerprint or ID listed
 * twice would make a lookup ambiguous). */
static int
build_index(struct trust_list *tl, enum tl_key k, int **out, const char *name,
    struct err *e)
{
	int *idx, i;

	if ((idx = calloc((size_t)tl->n, sizeof(*idx))) == NULL)
		return err_set(e, ERR_NOMEM, "%s: out of memory", name);
	for (i = 0; i < tl->n; i++)
		idx[i] = i;
	sort_tl = tl;
	sort_key = k;
	qsort(idx, (size_t)tl->n, sizeof(*idx), sort_cmp);
	sort_tl = NULL;
	*out = idx;
	for (i = 1; i < tl->n; i++)
		if (key_cmp(&tl->m[idx[i - 1]], k,
		    member_key(&tl->m[idx[i]], k)) == 0)
			return err_set(e, ERR_SCHEMA,
			    "%s: members %s and %s have the same %s", name,
			    tl->m[idx[i - 1]].code, tl->m[idx[i]].code,
			    key_names[k]);
	return 0;
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

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
fpr_read(xmlNodePtr n, unsigned char fpr[32], const char *name, struct err *e)
{
	char hex[65];
	int i, hi, lo;

	if (text_copy(n, hex, sizeof(hex), name, e) == -1)
		return -1;
	if (strlen(hex) != 64)
		return err_set(e, ERR_SCHEMA, "%s:%ld: %s: not 64 hex digits",
		    name, xmlGetLineNo(n), (const char *)n->name);
	for (i = 0; i < 32; i++) {
		hi = hexval(hex[2 * i]);
		lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return err_set(e, ERR_SCHEMA,
			    "%s:%ld: %s: not 64 hex digits", name,
			    xmlGetLineNo(n), (const char *)n->name);
		fpr[i] = (unsigned char)(hi << 4 | lo);
	}
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
		} else if (xml_is(n, "TlsCertificateSha256")) {
			if (fpr_read(n, m->tls_fpr, name, e) == -1)
				return -1;
			have |= 16;
		} else if (xml_is(n, "SigningCertificateSha256")) {
			if (fpr_read(n, m->sign_fpr, name, e) == -1)
				return -1;
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
	if (build_index(tl, K_ID, &tl->by_id, name, e) == -1 ||
	    build_index(tl, K_CODE, &tl->by_code, name, e) == -1 ||
	    build_index(tl, K_TLS, &tl->by_tls, name, e) == -1 ||
	    build_index(tl, K_SIGN, &tl->by_sign, name, e) == -1)
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
