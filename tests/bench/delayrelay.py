#!/usr/bin/python3
"""delayrelay.py - a user-space TCP relay that adds a fixed delay each way,
for tests/bench/fanout (netem is not available here).

    delayrelay.py --delay-ms MS --ready FILE LISTEN:UPSTREAM [LISTEN:UPSTREAM...]

Each pair is a local port on 127.0.0.1 relayed to 127.0.0.1:UPSTREAM.
Every chunk read from one side is written to the other MS milliseconds
later, in order (a one-way latency of MS; a TLS handshake and a request
pay it on every round trip, as over a real network).  --ready FILE is
created once every port listens.  Runs until killed.
"""
import argparse
import asyncio
import time


async def pump(reader, writer, delay):
    q = asyncio.Queue()

    async def feed():
        while True:
            data = await reader.read(65536)
            await q.put((time.monotonic() + delay, data))
            if not data:
                return

    async def drain():
        while True:
            due, data = await q.get()
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if not data:
                try:
                    writer.write_eof()
                except OSError:
                    pass
                return
            writer.write(data)
            await writer.drain()

    try:
        await asyncio.gather(feed(), drain())
    except (ConnectionError, OSError):
        pass
    finally:
        try:
            writer.close()
        except OSError:
            pass


def handler(upstream, delay):
    async def handle(cr, cw):
        try:
            ur, uw = await asyncio.open_connection("127.0.0.1", upstream)
        except OSError:
            cw.close()
            return
        await asyncio.gather(pump(cr, uw, delay), pump(ur, cw, delay))
    return handle


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--delay-ms", type=float, default=10.0)
    p.add_argument("--ready")
    p.add_argument("pairs", nargs="+")
    a = p.parse_args()
    servers = []
    for pair in a.pairs:
        listen, up = pair.split(":")
        servers.append(await asyncio.start_server(
            handler(int(up), a.delay_ms / 1000.0), "127.0.0.1", int(listen),
            reuse_address=True))
    if a.ready:
        open(a.ready, "w").close()
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    asyncio.run(main())
