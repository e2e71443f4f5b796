/*
 * api_units.h - the operator's unit actions on the admin socket
 * (api_units.c), documented in lasterid(8):
 *   POST /admin/v1/units/retire?id=ID[&reason=TEXT]
 *   POST /admin/v1/units/reinstate?id=ID
 *   GET  /admin/v1/units/retired[?format=F][&limit=N]
 */
#ifndef LASTERI_API_UNITS_H
#define LASTERI_API_UNITS_H

#include "err.h"

struct node;

int	api_units_register(struct node *n, struct err *e);

#endif
