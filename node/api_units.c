/*
 * api_units.c - retiring a unit that closed, and reinstating one, on the
 * admin socket (api_units.h; the store's side is store_retire.h).  Either
 * is logged at level warning with the admin socket's uid, and asks the
 * search worker for a new data set, so that answers given after the reply
 * already leave a retired unit out (they wait for the build).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_admin.h"
#include "api_fed.h"
#include "api_units.h"
#include "httpd.h"
#include "log.h"
#include "model.h"
#include "node.h"
#include "output.h"
#include "qindex.h"
#include "store_retire.h"

#define UNITS_PREFIX	"/admin/v1/units/"
#define RETIRED_MAX	100000

static void
reply_xml(struct httpd_req *r, const char *xml)
{
	httpd_reply(r, 200, "application/xml; charset=utf-8", xml,
	    strlen(xml));
}

/* The id parameter into id: 0, or -1 after answering 400. */
static int
id_param(struct httpd_req *r, char id[ID_MAX + 1])
{
	if (httpd_req_query(r, "id", id, ID_MAX + 1) != 1 || id[0] == '\0') {
		httpd_reply_error(r, 400, "bad-request", "id: the unit's Id "
		    "(at most %d bytes)", ID_MAX);
		return -1;
	}
	return 0;
}

static void
h_retire(struct httpd_req *r, const struct httpd_peer *peer, void *arg)
{
	struct node *n = arg;
	char id[ID_MAX + 1], reason[STORE_RETIRE_REASON_MAX + 1];
	char by[STORE_RETIRE_BY_MAX], when[32], a_id[3 * ID_MAX + 8];
	char a_by[3 * STORE_RETIRE_BY_MAX], q[LOG_Q_MAX], reply[1024];
	struct err e;
	time_t now = time(NULL);
	int has;

	err_clear(&e);
	if (id_param(r, id) == -1)
		return;
	if ((has = httpd_req_query(r, "reason", reason, sizeof(reason))) ==
	    -1) {
		httpd_reply_error(r, 400, "bad-request", "reason: at most %d "
		    "bytes of text", STORE_RETIRE_REASON_MAX);
		return;
	}
	if (has == 0)
		reason[0] = '\0';
	if (api_admin_import_refuse(n, r))
		return;
	snprintf(by, sizeof(by), "admin-socket uid %ld", peer->uid);
	if (store_unit_retire(n->store, id, now, by, reason, &e) == -1) {
		log_warnx("unit_retire_refused", "uid=%ld unit=%s msg=%s",
		    peer->uid, id, log_q(e.msg, q, sizeof(q)));
		api_reply_err(r, &e);
		return;
	}
	log_warnx("unit_retired", "uid=%ld unit=%s reason=%s", peer->uid, id,
	    log_q(reason, q, sizeof(q)));
	qindex_rebuild(n->qindex);
	model_datetime_format(now, when);
	snprintf(reply, sizeof(reply), "<?xml version=\"1.0\" encoding="
	    "\"UTF-8\"?>\n<UnitRetired xmlns=\"urn:lasteri:1\" id=\"%s\" "
	    "at=\"%s\" by=\"%s\">retired: kept for history, out of search "
	    "and of the statistics of places</UnitRetired>\n",
	    api_xml_attr(id, a_id, sizeof(a_id)), when,
	    api_xml_attr(by, a_by, sizeof(a_by)));
	reply_xml(r, reply);
}

static void
h_reinstate(struct httpd_req *r, const struct httpd_peer *peer, void *arg)
{
	struct node *n = arg;
	struct store_retired was;
	char id[ID_MAX + 1], when[32], a_id[3 * ID_MAX + 8], q[LOG_Q_MAX];
	char reply[1024];
	struct err e;

	err_clear(&e);
	if (id_param(r, id) == -1 || api_admin_import_refuse(n, r))
		return;
	if (store_unit_reinstate(n->store, id, &was, &e) == -1) {
		log_warnx("unit_reinstate_refused", "uid=%ld unit=%s msg=%s",
		    peer->uid, id, log_q(e.msg, q, sizeof(q)));
		api_reply_err(r, &e);
		return;
	}
	model_datetime_format(was.at, when);
	log_warnx("unit_reinstated", "uid=%ld unit=%s retired=%s", peer->uid,
	    id, when);
	qindex_rebuild(n->qindex);
	snprintf(reply, sizeof(reply), "<?xml version=\"1.0\" encoding="
	    "\"UTF-8\"?>\n<UnitReinstated xmlns=\"urn:lasteri:1\" id=\"%s\" "
	    "retired=\"%s\">in search again</UnitReinstated>\n",
	    api_xml_attr(id, a_id, sizeof(a_id)), when);
	reply_xml(r, reply);
}

static void
h_retired(struct httpd_req *r, const struct httpd_peer *peer, void *arg)
{
	static const char *const keys[] = { "unit-id", "retired", "by",
	    "reason" };
	static const char *const heads[] = { "unit ID", "retired", "by",
	    "reason" };
	struct node *n = arg;
	struct store_retired *v = NULL;
	struct out_table *t = NULL;
	const char *cells[4];
	char when[32];
	enum out_format fmt = OUT_TABLE;
	struct err e;
	size_t nrows = 0, i;
	long limit = RETIRED_MAX;

	(void)peer;
	err_clear(&e);
	if (api_list_params(r, RETIRED_MAX, &limit, &fmt) == -1)
		return;
	if ((t = out_table_new("retired", 4, keys, heads)) == NULL) {
		httpd_reply_error(r, 503, "unavailable", "out of memory");
		goto done;
	}
	if (store_units_retired_list(n->store, &v, &nrows, &e) == -1) {
		api_reply_err(r, &e);
		goto done;
	}
	out_table_title(t, "Retired units");
	for (i = 0; i < nrows && i < (size_t)limit; i++) {
		model_datetime_format(v[i].at, when);
		cells[0] = v[i].id;
		cells[1] = when;
		cells[2] = v[i].by;
		cells[3] = v[i].reason[0] ? v[i].reason : "-";
		if (out_table_add(t, cells) == -1) {
			httpd_reply_error(r, 503, "unavailable", "out of "
			    "memory");
			goto done;
		}
	}
	if (nrows == 0)
		out_table_note(t, "No retired units.");
	else if (nrows > (size_t)limit)
		out_table_note(t, "More retired units than the limit: raise "
		    "--limit.");
	api_reply_tables(r, fmt, "RetiredUnits", &t, 1);
done:
	out_table_free(t);
	free(v);
}

int
api_units_register(struct node *n, struct err *e)
{
	if (httpd_route(n->httpd, HTTPD_ADMIN, HTTPD_POST,
	    UNITS_PREFIX "retire", h_retire, n, e) == -1 ||
	    httpd_route(n->httpd, HTTPD_ADMIN, HTTPD_POST,
	    UNITS_PREFIX "reinstate", h_reinstate, n, e) == -1 ||
	    httpd_route(n->httpd, HTTPD_ADMIN, HTTPD_GET,
	    UNITS_PREFIX "retired", h_retired, n, e) == -1)
		return -1;
	return 0;
}
