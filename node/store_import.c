/*
 * store_import.c - the elements of a validated document into the store (see
 * store_import.h).  No SQL here: it reads, checks and calls the store's puts.
 *
 * Exact bytes: each element is copied into a document of its own (libxml2
 * declares on the copy the namespaces it used from its ancestors) and
 * canonicalised with exclusive C14N, the same transform a signature covers;
 * a document's root needs no copy (c14n_fast() writes the same bytes in
 * place, or declines and the copy is made).
 * Re-serialising a whole file would tie a record's digest to the file's
 * indentation and to where its namespaces were declared; the canonical form
 * of the element does not.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <libxml/xmlmemory.h>

#include "c14n.h"
#include "dsig.h"

#include "model.h"
#include "schema.h"
#include "store_import.h"
#include "verifier.h"
#include "xml.h"

#define DSIG_NS	"http://www.w3.org/2000/09/xmldsig#"

/* A growing xmlMalloc'd buffer for c14n_fast()'s output. */
struct membuf {
	unsigned char	*p;
	size_t		 len, cap;
};

static int
membuf_sink(void *arg, const unsigned char *p, size_t n)
{
	struct membuf *b = arg;
	unsigned char *np;
	size_t cap;

	if (n >= SIZE_MAX / 2 - b->len)
		return -1;
	if (b->len + n + 1 > b->cap) {
		for (cap = b->cap != 0 ? b->cap : 4096; cap < b->len + n + 1;)
			cap *= 2;
		if ((np = xmlRealloc(b->p, cap)) == NULL)
			return -1;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int
store_element_bytes(xmlNodePtr n, char **out, size_t *len, struct err *e)
{
	struct membuf b = { NULL, 0, 0 };
	xmlDocPtr doc = NULL;
	xmlNodePtr copy;
	int rc = -1, r;

	*out = NULL;
	*len = 0;
	/* A document's root (a record received or issued): c14n.h's walk
	 * writes, in place, the bytes that libxml2 writes for the copy
	 * below (the root as the only child: no copy to make), or declines
	 * and the copy is made after all. */
	if (n->doc != NULL && n == xmlDocGetRootElement(n->doc)) {
		if ((r = c14n_fast(n->doc, n, NULL, membuf_sink, &b)) == 0) {
			*out = (char *)b.p;
			*len = b.len;
			return 0;
		}
		xmlFree(b.p);
		if (r == -1)
			return err_set(e, ERR_NOMEM, "canonicalising element "
			    "%s: out of memory", (const char *)n->name);
	}
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

/* A Dataset may say which region it is meant for. */
static int
dataset_region(xmlNodePtr root, const char *name, const char *region,
    struct err *e)
{
	xmlChar *meant;
	int differ;

	if (region == NULL ||
	    (meant = xmlGetNoNsProp(root, (const xmlChar *)"region")) == NULL)
		return 0;
	differ = strcmp((const char *)meant, region) != 0;
	if (differ)
		err_set(e, ERR_INPUT, "%s:%ld: Dataset: meant for region %s, "
		    "not %s", name, xmlGetLineNo(root), (const char *)meant,
		    region);
	xmlFree(meant);
	return differ ? -1 : 0;
}

int
store_import_doc(struct store *s, xmlDocPtr doc, const char *name,
    const struct store_import_opts *o, struct store_import_stats *st,
    struct err *e)
{
	xmlNodePtr root, n;

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
	if (dataset_region(root, name, o->region, e) == -1)
		return -1;
	for (n = xml_first_elem(root); n != NULL; n = xml_next_elem(n))
		if (import_elem(s, n, name, o, st, e) == -1)
			return -1;
	return 0;
}

/* --- streaming ------------------------------------------------------------ */

/*
 * A streamed import sees a Dataset one child at a time, so what the schema
 * says about the Dataset as a whole is checked here, with the schema's own
 * words: its attributes (a childless copy of it is validated), its children
 * (Unit*, ProcurementDefinition*, SupervisionRecord* in that order, nothing
 * else, no character content) and its xs:unique constraints (one Id once
 * per kind).  Each child is validated against the schemas as the root of
 * its own document, which is what validating it inside the Dataset does
 * (the Dataset refers to the global declarations).  The Ids seen are the
 * only thing kept from one child to the next.
 */

static const char *const import_roots[] = { "Dataset", "Unit",
    "ProcurementDefinition", "SupervisionRecord", NULL };

#define KINDS	3
static const char *const kind_name[KINDS] = { "Unit",
    "ProcurementDefinition", "SupervisionRecord" };
static const char *const kind_unique[KINDS] = { "UniqueUnitId",
    "UniqueProcurementId", "UniqueRecordId" };
static const char *const kind_expected[KINDS] = {
	"one of ( {" LASTERI_NS "}Unit, {" LASTERI_NS "}ProcurementDefinition, "
	    "{" LASTERI_NS "}SupervisionRecord )",
	"one of ( {" LASTERI_NS "}ProcurementDefinition, {" LASTERI_NS
	    "}SupervisionRecord )",
	"( {" LASTERI_NS "}SupervisionRecord )"
};

/* A set of strings (open addressing, FNV-1a). */
struct idset {
	char	**slot;
	size_t	  cap;		/* a power of two, or 0 */
	size_t	  n;
};

static size_t
idset_hash(const char *k)
{
	size_t h = (size_t)14695981039346656037ULL;

	for (; *k != '\0'; k++)
		h = (h ^ (unsigned char)*k) * (size_t)1099511628211ULL;
	return h;
}

/* 1 if id was in the set, 0 when added, -1 out of memory. */
static int
idset_add(struct idset *set, const char *id)
{
	char **ns, **old = set->slot;
	size_t i, j, oldcap = set->cap;

	if (2 * (set->n + 1) > set->cap) {
		set->cap = set->cap == 0 ? 256 : 2 * set->cap;
		if ((ns = calloc(set->cap, sizeof(*ns))) == NULL) {
			set->cap = oldcap;
			return -1;
		}
		for (i = 0; i < oldcap; i++) {
			if (old[i] == NULL)
				continue;
			for (j = idset_hash(old[i]) & (set->cap - 1);
			    ns[j] != NULL; j = (j + 1) & (set->cap - 1))
				;
			ns[j] = old[i];
		}
		free(old);
		set->slot = ns;
	}
	for (j = idset_hash(id) & (set->cap - 1); set->slot[j] != NULL;
	    j = (j + 1) & (set->cap - 1))
		if (strcmp(set->slot[j], id) == 0)
			return 1;
	if ((set->slot[j] = strdup(id)) == NULL)
		return -1;
	set->n++;
	return 0;
}

static void
idset_free(struct idset *set)
{
	size_t i;

	for (i = 0; i < set->cap; i++)
		free(set->slot[i]);
	free(set->slot);
	memset(set, 0, sizeof(*set));
}

struct import_stream {
	struct store			*s;
	const char			*name;
	const struct store_import_opts	*o;
	struct store_import_stats	*st;
	int				 dataset;	/* root is one */
	long				 root_line;
	int				 rank;		/* last kind */
	struct idset			 ids[KINDS];
};

static int
kind_of(xmlNodePtr n)
{
	int k;

	for (k = 0; k < KINDS; k++)
		if (xml_is(n, kind_name[k]))
			return k;
	return -1;
}

static int
stream_root(void *arg, xmlNodePtr root, struct err *e)
{
	struct import_stream *is = arg;

	is->root_line = xmlGetLineNo(root);
	if (kind_of(root) >= 0)
		return 0;	/* validated whole when it has been read */
	/* The Dataset's attributes (it may have no children); any other
	 * root is refused here as the schema refuses it. */
	if (schema_validate(root->doc, is->name, import_roots, e) == -1)
		return -1;
	is->dataset = 1;
	return dataset_region(root, is->name, is->o->region, e);
}

/* The Id of n as xs:token compares it: without surrounding blanks. */
static int
unique_id(struct import_stream *is, xmlNodePtr n, int k, struct err *e)
{
	xmlChar *v;
	char *id, *end;
	int r;

	if ((v = xmlGetNoNsProp(n, (const xmlChar *)"Id")) == NULL)
		return 0;	/* the schema requires one */
	for (id = (char *)v; *id == ' ' || *id == '\t' || *id == '\r' ||
	    *id == '\n'; id++)
		;
	for (end = id + strlen(id); end > id && (end[-1] == ' ' ||
	    end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'); end--)
		;
	*end = '\0';
	if ((r = idset_add(&is->ids[k], id)) == 1)
		err_set(e, ERR_SCHEMA, "%s:%ld: %s: Duplicate key-sequence "
		    "['%s'] in unique identity-constraint '{%s}%s'.", is->name,
		    xmlGetLineNo(n), (const char *)n->name, id, LASTERI_NS,
		    kind_unique[k]);
	else if (r == -1)
		err_set(e, ERR_NOMEM, "%s:%ld: %s: out of memory", is->name,
		    xmlGetLineNo(n), (const char *)n->name);
	xmlFree(v);
	return r == 0 ? 0 : -1;
}

static int
stream_element(void *arg, xmlDocPtr doc, struct err *e)
{
	struct import_stream *is = arg;
	const char *roots[2] = { NULL, NULL };
	xmlNodePtr n = xmlDocGetRootElement(doc);
	int k;

	if (is->o->stop != NULL && __atomic_load_n(is->o->stop,
	    __ATOMIC_RELAXED))
		return err_set(e, ERR_INTERNAL, "%s:%ld: %s: the node is "
		    "stopping; nothing was imported", is->name,
		    xmlGetLineNo(n), (const char *)n->name);
	if (!is->dataset)
		return schema_validate(doc, is->name, import_roots, e) == -1 ?
		    -1 : import_elem(is->s, n, is->name, is->o, is->st, e);
	if ((k = kind_of(n)) < is->rank)
		return err_set(e, ERR_SCHEMA, "%s:%ld: %s: This element is not "
		    "expected. Expected is %s.", is->name, xmlGetLineNo(n),
		    (const char *)n->name, kind_expected[is->rank]);
	is->rank = k;
	roots[0] = kind_name[k];
	if (schema_validate(doc, is->name, roots, e) == -1 ||
	    unique_id(is, n, k, e) == -1)
		return -1;
	return import_elem(is->s, n, is->name, is->o, is->st, e);
}

static int
stream_text(void *arg, long line, struct err *e)
{
	struct import_stream *is = arg;

	(void)line;	/* the schema names the Dataset's line */
	return err_set(e, ERR_SCHEMA, "%s:%ld: Dataset: Character content "
	    "other than whitespace is not allowed because the content type is "
	    "'element-only'.", is->name, is->root_line);
}

static const struct xml_stream_cb import_cb = {
	stream_root, stream_element, stream_text
};

int
store_import_buf(struct store *s, const char *buf, size_t len,
    const char *name, const struct store_import_opts *o,
    struct store_import_stats *st, struct err *e)
{
	struct import_stream is;
	int k, rc;

	memset(&is, 0, sizeof(is));
	is.s = s;
	is.name = name;
	is.o = o;
	is.st = st;
	rc = xml_stream_parse(buf, len, name, &xml_limits_import, "Dataset",
	    &import_cb, &is, e);
	for (k = 0; k < KINDS; k++)
		idset_free(&is.ids[k]);
	return rc;
}

int
store_import_file(struct store *s, const char *path,
    const struct store_import_opts *o, struct store_import_stats *st,
    struct err *e)
{
	struct import_stream is;
	int k, rc;

	memset(&is, 0, sizeof(is));
	is.s = s;
	is.name = path;
	is.o = o;
	is.st = st;
	rc = xml_stream_read_file(path, &xml_limits_import, "Dataset",
	    &import_cb, &is, e);
	for (k = 0; k < KINDS; k++)
		idset_free(&is.ids[k]);
	return rc;
}
