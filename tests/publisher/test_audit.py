"""The audit log is append-only in the database itself."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DatabaseError

from publisher.audit import trail
from publisher.core.models import AuditEvent
from tests.factories.people import SYSTEM


def test_events_cannot_be_changed_or_deleted(session):
    trail.record(session, SYSTEM, "test.event", detail={"n": 1})
    session.commit()
    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(update(AuditEvent).values(action="forged"))
        session.flush()
    session.rollback()
    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(delete(AuditEvent))
    session.rollback()
    assert session.scalar(select(AuditEvent.action)) == "test.event"


def test_a_batch_writes_what_one_record_each_would(session, office):
    at = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
    ana = office.actor("ana")
    trail.record_batch(session.connection(), ana, at, [
        {"action": "test.batch", "subject": "thing:1", "after": {"n": 1}},
        {"action": "test.batch", "subject": "thing:2", "before": {"n": 1}, "detail": {"why": "test"}},
    ])
    session.commit()
    rows = session.scalars(select(AuditEvent).where(AuditEvent.action == "test.batch").order_by(AuditEvent.id)).all()
    assert [(r.actor_id, r.actor_name, r.who, r.via, r.subject, r.before, r.after, r.detail) for r in rows] == [
        (office.users["ana"].id, "", "ana", "test", "thing:1", None, {"n": 1}, None),
        (office.users["ana"].id, "", "ana", "test", "thing:2", {"n": 1}, None, {"why": "test"}),
    ]
    assert {r.at for r in rows} == {at}


def test_a_batch_refuses_a_field_the_log_does_not_have(session):
    with pytest.raises(TypeError, match="no field"):
        trail.record_batch(session.connection(), SYSTEM, datetime.now(UTC), [{"action": "x", "colour": "red"}])


def test_an_event_cannot_be_replaced_in_place(session, rt):
    trail.record(session, SYSTEM, "test.event", detail={"n": 1})
    session.commit()
    event_id = session.scalar(select(AuditEvent.id).where(AuditEvent.action == "test.event"))
    if rt.engine.dialect.name == "sqlite":
        forge = text("INSERT OR REPLACE INTO audit_events (id, at, actor_name, via, action, subject) "
                     "VALUES (:id, '2020-01-01 00:00:00', 'forger', 'sql', 'forged', '')")
    else:
        forge = text("INSERT INTO audit_events (id, at, actor_name, via, action, subject) "
                     "VALUES (:id, now(), 'forger', 'sql', 'forged', '') ON CONFLICT (id) DO UPDATE SET action = 'forged'")
    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(forge, {"id": event_id})
    session.rollback()
    assert session.scalar(select(AuditEvent.action).where(AuditEvent.id == event_id)) == "test.event"


def test_the_log_cannot_be_emptied_at_once(session, rt):
    trail.record(session, SYSTEM, "test.event")
    session.commit()
    statement = "DELETE FROM audit_events" if rt.engine.dialect.name == "sqlite" else "TRUNCATE audit_events CASCADE"
    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(text(statement))
    session.rollback()
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == 1
