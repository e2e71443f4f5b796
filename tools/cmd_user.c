/*
 * cmd_user.c - `lasteri user`: the web service's accounts on a running
 * node, through its admin socket (node/api_users.h).
 *
 *   user add NAME --role ROLE [--business-id Y-TUNNUS]
 *   user list [--format table|csv|xml]
 *   user disable NAME
 *   user passwd NAME
 *   user audit [--limit N] [--before ID] [--format table|csv|xml]
 *
 * A password comes from stdin when stdin is not a terminal and holds one
 * (its one line, without the newline); otherwise the node generates one and
 * this prints it once, on a line "password: ...".  Names, roles and
 * business IDs are checked here first (account.h), so a typo is one line
 * and exit 2 without a round trip.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "account.h"
#include "adminc.h"
#include "admincall.h"
#include "cmd.h"
#include "output.h"
#include "util.h"

#define FORM_TYPE	"application/x-www-form-urlencoded"

static const char usage_all[] =
    "lasteri user add|list|disable|passwd|audit ... -s SOCKET\n"
    "  user add NAME --role ROLE [--business-id Y-TUNNUS] -s SOCKET\n"
    "  user list [--format table|text|csv|xml] -s SOCKET\n"
    "  user disable NAME -s SOCKET\n"
    "  user passwd NAME -s SOCKET\n"
    "  user audit [--limit N] [--before ID] [--format table|csv|xml]"
    " -s SOCKET\n"
    "  Accounts of the node's web service.  ROLE is social-worker,\n"
    "  supervisor, provider (needs --business-id, the provider's Y-tunnus)\n"
    "  or admin.  NAME is 1 to 64 characters of a-z, 0-9, '.', '_', '-',\n"
    "  starting with a letter or a digit.  add and passwd read the password\n"
    "  (8 to 1024 bytes, one line) from stdin when it is not a terminal and\n"
    "  not empty; otherwise the node generates one, printed once as\n"
    "  \"password: ...\".  An account is never deleted, only disabled.\n"
    "  -s SOCKET, or LASTERI_SOCKET, names the node's admin socket.\n"
    "  Exit 0 done, 2 usage or input errors (one line saying which).\n";

struct user_opts {
	const char	*sock, *role, *bid, *format, *limit, *before;
};

/* Options; positional arguments left at argv[optind ..].  0, 1 after
 * --help, 2 after a usage message. */
static int
parse_opts(int argc, char **argv, struct user_opts *o)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "role", required_argument, NULL, 'r' },
		{ "business-id", required_argument, NULL, 'b' },
		{ "format", required_argument, NULL, 'f' },
		{ "limit", required_argument, NULL, 'n' },
		{ "before", required_argument, NULL, 'B' },
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
			o->role = optarg;
			break;
		case 'b':
			o->bid = optarg;
			break;
		case 'f':
			o->format = optarg;
			break;
		case 'n':
			o->limit = optarg;
			break;
		case 'B':
			o->before = optarg;
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

/* Refuses options the subcommand does not take (which: their letters of
 * "rbfnB"). */
static int
refuse_opts(const struct user_opts *o, const char *which)
{
	static const char letters[] = "rbfnB";
	static const char *const names[] = { "--role", "--business-id",
	    "--format", "--limit", "--before" };
	const char *vals[] = { o->role, o->bid, o->format, o->limit,
	    o->before };
	size_t i;

	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		if (vals[i] != NULL && strchr(which, letters[i]) == NULL) {
			warnx_("%s is not an option of this subcommand",
			    names[i]);
			return util_usage(usage_all);
		}
	return 0;
}

/* The socket, and the number of positional arguments checked: 0 or 2. */
static int
common(struct user_opts *o, int argc, int want, const char **sock)
{
	if (argc - optind != want) {
		warnx_(want ? "one account NAME is needed" :
		    "no arguments are taken");
		return util_usage(usage_all);
	}
	if ((*sock = adminc_socket(o->sock)) == NULL) {
		warnx_("-s SOCKET (or LASTERI_SOCKET) is needed");
		return util_usage(usage_all);
	}
	return 0;
}

static int
check_name(const char *name)
{
	struct err e;

	err_clear(&e);
	if (account_check(name, "admin", NULL, NULL, &e) == -1) {
		warnx_("%s", e.msg);
		return 2;
	}
	return 0;
}

/* The password on stdin into buf when stdin is not a terminal and holds
 * one: 1 read, 0 none (generate), 2 after a message. */
static int
stdin_password(char *buf, size_t len)
{
	size_t n = 0, r;

	buf[0] = '\0';
	if (isatty(STDIN_FILENO))
		return 0;
	while (n + 1 < len && (r = fread(buf + n, 1, len - 1 - n,
	    stdin)) > 0)
		n += r;
	if (ferror(stdin)) {
		warnx_("stdin: read error");
		return 2;
	}
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	if (n == 0)
		return 0;
	if (strlen(buf) != n || strchr(buf, '\n') != NULL) {
		warnx_("password on stdin: one line without NUL bytes");
		return 2;
	}
	if (n < ACCOUNT_PW_MIN || n > ACCOUNT_PW_MAX) {
		warnx_("password on stdin: %zu bytes; a password is %d to %d "
		    "bytes", n, ACCOUNT_PW_MIN, ACCOUNT_PW_MAX);
		return 2;
	}
	return 1;
}

/* Appends "&key=value" (the first without '&') to the form in buf. */
static int
form_add(char *buf, size_t len, const char *key, const char *value)
{
	size_t o = strlen(buf);
	int n;

	n = snprintf(buf + o, len - o, "%s%s=", o ? "&" : "", key);
	if (n < 0 || (size_t)n >= len - o)
		return -1;
	o += (size_t)n;
	return adminc_qs_escape(value, buf + o, len - o);
}

/* Prints the generated password of a <User> reply, if any. */
static int
print_generated(const char *resp)
{
	const char *p, *end;
	size_t n, i;

	if (resp == NULL || (p = strstr(resp, "<Password>")) == NULL)
		return 0;
	p += strlen("<Password>");
	if ((end = strstr(p, "</Password>")) == NULL ||
	    (n = (size_t)(end - p)) == 0 || n >= ACCOUNT_PW_GEN_LEN) {
		warnx_("the node's answer holds no readable password");
		return 2;
	}
	for (i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' &&
		    p[i] <= '9') || p[i] == '-')) {
			warnx_("the node's answer holds no readable password");
			return 2;
		}
	printf("password: %.*s\n", (int)n, p);
	printf("(generated; shown this once: hand it to the person over a "
	    "safe channel)\n");
	return 0;
}

static int
user_add(int argc, char **argv)
{
	struct user_opts o;
	struct err e;
	const char *sock, *name;
	char pw[ACCOUNT_PW_MAX + 2], form[4096], *resp = NULL;
	size_t rlen = 0;
	int rc, got;

	err_clear(&e);
	form[0] = '\0';
	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc == 1 ? 0 : rc;
	if ((rc = refuse_opts(&o, "rb")) != 0 ||
	    (rc = common(&o, argc, 1, &sock)) != 0)
		return rc;
	name = argv[optind];
	if (o.role == NULL) {
		warnx_("--role is needed (" ACCOUNT_ROLE_TOKENS ")");
		return util_usage(usage_all);
	}
	if (account_check(name, o.role, o.bid, NULL, &e) == -1) {
		warnx_("%s", e.msg);
		return 2;
	}
	rc = 2;
	if ((got = stdin_password(pw, sizeof(pw))) == 2)
		goto done;
	if (form_add(form, sizeof(form), "name", name) == -1 ||
	    form_add(form, sizeof(form), "role", o.role) == -1 ||
	    (o.bid != NULL && form_add(form, sizeof(form), "business-id",
	    o.bid) == -1) ||
	    (got && form_add(form, sizeof(form), "password", pw) == -1)) {
		warnx_("the request does not fit");
		goto done;
	}
	if ((rc = admincall(sock, "POST", "/admin/v1/users", FORM_TYPE, form,
	    strlen(form), &resp, &rlen)) != 0)
		goto done;
	printf("account %s added (%s%s%s)\n", name, o.role,
	    o.bid != NULL ? ", business ID " : "", o.bid != NULL ? o.bid : "");
	rc = print_generated(resp);
done:
	OPENSSL_cleanse(pw, sizeof(pw));
	OPENSSL_cleanse(form, sizeof(form));
	if (resp != NULL)
		OPENSSL_cleanse(resp, rlen);
	free(resp);
	return rc;
}

static int
user_passwd(int argc, char **argv)
{
	struct user_opts o;
	const char *sock, *name;
	char pw[ACCOUNT_PW_MAX + 2], form[4096], path[160], *resp = NULL;
	size_t rlen = 0;
	int rc, got;

	form[0] = '\0';
	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc == 1 ? 0 : rc;
	if ((rc = refuse_opts(&o, "")) != 0 ||
	    (rc = common(&o, argc, 1, &sock)) != 0)
		return rc;
	name = argv[optind];
	if ((rc = check_name(name)) != 0)
		return rc;
	if ((got = stdin_password(pw, sizeof(pw))) == 2) {
		rc = 2;
		goto done;
	}
	if (got && form_add(form, sizeof(form), "password", pw) == -1) {
		warnx_("the request does not fit");
		rc = 2;
		goto done;
	}
	snprintf(path, sizeof(path), "/admin/v1/users/%s/password", name);
	if ((rc = admincall(sock, "POST", path, got ? FORM_TYPE : NULL, form,
	    strlen(form), &resp, &rlen)) != 0)
		goto done;
	printf("account %s: new password set\n", name);
	rc = print_generated(resp);
done:
	OPENSSL_cleanse(pw, sizeof(pw));
	OPENSSL_cleanse(form, sizeof(form));
	if (resp != NULL)
		OPENSSL_cleanse(resp, rlen);
	free(resp);
	return rc;
}

static int
user_disable(int argc, char **argv)
{
	struct user_opts o;
	const char *sock, *name;
	char path[160], *resp = NULL;
	size_t rlen = 0;
	int rc;

	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc == 1 ? 0 : rc;
	if ((rc = refuse_opts(&o, "")) != 0 ||
	    (rc = common(&o, argc, 1, &sock)) != 0)
		return rc;
	name = argv[optind];
	if ((rc = check_name(name)) != 0)
		return rc;
	snprintf(path, sizeof(path), "/admin/v1/users/%s/disable", name);
	if ((rc = admincall(sock, "POST", path, NULL, NULL, 0, &resp,
	    &rlen)) != 0)
		return rc;
	free(resp);
	printf("account %s disabled\n", name);
	return 0;
}

/* GET a listing (path with its query) and print it. */
static int
listing(const struct user_opts *o, const char *sock, char *path,
    size_t len)
{
	const char *fmt = o->format;
	long v;

	if (fmt != NULL) {
		if (strcmp(fmt, "text") == 0)
			fmt = "table";
		if (out_format_parse(fmt) == -1) {
			warnx_("--format: '%s' is not one of "
			    OUT_FORMAT_TOKENS " (text is table)", fmt);
			return 2;
		}
		if (admincall_qs(path, len, "format", fmt) == -1)
			return 2;
	}
	if (o->limit != NULL) {
		if (util_parse_long("--limit", o->limit, 1, 10000, &v) == -1)
			return 2;
		if (admincall_qs(path, len, "limit", o->limit) == -1)
			return 2;
	}
	if (o->before != NULL) {
		if (util_parse_long("--before", o->before, 1, 0x7fffffffL,
		    &v) == -1)
			return 2;
		if (admincall_qs(path, len, "before", o->before) == -1)
			return 2;
	}
	return admincall(sock, "GET", path, NULL, NULL, 0, NULL, NULL);
}

static int
user_list(int argc, char **argv)
{
	struct user_opts o;
	const char *sock;
	char path[256] = "/admin/v1/users";
	int rc;

	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc == 1 ? 0 : rc;
	if ((rc = refuse_opts(&o, "f")) != 0 ||
	    (rc = common(&o, argc, 0, &sock)) != 0)
		return rc;
	return listing(&o, sock, path, sizeof(path));
}

static int
user_audit(int argc, char **argv)
{
	struct user_opts o;
	const char *sock;
	char path[256] = "/admin/v1/web-audit";
	int rc;

	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc == 1 ? 0 : rc;
	if ((rc = refuse_opts(&o, "fnB")) != 0 ||
	    (rc = common(&o, argc, 0, &sock)) != 0)
		return rc;
	return listing(&o, sock, path, sizeof(path));
}

int
cmd_user(int argc, char **argv)
{
	static const struct util_sub subs[] = {
		{ "add", user_add },
		{ "list", user_list },
		{ "disable", user_disable },
		{ "passwd", user_passwd },
		{ "audit", user_audit },
		{ NULL, NULL }
	};

	return util_subcommand(argc, argv, subs, usage_all);
}
