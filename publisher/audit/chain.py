"""The audit chain: seals audit events, in id order, into a hash chain that shows any later change.

Writers never wait for the chain: `trail` inserts events as before (one INSERT per batch for the worker),
and `seal`, run by the worker's periodic job and by `publisher audit verify`, links the committed events
that follow the last link. A link stores the hash of its event's canonical content (`row_hash`) and
`chain_hash = H(previous chain_hash : event id : row_hash)`. Once sealed, an event that is changed,
removed, or slipped in among sealed ids breaks the chain (`verify.verify` names it); cutting off the tail is
seen against a head recorded elsewhere (`head()`: the backup manifest, the alert mails).

Sealing in order needs to know that no event with a lower id is still uncommitted. SQLite has one writer:
the sealing transaction holds the write lock (BEGIN IMMEDIATE), so every lower id is final. On PostgreSQL the
ids come from a sequence and transactions commit in any order: the sealer reads the sequence's last value,
then waits (briefly, never holding a lock another writer needs) until every transaction that was writing
audit events at that moment has ended; every event up to that value is then committed or gone for good.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, text
from sqlalchemy.orm import Session

from publisher.core.models import AuditEvent, AuditLink

GENESIS = "0" * 64
SEAL_BATCH = 5000
_PG_SEAL_LOCK = 7_310_001  # advisory lock: one sealer at a time
_EVENT_COLUMNS = (AuditEvent.id, AuditEvent.at, AuditEvent.actor_id, AuditEvent.actor_name, AuditEvent.via,
                  AuditEvent.action, AuditEvent.post_id, AuditEvent.subject, AuditEvent.before, AuditEvent.after,
                  AuditEvent.detail, AuditEvent.ip)


@dataclass(frozen=True)
class Head:
    """The newest link: recorded elsewhere (a backup manifest, an alert) it shows a cut tail later."""

    event_id: int
    chain_hash: str

    def __str__(self) -> str:
        return f"{self.event_id}:{self.chain_hash}"

    @classmethod
    def parse(cls, value: str) -> Head:
        """`ID:HASH` as `str(head)` writes it; a ValueError names what is wrong."""
        event_id, _, chain_hash = value.strip().partition(":")
        if not event_id.isascii() or not event_id.isdigit() or len(chain_hash) != 64 \
                or any(c not in "0123456789abcdef" for c in chain_hash):
            raise ValueError(f"{value!r} is not a head: expected ROW_ID:SHA256_HEX as `publisher audit head` prints")
        return cls(int(event_id), chain_hash)


def canonical(row: Row[Any] | Any) -> bytes:
    """An event's content as bytes that read the same from SQLite and PostgreSQL: the columns in a fixed
    order, the time in UTC to the microsecond, JSON with sorted keys, None as null."""
    at = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)
    values = [row.id, at.astimezone(UTC).isoformat(timespec="microseconds"), row.actor_id, row.actor_name, row.via,
              row.action, row.post_id, row.subject, row.before, row.after, row.detail, row.ip]
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def row_hash(row: Row[Any] | Any) -> str:
    return hashlib.sha256(canonical(row)).hexdigest()


def link_hash(previous: str, event_id: int, content_hash: str) -> str:
    return hashlib.sha256(f"{previous}:{event_id}:{content_hash}".encode()).hexdigest()


def events_query(after_id: int) -> Any:
    return select(*_EVENT_COLUMNS).where(AuditEvent.id > after_id).order_by(AuditEvent.id)


def head(session: Session | Connection) -> Head | None:
    """The newest link (None before anything was sealed): for a backup manifest (a Connection in its
    snapshot will do) and the alerts. Call `seal` first to cover the newest events."""
    row = session.execute(select(AuditLink.event_id, AuditLink.chain_hash)
                          .order_by(AuditLink.event_id.desc()).limit(1)).first()
    return Head(row.event_id, row.chain_hash) if row else None


def seal(session: Session, now: datetime, *, wait_seconds: float = 5.0, max_rows: int | None = None) -> int:
    """Link every committed event after the last link (at most about `max_rows`), in id order; returns how
    many were linked. The caller commits. On PostgreSQL, gives up (links nothing) if writers are still busy
    after `wait_seconds`."""
    limit = _pg_settled_id(session, wait_seconds) if session.get_bind().dialect.name == "postgresql" else None
    if limit == 0:
        return 0
    last = head(session)
    previous_id, previous = (last.event_id, last.chain_hash) if last else (0, GENESIS)
    sealed = 0
    while True:
        query = events_query(previous_id).limit(SEAL_BATCH)
        if limit is not None:
            query = query.where(AuditEvent.id <= limit)
        rows = session.execute(query).all()
        if not rows:
            return sealed
        links = []
        for row in rows:
            content = row_hash(row)
            previous = link_hash(previous, row.id, content)
            links.append({"event_id": row.id, "row_hash": content, "chain_hash": previous, "sealed_at": now})
        session.execute(insert(AuditLink), links)
        previous_id = rows[-1].id
        sealed += len(rows)
        if max_rows is not None and sealed >= max_rows:
            return sealed


def _pg_settled_id(session: Session, wait_seconds: float) -> int:
    """The highest event id below which every event is committed or rolled back (0: none known yet)."""
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_SEAL_LOCK})
    last_value, is_called = session.execute(text(
        "SELECT last_value, is_called FROM audit_events_id_seq")).one()
    if not is_called:
        return 0
    # Every transaction that took an id up to last_value took the table's lock before it did, and holds it
    # until it ends: wait until those holding it now have ended.
    writers = list(session.scalars(text(
        "SELECT DISTINCT virtualtransaction FROM pg_locks WHERE locktype = 'relation' "
        "AND relation = 'audit_events'::regclass AND mode = 'RowExclusiveLock' AND pid <> pg_backend_pid()")))
    deadline = time.monotonic() + wait_seconds
    while writers and _still_running(session, writers):
        if time.monotonic() > deadline:
            return 0
        time.sleep(0.02)
    return int(last_value)


def _still_running(session: Session, transactions: Iterable[str]) -> bool:
    return bool(session.scalar(text(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'virtualxid' AND virtualxid = ANY(:ids)"),
        {"ids": list(transactions)}))
