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
 * A NationalAnswer (the proof of a national query, node/proof.h) is
 * checked whole: its own signature, then the Query and every region's
 * Response inside it, that each Response answers that Query and comes from
 * the member of its status row, that every region member of the list has a
 * row, and that the merged result is the merge of the ok Responses.  One
 * line for the proof, then one per part ("FILE: Response 08: OK ..."); a
 * region without a Response is shown with its status.  Any failed part
 * makes the answer "no" (exit 1).
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
#include "proof.h"
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

/* One line per part of a NationalAnswer's report. */
static void
proof_line(const char *path, const struct proof_item *it)
{
	char t[32] = "";

	if (it->signed_at != 0)
		model_datetime_format(it->signed_at, t);
	switch (it->part) {
	case PROOF_OUTER:
	case PROOF_QUERY:
		if (it->part == PROOF_OUTER)
			printf("%s: ", path);
		else
			printf("%s: Query: ", path);
		if (it->ok)
			printf("OK signer=%s kind=%s id=%s signed=%s\n",
			    it->member, it->part == PROOF_OUTER ?
			    "NationalAnswer" : "Query", it->id, t);
		else
			printf("FAILED %s\n", it->msg);
		break;
	case PROOF_RESPONSE:
		printf("%s: Response %s: ", path, it->region);
		if (it->ok)
			printf("OK signer=%s kind=Response id=%s signed=%s "
			    "status=%s ms=%ld\n", it->member, it->id, t,
			    it->status, it->ms);
		else
			printf("FAILED member=%s status=%s: %s\n", it->member,
			    it->status, it->msg);
		break;
	case PROOF_ROW:
		printf("%s: region %s: ", path, it->region);
		if (it->ok)
			printf("%s member=%s ms=%ld, no Response to verify%s%s\n",
			    it->status, it->member, it->ms,
			    it->msg[0] != '\0' ? ": " : "", it->msg);
		else
			printf("FAILED member=%s status=%s: %s\n", it->member,
			    it->status, it->msg);
		break;
	case PROOF_MISSING:
		printf("%s: region %s: FAILED %s\n", path, it->region, it->msg);
		break;
	case PROOF_MERGED:
		if (it->ok)
			printf("%s: Results: OK the merge of %zu ok "
			    "Responses\n", path, it->count);
		else
			printf("%s: Results: FAILED %s\n", path, it->msg);
		break;
	}
}

/* A NationalAnswer: the proof and every document inside it.  0 every part
 * verified, 1 one failed. */
static int
verify_proof(struct verifier *v, xmlDocPtr doc, const char *path,
    time_t now)
{
	struct proof_report rep;
	struct err e;
	size_t i;
	int rc;

	err_clear(&e);
	rc = proof_check(v, doc, now, &rep, &e);
	for (i = 0; i < rep.nitems; i++)
		proof_line(path, &rep.items[i]);
	if (rc == -1 && rep.nitems == 0)
		printf("%s: FAILED %s\n", path, e.msg);
	proof_report_clear(&rep);
	if (rc == 0)
		return 0;
	return e.code == ERR_NOMEM || e.code == ERR_USAGE ? 2 : 1;
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
	else if (dsig_kind_of(xmlDocGetRootElement(doc)) == DOC_NATIONAL)
		rc = verify_proof(v, doc, path, now);
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
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			printf("usage: %s\n", usage);
			return 0;
		}
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
