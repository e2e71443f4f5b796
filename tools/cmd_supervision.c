/*
 * cmd_supervision.c - lasteri supervision issue|status|retry|cancel|show:
 * issue a supervision record through a node (which signs, stores and
 * delivers it to the unit's home region), show the node's outbox, make its
 * pending deliveries due now, cancel one, or list the records about a unit
 * (cmd_supervision_show.c).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "admincall.h"
#include "adminc.h"
#include "cmd.h"
#include "util.h"
#include "xml.h"

#define ISSUE_FILE_MAX	(1024L * 1024L)

static const char usage[] =
    "lasteri supervision issue FILE [-s SOCKET]\n"
    "       lasteri supervision status [-s SOCKET]\n"
    "       lasteri supervision retry [--to CODE] [-s SOCKET]\n"
    "       lasteri supervision cancel ID [-s SOCKET]\n"
    "       lasteri supervision show --unit ID [-s SOCKET | --db FILE]\n"
    "\n"
    "issue   send an unsigned SupervisionRecord to the node, which validates\n"
    "        it, signs it with its key, stores it and queues its delivery to\n"
    "        the node of the unit's home region (<UnitRegion>, else the\n"
    "        unit in the node's store); prints the record Id, its SHA-256\n"
    "        and where it goes\n"
    "status  the node's outbox: records waiting, the oldest's age, and per\n"
    "        destination member the counts and the last error\n"
    "retry   deliver now: every pending delivery (or those to one member:\n"
    "        --to a member ID or a region code) is due at once instead of\n"
    "        after its backoff\n"
    "cancel  cancel the pending delivery of record ID: it is kept, in state\n"
    "        cancelled, and the node logs who cancelled it; a delivered\n"
    "        record cannot be cancelled\n"
    "show    the records the node holds about one unit\n"
    "\n"
    "  -s, --socket SOCKET  the node's admin socket (else $LASTERI_SOCKET)\n"
    "  --to CODE            retry: only the deliveries to this member";

/* Options common to the actions (to, when not NULL, takes --to); returns
 * the socket or NULL. */
static const char *
socket_opt(int argc, char **argv, int *rc, const char **to)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "to", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *sockopt = NULL, *sock;
	int ch;

	*rc = 2;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "s:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			sockopt = optarg;
			break;
		case 't':
			if (to == NULL) {
				warnx_("--to is an option of retry only");
				return NULL;
			}
			*to = optarg;
			break;
		case 'h':
			printf("usage: %s\n", usage);
			*rc = 0;
			return NULL;
		default:
			util_usage(usage);
			return NULL;
		}
	}
	if ((sock = adminc_socket(sockopt)) == NULL) {
		warnx_("no node: give -s SOCKET or set LASTERI_SOCKET");
		return NULL;
	}
	return sock;
}

static int
read_file(const char *path, char **out, size_t *len)
{
	FILE *f;
	char *buf;
	size_t n;

	if ((f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r")) == NULL) {
		warnx_("%s: cannot open", path);
		return -1;
	}
	buf = xmalloc(ISSUE_FILE_MAX + 1);
	n = fread(buf, 1, ISSUE_FILE_MAX + 1, f);
	if (f != stdin)
		fclose(f);
	if (n > ISSUE_FILE_MAX) {
		warnx_("%s: larger than %ld bytes", path, ISSUE_FILE_MAX);
		free(buf);
		return -1;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/*
 * The node's refusal of an issued file, naming the file: the node calls
 * the document "request" ("request:7: Opened: ..."), the person who wrote
 * it knows it as path.
 */
static void
issue_refused(const char *path, const char *sock, int status,
    const char *resp, size_t rlen)
{
	struct err e;
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	char *text = NULL;
	const char *t;

	err_clear(&e);
	if (rlen > 0 && (doc = xml_parse(resp, rlen, "the node's answer",
	    &xml_limits_answer, &e)) != NULL &&
	    xml_is((root = xmlDocGetRootElement(doc)), "Error"))
		text = xml_text(root, &e);
	if (text == NULL) {
		if (status == 413)
			warnx_("%s: larger than the node accepts (its "
			    "admin_body_max; %s)", path, sock);
		else
			warnx_("%s: the node answered %d", path, status);
	} else {
		t = strncmp(text, "request:", 8) == 0 ? text + 7 : text;
		warnx_("%s%s%s", strcmp(path, "-") == 0 ? "stdin" : path,
		    t == text ? ": " : "", t);
	}
	xmlFree(text);
	xmlFreeDoc(doc);
}

static int
issue(int argc, char **argv)
{
	char *body = NULL, *resp = NULL, id[80], digest[80], dest[200], st[32];
	const char *sock;
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	struct err e;
	size_t len, rlen;
	char *text;
	int rc, status = 0;

	if ((sock = socket_opt(argc, argv, &rc, NULL)) == NULL)
		return rc;
	if (optind + 1 != argc) {
		warnx_(optind == argc ? "FILE is needed" :
		    "one FILE at a time");
		return util_usage(usage);
	}
	if (read_file(argv[optind], &body, &len) == -1)
		return 2;
	err_clear(&e);
	rc = adminc_request(sock, "POST", "/admin/v1/supervision",
	    "application/xml", body, len, &status, &resp, &rlen, &e);
	free(body);
	if (rc == -1) {
		util_report(&e);
		return 2;
	}
	rc = 2;
	if (status < 200 || status > 299) {
		issue_refused(argv[optind], sock, status, resp, rlen);
		goto done;
	}
	if ((doc = admincall_doc(resp, rlen, "RecordReceipt")) == NULL)
		goto done;
	root = xmlDocGetRootElement(doc);
	text = xml_text(root, &e);
	printf("record  %s\nsha256  %s\nstatus  %s: %s\n",
	    admincall_attr(root, "Id", id, sizeof(id)),
	    admincall_attr(root, "digest", digest, sizeof(digest)),
	    admincall_attr(root, "status", st, sizeof(st)),
	    text != NULL ? text : "");
	if (*admincall_attr(root, "destination", dest, sizeof(dest)) != '\0')
		printf("to      %s\n", dest);
	xmlFree(text);
	rc = 0;
done:
	xmlFreeDoc(doc);
	free(resp);
	return rc;
}

static int
status(int argc, char **argv)
{
	char *resp = NULL, a[6][200];
	const char *sock;
	xmlDocPtr doc = NULL;
	xmlNodePtr root, d;
	size_t rlen;
	int rc;

	if ((sock = socket_opt(argc, argv, &rc, NULL)) == NULL)
		return rc;
	if (optind != argc) {
		warnx_("unexpected argument '%s'", argv[optind]);
		return util_usage(usage);
	}
	if ((rc = admincall(sock, "GET", "/admin/v1/outbox", NULL, NULL, 0,
	    &resp, &rlen)) != 0)
		return rc;
	rc = 2;
	if ((doc = admincall_doc(resp, rlen, "Outbox")) == NULL)
		goto done;
	root = xmlDocGetRootElement(doc);
	printf("pending    %s (oldest %s s)\ndelivered  %s\nconflict   %s\n"
	    "refused    %s\ninflight   %s\n",
	    admincall_attr(root, "pending", a[0], sizeof(a[0])),
	    admincall_attr(root, "oldestPendingAge", a[1], sizeof(a[1])),
	    admincall_attr(root, "delivered", a[2], sizeof(a[2])),
	    admincall_attr(root, "conflict", a[3], sizeof(a[3])),
	    admincall_attr(root, "refused", a[4], sizeof(a[4])),
	    admincall_attr(root, "inflight", a[5], sizeof(a[5])));
	if (xml_first_elem(root) != NULL)
		printf("\n%-32s %8s %10s %9s %9s %8s  %s\n", "DESTINATION",
		    "PENDING", "OLDEST_S", "DELIVERED", "CONFLICT", "REFUSED",
		    "LAST ERROR");
	for (d = xml_first_elem(root); d != NULL; d = xml_next_elem(d)) {
		char m[200], err[300];

		printf("%-32s %8s %10s %9s %9s %8s  %s\n",
		    admincall_attr(d, "member", m, sizeof(m)),
		    admincall_attr(d, "pending", a[0], sizeof(a[0])),
		    admincall_attr(d, "oldestPendingAge", a[1], sizeof(a[1])),
		    admincall_attr(d, "delivered", a[2], sizeof(a[2])),
		    admincall_attr(d, "conflict", a[3], sizeof(a[3])),
		    admincall_attr(d, "refused", a[4], sizeof(a[4])),
		    admincall_attr(d, "lastError", err, sizeof(err)));
	}
	rc = 0;
done:
	xmlFreeDoc(doc);
	free(resp);
	return rc;
}

static int
retry(int argc, char **argv)
{
	char *resp = NULL, path[300], text_to[200];
	const char *sock, *to = NULL;
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	struct err e;
	size_t rlen;
	char *text;
	int rc;

	if ((sock = socket_opt(argc, argv, &rc, &to)) == NULL)
		return rc;
	if (optind != argc) {
		warnx_("unexpected argument '%s'", argv[optind]);
		return util_usage(usage);
	}
	snprintf(path, sizeof(path), "/admin/v1/outbox/retry");
	if (to != NULL && admincall_qs(path, sizeof(path), "to", to) == -1)
		return 2;
	if ((rc = admincall(sock, "POST", path, NULL, NULL, 0, &resp,
	    &rlen)) != 0)
		return rc;
	rc = 2;
	err_clear(&e);
	if ((doc = admincall_doc(resp, rlen, "OutboxRetry")) == NULL)
		goto done;
	root = xmlDocGetRootElement(doc);
	text = xml_text(root, &e);
	if (*admincall_attr(root, "to", text_to, sizeof(text_to)) != '\0')
		printf("to       %s\n", text_to);
	printf("retry    %s\n", text != NULL ? text : "");
	xmlFree(text);
	rc = 0;
done:
	xmlFreeDoc(doc);
	free(resp);
	return rc;
}

static int
cancel(int argc, char **argv)
{
	char *resp = NULL, path[300], id[80], n[32];
	const char *sock;
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	struct err e;
	size_t rlen;
	char *text;
	int rc;

	if ((sock = socket_opt(argc, argv, &rc, NULL)) == NULL)
		return rc;
	if (optind + 1 != argc) {
		warnx_(optind == argc ? "the record ID is needed" :
		    "one record ID at a time");
		return util_usage(usage);
	}
	snprintf(path, sizeof(path), "/admin/v1/outbox/cancel");
	if (admincall_qs(path, sizeof(path), "record", argv[optind]) == -1)
		return 2;
	if ((rc = admincall(sock, "POST", path, NULL, NULL, 0, &resp,
	    &rlen)) != 0)
		return rc;
	rc = 2;
	err_clear(&e);
	if ((doc = admincall_doc(resp, rlen, "OutboxCancel")) == NULL)
		goto done;
	root = xmlDocGetRootElement(doc);
	text = xml_text(root, &e);
	printf("record     %s\ncancelled  %s: %s\n",
	    admincall_attr(root, "record", id, sizeof(id)),
	    admincall_attr(root, "cancelled", n, sizeof(n)), text != NULL ? text : "");
	xmlFree(text);
	rc = 0;
done:
	xmlFreeDoc(doc);
	free(resp);
	return rc;
}

int
cmd_supervision(int argc, char **argv)
{
	if (argc < 2) {
		warnx_("issue, status, retry, cancel or show is needed");
		return util_usage(usage);
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		printf("usage: %s\n", usage);
		return 0;
	}
	if (strcmp(argv[1], "issue") == 0)
		return issue(argc - 1, argv + 1);
	if (strcmp(argv[1], "status") == 0)
		return status(argc - 1, argv + 1);
	if (strcmp(argv[1], "retry") == 0)
		return retry(argc - 1, argv + 1);
	if (strcmp(argv[1], "cancel") == 0)
		return cancel(argc - 1, argv + 1);
	if (strcmp(argv[1], "show") == 0)
		return cmd_supervision_show(argc - 1, argv + 1);
	warnx_("unknown action '%s' (issue, status, retry, cancel or show)",
	    argv[1]);
	return util_usage(usage);
}
