/*
 * hex.c - hex digits and percent-encoding (see hex.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hex.h"

int
hex_val(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void
hex_encode(const void *p, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = d[b[i] >> 4];
		out[2 * i + 1] = d[b[i] & 15];
	}
	out[2 * n] = '\0';
}

int
hex_decode(const char *s, unsigned char *out, size_t n)
{
	size_t i;
	int hi, lo;

	if (s == NULL || strlen(s) != 2 * n)
		return -1;
	for (i = 0; i < n; i++) {
		if ((hi = hex_val(s[2 * i])) < 0 ||
		    (lo = hex_val(s[2 * i + 1])) < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

int
pct_decode(const char *s, size_t n, int plus, char *out, size_t len)
{
	size_t i, o = 0;
	int hi, lo;
	char c;

	for (i = 0; i < n; i++) {
		c = s[i];
		if (c == '+' && plus)
			c = ' ';
		else if (c == '%') {
			if (i + 2 >= n || (hi = hex_val(s[i + 1])) < 0 ||
			    (lo = hex_val(s[i + 2])) < 0 || (hi | lo) == 0)
				return -1;
			c = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '\0')
			return -1;
		if (o + 1 >= len)
			return -1;
		out[o++] = c;
	}
	if (o >= len)
		return -1;
	out[o] = '\0';
	return 0;
}

/* Decodes application/x-www-form-urlencoded (see hex.h);
 * -1 when malformed.  A decoded pair is at most its raw bytes and two
 * NULs, and a raw pair at least one byte: twice the input is room. */
int
form_decode(const char *in, size_t len, char **out, size_t *outlen)
{
	const char *p = in, *end = in + len, *amp, *eq;
	size_t cap = 2 * len + 2;
	char *o, *w;

	if ((o = malloc(cap)) == NULL)
		return -1;
	w = o;
	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp > p) {
			if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
				eq = amp;
			if (pct_decode(p, (size_t)(eq - p), 1, w,
			    cap - (size_t)(w - o)) == -1)
				goto bad;
			w += strlen(w) + 1;
			if (pct_decode(eq < amp ? eq + 1 : amp, eq < amp ?
			    (size_t)(amp - eq - 1) : 0, 1, w,
			    cap - (size_t)(w - o)) == -1)
				goto bad;
			w += strlen(w) + 1;
		}
		p = amp + 1;
	}
	*out = o;
	*outlen = (size_t)(w - o);
	return 0;
bad:
	free(o);
	return -1;
}
