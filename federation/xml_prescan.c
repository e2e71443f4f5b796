/*
 * xml_prescan.c - the attribute pre-scan that xml_parse() runs before
 * libxml2 sees the bytes (see the design paragraph below).  Nothing here
 * calls libxml2.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "xml.h"
#include "xml_internal.h"

/*
 * The attribute pre-scan.
 *
 * libxml2 2.9.14 compares each attribute of a start tag with every earlier
 * one (duplicate check, namespace push) while it parses the tag, so one tag
 * with n attributes costs n^2 before any callback of ours runs: 55,000
 * attributes in half a megabyte take seconds.  So one linear pass over the
 * raw input counts the '=' outside quoted values of every start tag and
 * refuses a tag with more than the cap (namespace declarations are
 * attributes in the raw text and count too), before libxml2 sees the bytes.
 *
 * The pass has to see every start tag libxml2 may parse, also after an error
 * (libxml2 parses on with our callbacks off).  libxml2 starts a tag only at a
 * '<' met in content, so the pass takes every '<' as the start of markup,
 * except inside what libxml2 skips the same way: a comment (to the first
 * "--", which must be "-->"), a CDATA section (to the first "]]>"), a
 * processing instruction (to the first "?>"; "<?" without a valid target is
 * text to libxml2 and to us) and the XML declaration (to its first '>', where
 * libxml2 resumes).  A '<' inside a start or end tag, quoted or not, is never
 * well-formed; libxml2 gives the tag up there and resumes in content, and the
 * pass starts over at that '<'.  Characters that end a section early in
 * libxml2 (control characters, non-characters) are refused up front, and so
 * is invalid UTF-8 (libxml2 would fall back to Latin-1 and read names
 * differently).  A DOCTYPE is refused here: libxml2 is stopped at one only
 * while no error came first, and the pass does not model DTDs.  The input is
 * read in code units as libxml2 reads it: bytes (UTF-8, or a declared
 * ASCII-compatible single-byte encoding) or UTF-16; UCS-4, EBCDIC and any
 * other declared encoding are refused.  Nothing here calls libxml2.
 *
 * Fast paths.  Taking one unit at a time, the pass cost about 80
 * instructions a byte, 14 % of verifying a signed Unit.  So in the byte
 * encodings it jumps over runs of bytes that cannot change its state
 * (memchr to the next '<' in content, a class table inside tags, eight
 * plain ASCII bytes at a time in the character check) and hands only the
 * bytes that matter to the same rules: about 12 instructions a byte.  In
 * UTF-8 no byte of a multi-byte sequence is below 0x80, so the ASCII markup
 * bytes are found the same way.  Line numbers are counted only when a
 * message needs one.  UTF-16 takes the unit-by-unit path, and
 * xml_prescan_units() (for tests) takes it for every encoding: the two must
 * agree on every input.
 */

#define SCAN_EOF	0xffffffffUL	/* scan_unit() past the end */
#define SCAN_NONE	((size_t)-1)	/* scan_find() found nothing */

enum scan_enc {
	SCAN_UTF8,	/* bytes, valid UTF-8 */
	SCAN_LATIN1,	/* bytes, ISO-8859-1: byte = code point */
	SCAN_BYTES,	/* bytes, another ASCII-compatible encoding */
	SCAN_UTF16LE,
	SCAN_UTF16BE
};

struct scan {
	const unsigned char	*p;
	size_t			 n;	/* units */
	size_t			 i;	/* the next unit */
	enum scan_enc		 enc;
	int			 fast;	/* bytes: take the fast paths */
	int			 max_attrs;
	const char		*name;
	struct err		*e;
};

/* Classes of the units the pass acts on, by byte (units past 0xff are
 * CL_HIGH). */
#define CL_LT	0x01	/* '<' */
#define CL_GT	0x02	/* '>' */
#define CL_QUOT	0x04	/* '"' */
#define CL_APOS	0x08	/* '\'' */
#define CL_EQ	0x10	/* '=' */
#define CL_CTL	0x20	/* a control character XML refuses */
#define CL_HIGH	0x40	/* past 0x7f */

#define C_	CL_CTL
#define H_	CL_HIGH
static const unsigned char scan_cls[256] = {
	/* 0x00: all but '\t', '\n' and '\r' */
	C_, C_, C_, C_, C_, C_, C_, C_, C_, 0, 0, C_, C_, 0, C_, C_,
	C_, C_, C_, C_, C_, C_, C_, C_, C_, C_, C_, C_, C_, C_, C_, C_,
	/* 0x20: '"' 0x22, '\'' 0x27 */
	0, 0, CL_QUOT, 0, 0, 0, 0, CL_APOS, 0, 0, 0, 0, 0, 0, 0, 0,
	/* 0x30: '<' 0x3c, '=' 0x3d, '>' 0x3e */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, CL_LT, CL_EQ, CL_GT, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* 0x80 */
	H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_,
	H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_,
	H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_,
	H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_,
	H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_,
	H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_,
	H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_,
	H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_, H_
};
#undef C_
#undef H_

static unsigned long
scan_unit(const struct scan *s, size_t i)
{
	const unsigned char *q;

	if (i >= s->n)
		return SCAN_EOF;
	switch (s->enc) {
	case SCAN_UTF16LE:
		q = s->p + 2 * i;
		return (unsigned long)q[1] << 8 | q[0];
	case SCAN_UTF16BE:
		q = s->p + 2 * i;
		return (unsigned long)q[0] << 8 | q[1];
	default:
		return s->p[i];
	}
}

/* The first unit at or after i (s->n when none) whose class has a bit of
 * mask. */
static size_t
scan_span(const struct scan *s, size_t i, unsigned mask)
{
	const unsigned char *q;
	unsigned long c;

	if (s->fast) {
		if (mask == CL_LT) {
			if (i >= s->n ||
			    (q = memchr(s->p + i, '<', s->n - i)) == NULL)
				return s->n;
			return (size_t)(q - s->p);
		}
		for (; i < s->n; i++)
			if (scan_cls[s->p[i]] & mask)
				return i;
		return s->n;
	}
	for (; i < s->n; i++) {
		c = scan_unit(s, i);
		if ((c <= 0xff ? scan_cls[c] : CL_HIGH) & mask)
			return i;
	}
	return s->n;
}

/* Bytes: the first byte at or after i (n when none) that is not printable
 * ASCII, tab, CR or LF, or (with high) past 0x7f.  Eight bytes at a time
 * while all of them are in 0x20..0x7f. */
static size_t
scan_plain(const unsigned char *p, size_t n, size_t i, int high)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const unsigned mask = CL_CTL | (high ? CL_HIGH : 0);
	uint64_t w;
	size_t end;

	while (i < n) {
		/* A byte b is in 0x20..0x7f when neither b nor b - 0x20 has
		 * its top bit set; a borrow from a byte out of range only
		 * ever flags a higher byte, never hides one. */
		for (; n - i >= 8; i += 8) {
			memcpy(&w, p + i, 8);
			if (((w - 0x20 * ones) | w) & (0x80 * ones))
				break;
		}
		end = n - i >= 8 ? i + 8 : n;
		for (; i < end; i++)
			if (scan_cls[p[i]] & mask)
				return i;
	}
	return n;
}

/* The line (from 1) of unit i, for a message. */
static long
scan_line(const struct scan *s, size_t i)
{
	const unsigned char *q, *end;
	size_t k;
	long line = 1;

	if (i > s->n)
		i = s->n;
	if (s->enc != SCAN_UTF16LE && s->enc != SCAN_UTF16BE) {
		for (q = s->p, end = s->p + i;
		    (q = memchr(q, '\n', (size_t)(end - q))) != NULL; q++)
			line++;
		return line;
	}
	for (k = 0; k < i; k++)
		if (scan_unit(s, k) == '\n')
			line++;
	return line;
}

/* 1 if the ASCII string lit is at unit i. */
static int
scan_is(const struct scan *s, size_t i, const char *lit)
{
	if (s->fast) {
		for (; *lit != '\0'; lit++, i++)
			if (i >= s->n || s->p[i] != (unsigned char)*lit)
				return 0;
		return 1;
	}
	for (; *lit != '\0'; lit++, i++)
		if (scan_unit(s, i) != (unsigned char)*lit)
			return 0;
	return 1;
}

static int
scan_blank(unsigned long c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The first unit at or after from where lit starts, or SCAN_NONE. */
static size_t
scan_find(const struct scan *s, size_t from, const char *lit)
{
	const unsigned char *q;
	size_t i;

	for (i = from; i < s->n; i++) {
		if (s->fast) {
			if ((q = memchr(s->p + i, (unsigned char)lit[0],
			    s->n - i)) == NULL)
				return SCAN_NONE;
			i = (size_t)(q - s->p);
		}
		if (scan_is(s, i, lit))
			return i;
	}
	return SCAN_NONE;
}

/* Moves to unit to (or the end). */
static void
scan_advance(struct scan *s, size_t to)
{
	if (to > s->i)
		s->i = to < s->n ? to : s->n;
}

/* Length of the UTF-8 sequence at p[i] if it is valid and an XML Char (its
 * code point in *cp), else 0. */
static size_t
scan_utf8(const unsigned char *p, size_t n, size_t i, unsigned long *cp)
{
	unsigned long c = p[i], min;
	size_t len, k;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		return 0;
	if (n - i < len)
		return 0;
	for (k = 1; k < len; k++) {
		if ((p[i + k] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i + k] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) ||
	    c == 0xfffe || c == 0xffff)
		return 0;
	*cp = c;
	return len;
}

/* Refuses a character XML does not allow anywhere (libxml2 would end a
 * comment, PI or CDATA section at it) and, in UTF-8, invalid UTF-8. */
static int
scan_chars(const struct scan *s)
{
	size_t i, k;
	unsigned long c;

	for (i = s->i; i < s->n; i += k) {
		if (s->fast && (i = scan_plain(s->p, s->n, i,
		    s->enc == SCAN_UTF8)) >= s->n)
			break;
		k = 1;
		c = scan_unit(s, i);
		if (c < 0x20 && c != '\t' && c != '\r' && c != '\n')
			return err_set(s->e, ERR_INPUT, "%s:%ld: (document): "
			    "control character 0x%02lx is not allowed in XML",
			    s->name, scan_line(s, i), c);
		else if (c >= 0x80 && s->enc == SCAN_UTF8 &&
		    (k = scan_utf8(s->p, s->n, i, &c)) == 0)
			return err_set(s->e, ERR_INPUT, "%s:%ld: (document): "
			    "byte 0x%02lx is not UTF-8 or not an XML character "
			    "(declare the encoding)", s->name, scan_line(s, i),
			    c);
		else if ((s->enc == SCAN_UTF16LE || s->enc == SCAN_UTF16BE) &&
		    (c == 0xfffe || c == 0xffff))
			return err_set(s->e, ERR_INPUT, "%s:%ld: (document): "
			    "U+%04lX is not an XML character", s->name,
			    scan_line(s, i), c);
	}
	return 0;
}

/* 1 if the character at unit i starts a name as libxml2 reads it (XML 1.0
 * fifth edition), 0 if not, -1 if we cannot tell (a non-ASCII byte in an
 * encoding other than UTF-8 and ISO-8859-1). */
static int
scan_name_start(const struct scan *s, size_t i)
{
	unsigned long c = scan_unit(s, i), d;

	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c == ':')
		return 1;
	if (c < 0x80 || c == SCAN_EOF)
		return 0;
	switch (s->enc) {
	case SCAN_BYTES:
		return -1;
	case SCAN_UTF8:
		if (scan_utf8(s->p, s->n, i, &c) == 0)
			return 0;
		break;
	case SCAN_UTF16LE:
	case SCAN_UTF16BE:
		if (c >= 0xd800 && c <= 0xdbff) {
			d = scan_unit(s, i + 1);
			if (d < 0xdc00 || d > 0xdfff)
				return 0;
			c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
		}
		break;
	case SCAN_LATIN1:
		break;
	}
	return (c >= 0xc0 && c <= 0xd6) || (c >= 0xd8 && c <= 0xf6) ||
	    (c >= 0xf8 && c <= 0x2ff) || (c >= 0x370 && c <= 0x37d) ||
	    (c >= 0x37f && c <= 0x1fff) || (c >= 0x200c && c <= 0x200d) ||
	    (c >= 0x2070 && c <= 0x218f) || (c >= 0x2c00 && c <= 0x2fef) ||
	    (c >= 0x3001 && c <= 0xd7ff) || (c >= 0xf900 && c <= 0xfdcf) ||
	    (c >= 0xfdf0 && c <= 0xfffd) || (c >= 0x10000 && c <= 0xeffff);
}

/* Copies the name at unit i for a message: printable ASCII, '?' for
 * anything else, at most size - 1 characters. */
static void
scan_name(const struct scan *s, size_t i, char *dst, size_t size)
{
	unsigned long c;
	size_t k = 0;

	for (; k + 1 < size; i++) {
		c = scan_unit(s, i);
		if (c == SCAN_EOF || scan_blank(c) || c == '>' || c == '/' ||
		    c == '<' || c == '=' || c == '"' || c == '\'' || c == '[')
			break;
		dst[k++] = c > 0x20 && c < 0x7f ? (char)c : '?';
	}
	dst[k] = '\0';
	if (k == 0)
		snprintf(dst, size, "(document)");
}

/* Case-insensitive: s is prefix followed by 1 to 2 digits (or exactly
 * prefix when digits is 0). */
static int
scan_enc_is(const char *s, const char *prefix, int digits)
{
	size_t n = strlen(prefix);

	if (strncasecmp(s, prefix, n) != 0)
		return 0;
	s += n;
	if (digits == 0)
		return *s == '\0';
	return s[0] >= '0' && s[0] <= '9' && (s[1] == '\0' ||
	    (s[1] >= '0' && s[1] <= '9' && s[2] == '\0'));
}

/* Reads the encoding the XML declaration (units [from, to)) names, as
 * libxml2 would find it: the first "encoding", '=', a quoted name.  Empty
 * when there is none. */
static void
scan_decl_encoding(const struct scan *s, size_t from, size_t to, char *dst,
    size_t size)
{
	size_t i, k = 0;
	unsigned long q, c;

	dst[0] = '\0';
	for (i = from; i < to && !scan_is(s, i, "encoding"); i++)
		continue;
	if (i >= to)
		return;
	for (i += 8; i < to && scan_blank(scan_unit(s, i)); i++)
		continue;
	if (scan_unit(s, i) != '=')
		return;
	for (i++; i < to && scan_blank(scan_unit(s, i)); i++)
		continue;
	q = scan_unit(s, i);
	if (q != '"' && q != '\'')
		return;
	for (i++; i < to && (c = scan_unit(s, i)) != q; i++)
		if (k + 1 < size)
			dst[k++] = c > 0x20 && c < 0x7f ? (char)c : '?';
	dst[i < to ? k : 0] = '\0';
}

/* Sets s->enc and s->i from the first bytes and the XML declaration, as
 * libxml2 2.9.14 would choose; refuses what the pass cannot read. */
static int
scan_encoding(struct scan *s, const unsigned char *b, size_t len)
{
	char enc[48];
	size_t gt;
	int wide;

	s->enc = SCAN_UTF8;
	s->n = len;
	s->i = 0;
	if (len >= 4 && ((b[0] == 0 && b[1] == 0) || (b[2] == 0 &&
	    b[3] == 0 && b[0] != 0xff) || (b[0] == 0x4c && b[1] == 0x6f &&
	    b[2] == 0xa7 && b[3] == 0x94)))
		return err_set(s->e, ERR_INPUT, "%s:1: (document): UCS-4 and "
		    "EBCDIC documents are not accepted (use UTF-8)", s->name);
	if (len >= 4 && b[0] == 0x3c && b[1] == 0 && b[2] == 0x3f &&
	    b[3] == 0)
		s->enc = SCAN_UTF16LE;
	else if (len >= 4 && b[0] == 0 && b[1] == 0x3c && b[2] == 0 &&
	    b[3] == 0x3f)
		s->enc = SCAN_UTF16BE;
	else if (len >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf)
		s->i = 3;
	else if (len >= 2 && b[0] == 0xff && b[1] == 0xfe) {
		s->enc = SCAN_UTF16LE;
		s->i = 1;
	} else if (len >= 2 && b[0] == 0xfe && b[1] == 0xff) {
		s->enc = SCAN_UTF16BE;
		s->i = 1;
	}
	wide = s->enc == SCAN_UTF16LE || s->enc == SCAN_UTF16BE;
	if (wide)
		s->n = len / 2;
	if (!scan_is(s, s->i, "<?xml") || !scan_blank(scan_unit(s, s->i + 5)))
		return 0;
	if ((gt = scan_find(s, s->i + 5, ">")) == SCAN_NONE)
		gt = s->n;
	scan_decl_encoding(s, s->i + 5, gt, enc, sizeof(enc));
	/* libxml2 keeps UTF-8 or UTF-16 for these names, switches for the
	 * others. */
	if (enc[0] == '\0' || scan_enc_is(enc, "UTF-8", 0) ||
	    scan_enc_is(enc, "UTF8", 0) || scan_enc_is(enc, "UTF-16", 0) ||
	    scan_enc_is(enc, "UTF16", 0))
		return 0;
	if (wide && ((s->enc == SCAN_UTF16LE && scan_enc_is(enc, "UTF-16LE", 0)) ||
	    (s->enc == SCAN_UTF16BE && scan_enc_is(enc, "UTF-16BE", 0))))
		return 0;
	if (!wide && (scan_enc_is(enc, "ISO-8859-1", 0) ||
	    scan_enc_is(enc, "ISO8859-1", 0) || scan_enc_is(enc, "ISO_8859-1", 0) ||
	    scan_enc_is(enc, "ISO-LATIN-1", 0) || scan_enc_is(enc, "LATIN1", 0))) {
		s->enc = SCAN_LATIN1;
		return 0;
	}
	if (!wide && (scan_enc_is(enc, "US-ASCII", 0) || scan_enc_is(enc, "ASCII", 0) ||
	    scan_enc_is(enc, "ISO-8859-", 2) || scan_enc_is(enc, "ISO8859-", 2) ||
	    scan_enc_is(enc, "ISO_8859-", 2) || scan_enc_is(enc, "WINDOWS-125", 1) ||
	    scan_enc_is(enc, "CP125", 1))) {
		s->enc = SCAN_BYTES;
		return 0;
	}
	return err_set(s->e, ERR_INPUT, "%s:%ld: (document): encoding '%s' "
	    "is not accepted (UTF-8, UTF-16, US-ASCII, ISO-8859-n or "
	    "windows-125n)", s->name, scan_line(s, s->i), enc);
}

/* A start tag at s->i: counts its attributes up to the closing '>', or up
 * to a '<' (where libxml2 gives the tag up and the caller starts over). */
static int
scan_start_tag(struct scan *s)
{
	char elem[64];
	unsigned long c, q = 0;
	size_t j;
	int count = 0;

	/* Only '<', '>', quotes and '=' change anything here; inside a
	 * quoted value only '<' and the closing quote. */
	for (j = s->i + 1; (j = scan_span(s, j, q == 0 ? CL_LT | CL_GT |
	    CL_QUOT | CL_APOS | CL_EQ : q == '"' ? CL_LT | CL_QUOT :
	    CL_LT | CL_APOS)) < s->n && (c = scan_unit(s, j)) != '<'; j++) {
		if (q != 0) {
			if (c == q)
				q = 0;
		} else if (c == '"' || c == '\'')
			q = c;
		else if (c == '>') {
			j++;
			break;
		} else if (c == '=' && ++count > s->max_attrs) {
			scan_name(s, s->i + 1, elem, sizeof(elem));
			return err_set(s->e, ERR_INPUT, "%s:%ld: %s: more than "
			    "%d attributes", s->name, scan_line(s, s->i), elem,
			    s->max_attrs);
		}
	}
	scan_advance(s, j);
	return 0;
}

/* Skips a section from s->i to the end of the first lit at or after from;
 * 1 when it is not closed (the rest is the section). */
static int
scan_skip(struct scan *s, size_t from, const char *lit)
{
	size_t j;

	if ((j = scan_find(s, from, lit)) == SCAN_NONE) {
		scan_advance(s, s->n);
		return 1;
	}
	scan_advance(s, j + strlen(lit));
	return 0;
}

static int
scan_markup(struct scan *s)
{
	char what[64];
	unsigned long c = scan_unit(s, s->i + 1);
	size_t j;
	int ns;

	/* The common cases first: every other kind starts "<!" or "<?". */
	if (c != '!' && c != '?' && c != '/')
		return scan_start_tag(s);
	if (c == '/') {
		j = scan_span(s, s->i + 2, CL_LT | CL_GT);
		if (scan_unit(s, j) == '>')
			j++;
		scan_advance(s, j);
		return 0;
	}
	if (scan_is(s, s->i, "<!--")) {
		if ((j = scan_find(s, s->i + 4, "--")) == SCAN_NONE) {
			scan_advance(s, s->n);
			return 0;
		}
		scan_advance(s, j);
		if (scan_unit(s, j + 2) != '>')
			return err_set(s->e, ERR_INPUT, "%s:%ld: (document): "
			    "'--' inside a comment", s->name, scan_line(s, j));
		scan_advance(s, j + 3);
	} else if (scan_is(s, s->i, "<![CDATA["))
		scan_skip(s, s->i + 9, "]]>");
	else if (scan_is(s, s->i, "<?")) {
		if ((ns = scan_name_start(s, s->i + 2)) == -1)
			return err_set(s->e, ERR_INPUT, "%s:%ld: (document): "
			    "a processing instruction target starting with a "
			    "non-ASCII byte is accepted only in UTF-8, UTF-16 "
			    "or ISO-8859-1", s->name, scan_line(s, s->i));
		if (ns == 1)
			scan_skip(s, s->i + 2, "?>");
		else
			scan_advance(s, s->i + 2);	/* text to libxml2 */
	} else if (scan_is(s, s->i, "<!DOCTYPE")) {
		for (j = s->i + 9; scan_blank(scan_unit(s, j)); j++)
			continue;
		scan_name(s, j, what, sizeof(what));
		return err_set(s->e, ERR_INPUT, "%s:%ld: %s: a DTD (DOCTYPE) is "
		    "not allowed", s->name, scan_line(s, s->i), what);
	} else if (scan_is(s, s->i, "<!"))
		scan_advance(s, s->i + 1);	/* not a name: text after '<' */
	else
		return scan_start_tag(s);
	return 0;
}

static int
scan_run(const char *buf, size_t len, const char *name,
    const struct xml_limits *lim, int fast, struct err *e)
{
	struct scan s;
	size_t gt;

	memset(&s, 0, sizeof(s));
	s.p = (const unsigned char *)buf;
	s.max_attrs = lim->max_attrs > 0 ? lim->max_attrs : XML_MAX_ATTRS;
	s.name = name;
	s.e = e;
	if (scan_encoding(&s, s.p, len) == -1)
		return -1;
	s.fast = fast && s.enc != SCAN_UTF16LE && s.enc != SCAN_UTF16BE;
	if (scan_chars(&s) == -1)
		return -1;
	/* The XML declaration ends at its first '>' (libxml2 skips to it
	 * when the declaration is unfinished). */
	if (scan_is(&s, s.i, "<?xml") && scan_blank(scan_unit(&s, s.i + 5))) {
		gt = scan_find(&s, s.i + 5, ">");
		scan_advance(&s, gt == SCAN_NONE ? s.n : gt + 1);
	}
	/* Content: nothing but a '<' matters. */
	while ((s.i = scan_span(&s, s.i, CL_LT)) < s.n)
		if (scan_markup(&s) == -1)
			return -1;
	return 0;
}

int
xml_prescan(const char *buf, size_t len, const char *name,
    const struct xml_limits *lim, struct err *e)
{
	return scan_run(buf, len, name, lim, 1, e);
}

int
xml_prescan_units(const char *buf, size_t len, const char *name,
    const struct xml_limits *lim, struct err *e)
{
	return scan_run(buf, len, name, lim, 0, e);
}

