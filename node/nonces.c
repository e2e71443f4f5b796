/*
 * nonces.c - the answered queries' nonces, in memory and in an
 * append-only file (see nonces.h).
 *
 * The set is open addressing with linear probing over a power-of-two
 * table, never more than half full; nothing is deleted one by one: when it
 * would pass half, the expired entries are left out of a rebuilt table
 * (doubled if the live ones still fill a quarter), and when the file then
 * holds more than twice the live lines (and at least COMPACT_MIN), it is
 * rewritten with the live ones.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "envelope.h"
#include "nonces.h"

#define NONCE_MIN	32		/* hex digits: 128 bits */
#define LINE_MAX_LEN	(20 + 1 + ENVELOPE_NONCE_HEX + 1 + ENVELOPE_MEMBER_MAX + 1)
#define FILE_MAX	(256UL * 1024 * 1024)
#define COMPACT_MIN	1024
#define CAP_MIN		1024
#define ASKERS_MAX	4096		/* members that asked: the trust list's */

/* 80 bytes: the member that asked is an index into the askers seen. */
struct ent {
	int64_t		expires;	/* 0: empty */
	uint32_t	asker;
	char		nonce[ENVELOPE_NONCE_HEX + 1];
};

struct nonces {
	char		*path;
	int		 fd;
	struct ent	*tab;
	size_t		 cap, count;
	size_t		 lines;		/* in the file */
	int		 dirty;
	char		**askers;
	size_t		 naskers;
};

static uint64_t
hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static struct ent *
slot(struct ent *tab, size_t cap, const char *nonce)
{
	size_t i = (size_t)hash(nonce) & (cap - 1);

	while (tab[i].expires != 0 && strcmp(tab[i].nonce, nonce) != 0)
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

static int
nonce_ok(const char *s)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++)
		if (!((s[n] >= '0' && s[n] <= '9') ||
		    (s[n] >= 'a' && s[n] <= 'f')))
			return 0;
	return n >= NONCE_MIN && n <= ENVELOPE_NONCE_HEX;
}

static int
member_ok(const char *s)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++)
		if ((unsigned char)s[n] <= ' ' || s[n] == 0x7f)
			return 0;
	return n > 0 && n < ENVELOPE_MEMBER_MAX;
}

/* The index of member in the askers seen, added when new. */
static int
asker_index(struct nonces *ns, const char *member, uint32_t *idx,
    struct err *e)
{
	char **a;
	size_t i;

	for (i = 0; i < ns->naskers; i++)
		if (strcmp(ns->askers[i], member) == 0) {
			*idx = (uint32_t)i;
			return 0;
		}
	if (ns->naskers >= ASKERS_MAX)
		return err_set(e, ERR_INPUT, "%s: more than %d members asked",
		    ns->path, ASKERS_MAX);
	if ((a = realloc(ns->askers, (ns->naskers + 1) * sizeof(*a))) ==
	    NULL)
		return err_set(e, ERR_NOMEM, "%s: out of memory", ns->path);
	ns->askers = a;
	if ((a[ns->naskers] = strdup(member)) == NULL)
		return err_set(e, ERR_NOMEM, "%s: out of memory", ns->path);
	*idx = (uint32_t)ns->naskers++;
	return 0;
}

/* The live entries of tab (expires >= now) into a new table of cap. */
static int
rebuild(struct nonces *ns, size_t cap, time_t now, struct err *e)
{
	struct ent *t, *d;
	size_t i, count = 0;

	if ((t = calloc(cap, sizeof(*t))) == NULL)
		return err_set(e, ERR_NOMEM, "%s: out of memory for %zu "
		    "nonces", ns->path, cap / 2);
	for (i = 0; i < ns->cap; i++) {
		if (ns->tab[i].expires == 0 || ns->tab[i].expires < now)
			continue;
		d = slot(t, cap, ns->tab[i].nonce);
		*d = ns->tab[i];
		count++;
	}
	free(ns->tab);
	ns->tab = t;
	ns->cap = cap;
	ns->count = count;
	return 0;
}

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t w;

	while (len > 0) {
		if ((w = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int
format_line(const struct nonces *ns, const struct ent *x, char *buf,
    size_t len)
{
	return snprintf(buf, len, "%" PRId64 " %s %s\n", x->expires, x->nonce,
	    ns->askers[x->asker]);
}

/* fsync of the directory that holds path: a create or rename in it is
 * durable. */
static void
sync_dir(const char *path)
{
	char *copy;
	int fd;

	if ((copy = strdup(path)) == NULL)
		return;
	if ((fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) !=
	    -1) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

/* Rewrites the file with the live entries only: a temporary file, synced,
 * renamed over it. */
static int
compact(struct nonces *ns, struct err *e)
{
	char *tmp = NULL, line[LINE_MAX_LEN + 32];
	size_t i, lines = 0;
	int fd = -1, n;

	if (asprintf(&tmp, "%s.tmp", ns->path) == -1) {
		tmp = NULL;
		err_set(e, ERR_NOMEM, "%s: out of memory", ns->path);
		goto fail;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND |
	    O_CLOEXEC, 0600)) == -1) {
		err_set(e, ERR_IO, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	for (i = 0; i < ns->cap; i++) {
		if (ns->tab[i].expires == 0)
			continue;
		n = format_line(ns, &ns->tab[i], line, sizeof(line));
		if (write_all(fd, line, (size_t)n) == -1) {
			err_set(e, ERR_IO, "%s: %s", tmp, strerror(errno));
			goto fail;
		}
		lines++;
	}
	if (fdatasync(fd) == -1 || rename(tmp, ns->path) == -1) {
		err_set(e, ERR_IO, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	sync_dir(ns->path);
	if (ns->fd != -1)
		close(ns->fd);
	ns->fd = fd;
	ns->lines = lines;
	ns->dirty = 0;
	free(tmp);
	return 0;
fail:
	if (fd != -1) {
		close(fd);
		unlink(tmp);
	}
	free(tmp);
	return -1;
}

/* Room for one more: the expired left out, the table grown if need be,
 * the file compacted when it is mostly dead lines (a rewrite that fails,
 * a full disk, leaves the file as it was: longer, still right). */
static int
make_room(struct nonces *ns, time_t now, struct err *e)
{
	struct err ce;
	size_t cap = ns->cap;

	if ((ns->count + 1) * 2 <= ns->cap)
		return 0;
	if (rebuild(ns, cap, now, e) == -1)
		return -1;
	while ((ns->count + 1) * 4 > cap)
		cap *= 2;
	if (cap != ns->cap && rebuild(ns, cap, now, e) == -1)
		return -1;
	err_clear(&ce);
	if (ns->lines > 2 * ns->count && ns->lines >= COMPACT_MIN)
		(void)compact(ns, &ce);
	return 0;
}

/* Parses one line (NUL-terminated, without its LF) into x and *member
 * (pointing into s). */
static int
parse_line(char *s, struct ent *x, const char **member)
{
	char *sp1, *sp2, *end;
	long long v;

	if ((sp1 = strchr(s, ' ')) == NULL ||
	    (sp2 = strchr(sp1 + 1, ' ')) == NULL)
		return -1;
	*sp1 = *sp2 = '\0';
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0)
		return -1;
	if (!nonce_ok(sp1 + 1) || !member_ok(sp2 + 1))
		return -1;
	memset(x, 0, sizeof(*x));
	x->expires = v;
	snprintf(x->nonce, sizeof(x->nonce), "%s", sp1 + 1);
	*member = sp2 + 1;
	return 0;
}

static int
load(struct nonces *ns, time_t now, struct err *e)
{
	struct stat st;
	struct ent x, *d;
	const char *member;
	char *buf = NULL, *p, *nl, *end;
	size_t lineno = 0, good = 0;
	ssize_t r;
	off_t off = 0;
	int rc = -1;

	if (fstat(ns->fd, &st) == -1)
		return err_set(e, ERR_IO, "%s: %s", ns->path, strerror(errno));
	if ((unsigned long long)st.st_size > FILE_MAX)
		return err_set(e, ERR_INPUT, "%s: %lld bytes, more than the "
		    "%lu a nonce file can hold; remove it to start without "
		    "it (queries answered in the last %d minutes could then "
		    "be answered again)", ns->path, (long long)st.st_size,
		    FILE_MAX, ENVELOPE_TTL_MAX / 60);
	if (st.st_size == 0)
		return 0;
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		return err_set(e, ERR_NOMEM, "%s: out of memory", ns->path);
	while (off < st.st_size) {
		r = pread(ns->fd, buf + off, (size_t)(st.st_size - off), off);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			err_set(e, ERR_IO, "%s: %s", ns->path, r == 0 ?
			    "shorter than its size" : strerror(errno));
			goto done;
		}
		off += r;
	}
	buf[st.st_size] = '\0';
	end = buf + st.st_size;
	for (p = buf; p < end; p = nl + 1) {
		lineno++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL) {
			/* A write cut short by a crash: its answer never
			 * left.  Appends go on after the last whole line. */
			if (ftruncate(ns->fd, (off_t)(p - buf)) == -1) {
				err_set(e, ERR_IO, "%s: %s", ns->path,
				    strerror(errno));
				goto done;
			}
			break;
		}
		*nl = '\0';
		if ((size_t)(nl - p) > LINE_MAX_LEN || memchr(p, '\0',
		    (size_t)(nl - p)) != NULL || parse_line(p, &x,
		    &member) == -1) {
			err_set(e, ERR_INPUT, "%s:%zu: not a nonce line "
			    "(\"EXPIRES NONCE MEMBER\"); remove the file to "
			    "start without it (queries answered in the last %d "
			    "minutes could then be answered again)", ns->path,
			    lineno, ENVELOPE_TTL_MAX / 60);
			goto done;
		}
		good++;
		if (x.expires < now)
			continue;
		if (asker_index(ns, member, &x.asker, e) == -1 ||
		    make_room(ns, now, e) == -1)
			goto done;
		d = slot(ns->tab, ns->cap, x.nonce);
		if (d->expires == 0)
			ns->count++;
		if (d->expires < x.expires)
			*d = x;
	}
	ns->lines = good;
	rc = 0;
done:
	free(buf);
	return rc;
}

struct nonces *
nonces_open(const char *path, time_t now, struct err *e)
{
	struct nonces *ns;
	struct stat st;
	int created;

	if ((ns = calloc(1, sizeof(*ns))) == NULL ||
	    (ns->path = strdup(path)) == NULL ||
	    (ns->tab = calloc(CAP_MIN, sizeof(*ns->tab))) == NULL) {
		if (ns != NULL)
			free(ns->path);
		free(ns);
		err_set(e, ERR_NOMEM, "%s: out of memory", path);
		return NULL;
	}
	ns->cap = CAP_MIN;
	ns->fd = -1;
	created = stat(path, &st) == -1 && errno == ENOENT;
	if ((ns->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC,
	    0600)) == -1) {
		err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
		nonces_close(ns);
		return NULL;
	}
	if (created)
		sync_dir(path);
	if (load(ns, now, e) == -1 ||
	    (ns->lines > 2 * ns->count && ns->lines >= COMPACT_MIN &&
	    compact(ns, e) == -1)) {
		nonces_close(ns);
		return NULL;
	}
	return ns;
}

int
nonces_check_add(struct nonces *ns, const char *nonce, const char *asker,
    time_t expires, time_t now, int *seen, struct err *e)
{
	struct ent x, *d;
	char line[LINE_MAX_LEN + 32];
	off_t end;
	int n, saved;

	*seen = 0;
	if (!nonce_ok(nonce) || !member_ok(asker) || expires <= 0)
		return err_set(e, ERR_USAGE, "%s: not a nonce to keep",
		    ns->path);
	d = slot(ns->tab, ns->cap, nonce);
	if (d->expires != 0 && d->expires >= now) {
		*seen = 1;
		return 0;
	}
	if (d->expires == 0 && ns->count >= NONCES_MAX) {
		/* The count holds the expired not dropped yet. */
		if (rebuild(ns, ns->cap, now, e) == -1)
			return -1;
		d = slot(ns->tab, ns->cap, nonce);
		if (ns->count >= NONCES_MAX)
			return err_set(e, ERR_NOMEM, "%s: %d live nonces "
			    "already", ns->path, NONCES_MAX);
	}
	/* Room first: nothing is written for a nonce that is then not
	 * held (its query is refused, so it is not spent). */
	if (d->expires == 0) {
		if (make_room(ns, now, e) == -1)
			return -1;
		d = slot(ns->tab, ns->cap, nonce);
	}
	memset(&x, 0, sizeof(x));
	x.expires = (int64_t)expires;
	snprintf(x.nonce, sizeof(x.nonce), "%s", nonce);
	if (asker_index(ns, asker, &x.asker, e) == -1)
		return -1;
	n = format_line(ns, &x, line, sizeof(line));
	/* In the file first: an answer never leaves for a nonce not kept.
	 * A line cut short (a full disk) is cut off again, so that the next
	 * one does not run into it and leave a bad line mid-file. */
	if ((end = lseek(ns->fd, 0, SEEK_END)) == -1 ||
	    write_all(ns->fd, line, (size_t)n) == -1) {
		saved = errno;
		if (end != -1 && ftruncate(ns->fd, end) == -1)
			saved = errno;
		return err_set(e, ERR_IO, "%s: %s", ns->path, strerror(saved));
	}
	ns->lines++;
	ns->dirty = 1;
	if (d->expires == 0)		/* else an expired one, reused */
		ns->count++;
	*d = x;
	return 0;
}

int
nonces_sync(struct nonces *ns, struct err *e)
{
	if (ns == NULL || !ns->dirty)
		return 0;
	if (fdatasync(ns->fd) == -1)
		return err_set(e, ERR_IO, "%s: %s", ns->path, strerror(errno));
	ns->dirty = 0;
	return 0;
}

int
nonces_dirty(const struct nonces *ns)
{
	return ns != NULL && ns->dirty;
}

size_t
nonces_count(const struct nonces *ns)
{
	return ns != NULL ? ns->count : 0;
}

void
nonces_close(struct nonces *ns)
{
	if (ns == NULL)
		return;
	if (ns->fd != -1) {
		if (ns->dirty)
			fdatasync(ns->fd);
		close(ns->fd);
	}
	while (ns->naskers > 0)
		free(ns->askers[--ns->naskers]);
	free(ns->askers);
	free(ns->tab);
	free(ns->path);
	free(ns);
}
