#!/usr/bin/python3
"""tests/bench/web_client.py - the load client of tests/bench/web.

Signs in to one node's web pages (GET /login, POST /login), then asks the
same questions as pages over keep-alive HTTP and through the node's admin
socket (HTTP over a Unix socket), interleaved: in each round, for each
question, a batch through the admin socket (the baseline), then the same
number of requests for the page.  Every answer is checked (status 200; a
page holds id="results" and/or id="regions" with every region answered, the
admin answer the regions' "ok" status rows), so a broken page cannot look
fast.  Prints requests/s, p50 and p99 latency, the node's CPU per request
and the ratios page/baseline.  Standard library only.

Exit status: 0 measured, 1 something failed, 2 usage.
"""

import argparse
import http.client
import os
import re
import socket
import statistics
import sys
import threading
import time
import urllib.parse


class Fail(Exception):
    pass


class UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP/1.1 over a Unix socket (the admin socket)."""

    def __init__(self, path, timeout=30):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path
        self.connects = 0

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        s.connect(self.unix_path)
        self.sock = s
        self.connects += 1


class TCPConnection(http.client.HTTPConnection):
    """Keep-alive HTTP over TCP, counting (re)connections."""

    def __init__(self, host, port, timeout=30):
        super().__init__(host, port, timeout=timeout)
        self.connects = 0

    def connect(self):
        super().connect()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.connects += 1


def request(conn, path, headers):
    """One GET; returns (status, body, seconds).  Reconnects once when
    the server closed a kept-alive connection before this request."""
    for attempt in (0, 1):
        t0 = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            r = conn.getresponse()
            body = r.read()
        except (http.client.RemoteDisconnected, BrokenPipeError,
                ConnectionResetError):
            conn.close()
            if attempt:
                raise
            continue
        t = time.perf_counter() - t0
        if r.will_close:
            conn.close()
        return r.status, body, t
    raise Fail("unreachable")


# --- checks -------------------------------------------------------------------

ADMIN_OK = re.compile(rb"^\S+\s+(\d\d)\s+ok\s+\d+", re.M)
ADMIN_ROW = re.compile(rb"^\s*\d+\s+(\S+-\d\d-\d+)\s", re.M)
PAGE_ROW = re.compile(rb'data-unit-id="([^"]+)"')
ALL_ANSWERED = b'<section id="regions" class="status" '


def check_admin(status, body, want_ok):
    if status != 200:
        raise Fail("admin answer %d: %r" % (status, body[:300]))
    n = len(ADMIN_OK.findall(body))
    if n != want_ok:
        raise Fail("admin answer has %d ok status rows, wanted %d: %r" %
                   (n, want_ok, body[-600:]))


def check_page(status, body, marks):
    if status != 200:
        raise Fail("page answer %d: %r" % (status, body[:300]))
    for m in marks:
        if m not in body:
            raise Fail("page lacks %r: %r" % (m, body[:600]))


# --- measuring ----------------------------------------------------------------

def ticks(pids):
    t = 0
    for p in pids:
        with open("/proc/%d/stat" % p) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        t += int(fields[11]) + int(fields[12])	# utime, stime
    return t


class Side:
    """One way of asking: the page or the admin socket."""

    def __init__(self, name, make_conn, path, headers, check):
        self.name = name
        self.make_conn = make_conn
        self.path = path
        self.headers = headers
        self.check = check
        self.lat = {}		# concurrency -> [seconds]
        self.wall = {}		# concurrency -> seconds
        self.node = {}		# concurrency -> ticks of the asking node
        self.nodes = {}		# concurrency -> ticks of every node
        self.client = {}	# concurrency -> client CPU seconds
        self.p50s = {}		# concurrency -> [per-round p50]
        self.conns = {}		# concurrency -> [connections]
        self.connects = 0

    def conn_pool(self, c):
        if c not in self.conns:
            self.conns[c] = [self.make_conn() for _ in range(c)]
        return self.conns[c]

    def batch(self, n, c, asker, pids):
        """n requests over c connections in parallel."""
        conns = self.conn_pool(c)
        per = [n // c + (1 if i < n % c else 0) for i in range(c)]
        lat = [[] for _ in range(c)]
        errors = []

        def run(i):
            try:
                for _ in range(per[i]):
                    st, body, t = request(conns[i], self.path, self.headers)
                    self.check(st, body)
                    lat[i].append(t)
            except Exception as ex:  # noqa: BLE001 - reported below
                errors.append("%s: %s" % (self.name, ex))

        a0, n0, c0, w0 = ticks([asker]), ticks(pids), os.times(), \
            time.perf_counter()
        if c == 1:
            run(0)
        else:
            th = [threading.Thread(target=run, args=(i,)) for i in range(c)]
            for t in th:
                t.start()
            for t in th:
                t.join()
        w1, c1, n1, a1 = time.perf_counter(), os.times(), ticks(pids), \
            ticks([asker])
        if errors:
            raise Fail(errors[0])
        flat = [x for part in lat for x in part]
        self.lat.setdefault(c, []).extend(flat)
        self.wall[c] = self.wall.get(c, 0) + (w1 - w0)
        self.node[c] = self.node.get(c, 0) + (a1 - a0)
        self.nodes[c] = self.nodes.get(c, 0) + (n1 - n0)
        self.client[c] = self.client.get(c, 0) + \
            (c1.user - c0.user) + (c1.system - c0.system)
        self.p50s.setdefault(c, []).append(statistics.median(flat))


def pct(values, p):
    v = sorted(values)
    return v[max(0, (len(v) * p + 99) // 100 - 1)]


def sign_in(host, port, user, password, lang):
    conn = TCPConnection(host, port)
    conn.request("GET", "/login", headers={"Accept-Language": lang})
    r = conn.getresponse()
    body = r.read()
    if r.status != 200:
        raise Fail("GET /login: %d" % r.status)
    pre = None
    for k, v in r.getheaders():
        if k.lower() == "set-cookie" and v.startswith("lasteri_pre="):
            pre = v.split(";", 1)[0]
    m = re.search(rb'name="csrf" value="([0-9a-f]+)"', body)
    if pre is None or m is None:
        raise Fail("GET /login: no lasteri_pre cookie or csrf field")
    form = urllib.parse.urlencode({"csrf": m.group(1).decode(),
                                   "username": user, "password": password,
                                   "next": "/"})
    conn.request("POST", "/login", body=form, headers={
        "Cookie": pre, "Accept-Language": lang,
        "Content-Type": "application/x-www-form-urlencoded"})
    r = conn.getresponse()
    r.read()
    sess = None
    for k, v in r.getheaders():
        if k.lower() == "set-cookie" and v.startswith("lasteri_session="):
            sess = v.split(";", 1)[0]
    conn.close()
    if r.status != 303 or sess is None:
        raise Fail("POST /login: %d, session cookie %s" %
                   (r.status, "set" if sess else "missing"))
    return sess


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True, help="web port")
    ap.add_argument("--socket", required=True, help="admin socket")
    ap.add_argument("--user", required=True)
    ap.add_argument("--password-file", required=True)
    ap.add_argument("--region", required=True, help="the node's region")
    ap.add_argument("--regions", type=int, required=True,
                    help="regions a national question reaches")
    ap.add_argument("--unit", required=True, help="a unit of this region")
    ap.add_argument("--pid", type=int, required=True, help="the node's pid")
    ap.add_argument("--pids", default="", help="every node's pid, a,b,c")
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--concurrency", default="1,4")
    ap.add_argument("--lang", default="fi", help="Accept-Language")
    ap.add_argument("--query", default="age=12&language=fi")
    try:
        a = ap.parse_args()
        conc = [int(x) for x in a.concurrency.split(",")]
    except (SystemExit, ValueError):
        return 2
    if a.requests < a.rounds or a.rounds < 1 or min(conc) < 1:
        print("web_client: --requests must be >= --rounds >= 1", file=sys.stderr)
        return 2
    pids = [int(p) for p in a.pids.split(",") if p] or [a.pid]
    with open(a.password_file) as f:
        password = f.read().rstrip("\n")
    try:
        return run(a, conc, pids, password)
    except (Fail, OSError, http.client.HTTPException) as ex:
        print("web_client: %s" % ex, file=sys.stderr)
        return 1


def run(a, conc, pids, password):
    sess = sign_in("127.0.0.1", a.port, a.user, password, a.lang)
    wh = {"Cookie": sess, "Accept-Language": a.lang}
    ah = {}
    q, reg, unit = a.query, a.region, urllib.parse.quote(a.unit)

    def web():
        return TCPConnection("127.0.0.1", a.port)

    def adm():
        return UnixHTTPConnection(a.socket)

    results = [b'id="results"', b'id="regions"', ALL_ANSWERED]
    cases = [
        ("regional search",
         Side("page", web, "/search?%s&scope=region" % q, wh,
              lambda s, b: check_page(s, b, results)),
         Side("admin", adm, "/admin/v1/national/search?%s&purchaser=%s&ask=%s"
              % (q, reg, reg), ah, lambda s, b: check_admin(s, b, 1)),
         1),
        ("national search",
         Side("page", web, "/search?%s" % q, wh,
              lambda s, b: check_page(s, b, results)),
         Side("admin", adm, "/admin/v1/national/search?%s&purchaser=%s"
              % (q, reg), ah, lambda s, b: check_admin(s, b, a.regions)),
         a.regions),
        ("unit",
         Side("page", web, "/units/%s?region=%s" % (unit, reg), wh,
              lambda s, b: check_page(s, b, [b'id="regions"', ALL_ANSWERED,
                                             b'class="facts"'])),
         Side("admin", adm, "/admin/v1/national/supervision?unit=%s" % unit,
              ah, lambda s, b: check_admin(s, b, a.regions)),
         a.regions),
    ]

    # Warm up (connections, TLS sessions between the nodes, caches), and
    # check that page and admin socket answer the same question: the same
    # units in the same order.
    for name, page, base, _ in cases:
        for c in conc:
            for side in (base, page):
                for conn in side.conn_pool(c):
                    for _ in range(3):
                        st, body, _t = request(conn, side.path, side.headers)
                        side.check(st, body)
        if "search" in name:
            st, pb, _t = request(page.conn_pool(1)[0], page.path, page.headers)
            st, ab, _t = request(base.conn_pool(1)[0], base.path, base.headers)
            pr, ar = PAGE_ROW.findall(pb), ADMIN_ROW.findall(ab)
            if not pr or pr != ar:
                raise Fail("%s: the page's units %r differ from the admin "
                           "answer's %r" % (name, pr[:5], ar[:5]))
            print("%s: %d units, the same on the page and through the admin "
                  "socket" % (name, len(pr)), file=sys.stderr)

    hz = os.sysconf("SC_CLK_TCK")
    for c in conc:
        for r in range(a.rounds):
            n = a.requests // a.rounds + (1 if r < a.requests % a.rounds else 0)
            for _name, page, base, _ in cases:
                base.batch(n, c, a.pid, pids)
                page.batch(n, c, a.pid, pids)

    connects = {}
    for _name, page, base, _ in cases:
        for side in (page, base):
            connects[side.name] = connects.get(side.name, 0) + sum(
                x.connects for cs in side.conns.values() for x in cs)
    served = {}
    for _name, page, base, _ in cases:
        for side in (page, base):
            served[side.name] = served.get(side.name, 0) + sum(
                len(v) for v in side.lat.values())

    print()
    print("Web pages against the admin socket, the same question, node %s "
          "(%d regions answer a national one); %s; %d cores" %
          (reg, a.regions, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           os.cpu_count()))
    print("%d requests per line, in %d interleaved rounds (admin, page, "
          "admin, page...); query %s; Accept-Language: %s" %
          (a.requests, a.rounds, q, a.lang))
    for c in conc:
        print()
        print("concurrency %d" % c)
        print("  %-24s %8s %8s %8s %10s %10s %10s" %
              ("", "req/s", "p50 ms", "p99 ms", "node ms", "all ms",
               "client ms"))
        for name, page, base, _ in cases:
            for label, side in (("%s page" % name, page),
                                ("  admin socket", base)):
                n = len(side.lat[c])
                print("  %-24s %8.0f %8.2f %8.2f %10.2f %10.2f %10.2f" % (
                    label, n / side.wall[c], pct(side.lat[c], 50) * 1000,
                    pct(side.lat[c], 99) * 1000,
                    side.node[c] * 1000 / hz / n,
                    side.nodes[c] * 1000 / hz / n,
                    side.client[c] * 1000 / n))
        print("  page / admin socket      p50 (median of rounds, min..max)"
              "     time per request   node CPU")
        for name, page, base, _ in cases:
            rr = [p / b for p, b in zip(page.p50s[c], base.p50s[c])]
            tpr = (page.wall[c] / len(page.lat[c])) / \
                (base.wall[c] / len(base.lat[c]))
            cpu = page.node[c] / base.node[c] if base.node[c] else \
                float("inf")
            print("  %-24s %5.2f (%.2f..%.2f)%21s %5.2f %14s" % (
                name, statistics.median(rr), min(rr), max(rr), "", tpr,
                "%.2f" % cpu))
    print()
    print("node ms: the asking node's CPU (user + system) per request; all ms: "
          "every node's; client ms: this client's.")
    print("Connections opened: pages %d for %d requests, admin socket %d for "
          "%d requests (keep-alive %s)." % (
              connects["page"], served["page"], connects["admin"],
              served["admin"],
              "held on both" if connects["page"] <= 2 * sum(conc) * 3 and
              connects["admin"] <= 2 * sum(conc) * 3 else "NOT held"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
