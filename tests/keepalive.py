#!/usr/bin/python3
"""keepalive.py - two requests on one kept-alive mutual-TLS connection, with
a pause between them that the test ends (tests/test_trustlife.sh).

    keepalive.py --port PORT --ca CA --cert CRT --key KEY --path PATH
        --then FILE [--wait SECONDS]

Sends GET PATH to https://127.0.0.1:PORT, prints "1 STATUS CODE", waits
until FILE exists (at most --wait seconds, default 30), sends GET PATH again
on the same connection and prints "2 STATUS CODE", or "2 closed" when the
server closed the connection instead.  CODE is the code attribute of an
<Error> answer, "-" otherwise.  Exit 0 unless the first request failed.
"""
import argparse
import http.client
import os
import re
import socket
import ssl
import sys
import time


def code_of(body):
    m = re.search(rb'<Error[^>]* code="([^"]*)"', body)
    return m.group(1).decode() if m else "-"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--ca", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--path", required=True)
    p.add_argument("--then", required=True)
    p.add_argument("--wait", type=float, default=30.0)
    a = p.parse_args()
    ctx = ssl.create_default_context(cafile=a.ca)
    ctx.check_hostname = False
    ctx.load_cert_chain(a.cert, a.key)
    c = http.client.HTTPSConnection("127.0.0.1", a.port, context=ctx,
                                    timeout=10)
    try:
        c.request("GET", a.path)
        r = c.getresponse()
        print("1 %d %s" % (r.status, code_of(r.read())), flush=True)
    except (OSError, http.client.HTTPException) as e:
        print("1 failed %s" % e, flush=True)
        return 1
    end = time.monotonic() + a.wait
    while not os.path.exists(a.then) and time.monotonic() < end:
        time.sleep(0.05)
    # http.client would quietly reconnect after a close: the same socket
    # must carry the second request.
    sock = c.sock
    try:
        c.request("GET", a.path)
        if c.sock is not sock:
            print("2 closed", flush=True)
            return 0
        r = c.getresponse()
        print("2 %d %s" % (r.status, code_of(r.read())), flush=True)
    except (OSError, http.client.HTTPException, socket.timeout):
        print("2 closed", flush=True)
    c.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
