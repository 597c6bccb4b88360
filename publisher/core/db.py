"""Engines and sessions for SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from publisher.core.files import private_file

SQLITE_BUSY_TIMEOUT_MS = 15_000
SQLITE_BEGIN = "publisher_sqlite_begin"


def make_engine(url: str, **kw: object) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, **kw)
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return create_engine(url, pool_pre_ping=True, **kw)


def _sqlite_engine(url: str, **kw: object) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        # Created here with mode 0600 (in a 0700 folder) before SQLite opens it: SQLite gives the -wal and
        # -shm files the database file's mode, so all three stay private.
        private_file(Path(database))
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kw)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # noqa: ANN001
        # Take over transaction control from the sqlite3 module so we can say BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # noqa: ANN001
        # Writers say IMMEDIATE to take the write lock up front: two writers then queue on the busy
        # timeout instead of one failing with "database is locked" when it upgrades a read. Readers
        # (READ_ONLY sessions) say DEFERRED so that they never hold the write lock.
        conn.exec_driver_sql(f"BEGIN {conn.get_execution_options().get(SQLITE_BEGIN, 'IMMEDIATE')}")

    return engine


def make_session_factory(engine: Engine, *, read_only: bool = False) -> sessionmaker[Session]:
    """Sessions for writing, or (read_only) for reading without taking SQLite's write lock."""
    bind = engine.execution_options(**{SQLITE_BEGIN: "DEFERRED"}) if read_only else engine
    return sessionmaker(bind=bind, expire_on_commit=False)


def ping(engine: Engine) -> None:
    """A round trip to the database; raises OperationalError when it is not reachable."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
