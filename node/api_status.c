/*
 * api_status.c - honest health and the node's status (see api_status.h).
 *
 * Health is asked of the things the node needs to do its job, each time
 * /health is asked (a monitor polls it; every check is a few system calls
 * and two small queries): the trust list in use, the database (a probe
 * query; the file still there under its path, readable and writable; its
 * directory writable for the journal), the free space of that file
 * system, and the outbox (the oldest pending delivery against
 * outbox_alarm_age).  A probe query alone would not see a database file
 * removed or made unreadable under the running node, since SQLite keeps
 * its descriptor: hence the file checks.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "api_fed.h"
#include "api_status.h"
#include "httpd.h"
#include "log.h"
#include "model.h"
#include "node.h"
#include "output.h"
#include "store.h"
#include "store_outbox.h"
#include "trust.h"

static time_t		 started;
static dev_t		 db_dev;	/* the database file at start */
static ino_t		 db_ino;
static unsigned		 logged;	/* problems logged, by bit */

static pthread_mutex_t	 check_mu = PTHREAD_MUTEX_INITIALIZER;
static time_t		 check_when;
static char		 check_kind[8], check_result[16];

void
api_status_check_note(time_t when, const char *kind, const char *result)
{
	pthread_mutex_lock(&check_mu);
	check_when = when;
	snprintf(check_kind, sizeof(check_kind), "%s", kind);
	snprintf(check_result, sizeof(check_result), "%s", result);
	pthread_mutex_unlock(&check_mu);
}

static int
add(struct status_problem *out, int n, const char *token, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static int
add(struct status_problem *out, int n, const char *token, const char *fmt,
    ...)
{
	va_list ap;

	if (n >= STATUS_PROBLEMS_MAX)
		return n;
	out[n].token = token;
	va_start(ap, fmt);
	vsnprintf(out[n].msg, sizeof(out[n].msg), fmt, ap);
	va_end(ap);
	return n + 1;
}

/* The database: a probe query, the file and its directory. */
static int
check_database(struct node *n, struct status_problem *out, int np)
{
	const char *path = n->conf.database;
	char dir[4096], inst[17];
	struct statvfs vfs;
	struct stat st;
	uint64_t seq;
	struct err e;

	err_clear(&e);
	if (store_trust_seq_get(n->store, inst, &seq, &e) == -1)
		return add(out, np, "database", "the probe query failed: %s",
		    e.msg);
	if (stat(path, &st) == -1)
		return add(out, np, "database", "%s: %s: the database file "
		    "is missing (removed or moved under the running node)",
		    path, strerror(errno));
	if (db_ino != 0 && (st.st_ino != db_ino || st.st_dev != db_dev))
		return add(out, np, "database", "%s: the database file was "
		    "replaced under the running node (restart it)", path);
	if (access(path, R_OK | W_OK) == -1)
		return add(out, np, "database", "%s: %s: the database file "
		    "is not readable and writable", path, strerror(errno));
	snprintf(dir, sizeof(dir), "%s", path);
	if (access(dirname(dir), W_OK | X_OK) == -1)
		return add(out, np, "database", "%s: %s: the database "
		    "directory is not writable", dir, strerror(errno));
	if (statvfs(dir, &vfs) == 0 && (vfs.f_flag & ST_RDONLY))
		return add(out, np, "database", "%s: the file system is "
		    "mounted read-only", dir);
	return np;
}

static int
check_disk(struct node *n, struct status_problem *out, int np)
{
	char dir[4096];
	struct statvfs vfs;
	long long avail, total;

	snprintf(dir, sizeof(dir), "%s", n->conf.database);
	if (statvfs(dirname(dir), &vfs) == -1)
		return np;	/* check_database says why */
	avail = (long long)vfs.f_bavail * (long long)vfs.f_frsize;
	total = (long long)vfs.f_blocks * (long long)vfs.f_frsize;
	if (avail < STATUS_DISK_MIN_BYTES ||
	    avail * 100 < total * STATUS_DISK_MIN_PERCENT)
		return add(out, np, "disk-full", "%s: %lld MiB free of %lld "
		    "MiB (below %lld MiB or %d %%): the database cannot grow",
		    dir, avail >> 20, total >> 20, STATUS_DISK_MIN_BYTES >> 20,
		    STATUS_DISK_MIN_PERCENT);
	return np;
}

static int
check_outbox(struct node *n, struct status_problem *out, int np)
{
	struct outbox_summary sum;
	struct err e;
	char dests[256], at[32];
	int64_t now = (int64_t)time(NULL) * 1000, age;
	size_t len = 0;
	int i;

	err_clear(&e);
	memset(&sum, 0, sizeof(sum));
	if (store_outbox_summary(n->store, &sum, &e) == -1)
		return add(out, np, "database", "reading the outbox: %s",
		    e.msg);
	age = sum.oldest_pending != 0 ? now - sum.oldest_pending : 0;
	if (sum.oldest_pending != 0 && age > n->conf.outbox_alarm_age) {
		dests[0] = '\0';
		for (i = 0; i < sum.ndests && len + 2 < sizeof(dests); i++) {
			int r;

			if (sum.dests[i].oldest_pending == 0 ||
			    now - sum.dests[i].oldest_pending <=
			    n->conf.outbox_alarm_age)
				continue;
			r = snprintf(dests + len, sizeof(dests) - len, "%s%s",
			    len ? ", " : "", sum.dests[i].dest);
			if (r < 0)
				break;
			len += (size_t)r < sizeof(dests) - len ? (size_t)r :
			    sizeof(dests) - len - 1;
		}
		model_datetime_format((time_t)(sum.oldest_pending / 1000), at);
		np = add(out, np, "outbox", "%ld deliver%s pending; the "
		    "oldest since %s (%" PRId64 " s, outbox_alarm_age = %ld s)"
		    " to %s", sum.pending, sum.pending == 1 ? "y" : "ies", at,
		    age / 1000,
		    n->conf.outbox_alarm_age / 1000, dests);
	}
	store_outbox_summary_clear(&sum);
	return np;
}

const char *
api_status_public(const char *token)
{
	if (strcmp(token, "trust-expired") == 0)
		return "the trust list this node holds has expired";
	if (strcmp(token, "database") == 0)
		return "this node's database is not usable";
	if (strcmp(token, "disk-full") == 0)
		return "this node's disk is full or nearly";
	if (strcmp(token, "outbox") == 0)
		return "this node's deliveries to other members are behind";
	return "this node cannot do its job";
}

int
api_status_health(struct node *n, struct status_problem *out)
{
	static const char *const tokens[] = { "database", "disk-full",
	    "outbox" };
	char q[LOG_Q_MAX];
	unsigned now_bits = 0, b;
	int np = 0, i, j;

	if (node_trust_expired(n))
		np = add(out, np, "trust-expired", "the trust list %s expired "
		    "(sequence %" PRIu64 "): no peer is accepted, no record "
		    "received, issued or delivered", n->conf.trust_list,
		    n->trust != NULL ? trust_sequence(n->trust) : 0);
	np = check_database(n, out, np);
	np = check_disk(n, out, np);
	np = check_outbox(n, out, np);
	/* The trust list's expiry is logged by lasterid.c already. */
	for (i = 0; i < np; i++)
		for (j = 0; j < 3; j++)
			if (strcmp(out[i].token, tokens[j]) == 0) {
				b = 1u << j;
				if (!(logged & b) && !(now_bits & b))
					log_error("health", "problem=%s msg=%s",
					    out[i].token, log_q(out[i].msg, q,
					    sizeof(q)));
				now_bits |= b;
			}
	for (j = 0; j < 3; j++)
		if ((logged & (1u << j)) && !(now_bits & (1u << j)))
			log_info("health", "problem=%s msg=\"resolved\"",
			    tokens[j]);
	logged = now_bits;
	return np;
}

/* --- GET /admin/v1/status ------------------------------------------------ */

static int
kv(struct out_table *t, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
kv(struct out_table *t, const char *key, const char *fmt, ...)
{
	char val[1024];
	const char *cells[2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	cells[0] = key;
	cells[1] = val;
	return out_table_add(t, cells);
}

static long long
file_size(const char *path, const char *suffix)
{
	char p[4200];
	struct stat st;

	snprintf(p, sizeof(p), "%s%s", path, suffix);
	return stat(p, &st) == 0 ? (long long)st.st_size : 0;
}

static struct out_table *
status_table(struct node *n)
{
	static const char *const keys[] = { "field", "value" };
	static const char *const heads[] = { "field", "value" };
	const struct trust_member *me;
	struct status_problem pr[STATUS_PROBLEMS_MAX];
	struct out_table *t;
	char when[32], health[600], ck[96];
	long long up = (long long)(time(NULL) - started);
	size_t len = 0;
	int np, i, rc = 0;

	if ((t = out_table_new("status", 2, keys, heads)) == NULL)
		return NULL;
	out_table_title(t, "Node status");
	me = n->trust != NULL ? trust_member_by_id(n->trust,
	    n->conf.member_id) : NULL;
	np = api_status_health(n, pr);
	snprintf(health, sizeof(health), "%s", np == 0 ? "ok" : "");
	for (i = 0; i < np && len < sizeof(health); i++) {
		int r = snprintf(health + len, sizeof(health) - len, "%s%s",
		    i ? " " : "", pr[i].token);

		if (r < 0)
			break;
		len += (size_t)r;
	}
	rc |= kv(t, "version", "%s", PACKAGE_VERSION);
	rc |= kv(t, "member", "%s", n->conf.member_id);
	rc |= kv(t, "name", "%s", me != NULL ? me->name : "");
	rc |= kv(t, "region", "%s", me != NULL && me->region[0] ?
	    me->region : "-");
	rc |= kv(t, "health", "%s", health);
	for (i = 0; i < np; i++)
		rc |= kv(t, "problem", "%s: %s", pr[i].token, pr[i].msg);
	rc |= kv(t, "trust-list", "%s", n->conf.trust_list);
	rc |= kv(t, "trust-sequence", "%" PRIu64, n->trust != NULL ?
	    trust_sequence(n->trust) : 0);
	model_datetime_format(n->trust != NULL ? trust_expires(n->trust) : 0,
	    when);
	rc |= kv(t, "trust-expires", "%s%s", when, node_trust_expired(n) ?
	    " (expired)" : "");
	rc |= kv(t, "database", "%s", n->conf.database);
	rc |= kv(t, "database-size", "%lld bytes (WAL %lld bytes)",
	    file_size(n->conf.database, ""),
	    file_size(n->conf.database, "-wal"));
	pthread_mutex_lock(&check_mu);
	if (check_when != 0) {
		model_datetime_format(check_when, when);
		snprintf(ck, sizeof(ck), "%s %s check at %s", check_result,
		    check_kind, when);
	} else
		snprintf(ck, sizeof(ck), "none");
	pthread_mutex_unlock(&check_mu);
	rc |= kv(t, "integrity-check", "%s", ck);
	model_datetime_format(started, when);
	rc |= kv(t, "started", "%s", when);
	rc |= kv(t, "uptime", "%lld s (%lldd %lldh %lldm %llds)", up,
	    up / 86400, up / 3600 % 24, up / 60 % 60, up % 60);
	if (rc != 0) {
		out_table_free(t);
		return NULL;
	}
	return t;
}

/* One row per destination: a column per state (store_outbox.h), the
 * oldest pending delivery and the last error. */
static struct out_table *
outbox_table(struct node *n, struct err *e)
{
	const char *keys[OUTBOX_NSTATES + 3], *cells[OUTBOX_NSTATES + 3];
	const char *heads[OUTBOX_NSTATES + 3];
	struct outbox_summary sum;
	struct out_table *t = NULL;
	char c[OUTBOX_NSTATES][24], at[32];
	int i, k, ok = 0;

	memset(&sum, 0, sizeof(sum));
	if (store_outbox_summary(n->store, &sum, e) == -1)
		return NULL;
	keys[0] = heads[0] = "destination";
	for (k = 0; k < OUTBOX_NSTATES; k++)
		keys[1 + k] = heads[1 + k] =
		    store_outbox_state_name((enum outbox_state)k);
	keys[OUTBOX_NSTATES + 1] = "oldest-pending";
	heads[OUTBOX_NSTATES + 1] = "oldest pending";
	keys[OUTBOX_NSTATES + 2] = "last-error";
	heads[OUTBOX_NSTATES + 2] = "last error";
	if ((t = out_table_new("outbox", OUTBOX_NSTATES + 3, keys, heads)) ==
	    NULL)
		goto done;
	out_table_title(t, "Outbox by destination");
	for (k = 0; k < OUTBOX_NSTATES; k++)
		out_table_right(t, (size_t)(1 + k));
	for (i = 0; i < sum.ndests; i++) {
		cells[0] = sum.dests[i].dest;
		for (k = 0; k < OUTBOX_NSTATES; k++) {
			snprintf(c[k], sizeof(c[k]), "%ld",
			    sum.dests[i].count[k]);
			cells[1 + k] = c[k];
		}
		if (sum.dests[i].oldest_pending != 0)
			model_datetime_format((time_t)
			    (sum.dests[i].oldest_pending / 1000), at);
		else
			snprintf(at, sizeof(at), "-");
		cells[OUTBOX_NSTATES + 1] = at;
		cells[OUTBOX_NSTATES + 2] = sum.dests[i].last_error[0] ?
		    sum.dests[i].last_error : "-";
		if (out_table_add(t, cells) == -1)
			goto done;
	}
	if (sum.ndests == 0)
		out_table_note(t, "nothing was ever queued");
	ok = 1;
done:
	store_outbox_summary_clear(&sum);
	if (!ok) {
		out_table_free(t);
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	return t;
}

static struct out_table *
errors_table(void)
{
	static const char *const keys[] = { "line" };
	static const char *const heads[] = { "line" };
	char (*lines)[LOG_RECENT_LEN];
	struct out_table *t;
	const char *cells[1];
	size_t nl, i;

	if ((lines = calloc(LOG_RECENT_MAX, LOG_RECENT_LEN)) == NULL)
		return NULL;
	if ((t = out_table_new("errors", 1, keys, heads)) == NULL) {
		free(lines);
		return NULL;
	}
	out_table_title(t, "Last warnings and errors, oldest first");
	nl = log_recent(lines, LOG_RECENT_MAX);
	for (i = 0; i < nl; i++) {
		cells[0] = lines[i];
		if (out_table_add(t, cells) == -1) {
			out_table_free(t);
			t = NULL;
			break;
		}
	}
	if (t != NULL && nl == 0)
		out_table_note(t, "none since start");
	free(lines);
	return t;
}

static void
h_status(struct httpd_req *r, const struct httpd_peer *peer, void *arg)
{
	struct node *n = arg;
	struct out_table *t[3] = { NULL, NULL, NULL };
	enum out_format fmt = OUT_TABLE;
	long limit = 1;
	struct err e;
	int i;

	(void)peer;
	err_clear(&e);
	if (api_list_params(r, 1, &limit, &fmt) == -1)
		return;
	if ((t[0] = status_table(n)) == NULL ||
	    (t[2] = errors_table()) == NULL) {
		httpd_reply_error(r, 503, "unavailable", "out of memory");
		goto done;
	}
	if ((t[1] = outbox_table(n, &e)) == NULL) {
		httpd_reply_error(r, 500, "internal", "%s", e.msg);
		goto done;
	}
	api_reply_tables(r, fmt, "Status", t, 3);
done:
	for (i = 0; i < 3; i++)
		out_table_free(t[i]);
}

int
api_status_register(struct node *n, struct err *e)
{
	struct stat st;

	started = time(NULL);
	if (stat(n->conf.database, &st) == 0) {
		db_dev = st.st_dev;
		db_ino = st.st_ino;
	}
	return httpd_route(n->httpd, HTTPD_ADMIN, HTTPD_GET,
	    "/admin/v1/status", h_status, n, e);
}
