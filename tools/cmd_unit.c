/*
 * cmd_unit.c - `lasteri unit`: a region's units on a running node, through
 * its admin socket (node/api_units.h).
 *
 *   unit retire ID [--reason TEXT]
 *   unit reinstate ID
 *   unit retired [--format table|csv|xml]
 *
 * A unit that closed is retired: the node keeps it and the supervision
 * records about it for history, but search and the statistics of places
 * and prices leave it out.  Importing it again does not bring it back;
 * reinstating does.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "adminc.h"
#include "admincall.h"
#include "cmd.h"
#include "model.h"
#include "output.h"
#include "util.h"

#define REASON_MAX	500	/* the node's STORE_RETIRE_REASON_MAX */

static const char usage_all[] =
    "lasteri unit retire|reinstate|retired ... -s SOCKET\n"
    "  unit retire ID [--reason TEXT] -s SOCKET\n"
    "  unit reinstate ID -s SOCKET\n"
    "  unit retired [--format table|csv|xml] -s SOCKET\n"
    "  retire     a unit that closed: the node keeps it and the\n"
    "             supervision records about it for history, but search\n"
    "             and the statistics of places and prices leave it out;\n"
    "             importing it again does not bring it back.  --reason is\n"
    "             one line (at most 500 bytes), kept with the retirement.\n"
    "  reinstate  undo a retirement: the unit is in search again\n"
    "  retired    the units retired, when, by whom and why\n"
    "  The node logs who retired or reinstated a unit (the admin socket's\n"
    "  uid).  -s SOCKET, or LASTERI_SOCKET, names the node's admin socket.\n"
    "  Exit 0 done, 2 usage or input errors (one line saying which).\n";

struct unit_opts {
	const char	*sock, *reason, *format;
};

/* Options (only those in which, of "rf", are taken); positional arguments
 * left at argv[optind ..].  0, 1 after --help, 2 after a usage message. */
static int
parse_opts(int argc, char **argv, const char *which, struct unit_opts *o)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "reason", required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "s:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			o->sock = optarg;
			break;
		case 'r':
		case 'f':
			if (strchr(which, ch) == NULL) {
				warnx_("--%s is not an option of unit %s",
				    ch == 'r' ? "reason" : "format", argv[0]);
				return util_usage(usage_all);
			}
			if (ch == 'r')
				o->reason = optarg;
			else
				o->format = optarg;
			break;
		case 'h':
			fputs(usage_all, stdout);
			return 1;
		default:
			return util_usage(usage_all);
		}
	}
	return 0;
}

/* The socket, and the positional arguments checked (want: 0 or 1). */
static int
common(struct unit_opts *o, int argc, char **argv, int want,
    const char **sock)
{
	if (argc - optind != want) {
		if (want == 1)
			warnx_("one unit ID is needed");
		else
			warnx_("unexpected argument '%s'", argv[optind]);
		return util_usage(usage_all);
	}
	if (want == 1 && (argv[optind][0] == '\0' ||
	    strlen(argv[optind]) > ID_MAX)) {
		warnx_("unit ID: 1 to %d bytes", ID_MAX);
		return 2;
	}
	if ((*sock = adminc_socket(o->sock)) == NULL) {
		warnx_("-s SOCKET (or LASTERI_SOCKET) is needed");
		return util_usage(usage_all);
	}
	return 0;
}

/* POST path (with its query); the answer's root and attributes printed. */
static int
act(const char *sock, const char *path, const char *root,
    const char *const *attrs, const char *const *labels, size_t n)
{
	xmlDocPtr doc = NULL;
	xmlChar *text;
	char *resp = NULL, v[600];
	size_t rlen, i;
	int rc;

	if ((rc = admincall(sock, "POST", path, NULL, NULL, 0, &resp,
	    &rlen)) != 0)
		return rc;
	rc = 2;
	if ((doc = admincall_doc(resp, rlen, root)) == NULL)
		goto done;
	for (i = 0; i < n; i++)
		printf("%-10s %s\n", labels[i], admincall_attr(
		    xmlDocGetRootElement(doc), attrs[i], v, sizeof(v)));
	text = xmlNodeGetContent(xmlDocGetRootElement(doc));
	printf("%-10s %s\n", "state", text != NULL ? (char *)text : "");
	xmlFree(text);
	rc = 0;
done:
	xmlFreeDoc(doc);
	free(resp);
	return rc;
}

static int
unit_retire(int argc, char **argv)
{
	static const char *const attrs[] = { "id", "at", "by" };
	static const char *const labels[] = { "unit", "retired", "by" };
	struct unit_opts o;
	const char *sock;
	char path[2400] = "/admin/v1/units/retire";
	size_t i;
	int rc;

	if ((rc = parse_opts(argc, argv, "r", &o)) != 0)
		return rc == 1 ? 0 : rc;
	if ((rc = common(&o, argc, argv, 1, &sock)) != 0)
		return rc;
	if (o.reason != NULL) {
		if (strlen(o.reason) > REASON_MAX) {
			warnx_("--reason: %zu bytes; at most %d",
			    strlen(o.reason), REASON_MAX);
			return 2;
		}
		for (i = 0; o.reason[i] != '\0'; i++)
			if ((unsigned char)o.reason[i] < ' ' ||
			    o.reason[i] == 0x7f) {
				warnx_("--reason: one line of text, without "
				    "control characters");
				return 2;
			}
	}
	if (admincall_qs(path, sizeof(path), "id", argv[optind]) == -1 ||
	    (o.reason != NULL && admincall_qs(path, sizeof(path), "reason",
	    o.reason) == -1))
		return 2;
	return act(sock, path, "UnitRetired", attrs, labels, 3);
}

static int
unit_reinstate(int argc, char **argv)
{
	static const char *const attrs[] = { "id", "retired" };
	static const char *const labels[] = { "unit", "retired" };
	struct unit_opts o;
	const char *sock;
	char path[400] = "/admin/v1/units/reinstate";
	int rc;

	if ((rc = parse_opts(argc, argv, "", &o)) != 0)
		return rc == 1 ? 0 : rc;
	if ((rc = common(&o, argc, argv, 1, &sock)) != 0)
		return rc;
	if (admincall_qs(path, sizeof(path), "id", argv[optind]) == -1)
		return 2;
	return act(sock, path, "UnitReinstated", attrs, labels, 2);
}

static int
unit_retired(int argc, char **argv)
{
	struct unit_opts o;
	const char *sock;
	char path[256] = "/admin/v1/units/retired";
	int rc;

	if ((rc = parse_opts(argc, argv, "f", &o)) != 0)
		return rc == 1 ? 0 : rc;
	if ((rc = common(&o, argc, argv, 0, &sock)) != 0)
		return rc;
	if (o.format != NULL) {
		if (out_format_parse(o.format) == -1) {
			warnx_("--format: '%s' is not one of " OUT_FORMAT_TOKENS,
			    o.format);
			return 2;
		}
		if (admincall_qs(path, sizeof(path), "format", o.format) == -1)
			return 2;
	}
	return admincall(sock, "GET", path, NULL, NULL, 0, NULL, NULL);
}

int
cmd_unit(int argc, char **argv)
{
	static const struct util_sub subs[] = {
		{ "retire", unit_retire },
		{ "reinstate", unit_reinstate },
		{ "retired", unit_retired },
		{ NULL, NULL }
	};

	return util_subcommand(argc, argv, subs, usage_all);
}
