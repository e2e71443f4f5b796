/*
 * web.h - the web service for the region's people ([web] in lasterid.conf;
 * issue 12): placement search, unit pages, supervision work, providers'
 * free places, statistics and administration, as server-rendered HTML on
 * the node's third listener.  web.c is the frame: sign-in (accounts with
 * Argon2id, checked in a worker thread, or the region's identity provider
 * through a trusted reverse proxy), sessions, CSRF, throttling, language
 * (GNU gettext), the page's security headers and the audit trail; the pages
 * are web_search.c (search, unit page, statistics) and web_work.c
 * (supervision, provider, admin).  Only lasterid.c calls web_start().
 */
#ifndef LASTERI_WEB_H
#define LASTERI_WEB_H

#include "err.h"

struct node;

/* Listens on [web] listen when it is set and registers the pages; a no-op
 * otherwise.  *bound gets the port in use (0 when no web service). */
int	web_start(struct node *n, int *bound, struct err *e);
void	web_free(struct node *n);

#endif
