/*
 * delayrelay.c - a TCP relay that adds a fixed delay each way, for
 * tests/bench/fanout (netem is not available here); the same job as
 * delayrelay.py at a fraction of its CPU, so that the relay does not take
 * the cores the 22 nodes it sits in front of need.
 *
 *	delayrelay DELAY_MS READY_FILE LISTEN:UPSTREAM [LISTEN:UPSTREAM ...]
 *
 * Each pair is a port on 127.0.0.1 relayed to 127.0.0.1:UPSTREAM.  Every
 * chunk read from one side is written to the other DELAY_MS milliseconds
 * later, in order; an end of stream travels the same way.  READY_FILE is
 * created once every port listens.  One thread, epoll; runs until killed.
 * A benchmark tool: bounded (MAXCONN connections, a chunk queue per
 * direction), not hardened.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXLISTEN	64
#define MAXCONN		4096
#define CHUNK		16384

struct chunk {
	struct chunk	*next;
	long long	 due;		/* ms, CLOCK_MONOTONIC */
	size_t		 len, off;	/* len 0: end of stream */
	char		 data[CHUNK];
};

/* One direction: from fd "in" to fd "out". */
struct dir {
	int		 in, out;
	struct chunk	*head, *tail;
	int		 eof_in, done;
};

struct pair {
	struct dir	 d[2];		/* client->upstream, upstream->client */
	int		 cfd, ufd;
	int		 used;
};

static struct pair pairs[MAXCONN];
/* Pairs in use are all below this: the loop scans up to it, not all of
 * MAXCONN on every wake-up (8,192 directions: most of the relay's CPU). */
static int npairs;
static int lfd[MAXLISTEN], lup[MAXLISTEN], nl;
static long long delay_ms;
static int ep;

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
pair_close(struct pair *p)
{
	struct chunk *c, *n;
	int i;

	for (i = 0; i < 2; i++)
		for (c = p->d[i].head; c != NULL; c = n) {
			n = c->next;
			free(c);
		}
	close(p->cfd);
	close(p->ufd);
	memset(p, 0, sizeof(*p));
}

/* Reads what fd has into d's queue, due delay_ms from now. */
static void
pump_in(struct pair *p, struct dir *d)
{
	struct chunk *c;
	ssize_t r;

	for (;;) {
		if ((c = malloc(sizeof(*c))) == NULL)
			return;
		r = read(d->in, c->data, CHUNK);
		if (r < 0) {
			free(c);
			if (errno == EAGAIN || errno == EINTR)
				return;
			r = 0;		/* an error ends the stream */
		}
		c->next = NULL;
		c->due = now_ms() + delay_ms;
		c->len = (size_t)r;
		c->off = 0;
		if (d->tail != NULL)
			d->tail->next = c;
		else
			d->head = c;
		d->tail = c;
		if (r == 0) {
			d->eof_in = 1;
			epoll_ctl(ep, EPOLL_CTL_DEL, d->in, NULL);
			return;
		}
	}
	(void)p;
}

/* Writes what is due; returns the ms until the next chunk is, or -1. */
static long long
pump_out(struct dir *d, long long now)
{
	struct chunk *c;
	ssize_t w;

	while ((c = d->head) != NULL) {
		if (c->due > now)
			return c->due - now;
		if (c->len == 0) {
			shutdown(d->out, SHUT_WR);
			d->done = 1;
		} else {
			while (c->off < c->len) {
				w = send(d->out, c->data + c->off,
				    c->len - c->off, MSG_NOSIGNAL);
				if (w < 0 && errno == EINTR)
					continue;
				if (w < 0 && errno == EAGAIN)
					return 1;
				if (w < 0) {
					d->done = 1;
					break;
				}
				c->off += (size_t)w;
			}
		}
		d->head = c->next;
		if (d->head == NULL)
			d->tail = NULL;
		free(c);
	}
	return -1;
}

static int
nonblock(int fd)
{
	return fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static void
accept_one(int li)
{
	struct sockaddr_in sa;
	struct epoll_event ev;
	struct pair *p = NULL;
	int c, u, i, one = 1;

	if ((c = accept(lfd[li], NULL, NULL)) < 0)
		return;
	for (i = 0; i < MAXCONN; i++)
		if (!pairs[i].used) {
			p = &pairs[i];
			break;
		}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)lup[li]);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (p == NULL || (u = socket(AF_INET, SOCK_STREAM, 0)) < 0) {
		close(c);
		return;
	}
	if (connect(u, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(u);
		close(c);
		return;
	}
	setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(u, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	nonblock(c);
	nonblock(u);
	p->used = 1;
	if (i + 1 > npairs)
		npairs = i + 1;
	p->cfd = c;
	p->ufd = u;
	p->d[0].in = c;
	p->d[0].out = u;
	p->d[1].in = u;
	p->d[1].out = c;
	ev.events = EPOLLIN;
	ev.data.u64 = (unsigned long long)(MAXLISTEN + 2 * i);
	epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
	ev.data.u64 = (unsigned long long)(MAXLISTEN + 2 * i + 1);
	epoll_ctl(ep, EPOLL_CTL_ADD, u, &ev);
}

int
main(int argc, char **argv)
{
	struct epoll_event ev, evs[256];
	struct sockaddr_in sa;
	long long now, next, t;
	int i, j, n, one = 1, timeout;
	char *colon;
	FILE *f;

	if (argc < 4) {
		fprintf(stderr, "usage: delayrelay DELAY_MS READY_FILE "
		    "LISTEN:UPSTREAM ...\n");
		return 2;
	}
	delay_ms = atoll(argv[1]);
	if ((ep = epoll_create1(0)) < 0)
		return 1;
	for (i = 3; i < argc && nl < MAXLISTEN; i++, nl++) {
		if ((colon = strchr(argv[i], ':')) == NULL)
			return 2;
		lup[nl] = atoi(colon + 1);
		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		sa.sin_port = htons((unsigned short)atoi(argv[i]));
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if ((lfd[nl] = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
		    setsockopt(lfd[nl], SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one)) < 0 ||
		    bind(lfd[nl], (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    listen(lfd[nl], 128) < 0) {
			perror(argv[i]);
			return 1;
		}
		ev.events = EPOLLIN;
		ev.data.u64 = (unsigned long long)nl;
		epoll_ctl(ep, EPOLL_CTL_ADD, lfd[nl], &ev);
	}
	if ((f = fopen(argv[2], "w")) != NULL)
		fclose(f);
	timeout = -1;
	for (;;) {
		n = epoll_wait(ep, evs, 256, timeout);
		for (j = 0; j < n; j++) {
			unsigned long long k = evs[j].data.u64;

			if (k < MAXLISTEN) {
				accept_one((int)k);
				continue;
			}
			k -= MAXLISTEN;
			if (pairs[k / 2].used)
				pump_in(&pairs[k / 2], &pairs[k / 2].d[k % 2]);
		}
		now = now_ms();
		next = -1;
		for (i = 0; i < npairs; i++) {
			if (!pairs[i].used)
				continue;
			for (j = 0; j < 2; j++) {
				t = pump_out(&pairs[i].d[j], now);
				if (t >= 0 && (next < 0 || t < next))
					next = t;
			}
			if (pairs[i].d[0].done && pairs[i].d[1].done)
				pair_close(&pairs[i]);
		}
		while (npairs > 0 && !pairs[npairs - 1].used)
			npairs--;
		timeout = next < 0 ? -1 : (int)next;
	}
}
