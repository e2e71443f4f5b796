/*
 * test_xml.c - the hardened XML door (federation/xml.c): hostile inputs are
 * refused with the right reason and nothing is expanded or fetched; valid
 * documents parse; whole-text reads refuse comments and PIs; C14N.
 */
#include "config.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "testmain.h"
#include "xml.h"

static struct err e;

static xmlDocPtr
parse(const char *s, const struct xml_limits *lim)
{
	err_clear(&e);
	return xml_parse(s, strlen(s), "t.xml", lim, &e);
}

/* Asserts s is refused with code and a message holding want. */
static void
refused(const char *s, const struct xml_limits *lim, enum err_code code,
    const char *want)
{
	xmlDocPtr doc;

	doc = parse(s, lim);
	CU_ASSERT_PTR_NULL(doc);
	xmlFreeDoc(doc);
	CU_ASSERT_EQUAL(e.code, code);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, want));
	if (strstr(e.msg, want) == NULL)
		fprintf(stderr, "\n  message: %s (wanted '%s')\n", e.msg, want);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
test_valid(void)
{
	xmlDocPtr doc;
	xmlNodePtr root, c;

	doc = parse("<?xml version=\"1.0\"?>\n<Unit xmlns=\"urn:lasteri:1\" "
	    "Id=\"u1\"><Name>A &amp; B &#228;</Name><Type>x</Type></Unit>",
	    &xml_limits_wire);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	root = xmlDocGetRootElement(doc);
	CU_ASSERT(xml_is(root, "Unit"));
	CU_ASSERT(!xml_is(root, "Name"));
	c = xml_first_elem(root);
	CU_ASSERT(xml_is(c, "Name"));
	CU_ASSERT(xml_is(xml_next_elem(c), "Type"));
	CU_ASSERT_PTR_NULL(xml_next_elem(xml_next_elem(c)));
	xmlFreeDoc(doc);
}

static void
test_other_namespace(void)
{
	xmlDocPtr doc;

	doc = parse("<Unit xmlns=\"urn:other\"/>", &xml_limits_wire);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT(!xml_is(xmlDocGetRootElement(doc), "Unit"));
	xmlFreeDoc(doc);
}

static void
test_internal_dtd(void)
{
	refused("<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ELEMENT a ANY>]>\n"
	    "<a/>", &xml_limits_wire, ERR_INPUT, "DTD");
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "t.xml:2: a:"));
}

static void
test_external_dtd(void)
{
	refused("<!DOCTYPE a SYSTEM \"http://127.0.0.1:9/x.dtd\"><a/>",
	    &xml_limits_wire, ERR_INPUT, "DTD");
}

static void
test_xxe(void)
{
	refused("<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
	    "<a>&x;</a>", &xml_limits_wire, ERR_INPUT, "DTD");
	CU_ASSERT_PTR_NULL(strstr(e.msg, "root:"));
}

static void
test_billion_laughs(void)
{
	static const char bomb[] =
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE lolz [\n"
	    " <!ENTITY lol \"lol\">\n"
	    " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
	    " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
	    " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
	    " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
	    " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
	    " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
	    " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
	    " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
	    " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
	    "]>\n"
	    "<lolz>&lol9;</lolz>\n";
	double t0;

	t0 = now();
	refused(bomb, &xml_limits_import, ERR_INPUT, "DTD");
	/* stopped at the DOCTYPE (line 2), before any declaration */
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "t.xml:2: lolz:"));
	CU_ASSERT(now() - t0 < 1.0);
}

static void
test_undeclared_entity(void)
{
	refused("<a>&foo;</a>", &xml_limits_wire, ERR_INPUT, "entity");
	refused("<a b=\"&foo;\"/>", &xml_limits_wire, ERR_INPUT, "entity");
}

static char *
repeat(const char *open, const char *close, int n)
{
	size_t lo = strlen(open), lc = strlen(close), len = 0;
	char *b;
	int i;

	b = malloc((lo + lc) * (size_t)n + 1);
	for (i = 0; i < n; i++, len += lo)
		memcpy(b + len, open, lo);
	for (i = 0; i < n; i++, len += lc)
		memcpy(b + len, close, lc);
	b[len] = '\0';
	return b;
}

static void
test_depth(void)
{
	char *s;

	s = repeat("<d>", "</d>", 1000);
	refused(s, &xml_limits_import, ERR_INPUT, "nesting deeper than the "
	    "limit of 64");
	free(s);
	s = repeat("<d>", "</d>", 64);
	xmlFreeDoc(parse(s, &xml_limits_wire));
	CU_ASSERT_EQUAL(e.code, ERR_OK);
	free(s);
}

static void
test_five_million_nodes(void)
{
	const struct xml_limits lim = { 64UL << 20, 64, 100000 };
	const long count = 5000000;
	char *b, *p;
	long i, line;
	double t0;

	b = malloc((size_t)count * 5 + 16);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	p = b;
	memcpy(p, "<r>\n", 4);
	p += 4;
	for (i = 0; i < count; i++, p += 5)
		memcpy(p, "<b/>\n", 5);
	memcpy(p, "</r>", 5);
	t0 = now();
	refused(b, &lim, ERR_INPUT, "more nodes than the limit of 100000");
	/* stopped early: the reported line is near the cap, not the end */
	p = strchr(e.msg, ':');
	line = p != NULL ? strtol(p + 1, NULL, 10) : -1;
	CU_ASSERT(line > 0 && line < 200000);
	CU_ASSERT(now() - t0 < 5.0);
	free(b);
}

static void
test_oversize(void)
{
	char *b;
	size_t n = xml_limits_wire.max_bytes + 1;

	b = malloc(n + 1);
	memset(b, ' ', n);
	memcpy(b, "<a>", 3);
	memcpy(b + n - 4, "</a>", 4);
	b[n] = '\0';
	err_clear(&e);
	CU_ASSERT_PTR_NULL(xml_parse(b, n, "big.xml", &xml_limits_wire, &e));
	CU_ASSERT_EQUAL(e.code, ERR_INPUT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "big.xml: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "larger than the limit"));
	free(b);
}

static void
test_oversize_file(void)
{
	char path[] = "/tmp/lasteri-test-xml.XXXXXX";
	int fd;
	double t0;
	xmlDocPtr doc;

	/* A sparse 100 MB file: refused from its size, never read. */
	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT(ftruncate(fd, 100L << 20) == 0);
	close(fd);
	t0 = now();
	err_clear(&e);
	doc = xml_read_file(path, &xml_limits_import, &e);
	CU_ASSERT_PTR_NULL(doc);
	CU_ASSERT_EQUAL(e.code, ERR_INPUT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, path));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "larger than the limit"));
	CU_ASSERT(now() - t0 < 0.5);
	unlink(path);
}

static void
test_read_file(void)
{
	char path[] = "/tmp/lasteri-test-xml.XXXXXX";
	const char *s = "<a xmlns=\"urn:lasteri:1\">x</a>\n";
	xmlDocPtr doc;
	int fd;

	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT(write(fd, s, strlen(s)) == (ssize_t)strlen(s));
	close(fd);
	err_clear(&e);
	doc = xml_read_file(path, &xml_limits_wire, &e);
	CU_ASSERT_PTR_NOT_NULL(doc);
	CU_ASSERT(doc != NULL && xml_is(xmlDocGetRootElement(doc), "a"));
	xmlFreeDoc(doc);
	unlink(path);
	doc = xml_read_file(path, &xml_limits_wire, &e);
	CU_ASSERT_PTR_NULL(doc);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, path));
}

static void
test_truncated(void)
{
	refused("<a>\n<b>text</b>\n<c>", &xml_limits_wire, ERR_INPUT,
	    "t.xml:3: c:");
}

static void
test_not_xml(void)
{
	refused("hello, world\n", &xml_limits_wire, ERR_INPUT, "t.xml:1:");
	refused("\x89PNG\r\n\x1a\n\x01\x02", &xml_limits_wire, ERR_INPUT,
	    "t.xml:");
}

static void
test_empty(void)
{
	xmlDocPtr doc;

	err_clear(&e);
	doc = xml_parse("", 0, "t.xml", &xml_limits_wire, &e);
	CU_ASSERT_PTR_NULL(doc);
	CU_ASSERT_EQUAL(e.code, ERR_INPUT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "empty"));
	refused(" \n\t\n", &xml_limits_wire, ERR_INPUT, "empty");
}

static char *
text_of(const char *s)
{
	xmlDocPtr doc;
	char *t;

	doc = parse(s, &xml_limits_wire);
	if (doc == NULL)
		return NULL;
	t = xml_text(xmlDocGetRootElement(doc), &e);
	xmlFreeDoc(doc);
	return t;
}

static void
test_text_joined(void)
{
	char *t;

	t = text_of("<a>ab<![CDATA[<c>]]>d &amp; e&#x41;</a>");
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_STRING_EQUAL(t, "ab<c>d & eA");
	xmlFree(t);
	t = text_of("<a/>");
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_STRING_EQUAL(t, "");
	xmlFree(t);
}

static void
test_text_comment(void)
{
	char *t;

	/* A comment must not split the value so that a reader sees only
	 * "2345678-0" or only "-9". */
	t = text_of("<a>\n2345678-0<!-- -->9</a>");
	CU_ASSERT_PTR_NULL(t);
	xmlFree(t);
	CU_ASSERT_EQUAL(e.code, ERR_INPUT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "t.xml:2: a: a comment inside "
	    "text is not allowed"));
}

static void
test_text_pi(void)
{
	char *t;

	t = text_of("<a>ab<?evil x?>cd</a>");
	CU_ASSERT_PTR_NULL(t);
	xmlFree(t);
	CU_ASSERT_EQUAL(e.code, ERR_INPUT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "processing instruction"));
}

static void
test_text_child(void)
{
	char *t;

	t = text_of("<a>ab<b/>cd</a>");
	CU_ASSERT_PTR_NULL(t);
	xmlFree(t);
	CU_ASSERT_EQUAL(e.code, ERR_SCHEMA);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "child element"));
}

static void
test_canonical(void)
{
	xmlDocPtr doc;
	char *out = NULL;
	size_t len = 0;

	doc = parse("<?xml version=\"1.0\"?>\n<!-- top -->\n"
	    "<a  xmlns=\"urn:lasteri:1\" xmlns:u=\"urn:unused\" z='1' b=\"2\">"
	    "<!-- c --><x/>&#65;</a>", &xml_limits_wire);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(xml_canonical(doc, &out, &len, &e), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL(len, strlen(out));
	CU_ASSERT_STRING_EQUAL(out, "<a xmlns=\"urn:lasteri:1\" b=\"2\" "
	    "z=\"1\"><x></x>A</a>");
	xmlFree(out);
	xmlFreeDoc(doc);
}

static void
test_serialize(void)
{
	xmlDocPtr doc, doc2;
	char *out = NULL;
	size_t len = 0;

	doc = parse("<a xmlns=\"urn:lasteri:1\"><b>x &lt; y</b>\n</a>",
	    &xml_limits_wire);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(xml_serialize(doc, &out, &len, &e), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT(strncmp(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
	    38) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<b>x &lt; y</b>\n</a>"));
	err_clear(&e);
	doc2 = xml_parse(out, len, "again", &xml_limits_wire, &e);
	CU_ASSERT_PTR_NOT_NULL(doc2);
	xmlFreeDoc(doc2);
	xmlFree(out);
	xmlFreeDoc(doc);
}

static CU_TestInfo door_tests[] = {
	{ "parses a valid document and walks its elements", test_valid },
	{ "tells another namespace apart", test_other_namespace },
	{ "refuses an internal DTD subset", test_internal_dtd },
	{ "refuses an external DTD without fetching it", test_external_dtd },
	{ "refuses an external entity (XXE)", test_xxe },
	{ "refuses a billion-laughs bomb at once, unexpanded",
	    test_billion_laughs },
	{ "refuses an undeclared entity reference", test_undeclared_entity },
	{ "refuses nesting 1000 deep and accepts 64", test_depth },
	{ "stops a 5M-node document early at the node cap",
	    test_five_million_nodes },
	{ "refuses a buffer over the size cap", test_oversize },
	{ "refuses a 100 MB file without reading it", test_oversize_file },
	{ "reads a file and names a missing one", test_read_file },
	{ "refuses a truncated document naming line and element",
	    test_truncated },
	{ "refuses input that is not XML", test_not_xml },
	{ "refuses an empty document", test_empty },
	CU_TEST_INFO_NULL
};

static CU_TestInfo text_tests[] = {
	{ "joins text, CDATA and references into one value",
	    test_text_joined },
	{ "refuses a comment inside a text value", test_text_comment },
	{ "refuses a processing instruction inside a text value",
	    test_text_pi },
	{ "refuses a child element inside a text value", test_text_child },
	{ "canonicalises with exclusive C14N and no comments", test_canonical },
	{ "serialises to UTF-8 bytes that parse again", test_serialize },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ "the XML door", NULL, NULL, NULL, NULL, door_tests },
	{ "whole-text reads and output", NULL, NULL, NULL, NULL, text_tests },
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	int rc;

	xml_init();
	rc = test_run_suites(suites);
	xmlCleanupParser();
	return rc;
}
