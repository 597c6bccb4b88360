"""Throttling per SMTP server (host:port), across every worker: the database holds the counts.

A claim first locks the server's row (an UPDATE: a row lock on PostgreSQL; on SQLite every writing
transaction is already alone, BEGIN IMMEDIATE), then counts what is on the wire and what went out in the
last minute, so two workers claiming at once see each other's claims."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import distinct, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from publisher.outbox.models import SENDING, OutboxRecipient, OutboxServer

MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class Limits:
    per_minute: int = 60  # recipients claimed per server in any 60 seconds
    connections: int = 2  # connections open to it at once, one per claim


def lock_server(session: Session, server: str, now: datetime) -> None:
    """Take the server's row for this transaction; claims for the same server wait for each other."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(OutboxServer).values(server=server, claimed_at=None)
                    .on_conflict_do_nothing(index_elements=["server"]))
    session.execute(update(OutboxServer).where(OutboxServer.server == server).values(claimed_at=now))


def room(session: Session, server: str, now: datetime, limits: Limits) -> int:
    """How many recipients may be claimed for one more connection now (0: wait). Call under lock_server."""
    live = (OutboxRecipient.server == server, OutboxRecipient.state == SENDING, OutboxRecipient.lease_until > now)
    connections = session.scalar(select(func.count(distinct(OutboxRecipient.lease_token))).where(*live)) or 0
    if connections >= limits.connections:
        return 0
    recent = session.scalar(select(func.count()).select_from(OutboxRecipient).where(
        OutboxRecipient.server == server, OutboxRecipient.attempt_at > now - MINUTE)) or 0
    return max(limits.per_minute - recent, 0)
