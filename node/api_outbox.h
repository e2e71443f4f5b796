/*
 * api_outbox.h - admin endpoints that act on the outbox (api_outbox.c):
 * POST /admin/v1/outbox/retry[?to=CODE] and
 * POST /admin/v1/outbox/cancel?record=ID, documented in lasterid(8).
 */
#ifndef LASTERI_API_OUTBOX_H
#define LASTERI_API_OUTBOX_H

#include "err.h"

struct node;

int	api_outbox_register(struct node *n, struct err *e);

#endif
