/*
 * cmd_backup.c - lasteri backup, restore and check: a consistent copy of a
 * running node's database (the node makes it, POST /admin/v1/backup), a
 * copy put back for a stopped node, and the database check (SQLite's
 * integrity_check, every signed record verified again, the transparency
 * log against its checkpoints) through the node or offline.
 *
 * restore takes the node's own lock (DATABASE.lock, flock) for its whole
 * run, so a node cannot start on a half-restored file and a running node
 * is never replaced under it.  The backup is checked before anything is
 * touched; the database it replaces is kept as DATABASE.before-restore
 * (with its WAL), never deleted.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "admincall.h"
#include "cmd.h"
#include "dbcheck.h"
#include "dsig.h"
#include "store.h"
#include "store_backup.h"
#include "trust.h"
#include "util.h"
#include "verifier.h"
#include "x509.h"
#include "xml.h"

#define BACKUP_WAIT_SEC	3600	/* a big database takes a while */

static const char usage_backup[] =
    "lasteri backup -s SOCKET FILE\n"
    "  A consistent copy of the running node's database, made by the node\n"
    "  (SQLite's online backup API) while it keeps serving.  FILE must not\n"
    "  exist; the node writes it, so its directory must be writable by the\n"
    "  node (under systemd: /var/lib/lasteri).\n"
    "  -s, --socket SOCKET   the node's admin socket (or $LASTERI_SOCKET)\n";

static const char usage_restore[] =
    "lasteri restore BACKUP --db DATABASE\n"
    "  Puts a backup in place of a stopped node's database.  Refused while\n"
    "  a node runs on DATABASE, or when BACKUP is not a whole Lasteri\n"
    "  database.  The replaced database is kept as DATABASE.before-restore.\n";

static const char usage_check[] =
    "lasteri check -s SOCKET\n"
    "lasteri check --db FILE [--trust TRUSTLIST [--anchor OPERATOR.crt]]\n"
    "              [--member ID]\n"
    "  Checks a node's database: SQLite's integrity_check, every signed\n"
    "  record verified again, and the transparency log against the latest\n"
    "  checkpoint the node signed.  Exit 0 when all is well, 1 when a\n"
    "  problem was found.  Offline (--db) records are verified only with\n"
    "  --trust, and the log only with --member (the node's member ID).\n"
    "  -s, --socket SOCKET   the node's admin socket (or $LASTERI_SOCKET)\n";

int
cmd_backup(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char dir[PATH_MAX], abs[PATH_MAX + 256], path[PATH_MAX * 3 + 64];
	const char *sockopt = NULL, *sock, *file, *base;
	char *slash, *real;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "s:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			sockopt = optarg;
			break;
		case 'h':
			fputs(usage_backup, stdout);
			return 0;
		default:
			return util_usage(usage_backup);
		}
	}
	if (optind + 1 != argc)
		return util_usage(usage_backup);
	file = argv[optind];
	if (admincall_target(NULL, sockopt, usage_backup, &sock) != 0)
		return 2;
	/* The node resolves nothing: it gets an absolute path. */
	snprintf(dir, sizeof(dir), "%s", file);
	if ((slash = strrchr(dir, '/')) == NULL) {
		snprintf(dir, sizeof(dir), ".");
		base = file;
	} else {
		*(slash == dir ? slash + 1 : slash) = '\0';
		base = strrchr(file, '/') + 1;
	}
	if (*base == '\0') {
		warnx_("%s: name a file, not a directory", file);
		return 2;
	}
	if ((real = realpath(dir, NULL)) == NULL) {
		warnx_("%s: %s", dir, strerror(errno));
		return 2;
	}
	snprintf(abs, sizeof(abs), "%s/%s", strcmp(real, "/") == 0 ? "" :
	    real, base);
	free(real);
	snprintf(path, sizeof(path), "/admin/v1/backup");
	if (admincall_qs(path, sizeof(path), "file", abs) == -1)
		return 2;
	return admincall_wait(sock, "POST", path, NULL, NULL, 0,
	    BACKUP_WAIT_SEC, NULL, NULL, NULL);
}

/* Copies from to a new file to (mode 0600), synced. */
static int
copy_file(const char *from, const char *to, const struct stat *owner)
{
	char buf[65536];
	ssize_t r, w, off;
	int in, out, rc = -1;

	if ((in = open(from, O_RDONLY | O_CLOEXEC)) == -1) {
		warnx_("%s: %s", from, strerror(errno));
		return -1;
	}
	if ((out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) ==
	    -1) {
		warnx_("%s: %s", to, strerror(errno));
		close(in);
		return -1;
	}
	while ((r = read(in, buf, sizeof(buf))) != 0) {
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			warnx_("%s: %s", from, strerror(errno));
			goto done;
		}
		for (off = 0; off < r; off += w)
			if ((w = write(out, buf + off, (size_t)(r - off))) ==
			    -1) {
				warnx_("%s: %s", to, strerror(errno));
				goto done;
			}
	}
	/* The node's user keeps owning its database. */
	if (owner != NULL && fchown(out, owner->st_uid, owner->st_gid) == -1 &&
	    geteuid() == 0) {
		warnx_("%s: chown: %s", to, strerror(errno));
		goto done;
	}
	if (fsync(out) == -1) {
		warnx_("%s: fsync: %s", to, strerror(errno));
		goto done;
	}
	rc = 0;
done:
	close(in);
	if (close(out) == -1 && rc == 0) {
		warnx_("%s: %s", to, strerror(errno));
		rc = -1;
	}
	if (rc == -1)
		unlink(to);
	return rc;
}

/* Moves DATABASE (and its -wal, -shm) aside as DATABASE.before-restore. */
static int
move_aside(const char *db)
{
	static const char *const sfx[] = { "", "-wal", "-shm" };
	char from[PATH_MAX + 16], to[PATH_MAX + 32];
	size_t i;

	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(from, sizeof(from), "%s%s", db, sfx[i]);
		snprintf(to, sizeof(to), "%s.before-restore%s", db, sfx[i]);
		unlink(to);
		if (rename(from, to) == -1 && errno != ENOENT) {
			warnx_("%s: cannot move it aside to %s: %s", from, to,
			    strerror(errno));
			return -1;
		}
	}
	return 0;
}

int
cmd_restore(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char lock[PATH_MAX + 16], tmp[PATH_MAX + 16], pidbuf[32];
	const char *db = NULL, *backup;
	struct store *s = NULL;
	struct stat st, *owner = NULL;
	struct err e;
	ssize_t r;
	int ch, fd, rc = 2;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			db = optarg;
			break;
		case 'h':
			fputs(usage_restore, stdout);
			return 0;
		default:
			return util_usage(usage_restore);
		}
	}
	if (optind + 1 != argc || db == NULL)
		return util_usage(usage_restore);
	backup = argv[optind];
	err_clear(&e);
	snprintf(lock, sizeof(lock), "%s.lock", db);
	snprintf(tmp, sizeof(tmp), "%s.restoring", db);
	if ((fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600)) == -1) {
		warnx_("%s: cannot open the lock file %s: %s", db, lock,
		    strerror(errno));
		return 2;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		r = pread(fd, pidbuf, sizeof(pidbuf) - 1, 0);
		pidbuf[r > 0 ? r : 0] = '\0';
		pidbuf[strcspn(pidbuf, "\n")] = '\0';
		warnx_("%s: in use by a running lasterid (pid %s, lock %s): "
		    "stop the node first", db, pidbuf, lock);
		close(fd);
		return 2;
	}
	/* A whole Lasteri database, or nothing is touched. */
	xml_init();
	if (store_open(backup, STORE_RDONLY, &s, &e) == -1 ||
	    store_integrity(s, 0, &e) == -1) {
		warnx_("%s: not restored: %s", backup, util_msg_after(e.msg,
		    backup));
		goto done;
	}
	store_close(s);
	s = NULL;
	if (stat(db, &st) == 0)
		owner = &st;
	unlink(tmp);
	if (copy_file(backup, tmp, owner) == -1)
		goto done;
	if (move_aside(db) == -1 || rename(tmp, db) == -1) {
		warnx_("%s: %s", db, strerror(errno));
		unlink(tmp);
		goto done;
	}
	printf("restored %s to %s%s\n", backup, db, owner != NULL ?
	    " (the replaced database is kept as DATABASE.before-restore)" :
	    "");
	rc = 0;
done:
	store_close(s);
	close(fd);		/* the lock goes with it */
	return rc;
}

/* check --db: the same check as the node's, on this host's copy. */
static int
check_offline(const char *db, const char *trustf, const char *anchorf,
    const char *member)
{
	struct store *s = NULL;
	struct trust_list *tl = NULL;
	struct verifier *v = NULL;
	struct dbcheck c;
	X509 *anchor = NULL;
	struct err e;
	char *report = NULL;
	time_t now = time(NULL);
	int rc = 2;

	err_clear(&e);
	xml_init();
	if (dsig_init(&e) == -1) {
		util_report(&e);
		goto done;
	}
	if (trustf != NULL) {
		if (anchorf == NULL)
			anchorf = LASTERI_ANCHOR;
		/* An expired list still says who signed history. */
		if ((anchor = x509_load_pem(anchorf, &e)) == NULL ||
		    trust_load_flags(trustf, anchor, NULL, now,
		    TRUST_F_NO_EXPIRY, &tl, &e) == -1 ||
		    (v = verifier_new(tl, &e)) == NULL) {
			util_report(&e);
			goto done;
		}
	}
	if (store_open(db, STORE_RDONLY, &s, &e) == -1 && e.code == ERR_DB) {
		/* A file too damaged to open is the check's finding. */
		printf("integrity: FAILED %s\ncheck: 1 problem\n", e.msg);
		rc = 1;
		goto done;
	}
	if (s == NULL || dbcheck_run(s, v, member, now, &c, &e) == -1) {
		util_report(&e);
		goto done;
	}
	if ((report = dbcheck_format(&c, db)) == NULL) {
		warnx_("out of memory");
		goto done;
	}
	fputs(report, stdout);
	if (v == NULL)
		printf("(records counted, not verified: give --trust)\n");
	rc = dbcheck_ok(&c) ? 0 : 1;
done:
	free(report);
	store_close(s);
	verifier_free(v);
	trust_unref(tl);
	X509_free(anchor);
	return rc;
}

int
cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "db", required_argument, NULL, 'd' },
		{ "trust", required_argument, NULL, 't' },
		{ "anchor", required_argument, NULL, 'a' },
		{ "member", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *sockopt = NULL, *sock = NULL, *db = NULL, *trustf = NULL;
	const char *anchorf = NULL, *member = NULL;
	char *resp = NULL, *last;
	size_t len = 0;
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "s:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			sockopt = optarg;
			break;
		case 'd':
			db = optarg;
			break;
		case 't':
			trustf = optarg;
			break;
		case 'a':
			anchorf = optarg;
			break;
		case 'm':
			member = optarg;
			break;
		case 'h':
			fputs(usage_check, stdout);
			return 0;
		default:
			return util_usage(usage_check);
		}
	}
	if (optind != argc)
		return util_usage(usage_check);
	if (admincall_target(db, sockopt, usage_check, &sock) != 0)
		return 2;
	if (sock == NULL)
		return check_offline(db, trustf, anchorf, member);
	if ((rc = admincall_wait(sock, "POST", "/admin/v1/check", NULL, NULL,
	    0, BACKUP_WAIT_SEC, NULL, &resp, &len)) != 0)
		return rc;
	fputs(resp, stdout);
	/* The report's last line says. */
	while (len > 0 && resp[len - 1] == '\n')
		resp[--len] = '\0';
	last = strrchr(resp, '\n');
	rc = strcmp(last != NULL ? last + 1 : resp, "check: ok") == 0 ? 0 : 1;
	free(resp);
	return rc;
}
