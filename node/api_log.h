/*
 * api_log.h - the transparency log's endpoints (api_log.c, lasterid(8)):
 * GET /v1/log/checkpoint, /v1/log/inclusion, /v1/log/consistency and
 * /v1/log/leaves on the federation port (roles auditor, coordinator,
 * region) and the admin socket; POST /admin/v1/log/checkpoint on the admin
 * socket.  Register after tlog_start().
 */
#ifndef LASTERI_API_LOG_H
#define LASTERI_API_LOG_H

#include "err.h"

struct node;

int	api_log_register(struct node *n, struct err *e);

#endif
