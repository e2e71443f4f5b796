/*
 * admincall.c - a request to the node's admin socket as the subcommands make
 * it (see admincall.h): adminc.c moves the bytes, this file turns the answer
 * into output, a message and an exit status.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "adminc.h"
#include "admincall.h"
#include "err.h"
#include "util.h"
#include "xml.h"

/* The text of <Error ...>text</Error> with the five XML entities undone,
 * into buf; 0 when body is not such a document. */
static int
error_text(const char *body, char *buf, size_t len)
{
	static const struct { const char *ent; char c; } ents[] = {
		{ "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' },
		{ "&quot;", '"' }, { "&apos;", '\'' }
	};
	const char *p, *end;
	size_t n = 0, i;

	if ((p = strstr(body, "<Error")) == NULL ||
	    (p = strchr(p, '>')) == NULL ||
	    (end = strstr(p, "</Error>")) == NULL)
		return 0;
	for (p++; p < end && n + 1 < len; ) {
		for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++)
			if (strncmp(p, ents[i].ent, strlen(ents[i].ent)) == 0)
				break;
		if (i < sizeof(ents) / sizeof(ents[0])) {
			buf[n++] = ents[i].c;
			p += strlen(ents[i].ent);
		} else
			buf[n++] = *p++;
	}
	buf[n] = '\0';
	return 1;
}

int
admincall(const char *sock, const char *method, const char *path,
    const char *ctype, const void *body, size_t len, char **resp,
    size_t *resplen)
{
	return admincall_wait(sock, method, path, ctype, body, len, 0, NULL,
	    resp, resplen);
}

int
admincall_wait(const char *sock, const char *method, const char *path,
    const char *ctype, const void *body, size_t len, int timeout_sec,
    int *answered, char **resp, size_t *resplen)
{
	char *buf = NULL, msg[1024];
	size_t blen = 0;
	struct err e;
	int status = 0, rc = 2;

	err_clear(&e);
	if (answered != NULL)
		*answered = 0;
	if (adminc_request_wait(sock, method, path, ctype, body, len,
	    timeout_sec, &status, &buf, &blen, &e) == -1) {
		/* Not reached: the request never arrived. */
		if (answered != NULL && e.code == ERR_UNREACHABLE)
			*answered = 1;
		warnx_("%s", e.msg[0] ? e.msg : err_code_name(e.code));
		goto done;
	}
	if (answered != NULL)
		*answered = 1;
	if (status < 200 || status > 299) {
		if (error_text(buf, msg, sizeof(msg)))
			warnx_("%s", msg);
		else if (status == 413)
			warnx_("%s: the request is larger than the node accepts "
			    "(its admin_body_max)", sock);
		else
			warnx_("the node answered %d%s%.200s", status,
			    blen > 0 ? ": " : "", buf);
		goto done;
	}
	if (resp != NULL) {
		*resp = buf;
		*resplen = blen;
		buf = NULL;
	} else if (fwrite(buf, 1, blen, stdout) != blen ||
	    fflush(stdout) != 0) {
		warnx_("stdout: write failed");
		goto done;
	}
	rc = 0;
done:
	free(buf);
	return rc;
}

int
admincall_stream(const char *sock, const char *path, adminc_line_fn *fn,
    void *arg, char **resp, size_t *resplen)
{
	char *buf = NULL, msg[1024];
	size_t blen = 0;
	struct err e;
	int status = 0;

	err_clear(&e);
	*resp = NULL;
	*resplen = 0;
	if (adminc_request_lines(sock, path, fn, arg, &status, &buf, &blen,
	    &e) == -1) {
		warnx_("%s", e.msg[0] ? e.msg : err_code_name(e.code));
		free(buf);
		return 2;
	}
	if (status < 200 || status > 299) {
		if (error_text(buf, msg, sizeof(msg)))
			warnx_("%s", msg);
		else
			warnx_("the node answered %d%s%.200s", status,
			    blen > 0 ? ": " : "", buf);
		free(buf);
		return 2;
	}
	*resp = buf;
	*resplen = blen;
	return 0;
}

int
admincall_qs(char *buf, size_t len, const char *name, const char *value)
{
	char esc[1024];
	size_t used = strlen(buf);
	int n;

	if (adminc_qs_escape(value, esc, sizeof(esc)) == -1)
		goto toolong;
	n = snprintf(buf + used, len - used, "%c%s=%s",
	    strchr(buf, '?') != NULL ? '&' : '?', name, esc);
	if (n < 0 || (size_t)n >= len - used)
		goto toolong;
	return 0;
toolong:
	warnx_("--%s: the request is too long", name);
	return -1;
}

int
admincall_target(const char *db, const char *sockopt, const char *usage,
    const char **sock)
{
	*sock = NULL;
	if (db != NULL && sockopt != NULL) {
		warnx_("--db and --socket exclude each other: --db works on a "
		    "database offline, --socket asks the running node");
		return 2;
	}
	if (db != NULL)
		return 0;
	if ((*sock = adminc_socket(sockopt)) != NULL)
		return 0;
	warnx_("--db FILE or -s SOCKET (or LASTERI_SOCKET) is needed");
	return util_usage(usage);
}

xmlDocPtr
admincall_doc(const char *resp, size_t len, const char *root)
{
	struct err e;
	xmlDocPtr doc;

	err_clear(&e);
	if ((doc = xml_parse(resp, len, "the node's answer",
	    &xml_limits_answer, &e)) == NULL) {
		util_report(&e);
		return NULL;
	}
	if (!xml_is(xmlDocGetRootElement(doc), root)) {
		warnx_("the node's answer is not a %s", root);
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

const char *
admincall_attr(xmlNodePtr n, const char *name, char *buf, size_t len)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);

	snprintf(buf, len, "%s", v != NULL ? (const char *)v : "");
	xmlFree(v);
	return buf;
}
