/*
 * cmd_query.c - lasteri search and lasteri stats, offline on a node's
 * database (--db).  Both load the store once, build what they need
 * (node/search.h, node/stats.h) and print through tools/output.h.  The
 * national variants need a running node to fan out from and are refused
 * with a clear message in this build.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "model.h"
#include "output.h"
#include "search.h"
#include "stats.h"
#include "store.h"
#include "util.h"
#include "vocab.h"

static const char search_usage[] =
    "lasteri search --db FILE --age N [NEEDS] [--format table|csv|xml]\n"
    "\n"
    "Find units that can take a child with these needs, best first.  A unit\n"
    "is left out unless it has enough free places, takes the age and gender,\n"
    "offers one of the languages, is of an allowed type and level, is in a\n"
    "required region, is within the price ceiling, holds a valid licence and\n"
    "has no open order to correct or suspension.  The rest are ranked: the\n"
    "purchaser's own frameworks first, then needs met, region, price, the\n"
    "supervision signal (open serious findings demote a unit and are shown)\n"
    "and how fresh the free-places figure is.\n"
    "\n"
    "  -d, --db FILE            the node's database\n"
    "  -a, --age N              age of the child, 0..24 (required)\n"
    "  -g, --gender G           any (a mixed group), girls, boys\n"
    "  -L, --language L         ISO 639-1 code; repeat: any one offered passes\n"
    "  -e, --expertise TAG      expertise wanted (ranking); repeatable\n"
    "  -n, --need GROUP         target group / need (ranking); repeatable\n"
    "  -t, --type T             allowed unit type; repeatable\n"
    "  -l, --level L            allowed service level; repeatable\n"
    "  -r, --region CODE        only units in this region; repeatable\n"
    "  -R, --prefer-region CODE rank units in this region higher; repeatable\n"
    "  -p, --purchaser CODE     the buying region: its frameworks rank first,\n"
    "                           its own region is preferred\n"
    "  -m, --max-price EUR      daily price ceiling\n"
    "  -f, --free-places N      places needed (siblings together), default 1\n"
    "  -k, --limit N            at most N results, default 20, max 1000\n"
    "  -o, --format F           table (default), csv, xml\n"
    "      --national           fan out to every region (needs a running node)\n"
    "  -s, --socket PATH        the node's admin socket (needs a running node)\n"
    "  -h, --help               this text\n"
    "\n"
    "Exit status: 0 success (also when nothing matched), 2 usage or input errors.";

static const char stats_usage[] =
    "lasteri stats --db FILE [--by region|type|expertise|level] [--threshold N]\n"
    "              [--table capacity|supervision|all] [--format table|csv|xml]\n"
    "\n"
    "Counts of units, places and free places per group (never suppressed),\n"
    "and supervision activity per group: visits, complaints, open orders to\n"
    "correct, overdue deadlines and complaint decisions by outcome.  Those\n"
    "concern children, so a count from 1 to threshold-1 is shown as \"<N\" and\n"
    "one more cell is hidden (\"x\") wherever a total would give it away.\n"
    "\n"
    "  -d, --db FILE        the node's database\n"
    "  -b, --by G           region (default), type, expertise, level\n"
    "  -T, --threshold N    suppress counts below N (default 5; 1 disables)\n"
    "  -w, --table W        capacity, supervision or all (default)\n"
    "  -o, --format F       table (default), csv, xml\n"
    "      --national       sum over every region (needs a running node)\n"
    "  -s, --socket PATH    the node's admin socket (needs a running node)\n"
    "  -h, --help           this text\n"
    "\n"
    "Exit status: 0 success, 2 usage or input errors.";

#define NEED_NODE "needs a running node (lasterid); not in this build"

/* The index of s in v, or -1 after a message that lists the tokens. */
static int
parse_vocab(const char *opt, const struct vocab *v, const char *s)
{
	char list[1024];
	size_t off = 0;
	int i, k;

	if ((k = vocab_find(v, s)) >= 0)
		return k;
	list[0] = '\0';
	for (i = 0; i < v->count && off < sizeof(list); i++) {
		int w = snprintf(list + off, sizeof(list) - off, "%s%s",
		    i > 0 ? ", " : "", vocab_token(v, i));
		if (w < 0)
			break;
		off += (size_t)w;
	}
	warnx_("%s: unknown value '%s' (one of: %s)", opt, s, list);
	return -1;
}

static int
parse_region(const char *opt, const char *s)
{
	int k;

	if ((k = region_find(s)) < 0)
		warnx_("%s: unknown region code '%s' (01..21 or 90)", opt, s);
	return k;
}

static int
parse_language(const char *s)
{
	if (strlen(s) != 2 || s[0] < 'a' || s[0] > 'z' || s[1] < 'a' ||
	    s[1] > 'z') {
		warnx_("--language: '%s' is not an ISO 639-1 code (two lower-case "
		    "letters, e.g. fi, sv, en)", s);
		return -1;
	}
	return 0;
}

static int
load_data(const char *db, int want_records, struct unit **u, size_t *nu,
    struct supervision_record **r, size_t *nr)
{
	struct store *s = NULL;
	struct err e;
	int rc = 2;

	err_clear(&e);
	if (store_open(db, STORE_RDONLY, &s, &e) == -1 ||
	    store_units_load(s, u, nu, &e) == -1 ||
	    (want_records && store_records_load(s, r, nr, &e) == -1)) {
		if (strstr(e.msg, db) == NULL)
			err_prefix(&e, "%s", db);
		rc = util_report(&e);
		goto done;
	}
	rc = 0;
done:
	store_close(s);
	return rc;
}

/* The purchaser's frameworks: every procurement its region keeps or joins. */
static int
load_frameworks(const char *db, const char *code, char ***fw, int *nfw)
{
	struct store *s = NULL;
	struct procurement *p = NULL;
	size_t np = 0, i;
	struct err e;
	int j, in, rc = 2;

	err_clear(&e);
	*fw = NULL;
	*nfw = 0;
	if (store_open(db, STORE_RDONLY, &s, &e) == -1 ||
	    store_procurements_load(s, &p, &np, &e) == -1) {
		if (strstr(e.msg, db) == NULL)
			err_prefix(&e, "%s", db);
		rc = util_report(&e);
		goto done;
	}
	*fw = xcalloc(np, sizeof(**fw));
	for (i = 0; i < np; i++) {
		in = strcmp(p[i].region, code) == 0;
		for (j = 0; j < p[i].njoint && j < PROC_REGION_MAX; j++)
			if (strcmp(p[i].joint[j], code) == 0)
				in = 1;
		if (in)
			(*fw)[(*nfw)++] = xstrdup(p[i].id);
	}
	rc = 0;
done:
	store_procurements_free(p, np);
	store_close(s);
	return rc;
}

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

static struct out_table *
search_table(const struct search_result *res, size_t n,
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

enum {
	OPT_NATIONAL = 256
};

static int
add_bit(uint32_t *mask, int k)
{
	if (k < 0)
		return -1;
	*mask |= UINT32_C(1) << k;
	return 0;
}

int
cmd_search(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "age", required_argument, NULL, 'a' },
		{ "gender", required_argument, NULL, 'g' },
		{ "language", required_argument, NULL, 'L' },
		{ "expertise", required_argument, NULL, 'e' },
		{ "need", required_argument, NULL, 'n' },
		{ "type", required_argument, NULL, 't' },
		{ "level", required_argument, NULL, 'l' },
		{ "region", required_argument, NULL, 'r' },
		{ "prefer-region", required_argument, NULL, 'R' },
		{ "purchaser", required_argument, NULL, 'p' },
		{ "max-price", required_argument, NULL, 'm' },
		{ "free-places", required_argument, NULL, 'f' },
		{ "limit", required_argument, NULL, 'k' },
		{ "format", required_argument, NULL, 'o' },
		{ "national", no_argument, NULL, OPT_NATIONAL },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct search_needs nd;
	struct search_index *ix = NULL;
	struct search_result *res = NULL;
	struct search_totals tot;
	struct unit *units = NULL;
	struct supervision_record *recs = NULL;
	struct out_table *t = NULL;
	struct err e;
	const char *db = NULL, *purchaser = NULL;
	char **fw = NULL;
	size_t nu = 0, nr = 0, nres = 0;
	long v;
	int ch, k, fmt = OUT_TABLE, national = 0, socket = 0, age_set = 0;
	int nfw = 0, i, rc = 2;

	err_clear(&e);
	search_needs_init(&nd);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:a:g:L:e:n:t:l:r:R:p:m:f:k:o:s:h",
	    longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			db = optarg;
			break;
		case 'a':
			if (util_parse_long("--age", optarg, 0, 24, &v) == -1)
				goto done;
			nd.age = (int)v;
			age_set = 1;
			break;
		case 'g':
			if ((nd.gender = parse_vocab("--gender", &vocab_gender,
			    optarg)) < 0)
				goto done;
			break;
		case 'L':
			if (parse_language(optarg) == -1)
				goto done;
			if (nd.nlanguages == SEARCH_LANG_MAX) {
				warnx_("--language: at most %d", SEARCH_LANG_MAX);
				goto done;
			}
			memcpy(nd.languages[nd.nlanguages++], optarg, 3);
			break;
		case 'e':
			if (add_bit(&nd.expertise, parse_vocab("--expertise",
			    &vocab_expertise, optarg)) == -1)
				goto done;
			break;
		case 'n':
			if (add_bit(&nd.target_groups, parse_vocab("--need",
			    &vocab_target_group, optarg)) == -1)
				goto done;
			break;
		case 't':
			if (add_bit(&nd.types, parse_vocab("--type",
			    &vocab_unit_type, optarg)) == -1)
				goto done;
			break;
		case 'l':
			if (add_bit(&nd.levels, parse_vocab("--level",
			    &vocab_service_level, optarg)) == -1)
				goto done;
			break;
		case 'r':
			if (add_bit(&nd.regions_required,
			    parse_region("--region", optarg)) == -1)
				goto done;
			break;
		case 'R':
			if (add_bit(&nd.regions_preferred,
			    parse_region("--prefer-region", optarg)) == -1)
				goto done;
			break;
		case 'p':
			if ((k = parse_region("--purchaser", optarg)) < 0)
				goto done;
			purchaser = regions[k].code;
			break;
		case 'm':
			if (util_parse_eur("--max-price", optarg,
			    &nd.max_price_cents) == -1)
				goto done;
			break;
		case 'f':
			if (util_parse_long("--free-places", optarg, 1, 24,
			    &v) == -1)
				goto done;
			nd.free_places = (int)v;
			break;
		case 'k':
			if (util_parse_long("--limit", optarg, 1,
			    SEARCH_LIMIT_MAX, &v) == -1)
				goto done;
			nd.limit = (int)v;
			break;
		case 'o':
			if ((fmt = out_format_parse(optarg)) < 0) {
				warnx_("--format: unknown value '%s' (one of: %s)",
				    optarg, OUT_FORMAT_TOKENS);
				goto done;
			}
			break;
		case OPT_NATIONAL:
			national = 1;
			break;
		case 's':
			socket = 1;
			break;
		case 'h':
			fprintf(stdout, "usage: %s\n", search_usage);
			rc = 0;
			goto done;
		default:
			rc = util_usage(search_usage);
			goto done;
		}
	}
	if (optind < argc) {
		warnx_("unexpected argument '%s'", argv[optind]);
		goto done;
	}
	if (national || socket) {
		warnx_("%s %s", national ? "--national" : "--socket", NEED_NODE);
		goto done;
	}
	if (db == NULL) {
		warnx_("--db FILE is needed (searching through a node's socket %s)",
		    NEED_NODE);
		goto done;
	}
	if (!age_set) {
		warnx_("--age N is needed");
		goto done;
	}
	if (purchaser != NULL) {
		snprintf(nd.home_region, sizeof(nd.home_region), "%s", purchaser);
		if ((rc = load_frameworks(db, purchaser, &fw, &nfw)) != 0)
			goto done;
		rc = 2;
		nd.frameworks = (const char *const *)fw;
		nd.nframeworks = nfw;
	}
	if ((rc = load_data(db, 1, &units, &nu, &recs, &nr)) != 0)
		goto done;
	rc = 2;
	res = xcalloc((size_t)nd.limit, sizeof(*res));
	if (search_index_build(units, nu, recs, nr, 0, &ix, &e) == -1 ||
	    search_run(ix, &nd, res, &nres, &tot, &e) == -1) {
		rc = util_report(&e);
		goto done;
	}
	if ((t = search_table(res, nres, &tot)) == NULL) {
		warnx_("out of memory");
		goto done;
	}
	if (out_write(stdout, (enum out_format)fmt, "SearchResult", &t, 1,
	    &e) == -1) {
		rc = util_report(&e);
		goto done;
	}
	rc = 0;
done:
	out_table_free(t);
	search_index_free(ix);
	free(res);
	free(units);
	free(recs);
	for (i = 0; i < nfw; i++)
		free(fw[i]);
	free(fw);
	return rc;
}

/* A stats_table as an out_table: group key, label, then the cells. */
static struct out_table *
stats_out(const struct stats_table *st)
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

int
cmd_stats(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "by", required_argument, NULL, 'b' },
		{ "threshold", required_argument, NULL, 'T' },
		{ "table", required_argument, NULL, 'w' },
		{ "format", required_argument, NULL, 'o' },
		{ "national", no_argument, NULL, OPT_NATIONAL },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct stats_table *cap = NULL, *sup = NULL;
	struct out_table *t[2] = { NULL, NULL };
	struct unit *units = NULL;
	struct supervision_record *recs = NULL;
	struct err e;
	const char *db = NULL;
	size_t nu = 0, nr = 0, nt = 0;
	long threshold = STATS_THRESHOLD_DEFAULT;
	int ch, by = STATS_BY_REGION, fmt = OUT_TABLE, national = 0;
	int socket = 0, want_cap = 1, want_sup = 1, rc = 2;

	err_clear(&e);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:b:T:w:o:s:h", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'd':
			db = optarg;
			break;
		case 'b':
			if ((by = stats_by_parse(optarg)) < 0) {
				warnx_("--by: unknown value '%s' (one of: %s)",
				    optarg, STATS_BY_TOKENS);
				goto done;
			}
			break;
		case 'T':
			if (util_parse_long("--threshold", optarg, 1, 1000,
			    &threshold) == -1)
				goto done;
			break;
		case 'w':
			if (strcmp(optarg, "capacity") == 0)
				want_sup = 0;
			else if (strcmp(optarg, "supervision") == 0)
				want_cap = 0;
			else if (strcmp(optarg, "all") != 0) {
				warnx_("--table: unknown value '%s' (one of: "
				    "capacity, supervision, all)", optarg);
				goto done;
			}
			break;
		case 'o':
			if ((fmt = out_format_parse(optarg)) < 0) {
				warnx_("--format: unknown value '%s' (one of: %s)",
				    optarg, OUT_FORMAT_TOKENS);
				goto done;
			}
			break;
		case OPT_NATIONAL:
			national = 1;
			break;
		case 's':
			socket = 1;
			break;
		case 'h':
			fprintf(stdout, "usage: %s\n", stats_usage);
			rc = 0;
			goto done;
		default:
			rc = util_usage(stats_usage);
			goto done;
		}
	}
	if (optind < argc) {
		warnx_("unexpected argument '%s'", argv[optind]);
		goto done;
	}
	if (national || socket) {
		warnx_("%s %s", national ? "--national" : "--socket", NEED_NODE);
		goto done;
	}
	if (db == NULL) {
		warnx_("--db FILE is needed (statistics through a node's socket %s)",
		    NEED_NODE);
		goto done;
	}
	if ((rc = load_data(db, want_sup, &units, &nu, &recs, &nr)) != 0)
		goto done;
	rc = 2;
	if ((want_cap && stats_capacity(units, nu, (enum stats_by)by, &cap,
	    &e) == -1) ||
	    (want_sup && stats_supervision(units, nu, recs, nr,
	    (enum stats_by)by, threshold, 0, &sup, &e) == -1)) {
		rc = util_report(&e);
		goto done;
	}
	if ((cap != NULL && (t[nt++] = stats_out(cap)) == NULL) ||
	    (sup != NULL && (t[nt++] = stats_out(sup)) == NULL)) {
		warnx_("out of memory");
		goto done;
	}
	if (out_write(stdout, (enum out_format)fmt, "Statistics", t, nt,
	    &e) == -1) {
		rc = util_report(&e);
		goto done;
	}
	rc = 0;
done:
	out_table_free(t[0]);
	out_table_free(t[1]);
	stats_table_free(cap);
	stats_table_free(sup);
	free(units);
	free(recs);
	return rc;
}
