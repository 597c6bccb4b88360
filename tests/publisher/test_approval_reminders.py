"""A post waiting for approval longer than the reminder period reminds its possible approvers, once per period,
and a worker that was stopped for days sends one reminder, not a burst."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from publisher.core.models import User
from publisher.notifications import reminders
from publisher.notifications.models import Notification
from publisher.posts import workflow
from tests.factories import posts as factories

DAY = timedelta(hours=24)
SUBMITTED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def remind_at(session, rt, when: datetime) -> list[int]:
    rt.clock = lambda: when
    reminded = reminders.remind(session, when, DAY)
    session.commit()
    return reminded


def reminded_people(session, post_id: int) -> list[str]:
    return sorted(session.scalars(select(User.name).join(Notification, Notification.user_id == User.id)
                                  .where(Notification.kind == "approval_reminder", Notification.post_id == post_id)))


def a_waiting_post(session, rt, office, **fields) -> int:
    rt.clock = lambda: SUBMITTED
    return factories.pending_post(session, rt, office, author="olga", **fields)


def test_no_reminder_before_the_period_then_one_to_each_possible_approver(session, rt, office):
    post_id = a_waiting_post(session, rt, office)
    assert remind_at(session, rt, SUBMITTED + DAY - timedelta(minutes=1)) == []
    assert remind_at(session, rt, SUBMITTED + DAY) == [post_id]
    assert reminded_people(session, post_id) == ["marko", "vesna"]  # olga wrote it


def test_once_per_period(session, rt, office):
    post_id = a_waiting_post(session, rt, office)
    first = SUBMITTED + DAY + timedelta(minutes=3)
    assert remind_at(session, rt, first) == [post_id]
    assert remind_at(session, rt, first + timedelta(hours=23)) == []
    assert remind_at(session, rt, first + DAY) == [post_id]
    assert len(reminded_people(session, post_id)) == 4


def test_after_a_long_stop_one_reminder_not_a_burst(session, rt, office):
    post_id = a_waiting_post(session, rt, office)
    back = SUBMITTED + 9 * DAY
    assert remind_at(session, rt, back) == [post_id]
    for minutes in (5, 10, 60):
        assert remind_at(session, rt, back + timedelta(minutes=minutes)) == []
    assert reminded_people(session, post_id) == ["marko", "vesna"]


def test_a_decided_post_is_not_reminded_of_and_zero_switches_reminders_off(session, rt, office):
    post_id = a_waiting_post(session, rt, office)
    assert reminders.remind(session, SUBMITTED + 5 * DAY, timedelta(0)) == []
    workflow.reject(session, rt, office.actor("marko"), post_id, "Nije gotovo.")
    session.commit()
    assert remind_at(session, rt, SUBMITTED + 5 * DAY) == []
    assert session.scalar(select(func.count()).select_from(Notification)
                          .where(Notification.kind == "approval_reminder")) == 0


def test_a_post_submitted_again_waits_a_full_period_from_then(session, rt, office):
    post_id = a_waiting_post(session, rt, office)
    assert remind_at(session, rt, SUBMITTED + DAY) == [post_id]
    workflow.reject(session, rt, office.actor("marko"), post_id, "Dopuni.")
    again = SUBMITTED + DAY + timedelta(hours=2)
    rt.clock = lambda: again
    workflow.edit_post(session, rt, office.actor("olga"), post_id, {"body": "Dopunjeno."})
    workflow.submit(session, rt, office.actor("olga"), post_id)
    session.commit()
    assert remind_at(session, rt, SUBMITTED + 2 * DAY + timedelta(minutes=1)) == []
    assert remind_at(session, rt, again + DAY) == [post_id]


def test_the_worker_reminds_after_the_period_its_settings_give(session, rt, office):
    from publisher.publishing.worker import Worker, options_from

    post_id = a_waiting_post(session, rt, office)
    rt.clock = lambda: SUBMITTED + timedelta(hours=3)
    for hours, expected in ((0, []), (4, []), (2, ["marko", "vesna"])):  # 0: off; 4 h: not yet; 2 h: due
        worker = Worker(rt, options_from(replace(rt.settings, approval_reminder_hours=hours)), worker_id="w")
        try:
            worker.remind_approvers()
        finally:
            worker.close()
        session.expire_all()
        assert reminded_people(session, post_id) == expected
        session.commit()
