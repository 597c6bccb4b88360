"""The application's PostgreSQL role, granted as docs/operations.md says, appends and seals audit rows but
cannot drop, disable or go round the protection (SQLite has no roles: see docs/operations.md)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError

from publisher.audit import chain, trail
from publisher.core.db import make_engine, make_session_factory
from tests.factories.people import SYSTEM

# The grants of docs/operations.md, run by the owner after `publisher init`.
GRANTS = """
GRANT USAGE ON SCHEMA public TO {app};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app};
REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON audit_events, audit_chain FROM {app};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app};
"""


@pytest.fixture
def app_sessions(rt):
    if rt.engine.dialect.name != "postgresql":
        pytest.skip("roles are PostgreSQL's; on SQLite the file's permissions are the protection")
    role = f"publisher_app_{secrets.token_hex(4)}"
    with rt.engine.begin() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN"))
        for statement in GRANTS.format(app=role).strip().splitlines():
            conn.execute(text(statement))
    engine = make_engine(make_url(rt.settings.database_url).set(username=role).render_as_string(hide_password=False))
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()
        with rt.engine.begin() as conn:
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE {role}"))


def test_the_application_role_appends_and_seals(app_sessions):
    with app_sessions() as session:
        trail.record(session, SYSTEM, "test.event", detail={"n": 1})
        session.commit()
        assert chain.seal(session, datetime.now(UTC)) >= 1
        session.commit()


@pytest.mark.parametrize("statement", [
    "UPDATE audit_events SET action = 'forged'",
    "DELETE FROM audit_events",
    "TRUNCATE audit_events",
    "DELETE FROM audit_chain",
    "ALTER TABLE audit_events DISABLE TRIGGER ALL",
    "DROP TRIGGER audit_events_append_only ON audit_events",
    "SET session_replication_role = replica",
])
def test_the_application_role_cannot_go_round_the_protection(app_sessions, statement):
    with app_sessions() as session:
        trail.record(session, SYSTEM, "test.event")
        session.commit()
        with pytest.raises(DatabaseError, match="permission denied|must be owner|append-only"):
            session.execute(text(statement))
