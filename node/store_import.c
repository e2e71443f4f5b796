/*
 * store_import.c - the elements of a validated document into the store (see
 * store_import.h).  No SQL here: it reads, checks and calls the store's puts.
 *
 * Exact bytes: each element is copied into a document of its own (libxml2
 * declares on the copy the namespaces it used from its ancestors) and
 * canonicalised with exclusive C14N, the same transform a signature covers.
 * Re-serialising a whole file would tie a record's digest to the file's
 * indentation and to where its namespaces were declared; the canonical form
 * of the element does not.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <libxml/tree.h>

#include "dsig.h"

#include "model.h"
#include "store_import.h"
#include "verifier.h"
#include "xml.h"

#define DSIG_NS	"http://www.w3.org/2000/09/xmldsig#"

int
store_element_bytes(xmlNodePtr n, char **out, size_t *len, struct err *e)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr copy;
	int rc = -1;

	*out = NULL;
	*len = 0;
	if ((doc = xmlNewDoc((const xmlChar *)"1.0")) == NULL ||
	    (copy = xmlDocCopyNode(n, doc, 1)) == NULL) {
		err_set(e, ERR_NOMEM, "copying element %s: out of memory",
		    (const char *)n->name);
		goto done;
	}
	xmlDocSetRootElement(doc, copy);
	if (xml_canonical(doc, out, len, e) == -1)
		goto done;
	rc = 0;
done:
	xmlFreeDoc(doc);
	return rc;
}

/* "name:line: Element: " before the message, unless the reader already
 * named the file. */
static int
where(struct err *e, const char *name, xmlNodePtr n)
{
	size_t l = strlen(name);

	if (strncmp(e->msg, name, l) == 0 && e->msg[l] == ':')
		return -1;
	return err_prefix(e, "%s:%ld: %s", name, xmlGetLineNo(n),
	    (const char *)n->name);
}

static int
import_unit(struct store *s, xmlNodePtr n, const char *name,
    const char *region, struct store_import_stats *st, struct err *e)
{
	struct unit u;
	char *bytes = NULL;
	size_t len;
	const char *home;
	int rc = -1;

	memset(&u, 0, sizeof(u));
	if (model_unit_read(n, &u, e) == -1 || model_unit_check(&u, e) == -1)
		goto fail;
	home = u.home_region[0] ? u.home_region : u.region;
	if (region != NULL && strcmp(home, region) != 0) {
		err_set(e, ERR_INPUT, "unit %s belongs to region %s, not %s "
		    "(--allow-foreign-units imports another region's units)",
		    u.id, home, region[0] ? region : "this node's (it keeps "
		    "no region)");
		goto fail;
	}
	if (store_element_bytes(n, &bytes, &len, e) == -1 ||
	    store_unit_put(s, &u, bytes, len, e) == -1)
		goto fail;
	st->units++;
	rc = 0;
	goto done;
fail:
	where(e, name, n);
done:
	xmlFree(bytes);
	return rc;
}

/* A joint procurement belongs to every region that procures with it. */
static int
procurement_of(const struct procurement *p, const char *region)
{
	int i;

	if (strcmp(p->region, region) == 0)
		return 1;
	for (i = 0; i < p->njoint; i++)
		if (strcmp(p->joint[i], region) == 0)
			return 1;
	return 0;
}

static int
import_procurement(struct store *s, xmlNodePtr n, const char *name,
    const char *region, struct store_import_stats *st, struct err *e)
{
	struct procurement p;
	char *bytes = NULL;
	size_t len;
	int rc = -1;

	memset(&p, 0, sizeof(p));
	if (model_procurement_read(n, &p, e) == -1 ||
	    model_procurement_check(&p, e) == -1)
		goto fail;
	if (region != NULL && !procurement_of(&p, region)) {
		err_set(e, ERR_INPUT, "procurement definition %s belongs to "
		    "region %s, not %s (--allow-foreign-units imports another "
		    "region's)", p.id, p.region, region[0] ? region :
		    "this node's (it keeps no region)");
		goto fail;
	}
	if (store_element_bytes(n, &bytes, &len, e) == -1 ||
	    store_procurement_put(s, &p, bytes, len, e) == -1)
		goto fail;
	st->procurements++;
	rc = 0;
	goto done;
fail:
	where(e, name, n);
done:
	model_procurement_clear(&p);
	xmlFree(bytes);
	return rc;
}

int
store_element_is_signed(xmlNodePtr n)
{
	xmlNodePtr c;

	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && c->ns != NULL &&
		    strcmp((const char *)c->ns->href, DSIG_NS) == 0)
			return 1;
	return 0;
}

/* A signed record is verified as a standalone document (the bytes kept),
 * exactly as the receiving endpoint does. */
static int
import_record(struct store *s, xmlNodePtr n, const char *name,
    const struct store_import_opts *o, struct store_import_stats *st,
    struct err *e)
{
	struct supervision_record r;
	struct dsig_info info;
	xmlDocPtr doc = NULL;
	char *bytes = NULL;
	size_t len;
	int isnew, rc = -1;

	memset(&r, 0, sizeof(r));
	if (store_element_bytes(n, &bytes, &len, e) == -1)
		goto fail;
	if (store_element_is_signed(n)) {
		if (o->verifier == NULL) {
			err_set(e, ERR_INPUT, "a signed SupervisionRecord "
			    "needs a trust list to be verified: import it "
			    "through the node (-s) or give --trust and "
			    "--anchor");
			goto fail;
		}
		if ((doc = xml_parse(bytes, len, name, &xml_limits_wire,
		    e)) == NULL || verifier_record(o->verifier, doc, o->now,
		    &r, &info, e) == -1 || model_record_check_id(&r, e) == -1 ||
		    store_record_put_signed(s, &r, bytes, len,
		    info.content_digest, info.member_id, &isnew, NULL,
		    e) == -1)
			goto fail;
	} else if (model_record_read(n, &r, e) == -1 ||
	    model_record_check(&r, e) == -1 ||
	    model_record_check_id(&r, e) == -1 ||
	    store_record_put(s, &r, bytes, len, &isnew, e) == -1)
		goto fail;
	if (isnew)
		st->records++;
	else
		st->records_known++;
	rc = 0;
	goto done;
fail:
	where(e, name, n);
done:
	xmlFreeDoc(doc);
	xmlFree(bytes);
	return rc;
}

static int
import_elem(struct store *s, xmlNodePtr n, const char *name,
    const struct store_import_opts *o, struct store_import_stats *st,
    struct err *e)
{
	if (xml_is(n, "Unit"))
		return import_unit(s, n, name, o->region, st, e);
	if (xml_is(n, "ProcurementDefinition"))
		return import_procurement(s, n, name, o->region, st, e);
	if (xml_is(n, "SupervisionRecord"))
		return import_record(s, n, name, o, st, e);
	return 0;
}

int
store_import_doc(struct store *s, xmlDocPtr doc, const char *name,
    const struct store_import_opts *o, struct store_import_stats *st,
    struct err *e)
{
	const char *region = o->region;
	xmlNodePtr root, n;
	xmlChar *meant;

	if ((root = xmlDocGetRootElement(doc)) == NULL)
		return err_set(e, ERR_INPUT, "%s: no root element", name);
	if (!xml_is(root, "Dataset")) {
		if (!xml_is(root, "Unit") &&
		    !xml_is(root, "ProcurementDefinition") &&
		    !xml_is(root, "SupervisionRecord"))
			return err_set(e, ERR_SCHEMA, "%s:%ld: %s: not a "
			    "Dataset, Unit, ProcurementDefinition or "
			    "SupervisionRecord", name, xmlGetLineNo(root),
			    (const char *)root->name);
		return import_elem(s, root, name, o, st, e);
	}
	/* A Dataset may say which region it is meant for. */
	if (region != NULL &&
	    (meant = xmlGetNoNsProp(root, (const xmlChar *)"region")) != NULL) {
		int differ = strcmp((const char *)meant, region) != 0;

		if (differ)
			err_set(e, ERR_INPUT, "%s:%ld: Dataset: meant for region "
			    "%s, not %s", name, xmlGetLineNo(root),
			    (const char *)meant, region);
		xmlFree(meant);
		if (differ)
			return -1;
	}
	for (n = xml_first_elem(root); n != NULL; n = xml_next_elem(n))
		if (import_elem(s, n, name, o, st, e) == -1)
			return -1;
	return 0;
}
