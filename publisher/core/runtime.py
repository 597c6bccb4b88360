"""Everything a service needs besides its session, built once from the settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from publisher.core.config import Settings
from publisher.core.credentials import CredentialBox
from publisher.core.db import make_engine, make_session_factory


def precise_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    box: CredentialBox
    read_sessions: sessionmaker[Session]
    clock: Callable[[], datetime] = field(default=precise_now)  # the worker's sense of "due"

    @classmethod
    def from_settings(cls, settings: Settings) -> Runtime:
        # Sender threads never touch the database (the worker reads a batch's content up front), so a
        # small pool serves the dispatch loop, the recorder, the jobs and the web's request threads. It is
        # larger than SQLAlchemy's default of 5: an overflow connection is opened and closed around each
        # use, which on PostgreSQL costs a backend start every time.
        engine = make_engine(settings.database_url, pool_size=12, max_overflow=12)
        return cls(settings=settings, engine=engine, sessions=make_session_factory(engine),
                   read_sessions=make_session_factory(engine, read_only=True),
                   box=CredentialBox(settings.credential_keys))

    def dispose(self) -> None:
        self.engine.dispose()
