/*
 * cmd_queries.c - lasteri queries: the national queries a node answered,
 * newest first, from its query log (GET /admin/v1/queries): who asked,
 * when, what kind, the answer's status, how many results and how long it
 * took.  Queries carry needs, never a person, so neither does the log.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "admincall.h"
#include "cmd.h"
#include "output.h"
#include "util.h"

static const char usage[] =
    "lasteri queries -s SOCKET [--limit N] [--format table|csv|xml]\n"
    "  The national queries this node answered, newest first.\n"
    "  -s, --socket SOCKET   the node's admin socket (or $LASTERI_SOCKET)\n"
    "      --limit N         at most N rows, 1..1000 (default 50)\n"
    "      --format F        table (default), csv or xml\n";

int
cmd_queries(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'k' },
		{ "format", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char path[256] = "/admin/v1/queries";
	const char *sockopt = NULL, *sock;
	long limit;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "s:k:o:h", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 's':
			sockopt = optarg;
			break;
		case 'k':
			if (util_parse_long("--limit", optarg, 1, 1000,
			    &limit) == -1)
				return 2;
			if (admincall_qs(path, sizeof(path), "limit",
			    optarg) == -1)
				return 2;
			break;
		case 'o':
			if (out_format_parse(optarg) == -1) {
				warnx_("--format: '%s' is not one of "
				    OUT_FORMAT_TOKENS, optarg);
				return 2;
			}
			if (admincall_qs(path, sizeof(path), "format",
			    optarg) == -1)
				return 2;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return util_usage(usage);
		}
	}
	if (optind != argc) {
		warnx_("unexpected argument '%s'", argv[optind]);
		return util_usage(usage);
	}
	if (admincall_target(NULL, sockopt, usage, &sock) != 0)
		return 2;
	return admincall(sock, "GET", path, NULL, NULL, 0, NULL, NULL);
}
