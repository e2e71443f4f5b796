/*
 * checkpoint.c - build and check the signed Checkpoint, a head of one
 * node's transparency log (see checkpoint.h, schemas/xsd/log.xsd).
 *
 * The check reads values only after the signature verified, from the
 * verified tree, with the model's whole-text readers; the signer it binds
 * to Origin is the member the trust list names for the signing
 * certificate, never anything the document says about itself.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <libxml/tree.h>
#include <openssl/rand.h>

#include "checkpoint.h"
#include "dsig.h"
#include "logdoc.h"
#include "model.h"
#include "model_internal.h"
#include "schema.h"
#include "verifier.h"
#include "xml.h"

static const char *const checkpoint_roots[] = { "Checkpoint", NULL };

int
checkpoint_id_new(uint64_t size, char id[CHECKPOINT_ID_MAX], struct err *e)
{
	static const char hx[] = "0123456789abcdef";
	unsigned char rnd[8];
	char hex[17];
	size_t i;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return err_set(e, ERR_INTERNAL, "checkpoint: no random bytes "
		    "for the Id");
	for (i = 0; i < sizeof(rnd); i++) {
		hex[2 * i] = hx[rnd[i] >> 4];
		hex[2 * i + 1] = hx[rnd[i] & 0xf];
	}
	hex[16] = '\0';
	snprintf(id, CHECKPOINT_ID_MAX, "CP-%llu-%s", (unsigned long long)size,
	    hex);
	return 0;
}

xmlDocPtr
checkpoint_new(const struct checkpoint *c, struct err *e)
{
	struct mw w = { 0 };
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	char id[CHECKPOINT_ID_MAX], buf[48];

	if (c == NULL) {
		err_set(e, ERR_USAGE, "checkpoint: nothing to build");
		return NULL;
	}
	if (c->size > MERKLE_SIZE_MAX) {
		err_set(e, ERR_USAGE, "checkpoint: tree size %llu is past "
		    "2^63-1", (unsigned long long)c->size);
		return NULL;
	}
	if (c->id[0] != '\0')
		snprintf(id, sizeof(id), "%s", c->id);
	else if (checkpoint_id_new(c->size, id, e) == -1)
		return NULL;
	if ((doc = xmlNewDoc((const xmlChar *)"1.0")) == NULL) {
		err_set(e, ERR_NOMEM, "checkpoint: out of memory");
		return NULL;
	}
	root = mw_root(&w, doc, NULL, "Checkpoint");
	mw_attr(&w, root, "Id", id);
	mw_elem(&w, root, "Origin", c->origin);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)c->size);
	mw_elem(&w, root, "TreeSize", buf);
	logdoc_base64(c->root, buf);
	mw_elem(&w, root, "RootHash", buf);
	mw_elem_datetime(&w, root, "Timestamp", c->time);
	if (mw_finish(&w, doc, root, "checkpoint", e) == NULL)
		goto fail;
	/* The origin and the Id are checked by the schema every reader
	 * applies. */
	if (schema_validate(doc, "checkpoint", checkpoint_roots, e) == -1) {
		if (e != NULL)
			e->code = ERR_USAGE;
		goto fail;
	}
	return doc;
fail:
	xmlFreeDoc(doc);
	return NULL;
}

/* --- reading -------------------------------------------------------------- */

static int
rd_origin(xmlNodePtr c, void *obj, struct err *e)
{
	struct checkpoint *cp = obj;

	return mi_token(c, cp->origin, sizeof(cp->origin), e);
}

static int
rd_size(xmlNodePtr c, void *obj, struct err *e)
{
	struct checkpoint *cp = obj;
	char buf[32];

	if (mi_token(c, buf, sizeof(buf), e) == -1)
		return -1;
	if (logdoc_u64_parse(buf, &cp->size) == -1)
		return mi_fail(e, c, "\"%s\" is not a tree size in 0..2^63-1",
		    buf);
	return 0;
}

static int
rd_root(xmlNodePtr c, void *obj, struct err *e)
{
	struct checkpoint *cp = obj;
	char buf[64];

	if (mi_token(c, buf, sizeof(buf), e) == -1)
		return -1;
	if (logdoc_unbase64(buf, cp->root) == -1)
		return mi_fail(e, c, "not base64 of 32 bytes");
	return 0;
}

static int
rd_time(xmlNodePtr c, void *obj, struct err *e)
{
	return mi_datetime(c, &((struct checkpoint *)obj)->time, e);
}

static const struct mi_field checkpoint_fields[] = {
	{ "Origin", 1, 1, rd_origin },
	{ "TreeSize", 1, 1, rd_size },
	{ "RootHash", 1, 1, rd_root },
	{ "Timestamp", 1, 1, rd_time },
};

/* The values of a Checkpoint root into out (info untouched). */
static int
values_read(xmlNodePtr root, struct checkpoint *out, struct err *e)
{
	char id[CHECKPOINT_ID_MAX];

	if (mi_read_children(root, checkpoint_fields,
	    (int)(sizeof(checkpoint_fields) / sizeof(checkpoint_fields[0])),
	    1, out, e) == -1)
		return -1;
	if (mi_attr(root, "Id", id, sizeof(id), 1, e) == -1)
		return -1;
	memcpy(out->id, id, sizeof(out->id));
	return 0;
}

int
checkpoint_read(xmlDocPtr doc, struct checkpoint *out, struct err *e)
{
	struct checkpoint cp;

	if (doc == NULL || out == NULL)
		return err_set(e, ERR_USAGE, "checkpoint: missing argument");
	memset(&cp, 0, sizeof(cp));
	if (schema_validate(doc, "checkpoint", checkpoint_roots, e) == -1 ||
	    values_read(xmlDocGetRootElement(doc), &cp, e) == -1)
		return -1;
	*out = cp;
	return 0;
}

int
checkpoint_check(struct verifier *v, xmlDocPtr doc, const char *origin,
    time_t now, struct checkpoint *out, struct err *e)
{
	struct checkpoint cp;
	char t1[32], t2[32];

	if (v == NULL || doc == NULL || out == NULL)
		return err_set(e, ERR_USAGE, "checkpoint check: missing "
		    "argument");
	memset(&cp, 0, sizeof(cp));
	if (schema_validate(doc, "checkpoint", checkpoint_roots, e) == -1)
		return -1;
	if (verifier_check(v, doc, DOC_CHECKPOINT, now, &cp.info, e) == -1)
		return -1;
	/* From here on, values of the verified document only. */
	if (values_read(xmlDocGetRootElement(doc), &cp, e) == -1)
		return -1;
	if (strcmp(cp.info.member_id, cp.origin) != 0)
		return err_set(e, ERR_TRUST, "checkpoint %s is the log head of "
		    "%s (Origin) but is signed by member %s: a member signs "
		    "only its own log's checkpoints", cp.id, cp.origin,
		    cp.info.member_id);
	if (origin != NULL && strcmp(cp.origin, origin) != 0)
		return err_set(e, ERR_TRUST, "checkpoint %s is of the log of "
		    "%s, not of %s", cp.id, cp.origin, origin);
	if (cp.time > cp.info.signed_at + VERIFIER_CLOCK_SKEW) {
		model_datetime_format(cp.time, t1);
		model_datetime_format(cp.info.signed_at, t2);
		return err_set(e, ERR_TRUST, "checkpoint %s: Timestamp %s is "
		    "after its signing time %s", cp.id, t1, t2);
	}
	*out = cp;
	return 0;
}
