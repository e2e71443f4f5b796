/*
 * cmd_data.c - lasteri import and lasteri export: load or dump a region's
 * units, procurement definitions and supervision records.
 *
 * import streams every file into ONE transaction (store_import_file): each
 * element of a Dataset is validated, checked and put as it is parsed, so
 * memory holds one element, not the files; any error rolls all of it back,
 * and a database the import created is removed again.  export writes one Dataset document built from
 * the stored exact bytes, so exporting and importing again gives the same
 * bytes and digests.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libxml/tree.h>

#include "adminc.h"
#include "admincall.h"
#include "api_admin.h"
#include "cmd.h"
#include "model.h"
#include "schema.h"
#include "store.h"
#include "store_export.h"
#include "store_import.h"
#include "store_retire.h"
#include "trust.h"
#include "util.h"
#include "verifier.h"
#include "vocab.h"
#include "x509.h"
#include "xml.h"

static const char import_usage[] =
    "lasteri import --db FILE | -s SOCKET [--region CODE] [--allow-foreign-units]\n"
    "       [--trust TRUSTLIST --anchor OPERATOR.crt] FILE...\n"
    "\n"
    "Load units, procurement definitions and supervision records into the\n"
    "node's database.  Each FILE is a Dataset, or one Unit,\n"
    "ProcurementDefinition or SupervisionRecord document (\"-\" reads stdin);\n"
    "each is validated against the schemas and checked.  All files go in as\n"
    "one transaction: on any error nothing is imported.  A unit or\n"
    "procurement definition already stored under the same ID is replaced; a\n"
    "supervision record already stored with the same bytes is accepted again,\n"
    "a different one under a stored ID is refused.  A record's Id must begin\n"
    "with its issuer code and a hyphen (LVV-2026-000123, HVA-08-...).\n"
    "\n"
    "A signed supervision record is verified as a receiving node would: its\n"
    "signature under the trust list and its Issuer among the signer's issuer\n"
    "codes.  Through a node (-s) the node's trust list is used; offline give\n"
    "--trust and --anchor, or signed records are refused.\n"
    "\n"
    "Through a node, units and procurement definitions of other regions than\n"
    "the node's own (from the trust list) are refused unless\n"
    "--allow-foreign-units is given.\n"
    "\n"
    "  -d, --db FILE      the database (created when missing), offline\n"
    "  -r, --region CODE  refuse units and procurement definitions of any\n"
    "                     other region (01..21, 90)\n"
    "      --allow-foreign-units\n"
    "                     take units of any region (a coordinator's node)\n"
    "  -t, --trust FILE   offline: the trust list that signed records are\n"
    "                     verified with\n"
    "  -a, --anchor CERT  offline: the operator certificate the trust list\n"
    "                     must verify against\n"
    "  -s, --socket PATH  the running node's admin socket (default\n"
    "                     $LASTERI_SOCKET when --db is not given)\n"
    "  -h, --help         this text\n"
    "\n"
    "Exit status: 0 imported, 2 usage or input errors (nothing imported).";

static const char export_usage[] =
    "lasteri export --db FILE | -s SOCKET [--records] [--out FILE]\n"
    "\n"
    "Write the database's units and procurement definitions as one Dataset\n"
    "document (namespace urn:lasteri:1) that validates against the schemas\n"
    "and imports again to the same database.  Retired units are in it like\n"
    "the others; a line on stderr says how many.\n"
    "\n"
    "  -d, --db FILE      the database\n"
    "  -o, --out FILE     write here (replaced atomically) instead of stdout\n"
    "  -R, --records      include the supervision records\n"
    "  -s, --socket PATH  the running node's admin socket (default\n"
    "                     $LASTERI_SOCKET when --db is not given)\n"
    "  -h, --help         this text\n"
    "\n"
    "Exit status: 0 written, 2 usage, database or output errors.";

static const char *
plural(long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* Removes a database file the failed import created, with its WAL files. */
static void
remove_db(const char *path)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char p[4096];
	size_t i;

	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		if (snprintf(p, sizeof(p), "%s%s", path, sfx[i]) >=
		    (int)sizeof(p))
			continue;
		unlink(p);
	}
}

/* Reads path ("-": stdin) whole into *out (caller frees); at most max
 * bytes. */
static int
slurp(const char *path, size_t max, char **out, size_t *len)
{
	FILE *f;
	char *buf = NULL, *nb;
	size_t cap = 0, n = 0, r;
	int rc = -1;

	f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (f == NULL) {
		warnx_("%s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (n + 1 >= cap) {
			cap = cap == 0 ? 65536 : cap * 2;
			if (cap > max + 2)
				cap = max + 2;
			if (n + 1 >= cap) {
				warnx_("%s: larger than %zu bytes", path, max);
				goto done;
			}
			if ((nb = realloc(buf, cap)) == NULL) {
				warnx_("%s: out of memory", path);
				goto done;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		warnx_("%s: %s", path, strerror(errno));
		goto done;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
	rc = 0;
done:
	if (f != stdin)
		fclose(f);
	free(buf);
	return rc;
}

#define IMPORT_REQUEST_MAX	(1024UL * 1024 * 1024)

/* Sends every file in one request of the parts format (api_admin.h):
 * "LENGTH NAME\n" then LENGTH bytes, per file. */
static int
import_socket(const char *sock, const char *region, int foreign, int nfiles,
    char **files)
{
	char path[256], head[4200], *body = NULL, *doc = NULL, *nb;
	size_t len = 0, dlen, i;
	int k, n, rc = 2, timeout, answered;

	snprintf(path, sizeof(path), "/admin/v1/import");
	if (region != NULL && admincall_qs(path, sizeof(path), "region",
	    region) == -1)
		goto done;
	if (foreign && admincall_qs(path, sizeof(path),
	    "allow-foreign-units", "1") == -1)
		goto done;
	for (k = 0; k < nfiles; k++) {
		if (slurp(files[k], IMPORT_REQUEST_MAX - len, &doc,
		    &dlen) == -1)
			goto nothing;
		n = snprintf(head, sizeof(head), "%zu %s\n", dlen,
		    strcmp(files[k], "-") == 0 ? "stdin" : files[k]);
		if (n < 0 || (size_t)n >= sizeof(head)) {
			warnx_("%s: name too long", files[k]);
			goto nothing;
		}
		for (i = 0; head[i] != '\n'; i++)
			if ((unsigned char)head[i] < ' ')
				head[i] = '?';
		if ((nb = realloc(body, len + (size_t)n + dlen + 1)) ==
		    NULL) {
			warnx_("out of memory");
			goto nothing;
		}
		body = nb;
		memcpy(body + len, head, (size_t)n);
		memcpy(body + len + n, doc, dlen);
		len += (size_t)n + dlen;
		free(doc);
		doc = NULL;
	}
	/* The node answers when the import is done: the wait follows the
	 * work (the node streams about 7 MB/s here; a second per MiB is
	 * several times that).  Without an answer the outcome is unknown:
	 * saying "nothing imported" of an import that committed would lie. */
	timeout = ADMINC_TIMEOUT_SEC + (int)(len / (1024 * 1024));
	if ((rc = admincall_wait(sock, "POST", path, ADMIN_IMPORT_TYPE, body,
	    len, timeout, &answered, NULL, NULL)) != 0) {
		if (answered)
			goto nothing;
		warnx_("no answer from the node: the import may or may not "
		    "have been committed (its log says: event=import or "
		    "event=import_refused); check with lasteri stats -s %s",
		    sock);
		rc = 2;
	}
	goto done;
nothing:
	warnx_("nothing imported");
	rc = 2;
done:
	free(doc);
	free(body);
	return rc;
}

int
cmd_import(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "region", required_argument, NULL, 'r' },
		{ "allow-foreign-units", no_argument, NULL, 'F' },
		{ "trust", required_argument, NULL, 't' },
		{ "anchor", required_argument, NULL, 'a' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct store_import_stats st;
	struct store *s = NULL;
	struct stat sb;
	struct err e;
	struct store_import_opts opts;
	struct trust_list *tl = NULL;
	X509 *anchor = NULL;
	const char *db = NULL, *region = NULL, *sockopt = NULL, *sock;
	const char *trustf = NULL, *anchorf = NULL;
	int c, i, nfiles = 0, existed, created = 0, foreign = 0, rc = 2;

	err_clear(&e);
	memset(&st, 0, sizeof(st));
	memset(&opts, 0, sizeof(opts));
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:r:t:a:s:h", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'r':
			region = optarg;
			break;
		case 'F':
			foreign = 1;
			break;
		case 't':
			trustf = optarg;
			break;
		case 'a':
			anchorf = optarg;
			break;
		case 's':
			sockopt = optarg;
			break;
		case 'h':
			printf("usage: %s\n", import_usage);
			return 0;
		default:
			return util_usage(import_usage);
		}
	}
	if (admincall_target(db, sockopt, import_usage, &sock) != 0)
		return 2;
	if (region != NULL && region_find(region) < 0) {
		warnx_("--region: '%s' is not a region code (01..21, 90)",
		    region);
		return 2;
	}
	nfiles = argc - optind;
	if (nfiles < 1) {
		warnx_("no FILE to import");
		return util_usage(import_usage);
	}
	if ((trustf == NULL) != (anchorf == NULL)) {
		warnx_("--trust and --anchor go together (a trust list is "
		    "only as good as the operator certificate it verifies "
		    "against)");
		return util_usage(import_usage);
	}
	if (sock != NULL) {
		if (trustf != NULL) {
			warnx_("--trust: a node verifies with its own trust "
			    "list; give it only with --db");
			return util_usage(import_usage);
		}
		return import_socket(sock, region, foreign, nfiles,
		    argv + optind);
	}
	opts.region = foreign ? NULL : region;
	opts.now = time(NULL);

	/* First the trust list and the schemas, before the database. */
	xml_init();
	if (trustf != NULL) {
		if ((anchor = x509_load_pem(anchorf, &e)) == NULL ||
		    trust_load(trustf, anchor, NULL, opts.now, &tl, &e) == -1 ||
		    (opts.verifier = verifier_new(tl, &e)) == NULL)
			goto fail;
	}
	if (schema_init(&e) == -1)
		goto fail;

	/* Then one transaction for all the files, streamed one by one. */
	existed = stat(db, &sb) == 0;
	created = !existed;
	if (store_open(db, STORE_CREATE, &s, &e) == -1)
		goto fail;
	if (store_begin(s, &e) == -1)
		goto fail;
	for (i = 0; i < nfiles; i++)
		if (store_import_file(s, argv[optind + i], &opts, &st,
		    &e) == -1)
			goto fail;
	if (store_commit(s, &e) == -1)
		goto fail;
	printf("imported %ld %s, %ld %s, %ld %s from %d %s",
	    st.units, plural(st.units, "unit", "units"),
	    st.procurements, plural(st.procurements,
	    "procurement definition", "procurement definitions"),
	    st.records, plural(st.records,
	    "supervision record", "supervision records"),
	    nfiles, plural(nfiles, "file", "files"));
	if (st.records_known > 0)
		printf(" (%ld %s already stored)", st.records_known,
		    plural(st.records_known, "record was", "records were"));
	printf("\n");
	rc = 0;
	goto done;
fail:
	/* An import error is the input's fault or the database's: either
	 * way nothing was imported (status 2). */
	warnx_("%s", e.msg[0] ? e.msg : err_code_name(e.code));
	warnx_("nothing imported");
	rc = 2;
done:
	store_close(s);		/* rolls back an open transaction */
	if (rc != 0 && created)
		remove_db(db);
	verifier_free(opts.verifier);
	trust_unref(tl);
	X509_free(anchor);
	return rc;
}

/* --- export -------------------------------------------------------------- */

/* Writes buf to path through a temporary file and rename(2), or to stdout. */
static int
write_out(const char *path, const char *buf, size_t len, struct err *e)
{
	const char *nl = (len > 0 && buf[len - 1] == '\n') ? "" : "\n";
	char tmp[4096];
	FILE *f;

	if (path == NULL || strcmp(path, "-") == 0) {
		if (fwrite(buf, 1, len, stdout) != len ||
		    fputs(nl, stdout) == EOF || fflush(stdout) != 0)
			return err_set(e, ERR_IO, "stdout: %s",
			    strerror(errno));
		return 0;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid()) >=
	    (int)sizeof(tmp))
		return err_set(e, ERR_USAGE, "%s: path too long", path);
	if ((f = fopen(tmp, "wx")) == NULL)
		return err_set(e, ERR_IO, "%s: %s", tmp, strerror(errno));
	if (fwrite(buf, 1, len, f) != len || fputs(nl, f) == EOF ||
	    fflush(f) != 0 || fsync(fileno(f)) != 0) {
		err_set(e, ERR_IO, "%s: %s", tmp, strerror(errno));
		fclose(f);
		unlink(tmp);
		return -1;
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Retired units are in an export like the others (the region's units, kept
 * for history); an import elsewhere would put them in search there, so
 * the export says how many there are, on stderr.  The count is read from
 * the store (s) or through the node (sock); a node that cannot say is
 * passed over in silence (the note is advice, the export is done). */
static void
retired_note(struct store *s, const char *sock)
{
	struct store_retired *v = NULL;
	struct err e;
	char *resp = NULL, *p;
	size_t n = 0, len = 0;

	err_clear(&e);
	if (s != NULL) {
		if (store_units_retired_list(s, &v, &n, &e) == -1)
			n = 0;
		free(v);
	} else if (admincall(sock, "GET", "/admin/v1/units/retired?format=xml",
	    NULL, NULL, 0, &resp, &len) == 0 && resp != NULL) {
		for (p = resp; (p = strstr(p, "<Row")) != NULL; p += 4)
			n++;
	}
	free(resp);
	if (n > 0)
		warnx_("export: %zu of the units %s retired (lasteri unit "
		    "retired lists %s): an import into another node puts %s in "
		    "search there", n, plural((long)n, "is", "are"),
		    plural((long)n, "it", "them"), plural((long)n, "it", "them"));
}

int
cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "out", required_argument, NULL, 'o' },
		{ "records", no_argument, NULL, 'R' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct store *s = NULL;
	struct err e;
	char *buf = NULL, *resp = NULL;
	size_t len = 0;
	const char *db = NULL, *out = NULL, *sockopt = NULL, *sock;
	int c, records = 0, rc = 2;

	err_clear(&e);
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:o:Rs:h", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'R':
			records = 1;
			break;
		case 's':
			sockopt = optarg;
			break;
		case 'h':
			printf("usage: %s\n", export_usage);
			return 0;
		default:
			return util_usage(export_usage);
		}
	}
	if (admincall_target(db, sockopt, export_usage, &sock) != 0)
		return 2;
	if (optind != argc) {
		warnx_("unexpected argument '%s'", argv[optind]);
		return util_usage(export_usage);
	}

	if (sock != NULL) {
		if ((rc = admincall(sock, "GET", records ?
		    "/admin/v1/export?records=1" : "/admin/v1/export", NULL,
		    NULL, 0, &resp, &len)) != 0)
			goto done;
		rc = 2;
		if (write_out(out, resp, len, &e) == -1)
			goto fail;
		retired_note(NULL, sock);
		rc = 0;
		goto done;
	}
	if (store_open(db, STORE_RDONLY, &s, &e) == -1 ||
	    store_export_dataset(s, records, time(NULL), &buf, &len,
	    &e) == -1 ||
	    write_out(out, buf, len, &e) == -1)
		goto fail;
	retired_note(s, NULL);
	rc = 0;
	goto done;
fail:
	warnx_("%s", e.msg[0] ? e.msg : err_code_name(e.code));
	rc = 2;
done:
	xmlFree(buf);
	free(resp);
	store_close(s);
	return rc;
}
