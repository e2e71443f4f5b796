/*
 * html.h - building the web service's pages (node/web*.c) in one growing
 * buffer, where every value goes through one escaping function.
 *
 * html_f() is a small printf: the format is markup we wrote; each %s
 * argument is escaped for text and attribute values (& < > " '), %u is a
 * URL query value (percent-encoded, then escaped); %d, %ld, %lld, %zu and
 * %% are numbers as printf writes them.  There is no conversion for raw
 * markup from a value: markup comes only from format strings and
 * html_raw() of literals.  Out of memory is remembered (h->oom) and the
 * page is then answered 503 by the caller.
 */
#ifndef LASTERI_HTML_H
#define LASTERI_HTML_H

#include <stddef.h>

struct html {
	char	*p;
	size_t	 len, cap;
	int	 oom;
};

void	html_init(struct html *h);
void	html_clear(struct html *h);		/* frees; h is empty again */
void	html_raw(struct html *h, const char *s);	/* trusted markup */
void	html_text(struct html *h, const char *s);	/* the escaping */
void	html_mem(struct html *h, const void *p, size_t len);	/* raw bytes */
void	html_f(struct html *h, const char *fmt, ...);
/* A CSV field (RFC 4180): quoted when it holds , " CR or LF, and with a
 * leading = + - @ TAB or CR defused by a ' so that a spreadsheet does not
 * run it. */
void	html_csv(struct html *h, const char *s);

#endif
