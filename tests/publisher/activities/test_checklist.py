"""An event's checklist: its kind's defaults added once, hand-typed items, ticking with who and when, removing,
who may change it, and every change audited on the event."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from publisher.activities import checklist
from publisher.core.errors import Forbidden, Invalid, NotFound
from publisher.core.models import AuditEvent
from tests.factories.events import make_event


def actions(session, event):
    return [e.action for e in session.scalars(select(AuditEvent).where(AuditEvent.subject == f"event:{event.id}")
                                              .order_by(AuditEvent.id))]


def test_the_defaults_of_the_kind_come_once_and_an_emptied_list_stays_empty(session, office):
    event = make_event(session, office.actor("ana"))
    reception = make_event(session, office.actor("ana"), kind="reception")
    session.commit()
    shown = checklist.ensure_checklist(session, office.actor("jelena"), event)  # a manager reads it first
    assert [i.key for i in shown] == ["invite_media", "prepare_statement", "book_room", "photographer",
                                      "accreditations"]
    assert "interpreter" in [i.key for i in checklist.ensure_checklist(session, office.actor("ana"), reception)]
    assert [i.key for i in checklist.ensure_checklist(session, office.actor("ana"), event)] == \
        [i.key for i in shown]  # opened again: nothing added twice
    for item in shown:
        checklist.remove(session, office.actor("bojan"), event.id, item.id)
    session.commit()
    assert checklist.ensure_checklist(session, office.actor("ana"), event) == []
    assert actions(session, event).count("event.checklist_defaults") == 1


def test_ticking_keeps_who_and_when_and_hand_typed_items_go_last(session, office):
    event = make_event(session, office.actor("ana"), kind="interview")
    session.commit()
    first = checklist.ensure_checklist(session, office.actor("ana"), event)[0]
    ticked = checklist.set_done(session, office.actor("bojan"), event.id, first.id, True)
    assert ticked.done_by_id == office.users["bojan"].id and ticked.done_at is not None
    checklist.set_done(session, office.actor("ana"), event.id, first.id, True)  # already done: unchanged
    assert ticked.done_by_id == office.users["bojan"].id
    typed = checklist.add(session, office.actor("ana"), event.id, "  Водитељ   на српском и енглеском ")
    assert typed.key is None and typed.text == "Водитељ на српском и енглеском"
    assert checklist.items(session, event.id)[-1].id == typed.id
    checklist.set_done(session, office.actor("ana"), event.id, first.id, False)
    assert first.done_at is None and first.done_by_id is None
    session.commit()
    assert actions(session, event)[-3:] == ["event.checklist_tick", "event.checklist_add", "event.checklist_untick"]


def test_only_editors_change_it_and_bad_input_is_refused_by_name(session, office):
    event = make_event(session, office.actor("ana"))
    other = make_event(session, office.actor("ana"))
    session.commit()
    item = checklist.ensure_checklist(session, office.actor("ana"), event)[0]
    with pytest.raises(Forbidden):
        checklist.set_done(session, office.actor("jelena"), event.id, item.id, True)
    with pytest.raises(Forbidden):
        checklist.add(session, office.actor("marko"), event.id, "Нешто")
    with pytest.raises(Invalid, match="type what is to be done"):
        checklist.add(session, office.actor("ana"), event.id, "   ")
    with pytest.raises(Invalid, match="at most 300"):
        checklist.add(session, office.actor("ana"), event.id, "x" * 301)
    with pytest.raises(NotFound):  # an item of another event is not reached through this one
        checklist.set_done(session, office.actor("ana"), other.id, item.id, True)
    with pytest.raises(NotFound):
        checklist.remove(session, office.actor("ana"), event.id, 2**40)
