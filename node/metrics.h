/*
 * metrics.h - the node's counters and gauges, written out in the Prometheus
 * text format for GET /metrics on the admin socket.
 *
 * A family (name, type, help) is registered once; its series are told apart
 * by a label string that the caller writes ("endpoint=\"/v1/health\",..."),
 * always from a bounded set (route patterns, fixed reasons), never from what
 * a peer sent.  The number of series is capped; past the cap an update is
 * dropped, not the daemon.  Single-threaded, like the event loop.
 */
#ifndef LASTERI_METRICS_H
#define LASTERI_METRICS_H

#include <stddef.h>

enum metrics_type {
	METRICS_COUNTER,
	METRICS_GAUGE
};

/* The families the node registers at start (metrics_new does it). */
#define M_HTTP_REQUESTS		"lasteri_http_requests_total"
#define M_TLS_HANDSHAKES	"lasteri_tls_handshakes_total"
#define M_TLS_FAILURES		"lasteri_tls_handshake_failures_total"
#define M_CONN_OPEN		"lasteri_connections_open"
#define M_CONN_HANDSHAKING	"lasteri_connections_handshaking"
#define M_CONN_ADMIN		"lasteri_admin_connections_open"
#define M_CONN_WEB		"lasteri_web_connections_open"
#define M_CONN_REFUSED		"lasteri_connections_refused_total"
#define M_ACCEPT_ERRORS		"lasteri_accept_errors_total"
#define M_TRUST_EXPIRED		"lasteri_trust_list_expired"
#define M_TRUST_SEQUENCE	"lasteri_trust_list_sequence"
#define M_TRUST_EXPIRY		"lasteri_trust_list_expiry_timestamp_seconds"
#define M_TRUST_RELOADS		"lasteri_trust_list_reloads_total"
#define M_OUTBOX_PENDING	"lasteri_outbox_pending"
#define M_RECORDS_STORED	"lasteri_records_stored"
/* Its two series: stored with a signature the node verified, and not. */
#define M_SIGNED_YES		"signed=\"yes\""
#define M_SIGNED_NO		"signed=\"no\""
#define M_START_TIME		"lasteri_start_time_seconds"

struct metrics;

/* NULL when out of memory.  Caller frees with metrics_free(). */
struct metrics	*metrics_new(void);
void		 metrics_free(struct metrics *m);	/* NULL is a no-op */

/* Registers a family; 0, or -1 when the table is full or name is taken by
 * another type. Registering the same name and type again is a no-op. */
int		 metrics_register(struct metrics *m, const char *name,
		    enum metrics_type type, const char *help);

/* labels may be NULL or "" for none.  An unknown family is ignored. */
void		 metrics_add(struct metrics *m, const char *name,
		    const char *labels, double v);
void		 metrics_inc(struct metrics *m, const char *name,
		    const char *labels);
void		 metrics_set(struct metrics *m, const char *name,
		    const char *labels, double v);
/* The value of one series (0 when there is none), for tests and health. */
double		 metrics_get(const struct metrics *m, const char *name,
		    const char *labels);

/* The text exposition; caller frees.  NULL when out of memory. */
char		*metrics_format(const struct metrics *m, size_t *len);

#endif
