/*
 * web_internal.h - what the web service's files share (web.c, web_i18n.c,
 * web_search.c, web_work.c).  Everything runs on the node's loop thread,
 * except account_verify() in web.c's worker.
 */
#ifndef LASTERI_WEB_INTERNAL_H
#define LASTERI_WEB_INTERNAL_H

#include <libintl.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "account.h"
#include "html.h"
#include "httpd.h"

struct node;
struct web;
struct vocab;

#define _(s)		dgettext("lasteri", s)
#define N_(s)		(s)

enum web_lang { LANG_FI, LANG_SV, LANG_EN, LANG_COUNT };

/* Role bits for the pages' checks. */
#define R_SW		(1u << ACCOUNT_SOCIAL_WORKER)
#define R_SUP		(1u << ACCOUNT_SUPERVISOR)
#define R_PROV		(1u << ACCOUNT_PROVIDER)
#define R_ADMIN		(1u << ACCOUNT_ADMIN)
#define R_SEARCH	(R_SW | R_SUP | R_ADMIN)

#define WEB_TOKEN_HEX	65	/* 256 bits as hex, with its NUL */

struct web_session {
	unsigned char		 key[32];	/* SHA-256 of the cookie token */
	char			 account[ACCOUNT_NAME_MAX + 1];
	enum account_role	 role;
	char			 business_id[ACCOUNT_BID_MAX];
	char			 csrf[WEB_TOKEN_HEX];
	time_t			 created, used;
	int			 in_use;
};

/* One request to a page, from its start to its reply. */
struct wreq {
	struct web		*w;
	struct node		*n;
	struct httpd_req	*r;
	enum web_lang		 lang;
	struct web_session	*s;		/* NULL: not signed in */
	char			 ip[64];	/* the client's */
	char			 peer_ip[64];	/* who connected */
	char			 tkey[72];	/* ip's throttle key */
	struct html		 h;
	char			*form;		/* a POST's decoded fields */
	size_t			 formlen;
};

/* --- web.c ---------------------------------------------------------------- */

/* The page's head, header (navigation by role, sign-out, languages) and
 * the opening of <main> with an <h1> of title. */
void	web_page_begin(struct wreq *q, const char *title);
/* Closes the page and answers it with status. */
void	web_page_end(struct wreq *q, int status);
/* A whole page with one message (an error, "not allowed"). */
void	web_page_message(struct wreq *q, int status, const char *title,
	    const char *msg);
/* Answers a redirect (303 See Other) to a path of this site. */
void	web_redirect(struct wreq *q, const char *path);
/* Answers with the bytes in q->h as is. */
void	web_reply_raw(struct wreq *q, int status, const char *type,
	    const char *disposition);
/* The request is done with: frees q (after any reply). */
void	web_wreq_free(struct wreq *q);
/* The hidden CSRF field of a form. */
void	web_csrf_field(struct wreq *q);
/* The value of a form field (POST body, url-encoded); the i-th of that
 * name; NULL when absent. */
const char *web_form(const struct wreq *q, const char *name, int i);
/* The content of the file field name of a multipart/form-data POST
 * (borrowed from the request's body); -1 when there is none or the body is
 * not well formed. */
int	web_multipart_file(struct wreq *q, const char *name,
	    const unsigned char **p, size_t *len);
/* An audit trail line for the signed-in account. */
void	web_audit(struct wreq *q, const char *action, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Writes the audit rows waiting for their batch now (before a page lists
 * the trail). */
void	web_audit_flush(struct web *w);
/* The node's region code ("" when it keeps none). */
const char *web_region(const struct wreq *q);
/* "3 days ago" and the like, for t (0: "never"). */
void	web_age(struct wreq *q, time_t t);

typedef void web_page_fn(struct wreq *q);
/* Registers a page: path (prefix when it ends in '/'), methods, the roles
 * that may see it (0: anyone, signed in or not). */
int	web_route(struct web *w, const char *path, unsigned methods,
	    unsigned roles, web_page_fn *fn, struct err *e);

/* --- web_i18n.c ----------------------------------------------------------- */

int	web_i18n_init(const char *dir, struct err *e);
/* Messages of lang for the rest of this loop turn's rendering; end puts
 * the thread back on the process's locale. */
void	web_lang_begin(enum web_lang lang);
void	web_lang_end(void);
const char *web_lang_code(enum web_lang lang);
int	web_lang_parse(const char *code);		/* -1 unknown */
/* The language of an Accept-Language header (fi when none fits). */
enum web_lang web_lang_accept(const char *header);
/* A vocabulary label in the page's language: the label as msgid. */
const char *web_vocab(const struct vocab *v, int i);

/* --- the pages ------------------------------------------------------------ */

int	web_search_register(struct web *w, struct err *e);
int	web_work_register(struct web *w, struct err *e);

#endif
