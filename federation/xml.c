/*
 * xml.c - the one door through which every inbound XML document passes.
 *
 * libxml2 2.9.14 is hardened by what we do not ask of it (no NOENT, DTDLOAD,
 * DTDATTR or HUGE) and by watching the parse through its SAX2 callbacks:
 * each parse gets its own parser context whose handler table wraps the
 * default tree builder.  The wrappers count nodes and depth as they are
 * built and stop the parser (xmlStopParser) the moment a cap is passed, so a
 * document with millions of nodes is refused after the first few, not after
 * the whole tree is in memory.  A DOCTYPE stops the parser at the
 * internalSubset callback, before any declaration inside it is read, so an
 * entity bomb in a DTD is never even declared, let alone expanded.  An
 * entity reference (other than the five predefined ones, which never reach
 * the callbacks) is refused the same way.  The first error is kept and
 * reported as "name:line: element: reason".
 *
 * Before any of that, a linear pre-scan of the raw bytes (below) refuses a
 * start tag with too many attributes, which libxml2 would check pairwise.
 *
 * xml_stream_parse() is the same watched parse for inputs too large to keep
 * as one tree (an import): the root's children are cut out one at a time
 * (see "streaming" below).
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/xmlIO.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlsave.h>

#include "model.h"
#include "xml.h"
#include "xml_internal.h"

const struct xml_limits xml_limits_import = { 64UL << 20, 64, 4000000L,
    XML_MAX_ATTRS };
const struct xml_limits xml_limits_wire = { 1UL << 20, 64, 100000L,
    XML_MAX_ATTRS };
const struct xml_limits xml_limits_answer = { 16UL << 20, 64, 1000000L,
    XML_MAX_ATTRS };

/* Why a parse was stopped by us rather than by libxml2. */
enum xml_stop {
	XS_NONE = 0,
	XS_DTD,
	XS_ENTITY,
	XS_DEPTH,
	XS_NODES,
	XS_CALLER	/* a stream callback failed (xml_stream_parse) */
};

/* The state of xml_stream_parse() (see "streaming" below). */
struct xml_stream {
	const char			*name;
	const char			*container;
	const struct xml_stream_cb	*cb;
	void				*arg;
	int				 in_container;	/* root is */
	xmlDocPtr			 rootdoc;	/* no children */
	struct err			 err;		/* callback's */
	const char			*buf;
	size_t				 len;
	size_t				 off;
};

/* Per-parse state, reached through ctxt->_private. */
struct xml_watch {
	const struct xml_limits	*lim;
	enum xml_stop		 stop;
	int			 stop_line;
	char			 stop_elem[64];
	char			 stop_entity[64];
	int			 depth;
	long			 nodes;
	/* the first error libxml2 reported */
	int			 have_err;
	int			 err_line;
	char			 err_elem[64];
	char			 err_msg[256];
	/* xml_stream_parse(): hands out the root's children; NULL for
	 * xml_parse() */
	struct xml_stream	*stream;
};

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

/* The library never prints: libxml2 reports what it cannot tie to a parser
 * context (encoding conversion, schema compilation) through the generic
 * error function, which writes to stderr unless replaced.  Our callers get
 * the same facts through struct err. */
static void
xml_silent(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void
xml_init_once(void)
{
	xmlInitParser();
	xmlSetGenericErrorFunc(NULL, xml_silent);
	xmlThrDefSetGenericErrorFunc(NULL, xml_silent);
	/* Never fetch anything over the network, whoever asks (schema includes
	 * are local files). */
	xmlSetExternalEntityLoader(xmlNoNetExternalEntityLoader);
}

void
xml_init(void)
{
	pthread_once(&xml_once, xml_init_once);
}

static struct xml_watch *
watch_of(void *ctx)
{
	xmlParserCtxtPtr ctxt = ctx;

	return ctxt->_private;
}

static void
watch_copy_name(char *dst, size_t size, const xmlChar *name)
{
	snprintf(dst, size, "%s", name != NULL ? (const char *)name :
	    "(document)");
}

static void
watch_stop(xmlParserCtxtPtr ctxt, enum xml_stop why, const xmlChar *elem)
{
	struct xml_watch *w = ctxt->_private;

	if (w->stop == XS_NONE) {
		w->stop = why;
		w->stop_line = xmlSAX2GetLineNumber(ctxt);
		watch_copy_name(w->stop_elem, sizeof(w->stop_elem),
		    elem != NULL ? elem : ctxt->name);
	}
	xmlStopParser(ctxt);
}

/* Counts n nodes; stops the parser past the cap.  Returns 0 to go on. */
static int
watch_count(xmlParserCtxtPtr ctxt, long n, const xmlChar *elem)
{
	struct xml_watch *w = ctxt->_private;

	w->nodes += n;
	if (w->nodes > w->lim->max_nodes) {
		watch_stop(ctxt, XS_NODES, elem);
		return -1;
	}
	return 0;
}

/* The streaming side (xml_stream_parse, below). */
static void	stream_root(xmlParserCtxtPtr);
static void	stream_child(xmlParserCtxtPtr);
static int	stream_skips(xmlParserCtxtPtr, const xmlChar *, int, int);

static void
sax_internal_subset(void *ctx, const xmlChar *name, const xmlChar *eid,
    const xmlChar *sid)
{
	watch_stop(ctx, XS_DTD, name);
}

static void
sax_external_subset(void *ctx, const xmlChar *name, const xmlChar *eid,
    const xmlChar *sid)
{
	watch_stop(ctx, XS_DTD, name);
}

static void
sax_entity_decl(void *ctx, const xmlChar *name, int type,
    const xmlChar *pid, const xmlChar *sid, xmlChar *content)
{
	watch_stop(ctx, XS_DTD, name);
}

static void
stop_entity(xmlParserCtxtPtr ctxt, const xmlChar *name)
{
	struct xml_watch *w = ctxt->_private;

	if (w->stop == XS_NONE)
		watch_copy_name(w->stop_entity, sizeof(w->stop_entity), name);
	watch_stop(ctxt, XS_ENTITY, NULL);
}

static void
sax_reference(void *ctx, const xmlChar *name)
{
	stop_entity(ctx, name);
}

static xmlEntityPtr
sax_get_entity(void *ctx, const xmlChar *name)
{
	xmlEntityPtr ent;

	/* The predefined entities (&amp; ...) are answered here too; anything
	 * else is a reference we refuse. */
	if ((ent = xmlGetPredefinedEntity(name)) != NULL)
		return ent;
	stop_entity(ctx, name);
	return NULL;
}

static void
sax_start_element(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
    int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct xml_watch *w = ctxt->_private;

	if (++w->depth > w->lim->max_depth) {
		watch_stop(ctxt, XS_DEPTH, localname);
		return;
	}
	if (watch_count(ctxt, 1L + nb_attributes + nb_namespaces,
	    localname) == -1)
		return;
	xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces,
	    namespaces, nb_attributes, nb_defaulted, attributes);
	if (w->stream != NULL && w->depth == 1)
		stream_root(ctxt);
}

static void
sax_end_element(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri)
{
	struct xml_watch *w = watch_of(ctx);

	w->depth--;
	xmlSAX2EndElementNs(ctx, localname, prefix, uri);
	if (w->stream != NULL && w->depth == 1)
		stream_child(ctx);
}

static void
sax_characters(void *ctx, const xmlChar *ch, int len)
{
	if (watch_count(ctx, 1, NULL) == 0 && !stream_skips(ctx, ch, len, 0))
		xmlSAX2Characters(ctx, ch, len);
}

static void
sax_cdata(void *ctx, const xmlChar *ch, int len)
{
	if (watch_count(ctx, 1, NULL) == 0 && !stream_skips(ctx, ch, len, 1))
		xmlSAX2CDataBlock(ctx, ch, len);
}

static void
sax_comment(void *ctx, const xmlChar *value)
{
	if (watch_count(ctx, 1, NULL) == 0 &&
	    !stream_skips(ctx, NULL, 0, 0))
		xmlSAX2Comment(ctx, value);
}

static void
sax_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
	if (watch_count(ctx, 1, NULL) == 0 &&
	    !stream_skips(ctx, NULL, 0, 0))
		xmlSAX2ProcessingInstruction(ctx, target, data);
}

/* Structured error handler: keeps the first error. */
static void
sax_error(void *ctx, xmlErrorPtr err)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct xml_watch *w;
	size_t n;

	if (ctxt == NULL || (w = ctxt->_private) == NULL || err == NULL)
		return;
	if (w->have_err || err->level == XML_ERR_WARNING ||
	    err->code == XML_ERR_USER_STOP)
		return;
	w->have_err = 1;
	w->err_line = err->line;
	watch_copy_name(w->err_elem, sizeof(w->err_elem), ctxt->name);
	snprintf(w->err_msg, sizeof(w->err_msg), "%s",
	    err->message != NULL ? err->message : "malformed XML");
	n = strlen(w->err_msg);
	while (n > 0 && (w->err_msg[n - 1] == '\n' || w->err_msg[n - 1] == ' '))
		w->err_msg[--n] = '\0';
}

static void
watch_install(xmlParserCtxtPtr ctxt)
{
	xmlSAXHandlerPtr sax = ctxt->sax;

	sax->internalSubset = sax_internal_subset;
	sax->externalSubset = sax_external_subset;
	sax->entityDecl = sax_entity_decl;
	sax->reference = sax_reference;
	sax->getEntity = sax_get_entity;
	sax->getParameterEntity = NULL;
	sax->resolveEntity = NULL;
	sax->startElementNs = sax_start_element;
	sax->endElementNs = sax_end_element;
	sax->characters = sax_characters;
	sax->ignorableWhitespace = sax_characters;
	sax->cdataBlock = sax_cdata;
	sax->comment = sax_comment;
	sax->processingInstruction = sax_pi;
	sax->serror = sax_error;
	sax->error = NULL;
	sax->warning = NULL;
	sax->fatalError = NULL;
}

static int
watch_report(const struct xml_watch *w, const char *name, struct err *e)
{
	switch (w->stop) {
	case XS_DTD:
		return err_set(e, ERR_INPUT, "%s:%d: %s: a DTD (DOCTYPE) is not "
		    "allowed", name, w->stop_line, w->stop_elem);
	case XS_ENTITY:
		return err_set(e, ERR_INPUT, "%s:%d: %s: entity reference "
		    "&%s; refused (no entities are expanded)", name,
		    w->stop_line, w->stop_elem, w->stop_entity);
	case XS_DEPTH:
		return err_set(e, ERR_INPUT, "%s:%d: %s: nesting deeper than "
		    "the limit of %d elements", name, w->stop_line,
		    w->stop_elem, w->lim->max_depth);
	case XS_NODES:
		return err_set(e, ERR_INPUT, "%s:%d: %s: more nodes than the "
		    "limit of %ld", name, w->stop_line, w->stop_elem,
		    w->lim->max_nodes);
	case XS_CALLER:
		if (e != NULL)
			*e = w->stream->err;
		return -1;
	case XS_NONE:
		break;
	}
	if (w->have_err)
		return err_set(e, ERR_INPUT, "%s:%d: %s: %s", name, w->err_line,
		    w->err_elem, w->err_msg);
	return err_set(e, ERR_INPUT, "%s: malformed XML", name);
}

/* What a parse must end with, whole or streamed: no stop by the watch, a
 * well-formed document, no DTD (belt and braces: the callbacks refuse one
 * already) and a root element.  0, or -1 with e set. */
static int
parsed_check(xmlParserCtxtPtr ctxt, xmlDocPtr doc,
    const struct xml_watch *w, const char *name, struct err *e)
{
	if (w->stop != XS_NONE || doc == NULL || !ctxt->wellFormed)
		return watch_report(w, name, e);
	if (doc->intSubset != NULL || doc->extSubset != NULL)
		return err_set(e, ERR_INPUT, "%s:1: (document): a DTD "
		    "(DOCTYPE) is not allowed", name);
	if (xmlDocGetRootElement(doc) == NULL)
		return err_set(e, ERR_INPUT, "%s:1: (document): no root "
		    "element", name);
	return 0;
}

/* What every input goes through before libxml2 sees it: the size cap,
 * emptiness and the pre-scan. */
static int
precheck(const char *buf, size_t len, const char *name,
    const struct xml_limits *lim, struct err *e)
{
	size_t i;

	if (len > lim->max_bytes)
		return err_set(e, ERR_INPUT, "%s: %zu bytes is larger than the "
		    "limit of %zu", name, len, lim->max_bytes);
	for (i = 0; i < len; i++)
		if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\r' &&
		    buf[i] != '\n')
			break;
	if (i == len)
		return err_set(e, ERR_INPUT, "%s:1: (document): the document "
		    "is empty", name);
	if (len > (size_t)0x7fffffff)
		return err_set(e, ERR_INPUT, "%s: document too large", name);
	return xml_prescan(buf, len, name, lim, e);
}

xmlDocPtr
xml_parse(const char *buf, size_t len, const char *name,
    const struct xml_limits *lim, struct err *e)
{
	xmlParserCtxtPtr ctxt = NULL;
	xmlDocPtr doc = NULL, ret = NULL;
	struct xml_watch w;

	xml_init();
	if (name == NULL)
		name = "document";
	if (precheck(buf, len, name, lim, e) == -1)
		goto done;
	if ((ctxt = xmlNewParserCtxt()) == NULL) {
		err_set(e, ERR_NOMEM, "%s: out of memory", name);
		goto done;
	}
	memset(&w, 0, sizeof(w));
	w.lim = lim;
	ctxt->_private = &w;
	watch_install(ctxt);
	doc = xmlCtxtReadMemory(ctxt, buf, (int)len, name, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
	    XML_PARSE_BIG_LINES);
	if (parsed_check(ctxt, doc, &w, name, e) == -1)
		goto done;
	ret = doc;
	doc = NULL;
done:
	xmlFreeDoc(doc);
	if (ctxt != NULL) {
		ctxt->_private = NULL;
		xmlFreeParserCtxt(ctxt);
	}
	return ret;
}

/* Reads all of fd into a malloc'd buffer, refusing past max bytes without
 * reading further. */
static int
read_capped(int fd, const char *name, size_t max, char **out, size_t *outlen,
    struct err *e)
{
	char *buf = NULL, *nb;
	size_t len = 0, cap = 0;
	ssize_t n;
	struct stat st;
	int rc = -1;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (unsigned long long)st.st_size > (unsigned long long)max) {
		err_set(e, ERR_INPUT, "%s: %lld bytes is larger than the limit "
		    "of %zu", name, (long long)st.st_size, max);
		goto done;
	}
	for (;;) {
		if (len == cap) {
			if (cap > max) {
				err_set(e, ERR_INPUT, "%s: larger than the "
				    "limit of %zu bytes", name, max);
				goto done;
			}
			cap = cap == 0 ? 65536 : cap * 2;
			if (cap > max + 1)
				cap = max + 1;
			if ((nb = realloc(buf, cap + 1)) == NULL) {
				err_set(e, ERR_NOMEM, "%s: out of memory", name);
				goto done;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			err_set(e, ERR_IO, "%s: %s", name, strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			err_set(e, ERR_INPUT, "%s: larger than the limit of %zu "
			    "bytes", name, max);
			goto done;
		}
	}
	*out = buf;
	*outlen = len;
	buf = NULL;
	rc = 0;
done:
	free(buf);
	return rc;
}

xmlDocPtr
xml_read_file(const char *path, const struct xml_limits *lim, struct err *e)
{
	char *buf = NULL;
	size_t len = 0;
	int fd = -1;
	xmlDocPtr doc = NULL;
	const char *name = path;

	if (strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
		name = "(stdin)";
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		err_set(e, errno == ENOENT ? ERR_USAGE : ERR_IO, "%s: %s",
		    path, strerror(errno));
		goto done;
	}
	if (read_capped(fd, name, lim->max_bytes, &buf, &len, e) == -1)
		goto done;
	doc = xml_parse(buf, len, name, lim, e);
done:
	if (fd != -1 && fd != STDIN_FILENO)
		close(fd);
	free(buf);
	return doc;
}

/* --- streaming ------------------------------------------------------------ */

/*
 * xml_stream_parse() runs the same watched parse as xml_parse(), over an
 * input that libxml2 reads in small pieces (so the bytes are not copied
 * whole once more), and keeps the tree small: when the root is the
 * container, each of its element children is cut out of the tree the
 * moment its end tag is read, made the root of a document of its own and
 * handed to the caller, then freed.  Text, comments and processing
 * instructions directly inside the container are never built (text other
 * than blanks, and CDATA, is reported instead), so the container never holds
 * more than the child being read.  A callback's failure stops the parser at
 * once and becomes the parse's error.
 *
 * The child keeps its nodes, line numbers and the parser's dictionary (the
 * new document references it); only the namespace declarations it used from
 * the container are declared again on the child itself, with the same
 * prefixes, so that it stands alone exactly as a copy would.
 */
static void
stream_fail(xmlParserCtxtPtr ctxt)
{
	watch_stop(ctxt, XS_CALLER, NULL);
}

static void
stream_root(xmlParserCtxtPtr ctxt)
{
	struct xml_watch *w = ctxt->_private;
	struct xml_stream *st = w->stream;
	xmlNodePtr root = ctxt->node, copy;

	if (root == NULL || st->rootdoc != NULL || w->stop != XS_NONE)
		return;
	if ((st->rootdoc = xmlNewDoc((const xmlChar *)"1.0")) == NULL ||
	    (st->rootdoc->URL = xmlStrdup((const xmlChar *)st->name)) ==
	    NULL ||
	    (copy = xmlDocCopyNode(root, st->rootdoc, 2)) == NULL) {
		err_set(&st->err, ERR_NOMEM, "%s: out of memory", st->name);
		stream_fail(ctxt);
		return;
	}
	xmlDocSetRootElement(st->rootdoc, copy);
	st->in_container = st->container != NULL && xml_is(root,
	    st->container);
	if (st->cb->root != NULL && st->cb->root(st->arg, copy,
	    &st->err) == -1)
		stream_fail(ctxt);
}

/* *nsp, if it is one of oldroot's declarations or the old document's XML
 * namespace, is replaced by the same declaration on top. */
static int
stream_adopt_one(xmlDocPtr doc, xmlNodePtr top, xmlNodePtr oldroot,
    xmlNsPtr *nsp)
{
	xmlNsPtr ns = *nsp, d;

	if (ns == NULL)
		return 0;
	for (d = oldroot->nsDef; d != NULL && d != ns; d = d->next)
		;
	if (d == NULL) {
		if (oldroot->doc == NULL || ns != oldroot->doc->oldNs)
			return 0;	/* declared inside top */
		*nsp = xmlSearchNs(doc, top, (const xmlChar *)"xml");
		return *nsp != NULL ? 0 : -1;
	}
	for (d = top->nsDef; d != NULL; d = d->next)
		if (xmlStrEqual(d->prefix, ns->prefix))
			break;
	/* top cannot declare the prefix otherwise: it would shadow ns. */
	if (d == NULL)
		d = xmlNewNs(top, ns->href, ns->prefix);
	else if (!xmlStrEqual(d->href, ns->href))
		d = NULL;
	*nsp = d;
	return d != NULL ? 0 : -1;
}

static int
stream_adopt_ns(xmlDocPtr doc, xmlNodePtr top, xmlNodePtr oldroot)
{
	xmlNodePtr cur = top;
	xmlAttrPtr a;

	while (cur != NULL) {
		if (cur->type == XML_ELEMENT_NODE) {
			if (stream_adopt_one(doc, top, oldroot,
			    &cur->ns) == -1)
				return -1;
			for (a = cur->properties; a != NULL; a = a->next)
				if (stream_adopt_one(doc, top, oldroot,
				    &a->ns) == -1)
					return -1;
			if (cur->children != NULL) {
				cur = cur->children;
				continue;
			}
		}
		while (cur != top && cur->next == NULL)
			cur = cur->parent;
		if (cur == top)
			break;
		cur = cur->next;
	}
	return 0;
}

/* The element child of the root that just ended (ctxt->node is the root
 * again). */
static void
stream_child(xmlParserCtxtPtr ctxt)
{
	struct xml_watch *w = ctxt->_private;
	struct xml_stream *st = w->stream;
	xmlNodePtr root = ctxt->node, n;
	xmlDocPtr doc;
	int rc;

	if (!st->in_container || w->stop != XS_NONE || root == NULL ||
	    (n = root->last) == NULL || n->type != XML_ELEMENT_NODE)
		return;
	xmlUnlinkNode(n);
	if ((doc = xmlNewDoc((const xmlChar *)"1.0")) == NULL) {
		xmlFreeNode(n);
		goto nomem;
	}
	if (root->doc != NULL && root->doc->dict != NULL) {
		doc->dict = root->doc->dict;
		xmlDictReference(doc->dict);
	}
	xmlDocSetRootElement(doc, n);
	if ((doc->URL = xmlStrdup((const xmlChar *)st->name)) == NULL ||
	    stream_adopt_ns(doc, n, root) == -1) {
		xmlFreeDoc(doc);
		goto nomem;
	}
	rc = st->cb->element(st->arg, doc, &st->err);
	xmlFreeDoc(doc);
	if (rc == -1)
		stream_fail(ctxt);
	return;
nomem:
	err_set(&st->err, ERR_NOMEM, "%s:%d: %s: out of memory", st->name,
	    xmlSAX2GetLineNumber(ctxt), (const char *)root->name);
	stream_fail(ctxt);
}

/* 1 when what was read (text, CDATA when cdata, else a comment or PI with
 * ch NULL) is not to be built: it is outside the root, or directly inside
 * the container, where text other than blanks and any CDATA are reported. */
static int
stream_skips(xmlParserCtxtPtr ctxt, const xmlChar *ch, int len, int cdata)
{
	struct xml_watch *w = ctxt->_private;
	struct xml_stream *st = w->stream;
	int i;

	if (st == NULL)
		return 0;
	if (w->depth == 0)
		return 1;
	if (w->depth != 1 || !st->in_container)
		return 0;
	if (ch == NULL || w->stop != XS_NONE)
		return 1;
	for (i = 0; !cdata && i < len; i++)
		if (ch[i] != ' ' && ch[i] != '\t' && ch[i] != '\r' &&
		    ch[i] != '\n')
			break;
	if ((cdata || i < len) && st->cb->text != NULL &&
	    st->cb->text(st->arg, xmlSAX2GetLineNumber(ctxt), &st->err) == -1)
		stream_fail(ctxt);
	return 1;
}

static int
stream_read(void *ctx, char *out, int n)
{
	struct xml_stream *st = ctx;
	size_t k = st->len - st->off;

	if (n <= 0)
		return 0;
	if (k > (size_t)n)
		k = (size_t)n;
	memcpy(out, st->buf + st->off, k);
	st->off += k;
	return (int)k;
}

int
xml_stream_parse(const char *buf, size_t len, const char *name,
    const struct xml_limits *lim, const char *container,
    const struct xml_stream_cb *cb, void *arg, struct err *e)
{
	xmlParserCtxtPtr ctxt = NULL;
	xmlDocPtr doc = NULL;
	struct xml_watch w;
	struct xml_stream st;
	int rc = -1;

	xml_init();
	if (name == NULL)
		name = "document";
	memset(&st, 0, sizeof(st));
	if (precheck(buf, len, name, lim, e) == -1)
		goto done;
	if ((ctxt = xmlNewParserCtxt()) == NULL) {
		err_set(e, ERR_NOMEM, "%s: out of memory", name);
		goto done;
	}
	st.name = name;
	st.container = container;
	st.cb = cb;
	st.arg = arg;
	st.buf = buf;
	st.len = len;
	err_clear(&st.err);
	memset(&w, 0, sizeof(w));
	w.lim = lim;
	w.stream = &st;
	ctxt->_private = &w;
	watch_install(ctxt);
	doc = xmlCtxtReadIO(ctxt, stream_read, NULL, &st, name, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
	    XML_PARSE_BIG_LINES);
	if (parsed_check(ctxt, doc, &w, name, e) == -1)
		goto done;
	if (!st.in_container && cb->element(arg, doc, e) == -1)
		goto done;
	rc = 0;
done:
	xmlFreeDoc(doc);
	xmlFreeDoc(st.rootdoc);
	if (ctxt != NULL) {
		ctxt->_private = NULL;
		xmlFreeParserCtxt(ctxt);
	}
	return rc;
}

int
xml_stream_read_file(const char *path, const struct xml_limits *lim,
    const char *container, const struct xml_stream_cb *cb, void *arg,
    struct err *e)
{
	char *buf = NULL;
	size_t len = 0;
	int fd = -1, rc = -1;
	const char *name = path;

	if (strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
		name = "(stdin)";
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		err_set(e, errno == ENOENT ? ERR_USAGE : ERR_IO, "%s: %s",
		    path, strerror(errno));
		goto done;
	}
	if (read_capped(fd, name, lim->max_bytes, &buf, &len, e) == -1)
		goto done;
	if (fd != STDIN_FILENO)
		close(fd);
	fd = -1;
	rc = xml_stream_parse(buf, len, name, lim, container, cb, arg, e);
done:
	if (fd != -1 && fd != STDIN_FILENO)
		close(fd);
	free(buf);
	return rc;
}

static const char *
doc_name(xmlNodePtr n)
{
	if (n != NULL && n->doc != NULL && n->doc->URL != NULL)
		return (const char *)n->doc->URL;
	return "document";
}

char *
xml_text(xmlNodePtr n, struct err *e)
{
	xmlNodePtr c;
	xmlChar *out = NULL;
	size_t len = 0, l;
	const char *what;
	enum err_code code = ERR_INPUT;

	for (c = n->children; c != NULL; c = c->next) {
		switch (c->type) {
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			if (c->content != NULL)
				len += strlen((const char *)c->content);
			continue;
		case XML_COMMENT_NODE:
			what = "a comment";
			break;
		case XML_PI_NODE:
			what = "a processing instruction";
			break;
		case XML_ELEMENT_NODE:
			what = "a child element";
			code = ERR_SCHEMA;
			break;
		default:
			what = "an entity or other node";
			break;
		}
		err_set(e, code, "%s:%ld: %s: %s inside text is not "
		    "allowed", doc_name(n), xmlGetLineNo(c), (const char *)n->name,
		    what);
		return NULL;
	}
	if ((out = xmlMalloc(len + 1)) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	len = 0;
	for (c = n->children; c != NULL; c = c->next) {
		if (c->content == NULL)
			continue;
		l = strlen((const char *)c->content);
		memcpy(out + len, c->content, l);
		len += l;
	}
	out[len] = '\0';
	return (char *)out;
}

int
xml_is(xmlNodePtr n, const char *local)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    n->ns->href != NULL &&
	    strcmp((const char *)n->ns->href, LASTERI_NS) == 0 &&
	    strcmp((const char *)n->name, local) == 0;
}

xmlNodePtr
xml_first_elem(xmlNodePtr n)
{
	xmlNodePtr c;

	if (n == NULL)
		return NULL;
	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return c;
	return NULL;
}

xmlNodePtr
xml_next_elem(xmlNodePtr n)
{
	xmlNodePtr c;

	if (n == NULL)
		return NULL;
	for (c = n->next; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return c;
	return NULL;
}

int
xml_serialize(xmlDocPtr doc, char **out, size_t *len, struct err *e)
{
	xmlChar *mem = NULL;
	int n = 0;

	/* No formatting: re-indenting would change signed content. */
	xmlDocDumpMemoryEnc(doc, &mem, &n, "UTF-8");
	if (mem == NULL || n < 0) {
		xmlFree(mem);
		return err_set(e, ERR_NOMEM, "cannot serialise the document");
	}
	*out = (char *)mem;
	*len = (size_t)n;
	return 0;
}

int
xml_canonical(xmlDocPtr doc, char **out, size_t *len, struct err *e)
{
	xmlChar *mem = NULL;
	int n;

	n = xmlC14NDocDumpMemory(doc, NULL, XML_C14N_EXCLUSIVE_1_0, NULL, 0,
	    &mem);
	if (n < 0 || mem == NULL) {
		xmlFree(mem);
		return err_set(e, ERR_INTERNAL, "cannot canonicalise the "
		    "document");
	}
	*out = (char *)mem;
	*len = (size_t)n;
	return 0;
}
