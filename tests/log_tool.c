/*
 * log_tool.c - a transparency log in memory, for tests/test_audit.sh: the
 * leaves are the exact bytes of the files given, hashed as a node logs a
 * record (SHA-256(0x00 || bytes)), and the tree is built with
 * federation/merkle.c as node/tlog.c builds it.
 *
 *   log_tool checkpoint KEY CERT ORIGIN SIZE OUT FILE...
 *	a Checkpoint of the first SIZE leaves with Origin ORIGIN, signed
 *	with KEY and CERT
 *   log_tool inclusion INDEX SIZE OUT FILE...
 *	the InclusionProof of leaf INDEX in the tree of the first SIZE leaves
 *   log_tool consistency M N OUT FILE...
 *	the ConsistencyProof from size M to size N
 *   log_tool leafhash FILE
 *	prints the leaf hash of FILE in hex
 *
 * OUT "-" is stdout.  Exit 0 done, 2 usage or error.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/tree.h>

#include "checkpoint.h"
#include "dsig.h"
#include "logdoc.h"
#include "merkle.h"
#include "xml.h"

#define LEVELS	9
#define LEAVES	256	/* 2^(LEVELS - 1) */

static unsigned char	tree[LEVELS][LEAVES][MERKLE_HASH_LEN];
static uint64_t		ntree;

static int
get(void *arg, int level, uint64_t index, unsigned char out[MERKLE_HASH_LEN])
{
	if (level < 0 || level >= LEVELS || index >= (uint64_t)(LEAVES >> level))
		return -1;
	memcpy(out, tree[level][index], MERKLE_HASH_LEN);
	return 0;
}

static int
usage(void)
{
	fprintf(stderr, "usage: log_tool checkpoint KEY CERT ORIGIN SIZE OUT "
	    "FILE...\n"
	    "       log_tool inclusion INDEX SIZE OUT FILE...\n"
	    "       log_tool consistency M N OUT FILE...\n"
	    "       log_tool leafhash FILE\n");
	return 2;
}

static int
fail(const struct err *e)
{
	fprintf(stderr, "log_tool: %s: %s\n", err_code_name(e->code), e->msg);
	return 2;
}

/* The leaf hash of a file's exact bytes. */
static int
file_leaf(const char *path, unsigned char out[MERKLE_HASH_LEN])
{
	FILE *f;
	char *buf;
	long n;
	int rc = -1;

	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		return -1;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL) {
		if (fread(buf, 1, (size_t)n, f) == (size_t)n &&
		    merkle_leaf_hash(buf, (size_t)n, out) == 0)
			rc = 0;
		free(buf);
	}
	fclose(f);
	if (rc == -1)
		fprintf(stderr, "log_tool: %s: cannot read\n", path);
	return rc;
}

/* The tree of the files. */
static int
build(int nfiles, char **files)
{
	struct merkle_node nodes[MERKLE_APPEND_MAX];
	unsigned char leaf[MERKLE_HASH_LEN];
	struct err e;
	size_t k, i;
	int f;

	err_clear(&e);
	if (nfiles < 1 || nfiles > LEAVES) {
		fprintf(stderr, "log_tool: 1 to %d files\n", LEAVES);
		return -1;
	}
	for (f = 0; f < nfiles; f++) {
		if (file_leaf(files[f], leaf) == -1)
			return -1;
		if (merkle_append(ntree, leaf, get, NULL, nodes, &k,
		    &e) == -1) {
			fail(&e);
			return -1;
		}
		for (i = 0; i < k; i++)
			memcpy(tree[nodes[i].level][nodes[i].index],
			    nodes[i].hash, MERKLE_HASH_LEN);
		ntree++;
	}
	return 0;
}

static uint64_t
number(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	return *s != '\0' && *end == '\0' ? (uint64_t)v : UINT64_MAX;
}

static int
write_doc(xmlDocPtr doc, const char *out)
{
	struct err e;
	char *buf = NULL;
	size_t len;
	FILE *f;
	int rc = 2;

	err_clear(&e);
	if (xml_serialize(doc, &buf, &len, &e) == -1)
		return fail(&e);
	f = strcmp(out, "-") == 0 ? stdout : fopen(out, "wb");
	if (f == NULL || fwrite(buf, 1, len, f) != len)
		perror(out);
	else
		rc = 0;
	if (f != NULL && f != stdout && fclose(f) != 0)
		rc = 2;
	xmlFree(buf);
	return rc;
}

static int
do_checkpoint(char **argv, int nfiles, char **files)
{
	struct checkpoint c;
	struct dsig_key *k = NULL;
	xmlDocPtr doc = NULL;
	struct err e;
	int rc = 2;

	err_clear(&e);
	memset(&c, 0, sizeof(c));
	snprintf(c.origin, sizeof(c.origin), "%s", argv[2]);
	c.size = number(argv[3]);
	c.time = time(NULL);
	if (build(nfiles, files) == -1)
		return 2;
	if (c.size > ntree)
		return usage();
	if (merkle_root(c.size, get, NULL, c.root, &e) == -1 ||
	    dsig_init(&e) == -1 ||
	    dsig_key_load(argv[0], argv[1], &k, &e) == -1 ||
	    (doc = checkpoint_new(&c, &e)) == NULL ||
	    dsig_sign(k, doc, &e) == -1) {
		rc = fail(&e);
		goto done;
	}
	rc = write_doc(doc, argv[4]);
done:
	xmlFreeDoc(doc);
	dsig_key_free(k);
	return rc;
}

static int
do_inclusion(char **argv, int nfiles, char **files)
{
	unsigned char path[MERKLE_PATH_MAX][MERKLE_HASH_LEN];
	uint64_t leaf = number(argv[0]), size = number(argv[1]);
	xmlDocPtr doc;
	struct err e;
	size_t n;
	int rc;

	err_clear(&e);
	if (build(nfiles, files) == -1)
		return 2;
	if (size > ntree || leaf >= size)
		return usage();
	if (merkle_inclusion_proof(leaf, size, get, NULL, path, &n, &e) == -1 ||
	    (doc = logproof_inclusion_new(leaf, size, tree[0][leaf],
	    (const unsigned char (*)[MERKLE_HASH_LEN])path, n, &e)) == NULL)
		return fail(&e);
	rc = write_doc(doc, argv[2]);
	xmlFreeDoc(doc);
	return rc;
}

static int
do_consistency(char **argv, int nfiles, char **files)
{
	unsigned char path[MERKLE_PATH_MAX][MERKLE_HASH_LEN];
	uint64_t m = number(argv[0]), to = number(argv[1]);
	xmlDocPtr doc;
	struct err e;
	size_t n;
	int rc;

	err_clear(&e);
	if (build(nfiles, files) == -1)
		return 2;
	if (to > ntree || m == 0 || m > to)
		return usage();
	if (merkle_consistency_proof(m, to, get, NULL, path, &n, &e) == -1 ||
	    (doc = logproof_consistency_new(m, to,
	    (const unsigned char (*)[MERKLE_HASH_LEN])path, n, &e)) == NULL)
		return fail(&e);
	rc = write_doc(doc, argv[2]);
	xmlFreeDoc(doc);
	return rc;
}

int
main(int argc, char **argv)
{
	unsigned char h[MERKLE_HASH_LEN];
	char hex[2 * MERKLE_HASH_LEN + 1];

	xml_init();
	if (argc == 3 && strcmp(argv[1], "leafhash") == 0) {
		if (file_leaf(argv[2], h) == -1)
			return 2;
		logdoc_hex(h, hex);
		printf("%s\n", hex);
		return 0;
	}
	if (argc >= 8 && strcmp(argv[1], "checkpoint") == 0)
		return do_checkpoint(argv + 2, argc - 7, argv + 7);
	if (argc >= 6 && strcmp(argv[1], "inclusion") == 0)
		return do_inclusion(argv + 2, argc - 5, argv + 5);
	if (argc >= 6 && strcmp(argv[1], "consistency") == 0)
		return do_consistency(argv + 2, argc - 5, argv + 5);
	return usage();
}
