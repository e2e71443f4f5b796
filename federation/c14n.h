/*
 * c14n.h - exclusive XML canonicalisation 1.0 without comments, as the
 * signature profile uses it (DESIGN.md, XMLDSIG.md): over a whole document
 * with one subtree left out (the enveloped-signature transform) and over one
 * element alone (SignedInfo).  The output is streamed in pieces to a sink
 * (SHA-256 in c14n_sha256()), never built as one buffer.
 *
 * The fast path walks libxml2's tree itself and writes the very bytes that
 * libxml2 2.9.14's xmlC14NExecute(XML_C14N_EXCLUSIVE_1_0, no comments)
 * writes for the same selection.  Whatever it does not render exactly (a
 * processing instruction, an entity reference, a namespace it would have to
 * quote differently, a relative namespace URI, attributes that sort equal,
 * nesting or fan-out past its fixed tables) makes it decline, and
 * c14n_sha256() then runs libxml2's canonicaliser: never a guess.  Not for
 * documents that another thread changes meanwhile; the tree is not changed.
 */
#ifndef LASTERI_C14N_H
#define LASTERI_C14N_H

#include <stddef.h>

#include <libxml/tree.h>
#include <openssl/evp.h>

#include "err.h"

/* Receives the next n bytes of output; 0, or -1 to stop with a failure. */
typedef int	c14n_sink_fn(void *arg, const unsigned char *p, size_t n);

/* c14n_fast() declined: the selection holds something it does not render. */
#define C14N_DECLINED	1

/*
 * What is canonicalised:
 *   top == NULL:  the whole document, without the subtree at skip (NULL:
 *                 nothing left out), as xmlC14NExecute() over doc with skip
 *                 unlinked;
 *   top != NULL:  the element top alone (skip must be NULL), as
 *                 xmlC14NExecute() over doc while top is its only child (an
 *                 apex: no ancestor's declarations are inherited, while an
 *                 element without a namespace still looks up the default
 *                 namespace through its real parents, as libxml2 does).
 */

/* The fast path.  0 when all of it went to sink; C14N_DECLINED when it
 * declined (sink may have had part of the output: discard it); -1 when
 * sink failed. */
int		 c14n_fast(xmlDocPtr doc, xmlNodePtr top, xmlNodePtr skip,
		    c14n_sink_fn *sink, void *arg);

/* libxml2's xmlC14NExecute() on the same selection, the reference.  The
 * tree is changed for the call (skip unlinked, top made the document's
 * only child) and restored before it returns.  0, or -1. */
int		 c14n_libxml2(xmlDocPtr doc, xmlNodePtr top, xmlNodePtr skip,
		    c14n_sink_fn *sink, void *arg);

/*
 * SHA-256 (type) of the canonical form into out, through md (a context
 * the caller owns and may reuse; it is initialised here): the fast path,
 * or libxml2's when the fast path declines.  *fast (may be NULL) is set to
 * 1 when the fast path did it.  0, or -1 with e set (ERR_SIGNATURE when
 * the document cannot be canonicalised, as libxml2 refuses a relative
 * namespace URI).
 */
int		 c14n_sha256(xmlDocPtr doc, xmlNodePtr top, xmlNodePtr skip,
		    EVP_MD_CTX *md, const EVP_MD *type, unsigned char out[32],
		    int *fast, struct err *e);

#endif
