/*
 * cmd_pki.c - `lasteri pki init|request|sign`.
 *
 * init DIR creates a test federation PKI with certs/mkpki (root CA,
 * operator, per-member TLS and signing certificates) and, with --trustlist,
 * the operator-signed DIR/trustlist.xml.  mkpki is found in
 * $LASTERI_CERTS_DIR, else the installed certs directory, else the source
 * tree's certs/.
 * request and sign, the two halves of joining a real federation, are in
 * cmd_pki_csr.c.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "cmd_trust.h"
#include "trust.h"
#include "util.h"
#include "xml.h"

static const char usage_init[] =
    "lasteri pki init DIR [--regions N | --members \"CODE ...\"] [--trustlist]\n"
    "           [--port-base P] [--valid-days D]\n"
    "       lasteri pki init DIR --ca-only";

/* Every form: on stdout with status 0 when asked for (--help), else on
 * stderr with status 2. */
static int
usage_all(int asked)
{
	fprintf(asked ? stdout : stderr, "usage: %s\n       %s\n       %s\n",
	    usage_init, pki_usage_request, pki_usage_sign);
	return asked ? 0 : 2;
}

/* The mkpki script to run, or NULL. */
static const char *
mkpki_find(char *buf, size_t len)
{
	const char *dirs[3];
	int i;

	dirs[0] = getenv("LASTERI_CERTS_DIR");
	dirs[1] = LASTERI_CERTSDIR;
	dirs[2] = LASTERI_SRC_CERTSDIR;
	for (i = 0; i < 3; i++) {
		if (dirs[i] == NULL || dirs[i][0] == '\0')
			continue;
		if ((size_t)snprintf(buf, len, "%s/mkpki", dirs[i]) >= len)
			continue;
		if (access(buf, X_OK) == 0)
			return buf;
		if (i == 0) {
			/* An explicit choice that does not work is an error,
			 * not a reason to run some other script. */
			warnx_("LASTERI_CERTS_DIR: %s: %s", buf,
			    strerror(errno));
			return NULL;
		}
	}
	warnx_("mkpki not found in %s or %s (set LASTERI_CERTS_DIR)",
	    LASTERI_CERTSDIR, LASTERI_SRC_CERTSDIR);
	return NULL;
}

/* Run mkpki with args, echo its output, count the files it created.
 * Returns its exit status (-1 when it could not run). */
static int
mkpki_run(char *const args[], int *created)
{
	char line[4096];
	FILE *f;
	pid_t pid;
	int fd[2], st;

	*created = 0;
	fflush(stdout);
	if (pipe(fd) == -1) {
		warnx_("pipe: %s", strerror(errno));
		return -1;
	}
	if ((pid = fork()) == -1) {
		warnx_("fork: %s", strerror(errno));
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (pid == 0) {
		close(fd[0]);
		if (dup2(fd[1], STDOUT_FILENO) == -1)
			_exit(127);
		close(fd[1]);
		execv(args[0], args);
		fprintf(stderr, "%s: %s\n", args[0], strerror(errno));
		_exit(127);
	}
	close(fd[1]);
	if ((f = fdopen(fd[0], "r")) == NULL) {
		close(fd[0]);
		waitpid(pid, &st, 0);
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		fputs(line, stdout);
		if (strncmp(line, "created ", 8) == 0)
			(*created)++;
	}
	fclose(f);
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* DIR/trustlist.xml signed by DIR/pki/operator.*, with the next sequence
 * when one exists already. */
static int
trustlist_make(const char *dir, const char *port, const char *days)
{
	char tl[4096], tmp[4200], key[4200], crt[4200], seqs[32];
	struct trust_list *old = NULL;
	struct err e;
	unsigned long long seq = 1;
	int rc;

	snprintf(tl, sizeof(tl), "%s/trustlist.xml", dir);
	snprintf(tmp, sizeof(tmp), "%s/trustlist.unsigned.xml", dir);
	snprintf(key, sizeof(key), "%s/pki/operator.key", dir);
	snprintf(crt, sizeof(crt), "%s/pki/operator.crt", dir);
	err_clear(&e);
	if (access(tl, F_OK) == 0) {
		xml_init();
		if (trust_load_flags(tl, NULL, NULL, time(NULL),
		    TRUST_F_NO_SIGNATURE | TRUST_F_NO_EXPIRY, &old, &e) == -1)
			return util_report(&e);
		seq = trust_sequence(old) + 1;
		trust_unref(old);
	}
	snprintf(seqs, sizeof(seqs), "%llu", seq);
	{
		char *cargv[] = { "trust", "create", "--pki", (char *)dir,
		    "--out", tmp, "--sequence", seqs, "--port-base",
		    (char *)port, "--valid-days", (char *)days, "--quiet",
		    NULL };
		if ((rc = cmd_trust(13, cargv)) != 0)
			return rc;
	}
	{
		char *sargv[] = { "trust", "sign", "--key", key, "--cert", crt,
		    tmp, tl, NULL };
		rc = cmd_trust(8, sargv);
	}
	unlink(tmp);
	if (rc == 0)
		printf("created %s (sequence %llu, signed by the operator)\n",
		    tl, seq);
	return rc;
}

static int
pki_init(int argc, char **argv)
{
	const char *dir = NULL, *regions = NULL, *members = NULL;
	const char *port = "7400", *days = "90";
	char path[4096], tl[4096];
	char *args[8];
	long n;
	const char *usage = usage_init;
	int i, na = 0, created, want_tl = 0, ca_only = 0, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return util_usage(usage);
		if (strcmp(argv[i], "--regions") == 0 && i + 1 < argc) {
			regions = argv[++i];
			if (util_parse_long("--regions", regions, 0, 22, &n) == -1)
				return 2;
		} else if (strcmp(argv[i], "--members") == 0 && i + 1 < argc)
			members = argv[++i];
		else if (strcmp(argv[i], "--port-base") == 0 && i + 1 < argc)
			port = argv[++i];
		else if (strcmp(argv[i], "--valid-days") == 0 && i + 1 < argc)
			days = argv[++i];
		else if (strcmp(argv[i], "--trustlist") == 0)
			want_tl = 1;
		else if (strcmp(argv[i], "--ca-only") == 0)
			ca_only = 1;
		else if (argv[i][0] == '-') {
			warnx_("unknown option or missing value '%s'", argv[i]);
			return util_usage(usage);
		} else if (dir == NULL)
			dir = argv[i];
		else
			return util_usage(usage);
	}
	if (dir == NULL)
		return util_usage(usage);
	if (regions != NULL && members != NULL) {
		warnx_("--regions and --members are exclusive");
		return 2;
	}
	if (ca_only && (regions != NULL || members != NULL || want_tl)) {
		warnx_("--ca-only excludes --regions, --members and "
		    "--trustlist");
		return 2;
	}
	if (mkpki_find(path, sizeof(path)) == NULL)
		return 2;
	args[na++] = path;
	args[na++] = (char *)dir;
	if (ca_only)
		args[na++] = "--ca-only";
	if (regions != NULL) {
		args[na++] = "--regions";
		args[na++] = (char *)regions;
	}
	if (members != NULL) {
		args[na++] = "--members";
		args[na++] = (char *)members;
	}
	args[na] = NULL;
	if ((rc = mkpki_run(args, &created)) != 0) {
		warnx_("%s failed (status %d)", path, rc);
		return 2;
	}
	printf("%s: %d files created, the rest kept\n", dir, created);
	if (!want_tl)
		return 0;
	snprintf(tl, sizeof(tl), "%s/trustlist.xml", dir);
	if (created == 0 && access(tl, F_OK) == 0) {
		printf("%s: kept (the PKI did not change)\n", tl);
		return 0;
	}
	return trustlist_make(dir, port, days);
}

int
cmd_pki(int argc, char **argv)
{
	if (argc < 2)
		return usage_all(0);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return usage_all(1);
	if (strcmp(argv[1], "init") == 0)
		return pki_init(argc - 1, argv + 1);
	if (strcmp(argv[1], "request") == 0)
		return pki_request(argc - 1, argv + 1);
	if (strcmp(argv[1], "sign") == 0)
		return pki_sign(argc - 1, argv + 1);
	warnx_("unknown action '%s' (init, request or sign)", argv[1]);
	return util_usage(NULL);
}
