"""A stand-in for the state portal on 127.0.0.1, speaking the Standard Webhooks protocol.

    with PortalReceiver("whsec_...") as portal:
        portal.script(["500", "200"])          # the next two requests fail, then succeed
        adapter = StatePortal({"url": portal.url}, {"secret": "whsec_..."})
        ...
        portal.requests                         # every request, as ReceivedRequest
        portal.accepted                         # webhook-id -> {"id", "url"} the portal stored

Like the real portal it checks each POST's signature (401 when wrong or when the timestamp is more
than `tolerance` seconds off), stores each webhook-id once and answers a repeat with 409 and the
original {"id", "url"}. Written independently of `channels.state_portal`, so that a mistake in the
adapter's signing shows up here instead of being mirrored.

Behaviours, one per request in arrival order (POST or GET alike); "200" once the script runs out:

    "200"               store the post, reply {"id": "portal-<n>", "url": "http://127.0.0.1:<port>/vesti/<n>"}
    "200-empty"         store the post, reply 200 with an empty body
    "409"               reply 409 without looking (the original {"id","url"} when the id is known)
    "429"               reply 429 with Retry-After: 7
    "500", "503"        reply that server error; nothing is stored
    "401"               reply 401 as if the signature were wrong
    "422"               reply 422 with a JSON error body
    "hang"              store the post, then wait `hang_seconds` (at most 10 s, cut short when the
                        receiver stops) before replying: the answer a timed-out client never sees
    "drop-before-body"  close the connection before reading the body; nothing is stored
    "drop-after-body"   read and store the post, then close the connection without replying

A GET (health check) that is not scripted otherwise answers 200 {"status": "ok"}.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BEHAVIOURS = frozenset(
    {"200", "200-empty", "409", "429", "500", "503", "401", "422", "hang", "drop-before-body", "drop-after-body"}
)
MAX_HANG_SECONDS = 10.0
WEBHOOK_PATH = "/webhooks/posts"

# Scripted refusals, sent without looking at the request: (status, extra headers, body).
_REFUSALS: dict[str, tuple[int, dict[str, str], bytes]] = {
    "429": (429, {"Retry-After": "7", "Content-Type": "application/json"}, b'{"error":"too many requests"}'),
    "500": (500, {"Content-Type": "text/plain"}, b"Internal Server Error"),
    "503": (503, {"Content-Type": "text/plain"}, b"portal under maintenance"),
    "401": (401, {"Content-Type": "application/json"}, b'{"error":"invalid signature"}'),
    "422": (
        422,
        {"Content-Type": "application/json"},
        b'{"error":"unprocessable","detail":"title must not be empty"}',
    ),
}


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes | None  # None when the receiver hung up before reading it
    json: Any  # the parsed body, None when absent or not JSON
    signature_valid: bool
    behaviour: str


def signing_key(secret: str) -> bytes:
    """Standard Webhooks: "whsec_" + base64 of the key; anything else is taken as UTF-8 text."""
    if secret.startswith("whsec_"):
        return base64.b64decode(secret[len("whsec_"):])
    return secret.encode("utf-8")


def signature_matches(key: bytes, headers: dict[str, str], body: bytes) -> bool:
    msg_id = headers.get("webhook-id", "")
    timestamp = headers.get("webhook-timestamp", "")
    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    # The header may list several space-separated "v1,<sig>" entries (during key rotation).
    for entry in headers.get("webhook-signature", "").split():
        version, _, signature = entry.partition(",")
        if version == "v1" and hmac.compare_digest(signature, expected):
            return True
    return False


class PortalReceiver:
    def __init__(
        self,
        secret: str,
        *,
        hang_seconds: float = 3.0,
        tolerance: float = 300.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.key = signing_key(secret)
        self.hang_seconds = min(hang_seconds, MAX_HANG_SECONDS)
        self.tolerance = tolerance
        self.clock = clock
        self._lock = threading.Lock()
        self._script: deque[str] = deque()
        self._requests: list[ReceivedRequest] = []
        self._accepted: dict[str, dict[str, str]] = {}
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None

    # --- lifecycle ---

    def __enter__(self) -> PortalReceiver:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        self._stopping.clear()
        server = _Server(("127.0.0.1", 0), _Handler)
        server.receiver = self
        self._server = server
        self._port = server.server_address[1]  # kept after stop, so references stay printable
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()  # releases any "hang" before the server waits for its loop to end
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    # --- what tests use ---

    @property
    def port(self) -> int:
        assert self._port is not None, "start the receiver first"
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return self.base_url + WEBHOOK_PATH

    @property
    def health_url(self) -> str:
        return self.base_url + "/health"

    def script(self, behaviours: Iterable[str]) -> None:
        """Replace what the next requests do, one behaviour each; "200" after the last."""
        behaviours = list(behaviours)
        unknown = sorted(set(behaviours) - BEHAVIOURS)
        if unknown:
            raise ValueError(f"unknown behaviour(s): {unknown}; known: {sorted(BEHAVIOURS)}")
        with self._lock:
            self._script = deque(behaviours)

    @property
    def requests(self) -> list[ReceivedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def accepted(self) -> dict[str, dict[str, str]]:
        with self._lock:
            return {k: dict(v) for k, v in self._accepted.items()}

    # --- used by the handler ---

    def _next_behaviour(self) -> str:
        with self._lock:
            return self._script.popleft() if self._script else "200"

    def _record(self, request: ReceivedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _store(self, msg_id: str) -> tuple[int, dict[str, str]]:
        """(200, new reference) the first time an id arrives, (409, the original one) after that."""
        with self._lock:
            if msg_id in self._accepted:
                return 409, dict(self._accepted[msg_id])
            number = len(self._accepted) + 1
            reference = {"id": f"portal-{number}", "url": f"{self.base_url}/vesti/{number}"}
            self._accepted[msg_id] = reference
            return 200, dict(reference)

    def _known(self, msg_id: str) -> dict[str, str] | None:
        with self._lock:
            found = self._accepted.get(msg_id)
            return dict(found) if found else None

    def _fresh(self, timestamp: str) -> bool:
        try:
            return abs(self.clock() - int(timestamp)) <= self.tolerance
        except ValueError:
            return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a handler still hanging must not keep the test process alive
    receiver: PortalReceiver


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "PortalReceiver/1"

    @property
    def receiver(self) -> PortalReceiver:
        return self.server.receiver

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output quiet

    def do_GET(self) -> None:
        behaviour = self.receiver._next_behaviour()
        headers = self._headers()
        body = b""
        self.receiver._record(self._received(headers, body, behaviour))
        if behaviour.startswith("drop-"):
            return self._drop()
        if behaviour in _REFUSALS or behaviour == "409":
            return self._refuse(behaviour, headers)
        if behaviour == "hang":
            self._hang()
        self._reply(200, {"status": "ok"})

    def do_POST(self) -> None:
        behaviour = self.receiver._next_behaviour()
        headers = self._headers()
        if behaviour == "drop-before-body":
            self.receiver._record(self._received(headers, None, behaviour))
            return self._drop()
        body = self.rfile.read(int(headers.get("content-length") or 0))
        self.receiver._record(self._received(headers, body, behaviour))
        if behaviour in _REFUSALS or behaviour == "409":
            return self._refuse(behaviour, headers)

        refusal = self._authenticate(headers, body)
        if refusal:
            return self._reply(*refusal)
        status, reference = self.receiver._store(headers["webhook-id"])
        if behaviour == "drop-after-body":
            return self._drop()  # stored, but the sender never hears so
        if behaviour == "hang":
            self._hang()
        if behaviour == "200-empty" and status == 200:
            return self._reply(200, None)
        self._reply(status, reference)

    # --- pieces ---

    def _headers(self) -> dict[str, str]:
        return {name.lower(): value for name, value in self.headers.items()}

    def _received(self, headers: dict[str, str], body: bytes | None, behaviour: str) -> ReceivedRequest:
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        return ReceivedRequest(
            method=self.command,
            path=self.path,
            headers=headers,
            body=body,
            json=parsed,
            signature_valid=signature_matches(self.receiver.key, headers, body or b""),
            behaviour=behaviour,
        )

    def _authenticate(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str]] | None:
        if not all(headers.get(h) for h in ("webhook-id", "webhook-timestamp", "webhook-signature")):
            return 400, {"error": "missing webhook headers"}
        if not self.receiver._fresh(headers["webhook-timestamp"]):
            return 401, {"error": "timestamp too far from the portal's clock"}
        if not signature_matches(self.receiver.key, headers, body):
            return 401, {"error": "invalid signature"}
        return None

    def _refuse(self, behaviour: str, headers: dict[str, str]) -> None:
        if behaviour == "409":
            original = self.receiver._known(headers.get("webhook-id", ""))
            return self._reply(409, original or {"error": "duplicate webhook-id"})
        status, extra, body = _REFUSALS[behaviour]
        self._send(status, extra, body)

    def _hang(self) -> None:
        self.receiver._stopping.wait(self.receiver.hang_seconds)

    def _drop(self) -> None:
        # Hang up without a status line; the client sees a reset or an early end of stream.
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _reply(self, status: int, payload: dict[str, str] | None) -> None:
        body = b"" if payload is None else json.dumps(payload).encode()
        self._send(status, {"Content-Type": "application/json"} if body else {}, body)

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up first (a timed-out "hang"); nobody is left to tell


__all__ = ["BEHAVIOURS", "PortalReceiver", "ReceivedRequest", "signature_matches", "signing_key"]
