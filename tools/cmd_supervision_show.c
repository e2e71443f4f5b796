/*
 * cmd_supervision_show.c - lasteri supervision show --unit ID: the
 * supervision records a node holds about one unit (ID, kind, issuer, opened,
 * status, findings, deadline, signed or not), from the running node's
 * admin socket (GET /admin/v1/supervision) or offline from its database
 * (--db).  Both render with node/query.c.  The national look-up (every
 * region's records) waits for the fan-out.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admincall.h"
#include "cmd_national.h"
#include "cmd.h"
#include "output.h"
#include "query.h"
#include "store.h"
#include "util.h"

static const char show_usage[] =
    "lasteri supervision show --unit ID [-s SOCKET | --db FILE] [--format F]\n"
    "lasteri supervision show --national (--unit ID | --provider Y) -s SOCKET\n"
    "\n"
    "List the supervision records the node holds about one unit, oldest\n"
    "first: record ID, kind, issuer, opening date, status, findings (count\n"
    "and worst severity), deadline, and whether the stored record is signed.\n"
    "\n"
    "  -u, --unit ID        the unit (its Soteri service-unit ID)\n"
    "  -s, --socket PATH    the running node's admin socket (default\n"
    "                       $LASTERI_SOCKET when --db is not given)\n"
    "  -d, --db FILE        read the node's database offline instead\n"
    "  -o, --format F       table (default), csv, xml\n"
    "      --national       every region's records through the node (-s):\n"
    "                       each re-verified here, with the region that\n"
    "                       answered, then one status row per region\n"
    "      --provider Y     with --national: the records about a provider\n"
    "                       (its business ID) instead of one unit\n"
    "      --deadline D     with --national: how long to wait (500ms, 5s)\n"
    "  -h, --help           this text\n"
    "\n"
    "Exit status: 0 success (also when there are no records), 2 usage or\n"
    "input errors.";

enum {
	OPT_NATIONAL = 256,
	OPT_DEADLINE,
	OPT_PROVIDER
};

static int
show_offline(const char *db, const char *unit, enum out_format fmt)
{
	struct store *s = NULL;
	struct err e;
	char *out = NULL;
	size_t len = 0;
	int rc = 2;

	err_clear(&e);
	if (store_open(db, STORE_RDONLY, &s, &e) == -1 ||
	    query_records_run(s, unit, fmt, &out, &len, &e) == -1) {
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
	store_close(s);
	return rc;
}

int
cmd_supervision_show(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "unit", required_argument, NULL, 'u' },
		{ "socket", required_argument, NULL, 's' },
		{ "db", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'o' },
		{ "national", no_argument, NULL, OPT_NATIONAL },
		{ "deadline", required_argument, NULL, OPT_DEADLINE },
		{ "provider", required_argument, NULL, OPT_PROVIDER },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *unit = NULL, *db = NULL, *sockopt = NULL, *sock;
	const char *fmtname = NULL, *deadline = NULL, *provider = NULL;
	char path[900] = "/admin/v1/supervision";
	int ch, fmt = OUT_TABLE, national = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "u:s:d:o:h", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'u':
			unit = optarg;
			break;
		case 's':
			sockopt = optarg;
			break;
		case 'd':
			db = optarg;
			break;
		case 'o':
			if ((fmt = out_format_parse(optarg)) < 0) {
				warnx_("--format: unknown value '%s' (one of: %s)",
				    optarg, OUT_FORMAT_TOKENS);
				return 2;
			}
			fmtname = optarg;
			break;
		case OPT_NATIONAL:
			national = 1;
			break;
		case OPT_DEADLINE:
			deadline = optarg;
			break;
		case OPT_PROVIDER:
			provider = optarg;
			break;
		case 'h':
			printf("usage: %s\n", show_usage);
			return 0;
		default:
			return util_usage(show_usage);
		}
	}
	if (optind < argc) {
		warnx_("unexpected argument '%s'", argv[optind]);
		return 2;
	}
	if (provider != NULL && !national) {
		warnx_("--provider: only with --national (this node's records "
		    "are listed per unit)");
		return 2;
	}
	if ((unit == NULL || *unit == '\0') == (provider == NULL)) {
		warnx_(national ? "--unit ID or --provider Y (one of the two) "
		    "is needed" : "--unit ID is needed");
		return util_usage(show_usage);
	}
	if (deadline != NULL && !national) {
		warnx_("--deadline: only with --national");
		return 2;
	}
	if (national && db != NULL) {
		warnx_("--national asks every region through a node: give -s "
		    "SOCKET, not --db");
		return 2;
	}
	if (admincall_target(db, sockopt, show_usage, &sock) != 0)
		return 2;
	if (national) {
		snprintf(path, sizeof(path), "/admin/v1/national/supervision");
		if (admincall_qs(path, sizeof(path), unit != NULL ? "unit" :
		    "provider", unit != NULL ? unit : provider) == -1 ||
		    (fmtname != NULL && admincall_qs(path, sizeof(path),
		    "format", fmtname) == -1) || (deadline != NULL &&
		    national_deadline(deadline, path, sizeof(path)) == -1))
			return 2;
		return national_call(sock, path, sizeof(path));
	}
	if (sock == NULL)
		return show_offline(db, unit, (enum out_format)fmt);
	if (admincall_qs(path, sizeof(path), "unit", unit) == -1 ||
	    (fmtname != NULL &&
	    admincall_qs(path, sizeof(path), "format", fmtname) == -1))
		return 2;
	return admincall(sock, "GET", path, NULL, NULL, 0, NULL, NULL);
}
