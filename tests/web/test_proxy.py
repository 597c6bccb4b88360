"""Behind a reverse proxy: through a real waitress server on loopback, configured by publisher.cli.server_options,
the client's address comes from X-Forwarded-For only when the request comes from the trusted proxy, and the
audit log, the refusal counter and the sign-in lock-out count record that address."""

from __future__ import annotations

import dataclasses
import http.client
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlencode

from sqlalchemy import select
from waitress import create_server

from publisher.cli import server_options
from publisher.core.models import AuditEvent, RequestCounter, SignInFailure
from web import create_app

BAD = {"Authorization": "Bearer pub_not-a-real-token"}


@contextmanager
def serving(rt) -> Iterator[int]:
    server = create_server(create_app({"RUNTIME": rt}), host="127.0.0.1", port=0,
                           **server_options(rt.settings))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield server.effective_port
    finally:
        server.close()
        thread.join(timeout=5)


def failed_sign_in(port: int, headers: dict[str, str]) -> int:
    """GET the sign-in page (cookie, CSRF token), then send a wrong password, as a browser would."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/login", headers=headers)
        page = connection.getresponse()
        cookie = page.getheader("Set-Cookie").split(";", 1)[0]
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.read().decode()).group(1)
        form = urlencode({"csrf_token": token, "name": "ana", "password": "wrong"})
        connection.request("POST", "/login", body=form, headers={
            **headers, "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
        answer = connection.getresponse()
        answer.read()
        return answer.status
    finally:
        connection.close()


def get(port: int, path: str, headers: dict[str, str]) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


def refused_from(session) -> tuple[list[str | None], list[str]]:
    ips = list(session.scalars(select(AuditEvent.ip).where(AuditEvent.action == "auth.refused")))
    keys = list(session.scalars(select(RequestCounter.key)))
    session.commit()
    return ips, keys


def test_without_a_trusted_proxy_the_forwarded_address_is_ignored(rt, session):
    with serving(rt) as port:
        assert get(port, "/api/v1/me", {**BAD, "X-Forwarded-For": "203.0.113.7"}) == 401
    assert refused_from(session) == (["127.0.0.1"], ["127.0.0.1"])


def test_behind_the_trusted_proxy_the_client_address_is_used(rt, session):
    rt.settings = dataclasses.replace(rt.settings, trusted_proxy="127.0.0.1", trusted_proxy_count=1)
    with serving(rt) as port:
        # A client's own X-Forwarded-For entry comes first; the proxy appends the address it saw: that one counts.
        assert get(port, "/api/v1/me", {**BAD, "X-Forwarded-For": "10.9.9.9, 203.0.113.7"}) == 401
    assert refused_from(session) == (["203.0.113.7"], ["203.0.113.7"])


def test_a_sign_in_failure_behind_the_proxy_counts_against_the_client_not_the_office(rt, session, office):
    rt.settings = dataclasses.replace(rt.settings, trusted_proxy="127.0.0.1")
    with serving(rt) as port:
        assert failed_sign_in(port, {"X-Forwarded-For": "203.0.113.7"}) == 422
    keys = sorted(session.scalars(select(SignInFailure.key).where(SignInFailure.scope == "address")))
    session.commit()
    assert keys == ["203.0.113.7"]


def test_a_proxy_other_than_the_trusted_one_is_not_believed(rt, session):
    rt.settings = dataclasses.replace(rt.settings, trusted_proxy="192.0.2.1")
    with serving(rt) as port:
        assert get(port, "/api/v1/me", {**BAD, "X-Forwarded-For": "203.0.113.7"}) == 401
    assert refused_from(session) == (["127.0.0.1"], ["127.0.0.1"])
