/*
 * api_fed.h - the records endpoints of a node.
 *
 * Federation port (api_fed.c): POST /v1/records receives a signed
 * SupervisionRecord about one of this region's units (verified, stored
 * idempotently on Id + digest, answered only once durable); the record
 * must be signed by a member whose issuer codes hold its Issuer, have its
 * Id in the issuer's namespace and be about a unit in this node's store.
 * GET /v1/records/{id} gives its exact stored signed bytes to an auditor,
 * the record's issuer and the unit's region (lasterid(8)).
 *
 * Admin socket (api_records.c): POST /admin/v1/supervision signs an
 * unsigned record with the node's key, stores it and queues its delivery to
 * the unit's home region in one transaction; GET /admin/v1/outbox shows the
 * outbox.
 */
#ifndef LASTERI_API_FED_H
#define LASTERI_API_FED_H

#include <stddef.h>

#include "err.h"
#include "output.h"

struct node;

int	api_fed_register(struct node *n, struct err *e);
/* Frees what api_fed_register() made (the record cache). */
void	api_fed_free(struct node *n);
int	api_records_register(struct node *n, struct err *e);

/* Issues an unsigned SupervisionRecord (body, len) as POST
 * /admin/v1/supervision does: validates, signs, checks that it verifies,
 * stores it and queues its delivery, in one transaction.  Returns the HTTP
 * status: 201 stored, 200 issued before (out->duplicate), 4xx/5xx refused
 * with out->token and e->msg. */
struct record_issued {
	char		 id[200];
	char		 digest[65];
	char		 region[3];		/* the unit's home region */
	char		 destination[160];	/* "" when kept here */
	int		 duplicate;
	const char	*token;			/* a refusal's code */
};
int	api_record_issue(struct node *n, const char *body, size_t len,
	    struct record_issued *out, struct err *e);

/* Metric families of the records endpoints. */
#define M_RECORDS_RECEIVED	"lasteri_records_received_total"
#define M_RECORDS_ISSUED	"lasteri_records_issued_total"

/* s as the value of an XML attribute (escaped, control characters
 * replaced), truncated to fit buf.  Returns buf. */
const char *api_xml_attr(const char *s, char *buf, size_t len);

/* The limit (1..max, *limit unchanged when absent) and format (table, csv,
 * xml) parameters of a listing; -1 after answering 400 naming the one that
 * is bad. */
struct httpd_req;
int	api_list_params(struct httpd_req *r, long max, long *limit,
	    enum out_format *fmt);

/* Answers r 200 with the n tables rendered in fmt (doc: the XML root's
 * name), or with the error (api_reply_err) when they cannot be. */
struct out_table;
void	api_reply_tables(struct httpd_req *r, enum out_format fmt,
	    const char *doc, struct out_table *const *t, size_t n);

/* Answers r with the HTTP status and error token of e (usage 400,
 * input/schema 422, conflict 409, not found 404, a signature that does not
 * verify 422 bad-signature, a signer the trust list does not allow 403,
 * no memory 503, else 500)
 * and e's message. */
struct err;
void	api_reply_err(struct httpd_req *r, const struct err *e);

/* Lower-case hex SHA-256 of len bytes at p into out (65 bytes). */
void	api_sha256_hex(const void *p, size_t len, char out[65]);

/* The home region of rec's unit into out: its UnitRegion, else the region
 * of the unit in this node's store, else "". */
struct supervision_record;
void	api_unit_region(struct node *n, const struct supervision_record *rec,
	    char out[3]);

/* When the held trust list has expired: answers r with 503 trust-expired
 * and returns 1; else 0. */
struct httpd_req;
int	api_trust_refuse(struct node *n, struct httpd_req *r);

/* Sets the records-stored gauge from the store. */
void	api_records_publish(struct node *n);

#endif
