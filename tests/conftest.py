"""Fixtures shared by every test: both databases, a runtime, the office's people and channels.

Every database test runs twice, on SQLite and on PostgreSQL. PostgreSQL tests use a database of
their own, created for the run and dropped after it. With CI=true a missing PostgreSQL fails the run.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
import requests
from cryptography.fernet import Fernet
from sqlalchemy import text

from publisher.core import schema
from publisher.core.config import Settings
from publisher.core.db import make_engine
from publisher.core.models import Base
from publisher.core.runtime import Runtime
from tests.factories.office import PORTAL_SECRET, Office, add_people, make_office
from tests.factories.people import STAFF
from tests.support.portal_receiver import PortalReceiver

POSTGRES_URL = os.environ.get("PUBLISHER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
BACKENDS = ("sqlite", "postgresql")


def require_service(what: str, error: Exception) -> None:
    """A missing service fails in CI and skips (loudly) on a developer's machine."""
    message = f"{what} is not available: {error}"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    schema.upgrade(engine)
    engine.dispose()
    return path


@contextmanager
def new_postgres_database(prefix: str) -> Iterator[str]:
    """An empty PostgreSQL database of its own, dropped afterwards; fails in CI when there is no server."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        require_service("PostgreSQL at " + POSTGRES_URL, exc)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="session")
def postgres_database():
    with new_postgres_database("publisher_test") as url:
        engine = make_engine(url)
        schema.upgrade(engine)
        engine.dispose()
        yield url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "publisher.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    return request.getfixturevalue("postgres_database")


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        media_dir=tmp_path / "media",
        secret_key="test-secret",
        credential_keys=(Fernet.generate_key().decode(),),
        instance_dir=tmp_path / "instance",
    )


@pytest.fixture
def rt(settings: Settings):
    runtime = Runtime.from_settings(settings)
    yield runtime
    if runtime.engine.dialect.name == "postgresql":
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with runtime.engine.begin() as conn:
            # The audit log refuses TRUNCATE (migration 0007); a test database is emptied as a replica
            # would be, with ordinary triggers off for this transaction only (the tests run as superuser).
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    runtime.dispose()


@pytest.fixture
def portal():
    """A loopback state portal that checks signatures and records every request (PORTAL_SECRET)."""
    with PortalReceiver(PORTAL_SECRET) as receiver:
        yield receiver


@pytest.fixture
def session(rt: Runtime):
    with rt.sessions() as s:
        yield s


@pytest.fixture
def office(rt: Runtime, session) -> Office:
    """The office's people (with API tokens) and its "portal" and "archive" channels (tests.factories.office)."""
    return make_office(session, rt)


@pytest.fixture
def staff(office: Office, session) -> Office:
    """The office with one person for each newer role: dragan (head of office), milica (cabinet), sanja
    (information requests officer), tests.factories.people.STAFF."""
    add_people(session, office, STAFF)
    session.commit()
    return office


@pytest.fixture
def http() -> Iterator[requests.Session]:
    """The HTTP session an adapter gets in a test: no proxy from the environment between us and 127.0.0.1."""
    session = requests.Session()
    session.trust_env = False
    yield session
    session.close()
