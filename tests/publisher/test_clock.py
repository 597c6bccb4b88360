"""One clock: a runtime's services and the sessions it makes tell the same time."""

from __future__ import annotations

from datetime import UTC, datetime

from publisher.core import clock
from publisher.publishing import alerts, holds

STOPPED = datetime(2031, 3, 30, 0, 30, 15, 250000, tzinfo=UTC)


def test_a_session_tells_its_runtimes_time_even_when_the_clock_is_replaced_later(rt):
    rt.clock = lambda: STOPPED
    with rt.sessions() as session, rt.read_sessions() as reader:
        assert clock.now(session) == clock.now(reader) == rt.now() == STOPPED


def test_a_session_no_runtime_made_tells_the_real_time():
    before = datetime.now(UTC)
    assert before <= clock.now(None) <= datetime.now(UTC)


def test_services_without_a_runtime_stamp_rows_with_the_runtimes_time(rt, session, office):
    rt.clock = lambda: STOPPED
    hold = holds.hold(session, office.actor("admin"), "Dan žalosti")
    alert = alerts.raise_alert(session, "stale:1", "stale", "late")
    session.commit()
    assert hold.created_at == STOPPED
    assert alerts.open_alerts(session)[0].created_at == STOPPED
    assert alert is None or alert.created_at == STOPPED
