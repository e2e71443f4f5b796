/*
 * util.h - helpers for the command-line program: messages that name the
 * program and subcommand, allocation that exits on failure (tools/ only),
 * and strict number parsing for options.
 */
#ifndef LASTERI_UTIL_H
#define LASTERI_UTIL_H

#include <getopt.h>
#include <stddef.h>

#include "err.h"

/* "lasteri import" etc.; set by main() before dispatch. */
extern const char *util_progname;

void	 warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the err message and returns its exit status. */
int	 util_report(const struct err *e);
/* Returns 2 after a usage error: when a message said what is wrong (an
 * unknown option, a missing argument), one hint line "see 'lasteri X
 * --help'"; otherwise the whole usage. */
int	 util_usage(const char *usage);

/* A subcommand with actions ("lasteri user add ..."): the action named
 * by argv[1] runs with argv + 1; no action prints usage to stderr (2),
 * --help, -h or help prints it to stdout (0), an unknown one is one line
 * and the hint (2).  subs ends with a NULL name. */
struct util_sub {
	const char	*name;
	int		(*run)(int, char **);
};
int	 util_subcommand(int argc, char **argv, const struct util_sub *subs,
	    const char *usage);

/* Every subcommand's getopt_long(3) goes through util_getopt_long(): an
 * unknown option or a missing value is one line naming it (instead of
 * getopt's own, which names argv[0]). */
int	 util_getopt_long(int argc, char *const *argv, const char *optstring,
	    const struct option *longopts, int *longindex);
#ifndef UTIL_NO_GETOPT_WRAP
#define getopt_long	util_getopt_long
#endif

void	*xmalloc(size_t n);
void	*xcalloc(size_t n, size_t sz);
char	*xstrdup(const char *s);

/* msg without a leading "path: ", for lines that already start with the
 * path (borrowed: points into msg). */
const char *util_msg_after(const char *msg, const char *path);

/* Parse a whole decimal integer in [min, max]; 0 on success, -1 with a
 * message naming opt otherwise. */
int	 util_parse_long(const char *opt, const char *s, long min, long max,
	    long *out);

/* Euro amount "450" or "450.50" -> cents. */
int	 util_parse_eur(const char *opt, const char *s, long *cents);

/* Writes len bytes to path through a temporary file in the same directory,
 * fsync(2) and rename(2), so that a reader sees the old file or the new one
 * whole; "-" writes to stdout.  ERR_IO naming the file. */
int	 util_write_atomic(const char *path, const char *buf, size_t len,
	    struct err *e);

#endif
