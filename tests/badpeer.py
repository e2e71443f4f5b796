#!/usr/bin/python3
"""badpeer.py - a region member that misbehaves, for the fan-out tests
(tests/test_fanout.sh).  It stands where a real member's endpoint is (the
trust list's port for that member) and answers POST /v1/query in one way:

    badpeer.py --port PORT --mode MODE [--cert CRT --key KEY --ca CA]
        [--upstream URL --client-cert CRT --client-key KEY] [--ready FILE]

  silent     accepts TCP connections and never sends a byte (no TLS either)
  badsig     relays the query to --upstream (the real node, with the
             asker's client certificate) and flips one character of the
             SignatureValue in the answer
  other      relays the first query to --upstream, which is ANOTHER
             member's node, and keeps its genuine signed Response; every
             later query gets that one with 200 (the wrong signer; the
             other member is not asked again, so the test's own query to
             it is not raced)
  replay     relays the first query to --upstream and keeps its answer;
             every later query gets that same old, genuine Response
  tls        --cert is a certificate the trust list does not hold; answers
             "200 OK" with an empty body to whoever gets through

The TLS modes present --cert/--key and require a client certificate from
--ca.  --ready FILE is created once listening.  Runs until killed; every
connection is served on its own thread, keep-alive included.
"""
import argparse
import http.client
import re
import socket
import ssl
import threading
import urllib.parse


def read_request(f):
    line = f.readline(8192)
    if not line:
        return None
    headers = {}
    while True:
        h = f.readline(8192)
        if h in (b"\r\n", b"\n", b""):
            break
        k, _, v = h.decode("latin-1").partition(":")
        headers[k.strip().lower()] = v.strip()
    n = int(headers.get("content-length", "0"))
    body = f.read(n) if n > 0 else b""
    return line, headers, body


def relay(args, ctype, body):
    u = urllib.parse.urlsplit(args.upstream)
    ctx = ssl.create_default_context(cafile=args.ca)
    ctx.check_hostname = False
    ctx.load_cert_chain(args.client_cert, args.client_key)
    c = http.client.HTTPSConnection(u.hostname, u.port, context=ctx,
                                    timeout=10)
    c.request("POST", "/v1/query", body=body,
              headers={"Content-Type": ctype or "application/xml"})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data


def flip(data):
    m = re.search(rb"<(?:\w+:)?SignatureValue[^>]*>\s*(.)", data)
    if not m:
        return data
    i = m.start(1)
    c = data[i:i + 1]
    return data[:i] + (b"B" if c != b"B" else b"C") + data[i + 1:]


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.kept = None


def answer(args, state, headers, body):
    if args.mode == "tls":
        return 200, b""
    if args.mode in ("replay", "other"):
        with state.lock:
            if state.kept is not None:
                return state.kept
        got = relay(args, headers.get("content-type"), body)
        if args.mode == "other":
            # Whatever the other member said (it may have refused the
            # query as replayed, having been asked directly too), its
            # signed Response is passed on as a 200 answer.
            got = (200, got[1])
        with state.lock:
            if state.kept is None:
                state.kept = got
        return state.kept
    status, data = relay(args, headers.get("content-type"), body)
    if args.mode == "badsig":
        data = flip(data)
    return status, data


def serve(args, state, conn):
    try:
        f = conn.makefile("rwb")
        while True:
            req = read_request(f)
            if req is None:
                break
            _, headers, body = req
            try:
                status, data = answer(args, state, headers, body)
            except Exception as ex:  # the upstream failed: say so
                status, data = 502, str(ex).encode()
            f.write(b"HTTP/1.1 %d X\r\nContent-Type: application/xml\r\n"
                    b"Content-Length: %d\r\n\r\n" % (status, len(data)))
            f.write(data)
            f.flush()
    except (OSError, ssl.SSLError):
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def hold(conn, stop):
    stop.wait()
    conn.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--mode", required=True,
                   choices=["silent", "badsig", "other", "replay", "tls"])
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--ca")
    p.add_argument("--upstream")
    p.add_argument("--client-cert")
    p.add_argument("--client-key")
    p.add_argument("--ready")
    args = p.parse_args()
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", args.port))
    ls.listen(64)
    ctx = None
    if args.mode != "silent":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        ctx.load_verify_locations(args.ca)
        ctx.verify_mode = ssl.CERT_REQUIRED
    if args.ready:
        open(args.ready, "w").close()
    state = State()
    stop = threading.Event()
    while True:
        conn, _ = ls.accept()
        if ctx is None:
            threading.Thread(target=hold, args=(conn, stop),
                             daemon=True).start()
            continue

        def handshake(c=conn):
            try:
                c.settimeout(10)
                s = ctx.wrap_socket(c, server_side=True)
                s.settimeout(30)
            except (OSError, ssl.SSLError):
                c.close()
                return
            serve(args, state, s)
        threading.Thread(target=handshake, daemon=True).start()


if __name__ == "__main__":
    main()
