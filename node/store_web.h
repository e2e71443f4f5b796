/*
 * store_web.h - what the web service's pages read from the store that no
 * other endpoint does: the supervision work lists (open records with a
 * deadline, planned visits) and a provider's units.
 */
#ifndef LASTERI_STORE_WEB_H
#define LASTERI_STORE_WEB_H

#include <stddef.h>
#include <time.h>

#include "err.h"
#include "model.h"

struct store;

#define STORE_WEB_ROWS_MAX	500	/* rows of one list */

struct store_web_deadline {
	char	 id[ID_MAX + 1];
	char	 unit_id[ID_MAX + 1];
	char	 unit_name[NAME_MAX_ + 1];	/* "" when not kept here */
	char	 kind[40];			/* the record's Kind token */
	char	 issuer[17];
	time_t	 deadline;
};

/* Open records with a deadline, earliest first; only those past before
 * (0: all).  *out malloc'd (free()), *n rows, at most STORE_WEB_ROWS_MAX. */
int	store_web_deadlines(struct store *s, time_t before,
	    struct store_web_deadline **out, size_t *n, struct err *e);

/* fn(arg, id, xml, len) for each record of a visit kind (pre-inspection,
 * inspection, guidance visit) not closed, newest opened first, at most
 * STORE_WEB_ROWS_MAX; and for each unit whose XML names business ID bid
 * (the caller checks the parsed provider).  fn returns -1 to stop. */
typedef int store_web_xml_fn(void *arg, const char *id, const char *xml,
	    size_t len);
int	store_web_visits(struct store *s, store_web_xml_fn *fn, void *arg,
	    struct err *e);
int	store_web_provider_units(struct store *s, const char *bid,
	    store_web_xml_fn *fn, void *arg, struct err *e);

#endif
