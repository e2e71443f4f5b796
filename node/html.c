/*
 * html.c - the page buffer and its one escaping function (see html.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"

void
html_init(struct html *h)
{
	memset(h, 0, sizeof(*h));
}

void
html_clear(struct html *h)
{
	free(h->p);
	html_init(h);
}

static int
grow(struct html *h, size_t more)
{
	size_t cap;
	char *p;

	if (h->oom)
		return -1;
	if (h->len + more + 1 <= h->cap)
		return 0;
	cap = h->cap == 0 ? 8192 : h->cap;
	while (cap < h->len + more + 1)
		cap *= 2;
	if ((p = realloc(h->p, cap)) == NULL) {
		h->oom = 1;
		return -1;
	}
	h->p = p;
	h->cap = cap;
	return 0;
}

void
html_mem(struct html *h, const void *p, size_t len)
{
	if (grow(h, len) == -1)
		return;
	memcpy(h->p + h->len, p, len);
	h->len += len;
	h->p[h->len] = '\0';
}

void
html_raw(struct html *h, const char *s)
{
	html_mem(h, s, strlen(s));
}

void
html_text(struct html *h, const char *s)
{
	const char *run = s, *rep;

	if (s == NULL)
		return;
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			continue;
		}
		html_mem(h, run, (size_t)(s - run));
		html_raw(h, rep);
		run = s + 1;
	}
	html_mem(h, run, (size_t)(s - run));
}

/* A query value: unreserved characters as they are, the rest %XX. */
static void
url_value(struct html *h, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char buf[4];
	unsigned char c;

	for (; s != NULL && *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~') {
			html_mem(h, s, 1);
			continue;
		}
		buf[0] = '%';
		buf[1] = hex[c >> 4];
		buf[2] = hex[c & 15];
		html_mem(h, buf, 3);
	}
}

void
html_f(struct html *h, const char *fmt, ...)
{
	const char *p = fmt, *run = fmt;
	char num[32];
	va_list ap;
	int k;

	va_start(ap, fmt);
	while (*p != '\0') {
		if (*p != '%') {
			p++;
			continue;
		}
		html_mem(h, run, (size_t)(p - run));
		p++;
		k = -1;
		if (*p == 's')
			html_text(h, va_arg(ap, const char *));
		else if (*p == 'u')
			url_value(h, va_arg(ap, const char *));
		else if (*p == 'd')
			k = snprintf(num, sizeof(num), "%d", va_arg(ap, int));
		else if (*p == '%')
			html_raw(h, "%");
		else if (p[0] == 'l' && p[1] == 'd') {
			k = snprintf(num, sizeof(num), "%ld",
			    va_arg(ap, long));
			p++;
		} else if (p[0] == 'l' && p[1] == 'l' && p[2] == 'd') {
			k = snprintf(num, sizeof(num), "%lld",
			    va_arg(ap, long long));
			p += 2;
		} else if (p[0] == 'z' && p[1] == 'u') {
			k = snprintf(num, sizeof(num), "%zu",
			    va_arg(ap, size_t));
			p++;
		} else
			abort();	/* a format we wrote wrongly */
		if (k > 0)
			html_mem(h, num, (size_t)k);
		p++;
		run = p;
	}
	html_mem(h, run, (size_t)(p - run));
	va_end(ap);
}

void
html_csv(struct html *h, const char *s)
{
	const char *p;
	int quote = 0;

	if (s == NULL)
		s = "";
	for (p = s; *p != '\0'; p++)
		if (*p == ',' || *p == '"' || *p == '\r' || *p == '\n')
			quote = 1;
	if (*s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' ||
	    *s == '\r')
		quote = 1;
	if (!quote) {
		html_raw(h, s);
		return;
	}
	html_raw(h, "\"");
	if (*s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' ||
	    *s == '\r')
		html_raw(h, "'");
	for (p = s; *p != '\0'; p++) {
		if (*p == '"')
			html_raw(h, "\"");
		html_mem(h, p, 1);
	}
	html_raw(h, "\"");
}
