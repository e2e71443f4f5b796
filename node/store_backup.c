/*
 * store_backup.c - online backup and integrity checks (see store_backup.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store_backup.h"
#include "store_internal.h"

#define BACKUP_BUSY_MS	10000	/* how long the read may wait for a lock */

static int
sqlerr(sqlite3 *db, const char *path, const char *what, struct err *e)
{
	return err_set(e, ERR_DB, "%s: %s: %s", path, what,
	    db != NULL ? sqlite3_errmsg(db) : "out of memory");
}

/* fsync of path (a file or a directory). */
static int
sync_path(const char *path, int dir, struct err *e)
{
	int fd, rc;

	if ((fd = open(path, (dir ? O_DIRECTORY : 0) | O_RDONLY |
	    O_CLOEXEC)) == -1)
		return err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
	rc = fsync(fd);
	close(fd);
	if (rc == -1)
		return err_set(e, ERR_IO, "%s: fsync: %s", path,
		    strerror(errno));
	return 0;
}

/* The first row of PRAGMA integrity_check/quick_check on db: 0 "ok". */
static int
integrity(sqlite3 *db, const char *path, int quick, struct err *e)
{
	sqlite3_stmt *st = NULL;
	char first[400] = "";
	long n = 0;
	int r;

	if (sqlite3_prepare_v2(db, quick ? "PRAGMA quick_check" :
	    "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK)
		return sqlerr(db, path, "integrity check", e);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);

		if (t == NULL || strcmp(t, "ok") == 0)
			continue;
		if (n++ == 0)
			snprintf(first, sizeof(first), "%s", t);
	}
	if (r != SQLITE_DONE) {
		/* A damaged file often fails the check itself. */
		err_set(e, ERR_DB, "%s: integrity check failed: %s", path,
		    sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	if (n > 0)
		return err_set(e, ERR_DB, "%s: integrity check failed: %s "
		    "(%ld problem%s)", path, first, n, n == 1 ? "" : "s");
	return 0;
}

int
store_integrity(struct store *s, int quick, struct err *e)
{
	return integrity(s->db, s->path, quick, e);
}

int
store_backup(const char *src, const char *dest, long long *bytes,
    struct err *e)
{
	sqlite3 *from = NULL, *to = NULL;
	sqlite3_backup *b = NULL;
	char tmp[4096], dir[4096], *slash;
	int fd, r, made = 0, rc = -1;
	FILE *f;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.part", dest) >=
	    sizeof(tmp))
		return err_set(e, ERR_USAGE, "%s: path too long", dest);
	if (access(dest, F_OK) == 0)
		return err_set(e, ERR_CONFLICT, "%s: exists; a backup never "
		    "overwrites a file", dest);
	/* O_EXCL: two backups to one name do not mix. */
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) ==
	    -1)
		return err_set(e, ERR_IO, "%s: %s", tmp, strerror(errno));
	close(fd);
	made = 1;
	if (sqlite3_open_v2(src, &from, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		sqlerr(from, src, "cannot open", e);
		goto done;
	}
	sqlite3_busy_timeout(from, BACKUP_BUSY_MS);
	if (sqlite3_open_v2(tmp, &to, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		sqlerr(to, tmp, "cannot open", e);
		goto done;
	}
	if ((b = sqlite3_backup_init(to, "main", from, "main")) == NULL) {
		sqlerr(to, tmp, "backup", e);
		goto done;
	}
	/* All pages in one step: one read transaction, one snapshot. */
	do {
		r = sqlite3_backup_step(b, -1);
		if (r == SQLITE_BUSY || r == SQLITE_LOCKED)
			sqlite3_sleep(50);
	} while (r == SQLITE_OK || r == SQLITE_BUSY || r == SQLITE_LOCKED);
	if (r != SQLITE_DONE) {
		err_set(e, ERR_DB, "%s: backup of %s: %s", dest, src,
		    sqlite3_errstr(r));
		goto done;
	}
	r = sqlite3_backup_finish(b);
	b = NULL;
	if (r != SQLITE_OK) {
		sqlerr(to, tmp, "backup", e);
		goto done;
	}
	/* One self-contained file, checked. */
	if (sqlite3_exec(to, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		sqlerr(to, tmp, "journal_mode", e);
		goto done;
	}
	if (integrity(to, dest, 1, e) == -1)
		goto done;
	if (sqlite3_close(to) != SQLITE_OK) {
		sqlerr(to, tmp, "close", e);
		goto done;
	}
	to = NULL;
	if (sync_path(tmp, 0, e) == -1)
		goto done;
	if (link(tmp, dest) == -1) {	/* never over a file made meanwhile */
		err_set(e, errno == EEXIST ? ERR_CONFLICT : ERR_IO, "%s: %s",
		    dest, errno == EEXIST ? "exists; a backup never "
		    "overwrites a file" : strerror(errno));
		goto done;
	}
	snprintf(dir, sizeof(dir), "%s", dest);
	if ((slash = strrchr(dir, '/')) != NULL)
		*(slash == dir ? slash + 1 : slash) = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	if (sync_path(dir, 1, e) == -1)
		goto done;
	if (bytes != NULL && (f = fopen(dest, "r")) != NULL) {
		if (fseeko(f, 0, SEEK_END) == 0)
			*bytes = (long long)ftello(f);
		fclose(f);
	}
	rc = 0;
done:
	if (b != NULL)
		sqlite3_backup_finish(b);
	sqlite3_close(to);
	sqlite3_close(from);
	if (made)
		unlink(tmp);
	return rc;
}
