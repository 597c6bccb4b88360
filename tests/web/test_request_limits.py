"""Refused API tokens: counted per address and minute in one row, logged once, then answered 429; the count is
in the database, so two web processes share it; old windows are pruned (the worker's housekeeping: tests/publisher/test_signin_housekeeping.py)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from publisher.core.models import AuditEvent, RequestCounter
from publisher.core.runtime import Runtime
from publisher.people import request_limits
from web import create_app

NOW = datetime(2026, 12, 4, 10, 0, 12, tzinfo=UTC)
BAD = {"Authorization": "Bearer pub_not-a-real-token"}
ATTACKER = {"REMOTE_ADDR": "198.51.100.7"}


def rows(session, model, *where) -> int:
    n = session.scalar(select(func.count()).select_from(model).where(*where))
    session.commit()
    return n


def test_300_bad_tokens_write_a_bounded_number_of_rows_and_are_then_answered_429(client, rt, session, office):
    rt.clock = lambda: NOW
    audit_before = rows(session, AuditEvent)
    statuses = [client.get("/api/v1/me", headers=BAD, environ_base=ATTACKER).status_code for _ in range(300)]

    limit = rt.settings.api_refusals_per_minute
    assert statuses == [401] * limit + [429] * (300 - limit)
    assert rows(session, RequestCounter) == 1
    assert session.scalar(select(RequestCounter.count)) == limit
    session.commit()
    assert rows(session, AuditEvent) - audit_before == 2  # the first refusal, and reaching the limit
    assert rows(session, AuditEvent, AuditEvent.action == "auth.refused", AuditEvent.ip == "198.51.100.7") == 1
    assert rows(session, AuditEvent, AuditEvent.action == "auth.rate_limited") == 1


def test_429_says_when_to_come_back_and_the_next_minute_starts_afresh(client, rt, office):
    rt.settings = dataclasses.replace(rt.settings, api_refusals_per_minute=3)
    rt.clock = lambda: NOW
    for _ in range(3):
        assert client.get("/api/v1/me", headers=BAD, environ_base=ATTACKER).status_code == 401
    refused = client.get("/api/v1/me", headers=BAD, environ_base=ATTACKER)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "48"  # 10:00:12 -> 10:01:00
    assert refused.json["error"]["code"] == "rate_limited"

    rt.clock = lambda: NOW + timedelta(minutes=1)
    assert client.get("/api/v1/me", headers=BAD, environ_base=ATTACKER).status_code == 401


def test_another_address_with_a_valid_token_is_not_affected(api, client, rt):
    rt.settings = dataclasses.replace(rt.settings, api_refusals_per_minute=2)
    rt.clock = lambda: NOW
    for _ in range(3):
        client.get("/api/v1/me", headers=BAD, environ_base=ATTACKER)
    assert client.get("/api/v1/me", headers=BAD, environ_base=ATTACKER).status_code == 429
    assert api("ana").get("/api/v1/me").status_code == 200  # from the test client's own address


def test_two_web_processes_share_the_count(rt, settings, office):
    """Two apps with their own engines on one database: what one counted, the other refuses on."""
    other = Runtime.from_settings(settings)
    try:
        for runtime in (rt, other):
            runtime.clock = lambda: NOW
        first = create_app({"RUNTIME": rt, "TESTING": True}).test_client()
        second = create_app({"RUNTIME": other, "TESTING": True}).test_client()
        limit = rt.settings.api_refusals_per_minute
        statuses = [(first if i % 2 else second).get("/api/v1/me", headers=BAD, environ_base=ATTACKER).status_code
                    for i in range(limit + 4)]
        assert statuses == [401] * limit + [429] * 4
    finally:
        other.dispose()


def test_the_counter_is_one_atomic_upsert_on_either_database(session):
    for expected in (1, 2, 3):
        assert request_limits.count(session, "api_refused", "203.0.113.9", NOW) == expected
    assert request_limits.count(session, "api_refused", "203.0.113.9", NOW + timedelta(minutes=1)) == 1
    session.commit()
    assert request_limits.current(session, "api_refused", "203.0.113.9", NOW) == 3
    assert rows(session, RequestCounter) == 2


def test_old_windows_are_pruned(session):
    request_limits.count(session, "api_refused", "203.0.113.9", NOW - timedelta(days=2))
    request_limits.count(session, "api_refused", "203.0.113.9", NOW - timedelta(minutes=5))
    assert request_limits.prune(session, NOW) == 1
    session.commit()
    assert session.scalars(select(RequestCounter.window_start)).all() == [
        request_limits.window_start(NOW - timedelta(minutes=5))]
    session.commit()
