"""An event's notes, minutes and report: written and edited against the version read, audited without their
text, never in what the public or a feed gets of the event."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from publisher.activities import approval, followup
from publisher.activities.feed_item import Detail, from_event
from publisher.core.errors import Conflict, Forbidden, Invalid
from publisher.core.models import AuditEvent
from tests.factories.events import make_event

MINUTES = "Записник: министарка и амбасадор договорили су заједничку радну групу."


def test_minutes_are_written_then_edited_against_the_version_read(session, office):
    event = make_event(session, office.actor("ana"), kind="working_meeting")
    session.commit()
    assert followup.records(session, office.actor("jelena"), event.id) == \
        {"notes": None, "minutes": None, "report": None}
    written = followup.save(session, office.actor("ana"), event.id, "minutes", MINUTES, expected_version=0)
    session.commit()
    seen = written.version
    followup.save(session, office.actor("bojan"), event.id, "minutes", MINUTES + " Рок: 15. јануар.",
                  expected_version=seen)
    session.commit()
    with pytest.raises(Conflict, match="someone else saved the minutes"):
        followup.save(session, office.actor("ana"), event.id, "minutes", "Моја верзија", expected_version=seen)
    with pytest.raises(Conflict, match="someone else saved"):  # two first writers: the second is refused too
        followup.save(session, office.actor("ana"), event.id, "minutes", "Нов", expected_version=0)
    kept = followup.records(session, office.actor("jelena"), event.id)["minutes"]
    assert kept.text.endswith("Рок: 15. јануар.") and kept.author_id == office.users["bojan"].id
    rows = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "event.followup")
                                .order_by(AuditEvent.id)))
    assert [r.subject for r in rows] == [f"event:{event.id}"] * 2
    assert all("Записник" not in str(r.before) + str(r.after) for r in rows)  # the text stays internal


def test_who_may_write_and_what_is_refused(session, office):
    event = make_event(session, office.actor("ana"))
    session.commit()
    with pytest.raises(Forbidden):
        followup.save(session, office.actor("jelena"), event.id, "notes", "x", expected_version=0)
    with pytest.raises(Invalid, match="kind must be one of notes, minutes, report"):
        followup.save(session, office.actor("ana"), event.id, "diary", "x", expected_version=0)
    with pytest.raises(Invalid, match="at most 100000"):
        followup.save(session, office.actor("ana"), event.id, "report", "x" * 100_001, expected_version=0)
    with pytest.raises(Conflict, match="say which version"):
        followup.save(session, office.actor("ana"), event.id, "report", "x", expected_version=None)


def test_the_follow_up_never_reaches_what_feeds_carry(session, office):
    event = make_event(session, office.actor("ana"))
    followup.save(session, office.actor("ana"), event.id, "report", "Тајни извештај о посети", expected_version=0)
    session.commit()
    carried = [repr(from_event(event, detail)) for detail in Detail] + [repr(approval.freeze(event))]
    assert all("Тајни извештај" not in text for text in carried)
    assert "Обезбеђење" in carried[-2]  # the full level does carry the event's own notes: the check reads text
