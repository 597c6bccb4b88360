"""What the public sees of an event: only a public event's last approved version, from its "public from", with
its current status; never an internal event, an internal note, a guest or an edit waiting for approval."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from publisher.activities import approval as event_approval
from publisher.activities import events
from publisher.activities.public_view import meetings, public_event, public_events
from publisher.approval import service as approval
from publisher.approval.models import ApprovalState
from publisher.core.errors import Invalid
from tests.factories.events import edit_event, make_event

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)
WEEK = (datetime(2026, 12, 7, tzinfo=UTC), datetime(2026, 12, 14, tzinfo=UTC))


def approve(session, office, event, submitter="ana", approver="marko"):
    subject = event_approval.subject(event)
    approval.submit(session, office.actor(submitter), subject)
    approval.approve(session, office.actor(approver), subject, approval.current_hash(session, subject)[1])


def approve_again(session, office, event, approver="marko"):
    subject = event_approval.subject(event)
    approval.approve(session, office.actor(approver), subject, approval.current_hash(session, subject)[1])


def shown(session, now=NOW):
    return public_events(session, now, after=WEEK[0], before=WEEK[1])


def test_nothing_is_public_before_a_second_person_approves_it(session, office):
    event = make_event(session, office.actor("ana"), guests=["Јован Јовић"])
    assert shown(session) == []
    approve(session, office, event)
    [public] = shown(session)
    assert public.title.get("sr-Latn") == "Konferencija za medije ministra"  # the other script, derived
    assert public.place == "Сала 1, Немањина 11" and public.status == "confirmed"
    text = repr(public.frozen)
    assert "Обезбеђење" not in text and "Јован Јовић" not in text  # internal notes and guests never


def test_an_internal_event_is_never_public_and_cannot_be_submitted(session, office):
    event = make_event(session, office.actor("ana"), visibility="internal")
    with pytest.raises(Invalid, match="the event is internal"):
        approval.submit(session, office.actor("ana"), event_approval.subject(event))
    assert shown(session) == []


def test_while_an_edit_waits_the_public_sees_the_last_approved_version(session, office):
    event = make_event(session, office.actor("ana"))
    approve(session, office, event)
    edit_event(session, office.actor("bojan"), event, title={"sr-Cyrl": "Нови наслов"})
    assert approval.state(session, event_approval.subject(event)) == ApprovalState.WAITING
    [public] = shown(session)
    assert public.title.get("sr-Cyrl") == "Конференција за медије министра"
    approve_again(session, office, event)
    assert shown(session)[0].title.get("sr-Cyrl") == "Нови наслов"


def test_the_author_of_an_edit_cannot_approve_it(session, office):
    event = make_event(session, office.actor("olga"))  # olga is an officer and an approver
    subject = event_approval.subject(event)
    approval.submit(session, office.actor("olga"), subject)
    with pytest.raises(Exception, match="another approver must approve it"):
        approval.approve(session, office.actor("olga"), subject, approval.current_hash(session, subject)[1])


def test_a_cancellation_goes_out_at_once_and_raises_the_sequence(session, office):
    event = make_event(session, office.actor("ana"))
    approve(session, office, event)
    before = shown(session)[0].sequence
    events.set_status(session, office.actor("bojan"), event.id, "cancelled")
    [public] = shown(session)
    assert public.status == "cancelled" and public.sequence > before
    assert approval.state(session, event_approval.subject(event)) == ApprovalState.APPROVED  # nothing to approve


def test_public_from_hides_a_trip_until_it_starts_and_a_later_one_applies_at_once(session, office):
    event = make_event(session, office.actor("ana"), kind="visit", public_from="2026-12-07T08:00")
    approve(session, office, event)
    assert shown(session, NOW) == [] and public_event(session, event.id, NOW) is None
    opened = datetime(2026, 12, 7, 7, tzinfo=UTC)  # 08:00 in Belgrade
    assert [e.id for e in shown(session, opened)] == [event.id]
    edit_event(session, office.actor("bojan"), event, public_from="2026-12-07T12:00")  # tighter: at once
    assert shown(session, opened) == []
    assert [e.id for e in shown(session, opened + timedelta(hours=4))] == [event.id]
    edit_event(session, office.actor("bojan"), event, public_from="")  # looser: waits for approval
    assert shown(session, NOW) == [] and [e.id for e in shown(session, opened)] == [event.id]
    approve_again(session, office, event)
    assert [e.id for e in shown(session, NOW)] == [event.id]


def test_made_internal_it_leaves_the_public_at_once(session, office):
    event = make_event(session, office.actor("ana"))
    approve(session, office, event)
    edit_event(session, office.actor("bojan"), event, visibility="internal")
    assert shown(session) == []


def test_a_cancelled_occurrence_goes_out_at_once_and_a_moved_one_waits(session, office):
    event = make_event(session, office.actor("ana"), kind="working_meeting", start="2026-12-07T09:00",
                       end="2026-12-07T10:00", rule="FREQ=DAILY;COUNT=5")
    approve(session, office, event)
    events.cancel_occurrence(session, office.actor("bojan"), event.id, "2026-12-08T09:00")
    events.move_occurrence(session, office.actor("bojan"), event.id, "2026-12-09T09:00", "2026-12-09T15:00")
    [public] = shown(session)
    starts = [o.start.strftime("%d %H") for o in public.occurrences(*WEEK)]
    assert starts == ["07 08", "09 08", "10 08", "11 08"]  # the 8th gone; the 9th still at its approved time


def test_the_meetings_log_lists_meetings_with_organisations_after_the_delay(session, office):
    meeting = make_event(session, office.actor("ana"), kind="working_meeting", organisations=["УНИЦЕФ"])
    press = make_event(session, office.actor("ana"), organisations=["РТС"])  # a press conference: not a meeting
    for event in (meeting, press):
        approve(session, office, event)
    span = dict(after=WEEK[0], before=WEEK[1])
    assert meetings(session, datetime(2026, 12, 9, tzinfo=UTC), delay_days=7, **span) == []
    found = meetings(session, datetime(2026, 12, 15, tzinfo=UTC), delay_days=7, **span)
    assert [m.id for m in found] == [meeting.id] and found[0].organisations == ["УНИЦЕФ"]
