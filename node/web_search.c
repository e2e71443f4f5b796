/*
 * web_search.c - the pages that ask the country (see web.h): placement
 * search (/search, with its shortlist as CSV), the unit page (/units/ID)
 * and statistics (/stats).  Each asks its national query through
 * national_ask() (api_national.h: the same signed Query, fan-out, checks
 * and merge as `lasteri search --national`) and renders the answer when
 * every region has a status; the regions' status is always shown in plain
 * words above the result.
 *
 * The search form's fields are named as the CLI's options and read with
 * the same parser (query_search_set), so a page's URL is the same question
 * as the command line; the form has no field for a person, and the audit
 * trail keeps the needs asked.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/tree.h>

#include "api_national.h"
#include "dsig.h"
#include "fanout.h"
#include "hex.h"
#include "html.h"
#include "httpd.h"
#include "log.h"
#include "merge.h"
#include "model.h"
#include "node.h"
#include "output.h"
#include "query.h"
#include "search.h"
#include "stats.h"
#include "store.h"
#include "store_retire.h"
#include "trust.h"
#include "vocab.h"
#include "web_internal.h"
#include "xml.h"

#define PARAMS_MAX	96
#define PICKS_MAX	100
#define STATS_TABLES	4

/* Languages offered in the form (ISO 639-1); the label is a msgid. */
static const struct {
	const char	*code;
	const char	*label;
} langs[] = {
	{ "fi", N_("Finnish") }, { "sv", N_("Swedish") },
	{ "en", N_("English") }, { "se", N_("Sámi") },
	{ "ru", N_("Russian") }, { "et", N_("Estonian") },
	{ "ar", N_("Arabic") }, { "so", N_("Somali") },
	{ "uk", N_("Ukrainian") }, { "fa", N_("Persian") },
	{ NULL, NULL }
};

/* One search, from the form to its answer. */
struct wsearch {
	struct wreq		*q;
	struct national_req	 rq;
	const char		*pname[PARAMS_MAX];	/* the form as sent */
	char			*pval[PARAMS_MAX];
	int			 np;
	char			 bad_field[32];	/* the field in error */
	char			 bad_msg[ERR_MSG_MAX];
	int			 csv;
	int			 regional;	/* scope=region */
	const char		*picks[PICKS_MAX];
	int			 npicks;
};

static void
wsearch_free(struct wsearch *s)
{
	int i;

	for (i = 0; i < s->np; i++)
		free(s->pval[i]);
	free(s);
}

/* 1 when the form sent name=value. */
static int
sent(const struct wsearch *s, const char *name, const char *value)
{
	int i;

	for (i = 0; i < s->np; i++)
		if (strcmp(s->pname[i], name) == 0 && (value == NULL ||
		    strcmp(s->pval[i], value) == 0))
			return 1;
	return 0;
}

static const char *
sent_value(const struct wsearch *s, const char *name)
{
	int i;

	for (i = 0; i < s->np; i++)
		if (strcmp(s->pname[i], name) == 0)
			return s->pval[i];
	return "";
}

/* --- the region status in plain words ----------------------------------------- */

static const char *
region_name(const char *code)
{
	int k = region_find(code);

	return k >= 0 ? regions[k].name : code;
}

static const char *
status_words(int st)
{
	switch (st) {
	case FANOUT_ST_OK:
		return _("answered");
	case FANOUT_ST_TIMEOUT:
		return _("did not answer in time");
	case FANOUT_ST_UNREACHABLE:
		return _("could not be reached");
	case FANOUT_ST_TLS_ERROR:
		return _("refused the secure connection");
	case FANOUT_ST_BAD_SIGNATURE:
		return _("sent an answer whose signature did not verify; it was "
		    "left out");
	default:
		return _("answered with an error");
	}
}

static void
regions_block(struct wreq *q, const struct national_out *o)
{
	size_t i, ok = 0;

	for (i = 0; i < o->n; i++)
		if (o->res[i].status == FANOUT_ST_OK)
			ok++;
	html_f(&q->h, "<section id=\"regions\" class=\"status%s\" "
	    "aria-labelledby=\"regions-h\">\n<h2 id=\"regions-h\">%s</h2>\n<p>",
	    ok == o->n ? "" : " partial", _("Regions"));
	html_f(&q->h, dngettext("lasteri", "%zu of %zu region answered",
	    "%zu of %zu regions answered", (unsigned long)o->n), ok, o->n);
	for (i = 0; i < o->n; i++)
		if (o->res[i].status != FANOUT_ST_OK)
			html_f(&q->h, "; %s %s", region_name(o->res[i].region),
			    status_words((int)o->res[i].status));
	html_raw(&q->h, ".</p>\n");
	if (o->mr != NULL && o->mr->nnotes > 0)
		html_f(&q->h, "<p>%s</p>\n", _("Some answers or records were "
		    "left out because they could not be checked; the details "
		    "are below."));
	html_f(&q->h, "<details><summary>%s</summary>\n<table>\n<thead><tr>"
	    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
	    "<th scope=\"col\" class=\"num\">%s</th><th scope=\"col\">%s</th>"
	    "</tr></thead>\n<tbody>\n", _("Each region's answer"), _("Region"),
	    _("Answer"), _("Time (ms)"), _("Detail"));
	for (i = 0; i < o->n; i++)
		html_f(&q->h, "<tr><th scope=\"row\">%s %s</th><td>%s</td>"
		    "<td class=\"num\">%ld</td><td>%s</td></tr>\n",
		    o->res[i].region, region_name(o->res[i].region),
		    status_words((int)o->res[i].status), o->res[i].ms,
		    o->res[i].detail);
	html_raw(&q->h, "</tbody>\n</table>\n");
	for (i = 0; o->mr != NULL && i < o->mr->nnotes; i++)
		html_f(&q->h, "<p class=\"note\">%s (%s %s): %s</p>\n",
		    merge_note_name(o->mr->notes[i].kind),
		    o->mr->notes[i].region, o->mr->notes[i].id,
		    o->mr->notes[i].reason);
	html_raw(&q->h, "</details>\n</section>\n");
}

/* --- the search form ------------------------------------------------------------- */

static void
field_error(struct wreq *q, const struct wsearch *s, const char *field)
{
	if (s != NULL && strcmp(s->bad_field, field) == 0)
		html_f(&q->h, "<span class=\"field-error\" id=\"err-%s\">%s"
		    "</span>", field, s->bad_msg);
}

static void
checkboxes(struct wreq *q, const struct wsearch *s, const char *name,
    const char *legend, const struct vocab *v)
{
	int i;

	html_f(&q->h, "<fieldset><legend>%s</legend>", legend);
	field_error(q, s, name);
	for (i = 0; vocab_token(v, i) != NULL; i++)
		html_f(&q->h, "<label><input type=\"checkbox\" name=\"%s\" "
		    "value=\"%s\"%s> %s</label>\n", name, vocab_token(v, i),
		    s != NULL && sent(s, name, vocab_token(v, i)) ?
		    " checked" : "", web_vocab(v, i));
	html_raw(&q->h, "</fieldset>\n");
}

static void
region_select(struct wreq *q, const struct wsearch *s, const char *name,
    const char *label, const char *any)
{
	const char *cur = s != NULL ? sent_value(s, name) : "";
	int i;

	html_f(&q->h, "<p><label for=\"f-%s\">%s</label><select id=\"f-%s\" "
	    "name=\"%s\"><option value=\"\">%s</option>", name, label, name,
	    name, any);
	for (i = 0; i < REGION_COUNT; i++)
		html_f(&q->h, "<option value=\"%s\"%s>%s %s</option>",
		    regions[i].code, strcmp(cur, regions[i].code) == 0 ?
		    " selected" : "", regions[i].code, regions[i].name);
	html_raw(&q->h, "</select>");
	field_error(q, s, name);
	html_raw(&q->h, "</p>\n");
}

static void
number_field(struct wreq *q, const struct wsearch *s, const char *name,
    const char *label, int min, int max, int required)
{
	html_f(&q->h, "<p><label for=\"f-%s\">%s</label><input id=\"f-%s\" "
	    "name=\"%s\" type=\"number\" min=\"%d\" max=\"%d\" value=\"%s\"%s"
	    "%s%s%s>", name, label, name, name, min, max, s != NULL ?
	    sent_value(s, name) : "", required ? " required" : "",
	    s != NULL && strcmp(s->bad_field, name) == 0 ?
	    " aria-invalid=\"true\" aria-describedby=\"err-" : "",
	    s != NULL && strcmp(s->bad_field, name) == 0 ? name : "",
	    s != NULL && strcmp(s->bad_field, name) == 0 ? "\"" : "");
	field_error(q, s, name);
	html_raw(&q->h, "</p>\n");
}

static void
search_form(struct wreq *q, const struct wsearch *s)
{
	int i;

	html_f(&q->h, "<form method=\"get\" action=\"/search\" "
	    "id=\"search-form\">\n<p class=\"note\">%s</p>\n<div "
	    "class=\"grid\">\n", _("Describe the child's needs. Never enter "
	    "a name or other personal data."));
	number_field(q, s, "age", _("Age (years)"), 0, 24, 1);
	html_f(&q->h, "<p><label for=\"f-gender\">%s</label><select "
	    "id=\"f-gender\" name=\"gender\"><option value=\"\">%s</option>",
	    _("Unit's gender"), _("any"));
	for (i = 0; vocab_token(&vocab_gender, i) != NULL; i++)
		html_f(&q->h, "<option value=\"%s\"%s>%s</option>",
		    vocab_token(&vocab_gender, i), s != NULL && sent(s,
		    "gender", vocab_token(&vocab_gender, i)) ? " selected" :
		    "", web_vocab(&vocab_gender, i));
	html_raw(&q->h, "</select></p>\n");
	number_field(q, s, "max-price", _("Highest daily price (EUR)"), 1,
	    100000, 0);
	number_field(q, s, "free-places", _("Free places needed"), 1, 24, 0);
	region_select(q, s, "region", _("Only in region"), _("whole country"));
	region_select(q, s, "prefer-region", _("Preferred region"),
	    _("no preference"));
	html_raw(&q->h, "</div>\n");
	html_f(&q->h, "<fieldset><legend>%s</legend>", _("Languages"));
	field_error(q, s, "language");
	for (i = 0; langs[i].code != NULL; i++)
		html_f(&q->h, "<label><input type=\"checkbox\" name=\"language\" "
		    "value=\"%s\"%s> %s</label>\n", langs[i].code, s != NULL &&
		    sent(s, "language", langs[i].code) ? " checked" : "",
		    _(langs[i].label));
	html_raw(&q->h, "</fieldset>\n");
	checkboxes(q, s, "target-group", _("Target groups"),
	    &vocab_target_group);
	checkboxes(q, s, "expertise", _("Expertise"), &vocab_expertise);
	checkboxes(q, s, "type", _("Unit type"), &vocab_unit_type);
	checkboxes(q, s, "level", _("Service level"), &vocab_service_level);
	html_f(&q->h, "<fieldset><legend>%s</legend><label><input "
	    "type=\"radio\" name=\"scope\" value=\"national\"%s> %s</label>"
	    "<label><input type=\"radio\" name=\"scope\" value=\"region\"%s> "
	    "%s</label></fieldset>\n", _("Search"), s == NULL ||
	    !s->regional ? " checked" : "", _("the whole country"),
	    s != NULL && s->regional ? " checked" : "",
	    _("this region's units only"));
	html_f(&q->h, "<p><button type=\"submit\">%s</button></p>\n</form>\n",
	    _("Search"));
}

/* --- the answer ------------------------------------------------------------------ */

static void
why(struct wreq *q, const struct search_result *r)
{
	int first = 1;

#define SEP()	do { if (!first) html_raw(&q->h, "; "); first = 0; } while (0)
	if (r->needs_asked > 0) {
		SEP();
		html_f(&q->h, _("meets %d of %d needs asked"), r->needs_met,
		    r->needs_asked);
	}
	if (r->in_framework) {
		SEP();
		html_text(&q->h, _("in this region's framework agreement"));
	}
	if (r->open_serious > 0) {
		SEP();
		html_text(&q->h, _("lowered: open serious supervision "
		    "findings"));
	} else if (r->recent_findings > 0) {
		SEP();
		html_f(&q->h, dngettext("lasteri", "%d supervision finding in "
		    "the last two years", "%d supervision findings in the last "
		    "two years", (unsigned long)r->recent_findings),
		    r->recent_findings);
	} else {
		SEP();
		html_text(&q->h, _("no recent supervision findings"));
	}
	if (r->free_places > 0) {
		SEP();
		html_text(&q->h, _("has free places"));
	}
#undef SEP
}

static void
price(struct html *h, long cents)
{
	if (cents <= 0)
		html_raw(h, "-");
	else
		html_f(h, "%ld,%s%ld €", cents / 100, cents % 100 < 10 ? "0" :
		    "", cents % 100);
}

static int
picked(const struct wsearch *s, const char *id)
{
	int i;

	if (s->npicks == 0)
		return 1;
	for (i = 0; i < s->npicks; i++)
		if (strcmp(s->picks[i], id) == 0)
			return 1;
	return 0;
}

static void
search_csv(struct wreq *q, struct wsearch *s, const struct search_result *res,
    size_t n)
{
	size_t i;
	char num[32];

	html_raw(&q->h, "rank,unit-id,name,region,type,level,free-places,"
	    "free-places-updated,daily-price-eur,open-serious-findings,"
	    "needs-met,needs-asked,in-framework\r\n");
	for (i = 0; i < n; i++) {
		if (!picked(s, res[i].unit_id))
			continue;
		html_f(&q->h, "%zu,", i + 1);
		html_csv(&q->h, res[i].unit_id);
		html_raw(&q->h, ",");
		html_csv(&q->h, res[i].name);
		html_raw(&q->h, ",");
		html_csv(&q->h, res[i].region);
		html_f(&q->h, ",%s,%s,%d,",
		    vocab_token(&vocab_unit_type, res[i].type),
		    vocab_token(&vocab_service_level, res[i].service_level),
		    res[i].free_places);
		if (res[i].free_updated > 0) {
			struct tm tm;

			gmtime_r(&res[i].free_updated, &tm);
			strftime(num, sizeof(num), "%Y-%m-%dT%H:%M:%SZ", &tm);
			html_raw(&q->h, num);
		}
		html_f(&q->h, ",%ld.%s%ld,%d,%d,%d,%s\r\n",
		    res[i].price_cents / 100, res[i].price_cents % 100 < 10 ?
		    "0" : "", res[i].price_cents % 100, res[i].open_serious,
		    res[i].needs_met, res[i].needs_asked, res[i].in_framework ?
		    "yes" : "no");
	}
	web_reply_raw(q, 200, "text/csv; charset=utf-8",
	    "attachment; filename=\"lasteri-shortlist.csv\"");
}

static void
search_done(void *arg, const struct national_out *o, const struct err *e)
{
	struct wsearch *s = arg;
	struct wreq *q = s->q;
	struct search_result *res = NULL;
	struct search_totals tot;
	size_t n = 0, i;
	int k;

	web_lang_begin(q->lang);
	if (o == NULL) {
		web_page_message(q, e->code == ERR_USAGE ? 400 : 503,
		    _("Placement search"), e->msg);
		wsearch_free(s);
		return;
	}
	if (national_search_results(o->merged, &res, &n, &tot) == -1) {
		web_page_message(q, 503, _("Placement search"), _("Out of "
		    "memory."));
		wsearch_free(s);
		return;
	}
	if (s->csv) {
		search_csv(q, s, res, n);
		free(res);
		wsearch_free(s);
		return;
	}
	web_page_begin(q, _("Placement search"));
	search_form(q, s);
	regions_block(q, o);
	html_f(&q->h, "<h2 id=\"results-h\">%s</h2>\n<p>", _("Results"));
	html_f(&q->h, dngettext("lasteri", "%zu unit fits", "%zu units fit",
	    (unsigned long)tot.matched), tot.matched);
	html_f(&q->h, dngettext("lasteri", " (of %zu searched); ",
	    " (of %zu searched); ", (unsigned long)tot.scanned), tot.scanned);
	html_f(&q->h, dngettext("lasteri", "the best %zu is shown.",
	    "the best %zu are shown.", (unsigned long)n), n);
	html_raw(&q->h, "</p>\n");
	/* The shortlist: a GET form that repeats the search's fields. */
	html_raw(&q->h, "<form method=\"get\" action=\"/search\">\n");
	for (k = 0; k < s->np; k++)
		if (strcmp(s->pname[k], "pick") != 0 &&
		    strcmp(s->pname[k], "format") != 0)
			html_f(&q->h, "<input type=\"hidden\" name=\"%s\" "
			    "value=\"%s\">\n", s->pname[k], s->pval[k]);
	html_f(&q->h, "<input type=\"hidden\" name=\"format\" value=\"csv\">\n"
	    "<table id=\"results\" aria-labelledby=\"results-h\">\n<thead><tr>"
	    "<th scope=\"col\" class=\"num\">%s</th><th scope=\"col\">%s</th>"
	    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
	    "<th scope=\"col\" class=\"num\">%s</th>"
	    "<th scope=\"col\" class=\"num\">%s</th><th scope=\"col\">%s</th>"
	    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n"
	    "<tbody>\n", _("Rank"), _("Unit"), _("Region"), _("Type and level"),
	    _("Free places"), _("Daily price"), _("Supervision"),
	    _("Why this rank"), _("Shortlist"));
	for (i = 0; i < n; i++) {
		const struct search_result *r = &res[i];

		html_f(&q->h, "<tr data-unit-id=\"%s\" data-region=\"%s\">"
		    "<td class=\"num\">%zu</td><th scope=\"row\"><a "
		    "href=\"/units/%u?region=%s\">%s</a></th><td>%s %s</td>"
		    "<td>%s, %s</td><td class=\"num\"><span class=\"free\">%d"
		    "</span><br><small>", r->unit_id, r->region, i + 1,
		    r->unit_id, r->region, r->name, r->region,
		    region_name(r->region), web_vocab(&vocab_unit_type,
		    r->type), web_vocab(&vocab_service_level,
		    r->service_level), r->free_places);
		web_age(q, r->free_updated);
		html_raw(&q->h, "</small></td><td class=\"num\">");
		price(&q->h, r->price_cents);
		html_raw(&q->h, "</td><td>");
		if (r->open_serious > 0)
			html_f(&q->h, "<span class=\"serious\">%s</span>",
			    dngettext("lasteri", "open serious finding",
			    "open serious findings",
			    (unsigned long)r->open_serious));
		else
			html_text(&q->h, _("no open serious findings"));
		html_raw(&q->h, "</td><td>");
		why(q, r);
		html_f(&q->h, "</td><td><label><input type=\"checkbox\" "
		    "name=\"pick\" value=\"%s\"> <span class=\"visually-"
		    "hidden\">%s</span></label></td></tr>\n", r->unit_id,
		    r->name);
	}
	html_f(&q->h, "</tbody>\n</table>\n<p><button type=\"submit\">%s"
	    "</button> <span class=\"note\">%s</span></p>\n</form>\n",
	    _("Download the shortlist (CSV)"), _("Tick the units to compare; "
	    "with none ticked, every row is downloaded."));
	free(res);
	web_page_end(q, 200);
	wsearch_free(s);
}

static int
collect(void *arg, const char *name, const char *value)
{
	struct wsearch *s = arg;
	static const char *const known[] = { "age", "gender", "language",
	    "target-group", "expertise", "type", "level", "region",
	    "prefer-region", "max-price", "free-places", "scope", "format",
	    "pick", NULL };
	int i;

	for (i = 0; known[i] != NULL; i++)
		if (strcmp(known[i], name) == 0)
			break;
	if (known[i] == NULL || s->np == PARAMS_MAX)
		return 0;		/* ignored, as a browser's extras */
	if ((s->pval[s->np] = strdup(value)) == NULL)
		return -1;
	s->pname[s->np++] = known[i];
	return 0;
}

static void
page_search(struct wreq *q)
{
	struct wsearch *s;
	const char *name, *region = web_region(q);
	struct err e;
	char audit[600];
	size_t off = 0;
	int i, k;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		web_page_message(q, 503, _("Placement search"), _("Out of "
		    "memory."));
		return;
	}
	s->q = q;
	s->rq.kind = ENVELOPE_SEARCH;
	query_search_init(&s->rq.qs, "");
	if (httpd_req_query_each(q->r, collect, s) == -1) {
		web_page_message(q, 400, _("Placement search"), _("The "
		    "address could not be read."));
		wsearch_free(s);
		return;
	}
	if (!sent(s, "age", NULL)) {		/* the empty form */
		web_page_begin(q, _("Placement search"));
		search_form(q, NULL);
		web_page_end(q, 200);
		wsearch_free(s);
		return;
	}
	err_clear(&e);
	audit[0] = '\0';
	for (i = 0; i < s->np; i++) {
		name = s->pname[i];
		if (strcmp(name, "pick") == 0) {
			if (s->npicks < PICKS_MAX)
				s->picks[s->npicks++] = s->pval[i];
			continue;
		}
		if (strcmp(name, "scope") == 0) {
			s->regional = strcmp(s->pval[i], "region") == 0;
			continue;
		}
		if (strcmp(name, "format") == 0) {
			s->csv = strcmp(s->pval[i], "csv") == 0;
			continue;
		}
		if (s->pval[i][0] == '\0')
			continue;	/* a field left empty */
		if (off < sizeof(audit) - 1) {
			k = snprintf(audit + off, sizeof(audit) - off, "%s%s=%s",
			    off ? " " : "", name, s->pval[i]);
			off += k > 0 ? (size_t)k : 0;
		}
		if (query_search_set(&s->rq.qs, strcmp(name, "target-group") ==
		    0 ? "need" : name, s->pval[i], &e) == -1) {
			snprintf(s->bad_field, sizeof(s->bad_field), "%s", name);
			snprintf(s->bad_msg, sizeof(s->bad_msg), "%s", e.msg);
			break;
		}
	}
	if (s->bad_field[0] == '\0' && !s->rq.qs.age_set) {
		snprintf(s->bad_field, sizeof(s->bad_field), "age");
		snprintf(s->bad_msg, sizeof(s->bad_msg), "%s", _("Give the "
		    "child's age in years (0 to 24)."));
	}
	if (s->bad_field[0] != '\0') {
		web_page_begin(q, _("Placement search"));
		html_f(&q->h, "<p class=\"error\" role=\"alert\">%s</p>\n",
		    _("Check the field marked below."));
		search_form(q, s);
		web_page_end(q, 400);
		wsearch_free(s);
		return;
	}
	if (region[0] != '\0')
		snprintf(s->rq.qs.purchaser, sizeof(s->rq.qs.purchaser), "%s",
		    region);
	if (s->regional && region[0] != '\0' && region_find(region) >= 0)
		s->rq.ask = (uint32_t)1 << region_find(region);
	web_audit(q, "search", "%s%s", audit, s->regional ? " scope=region" :
	    "");
	httpd_req_hold(q->r);
	web_lang_end();
	if (national_ask(q->n, &s->rq, search_done, s, &e) == -1) {
		web_lang_begin(q->lang);
		web_page_message(q, e.code == ERR_USAGE ? 400 : 503,
		    _("Placement search"), e.msg);
		wsearch_free(s);
	}
}

/* --- the unit page ----------------------------------------------------------------- */

struct wunit {
	struct wreq	*q;
	char		 id[ID_MAX + 1];
	char		 hint[3];	/* ?region= from the search */
	struct unit	 u;
	int		 local;		/* u is from this node's store */
	int		 retired;	/* ret holds its retirement */
	struct store_retired ret;
	int		 nrec;
};

static void
fact(struct wreq *q, const char *label, const char *value)
{
	if (value != NULL && *value != '\0')
		html_f(&q->h, "<dt>%s</dt><dd>%s</dd>\n", label, value);
}

static void
unit_facts(struct wreq *q, const struct unit *u)
{
	char num[64];
	int i;

	html_f(&q->h, "<h2>%s</h2>\n<dl class=\"facts\">\n", _("The unit"));
	fact(q, _("Unit ID"), u->id);
	fact(q, _("Provider"), u->provider_name);
	fact(q, _("Business ID"), u->provider_ytunnus);
	fact(q, _("Sector"), web_vocab(&vocab_sector, u->sector));
	fact(q, _("Type"), web_vocab(&vocab_unit_type, u->type));
	fact(q, _("Service level"), web_vocab(&vocab_service_level,
	    u->service_level));
	snprintf(num, sizeof(num), "%s %s", u->region, region_name(u->region));
	fact(q, _("Region"), num);
	fact(q, _("Address"), u->address);
	fact(q, _("Responsible person"), u->responsible);
	snprintf(num, sizeof(num), "%s%s", u->licence_date, u->licence_valid ?
	    "" : " ✗");
	fact(q, _("Licence"), u->licence_valid ? num : _("not valid"));
	snprintf(num, sizeof(num), "%d", u->places);
	fact(q, _("Licensed places"), num);
	html_f(&q->h, "<dt>%s</dt><dd><span class=\"free\">%d</span> (", 
	    _("Free places"), u->free_places);
	web_age(q, u->free_updated);
	html_raw(&q->h, ")</dd>\n");
	snprintf(num, sizeof(num), "%d–%d", u->age_min, u->age_max);
	fact(q, _("Ages"), num);
	fact(q, _("Gender"), web_vocab(&vocab_gender, u->gender));
	html_f(&q->h, "<dt>%s</dt><dd>", _("Languages"));
	for (i = 0; i < u->nlanguages; i++)
		html_f(&q->h, "%s%s", i ? ", " : "", u->languages[i]);
	html_f(&q->h, "</dd>\n<dt>%s</dt><dd>", _("Target groups"));
	for (i = 0; vocab_token(&vocab_target_group, i) != NULL; i++)
		if (u->target_groups & (UINT32_C(1) << i))
			html_f(&q->h, "%s; ", web_vocab(&vocab_target_group, i));
	html_f(&q->h, "</dd>\n<dt>%s</dt><dd>", _("Expertise"));
	for (i = 0; vocab_token(&vocab_expertise, i) != NULL; i++)
		if (u->expertise & (UINT32_C(1) << i))
			html_f(&q->h, "%s; ", web_vocab(&vocab_expertise, i));
	html_raw(&q->h, "</dd>\n");
	fact(q, _("Methods"), u->methods);
	snprintf(num, sizeof(num), "%d (%d %s)", u->staff_count,
	    u->staff_qualified, _("with a degree"));
	fact(q, _("Staff"), num);
	html_f(&q->h, "<dt>%s</dt><dd>", _("Daily price"));
	price(&q->h, u->price_cents);
	html_raw(&q->h, "</dd>\n");
	fact(q, _("Self-supervision plan"), u->self_supervision_url);
	html_raw(&q->h, "</dl>\n");
	html_f(&q->h, "<h2>%s</h2>\n", _("Procurement lots"));
	if (u->nlots == 0)
		html_f(&q->h, "<p>%s</p>\n", _("The unit is in no procurement "
		    "lot."));
	else {
		html_raw(&q->h, "<ul>\n");
		for (i = 0; i < u->nlots; i++)
			html_f(&q->h, "<li>%s</li>\n", u->lots[i]);
		html_raw(&q->h, "</ul>\n");
	}
}

static int
record_row(void *arg, const struct supervision_record *r,
    const struct dsig_info *info, const char *region)
{
	struct wunit *wu = arg;
	struct wreq *q = wu->q;
	int i;

	if (wu->nrec++ == 0)
		html_f(&q->h, "<table id=\"records\">\n<caption>%s</caption>\n"
		    "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s"
		    "</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		    "<th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
		    _("Supervision records from every region"), _("Opened"),
		    _("Kind"), _("Findings"), _("Status and deadline"),
		    _("Summary"), _("Signed by"), _("Answered by"));
	html_f(&q->h, "<tr data-record-id=\"%s\" data-region=\"%s\"><td>%s"
	    "</td><td>%s<br><small>%s</small></td><td>", r->id, region,
	    r->opened, web_vocab(
	    &vocab_record_kind, r->kind), r->id);
	for (i = 0; i < r->nfindings && i < REC_FINDING_MAX; i++)
		html_f(&q->h, "<span class=\"%s\">%s</span>: %s<br>",
		    r->findings[i].severity == SEV_HIGH ? "serious" : "sev",
		    web_vocab(&vocab_severity, r->findings[i].severity),
		    web_vocab(&vocab_finding_category,
		    r->findings[i].category));
	html_f(&q->h, "</td><td>%s%s%s</td><td>%s</td><td>%s (%s)<br>"
	    "<span class=\"ok\">%s</span></td><td>%s %s</td></tr>\n",
	    web_vocab(&vocab_record_status, r->status), r->deadline[0] ?
	    ", " : "", r->deadline, r->summary, info->member_id,
	    r->issuer, _("signature verified"), region, region_name(region));
	return 0;
}

static void
unit_done(void *arg, const struct national_out *o, const struct err *e)
{
	struct wunit *wu = arg;
	struct wreq *q = wu->q;
	char title[NAME_MAX_ + 64], when[32];
	size_t rl;

	web_lang_begin(q->lang);
	snprintf(title, sizeof(title), "%s", wu->local ? wu->u.name : wu->id);
	web_page_begin(q, title);
	if (wu->local && wu->retired) {
		model_datetime_format(wu->ret.at, when);
		when[10] = '\0';
		html_f(&q->h, "<p class=\"note\" role=\"status\">%s %s.",
		    _("This unit closed and was retired on"), when);
		rl = strlen(wu->ret.reason);
		/* The reason is one line of the operator's words: it ends
		 * its sentence here unless it ends one itself. */
		if (rl > 0)
			html_f(&q->h, " %s %s%s", _("Reason:"), wu->ret.reason,
			    strchr(".!?", wu->ret.reason[rl - 1]) != NULL ? "" :
			    ".");
		html_f(&q->h, " %s</p>\n", _("It is kept for its history and "
		    "is not offered in search."));
	}
	if (wu->local)
		unit_facts(q, &wu->u);
	else
		html_f(&q->h, "<p class=\"note\">%s %s</p>\n", _("This unit is "
		    "kept by the node of region"), wu->hint[0] ? wu->hint :
		    _("(unknown)"));
	html_f(&q->h, "<h2>%s</h2>\n", _("Supervision history"));
	if (o == NULL)
		html_f(&q->h, "<p class=\"error\" role=\"alert\">%s</p>\n",
		    e->msg);
	else {
		regions_block(q, o);
		national_records_each(o->merged, o->v, record_row, wu);
		if (wu->nrec == 0)
			html_f(&q->h, "<p>%s</p>\n", _("No region has "
			    "supervision records about this unit."));
		else
			html_raw(&q->h, "</tbody>\n</table>\n");
	}
	web_page_end(q, 200);
	free(wu);
}

static void
page_unit(struct wreq *q)
{
	struct national_req rq;
	struct wunit *wu;
	const char *path;
	xmlDocPtr doc;
	char *xml = NULL, hint[8];
	size_t len;
	struct err e;

	if ((wu = calloc(1, sizeof(*wu))) == NULL) {
		web_page_message(q, 503, _("Unit"), _("Out of memory."));
		return;
	}
	wu->q = q;
	path = httpd_req_path(q->r) + strlen("/units/");
	if (pct_decode(path, strlen(path), 0, wu->id, sizeof(wu->id)) == -1 ||
	    wu->id[0] == '\0') {
		free(wu);
		web_page_message(q, 404, _("Unit"), _("There is no such "
		    "unit."));
		return;
	}
	if (httpd_req_query(q->r, "region", hint, sizeof(hint)) == 1 &&
	    region_find(hint) >= 0)
		memcpy(wu->hint, regions[region_find(hint)].code, 3);
	err_clear(&e);
	if (store_unit_get(q->n->store, wu->id, &xml, &len, &e) == 0) {
		if ((doc = xml_parse(xml, len, "unit", &xml_limits_wire,
		    &e)) != NULL && model_unit_read(xmlDocGetRootElement(doc),
		    &wu->u, &e) == 0)
			wu->local = 1;
		xmlFreeDoc(doc);
		free(xml);
	}
	err_clear(&e);
	if (wu->local && store_unit_retired_get(q->n->store, wu->id,
	    &wu->ret, &e) == 1)
		wu->retired = 1;
	memset(&rq, 0, sizeof(rq));
	rq.kind = ENVELOPE_LOOKUP;
	snprintf(rq.unit, sizeof(rq.unit), "%s", wu->id);
	httpd_req_hold(q->r);
	web_lang_end();
	err_clear(&e);
	if (national_ask(q->n, &rq, unit_done, wu, &e) == -1)
		unit_done(wu, NULL, &e);
}

/* --- statistics ---------------------------------------------------------------------- */

/* The statistics tables' column heads, for the catalogues (the tables
 * carry them in English, as the CLI prints them). */
static const char *const stats_words[] = {
	N_("units"), N_("places"), N_("free places"), N_("visits"),
	N_("complaints"), N_("open orders"), N_("overdue"), N_("decisions"),
	N_("no action"), N_("view"), N_("attention"), N_("reprimand"),
	N_("min"), N_("p25"), N_("median"), N_("p75"), N_("max"),
	N_("group"), N_("label"), N_("name"), N_("level"), N_("region"),
	N_("type"), N_("expertise"), N_("total"), N_("none"), NULL
};

static const char *
stats_title(const struct out_table *t)
{
	const char *name = out_table_name(t);

	(void)stats_words;
	if (strcmp(name, "capacity") == 0)
		return _("Units, places and free places");
	if (strcmp(name, "prices") == 0)
		return _("Daily prices (EUR)");
	return _("Supervision activity");
}

/* A bar chart of the column whose key is key (the first number column when
 * there is none), rows but the total, drawn by the node. */
static void
bar_chart(struct wreq *q, const struct out_table *t)
{
	size_t col = 0, c, r, n = out_table_rows(t), shown = 0;
	long v, max = 0;
	const char *cell, *label;
	int y;

	for (c = 0; c < out_table_cols(t); c++)
		if (out_table_is_right(t, c)) {
			col = c;
			break;
		}
	if (col == 0 || n == 0)
		return;
	for (r = 0; r < n; r++) {
		cell = out_table_cell(t, r, col);
		if (cell != NULL && (v = strtol(cell, NULL, 10)) > max &&
		    out_table_cell(t, r, 0) != NULL &&
		    strcmp(out_table_cell(t, r, 0), "total") != 0)
			max = v;
	}
	if (max <= 0)
		return;
	html_f(&q->h, "<figure><svg role=\"img\" aria-labelledby=\"fig-%s\" "
	    "width=\"640\" height=\"%zu\" viewBox=\"0 0 640 %zu\" "
	    "xmlns=\"http://www.w3.org/2000/svg\">\n", out_table_name(t),
	    n * 20 + 10, n * 20 + 10);
	for (r = 0; r < n; r++) {
		cell = out_table_cell(t, r, col);
		label = out_table_cell(t, r, 1);
		if (cell == NULL || out_table_cell(t, r, 0) == NULL ||
		    strcmp(out_table_cell(t, r, 0), "total") == 0)
			continue;
		/* A peer's figure: clamped, never trusted to fit. */
		v = strtol(cell, NULL, 10);
		v = v < 0 ? 0 : v > max ? max : v;
		y = (int)(shown * 20 + 5);
		html_f(&q->h, "<text x=\"0\" y=\"%d\">%s</text><rect "
		    "class=\"bar\" x=\"200\" y=\"%d\" width=\"%ld\" "
		    "height=\"14\"/><text x=\"%ld\" y=\"%d\">%s</text>\n", y + 12,
		    label != NULL && *label != '\0' ? _(label) : "", y,
		    (long)((double)v * 360 / (double)max),
		    (long)((double)v * 360 / (double)max) + 205, y + 12, cell);
		shown++;
	}
	html_f(&q->h, "</svg><figcaption id=\"fig-%s\">%s: %s</figcaption>"
	    "</figure>\n", out_table_name(t), stats_title(t),
	    _(out_table_head(t, col)));
}

static void
stats_table(struct wreq *q, const struct out_table *t)
{
	const char **notes;
	size_t r, c, nn, i;
	const char *cell;

	html_f(&q->h, "<h2>%s</h2>\n", stats_title(t));
	bar_chart(q, t);
	html_f(&q->h, "<table data-table=\"%s\">\n<thead><tr>",
	    out_table_name(t));
	for (c = 0; c < out_table_cols(t); c++)
		html_f(&q->h, "<th scope=\"col\"%s>%s</th>",
		    out_table_is_right(t, c) ? " class=\"num\"" : "",
		    _(out_table_head(t, c)));
	html_raw(&q->h, "</tr></thead>\n<tbody>\n");
	for (r = 0; r < out_table_rows(t); r++) {
		html_raw(&q->h, "<tr>");
		for (c = 0; c < out_table_cols(t); c++) {
			cell = out_table_cell(t, r, c);
			if (cell == NULL)
				cell = "";
			else if (c == 1 && *cell != '\0')
				cell = _(cell);	/* a vocabulary label */
			html_f(&q->h, c == 0 ? "<th scope=\"row\">%s</th>" :
			    out_table_is_right(t, c) ? "<td class=\"num\">%s"
			    "</td>" : "<td>%s</td>", cell);
		}
		html_raw(&q->h, "</tr>\n");
	}
	html_raw(&q->h, "</tbody>\n</table>\n");
	nn = out_table_notes(t, &notes);
	for (i = 0; i < nn; i++)
		html_f(&q->h, "<p class=\"note\">%s</p>\n", notes[i]);
}

struct wstats {
	struct wreq	*q;
	int		 by;
};

static void
stats_done(void *arg, const struct national_out *o, const struct err *e)
{
	struct wstats *ws = arg;
	struct wreq *q = ws->q;
	struct out_table *t[STATS_TABLES];
	static const char *const bys[] = { "region", "type", "expertise" };
	size_t n, i;
	int b;

	web_lang_begin(q->lang);
	web_page_begin(q, _("Statistics"));
	html_f(&q->h, "<form method=\"get\" action=\"/stats\"><p><label "
	    "for=\"f-by\">%s</label><select id=\"f-by\" name=\"by\">",
	    _("Group by"));
	for (b = 0; b < 3; b++)
		html_f(&q->h, "<option value=\"%s\"%s>%s</option>", bys[b],
		    b == ws->by ? " selected" : "", _(bys[b]));
	html_f(&q->h, "</select> <button type=\"submit\">%s</button></p>"
	    "</form>\n<p class=\"note\">", _("Show"));
	html_f(&q->h, _("Counts smaller than %ld about children or complaints "
	    "are hidden (<%ld); a cell from which a hidden one could be "
	    "worked out is hidden too (x)."), q->n->conf.suppress_threshold,
	    q->n->conf.suppress_threshold);
	html_raw(&q->h, "</p>\n");
	if (o == NULL) {
		html_f(&q->h, "<p class=\"error\" role=\"alert\">%s</p>\n",
		    e->msg);
		web_page_end(q, 503);
		free(ws);
		return;
	}
	regions_block(q, o);
	n = national_stats_tables(o->merged, t, STATS_TABLES);
	for (i = 0; i < n; i++) {
		stats_table(q, t[i]);
		out_table_free(t[i]);
	}
	web_page_end(q, 200);
	free(ws);
}

static void
page_stats(struct wreq *q)
{
	struct national_req rq;
	struct wstats *ws;
	char by[16];
	struct err e;
	int r;

	if ((ws = calloc(1, sizeof(*ws))) == NULL) {
		web_page_message(q, 503, _("Statistics"), _("Out of memory."));
		return;
	}
	ws->q = q;
	memset(&rq, 0, sizeof(rq));
	rq.kind = ENVELOPE_STATISTICS;
	query_stats_init(&rq.qt, q->n->conf.suppress_threshold, "");
	err_clear(&e);
	if ((r = httpd_req_query(q->r, "by", by, sizeof(by))) == 1 &&
	    query_stats_set(&rq.qt, "by", by, &e) == -1) {
		free(ws);
		web_page_message(q, 400, _("Statistics"), e.msg);
		return;
	}
	if (rq.qt.by > (int)ENVELOPE_BY_EXPERTISE) {
		free(ws);
		web_page_message(q, 400, _("Statistics"), _("A national table "
		    "is grouped by region, type or expertise."));
		return;
	}
	ws->by = rq.qt.by;
	httpd_req_hold(q->r);
	web_lang_end();
	if (national_ask(q->n, &rq, stats_done, ws, &e) == -1)
		stats_done(ws, NULL, &e);
}

int
web_search_register(struct web *w, struct err *e)
{
	if (web_route(w, "/search", HTTPD_GET, R_SEARCH, page_search, e) == -1 ||
	    web_route(w, "/units/", HTTPD_GET, R_SEARCH, page_unit, e) == -1 ||
	    web_route(w, "/stats", HTTPD_GET, R_SEARCH, page_stats, e) == -1)
		return -1;
	return 0;
}
