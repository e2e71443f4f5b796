/*
 * store_vfs.c - the stores' SQLite VFS: the system's own, except that a
 * connection's writes to its write-ahead log are gathered into one buffer
 * and written with one system call per run of contiguous frames, not two
 * per page (SQLite writes each WAL frame as its 24-byte header and then its
 * page: a group commit of ~150 pages was 300 pwrite() calls, the writer's
 * biggest cost after the records themselves).
 *
 * Why this is safe.  What the buffer holds is written out before the file
 * is synced, read, truncated, sized, controlled or closed.  Every store
 * connection runs with synchronous=FULL (store.c), under which SQLite
 * syncs the WAL at each commit before it publishes the new frames in the
 * WAL index: no other connection can look for a frame that is still in a
 * buffer, and a frame a commit relies on is on disk when the commit
 * returns, as without this layer.  A process killed with frames in the
 * buffer loses only a transaction that had not committed.  A failed write
 * surfaces at the next of those calls (at the latest at the commit's
 * sync), as SQLite's own I/O error.
 *
 * Files other than a WAL are the system VFS's own files, opened in place
 * (no layer at all).
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store_internal.h"

/* Bytes gathered per WAL file: 30 frames of 4 KiB pages.  Below 128 KiB,
 * which the system VFS takes in one write at most (it masks a length with
 * 0x1ffff: a longer write fails as a full disk). */
#define WAL_BUF		(120 * 1024)

struct walfile {
	sqlite3_file	 base;
	sqlite3_file	*real;		/* the system VFS's file, below */
	unsigned char	*buf;
	sqlite3_int64	 off;		/* the file offset of buf[0] */
	int		 len;		/* bytes in buf */
};

static sqlite3_vfs	 vfs;
static sqlite3_vfs	*sys;		/* the system's default VFS */
static pthread_once_t	 once = PTHREAD_ONCE_INIT;
static int		 init_rc = SQLITE_ERROR;

#define REAL(f)		(((struct walfile *)(f))->real)

/* Writes out what is gathered.  On failure it stays gathered (a retry
 * writes the same bytes at the same place): an error that a caller
 * ignores (a file-control hint) loses nothing, and comes back at the next
 * flush, at the latest at the commit's sync. */
static int
flush(struct walfile *w)
{
	int rc;

	if (w->len == 0)
		return SQLITE_OK;
	rc = w->real->pMethods->xWrite(w->real, w->buf, w->len, w->off);
	if (rc == SQLITE_OK)
		w->len = 0;
	return rc;
}

static int
wal_close(sqlite3_file *f)
{
	struct walfile *w = (struct walfile *)f;
	int rc, rc2;

	/* (Only a transaction that did not commit can be left here.) */
	rc = flush(w);
	rc2 = w->real->pMethods->xClose(w->real);
	free(w->buf);
	w->buf = NULL;
	return rc != SQLITE_OK ? rc : rc2;
}

static int
wal_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	int rc;

	if ((rc = flush((struct walfile *)f)) != SQLITE_OK)
		return rc;
	return REAL(f)->pMethods->xRead(REAL(f), p, n, off);
}

static int
wal_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	struct walfile *w = (struct walfile *)f;
	int rc;

	/* Contiguous with what is gathered and room for it: gather. */
	if (w->len > 0 && off == w->off + w->len && n <= WAL_BUF - w->len) {
		memcpy(w->buf + w->len, p, (size_t)n);
		w->len += n;
		return SQLITE_OK;
	}
	if ((rc = flush(w)) != SQLITE_OK)
		return rc;
	if (n >= WAL_BUF)
		return w->real->pMethods->xWrite(w->real, p, n, off);
	memcpy(w->buf, p, (size_t)n);
	w->off = off;
	w->len = n;
	return SQLITE_OK;
}

static int
wal_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	int rc;

	if ((rc = flush((struct walfile *)f)) != SQLITE_OK)
		return rc;
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int
wal_sync(sqlite3_file *f, int flags)
{
	int rc;

	if ((rc = flush((struct walfile *)f)) != SQLITE_OK)
		return rc;
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int
wal_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	int rc;

	if ((rc = flush((struct walfile *)f)) != SQLITE_OK)
		return rc;
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int
wal_lock(sqlite3_file *f, int lock)
{
	return REAL(f)->pMethods->xLock(REAL(f), lock);
}

static int
wal_unlock(sqlite3_file *f, int lock)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), lock);
}

static int
wal_check_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int
wal_file_control(sqlite3_file *f, int op, void *arg)
{
	int rc;

	if ((rc = flush((struct walfile *)f)) != SQLITE_OK)
		return rc;
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int
wal_sector_size(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int
wal_device(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

/* A WAL has no shared memory and no mapping of its own: SQLite asks these
 * of the database file only; they are passed on all the same. */
static int
wal_shm_map(sqlite3_file *f, int pg, int pgsz, int extend,
    void volatile **pp)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, pgsz, extend, pp);
}

static int
wal_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}

static void
wal_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int
wal_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int
wal_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
	int rc;

	if ((rc = flush((struct walfile *)f)) != SQLITE_OK)
		return rc;
	return REAL(f)->pMethods->xFetch(REAL(f), off, n, pp);
}

static int
wal_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static const sqlite3_io_methods wal_methods = {
	3,
	wal_close, wal_read, wal_write, wal_truncate, wal_sync,
	wal_file_size, wal_lock, wal_unlock, wal_check_reserved,
	wal_file_control, wal_sector_size, wal_device,
	wal_shm_map, wal_shm_lock, wal_shm_barrier, wal_shm_unmap,
	wal_fetch, wal_unfetch
};

/* The system file sits after struct walfile, aligned for any type. */
#define REAL_OFF	((sizeof(struct walfile) + 15) & ~(size_t)15)

static int
vfs_open(sqlite3_vfs *v, const char *name, sqlite3_file *f, int flags,
    int *out)
{
	struct walfile *w = (struct walfile *)f;
	int rc;

	(void)v;
	/* Not a WAL: the system's file in place, nothing between. */
	if (!(flags & SQLITE_OPEN_WAL))
		return sys->xOpen(sys, name, f, flags, out);
	memset(w, 0, sizeof(*w));
	w->real = (sqlite3_file *)((char *)f + REAL_OFF);
	if ((w->buf = malloc(WAL_BUF)) == NULL)
		return SQLITE_NOMEM;
	if ((rc = sys->xOpen(sys, name, w->real, flags, out)) != SQLITE_OK) {
		free(w->buf);
		w->buf = NULL;
		return rc;
	}
	/* A WAL of a version-1 system file would not be asked the rest. */
	if (w->real->pMethods == NULL || w->real->pMethods->iVersion < 3) {
		if (w->real->pMethods != NULL)
			w->real->pMethods->xClose(w->real);
		free(w->buf);
		w->buf = NULL;
		return SQLITE_CANTOPEN;
	}
	w->base.pMethods = &wal_methods;
	return SQLITE_OK;
}

/* The rest is the system VFS's, called with itself (it keeps its own
 * state in its struct). */
static int
vfs_delete(sqlite3_vfs *v, const char *name, int dirsync)
{
	(void)v;
	return sys->xDelete(sys, name, dirsync);
}

static int
vfs_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
	(void)v;
	return sys->xAccess(sys, name, flags, out);
}

static int
vfs_full_pathname(sqlite3_vfs *v, const char *name, int n, char *out)
{
	(void)v;
	return sys->xFullPathname(sys, name, n, out);
}

static void *
vfs_dlopen(sqlite3_vfs *v, const char *name)
{
	(void)v;
	return sys->xDlOpen(sys, name);
}

static void
vfs_dlerror(sqlite3_vfs *v, int n, char *msg)
{
	(void)v;
	sys->xDlError(sys, n, msg);
}

static void (*vfs_dlsym(sqlite3_vfs *v, void *h, const char *sym))(void)
{
	(void)v;
	return sys->xDlSym(sys, h, sym);
}

static void
vfs_dlclose(sqlite3_vfs *v, void *h)
{
	(void)v;
	sys->xDlClose(sys, h);
}

static int
vfs_randomness(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return sys->xRandomness(sys, n, out);
}

static int
vfs_sleep(sqlite3_vfs *v, int us)
{
	(void)v;
	return sys->xSleep(sys, us);
}

static int
vfs_current_time(sqlite3_vfs *v, double *out)
{
	(void)v;
	return sys->xCurrentTime(sys, out);
}

static int
vfs_last_error(sqlite3_vfs *v, int n, char *msg)
{
	(void)v;
	return sys->xGetLastError(sys, n, msg);
}

static int
vfs_current_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
	(void)v;
	return sys->xCurrentTimeInt64(sys, out);
}

static void
vfs_init(void)
{
	if ((sys = sqlite3_vfs_find(NULL)) == NULL || sys->iVersion < 2)
		return;
	vfs.iVersion = 2;
	vfs.szOsFile = (int)REAL_OFF + sys->szOsFile;
	vfs.mxPathname = sys->mxPathname;
	vfs.zName = STORE_VFS;
	vfs.xOpen = vfs_open;
	vfs.xDelete = vfs_delete;
	vfs.xAccess = vfs_access;
	vfs.xFullPathname = vfs_full_pathname;
	vfs.xDlOpen = vfs_dlopen;
	vfs.xDlError = vfs_dlerror;
	vfs.xDlSym = vfs_dlsym;
	vfs.xDlClose = vfs_dlclose;
	vfs.xRandomness = vfs_randomness;
	vfs.xSleep = vfs_sleep;
	vfs.xCurrentTime = vfs_current_time;
	vfs.xGetLastError = vfs_last_error;
	vfs.xCurrentTimeInt64 = vfs_current_time64;
	init_rc = sqlite3_vfs_register(&vfs, 0);
}

const char *
store_vfs(void)
{
	pthread_once(&once, vfs_init);
	return init_rc == SQLITE_OK ? STORE_VFS : NULL;
}
