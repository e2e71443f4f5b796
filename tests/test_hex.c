/*
 * test_hex.c - hex digits, percent-decoding and form decoding
 * (federation/hex.c), and the web pages' one escaping function and CSV
 * fields (node/html.c): the inputs a browser or an attacker sends.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "html.h"
#include "testmain.h"

static void
test_hex_round_trip_and_refusals(void)
{
	unsigned char b[4] = { 0x00, 0x7f, 0xab, 0xff }, o[4];
	char s[9];

	hex_encode(b, 4, s);
	CU_ASSERT_STRING_EQUAL(s, "007fabff");
	CU_ASSERT_EQUAL(hex_decode("007FABff", o, 4), 0);
	CU_ASSERT_EQUAL(memcmp(b, o, 4), 0);
	CU_ASSERT_EQUAL(hex_decode("007fab", o, 4), -1);	/* short */
	CU_ASSERT_EQUAL(hex_decode("007fabff0", o, 4), -1);	/* long */
	CU_ASSERT_EQUAL(hex_decode("007fabfg", o, 4), -1);	/* not hex */
	CU_ASSERT_EQUAL(hex_val('G'), -1);
	CU_ASSERT_EQUAL(hex_val('f'), 15);
}

static void
test_pct_decode_bounds(void)
{
	char out[8];

	CU_ASSERT_EQUAL(pct_decode("a%41+b", 6, 1, out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "aA b");
	CU_ASSERT_EQUAL(pct_decode("a+b", 3, 0, out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "a+b");
	/* A cut escape, a bad one, and NUL, however written. */
	CU_ASSERT_EQUAL(pct_decode("%4", 2, 1, out, sizeof(out)), -1);
	CU_ASSERT_EQUAL(pct_decode("%", 1, 1, out, sizeof(out)), -1);
	CU_ASSERT_EQUAL(pct_decode("%zz", 3, 1, out, sizeof(out)), -1);
	CU_ASSERT_EQUAL(pct_decode("a%00", 4, 1, out, sizeof(out)), -1);
	/* Exactly full, one more, and no room for the NUL. */
	CU_ASSERT_EQUAL(pct_decode("1234567", 7, 1, out, sizeof(out)), 0);
	CU_ASSERT_EQUAL(pct_decode("12345678", 8, 1, out, sizeof(out)), -1);
	CU_ASSERT_EQUAL(pct_decode("", 0, 1, out, 1), 0);
	CU_ASSERT_STRING_EQUAL(out, "");
	CU_ASSERT_EQUAL(pct_decode("", 0, 1, out, 0), -1);
}

/* The pairs of a decoded form, joined as "n=v;" for comparing. */
static void
pairs(const char *in, char *buf, size_t len)
{
	char *out = NULL, *p, *end;
	size_t n;

	buf[0] = '\0';
	if (form_decode(in, strlen(in), &out, &n) == -1) {
		snprintf(buf, len, "ERROR");
		return;
	}
	for (p = out, end = out + n; p < end; ) {
		strncat(buf, p, len - strlen(buf) - 1);
		strncat(buf, "=", len - strlen(buf) - 1);
		p += strlen(p) + 1;
		strncat(buf, p, len - strlen(buf) - 1);
		strncat(buf, ";", len - strlen(buf) - 1);
		p += strlen(p) + 1;
	}
	free(out);
}

static void
test_form_decode_fields_without_values_stay_in_bounds(void)
{
	char buf[256], *big, *out = NULL;
	size_t i, n;

	pairs("a=1&b=%C3%A4+x", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "a=1;b=\xc3\xa4 x;");
	/* Each field without '=' decodes to three bytes from one or two:
	 * the review's heap overflow (run under ASan). */
	pairs("a&b", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "a=;b=;");
	pairs("&&&", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "");
	pairs("=", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "=;");
	pairs("x=%4", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "ERROR");
	pairs("x=%00", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "ERROR");
	CU_ASSERT_FATAL((big = malloc(4001)) != NULL);
	for (i = 0; i < 4000; i += 2)
		memcpy(big + i, "a&", 2);
	big[4000] = '\0';
	CU_ASSERT_EQUAL(form_decode(big, 4000, &out, &n), 0);
	CU_ASSERT_EQUAL(n, 2000 * 3);
	free(out);
	free(big);
}

static void
test_html_escapes_every_value(void)
{
	struct html h;

	html_init(&h);
	html_f(&h, "<td title=\"%s\">%s</td><a href=\"/u/%u\">%d %ld %zu %%</a>",
	    "\"'><", "<script>alert(1)</script>", "a b/&?",
	    -3, 123456789L, (size_t)7);
	CU_ASSERT_FALSE(h.oom);
	CU_ASSERT_STRING_EQUAL(h.p, "<td title=\"&quot;&#39;&gt;&lt;\">"
	    "&lt;script&gt;alert(1)&lt;/script&gt;</td>"
	    "<a href=\"/u/a%20b%2F%26%3F\">-3 123456789 7 %</a>");
	html_clear(&h);
}

static void
test_csv_fields_are_quoted_and_defused(void)
{
	struct html h;

	html_init(&h);
	html_csv(&h, "plain");
	html_raw(&h, "|");
	html_csv(&h, "a,\"b\"");
	html_raw(&h, "|");
	html_csv(&h, "=HYPERLINK(\"x\")");
	html_raw(&h, "|");
	html_csv(&h, "\tcmd");
	html_raw(&h, "|");
	html_csv(&h, "@SUM(1)");
	CU_ASSERT_STRING_EQUAL(h.p, "plain|\"a,\"\"b\"\"\"|"
	    "\"'=HYPERLINK(\"\"x\"\")\"|\"'\tcmd\"|\"'@SUM(1)\"");
	html_clear(&h);
}

static CU_TestInfo tests[] = {
	{ "hex round trip and refusals", test_hex_round_trip_and_refusals },
	{ "percent-decoding keeps its bounds", test_pct_decode_bounds },
	{ "form decoding: fields without values stay in bounds",
	    test_form_decode_fields_without_values_stay_in_bounds },
	{ "html_f escapes every value", test_html_escapes_every_value },
	{ "CSV fields are quoted and defused",
	    test_csv_fields_are_quoted_and_defused },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ "hex", NULL, NULL, NULL, NULL, tests },
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	return test_run_suites(suites);
}
