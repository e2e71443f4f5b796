/*
 * trust_index.c - the sorted indexes of a loaded trust list and the lookups
 * through them (see trust.h, trust_internal.h).  Every index is built once,
 * on the loading thread, before the list is shared; lookups are bisections
 * over immutable arrays, safe from any thread.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trust.h"
#include "trust_internal.h"

enum tl_key { K_ID, K_CODE };

/* --- lookups ---------------------------------------------------------------- */

static int
key_cmp(const struct trust_member *m, enum tl_key k, const void *key)
{
	if (k == K_ID)
		return strcmp(m->id, key);
	return strcmp(m->code, key);
}

static const struct trust_member *
lookup(const struct trust_list *tl, enum tl_key k, const void *key)
{
	const int *idx;
	int lo = 0, hi, mid, c;

	if (tl == NULL || key == NULL)
		return NULL;
	idx = k == K_ID ? tl->by_id : tl->by_code;
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

int
trust_cert_in_use(const struct trust_cert *c, time_t t)
{
	if (c->not_before != 0 && t < c->not_before)
		return 0;
	if (c->not_after != 0 && t >= c->not_after)
		return 0;
	return 1;
}

/* The first entry of ents (sorted) with fingerprint fpr, or -1. */
static int
fpr_first(const struct fpr_ent *ents, int n, const unsigned char fpr[32])
{
	int lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (memcmp(ents[mid].fpr, fpr, 32) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && memcmp(ents[lo].fpr, fpr, 32) == 0 ? lo : -1;
}

/* tls: 1 for the TLS certificates, 0 for the signing ones; any_time: the
 * window is not looked at. */
static const struct trust_member *
fpr_lookup(const struct trust_list *tl, int tls, const unsigned char fpr[32],
    int any_time, time_t t)
{
	const struct fpr_ent *ents;
	const struct trust_member *m;
	const struct trust_cert *c;
	int i, n;

	if (tl == NULL || fpr == NULL)
		return NULL;
	ents = tls ? tl->by_tls : tl->by_sign;
	n = tls ? tl->ntls : tl->nsign;
	if ((i = fpr_first(ents, n, fpr)) == -1)
		return NULL;
	for (; i < n && memcmp(ents[i].fpr, fpr, 32) == 0; i++) {
		m = &tl->m[ents[i].member];
		c = tls ? &m->tls[ents[i].slot] : &m->sign[ents[i].slot];
		if (any_time || trust_cert_in_use(c, t))
			return m;
	}
	return NULL;
}

const struct trust_member *
trust_member_by_tls_fpr(const struct trust_list *tl,
    const unsigned char fpr[32])
{
	return fpr_lookup(tl, 1, fpr, 1, 0);
}

const struct trust_member *
trust_member_by_sign_fpr(const struct trust_list *tl,
    const unsigned char fpr[32])
{
	return fpr_lookup(tl, 0, fpr, 1, 0);
}

const struct trust_member *
trust_member_by_tls_fpr_at(const struct trust_list *tl,
    const unsigned char fpr[32], time_t t)
{
	return fpr_lookup(tl, 1, fpr, 0, t);
}

const struct trust_member *
trust_member_by_sign_fpr_at(const struct trust_list *tl,
    const unsigned char fpr[32], time_t t)
{
	return fpr_lookup(tl, 0, fpr, 0, t);
}

const struct trust_member *
trust_member_by_issuer(const struct trust_list *tl, const char *issuer)
{
	int lo = 0, hi, mid, c;

	if (tl == NULL || issuer == NULL)
		return NULL;
	hi = tl->nissuers - 1;
	while (lo <= hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(tl->by_issuer[mid].code, issuer);
		if (c == 0)
			return &tl->m[tl->by_issuer[mid].member];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

int
trust_member_may_issue(const struct trust_member *m, const char *issuer)
{
	int i;

	if (m == NULL || issuer == NULL)
		return 0;
	for (i = 0; i < m->nissuers; i++)
		if (strcmp(m->issuers[i], issuer) == 0)
			return 1;
	return 0;
}

void
trust_issuers_format(const struct trust_member *m, char *buf, size_t len)
{
	size_t off = 0;
	int i, n;

	if (len == 0)
		return;
	snprintf(buf, len, "none");
	if (m == NULL || m->nissuers == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < m->nissuers; i++) {
		n = snprintf(buf + off, len - off, "%s%s", off ? "," : "",
		    m->issuers[i]);
		if (n < 0 || (size_t)n >= len - off) {
			buf[off] = '\0';	/* whole codes only */
			return;
		}
		off += (size_t)n;
	}
}

/* --- building the index --------------------------------------------------- */

/* qsort has no context argument; the list being sorted is passed here.  The
 * index is built before the list is shared, on the loading thread only. */
static _Thread_local const struct trust_list *sort_tl;
static _Thread_local enum tl_key sort_key;

static int
sort_cmp(const void *a, const void *b)
{
	const struct trust_member *ma = &sort_tl->m[*(const int *)a];
	const struct trust_member *mb = &sort_tl->m[*(const int *)b];

	return key_cmp(ma, sort_key, sort_key == K_ID ? mb->id : mb->code);
}

/* Sort the index for k and refuse duplicates (an ID or a code listed twice
 * would make a lookup ambiguous). */
static int
build_index(struct trust_list *tl, enum tl_key k, int **out, const char *name,
    struct err *e)
{
	const struct trust_member *a, *b;
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
	for (i = 1; i < tl->n; i++) {
		a = &tl->m[idx[i - 1]];
		b = &tl->m[idx[i]];
		if (key_cmp(a, k, k == K_ID ? b->id : b->code) == 0)
			return err_set(e, ERR_SCHEMA,
			    "%s: members %s and %s have the same %s", name,
			    a->code, b->code, k == K_ID ? "member ID" :
			    "member code");
	}
	return 0;
}

static int
fpr_ent_cmp(const void *a, const void *b)
{
	const struct fpr_ent *x = a, *y = b;
	int c;

	if ((c = memcmp(x->fpr, y->fpr, 32)) != 0)
		return c;
	if (x->member != y->member)
		return x->member < y->member ? -1 : 1;
	return x->slot < y->slot ? -1 : x->slot > y->slot;
}

/* Every listed certificate of one kind, sorted; a fingerprint listed for
 * two members is refused (a lookup would not know whose it is). */
static int
build_fpr_index(struct trust_list *tl, int tls, const char *name,
    struct err *e)
{
	struct fpr_ent *ents;
	const struct trust_member *m;
	int i, j, n = 0, total = 0;

	for (i = 0; i < tl->n; i++)
		total += tls ? tl->m[i].ntls : tl->m[i].nsign;
	if ((ents = calloc((size_t)total + 1, sizeof(*ents))) == NULL)
		return err_set(e, ERR_NOMEM, "%s: out of memory", name);
	for (i = 0; i < tl->n; i++) {
		m = &tl->m[i];
		for (j = 0; j < (tls ? m->ntls : m->nsign); j++) {
			memcpy(ents[n].fpr, tls ? m->tls[j].fpr :
			    m->sign[j].fpr, 32);
			ents[n].member = i;
			ents[n].slot = j;
			n++;
		}
	}
	qsort(ents, (size_t)n, sizeof(*ents), fpr_ent_cmp);
	if (tls) {
		tl->by_tls = ents;
		tl->ntls = n;
	} else {
		tl->by_sign = ents;
		tl->nsign = n;
	}
	for (i = 1; i < n; i++)
		if (memcmp(ents[i - 1].fpr, ents[i].fpr, 32) == 0 &&
		    ents[i - 1].member != ents[i].member)
			return err_set(e, ERR_SCHEMA,
			    "%s: members %s and %s have the same %s", name,
			    tl->m[ents[i - 1].member].code,
			    tl->m[ents[i].member].code, tls ?
			    "TLS certificate fingerprint" :
			    "signing certificate fingerprint");
	return 0;
}

static int
issuer_ent_cmp(const void *a, const void *b)
{
	const struct issuer_ent *x = a, *y = b;
	int c;

	if ((c = strcmp(x->code, y->code)) != 0)
		return c;
	return x->member < y->member ? -1 : x->member > y->member;
}

/* Every issuer code, sorted; one code belongs to one member. */
static int
build_issuer_index(struct trust_list *tl, const char *name, struct err *e)
{
	struct issuer_ent *ents;
	int i, j, n = 0, total = 0;

	for (i = 0; i < tl->n; i++)
		total += tl->m[i].nissuers;
	if ((ents = calloc((size_t)total + 1, sizeof(*ents))) == NULL)
		return err_set(e, ERR_NOMEM, "%s: out of memory", name);
	for (i = 0; i < tl->n; i++)
		for (j = 0; j < tl->m[i].nissuers; j++) {
			ents[n].code = tl->m[i].issuers[j];
			ents[n].member = i;
			n++;
		}
	qsort(ents, (size_t)n, sizeof(*ents), issuer_ent_cmp);
	tl->by_issuer = ents;
	tl->nissuers = n;
	for (i = 1; i < n; i++) {
		if (strcmp(ents[i - 1].code, ents[i].code) != 0)
			continue;
		if (ents[i - 1].member == ents[i].member)
			return err_set(e, ERR_SCHEMA, "%s: member %s lists the "
			    "issuer code %s twice", name,
			    tl->m[ents[i].member].code, ents[i].code);
		return err_set(e, ERR_SCHEMA, "%s: members %s and %s have the "
		    "same issuer code %s", name,
		    tl->m[ents[i - 1].member].code,
		    tl->m[ents[i].member].code, ents[i].code);
	}
	return 0;
}

int
trust_index_build(struct trust_list *tl, const char *name, struct err *e)
{
	if (build_index(tl, K_ID, &tl->by_id, name, e) == -1 ||
	    build_index(tl, K_CODE, &tl->by_code, name, e) == -1 ||
	    build_fpr_index(tl, 1, name, e) == -1 ||
	    build_fpr_index(tl, 0, name, e) == -1 ||
	    build_issuer_index(tl, name, e) == -1)
		return -1;
	return 0;
}
