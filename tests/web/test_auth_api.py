"""Tokens: no token, a wrong one or a revoked one is a 401, and every refusal is logged."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from publisher.core.models import ApiToken, AuditEvent
from publisher.people import accounts
from tests.factories.people import SYSTEM


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer pub_not-a-real-token", "Basic YW5hOnBhc3M=", "bearer  "],
    ids=["none", "empty-bearer", "unknown-token", "basic-auth", "blank"],
)
def test_requests_without_a_valid_token_are_refused(client, office, session, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/posts", headers=headers)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthenticated"
    refusals = session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.refused")).all()
    assert len(refusals) == 1
    assert refusals[0].detail["path"] == "/api/v1/posts"


def test_a_revoked_token_stops_working(api, office, session):
    assert api("ana").get("/api/v1/me").json["name"] == "ana"
    token = session.scalar(select(ApiToken).join(ApiToken.user).where(ApiToken.name == "tests")
                           .where(ApiToken.user_id == office.users["ana"].id))
    accounts.revoke_token(session, token.id, actor=SYSTEM)
    session.commit()
    assert api("ana").get("/api/v1/me").status_code == 401


def test_tokens_are_stored_hashed(office, session):
    stored = {t.token_hash for t in session.scalars(select(ApiToken))}
    assert office.tokens["ana"] not in stored
    assert all(len(h) == 64 for h in stored)


def test_a_change_made_with_a_token_names_the_token(api, session):
    api("ana").post("/api/v1/posts", json={"body": "Tekst", "channels": ["archive"], "language": "sr-Latn"})
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "post.create"))
    assert event.who == "ana"
    assert event.via.startswith("api-token:")


def test_every_route_needs_a_token_except_the_document(app, client, office):
    calls = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule == "/api/v1/openapi.json":
            continue
        path = re.sub(r"<int:\w+>", "1", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            calls += 1  # each from its own address: the refusals per address and minute are limited (429)
            address = f"10.0.{calls // 250}.{calls % 250 + 1}"
            response = client.open(path, method=method, environ_base={"REMOTE_ADDR": address})
            assert response.status_code == 401, (method, path)
