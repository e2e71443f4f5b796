/*
 * log.h - the daemon's log: one line per event on stderr (systemd collects
 * it), key=value fields, OpenBSD names.
 *
 *	ts=2026-11-25T11:43:52.123Z level=info event=listen addr=127.0.0.1:8443
 *
 * The caller writes the fields after "event=" with a printf format; a value
 * that may hold spaces or quotes goes through log_q().  Control characters
 * are replaced, so one call is always one line.  fatal()/fatalx() are for
 * start-up and broken invariants only: they print one plain line naming the
 * program ("lasterid: trust list /x: ...") and exit 1.
 */
#ifndef LASTERI_LOG_H
#define LASTERI_LOG_H

#include <stddef.h>
#include <stdio.h>

enum log_level {
	LOG_LVL_FATAL = 0,
	LOG_LVL_ERROR,		/* the node stopped doing part of its job */
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG
};

/* prog prefixes fatal lines; lines at a level above max are dropped.  out
 * is where lines go (NULL: stderr), for tests. */
void	 log_init(const char *prog, enum log_level max, FILE *out);
void	 log_set_level(enum log_level max);
/* 1 once log_init() was called: the daemon's library code (the store)
 * logs its errors only then, so that a tool using it stays quiet. */
int	 log_is_init(void);

/* The last lines logged at level warn or above, oldest first: copies at
 * most max of the last LOG_RECENT_MAX into out and returns how many.
 * Thread-safe. */
#define LOG_RECENT_MAX	20
#define LOG_RECENT_LEN	512
size_t	 log_recent(char (*out)[LOG_RECENT_LEN], size_t max);

/* log_warn adds err="strerror(errno)".  log_error is for a state that
 * stops part of the node's work until an operator acts (level=error). */
void	 log_error(const char *event, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	 log_warn(const char *event, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	 log_warnx(const char *event, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	 log_info(const char *event, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	 log_debug(const char *event, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* "prog: message[: strerror]" and exit(1). */
void	 fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	 fatalx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/* s as one log value: unchanged when it is a plain token, else in double
 * quotes with '"' and '\' escaped; truncated to fit.  Returns buf. */
const char *log_q(const char *s, char *buf, size_t len);
#define LOG_Q_MAX 600

#endif
