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
	char	msg[448];
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

/*
 * libxml2's facet messages name a regular expression or a set in schema
 * syntax.  What the person who wrote the document needs is the form the
 * value must have, so the known types say it in words (found by the
 * type's name or by its pattern, as the message has one or the other).
 */
struct value_form {
	const char	*type;		/* simpleType name in LASTERI_NS */
	const char	*pattern;	/* its xs:pattern, exactly, or NULL */
	const char	*form;
};

static const struct value_form value_forms[] = {
	{ "Date", "[0-9]{4}-[0-9]{2}-[0-9]{2}",
	    "a date YYYY-MM-DD (2026-09-15)" },
	{ "DateTime", ".+(Z|[+\\-][0-9]{2}:[0-9]{2})",
	    "a date and time with its zone, YYYY-MM-DDThh:mm:ssZ or "
	    "+hh:mm (2026-09-15T10:00:00Z)" },
	{ "YTunnus", "[0-9]{7}-[0-9]",
	    "a Y-tunnus: seven digits, a hyphen and a check digit "
	    "(2345678-0)" },
	{ "AuthorityCode", "HVA-(0[1-9]|1[0-9]|2[01]|90)|LVV|"
	    "AVI-(ES|LS|LSS|ISA|PSA|LA)|VALVIRA|EOA|OKV",
	    "an issuer code: HVA-NN (NN a region code, 01 to 21 or 90), LVV, "
	    "AVI-ES, AVI-LS, AVI-LSS, AVI-ISA, AVI-PSA, AVI-LA, VALVIRA, EOA "
	    "or OKV" },
	{ "RegionCode", "0[1-9]|1[0-9]|2[01]|90",
	    "a region code: 01 to 21, or 90" },
	{ "MunicipalityCode", "[0-9]{3}",
	    "a municipality code: three digits" },
	{ "LanguageCode", "[a-z]{2}",
	    "a language code: two lower-case letters (fi, sv)" },
	{ "Id", "[A-Za-z0-9][A-Za-z0-9._:\\-]{0,63}",
	    "an Id: a letter or a digit, then at most 63 letters, digits, "
	    "'.', '_', ':' or '-'" },
	{ "LotRef", "[A-Za-z0-9][A-Za-z0-9._:\\-]{0,63}/"
	    "[A-Za-z0-9][A-Za-z0-9._:\\-]{0,63}",
	    "a lot: PROCUREMENT-ID/LOT-ID" },
	{ "Money", NULL, "an amount in euros, not negative, at most two "
	    "decimals (1234.50)" },
	{ "Count", NULL, "a whole number, not negative" },
	{ "Age", NULL, "an age in whole years, 0 to 17" },
	{ "Percent", NULL, "a percentage, 0 to 100" },
	/* XML Schema's own types */
	{ "xs:int", NULL, "a whole number" },
	{ "xs:integer", NULL, "a whole number" },
	{ "xs:nonNegativeInteger", NULL, "a whole number, not "
	    "negative" },
	{ "xs:decimal", NULL, "a decimal number (12.50)" },
	{ "xs:boolean", NULL, "true or false" },
	{ "xs:date", NULL, "a date YYYY-MM-DD (2026-09-15)" },
	{ "xs:dateTime", NULL, "a date and time, "
	    "YYYY-MM-DDThh:mm:ssZ" },
};

#define NFORMS	(sizeof(value_forms) / sizeof(value_forms[0]))

/* Copies the text of msg from the end of prefix up to the next occurrence
 * of sep into buf; returns the rest of msg after sep, or NULL. */
static const char *
between(const char *msg, const char *prefix, const char *sep, char *buf,
    size_t len)
{
	const char *p, *end;
	size_t n;

	if ((p = strstr(msg, prefix)) == NULL)
		return NULL;
	p += strlen(prefix);
	if ((end = strstr(p, sep)) == NULL)
		return NULL;
	n = (size_t)(end - p);
	if (n >= len)
		n = len - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return end + strlen(sep);
}

/* A value as quoted in a message: at most 60 characters. */
static void
quote_value(char *dst, size_t size, const char *v)
{
	if (strlen(v) > 60)
		snprintf(dst, size, "'%.57s...'", v);
	else
		snprintf(dst, size, "'%s'", v);
}

/* The set of an enumeration facet, "'a', 'b', 'c'", as "a, b or c". */
static void
set_words(char *dst, size_t size, const char *set)
{
	const char *p = set, *end;
	size_t off = 0, n;
	int k = 0, r;

	dst[0] = '\0';
	while ((p = strchr(p, '\'')) != NULL &&
	    (end = strchr(p + 1, '\'')) != NULL) {
		n = (size_t)(end - p - 1);
		r = snprintf(dst + off, size - off, "%s%.*s",
		    k == 0 ? "" : strchr(end + 1, '\'') != NULL ? ", " :
		    " or ", (int)n, p + 1);
		if (r < 0 || (size_t)r >= size - off) {
			dst[size - 1] = '\0';
			return;
		}
		off += (size_t)r;
		k++;
		p = end + 1;
	}
}

static const char *
form_of(const char *type, const char *pattern)
{
	size_t i, ns = strlen("{" LASTERI_NS "}");

	if (type != NULL && strncmp(type, "{" LASTERI_NS "}", ns) == 0)
		type += ns;
	for (i = 0; i < NFORMS; i++) {
		if (type != NULL && strcmp(type, value_forms[i].type) == 0)
			return value_forms[i].form;
		if (pattern != NULL && value_forms[i].pattern != NULL &&
		    strcmp(pattern, value_forms[i].pattern) == 0)
			return value_forms[i].form;
	}
	return NULL;
}

/*
 * Puts libxml2's raw value messages into words (into dst); leaves any
 * other message as it is.  Exposed for tests as schema_message_words().
 */
void
schema_message_words(char *dst, size_t size, const char *msg)
{
	char value[256], q[80], arg[512], set[400];
	const char *form, *rest;

	if (strncmp(msg, "[facet 'pattern'] ", 18) == 0 &&
	    (rest = between(msg, "The value '", "' is not accepted by the "
	    "pattern '", value, sizeof(value))) != NULL) {
		snprintf(arg, sizeof(arg), "%s", rest);
		if (strlen(arg) >= 2 && strcmp(arg + strlen(arg) - 2, "'.") == 0)
			arg[strlen(arg) - 2] = '\0';
		quote_value(q, sizeof(q), value);
		if ((form = form_of(NULL, arg)) != NULL)
			snprintf(dst, size, "%s is not %s", q, form);
		else
			snprintf(dst, size, "%s does not have the form this "
			    "field needs (the pattern %s)", q, arg);
		return;
	}
	if (strncmp(msg, "[facet 'enumeration'] ", 22) == 0 &&
	    between(msg, "The value '", "' is not an element of the set {",
	    value, sizeof(value)) != NULL &&
	    between(msg, "is not an element of the set {", "}.", arg,
	    sizeof(arg)) != NULL) {
		quote_value(q, sizeof(q), value);
		set_words(set, sizeof(set), arg);
		snprintf(dst, size, "%s is not one of the allowed values: %s",
		    q, set);
		return;
	}
	if (msg[0] == '\'' && (between(msg, "'", "' is not a valid value of "
	    "the atomic type '", value, sizeof(value)) != NULL ||
	    between(msg, "'", "' is not a valid value of the local atomic "
	    "type", value, sizeof(value)) != NULL)) {
		if (between(msg, "of the atomic type '", "'.", arg,
		    sizeof(arg)) == NULL)
			arg[0] = '\0';
		quote_value(q, sizeof(q), value);
		if ((form = form_of(arg, NULL)) != NULL) {
			snprintf(dst, size, "%s is not %s", q, form);
			return;
		}
	}
	if (strncmp(msg, "[facet 'maxLength'] ", 20) == 0 &&
	    between(msg, "has a length of '", "'", value,
	    sizeof(value)) != NULL &&
	    between(msg, "maximum length of '", "'", arg, sizeof(arg)) != NULL) {
		snprintf(dst, size, "the value is %s characters long; at most "
		    "%s are allowed", value, arg);
		return;
	}
	if (strncmp(msg, "[facet 'minLength'] ", 20) == 0 &&
	    between(msg, "has a length of '", "'", value,
	    sizeof(value)) != NULL &&
	    between(msg, "minimum length of '", "'", arg, sizeof(arg)) != NULL) {
		snprintf(dst, size, "the value is %s characters long; at "
		    "least %s are needed", value, arg);
		return;
	}
	if ((strncmp(msg, "[facet 'maxInclusive'] ", 23) == 0 ||
	    strncmp(msg, "[facet 'minInclusive'] ", 23) == 0) &&
	    between(msg, "The value '", "' is ", value,
	    sizeof(value)) != NULL &&
	    between(msg, "allowed ('", "')", arg, sizeof(arg)) != NULL) {
		quote_value(q, sizeof(q), value);
		snprintf(dst, size, "%s is %s than %s, the %s allowed", q,
		    msg[9] == 'a' ? "more" : "less", arg,
		    msg[9] == 'a' ? "most" : "least");
		return;
	}
	snprintf(dst, size, "%s", msg);
}

/* Keeps libxml2's message without the "Element '{ns}X': " prefix (the
 * element is named separately) and without the trailing newline, in
 * words (schema_message_words). */
static void
first_message(char *dst, size_t size, const char *msg)
{
	char raw[1024];
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
	snprintf(raw, sizeof(raw), "%s", msg);
	n = strlen(raw);
	while (n > 0 && (raw[n - 1] == '\n' || raw[n - 1] == ' '))
		raw[--n] = '\0';
	/* "attribute 'a': why": the attribute stays named */
	if (strncmp(raw, "attribute '", 11) == 0 &&
	    (p = strstr(raw + 11, "': ")) != NULL) {
		n = (size_t)(p + 3 - raw);
		if (n < size) {
			memcpy(dst, raw, n);
			schema_message_words(dst + n, size - n, p + 3);
			return;
		}
	}
	schema_message_words(dst, size, raw);
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
