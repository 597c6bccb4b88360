"""Housekeeping: browser sessions and sign-in failures (and, in the worker, request counters and forgotten import
uploads) that no longer decide anything are forgotten; live sessions and failures that still count towards a lock
stay."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from publisher.core.models import RequestCounter, SignInFailure, WebSession
from publisher.imports import staging
from publisher.people import request_limits, signin
from publisher.public import form_guard
from publisher.publishing.worker import Worker
from tests.factories.office import make_office

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
IDLE = timedelta(minutes=30)


def browser_session(session, user_id: int, token: str, *, seen: datetime, ended: datetime | None = None) -> None:
    session.add(WebSession(token_hash=token, user_id=user_id, created_at=seen - timedelta(hours=1),
                           last_seen_at=seen, ended_at=ended, ended_reason="sign_out" if ended else None))


def left(session, model, column) -> list:
    values = sorted(session.scalars(select(column)))
    session.commit()
    return values


def test_old_sessions_and_failures_go_recent_ones_stay(session, rt):
    ana = make_office(session, rt).users["ana"].id
    browser_session(session, ana, "ended-long-ago", seen=NOW - timedelta(days=40), ended=NOW - timedelta(days=31))
    browser_session(session, ana, "idle-long-ago", seen=NOW - timedelta(days=31))
    browser_session(session, ana, "ended-last-week", seen=NOW - timedelta(days=8), ended=NOW - timedelta(days=7))
    browser_session(session, ana, "open-now", seen=NOW - timedelta(minutes=5))
    for minutes in (45, 29, 10):  # a lock looks back 30 minutes (the window and the lock)
        session.add(SignInFailure(scope="name", key="ana", at=NOW - timedelta(minutes=minutes)))
    session.commit()

    assert signin.prune(session, NOW, idle=IDLE) == (2, 1)
    session.commit()
    assert left(session, WebSession, WebSession.token_hash) == ["ended-last-week", "open-now"]
    assert left(session, SignInFailure, SignInFailure.at) == [NOW - timedelta(minutes=29),
                                                              NOW - timedelta(minutes=10)]


def test_the_worker_runs_it(session, rt):
    ana = make_office(session, rt).users["ana"].id
    browser_session(session, ana, "ended-long-ago", seen=NOW - timedelta(days=40), ended=NOW - timedelta(days=31))
    request_limits.count(session, request_limits.API_REFUSED, "203.0.113.9", NOW - timedelta(days=2))
    form_guard.count(session, "contact", "203.0.113.9", form_guard.Outcome.ACCEPTED, NOW - timedelta(days=3))
    form_guard.count(session, "contact", "203.0.113.9", form_guard.Outcome.ACCEPTED, NOW)
    session.commit()
    uploads = staging.folder(rt.settings.instance_dir)
    forgotten, fresh = staging.keep(uploads, b"a,b\r\n1,2\r\n", kind="people"), staging.keep(uploads, b"c\r\n",
                                                                                               kind="people")
    old = time.time() - staging.LIFETIME.total_seconds() - 60
    os.utime(uploads / f"people-{forgotten}", (old, old))
    rt.clock = lambda: NOW
    worker = Worker(rt, worker_id="housekeeper")
    try:
        worker.housekeeping()
    finally:
        worker.close()
    assert session.scalar(select(func.count()).select_from(WebSession)) == 0
    assert session.scalar(select(func.count()).select_from(RequestCounter)) == 0
    assert form_guard.counts(session, "contact") == {"accepted": 1}  # the public forms' old counts go too
    assert [p.name for p in uploads.iterdir()] == [f"people-{fresh}"]  # an upload forgotten for an hour goes
    session.commit()
