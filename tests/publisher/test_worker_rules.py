"""The worker's rules, one by one: leases, unknown outcomes, staleness, holds, retries and time."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from channels.base import Published
from channels.errors import OutcomeUnknown, Rejected, Retryable
from publisher.core.errors import Conflict
from publisher.core.models import Alert, AuditEvent, Delivery, DeliveryAttempt, Post, WorkerBeat
from publisher.destinations import channel_store
from publisher.posts import workflow
from publisher.publishing import dispatch, holds
from publisher.publishing.deliveries import decide
from publisher.publishing.dispatch import DispatchPolicy
from publisher.publishing.http import NotSending
from publisher.publishing.reconcile import reconcile_unknown
from publisher.publishing.worker import Worker, WorkerOptions
from tests.factories import posts as factories
from tests.factories.office import PORTAL_SECRET, add_channel
from tests.support.scripted_channel import scripted_kind

POLICY = DispatchPolicy(backoff_base=0.0, max_attempts=3, lease=timedelta(seconds=30),
                        stale_after=timedelta(hours=1))


class Clock:
    """The worker's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(rt):
    rt.clock = Clock()
    return rt.clock


@pytest.fixture
def scripted():
    with scripted_kind() as kind:
        yield kind


@pytest.fixture(autouse=True)
def worker_channels(rt, session, office, scripted, portal):
    """A scripted channel (its outcomes set by each test) and a second loopback state portal."""
    add_channel(session, rt, office, "scripted", "scripted", {})
    add_channel(session, rt, office, "portal2", "state_portal", {"url": portal.url, "secret": PORTAL_SECRET,
                                                                 "timeout": 1})
    session.commit()


def new_worker(rt, name="w1") -> Worker:
    return Worker(rt, WorkerOptions(policy=POLICY, threads=4), worker_id=name)


@pytest.fixture
def worker(rt):
    w = new_worker(rt)
    yield w
    w.close()


def approve(session, rt, office, channels=("scripted",), **fields) -> int:
    return factories.approved_post(session, rt, office, channels=channels, **{
        "title": "Naslov", "body": "Tekst", "language": "sr-Latn", **fields})


def state(session, post_id, channel="scripted") -> Delivery:
    session.expire_all()
    channel_id = channel_store.get_channel(session, channel).id
    delivery = session.scalar(select(Delivery).where(Delivery.post_id == post_id, Delivery.channel_id == channel_id))
    session.commit()
    return delivery


def channel_id(office, name) -> int:
    return office.channels[name].id


def post_status(session, post_id) -> str:
    session.expire_all()
    status = session.get(Post, post_id).status
    session.commit()
    return status


# --- outcomes the platform may or may not have acted on ---------------------------------------------------


def test_an_unknown_outcome_is_never_resent_automatically(rt, session, office, scripted, worker, clock):
    scripted.script.append(OutcomeUnknown("read timeout after the request was sent"))
    post_id = approve(session, rt, office)
    worker.run_until_idle()
    assert state(session, post_id).status == "unknown"
    for _ in range(3):
        clock.advance(minutes=10)
        worker.run_until_idle()
        reconcile_unknown(rt, clock())
    delivery = state(session, post_id)
    assert delivery.status == "unknown" and delivery.error_kind == "needs_person"
    assert sum(scripted.published.values()) == 1
    assert session.scalar(select(Alert.kind).where(Alert.delivery_id == delivery.id)) == "unknown"


def test_reconciliation_records_a_post_the_platform_has(rt, session, office, scripted, worker, clock):
    scripted.script.append(OutcomeUnknown("connection reset after sending"))
    scripted.found = Published("remote-42", "https://example.test/42")
    post_id = approve(session, rt, office)
    worker.run_until_idle()
    assert reconcile_unknown(rt, clock()) == {state(session, post_id).id: "found on the platform"}
    delivery = state(session, post_id)
    assert (delivery.status, delivery.url) == ("sent", "https://example.test/42")
    assert post_status(session, post_id) == "published"
    assert session.scalar(select(Alert.resolved_at).where(Alert.delivery_id == delivery.id)) is not None


def test_reconciliation_resends_what_the_platform_says_it_lacks(rt, session, office, scripted, worker, clock):
    scripted.script.append(OutcomeUnknown("502 after sending"))
    scripted.found = None
    post_id = approve(session, rt, office)
    worker.run_until_idle()
    reconcile_unknown(rt, clock())
    worker.run_until_idle()
    assert state(session, post_id).status == "sent"


def test_a_worker_killed_mid_send_leaves_an_unknown_that_reconciliation_settles(rt, session, office, portal,
                                                                                clock):
    post_id = approve(session, rt, office, channels=("portal2",))
    dead = new_worker(rt, "dead-worker")
    with rt.sessions() as s:  # it claimed, then died before sending anything
        [claim] = dispatch.claim_due(s, dead.id, clock(), {channel_id(office, "portal2"): 1}, POLICY)
        s.commit()
    dead.close()
    clock.advance(seconds=29)
    with rt.sessions() as s:
        assert dispatch.reap_expired_leases(s, clock()) == []
    clock.advance(seconds=2)
    with rt.sessions() as s:
        assert dispatch.reap_expired_leases(s, clock()) == [claim.delivery_id]
        s.commit()
    assert state(session, post_id, "portal2").status == "unknown"
    assert post_status(session, post_id) == "publishing"  # not "failed": reconciliation has not looked yet
    # The portal deduplicates by webhook-id, so the same key may go again.
    assert reconcile_unknown(rt, clock()) == {claim.delivery_id: "send again"}
    survivor = new_worker(rt, "survivor")
    survivor.run_until_idle()
    survivor.close()
    delivery = state(session, post_id, "portal2")
    assert delivery.status == "sent"
    assert list(portal.accepted) == [delivery.idempotency_key]
    attempts = session.scalars(select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == delivery.id)
                               .order_by(DeliveryAttempt.number)).all()
    assert [(a.worker_id, a.outcome) for a in attempts] == [("dead-worker", "lease_expired"), ("survivor", "sent")]


# --- permanent, retryable, and per-channel isolation ---------------------------------------------------------


def test_a_permanent_error_is_never_retried(rt, session, office, scripted, worker, clock):
    scripted.script.append(Rejected("text contains a forbidden word"))
    post_id = approve(session, rt, office)
    for _ in range(3):
        worker.run_until_idle()
        clock.advance(hours=1)
    delivery = state(session, post_id)
    assert (delivery.status, delivery.attempts, delivery.error) == ("failed", 1, "text contains a forbidden word")


def test_retrying_one_channel_leaves_the_sent_one_alone(rt, session, office, scripted, portal, worker, clock):
    scripted.script.extend([Retryable("503"), Retryable("503"), Retryable("503")])
    post_id = approve(session, rt, office, channels=("scripted", "portal2"))
    worker.run_until_idle()
    assert (state(session, post_id).status, state(session, post_id, "portal2").status) == ("failed", "sent")
    assert post_status(session, post_id) == "partially_published"
    sent_before = state(session, post_id, "portal2")
    decide(session, office.actor("ana"), state(session, post_id).id, "send_again", now=clock())
    session.commit()
    assert post_status(session, post_id) == "publishing"
    worker.run_until_idle()
    assert state(session, post_id).status == "sent"
    assert post_status(session, post_id) == "published"
    after = state(session, post_id, "portal2")
    assert (after.attempts, after.sent_at, len(portal.requests)) == (sent_before.attempts, sent_before.sent_at, 1)


def test_backoff_waits_before_the_next_attempt(rt, session, office, scripted, clock):
    policy = DispatchPolicy(backoff_base=60.0, max_attempts=5)
    worker = Worker(rt, WorkerOptions(policy=policy, threads=2), worker_id="patient")
    scripted.script.append(Retryable("connect timeout"))
    post_id = approve(session, rt, office)
    worker.run_until_idle()
    delivery = state(session, post_id)
    assert delivery.status == "retry_wait"
    assert 48 <= (delivery.next_attempt_at - clock()).total_seconds() <= 72  # 60 s ± 20 % jitter
    worker.run_until_idle()
    assert state(session, post_id).attempts == 1
    clock.advance(seconds=73)
    worker.run_until_idle()
    assert state(session, post_id).status == "sent"
    worker.close()


# --- missed times, holds and pauses ----------------------------------------------------------------------


def test_a_post_due_while_no_worker_ran_goes_out_on_restart(rt, session, office, scripted, worker, clock):
    post_id = approve(session, rt, office)
    clock.advance(minutes=59)
    worker.run_until_idle()
    assert state(session, post_id).status == "sent"


def test_a_post_older_than_the_staleness_window_waits_for_a_person(rt, session, office, scripted, worker, clock):
    post_id = approve(session, rt, office)
    clock.advance(minutes=61)
    worker.run_until_idle()
    delivery = state(session, post_id)
    assert delivery.status == "stale" and scripted.published == {}
    assert session.scalar(select(Alert.kind).where(Alert.delivery_id == delivery.id)) == "stale"
    decide(session, office.actor("marko"), delivery.id, "send_again", now=clock())
    session.commit()
    worker.run_until_idle()
    assert state(session, post_id).status == "sent"


def test_nothing_goes_out_during_a_hold_and_staleness_applies_on_release(rt, session, office, scripted, worker,
                                                                        clock):
    holds.hold(session, office.actor("admin"), "Dan žalosti")
    session.commit()
    soon = approve(session, rt, office)
    worker.run_until_idle()
    assert state(session, soon).status == "pending"
    clock.advance(minutes=30)
    later = approve(session, rt, office)
    clock.advance(minutes=40)  # `soon` is now 70 min late, `later` 40 min
    holds.release(session, office.actor("admin"))
    session.commit()
    worker.run_until_idle()
    assert (state(session, soon).status, state(session, later).status) == ("stale", "sent")


def test_a_paused_channel_does_not_hold_up_the_others(rt, session, office, scripted, portal, worker):
    holds.hold(session, office.actor("admin"), "token renewal", office.channels["portal2"])
    session.commit()
    post_id = approve(session, rt, office, channels=("scripted", "portal2"))
    worker.run_until_idle()
    assert (state(session, post_id).status, state(session, post_id, "portal2").status) == ("sent", "pending")
    assert portal.requests == []
    holds.release(session, office.actor("admin"), office.channels["portal2"])
    session.commit()
    worker.run_until_idle()
    assert state(session, post_id, "portal2").status == "sent"


def test_holding_twice_or_releasing_nothing_is_refused(session, office):
    holds.hold(session, office.actor("admin"), "krizna situacija")
    with pytest.raises(Conflict, match="already on hold"):
        holds.hold(session, office.actor("admin"), "opet")
    holds.release(session, office.actor("admin"))
    with pytest.raises(Conflict, match="not on hold"):
        holds.release(session, office.actor("admin"))
    with pytest.raises(workflow.Invalid, match="needs a reason"):
        holds.hold(session, office.actor("admin"), "  ")


# --- time ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("process_tz", [None, "UTC", "America/Los_Angeles"])
@pytest.mark.parametrize(
    ("local", "choice", "due_utc"),
    [
        ("2031-03-30T01:59:00", None, "2031-03-30T00:59:00"),  # the last minute before spring forward
        ("2031-03-30T03:00:00", None, "2031-03-30T01:00:00"),  # the first minute after it
        ("2031-10-26T02:30:00", "earlier", "2031-10-26T00:30:00"),  # fall back: the first 02:30 (CEST)
        ("2031-10-26T02:30:00", "later", "2031-10-26T01:30:00"),  # the second 02:30 (CET)
    ],
)
def test_a_post_goes_out_at_its_instant_across_dst(rt, session, office, scripted, worker, clock, monkeypatch,
                                                   process_tz, local, choice, due_utc):
    if process_tz is None:
        monkeypatch.delenv("TZ", raising=False)
    else:
        monkeypatch.setenv("TZ", process_tz)
    time.tzset()
    try:
        fields = {"scheduled_at": local, "timezone": "Europe/Belgrade"}
        if choice:
            fields["dst_choice"] = choice
        post_id = approve(session, rt, office, **fields)
        due = datetime.fromisoformat(due_utc).replace(tzinfo=UTC)
        clock.now = due - timedelta(seconds=1)
        worker.run_until_idle()
        assert state(session, post_id).status == "pending"
        clock.now = due
        worker.run_until_idle()
        assert state(session, post_id).status == "sent"
    finally:
        monkeypatch.undo()
        time.tzset()


# --- several workers -----------------------------------------------------------------------------------


def test_two_workers_at_once_send_each_delivery_once(rt, session, office, portal):
    portal_id = channel_id(office, "portal2")
    session.get(type(office.channels["portal2"]), portal_id).max_concurrency = 8
    session.commit()
    post_ids = [approve(session, rt, office, channels=("portal2",)) for _ in range(40)]
    workers = [new_worker(rt, f"w{i}") for i in range(2)]
    threads = [threading.Thread(target=w.run_until_idle, kwargs={"timeout": 60}) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)
    for w in workers:
        w.close()
    keys = [r.headers["webhook-id"] for r in portal.requests]
    assert len(keys) == len(set(keys)) == len(post_ids) == len(portal.accepted)
    assert session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == "sent")) == 40


# --- the watchdog ----------------------------------------------------------------------------------------


def test_the_watchdog_alerts_on_overdue_deliveries_and_silent_workers(rt, session, office, clock):
    post_id = approve(session, rt, office)
    holds.hold(session, office.actor("admin"), "pauza", office.channels["scripted"])
    session.commit()
    ghost, watcher = new_worker(rt, "ghost"), new_worker(rt, "watcher")
    ghost.heartbeat()  # and then nothing more: killed without a word
    clock.advance(minutes=11)
    watcher.heartbeat()
    watcher.watchdog()
    assert alert_kinds(session) == ["worker_silent"]  # the paused channel's delivery is not "overdue"
    holds.release(session, office.actor("admin"), office.channels["scripted"])
    session.commit()
    watcher.watchdog()
    watcher.watchdog()
    assert alert_kinds(session) == ["worker_silent", "overdue"]  # each condition alerted once
    alert = session.scalar(select(Alert).where(Alert.kind == "overdue"))
    assert alert.post_id == post_id
    session.commit()
    for w in (ghost, watcher):
        w.close()


def alert_kinds(session) -> list[str]:
    kinds = list(session.scalars(select(Alert.kind).order_by(Alert.id)))
    session.commit()
    return kinds


def test_a_slow_channel_does_not_hold_up_another(rt, session, office, portal, worker):
    portal.script(["hang"])  # the portal answers after 3 s; our timeout is 1 s
    post_id = approve(session, rt, office, channels=("portal2", "scripted"))
    worker.run_until_idle(timeout=20)
    slow, quick = state(session, post_id, "portal2"), state(session, post_id, "scripted")
    slow_attempt = session.scalar(select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == slow.id,
                                                                DeliveryAttempt.number == 1))
    session.commit()
    assert quick.sent_at < slow_attempt.finished_at - timedelta(seconds=0.5)
    assert slow.status == "sent" and slow.attempts == 2  # resent with the same id after the timeout


# --- how many sends at once ------------------------------------------------------------------------------


class GatedSends:
    """A publish that waits at a gate, counting how many are on the wire at once."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.lock = threading.Lock()
        self.running = self.peak = 0

    def publish(self, adapter, content, *, key):  # noqa: ANN001, ANN201 - patched in as ScriptedChannel.publish
        with self.lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            self.gate.wait(10)
            return Published(remote_id=f"remote-{key}")
        finally:
            with self.lock:
                self.running -= 1

    def wait_running(self, count: int) -> None:
        deadline = time.monotonic() + 5
        while self.running < count and time.monotonic() < deadline:
            time.sleep(0.01)


@pytest.fixture
def gated(session, office, scripted, monkeypatch):
    """gated(limit, idempotent=...): the scripted channel sends through a gate, `limit` at once."""

    def gate_channel(limit: int, *, idempotent: bool) -> GatedSends:
        scripted.idempotent = idempotent
        sends = GatedSends()
        monkeypatch.setattr(scripted, "publish", lambda self, content, *, key: sends.publish(self, content, key=key))
        session.get(type(office.channels["scripted"]), channel_id(office, "scripted")).max_concurrency = limit
        session.commit()
        return sends

    return gate_channel


def count_sending(session) -> int:
    count = session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == "sending"))
    session.commit()
    return count


@pytest.mark.parametrize(("idempotent", "claimed_ahead"), [(False, 0), (True, 2)])
def test_a_channel_never_has_more_sends_on_the_wire_than_its_limit(rt, session, office, gated, idempotent,
                                                                   claimed_ahead):
    """Only a platform that dedups by our key gets sends claimed ahead: if the worker dies, they are
    resent safely. They wait for a free sender; the limit on the wire holds either way."""
    sends = gated(2, idempotent=idempotent)
    post_ids = [approve(session, rt, office) for _ in range(6)]
    worker = Worker(rt, WorkerOptions(policy=POLICY, threads=8), worker_id="w1")
    try:
        for _ in range(3):
            worker.dispatch_pass(probe=False)
        sends.wait_running(2)
        assert count_sending(session) == 2 + claimed_ahead
        assert sends.running == sends.peak == 2
        sends.gate.set()
        worker.run_until_idle(timeout=20)
    finally:
        sends.gate.set()
        worker.close()
    assert sends.peak == 2
    assert [state(session, p).status for p in post_ids] == ["sent"] * 6


def test_a_stopping_worker_sends_what_it_claimed_ahead(rt, session, office, gated):
    sends = gated(1, idempotent=True)
    post_ids = [approve(session, rt, office) for _ in range(3)]
    worker = Worker(rt, WorkerOptions(policy=POLICY, threads=4), worker_id="w1")
    for _ in range(3):
        worker.dispatch_pass(probe=False)
    sends.wait_running(1)
    assert count_sending(session) == 2  # one on the wire, one waiting for the sender
    stopper = threading.Thread(target=worker.stop, kwargs={"grace": 10})
    stopper.start()
    sends.gate.set()
    stopper.join(timeout=15)
    worker.close()
    statuses = [state(session, p).status for p in post_ids]
    assert sorted(statuses) == ["pending", "sent", "sent"]  # the third was never claimed


def test_a_fraction_of_a_second_never_lets_a_post_leave_before_its_time(rt, session, office, scripted, worker,
                                                                         clock):
    clock.now = datetime(2031, 6, 15, 7, 59, 0, tzinfo=UTC)
    post_id = approve(session, rt, office, scheduled_at="2031-06-15T08:00:00.5Z")
    assert state(session, post_id).due_at == datetime(2031, 6, 15, 8, 0, 1, tzinfo=UTC)
    clock.now = datetime(2031, 6, 15, 8, 0, 0, 900_000, tzinfo=UTC)  # past the second, not past the time
    worker.run_until_idle()
    assert state(session, post_id).status == "pending" and not scripted.published
    clock.now = datetime(2031, 6, 15, 8, 0, 1, tzinfo=UTC)
    worker.run_until_idle()
    assert state(session, post_id).status == "sent"


# --- dead workers and fencing ----------------------------------------------------------------------------

GRACE = timedelta(seconds=15)  # WorkerOptions' default, as new_worker uses it


def claim_one(rt, worker_id, office, channel, clock) -> dispatch.Claim:
    with rt.sessions() as s:
        [claim] = dispatch.claim_due(s, worker_id, clock(), {channel_id(office, channel): 1}, POLICY)
        s.commit()
    return claim


def reap_dead(rt, clock) -> list[int]:
    with rt.sessions() as s:
        reaped = dispatch.reap_dead_workers(s, clock(), GRACE)
        s.commit()
    return reaped


@pytest.mark.parametrize(("channel", "silence"), [
    ("scripted", 15.0),  # no network: the grace alone
    ("portal2", 1.0 + 5.0 + 15.0),  # its read timeout (1 s) + the connect timeout (5 s) + the grace
])
def test_a_silent_workers_claim_goes_to_reconciliation_after_its_longest_request_and_the_grace_not_before(
        rt, session, office, clock, channel, silence):
    silent, alive = new_worker(rt, "silent"), new_worker(rt, "alive")
    silent.heartbeat()
    alive.heartbeat()
    approve(session, rt, office, channels=(channel,))
    lost = claim_one(rt, silent.id, office, channel, clock)
    approve(session, rt, office, channels=(channel,))
    kept = claim_one(rt, alive.id, office, channel, clock)
    clock.advance(seconds=silence - 0.5)
    alive.heartbeat()  # the one that keeps beating keeps its claim, however long its send takes
    assert reap_dead(rt, clock) == []
    assert state(session, lost.post_id, channel).status == "sending"
    clock.advance(seconds=1)
    assert reap_dead(rt, clock) == [lost.delivery_id]  # well within the 30 s lease: not the lease's doing
    delivery = state(session, lost.post_id, channel)
    assert (delivery.status, delivery.error_kind, delivery.lease_token) == ("unknown", "worker_lost", None)
    assert state(session, kept.post_id, channel).status == "sending"
    attempt = session.scalar(select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == lost.delivery_id))
    assert (attempt.worker_id, attempt.outcome) == ("silent", "worker_lost")
    assert session.get(WorkerBeat, "silent").declared_dead_at == clock()
    assert session.get(WorkerBeat, "alive").declared_dead_at is None
    session.commit()
    assert post_status(session, lost.post_id) == "publishing"  # reconciliation decides, as after a lease
    # Exactly as after an expired lease: the portal dedups by our key, so it goes again with the same
    # key; the scripted platform cannot tell, so a person decides.
    expected = "send again" if channel == "portal2" else "ask a person"
    assert reconcile_unknown(rt, clock()) == {lost.delivery_id: expected}
    for w in (silent, alive):
        w.close()


def test_an_outcome_heard_after_the_claim_was_taken_writes_nothing(rt, session, office, scripted, clock):
    """Even the same worker id claiming the delivery again does not let the old claim's outcome in: the
    token is the claim's, not the worker's."""
    post_id = approve(session, rt, office)
    w = new_worker(rt, "w1")
    w.heartbeat()
    old = claim_one(rt, "w1", office, "scripted", clock)
    clock.advance(seconds=16)
    assert reap_dead(rt, clock) == [old.delivery_id]
    scripted.found = None  # the platform says it does not have it: send again
    assert reconcile_unknown(rt, clock()) == {old.delivery_id: "send again"}
    new = claim_one(rt, "w1", office, "scripted", clock)
    assert new.token != old.token

    def snapshot() -> tuple:
        session.expire_all()
        d = session.get(Delivery, old.delivery_id)
        attempts = [(a.number, a.worker_id, a.finished_at, a.outcome, a.error) for a in session.scalars(
            select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == d.id).order_by(DeliveryAttempt.id))]
        audit = session.scalar(select(func.count()).select_from(AuditEvent))
        alerts = session.scalar(select(func.count()).select_from(Alert))
        row = (d.status, d.error_kind, d.remote_id, d.url, d.sent_at, d.lease_owner, d.lease_token, d.attempts,
               d.next_attempt_at, attempts, audit, alerts, post_status(session, post_id))
        session.commit()
        return row

    before = snapshot()
    with rt.sessions() as s:
        for result in (Published("late-1", "https://example.test/late"), Rejected("no"), Retryable("later"),
                       OutcomeUnknown("maybe")):
            assert dispatch.record_outcome(s, old, "w1", clock(), result, POLICY) == "fenced"
            dispatch.record_outcomes(s, [(old, result)], "w1", clock(), POLICY)
        s.commit()
    assert snapshot() == before
    with rt.sessions() as s:  # the live claim records as ever
        assert dispatch.record_outcome(s, new, "w1", clock(), Published("r2", "https://example.test/2"),
                                       POLICY) == "sent"
        s.commit()
    delivery = state(session, post_id)
    assert (delivery.status, delivery.remote_id, delivery.lease_token) == ("sent", "r2", None)


def test_a_worker_declared_dead_mid_send_records_nothing_resends_nothing_and_goes_on_as_another(
        rt, session, office, gated, clock):
    sends = gated(1, idempotent=False)
    post_id = approve(session, rt, office)
    worker = new_worker(rt, "w1")
    try:
        worker.heartbeat()
        worker.dispatch_pass(probe=False)
        sends.wait_running(1)  # on the wire, and then the worker falls silent
        clock.advance(seconds=16)
        reaper = new_worker(rt, "reaper")
        reaper.heartbeat()
        reaper.reap_and_reconcile()  # taken; the scripted platform cannot tell: a person decides
        reaper.close()
        taken = state(session, post_id)
        assert (taken.status, taken.error_kind) == ("unknown", "needs_person")
        sends.gate.set()  # the platform answers the dead worker: "published"
        deadline = time.monotonic() + 10
        while worker._unrecorded and time.monotonic() < deadline:
            time.sleep(0.01)
        after = state(session, post_id)
        assert (after.status, after.error_kind, after.remote_id, after.error) == \
            ("unknown", "needs_person", None, taken.error)
        worker.heartbeat()  # learns that it was declared dead
        assert worker.id != "w1"
        assert session.get(WorkerBeat, worker.id).declared_dead_at is None
        session.commit()
        worker.run_until_idle(timeout=10)  # the new incarnation goes on, and leaves the old claim alone
        assert sends.peak == 1
        assert state(session, post_id).status == "unknown"
        assert session.scalar(select(func.count()).select_from(DeliveryAttempt)) == 1
        session.commit()
    finally:
        sends.gate.set()
        worker.close()


def test_a_worker_that_cannot_beat_starts_no_send(rt, session, office, portal, clock):
    """Half the grace after its last stored heartbeat, a worker claims nothing and its HTTP session
    refuses to start a request: whatever it has on the wire then ends before the others look."""
    post_id = approve(session, rt, office, channels=("portal2",))
    worker = Worker(rt, WorkerOptions(policy=POLICY, threads=4, dead_worker_grace=timedelta(seconds=2)),
                    worker_id="w1")
    try:
        worker.heartbeat()
        assert worker.may_send()
        time.sleep(1.1)
        assert not worker.may_send()
        worker.dispatch_pass(probe=False)
        assert state(session, post_id, "portal2").status == "pending"
        with pytest.raises(NotSending):
            worker.http.post(portal.url, data=b"{}", allow_redirects=False)
        assert portal.requests == []
        worker.options = replace(worker.options, dead_worker_grace=timedelta(minutes=1))  # no race with a slow run
        worker.heartbeat()
        worker.run_until_idle(timeout=10)
        assert state(session, post_id, "portal2").status == "sent"
    finally:
        worker.close()
