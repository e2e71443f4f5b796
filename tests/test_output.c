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
