"""The worker's HTTP session: a plain call puts the same request on the wire as requests would, and fails
with the same exceptions; anything that is not plain takes requests' own path."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from publisher import http as worker_http
from publisher.http import WorkerHttp


class Recorder(BaseHTTPRequestHandler):
    """Records each request as received; answers 200, or a redirect for /moved, or nothing for /hang."""

    protocol_version = "HTTP/1.1"
    seen: list[tuple[str, str, dict[str, str], bytes]]

    def _handle(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.seen.append((self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        if self.path.endswith("/hang"):
            threading.Event().wait(2)
        reply = b'{"ok": true}'
        self.send_response(302 if self.path.endswith("/moved") else 200)
        if self.path.endswith("/moved"):
            self.send_header("Location", "/landed")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    do_GET = do_POST = do_PUT = _handle

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, list]]:
    seen: list = []
    handler = type("Handler", (Recorder,), {"seen": seen})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", seen
    httpd.shutdown()
    httpd.server_close()


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
