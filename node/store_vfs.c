/*
 * store_vfs.c - the stores' SQLite VFS: the system's own, except that a
 * connection's writes to its write-ahead log are gathered into one buffer
 * and written with one system call per run of contiguous frames, not two
 * per page (SQLite writes each WAL frame as its 24-byte header and then its
 * page: a group commit of ~150 pages was 300 pwrite() calls, the writer's
 * biggest cost after the records themselves).
 *
 * Why this is safe.  Two rules.
 *  1. What a WAL's buffer holds is written out before that file is synced,
 *     read, sized, truncated, controlled or mapped.  Every store connection
 *     runs with synchronous=FULL (store.c), under which SQLite syncs the
 *     WAL at each commit before it publishes the commit's frames in the
 *     WAL index (sqlite3WalFrames): no other connection, the checkpointer
 *     included, can look for a frame still in a buffer, and a commit's
 *     frames are on disk when it returns, as without this layer.
 *  2. The buffer is empty whenever its connection does not hold the WAL's
 *     write lock: it is written out, while the lock is still held, when
 *     the connection gives the lock up (the database file's xShmLock; a
 *     transaction that rolled back after SQLite spilled pages into the WAL
 *     leaves frames nobody will read, and written later they would land on
 *     another connection's frames), or, in exclusive locking mode, the
 *     database file's lock.  That needs the WAL's database file,
 *     found by name when the WAL is opened (sqlite3_filename_database());
 *     a WAL whose database file is not found, or whose device may tear a
 *     sector on overwrite (SQLite then pads a commit's last frame to a
 *     sector around a sync of its own), is written through, ungathered.
 * A write that fails drops what was gathered and comes back as SQLite's
 * I/O error at the next call that writes out (at the latest at the
 * commit's sync): the transaction fails, nothing it relied on is lost.  A
 * process killed with frames gathered loses only a transaction that had
 * not committed.
 *
 * Other files (journals, temporary files) are the system VFS's own files,
 * opened in place with no layer between.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store_internal.h"

/* Bytes gathered per WAL file: 29 frames of 4 KiB pages.  Below 128 KiB,
 * which the system VFS takes in one write at most (it masks a length with
 * 0x1ffff: a longer write fails as a full disk). */
#define WAL_BUF		(120 * 1024)

/* SQLite's lock slot of the WAL's one writer (wal.c: WAL_WRITE_LOCK). */
#define WAL_WRITE_LOCK	0

struct walfile;

/* A layer's file: ours first, the system VFS's file after it (REAL_OFF). */
struct dbfile {
	sqlite3_file	 base;
	sqlite3_file	*real;
	const char	*name;		/* as SQLite passed it to xOpen */
	struct walfile	*wal;		/* its WAL, while open */
	struct dbfile	*next;		/* in dbs */
};

struct walfile {
	sqlite3_file	 base;
	sqlite3_file	*real;
	struct dbfile	*db;		/* NULL: written through */
	unsigned char	*buf;
	sqlite3_int64	 off;		/* the file offset of buf[0] */
	int		 len;		/* bytes in buf */
};

static sqlite3_vfs	 vfs;
static sqlite3_vfs	*sys;		/* the system's default VFS */
static pthread_once_t	 once = PTHREAD_ONCE_INIT;
static int		 init_rc = SQLITE_ERROR;
/* The open database files, for their WALs to find (open and close only). */
static pthread_mutex_t	 dbs_mu = PTHREAD_MUTEX_INITIALIZER;
static struct dbfile	*dbs;

/* The system file after ours, aligned as SQLite aligns ours (8). */
#define LAYER_SIZE	(sizeof(struct walfile) > sizeof(struct dbfile) ? \
			    sizeof(struct walfile) : sizeof(struct dbfile))
#define REAL_OFF	((LAYER_SIZE + 15) & ~(size_t)15)
#define REAL(f)		(((struct dbfile *)(f))->real)

/* --- both layers: calls passed on as they are ------------------------------ */

static int
fw_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), p, n, off);
}

static int
fw_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xWrite(REAL(f), p, n, off);
}

static int
fw_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int
fw_sync(sqlite3_file *f, int flags)
{
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int
fw_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int
fw_lock(sqlite3_file *f, int lock)
{
	return REAL(f)->pMethods->xLock(REAL(f), lock);
}

static int
fw_unlock(sqlite3_file *f, int lock)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), lock);
}

static int
fw_check_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int
fw_file_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int
fw_sector_size(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int
fw_device(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int
fw_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, pgsz, extend, pp);
}

static int
fw_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}

static void
fw_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int
fw_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int
fw_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
	return REAL(f)->pMethods->xFetch(REAL(f), off, n, pp);
}

static int
fw_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

/* --- the WAL ---------------------------------------------------------------- */

/* Writes out what is gathered; on failure drops it (the transaction that
 * wrote it fails with the error). */
static int
flush(struct walfile *w)
{
	int rc;

	if (w->len == 0)
		return SQLITE_OK;
	rc = w->real->pMethods->xWrite(w->real, w->buf, w->len, w->off);
	w->len = 0;
	return rc;
}

static int
wal_close(sqlite3_file *f)
{
	struct walfile *w = (struct walfile *)f;
	int rc;

	/* Under rule 2 nothing is left here; what would be is a transaction
	 * that did not commit, and the write lock is not held. */
	w->len = 0;
	pthread_mutex_lock(&dbs_mu);
	if (w->db != NULL)
		w->db->wal = NULL;
	pthread_mutex_unlock(&dbs_mu);
	rc = w->real->pMethods->xClose(w->real);
	free(w->buf);
	w->buf = NULL;
	return rc;
}

static int
wal_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	int rc;

	if ((rc = flush((struct walfile *)f)) != SQLITE_OK)
		return rc;
	return fw_read(f, p, n, off);
}

static int
wal_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	struct walfile *w = (struct walfile *)f;
	int rc;

	if (w->db == NULL)
		return fw_write(f, p, n, off);
	/* Contiguous with what is gathered and room for it: gather. */
	if (w->len > 0 && off == w->off + w->len && n <= WAL_BUF - w->len) {
		memcpy(w->buf + w->len, p, (size_t)n);
		w->len += n;
		return SQLITE_OK;
	}
	if ((rc = flush(w)) != SQLITE_OK)
		return rc;
	if (n >= WAL_BUF)
		return fw_write(f, p, n, off);
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
	return fw_truncate(f, size);
}

static int
wal_sync(sqlite3_file *f, int flags)
{
	int rc;

	if ((rc = flush((struct walfile *)f)) != SQLITE_OK)
		return rc;
	return fw_sync(f, flags);
}

static int
wal_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	int rc;

	if ((rc = flush((struct walfile *)f)) != SQLITE_OK)
		return rc;
	return fw_file_size(f, size);
}

static int
wal_file_control(sqlite3_file *f, int op, void *arg)
{
	int rc;

	if ((rc = flush((struct walfile *)f)) != SQLITE_OK)
		return rc;
	return fw_file_control(f, op, arg);
}

static int
wal_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
	int rc;

	if ((rc = flush((struct walfile *)f)) != SQLITE_OK)
		return rc;
	return fw_fetch(f, off, n, pp);
}

static const sqlite3_io_methods wal_methods = {
	3,
	wal_close, wal_read, wal_write, wal_truncate, wal_sync,
	wal_file_size, fw_lock, fw_unlock, fw_check_reserved,
	wal_file_control, fw_sector_size, fw_device,
	fw_shm_map, fw_shm_lock, fw_shm_barrier, fw_shm_unmap,
	wal_fetch, fw_unfetch
};

/* --- the database file ----------------------------------------------------- */

static int
db_close(sqlite3_file *f)
{
	struct dbfile *d = (struct dbfile *)f, **pp;

	pthread_mutex_lock(&dbs_mu);
	for (pp = &dbs; *pp != NULL; pp = &(*pp)->next)
		if (*pp == d) {
			*pp = d->next;
			break;
		}
	if (d->wal != NULL)
		d->wal->db = NULL;
	pthread_mutex_unlock(&dbs_mu);
	return d->real->pMethods->xClose(d->real);
}

/* Rule 2: the WAL's buffer is written out before the write lock goes. */
static int
db_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	struct dbfile *d = (struct dbfile *)f;

	if (d->wal != NULL && (flags & SQLITE_SHM_UNLOCK) &&
	    (flags & SQLITE_SHM_EXCLUSIVE) && off <= WAL_WRITE_LOCK &&
	    off + n > WAL_WRITE_LOCK)
		(void)flush(d->wal);	/* (a failure drops frames unused) */
	return fw_shm_lock(f, off, n, flags);
}

/* The same in exclusive locking mode, where SQLite takes no WAL locks and
 * a write transaction ends with the database file's lock. */
static int
db_unlock(sqlite3_file *f, int lock)
{
	struct dbfile *d = (struct dbfile *)f;

	if (d->wal != NULL)
		(void)flush(d->wal);
	return fw_unlock(f, lock);
}

static const sqlite3_io_methods db_methods = {
	3,
	db_close, fw_read, fw_write, fw_truncate, fw_sync,
	fw_file_size, fw_lock, db_unlock, fw_check_reserved,
	fw_file_control, fw_sector_size, fw_device,
	fw_shm_map, db_shm_lock, fw_shm_barrier, fw_shm_unmap,
	fw_fetch, fw_unfetch
};

/* --- the VFS ---------------------------------------------------------------- */

/* Opens the system's file below ours: 0, or SQLite's error. */
static int
open_real(const char *name, sqlite3_file *f, int flags, int *out)
{
	sqlite3_file *real = (sqlite3_file *)((char *)f + REAL_OFF);
	int rc;

	((struct dbfile *)f)->real = real;
	if ((rc = sys->xOpen(sys, name, real, flags, out)) != SQLITE_OK)
		return rc;
	/* Our methods are version 3: so must the file's be. */
	if (real->pMethods == NULL || real->pMethods->iVersion < 3) {
		if (real->pMethods != NULL)
			real->pMethods->xClose(real);
		return SQLITE_CANTOPEN;
	}
	return SQLITE_OK;
}

static int
vfs_open(sqlite3_vfs *v, const char *name, sqlite3_file *f, int flags,
    int *out)
{
	struct dbfile *d = (struct dbfile *)f, *db;
	struct walfile *w = (struct walfile *)f;
	const char *dbname;
	int rc;

	(void)v;
	if (flags & SQLITE_OPEN_MAIN_DB && name != NULL) {
		memset(d, 0, sizeof(*d));
		if ((rc = open_real(name, f, flags, out)) != SQLITE_OK)
			return rc;
		d->name = name;
		d->base.pMethods = &db_methods;
		pthread_mutex_lock(&dbs_mu);
		d->next = dbs;
		dbs = d;
		pthread_mutex_unlock(&dbs_mu);
		return SQLITE_OK;
	}
	if (!(flags & SQLITE_OPEN_WAL) || name == NULL)
		return sys->xOpen(sys, name, f, flags, out);
	memset(w, 0, sizeof(*w));
	if ((w->buf = malloc(WAL_BUF)) == NULL)
		return SQLITE_NOMEM;
	if ((rc = open_real(name, f, flags, out)) != SQLITE_OK) {
		free(w->buf);
		w->buf = NULL;
		return rc;
	}
	w->base.pMethods = &wal_methods;
	/* Its database file, if it is ours and never tears a sector:
	 * gathered; else written through. */
	dbname = sqlite3_filename_database(name);
	pthread_mutex_lock(&dbs_mu);
	for (db = dbs; db != NULL; db = db->next)
		if (db->name == dbname && db->wal == NULL &&
		    (fw_device(&db->base) & SQLITE_IOCAP_POWERSAFE_OVERWRITE)) {
			db->wal = w;
			w->db = db;
			break;
		}
	pthread_mutex_unlock(&dbs_mu);
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
