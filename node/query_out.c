/*
 * query_out.c - the tables of a search answer, of statistics and of the
 * supervision records about a unit (see query_out.h).  Moved here from
 * tools/cmd_query.c so that the node renders exactly what the CLI prints.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "model.h"
#include "output.h"
#include "query_out.h"
#include "search.h"
#include "stats.h"
#include "vocab.h"

static void
fmt_eur(long cents, char *buf, size_t len)
{
	if (cents < 0)
		snprintf(buf, len, "-");
	else if (cents % 100 == 0)
		snprintf(buf, len, "%ld", cents / 100);
	else
		snprintf(buf, len, "%ld.%02ld", cents / 100, cents % 100);
}

static void
fmt_date(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (t <= 0 || gmtime_r(&t, &tm) == NULL)
		snprintf(buf, len, "-");
	else
		strftime(buf, len, "%Y-%m-%d", &tm);
}

struct out_table *
query_out_search(const struct search_result *res, size_t n,
    const struct search_totals *tot)
{
	static const char *const keys[] = {
		"rank", "unit-id", "name", "region", "type", "level",
		"free-places", "free-updated", "price-eur", "needs-met",
		"framework", "findings", "recent-findings", "score"
	};
	static const char *const heads[] = {
		"#", "unit ID", "name", "region", "type", "level", "free",
		"updated", "EUR/day", "needs", "framework", "findings", "recent",
		"score"
	};
	static const size_t right[] = { 0, 6, 8, 9, 12, 13 };
	struct out_table *t;
	char rank[24], fp[16], upd[16], price[32], needs[32], find[64],
	    recent[16], score[32], note[256];
	const char *cells[14];
	size_t i;

	if ((t = out_table_new("results", 14, keys, heads)) == NULL)
		return NULL;
	for (i = 0; i < sizeof(right) / sizeof(right[0]); i++)
		out_table_right(t, right[i]);
	for (i = 0; i < n; i++) {
		const struct search_result *r = &res[i];

		snprintf(rank, sizeof(rank), "%zu", i + 1);
		snprintf(fp, sizeof(fp), "%d", r->free_places);
		fmt_date(r->free_updated, upd, sizeof(upd));
		fmt_eur(r->price_cents, price, sizeof(price));
		snprintf(needs, sizeof(needs), "%d/%d", r->needs_met,
		    r->needs_asked);
		search_result_findings(r, find, sizeof(find));
		snprintf(recent, sizeof(recent), "%d", r->recent_findings);
		snprintf(score, sizeof(score), "%ld", r->score);
		cells[0] = rank;
		cells[1] = r->unit_id;
		cells[2] = r->name;
		cells[3] = r->region;
		cells[4] = vocab_token(&vocab_unit_type, r->type);
		cells[5] = vocab_token(&vocab_service_level, r->service_level);
		cells[6] = fp;
		cells[7] = upd;
		cells[8] = price;
		cells[9] = needs;
		cells[10] = r->in_framework ? "yes" : "no";
		cells[11] = find;
		cells[12] = recent;
		cells[13] = score;
		if (out_table_add(t, cells) == -1)
			goto fail;
	}
	snprintf(note, sizeof(note), "%zu of %zu units matched; %zu more left out "
	    "for an open order to correct, a suspension or an invalid licence.",
	    tot->matched, tot->scanned, tot->blocked);
	if (out_table_note(t, note) == -1)
		goto fail;
	snprintf(note, sizeof(note), "%zu", tot->matched);
	if (out_table_attr(t, "matched", note) == -1)
		goto fail;
	snprintf(note, sizeof(note), "%zu", tot->blocked);
	if (out_table_attr(t, "excluded-by-supervision", note) == -1)
		goto fail;
	return t;
fail:
	out_table_free(t);
	return NULL;
}

/* A stats_table as an out_table: group key, label, then the cells. */
struct out_table *
query_out_stats(const struct stats_table *st)
{
	const char *keys[2 + 16], *heads[2 + 16], *cells[2 + 16];
	char buf[16][32], title[128], note[256];
	struct out_table *t = NULL;
	size_t r, c;

	if (st->ncols > 16)
		return NULL;
	keys[0] = "group";
	heads[0] = stats_by_name(st->by);
	keys[1] = "label";
	heads[1] = st->by == STATS_BY_REGION ? "name" : "label";
	for (c = 0; c < st->ncols; c++) {
		keys[2 + c] = st->col_keys[c];
		heads[2 + c] = st->col_heads[c];
	}
	if ((t = out_table_new(st->name, st->ncols + 2, keys, heads)) == NULL)
		return NULL;
	for (c = 0; c < st->ncols; c++)
		out_table_right(t, 2 + c);
	snprintf(title, sizeof(title), "%s by %s",
	    st->sensitive ? "Supervision activity" : "Units, places and free places",
	    stats_by_name(st->by));
	if (out_table_title(t, title) == -1 ||
	    out_table_attr(t, "by", stats_by_name(st->by)) == -1)
		goto fail;
	if (st->sensitive) {
		snprintf(note, sizeof(note), "%ld", st->threshold);
		if (out_table_attr(t, "threshold", note) == -1)
			goto fail;
	}
	for (r = 0; r < st->nrows; r++) {
		cells[0] = st->row_keys[r];
		cells[1] = st->row_labels[r];
		for (c = 0; c < st->ncols; c++) {
			stats_cell_text(st, r, c, buf[c], sizeof(buf[c]));
			cells[2 + c] = buf[c];
		}
		if (out_table_add(t, cells) == -1)
			goto fail;
	}
	if (st->by == STATS_BY_EXPERTISE && out_table_note(t, "A unit with "
	    "several kinds of expertise is counted in each; the total counts "
	    "each once.") == -1)
		goto fail;
	if (st->sensitive) {
		snprintf(note, sizeof(note), "<%ld: a count from 1 to %ld, "
		    "suppressed; x: suppressed so that a small count cannot be "
		    "derived from the totals.", st->threshold, st->threshold - 1);
		if (st->threshold > 1 && out_table_note(t, note) == -1)
			goto fail;
	}
	return t;
fail:
	out_table_free(t);
	return NULL;
}

/* "2 (1 serious)", "none": the findings of one record. */
static void
findings_text(const struct supervision_record *r, char *buf, size_t len)
{
	int i, worst = -1;

	if (r->nfindings == 0) {
		snprintf(buf, len, "none");
		return;
	}
	for (i = 0; i < r->nfindings; i++)
		if (r->findings[i].severity > worst)
			worst = r->findings[i].severity;
	snprintf(buf, len, "%d (worst %s)", r->nfindings,
	    worst >= 0 ? vocab_token(&vocab_severity, worst) : "-");
}

struct out_table *
query_out_records(const char *unit_id, const struct supervision_record *r,
    const char *const *signer, size_t n)
{
	static const char *const keys[] = {
		"record-id", "kind", "issuer", "signer", "opened", "status",
		"findings", "deadline"
	};
	static const char *const heads[] = {
		"record ID", "kind", "issuer", "signer (verified)", "opened",
		"status", "findings", "deadline"
	};
	struct out_table *t;
	char find[64], note[128];
	const char *cells[8];
	size_t i;

	if ((t = out_table_new("records", 8, keys, heads)) == NULL)
		return NULL;
	snprintf(note, sizeof(note), "Supervision records about unit %s",
	    unit_id);
	if (out_table_title(t, note) == -1 ||
	    out_table_attr(t, "unit", unit_id) == -1)
		goto fail;
	for (i = 0; i < n; i++) {
		findings_text(&r[i], find, sizeof(find));
		cells[0] = r[i].id;
		cells[1] = vocab_token(&vocab_record_kind, r[i].kind);
		cells[2] = r[i].issuer;
		cells[3] = signer[i];
		cells[4] = r[i].opened;
		cells[5] = vocab_token(&vocab_record_status, r[i].status);
		cells[6] = find;
		cells[7] = r[i].deadline[0] != '\0' ? r[i].deadline : "-";
		if (out_table_add(t, cells) == -1)
			goto fail;
	}
	snprintf(note, sizeof(note), "%zu %s held by this node.", n,
	    n == 1 ? "record" : "records");
	if (out_table_note(t, note) == -1)
		goto fail;
	return t;
fail:
	out_table_free(t);
	return NULL;
}
