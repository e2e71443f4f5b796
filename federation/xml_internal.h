/*
 * xml_internal.h - what xml.c and xml_prescan.c share; not for other modules.
 */
#ifndef LASTERI_XML_INTERNAL_H
#define LASTERI_XML_INTERNAL_H

#include <stddef.h>

#include "err.h"
#include "xml.h"

/* The linear pre-scan of raw input: refuses a start tag with more than
 * lim->max_attrs attributes (XML_MAX_ATTRS when 0), a DOCTYPE, invalid
 * UTF-8, control characters and encodings it cannot read as libxml2 does.
 * 0, or -1 with e set (ERR_INPUT, "name:line: element: reason"). */
int	xml_prescan(const char *buf, size_t len, const char *name,
	    const struct xml_limits *lim, struct err *e);
/* The same rules taking every unit one by one, without the fast paths over
 * runs of plain bytes: for tests, which hold the two equal. */
int	xml_prescan_units(const char *buf, size_t len, const char *name,
	    const struct xml_limits *lim, struct err *e);

#endif
