/*
 * metrics.c - counters and gauges in the Prometheus text format (see
 * metrics.h).  Families and series live in two fixed-size arrays: the
 * number of series is small and bounded, so a linear search is cheaper
 * than any index, and nothing grows with traffic.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

#define FAMILIES_MAX	48
#define SERIES_MAX	512
#define NAME_MAX_	64
#define LABELS_MAX	160

struct family {
	char			name[NAME_MAX_];
	enum metrics_type	type;
	char			help[160];
};

struct series {
	int	family;
	char	labels[LABELS_MAX];
	double	value;
};

struct metrics {
	struct family	fam[FAMILIES_MAX];
	int		nfam;
	struct series	ser[SERIES_MAX];
	int		nser;
};

/*
 * The series every family has from start, at 0, so that a dashboard or an
 * alert rule (rate(), absent()) sees them before the first event: the
 * unlabelled counters ("") and the label values a family can take.  Names
 * of families registered outside this file are spelled out (their headers
 * define them too).
 */
#define R(v)	"result=\"" v "\""
#define C(l, r)	"listener=\"" l "\",reason=\"" r "\""
static const struct {
	const char	*family;
	const char	*labels[16];
} known[] = {
	{ M_TLS_HANDSHAKES, { "" } },
	{ M_ACCEPT_ERRORS, { "" } },
	{ M_TRUST_RELOADS, { R("ok"), R("refused"), R("fetch-failed") } },
	{ M_CONN_REFUSED, { C("federation", "members-full"),
	    C("federation", "handshakes-full"), C("federation", "per-address"),
	    C("federation", "handshake-timeout"),
	    C("federation", "header-timeout"), C("federation", "body-timeout"),
	    C("federation", "draining"), C("admin", "admin-full"),
	    C("admin", "header-timeout"), C("admin", "body-timeout"),
	    C("admin", "draining"), C("web", "web-full"),
	    C("web", "header-timeout"), C("web", "body-timeout"),
	    C("web", "draining") } },
	{ "lasteri_records_issued_total", { R("stored"), R("duplicate"),
	    R("conflict"), R("refused"), R("error") } },
	{ "lasteri_records_received_total", { R("stored"), R("duplicate"),
	    R("conflict"), R("refused"), R("error") } },
	{ "lasteri_records_commits_total", { "" } },
	{ M_RECORDS_STORED, { M_SIGNED_YES, M_SIGNED_NO } },
	{ "lasteri_outbox_deliveries_total", { R("delivered"), R("conflict"),
	    R("refused"), R("retry") } },
	{ "lasteri_log_checkpoints_signed_total", { "" } },
	{ "lasteri_witness_checks_total", { "" } },
};
#undef R
#undef C

static struct series *series_get(struct metrics *, const char *,
    const char *, int);

struct metrics *
metrics_new(void)
{
	static const struct {
		const char *name;
		enum metrics_type type;
		const char *help;
	} builtin[] = {
		{ M_HTTP_REQUESTS, METRICS_COUNTER,
		  "HTTP requests answered, by listener, endpoint, method and status." },
		{ M_TLS_HANDSHAKES, METRICS_COUNTER,
		  "Mutual-TLS handshakes completed on the federation port." },
		{ M_TLS_FAILURES, METRICS_COUNTER,
		  "Mutual-TLS handshakes refused or failed, by reason." },
		{ M_CONN_OPEN, METRICS_GAUGE,
		  "Federation connections of listed members open now." },
		{ M_CONN_HANDSHAKING, METRICS_GAUGE,
		  "Federation connections still in their TLS handshake." },
		{ M_CONN_ADMIN, METRICS_GAUGE,
		  "Admin socket connections open now." },
		{ M_CONN_WEB, METRICS_GAUGE,
		  "Web service connections open now." },
		{ M_CONN_REFUSED, METRICS_COUNTER,
		  "Connections closed by a limit, by listener and reason "
		  "(members-full, handshakes-full, per-address, "
		  "handshake-timeout, admin-full, web-full, header-timeout, "
		  "body-timeout, draining)." },
		{ M_ACCEPT_ERRORS, METRICS_COUNTER,
		  "accept() failures (such as no free file descriptor), "
		  "each followed by a pause of the listeners." },
		{ M_TRUST_EXPIRED, METRICS_GAUGE,
		  "1 while the trust list in use is past its Expires." },
		{ M_TRUST_SEQUENCE, METRICS_GAUGE,
		  "Sequence number of the trust list in use." },
		{ M_TRUST_EXPIRY, METRICS_GAUGE,
		  "Expiry time of the trust list in use (Unix seconds)." },
		{ M_TRUST_RELOADS, METRICS_COUNTER,
		  "Trust list reloads and trust_url fetches, by result "
		  "(ok, refused, fetch-failed)." },
		{ M_OUTBOX_PENDING, METRICS_GAUGE,
		  "Records waiting in the outbox for delivery to other nodes." },
		{ M_RECORDS_STORED, METRICS_GAUGE,
		  "Supervision records held in the store, by whether the "
		  "node verified a signature on them (signed=yes: issued "
		  "here, received, or imported signed; signed=no: imported "
		  "unsigned)." },
		{ M_START_TIME, METRICS_GAUGE,
		  "When the node started (Unix seconds)." },
		{ NULL, 0, NULL }
	};
	struct metrics *m;
	int i;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	for (i = 0; builtin[i].name != NULL; i++)
		metrics_register(m, builtin[i].name, builtin[i].type,
		    builtin[i].help);
	return m;
}

void
metrics_free(struct metrics *m)
{
	free(m);
}

static int
family_find(const struct metrics *m, const char *name)
{
	int i;

	for (i = 0; i < m->nfam; i++)
		if (strcmp(m->fam[i].name, name) == 0)
			return i;
	return -1;
}

int
metrics_register(struct metrics *m, const char *name,
    enum metrics_type type, const char *help)
{
	struct family *f;
	int i;

	if ((i = family_find(m, name)) != -1)
		return m->fam[i].type == type ? 0 : -1;
	if (m->nfam == FAMILIES_MAX || strlen(name) >= NAME_MAX_)
		return -1;
	f = &m->fam[m->nfam++];
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->type = type;
	snprintf(f->help, sizeof(f->help), "%s", help);
	for (i = 0; i < (int)(sizeof(known) / sizeof(known[0])); i++) {
		size_t k;

		if (strcmp(known[i].family, name) != 0)
			continue;
		for (k = 0; k < sizeof(known[i].labels) /
		    sizeof(known[i].labels[0]) && known[i].labels[k] != NULL;
		    k++)
			(void)series_get(m, name, known[i].labels[k], 1);
	}
	return 0;
}

static struct series *
series_get(struct metrics *m, const char *name, const char *labels,
    int create)
{
	int fi, i;

	if (labels == NULL)
		labels = "";
	if ((fi = family_find(m, name)) == -1 || strlen(labels) >= LABELS_MAX)
		return NULL;
	for (i = 0; i < m->nser; i++)
		if (m->ser[i].family == fi &&
		    strcmp(m->ser[i].labels, labels) == 0)
			return &m->ser[i];
	if (!create || m->nser == SERIES_MAX)
		return NULL;
	m->ser[m->nser].family = fi;
	snprintf(m->ser[m->nser].labels, LABELS_MAX, "%s", labels);
	m->ser[m->nser].value = 0;
	return &m->ser[m->nser++];
}

void
metrics_add(struct metrics *m, const char *name, const char *labels,
    double v)
{
	struct series *s;

	if (m != NULL && (s = series_get(m, name, labels, 1)) != NULL)
		s->value += v;
}

void
metrics_inc(struct metrics *m, const char *name, const char *labels)
{
	metrics_add(m, name, labels, 1);
}

void
metrics_set(struct metrics *m, const char *name, const char *labels,
    double v)
{
	struct series *s;

	if (m != NULL && (s = series_get(m, name, labels, 1)) != NULL)
		s->value = v;
}

double
metrics_get(const struct metrics *m, const char *name, const char *labels)
{
	int fi, i;

	if (labels == NULL)
		labels = "";
	if ((fi = family_find(m, name)) == -1)
		return 0;
	for (i = 0; i < m->nser; i++)
		if (m->ser[i].family == fi &&
		    strcmp(m->ser[i].labels, labels) == 0)
			return m->ser[i].value;
	return 0;
}

/* A sample value as a plain number: digits and at most one point, never
 * an exponent (1796472181, 0.25), as every reader of the text format and
 * every person parses it. */
static void
put_value(FILE *f, double v)
{
	char b[400];
	size_t n;

	if (isnan(v)) {
		fputs("NaN", f);
		return;
	}
	if (isinf(v)) {
		fputs(v > 0 ? "+Inf" : "-Inf", f);
		return;
	}
	if (fabs(v) < 9e15 && v == (double)(long long)v) {
		fprintf(f, "%lld", (long long)v);
		return;
	}
	snprintf(b, sizeof(b), "%.6f", v);
	n = strlen(b);
	while (n > 0 && b[n - 1] == '0')
		b[--n] = '\0';
	if (n > 0 && b[n - 1] == '.')
		b[--n] = '\0';
	fputs(strcmp(b, "-0") == 0 ? "0" : b, f);
}

char *
metrics_format(const struct metrics *m, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f;
	int fi, i, any;

	if ((f = open_memstream(&buf, &n)) == NULL)
		return NULL;
	for (fi = 0; fi < m->nfam; fi++) {
		fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", m->fam[fi].name,
		    m->fam[fi].help, m->fam[fi].name,
		    m->fam[fi].type == METRICS_COUNTER ? "counter" : "gauge");
		any = 0;
		for (i = 0; i < m->nser; i++) {
			if (m->ser[i].family != fi)
				continue;
			any = 1;
			if (m->ser[i].labels[0] != '\0')
				fprintf(f, "%s{%s} ", m->fam[fi].name,
				    m->ser[i].labels);
			else
				fprintf(f, "%s ", m->fam[fi].name);
			put_value(f, m->ser[i].value);
			fputc('\n', f);
		}
		/* An unlabelled family with no update yet still reads 0. */
		if (!any && m->fam[fi].type == METRICS_GAUGE)
			fprintf(f, "%s 0\n", m->fam[fi].name);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	if (len != NULL)
		*len = n;
	return buf;
}
