/*
 * bench_log.c - the transparency log on a large store (issue 11 item 7).
 *
 * Builds a store (store_open with STORE_CREATE) whose log has --leaves
 * leaves (default 1,000,000).  store_tlog.h has no way to append a leaf
 * without its record (a leaf is appended only by store_record_put_signed()
 * with a signer, in the record's savepoint), so every leaf is a real row:
 * the bytes of --template (a signed supervision record, e.g.
 * tests/data/record-signed.xml) with its Id="..." replaced by a unique
 * Id, stored through store_record_put_signed() in transactions of --batch
 * records.  The signature is not verified (that is the ingest figure's
 * part, not this one's): the content digest passed is SHA-256 of the
 * bytes, the signer a fixed member ID.
 *
 * Then, on the store reopened: --proofs inclusion proofs at random leaves
 * (store_tlog_inclusion, tree of the whole size) and --proofs consistency
 * proofs between random sizes 0 < m <= n <= size (store_tlog_consistency),
 * each timed alone, after a warm-up: p50/p99/max in microseconds per round
 * (--rounds) and the median of the rounds' p50; then how many of those
 * proofs merkle_inclusion_verify() and merkle_consistency_verify() check
 * per second (median of the rounds), beside merkle_node_hash() per second
 * as this run's baseline; and the file's growth per leaf (after
 * store_close() has checkpointed the -wal: file size minus the empty
 * store's, over the leaves).  Exit 0 when it ran (whatever the figures), 2
 * when something failed.
 *
 *   bench_log --template FILE --db FILE [--reuse] [--leaves N]
 *             [--batch N] [--proofs N] [--rounds N] [--seed S]
 *   bench_log --sign KEY CERT DIR N
 *
 * --sign is tests/bench/log's helper for its ingest run: signs DIR/1.xml
 * .. DIR/N.xml into DIR/i.signed in one process (as tests/dsig_tool sign
 * does one file), so that signing is not what the run waits for.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libxml/tree.h>

#include "dsig.h"
#include "err.h"
#include "merkle.h"
#include "model.h"
#include "store.h"
#include "store_tlog.h"
#include "xml.h"

#define TARGET_P50_US	1000.0
#define ROUNDS_MAX	20
#define SIGNER		"bench-signer"

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int
die(const char *what, const struct err *e)
{
	fprintf(stderr, "bench_log: %s: %s\n", what, e->msg);
	return 2;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Sorts v and gives the q-quantile (0..1). */
static double
quantile(double *v, size_t n, double q)
{
	size_t i;

	qsort(v, n, sizeof(*v), cmp_double);
	i = (size_t)(q * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

static double
median(double *v, size_t n)
{
	return quantile(v, n, 0.5);
}

/* File size, -1 when missing. */
static long long
file_size(const char *path)
{
	struct stat sb;

	if (stat(path, &sb) == -1)
		return -1;
	return (long long)sb.st_size;
}

static long long
store_bytes(const char *db, long long *wal)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s-wal", db);
	*wal = file_size(p);
	return file_size(db);
}

struct tmpl {
	char	*buf;
	size_t	 len;
	size_t	 id_at;		/* offset of the Id's value */
	size_t	 id_len;	/* its length */
	struct supervision_record rec;
};

static int
load_template(const char *path, struct tmpl *t, struct err *e)
{
	FILE *f;
	xmlDocPtr doc;
	const char *p;
	const char *q;
	long n;

	if ((f = fopen(path, "rb")) == NULL)
		return err_set(e, ERR_IO, "%s: cannot open", path);
	if (fseek(f, 0, SEEK_END) == -1 || (n = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET) == -1 ||
	    (t->buf = malloc((size_t)n + 1)) == NULL ||
	    fread(t->buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		return err_set(e, ERR_IO, "%s: cannot read", path);
	}
	fclose(f);
	t->len = (size_t)n;
	t->buf[n] = '\0';
	if ((doc = xml_parse(t->buf, t->len, path, &xml_limits_wire,
	    e)) == NULL)
		return -1;
	if (model_record_read(xmlDocGetRootElement(doc), &t->rec, e) == -1) {
		xmlFreeDoc(doc);
		return -1;
	}
	xmlFreeDoc(doc);
	if ((p = strstr(t->buf, " Id=\"")) == NULL ||
	    (q = strchr(p + 5, '"')) == NULL)
		return err_set(e, ERR_INPUT, "%s: no Id=\"...\"", path);
	t->id_at = (size_t)(p + 5 - t->buf);
	t->id_len = (size_t)(q - (p + 5));
	return 0;
}

/* Stores records from .. to - 1, batch per transaction. */
static int
fill(struct store *st, struct tmpl *t, uint64_t from, uint64_t to,
    uint64_t batch, struct err *e)
{
	struct supervision_record r = t->rec;
	size_t cap = t->len + ID_MAX + 1, len, tail;
	unsigned char digest[32];
	char *b, id[ID_MAX + 1];
	double t0 = now_us(), tb = t0;
	uint64_t i;
	int idn;

	if ((b = malloc(cap)) == NULL)
		return err_set(e, ERR_INTERNAL, "out of memory");
	memcpy(b, t->buf, t->id_at);
	tail = t->len - t->id_at - t->id_len;
	for (i = from; i < to; i++) {
		if ((i - from) % batch == 0 && store_begin(st, e) == -1)
			goto fail;
		idn = snprintf(id, sizeof(id), "%s-B%09llu", r.issuer,
		    (unsigned long long)i);
		if (idn < 0 || (size_t)idn >= sizeof(id)) {
			err_set(e, ERR_INPUT, "Id too long");
			goto fail;
		}
		memcpy(r.id, id, (size_t)idn + 1);
		memcpy(b + t->id_at, id, (size_t)idn);
		memcpy(b + t->id_at + idn, t->buf + t->id_at + t->id_len,
		    tail);
		len = t->id_at + (size_t)idn + tail;
		if (merkle_leaf_hash(b, len, digest) == -1) {
			err_set(e, ERR_INTERNAL, "SHA-256 failed");
			goto fail;
		}
		if (store_record_put_signed(st, &r, b, len, digest, SIGNER,
		    NULL, NULL, e) == -1)
			goto fail;
		if ((i - from + 1) % batch == 0 || i + 1 == to) {
			if (store_commit(st, e) == -1)
				goto fail;
			if ((i + 1) % (batch * 4) == 0 || i + 1 == to) {
				double t1 = now_us();

				fprintf(stderr, "  %llu leaves, %.0f records/s "
				    "(last batches), %.0f s so far\n",
				    (unsigned long long)(i + 1),
				    (double)(batch * 4) / ((t1 - tb) / 1e6),
				    (t1 - t0) / 1e6);
				tb = t1;
			}
		}
	}
	printf("  stored %llu records with their leaves in %.1f s: %.0f "
	    "records/s (store only: no signature verification, no HTTP)\n",
	    (unsigned long long)(to - from), (now_us() - t0) / 1e6,
	    (double)(to - from) / ((now_us() - t0) / 1e6));
	free(b);
	return 0;
fail:
	store_rollback(st);
	free(b);
	return -1;
}

struct proofs {
	size_t		  n;
	uint64_t	  size;
	unsigned char	  root[MERKLE_HASH_LEN];
	/* inclusion */
	uint64_t	 *idx;
	unsigned char	(*leaf)[MERKLE_HASH_LEN];
	unsigned char	(*ipath)[MERKLE_PATH_MAX][MERKLE_HASH_LEN];
	size_t		 *ilen;
	/* consistency */
	uint64_t	 *m, *to;
	unsigned char	(*root_m)[MERKLE_HASH_LEN];
	unsigned char	(*root_n)[MERKLE_HASH_LEN];
	unsigned char	(*cpath)[MERKLE_PATH_MAX][MERKLE_HASH_LEN];
	size_t		 *clen;
};

static int
proofs_alloc(struct proofs *p, size_t n)
{
	p->n = n;
	p->idx = calloc(n, sizeof(*p->idx));
	p->leaf = calloc(n, sizeof(*p->leaf));
	p->ipath = calloc(n, sizeof(*p->ipath));
	p->ilen = calloc(n, sizeof(*p->ilen));
	p->m = calloc(n, sizeof(*p->m));
	p->to = calloc(n, sizeof(*p->to));
	p->root_m = calloc(n, sizeof(*p->root_m));
	p->root_n = calloc(n, sizeof(*p->root_n));
	p->cpath = calloc(n, sizeof(*p->cpath));
	p->clen = calloc(n, sizeof(*p->clen));
	return p->idx && p->leaf && p->ipath && p->ilen && p->m && p->to &&
	    p->root_m && p->root_n && p->cpath && p->clen ? 0 : -1;
}

static void
proofs_free(struct proofs *p)
{
	free(p->idx);
	free(p->leaf);
	free(p->ipath);
	free(p->ilen);
	free(p->m);
	free(p->to);
	free(p->root_m);
	free(p->root_n);
	free(p->cpath);
	free(p->clen);
}

/* One round: n inclusion and n consistency proofs generated, each timed;
 * the leaf hashes and roots the verifiers need are read untimed. */
static int
gen_round(struct store *st, struct proofs *p, double *ti, double *tc,
    struct err *e)
{
	struct store_tlog_leaf lf;
	size_t i, got;
	double t0;

	for (i = 0; i < p->n; i++) {
		p->idx[i] = rng() % p->size;
		t0 = now_us();
		if (store_tlog_inclusion(st, p->idx[i], p->size, p->ipath[i],
		    &p->ilen[i], e) == -1)
			return -1;
		ti[i] = now_us() - t0;
		if (store_tlog_leaves(st, p->idx[i], 1, &lf, &got, e) == -1)
			return -1;
		if (got != 1)
			return err_set(e, ERR_INTERNAL, "leaf %llu missing",
			    (unsigned long long)p->idx[i]);
		memcpy(p->leaf[i], lf.hash, MERKLE_HASH_LEN);
	}
	for (i = 0; i < p->n; i++) {
		uint64_t a = 1 + rng() % p->size, b = 1 + rng() % p->size;

		p->m[i] = a < b ? a : b;
		p->to[i] = a < b ? b : a;
		t0 = now_us();
		if (store_tlog_consistency(st, p->m[i], p->to[i], p->cpath[i],
		    &p->clen[i], e) == -1)
			return -1;
		tc[i] = now_us() - t0;
		if (store_tlog_root(st, p->m[i], p->root_m[i], e) == -1 ||
		    store_tlog_root(st, p->to[i], p->root_n[i], e) == -1)
			return -1;
	}
	return 0;
}

/* Verifies every proof of p as often as fits in about secs seconds;
 * gives verifications per second. */
static int
verify_rate(const struct proofs *p, int consistency, double secs,
    double *rate, struct err *e)
{
	double t0 = now_us(), t1;
	uint64_t done = 0;
	size_t i;

	do {
		for (i = 0; i < p->n; i++) {
			if (consistency ? merkle_consistency_verify(p->m[i],
			    p->to[i], p->root_m[i], p->root_n[i],
			    (const unsigned char (*)[MERKLE_HASH_LEN])
			    p->cpath[i], p->clen[i], e) :
			    merkle_inclusion_verify(p->idx[i], p->size,
			    p->leaf[i], (const unsigned char (*)
			    [MERKLE_HASH_LEN])p->ipath[i], p->ilen[i],
			    p->root, e))
				return err_prefix(e, "verifying %s proof %zu",
				    consistency ? "consistency" : "inclusion",
				    i);
		}
		done += p->n;
		t1 = now_us();
	} while (t1 - t0 < secs * 1e6);
	*rate = (double)done / ((t1 - t0) / 1e6);
	return 0;
}

static double
hash_rate(double secs)
{
	unsigned char h[MERKLE_HASH_LEN] = { 1 };
	double t0 = now_us(), t1;
	uint64_t done = 0;
	int i;

	do {
		for (i = 0; i < 1000; i++)
			merkle_node_hash(h, h, h);
		done += 1000;
		t1 = now_us();
	} while (t1 - t0 < secs * 1e6);
	return (double)done / ((t1 - t0) / 1e6);
}

static double
path_mean(const size_t *len, size_t n)
{
	double s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += (double)len[i];
	return s / (double)n;
}

/* "label: median/s (min..max)"; sorts v. */
static void
rate_line(const char *label, double *v, size_t n)
{
	double m = median(v, n);

	printf("  %s: %.0f/s (%.0f..%.0f)\n", label, m, v[0], v[n - 1]);
}

/* Signs dir/1.xml .. dir/n.xml into dir/i.signed. */
static int
sign_all(const char *key, const char *cert, const char *dir, uint64_t n)
{
	struct dsig_key *k = NULL;
	struct err e = { ERR_OK, "" };
	char in[4096], out[4096];
	xmlDocPtr doc;
	char *b;
	size_t len;
	uint64_t i;
	FILE *f;

	if (dsig_init(&e) == -1 || dsig_key_load(key, cert, &k, &e) == -1)
		return die("signing key", &e);
	for (i = 1; i <= n; i++) {
		snprintf(in, sizeof(in), "%s/%llu.xml", dir,
		    (unsigned long long)i);
		snprintf(out, sizeof(out), "%s/%llu.signed", dir,
		    (unsigned long long)i);
		b = NULL;
		if ((doc = xml_read_file(in, &xml_limits_wire, &e)) == NULL ||
		    dsig_sign(k, doc, &e) == -1 ||
		    xml_serialize(doc, &b, &len, &e) == -1) {
			xmlFreeDoc(doc);
			dsig_key_free(k);
			return die(in, &e);
		}
		xmlFreeDoc(doc);
		if ((f = fopen(out, "wb")) == NULL ||
		    fwrite(b, 1, len, f) != len || fclose(f) != 0) {
			fprintf(stderr, "bench_log: %s: cannot write\n", out);
			xmlFree(b);
			dsig_key_free(k);
			return 2;
		}
		xmlFree(b);
	}
	dsig_key_free(k);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_log --template FILE --db FILE [--reuse] "
	    "[--leaves N] [--batch N] [--proofs N] [--rounds N] [--seed S]\n");
	exit(2);
}

static uint64_t
num(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v == 0)
		usage();
	return (uint64_t)v;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "template", required_argument, NULL, 't' },
		{ "db", required_argument, NULL, 'd' },
		{ "reuse", no_argument, NULL, 'r' },
		{ "leaves", required_argument, NULL, 'l' },
		{ "batch", required_argument, NULL, 'b' },
		{ "proofs", required_argument, NULL, 'p' },
		{ "rounds", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	const char *tpath = NULL, *db = NULL;
	uint64_t leaves = 1000000, batch = 50000, have = 0;
	size_t nproofs = 1000, rounds = 3, r;
	int reuse = 0, c;
	struct err e = { ERR_OK, "" };
	struct store *st = NULL;
	struct tmpl t;
	struct proofs p;
	double *ti, *tc, ip50[ROUNDS_MAX], cp50[ROUNDS_MAX];
	double iv[ROUNDS_MAX], cv[ROUNDS_MAX], hr[ROUNDS_MAX];
	long long base, size, wal;

	memset(&t, 0, sizeof(t));
	memset(&p, 0, sizeof(p));
	if (argc == 6 && strcmp(argv[1], "--sign") == 0) {
		xml_init();
		return sign_all(argv[2], argv[3], argv[4], num(argv[5]));
	}
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't': tpath = optarg; break;
		case 'd': db = optarg; break;
		case 'r': reuse = 1; break;
		case 'l': leaves = num(optarg); break;
		case 'b': batch = num(optarg); break;
		case 'p': nproofs = (size_t)num(optarg); break;
		case 'n': rounds = (size_t)num(optarg); break;
		case 's': rng_state ^= num(optarg); break;
		default: usage();
		}
	}
	if (optind != argc || db == NULL || (tpath == NULL && !reuse) ||
	    rounds > ROUNDS_MAX)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	xml_init();

	/* --- the store ------------------------------------------------------ */
	if (!reuse) {
		if (load_template(tpath, &t, &e) == -1)
			return die("template", &e);
		unlink(db);
		if (store_open(db, STORE_CREATE, &st, &e) == -1)
			return die(db, &e);
		store_close(st);
		base = store_bytes(db, &wal);
		printf("log: building a store of %llu signed records, %zu "
		    "bytes each (%s with a unique Id), %llu per "
		    "transaction\n", (unsigned long long)leaves, t.len, tpath,
		    (unsigned long long)batch);
		if (store_open(db, 0, &st, &e) == -1)
			return die(db, &e);
		if (fill(st, &t, 0, leaves, batch, &e) == -1)
			return die("filling the store", &e);
		store_close(st);
		size = store_bytes(db, &wal);
		printf("  database growth: %lld bytes for %llu leaves = %.0f "
		    "bytes per leaf (record row, brief, leaf, nodes and "
		    "indexes; %zu of them the record's bytes); file %lld "
		    "bytes, empty store %lld, -wal %s\n", size - base,
		    (unsigned long long)leaves, (double)(size - base) /
		    (double)leaves, t.len, size, base,
		    wal < 0 ? "checkpointed and removed" : "left over");
		free(t.buf);
	}

	/* --- proofs --------------------------------------------------------- */
	if (store_open(db, 0, &st, &e) == -1)
		return die(db, &e);
	if (store_tlog_size(st, &have, &e) == -1)
		return die("log size", &e);
	if (have == 0)
		return die(db, &(struct err){ ERR_INPUT, "the log is empty" });
	if (proofs_alloc(&p, nproofs) == -1 ||
	    (ti = calloc(nproofs, sizeof(*ti))) == NULL ||
	    (tc = calloc(nproofs, sizeof(*tc))) == NULL) {
		fprintf(stderr, "bench_log: out of memory\n");
		return 2;
	}
	p.size = have;
	if (store_tlog_root(st, have, p.root, &e) == -1)
		return die("root", &e);
	printf("proofs on a log of %llu leaves (store reopened), %zu of each "
	    "kind per round, each timed alone, after a warm-up round:\n",
	    (unsigned long long)have, nproofs);
	if (gen_round(st, &p, ti, tc, &e) == -1)
		return die("warm-up", &e);
	for (r = 0; r < rounds; r++) {
		double i50, i99, imax, c50, c99, cmax;

		if (gen_round(st, &p, ti, tc, &e) == -1)
			return die("proofs", &e);
		i50 = quantile(ti, nproofs, 0.5);
		i99 = quantile(ti, nproofs, 0.99);
		imax = ti[nproofs - 1];
		c50 = quantile(tc, nproofs, 0.5);
		c99 = quantile(tc, nproofs, 0.99);
		cmax = tc[nproofs - 1];
		printf("  round %zu: inclusion p50 %.1f us, p99 %.1f us, max "
		    "%.0f us (%.1f hashes); consistency p50 %.1f us, p99 %.1f "
		    "us, max %.0f us (%.1f hashes)\n", r + 1, i50, i99, imax,
		    path_mean(p.ilen, nproofs), c50, c99, cmax,
		    path_mean(p.clen, nproofs));
		ip50[r] = i50;
		cp50[r] = c50;
		/* Verification of this round's proofs, interleaved with the
		 * hash baseline. */
		hr[r] = hash_rate(0.3);
		if (verify_rate(&p, 0, 1.0, &iv[r], &e) == -1 ||
		    verify_rate(&p, 1, 1.0, &cv[r], &e) == -1)
			return die("verification", &e);
	}
	printf("  generation, median of the rounds' p50: inclusion %.1f us, "
	    "consistency %.1f us (target p50 < %.0f us: %s)\n",
	    median(ip50, rounds), median(cp50, rounds), TARGET_P50_US,
	    median(ip50, rounds) < TARGET_P50_US &&
	    median(cp50, rounds) < TARGET_P50_US ? "met" : "NOT met");
	printf("verification (merkle_*_verify on those proofs, one thread), "
	    "median (min..max) of %zu rounds:\n", rounds);
	rate_line("inclusion", iv, rounds);
	rate_line("consistency", cv, rounds);
	rate_line("baseline merkle_node_hash", hr, rounds);
	store_close(st);
	proofs_free(&p);
	free(ti);
	free(tc);
	return 0;
}
