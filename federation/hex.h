/*
 * hex.h - hex digits and percent-encoding: the one copy of each that the
 * fingerprints, log hashes, forms and URLs share.
 */
#ifndef LASTERI_HEX_H
#define LASTERI_HEX_H

#include <stddef.h>

/* The value of hex digit c (either case), or -1. */
int	hex_val(int c);
/* n bytes at p as 2n lower-case hex digits and a NUL into out. */
void	hex_encode(const void *p, size_t n, char *out);
/* Exactly 2n hex digits at s (then a NUL) into n bytes; -1 otherwise. */
int	hex_decode(const char *s, unsigned char *out, size_t n);
/* Percent-decodes s[0..n) (a URL path or query part, or a form field;
 * plus: '+' is a space) into out, NUL-terminated; -1 when a %XX is bad,
 * a byte decodes to NUL, or out (len bytes) is too small. */
int	pct_decode(const char *s, size_t n, int plus, char *out, size_t len);

/* application/x-www-form-urlencoded in[0..len) decoded into one malloc'd
 * buffer *out (free()) of "name\0value\0" pairs, *outlen bytes; a field
 * without '=' has an empty value.  -1 when a field is malformed (see
 * pct_decode) or out of memory. */
int	form_decode(const char *in, size_t len, char **out, size_t *outlen);

#endif
