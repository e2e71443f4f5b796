/*
 * schema.h - validation against the compiled XSDs of schemas/xsd/.
 *
 * The schema set (lasteri.xsd, which includes every document schema) is
 * compiled once, on first use, and kept for the life of the process; it is
 * read only afterwards, so validation is thread-safe with one validation
 * context per call.  The directory is $LASTERI_XSD_DIR, else the installed
 * $(pkgdatadir)/xsd, else the source tree's schemas/xsd.
 */
#ifndef LASTERI_SCHEMA_H
#define LASTERI_SCHEMA_H

#include <libxml/tree.h>

#include "err.h"

/* Compile the schema set now (optional: validate does it on first use).
 * Fails with ERR_IO or ERR_SCHEMA naming the XSD file and line. */
int		 schema_init(struct err *e);

/* The directory the XSDs are read from. */
const char	*schema_dir(void);

/* Validate doc.  name is used in messages.  Also rejects a root element that
 * is not one of the expected names (a NULL-terminated list; NULL = any root
 * the schema set declares).  ERR_SCHEMA: "name:line: element: reason". */
int		 schema_validate(xmlDocPtr doc, const char *name,
		    const char *const *roots, struct err *e);

/* libxml2's raw value message msg (a pattern, enumeration, length or
 * range facet, or a value of a known type) in words, into dst: the form
 * the value must have ("'2026-9-1' is not a date YYYY-MM-DD (...)") or the
 * allowed values; any other message is copied as it is. */
void		 schema_message_words(char *dst, size_t size,
		    const char *msg);

#endif
