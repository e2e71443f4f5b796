/*
 * c14n.c - exclusive C14N 1.0 without comments for the signature profile,
 * streamed to a sink (c14n.h), with libxml2's canonicaliser behind it.
 *
 * libxml2's xmlC14NExecute() spent 290,000 instructions of a 1,500,000
 * instruction verify on the two passes (a sorted xmlList malloc'd for every
 * element's namespaces and attributes, a malloc'd copy of every text and
 * attribute value to escape, xmlParseURI() of every declaration).  This walk
 * renders the same bytes from the same rules, read from libxml2 2.9.14's
 * c14n.c, and keeps its state in fixed tables:
 *
 *  - namespace axis (xmlExcC14NProcessNamespacesAxis): the element's
 *    namespace, or the default one xmlSearchNs() finds when it has none, and
 *    each attribute's namespace other than xml:, are rendered unless the
 *    stack of rendered namespaces already binds that prefix to that URI
 *    (an empty prefix bound to "" counts as rendered when nothing binds the
 *    prefix); each is pushed on the stack, popped when the element ends.
 *    ` xmlns=""` comes first when the element has no namespace, no
 *    declaration of an empty prefix applies and the stack binds the empty
 *    prefix to a URI.  Then the list in prefix order (none first).  The URI
 *    is written as libxml2 writes it: between double quotes, unescaped;
 *  - attributes (xmlC14NAttrsCompare): unqualified ones first, by name;
 *    then by namespace URI, then by name; values with & < " TAB LF CR
 *    escaped;
 *  - text and CDATA with & < > CR escaped; comments left out; an empty
 *    element as a start and an end tag;
 *  - a relative namespace URI (xmlParseURI() finds no scheme) fails the
 *    whole canonicalisation in libxml2.
 *
 * It declines (C14N_DECLINED) instead of rendering whatever libxml2 might
 * render otherwise or refuse: processing instructions, entity references,
 * any node type but element, text, CDATA and comment, attribute values that
 * are not plain text, a URI holding '"', a relative or unparsable namespace
 * URI, two attributes or two namespaces that sort equal (libxml2's order
 * between them depends on its list insertion), more than C14N_DEPTH_MAX
 * levels, C14N_ATTR_MAX attributes on one element or C14N_NS_MAX namespaces
 * in scope.  test_dsig checks the bytes against xmlC14NExecute() on the
 * corpus, hand-made cases and thousands of generated documents.
 */
#include "config.h"

#include <string.h>

#include <libxml/c14n.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <libxml/xmlIO.h>
#include <openssl/evp.h>

#include "c14n.h"
#include "dsig_internal.h"

#define C14N_OUT_MAX	4096	/* output gathered before the sink sees it */
#define C14N_NS_MAX	256	/* rendered-namespace stack */
#define C14N_ATTR_MAX	256	/* attributes of one element */
#define C14N_DEPTH_MAX	256
#define C14N_HREF_MEMO	8	/* URIs already found absolute */

struct c14n {
	xmlNodePtr	 skip;
	c14n_sink_fn	*sink;
	void		*arg;
	size_t		 len;
	int		 nns, nmemo;
	xmlNsPtr	 ns[C14N_NS_MAX];
	xmlNsPtr	 list[C14N_ATTR_MAX + 1];
	xmlAttrPtr	 attrs[C14N_ATTR_MAX];
	const xmlChar	*memo[C14N_HREF_MEMO];
	unsigned char	 out[C14N_OUT_MAX];
};

/* --- output --------------------------------------------------------------- */

static int
flush(struct c14n *c)
{
	size_t n = c->len;

	c->len = 0;
	if (n > 0 && c->sink(c->arg, c->out, n) == -1)
		return -1;
	return 0;
}

static int
put_slow(struct c14n *c, const void *p, size_t n)
{
	if (flush(c) == -1)
		return -1;
	if (n >= sizeof(c->out))
		return c->sink(c->arg, p, n);
	memcpy(c->out, p, n);
	c->len = n;
	return 0;
}

/* Inline: most pieces are a few bytes, literals of a known size. */
static inline int
put(struct c14n *c, const void *p, size_t n)
{
	if (n > sizeof(c->out) - c->len)
		return put_slow(c, p, n);
	memcpy(c->out + c->len, p, n);
	c->len += n;
	return 0;
}

static int
put_str(struct c14n *c, const xmlChar *s)
{
	return put(c, s, strlen((const char *)s));
}

#define PUT_LIT(c, lit)	put((c), (lit), sizeof(lit) - 1)

/* s with the characters in special replaced (xmlC11NNormalizeString). */
static int
put_escaped(struct c14n *c, const xmlChar *s, const char *special)
{
	const char *p = (const char *)s, *r;
	size_t n;

	for (;;) {
		n = strcspn(p, special);
		if (n > 0 && put(c, p, n) == -1)
			return -1;
		p += n;
		switch (*p) {
		case '\0':
			return 0;
		case '&':
			r = "&amp;";
			break;
		case '<':
			r = "&lt;";
			break;
		case '>':
			r = "&gt;";
			break;
		case '"':
			r = "&quot;";
			break;
		case '\t':
			r = "&#x9;";
			break;
		case '\n':
			r = "&#xA;";
			break;
		default:	/* '\r' */
			r = "&#xD;";
			break;
		}
		if (put(c, r, strlen(r)) == -1)
			return -1;
		p++;
	}
}

#define TEXT_SPECIAL	"&<>\r"
#define ATTR_SPECIAL	"&<\"\t\n\r"

/* --- the rules ------------------------------------------------------------- */

static int
is_empty(const xmlChar *s)
{
	return s == NULL || *s == '\0';
}

/* xmlStrEqual() with NULL as "" (xmlC14NStrEqual). */
static int
str_eq(const xmlChar *a, const xmlChar *b)
{
	return strcmp(a != NULL ? (const char *)a : "",
	    b != NULL ? (const char *)b : "") == 0;
}

/* xmlStrcmp(): NULL sorts before everything, also before "". */
static int
str_cmp(const xmlChar *a, const xmlChar *b)
{
	if (a == b)
		return 0;
	if (a == NULL)
		return -1;
	if (b == NULL)
		return 1;
	return strcmp((const char *)a, (const char *)b);
}

static int
is_xml_ns(xmlNsPtr ns)
{
	return ns != NULL && ns->prefix != NULL &&
	    strcmp((const char *)ns->prefix, "xml") == 0 && ns->href != NULL &&
	    strcmp((const char *)ns->href, (const char *)XML_XML_NAMESPACE) ==
	    0;
}

/* xmlExcC14NVisibleNsStackFind(): 1 when the nearest binding of prefix on
 * the stack is to href, or nothing binds the empty prefix and href is "". */
static int
rendered(const struct c14n *c, const xmlChar *prefix, const xmlChar *href)
{
	int i;

	for (i = c->nns - 1; i >= 0; i--)
		if (str_eq(prefix, c->ns[i]->prefix))
			return str_eq(href, c->ns[i]->href);
	return is_empty(prefix) && is_empty(href);
}

static int
push(struct c14n *c, xmlNsPtr ns)
{
	if (c->nns == C14N_NS_MAX)
		return C14N_DECLINED;
	c->ns[c->nns++] = ns;
	return 0;
}

/* xmlC14NCheckForRelativeNamespaces(): an absolute URI, as xmlParseURI()
 * reads it.  The profile's own two are known to be. */
static int
href_absolute(struct c14n *c, const xmlChar *href)
{
	xmlURIPtr u;
	int i, ok;

	if (strcmp((const char *)href, LASTERI_NS_URI) == 0 ||
	    strcmp((const char *)href, DS_NS) == 0)
		return 1;
	for (i = 0; i < c->nmemo; i++)
		if (strcmp((const char *)href, (const char *)c->memo[i]) == 0)
			return 1;
	if ((u = xmlParseURI((const char *)href)) == NULL)
		return 0;
	ok = u->scheme != NULL && u->scheme[0] != '\0';
	xmlFreeURI(u);
	if (ok && c->nmemo < C14N_HREF_MEMO)
		c->memo[c->nmemo++] = href;
	return ok;
}

/* xmlC14NAttrsCompare() */
static int
attr_cmp(xmlAttrPtr a, xmlAttrPtr b)
{
	int r;

	if (a->ns == b->ns)
		return str_cmp(a->name, b->name);
	if (a->ns == NULL)
		return -1;
	if (b->ns == NULL)
		return 1;
	if (a->ns->prefix == NULL)
		return -1;
	if (b->ns->prefix == NULL)
		return 1;
	if ((r = str_cmp(a->ns->href, b->ns->href)) == 0)
		r = str_cmp(a->name, b->name);
	return r;
}

/* Insertion sorts (a handful of entries); an equal pair declines. */
static int
sort_attrs(xmlAttrPtr *v, int n)
{
	xmlAttrPtr t;
	int i, j, r;

	for (i = 1; i < n; i++) {
		t = v[i];
		for (j = i; j > 0; j--) {
			if ((r = attr_cmp(v[j - 1], t)) == 0)
				return C14N_DECLINED;
			if (r < 0)
				break;
			v[j] = v[j - 1];
		}
		v[j] = t;
	}
	return 0;
}

static int
sort_ns(xmlNsPtr *v, int n)
{
	xmlNsPtr t;
	int i, j, r;

	for (i = 1; i < n; i++) {
		t = v[i];
		for (j = i; j > 0; j--) {
			if ((r = str_cmp(v[j - 1]->prefix, t->prefix)) == 0)
				return C14N_DECLINED;
			if (r < 0)
				break;
			v[j] = v[j - 1];
		}
		v[j] = t;
	}
	return 0;
}

/* xmlC14NPrintNamespaces(); the URI through xmlBufWriteQuotedString(),
 * which quotes differently when it holds '"'. */
static int
put_ns(struct c14n *c, xmlNsPtr ns)
{
	if (ns->href != NULL && strchr((const char *)ns->href, '"') != NULL)
		return C14N_DECLINED;
	if (ns->prefix != NULL) {
		if (PUT_LIT(c, " xmlns:") == -1 ||
		    put_str(c, ns->prefix) == -1 || PUT_LIT(c, "=\"") == -1)
			return -1;
	} else if (PUT_LIT(c, " xmlns=\"") == -1) {
		return -1;
	}
	if ((ns->href != NULL && put_str(c, ns->href) == -1) ||
	    PUT_LIT(c, "\"") == -1)
		return -1;
	return 0;
}

/* xmlC14NPrintAttrs(): the value is the text of the attribute's children
 * (xmlNodeListGetString()); anything but text declines. */
static int
put_attr(struct c14n *c, xmlAttrPtr a)
{
	xmlNodePtr t;

	if (PUT_LIT(c, " ") == -1)
		return -1;
	if (a->ns != NULL && !is_empty(a->ns->prefix) &&
	    (put_str(c, a->ns->prefix) == -1 || PUT_LIT(c, ":") == -1))
		return -1;
	if (put_str(c, a->name) == -1 || PUT_LIT(c, "=\"") == -1)
		return -1;
	for (t = a->children; t != NULL; t = t->next) {
		if (t->type != XML_TEXT_NODE)
			return C14N_DECLINED;
		if (t->content != NULL &&
		    put_escaped(c, t->content, ATTR_SPECIAL) == -1)
			return -1;
	}
	return PUT_LIT(c, "\"");
}

static int
put_qname(struct c14n *c, xmlNodePtr el)
{
	if (el->ns != NULL && !is_empty(el->ns->prefix) &&
	    (put_str(c, el->ns->prefix) == -1 || PUT_LIT(c, ":") == -1))
		return -1;
	return put_str(c, el->name);
}

/* The start tag of el: name, namespace axis, attribute axis. */
static int
start_tag(struct c14n *c, xmlNodePtr el)
{
	xmlNsPtr ns;
	xmlAttrPtr a;
	int i, r, nlist = 0, nattr = 0, empty_ns = 0, uses_empty = 0;

	for (ns = el->nsDef; ns != NULL; ns = ns->next)
		if (!is_empty(ns->href) && !href_absolute(c, ns->href))
			return C14N_DECLINED;
	if (PUT_LIT(c, "<") == -1 || put_qname(c, el) == -1)
		return -1;
	if ((ns = el->ns) == NULL) {
		ns = xmlSearchNs(el->doc, el, NULL);
		uses_empty = 1;
	}
	if (ns != NULL && !is_xml_ns(ns)) {
		if (!rendered(c, ns->prefix, ns->href))
			c->list[nlist++] = ns;
		if ((r = push(c, ns)) != 0)
			return r;
		if (is_empty(ns->prefix))
			empty_ns = 1;
	}
	for (a = el->properties; a != NULL; a = a->next) {
		if (nattr == C14N_ATTR_MAX)
			return C14N_DECLINED;
		c->attrs[nattr++] = a;
		if (a->ns != NULL && !is_xml_ns(a->ns)) {
			if (!rendered(c, a->ns->prefix, a->ns->href))
				c->list[nlist++] = a->ns;
			if ((r = push(c, a->ns)) != 0)
				return r;
			if (is_empty(a->ns->prefix))
				empty_ns = 1;
		} else if (a->ns != NULL && is_empty(a->ns->prefix) &&
		    is_empty(a->ns->href)) {
			uses_empty = 1;
		}
	}
	if (uses_empty && !empty_ns && !rendered(c, NULL, NULL) &&
	    PUT_LIT(c, " xmlns=\"\"") == -1)
		return -1;
	if ((r = sort_ns(c->list, nlist)) != 0)
		return r;
	for (i = 0; i < nlist; i++)
		if ((r = put_ns(c, c->list[i])) != 0)
			return r;
	if ((r = sort_attrs(c->attrs, nattr)) != 0)
		return r;
	for (i = 0; i < nattr; i++)
		if ((r = put_attr(c, c->attrs[i])) != 0)
			return r;
	return PUT_LIT(c, ">");
}

static int
element(struct c14n *c, xmlNodePtr el, int depth)
{
	xmlNodePtr n;
	int r, saved = c->nns;

	if (depth > C14N_DEPTH_MAX)
		return C14N_DECLINED;
	if ((r = start_tag(c, el)) != 0)
		return r;
	for (n = el->children; n != NULL; n = n->next) {
		if (n == c->skip)
			continue;
		switch (n->type) {
		case XML_ELEMENT_NODE:
			if ((r = element(c, n, depth + 1)) != 0)
				return r;
			break;
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			if (n->content != NULL &&
			    put_escaped(c, n->content, TEXT_SPECIAL) == -1)
				return -1;
			break;
		case XML_COMMENT_NODE:
			break;
		default:
			return C14N_DECLINED;
		}
	}
	c->nns = saved;
	if (PUT_LIT(c, "</") == -1 || put_qname(c, el) == -1 ||
	    PUT_LIT(c, ">") == -1)
		return -1;
	return 0;
}

int
c14n_fast(xmlDocPtr doc, xmlNodePtr top, xmlNodePtr skip, c14n_sink_fn *sink,
    void *arg)
{
	struct c14n c;
	xmlNodePtr n;
	int r = 0;

	if (doc == NULL || doc->type != XML_DOCUMENT_NODE ||
	    (top != NULL && (skip != NULL || top->type != XML_ELEMENT_NODE ||
	    top->doc != doc)))
		return C14N_DECLINED;
	c.skip = skip;
	c.sink = sink;
	c.arg = arg;
	c.len = 0;
	c.nns = 0;
	c.nmemo = 0;
	if (top != NULL) {
		r = element(&c, top, 1);
	} else {
		for (n = doc->children; n != NULL && r == 0; n = n->next) {
			if (n == skip || n->type == XML_COMMENT_NODE)
				continue;
			/* a PI or anything else at the top declines */
			r = n->type == XML_ELEMENT_NODE ? element(&c, n, 1) :
			    C14N_DECLINED;
		}
	}
	if (r != 0)
		return r;
	return flush(&c);
}

/* --- libxml2's path ---------------------------------------------------------- */

struct obsink {
	c14n_sink_fn	*sink;
	void		*arg;
	int		 failed;
};

static int
ob_write(void *ctx, const char *buf, int len)
{
	struct obsink *o = ctx;

	if (len < 0 || (len > 0 && o->sink(o->arg, (const unsigned char *)buf,
	    (size_t)len) == -1)) {
		o->failed = 1;
		return -1;
	}
	return len;
}

int
c14n_libxml2(xmlDocPtr doc, xmlNodePtr top, xmlNodePtr skip,
    c14n_sink_fn *sink, void *arg)
{
	xmlNodePtr children, last, prev = NULL, next = NULL, parent = NULL;
	xmlOutputBufferPtr ob;
	struct obsink o;
	int rc = -1;

	if (doc == NULL || (top != NULL && skip != NULL))
		return -1;
	children = doc->children;
	last = doc->last;
	if (top != NULL) {
		/* top the document's only child, its siblings out of view;
		 * its parent pointer stays */
		prev = top->prev;
		next = top->next;
		doc->children = doc->last = top;
		top->prev = top->next = NULL;
	} else if (skip != NULL && (parent = skip->parent) != NULL) {
		/* unlinked by hand, so that it goes back exactly */
		prev = skip->prev;
		next = skip->next;
		if (prev != NULL)
			prev->next = next;
		else
			parent->children = next;
		if (next != NULL)
			next->prev = prev;
		else
			parent->last = prev;
	}
	o.sink = sink;
	o.arg = arg;
	o.failed = 0;
	if ((ob = xmlOutputBufferCreateIO(ob_write, NULL, &o, NULL)) != NULL) {
		if (xmlC14NExecute(doc, NULL, NULL, XML_C14N_EXCLUSIVE_1_0,
		    NULL, 0, ob) >= 0)
			rc = 0;
		if (xmlOutputBufferClose(ob) < 0 || o.failed)
			rc = -1;
	}
	if (top != NULL) {
		top->prev = prev;
		top->next = next;
		doc->children = children;
		doc->last = last;
	} else if (parent != NULL) {
		if (prev != NULL)
			prev->next = skip;
		else
			parent->children = skip;
		if (next != NULL)
			next->prev = skip;
		else
			parent->last = skip;
	}
	return rc;
}

/* --- SHA-256 ----------------------------------------------------------------- */

static int
md_sink(void *arg, const unsigned char *p, size_t n)
{
	return EVP_DigestUpdate(arg, p, n) == 1 ? 0 : -1;
}

int
c14n_sha256(xmlDocPtr doc, xmlNodePtr top, xmlNodePtr skip, EVP_MD_CTX *md,
    const EVP_MD *type, unsigned char out[32], int *fast, struct err *e)
{
	unsigned int n = 0;
	int r;

	if (fast != NULL)
		*fast = 0;
	if (md == NULL || type == NULL || EVP_DigestInit_ex(md, type, NULL) !=
	    1)
		return err_set(e, ERR_INTERNAL, "c14n: cannot start SHA-256");
	if ((r = c14n_fast(doc, top, skip, md_sink, md)) == -1)
		return err_set(e, ERR_INTERNAL, "c14n: SHA-256 failed");
	if (r == C14N_DECLINED) {
		if (EVP_DigestInit_ex(md, type, NULL) != 1)
			return err_set(e, ERR_INTERNAL, "c14n: cannot start "
			    "SHA-256");
		if (c14n_libxml2(doc, top, skip, md_sink, md) == -1)
			return err_set(e, ERR_SIGNATURE, "exclusive C14N "
			    "failed");
	} else if (fast != NULL) {
		*fast = 1;
	}
	if (EVP_DigestFinal_ex(md, out, &n) != 1 || n != 32)
		return err_set(e, ERR_INTERNAL, "c14n: SHA-256 failed");
	return 0;
}
