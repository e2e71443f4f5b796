/*
 * lasteri.c - the command-line program: one table of subcommands, each in
 * its own cmd_*.c.  Exit status: 0 success, 1 a "no" answer, 2 usage or
 * input errors.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "util.h"

struct subcommand {
	const char	*name;
	int		(*run)(int, char **);
	const char	*summary;
};

static const struct subcommand subcommands[] = {
	{ "import", cmd_import, "load units, procurements and records (all or nothing)" },
	{ "export", cmd_export, "dump the region's units and procurement definitions" },
	{ "search", cmd_search, "placement search by needs, ranked" },
	{ "stats", cmd_stats, "counts of units, places and free places" },
	{ "sample", cmd_sample, "generate realistic sample data for the regions" },
	{ "pki", cmd_pki, "federation PKI: test PKI, member requests, signing" },
	{ "trust", cmd_trust, "build, sign and inspect a trust list" },
	{ "supervision", cmd_supervision, "issue a signed supervision record; the outbox; records about a unit" },
	{ "verify", cmd_verify, "check signed documents offline (auditors)" },
	{ "queries", cmd_queries, "the national queries this node answered" },
	{ "audit", cmd_audit, "prove records are in a node's log and that it only grew" },
	{ "user", cmd_user, "web service accounts: add, list, disable, passwd; the audit trail" },
	{ "backup", cmd_backup, "a consistent copy of a running node's database" },
	{ "restore", cmd_restore, "put a backup in place of a stopped node's database" },
	{ "check", cmd_check, "check a node's database: integrity, signatures, log" },
	{ "unit", cmd_unit, "retire a unit that closed (kept for history, out of search); reinstate" },
	{ "status", cmd_status, "a running node's health, trust list, database, outbox, last errors" },
	{ NULL, NULL, NULL }
};

static void
help(FILE *f)
{
	const struct subcommand *c;

	fprintf(f, "usage: lasteri SUBCOMMAND [OPTIONS] [ARGS]\n\n"
	    "Lasteri: the national knowledge base of child-welfare substitute-care units.\n\n"
	    "Subcommands:\n");
	for (c = subcommands; c->name != NULL; c++)
		fprintf(f, "  %-11s  %s\n", c->name, c->summary);
	fprintf(f, "\n'lasteri SUBCOMMAND --help' explains each.  Exit status: 0 success,\n"
	    "1 when the answer is no (verification failed), 2 usage or input errors.\n");
}

int
main(int argc, char **argv)
{
	static char prog[64];
	const struct subcommand *c;

	if (argc < 2) {
		help(stderr);
		return 2;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		if (argc > 2) {
			for (c = subcommands; c->name != NULL; c++)
				if (strcmp(c->name, argv[2]) == 0) {
					char *hargv[] = { argv[2], "--help", NULL };
					snprintf(prog, sizeof(prog), "lasteri %s", c->name);
					util_progname = prog;
					return c->run(2, hargv);
				}
		}
		help(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("lasteri %s\n", PACKAGE_VERSION);
		return 0;
	}
	for (c = subcommands; c->name != NULL; c++) {
		if (strcmp(c->name, argv[1]) == 0) {
			snprintf(prog, sizeof(prog), "lasteri %s", c->name);
			util_progname = prog;
			return c->run(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "lasteri: unknown subcommand '%s' (try 'lasteri help')\n",
	    argv[1]);
	return 2;
}
