/*
 * api_admin.h - the node's admin endpoints for the region's own systems and
 * the lasteri CLI (-s SOCKET), on the admin Unix socket only (whoever may
 * open the socket, mode 0660, may use them):
 *
 *   POST /admin/v1/import[?region=CODE]     units, procurement definitions
 *        and (historical, unsigned) supervision records; all or nothing
 *   GET  /admin/v1/export[?records=1]       the Dataset
 *   GET  /admin/v1/search?age=N&...         placement search (query.h names)
 *   GET  /admin/v1/stats?by=..&...          statistics
 *   GET  /admin/v1/supervision?unit=ID      the records held about a unit
 *
 * search, stats and supervision take format=table|csv|xml and answer in it
 * (text/plain, text/csv, application/xml), rendered exactly as the CLI's
 * offline mode prints.  Errors are the <Error> document of httpd.h: 400 for
 * a bad parameter, 422 for an import that does not parse or validate (the
 * message names the file, line and element), 409 for a record that
 * conflicts with a stored one, 413 past admin_body_max.
 *
 * An import is answered when it is done, however long that takes (the
 * connection's inactivity timeout does not apply while it runs); it runs
 * off the event loop, and while it runs every other write is answered 503
 * (api_admin_import_refuse).
 *
 * The import body is one XML document (Content-Type application/xml), or
 * several in the parts format (Content-Type ADMIN_IMPORT_TYPE), which the
 * CLI uses so that its files go in one transaction: for each document, a
 * header line "LENGTH NAME\n" (LENGTH in decimal bytes, NAME the file name
 * used in messages, no control characters) and then exactly LENGTH bytes
 * of the document; nothing between or after the parts.
 */
#ifndef LASTERI_API_ADMIN_H
#define LASTERI_API_ADMIN_H

#include <stdint.h>

#include "err.h"

#define ADMIN_IMPORT_TYPE	"application/vnd.lasteri.import-parts"
#define ADMIN_IMPORT_PARTS_MAX	10000

struct node;

/* Registers the endpoints on n->httpd (and compiles the schemas, so that a
 * missing XSD stops start-up rather than the first import). */
int	api_admin_register(struct node *n, struct err *e);

/* The node's data changed wholesale (an import): the search data is
 * rebuilt in the worker, and searches and statistics wait for it. */
void	api_admin_invalidate(struct node *n);

/* Record r was stored (issued here, received, imported one by one): its
 * effect on its unit (supervision summary, placement block, findings) is
 * applied to the search data in use at once. */
struct supervision_record;
/* A received record was stored as seq (ingest): added to its unit's
 * summary without reading the store (qindex_record_added). */
void	api_admin_record_added(struct node *n,
	    const struct supervision_record *r, int64_t seq);
void	api_admin_record_stored(struct node *n,
	    const struct supervision_record *r);

/* While an import runs (its own thread and connection hold the store's
 * write lock until it commits or rolls back), an endpoint that stores
 * anything calls this first: 1 when it answered r 503 ("busy", with
 * Retry-After) and the handler is done, 0 to go on. */
struct httpd_req;
int	api_admin_import_refuse(struct node *n, struct httpd_req *r);

/* Starts an import of body (len bytes, taken: freed here or by the
 * import) in its worker, as POST /admin/v1/import does: parts 1 for the
 * multipart format, else one document; region the unit region asked for
 * (NULL: the node's own), allow_foreign as the parameter.  done(arg, st,
 * files, NULL) on success, done(arg, NULL, files, e) on failure, on the
 * loop when the worker ends.  -1 (done never called) when it cannot start,
 * an import running already included. */
struct store_import_stats;
typedef void api_import_done_fn(void *arg,
	    const struct store_import_stats *st, int files,
	    const struct err *e);
int	api_admin_import_start(struct node *n, unsigned char *body,
	    size_t len, int parts, const char *region, int allow_foreign,
	    api_import_done_fn *done, void *arg, struct err *e);

/* Stops a running import (it rolls back) and the search data's worker,
 * and releases the search data; before the event base is freed. */
void	api_admin_free(struct node *n);

#endif
