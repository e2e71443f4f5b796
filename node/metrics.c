/*
 * metrics.c - counters and gauges in the Prometheus text format (see
 * metrics.h).  Families and series live in two fixed-size arrays: the
 * number of series is small and bounded, so a linear search is cheaper
 * than any index, and nothing grows with traffic.
 */
#include "config.h"

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
		  "Signed records held in the store." },
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
				fprintf(f, "%s{%s} %.17g\n", m->fam[fi].name,
				    m->ser[i].labels, m->ser[i].value);
			else
				fprintf(f, "%s %.17g\n", m->fam[fi].name,
				    m->ser[i].value);
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
