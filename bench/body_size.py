"""Memory of the web server for large request bodies: peak RSS of a real `publisher serve` process.

    .venv/bin/python bench/body_size.py                      # this checkout
    .venv/bin/python bench/body_size.py --code /work/main    # another checkout's code (before a change)
    .venv/bin/python bench/body_size.py --login-mb 400 --upload-mb 300

Scenarios, each against a fresh server process (SQLite in a temporary instance folder, only loopback):
  login  an anonymous `POST /login` of N MB (application/x-www-form-urlencoded), sent in 1 MB chunks;
  upload an authenticated `POST /api/v1/media` (multipart) of an N MB MP4-shaped file.
For each it prints the status, the server's VmHWM (peak RSS since start) before and after the request, and
the wall time. Figures are printed, never asserted. Linux only (/proc).
"""

from __future__ import annotations

import argparse
import http.client
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHUNK = 1024 * 1024


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(code: Path, env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    return subprocess.run([sys.executable, "-m", "publisher.cli", *args], cwd=code, env=env, input=stdin,
                          capture_output=True, text=True, check=True).stdout.strip()


def body_chunks(total: int, head: bytes = b"", tail: bytes = b"") -> Iterator[bytes]:
    yield head
    left = total
    block = b"a" * CHUNK
    while left > 0:
        yield block[:min(CHUNK, left)]
        left -= CHUNK
    yield tail


def send(port: int, path: str, headers: dict[str, str], chunks: Iterator[bytes]) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        connection.putrequest("POST", path)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        try:
            for chunk in chunks:
                connection.send(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered early and closed
        response = connection.getresponse()
        return response.status, response.read(300).decode(errors="replace")
    finally:
        connection.close()


def scenario(code: Path, name: str, megabytes: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="bench-body-") as instance:
        env = {**os.environ, "PUBLISHER_INSTANCE_DIR": instance, "PYTHONPATH": str(code)}
        cli(code, env, "init")
        cli(code, env, "user", "add", "ana", "--role", "officer", "--password-stdin", stdin="x" * 20 + "\n")
        token = cli(code, env, "token", "create", "ana")
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "publisher.cli", "serve", "--port", str(port)], cwd=code,
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            server.stdout.readline()  # "publisher is serving on ..."
            ready = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            ready.request("GET", "/login")
            ready.getresponse().read()
            ready.close()
            before = peak_rss_mb(server.pid)
            size = megabytes * CHUNK
            started = time.monotonic()
            if name == "login":
                status, said = send(port, "/login", {"Content-Type": "application/x-www-form-urlencoded",
                                                     "Content-Length": str(size + len("name=ana&password="))},
                                    body_chunks(size, b"name=ana&password="))
            else:
                boundary = uuid.uuid4().hex
                mp4 = b"\0\0\0\x18ftypisom\0\0\0\0isommp41"
                head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.mp4\"\r\n"
                        "Content-Type: video/mp4\r\n\r\n").encode() + mp4
                tail = f"\r\n--{boundary}--\r\n".encode()
                status, said = send(port, "/api/v1/media", {
                    "Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={boundary}",
                    "Content-Length": str(len(head) + size + len(tail))}, body_chunks(size, head, tail))
            seconds = time.monotonic() - started
            return {"scenario": name, "mb": megabytes, "status": status, "rss_before_mb": before,
                    "peak_rss_mb": peak_rss_mb(server.pid), "seconds": seconds, "answer": said[:120]}
        finally:
            server.terminate()
            server.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--code", type=Path, default=REPO, help="the checkout whose server runs (default: this)")
    parser.add_argument("--login-mb", type=int, default=400)
    parser.add_argument("--upload-mb", type=int, default=300)
    args = parser.parse_args()
    print(f"code: {args.code.resolve()}")
    print(f"{'scenario':<8} {'MB':>5} {'status':>6} {'VmHWM before':>13} {'VmHWM after':>12} {'seconds':>8}")
    for name, mb in (("login", args.login_mb), ("upload", args.upload_mb)):
        r = scenario(args.code.resolve(), name, mb)
        print(f"{r['scenario']:<8} {r['mb']:>5} {r['status']:>6} {r['rss_before_mb']:>10.1f} MB "
              f"{r['peak_rss_mb']:>9.1f} MB {r['seconds']:>8.1f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
