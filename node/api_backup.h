/*
 * api_backup.h - backup and check of the running node's database on the
 * admin socket:
 *
 *   POST /admin/v1/backup?file=ABSOLUTE-PATH   a consistent copy (store_backup)
 *   POST /admin/v1/check                       dbcheck.h's report, text
 *
 * Each runs in a thread of its own on its own connection; the event loop
 * keeps serving, and the request is answered when the work is done.  One
 * at a time: a second one meanwhile is answered 503 "busy".
 */
#ifndef LASTERI_API_BACKUP_H
#define LASTERI_API_BACKUP_H

#include "err.h"

struct node;

int	api_backup_register(struct node *n, struct err *e);
/* Waits for a running backup or check, before the HTTP server is freed. */
void	api_backup_free(struct node *n);

#endif
