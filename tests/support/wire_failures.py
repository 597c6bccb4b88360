"""Real transport failures from requests, made against 127.0.0.1, for replaying through `responses`.

An adapter decides "nothing was sent" versus "the request may have arrived" from the exception requests
raises, so the tests should feed it exactly what requests raises - not hand-built look-alikes:

- "refused": nobody listens on the port (ConnectionError wrapping NewConnectionError);
- "connect-timeout": the listener's accept queue is full, so the handshake never completes;
- "aborted": the server reads the whole request and closes without answering;
- "read-timeout": the server reads the whole request and never answers.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

import requests


def _capture(call: Callable[[], object]) -> requests.RequestException:
    try:
        call()
    except requests.RequestException as exc:
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


def capture_wire_failures() -> dict[str, requests.RequestException]:
    session = requests.Session()
    session.trust_env = False
    failures: dict[str, requests.RequestException] = {}
    try:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        failures["refused"] = _capture(lambda: session.get(f"http://127.0.0.1:{port}/", timeout=1))

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
            failures["connect-timeout"] = _capture(lambda: session.get(address, timeout=(0.3, 0.3)))
        finally:
            for filler in fillers:
                filler.close()
            full.close()

        with _Listener("close") as listener:
            failures["aborted"] = _capture(lambda: session.post(listener.url, data=b"body", timeout=2))
        with _Listener("hang") as listener:
            failures["read-timeout"] = _capture(lambda: session.post(listener.url, data=b"body", timeout=(1, 0.2)))
    finally:
        session.close()
    assert isinstance(failures["connect-timeout"], requests.ConnectTimeout), failures["connect-timeout"]
    assert isinstance(failures["read-timeout"], requests.ReadTimeout), failures["read-timeout"]
    assert type(failures["refused"]) is requests.ConnectionError
    assert type(failures["aborted"]) is requests.ConnectionError
    return failures
