/*
 * dbcheck.h - `lasteri check`: is a node's database whole, and does what it
 * holds still verify?
 *
 * SQLite's integrity_check, then every stored supervision record that
 * carries a signature verified again (verifier_record, at now: the record
 * rules judge the signature at its signedAt), then, when the origin (the
 * node's member ID) is known, the transparency log against the latest
 * checkpoint the node signed (tlog_verify).  Used by the node on its own
 * connection (POST /admin/v1/check) and offline by `lasteri check --db`.
 */
#ifndef LASTERI_DBCHECK_H
#define LASTERI_DBCHECK_H

#include <time.h>

#include "err.h"

struct store;
struct verifier;

#define DBCHECK_BAD_MAX	5	/* failing records named in the report */

struct dbcheck {
	int	integrity_ok;
	char	integrity[ERR_MSG_MAX];	/* the failure, "" when ok */
	long	records;		/* stored records */
	long	signed_ok;		/* signed and verified again */
	long	unsigned_records;	/* stored without a signature */
	long	bad;			/* signed but not verifying now */
	char	bad_msg[DBCHECK_BAD_MAX][ERR_MSG_MAX];
	int	log_checked;		/* 0: no origin, or no verifier */
	int	log_ok;
	char	log[ERR_MSG_MAX];	/* the log's failure, "" when ok */
};

/* Runs the checks on s; v (may be NULL: records are then counted, not
 * verified) and origin (may be NULL: no log check).  -1 only when the
 * check itself could not run (e set); otherwise 0 and *out says what was
 * found. */
int	dbcheck_run(struct store *s, struct verifier *v, const char *origin,
	    time_t now, struct dbcheck *out, struct err *e);

/* 1 when out found nothing wrong. */
int	dbcheck_ok(const struct dbcheck *out);

/* The report, one line per finding, then "check: ok" or "check: N
 * problems": malloc'd, caller frees; NULL when out of memory. */
char	*dbcheck_format(const struct dbcheck *out, const char *db);

#endif
