/*
 * xml.h - the one door through which every inbound XML document passes.
 *
 * Only federation/xml.c calls libxml2's parser.  A document is refused when
 * it has a DTD (internal or external subset), an entity reference, goes past
 * the size cap before parsing, has a start tag with more attributes than the
 * cap (checked by a linear pre-scan before libxml2 sees the bytes), or goes
 * past the depth or node-count caps during parsing.  No entity is expanded, no network or file is touched.  Errors
 * name "name:line: element: reason".
 */
#ifndef LASTERI_XML_H
#define LASTERI_XML_H

#include <stddef.h>

#include <libxml/tree.h>

#include "err.h"

struct xml_limits {
	size_t	max_bytes;	/* input size cap, checked before parsing */
	int	max_depth;	/* element nesting */
	long	max_nodes;	/* all nodes (elements, text, attributes) */
	int	max_attrs;	/* attributes (namespace declarations
				 * included) on one start tag, checked
				 * before parsing; 0 means XML_MAX_ATTRS */
};

#define XML_MAX_ATTRS	256	/* the default and the built-in limits' cap */

extern const struct xml_limits xml_limits_import;	/* files: 64 MiB, depth 64, 4M nodes, 256 attributes */
extern const struct xml_limits xml_limits_wire;		/* requests/answers: 1 MiB, depth 64, 100k nodes, 256 attributes */
extern const struct xml_limits xml_limits_answer;	/* fan-out answers: 16 MiB, 256 attributes */

/* Process-wide initialisation (libxml2, once, in the main thread before any
 * other thread starts).  Idempotent. */
void	 xml_init(void);

/* Parse len bytes; name is used in messages (a file name or "request").
 * Accepted encodings: UTF-8 (the default; invalid UTF-8 is refused before
 * parsing), UTF-16, and a declared US-ASCII, ISO-8859-n or windows-125n.
 * Returns a document the caller frees with xmlFreeDoc(), or NULL with e set
 * (ERR_INPUT). */
xmlDocPtr xml_parse(const char *buf, size_t len, const char *name,
	    const struct xml_limits *lim, struct err *e);

/* Read and parse a file ("-" is stdin), the size cap applied while reading. */
xmlDocPtr xml_read_file(const char *path, const struct xml_limits *lim,
	    struct err *e);

/*
 * Streaming: a document handed out one element at a time, for inputs too
 * large to hold as one tree (an import).  The input passes the same checks
 * as xml_parse() (size cap, pre-scan, no DTD or entity, depth and node caps
 * over the whole input) and errors read the same.  When the root is the
 * container (an element of that local name in LASTERI_NS), each element
 * child of it is handed to element() as soon as its end tag is read, as the
 * root of a document of its own (line numbers kept, doc->URL the name, the
 * namespaces it uses declared on it), and freed when element() returns;
 * the container itself never holds more than the child being read.  Any
 * other root is handed to element() whole, once, after the document parsed
 * well-formed.  A callback that returns -1 (with e set) stops the parse,
 * and its error is the parse's.  Elements already handed out stay handed
 * out when a later part of the input fails: the caller makes its work all
 * or nothing (a transaction).
 */
struct xml_stream_cb {
	/* The root's start tag was read: root is a copy of it with its
	 * attributes and namespace declarations but no children (borrowed,
	 * for this call).  NULL: nothing to check. */
	int	(*root)(void *arg, xmlNodePtr root, struct err *e);
	/* One element (see above); doc is borrowed, for this call. */
	int	(*element)(void *arg, xmlDocPtr doc, struct err *e);
	/* Text other than blanks, or a CDATA section, directly inside the
	 * container, at line.  NULL: ignored (it is never built). */
	int	(*text)(void *arg, long line, struct err *e);
};

/* Streams len bytes (borrowed for the call); name is used in messages.
 * container: a local name in LASTERI_NS, or NULL (every root whole).  0 when
 * the whole input parsed and every callback succeeded, else -1 with e set
 * (ERR_INPUT for the input, or the callback's error). */
int	 xml_stream_parse(const char *buf, size_t len, const char *name,
	    const struct xml_limits *lim, const char *container,
	    const struct xml_stream_cb *cb, void *arg, struct err *e);

/* The same for a file ("-" is stdin, named "(stdin)"), read whole first
 * under the size cap (the pre-scan needs the bytes together; they are freed
 * when the call returns). */
int	 xml_stream_read_file(const char *path, const struct xml_limits *lim,
	    const char *container, const struct xml_stream_cb *cb, void *arg,
	    struct err *e);

/* The whole text content of element n (all text and CDATA children joined),
 * or NULL with e set when n has element, comment or PI children.  Caller frees
 * with xmlFree().  A comment inside a text node can therefore never truncate
 * what is read. */
char	*xml_text(xmlNodePtr n, struct err *e);

/* 1 if n is an element named local in the urn:lasteri:1 namespace. */
int	 xml_is(xmlNodePtr n, const char *local);

/* First/next element child (skipping text); NULL at the end. */
xmlNodePtr xml_first_elem(xmlNodePtr n);
xmlNodePtr xml_next_elem(xmlNodePtr n);

/* Serialise doc to bytes (UTF-8, with an XML declaration).  Caller frees
 * *out with xmlFree(). */
int	 xml_serialize(xmlDocPtr doc, char **out, size_t *len, struct err *e);

/* Canonical (exclusive C14N, no comments) bytes of doc: what a signature
 * covers and what the store keeps as a record's exact bytes. */
int	 xml_canonical(xmlDocPtr doc, char **out, size_t *len, struct err *e);

#endif
