/*
 * envelope.c - build and check the Query and Response documents of a
 * national query (see envelope.h, schemas/xsd/query.xsd).
 *
 * Writing and reading use the model's helpers (model_internal.h), so a
 * Query is read the way a Unit is: strict element order, whole-text reads,
 * values refused rather than truncated.  A check reads values only after
 * the signature verified, from the verified tree.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libxml/tree.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "dsig.h"
#include "envelope.h"
#include "model.h"
#include "model_internal.h"
#include "schema.h"
#include "trust.h"
#include "verifier.h"
#include "vocab.h"
#include "xml.h"

static const char *const status_tokens[] = {
	"ok", "bad-request", "bad-signature", "forbidden", "expired",
	"replayed", "busy", "error"
};
#define NSTATUS	(int)(sizeof(status_tokens) / sizeof(status_tokens[0]))

static const char *const by_tokens[] = { "region", "type", "expertise" };
#define NBY	(int)(sizeof(by_tokens) / sizeof(by_tokens[0]))

/* libxml2's XML_DOM_RECONNS_REMOVEREDUND option of
 * xmlDOMWrapReconcileNamespaces(), which its headers do not export (the
 * same value since 2.6.x; tests/test_envelope.c checks the effect). */
#define DOM_REMOVE_REDUNDANT	1

static const char *const query_roots[] = { "Query", NULL };
static const char *const response_roots[] = { "Response", NULL };

const char *
envelope_status_token(enum envelope_status st)
{
	if ((int)st < 0 || (int)st >= NSTATUS)
		return NULL;
	return status_tokens[st];
}

int
envelope_status_find(const char *token)
{
	int i;

	for (i = 0; token != NULL && i < NSTATUS; i++)
		if (strcmp(token, status_tokens[i]) == 0)
			return i;
	return -1;
}

void
envelope_query_init(struct envelope_query *q, enum envelope_kind kind)
{
	memset(q, 0, sizeof(*q));
	q->kind = kind;
	q->search.age = -1;
	q->search.gender = -1;
	q->search.max_price_cents = -1;
	q->search.free_places = 1;
	q->search.limit = 20;
}

static void
hex_of(const unsigned char *p, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hx[p[i] >> 4];
		out[2 * i + 1] = hx[p[i] & 0xf];
	}
	out[2 * n] = '\0';
}

/* 64 lower-case hex digits -> 32 bytes; -1 on anything else. */
static int
unhex32(const char *s, unsigned char out[32])
{
	int i, hi, lo;

	if (strlen(s) != 64)
		return -1;
	for (i = 0; i < 32; i++) {
		hi = s[2 * i] >= 'a' ? s[2 * i] - 'a' + 10 : s[2 * i] - '0';
		lo = s[2 * i + 1] >= 'a' ? s[2 * i + 1] - 'a' + 10 :
		    s[2 * i + 1] - '0';
		if (hi < 0 || hi > 15 || lo < 0 || lo > 15)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* --- writing a Query ------------------------------------------------------ */

/* One element per set bit of mask, tokens of v. */
static void
put_bits(struct mw *w, xmlNodePtr p, const char *local, const struct vocab *v,
    uint32_t mask)
{
	int i;

	for (i = 0; i < v->count && i < 32; i++)
		if (mask & (1u << i))
			mw_elem_vocab(w, p, local, v, i);
}

static void
put_regions(struct mw *w, xmlNodePtr p, const char *local, uint32_t mask)
{
	int i;

	for (i = 0; i < REGION_COUNT; i++)
		if (mask & (1u << i))
			mw_elem(w, p, local, regions[i].code);
}

static int
bits_fit(uint32_t mask, int count)
{
	return count >= 32 || (mask >> count) == 0;
}

static int
search_usage(const struct envelope_search *s, struct err *e)
{
	int i;

	if (s->age < 0 || s->age > 24)
		return err_set(e, ERR_USAGE, "age: %d is out of range 0..24",
		    s->age);
	if (s->gender < -1 || s->gender >= vocab_gender.count)
		return err_set(e, ERR_USAGE, "gender: %d is unknown",
		    s->gender);
	if (s->nlanguages < 0 || s->nlanguages > ENVELOPE_LANG_MAX)
		return err_set(e, ERR_USAGE, "languages: at most %d",
		    ENVELOPE_LANG_MAX);
	for (i = 0; i < s->nlanguages; i++)
		if (strlen(s->languages[i]) != 2 ||
		    s->languages[i][0] < 'a' || s->languages[i][0] > 'z' ||
		    s->languages[i][1] < 'a' || s->languages[i][1] > 'z')
			return err_set(e, ERR_USAGE, "language: \"%s\" is not "
			    "an ISO 639-1 code", s->languages[i]);
	if (!bits_fit(s->expertise, vocab_expertise.count) ||
	    !bits_fit(s->target_groups, vocab_target_group.count) ||
	    !bits_fit(s->types, vocab_unit_type.count) ||
	    !bits_fit(s->levels, vocab_service_level.count) ||
	    !bits_fit(s->regions_required, REGION_COUNT) ||
	    !bits_fit(s->regions_preferred, REGION_COUNT))
		return err_set(e, ERR_USAGE, "a set of needs has a bit outside "
		    "its vocabulary");
	if (s->home_region[0] != '\0' && region_find(s->home_region) < 0)
		return err_set(e, ERR_USAGE, "home region: \"%s\" is not a "
		    "region code", s->home_region);
	if (s->nframeworks < 0 || s->nframeworks > ENVELOPE_FRAMEWORK_MAX)
		return err_set(e, ERR_USAGE, "frameworks: at most %d",
		    ENVELOPE_FRAMEWORK_MAX);
	if (s->max_price_cents < -1)
		return err_set(e, ERR_USAGE, "max price: %ld is negative",
		    s->max_price_cents);
	if (s->free_places < 1 || s->free_places > 24)
		return err_set(e, ERR_USAGE, "free places: %d is out of range "
		    "1..24", s->free_places);
	if (s->limit < 1 || s->limit > 1000)
		return err_set(e, ERR_USAGE, "limit: %d is out of range "
		    "1..1000", s->limit);
	return 0;
}

static void
put_search(struct mw *w, xmlDocPtr doc, xmlNodePtr root,
    const struct envelope_search *s)
{
	xmlNodePtr p;
	int i;

	p = mw_root(w, doc, root, "PlacementSearch");
	mw_elem_int(w, p, "Age", s->age);
	if (s->gender >= 0)
		mw_elem_vocab(w, p, "Gender", &vocab_gender, s->gender);
	for (i = 0; i < s->nlanguages; i++)
		mw_elem(w, p, "Language", s->languages[i]);
	put_bits(w, p, "Expertise", &vocab_expertise, s->expertise);
	put_bits(w, p, "TargetGroup", &vocab_target_group, s->target_groups);
	put_bits(w, p, "Type", &vocab_unit_type, s->types);
	put_bits(w, p, "ServiceLevel", &vocab_service_level, s->levels);
	put_regions(w, p, "RequiredRegion", s->regions_required);
	put_regions(w, p, "PreferredRegion", s->regions_preferred);
	mw_elem_opt(w, p, "HomeRegion", s->home_region);
	for (i = 0; i < s->nframeworks; i++)
		mw_elem(w, p, "Framework", s->frameworks[i]);
	if (s->max_price_cents >= 0)
		mw_elem_money(w, p, "MaxPrice", s->max_price_cents);
	mw_elem_int(w, p, "FreePlaces", s->free_places);
	mw_elem_int(w, p, "Limit", s->limit);
}

static int
query_usage(const struct envelope_query *q, int ttl, struct err *e)
{
	const struct envelope_lookup *l = &q->lookup;

	if (ttl < 1 || ttl > ENVELOPE_TTL_MAX)
		return err_set(e, ERR_USAGE, "ttl: %d seconds is out of range "
		    "1..%d", ttl, ENVELOPE_TTL_MAX);
	if (q->from[0] == '\0')
		return err_set(e, ERR_USAGE, "query: no asking member (from)");
	switch (q->kind) {
	case ENVELOPE_SEARCH:
		return search_usage(&q->search, e);
	case ENVELOPE_STATISTICS:
		if ((int)q->stats.by < 0 || (int)q->stats.by >= NBY)
			return err_set(e, ERR_USAGE, "statistics: unknown "
			    "grouping %d", (int)q->stats.by);
		if (q->stats.threshold < 0 || q->stats.threshold > 100)
			return err_set(e, ERR_USAGE, "statistics: threshold "
			    "%d is out of range 1..100", q->stats.threshold);
		return 0;
	case ENVELOPE_LOOKUP:
		if ((l->unit_id[0] == '\0') == (l->business_id[0] == '\0'))
			return err_set(e, ERR_USAGE, "supervision look-up: "
			    "give exactly one of a unit ID and a business ID");
		return 0;
	}
	return err_set(e, ERR_USAGE, "query: unknown kind %d", (int)q->kind);
}

xmlDocPtr
envelope_query_new(struct envelope_query *q, time_t now, int ttl,
    struct err *e)
{
	unsigned char rnd[ENVELOPE_NONCE_BYTES];
	xmlDocPtr doc = NULL;
	xmlNodePtr root, p;
	struct mw w = { 0 };

	if (q == NULL)
		goto usage;
	if (query_usage(q, ttl, e) == -1)
		return NULL;
	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		err_set(e, ERR_INTERNAL, "query: no random bytes for the "
		    "nonce");
		return NULL;
	}
	hex_of(rnd, sizeof(rnd), q->nonce);
	snprintf(q->id, sizeof(q->id), "Q-%.32s", q->nonce);
	q->issued = now;
	q->expires = now + ttl;
	if ((doc = xmlNewDoc((const xmlChar *)"1.0")) == NULL) {
		err_set(e, ERR_NOMEM, "query: out of memory");
		return NULL;
	}
	root = mw_root(&w, doc, NULL, "Query");
	mw_attr(&w, root, "Id", q->id);
	mw_elem(&w, root, "From", q->from);
	mw_elem_datetime(&w, root, "Issued", q->issued);
	mw_elem_datetime(&w, root, "Expires", q->expires);
	mw_elem(&w, root, "Nonce", q->nonce);
	switch (q->kind) {
	case ENVELOPE_SEARCH:
		put_search(&w, doc, root, &q->search);
		break;
	case ENVELOPE_STATISTICS:
		p = mw_root(&w, doc, root, "Statistics");
		mw_elem(&w, p, "By", by_tokens[q->stats.by]);
		if (q->stats.threshold > 0)
			mw_elem_int(&w, p, "Threshold", q->stats.threshold);
		break;
	case ENVELOPE_LOOKUP:
		p = mw_root(&w, doc, root, "SupervisionLookup");
		mw_elem_opt(&w, p, "Unit", q->lookup.unit_id);
		mw_elem_opt(&w, p, "ProviderBusinessId",
		    q->lookup.business_id);
		break;
	}
	if (mw_finish(&w, doc, root, "query", e) == NULL)
		goto fail;
	/* What the caller gave is checked by the same schema the regions
	 * apply (member ID, framework and ID patterns). */
	if (schema_validate(doc, "query", query_roots, e) == -1) {
		if (e != NULL)
			e->code = ERR_USAGE;
		goto fail;
	}
	return doc;
usage:
	err_set(e, ERR_USAGE, "query: nothing to build");
fail:
	xmlFreeDoc(doc);
	return NULL;
}

/* --- reading a Query ------------------------------------------------------ */

static int
rd_from(xmlNodePtr c, void *obj, struct err *e)
{
	struct envelope_query *q = obj;

	return mi_token(c, q->from, sizeof(q->from), e);
}

static int
rd_issued(xmlNodePtr c, void *obj, struct err *e)
{
	return mi_datetime(c, &((struct envelope_query *)obj)->issued, e);
}

static int
rd_expires(xmlNodePtr c, void *obj, struct err *e)
{
	return mi_datetime(c, &((struct envelope_query *)obj)->expires, e);
}

static int
rd_nonce(xmlNodePtr c, void *obj, struct err *e)
{
	struct envelope_query *q = obj;
	size_t n;

	if (mi_token(c, q->nonce, sizeof(q->nonce), e) == -1)
		return -1;
	n = strlen(q->nonce);
	if (n < 32 || n % 2 != 0 || strspn(q->nonce, "0123456789abcdef") != n)
		return mi_fail(e, c, "not 16 to 32 bytes in lower-case hex");
	return 0;
}

static int
rd_bit(xmlNodePtr c, const struct vocab *v, uint32_t *mask, struct err *e)
{
	int i;

	if (mi_vocab(c, v, &i, e) == -1)
		return -1;
	*mask |= 1u << i;
	return 0;
}

static int
rd_region_bit(xmlNodePtr c, uint32_t *mask, struct err *e)
{
	char code[3];
	int i;

	if (mi_token(c, code, sizeof(code), e) == -1)
		return -1;
	if ((i = region_find(code)) < 0)
		return mi_fail(e, c, "\"%s\" is not a region code", code);
	*mask |= 1u << i;
	return 0;
}

#define SEARCH(o)	(&((struct envelope_query *)(o))->search)

static int
rd_age(xmlNodePtr c, void *o, struct err *e)
{
	return mi_int(c, 0, 24, &SEARCH(o)->age, e);
}

static int
rd_gender(xmlNodePtr c, void *o, struct err *e)
{
	return mi_vocab(c, &vocab_gender, &SEARCH(o)->gender, e);
}

static int
rd_lang(xmlNodePtr c, void *o, struct err *e)
{
	struct envelope_search *s = SEARCH(o);

	if (s->nlanguages >= ENVELOPE_LANG_MAX)
		return mi_fail(e, c, "more than %d", ENVELOPE_LANG_MAX);
	return mi_token(c, s->languages[s->nlanguages++], 3, e);
}

static int
rd_expertise(xmlNodePtr c, void *o, struct err *e)
{
	return rd_bit(c, &vocab_expertise, &SEARCH(o)->expertise, e);
}

static int
rd_target(xmlNodePtr c, void *o, struct err *e)
{
	return rd_bit(c, &vocab_target_group, &SEARCH(o)->target_groups, e);
}

static int
rd_type(xmlNodePtr c, void *o, struct err *e)
{
	return rd_bit(c, &vocab_unit_type, &SEARCH(o)->types, e);
}

static int
rd_level(xmlNodePtr c, void *o, struct err *e)
{
	return rd_bit(c, &vocab_service_level, &SEARCH(o)->levels, e);
}

static int
rd_required(xmlNodePtr c, void *o, struct err *e)
{
	return rd_region_bit(c, &SEARCH(o)->regions_required, e);
}

static int
rd_preferred(xmlNodePtr c, void *o, struct err *e)
{
	return rd_region_bit(c, &SEARCH(o)->regions_preferred, e);
}

static int
rd_home(xmlNodePtr c, void *o, struct err *e)
{
	struct envelope_search *s = SEARCH(o);

	if (mi_token(c, s->home_region, sizeof(s->home_region), e) == -1)
		return -1;
	if (region_find(s->home_region) < 0)
		return mi_fail(e, c, "\"%s\" is not a region code",
		    s->home_region);
	return 0;
}

static int
rd_framework(xmlNodePtr c, void *o, struct err *e)
{
	struct envelope_search *s = SEARCH(o);

	if (s->nframeworks >= ENVELOPE_FRAMEWORK_MAX)
		return mi_fail(e, c, "more than %d", ENVELOPE_FRAMEWORK_MAX);
	return mi_token(c, s->frameworks[s->nframeworks++],
	    sizeof(s->frameworks[0]), e);
}

static int
rd_price(xmlNodePtr c, void *o, struct err *e)
{
	return mi_money(c, &SEARCH(o)->max_price_cents, e);
}

static int
rd_places(xmlNodePtr c, void *o, struct err *e)
{
	return mi_int(c, 1, 24, &SEARCH(o)->free_places, e);
}

static int
rd_limit(xmlNodePtr c, void *o, struct err *e)
{
	return mi_int(c, 1, 1000, &SEARCH(o)->limit, e);
}

static const struct mi_field search_fields[] = {
	{ "Age", 1, 1, rd_age },
	{ "Gender", 0, 1, rd_gender },
	{ "Language", 0, ENVELOPE_LANG_MAX, rd_lang },
	{ "Expertise", 0, 32, rd_expertise },
	{ "TargetGroup", 0, 32, rd_target },
	{ "Type", 0, 32, rd_type },
	{ "ServiceLevel", 0, 32, rd_level },
	{ "RequiredRegion", 0, REGION_COUNT, rd_required },
	{ "PreferredRegion", 0, REGION_COUNT, rd_preferred },
	{ "HomeRegion", 0, 1, rd_home },
	{ "Framework", 0, ENVELOPE_FRAMEWORK_MAX, rd_framework },
	{ "MaxPrice", 0, 1, rd_price },
	{ "FreePlaces", 0, 1, rd_places },
	{ "Limit", 0, 1, rd_limit },
};

static int
rd_search(xmlNodePtr c, void *o, struct err *e)
{
	((struct envelope_query *)o)->kind = ENVELOPE_SEARCH;
	return mi_read_children(c, search_fields,
	    (int)(sizeof(search_fields) / sizeof(search_fields[0])), 0, o, e);
}

static int
rd_by(xmlNodePtr c, void *o, struct err *e)
{
	struct envelope_query *q = o;
	char tok[16];
	int i;

	if (mi_token(c, tok, sizeof(tok), e) == -1)
		return -1;
	for (i = 0; i < NBY; i++)
		if (strcmp(tok, by_tokens[i]) == 0) {
			q->stats.by = (enum envelope_stats_by)i;
			return 0;
		}
	return mi_fail(e, c, "\"%s\" is not one of region, type, expertise",
	    tok);
}

static int
rd_threshold(xmlNodePtr c, void *o, struct err *e)
{
	return mi_int(c, 1, 100, &((struct envelope_query *)o)->stats.threshold,
	    e);
}

static const struct mi_field stats_fields[] = {
	{ "By", 1, 1, rd_by },
	{ "Threshold", 0, 1, rd_threshold },
};

static int
rd_stats(xmlNodePtr c, void *o, struct err *e)
{
	((struct envelope_query *)o)->kind = ENVELOPE_STATISTICS;
	return mi_read_children(c, stats_fields, 2, 0, o, e);
}

static int
rd_unit(xmlNodePtr c, void *o, struct err *e)
{
	struct envelope_lookup *l = &((struct envelope_query *)o)->lookup;

	if (mi_token(c, l->unit_id, sizeof(l->unit_id), e) == -1)
		return -1;
	return mi_is_id(l->unit_id) ? 0 : mi_fail(e, c, "not an ID");
}

static int
rd_business(xmlNodePtr c, void *o, struct err *e)
{
	struct envelope_lookup *l = &((struct envelope_query *)o)->lookup;

	return mi_token(c, l->business_id, sizeof(l->business_id), e);
}

static const struct mi_field lookup_fields[] = {
	{ "Unit", 0, 1, rd_unit },
	{ "ProviderBusinessId", 0, 1, rd_business },
};

static int
rd_lookup(xmlNodePtr c, void *o, struct err *e)
{
	struct envelope_lookup *l = &((struct envelope_query *)o)->lookup;

	((struct envelope_query *)o)->kind = ENVELOPE_LOOKUP;
	if (mi_read_children(c, lookup_fields, 2, 0, o, e) == -1)
		return -1;
	if ((l->unit_id[0] == '\0') == (l->business_id[0] == '\0'))
		return mi_fail(e, c, "exactly one of Unit and "
		    "ProviderBusinessId is needed");
	return 0;
}

static const struct mi_field query_fields[] = {
	{ "From", 1, 1, rd_from },
	{ "Issued", 1, 1, rd_issued },
	{ "Expires", 1, 1, rd_expires },
	{ "Nonce", 1, 1, rd_nonce },
	{ "PlacementSearch", 0, 1, rd_search },
	{ "Statistics", 0, 1, rd_stats },
	{ "SupervisionLookup", 0, 1, rd_lookup },
};

/* The values of a Query root into q (kind from the one question). */
static int
query_read(xmlNodePtr root, struct envelope_query *q, struct err *e)
{
	xmlChar *id;
	xmlNodePtr c;
	int n = 0;

	envelope_query_init(q, ENVELOPE_SEARCH);
	if (mi_read_children(root, query_fields,
	    (int)(sizeof(query_fields) / sizeof(query_fields[0])), 1, q,
	    e) == -1)
		return -1;
	for (c = xml_first_elem(root); c != NULL; c = xml_next_elem(c))
		if (xml_is(c, "PlacementSearch") || xml_is(c, "Statistics") ||
		    xml_is(c, "SupervisionLookup"))
			n++;
	if (n != 1)
		return mi_fail(e, root, "exactly one of PlacementSearch, "
		    "Statistics and SupervisionLookup is needed (found %d)", n);
	id = xmlGetNoNsProp(root, (const xmlChar *)"Id");
	snprintf(q->id, sizeof(q->id), "%s", id != NULL ? (const char *)id :
	    "");
	xmlFree(id);
	return 0;
}

/* --- checking a Query ----------------------------------------------------- */

static unsigned
roles_for_query(enum envelope_kind k)
{
	if (k == ENVELOPE_STATISTICS)
		return TRUST_ROLE_COORDINATOR | TRUST_ROLE_REGION;
	return TRUST_ROLE_COORDINATOR | TRUST_ROLE_REGION |
	    TRUST_ROLE_SUPERVISOR;
}

static const char *
kind_root(enum envelope_kind k)
{
	return k == ENVELOPE_SEARCH ? "PlacementSearch" :
	    k == ENVELOPE_STATISTICS ? "Statistics" : "SupervisionLookup";
}

/* The signer, the TLS peer and From are one member, whose roles allow the
 * kind.  ERR_TRUST. */
static int
query_who(struct verifier *v, const struct dsig_info *di,
    const struct envelope_query *q, const char *peer, struct err *e)
{
	const struct trust_member *m;
	char have[96], want[96];

	if (strcmp(di->member_id, peer) != 0)
		return err_set(e, ERR_TRUST, "query %s is signed by member %s "
		    "but came over the TLS connection of member %s (a query "
		    "is taken only from its signer)", q->id, di->member_id,
		    peer);
	if (strcmp(q->from, di->member_id) != 0)
		return err_set(e, ERR_TRUST, "query %s: From %s is not its "
		    "signer %s", q->id, q->from, di->member_id);
	if ((m = trust_member_by_id(verifier_trust_list(v),
	    di->member_id)) == NULL)
		return err_set(e, ERR_TRUST, "query %s: signer %s is not in "
		    "the trust list", q->id, di->member_id);
	if ((m->roles & roles_for_query(q->kind)) == 0) {
		trust_roles_format(m->roles, have, sizeof(have));
		trust_roles_format(roles_for_query(q->kind), want,
		    sizeof(want));
		return err_set(e, ERR_TRUST, "query %s: member %s (roles %s) "
		    "may not ask a %s query (allowed: %s)", q->id, m->id,
		    have, kind_root(q->kind), want);
	}
	return 0;
}

/* Issued, Expires and now.  ERR_INPUT. */
static int
query_when(const struct envelope_query *q, time_t now, struct err *e)
{
	char t1[32], t2[32];

	model_datetime_format(q->issued, t1);
	model_datetime_format(now, t2);
	if (q->issued > now + ENVELOPE_AHEAD_MAX)
		return err_set(e, ERR_INPUT, "query %s: Issued %s is %lld "
		    "seconds after now %s (at most %d are allowed)", q->id, t1,
		    (long long)(q->issued - now), t2, ENVELOPE_AHEAD_MAX);
	if (q->expires <= q->issued)
		return err_set(e, ERR_INPUT, "query %s: Expires is not after "
		    "Issued %s", q->id, t1);
	if (q->expires - q->issued > ENVELOPE_TTL_MAX)
		return err_set(e, ERR_INPUT, "query %s: valid for %lld "
		    "seconds from Issued to Expires (at most %d)", q->id,
		    (long long)(q->expires - q->issued), ENVELOPE_TTL_MAX);
	if (now >= q->expires) {
		model_datetime_format(q->expires, t1);
		return err_set(e, ERR_INPUT, "query %s expired at %s (now %s)",
		    q->id, t1, t2);
	}
	return 0;
}

int
envelope_query_check(struct verifier *v, xmlDocPtr doc, const void *bytes,
    size_t len, const char *tls_peer_member, time_t now,
    struct envelope_query *out, struct dsig_info *info, struct err *e)
{
	struct envelope_query q;
	struct dsig_info di;
	unsigned char digest[32] = { 0 };
	enum envelope_status st = ENVELOPE_ST_BAD_REQUEST;
	int rc = -1;

	envelope_query_init(&q, ENVELOPE_SEARCH);
	if (v == NULL || doc == NULL || bytes == NULL ||
	    tls_peer_member == NULL || out == NULL) {
		err_set(e, ERR_USAGE, "query check: missing argument");
		goto done;
	}
	if (schema_validate(doc, "query", query_roots, e) == -1)
		goto done;
	st = ENVELOPE_ST_BAD_SIGNATURE;
	memset(&di, 0, sizeof(di));
	if (info != NULL)
		memset(info, 0, sizeof(*info));
	if (verifier_check(v, doc, DOC_QUERY, now, &di, e) == -1) {
		if (e != NULL && e->code == ERR_TRUST)
			st = ENVELOPE_ST_FORBIDDEN;
		goto done;
	}
	/* From here on, values of the verified document only; a refusal
	 * from here on can be signed and addressed to the signer. */
	if (info != NULL)
		*info = di;
	if (EVP_Digest(bytes, len, digest, NULL, EVP_sha256(), NULL) != 1) {
		st = ENVELOPE_ST_ERROR;
		err_set(e, ERR_INTERNAL, "query: SHA-256 failed");
		goto done;
	}
	st = ENVELOPE_ST_BAD_REQUEST;
	if (query_read(xmlDocGetRootElement(doc), &q, e) == -1)
		goto done;
	st = ENVELOPE_ST_FORBIDDEN;
	if (query_who(v, &di, &q, tls_peer_member, e) == -1)
		goto done;
	st = ENVELOPE_ST_EXPIRED;
	if (query_when(&q, now, e) == -1)
		goto done;
	st = ENVELOPE_ST_OK;
	rc = 0;
done:
	q.refusal = (int)st;
	memcpy(q.digest, digest, sizeof(q.digest));
	if (out != NULL) {
		if (rc == 0)
			*out = q;
		else {
			out->refusal = (int)st;
			memcpy(out->digest, q.digest, sizeof(out->digest));
		}
	}
	return rc;
}

/* --- Response ------------------------------------------------------------- */

/*
 * A Response's Id: this thread's counter, started at 64 random bits the
 * first time.  An Id only has to be one no other Response of ours carries;
 * it is no secret (the signature covers the whole document, URI="").
 * Drawing 8 random bytes for every answer cost a fiftieth of a region's
 * CPU per answer (OpenSSL's DRBG set up its cipher on each call).
 */
static int
response_id(char *id, size_t len)
{
	static __thread uint64_t next;
	static __thread int seeded;
	unsigned char b[8];
	char hex[17];
	uint64_t v;
	int i;

	if (!seeded) {
		if (RAND_bytes((unsigned char *)&next, sizeof(next)) != 1)
			return -1;
		seeded = 1;
	}
	v = next++;
	for (i = 7; i >= 0; i--, v >>= 8)
		b[i] = (unsigned char)(v & 0xff);
	hex_of(b, sizeof(b), hex);
	snprintf(id, len, "R-%s", hex);
	return 0;
}

/* The Response without its results: To, QueryDigest, From, Status and,
 * when results is not NULL, an empty Results element there. */
static xmlDocPtr
response_build(const char *to, const unsigned char digest[32],
    const char *from, enum envelope_status st, const char *reason,
    xmlNodePtr *results, struct err *e)
{
	char hex[65], id[ID_MAX + 1];
	xmlDocPtr doc = NULL;
	xmlNodePtr root, n;
	struct mw w = { 0 };

	if (to == NULL || digest == NULL || from == NULL ||
	    envelope_status_token(st) == NULL) {
		err_set(e, ERR_USAGE, "response: missing or unknown argument");
		return NULL;
	}
	if (response_id(id, sizeof(id)) == -1) {
		err_set(e, ERR_INTERNAL, "response: no random bytes for the "
		    "Id");
		return NULL;
	}
	if ((doc = xmlNewDoc((const xmlChar *)"1.0")) == NULL) {
		err_set(e, ERR_NOMEM, "response: out of memory");
		return NULL;
	}
	root = mw_root(&w, doc, NULL, "Response");
	mw_attr(&w, root, "Id", id);
	mw_elem(&w, root, "To", to);
	hex_of(digest, 32, hex);
	mw_elem(&w, root, "QueryDigest", hex);
	mw_elem(&w, root, "From", from);
	n = mw_elem(&w, root, "Status", reason != NULL && *reason != '\0' ?
	    reason : NULL);
	mw_attr(&w, n, "code", envelope_status_token(st));
	if (results != NULL)
		*results = mw_root(&w, doc, root, "Results");
	if (mw_finish(&w, doc, root, "response", e) == NULL) {
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

xmlDocPtr
envelope_response_new(const char *to, const unsigned char digest[32],
    const char *from, enum envelope_status st, const char *reason,
    xmlNodePtr results, struct err *e)
{
	xmlDocPtr doc;
	xmlNodePtr res = NULL, copy = NULL;

	if (results != NULL && (results->type != XML_ELEMENT_NODE ||
	    (!xml_is(results, "PlacementResults") &&
	    !xml_is(results, "StatisticsResults") &&
	    !xml_is(results, "SupervisionResults")))) {
		err_set(e, ERR_USAGE, "response: results must be a "
		    "PlacementResults, StatisticsResults or SupervisionResults "
		    "element in %s", LASTERI_NS);
		return NULL;
	}
	if ((doc = response_build(to, digest, from, st, reason,
	    results != NULL ? &res : NULL, e)) == NULL || results == NULL)
		return doc;
	/* Then drop the declarations the copy brought that Results' scope
	 * already makes (its own xmlns="urn:lasteri:1"). */
	if (xmlDOMWrapCloneNode(NULL, results->doc, results, &copy, doc, res,
	    1, 0) != 0 || copy == NULL)
		goto fail;
	if (xmlAddChild(res, copy) == NULL) {
		xmlFreeNode(copy);
		goto fail;
	}
	if (xmlDOMWrapReconcileNamespaces(NULL, copy,
	    DOM_REMOVE_REDUNDANT) != 0)
		goto fail;
	return doc;
fail:
	xmlFreeDoc(doc);
	err_set(e, ERR_NOMEM, "response: out of memory");
	return NULL;
}

xmlDocPtr
envelope_response_ok_new(const char *to, const unsigned char digest[32],
    const char *from, xmlNodePtr *results, struct err *e)
{
	if (results == NULL) {
		err_set(e, ERR_USAGE, "response: missing argument");
		return NULL;
	}
	*results = NULL;
	return response_build(to, digest, from, ENVELOPE_ST_OK, NULL, results,
	    e);
}

static int
rd_to(xmlNodePtr c, void *o, struct err *e)
{
	struct envelope_response *r = o;

	return mi_token(c, r->to, sizeof(r->to), e);
}

static int
rd_digest(xmlNodePtr c, void *o, struct err *e)
{
	struct envelope_response *r = o;
	char hex[80];

	if (mi_token(c, hex, sizeof(hex), e) == -1)
		return -1;
	if (unhex32(hex, r->query_digest) == -1)
		return mi_fail(e, c, "not 64 lower-case hex digits");
	return 0;
}

static int
rd_rfrom(xmlNodePtr c, void *o, struct err *e)
{
	struct envelope_response *r = o;

	return mi_token(c, r->from, sizeof(r->from), e);
}

static int
rd_status(xmlNodePtr c, void *o, struct err *e)
{
	struct envelope_response *r = o;
	char code[32];
	int st;

	if (mi_attr(c, "code", code, sizeof(code), 1, e) == -1)
		return -1;
	if ((st = envelope_status_find(code)) < 0)
		return mi_fail(e, c, "unknown status code \"%s\"", code);
	r->status = (enum envelope_status)st;
	return mi_text(c, r->reason, sizeof(r->reason), e);
}

static int
rd_results(xmlNodePtr c, void *o, struct err *e)
{
	struct envelope_response *r = o;

	if ((r->results = xml_first_elem(c)) == NULL ||
	    xml_next_elem(r->results) != NULL)
		return mi_fail(e, c, "exactly one result element is needed");
	return 0;
}

static const struct mi_field response_fields[] = {
	{ "To", 1, 1, rd_to },
	{ "QueryDigest", 1, 1, rd_digest },
	{ "From", 1, 1, rd_rfrom },
	{ "Status", 1, 1, rd_status },
	{ "Results", 0, 1, rd_results },
};

/* A Response that verified but is not the answer asked for: the fan-out's
 * "error" with the detail. */
static int
not_the_answer(struct err *e)
{
	if (e != NULL)
		e->code = ERR_INTERNAL;
	return -1;
}

int
envelope_response_check(struct verifier *v, xmlDocPtr doc,
    const char *asked_member, const unsigned char query_digest[32],
    const char *self_member, time_t now, struct envelope_response *out,
    struct err *e)
{
	struct envelope_response r;
	const struct trust_member *m;
	char want[65], have[65];
	xmlChar *id;

	if (v == NULL || doc == NULL || asked_member == NULL ||
	    query_digest == NULL || self_member == NULL || out == NULL)
		return err_set(e, ERR_USAGE, "response check: missing "
		    "argument");
	memset(&r, 0, sizeof(r));
	/* Who signed it comes first: an answer from anyone but the member
	 * asked is a bad signature, whatever it says. */
	if (verifier_check(v, doc, DOC_RESPONSE, now, &r.info, e) == -1) {
		if (e != NULL)
			e->code = ERR_SIGNATURE;
		return -1;
	}
	if (strcmp(r.info.member_id, asked_member) != 0)
		return err_set(e, ERR_SIGNATURE, "response signed by member "
		    "%s, not by the member asked (%s)", r.info.member_id,
		    asked_member);
	m = trust_member_by_id(verifier_trust_list(v), r.info.member_id);
	if (m == NULL || (m->roles & TRUST_ROLE_REGION) == 0)
		return err_set(e, ERR_SIGNATURE, "response signed by member "
		    "%s, which has no region role", r.info.member_id);
	if (schema_validate(doc, "response", response_roots, e) == -1 ||
	    mi_read_children(xmlDocGetRootElement(doc), response_fields,
	    (int)(sizeof(response_fields) / sizeof(response_fields[0])), 1,
	    &r, e) == -1)
		return not_the_answer(e);
	if (memcmp(r.query_digest, query_digest, 32) != 0) {
		hex_of(query_digest, 32, want);
		hex_of(r.query_digest, 32, have);
		return err_set(e, ERR_INTERNAL, "wrong query digest: member %s "
		    "answered query sha256 %.16s..., not this query %.16s...",
		    asked_member, have, want);
	}
	if (strcmp(r.from, asked_member) != 0)
		return err_set(e, ERR_INTERNAL, "wrong member: the response "
		    "says it is from %s, the member asked is %s", r.from,
		    asked_member);
	if (strcmp(r.to, self_member) != 0)
		return err_set(e, ERR_INTERNAL, "wrong member: the response "
		    "is to %s, not to us (%s)", r.to, self_member);
	if (r.status == ENVELOPE_ST_OK && r.results == NULL)
		return err_set(e, ERR_INTERNAL, "response from %s is ok but "
		    "has no Results", asked_member);
	id = xmlGetNoNsProp(xmlDocGetRootElement(doc), (const xmlChar *)"Id");
	snprintf(r.id, sizeof(r.id), "%s", id != NULL ? (const char *)id : "");
	xmlFree(id);
	*out = r;
	return 0;
}
