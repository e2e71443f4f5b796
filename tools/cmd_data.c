/*
 * cmd_data.c - lasteri import and lasteri export: load or dump a region's
 * units, procurement definitions and supervision records.
 *
 * import reads and validates every file first (nothing touches the database
 * until all of them parse and validate), then puts every element in ONE
 * transaction: any error rolls all of it back, and a database the import
 * created is removed again.  export writes one Dataset document built from
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

#include "cmd.h"
#include "model.h"
#include "schema.h"
#include "store.h"
#include "store_import.h"
#include "util.h"
#include "vocab.h"
#include "xml.h"

static const char import_usage[] =
    "lasteri import --db FILE [--region CODE] FILE...\n"
    "\n"
    "Load units, procurement definitions and supervision records into the\n"
    "node's database.  Each FILE is a Dataset, or one Unit,\n"
    "ProcurementDefinition or SupervisionRecord document (\"-\" reads stdin);\n"
    "each is validated against the schemas and checked.  All files go in as\n"
    "one transaction: on any error nothing is imported.  A unit or\n"
    "procurement definition already stored under the same ID is replaced; a\n"
    "supervision record already stored with the same bytes is accepted again,\n"
    "a different one under a stored ID is refused.\n"
    "\n"
    "  -d, --db FILE      the database (created when missing)\n"
    "  -r, --region CODE  refuse units and procurement definitions of any\n"
    "                     other region (01..21, 90)\n"
    "  -s, --socket PATH  the node's admin socket (not in this build)\n"
    "  -h, --help         this text\n"
    "\n"
    "Exit status: 0 imported, 2 usage or input errors (nothing imported).";

static const char export_usage[] =
    "lasteri export --db FILE [--records] [--out FILE]\n"
    "\n"
    "Write the database's units and procurement definitions as one Dataset\n"
    "document (namespace urn:lasteri:1) that validates against the schemas\n"
    "and imports again to the same database.\n"
    "\n"
    "  -d, --db FILE      the database\n"
    "  -o, --out FILE     write here (replaced atomically) instead of stdout\n"
    "  -R, --records      include the supervision records\n"
    "  -s, --socket PATH  the node's admin socket (not in this build)\n"
    "  -h, --help         this text\n"
    "\n"
    "Exit status: 0 written, 2 usage, database or output errors.";

static int
no_socket(void)
{
	warnx_("the node's admin socket is not available in this build; "
	    "use --db FILE");
	return 2;
}

static int
need_db(const char *db, int socket_given, const char *usage)
{
	if (db != NULL)
		return 0;
	if (socket_given || getenv("LASTERI_SOCKET") != NULL)
		return no_socket();
	warnx_("--db FILE is needed");
	return util_usage(usage);
}

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

int
cmd_import(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "region", required_argument, NULL, 'r' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const roots[] = { "Dataset", "Unit",
	    "ProcurementDefinition", "SupervisionRecord", NULL };
	struct store_import_stats st;
	struct store *s = NULL;
	struct stat sb;
	struct err e;
	xmlDocPtr *docs = NULL;
	const char *db = NULL, *region = NULL;
	int c, i, nfiles = 0, existed, created = 0, socket_given = 0, rc = 2;

	err_clear(&e);
	memset(&st, 0, sizeof(st));
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:r:s:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'r':
			region = optarg;
			break;
		case 's':
			socket_given = 1;
			break;
		case 'h':
			printf("usage: %s\n", import_usage);
			return 0;
		default:
			return util_usage(import_usage);
		}
	}
	if (need_db(db, socket_given, import_usage) != 0)
		return 2;
	if (socket_given)
		return no_socket();
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

	/* First every file: parse and validate, before the database. */
	xml_init();
	docs = xcalloc((size_t)nfiles, sizeof(*docs));
	for (i = 0; i < nfiles; i++) {
		const char *path = argv[optind + i];

		if ((docs[i] = xml_read_file(path, &xml_limits_import,
		    &e)) == NULL)
			goto fail;
		if (schema_validate(docs[i], path, roots, &e) == -1)
			goto fail;
	}

	/* Then one transaction for all of them. */
	existed = stat(db, &sb) == 0;
	created = !existed;
	if (store_open(db, STORE_CREATE, &s, &e) == -1)
		goto fail;
	if (store_begin(s, &e) == -1)
		goto fail;
	for (i = 0; i < nfiles; i++)
		if (store_import_doc(s, docs[i], argv[optind + i], region,
		    &st, &e) == -1)
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
	if (docs != NULL)
		for (i = 0; i < nfiles; i++)
			xmlFreeDoc(docs[i]);
	free(docs);
	return rc;
}

/* --- export -------------------------------------------------------------- */

struct export_ctx {
	xmlDocPtr	doc;
	xmlNodePtr	root;
	long		n;
};

static void
remap_ns(xmlNodePtr n, xmlNsPtr from, xmlNsPtr to)
{
	xmlNodePtr c;
	xmlAttrPtr a;

	if (n->type != XML_ELEMENT_NODE)
		return;
	if (n->ns == from)
		n->ns = to;
	for (a = n->properties; a != NULL; a = a->next)
		if (a->ns == from)
			a->ns = to;
	for (c = n->children; c != NULL; c = c->next)
		remap_ns(c, from, to);
}

/* A stored document declares urn:lasteri:1 on its root; once the root is a
 * child of the Dataset, which declares it too, that declaration is noise:
 * point the copy at the Dataset's and drop it. */
static void
drop_redundant_ns(xmlNodePtr copy, xmlNsPtr keep)
{
	xmlNsPtr *pp, ns;

	for (pp = &copy->nsDef; (ns = *pp) != NULL; ) {
		if (ns->prefix == NULL && keep->prefix == NULL &&
		    xmlStrEqual(ns->href, keep->href)) {
			remap_ns(copy, ns, keep);
			*pp = ns->next;
			ns->next = NULL;
			xmlFreeNs(ns);
		} else
			pp = &ns->next;
	}
}

/* Appends a copy of the stored document's root to the Dataset, one per line. */
static int
export_one(void *arg, const char *id, const char *xml, size_t len,
    struct err *e)
{
	struct export_ctx *x = arg;
	xmlDocPtr in = NULL;
	xmlNodePtr copy = NULL, root;
	char name[ID_MAX + 32];
	int rc = -1;

	snprintf(name, sizeof(name), "stored %s", id);
	if ((in = xml_parse(xml, len, name, &xml_limits_import, e)) == NULL)
		goto done;
	if ((root = xmlDocGetRootElement(in)) == NULL) {
		err_set(e, ERR_DB, "%s: no element", name);
		goto done;
	}
	if ((copy = xmlDocCopyNode(root, x->doc, 1)) == NULL ||
	    xmlAddChild(x->root, xmlNewDocText(x->doc,
	    (const xmlChar *)"\n  ")) == NULL ||
	    xmlAddChild(x->root, copy) == NULL) {
		xmlFreeNode(copy);
		err_set(e, ERR_NOMEM, "%s: out of memory", name);
		goto done;
	}
	drop_redundant_ns(copy, x->root->ns);
	x->n++;
	rc = 0;
done:
	xmlFreeDoc(in);
	return rc;
}

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
	static const char *const roots[] = { "Dataset", NULL };
	struct export_ctx x = { NULL, NULL, 0 };
	struct store *s = NULL;
	struct err e;
	xmlNsPtr ns;
	char *buf = NULL, when[32];
	size_t len = 0;
	const char *db = NULL, *out = NULL;
	int c, records = 0, socket_given = 0, rc = 2;

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
			socket_given = 1;
			break;
		case 'h':
			printf("usage: %s\n", export_usage);
			return 0;
		default:
			return util_usage(export_usage);
		}
	}
	if (need_db(db, socket_given, export_usage) != 0)
		return 2;
	if (socket_given)
		return no_socket();
	if (optind != argc) {
		warnx_("unexpected argument '%s'", argv[optind]);
		return util_usage(export_usage);
	}

	xml_init();
	if (store_open(db, STORE_RDONLY, &s, &e) == -1)
		goto fail;
	if ((x.doc = xmlNewDoc((const xmlChar *)"1.0")) == NULL ||
	    (x.root = xmlNewDocNode(x.doc, NULL, (const xmlChar *)"Dataset",
	    NULL)) == NULL) {
		err_set(&e, ERR_NOMEM, "out of memory");
		goto fail;
	}
	xmlDocSetRootElement(x.doc, x.root);
	if ((ns = xmlNewNs(x.root, (const xmlChar *)LASTERI_NS, NULL)) == NULL) {
		err_set(&e, ERR_NOMEM, "out of memory");
		goto fail;
	}
	xmlSetNs(x.root, ns);
	model_datetime_format(time(NULL), when);
	xmlNewProp(x.root, (const xmlChar *)"generated", (const xmlChar *)when);
	if (store_foreach(s, STORE_UNIT, export_one, &x, &e) == -1 ||
	    store_foreach(s, STORE_PROCUREMENT, export_one, &x, &e) == -1 ||
	    (records &&
	    store_foreach(s, STORE_RECORD, export_one, &x, &e) == -1))
		goto fail;
	xmlAddChild(x.root, xmlNewDocText(x.doc, (const xmlChar *)"\n"));
	/* What we write must be what import accepts. */
	if (schema_validate(x.doc, "export", roots, &e) == -1)
		goto fail;
	if (xml_serialize(x.doc, &buf, &len, &e) == -1)
		goto fail;
	if (write_out(out, buf, len, &e) == -1)
		goto fail;
	rc = 0;
	goto done;
fail:
	warnx_("%s", e.msg[0] ? e.msg : err_code_name(e.code));
	rc = 2;
done:
	xmlFree(buf);
	xmlFreeDoc(x.doc);
	store_close(s);
	return rc;
}
