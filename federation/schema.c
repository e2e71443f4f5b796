/*
 * schema.c - validation against the compiled XSDs of schemas/xsd/.
 *
 * lasteri.xsd (which includes every document schema) is compiled once under
 * pthread_once and kept for the life of the process.  A compiled
 * xmlSchema is read only during validation, so each call makes its own
 * validation context and any number of threads may validate at once.  The
 * external entity loader installed by xml_init() refuses the network, so
 * compiling the schemas touches only the local XSD files.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include "model.h"
#include "schema.h"
#include "xml.h"

#define SCHEMA_MAIN	"lasteri.xsd"

static pthread_once_t	 schema_once = PTHREAD_ONCE_INIT;
static xmlSchemaPtr	 schema_compiled;
static struct err	 schema_init_err;
static char		 schema_dirbuf[1024];

/* The first error of a compilation or a validation. */
struct schema_first {
	int	have;
	int	line;
	char	file[256];
	char	elem[64];
	char	msg[384];
};

const char *
schema_dir(void)
{
	const char *d;
	char probe[1100];

	if ((d = getenv("LASTERI_XSD_DIR")) != NULL && *d != '\0')
		return d;
	snprintf(probe, sizeof(probe), "%s/%s", LASTERI_XSDDIR, SCHEMA_MAIN);
	if (access(probe, R_OK) == 0)
		return LASTERI_XSDDIR;
	return LASTERI_SRC_XSDDIR;
}

/* Keeps libxml2's message without the "Element '{ns}X': " prefix (the
 * element is named separately) and without the trailing newline. */
static void
first_message(char *dst, size_t size, const char *msg)
{
	const char *p;
	size_t n;

	if (msg == NULL)
		msg = "invalid";
	/* "Element '{ns}X': why" or "Element '{ns}X', attribute 'a': why" */
	if (strncmp(msg, "Element '", 9) == 0 &&
	    (p = strchr(msg + 9, '\'')) != NULL) {
		if (strncmp(p, "': ", 3) == 0)
			msg = p + 3;
		else if (strncmp(p, "', attribute '", 14) == 0)
			msg = p + 3;
	}
	snprintf(dst, size, "%s", msg);
	n = strlen(dst);
	while (n > 0 && (dst[n - 1] == '\n' || dst[n - 1] == ' '))
		dst[--n] = '\0';
}

static void
first_error(void *ctx, xmlErrorPtr err)
{
	struct schema_first *f = ctx;
	xmlNodePtr n;

	if (f->have || err == NULL || err->level == XML_ERR_WARNING)
		return;
	f->have = 1;
	f->line = err->line;
	snprintf(f->file, sizeof(f->file), "%s",
	    err->file != NULL ? err->file : "");
	n = err->node;
	if (n != NULL && n->type == XML_ELEMENT_NODE) {
		snprintf(f->elem, sizeof(f->elem), "%s", (const char *)n->name);
		if (f->line <= 0)
			f->line = (int)xmlGetLineNo(n);
	} else if (n != NULL && n->type == XML_ATTRIBUTE_NODE &&
	    n->parent != NULL) {
		snprintf(f->elem, sizeof(f->elem), "%s/@%s",
		    (const char *)n->parent->name, (const char *)n->name);
		if (f->line <= 0)
			f->line = (int)xmlGetLineNo(n->parent);
	} else
		snprintf(f->elem, sizeof(f->elem), "(document)");
	first_message(f->msg, sizeof(f->msg), err->message);
}

static void
schema_compile(void)
{
	xmlSchemaParserCtxtPtr pctxt = NULL;
	struct schema_first f;
	char path[1100];

	xml_init();
	memset(&f, 0, sizeof(f));
	snprintf(schema_dirbuf, sizeof(schema_dirbuf), "%s", schema_dir());
	snprintf(path, sizeof(path), "%s/%s", schema_dirbuf, SCHEMA_MAIN);
	if (access(path, R_OK) == -1) {
		err_set(&schema_init_err, ERR_IO, "%s: cannot read the schema "
		    "(set LASTERI_XSD_DIR)", path);
		return;
	}
	if ((pctxt = xmlSchemaNewParserCtxt(path)) == NULL) {
		err_set(&schema_init_err, ERR_NOMEM, "%s: out of memory", path);
		return;
	}
	xmlSchemaSetParserStructuredErrors(pctxt, first_error, &f);
	schema_compiled = xmlSchemaParse(pctxt);
	xmlSchemaFreeParserCtxt(pctxt);
	if (schema_compiled == NULL || f.have) {
		if (schema_compiled != NULL) {
			xmlSchemaFree(schema_compiled);
			schema_compiled = NULL;
		}
		err_set(&schema_init_err, ERR_SCHEMA, "%s:%d: %s",
		    f.file[0] != '\0' ? f.file : path, f.line,
		    f.have ? f.msg : "the schema does not compile");
	}
}

int
schema_init(struct err *e)
{
	pthread_once(&schema_once, schema_compile);
	if (schema_compiled == NULL) {
		if (e != NULL)
			*e = schema_init_err;
		return -1;
	}
	return 0;
}

static int
root_allowed(xmlNodePtr root, const char *const *roots)
{
	int i;

	if (roots == NULL)
		return 1;
	for (i = 0; roots[i] != NULL; i++)
		if (xml_is(root, roots[i]))
			return 1;
	return 0;
}

int
schema_validate(xmlDocPtr doc, const char *name, const char *const *roots,
    struct err *e)
{
	xmlSchemaValidCtxtPtr vctxt = NULL;
	xmlNodePtr root;
	struct schema_first f;
	char want[256];
	size_t l;
	int rc = -1, r, i;

	if (name == NULL)
		name = "document";
	if (schema_init(e) == -1)
		goto done;
	if ((root = xmlDocGetRootElement(doc)) == NULL) {
		err_set(e, ERR_SCHEMA, "%s:1: (document): no root element", name);
		goto done;
	}
	if (!root_allowed(root, roots)) {
		want[0] = '\0';
		for (i = 0; roots[i] != NULL; i++) {
			l = strlen(want);
			snprintf(want + l, sizeof(want) - l, "%s%s",
			    i > 0 ? " or " : "", roots[i]);
		}
		err_set(e, ERR_SCHEMA, "%s:%ld: %s: unexpected root element "
		    "(wanted %s in namespace %s)", name, xmlGetLineNo(root),
		    (const char *)root->name, want, LASTERI_NS);
		goto done;
	}
	if ((vctxt = xmlSchemaNewValidCtxt(schema_compiled)) == NULL) {
		err_set(e, ERR_NOMEM, "%s: out of memory", name);
		goto done;
	}
	memset(&f, 0, sizeof(f));
	xmlSchemaSetValidStructuredErrors(vctxt, first_error, &f);
	r = xmlSchemaValidateDoc(vctxt, doc);
	if (r != 0 || f.have) {
		if (f.have)
			err_set(e, ERR_SCHEMA, "%s:%d: %s: %s", name, f.line,
			    f.elem, f.msg);
		else
			err_set(e, ERR_SCHEMA, "%s: does not validate "
			    "(internal error %d)", name, r);
		goto done;
	}
	rc = 0;
done:
	xmlSchemaFreeValidCtxt(vctxt);
	return rc;
}
