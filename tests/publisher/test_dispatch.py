"""The worker against a loopback state portal: each platform behaviour ends in the right state.

The receiver checks signatures and deduplicates by webhook-id like the real portal; `accepted` is
what it stored, `requests` everything that reached it.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from publisher.core.models import Alert, Channel, Delivery, DeliveryAttempt, Hold, Post, WorkerBeat
from publisher.publishing.dispatch import DispatchPolicy
from publisher.publishing.worker import Worker, WorkerOptions
from tests.factories import posts as factories
from tests.factories.office import PORTAL_SECRET, add_channel
from tests.support.portal_receiver import PortalReceiver

POLICY = DispatchPolicy(backoff_base=0.0, max_attempts=3, lease=timedelta(seconds=30))


@pytest.fixture
def portal():
    with PortalReceiver(PORTAL_SECRET, hang_seconds=3.0) as receiver:
        yield receiver


@pytest.fixture(autouse=True)
def fast_portal(rt, session, office, portal):
    """A loopback state portal that gives up on a read after a second."""
    add_channel(session, rt, office, "fast-portal", "state_portal",
                {"url": portal.url, "secret": PORTAL_SECRET, "timeout": 1})
    session.commit()


@pytest.fixture
def worker(rt):
    w = Worker(rt, WorkerOptions(policy=POLICY, threads=8), worker_id="test-worker")
    yield w
    w.close()


def approved_post(session, rt, office, channels=("fast-portal",), **fields) -> int:
    return factories.approved_post(session, rt, office, channels=channels, **fields)


def post_status(session, post_id) -> str:
    session.expire_all()
    status = session.get(Post, post_id).status
    session.commit()  # end the read: an open SQLite writer session would block the worker
    return status


def delivery_of(session, post_id, channel="fast-portal") -> Delivery:
    session.expire_all()
    delivery = session.scalar(select(Delivery).join(Channel).where(Delivery.post_id == post_id,
                                                                    Channel.name == channel))
    session.commit()
    return delivery


@pytest.mark.parametrize(
    ("script", "status", "attempts", "accepted"),
    [
        (["200"], "sent", 1, 1),
        (["200-empty"], "sent", 1, 1),
        (["409"], "sent", 1, 0),  # the portal already had it
        (["500", "200"], "sent", 2, 1),
        (["503", "503", "503"], "failed", 3, 0),  # gave up after max_attempts
        (["422"], "failed", 1, 0),
        (["hang", "200"], "sent", 2, 1),  # read timeout, resent with the same id: deduplicated
        (["drop-before-body", "200"], "sent", 2, 1),
        (["drop-after-body", "200"], "sent", 2, 1),
        (["429"], "retry_wait", 1, 0),
        (["401"], "retry_wait", 1, 0),
    ],
    ids=lambda v: "+".join(v) if isinstance(v, list) else str(v),
)
def test_each_portal_behaviour_ends_in_its_state(rt, session, office, portal, worker, script, status, attempts,
                                                 accepted):
    portal.script(script)
    post_id = approved_post(session, rt, office)
    worker.run_until_idle(timeout=20)
    delivery = delivery_of(session, post_id)
    assert (delivery.status, delivery.attempts, len(portal.accepted)) == (status, attempts, accepted)
    assert all(r.signature_valid for r in portal.requests if r.body)
    assert {r.headers["webhook-id"] for r in portal.requests} == {delivery.idempotency_key}
    rows = session.scalars(select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == delivery.id)).all()
    assert len(rows) == attempts and all(r.finished_at for r in rows)


def test_a_sent_delivery_keeps_the_portals_reference(rt, session, office, portal, worker):
    post_id = approved_post(session, rt, office)
    worker.run_until_idle()
    delivery = delivery_of(session, post_id)
    assert (delivery.remote_id, delivery.url) == ("portal-1", f"{portal.base_url}/vesti/1")
    assert post_status(session, post_id) == "published"


def test_a_rejection_keeps_the_platforms_words_and_alerts(rt, session, office, portal, worker):
    portal.script(["422"])
    post_id = approved_post(session, rt, office)
    worker.run_until_idle()
    delivery = delivery_of(session, post_id)
    assert "title must not be empty" in delivery.error
    assert post_status(session, post_id) == "failed"
    assert session.scalar(select(Alert.kind).where(Alert.delivery_id == delivery.id)) == "failed"


def test_rate_limit_waits_for_the_reset_and_blocks_only_its_channel(rt, session, office, portal, worker):
    portal.script(["429"])
    post_id = approved_post(session, rt, office, channels=("fast-portal", "archive"))
    began = time.monotonic()
    worker.run_until_idle()
    took = time.monotonic() - began
    portal_delivery = delivery_of(session, post_id)
    assert portal_delivery.status == "retry_wait"
    wait = (portal_delivery.next_attempt_at - portal_delivery.last_attempt_at).total_seconds()
    # Retry-After: 7, counted from the answer; the attempt began up to `took` seconds before it (a busy machine).
    assert 6 <= wait <= 7 + took + 1
    assert session.get(Channel, portal_delivery.channel_id).rate_limited_until == portal_delivery.next_attempt_at
    assert delivery_of(session, post_id, "archive").status == "sent"
    assert post_status(session, post_id) == "publishing"


def test_refused_credentials_pause_the_channel_and_alert(rt, session, office, portal, worker):
    portal.script(["401"])
    first = approved_post(session, rt, office)
    worker.run_until_idle()
    hold = session.scalar(select(Hold).where(Hold.released_at.is_(None)))
    assert hold.channel.name == "fast-portal" and "credentials" in hold.reason
    assert session.scalar(select(Alert.kind).where(Alert.channel_id == hold.channel_id)) == "auth"
    second = approved_post(session, rt, office)
    worker.run_until_idle()
    assert [delivery_of(session, p).status for p in (first, second)] == ["retry_wait", "pending"]
    assert len(portal.requests) == 1  # nothing more was tried while paused


def test_post_status_follows_its_deliveries(rt, session, office, portal, worker):
    portal.script(["422"])
    post_id = approved_post(session, rt, office, channels=("fast-portal", "archive"))
    worker.run_until_idle()
    assert post_status(session, post_id) == "partially_published"


def test_a_started_worker_sends_on_its_own_and_stops_cleanly(rt, session, office, portal):
    worker = Worker(rt, WorkerOptions(policy=POLICY, threads=4, tick_seconds=0.2), worker_id="live-worker")
    worker.start()
    try:
        post_id = approved_post(session, rt, office)
        deadline = time.monotonic() + 10
        while delivery_of(session, post_id).status != "sent" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert delivery_of(session, post_id).status == "sent"
        session.expire_all()
        assert session.get(WorkerBeat, "live-worker").stopped_at is None
        session.commit()
    finally:
        worker.stop(grace=5)
    session.expire_all()
    assert session.get(WorkerBeat, "live-worker").stopped_at is not None
