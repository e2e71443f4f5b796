/*
 * replay.c - runs fuzz_verify's seed corpus (and any files or directories
 * given as arguments) through LLVMFuzzerTestOneInput, so the seeds also run
 * in make check under the sanitizers.  With no arguments it reads
 * $TOP_SRCDIR/tests/fuzz/corpus_verify.  Fails when the corpus is missing or
 * empty, or when the genuine seeds (named "ok-*") stop verifying.
 */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int	fuzz_verify_last_ok(void);

#define INPUT_MAX	(4 * 1024 * 1024)

static int
run_file(const char *path, const char *base, int *bad)
{
	FILE *f;
	char *buf;
	size_t n;

	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		return -1;
	}
	if ((buf = malloc(INPUT_MAX)) == NULL) {
		fclose(f);
		return -1;
	}
	n = fread(buf, 1, INPUT_MAX, f);
	fclose(f);
	LLVMFuzzerTestOneInput((const uint8_t *)buf, n);
	free(buf);
	/* Seeds named ok-* are genuine signed documents: they must verify. */
	if (strncmp(base, "ok-", 3) == 0 && !fuzz_verify_last_ok()) {
		fprintf(stderr, "replay: %s no longer verifies\n", path);
		(*bad)++;
	}
	return 0;
}

static int
run_path(const char *path, int *count, int *bad)
{
	struct dirent **ents = NULL;
	struct stat st;
	char sub[4096];
	const char *base;
	int i, n;

	if (stat(path, &st) == -1) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		(*count)++;
		return run_file(path, base, bad);
	}
	if ((n = scandir(path, &ents, NULL, alphasort)) < 0) {
		perror(path);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.') {
			snprintf(sub, sizeof(sub), "%s/%s", path,
			    ents[i]->d_name);
			if (stat(sub, &st) == 0 && S_ISREG(st.st_mode)) {
				(*count)++;
				run_file(sub, ents[i]->d_name, bad);
			}
		}
		free(ents[i]);
	}
	free(ents);
	return 0;
}

int
main(int argc, char **argv)
{
	char def[4096];
	const char *top = getenv("TOP_SRCDIR");
	int i, count = 0, bad = 0;

	if (argc < 2) {
		snprintf(def, sizeof(def), "%s/tests/fuzz/corpus_verify",
		    top != NULL ? top : ".");
		if (run_path(def, &count, &bad) == -1)
			return 1;
	}
	for (i = 1; i < argc; i++)
		if (run_path(argv[i], &count, &bad) == -1)
			return 1;
	printf("replayed %d inputs, %d genuine seeds failed\n", count, bad);
	if (count == 0) {
		fprintf(stderr, "replay: empty corpus\n");
		return 1;
	}
	return bad == 0 ? 0 : 1;
}
