/*
 * cmd_verify.c - `lasteri verify`: an auditor's offline check of signed
 * documents against a trust list.  Each file gets one line: OK with the
 * signer member, kind, ID and signing time, or FAILED with the rule that
 * failed.  The check is the one a node applies to what it receives (the
 * profile, the signature, the signer's path to the list's CAs, its listing
 * at the document's signedAt and its role for the kind).  A
 * SupervisionRecord is also read and checked as a record, and its Issuer
 * must be one its signer may sign for (verifier_record()); the line shows
 * the issuer beside the verified signer.
 *
 * The trust list itself is always verified against the operator's
 * certificate: --anchor, else the installed default (LASTERI_ANCHOR), else
 * nothing is verified (exit 2).  A list nobody vouches for proves nothing
 * about who signed a record.  An expired list is accepted with a warning,
 * because audits look at the past.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cmd.h"
#include "dsig.h"
#include "model.h"
#include "schema.h"
#include "trust.h"
#include "verifier.h"
#include "util.h"
#include "x509.h"
#include "xml.h"

#ifndef LASTERI_ANCHOR
#define LASTERI_ANCHOR	"/etc/lasteri/operator.crt"
#endif

static const char usage[] =
    "lasteri verify --trust TRUSTLIST [--anchor OPERATOR.crt] FILE...\n"
    "       (without --anchor: " LASTERI_ANCHOR ")";

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

/* A SupervisionRecord: the schema, the signature and the issuer binding.
 * 0 verified, 1 failed. */
static int
verify_record(struct verifier *v, xmlDocPtr doc, const char *path,
    time_t now)
{
	static const char *const roots[] = { "SupervisionRecord", NULL };
	struct supervision_record rec;
	struct dsig_info info;
	struct err e;
	char t[32];

	err_clear(&e);
	if (schema_validate(doc, path, roots, &e) == -1 ||
	    verifier_record(v, doc, now, &rec, &info, &e) == -1) {
		printf("%s: FAILED %s\n", path, util_msg_after(e.msg, path));
		return e.code == ERR_IO || e.code == ERR_NOMEM ? 2 : 1;
	}
	model_datetime_format(info.signed_at, t);
	printf("%s: OK signer=%s issuer=%s kind=%s id=%s signed=%s\n", path,
	    info.member_id, rec.issuer, dsig_kind_root(info.kind), info.doc_id,
	    t);
	return 0;
}

/* 0 verified, 1 failed, 2 could not be read. */
static int
verify_file(struct verifier *v, const char *path, time_t now)
{
	struct dsig_info info;
	xmlDocPtr doc;
	struct err e;
	char t[32];
	int rc;

	err_clear(&e);
	memset(&info, 0, sizeof(info));
	if ((doc = xml_read_file(path, &xml_limits_import, &e)) == NULL) {
		printf("%s: FAILED %s\n", path, util_msg_after(e.msg, path));
		/* a missing or unreadable file is an input error; a file
		 * that does not parse (a DTD, past a limit) is a "no" */
		return e.code == ERR_IO || e.code == ERR_USAGE ||
		    e.code == ERR_NOMEM ? 2 : 1;
	}
	if (dsig_kind_of(xmlDocGetRootElement(doc)) == DOC_RECORD)
		rc = verify_record(v, doc, path, now);
	else if (verifier_check(v, doc, DOC_ANY, now, &info, &e) == -1) {
		printf("%s: FAILED %s\n", path, util_msg_after(e.msg, path));
		rc = e.code == ERR_IO || e.code == ERR_NOMEM ? 2 : 1;
	} else {
		model_datetime_format(info.signed_at, t);
		printf("%s: OK signer=%s kind=%s id=%s signed=%s\n", path,
		    info.member_id, dsig_kind_root(info.kind), info.doc_id, t);
		rc = 0;
	}
	xmlFreeDoc(doc);
	return rc;
}

int
cmd_verify(int argc, char **argv)
{
	const char *trustf = NULL, *anchorf = NULL;
	struct verifier *v = NULL;
	struct trust_list *tl = NULL;
	X509 *anchor = NULL;
	struct err e;
	char t[32];
	time_t now = time(NULL);
	unsigned flags = TRUST_F_NO_EXPIRY;
	int i, first = 0, r, rc = 2;

	err_clear(&e);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return util_usage(usage);
		if (strcmp(argv[i], "--trust") == 0 && i + 1 < argc)
			trustf = argv[++i];
		else if (strcmp(argv[i], "--anchor") == 0 && i + 1 < argc)
			anchorf = argv[++i];
		else if (strcmp(argv[i], "--") == 0) {
			first = i + 1;
			break;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			warnx_("unknown option or missing value '%s'", argv[i]);
			return util_usage(usage);
		} else {
			first = i;
			break;
		}
	}
	if (trustf == NULL || first == 0 || first >= argc)
		return util_usage(usage);
	if (anchorf == NULL) {
		if (access(LASTERI_ANCHOR, F_OK) != 0) {
			warnx_("%s: no operator certificate to verify the trust "
			    "list with: give --anchor OPERATOR.crt (the default "
			    "%s does not exist); a record is not verified under "
			    "a list nobody vouches for", trustf, LASTERI_ANCHOR);
			return 2;
		}
		anchorf = LASTERI_ANCHOR;
	}
	if ((anchor = anchor_load(anchorf)) == NULL)
		return 2;
	xml_init();
	if (dsig_init(&e) == -1 ||
	    trust_load_flags(trustf, anchor, NULL, now, flags, &tl, &e) == -1) {
		rc = util_report(&e);
		goto done;
	}
	if (trust_expires(tl) <= now) {
		model_datetime_format(trust_expires(tl), t);
		warnx_("warning: %s: trust list sequence %llu expired at %s",
		    trustf, (unsigned long long)trust_sequence(tl), t);
	}
	if ((v = verifier_new(tl, &e)) == NULL) {
		rc = util_report(&e);
		goto done;
	}
	rc = 0;
	for (i = first; i < argc; i++) {
		r = verify_file(v, argv[i], now);
		if (r > rc)
			rc = r;
	}
done:
	verifier_free(v);
	trust_unref(tl);
	X509_free(anchor);
	return rc;
}
