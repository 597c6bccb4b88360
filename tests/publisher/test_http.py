"""The worker's HTTP session: a plain call puts the same request on the wire as requests would, and fails
with the same exceptions; anything that is not plain takes requests' own path."""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from publisher.publishing import http as worker_http
from publisher.publishing.http import WorkerHttp


class Recorder(BaseHTTPRequestHandler):
    """Records each request as received; answers 200, or a redirect for /moved, or nothing for /hang."""

    protocol_version = "HTTP/1.1"
    seen: list[tuple[str, str, dict[str, str], bytes]]
    ports: list[int]

    def _handle(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.seen.append((self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        self.ports.append(self.client_address[1])
        if self.path.endswith("/hang"):
            threading.Event().wait(2)
        reply = b'{"ok": true}'
        self.send_response(302 if self.path.endswith("/moved") else 200)
        if self.path.endswith("/moved"):
            self.send_header("Location", "/landed")
        if self.path.endswith("/last"):
            self.send_header("Connection", "close")
            self.close_connection = True
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    do_GET = do_POST = do_PUT = _handle

    def log_message(self, *args: object) -> None:
        pass


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the refused TLS handshake is the test's point, not news


@contextmanager
def serving(tls: ssl.SSLContext | None = None) -> Iterator[tuple[str, list, list]]:
    seen: list = []
    ports: list = []
    handler = type("Handler", (Recorder,), {"seen": seen, "ports": ports})
    httpd = QuietServer(("127.0.0.1", 0), handler)
    if tls is not None:
        httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{httpd.server_port}", seen, ports
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def server() -> Iterator[tuple[str, list]]:
    with serving() as (base, seen, _):
        yield base, seen


def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=1))
            .not_valid_after(now + timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture(autouse=True)
def fresh_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy",
                 "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    worker_http._environment_for.cache_clear()
    yield
    worker_http._environment_for.cache_clear()


def call(session: requests.Session, url: str, **extra: object) -> requests.Response:
    return session.post(url, data="Вест дана".encode(), headers={"Content-Type": "application/json",
                                                                  "webhook-id": "p1-c2-abc", "X-Drop": None},
                        timeout=(2, 2), allow_redirects=False, stream=True, **extra)


def test_a_plain_call_sends_what_requests_sends(server, monkeypatch):
    base, seen = server
    prepared_by = []
    full_path = requests.Session.prepare_request
    monkeypatch.setattr(requests.Session, "prepare_request",
                        lambda self, request: prepared_by.append(type(self)) or full_path(self, request))
    with requests.Session() as plain, WorkerHttp(pool_size=4) as ours:
        for session in (plain, ours):
            with call(session, f"{base}/hook?x=1") as reply:
                assert reply.status_code == 200 and reply.json() == {"ok": True}
                assert reply.headers["content-type"] == "application/json"
    (method_a, path_a, headers_a, body_a), (method_b, path_b, headers_b, body_b) = seen
    assert (method_a, path_a, body_a) == (method_b, path_b, body_b) == ("POST", "/hook?x=1", "Вест дана".encode())
    assert headers_a.pop("accept-encoding") == requests.utils.DEFAULT_ACCEPT_ENCODING  # what requests offers
    assert headers_b.pop("accept-encoding") == "identity"  # ours reads the body as it comes
    assert headers_a == headers_b
    assert "x-drop" not in headers_b and headers_b["content-length"] == str(len(body_b))
    assert prepared_by == [requests.Session]  # ours went straight to the transport


def test_a_redirect_to_follow_takes_requests_own_path(server):
    base, seen = server
    with WorkerHttp(pool_size=4) as ours:
        reply = ours.get(f"{base}/moved", timeout=2)
        not_followed = ours.get(f"{base}/moved", timeout=2, allow_redirects=False)
    assert reply.status_code == 200 and reply.url.endswith("/landed")
    assert not_followed.status_code == 302
    assert [path for _, path, _, _ in seen] == ["/moved", "/landed", "/moved"]


def test_params_and_auth_take_requests_own_path(server):
    base, seen = server
    with WorkerHttp(pool_size=4) as ours:
        ours.post(f"{base}/q", params={"a": "б"}, auth=("user", "secret"), data=b"x", allow_redirects=False)
    _, path, headers, _ = seen[0]
    assert path == "/q?a=%D0%B1"
    assert headers["authorization"].startswith("Basic ")


def test_a_proxy_in_the_environment_is_used(server, monkeypatch):
    proxy, seen = server
    monkeypatch.setenv("HTTP_PROXY", proxy)
    with WorkerHttp(pool_size=4) as ours:
        reply = call(ours, "http://portal.example.invalid/hook")
    assert reply.status_code == 200
    assert seen[0][1] == "http://portal.example.invalid/hook"  # the proxy got the absolute address


def test_failures_are_requests_exceptions(server):
    base, _ = server
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        closed_port = spare.getsockname()[1]  # nothing listens on it once the socket is closed
    with WorkerHttp(pool_size=4) as ours:
        with pytest.raises(requests.ConnectionError):
            call(ours, f"http://127.0.0.1:{closed_port}/hook")
        with pytest.raises(requests.ReadTimeout):
            ours.post(f"{base}/hang", data=b"x", timeout=(2, 0.3), allow_redirects=False)
        with pytest.raises(requests.exceptions.InvalidHeader):
            ours.post(f"{base}/hook", data=b"x", headers={"webhook-id": "a\r\nX-Injected: 1"}, allow_redirects=False)


def test_one_connection_carries_a_threads_requests_until_the_server_closes_it():
    with serving() as (base, _, ports), WorkerHttp(pool_size=4) as ours:
        for path in ("/a", "/b", "/last", "/c"):
            with call(ours, base + path) as reply:
                assert reply.status_code == 200
                reply.content  # noqa: B018 - read to the end: the connection may go back
        (kept,) = [conn for idle in ours._transport._every_idle for conn in idle.values()]
        assert kept.sock is not None
    assert ports[0] == ports[1] == ports[2] != ports[3]  # after "Connection: close", a new one
    assert kept.sock is None  # closing the session closed the kept-alive connection


def test_tls_is_verified(tmp_path):
    cert, key = self_signed(tmp_path)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    with serving(tls) as (base, seen, _), WorkerHttp(pool_size=4) as ours:
        with pytest.raises(requests.exceptions.SSLError):
            call(ours, f"{base}/hook")  # a certificate no public authority signed
        assert call(ours, f"{base}/hook", verify=str(cert)).status_code == 200
        assert call(ours, f"{base}/hook", verify=False).status_code == 200
    assert [path for _, path, _, _ in seen] == ["/hook", "/hook"]
