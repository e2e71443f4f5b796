/*
 * api_status.h - whether the node can do its job, and what it is doing.
 *
 *   GET /health, /v1/health (lasterid.c)  200 when api_status_health()
 *                                         finds no problem, else 503
 *   GET /admin/v1/status?format=table|csv|xml   lasteri status
 *
 * A problem is one token and one sentence: trust-expired, database,
 * disk-full, outbox.  The last integrity check is noted where it runs
 * (the start-up quick check, POST /admin/v1/check).  Event-loop thread
 * only, except api_status_check_note().
 */
#ifndef LASTERI_API_STATUS_H
#define LASTERI_API_STATUS_H

#include <stddef.h>
#include <time.h>

#include "err.h"

struct node;

/* Below either, the database's file system counts as full. */
#define STATUS_DISK_MIN_BYTES	(64LL * 1024 * 1024)
#define STATUS_DISK_MIN_PERCENT	1

#define STATUS_PROBLEMS_MAX	4

struct status_problem {
	const char	*token;		/* static: "trust-expired", ... */
	char		 msg[512];
};

/* Looks at the trust list, the database (a probe query, the file and its
 * directory), the free space beside it and the outbox's oldest pending
 * delivery; fills at most STATUS_PROBLEMS_MAX problems and returns how
 * many (0: healthy).  A problem appearing is logged once at level error,
 * its end at level info. */
int	api_status_health(struct node *n, struct status_problem *out);

/* The sentence for token that another member is told (on /v1/health): no
 * path, address or member of this node's own.  Static. */
const char *api_status_public(const char *token);

/* Notes an integrity check that ran at when: kind "quick" or "full",
 * result "ok", "problems" or "failed".  Thread-safe. */
void	api_status_check_note(time_t when, const char *kind,
	    const char *result);

int	api_status_register(struct node *n, struct err *e);

#endif
