/*
 * witness.h - the node witnesses the transparency logs of the other
 * members with role region (lasterid(8) "Witnessing"; design in witness.c).
 *
 *   GET /admin/v1/log/alarms[?format=table|csv|xml&limit=N]  the alarms
 *   GET /v1/log/witnessed?origin=ID    the newest checkpoint of ID's log
 *                                      this node verified (exact bytes)
 *
 * The second is served on the federation port to members with role
 * auditor, coordinator or region and on the admin socket.
 */
#ifndef LASTERI_WITNESS_H
#define LASTERI_WITNESS_H

#include "err.h"

struct node;

#define M_WITNESS_ALARMS	"lasteri_witness_alarms_total"
#define M_WITNESS_ROUNDS	"lasteri_witness_checks_total"

/* Registers the endpoints and, when this node's own member may read other
 * logs (role auditor, coordinator or region), arms the witness_interval
 * timer on n->base (the first round one interval after start).  Free with
 * witness_free() after peer_free(n->peer), so no answer calls back. */
int	witness_start(struct node *n, struct err *e);
void	witness_free(struct node *n);

#endif
