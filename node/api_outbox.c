/*
 * api_outbox.c - the operator's outbox actions on the admin socket (see
 * api_outbox.h): POST /admin/v1/outbox/retry[?to=CODE] makes pending
 * deliveries due at once; POST /admin/v1/outbox/cancel?record=ID cancels a
 * pending one, kept in state cancelled, with a warning naming the admin
 * socket's uid.  GET /admin/v1/outbox (the summary) is in api_records.c.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "api_fed.h"
#include "api_outbox.h"
#include "httpd.h"
#include "log.h"
#include "node.h"
#include "outbox.h"
#include "store_outbox.h"
#include "trust.h"

/* The member that to names: a member ID, or the region code of a member
 * with role region; NULL when none. */
static const struct trust_member *
member_named(const struct trust_list *tl, const char *to)
{
	const struct trust_member *m;
	int i;

	if (tl == NULL)
		return NULL;
	if ((m = trust_member_by_id(tl, to)) != NULL)
		return m;
	for (i = 0; i < trust_member_count(tl); i++) {
		m = trust_member_at(tl, i);
		if ((m->roles & TRUST_ROLE_REGION) && strcmp(m->region, to) == 0)
			return m;
	}
	return NULL;
}

static void
reply_xml(struct httpd_req *r, int status, const char *xml)
{
	httpd_reply(r, status, "application/xml; charset=utf-8", xml,
	    strlen(xml));
}

static void
h_retry(struct httpd_req *r, const struct httpd_peer *peer, void *arg)
{
	struct node *n = arg;
	const struct trust_member *m = NULL;
	char to[OUTBOX_DEST_MAX], a_to[3 * OUTBOX_DEST_MAX], reply[4096];
	char msg[300], a_msg[6 * 300];
	struct err e;
	long due = 0, pending = 0;
	int has;

	err_clear(&e);
	if ((has = httpd_req_query(r, "to", to, sizeof(to))) == -1 ||
	    (has == 1 && to[0] == '\0')) {
		httpd_reply_error(r, 400, "bad-request", "to: a member ID or "
		    "the region code of a member with role region");
		return;
	}
	if (has == 1 && (m = member_named(n->trust, to)) == NULL) {
		httpd_reply_error(r, 404, "not-found", "to: %s is no member "
		    "of the trust list (give a member ID or a region code)", to);
		return;
	}
	if (outbox_retry(n->outbox, m != NULL ? m->id : NULL, &due, &pending,
	    &e) == -1) {
		httpd_reply_error(r, 500, "internal", "%s", e.msg);
		return;
	}
	if (node_trust_expired(n))
		snprintf(msg, sizeof(msg), "the trust list has expired: "
		    "deliveries wait for a valid one");
	else if (pending == 0)
		snprintf(msg, sizeof(msg), "nothing pending%s%s",
		    m != NULL ? " to " : "", m != NULL ? m->id : "");
	else
		snprintf(msg, sizeof(msg), "%ld pending deliver%s due now "
		    "(%ld in flight)", pending, pending == 1 ? "y" : "ies",
		    (long)outbox_inflight(n->outbox));
	log_info("outbox_retry_now", "uid=%ld to=%s due=%ld pending=%ld",
	    peer->uid, m != NULL ? m->id : "all", due, pending);
	snprintf(reply, sizeof(reply), "<?xml version=\"1.0\" encoding="
	    "\"UTF-8\"?>\n<OutboxRetry xmlns=\"urn:lasteri:1\" pending=\"%ld\" "
	    "madeDue=\"%ld\"%s%s%s>%s</OutboxRetry>\n", pending, due,
	    m != NULL ? " to=\"" : "", m != NULL ? api_xml_attr(m->id, a_to,
	    sizeof(a_to)) : "", m != NULL ? "\"" : "",
	    api_xml_attr(msg, a_msg, sizeof(a_msg)));
	reply_xml(r, 200, reply);
}

static void
h_cancel(struct httpd_req *r, const struct httpd_peer *peer, void *arg)
{
	struct node *n = arg;
	char id[65], who[64], a_id[200], reply[1024], q[LOG_Q_MAX];
	long count[OUTBOX_NSTATES];
	struct err e;

	err_clear(&e);
	if (httpd_req_query(r, "record", id, sizeof(id)) != 1 ||
	    id[0] == '\0') {
		httpd_reply_error(r, 400, "bad-request", "record: the Id of "
		    "the supervision record whose delivery is to be "
		    "cancelled");
		return;
	}
	snprintf(who, sizeof(who), "admin-socket uid %ld", peer->uid);
	/* peer goes with the reply: log first. */
	if (outbox_cancel(n->outbox, id, who, count, &e) == -1) {
		log_warnx("outbox_cancel_refused", "uid=%ld record=%s msg=%s",
		    peer->uid, id, log_q(e.msg, q, sizeof(q)));
		if (e.code == ERR_NOTFOUND)
			httpd_reply_error(r, 404, "not-found", "%s", e.msg);
		else if (e.code == ERR_CONFLICT)
			httpd_reply_error(r, 409, "conflict", "%s", e.msg);
		else
			httpd_reply_error(r, 500, "internal", "%s", e.msg);
		return;
	}
	if (count[OUTBOX_PENDING] == 0) {
		log_warnx("outbox_cancel_refused", "uid=%ld record=%s "
		    "reason=not-pending delivered=%ld", peer->uid, id,
		    count[OUTBOX_DELIVERED]);
		httpd_reply_error(r, 409, "conflict", "record %s: nothing "
		    "pending to cancel (%s)", id,
		    count[OUTBOX_DELIVERED] > 0 ? "delivered already: a "
		    "delivered record cannot be cancelled" :
		    count[OUTBOX_CANCELLED] > 0 ? "cancelled already" :
		    count[OUTBOX_CONFLICT] > 0 ? "the destination holds "
		    "another document (conflict)" : "the destination refused "
		    "it");
		return;
	}
	log_warnx("outbox_cancelled", "uid=%ld record=%s deliveries=%ld",
	    peer->uid, id, count[OUTBOX_PENDING]);
	outbox_publish(n->outbox);
	snprintf(reply, sizeof(reply), "<?xml version=\"1.0\" encoding="
	    "\"UTF-8\"?>\n<OutboxCancel xmlns=\"urn:lasteri:1\" record=\"%s\" "
	    "cancelled=\"%ld\">delivery cancelled; the row is kept in state "
	    "cancelled</OutboxCancel>\n", api_xml_attr(id, a_id, sizeof(a_id)),
	    count[OUTBOX_PENDING]);
	reply_xml(r, 200, reply);
}

int
api_outbox_register(struct node *n, struct err *e)
{
	if (httpd_route(n->httpd, HTTPD_ADMIN, HTTPD_POST,
	    "/admin/v1/outbox/retry", h_retry, n, e) == -1 ||
	    httpd_route(n->httpd, HTTPD_ADMIN, HTTPD_POST,
	    "/admin/v1/outbox/cancel", h_cancel, n, e) == -1)
		return -1;
	return 0;
}
