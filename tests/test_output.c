/*
 * test_output.c - the three renderings of tools/output.c: aligned text,
 * RFC 4180 CSV and the urn:lasteri:1 XML document.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "testmain.h"
#include "xml.h"

static const char *const keys[] = { "name", "count" };
static const char *const heads[] = { "name", "count" };

static struct out_table *
sample_table(void)
{
	struct out_table *t;
	const char *r1[] = { "Itä-Uusimaa", "7" };
	const char *r2[] = { "say \"hi\", then\nleave", "12" };
	const char *r3[] = { NULL, "<5" };

	t = out_table_new("counts", 2, keys, heads);
	CU_ASSERT_FATAL(t != NULL);
	out_table_right(t, 1);
	CU_ASSERT(out_table_add(t, r1) == 0);
	CU_ASSERT(out_table_add(t, r2) == 0);
	CU_ASSERT(out_table_add(t, r3) == 0);
	CU_ASSERT(out_table_attr(t, "by", "region") == 0);
	CU_ASSERT(out_table_note(t, "<5: suppressed & hidden") == 0);
	return t;
}

static void
test_csv_quoting(void)
{
	struct out_table *t = sample_table();
	struct err e;
	char *s;

	err_clear(&e);
	s = out_write_string(OUT_CSV, "Statistics", &t, 1, &e);
	CU_ASSERT_FATAL(s != NULL);
	CU_ASSERT_STRING_EQUAL(s, "name,count\r\n"
	    "Itä-Uusimaa,7\r\n"
	    "\"say \"\"hi\"\", then\nleave\",12\r\n"
	    ",<5\r\n");
	free(s);
	out_table_free(t);
}

/* Two statistics-like tables sharing group and units, one with a column of
 * its own each; and the national status table. */
static struct out_table *
stats_like(const char *name, const char *own, const char *v)
{
	const char *k[] = { "group", own, "units" };
	const char *r[] = { "01", v, "3" };
	struct out_table *t;

	t = out_table_new(name, 3, k, k);
	CU_ASSERT_FATAL(t != NULL);
	CU_ASSERT(out_table_add(t, r) == 0);
	return t;
}

static void
test_csv_one_table(void)
{
	struct out_table *t[2];
	struct err e;
	char *s;

	t[0] = stats_like("capacity", "places", "12");
	t[1] = stats_like("prices", "median", "a,b");
	err_clear(&e);
	s = out_write_string(OUT_CSV, "Statistics", t, 2, &e);
	CU_ASSERT_FATAL(s != NULL);
	/* One header line, every row as many fields, the table named. */
	CU_ASSERT_STRING_EQUAL(s, "table,group,places,units,median\r\n"
	    "capacity,01,12,3,\r\n"
	    "prices,01,,3,\"a,b\"\r\n");
	free(s);
	out_table_free(t[0]);
	out_table_free(t[1]);
}

static void
test_csv_apart(void)
{
	static const char *const sk[] = { "member", "region", "status", "ms",
	    "detail" };
	const char *sr[] = { "SOTERI-1", "01", "ok", "12", NULL };
	struct out_table *t[3];
	struct err e;
	char *s;

	t[0] = stats_like("capacity", "places", "12");
	t[1] = stats_like("prices", "median", "400");
	t[2] = out_table_new("regions", 5, sk, sk);
	CU_ASSERT_FATAL(t[2] != NULL);
	CU_ASSERT(out_table_add(t[2], sr) == 0);
	out_table_apart(t[2]);
	err_clear(&e);
	/* The national shape (issue 10): the result, an empty line, then the
	 * status rows with their own header. */
	s = out_write_string(OUT_CSV, "NationalResult", t, 3, &e);
	CU_ASSERT_FATAL(s != NULL);
	CU_ASSERT_STRING_EQUAL(s, "table,group,places,units,median\r\n"
	    "capacity,01,12,3,\r\n"
	    "prices,01,,3,400\r\n"
	    "\r\n"
	    "member,region,status,ms,detail\r\n"
	    "SOTERI-1,01,ok,12,\r\n");
	free(s);
	/* One result table keeps its own header (no table column). */
	out_table_free(t[1]);
	t[1] = t[2];
	s = out_write_string(OUT_CSV, "NationalResult", t, 2, &e);
	CU_ASSERT_FATAL(s != NULL);
	CU_ASSERT_STRING_EQUAL(s, "group,places,units\r\n"
	    "01,12,3\r\n"
	    "\r\n"
	    "member,region,status,ms,detail\r\n"
	    "SOTERI-1,01,ok,12,\r\n");
	free(s);
	out_table_free(t[0]);
	out_table_free(t[2]);
}

static void
test_text_alignment(void)
{
	struct out_table *t;
	const char *r1[] = { "Itä-Uusimaa", "7" };
	const char *r2[] = { "Kainuu", "12" };
	struct err e;
	char *s;

	t = out_table_new("counts", 2, keys, heads);
	CU_ASSERT_FATAL(t != NULL);
	out_table_right(t, 1);
	CU_ASSERT(out_table_title(t, "Counts") == 0);
	CU_ASSERT(out_table_add(t, r1) == 0);
	CU_ASSERT(out_table_add(t, r2) == 0);
	err_clear(&e);
	s = out_write_string(OUT_TABLE, "Statistics", &t, 1, &e);
	CU_ASSERT_FATAL(s != NULL);
	/* "Itä-Uusimaa" is 11 characters (12 bytes): widths count characters. */
	CU_ASSERT_STRING_EQUAL(s, "Counts\n"
	    "name         count\n"
	    "------------------\n"
	    "Itä-Uusimaa      7\n"
	    "Kainuu          12\n");
	free(s);
	out_table_free(t);
}

static void
test_xml_document(void)
{
	struct out_table *t = sample_table();
	xmlDocPtr doc;
	struct err e;
	char *s;

	err_clear(&e);
	s = out_write_string(OUT_XML, "Statistics", &t, 1, &e);
	CU_ASSERT_FATAL(s != NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(s,
	    "<Statistics xmlns=\"urn:lasteri:1\"><Table name=\"counts\" by=\"region\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "<count>&lt;5</count>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "<Note>&lt;5: suppressed &amp; hidden</Note>"));
	/* It parses back through the hardened parser. */
	doc = xml_parse(s, strlen(s), "output", &xml_limits_wire, &e);
	CU_ASSERT_PTR_NOT_NULL(doc);
	if (doc != NULL) {
		CU_ASSERT(xml_is(xmlDocGetRootElement(doc), "Statistics"));
		xmlFreeDoc(doc);
	}
	free(s);
	out_table_free(t);
}

static void
test_format_names(void)
{
	CU_ASSERT_EQUAL(out_format_parse("table"), OUT_TABLE);
	CU_ASSERT_EQUAL(out_format_parse("csv"), OUT_CSV);
	CU_ASSERT_EQUAL(out_format_parse("xml"), OUT_XML);
	CU_ASSERT_EQUAL(out_format_parse("json"), -1);
}

static CU_TestInfo tests[] = {
	{ "quotes CSV fields with commas, quotes and newlines (RFC 4180)", test_csv_quoting },
	{ "writes several tables as one CSV table with a table column", test_csv_one_table },
	{ "writes a table set apart after one empty line with its own header", test_csv_apart },
	{ "aligns text columns by characters, numbers to the right", test_text_alignment },
	{ "writes an escaped urn:lasteri:1 document that parses back", test_xml_document },
	{ "knows the format names and refuses others", test_format_names },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ "output", NULL, NULL, NULL, NULL, tests },
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	return test_run_suites(suites);
}
