/*
 * util.c - helpers for the command-line program (see util.h).
 */
#include "config.h"

#define UTIL_NO_GETOPT_WRAP	/* util_getopt_long calls the real one */

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

const char *util_progname = "lasteri";
static int said;	/* a message went to stderr */

void
warnx_(const char *fmt, ...)
{
	va_list ap;

	said = 1;
	fprintf(stderr, "%s: ", util_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
util_report(const struct err *e)
{
	warnx_("%s", e->msg[0] ? e->msg : err_code_name(e->code));
	return err_exit_status(e->code);
}

int
util_usage(const char *usage)
{
	if (said)
		fprintf(stderr, "see '%s --help'\n", util_progname);
	else
		fprintf(stderr, "usage: %s\n", usage);
	return 2;
}

int
util_subcommand(int argc, char **argv, const struct util_sub *subs,
    const char *usage)
{
	size_t i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s", usage);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	for (i = 0; subs[i].name != NULL; i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			return subs[i].run(argc - 1, argv + 1);
	warnx_("unknown subcommand '%s'", argv[1]);
	return util_usage(usage);
}

int
util_getopt_long(int argc, char *const *argv, const char *optstring,
    const struct option *longopts, int *longindex)
{
	const struct option *o;
	const char *arg;
	size_t n;
	int ch, known = 0;

	opterr = 0;
	ch = getopt_long(argc, argv, optstring, longopts, longindex);
	if (ch != '?' && ch != ':')
		return ch;
	arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
	if (arg != NULL && strncmp(arg, "--", 2) == 0) {
		n = strcspn(arg + 2, "=");
		for (o = longopts; o != NULL && o->name != NULL; o++)
			if (strlen(o->name) == n &&
			    strncmp(o->name, arg + 2, n) == 0)
				known = o->has_arg == no_argument ? 1 : 2;
		if (known == 2)
			warnx_("option '--%.*s' needs a value", (int)n,
			    arg + 2);
		else if (known == 1)
			warnx_("option '--%.*s' takes no value", (int)n,
			    arg + 2);
		else
			warnx_("unknown option '%.*s'", (int)n + 2, arg);
	} else if (optopt != 0 && strchr(optstring, optopt) != NULL)
		warnx_("option '-%c' needs a value", optopt);
	else if (optopt != 0)
		warnx_("unknown option '-%c'", optopt);
	else
		warnx_("unknown option '%s'", arg != NULL ? arg : "");
	return '?';
}

void *
xmalloc(size_t n)
{
	void *p;

	if ((p = malloc(n == 0 ? 1 : n)) == NULL) {
		warnx_("out of memory");
		exit(2);
	}
	return p;
}

void *
xcalloc(size_t n, size_t sz)
{
	void *p;

	if ((p = calloc(n == 0 ? 1 : n, sz == 0 ? 1 : sz)) == NULL) {
		warnx_("out of memory");
		exit(2);
	}
	return p;
}

char *
xstrdup(const char *s)
{
	char *p;

	if ((p = strdup(s)) == NULL) {
		warnx_("out of memory");
		exit(2);
	}
	return p;
}

const char *
util_msg_after(const char *msg, const char *path)
{
	size_t n = strlen(path);

	if (strncmp(msg, path, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ')
		return msg + n + 2;
	return msg;
}

int
util_parse_long(const char *opt, const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	if (s == NULL || *s == '\0') {
		warnx_("%s: a number is needed", opt);
		return -1;
	}
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0') {
		warnx_("%s: '%s' is not a whole number", opt, s);
		return -1;
	}
	if (v < min || v > max) {
		warnx_("%s: %ld is out of range %ld..%ld", opt, v, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int
util_parse_eur(const char *opt, const char *s, long *cents)
{
	long whole = 0, frac = 0;
	const char *p;
	int nfrac = 0;

	if (s == NULL || *s == '\0')
		goto bad;
	for (p = s; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (*p - '0');
		if (whole > 10000000)
			goto bad;
	}
	if (p == s)
		goto bad;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9' && nfrac < 2; p++, nfrac++)
			frac = frac * 10 + (*p - '0');
		if (nfrac == 0)
			goto bad;
		if (nfrac == 1)
			frac *= 10;
	}
	if (*p != '\0')
		goto bad;
	*cents = whole * 100 + frac;
	return 0;
bad:
	warnx_("%s: '%s' is not a euro amount (e.g. 450 or 450.50)", opt,
	    s ? s : "");
	return -1;
}

int
util_write_atomic(const char *path, const char *buf, size_t len,
    struct err *e)
{
	char tmp[4200];
	FILE *f = NULL;
	int fd, rc = -1;

	if (strcmp(path, "-") == 0) {
		if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0)
			return err_set(e, ERR_IO, "stdout: %s",
			    strerror(errno));
		return 0;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path) >=
	    sizeof(tmp))
		return err_set(e, ERR_USAGE, "%s: path too long", path);
	if ((fd = mkstemp(tmp)) == -1)
		return err_set(e, ERR_IO, "%s: cannot create: %s", tmp,
		    strerror(errno));
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		err_set(e, ERR_IO, "%s: %s", tmp, strerror(errno));
		goto done;
	}
	if (fchmod(fd, 0644) == -1 || fwrite(buf, 1, len, f) != len ||
	    fflush(f) != 0 || fsync(fd) == -1) {
		err_set(e, ERR_IO, "%s: cannot write: %s", tmp, strerror(errno));
		goto done;
	}
	if (fclose(f) != 0) {
		f = NULL;
		err_set(e, ERR_IO, "%s: cannot write: %s", tmp, strerror(errno));
		goto done;
	}
	f = NULL;
	if (rename(tmp, path) == -1) {
		err_set(e, ERR_IO, "%s: cannot rename to %s: %s", tmp, path,
		    strerror(errno));
		goto done;
	}
	rc = 0;
done:
	if (f != NULL)
		fclose(f);
	if (rc == -1)
		unlink(tmp);
	return rc;
}
