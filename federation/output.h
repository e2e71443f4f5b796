/*
 * output.h - one table model, three renderings: an aligned text table for
 * people (the default), CSV (RFC 4180) and a small urn:lasteri:1 XML
 * document for machines.  Search results and statistics both build
 * out_tables, so every command prints the same way.  It lives in federation/
 * because the node (its admin answers), the CLI and the fan-out's merged
 * answers all render through it.
 *
 * XML shape: <DOC xmlns="urn:lasteri:1"><Table name="..." ATTR="...">
 * <Row><KEY>cell</KEY>...</Row>...<Note>...</Note></Table></DOC>, where
 * DOC is e.g. SearchResult or Statistics and KEY the column key
 * (schemas/xsd/output.xsd).
 *
 * CSV shape: one RFC 4180 table, one header line of column keys, so that a
 * spreadsheet reads it.  Several tables are written as one: a first column
 * "table" (each row's table name), then the union of their columns in the
 * order they first appear, empty where a row's table has no such column.
 * A table set apart (out_table_apart) follows after one empty line with its
 * own header: the regions' status rows of a national answer (issue 10).
 */
#ifndef LASTERI_OUTPUT_H
#define LASTERI_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

enum out_format { OUT_TABLE, OUT_CSV, OUT_XML };
#define OUT_FORMAT_TOKENS "table, csv, xml"

struct out_table;

/* "table", "csv", "xml" -> format; -1 when unknown. */
int	out_format_parse(const char *s);
/* The Content-Type of a rendering ("text/csv; charset=utf-8"). */
const char *out_format_mime(enum out_format fmt);

/* A table named name (an XML NCName) with ncols columns; keys are XML
 * NCNames ("unit-id"), heads what people read ("unit ID").  All strings are
 * copied.  NULL on allocation failure. */
struct out_table *out_table_new(const char *name, size_t ncols,
	    const char *const *keys, const char *const *heads);
void	out_table_free(struct out_table *t);	/* NULL is a no-op */

/* Title printed above the text table (not in CSV); copied. */
int	out_table_title(struct out_table *t, const char *title);
/* Right-align column col in the text table (numbers). */
void	out_table_right(struct out_table *t, size_t col);
/* An attribute of the XML Table element (name an NCName); copied.  At most
 * 8. */
int	out_table_attr(struct out_table *t, const char *name, const char *value);
/* In CSV, write t after the other tables, after one empty line, with its
 * own header line, instead of as rows of the one table they make.  For
 * the national answers' status rows (member,region,status,ms,detail). */
void	out_table_apart(struct out_table *t);
/* A note printed below the text table and as <Note> in XML; copied. */
int	out_table_note(struct out_table *t, const char *note);
/* Append a row of ncols cells (NULL is an empty cell); copied.  -1 on
 * allocation failure. */
int	out_table_add(struct out_table *t, const char *const *cells);
size_t	out_table_rows(const struct out_table *t);
/* Cell text (borrowed), for tests. */
const char *out_table_cell(const struct out_table *t, size_t row, size_t col);

/* What a table holds, for a renderer of its own (the web pages): its
 * columns' count, keys and heads, whether a column is right-aligned, its
 * name, title (NULL when none) and notes.  Borrowed. */
size_t	out_table_cols(const struct out_table *t);
const char *out_table_key(const struct out_table *t, size_t col);
const char *out_table_head(const struct out_table *t, size_t col);
int	out_table_is_right(const struct out_table *t, size_t col);
const char *out_table_name(const struct out_table *t);
const char *out_table_get_title(const struct out_table *t);
size_t	out_table_notes(const struct out_table *t, const char ***notes);

/* Render n tables to f in fmt; doc names the XML root element.  -1 with e
 * set on failure (ERR_IO when writing fails). */
int	out_write(FILE *f, enum out_format fmt, const char *doc,
	    struct out_table *const *tables, size_t n, struct err *e);

/* Render into a malloc'd string (for tests); caller frees with free(). */
char	*out_write_string(enum out_format fmt, const char *doc,
	    struct out_table *const *tables, size_t n, struct err *e);

#endif
