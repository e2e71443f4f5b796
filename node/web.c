/*
 * web.c - the web service's frame (see web.h): the listener, sign-in,
 * sessions, CSRF, throttling, the page's frame and headers, the audit
 * trail.
 *
 * Sign-in with a password: the account is read on the loop, the Argon2id
 * check (tens of milliseconds, 19 MiB) runs in a short worker thread that
 * hands the result back through a pipe, so the loop never waits for it;
 * at most WEB_JOBS_MAX run at once (more: "busy, try again").  For an
 * unknown or disabled account the worker hashes the password given, so
 * its answer takes as long.  Failures are counted per account and per client address
 * (THR_*): past the limit, sign-in is refused for a while without a check.
 *
 * Sessions live in this process (a restart signs everyone out): a random
 * 256-bit token in a cookie (HttpOnly, SameSite=Strict, Secure unless tls
 * = no), of which only the SHA-256 is kept; each has its own CSRF token
 * that every form carries and every POST must send back.  A session ends
 * session_idle after its last use, session_max after sign-in, or at
 * sign-out.  The sign-in form, before any session, carries a token that
 * must match a cookie set with it (double submit).
 *
 * With auth = proxy, the region's reverse proxy has signed the person in
 * (SSO): a request from one of proxy_addresses carries the user, the role
 * and a provider's business ID in configured headers, and gets a session
 * (cookie, CSRF token) like a password sign-in; from any other address the
 * headers are not believed and the request is refused.
 *
 * Every page gets Content-Security-Policy default-src 'self' (no inline
 * script or style), X-Content-Type-Options, Referrer-Policy, frame denial,
 * and with TLS, HSTS.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <event2/event.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "account.h"
#include "conf.h"
#include "hex.h"
#include "html.h"
#include "httpd.h"
#include "log.h"
#include "node.h"
#include "store.h"
#include "store_account.h"
#include "tls.h"
#include "trust.h"
#include "vocab.h"
#include "web.h"
#include "web_internal.h"

#define WEB_SESSIONS_MAX	4096
#define WEB_ROUTES_MAX		24
#define WEB_JOBS_MAX		4	/* Argon2id checks at once */
#define THR_MAX			2048	/* throttle entries */
#define THR_WINDOW		(15 * 60)	/* failures counted over, s */
#define THR_ACCOUNT_FREE	5	/* failures before an account waits */
#define THR_ADDR_FREE		20	/* ... before an address waits */
#define THR_WAIT_MIN		60	/* first wait, s; doubles */
#define THR_WAIT_MAX		(60 * 60)
#define COOKIE_SESSION		"lasteri_session"	/* __Host- when secure */
#define COOKIE_PRE		"lasteri_pre"
#define COOKIE_LANG		"lasteri_lang"
#define FORM_MAX		(256 * 1024)
#define AUDIT_QUEUE_MAX		256	/* audit rows waiting for their write */
#define AUDIT_FLUSH_MS		100
#define PROXY_SECRET_HEADER	"X-Lasteri-Proxy-Secret"

static const struct timeval audit_tv = { 0, AUDIT_FLUSH_MS * 1000 };

extern const char web_css[];

struct web_route {
	struct web	*w;
	char		 path[32];
	unsigned	 methods;
	unsigned	 roles;
	web_page_fn	*fn;
};

struct throttle {
	char		 key[ACCOUNT_NAME_MAX + 8];	/* "a:NAME", "i:ADDR" */
	int		 fails;
	int		 audited;	/* this wait's refusal is in the trail */
	time_t		 first;		/* of the window */
	time_t		 until;		/* refused before */
	time_t		 used;
};

struct job {
	struct wreq	*q;
	pthread_t	 th;
	int		 fd;		/* the pipe's write end */
	char		 hash[ACCOUNT_HASH_MAX];
	char		 pw[ACCOUNT_PW_MAX + 1];
	char		 name[ACCOUNT_NAME_MAX + 1];
	char		 next[256];
	struct account	 acct;
	int		 found;		/* an enabled account */
	int		 ok;
};

struct audit_row {
	int64_t		 at;
	char		 account[ACCOUNT_NAME_MAX + 1];
	char		 addr[48];
	char		 action[WEB_AUDIT_ACTION_MAX];
	char		 detail[WEB_AUDIT_DETAIL_MAX];
};

struct web {
	struct node		*n;
	struct audit_row	 audit[AUDIT_QUEUE_MAX];
	int			 naudit;
	struct event		*audit_ev;
	struct web_route	 routes[WEB_ROUTES_MAX];
	int			 nroutes;
	struct web_session	 sessions[WEB_SESSIONS_MAX];
	struct throttle		 thr[THR_MAX];
	int			 pipe[2];
	struct event		*job_ev;
	int			 njobs;
	int			 secure;	/* Secure, __Host- cookies */
	int			 hsts;		/* tls on */
	int			 proxy;		/* auth = proxy */
};

/* --- small things ----------------------------------------------------------- */

static int
random_token(char out[WEB_TOKEN_HEX])
{
	unsigned char b[32];

	if (RAND_bytes(b, sizeof(b)) != 1)
		return -1;
	hex_encode(b, sizeof(b), out);
	return 0;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *
web_form(const struct wreq *q, const char *name, int i)
{
	const char *p = q->form, *end = q->form + q->formlen, *v;

	while (p != NULL && p < end) {
		v = p + strlen(p) + 1;
		if (v >= end)
			break;
		if (strcmp(p, name) == 0 && i-- == 0)
			return v;
		p = v + strlen(v) + 1;
	}
	return NULL;
}

static int
is_multipart(struct httpd_req *r)
{
	const char *ct = httpd_req_header(r, "Content-Type");

	return ct != NULL && strncasecmp(ct, "multipart/form-data", 19) == 0;
}

int
web_multipart_file(struct wreq *q, const char *name, const unsigned char **p,
    size_t *len)
{
	const char *ct = httpd_req_header(q->r, "Content-Type"), *b;
	const unsigned char *body, *end, *part, *hend, *next;
	char delim[80], want[80];
	size_t blen, dlen, n;

	if (ct == NULL || (b = strstr(ct, "boundary=")) == NULL)
		return -1;
	b += strlen("boundary=");
	if (*b == '"')
		b++;
	n = strcspn(b, "\";, ");
	if (n == 0 || n > 70)
		return -1;
	dlen = (size_t)snprintf(delim, sizeof(delim), "\r\n--%.*s", (int)n, b);
	snprintf(want, sizeof(want), "name=\"%s\"", name);
	body = httpd_req_body(q->r, &blen);
	end = body + blen;
	/* The first delimiter has no CRLF before it. */
	if (blen < dlen - 2 || memcmp(body, delim + 2, dlen - 2) != 0)
		return -1;
	part = body + dlen - 2;
	while (part < end) {
		if (end - part >= 2 && part[0] == '-' && part[1] == '-')
			return -1;		/* the closing delimiter */
		if ((hend = memmem(part, (size_t)(end - part), "\r\n\r\n", 4)) ==
		    NULL)
			return -1;
		if ((next = memmem(hend + 4, (size_t)(end - hend - 4), delim,
		    dlen)) == NULL)
			return -1;
		if (memmem(part, (size_t)(hend - part), want, strlen(want)) !=
		    NULL) {
			*p = hend + 4;
			*len = (size_t)(next - (hend + 4));
			return 0;
		}
		part = next + dlen;
	}
	return -1;
}

/* A cookie's name: with the __Host- prefix when Secure (a browser then
 * takes it only from this host, over HTTPS, for all its paths, so a
 * sibling subdomain cannot plant one). */
static const char *
cookie_name(const struct web *w, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", w->secure ? "__Host-" : "", name);
	return buf;
}

/* The value of cookie name in the request (copied into buf), or NULL. */
static const char *
cookie(const struct web *w, struct httpd_req *r, const char *name, char *buf,
    size_t len)
{
	const char *h = httpd_req_header(r, "Cookie"), *p, *e;
	char nb[64];
	size_t nl, vl;

	name = cookie_name(w, name, nb, sizeof(nb));
	nl = strlen(name);

	if (h == NULL)
		return NULL;
	for (p = h; *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		while (*p == ' ')
			p++;
		if ((e = strchr(p, ';')) == NULL)
			e = p + strlen(p);
		if ((size_t)(e - p) > nl && strncmp(p, name, nl) == 0 &&
		    p[nl] == '=') {
			vl = (size_t)(e - p) - nl - 1;
			if (vl >= len)
				return NULL;
			memcpy(buf, p + nl + 1, vl);
			buf[vl] = '\0';
			return buf;
		}
	}
	return NULL;
}

static void
set_cookie(struct wreq *q, const char *name, const char *value, int http_only,
    long max_age)
{
	char c[256], nb[64];

	name = cookie_name(q->w, name, nb, sizeof(nb));
	snprintf(c, sizeof(c), "%s=%s; Path=/;%s SameSite=Strict%s%s", name,
	    value, http_only ? " HttpOnly;" : "", q->w->secure ? "; Secure" :
	    "", max_age >= 0 ? (max_age == 0 ? "; Max-Age=0" :
	    "; Max-Age=31536000") : "");
	httpd_req_reply_header(q->r, "Set-Cookie", c);
}

const char *
web_region(const struct wreq *q)
{
	const struct trust_member *m;

	if (q->n->trust == NULL || (m = trust_member_by_id(q->n->trust,
	    q->n->conf.member_id)) == NULL || !(m->roles & TRUST_ROLE_REGION))
		return "";
	return m->region;
}

void
web_age(struct wreq *q, time_t t)
{
	time_t now = time(NULL);
	long d;

	if (t <= 0) {
		html_text(&q->h, _("never updated"));
		return;
	}
	d = (long)(now - t);
	if (d < 3600)
		html_text(&q->h, _("updated less than an hour ago"));
	else if (d < 86400)
		html_f(&q->h, dngettext("lasteri", "updated %ld hour ago",
		    "updated %ld hours ago", (unsigned long)(d / 3600)),
		    d / 3600);
	else
		html_f(&q->h, dngettext("lasteri", "updated %ld day ago",
		    "updated %ld days ago", (unsigned long)(d / 86400)),
		    d / 86400);
}

/* Writes the queued audit rows in one transaction (one fsync for all the
 * pages of the last AUDIT_FLUSH_MS).  While the store cannot take them (an
 * import holds its write lock) they wait for the next turn; past
 * AUDIT_QUEUE_MAX the oldest goes to the log only, never silently. */
static void
audit_flush(struct web *w)
{
	struct store *st = w->n->store;
	struct audit_row *a;
	struct err e;
	int i;

	if (w->naudit == 0)
		return;
	err_clear(&e);
	if (store_begin(st, &e) == -1)
		goto failed;
	for (i = 0; i < w->naudit; i++) {
		a = &w->audit[i];
		if (store_web_audit_add(st, a->at, a->account[0] ? a->account :
		    NULL, a->addr, a->action, a->detail, NULL, &e) == -1) {
			store_rollback(st);
			goto failed;
		}
	}
	if (store_commit(st, &e) == -1) {
		store_rollback(st);
		goto failed;
	}
	w->naudit = 0;
	return;
failed:
	log_warnx("web_audit_failed", "rows=%d msg=\"%s\" (kept for the next "
	    "try)", w->naudit, e.msg);
	evtimer_add(w->audit_ev, &audit_tv);
}

void
web_audit_flush(struct web *w)
{
	evtimer_del(w->audit_ev);
	audit_flush(w);
}

static void
audit_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	audit_flush(arg);
}

static void
audit_as(struct web *w, const char *account, const char *ip,
    const char *action, const char *detail)
{
	struct audit_row *a;

	if (w->naudit == AUDIT_QUEUE_MAX) {
		audit_flush(w);
		if (w->naudit == AUDIT_QUEUE_MAX) {
			a = &w->audit[0];
			log_warnx("web_audit_dropped", "at=%lld account=%s "
			    "addr=%s action=%s detail=\"%s\"",
			    (long long)a->at, a->account, a->addr, a->action,
			    a->detail);
			memmove(&w->audit[0], &w->audit[1],
			    (AUDIT_QUEUE_MAX - 1) * sizeof(w->audit[0]));
			w->naudit--;
		}
	}
	a = &w->audit[w->naudit++];
	a->at = now_ms();
	snprintf(a->account, sizeof(a->account), "%s", account != NULL ?
	    account : "");
	snprintf(a->addr, sizeof(a->addr), "%s", ip != NULL ? ip : "");
	snprintf(a->action, sizeof(a->action), "%s", action);
	snprintf(a->detail, sizeof(a->detail), "%s", detail != NULL ? detail :
	    "");
	if (w->naudit == 1)
		evtimer_add(w->audit_ev, &audit_tv);
}

void
web_audit(struct wreq *q, const char *action, const char *fmt, ...)
{
	char detail[WEB_AUDIT_DETAIL_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	audit_as(q->w, q->s != NULL ? q->s->account : NULL, q->ip, action,
	    detail);
}

/* --- sessions ----------------------------------------------------------------- */

static void
session_key(const char *token, unsigned char key[32])
{
	EVP_Digest(token, strlen(token), key, NULL, EVP_sha256(), NULL);
}

static int
session_live(struct web *w, struct web_session *s, time_t now)
{
	if (!s->in_use)
		return 0;
	if (now - s->used > w->n->conf.web_session_idle / 1000 ||
	    now - s->created > w->n->conf.web_session_max / 1000) {
		memset(s, 0, sizeof(*s));
		return 0;
	}
	return 1;
}

static struct web_session *
session_find(struct web *w, struct httpd_req *r)
{
	char tok[WEB_TOKEN_HEX + 8];
	unsigned char key[32];
	time_t now = time(NULL);
	int i;

	if (cookie(w, r, COOKIE_SESSION, tok, sizeof(tok)) == NULL ||
	    strlen(tok) != WEB_TOKEN_HEX - 1)
		return NULL;
	session_key(tok, key);
	for (i = 0; i < WEB_SESSIONS_MAX; i++)
		if (w->sessions[i].in_use &&
		    CRYPTO_memcmp(w->sessions[i].key, key, 32) == 0)
			return session_live(w, &w->sessions[i], now) ?
			    &w->sessions[i] : NULL;
	return NULL;
}

/* A new session for the account (its cookie set on q's reply); NULL when
 * out of randomness. */
static struct web_session *
session_new(struct wreq *q, const char *account, enum account_role role,
    const char *bid)
{
	struct web *w = q->w;
	struct web_session *s = NULL;
	char tok[WEB_TOKEN_HEX];
	time_t now = time(NULL), oldest = 0;
	int i;

	for (i = 0; i < WEB_SESSIONS_MAX; i++) {
		if (!session_live(w, &w->sessions[i], now)) {
			s = &w->sessions[i];
			break;
		}
		if (s == NULL || w->sessions[i].used < oldest) {
			s = &w->sessions[i];
			oldest = s->used;
		}
	}
	memset(s, 0, sizeof(*s));
	if (random_token(tok) == -1 || random_token(s->csrf) == -1)
		return NULL;
	session_key(tok, s->key);
	snprintf(s->account, sizeof(s->account), "%s", account);
	s->role = role;
	snprintf(s->business_id, sizeof(s->business_id), "%s", bid != NULL ?
	    bid : "");
	s->created = s->used = now;
	s->in_use = 1;
	set_cookie(q, COOKIE_SESSION, tok, 1, -1);
	OPENSSL_cleanse(tok, sizeof(tok));
	return s;
}

/* A password session holds while its account does: still there, enabled,
 * with the role and business ID it signed in with, and no password set
 * since.  Otherwise it ends here (a disabled account is out at its next
 * request, not at the end of its session). */
static void
session_recheck(struct wreq *q)
{
	struct web_session *s = q->s;
	struct account a;
	const char *why = NULL;
	struct err e;

	err_clear(&e);
	if (store_account_get(q->n->store, s->account, &a, &e) == -1)
		why = e.code == ERR_NOTFOUND ? "no such account" : NULL;
	else if (a.disabled)
		why = "disabled";
	else if (a.role != s->role || strcmp(a.business_id,
	    s->business_id) != 0)
		why = "role changed";
	else if (a.pw_changed > s->created)
		why = "password changed";
	if (why == NULL && e.code != ERR_OK && e.code != ERR_NOTFOUND) {
		log_warnx("web_account_read", "account=%s msg=\"%s\"",
		    s->account, e.msg);
		why = "account unreadable";
	}
	if (why == NULL)
		return;
	log_info("web_session_ended", "account=%s reason=\"%s\"", s->account,
	    why);
	memset(s, 0, sizeof(*s));
	q->s = NULL;
}

/* --- throttling ----------------------------------------------------------------- */

static struct throttle *
thr_get(struct web *w, const char *kind, const char *what, int make)
{
	char key[sizeof(w->thr[0].key)];
	struct throttle *t, *victim = NULL;
	time_t now = time(NULL);
	int i;

	snprintf(key, sizeof(key), "%s:%s", kind, what);
	for (i = 0; i < THR_MAX; i++) {
		t = &w->thr[i];
		if (t->key[0] != '\0' && strcmp(t->key, key) == 0)
			return t;
		/* Room: an empty entry, else the least recently used one
		 * that is not waiting; one that waits is never pushed out
		 * (that would give its account free guesses again). */
		if (t->until > now)
			continue;
		if (victim == NULL || t->key[0] == '\0' ||
		    (victim->key[0] != '\0' && t->used < victim->used))
			victim = t;
	}
	if (!make || victim == NULL)
		return NULL;
	memset(victim, 0, sizeof(*victim));
	snprintf(victim->key, sizeof(victim->key), "%s", key);
	victim->first = victim->used = now;
	return victim;
}

/* Seconds to wait before kind:what may try again; 0 now. */
static long
thr_wait(struct web *w, const char *kind, const char *what)
{
	struct throttle *t = thr_get(w, kind, what, 0);
	time_t now = time(NULL);

	return t != NULL && t->until > now ? (long)(t->until - now) : 0;
}

static void
thr_fail(struct web *w, const char *kind, const char *what, int free_fails)
{
	struct throttle *t = thr_get(w, kind, what, 1);
	time_t now = time(NULL);
	long wait;
	int over;

	if (t == NULL)
		return;		/* every entry waits already */

	if (now - t->first > THR_WINDOW && t->until <= now) {
		t->fails = 0;
		t->first = now;
	}
	t->fails++;
	t->used = now;
	if ((over = t->fails - free_fails) > 0) {
		wait = THR_WAIT_MIN;
		while (--over > 0 && wait < THR_WAIT_MAX)
			wait *= 2;
		if (wait > THR_WAIT_MAX)
			wait = THR_WAIT_MAX;
		t->until = now + wait;
		t->audited = 0;
	}
}

static void
thr_ok(struct web *w, const char *kind, const char *what)
{
	struct throttle *t = thr_get(w, kind, what, 0);

	if (t != NULL)
		memset(t, 0, sizeof(*t));
}

/* --- replies ---------------------------------------------------------------- */

void
web_wreq_free(struct wreq *q)
{
	if (q == NULL)
		return;
	html_clear(&q->h);
	if (q->form != NULL) {
		OPENSSL_cleanse(q->form, q->formlen);
		free(q->form);
	}
	free(q);
}

static void
security_headers(struct wreq *q)
{
	httpd_req_reply_header(q->r, "Content-Security-Policy",
	    "default-src 'self'; frame-ancestors 'none'; form-action 'self'; "
	    "base-uri 'none'; object-src 'none'");
	httpd_req_reply_header(q->r, "X-Content-Type-Options", "nosniff");
	httpd_req_reply_header(q->r, "Referrer-Policy", "no-referrer");
	httpd_req_reply_header(q->r, "X-Frame-Options", "DENY");
	httpd_req_reply_header(q->r, "Cross-Origin-Opener-Policy",
	    "same-origin");
	if (q->w->hsts)
		httpd_req_reply_header(q->r, "Strict-Transport-Security",
		    "max-age=31536000");
}

void
web_reply_raw(struct wreq *q, int status, const char *type,
    const char *disposition)
{
	web_lang_end();
	security_headers(q);
	if (disposition != NULL)
		httpd_req_reply_header(q->r, "Content-Disposition",
		    disposition);
	if (q->h.oom)
		httpd_reply(q->r, 503, "text/plain; charset=utf-8",
		    "out of memory\n", 14);
	else
		httpd_reply(q->r, status, type, q->h.p != NULL ? q->h.p : "",
		    q->h.len);
	web_wreq_free(q);
}

void
web_redirect(struct wreq *q, const char *path)
{
	web_lang_end();
	security_headers(q);
	httpd_req_reply_header(q->r, "Location", path);
	httpd_reply(q->r, 303, "text/html; charset=utf-8", NULL, 0);
	web_wreq_free(q);
}

void
web_csrf_field(struct wreq *q)
{
	if (q->s != NULL)
		html_f(&q->h, "<input type=\"hidden\" name=\"csrf\" "
		    "value=\"%s\">", q->s->csrf);
}

static const char *
role_label(enum account_role r)
{
	switch (r) {
	case ACCOUNT_SOCIAL_WORKER:
		return _("social worker");
	case ACCOUNT_SUPERVISOR:
		return _("supervisor");
	case ACCOUNT_PROVIDER:
		return _("provider");
	case ACCOUNT_ADMIN:
		return _("region admin");
	}
	return "";
}

static void
nav_link(struct wreq *q, const char *path, const char *label)
{
	const char *cur = httpd_req_path(q->r);
	size_t n = strlen(path);

	if (strcmp(cur, path) == 0 || (strncmp(cur, path, n) == 0 &&
	    cur[n] == '/'))
		html_f(&q->h, "<li><a href=\"%s\" aria-current=\"page\">%s"
		    "</a></li>", path, label);
	else
		html_f(&q->h, "<li><a href=\"%s\">%s</a></li>", path, label);
}

void
web_page_begin(struct wreq *q, const char *title)
{
	static const char *const names[LANG_COUNT] = { "Suomeksi",
	    "På svenska", "In English" };
	const char *back = httpd_req_path(q->r);
	char back_q[1024];
	unsigned roles = q->s != NULL ? 1u << q->s->role : 0;
	int i;

	html_f(&q->h, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n"
	    "<title>%s – Lasteri</title>\n<link rel=\"stylesheet\" "
	    "href=\"/static/lasteri.css\">\n</head>\n<body>\n"
	    "<a class=\"skip\" href=\"#main\">%s</a>\n<header>\n"
	    "<p class=\"brand\"><a href=\"/\">Lasteri</a> <span>%s</span></p>\n",
	    web_lang_code(q->lang), title, _("Skip to content"),
	    _("substitute care units"));
	if (q->s != NULL) {
		html_f(&q->h, "<nav aria-label=\"%s\"><ul>", _("Main"));
		if (roles & R_SEARCH)
			nav_link(q, "/search", _("Placement search"));
		if (roles & R_SUP)
			nav_link(q, "/supervision", _("Supervision"));
		if (roles & R_SEARCH)
			nav_link(q, "/stats", _("Statistics"));
		if (roles & R_PROV)
			nav_link(q, "/provider", _("My units"));
		if (roles & R_ADMIN)
			nav_link(q, "/admin", _("Administration"));
		html_raw(&q->h, "</ul></nav>\n");
		html_f(&q->h, "<form class=\"signout\" method=\"post\" "
		    "action=\"/logout\"><p>%s <strong>%s</strong> (%s) ",
		    _("Signed in as"), q->s->account, role_label(q->s->role));
		web_csrf_field(q);
		html_f(&q->h, "<button type=\"submit\">%s</button></p></form>\n",
		    _("Sign out"));
	}
	/* The languages: the same page in another one. */
	back_q[0] = '\0';
	if (httpd_req_method(q->r) == HTTPD_GET && httpd_req_query_string(q->r)
	    != NULL)
		snprintf(back_q, sizeof(back_q), "?%s",
		    httpd_req_query_string(q->r));
	html_f(&q->h, "<nav aria-label=\"%s\" class=\"lang\"><ul>",
	    _("Language"));
	for (i = 0; i < LANG_COUNT; i++) {
		if ((int)q->lang == i) {
			html_f(&q->h, "<li><span lang=\"%s\" "
			    "aria-current=\"true\">%s</span></li>",
			    web_lang_code((enum web_lang)i), names[i]);
			continue;
		}
		html_f(&q->h, "<li><a lang=\"%s\" hreflang=\"%s\" "
		    "href=\"/lang?to=%s&amp;back=%u%u\">%s</a></li>",
		    web_lang_code((enum web_lang)i),
		    web_lang_code((enum web_lang)i),
		    web_lang_code((enum web_lang)i), back, back_q, names[i]);
	}
	html_f(&q->h, "</ul></nav>\n</header>\n<main id=\"main\">\n"
	    "<h1>%s</h1>\n", title);
}

void
web_page_end(struct wreq *q, int status)
{
	const struct trust_member *m = NULL;

	if (q->n->trust != NULL)
		m = trust_member_by_id(q->n->trust, q->n->conf.member_id);
	html_f(&q->h, "</main>\n<footer><p>%s: %s</p></footer>\n"
	    "</body>\n</html>\n", _("Node"), m != NULL ? m->name :
	    q->n->conf.member_id);
	web_reply_raw(q, status, "text/html; charset=utf-8", NULL);
}

void
web_page_message(struct wreq *q, int status, const char *title,
    const char *msg)
{
	web_page_begin(q, title);
	html_f(&q->h, "<p class=\"%s\" role=\"%s\">%s</p>\n",
	    status >= 400 ? "error" : "note", status >= 400 ? "alert" :
	    "status", msg);
	web_page_end(q, status);
}

/* --- sign-in ---------------------------------------------------------------- */

static void
login_form(struct wreq *q, int status, const char *msg, const char *name,
    const char *next)
{
	const char *reason = status == 429 ? "throttled" : status == 401 ?
	    "wrong" : status == 503 ? "busy" : "missing";

	char pre[WEB_TOKEN_HEX];

	if (random_token(pre) == -1) {
		web_page_message(q, 503, _("Sign in"), _("The service cannot "
		    "make a secure token now. Try again."));
		return;
	}
	set_cookie(q, COOKIE_PRE, pre, 1, -1);
	web_page_begin(q, _("Sign in"));
	if (msg != NULL)
		html_f(&q->h, "<p class=\"error\" role=\"alert\" "
		    "id=\"login-error\" data-reason=\"%s\">%s</p>\n", reason,
		    msg);
	html_f(&q->h, "<form method=\"post\" action=\"/login\" "
	    "class=\"login\">\n<input type=\"hidden\" name=\"csrf\" "
	    "value=\"%s\">\n<input type=\"hidden\" name=\"next\" value=\"%s\">"
	    "\n<p><label for=\"username\">%s</label>\n<input id=\"username\" "
	    "name=\"username\" autocomplete=\"username\" required "
	    "maxlength=\"64\" value=\"%s\"></p>\n<p><label for=\"password\">"
	    "%s</label>\n<input id=\"password\" name=\"password\" "
	    "type=\"password\" autocomplete=\"current-password\" required "
	    "maxlength=\"1024\"></p>\n<p><button type=\"submit\">%s</button>"
	    "</p>\n</form>\n", pre, next != NULL ? next : "/", _("User name"),
	    name != NULL ? name : "", _("Password"), _("Sign in"));
	html_f(&q->h, "<p class=\"note\">%s</p>\n", _("This service is for "
	    "the region's social workers, supervisors, providers and "
	    "administrators. Never enter a child's name or other personal "
	    "data: a search describes needs only."));
	web_page_end(q, status);
}

/* A path of this site to go to after sign-in ("/" otherwise). */
static const char *
safe_next(const char *next)
{
	const unsigned char *p;

	/* A path of this site: no "//" or "/\\" (another host), and no
	 * control character or backslash anywhere (browsers drop tabs and
	 * newlines before they parse, so "/\t/evil" would be "//evil"). */
	if (next == NULL || next[0] != '/' || next[1] == '/' ||
	    strlen(next) > 200)
		return "/";
	for (p = (const unsigned char *)next; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '\\')
			return "/";
	return next;
}

static void
page_login(struct wreq *q)
{
	const char *next = safe_next(httpd_req_method(q->r) == HTTPD_GET ?
	    NULL : web_form(q, "next", 0));
	char nbuf[256];

	if (q->w->proxy) {
		web_redirect(q, "/");
		return;
	}
	if (httpd_req_method(q->r) == HTTPD_GET) {
		if (httpd_req_query(q->r, "next", nbuf, sizeof(nbuf)) == 1)
			next = safe_next(nbuf);
		if (q->s != NULL) {
			web_redirect(q, next);
			return;
		}
		login_form(q, 200, NULL, NULL, next);
		return;
	}
}

static void *
job_run(void *arg)
{
	struct job *j = arg;
	ssize_t k;

	char tmp[ACCOUNT_HASH_MAX];
	struct err e;

	/* No account: a hash of the same cost, so the answer takes as long. */
	if (j->found)
		j->ok = account_verify(j->hash, j->pw) == 1;
	else
		(void)account_hash(j->pw, tmp, sizeof(tmp), &e);
	OPENSSL_cleanse(j->pw, sizeof(j->pw));
	do
		k = write(j->fd, &j, sizeof(j));
	while (k == -1 && errno == EINTR);
	return NULL;
}

static void
job_done(struct job *j)
{
	struct wreq *q = j->q;
	struct web *w = q->w;
	char msg[256];

	pthread_join(j->th, NULL);
	w->njobs--;
	web_lang_begin(q->lang);
	if (j->ok && j->found) {
		thr_ok(w, "a", j->name);
		if ((q->s = session_new(q, j->acct.name, j->acct.role,
		    j->acct.business_id)) == NULL) {
			web_page_message(q, 503, _("Sign in"), _("The service "
			    "cannot make a secure token now. Try again."));
			free(j);
			return;
		}
		web_audit(q, "sign-in", "role=%s",
		    account_role_name(j->acct.role));
		log_info("web_sign_in", "account=%s role=%s addr=%s",
		    j->acct.name, account_role_name(j->acct.role), q->ip);
		web_redirect(q, j->acct.role == ACCOUNT_PROVIDER &&
		    strcmp(j->next, "/") == 0 ? "/provider" : j->next);
		free(j);
		return;
	}
	thr_fail(w, "a", j->name, THR_ACCOUNT_FREE);
	thr_fail(w, "i", q->tkey, THR_ADDR_FREE);
	audit_as(w, j->name, q->ip, "sign-in-failed", j->found ? "wrong "
	    "password" : "no such enabled account");
	log_info("web_sign_in_failed", "addr=%s", q->ip);
	snprintf(msg, sizeof(msg), "%s", _("The user name or the password "
	    "is wrong."));
	login_form(q, 401, msg, j->name, j->next);
	free(j);
}

static void
job_cb(evutil_socket_t fd, short what, void *arg)
{
	struct job *j;
	ssize_t k;

	(void)what;
	(void)arg;
	while ((k = read(fd, &j, sizeof(j))) == (ssize_t)sizeof(j))
		job_done(j);
}

static void
page_login_post(struct wreq *q)
{
	struct web *w = q->w;
	const char *name = web_form(q, "username", 0),
	    *pw = web_form(q, "password", 0),
	    *next = safe_next(web_form(q, "next", 0));
	struct throttle *t;
	struct job *j;
	long wait;
	char msg[256];
	struct err e;
	int rc;

	if (w->proxy) {
		web_redirect(q, "/");
		return;
	}
	if (name == NULL || pw == NULL || *name == '\0' || *pw == '\0') {
		login_form(q, 400, _("Give your user name and password."),
		    name, next);
		return;
	}
	if ((wait = thr_wait(w, "i", q->tkey)) > 0 ||
	    (wait = thr_wait(w, "a", name)) > 0) {
		/* One line in the trail per wait, not one per attempt. */
		if ((t = thr_get(w, "i", q->tkey, 0)) == NULL || t->until <=
		    time(NULL))
			t = thr_get(w, "a", name, 0);
		if (t != NULL && !t->audited) {
			t->audited = 1;
			audit_as(w, name, q->ip, "sign-in-throttled", "too "
			    "many failed attempts; later ones in this wait "
			    "are not recorded");
		}
		snprintf(msg, sizeof(msg), dngettext("lasteri", "Too many "
		    "failed attempts. Try again in %ld minute.", "Too many "
		    "failed attempts. Try again in %ld minutes.",
		    (unsigned long)((wait + 59) / 60)), (wait + 59) / 60);
		httpd_req_reply_header(q->r, "Retry-After", "60");
		login_form(q, 429, msg, name, next);
		return;
	}
	if (w->njobs >= WEB_JOBS_MAX) {
		login_form(q, 503, _("The service is busy. Try again in a "
		    "moment."), name, next);
		return;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		login_form(q, 503, _("The service is busy. Try again in a "
		    "moment."), name, next);
		return;
	}
	err_clear(&e);
	j->q = q;
	j->fd = w->pipe[1];
	snprintf(j->name, sizeof(j->name), "%s", name);
	snprintf(j->next, sizeof(j->next), "%s", next);
	snprintf(j->pw, sizeof(j->pw), "%s", pw);
	if (account_name_is_valid(name) &&
	    store_account_get(w->n->store, name, &j->acct, &e) == 0 &&
	    !j->acct.disabled)
		j->found = 1;
	else if (e.code != ERR_OK && e.code != ERR_NOTFOUND)
		log_warnx("web_account_read", "msg=\"%s\"", e.msg);
	if (j->found)
		snprintf(j->hash, sizeof(j->hash), "%s", j->acct.pw_hash);
	httpd_req_hold(q->r);
	if ((rc = pthread_create(&j->th, NULL, job_run, j)) != 0) {
		OPENSSL_cleanse(j->pw, sizeof(j->pw));
		free(j);
		login_form(q, 503, _("The service is busy. Try again in a "
		    "moment."), name, next);
		return;
	}
	w->njobs++;
	web_lang_end();
}

static void
page_logout(struct wreq *q)
{
	if (q->s != NULL) {
		web_audit(q, "sign-out", "%s", "");
		memset(q->s, 0, sizeof(*q->s));
		q->s = NULL;
	}
	set_cookie(q, COOKIE_SESSION, "", 1, 0);
	if (q->w->proxy) {
		web_page_message(q, 200, _("Signed out"), _("You have signed "
		    "out of Lasteri. Close the browser to end the sign-in of "
		    "your organisation's identity provider too."));
		return;
	}
	web_redirect(q, "/login");
}

static void
page_home(struct wreq *q)
{
	if (strcmp(httpd_req_path(q->r), "/") != 0) {
		web_page_message(q, 404, _("Not found"), _("There is no such "
		    "page."));
		return;
	}
	if (q->s == NULL)
		web_redirect(q, "/login");
	else if (q->s->role == ACCOUNT_PROVIDER)
		web_redirect(q, "/provider");
	else if (q->s->role == ACCOUNT_ADMIN)
		web_redirect(q, "/admin");
	else
		web_redirect(q, "/search");
}

static void
page_lang(struct wreq *q)
{
	char to[8], back[1024];
	int l;

	if (httpd_req_query(q->r, "to", to, sizeof(to)) != 1 ||
	    (l = web_lang_parse(to)) < 0) {
		web_page_message(q, 400, _("Language"), _("Unknown "
		    "language."));
		return;
	}
	if (httpd_req_query(q->r, "back", back, sizeof(back)) != 1)
		snprintf(back, sizeof(back), "/");
	set_cookie(q, COOKIE_LANG, to, 0, 1);
	web_redirect(q, safe_next(back));
}

static void
page_css(struct wreq *q)
{
	html_raw(&q->h, web_css);
	web_reply_raw(q, 200, "text/css; charset=utf-8", NULL);
}

/* --- the dispatcher ------------------------------------------------------------ */

/* 1 when ip is one of proxy_addresses (numeric; an IPv4 address does
 * not match an IPv4-mapped IPv6 one). */
static int
addr_trusted(const struct web *w, const char *ip)
{
	const char *p, *e;
	unsigned char a[16], b[16];
	char one[64];
	int fa, fb;

	fa = strchr(ip, ':') != NULL ? AF_INET6 : AF_INET;
	if (inet_pton(fa, ip, a) != 1)
		return 0;
	for (p = w->n->conf.web_proxy_addresses; p != NULL && *p != '\0';
	    p = e) {
		while (*p == ' ' || *p == ',')
			p++;
		for (e = p; *e != '\0' && *e != ',' && *e != ' '; e++)
			;
		if (e == p || (size_t)(e - p) >= sizeof(one))
			continue;
		memcpy(one, p, (size_t)(e - p));
		one[e - p] = '\0';
		fb = strchr(one, ':') != NULL ? AF_INET6 : AF_INET;
		if (fb == fa && inet_pton(fb, one, b) == 1 &&
		    memcmp(a, b, fa == AF_INET ? 4 : 16) == 0)
			return 1;
	}
	return 0;
}

/* The client's address: the peer's, or behind one of proxy_addresses the
 * last one of X-Forwarded-For (the address the proxy saw).  Its
 * throttle key groups an IPv6 address by its /64. */
static void
client_addr(struct wreq *q, const char *peer_ip)
{
	const char *xff, *last;
	unsigned char b[16];
	char one[64];
	size_t n;

	snprintf(q->ip, sizeof(q->ip), "%s", peer_ip);
	if (q->w->n->conf.web_proxy_addresses != NULL &&
	    addr_trusted(q->w, peer_ip) &&
	    (xff = httpd_req_header(q->r, "X-Forwarded-For")) != NULL) {
		last = strrchr(xff, ',');
		last = last != NULL ? last + 1 : xff;
		last += strspn(last, " ");
		n = strcspn(last, " ");
		if (n > 0 && n < sizeof(one)) {
			memcpy(one, last, n);
			one[n] = '\0';
			if (inet_pton(AF_INET, one, b) == 1 ||
			    inet_pton(AF_INET6, one, b) == 1)
				snprintf(q->ip, sizeof(q->ip), "%s", one);
		}
	}
	snprintf(q->tkey, sizeof(q->tkey), "%s", q->ip);
	if (strchr(q->ip, ':') != NULL && inet_pton(AF_INET6, q->ip, b) == 1) {
		memset(b + 8, 0, 8);
		if (inet_ntop(AF_INET6, b, one, sizeof(one)) != NULL)
			snprintf(q->tkey, sizeof(q->tkey), "%s/64", one);
	}
}

/* With auth = proxy: the session of the person the proxy vouches for; -1
 * after answering when the request may not be believed. */
static int
proxy_session(struct wreq *q)
{
	struct conf *c = &q->n->conf;
	const char *user, *role, *bid, *secret;
	enum account_role r;
	struct err err;
	int trusted;

	trusted = addr_trusted(q->w, q->peer_ip);
	/* With proxy_secret, the proxy proves itself too: a local process
	 * that reaches the loopback port does not know it. */
	if (trusted && c->web_proxy_secret != NULL) {
		secret = httpd_req_header(q->r, PROXY_SECRET_HEADER);
		trusted = secret != NULL && strlen(secret) ==
		    strlen(c->web_proxy_secret) && CRYPTO_memcmp(secret,
		    c->web_proxy_secret, strlen(secret)) == 0;
	}
	if (strcmp(httpd_req_path(q->r), "/static/lasteri.css") == 0)
		return 0;
	if (!trusted) {
		log_info("web_proxy_refused", "addr=%s", q->ip);
		web_page_message(q, 403, _("Sign in"), _("Sign-in to this "
		    "service goes through your organisation's identity "
		    "provider. Use the address your organisation gave you."));
		return -1;
	}
	user = httpd_req_header(q->r, c->web_proxy_user_header);
	role = httpd_req_header(q->r, c->web_proxy_role_header);
	bid = httpd_req_header(q->r, c->web_proxy_business_id_header);
	err_clear(&err);
	if (user == NULL || role == NULL || account_check(user, role,
	    bid != NULL && *bid != '\0' ? bid : NULL, &r, &err) == -1) {
		log_info("web_proxy_refused", "addr=%s msg=\"%s\"", q->ip,
		    user == NULL || role == NULL ? "no user or role header" :
		    err.msg);
		web_page_message(q, 401, _("Sign in"), _("The identity "
		    "provider did not tell who you are or what your role is. "
		    "Contact your organisation's support."));
		return -1;
	}
	if (q->s != NULL && strcmp(q->s->account, user) == 0 &&
	    q->s->role == r && strcmp(q->s->business_id, bid != NULL ? bid :
	    "") == 0)
		return 0;
	if (q->s != NULL)
		memset(q->s, 0, sizeof(*q->s));
	if ((q->s = session_new(q, user, r, bid)) == NULL) {
		web_page_message(q, 503, _("Sign in"), _("The service cannot "
		    "make a secure token now. Try again."));
		return -1;
	}
	web_audit(q, "sign-in", "role=%s via=proxy", account_role_name(r));
	return 0;
}

static void
h_page(struct httpd_req *r, const struct httpd_peer *peer, void *arg)
{
	struct web_route *rt = arg;
	struct web *w = rt->w;
	struct wreq *q;
	const unsigned char *body;
	const char *sent;
	char lang[8], pre[WEB_TOKEN_HEX + 8];
	size_t len;
	int l;

	if ((q = calloc(1, sizeof(*q))) == NULL) {
		httpd_reply(r, 503, "text/plain; charset=utf-8",
		    "out of memory\n", 14);
		return;
	}
	q->w = w;
	q->n = w->n;
	q->r = r;
	html_init(&q->h);
	snprintf(q->peer_ip, sizeof(q->peer_ip), "%s", peer->ip);
	client_addr(q, peer->ip);
	if (cookie(w, r, COOKIE_LANG, lang, sizeof(lang)) != NULL &&
	    (l = web_lang_parse(lang)) >= 0)
		q->lang = (enum web_lang)l;
	else
		q->lang = web_lang_accept(httpd_req_header(r,
		    "Accept-Language"));
	web_lang_begin(q->lang);
	q->s = session_find(w, r);
	if (w->proxy && proxy_session(q) == -1)
		return;
	if (!w->proxy && q->s != NULL)
		session_recheck(q);
	if (q->s != NULL)
		q->s->used = time(NULL);
	if (rt->roles != 0 && q->s == NULL) {
		if (httpd_req_method(r) == HTTPD_GET) {
			struct html to;

			html_init(&to);
			html_f(&to, "/login?next=%u%s%u", httpd_req_path(r),
			    httpd_req_query_string(r) != NULL ? "?" : "",
			    httpd_req_query_string(r) != NULL ?
			    httpd_req_query_string(r) : "");
			web_redirect(q, to.oom ? "/login" : to.p);
			html_clear(&to);
		} else
			web_page_message(q, 401, _("Sign in"), _("Your session "
			    "has ended. Sign in again."));
		return;
	}
	if (rt->roles != 0 && !(rt->roles & (1u << q->s->role))) {
		log_info("web_forbidden", "account=%s path=%s", q->s->account,
		    httpd_req_path(r));
		web_page_message(q, 403, _("Not allowed"), _("Your role does "
		    "not allow this page."));
		return;
	}
	if (httpd_req_method(r) == HTTPD_POST && is_multipart(r)) {
		/* A file upload: the token comes in the form's action URL. */
		if (httpd_req_query(r, "csrf", pre, sizeof(pre)) != 1 ||
		    q->s == NULL || strlen(pre) != strlen(q->s->csrf) ||
		    CRYPTO_memcmp(pre, q->s->csrf, strlen(pre)) != 0) {
			log_info("web_csrf_refused", "addr=%s path=%s", q->ip,
			    httpd_req_path(r));
			web_page_message(q, 403, _("Form refused"), _("The "
			    "form did not come from this service's page, or "
			    "it is too old. Open the page again and send the "
			    "form from there."));
			return;
		}
	} else if (httpd_req_method(r) == HTTPD_POST) {
		body = httpd_req_body(r, &len);
		if (len > FORM_MAX || form_decode((const char *)body, len,
		    &q->form, &q->formlen) == -1) {
			web_page_message(q, 400, _("Bad request"), _("The form "
			    "could not be read."));
			return;
		}
		sent = web_form(q, "csrf", 0);
		if (strcmp(rt->path, "/login") == 0)
			sent = sent != NULL && cookie(w, r, COOKIE_PRE, pre,
			    sizeof(pre)) != NULL && strlen(pre) ==
			    strlen(sent) && CRYPTO_memcmp(pre, sent,
			    strlen(pre)) == 0 ? sent : NULL;
		else if (sent != NULL && (q->s == NULL || strlen(sent) !=
		    strlen(q->s->csrf) || CRYPTO_memcmp(sent, q->s->csrf,
		    strlen(sent)) != 0))
			sent = NULL;
		if (sent == NULL) {
			log_info("web_csrf_refused", "addr=%s path=%s", q->ip,
			    httpd_req_path(r));
			web_page_message(q, 403, _("Form refused"), _("The "
			    "form did not come from this service's page, or "
			    "it is too old. Open the page again and send the "
			    "form from there."));
			return;
		}
		if (strcmp(rt->path, "/login") == 0) {
			page_login_post(q);
			return;
		}
	}
	rt->fn(q);
}

int
web_route(struct web *w, const char *path, unsigned methods, unsigned roles,
    web_page_fn *fn, struct err *e)
{
	struct web_route *rt;

	if (w->nroutes == WEB_ROUTES_MAX)
		return err_set(e, ERR_INTERNAL, "web: too many pages");
	rt = &w->routes[w->nroutes++];
	rt->w = w;
	snprintf(rt->path, sizeof(rt->path), "%s", path);
	rt->methods = methods;
	rt->roles = roles;
	rt->fn = fn;
	return httpd_route(w->n->httpd, HTTPD_WEB, methods, path, h_page, rt,
	    e);
}

int
web_start(struct node *n, int *bound, struct err *e)
{
	struct conf *c = &n->conf;
	struct web *w;

	*bound = 0;
	if (c->web_listen.text[0] == '\0')
		return 0;
	if (web_i18n_init(c->web_locale_dir != NULL ? c->web_locale_dir :
	    LOCALEDIR, e) == -1)
		return -1;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	w->n = n;
	w->pipe[0] = w->pipe[1] = -1;
	n->web = w;
	w->secure = c->web_tls || c->web_cookie_secure;
	w->hsts = c->web_tls;
	w->proxy = strcmp(c->web_auth, "proxy") == 0;
	if (pipe2(w->pipe, O_CLOEXEC | O_NONBLOCK) == -1)
		return err_set(e, ERR_IO, "web: pipe: %s", strerror(errno));
	if ((w->job_ev = event_new(n->base, w->pipe[0], EV_READ | EV_PERSIST,
	    job_cb, w)) == NULL || event_add(w->job_ev, NULL) == -1 ||
	    (w->audit_ev = evtimer_new(n->base, audit_timer, w)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if (c->web_tls && (n->web_ctx = tls_web_new(c->web_tls_cert,
	    c->web_tls_key, e)) == NULL)
		return -1;
	/* "/" matches every path: it goes last, and answers 404 for what
	 * no other page took. */
	if (web_route(w, "/login", HTTPD_GET | HTTPD_POST, 0, page_login,
	    e) == -1 ||
	    web_route(w, "/logout", HTTPD_POST, 0, page_logout, e) == -1 ||
	    web_route(w, "/lang", HTTPD_GET, 0, page_lang, e) == -1 ||
	    web_route(w, "/static/lasteri.css", HTTPD_GET, 0, page_css,
	    e) == -1 ||
	    web_search_register(w, e) == -1 ||
	    web_work_register(w, e) == -1 ||
	    web_route(w, "/", HTTPD_GET, 0, page_home, e) == -1)
		return -1;
	if (httpd_listen_web(n->httpd, c->web_listen.host, c->web_listen.port,
	    n->web_ctx, bound, e) == -1)
		return -1;
	log_info("web_listening", "addr=%s port=%d tls=%s auth=%s",
	    c->web_listen.host, *bound, c->web_tls ? "on" : "off",
	    c->web_auth);
	return 0;
}

void
web_free(struct node *n)
{
	struct web *w = n->web;
	struct job *j;
	int tries;

	if (w == NULL) {
		if (n->web_ctx != NULL)
			SSL_CTX_free(n->web_ctx);
		n->web_ctx = NULL;
		return;
	}
	/* Workers still running: wait for them (each is one hash; at
	 * most 10 s in all). */
	for (tries = 0; w->njobs > 0 && w->pipe[0] != -1 && tries < 10000;
	    tries++) {
		ssize_t k = read(w->pipe[0], &j, sizeof(j));

		if (k == (ssize_t)sizeof(j)) {
			pthread_join(j->th, NULL);
			w->njobs--;
			web_wreq_free(j->q);
			free(j);
		} else
			usleep(1000);
	}
	if (w->job_ev != NULL)
		event_free(w->job_ev);
	audit_flush(w);		/* what the last pages did */
	if (w->audit_ev != NULL)
		event_free(w->audit_ev);
	if (w->pipe[0] != -1)
		close(w->pipe[0]);
	if (w->pipe[1] != -1)
		close(w->pipe[1]);
	OPENSSL_cleanse(w->sessions, sizeof(w->sessions));
	free(w);
	n->web = NULL;
	if (n->web_ctx != NULL)
		SSL_CTX_free(n->web_ctx);
	n->web_ctx = NULL;
}
