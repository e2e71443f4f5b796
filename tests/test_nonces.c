/*
 * test_nonces.c - the answered queries' nonce file (node/nonces.h): a
 * nonce is answered once, also after a reopen, until its query expires;
 * a line cut short by a crash is dropped, any other bad line refuses the
 * open naming the line; the file is compacted once mostly expired; the
 * table grows past its first size; past NONCES_MAX live ones a nonce is
 * refused, while expired ones make room.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nonces.h"
#include "testmain.h"

static char dir[] = "/tmp/lasteri-test-nonces.XXXXXX";
static char path[300];

static int
suite_init(void)
{
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/node.db-nonces", dir);
	return 0;
}

static int
suite_clean(void)
{
	char tmp[320];

	unlink(path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	return rmdir(dir);
}

/* nonce number i: 32 hex digits. */
static const char *
nonce(int i, char buf[40])
{
	snprintf(buf, 40, "%032x", i);
	return buf;
}

static void
write_file(const char *text)
{
	FILE *f = fopen(path, "w");

	CU_ASSERT_FATAL(f != NULL);
	fputs(text, f);
	fclose(f);
}

static off_t
file_size(void)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

static void
test_once(void)
{
	struct nonces *ns;
	struct err e;
	char b[40];
	int seen = -1;

	unlink(path);
	err_clear(&e);
	CU_ASSERT_FATAL((ns = nonces_open(path, 900, &e)) != NULL);
	CU_ASSERT(nonces_check_add(ns, nonce(1, b), "M1", 1000, 900, &seen,
	    &e) == 0 && seen == 0);
	CU_ASSERT(nonces_dirty(ns));
	CU_ASSERT(nonces_check_add(ns, nonce(1, b), "M2", 1000, 950, &seen,
	    &e) == 0 && seen == 1);
	CU_ASSERT(nonces_sync(ns, &e) == 0 && !nonces_dirty(ns));
	nonces_close(ns);
	/* A reopen keeps it until its query expires. */
	CU_ASSERT_FATAL((ns = nonces_open(path, 999, &e)) != NULL);
	CU_ASSERT_EQUAL(nonces_count(ns), 1);
	CU_ASSERT(nonces_check_add(ns, nonce(1, b), "M1", 1000, 999, &seen,
	    &e) == 0 && seen == 1);
	CU_ASSERT(nonces_check_add(ns, nonce(1, b), "M1", 2000, 1001, &seen,
	    &e) == 0 && seen == 0);
	nonces_close(ns);
	CU_ASSERT_FATAL((ns = nonces_open(path, 1500, &e)) != NULL);
	CU_ASSERT(nonces_check_add(ns, nonce(1, b), "M1", 2000, 1500, &seen,
	    &e) == 0 && seen == 1);
	nonces_close(ns);
	/* Nothing that could not be a line is kept. */
	CU_ASSERT_FATAL((ns = nonces_open(path, 1500, &e)) != NULL);
	CU_ASSERT(nonces_check_add(ns, "abc", "M1", 2000, 1500, &seen,
	    &e) == -1 && e.code == ERR_USAGE);
	err_clear(&e);
	CU_ASSERT(nonces_check_add(ns, nonce(2, b), "M 1", 2000, 1500, &seen,
	    &e) == -1 && e.code == ERR_USAGE);
	nonces_close(ns);
}

static void
test_torn_and_bad(void)
{
	struct nonces *ns;
	struct err e;
	char b[40], text[400];
	int seen = -1;

	/* A last line without its end: a write cut short; dropped, and the
	 * next append starts on a line of its own. */
	snprintf(text, sizeof(text), "1000 %032x M1\n1000 %032x M", 1, 2);
	write_file(text);
	err_clear(&e);
	CU_ASSERT_FATAL((ns = nonces_open(path, 900, &e)) != NULL);
	CU_ASSERT_EQUAL(nonces_count(ns), 1);
	CU_ASSERT(nonces_check_add(ns, nonce(2, b), "M2", 1000, 900, &seen,
	    &e) == 0 && seen == 0);
	nonces_close(ns);
	CU_ASSERT_FATAL((ns = nonces_open(path, 900, &e)) != NULL);
	CU_ASSERT_EQUAL(nonces_count(ns), 2);
	nonces_close(ns);
	/* A bad line in the middle refuses the open, naming it. */
	snprintf(text, sizeof(text), "1000 %032x M1\nnot a line\n"
	    "1000 %032x M2\n", 1, 2);
	write_file(text);
	err_clear(&e);
	CU_ASSERT(nonces_open(path, 900, &e) == NULL);
	CU_ASSERT(e.code == ERR_INPUT && strstr(e.msg, ":2: not a nonce "
	    "line") != NULL);
	snprintf(text, sizeof(text), "1000 %032x\n", 1);
	write_file(text);
	err_clear(&e);
	CU_ASSERT(nonces_open(path, 900, &e) == NULL && e.code == ERR_INPUT);
	snprintf(text, sizeof(text), "1000 %032X M1\n", 0xabc);
	write_file(text);
	err_clear(&e);
	CU_ASSERT(nonces_open(path, 900, &e) == NULL && e.code == ERR_INPUT);
	unlink(path);
}

static void
test_grow_and_compact(void)
{
	struct nonces *ns;
	struct err e;
	char b[40];
	off_t big;
	int i, seen = -1, ok = 1;

	unlink(path);
	err_clear(&e);
	CU_ASSERT_FATAL((ns = nonces_open(path, 100, &e)) != NULL);
	/* 8,000 that expire at 200, far past the first table of 1,024. */
	for (i = 0; i < 8000; i++)
		if (nonces_check_add(ns, nonce(i, b), "M1", 200, 100, &seen,
		    &e) != 0 || seen != 0)
			ok = 0;
	CU_ASSERT(ok);
	CU_ASSERT_EQUAL(nonces_count(ns), 8000);
	for (i = 0, ok = 1; i < 8000; i += 7)
		if (nonces_check_add(ns, nonce(i, b), "M1", 200, 150, &seen,
		    &e) != 0 || seen != 1)
			ok = 0;
	CU_ASSERT(ok);
	big = file_size();
	/* 1,000 more once those expired: when the table next needs room it
	 * drops the expired, and the file, mostly dead lines, is
	 * rewritten with the live ones. */
	for (i = 8000, ok = 1; i < 9000; i++)
		if (nonces_check_add(ns, nonce(i, b), "M2", 900, 300, &seen,
		    &e) != 0 || seen != 0)
			ok = 0;
	CU_ASSERT(ok);
	CU_ASSERT_EQUAL(nonces_count(ns), 1000);
	CU_ASSERT(file_size() > 0 && file_size() < big / 4);
	nonces_close(ns);
	/* The rewritten lines keep who asked. */
	{
		char line[200], want[120];
		FILE *f = fopen(path, "r");
		int found = 0;

		snprintf(want, sizeof(want), "900 %s M2\n", nonce(8123, b));
		while (f != NULL && fgets(line, sizeof(line), f) != NULL)
			if (strcmp(line, want) == 0)
				found = 1;
		if (f != NULL)
			fclose(f);
		CU_ASSERT(found);
	}
	CU_ASSERT_FATAL((ns = nonces_open(path, 300, &e)) != NULL);
	CU_ASSERT_EQUAL(nonces_count(ns), 1000);
	CU_ASSERT(nonces_check_add(ns, nonce(8999, b), "M2", 900, 300, &seen,
	    &e) == 0 && seen == 1);
	CU_ASSERT(nonces_check_add(ns, nonce(10, b), "M2", 900, 300, &seen,
	    &e) == 0 && seen == 0);
	nonces_close(ns);
	unlink(path);
}

static void
test_cap(void)
{
	struct nonces *ns;
	struct err e;
	char b[40];
	int i, seen = -1, ok = 1;

	unlink(path);
	err_clear(&e);
	CU_ASSERT_FATAL((ns = nonces_open(path, 100, &e)) != NULL);
	for (i = 0; i < NONCES_MAX && ok; i++)
		if (nonces_check_add(ns, nonce(i, b), "M1", 200, 100, &seen,
		    &e) != 0)
			ok = 0;
	CU_ASSERT(ok);
	/* One more live one is refused ... */
	CU_ASSERT(nonces_check_add(ns, nonce(NONCES_MAX, b), "M1", 200, 100,
	    &seen, &e) == -1 && e.code == ERR_NOMEM);
	/* ... but once they expired, the expired make room. */
	err_clear(&e);
	CU_ASSERT(nonces_check_add(ns, nonce(NONCES_MAX, b), "M1", 900, 300,
	    &seen, &e) == 0 && seen == 0);
	CU_ASSERT_EQUAL(nonces_count(ns), 1);
	nonces_close(ns);
	unlink(path);
}

static CU_TestInfo tests[] = {
	{ "answers a nonce once, across a reopen, until it expires", test_once },
	{ "drops a torn last line and refuses any other bad line", test_torn_and_bad },
	{ "grows past its first table and compacts a mostly expired file", test_grow_and_compact },
	{ "holds NONCES_MAX live nonces, and makes room from the expired", test_cap },
	CU_TEST_INFO_NULL
};

int
main(void)
{
	CU_SuiteInfo suites[] = {
		{ "nonces", suite_init, suite_clean, NULL, NULL, tests },
		CU_SUITE_INFO_NULL
	};

	return test_run_suites(suites);
}
