"""The periodic credential check: every enabled channel is asked every few hours, the last outcome is kept,
refused or soon-expiring credentials raise one alert each, and a later check that finds them working
resolves it. Both databases; the platform is a loopback state portal or a scripted answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from channels.base import Health
from publisher.core.models import Alert, AuditEvent, Channel, ChannelCheck
from publisher.publishing import credential_checks
from publisher.publishing.credential_checks import CheckPolicy
from publisher.publishing.worker import Worker, WorkerOptions

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
FINE = Health(ok=True, message="the portal answers")
POLICY = CheckPolicy(every=timedelta(hours=6), warn_before=timedelta(days=7))


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(rt):
    clock = Clock()
    rt.clock = clock
    return clock


def run(rt, answers: dict[str, Health], clock: Clock) -> dict[str, str]:
    """One round of the job with the platforms' answers scripted by channel name (the rest answer fine)."""
    return credential_checks.check_due(rt.sessions, lambda channel: answers.get(channel.name, FINE), clock, POLICY)


def open_alerts(rt) -> list[tuple[str, str]]:
    with rt.read_sessions() as s:
        return [(a.kind, a.key) for a in s.scalars(select(Alert).where(Alert.resolved_at.is_(None)).order_by(Alert.id))]


def last(rt, channel: Channel) -> ChannelCheck:
    with rt.read_sessions() as s:
        return s.get(ChannelCheck, channel.id)


def test_each_enabled_channel_is_checked_once_per_interval(rt, office, clock, session):
    archive = office.channels["archive"]
    archive.enabled = False
    session.commit()

    assert run(rt, {"portal": FINE}, clock) == {"portal": "ok"}
    clock.now += timedelta(hours=5)
    assert run(rt, {"portal": Health.refusal("not asked")}, clock) == {}  # not due yet: nobody is asked
    clock.now += timedelta(hours=1)
    assert run(rt, {"portal": FINE}, clock) == {"portal": "ok"}

    check = last(rt, office.channels["portal"])
    assert (check.outcome, check.checked_at, check.since, check.checked_by) == ("ok", clock.now, NOW, "worker")
    assert last(rt, archive) is None and open_alerts(rt) == []


def test_refused_credentials_raise_one_alert_until_a_check_finds_them_working(rt, office, clock):
    portal = office.channels["portal"]
    refused = Health.refusal("credentials refused")

    run(rt, {"portal": refused}, clock)
    clock.now += timedelta(hours=6)
    run(rt, {"portal": refused}, clock)  # seen again: still one alert
    clock.now += timedelta(hours=6)
    run(rt, {"portal": Health(ok=False, message="the portal did not answer (ConnectionError)")}, clock)

    assert open_alerts(rt) == [("credentials_refused", f"credentials-refused:{portal.id}:202612040900")]
    assert last(rt, portal).outcome == "unchecked"  # could not tell: the alert stays as it was

    clock.now += timedelta(hours=6)
    run(rt, {"portal": FINE}, clock)

    assert open_alerts(rt) == []
    with rt.read_sessions() as s:
        alert = s.scalar(select(Alert))
        assert (alert.resolved_at, alert.resolved_by) == (clock.now, "worker")
        changes = [(e.before, e.after["outcome"]) for e in s.scalars(
            select(AuditEvent).where(AuditEvent.action == "channel.credentials",
                                     AuditEvent.subject == f"channel:{portal.id}").order_by(AuditEvent.id))]
    assert changes == [(None, "refused"), ({"outcome": "refused"}, "unchecked"), ({"outcome": "unchecked"}, "ok")]


def test_credentials_expiring_within_the_warning_period_alert_days_before(rt, office, clock):
    portal = office.channels["portal"]
    far, near = NOW + timedelta(days=60), NOW + timedelta(days=9)

    run(rt, {"portal": Health(ok=True, message="expires", expires_at=far)}, clock)
    assert open_alerts(rt) == []

    clock.now += timedelta(days=2, hours=1)  # 6 days 23 hours before `near`
    run(rt, {"portal": Health(ok=True, message="expires", expires_at=near)}, clock)
    assert open_alerts(rt) == [("credentials_expiring", f"credentials-expiring:{portal.id}:202612130900")]
    with rt.read_sessions() as s:
        assert "expire on 2026-12-13 09:00 UTC" in s.scalar(select(Alert.message))

    clock.now += timedelta(hours=6)  # a renewed token: the alert is answered
    run(rt, {"portal": Health(ok=True, message="renewed", expires_at=clock.now + timedelta(days=60))}, clock)
    assert open_alerts(rt) == []
    assert last(rt, portal).expires_at == clock.now + timedelta(days=60)


def test_a_refusal_replaces_the_expiry_alert(rt, office, clock):
    portal = office.channels["portal"]
    run(rt, {"portal": Health(ok=True, expires_at=NOW + timedelta(days=1))}, clock)
    clock.now += timedelta(days=2)
    run(rt, {"portal": Health.refusal("Facebook says the page token is not valid")}, clock)
    assert [kind for kind, _ in open_alerts(rt)] == ["credentials_refused"]
    assert last(rt, portal).since == clock.now


def test_a_channel_switched_off_while_it_was_asked_records_nothing(rt, office, clock, session):
    portal = office.channels["portal"]

    def switched_off_meanwhile(channel):
        with rt.sessions() as s:
            s.get(Channel, channel.id).enabled = False
            s.commit()
        return Health.refusal("credentials refused")

    credential_checks.check_due(rt.sessions, switched_off_meanwhile, clock, POLICY)
    assert last(rt, portal) is None and open_alerts(rt) == []


def test_the_worker_job_asks_the_portal_and_alerts_on_a_refusal(rt, office, portal, clock, session):
    """On the wire: the worker's job sends the portal the signed health request and believes its answer."""
    channel = session.get(Channel, office.channels["portal"].id)
    channel.config = {**channel.config, "health_url": portal.health_url}
    office.channels["archive"].enabled = False
    session.commit()
    worker = Worker(rt, WorkerOptions(credentials=POLICY))
    try:
        portal.script(["401"])
        worker.check_credentials()
        (request,) = portal.requests
        assert (request.method, request.path, request.signature_valid) == ("GET", "/health", True)
        assert open_alerts(rt) == [("credentials_refused", f"credentials-refused:{channel.id}:202612040900")]

        clock.now += timedelta(hours=6)
        worker.check_credentials()  # the portal answers 200 when not scripted
        assert open_alerts(rt) == [] and last(rt, channel).outcome == "ok"
        assert len(portal.requests) == 2
    finally:
        worker.close()


def test_the_settings_are_read_from_the_environment(settings):
    from publisher.core.config import Settings

    read = Settings.from_env({"PUBLISHER_CREDENTIALS_KEY": settings.credential_keys[0],
                              "PUBLISHER_SECRET_KEY": "x", "PUBLISHER_CREDENTIAL_CHECK_HOURS": "12",
                              "PUBLISHER_CREDENTIAL_WARN_DAYS": "14"}, instance_dir=settings.instance_dir)
    assert credential_checks.policy_from(read) == CheckPolicy(timedelta(hours=12), timedelta(days=14))
    defaults = Settings.from_env({"PUBLISHER_CREDENTIALS_KEY": settings.credential_keys[0],
                                  "PUBLISHER_SECRET_KEY": "x"}, instance_dir=settings.instance_dir)
    assert credential_checks.policy_from(defaults) == CheckPolicy(timedelta(hours=6), timedelta(days=7))
