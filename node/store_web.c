/*
 * store_web.c - the web pages' own reads (see store_web.h).  Each runs one
 * statement prepared for the call: these are pages people open, not hot
 * paths.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store.h"
#include "store_internal.h"
#include "store_web.h"

static void
col_text(sqlite3_stmt *st, int i, char *buf, size_t len)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(buf, len, "%s", t != NULL ? (const char *)t : "");
}

int
store_web_deadlines(struct store *s, time_t before,
    struct store_web_deadline **out, size_t *n, struct err *e)
{
	static const char sql[] = "SELECT r.id, r.unit_id,"
	    " coalesce(u.name, ''), r.kind, r.issuer, b.deadline"
	    " FROM record_brief b JOIN supervision_records r ON r.id = b.id"
	    " LEFT JOIN unit_brief u ON u.id = r.unit_id"
	    " WHERE b.open = 1 AND b.deadline IS NOT NULL AND b.deadline >= 0"
	    " AND (?1 = 0 OR b.deadline < ?1)"
	    " ORDER BY b.deadline, r.id LIMIT ?2";
	struct store_web_deadline *v = NULL, *d;
	sqlite3_stmt *st = NULL;
	size_t k = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_dberr(s, "reading deadlines", e);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)before);
	sqlite3_bind_int(st, 2, STORE_WEB_ROWS_MAX);
	if ((v = calloc(STORE_WEB_ROWS_MAX, sizeof(*v))) == NULL) {
		sqlite3_finalize(st);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && k < STORE_WEB_ROWS_MAX) {
		d = &v[k++];
		col_text(st, 0, d->id, sizeof(d->id));
		col_text(st, 1, d->unit_id, sizeof(d->unit_id));
		col_text(st, 2, d->unit_name, sizeof(d->unit_name));
		col_text(st, 3, d->kind, sizeof(d->kind));
		col_text(st, 4, d->issuer, sizeof(d->issuer));
		d->deadline = (time_t)sqlite3_column_int64(st, 5);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_dberr(s, "reading deadlines", e);
		sqlite3_finalize(st);
		free(v);
		return -1;
	}
	sqlite3_finalize(st);
	*out = v;
	*n = k;
	return 0;
}

static int
each_xml(struct store *s, const char *sql, const char *bind,
    const char *what, store_web_xml_fn *fn, void *arg, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int rc, k = 0;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_dberr(s, what, e);
	if (bind != NULL)
		sqlite3_bind_text(st, 1, bind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, bind != NULL ? 2 : 1, STORE_WEB_ROWS_MAX);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && k++ <
	    STORE_WEB_ROWS_MAX)
		if (fn(arg, (const char *)sqlite3_column_text(st, 0),
		    sqlite3_column_blob(st, 1),
		    (size_t)sqlite3_column_bytes(st, 1)) == -1) {
			rc = SQLITE_DONE;
			break;
		}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_dberr(s, what, e);
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

int
store_web_visits(struct store *s, store_web_xml_fn *fn, void *arg,
    struct err *e)
{
	return each_xml(s, "SELECT id, xml FROM supervision_records"
	    " WHERE kind IN ('pre-inspection', 'inspection-announced',"
	    " 'inspection-unannounced', 'guidance-visit')"
	    " AND status <> 'closed' ORDER BY opened DESC, id LIMIT ?1",
	    NULL, "reading planned visits", fn, arg, e);
}

int
store_web_provider_units(struct store *s, const char *bid,
    store_web_xml_fn *fn, void *arg, struct err *e)
{
	char pat[40];

	snprintf(pat, sizeof(pat), "businessId=\"%s\"", bid);
	return each_xml(s, "SELECT id, xml FROM units"
	    " WHERE instr(xml, ?1) > 0 ORDER BY id LIMIT ?2", pat,
	    "reading the provider's units", fn, arg, e);
}
