"""Real transport failures from requests (and httpx), made against 127.0.0.1, for replaying through
`responses` (and respx, for adapters whose SDK talks httpx).

An adapter decides "nothing was sent" versus "the request may have arrived" from the exception its HTTP
library raises, so the tests should feed it exactly what that library raises - not hand-built look-alikes:

- "refused": nobody listens on the port (ConnectionError wrapping NewConnectionError);
- "connect-timeout": the listener's accept queue is full, so the handshake never completes;
- "aborted": the server reads the whole request and closes without answering;
- "read-timeout": the server reads the whole request and never answers.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

import httpx
import requests


def _capture(call: Callable[[], object]) -> Exception:
    try:
        call()
    except (requests.RequestException, httpx.TransportError) as exc:
        return exc
    raise AssertionError("the request was expected to fail")


class _Listener:
    """Accepts one connection, reads the request, then closes ("close") or keeps silent ("hang")."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.sock.settimeout(5)
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/"

    def _serve(self) -> None:
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(2)
            data = b""
            while b"\r\n\r\n" not in data or not data.endswith(b"body"):
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
            if self.mode == "hang":
                self.done.wait(5)

    def __enter__(self) -> _Listener:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join(5)
        self.sock.close()


# get(url, connect_timeout, read_timeout) and post(url, body, connect_timeout, read_timeout) of one library
Get = Callable[[str, float, float], object]
Post = Callable[[str, bytes, float, float], object]


def _make_failures(get: Get, post: Post) -> dict[str, Exception]:
    failures: dict[str, Exception] = {}
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    failures["refused"] = _capture(lambda: get(f"http://127.0.0.1:{port}/", 1, 1))

    full = socket.socket()
    full.bind(("127.0.0.1", 0))
    full.listen(0)
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        try:
            filler.connect(full.getsockname())
        except BlockingIOError:
            pass
        fillers.append(filler)
    try:
        address = f"http://127.0.0.1:{full.getsockname()[1]}/"
        failures["connect-timeout"] = _capture(lambda: get(address, 0.3, 0.3))
    finally:
        for filler in fillers:
            filler.close()
        full.close()

    with _Listener("close") as listener:
        failures["aborted"] = _capture(lambda: post(listener.url, b"body", 2, 2))
    with _Listener("hang") as listener:
        failures["read-timeout"] = _capture(lambda: post(listener.url, b"body", 1, 0.2))
    return failures


def capture_wire_failures() -> dict[str, requests.RequestException]:
    session = requests.Session()
    session.trust_env = False
    try:
        failures = _make_failures(
            lambda url, connect, read: session.get(url, timeout=(connect, read)),
            lambda url, body, connect, read: session.post(url, data=body, timeout=(connect, read)),
        )
    finally:
        session.close()
    assert isinstance(failures["connect-timeout"], requests.ConnectTimeout), failures["connect-timeout"]
    assert isinstance(failures["read-timeout"], requests.ReadTimeout), failures["read-timeout"]
    assert type(failures["refused"]) is requests.ConnectionError
    assert type(failures["aborted"]) is requests.ConnectionError
    return failures  # type: ignore[return-value]


def capture_httpx_wire_failures() -> dict[str, httpx.TransportError]:
    """The same four failures as `capture_wire_failures`, as httpx raises them."""
    with httpx.Client(trust_env=False) as client:
        failures = _make_failures(
            lambda url, connect, read: client.get(url, timeout=httpx.Timeout(read, connect=connect)),
            lambda url, body, connect, read: client.post(url, content=body, timeout=httpx.Timeout(read, connect=connect)),
        )
    assert type(failures["refused"]) is httpx.ConnectError, failures["refused"]
    assert type(failures["connect-timeout"]) is httpx.ConnectTimeout, failures["connect-timeout"]
    assert type(failures["aborted"]) is httpx.RemoteProtocolError, failures["aborted"]
    assert type(failures["read-timeout"]) is httpx.ReadTimeout, failures["read-timeout"]
    return failures  # type: ignore[return-value]
