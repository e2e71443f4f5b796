/*
 * err.h - errors as values.
 *
 * The library never logs, prints or exits: a failing function returns -1 (or
 * NULL) and fills a struct err with a code and one message.  The codes line up
 * with what users see (exit statuses, the per-region statuses of a national
 * query), so nothing is translated twice.  A message names what was wrong:
 * file and line, element, config key, member ID.
 */
#ifndef LASTERI_ERR_H
#define LASTERI_ERR_H

#include <stddef.h>

enum err_code {
	ERR_OK = 0,
	ERR_USAGE,		/* bad arguments from the caller */
	ERR_INPUT,		/* malformed or hostile input (XML, limits, values) */
	ERR_SCHEMA,		/* valid XML that breaks the schema or a value rule */
	ERR_IO,			/* file or socket I/O */
	ERR_NOMEM,
	ERR_DB,			/* the store */
	ERR_CONFLICT,		/* a different document under an existing Id */
	ERR_NOTFOUND,
	ERR_SIGNATURE,		/* bad-signature: the document does not verify */
	ERR_TRUST,		/* signer or peer not allowed by the trust list */
	ERR_TIMEOUT,
	ERR_UNREACHABLE,
	ERR_TLS,
	ERR_INTERNAL
};

#define ERR_MSG_MAX 512

struct err {
	enum err_code	code;
	char		msg[ERR_MSG_MAX];
};

/* Clears e (NULL is allowed everywhere an err is taken). */
void		 err_clear(struct err *e);

/* Sets code and a printf-style message; returns -1 so callers can
 * "return err_set(e, ...)". */
int		 err_set(struct err *e, enum err_code code, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

/* Prefixes the existing message with "prefix: "; returns -1. */
int		 err_prefix(struct err *e, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

/* Stable lower-case name of a code ("bad-signature", "timeout", ...). */
const char	*err_code_name(enum err_code code);

/* The command-line exit status for a code: 1 for a "no" answer
 * (signature, trust, conflict), 2 for usage and input errors, 2 otherwise. */
int		 err_exit_status(enum err_code code);

#endif
