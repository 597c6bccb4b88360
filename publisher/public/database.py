"""The public site's connection to the database: reading only what is public, writing only its form tables.

PostgreSQL: PUBLISHER_PUBLIC_DATABASE_URL names a role made by `publisher public-role create`; the database
itself refuses everything else (publisher/public/role.py). Without it the public app uses the main URL with
the main role's rights (one host, one role): say so in the operations guide, do not pretend.

SQLite (one host only: a file cannot be shared between hosts): pages read through a connection opened with
`mode=ro`, which SQLite itself keeps from writing; public forms write through a second connection whose
SQLite authorizer refuses every write outside PUBLIC_FORM_WRITES and every schema change. Two engines, because
a read-only SQLite connection cannot write even its form tables.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url

from publisher.core.config import Settings
from publisher.core.credentials import CredentialBox
from publisher.core.db import make_engine, make_session_factory
from publisher.core.runtime import Runtime
from publisher.public.reads import PUBLIC_FORM_WRITES

POOL = {"pool_size": 8, "max_overflow": 8}
# What a public form's connection may do on SQLite besides INSERT/UPDATE/DELETE on its own tables.
_ALLOWED_ACTIONS = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_TRANSACTION,
                              sqlite3.SQLITE_SAVEPOINT, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE})
_WRITES = frozenset({sqlite3.SQLITE_INSERT, sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_DELETE})


def public_runtime(settings: Settings) -> Runtime:
    """The runtime of `publisher serve --public`: its engines as above, the same settings otherwise."""
    box = CredentialBox(settings.credential_keys)
    url = make_url(settings.public_database_url or settings.database_url)
    if url.get_backend_name() != "sqlite" or settings.public_database_url:
        engine = make_engine(url.render_as_string(hide_password=False), **POOL)
        return Runtime(settings=settings, engine=engine, sessions=make_session_factory(engine),
                       read_sessions=make_session_factory(engine, read_only=True), box=box)
    reader = make_engine(read_only_sqlite_url(settings.database_url), **POOL)
    forms = form_writer_engine(settings.database_url)
    return Runtime(settings=settings, engine=reader, sessions=make_session_factory(forms),
                   read_sessions=make_session_factory(reader, read_only=True), box=box)


def read_only_sqlite_url(database_url: str) -> str:
    """The same SQLite file as a URI opened with mode=ro: SQLite refuses any write on it."""
    database = make_url(database_url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise ValueError(f"the public site needs an SQLite file, not {database!r}")
    return f"sqlite:///file:{Path(database).resolve().as_posix()}?mode=ro&uri=true"


def form_writer_engine(database_url: str) -> Engine:
    """An SQLite engine that may write the public form tables and nothing else."""
    engine = make_engine(database_url, pool_size=2, max_overflow=4)

    @event.listens_for(engine, "connect")
    def _limit_writes(dbapi_connection, _record) -> None:  # noqa: ANN001
        # After publisher.core.db's own connect hook (listeners run in order), which sets the pragmas.
        dbapi_connection.set_authorizer(_form_tables_only)

    return engine


def _form_tables_only(action: int, first: str | None, second: str | None, _db: str | None,
                      _source: str | None) -> int:
    if action in _ALLOWED_ACTIONS:
        return sqlite3.SQLITE_OK
    if action in _WRITES and first in PUBLIC_FORM_WRITES:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA and second is None:
        return sqlite3.SQLITE_OK  # reading a setting; publisher.core.db set them all before this authorizer
    return sqlite3.SQLITE_DENY
