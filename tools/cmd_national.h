/*
 * cmd_national.h - the national variants of lasteri search, stats and
 * supervision show (a fan-out through the node's admin socket).
 */
#ifndef LASTERI_CMD_NATIONAL_H
#define LASTERI_CMD_NATIONAL_H

#include <stddef.h>

/* Appends deadline=MS for a --deadline DURATION ("500ms", "5s", "1m", a
 * bare number is ms; 10ms..10m) to path; -1 after a message. */
int	national_deadline(const char *arg, char *path, size_t len);

/* GET path (under /admin/v1/national/) on sock, the answer to stdout;
 * while regions answer, a progress line on stderr when it is a terminal.
 * Returns the exit status. */
int	national_call(const char *sock, char *path, size_t len);

#endif
