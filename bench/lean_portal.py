"""A lean stand-in for the state portal, for benchmarks: one asyncio process, HTTP/1.1 keep-alive.

    python bench/lean_portal.py --secret whsec_... [--latency 0.02]

prints "port <n>" on its first line of output, then serves on 127.0.0.1:<n> until SIGTERM/SIGINT.

It answers like the portal (tests/support/portal_receiver.py) where a sender can tell: a POST with a
new webhook-id is stored and answered 200 {"id", "url"}; a webhook-id seen before is answered 409 with
the original {"id", "url"}; a POST without the webhook headers gets 400. It checks each signature
(HMAC-SHA256, a few microseconds) and counts the bad ones, but does not refuse them, so that a
benchmark still measures the worker. `--latency` holds every reply back that long (asyncio.sleep, so
many requests wait at once, as on a real portal). No thread per connection, no header objects: it
runs in its own process so it never shares the worker's GIL, and it costs the machine little.

For the benchmark, GET /_bench/count answers {"accepted", "requests", "duplicates", "bad_signatures"}
and GET /_bench/arrivals adds "arrivals": {webhook-id: unix time the request was fully read (first
arrival only)}.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import signal
import sys
import time


def signing_key(secret: str) -> bytes:
    if secret.startswith("whsec_"):
        return base64.b64decode(secret[len("whsec_"):])
    return secret.encode("utf-8")


class LeanPortal:
    def __init__(self, secret: str, latency: float) -> None:
        self.key = signing_key(secret)
        self.latency = latency
        self.port = 0
        self.accepted: dict[str, bytes] = {}  # webhook-id -> the reply body stored for it
        self.arrivals: dict[str, float] = {}
        self.requests = 0
        self.duplicates = 0
        self.bad_signatures = 0

    def _signature_ok(self, headers: dict[bytes, bytes], body: bytes) -> bool:
        signed = headers.get(b"webhook-id", b"") + b"." + headers.get(b"webhook-timestamp", b"") + b"." + body
        expected = base64.b64encode(hmac.new(self.key, signed, hashlib.sha256).digest())
        return any(entry == b"v1," + expected for entry in headers.get(b"webhook-signature", b"").split())

    def stats(self, with_arrivals: bool) -> dict:
        out = {"accepted": len(self.accepted), "requests": self.requests, "duplicates": self.duplicates,
               "bad_signatures": self.bad_signatures}
        if with_arrivals:
            out["arrivals"] = self.arrivals
        return out

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                lines = head.split(b"\r\n")
                method, _, rest = lines[0].partition(b" ")
                path = rest.partition(b" ")[0]
                headers: dict[bytes, bytes] = {}
                for line in lines[1:]:
                    name, sep, value = line.partition(b":")
                    if sep:
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get(b"content-length", b"0") or 0)
                body = await reader.readexactly(length) if length else b""
                arrived = time.time()
                keep_alive = headers.get(b"connection", b"").lower() != b"close"
                status, reply = await self.respond(method, path, headers, body, arrived)
                writer.write(b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%s\r\n"
                             % (status, _REASONS.get(status, b"OK"), len(reply),
                                b"" if keep_alive else b"Connection: close\r\n") + reply)
                await writer.drain()
                if not keep_alive:
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        except asyncio.CancelledError:  # shutting down with the connection still open
            return
        finally:
            writer.close()

    async def respond(self, method: bytes, path: bytes, headers: dict[bytes, bytes], body: bytes,
                      arrived: float) -> tuple[int, bytes]:
        if method == b"GET":
            if path.startswith(b"/_bench/"):
                return 200, json.dumps(self.stats(path == b"/_bench/arrivals")).encode()
            return 200, b'{"status":"ok"}'
        self.requests += 1
        msg_id = headers.get(b"webhook-id")
        if not msg_id or not headers.get(b"webhook-timestamp") or not headers.get(b"webhook-signature"):
            return 400, b'{"error":"missing webhook headers"}'
        if not self._signature_ok(headers, body):
            self.bad_signatures += 1
        key = msg_id.decode("ascii", "replace")
        original = self.accepted.get(key)
        if original is None:
            number = len(self.accepted) + 1
            reply = b'{"id":"portal-%d","url":"http://127.0.0.1:%d/vesti/%d"}' % (number, self.port, number)
            self.accepted[key] = reply
            self.arrivals[key] = arrived
            status = 200
        else:
            self.duplicates += 1
            reply, status = original, 409
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        return status, reply


_REASONS = {200: b"OK", 400: b"Bad Request", 409: b"Conflict"}


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--secret", required=True)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each reply (default 0)")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    portal = LeanPortal(args.secret, args.latency)
    server = await asyncio.start_server(portal.handle, "127.0.0.1", args.port, backlog=1024)
    portal.port = server.sockets[0].getsockname()[1]
    print(f"port {portal.port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
