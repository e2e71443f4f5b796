/*
 * cmd_query.c - lasteri search and lasteri stats, offline on a node's
 * database (--db) or through the running node's admin socket (-s SOCKET,
 * $LASTERI_SOCKET).  Every option is checked here by node/query.c and, for
 * the node, sent as the query parameter of the same name, which the node
 * hands to the same function; both paths render with the same code, so the
 * answers are the same.  With --national the node asks every region
 * (GET /admin/v1/national/search|stats, api_national.h) and prints the
 * merged answer and one status row per region (cmd_national.c).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admincall.h"
#include "cmd.h"
#include "cmd_national.h"
#include "query.h"
#include "search.h"
#include "stats.h"
#include "store.h"
#include "util.h"

static const char search_usage[] =
    "lasteri search --db FILE | -s SOCKET --age N [NEEDS] [--format F]\n"
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
    "      --national           ask every region through the node (-s): the\n"
    "                           merged answer, then one status row per region\n"
    "                           (member, region, status, ms, detail)\n"
    "      --deadline D         with --national: how long to wait for the\n"
    "                           regions (500ms, 5s; default: the node's\n"
    "                           fanout_deadline)\n"
    "  -s, --socket PATH        the running node's admin socket (default\n"
    "                           $LASTERI_SOCKET when --db is not given)\n"
    "  -h, --help               this text\n"
    "\n"
    "With --national the exit status is 0 when the node answered, whatever\n"
    "each region's status (see the status rows).\n"
    "\n"
    "Exit status: 0 success (also when nothing matched), 2 usage or input errors.";

static const char stats_usage[] =
    "lasteri stats --db FILE | -s SOCKET [--by region|type|expertise|level]\n"
    "              [--threshold N] [--table capacity|supervision|prices|all]\n"
    "              [--format F]\n"
    "\n"
    "Counts of units, places and free places per group (never suppressed),\n"
    "and supervision activity per group: visits, complaints, open orders to\n"
    "correct, overdue deadlines and complaint decisions by outcome.  Those\n"
    "concern children, so a count from 1 to threshold-1 is shown as \"<N\" and\n"
    "one more cell is hidden (\"x\") wherever a total would give it away.\n"
    "The prices table gives per group and service level the units and the\n"
    "min, p25, median, p75 and max daily price (EUR, exact nearest-rank\n"
    "percentiles; \"-\" below 3 units; never suppressed).\n"
    "\n"
    "--format csv is one table a spreadsheet reads: with more than one\n"
    "table, a first column \"table\" names each row's table (capacity,\n"
    "supervision, prices) and the columns are theirs together, empty where\n"
    "a table has no such column; --table W gives that one table alone.\n"
    "With --national the regions' status rows follow after one empty line.\n"
    "\n"
    "  -d, --db FILE        the node's database\n"
    "  -b, --by G           region (default), type, expertise, level\n"
    "  -T, --threshold N    suppress counts below N (default 5, through a\n"
    "                       node its suppress_threshold; 1 disables)\n"
    "  -w, --table W        capacity, supervision, prices or all (default)\n"
    "  -o, --format F       table (default), csv, xml\n"
    "      --national       sum over every region through the node (-s);\n"
    "                       small counts are suppressed again on the\n"
    "                       national totals; one status row per region\n"
    "      --deadline D     with --national: how long to wait (500ms, 5s)\n"
    "  -s, --socket PATH    the running node's admin socket (default\n"
    "                       $LASTERI_SOCKET when --db is not given)\n"
    "  -h, --help           this text\n"
    "\n"
    "Exit status: 0 success, 2 usage or input errors.";

#define PATH_MAX_	900	/* adminc's request head holds the path */

enum {
	OPT_NATIONAL = 256,
	OPT_DEADLINE
};

/* The long name of option c (the query parameter it becomes). */
static const char *
opt_name(const struct option *o, int c)
{
	for (; o->name != NULL; o++)
		if (o->val == c)
			return o->name;
	return "?";
}

/* Offline: load what the one query reads and run it. */
static int
run_offline(const char *db, const struct query_search *qs,
    const struct query_stats *qt)
{
	struct store *s = NULL;
	struct query_data *d = NULL;
	struct err e;
	char *out = NULL;
	size_t len = 0;
	int rc = 2;

	err_clear(&e);
	if (store_open(db, STORE_RDONLY, &s, &e) == -1 ||
	    (qs != NULL ? query_data_load_search(s, qs, &d, &e) :
	    query_data_load_stats(s, &d, &e)) == -1) {
		if (strstr(e.msg, db) == NULL)
			err_prefix(&e, "%s", db);
		rc = util_report(&e);
		goto done;
	}
	if ((qs != NULL ? query_search_run(d, qs, &out, &len, &e) :
	    query_stats_run(d, qt, &out, &len, &e)) == -1) {
		rc = util_report(&e);
		goto done;
	}
	if (fwrite(out, 1, len, stdout) != len || fflush(stdout) != 0) {
		warnx_("stdout: write failed");
		goto done;
	}
	rc = 0;
done:
	free(out);
	query_data_free(d);
	store_close(s);
	return rc;
}

/*
 * The option loop search and stats share: --db, --socket, --national and
 * --help are handled here; every other option is handed to set(), which is
 * the node's own parameter parser (query_search_set / query_stats_set), and
 * appended to the admin request path.  0 when parsed, otherwise the exit
 * status to return (0 after --help).
 */
struct query_args {
	const char	*db, *sockopt;
	const char	*deadline;	/* --deadline, NULL none */
	int		 national;
	int		 done;		/* --help was answered */
};

static int
query_args(int argc, char **argv, const char *shortopts,
    const struct option *longopts, const char *usage,
    int (*set)(void *, const char *, const char *, struct err *), void *q,
    char *path, size_t pathlen, struct query_args *a)
{
	struct err e;
	const char *name;
	int ch;

	err_clear(&e);
	memset(a, 0, sizeof(*a));
	optind = 1;
	while ((ch = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			a->db = optarg;
			break;
		case 's':
			a->sockopt = optarg;
			break;
		case OPT_NATIONAL:
			a->national = 1;
			break;
		case OPT_DEADLINE:
			a->deadline = optarg;
			break;
		case 'h':
			fprintf(stdout, "usage: %s\n", usage);
			a->done = 1;
			return 0;
		case '?':
			return util_usage(usage);
		default:
			name = opt_name(longopts, ch);
			if (set(q, name, optarg, &e) == -1)
				return util_report(&e);
			if (admincall_qs(path, pathlen, name, optarg) == -1)
				return 2;
			break;
		}
	}
	if (optind < argc) {
		warnx_("unexpected argument '%s'", argv[optind]);
		return 2;
	}
	if (a->deadline != NULL && !a->national) {
		warnx_("--deadline: only with --national");
		return 2;
	}
	if (a->national && a->db != NULL) {
		warnx_("--national asks every region through a node: give -s "
		    "SOCKET, not --db");
		return 2;
	}
	return 0;
}

/* The path of the same question to /admin/v1/national/WHAT, with
 * --deadline; -1 after a message. */
static int
national_path(char *path, size_t len, const char *what,
    const struct query_args *a)
{
	char tmp[PATH_MAX_];
	const char *q = strchr(path, '?');
	int n;

	n = snprintf(tmp, sizeof(tmp), "/admin/v1/national/%s%s", what,
	    q != NULL ? q : "");
	if (n < 0 || (size_t)n >= sizeof(tmp) || (size_t)n >= len) {
		warnx_("the query is too long");
		return -1;
	}
	memcpy(path, tmp, (size_t)n + 1);
	if (a->deadline != NULL &&
	    national_deadline(a->deadline, path, len) == -1)
		return -1;
	return 0;
}

static int
set_search(void *q, const char *name, const char *value, struct err *e)
{
	return query_search_set(q, name, value, e);
}

static int
set_stats(void *q, const char *name, const char *value, struct err *e)
{
	return query_stats_set(q, name, value, e);
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
		{ "deadline", required_argument, NULL, OPT_DEADLINE },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct query_search q;
	struct query_args a;
	const char *sock;
	char path[PATH_MAX_] = "/admin/v1/search";
	int rc;

	query_search_init(&q, "--");
	if ((rc = query_args(argc, argv, "d:a:g:L:e:n:t:l:r:R:p:m:f:k:o:s:h",
	    longopts, search_usage, set_search, &q, path, sizeof(path), &a)) != 0 ||
	    a.done)
		return rc;
	if (!q.age_set) {
		warnx_("--age N is needed");
		return 2;
	}
	if (admincall_target(a.db, a.sockopt, search_usage, &sock) != 0)
		return 2;
	if (a.national)
		return national_path(path, sizeof(path), "search", &a) == -1 ?
		    2 : national_call(sock, path, sizeof(path));
	if (sock != NULL)
		return admincall(sock, "GET", path, NULL, NULL, 0, NULL, NULL);
	return run_offline(a.db, &q, NULL);
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
		{ "deadline", required_argument, NULL, OPT_DEADLINE },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct query_stats q;
	struct query_args a;
	const char *sock;
	char path[PATH_MAX_] = "/admin/v1/stats";
	int rc;

	query_stats_init(&q, STATS_THRESHOLD_DEFAULT, "--");
	if ((rc = query_args(argc, argv, "d:b:T:w:o:s:h", longopts,
	    stats_usage, set_stats, &q, path, sizeof(path), &a)) != 0 || a.done)
		return rc;
	if (admincall_target(a.db, a.sockopt, stats_usage, &sock) != 0)
		return 2;
	if (a.national)
		return national_path(path, sizeof(path), "stats", &a) == -1 ?
		    2 : national_call(sock, path, sizeof(path));
	if (sock != NULL)
		return admincall(sock, "GET", path, NULL, NULL, 0, NULL, NULL);
	return run_offline(a.db, NULL, &q);
}
