/*
 * tlog.c - the node's transparency log (see tlog.h): the start check and
 * the signed checkpoints.  The tree itself is store_tlog.c's; the
 * Checkpoint document is federation/checkpoint.c's.
 *
 * A checkpoint is built, signed with the node's key, serialised, and
 * checked again with checkpoint_check() as any auditor would before it is
 * kept: a node whose trust-list entry would not let its checkpoints verify
 * learns it here, not from every auditor.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "checkpoint.h"
#include "dsig.h"
#include "log.h"
#include "metrics.h"
#include "node.h"
#include "store.h"
#include "store_tlog.h"
#include "tlog.h"
#include "xml.h"

struct tlog {
	struct event	*ev;
	char		*latest;	/* the latest signed bytes */
	size_t		 len;
	uint64_t	 size;		/* its TreeSize */
	int		 have;		/* latest is set */
};

/* Parses and checks signed checkpoint bytes. */
static int
cp_check(struct verifier *v, const char *xml, size_t len, const char *origin,
    time_t now, struct checkpoint *out, struct err *e)
{
	xmlDocPtr doc;
	int rc;

	if ((doc = xml_parse(xml, len, "checkpoint", &xml_limits_wire, e)) ==
	    NULL)
		return -1;
	rc = checkpoint_check(v, doc, origin, now, out, e);
	xmlFreeDoc(doc);
	return rc;
}

int
tlog_verify(struct store *s, struct verifier *v, const char *origin,
    time_t now, struct err *e)
{
	struct store_tlog_cp cp;
	struct store_tlog_bad bad;
	struct checkpoint c;
	int found, rc = -1;

	memset(&c, 0, sizeof(c));
	if (store_tlog_cp_latest(s, &cp, &found, e) == -1)
		return -1;
	if (found) {
		if (cp_check(v, cp.xml, cp.len, origin, now, &c, e) == -1) {
			err_prefix(e, "the latest signed checkpoint (number %"
			    PRId64 ", Id %s) does not verify", cp.seq, cp.id);
			goto done;
		}
		if (c.size != cp.size || memcmp(c.root, cp.root,
		    sizeof(c.root)) != 0) {
			err_set(e, ERR_DB, "the latest signed checkpoint "
			    "(number %" PRId64 ", Id %s) says size %" PRIu64
			    ", but its stored columns were changed to size %"
			    PRIu64 " and another root", cp.seq, c.id, c.size,
			    cp.size);
			goto done;
		}
	}
	if (store_tlog_audit(s, found ? c.size : 0, found ? c.root : NULL,
	    &bad, e) == -1)
		goto done;
	if (bad.found) {
		if (found)
			err_set(e, ERR_DB, "first bad leaf %" PRIu64 " (record "
			    "%s): %s (checked against checkpoint %s of size %"
			    PRIu64 "; the log holds %" PRIu64 " leaves)",
			    bad.index, bad.record_id, bad.why, c.id, c.size,
			    bad.size);
		else
			err_set(e, ERR_DB, "first bad leaf %" PRIu64 " (record "
			    "%s): %s (no checkpoint signed yet; the log holds %"
			    PRIu64 " leaves)", bad.index, bad.record_id, bad.why,
			    bad.size);
		goto done;
	}
	rc = 0;
done:
	store_tlog_cp_clear(&cp);
	return rc;
}

/* Takes bytes (malloc'd) as the latest checkpoint. */
static void
latest_set(struct tlog *t, char *bytes, size_t len, uint64_t size)
{
	free(t->latest);
	t->latest = bytes;
	t->len = len;
	t->size = size;
	t->have = 1;
}

/* Signs, checks and keeps a checkpoint of the first size leaves. */
static int
sign_now(struct node *n, uint64_t size, struct err *e)
{
	struct checkpoint c, chk;
	struct store_tlog_cp cp;
	xmlDocPtr doc = NULL;
	char *bytes = NULL, *copy = NULL;
	size_t len = 0;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	memset(&cp, 0, sizeof(cp));
	snprintf(c.origin, sizeof(c.origin), "%s", n->conf.member_id);
	c.size = size;
	c.time = time(NULL);
	if (store_tlog_root(n->store, size, c.root, e) == -1 ||
	    checkpoint_id_new(size, c.id, e) == -1 ||
	    (doc = checkpoint_new(&c, e)) == NULL ||
	    dsig_sign(n->sign_key, doc, e) == -1 ||
	    xml_serialize(doc, &bytes, &len, e) == -1)
		goto done;
	if (cp_check(n->verifier, bytes, len, n->conf.member_id, time(NULL),
	    &chk, e) == -1) {
		err_prefix(e, "the checkpoint this node signed would not "
		    "verify under the trust list");
		goto done;
	}
	if ((copy = malloc(len + 1)) == NULL) {
		err_set(e, ERR_NOMEM, "checkpoint: out of memory");
		goto done;
	}
	memcpy(copy, bytes, len);
	copy[len] = '\0';
	cp.size = size;
	memcpy(cp.root, c.root, sizeof(cp.root));
	cp.time = c.time;
	snprintf(cp.id, sizeof(cp.id), "%s", c.id);
	cp.xml = copy;
	cp.len = len;
	if (store_tlog_cp_put(n->store, &cp, e) == -1)
		goto done;
	latest_set(n->tlog, copy, len, size);
	copy = NULL;
	metrics_inc(n->metrics, M_LOG_CHECKPOINTS, NULL);
	metrics_set(n->metrics, M_LOG_CHECKPOINT_SIZE, NULL, (double)size);
	log_info("checkpoint_signed", "id=%s size=%" PRIu64 " number=%" PRId64,
	    c.id, size, cp.seq);
	rc = 0;
done:
	free(copy);
	xmlFree(bytes);
	xmlFreeDoc(doc);
	return rc;
}

int
tlog_checkpoint(struct node *n, int force, int *made, struct err *e)
{
	uint64_t size;

	if (made != NULL)
		*made = 0;
	if (store_tlog_size(n->store, &size, e) == -1)
		return -1;
	metrics_set(n->metrics, M_LOG_LEAVES, NULL, (double)size);
	if (!force && n->tlog->have && size <= n->tlog->size)
		return 0;
	if (sign_now(n, size, e) == -1)
		return -1;
	if (made != NULL)
		*made = 1;
	return 0;
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct node *n = arg;
	struct err e;
	char q[LOG_Q_MAX];

	(void)fd;
	(void)what;
	/* An import holds the write lock on its own connection: the next
	 * tick signs what it added. */
	if (n->import != NULL || n->stopping)
		return;
	err_clear(&e);
	if (tlog_checkpoint(n, 0, NULL, &e) == -1)
		log_warnx("checkpoint_failed", "msg=%s",
		    log_q(e.msg, q, sizeof(q)));
}

int
tlog_start(struct node *n, struct err *e)
{
	struct store_tlog_cp cp;
	struct timeval tv;
	int found;

	tlog_free(n);
	if ((n->tlog = calloc(1, sizeof(*n->tlog))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	metrics_register(n->metrics, M_LOG_LEAVES, METRICS_GAUGE,
	    "Leaves in this node's transparency log (signed records "
	    "stored).");
	metrics_register(n->metrics, M_LOG_CHECKPOINT_SIZE, METRICS_GAUGE,
	    "Tree size of the latest checkpoint this node signed.");
	metrics_register(n->metrics, M_LOG_CHECKPOINTS, METRICS_COUNTER,
	    "Checkpoints this node signed since it started.");
	if (store_tlog_cp_latest(n->store, &cp, &found, e) == -1)
		return -1;
	if (found) {
		latest_set(n->tlog, cp.xml, cp.len, cp.size);
		cp.xml = NULL;
		metrics_set(n->metrics, M_LOG_CHECKPOINT_SIZE, NULL,
		    (double)cp.size);
	}
	store_tlog_cp_clear(&cp);
	if (tlog_checkpoint(n, 0, NULL, e) == -1)
		return err_prefix(e, "signing a checkpoint");
	if ((n->tlog->ev = event_new(n->base, -1, EV_PERSIST, on_tick, n)) ==
	    NULL)
		return err_set(e, ERR_NOMEM, "the checkpoint timer");
	tv.tv_sec = n->conf.checkpoint_interval / 1000;
	tv.tv_usec = (n->conf.checkpoint_interval % 1000) * 1000;
	if (event_add(n->tlog->ev, &tv) == -1)
		return err_set(e, ERR_INTERNAL, "cannot arm the checkpoint "
		    "timer");
	return 0;
}

void
tlog_free(struct node *n)
{
	if (n->tlog == NULL)
		return;
	if (n->tlog->ev != NULL)
		event_free(n->tlog->ev);
	free(n->tlog->latest);
	free(n->tlog);
	n->tlog = NULL;
}

const char *
tlog_latest(const struct node *n, size_t *len, uint64_t *size)
{
	*len = 0;
	*size = 0;
	if (n->tlog == NULL || !n->tlog->have)
		return NULL;
	*len = n->tlog->len;
	*size = n->tlog->size;
	return n->tlog->latest;
}
