#!/usr/bin/python3
"""holdconns.py - open N connections to a server and hold them for a while,
as an attacker that never completes a request would (tests/test_limits.sh).

    holdconns.py (--tcp HOST:PORT | --unix PATH) -n N --hold SECONDS
        [--sources A.B.C.D-A.B.C.E] [--mode plain|slowloris|slowbody]
        [--interval SECONDS] [--reopen] [--rate PER_SECOND] [--ready FILE]

plain sends nothing (no TLS bytes either); slowloris sends a request line and
then one more header line every --interval, never ending the headers;
slowbody sends whole headers announcing a 100000-byte body and then one byte
every --interval.  --sources spreads TCP connections over a range of source
addresses (127.0.0.2-127.0.0.51: the loopback net on Linux).  --reopen opens
a new connection for each one the server closes (at most --rate a second),
keeping the pressure on.  --ready FILE is created once the first N connects
were tried; the hold counts from then.

At the end one line:  opened=A refused=B closed=C open=D max_life=E.F
(connects that worked, connects that failed, connections the server closed,
connections still open at the end, longest life of a connection the server
closed, in seconds).  Exit 0 unless the arguments are wrong.  The first
connects take at most 10 s (one second each at most), then --hold.
"""
import argparse
import ipaddress
import resource
import selectors
import socket
import sys
import time


def parse_args():
    p = argparse.ArgumentParser()
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--tcp")
    g.add_argument("--unix")
    p.add_argument("-n", type=int, required=True)
    p.add_argument("--hold", type=float, required=True)
    p.add_argument("--sources")
    p.add_argument("--mode", choices=("plain", "slowloris", "slowbody"),
                   default="plain")
    p.add_argument("--interval", type=float, default=0.3)
    p.add_argument("--reopen", action="store_true")
    p.add_argument("--rate", type=float, default=2000.0)
    p.add_argument("--ready")
    a = p.parse_args()
    if a.n < 1 or a.n > 20000 or a.hold <= 0 or a.hold > 120:
        p.error("-n 1..20000 and --hold 0..120")
    return a


def sources(spec):
    if not spec:
        return [None]
    lo, hi = spec.split("-")
    lo, hi = int(ipaddress.IPv4Address(lo)), int(ipaddress.IPv4Address(hi))
    if hi < lo or hi - lo > 1000:
        raise SystemExit("holdconns.py: bad --sources")
    return [str(ipaddress.IPv4Address(i)) for i in range(lo, hi + 1)]


class Conn:
    def __init__(self, sock, born):
        self.sock = sock
        self.born = born
        self.next_send = born


def main():
    a = parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = a.n + 64
    if soft < want and (hard == resource.RLIM_INFINITY or hard >= want):
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    srcs = sources(a.sources)
    if a.tcp:
        host, port = a.tcp.rsplit(":", 1)
        target = (host, int(port))
    sel = selectors.DefaultSelector()
    conns = {}
    st = {"opened": 0, "refused": 0, "closed": 0, "max_life": 0.0}
    seq = [0]
    # The connects get at most 10 s; the hold counts from their end.
    deadline = time.monotonic() + 10

    def first_bytes():
        if a.mode == "slowloris":
            return b"GET /health HTTP/1.1\r\nHost: lasterid\r\n"
        if a.mode == "slowbody":
            return (b"POST /health HTTP/1.1\r\nHost: lasterid\r\n"
                    b"Content-Length: 100000\r\n\r\n")
        return b""

    def open_one():
        i = seq[0]
        seq[0] += 1
        try:
            if a.unix:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.settimeout(1.0)
                s.connect(a.unix)
            else:
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                src = srcs[i % len(srcs)]
                if src is not None:
                    s.bind((src, 0))
                s.settimeout(1.0)
                s.connect(target)
            b = first_bytes()
            if b:
                s.sendall(b)
            s.setblocking(False)
        except OSError:
            st["refused"] += 1
            try:
                s.close()
            except Exception:
                pass
            return
        now = time.monotonic()
        c = Conn(s, now)
        c.next_send = now + a.interval
        conns[s.fileno()] = c
        sel.register(s, selectors.EVENT_READ, c)
        st["opened"] += 1

    def gone(c, now):
        sel.unregister(c.sock)
        del conns[c.sock.fileno()]
        c.sock.close()
        st["closed"] += 1
        st["max_life"] = max(st["max_life"], now - c.born)

    for _ in range(a.n):
        if time.monotonic() >= deadline:
            break
        open_one()
    deadline = time.monotonic() + a.hold
    if a.ready:
        open(a.ready, "w").close()
    owed = 0.0
    last = time.monotonic()
    while True:
        now = time.monotonic()
        if now >= deadline:
            break
        for key, _ in sel.select(timeout=min(0.05, deadline - now)):
            c = key.data
            try:
                if c.sock.recv(65536) == b"":
                    gone(c, time.monotonic())
            except BlockingIOError:
                pass
            except OSError:
                gone(c, time.monotonic())
        now = time.monotonic()
        if a.mode != "plain":
            for c in list(conns.values()):
                if now < c.next_send:
                    continue
                c.next_send = now + a.interval
                try:
                    c.sock.send(b"X-Slow: 1\r\n" if a.mode == "slowloris"
                                else b"x")
                except BlockingIOError:
                    pass
                except OSError:
                    gone(c, now)
        if a.reopen:
            owed = min(owed + (now - last) * a.rate, float(a.n))
            while len(conns) < a.n and owed >= 1 and \
                    time.monotonic() < deadline:
                owed -= 1
                open_one()
        last = now
    print("opened=%d refused=%d closed=%d open=%d max_life=%.1f" % (
        st["opened"], st["refused"], st["closed"], len(conns),
        st["max_life"]))
    sys.stdout.flush()
    for c in list(conns.values()):
        c.sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
