/*
 * output.c - text, CSV and XML renderings of out_tables (see output.h).
 * Widths in the text table count UTF-8 characters, not bytes, so that
 * "Itä-Uusimaa" lines up.  The XML is built with the libxml2 tree API and
 * serialised by xml_serialize(), so escaping is libxml2's.  Several
 * tables in CSV are one table with a "table" column (a spreadsheet reads
 * one header line), but for a table set apart.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "model.h"
#include "output.h"
#include "xml.h"

#define OUT_ATTR_MAX	8
#define OUT_COL_MAX	64

struct out_table {
	char	 *name;
	char	 *title;
	size_t	  ncols;
	char	**keys;
	char	**heads;
	unsigned char right[OUT_COL_MAX];
	char	 *attr_name[OUT_ATTR_MAX];
	char	 *attr_value[OUT_ATTR_MAX];
	size_t	  nattr;
	char	**notes;
	size_t	  nnotes;
	char	**cells;		/* nrows * ncols */
	size_t	  nrows, caprows;
	int	  apart;		/* CSV: a table of its own */
};

int
out_format_parse(const char *s)
{
	if (strcmp(s, "table") == 0)
		return OUT_TABLE;
	if (strcmp(s, "csv") == 0)
		return OUT_CSV;
	if (strcmp(s, "xml") == 0)
		return OUT_XML;
	return -1;
}

const char *
out_format_mime(enum out_format fmt)
{
	switch (fmt) {
	case OUT_CSV:
		return "text/csv; charset=utf-8";
	case OUT_XML:
		return "application/xml; charset=utf-8";
	default:
		return "text/plain; charset=utf-8";
	}
}

static char *
dup_or_empty(const char *s)
{
	return strdup(s != NULL ? s : "");
}

struct out_table *
out_table_new(const char *name, size_t ncols, const char *const *keys,
    const char *const *heads)
{
	struct out_table *t;
	size_t i;

	if (ncols == 0 || ncols > OUT_COL_MAX)
		return NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->ncols = ncols;
	if ((t->name = dup_or_empty(name)) == NULL ||
	    (t->keys = calloc(ncols, sizeof(*t->keys))) == NULL ||
	    (t->heads = calloc(ncols, sizeof(*t->heads))) == NULL)
		goto fail;
	for (i = 0; i < ncols; i++)
		if ((t->keys[i] = dup_or_empty(keys[i])) == NULL ||
		    (t->heads[i] = dup_or_empty(heads[i])) == NULL)
			goto fail;
	return t;
fail:
	out_table_free(t);
	return NULL;
}

void
out_table_free(struct out_table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; t->keys != NULL && i < t->ncols; i++)
		free(t->keys[i]);
	for (i = 0; t->heads != NULL && i < t->ncols; i++)
		free(t->heads[i]);
	for (i = 0; i < t->nattr; i++) {
		free(t->attr_name[i]);
		free(t->attr_value[i]);
	}
	for (i = 0; i < t->nnotes; i++)
		free(t->notes[i]);
	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->notes);
	free(t->keys);
	free(t->heads);
	free(t->title);
	free(t->name);
	free(t);
}

int
out_table_title(struct out_table *t, const char *title)
{
	char *s;

	if ((s = dup_or_empty(title)) == NULL)
		return -1;
	free(t->title);
	t->title = s;
	return 0;
}

void
out_table_right(struct out_table *t, size_t col)
{
	if (col < t->ncols)
		t->right[col] = 1;
}

void
out_table_apart(struct out_table *t)
{
	t->apart = 1;
}

int
out_table_attr(struct out_table *t, const char *name, const char *value)
{
	if (t->nattr == OUT_ATTR_MAX)
		return -1;
	if ((t->attr_name[t->nattr] = dup_or_empty(name)) == NULL)
		return -1;
	if ((t->attr_value[t->nattr] = dup_or_empty(value)) == NULL) {
		free(t->attr_name[t->nattr]);
		return -1;
	}
	t->nattr++;
	return 0;
}

int
out_table_note(struct out_table *t, const char *note)
{
	char **n;

	if ((n = realloc(t->notes, (t->nnotes + 1) * sizeof(*n))) == NULL)
		return -1;
	t->notes = n;
	if ((n[t->nnotes] = dup_or_empty(note)) == NULL)
		return -1;
	t->nnotes++;
	return 0;
}

int
out_table_add(struct out_table *t, const char *const *cells)
{
	char **c;
	size_t i, cap, base;

	if (t->nrows == t->caprows) {
		cap = t->caprows == 0 ? 16 : t->caprows * 2;
		if ((c = realloc(t->cells, cap * t->ncols * sizeof(*c))) == NULL)
			return -1;
		t->cells = c;
		t->caprows = cap;
	}
	base = t->nrows * t->ncols;
	for (i = 0; i < t->ncols; i++) {
		if ((t->cells[base + i] = dup_or_empty(cells[i])) == NULL) {
			while (i-- > 0)
				free(t->cells[base + i]);
			return -1;
		}
	}
	t->nrows++;
	return 0;
}

size_t
out_table_rows(const struct out_table *t)
{
	return t->nrows;
}

const char *
out_table_cell(const struct out_table *t, size_t row, size_t col)
{
	if (row >= t->nrows || col >= t->ncols)
		return NULL;
	return t->cells[row * t->ncols + col];
}

size_t
out_table_cols(const struct out_table *t)
{
	return t->ncols;
}

const char *
out_table_key(const struct out_table *t, size_t col)
{
	return col < t->ncols ? t->keys[col] : NULL;
}

const char *
out_table_head(const struct out_table *t, size_t col)
{
	return col < t->ncols ? t->heads[col] : NULL;
}

int
out_table_is_right(const struct out_table *t, size_t col)
{
	return col < t->ncols && col < OUT_COL_MAX && t->right[col];
}

const char *
out_table_name(const struct out_table *t)
{
	return t->name;
}

const char *
out_table_get_title(const struct out_table *t)
{
	return t->title;
}

size_t
out_table_notes(const struct out_table *t, const char ***notes)
{
	*notes = (const char **)t->notes;
	return t->nnotes;
}

/* Display width: UTF-8 characters (continuation bytes do not count). */
static size_t
width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

static void
pad(FILE *f, size_t n)
{
	while (n-- > 0)
		fputc(' ', f);
}

static void
text_cell(FILE *f, const struct out_table *t, size_t col, const char *s,
    const size_t *w)
{
	size_t sw = width(s);

	if (col > 0)
		fputs("  ", f);
	if (t->right[col])
		pad(f, w[col] - sw);
	fputs(s, f);
	if (!t->right[col] && col + 1 < t->ncols)
		pad(f, w[col] - sw);
}

static void
write_text(FILE *f, const struct out_table *t)
{
	size_t w[OUT_COL_MAX], r, c, total = 0, sw;

	for (c = 0; c < t->ncols; c++) {
		w[c] = width(t->heads[c]);
		for (r = 0; r < t->nrows; r++)
			if ((sw = width(t->cells[r * t->ncols + c])) > w[c])
				w[c] = sw;
		total += w[c] + (c > 0 ? 2 : 0);
	}
	if (t->title != NULL && t->title[0] != '\0')
		fprintf(f, "%s\n", t->title);
	for (c = 0; c < t->ncols; c++)
		text_cell(f, t, c, t->heads[c], w);
	fputc('\n', f);
	for (c = 0; c < total; c++)
		fputc('-', f);
	fputc('\n', f);
	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++)
			text_cell(f, t, c, t->cells[r * t->ncols + c], w);
		fputc('\n', f);
	}
	for (r = 0; r < t->nnotes; r++)
		fprintf(f, "%s\n", t->notes[r]);
}

/* RFC 4180: quote a field holding a comma, quote, CR or LF; double quotes. */
static void
csv_field(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void
csv_end(FILE *f)
{
	fputs("\r\n", f);
}

static void
write_csv(FILE *f, const struct out_table *t)
{
	size_t r, c;

	for (c = 0; c < t->ncols; c++) {
		if (c > 0)
			fputc(',', f);
		csv_field(f, t->keys[c]);
	}
	csv_end(f);
	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			if (c > 0)
				fputc(',', f);
			csv_field(f, t->cells[r * t->ncols + c]);
		}
		csv_end(f);
	}
}

/* The column of t keyed key, or t->ncols when it has none. */
static size_t
col_of(const struct out_table *t, const char *key)
{
	size_t c;

	for (c = 0; c < t->ncols; c++)
		if (strcmp(t->keys[c], key) == 0)
			break;
	return c;
}

/*
 * The m tables of tables[] not set apart as one CSV table: "table", then
 * every column key once, in the order the tables first name it; a cell
 * whose table lacks the column is empty.  With one such table, that table
 * as it is (no "table" column).
 */
static int
write_csv_one(FILE *f, struct out_table *const *tables, size_t n,
    struct err *e)
{
	const struct out_table *t, *only = NULL;
	const char **keys = NULL;
	size_t nk = 0, max = 0, m = 0, i, k, r, c;

	for (i = 0; i < n; i++)
		if (!tables[i]->apart) {
			only = tables[i];
			max += tables[i]->ncols;
			m++;
		}
	if (m <= 1) {
		if (only != NULL)
			write_csv(f, only);
		return 0;
	}
	if ((keys = calloc(max, sizeof(*keys))) == NULL)
		return err_set(e, ERR_NOMEM, "output: out of memory");
	for (i = 0; i < n; i++) {
		if ((t = tables[i])->apart)
			continue;
		for (c = 0; c < t->ncols; c++) {
			for (k = 0; k < nk; k++)
				if (strcmp(keys[k], t->keys[c]) == 0)
					break;
			if (k == nk)
				keys[nk++] = t->keys[c];
		}
	}
	csv_field(f, "table");
	for (k = 0; k < nk; k++) {
		fputc(',', f);
		csv_field(f, keys[k]);
	}
	csv_end(f);
	for (i = 0; i < n; i++) {
		if ((t = tables[i])->apart)
			continue;
		for (r = 0; r < t->nrows; r++) {
			csv_field(f, t->name);
			for (k = 0; k < nk; k++) {
				fputc(',', f);
				if ((c = col_of(t, keys[k])) < t->ncols)
					csv_field(f, t->cells[r * t->ncols + c]);
			}
			csv_end(f);
		}
	}
	free(keys);
	return 0;
}

static int
write_xml(FILE *f, const char *docname, struct out_table *const *tables,
    size_t n, struct err *e)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr root, tab, row;
	xmlNsPtr ns;
	char *buf = NULL;
	size_t len, i, r, c, k;
	int rc = -1;

	if ((doc = xmlNewDoc(BAD_CAST "1.0")) == NULL ||
	    (root = xmlNewNode(NULL, BAD_CAST docname)) == NULL) {
		err_set(e, ERR_NOMEM, "output: out of memory");
		goto done;
	}
	xmlDocSetRootElement(doc, root);
	if ((ns = xmlNewNs(root, BAD_CAST LASTERI_NS, NULL)) == NULL) {
		err_set(e, ERR_NOMEM, "output: out of memory");
		goto done;
	}
	xmlSetNs(root, ns);
	for (i = 0; i < n; i++) {
		const struct out_table *t = tables[i];

		if ((tab = xmlNewChild(root, ns, BAD_CAST "Table", NULL)) == NULL ||
		    xmlNewProp(tab, BAD_CAST "name", BAD_CAST t->name) == NULL)
			goto nomem;
		for (k = 0; k < t->nattr; k++)
			if (xmlNewProp(tab, BAD_CAST t->attr_name[k],
			    BAD_CAST t->attr_value[k]) == NULL)
				goto nomem;
		for (r = 0; r < t->nrows; r++) {
			if ((row = xmlNewChild(tab, ns, BAD_CAST "Row", NULL)) == NULL)
				goto nomem;
			for (c = 0; c < t->ncols; c++)
				if (xmlNewTextChild(row, ns, BAD_CAST t->keys[c],
				    BAD_CAST t->cells[r * t->ncols + c]) == NULL)
					goto nomem;
		}
		for (k = 0; k < t->nnotes; k++)
			if (xmlNewTextChild(tab, ns, BAD_CAST "Note",
			    BAD_CAST t->notes[k]) == NULL)
				goto nomem;
	}
	if (xml_serialize(doc, &buf, &len, e) == -1)
		goto done;
	if (fwrite(buf, 1, len, f) != len) {
		err_set(e, ERR_IO, "output: write failed");
		goto done;
	}
	if (len > 0 && buf[len - 1] != '\n')
		fputc('\n', f);
	rc = 0;
	goto done;
nomem:
	err_set(e, ERR_NOMEM, "output: out of memory");
done:
	if (buf != NULL)
		xmlFree(buf);
	xmlFreeDoc(doc);
	return rc;
}

int
out_write(FILE *f, enum out_format fmt, const char *doc,
    struct out_table *const *tables, size_t n, struct err *e)
{
	size_t i;
	int before;

	switch (fmt) {
	case OUT_XML:
		if (write_xml(f, doc, tables, n, e) == -1)
			return -1;
		break;
	case OUT_CSV:
		if (write_csv_one(f, tables, n, e) == -1)
			return -1;
		/* Each table set apart after one empty line. */
		for (i = 0, before = 0; i < n; i++)
			before |= !tables[i]->apart;
		for (i = 0; i < n; i++) {
			if (!tables[i]->apart)
				continue;
			if (before)
				csv_end(f);
			write_csv(f, tables[i]);
			before = 1;
		}
		break;
	default:
		for (i = 0; i < n; i++) {
			if (i > 0)
				fputc('\n', f);
			write_text(f, tables[i]);
		}
		break;
	}
	if (fflush(f) == EOF || ferror(f))
		return err_set(e, ERR_IO, "output: write failed");
	return 0;
}

char *
out_write_string(enum out_format fmt, const char *doc,
    struct out_table *const *tables, size_t n, struct err *e)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if ((f = open_memstream(&buf, &len)) == NULL) {
		err_set(e, ERR_NOMEM, "output: out of memory");
		return NULL;
	}
	if (out_write(f, fmt, doc, tables, n, e) == -1) {
		fclose(f);
		free(buf);
		return NULL;
	}
	if (fclose(f) == EOF) {
		free(buf);
		err_set(e, ERR_IO, "output: write failed");
		return NULL;
	}
	return buf;
}
