"""Events through their service: who may plan them, SEQUENCE, versions, occurrences, officials, the audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from publisher.activities import events
from publisher.activities.input import read_event
from publisher.core.errors import Conflict, Forbidden, Invalid
from publisher.core.models import AuditEvent
from tests.factories.events import edit_event, event_fields, make_event, make_official


def audit_actions(session, event):
    return [e.action for e in session.scalars(select(AuditEvent).where(AuditEvent.subject == f"event:{event.id}")
                                              .order_by(AuditEvent.id))]


def test_officers_and_the_cabinet_plan_events_and_others_may_not(session, staff, minister):
    office = staff
    made = make_event(session, office.actor("milica"), officials=[minister.id])
    assert made.official_ids == {minister.id} and made.sequence == 0
    assert made.uid.endswith("@publisher.events")
    make_event(session, office.actor("ana"))
    for name in ("marko", "jelena", "admin"):
        with pytest.raises(Forbidden, match="planning an event needs the role officer or cabinet"):
            make_event(session, office.actor(name))


def test_an_edit_raises_the_sequence_and_is_audited_with_before_and_after(session, office):
    event = make_event(session, office.actor("ana"))
    session.commit()
    edit_event(session, office.actor("bojan"), event, place="Сала 2")
    assert event.sequence == 1 and event.place == "Сала 2"
    assert event.writer_ids == {office.users["ana"].id, office.users["bojan"].id}
    assert audit_actions(session, event) == ["event.create", "event.edit"]


def test_an_edit_of_a_stale_version_is_refused(session, office):
    event = make_event(session, office.actor("ana"))
    session.commit()
    seen = event.version
    edit_event(session, office.actor("bojan"), event, place="Сала 2")
    session.commit()
    with pytest.raises(Conflict, match="someone else changed this event"):
        events.update(session, office.actor("ana"), event.id, read_event(event_fields(place="Сала 3")),
                      expected_version=seen)


def test_cancelling_raises_the_sequence_and_is_audited_with_its_reason(session, office):
    event = make_event(session, office.actor("ana"))
    events.set_status(session, office.actor("bojan"), event.id, "cancelled", reason="Министарка је болесна")
    assert event.status == "cancelled" and event.sequence == 1
    row = session.scalars(select(AuditEvent).where(AuditEvent.action == "event.status")).one()
    assert row.before == {"status": "confirmed"} and row.after == {"status": "cancelled"}
    assert row.detail == {"reason": "Министарка је болесна"}
    with pytest.raises(Forbidden):
        events.set_status(session, office.actor("jelena"), event.id, "confirmed")
    with pytest.raises(Invalid, match="status must be one of"):
        events.set_status(session, office.actor("ana"), event.id, "maybe")


def test_one_occurrence_of_a_weekly_meeting_is_cancelled_or_moved_and_an_edit_keeps_them(session, office):
    event = make_event(session, office.actor("ana"), kind="working_meeting", start="2026-12-07T09:00",
                       end="2026-12-07T10:00", rule="FREQ=WEEKLY;BYDAY=MO;COUNT=10")
    events.cancel_occurrence(session, office.actor("ana"), event.id, "2026-12-14T09:00")
    events.move_occurrence(session, office.actor("ana"), event.id, "2026-12-21T09:00", "2026-12-22T12:00")
    assert event.exceptions == {"skipped": ["2026-12-14T09:00"],
                                "moved": [{"original": "2026-12-21T09:00", "start": "2026-12-22T12:00"}]}
    assert event.sequence == 2
    edit_event(session, office.actor("bojan"), event, place="Кабинет министра")
    assert event.exceptions["skipped"] == ["2026-12-14T09:00"]
    with pytest.raises(Invalid, match="is not an occurrence of this series"):
        events.cancel_occurrence(session, office.actor("ana"), event.id, "2026-12-15T09:00")
    events.restore_occurrence(session, office.actor("ana"), event.id, "2026-12-14T09:00")
    assert event.exceptions["skipped"] == []
    for far in ("0001-01-01T00:30", "9999-12-31T23:30"):  # the core refuses them, not only the API
        with pytest.raises(Invalid, match="must start in the years 1900 to 2999"):
            events.move_occurrence(session, office.actor("ana"), event.id, "2026-12-28T09:00", far)
    assert event.exceptions["moved"] == [{"original": "2026-12-21T09:00", "start": "2026-12-22T12:00"}]


def test_a_single_event_has_no_occurrences_to_cancel(session, office):
    event = make_event(session, office.actor("ana"))
    with pytest.raises(Invalid, match="only a recurring event"):
        events.cancel_occurrence(session, office.actor("ana"), event.id, "2026-12-07T10:00")


def test_officials_must_be_on_the_list_and_active_unless_already_there(session, office, minister):
    with pytest.raises(Invalid, match="no official with id 999"):
        make_event(session, office.actor("ana"), officials=[999])
    event = make_event(session, office.actor("ana"), officials=[minister.id])
    former = make_official(session, "Петар Петровић", "state_secretary", active=False)
    with pytest.raises(Invalid, match="no longer on the list"):
        edit_event(session, office.actor("ana"), event, officials=[minister.id, former.id])
    minister.active = False
    edit_event(session, office.actor("ana"), event, place="Сала 3")  # still there: kept
    assert event.official_ids == {minister.id}


def test_a_failed_edit_leaves_the_event_as_it_was(session, office):
    event = make_event(session, office.actor("ana"))
    session.commit()
    with pytest.raises(Invalid):
        edit_event(session, office.actor("bojan"), event, officials=[12345])
    session.rollback()
    session.expire_all()
    assert event.sequence == 0 and audit_actions(session, event) == ["event.create"]
