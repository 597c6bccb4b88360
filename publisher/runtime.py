"""Everything a service needs besides its session, built once from the settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from publisher.config import Settings
from publisher.credentials import CredentialBox
from publisher.db import make_engine, make_session_factory


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
        # One pooled connection per sender thread and a few for the loop, recorder and jobs: with fewer,
        # overflow connections are opened and closed around every send, which costs more than the send.
        engine = make_engine(settings.database_url, pool_size=settings.worker_threads + 8, max_overflow=16)
        return cls(settings=settings, engine=engine, sessions=make_session_factory(engine),
                   read_sessions=make_session_factory(engine, read_only=True),
                   box=CredentialBox(settings.credential_keys))

    def dispose(self) -> None:
        self.engine.dispose()
