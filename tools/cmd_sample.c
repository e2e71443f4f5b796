/*
 * cmd_sample.c - lasteri sample: write deterministic sample data, one
 * Dataset document per region (DIR/<code>/dataset.xml), for the quick start,
 * the test federation and the benchmarks.
 *
 * The whole country is generated (tools/sample.c) and the chosen regions are
 * written, so a region's file is the same whichever regions are asked for.
 * Each document is validated against the schemas before it is written (what
 * we write must be what import accepts), and written to a temporary file
 * that is renamed into place.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/tree.h>

#include "cmd.h"
#include "model.h"
#include "sample.h"
#include "schema.h"
#include "util.h"
#include "vocab.h"
#include "xml.h"

static const char usage[] =
    "lasteri sample --out DIR [--seed N] [--regions N | --region CODE]\n"
    "               [--scale K] [--now DATE] [--no-records]\n"
    "\n"
    "Generate realistic sample data at the scale of DOMAIN.md: about 1,250\n"
    "units nationally (split by population), each region's procurement\n"
    "definitions with their awarded units, and ten years of supervision\n"
    "history (about 30,000-50,000 records).  Writes DIR/<code>/dataset.xml\n"
    "per region, a Dataset document that 'lasteri import' loads.  The same\n"
    "seed, scale and date give byte-identical files.\n"
    "\n"
    "  -o, --out DIR       where to write (created when missing)\n"
    "  -S, --seed N        the random seed (default 1)\n"
    "  -n, --regions N     the first N regions in table order (default 22)\n"
    "  -r, --region CODE   just this region (01..21, 90)\n"
    "  -k, --scale K       K times the national scale, 1..64 (default 1)\n"
    "  -t, --now DATE      the present of the data, YYYY-MM-DD or\n"
    "                      YYYY-MM-DDThh:mm:ssZ (default 2026-11-01)\n"
    "  -R, --no-records    units and procurement definitions only\n"
    "  -h, --help          this text\n"
    "\n"
    "Prints one line per region: code, units, procurements, records, file.\n"
    "Exit status: 0 written, 2 usage or output errors.";

/* mkdir -p for a path we were given. */
static int
make_dirs(const char *path, struct err *e)
{
	char buf[4096];
	size_t i, len = strlen(path);

	if (len == 0 || len >= sizeof(buf))
		return err_set(e, ERR_USAGE, "--out: bad directory '%s'", path);
	memcpy(buf, path, len + 1);
	for (i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) == -1 && errno != EEXIST)
			return err_set(e, ERR_IO, "%s: cannot create: %s", buf,
			    strerror(errno));
		buf[i] = i < len ? '/' : '\0';
	}
	return 0;
}

static int
newline(xmlDocPtr doc, xmlNodePtr root, struct err *e)
{
	if (xmlAddChild(root, xmlNewDocText(doc, (const xmlChar *)"\n")) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	return 0;
}

struct counts {
	int	units, procs, records;
};

/* The Dataset of region ri: units, procurement definitions, records. */
static xmlDocPtr
region_doc(const struct sample *s, const struct sample_opts *o, int ri,
    int records, struct supervision_record *rbuf, struct counts *c,
    struct err *e)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	xmlNsPtr ns;
	const struct unit *u;
	const struct procurement *p;
	char when[32];
	int i, j, n, k;

	memset(c, 0, sizeof(*c));
	if ((doc = xmlNewDoc((const xmlChar *)"1.0")) == NULL ||
	    (root = xmlNewDocNode(doc, NULL, (const xmlChar *)"Dataset",
	    NULL)) == NULL)
		goto nomem;
	xmlDocSetRootElement(doc, root);
	if ((ns = xmlNewNs(root, (const xmlChar *)LASTERI_NS, NULL)) == NULL)
		goto nomem;
	xmlSetNs(root, ns);
	model_datetime_format(o->now, when);
	if (xmlNewProp(root, (const xmlChar *)"region",
	    (const xmlChar *)regions[ri].code) == NULL ||
	    xmlNewProp(root, (const xmlChar *)"generated",
	    (const xmlChar *)when) == NULL)
		goto nomem;
	if (newline(doc, root, e) == -1)
		goto fail;
	u = sample_units(s, ri, &n);
	for (i = 0; i < n; i++, c->units++)
		if (model_unit_write(doc, root, &u[i], e) == NULL ||
		    newline(doc, root, e) == -1)
			goto fail;
	p = sample_procurements(s, ri, &n);
	for (i = 0; i < n; i++, c->procs++)
		if (model_procurement_write(doc, root, &p[i], e) == NULL ||
		    newline(doc, root, e) == -1)
			goto fail;
	u = sample_units(s, ri, &n);
	for (i = 0; records && i < n; i++) {
		k = sample_unit_records(s, &u[i], rbuf, SAMPLE_UNIT_RECORDS_MAX);
		for (j = 0; j < k; j++, c->records++)
			if (model_record_write(doc, root, &rbuf[j], e) == NULL ||
			    newline(doc, root, e) == -1)
				goto fail;
	}
	return doc;
nomem:
	err_set(e, ERR_NOMEM, "out of memory");
fail:
	err_prefix(e, "region %s", regions[ri].code);
	xmlFreeDoc(doc);
	return NULL;
}

static int
write_region(const struct sample *s, const struct sample_opts *o,
    const char *out, int ri, int records, struct supervision_record *rbuf,
    struct err *e)
{
	static const char *const roots[] = { "Dataset", NULL };
	xmlDocPtr doc = NULL;
	struct counts c;
	char dir[4096], path[4200], *buf = NULL;
	size_t len;
	int rc = -1;

	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", out,
	    regions[ri].code) >= sizeof(dir) ||
	    (size_t)snprintf(path, sizeof(path), "%s/dataset.xml", dir) >=
	    sizeof(path))
		return err_set(e, ERR_USAGE, "--out: '%s' is too long", out);
	if ((doc = region_doc(s, o, ri, records, rbuf, &c, e)) == NULL)
		goto done;
	if (schema_validate(doc, path, roots, e) == -1)
		goto done;
	if (xml_serialize(doc, &buf, &len, e) == -1)
		goto done;
	if (make_dirs(dir, e) == -1 || util_write_atomic(path, buf, len, e) == -1)
		goto done;
	printf("%s  units %5d  procurements %d  records %6d  %s\n",
	    regions[ri].code, c.units, c.procs, c.records, path);
	fflush(stdout);
	rc = 0;
done:
	xmlFree(buf);
	xmlFreeDoc(doc);
	return rc;
}

int
cmd_sample(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "seed", required_argument, NULL, 'S' },
		{ "regions", required_argument, NULL, 'n' },
		{ "region", required_argument, NULL, 'r' },
		{ "scale", required_argument, NULL, 'k' },
		{ "now", required_argument, NULL, 't' },
		{ "no-records", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct sample_opts o;
	struct sample *s = NULL;
	struct supervision_record *rbuf = NULL;
	struct err e;
	const char *out = NULL;
	long v, nregions = REGION_COUNT;
	int ch, first = 0, last, records = 1, have_n = 0, one = -1, ri, rc = 2;

	memset(&o, 0, sizeof(o));
	err_clear(&e);
	o.seed = 1;
	o.scale = 1;
	o.now = sample_default_now();
	optind = 1;
	while ((ch = getopt_long(argc, argv, "o:S:n:r:k:t:Rh", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'o':
			out = optarg;
			break;
		case 'S':
			if (util_parse_long("--seed", optarg, 0, LONG_MAX,
			    &v) == -1)
				return 2;
			o.seed = (uint64_t)v;
			break;
		case 'n':
			if (util_parse_long("--regions", optarg, 1, REGION_COUNT,
			    &nregions) == -1)
				return 2;
			have_n = 1;
			break;
		case 'r':
			if ((one = region_find(optarg)) == -1) {
				warnx_("--region: '%s' is not a region code "
				    "(01..21, 90)", optarg);
				return 2;
			}
			break;
		case 'k':
			if (util_parse_long("--scale", optarg, 1,
			    SAMPLE_SCALE_MAX, &v) == -1)
				return 2;
			o.scale = (int)v;
			break;
		case 't':
			if (sample_parse_now(optarg, &o.now) == -1) {
				warnx_("--now: '%s' is not YYYY-MM-DD or "
				    "YYYY-MM-DDThh:mm:ssZ between 2000 and 2100",
				    optarg);
				return 2;
			}
			break;
		case 'R':
			records = 0;
			break;
		case 'h':
			printf("usage: %s\n", usage);
			return 0;
		default:
			return util_usage(usage);
		}
	}
	if (optind != argc) {
		warnx_("unexpected argument '%s'", argv[optind]);
		return util_usage(usage);
	}
	if (out == NULL) {
		warnx_("--out DIR is required");
		return util_usage(usage);
	}
	if (have_n && one >= 0) {
		warnx_("--regions and --region exclude each other");
		return util_usage(usage);
	}
	last = (int)nregions - 1;
	if (one >= 0)
		first = last = one;

	xml_init();
	if (schema_init(&e) == -1)
		goto fail;
	if (make_dirs(out, &e) == -1)
		goto fail;
	if (sample_new(&o, &s, &e) == -1)
		goto fail;
	if ((rbuf = malloc(SAMPLE_UNIT_RECORDS_MAX * sizeof(*rbuf))) == NULL) {
		err_set(&e, ERR_NOMEM, "out of memory");
		goto fail;
	}
	for (ri = first; ri <= last; ri++)
		if (write_region(s, &o, out, ri, records, rbuf, &e) == -1)
			goto fail;
	rc = 0;
	goto done;
fail:
	rc = util_report(&e);
done:
	free(rbuf);
	sample_free(s);
	return rc;
}
