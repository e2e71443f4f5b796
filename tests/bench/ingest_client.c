/*
 * ingest_client.c - the load client of tests/bench/log's ingest run.
 *
 * POSTs DIR/1.signed .. DIR/N.signed (read into memory first) to URL over
 * --par keep-alive HTTP/1.1 connections at once with a client certificate,
 * on one libcurl multi handle in one thread: each easy handle carries one
 * request at a time and takes the next body as soon as its answer is in.
 * Prints the records per second (wall time from the first request to the
 * last answer), the answers' status codes, the connections opened, each
 * answer's latency (from the moment its request was handed to libcurl;
 * p50/p90/p99/max) and this process's own CPU per record (getrusage over
 * the run), so that the figure of the node can be told from the client's.
 *
 *   ingest_client --url URL --cert CRT --key KEY [--cacert CA | --insecure]
 *                 [--par N] DIR N
 *
 * Exit 0 when every request got an answer (whatever its status), 1 when a
 * transfer failed, 2 on usage or set-up errors.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "ingest_report.h"

#define PAR_MAX		1024

struct slot {
	CURL		*h;
	size_t		 rec;		/* the record it carries */
	double		 t0;		/* when it was handed over */
};

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

static void
usage(void)
{
	fprintf(stderr, "usage: ingest_client --url URL --cert CRT --key KEY "
	    "[--cacert CA | --insecure] [--par N] DIR N\n");
	exit(2);
}

/* Sets up h for record i. */
static void
slot_arm(struct slot *s, size_t i, const struct record_file *b)
{
	s->rec = i;
	curl_easy_setopt(s->h, CURLOPT_POSTFIELDS, b[i].buf);
	curl_easy_setopt(s->h, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)b[i].len);
	s->t0 = now_s();
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "url", required_argument, NULL, 'u' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "cacert", required_argument, NULL, 'a' },
		{ "insecure", no_argument, NULL, 'i' },
		{ "par", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	const char *url = NULL, *cert = NULL, *key = NULL, *ca = NULL;
	struct curl_slist *hdrs = NULL;
	struct record_file *b = NULL;
	struct slot *slots = NULL;
	double *lat = NULL, t0, t1, c0, c1;
	unsigned long status[STATUS_MAX + 1];
	size_t n, i, next = 0, done = 0, nlat = 0, par = 16;
	long conns = 0, code, v;
	int c, insecure = 0, running, left, failed = 0;
	CURLM *m = NULL;
	CURLMsg *msg;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			url = optarg;
			break;
		case 'c':
			cert = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'a':
			ca = optarg;
			break;
		case 'i':
			insecure = 1;
			break;
		case 'p':
			if ((v = arg_long(optarg, 1, PAR_MAX)) == -1)
				usage();
			par = (size_t)v;
			break;
		default:
			usage();
		}
	}
	if (url == NULL || cert == NULL || key == NULL ||
	    argc - optind != 2)
		usage();
	if ((v = arg_long(argv[optind + 1], 1, LONG_MAX)) == -1)
		usage();
	n = (size_t)v;
	if (par > n)
		par = n;
	memset(status, 0, sizeof(status));
	if ((lat = calloc(n, sizeof(*lat))) == NULL ||
	    (slots = calloc(par, sizeof(*slots))) == NULL) {
		fprintf(stderr, "ingest_client: out of memory\n");
		return 2;
	}
	b = records_load("ingest_client", argv[optind], n, 0);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (m = curl_multi_init()) == NULL) {
		fprintf(stderr, "ingest_client: libcurl set-up failed\n");
		return 2;
	}
	curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)par);
	curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)par);
	/* No "Expect: 100-continue" round trip before a body. */
	hdrs = curl_slist_append(hdrs, "Content-Type: application/xml");
	hdrs = curl_slist_append(hdrs, "Expect:");
	for (i = 0; i < par; i++) {
		CURL *h;

		if ((h = slots[i].h = curl_easy_init()) == NULL) {
			fprintf(stderr, "ingest_client: libcurl set-up failed\n");
			return 2;
		}
		curl_easy_setopt(h, CURLOPT_URL, url);
		curl_easy_setopt(h, CURLOPT_HTTP_VERSION,
		    (long)CURL_HTTP_VERSION_1_1);
		curl_easy_setopt(h, CURLOPT_SSLCERT, cert);
		curl_easy_setopt(h, CURLOPT_SSLKEY, key);
		if (ca != NULL)
			curl_easy_setopt(h, CURLOPT_CAINFO, ca);
		if (insecure) {
			curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
			curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
		}
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
		curl_easy_setopt(h, CURLOPT_TIMEOUT, 300L);
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
		curl_easy_setopt(h, CURLOPT_PRIVATE, &slots[i]);
	}
	c0 = cpu_s();
	t0 = now_s();
	for (i = 0; i < par; i++) {
		slot_arm(&slots[i], next++, b);
		curl_multi_add_handle(m, slots[i].h);
	}
	while (done < n) {
		if (curl_multi_perform(m, &running) != CURLM_OK) {
			fprintf(stderr, "ingest_client: curl_multi_perform "
			    "failed\n");
			return 1;
		}
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			struct slot *s;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			    (char **)&s);
			done++;
			if (msg->data.result != CURLE_OK) {
				if (failed++ < 3)
					fprintf(stderr, "ingest_client: record "
					    "%zu: %s\n", s->rec + 1,
					    curl_easy_strerror(
					    msg->data.result));
				status[0]++;
			} else {
				code = 0;
				curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE,
				    &code);
				status[code >= 0 && code <= STATUS_MAX ? code :
				    0]++;
				if (code == 201)
					lat[nlat++] = now_s() - s->t0;
			}
			v = 0;
			curl_easy_getinfo(s->h, CURLINFO_NUM_CONNECTS, &v);
			conns += v;
			curl_multi_remove_handle(m, s->h);
			if (next < n) {
				slot_arm(s, next++, b);
				curl_multi_add_handle(m, s->h);
			}
		}
		if (done < n && curl_multi_poll(m, NULL, 0, 1000, NULL) !=
		    CURLM_OK) {
			fprintf(stderr, "ingest_client: curl_multi_poll "
			    "failed\n");
			return 1;
		}
	}
	t1 = now_s();
	c1 = cpu_s();
	ingest_report(n, t0, t1, c0, c1, par, conns, status, lat, nlat);
	for (i = 0; i < par; i++) {
		curl_multi_remove_handle(m, slots[i].h);
		curl_easy_cleanup(slots[i].h);
	}
	curl_multi_cleanup(m);
	curl_slist_free_all(hdrs);
	records_free(b, n);
	free(lat);
	free(slots);
	curl_global_cleanup();
	return failed ? 1 : 0;
}
