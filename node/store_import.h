/*
 * store_import.h - putting the elements of a validated document into the
 * store: the part of an import that the CLI (lasteri import --db) and the
 * node's admin endpoint share.
 *
 * A document is a Dataset (its Unit, ProcurementDefinition and
 * SupervisionRecord children are imported) or one of those three as the
 * root.  Each element is read (model_*_read), checked (model_*_check) and
 * put with its exact bytes (store_element_bytes).  Imports stream
 * (store_import_buf, store_import_file): a Dataset is taken one child at a
 * time, so memory does not grow with the file.  The caller owns the
 * transaction: store_begin() before the first document, store_commit()
 * after the last, store_rollback() on any failure, so an import of many
 * files is all or nothing.
 */
#ifndef LASTERI_STORE_IMPORT_H
#define LASTERI_STORE_IMPORT_H

#include <stddef.h>
#include <time.h>

#include <libxml/tree.h>

#include "err.h"
#include "store.h"

struct store_import_stats {
	long	units;
	long	procurements;
	long	records;		/* newly stored */
	long	records_known;		/* already stored with the same digest */
};

struct verifier;

/* How an import checks what it takes in. */
struct store_import_opts {
	/* The code of the region the store keeps, or NULL: a Dataset meant
	 * for another region (its region attribute), a unit whose home region
	 * is another, or a procurement definition that the region neither
	 * keeps nor procures jointly fails with ERR_INPUT. */
	const char	*region;
	/* Checks a signed SupervisionRecord (one carrying a ds:Signature):
	 * the signature under the trust list and the issuer bound to the
	 * signer (verifier_record); the verified signer is kept with the row.
	 * NULL: a signed record is refused (ERR_INPUT), since it cannot be
	 * told from a forgery. */
	struct verifier	*verifier;
	time_t		 now;		/* for the verifier */
	/* When not NULL and set (by another thread: read atomically), the
	 * import stops before its next element with ERR_INTERNAL ("the node
	 * is stopping"): the caller rolls back. */
	const int	*stop;
};

/* Imports doc, which has passed schema_validate().  name (a file name) is
 * used in messages: "name:line: Element: reason".  Every record must also
 * meet model_record_check_id() (its Id in its issuer's namespace).
 * Adds to *st (the caller zeroes it once). */
int	store_import_doc(struct store *s, xmlDocPtr doc, const char *name,
	    const struct store_import_opts *o, struct store_import_stats *st,
	    struct err *e);

/* Imports one document (a Dataset, or one Unit, ProcurementDefinition or
 * SupervisionRecord) from len bytes, streaming: it is parsed with the
 * import limits (xml_stream_parse) and each child of a Dataset is validated
 * against the schemas, read, checked and put as soon as it has been read, so
 * that one element at a time is held, not the document.  What the schema
 * says of the Dataset as a whole (attributes, order of the children, one Id
 * once per kind, no text) is checked as it goes, in the schema's words.  A
 * Dataset of another region (o->region) is refused before its first child.
 * Errors name "name:line: Element: reason"; the elements before the error
 * are already put, so the caller's transaction makes it all or nothing. */
int	store_import_buf(struct store *s, const char *buf, size_t len,
	    const char *name, const struct store_import_opts *o,
	    struct store_import_stats *st, struct err *e);

/* The same from the file path ("-" is stdin), which is read whole (at most
 * the import size cap) and freed before the call returns. */
int	store_import_file(struct store *s, const char *path,
	    const struct store_import_opts *o, struct store_import_stats *st,
	    struct err *e);

/* The exact bytes kept for element n: the exclusive C14N (no comments) of a
 * standalone copy of n, with the namespaces it uses declared on it.  The
 * same element gives the same bytes wherever it stood (alone or inside a
 * Dataset, however indented around it), so exporting and importing again
 * keeps bytes and digests.  Caller frees *out with xmlFree(). */
int	store_element_bytes(xmlNodePtr n, char **out, size_t *len,
	    struct err *e);

/* 1 when element n carries an enveloped ds:Signature child. */
int	store_element_is_signed(xmlNodePtr n);

#endif
