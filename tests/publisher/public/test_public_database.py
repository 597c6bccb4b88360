"""What the public site's database connection can do: read the feeds, write its form counters, and nothing
else. PostgreSQL: a role made by `publisher public-role create`; SQLite: the file opened read-only, with a
second connection that may write only the form tables."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError, OperationalError, ProgrammingError

from publisher import cli
from publisher.activities import approval as event_approval
from publisher.activities.agenda_feed import public_agenda
from publisher.approval import service as approval
from publisher.core.errors import Malformed
from publisher.public import form_guard
from publisher.public.database import public_runtime
from publisher.public.role import create_public_role
from publisher.publishing.feeds import load_feed
from tests.factories.events import make_event
from tests.publisher.public.conftest import NOW

ON_POSTGRESQL = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
ON_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def as_role(settings, database_url: str, name: str):
    url = make_url(database_url).set(username=name, password="s3cret'pass")
    return public_runtime(dataclasses.replace(settings, public_database_url=url.render_as_string(False)))


REFUSALS = ("permission denied", "readonly database", "not authorized")


def refused(session, statement: str) -> bool:
    """True when the database refuses the statement for want of rights (any other error fails the test)."""
    try:
        session.execute(text(statement))
    except (ProgrammingError, OperationalError, DatabaseError) as exc:
        session.rollback()
        assert any(words in str(exc.orig) for words in REFUSALS), exc
        return True
    session.rollback()
    return False


@ON_POSTGRESQL
def test_the_public_role_reads_the_feed_and_nothing_private(rt, settings, database_url, published, pg_public_role):
    assert create_public_role(rt.engine, pg_public_role, "s3cret'pass") is True
    public = as_role(settings, database_url, pg_public_role)
    try:
        with public.read_sessions() as session:
            feed = load_feed(session, "vesti")
            assert [entry.title for entry in feed.entries] == ["Javno saopštenje"]
            assert refused(session, "SELECT * FROM users")
            assert refused(session, "SELECT password_hash FROM users")
            assert refused(session, "SELECT credentials FROM channels")  # the channels' secrets
            assert refused(session, "SELECT * FROM audit_events")
            assert refused(session, "SELECT * FROM api_tokens")
            assert refused(session, "SELECT body FROM posts")  # drafts' text: only what a feed needs
        with public.sessions() as session:
            assert refused(session, "UPDATE posts SET title = 'x'")
            assert refused(session, "DELETE FROM deliveries")
            assert refused(session, "INSERT INTO request_counters VALUES ('api_refused', 'x', now(), 1)")
            assert refused(session, "CREATE TABLE mine (id int)")
            form_guard.count(session, "contact", "192.0.2.1", form_guard.Outcome.ACCEPTED, NOW)
            form_guard.count(session, "contact", "192.0.2.1", form_guard.Outcome.ACCEPTED, NOW)  # the upsert
            session.commit()
            assert form_guard.counts(session, "contact") == {"accepted": 2}
            assert refused(session, "DELETE FROM public_form_counters")  # insert and count up, never erase
    finally:
        public.dispose()


@ON_POSTGRESQL
def test_running_it_again_takes_back_what_the_list_does_not_give(rt, settings, database_url, pg_public_role):
    create_public_role(rt.engine, pg_public_role)
    with rt.engine.begin() as conn:
        conn.execute(text(f'GRANT SELECT ON users TO "{pg_public_role}"'))
        conn.execute(text(f'GRANT SELECT (credentials) ON channels TO "{pg_public_role}"'))
    assert create_public_role(rt.engine, pg_public_role, "s3cret'pass") is False  # updated, not created
    public = as_role(settings, database_url, pg_public_role)
    try:
        with public.read_sessions() as session:
            assert refused(session, "SELECT name FROM users")
            assert refused(session, "SELECT credentials FROM channels")
            assert not refused(session, "SELECT id, config FROM channels")
    finally:
        public.dispose()


@ON_POSTGRESQL
def test_the_command_creates_the_role(monkeypatch, capsys, settings, database_url, pg_public_role):
    monkeypatch.setenv("PUBLISHER_DATABASE_URL", database_url)
    monkeypatch.setenv("PUBLISHER_INSTANCE_DIR", str(settings.instance_dir))
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("s3cret'pass\n"))
    assert cli.main(["public-role", "create", pg_public_role, "--password-stdin"]) == 0
    assert f"role {pg_public_role} created" in capsys.readouterr().out
    assert cli.main(["public-role", "create", "Robert'); DROP TABLE users;--"]) == 1
    assert "is not a role name" in capsys.readouterr().err
    public = as_role(settings, database_url, pg_public_role)  # the password from stdin works
    try:
        with public.read_sessions() as session:
            assert session.scalar(text("SELECT current_user")) == pg_public_role
    finally:
        public.dispose()


@ON_SQLITE
def test_there_is_no_role_on_sqlite(rt):
    with pytest.raises(Malformed, match="only on PostgreSQL"):
        create_public_role(rt.engine, "publisher_public")


@ON_SQLITE
def test_the_sqlite_public_app_reads_but_cannot_write(settings, published):
    public = public_runtime(settings)
    try:
        with public.read_sessions() as session:
            assert [e.title for e in load_feed(session, "vesti").entries] == ["Javno saopštenje"]
        with public.read_sessions() as session:
            assert refused(session, "UPDATE posts SET title = 'x'")  # SQLite: attempt to write a readonly db
            assert refused(session, "INSERT INTO public_form_counters VALUES ('f', 'a', 'accepted', "
                                    "'2026-01-01 00:00:00', 1)")
        with public.sessions() as session:  # the form writer: its own tables only
            assert refused(session, "UPDATE posts SET title = 'x'")
            assert refused(session, "DELETE FROM users")
            assert refused(session, "INSERT INTO request_counters VALUES ('api_refused', 'x', '2026-01-01', 1)")
            assert refused(session, "DROP TABLE public_form_counters")
            assert refused(session, "PRAGMA foreign_keys = OFF")
            assert not refused(session, "PRAGMA foreign_keys")  # reading a setting is harmless
            form_guard.count(session, "contact", "192.0.2.1", form_guard.Outcome.HONEYPOT, NOW)
            session.commit()
            assert form_guard.counts(session, "contact") == {"honeypot": 1}
    finally:
        public.dispose()


@ON_POSTGRESQL
def test_the_public_role_reads_the_agenda_and_no_row_before_its_public_from(rt, settings, database_url, session,
                                                                            office, pg_public_role):
    shown = make_event(session, office.actor("ana"))
    later = make_event(session, office.actor("ana"), title={"sr-Cyrl": "Пут"}, public_from="2999-01-01T00:00")
    for event in (shown, later):
        subject = event_approval.subject(event)
        approval.submit(session, office.actor("ana"), subject)
        approval.approve(session, office.actor("marko"), subject, approval.current_hash(session, subject)[1])
    session.commit()
    create_public_role(rt.engine, pg_public_role, "s3cret'pass")
    public = as_role(settings, database_url, pg_public_role)
    try:
        with public.read_sessions() as read:
            # The row policy, not the query: even asking for every row shows only what is public now.
            assert read.scalars(text("SELECT uid FROM agenda_entries")).all() == [shown.uid]
            feed = public_agenda(read, datetime(2026, 12, 4, tzinfo=UTC), language="en", office_name="",
                                 days_back=30, days_ahead=365)
            assert shown.uid.encode() in feed.body and later.uid.encode() not in feed.body
            assert refused(read, "SELECT internal_notes FROM events")
    finally:
        public.dispose()
    with rt.engine.connect() as conn:  # the app's own role still sees every row
        assert conn.scalar(text("SELECT count(*) FROM agenda_entries")) == 2
