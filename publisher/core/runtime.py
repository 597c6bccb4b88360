"""Everything a service needs besides its session, built once from the settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from publisher.core.clock import SESSION_KEY, system_now
from publisher.core.config import Settings
from publisher.core.credentials import CredentialBox
from publisher.core.db import make_engine, make_session_factory


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    box: CredentialBox
    read_sessions: sessionmaker[Session]
    clock: Callable[[], datetime] = field(default=system_now)  # every service's "now" (publisher.core.clock)

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

    def __post_init__(self) -> None:
        # Sessions carry this runtime's clock, read through `now` so that a clock replaced later still rules.
        for factory in (self.sessions, self.read_sessions):
            factory.configure(info={SESSION_KEY: self.now})

    def now(self) -> datetime:
        return self.clock()

    def dispose(self) -> None:
        self.engine.dispose()
