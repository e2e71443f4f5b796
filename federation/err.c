/*
 * err.c - errors as values (see err.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

void
err_clear(struct err *e)
{
	if (e == NULL)
		return;
	e->code = ERR_OK;
	e->msg[0] = '\0';
}

int
err_set(struct err *e, enum err_code code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int
err_prefix(struct err *e, const char *fmt, ...)
{
	char prefix[ERR_MSG_MAX], old[ERR_MSG_MAX];
	va_list ap;

	if (e == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	if (snprintf(e->msg, sizeof(e->msg), "%s: %s", prefix, old) >=
	    (int)sizeof(e->msg))
		memcpy(e->msg + sizeof(e->msg) - 4, "...", 4);
	return -1;
}

const char *
err_code_name(enum err_code code)
{
	switch (code) {
	case ERR_OK:		return "ok";
	case ERR_USAGE:		return "usage";
	case ERR_INPUT:		return "bad-input";
	case ERR_SCHEMA:	return "schema";
	case ERR_IO:		return "io";
	case ERR_NOMEM:		return "no-memory";
	case ERR_DB:		return "database";
	case ERR_CONFLICT:	return "conflict";
	case ERR_NOTFOUND:	return "not-found";
	case ERR_SIGNATURE:	return "bad-signature";
	case ERR_TRUST:		return "untrusted";
	case ERR_TIMEOUT:	return "timeout";
	case ERR_UNREACHABLE:	return "unreachable";
	case ERR_TLS:		return "tls-error";
	case ERR_INTERNAL:	return "error";
	}
	return "error";
}

int
err_exit_status(enum err_code code)
{
	switch (code) {
	case ERR_OK:
		return 0;
	case ERR_SIGNATURE:
	case ERR_TRUST:
	case ERR_CONFLICT:
		return 1;
	default:
		return 2;
	}
}
