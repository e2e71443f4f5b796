/*
 * ingest_report.h - what the two load clients of tests/bench/log's ingest
 * run (ingest_client.c on libcurl, ingest_raw.c on OpenSSL) share: the
 * records they read, the clocks and the lines they print.  Include once,
 * from the client's .c.
 */
#ifndef LASTERI_INGEST_REPORT_H
#define LASTERI_INGEST_REPORT_H

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#define STATUS_MAX	600
#define BODY_MAX	(1024L * 1024)

/* One signed record file in memory: its bytes at buf + head (head bytes
 * free before them, for a request's headers). */
struct record_file {
	char	*buf;
	size_t	 head, len;
};

static int
record_file_read(const char *path, size_t head, struct record_file *r)
{
	struct stat sb;
	FILE *f;
	int rc = -1;

	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	if (fstat(fileno(f), &sb) == -1 || sb.st_size <= 0 ||
	    sb.st_size > BODY_MAX ||
	    (r->buf = malloc(head + (size_t)sb.st_size)) == NULL)
		goto done;
	r->head = head;
	r->len = (size_t)sb.st_size;
	if (fread(r->buf + head, 1, r->len, f) == r->len)
		rc = 0;
done:
	fclose(f);
	return rc;
}

/* DIR/1.signed .. DIR/N.signed, each 1 to BODY_MAX bytes; exits 2 naming
 * the file that cannot be read.  Free with records_free(). */
static struct record_file *
records_load(const char *prog, const char *dir, size_t n, size_t head)
{
	struct record_file *r;
	char path[4096];
	size_t i;

	if ((r = calloc(n, sizeof(*r))) == NULL) {
		fprintf(stderr, "%s: out of memory\n", prog);
		exit(2);
	}
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%zu.signed", dir, i + 1);
		if (record_file_read(path, head, &r[i]) == -1) {
			fprintf(stderr, "%s: %s: cannot read (or empty, or over "
			    "%ld bytes)\n", prog, path, BODY_MAX);
			exit(2);
		}
	}
	return r;
}

/* A decimal argument in [lo, hi] (lo >= 0), or -1. */
static long
arg_long(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 || v < lo || v > hi)
		return -1;
	return v;
}

static void
records_free(struct record_file *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(r[i].buf);
	free(r);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* This process's CPU (user + system) so far, in seconds. */
static double
cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
at(const double *v, size_t n, double q)
{
	size_t i = (size_t)(q * (double)n + 0.5);

	if (i < 1)
		i = 1;
	return v[(i <= n ? i : n) - 1];
}

/* The three "client:" lines tests/bench/log reads: the rate over the
 * window t0..t1 and the CPU c0..c1, the answers by status (0: failed),
 * the 201s' latencies (sorted here). */
static void
ingest_report(size_t n, double t0, double t1, double c0, double c1,
    size_t par, long conns, const unsigned long *status, double *lat,
    size_t nlat)
{
	size_t i;
	int k;

	printf("client: %zu records in %.0f ms = %.0f records/s, %zu at once, "
	    "connections opened %ld, CPU %.0f us per record\n", n,
	    (t1 - t0) * 1e3, (double)n / (t1 - t0), par, conns,
	    (c1 - c0) * 1e6 / (double)n);
	printf("client: answers:");
	for (i = 0, k = 0; i <= STATUS_MAX; i++)
		if (status[i] > 0)
			printf("%s %lu x %s%zu", k++ ? "," : "", status[i],
			    i == 0 ? "failed/" : "", i);
	printf("\n");
	if (nlat > 0) {
		qsort(lat, nlat, sizeof(*lat), cmp_double);
		printf("client: latency per record (201): p50 %.2f ms, p90 "
		    "%.2f ms, p99 %.2f ms, max %.2f ms\n",
		    at(lat, nlat, 0.5) * 1e3, at(lat, nlat, 0.9) * 1e3,
		    at(lat, nlat, 0.99) * 1e3, lat[nlat - 1] * 1e3);
	}
}

#endif
