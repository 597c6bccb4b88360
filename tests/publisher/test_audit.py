"""The audit log is append-only in the database itself."""

from __future__ import annotations

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
