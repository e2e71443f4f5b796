/*
 * cmd_audit.c - `lasteri audit`: an auditor's checks of a node's
 * transparency log (DESIGN.md "The node": the transparency log).
 *
 *   audit checkpoint   fetch a node's latest signed checkpoint (or, through
 *                      it, the one it witnessed for a peer) and show it
 *   audit inclusion    prove that a signed record is a leaf of the tree a
 *                      signed checkpoint names
 *   audit consistency  prove that a newer checkpoint's tree extends an
 *                      older one's (same origin)
 *   audit alarms       the witness alarms the node keeps
 *
 * Nothing the node says is believed: checkpoints are verified offline
 * against the operator-signed trust list (as `lasteri verify` does:
 * --anchor, else the installed operator certificate), and the unsigned
 * proofs (from --proof FILE or fetched from the node's admin socket) are
 * checked with the RFC 9162 verifiers of federation/merkle.c against the
 * verified root hashes.  A record's leaf hash is SHA-256(0x00 || the file's
 * exact bytes): the node logs a record's canonical bytes as it stores and
 * serves them (GET /v1/records/ID), so a reformatted copy is another leaf.
 *
 * Exit 0 proven, 1 a mismatch (the message names the record, the
 * checkpoint and the hashes expected and computed), 2 usage or input
 * errors (an unreadable file, a document that is not what was asked for,
 * no node answering).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "adminc.h"
#include "admincall.h"
#include "checkpoint.h"
#include "cmd.h"
#include "dsig.h"
#include "logdoc.h"
#include "merkle.h"
#include "model.h"
#include "output.h"
#include "schema.h"
#include "trust.h"
#include "util.h"
#include "verifier.h"
#include "x509.h"
#include "xml.h"

#ifndef LASTERI_ANCHOR
#define LASTERI_ANCHOR	"/etc/lasteri/operator.crt"
#endif

#define RECORD_FILE_MAX	(16UL * 1024 * 1024)
/* The characters of common.xsd's Id pattern. */
#define ID_CHARS	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
			"0123456789._:-"

static const char usage_all[] =
    "lasteri audit checkpoint|inclusion|consistency|alarms ...\n"
    "  audit checkpoint -s SOCKET [--member CODE|ID] [--trust TRUSTLIST\n"
    "        [--anchor OPERATOR.crt]] [-o FILE]\n"
    "  audit inclusion --trust TRUSTLIST [--anchor OPERATOR.crt]\n"
    "        --checkpoint CP.xml RECORD.xml [--proof FILE | -s SOCKET]\n"
    "  audit consistency --trust TRUSTLIST [--anchor OPERATOR.crt]\n"
    "        OLD.xml NEW.xml [--proof FILE | -s SOCKET]\n"
    "  audit alarms -s SOCKET [--format table|csv|xml]\n"
    "  Exit 0 proven, 1 a mismatch, 2 usage or input errors.\n";

static const char usage_checkpoint[] =
    "lasteri audit checkpoint -s SOCKET [--member CODE|ID]\n"
    "           [--trust TRUSTLIST [--anchor OPERATOR.crt]] [-o FILE]\n"
    "  The node's latest signed checkpoint; with --member, the newest one\n"
    "  it witnessed of that member's log.  With --trust the signature is\n"
    "  verified; -o keeps the checkpoint's exact bytes for a later\n"
    "  'audit inclusion' or 'audit consistency'.\n";

static const char usage_inclusion[] =
    "lasteri audit inclusion --trust TRUSTLIST [--anchor OPERATOR.crt]\n"
    "           --checkpoint CP.xml RECORD.xml [--proof FILE | -s SOCKET]\n"
    "  Proves that RECORD.xml (its exact bytes, as the node stores them) is\n"
    "  a leaf of the tree of the signed checkpoint CP.xml, with an\n"
    "  InclusionProof from FILE or from the node (GET /v1/log/inclusion).\n"
    "  The record's own signature is verified as well.\n";

static const char usage_consistency[] =
    "lasteri audit consistency --trust TRUSTLIST [--anchor OPERATOR.crt]\n"
    "           OLD.xml NEW.xml [--proof FILE | -s SOCKET]\n"
    "  Proves that the signed checkpoint NEW.xml extends OLD.xml (same\n"
    "  origin), with a ConsistencyProof from FILE or from the node\n"
    "  (GET /v1/log/consistency).\n";

static const char usage_alarms[] =
    "lasteri audit alarms -s SOCKET [--format table|csv|xml]\n"
    "  The alarms the node's witness raised about its peers' logs.\n";

/* The options every subcommand shares. */
struct audit_opts {
	const char	*trust, *anchor, *sock, *proof, *checkpoint;
	const char	*member, *output, *format;
};

/* --- helpers --------------------------------------------------------------- */

/* The exit status of an err: 1 for a "no" (signature, trust), else 2. */
static int
status_of(const struct err *e)
{
	return e->code == ERR_SIGNATURE || e->code == ERR_TRUST ? 1 : 2;
}

/* A verifier over the trust list, itself verified against the operator's
 * certificate.  0, or the exit status after a message. */
static int
audit_verifier(const char *trustf, const char *anchorf, time_t now,
    struct verifier **out)
{
	struct trust_list *tl = NULL;
	X509 *anchor = NULL;
	struct err e;
	char t[32];
	int rc = 2;

	err_clear(&e);
	*out = NULL;
	if (anchorf == NULL) {
		if (access(LASTERI_ANCHOR, F_OK) != 0) {
			warnx_("%s: no operator certificate to verify the trust "
			    "list with: give --anchor OPERATOR.crt (the default "
			    "%s does not exist)", trustf, LASTERI_ANCHOR);
			return 2;
		}
		anchorf = LASTERI_ANCHOR;
	}
	xml_init();
	if ((anchor = x509_load_pem(anchorf, &e)) == NULL ||
	    dsig_init(&e) == -1 ||
	    trust_load_flags(trustf, anchor, NULL, now, TRUST_F_NO_EXPIRY,
	    &tl, &e) == -1) {
		rc = util_report(&e);
		goto done;
	}
	/* Audits look at the past: an expired list still says who was a
	 * member, so it is used with a warning. */
	if (trust_expires(tl) <= now) {
		model_datetime_format(trust_expires(tl), t);
		warnx_("warning: %s: trust list sequence %llu expired at %s",
		    trustf, (unsigned long long)trust_sequence(tl), t);
	}
	if ((*out = verifier_new(tl, &e)) == NULL) {
		rc = util_report(&e);
		goto done;
	}
	rc = 0;
done:
	trust_unref(tl);
	X509_free(anchor);
	return rc;
}

/* A file's exact bytes (at most max), NUL-terminated; free(). */
static char *
file_bytes(const char *path, size_t max, size_t *len)
{
	FILE *f;
	char *buf = NULL, *p;
	size_t cap = 0, n = 0, r;

	if ((f = fopen(path, "rb")) == NULL) {
		warnx_("%s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap == 0 ? 65536 : cap * 2;
			if ((p = realloc(buf, cap)) == NULL) {
				warnx_("%s: out of memory", path);
				goto fail;
			}
			buf = p;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (n > max) {
			warnx_("%s: larger than %zu bytes", path, max);
			goto fail;
		}
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		warnx_("%s: %s", path, strerror(errno));
		goto fail;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	fclose(f);
	free(buf);
	return NULL;
}

/* The text of the node's <Error>...</Error>, or the start of the body. */
static void
node_message(const char *body, size_t len, char *buf, size_t size)
{
	const char *p, *end;

	if (body != NULL && (p = strstr(body, "<Error")) != NULL &&
	    (p = strchr(p, '>')) != NULL &&
	    (end = strstr(p, "</Error>")) != NULL) {
		snprintf(buf, size, "%.*s", (int)(end - p - 1), p + 1);
		return;
	}
	snprintf(buf, size, "%.*s", (int)(len < 200 ? len : 200),
	    body != NULL ? body : "");
}

/* GET path on the admin socket: 0 with the body (free()), or -1 after a
 * message with *status the HTTP status (0: no answer). */
static int
fetch(const char *sock, const char *path, int *status, char **body,
    size_t *len, char *msg, size_t msgsize)
{
	struct err e;

	err_clear(&e);
	*body = NULL;
	*len = 0;
	*status = 0;
	msg[0] = '\0';
	if (adminc_request(sock, "GET", path, NULL, NULL, 0, status, body,
	    len, &e) == -1) {
		snprintf(msg, msgsize, "%s", e.msg[0] != '\0' ? e.msg :
		    err_code_name(e.code));
		return -1;
	}
	if (*status < 200 || *status > 299) {
		node_message(*body, *len, msg, msgsize);
		free(*body);
		*body = NULL;
		return -1;
	}
	return 0;
}

/* A signed checkpoint file, checked (origin NULL: any).  0, or the exit
 * status after a message naming the file. */
static int
checkpoint_file(struct verifier *v, const char *path, const char *origin,
    time_t now, struct checkpoint *cp)
{
	xmlDocPtr doc;
	struct err e;
	int rc = 0;

	err_clear(&e);
	if ((doc = xml_read_file(path, &xml_limits_wire, &e)) == NULL) {
		warnx_("checkpoint %s: %s", path, util_msg_after(e.msg, path));
		return 2;
	}
	if (checkpoint_check(v, doc, origin, now, cp, &e) == -1) {
		warnx_("checkpoint %s: %s", path, util_msg_after(e.msg, path));
		rc = status_of(&e);
	}
	xmlFreeDoc(doc);
	return rc;
}

static void
print_checkpoint(const struct checkpoint *cp, const char *verified_by)
{
	char hex[2 * MERKLE_HASH_LEN + 1], t[32];

	logdoc_hex(cp->root, hex);
	model_datetime_format(cp->time, t);
	printf("origin     %s\n", cp->origin);
	printf("tree size  %llu\n", (unsigned long long)cp->size);
	printf("root       %s\n", hex);
	printf("time       %s\n", t);
	printf("id         %s\n", cp->id);
	if (verified_by != NULL) {
		model_datetime_format(cp->info.signed_at, t);
		printf("signer     %s (verified against %s, signed %s)\n",
		    cp->info.member_id, verified_by, t);
	} else
		printf("signer     not verified (give --trust to verify)\n");
}

/* Parses the options of one subcommand; positional arguments are left
 * at argv[optind ..].  0, 1 for --help (printed), or 2 after usage. */
static int
parse_opts(int argc, char **argv, const char *usage, struct audit_opts *o)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "trust", required_argument, NULL, 't' },
		{ "anchor", required_argument, NULL, 'a' },
		{ "proof", required_argument, NULL, 'p' },
		{ "checkpoint", required_argument, NULL, 'c' },
		{ "member", required_argument, NULL, 'm' },
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "s:o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			o->sock = optarg;
			break;
		case 't':
			o->trust = optarg;
			break;
		case 'a':
			o->anchor = optarg;
			break;
		case 'p':
			o->proof = optarg;
			break;
		case 'c':
			o->checkpoint = optarg;
			break;
		case 'm':
			o->member = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'f':
			o->format = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 1;
		default:
			return util_usage(usage);
		}
	}
	return 0;
}

/* Options a subcommand does not take are refused, not ignored; which
 * lists the short letters it takes (parse_opts' cases). */
static int
refuse_opts(const struct audit_opts *o, const char *which, const char *usage)
{
	static const char letters[] = "stapcmof";
	static const char *const names[] = { "--socket", "--trust",
	    "--anchor", "--proof", "--checkpoint", "--member", "--output",
	    "--format" };
	const char *vals[] = { o->sock, o->trust, o->anchor, o->proof,
	    o->checkpoint, o->member, o->output, o->format };
	size_t i;

	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		if (vals[i] != NULL && strchr(which, letters[i]) == NULL) {
			warnx_("%s is not an option of this subcommand",
			    names[i]);
			return util_usage(usage);
		}
	return 0;
}

/* Where the proof comes from: exactly one of --proof and a socket (-s or
 * $LASTERI_SOCKET when no --proof).  0, or 2 after a message. */
static int
proof_source(struct audit_opts *o, const char *usage)
{
	if (o->proof != NULL && o->sock != NULL) {
		warnx_("--proof and -s exclude each other: the proof comes "
		    "from a file or from the node");
		return util_usage(usage);
	}
	if (o->proof == NULL && (o->sock = adminc_socket(o->sock)) == NULL) {
		warnx_("--proof FILE or -s SOCKET (or LASTERI_SOCKET) is "
		    "needed");
		return util_usage(usage);
	}
	return 0;
}

/* The proof document from --proof or from path on the node.  NULL, with
 * *rc the exit status, after a message; a 404 from the node is a "no"
 * (1): it has no such leaf or tree. */
static xmlDocPtr
proof_doc(const struct audit_opts *o, const char *path, const char *what,
    int *rc)
{
	xmlDocPtr doc = NULL;
	struct err e;
	char *body = NULL, msg[600], name[300];
	size_t len;
	int status;

	err_clear(&e);
	*rc = 2;
	if (o->proof != NULL) {
		if ((doc = xml_read_file(o->proof, &xml_limits_wire,
		    &e)) == NULL)
			warnx_("proof %s: %s", o->proof,
			    util_msg_after(e.msg, o->proof));
		return doc;
	}
	if (fetch(o->sock, path, &status, &body, &len, msg,
	    sizeof(msg)) == -1) {
		if (status == 404) {
			*rc = 1;
			warnx_("%s: the node has no %s: %s", path, what, msg);
		} else if (status == 0)
			warnx_("%s", msg);
		else
			warnx_("%s: the node answered %d: %s", path, status,
			    msg);
		return NULL;
	}
	snprintf(name, sizeof(name), "%s from %s", what, o->sock);
	if ((doc = xml_parse(body, len, name, &xml_limits_wire, &e)) == NULL)
		warnx_("%s", e.msg);
	free(body);
	return doc;
}

/* --- audit checkpoint ------------------------------------------------------ */

/* The member ID of --member: an ID as is, a code through the trust list. */
static int
member_id(struct verifier *v, const char *member, const char **id)
{
	const struct trust_member *m;

	*id = member;
	if (member == NULL || strchr(member, '/') != NULL)
		return 0;
	if (v == NULL) {
		warnx_("--member %s: a member code needs --trust to find its "
		    "member ID (or give the ID, INSTANCE/CLASS/CODE/SUBSYSTEM)",
		    member);
		return 2;
	}
	if ((m = trust_member_by_code(verifier_trust_list(v), member)) ==
	    NULL) {
		warnx_("--member %s: no member with that code in the trust "
		    "list", member);
		return 2;
	}
	*id = m->id;
	return 0;
}

static int
audit_checkpoint(int argc, char **argv)
{
	struct audit_opts o;
	struct verifier *v = NULL;
	struct checkpoint cp;
	xmlDocPtr doc = NULL;
	struct err e;
	const char *sock, *origin = NULL;
	char path[512], *body = NULL, msg[600];
	size_t len = 0;
	time_t now = time(NULL);
	int status, rc;

	err_clear(&e);
	if ((rc = parse_opts(argc, argv, usage_checkpoint, &o)) != 0)
		return rc == 1 ? 0 : rc;
	if ((rc = refuse_opts(&o, "stamo", usage_checkpoint)) != 0)
		return rc;
	if (optind != argc) {
		warnx_("unexpected argument '%s'", argv[optind]);
		return util_usage(usage_checkpoint);
	}
	if (o.anchor != NULL && o.trust == NULL) {
		warnx_("--anchor needs --trust");
		return util_usage(usage_checkpoint);
	}
	if ((sock = adminc_socket(o.sock)) == NULL) {
		warnx_("-s SOCKET (or LASTERI_SOCKET) is needed");
		return util_usage(usage_checkpoint);
	}
	rc = 2;
	if (o.trust != NULL &&
	    (rc = audit_verifier(o.trust, o.anchor, now, &v)) != 0)
		goto done;
	rc = 2;
	if (member_id(v, o.member, &origin) != 0)
		goto done;
	snprintf(path, sizeof(path), "/v1/log/checkpoint");
	if (origin != NULL) {
		snprintf(path, sizeof(path), "/v1/log/witnessed");
		if (admincall_qs(path, sizeof(path), "origin", origin) == -1)
			goto done;
	}
	if (fetch(sock, path, &status, &body, &len, msg, sizeof(msg)) == -1) {
		if (status == 404 && origin != NULL)
			warnx_("%s: the node holds no witnessed checkpoint of "
			    "%s (%s)", sock, origin, msg);
		else if (status == 404)
			warnx_("%s: the node serves no checkpoint (%s): it "
			    "keeps no transparency log yet", sock, msg);
		else if (status == 0)
			warnx_("%s", msg);
		else
			warnx_("%s: %s answered %d: %s", sock, path, status,
			    msg);
		goto done;
	}
	if ((doc = xml_parse(body, len, "checkpoint", &xml_limits_wire,
	    &e)) == NULL || checkpoint_read(doc, &cp, &e) == -1) {
		warnx_("%s: %s", sock, e.msg);
		goto done;
	}
	if (o.output != NULL && util_write_atomic(o.output, body, len,
	    &e) == -1) {
		rc = util_report(&e);
		goto done;
	}
	if (v != NULL && checkpoint_check(v, doc, origin, now, &cp,
	    &e) == -1) {
		warnx_("checkpoint %s from %s: %s", cp.id, sock, e.msg);
		rc = status_of(&e);
		goto done;
	}
	print_checkpoint(&cp, v != NULL ? o.trust : NULL);
	rc = 0;
done:
	xmlFreeDoc(doc);
	free(body);
	verifier_free(v);
	return rc;
}

/* --- audit inclusion ------------------------------------------------------- */

/* The record's own signature: one line, 0 verified, else the status. */
static int
record_verify(struct verifier *v, xmlDocPtr doc, const char *path,
    time_t now, char *id, size_t idsize)
{
	static const char *const roots[] = { "SupervisionRecord", NULL };
	struct supervision_record rec;
	struct dsig_info info;
	struct err e;
	int rc;

	err_clear(&e);
	memset(&info, 0, sizeof(info));
	if (dsig_kind_of(xmlDocGetRootElement(doc)) == DOC_RECORD)
		rc = schema_validate(doc, path, roots, &e) == -1 ||
		    verifier_record(v, doc, now, &rec, &info, &e) == -1 ?
		    -1 : 0;
	else
		rc = verifier_check(v, doc, DOC_ANY, now, &info, &e);
	if (rc == -1) {
		warnx_("record %s: signature not verified: %s", path,
		    util_msg_after(e.msg, path));
		return status_of(&e);
	}
	snprintf(id, idsize, "%s", info.doc_id);
	printf("record %s (%s): signature OK, signed by %s\n", id, path,
	    info.member_id);
	return 0;
}

static int
audit_inclusion(int argc, char **argv)
{
	unsigned char leaf_hash[MERKLE_HASH_LEN], proof_hash[MERKLE_HASH_LEN];
	unsigned char path[MERKLE_PATH_MAX][MERKLE_HASH_LEN];
	char want[2 * MERKLE_HASH_LEN + 1], got[2 * MERKLE_HASH_LEN + 1];
	char req[256], rid[ID_MAX + 1], t[32];
	struct audit_opts o;
	struct verifier *v = NULL;
	struct checkpoint cp;
	xmlDocPtr rdoc = NULL, pdoc = NULL;
	struct err e;
	const char *recf;
	xmlChar *idattr;
	char *bytes = NULL;
	size_t len = 0, n = 0;
	uint64_t leaf = 0, size = 0;
	time_t now = time(NULL);
	int rc, sigrc;

	err_clear(&e);
	if ((rc = parse_opts(argc, argv, usage_inclusion, &o)) != 0)
		return rc == 1 ? 0 : rc;
	if ((rc = refuse_opts(&o, "stapc", usage_inclusion)) != 0)
		return rc;
	if (o.trust == NULL || o.checkpoint == NULL || optind + 1 != argc) {
		warnx_("--trust, --checkpoint and one RECORD.xml are needed");
		return util_usage(usage_inclusion);
	}
	recf = argv[optind];
	if ((rc = proof_source(&o, usage_inclusion)) != 0)
		return rc;
	if ((rc = audit_verifier(o.trust, o.anchor, now, &v)) != 0)
		goto done;
	if ((rc = checkpoint_file(v, o.checkpoint, NULL, now, &cp)) != 0)
		goto done;
	rc = 2;
	if ((bytes = file_bytes(recf, RECORD_FILE_MAX, &len)) == NULL)
		goto done;
	if ((rdoc = xml_parse(bytes, len, recf, &xml_limits_import,
	    &e)) == NULL) {
		warnx_("record %s: %s", recf, util_msg_after(e.msg, recf));
		goto done;
	}
	/* Until the signature verified, the record is named by the Id it
	 * claims (a label only: nothing is decided on it). */
	if ((idattr = xmlGetNoNsProp(xmlDocGetRootElement(rdoc),
	    (const xmlChar *)"Id")) != NULL &&
	    strlen((const char *)idattr) <= ID_MAX &&
	    strspn((const char *)idattr, ID_CHARS) ==
	    strlen((const char *)idattr))
		snprintf(rid, sizeof(rid), "%s", (const char *)idattr);
	else
		snprintf(rid, sizeof(rid), "(no Id)");
	xmlFree(idattr);
	/* The signature and the inclusion are two facts: both are
	 * checked and reported. */
	sigrc = record_verify(v, rdoc, recf, now, rid, sizeof(rid));
	if (merkle_leaf_hash(bytes, len, leaf_hash) == -1) {
		warnx_("SHA-256 is not available");
		goto done;
	}
	logdoc_hex(leaf_hash, got);
	snprintf(req, sizeof(req), "/v1/log/inclusion?leaf=%s&size=%llu", got,
	    (unsigned long long)cp.size);
	if ((pdoc = proof_doc(&o, req, "inclusion proof", &rc)) == NULL) {
		if (rc == 1)
			warnx_("record %s (%s, leaf hash %s) is not proven in "
			    "checkpoint %s (%s)", rid, recf, got, cp.id,
			    o.checkpoint);
		goto done;
	}
	rc = 2;
	if (logproof_inclusion_read(pdoc, &leaf, &size, proof_hash, path, &n,
	    &e) == -1) {
		warnx_("proof %s: %s", o.proof != NULL ? o.proof : o.sock,
		    e.msg);
		goto done;
	}
	rc = 1;
	if (size != cp.size) {
		warnx_("record %s: the proof is for a tree of size %llu, "
		    "checkpoint %s (%s) has TreeSize %llu", rid,
		    (unsigned long long)size, cp.id, o.checkpoint,
		    (unsigned long long)cp.size);
		goto done;
	}
	if (memcmp(proof_hash, leaf_hash, MERKLE_HASH_LEN) != 0) {
		logdoc_hex(proof_hash, want);
		warnx_("record %s (%s) is not the proof's leaf %llu: leaf "
		    "hash expected %s (the proof's), computed %s (the file's "
		    "exact bytes)", rid, recf, (unsigned long long)leaf, want,
		    got);
		goto done;
	}
	if (merkle_inclusion_verify(leaf, size, leaf_hash,
	    (const unsigned char (*)[MERKLE_HASH_LEN])path, n, cp.root,
	    &e) == -1) {
		warnx_("record %s (%s) is not proven in checkpoint %s (%s, "
		    "log of %s): %s", rid, recf, cp.id, o.checkpoint, cp.origin,
		    e.msg);
		goto done;
	}
	logdoc_hex(cp.root, want);
	model_datetime_format(cp.time, t);
	printf("record %s (%s): leaf %llu of the log of %s, proven in "
	    "checkpoint %s (size %llu, root %s, %s, signed by %s)\n", rid,
	    recf, (unsigned long long)leaf, cp.origin, cp.id,
	    (unsigned long long)cp.size, want, t, cp.info.member_id);
	rc = sigrc;
done:
	xmlFreeDoc(pdoc);
	xmlFreeDoc(rdoc);
	free(bytes);
	verifier_free(v);
	return rc;
}

/* --- audit consistency ----------------------------------------------------- */

static int
audit_consistency(int argc, char **argv)
{
	static const unsigned char empty_root[MERKLE_HASH_LEN] = {
		0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14,
		0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
		0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c,
		0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55
	};
	unsigned char path[MERKLE_PATH_MAX][MERKLE_HASH_LEN];
	char h1[2 * MERKLE_HASH_LEN + 1], h2[2 * MERKLE_HASH_LEN + 1];
	char req[256];
	struct audit_opts o;
	struct verifier *v = NULL;
	struct checkpoint a, b;
	xmlDocPtr pdoc = NULL;
	struct err e;
	const char *oldf, *newf;
	size_t n = 0;
	uint64_t from = 0, to = 0;
	time_t now = time(NULL);
	int rc;

	err_clear(&e);
	if ((rc = parse_opts(argc, argv, usage_consistency, &o)) != 0)
		return rc == 1 ? 0 : rc;
	if ((rc = refuse_opts(&o, "stap", usage_consistency)) != 0)
		return rc;
	if (o.trust == NULL || optind + 2 != argc) {
		warnx_("--trust and two checkpoints, OLD.xml NEW.xml, are "
		    "needed");
		return util_usage(usage_consistency);
	}
	oldf = argv[optind];
	newf = argv[optind + 1];
	if (o.proof != NULL && o.sock != NULL)
		return proof_source(&o, usage_consistency);
	if ((rc = audit_verifier(o.trust, o.anchor, now, &v)) != 0 ||
	    (rc = checkpoint_file(v, oldf, NULL, now, &a)) != 0 ||
	    (rc = checkpoint_file(v, newf, a.origin, now, &b)) != 0)
		goto done;
	rc = 1;
	logdoc_hex(a.root, h1);
	logdoc_hex(b.root, h2);
	if (a.size > b.size) {
		warnx_("checkpoint %s (%s) of size %llu is smaller than the "
		    "older checkpoint %s (%s) of size %llu: the log of %s "
		    "shrank", b.id, newf, (unsigned long long)b.size, a.id, oldf,
		    (unsigned long long)a.size, a.origin);
		goto done;
	}
	if (a.size == b.size || a.size == 0) {
		/* Nothing to prove with a path: equal sizes need equal
		 * roots, and every tree extends the empty one. */
		if (a.size == b.size && memcmp(a.root, b.root,
		    MERKLE_HASH_LEN) != 0) {
			warnx_("checkpoints %s (%s) and %s (%s) of the log of %s "
			    "have the same size %llu but different roots: %s "
			    "and %s", a.id, oldf, b.id, newf, a.origin,
			    (unsigned long long)a.size, h1, h2);
			goto done;
		}
		if (a.size == 0 && memcmp(a.root, empty_root,
		    MERKLE_HASH_LEN) != 0) {
			logdoc_hex(empty_root, h2);
			warnx_("checkpoint %s (%s) of size 0 has root %s, the "
			    "empty tree's is %s", a.id, oldf, h1, h2);
			goto done;
		}
	} else {
		/* A path is needed only now. */
		if ((rc = proof_source(&o, usage_consistency)) != 0)
			goto done;
		snprintf(req, sizeof(req), "/v1/log/consistency?from=%llu&"
		    "to=%llu", (unsigned long long)a.size,
		    (unsigned long long)b.size);
		if ((pdoc = proof_doc(&o, req, "consistency proof",
		    &rc)) == NULL) {
			if (rc == 1)
				warnx_("checkpoint %s (%s) is not proven to "
				    "extend %s (%s) of the log of %s", b.id,
				    newf, a.id, oldf, a.origin);
			goto done;
		}
		rc = 2;
		if (logproof_consistency_read(pdoc, &from, &to, path, &n,
		    &e) == -1) {
			warnx_("proof %s: %s", o.proof != NULL ? o.proof :
			    o.sock, e.msg);
			goto done;
		}
		rc = 1;
		if (from != a.size || to != b.size) {
			warnx_("the proof is from size %llu to %llu, the "
			    "checkpoints %s (%s) and %s (%s) are of sizes %llu "
			    "and %llu", (unsigned long long)from,
			    (unsigned long long)to, a.id, oldf, b.id, newf,
			    (unsigned long long)a.size,
			    (unsigned long long)b.size);
			goto done;
		}
		if (merkle_consistency_verify(a.size, b.size, a.root, b.root,
		    (const unsigned char (*)[MERKLE_HASH_LEN])path, n,
		    &e) == -1) {
			warnx_("checkpoint %s (%s) is not proven to extend %s "
			    "(%s) of the log of %s: %s", b.id, newf, a.id, oldf,
			    a.origin, e.msg);
			goto done;
		}
	}
	printf("checkpoint %s (%s, size %llu, root %s) extends %s (%s, size "
	    "%llu, root %s): the log of %s, both signed by %s\n", b.id, newf,
	    (unsigned long long)b.size, h2, a.id, oldf,
	    (unsigned long long)a.size, h1, a.origin, a.info.member_id);
	rc = 0;
done:
	xmlFreeDoc(pdoc);
	verifier_free(v);
	return rc;
}

/* --- audit alarms ---------------------------------------------------------- */

static int
audit_alarms(int argc, char **argv)
{
	char path[128] = "/admin/v1/log/alarms", *body = NULL, msg[600];
	struct audit_opts o;
	const char *sock;
	size_t len = 0;
	int status, rc;

	if ((rc = parse_opts(argc, argv, usage_alarms, &o)) != 0)
		return rc == 1 ? 0 : rc;
	if ((rc = refuse_opts(&o, "sf", usage_alarms)) != 0)
		return rc;
	if (optind != argc) {
		warnx_("unexpected argument '%s'", argv[optind]);
		return util_usage(usage_alarms);
	}
	if (o.format != NULL) {
		if (out_format_parse(o.format) == -1) {
			warnx_("--format: '%s' is not one of "
			    OUT_FORMAT_TOKENS, o.format);
			return 2;
		}
		if (admincall_qs(path, sizeof(path), "format", o.format) == -1)
			return 2;
	}
	if ((sock = adminc_socket(o.sock)) == NULL) {
		warnx_("-s SOCKET (or LASTERI_SOCKET) is needed");
		return util_usage(usage_alarms);
	}
	if (fetch(sock, path, &status, &body, &len, msg, sizeof(msg)) == -1) {
		if (status == 404)
			warnx_("%s: this node keeps no witness alarms (GET "
			    "/admin/v1/log/alarms: 404 %s): it does not "
			    "witness its peers' logs", sock, msg);
		else if (status == 0)
			warnx_("%s", msg);
		else
			warnx_("%s: the node answered %d: %s", sock, status,
			    msg);
		return 2;
	}
	if (fwrite(body, 1, len, stdout) != len || fflush(stdout) != 0) {
		warnx_("stdout: write failed");
		rc = 2;
	}
	free(body);
	return rc;
}

int
cmd_audit(int argc, char **argv)
{
	static const struct util_sub subs[] = {
		{ "checkpoint", audit_checkpoint },
		{ "inclusion", audit_inclusion },
		{ "consistency", audit_consistency },
		{ "alarms", audit_alarms },
		{ NULL, NULL }
	};

	return util_subcommand(argc, argv, subs, usage_all);
}
