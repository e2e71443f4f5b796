/*
 * cmd_national.c - what the national variants of search, stats and
 * supervision show share (cmd_national.h): the --deadline option and the
 * call to the node's /admin/v1/national/ endpoints, with a live progress
 * line on stderr while regions answer, when stderr is a terminal.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adminc.h"
#include "admincall.h"
#include "cmd_national.h"
#include "util.h"

int
national_deadline(const char *arg, char *path, size_t len)
{
	char *end, ms[24];
	long v;

	v = strtol(arg, &end, 10);
	if (end == arg || v < 0)
		goto bad;
	if (strcmp(end, "s") == 0)
		v *= 1000;
	else if (strcmp(end, "m") == 0)
		v *= 60000;
	else if (*end != '\0' && strcmp(end, "ms") != 0)
		goto bad;
	if (v < 10 || v > 600000)
		goto bad;
	snprintf(ms, sizeof(ms), "%ld", v);
	return admincall_qs(path, len, "deadline", ms);
bad:
	warnx_("--deadline: '%s' is not a duration from 10ms to 10m (500ms, "
	    "5s, 1m; a bare number is milliseconds)", arg);
	return -1;
}

/* One "progress ANSWERED TOTAL OK TIMEOUT UNREACHABLE TLS BADSIG ERROR"
 * line of the node's stream as a line people read. */
static void
show_progress(void *arg, const char *line)
{
	static const char *const what[] = { "timed out", "unreachable",
	    "TLS error", "bad signature", "error" };
	unsigned long v[8];
	int i, n;

	(void)arg;
	if (sscanf(line, "progress %lu %lu %lu %lu %lu %lu %lu %lu", &v[0],
	    &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
		return;
	n = fprintf(stderr, "\r%lu/%lu answered, %lu ok", v[0], v[1], v[2]);
	for (i = 0; i < 5; i++)
		if (v[3 + i] > 0)
			n += fprintf(stderr, ", %lu %s", v[3 + i], what[i]);
	(void)n;
	fputs("\033[K", stderr);
	fflush(stderr);
}

int
national_call(const char *sock, char *path, size_t len)
{
	char *resp = NULL;
	size_t rlen = 0;
	int rc;

	if (!isatty(STDERR_FILENO))
		return admincall(sock, "GET", path, NULL, NULL, 0, NULL, NULL);
	if (admincall_qs(path, len, "progress", "1") == -1)
		return 2;
	rc = admincall_stream(sock, path, show_progress, NULL, &resp, &rlen);
	fputs("\r\033[K", stderr);
	fflush(stderr);
	if (rc == 0 && (fwrite(resp, 1, rlen, stdout) != rlen ||
	    fflush(stdout) != 0)) {
		warnx_("stdout: write failed");
		rc = 2;
	}
	free(resp);
	return rc;
}
