/*
 * verifier.c - signed documents checked against the trust list (see
 * verifier.h): the key source dsig_verify_with() asks for the signer's key,
 * the cache of checked signers, and the record's issuer binding.
 *
 * Checked signers are cached by the SHA-256 of their DER bytes with their
 * key and X.509 validity; a hit still checks the validity at signedAt (and
 * now, for a live kind), the listing's window and the member's roles, so a
 * cache entry only saves the decoding and the path check.  The cache belongs
 * to one trust list: a refresh makes a new verifier.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "dsig.h"
#include "model.h"
#include "trust.h"
#include "verifier.h"
#include "x509.h"

#define CACHE_MAX	256

struct cache_ent {
	unsigned char	 fpr[32];
	EVP_PKEY	*pkey;
	time_t		 not_before, not_after;
	char		 subject[128];
};

struct verifier {
	struct trust_list *tl;
	int		 refs;		/* verifier_ref(); under mu */
	pthread_mutex_t	 mu;		/* guards the cache and refs */
	struct cache_ent ent[CACHE_MAX];
	int		 n, next;
};

/* One verifier_check(): what the key source needs and what it found. */
struct check {
	struct verifier			*v;
	time_t				 now;
	const struct trust_member	*m;	/* the signer member */
};

struct verifier *
verifier_new(struct trust_list *tl, struct err *e)
{
	struct verifier *v;

	if (dsig_init(e) == -1)
		return NULL;
	if (tl == NULL) {
		err_set(e, ERR_USAGE, "verifier: no trust list");
		return NULL;
	}
	if ((v = calloc(1, sizeof(*v))) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	if (pthread_mutex_init(&v->mu, NULL) != 0) {
		free(v);
		err_set(e, ERR_INTERNAL, "pthread_mutex_init failed");
		return NULL;
	}
	v->tl = trust_ref(tl);
	v->refs = 1;
	return v;
}

struct verifier *
verifier_ref(struct verifier *v)
{
	if (v != NULL) {
		pthread_mutex_lock(&v->mu);
		v->refs++;
		pthread_mutex_unlock(&v->mu);
	}
	return v;
}

void
verifier_free(struct verifier *v)
{
	int i, last;

	if (v == NULL)
		return;
	pthread_mutex_lock(&v->mu);
	last = --v->refs == 0;
	pthread_mutex_unlock(&v->mu);
	if (!last)
		return;
	for (i = 0; i < v->n; i++)
		EVP_PKEY_free(v->ent[i].pkey);
	pthread_mutex_destroy(&v->mu);
	trust_unref(v->tl);
	free(v);
}

const struct trust_list *
verifier_trust_list(const struct verifier *v)
{
	return v != NULL ? v->tl : NULL;
}

/* Records, checkpoints and national answers (proofs kept for later) are
 * judged at their signedAt only. */
static int
kind_is_historical(enum doc_kind k)
{
	return k == DOC_RECORD || k == DOC_CHECKPOINT || k == DOC_NATIONAL;
}

/* --- the cache of checked signers ------------------------------------------ */

/* A cached, already checked signer: its key (one reference) and validity. */
static EVP_PKEY *
cache_get(struct verifier *v, const unsigned char fpr[32],
    struct cache_ent *copy)
{
	EVP_PKEY *pk = NULL;
	int i;

	pthread_mutex_lock(&v->mu);
	for (i = 0; i < v->n; i++) {
		if (memcmp(v->ent[i].fpr, fpr, 32) != 0)
			continue;
		if (EVP_PKEY_up_ref(v->ent[i].pkey) == 1) {
			pk = v->ent[i].pkey;
			*copy = v->ent[i];
		}
		break;
	}
	pthread_mutex_unlock(&v->mu);
	return pk;
}

static void
cache_put(struct verifier *v, const struct cache_ent *ent)
{
	struct cache_ent *slot;
	int i;

	pthread_mutex_lock(&v->mu);
	for (i = 0; i < v->n; i++)
		if (memcmp(v->ent[i].fpr, ent->fpr, 32) == 0)
			goto out;	/* another thread was first */
	if (EVP_PKEY_up_ref(ent->pkey) != 1)
		goto out;
	if (v->n < CACHE_MAX) {
		slot = &v->ent[v->n++];
	} else {
		slot = &v->ent[v->next];
		v->next = (v->next + 1) % CACHE_MAX;
		EVP_PKEY_free(slot->pkey);
	}
	*slot = *ent;
out:
	pthread_mutex_unlock(&v->mu);
}

/* The X.509 validity of a cached signer at t ("at signedAt" or "now"). */
static int
validity_at(const struct cache_ent *ent, time_t t, const char *when,
    struct err *e)
{
	char ts[32];

	model_datetime_format(t, ts);
	if (t > ent->not_after)
		return err_set(e, ERR_TRUST, "signer certificate expired (%s; "
		    "%s %s)", ent->subject, when, ts);
	if (t < ent->not_before)
		return err_set(e, ERR_TRUST, "signer certificate not yet valid "
		    "(%s; %s %s)", ent->subject, when, ts);
	return 0;
}

/* The signer's key, from the cache or after the full policy check at
 * signedAt (path, not a CA, digitalSignature, validity). */
static EVP_PKEY *
signer_key(struct verifier *v, const struct dsig_signer *s, time_t now,
    struct err *e)
{
	struct cache_ent ent;
	const unsigned char *p = s->der;
	EVP_PKEY *pk;
	X509 *x = NULL;

	if ((pk = cache_get(v, s->fpr, &ent)) == NULL) {
		if ((x = d2i_X509(NULL, &p, (long)s->der_len)) == NULL ||
		    p != s->der + s->der_len) {
			err_set(e, ERR_SIGNATURE, "X509Certificate is not a DER "
			    "certificate");
			goto fail;
		}
		if (x509_check_signer(x, trust_cas(v->tl), s->signed_at,
		    e) == -1)
			goto fail;
		/* A live document's signer must hold now as well. */
		if (!kind_is_historical(s->kind) && s->signed_at != now &&
		    x509_check_signer(x, trust_cas(v->tl), now, e) == -1)
			goto fail;
		memset(&ent, 0, sizeof(ent));
		memcpy(ent.fpr, s->fpr, 32);
		x509_subject(x, ent.subject, sizeof(ent.subject));
		if (x509_validity(x, &ent.not_before, &ent.not_after) == -1 ||
		    (pk = X509_get_pubkey(x)) == NULL) {
			err_set(e, ERR_SIGNATURE, "cannot read the signer's "
			    "key");
			goto fail;
		}
		ent.pkey = pk;
		cache_put(v, &ent);
		X509_free(x);
		x = NULL;
	}
	if (validity_at(&ent, s->signed_at, "signedAt", e) == -1)
		goto fail;
	if (!kind_is_historical(s->kind) &&
	    validity_at(&ent, now, "now", e) == -1)
		goto fail;
	return pk;
fail:
	ERR_clear_error();
	EVP_PKEY_free(pk);
	X509_free(x);
	return NULL;
}

/* "from T" / "until T" of a listing, for messages. */
static void
window_format(const struct trust_cert *c, char *buf, size_t len)
{
	char a[32] = "", b[32] = "";

	if (c->not_before != 0)
		model_datetime_format(c->not_before, a);
	if (c->not_after != 0)
		model_datetime_format(c->not_after, b);
	snprintf(buf, len, "%s%s%s%s%s", a[0] ? "from " : "", a,
	    a[0] && b[0] ? " " : "", b[0] ? "until " : "", b);
	if (buf[0] == '\0')
		snprintf(buf, len, "open");
}

/* The listing window(s) of fpr for m, for messages ("from X until Y"). */
static void
windows_of(const struct trust_member *m, const unsigned char fpr[32],
    char *buf, size_t len)
{
	char w[80];
	size_t off = 0;
	int i, n;

	buf[0] = '\0';
	for (i = 0; i < m->nsign; i++) {
		if (memcmp(m->sign[i].fpr, fpr, 32) != 0)
			continue;
		window_format(&m->sign[i], w, sizeof(w));
		n = snprintf(buf + off, len - off, "%s%s", off ? "; " : "", w);
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
}

/* dsig_key_fn: the trust list's policy for a signer. */
static EVP_PKEY *
listed_key(void *arg, const struct dsig_signer *s, struct err *e)
{
	struct check *c = arg;
	const struct trust_member *m;
	char hex[X509_FPR_HEX], roles[96], t1[32], t2[32], win[200];
	EVP_PKEY *pk;

	if (s->signed_at > c->now + VERIFIER_CLOCK_SKEW) {
		model_datetime_format(s->signed_at, t1);
		model_datetime_format(c->now, t2);
		err_set(e, ERR_TRUST, "signedAt %s is in the future (now %s; "
		    "at most %d seconds ahead are allowed)", t1, t2,
		    VERIFIER_CLOCK_SKEW);
		return NULL;
	}
	if ((pk = signer_key(c->v, s, c->now, e)) == NULL)
		return NULL;
	x509_fpr_hex(s->fpr, hex);
	if ((m = trust_member_by_sign_fpr(c->v->tl, s->fpr)) == NULL) {
		err_set(e, ERR_TRUST, "signer not in the trust list "
		    "(signing certificate sha256 %s)", hex);
		goto fail;
	}
	if (trust_member_by_sign_fpr_at(c->v->tl, s->fpr, s->signed_at) !=
	    m) {
		model_datetime_format(s->signed_at, t1);
		windows_of(m, s->fpr, win, sizeof(win));
		err_set(e, ERR_TRUST, "signing certificate sha256 %s of member "
		    "%s was not in use at signedAt %s (listed %s)", hex, m->id,
		    t1, win);
		goto fail;
	}
	if (!kind_is_historical(s->kind) &&
	    trust_member_by_sign_fpr_at(c->v->tl, s->fpr, c->now) != m) {
		windows_of(m, s->fpr, win, sizeof(win));
		err_set(e, ERR_TRUST, "signing certificate sha256 %s of member "
		    "%s is not in use now (listed %s)", hex, m->id, win);
		goto fail;
	}
	if ((m->roles & trust_roles_for_kind(s->kind)) == 0) {
		trust_roles_format(m->roles, roles, sizeof(roles));
		err_set(e, ERR_TRUST, "member %s (roles %s) may not sign a %s",
		    m->id, roles, dsig_kind_root(s->kind));
		goto fail;
	}
	c->m = m;
	return pk;
fail:
	EVP_PKEY_free(pk);
	return NULL;
}

/* --- checks ----------------------------------------------------------------- */

static int
check_doc(struct verifier *v, xmlDocPtr doc, enum doc_kind expected,
    time_t now, struct dsig_info *out, const struct trust_member **signer,
    struct err *e)
{
	struct check c;
	struct dsig_info info;

	if (v == NULL)
		return err_set(e, ERR_USAGE, "verifier: no verifier");
	memset(&c, 0, sizeof(c));
	c.v = v;
	c.now = now;
	if (dsig_verify_with(doc, expected, listed_key, &c, &info, e) == -1)
		return -1;
	snprintf(info.member_id, sizeof(info.member_id), "%s", c.m->id);
	snprintf(info.member_code, sizeof(info.member_code), "%s", c.m->code);
	if (out != NULL)
		*out = info;
	if (signer != NULL)
		*signer = c.m;
	return 0;
}

int
verifier_check(struct verifier *v, xmlDocPtr doc, enum doc_kind expected,
    time_t now, struct dsig_info *out, struct err *e)
{
	return check_doc(v, doc, expected, now, out, NULL, e);
}

int
verifier_record(struct verifier *v, xmlDocPtr doc, time_t now,
    struct supervision_record *rec, struct dsig_info *info, struct err *e)
{
	const struct trust_member *m = NULL;
	struct supervision_record r;
	struct dsig_info di;
	char codes[TRUST_MAX_ISSUERS * 18];

	if (rec == NULL)
		return err_set(e, ERR_USAGE, "verifier: no record to fill");
	if (check_doc(v, doc, DOC_RECORD, now, &di, &m, e) == -1)
		return -1;
	/* Values only from the verified document. */
	if (model_record_read(xmlDocGetRootElement(doc), &r, e) == -1 ||
	    model_record_check(&r, e) == -1)
		return -1;
	if (!trust_member_may_issue(m, r.issuer)) {
		trust_issuers_format(m, codes, sizeof(codes));
		return err_set(e, ERR_TRUST, "record %s: issuer %s is not one "
		    "of its signer's: member %s may sign for %s", r.id,
		    r.issuer, m->id, codes);
	}
	*rec = r;
	if (info != NULL)
		*info = di;
	return 0;
}
