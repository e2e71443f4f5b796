/*
 * model_common.c - what the three document models share: dates and
 * instants, money, and the reading and writing helpers of model_internal.h.
 *
 * Instants are written in UTC with a "Z"; any xs:dateTime with a time zone
 * is read.  Dates are plain YYYY-MM-DD strings checked against the calendar.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model.h"
#include "model_internal.h"
#include "xml.h"

/* --- dates and instants ---------------------------------------------------- */

static int
days_in_month(int y, int m)
{
	static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

/* Reads exactly n digits at s. */
static int
digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* "YYYY-MM-DD" at s (not necessarily NUL-terminated after it). */
static int
date_fields(const char *s, int *y, int *m, int *d)
{
	if (digits(s, 4, y) == -1 || s[4] != '-' || digits(s + 5, 2, m) == -1 ||
	    s[7] != '-' || digits(s + 8, 2, d) == -1)
		return -1;
	if (*y < 1900 || *m < 1 || *m > 12 || *d < 1 ||
	    *d > days_in_month(*y, *m))
		return -1;
	return 0;
}

int
model_date_parse(const char *s, time_t *out)
{
	struct tm tm;
	int y, m, d;

	if (s == NULL || strlen(s) != DATE_LEN || date_fields(s, &y, &m, &d) == -1)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	*out = timegm(&tm);
	return 0;
}

int
model_datetime_parse(const char *s, time_t *out)
{
	struct tm tm;
	int y, mo, d, h, mi, sec, oh, om, sign;
	const char *p;
	time_t t;

	if (s == NULL || strlen(s) < 20 || date_fields(s, &y, &mo, &d) == -1 ||
	    s[10] != 'T' || digits(s + 11, 2, &h) == -1 || s[13] != ':' ||
	    digits(s + 14, 2, &mi) == -1 || s[16] != ':' ||
	    digits(s + 17, 2, &sec) == -1)
		return -1;
	if (h > 23 || mi > 59 || sec > 59)
		return -1;
	p = s + 19;
	if (*p == '.') {	/* fractions of a second are dropped */
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (p[0] == 'Z' && p[1] == '\0')
		oh = om = sign = 0;
	else if ((p[0] == '+' || p[0] == '-') && digits(p + 1, 2, &oh) == 0 &&
	    p[3] == ':' && digits(p + 4, 2, &om) == 0 && p[6] == '\0' &&
	    oh <= 14 && om <= 59)
		sign = p[0] == '+' ? 1 : -1;
	else
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	*out = t - (time_t)sign * (oh * 3600 + om * 60);
	return 0;
}

void
model_datetime_format(time_t t, char buf[32])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, 32, "1970-01-01T00:00:00Z");
}

/* --- money ----------------------------------------------------------------- */

int
mi_money_parse(const char *s, long *cents)
{
	long eur = 0, frac = 0;
	int i, nd = 0;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (++nd > 10)
			return -1;
		eur = eur * 10 + (*s - '0');
	}
	if (*s == '.') {
		s++;
		for (i = 0; i < 2 && *s >= '0' && *s <= '9'; i++, s++)
			frac = frac * 10 + (*s - '0');
		if (i == 0)
			return -1;
		if (i == 1)
			frac *= 10;
		while (*s == '0')	/* "450.500" is 450.50 */
			s++;
	}
	if (*s != '\0')
		return -1;
	*cents = eur * 100 + frac;
	return 0;
}

void
mi_money_format(long cents, char buf[32])
{
	if (cents < 0)
		cents = 0;
	snprintf(buf, 32, "%ld.%02ld", cents / 100, cents % 100);
}

/* --- plain checks ---------------------------------------------------------- */

int
mi_is_id(const char *s)
{
	size_t i, n;

	n = strlen(s);
	if (n == 0 || n > ID_MAX || !isalnum((unsigned char)s[0]))
		return 0;
	for (i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("._:-", s[i]) == NULL)
			return 0;
	return 1;
}

int
mi_is_date(const char *s)
{
	time_t t;

	return model_date_parse(s, &t) == 0;
}

int
mi_is_digits(const char *s, size_t n)
{
	size_t i;

	if (strlen(s) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* --- readers --------------------------------------------------------------- */

static const char *
loc_name(xmlNodePtr n)
{
	if (n != NULL && n->doc != NULL && n->doc->URL != NULL)
		return (const char *)n->doc->URL;
	return "document";
}

int
mi_fail(struct err *e, xmlNodePtr n, const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_set(e, ERR_SCHEMA, "%s:%ld: %s: %s", loc_name(n),
	    xmlGetLineNo(n), (const char *)n->name, msg);
}

int
mi_locate(struct err *e, xmlNodePtr n)
{
	return err_prefix(e, "%s:%ld: %s", loc_name(n), xmlGetLineNo(n),
	    (const char *)n->name);
}

#define DSIG_NS	"http://www.w3.org/2000/09/xmldsig#"

int
mi_read_children(xmlNodePtr n, const struct mi_field *f, int nf, int sig,
    void *obj, struct err *e)
{
	xmlNodePtr c;
	int i, at = 0, count = 0;

	for (c = xml_first_elem(n); c != NULL; c = xml_next_elem(c)) {
		if (sig && xml_next_elem(c) == NULL && c->ns != NULL &&
		    strcmp((const char *)c->ns->href, DSIG_NS) == 0 &&
		    strcmp((const char *)c->name, "Signature") == 0)
			break;
		for (i = at; i < nf; i++)
			if (xml_is(c, f[i].name))
				break;
		if (i == nf) {
			for (i = 0; i < at; i++)
				if (xml_is(c, f[i].name))
					return mi_fail(e, c, "out of order "
					    "in %s", (const char *)n->name);
			return mi_fail(e, c, "unexpected element in %s",
			    (const char *)n->name);
		}
		if (i != at) {
			if (count < f[at].min)
				return mi_fail(e, c, "%s is missing before it",
				    f[at].name);
			for (at++; at < i; at++)
				if (f[at].min > 0)
					return mi_fail(e, c, "%s is missing "
					    "before it", f[at].name);
			count = 0;
		}
		if (++count > f[at].max)
			return mi_fail(e, c, "more than %d in %s", f[at].max,
			    (const char *)n->name);
		if (f[at].read(c, obj, e) == -1)
			return -1;
	}
	if (nf > 0 && count < f[at].min)
		return mi_fail(e, n, "element %s is missing", f[at].name);
	for (at++; at < nf; at++)
		if (f[at].min > 0)
			return mi_fail(e, n, "element %s is missing", f[at].name);
	return 0;
}

/* Collapses whitespace in place as xs:token does. */
static void
collapse(char *s)
{
	char *r = s, *w = s;
	int space = 0;

	while (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r')
		r++;
	for (; *r != '\0'; r++) {
		if (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r') {
			space = 1;
			continue;
		}
		if (space)
			*w++ = ' ';
		space = 0;
		*w++ = *r;
	}
	*w = '\0';
}

static int
put(xmlNodePtr n, const char *what, const char *v, char *dst, size_t size,
    struct err *e)
{
	size_t len = strlen(v);

	if (len >= size)
		return mi_fail(e, n, "%s: %zu bytes is longer than %zu", what,
		    len, size - 1);
	memcpy(dst, v, len + 1);
	return 0;
}

int
mi_text(xmlNodePtr n, char *dst, size_t size, struct err *e)
{
	char *t;
	int rc;

	if ((t = xml_text(n, e)) == NULL)
		return -1;
	rc = put(n, "value", t, dst, size, e);
	xmlFree(t);
	return rc;
}

int
mi_token(xmlNodePtr n, char *dst, size_t size, struct err *e)
{
	char *t;
	int rc;

	if ((t = xml_text(n, e)) == NULL)
		return -1;
	collapse(t);
	rc = put(n, "value", t, dst, size, e);
	xmlFree(t);
	return rc;
}

int
mi_attr(xmlNodePtr n, const char *name, char *dst, size_t size, int required,
    struct err *e)
{
	xmlChar *v;
	char what[80];
	int rc;

	if ((v = xmlGetNoNsProp(n, (const xmlChar *)name)) == NULL) {
		if (required)
			return mi_fail(e, n, "attribute %s is missing", name);
		dst[0] = '\0';
		return 1;
	}
	collapse((char *)v);
	snprintf(what, sizeof(what), "attribute %s", name);
	rc = put(n, what, (const char *)v, dst, size, e);
	xmlFree(v);
	return rc;
}

static int
parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (*s == '+')
		s++;
	if (*s == '\0' || (*s != '-' && (*s < '0' || *s > '9')))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
mi_int(xmlNodePtr n, long min, long max, int *out, struct err *e)
{
	char buf[32];
	long v;

	if (mi_token(n, buf, sizeof(buf), e) == -1)
		return -1;
	if (parse_long(buf, min, max, &v) == -1)
		return mi_fail(e, n, "'%s' is not a whole number in %ld..%ld",
		    buf, min, max);
	*out = (int)v;
	return 0;
}

int
mi_int_attr(xmlNodePtr n, const char *name, long min, long max, int *out,
    struct err *e)
{
	char buf[32];
	long v;

	if (mi_attr(n, name, buf, sizeof(buf), 1, e) == -1)
		return -1;
	if (parse_long(buf, min, max, &v) == -1)
		return mi_fail(e, n, "attribute %s: '%s' is not a whole number "
		    "in %ld..%ld", name, buf, min, max);
	*out = (int)v;
	return 0;
}

static int
parse_bool(const char *s)
{
	if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
		return 1;
	if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
		return 0;
	return -1;
}

int
mi_bool(xmlNodePtr n, int *out, struct err *e)
{
	char buf[8];

	if (mi_token(n, buf, sizeof(buf), e) == -1)
		return -1;
	if ((*out = parse_bool(buf)) == -1)
		return mi_fail(e, n, "'%s' is not true or false", buf);
	return 0;
}

int
mi_bool_attr(xmlNodePtr n, const char *name, int *out, struct err *e)
{
	char buf[8];

	if (mi_attr(n, name, buf, sizeof(buf), 1, e) == -1)
		return -1;
	if ((*out = parse_bool(buf)) == -1)
		return mi_fail(e, n, "attribute %s: '%s' is not true or false",
		    name, buf);
	return 0;
}

int
mi_vocab(xmlNodePtr n, const struct vocab *v, int *out, struct err *e)
{
	char buf[64];

	if (mi_token(n, buf, sizeof(buf), e) == -1)
		return -1;
	if ((*out = vocab_find(v, buf)) == -1)
		return mi_fail(e, n, "'%s' is not a %s", buf, v->name);
	return 0;
}

int
mi_vocab_attr(xmlNodePtr n, const char *name, const struct vocab *v,
    int *out, struct err *e)
{
	char buf[64];

	if (mi_attr(n, name, buf, sizeof(buf), 1, e) == -1)
		return -1;
	if ((*out = vocab_find(v, buf)) == -1)
		return mi_fail(e, n, "attribute %s: '%s' is not a %s", name,
		    buf, v->name);
	return 0;
}

int
mi_money(xmlNodePtr n, long *cents, struct err *e)
{
	char buf[32];

	if (mi_token(n, buf, sizeof(buf), e) == -1)
		return -1;
	if (mi_money_parse(buf, cents) == -1)
		return mi_fail(e, n, "'%s' is not an amount of euros", buf);
	return 0;
}

int
mi_money_attr(xmlNodePtr n, const char *name, long *cents, struct err *e)
{
	char buf[32];

	if (mi_attr(n, name, buf, sizeof(buf), 1, e) == -1)
		return -1;
	if (mi_money_parse(buf, cents) == -1)
		return mi_fail(e, n, "attribute %s: '%s' is not an amount of "
		    "euros", name, buf);
	return 0;
}

int
mi_date(xmlNodePtr n, char *dst, size_t size, struct err *e)
{
	if (mi_token(n, dst, size, e) == -1)
		return -1;
	if (!mi_is_date(dst))
		return mi_fail(e, n, "'%s' is not a date (YYYY-MM-DD)", dst);
	return 0;
}

int
mi_date_attr(xmlNodePtr n, const char *name, char *dst, size_t size,
    struct err *e)
{
	if (mi_attr(n, name, dst, size, 1, e) == -1)
		return -1;
	if (!mi_is_date(dst))
		return mi_fail(e, n, "attribute %s: '%s' is not a date "
		    "(YYYY-MM-DD)", name, dst);
	return 0;
}

int
mi_datetime(xmlNodePtr n, time_t *out, struct err *e)
{
	char buf[48];

	if (mi_token(n, buf, sizeof(buf), e) == -1)
		return -1;
	if (model_datetime_parse(buf, out) == -1)
		return mi_fail(e, n, "'%s' is not a date and time with a time "
		    "zone", buf);
	return 0;
}

int
mi_datetime_attr(xmlNodePtr n, const char *name, time_t *out, struct err *e)
{
	char buf[48];

	if (mi_attr(n, name, buf, sizeof(buf), 1, e) == -1)
		return -1;
	if (model_datetime_parse(buf, out) == -1)
		return mi_fail(e, n, "attribute %s: '%s' is not a date and "
		    "time with a time zone", name, buf);
	return 0;
}

/* --- writers --------------------------------------------------------------- */

xmlNodePtr
mw_root(struct mw *w, xmlDocPtr doc, xmlNodePtr parent, const char *local)
{
	xmlNodePtr n;
	xmlNsPtr ns = NULL;

	if (w->fail)
		return NULL;
	if (parent == NULL && xmlDocGetRootElement(doc) != NULL) {
		w->fail = 3;	/* never replace (and leak) a caller's root */
		return NULL;
	}
	if ((n = xmlNewDocNode(doc, NULL, (const xmlChar *)local, NULL)) ==
	    NULL)
		goto fail;
	if (parent != NULL)
		ns = xmlSearchNsByHref(doc, parent, (const xmlChar *)LASTERI_NS);
	if (ns == NULL || ns->prefix != NULL) {
		if ((ns = xmlNewNs(n, (const xmlChar *)LASTERI_NS, NULL)) ==
		    NULL) {
			xmlFreeNode(n);
			goto fail;
		}
	}
	xmlSetNs(n, ns);
	if (parent != NULL)
		xmlAddChild(parent, n);
	else
		xmlDocSetRootElement(doc, n);
	return n;
fail:
	w->fail = 1;
	return NULL;
}

xmlNodePtr
mw_elem(struct mw *w, xmlNodePtr parent, const char *local, const char *text)
{
	xmlNodePtr n;

	if (w->fail || parent == NULL)
		return NULL;
	n = xmlNewTextChild(parent, parent->ns, (const xmlChar *)local,
	    (const xmlChar *)text);
	if (n == NULL)
		w->fail = 1;
	return n;
}

xmlNodePtr
mw_elem_opt(struct mw *w, xmlNodePtr parent, const char *local,
    const char *text)
{
	if (text == NULL || text[0] == '\0')
		return NULL;
	return mw_elem(w, parent, local, text);
}

xmlNodePtr
mw_elem_int(struct mw *w, xmlNodePtr parent, const char *local, long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", v);
	return mw_elem(w, parent, local, buf);
}

xmlNodePtr
mw_elem_bool(struct mw *w, xmlNodePtr parent, const char *local, int v)
{
	return mw_elem(w, parent, local, v ? "true" : "false");
}

xmlNodePtr
mw_elem_money(struct mw *w, xmlNodePtr parent, const char *local, long cents)
{
	char buf[32];

	mi_money_format(cents, buf);
	return mw_elem(w, parent, local, buf);
}

xmlNodePtr
mw_elem_datetime(struct mw *w, xmlNodePtr parent, const char *local, time_t t)
{
	char buf[32];

	model_datetime_format(t, buf);
	return mw_elem(w, parent, local, buf);
}

xmlNodePtr
mw_elem_vocab(struct mw *w, xmlNodePtr parent, const char *local,
    const struct vocab *v, int i)
{
	const char *tok;

	if ((tok = vocab_token(v, i)) == NULL) {
		w->fail = 2;
		return NULL;
	}
	return mw_elem(w, parent, local, tok);
}

void
mw_attr(struct mw *w, xmlNodePtr n, const char *name, const char *value)
{
	if (w->fail || n == NULL)
		return;
	if (xmlNewProp(n, (const xmlChar *)name, (const xmlChar *)value) ==
	    NULL)
		w->fail = 1;
}

void
mw_attr_int(struct mw *w, xmlNodePtr n, const char *name, long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", v);
	mw_attr(w, n, name, buf);
}

void
mw_attr_bool(struct mw *w, xmlNodePtr n, const char *name, int v)
{
	mw_attr(w, n, name, v ? "true" : "false");
}

void
mw_attr_money(struct mw *w, xmlNodePtr n, const char *name, long cents)
{
	char buf[32];

	mi_money_format(cents, buf);
	mw_attr(w, n, name, buf);
}

void
mw_attr_datetime(struct mw *w, xmlNodePtr n, const char *name, time_t t)
{
	char buf[32];

	model_datetime_format(t, buf);
	mw_attr(w, n, name, buf);
}

void
mw_attr_vocab(struct mw *w, xmlNodePtr n, const char *name,
    const struct vocab *v, int i)
{
	const char *tok;

	if ((tok = vocab_token(v, i)) == NULL) {
		w->fail = 2;
		return;
	}
	mw_attr(w, n, name, tok);
}

xmlNodePtr
mw_finish(struct mw *w, xmlDocPtr doc, xmlNodePtr root, const char *what,
    struct err *e)
{
	if (!w->fail && root != NULL)
		return root;
	if (root != NULL) {
		xmlUnlinkNode(root);
		xmlFreeNode(root);
	}
	if (w->fail == 2)
		err_set(e, ERR_SCHEMA, "%s: a value is outside its vocabulary",
		    what);
	else if (w->fail == 3)
		err_set(e, ERR_USAGE, "%s: the document already has a root "
		    "element", what);
	else
		err_set(e, ERR_NOMEM, "%s: out of memory", what);
	return NULL;
}
