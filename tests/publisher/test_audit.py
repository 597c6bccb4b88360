"""The audit log is append-only in the database itself."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select, update
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
    assert [(r.actor_id, r.actor_name, r.via, r.subject, r.before, r.after, r.detail) for r in rows] == [
        (office.users["ana"].id, "ana", "test", "thing:1", None, {"n": 1}, None),
        (office.users["ana"].id, "ana", "test", "thing:2", {"n": 1}, None, {"why": "test"}),
    ]
    assert {r.at for r in rows} == {at}


def test_a_batch_refuses_a_field_the_log_does_not_have(session):
    with pytest.raises(TypeError, match="no field"):
        trail.record_batch(session.connection(), SYSTEM, datetime.now(UTC), [{"action": "x", "colour": "red"}])
