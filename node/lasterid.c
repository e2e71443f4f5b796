/*
 * lasterid.c - the Lasteri node daemon: loads the configuration, the trust
 * list (verified against the operator's certificate) and the store, then
 * serves the federation port (mutual TLS) and the admin socket until
 * SIGTERM.  SIGHUP reloads the trust list; a list that does not verify, is
 * expired or rolls the sequence back is refused and the old one kept.
 *
 * Start-up failures print one line naming what is wrong and exit 1 (a
 * configuration error exits 2, like `lasterid -t`, which also runs the
 * start checks of startcheck.c).  It refuses to run as root unless given
 * --allow-root.  Once both listeners are up it tells systemd (Type=notify,
 * sd_notify READY=1), and STOPPING=1 when a stop begins.  After start-up
 * nothing a peer or admin client sends can stop the daemon.
 *
 * One daemon per database: an exclusive flock(2) on DATABASE.lock (which
 * holds the pid) is taken before the database is opened.  The highest
 * trust-list sequence accepted is kept in the database, so that a restart
 * with an older list is refused like a reload.  A list in use that passes
 * its Expires while the node runs stops it accepting peers and records and
 * delivering (node_trust_expired()), logged once at level error, until a
 * valid list arrives by SIGHUP, a file change or trust_url.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/evp.h>
#include <systemd/sd-daemon.h>
#include <openssl/x509.h>

#include "api_admin.h"
#include "api_backup.h"
#include "api_fed.h"
#include "api_log.h"
#include "api_national.h"
#include "api_query.h"
#include "api_status.h"
#include "api_units.h"
#include "api_users.h"
#include "dsig.h"
#include "outbox.h"
#include "peer.h"
#include "xml.h"
#include "conf.h"
#include "node.h"
#include "err.h"
#include "httpd.h"
#include "log.h"
#include "metrics.h"
#include "startcheck.h"
#include "store.h"
#include "store_backup.h"
#include "tlog.h"
#include "tls.h"
#include "trust.h"
#include "verifier.h"
#include "web.h"
#include "witness.h"

#define DRAIN_GRACE_SEC	10	/* longest wait for replies at SIGTERM */
#define FD_RESERVE	256	/* descriptors beside the listeners' pools
				   (database, outbox, fan-out, fetch) */
#define FD_MARGIN	64	/* connections being closed */
#define EXPIRY_CHECK_MAX 3600	/* seconds; re-armed, so clock steps heal */

/* The node is one per process (main's static struct node). */
static struct event	*ev_expiry;	/* fires when the list expires */
static int		 trust_was_expired;
static int		 lock_fd = -1;	/* holds DATABASE.lock */


static void
usage(void)
{
	fprintf(stderr, "usage: lasterid [-dtV] [-c file] [--allow-root]\n"
	    "       lasterid -P sample|man\n");
	exit(2);
}

/* "path: msg" -> "msg", so that a message does not name the file twice. */
static const char *
strip_path(const char *msg, const char *path)
{
	size_t n = strlen(path);

	if (strncmp(msg, path, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ')
		return msg + n + 2;
	return msg;
}

static void
xml_attr(const char *s, char *buf, size_t len)
{
	size_t n = 0;

	for (; *s != '\0' && n + 7 < len; s++) {
		const char *rep = *s == '<' ? "&lt;" : *s == '&' ? "&amp;" :
		    *s == '"' ? "&quot;" : *s == '>' ? "&gt;" : NULL;

		if (rep != NULL) {
			memcpy(buf + n, rep, strlen(rep));
			n += strlen(rep);
		} else
			buf[n++] = (unsigned char)*s < ' ' ? '?' : *s;
	}
	buf[n] = '\0';
}

/* Notices the list in use expiring (once, at level error) or a valid one
 * arriving after that, and arms the timer for the next expiry. */
static void
trust_expiry_check(struct node *n)
{
	struct timeval tv;
	time_t left;
	int expired = node_trust_expired(n);
	char t[32];
	struct tm tm;
	time_t x = trust_expires(n->trust);

	gmtime_r(&x, &tm);
	strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%SZ", &tm);
	metrics_set(n->metrics, M_TRUST_EXPIRED, NULL, expired);
	if (expired && !trust_was_expired)
		log_error("trust_expired", "path=%s sequence=%" PRIu64
		    " expires=%s msg=\"no peer is accepted, no record "
		    "received, issued or delivered until a valid trust list "
		    "arrives (SIGHUP, trust_url)\"", n->conf.trust_list,
		    trust_sequence(n->trust), t);
	else if (!expired && trust_was_expired) {
		log_info("trust_valid", "path=%s sequence=%" PRIu64
		    " expires=%s msg=\"serving again\"", n->conf.trust_list,
		    trust_sequence(n->trust), t);
		outbox_kick(n->outbox);
	}
	trust_was_expired = expired;
	if (ev_expiry == NULL)
		return;
	event_del(ev_expiry);
	if (expired)
		return;
	left = trust_expires(n->trust) - time(NULL);
	tv.tv_sec = left > EXPIRY_CHECK_MAX ? EXPIRY_CHECK_MAX : left;
	tv.tv_usec = 0;
	event_add(ev_expiry, &tv);
}

static void
on_expiry(evutil_socket_t fd, short what, void *arg)
{
	trust_expiry_check(arg);
}

static void
trust_publish(struct node *n)
{
	metrics_set(n->metrics, M_TRUST_SEQUENCE, NULL,
	    (double)trust_sequence(n->trust));
	metrics_set(n->metrics, M_TRUST_EXPIRY, NULL,
	    (double)trust_expires(n->trust));
}

/* Keeps the sequence of the list in use as the lowest one a restart may
 * take. */
static void
trust_seq_keep(struct node *n)
{
	struct err e;
	char q[LOG_Q_MAX];

	err_clear(&e);
	if (n->store != NULL && store_trust_seq_raise(n->store,
	    trust_instance(n->trust), trust_sequence(n->trust), &e) == -1)
		log_warnx("trust_sequence_keep", "sequence=%" PRIu64 " msg=%s",
		    trust_sequence(n->trust), log_q(e.msg, q, sizeof(q)));
}

static void
trust_stat(struct node *n, struct timespec *ts)
{
	struct stat st;

	memset(ts, 0, sizeof(*ts));
	if (stat(n->conf.trust_list, &st) == 0)
		*ts = st.st_mtim;
}

/* Loads the list again; keeps the old one when the new one is refused. */
static void
trust_reload(struct node *n, const char *why)
{
	struct trust_list *tl = NULL;
	struct verifier *v = NULL;
	struct err e;
	char q[LOG_Q_MAX];

	err_clear(&e);
	trust_stat(n, &n->trust_mtime);
	if (trust_load(n->conf.trust_list, n->anchor, n->trust, time(NULL),
	    &tl, &e) == -1 || (v = verifier_new(tl, &e)) == NULL ||
	    tls_server_set_trust(n->ctx, tl, &e) == -1 ||
	    peer_set_trust(n->peer, tl, &e) == -1) {
		verifier_free(v);
		trust_unref(tl);
		metrics_inc(n->metrics, M_TRUST_RELOADS, "result=\"refused\"");
		log_warnx("trust_reload_refused", "trigger=%s path=%s "
		    "sequence_kept=%" PRIu64 " msg=%s", why,
		    n->conf.trust_list, trust_sequence(n->trust),
		    log_q(strip_path(e.msg, n->conf.trust_list), q,
		    sizeof(q)));
		return;
	}
	trust_unref(n->trust);
	n->trust = tl;
	verifier_free(n->verifier);
	n->verifier = v;
	trust_publish(n);
	trust_seq_keep(n);
	metrics_inc(n->metrics, M_TRUST_RELOADS, "result=\"ok\"");
	log_info("trust_reloaded", "trigger=%s path=%s sequence=%" PRIu64
	    " members=%d", why, n->conf.trust_list, trust_sequence(tl),
	    trust_member_count(tl));
	if (trust_member_by_id(tl, n->conf.member_id) == NULL)
		log_warnx("trust_self_unlisted", "member=%s",
		    n->conf.member_id);
	trust_expiry_check(n);
}

/* --- handlers ----------------------------------------------------------- */

/* The health document: status is "ok" or the first problem's token, one
 * <Problem code="TOKEN">sentence</Problem> per problem (api_status.h); on
 * the federation port the sentences are api_status_public()'s. */
static void
health_doc(struct node *n, const struct httpd_peer *peer,
    const struct status_problem *pr, int np, char *buf, size_t len)
{
	char me[200], them[200], msg[1100];
	size_t off;
	int i, r;

	xml_attr(n->conf.member_id, me, sizeof(me));
	xml_attr(peer->member_id, them, sizeof(them));
	r = snprintf(buf, len, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<Health xmlns=\"urn:lasteri:1\" member=\"%s\"%s%s%s "
	    "status=\"%s\" trustSequence=\"%" PRIu64 "\" "
	    "trustExpires=\"%lld\"%s\n", me,
	    *them ? " peer=\"" : "", them, *them ? "\"" : "",
	    np == 0 ? "ok" : pr[0].token,
	    trust_sequence(n->trust), (long long)trust_expires(n->trust),
	    np == 0 ? "/>" : ">");
	off = r > 0 && (size_t)r < len ? (size_t)r : 0;
	for (i = 0; i < np && off < len; i++) {
		/* A member is told what, not the local details. */
		xml_attr(*them ? api_status_public(pr[i].token) : pr[i].msg,
		    msg, sizeof(msg));
		r = snprintf(buf + off, len - off, "  <Problem code=\"%s\">%s"
		    "</Problem>\n", pr[i].token, msg);
		if (r < 0)
			break;
		off += (size_t)r;
	}
	if (np > 0 && off < len)
		snprintf(buf + off, len - off, "</Health>\n");
}

static void
h_health(struct httpd_req *r, const struct httpd_peer *peer, void *arg)
{
	struct status_problem pr[STATUS_PROBLEMS_MAX];
	char doc[8192];
	int np;

	/* 503 while the node cannot do its job: a load balancer or monitor
	 * sees it, and the body says why. */
	np = api_status_health(arg, pr);
	health_doc(arg, peer, pr, np, doc, sizeof(doc));
	httpd_reply(r, np > 0 ? 503 : 200,
	    "application/xml; charset=utf-8", doc, strlen(doc));
}

static void
h_metrics(struct httpd_req *r, const struct httpd_peer *peer, void *arg)
{
	struct node *n = arg;
	char *text;
	size_t len;

	outbox_publish(n->outbox);
	if ((text = metrics_format(n->metrics, &len)) == NULL) {
		httpd_reply_error(r, 503, "unavailable", "out of memory");
		return;
	}
	httpd_reply(r, 200, "text/plain; version=0.0.4; charset=utf-8", text,
	    len);
	free(text);
}

/* --- signals ------------------------------------------------------------ */

static void
drained(void *arg)
{
	struct node *n = arg;
	struct timeval flush = { 0, 200000 };

	/* Replies are handed to evhttp; let their bytes leave. */
	log_info("drained", "inflight=0");
	event_base_loopexit(n->base, &flush);
}

static void
on_stop(evutil_socket_t sig, short what, void *arg)
{
	struct node *n = arg;
	struct timeval grace = { DRAIN_GRACE_SEC, 0 };

	if (n->stopping) {
		log_info("stop_now", "signal=%d", (int)sig);
		event_base_loopbreak(n->base);
		return;
	}
	n->stopping = 1;
	log_info("stopping", "signal=%d inflight=%d", (int)sig,
	    httpd_inflight(n->httpd));
	(void)sd_notifyf(0, "STOPPING=1\nSTATUS=stopping: finishing %d "
	    "requests", httpd_inflight(n->httpd));
	event_base_loopexit(n->base, &grace);
	httpd_drain(n->httpd, drained, n);
}

/* --- trust list refresh from trust_url ---------------------------------- */

#define TRUST_FETCH_MAX	(8L * 1024 * 1024)

/* Replaces path with len bytes: a temporary file, fsync, rename. */
static int
write_atomic(const char *path, const char *buf, size_t len, struct err *e)
{
	char tmp[4096];
	FILE *f;
	int ok;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.new", path) >= sizeof(tmp))
		return err_set(e, ERR_IO, "%s: path too long", path);
	if ((f = fopen(tmp, "w")) == NULL)
		return err_set(e, ERR_IO, "%s: %s", tmp, strerror(errno));
	ok = fwrite(buf, 1, len, f) == len && fflush(f) == 0 &&
	    fsync(fileno(f)) == 0;
	if (fclose(f) != 0)
		ok = 0;
	if (!ok || rename(tmp, path) == -1) {
		err_set(e, ERR_IO, "%s: %s", ok ? path : tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* A fetched list is checked like a loaded one (operator signature, expiry,
 * no rollback) before it replaces the file; then the file is reloaded. */
static void
trust_fetched(void *arg, const struct peer_result *res)
{
	struct node *n = arg;
	struct trust_list *tl = NULL;
	struct err e;
	char q[LOG_Q_MAX];

	n->trust_fetching = 0;
	err_clear(&e);
	if (res->err.code != ERR_OK || res->status != 200) {
		/* No list came: nothing was refused, the old one stays. */
		if (res->err.code != ERR_OK)
			e = res->err;
		else
			err_set(&e, ERR_IO, "%s: HTTP status %d",
			    n->conf.trust_url, res->status);
		metrics_inc(n->metrics, M_TRUST_RELOADS,
		    "result=\"fetch-failed\"");
		log_warnx("trust_fetch_failed", "url=%s sequence_kept=%"
		    PRIu64 " msg=%s", n->conf.trust_url,
		    trust_sequence(n->trust), log_q(e.msg, q, sizeof(q)));
		return;
	}
	if (trust_parse(res->body, res->len, n->conf.trust_url,
	    n->anchor, n->trust, time(NULL), &tl, &e) == 0) {
		if (trust_sequence(tl) == trust_sequence(n->trust)) {
			log_debug("trust_fetch_unchanged", "url=%s "
			    "sequence=%" PRIu64, n->conf.trust_url,
			    trust_sequence(tl));
			trust_unref(tl);
			return;
		}
		trust_unref(tl);
		if (write_atomic(n->conf.trust_list, res->body, res->len,
		    &e) == 0) {
			trust_reload(n, "url");
			return;
		}
	}
	metrics_inc(n->metrics, M_TRUST_RELOADS, "result=\"refused\"");
	log_warnx("trust_fetch_refused", "url=%s sequence_kept=%" PRIu64
	    " msg=%s", n->conf.trust_url, trust_sequence(n->trust),
	    log_q(e.msg, q, sizeof(q)));
}

static void
trust_fetch(struct node *n)
{
	struct err e;
	char q[LOG_Q_MAX];

	if (n->conf.trust_url == NULL || n->peer == NULL || n->trust_fetching)
		return;
	err_clear(&e);
	if (peer_fetch_url(n->peer, n->conf.trust_url, TRUST_FETCH_MAX,
	    n->conf.request_timeout, trust_fetched, n, &e) == -1) {
		log_warnx("trust_fetch", "url=%s msg=%s", n->conf.trust_url,
		    log_q(e.msg, q, sizeof(q)));
		return;
	}
	n->trust_fetching = 1;
}

static void
on_hup(evutil_socket_t sig, short what, void *arg)
{
	trust_reload(arg, "sighup");
	trust_fetch(arg);
}

static void
on_refresh(evutil_socket_t fd, short what, void *arg)
{
	struct node *n = arg;
	struct timespec ts;

	trust_stat(n, &ts);
	if (ts.tv_sec != n->trust_mtime.tv_sec ||
	    ts.tv_nsec != n->trust_mtime.tv_nsec)
		trust_reload(n, "file-changed");
	trust_expiry_check(n);
	trust_fetch(n);
}

/* --- start-up ----------------------------------------------------------- */

static void
check_own_cert(struct node *n)
{
	const struct trust_member *m;
	unsigned char fpr[32];
	unsigned int len = 0;
	struct err e;
	X509 *x;

	if ((m = trust_member_by_id(n->trust, n->conf.member_id)) == NULL)
		fatalx("member_id %s: not listed in the trust list %s",
		    n->conf.member_id, n->conf.trust_list);
	if ((x = tls_load_cert(n->conf.tls_cert, &e)) == NULL)
		fatalx("tls_cert %s", e.msg);
	if (X509_digest(x, EVP_sha256(), fpr, &len) != 1 || len != 32 ||
	    trust_member_by_tls_fpr_at(n->trust, fpr, time(NULL)) != m)
		log_warnx("tls_cert_unlisted", "path=%s member=%s msg=\"the "
		    "trust list holds another fingerprint for this member; "
		    "peers will refuse this node\"", n->conf.tls_cert,
		    n->conf.member_id);
	X509_free(x);
}

/* One daemon per database: DATABASE.lock, held with flock(2) for the
 * process's life, names the holder's pid.  The file stays after a stop;
 * only the lock counts. */
static void
lock_database(const char *db)
{
	char path[4096], buf[32];
	ssize_t r;
	long pid;

	if ((size_t)snprintf(path, sizeof(path), "%s.lock", db) >= sizeof(path))
		fatalx("database %s: path too long", db);
	if ((lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600)) == -1)
		fatal("database %s: cannot open the lock file %s", db, path);
	if (flock(lock_fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK)
			fatal("database %s: cannot lock %s", db, path);
		r = pread(lock_fd, buf, sizeof(buf) - 1, 0);
		buf[r > 0 ? r : 0] = '\0';
		pid = strtol(buf, NULL, 10);
		fatalx("database %s: in use by another lasterid (pid %ld, "
		    "lock %s)", db, pid, path);
	}
	r = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(lock_fd, 0) == -1 || pwrite(lock_fd, buf, (size_t)r,
	    0) != r)
		fatal("database %s: cannot write the lock file %s", db, path);
}

/* A restart must not roll back the trust list either: the database keeps
 * the highest sequence accepted (and the instance). */
static void
trust_seq_check(struct node *n)
{
	char held_inst[17];
	uint64_t held;
	struct err e;

	err_clear(&e);
	if (store_trust_seq_get(n->store, held_inst, &held, &e) == -1)
		fatalx("database %s: %s", n->conf.database,
		    strip_path(e.msg, n->conf.database));
	if (held_inst[0] != '\0' &&
	    strcmp(held_inst, trust_instance(n->trust)) != 0)
		fatalx("trust list %s: instance %s, but the database %s holds "
		    "a list of instance %s (sequence %" PRIu64 ")",
		    n->conf.trust_list, trust_instance(n->trust),
		    n->conf.database, held_inst, held);
	if (trust_sequence(n->trust) < held)
		fatalx("trust list %s: sequence %" PRIu64 " is lower than the "
		    "held %" PRIu64 " (kept in the database %s); refusing the "
		    "rollback", n->conf.trust_list, trust_sequence(n->trust),
		    held, n->conf.database);
	trust_seq_keep(n);
}

/* x's share of budget when the pools together want pools. */
static int
fit(int x, long long budget, long long pools)
{
	long long v = (long long)x * budget / pools;

	return v > 1 ? (int)v : 1;
}

/* Raises the soft descriptor limit to the hard one and fits the
 * listeners' pools in it, beside FD_RESERVE for everything else. */
static void
fd_limits(struct httpd_limits *lim)
{
	struct rlimit rl;
	long long nofile, budget, pools;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		fatal("getrlimit RLIMIT_NOFILE");
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < rl.rlim_max) {
		struct rlimit want = rl;

		want.rlim_cur = rl.rlim_max == RLIM_INFINITY ||
		    rl.rlim_max > 1048576 ? 1048576 : rl.rlim_max;
		if (want.rlim_cur > rl.rlim_cur &&
		    setrlimit(RLIMIT_NOFILE, &want) == 0)
			rl.rlim_cur = want.rlim_cur;
	}
	nofile = rl.rlim_cur == RLIM_INFINITY ? 1048576 :
	    (long long)rl.rlim_cur;
	budget = nofile - FD_RESERVE - FD_MARGIN;
	if (budget < 3)
		fatalx("the file descriptor limit (%lld) is too low: lasterid "
		    "needs at least %d", nofile, FD_RESERVE + FD_MARGIN + 3);
	pools = (long long)lim->max_connections + lim->max_handshakes +
	    lim->admin_max_connections;
	if (pools > budget) {
		lim->max_connections = fit(lim->max_connections, budget,
		    pools);
		lim->max_handshakes = fit(lim->max_handshakes, budget, pools);
		lim->admin_max_connections = fit(lim->admin_max_connections,
		    budget, pools);
		log_warnx("fd_limit_pools", "nofile=%lld max_connections=%d "
		    "max_handshakes=%d admin_max_connections=%d msg=\"the "
		    "configured pools do not fit in the descriptor limit; "
		    "reduced\"", nofile, lim->max_connections,
		    lim->max_handshakes, lim->admin_max_connections);
	}
	lim->fd_budget = lim->max_connections + lim->max_handshakes +
	    lim->admin_max_connections + FD_MARGIN;
	log_info("fd_limit", "nofile=%lld fd_budget=%d", nofile,
	    lim->fd_budget);
}

static void
start(struct node *n)
{
	struct httpd_limits lim;
	struct event_config *cfg;
	struct timeval tv;
	struct err e;
	int web_port = 0;

	err_clear(&e);
	if ((n->metrics = metrics_new()) == NULL)
		fatalx("out of memory");
	metrics_set(n->metrics, M_START_TIME, NULL, (double)time(NULL));
	if ((n->anchor = tls_load_cert(n->conf.trust_anchor, &e)) == NULL)
		fatalx("trust anchor %s", e.msg);
	trust_stat(n, &n->trust_mtime);
	if (trust_load(n->conf.trust_list, n->anchor, NULL, time(NULL),
	    &n->trust, &e) == -1)
		fatalx("trust list %s: %s", n->conf.trust_list,
		    strip_path(e.msg, n->conf.trust_list));
	trust_publish(n);
	check_own_cert(n);
	xml_init();
	if (dsig_init(&e) == -1)
		fatalx("xmlsec: %s", e.msg);
	if (dsig_key_load(n->conf.sign_key, n->conf.sign_cert, &n->sign_key,
	    &e) == -1)
		fatalx("sign_key %s", e.msg);
	if ((n->verifier = verifier_new(n->trust, &e)) == NULL)
		fatalx("trust list %s: %s", n->conf.trust_list, e.msg);
	lock_database(n->conf.database);
	if (store_open(n->conf.database, STORE_CREATE, &n->store, &e) == -1)
		fatalx("database %s: %s", n->conf.database,
		    strip_path(e.msg, n->conf.database));
	/* A damaged file is refused before anything reads or writes it. */
	if (store_integrity(n->store, 1, &e) == -1)
		fatalx("database %s: %s; refusing to start (lasteri check "
		    "--db, lasteri restore)", n->conf.database,
		    strip_path(e.msg, n->conf.database));
	api_status_check_note(time(NULL), "quick", "ok");
	trust_seq_check(n);
	/* The log must match what this node signed before anything is
	 * served from it or appended to it. */
	if (tlog_verify(n->store, n->verifier, n->conf.member_id, time(NULL),
	    &e) == -1)
		fatalx("transparency log of %s: %s; refusing to start",
		    n->conf.database, strip_path(e.msg, n->conf.database));

	/* A changelist halves the epoll calls per request. */
	if ((cfg = event_config_new()) == NULL ||
	    event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST) ==
	    -1 || (n->base = event_base_new_with_config(cfg)) == NULL)
		fatalx("cannot make the event base");
	event_config_free(cfg);

	if ((n->ctx = tls_server_new(n->conf.tls_cert, n->conf.tls_key,
	    n->metrics, &e)) == NULL)
		fatalx("tls: %s", e.msg);
	if (tls_server_set_trust(n->ctx, n->trust, &e) == -1)
		fatalx("trust list %s: %s", n->conf.trust_list, e.msg);

	lim.body_max = (size_t)n->conf.body_max;
	lim.admin_body_max = (size_t)n->conf.admin_body_max;
	lim.header_max = (size_t)n->conf.header_max;
	lim.request_timeout_ms = n->conf.request_timeout;
	lim.idle_timeout_ms = n->conf.idle_timeout;
	lim.max_connections = (int)n->conf.max_connections;
	lim.handshake_timeout_ms = n->conf.handshake_timeout;
	lim.max_handshakes = (int)n->conf.max_handshakes;
	lim.max_handshakes_per_address =
	    (int)n->conf.max_handshakes_per_address;
	lim.admin_max_connections = (int)n->conf.admin_max_connections;
	lim.admin_header_timeout_ms = n->conf.admin_header_timeout;
	lim.admin_body_timeout_ms = n->conf.admin_body_timeout;
	lim.web_max_connections = (int)n->conf.web_max_connections;
	fd_limits(&lim);
	if ((n->httpd = httpd_new(n->base, &lim, n->ctx, n->metrics, &e)) ==
	    NULL ||
	    httpd_route(n->httpd, HTTPD_FEDERATION, HTTPD_GET, "/v1/health",
	    h_health, n, &e) == -1 ||
	    httpd_route(n->httpd, HTTPD_ADMIN, HTTPD_GET, "/health",
	    h_health, n, &e) == -1 ||
	    httpd_route(n->httpd, HTTPD_ADMIN, HTTPD_GET, "/metrics",
	    h_metrics, n, &e) == -1)
		fatalx("http: %s", e.msg);
	/* Before any worker thread: web_i18n_init() sets LANGUAGE. */
	if (web_start(n, &web_port, &e) == -1)
		fatalx("[web] %s", e.msg);
	if (api_admin_register(n, &e) == -1 ||
	    api_users_register(n, &e) == -1 ||
	    api_units_register(n, &e) == -1)
		fatalx("admin api: %s", e.msg);
	if ((n->peer = peer_new(n->base, n->conf.tls_cert, n->conf.tls_key,
	    &e)) == NULL || peer_set_trust(n->peer, n->trust, &e) == -1 ||
	    peer_set_resolve(n->peer, n->conf.resolve, &e) == -1 ||
	    api_fed_register(n, &e) == -1 || api_records_register(n, &e) == -1 ||
	    api_query_register(n, &e) == -1 ||
	    api_national_register(n, &e) == -1 ||
	    (n->outbox = outbox_new(n, &e)) == NULL)
		fatalx("records: %s", e.msg);
	if (api_backup_register(n, &e) == -1 ||
	    api_status_register(n, &e) == -1)
		fatalx("backup api: %s", e.msg);
	if (tlog_start(n, &e) == -1 || api_log_register(n, &e) == -1)
		fatalx("transparency log of %s: %s", n->conf.database, e.msg);
	if (witness_start(n, &e) == -1)
		fatalx("witness: %s", e.msg);
	if (httpd_listen_tls(n->httpd, n->conf.listen.host,
	    n->conf.listen.port, &n->port, &e) == -1)
		fatalx("listen %s: %s", n->conf.listen.text, e.msg);
	if (httpd_listen_unix(n->httpd, n->conf.admin_socket, &e) == -1)
		fatalx("admin_socket %s", e.msg);

	if ((n->ev_term = evsignal_new(n->base, SIGTERM, on_stop, n)) ==
	    NULL || (n->ev_int = evsignal_new(n->base, SIGINT, on_stop, n)) ==
	    NULL || (n->ev_hup = evsignal_new(n->base, SIGHUP, on_hup, n)) ==
	    NULL || (n->ev_refresh = event_new(n->base, -1, EV_PERSIST,
	    on_refresh, n)) == NULL ||
	    (ev_expiry = evtimer_new(n->base, on_expiry, n)) == NULL)
		fatalx("cannot make the signal events");
	tv.tv_sec = n->conf.trust_refresh / 1000;
	tv.tv_usec = (n->conf.trust_refresh % 1000) * 1000;
	if (evsignal_add(n->ev_term, NULL) == -1 ||
	    evsignal_add(n->ev_int, NULL) == -1 ||
	    evsignal_add(n->ev_hup, NULL) == -1 ||
	    event_add(n->ev_refresh, &tv) == -1)
		fatalx("cannot add the signal events");
	trust_expiry_check(n);
	trust_fetch(n);		/* a newer list may be out already */
}

static void
stop(struct node *n)
{
	if (n->ev_term != NULL)
		event_free(n->ev_term);
	if (n->ev_int != NULL)
		event_free(n->ev_int);
	if (n->ev_hup != NULL)
		event_free(n->ev_hup);
	if (n->ev_refresh != NULL)
		event_free(n->ev_refresh);
	if (ev_expiry != NULL)
		event_free(ev_expiry);
	ev_expiry = NULL;
	peer_free(n->peer);		/* no delivery calls back after this */
	outbox_free(n->outbox);
	api_backup_free(n);	/* its worker answers through httpd */
	httpd_free(n->httpd);
	web_free(n);		/* after the connections; its event is on base */
	tls_server_free(n->ctx);
	api_admin_free(n);	/* its worker's wake-up event is on base */
	api_fed_free(n);
	api_query_free(n);	/* pending log rows; its timer is on base */
	api_national_free(n);	/* finished queries; its timer is on base */
	tlog_free(n);		/* its timer is on base */
	witness_free(n);	/* after peer_free: no answer calls back */
	if (n->base != NULL)
		event_base_free(n->base);
	store_close(n->store);
	n->store = NULL;
	if (lock_fd != -1)
		close(lock_fd);		/* the lock goes with it */
	lock_fd = -1;
	verifier_free(n->verifier);
	dsig_key_free(n->sign_key);
	trust_unref(n->trust);
	X509_free(n->anchor);
	metrics_free(n->metrics);
	conf_free(&n->conf);
}

/* Tells systemd (Type=notify) that the listeners are up; nothing when
 * NOTIFY_SOCKET is not set. */
static void
notify_ready(struct node *n)
{
	int r;

	r = sd_notifyf(0, "READY=1\nSTATUS=serving member %s on %s:%d, "
	    "admin socket %s", n->conf.member_id, n->conf.listen.host, n->port,
	    n->conf.admin_socket);
	if (r < 0)
		log_warnx("sd_notify", "msg=\"%s\"", strerror(-r));
}

/* Start-up refuses root: the node needs no privilege (keys readable by its
 * own user, a port above 1023 or a socket systemd hands over). */
static void
refuse_root(int allow_root)
{
	if (geteuid() == 0 && !allow_root) {
		fprintf(stderr, "lasterid: refusing to run as root (run as the "
		    "lasteri user, as lasterid.service does; --allow-root "
		    "overrides)\n");
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	static struct node n;
	static const struct option longopts[] = {
		{ "allow-root", no_argument, NULL, 'R' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *file = CONF_FILE_DEFAULT, *print = NULL;
	int ch, check = 0, debug = 0, allow_root = 0;
	struct err e;

	/*
	 * No fastbins (glibc): a node frees whole XML trees, thousands of
	 * small blocks, per request; in fastbins they wait for the next large
	 * allocation, which then sorts them all at once (malloc_consolidate:
	 * 4.9 % of an asking node's CPU, at the start of the next national
	 * query's read).  Freed blocks still go to the per-thread tcache
	 * first; malloc and free together went from 18 % to 15 % of its CPU.
	 */
	mallopt(M_MXFAST, 0);
	log_init("lasterid", LOG_LVL_INFO, NULL);
	while ((ch = getopt_long(argc, argv, "c:dtP:V", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'c':
			file = optarg;
			break;
		case 'd':
			debug = 1;
			break;
		case 't':
			check = 1;
			break;
		case 'P':
			print = optarg;
			break;
		case 'R':
			allow_root = 1;
			break;
		case 'V':
			printf("lasterid %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (print != NULL) {
		if (strcmp(print, "sample") == 0)
			conf_write_sample(stdout);
		else if (strcmp(print, "man") == 0)
			conf_write_man(stdout);
		else
			usage();
		return 0;
	}
	if (!check)
		refuse_root(allow_root);
	err_clear(&e);
	if (conf_load(file, &n.conf, &e) == -1) {
		fprintf(stderr, "lasterid: %s\n", e.msg);
		conf_free(&n.conf);
		return 2;
	}
	if (check) {
		int problems = startcheck_run(&n.conf, time(NULL), stderr);

		if (problems == 0)
			fprintf(stderr, "lasterid: %s: configuration OK\n",
			    file);
		else
			fprintf(stderr, "lasterid: %s: %d problem%s; the node "
			    "would not start or would be refused by its "
			    "peers\n", file, problems, problems == 1 ? "" :
			    "s");
		conf_free(&n.conf);
		return problems == 0 ? 0 : 2;
	}
	if (debug || n.conf.log_debug)
		log_set_level(LOG_LVL_DEBUG);
	signal(SIGPIPE, SIG_IGN);

	start(&n);
	log_info("start", "version=%s member=%s listen=%s:%d admin=%s "
	    "trust_sequence=%" PRIu64 " database=%s", PACKAGE_VERSION,
	    n.conf.member_id, n.conf.listen.host, n.port,
	    n.conf.admin_socket, trust_sequence(n.trust), n.conf.database);
	notify_ready(&n);
	if (event_base_dispatch(n.base) == -1)
		log_warnx("event_loop", "msg=\"event_base_dispatch failed\"");
	log_info("stop", "member=%s", n.conf.member_id);
	stop(&n);
	return 0;
}
