/*
 * cmd_status.c - lasteri status: what a running node is and how it is
 * doing (GET /admin/v1/status): version, member, region, the trust list's
 * sequence and expiry, the database's path, size and last integrity check,
 * uptime, its health (api_status.h's problems), the outbox by destination
 * and the last warnings and errors it logged.
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
    "lasteri status -s SOCKET [--format table|csv|xml]\n"
    "  A running node's status: version, member, region, trust list,\n"
    "  database (size, last integrity check), uptime, health, outbox by\n"
    "  destination and the last warnings and errors.\n"
    "  -s, --socket SOCKET   the node's admin socket (or $LASTERI_SOCKET)\n"
    "      --format F        table (default), csv or xml\n";

int
cmd_status(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char path[256] = "/admin/v1/status";
	const char *sockopt = NULL, *sock;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "s:o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			sockopt = optarg;
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
