/*
 * log.c - one line per event, key=value fields, on stderr (see log.h).
 * The last LOG_RECENT_MAX lines at level warn or above are also kept in a
 * ring (under a mutex: the workers of the admin API log too), for
 * `lasteri status`.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "log.h"

static const char	*log_prog = "lasterid";
static enum log_level	 log_max = LOG_LVL_INFO;
static FILE		*log_out;
static int		 log_ready;	/* log_init() was called */

static pthread_mutex_t	 recent_mu = PTHREAD_MUTEX_INITIALIZER;
static char		 recent[LOG_RECENT_MAX][LOG_RECENT_LEN];
static unsigned		 recent_next;	/* lines ever kept */

static const char *const level_names[] = { "fatal", "error", "warn", "info",
    "debug" };

void
log_init(const char *prog, enum log_level max, FILE *out)
{
	log_prog = prog;
	log_max = max;
	log_out = out;
	log_ready = 1;
}

int
log_is_init(void)
{
	return log_ready;
}

static void
recent_keep(const char *line)
{
	size_t n = strlen(line);
	char *slot;

	pthread_mutex_lock(&recent_mu);
	slot = recent[recent_next % LOG_RECENT_MAX];
	if (n >= LOG_RECENT_LEN)
		n = LOG_RECENT_LEN - 1;
	memcpy(slot, line, n);
	slot[n] = '\0';
	recent_next++;
	pthread_mutex_unlock(&recent_mu);
}

size_t
log_recent(char (*out)[LOG_RECENT_LEN], size_t max)
{
	size_t n = 0;
	unsigned i, first;

	pthread_mutex_lock(&recent_mu);
	first = recent_next > LOG_RECENT_MAX ? recent_next - LOG_RECENT_MAX :
	    0;
	for (i = first; i < recent_next && n < max; i++)
		memcpy(out[n++], recent[i % LOG_RECENT_MAX], LOG_RECENT_LEN);
	pthread_mutex_unlock(&recent_mu);
	return n;
}

void
log_set_level(enum log_level max)
{
	log_max = max;
}

const char *
log_q(const char *s, char *buf, size_t len)
{
	const char *p;
	size_t i = 0;
	int plain = *s != '\0';

	if (len < 4)
		return "\"\"";
	for (p = s; *p != '\0' && plain; p++)
		if (*p <= ' ' || *p == '"' || *p == '\\' || *p == '=' ||
		    *p == 0x7f)
			plain = 0;
	if (plain && strlen(s) < len) {
		memcpy(buf, s, strlen(s) + 1);
		return buf;
	}
	buf[i++] = '"';
	for (p = s; *p != '\0' && i + 4 < len; p++) {
		if (*p == '"' || *p == '\\')
			buf[i++] = '\\';
		buf[i++] = ((unsigned char)*p < ' ' || *p == 0x7f) ? '?' : *p;
	}
	buf[i++] = '"';
	buf[i] = '\0';
	return buf;
}

static void
log_vline(enum log_level lvl, const char *event, const char *errstr,
    const char *fmt, va_list ap)
{
	char line[2048], ebuf[LOG_Q_MAX];
	struct timeval tv;
	struct tm tm;
	size_t n;
	int r;
	char *p;

	if (lvl > log_max)
		return;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	n = strftime(line, sizeof(line), "ts=%Y-%m-%dT%H:%M:%S", &tm);
	r = snprintf(line + n, sizeof(line) - n, ".%03ldZ level=%s event=%s",
	    (long)(tv.tv_usec / 1000), level_names[lvl], event);
	if (r > 0)
		n += (size_t)r < sizeof(line) - n ? (size_t)r :
		    sizeof(line) - n - 1;
	if (fmt != NULL && *fmt != '\0' && n + 1 < sizeof(line)) {
		line[n++] = ' ';
		r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
		if (r > 0)
			n += (size_t)r < sizeof(line) - n ? (size_t)r :
			    sizeof(line) - n - 1;
	}
	if (errstr != NULL)
		snprintf(line + n, sizeof(line) - n, " err=%s",
		    log_q(errstr, ebuf, sizeof(ebuf)));
	for (p = line; *p != '\0'; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			*p = '?';
	if (lvl <= LOG_LVL_WARN)
		recent_keep(line);
	fprintf(log_out != NULL ? log_out : stderr, "%s\n", line);
	fflush(log_out != NULL ? log_out : stderr);
}

void
log_error(const char *event, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(LOG_LVL_ERROR, event, NULL, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *event, const char *fmt, ...)
{
	const char *es = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	log_vline(LOG_LVL_WARN, event, es, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *event, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(LOG_LVL_WARN, event, NULL, fmt, ap);
	va_end(ap);
}

void
log_info(const char *event, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(LOG_LVL_INFO, event, NULL, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *event, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(LOG_LVL_DEBUG, event, NULL, fmt, ap);
	va_end(ap);
}

static void __attribute__((noreturn))
vfatal(const char *errstr, const char *fmt, va_list ap)
{
	char msg[1024];
	char *p;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	for (p = msg; *p != '\0'; p++)
		if ((unsigned char)*p < ' ')
			*p = '?';
	if (errstr != NULL)
		fprintf(log_out != NULL ? log_out : stderr, "%s: %s: %s\n",
		    log_prog, msg, errstr);
	else
		fprintf(log_out != NULL ? log_out : stderr, "%s: %s\n",
		    log_prog, msg);
	exit(1);
}

void
fatal(const char *fmt, ...)
{
	const char *es = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	vfatal(es, fmt, ap);
	va_end(ap);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfatal(NULL, fmt, ap);
	va_end(ap);
}
