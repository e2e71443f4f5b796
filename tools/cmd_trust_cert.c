/*
 * cmd_trust_cert.c - `lasteri trust cert-add|cert-retire`: rotate a member's
 * TLS or signing certificate in a trust list.
 *
 * A rotation edits the list as a document, so that everything else in it
 * stays as the operator wrote it: the operator's signature and signedAt
 * come off (the result is a draft), the sequence goes up by one, Issued
 * becomes now, and one member's TlsCertificate or SigningCertificate
 * listings change.  A member still in the first version's form is
 * rewritten in the new one (its certificates with open windows).  The draft
 * is loaded back as a node would (schema, one member per fingerprint,
 * windows) before it is written.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/tree.h>
#include <openssl/x509.h>

#include "cmd_trust.h"
#include "dsig.h"
#include "model.h"
#include "schema.h"
#include "trust.h"
#include "util.h"
#include "x509.h"
#include "xml.h"

const char trust_usage_cert_add[] =
    "lasteri trust cert-add --member CODE --kind tls|signing\n"
    "           (--cert CERT.pem | --sha256 HEX) [--not-before TIME]\n"
    "           [--not-after TIME] --out DRAFT LIST";
const char trust_usage_cert_retire[] =
    "lasteri trust cert-retire --member CODE --kind tls|signing\n"
    "           (--cert CERT.pem | --sha256 HEX) [--at TIME] --out DRAFT LIST";

struct cert_edit {
	int		 add;		/* cert-add, else cert-retire */
	const char	*member, *list, *outp;
	int		 tls;		/* the TLS kind, else signing */
	char		 sha[65];	/* lower-case hex */
	time_t		 nb, na, at;	/* 0: not given */
};

static int
time_opt(const char *opt, const char *s, time_t now, time_t *out)
{
	if (strcmp(s, "now") == 0) {
		*out = now;
		return 0;
	}
	if (model_datetime_parse(s, out) == -1) {
		warnx_("%s: '%s' is not a date and time "
		    "(2026-12-01T00:00:00Z) or now", opt, s);
		return -1;
	}
	return 0;
}

/* The whole text of n, or NULL (caller frees with xmlFree()). */
static char *
elem_text(xmlNodePtr n)
{
	struct err e;

	err_clear(&e);
	return xml_text(n, &e);
}

/* A time attribute of a listing (0 when absent or unreadable). */
static time_t
attr_time(xmlNodePtr n, const char *name)
{
	xmlChar *v;
	time_t t = 0;

	if ((v = xmlGetNoNsProp(n, (const xmlChar *)name)) == NULL)
		return 0;
	if (model_datetime_parse((const char *)v, &t) == -1)
		t = 0;
	xmlFree(v);
	return t;
}

static void
attr_set_time(xmlNodePtr n, const char *name, time_t t)
{
	char buf[32];

	model_datetime_format(t, buf);
	xmlSetProp(n, (const xmlChar *)name, (const xmlChar *)buf);
}

/* 1 when the listing n is of fingerprint sha (lower-case hex). */
static int
listing_is(xmlNodePtr n, const char *sha)
{
	xmlChar *v;
	int i, same = 1;

	if ((v = xmlGetNoNsProp(n, (const xmlChar *)"sha256")) == NULL)
		return 0;
	for (i = 0; i < 64; i++)
		if (v[i] == '\0' || tolower(v[i]) != sha[i]) {
			same = 0;
			break;
		}
	if (same && v[64] != '\0')
		same = 0;
	xmlFree(v);
	return same;
}

/* Window [nb, na) of listing n holds t. */
static int
listing_holds(xmlNodePtr n, time_t t)
{
	struct trust_cert c;

	memset(&c, 0, sizeof(c));
	c.not_before = attr_time(n, "notBefore");
	c.not_after = attr_time(n, "notAfter");
	return trust_cert_in_use(&c, t);
}

/* The first version's TlsCertificateSha256/SigningCertificateSha256 of
 * member mn as TlsCertificate/SigningCertificate with an open window. */
static int
member_upgrade(xmlNodePtr mn)
{
	xmlNodePtr n;
	char *hexs;

	for (n = xml_first_elem(mn); n != NULL; n = xml_next_elem(n)) {
		if (!xml_is(n, "TlsCertificateSha256") &&
		    !xml_is(n, "SigningCertificateSha256"))
			continue;
		if ((hexs = elem_text(n)) == NULL)
			return -1;
		xmlNodeSetName(n, xml_is(n, "TlsCertificateSha256") ?
		    (const xmlChar *)"TlsCertificate" :
		    (const xmlChar *)"SigningCertificate");
		xmlNodeSetContent(n, NULL);
		xmlSetProp(n, (const xmlChar *)"sha256", (const xmlChar *)hexs);
		xmlFree(hexs);
	}
	return 0;
}

/* The Member element whose Code is code, or NULL. */
static xmlNodePtr
member_find(xmlNodePtr root, const char *code)
{
	xmlNodePtr n, mn, c;
	char *t;
	int same;

	for (n = xml_first_elem(root); n != NULL; n = xml_next_elem(n)) {
		if (!xml_is(n, "Members"))
			continue;
		for (mn = xml_first_elem(n); mn != NULL;
		    mn = xml_next_elem(mn))
			for (c = xml_first_elem(mn); c != NULL;
			    c = xml_next_elem(c)) {
				if (!xml_is(c, "Code"))
					continue;
				if ((t = elem_text(c)) == NULL)
					return NULL;
				same = strcmp(t, code) == 0;
				xmlFree(t);
				if (same)
					return mn;
			}
	}
	return NULL;
}

/* Sequence + 1, Issued now, the Id that names the sequence follows it,
 * no signature.  Returns the new sequence or 0. */
static unsigned long long
draft_header(xmlDocPtr doc, time_t now)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), n, next, inst = NULL;
	unsigned long long seq = 0;
	char buf[128], old[128], *t, *end;
	xmlChar *id;

	for (n = root->children; n != NULL; n = next) {
		next = n->next;
		if (n->type == XML_ELEMENT_NODE && n->ns != NULL &&
		    strcmp((const char *)n->ns->href,
		    "http://www.w3.org/2000/09/xmldsig#") == 0) {
			xmlUnlinkNode(n);
			xmlFreeNode(n);
		}
	}
	xmlUnsetProp(root, (const xmlChar *)"signedAt");
	for (n = xml_first_elem(root); n != NULL; n = xml_next_elem(n)) {
		if (xml_is(n, "Instance"))
			inst = n;
		if (xml_is(n, "Sequence")) {
			if ((t = elem_text(n)) == NULL)
				return 0;
			errno = 0;
			seq = strtoull(t, &end, 10);
			if (*end != '\0' || errno != 0 || seq == ULLONG_MAX)
				seq = 0;
			xmlFree(t);
			if (seq == 0)
				return 0;
			snprintf(buf, sizeof(buf), "%llu", ++seq);
			xmlNodeSetContent(n, (const xmlChar *)buf);
		}
		if (xml_is(n, "Issued")) {
			model_datetime_format(now, buf);
			xmlNodeSetContent(n, (const xmlChar *)buf);
		}
	}
	if (inst != NULL && (t = elem_text(inst)) != NULL) {
		/* trust create's Id: trustlist-INSTANCE-SEQUENCE */
		snprintf(old, sizeof(old), "trustlist-%s-%llu", t, seq - 1);
		snprintf(buf, sizeof(buf), "trustlist-%s-%llu", t, seq);
		xmlFree(t);
		if ((id = xmlGetNoNsProp(root, (const xmlChar *)"Id")) != NULL &&
		    strcmp((const char *)id, old) == 0)
			xmlSetProp(root, (const xmlChar *)"Id",
			    (const xmlChar *)buf);
		xmlFree(id);
	}
	return seq;
}

/* cert-add: a new listing of ce->sha after the member's last one of its
 * kind, in use from ce->nb (now when not given) until ce->na. */
static int
cert_add(xmlNodePtr mn, const struct cert_edit *ce, const char *kind)
{
	xmlNodePtr n, last = NULL, nn, ws;
	int count = 0;

	for (n = xml_first_elem(mn); n != NULL; n = xml_next_elem(n)) {
		if (!xml_is(n, kind))
			continue;
		count++;
		last = n;
		if (listing_is(n, ce->sha)) {
			warnx_("cert-add: member %s already lists the %s "
			    "certificate %s (retire it with cert-retire, or "
			    "edit its window by hand)", ce->member,
			    ce->tls ? "TLS" : "signing", ce->sha);
			return -1;
		}
	}
	if (last == NULL) {
		warnx_("cert-add: member %s lists no %s", ce->member, kind);
		return -1;
	}
	if (count >= TRUST_MAX_CERTS) {
		warnx_("cert-add: member %s already lists %d %s certificates "
		    "(the most allowed); retire and remove an old one first",
		    ce->member, count, ce->tls ? "TLS" : "signing");
		return -1;
	}
	nn = xmlNewDocNode(mn->doc, last->ns, (const xmlChar *)kind, NULL);
	xmlSetProp(nn, (const xmlChar *)"sha256", (const xmlChar *)ce->sha);
	attr_set_time(nn, "notBefore", ce->nb);
	if (ce->na != 0)
		attr_set_time(nn, "notAfter", ce->na);
	xmlAddNextSibling(last, nn);
	/* the same indentation as the listing before it */
	if (last->prev != NULL && last->prev->type == XML_TEXT_NODE &&
	    (ws = xmlCopyNode(last->prev, 1)) != NULL)
		xmlAddPrevSibling(nn, ws);
	return 0;
}

/* cert-retire: the listing of ce->sha in use at ce->at ends there; another
 * certificate of the kind must be in use from then on. */
static int
cert_retire(xmlNodePtr mn, const struct cert_edit *ce, const char *kind)
{
	xmlNodePtr n, hit = NULL;
	char t[32];
	int other = 0, listed = 0;

	model_datetime_format(ce->at, t);
	for (n = xml_first_elem(mn); n != NULL; n = xml_next_elem(n)) {
		if (!xml_is(n, kind))
			continue;
		if (!listing_is(n, ce->sha)) {
			other |= listing_holds(n, ce->at);
			continue;
		}
		listed = 1;
		if (listing_holds(n, ce->at))
			hit = n;
	}
	if (hit == NULL) {
		warnx_("cert-retire: member %s %s the %s certificate %s%s%s",
		    ce->member, listed ? "does not use" : "does not list",
		    ce->tls ? "TLS" : "signing", ce->sha,
		    listed ? " at " : "", listed ? t : "");
		return -1;
	}
	if (!other) {
		warnx_("cert-retire: member %s would have no %s certificate in "
		    "use from %s; list its successor first (cert-add)",
		    ce->member, ce->tls ? "TLS" : "signing", t);
		return -1;
	}
	if (attr_time(hit, "notBefore") == ce->at) {
		warnx_("cert-retire: the certificate %s comes into use at %s; "
		    "a window that ends where it starts is empty", ce->sha, t);
		return -1;
	}
	attr_set_time(hit, "notAfter", ce->at);
	return 0;
}

int
trust_cert_edit(int argc, char **argv, int add)
{
	static const char *const roots[] = { "TrustList", NULL };
	const char *usage = add ? trust_usage_cert_add : trust_usage_cert_retire;
	const char *certf = NULL, *sha = NULL, *kind = NULL;
	struct cert_edit ce;
	struct trust_list *tl = NULL;
	unsigned long long seq;
	unsigned char fpr[32];
	xmlDocPtr doc = NULL;
	xmlNodePtr mn;
	X509 *x = NULL;
	struct err e;
	char *buf = NULL, t1[32], t2[32];
	size_t len;
	time_t now = time(NULL);
	int i, rc = 2;

	err_clear(&e);
	memset(&ce, 0, sizeof(ce));
	ce.add = add;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0)
			return util_usage(usage);
		if (argv[i][0] == '-' && argv[i][1] != '\0' && i + 1 >= argc) {
			warnx_("%s: '%s' needs a value or is unknown", argv[0],
			    argv[i]);
			return util_usage(usage);
		}
		if (strcmp(argv[i], "--member") == 0)
			ce.member = argv[++i];
		else if (strcmp(argv[i], "--kind") == 0)
			kind = argv[++i];
		else if (strcmp(argv[i], "--cert") == 0)
			certf = argv[++i];
		else if (strcmp(argv[i], "--sha256") == 0)
			sha = argv[++i];
		else if (strcmp(argv[i], "--out") == 0)
			ce.outp = argv[++i];
		else if (add && strcmp(argv[i], "--not-before") == 0) {
			if (time_opt("--not-before", argv[++i], now,
			    &ce.nb) == -1)
				return 2;
		} else if (add && strcmp(argv[i], "--not-after") == 0) {
			if (time_opt("--not-after", argv[++i], now,
			    &ce.na) == -1)
				return 2;
		} else if (!add && strcmp(argv[i], "--at") == 0) {
			if (time_opt("--at", argv[++i], now, &ce.at) == -1)
				return 2;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			warnx_("%s: unknown option '%s'", argv[0], argv[i]);
			return util_usage(usage);
		} else if (ce.list == NULL)
			ce.list = argv[i];
		else
			return util_usage(usage);
	}
	if (ce.member == NULL || kind == NULL || ce.outp == NULL ||
	    ce.list == NULL || (certf == NULL) == (sha == NULL)) {
		warnx_("%s: --member, --kind, --out, the list and one of "
		    "--cert or --sha256 are required", argv[0]);
		return util_usage(usage);
	}
	if (strcmp(kind, "tls") == 0)
		ce.tls = 1;
	else if (strcmp(kind, "signing") != 0) {
		warnx_("%s: --kind: '%s' is not tls or signing", argv[0], kind);
		return 2;
	}
	if (ce.nb == 0)
		ce.nb = now;
	if (ce.at == 0)
		ce.at = now;
	if (ce.na != 0 && ce.na <= ce.nb) {
		warnx_("%s: --not-after is not after --not-before", argv[0]);
		return 2;
	}
	xml_init();
	if (dsig_init(&e) == -1)
		goto fail;
	/* The list as it stands, for its CAs and to know it loads. */
	if (trust_load_flags(ce.list, NULL, NULL, now, TRUST_F_NO_SIGNATURE |
	    TRUST_F_NO_EXPIRY, &tl, &e) == -1)
		goto fail;
	if (certf != NULL) {
		if ((x = x509_load_pem(certf, &e)) == NULL)
			goto fail;
		if (x509_fingerprint(x, fpr) == -1) {
			warnx_("%s: cannot hash the certificate", certf);
			goto done;
		}
		/* A new certificate must be usable where it is listed. */
		if (add && (ce.tls ? x509_verify_path(x, trust_cas(tl), NULL,
		    ce.nb, "certificate", &e) : x509_check_signer(x,
		    trust_cas(tl), ce.nb, &e)) == -1) {
			err_prefix(&e, "%s", certf);
			goto fail;
		}
	} else if (x509_fpr_parse(sha, fpr) == -1) {
		warnx_("%s: --sha256: '%s' is not a SHA-256 in hex", argv[0],
		    sha);
		goto done;
	}
	x509_fpr_hex(fpr, ce.sha);
	if ((doc = xml_read_file(ce.list, &xml_limits_import, &e)) == NULL ||
	    schema_validate(doc, ce.list, roots, &e) == -1)
		goto fail;
	if ((mn = member_find(xmlDocGetRootElement(doc), ce.member)) == NULL) {
		warnx_("%s: no member with the code %s", ce.list, ce.member);
		goto done;
	}
	if ((seq = draft_header(doc, now)) == 0) {
		warnx_("%s: cannot read its Sequence", ce.list);
		goto done;
	}
	if (member_upgrade(mn) == -1)
		goto done;
	if ((add ? cert_add : cert_retire)(mn, &ce, ce.tls ? "TlsCertificate" :
	    "SigningCertificate") == -1)
		goto done;
	/* What a node will make of the draft once it is signed. */
	trust_unref(tl);
	tl = NULL;
	if (xml_serialize(doc, &buf, &len, &e) == -1 ||
	    trust_parse_flags(buf, len, ce.outp, NULL, NULL, now,
	    TRUST_F_NO_SIGNATURE | TRUST_F_NO_EXPIRY, &tl, &e) == -1)
		goto fail;
	if (util_write_atomic(ce.outp, buf, len, &e) == -1)
		goto fail;
	model_datetime_format(add ? ce.nb : ce.at, t1);
	t2[0] = '\0';
	if (add && ce.na != 0)
		model_datetime_format(ce.na, t2);
	fprintf(stderr, "%s: unsigned trust list sequence %llu: member %s's "
	    "%s certificate %s %s %s%s%s (sign it with 'lasteri trust "
	    "sign')\n", ce.outp, seq, ce.member, ce.tls ? "TLS" : "signing",
	    ce.sha, add ? "in use from" : "retired at", t1,
	    t2[0] ? " until " : "", t2);
	rc = 0;
	goto done;
fail:
	rc = util_report(&e);
done:
	xmlFree(buf);
	xmlFreeDoc(doc);
	X509_free(x);
	trust_unref(tl);
	return rc;
}
