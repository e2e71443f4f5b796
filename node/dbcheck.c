/*
 * dbcheck.c - the database check of `lasteri check` (see dbcheck.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "dbcheck.h"
#include "model.h"
#include "store.h"
#include "store_backup.h"
#include "tlog.h"
#include "verifier.h"
#include "xml.h"

#define DS_NS	"http://www.w3.org/2000/09/xmldsig#"

struct walk {
	struct dbcheck	*out;
	struct verifier	*v;
	time_t		 now;
};

/* Does the record's root carry a ds:Signature? */
static int
is_signed(xmlDocPtr doc)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), c;

	if (root == NULL)
		return 0;
	for (c = root->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && c->ns != NULL &&
		    strcmp((const char *)c->name, "Signature") == 0 &&
		    strcmp((const char *)c->ns->href, DS_NS) == 0)
			return 1;
	return 0;
}

static void
bad(struct dbcheck *out, const char *id, const char *msg)
{
	if (out->bad < DBCHECK_BAD_MAX)
		snprintf(out->bad_msg[out->bad], sizeof(out->bad_msg[0]),
		    "record %.100s: %.400s", id, msg);
	out->bad++;
}

static int
one(void *arg, const char *id, const char *xml, size_t len, struct err *e)
{
	struct walk *w = arg;
	struct supervision_record rec;
	struct dsig_info info;
	struct err ve;
	xmlDocPtr doc;

	w->out->records++;
	err_clear(&ve);
	if ((doc = xml_parse(xml, len, id, &xml_limits_import, &ve)) == NULL) {
		bad(w->out, id, ve.msg);
		return 0;
	}
	if (!is_signed(doc))
		w->out->unsigned_records++;
	else if (w->v == NULL)
		w->out->signed_ok++;	/* counted, not verified */
	else if (verifier_record(w->v, doc, w->now, &rec, &info, &ve) == -1)
		bad(w->out, id, ve.msg);
	else if (strcmp(rec.id, id) != 0)
		bad(w->out, id, "the signed record's Id differs from the key "
		    "it is stored under");
	else
		w->out->signed_ok++;
	xmlFreeDoc(doc);
	return 0;
}

int
dbcheck_run(struct store *s, struct verifier *v, const char *origin,
    time_t now, struct dbcheck *out, struct err *e)
{
	struct walk w;
	struct err ce;

	memset(out, 0, sizeof(*out));
	err_clear(&ce);
	out->integrity_ok = store_integrity(s, 0, &ce) == 0;
	if (!out->integrity_ok) {
		snprintf(out->integrity, sizeof(out->integrity), "%s",
		    ce.msg);
		return 0;	/* reading a damaged file proves nothing */
	}
	w.out = out;
	w.v = v;
	w.now = now;
	if (store_foreach(s, STORE_RECORD, one, &w, e) == -1)
		return -1;
	if (origin != NULL && v != NULL) {
		out->log_checked = 1;
		err_clear(&ce);
		out->log_ok = tlog_verify(s, v, origin, now, &ce) == 0;
		if (!out->log_ok)
			snprintf(out->log, sizeof(out->log), "%s", ce.msg);
	}
	return 0;
}

int
dbcheck_ok(const struct dbcheck *out)
{
	return out->integrity_ok && out->bad == 0 &&
	    (!out->log_checked || out->log_ok);
}

char *
dbcheck_format(const struct dbcheck *out, const char *db)
{
	char *buf = NULL;
	size_t len = 0;
	long i, problems = 0;
	FILE *f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		return NULL;
	if (!out->integrity_ok) {
		fprintf(f, "integrity: FAILED %s\n", out->integrity);
		problems++;
	} else {
		fprintf(f, "integrity: ok (%s)\n", db);
		fprintf(f, "records: %ld stored, %ld signed and verified, %ld "
		    "unsigned, %ld failing\n", out->records, out->signed_ok,
		    out->unsigned_records, out->bad);
		for (i = 0; i < out->bad && i < DBCHECK_BAD_MAX; i++)
			fprintf(f, "records: FAILED %s\n", out->bad_msg[i]);
		if (out->bad > DBCHECK_BAD_MAX)
			fprintf(f, "records: ... and %ld more\n",
			    out->bad - DBCHECK_BAD_MAX);
		problems += out->bad;
		if (!out->log_checked)
			fprintf(f, "log: not checked (the node's member ID "
			    "and trust list are needed)\n");
		else if (out->log_ok)
			fprintf(f, "log: ok (matches the latest checkpoint "
			    "signed)\n");
		else {
			fprintf(f, "log: FAILED %s\n", out->log);
			problems++;
		}
	}
	if (problems == 0)
		fprintf(f, "check: ok\n");
	else
		fprintf(f, "check: %ld problem%s\n", problems,
		    problems == 1 ? "" : "s");
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
