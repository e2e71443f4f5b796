/*
 * store_backup.h - a consistent copy of a running node's database (SQLite's
 * online backup API) and SQLite's own integrity checks.
 *
 * The backup reads the database on a connection of its own, in one read
 * transaction: in WAL mode the node keeps writing meanwhile and the copy is
 * the database as it was when the backup began.  It is written beside its
 * destination, checked, made a self-contained file (journal_mode DELETE),
 * synced, and only then renamed into place, so a FILE that exists is always
 * a whole, checked copy.  Safe to call from any thread.
 */
#ifndef LASTERI_STORE_BACKUP_H
#define LASTERI_STORE_BACKUP_H

#include "err.h"

struct store;

/* Copies the database at src to dest, which must not exist (ERR_CONFLICT
 * naming it).  *bytes (may be NULL) receives the copy's size.  ERR_IO or
 * ERR_DB naming the file and SQLite's reason otherwise. */
int	store_backup(const char *src, const char *dest, long long *bytes,
	    struct err *e);

/* PRAGMA integrity_check (quick != 0: quick_check, which skips the index
 * contents) of s.  0 when SQLite says "ok"; else -1 with ERR_DB "PATH:
 * integrity check failed: FIRST PROBLEM (N problems)". */
int	store_integrity(struct store *s, int quick, struct err *e);

#endif
