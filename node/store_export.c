/*
 * store_export.c - a Dataset document from the store (see store_export.h).
 * Each stored document is parsed and its root copied under the Dataset,
 * one per line, with the namespace declaration the Dataset already makes
 * dropped from the copy.
 */
#include "config.h"

#include <stdio.h>
#include <time.h>

#include <libxml/tree.h>

#include "model.h"
#include "schema.h"
#include "store.h"
#include "store_export.h"
#include "xml.h"

struct export_ctx {
	xmlDocPtr	doc;
	xmlNodePtr	root;
	long		n;
};

static void
remap_ns(xmlNodePtr n, xmlNsPtr from, xmlNsPtr to)
{
	xmlNodePtr c;
	xmlAttrPtr a;

	if (n->type != XML_ELEMENT_NODE)
		return;
	if (n->ns == from)
		n->ns = to;
	for (a = n->properties; a != NULL; a = a->next)
		if (a->ns == from)
			a->ns = to;
	for (c = n->children; c != NULL; c = c->next)
		remap_ns(c, from, to);
}

/* A stored document declares urn:lasteri:1 on its root; once the root is a
 * child of the Dataset, which declares it too, that declaration is noise:
 * point the copy at the Dataset's and drop it. */
static void
drop_redundant_ns(xmlNodePtr copy, xmlNsPtr keep)
{
	xmlNsPtr *pp, ns;

	for (pp = &copy->nsDef; (ns = *pp) != NULL; ) {
		if (ns->prefix == NULL && keep->prefix == NULL &&
		    xmlStrEqual(ns->href, keep->href)) {
			remap_ns(copy, ns, keep);
			*pp = ns->next;
			ns->next = NULL;
			xmlFreeNs(ns);
		} else
			pp = &ns->next;
	}
}

/* Appends a copy of the stored document's root to the Dataset. */
static int
export_one(void *arg, const char *id, const char *xml, size_t len,
    struct err *e)
{
	struct export_ctx *x = arg;
	xmlDocPtr in = NULL;
	xmlNodePtr copy = NULL, root;
	char name[ID_MAX + 32];
	int rc = -1;

	snprintf(name, sizeof(name), "stored %s", id);
	if ((in = xml_parse(xml, len, name, &xml_limits_import, e)) == NULL)
		goto done;
	if ((root = xmlDocGetRootElement(in)) == NULL) {
		err_set(e, ERR_DB, "%s: no element", name);
		goto done;
	}
	if ((copy = xmlDocCopyNode(root, x->doc, 1)) == NULL ||
	    xmlAddChild(x->root, xmlNewDocText(x->doc,
	    (const xmlChar *)"\n  ")) == NULL ||
	    xmlAddChild(x->root, copy) == NULL) {
		xmlFreeNode(copy);
		err_set(e, ERR_NOMEM, "%s: out of memory", name);
		goto done;
	}
	drop_redundant_ns(copy, x->root->ns);
	x->n++;
	rc = 0;
done:
	xmlFreeDoc(in);
	return rc;
}

int
store_export_dataset(struct store *s, int records, time_t when, char **out,
    size_t *len, struct err *e)
{
	static const char *const roots[] = { "Dataset", NULL };
	struct export_ctx x = { NULL, NULL, 0 };
	xmlNsPtr ns;
	char stamp[32];
	int rc = -1;

	xml_init();
	if ((x.doc = xmlNewDoc((const xmlChar *)"1.0")) == NULL ||
	    (x.root = xmlNewDocNode(x.doc, NULL, (const xmlChar *)"Dataset",
	    NULL)) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto done;
	}
	xmlDocSetRootElement(x.doc, x.root);
	if ((ns = xmlNewNs(x.root, (const xmlChar *)LASTERI_NS, NULL)) ==
	    NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto done;
	}
	xmlSetNs(x.root, ns);
	model_datetime_format(when, stamp);
	xmlNewProp(x.root, (const xmlChar *)"generated",
	    (const xmlChar *)stamp);
	if (store_foreach(s, STORE_UNIT, export_one, &x, e) == -1 ||
	    store_foreach(s, STORE_PROCUREMENT, export_one, &x, e) == -1 ||
	    (records &&
	    store_foreach(s, STORE_RECORD, export_one, &x, e) == -1))
		goto done;
	xmlAddChild(x.root, xmlNewDocText(x.doc, (const xmlChar *)"\n"));
	/* What we hand out must be what import accepts. */
	if (schema_validate(x.doc, "export", roots, e) == -1)
		goto done;
	if (xml_serialize(x.doc, out, len, e) == -1)
		goto done;
	rc = 0;
done:
	xmlFreeDoc(x.doc);
	return rc;
}
